//! The `read-api` Lambda handler invoked in-process with API Gateway HTTP API v2 event
//! JSON, against moto: signed webhooks through the `ticket-updated` handler → DynamoDB →
//! the `sweep` handler at a later instant → the queue, the summary and a ticket read back
//! through `read-api`, with the bearer tokens of the tenants file; and its cold start from
//! the environment, with read tokens from Secrets Manager and Parameter Store.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use sla_app::reads::ReadService;
use sla_app::{ManualClock, TenantPolicies, Tenants, WebhookService};
use sla_core::sla_event::METRICS;
use sla_events::testkit::{bus_with_rule_to_queue, sdk_config};
use sla_events::EventBridgeSink;
use sla_helpdesk::{resolve_tenants, SecretSource, SecretUnavailable, TenantsFile};
use sla_lambda::init::read_function_from;
use sla_lambda::{ReadFunction, SweepFunction, WebhookFunction};
use sla_store::dynamodb::{attr, queue_index, slot_attributes, DONE_INDEX};
use sla_store::testkit::moto::{self, CallCounter};
use sla_store::testkit::unique_name;
use sla_store::DynamoStore;
use sla_tests::fixtures::{agent_reply, event, policy, signed_request, t0, POLICY_YAML, SECRET};
use sla_tests::secrets::{create_secret, put_secure_parameter};

const WEBHOOK: &str = include_str!("../fixtures/apigw-http-api-v2.json");
const READ: &str = include_str!("../fixtures/apigw-http-api-v2-read.json");
const SCHEDULER: &str = include_str!("../fixtures/scheduler-event.json");

const ADMIN_TOKEN: &str = "admin-token-reads-every-tenant";
const ACME_TOKEN: &str = "acme-token-reads-acme-only";
const GLOBEX_TOKEN: &str = "globex-token-reads-globex-only";

/// `acme` (canonical webhooks, its own read token, a ticket URL template) and `globex`
/// (its own read token, no tickets).
const TENANTS_YAML: &str = r#"
tenants:
  acme:
    vendors:
      canonical: {secret_env: ACME_CANONICAL_SECRET}
    read_token_env: ACME_READ_TOKEN
    ticket_url: "https://acme.example/agent/tickets/{id}"
  globex:
    vendors:
      canonical: {secret_env: GLOBEX_CANONICAL_SECRET}
    read_token_env: GLOBEX_READ_TOKEN
"#;

fn tenants() -> Arc<Tenants> {
    let file = TenantsFile::from_yaml("tenants.yaml", TENANTS_YAML).expect("tenants file");
    let resolver = |source: &SecretSource| -> Result<String, SecretUnavailable> {
        Ok(match source {
            SecretSource::Env(name) if name == "ACME_READ_TOKEN" => ACME_TOKEN,
            SecretSource::Env(name) if name == "GLOBEX_READ_TOKEN" => GLOBEX_TOKEN,
            _ => SECRET,
        }
        .to_owned())
    };
    let vendors = resolve_tenants(&file, &resolver).expect("vendor secrets");
    let reads = sla_app::tenants::resolve_reads(&file, &resolver).expect("read tokens");
    let mut policies = TenantPolicies::new(None);
    policies.insert("acme", policy());
    policies.insert("globex", policy());
    Arc::new(Tenants::new(vendors, policies).with_reads(reads))
}

fn invocation<T>(payload: T) -> LambdaEvent<T> {
    let mut context = Context::default();
    context.request_id = "test-invocation".into();
    context.deadline = (Utc::now() + Duration::minutes(5)).timestamp_millis() as u64;
    LambdaEvent::new(payload, context)
}

/// A canonical webhook for `ticket-updated` through API Gateway, signed at `now`.
fn webhook(body: &Value, now: DateTime<Utc>) -> ApiGatewayV2httpRequest {
    let signed = signed_request(body, now);
    let mut value: Value = serde_json::from_str(WEBHOOK).expect("fixture is JSON");
    value["rawPath"] = json!("/webhooks/acme/canonical");
    value["routeKey"] = json!("POST /webhooks/{tenant}/{vendor}");
    for (name, header) in &signed.headers {
        value["headers"][name] = json!(header);
    }
    value["body"] = json!(String::from_utf8(signed.body).expect("UTF-8 body"));
    serde_json::from_value(value).expect("an API Gateway v2 request")
}

/// A `GET` of `path?query` through API Gateway, with `token` as the bearer token.
fn read(path: &str, query: &str, token: Option<&str>) -> ApiGatewayV2httpRequest {
    let mut value: Value = serde_json::from_str(READ).expect("fixture is JSON");
    value["rawPath"] = json!(path);
    value["requestContext"]["http"]["path"] = json!(path);
    value["rawQueryString"] = json!(query);
    if let Some(token) = token {
        value["headers"]["authorization"] = json!(format!("Bearer {token}"));
    }
    serde_json::from_value(value).expect("an API Gateway v2 request")
}

fn text(response: &ApiGatewayV2httpResponse) -> &str {
    match &response.body {
        Some(Body::Text(text)) => text,
        other => panic!("expected a text body, got {other:?}"),
    }
}

fn json_of(response: &ApiGatewayV2httpResponse) -> Value {
    serde_json::from_str(text(response)).expect("a JSON body")
}

fn header<'r>(response: &'r ApiGatewayV2httpResponse, name: &str) -> &'r str {
    response
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A ticket created at `at` with `priority`.
fn created(ticket: &str, at: DateTime<Utc>, priority: &str) -> Value {
    let mut body = event(ticket, &format!("{ticket}-created"), at, "created");
    body["ticket"]["priority"] = json!(priority);
    body
}

struct Stack {
    store: DynamoStore,
    calls: CallCounter,
    clock: Arc<ManualClock>,
    reads: ReadFunction<DynamoStore>,
}

impl Stack {
    async fn new() -> Self {
        let calls = CallCounter::new();
        let store = moto::fresh_store(moto::counted_dynamodb_client(&calls), 4).await;
        let clock = Arc::new(ManualClock::new(t0()));
        let service = ReadService::new(
            store.clone(),
            tenants(),
            clock.clone(),
            Some(ADMIN_TOKEN.to_owned()),
        );
        let reads = ReadFunction::new(service);
        Self {
            store,
            calls,
            clock,
            reads,
        }
    }

    async fn get(&self, path: &str, query: &str, token: Option<&str>) -> ApiGatewayV2httpResponse {
        self.reads
            .handle(invocation(read(path, query, token)))
            .await
            .expect("read-api answers")
    }

    /// Answers `GET path?query` as the admin, expecting 200, with the DynamoDB calls made.
    async fn admin_json(&self, path: &str, query: &str) -> (Value, Vec<(String, u64)>) {
        self.calls.reset();
        let response = self.get(path, query, Some(ADMIN_TOKEN)).await;
        assert_eq!(
            response.status_code, 200,
            "{path}?{query}: {:?}",
            response.body
        );
        assert_eq!(header(&response, "content-type"), "application/json");
        let calls = self.calls.snapshot().into_iter().collect();
        (json_of(&response), calls)
    }
}

/// (ticket, metric, state, at_risk) of each queue item, in order.
fn rows(queue: &Value) -> Vec<(String, String, String, bool)> {
    queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            let field = |name: &str| item[name].as_str().unwrap_or_default().to_owned();
            let at_risk = item["at_risk"].as_bool().unwrap_or_default();
            (field("ticket_id"), field("metric"), field("state"), at_risk)
        })
        .collect()
}

fn row(ticket: &str, metric: &str, state: &str, at_risk: bool) -> (String, String, String, bool) {
    (ticket.into(), metric.into(), state.into(), at_risk)
}

/// Three tickets through `ticket-updated`: two normal (first response 1 h, resolution
/// 4 h), one urgent (15 min, 1 h), warnings at 75%; T-2 answered after 20 minutes. Then
/// the sweep at 09:52 records T-1's first-response warning (09:45), T-3's first-response
/// warning and breach (09:16, 09:20) and T-3's resolution warning (09:50).
async fn ingest_and_sweep(stack: &Stack) {
    let webhooks = WebhookFunction::new(
        "ticket-updated",
        WebhookService::new(stack.store.clone(), tenants(), stack.clock.clone()),
    );
    let timeline = [
        created("T-1", t0(), "normal"),
        created("T-3", t0() + Duration::minutes(5), "urgent"),
        created("T-2", t0() + Duration::minutes(10), "normal"),
        agent_reply("T-2", "T-2-reply", t0() + Duration::minutes(30)),
    ];
    for body in &timeline {
        let at: DateTime<Utc> = body["at"].as_str().unwrap().parse().unwrap();
        stack.clock.set(at);
        let response = webhooks
            .handle(invocation(webhook(body, at)))
            .await
            .expect("ticket-updated answers");
        assert_eq!(response.status_code, 200, "{:?}", response.body);
    }
    let config = sdk_config().await;
    let (bus, _) = bus_with_rule_to_queue(&config, r#"{"source": ["sla-tracker"]}"#).await;
    let sink = EventBridgeSink::new(
        aws_sdk_eventbridge::Client::new(&config),
        bus,
        "sla-tracker",
    );
    stack.clock.set(t0() + Duration::minutes(52));
    let mut policies = TenantPolicies::new(None);
    policies.insert("acme", policy());
    let sweep = SweepFunction::new(stack.store.clone(), sink, policies, stack.clock.clone());
    let scheduler: Value = serde_json::from_str(SCHEDULER).expect("fixture is JSON");
    // No deadline in the context: the run announces what is due at `now`, without
    // waiting for what falls due later (the manual clock does not move).
    let report = sweep
        .handle(LambdaEvent::new(scheduler, Context::default()))
        .await
        .expect("sweep");
    // T-2's met, T-3's first-response warning and breach, T-1's and T-3's warnings.
    assert_eq!((report.published, report.failed), (5, 0), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_and_sweep_then_queue_summary_and_ticket_through_read_api() {
    let stack = Stack::new().await;
    ingest_and_sweep(&stack).await;
    queue_in_deadline_order(&stack).await;
    queue_filters_and_pages(&stack).await;
    summary_of_today(&stack).await;
    ticket_with_explanation(&stack).await;
}

/// Every open cycle by deadline, breached first; queries, never a scan.
async fn queue_in_deadline_order(stack: &Stack) {
    let (queue, calls) = stack.admin_json("/tenants/acme/queue", "").await;
    assert_eq!(queue["tenant"], "acme");
    assert_eq!(queue["as_of"], "2026-11-02T09:52:00Z");
    assert_eq!(
        rows(&queue),
        [
            row("T-3", "first_response", "breached", false),
            row("T-1", "first_response", "running", true),
            row("T-3", "resolution", "running", true),
            row("T-1", "resolution", "running", false),
            row("T-2", "resolution", "running", false),
        ]
    );
    let breached = &queue["items"][0];
    assert_eq!(breached["deadline"], "2026-11-02T09:20:00Z");
    assert_eq!(breached["business_seconds_left"], -32 * 60);
    assert_eq!(breached["priority"], "urgent");
    assert_eq!(breached["url"], "https://acme.example/agent/tickets/T-3");
    assert_eq!(queue["items"][1]["wall_seconds_left"], 8 * 60);
    assert_eq!(queue["next_cursor"], Value::Null);
    assert_eq!(
        calls,
        [("Query".to_owned(), METRICS.len() as u64)],
        "one query per metric's queue index"
    );
}

/// Filters and paging, through the query string.
async fn queue_filters_and_pages(stack: &Stack) {
    let (at_risk, _) = stack
        .admin_json("/tenants/acme/queue", "state=at_risk")
        .await;
    let ids: Vec<_> = rows(&at_risk).into_iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(
        ids,
        [
            ("T-1".into(), "first_response".into()),
            ("T-3".into(), "resolution".into())
        ]
    );
    let first = "metric=first_response&limit=1";
    let (page, calls) = stack.admin_json("/tenants/acme/queue", first).await;
    assert_eq!(
        rows(&page),
        [row("T-3", "first_response", "breached", false)]
    );
    assert_eq!(calls, [("Query".to_owned(), 1)], "one index for one metric");
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let (rest, _) = stack
        .admin_json("/tenants/acme/queue", &format!("{first}&cursor={cursor}"))
        .await;
    assert_eq!(rows(&rest), [row("T-1", "first_response", "running", true)]);
    let bad = stack
        .get("/tenants/acme/queue", "within=soon", Some(ADMIN_TOKEN))
        .await;
    assert_eq!(bad.status_code, 400);
    assert!(text(&bad).contains("within"), "{}", text(&bad));
}

/// Open counts now, outcomes of today: T-2's first response met.
async fn summary_of_today(stack: &Stack) {
    let (summary, calls) = stack
        .admin_json("/tenants/acme/summary", "period=today")
        .await;
    assert_eq!(
        (&summary["tenant"], &summary["period"]),
        (&json!("acme"), &json!("today"))
    );
    let totals = &summary["totals"];
    let counts: Vec<&Value> = ["running", "at_risk", "breached_open", "met", "breached"]
        .iter()
        .map(|name| &totals[*name])
        .collect();
    assert_eq!(
        counts,
        [&json!(4), &json!(2), &json!(1), &json!(1), &json!(0)],
        "{summary:#}"
    );
    assert_eq!(totals["met_percent"], 100.0);
    assert_eq!(
        calls,
        [("Query".to_owned(), METRICS.len() as u64 + 1)],
        "the queue indexes and the completion index"
    );
}

/// One ticket, under the tenant and by the old alias, behind a stage prefix too.
async fn ticket_with_explanation(stack: &Stack) {
    let (ticket, calls) = stack.admin_json("/tenants/acme/tickets/T-3", "").await;
    assert_eq!(ticket["url"], "https://acme.example/agent/tickets/T-3");
    assert!(ticket["explanation"]
        .as_array()
        .is_some_and(|e| !e.is_empty()));
    assert_eq!(calls, [("GetItem".to_owned(), 1)], "a ticket is one read");
    let (alias, _) = stack.admin_json("/prod/tickets/acme/T-3", "").await;
    assert_eq!(alias, ticket);
    let missing = stack
        .get("/tenants/acme/tickets/T-404", "", Some(ADMIN_TOKEN))
        .await;
    assert_eq!(missing.status_code, 404);
}

/// DynamoDB's size of an item (what read units are charged on): attribute names plus
/// values (strings and binaries by length, numbers about one byte per two digits).
fn item_bytes(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(name, value)| {
            name.len()
                + match value {
                    AttributeValue::S(s) => s.len(),
                    AttributeValue::N(n) => n.len() / 2 + 1,
                    AttributeValue::B(b) => b.as_ref().len(),
                    other => panic!("{name}: unexpected attribute {other:?}"),
                }
        })
        .sum()
}

/// The sizes of the items of `index` whose partition key `pk` is `value`.
async fn index_item_sizes(store: &DynamoStore, index: &str, pk: &str, value: &str) -> Vec<usize> {
    let output = store
        .client()
        .query()
        .table_name(store.table_name())
        .index_name(index)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", pk)
        .expression_attribute_values(":pk", AttributeValue::S(value.to_owned()))
        .send()
        .await
        .expect("Query");
    output.items().iter().map(item_bytes).collect()
}

/// The read indexes' items are small: a queue page of 100 rows from one index is at most
/// 101 x 1 KB, 13 read units (eventually consistent, 4 KB each, half a unit), whatever the
/// ticket's history. Prints the sizes (docs/deploy-aws.md, cost of the read API).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_index_items_are_small() {
    let stack = Stack::new().await;
    ingest_and_sweep(&stack).await;
    let mut queue: Vec<usize> = Vec::new();
    for metric in METRICS {
        let (pk, _, _) = slot_attributes(metric);
        let index = queue_index(metric);
        queue.extend(index_item_sizes(&stack.store, &index, &pk, "QUEUE#acme").await);
    }
    let done = index_item_sizes(&stack.store, DONE_INDEX, attr::DONE_PK, "DONE#acme").await;
    assert_eq!(
        (queue.len(), done.len()),
        (5, 1),
        "open cycles; T-2's completion"
    );
    let max = queue.iter().max().copied().unwrap_or_default();
    let mean = queue.iter().sum::<usize>() / queue.len();
    eprintln!(
        "queue index items: {} rows, mean {mean} B, max {max} B",
        queue.len()
    );
    eprintln!("done-index items: {done:?} B");
    assert!(max <= 1024, "queue index items up to {max} B");
    assert!(
        done.iter().all(|b| *b <= 4096),
        "done-index items {done:?} B"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_read_only_their_tenant() {
    let stack = Stack::new().await;
    let queue = "/tenants/acme/queue";
    for (token, status) in [
        (Some(ADMIN_TOKEN), 200),
        (Some(ACME_TOKEN), 200),
        (Some(GLOBEX_TOKEN), 401),
        (Some("wrong"), 401),
        (None, 401),
    ] {
        let response = stack.get(queue, "", token).await;
        assert_eq!(
            response.status_code, status,
            "{token:?}: {:?}",
            response.body
        );
        if status == 401 {
            assert_eq!(header(&response, "www-authenticate"), "Bearer");
            assert!(json_of(&response)["error"].is_string());
        }
    }
    let globex = stack
        .get("/tenants/globex/summary", "", Some(ACME_TOKEN))
        .await;
    assert_eq!(globex.status_code, 401, "acme's token never reads globex");
    let ticket = stack.get("/tickets/globex/T-1", "", Some(ACME_TOKEN)).await;
    assert_eq!(ticket.status_code, 401);
    let own = stack
        .get("/tenants/globex/queue", "", Some(GLOBEX_TOKEN))
        .await;
    assert_eq!(own.status_code, 200);
    assert_eq!(json_of(&own)["items"], json!([]));
    let unknown = stack
        .get("/tenants/initech/queue", "", Some(ADMIN_TOKEN))
        .await;
    assert_eq!(unknown.status_code, 404);
    let mut post = read(queue, "", Some(ADMIN_TOKEN));
    post.request_context.http.method = aws_lambda_events::http::Method::POST;
    let response = stack
        .reads
        .handle(invocation(post))
        .await
        .expect("read-api answers");
    assert_eq!(response.status_code, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_page_and_assets_are_served_without_a_token() {
    let stack = Stack::new().await;
    let page = stack.get("/dashboard/acme", "", None).await;
    assert_eq!(page.status_code, 200, "{:?}", page.body);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert!(!page.is_base64_encoded);
    assert!(text(&page).contains("<html"), "{}", text(&page));
    assert!(header(&page, "content-security-policy").contains("default-src 'self'"));
    for (asset, content_type) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ] {
        let response = stack
            .get(&format!("/dashboard/assets/{asset}"), "", None)
            .await;
        assert_eq!(response.status_code, 200, "{asset}");
        assert_eq!(header(&response, "content-type"), content_type, "{asset}");
        let expected = sla_dashboard::asset(asset).expect("a known asset").body;
        assert_eq!(
            text(&response).as_bytes(),
            expected,
            "{asset}: served as text"
        );
    }
    let unknown = stack.get("/dashboard/initech", "", None).await;
    assert_eq!(unknown.status_code, 404);
    let missing = stack.get("/dashboard/assets/nope.js", "", None).await;
    assert_eq!(missing.status_code, 404);
}

/// An environment, as `read_function_from` reads it.
type Env = Box<dyn Fn(&str) -> Option<String>>;

fn env(pairs: &[(&str, String)]) -> Env {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Box::new(move |name| map.get(name).cloned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_api_starts_from_environment_with_read_tokens_only() {
    let aws = sdk_config().await;
    let admin_secret = unique_name("sla-tracker-read/admin");
    let globex_secret = unique_name("sla-tracker-read/globex");
    let acme_param = format!("/{}/acme", unique_name("sla-tracker-read"));
    create_secret(&aws, &admin_secret, ADMIN_TOKEN).await;
    create_secret(&aws, &globex_secret, GLOBEX_TOKEN).await;
    put_secure_parameter(&aws, &acme_param, ACME_TOKEN).await;
    let table = unique_name("read-api");
    sla_store::dynamodb::create_table(&aws_sdk_dynamodb::Client::new(&aws), &table)
        .await
        .expect("create table");

    // The webhook secrets named here do not exist: read-api never fetches them.
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    std::fs::write(dir.join("policy.yaml"), POLICY_YAML).expect("policy file");
    let tenants = dir.join("tenants.yaml");
    let write_tenants = |globex_token: &str| {
        let yaml = format!(
            "tenants:\n  acme:\n    vendors:\n      canonical: {{secret_arn: sla-tracker/acme/canonical}}\n    \
             read_token_ssm: {acme_param}\n  globex:\n    vendors:\n      \
             zendesk: {{secret_ssm: /sla-tracker/globex/zendesk}}\n    read_token_arn: {globex_token}\n  \
             initech:\n    vendors:\n      canonical: {{secret_env: INITECH_UNSET_SECRET}}\n"
        );
        std::fs::write(&tenants, yaml).expect("tenants file");
    };
    write_tenants(&globex_secret);
    let base = vec![
        ("SLA_TABLE_NAME", table.clone()),
        ("SLA_TENANTS_FILE", tenants.display().to_string()),
        (
            "SLA_POLICY_FILE",
            dir.join("policy.yaml").display().to_string(),
        ),
        ("SLA_DUE_SHARDS", "4".to_owned()),
    ];
    let with = |extra: &[(&'static str, String)]| {
        let mut pairs = base.clone();
        pairs.extend_from_slice(extra);
        env(&pairs)
    };

    // No admin token: refused, naming both variables.
    let err = read_function_from(&*with(&[]), &aws)
        .await
        .err()
        .expect("no admin token");
    assert_eq!(
        err.to_string(),
        "environment variable SLA_READ_TOKEN_ARN: is required (or SLA_READ_TOKEN): the read API needs an admin token"
    );
    // No table: refused, naming it.
    let no_table = env(&[
        ("SLA_TENANTS_FILE", tenants.display().to_string()),
        ("SLA_READ_TOKEN", ADMIN_TOKEN.to_owned()),
    ]);
    let err = read_function_from(&*no_table, &aws)
        .await
        .err()
        .expect("no table");
    assert_eq!(
        err.to_string(),
        "environment variable SLA_TABLE_NAME: is required but not set"
    );
    // An admin secret that does not exist.
    let missing = with(&[("SLA_READ_TOKEN_ARN", "sla-tracker-read/nope".to_owned())]);
    let err = read_function_from(&*missing, &aws)
        .await
        .err()
        .expect("missing secret");
    assert!(
        err.to_string().starts_with(
            "environment variable SLA_READ_TOKEN_ARN: cannot read secret sla-tracker-read/nope: Secrets Manager"
        ),
        "{err}"
    );

    // Everything set: starts, and each token reads what it may.
    let function = read_function_from(
        &*with(&[("SLA_READ_TOKEN_ARN", admin_secret.clone())]),
        &aws,
    )
    .await
    .expect("read-api starts");
    for (path, token, status) in [
        ("/tenants/acme/queue", ADMIN_TOKEN, 200),
        ("/tenants/acme/queue", ACME_TOKEN, 200),
        ("/tenants/globex/queue", GLOBEX_TOKEN, 200),
        ("/tenants/globex/queue", ACME_TOKEN, 401),
        ("/tenants/acme/queue", "wrong", 401),
        ("/tenants/initech/queue", ADMIN_TOKEN, 200),
        ("/tenants/initech/queue", ACME_TOKEN, 401),
    ] {
        let response = function
            .handle(invocation(read(path, "", Some(token))))
            .await
            .expect("read-api answers");
        assert_eq!(response.status_code, status, "{path} {token}");
    }

    // A tenant read token that cannot be read stops start-up, naming the field.
    write_tenants("sla-tracker-read/no-such-token");
    let err = read_function_from(
        &*with(&[("SLA_READ_TOKEN_ARN", admin_secret.clone())]),
        &aws,
    )
    .await
    .err()
    .expect("missing tenant token");
    let text = err.to_string();
    assert!(
        text.starts_with("tenants.globex.read_token: cannot read secret secret_arn sla-tracker-read/no-such-token"),
        "{text}"
    );
}
