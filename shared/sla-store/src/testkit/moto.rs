//! Clients for the moto AWS emulator started by `scripts/moto.sh`, and a DynamoDB call
//! counter for measuring round trips.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::Client;

use super::unique_name;
use crate::dynamodb::create_table;
use crate::DynamoStore;

/// Environment variable holding moto's endpoint URL, set by `scripts/moto.sh run`.
pub const ENDPOINT_VAR: &str = "SLA_MOTO_ENDPOINT";

/// moto's endpoint; panics with instructions when the tests were not started by the harness.
pub fn endpoint() -> String {
    match std::env::var(ENDPOINT_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{ENDPOINT_VAR} is not set: this test needs the moto AWS emulator. Run it through the \
             harness, e.g. `scripts/moto.sh run cargo test -p sla-store`"
        ),
    }
}

/// The region the harness exports (`AWS_REGION`), `us-east-1` otherwise.
pub fn region() -> Region {
    Region::new(std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into()))
}

/// Static dummy credentials moto accepts.
pub fn credentials() -> Credentials {
    Credentials::new("testing", "testing", None, None, "moto")
}

/// A DynamoDB client for moto.
pub fn dynamodb_client() -> Client {
    Client::from_conf(dynamodb_config().build())
}

/// A DynamoDB client for moto whose requests are counted by `counter`.
pub fn counted_dynamodb_client(counter: &CallCounter) -> Client {
    Client::from_conf(dynamodb_config().interceptor(counter.clone()).build())
}

fn dynamodb_config() -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(region())
        .credentials_provider(credentials())
}

/// A `DynamoStore` over a new table with a unique name.
pub async fn fresh_store(client: Client, shards: u32) -> DynamoStore {
    let table = unique_name("tickets");
    create_table(&client, &table)
        .await
        .expect("creating the ticket table on moto");
    DynamoStore::new(client, table, shards)
}

/// Counts DynamoDB requests sent, per operation (`GetItem`, `PutItem`, ...), retries included.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl CallCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests per operation since the last reset.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.lock().clone()
    }

    /// Requests of `operation` since the last reset.
    pub fn count(&self, operation: &str) -> u64 {
        self.lock().get(operation).copied().unwrap_or(0)
    }

    /// All requests since the last reset.
    pub fn total(&self) -> u64 {
        self.lock().values().sum()
    }

    /// Sets every count to zero.
    pub fn reset(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // DynamoDB's JSON protocol names the operation in `X-Amz-Target: DynamoDB_20120810.<Op>`.
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        *self.lock().entry(operation).or_default() += 1;
        Ok(())
    }
}
