//! A small tenant, policy and ticket timeline, and signed canonical webhooks.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use sla_app::{HttpRequest, Route, TenantPolicies, Tenants};
use sla_core::PolicySet;
use sla_helpdesk::{resolve_tenants, SecretSource, SecretUnavailable, TenantsFile};

/// The tenant every scenario uses.
pub const TENANT: &str = "acme";
/// Its canonical-webhook signing secret.
pub const SECRET: &str = "test-signing-secret";

/// A 24x7 policy: normal first response 1h, next response 30m, resolution 4h; warnings
/// at 75%.
pub const POLICY_YAML: &str = r#"
policies:
  - name: standard
    when: {}
    calendar: 24x7
    targets:
      normal: {first_response: 1h, next_response: 30m, resolution: 4h}
      urgent: {first_response: 15m, resolution: 1h}
    warn_at: ["75%"]
"#;

/// Monday 2026-11-02 09:00 UTC: where timelines start.
pub fn t0() -> DateTime<Utc> {
    "2026-11-02T09:00:00Z".parse().expect("valid instant")
}

/// The compiled test policy.
pub fn policy() -> Arc<PolicySet> {
    Arc::new(PolicySet::from_yaml("test-policy.yaml", POLICY_YAML).expect("test policy is valid"))
}

/// The tenant configuration: `acme` accepts canonical webhooks signed with [`SECRET`].
pub fn tenants() -> Arc<Tenants> {
    let yaml = format!(
        "tenants:\n  {TENANT}:\n    vendors:\n      canonical: {{secret_env: ACME_CANONICAL_SECRET}}\n      jira: {{secret_env: ACME_JIRA_SECRET}}\n"
    );
    let file = TenantsFile::from_yaml("tenants.yaml", &yaml).expect("test tenants file is valid");
    let resolver =
        |_: &SecretSource| -> Result<String, SecretUnavailable> { Ok(SECRET.to_string()) };
    let vendors = resolve_tenants(&file, &resolver).expect("secrets resolve");
    Arc::new(Tenants::new(vendors, policies()))
}

/// The tenant → policy table.
pub fn policies() -> TenantPolicies {
    let mut table = TenantPolicies::new(None);
    table.insert(TENANT, policy());
    table
}

/// A canonical event as JSON.
pub fn event(ticket: &str, id: &str, at: DateTime<Utc>, kind: &str) -> serde_json::Value {
    let mut value = json!({
        "tenant": TENANT,
        "ticket_id": ticket,
        "event_id": id,
        "at": at.to_rfc3339(),
        "kind": kind,
        "ticket": {"status": "open", "priority": "normal"},
    });
    if kind == "created" {
        value["ticket"]["status"] = json!("new");
    }
    value
}

/// A public agent reply.
pub fn agent_reply(ticket: &str, id: &str, at: DateTime<Utc>) -> serde_json::Value {
    let mut value = event(ticket, id, at, "comment");
    value["comment"] = json!({"author": "agent", "public": true});
    value
}

/// A status change.
pub fn status_change(ticket: &str, id: &str, at: DateTime<Utc>, status: &str) -> serde_json::Value {
    let mut value = event(ticket, id, at, "updated");
    value["ticket"]["status"] = json!(status);
    value
}

/// A ticket's timeline: created, replied after 30 minutes, solved after 2 hours.
pub fn timeline(ticket: &str) -> Vec<serde_json::Value> {
    vec![
        event(ticket, &format!("{ticket}-1"), t0(), "created"),
        agent_reply(ticket, &format!("{ticket}-2"), t0() + Duration::minutes(30)),
        status_change(
            ticket,
            &format!("{ticket}-3"),
            t0() + Duration::hours(2),
            "solved",
        ),
    ]
}

/// A canonical webhook carrying `body`, signed at `now` as the tracker expects.
pub fn signed_request(body: &serde_json::Value, now: DateTime<Utc>) -> HttpRequest {
    let body = body.to_string().into_bytes();
    let timestamp = now.timestamp().to_string();
    HttpRequest {
        method: "POST".into(),
        uri: format!("https://sla.example.com/webhooks/{TENANT}/canonical"),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-sla-timestamp".into(), timestamp.clone()),
            ("x-sla-signature".into(), signature(&timestamp, &body)),
        ],
        body,
    }
}

/// `v1=<hex HMAC-SHA256(secret, timestamp "." body)>`.
pub fn signature(timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A Jira "issue created" webhook at `at` (Jira signs no timestamp), signed with
/// [`SECRET`] as Jira does (`X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>`).
pub fn jira_issue_created(issue_id: &str, at: DateTime<Utc>) -> HttpRequest {
    let body = json!({
        "timestamp": at.timestamp_millis(),
        "webhookEvent": "jira:issue_created",
        "user": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "customer"},
        "issue": {"id": issue_id, "key": format!("SUP-{issue_id}"), "fields": {
            "created": at.to_rfc3339(),
            "status": {"name": "Waiting for support", "statusCategory": {"key": "indeterminate"}},
            "priority": {"name": "Medium"},
            "project": {"key": "SUP"},
            "reporter": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "customer"}
        }}
    })
    .to_string()
    .into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(&body);
    HttpRequest {
        method: "POST".into(),
        uri: format!("https://sla.example.com/webhooks/{TENANT}/jira"),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            (
                "x-hub-signature".into(),
                format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
            ),
        ],
        body,
    }
}

/// The canonical route for [`TENANT`].
pub fn route(created: bool) -> Route {
    Route {
        tenant: TENANT.into(),
        vendor: "canonical".into(),
        created,
    }
}
