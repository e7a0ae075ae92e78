//! What one attempt at an action came to, and how an HTTP answer maps to it: 2xx done,
//! 429 and 409 and 5xx retried (honouring `Retry-After` and rate-limit headers), other
//! 4xx failed and never retried.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::transport::HttpResponse;

/// Longest part of a response body quoted in a failure message.
const MAX_QUOTED_BODY: usize = 300;

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Carried out (or already so: a tag already there, a priority already as high).
    Done,
    /// Worth trying again: after `after` when the service said so (429 `Retry-After`,
    /// rate-limit headers), otherwise after the retry policy's backoff.
    Retry {
        /// The delay the service asked for.
        after: Option<Duration>,
        /// Why (status and call, or the transport error).
        reason: String,
    },
    /// Refused for good (a 4xx other than 409/429, or a configuration problem):
    /// reported, never retried.
    Failed {
        /// The HTTP status, when the service answered.
        status: Option<u16>,
        /// What was called and what came back.
        message: String,
    },
    /// The helpdesk cannot do this step (e.g. tags in HubSpot); `sla check` says so.
    Unsupported {
        /// Why.
        reason: String,
    },
}

impl Outcome {
    /// A failure that is not an HTTP answer (bad id, missing configuration).
    pub fn config(message: impl Into<String>) -> Self {
        Self::Failed {
            status: None,
            message: message.into(),
        }
    }

    /// Its kind, for metrics.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Self::Done => OutcomeKind::Done,
            Self::Retry { .. } => OutcomeKind::Retry,
            Self::Failed { .. } => OutcomeKind::Failed,
            Self::Unsupported { .. } => OutcomeKind::Unsupported,
        }
    }
}

/// [`Outcome`] without its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutcomeKind {
    /// [`Outcome::Done`].
    Done,
    /// [`Outcome::Retry`] (retries exhausted, or a wait longer than the policy allows).
    Retry,
    /// [`Outcome::Failed`].
    Failed,
    /// [`Outcome::Unsupported`].
    Unsupported,
}

impl OutcomeKind {
    /// Lower-case name for metric dimensions.
    pub fn name(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retry => "retry",
            Self::Failed => "failed",
            Self::Unsupported => "unsupported",
        }
    }
}

/// `Ok` for a 2xx answer, otherwise the outcome it means; `label` names the call.
pub fn classify(
    label: &str,
    response: HttpResponse,
    now: DateTime<Utc>,
) -> Result<HttpResponse, Outcome> {
    let status = response.status;
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let reason = format!("{label} answered {status}");
    match status {
        429 | 500..=599 => Err(Outcome::Retry {
            after: requested_delay(&response, now),
            reason,
        }),
        409 => Err(Outcome::Retry {
            after: None,
            reason: format!("{reason} (conflict: read again and retry)"),
        }),
        _ => Err(Outcome::Failed {
            status: Some(status),
            message: format!("{reason}: {}", quote_body(&response.body)),
        }),
    }
}

/// The delay a 429/503 asks for: `Retry-After` (seconds or HTTP-date), Help Scout's
/// `X-RateLimit-Retry-After` (seconds), `RateLimit-Reset` (seconds, IETF draft; Zendesk),
/// then `X-RateLimit-Reset` (Unix seconds at Intercom and Front, an ISO 8601 time at Jira,
/// seconds elsewhere).
pub fn requested_delay(response: &HttpResponse, now: DateTime<Utc>) -> Option<Duration> {
    let header = |name: &str| response.header(name).map(str::trim);
    if let Some(value) = header("Retry-After") {
        return seconds(value).or_else(|| http_date(value, now));
    }
    if let Some(value) = header("X-RateLimit-Retry-After").and_then(seconds) {
        return Some(value);
    }
    if let Some(value) = header("RateLimit-Reset").and_then(seconds) {
        return Some(value);
    }
    header("X-RateLimit-Reset").and_then(|value| reset_time(value, now))
}

fn seconds(value: &str) -> Option<Duration> {
    value.parse::<u64>().ok().map(Duration::from_secs)
}

fn http_date(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(until(at.with_timezone(&Utc), now))
}

/// Values above a billion are Unix seconds (2001 onwards); smaller ones are a delay.
fn reset_time(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(number) = value.parse::<i64>() {
        if number > 1_000_000_000 {
            return DateTime::from_timestamp(number, 0).map(|at| until(at, now));
        }
        return u64::try_from(number).ok().map(Duration::from_secs);
    }
    // Jira writes minutes only (`2026-03-02T10:02Z`): add the seconds RFC 3339 needs.
    let with_seconds = value
        .get(..16)
        .zip(value.get(16..))
        .map(|(minutes, zone)| format!("{minutes}:00{zone}"));
    let at = DateTime::parse_from_rfc3339(value)
        .or_else(|e| with_seconds.map_or(Err(e), |v| DateTime::parse_from_rfc3339(&v)))
        .ok()?;
    Some(until(at.with_timezone(&Utc), now))
}

fn until(at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (at - now).to_std().unwrap_or(Duration::ZERO)
}

fn quote_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".to_string();
    }
    let mut quoted: String = text.chars().take(MAX_QUOTED_BODY).collect();
    if quoted.len() < text.len() {
        quoted.push('…');
    }
    quoted.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn answer(status: u16, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: b"{\"error\":\"nope\"}".to_vec(),
        }
    }

    fn after(response: HttpResponse) -> Option<Duration> {
        match classify("GET /x", response, now()) {
            Err(Outcome::Retry { after, .. }) => after,
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        assert_eq!(
            after(answer(429, &[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        let date = answer(429, &[("Retry-After", "Mon, 02 Mar 2026 10:01:30 GMT")]);
        assert_eq!(after(date), Some(Duration::from_secs(90)));
    }

    #[test]
    fn vendor_rate_limit_headers_are_read() {
        let helpscout = answer(429, &[("X-RateLimit-Retry-After", "12")]);
        assert_eq!(after(helpscout), Some(Duration::from_secs(12)));
        let zendesk = answer(429, &[("ratelimit-reset", "30")]);
        assert_eq!(after(zendesk), Some(Duration::from_secs(30)));
        let epoch = (now().timestamp() + 45).to_string();
        let intercom = answer(429, &[("X-RateLimit-Reset", epoch.as_str())]);
        assert_eq!(after(intercom), Some(Duration::from_secs(45)));
        let jira = answer(429, &[("X-RateLimit-Reset", "2026-03-02T10:02Z")]);
        assert_eq!(after(jira), Some(Duration::from_secs(120)));
    }

    #[test]
    fn server_errors_and_conflicts_retry_with_backoff() {
        assert_eq!(after(answer(500, &[])), None);
        assert_eq!(after(answer(409, &[])), None);
    }

    #[test]
    fn other_client_errors_fail_with_the_status_and_body() {
        let outcome = classify("PUT /api/v2/tickets/1", answer(403, &[]), now()).unwrap_err();
        assert_eq!(
            outcome,
            Outcome::Failed {
                status: Some(403),
                message: "PUT /api/v2/tickets/1 answered 403: {\"error\":\"nope\"}".into()
            }
        );
        assert!(classify("GET /x", answer(204, &[]), now()).is_ok());
    }
}
