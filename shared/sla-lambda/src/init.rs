//! Cold start: read the environment, build the SDK clients once, load tenants and
//! policies. Any failure here names what is wrong and stops the function before it
//! answers a request.

use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use sla_actions_http::{Executor, HyperTransport, RetryPolicy};
use sla_app::autopilot::{Autopilot, HttpExecutor};
use sla_app::reads::ReadService;
use sla_app::{PublishRetry, SweepSettings, SystemClock, Tenants, TenantsError, WebhookService};
use sla_events::EventBridgeSink;
use sla_helpdesk::{each_once, resolve_tenant_actions, ResolvedTenants, SecretSource, TenantsFile};
use sla_store::{DynamoLedger, DynamoStore};

use crate::config::ENV_READ_TOKEN_ARN;
use crate::env::{process_env, AdminToken, CommonEnv, EnvError, SweepEnv};
use crate::secrets::PrefetchedSecrets;
use crate::{ActionsFunction, ReadFunction, SweepFunction, WebhookFunction};

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
/// It fetches the webhook secrets only: never the autopilot's (`api:`, `channels:`),
/// which only an actions function may read, nor the read tokens, which only `read-api`
/// may read.
pub async fn webhook_function(
    name: &'static str,
    aws: &SdkConfig,
) -> Result<WebhookFunction<DynamoStore>, InitError> {
    let env = CommonEnv::read(&process_env)?;
    let file = sla_app::tenants::read_tenants_file(&env.tenants_file)?
        .without_actions()
        .without_read_tokens();
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

/// The actions function over the DynamoDB ledger, calling helpdesks and chat over HTTPS.
pub type DynamoActionsFunction = ActionsFunction<DynamoLedger, HttpExecutor<HyperTransport>>;

/// Builds the actions function from the environment. It fetches only the autopilot's
/// secrets (each tenant's `api:` credentials and `channels:`), never the webhook secrets
/// or read tokens, and loads the policies (their `actions:`).
pub async fn actions_function(aws: &SdkConfig) -> Result<DynamoActionsFunction, InitError> {
    actions_function_from(&process_env, aws).await
}

/// [`actions_function`] with the environment read through `var` (tests).
pub async fn actions_function_from(
    var: &dyn Fn(&str) -> Option<String>,
    aws: &SdkConfig,
) -> Result<DynamoActionsFunction, InitError> {
    let env = CommonEnv::read(var)?;
    let file = sla_app::tenants::read_tenants_file(&env.tenants_file)?.without_read_tokens();
    let sources = each_once(
        file.tenants()
            .flat_map(|(_, tenant)| tenant.action_secret_sources()),
    );
    let secrets = PrefetchedSecrets::fetch_sources(sources, aws).await;
    let resolver = |source: &SecretSource| secrets.get(source);
    let actions = resolve_tenant_actions(&file, &resolver).map_err(TenantsError::from)?;
    let ticket_urls =
        sla_app::tenants::resolve_reads(&file, &resolver).map_err(TenantsError::from)?;
    let policies = sla_app::tenants::load_policies(&file, env.policy_file.as_deref())?;
    let tenants = Tenants::new(actions, policies).with_reads(ticket_urls);
    let ledger = DynamoLedger::new(
        aws_sdk_dynamodb::Client::new(aws),
        env.table_name,
        env.due_shards,
    );
    let executor = HttpExecutor::new(Executor::new(HyperTransport::new()), LAMBDA_RETRY);
    let autopilot = Autopilot::new(ledger, executor, Arc::new(tenants), Arc::new(SystemClock));
    Ok(ActionsFunction::new(autopilot))
}

/// In-process retries of the actions function: waits are billed, so a `Retry-After`
/// longer than 10 s re-queues the action in the ledger (the next scheduled run takes it).
pub const LAMBDA_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    base_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(10),
};

/// Builds the read function (`read-api`) from the environment. It fetches only the read
/// tokens (the admin token, each tenant's `read_token_*`), never the webhook secrets, and
/// loads the policies (the ticket route explains each clock).
pub async fn read_function(aws: &SdkConfig) -> Result<ReadFunction<DynamoStore>, InitError> {
    read_function_from(&process_env, aws).await
}

/// [`read_function`] with the environment read through `var` (tests).
pub async fn read_function_from(
    var: &dyn Fn(&str) -> Option<String>,
    aws: &SdkConfig,
) -> Result<ReadFunction<DynamoStore>, InitError> {
    let env = CommonEnv::read(var)?;
    let admin = AdminToken::read(var)?;
    let file = sla_app::tenants::read_tenants_file(&env.tenants_file)?;
    let admin_source = admin_secret_source(&admin);
    let sources = read_token_sources(&file)
        .into_iter()
        .chain(admin_source.as_ref());
    let secrets = PrefetchedSecrets::fetch_sources(sources, aws).await;
    let admin_token = admin_token(admin, &secrets)?;
    let tenants = read_tenants(&file, env.policy_file.as_deref(), &secrets)?;
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(aws),
        env.table_name.clone(),
        env.due_shards,
    );
    let ledger = DynamoLedger::new(
        aws_sdk_dynamodb::Client::new(aws),
        env.table_name,
        env.due_shards,
    );
    let clock = Arc::new(SystemClock);
    let service = ReadService::new(store, Arc::new(tenants), clock, Some(admin_token))
        .with_actions(Arc::new(ledger));
    Ok(ReadFunction::new(service))
}

/// The Secrets Manager secret holding the admin token, if it is kept there.
fn admin_secret_source(admin: &AdminToken) -> Option<SecretSource> {
    match admin {
        AdminToken::Secret(id) => Some(SecretSource::SecretsManager(id.clone())),
        AdminToken::Value(_) => None,
    }
}

/// The admin token's value; an unreadable secret names the variable and the secret.
fn admin_token(admin: AdminToken, secrets: &PrefetchedSecrets) -> Result<String, EnvError> {
    match admin {
        AdminToken::Value(token) => Ok(token),
        AdminToken::Secret(id) => secrets
            .get(&SecretSource::SecretsManager(id.clone()))
            .map_err(|e| EnvError {
                name: ENV_READ_TOKEN_ARN,
                reason: format!("cannot read secret {id}: {e}"),
            }),
    }
}

/// Tenants for reading: policies and read tokens, no webhook vendors (their secrets are
/// not the read function's to fetch).
fn read_tenants(
    file: &TenantsFile,
    default_policy: Option<&std::path::Path>,
    secrets: &PrefetchedSecrets,
) -> Result<Tenants, TenantsError> {
    let resolver = |source: &SecretSource| secrets.get(source);
    let reads = sla_app::tenants::resolve_reads(file, &resolver)?;
    let policies = sla_app::tenants::load_policies(file, default_policy)?;
    Ok(Tenants::new(ResolvedTenants::default(), policies).with_reads(reads))
}

/// The read-token sources of `file`, each once.
fn read_token_sources(file: &TenantsFile) -> Vec<&SecretSource> {
    each_once(
        file.tenants()
            .filter_map(|(_, tenant)| tenant.read_token.as_ref()),
    )
}
