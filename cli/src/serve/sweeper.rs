//! The background sweep: once at start-up, then every `--sweep-every`, on demand from
//! the test clock, and a last time at shutdown. Runs never overlap.
//!
//! On the system clock each run also announces, at its instant, what falls due before
//! the next run (`sla_app::sweep_window`, reading the due index again every second for
//! timers set meanwhile), so warnings and breaches are not up to `--sweep-every` late.
//! With `--test-clock` a run is one sweep at the clock's instant, as time only moves on
//! request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sla_app::{Clock, Lookahead, Pause, SweepError, SweepReport, SweepSettings, Tenants, Window};
use sla_store::SqliteStore;
use tokio::sync::{watch, Mutex};
use tokio::time::MissedTickBehavior;

use super::metrics::Metrics;
use super::panics;
use super::sinks::CountingSink;

/// Sweeps the store for due timers and delivers what is due.
pub struct Sweeper {
    store: SqliteStore,
    sink: CountingSink,
    tenants: Arc<Tenants>,
    clock: Arc<dyn Clock>,
    settings: SweepSettings,
    metrics: Arc<Metrics>,
    running: Mutex<()>,
    on_time: bool,
}

impl Sweeper {
    /// A sweeper over `store` delivering to `sink`, announcing on time.
    pub fn new(
        store: SqliteStore,
        sink: CountingSink,
        tenants: Arc<Tenants>,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            sink,
            tenants,
            clock,
            settings: SweepSettings::default(),
            metrics,
            running: Mutex::new(()),
            on_time: true,
        }
    }

    /// Whether periodic runs wait for what falls due before the next run and announce
    /// it at its instant (true by default; false for a test clock).
    pub fn on_time(mut self, on_time: bool) -> Self {
        self.on_time = on_time;
        self
    }

    /// Runs one sweep at the clock's `now`, after any sweep already running.
    pub async fn sweep_now(&self) -> Result<SweepReport, SweepError> {
        let _only_one = self.running.lock().await;
        let now = self.clock.now();
        let started = Instant::now();
        let result = sla_app::sweep(
            &self.store,
            &self.sink,
            self.tenants.policy_table(),
            now,
            &|| true,
            &self.settings,
        )
        .await;
        self.finished(now, &result, started.elapsed());
        result
    }

    /// Sweeps at the clock's `now`, then announces what falls due up to `now + every`
    /// at its instant, until then or until `stop`.
    async fn sweep_ahead(
        &self,
        every: Duration,
        stop: &watch::Receiver<bool>,
    ) -> Result<SweepReport, SweepError> {
        let _only_one = self.running.lock().await;
        let now = self.clock.now();
        let started = Instant::now();
        let pause = UntilStopped::new(stop.clone());
        let keep_going = || !*stop.borrow();
        let window = Window {
            clock: &*self.clock,
            until: window_end(now, every),
            keep_going: &keep_going,
            lookahead: Lookahead::default(),
        };
        let result = sla_app::sweep_window(
            &self.store,
            &self.sink,
            self.tenants.policy_table(),
            &self.settings,
            &window,
            &pause,
        )
        .await;
        let busy = started.elapsed().saturating_sub(pause.paused());
        self.finished(now, &result, busy);
        result
    }

    /// Records and logs a finished run that started at `now` and worked for `busy`.
    fn finished(
        &self,
        now: DateTime<Utc>,
        result: &Result<SweepReport, SweepError>,
        busy: Duration,
    ) {
        self.metrics.record_sweep(result.as_ref().ok(), now, busy);
        match result {
            Ok(report) if report.examined > 0 || !report.errors.is_empty() => {
                tracing::info!(
                    now = %now.to_rfc3339(),
                    examined = report.examined,
                    published = report.published,
                    failed = report.failed,
                    errors = report.errors.len(),
                    lag_seconds = report.oldest_lag_seconds.unwrap_or(0.0),
                    "sweep"
                );
            }
            Ok(_) => tracing::debug!(now = %now.to_rfc3339(), "sweep found nothing due"),
            Err(err) => tracing::error!(error = %err, "sweep failed; the next one retries"),
        }
    }

    /// Sweeps at once, then every `every`, until `stop` turns true. A sweep in progress
    /// when `stop` arrives finishes the ticket it is on first (a run waiting for the
    /// next instant ends at once).
    pub async fn run_every(self: Arc<Self>, every: Duration, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = stop.changed() => return,
                _ = ticks.tick() => {
                    // A panicking sweep (a bug) must not end the periodic sweeps.
                    if let Err(panic) = panics::caught(self.run_once(every, &stop)).await {
                        tracing::error!(panic, "sweep panicked; the next one runs on schedule");
                        self.metrics.record_sweep(None, self.clock.now(), Duration::ZERO);
                    }
                }
            }
        }
    }

    /// One periodic run: on time when enabled, else a single sweep.
    async fn run_once(
        &self,
        every: Duration,
        stop: &watch::Receiver<bool>,
    ) -> Result<SweepReport, SweepError> {
        if self.on_time {
            self.sweep_ahead(every, stop).await
        } else {
            self.sweep_now().await
        }
    }
}

/// `now + every`, saturating.
fn window_end(now: DateTime<Utc>, every: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(every)
        .ok()
        .and_then(|every| now.checked_add_signed(every))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Sleeps unless the server is stopping; counts the time spent waiting.
struct UntilStopped {
    stop: watch::Receiver<bool>,
    paused_ms: AtomicU64,
}

impl UntilStopped {
    fn new(stop: watch::Receiver<bool>) -> Self {
        Self {
            stop,
            paused_ms: AtomicU64::new(0),
        }
    }

    /// Total time spent in `pause`.
    fn paused(&self) -> Duration {
        Duration::from_millis(self.paused_ms.load(Ordering::Relaxed))
    }
}

impl Pause for UntilStopped {
    async fn pause(&self, duration: Duration) -> bool {
        let mut stop = self.stop.clone();
        let started = Instant::now();
        let slept = tokio::select! {
            _ = tokio::time::sleep(duration) => true,
            _ = stop.wait_for(|stopped| *stopped) => false,
        };
        let waited = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.paused_ms.fetch_add(waited, Ordering::Relaxed);
        slept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stop_ends_a_pause_at_once() {
        let (tx, rx) = watch::channel(false);
        let pause = UntilStopped::new(rx);
        assert!(pause.pause(Duration::from_millis(1)).await, "slept");
        tx.send(true).unwrap();
        assert!(
            !pause.pause(Duration::from_secs(3600)).await,
            "stopping ends the wait"
        );
    }

    #[test]
    fn the_window_ends_at_the_next_run() {
        let now: DateTime<Utc> = "2026-11-02T12:00:00Z".parse().unwrap();
        assert_eq!(
            window_end(now, Duration::from_secs(15)),
            now + chrono::Duration::seconds(15)
        );
        assert_eq!(window_end(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
