//! The SLA engine: a fold over a ticket's ordered events that starts, pauses, re-targets
//! and stops metric cycles, and fires their timers (warnings, breaches) in time order.
//!
//! Within one event, effects apply in this order: attribute changes (re-match), a public
//! agent comment stopping clocks, the status change (solve, reopen, close, pauses), then
//! clocks started by the comment. Timers due strictly before an event fire before it, so
//! a reply at the deadline instant meets the target.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::cycle::{Cycle, Ending, Terms, TimerKind};
use super::rules::RESPONSE_METRICS;
use super::state::ClockStep;
use crate::attributes::{AttributeChange, TicketAttributes};
use crate::event::{Author, Priority, Status, TicketEvent};
use crate::policy::{default_pause, Exclusion, OnPriorityChange, Policy, PolicySet};
use crate::sla_event::{Metric, SlaEvent, SlaEventType, TicketContext};

pub(crate) use crate::sla_event::METRICS;

pub(crate) fn slot(metric: Metric) -> usize {
    metric.slot()
}

pub(crate) fn is_public_by(event: &TicketEvent, author: Author) -> bool {
    event
        .comment
        .is_some_and(|c| c.public && c.author == author)
}

/// True when an event can change the fold: a public comment (an automatic one
/// acknowledges).
pub(crate) fn is_counting_comment(event: &TicketEvent) -> bool {
    event.comment.is_some_and(|c| c.public)
}

/// The fold state after some prefix of a ticket's history (serialized in a ticket's
/// snapshot, see `crate::snapshot`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Fold {
    pub tenant: String,
    pub ticket_id: String,
    pub attrs: TicketAttributes,
    pub created: Option<DateTime<Utc>>,
    pub(crate) closed: bool,
    pub(crate) first_response_done: bool,
    /// (policy index, priority) that applies now.
    pub matched: Option<(usize, Priority)>,
    pub cycles: Vec<Cycle>,
    pub(crate) live: [Option<usize>; 5],
    pub(crate) counts: [u32; 5],
    /// Index of the policy version measuring the ticket (None before the first one).
    pub version: Option<usize>,
    /// When the next policy version re-matches the ticket (`apply_to: open_tickets`).
    pub(crate) switch_at: Option<DateTime<Utc>>,
    /// The exclusion rule the ticket matched: it has no clocks from then on.
    pub excluded: Option<Exclusion>,
    /// Metrics whose first cycle waits for the ticket's first assignee.
    pub(crate) waiting: [bool; 5],
    /// The announcement context of the current attributes (a cache, cleared when a
    /// matching attribute changes).
    #[serde(skip)]
    context: Option<Arc<TicketContext>>,
    /// Every announcement so far (event ids are assigned when announced).
    pub produced: Vec<SlaEvent>,
    /// Events of the history applied so far.
    pub applied: usize,
    pub last_event_id: Option<String>,
    /// Timers due at or before this instant have fired.
    pub fired_through: Option<DateTime<Utc>>,
    pub fingerprint: u64,
}

impl Fold {
    pub fn new(policies: &PolicySet) -> Fold {
        Fold {
            fingerprint: policies.fingerprint(),
            ..Fold::default()
        }
    }

    /// Folds one event (the next in `at` order).
    pub fn apply(&mut self, policies: &PolicySet, event: &TicketEvent) {
        let at = event.at;
        self.fire(policies, at, false);
        self.applied += 1;
        self.last_event_id = Some(event.event_id.clone());
        if self.closed {
            return;
        }
        let acknowledging_tag = self.adds_acknowledgement_tag(policies, event);
        let (was_solved, change) = match self.created {
            None => {
                if !self.create(policies, event) {
                    return;
                }
                (
                    false,
                    AttributeChange {
                        status: true,
                        matching: false,
                    },
                )
            }
            Some(_) => {
                let was_solved = self.attrs.is_solved();
                let change = self.attrs.apply(event);
                if change.matching {
                    self.context = None;
                }
                if self.excluded.is_some() {
                    return;
                }
                if change.matching {
                    if self.exclude(policies, at) {
                        return;
                    }
                    self.rematch(policies, at, false);
                    self.release_waiting(policies, at);
                }
                (was_solved, change)
            }
        };
        self.acknowledge(event, acknowledging_tag);
        let agent_reply = is_public_by(event, Author::Agent) && !acknowledging_tag;
        if agent_reply {
            self.first_response_done = true;
            self.clear_waiting(&RESPONSE_METRICS);
            for metric in [
                Metric::FirstResponse,
                Metric::NextResponse,
                Metric::PeriodicUpdate,
            ] {
                self.stop(metric, at, Ending::Met, "public agent comment");
            }
        }
        if change.status {
            self.status_changed(policies, at, was_solved);
        }
        if self.attrs.is_solved() || self.closed {
            return;
        }
        if agent_reply {
            self.start(
                policies,
                Metric::PeriodicUpdate,
                at,
                "public agent comment".into(),
            );
        }
        let customer = is_public_by(event, Author::Customer);
        if customer && self.first_response_done && self.live[slot(Metric::NextResponse)].is_none() {
            self.start(
                policies,
                Metric::NextResponse,
                at,
                "public customer comment awaiting a reply".into(),
            );
        }
    }

    /// The ticket's first event; false when it is already solved or excluded (no clocks).
    fn create(&mut self, policies: &PolicySet, event: &TicketEvent) -> bool {
        self.created = Some(event.at);
        self.tenant = event.tenant.clone();
        self.ticket_id = event.ticket_id.clone();
        self.attrs.apply(event);
        self.set_version(policies, policies.version_at(event.at));
        self.matched = self.select(policies);
        if self.attrs.is_solved() {
            self.closed = self.attrs.status == Some(Status::Closed);
            return false;
        }
        if self.exclude(policies, event.at) {
            return false;
        }
        self.start_created(policies, event.at);
        true
    }

    pub(crate) fn select(&self, policies: &PolicySet) -> Option<(usize, Priority)> {
        policies
            .select_in(self.version?, &self.attrs)
            .map(|p| (p.index, policies.priority_of(&self.attrs)))
    }

    /// The policy that applies now.
    pub(crate) fn policy<'p>(&self, policies: &'p PolicySet) -> Option<&'p Policy> {
        let (index, _) = self.matched?;
        policies.policy(self.version?, index)
    }

    pub(crate) fn terms_for(&self, policies: &PolicySet, metric: Metric) -> Option<Terms> {
        let (_, priority) = self.matched?;
        let policy = self.policy(policies)?;
        let target = policy.target(priority, metric)?;
        Some(Terms {
            policy: policy.name.clone(),
            priority,
            target: target.seconds,
            calendar_name: target.calendar_name.clone(),
            calendar: self.localized(&target.calendar).0,
            warnings: policy
                .warn_at
                .iter()
                .filter_map(|w| w.budget(target.seconds).map(|b| (w.to_string(), b)))
                .collect(),
        })
    }

    fn pauses(&self, policies: &PolicySet, metric: Metric) -> Option<Status> {
        let status = self.attrs.status?;
        let paused = match self.policy(policies) {
            Some(policy) => policy.pauses(metric, status),
            None => default_pause(metric, status),
        };
        paused.then_some(status)
    }

    pub(crate) fn start(
        &mut self,
        policies: &PolicySet,
        metric: Metric,
        at: DateTime<Utc>,
        reason: String,
    ) {
        let number = self.next_number(metric);
        let mut cycle = Cycle::new(metric, number, at);
        cycle.steps.push(ClockStep::Started { at, reason });
        self.install(policies, cycle, at);
    }

    fn next_number(&mut self, metric: Metric) -> u32 {
        self.counts[slot(metric)] += 1;
        self.counts[slot(metric)]
    }

    /// Gives a new live cycle its terms and pause state.
    fn install(&mut self, policies: &PolicySet, mut cycle: Cycle, at: DateTime<Utc>) {
        let terms = self.terms_for(policies, cycle.metric);
        measured_step(&mut cycle, terms.as_ref(), at);
        cycle.set_terms(terms, at);
        let index = self.cycles.len();
        self.live[slot(cycle.metric)] = Some(index);
        self.cycles.push(cycle);
        self.sync_pause(policies, index, at);
    }

    pub(crate) fn stop(&mut self, metric: Metric, at: DateTime<Utc>, ending: Ending, reason: &str) {
        let Some(index) = self.live[slot(metric)].take() else {
            return;
        };
        let cycle = &mut self.cycles[index];
        cycle.finish(at, ending);
        let silent = cycle.terms.is_none() || cycle.breached || cycle.inherited_breach;
        if silent {
            let late = cycle.terms.is_some();
            let reason = if late {
                format!("{reason}, after the breach")
            } else {
                reason.to_string()
            };
            cycle.steps.push(ClockStep::Stopped { at, reason });
            if late {
                self.announce(index, SlaEventType::Completed, at, None, None);
            }
            return;
        }
        let kind = match ending {
            Ending::Met => {
                cycle.steps.push(ClockStep::Met { at });
                SlaEventType::Met
            }
            Ending::Cancelled => {
                cycle.steps.push(ClockStep::Cancelled {
                    at,
                    reason: reason.to_string(),
                });
                SlaEventType::Cancelled
            }
        };
        self.announce(index, kind, at, None, None);
    }

    fn status_changed(&mut self, policies: &PolicySet, at: DateTime<Utc>, was_solved: bool) {
        let solved = self.attrs.is_solved();
        if !was_solved && solved {
            self.clear_waiting(&RESPONSE_METRICS);
            for metric in RESPONSE_METRICS {
                self.stop(
                    metric,
                    at,
                    Ending::Cancelled,
                    "ticket solved before a public agent comment",
                );
            }
            self.stop(Metric::Resolution, at, Ending::Met, "ticket solved");
        } else if was_solved && !solved {
            self.reopen(policies, at);
        }
        if self.attrs.status == Some(Status::Closed) {
            for metric in METRICS {
                self.stop(metric, at, Ending::Cancelled, "ticket closed");
            }
            self.closed = true;
            return;
        }
        for metric in METRICS {
            if let Some(index) = self.live[slot(metric)] {
                self.sync_pause(policies, index, at);
            }
        }
    }

    /// A solved ticket reopened: resolution resumes with its earlier elapsed time and a
    /// new periodic-update cycle starts.
    fn reopen(&mut self, policies: &PolicySet, at: DateTime<Utc>) {
        let previous = self
            .cycles
            .iter()
            .rposition(|c| c.metric == Metric::Resolution);
        if previous.is_none() && self.waits_for_assignee(Metric::Resolution) {
            return self.start(
                policies,
                Metric::PeriodicUpdate,
                at,
                "ticket reopened".into(),
            );
        }
        self.waiting[slot(Metric::Resolution)] = false;
        let number = self.next_number(Metric::Resolution);
        let mut cycle = match previous {
            Some(index) => Cycle::resume_of(&self.cycles[index], number, at),
            None => Cycle::new(Metric::Resolution, number, at),
        };
        let reason = match previous {
            Some(index) => format!(
                "ticket reopened: resumes cycle {} with its elapsed time",
                self.cycles[index].number
            ),
            None => "ticket reopened".to_string(),
        };
        cycle.steps.push(ClockStep::Started { at, reason });
        self.install(policies, cycle, at);
        self.start(
            policies,
            Metric::PeriodicUpdate,
            at,
            "ticket reopened".into(),
        );
    }

    /// Priority or a matched attribute changed (or, with `new_version`, a policy version
    /// took over): apply the (possibly new) policy. On a version change, cycles whose
    /// terms stay the same are left alone.
    pub(crate) fn rematch(&mut self, policies: &PolicySet, at: DateTime<Utc>, new_version: bool) {
        let matched = self.select(policies);
        if matched == self.matched && !new_version {
            return;
        }
        self.matched = matched;
        let mode = self
            .policy(policies)
            .map(|p| p.on_priority_change)
            .unwrap_or_default();
        for metric in METRICS {
            let Some(index) = self.live[slot(metric)] else {
                continue;
            };
            if new_version && self.same_terms(policies, index) {
                continue;
            }
            match mode {
                OnPriorityChange::KeepStart => {
                    let terms = self.terms_for(policies, metric);
                    let cycle = &mut self.cycles[index];
                    measured_step(cycle, terms.as_ref(), at);
                    cycle.set_terms(terms, at);
                    self.sync_pause(policies, index, at);
                }
                OnPriorityChange::Restart => {
                    self.stop(
                        metric,
                        at,
                        Ending::Cancelled,
                        "policy or priority changed (on_priority_change: restart)",
                    );
                    self.start(
                        policies,
                        metric,
                        at,
                        "policy or priority changed (on_priority_change: restart)".into(),
                    );
                }
            }
        }
    }

    /// Re-measures the open cycles under `policies` as of `at` (a snapshot folded under
    /// another policy file): re-selects the policy and gives each live cycle its terms,
    /// keeping its elapsed time, as `on_priority_change: keep_start` does.
    pub(crate) fn remeasure(&mut self, policies: &PolicySet, at: DateTime<Utc>) {
        self.fingerprint = policies.fingerprint();
        self.matched = self.select(policies);
        for metric in METRICS {
            let Some(index) = self.live[slot(metric)] else {
                continue;
            };
            let terms = self.terms_for(policies, metric);
            let cycle = &mut self.cycles[index];
            measured_step(cycle, terms.as_ref(), at);
            cycle.set_terms(terms, at);
            self.sync_pause(policies, index, at);
        }
    }

    fn sync_pause(&mut self, policies: &PolicySet, index: usize, at: DateTime<Utc>) {
        let metric = self.cycles[index].metric;
        let pause = self.pauses(policies, metric);
        let cycle = &mut self.cycles[index];
        match (pause, cycle.is_running()) {
            (Some(status), true) => {
                cycle.pause(at);
                cycle.steps.push(ClockStep::Paused { at, status });
            }
            (None, false) => {
                cycle.resume(at);
                cycle.steps.push(ClockStep::Resumed { at });
            }
            _ => {}
        }
    }

    /// Fires pending timers due before `bound` (or at it, when `inclusive`), in time
    /// order; a policy version taking over at an instant re-matches before that
    /// instant's timers.
    pub fn fire(&mut self, policies: &PolicySet, bound: DateTime<Utc>, inclusive: bool) {
        let within = |due: DateTime<Utc>| due < bound || (inclusive && due == bound);
        loop {
            let next = self
                .live
                .iter()
                .flatten()
                .filter_map(|&i| self.cycles[i].pending.first().map(|t| (t.due, i)))
                .filter(|(due, _)| within(*due))
                .min();
            if let Some(switch) = self.pending_switch().filter(|t| within(*t)) {
                if next.is_none_or(|(due, _)| switch <= due) {
                    self.switch_version(policies, switch);
                    continue;
                }
            }
            let Some((_, index)) = next else { break };
            let timer = self.cycles[index].pending.remove(0);
            let cycle = &mut self.cycles[index];
            match timer.kind {
                TimerKind::Warning(w) => {
                    let label = cycle
                        .terms
                        .as_ref()
                        .map(|t| t.warnings[w].0.clone())
                        .unwrap_or_default();
                    cycle.warned.push(label.clone());
                    cycle.steps.push(ClockStep::Warned {
                        at: timer.due,
                        threshold: label.clone(),
                    });
                    self.announce(index, SlaEventType::Warning, timer.due, Some(label), None);
                }
                TimerKind::Breach => {
                    cycle.breached = true;
                    cycle.pending.clear();
                    cycle.steps.push(ClockStep::Breached {
                        at: timer.due,
                        deadline: timer.reached,
                    });
                    self.announce(
                        index,
                        SlaEventType::Breached,
                        timer.due,
                        None,
                        Some(timer.reached),
                    );
                }
            }
        }
        if inclusive {
            self.fired_through = Some(self.fired_through.map_or(bound, |t| t.max(bound)));
        }
    }

    /// The context SLA events carry now (built once per set of attributes).
    fn context(&mut self) -> Arc<TicketContext> {
        let attrs = &self.attrs;
        Arc::clone(
            self.context
                .get_or_insert_with(|| Arc::new(TicketContext::of(attrs))),
        )
    }

    fn announce(
        &mut self,
        index: usize,
        kind: SlaEventType,
        at: DateTime<Utc>,
        threshold: Option<String>,
        deadline: Option<DateTime<Utc>>,
    ) {
        if self.cycles[index].terms.is_none() {
            return;
        }
        let context = self.context();
        let cycle = &self.cycles[index];
        let Some(terms) = &cycle.terms else { return };
        self.produced.push(SlaEvent {
            event_id: String::new(),
            kind,
            tenant: self.tenant.clone(),
            ticket_id: self.ticket_id.clone(),
            metric: cycle.metric,
            cycle: cycle.number,
            policy: terms.policy.clone(),
            priority: terms.priority,
            target_seconds: terms.target,
            deadline: deadline.or_else(|| cycle.deadline_at(at)).unwrap_or(at),
            at,
            elapsed_seconds: cycle.elapsed_at(at),
            threshold,
            retracts: None,
            context,
        });
    }

    /// The earliest pending timer (or policy version taking over).
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.live
            .iter()
            .flatten()
            .filter_map(|&i| self.cycles[i].pending.first().map(|t| t.due))
            .chain(
                self.pending_switch()
                    .filter(|_| self.live.iter().any(Option::is_some)),
            )
            .min()
    }
}

fn measured_step(cycle: &mut Cycle, terms: Option<&Terms>, at: DateTime<Utc>) {
    match terms {
        Some(terms) => cycle.steps.push(ClockStep::Measured {
            at,
            policy: terms.policy.clone(),
            priority: terms.priority,
            target_seconds: terms.target,
            calendar: terms.calendar_name.clone(),
        }),
        None if cycle.terms.is_some() => cycle.steps.push(ClockStep::Unmeasured { at }),
        None => {}
    }
}
