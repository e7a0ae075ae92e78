//! The Lambda handlers invoked in-process with real event JSON, against moto:
//! signed webhook → `ticket-created` handler → DynamoDB → `sweep` handler (Scheduler
//! event) at a later instant → EventBridge rule with an event pattern → SQS queue →
//! the breach read back and checked field by field.

use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use base64::Engine;
use chrono::Duration;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use sla_app::{ManualClock, WebhookService};
use sla_events::testkit::{bus_with_rule_to_queue, receive, sdk_config};
use sla_events::EventBridgeSink;
use sla_lambda::{SweepFunction, WebhookFunction};
use sla_store::testkit::moto;
use sla_tests::fixtures::{self, event, signed_request, t0};

const API_GATEWAY: &str = include_str!("../fixtures/apigw-http-api-v2.json");
const FUNCTION_URL: &str = include_str!("../fixtures/lambda-function-url.json");
const SCHEDULER: &str = include_str!("../fixtures/scheduler-event.json");

/// The fixture request carrying `body`, signed at `now`, optionally with its body base64-encoded.
fn request(
    template: &str,
    body: &Value,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiGatewayV2httpRequest {
    let signed = signed_request(body, now);
    let mut value: Value = serde_json::from_str(template).expect("fixture is JSON");
    for (name, header) in &signed.headers {
        value["headers"][name] = json!(header);
    }
    let text = String::from_utf8(signed.body).expect("UTF-8 body");
    value["body"] = if value["isBase64Encoded"] == json!(true) {
        json!(base64::engine::general_purpose::STANDARD.encode(text))
    } else {
        json!(text)
    };
    serde_json::from_value(value).expect("fixture is an API Gateway v2 request")
}

fn invocation<T>(payload: T) -> LambdaEvent<T> {
    let mut context = Context::default();
    context.request_id = "test-invocation".into();
    context.deadline = (chrono::Utc::now() + Duration::minutes(5)).timestamp_millis() as u64;
    LambdaEvent::new(payload, context)
}

fn body_of(response: &aws_lambda_events::apigw::ApiGatewayV2httpResponse) -> Value {
    match &response.body {
        Some(aws_lambda_events::encodings::Body::Text(text)) => {
            serde_json::from_str(text).expect("JSON body")
        }
        other => panic!("expected a text body, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_webhook_to_breach_on_the_queue() {
    let config = sdk_config().await;
    let store = moto::fresh_store(aws_sdk_dynamodb::Client::new(&config), 4).await;
    let clock = Arc::new(ManualClock::new(t0()));
    let service = WebhookService::new(store.clone(), fixtures::tenants(), clock.clone());
    let created = WebhookFunction::new("ticket-created", service);

    // The helpdesk's creation trigger, through API Gateway.
    let body = event("E2E-1", "e2e-1", t0(), "created");
    let response = created
        .handle(invocation(request(API_GATEWAY, &body, t0())))
        .await
        .expect("handler");
    assert_eq!(response.status_code, 200, "{:?}", response.body);
    assert_eq!(body_of(&response)["accepted"], 1);

    // The same delivery again, through a function URL (base64 body): a duplicate.
    let response = created
        .handle(invocation(request(FUNCTION_URL, &body, t0())))
        .await
        .expect("handler");
    assert_eq!(response.status_code, 200);
    assert_eq!(body_of(&response)["duplicates"], 1);

    // Tampered body: 401, nothing stored.
    let mut tampered = request(API_GATEWAY, &body, t0());
    tampered.body = Some(tampered.body.unwrap().replace("E2E-1", "E2E-2"));
    let response = created.handle(invocation(tampered)).await.expect("handler");
    assert_eq!(response.status_code, 401, "{:?}", response.body);
    assert!(body_of(&response)["error"]
        .as_str()
        .unwrap()
        .contains("signature"));

    // The sweep, two hours later, on the real bus → rule → queue.
    let (bus, queue) = bus_with_rule_to_queue(
        &config,
        r#"{"source": ["sla-tracker"], "detail-type": ["SLA Breached"]}"#,
    )
    .await;
    let sink = EventBridgeSink::new(
        aws_sdk_eventbridge::Client::new(&config),
        bus,
        "sla-tracker",
    );
    clock.set(t0() + Duration::hours(2));
    let sweep = SweepFunction::new(store, sink, fixtures::policies(), clock.clone());
    let scheduler: Value = serde_json::from_str(SCHEDULER).expect("fixture is JSON");
    let report = sweep
        .handle(invocation(scheduler.clone()))
        .await
        .expect("sweep");
    assert_eq!((report.published, report.failed), (2, 0), "{report:?}");
    assert!(report.complete);
    assert_eq!(
        report.oldest_lag_seconds,
        Some(3600.0 + 15.0 * 60.0),
        "due since the warning at 09:45"
    );

    let messages = receive(&config, &queue, 1).await;
    assert_eq!(
        messages.len(),
        1,
        "only the breach matches the rule: {messages:#?}"
    );
    let message = &messages[0];
    assert_eq!(message["source"], "sla-tracker");
    assert_eq!(message["detail-type"], "SLA Breached");
    let detail = &message["detail"];
    assert_eq!(detail["type"], "breached");
    assert_eq!(detail["tenant"], "acme");
    assert_eq!(detail["ticket_id"], "E2E-1");
    assert_eq!(detail["metric"], "first_response");
    assert_eq!(detail["cycle"], 1);
    assert_eq!(detail["policy"], "standard");
    assert_eq!(detail["priority"], "normal");
    assert_eq!(detail["target_seconds"], 3600);
    assert_eq!(detail["deadline"], "2026-11-02T10:00:00Z");
    assert_eq!(detail["at"], "2026-11-02T10:00:00Z");
    assert_eq!(detail["elapsed_seconds"], 3600);
    assert_eq!(detail["event_id"].as_str().map(str::len), Some(32));

    // A second sweep at the same instant publishes nothing again.
    let again = sweep.handle(invocation(scheduler)).await.expect("sweep");
    assert_eq!(again.published, 0, "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tenant_and_unroutable_paths_are_404() {
    let config = sdk_config().await;
    let store = moto::fresh_store(aws_sdk_dynamodb::Client::new(&config), 4).await;
    let clock = Arc::new(ManualClock::new(t0()));
    let function = WebhookFunction::new(
        "ticket-updated",
        WebhookService::new(store, fixtures::tenants(), clock),
    );
    let body = event("N-1", "n-1", t0(), "created");
    let mut unknown = request(API_GATEWAY, &body, t0());
    unknown
        .path_parameters
        .insert("tenant".into(), "globex".into());
    let response = function.handle(invocation(unknown)).await.expect("handler");
    assert_eq!(response.status_code, 404);
    assert!(body_of(&response)["error"]
        .as_str()
        .unwrap()
        .contains("globex"));

    let mut stray = request(FUNCTION_URL, &body, t0());
    stray.raw_path = Some("/admin".into());
    let response = function.handle(invocation(stray)).await.expect("handler");
    assert_eq!(response.status_code, 404);
}
