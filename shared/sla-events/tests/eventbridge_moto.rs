//! The EventBridge sink against moto (run via `scripts/moto.sh run cargo test -p sla-events`):
//! a rule with an event pattern routes breaches to SQS; batching; real partial failures.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{TimeDelta, TimeZone, Utc};
use serde_json::Value;
use sla_core::{Metric, Priority, SlaEvent, SlaEventType};
use sla_events::eventbridge::{EntryOutcome, PutEventsApi, PutEventsEntry};
use sla_events::testkit::{bus_with_rule_to_queue, receive, sdk_config};
use sla_events::{EventBridgeSink, EventSink, SendRetry, DEFAULT_SOURCE};

fn event(id: &str, kind: SlaEventType) -> SlaEvent {
    let deadline = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap();
    SlaEvent {
        event_id: id.to_owned(),
        kind,
        tenant: "acme".into(),
        ticket_id: "42".into(),
        metric: Metric::FirstResponse,
        cycle: 1,
        policy: "enterprise".into(),
        priority: Priority::Urgent,
        target_seconds: 3600,
        deadline,
        at: deadline + TimeDelta::seconds(1),
        elapsed_seconds: 3601,
        threshold: None,
        retracts: None,
        context: Default::default(),
    }
}

/// A new bus whose rule sends `SLA Breached` events from `sla-tracker` to a new queue.
async fn bus_routing_breaches_to_a_queue(config: &aws_config::SdkConfig) -> (String, String) {
    bus_with_rule_to_queue(
        config,
        r#"{"source":["sla-tracker"],"detail-type":["SLA Breached"]}"#,
    )
    .await
}

#[tokio::test]
async fn a_breach_reaches_the_queue_through_the_rule() {
    let config = sdk_config().await;
    let (bus, queue_url) = bus_routing_breaches_to_a_queue(&config).await;
    let sink = EventBridgeSink::new(
        aws_sdk_eventbridge::Client::new(&config),
        &bus,
        DEFAULT_SOURCE,
    );
    let breach = event("evt-breach", SlaEventType::Breached);
    let warning = event("evt-warning", SlaEventType::Warning);
    let report = sink
        .publish(&[warning, breach.clone()])
        .await
        .expect("publish");
    assert_eq!(report.published, ["evt-warning", "evt-breach"]);
    assert!(report.failed.is_empty());

    let bodies = receive(&config, &queue_url, 1).await;
    assert_eq!(
        bodies.len(),
        1,
        "only the breach matches the rule: {bodies:?}"
    );
    let envelope = &bodies[0];
    assert_eq!(envelope["source"], "sla-tracker");
    assert_eq!(envelope["detail-type"], "SLA Breached");
    assert_eq!(envelope["resources"], Value::Array(vec![]));
    let time = chrono::DateTime::parse_from_rfc3339(envelope["time"].as_str().expect("time"))
        .expect("RFC 3339");
    assert_eq!(time, breach.at, "Time is the instant of the breach");
    let detail: SlaEvent =
        serde_json::from_value(envelope["detail"].clone()).expect("detail is an SlaEvent");
    assert_eq!(
        detail, breach,
        "the detail carries every field, event_id included"
    );
}

/// Forwards to moto, recording each request's ids and replacing the Detail of listed ids
/// with text that is not JSON, a given number of times (moto answers `MalformedDetail`).
struct CorruptingApi {
    inner: aws_sdk_eventbridge::Client,
    corrupt: Mutex<HashMap<String, u32>>,
    requests: Mutex<Vec<Vec<String>>>,
}

impl CorruptingApi {
    fn new(inner: aws_sdk_eventbridge::Client, corrupt: &[(&str, u32)]) -> Self {
        let corrupt = corrupt
            .iter()
            .map(|(id, times)| ((*id).to_owned(), *times))
            .collect();
        Self {
            inner,
            corrupt: Mutex::new(corrupt),
            requests: Mutex::new(Vec::new()),
        }
    }

    fn requests(&self) -> Vec<Vec<String>> {
        self.requests.lock().unwrap().clone()
    }
}

impl PutEventsApi for CorruptingApi {
    async fn send_entries(
        &self,
        bus: &str,
        entries: &[PutEventsEntry],
    ) -> Result<Vec<EntryOutcome>, String> {
        self.requests
            .lock()
            .unwrap()
            .push(entries.iter().map(|e| e.event_id.clone()).collect());
        let altered: Vec<PutEventsEntry> = {
            let mut corrupt = self.corrupt.lock().unwrap();
            entries
                .iter()
                .map(|entry| match corrupt.get_mut(&entry.event_id) {
                    Some(times) if *times > 0 => {
                        *times -= 1;
                        PutEventsEntry {
                            detail: "{not json".into(),
                            ..entry.clone()
                        }
                    }
                    _ => entry.clone(),
                })
                .collect()
        };
        self.inner.send_entries(bus, &altered).await
    }
}

fn no_wait(max_attempts: u32) -> SendRetry {
    SendRetry {
        max_attempts,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    }
}

#[tokio::test]
async fn twenty_five_events_take_three_requests() {
    let config = sdk_config().await;
    let (bus, queue_url) = bus_routing_breaches_to_a_queue(&config).await;
    let api = CorruptingApi::new(aws_sdk_eventbridge::Client::new(&config), &[]);
    let sink = EventBridgeSink::with_api(api, &bus, DEFAULT_SOURCE);
    let events: Vec<_> = (0..25)
        .map(|n| event(&format!("evt-{n:02}"), SlaEventType::Breached))
        .collect();
    let report = sink.publish(&events).await.expect("publish");
    assert_eq!(report.published.len(), 25);
    let sizes: Vec<usize> = sink.api().requests().iter().map(Vec::len).collect();
    assert_eq!(sizes, [10, 10, 5]);
    let bodies = receive(&config, &queue_url, 25).await;
    assert_eq!(bodies.len(), 25, "every breach routed once");
}

#[tokio::test]
async fn only_entries_moto_rejected_are_retried() {
    let config = sdk_config().await;
    let (bus, queue_url) = bus_routing_breaches_to_a_queue(&config).await;
    let api = CorruptingApi::new(
        aws_sdk_eventbridge::Client::new(&config),
        &[("flaky", 1), ("broken", u32::MAX)],
    );
    let sink = EventBridgeSink::with_api(api, &bus, DEFAULT_SOURCE).with_retry(no_wait(3));
    let events = ["a", "flaky", "b", "broken", "c"].map(|id| event(id, SlaEventType::Breached));
    let report = sink.publish(&events).await.expect("publish");

    assert_eq!(report.published, ["a", "b", "c", "flaky"]);
    assert_eq!(report.failed.len(), 1);
    let (id, reason) = &report.failed[0];
    assert_eq!(id, "broken");
    assert!(
        reason.starts_with("MalformedDetail"),
        "moto's per-entry error code is reported: {reason}"
    );
    assert_eq!(
        sink.api().requests(),
        [
            vec!["a", "flaky", "b", "broken", "c"],
            vec!["flaky", "broken"],
            vec!["broken"]
        ]
    );
    let mut routed: Vec<String> = receive(&config, &queue_url, 4)
        .await
        .iter()
        .map(|body| {
            body["detail"]["event_id"]
                .as_str()
                .expect("event_id")
                .to_owned()
        })
        .collect();
    routed.sort();
    assert_eq!(
        routed,
        ["a", "b", "c", "flaky"],
        "each accepted event delivered once"
    );
}
