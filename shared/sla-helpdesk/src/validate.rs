//! Limits every canonical event must respect, whichever adapter produced it: field
//! sizes (so a ticket record stays storable) and the instant range (so no arithmetic on
//! it can overflow). Beyond them the request is refused with 422 naming the field.

use sla_core::event::TicketEvent;

use crate::error::WebhookError;
use crate::time;

/// Longest `ticket_id`, in bytes.
pub const MAX_TICKET_ID_BYTES: usize = 256;
/// Most tags on one ticket.
pub const MAX_TAGS: usize = 100;
/// Longest tag, in bytes.
pub const MAX_TAG_BYTES: usize = 128;
/// Longest other string field (event id, tenant, vendor, channel, group, ...), in bytes.
pub const MAX_STRING_BYTES: usize = 256;

/// Checks one event; `prefix` names where it came from in the body (`[3]`, `body`), or
/// is empty for events an adapter derived from a vendor payload.
pub(crate) fn event(event: &TicketEvent, prefix: &str) -> Result<(), WebhookError> {
    let field = |name: &str| match prefix {
        "" => name.to_string(),
        _ => format!("{prefix}.{name}"),
    };
    if !time::in_range(event.at) {
        return Err(WebhookError::unprocessable(
            field("at"),
            format!(
                "{} is outside the supported range {} to {}",
                event.at.to_rfc3339(),
                time::EARLIEST_INSTANT,
                time::LATEST_INSTANT
            ),
        ));
    }
    check_len(&field("ticket_id"), &event.ticket_id, MAX_TICKET_ID_BYTES)?;
    let ticket = &event.ticket;
    let strings = [
        ("tenant", Some(&event.tenant)),
        ("event_id", Some(&event.event_id)),
        ("vendor", event.vendor.as_ref()),
        ("ticket.channel", ticket.channel.as_ref()),
        ("ticket.group", ticket.group.as_ref()),
        ("ticket.segment", ticket.segment.as_ref()),
        (
            "ticket.requester_timezone",
            ticket.requester_timezone.as_ref(),
        ),
        ("ticket.assignee", ticket.assignee.as_ref()),
        ("ticket.organization", ticket.organization.as_ref()),
        ("ticket.requester", ticket.requester.as_ref()),
    ];
    for (name, value) in strings {
        if let Some(value) = value {
            check_len(&field(name), value, MAX_STRING_BYTES)?;
        }
    }
    tags(
        &field("ticket.tags"),
        ticket.tags.as_deref().unwrap_or_default(),
    )
}

fn tags(field: &str, tags: &[String]) -> Result<(), WebhookError> {
    if tags.len() > MAX_TAGS {
        return Err(WebhookError::unprocessable(
            field,
            format!("{} tags, at most {MAX_TAGS} are accepted", tags.len()),
        ));
    }
    for (index, tag) in tags.iter().enumerate() {
        check_len(&format!("{field}[{index}]"), tag, MAX_TAG_BYTES)?;
    }
    Ok(())
}

fn check_len(field: &str, value: &str, limit: usize) -> Result<(), WebhookError> {
    if value.len() > limit {
        return Err(WebhookError::unprocessable(
            field,
            format!("{} bytes, at most {limit} are accepted", value.len()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_core::event::EventKind;

    fn sample() -> TicketEvent {
        TicketEvent {
            tenant: "acme".into(),
            ticket_id: "T-1".into(),
            event_id: "e-1".into(),
            at: "2025-01-08T09:00:00Z".parse().unwrap(),
            kind: EventKind::Created,
            ticket: Default::default(),
            comment: None,
            vendor: Some("zendesk".into()),
        }
    }

    fn refused(event: &TicketEvent) -> String {
        let error = super::event(event, "[2]").unwrap_err();
        assert_eq!(error.http_status(), 422, "{error}");
        error.to_string()
    }

    #[test]
    fn accepts_values_at_the_limits() {
        let mut event = sample();
        event.ticket_id = "x".repeat(MAX_TICKET_ID_BYTES);
        event.ticket.group = Some("g".repeat(MAX_STRING_BYTES));
        event.ticket.tags = Some(vec!["t".repeat(MAX_TAG_BYTES); MAX_TAGS]);
        event.at = "2199-12-31T23:59:59Z".parse().unwrap();
        assert_eq!(super::event(&event, ""), Ok(()));
    }

    #[test]
    fn refuses_each_field_one_past_its_limit_and_names_it() {
        let mut event = sample();
        event.ticket_id = "x".repeat(MAX_TICKET_ID_BYTES + 1);
        assert!(refused(&event).contains("[2].ticket_id: 257 bytes"));

        let mut event = sample();
        event.ticket.assignee = Some("é".repeat(129));
        assert!(refused(&event).contains("[2].ticket.assignee: 258 bytes"));

        let mut event = sample();
        event.ticket.tags = Some(vec!["t".into(); MAX_TAGS + 1]);
        assert!(refused(&event).contains("[2].ticket.tags: 101 tags"));

        let mut event = sample();
        event.ticket.tags = Some(vec!["a".into(), "t".repeat(MAX_TAG_BYTES + 1)]);
        assert!(refused(&event).contains("[2].ticket.tags[1]: 129 bytes"));

        let mut event = sample();
        event.event_id = "e".repeat(MAX_STRING_BYTES + 1);
        assert!(refused(&event).contains("[2].event_id"));
    }

    #[test]
    fn refuses_instants_outside_the_range() {
        let mut event = sample();
        event.at = "2200-01-01T00:00:00Z".parse().unwrap();
        assert!(refused(&event).contains("[2].at: 2200-01-01T00:00:00+00:00 is outside"));
        event.at = "1899-12-31T23:59:59Z".parse().unwrap();
        assert!(refused(&event).contains("[2].at"));
    }
}
