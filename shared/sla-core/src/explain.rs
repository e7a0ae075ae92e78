//! The words of `sla explain` for one clock: its timeline, business time used and
//! deadline. One copy, used by the CLI and the read API's ticket route.

use chrono::{DateTime, Utc};

use crate::clock::state::{ClockPhase, ClockState, ClockStep};
use crate::duration::format_duration;
use crate::policy::{metric_name, priority_name, status_name, PolicySet, StartOn};

/// `at` in RFC 3339 (seconds), followed by the local weekday and time in `zone` when
/// that is not UTC.
pub fn stamp(at: DateTime<Utc>, zone: Option<chrono_tz::Tz>) -> String {
    let utc = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match zone {
        Some(zone) if zone != chrono_tz::UTC => {
            format!(
                "{utc} ({} {zone})",
                at.with_timezone(&zone).format("%a %H:%M")
            )
        }
        _ => utc,
    }
}

/// The clock's heading (`first_response cycle 1: running`).
pub fn clock_heading(clock: &ClockState) -> String {
    let state = serde_json::to_value(clock.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string));
    format!(
        "{} cycle {}: {}",
        metric_name(&clock.metric),
        clock.cycle,
        state.unwrap_or_default()
    )
}

/// The lines under the heading: start rule, each timeline step with its instant (local
/// time of the clock's calendar beside UTC), business time used and the deadline.
pub fn clock_lines(clock: &ClockState, policies: &PolicySet) -> Vec<String> {
    let zone = clock
        .calendar
        .as_ref()
        .and_then(|name| policies.calendars().get(name))
        .map(|calendar| calendar.timezone());
    let mut lines = Vec::new();
    match clock.start_on {
        Some(StartOn::Assigned) => lines.push(
            "start: assigned (the first time the ticket has an assignee; creation if created assigned)".to_string(),
        ),
        Some(StartOn::Created) => lines.push("start: created".to_string()),
        None => {}
    }
    for step in &clock.timeline {
        let (at, text) = describe_step(step);
        lines.push(format!("{}  {text}", stamp(at, zone)));
    }
    if let (Some(target), Some(calendar)) = (clock.target_seconds, &clock.calendar) {
        lines.push(format!(
            "business time used: {} of {} on calendar {calendar}",
            format_duration(clock.elapsed_seconds),
            format_duration(target)
        ));
        if let Some(deadline) = clock.deadline {
            lines.push(format!(
                "deadline: {} = start {} + {} of open time on {calendar}, paused spans excluded (deadline rule: {}){}",
                stamp(deadline, zone),
                stamp(clock.start, None),
                format_duration(target),
                clock.deadline_rule.as_deref().unwrap_or("earliest"),
                if clock.state == ClockPhase::Paused { "; projected as if resumed now" } else { "" }
            ));
        }
    }
    lines
}

/// One timeline step: its instant and what happened, in words.
pub fn describe_step(step: &ClockStep) -> (DateTime<Utc>, String) {
    match step {
        ClockStep::Started { at, reason } => (*at, format!("started: {reason}")),
        ClockStep::Measured {
            at,
            policy,
            priority,
            target_seconds,
            calendar,
        } => (
            *at,
            format!(
                "measured by policy {policy}, priority {}: target {} on {calendar}",
                priority_name(priority),
                format_duration(*target_seconds)
            ),
        ),
        ClockStep::Unmeasured { at } => (*at, "no longer measured: no target applies".into()),
        ClockStep::Paused { at, status } => {
            (*at, format!("paused: status {}", status_name(status)))
        }
        ClockStep::Resumed { at } => (*at, "resumed".into()),
        ClockStep::Warned { at, threshold } => (*at, format!("warning at {threshold}")),
        ClockStep::Breached { at, deadline } if at == deadline => (*at, "breached".into()),
        ClockStep::Breached { at, deadline } => (
            *at,
            format!(
                "breached (its deadline {} had already passed)",
                stamp(*deadline, None)
            ),
        ),
        ClockStep::Met { at } => (*at, "met".into()),
        ClockStep::Cancelled { at, reason } => (*at, format!("cancelled: {reason}")),
        ClockStep::Stopped { at, reason } => (*at, format!("stopped: {reason}")),
    }
}
