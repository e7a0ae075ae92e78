//! One cycle of one metric: when it ran, its current terms (target, calendar) and the
//! timers (warnings, breach) it has pending.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::state::{ClockPhase, ClockStep};
use crate::calendar::Calendar;
use crate::event::Priority;
use crate::sla_event::Metric;

/// The target a cycle is measured against, from the policy that applies. Serialized
/// without its calendar, which a snapshot's restore looks up again by policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Terms {
    pub policy: String,
    pub priority: Priority,
    pub target: i64,
    pub calendar_name: String,
    #[serde(skip, default = "crate::snapshot::unresolved_calendar")]
    pub calendar: Arc<Calendar>,
    /// Warning thresholds that fall inside the target: (label, business seconds).
    pub warnings: Vec<(String, i64)>,
}

/// What a pending timer announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TimerKind {
    Warning(usize),
    Breach,
}

/// A pending announcement: due at `due`; `reached` is when the budget was used up
/// (earlier than `due` only when new terms put it in the past).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Timer {
    pub due: DateTime<Utc>,
    pub reached: DateTime<Utc>,
    pub kind: TimerKind,
}

/// How a finished cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Ending {
    Met,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Cycle {
    pub metric: Metric,
    pub number: u32,
    pub start: DateTime<Utc>,
    /// Closed running spans `[from, to)`.
    pub closed: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Start of the running span, when running.
    pub open_since: Option<DateTime<Utc>>,
    pub terms: Option<Terms>,
    /// Business seconds in `closed` under the current terms' calendar.
    pub closed_elapsed: i64,
    pub warned: Vec<String>,
    pub breached: bool,
    /// Resumes an earlier stint that had breached: announces nothing more.
    pub inherited_breach: bool,
    pub ended: Option<(DateTime<Utc>, Ending)>,
    pub pending: Vec<Timer>,
    pub ever_measured: bool,
    pub steps: Vec<ClockStep>,
}

impl Cycle {
    pub fn new(metric: Metric, number: u32, start: DateTime<Utc>) -> Cycle {
        Cycle {
            metric,
            number,
            start,
            closed: Vec::new(),
            open_since: Some(start),
            terms: None,
            closed_elapsed: 0,
            warned: Vec::new(),
            breached: false,
            inherited_breach: false,
            ended: None,
            pending: Vec::new(),
            ever_measured: false,
            steps: Vec::new(),
        }
    }

    /// A new stint that resumes `previous` (same start, earlier running spans) at `at`.
    pub fn resume_of(previous: &Cycle, number: u32, at: DateTime<Utc>) -> Cycle {
        let mut cycle = Cycle::new(previous.metric, number, previous.start);
        cycle.closed = previous.closed.clone();
        cycle.open_since = Some(at);
        cycle.warned = previous.warned.clone();
        cycle.inherited_breach = previous.breached || previous.inherited_breach;
        cycle
    }

    pub fn is_running(&self) -> bool {
        self.open_since.is_some()
    }

    /// True when this cycle can still announce something.
    fn announces(&self) -> bool {
        self.terms.is_some() && !self.breached && !self.inherited_breach && self.ended.is_none()
    }

    /// Replaces the terms at `at` (start of measurement or a re-match) and reschedules.
    pub fn set_terms(&mut self, terms: Option<Terms>, at: DateTime<Utc>) {
        self.closed_elapsed = match &terms {
            Some(terms) => self
                .closed
                .iter()
                .map(|(from, to)| terms.calendar.between(*from, *to).num_seconds())
                .sum(),
            None => 0,
        };
        self.ever_measured |= terms.is_some();
        self.terms = terms;
        self.schedule(at);
    }

    /// Stops the clock at `at` (a pause).
    pub fn pause(&mut self, at: DateTime<Utc>) {
        if let Some(from) = self.open_since.take() {
            self.close_span(from, at);
        }
        self.schedule(at);
    }

    /// Restarts the clock at `at` after a pause.
    pub fn resume(&mut self, at: DateTime<Utc>) {
        if self.open_since.is_none() {
            self.open_since = Some(at);
            self.schedule(at);
        }
    }

    /// Ends the cycle at `at`.
    pub fn finish(&mut self, at: DateTime<Utc>, ending: Ending) {
        if let Some(from) = self.open_since.take() {
            self.close_span(from, at);
        }
        self.pending.clear();
        self.ended = Some((at, ending));
    }

    fn close_span(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        if to > from {
            self.closed.push((from, to));
            if let Some(terms) = &self.terms {
                self.closed_elapsed += terms.calendar.between(from, to).num_seconds();
            }
        }
    }

    /// Business seconds used as of `at` (not before the last change).
    pub fn elapsed_at(&self, at: DateTime<Utc>) -> i64 {
        let Some(terms) = &self.terms else { return 0 };
        let open = match self.open_since {
            Some(from) if at > from => terms.calendar.between(from, at).num_seconds(),
            _ => 0,
        };
        self.closed_elapsed + open
    }

    /// The instant the cycle uses up `budget` business seconds, if it has or will while
    /// running; None when it is paused short of it.
    pub fn instant_at(&self, budget: i64) -> Option<DateTime<Utc>> {
        let calendar = &self.terms.as_ref()?.calendar;
        let mut remaining = budget;
        if self.closed_elapsed >= budget {
            for (from, to) in &self.closed {
                let used = calendar.between(*from, *to).num_seconds();
                if used >= remaining {
                    let at = calendar.add(*from, Duration::seconds(remaining));
                    if used > remaining || at <= *to {
                        return Some(at);
                    }
                }
                remaining -= used.min(remaining);
            }
        } else {
            remaining -= self.closed_elapsed;
        }
        self.open_since
            .map(|from| calendar.add(from, Duration::seconds(remaining)))
    }

    /// The deadline as of `at`: when the target is (or was) used up, or, while paused,
    /// when it would be if the clock resumed at `at`.
    pub fn deadline_at(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let terms = self.terms.as_ref()?;
        self.instant_at(terms.target).or_else(|| {
            let left = (terms.target - self.closed_elapsed).max(0);
            Some(terms.calendar.add(at, Duration::seconds(left)))
        })
    }

    /// Recomputes pending timers after a change at `at`; timers already in the past are
    /// due at `at`, and warnings are dropped when the breach itself is already due.
    fn schedule(&mut self, at: DateTime<Utc>) {
        self.pending.clear();
        if !self.announces() {
            return;
        }
        let Some(terms) = &self.terms else { return };
        let deadline = self.instant_at(terms.target);
        let breach_now = deadline.is_some_and(|d| d <= at);
        let mut timers: Vec<Timer> = Vec::new();
        for (index, (label, budget)) in terms.warnings.iter().enumerate() {
            if self.warned.contains(label) {
                continue;
            }
            if let Some(reached) = self.instant_at(*budget) {
                if !(breach_now && reached <= at) {
                    timers.push(Timer {
                        due: reached.max(at),
                        reached,
                        kind: TimerKind::Warning(index),
                    });
                }
            }
        }
        if let Some(reached) = deadline {
            timers.push(Timer {
                due: reached.max(at),
                reached,
                kind: TimerKind::Breach,
            });
        }
        timers.sort_by_key(|t| (t.due, matches!(t.kind, TimerKind::Breach)));
        self.pending = timers;
    }

    /// The phase shown by `evaluate`.
    pub fn phase(&self) -> ClockPhase {
        if self.terms.is_none() {
            return ClockPhase::Untracked;
        }
        if self.breached || self.inherited_breach {
            return ClockPhase::Breached;
        }
        match self.ended {
            Some((_, Ending::Met)) => ClockPhase::Met,
            Some((_, Ending::Cancelled)) => ClockPhase::Cancelled,
            None if self.is_running() => ClockPhase::Running,
            None => ClockPhase::Paused,
        }
    }
}
