//! The webhook endpoint, independent of transport: route → verify → parse → ingest →
//! status and JSON body. The Lambda functions and `sla serve` both answer through it,
//! so they share status codes and error bodies.

use std::sync::Arc;

use serde_json::json;
use sla_core::TicketEvent;
use sla_helpdesk::{Vendor, WebhookRequest};
use sla_store::TicketStore;

use crate::clock::Clock;
use crate::ingest::{ingest, IngestSettings};
use crate::tenants::Tenants;

/// Which webhook route a request came in on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The tenant named in the path.
    pub tenant: String,
    /// The helpdesk vendor named in the path (`zendesk`, ...).
    pub vendor: String,
    /// `POST /webhooks/{tenant}/{vendor}/created` (for creation triggers).
    pub created: bool,
}

impl Route {
    /// Parses `/webhooks/{tenant}/{vendor}[/created]`, ignoring any prefix before
    /// `/webhooks/` (an API Gateway stage name) and a query string.
    pub fn from_path(path: &str) -> Option<Route> {
        let path = path.split('?').next().unwrap_or(path);
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        segments.by_ref().find(|s| *s == "webhooks")?;
        let tenant = segments.next()?.to_string();
        let vendor = segments.next()?.to_string();
        let created = match segments.next() {
            None => false,
            Some("created") => true,
            Some(_) => return None,
        };
        if segments.next().is_some() {
            return None;
        }
        Some(Route {
            tenant,
            vendor,
            created,
        })
    }
}

/// A request as the transport received it.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    /// The HTTP method (`POST`).
    pub method: String,
    /// The full URL as received (HubSpot signs it).
    pub uri: String,
    /// Headers in the order received (names as sent).
    pub headers: Vec<(String, String)>,
    /// The raw body, as signed by the helpdesk.
    pub body: Vec<u8>,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpReply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: serde_json::Value,
    /// Counts for logs and metrics.
    pub stats: WebhookStats,
}

/// What a webhook call did, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookStats {
    /// Events new to their tickets.
    pub events_ingested: u64,
    /// Events already seen, ignored.
    pub duplicates: u64,
    /// Version conflicts met and retried.
    pub conflicts: u64,
    /// The route named no configured tenant or vendor.
    pub misrouted: bool,
    /// The record could not be saved (too large): answered 422.
    pub unsaveable: bool,
}

/// Verifies, parses and ingests webhooks for the configured tenants.
pub struct WebhookService<S> {
    store: S,
    tenants: Arc<Tenants>,
    clock: Arc<dyn Clock>,
    settings: IngestSettings,
}

impl<S: TicketStore> WebhookService<S> {
    /// A service over `store` for `tenants`.
    pub fn new(store: S, tenants: Arc<Tenants>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            tenants,
            clock,
            settings: IngestSettings::default(),
        }
    }

    /// Replaces the ingest settings.
    pub fn with_settings(mut self, settings: IngestSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The store (for tests and the local server's read routes).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Handles one request on `route`. Answers 2xx only once the state is stored.
    pub async fn handle(&self, route: &Route, request: &HttpRequest) -> HttpReply {
        let vendor: Vendor = match route.vendor.parse() {
            Ok(vendor) => vendor,
            Err(_) => return error(404, format!("unknown vendor {:?}", route.vendor)),
        };
        let Some(config) = self.tenants.vendor(&route.tenant, vendor) else {
            return error(
                404,
                format!(
                    "vendor {:?} is not configured for tenant {:?}",
                    route.vendor, route.tenant
                ),
            );
        };
        let Some(policies) = self.tenants.policies(&route.tenant) else {
            return error(500, format!("no policy for tenant {:?}", route.tenant));
        };
        let now = self.clock.now();
        let webhook = WebhookRequest {
            method: &request.method,
            uri: &request.uri,
            headers: &request.headers,
            body: &request.body,
        };
        let events = match sla_helpdesk::verify_and_parse(
            vendor,
            &route.tenant,
            config,
            &webhook,
            now,
        ) {
            Ok(events) => events,
            Err(err) => {
                tracing::warn!(tenant = %route.tenant, vendor = %route.vendor, error = %err, "webhook refused");
                return error(err.http_status(), err.to_string());
            }
        };
        if let Some(other) = events.iter().find(|e| e.tenant != route.tenant) {
            return error(
                422,
                format!(
                    "tenant: event for tenant {:?} sent to tenant {:?}'s URL",
                    other.tenant, route.tenant
                ),
            );
        }
        if events.is_empty() {
            tracing::info!(tenant = %route.tenant, vendor = %route.vendor, "webhook carries nothing about a ticket's SLA");
            return reply(
                200,
                json!({"accepted": 0, "tickets": [], "note": "payload is not about a ticket's SLA; nothing stored"}),
                WebhookStats::default(),
            );
        }
        // Vendors without a signed timestamp: a body already ingested is a replay.
        let digest = crate::deliveries::digest_for(vendor, &request.body);
        if let Some(digest) = &digest {
            match crate::deliveries::seen(&self.store, &route.tenant, digest, now).await {
                Ok(false) => {}
                Ok(true) => return replayed(events.len() as u64),
                Err(err) => return HttpReply::unavailable("delivery digest lookup failed", &err),
            }
        }
        let misrouted = is_misrouted(route, &events);
        if misrouted {
            tracing::warn!(tenant = %route.tenant, vendor = %route.vendor, created_route = route.created, "misrouted webhook ingested anyway");
        }
        match ingest(&self.store, policies, events, now, &self.settings).await {
            Ok(tickets) => {
                let stats = WebhookStats {
                    events_ingested: tickets.iter().map(|t| t.inserted as u64).sum(),
                    duplicates: tickets.iter().map(|t| t.duplicates as u64).sum(),
                    conflicts: tickets.iter().map(|t| t.conflicts as u64).sum(),
                    misrouted,
                    ..WebhookStats::default()
                };
                if let Some(digest) = &digest {
                    crate::deliveries::remember(&self.store, &route.tenant, digest, now).await;
                }
                for t in &tickets {
                    tracing::info!(tenant = %t.key.tenant, ticket = %t.key.ticket_id, inserted = t.inserted, duplicates = t.duplicates, queued = t.queued, "ingested");
                }
                let mut body = json!({
                    "accepted": stats.events_ingested,
                    "duplicates": stats.duplicates,
                    "tickets": tickets.iter().map(|t| json!({
                        "ticket_id": t.key.ticket_id,
                        "inserted": t.inserted,
                        "duplicates": t.duplicates,
                    })).collect::<Vec<_>>(),
                });
                if tickets.iter().any(|t| t.too_old > 0) {
                    body["ignored"] = json!(crate::ingest::IGNORED_TOO_OLD);
                }
                reply(200, body, stats)
            }
            Err(err) if err.http_status() == 422 => {
                tracing::error!(tenant = %route.tenant, error = %err, "record cannot be saved; answered 422");
                let stats = WebhookStats {
                    unsaveable: true,
                    ..WebhookStats::default()
                };
                reply(422, json!({ "error": err.to_string() }), stats)
            }
            Err(err) => {
                // 5xx so that the helpdesk retries the delivery later; the detail (table
                // names, SDK errors) goes to the log only, under the answer's request id.
                HttpReply::unavailable(&format!("tenant {}: store failed", route.tenant), &err)
            }
        }
    }
}

/// True when something other than a creation came on the creation route. (The general
/// route takes every topic: some vendors send all of them to one URL.)
fn is_misrouted(route: &Route, events: &[TicketEvent]) -> bool {
    route.created
        && events
            .iter()
            .any(|e| e.kind != sla_core::EventKind::Created)
}

/// The answer to a delivery already ingested (same body digest): a duplicate.
fn replayed(events: u64) -> HttpReply {
    let stats = WebhookStats {
        duplicates: events,
        ..WebhookStats::default()
    };
    let body = json!({"accepted": 0, "duplicates": events, "tickets": [], "note": "delivery already received"});
    reply(200, body, stats)
}

fn reply(status: u16, body: serde_json::Value, stats: WebhookStats) -> HttpReply {
    HttpReply {
        status,
        body,
        stats,
    }
}

fn error(status: u16, message: String) -> HttpReply {
    HttpReply::error(status, message)
}

impl HttpReply {
    /// An error answer: `{"error": message}` with `status`, nothing ingested.
    pub fn error(status: u16, message: String) -> HttpReply {
        reply(status, json!({ "error": message }), WebhookStats::default())
    }

    /// 503 with a generic message and a fresh request id; `what` and `detail` are logged
    /// under that id and never answered (they may name tables or carry SDK errors).
    pub fn unavailable(what: &str, detail: &dyn std::fmt::Display) -> HttpReply {
        let id = request_id();
        tracing::error!(request_id = %id, error = %detail, "{what}; answered 503");
        reply(
            503,
            json!({ "error": "temporarily unavailable, retry later", "request_id": id }),
            WebhookStats::default(),
        )
    }
}

/// A request id for correlating an answer with its log lines: unique within the process,
/// distinct across processes in practice (time-based); not a secret.
pub fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{nanos:016x}-{count:x}")
}

/// Header names and values as [`HttpRequest::headers`] holds them; values that are not
/// visible ASCII are left out (no signature header is such).
pub fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse_with_and_without_stage_prefix() {
        assert_eq!(
            Route::from_path("/webhooks/acme/zendesk"),
            Some(Route {
                tenant: "acme".into(),
                vendor: "zendesk".into(),
                created: false
            })
        );
        assert_eq!(
            Route::from_path("/prod/webhooks/acme/zendesk/created?x=1"),
            Some(Route {
                tenant: "acme".into(),
                vendor: "zendesk".into(),
                created: true
            })
        );
        assert_eq!(Route::from_path("/webhooks/acme"), None);
        assert_eq!(Route::from_path("/webhooks/acme/zendesk/other"), None);
        assert_eq!(Route::from_path("/healthz"), None);
    }
}
