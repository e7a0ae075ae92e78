//! SLA compliance reports from replayed ticket histories (`sla report`).
//!
//! The input is every ticket at the end of a replay ([`ticket_record`] of each final
//! `TicketState`), added one by one to a [`ReportBuilder`] (builders of disjoint tickets
//! merge, so each core can gather its own; [`Report::build`] does it for a slice). It
//! groups cycles by any [`Dimension`] (calendar periods in a time zone: a cycle belongs to
//! the period in which it ended), counts met / breached / cancelled / open cycles, takes
//! nearest-rank percentiles of the final business time of completed cycles (breached ones
//! that completed late included) and the time over target of late ones, and recommends
//! credible targets, from completed cycles and with a Kaplan-Meier estimate that counts
//! open cycles as right-censored. Nothing here does I/O except through writers passed in.

// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

mod aggregate;
pub mod agreement;
mod compare;
mod cycle;
mod dimension;
mod gather;
mod html;
mod render;
mod report;
pub mod stats;
mod targets;
mod time;

pub use aggregate::Row;
pub use compare::ComparedRow;
pub use cycle::{cycles_of, ticket_record, CycleRecord, Outcome, TicketRecord};
pub use dimension::{Dimension, PeriodUnit, DIMENSIONS};
pub use gather::{PageData, ReportBuilder};
pub use html::{write_html, HtmlOptions, TicketUrl};
pub use render::{write_cycle_csv, write_cycles_csv, Cell, Table, CYCLES_HEADER};
pub use report::{kept_cycles, Report, ReportOptions};
pub use targets::{TargetRow, MIN_COMPLETED};
pub use time::{ticket_time, TicketTime, TimeShare};

/// Errors in report options.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A `--by` name that is not a dimension.
    #[error("unknown dimension {0:?} (expected one of policy, priority, metric, segment, group, assignee, organization, channel, vendor, period)")]
    UnknownDimension(String),
    /// A `--ticket-url` that is not an `http(s)://` template naming `{ticket_id}`.
    #[error("ticket URL template {0:?}: expected https://… or http://… with {{ticket_id}}")]
    TicketUrl(String),
}

/// The JSON Schema of the report document (`sla schema report`).
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}
