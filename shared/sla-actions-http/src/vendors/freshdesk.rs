//! Freshdesk API v2.
//!
//! - Auth: basic with the API key as user and `X` as password
//!   (<https://developers.freshdesk.com/api/#authentication>).
//! - Tags, priority, group, agent: `PUT /api/v2/tickets/{id}` with `tags` (the whole set:
//!   read first), `priority` (1 low, 2 medium, 3 high, 4 urgent), `group_id`,
//!   `responder_id` (<https://developers.freshdesk.com/api/#update_ticket>); the read is
//!   `GET /api/v2/tickets/{id}` (<https://developers.freshdesk.com/api/#view_a_ticket>).
//! - Internal note: `POST /api/v2/tickets/{id}/notes` with `{"body": html, "private": true}`
//!   (<https://developers.freshdesk.com/api/#add_note_to_a_ticket>).

use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee};
use sla_core::Priority;
use sla_helpdesk::ApiCredentials;

use super::{basic, html, numeric_id, strings, Ctx, Step};
use crate::outcome::Outcome;
use crate::transport::{HttpRequest, HttpTransport, Method};

fn request(api: &ApiCredentials, method: Method, path: &str) -> HttpRequest {
    HttpRequest::new(method, &api.base_url, path)
        .header("Authorization", basic(api.token.expose_str(), "X"))
}

/// `GET` the ticket (tags, priority).
pub(crate) fn show(api: &ApiCredentials, ticket: u64) -> HttpRequest {
    request(api, Method::GET, &format!("/api/v2/tickets/{ticket}"))
}

/// `PUT` ticket fields.
pub(crate) fn update(api: &ApiCredentials, ticket: u64, fields: &Value) -> HttpRequest {
    request(api, Method::PUT, &format!("/api/v2/tickets/{ticket}")).json(fields)
}

/// `POST` a private note.
pub(crate) fn note(api: &ApiCredentials, ticket: u64, text: &str) -> HttpRequest {
    request(
        api,
        Method::POST,
        &format!("/api/v2/tickets/{ticket}/notes"),
    )
    .json(&json!({"body": html(text), "private": true}))
}

/// Freshdesk's priority numbers.
pub(crate) fn priority_number(priority: Priority) -> u64 {
    match priority {
        Priority::Low => 1,
        Priority::Normal => 2,
        Priority::High => 3,
        Priority::Urgent => 4,
    }
}

pub(crate) async fn run<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    ticket: &str,
    step: &ActionStep,
) -> Step {
    let id = numeric_id("Freshdesk ticket", ticket)?;
    let api = ctx.api;
    match step {
        ActionStep::Tag(tag) => retag(ctx, id, tag, true).await,
        ActionStep::Untag(tag) => retag(ctx, id, tag, false).await,
        ActionStep::RaisePriority(target) => {
            let current = ctx.send(show(api, id)).await?.json()["priority"].as_u64();
            let wanted = priority_number(*target);
            if current.is_some_and(|c| c >= wanted) {
                return Ok(());
            }
            ctx.send(update(api, id, &json!({"priority": wanted})))
                .await
                .map(drop)
        }
        ActionStep::Assign(Assignee::Group(group)) => {
            let group = numeric_id("Freshdesk group", group)?;
            ctx.send(update(api, id, &json!({"group_id": group})))
                .await
                .map(drop)
        }
        ActionStep::Assign(Assignee::Agent(agent)) => {
            let agent = numeric_id("Freshdesk agent", agent)?;
            ctx.send(update(api, id, &json!({"responder_id": agent})))
                .await
                .map(drop)
        }
        ActionStep::Note(text) => ctx.send(note(api, id, text)).await.map(drop),
        ActionStep::Notify { .. } => Err(Outcome::config("notify is not a ticket step")),
    }
}

/// Reads the tag set, then writes it back with `tag` added or removed (nothing to do: no write).
async fn retag<T: HttpTransport>(ctx: &Ctx<'_, T>, id: u64, tag: &str, add: bool) -> Step {
    let mut tags = strings(&ctx.send(show(ctx.api, id)).await?.json()["tags"]);
    let present = tags.iter().any(|t| t.eq_ignore_ascii_case(tag));
    if present == add {
        return Ok(());
    }
    if add {
        tags.push(tag.to_string());
    } else {
        tags.retain(|t| !t.eq_ignore_ascii_case(tag));
    }
    ctx.send(update(ctx.api, id, &json!({"tags": tags})))
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::Secret;

    #[test]
    fn notes_are_private_html_with_api_key_auth() {
        let api = ApiCredentials {
            base_url: "https://acme.freshdesk.com".into(),
            email: None,
            token: Secret::new("key"),
            admin_id: None,
            app_id: None,
        };
        let request = note(&api, 9, "due <soon>");
        assert_eq!(
            request.url,
            "https://acme.freshdesk.com/api/v2/tickets/9/notes"
        );
        assert_eq!(
            request.body,
            br#"{"body":"due &lt;soon&gt;","private":true}"#
        );
        assert_eq!(
            request.header_value("Authorization"),
            Some(basic("key", "X").as_str())
        );
    }
}
