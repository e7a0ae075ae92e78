//! Agreement with the helpdesk over hand-built histories replayed through a policy with
//! office hours Mon-Fri 09:00-17:00 UTC and a holiday on Wednesday 4 March 2026, first
//! response target 2h. Worked out by hand:
//!
//! - A: created Mon 2 March 09:00, agent reply 10:00: met at 10:00 (1h).
//! - B: created Tue 3 March 16:00, agent reply Thu 5 March 09:30: 1h on Tuesday, the
//!   holiday skipped, 30m on Thursday: met at 09:30. A helpdesk ignoring the holiday
//!   breaches at Wed 10:00.
//! - C: created Thu 5 March 09:00, no reply by 15:00: breached at 11:00, still open.

use chrono::{DateTime, Utc};
use sla_core::replay::{group_by_ticket, replay_all};
use sla_core::{ClockStep, Metric, PolicySet, TicketEvent};
use sla_report::agreement::{
    our_cycles, Agreement, HelpdeskOutcome, HelpdeskVerdicts, OurCycle, Status, Verdict,
};

const POLICY: &str = r#"
calendars:
  office:
    timezone: UTC
    hours: {mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]], wed: [["09:00", "17:00"]],
            thu: [["09:00", "17:00"]], fri: [["09:00", "17:00"]]}
    holidays: ["2026-03-04"]
policies:
  - name: support
    calendar: office
    targets:
      normal: {first_response: 2h}
"#;

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn event(ticket: &str, n: u32, at: &str, created: bool) -> TicketEvent {
    let (kind, status, author) = if created {
        ("created", "new", "customer")
    } else {
        ("comment", "open", "agent")
    };
    serde_json::from_value(serde_json::json!({
        "tenant": "acme", "ticket_id": ticket, "event_id": format!("{ticket}{n}"), "at": at,
        "kind": kind, "ticket": {"status": status, "priority": "normal"},
        "comment": {"author": author, "public": true}
    }))
    .unwrap()
}

fn ours() -> Vec<OurCycle> {
    let policies = PolicySet::from_yaml("policy.yaml", POLICY).unwrap();
    let events = vec![
        event("A", 1, "2026-03-02T09:00:00Z", true),
        event("A", 2, "2026-03-02T10:00:00Z", false),
        event("B", 1, "2026-03-03T16:00:00Z", true),
        event("B", 2, "2026-03-05T09:30:00Z", false),
        event("C", 1, "2026-03-05T09:00:00Z", true),
    ];
    let until = t("2026-03-05T15:00:00Z");
    replay_all(&policies, group_by_ticket(events), until, &|_| {}, |d| {
        our_cycles(
            &d.ticket.evaluate(&policies, until),
            &d.ticket.sla().history,
        )
    })
    .into_iter()
    .flatten()
    .collect()
}

fn verdict(ticket: &str, outcome: HelpdeskOutcome) -> Verdict {
    Verdict {
        ticket_id: ticket.into(),
        metric: Metric::FirstResponse,
        cycle: 1,
        name: "reply_time#1".into(),
        outcome,
        target_seconds: Some(7200),
    }
}

fn row<'a>(agreement: &'a Agreement, ticket: &str) -> &'a sla_report::agreement::AgreementRow {
    agreement
        .rows
        .iter()
        .find(|r| r.ticket_id == ticket)
        .unwrap()
}

#[test]
fn same_outcome_at_the_same_minute_agrees() {
    let theirs = HelpdeskVerdicts {
        verdicts: vec![
            verdict(
                "A",
                HelpdeskOutcome::Met {
                    at: t("2026-03-02T10:00:30Z"),
                },
            ),
            verdict(
                "C",
                HelpdeskOutcome::Breached {
                    at: t("2026-03-05T11:00:00Z"),
                },
            ),
        ],
        ..HelpdeskVerdicts::default()
    };
    let agreement = Agreement::build(&ours(), &theirs);
    assert_eq!(row(&agreement, "A").status, Status::Agree);
    let c = row(&agreement, "C");
    assert_eq!(c.status, Status::Agree);
    assert_eq!(c.ours.unwrap().at, Some(t("2026-03-05T11:00:00Z")));
    // B is absent from the helpdesk's answers: not compared at all.
    assert_eq!(agreement.totals.agree, 2);
    assert_eq!(agreement.totals.not_in_helpdesk, 1);
    assert_eq!(agreement.agree_percent, Some(100.0));
}

#[test]
fn a_holiday_the_helpdesk_ignores_is_a_disagreement_with_both_instants() {
    let theirs = HelpdeskVerdicts {
        verdicts: vec![verdict(
            "B",
            HelpdeskOutcome::Breached {
                at: t("2026-03-04T10:00:00Z"),
            },
        )],
        ..HelpdeskVerdicts::default()
    };
    let agreement = Agreement::build(&ours(), &theirs);
    let b = row(&agreement, "B");
    assert_eq!(b.status, Status::Disagree);
    assert_eq!(b.reason, "we say met, the helpdesk breached");
    assert_eq!(b.ours.unwrap().outcome, "met");
    assert_eq!(b.ours.unwrap().at, Some(t("2026-03-05T09:30:00Z")));
    assert_eq!(b.helpdesk.unwrap().at, Some(t("2026-03-04T10:00:00Z")));
    // Nothing happened to our clock between Wednesday 10:00 and the reply.
    assert_eq!(
        b.first_differing_step,
        Some(ClockStep::Met {
            at: t("2026-03-05T09:30:00Z")
        })
    );
    assert_eq!(agreement.agree_percent, Some(0.0));
}

#[test]
fn same_outcome_at_different_instants_disagrees() {
    let theirs = HelpdeskVerdicts {
        verdicts: vec![verdict(
            "C",
            HelpdeskOutcome::Breached {
                at: t("2026-03-05T13:00:00Z"),
            },
        )],
        ..HelpdeskVerdicts::default()
    };
    let agreement = Agreement::build(&ours(), &theirs);
    let c = row(&agreement, "C");
    assert_eq!(c.status, Status::Disagree);
    assert_eq!(c.reason, "breached 2h earlier");
    assert!(matches!(
        c.first_differing_step,
        Some(ClockStep::Breached { .. })
    ));
}

#[test]
fn tickets_without_an_sla_in_the_helpdesk_are_not_comparable() {
    let theirs = HelpdeskVerdicts {
        without_sla: ["A".to_string()].into(),
        verdicts: vec![verdict("B", HelpdeskOutcome::Open)],
        ..HelpdeskVerdicts::default()
    };
    let agreement = Agreement::build(&ours(), &theirs);
    let a = row(&agreement, "A");
    assert_eq!(a.status, Status::NotComparable);
    assert_eq!(a.reason, "no SLA in the helpdesk");
    assert_eq!(row(&agreement, "B").status, Status::Disagree);
    assert_eq!(agreement.totals.not_comparable, 1);
    assert_eq!(agreement.totals.disagree, 1);
    assert_eq!(agreement.totals.not_in_helpdesk, 1);
}

#[test]
fn a_verdict_on_a_cycle_we_did_not_measure_disagrees() {
    let mut next = verdict(
        "A",
        HelpdeskOutcome::Met {
            at: t("2026-03-02T11:00:00Z"),
        },
    );
    next.metric = Metric::NextResponse;
    let theirs = HelpdeskVerdicts {
        verdicts: vec![next],
        ..HelpdeskVerdicts::default()
    };
    let agreement = Agreement::build(&ours(), &theirs);
    let rows: Vec<_> = agreement
        .rows
        .iter()
        .map(|r| (r.metric, r.status))
        .collect();
    assert_eq!(
        rows,
        [
            (Metric::FirstResponse, Status::NotComparable),
            (Metric::NextResponse, Status::Disagree)
        ]
    );
    assert_eq!(agreement.rows[1].reason, "we measured no such cycle");
}
