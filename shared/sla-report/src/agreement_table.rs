//! The agreement as tables: totals, and one row per cycle (text for people, CSV).

use chrono::{DateTime, Utc};
use sla_core::policy::metric_name;
use sla_core::ClockStep;

use super::{Agreement, Side};
use crate::render::{Cell, Table};

impl Agreement {
    /// The totals as a table.
    pub fn totals_table(&self) -> Table {
        let t = &self.totals;
        Table {
            title: "Agreement with the helpdesk".into(),
            header: strings(&[
                "AGREE",
                "DISAGREE",
                "NOT COMPARABLE",
                "NOT IN HELPDESK",
                "AGREE%",
            ]),
            csv_header: strings(&[
                "agree",
                "disagree",
                "not_comparable",
                "not_in_helpdesk",
                "agree_percent",
            ]),
            rows: vec![vec![
                count(t.agree),
                count(t.disagree),
                count(t.not_comparable),
                count(t.not_in_helpdesk),
                Cell::Percent(self.agree_percent),
            ]],
        }
    }

    /// One row per cycle; `describe` renders a clock step as `sla explain` does.
    pub fn rows_table(&self, describe: impl Fn(&ClockStep) -> String) -> Table {
        let side_cells = |side: Option<&Side>| {
            [
                Cell::Text(side.map_or("", |s| s.outcome).into()),
                Cell::Text(side.and_then(|s| s.at).map_or(String::new(), stamp)),
            ]
        };
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![
                    Cell::Text(row.ticket_id.clone()),
                    Cell::Text(metric_name(&row.metric)),
                    count(row.cycle as usize),
                    Cell::Text(row.helpdesk_name.clone().unwrap_or_default()),
                    Cell::Text(row.status.name().into()),
                ];
                cells.extend(side_cells(row.ours.as_ref()));
                cells.extend(side_cells(row.helpdesk.as_ref()));
                cells.push(Cell::Text(row.reason.clone()));
                cells.push(Cell::Text(
                    row.first_differing_step
                        .as_ref()
                        .map_or(String::new(), &describe),
                ));
                cells
            })
            .collect();
        Table {
            title: "Per cycle".into(),
            header: strings(&[
                "TICKET",
                "METRIC",
                "CYCLE",
                "HELPDESK",
                "STATUS",
                "OURS",
                "OURS AT",
                "THEIRS",
                "THEIRS AT",
                "REASON",
                "FIRST DIFFERING STEP",
            ]),
            csv_header: strings(&[
                "ticket_id",
                "metric",
                "cycle",
                "helpdesk_name",
                "status",
                "ours",
                "ours_at",
                "helpdesk",
                "helpdesk_at",
                "reason",
                "first_differing_step",
            ]),
            rows,
        }
    }
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn count(n: usize) -> Cell {
    Cell::Number(n as i64)
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
