//! `sla record show`: one stored ticket record as JSON, for operators. Records are stored
//! in a compact encoding (compressed, with a version byte); this decodes it, from the
//! SQLite file of `sla serve` or the DynamoDB table of the Lambda deployment.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use sla_store::{DynamoStore, SqliteStore, TicketKey, TicketStore, DEFAULT_SHARDS};

/// Arguments of `sla record`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Print a ticket's stored record as JSON: `{"stored_bytes": N, "record": {...}}`
    /// (exit code 1 when the ticket has no record).
    Show(Target),
}

/// Which store and which ticket.
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
    /// The ticket's tenant.
    tenant: String,
    /// The ticket's id.
    ticket: String,
}

/// Runs `sla record`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let Action::Show(target) = args.action;
    runtime.block_on(show(target))
}

async fn show(target: Target) -> anyhow::Result<ExitCode> {
    let key = TicketKey::new(&target.tenant, &target.ticket);
    if let Some(path) = &target.db {
        let store = SqliteStore::open(path).with_context(|| format!("--db {}", path.display()))?;
        return print(&store, &key).await;
    }
    let table = target.table.context("--db or --table is required")?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table, target.shards);
    print(&store, &key).await
}

async fn print<S: TicketStore>(store: &S, key: &TicketKey) -> anyhow::Result<ExitCode> {
    let Some(record) = store
        .load(key)
        .await
        .with_context(|| format!("loading {key}"))?
    else {
        eprintln!("sla: no record for {key}");
        return Ok(ExitCode::from(1));
    };
    let shown = serde_json::json!({
        "stored_bytes": record.stored_bytes()?,
        "record": record,
    });
    println!("{}", serde_json::to_string_pretty(&shown)?);
    Ok(ExitCode::SUCCESS)
}
