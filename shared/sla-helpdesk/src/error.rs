//! Errors of webhook handling and of tenant configuration.

use thiserror::Error;

/// Why a webhook request was refused; each variant maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    /// Signature, shared secret or timestamp missing or wrong (401).
    #[error("unauthorized: {reason}")]
    Unauthorized {
        /// What was wrong.
        reason: String,
    },
    /// Body larger than the configured limit (413).
    #[error("payload too large: {actual} bytes, limit {limit}")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// The body's size, in bytes.
        actual: usize,
    },
    /// Not JSON, wrong shape, or a required header missing (400).
    #[error("malformed {field}: {reason}")]
    Malformed {
        /// The field or header.
        field: String,
        /// What was wrong.
        reason: String,
    },
    /// Valid JSON but a required field is missing or invalid (422).
    #[error("unprocessable {field}: {reason}")]
    Unprocessable {
        /// The field.
        field: String,
        /// What was wrong.
        reason: String,
    },
    /// Genuine, but for another helpdesk account than the tenant's `account:` (403).
    #[error("forbidden {field}: {reason}")]
    Forbidden {
        /// The field naming the account.
        field: String,
        /// What was wrong.
        reason: String,
    },
    /// More events in one request than the limit (413).
    #[error("too many events: {actual}, limit {limit} per request")]
    TooManyEvents {
        /// The limit per request.
        limit: usize,
        /// Events in the request.
        actual: usize,
    },
}

impl WebhookError {
    /// The HTTP status to answer with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Unauthorized { .. } => 401,
            Self::TooLarge { .. } => 413,
            Self::Malformed { .. } => 400,
            Self::Unprocessable { .. } => 422,
            Self::Forbidden { .. } => 403,
            Self::TooManyEvents { .. } => 413,
        }
    }

    pub(crate) fn unauthorized(reason: impl Into<String>) -> Self {
        Self::Unauthorized {
            reason: reason.into(),
        }
    }

    pub(crate) fn malformed(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Malformed {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unprocessable(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Unprocessable {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn forbidden(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Forbidden {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// This error reported under `field` (a payload path the helper did not know).
    pub(crate) fn for_field(self, field: &str) -> Self {
        match self {
            Self::Unprocessable { reason, .. } => Self::unprocessable(field, reason),
            Self::Malformed { reason, .. } => Self::malformed(field, reason),
            other => other,
        }
    }

    pub(crate) fn missing(field: impl Into<String>) -> Self {
        Self::unprocessable(field, "required field is missing or empty")
    }
}

/// A tenants file that cannot be read, parsed or resolved (a start-up failure).
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The YAML does not parse or does not have the expected shape.
    #[error("{source_name}: {message}")]
    Yaml {
        /// The file or source.
        source_name: String,
        /// The parser's message.
        message: String,
    },
    /// A value is present but not acceptable.
    #[error("{source_name}: {field}: {reason}")]
    Invalid {
        /// The file or source.
        source_name: String,
        /// The field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A configured secret could not be read.
    #[error("{field}: cannot read secret {secret}: {reason}")]
    Secret {
        /// The field naming the secret.
        field: String,
        /// The secret's reference (never its value).
        secret: String,
        /// Why it could not be read.
        reason: String,
    },
}
