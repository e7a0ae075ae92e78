//! `sla`: the SLA tracker's command-line tool.

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's allocator: `sla serve` spends about 15 % less CPU per
/// webhook (docs/benchmarks.md); the offline commands have it return freed memory at
/// once (`input::return_freed_memory`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod actions;
mod actions_cli;
mod admin_store;
mod calc;
mod check;
mod dead_letters;
mod explain;
mod import;
mod input;
mod normalize;
mod record;
mod replay;
mod report;
mod report_agreement;
mod schema;
mod serve;
mod table;

/// SLA tracker for customer-support teams.
#[derive(Debug, Parser)]
#[command(name = "sla", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Business-time arithmetic: JSON lines in, JSON lines out.
    Calc(calc::Args),
    /// Validate a policy file and print its targets.
    Check(check::Args),
    /// Explain a ticket's SLA timeline.
    Explain(explain::Args),
    /// Import saved helpdesk API responses as canonical events (JSON lines).
    Import(import::Args),
    /// Replay an event history through the engine with a virtual clock.
    Replay(replay::Args),
    /// Compliance report: by any dimension and period, credible targets, policy what-if.
    Report(report::Args),
    /// Verify and normalize a helpdesk webhook into canonical events.
    Normalize(normalize::Args),
    /// Print a JSON Schema (`event`, `policy`, `sla-event`, `report`).
    Schema(schema::Args),
    /// Run the whole tracker as one local server on an embedded SQLite store.
    Serve(serve::Args),
    /// List or redrive SLA events given up on after too many failed publishes.
    DeadLetters(dead_letters::Args),
    /// List or redrive autopilot actions given up on (refused, unsupported, out of attempts).
    Actions(actions_cli::Args),
    /// Print a stored ticket record as JSON (operators).
    Record(record::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Calc(args) => calc::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Import(args) => import::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Report(args) => report::run(args),
        Command::Normalize(args) => normalize::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Serve(args) => serve::run(args),
        Command::DeadLetters(args) => dead_letters::run(args),
        Command::Actions(args) => actions_cli::run(args),
        Command::Record(args) => record::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("sla: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}
