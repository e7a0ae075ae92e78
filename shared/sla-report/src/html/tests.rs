//! The whole page from a small hand-made history: escaping, links, self-containment.

use chrono::{DateTime, Utc};
use sla_core::{Metric, Priority};

use super::*;
use crate::cycle::{CycleRecord, Outcome, TicketRecord};
use crate::time::TicketTime;

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A completed first-response cycle of `seconds` against a one-hour target.
fn ticket(id: &str, group: &str, seconds: i64) -> TicketRecord {
    let outcome = if seconds <= 3600 {
        Outcome::Met
    } else {
        Outcome::Breached
    };
    TicketRecord {
        cycles: vec![CycleRecord {
            tenant: "acme".into(),
            ticket_id: id.into(),
            metric: Metric::FirstResponse,
            cycle: 1,
            policy: "standard".into(),
            priority: Priority::High,
            segment: None,
            group: Some(group.into()),
            assignee: None,
            organization: None,
            channel: None,
            vendor: None,
            start: t("2026-11-23T09:00:00Z"),
            end: Some(t("2026-11-24T09:00:00Z")),
            outcome,
            business_seconds: seconds,
            target_seconds: 3600,
            paused_seconds: 0,
        }],
        time: TicketTime {
            life_seconds: 86_400,
            waiting_first_reply_seconds: 43_200,
            with_agent_seconds: 43_200,
            ..TicketTime::default()
        },
        excluded: false,
    }
}

fn page(tickets: &[TicketRecord], html: &HtmlOptions) -> String {
    let options = ReportOptions {
        until: t("2026-11-30T00:00:00Z"),
        policy_order: vec!["standard".into()],
        ..ReportOptions::default()
    };
    let (report, data) = crate::ReportBuilder::new(&options, Some(html.worst))
        .add_all(tickets)
        .finish();
    assert_eq!(report, Report::build(tickets, &options));
    let mut out = Vec::new();
    write_html(&report, &data, &options, html, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn history() -> Vec<TicketRecord> {
    let mut tickets: Vec<TicketRecord> = (0..40)
        .map(|i| ticket(&format!("T{i}"), "emea", 60 * (i + 1)))
        .collect();
    tickets.push(ticket("<img src=x onerror=alert(1)>", "<b>ops</b>", 9000));
    tickets
}

#[test]
fn user_data_is_escaped_everywhere() {
    let html = page(&history(), &HtmlOptions::default());
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>ops"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<script"));
}

#[test]
fn breached_tickets_link_to_the_helpdesk_percent_encoded() {
    let url = TicketUrl::parse("https://acme.zendesk.com/agent/tickets/{ticket_id}").unwrap();
    let html = page(
        &history(),
        &HtmlOptions {
            ticket_url: Some(url),
            worst: 5,
        },
    );
    assert!(html.contains(
        r#"<a href="https://acme.zendesk.com/agent/tickets/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E">"#
    ));
    // Only the breached ticket is listed: the 40 others met their target.
    assert_eq!(html.matches("<a href=").count(), 1);
}

#[test]
fn ticket_url_templates_must_be_web_links_naming_the_ticket() {
    assert!(TicketUrl::parse("javascript:alert('{ticket_id}')").is_err());
    assert!(TicketUrl::parse("https://acme.zendesk.com/agent/tickets/").is_err());
    let url = TicketUrl::parse("https://{tenant}.example.com/t/{ticket_id}").unwrap();
    assert_eq!(url.link("acme", "a/b"), "https://acme.example.com/t/a%2Fb");
}

#[test]
fn the_page_requests_nothing_from_the_network() {
    let html = page(&history(), &HtmlOptions::default());
    // (`src=x` does occur, escaped, as text of the hostile ticket id.)
    for resource in [
        "http://", "https://", "src=\"", "url(", "@import", "<script",
    ] {
        assert!(!html.contains(resource), "found {resource}");
    }
    let linked = page(
        &history(),
        &HtmlOptions {
            ticket_url: TicketUrl::parse("https://helpdesk.example/{ticket_id}").ok(),
            worst: 5,
        },
    );
    // Ticket links are the only web addresses, each an anchor's href.
    assert_eq!(
        linked.matches("https://").count(),
        linked.matches(r#"<a href="https://"#).count()
    );
    assert!(!linked.contains("http://"));
}

#[test]
fn every_chart_has_a_title_and_axis_labels() {
    let html = page(&history(), &HtmlOptions::default());
    let charts: Vec<&str> = html.split("<svg").skip(1).collect();
    // Trend, one histogram, time breakdown.
    assert_eq!(charts.len(), 3);
    for svg in charts {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(svg.contains("<title>"));
        assert!(svg.contains("x-label") && svg.contains("y-label"));
    }
    for section in ["summary", "trend", "distribution", "time", "worst"] {
        assert!(html.contains(&format!(r#"<section id="{section}">"#)));
    }
}

#[test]
fn histogram_bins_count_every_cycle_and_overflow_goes_last() {
    let seconds = [0, 10, 99, 100, 2399, 2400, 10_000, 10];
    let counts = sections::bin_counts(&seconds.into_iter().collect(), 2400);
    assert_eq!(counts.iter().sum::<usize>(), seconds.len());
    assert_eq!(counts[0], 4); // 0, 10 twice, 99 (bins are 100 s wide)
    assert_eq!(counts[1], 1);
    assert_eq!(counts[23], 3); // 2399, 2400 and 10000
}
