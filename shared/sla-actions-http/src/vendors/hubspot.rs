//! HubSpot CRM API v3 (tickets, notes).
//!
//! - Auth: `Authorization: Bearer <private app access token>`
//!   (<https://developers.hubspot.com/docs/api/private-apps>).
//! - Priority, owner: `PATCH /crm/v3/objects/tickets/{id}` with `{"properties": {...}}`
//!   (`hs_ticket_priority` LOW / MEDIUM / HIGH / URGENT, `hubspot_owner_id`); the read is
//!   `GET /crm/v3/objects/tickets/{id}?properties=hs_ticket_priority`
//!   (<https://developers.hubspot.com/docs/api/crm/tickets>).
//! - Note: `POST /crm/v3/objects/notes` with `hs_note_body`, `hs_timestamp` and an
//!   association to the ticket (HubSpot-defined type 228, note to ticket)
//!   (<https://developers.hubspot.com/docs/api/crm/notes>,
//!   <https://developers.hubspot.com/docs/api/crm/associations#association-type-id-values>).
//! - Tags and groups: tickets have neither: unsupported.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee};
use sla_core::Priority;
use sla_helpdesk::ApiCredentials;

use super::{bearer, html, numeric_id, unsupported, Ctx, Step};
use crate::outcome::Outcome;
use crate::transport::{HttpRequest, HttpTransport, Method};

/// HubSpot-defined association type: note to ticket.
pub const NOTE_TO_TICKET: u32 = 228;

fn request(api: &ApiCredentials, method: Method, path: &str) -> HttpRequest {
    HttpRequest::new(method, &api.base_url, path).header("Authorization", bearer(api))
}

/// `GET` the ticket's priority.
pub(crate) fn show_priority(api: &ApiCredentials, ticket: u64) -> HttpRequest {
    let path = format!("/crm/v3/objects/tickets/{ticket}?properties=hs_ticket_priority");
    request(api, Method::GET, &path)
}

/// `PATCH` ticket properties.
pub(crate) fn update(api: &ApiCredentials, ticket: u64, properties: Value) -> HttpRequest {
    request(
        api,
        Method::PATCH,
        &format!("/crm/v3/objects/tickets/{ticket}"),
    )
    .json(&json!({"properties": properties}))
}

/// `POST` a note associated with the ticket.
pub(crate) fn note(
    api: &ApiCredentials,
    ticket: u64,
    text: &str,
    now: DateTime<Utc>,
) -> HttpRequest {
    let body = json!({
        "properties": {
            "hs_note_body": html(text),
            "hs_timestamp": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        },
        "associations": [{
            "to": {"id": ticket.to_string()},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_TICKET}],
        }],
    });
    request(api, Method::POST, "/crm/v3/objects/notes").json(&body)
}

/// HubSpot's priority values.
pub(crate) fn priority_value(priority: Priority) -> &'static str {
    match priority {
        Priority::Low => "LOW",
        Priority::Normal => "MEDIUM",
        Priority::High => "HIGH",
        Priority::Urgent => "URGENT",
    }
}

fn parse_priority(value: &str) -> Option<Priority> {
    [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ]
    .into_iter()
    .find(|p| priority_value(*p).eq_ignore_ascii_case(value))
}

pub(crate) async fn run<T: HttpTransport>(
    ctx: &Ctx<'_, T>,
    ticket: &str,
    step: &ActionStep,
) -> Step {
    let id = numeric_id("HubSpot ticket", ticket)?;
    let api = ctx.api;
    match step {
        ActionStep::Tag(_) | ActionStep::Untag(_) => unsupported("HubSpot", "tag a ticket"),
        ActionStep::RaisePriority(target) => {
            let ticket = ctx.send(show_priority(api, id)).await?.json();
            let current = ticket["properties"]["hs_ticket_priority"]
                .as_str()
                .and_then(parse_priority);
            if current.is_some_and(|c| c >= *target) {
                return Ok(());
            }
            let properties = json!({"hs_ticket_priority": priority_value(*target)});
            ctx.send(update(api, id, properties)).await.map(drop)
        }
        ActionStep::Assign(Assignee::Group(_)) => {
            unsupported("HubSpot", "assign a ticket to a group")
        }
        ActionStep::Assign(Assignee::Agent(owner)) => {
            let owner = numeric_id("HubSpot owner", owner)?;
            let properties = json!({"hubspot_owner_id": owner.to_string()});
            ctx.send(update(api, id, properties)).await.map(drop)
        }
        ActionStep::Note(text) => ctx.send(note(api, id, text, ctx.now)).await.map(drop),
        ActionStep::Notify { .. } => Err(Outcome::config("notify is not a ticket step")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::Secret;

    #[test]
    fn notes_are_associated_with_the_ticket() {
        let api = ApiCredentials {
            base_url: "https://api.hubapi.com".into(),
            email: None,
            token: Secret::new("pat"),
            admin_id: None,
            app_id: None,
        };
        let now = DateTime::from_timestamp(1_772_445_600, 0).unwrap();
        let request = note(&api, 31, "late", now);
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["associations"][0]["to"]["id"], "31");
        assert_eq!(
            body["associations"][0]["types"][0]["associationTypeId"],
            228
        );
        assert_eq!(
            body["properties"]["hs_timestamp"],
            "2026-03-02T10:00:00.000Z"
        );
        assert_eq!(request.header_value("Authorization"), Some("Bearer pat"));
    }
}
