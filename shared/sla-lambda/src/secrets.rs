//! Webhook secrets from AWS Secrets Manager and SSM Parameter Store, read once at cold
//! start (the tenants file names them) and kept for the life of the execution environment.

use aws_config::SdkConfig;
use sla_app::tenants::EnvSecretResolver;
use sla_helpdesk::{SecretResolver, SecretSource, SecretUnavailable, TenantsFile};

/// Secret values fetched ahead of time, answered synchronously to `resolve_tenants`.
#[derive(Default)]
pub struct PrefetchedSecrets {
    values: Vec<(SecretSource, Result<String, SecretUnavailable>)>,
}

impl PrefetchedSecrets {
    /// Fetches every secret `file` names (`secret_env` from the environment, `secret_arn`
    /// from Secrets Manager, `secret_ssm` from Parameter Store, decrypted).
    pub async fn fetch(file: &TenantsFile, aws: &SdkConfig) -> Self {
        Self::fetch_sources(file.secret_sources(), aws).await
    }

    /// Fetches each of `sources` (a function that needs only some of a file's secrets).
    pub async fn fetch_sources<'a>(
        sources: impl IntoIterator<Item = &'a SecretSource>,
        aws: &SdkConfig,
    ) -> Self {
        let secrets = aws_sdk_secretsmanager::Client::new(aws);
        let ssm = aws_sdk_ssm::Client::new(aws);
        let mut values: Vec<(SecretSource, Result<String, SecretUnavailable>)> = Vec::new();
        for source in sources {
            let value = match source {
                SecretSource::Env(_) => EnvSecretResolver.resolve(source),
                SecretSource::SecretsManager(id) => secrets_manager(&secrets, id).await,
                SecretSource::Ssm(name) => parameter(&ssm, name).await,
            };
            values.push((source.clone(), value));
        }
        Self { values }
    }

    /// The fetched value of `source`.
    pub fn get(&self, source: &SecretSource) -> Result<String, SecretUnavailable> {
        self.values
            .iter()
            .find(|(s, _)| s == source)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| Err(unavailable(format!("{source} was not fetched"))))
    }
}

fn unavailable(reason: String) -> SecretUnavailable {
    SecretUnavailable { reason }
}

async fn secrets_manager(
    client: &aws_sdk_secretsmanager::Client,
    id: &str,
) -> Result<String, SecretUnavailable> {
    let out = client
        .get_secret_value()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| unavailable(format!("Secrets Manager: {}", aws_error(&e))))?;
    out.secret_string()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| unavailable("Secrets Manager: the secret has no string value".into()))
}

async fn parameter(client: &aws_sdk_ssm::Client, name: &str) -> Result<String, SecretUnavailable> {
    let out = client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| unavailable(format!("Parameter Store: {}", aws_error(&e))))?;
    out.parameter()
        .and_then(|p| p.value())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| unavailable("Parameter Store: the parameter has no value".into()))
}

/// The SDK error with its service code and message, not just "service error".
fn aws_error<E, R>(err: &aws_sdk_ssm::error::SdkError<E, R>) -> String
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use std::error::Error;
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
