//! What every vendor parser produces: changes to tickets, with the vendor's own words,
//! before vocabulary mapping and before they are put in order.

use chrono::{DateTime, Utc};
use sla_core::event::Author;

use crate::error::Location;

/// Who wrote a comment: known from the record, or a user id to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Writer {
    Known(Author),
    User(String),
}

/// A comment as the vendor records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawComment {
    pub public: bool,
    pub writer: Writer,
}

/// What a change is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Happened {
    Created,
    Updated,
    Comment(RawComment),
}

/// Ticket attributes a change sets, in the vendor's words (`None`: not touched).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fields {
    pub status: Option<String>,
    /// Jira's status category key (`new`, `indeterminate`, `done`), when known.
    pub status_category: Option<String>,
    pub priority: Option<String>,
    pub channel: Option<String>,
    pub group: Option<String>,
    pub organization: Option<String>,
    pub brand: Option<String>,
    pub assignee: Option<String>,
    pub requester: Option<String>,
    /// The whole tag list.
    pub tags: Option<Vec<String>>,
    pub tags_added: Vec<String>,
    pub tags_removed: Vec<String>,
    /// A segment given directly (CSV).
    pub segment: Option<String>,
}

impl Fields {
    /// True if no attribute is set.
    pub fn is_empty(&self) -> bool {
        *self == Fields::default()
    }
}

/// One change to one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub ticket: String,
    /// The canonical event id (`<vendor>:<kind>:<vendor id>`).
    pub id: String,
    pub at: DateTime<Utc>,
    pub happened: Happened,
    pub fields: Fields,
    /// Where it was read, for the skip report.
    pub origin: Location,
}
