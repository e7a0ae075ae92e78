//! Which policy file applies to which tenant.

use std::collections::HashMap;
use std::sync::Arc;

use sla_core::PolicySet;

/// Compiled policies by tenant, with an optional default for tenants that name none.
#[derive(Debug, Clone, Default)]
pub struct TenantPolicies {
    by_tenant: HashMap<String, Arc<PolicySet>>,
    default: Option<Arc<PolicySet>>,
}

impl TenantPolicies {
    /// Policies with `default` for every tenant not given its own.
    pub fn new(default: Option<Arc<PolicySet>>) -> Self {
        Self {
            by_tenant: HashMap::new(),
            default,
        }
    }

    /// Gives `tenant` its own policy set.
    pub fn insert(&mut self, tenant: impl Into<String>, policies: Arc<PolicySet>) {
        self.by_tenant.insert(tenant.into(), policies);
    }

    /// The policy set that applies to `tenant`, if any.
    pub fn for_tenant(&self, tenant: &str) -> Option<&Arc<PolicySet>> {
        self.by_tenant.get(tenant).or(self.default.as_ref())
    }
}
