//! History importers: saved helpdesk API responses to canonical ticket events, so a
//! team's past tickets can be replayed through a policy (`sla import`, then `sla replay`).
//!
//! Pure: parsers read bytes handed to them ([`Source`]); [`read_paths`] is the only
//! function touching the file system. Vendor words are mapped by the live webhook
//! adapters of `sla-helpdesk`, with the tenant's overrides, so an import and a webhook
//! agree on what a status or priority means.
//!
//! ```
//! use sla_import::{import, Format, Options, Source};
//!
//! let audits = r#"{"audits": [{"id": 7, "ticket_id": 1, "created_at": "2025-01-06T09:00:00Z",
//!   "author_id": 5, "via": {"channel": "email"},
//!   "events": [{"type": "Create", "field_name": "status", "value": "new"},
//!              {"type": "Comment", "id": 70, "public": true}]}]}"#;
//! let source = Source::from_bytes("audits.json", audits.as_bytes().to_vec()).unwrap();
//! let imported = import(Format::Zendesk, &[source], &Options::new("acme")).unwrap();
//! assert_eq!(imported.events.len(), 2);
//! assert_eq!(imported.events[0].event_id, "zendesk:audit:7");
//! assert_eq!(imported.events[1].event_id, "zendesk:comment:70");
//! ```

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod assemble;
mod error;
mod fields;
mod input;
pub mod jira_sla;
mod metric_events;
mod model;
mod report;
mod vendors;
mod vocab;
pub mod zendesk_verdicts;

use std::fmt;
use std::str::FromStr;

use sla_core::event::TicketEvent;
use sla_helpdesk::{Mapping, Vendor};

pub use error::{ImportError, Location};
pub use input::{json_records, read_paths, Source};
pub use metric_events::{read_metric_events, MetricEvent, MetricEventKind, ZendeskMetric};
pub use report::{Report, Skipped};

use vendors::Parsed;

/// The export formats `sla import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Zendesk ticket audits, the incremental ticket event export, users.
    Zendesk,
    /// Jira Service Management issues with `expand=changelog`, agent lists.
    Jira,
    /// Freshdesk tickets, conversations and the ticket activities export.
    Freshdesk,
    /// Our CSV layout, one row per event.
    Csv,
}

impl Format {
    /// Every format, in documentation order.
    pub const ALL: [Format; 4] = [
        Format::Zendesk,
        Format::Jira,
        Format::Freshdesk,
        Format::Csv,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Zendesk => "zendesk",
            Format::Jira => "jira",
            Format::Freshdesk => "freshdesk",
            Format::Csv => "csv",
        }
    }

    /// The vendor whose webhook adapter maps the words and names the events.
    pub fn vendor(self) -> Vendor {
        match self {
            Format::Zendesk => Vendor::Zendesk,
            Format::Jira => Vendor::Jira,
            Format::Freshdesk => Vendor::Freshdesk,
            Format::Csv => Vendor::Canonical,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                format!("unknown format {s:?}; expected zendesk, jira, freshdesk or csv")
            })
    }
}

/// Who the events are for and how to map vendor words.
#[derive(Debug, Clone)]
pub struct Options {
    /// The tenant written on every event.
    pub tenant: String,
    /// The tenant's overrides for this vendor (from the tenants file).
    pub mapping: Mapping,
    /// Fail if any record could not be used.
    pub strict: bool,
}

impl Options {
    /// Default mapping, not strict.
    pub fn new(tenant: impl Into<String>) -> Self {
        Self {
            tenant: tenant.into(),
            mapping: Mapping::default(),
            strict: false,
        }
    }
}

/// The events read and the tally of what could not be used.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Canonical events, sorted by ticket then time.
    pub events: Vec<TicketEvent>,
    /// Counts by reason, for stderr.
    pub report: Report,
}

/// Imports every source in one format. Fails on a file that is not JSON (CSV), naming
/// file, record and position, and with `strict` on any record that could not be used.
pub fn import(
    format: Format,
    sources: &[Source],
    options: &Options,
) -> Result<Imported, ImportError> {
    let mut report = Report::default();
    let mut parsed = Parsed::default();
    for source in sources {
        read_source(format, source, &mut parsed, &mut report)?;
    }
    match format {
        Format::Freshdesk => vendors::freshdesk::finish(&mut parsed, &mut report),
        Format::Jira => vendors::jira::finish(&mut parsed, &mut report),
        Format::Zendesk | Format::Csv => {}
    }
    let vendor = format.vendor();
    let mut mapper = vocab::Mapper::new(vendor, &options.tenant, &options.mapping);
    let events = assemble::assemble(
        parsed.changes,
        &parsed.directory,
        &mut mapper,
        &mut report,
        &options.tenant,
        (format != Format::Csv).then(|| vendor.name()),
    );
    if options.strict && !report.skipped.is_empty() {
        return Err(ImportError::Strict(report.skipped));
    }
    Ok(Imported { events, report })
}

fn read_source(
    format: Format,
    source: &Source,
    parsed: &mut Parsed,
    report: &mut Report,
) -> Result<(), ImportError> {
    if format == Format::Csv {
        return vendors::csv::read(source, parsed, report);
    }
    for (index, value) in json_records(source)?.iter().enumerate() {
        let at = Location {
            file: source.name.clone(),
            record: index + 1,
            field: String::new(),
        };
        match format {
            Format::Zendesk => vendors::zendesk::record(value, &at, parsed, report),
            Format::Jira => vendors::jira::record(value, &at, parsed, report),
            Format::Freshdesk => vendors::freshdesk::record(value, &at, parsed, report),
            Format::Csv => {}
        }
    }
    Ok(())
}
