//! Scenario tests as data: every `tests/scenarios/*.yaml` file holds a policy, a
//! ticket's events (with optional late or repeated delivery) and the SLA events the
//! engine must announce, driven by a virtual clock as `sla replay` does.

mod support;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sla_core::calendar::IcsSources;
use sla_core::duration::format_duration;
use sla_core::policy::{metric_name, priority_name, status_name};
use sla_core::{
    Author, Comment, EventKind, PolicySet, Priority, SlaEvent, SlaEventType, Status, TicketEvent,
    TicketSnapshot,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[allow(dead_code)]
    title: String,
    policy: String,
    until: DateTime<Utc>,
    events: Vec<EventRow>,
    expect: Vec<String>,
    #[serde(default)]
    clocks: Option<Vec<String>>,
    /// Fields of the evaluated `TicketState` (JSON) at `until` that must be equal.
    #[serde(default)]
    state: Option<serde_json::Map<String, serde_json::Value>>,
    /// Per announcement (in order): fields of its JSON that must be equal.
    #[serde(default)]
    announcement_fields: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
    /// iCalendar files the policy's `holidays_ics` name, by path as written.
    #[serde(default)]
    ics: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventRow {
    at: DateTime<Utc>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    kind: Option<EventKind>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    segment: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    requester_timezone: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    organization: Option<String>,
    #[serde(default)]
    requester: Option<String>,
    #[serde(default)]
    vendor: Option<String>,
    /// `agent`, `customer`, `system`, optionally followed by ` private`.
    #[serde(default)]
    comment: Option<String>,
    /// When the event is delivered (default: `at`); a list delivers it several times.
    #[serde(default)]
    arrives: Option<Arrivals>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Arrivals {
    One(DateTime<Utc>),
    Many(Vec<DateTime<Utc>>),
}

fn comment(text: &str) -> Comment {
    let mut words = text.split_whitespace();
    let author = match words.next() {
        Some("agent") => Author::Agent,
        Some("customer") => Author::Customer,
        Some("system") => Author::System,
        other => panic!("comment author {other:?}"),
    };
    Comment {
        author,
        public: words.next() != Some("private"),
    }
}

fn to_event(index: usize, row: &EventRow) -> TicketEvent {
    let comment = row.comment.as_deref().map(comment);
    let kind = row.kind.unwrap_or(match (index, comment) {
        (0, _) => EventKind::Created,
        (_, Some(_)) => EventKind::Comment,
        _ => EventKind::Updated,
    });
    TicketEvent {
        tenant: "acme".into(),
        ticket_id: "1".into(),
        event_id: row.id.clone().unwrap_or_else(|| format!("e{}", index + 1)),
        at: row.at,
        kind,
        ticket: TicketSnapshot {
            status: row.status,
            priority: row.priority,
            segment: row.segment.clone(),
            group: row.group.clone(),
            tags: row.tags.clone(),
            requester_timezone: row.requester_timezone.clone(),
            channel: row.channel.clone(),
            assignee: row.assignee.clone(),
            organization: row.organization.clone(),
            requester: row.requester.clone(),
        },
        comment,
        vendor: row.vendor.clone(),
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn line(event: &SlaEvent, all: &[SlaEvent]) -> String {
    let kind = match event.kind {
        SlaEventType::Warning => format!("warning[{}]", event.threshold.as_deref().unwrap_or("")),
        SlaEventType::Retracted => {
            let withdrawn = all
                .iter()
                .find(|e| Some(&e.event_id) == event.retracts.as_ref())
                .map(|e| e.kind.as_str())
                .unwrap_or("?");
            format!("retracted[{withdrawn}]")
        }
        other => other.as_str().to_string(),
    };
    format!(
        "{} {kind} {}#{} {}/{} target {} deadline {} elapsed {}",
        stamp(event.at),
        metric_name(&event.metric),
        event.cycle,
        event.policy,
        priority_name(&event.priority),
        format_duration(event.target_seconds),
        stamp(event.deadline),
        format_duration(event.elapsed_seconds),
    )
}

fn run(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let scenario: Scenario = serde_norway::from_str(&text).map_err(|e| format!("fixture: {e}"))?;
    let mut ics = IcsSources::new();
    for (file, text) in &scenario.ics {
        ics.insert(file.clone(), text.clone());
    }
    let policies = PolicySet::from_yaml_with_ics("policy", &scenario.policy, &ics)
        .map_err(|e| e.to_string())?;
    let mut deliveries = Vec::new();
    for (index, row) in scenario.events.iter().enumerate() {
        let event = to_event(index, row);
        let arrivals = match &row.arrives {
            None => vec![row.at],
            Some(Arrivals::One(at)) => vec![*at],
            Some(Arrivals::Many(list)) => list.clone(),
        };
        deliveries.extend(arrivals.into_iter().map(|at| (at, event.clone())));
    }
    deliveries.sort_by_key(|(at, _)| *at);
    let (ticket, announced) = support::drive(&policies, &deliveries, scenario.until);
    let (_, uncached) = support::drive_with(
        sla_core::TicketSla::default(),
        &policies,
        &deliveries,
        scenario.until,
    );
    if uncached != announced {
        return Err("CachedTicket and TicketSla announce differently".into());
    }
    let actual: Vec<String> = announced.iter().map(|e| line(e, &announced)).collect();
    let mut problems = Vec::new();
    if actual != scenario.expect {
        problems.push(format!(
            "announcements differ\n  expected:\n    {}\n  actual:\n    {}",
            scenario.expect.join("\n    "),
            actual.join("\n    ")
        ));
    }
    if let Some(expected) = &scenario.clocks {
        let state = ticket.evaluate(&policies, scenario.until);
        let clocks: Vec<String> = state
            .clocks
            .iter()
            .map(|c| {
                format!(
                    "{}#{} {} elapsed {}",
                    metric_name(&c.metric),
                    c.cycle,
                    serde_json::to_value(c.state).unwrap().as_str().unwrap(),
                    format_duration(c.elapsed_seconds)
                )
            })
            .collect();
        if &clocks != expected {
            problems.push(format!(
                "clocks differ (status {:?})\n  expected:\n    {}\n  actual:\n    {}",
                state.status.as_ref().map(status_name),
                expected.join("\n    "),
                clocks.join("\n    ")
            ));
        }
    }
    if let Some(expected) = &scenario.state {
        let state = serde_json::to_value(ticket.evaluate(&policies, scenario.until))
            .map_err(|e| e.to_string())?;
        problems.extend(subset_problems("state", expected, &state));
    }
    if let Some(expected) = &scenario.announcement_fields {
        if expected.len() != announced.len() {
            problems.push(format!(
                "announcement_fields: {} expected, {} announced",
                expected.len(),
                announced.len()
            ));
        }
        for (index, (fields, event)) in expected.iter().zip(&announced).enumerate() {
            let actual = serde_json::to_value(event).map_err(|e| e.to_string())?;
            problems.extend(subset_problems(
                &format!("announcement {}", index + 1),
                fields,
                &actual,
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The keys of `expected` whose value differs in `actual` (a missing key is `null`).
fn subset_problems(
    what: &str,
    expected: &serde_json::Map<String, serde_json::Value>,
    actual: &serde_json::Value,
) -> Vec<String> {
    expected
        .iter()
        .filter_map(|(key, value)| {
            let got = actual.get(key).unwrap_or(&serde_json::Value::Null);
            (got != value).then(|| format!("{what}: {key}: expected {value}, got {got}"))
        })
        .collect()
}

/// One test per scenario file, named after it.
fn main() -> std::process::ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the scenarios directory")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 18,
        "scenario files missing in {}",
        dir.display()
    );
    let trials = paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            libtest_mimic::Trial::test(name, move || {
                run(&path).map_err(|e| format!("{}:\n{e}", path.display()).into())
            })
        })
        .collect();
    libtest_mimic::run(&libtest_mimic::Arguments::from_args(), trials).exit_code()
}
