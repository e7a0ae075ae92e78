//! Settings read from the environment once, at cold start, with errors that name the
//! variable and the reason.

use std::path::PathBuf;

use crate::config::{
    ENV_DUE_SHARDS, ENV_EVENT_BUS, ENV_EVENT_SOURCE, ENV_MAX_PUBLISH_ATTEMPTS, ENV_POLICY_FILE,
    ENV_READ_TOKEN, ENV_READ_TOKEN_ARN, ENV_TABLE_NAME, ENV_TENANTS_FILE,
};
use sla_app::DEFAULT_MAX_PUBLISH_ATTEMPTS;

/// Default number of due-index shards.
pub const DEFAULT_DUE_SHARDS: u32 = 16;
/// Default EventBridge `Source`.
pub const DEFAULT_EVENT_SOURCE: &str = "sla-tracker";

/// A missing or invalid environment variable.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}: {reason}")]
pub struct EnvError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

/// Settings every function shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonEnv {
    /// The DynamoDB table of ticket records.
    pub table_name: String,
    /// Shards of the due index.
    pub due_shards: u32,
    /// The tenants file.
    pub tenants_file: PathBuf,
    /// The default policy file, for tenants that name none.
    pub policy_file: Option<PathBuf>,
}

/// The sweep's extra settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepEnv {
    /// The EventBridge bus name or ARN.
    pub event_bus: String,
    /// The `Source` of published events.
    pub event_source: String,
    /// Failed publishes of one event before it is dead-lettered.
    pub max_publish_attempts: u32,
}

/// Where the read function's admin token comes from (exactly one is required: without an
/// admin token, tenants with no token of their own would be readable by anyone).
#[derive(Clone, PartialEq, Eq)]
pub enum AdminToken {
    /// The token itself ([`ENV_READ_TOKEN`]).
    Value(String),
    /// A Secrets Manager secret holding it ([`ENV_READ_TOKEN_ARN`]), fetched at cold start.
    Secret(String),
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(_) => f.write_str("Value(<redacted>)"),
            Self::Secret(id) => f.debug_tuple("Secret").field(id).finish(),
        }
    }
}

impl AdminToken {
    /// Reads it through `var`: one of the two variables, not both.
    pub fn read(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        match (
            optional(var, ENV_READ_TOKEN),
            optional(var, ENV_READ_TOKEN_ARN),
        ) {
            (Some(token), None) => Ok(Self::Value(token)),
            (None, Some(id)) => Ok(Self::Secret(id)),
            (Some(_), Some(_)) => Err(EnvError {
                name: ENV_READ_TOKEN,
                reason: format!("set it or {ENV_READ_TOKEN_ARN}, not both"),
            }),
            (None, None) => Err(EnvError {
                name: ENV_READ_TOKEN_ARN,
                reason: format!(
                    "is required (or {ENV_READ_TOKEN}): the read API needs an admin token"
                ),
            }),
        }
    }
}

impl CommonEnv {
    /// Reads the shared settings through `var` (`std::env::var` in production).
    pub fn read(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        Ok(Self {
            table_name: required(var, ENV_TABLE_NAME)?,
            due_shards: shards(var)?,
            tenants_file: PathBuf::from(required(var, ENV_TENANTS_FILE)?),
            policy_file: optional(var, ENV_POLICY_FILE).map(PathBuf::from),
        })
    }
}

impl SweepEnv {
    /// Reads the sweep's settings through `var`.
    pub fn read(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        Ok(Self {
            event_bus: required(var, ENV_EVENT_BUS)?,
            event_source: optional(var, ENV_EVENT_SOURCE)
                .unwrap_or_else(|| DEFAULT_EVENT_SOURCE.to_string()),
            max_publish_attempts: max_publish_attempts(var)?,
        })
    }
}

/// `std::env::var` as the readers above take it.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn optional(var: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    var(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn required(var: &dyn Fn(&str) -> Option<String>, name: &'static str) -> Result<String, EnvError> {
    optional(var, name).ok_or(EnvError {
        name,
        reason: "is required but not set".into(),
    })
}

fn shards(var: &dyn Fn(&str) -> Option<String>) -> Result<u32, EnvError> {
    let Some(text) = optional(var, ENV_DUE_SHARDS) else {
        return Ok(DEFAULT_DUE_SHARDS);
    };
    match text.parse::<u32>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(EnvError {
            name: ENV_DUE_SHARDS,
            reason: format!("{text:?} is not a whole number from 1 to 256"),
        }),
    }
}

fn max_publish_attempts(var: &dyn Fn(&str) -> Option<String>) -> Result<u32, EnvError> {
    let Some(text) = optional(var, ENV_MAX_PUBLISH_ATTEMPTS) else {
        return Ok(DEFAULT_MAX_PUBLISH_ATTEMPTS);
    };
    match text.parse::<u32>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(EnvError {
            name: ENV_MAX_PUBLISH_ATTEMPTS,
            reason: format!("{text:?} is not a whole number from 1 to 1000"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn reads_required_and_defaults() {
        let e = env(&[
            ("SLA_TABLE_NAME", "t"),
            ("SLA_TENANTS_FILE", "/var/task/tenants.yaml"),
        ]);
        let common = CommonEnv::read(&e).unwrap();
        assert_eq!(common.table_name, "t");
        assert_eq!(common.due_shards, 16);
        assert_eq!(common.policy_file, None);
    }

    #[test]
    fn names_the_missing_variable() {
        let e = env(&[("SLA_TABLE_NAME", "t")]);
        let err = CommonEnv::read(&e).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable SLA_TENANTS_FILE: is required but not set"
        );
        let err = SweepEnv::read(&env(&[])).unwrap_err();
        assert!(err.to_string().contains("SLA_EVENT_BUS_NAME"));
    }

    #[test]
    fn publish_attempts_default_to_20_and_are_bounded() {
        let sweep = SweepEnv::read(&env(&[("SLA_EVENT_BUS_NAME", "b")])).unwrap();
        assert_eq!(sweep.max_publish_attempts, 20);
        let e = env(&[
            ("SLA_EVENT_BUS_NAME", "b"),
            ("SLA_MAX_PUBLISH_ATTEMPTS", "5"),
        ]);
        assert_eq!(SweepEnv::read(&e).unwrap().max_publish_attempts, 5);
        let e = env(&[
            ("SLA_EVENT_BUS_NAME", "b"),
            ("SLA_MAX_PUBLISH_ATTEMPTS", "0"),
        ]);
        let err = SweepEnv::read(&e).unwrap_err().to_string();
        assert!(err.contains("SLA_MAX_PUBLISH_ATTEMPTS"), "{err}");
    }

    #[test]
    fn admin_token_is_one_of_two_variables() {
        let value = AdminToken::read(&env(&[("SLA_READ_TOKEN", " s3cret ")])).unwrap();
        assert_eq!(value, AdminToken::Value("s3cret".into()));
        assert_eq!(format!("{value:?}"), "Value(<redacted>)");
        let arn = AdminToken::read(&env(&[("SLA_READ_TOKEN_ARN", "sla-tracker-read/admin")]));
        assert_eq!(
            arn.unwrap(),
            AdminToken::Secret("sla-tracker-read/admin".into())
        );
        let none = AdminToken::read(&env(&[("SLA_READ_TOKEN", "  ")])).unwrap_err();
        assert!(
            none.to_string()
                .starts_with("environment variable SLA_READ_TOKEN_ARN: is required"),
            "{none}"
        );
        let both = env(&[("SLA_READ_TOKEN", "a"), ("SLA_READ_TOKEN_ARN", "b")]);
        let err = AdminToken::read(&both).unwrap_err().to_string();
        assert!(err.contains("not both"), "{err}");
    }

    #[test]
    fn rejects_bad_shard_counts() {
        for bad in ["0", "300", "x", "-1"] {
            let e = env(&[
                ("SLA_TABLE_NAME", "t"),
                ("SLA_TENANTS_FILE", "f"),
                ("SLA_DUE_SHARDS", bad),
            ]);
            let err = CommonEnv::read(&e).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("environment variable SLA_DUE_SHARDS: "),
                "{err}"
            );
        }
    }
}
