//! The read API, independent of transport: the queue of open cycles in deadline order,
//! the summary, one ticket's state with its explanation, and the dashboard page. `sla
//! serve` and the `read-api` Lambda function both answer through [`ReadService`].
//!
//! Routes (GET only, other methods 405): `/tenants/{t}/queue`, `/tenants/{t}/summary`,
//! `/tenants/{t}/tickets/{id}` (alias `/tickets/{t}/{id}`), `/dashboard/{t}`,
//! `/dashboard/assets/{name}`. JSON routes need `Authorization: Bearer <token>` (the admin
//! token, or the tenant's `read_token_*`) unless no token is configured; errors are JSON
//! `{"error": "..."}` (400 bad parameter, 401, 404, 405, 503). See docs/read-api.md.

pub mod auth;
mod queue;
pub mod routing;
mod summary;
mod ticket;

use std::sync::Arc;

use serde_json::json;
use sla_store::QueueStore;

use crate::clock::Clock;
use crate::tenants::Tenants;
pub use routing::ReadRoute;

/// A request as the transport received it.
#[derive(Debug, Clone, Default)]
pub struct ReadRequest {
    /// The HTTP method.
    pub method: String,
    /// The path (any stage prefix is ignored).
    pub path: String,
    /// The query string, without `?` (or with: both are accepted).
    pub query: String,
    /// Headers (names as sent).
    pub headers: Vec<(String, String)>,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadReply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// Other headers to send (`WWW-Authenticate`, `Cache-Control`, ...).
    pub headers: Vec<(String, String)>,
}

impl ReadReply {
    /// A JSON answer, never cached.
    pub fn json(status: u16, body: &serde_json::Value) -> ReadReply {
        ReadReply {
            status,
            content_type: "application/json".into(),
            body: body.to_string().into_bytes(),
            headers: vec![("Cache-Control".into(), "no-store".into())],
        }
    }

    /// `{"error": message}` with `status`.
    pub fn error(status: u16, message: impl Into<String>) -> ReadReply {
        Self::json(status, &json!({ "error": message.into() }))
    }

    /// 503 with a request id; `what` and `detail` are logged under it, never answered.
    pub fn unavailable(what: &str, detail: &dyn std::fmt::Display) -> ReadReply {
        let id = crate::webhook::request_id();
        tracing::error!(request_id = %id, error = %detail, "{what}; answered 503");
        Self::json(
            503,
            &json!({ "error": "temporarily unavailable, retry later", "request_id": id }),
        )
    }

    /// The body parsed as JSON (tests and hosts that re-encode).
    pub fn json_body(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Answers the read routes for the configured tenants from a store's read index.
pub struct ReadService<S> {
    store: S,
    tenants: Arc<Tenants>,
    clock: Arc<dyn Clock>,
    admin_token: Option<String>,
    /// The autopilot's action ledger, listed in the ticket route (none: no `actions`).
    actions: Option<Arc<dyn crate::autopilot::TicketActions>>,
}

impl<S: QueueStore> ReadService<S> {
    /// A service over `store`; `admin_token` (`SLA_READ_TOKEN`) reads every tenant, each
    /// tenant's `read_token_*` only its own. No token at all: reads are open.
    pub fn new(
        store: S,
        tenants: Arc<Tenants>,
        clock: Arc<dyn Clock>,
        admin_token: Option<String>,
    ) -> Self {
        Self {
            store,
            tenants,
            clock,
            admin_token: admin_token.filter(|t| !t.is_empty()),
            actions: None,
        }
    }

    /// This service, listing each ticket's autopilot actions from `actions`.
    pub fn with_actions(mut self, actions: Arc<dyn crate::autopilot::TicketActions>) -> Self {
        self.actions = Some(actions);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Handles one request.
    pub async fn handle(&self, request: &ReadRequest) -> ReadReply {
        let Some(route) = ReadRoute::from_path(&request.path) else {
            return ReadReply::error(404, "no such read route; see docs/read-api.md");
        };
        if !request.method.eq_ignore_ascii_case("GET")
            && !request.method.eq_ignore_ascii_case("HEAD")
        {
            let mut reply = ReadReply::error(
                405,
                format!("method {} not allowed; use GET", request.method),
            );
            reply.headers.push(("Allow".into(), "GET, HEAD".into()));
            return reply;
        }
        if let Some(reply) = slash_redirect(&route, &request.path) {
            return reply;
        }
        if let Some(reply) = self.page_route(&route) {
            return reply;
        }
        if let Err(reply) = self.authorize(&route, &request.headers) {
            return reply;
        }
        let now = self.clock.now();
        match route {
            ReadRoute::Ticket { tenant, id } => ticket::answer(self, &tenant, &id, now).await,
            ReadRoute::Queue { tenant } => queue::answer(self, &tenant, &request.query, now).await,
            ReadRoute::Summary { tenant } => {
                summary::answer(self, &tenant, &request.query, now).await
            }
            ReadRoute::Dashboard { .. } | ReadRoute::Asset { .. } => {
                ReadReply::error(404, "no such read route")
            }
        }
    }

    /// The dashboard page and its assets (no token needed: the page asks for one).
    ///
    /// (`/dashboard/{tenant}/` is first redirected by [`slash_redirect`].)
    fn page_route(&self, route: &ReadRoute) -> Option<ReadReply> {
        match route {
            ReadRoute::Dashboard { tenant } if !self.tenants.has_tenant(tenant) => Some(
                ReadReply::error(404, format!("tenant {tenant:?} is not configured")),
            ),
            ReadRoute::Dashboard { tenant } => Some(page_reply(
                "text/html; charset=utf-8",
                sla_dashboard::page(tenant).into_bytes(),
                "no-cache",
            )),
            ReadRoute::Asset { name } => Some(match sla_dashboard::asset(name) {
                Some(asset) => page_reply(
                    asset.content_type,
                    asset.body.to_vec(),
                    "public, max-age=300",
                ),
                None => ReadReply::error(404, format!("no dashboard asset {name:?}")),
            }),
            _ => None,
        }
    }

    /// 401 unless the bearer token may read the route's tenant; 404 for a tenant not
    /// configured (after the admin check, so tenant names do not leak).
    fn authorize(&self, route: &ReadRoute, headers: &[(String, String)]) -> Result<(), ReadReply> {
        let tenant = route.tenant().unwrap_or_default();
        let known = self.tenants.has_tenant(tenant);
        let tenant_token = known
            .then(|| self.tenants.read_access(tenant))
            .flatten()
            .and_then(|access| access.token.as_ref())
            .map(|secret| secret.expose());
        let admin = self.admin_token.as_deref().map(str::as_bytes);
        if let Err(refusal) = auth::check(auth::bearer(headers), admin, tenant_token) {
            tracing::info!(tenant, reason = refusal.message(), "read refused");
            let mut reply = ReadReply::error(401, refusal.message());
            reply
                .headers
                .push(("WWW-Authenticate".into(), "Bearer".into()));
            return Err(reply);
        }
        if !known {
            return Err(ReadReply::error(
                404,
                format!("tenant {tenant:?} is not configured"),
            ));
        }
        Ok(())
    }

    /// The tenant's policies (configured tenants always have one).
    fn policies(&self, tenant: &str) -> Result<&sla_core::PolicySet, ReadReply> {
        self.tenants
            .policies(tenant)
            .ok_or_else(|| ReadReply::error(404, format!("tenant {tenant:?} has no policy")))
    }

    /// The helpdesk URL of `ticket_id` from the tenant's `ticket_url` template.
    fn ticket_url(&self, tenant: &str, ticket_id: &str) -> Option<String> {
        let template = self.tenants.read_access(tenant)?.ticket_url.as_ref()?;
        let id: String = form_urlencoded::byte_serialize(ticket_id.as_bytes()).collect();
        Some(template.replace("{id}", &id))
    }
}

/// A dashboard page or asset, under the dashboard's Content-Security-Policy.
fn page_reply(content_type: &str, body: Vec<u8>, cache: &str) -> ReadReply {
    ReadReply {
        status: 200,
        content_type: content_type.into(),
        body,
        headers: vec![
            (
                "Content-Security-Policy".into(),
                sla_dashboard::CONTENT_SECURITY_POLICY.into(),
            ),
            ("Cache-Control".into(), cache.into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
        ],
    }
}

/// `/dashboard/{tenant}/` answers 308 to `/dashboard/{tenant}`: the page loads its assets
/// by relative path (so a stage prefix works), which a trailing slash would misdirect.
/// The `Location` is relative too, so the prefix is kept.
fn slash_redirect(route: &ReadRoute, path: &str) -> Option<ReadReply> {
    let ReadRoute::Dashboard { tenant } = route else {
        return None;
    };
    let path = path.split('?').next().unwrap_or(path);
    if !path.ends_with('/') {
        return None;
    }
    let mut reply = ReadReply::error(308, format!("the dashboard is at ../{tenant}"));
    reply
        .headers
        .push(("Location".into(), format!("../{tenant}")));
    Some(reply)
}

#[cfg(test)]
mod tests;
