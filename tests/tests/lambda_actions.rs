//! The autopilot on AWS, end to end against moto: SLA events published to EventBridge →
//! a rule matching every SLA event → SQS → the `actions` handler (built at cold start
//! from the environment, its credentials read from Secrets Manager and Parameter Store)
//! → a fake Zendesk and Slack on loopback, with the action ledger in DynamoDB.
//!
//! A warning tags the ticket once (the same message again, and a cold start, call
//! nothing), a breach notifies the channel once, a retraction untags, a 429 is retried
//! after its `Retry-After`, a 403 is dead and visible without blocking the other actions
//! and is redriven by the scheduled run, and an unreadable message is the batch's only
//! failure.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use sla_actions_http::testkit::{calls_to, FakeHelpdesk};
use sla_core::{Metric, Priority, SlaEvent, SlaEventType, TicketContext};
use sla_events::testkit::{bus_with_rule_to_queue, receive_messages, sdk_config};
use sla_events::{EventBridgeSink, EventSink};
use sla_lambda::init::{actions_function_from, DynamoActionsFunction};
use sla_store::testkit::unique_name;
use sla_store::{ActionLedger, ActionState};
use sla_tests::secrets::{create_secret, put_secure_parameter};

const ZD_EMAIL: &str = "agent@acme.example";
const ZD_TOKEN: &str = "zendesk-api-token";
const SOURCE: &str = "sla-tracker";
const SCHEDULER: &str = include_str!("../fixtures/scheduler-event.json");

const POLICY: &str = "\
actions:
  - on: {type: warning}
    do: [{tag: sla_at_risk}]
  - on: {type: breached}
    do: [{tag: sla_breached}, {notify: {channel: leads}}]
  - on: {type: retracted}
    do: [{untag: sla_breached}]
policies:
  - name: standard
    calendar: 24x7
    targets:
      normal: {first_response: 1h}
    warn_at: [\"75%\"]
";

/// What a test needs: the AWS configuration, the fake, the bus and queue, and the
/// environment the function starts from.
struct Stack {
    aws: aws_config::SdkConfig,
    fake: FakeHelpdesk,
    sink: EventBridgeSink,
    queue_url: String,
    env: HashMap<String, String>,
    /// The tenants and policy files, read at each cold start; removed with the stack
    /// (last field: dropped last).
    _dir: tempfile::TempDir,
}

impl Stack {
    /// Creates the table, the credentials (Zendesk token in Secrets Manager, agent email
    /// in Parameter Store, Slack webhook URL in Secrets Manager: none in the environment),
    /// the tenants and policy files, and the bus with the actions rule to a queue.
    async fn new() -> Self {
        let aws = sdk_config().await;
        let fake = FakeHelpdesk::start();
        let table = unique_name("actions");
        sla_store::dynamodb::create_table(&aws_sdk_dynamodb::Client::new(&aws), &table)
            .await
            .expect("create table");
        let token = unique_name("sla-tracker-actions/acme/zendesk");
        let slack = unique_name("sla-tracker-actions/acme/slack");
        let email = format!("/{}/zendesk-email", unique_name("sla-tracker-actions"));
        let slack_url = format!("http://{}/slack", fake.address);
        create_secret(&aws, &token, ZD_TOKEN).await;
        create_secret(&aws, &slack, &slack_url).await;
        put_secure_parameter(&aws, &email, ZD_EMAIL).await;
        // The webhook secret named here does not exist: the actions function never reads it.
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("policy.yaml"), POLICY).expect("policy file");
        let tenants = format!(
            "tenants:\n  acme:\n    policy: policy.yaml\n    vendors:\n      zendesk:\n        \
             secret_arn: sla-tracker/acme/zendesk-webhook\n        \
             api: {{base_url: \"http://{}\", email_ssm: {email}, token_arn: {token}}}\n    \
             channels:\n      leads: {{slack_webhook_arn: {slack}}}\n",
            fake.address
        );
        std::fs::write(dir.path().join("tenants.yaml"), tenants).expect("tenants file");
        let pattern = json!({ "source": [SOURCE] }).to_string();
        let (bus, queue_url) = bus_with_rule_to_queue(&aws, &pattern).await;
        let sink = EventBridgeSink::new(aws_sdk_eventbridge::Client::new(&aws), bus, SOURCE);
        let env = HashMap::from([
            ("SLA_TABLE_NAME".to_owned(), table),
            (
                "SLA_TENANTS_FILE".to_owned(),
                dir.path().join("tenants.yaml").display().to_string(),
            ),
            ("SLA_DUE_SHARDS".to_owned(), "4".to_owned()),
        ]);
        Self {
            aws,
            fake,
            sink,
            queue_url,
            env,
            _dir: dir,
        }
    }

    /// A cold start of the function.
    async fn start(&self) -> DynamoActionsFunction {
        let env = self.env.clone();
        actions_function_from(&move |name| env.get(name).cloned(), &self.aws)
            .await
            .expect("the actions function starts")
    }

    /// Publishes `events` and receives them from the actions queue, as SQS records.
    async fn deliver(&self, events: &[SlaEvent]) -> Vec<Value> {
        let report = self.sink.publish(events).await.expect("PutEvents");
        assert_eq!(report.published.len(), events.len(), "{report:?}");
        let messages = receive_messages(&self.aws, &self.queue_url, events.len()).await;
        let records: Vec<Value> = messages
            .iter()
            .map(|message| {
                json!({
                    "messageId": message.message_id(),
                    "receiptHandle": message.receipt_handle(),
                    "body": message.body(),
                    "eventSource": "aws:sqs",
                    "awsRegion": "us-east-1",
                })
            })
            .collect();
        assert_eq!(records.len(), events.len(), "every event reached the queue");
        records
    }
}

fn invocation(payload: Value) -> LambdaEvent<Value> {
    let mut context = Context::default();
    context.request_id = "test-invocation".into();
    context.deadline = (Utc::now() + chrono::Duration::minutes(2)).timestamp_millis() as u64;
    LambdaEvent::new(payload, context)
}

/// Invokes `function` with an SQS batch of `records`; returns the failed message ids.
async fn handle(function: &DynamoActionsFunction, records: &[Value]) -> Vec<String> {
    let response = function
        .handle(invocation(json!({ "Records": records })))
        .await
        .expect("handler");
    response["batchItemFailures"]
        .as_array()
        .expect("batchItemFailures")
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("instant")
}

/// An SLA event of Zendesk ticket `ticket`.
fn sla_event(id: &str, kind: SlaEventType, ticket: &str) -> SlaEvent {
    SlaEvent {
        event_id: id.into(),
        kind,
        tenant: "acme".into(),
        ticket_id: ticket.into(),
        metric: Metric::FirstResponse,
        cycle: 1,
        policy: "standard".into(),
        priority: Priority::Normal,
        target_seconds: 3600,
        deadline: at("2026-03-02T10:00:00Z"),
        at: at("2026-03-02T09:45:00Z"),
        elapsed_seconds: 2700,
        threshold: (kind == SlaEventType::Warning).then(|| "75%".to_owned()),
        retracts: None,
        context: Arc::new(TicketContext {
            vendor: Some("zendesk".into()),
            ..TicketContext::default()
        }),
    }
}

fn tags(tag: &str) -> Value {
    json!({ "tags": [tag] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_tag_breaches_notify_retractions_untag_each_once() {
    let stack = Stack::new().await;
    let function = stack.start().await;

    let warning = stack
        .deliver(&[sla_event("w1", SlaEventType::Warning, "1")])
        .await;
    assert!(handle(&function, &warning).await.is_empty());
    let calls = stack.fake.calls();
    assert_eq!(calls.len(), 1, "{:#?}", stack.fake.lines());
    assert_eq!(calls[0].line, "PUT /api/v2/tickets/1/tags");
    assert_eq!(calls[0].body, tags("sla_at_risk"));
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{ZD_EMAIL}/token:{ZD_TOKEN}"),
    );
    assert_eq!(calls[0].authorization, Some(format!("Basic {basic}")));

    // SQS delivers at least once: the same message again calls nothing.
    assert!(handle(&function, &warning).await.is_empty());
    assert_eq!(stack.fake.calls().len(), 1, "{:#?}", stack.fake.lines());

    let mut breach = sla_event("b1", SlaEventType::Breached, "1");
    breach.at = breach.deadline;
    let breached = stack.deliver(&[breach]).await;
    assert!(handle(&function, &breached).await.is_empty());
    let calls = stack.fake.calls();
    assert_eq!(calls.len(), 3, "{:#?}", stack.fake.lines());
    assert_eq!(calls[1].body, tags("sla_breached"));
    let slack = calls_to(&calls, "POST /slack");
    assert_eq!(slack.len(), 1, "{:#?}", stack.fake.lines());
    let text = slack[0].body["text"].as_str().expect("slack text");
    assert!(text.contains("first_response"), "{text}");

    let mut retraction = sla_event("r1", SlaEventType::Retracted, "1");
    retraction.retracts = Some("b1".into());
    let retracted = stack.deliver(&[retraction]).await;
    assert!(handle(&function, &retracted).await.is_empty());
    let calls = stack.fake.calls();
    assert_eq!(calls.len(), 4, "{:#?}", stack.fake.lines());
    assert_eq!(calls[3].line, "DELETE /api/v2/tickets/1/tags");
    assert_eq!(calls[3].body, tags("sla_breached"));

    // A cold start in the middle (a new execution environment) repeats nothing.
    let restarted = stack.start().await;
    let everything: Vec<Value> = [warning, breached, retracted].concat();
    assert!(handle(&restarted, &everything).await.is_empty());
    assert_eq!(stack.fake.calls().len(), 4, "{:#?}", stack.fake.lines());
    let ledger = restarted.autopilot().ledger();
    let actions = ledger.ticket_actions("acme", "1").await.expect("ledger");
    assert_eq!(actions.len(), 4);
    assert!(actions.iter().all(|a| a.state == ActionState::Done));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_a_403_is_visible_and_a_bad_message_fails_alone() {
    let stack = Stack::new().await;
    let function = stack.start().await;
    stack
        .fake
        .then_answer("PUT /api/v2/tickets/2/tags", 429, Some(1));
    stack
        .fake
        .then_answer("PUT /api/v2/tickets/3/tags", 403, None);
    let mut breach = sla_event("b3", SlaEventType::Breached, "3");
    breach.at = breach.deadline;
    let mut records = stack
        .deliver(&[sla_event("w2", SlaEventType::Warning, "2"), breach])
        .await;
    records.push(json!({
        "messageId": "not-an-sla-event",
        "body": "{\"detail\": \"garbage\"}",
        "eventSource": "aws:sqs",
    }));
    let failed = handle(&function, &records).await;
    assert_eq!(failed, ["not-an-sla-event"], "only the unreadable message");

    let calls = stack.fake.calls();
    let retried = calls_to(&calls, "PUT /api/v2/tickets/2/tags");
    assert_eq!(retried.len(), 2, "{:#?}", stack.fake.lines());
    assert!(
        retried[1].at.duration_since(retried[0].at) >= Duration::from_secs(1),
        "the retry waited for Retry-After: 1"
    );
    // The 403 tag is dead, with its error; the notify of the same breach still went out.
    assert_eq!(calls_to(&calls, "PUT /api/v2/tickets/3/tags").len(), 1);
    assert_eq!(calls_to(&calls, "POST /slack").len(), 1);
    let ledger = function.autopilot().ledger();
    let actions = ledger.ticket_actions("acme", "3").await.expect("ledger");
    assert_eq!(actions[0].state, ActionState::Dead);
    let error = actions[0].last_error.as_deref().expect("last error");
    assert!(error.contains("403"), "{error}");
    assert_eq!(actions[1].state, ActionState::Done);
    let dead = ledger.dead(Some("acme"), 10).await.expect("dead actions");
    assert_eq!(dead.len(), 1);

    // Redriven (as `sla actions redrive --table` does), the scheduled run carries it out.
    assert!(ledger
        .redrive(&dead[0].key, Utc::now())
        .await
        .expect("redrive"));
    let schedule: Value = serde_json::from_str(SCHEDULER).expect("scheduler fixture");
    let report = function
        .handle(invocation(schedule))
        .await
        .expect("scheduled run");
    assert_eq!(report["done"], 1, "{report}");
    let calls = stack.fake.calls();
    assert_eq!(calls_to(&calls, "PUT /api/v2/tickets/3/tags").len(), 2);
    let actions = ledger.ticket_actions("acme", "3").await.expect("ledger");
    assert!(actions.iter().all(|a| a.state == ActionState::Done));
}
