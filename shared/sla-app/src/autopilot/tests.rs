//! The autopilot over a MemoryLedger and a scripted executor that records each call.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sla_actions_http::{ActionMetric, OutcomeKind, StepKind};
use sla_core::{Metric, PolicySet, Priority, SlaEventType, TicketContext};
use sla_helpdesk::{resolve_tenants, SecretSource, SecretUnavailable, TenantsFile};
use sla_store::{ActionState, MemoryLedger};

use super::*;
use crate::clock::ManualClock;
use crate::policies::TenantPolicies;

const POLICY: &str = r#"
actions:
  - on: {type: breached}
    do: [{tag: sla_breached}, {note: "Breached {{metric}}"}, {tag: escalated}]
policies:
  - name: standard
    calendar: 24x7
    targets:
      high: {first_response: 1h}
"#;

const TENANTS: &str = "tenants:\n  acme:\n    vendors:\n      zendesk: {secret_env: ZD}\n";

/// Answers each action id from its script (then `Done`), recording the ids called.
#[derive(Default)]
struct Scripted {
    scripts: Mutex<BTreeMap<String, VecDeque<Outcome>>>,
    calls: Mutex<Vec<String>>,
}

impl Scripted {
    fn answer(self, id: &str, outcomes: Vec<Outcome>) -> Self {
        self.scripts
            .lock()
            .unwrap()
            .insert(id.into(), outcomes.into());
        self
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl ActionExecutor for Scripted {
    async fn run(&self, action: &PlannedAction, _: &TenantActionsConfig) -> Report {
        self.calls.lock().unwrap().push(action.id.clone());
        let outcome = self
            .scripts
            .lock()
            .unwrap()
            .get_mut(&action.id)
            .and_then(VecDeque::pop_front)
            .unwrap_or(Outcome::Done);
        Report {
            metric: ActionMetric {
                target: "zendesk",
                step: StepKind::of(&action.step),
                outcome: outcome.kind(),
                attempts: 1,
            },
            outcome,
            attempts: 1,
        }
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn tenants() -> Arc<Tenants> {
    let file = TenantsFile::from_yaml("tenants.yaml", TENANTS).unwrap();
    let resolver = |_: &SecretSource| -> Result<String, SecretUnavailable> { Ok("s".into()) };
    let policies = PolicySet::from_yaml("policy.yaml", POLICY).unwrap();
    let table = TenantPolicies::new(Some(Arc::new(policies)));
    Arc::new(Tenants::new(
        resolve_tenants(&file, &resolver).unwrap(),
        table,
    ))
}

fn breach(event_id: &str) -> SlaEvent {
    SlaEvent {
        event_id: event_id.into(),
        kind: SlaEventType::Breached,
        tenant: "acme".into(),
        ticket_id: "42".into(),
        metric: Metric::FirstResponse,
        cycle: 1,
        policy: "standard".into(),
        priority: Priority::High,
        target_seconds: 3600,
        deadline: at("2026-03-02T10:00:00Z"),
        at: at("2026-03-02T10:00:00Z"),
        elapsed_seconds: 3600,
        threshold: None,
        retracts: None,
        context: Arc::new(TicketContext {
            vendor: Some("zendesk".into()),
            ..TicketContext::default()
        }),
    }
}

fn autopilot(executor: Scripted) -> (Autopilot<MemoryLedger, Scripted>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at("2026-03-02T10:00:05Z")));
    let autopilot = Autopilot::new(MemoryLedger::new(), executor, tenants(), clock.clone())
        .with_settings(AutopilotSettings {
            max_attempts: 3,
            ..AutopilotSettings::default()
        });
    (autopilot, clock)
}

fn retry(after: Option<u64>) -> Outcome {
    Outcome::Retry {
        after: after.map(Duration::from_secs),
        reason: "PUT /api/v2/tickets/42/tags answered 429".into(),
    }
}

async fn states(autopilot: &Autopilot<MemoryLedger, Scripted>) -> Vec<(String, ActionState)> {
    let records = ActionLedger::ticket_actions(autopilot.ledger(), "acme", "42")
        .await
        .unwrap();
    records
        .into_iter()
        .map(|r| (r.key.action_id, r.state))
        .collect()
}

#[tokio::test]
async fn a_redelivered_event_acts_once() {
    let (autopilot, _) = autopilot(Scripted::default());
    assert_eq!(autopilot.enqueue(&[breach("ev1")]).await.unwrap(), 3);
    let report = autopilot.run_due().await.unwrap();
    assert_eq!(report.done, 3);
    assert_eq!(autopilot.enqueue(&[breach("ev1")]).await.unwrap(), 0);
    assert_eq!(
        autopilot.run_due().await.unwrap(),
        AutopilotReport::default()
    );
    assert_eq!(
        autopilot.executor.calls(),
        ["ev1:0.0", "ev1:0.1", "ev1:0.2"]
    );
    let counters = autopilot.counters();
    assert_eq!(counters.get("zendesk", StepKind::Tag, OutcomeKind::Done), 2);
    assert_eq!(
        counters.get("zendesk", StepKind::Note, OutcomeKind::Done),
        1
    );
}

#[tokio::test]
async fn a_refusal_is_dead_and_visible_and_blocks_nothing() {
    let refused = Outcome::Failed {
        status: Some(403),
        message: "PUT /api/v2/tickets/42/tags answered 403: forbidden".into(),
    };
    let (autopilot, _) = autopilot(Scripted::default().answer("ev1:0.0", vec![refused]));
    autopilot.enqueue(&[breach("ev1")]).await.unwrap();
    let report = autopilot.run_due().await.unwrap();
    assert_eq!((report.done, report.dead), (2, 1));
    let dead = autopilot.dead(Some("acme"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("PUT /api/v2/tickets/42/tags answered 403: forbidden")
    );
    let views = TicketActions::ticket_actions(autopilot.ledger(), "acme", "42")
        .await
        .unwrap();
    assert_eq!(
        (views[0].step.as_str(), views[0].state, views[1].state),
        ("tag sla_breached", "dead", "done")
    );
}

#[tokio::test]
async fn a_retry_is_requeued_then_dead_after_max_attempts_then_redriven() {
    let script = vec![retry(Some(120)), retry(None), retry(None)];
    let (autopilot, clock) = autopilot(Scripted::default().answer("ev1:0.0", script));
    autopilot.enqueue(&[breach("ev1")]).await.unwrap();
    assert_eq!(autopilot.run_due().await.unwrap().retrying, 1);
    let pending = ActionLedger::ticket_actions(autopilot.ledger(), "acme", "42");
    let first = pending.await.unwrap().remove(0);
    assert_eq!(first.next_attempt_at, Some(at("2026-03-02T10:02:05Z")));
    clock.set(at("2026-03-02T10:02:00Z"));
    assert_eq!(
        autopilot.run_due().await.unwrap(),
        AutopilotReport::default()
    );
    clock.set(at("2026-03-02T10:02:05Z"));
    assert_eq!(autopilot.run_due().await.unwrap().retrying, 1);
    clock.set(at("2026-03-02T10:10:00Z"));
    assert_eq!(autopilot.run_due().await.unwrap().dead, 1);
    let dead = autopilot.dead(None, 10).await.unwrap();
    assert_eq!(dead[0].attempts, 3);
    assert!(dead[0]
        .last_error
        .as_deref()
        .unwrap()
        .starts_with("gave up after 3 attempts"));
    assert!(autopilot.redrive(&dead[0].key).await.unwrap());
    assert_eq!(autopilot.run_due().await.unwrap().done, 1);
    let calls = autopilot.executor.calls();
    assert_eq!(calls.iter().filter(|id| *id == "ev1:0.0").count(), 4);
    assert!(states(&autopilot)
        .await
        .iter()
        .all(|(_, s)| *s == ActionState::Done));
}

#[tokio::test]
async fn a_run_reads_every_page_of_due_actions() {
    let (autopilot, _) = autopilot(Scripted::default());
    let autopilot = autopilot.with_settings(AutopilotSettings {
        page: 2,
        ..AutopilotSettings::default()
    });
    autopilot
        .enqueue(&[breach("ev1"), breach("ev2")])
        .await
        .unwrap();
    assert_eq!(autopilot.run_due().await.unwrap().done, 6);
    assert_eq!(autopilot.executor.calls().len(), 6);
}

#[tokio::test]
async fn a_crash_after_the_call_repeats_the_action_once_after_the_lease() {
    let (autopilot, clock) = autopilot(Scripted::default());
    autopilot.enqueue(&[breach("ev1")]).await.unwrap();
    let key = ActionKey::new("acme", "42", "ev1:0.0");
    let lease = autopilot.settings.lease;
    // A runner claimed the first action, called the helpdesk and died before recording.
    let claim = autopilot.ledger().claim(&key, clock.now(), lease).await;
    assert!(matches!(claim.unwrap(), Claim::Acquired(_)));
    assert_eq!(autopilot.run_due().await.unwrap().done, 2);
    clock.set(at("2026-03-02T10:20:05Z"));
    assert_eq!(autopilot.run_due().await.unwrap().done, 1);
    assert_eq!(
        autopilot.run_due().await.unwrap(),
        AutopilotReport::default()
    );
    assert_eq!(
        autopilot.executor.calls(),
        ["ev1:0.1", "ev1:0.2", "ev1:0.0"]
    );
}

#[tokio::test]
async fn run_events_acts_on_delivery_once_and_leaves_retries_to_run_due() {
    let (autopilot, clock) =
        autopilot(Scripted::default().answer("ev1:0.1", vec![retry(Some(60))]));
    let first = autopilot.run_events(&[breach("ev1")]).await.unwrap();
    assert_eq!((first.done, first.retrying), (2, 1));
    // The same SQS message again: nothing is called twice, the retry is not yet due.
    let again = autopilot.run_events(&[breach("ev1")]).await.unwrap();
    assert_eq!((again.done, again.skipped), (0, 3));
    assert_eq!(
        autopilot.executor.calls(),
        ["ev1:0.0", "ev1:0.1", "ev1:0.2"]
    );
    clock.set(at("2026-03-02T10:01:05Z"));
    assert_eq!(autopilot.run_due().await.unwrap().done, 1);
    let counters = autopilot.take_counters();
    assert_eq!(
        counters.get("zendesk", StepKind::Note, OutcomeKind::Retry),
        1
    );
    assert_eq!(
        counters.get("zendesk", StepKind::Note, OutcomeKind::Done),
        1
    );
    assert_eq!(
        autopilot.take_counters(),
        Counters::default(),
        "taken and reset"
    );
}
