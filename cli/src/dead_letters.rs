//! `sla dead-letters list|redrive`: SLA events given up on after too many failed
//! publishes, in the SQLite file of `sla serve` or the DynamoDB table of the Lambda
//! deployment. Found through the stores' dead-letter index, never a table scan.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use sla_app::dead_letters::{self, Filter};
use sla_store::{DynamoStore, SqliteStore, TicketStore, DEFAULT_SHARDS};

/// Arguments of `sla dead-letters`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Print each dead letter as one JSON line (ticket, event, attempts, last error, when).
    List(Target),
    /// Put dead letters back in their tickets' outboxes, attempts reset, due now: the next
    /// sweep publishes them.
    Redrive(Target),
}

/// Which store, and which dead letters.
#[derive(Debug, clap::Args)]
struct Target {
    /// SQLite file of `sla serve` (its `--db`).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "table",
        conflicts_with = "table"
    )]
    db: Option<PathBuf>,
    /// DynamoDB table of the Lambda deployment (region, credentials and
    /// `AWS_ENDPOINT_URL` from the environment).
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
    /// Shards of the table's indexes (the functions' `SLA_DUE_SHARDS`).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SHARDS, value_parser = clap::value_parser!(u32).range(1..=256))]
    shards: u32,
    /// Only this tenant's dead letters.
    #[arg(long)]
    tenant: Option<String>,
    /// Only this ticket's dead letters.
    #[arg(long)]
    ticket: Option<String>,
    /// Only the dead letter of this SLA event id.
    #[arg(long, value_name = "ID")]
    event_id: Option<String>,
}

/// Runs `sla dead-letters`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(dispatch(args.action))
}

async fn dispatch(action: Action) -> anyhow::Result<ExitCode> {
    let (redrive, target) = match action {
        Action::List(target) => (false, target),
        Action::Redrive(target) => (true, target),
    };
    let filter = Filter {
        tenant: target.tenant.clone(),
        ticket_id: target.ticket.clone(),
        event_id: target.event_id.clone(),
    };
    if let Some(path) = &target.db {
        let store = SqliteStore::open(path).with_context(|| format!("--db {}", path.display()))?;
        return act(&store, &filter, redrive).await;
    }
    let table = target.table.context("--db or --table is required")?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table, target.shards);
    act(&store, &filter, redrive).await
}

async fn act<S: TicketStore>(
    store: &S,
    filter: &Filter,
    redrive: bool,
) -> anyhow::Result<ExitCode> {
    if redrive {
        let count = dead_letters::redrive(store, filter, chrono::Utc::now()).await?;
        println!("{}", serde_json::json!({ "redriven": count }));
    } else {
        for listed in dead_letters::list(store, filter).await? {
            println!("{}", serde_json::to_string(&listed)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
