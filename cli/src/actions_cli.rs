//! `sla actions list|redrive`: autopilot actions given up on (refused, unsupported, out
//! of attempts) in the SQLite file of `sla serve`, found through the ledger's dead index.
//! A redriven action is pending again, attempts reset: the running `sla serve` (within a
//! second) or the next one carries it out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use sla_store::{ActionLedger, ActionRecord, SqliteLedger, SqliteStore};

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

/// Which database, and which dead actions.
#[derive(Debug, clap::Args)]
struct Target {
    /// SQLite file of `sla serve` (its `--db`).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
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
    let path = &target.db;
    let store = SqliteStore::open(path).with_context(|| format!("--db {}", path.display()))?;
    let ledger = SqliteLedger::open(&store).await?;
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
