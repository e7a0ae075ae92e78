//! `sla normalize --vendor NAME < BODY`: turns one helpdesk webhook body into canonical
//! events (JSON lines on stdout). With `--secret` (or `--secret-env`) the signature is
//! verified first, against the `-H` headers, `--method` and `--uri` given.
//!
//! Exit status: 0 on success (also when the payload yields no event, said on stderr);
//! 1 when the request is refused (bad signature, stale timestamp, malformed payload),
//! with a one-line reason on stderr; 2 for unusable arguments.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use sla_core::event::TicketEvent;
use sla_helpdesk::{
    is_valid_tenant_name, parse_unverified, verify_and_parse, Limits, Mapping, Secret, Vendor,
    VendorConfig, WebhookError, WebhookRequest,
};

/// Arguments of `sla normalize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// zendesk, freshdesk, intercom, helpscout, jira, front, hubspot or canonical.
    #[arg(long)]
    pub vendor: Vendor,
    /// Tenant the events belong to (a canonical body must name the same one).
    #[arg(long, default_value = "default")]
    pub tenant: String,
    /// Verify the signature with this secret first (visible in `ps`; prefer --secret-env).
    #[arg(long, conflicts_with = "secret_env")]
    pub secret: Option<String>,
    /// Verify the signature with the secret held in this environment variable.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    /// A request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// HTTP method of the request (HubSpot v3 signs it).
    #[arg(long, default_value = "POST")]
    pub method: String,
    /// Full URL the request was sent to (HubSpot v3 signs it).
    #[arg(long, default_value = "http://localhost/webhook")]
    pub uri: String,
    /// Receipt time (RFC 3339), for timestamp windows and payloads without a time; default: now.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Tenants file to take this tenant's and vendor's mappings and limits from.
    #[arg(long, value_name = "TENANTS_YAML")]
    pub config: Option<PathBuf>,
}

/// Reads the body from stdin, then verifies (if asked) and normalizes it.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !is_valid_tenant_name(&args.tenant) {
        bail!(
            "--tenant {:?}: use 1-64 characters of A-Z a-z 0-9 _ . -",
            args.tenant
        );
    }
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (mapping, limits, account) = tenant_settings(&args)?;
    let secret = secret(&args)?;
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .context("reading the body from stdin")?;
    let request = WebhookRequest {
        method: &args.method,
        uri: &args.uri,
        headers: &headers,
        body: &body,
    };
    let now = args.now.unwrap_or_else(Utc::now);
    let outcome = match secret {
        Some(secret) => {
            let config = VendorConfig {
                secret,
                mapping,
                limits,
                account,
            };
            verify_and_parse(args.vendor, &args.tenant, &config, &request, now)
        }
        None => parse_unverified(args.vendor, &args.tenant, &mapping, &request, now),
    };
    report(outcome)
}

fn report(outcome: Result<Vec<TicketEvent>, WebhookError>) -> anyhow::Result<ExitCode> {
    let events = match outcome {
        Ok(events) => events,
        Err(error) => {
            eprintln!("sla normalize: refused ({}): {error}", error.http_status());
            return Ok(ExitCode::from(1));
        }
    };
    if events.is_empty() {
        eprintln!("sla normalize: no event: this payload is not about a ticket's SLA");
    }
    let mut out = std::io::stdout().lock();
    for event in &events {
        serde_json::to_writer(&mut out, event)?;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_header(text: &str) -> anyhow::Result<(String, String)> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => bail!("-H {text:?}: expected 'Name: value'"),
    }
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{text:?} is not an RFC 3339 time: {e}"))
}

fn secret(args: &Args) -> anyhow::Result<Option<Secret>> {
    if let Some(secret) = &args.secret {
        return Ok(Some(Secret::new(secret.clone())));
    }
    match &args.secret_env {
        Some(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(Some(Secret::new(value))),
            _ => bail!("--secret-env {var}: the variable is not set or empty"),
        },
        None => Ok(None),
    }
}

/// The tenant's mapping, limits and bound account for this vendor from `--config`, else
/// the defaults.
fn tenant_settings(args: &Args) -> anyhow::Result<(Mapping, Limits, Option<String>)> {
    let Some(path) = &args.config else {
        return Ok((Mapping::default(), Limits::default(), None));
    };
    let file = sla_app::tenants::read_tenants_file(path)?;
    let tenant = file
        .tenant(&args.tenant)
        .with_context(|| format!("{}: no tenant {:?}", path.display(), args.tenant))?;
    let entry = tenant.vendors.get(&args.vendor).with_context(|| {
        format!(
            "{}: tenant {:?} has no vendor {}",
            path.display(),
            args.tenant,
            args.vendor
        )
    })?;
    Ok((entry.mapping.clone(), entry.limits, entry.account.clone()))
}
