//! The background sweep: once at start-up, then every `--sweep-every`, on demand from
//! the test clock, and a last time at shutdown. Runs never overlap.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sla_app::{Clock, SweepError, SweepReport, SweepSettings, Tenants};
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
}

impl Sweeper {
    /// A sweeper over `store` delivering to `sink`.
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
        }
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
        self.metrics
            .record_sweep(result.as_ref().ok(), now, started.elapsed());
        match &result {
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
        result
    }

    /// Sweeps at once, then every `every`, until `stop` turns true. A sweep in progress
    /// when `stop` arrives finishes first.
    pub async fn run_every(self: Arc<Self>, every: Duration, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {
                    // A panicking sweep (a bug) must not end the periodic sweeps.
                    if let Err(panic) = panics::caught(self.sweep_now()).await {
                        tracing::error!(panic, "sweep panicked; the next one runs on schedule");
                        self.metrics.record_sweep(None, self.clock.now(), Duration::ZERO);
                    }
                }
                _ = stop.changed() => return,
            }
        }
    }
}
