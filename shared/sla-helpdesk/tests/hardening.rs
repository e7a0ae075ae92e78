//! Replays, retries and per-request limits (issue 10) that the fixture cases cannot
//! express as one request and one outcome.

mod common;

use chrono::TimeDelta;
use common::{load_cases, Case};
use sla_helpdesk::{verify_and_parse, Vendor, WebhookRequest};

fn case_named(name: &str) -> Case {
    load_cases()
        .into_iter()
        .find(|c| c.name == name)
        .expect(name)
}

fn event_ids(case: &Case, headers: &[(String, String)], shift: TimeDelta) -> Vec<String> {
    case.run_with(
        headers,
        &case.payload,
        case.secret.as_deref(),
        case.now + shift,
    )
    .expect(&case.name)
    .into_iter()
    .map(|e| e.event_id)
    .collect()
}

#[test]
fn freshdesk_retries_5_30_60_minutes_later_are_duplicates() {
    for name in [
        "freshdesk/simple_status_changed.case.yaml",
        "freshdesk/agent_reply.case.yaml",
    ] {
        let case = case_named(name);
        let first = event_ids(&case, &case.header_list(), TimeDelta::zero());
        for minutes in [5, 30, 60] {
            let retry = event_ids(&case, &case.header_list(), TimeDelta::minutes(minutes));
            assert_eq!(retry, first, "{name} +{minutes} min");
        }
    }
}

#[test]
fn a_help_scout_body_replayed_under_another_event_name_has_the_same_id() {
    let case = case_named("helpscout/convo_status.case.yaml");
    let original = event_ids(&case, &case.header_list(), TimeDelta::zero());
    for name in [
        "convo.agent.reply.created",
        "convo.customer.reply.created",
        "convo.assigned",
    ] {
        let headers: Vec<(String, String)> = case
            .header_list()
            .into_iter()
            .map(|(k, v)| match k.as_str() {
                "X-HelpScout-Event" => (k, name.to_string()),
                _ => (k, v),
            })
            .collect();
        assert_eq!(
            event_ids(&case, &headers, TimeDelta::zero()),
            original,
            "{name}: the store drops it as a duplicate"
        );
    }
}

#[test]
fn the_events_per_request_cap_is_configurable_and_applies_to_hubspot_batches() {
    let case = case_named("hubspot/ticket_batch_v2.case.yaml");
    let mut config = case.config(case.secret.as_deref().expect("signed"));
    let uri = case.uri();
    let headers = case.header_list();
    let request = WebhookRequest {
        method: &case.method,
        uri: &uri,
        headers: &headers,
        body: &case.payload,
    };
    config.limits.max_events = 4; // the batch has 5 items
    let error = verify_and_parse(Vendor::Hubspot, "acme", &config, &request, case.now)
        .expect_err("over the cap");
    assert_eq!(error.http_status(), 413, "{error}");
    config.limits.max_events = 5;
    assert!(verify_and_parse(Vendor::Hubspot, "acme", &config, &request, case.now).is_ok());
}

#[test]
fn a_v3_signature_is_preferred_when_both_are_present() {
    // A wrong legacy signature next to a valid v3 one does not matter, and vice versa a
    // valid legacy signature cannot rescue a wrong v3 one.
    let v3 = case_named("hubspot/ticket_batch.case.yaml");
    let v2 = case_named("hubspot/ticket_batch_v2.case.yaml");
    let secret = v3.secret.as_deref().expect("signed");
    let mut both = v3.header_list();
    both.push(("X-HubSpot-Signature".into(), "00".into()));
    both.push(("X-HubSpot-Signature-Version".into(), "v1".into()));
    assert!(v3
        .run_with(&both, &v3.payload, Some(secret), v3.now)
        .is_ok());
    let mut wrong_v3 = v2.header_list();
    wrong_v3.push(("X-HubSpot-Signature-v3".into(), "AAAA".into()));
    wrong_v3.push(("X-HubSpot-Request-Timestamp".into(), "1736330520000".into()));
    let error = v2
        .run_with(&wrong_v3, &v2.payload, Some(secret), v2.now)
        .expect_err("v3 decides");
    assert_eq!(error.http_status(), 401, "{error}");
}

/// Each vendor's time field, by case, JSON pointer, and the field the 422 names.
const TIME_FIELDS: &[(&str, &str, &str)] = &[
    ("zendesk/ticket_created.case.yaml", "/time", "time"),
    (
        "zendesk/trigger_people.case.yaml",
        "/updated_at",
        "updated_at",
    ),
    (
        "freshdesk/agent_reply.case.yaml",
        "/updated_at",
        "updated_at",
    ),
    (
        "intercom/conversation_user_created_v1.case.yaml",
        "/created_at",
        "created_at",
    ),
    (
        "helpscout/convo_agent_reply.case.yaml",
        "/userUpdatedAt",
        "userUpdatedAt",
    ),
    ("jira/issue_created.case.yaml", "/timestamp", "timestamp"),
    ("front/rule_inbound.case.yaml", "/emitted_at", "emitted_at"),
    (
        "hubspot/custom_pipeline_stage.case.yaml",
        "/0/occurredAt",
        "[0].occurredAt",
    ),
    ("canonical/batch.case.yaml", "/1/at", "[1].at"),
];

#[test]
fn every_vendors_time_fields_refuse_instants_outside_1900_to_2200() {
    let too_late = [
        serde_json::json!("2200-01-01T00:00:00Z"),
        serde_json::json!("+262142-12-01T00:00:00Z"),
        serde_json::json!(7_258_118_400_i64),
        serde_json::json!(99_999_999_999_999_999_u64),
        serde_json::json!("1899-12-31T23:59:59Z"),
    ];
    for (name, pointer, field) in TIME_FIELDS {
        let case = case_named(name);
        assert!(case.run().is_ok(), "{name} is accepted as written");
        for value in &too_late {
            if name.starts_with("canonical/") && value.is_number() {
                continue; // canonical `at` is RFC 3339 text only
            }
            let mut body: serde_json::Value =
                serde_json::from_slice(&case.payload).expect("fixture is JSON");
            *body.pointer_mut(pointer).expect(pointer) = value.clone();
            let bytes = serde_json::to_vec(&body).expect("serializes");
            let error = case
                .run_with(&case.header_list(), &bytes, None, case.now)
                .expect_err(&format!("{name} with {value}"));
            assert_eq!(error.http_status(), 422, "{name} {value}: {error}");
            assert!(
                error.to_string().contains(&format!("{field}: ")),
                "{name} {value}: {error}"
            );
        }
    }
}
