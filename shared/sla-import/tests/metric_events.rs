//! Zendesk ticket metric events read into a typed list, ready to compare with our verdicts.

use sla_import::{read_metric_events, read_paths, MetricEventKind, ZendeskMetric};

#[test]
fn reads_each_kind_of_metric_event_and_counts_unknown_metrics() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/zendesk-metric-events"
    );
    let sources = read_paths(&[dir.into()]).unwrap();
    let (events, report) = read_metric_events(&sources).unwrap();
    assert_eq!(events.len(), 8);
    assert_eq!(report.skipped_total(), 1);
    assert!(report
        .skipped
        .contains_key("unknown metric \"first_contact_time\""));
    let reply: Vec<&MetricEventKind> = events
        .iter()
        .filter(|e| e.metric == ZendeskMetric::ReplyTime && e.instance_id == 1)
        .map(|e| &e.kind)
        .collect();
    assert_eq!(
        reply,
        [
            &MetricEventKind::Activate,
            &MetricEventKind::ApplySla {
                target_minutes: 60,
                business_hours: false,
                policy: Some("Gold".into()),
                group: false
            },
            &MetricEventKind::Breach { deleted: false },
            &MetricEventKind::Fulfill,
            &MetricEventKind::UpdateStatus {
                calendar_minutes: 80,
                business_minutes: 80
            },
        ]
    );
    let group = events
        .iter()
        .find(|e| e.metric == ZendeskMetric::GroupOwnershipTime)
        .unwrap();
    assert!(matches!(
        group.kind,
        MetricEventKind::ApplySla {
            target_minutes: 480,
            business_hours: true,
            group: true,
            ..
        }
    ));
    assert_eq!(group.ticket_id, "155");
}
