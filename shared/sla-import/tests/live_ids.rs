//! An imported change and the live webhook of the same change get the same event id, so
//! the webhook arriving after an import is a duplicate, not a second event.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sla_core::Priority;
use sla_helpdesk::{parse_unverified, Mapping, Vendor, WebhookRequest};
use sla_import::{import, read_paths, Format, Options};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn imported_ids(format: Format, dir: &str) -> BTreeSet<String> {
    let sources = read_paths(&[fixture(&format!("tests/fixtures/live/{dir}"))]).unwrap();
    let imported = import(format, &sources, &Options::new("acme")).unwrap();
    assert!(imported.report.skipped.is_empty(), "{}", imported.report);
    imported.events.into_iter().map(|e| e.event_id).collect()
}

fn webhook_ids(vendor: Vendor, body_path: &str, delivery: (&str, &str)) -> Vec<String> {
    let body = std::fs::read(fixture(&format!(
        "../sla-helpdesk/tests/fixtures/{body_path}"
    )))
    .unwrap();
    let headers = vec![(delivery.0.to_string(), delivery.1.to_string())];
    let request = WebhookRequest {
        method: "POST",
        uri: "https://sla.example.com/webhooks/acme/x",
        headers: &headers,
        body: &body,
    };
    let now = "2025-01-08T15:00:00Z".parse().unwrap();
    // The Jira creation fixture's priority is a custom one (`P1`), mapped as its case does.
    let mapping = Mapping::new([], [("P1".to_string(), Priority::Urgent)], None);
    parse_unverified(vendor, "acme", &mapping, &request, now)
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect()
}

#[test]
fn a_jira_transition_and_internal_note_imported_then_delivered_is_one_event_each() {
    let imported = imported_ids(Format::Jira, "jira");
    let live = webhook_ids(
        Vendor::Jira,
        "jira/issue_transitioned_with_internal_note.json",
        (
            "X-Atlassian-Webhook-Identifier",
            "a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        ),
    );
    assert_eq!(live, ["jira:changelog:10301", "jira:comment:10101"]);
    for id in &live {
        assert!(
            imported.contains(id),
            "{id} not among imported {imported:?}"
        );
    }
}

#[test]
fn a_jira_creation_imported_then_delivered_is_one_event() {
    let imported = imported_ids(Format::Jira, "jira");
    let live = webhook_ids(
        Vendor::Jira,
        "jira/issue_created.json",
        (
            "X-Atlassian-Webhook-Identifier",
            "7d1b9a51-7aa3-4a37-a3a2-0e8c5f0c2f11",
        ),
    );
    assert_eq!(live, ["jira:issue:10042:created"]);
    assert!(imported.contains(&live[0]), "{imported:?}");
}

#[test]
fn a_zendesk_comment_imported_from_audits_then_delivered_is_one_event() {
    let imported = imported_ids(Format::Zendesk, "zendesk");
    let live = webhook_ids(
        Vendor::Zendesk,
        "zendesk/ticket_comment_added.json",
        ("X-Zendesk-Webhook-Id", "01HXYZ"),
    );
    assert_eq!(live, ["zendesk:comment:9876543210"]);
    assert!(imported.contains(&live[0]), "{imported:?}");
}
