//! `sla record show`: one stored ticket record as JSON, for operators. Records are stored
//! in a compact encoding (compressed, with a version byte); this decodes it, from the
//! SQLite file of `sla serve` or the DynamoDB table of the Lambda deployment.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use sla_store::{TicketKey, TicketStore};

use crate::admin_store::{block_on, with_store, StoreArgs};

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
    #[command(flatten)]
    store: StoreArgs,
    /// The ticket's tenant.
    tenant: String,
    /// The ticket's id.
    ticket: String,
}

/// Runs `sla record`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Action::Show(target) = args.action;
    block_on(show(target))
}

async fn show(target: Target) -> anyhow::Result<ExitCode> {
    let key = TicketKey::new(&target.tenant, &target.ticket);
    with_store!(target.store.open().await?, |store| print(&store, &key)
        .await)
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
