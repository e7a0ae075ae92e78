//! The `sla calc` protocol: one JSON request per line in, one JSON response per line out.
//!
//! Request: `{"calendar": {...}, "op": "add_business_duration" | "subtract_business_duration" |
//! "business_duration_between" | "is_open" | "next_open" | "next_close", "start": RFC 3339,
//! "end": RFC 3339, "duration_seconds": number}`.
//! Response: `{"result": "2026-01-05T09:00:00Z" | 3600 | true | null}` or `{"error": "field: reason"}`.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::instant::{duration_nanos, in_range, SECOND};
use crate::{Calendar, CalendarSpec};

/// Compiled calendars kept at most; the cache is emptied when it fills up.
const CACHE_CAPACITY: usize = 64;

/// The answer to one request line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// An instant, printed in UTC with `Z`.
    Instant(DateTime<Utc>),
    /// A business duration, printed as seconds.
    Seconds(Duration),
    /// `is_open`'s answer.
    Bool(bool),
    /// `next_open`/`next_close` found nothing before the end of the supported range.
    Never,
    /// The line could not be answered: `field: reason`.
    Error(String),
}

impl Response {
    /// Writes the response as one JSON line (with the trailing newline).
    pub fn write_line(&self, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            Response::Instant(t) => {
                writeln!(
                    out,
                    r#"{{"result":"{}"}}"#,
                    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
                )
            }
            Response::Seconds(d) => writeln!(out, r#"{{"result":{}}}"#, seconds_text(*d)),
            Response::Bool(b) => writeln!(out, r#"{{"result":{b}}}"#),
            Response::Never => writeln!(out, r#"{{"result":null}}"#),
            Response::Error(message) => {
                let quoted = serde_json::Value::from(message.as_str());
                writeln!(out, r#"{{"error":{quoted}}}"#)
            }
        }
    }

    /// The response as a JSON value (what [`Response::write_line`] prints).
    pub fn to_json(&self) -> serde_json::Value {
        let mut line = Vec::new();
        // Writing to a Vec cannot fail, and every line `write_line` builds is valid JSON
        // (instants, numbers and booleans are printed directly, strings through
        // serde_json), so neither error case can happen.
        match self.write_line(&mut line) {
            Ok(()) => serde_json::from_slice(&line).unwrap_or(serde_json::Value::Null),
            Err(_) => serde_json::Value::Null,
        }
    }
}

/// A duration as a JSON number of seconds: an integer when whole, else up to nine decimals.
fn seconds_text(d: Duration) -> String {
    let n = duration_nanos(d);
    let (sign, abs) = if n < 0 { ("-", -n) } else { ("", n) };
    let (secs, frac) = (abs / i128::from(SECOND), abs % i128::from(SECOND));
    if frac == 0 {
        format!("{sign}{secs}")
    } else {
        let digits = format!("{frac:09}");
        format!("{sign}{secs}.{}", digits.trim_end_matches('0'))
    }
}

/// Evaluates request lines, caching compiled calendars by their JSON text.
#[derive(Debug, Default)]
pub struct Evaluator {
    calendars: HashMap<String, Result<Calendar, String>>,
}

/// The request fields, still raw so each error can name its field.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest<'a> {
    #[serde(borrow)]
    calendar: Option<&'a RawValue>,
    #[serde(borrow)]
    op: Option<&'a RawValue>,
    #[serde(borrow)]
    start: Option<&'a RawValue>,
    #[serde(borrow)]
    end: Option<&'a RawValue>,
    #[serde(borrow)]
    duration_seconds: Option<&'a RawValue>,
}

impl Evaluator {
    /// An evaluator with an empty calendar cache.
    pub fn new() -> Evaluator {
        Evaluator::default()
    }

    /// Answers one request line.
    pub fn evaluate(&mut self, line: &str) -> Response {
        self.try_evaluate(line).unwrap_or_else(Response::Error)
    }

    fn try_evaluate(&mut self, line: &str) -> Result<Response, String> {
        if line.trim().is_empty() {
            return Err("line: empty; expected a JSON object".into());
        }
        let request: RawRequest = serde_json::from_str(line).map_err(|e| format!("line: {e}"))?;
        let calendar = self.calendar(required(request.calendar, "calendar")?)?;
        apply(&calendar, &request)
    }

    /// The compiled calendar for this JSON text, compiling it on first sight.
    fn calendar(&mut self, raw: &RawValue) -> Result<Calendar, String> {
        if let Some(compiled) = self.calendars.get(raw.get()) {
            return compiled.clone();
        }
        let compiled = serde_json::from_str::<CalendarSpec>(raw.get())
            .map_err(|e| format!("calendar: {e}"))
            .and_then(|spec| Calendar::compile(&spec).map_err(|e| format!("calendar.{e}")));
        if self.calendars.len() >= CACHE_CAPACITY {
            self.calendars.clear();
        }
        self.calendars
            .insert(raw.get().to_owned(), compiled.clone());
        compiled
    }
}

/// Answers one request line on an already compiled calendar (its `calendar` field, if any, is
/// ignored): how calendars that need their document (unions, `.ics` holidays) or a requester's
/// zone are queried with the same protocol.
pub fn evaluate_on(calendar: &Calendar, line: &str) -> Response {
    serde_json::from_str::<RawRequest>(line)
        .map_err(|e| format!("line: {e}"))
        .and_then(|request| apply(calendar, &request))
        .unwrap_or_else(Response::Error)
}

fn apply(calendar: &Calendar, request: &RawRequest) -> Result<Response, String> {
    let op = string_field(request.op, "op")?;
    let start = || instant_field(request.start, "start");
    match op.as_str() {
            "add_business_duration" => {
                let d = duration_field(request.duration_seconds)?;
                let due = calendar.try_add(start()?, d).map_err(|e| format!("result: {e}"))?;
                Ok(Response::Instant(due))
            }
            "subtract_business_duration" => {
                let d = duration_field(request.duration_seconds)?;
                let due = calendar.try_subtract(start()?, d).map_err(|e| format!("result: {e}"))?;
                Ok(Response::Instant(due))
            }
            "business_duration_between" => {
                let end = instant_field(request.end, "end")?;
                Ok(Response::Seconds(calendar.between(start()?, end)))
            }
            "is_open" => Ok(Response::Bool(calendar.is_open(start()?))),
            "next_open" => Ok(calendar.next_open(start()?).map_or(Response::Never, Response::Instant)),
            "next_close" => Ok(calendar.next_close(start()?).map_or(Response::Never, Response::Instant)),
            other => Err(format!(
                "op: unknown operation {other:?}; expected add_business_duration, subtract_business_duration, \
                 business_duration_between, is_open, next_open or next_close"
            )),
        }
}

fn required<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<&'a RawValue, String> {
    raw.ok_or_else(|| format!("{field}: missing"))
}

fn string_field(raw: Option<&RawValue>, field: &str) -> Result<String, String> {
    let raw = required(raw, field)?;
    serde_json::from_str::<String>(raw.get())
        .map_err(|_| format!("{field}: expected a string, got {}", raw.get()))
}

fn instant_field(raw: Option<&RawValue>, field: &str) -> Result<DateTime<Utc>, String> {
    let text = string_field(raw, field)?;
    let t = DateTime::parse_from_rfc3339(&text)
        .map_err(|e| format!("{field}: {text:?} is not an RFC 3339 instant ({e})"))?
        .to_utc();
    if !in_range(t) {
        return Err(format!(
            "{field}: {text} is outside the supported range 1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z"
        ));
    }
    Ok(t)
}

/// `duration_seconds`: an exact decimal (`3600`, `-1.5`, `0.000000001`) or, with an exponent, a float.
fn duration_field(raw: Option<&RawValue>) -> Result<Duration, String> {
    const FIELD: &str = "duration_seconds";
    let text = required(raw, FIELD)?.get();
    let bad = |why: &str| format!("{FIELD}: {text} {why}");
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(bad("is not a number of seconds"));
    }
    let nanos = if text.contains(['e', 'E']) {
        let value: f64 = text
            .parse()
            .map_err(|_| bad("is not a number of seconds"))?;
        let nanos = (value * 1e9).round();
        if !nanos.is_finite() || nanos.abs() > 9.0e27 {
            return Err(bad("is too large"));
        }
        nanos as i128
    } else {
        decimal_nanos(text)
            .ok_or_else(|| bad("is not a number of seconds with at most nine decimals"))?
    };
    let secs =
        i64::try_from(nanos.div_euclid(i128::from(SECOND))).map_err(|_| bad("is too large"))?;
    Duration::new(secs, nanos.rem_euclid(i128::from(SECOND)) as u32)
        .ok_or_else(|| bad("is too large"))
}

/// An exact decimal literal as nanoseconds.
fn decimal_nanos(text: &str) -> Option<i128> {
    let (negative, digits) = text
        .strip_prefix('-')
        .map_or((false, text), |rest| (true, rest));
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || frac.len() > 9 || whole.len() > 20 {
        return None;
    }
    let parse = |s: &str| {
        s.bytes().try_fold(0i128, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + i128::from(b - b'0'))
        })
    };
    let frac_nanos = parse(frac)? * 10i128.pow(9 - frac.len() as u32);
    let n = parse(whole)? * i128::from(SECOND) + frac_nanos;
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAL: &str = r#"{"timezone":"UTC","hours":{"mon":[["09:00","17:00"]]}}"#;

    fn answer(line: &str) -> String {
        let mut out = Vec::new();
        Evaluator::new()
            .evaluate(line)
            .write_line(&mut out)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn add_prints_utc_with_z() {
        let line = format!(
            r#"{{"calendar":{CAL},"op":"add_business_duration","start":"2026-01-05T10:00:00+01:00","duration_seconds":3600}}"#
        );
        assert_eq!(answer(&line), "{\"result\":\"2026-01-05T10:00:00Z\"}\n");
    }

    #[test]
    fn between_prints_fractional_seconds_exactly() {
        let line = format!(
            r#"{{"calendar":{CAL},"op":"business_duration_between","start":"2026-01-05T09:00:00Z","end":"2026-01-05T09:00:01.5Z"}}"#
        );
        assert_eq!(answer(&line), "{\"result\":1.5}\n");
    }

    #[test]
    fn errors_name_the_field() {
        let line = format!(
            r#"{{"calendar":{CAL},"op":"add_business_duration","start":"yesterday","duration_seconds":1}}"#
        );
        assert!(answer(&line)
            .starts_with(r#"{"error":"start: \"yesterday\" is not an RFC 3339 instant"#));
        let line = format!(
            r#"{{"calendar":{CAL},"op":"add_business_duration","start":"2026-01-05T09:00:00Z"}}"#
        );
        assert_eq!(answer(&line), "{\"error\":\"duration_seconds: missing\"}\n");
        let line = r#"{"calendar":{"timezone":"Mars/Olympus","hours":"24x7"},"op":"is_open","start":"2026-01-05T09:00:00Z"}"#;
        assert_eq!(
            answer(line),
            "{\"error\":\"calendar.timezone: unknown IANA time zone \\\"Mars/Olympus\\\"\"}\n"
        );
        let line =
            format!(r#"{{"calendar":{CAL},"op":"teleport","start":"2026-01-05T09:00:00Z"}}"#);
        assert!(answer(&line).starts_with(r#"{"error":"op: unknown operation \"teleport\""#));
        assert_eq!(
            answer("   "),
            "{\"error\":\"line: empty; expected a JSON object\"}\n"
        );
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        let line = format!(r#"{{"calendar":{CAL},"op":"is_open","start":"2300-01-01T00:00:00Z"}}"#);
        assert!(
            answer(&line).contains("start: 2300-01-01T00:00:00Z is outside the supported range")
        );
        let line = format!(
            r#"{{"calendar":{CAL},"op":"add_business_duration","start":"2199-12-01T00:00:00Z","duration_seconds":1e12}}"#
        );
        assert!(answer(&line).contains("result: the result would lie outside the supported range"));
    }

    #[test]
    fn decimal_durations_are_exact() {
        assert_eq!(decimal_nanos("1.000000001"), Some(1_000_000_001));
        assert_eq!(decimal_nanos("-0.5"), Some(-500_000_000));
        assert_eq!(decimal_nanos("1.0000000001"), None);
        assert_eq!(
            seconds_text(Duration::new(-2, 500_000_000).unwrap()),
            "-1.5"
        );
    }
}
