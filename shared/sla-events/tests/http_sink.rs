//! The HTTP POST sink against a scripted local HTTP/1.1 server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use sla_core::{Metric, Priority, SlaEvent, SlaEventType};
use sla_events::{EventSink, HttpSink, SendRetry};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request the server received: the event id header and the body.
#[derive(Debug, Clone)]
struct Received {
    event_id: String,
    body: String,
}

/// Answers each request with the next scripted status (200 once the script is used up).
async fn scripted_server(statuses: &[u16]) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sla-events", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(Mutex::new(
        statuses.iter().copied().collect::<VecDeque<u16>>(),
    ));
    let log = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_connection(
                stream,
                Arc::clone(&script),
                Arc::clone(&log),
            ));
        }
    });
    (url, received)
}

async fn serve_connection(
    mut stream: TcpStream,
    script: Arc<Mutex<VecDeque<u16>>>,
    log: Arc<Mutex<Vec<Received>>>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        log.lock().unwrap().push(request);
        let status = script.lock().unwrap().pop_front().unwrap_or(200);
        let response = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\n\r\n");
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads one request (headers and a `content-length` body); `None` at end of stream.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
            let header = |name: &str| {
                head.lines()
                    .find_map(|line| line.strip_prefix(&format!("{name}: ")).map(str::to_owned))
            };
            let length: usize = header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]).into_owned();
                let event_id = header("x-sla-event-id").unwrap_or_default();
                buffer.drain(..end + 4 + length);
                return Some(Received { event_id, body });
            }
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn event(id: &str) -> SlaEvent {
    let at = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap();
    SlaEvent {
        event_id: id.to_owned(),
        kind: SlaEventType::Warning,
        tenant: "acme".into(),
        ticket_id: "42".into(),
        metric: Metric::Resolution,
        cycle: 1,
        policy: "default".into(),
        priority: Priority::Normal,
        target_seconds: 7200,
        deadline: at,
        at,
        elapsed_seconds: 5400,
        threshold: Some("75%".into()),
        retracts: None,
        context: Default::default(),
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
async fn posts_each_event_as_json_with_its_id() {
    let (url, received) = scripted_server(&[]).await;
    let sink = HttpSink::new(&url).unwrap();
    let report = sink.publish(&[event("a"), event("b")]).await.unwrap();
    assert_eq!(report.published, ["a", "b"]);
    let received = received.lock().unwrap().clone();
    let ids: Vec<_> = received.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let first: SlaEvent = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(first, event("a"));
}

#[tokio::test]
async fn retries_server_errors_until_accepted() {
    let (url, received) = scripted_server(&[503, 429]).await;
    let sink = HttpSink::new(&url).unwrap().with_retry(no_wait(4));
    let report = sink.publish(&[event("a")]).await.unwrap();
    assert_eq!(report.published, ["a"]);
    assert_eq!(received.lock().unwrap().len(), 3, "503, 429, then 200");
}

#[tokio::test]
async fn does_not_retry_a_client_error() {
    let (url, received) = scripted_server(&[400]).await;
    let sink = HttpSink::new(&url).unwrap().with_retry(no_wait(4));
    let report = sink.publish(&[event("a"), event("b")]).await.unwrap();
    assert_eq!(report.published, ["b"]);
    assert_eq!(report.failed.len(), 1);
    assert!(
        report.failed[0].1.contains("answered 400"),
        "{:?}",
        report.failed
    );
    assert_eq!(received.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn gives_up_on_an_unreachable_endpoint() {
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sink = HttpSink::new(&format!("http://127.0.0.1:{port}/"))
        .unwrap()
        .with_retry(no_wait(2));
    let report = sink.publish(&[event("a")]).await.unwrap();
    assert!(report.published.is_empty());
    assert_eq!(report.failed[0].0, "a");
    assert!(report.failed[0].1.contains("failed"), "{:?}", report.failed);
}

#[test]
fn rejects_urls_that_are_not_http() {
    let err = HttpSink::new("ftp://example.com/x")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ftp://example.com/x") && err.contains("http://"),
        "{err}"
    );
}
