//! The report as one self-contained HTML page (`sla report --format html`): inline CSS and
//! inline SVG charts drawn here, no script and no network request. Sections: summary
//! tables, compliance trend per metric, business-time histograms with the current and
//! recommended targets, where the time goes, and the worst tickets of breached rows
//! (linked to the helpdesk with a [`TicketUrl`]).

mod chart;
mod page;
mod sections;

use std::io::Write;

use crate::gather::PageData;
use crate::report::{Report, ReportOptions};
use crate::ReportError;

use page::{escape, percent_encode};

/// A helpdesk link template such as `https://acme.zendesk.com/agent/tickets/{ticket_id}`
/// (`{tenant}` is replaced too; both are percent-encoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketUrl(String);

impl TicketUrl {
    /// Checks that the template is an `http(s)://` URL naming `{ticket_id}`.
    pub fn parse(template: &str) -> Result<TicketUrl, ReportError> {
        let lower = template.to_ascii_lowercase();
        let web = lower.starts_with("https://") || lower.starts_with("http://");
        if !web || !template.contains("{ticket_id}") {
            return Err(ReportError::TicketUrl(template.to_string()));
        }
        Ok(TicketUrl(template.to_string()))
    }

    /// The link to one ticket.
    pub fn link(&self, tenant: &str, ticket_id: &str) -> String {
        self.0
            .replace("{tenant}", &percent_encode(tenant))
            .replace("{ticket_id}", &percent_encode(ticket_id))
    }
}

/// What the HTML page adds to the report.
#[derive(Debug, Clone)]
pub struct HtmlOptions {
    /// Links tickets to the helpdesk, when given.
    pub ticket_url: Option<TicketUrl>,
    /// Worst tickets listed per breached row.
    pub worst: usize,
}

impl Default for HtmlOptions {
    fn default() -> HtmlOptions {
        HtmlOptions {
            ticket_url: None,
            worst: 5,
        }
    }
}

/// Writes `report` as one HTML page; `page`: what was gathered with it for the page
/// ([`ReportBuilder::new`](crate::ReportBuilder::new) with [`HtmlOptions::worst`]).
pub fn write_html(
    report: &Report,
    page: &PageData,
    options: &ReportOptions,
    html: &HtmlOptions,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let data = sections::Data {
        report,
        page,
        options,
        html,
    };
    write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>SLA report</title><style>{}</style></head><body><header><h1>SLA compliance report</h1><p class="lead">{}</p></header>"#,
        page::CSS,
        escape(&report.heading())
    )?;
    for section in [
        sections::summary(&data),
        sections::trend(&data),
        sections::distribution(&data),
        sections::time(&data),
        sections::worst(&data),
    ] {
        out.write_all(section.as_bytes())?;
    }
    out.write_all(b"</body></html>\n")
}

#[cfg(test)]
mod tests;
