//! What carries out one action: the trait the autopilot calls, and its HTTP form.

use std::future::Future;

use sla_actions::PlannedAction;
use sla_actions_http::{Executor, HttpTransport, Report, RetryPolicy, TokioSleeper};
use sla_helpdesk::TenantActionsConfig;

/// Carries out one action, retrying in process as it sees fit.
pub trait ActionExecutor: Send + Sync {
    /// Runs `action` with its tenant's credentials and channels.
    fn run(
        &self,
        action: &PlannedAction,
        config: &TenantActionsConfig,
    ) -> impl Future<Output = Report> + Send;
}

/// The `sla-actions-http` executor with a retry policy, sleeping on tokio.
#[derive(Debug, Clone)]
pub struct HttpExecutor<T> {
    executor: Executor<T>,
    policy: RetryPolicy,
}

impl<T: HttpTransport> HttpExecutor<T> {
    /// `executor`, retrying per `policy`.
    pub fn new(executor: Executor<T>, policy: RetryPolicy) -> Self {
        Self { executor, policy }
    }
}

impl<T: HttpTransport> ActionExecutor for HttpExecutor<T> {
    fn run(
        &self,
        action: &PlannedAction,
        config: &TenantActionsConfig,
    ) -> impl Future<Output = Report> + Send {
        self.executor
            .execute_with_retries(action, config, &self.policy, &TokioSleeper)
    }
}
