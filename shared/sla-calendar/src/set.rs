//! Compiling the named calendars of one document together: `union` members are resolved by
//! name (unknown names and cycles rejected), `holidays_ics` files are taken from
//! [`IcsSources`], which [`IcsSources::load`] fills through a reader the caller passes in;
//! compiling itself is pure.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::exclusions::Exclusions;
use crate::ics::IcsHolidays;
use crate::instant::{Nanos, MAX};
use crate::rules::day_number;
use crate::timeline::{merge_ranges, Timeline};
use crate::{Calendar, CalendarError, CalendarSpec};

/// The texts of the iCalendar files that `holidays_ics` names, keyed by the path as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IcsSources {
    files: BTreeMap<String, String>,
}

impl IcsSources {
    /// No files.
    pub fn new() -> IcsSources {
        IcsSources::default()
    }

    /// Adds the text of the file written as `path` in `holidays_ics`.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }

    /// Reads every file named by the calendars' `holidays_ics` through `read`, which gets
    /// the path as written (the caller resolves it, typically against the directory of the
    /// file holding the calendars: this crate does no I/O). An unreadable file is an error
    /// naming the calendar field: `paris.holidays_ics[0]: cannot read holidays/fr.ics: ...`.
    pub fn load<'a>(
        calendars: impl IntoIterator<Item = (&'a String, &'a CalendarSpec)>,
        mut read: impl FnMut(&str) -> std::io::Result<String>,
    ) -> Result<IcsSources, CalendarError> {
        let mut sources = IcsSources::new();
        for (name, spec) in calendars {
            for (i, path) in spec.holidays_ics.iter().enumerate() {
                if sources.files.contains_key(path) {
                    continue;
                }
                let text = read(path).map_err(|e| CalendarError {
                    field: format!("{name}.holidays_ics[{i}]"),
                    reason: format!("cannot read {path}: {e}"),
                })?;
                sources.insert(path.clone(), text);
            }
        }
        Ok(sources)
    }

    /// The text of `path`, if loaded.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The files (as written) that parse but have no holiday in `[from, to]`: for a warning
    /// that a holiday file is out of date (e.g. nothing in the next year). Files that do not
    /// parse are left to the compile error.
    pub fn without_events_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<&str> {
        self.files
            .iter()
            .filter(|(path, text)| {
                IcsHolidays::parse(path, text).is_ok_and(|ics| !ics.has_events_between(from, to))
            })
            .map(|(path, _)| path.as_str())
            .collect()
    }
}

/// Compiles a document's calendars by name. Errors name the calendar and field:
/// `emea.union[1]: "tokyo": no such calendar (known: paris, sydney)`; callers prefix their
/// own path (`calendars.`).
///
/// ```
/// use std::collections::BTreeMap;
/// use sla_calendar::{compile_calendars, CalendarSpec, IcsSources};
///
/// let specs: BTreeMap<String, CalendarSpec> = serde_json::from_str(r#"{
///     "paris": {"timezone": "Europe/Paris", "hours": {"mon": [["09:00", "17:00"]]}},
///     "sydney": {"timezone": "Australia/Sydney", "hours": {"mon": [["09:00", "17:00"]]}},
///     "follow_the_sun": {"union": ["paris", "sydney"]}
/// }"#).unwrap();
/// let calendars = compile_calendars(&specs, &IcsSources::new()).unwrap();
/// let week = calendars["follow_the_sun"].open_seconds_per_week_hint();
/// assert_eq!(week, 16 * 3600);
/// ```
pub fn compile_calendars(
    specs: &BTreeMap<String, CalendarSpec>,
    ics: &IcsSources,
) -> Result<BTreeMap<String, Calendar>, CalendarError> {
    let mut compiler = SetCompiler {
        specs,
        ics,
        done: BTreeMap::new(),
        path: Vec::new(),
    };
    for name in specs.keys() {
        compiler.calendar(name)?;
    }
    Ok(compiler.done)
}

struct SetCompiler<'a> {
    specs: &'a BTreeMap<String, CalendarSpec>,
    ics: &'a IcsSources,
    done: BTreeMap<String, Calendar>,
    /// Unions being compiled, outermost first (for cycle detection).
    path: Vec<String>,
}

fn prefixed(name: &str, e: CalendarError) -> CalendarError {
    CalendarError {
        field: format!("{name}.{}", e.field),
        reason: e.reason,
    }
}

fn err(field: impl Into<String>, reason: impl Into<String>) -> CalendarError {
    CalendarError {
        field: field.into(),
        reason: reason.into(),
    }
}

impl SetCompiler<'_> {
    fn calendar(&mut self, name: &str) -> Result<Calendar, CalendarError> {
        if let Some(done) = self.done.get(name) {
            return Ok(done.clone());
        }
        let spec = &self.specs[name];
        let compiled = match &spec.union {
            Some(members) => self.union(name, spec, members)?,
            None => {
                let holidays = ics_holidays(spec, self.ics).map_err(|e| prefixed(name, e))?;
                Calendar::compile_zoned(spec, &holidays).map_err(|e| prefixed(name, e))?
            }
        };
        self.done.insert(name.to_string(), compiled.clone());
        Ok(compiled)
    }

    fn union(
        &mut self,
        name: &str,
        spec: &CalendarSpec,
        members: &[String],
    ) -> Result<Calendar, CalendarError> {
        check_union_fields(spec).map_err(|e| prefixed(name, e))?;
        self.path.push(name.to_string());
        let mut compiled = Vec::with_capacity(members.len());
        for (i, member) in members.iter().enumerate() {
            let field = format!("{name}.union[{i}]");
            if let Some(start) = self.path.iter().position(|p| p == member) {
                let cycle = [&self.path[start..], std::slice::from_ref(member)].concat();
                return Err(err(field, format!("cycle: {}", cycle.join(" -> "))));
            }
            if !self.specs.contains_key(member) {
                let known: Vec<&str> = self.specs.keys().map(String::as_str).collect();
                return Err(err(
                    field,
                    format!("{member:?}: no such calendar (known: {})", known.join(", ")),
                ));
            }
            let calendar = self.calendar(member)?;
            if calendar.is_requester_zoned() {
                return Err(err(
                    field,
                    format!("{member:?} has timezone: requester; union members need a fixed zone"),
                ));
            }
            compiled.push(calendar);
        }
        self.path.pop();
        let exclusions =
            crate::rules::CalendarRules::exclusions_of(spec).map_err(|e| prefixed(name, e))?;
        Ok(union_calendar(&compiled, exclusions, spec))
    }
}

/// A union may only say which members, its own exclusions and its deadline rule.
fn check_union_fields(spec: &CalendarSpec) -> Result<(), CalendarError> {
    let members = spec.union.as_deref().unwrap_or_default();
    if members.is_empty() {
        return Err(err(
            "union",
            "empty: a union needs at least one member calendar",
        ));
    }
    let others = [
        ("timezone", spec.timezone.is_some()),
        ("default_timezone", spec.default_timezone.is_some()),
        ("hours", spec.hours.is_some()),
        ("seasons", !spec.seasons.is_empty()),
        ("holidays", !spec.holidays.is_empty()),
        ("holidays_ics", !spec.holidays_ics.is_empty()),
        ("date_overrides", !spec.date_overrides.is_empty()),
    ];
    match others.iter().find(|(_, present)| *present) {
        Some((field, _)) => Err(err(
            *field,
            "not allowed with union: each member keeps its own zone, hours and dates",
        )),
        None => Ok(()),
    }
}

/// The holiday day ranges of a spec's `.ics` files.
fn ics_holidays(spec: &CalendarSpec, ics: &IcsSources) -> Result<Vec<(i64, i64)>, CalendarError> {
    let mut ranges = Vec::new();
    for (i, path) in spec.holidays_ics.iter().enumerate() {
        let field = format!("holidays_ics[{i}]");
        let text = ics
            .get(path)
            .ok_or_else(|| err(&field, format!("{path}: file not loaded")))?;
        let holidays = IcsHolidays::parse(path, text).map_err(|e| err(&field, e.to_string()))?;
        ranges.extend(
            holidays
                .date_ranges()
                .into_iter()
                .map(|(from, to)| (day_number(from), day_number(to))),
        );
    }
    Ok(ranges)
}

/// The calendar open whenever one of `members` is, with the union's own exclusions.
fn union_calendar(
    members: &[Calendar],
    exclusions: Vec<(Nanos, Nanos)>,
    spec: &CalendarSpec,
) -> Calendar {
    let mut windows: Vec<(Nanos, Nanos)> = Vec::new();
    for member in members {
        windows.extend(member.base.window_ranges());
        windows.extend(member.exclusions.spans().iter().copied());
    }
    let windows = merge_ranges(windows);
    let timelines: Vec<&Timeline> = members.iter().map(|m| m.base.as_ref()).collect();
    let base = Arc::new(Timeline::union(&timelines, &windows, |ws, we, out| {
        for member in members {
            member_spans(member, ws, we, out);
        }
    }));
    let exclusions = Arc::new(Exclusions::new(&base, exclusions));
    Calendar {
        base,
        exclusions,
        rule: spec.deadline_rule,
        requester: None,
    }
}

/// Appends `member`'s open runs clipped to `[ws, we)`.
fn member_spans(member: &Calendar, ws: Nanos, we: Nanos, out: &mut Vec<(Nanos, Nanos)>) {
    let mut t = ws;
    while t < we {
        let Some((open, close)) = member.open_run(t) else {
            return;
        };
        if open >= we {
            return;
        }
        out.push((open.max(ws), close.min(we)));
        if close >= MAX {
            return;
        }
        t = close;
    }
}
