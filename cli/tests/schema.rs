//! `sla schema`: the JSON Schemas cover every key of the formats.

use std::process::Command;

fn schema(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(["schema", format])
        .output()
        .expect("run sla");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    serde_json::from_str::<serde_json::Value>(&text).expect("JSON schema");
    text
}

#[test]
fn policy_schema_covers_the_policy_rules() {
    let text = schema("policy");
    for key in [
        "\"versions\"",
        "\"effective_from\"",
        "\"apply_to\"",
        "\"open_tickets\"",
        "\"exclude\"",
        "\"organizations\"",
        "\"priority_rules\"",
        "\"raise_to\"",
        "\"acknowledgement_tags\"",
        "\"start\"",
        "\"assigned\"",
        "\"organization\"",
        "\"assignee\"",
        "\"acknowledgement\"",
    ] {
        assert!(text.contains(key), "{key} missing in the policy schema");
    }
}

#[test]
fn sla_event_schema_carries_the_ticket_context() {
    let text = schema("sla-event");
    for key in [
        "\"group\"",
        "\"segment\"",
        "\"channel\"",
        "\"organization\"",
        "\"assignee\"",
        "\"vendor\"",
        "\"tags\"",
    ] {
        assert!(text.contains(key), "{key} missing in the sla-event schema");
    }
}
