//! One module per helpdesk: how it signs, and how its payload becomes canonical events.

pub(crate) mod canonical;
pub(crate) mod freshdesk;
pub(crate) mod front;
pub(crate) mod helpscout;
pub(crate) mod hubspot;
pub(crate) mod intercom;
pub(crate) mod jira;
pub(crate) mod zendesk;
