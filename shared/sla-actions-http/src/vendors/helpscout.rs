//! Help Scout Mailbox API 2.0.
//!
//! - Auth: `Authorization: Bearer <OAuth2 access token>`: either a token from the tenants
//!   file, or one obtained with the client credentials flow (`POST /v2/oauth2/token` with
//!   `grant_type: client_credentials`, the app id and secret; JSON bodies are accepted)
//!   and kept until shortly before `expires_in` runs out
//!   (<https://developer.helpscout.com/mailbox-api/overview/authentication/>).
//! - Tags: `PUT /v2/conversations/{id}/tags` with `{"tags": [...]}` replaces the whole set,
//!   so the step reads the conversation first (`GET /v2/conversations/{id}`, `tags[].tag`)
//!   (<https://developer.helpscout.com/mailbox-api/endpoints/conversations/tags/update/>,
//!   <https://developer.helpscout.com/mailbox-api/endpoints/conversations/get/>).
//! - Note: `POST /v2/conversations/{id}/notes` with `{"text": ...}`
//!   (<https://developer.helpscout.com/mailbox-api/endpoints/conversations/threads/note/>).
//! - Agent: `PATCH /v2/conversations/{id}` with `{"op": "replace", "path": "/assignTo",
//!   "value": user_id}` (<https://developer.helpscout.com/mailbox-api/endpoints/conversations/update/>).
//! - Priority and groups: Help Scout has neither: unsupported.

use chrono::Duration as TimeDelta;
use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee};
use sla_helpdesk::{ApiCredentials, Secret};

use super::{html, numeric_id, unsupported, Ctx, Step};
use crate::outcome::Outcome;
use crate::transport::{HttpRequest, HttpTransport, Method};

/// A token is renewed this long before Help Scout says it expires.
const RENEW_BEFORE: TimeDelta = TimeDelta::minutes(5);

/// The API host and the `Authorization` value of one step's calls.
pub(crate) struct Session<'a> {
    base_url: &'a str,
    authorization: String,
}

impl Session<'_> {
    fn request(&self, method: Method, path: &str) -> HttpRequest {
        HttpRequest::new(method, self.base_url, path)
            .header("Authorization", self.authorization.as_str())
    }

    /// `GET` the conversation (its tags).
    pub(crate) fn show(&self, conversation: u64) -> HttpRequest {
        self.request(Method::GET, &format!("/v2/conversations/{conversation}"))
    }

    /// `PUT` the complete tag set.
    pub(crate) fn set_tags(&self, conversation: u64, tags: &[String]) -> HttpRequest {
        self.request(
            Method::PUT,
            &format!("/v2/conversations/{conversation}/tags"),
        )
        .json(&json!({"tags": tags}))
    }

    /// `POST` a note.
    pub(crate) fn note(&self, conversation: u64, text: &str) -> HttpRequest {
        self.request(
            Method::POST,
            &format!("/v2/conversations/{conversation}/notes"),
        )
        .json(&json!({"text": html(text)}))
    }

    /// `PATCH /assignTo`.
    pub(crate) fn assign(&self, conversation: u64, user: u64) -> HttpRequest {
        self.request(Method::PATCH, &format!("/v2/conversations/{conversation}"))
            .json(&json!({"op": "replace", "path": "/assignTo", "value": user}))
    }
}

/// `POST /v2/oauth2/token` with the client credentials (the body holds the app secret).
pub(crate) fn token_request(api: &ApiCredentials, app_id: &Secret) -> HttpRequest {
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": app_id.expose_str(),
        "client_secret": api.token.expose_str(),
    });
    HttpRequest::new(Method::POST, &api.base_url, "/v2/oauth2/token").json(&body)
}

pub(crate) async fn run<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    ticket: &str,
    step: &ActionStep,
) -> Step {
    let id = numeric_id("Help Scout conversation", ticket)?;
    let result = match step {
        ActionStep::RaisePriority(_) => {
            return unsupported("Help Scout", "set a priority (it has none)")
        }
        ActionStep::Assign(Assignee::Group(_)) => {
            return unsupported("Help Scout", "assign a conversation to a group")
        }
        ActionStep::Notify { .. } => return Err(Outcome::config("notify is not a ticket step")),
        step => {
            let session = session(ctx).await?;
            act(ctx, &session, id, step).await
        }
    };
    if matches!(
        result,
        Err(Outcome::Failed {
            status: Some(401),
            ..
        })
    ) {
        ctx.tokens.forget(&cache_key(ctx.api));
    }
    result
}

async fn act<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    session: &Session<'_>,
    id: u64,
    step: &ActionStep,
) -> Step {
    match step {
        ActionStep::Tag(tag) => retag(ctx, session, id, tag, true).await,
        ActionStep::Untag(tag) => retag(ctx, session, id, tag, false).await,
        ActionStep::Assign(Assignee::Agent(user)) => {
            let user = numeric_id("Help Scout user", user)?;
            ctx.send(session.assign(id, user)).await.map(drop)
        }
        ActionStep::Note(text) => ctx.send(session.note(id, text)).await.map(drop),
        _ => Err(Outcome::config("not a Help Scout step")),
    }
}

fn cache_key(api: &ApiCredentials) -> String {
    let app = api.app_id.as_ref().map_or("", |id| id.expose_str());
    format!("{} {app}", api.base_url)
}

/// The bearer token: the configured one, or a cached / freshly obtained app token.
async fn session<'a, T: HttpTransport>(ctx: &Ctx<'a, T>) -> Result<Session<'a>, Outcome> {
    let api = ctx.api;
    let token = match &api.app_id {
        None => api.token.expose_str().to_string(),
        Some(app_id) => {
            let key = cache_key(api);
            match ctx.tokens.get(&key, ctx.now) {
                Some(token) => token,
                None => {
                    let answer = ctx.send(token_request(api, app_id)).await?.json();
                    let token = answer["access_token"].as_str().ok_or_else(|| {
                        Outcome::config("Help Scout's token answer has no access_token")
                    })?;
                    let lifetime = answer["expires_in"].as_i64().unwrap_or(0);
                    let expires = ctx.now + TimeDelta::seconds(lifetime) - RENEW_BEFORE;
                    ctx.tokens.put(key, token.to_string(), expires);
                    token.to_string()
                }
            }
        }
    };
    Ok(Session {
        base_url: &api.base_url,
        authorization: format!("Bearer {token}"),
    })
}

fn tag_names(conversation: &Value) -> Vec<String> {
    conversation["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .filter_map(|t| t["tag"].as_str().or_else(|| t["name"].as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Help Scout lower-cases tag names: compare without case.
async fn retag<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    session: &Session<'_>,
    id: u64,
    tag: &str,
    add: bool,
) -> Step {
    let mut tags = tag_names(&ctx.send(session.show(id)).await?.json());
    let present = tags.iter().any(|t| t.eq_ignore_ascii_case(tag));
    if present == add {
        return Ok(());
    }
    if add {
        tags.push(tag.to_string());
    } else {
        tags.retain(|t| !t.eq_ignore_ascii_case(tag));
    }
    ctx.send(session.set_tags(id, &tags)).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_is_a_json_patch() {
        let session = Session {
            base_url: "https://api.helpscout.net",
            authorization: "Bearer tok".into(),
        };
        let request = session.assign(5, 11);
        assert_eq!(request.method, Method::PATCH);
        assert_eq!(request.url, "https://api.helpscout.net/v2/conversations/5");
        assert_eq!(
            request.body,
            br#"{"op":"replace","path":"/assignTo","value":11}"#
        );
        assert_eq!(request.header_value("Authorization"), Some("Bearer tok"));
    }

    #[test]
    fn the_token_request_uses_client_credentials() {
        let api = ApiCredentials {
            base_url: "https://api.helpscout.net".into(),
            email: None,
            token: Secret::new("app-secret"),
            admin_id: None,
            app_id: Some(Secret::new("app-id")),
        };
        let request = token_request(&api, &Secret::new("app-id"));
        assert_eq!(request.url, "https://api.helpscout.net/v2/oauth2/token");
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            body,
            json!({"grant_type": "client_credentials", "client_id": "app-id", "client_secret": "app-secret"})
        );
    }

    #[test]
    fn tag_names_come_from_the_tag_field() {
        let conversation = json!({"tags": [{"id": 1, "tag": "vip"}, {"id": 2, "tag": "late"}]});
        assert_eq!(tag_names(&conversation), ["vip", "late"]);
    }
}
