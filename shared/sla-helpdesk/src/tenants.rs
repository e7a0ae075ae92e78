//! The tenants file: which tenant accepts which vendors, with which secret and mappings.
//! This module parses and validates it; reading it from disk and reading secrets from
//! the environment belong to the host (`sla_app::tenants`).
//!
//! ```yaml
//! tenants:
//!   acme:
//!     policy: policy.yaml                 # relative to this file
//!     vendors:
//!       canonical: {secret_env: ACME_CANONICAL_SECRET}
//!       zendesk:
//!         secret_env: ACME_ZENDESK_SECRET # or secret_arn / secret_ssm
//!         statuses: {"Waiting on vendor": on_hold}
//!         priorities: {P1: urgent}
//!         segment_from: organization
//!         account: "22129848"             # optional: payloads for another account are 403
//!     read_token_env: ACME_READ_TOKEN     # optional read-API token (or read_token_arn / _ssm)
//!     ticket_url: "https://acme.zendesk.com/agent/tickets/{id}"  # optional
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sla_core::event::{Priority, Status};

use crate::config::{Limits, Mapping, Secret, SegmentFrom, VendorConfig, MAX_TIMESTAMP_TOLERANCE};
use crate::error::ConfigError;
use crate::tenant_api::{
    resolve_actions, validate_channels, ApiEntry, ChannelEntry, RawApi, RawChannel,
    TenantActionsConfig,
};
use crate::vendor::Vendor;

/// Longest tenant name accepted.
pub const MAX_TENANT_NAME_LEN: usize = 64;

/// True if `name` is 1–64 characters of `A-Z a-z 0-9 _ . -` (safe in storage keys and URLs).
pub fn is_valid_tenant_name(name: &str) -> bool {
    (1..=MAX_TENANT_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Where a vendor secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable name (`secret_env`).
    Env(String),
    /// An AWS Secrets Manager secret ARN or name (`secret_arn`).
    SecretsManager(String),
    /// An AWS Systems Manager Parameter Store parameter name (`secret_ssm`).
    Ssm(String),
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => write!(f, "secret_env {name}"),
            Self::SecretsManager(arn) => write!(f, "secret_arn {arn}"),
            Self::Ssm(name) => write!(f, "secret_ssm {name}"),
        }
    }
}

/// A secret that could not be read; `reason` says why (never the value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SecretUnavailable {
    /// Why.
    pub reason: String,
}

/// Reads secrets at start-up. Closures `Fn(&SecretSource) -> Result<String, SecretUnavailable>`
/// implement it too.
pub trait SecretResolver {
    /// The secret's value.
    fn resolve(&self, source: &SecretSource) -> Result<String, SecretUnavailable>;
}

impl<F> SecretResolver for F
where
    F: Fn(&SecretSource) -> Result<String, SecretUnavailable>,
{
    fn resolve(&self, source: &SecretSource) -> Result<String, SecretUnavailable> {
        self(source)
    }
}

/// One vendor entry of a tenant, before its secret is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorEntry {
    /// Where the webhook secret is read from.
    pub secret: SecretSource,
    /// How the vendor's fields map to canonical ones.
    pub mapping: Mapping,
    /// Size and count limits of its requests.
    pub limits: Limits,
    /// The helpdesk account payloads must name (`account:`), if bound.
    pub account: Option<String>,
    /// How to call the vendor's API for autopilot actions (`api:`), if configured.
    pub api: Option<ApiEntry>,
}

/// One tenant of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantConfig {
    /// Policy file, resolved against the tenants file's directory.
    pub policy: Option<PathBuf>,
    /// The vendors this tenant accepts.
    pub vendors: BTreeMap<Vendor, VendorEntry>,
    /// Where the tenant's read-API token is read from (`read_token_env` /
    /// `read_token_arn` / `read_token_ssm`); it reads only this tenant's data.
    pub read_token: Option<SecretSource>,
    /// The helpdesk URL of a ticket, `{id}` replaced by its id (`ticket_url`).
    pub ticket_url: Option<String>,
    /// Chat destinations for autopilot `notify` actions, by name (`channels:`).
    pub channels: BTreeMap<String, ChannelEntry>,
}

impl TenantConfig {
    /// The secrets of its `api:` blocks and `channels:`, in file order.
    pub fn action_secret_sources(&self) -> Vec<&SecretSource> {
        let apis = self.vendors.values().filter_map(|entry| entry.api.as_ref());
        let api_sources = apis.flat_map(|api| {
            let optional = api.email.iter().chain(api.app_id.iter());
            optional.chain(std::iter::once(&api.token))
        });
        let channel_sources = self.channels.values().map(ChannelEntry::secret_source);
        api_sources.chain(channel_sources).collect()
    }
}

/// A parsed and validated tenants file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantsFile {
    tenants: BTreeMap<String, TenantConfig>,
}

impl TenantsFile {
    /// Parses YAML; `source` is the file path (names it in errors, anchors relative policy paths).
    pub fn from_yaml(source: &str, yaml: &str) -> Result<Self, ConfigError> {
        let raw: RawFile = serde_norway::from_str(yaml).map_err(|e| ConfigError::Yaml {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
        let base = Path::new(source).parent().unwrap_or(Path::new(""));
        let mut tenants = BTreeMap::new();
        for (name, tenant) in raw.tenants {
            let field = format!("tenants.{name}");
            if !is_valid_tenant_name(&name) {
                return Err(invalid(
                    source,
                    &field,
                    "tenant names are 1-64 characters of A-Z a-z 0-9 _ . -",
                ));
            }
            let config = tenant.validate(source, &field, base)?;
            tenants.insert(name, config);
        }
        Ok(Self { tenants })
    }

    /// A tenant by name.
    pub fn tenant(&self, name: &str) -> Option<&TenantConfig> {
        self.tenants.get(name)
    }

    /// Every secret source the file names, each once, in file order: what a host must
    /// fetch before [`resolve_tenants`] (the Lambda functions prefetch AWS secrets).
    pub fn secret_sources(&self) -> Vec<&SecretSource> {
        each_once(self.tenants.values().flat_map(|tenant| {
            let webhooks = tenant.vendors.values().map(|entry| &entry.secret);
            webhooks
                .chain(tenant.read_token.iter())
                .chain(tenant.action_secret_sources())
        }))
    }

    /// This file without its autopilot settings (`api:` blocks, `channels:`): what a
    /// function that never acts (the webhook functions) reads, so it fetches and resolves
    /// only its own secrets and needs no access to the action secrets.
    pub fn without_actions(&self) -> Self {
        let mut file = self.clone();
        for tenant in file.tenants.values_mut() {
            tenant.channels.clear();
            for entry in tenant.vendors.values_mut() {
                entry.api = None;
            }
        }
        file
    }

    /// This file without its read tokens (`read_token_*`): what a function that serves
    /// no read route (the webhook functions) reads, so it needs no access to the read
    /// tokens, which only `read-api` may read.
    pub fn without_read_tokens(&self) -> Self {
        let mut file = self.clone();
        for tenant in file.tenants.values_mut() {
            tenant.read_token = None;
        }
        file
    }

    /// All tenants, by name.
    pub fn tenants(&self) -> impl Iterator<Item = (&str, &TenantConfig)> {
        self.tenants
            .iter()
            .map(|(name, config)| (name.as_str(), config))
    }
}

/// `sources` without repeats, in order: a secret several entries share is fetched once.
pub fn each_once<'a>(sources: impl IntoIterator<Item = &'a SecretSource>) -> Vec<&'a SecretSource> {
    let mut unique: Vec<&SecretSource> = Vec::new();
    for source in sources {
        if !unique.contains(&source) {
            unique.push(source);
        }
    }
    unique
}

/// Tenants with every secret read: what request handling needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedTenants {
    tenants: BTreeMap<String, ResolvedTenant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ResolvedTenant {
    policy: Option<PathBuf>,
    vendors: BTreeMap<Vendor, VendorConfig>,
    actions: TenantActionsConfig,
}

impl ResolvedTenants {
    /// The configuration for a (tenant, vendor); `None` means answer 404 without reading the body.
    pub fn vendor(&self, tenant: &str, vendor: Vendor) -> Option<&VendorConfig> {
        self.tenants.get(tenant)?.vendors.get(&vendor)
    }

    /// The tenant's policy file, if it names one.
    pub fn policy(&self, tenant: &str) -> Option<&Path> {
        self.tenants.get(tenant)?.policy.as_deref()
    }

    /// The tenant's API credentials and chat destinations, for the autopilot executors.
    pub fn actions(&self, tenant: &str) -> Option<&TenantActionsConfig> {
        Some(&self.tenants.get(tenant)?.actions)
    }

    /// Tenant names.
    pub fn tenant_names(&self) -> impl Iterator<Item = &str> {
        self.tenants.keys().map(String::as_str)
    }

    /// Configuration risks worth a warning at start-up (never the secrets themselves):
    /// tenants sharing one vendor secret where some of them set no `account:`, so a
    /// payload signed for one is accepted at the other's URL.
    pub fn warnings(&self) -> Vec<String> {
        let mut shared: BTreeMap<(Vendor, &[u8]), Vec<SecretUser<'_>>> = BTreeMap::new();
        for (name, tenant) in &self.tenants {
            for (vendor, config) in &tenant.vendors {
                shared
                    .entry((*vendor, config.secret.expose()))
                    .or_default()
                    .push((name, config.account.is_some()));
            }
        }
        shared
            .into_iter()
            .filter(|(_, users)| users.len() > 1 && users.iter().any(|(_, bound)| !bound))
            .map(|((vendor, _), users)| shared_secret_warning(vendor, &users))
            .collect()
    }
}

/// A tenant using a secret, and whether its entry sets `account:`.
type SecretUser<'a> = (&'a str, bool);

fn shared_secret_warning(vendor: Vendor, users: &[SecretUser<'_>]) -> String {
    let names: Vec<&str> = users.iter().map(|(name, _)| *name).collect();
    let unbound: Vec<&str> = users
        .iter()
        .filter(|(_, bound)| !bound)
        .map(|(name, _)| *name)
        .collect();
    let remedy = match vendor.account_field() {
        Some(field) => format!("set `account:` ({field}) on each"),
        None => "give each its own secret".to_string(),
    };
    format!(
        "tenants {} share one {vendor} secret and {} set(s) no account: a payload signed for one is accepted at the others' URLs; {remedy}",
        names.join(", "),
        unbound.join(", ")
    )
}

/// Reads every configured secret; the first one that cannot be read fails the whole start-up.
pub fn resolve_tenants(
    file: &TenantsFile,
    resolver: &dyn SecretResolver,
) -> Result<ResolvedTenants, ConfigError> {
    let mut tenants = BTreeMap::new();
    for (name, tenant) in &file.tenants {
        let mut vendors = BTreeMap::new();
        for (vendor, entry) in &tenant.vendors {
            let value = resolver
                .resolve(&entry.secret)
                .map_err(|e| ConfigError::Secret {
                    field: format!("tenants.{name}.vendors.{vendor}"),
                    secret: entry.secret.to_string(),
                    reason: e.reason,
                })?;
            let config = VendorConfig {
                secret: Secret::new(value),
                mapping: entry.mapping.clone(),
                limits: entry.limits,
                account: entry.account.clone(),
            };
            vendors.insert(*vendor, config);
        }
        let resolved = ResolvedTenant {
            policy: tenant.policy.clone(),
            vendors,
            actions: tenant_actions(name, tenant, resolver)?,
        };
        tenants.insert(name.clone(), resolved);
    }
    Ok(ResolvedTenants { tenants })
}

/// Reads only the autopilot's secrets (`api:` blocks, `channels:`): the tenants as a
/// host that acts but receives no webhooks sees them (the Lambda `actions` function), so
/// it needs no access to the webhook secrets. Its tenants accept no vendor's webhooks.
pub fn resolve_tenant_actions(
    file: &TenantsFile,
    resolver: &dyn SecretResolver,
) -> Result<ResolvedTenants, ConfigError> {
    let mut tenants = BTreeMap::new();
    for (name, tenant) in &file.tenants {
        let resolved = ResolvedTenant {
            policy: tenant.policy.clone(),
            vendors: BTreeMap::new(),
            actions: tenant_actions(name, tenant, resolver)?,
        };
        tenants.insert(name.clone(), resolved);
    }
    Ok(ResolvedTenants { tenants })
}

/// The tenant's API credentials and chat destinations, their secrets read.
fn tenant_actions(
    name: &str,
    tenant: &TenantConfig,
    resolver: &dyn SecretResolver,
) -> Result<TenantActionsConfig, ConfigError> {
    let apis = tenant
        .vendors
        .iter()
        .filter_map(|(vendor, entry)| Some((*vendor, entry.api.clone()?)));
    resolve_actions(&format!("tenants.{name}"), apis, &tenant.channels, resolver)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    tenants: BTreeMap<String, RawTenant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenant {
    policy: Option<String>,
    #[serde(default)]
    vendors: BTreeMap<String, RawVendor>,
    read_token_env: Option<String>,
    read_token_arn: Option<String>,
    read_token_ssm: Option<String>,
    ticket_url: Option<String>,
    #[serde(default)]
    channels: BTreeMap<String, RawChannel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendor {
    secret_env: Option<String>,
    secret_arn: Option<String>,
    secret_ssm: Option<String>,
    #[serde(default)]
    statuses: BTreeMap<String, Status>,
    #[serde(default)]
    priorities: BTreeMap<String, Priority>,
    segment_from: Option<String>,
    max_body_bytes: Option<usize>,
    timestamp_tolerance_secs: Option<u64>,
    max_events_per_request: Option<usize>,
    account: Option<String>,
    api: Option<RawApi>,
}

impl RawTenant {
    fn validate(self, source: &str, field: &str, base: &Path) -> Result<TenantConfig, ConfigError> {
        let policy = match self.policy {
            Some(p) if p.trim().is_empty() => {
                return Err(invalid(source, &format!("{field}.policy"), "is empty"))
            }
            Some(p) => Some(base.join(p)),
            None => None,
        };
        let mut vendors = BTreeMap::new();
        for (name, raw) in self.vendors {
            let vendor_field = format!("{field}.vendors.{name}");
            let vendor: Vendor = name.parse().map_err(|e: crate::vendor::UnknownVendor| {
                invalid(source, &vendor_field, &e.to_string())
            })?;
            vendors.insert(vendor, raw.validate(source, &vendor_field, vendor)?);
        }
        let read_token = read_token_source(
            source,
            field,
            (
                self.read_token_env,
                self.read_token_arn,
                self.read_token_ssm,
            ),
        )?;
        let ticket_url = validate_ticket_url(source, field, self.ticket_url)?;
        let channels = validate_channels(source, field, self.channels)?;
        Ok(TenantConfig {
            policy,
            vendors,
            read_token,
            ticket_url,
            channels,
        })
    }
}

impl RawVendor {
    fn validate(
        self,
        source: &str,
        field: &str,
        vendor: Vendor,
    ) -> Result<VendorEntry, ConfigError> {
        let secret = match (self.secret_env, self.secret_arn, self.secret_ssm) {
            (Some(v), None, None) => SecretSource::Env(v),
            (None, Some(v), None) => SecretSource::SecretsManager(v),
            (None, None, Some(v)) => SecretSource::Ssm(v),
            _ => {
                return Err(invalid(
                    source,
                    field,
                    "exactly one of secret_env, secret_arn, secret_ssm is required",
                ));
            }
        };
        if matches!(&secret, SecretSource::Env(v) | SecretSource::SecretsManager(v) | SecretSource::Ssm(v) if v.trim().is_empty())
        {
            return Err(invalid(source, field, "the secret name is empty"));
        }
        let segment_from = self
            .segment_from
            .map(|s| s.parse::<SegmentFrom>())
            .transpose()
            .map_err(|reason| invalid(source, &format!("{field}.segment_from"), &reason))?;
        let mut limits = Limits::default();
        if let Some(bytes) = self.max_body_bytes {
            if bytes == 0 {
                return Err(invalid(
                    source,
                    &format!("{field}.max_body_bytes"),
                    "must be positive",
                ));
            }
            limits.max_body_bytes = bytes;
        }
        if let Some(secs) = self.timestamp_tolerance_secs {
            let max = MAX_TIMESTAMP_TOLERANCE.as_secs();
            if secs == 0 || secs > max {
                return Err(invalid(
                    source,
                    &format!("{field}.timestamp_tolerance_secs"),
                    &format!(
                        "must be 1 to {max} (one day); a larger window no longer refuses replays"
                    ),
                ));
            }
            limits.timestamp_tolerance = Duration::from_secs(secs);
        }
        if let Some(count) = self.max_events_per_request {
            if count == 0 {
                return Err(invalid(
                    source,
                    &format!("{field}.max_events_per_request"),
                    "must be positive",
                ));
            }
            limits.max_events = count;
        }
        let account = validate_account(source, field, vendor, self.account)?;
        let api = self
            .api
            .map(|raw| raw.validate(vendor))
            .transpose()
            .map_err(|(suffix, reason)| {
                invalid(source, &format!("{field}.api{suffix}"), &reason)
            })?;
        Ok(VendorEntry {
            secret,
            mapping: Mapping::new(self.statuses, self.priorities, segment_from),
            limits,
            account,
            api,
        })
    }
}

/// The tenant's read-token source: at most one of the three, never an empty name.
fn read_token_source(
    source: &str,
    field: &str,
    sources: (Option<String>, Option<String>, Option<String>),
) -> Result<Option<SecretSource>, ConfigError> {
    let token = match sources {
        (None, None, None) => return Ok(None),
        (Some(v), None, None) => SecretSource::Env(v),
        (None, Some(v), None) => SecretSource::SecretsManager(v),
        (None, None, Some(v)) => SecretSource::Ssm(v),
        _ => {
            return Err(invalid(
                source,
                field,
                "at most one of read_token_env, read_token_arn, read_token_ssm",
            ))
        }
    };
    match &token {
        SecretSource::Env(v) | SecretSource::SecretsManager(v) | SecretSource::Ssm(v)
            if v.trim().is_empty() =>
        {
            Err(invalid(source, field, "the read token name is empty"))
        }
        _ => Ok(Some(token)),
    }
}

/// `ticket_url` must be an http(s) URL template holding `{id}`.
fn validate_ticket_url(
    source: &str,
    field: &str,
    url: Option<String>,
) -> Result<Option<String>, ConfigError> {
    let Some(url) = url else {
        return Ok(None);
    };
    let valid = (url.starts_with("https://") || url.starts_with("http://")) && url.contains("{id}");
    if !valid {
        return Err(invalid(
            source,
            &format!("{field}.ticket_url"),
            "must be an http(s) URL holding {id}, e.g. https://acme.zendesk.com/agent/tickets/{id}",
        ));
    }
    Ok(Some(url))
}

fn validate_account(
    source: &str,
    field: &str,
    vendor: Vendor,
    account: Option<String>,
) -> Result<Option<String>, ConfigError> {
    let Some(account) = account else {
        return Ok(None);
    };
    let field = format!("{field}.account");
    if account.trim().is_empty() {
        return Err(invalid(source, &field, "is empty"));
    }
    if vendor.account_field().is_none() {
        return Err(invalid(
            source,
            &field,
            &format!("{vendor} payloads do not identify the account; give this tenant its own secret instead"),
        ));
    }
    Ok(Some(account.trim().to_string()))
}

fn invalid(source: &str, field: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        source_name: source.to_string(),
        field: field.to_string(),
        reason: reason.to_string(),
    }
}
