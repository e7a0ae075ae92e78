//! `sla import FORMAT FILES...`: saved helpdesk API responses to canonical ticket events
//! (JSON lines on stdout, sorted by ticket then time), for `sla replay`.
//!
//! Exit status: 0 on success (records that could not be used are counted on stderr);
//! 1 with `--strict` when any record could not be used; 2 for unreadable or malformed
//! files (named with record and field) and unusable arguments.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use sla_helpdesk::{is_valid_tenant_name, Mapping};
use sla_import::zendesk_verdicts::zendesk_verdicts;
use sla_import::{import, read_metric_events, read_paths, Format, ImportError, Options};

/// Arguments of `sla import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// zendesk, jira, freshdesk or csv.
    pub format: Format,
    /// Saved responses: files or directories (JSON, JSON lines or CSV; `.gz` accepted).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Tenant written on every event.
    #[arg(long, default_value = "default")]
    pub tenant: String,
    /// Tenants file to take this tenant's vendor mappings (statuses, priorities, segment) from.
    #[arg(long, value_name = "TENANTS_YAML")]
    pub config: Option<PathBuf>,
    /// Fail (exit 1) if any record could not be used.
    #[arg(long)]
    pub strict: bool,
    /// Zendesk only: also read these Ticket Metric Events exports
    /// (`/api/v2/incremental/ticket_metric_events`) for `sla report --agreement`.
    #[arg(long, value_name = "FILE", requires = "verdicts_out")]
    pub metric_events: Vec<PathBuf>,
    /// Where to save the helpdesk's verdicts read from `--metric-events` (JSON), for
    /// `sla report --agreement FILE --agreement-vendor imported`.
    #[arg(long, value_name = "FILE")]
    pub verdicts_out: Option<PathBuf>,
}

/// Reads the files, writes the events, reports the tally on stderr.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !is_valid_tenant_name(&args.tenant) {
        bail!(
            "--tenant {:?}: use 1-64 characters of A-Z a-z 0-9 _ . -",
            args.tenant
        );
    }
    let options = Options {
        tenant: args.tenant.clone(),
        mapping: mapping(&args)?,
        strict: args.strict,
    };
    if !args.metric_events.is_empty() {
        save_verdicts(&args)?;
    }
    let sources = read_paths(&args.files)?;
    let imported = match import(args.format, &sources, &options) {
        Ok(imported) => imported,
        Err(err @ ImportError::Strict(_)) => {
            eprintln!("sla import: {err}");
            return Ok(ExitCode::from(1));
        }
        Err(err) => return Err(err.into()),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for event in &imported.events {
        serde_json::to_writer(&mut out, event)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    eprint!("{}", imported.report);
    Ok(ExitCode::SUCCESS)
}

/// Reads `--metric-events` and saves Zendesk's verdicts to `--verdicts-out` (unusable
/// records counted on stderr, like the events').
fn save_verdicts(args: &Args) -> anyhow::Result<()> {
    if args.format != Format::Zendesk {
        bail!("--metric-events: Zendesk ticket metric events go with `sla import zendesk`; for Jira SLA answers use `sla report --agreement FILE --agreement-vendor jira`");
    }
    let Some(path) = &args.verdicts_out else {
        bail!("--metric-events needs --verdicts-out FILE");
    };
    let (events, report) = read_metric_events(&read_paths(&args.metric_events)?)?;
    eprint!("{report}");
    let verdicts = zendesk_verdicts(&events);
    let file = std::fs::File::create(path)
        .with_context(|| format!("--verdicts-out {}: cannot create", path.display()))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, &verdicts)?;
    out.write_all(b"\n")?;
    out.flush()
        .with_context(|| format!("--verdicts-out {}: cannot write", path.display()))?;
    eprintln!(
        "sla import: {} Zendesk verdicts ({} tickets without an SLA) saved to {}",
        verdicts.verdicts.len(),
        verdicts.without_sla.len(),
        path.display()
    );
    Ok(())
}

/// The tenant's mapping for the format's vendor from `--config`, else the defaults.
fn mapping(args: &Args) -> anyhow::Result<Mapping> {
    let Some(path) = &args.config else {
        return Ok(Mapping::default());
    };
    let file = sla_app::tenants::read_tenants_file(path)?;
    let tenant = file
        .tenant(&args.tenant)
        .with_context(|| format!("{}: no tenant {:?}", path.display(), args.tenant))?;
    let vendor = args.format.vendor();
    Ok(tenant
        .vendors
        .get(&vendor)
        .map(|entry| entry.mapping.clone())
        .unwrap_or_default())
}
