//! The sweep function: run on a schedule, publish what is due, report a summary.

use std::sync::Arc;
use std::time::Duration;

use lambda_runtime::LambdaEvent;
use serde_json::Value;
use sla_app::{Clock, SweepReport, SweepSettings, TenantPolicies};
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
        let report = sla_app::sweep(
            &self.store,
            &self.sink,
            &self.policies,
            now,
            &keep_going,
            &self.settings,
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

/// Time until the invocation's deadline (epoch milliseconds); unbounded when unknown.
fn time_left(deadline_ms: u64) -> Duration {
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
