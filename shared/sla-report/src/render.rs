//! The report as tables (text for people, CSV for spreadsheets), JSON, and the per-cycle
//! drill-down CSV. Writers are passed in; nothing here opens files.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use sla_core::duration::format_duration;
use sla_core::policy::{metric_name, priority_name};

use crate::aggregate::Row;
use crate::compare::ComparedRow;
use crate::cycle::CycleRecord;
use crate::report::Report;
use crate::targets::TargetRow;

/// One table cell: shown formatted in text, raw in CSV.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A label.
    Text(String),
    /// A count or signed difference.
    Number(i64),
    /// Business seconds (text: `1h2m3s`; `-` when null).
    Seconds(Option<i64>),
    /// Mean seconds (text: rounded to the second).
    Mean(Option<f64>),
    /// A percentage or a difference in points (text: `91.5%`).
    Percent(Option<f64>),
}

impl Cell {
    /// As shown to people.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Seconds(s) => s.map_or("-".into(), format_duration),
            Cell::Mean(m) => m.map_or("-".into(), |m| format_duration(m.round() as i64)),
            Cell::Percent(p) => p.map_or("-".into(), |p| format!("{p:.1}%")),
        }
    }

    /// As written to CSV (empty when null).
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Seconds(s) => s.map_or(String::new(), |s| s.to_string()),
            Cell::Mean(m) | Cell::Percent(m) => m.map_or(String::new(), |m| m.to_string()),
        }
    }
}

/// A titled table with text and CSV column names.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What it shows.
    pub title: String,
    /// Column names for people.
    pub header: Vec<String>,
    /// Column names for CSV.
    pub csv_header: Vec<String>,
    /// The cells, one vector per row.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(title: &str, columns: &[(String, String)]) -> Table {
        Table {
            title: title.to_string(),
            header: columns.iter().map(|(h, _)| h.clone()).collect(),
            csv_header: columns.iter().map(|(_, c)| c.clone()).collect(),
            rows: Vec::new(),
        }
    }

    /// The cells as text, one vector per row.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| row.iter().map(Cell::text).collect())
            .collect()
    }

    /// Writes the table as CSV (RFC 4180).
    pub fn write_csv(&self, out: &mut impl Write) -> std::io::Result<()> {
        write_csv_line(out, &self.csv_header)?;
        for row in &self.rows {
            write_csv_line(out, &row.iter().map(Cell::raw).collect::<Vec<_>>())?;
        }
        Ok(())
    }
}

const STATS: [(&str, &str); 14] = [
    ("TICKETS", "tickets"),
    ("CYCLES", "cycles"),
    ("MET", "met"),
    ("BREACHED", "breached"),
    ("CANCELLED", "cancelled"),
    ("OPEN", "open"),
    ("EXCLUDED", "excluded_tickets"),
    ("MET%", "met_percent"),
    ("MEDIAN", "median_seconds"),
    ("P90", "p90_seconds"),
    ("P95", "p95_seconds"),
    ("MEAN OVER", "mean_over_target_seconds"),
    ("MAX OVER", "max_over_target_seconds"),
    ("BREACHED OPEN", "breached_open"),
];

impl Report {
    /// The rows table (also the CSV output).
    pub fn rows_table(&self) -> Table {
        let mut table = Table::new("Compliance", &self.key_columns(&STATS));
        table.rows = self.rows.iter().map(|r| self.row_cells(r)).collect();
        table
    }

    fn key_cells(&self, key: &std::collections::BTreeMap<String, String>) -> Vec<Cell> {
        self.by
            .iter()
            .map(|d| Cell::Text(key.get(d.name()).cloned().unwrap_or_default()))
            .collect()
    }

    fn row_cells(&self, row: &Row) -> Vec<Cell> {
        let count = |n: usize| Cell::Number(i64::try_from(n).unwrap_or(i64::MAX));
        let mut cells = self.key_cells(&row.key);
        cells.extend([
            count(row.tickets),
            count(row.cycles),
            count(row.met),
            count(row.breached),
            count(row.cancelled),
            count(row.open),
            count(row.excluded_tickets),
            Cell::Percent(row.met_percent),
            Cell::Seconds(row.median_seconds),
            Cell::Seconds(row.p90_seconds),
            Cell::Seconds(row.p95_seconds),
            Cell::Mean(row.mean_over_target_seconds),
            Cell::Seconds(row.max_over_target_seconds),
            count(row.breached_open),
        ]);
        cells
    }

    /// Where the time goes, per row.
    pub fn time_table(&self) -> Table {
        let mut table = Table::new(
            "Where the time goes (share of the tickets' wall-clock life)",
            &self.key_columns(&TIME),
        );
        table.rows = self
            .rows
            .iter()
            .map(|r| {
                let mut cells = self.key_cells(&r.key);
                cells.extend(time_cells(r));
                cells
            })
            .collect();
        table
    }

    /// The rows table with the time shares: the CSV output.
    pub fn csv_table(&self) -> Table {
        let mut table = self.rows_table();
        table
            .csv_header
            .extend(TIME.iter().map(|(_, c)| c.to_string()));
        table.header.extend(TIME.iter().map(|(h, _)| h.to_string()));
        for (cells, row) in table.rows.iter_mut().zip(&self.rows) {
            cells.extend(time_cells(row));
        }
        table
    }

    /// The `--by` columns followed by `more`.
    fn key_columns(&self, more: &[(&str, &str)]) -> Vec<(String, String)> {
        self.by
            .iter()
            .map(|d| (d.name().to_uppercase(), d.name().to_string()))
            .chain(more.iter().map(|(h, c)| (h.to_string(), c.to_string())))
            .collect()
    }

    /// The credible-targets table.
    pub fn targets_table(&self) -> Table {
        let title = format!(
            "Credible targets (met by {}% of completed cycles)",
            self.target_percent
        );
        let columns: Vec<(String, String)> = [
            ("POLICY", "policy"),
            ("PRIORITY", "priority"),
            ("METRIC", "metric"),
            ("TARGET", "target_seconds"),
            ("COMPLETED", "completed"),
            ("OPEN", "censored"),
            ("MET%", "met_percent"),
            ("RECOMMENDED", "recommended_seconds"),
            ("KM MET%", "km_met_percent"),
            ("KM RECOMMENDED", "km_recommended_seconds"),
            ("NOTE", "note"),
        ]
        .iter()
        .map(|(h, c)| (h.to_string(), c.to_string()))
        .collect();
        let mut table = Table::new(&title, &columns);
        table.rows = self.targets.iter().map(target_cells).collect();
        table
    }

    /// The comparison table, when there is a comparison.
    pub fn comparison_table(&self) -> Option<Table> {
        let compared = self.comparison.as_ref()?;
        let columns = self.key_columns(&[
            ("MET%", "met_percent"),
            ("MET% NEW", "proposed_met_percent"),
            ("CHANGE", "met_percent_change"),
            ("BREACHED", "breached"),
            ("BREACHED NEW", "proposed_breached"),
            ("CHANGE", "breached_change"),
            ("MEDIAN", "median_seconds"),
            ("MEDIAN NEW", "proposed_median_seconds"),
            ("CHANGE", "median_change_seconds"),
        ]);
        let mut table = Table::new("Compared with the proposed policy", &columns);
        table.rows = compared.iter().map(|c| self.compared_cells(c)).collect();
        Some(table)
    }

    fn compared_cells(&self, compared: &ComparedRow) -> Vec<Cell> {
        let side = |row: &Option<Row>| {
            let row = row.as_ref();
            (
                Cell::Percent(row.and_then(|r| r.met_percent)),
                row.map_or(Cell::Text("-".into()), |r| {
                    Cell::Number(i64::try_from(r.breached).unwrap_or(i64::MAX))
                }),
                Cell::Seconds(row.and_then(|r| r.median_seconds)),
            )
        };
        let (met_b, breached_b, median_b) = side(&compared.baseline);
        let (met_p, breached_p, median_p) = side(&compared.proposed);
        let mut cells = self.key_cells(&compared.key);
        cells.extend([
            met_b,
            met_p,
            Cell::Percent(compared.met_percent_change),
            breached_b,
            breached_p,
            compared
                .breached_change
                .map_or(Cell::Text("-".into()), Cell::Number),
            median_b,
            median_p,
            Cell::Seconds(compared.median_change_seconds),
        ]);
        cells
    }

    /// Every table, in reading order.
    pub fn tables(&self) -> Vec<Table> {
        let mut tables = vec![self.rows_table(), self.time_table(), self.targets_table()];
        tables.extend(self.comparison_table());
        tables
    }

    /// The heading line of the text output.
    pub fn heading(&self) -> String {
        let from = self
            .from
            .map_or(String::new(), |f| format!(" from {}", stamp(f)));
        format!(
            "{} cycles of {} tickets{} until {} ({} excluded tickets; periods: {} in {})",
            self.cycles,
            self.tickets,
            from,
            stamp(self.until),
            self.excluded_tickets,
            serde_json::to_value(self.period)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            self.timezone
        )
    }

    /// Writes the report as one JSON document.
    pub fn write_json(&self, out: &mut impl Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

/// The time-share columns; paused statuses in a fixed order.
const TIME: [(&str, &str); 8] = [
    ("LIFE", "life_seconds"),
    ("FIRST REPLY", "waiting_first_reply_percent"),
    ("WITH AGENT", "with_agent_percent"),
    ("PENDING", "pending_percent"),
    ("ON HOLD", "on_hold_percent"),
    ("SOLVED", "solved_percent"),
    ("CLOSED", "closed_percent"),
    ("OUTSIDE HOURS", "outside_hours_percent"),
];

fn time_cells(row: &Row) -> Vec<Cell> {
    let time = &row.time;
    let paused = |status: &str| Cell::Percent(time.paused_percent.get(status).copied().flatten());
    vec![
        Cell::Seconds(Some(time.life_seconds)),
        Cell::Percent(time.waiting_first_reply_percent),
        Cell::Percent(time.with_agent_percent),
        paused("pending"),
        paused("on_hold"),
        paused("solved"),
        paused("closed"),
        Cell::Percent(time.outside_hours_percent),
    ]
}

fn target_cells(row: &TargetRow) -> Vec<Cell> {
    let count = |n: usize| Cell::Number(i64::try_from(n).unwrap_or(i64::MAX));
    vec![
        Cell::Text(row.policy.clone()),
        Cell::Text(row.priority.clone()),
        Cell::Text(row.metric.clone()),
        Cell::Seconds(Some(row.target_seconds)),
        count(row.completed),
        count(row.censored),
        Cell::Percent(row.met_percent),
        Cell::Seconds(row.recommended_seconds),
        Cell::Percent(row.km_met_percent),
        Cell::Seconds(row.km_recommended_seconds),
        Cell::Text(row.note.clone().unwrap_or_default()),
    ]
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The header of the per-cycle CSV.
pub const CYCLES_HEADER: [&str; 17] = [
    "tenant",
    "ticket_id",
    "metric",
    "cycle",
    "policy",
    "priority",
    "segment",
    "group",
    "assignee",
    "organization",
    "channel",
    "start",
    "end",
    "outcome",
    "business_seconds",
    "target_seconds",
    "paused_seconds",
];

/// Writes the header, then one CSV row per cycle ([`write_cycle_csv`]).
pub fn write_cycles_csv<'a>(
    cycles: impl IntoIterator<Item = &'a CycleRecord>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    write_csv_line(out, &CYCLES_HEADER)?;
    for c in cycles {
        write_cycle_csv(c, out)?;
    }
    Ok(())
}

/// Writes the CSV row of one cycle (`end` empty while open), with its line end.
pub fn write_cycle_csv(c: &CycleRecord, out: &mut impl Write) -> std::io::Result<()> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    write_csv_line(
        out,
        &[
            c.tenant.clone(),
            c.ticket_id.clone(),
            metric_name(&c.metric),
            c.cycle.to_string(),
            c.policy.clone(),
            priority_name(&c.priority),
            text(&c.segment),
            text(&c.group),
            text(&c.assignee),
            text(&c.organization),
            text(&c.channel),
            stamp(c.start),
            c.end.map(stamp).unwrap_or_default(),
            c.outcome.name().to_string(),
            c.business_seconds.to_string(),
            c.target_seconds.to_string(),
            c.paused_seconds.to_string(),
        ],
    )
}

fn write_csv_line(out: &mut impl Write, fields: &[impl AsRef<str>]) -> std::io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f.as_ref())).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\n")
}

/// Quotes a field when it holds a comma, a quote or a line break.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("emea"), "emea");
        assert_eq!(csv_field("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn cells_show_durations_and_percentages() {
        assert_eq!(Cell::Seconds(Some(3661)).text(), "1h1m1s");
        assert_eq!(Cell::Seconds(None).text(), "-");
        assert_eq!(Cell::Seconds(None).raw(), "");
        assert_eq!(Cell::Percent(Some(66.7)).text(), "66.7%");
        assert_eq!(Cell::Percent(Some(66.7)).raw(), "66.7");
        assert_eq!(Cell::Mean(Some(90.4)).text(), "1m30s");
    }
}
