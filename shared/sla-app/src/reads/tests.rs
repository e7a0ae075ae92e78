//! ReadService over a MemoryStore: tickets ingested at 09:40, then read back.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sla_core::{PolicySet, TicketEvent};
use sla_helpdesk::{resolve_tenants, SecretSource, SecretUnavailable, TenantsFile};
use sla_store::MemoryStore;

use super::*;
use crate::clock::ManualClock;
use crate::ingest::{ingest, IngestSettings};
use crate::policies::TenantPolicies;
use crate::tenants::resolve_reads;

const POLICY: &str = r#"
policies:
  - name: standard
    calendar: 24x7
    warn_at: ["50%"]
    pause: {resolution: [pending]}
    targets:
      high: {first_response: 1h, resolution: 8h}
"#;

const TENANTS: &str = r#"
tenants:
  acme:
    vendors:
      canonical: {secret_env: ACME_WEBHOOK}
    read_token_env: ACME_READ
    ticket_url: "https://acme.example/agent/tickets/{id}"
  globex:
    vendors:
      canonical: {secret_env: GLOBEX_WEBHOOK}
    read_token_env: GLOBEX_READ
"#;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn tenants() -> Arc<Tenants> {
    let file = TenantsFile::from_yaml("tenants.yaml", TENANTS).unwrap();
    let resolver = |source: &SecretSource| -> Result<String, SecretUnavailable> {
        Ok(match source {
            SecretSource::Env(name) if name == "ACME_READ" => "acme-secret".into(),
            SecretSource::Env(name) if name == "GLOBEX_READ" => "globex-secret".into(),
            _ => "webhook-secret".into(),
        })
    };
    let policies = PolicySet::from_yaml("policy.yaml", POLICY).unwrap();
    let table = TenantPolicies::new(Some(Arc::new(policies)));
    let vendors = resolve_tenants(&file, &resolver).unwrap();
    let reads = resolve_reads(&file, &resolver).unwrap();
    Arc::new(Tenants::new(vendors, table).with_reads(reads))
}

fn created(id: &str, at: &str, group: &str, status: &str) -> TicketEvent {
    serde_json::from_value(json!({
        "tenant": "acme", "ticket_id": id, "event_id": format!("{id}-c"), "at": at,
        "kind": "created",
        "ticket": {"status": status, "priority": "high", "group": group, "assignee": "ana"}
    }))
    .unwrap()
}

/// T2 breached its first response at 09:30; T1 is at risk (deadline 10:00); T3's
/// first response runs until 10:10 and its resolution is paused (pending).
async fn service() -> ReadService<MemoryStore> {
    let now = at("2026-11-30T09:40:00Z");
    let tenants = tenants();
    let store = MemoryStore::new();
    let events = vec![
        created("T1", "2026-11-30T09:00:00Z", "tier1", "open"),
        created("T2", "2026-11-30T08:30:00Z", "tier1", "open"),
        created("T3", "2026-11-30T09:10:00Z", "tier2", "pending"),
    ];
    let policies = tenants.policies("acme").unwrap();
    ingest(&store, policies, events, now, &IngestSettings::default())
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(now));
    ReadService::new(store, tenants, clock, Some("root".into()))
}

async fn get(service: &ReadService<MemoryStore>, path_and_query: &str, token: &str) -> ReadReply {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let request = ReadRequest {
        method: "GET".into(),
        path: path.into(),
        query: query.into(),
        headers: vec![("Authorization".into(), format!("Bearer {token}"))],
    };
    service.handle(&request).await
}

async fn ok(service: &ReadService<MemoryStore>, path_and_query: &str) -> Value {
    let reply = get(service, path_and_query, "root").await;
    assert_eq!(
        reply.status,
        200,
        "{path_and_query}: {:?}",
        reply.json_body()
    );
    reply.json_body().unwrap()
}

/// `ticket/metric[/state]` of each queue item.
fn rows(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}/{}/{}",
                i["ticket_id"].as_str().unwrap(),
                i["metric"].as_str().unwrap(),
                i["state"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn the_queue_lists_open_cycles_breached_first_paused_last() {
    let service = service().await;
    let body = ok(&service, "/tenants/acme/queue").await;
    assert_eq!(
        rows(&body),
        [
            "T2/first_response/breached",
            "T1/first_response/running",
            "T3/first_response/running",
            "T2/resolution/running",
            "T1/resolution/running",
            "T3/resolution/paused",
        ]
    );
    assert_eq!(body["as_of"], "2026-11-30T09:40:00Z");
    assert_eq!(body["next_cursor"], Value::Null);
    let first = &body["items"][1];
    assert_eq!(first["deadline"], "2026-11-30T10:00:00Z");
    assert_eq!(first["wall_seconds_left"], 1200);
    assert_eq!(first["business_seconds_left"], 1200);
    assert_eq!(first["percent_used"], 66.7);
    assert_eq!(first["at_risk"], true);
    assert_eq!(first["group"], "tier1");
    assert_eq!(first["url"], "https://acme.example/agent/tickets/T1");
    let breached = &body["items"][0];
    assert_eq!(breached["business_seconds_left"], -600);
    let paused = &body["items"][5];
    assert_eq!(
        (&paused["deadline"], &paused["wall_seconds_left"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(
        paused["business_seconds_left"],
        8 * 3600,
        "pending since creation"
    );
}

#[tokio::test]
async fn filters_narrow_the_queue() {
    let service = service().await;
    let cases = [
        (
            "metric=first_response",
            vec![
                "T2/first_response/breached",
                "T1/first_response/running",
                "T3/first_response/running",
            ],
        ),
        ("state=breached", vec!["T2/first_response/breached"]),
        ("state=paused", vec!["T3/resolution/paused"]),
        (
            "state=at_risk",
            vec!["T1/first_response/running", "T3/first_response/running"],
        ),
        (
            "state=running&metric=resolution",
            vec!["T2/resolution/running", "T1/resolution/running"],
        ),
        (
            "group=tier2",
            vec!["T3/first_response/running", "T3/resolution/paused"],
        ),
        (
            "within=30m",
            vec![
                "T2/first_response/breached",
                "T1/first_response/running",
                "T3/first_response/running",
            ],
        ),
        (
            "state=running&within=25m",
            vec!["T1/first_response/running"],
        ),
        ("assignee=bob", vec![]),
        ("organization=globex", vec![]),
    ];
    for (query, expected) in cases {
        let body = ok(&service, &format!("/tenants/acme/queue?{query}")).await;
        assert_eq!(rows(&body), expected, "{query}");
    }
}

#[tokio::test]
async fn pages_follow_the_cursor_to_the_end() {
    let service = service().await;
    let all = rows(&ok(&service, "/tenants/acme/queue").await);
    let mut seen = Vec::new();
    let mut query = "limit=4".to_string();
    for _ in 0..3 {
        let body = ok(&service, &format!("/tenants/acme/queue?{query}")).await;
        seen.extend(rows(&body));
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                let cursor: String = form_urlencoded::byte_serialize(cursor.as_bytes()).collect();
                query = format!("limit=4&cursor={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(seen, all);
}

#[tokio::test]
async fn tokens_read_their_own_tenant_only() {
    let service = service().await;
    assert_eq!(
        get(&service, "/tenants/acme/queue", "acme-secret")
            .await
            .status,
        200
    );
    assert_eq!(
        get(&service, "/tenants/acme/queue", "root").await.status,
        200
    );
    let refused = get(&service, "/tenants/acme/queue", "globex-secret").await;
    assert_eq!(refused.status, 401);
    assert!(refused
        .headers
        .contains(&("WWW-Authenticate".into(), "Bearer".into())));
    assert_eq!(
        get(&service, "/tenants/globex/summary", "acme-secret")
            .await
            .status,
        401
    );
    assert_eq!(get(&service, "/tickets/acme/T1", "wrong").await.status, 401);
    let anonymous = ReadRequest {
        method: "GET".into(),
        path: "/tenants/acme/queue".into(),
        ..ReadRequest::default()
    };
    let reply = service.handle(&anonymous).await;
    assert_eq!(reply.status, 401);
    assert!(!String::from_utf8_lossy(&reply.body).contains("secret"));
    let unknown = get(&service, "/tenants/initech/queue", "acme-secret").await;
    assert_eq!(unknown.status, 401, "unknown tenants need the admin token");
    assert_eq!(
        get(&service, "/tenants/initech/queue", "root").await.status,
        404
    );
}

#[tokio::test]
async fn bad_parameters_and_methods_are_refused_by_name() {
    let service = service().await;
    let cases = [
        ("/tenants/acme/queue?limit=0", "limit"),
        ("/tenants/acme/queue?limit=x", "limit"),
        ("/tenants/acme/queue?metric=speed", "metric"),
        ("/tenants/acme/queue?state=late", "state"),
        ("/tenants/acme/queue?within=soon", "within"),
        ("/tenants/acme/queue?cursor=abc", "cursor"),
        ("/tenants/acme/summary?period=year", "period"),
        ("/tenants/acme/summary?timezone=Mars/Base", "timezone"),
    ];
    for (path, name) in cases {
        let reply = get(&service, path, "root").await;
        assert_eq!(reply.status, 400, "{path}");
        let message = reply.json_body().unwrap()["error"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.starts_with(name), "{path}: {message}");
    }
    let post = ReadRequest {
        method: "POST".into(),
        path: "/tenants/acme/queue".into(),
        ..ReadRequest::default()
    };
    assert_eq!(service.handle(&post).await.status, 405);
    assert_eq!(
        get(&service, "/tenants/acme/nothing", "root").await.status,
        404
    );
    assert_eq!(get(&service, "/tickets/acme/T9", "root").await.status, 404);
}

#[tokio::test]
async fn the_ticket_route_explains_each_clock() {
    let service = service().await;
    for path in ["/tenants/acme/tickets/T1", "/prod/tickets/acme/T1"] {
        let body = ok(&service, path).await;
        assert_eq!(body["ticket_id"], "T1");
        assert_eq!(body["url"], "https://acme.example/agent/tickets/T1");
        let explanation = body["explanation"].as_array().unwrap();
        assert_eq!(explanation.len(), body["clocks"].as_array().unwrap().len());
        let lines: Vec<&str> = explanation[0]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert!(
            lines.iter().any(|l| l.ends_with("warning at 50%")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("deadline: 2026-11-30T10:00:00Z")),
            "{lines:?}"
        );
    }
}

#[tokio::test]
async fn the_summary_counts_open_cycles_per_metric_and_priority() {
    let service = service().await;
    let body = ok(
        &service,
        "/tenants/acme/summary?period=7d&timezone=Europe/Paris",
    )
    .await;
    assert_eq!(body["timezone"], "Europe/Paris");
    assert_eq!(body["from"], "2026-11-23T09:40:00Z");
    let rows = body["rows"].as_array().unwrap();
    let first = rows
        .iter()
        .find(|r| r["metric"] == "first_response")
        .unwrap();
    assert_eq!(
        (
            &first["priority"],
            &first["running"],
            &first["at_risk"],
            &first["breached_open"]
        ),
        (&json!("high"), &json!(2), &json!(2), &json!(1))
    );
    assert_eq!(first["met_percent"], Value::Null);
    let totals = &body["totals"];
    assert_eq!(
        (&totals["running"], &totals["paused"]),
        (&json!(4), &json!(1))
    );
}

#[tokio::test]
async fn the_dashboard_page_and_assets_need_no_token_and_carry_a_csp() {
    let service = service().await;
    let anonymous = |path: &str| ReadRequest {
        method: "GET".into(),
        path: path.into(),
        ..ReadRequest::default()
    };
    let page = service.handle(&anonymous("/dashboard/acme")).await;
    assert_eq!(page.status, 200);
    let slash = service.handle(&anonymous("/prod/dashboard/acme/")).await;
    assert_eq!(slash.status, 308);
    assert!(slash
        .headers
        .contains(&("Location".to_string(), "../acme".to_string())));
    assert!(page.content_type.starts_with("text/html"));
    assert!(String::from_utf8_lossy(&page.body).contains("acme"));
    let csp = page
        .headers
        .iter()
        .find(|(name, _)| name == "Content-Security-Policy")
        .map(|(_, value)| value.as_str());
    assert_eq!(csp, Some(sla_dashboard::CONTENT_SECURITY_POLICY));
    let script = service
        .handle(&anonymous("/prod/dashboard/assets/app.js"))
        .await;
    assert_eq!(
        (script.status, script.content_type.as_str()),
        (200, "text/javascript; charset=utf-8")
    );
    assert_eq!(
        service
            .handle(&anonymous("/dashboard/assets/nope.js"))
            .await
            .status,
        404
    );
    assert_eq!(
        service
            .handle(&anonymous("/dashboard/initech"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_late_reply_leaves_the_queue_and_counts_as_breached_in_the_summary() {
    let service = service().await;
    let reply: TicketEvent = serde_json::from_value(json!({
        "tenant": "acme", "ticket_id": "T2", "event_id": "T2-r", "at": "2026-11-30T09:38:00Z",
        "kind": "comment", "ticket": {}, "comment": {"author": "agent", "public": true}
    }))
    .unwrap();
    let now = at("2026-11-30T09:40:00Z");
    let policies = service.tenants.policies("acme").unwrap();
    ingest(
        service.store(),
        policies,
        vec![reply],
        now,
        &IngestSettings::default(),
    )
    .await
    .unwrap();
    let body = ok(&service, "/tenants/acme/queue?metric=first_response").await;
    assert_eq!(
        rows(&body),
        ["T1/first_response/running", "T3/first_response/running"]
    );
    let summary = ok(&service, "/tenants/acme/summary?period=today").await;
    let first = summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "first_response")
        .unwrap();
    assert_eq!((&first["met"], &first["breached"]), (&json!(0), &json!(1)));
    assert_eq!(first["met_percent"], 0.0);
    assert_eq!(first["breached_open"], 0);
}
