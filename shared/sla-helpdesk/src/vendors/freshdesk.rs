//! Freshdesk: automation-rule webhooks using our recommended JSON template.
//!
//! Freshdesk cannot sign requests, so the rule must send the tenant's secret either in
//! a custom header `X-Sla-Secret` or as HTTP Basic credentials (as the password, or as
//! the user name, which is where Freshdesk's "API key" option puts it).

use base64::Engine as _;
use serde_json::Value;
use sla_core::event::{Author, Comment, EventKind, Priority, Status, TicketEvent};

use crate::assemble::{Context, RawTicket, Vocabulary};
use crate::config::Secret;
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature;
use crate::template;

const SECRET_HEADER: &str = "X-Sla-Secret";
const AUTHORIZATION: &str = "Authorization";

pub(crate) const VOCABULARY: Vocabulary = Vocabulary {
    statuses: &[
        ("open", Status::Open),
        ("2", Status::Open),
        ("pending", Status::Pending),
        ("3", Status::Pending),
        ("resolved", Status::Solved),
        ("4", Status::Solved),
        ("closed", Status::Closed),
        ("5", Status::Closed),
        ("waiting on customer", Status::Pending),
        ("waiting on third party", Status::OnHold),
    ],
    priorities: &[
        ("low", Priority::Low),
        ("1", Priority::Low),
        ("medium", Priority::Normal),
        ("2", Priority::Normal),
        ("high", Priority::High),
        ("3", Priority::High),
        ("urgent", Priority::Urgent),
        ("4", Priority::Urgent),
    ],
};

/// Checks the shared secret header or Basic credentials.
pub(crate) fn verify(secret: &Secret, request: &WebhookRequest<'_>) -> Result<(), WebhookError> {
    if let Some(value) = request.header(SECRET_HEADER) {
        return if signature::secrets_match(secret.expose(), value.as_bytes()) {
            Ok(())
        } else {
            Err(WebhookError::unauthorized(format!(
                "header {SECRET_HEADER}: wrong secret"
            )))
        };
    }
    let Some(authorization) = request.header(AUTHORIZATION) else {
        return Err(WebhookError::unauthorized(format!(
            "neither header {SECRET_HEADER} nor {AUTHORIZATION}: Basic is present"
        )));
    };
    let (user, password) = basic_credentials(authorization)?;
    let by_password = signature::secrets_match(secret.expose(), password.as_bytes());
    let by_user = signature::secrets_match(secret.expose(), user.as_bytes());
    if by_password | by_user {
        Ok(())
    } else {
        Err(WebhookError::unauthorized(format!(
            "header {AUTHORIZATION}: wrong credentials"
        )))
    }
}

fn basic_credentials(header: &str) -> Result<(String, String), WebhookError> {
    let invalid = || {
        WebhookError::unauthorized(format!(
            "header {AUTHORIZATION}: not HTTP Basic credentials"
        ))
    };
    let (scheme, encoded) = header.split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (user, password) = text.split_once(':').ok_or_else(invalid)?;
    Ok((user.to_string(), password.to_string()))
}

/// Parses our template (also when wrapped in Freshdesk's `freshdesk_webhook` object) or
/// Freshdesk's "Simple" content (`ticket_<placeholder>` keys and `triggered_event`).
///
/// The event id hashes the body only: Freshdesk's retries (5, 30, 60 minutes later) send
/// the same body, so they are duplicates.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    let body = json::expect_object(&body)?;
    let fields = json::get(body, "freshdesk_webhook").unwrap_or(body);
    let simple = json::get(fields, "event").is_none()
        && (json::get(fields, "triggered_event").is_some()
            || json::get(fields, "ticket_status").is_some());
    let keys = if simple { &SIMPLE } else { &TEMPLATE };
    let prefix = if simple { "freshdesk_webhook." } else { "" };
    let object = if simple { "freshdesk_webhook" } else { "body" };
    let ticket_id = json::required_id(fields, "ticket_id")?;
    let url_field = format!("{prefix}{}", keys.url);
    ctx.check_account(&url_field, [json::url_host(fields, keys.url)])?;
    let happened = if simple {
        simple_event(fields)?
    } else {
        template_event(fields)?
    };
    let at = json::instant(fields, "updated_at")?.unwrap_or(ctx.now);
    let raw = RawTicket {
        status: json::text(fields, keys.status),
        priority: json::text(fields, keys.priority),
        channel: json::text(fields, keys.source),
        group: json::text(fields, keys.group),
        organization: json::text(fields, keys.company),
        brand: json::text(fields, keys.product),
        tags: match json::get(fields, keys.tags) {
            Some(Value::String(s)) => Some(json::split_tags(s)),
            _ => json::names(fields, keys.tags, "name"),
        },
        requester_timezone: json::text(fields, "requester_timezone"),
        assignee: json::text(fields, keys.agent),
        requester: json::text(fields, keys.requester),
    };
    let mut event = ctx.event(
        ticket_id,
        ctx.hashed_id(&[ctx.request.body]),
        at,
        happened.kind,
    );
    event.ticket = ctx.snapshot(&VOCABULARY, object, raw)?;
    event.comment = happened.comment;
    Ok(vec![event])
}

/// Where each attribute is, by payload style.
struct Keys {
    status: &'static str,
    priority: &'static str,
    source: &'static str,
    group: &'static str,
    company: &'static str,
    product: &'static str,
    tags: &'static str,
    agent: &'static str,
    requester: &'static str,
    url: &'static str,
}

/// Our recommended JSON template.
const TEMPLATE: Keys = Keys {
    status: "status",
    priority: "priority",
    source: "source",
    group: "group",
    company: "company",
    product: "product",
    tags: "tags",
    agent: "agent",
    requester: "requester",
    url: "ticket_url",
};

/// Freshdesk's "Simple" content: each placeholder `{{ticket.x.y}}` as `ticket_x_y`.
const SIMPLE: Keys = Keys {
    status: "ticket_status",
    priority: "ticket_priority",
    source: "ticket_source",
    group: "ticket_group_name",
    company: "ticket_company_name",
    product: "ticket_product_name",
    tags: "ticket_tags",
    agent: "ticket_agent_email",
    requester: "ticket_requester_email",
    url: "ticket_url",
};

fn template_event(fields: &Value) -> Result<template::TemplateEvent, WebhookError> {
    let word = json::text(fields, "event").ok_or_else(|| WebhookError::missing("event"))?;
    template::parse(&word).ok_or_else(|| {
        WebhookError::unprocessable(
            "event",
            format!("{word:?} is not one of: {}", template::ACCEPTED),
        )
    })
}

/// Reads `triggered_event` (`{ticket_action:created}`, `{status:{from:4,to:6}}`,
/// `{note_type:public}`: not JSON); a missing or other change is an update.
fn simple_event(fields: &Value) -> Result<template::TemplateEvent, WebhookError> {
    let plain = |kind| template::TemplateEvent {
        kind,
        comment: None,
    };
    let Some(text) = json::text(fields, "triggered_event") else {
        return Ok(plain(EventKind::Updated));
    };
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    let (key, value) = inner.split_once(':').unwrap_or((inner, ""));
    let value = value.trim().trim_start_matches('{').trim();
    let note = |public| template::TemplateEvent {
        kind: EventKind::Comment,
        comment: Some(Comment {
            author: Author::Agent,
            public,
        }),
    };
    Ok(match (key.trim(), value) {
        ("ticket_action", "created") => plain(EventKind::Created),
        ("note_type", "public") => note(true),
        ("note_type", "private") => note(false),
        ("note_type", other) => {
            return Err(WebhookError::unprocessable(
                "freshdesk_webhook.triggered_event",
                format!("note_type {other:?} is neither public nor private"),
            ))
        }
        _ => plain(EventKind::Updated),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_triggered_event_words() {
        let kind = |text: &str| {
            simple_event(&json!({ "triggered_event": text }))
                .map(|e| (e.kind, e.comment.map(|c| c.public)))
        };
        assert_eq!(
            kind("{ticket_action:created}"),
            Ok((EventKind::Created, None))
        );
        assert_eq!(
            kind("{status:{from:4,to:6}}"),
            Ok((EventKind::Updated, None))
        );
        assert_eq!(
            kind("{priority:{from:3,to:1}}"),
            Ok((EventKind::Updated, None))
        );
        assert_eq!(
            kind("{note_type:public}"),
            Ok((EventKind::Comment, Some(true)))
        );
        assert_eq!(
            kind("{note_type:private}"),
            Ok((EventKind::Comment, Some(false)))
        );
        assert_eq!(kind("{note_type:x}").unwrap_err().http_status(), 422);
        assert_eq!(kind(""), Ok((EventKind::Updated, None)));
    }
}
