//! Front Core API.
//!
//! - Auth: `Authorization: Bearer <API token>`
//!   (<https://dev.frontapp.com/docs/create-and-revoke-api-tokens>).
//! - Tags are applied by id (`tag_...`): a name is looked up in `GET /tags`
//!   (<https://dev.frontapp.com/reference/list-tags>, paginated by `_pagination.next`),
//!   then `POST` / `DELETE /conversations/{id}/tags` with `{"tag_ids": [...]}`
//!   (<https://dev.frontapp.com/reference/add-conversation-tag>,
//!   <https://dev.frontapp.com/reference/remove-conversation-tag>). Unknown names fail:
//!   create the tag in Front first.
//! - Comment (internal by nature): `POST /conversations/{id}/comments` with `{"body": ...}`
//!   (<https://dev.frontapp.com/reference/add-comment>).
//! - Agent: `PUT /conversations/{id}/assignee` with `{"assignee_id": "tea_..."}`
//!   (<https://dev.frontapp.com/reference/update-conversation-assignee>).
//! - Priority and groups: no such conversation fields: unsupported.

use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee};
use sla_helpdesk::ApiCredentials;

use super::{bearer, path_id, unsupported, Ctx, Step};
use crate::outcome::Outcome;
use crate::transport::{HttpRequest, HttpTransport, Method};

/// Pages of `GET /tags` read while looking a tag name up.
const MAX_TAG_PAGES: usize = 20;

fn request(api: &ApiCredentials, method: Method, path: &str) -> HttpRequest {
    HttpRequest::new(method, &api.base_url, path)
        .header("Authorization", bearer(api))
        .header("Accept", "application/json")
}

/// Add (`POST`) or remove (`DELETE`) tags by id.
pub(crate) fn tags(
    api: &ApiCredentials,
    conversation: &str,
    tag_id: &str,
    add: bool,
) -> HttpRequest {
    let method = if add { Method::POST } else { Method::DELETE };
    request(api, method, &format!("/conversations/{conversation}/tags"))
        .json(&json!({"tag_ids": [tag_id]}))
}

/// `POST` a comment.
pub(crate) fn comment(api: &ApiCredentials, conversation: &str, text: &str) -> HttpRequest {
    request(
        api,
        Method::POST,
        &format!("/conversations/{conversation}/comments"),
    )
    .json(&json!({"body": text}))
}

/// `PUT` the assignee.
pub(crate) fn assign(api: &ApiCredentials, conversation: &str, teammate: &str) -> HttpRequest {
    request(
        api,
        Method::PUT,
        &format!("/conversations/{conversation}/assignee"),
    )
    .json(&json!({"assignee_id": teammate}))
}

pub(crate) async fn run<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    ticket: &str,
    step: &ActionStep,
) -> Step {
    let id = path_id("Front conversation", ticket)?;
    let api = ctx.api;
    match step {
        ActionStep::Tag(name) => {
            let tag_id = tag_id(ctx, name).await?;
            ctx.send(tags(api, id, &tag_id, true)).await.map(drop)
        }
        ActionStep::Untag(name) => {
            let tag_id = tag_id(ctx, name).await?;
            ctx.send(tags(api, id, &tag_id, false)).await.map(drop)
        }
        ActionStep::RaisePriority(_) => unsupported("Front", "set a conversation's priority"),
        ActionStep::Assign(Assignee::Group(_)) => {
            unsupported("Front", "assign a conversation to a group")
        }
        ActionStep::Assign(Assignee::Agent(teammate)) => {
            ctx.send(assign(api, id, teammate)).await.map(drop)
        }
        ActionStep::Note(text) => ctx.send(comment(api, id, text)).await.map(drop),
        ActionStep::Notify { .. } => Err(Outcome::config("notify is not a ticket step")),
    }
}

/// `tag_...` is an id already; any other name is looked up page by page.
async fn tag_id<T: HttpTransport>(ctx: &Ctx<'_, T>, name: &str) -> Result<String, Outcome> {
    if name.starts_with("tag_") {
        return path_id("Front tag", name).map(str::to_string);
    }
    let mut page = request(ctx.api, Method::GET, "/tags");
    for _ in 0..MAX_TAG_PAGES {
        let listing = ctx.send(page).await?.json();
        if let Some(id) = find(&listing, name) {
            return Ok(id);
        }
        match next_page(ctx.api, &listing) {
            Some(next) => page = next,
            None => break,
        }
    }
    Err(Outcome::config(format!(
        "Front has no tag named {name:?}: create it in Front first"
    )))
}

fn find(listing: &Value, name: &str) -> Option<String> {
    listing["_results"].as_array()?.iter().find_map(|tag| {
        let matches = tag["name"].as_str()? == name;
        matches.then(|| tag["id"].as_str().map(str::to_string))?
    })
}

/// The next page, only on the configured API host (the credentials go with it).
fn next_page(api: &ApiCredentials, listing: &Value) -> Option<HttpRequest> {
    let next = listing["_pagination"]["next"].as_str()?;
    let path = next.strip_prefix(api.base_url.as_str())?;
    path.starts_with('/')
        .then(|| request(api, Method::GET, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::Secret;

    fn api() -> ApiCredentials {
        ApiCredentials {
            base_url: "https://api2.frontapp.com".into(),
            email: None,
            token: Secret::new("tok"),
            admin_id: None,
            app_id: None,
        }
    }

    #[test]
    fn tags_go_by_id() {
        let request = tags(&api(), "cnv_1", "tag_9", true);
        assert_eq!(
            request.url,
            "https://api2.frontapp.com/conversations/cnv_1/tags"
        );
        assert_eq!(request.body, br#"{"tag_ids":["tag_9"]}"#);
    }

    #[test]
    fn pagination_never_leaves_the_api_host() {
        let elsewhere = json!({"_pagination": {"next": "https://evil.test/tags?page_token=x"}});
        assert!(next_page(&api(), &elsewhere).is_none());
        let same = json!({"_pagination": {"next": "https://api2.frontapp.com/tags?page_token=x"}});
        assert_eq!(
            next_page(&api(), &same).unwrap().url,
            "https://api2.frontapp.com/tags?page_token=x"
        );
        let listing = json!({"_results": [{"id": "tag_1", "name": "vip"}]});
        assert_eq!(find(&listing, "vip").as_deref(), Some("tag_1"));
    }
}
