//! Vendor words to canonical values, asked of the live webhook adapters in
//! `sla-helpdesk` (so import and webhooks share one vocabulary and the tenant's
//! overrides), with each answer cached: a history repeats the same few words.

use std::collections::HashMap;

use chrono::DateTime;
use serde_json::{json, Value};
use sla_core::event::{Priority, Status, TicketSnapshot};
use sla_helpdesk::{parse_unverified, Mapping, Vendor, WebhookRequest};

/// The attributes a segment can come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SegmentSource {
    pub group: Option<String>,
    pub organization: Option<String>,
    pub brand: Option<String>,
    pub tags: Option<Vec<String>>,
}

/// Maps one vendor's words for one tenant.
pub(crate) struct Mapper<'a> {
    vendor: Vendor,
    tenant: &'a str,
    mapping: &'a Mapping,
    statuses: HashMap<(String, Option<String>), Option<Status>>,
    priorities: HashMap<String, Option<Priority>>,
    segments: HashMap<SegmentSource, Option<String>>,
}

impl<'a> Mapper<'a> {
    /// A mapper for `vendor`'s words with `tenant`'s overrides.
    pub fn new(vendor: Vendor, tenant: &'a str, mapping: &'a Mapping) -> Self {
        Self {
            vendor,
            tenant,
            mapping,
            statuses: HashMap::new(),
            priorities: HashMap::new(),
            segments: HashMap::new(),
        }
    }

    /// The canonical status of a vendor word (Jira: with its status category), if known.
    pub fn status(&mut self, word: &str, category: Option<&str>) -> Option<Status> {
        let key = (word.to_string(), category.map(str::to_string));
        if let Some(known) = self.statuses.get(&key) {
            return *known;
        }
        let found = self.mapping.status_override(word).or_else(|| {
            if self.vendor == Vendor::Canonical {
                return canonical(word);
            }
            let ticket = json!({ "status": word, "category": category });
            self.probe(ticket).and_then(|s| s.status)
        });
        self.statuses.insert(key, found);
        found
    }

    /// The canonical priority of a vendor word, if known.
    pub fn priority(&mut self, word: &str) -> Option<Priority> {
        if let Some(known) = self.priorities.get(word) {
            return *known;
        }
        let found = self.mapping.priority_override(word).or_else(|| {
            if self.vendor == Vendor::Canonical {
                return canonical(word);
            }
            self.probe(json!({ "priority": word }))
                .and_then(|s| s.priority)
        });
        self.priorities.insert(word.to_string(), found);
        found
    }

    /// True if the tenant configures a `segment_from`.
    pub fn derives_segment(&self) -> bool {
        self.mapping.segment_from.is_some()
    }

    /// The segment per the tenant's `segment_from` (none configured: `None`).
    pub fn segment(&mut self, source: &SegmentSource) -> Option<String> {
        self.mapping.segment_from.as_ref()?;
        if let Some(known) = self.segments.get(source) {
            return known.clone();
        }
        let ticket = json!({
            "group": source.group,
            "organization": source.organization,
            "brand": source.brand,
            "tags": source.tags,
        });
        let found = self.probe(ticket).and_then(|s| s.segment);
        self.segments.insert(source.clone(), found.clone());
        found
    }

    /// Runs the vendor's webhook parser on a minimal payload carrying `ticket`'s words
    /// and returns the snapshot it maps them to.
    fn probe(&self, ticket: Value) -> Option<TicketSnapshot> {
        let body = payload(self.vendor, &ticket)?;
        let bytes = serde_json::to_vec(&body).ok()?;
        let request = WebhookRequest {
            method: "POST",
            uri: "/",
            headers: &[],
            body: &bytes,
        };
        let now = DateTime::from_timestamp(1_577_836_800, 0)?;
        let events =
            parse_unverified(self.vendor, self.tenant, self.mapping, &request, now).ok()?;
        events.into_iter().next().map(|e| e.ticket)
    }
}

/// A canonical word (`on_hold`; case, spaces and `-` ignored) as its enum value.
fn canonical<T: serde::de::DeserializeOwned>(word: &str) -> Option<T> {
    let key = word.trim().to_lowercase().replace([' ', '-'], "_");
    serde_json::from_value(Value::String(key)).ok()
}

/// The vendor's webhook payload (our recommended template, or Jira's own webhook) that
/// carries these words.
fn payload(vendor: Vendor, t: &Value) -> Option<Value> {
    let tags = t.get("tags").cloned().unwrap_or(Value::Null);
    match vendor {
        Vendor::Zendesk => Some(json!({
            "ticketID": "0", "type": "ticket updated",
            "status": t["status"], "priority": t["priority"], "group": t["group"],
            "organization": t["organization"], "brand": t["brand"], "tags": tags,
        })),
        Vendor::Freshdesk => Some(json!({
            "ticket_id": "0", "event": "ticket updated",
            "status": t["status"], "priority": t["priority"], "group": t["group"],
            "company": t["organization"], "product": t["brand"], "tags": tags,
        })),
        Vendor::Jira => {
            let status = match &t["status"] {
                Value::Null => Value::Null,
                name => json!({ "name": name, "statusCategory": { "key": t["category"] } }),
            };
            let priority = match &t["priority"] {
                Value::Null => Value::Null,
                name => json!({ "name": name }),
            };
            let project = match &t["group"] {
                Value::Null => Value::Null,
                key => json!({ "key": key }),
            };
            Some(json!({
                "webhookEvent": "jira:issue_updated", "timestamp": 1_577_836_800_000_i64,
                "issue": { "id": "0", "fields": {
                    "status": status, "priority": priority, "project": project, "labels": tags,
                }},
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::SegmentFrom;

    #[test]
    fn maps_words_like_the_webhook_adapters() {
        let mapping = Mapping::default();
        let mut zendesk = Mapper::new(Vendor::Zendesk, "acme", &mapping);
        assert_eq!(zendesk.status("hold", None), Some(Status::OnHold));
        assert_eq!(zendesk.priority("urgent"), Some(Priority::Urgent));
        assert_eq!(zendesk.status("waiting on vendor", None), None);
        let mut freshdesk = Mapper::new(Vendor::Freshdesk, "acme", &mapping);
        assert_eq!(freshdesk.status("4", None), Some(Status::Solved));
        assert_eq!(freshdesk.priority("1"), Some(Priority::Low));
        let mut jira = Mapper::new(Vendor::Jira, "acme", &mapping);
        assert_eq!(
            jira.status("Waiting for customer", None),
            Some(Status::Pending)
        );
        assert_eq!(
            jira.status("Triage", Some("indeterminate")),
            Some(Status::Open)
        );
        assert_eq!(jira.status("Triage", None), None);
        let mut csv = Mapper::new(Vendor::Canonical, "acme", &mapping);
        assert_eq!(csv.status("On-Hold", None), Some(Status::OnHold));
        assert_eq!(csv.priority("urgent"), Some(Priority::Urgent));
        assert_eq!(csv.priority("p1"), None);
    }

    #[test]
    fn applies_tenant_overrides_and_segment_source() {
        let mapping = Mapping::new(
            [("Waiting on vendor".to_string(), Status::OnHold)],
            [("P1".to_string(), Priority::Urgent)],
            Some(SegmentFrom::Tag {
                prefix: "seg_".into(),
            }),
        );
        let mut zendesk = Mapper::new(Vendor::Zendesk, "acme", &mapping);
        assert_eq!(
            zendesk.status("waiting_on_vendor", None),
            Some(Status::OnHold)
        );
        assert_eq!(zendesk.priority("p1"), Some(Priority::Urgent));
        let source = SegmentSource {
            group: None,
            organization: None,
            brand: None,
            tags: Some(vec!["x".into(), "seg_gold".into()]),
        };
        assert_eq!(zendesk.segment(&source).as_deref(), Some("gold"));
    }
}
