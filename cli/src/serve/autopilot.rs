//! The autopilot in `sla serve`: the sink hands it the events it published (their
//! actions are enqueued in the SQLite ledger before the sweep forgets the events), and a
//! task of its own carries them out, so helpdesk and chat calls never delay a sweep. It
//! wakes on new actions and every second (re-queued retries, lapsed claims, redrives by
//! `sla actions redrive`); actions left pending at shutdown run at the next start.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use sla_actions_http::{Counters, Executor, HyperTransport, RetryPolicy};
use sla_app::autopilot::{Autopilot, HttpExecutor};
use sla_app::{Clock, Tenants};
use sla_core::SlaEvent;
use sla_store::{SqliteLedger, SqliteStore};
use tokio::sync::{watch, Notify};

/// The autopilot of `sla serve`.
pub type ServeAutopilot = Autopilot<SqliteLedger, HttpExecutor<HyperTransport>>;

/// How often the task looks for due actions when nothing woke it.
const POLL: Duration = Duration::from_secs(1);
/// How long shutdown waits for an action in flight (then its claim lapses and it runs
/// again at the next start).
const GRACE: Duration = Duration::from_secs(5);

/// Where published events enter the autopilot.
pub struct Feed {
    autopilot: Arc<ServeAutopilot>,
    wake: Notify,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed").finish_non_exhaustive()
    }
}

impl Feed {
    /// The autopilot on `store`'s database, calling helpdesks and chat over HTTP(S).
    pub async fn open(
        store: &SqliteStore,
        tenants: Arc<Tenants>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Arc<Self>> {
        let ledger = SqliteLedger::open(store).await?;
        let executor =
            HttpExecutor::new(Executor::new(HyperTransport::new()), RetryPolicy::default());
        let autopilot = Autopilot::new(ledger, executor, tenants, clock);
        Ok(Arc::new(Self {
            autopilot: Arc::new(autopilot),
            wake: Notify::new(),
        }))
    }

    /// The autopilot (its ledger is the ticket route's action list).
    pub fn autopilot(&self) -> &Arc<ServeAutopilot> {
        &self.autopilot
    }

    /// Enqueues the actions of the events among `events` whose ids are in `published`,
    /// then wakes the task.
    pub async fn accept(&self, events: &[SlaEvent], published: &[String]) {
        let events: Vec<SlaEvent> = events
            .iter()
            .filter(|event| published.contains(&event.event_id))
            .cloned()
            .collect();
        match self.autopilot.enqueue(&events).await {
            Ok(0) => {}
            Ok(_) => self.wake.notify_one(),
            Err(error) => tracing::error!(%error, "cannot enqueue autopilot actions"),
        }
    }

    /// Carries out due actions until `stop` turns true.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(error) = self.autopilot.run_due().await {
                tracing::error!(%error, "autopilot run failed");
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

/// Stops the task: lets an action in flight finish for [`GRACE`], then abandons it.
pub async fn stop(task: tokio::task::JoinHandle<()>, stop: watch::Sender<bool>) {
    let _ = stop.send(true);
    let abort = task.abort_handle();
    if tokio::time::timeout(GRACE, task).await.is_err() {
        abort.abort();
        tracing::warn!(
            "an autopilot action was still running at shutdown; it runs again at the next start"
        );
    }
}

/// The action counters in the Prometheus text format.
pub fn render(counters: &Counters, out: &mut String) {
    out.push_str(
        "# HELP sla_actions_total Autopilot actions executed, by target (helpdesk or chat), \
         step and outcome (done, retry, failed, unsupported).\n\
         # TYPE sla_actions_total counter\n",
    );
    for (target, step, outcome, count) in counters.iter() {
        let _ = writeln!(
            out,
            "sla_actions_total{{target=\"{target}\",step=\"{step}\",outcome=\"{}\"}} {count}",
            outcome.name()
        );
    }
}

#[cfg(test)]
mod tests {
    use sla_actions_http::{ActionMetric, OutcomeKind, StepKind};

    use super::*;

    #[test]
    fn counters_render_one_line_per_target_step_and_outcome() {
        let mut counters = Counters::default();
        for outcome in [OutcomeKind::Done, OutcomeKind::Done, OutcomeKind::Failed] {
            counters.record(&ActionMetric {
                target: "zendesk",
                step: StepKind::Tag,
                outcome,
                attempts: 1,
            });
        }
        let mut out = String::new();
        render(&counters, &mut out);
        let line = |outcome: &str, n: u64| {
            format!(
                "sla_actions_total{{target=\"zendesk\",step=\"tag\",outcome=\"{outcome}\"}} {n}\n"
            )
        };
        assert!(out.contains(&line("done", 2)), "{out}");
        assert!(out.contains(&line("failed", 1)), "{out}");
    }
}
