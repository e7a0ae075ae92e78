//! The entry points: check size, verify the signature on the raw bytes, then parse.

use chrono::{DateTime, Utc};
use sla_core::event::TicketEvent;

use crate::assemble::Context;
use crate::config::{Limits, Mapping, VendorConfig};
use crate::error::WebhookError;
use crate::request::WebhookRequest;
use crate::validate;
use crate::vendor::Vendor;
use crate::vendors;

/// Verifies a request and parses it into canonical events.
///
/// `Ok(vec![])` means the request is genuine but not about a ticket's SLA (answer 2xx).
/// `now` is the receipt time: the reference for signed timestamps and the time of
/// events whose payload carries none.
pub fn verify_and_parse(
    vendor: Vendor,
    tenant: &str,
    config: &VendorConfig,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<TicketEvent>, WebhookError> {
    check_size(&config.limits, request)?;
    verify(vendor, config, request, now)?;
    let settings = Settings {
        mapping: &config.mapping,
        limits: config.limits,
        account: config.account.as_deref(),
    };
    parse(vendor, tenant, &settings, request, now)
}

/// Parses without verifying the signature (for `sla normalize` without `--secret`).
pub fn parse_unverified(
    vendor: Vendor,
    tenant: &str,
    mapping: &Mapping,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<TicketEvent>, WebhookError> {
    let settings = Settings {
        mapping,
        limits: Limits::default(),
        account: None,
    };
    parse(vendor, tenant, &settings, request, now)
}

/// What parsing takes from the tenant's configuration.
struct Settings<'a> {
    mapping: &'a Mapping,
    limits: Limits,
    account: Option<&'a str>,
}

fn check_size(limits: &Limits, request: &WebhookRequest<'_>) -> Result<(), WebhookError> {
    if request.body.len() > limits.max_body_bytes {
        return Err(WebhookError::TooLarge {
            limit: limits.max_body_bytes,
            actual: request.body.len(),
        });
    }
    Ok(())
}

fn verify(
    vendor: Vendor,
    config: &VendorConfig,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let secret = &config.secret;
    let limits = &config.limits;
    match vendor {
        Vendor::Zendesk => vendors::zendesk::verify(secret, limits, request, now),
        Vendor::Freshdesk => vendors::freshdesk::verify(secret, request),
        Vendor::Intercom => vendors::intercom::verify(secret, request),
        Vendor::HelpScout => vendors::helpscout::verify(secret, request),
        Vendor::Jira => vendors::jira::verify(secret, request),
        Vendor::Front => vendors::front::verify(secret, limits, request, now),
        Vendor::Hubspot => vendors::hubspot::verify(secret, limits, request, now),
        Vendor::Canonical => vendors::canonical::verify(secret, limits, request, now),
    }
}

/// Parses with the vendor's adapter, then checks every event against the field limits.
fn parse(
    vendor: Vendor,
    tenant: &str,
    settings: &Settings<'_>,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<TicketEvent>, WebhookError> {
    let ctx = Context {
        vendor,
        tenant,
        mapping: settings.mapping,
        request,
        now,
        account: settings.account,
        limits: settings.limits,
    };
    let events = parse_vendor(&ctx)?;
    settings.limits.check_events(events.len())?;
    // Canonical events were checked as they were read, with their place in the body.
    if vendor != Vendor::Canonical {
        for event in &events {
            validate::event(event, "")?;
        }
    }
    Ok(events)
}

fn parse_vendor(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    match ctx.vendor {
        Vendor::Zendesk => vendors::zendesk::parse(ctx),
        Vendor::Freshdesk => vendors::freshdesk::parse(ctx),
        Vendor::Intercom => vendors::intercom::parse(ctx),
        Vendor::HelpScout => vendors::helpscout::parse(ctx),
        Vendor::Jira => vendors::jira::parse(ctx),
        Vendor::Front => vendors::front::parse(ctx),
        Vendor::Hubspot => vendors::hubspot::parse(ctx),
        Vendor::Canonical => vendors::canonical::parse(ctx),
    }
}
