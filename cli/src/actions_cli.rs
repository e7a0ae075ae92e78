//! `sla actions list|redrive`: autopilot actions given up on (refused, unsupported, out
//! of attempts), in the SQLite file of `sla serve` or the DynamoDB table of the Lambda
//! deployment, found through the ledger's dead index. A redriven action is pending again,
//! attempts reset: the running `sla serve` (within a second), the next one, or the
//! actions function's next scheduled run (within a minute) carries it out.

use std::process::ExitCode;

use clap::Subcommand;
use sla_store::{ActionLedger, ActionRecord, DynamoLedger, SqliteLedger};

use crate::admin_store::{AdminStore, StoreArgs};

/// Most dead actions read at once.
const LIMIT: usize = 10_000;

/// Arguments of `sla actions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Print each dead action as one JSON line (tenant, ticket, id, attempts, last error).
    List(Target),
    /// Make dead actions pending again, attempts reset.
    Redrive(Target),
}

/// Which store, and which dead actions.
#[derive(Debug, clap::Args)]
struct Target {
    #[command(flatten)]
    store: StoreArgs,
    /// Only this tenant's dead actions.
    #[arg(long)]
    tenant: Option<String>,
    /// Only this ticket's dead actions.
    #[arg(long)]
    ticket: Option<String>,
    /// Only the action with this id (`<sla event id>:<rule>.<step>`).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
}

impl Target {
    fn matches(&self, record: &ActionRecord) -> bool {
        let same =
            |wanted: &Option<String>, value: &str| wanted.as_deref().is_none_or(|w| w == value);
        same(&self.ticket, &record.key.ticket_id) && same(&self.id, &record.key.action_id)
    }
}

/// Runs `sla actions`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::admin_store::block_on(dispatch(args.action))
}

async fn dispatch(action: Action) -> anyhow::Result<ExitCode> {
    let (redrive, target) = match action {
        Action::List(target) => (false, target),
        Action::Redrive(target) => (true, target),
    };
    match target.store.open().await? {
        AdminStore::Sqlite(store) => {
            act(&SqliteLedger::open(&store).await?, redrive, &target).await
        }
        AdminStore::Dynamo(store) => {
            let ledger = DynamoLedger::new(
                store.client().clone(),
                store.table_name(),
                target.store.shards,
            );
            act(&ledger, redrive, &target).await
        }
    }
}

/// Lists or redrives `target`'s dead actions in `ledger`.
async fn act(
    ledger: &impl ActionLedger,
    redrive: bool,
    target: &Target,
) -> anyhow::Result<ExitCode> {
    let dead: Vec<ActionRecord> = ledger
        .dead(target.tenant.as_deref(), LIMIT)
        .await?
        .into_iter()
        .filter(|record| target.matches(record))
        .collect();
    if !redrive {
        for record in &dead {
            println!("{}", serde_json::to_string(record)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut count = 0;
    for record in &dead {
        if ledger.redrive(&record.key, chrono::Utc::now()).await? {
            count += 1;
        }
    }
    println!("{}", serde_json::json!({ "redriven": count }));
    Ok(ExitCode::SUCCESS)
}
