//! The sections of the HTML page, each returned as a string.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sla_core::duration::format_duration;
use sla_core::policy::metric_name;

use super::chart::{self, Chart};
use super::page::{escape, table};
use super::HtmlOptions;
use crate::cycle::CycleRecord;
use crate::gather::PageData;
use crate::report::{Report, ReportOptions};
use crate::stats::Counts;
use crate::targets::TargetRow;

/// What every section reads.
pub(super) struct Data<'a> {
    pub report: &'a Report,
    pub page: &'a PageData,
    pub options: &'a ReportOptions,
    pub html: &'a HtmlOptions,
}

impl Data<'_> {
    /// A row's labels in `--by` order.
    fn labels(&self, key: &BTreeMap<String, String>) -> Vec<String> {
        self.report
            .by
            .iter()
            .map(|d| key.get(d.name()).cloned().unwrap_or_default())
            .collect()
    }
}

fn section(id: &str, title: &str, note: &str, body: &str) -> String {
    format!(
        r#"<section id="{id}"><h2>{}</h2><p class="note">{}</p>{body}</section>"#,
        escape(title),
        escape(note)
    )
}

fn figure(svg: String, legend: &str) -> String {
    format!("<figure>{svg}{legend}</figure>")
}

/// Figures in a responsive grid, or `empty` when there are none.
fn grid(figures: String, empty: &str) -> String {
    if figures.is_empty() {
        format!("<p>{}</p>", escape(empty))
    } else {
        format!(r#"<div class="charts">{figures}</div>"#)
    }
}

/// The compliance, credible-target and comparison tables.
pub(super) fn summary(data: &Data) -> String {
    let report = data.report;
    let mut body = table(&report.rows_table(), Some("Compliance"));
    body.push_str(&table(&report.targets_table(), None));
    if let Some(compared) = report.comparison_table() {
        body.push_str(&table(&compared, Some("Compared with the proposed policy")));
    }
    section(
        "summary",
        "Summary",
        "Met % = met / (met + breached). Percentiles are of the final business time of completed cycles. Credible targets are met by the stated share of completed cycles.",
        &body,
    )
}

/// One line chart of met % per period for each metric.
pub(super) fn trend(data: &Data) -> String {
    // Rows come sorted by metric, then period: consecutive rows share a metric.
    let mut per_metric: Vec<(String, Vec<Point>)> = Vec::new();
    for row in &data.page.trend {
        let (Some(metric), Some(period), Some(met)) = (
            row.key.get("metric"),
            row.key.get("period"),
            row.met_percent,
        ) else {
            continue;
        };
        if period == "-" {
            continue;
        }
        let tip = format!(
            "{period}: {met:.1}% met ({} of {})",
            row.met,
            row.met + row.breached
        );
        if per_metric.last().is_none_or(|(m, _)| m != metric) {
            per_metric.push((metric.clone(), Vec::new()));
        }
        if let Some((_, points)) = per_metric.last_mut() {
            points.push((period.clone(), met, tip));
        }
    }
    let charts: String = per_metric
        .into_iter()
        .map(|(metric, points)| figure(trend_chart(data, &metric, &points), ""))
        .collect();
    section(
        "trend",
        "Compliance trend",
        &format!(
            "Met % of cycles decided in each period (a cycle belongs to the period in which it ended), per metric; the dashed line is {}%.",
            data.report.target_percent
        ),
        &grid(charts, "No cycle was met or breached in any period."),
    )
}

/// A trend point: period label, met %, tooltip.
type Point = (String, f64, String);

fn trend_chart(data: &Data, metric: &str, points: &[Point]) -> String {
    let period = serde_json::to_value(data.options.period)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut chart = Chart::new(
        &format!("{metric}: met % per {period}"),
        &format!("{period} ({})", data.options.timezone.name()),
        "met %",
        240.0,
    );
    for v in [0.0, 50.0, 100.0] {
        chart.y_tick(v, 100.0, &format!("{v}%"));
    }
    let goal = data.report.target_percent;
    chart.level(goal, 100.0, "goal", &format!("{goal}%"));
    let step = points.len().div_ceil(6).max(1);
    let placed: Vec<(f64, f64, String)> = points
        .iter()
        .enumerate()
        .map(|(i, (label, met, tip))| {
            let x = chart::slot_centre(i, points.len());
            if i % step == 0 {
                chart.x_tick(x, label);
            }
            (x, *met, tip.clone())
        })
        .collect();
    chart.line(&placed, 100.0);
    chart.finish()
}

/// Bins of the business-time histogram.
const BINS: usize = 24;

/// One histogram of the business time of completed cycles per policy × priority × metric,
/// with the current, recommended and Kaplan-Meier targets.
pub(super) fn distribution(data: &Data) -> String {
    let charts: String = data
        .report
        .targets
        .iter()
        .filter_map(|target| {
            let key = vec![
                target.policy.clone(),
                target.priority.clone(),
                target.metric.clone(),
            ];
            let seconds = data.page.completed.get(&key)?;
            let note = target.note.as_ref().map_or(String::new(), |n| {
                format!("<figcaption>{}</figcaption>", escape(n))
            });
            (!seconds.is_empty()).then(|| figure(histogram(target, seconds), &note))
        })
        .collect();
    section(
        "distribution",
        "Business time of completed cycles",
        "Per policy, priority and metric: how long completed cycles took in business time. Dashed red: the current target; green: the recommended (credible) target; dotted purple: the Kaplan-Meier recommendation that counts open cycles. The last bin holds everything longer.",
        &grid(charts, "No completed cycles."),
    )
}

/// The histogram's upper bound: the 99th percentile or the largest target shown.
fn histogram_max(target: &TargetRow, seconds: &Counts) -> i64 {
    let p99 = seconds.nearest_rank(99.0).unwrap_or(0);
    let top = [
        Some(p99),
        Some(target.target_seconds + target.target_seconds / 4),
        target.recommended_seconds,
        target.km_recommended_seconds,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0)
    .max(1);
    // Whole bins of a whole number of minutes when that long, else of seconds.
    let unit = if top >= 60 * BINS as i64 {
        60 * BINS as i64
    } else {
        BINS as i64
    };
    (top + unit - 1) / unit * unit
}

/// Counts of `seconds` in `BINS` equal bins over 0..=`max`, the last bin taking
/// everything longer.
pub(super) fn bin_counts(seconds: &Counts, max: i64) -> Vec<usize> {
    let mut counts = vec![0; BINS];
    let width = (max as f64 / BINS as f64).max(1.0);
    for (s, n) in seconds.iter() {
        let bin = (s.max(0) as f64 / width) as usize;
        counts[bin.min(BINS - 1)] += n;
    }
    counts
}

fn histogram(target: &TargetRow, seconds: &Counts) -> String {
    let max = histogram_max(target, seconds);
    let counts = bin_counts(seconds, max);
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut chart = Chart::new(
        &format!(
            "{} · {} · {}",
            target.policy, target.priority, target.metric
        ),
        "business time",
        &format!("cycles (of {})", seconds.len()),
        260.0,
    );
    chart.y_tick(0.0, top, "0");
    chart.y_tick(top, top, &format!("{top}"));
    let width = max as f64 / BINS as f64;
    let tips: Vec<String> = counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let from = format_duration((width * i as f64).round() as i64);
            let to = format_duration((width * (i + 1) as f64).round() as i64);
            format!("{from} to {to}: {n} cycles")
        })
        .collect();
    let values: Vec<f64> = counts.iter().map(|n| *n as f64).collect();
    chart.bars(&values, top, &tips);
    for v in [0, max / 2, max] {
        chart.x_tick(chart::x_of(v as f64, max as f64), &format_duration(v));
    }
    let markers = [
        (Some(target.target_seconds), "target", "target"),
        (target.recommended_seconds, "recommended", "recommended"),
        (target.km_recommended_seconds, "km", "KM"),
    ];
    for (slot, (at, class, name)) in markers.into_iter().enumerate() {
        if let Some(at) = at {
            let label = format!("{name} {}", format_duration(at));
            chart.marker(chart::x_of(at as f64, max as f64), class, &label, slot);
        }
    }
    chart.finish()
}

/// The time-share segments: (name, CSS class index).
const SEGMENTS: [&str; 6] = [
    "waiting for first reply",
    "with agent",
    "pending",
    "on hold",
    "solved",
    "closed",
];

/// One stacked bar per row: where the wall-clock life of its tickets went.
pub(super) fn time(data: &Data) -> String {
    let rows: Vec<_> = data
        .report
        .rows
        .iter()
        .filter(|r| r.time.life_seconds > 0)
        .collect();
    const LINE: f64 = 28.0;
    let mut chart = Chart::new(
        "Where the time goes, per row",
        "share of the tickets' wall-clock life (%)",
        "rows",
        chart::TOP + chart::BOTTOM + LINE * rows.len().max(1) as f64,
    );
    for v in [0.0, 50.0, 100.0] {
        chart.x_tick(chart::x_of(v, 100.0), &format!("{v}%"));
    }
    for (i, row) in rows.iter().enumerate() {
        let time = &row.time;
        let paused = |s: &str| time.paused_percent.get(s).copied().flatten();
        let shares = [
            time.waiting_first_reply_percent,
            time.with_agent_percent,
            paused("pending"),
            paused("on_hold"),
            paused("solved"),
            paused("closed"),
        ];
        let y = chart::TOP + LINE * i as f64;
        let label = data.labels(&row.key).join(" · ");
        let outside = time
            .outside_hours_percent
            .map_or(String::new(), |p| format!(" (outside hours {p:.0}%)"));
        let mut svg = format!(
            r#"<text class="marker-label" x="{}" y="{:.1}">{}</text>"#,
            chart::x_of(0.0, 100.0) + 2.0,
            y + 11.0,
            escape(&format!("{label}{outside}"))
        );
        let values: Vec<f64> = shares.iter().map(|s| s.unwrap_or(0.0)).collect();
        for (k, (x, w)) in chart::stacked(&values).into_iter().enumerate() {
            if w > 0.0 {
                let _ = write!(
                    svg,
                    r#"<rect class="seg{k}" x="{x:.1}" y="{:.1}" width="{w:.1}" height="12"><title>{}</title></rect>"#,
                    y + 14.0,
                    escape(&format!("{label}: {} {:.1}%", SEGMENTS[k], values[k]))
                );
            }
        }
        chart.push(&svg);
    }
    let legend: String = SEGMENTS
        .iter()
        .enumerate()
        .map(|(k, name)| format!(r#"<span><i class="seg{k}"></i>{name}</span>"#))
        .collect();
    let body = format!(
        r#"<div class="wide">{}</div>{}"#,
        figure(
            chart.finish(),
            &format!(r#"<div class="legend">{legend}</div>"#)
        ),
        table(&data.report.time_table(), None)
    );
    section(
        "time",
        "Where the time goes",
        "For each row's tickets, the share of their summed wall-clock life (creation to the last solve, or to the report's end) per state; outside business hours overlaps the others.",
        &body,
    )
}

/// For each row with breaches, its cycles furthest over target.
pub(super) fn worst(data: &Data) -> String {
    let mut body = String::new();
    for (labels, breached, cycles) in &data.page.worst {
        let _ = write!(
            body,
            r#"<h3>{} <small>({} breached)</small></h3>{}"#,
            escape(&labels.join(" · ")),
            breached,
            worst_table(data, cycles)
        );
    }
    if body.is_empty() {
        body.push_str("<p>No breached cycles.</p>");
    }
    section(
        "worst",
        "Worst tickets of breached rows",
        &format!(
            "Per row with breaches, up to {} cycles furthest over their target (business time; still-open cycles as of the report's end).",
            data.html.worst
        ),
        &body,
    )
}

fn worst_table(data: &Data, cycles: &[CycleRecord]) -> String {
    let mut html = String::from(
        r#"<div class="scroll"><table><thead><tr><th scope="col">ticket</th><th scope="col">tenant</th><th scope="col">metric</th><th scope="col">cycle</th><th scope="col">state</th><th scope="col">business time</th><th scope="col">target</th><th scope="col">over by</th><th scope="col">group</th><th scope="col">assignee</th></tr></thead><tbody>"#,
    );
    for c in cycles {
        let id = escape(&c.ticket_id);
        let ticket = match &data.html.ticket_url {
            Some(url) => format!(
                r#"<a href="{}">{id}</a>"#,
                escape(&url.link(&c.tenant, &c.ticket_id))
            ),
            None => id,
        };
        let state = if c.end.is_some() {
            "completed late"
        } else {
            "still open"
        };
        let text = |v: &Option<String>| escape(v.as_deref().unwrap_or("-"));
        let _ = write!(
            html,
            r#"<tr><td>{ticket}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{state}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&c.tenant),
            escape(&metric_name(&c.metric)),
            c.cycle,
            format_duration(c.business_seconds),
            format_duration(c.target_seconds),
            format_duration((c.business_seconds - c.target_seconds).max(0)),
            text(&c.group),
            text(&c.assignee),
        );
    }
    html.push_str("</tbody></table></div>");
    html
}
