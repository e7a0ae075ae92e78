//! Holidays from iCalendar (RFC 5545) text: the all-day `VEVENT`s of a file, with multi-day
//! events and yearly recurrences.
//!
//! The subset read: line unfolding; `BEGIN`/`END` nesting (properties of other components such
//! as `VTIMEZONE` or `VALARM` are skipped); per event `DTSTART` and `DTEND` as dates
//! (`;VALUE=DATE:20260714`), or `DURATION:P<n>D`/`P<n>W`; `RRULE:FREQ=YEARLY` with `INTERVAL`,
//! `COUNT`, `UNTIL`, `BYMONTH` and `BYMONTHDAY` (single values); `STATUS:CANCELLED` events are
//! skipped. Anything else an event says that would change its dates (a time of day, another
//! frequency, `BYDAY`, `EXDATE`, `RDATE`) is an error naming the line, rather than a silently
//! wrong holiday.

use chrono::{Datelike, Duration, NaiveDate};

use crate::rules::{FIRST_YEAR, LAST_YEAR};

/// Why an iCalendar text was rejected: `holidays/fr.ics line 12: DTSTART "2026071" is not a date (YYYYMMDD)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct IcsError {
    /// The file as named by the calendar.
    pub file: String,
    /// 1-based line number (the first physical line of a folded line).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// The all-day events of one iCalendar file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IcsHolidays {
    events: Vec<Event>,
}

/// One event: first date, length in days, and its yearly rule if any.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Event {
    start: NaiveDate,
    days: i64,
    yearly: Option<Yearly>,
}

/// `RRULE:FREQ=YEARLY` parts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Yearly {
    interval: i32,
    count: Option<u32>,
    until: Option<NaiveDate>,
    month: u32,
    day: u32,
}

/// An event being read, with the line of its `BEGIN:VEVENT`.
#[derive(Default)]
struct Draft {
    line: usize,
    start: Option<NaiveDate>,
    end: Option<(NaiveDate, usize)>,
    days: Option<i64>,
    rrule: Option<(String, usize)>,
    cancelled: bool,
}

impl IcsHolidays {
    /// Parses iCalendar text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<IcsHolidays, IcsError> {
        let fail = |line: usize, reason: String| IcsError {
            file: file.to_string(),
            line,
            reason,
        };
        let mut stack: Vec<String> = Vec::new();
        let mut draft: Option<Draft> = None;
        let mut events = Vec::new();
        for (line, content) in unfold(text) {
            if content.trim().is_empty() {
                continue;
            }
            let (name, params, value) = split_property(&content)
                .ok_or_else(|| fail(line, format!("{content:?} is not a property (NAME:VALUE)")))?;
            match name.as_str() {
                "BEGIN" => {
                    let component = value.to_ascii_uppercase();
                    if stack.is_empty() && component != "VCALENDAR" {
                        return Err(fail(line, format!("BEGIN:{value} outside BEGIN:VCALENDAR")));
                    }
                    if component == "VEVENT" && stack.last().is_some_and(|c| c == "VCALENDAR") {
                        draft = Some(Draft {
                            line,
                            ..Draft::default()
                        });
                    }
                    stack.push(component);
                }
                "END" => {
                    let component = value.to_ascii_uppercase();
                    if stack.pop().as_deref() != Some(component.as_str()) {
                        return Err(fail(
                            line,
                            format!("END:{value} does not close the open component"),
                        ));
                    }
                    if component == "VEVENT" && stack.last().is_some_and(|c| c == "VCALENDAR") {
                        if let Some(event) = draft.take().map(|d| d.finish(&fail)).transpose()? {
                            events.extend(event);
                        }
                    }
                }
                _ if stack.last().is_some_and(|c| c == "VEVENT") => {
                    if let Some(d) = draft.as_mut() {
                        d.property(line, &name, &params, &value)
                            .map_err(|r| fail(line, r))?;
                    }
                }
                _ if stack.is_empty() => {
                    return Err(fail(line, format!("{name} outside BEGIN:VCALENDAR")));
                }
                _ => {}
            }
        }
        if let Some(open) = stack.last() {
            return Err(fail(
                text.lines().count().max(1),
                format!("BEGIN:{open} is never closed"),
            ));
        }
        if events.is_empty() && !text.to_ascii_uppercase().contains("BEGIN:VCALENDAR") {
            return Err(fail(1, "not an iCalendar file: no BEGIN:VCALENDAR".into()));
        }
        Ok(IcsHolidays { events })
    }

    /// Every closed date range (inclusive), each occurrence of a yearly event expanded, within
    /// the supported years.
    pub fn date_ranges(&self) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        for event in &self.events {
            event.occurrences(|from, to| {
                out.push((from, to));
                true
            });
        }
        out
    }

    /// Whether some event (or occurrence) falls on a date in `[from, to]`; for a warning about
    /// a file that is out of date, e.g. with no holiday in the next year.
    pub fn has_events_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.events.iter().any(|event| {
            let mut found = false;
            event.occurrences(|first, last| {
                found = first <= to && from <= last;
                !found && first <= to
            });
            found
        })
    }
}

impl Event {
    /// Calls `visit(first, last)` for each occurrence in date order until it returns false.
    fn occurrences(&self, mut visit: impl FnMut(NaiveDate, NaiveDate) -> bool) {
        let span = Duration::days(self.days - 1);
        let Some(rule) = &self.yearly else {
            visit(self.start, self.start + span);
            return;
        };
        let mut seen = 0u32;
        let mut year = self.start.year();
        while year <= LAST_YEAR && rule.count.is_none_or(|count| seen < count) {
            if let Some(date) = NaiveDate::from_ymd_opt(year, rule.month, rule.day) {
                if rule.until.is_some_and(|until| date > until) {
                    return;
                }
                if date >= self.start {
                    seen += 1;
                    if year >= FIRST_YEAR && !visit(date, date + span) {
                        return;
                    }
                }
            }
            year += rule.interval;
        }
    }
}

impl Draft {
    fn property(
        &mut self,
        line: usize,
        name: &str,
        params: &str,
        value: &str,
    ) -> Result<(), String> {
        match name {
            "DTSTART" => self.start = Some(parse_date_value(name, params, value)?),
            "DTEND" => self.end = Some((parse_date_value(name, params, value)?, line)),
            "DURATION" => self.days = Some(parse_days(value)?),
            "RRULE" => self.rrule = Some((value.to_string(), line)),
            "STATUS" => self.cancelled = value.eq_ignore_ascii_case("CANCELLED"),
            "EXDATE" | "RDATE" | "EXRULE" => {
                return Err(format!(
                    "{name} is not supported (holiday files list dates or yearly rules)"
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self, fail: &impl Fn(usize, String) -> IcsError) -> Result<Option<Event>, IcsError> {
        let start = self
            .start
            .ok_or_else(|| fail(self.line, "VEVENT without DTSTART".into()))?;
        let days = match (self.end, self.days) {
            (Some(_), Some(_)) => {
                return Err(fail(self.line, "VEVENT has both DTEND and DURATION".into()));
            }
            (Some((end, line)), None) => {
                let days = (end - start).num_days();
                if days < 1 {
                    return Err(fail(
                        line,
                        format!("DTEND {end} is not after DTSTART {start}"),
                    ));
                }
                days
            }
            (None, Some(days)) => days,
            (None, None) => 1,
        };
        let yearly = match self.rrule {
            Some((rule, line)) => Some(parse_rrule(&rule, start).map_err(|r| fail(line, r))?),
            None => None,
        };
        Ok((!self.cancelled).then_some(Event {
            start,
            days,
            yearly,
        }))
    }
}

/// Joins folded lines (a line starting with a space or tab continues the previous one);
/// yields each logical line with the number of its first physical line.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ => out.push((i + 1, raw.to_string())),
        }
    }
    out
}

/// `NAME;PARAMS:VALUE` into the upper-case name, the parameters and the value; the value starts
/// after the first colon outside double quotes.
fn split_property(line: &str) -> Option<(String, String, String)> {
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(i, c)| {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some(i),
            _ => {}
        }
        None
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let (name, params) = head.split_once(';').unwrap_or((head, ""));
    if name.is_empty() {
        return None;
    }
    Some((
        name.to_ascii_uppercase(),
        params.to_ascii_uppercase(),
        value.trim().to_string(),
    ))
}

/// A `DTSTART`/`DTEND` date: `VALUE=DATE` or a bare `YYYYMMDD`; a time of day is rejected.
fn parse_date_value(name: &str, params: &str, value: &str) -> Result<NaiveDate, String> {
    if value.contains('T') || params.split(';').any(|p| p == "VALUE=DATE-TIME") {
        return Err(format!(
            "{name} {value:?} has a time of day; holidays must be all-day events ({name};VALUE=DATE:YYYYMMDD)"
        ));
    }
    parse_date(value).ok_or_else(|| format!("{name} {value:?} is not a date (YYYYMMDD)"))
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    (value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| NaiveDate::parse_from_str(value, "%Y%m%d").ok())
        .flatten()
}

/// `P<n>D` or `P<n>W`, at least one day.
fn parse_days(value: &str) -> Result<i64, String> {
    let bad = || format!("DURATION {value:?} is not whole days (P<n>D or P<n>W)");
    let body = value.strip_prefix('P').ok_or_else(bad)?;
    let (digits, per) = match body.as_bytes().last() {
        Some(b'D') => (&body[..body.len() - 1], 1),
        Some(b'W') => (&body[..body.len() - 1], 7),
        _ => return Err(bad()),
    };
    let n: i64 = digits.parse().map_err(|_| bad())?;
    (1..=36_500).contains(&n).then_some(n * per).ok_or_else(bad)
}

/// `FREQ=YEARLY;...` relative to the event's first date.
fn parse_rrule(rule: &str, start: NaiveDate) -> Result<Yearly, String> {
    let mut yearly = Yearly {
        interval: 1,
        count: None,
        until: None,
        month: start.month(),
        day: start.day(),
    };
    let mut freq = None;
    for part in rule.split(';').filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("RRULE part {part:?} is not KEY=VALUE"))?;
        let number = |max: u32| -> Result<u32, String> {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| format!("RRULE {key}={value} is not a number from 1 to {max}"))
        };
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => freq = Some(value.to_ascii_uppercase()),
            "INTERVAL" => yearly.interval = number(1_000)? as i32,
            "COUNT" => yearly.count = Some(number(100_000)?),
            "UNTIL" => {
                let date = value.get(..8).and_then(parse_date);
                yearly.until =
                    Some(date.ok_or_else(|| format!("RRULE UNTIL={value} is not a date"))?);
            }
            "BYMONTH" => yearly.month = number(12)?,
            "BYMONTHDAY" => yearly.day = number(31)?,
            "WKST" => {}
            other => {
                return Err(format!(
                    "RRULE part {other} is not supported (yearly dates only: FREQ=YEARLY with INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY)"
                ));
            }
        }
    }
    match freq.as_deref() {
        Some("YEARLY") => Ok(yearly),
        Some(other) => Err(format!(
            "RRULE FREQ={other} is not supported (only FREQ=YEARLY)"
        )),
        None => Err("RRULE without FREQ".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn wrap(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n")
    }

    fn parse(events: &str) -> Result<IcsHolidays, String> {
        IcsHolidays::parse("t.ics", &wrap(events)).map_err(|e| e.to_string())
    }

    #[test]
    fn single_multi_day_and_duration_events() {
        let ics = parse(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260714\r\nDTEND;VALUE=DATE:20260715\r\nSUMMARY:Fête nationale\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART:20260801\r\nDURATION:P1W\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\nEND:VEVENT\r\n",
        )
        .unwrap();
        assert_eq!(
            ics.date_ranges(),
            vec![
                (date("2026-07-14"), date("2026-07-14")),
                (date("2026-12-24"), date("2026-12-26")),
                (date("2026-08-01"), date("2026-08-07")),
                (date("2026-05-01"), date("2026-05-01")),
            ]
        );
    }

    #[test]
    fn yearly_rules_honour_count_until_interval_and_by_parts() {
        let ics = parse(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20240229\r\nRRULE:FREQ=YEARLY;COUNT=2\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=YEARLY;UNTIL=20281231T000000Z\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261111\r\nRRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=11;BYMONTHDAY=11;COUNT=3\r\nEND:VEVENT\r\n",
        )
        .unwrap();
        let starts: Vec<NaiveDate> = ics.date_ranges().into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            starts,
            vec![
                date("2024-02-29"),
                date("2028-02-29"),
                date("2026-01-01"),
                date("2027-01-01"),
                date("2028-01-01"),
                date("2026-11-11"),
                date("2028-11-11"),
                date("2030-11-11"),
            ]
        );
    }

    #[test]
    fn unbounded_yearly_rules_run_to_the_last_supported_year() {
        let ics = parse(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n",
        )
        .unwrap();
        let ranges = ics.date_ranges();
        assert_eq!(ranges.len(), (2026..=2199).count());
        assert_eq!(
            ranges.last(),
            Some(&(date("2199-05-01"), date("2199-05-01")))
        );
    }

    #[test]
    fn folded_lines_and_nested_components_are_handled() {
        let ics = parse(
            "BEGIN:VEVENT\r\nSUMMARY:A very long\r\n  summary\r\nDTSTART;VALUE=DA\r\n TE:20261225\r\n\
             BEGIN:VALARM\r\nDTSTART:20261224T090000\r\nEND:VALARM\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n",
        )
        .unwrap();
        assert_eq!(
            ics.date_ranges(),
            vec![(date("2026-12-25"), date("2026-12-25"))]
        );
    }

    #[test]
    fn next_year_check_sees_recurrences() {
        let ics = parse("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20200714\r\nRRULE:FREQ=YEARLY;UNTIL=20261231\r\nEND:VEVENT\r\n").unwrap();
        assert!(ics.has_events_between(date("2026-06-01"), date("2027-05-31")));
        assert!(!ics.has_events_between(date("2026-08-01"), date("2027-07-31")));
        assert!(!IcsHolidays::default().has_events_between(date("2026-01-01"), date("2026-12-31")));
    }

    #[test]
    fn errors_name_the_file_line_and_reason() {
        let cases = [
            ("BEGIN:VEVENT\r\nDTSTART:20260714T090000\r\nEND:VEVENT\r\n", "t.ics line 5: DTSTART \"20260714T090000\" has a time of day; holidays must be all-day events (DTSTART;VALUE=DATE:YYYYMMDD)"),
            ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026071\r\nEND:VEVENT\r\n", "t.ics line 5: DTSTART \"2026071\" is not a date (YYYYMMDD)"),
            ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260714\r\nRRULE:FREQ=MONTHLY\r\nEND:VEVENT\r\n", "t.ics line 6: RRULE FREQ=MONTHLY is not supported (only FREQ=YEARLY)"),
            ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260714\r\nRRULE:FREQ=YEARLY;BYDAY=MO\r\nEND:VEVENT\r\n", "t.ics line 6: RRULE part BYDAY is not supported (yearly dates only: FREQ=YEARLY with INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY)"),
            ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260714\r\nDTEND;VALUE=DATE:20260714\r\nEND:VEVENT\r\n", "t.ics line 6: DTEND 2026-07-14 is not after DTSTART 2026-07-14"),
            ("BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n", "t.ics line 4: VEVENT without DTSTART"),
            ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260714\r\nEXDATE;VALUE=DATE:20270714\r\nEND:VEVENT\r\n", "t.ics line 6: EXDATE is not supported (holiday files list dates or yearly rules)"),
            ("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260714\r\nEND:VTODO\r\n", "t.ics line 6: END:VTODO does not close the open component"),
            ("BEGIN:VEVENT\r\nno colon here\r\n", "t.ics line 5: \"no colon here\" is not a property (NAME:VALUE)"),
        ];
        for (events, expected) in cases {
            assert_eq!(parse(events).unwrap_err(), expected, "{events}");
        }
        assert_eq!(
            IcsHolidays::parse("x.ics", "hello: world\n")
                .unwrap_err()
                .to_string(),
            "x.ics line 1: HELLO outside BEGIN:VCALENDAR"
        );
        assert_eq!(
            IcsHolidays::parse("x.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\n")
                .unwrap_err()
                .to_string(),
            "x.ics line 2: BEGIN:VEVENT is never closed"
        );
    }
}
