//! Aggregation, periods, credible targets and comparison over hand-made cycles, with the
//! expected numbers worked out by hand in the comments.

use chrono::{DateTime, Utc};
use sla_core::chrono_tz::Tz;
use sla_core::{Metric, Priority};
use sla_report::{
    CycleRecord, Dimension, Outcome, PeriodUnit, Report, ReportOptions, TicketRecord, TicketTime,
};

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn cycle(ticket: &str, outcome: Outcome, end: Option<&str>, seconds: i64) -> CycleRecord {
    CycleRecord {
        tenant: "acme".into(),
        ticket_id: ticket.into(),
        metric: Metric::FirstResponse,
        cycle: 1,
        policy: "standard".into(),
        priority: Priority::High,
        segment: None,
        group: Some("emea".into()),
        assignee: None,
        organization: None,
        channel: None,
        vendor: None,
        start: t("2026-11-23T09:00:00Z"),
        end: end.map(t),
        outcome,
        business_seconds: seconds,
        target_seconds: 3600,
        paused_seconds: 0,
    }
}

/// One ticket per cycle, each lived 1h: 15m waiting for a reply, 45m with an agent.
fn tickets(cycles: Vec<CycleRecord>) -> Vec<TicketRecord> {
    cycles
        .into_iter()
        .map(|cycle| TicketRecord {
            cycles: vec![cycle],
            time: TicketTime {
                life_seconds: 3600,
                waiting_first_reply_seconds: 900,
                with_agent_seconds: 2700,
                ..TicketTime::default()
            },
            excluded: false,
        })
        .collect()
}

/// Six first-response cycles against a 1h target.
fn history() -> Vec<TicketRecord> {
    tickets(vec![
        cycle("1", Outcome::Met, Some("2026-11-23T10:00:00Z"), 1200),
        cycle("2", Outcome::Met, Some("2026-11-24T10:00:00Z"), 3000),
        // Breached, then answered the next Monday: 30 minutes over target.
        cycle("3", Outcome::Breached, Some("2026-11-30T10:00:00Z"), 5400),
        // Breached and still open.
        cycle("4", Outcome::Breached, None, 7200),
        cycle("5", Outcome::Open, None, 600),
        cycle("6", Outcome::Cancelled, Some("2026-11-25T10:00:00Z"), 100),
    ])
}

fn options(by: Vec<Dimension>) -> ReportOptions {
    ReportOptions {
        by,
        until: t("2026-12-01T00:00:00Z"),
        policy_order: vec!["standard".into()],
        ..ReportOptions::default()
    }
}

#[test]
fn a_row_counts_outcomes_percentiles_and_time_over_target() {
    // The default rows: policy × priority × metric.
    let report = Report::build(&history(), &options(ReportOptions::default().by));
    assert_eq!(report.rows.len(), 1);
    let row = &report.rows[0];
    assert_eq!(row.key["policy"], "standard");
    assert_eq!(row.key["priority"], "high");
    assert_eq!(row.key["metric"], "first_response");
    assert_eq!((row.tickets, row.cycles), (6, 6));
    assert_eq!(
        (row.met, row.breached, row.cancelled, row.open),
        (2, 2, 1, 1)
    );
    // met / (met + breached) = 2 / 4.
    assert_eq!(row.met_percent, Some(50.0));
    // Completed: 1200, 3000, 5400 (the late one's final time). Nearest rank: the median
    // is the 2nd (ceil 1.5), p90 and p95 the 3rd.
    assert_eq!(row.median_seconds, Some(3000));
    assert_eq!(row.p90_seconds, Some(5400));
    assert_eq!(row.p95_seconds, Some(5400));
    // Only the late-completed cycle is over target: 5400 - 3600.
    assert_eq!(row.mean_over_target_seconds, Some(1800.0));
    assert_eq!(row.max_over_target_seconds, Some(1800));
    assert_eq!(row.breached_open, 1);
    assert_eq!(row.excluded_tickets, 0);
    assert_eq!((report.tickets, report.cycles), (6, 6));
    // Six tickets of 1h each, a quarter of it waiting for the first reply.
    assert_eq!(row.time.life_seconds, 6 * 3600);
    assert_eq!(row.time.waiting_first_reply_percent, Some(25.0));
    assert_eq!(row.time.with_agent_percent, Some(75.0));
}

#[test]
fn excluded_tickets_are_counted_apart() {
    let mut history = history();
    // Ticket 7's first response was stopped by an exclusion; ticket 8 never had a clock.
    history.extend(tickets(vec![cycle(
        "7",
        Outcome::Excluded,
        Some("2026-11-23T09:30:00Z"),
        1800,
    )]));
    history.push(TicketRecord {
        excluded: true,
        ..TicketRecord::default()
    });
    let report = Report::build(&history, &options(vec![Dimension::Metric]));
    assert_eq!((report.tickets, report.cycles), (6, 6));
    assert_eq!(report.excluded_tickets, 2);
    let row = &report.rows[0];
    assert_eq!((row.cycles, row.excluded_tickets), (6, 1));
    assert_eq!(row.met_percent, Some(50.0));
    assert_eq!(report.targets[0].completed, 3);
}

#[test]
fn cycles_belong_to_the_week_they_ended_in_and_open_ones_to_none() {
    let report = Report::build(
        &history(),
        &options(vec![Dimension::Period, Dimension::Group]),
    );
    let rows: Vec<(String, String, usize, usize, usize, Option<f64>)> = report
        .rows
        .iter()
        .map(|r| {
            (
                r.key["period"].clone(),
                r.key["group"].clone(),
                r.cycles,
                r.met,
                r.breached,
                r.met_percent,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            // Tickets 4 (breached, open) and 5 (open) have not ended.
            ("-".into(), "emea".into(), 2, 0, 1, Some(0.0)),
            // Monday 23 to Sunday 29 November: two met, one cancelled.
            ("2026-W48".into(), "emea".into(), 3, 2, 0, Some(100.0)),
            // Monday 30 November: the late answer.
            ("2026-W49".into(), "emea".into(), 1, 0, 1, Some(0.0)),
        ]
    );
}

#[test]
fn periods_follow_the_time_zone() {
    // 23:30 UTC on Sunday 29 November is already Monday in Paris.
    let cycles = tickets(vec![cycle(
        "1",
        Outcome::Met,
        Some("2026-11-29T23:30:00Z"),
        60,
    )]);
    let by_day = |zone: Tz| {
        let options = ReportOptions {
            period: PeriodUnit::Day,
            timezone: zone,
            ..options(vec![Dimension::Period])
        };
        Report::build(&cycles, &options).rows[0].key["period"].clone()
    };
    assert_eq!(by_day(Tz::UTC), "2026-11-29");
    assert_eq!(by_day(Tz::Europe__Paris), "2026-11-30");
}

#[test]
fn from_leaves_out_cycles_that_ended_before_it() {
    let options = ReportOptions {
        from: Some(t("2026-11-24T00:00:00Z")),
        ..options(vec![Dimension::Metric])
    };
    let report = Report::build(&history(), &options);
    // Ticket 1 (met on the 23rd) is left out; open cycles stay.
    assert_eq!((report.tickets, report.cycles), (5, 5));
    assert_eq!(report.rows[0].met, 1);
}

#[test]
fn under_thirty_completed_cycles_nothing_is_recommended() {
    let report = Report::build(&history(), &options(vec![Dimension::Metric]));
    let target = &report.targets[0];
    assert_eq!((target.completed, target.censored), (3, 2));
    assert_eq!(target.target_seconds, 3600);
    // 1200 and 3000 of 1200, 3000, 5400 are within 1h.
    assert_eq!(target.met_percent, Some(66.7));
    // Kaplan-Meier: 600 censored (5 -> 4 at risk), 1200 done S = 3/4, 3000 done
    // S = 3/4 * 2/3 = 1/2, so 50% within 1h.
    assert_eq!(target.km_met_percent, Some(50.0));
    assert_eq!(target.recommended_seconds, None);
    assert_eq!(target.km_recommended_seconds, None);
    assert!(target
        .note
        .as_deref()
        .unwrap()
        .contains("3 completed cycles"));
}

#[test]
fn the_credible_target_covers_the_asked_share_rounded_up_to_the_minute() {
    // 40 met cycles of i minutes and 1 second (i = 1..40): 90% is the 36th, 36m01s,
    // rounded up to 37m.
    let cycles: Vec<CycleRecord> = (1..=40)
        .map(|i| {
            cycle(
                &i.to_string(),
                Outcome::Met,
                Some("2026-11-23T10:00:00Z"),
                60 * i + 1,
            )
        })
        .collect();
    let cycles = tickets(cycles);
    let report = Report::build(&cycles, &options(vec![Dimension::Metric]));
    let target = &report.targets[0];
    assert_eq!(target.completed, 40);
    assert_eq!(target.recommended_seconds, Some(37 * 60));
    assert_eq!(target.km_recommended_seconds, Some(37 * 60));
    assert_eq!(target.note, None);
    let stricter = ReportOptions {
        target_percent: 50.0,
        ..options(vec![Dimension::Metric])
    };
    // 50%: the 20th, 20m01s -> 21m.
    let report = Report::build(&cycles, &stricter);
    assert_eq!(report.targets[0].recommended_seconds, Some(21 * 60));
}

#[test]
fn comparing_a_history_with_itself_changes_nothing() {
    let options = options(vec![Dimension::Priority, Dimension::Metric]);
    let mut report = Report::build(&history(), &options);
    report.compare_with(&Report::build(&history(), &options));
    let compared = report.comparison.as_ref().unwrap();
    assert_eq!(compared.len(), 1);
    assert_eq!(compared[0].met_percent_change, Some(0.0));
    assert_eq!(compared[0].breached_change, Some(0));
    assert_eq!(compared[0].median_change_seconds, Some(0));
    assert_eq!(compared[0].baseline, compared[0].proposed);
}

#[test]
fn the_cycles_csv_has_the_documented_header_and_empty_end_when_open() {
    let mut out = Vec::new();
    let history = history();
    let options = options(vec![Dimension::Metric]);
    sla_report::write_cycles_csv(sla_report::kept_cycles(&history, &options), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "tenant,ticket_id,metric,cycle,policy,priority,segment,group,assignee,organization,\
         channel,start,end,outcome,business_seconds,target_seconds,paused_seconds"
    );
    assert_eq!(
        lines.nth(3).unwrap(),
        "acme,4,first_response,1,standard,high,,emea,,,,2026-11-23T09:00:00Z,,breached,7200,3600,0"
    );
}

#[test]
fn builders_of_disjoint_tickets_merge_into_the_report_of_all() {
    let mut history = history();
    // Equally bad breaches in two rows, so the worst lists' order by position shows.
    for (i, group) in ["emea", "apac", "emea", "apac"].into_iter().enumerate() {
        let mut late = cycle(&format!("late{i}"), Outcome::Breached, None, 9000);
        late.group = Some(group.into());
        history.extend(tickets(vec![late]));
    }
    let options = options(vec![Dimension::Group, Dimension::Period]);
    let whole = sla_report::ReportBuilder::new(&options, Some(2))
        .add_all(&history)
        .finish();
    // Odd and even positions gathered apart, added in reverse, merged the other way round.
    let mut parts = [0, 1].map(|_| sla_report::ReportBuilder::new(&options, Some(2)));
    for (position, ticket) in history.iter().enumerate().rev() {
        parts[position % 2].add(position as u64, ticket);
    }
    let [even, mut merged] = parts;
    merged.merge(even);
    assert_eq!(merged.finish(), whole);
    assert_eq!(whole.0, Report::build(&history, &options));
    assert_eq!(whole.0.rows.iter().map(|r| r.breached).sum::<usize>(), 6);
}
