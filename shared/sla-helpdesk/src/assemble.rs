//! Shared steps of every adapter: vocabulary mapping, snapshots, event ids, event assembly.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sla_core::event::{Comment, EventKind, Priority, Status, TicketEvent, TicketSnapshot};

use crate::config::{vocabulary_key, Limits, Mapping, SegmentFrom};
use crate::error::WebhookError;
use crate::request::WebhookRequest;
use crate::vendor::Vendor;

/// A vendor's own status and priority words (keys as `vocabulary_key` writes them).
pub(crate) struct Vocabulary {
    pub statuses: &'static [(&'static str, Status)],
    pub priorities: &'static [(&'static str, Priority)],
}

/// Ticket attributes as the vendor names them, before mapping.
#[derive(Debug, Default)]
pub(crate) struct RawTicket {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub channel: Option<String>,
    pub group: Option<String>,
    pub organization: Option<String>,
    pub brand: Option<String>,
    pub tags: Option<Vec<String>>,
    pub requester_timezone: Option<String>,
    pub assignee: Option<String>,
    pub requester: Option<String>,
}

/// Everything an adapter's parser reads: who the request is for and how to map it.
pub(crate) struct Context<'a> {
    pub vendor: Vendor,
    pub tenant: &'a str,
    pub mapping: &'a Mapping,
    pub request: &'a WebhookRequest<'a>,
    /// Receipt time, used only where a payload carries no time of its own.
    pub now: DateTime<Utc>,
    /// The account payloads must name (verified requests of a bound tenant only).
    pub account: Option<&'a str>,
    /// Request limits (the events-per-request cap).
    pub limits: Limits,
}

impl Context<'_> {
    /// Maps a status word: tenant override, then the vendor's vocabulary; unknown is a 422.
    pub fn status(
        &self,
        vocabulary: &Vocabulary,
        field: &str,
        word: &str,
    ) -> Result<Status, WebhookError> {
        self.lookup_status(vocabulary, word).ok_or_else(|| {
            WebhookError::unprocessable(
                field,
                format!("unknown status {word:?}; map it under this tenant's `statuses`"),
            )
        })
    }

    /// Maps a status word if the tenant or vendor vocabulary knows it.
    pub fn lookup_status(&self, vocabulary: &Vocabulary, word: &str) -> Option<Status> {
        self.mapping
            .status_override(word)
            .or_else(|| lookup(vocabulary.statuses, word))
    }

    /// Maps a priority word: tenant override, then the vendor's vocabulary; unknown is a 422.
    pub fn priority(
        &self,
        vocabulary: &Vocabulary,
        field: &str,
        word: &str,
    ) -> Result<Priority, WebhookError> {
        self.mapping
            .priority_override(word)
            .or_else(|| lookup(vocabulary.priorities, word))
            .ok_or_else(|| {
                WebhookError::unprocessable(
                    field,
                    format!("unknown priority {word:?}; map it under this tenant's `priorities`"),
                )
            })
    }

    /// Maps raw attributes into a snapshot (`field_prefix` names the payload object in errors).
    pub fn snapshot(
        &self,
        vocabulary: &Vocabulary,
        field_prefix: &str,
        raw: RawTicket,
    ) -> Result<TicketSnapshot, WebhookError> {
        let status = raw
            .status
            .as_deref()
            .map(|w| self.status(vocabulary, &format!("{field_prefix}.status"), w))
            .transpose()?;
        let priority = raw
            .priority
            .as_deref()
            .map(|w| self.priority(vocabulary, &format!("{field_prefix}.priority"), w))
            .transpose()?;
        let segment = self.segment(&raw);
        Ok(TicketSnapshot {
            status,
            priority,
            channel: raw.channel,
            group: raw.group,
            segment,
            tags: raw.tags,
            requester_timezone: raw.requester_timezone,
            assignee: raw.assignee,
            organization: raw.organization,
            requester: raw.requester,
        })
    }

    fn segment(&self, raw: &RawTicket) -> Option<String> {
        match self.mapping.segment_from.as_ref()? {
            SegmentFrom::Organization => raw.organization.clone(),
            SegmentFrom::Group => raw.group.clone(),
            SegmentFrom::Brand => raw.brand.clone(),
            SegmentFrom::Tag { prefix } => raw
                .tags
                .as_ref()?
                .iter()
                .find_map(|t| t.strip_prefix(prefix.as_str()))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        }
    }

    /// Assembles a canonical event for this tenant and vendor.
    pub fn event(
        &self,
        ticket_id: String,
        event_id: String,
        at: DateTime<Utc>,
        kind: EventKind,
    ) -> TicketEvent {
        TicketEvent {
            tenant: self.tenant.to_string(),
            ticket_id,
            event_id,
            at,
            kind,
            ticket: TicketSnapshot::default(),
            comment: None,
            vendor: Some(self.vendor.name().to_string()),
        }
    }

    /// Refuses (403) a payload naming another account than the tenant's `account:`, or
    /// naming none; `found` are the payload's account identifiers (any one may match).
    pub fn check_account(
        &self,
        field: &str,
        found: impl IntoIterator<Item = Option<String>>,
    ) -> Result<(), WebhookError> {
        let Some(expected) = self.account else {
            return Ok(());
        };
        let found: Vec<String> = found.into_iter().flatten().collect();
        if found
            .iter()
            .any(|f| f.trim().eq_ignore_ascii_case(expected.trim()))
        {
            return Ok(());
        }
        let reason = match found.first() {
            Some(other) => format!("account {other:?} is not this tenant's account"),
            None => {
                "the payload does not name its account, and this tenant is bound to one".to_string()
            }
        };
        Err(WebhookError::forbidden(field, reason))
    }

    /// `<vendor>:<id>` for a vendor-supplied delivery or event id.
    pub fn vendor_id(&self, id: &str) -> String {
        format!("{}:{id}", self.vendor.name())
    }

    /// `<vendor>:<hash>` of the stable parts, for vendors without a delivery id.
    pub fn hashed_id(&self, parts: &[&[u8]]) -> String {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        let digest = hex::encode(hasher.finalize());
        format!("{}:{}", self.vendor.name(), &digest[..32])
    }
}

/// Sets a comment on an event (kind `comment`).
pub(crate) fn with_comment(mut event: TicketEvent, comment: Comment) -> TicketEvent {
    event.kind = EventKind::Comment;
    event.comment = Some(comment);
    event
}

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    let key = vocabulary_key(word);
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}
