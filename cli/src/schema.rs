//! `sla schema event|policy|sla-event|report`: prints a JSON Schema.

use std::process::ExitCode;

/// Which format to describe.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// The canonical ticket event (one JSON line of `sla replay`'s input).
    Event,
    /// The policy file.
    Policy,
    /// The SLA events we announce.
    SlaEvent,
    /// The `sla report --format json` document.
    Report,
}

/// Arguments of `sla schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format to describe.
    #[arg(value_enum)]
    pub format: Format,
}

/// Prints the schema as pretty JSON.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let schema = match args.format {
        Format::Event => sla_core::schema::event(),
        Format::Policy => sla_core::schema::policy(),
        Format::SlaEvent => sla_core::schema::sla_event(),
        Format::Report => sla_report::schema(),
    };
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(ExitCode::SUCCESS)
}
