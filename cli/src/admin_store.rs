//! What the operator commands (`sla dead-letters`, `sla record`, `sla actions`) share: the
//! store they open (`sla serve`'s SQLite file or the Lambda deployment's DynamoDB table)
//! and the runtime they run on.

use std::future::Future;
use std::path::PathBuf;

use anyhow::Context;
use sla_store::{DynamoStore, SqliteStore, DEFAULT_SHARDS};

/// `--db FILE` or `--table NAME [--shards N]`.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// SQLite file of `sla serve` (its `--db`).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "table",
        conflicts_with = "table"
    )]
    pub db: Option<PathBuf>,
    /// DynamoDB table of the Lambda deployment (region, credentials and
    /// `AWS_ENDPOINT_URL` from the environment).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// Shards of the table's indexes (the functions' `SLA_DUE_SHARDS`).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SHARDS, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub shards: u32,
}

/// The store named by [`StoreArgs`].
pub enum AdminStore {
    /// `--db`.
    Sqlite(SqliteStore),
    /// `--table`.
    Dynamo(DynamoStore),
}

impl StoreArgs {
    /// Opens the store.
    pub async fn open(&self) -> anyhow::Result<AdminStore> {
        if let Some(path) = &self.db {
            let store =
                SqliteStore::open(path).with_context(|| format!("--db {}", path.display()))?;
            return Ok(AdminStore::Sqlite(store));
        }
        let table = self.table.clone().context("--db or --table is required")?;
        let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let client = aws_sdk_dynamodb::Client::new(&aws);
        Ok(AdminStore::Dynamo(DynamoStore::new(
            client,
            table,
            self.shards,
        )))
    }
}

/// Runs `body` with the opened store, whichever backend it is.
macro_rules! with_store {
    ($store:expr, |$name:ident| $body:expr) => {
        match $store {
            $crate::admin_store::AdminStore::Sqlite($name) => $body,
            $crate::admin_store::AdminStore::Dynamo($name) => $body,
        }
    };
}
pub(crate) use with_store;

/// Runs an operator command's future to completion on a fresh runtime.
pub fn block_on<T>(command: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(command)
}
