//! Zendesk Support API.
//!
//! - Auth: basic `{email}/token:{api_token}`
//!   (<https://developer.zendesk.com/api-reference/introduction/security-and-auth/#api-token>).
//! - Tags: `PUT` / `DELETE /api/v2/tickets/{id}/tags` with `{"tags": [...]}` add / remove
//!   without touching other tags
//!   (<https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/#add-tags>).
//! - Priority, group, assignee, internal note: `PUT /api/v2/tickets/{id}` with
//!   `{"ticket": {...}}`; a note is a `comment` with `public: false`
//!   (<https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket>).
//!   The priority raise reads the ticket first and sends `safe_update: true` with its
//!   `updated_stamp`, so a concurrent change answers 409 and the step re-reads and retries
//!   (<https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#protecting-against-ticket-update-collisions>).

use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee};
use sla_core::Priority;
use sla_helpdesk::ApiCredentials;

use super::{basic, numeric_id, Ctx, Step};
use crate::outcome::Outcome;
use crate::transport::{HttpRequest, HttpTransport, Method};

fn request(api: &ApiCredentials, method: Method, path: &str) -> HttpRequest {
    let email = api.email.as_ref().map_or("", |e| e.expose_str());
    let user = format!("{email}/token");
    HttpRequest::new(method, &api.base_url, path)
        .header("Authorization", basic(&user, api.token.expose_str()))
}

/// `PUT` (add) or `DELETE` (remove) one tag.
pub(crate) fn tags(api: &ApiCredentials, ticket: u64, tag: &str, add: bool) -> HttpRequest {
    let method = if add { Method::PUT } else { Method::DELETE };
    request(api, method, &format!("/api/v2/tickets/{ticket}/tags")).json(&json!({"tags": [tag]}))
}

/// `GET` the ticket (its priority and `updated_at`).
pub(crate) fn show(api: &ApiCredentials, ticket: u64) -> HttpRequest {
    request(api, Method::GET, &format!("/api/v2/tickets/{ticket}"))
}

/// `PUT` ticket fields.
pub(crate) fn update(api: &ApiCredentials, ticket: u64, fields: Value) -> HttpRequest {
    request(api, Method::PUT, &format!("/api/v2/tickets/{ticket}")).json(&json!({"ticket": fields}))
}

/// Zendesk's priority names are ours.
pub(crate) fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::Low => "low",
        Priority::Normal => "normal",
        Priority::High => "high",
        Priority::Urgent => "urgent",
    }
}

fn parse_priority(name: &str) -> Option<Priority> {
    [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ]
    .into_iter()
    .find(|p| priority_name(*p) == name)
}

pub(crate) async fn run<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    ticket: &str,
    step: &ActionStep,
) -> Step {
    let id = numeric_id("Zendesk ticket", ticket)?;
    let api = ctx.api;
    match step {
        ActionStep::Tag(tag) => ctx.send(tags(api, id, tag, true)).await.map(drop),
        ActionStep::Untag(tag) => ctx.send(tags(api, id, tag, false)).await.map(drop),
        ActionStep::RaisePriority(target) => raise(ctx, id, *target).await,
        ActionStep::Assign(Assignee::Group(group)) => {
            let group = numeric_id("Zendesk group", group)?;
            ctx.send(update(api, id, json!({"group_id": group})))
                .await
                .map(drop)
        }
        ActionStep::Assign(Assignee::Agent(agent)) => {
            let agent = numeric_id("Zendesk agent", agent)?;
            ctx.send(update(api, id, json!({"assignee_id": agent})))
                .await
                .map(drop)
        }
        ActionStep::Note(text) => {
            let fields = json!({"comment": {"body": text, "public": false}});
            ctx.send(update(api, id, fields)).await.map(drop)
        }
        ActionStep::Notify { .. } => Err(Outcome::config("notify is not a ticket step")),
    }
}

async fn raise<T: HttpTransport>(ctx: &Ctx<'_, T>, id: u64, target: Priority) -> Step {
    let ticket = ctx.send(show(ctx.api, id)).await?.json();
    let ticket = &ticket["ticket"];
    let current = ticket["priority"].as_str().and_then(parse_priority);
    if current.is_some_and(|c| c >= target) {
        return Ok(());
    }
    let mut fields = json!({"priority": priority_name(target), "safe_update": true});
    if let Some(stamp) = ticket["updated_at"].as_str() {
        fields["updated_stamp"] = json!(stamp);
    }
    ctx.send(update(ctx.api, id, fields)).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::Secret;

    fn api() -> ApiCredentials {
        ApiCredentials {
            base_url: "https://acme.zendesk.com".into(),
            email: Some(Secret::new("bot@acme.test")),
            token: Secret::new("tok"),
            admin_id: None,
            app_id: None,
        }
    }

    #[test]
    fn tags_use_the_tags_endpoint_with_email_token_basic_auth() {
        let request = tags(&api(), 42, "sla_at_risk", false);
        assert_eq!(request.method, Method::DELETE);
        assert_eq!(
            request.url,
            "https://acme.zendesk.com/api/v2/tickets/42/tags"
        );
        assert_eq!(request.body, br#"{"tags":["sla_at_risk"]}"#);
        assert_eq!(
            request.header_value("authorization"),
            Some(basic("bot@acme.test/token", "tok").as_str())
        );
    }

    #[test]
    fn updates_wrap_fields_in_ticket() {
        let request = update(&api(), 7, json!({"group_id": 3}));
        assert_eq!(request.method, Method::PUT);
        assert_eq!(request.body, br#"{"ticket":{"group_id":3}}"#);
    }
}
