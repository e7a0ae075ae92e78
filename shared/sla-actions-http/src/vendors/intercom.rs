//! Intercom REST API (conversations), version pinned with the `Intercom-Version` header.
//!
//! - Auth: `Authorization: Bearer <access token>`
//!   (<https://developers.intercom.com/docs/build-an-integration/learn-more/authentication>).
//! - Tags are applied by id: `POST /tags` with `{"name": ...}` creates or finds the tag
//!   (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/createtag>),
//!   then `POST /conversations/{id}/tags` with `{"id", "admin_id"}`
//!   (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/attachtagtoconversation>)
//!   or `DELETE /conversations/{id}/tags/{tag_id}` with `{"admin_id"}`
//!   (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/detachtagfromconversation>).
//! - Internal note: `POST /conversations/{id}/reply` with `message_type: note`
//!   (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation>).
//! - Assign: `POST /conversations/{id}/parts` with `message_type: assignment`, `type`
//!   `team` (group) or `admin` (agent)
//!   (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/manageconversation>).
//! - Priority: conversations only carry priority / not priority, and the documented
//!   update endpoint does not set it: unsupported.

use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee};
use sla_helpdesk::ApiCredentials;

use super::{bearer, html, path_id, unsupported, Ctx, Step};
use crate::outcome::Outcome;
use crate::transport::{HttpRequest, HttpTransport, Method};

/// The API version every call asks for.
pub const INTERCOM_VERSION: &str = "2.11";

fn request(api: &ApiCredentials, method: Method, path: &str) -> HttpRequest {
    HttpRequest::new(method, &api.base_url, path)
        .header("Authorization", bearer(api))
        .header("Intercom-Version", INTERCOM_VERSION)
        .header("Accept", "application/json")
}

fn admin(api: &ApiCredentials) -> &str {
    api.admin_id.as_deref().unwrap_or_default()
}

/// `POST /tags`: the tag's id by name (created if new).
pub(crate) fn find_tag(api: &ApiCredentials, name: &str) -> HttpRequest {
    request(api, Method::POST, "/tags").json(&json!({"name": name}))
}

/// Attach (`POST`) or detach (`DELETE`) tag `tag_id`.
pub(crate) fn tag(
    api: &ApiCredentials,
    conversation: &str,
    tag_id: &str,
    add: bool,
) -> HttpRequest {
    if add {
        request(
            api,
            Method::POST,
            &format!("/conversations/{conversation}/tags"),
        )
        .json(&json!({"id": tag_id, "admin_id": admin(api)}))
    } else {
        request(
            api,
            Method::DELETE,
            &format!("/conversations/{conversation}/tags/{tag_id}"),
        )
        .json(&json!({"admin_id": admin(api)}))
    }
}

/// `POST` a conversation part (`reply` for notes, `parts` for assignment).
pub(crate) fn part(
    api: &ApiCredentials,
    conversation: &str,
    kind: &str,
    body: &Value,
) -> HttpRequest {
    request(
        api,
        Method::POST,
        &format!("/conversations/{conversation}/{kind}"),
    )
    .json(body)
}

pub(crate) async fn run<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    ticket: &str,
    step: &ActionStep,
) -> Step {
    let id = path_id("Intercom conversation", ticket)?;
    let api = ctx.api;
    let assign = |kind: &str, assignee: &str| json!({"message_type": "assignment", "type": kind, "admin_id": admin(api), "assignee_id": assignee});
    match step {
        ActionStep::Tag(name) => retag(ctx, id, name, true).await,
        ActionStep::Untag(name) => retag(ctx, id, name, false).await,
        ActionStep::RaisePriority(_) => unsupported("Intercom", "set a conversation's priority"),
        ActionStep::Assign(Assignee::Group(team)) => ctx
            .send(part(api, id, "parts", &assign("team", team)))
            .await
            .map(drop),
        ActionStep::Assign(Assignee::Agent(agent)) => ctx
            .send(part(api, id, "parts", &assign("admin", agent)))
            .await
            .map(drop),
        ActionStep::Note(text) => {
            let body = json!({"message_type": "note", "type": "admin", "admin_id": admin(api), "body": html(text)});
            ctx.send(part(api, id, "reply", &body)).await.map(drop)
        }
        ActionStep::Notify { .. } => Err(Outcome::config("notify is not a ticket step")),
    }
}

async fn retag<T: HttpTransport>(ctx: &Ctx<'_, T>, id: &str, name: &str, add: bool) -> Step {
    let found = ctx.send(find_tag(ctx.api, name)).await?.json();
    let tag_id = match &found["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(Outcome::config(format!(
                "Intercom returned no id for tag {name:?}"
            )))
        }
    };
    let tag_id = path_id("Intercom tag", &tag_id)?;
    ctx.send(tag(ctx.api, id, tag_id, add)).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::Secret;

    #[test]
    fn detaching_names_the_tag_in_the_path_and_the_admin_in_the_body() {
        let api = ApiCredentials {
            base_url: "https://api.intercom.io".into(),
            email: None,
            token: Secret::new("tok"),
            admin_id: Some("814860".into()),
            app_id: None,
        };
        let request = tag(&api, "123", "77", false);
        assert_eq!(request.method, Method::DELETE);
        assert_eq!(
            request.url,
            "https://api.intercom.io/conversations/123/tags/77"
        );
        assert_eq!(request.body, br#"{"admin_id":"814860"}"#);
        assert_eq!(
            request.header_value("Intercom-Version"),
            Some(INTERCOM_VERSION)
        );
        assert_eq!(request.header_value("Authorization"), Some("Bearer tok"));
    }
}
