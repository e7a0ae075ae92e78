//! Tenant binding end to end (issue 10): a genuine HubSpot delivery (v1 signature) for
//! another portal is refused with 403 by the whole `WebhookService` and nothing is stored;
//! the same delivery for the tenant's own portal is ingested.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use sla_app::{HttpRequest, ManualClock, Route, Tenants, WebhookService};
use sla_helpdesk::{resolve_tenants, SecretSource, SecretUnavailable, TenantsFile};
use sla_store::MemoryStore;
use sla_tests::fixtures::{policies, t0, TENANT};

const SECRET: &str = "hubspot-client-secret";

fn tenants(account: &str) -> Arc<Tenants> {
    let yaml = format!(
        "tenants:\n  {TENANT}:\n    vendors:\n      hubspot: {{secret_env: HUBSPOT, account: '{account}'}}\n"
    );
    let file = TenantsFile::from_yaml("tenants.yaml", &yaml).expect("valid tenants file");
    let resolver =
        |_: &SecretSource| -> Result<String, SecretUnavailable> { Ok(SECRET.to_string()) };
    let vendors = resolve_tenants(&file, &resolver).expect("secrets resolve");
    Arc::new(Tenants::new(vendors, policies()))
}

/// A ticket creation from portal 62515, signed v1: hex SHA-256 of secret + body.
fn delivery() -> HttpRequest {
    let body = format!(
        r#"[{{"eventId":1,"subscriptionId":2,"portalId":62515,"occurredAt":{},"subscriptionType":"ticket.creation","objectId":7001}}]"#,
        t0().timestamp_millis()
    )
    .into_bytes();
    let mut digest = Sha256::new();
    digest.update(SECRET.as_bytes());
    digest.update(&body);
    HttpRequest {
        method: "POST".into(),
        uri: format!("https://sla.example.com/webhooks/{TENANT}/hubspot"),
        headers: vec![
            ("X-HubSpot-Signature".into(), hex::encode(digest.finalize())),
            ("X-HubSpot-Signature-Version".into(), "v1".into()),
        ],
        body,
    }
}

async fn answer(account: &str) -> (u16, serde_json::Value, usize) {
    let clock = Arc::new(ManualClock::new(t0()));
    let service = WebhookService::new(MemoryStore::new(), tenants(account), clock);
    let route = Route {
        tenant: TENANT.into(),
        vendor: "hubspot".into(),
        created: false,
    };
    let reply = service.handle(&route, &delivery()).await;
    (reply.status, reply.body, service.store().len())
}

#[tokio::test]
async fn another_portals_delivery_is_403_and_stores_nothing() {
    let (status, body, stored) = answer("70000").await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("[0].portalId")),
        "{body}"
    );
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn the_tenants_own_portal_is_ingested() {
    let (status, body, stored) = answer("62515").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 1, "{body}");
    assert_eq!(stored, 1);
}
