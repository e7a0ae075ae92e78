//! Vendors' time formats: epoch seconds or milliseconds (numbers or digit strings,
//! fractions allowed), RFC 3339 with any precision, and offsets without a colon; and the
//! range every event instant must fall in.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

/// Earliest accepted event instant (the calendars' supported range), inclusive.
pub const EARLIEST_INSTANT: &str = "1900-01-01T00:00:00Z";
/// Latest accepted event instant, exclusive.
pub const LATEST_INSTANT: &str = "2200-01-01T00:00:00Z";
/// [`EARLIEST_INSTANT`] in Unix seconds.
const EARLIEST_SECS: i64 = -2_208_988_800;
/// [`LATEST_INSTANT`] in Unix seconds.
const LATEST_SECS: i64 = 7_258_118_400;

/// True if `at` lies in `[1900-01-01, 2200-01-01)`, the range every instant on the
/// ingest path may take (so no later arithmetic on it can overflow).
pub fn in_range(at: DateTime<Utc>) -> bool {
    (EARLIEST_SECS..LATEST_SECS).contains(&at.timestamp())
}

/// `at` if [`in_range`], else `None`.
fn checked(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    in_range(at).then_some(at)
}

/// Epoch values at or above this are read as milliseconds (year 5138 in seconds).
const MILLIS_THRESHOLD: f64 = 1e11;

/// Why a value is not an acceptable instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadInstant {
    /// Not a time in any accepted format.
    NotATime,
    /// A time, but outside `[1900-01-01, 2200-01-01)`.
    OutOfRange,
}

/// The checked parse every vendor field goes through: a JSON number or string read as an
/// instant, refused when it is not one or lies outside the supported range.
pub(crate) fn parse_checked(value: &Value) -> Result<DateTime<Utc>, BadInstant> {
    match value {
        Value::Number(n) => n.as_f64().ok_or(BadInstant::NotATime).and_then(from_epoch),
        Value::String(s) => parse_text(s),
        _ => Err(BadInstant::NotATime),
    }
}

/// Reads an instant from text in any accepted format, within the supported range.
pub(crate) fn from_text(text: &str) -> Option<DateTime<Utc>> {
    parse_text(text).ok()
}

fn parse_text(text: &str) -> Result<DateTime<Utc>, BadInstant> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return from_epoch(text.parse().map_err(|_| BadInstant::NotATime)?);
    }
    let at = from_formats(text).ok_or(BadInstant::NotATime)?;
    checked(at).ok_or(BadInstant::OutOfRange)
}

fn from_formats(text: &str) -> Option<DateTime<Utc>> {
    if text.is_empty() {
        return None;
    }
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(parsed) = DateTime::parse_from_str(text, format) {
            return Some(parsed.with_timezone(&Utc));
        }
    }
    // A trailing `Z` on the space-separated form, or no zone at all: UTC.
    let bare = text.trim_end_matches(['Z', 'z']).trim_end_matches(" UTC");
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(parsed) = NaiveDateTime::parse_from_str(bare, format) {
            return Some(parsed.and_utc());
        }
    }
    None
}

fn from_epoch(value: f64) -> Result<DateTime<Utc>, BadInstant> {
    if !value.is_finite() || value < 0.0 {
        return Err(BadInstant::NotATime);
    }
    let millis = if value >= MILLIS_THRESHOLD {
        value
    } else {
        value * 1000.0
    };
    let seconds = millis / 1000.0;
    if seconds < EARLIEST_SECS as f64 || seconds >= LATEST_SECS as f64 {
        return Err(BadInstant::OutOfRange);
    }
    // In range, so the cast is exact enough and cannot overflow.
    DateTime::from_timestamp_millis(millis.round() as i64)
        .and_then(checked)
        .ok_or(BadInstant::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn instant(value: &Value) -> Option<DateTime<Utc>> {
        parse_checked(value).ok()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn accepts_every_vendor_format() {
        let cases = [
            (json!(1_525_698_237), "2018-05-07T13:03:57Z"),
            (json!(1_525_698_237_764_i64), "2018-05-07T13:03:57.764Z"),
            (json!("1525698237"), "2018-05-07T13:03:57Z"),
            (json!(1_453_770_984.123), "2016-01-26T01:16:24.123Z"),
            (
                json!("2025-01-08T14:25:30.123456789Z"),
                "2025-01-08T14:25:30.123456789Z",
            ),
            (
                json!("2018-05-07T15:03:57.000+0200"),
                "2018-05-07T13:03:57Z",
            ),
            (json!("2018-05-07T15:03:57+02:00"), "2018-05-07T13:03:57Z"),
            (json!("2018-05-07 13:03:57 +0000"), "2018-05-07T13:03:57Z"),
            (json!("2018-05-07 13:03:57Z"), "2018-05-07T13:03:57Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(instant(&input), Some(at(expected)), "{input}");
        }
    }

    #[test]
    fn range_constants_agree_with_their_text() {
        assert_eq!(at(EARLIEST_INSTANT).timestamp(), EARLIEST_SECS);
        assert_eq!(at(LATEST_INSTANT).timestamp(), LATEST_SECS);
        assert!(in_range(at(EARLIEST_INSTANT)));
        assert!(!in_range(at(LATEST_INSTANT)));
        assert!(in_range(at("2199-12-31T23:59:59.999Z")));
        assert!(!in_range(at("1899-12-31T23:59:59Z")));
    }

    #[test]
    fn refuses_instants_outside_the_calendar_range() {
        for input in [
            json!("+262142-12-01T00:00:00Z"),
            json!("2200-01-01T00:00:00Z"),
            json!("1899-12-31T23:59:59Z"),
            json!(7_258_118_400_i64),
            json!(99_999_999_999_999_i64),
            json!("9999999999999999"),
        ] {
            assert_eq!(instant(&input), None, "{input}");
        }
    }

    #[test]
    fn says_why_a_value_is_refused() {
        assert_eq!(parse_checked(&json!("soon")), Err(BadInstant::NotATime));
        assert_eq!(parse_checked(&json!(1e300)), Err(BadInstant::OutOfRange));
        assert_eq!(
            parse_checked(&json!(99_999_999_999_999_999_u64)),
            Err(BadInstant::OutOfRange)
        );
        assert_eq!(
            parse_checked(&json!("2300-01-01T00:00:00Z")),
            Err(BadInstant::OutOfRange)
        );
    }

    #[test]
    fn rejects_non_times() {
        for input in [
            json!(""),
            json!("soon"),
            json!(-1),
            json!(true),
            json!(1e300),
            json!(null),
        ] {
            assert_eq!(instant(&input), None, "{input}");
        }
    }
}
