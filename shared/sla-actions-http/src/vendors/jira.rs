//! Jira Service Management (Jira Cloud platform REST API v3 and the Service Desk API).
//!
//! - Auth: basic with the account email and an API token
//!   (<https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/>).
//! - Labels, priority: `PUT /rest/api/3/issue/{key}` with `update.labels` `add` / `remove`
//!   and `fields.priority.name`; the read is `GET /rest/api/3/issue/{key}?fields=priority`
//!   (<https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-put>).
//!   Priorities follow the default scheme (Lowest, Low, Medium, High, Highest).
//! - Agent: `PUT /rest/api/3/issue/{key}/assignee` with `{"accountId": ...}`
//!   (<https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-assignee-put>).
//!   Groups are not a standard issue field: unsupported.
//! - Internal comment: `POST /rest/servicedeskapi/request/{key}/comment` with
//!   `{"body": text, "public": false}`
//!   (<https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-comment-post>).

use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee};
use sla_core::Priority;
use sla_helpdesk::ApiCredentials;

use super::{basic, path_id, unsupported, Ctx, Step};
use crate::outcome::Outcome;
use crate::transport::{HttpRequest, HttpTransport, Method};

fn request(api: &ApiCredentials, method: Method, path: &str) -> HttpRequest {
    let email = api.email.as_ref().map_or("", |e| e.expose_str());
    HttpRequest::new(method, &api.base_url, path)
        .header("Authorization", basic(email, api.token.expose_str()))
        .header("Accept", "application/json")
}

/// `PUT` an issue edit.
pub(crate) fn edit(api: &ApiCredentials, key: &str, body: &Value) -> HttpRequest {
    request(api, Method::PUT, &format!("/rest/api/3/issue/{key}")).json(body)
}

/// The label edit: `{"update": {"labels": [{"add": label}]}}` (or `remove`).
pub(crate) fn labels(api: &ApiCredentials, key: &str, label: &str, add: bool) -> HttpRequest {
    let op = if add { "add" } else { "remove" };
    edit(api, key, &json!({"update": {"labels": [{op: label}]}}))
}

/// `GET` the issue's priority.
pub(crate) fn show_priority(api: &ApiCredentials, key: &str) -> HttpRequest {
    request(
        api,
        Method::GET,
        &format!("/rest/api/3/issue/{key}?fields=priority"),
    )
}

/// `POST` an internal (not public) comment.
pub(crate) fn comment(api: &ApiCredentials, key: &str, text: &str) -> HttpRequest {
    request(
        api,
        Method::POST,
        &format!("/rest/servicedeskapi/request/{key}/comment"),
    )
    .json(&json!({"body": text, "public": false}))
}

/// Our priority in Jira's default scheme.
pub(crate) fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::Low => "Low",
        Priority::Normal => "Medium",
        Priority::High => "High",
        Priority::Urgent => "Highest",
    }
}

fn parse_priority(name: &str) -> Option<Priority> {
    match name {
        "Lowest" | "Low" => Some(Priority::Low),
        "Medium" => Some(Priority::Normal),
        "High" => Some(Priority::High),
        "Highest" => Some(Priority::Urgent),
        _ => None,
    }
}

pub(crate) async fn run<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    ticket: &str,
    step: &ActionStep,
) -> Step {
    let key = path_id("Jira issue", ticket)?;
    let api = ctx.api;
    match step {
        ActionStep::Tag(label) | ActionStep::Untag(label)
            if label.contains(char::is_whitespace) =>
        {
            Err(Outcome::config(format!(
                "Jira labels cannot contain spaces: {label:?}"
            )))
        }
        ActionStep::Tag(label) => ctx.send(labels(api, key, label, true)).await.map(drop),
        ActionStep::Untag(label) => ctx.send(labels(api, key, label, false)).await.map(drop),
        ActionStep::RaisePriority(target) => raise(ctx, key, *target).await,
        ActionStep::Assign(Assignee::Group(_)) => unsupported("Jira", "assign an issue to a group"),
        ActionStep::Assign(Assignee::Agent(account)) => {
            let path = format!("/rest/api/3/issue/{key}/assignee");
            let body = json!({"accountId": account});
            ctx.send(request(api, Method::PUT, &path).json(&body))
                .await
                .map(drop)
        }
        ActionStep::Note(text) => ctx.send(comment(api, key, text)).await.map(drop),
        ActionStep::Notify { .. } => Err(Outcome::config("notify is not a ticket step")),
    }
}

async fn raise<T: HttpTransport>(ctx: &Ctx<'_, T>, key: &str, target: Priority) -> Step {
    let issue = ctx.send(show_priority(ctx.api, key)).await?.json();
    let name = issue["fields"]["priority"]["name"].as_str();
    match name.map(|n| (n, parse_priority(n))) {
        Some((_, Some(current))) if current >= target => return Ok(()),
        Some((other, None)) => {
            return Err(Outcome::config(format!(
                "Jira priority {other:?} is not in the default scheme; not changed (never lowers)"
            )))
        }
        _ => {}
    }
    let body = json!({"fields": {"priority": {"name": priority_name(target)}}});
    ctx.send(edit(ctx.api, key, &body)).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::Secret;

    fn api() -> ApiCredentials {
        ApiCredentials {
            base_url: "https://acme.atlassian.net".into(),
            email: Some(Secret::new("bot@acme.test")),
            token: Secret::new("tok"),
            admin_id: None,
            app_id: None,
        }
    }

    #[test]
    fn labels_are_update_operations() {
        let request = labels(&api(), "SUP-1", "sla_breached", false);
        assert_eq!(
            request.url,
            "https://acme.atlassian.net/rest/api/3/issue/SUP-1"
        );
        assert_eq!(
            request.body,
            br#"{"update":{"labels":[{"remove":"sla_breached"}]}}"#
        );
    }

    #[test]
    fn comments_are_internal() {
        let request = comment(&api(), "SUP-1", "late");
        assert_eq!(
            request.url,
            "https://acme.atlassian.net/rest/servicedeskapi/request/SUP-1/comment"
        );
        assert_eq!(request.body, br#"{"body":"late","public":false}"#);
        assert_eq!(
            request.header_value("Authorization"),
            Some(basic("bot@acme.test", "tok").as_str())
        );
    }
}
