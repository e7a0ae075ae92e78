//! One module per export format.

pub(crate) mod csv;
pub(crate) mod freshdesk;
pub(crate) mod jira;
pub(crate) mod zendesk;

use crate::assemble::Directory;
use crate::model::Change;

/// What a vendor parser read: changes, and who is an agent or a customer.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub changes: Vec<Change>,
    pub directory: Directory,
    /// Jira issues and changelog pages, turned into changes once all files are read.
    pub jira: jira::Collected,
}
