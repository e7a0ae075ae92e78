//! What the no-panic property tests and the cargo-fuzz targets do with an arbitrary body
//! (feature `fuzzing`, for tests only).

use chrono::{DateTime, Utc};

use crate::{
    parse_unverified, verify_and_parse, Mapping, Secret, Vendor, VendorConfig, WebhookRequest,
};

/// Headers of every vendor, so each verifier reaches its HMAC and each parser its body.
const HEADERS: &[(&str, &str)] = &[
    ("X-HelpScout-Event", "convo.agent.reply.created"),
    (
        "X-Zendesk-Webhook-Signature-Timestamp",
        "2025-01-01T00:00:00Z",
    ),
    ("X-Zendesk-Webhook-Signature", "AAAA"),
    ("X-Hub-Signature", "sha1=00"),
    ("X-Front-Request-Timestamp", "1735689600000"),
    ("X-Front-Signature", "AAAA"),
    ("X-HubSpot-Request-Timestamp", "1735689600000"),
    ("X-HubSpot-Signature-v3", "AAAA"),
    ("X-Sla-Timestamp", "1735689600"),
    ("X-Sla-Signature", "v1=00"),
    ("Authorization", "Basic Og=="),
];

/// HubSpot's older signature headers, without the v3 one, so its v1/v2 verifier runs.
const HUBSPOT_LEGACY_HEADERS: &[(&str, &str)] = &[
    ("X-HubSpot-Signature", "00"),
    ("X-HubSpot-Signature-Version", "v2"),
];

/// Runs `vendor`'s parser and its verify-then-parse path on `body`; results are ignored,
/// only a panic matters.
pub fn exercise(vendor: Vendor, body: &[u8]) {
    let now = DateTime::<Utc>::from_timestamp(1_735_689_600, 0).unwrap_or_default();
    let headers: Vec<(String, String)> = HEADERS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let request = WebhookRequest {
        method: "POST",
        uri: "https://sla.example.com/webhooks/acme/x%3Fy",
        headers: &headers,
        body,
    };
    let _ = parse_unverified(vendor, "acme", &Mapping::default(), &request, now);
    let config = VendorConfig::new(Secret::new("fuzz-secret"));
    let _ = verify_and_parse(vendor, "acme", &config, &request, now);
    if vendor == Vendor::Hubspot {
        let legacy: Vec<(String, String)> = HUBSPOT_LEGACY_HEADERS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let request = WebhookRequest {
            headers: &legacy,
            ..request
        };
        let _ = verify_and_parse(vendor, "acme", &config, &request, now);
    }
}
