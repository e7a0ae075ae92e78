//! The compiled [`Calendar`] and its operations on UTC instants.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::exclusions::Exclusions;
use crate::instant::{
    clamp_nanos, duration_nanos, in_range, to_datetime, to_duration, Nanos, MAX, MIN, SECOND,
};
use crate::requester::RequesterZones;
use crate::rules::CalendarRules;
use crate::timeline::Timeline;
use crate::{CalendarError, CalendarSpec, DeadlineRule, OutOfRange};

/// A compiled calendar: cheap to clone (shared data), `Send + Sync`, no allocation per query.
///
/// ```
/// use sla_calendar::{Calendar, CalendarSpec};
/// use chrono::{DateTime, Duration, Utc};
///
/// let spec: CalendarSpec = serde_json::from_str(r#"{
///     "timezone": "Europe/Paris",
///     "hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}
/// }"#).unwrap();
/// let calendar = Calendar::compile(&spec).unwrap();
/// let monday_4pm: DateTime<Utc> = "2026-01-05T15:00:00Z".parse().unwrap(); // 16:00 in Paris
/// let due = calendar.add(monday_4pm, Duration::hours(2));
/// assert_eq!(due, "2026-01-06T09:00:00Z".parse::<DateTime<Utc>>().unwrap()); // Tue 10:00 Paris
/// assert_eq!(calendar.between(monday_4pm, due), Duration::hours(2));
/// ```
#[derive(Clone)]
pub struct Calendar {
    pub(crate) base: Arc<Timeline>,
    pub(crate) exclusions: Arc<Exclusions>,
    pub(crate) rule: DeadlineRule,
    /// With `timezone: requester`: the rules to compile again per requester zone.
    pub(crate) requester: Option<Arc<RequesterZones>>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("timezone", &self.base.tz())
            .field("open_seconds_per_week", &self.open_seconds_per_week_hint())
            .field("exclusions", &self.exclusions.spans().len())
            .field("deadline_rule", &self.rule)
            .field("requester_zoned", &self.is_requester_zoned())
            .finish()
    }
}

impl Calendar {
    /// Validates and compiles a calendar document on its own. A `union` (which names other
    /// calendars) or `holidays_ics` (which needs files) is compiled with
    /// [`crate::compile_calendars`] instead.
    pub fn compile(spec: &CalendarSpec) -> Result<Calendar, CalendarError> {
        if spec.union.is_some() {
            return Err(CalendarError {
                field: "union".into(),
                reason: "a union names other calendars of its document; compile the document's calendars together".into(),
            });
        }
        if !spec.holidays_ics.is_empty() {
            return Err(CalendarError {
                field: "holidays_ics".into(),
                reason: ".ics files are read relative to the file holding the calendar; compile the document's calendars together".into(),
            });
        }
        Calendar::compile_zoned(spec, &[])
    }

    /// Compiles a zoned (non-union) spec with extra holiday day ranges (from `.ics` files).
    pub(crate) fn compile_zoned(
        spec: &CalendarSpec,
        extra_holidays: &[(i64, i64)],
    ) -> Result<Calendar, CalendarError> {
        let rules = CalendarRules::from_spec(spec, extra_holidays)?;
        let calendar = Calendar::from_rules(&rules, spec.deadline_rule);
        Ok(match rules.requester {
            true => Calendar {
                requester: Some(Arc::new(RequesterZones::new(rules, calendar.clone()))),
                ..calendar
            },
            false => calendar,
        })
    }

    /// Compiles checked rules in their zone.
    pub(crate) fn from_rules(rules: &CalendarRules, rule: DeadlineRule) -> Calendar {
        let base = Arc::new(Timeline::compile(rules));
        let exclusions = Arc::new(Exclusions::new(&base, rules.exclusions.iter().copied()));
        Calendar {
            base,
            exclusions,
            rule,
            requester: None,
        }
    }

    /// Open around the clock, in UTC.
    #[allow(clippy::expect_used)] // a constant spec, compiled and tested (`always_open` tests)
    pub fn always_open() -> Calendar {
        let spec = CalendarSpec {
            timezone: Some("UTC".into()),
            default_timezone: None,
            hours: Some(crate::spec::HoursSpec::Always(
                crate::spec::AlwaysOpen::AllWeek,
            )),
            union: None,
            seasons: Vec::new(),
            holidays: Vec::new(),
            holidays_ics: Vec::new(),
            date_overrides: Default::default(),
            exclusions: Vec::new(),
            deadline_rule: DeadlineRule::Earliest,
        };
        Calendar::compile(&spec).expect("the 24x7 UTC calendar is valid")
    }

    /// The same calendar with absolute `[start, end)` spans closed as well (how a paused SLA
    /// clock is computed). Input may overlap and be unsorted; empty or reversed spans are ignored.
    pub fn with_exclusions(&self, exclusions: &[(DateTime<Utc>, DateTime<Utc>)]) -> Calendar {
        let added = exclusions
            .iter()
            .map(|&(s, e)| (clamp_nanos(s), clamp_nanos(e)));
        let all = self.exclusions.spans().iter().copied().chain(added);
        Calendar {
            base: Arc::clone(&self.base),
            exclusions: Arc::new(Exclusions::new(&self.base, all)),
            rule: self.rule,
            requester: self.requester.clone(),
        }
    }

    /// The same calendar under another deadline rule.
    pub fn with_deadline_rule(&self, rule: DeadlineRule) -> Calendar {
        Calendar {
            rule,
            ..self.clone()
        }
    }

    /// How `add` treats results on closing instants.
    pub fn deadline_rule(&self) -> DeadlineRule {
        self.rule
    }

    /// The zone whose wall clock the intervals are in: UTC for a union, the default zone for a
    /// requester-zoned calendar (see [`Calendar::for_requester`]).
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.base.tz()
    }

    /// Open seconds in a regular week (holidays, overrides, seasons and DST ignored; for a
    /// union, the largest over the combinations of its members' UTC offsets).
    pub fn open_seconds_per_week_hint(&self) -> i64 {
        self.base.weekly_total() / SECOND
    }

    /// The instant at which `d` of business time from `start` is used up (see [`DeadlineRule`]);
    /// a negative `d` subtracts. Saturates at the ends of the supported range.
    pub fn add(&self, start: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        let forward = d >= Duration::zero();
        self.try_add(start, d)
            .unwrap_or_else(|_| saturated(forward))
    }

    /// The latest instant `T <= start` with `between(T, start) == d`; a negative `d` adds.
    /// Saturates at the ends of the supported range.
    pub fn subtract(&self, start: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        let forward = d < Duration::zero();
        self.try_subtract(start, d)
            .unwrap_or_else(|_| saturated(forward))
    }

    /// [`Calendar::add`] that reports an out-of-range start or result instead of saturating.
    pub fn try_add(&self, start: DateTime<Utc>, d: Duration) -> Result<DateTime<Utc>, OutOfRange> {
        let n = duration_nanos(d);
        if n >= 0 {
            self.forward(start, n)
        } else {
            self.backward(start, -n)
        }
    }

    /// [`Calendar::subtract`] that reports an out-of-range start or result instead of saturating.
    pub fn try_subtract(
        &self,
        start: DateTime<Utc>,
        d: Duration,
    ) -> Result<DateTime<Utc>, OutOfRange> {
        let n = duration_nanos(d);
        if n >= 0 {
            self.backward(start, n)
        } else {
            self.forward(start, -n)
        }
    }

    /// Open time in `[a, b)`; negative when `b < a`. Time outside the supported range counts as closed.
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        to_duration(self.cum(clamp_nanos(b)) - self.cum(clamp_nanos(a)))
    }

    /// Whether `t` is open (open at an opening instant, closed at a closing instant).
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        in_range(t) && self.is_open_at(clamp_nanos(t))
    }

    /// `t` itself when open, else the next opening; `None` when nothing opens before the range ends.
    pub fn next_open(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(t) {
            return Some(t);
        }
        self.next_open_at(clamp_nanos(t)).map(to_datetime)
    }

    /// The closing instant of the open run containing `t`, or of the next one; `None` when that run
    /// lasts to the end of the supported range (or nothing opens again).
    pub fn next_close(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (_, close) = self.open_run(clamp_nanos(t))?;
        (close < MAX).then(|| to_datetime(close))
    }

    /// The open run containing `t`, or the next one, as `[open, close)` (`close` may be `MAX`).
    pub(crate) fn open_run(&self, t: Nanos) -> Option<(Nanos, Nanos)> {
        let open = self.next_open_at(t)?;
        let base_end = self.base.run_end(open).unwrap_or(MAX);
        let excluded = self.exclusions.next_start_after(open).unwrap_or(MAX);
        Some((open, base_end.min(excluded)))
    }

    fn cum(&self, t: Nanos) -> i128 {
        self.exclusions.cum(&self.base, t)
    }

    fn is_open_at(&self, t: Nanos) -> bool {
        self.base.is_open(t) && !self.exclusions.contains(t)
    }

    fn next_open_at(&self, t: Nanos) -> Option<Nanos> {
        let open = self.exclusions.last_at(&self.base, self.cum(t))?;
        (open < MAX).then_some(open)
    }

    /// Adds `n >= 0` nanoseconds of business time under the deadline rule.
    fn forward(&self, start: DateTime<Utc>, n: i128) -> Result<DateTime<Utc>, OutOfRange> {
        let s = checked_nanos(start)?;
        let moves_to_opening = self.rule == DeadlineRule::NextOpening;
        let end = match n {
            0 if !moves_to_opening || self.is_open_at(s) => return Ok(start),
            0 => s,
            _ => self
                .exclusions
                .first_at(&self.base, self.cum(s) + n)
                .ok_or(OutOfRange::Result)?,
        };
        if moves_to_opening && !self.is_open_at(end) {
            return self
                .next_open_at(end)
                .map(to_datetime)
                .ok_or(OutOfRange::Result);
        }
        Ok(to_datetime(end))
    }

    /// Subtracts `n >= 0` nanoseconds: the latest `T <= start` with `n` of open time in `[T, start)`;
    /// under `next_opening` a zero duration from a closed instant goes back to the previous closing.
    fn backward(&self, start: DateTime<Utc>, n: i128) -> Result<DateTime<Utc>, OutOfRange> {
        let s = checked_nanos(start)?;
        let at_start = self.cum(s);
        if n == 0 {
            if self.rule == DeadlineRule::Earliest || self.is_open_at(s) {
                return Ok(start);
            }
            // The previous closing: the first instant with the same cumulative open time.
            return (at_start > 0)
                .then(|| self.exclusions.first_at(&self.base, at_start))
                .flatten()
                .map(to_datetime)
                .ok_or(OutOfRange::Result);
        }
        let target = at_start - n;
        (target >= 0)
            .then(|| self.exclusions.last_at(&self.base, target))
            .flatten()
            .map(to_datetime)
            .ok_or(OutOfRange::Result)
    }
}

fn checked_nanos(t: DateTime<Utc>) -> Result<Nanos, OutOfRange> {
    if in_range(t) {
        Ok(clamp_nanos(t))
    } else {
        Err(OutOfRange::Start(t))
    }
}

fn saturated(forward: bool) -> DateTime<Utc> {
    to_datetime(if forward { MAX } else { MIN })
}
