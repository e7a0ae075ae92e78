//! The fixed `type`/`event` word our recommended trigger templates carry (Zendesk
//! triggers, Freshdesk automations): one trigger or rule per kind of change.

use sla_core::event::{Author, Comment, EventKind};

use crate::config::vocabulary_key;

/// The words accepted, for error messages and the README.
pub(crate) const ACCEPTED: &str =
    "ticket created, ticket updated, agent reply, customer reply (or end user comment), internal note";

/// What a template's event word says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TemplateEvent {
    pub kind: EventKind,
    pub comment: Option<Comment>,
}

/// Reads an event word (case, `-` and `_` ignored); `None` if unknown.
pub(crate) fn parse(word: &str) -> Option<TemplateEvent> {
    let plain = |kind| {
        Some(TemplateEvent {
            kind,
            comment: None,
        })
    };
    let comment = |author, public| {
        Some(TemplateEvent {
            kind: EventKind::Comment,
            comment: Some(Comment { author, public }),
        })
    };
    match vocabulary_key(word).as_str() {
        "ticket created" | "created" => plain(EventKind::Created),
        "ticket updated" | "updated" => plain(EventKind::Updated),
        "agent reply" | "public agent reply" | "agent comment" | "public agent comment" => {
            comment(Author::Agent, true)
        }
        "end user comment" | "end user reply" | "customer reply" | "customer comment"
        | "requester reply" => comment(Author::Customer, true),
        "internal note" | "private note" | "private comment" | "agent note" => {
            comment(Author::Agent, false)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_words_loosely() {
        assert_eq!(
            parse("End User Comment").unwrap().comment.unwrap().author,
            Author::Customer
        );
        assert!(parse("agent_reply").unwrap().comment.unwrap().public);
        assert_eq!(parse("ticket-created").unwrap().kind, EventKind::Created);
        assert_eq!(parse("deleted"), None);
    }
}
