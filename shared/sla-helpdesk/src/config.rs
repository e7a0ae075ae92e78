//! What one (tenant, vendor) pair needs at request time: secret, vocabulary overrides, limits.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sla_core::event::{Priority, Status};

/// Default body limit: 256 KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
/// Default accepted clock difference for signed timestamps: 5 minutes.
pub const DEFAULT_TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(300);
/// Largest accepted `timestamp_tolerance_secs`: one day (more would disable the window).
pub const MAX_TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(86_400);
/// Default cap on events in one request (a canonical array, a HubSpot batch): 1,000.
pub const DEFAULT_MAX_EVENTS_PER_REQUEST: usize = 1_000;

/// A resolved secret. `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret's bytes, used as the HMAC key or compared with a shared secret.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The secret as text (an API token, a webhook URL).
    pub fn expose_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where a ticket's `segment` comes from, when the vendor carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentFrom {
    /// The organization / company name or id.
    Organization,
    /// The group / team / mailbox.
    Group,
    /// The brand (Zendesk).
    Brand,
    /// The first tag starting with this prefix, prefix removed (`tag:segment_`).
    Tag {
        /// The tag prefix.
        prefix: String,
    },
}

impl FromStr for SegmentFrom {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "organization" => Ok(Self::Organization),
            "group" => Ok(Self::Group),
            "brand" => Ok(Self::Brand),
            _ => match s.strip_prefix("tag:") {
                Some(prefix) if !prefix.is_empty() => Ok(Self::Tag {
                    prefix: prefix.to_string(),
                }),
                _ => Err(format!(
                    "{s:?} is not one of organization, group, brand, tag:<prefix>"
                )),
            },
        }
    }
}

/// Tenant overrides of a vendor's status and priority words, and the segment source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    statuses: BTreeMap<String, Status>,
    priorities: BTreeMap<String, Priority>,
    /// Where the segment comes from; `None` leaves it unset.
    pub segment_from: Option<SegmentFrom>,
}

impl Mapping {
    /// Builds a mapping; keys are matched case-insensitively, `-`/`_` as spaces.
    pub fn new(
        statuses: impl IntoIterator<Item = (String, Status)>,
        priorities: impl IntoIterator<Item = (String, Priority)>,
        segment_from: Option<SegmentFrom>,
    ) -> Self {
        Self {
            statuses: statuses
                .into_iter()
                .map(|(k, v)| (vocabulary_key(&k), v))
                .collect(),
            priorities: priorities
                .into_iter()
                .map(|(k, v)| (vocabulary_key(&k), v))
                .collect(),
            segment_from,
        }
    }

    /// The tenant's status for a vendor word, if overridden.
    pub fn status_override(&self, word: &str) -> Option<Status> {
        self.statuses.get(&vocabulary_key(word)).copied()
    }

    /// The tenant's priority for a vendor word, if overridden.
    pub fn priority_override(&self, word: &str) -> Option<Priority> {
        self.priorities.get(&vocabulary_key(word)).copied()
    }
}

/// How vocabulary words are compared: trimmed, lower case, `-` and `_` read as spaces.
pub(crate) fn vocabulary_key(word: &str) -> String {
    word.trim()
        .to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Request limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Larger bodies are refused with 413 before anything else.
    pub max_body_bytes: usize,
    /// Signed timestamps further than this from `now` (either way) are refused.
    pub timestamp_tolerance: Duration,
    /// Requests carrying more events than this are refused with 413.
    pub max_events: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            timestamp_tolerance: DEFAULT_TIMESTAMP_TOLERANCE,
            max_events: DEFAULT_MAX_EVENTS_PER_REQUEST,
        }
    }
}

impl Limits {
    /// Refuses a request with more than `max_events` events (413).
    pub(crate) fn check_events(&self, count: usize) -> Result<(), crate::WebhookError> {
        if count > self.max_events {
            return Err(crate::WebhookError::TooManyEvents {
                limit: self.max_events,
                actual: count,
            });
        }
        Ok(())
    }
}

/// Everything needed to verify and parse one tenant's webhooks from one vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorConfig {
    /// HMAC key or shared secret.
    pub secret: Secret,
    /// Vocabulary overrides and segment source.
    pub mapping: Mapping,
    /// Size and clock limits.
    pub limits: Limits,
    /// The helpdesk account this tenant's payloads must name (`account:`); `None` accepts any.
    pub account: Option<String>,
}

impl VendorConfig {
    /// A configuration with default mapping and limits, bound to no account.
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            mapping: Mapping::default(),
            limits: Limits::default(),
            account: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_keys_ignore_case_and_separators() {
        assert_eq!(vocabulary_key(" On-Hold "), "on hold");
        assert_eq!(vocabulary_key("waiting_on_customer"), "waiting on customer");
    }

    #[test]
    fn segment_from_parses_tag_prefix() {
        assert_eq!(
            "tag:seg_".parse::<SegmentFrom>(),
            Ok(SegmentFrom::Tag {
                prefix: "seg_".into()
            })
        );
        assert!("tag:".parse::<SegmentFrom>().is_err());
        assert!("org".parse::<SegmentFrom>().is_err());
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2")),
            "Secret(<redacted>)"
        );
    }
}
