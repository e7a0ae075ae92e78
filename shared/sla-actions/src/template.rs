//! Rendering `{{field}}` templates (parsed and checked by
//! [`sla_core::policy::actions::Template`]) with an SLA event's fields.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use sla_core::policy::actions::{Template, TemplateField, TemplatePart};
use sla_core::policy::priority_name;
use sla_core::SlaEvent;

/// What a template can name: the SLA event and what the event alone does not carry.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// The SLA event.
    pub event: &'a SlaEvent,
    /// The zone of the calendar measuring the event's target (UTC when unknown).
    pub zone: Tz,
    /// The tenant's `ticket_url` template (`{id}` is the ticket's id), when configured.
    pub ticket_url: Option<&'a str>,
}

impl Fields<'_> {
    /// The text of one field; an unknown assignee, group or ticket URL is empty.
    pub fn value(&self, field: TemplateField) -> String {
        let event = self.event;
        let context = &event.context;
        match field {
            TemplateField::TicketId => event.ticket_id.clone(),
            TemplateField::Tenant => event.tenant.clone(),
            TemplateField::Metric => event.metric.as_str().to_string(),
            TemplateField::Cycle => event.cycle.to_string(),
            TemplateField::Type => event.kind.as_str().to_string(),
            TemplateField::Policy => event.policy.clone(),
            TemplateField::Priority => priority_name(&event.priority),
            TemplateField::Assignee => context.assignee.clone().unwrap_or_default(),
            TemplateField::Group => context.group.clone().unwrap_or_default(),
            TemplateField::DeadlineUtc => event.deadline.to_rfc3339_opts(SecondsFormat::Secs, true),
            TemplateField::DeadlineLocal => local_time(event.deadline, self.zone),
            TemplateField::TimeLeft => time_left((event.deadline - event.at).num_seconds()),
            TemplateField::TicketUrl => self
                .ticket_url
                .map(|url| url.replace("{id}", &event.ticket_id))
                .unwrap_or_default(),
        }
    }

    /// The template with every field replaced.
    pub fn render(&self, template: &Template) -> String {
        template
            .parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(text) => text.clone(),
                TemplatePart::Field(field) => self.value(*field),
            })
            .collect()
    }
}

/// `2026-03-02 11:00 CET`: the instant on the wall clock of `zone`, with its abbreviation.
pub fn local_time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// Wall-clock time in words, rounded down to the minute: `14 min`, `2 h 5 min`,
/// `1 d 3 h`; `0 min` when the deadline has passed.
pub fn time_left(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, minutes) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> SlaEvent {
        serde_json::from_value(serde_json::json!({
            "event_id": "ev1", "type": "warning", "tenant": "acme", "ticket_id": "4242",
            "metric": "first_response", "cycle": 2, "policy": "vip", "priority": "urgent",
            "target_seconds": 3600, "deadline": "2026-07-01T10:00:00Z",
            "at": "2026-07-01T07:55:30Z", "elapsed_seconds": 2700, "threshold": "75%",
            "assignee": "agent-7", "group": "tier2", "vendor": "zendesk"
        }))
        .unwrap()
    }

    #[test]
    fn every_field_renders_from_the_event() {
        let event = event();
        let fields = Fields {
            event: &event,
            zone: chrono_tz::America::New_York,
            ticket_url: Some("https://acme.zendesk.com/agent/tickets/{id}"),
        };
        let expected = [
            (TemplateField::TicketId, "4242"),
            (TemplateField::Tenant, "acme"),
            (TemplateField::Metric, "first_response"),
            (TemplateField::Cycle, "2"),
            (TemplateField::Type, "warning"),
            (TemplateField::Policy, "vip"),
            (TemplateField::Priority, "urgent"),
            (TemplateField::Assignee, "agent-7"),
            (TemplateField::Group, "tier2"),
            (TemplateField::DeadlineUtc, "2026-07-01T10:00:00Z"),
            (TemplateField::DeadlineLocal, "2026-07-01 06:00 EDT"),
            (TemplateField::TimeLeft, "2 h 4 min"),
            (
                TemplateField::TicketUrl,
                "https://acme.zendesk.com/agent/tickets/4242",
            ),
        ];
        assert_eq!(expected.len(), TemplateField::ALL.len());
        for (field, text) in expected {
            assert_eq!(fields.value(field), text, "{}", field.name());
            let template = Template::parse(&format!("<{{{{ {} }}}}>", field.name())).unwrap();
            assert_eq!(fields.render(&template), format!("<{text}>"));
        }
    }

    #[test]
    fn unknown_values_render_empty() {
        let mut event = event();
        event.context = Default::default();
        let fields = Fields {
            event: &event,
            zone: chrono_tz::UTC,
            ticket_url: None,
        };
        for field in [
            TemplateField::Assignee,
            TemplateField::Group,
            TemplateField::TicketUrl,
        ] {
            assert_eq!(fields.value(field), "", "{}", field.name());
        }
    }

    #[test]
    fn time_left_reads_like_a_person_writes_it() {
        let cases = [
            (-300, "0 min"),
            (59, "0 min"),
            (14 * 60 + 59, "14 min"),
            (3600, "1 h"),
            (2 * 3600 + 5 * 60, "2 h 5 min"),
            (86_400, "1 d"),
            (86_400 + 3 * 3600 + 59 * 60, "1 d 3 h"),
        ];
        for (seconds, text) in cases {
            assert_eq!(time_left(seconds), text, "{seconds}s");
        }
    }

    #[test]
    fn local_time_uses_the_zone_and_its_abbreviation() {
        let at: DateTime<Utc> = "2026-03-02T10:00:00Z".parse().unwrap();
        assert_eq!(
            local_time(at, chrono_tz::Europe::Paris),
            "2026-03-02 11:00 CET"
        );
        assert_eq!(local_time(at, chrono_tz::UTC), "2026-03-02 10:00 UTC");
    }
}
