//! `sla dead-letters list|redrive`: SLA events given up on after too many failed
//! publishes, in the SQLite file of `sla serve` or the DynamoDB table of the Lambda
//! deployment. Found through the stores' dead-letter index, never a table scan.

use std::process::ExitCode;

use clap::Subcommand;
use sla_app::dead_letters::{self, Filter};
use sla_store::TicketStore;

use crate::admin_store::{block_on, with_store, StoreArgs};

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
    #[command(flatten)]
    store: StoreArgs,
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
    block_on(dispatch(args.action))
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
    with_store!(target.store.open().await?, |store| act(
        &store, &filter, redrive
    )
    .await)
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
