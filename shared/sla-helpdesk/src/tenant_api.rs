//! The tenants-file parts the autopilot executors need: per vendor entry an `api:` block
//! (base URL and credentials to call the helpdesk's API) and per tenant `channels:` (chat
//! destinations). Parsed and validated here, resolved with the webhook secrets.
//!
//! ```yaml
//! vendors:
//!   zendesk:
//!     secret_env: ACME_ZENDESK_SECRET
//!     api: {base_url: https://acme.zendesk.com, email_env: ACME_ZD_EMAIL, token_env: ACME_ZD_TOKEN}
//! channels:
//!   support-leads: {slack_webhook_env: ACME_SLACK_LEADS}
//!   managers: {teams_webhook_arn: "arn:aws:secretsmanager:...:secret:acme-teams"}
//!   pager: {url: "https://hooks.example.com/sla", secret_env: ACME_PAGER_SECRET}
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::Secret;
use crate::error::ConfigError;
use crate::tenants::{is_valid_tenant_name, SecretResolver, SecretSource};
use crate::vendor::Vendor;

/// How a vendor's API authenticates, as its reference documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiShape {
    /// Needs `email_*` (Zendesk and Jira: basic auth with the user's email).
    pub email: bool,
    /// The name of the key field: `token` or `api_key` (Freshdesk).
    pub key: &'static str,
    /// The API's fixed base URL, if it has one (`base_url` may still override it).
    pub default_base_url: Option<&'static str>,
    /// Needs `admin_id` (Intercom: the admin the actions are performed as).
    pub admin_id: bool,
    /// Also takes an OAuth app (`app_id_*` + `app_secret_*`, Help Scout's client
    /// credentials flow) instead of a token.
    pub oauth_app: bool,
}

/// The `api:` fields `vendor` needs; `None` for `canonical` (no helpdesk to call).
pub fn api_shape(vendor: Vendor) -> Option<ApiShape> {
    let shape = |email, key, default_base_url, admin_id| ApiShape {
        email,
        key,
        default_base_url,
        admin_id,
        oauth_app: vendor == Vendor::HelpScout,
    };
    match vendor {
        Vendor::Zendesk | Vendor::Jira => Some(shape(true, "token", None, false)),
        Vendor::Freshdesk => Some(shape(false, "api_key", None, false)),
        Vendor::Intercom => Some(shape(false, "token", Some("https://api.intercom.io"), true)),
        Vendor::HelpScout => Some(shape(
            false,
            "token",
            Some("https://api.helpscout.net"),
            false,
        )),
        Vendor::Front => Some(shape(
            false,
            "token",
            Some("https://api2.frontapp.com"),
            false,
        )),
        Vendor::Hubspot => Some(shape(false, "token", Some("https://api.hubapi.com"), false)),
        Vendor::Canonical => None,
    }
}

/// A vendor's `api:` block before its secrets are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiEntry {
    /// The API's base URL, without a trailing slash.
    pub base_url: String,
    /// Where the user's email is read from (Zendesk, Jira).
    pub email: Option<SecretSource>,
    /// Where the API token (or Freshdesk API key, or with `app_id` the OAuth app secret)
    /// is read from.
    pub token: SecretSource,
    /// The admin actions are performed as (Intercom).
    pub admin_id: Option<String>,
    /// Where the OAuth app id is read from (Help Scout client credentials).
    pub app_id: Option<SecretSource>,
}

/// A vendor's resolved API access. `Debug` never prints the email or token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCredentials {
    /// The API's base URL, without a trailing slash.
    pub base_url: String,
    /// The user's email (Zendesk, Jira).
    pub email: Option<Secret>,
    /// The API token, OAuth access token or Freshdesk API key; with `app_id`, the OAuth
    /// app secret exchanged for access tokens.
    pub token: Secret,
    /// The admin actions are performed as (Intercom).
    pub admin_id: Option<String>,
    /// The OAuth app id (Help Scout client credentials), if the token is an app secret.
    pub app_id: Option<Secret>,
}

/// A chat destination before its secret is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEntry {
    /// A Slack incoming webhook; its URL is the secret.
    Slack(SecretSource),
    /// A Microsoft Teams workflow ("Post to a channel when a webhook request is
    /// received") webhook; its URL is the secret.
    Teams(SecretSource),
    /// A generic HTTPS endpoint, each POST signed with HMAC-SHA256 of the body.
    Signed {
        /// Where to POST.
        url: String,
        /// Where the signing secret is read from.
        secret: SecretSource,
    },
}

impl ChannelEntry {
    /// The secret this destination needs.
    pub fn secret_source(&self) -> &SecretSource {
        match self {
            Self::Slack(source) | Self::Teams(source) => source,
            Self::Signed { secret, .. } => secret,
        }
    }
}

/// A resolved chat destination. `Debug` never prints webhook URLs or secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// A Slack incoming webhook.
    Slack {
        /// The webhook URL (a secret).
        webhook_url: Secret,
    },
    /// A Microsoft Teams workflow webhook.
    Teams {
        /// The webhook URL (a secret).
        webhook_url: Secret,
    },
    /// A generic signed HTTP POST.
    Signed {
        /// Where to POST.
        url: String,
        /// The HMAC-SHA256 key.
        secret: Secret,
    },
}

/// What the executors need of one tenant: API access per vendor and chat destinations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantActionsConfig {
    /// API access per vendor (those with an `api:` block).
    pub api: BTreeMap<Vendor, ApiCredentials>,
    /// Chat destinations by name.
    pub channels: BTreeMap<String, Channel>,
}

/// Reads the secrets of a tenant's `api:` blocks and channels; `field` names the tenant
/// (`tenants.acme`) in errors.
pub(crate) fn resolve_actions(
    field: &str,
    apis: impl Iterator<Item = (Vendor, ApiEntry)>,
    channels: &BTreeMap<String, ChannelEntry>,
    resolver: &dyn SecretResolver,
) -> Result<TenantActionsConfig, ConfigError> {
    let read = |source: &SecretSource, at: String| {
        resolver
            .resolve(source)
            .map(Secret::new)
            .map_err(|e| ConfigError::Secret {
                field: at,
                secret: source.to_string(),
                reason: e.reason,
            })
    };
    let mut config = TenantActionsConfig::default();
    for (vendor, entry) in apis {
        let at = format!("{field}.vendors.{vendor}.api");
        let optional = |source: &Option<SecretSource>| match source {
            Some(source) => read(source, at.clone()).map(Some),
            None => Ok(None),
        };
        let credentials = ApiCredentials {
            email: optional(&entry.email)?,
            app_id: optional(&entry.app_id)?,
            token: read(&entry.token, at.clone())?,
            base_url: entry.base_url,
            admin_id: entry.admin_id,
        };
        config.api.insert(vendor, credentials);
    }
    for (name, entry) in channels {
        let at = format!("{field}.channels.{name}");
        let secret = read(entry.secret_source(), at.clone())?;
        let is_webhook = matches!(entry, ChannelEntry::Slack(_) | ChannelEntry::Teams(_));
        if is_webhook && validate_url(secret.expose_str()).is_err() {
            // The URL is the secret: say what is wrong without echoing it.
            return Err(ConfigError::Secret {
                field: at,
                secret: entry.secret_source().to_string(),
                reason: "the webhook URL must start with https://".to_string(),
            });
        }
        let channel = match entry {
            ChannelEntry::Slack(_) => Channel::Slack {
                webhook_url: secret,
            },
            ChannelEntry::Teams(_) => Channel::Teams {
                webhook_url: secret,
            },
            ChannelEntry::Signed { url, .. } => Channel::Signed {
                url: url.clone(),
                secret,
            },
        };
        config.channels.insert(name.clone(), channel);
    }
    Ok(config)
}

/// `api:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApi {
    base_url: Option<String>,
    email_env: Option<String>,
    email_arn: Option<String>,
    email_ssm: Option<String>,
    token_env: Option<String>,
    token_arn: Option<String>,
    token_ssm: Option<String>,
    api_key_env: Option<String>,
    api_key_arn: Option<String>,
    api_key_ssm: Option<String>,
    app_id_env: Option<String>,
    app_id_arn: Option<String>,
    app_id_ssm: Option<String>,
    app_secret_env: Option<String>,
    app_secret_arn: Option<String>,
    app_secret_ssm: Option<String>,
    admin_id: Option<String>,
}

/// One `channels:` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChannel {
    slack_webhook_env: Option<String>,
    slack_webhook_arn: Option<String>,
    slack_webhook_ssm: Option<String>,
    teams_webhook_env: Option<String>,
    teams_webhook_arn: Option<String>,
    teams_webhook_ssm: Option<String>,
    url: Option<String>,
    secret_env: Option<String>,
    secret_arn: Option<String>,
    secret_ssm: Option<String>,
}

type Forms = (Option<String>, Option<String>, Option<String>);

/// At most one of `<name>_env`, `<name>_arn`, `<name>_ssm`, never an empty name.
fn one_source(name: &str, forms: Forms) -> Result<Option<SecretSource>, String> {
    let source = match forms {
        (None, None, None) => return Ok(None),
        (Some(v), None, None) => SecretSource::Env(v),
        (None, Some(v), None) => SecretSource::SecretsManager(v),
        (None, None, Some(v)) => SecretSource::Ssm(v),
        _ => return Err(format!("at most one of {name}_env, {name}_arn, {name}_ssm")),
    };
    match &source {
        SecretSource::Env(v) | SecretSource::SecretsManager(v) | SecretSource::Ssm(v)
            if v.trim().is_empty() =>
        {
            Err(format!("the {name} secret name is empty"))
        }
        _ => Ok(Some(source)),
    }
}

/// `https://` URL (`http://` only for loopback hosts, for tests), without a trailing slash.
fn validate_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    let host_ok = |prefix: &str| {
        trimmed
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
    };
    let https = trimmed
        .strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if https || loopback.iter().any(|p| host_ok(p)) {
        Ok(trimmed.to_string())
    } else {
        Err(format!(
            "must be an https:// URL (http:// only for 127.0.0.1/localhost), got {url:?}"
        ))
    }
}

impl RawApi {
    /// Validates the block for `vendor`; errors are `(field suffix, reason)`.
    pub(crate) fn validate(self, vendor: Vendor) -> Result<ApiEntry, (String, String)> {
        let here = |reason: String| (String::new(), reason);
        let shape = api_shape(vendor)
            .ok_or_else(|| here(format!("{vendor} has no helpdesk API to call")))?;
        let base_url = match (self.base_url, shape.default_base_url) {
            (Some(url), _) => validate_url(&url).map_err(|r| (".base_url".to_string(), r))?,
            (None, Some(default)) => default.to_string(),
            (None, None) => {
                return Err(here(format!(
                    "base_url is required for {vendor} (e.g. https://acme.{vendor}.com)"
                )))
            }
        };
        let email =
            one_source("email", (self.email_env, self.email_arn, self.email_ssm)).map_err(here)?;
        let token =
            one_source("token", (self.token_env, self.token_arn, self.token_ssm)).map_err(here)?;
        let api_key = one_source(
            "api_key",
            (self.api_key_env, self.api_key_arn, self.api_key_ssm),
        )
        .map_err(here)?;
        let app_id = one_source(
            "app_id",
            (self.app_id_env, self.app_id_arn, self.app_id_ssm),
        )
        .map_err(here)?;
        let app_secret = one_source(
            "app_secret",
            (
                self.app_secret_env,
                self.app_secret_arn,
                self.app_secret_ssm,
            ),
        )
        .map_err(here)?;
        let (token, app_id) = oauth_app(vendor, shape, token, app_id, app_secret).map_err(here)?;
        let (key, other) = if shape.key == "api_key" {
            (api_key, token.map(|_| "token"))
        } else {
            (token, api_key.map(|_| "api_key"))
        };
        if let Some(other) = other {
            return Err(here(format!(
                "{vendor} takes {}_*, not {other}_*",
                shape.key
            )));
        }
        let token = key.ok_or_else(|| {
            here(format!(
                "{vendor} needs one of {0}_env, {0}_arn, {0}_ssm",
                shape.key
            ))
        })?;
        if shape.email != email.is_some() {
            let reason = if shape.email {
                format!("{vendor} needs one of email_env, email_arn, email_ssm (basic auth)")
            } else {
                format!("{vendor} takes no email_*")
            };
            return Err(here(reason));
        }
        let admin_id = self.admin_id.map(|s| s.trim().to_string());
        if shape.admin_id != admin_id.as_deref().is_some_and(|s| !s.is_empty()) {
            let reason = if shape.admin_id {
                format!("{vendor} needs admin_id (the admin actions are performed as)")
            } else {
                format!("{vendor} takes no admin_id")
            };
            return Err(here(reason));
        }
        Ok(ApiEntry {
            base_url,
            email,
            token,
            admin_id,
            app_id,
        })
    }
}

/// With `app_id_*` + `app_secret_*` (Help Scout only, instead of `token_*`), the app
/// secret stands in the token's place: `(token, app_id)`.
fn oauth_app(
    vendor: Vendor,
    shape: ApiShape,
    token: Option<SecretSource>,
    app_id: Option<SecretSource>,
    app_secret: Option<SecretSource>,
) -> Result<(Option<SecretSource>, Option<SecretSource>), String> {
    match (app_id, app_secret) {
        (None, None) => Ok((token, None)),
        (Some(_), Some(_)) if !shape.oauth_app => {
            Err(format!("{vendor} takes no app_id_* / app_secret_*"))
        }
        (Some(_), Some(_)) if token.is_some() => {
            Err("either token_* or app_id_* with app_secret_*, not both".to_string())
        }
        (Some(id), Some(secret)) => Ok((Some(secret), Some(id))),
        _ => Err("app_id_* and app_secret_* go together".to_string()),
    }
}

impl RawChannel {
    /// Validates one destination; errors are reasons.
    pub(crate) fn validate(self) -> Result<ChannelEntry, String> {
        let slack = one_source(
            "slack_webhook",
            (
                self.slack_webhook_env,
                self.slack_webhook_arn,
                self.slack_webhook_ssm,
            ),
        )?;
        let teams = one_source(
            "teams_webhook",
            (
                self.teams_webhook_env,
                self.teams_webhook_arn,
                self.teams_webhook_ssm,
            ),
        )?;
        let secret = one_source(
            "secret",
            (self.secret_env, self.secret_arn, self.secret_ssm),
        )?;
        match (slack, teams, self.url, secret) {
            (Some(source), None, None, None) => Ok(ChannelEntry::Slack(source)),
            (None, Some(source), None, None) => Ok(ChannelEntry::Teams(source)),
            (None, None, Some(url), Some(secret)) => Ok(ChannelEntry::Signed {
                url: validate_url(&url)?,
                secret,
            }),
            _ => Err(
                "exactly one of slack_webhook_*, teams_webhook_*, or url with secret_*".to_string(),
            ),
        }
    }
}

/// Validates the `channels:` map of a tenant; `field` is `tenants.<name>`.
pub(crate) fn validate_channels(
    source: &str,
    field: &str,
    raw: BTreeMap<String, RawChannel>,
) -> Result<BTreeMap<String, ChannelEntry>, ConfigError> {
    let mut channels = BTreeMap::new();
    for (name, channel) in raw {
        let at = format!("{field}.channels.{name}");
        let invalid = |reason: String| ConfigError::Invalid {
            source_name: source.to_string(),
            field: at.clone(),
            reason,
        };
        if !is_valid_tenant_name(&name) {
            return Err(invalid(
                "channel names are 1-64 characters of A-Z a-z 0-9 _ . -".to_string(),
            ));
        }
        channels.insert(name, channel.validate().map_err(invalid)?);
    }
    Ok(channels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_api(yaml: &str) -> RawApi {
        serde_norway::from_str(yaml).unwrap()
    }

    #[test]
    fn zendesk_needs_base_url_email_and_token() {
        let entry = raw_api("{base_url: 'https://acme.zendesk.com/', email_env: E, token_env: T}")
            .validate(Vendor::Zendesk)
            .unwrap();
        assert_eq!(entry.base_url, "https://acme.zendesk.com");
        assert_eq!(entry.email, Some(SecretSource::Env("E".into())));
        let missing = raw_api("{email_env: E, token_env: T}").validate(Vendor::Zendesk);
        assert!(missing.unwrap_err().1.contains("base_url is required"));
        let no_email =
            raw_api("{base_url: 'https://a.zendesk.com', token_env: T}").validate(Vendor::Zendesk);
        assert!(no_email.unwrap_err().1.contains("email_env"));
    }

    #[test]
    fn fixed_apis_default_their_base_url_and_freshdesk_takes_an_api_key() {
        let hubspot = raw_api("{token_ssm: /hs}")
            .validate(Vendor::Hubspot)
            .unwrap();
        assert_eq!(hubspot.base_url, "https://api.hubapi.com");
        let fd = raw_api("{base_url: 'https://acme.freshdesk.com', api_key_env: K}")
            .validate(Vendor::Freshdesk)
            .unwrap();
        assert_eq!(fd.token, SecretSource::Env("K".into()));
        let wrong = raw_api("{base_url: 'https://acme.freshdesk.com', token_env: K}")
            .validate(Vendor::Freshdesk);
        assert!(wrong.is_err());
    }

    #[test]
    fn intercom_needs_an_admin_id_and_canonical_has_no_api() {
        assert!(raw_api("{token_env: T}")
            .validate(Vendor::Intercom)
            .is_err());
        let ok = raw_api("{token_env: T, admin_id: '814860'}").validate(Vendor::Intercom);
        assert_eq!(ok.unwrap().admin_id.as_deref(), Some("814860"));
        assert!(raw_api("{token_env: T}")
            .validate(Vendor::Canonical)
            .is_err());
    }

    #[test]
    fn helpscout_takes_a_token_or_an_oauth_app() {
        let app = raw_api("{app_id_env: ID, app_secret_ssm: /hs/secret}")
            .validate(Vendor::HelpScout)
            .unwrap();
        assert_eq!(app.token, SecretSource::Ssm("/hs/secret".into()));
        assert_eq!(app.app_id, Some(SecretSource::Env("ID".into())));
        let both = raw_api("{token_env: T, app_id_env: ID, app_secret_env: S}");
        assert!(both.validate(Vendor::HelpScout).is_err());
        assert!(raw_api("{app_id_env: ID}")
            .validate(Vendor::HelpScout)
            .is_err());
        let front = raw_api("{app_id_env: ID, app_secret_env: S}").validate(Vendor::Front);
        assert!(front.unwrap_err().1.contains("takes no app_id"));
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        assert!(validate_url("http://acme.zendesk.com").is_err());
        assert!(validate_url("http://localhost.evil.com").is_err());
        assert!(validate_url("https://").is_err());
        assert_eq!(
            validate_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn a_channel_is_exactly_one_kind() {
        let parse = |yaml: &str| {
            serde_norway::from_str::<RawChannel>(yaml)
                .unwrap()
                .validate()
        };
        assert_eq!(
            parse("{slack_webhook_env: S}").unwrap(),
            ChannelEntry::Slack(SecretSource::Env("S".into()))
        );
        assert!(matches!(
            parse("{url: 'https://hooks.example.com/x', secret_arn: A}").unwrap(),
            ChannelEntry::Signed { .. }
        ));
        assert!(parse("{url: 'https://hooks.example.com/x'}").is_err());
        assert!(parse("{slack_webhook_env: S, teams_webhook_env: T}").is_err());
    }

    const FILE: &str = r#"
tenants:
  acme:
    vendors:
      zendesk:
        secret_env: ZD_WEBHOOK
        api: {base_url: "https://acme.zendesk.com", email_env: ZD_EMAIL, token_arn: "arn:zd-token"}
    channels:
      support-leads: {slack_webhook_env: SLACK_LEADS}
      pager: {url: "https://hooks.example.com/sla", secret_ssm: /sla/pager}
"#;

    #[test]
    fn api_and_channel_secrets_are_prefetched_and_resolved() {
        use crate::tenants::{resolve_tenants, TenantsFile};
        let file = TenantsFile::from_yaml("tenants.yaml", FILE).unwrap();
        let sources: Vec<String> = file
            .secret_sources()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            sources,
            [
                "secret_env ZD_WEBHOOK",
                "secret_env ZD_EMAIL",
                "secret_arn arn:zd-token",
                "secret_ssm /sla/pager",
                "secret_env SLACK_LEADS",
            ]
        );
        let resolver = |source: &SecretSource| -> Result<String, crate::SecretUnavailable> {
            Ok(match source {
                SecretSource::Env(name) if name == "SLACK_LEADS" => {
                    "https://hooks.slack.test/T/B/x".to_string()
                }
                other => format!("value of {other}"),
            })
        };
        let resolved = resolve_tenants(&file, &resolver).unwrap();
        let actions = resolved.actions("acme").unwrap();
        let zendesk = &actions.api[&Vendor::Zendesk];
        assert_eq!(zendesk.base_url, "https://acme.zendesk.com");
        assert_eq!(
            zendesk.token.expose_str(),
            "value of secret_arn arn:zd-token"
        );
        assert!(matches!(
            &actions.channels["pager"],
            Channel::Signed { url, .. } if url == "https://hooks.example.com/sla"
        ));
        assert!(resolved.actions("nobody").is_none());
    }

    #[test]
    fn without_actions_names_and_resolves_only_the_webhook_secrets() {
        use crate::tenants::{resolve_tenants, TenantsFile};
        let file = TenantsFile::from_yaml("tenants.yaml", FILE)
            .unwrap()
            .without_actions();
        let sources: Vec<String> = file
            .secret_sources()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(sources, ["secret_env ZD_WEBHOOK"]);
        let resolver = |source: &SecretSource| match source {
            SecretSource::Env(name) if name == "ZD_WEBHOOK" => Ok("webhook".to_string()),
            other => Err(crate::SecretUnavailable {
                reason: format!("{other} must not be read"),
            }),
        };
        let resolved = resolve_tenants(&file, &resolver).unwrap();
        assert_eq!(
            resolved.actions("acme"),
            Some(&TenantActionsConfig::default())
        );
    }

    #[test]
    fn an_unreadable_api_secret_names_its_field() {
        use crate::tenants::{resolve_tenants, TenantsFile};
        let file = TenantsFile::from_yaml("tenants.yaml", FILE).unwrap();
        let resolver = |source: &SecretSource| match source {
            SecretSource::SecretsManager(_) => Err(crate::SecretUnavailable {
                reason: "denied".into(),
            }),
            other => Ok(other.to_string()),
        };
        let error = resolve_tenants(&file, &resolver).unwrap_err().to_string();
        assert!(
            error.starts_with("tenants.acme.vendors.zendesk.api:"),
            "{error}"
        );
    }

    #[test]
    fn a_webhook_secret_that_is_not_an_https_url_stops_start_up_without_echoing_it() {
        use crate::tenants::{resolve_tenants, TenantsFile};
        let file = TenantsFile::from_yaml("tenants.yaml", FILE).unwrap();
        let resolver = |source: &SecretSource| -> Result<String, crate::SecretUnavailable> {
            Ok(match source {
                SecretSource::Env(name) if name == "SLACK_LEADS" => {
                    "http://hooks.test/T/B/x".into()
                }
                other => other.to_string(),
            })
        };
        let error = resolve_tenants(&file, &resolver).unwrap_err().to_string();
        assert!(
            error.starts_with("tenants.acme.channels.support-leads:"),
            "{error}"
        );
        assert!(!error.contains("hooks.test"), "{error}");
    }

    #[test]
    fn a_bad_api_block_names_its_field() {
        let yaml = FILE.replace("https://acme.zendesk.com", "http://acme.zendesk.com");
        let error = crate::tenants::TenantsFile::from_yaml("tenants.yaml", &yaml)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("tenants.acme.vendors.zendesk.api.base_url"),
            "{error}"
        );
    }

    #[test]
    fn debug_never_prints_secrets() {
        let credentials = ApiCredentials {
            base_url: "https://acme.zendesk.com".into(),
            email: Some(Secret::new("agent@acme.test")),
            token: Secret::new("tok-123"),
            admin_id: None,
            app_id: None,
        };
        let channel = Channel::Slack {
            webhook_url: Secret::new("https://hooks.slack.com/services/T/B/xyz"),
        };
        let printed = format!("{credentials:?} {channel:?}");
        assert!(!printed.contains("tok-123") && !printed.contains("agent@acme.test"));
        assert!(!printed.contains("hooks.slack.com"));
    }
}
