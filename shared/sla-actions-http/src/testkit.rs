//! Test support (feature `testkit`): a fake helpdesk and chat webhook on loopback for
//! end-to-end tests of the autopilot's hosts (`sla serve`, the Lambda `actions` function).
//! It speaks just enough HTTP/1.1 for the executors (one request per connection), records
//! every call, and answers 200, or a scripted status (429 with `Retry-After`, 403, ...)
//! for a given `METHOD path`. The per-vendor request checks live in this crate's tests.

use std::collections::VecDeque;
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Instant;

use serde_json::Value;

/// One call the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    /// `METHOD path`.
    pub line: String,
    /// The JSON body (null when not JSON).
    pub body: Value,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// When it arrived.
    pub at: Instant,
}

/// A scripted answer: `METHOD path`, status, `Retry-After` seconds.
type Scripted = (String, u16, Option<u64>);

/// A fake Zendesk (`/api/v2/...`) and Slack webhook (`/slack`) on a free loopback port:
/// records calls and answers 200, or a scripted status for a given `METHOD path`.
#[derive(Clone)]
pub struct FakeHelpdesk {
    /// `host:port` it listens on.
    pub address: String,
    calls: Arc<Mutex<Vec<Call>>>,
    script: Arc<Mutex<VecDeque<Scripted>>>,
}

impl FakeHelpdesk {
    /// Starts it on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake helpdesk");
        let fake = Self {
            address: listener.local_addr().expect("address").to_string(),
            calls: Arc::default(),
            script: Arc::default(),
        };
        let server = fake.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let server = server.clone();
                thread::spawn(move || server.answer(stream));
            }
        });
        fake
    }

    /// The next `line` (`PUT /api/v2/tickets/1/tags`) is answered `status`, with
    /// `Retry-After: retry_after` when given.
    pub fn then_answer(&self, line: &str, status: u16, retry_after: Option<u64>) {
        let entry = (line.to_string(), status, retry_after);
        self.script.lock().expect("script").push_back(entry);
    }

    fn answer(&self, stream: TcpStream) {
        let mut reader = std::io::BufReader::new(stream);
        let (mut head, mut length) = (Vec::new(), 0usize);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            head.push(line.trim_end().to_string());
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let request_line = head.first().cloned().unwrap_or_default();
        let line = request_line
            .rsplit_once(' ')
            .map_or("", |(l, _)| l)
            .to_string();
        let authorization = head.iter().find_map(|h| {
            let (name, value) = h.split_once(':')?;
            name.eq_ignore_ascii_case("authorization")
                .then(|| value.trim().to_string())
        });
        let call = Call {
            line: line.clone(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            authorization,
            at: Instant::now(),
        };
        self.calls.lock().expect("calls").push(call);
        let (status, retry_after) = self.scripted(&line);
        let extra = retry_after.map_or(String::new(), |s| format!("Retry-After: {s}\r\n"));
        let body = if status == 200 {
            "{}"
        } else {
            "{\"error\":\"refused\"}"
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = reader.get_mut().write_all(response.as_bytes());
    }

    fn scripted(&self, line: &str) -> (u16, Option<u64>) {
        let mut script = self.script.lock().expect("script");
        match script.iter().position(|(l, _, _)| l == line) {
            Some(index) => script
                .remove(index)
                .map_or((200, None), |(_, status, after)| (status, after)),
            None => (200, None),
        }
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("calls").clone()
    }

    /// `METHOD path body` of each call, in order (for assertion messages).
    pub fn lines(&self) -> Vec<String> {
        self.calls()
            .iter()
            .map(|c| format!("{} {}", c.line, c.body))
            .collect()
    }
}

/// The calls whose `METHOD path` is `line`.
pub fn calls_to<'a>(calls: &'a [Call], line: &str) -> Vec<&'a Call> {
    calls.iter().filter(|c| c.line == line).collect()
}
