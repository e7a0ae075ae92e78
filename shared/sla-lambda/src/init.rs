//! Cold start: read the environment, build the SDK clients once, load tenants and
//! policies. Any failure here names what is wrong and stops the function before it
//! answers a request.

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use sla_app::{PublishRetry, SweepSettings, SystemClock, WebhookService};
use sla_events::EventBridgeSink;
use sla_store::DynamoStore;

use crate::env::{process_env, CommonEnv, EnvError, SweepEnv};
use crate::secrets::PrefetchedSecrets;
use crate::{SweepFunction, WebhookFunction};

/// Why a function could not start.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// An environment variable is missing or invalid.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// The tenants or a policy file cannot be used.
    #[error(transparent)]
    Tenants(#[from] sla_app::TenantsError),
}

/// The AWS configuration from the Lambda environment (region, credentials, and
/// `AWS_ENDPOINT_URL` when set, which is how tests point the SDK at an emulator).
pub async fn aws_config() -> SdkConfig {
    aws_config::load_defaults(BehaviorVersion::latest()).await
}

/// Builds a webhook function (`ticket-created` or `ticket-updated`) from the environment.
pub async fn webhook_function(
    name: &'static str,
    aws: &SdkConfig,
) -> Result<WebhookFunction<DynamoStore>, InitError> {
    let env = CommonEnv::read(&process_env)?;
    let file = sla_app::tenants::read_tenants_file(&env.tenants_file)?;
    let secrets = PrefetchedSecrets::fetch(&file, aws).await;
    let resolver = |source: &sla_helpdesk::SecretSource| secrets.get(source);
    let tenants = sla_app::tenants::from_file(&file, env.policy_file.as_deref(), &resolver)?;
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(aws),
        env.table_name,
        env.due_shards,
    );
    let service = WebhookService::new(store, Arc::new(tenants), Arc::new(SystemClock));
    Ok(WebhookFunction::new(name, service))
}

/// Builds the sweep function from the environment. It reads policies, never secrets.
pub async fn sweep_function(
    aws: &SdkConfig,
) -> Result<SweepFunction<DynamoStore, EventBridgeSink>, InitError> {
    let env = CommonEnv::read(&process_env)?;
    let sweep_env = SweepEnv::read(&process_env)?;
    let file = sla_app::tenants::read_tenants_file(&env.tenants_file)?;
    let policies = sla_app::tenants::load_policies(&file, env.policy_file.as_deref())?;
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(aws),
        env.table_name,
        env.due_shards,
    );
    let sink = EventBridgeSink::new(
        aws_sdk_eventbridge::Client::new(aws),
        sweep_env.event_bus,
        sweep_env.event_source,
    );
    let settings = SweepSettings {
        publish: PublishRetry {
            max_attempts: sweep_env.max_publish_attempts,
            ..PublishRetry::default()
        },
        ..SweepSettings::default()
    };
    Ok(SweepFunction::new(store, sink, policies, Arc::new(SystemClock)).with_settings(settings))
}
