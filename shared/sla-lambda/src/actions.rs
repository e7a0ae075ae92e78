//! The actions function: the autopilot on AWS. Two kinds of invocation reach it:
//!
//! - **SQS batches** from the actions queue, which an EventBridge rule fills with every
//!   SLA event. Each message's actions are planned, enqueued in the action ledger (a
//!   conditional write per action id, so a redelivered event adds nothing) and carried
//!   out once. The answer lists batch item failures: only messages that could not be
//!   read, or whose ledger writes failed, come back (after the queue's visibility
//!   timeout, then to its dead-letter queue); one action's failure never retries the
//!   batch.
//! - **A schedule** (every minute): actions re-queued for a later attempt (429 with a
//!   long `Retry-After`, 5xx), claims a crash left to lapse, and redriven actions.
//!
//! Each invocation stops starting actions [`DEADLINE_MARGIN`] before its deadline;
//! messages it did not reach are reported as failures and come back.

use std::time::Duration;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;
use serde_json::Value;
use sla_actions_http::Counters;
use sla_app::autopilot::{ActionExecutor, Autopilot, AutopilotReport};
use sla_core::SlaEvent;
use sla_store::ActionLedger;

use crate::emf::{self, names, Metric};
use crate::sweep::time_left;

/// Time kept in reserve before the Lambda deadline: no action starts after it.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(20);

/// The actions handler with its autopilot, built once per cold start.
pub struct ActionsFunction<L, E> {
    autopilot: Autopilot<L, E>,
}

/// An EventBridge event as the rule delivers it to SQS; only `detail` is read.
#[derive(Debug, Deserialize)]
struct Envelope {
    detail: SlaEvent,
}

impl<L: ActionLedger, E: ActionExecutor> ActionsFunction<L, E> {
    /// A handler over `autopilot`.
    pub fn new(autopilot: Autopilot<L, E>) -> Self {
        Self { autopilot }
    }

    /// The autopilot (its ledger, tests).
    pub fn autopilot(&self) -> &Autopilot<L, E> {
        &self.autopilot
    }

    /// Handles one invocation: an SQS batch (answered with its batch item failures) or a
    /// scheduled run (answered with its report).
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, lambda_runtime::Error> {
        let deadline_ms = event.context.deadline;
        let keep_going = move || time_left(deadline_ms) > DEADLINE_MARGIN;
        if event.payload.get("Records").is_some() {
            let batch: SqsEvent = serde_json::from_value(event.payload)?;
            let response = self.handle_batch(batch, &keep_going).await;
            return Ok(serde_json::to_value(response)?);
        }
        let report = self.autopilot.run_due_while(&keep_going).await?;
        tracing::info!(
            request_id = %event.context.request_id,
            done = report.done,
            retrying = report.retrying,
            dead = report.dead,
            "due actions run"
        );
        self.emit(&report);
        Ok(serde_json::json!({
            "done": report.done,
            "retrying": report.retrying,
            "dead": report.dead,
            "skipped": report.skipped,
        }))
    }

    /// Carries out each message's actions; the messages to deliver again.
    pub async fn handle_batch(
        &self,
        batch: SqsEvent,
        keep_going: &(dyn Fn() -> bool + Sync),
    ) -> SqsBatchResponse {
        let mut report = AutopilotReport::default();
        let mut failures = Vec::new();
        for message in batch.records {
            let id = message.message_id.clone().unwrap_or_default();
            if !keep_going() {
                failures.push(failure(id));
                continue;
            }
            match self.handle_message(&message).await {
                Ok(done) => report += done,
                Err(reason) => {
                    tracing::error!(message_id = %id, %reason, "action message not handled");
                    failures.push(failure(id));
                }
            }
        }
        self.emit(&report);
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = failures;
        response
    }

    async fn handle_message(&self, message: &SqsMessage) -> Result<AutopilotReport, String> {
        let body = message.body.as_deref().unwrap_or_default();
        let envelope: Envelope = serde_json::from_str(body)
            .map_err(|e| format!("not an SLA event from EventBridge: {e}"))?;
        self.autopilot
            .run_events(&[envelope.detail])
            .await
            .map_err(|e| e.to_string())
    }

    /// Reports the invocation's actions: the dead count (alarmed), and one line per
    /// target and outcome.
    fn emit(&self, report: &AutopilotReport) {
        let dead = Metric {
            name: names::ACTIONS_DEAD,
            value: report.dead as f64,
            unit: "Count",
        };
        emf::emit(emf::functions::ACTIONS, &[dead]);
        for (target, outcome, count) in per_target_and_outcome(&self.autopilot.take_counters()) {
            let metric = Metric {
                name: names::ACTIONS,
                value: count as f64,
                unit: "Count",
            };
            let dimensions = [("Target", target), ("Outcome", outcome)];
            emf::emit_with(emf::functions::ACTIONS, &dimensions, &[metric]);
        }
    }
}

/// Counts summed over steps: (target, outcome, count).
fn per_target_and_outcome(counters: &Counters) -> Vec<(&'static str, &'static str, u64)> {
    let mut sums: Vec<(&'static str, &'static str, u64)> = Vec::new();
    for (target, _, outcome, count) in counters.iter() {
        match sums
            .iter_mut()
            .find(|(t, o, _)| *t == target && *o == outcome.name())
        {
            Some(sum) => sum.2 += count,
            None => sums.push((target, outcome.name(), count)),
        }
    }
    sums
}

fn failure(message_id: String) -> BatchItemFailure {
    let mut failure = BatchItemFailure::default();
    failure.item_identifier = message_id;
    failure
}
