//! The sweep function: run on a schedule, publish what is due, then what falls due
//! before the invocation's deadline (less [`DEADLINE_MARGIN`]) at its instant, and report
//! a summary. With the template's timeout (75 s) and a one-minute schedule, each run
//! covers until a few seconds after the next one starts; a run ends as soon as nothing
//! more is planned, so the function is billed only while something falls due.

use std::sync::Arc;
use std::time::Duration;

use lambda_runtime::LambdaEvent;
use serde_json::Value;
use sla_app::{Clock, Lookahead, Sleep, SweepReport, SweepSettings, TenantPolicies, Window};
use sla_events::EventSink;
use sla_store::TicketStore;

use crate::emf::{self, names, Metric};

/// Time kept in reserve before the Lambda deadline: a sweep stops starting tickets then.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(10);

/// The sweep handler with its clients, built once per cold start.
pub struct SweepFunction<S, K> {
    store: S,
    sink: K,
    policies: TenantPolicies,
    clock: Arc<dyn Clock>,
    settings: SweepSettings,
}

/// How the function waits for what falls due: the index read again every second while
/// it waits, and no waiting once nothing is planned (Lambda bills the wait).
pub const LOOKAHEAD: Lookahead = Lookahead {
    rescan: Duration::from_secs(1),
    wait_when_idle: false,
};

impl<S: TicketStore, K: EventSink> SweepFunction<S, K> {
    /// A sweep over `store`, publishing to `sink`.
    pub fn new(store: S, sink: K, policies: TenantPolicies, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            sink,
            policies,
            clock,
            settings: SweepSettings::default(),
        }
    }

    /// Replaces the sweep settings.
    pub fn with_settings(mut self, settings: SweepSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Handles one invocation (an EventBridge Scheduler event, whose payload is not used).
    pub async fn handle(
        &self,
        event: LambdaEvent<Value>,
    ) -> Result<SweepReport, lambda_runtime::Error> {
        let deadline_ms = event.context.deadline;
        let keep_going = move || time_left(deadline_ms) > DEADLINE_MARGIN;
        let now = self.clock.now();
        let window = Window {
            clock: &*self.clock,
            until: window_end(now, deadline_ms),
            keep_going: &keep_going,
            lookahead: LOOKAHEAD,
        };
        let report = sla_app::sweep_window(
            &self.store,
            &self.sink,
            &self.policies,
            &self.settings,
            &window,
            &Sleep,
        )
        .await?;
        tracing::info!(
            request_id = %event.context.request_id,
            examined = report.examined,
            published = report.published,
            failed = report.failed,
            dead_lettered = report.dead_lettered,
            next_shard = report.next_shard,
            complete = report.complete,
            "sweep done"
        );
        emf::emit(emf::functions::SWEEP, &metrics(&report));
        Ok(report)
    }
}

/// Until when a run starting at `now` announces: the deadline less [`DEADLINE_MARGIN`],
/// or `now` (no waiting) when the deadline is unknown.
fn window_end(
    now: chrono::DateTime<chrono::Utc>,
    deadline_ms: u64,
) -> chrono::DateTime<chrono::Utc> {
    if deadline_ms == 0 {
        return now;
    }
    let usable = time_left(deadline_ms).saturating_sub(DEADLINE_MARGIN);
    chrono::Duration::from_std(usable)
        .ok()
        .and_then(|usable| now.checked_add_signed(usable))
        .unwrap_or(now)
}

/// Time until the invocation's deadline (epoch milliseconds); unbounded when unknown.
pub(crate) fn time_left(deadline_ms: u64) -> Duration {
    if deadline_ms == 0 {
        return Duration::MAX;
    }
    let now_ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// The metrics a sweep reports.
pub fn metrics(report: &SweepReport) -> Vec<Metric<'static>> {
    vec![
        Metric {
            name: names::SWEEP_LAG,
            value: report.oldest_lag_seconds.unwrap_or(0.0).max(0.0),
            unit: "Seconds",
        },
        Metric {
            name: "TicketsExamined",
            value: report.examined as f64,
            unit: "Count",
        },
        Metric {
            name: "EventsPublished",
            value: report.published as f64,
            unit: "Count",
        },
        Metric {
            name: names::PUBLISH_FAILURES,
            value: report.failed as f64,
            unit: "Count",
        },
        Metric {
            name: names::DEAD_LETTERED,
            value: report.dead_lettered as f64,
            unit: "Count",
        },
        Metric {
            name: "Conflicts",
            value: report.conflicts as f64,
            unit: "Count",
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_waits_until_the_deadline_less_the_margin() {
        let now = chrono::Utc::now();
        assert_eq!(window_end(now, 0), now, "unknown deadline: no waiting");
        let deadline = now + chrono::Duration::seconds(75);
        let end = window_end(now, deadline.timestamp_millis() as u64);
        let usable = (end - now).num_milliseconds();
        assert!(
            (60_000..=65_000).contains(&usable),
            "about 65 s of a 75 s invocation: {usable} ms"
        );
        let past = (now - chrono::Duration::seconds(5)).timestamp_millis() as u64;
        assert_eq!(window_end(now, past), now, "no time left: no waiting");
    }
}
