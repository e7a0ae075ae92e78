//! Helpdesk verdicts for `sla report --agreement`: Zendesk ticket metric events and Jira
//! SLA answers read from fixtures, with the expected verdicts worked out by hand.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::json;
use sla_core::Metric;
use sla_import::jira_sla::{jira_verdicts, parse_sla_map_entry, read_jira_slas, DEFAULT_SLA_MAP};
use sla_import::zendesk_verdicts::{our_metric, zendesk_verdicts};
use sla_import::{read_metric_events, read_paths, ZendeskMetric};
use sla_report::agreement::HelpdeskOutcome;

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn fixture(dir: &str) -> Vec<sla_import::Source> {
    let path = format!("{}/tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
    read_paths(&[path.into()]).unwrap()
}

#[test]
fn zendesk_reply_time_breached_then_fulfilled_is_a_breach_at_the_breach_event() {
    let (events, _) = read_metric_events(&fixture("zendesk-metric-events")).unwrap();
    let verdicts = zendesk_verdicts(&events);
    // Ticket 155: reply_time#1 under a 60-minute SLA, breached 10:00, fulfilled 10:20.
    // The group SLA and the metrics without apply_sla give no verdict.
    assert_eq!(verdicts.verdicts.len(), 1);
    let v = &verdicts.verdicts[0];
    assert_eq!(
        (v.ticket_id.as_str(), v.metric, v.cycle),
        ("155", Metric::FirstResponse, 1)
    );
    assert_eq!(v.name, "reply_time#1");
    assert_eq!(
        v.outcome,
        HelpdeskOutcome::Breached {
            at: t("2025-03-03T10:00:00Z")
        }
    );
    assert_eq!(v.target_seconds, Some(3600));
    assert!(verdicts.without_sla.is_empty());
    assert!(verdicts.unmapped.is_empty());
}

#[test]
fn zendesk_metrics_map_to_ours_by_instance() {
    assert_eq!(
        our_metric(ZendeskMetric::ReplyTime, 1),
        Some((Metric::FirstResponse, 1))
    );
    assert_eq!(
        our_metric(ZendeskMetric::ReplyTime, 3),
        Some((Metric::NextResponse, 2))
    );
    assert_eq!(
        our_metric(ZendeskMetric::RequesterWaitTime, 0),
        Some((Metric::Resolution, 1))
    );
    assert_eq!(
        our_metric(ZendeskMetric::PausableUpdateTime, 2),
        Some((Metric::PeriodicUpdate, 2))
    );
    assert_eq!(our_metric(ZendeskMetric::AgentWorkTime, 0), None);
    assert_eq!(our_metric(ZendeskMetric::GroupOwnershipTime, 0), None);
}

#[test]
fn jira_sla_answers_become_verdicts_per_cycle() {
    let (slas, report) = read_jira_slas(&fixture("jira-sla")).unwrap();
    // The value whose cycle has no elapsedTime is counted, not dropped silently.
    assert_eq!(report.skipped_total(), 1);
    assert_eq!(slas.len(), 2);
    assert!(slas.iter().all(|s| s.ticket_id == "B"));
    let map: Vec<_> = DEFAULT_SLA_MAP
        .iter()
        .map(|(n, m)| (n.to_string(), *m))
        .collect();
    let verdicts = jira_verdicts(&slas, &map);
    let got: Vec<_> = verdicts
        .verdicts
        .iter()
        .map(|v| (v.metric, v.cycle, v.outcome, v.target_seconds))
        .collect();
    assert_eq!(
        got,
        [
            (
                Metric::FirstResponse,
                1,
                HelpdeskOutcome::Breached {
                    at: t("2026-03-04T10:00:00Z")
                },
                Some(7200)
            ),
            (Metric::Resolution, 1, HelpdeskOutcome::Open, Some(57600)),
        ]
    );
}

#[test]
fn jira_sla_names_map_by_option_and_unknown_names_are_counted() {
    let (slas, _) = read_jira_slas(&fixture("jira-sla")).unwrap();
    let map = vec![parse_sla_map_entry("Time to resolution=next_response").unwrap()];
    let verdicts = jira_verdicts(&slas, &map);
    assert_eq!(verdicts.verdicts.len(), 1);
    assert_eq!(verdicts.verdicts[0].metric, Metric::NextResponse);
    assert_eq!(verdicts.unmapped.get("Time to first response"), Some(&1));
    assert!(parse_sla_map_entry("Time to resolution").is_err());
    assert!(parse_sla_map_entry("Time to resolution=soon").is_err());
}

#[test]
fn a_request_without_slas_has_no_sla() {
    let page = r#"{"values": [], "_links": {"self": "https://x.atlassian.net/rest/servicedeskapi/request/10007/sla"}}"#;
    let source = sla_import::Source::from_bytes("sla.json", page.as_bytes().to_vec()).unwrap();
    let (slas, _) = read_jira_slas(&[source]).unwrap();
    let verdicts = jira_verdicts(&slas, &[]);
    assert!(verdicts.verdicts.is_empty());
    assert_eq!(
        verdicts.without_sla.into_iter().collect::<Vec<_>>(),
        ["10007"]
    );
}

fn leaf() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 :+.=-]{0,24}".prop_map(serde_json::Value::from),
    ]
}

proptest! {
    /// Arbitrary bytes, and SLA answers and metric events with arbitrary values, never
    /// panic a reader or the verdicts built from what it read.
    #[test]
    fn verdict_readers_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        a in leaf(), b in leaf(), c in leaf(), d in leaf(), e in leaf(),
    ) {
        let answer = json!({"_links": {"self": a}, "values": [{"name": b,
            "completedCycles": [{"breached": c, "breachTime": {"epochMillis": d},
              "stopTime": {"iso8601": e}, "goalDuration": {"millis": d},
              "elapsedTime": {"millis": e}}],
            "ongoingCycle": {"breached": true, "goalDuration": {"millis": 1},
              "elapsedTime": {"millis": 1}, "breachTime": {"epochMillis": d}}}]});
        let event = json!({"id": 1, "ticket_id": a, "metric": "reply_time", "instance_id": d,
            "time": "2026-03-02T09:00:00Z", "type": "apply_sla", "sla": {"target": d}});
        for input in [bytes, answer.to_string().into_bytes(), event.to_string().into_bytes()] {
            let Ok(source) = sla_import::Source::from_bytes("fuzz", input) else { continue };
            let sources = [source];
            if let Ok((slas, _)) = read_jira_slas(&sources) {
                let map: Vec<_> = DEFAULT_SLA_MAP.iter().map(|(n, m)| (n.to_string(), *m)).collect();
                let _ = jira_verdicts(&slas, &map);
            }
            if let Ok((events, _)) = read_metric_events(&sources) {
                let _ = zendesk_verdicts(&events);
            }
            let _ = parse_sla_map_entry(&String::from_utf8_lossy(&sources[0].bytes));
        }
    }
}
