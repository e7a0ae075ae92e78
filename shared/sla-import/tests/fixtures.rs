//! Each vendor's fixtures import to the canonical timeline written by hand next to them
//! (`expected/<format>.jsonl`), and replaying both through the engine gives the same SLA events.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sla_core::replay::group_by_ticket;
use sla_core::replay::replay_ticket;
use sla_core::{PolicySet, SlaEvent, TicketEvent};
use sla_import::{import, read_paths, Format, Imported, Options, Report};

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

fn import_dir(format: Format, dir: &str) -> Imported {
    let sources = read_paths(&[fixtures(dir)]).unwrap();
    import(format, &sources, &Options::new("acme")).unwrap()
}

/// The canonical timeline written by hand for a format's fixtures.
fn expected(format: &str) -> Vec<TicketEvent> {
    let text =
        std::fs::read_to_string(fixtures("expected").join(format!("{format}.jsonl"))).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn replay(events: Vec<TicketEvent>) -> Vec<(DateTime<Utc>, SlaEvent)> {
    let yaml = std::fs::read_to_string(fixtures("policy.yaml")).unwrap();
    let policies = PolicySet::from_yaml("policy.yaml", &yaml).unwrap();
    let until = "2025-03-31T00:00:00Z".parse().unwrap();
    group_by_ticket(events)
        .into_iter()
        .flat_map(|ticket| replay_ticket(&policies, ticket, until).announced)
        .collect()
}

/// The imported events equal the hand-written ones, and so do their replays.
fn round_trip(imported: &Imported, expected: Vec<TicketEvent>) {
    assert_eq!(imported.events, expected);
    let ours = replay(imported.events.clone());
    assert!(!ours.is_empty(), "the policy announced nothing");
    assert_eq!(ours, replay(expected));
}

fn note(report: &Report, reason: &str) -> u64 {
    report.notes.get(reason).copied().unwrap_or(0)
}

#[test]
fn zendesk_audits_event_export_and_users_round_trip() {
    let imported = import_dir(Format::Zendesk, "zendesk/roundtrip");
    round_trip(&imported, expected("zendesk"));
    let report = &imported.report;
    assert!(report.skipped.is_empty(), "{report}");
    // Audit 1006 is in both the audits and the event export: one event each, not two.
    assert_eq!(
        note(report, "duplicate change (same event id read twice)"),
        2
    );
    assert_eq!(note(report, "audit event not about SLAs: Notification"), 1);
}

#[test]
fn jira_changelog_and_comments_round_trip() {
    let imported = import_dir(Format::Jira, "jira");
    round_trip(&imported, expected("jira"));
    let report = &imported.report;
    assert!(report.skipped.is_empty(), "{report}");
    assert_eq!(
        note(
            report,
            "changelog entry without status, priority, assignee or labels"
        ),
        1
    );
}

#[test]
fn freshdesk_tickets_conversations_and_activities_round_trip() {
    let imported = import_dir(Format::Freshdesk, "freshdesk");
    round_trip(&imported, expected("freshdesk"));
    let report = &imported.report;
    assert!(report.skipped.is_empty(), "{report}");
    assert_eq!(
        note(
            report,
            "ticket status from stats replaced by the activities export"
        ),
        1
    );
    assert_eq!(
        note(
            report,
            "ticket without activities: status history read from its stats"
        ),
        1
    );
}

#[test]
fn csv_rows_round_trip_and_bad_rows_are_counted() {
    let sources = read_paths(&[fixtures("csv/events.csv")]).unwrap();
    let imported = import(Format::Csv, &sources, &Options::new("acme")).unwrap();
    round_trip(&imported, expected("csv"));
    let skipped = &imported.report.skipped;
    let bad_time = &skipped["row whose `at` is not an RFC 3339 time in range"];
    assert_eq!(bad_time.count, 1);
    assert_eq!(
        bad_time.first.to_string(),
        format!("{}: record 7: field at", sources[0].name)
    );
    let unknown = &skipped["unknown status \"waiting\" (map it under the tenant's `statuses`)"];
    assert_eq!(unknown.first.record, 8);
}

#[test]
fn go_zendesk_sample_audit_reads_a_private_comment_and_a_status_change() {
    let imported = import_dir(Format::Zendesk, "zendesk/go-zendesk");
    let ids: Vec<&str> = imported
        .events
        .iter()
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["zendesk:comment:2127301148", "zendesk:audit:2127301143"]
    );
    let comment = imported.events[0].comment.unwrap();
    assert!(!comment.public);
    // Author 5246746 is not in the users file and not the requester.
    assert_eq!(comment.author, sla_core::Author::Agent);
    assert_eq!(
        note(
            &imported.report,
            "comment author not in the users given: not the requester, so agent"
        ),
        1
    );
    assert_eq!(
        imported.events[1].ticket.status,
        Some(sla_core::Status::Open)
    );
    assert_eq!(imported.events[1].ticket_id, "666");
}

#[test]
fn jira_changelog_pages_complete_a_cut_short_changelog() {
    let alone = read_paths(&[fixtures("jira-paged/issue.json")]).unwrap();
    let imported = import(Format::Jira, &alone, &Options::new("acme")).unwrap();
    let cut = &imported.report.skipped
        ["issue whose changelog is cut short (total > histories given): save its changelog pages"];
    assert_eq!(cut.first.field, "changelog.total");
    // The bulk-fetch answer and the changelog page overlap (202, 203): each once.
    let imported = import_dir(Format::Jira, "jira-paged");
    assert!(imported.report.skipped.is_empty(), "{}", imported.report);
    let steps: Vec<(&str, Option<sla_core::Status>)> = imported
        .events
        .iter()
        .map(|e| (e.event_id.as_str(), e.ticket.status))
        .collect();
    use sla_core::Status::{Open, Pending, Solved};
    assert_eq!(
        steps,
        [
            ("jira:issue:10002:created", Some(Open)),
            ("jira:changelog:201", Some(Pending)),
            ("jira:changelog:202", Some(Open)),
            ("jira:changelog:203", Some(Solved)),
        ]
    );
}

#[test]
fn go_jira_sample_changelog_counts_a_history_without_id_and_notes_a_summary_change() {
    let imported = import_dir(Format::Jira, "jira-go-jira");
    let ids: Vec<&str> = imported
        .events
        .iter()
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(ids, ["jira:issue:12338:created"]);
    assert_eq!(imported.events[0].ticket.group.as_deref(), Some("AR"));
    assert_eq!(
        imported.events[0].ticket.assignee.as_deref(),
        Some("mister.morris")
    );
    let report = &imported.report;
    let skipped = &report.skipped["changelog entry without id, readable created or items"];
    assert_eq!(skipped.count, 1);
    assert_eq!(skipped.first.field, "issues[0].changelog.histories[1]");
    assert_eq!(
        note(
            report,
            "changelog entry without status, priority, assignee or labels"
        ),
        1
    );
}

#[test]
fn python_freshdesk_sample_ticket_and_conversations_import_from_stats() {
    let imported = import_dir(Format::Freshdesk, "freshdesk-python-freshdesk");
    let steps: Vec<(&str, sla_core::EventKind)> = imported
        .events
        .iter()
        .map(|e| (e.event_id.as_str(), e.kind))
        .collect();
    use sla_core::EventKind::{Comment, Created, Updated};
    assert_eq!(
        steps,
        [
            ("freshdesk:ticket:1:created", Created),
            ("freshdesk:conversation:1", Comment),
            ("freshdesk:conversation:2", Comment),
            ("freshdesk:ticket:1:resolved", Updated),
        ]
    );
    let note_1 = imported.events[1].comment.unwrap();
    let reply = imported.events[2].comment.unwrap();
    assert!(!note_1.public && reply.public);
    assert_eq!(
        imported.events[3].ticket.status,
        Some(sla_core::Status::Solved)
    );
    assert!(imported.report.skipped.is_empty(), "{}", imported.report);
    assert_eq!(
        note(
            &imported.report,
            "ticket without activities: status history read from its stats"
        ),
        1
    );
}
