//! Validation of a [`CalendarSpec`] into typed rules: local intervals per weekday, holiday date
//! ranges, date overrides and exclusions. Every error names the offending field.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate};
use chrono_tz::Tz;

use crate::instant::{in_range, Nanos, DAY, SECOND};
use crate::spec::{CalendarSpec, HolidaySpec, HoursSpec, IntervalSpec, SeasonSpec};
use crate::CalendarError;

/// Local intervals of one day: offsets from that day's midnight, `end` past `DAY` when overnight.
pub(crate) type DayIntervals = Vec<(Nanos, Nanos)>;

/// First and last years (inclusive) whose dates a calendar may name.
pub(crate) const FIRST_YEAR: i32 = 1900;
pub(crate) const LAST_YEAR: i32 = 2199;

/// The zone value that reads weekly hours in the requester's time zone.
pub(crate) const REQUESTER: &str = "requester";

/// Weekly hours replacing the regular ones between two local dates.
#[derive(Debug, Clone)]
pub(crate) struct Season {
    /// First and last day numbers, inclusive.
    pub from: i64,
    pub to: i64,
    /// Monday first.
    pub weekly: [DayIntervals; 7],
}

/// A spec checked and turned into numbers.
#[derive(Debug, Clone)]
pub(crate) struct CalendarRules {
    pub tz: Tz,
    /// `timezone: requester`: `tz` is the default zone, replaced per requester.
    pub requester: bool,
    /// Monday first.
    pub weekly: [DayIntervals; 7],
    /// Sorted, disjoint seasons.
    pub seasons: Vec<Season>,
    /// Closed local dates as inclusive day-number ranges (days since 1970-01-01), sorted, merged.
    pub holidays: Vec<(i64, i64)>,
    /// Day number to that date's intervals.
    pub overrides: BTreeMap<i64, DayIntervals>,
    /// Absolute closed spans.
    pub exclusions: Vec<(Nanos, Nanos)>,
}

fn err(field: impl Into<String>, reason: impl Into<String>) -> CalendarError {
    CalendarError {
        field: field.into(),
        reason: reason.into(),
    }
}

impl CalendarRules {
    /// Checks a zoned (non-union) spec; `extra_holidays` are day ranges read from `holidays_ics`.
    pub fn from_spec(
        spec: &CalendarSpec,
        extra_holidays: &[(i64, i64)],
    ) -> Result<CalendarRules, CalendarError> {
        let (tz, requester) = parse_zone(spec)?;
        let hours = spec
            .hours
            .as_ref()
            .ok_or_else(|| err("hours", "missing: give weekly hours, \"24x7\" or a union"))?;
        let weekly = parse_weekly(hours, "hours")?;
        let seasons = parse_seasons(&spec.seasons)?;
        let holidays = parse_holidays(&spec.holidays, extra_holidays)?;
        let mut overrides = BTreeMap::new();
        for (date, intervals) in &spec.date_overrides {
            let field = format!("date_overrides.{date}");
            let day = parse_date(date, &field)?;
            overrides.insert(day, parse_day(intervals, &field)?);
        }
        let exclusions = Self::exclusions_of(spec)?;
        if weekly.iter().all(Vec::is_empty) {
            return Err(err(
                "hours",
                "no open time in a regular week: the calendar is never open, so adding business time would never end",
            ));
        }
        Ok(CalendarRules {
            tz,
            requester,
            weekly,
            seasons,
            holidays,
            overrides,
            exclusions,
        })
    }
}

/// The zone and whether it is the requester's: `timezone` names an IANA zone, or is
/// `requester` with the fallback in `default_timezone`.
fn parse_zone(spec: &CalendarSpec) -> Result<(Tz, bool), CalendarError> {
    let zone = |text: &str, field: &str| -> Result<Tz, CalendarError> {
        text.parse()
            .map_err(|_| err(field, format!("unknown IANA time zone {text:?}")))
    };
    let timezone = spec.timezone.as_deref().ok_or_else(|| {
        err(
            "timezone",
            "missing: give an IANA time zone or \"requester\"",
        )
    })?;
    match (timezone, spec.default_timezone.as_deref()) {
        (REQUESTER, Some(default)) => Ok((zone(default, "default_timezone")?, true)),
        (REQUESTER, None) => Err(err(
            "default_timezone",
            "missing: timezone: requester needs the IANA zone to use when a requester has none",
        )),
        (_, Some(_)) => Err(err(
            "default_timezone",
            "only allowed with timezone: requester",
        )),
        (name, None) => Ok((zone(name, "timezone")?, false)),
    }
}

impl CalendarRules {
    /// The spec's absolute exclusions, checked.
    pub fn exclusions_of(spec: &CalendarSpec) -> Result<Vec<(Nanos, Nanos)>, CalendarError> {
        spec.exclusions
            .iter()
            .enumerate()
            .map(|(i, [start, end])| parse_exclusion(i, start, end))
            .collect()
    }
}

fn parse_weekly(hours: &HoursSpec, field: &str) -> Result<[DayIntervals; 7], CalendarError> {
    match hours {
        HoursSpec::Always(_) => Ok(std::array::from_fn(|_| vec![(0, DAY)])),
        HoursSpec::Weekly(week) => {
            let days = week.days();
            let mut out: [DayIntervals; 7] = Default::default();
            for (slot, (name, intervals)) in out.iter_mut().zip(days) {
                *slot = parse_day(intervals, &format!("{field}.{name}"))?;
            }
            Ok(out)
        }
    }
}

/// Parses seasons and rejects reversed or overlapping ones.
fn parse_seasons(seasons: &[SeasonSpec]) -> Result<Vec<Season>, CalendarError> {
    let mut parsed = Vec::with_capacity(seasons.len());
    for (i, season) in seasons.iter().enumerate() {
        let field = format!("seasons[{i}]");
        let from = parse_date(&season.from, &format!("{field}.from"))?;
        let to = parse_date(&season.to, &format!("{field}.to"))?;
        if to < from {
            return Err(err(
                field,
                format!("to ({}) is before from ({})", season.to, season.from),
            ));
        }
        let weekly = parse_weekly(&season.hours, &format!("{field}.hours"))?;
        parsed.push((Season { from, to, weekly }, i));
    }
    parsed.sort_unstable_by_key(|(season, _)| season.from);
    for pair in parsed.windows(2) {
        let ((a, i), (b, j)) = (&pair[0], &pair[1]);
        if b.from <= a.to {
            let (x, y) = ((*i).min(*j), (*i).max(*j));
            return Err(err(
                format!("seasons[{y}]"),
                format!(
                    "{} to {} overlaps seasons[{x}] ({} to {})",
                    seasons[y].from, seasons[y].to, seasons[x].from, seasons[x].to
                ),
            ));
        }
    }
    Ok(parsed.into_iter().map(|(season, _)| season).collect())
}

/// Parses one day's intervals and rejects overlaps between them.
fn parse_day(intervals: &[IntervalSpec], field: &str) -> Result<DayIntervals, CalendarError> {
    let mut parsed = Vec::with_capacity(intervals.len());
    for (i, [start, end]) in intervals.iter().enumerate() {
        let s = parse_time(start, &format!("{field}[{i}][0]"))?;
        if s == DAY {
            return Err(err(
                format!("{field}[{i}][0]"),
                "\"24:00\" can only end an interval",
            ));
        }
        let e = parse_time(end, &format!("{field}[{i}][1]"))?;
        let e = if e <= s { e + DAY } else { e };
        parsed.push((s, e, i));
    }
    let mut sorted = parsed.clone();
    sorted.sort_unstable();
    for pair in sorted.windows(2) {
        let ((_, a_end, a), (b_start, _, b)) = (pair[0], pair[1]);
        if b_start < a_end {
            let (x, y) = (a.min(b), a.max(b));
            return Err(err(
                field,
                format!(
                    "intervals [{x}] {}-{} and [{y}] {}-{} overlap",
                    intervals[x][0], intervals[x][1], intervals[y][0], intervals[y][1]
                ),
            ));
        }
    }
    Ok(parsed.into_iter().map(|(s, e, _)| (s, e)).collect())
}

/// `"HH:MM"` from `"00:00"` to `"24:00"`, as nanoseconds after midnight.
fn parse_time(text: &str, field: &str) -> Result<Nanos, CalendarError> {
    let bad = || {
        err(
            field,
            format!("{text:?} is not a time of day (HH:MM, 00:00 to 24:00)"),
        )
    };
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return Err(bad());
    }
    let number = |digits: &[u8]| -> Option<i64> {
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let (h, m) = (
        number(&bytes[..2]).ok_or_else(bad)?,
        number(&bytes[3..]).ok_or_else(bad)?,
    );
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok((h * 3_600 + m * 60) * SECOND)
}

/// `"YYYY-MM-DD"` in the supported years, as days since 1970-01-01.
fn parse_date(text: &str, field: &str) -> Result<i64, CalendarError> {
    let date = (text.len() == 10)
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| err(field, format!("{text:?} is not a date (YYYY-MM-DD)")))?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return Err(err(
            field,
            format!("{text} is outside the supported years {FIRST_YEAR} to {LAST_YEAR}"),
        ));
    }
    Ok(day_number(date))
}

pub(crate) fn day_number(date: NaiveDate) -> i64 {
    /// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
    const UNIX_EPOCH_FROM_CE: i64 = 719_163;
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_FROM_CE
}

fn parse_holidays(
    holidays: &[HolidaySpec],
    extra: &[(i64, i64)],
) -> Result<Vec<(i64, i64)>, CalendarError> {
    let mut ranges = extra.to_vec();
    for (i, holiday) in holidays.iter().enumerate() {
        match holiday {
            HolidaySpec::Date(date) => {
                let day = parse_date(date, &format!("holidays[{i}]"))?;
                ranges.push((day, day));
            }
            HolidaySpec::Range { from, to } => {
                let lo = parse_date(from, &format!("holidays[{i}].from"))?;
                let hi = parse_date(to, &format!("holidays[{i}].to"))?;
                if hi < lo {
                    return Err(err(
                        format!("holidays[{i}]"),
                        format!("to ({to}) is before from ({from})"),
                    ));
                }
                ranges.push((lo, hi));
            }
            HolidaySpec::Yearly { yearly } => {
                let field = format!("holidays[{i}].yearly");
                let (month, day) = parse_month_day(yearly, &field)?;
                for year in FIRST_YEAR..=LAST_YEAR {
                    if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
                        ranges.push((day_number(date), day_number(date)));
                    }
                }
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    Ok(merged)
}

/// `"MM-DD"`; `"02-29"` applies in leap years only.
fn parse_month_day(text: &str, field: &str) -> Result<(u32, u32), CalendarError> {
    let bad = || err(field, format!("{text:?} is not a month and day (MM-DD)"));
    if text.len() != 5 {
        return Err(bad());
    }
    let date = NaiveDate::parse_from_str(&format!("2000-{text}"), "%Y-%m-%d").map_err(|_| bad())?;
    Ok((date.month(), date.day()))
}

fn parse_exclusion(i: usize, start: &str, end: &str) -> Result<(Nanos, Nanos), CalendarError> {
    let s = parse_instant(start, &format!("exclusions[{i}][0]"))?;
    let e = parse_instant(end, &format!("exclusions[{i}][1]"))?;
    if e < s {
        return Err(err(
            format!("exclusions[{i}]"),
            format!("end {end} is before start {start}"),
        ));
    }
    Ok((s, e))
}

fn parse_instant(text: &str, field: &str) -> Result<Nanos, CalendarError> {
    let t = DateTime::parse_from_rfc3339(text)
        .map_err(|e| err(field, format!("{text:?} is not an RFC 3339 instant ({e})")))?
        .to_utc();
    if !in_range(t) {
        return Err(err(field, format!("{text} is outside the supported range 1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z")));
    }
    Ok(crate::instant::clamp_nanos(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> Result<CalendarRules, String> {
        let spec: CalendarSpec = serde_json::from_value(json).map_err(|e| e.to_string())?;
        CalendarRules::from_spec(&spec, &[]).map_err(|e| e.to_string())
    }

    #[test]
    fn bad_time_names_the_interval_end() {
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": {"mon": [["09:00", "12:00"], ["25:00", "26:00"]]}}),
        );
        assert_eq!(
            e.unwrap_err(),
            r#"hours.mon[1][0]: "25:00" is not a time of day (HH:MM, 00:00 to 24:00)"#
        );
    }

    #[test]
    fn unknown_zone_is_named() {
        let e = spec(serde_json::json!({"timezone": "Europe/Pariss", "hours": "24x7"}));
        assert_eq!(
            e.unwrap_err(),
            r#"timezone: unknown IANA time zone "Europe/Pariss""#
        );
    }

    #[test]
    fn overlapping_intervals_name_the_day() {
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": {"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}}),
        );
        assert_eq!(
            e.unwrap_err(),
            "hours.tue: intervals [0] 09:00-12:00 and [1] 11:00-13:00 overlap"
        );
    }

    #[test]
    fn overnight_interval_overlapping_a_morning_one_is_rejected() {
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": {"fri": [["22:00", "06:00"], ["01:00", "03:00"]]}}),
        );
        assert!(
            e.is_ok(),
            "01:00-03:00 is on the morning of the same day, before 22:00"
        );
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": {"fri": [["20:00", "02:00"], ["21:00", "23:00"]]}}),
        );
        assert_eq!(
            e.unwrap_err(),
            "hours.fri: intervals [0] 20:00-02:00 and [1] 21:00-23:00 overlap"
        );
    }

    #[test]
    fn adjacent_intervals_are_fine_and_24_00_only_ends() {
        assert!(spec(serde_json::json!({"timezone": "UTC", "hours": {"mon": [["09:00", "12:00"], ["12:00", "24:00"]]}})).is_ok());
        let e =
            spec(serde_json::json!({"timezone": "UTC", "hours": {"mon": [["24:00", "02:00"]]}}));
        assert_eq!(
            e.unwrap_err(),
            "hours.mon[0][0]: \"24:00\" can only end an interval"
        );
    }

    #[test]
    fn never_open_calendar_is_rejected() {
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": {}, "date_overrides": {"2026-01-05": [["09:00", "10:00"]]}}),
        );
        assert!(e
            .unwrap_err()
            .starts_with("hours: no open time in a regular week"));
    }

    #[test]
    fn bad_dates_name_the_holiday_field() {
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": "24x7", "holidays": ["2026-02-30"]}),
        );
        assert_eq!(
            e.unwrap_err(),
            r#"holidays[0]: "2026-02-30" is not a date (YYYY-MM-DD)"#
        );
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": "24x7", "holidays": [{"from": "2026-12-26", "to": "2026-12-24"}]}),
        );
        assert_eq!(
            e.unwrap_err(),
            "holidays[0]: to (2026-12-24) is before from (2026-12-26)"
        );
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": "24x7", "holidays": [{"yearly": "13-01"}]}),
        );
        assert_eq!(
            e.unwrap_err(),
            r#"holidays[0].yearly: "13-01" is not a month and day (MM-DD)"#
        );
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": "24x7", "date_overrides": {"1850-01-01": []}}),
        );
        assert_eq!(
            e.unwrap_err(),
            "date_overrides.1850-01-01: 1850-01-01 is outside the supported years 1900 to 2199"
        );
    }

    #[test]
    fn bad_exclusion_names_its_end() {
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": "24x7", "exclusions": [["2026-01-01T00:00:00Z", "tomorrow"]]}),
        );
        assert!(e
            .unwrap_err()
            .starts_with(r#"exclusions[0][1]: "tomorrow" is not an RFC 3339 instant"#));
    }

    #[test]
    fn unknown_keys_and_shapes_are_rejected_by_serde() {
        let e = spec(serde_json::json!({"timezone": "UTC", "hours": {"mon": [], "mond": []}}));
        assert!(e.unwrap_err().contains("unknown field `mond`"));
        let e = spec(serde_json::json!({"timezone": "UTC", "hours": "24/7"}));
        assert!(e.unwrap_err().contains("\"24x7\" or a map of weekdays"));
        let e = spec(
            serde_json::json!({"timezone": "UTC", "hours": "24x7", "holidays": [{"form": "2026-01-01"}]}),
        );
        assert!(e.unwrap_err().contains("unknown field `form`"));
        let e = spec(serde_json::json!({"timezone": "UTC", "hours": "24x7", "colour": "red"}));
        assert!(e.unwrap_err().contains("unknown field `colour`"));
    }

    #[test]
    fn yearly_holidays_expand_and_merge() {
        let rules = spec(serde_json::json!({"timezone": "UTC", "hours": "24x7", "holidays": [{"yearly": "02-29"}, "2024-03-01"]})).unwrap();
        let feb29_2024 = day_number(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert!(rules.holidays.contains(&(feb29_2024, feb29_2024 + 1)));
        assert_eq!(
            rules.holidays.len(),
            73,
            "leap years 1904..2196 (1900 and 2100 are not leap years)"
        );
    }
}
