//! The sink's batching and retry logic over a scripted PutEvents API.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::test_events::event;

/// Rejects listed ids a number of times each; fails whole requests containing `down_ids`.
#[derive(Default)]
struct ScriptedApi {
    rejections: Mutex<HashMap<String, (u32, &'static str)>>,
    down_ids: Vec<String>,
    requests: Mutex<Vec<Vec<String>>>,
}

impl ScriptedApi {
    fn reject(self, id: &str, times: u32, code: &'static str) -> Self {
        self.rejections
            .lock()
            .unwrap()
            .insert(id.into(), (times, code));
        self
    }

    fn requests(&self) -> Vec<Vec<String>> {
        self.requests.lock().unwrap().clone()
    }
}

impl PutEventsApi for ScriptedApi {
    async fn send_entries(
        &self,
        _bus: &str,
        entries: &[PutEventsEntry],
    ) -> Result<Vec<EntryOutcome>, String> {
        self.requests
            .lock()
            .unwrap()
            .push(entries.iter().map(|e| e.event_id.clone()).collect());
        if entries.iter().any(|e| self.down_ids.contains(&e.event_id)) {
            return Err("connection reset".into());
        }
        let mut rejections = self.rejections.lock().unwrap();
        Ok(entries
            .iter()
            .map(|e| match rejections.get_mut(&e.event_id) {
                Some((times, code)) if *times > 0 => {
                    *times -= 1;
                    EntryOutcome::Rejected {
                        code: (*code).into(),
                        message: "scripted".into(),
                    }
                }
                _ => EntryOutcome::Accepted,
            })
            .collect())
    }
}

fn no_wait(max_attempts: u32) -> SendRetry {
    SendRetry {
        max_attempts,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    }
}

fn events(ids: &[&str]) -> Vec<SlaEvent> {
    ids.iter().map(|id| event(id)).collect()
}

#[tokio::test]
async fn only_failed_entries_are_resent() {
    let api = ScriptedApi::default().reject("b", 1, "ThrottlingException");
    let sink = EventBridgeSink::with_api(api, "bus", "sla-tracker").with_retry(no_wait(4));
    let report = sink.publish(&events(&["a", "b", "c"])).await.unwrap();
    assert_eq!(report.published, ["a", "c", "b"]);
    assert!(report.failed.is_empty());
    assert_eq!(sink.api().requests(), [vec!["a", "b", "c"], vec!["b"]]);
}

#[tokio::test]
async fn a_permanent_failure_ends_in_failed_after_the_last_attempt() {
    let api = ScriptedApi::default().reject("b", u32::MAX, "MalformedDetail");
    let sink = EventBridgeSink::with_api(api, "bus", "sla-tracker").with_retry(no_wait(3));
    let report = sink.publish(&events(&["a", "b"])).await.unwrap();
    assert_eq!(report.published, ["a"]);
    assert_eq!(
        report.failed,
        [("b".to_owned(), "MalformedDetail: scripted".to_owned())]
    );
    assert_eq!(
        sink.api().requests(),
        [vec!["a", "b"], vec!["b"], vec!["b"]]
    );
}

#[tokio::test]
async fn a_failed_request_fails_its_entries_only() {
    let ids: Vec<String> = (0..12).map(|n| format!("e{n:02}")).collect();
    let api = ScriptedApi {
        down_ids: vec!["e11".into()],
        ..Default::default()
    };
    let sink = EventBridgeSink::with_api(api, "bus", "sla-tracker").with_retry(no_wait(2));
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let report = sink.publish(&events(&refs)).await.unwrap();
    assert_eq!(report.published, ids[..10]);
    let failed: Vec<_> = report
        .failed
        .iter()
        .map(|(id, why)| (id.as_str(), why.as_str()))
        .collect();
    assert_eq!(
        failed,
        [("e10", "connection reset"), ("e11", "connection reset")]
    );
    assert_eq!(
        sink.api().requests().len(),
        3,
        "two requests, then one retry of the failed one"
    );
}

#[tokio::test]
async fn an_event_over_the_request_limit_fails_without_a_request() {
    let mut huge = event("huge");
    huge.policy = "p".repeat(MAX_REQUEST_BYTES);
    let sink = EventBridgeSink::with_api(ScriptedApi::default(), "bus", "sla-tracker");
    let report = sink.publish(&[huge, event("ok")]).await.unwrap();
    assert_eq!(report.published, ["ok"]);
    assert_eq!(report.failed.len(), 1);
    assert!(
        report.failed[0]
            .1
            .contains("over the 1048576-byte PutEvents limit"),
        "{:?}",
        report.failed
    );
    assert_eq!(sink.api().requests(), [vec!["ok"]]);
}

#[tokio::test]
async fn nothing_to_publish_sends_nothing() {
    let sink = EventBridgeSink::with_api(ScriptedApi::default(), "bus", "sla-tracker");
    assert_eq!(sink.publish(&[]).await.unwrap(), PublishReport::default());
    assert!(sink.api().requests().is_empty());
}
