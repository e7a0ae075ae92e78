//! Tenants: who may send what (vendor secrets and mappings) and which policy applies.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use sla_core::{PolicyError, PolicySet};
use sla_helpdesk::{
    resolve_tenants, ConfigError, ResolvedTenants, Secret, SecretResolver, SecretSource,
    SecretUnavailable, TenantsFile, Vendor, VendorConfig,
};

use crate::policies::TenantPolicies;

/// Everything the webhook endpoint needs per tenant.
#[derive(Debug, Clone)]
pub struct Tenants {
    vendors: ResolvedTenants,
    policies: TenantPolicies,
    reads: BTreeMap<String, ReadAccess>,
}

/// A tenant's read-API settings: its token (resolved) and ticket URL template.
#[derive(Debug, Clone, Default)]
pub struct ReadAccess {
    /// The token that reads this tenant's data only (`read_token_*`).
    pub token: Option<Secret>,
    /// The helpdesk URL of a ticket, `{id}` standing for its id (`ticket_url`).
    pub ticket_url: Option<String>,
}

/// A tenants or policy file that cannot be used; start-up stops with this message.
#[derive(Debug, thiserror::Error)]
pub enum TenantsError {
    /// The tenants file is invalid.
    #[error(transparent)]
    Config(#[from] sla_helpdesk::ConfigError),
    /// A file cannot be read.
    #[error("{path}: cannot read: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why (shown in the message, so not chained as a source).
        reason: std::io::Error,
    },
    /// A policy file is invalid.
    #[error(transparent)]
    Policy(#[from] sla_core::PolicyError),
    /// A tenant has no policy to apply.
    #[error("tenant {tenant:?} names no policy file and no default policy is configured")]
    NoPolicy {
        /// The tenant.
        tenant: String,
    },
}

impl Tenants {
    /// Tenants from resolved vendor settings and policies.
    pub fn new(vendors: ResolvedTenants, policies: TenantPolicies) -> Self {
        Self {
            vendors,
            policies,
            reads: BTreeMap::new(),
        }
    }

    /// These tenants with their read-API settings.
    pub fn with_reads(mut self, reads: BTreeMap<String, ReadAccess>) -> Self {
        self.reads = reads;
        self
    }

    /// Whether `tenant` is configured.
    pub fn has_tenant(&self, tenant: &str) -> bool {
        self.vendors.tenant_names().any(|name| name == tenant) || self.reads.contains_key(tenant)
    }

    /// The read-API settings of `tenant` (none configured: the default).
    pub fn read_access(&self, tenant: &str) -> Option<&ReadAccess> {
        self.reads.get(tenant)
    }

    /// The API credentials and chat destinations of `tenant`, for the autopilot
    /// executors (`sla-actions-http`); `None` for an unknown tenant.
    pub fn actions(&self, tenant: &str) -> Option<&sla_helpdesk::TenantActionsConfig> {
        self.vendors.actions(tenant)
    }

    /// The settings of `vendor` for `tenant`, if configured.
    pub fn vendor(&self, tenant: &str, vendor: Vendor) -> Option<&VendorConfig> {
        self.vendors.vendor(tenant, vendor)
    }

    /// The policy set for `tenant`.
    pub fn policies(&self, tenant: &str) -> Option<&PolicySet> {
        self.policies.for_tenant(tenant).map(Arc::as_ref)
    }

    /// Configuration warnings to log at start-up (tenants sharing a vendor secret
    /// without `account:`); see [`ResolvedTenants::warnings`].
    pub fn warnings(&self) -> Vec<String> {
        self.vendors.warnings()
    }

    /// The tenant → policy table (the sweep needs only this part).
    pub fn policy_table(&self) -> &TenantPolicies {
        &self.policies
    }
}

/// Loads and compiles each tenant's policy file (paths relative to the tenants file),
/// using `default_policy` for tenants that name none. Reads no secrets.
pub fn load_policies(
    file: &TenantsFile,
    default_policy: Option<&Path>,
) -> Result<TenantPolicies, TenantsError> {
    let default = default_policy.map(read_policy).transpose()?;
    let mut table = TenantPolicies::new(default.clone());
    for (tenant, config) in file.tenants() {
        match &config.policy {
            Some(path) => table.insert(tenant, read_policy(path)?),
            None if default.is_some() => {}
            None => {
                return Err(TenantsError::NoPolicy {
                    tenant: tenant.to_string(),
                })
            }
        }
    }
    Ok(table)
}

/// Reads and compiles one policy file.
pub fn read_policy(path: &Path) -> Result<Arc<PolicySet>, TenantsError> {
    let text = std::fs::read_to_string(path).map_err(|reason| TenantsError::Read {
        path: path.display().to_string(),
        reason,
    })?;
    let (policies, _) = compile_policy_file(path, &text)?;
    Ok(Arc::new(policies))
}

/// Compiles the policy text of the file at `path`, reading the `.ics` holiday files its
/// calendars name relative to that file's directory. Also returns those files' texts
/// (for `sla check`'s warning about holiday files with nothing in the next year).
pub fn compile_policy_file(
    path: &Path,
    yaml: &str,
) -> Result<(PolicySet, sla_core::calendar::IcsSources), PolicyError> {
    let source = path.display().to_string();
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let ics = PolicySet::ics_sources(&source, yaml, |file| {
        std::fs::read_to_string(base_dir.join(file))
    })?;
    let policies = PolicySet::from_yaml_with_ics(&source, yaml, &ics)?;
    Ok((policies, ics))
}

/// Loads the tenants file at `path`, reads every vendor secret through `resolver` and
/// compiles every policy: any failure stops start-up with a message naming the field.
pub fn load(
    path: &Path,
    default_policy: Option<&Path>,
    resolver: &dyn SecretResolver,
) -> Result<Tenants, TenantsError> {
    from_file(&read_tenants_file(path)?, default_policy, resolver)
}

/// [`load`] for a tenants file already read (the Lambda functions read it first to
/// fetch its secrets). Logs each of [`Tenants::warnings`] (so `sla serve` and every cold
/// start print them).
pub fn from_file(
    file: &TenantsFile,
    default_policy: Option<&Path>,
    resolver: &dyn SecretResolver,
) -> Result<Tenants, TenantsError> {
    let policies = load_policies(file, default_policy)?;
    let vendors = resolve_tenants(file, resolver)?;
    let tenants = Tenants::new(vendors, policies).with_reads(resolve_reads(file, resolver)?);
    for warning in tenants.warnings() {
        tracing::warn!(%warning, "tenants file");
    }
    Ok(tenants)
}

/// Reads each tenant's read-API token and ticket URL template.
pub fn resolve_reads(
    file: &TenantsFile,
    resolver: &dyn SecretResolver,
) -> Result<BTreeMap<String, ReadAccess>, ConfigError> {
    let mut reads = BTreeMap::new();
    for (name, config) in file.tenants() {
        let token = config
            .read_token
            .as_ref()
            .map(|source| {
                resolver
                    .resolve(source)
                    .map(Secret::new)
                    .map_err(|e| ConfigError::Secret {
                        field: format!("tenants.{name}.read_token"),
                        secret: source.to_string(),
                        reason: e.reason,
                    })
            })
            .transpose()?;
        let access = ReadAccess {
            token,
            ticket_url: config.ticket_url.clone(),
        };
        reads.insert(name.to_string(), access);
    }
    Ok(reads)
}

/// [`load`] with secrets read from environment variables (`secret_env`), for `sla serve`.
pub fn load_local(path: &Path, default_policy: Option<&Path>) -> Result<Tenants, TenantsError> {
    load(path, default_policy, &EnvSecretResolver)
}

/// Reads and parses the tenants file at `path` (parsing and validation are
/// [`TenantsFile::from_yaml`]'s).
pub fn read_tenants_file(path: &Path) -> Result<TenantsFile, TenantsError> {
    let yaml = std::fs::read_to_string(path).map_err(|reason| TenantsError::Read {
        path: path.display().to_string(),
        reason,
    })?;
    Ok(TenantsFile::from_yaml(&path.display().to_string(), &yaml)?)
}

/// Resolves `secret_env` from the process environment; refuses the AWS sources (the
/// Lambda functions prefetch those).
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvSecretResolver;

impl SecretResolver for EnvSecretResolver {
    fn resolve(&self, source: &SecretSource) -> Result<String, SecretUnavailable> {
        let unavailable = |reason: String| SecretUnavailable { reason };
        match source {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(value) if !value.is_empty() => Ok(value),
                Ok(_) => Err(unavailable(format!("environment variable {name} is empty"))),
                Err(_) => Err(unavailable(format!(
                    "environment variable {name} is not set"
                ))),
            },
            other => Err(unavailable(format!(
                "{other}: only secret_env can be read here"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_environment_secret_fails_resolution_and_names_it() {
        let yaml =
            "tenants:\n  acme:\n    vendors:\n      canonical: {secret_env: SLA_TEST_UNSET_SECRET}\n";
        let file = TenantsFile::from_yaml("tenants.yaml", yaml).unwrap();
        let error = resolve_tenants(&file, &EnvSecretResolver).unwrap_err();
        assert_eq!(
            error.to_string(),
            "tenants.acme.vendors.canonical: cannot read secret secret_env SLA_TEST_UNSET_SECRET: \
             environment variable SLA_TEST_UNSET_SECRET is not set"
        );
    }

    #[test]
    fn read_tokens_are_fetched_resolved_and_validated() {
        let yaml = "tenants:\n  acme:\n    vendors:\n      canonical: {secret_env: HOOK}\n    \
                    read_token_arn: arn:read\n    ticket_url: \"https://h.example/t/{id}\"\n  \
                    globex:\n    vendors:\n      canonical: {secret_env: HOOK}\n";
        let file = TenantsFile::from_yaml("tenants.yaml", yaml).unwrap();
        let sources: Vec<String> = file
            .secret_sources()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(sources, ["secret_env HOOK", "secret_arn arn:read"]);
        let resolver = |source: &SecretSource| -> Result<String, SecretUnavailable> {
            Ok(format!("value of {source}"))
        };
        let reads = resolve_reads(&file, &resolver).unwrap();
        let acme = &reads["acme"];
        assert_eq!(
            acme.token.as_ref().map(|t| t.expose()),
            Some(b"value of secret_arn arn:read".as_slice())
        );
        assert_eq!(acme.ticket_url.as_deref(), Some("https://h.example/t/{id}"));
        assert!(reads["globex"].token.is_none() && reads["globex"].ticket_url.is_none());

        let both = "tenants:\n  acme:\n    read_token_env: A\n    read_token_ssm: B\n";
        let error = TenantsFile::from_yaml("tenants.yaml", both)
            .unwrap_err()
            .to_string();
        assert!(error.contains("at most one of read_token_env"), "{error}");
        let bad_url = "tenants:\n  acme:\n    ticket_url: https://h.example/t/\n";
        let error = TenantsFile::from_yaml("tenants.yaml", bad_url)
            .unwrap_err()
            .to_string();
        assert!(error.contains("tenants.acme.ticket_url"), "{error}");
    }

    #[test]
    fn the_example_tenants_file_is_read() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tenants.yaml");
        let file = read_tenants_file(&path).unwrap();
        assert!(file.tenants().count() >= 1);
    }

    #[test]
    fn a_missing_tenants_file_names_its_path() {
        let error = read_tenants_file(Path::new("/nonexistent/tenants.yaml")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("/nonexistent/tenants.yaml: cannot read:"),
            "{error}"
        );
    }
}
