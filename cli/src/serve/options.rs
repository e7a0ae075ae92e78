//! Parsing of `sla serve` flag values: intervals, instants and the events destination.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Where SLA events go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsTarget {
    /// JSON lines on standard output (logs then go to standard error only).
    Stdout,
    /// JSON lines appended to a file.
    File(PathBuf),
    /// POSTed to an `http://` or `https://` URL, with retries.
    Http(String),
}

impl FromStr for EventsTarget {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty; use stdout, a FILE.jsonl path or an http(s):// URL".into());
        }
        if text == "stdout" || text == "-" {
            return Ok(Self::Stdout);
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            return Ok(Self::Http(text.to_string()));
        }
        Ok(Self::File(PathBuf::from(text)))
    }
}

impl fmt::Display for EventsTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stdout => f.write_str("stdout"),
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Http(url) => f.write_str(url),
        }
    }
}

/// Parses an interval such as `15s`, `500ms`, `2m` or `1h` (a number and one unit).
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} has no unit; use ms, s, m or h (e.g. 15s)"))?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} does not start with a whole number"))?;
    let millis = match unit {
        "ms" => number,
        "s" => number.saturating_mul(1_000),
        "m" => number.saturating_mul(60_000),
        "h" => number.saturating_mul(3_600_000),
        _ => {
            return Err(format!(
                "{text:?}: unknown unit {unit:?}; use ms, s, m or h"
            ))
        }
    };
    if millis == 0 {
        return Err(format!(
            "{text:?} is zero; the sweep needs a positive interval"
        ));
    }
    Ok(Duration::from_millis(millis))
}

/// Parses an RFC 3339 instant (any offset) into UTC.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("{text:?} is not an RFC 3339 instant (e.g. 2026-03-02T09:00:00Z): {e}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_take_one_unit() {
        assert_eq!(parse_interval("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_interval("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_interval("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_interval("15").unwrap_err().contains("no unit"));
        assert!(parse_interval("1d").unwrap_err().contains("unknown unit"));
        assert!(parse_interval("0s").unwrap_err().contains("zero"));
        assert!(parse_interval("s").is_err());
    }

    #[test]
    fn events_target_by_shape() {
        assert_eq!("stdout".parse(), Ok(EventsTarget::Stdout));
        assert_eq!(
            "https://hooks.example.com/sla".parse(),
            Ok(EventsTarget::Http("https://hooks.example.com/sla".into()))
        );
        assert_eq!(
            "events.jsonl".parse(),
            Ok(EventsTarget::File(PathBuf::from("events.jsonl")))
        );
        assert!("".parse::<EventsTarget>().is_err());
    }

    #[test]
    fn instants_are_rfc3339() {
        let t = parse_instant("2026-03-02T10:00:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T09:00:00+00:00");
        assert!(parse_instant("2026-03-02 09:00").is_err());
    }
}
