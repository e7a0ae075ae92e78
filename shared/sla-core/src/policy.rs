//! Policy files. CONTRACT SKELETON.

/// A compiled, validated policy file.
#[derive(Debug, Clone)]
pub struct PolicySet {
    _private: (),
}

/// Why a policy file was rejected.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

impl PolicySet {
    /// Parses and validates a YAML policy file; `source` names it in errors.
    pub fn from_yaml(_source: &str, _yaml: &str) -> Result<PolicySet, PolicyError> {
        todo!()
    }
}
