//! Freshdesk: automation-rule webhooks using our recommended JSON template.
//!
//! Freshdesk cannot sign requests, so the rule must send the tenant's secret either in
//! a custom header `X-Sla-Secret` or as HTTP Basic credentials (as the password, or as
//! the user name, which is where Freshdesk's "API key" option puts it).

use base64::Engine as _;
use serde_json::Value;
use sla_core::event::{Priority, Status, TicketEvent};

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

/// Parses our template (also when wrapped in Freshdesk's `freshdesk_webhook` object).
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    let body = json::expect_object(&body)?;
    let fields = json::get(body, "freshdesk_webhook").unwrap_or(body);
    let ticket_id = json::required_id(fields, "ticket_id")?;
    let word = json::text(fields, "event").ok_or_else(|| WebhookError::missing("event"))?;
    let happened = template::parse(&word).ok_or_else(|| {
        WebhookError::unprocessable(
            "event",
            format!("{word:?} is not one of: {}", template::ACCEPTED),
        )
    })?;
    let at = json::instant(fields, "updated_at")?.unwrap_or(ctx.now);
    let raw = RawTicket {
        status: json::text(fields, "status"),
        priority: json::text(fields, "priority"),
        channel: json::text(fields, "source"),
        group: json::text(fields, "group"),
        organization: json::text(fields, "company"),
        brand: json::text(fields, "product"),
        tags: match json::get(fields, "tags") {
            Some(Value::String(s)) => Some(json::split_tags(s)),
            _ => json::names(fields, "tags", "name"),
        },
        requester_timezone: json::text(fields, "requester_timezone"),
    };
    let mut event = ctx.event(
        ticket_id,
        ctx.hashed_id(&[ctx.request.body, at.to_rfc3339().as_bytes()]),
        at,
        happened.kind,
    );
    event.ticket = ctx.snapshot(&VOCABULARY, "body", raw)?;
    event.comment = happened.comment;
    Ok(vec![event])
}
