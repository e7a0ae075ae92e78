//! The entry point: carry out one planned action for a tenant, once or with retries.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sla_actions::{ActionStep, PlannedAction};
use sla_helpdesk::{Channel, TenantActionsConfig, Vendor};

use crate::chat;
use crate::metrics::{ActionMetric, StepKind};
use crate::outcome::{classify, Outcome};
use crate::retry::{with_retries, RetryPolicy, Sleeper};
use crate::transport::HttpTransport;
use crate::vendors::{self, Ctx, Step, TokenCache};

/// An executed action: how it ended, and its metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The last attempt's outcome.
    pub outcome: Outcome,
    /// Attempts made.
    pub attempts: u32,
    /// What hosts count.
    pub metric: ActionMetric,
}

/// Carries out planned actions over an [`HttpTransport`]. Clones share the OAuth token
/// cache (Help Scout client credentials).
#[derive(Debug, Clone)]
pub struct Executor<T> {
    transport: T,
    clock: fn() -> DateTime<Utc>,
    tokens: Arc<TokenCache>,
}

impl<T: HttpTransport> Executor<T> {
    /// An executor on `transport`, reading the system clock.
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            clock: Utc::now,
            tokens: Arc::default(),
        }
    }

    /// Replaces the clock (for `Retry-After` dates, note timestamps, signatures).
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> Self {
        self.clock = clock;
        self
    }

    /// One attempt at `action` with `config`, its tenant's credentials and channels.
    pub async fn execute(&self, action: &PlannedAction, config: &TenantActionsConfig) -> Outcome {
        let now = (self.clock)();
        let step = match &action.step {
            ActionStep::Notify { channel, text } => {
                self.notify(action, config, channel, text, now).await
            }
            step => self.ticket_step(action, config, step, now).await,
        };
        step.err().unwrap_or(Outcome::Done)
    }

    /// [`Self::execute`] retried per `policy`, sleeping through `sleeper`.
    pub async fn execute_with_retries(
        &self,
        action: &PlannedAction,
        config: &TenantActionsConfig,
        policy: &RetryPolicy,
        sleeper: &impl Sleeper,
    ) -> Report {
        let attempted = with_retries(policy, sleeper, || self.execute(action, config)).await;
        let metric = ActionMetric {
            target: target(action, config),
            step: StepKind::of(&action.step),
            outcome: attempted.outcome.kind(),
            attempts: attempted.attempts,
        };
        Report {
            outcome: attempted.outcome,
            attempts: attempted.attempts,
            metric,
        }
    }

    async fn ticket_step(
        &self,
        action: &PlannedAction,
        config: &TenantActionsConfig,
        step: &ActionStep,
        now: DateTime<Utc>,
    ) -> Step {
        let vendor = ticket_vendor(action)?;
        let api = config.api.get(&vendor).ok_or_else(|| {
            Outcome::config(format!(
                "tenant {} has no api: block for {vendor} in the tenants file",
                action.tenant
            ))
        })?;
        let ctx = Ctx {
            transport: &self.transport,
            api,
            now,
            tokens: &self.tokens,
        };
        let ticket = action.ticket_id.as_str();
        match vendor {
            Vendor::Zendesk => vendors::zendesk::run(&ctx, ticket, step).await,
            Vendor::Freshdesk => vendors::freshdesk::run(&ctx, ticket, step).await,
            Vendor::Jira => vendors::jira::run(&ctx, ticket, step).await,
            Vendor::Intercom => vendors::intercom::run(&ctx, ticket, step).await,
            Vendor::HelpScout => vendors::helpscout::run(&ctx, ticket, step).await,
            Vendor::Front => vendors::front::run(&ctx, ticket, step).await,
            Vendor::Hubspot => vendors::hubspot::run(&ctx, ticket, step).await,
            Vendor::Canonical => vendors::unsupported("canonical", "act on a ticket"),
        }
    }

    async fn notify(
        &self,
        action: &PlannedAction,
        config: &TenantActionsConfig,
        name: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Step {
        let channel = config.channels.get(name).ok_or_else(|| {
            Outcome::config(format!(
                "tenant {} has no channel {name:?} in the tenants file",
                action.tenant
            ))
        })?;
        let request = chat::request(channel, action, name, text, now.timestamp());
        let label = request.label.clone();
        match self.transport.send(request).await {
            Ok(response) => classify(&label, response, now).map(drop),
            Err(error) => Err(Outcome::Retry {
                after: None,
                reason: error.0,
            }),
        }
    }
}

/// The helpdesk a ticket step calls: the action's vendor.
fn ticket_vendor(action: &PlannedAction) -> Result<Vendor, Outcome> {
    let name = action
        .vendor
        .as_deref()
        .ok_or_else(|| Outcome::Unsupported {
            reason: "the ticket's helpdesk is unknown (no vendor on its events)".to_string(),
        })?;
    name.parse::<Vendor>()
        .map_err(|e| Outcome::config(e.to_string()))
}

/// The metric target: the helpdesk, or the chat kind for notify; `none` when unknown.
pub fn target(action: &PlannedAction, config: &TenantActionsConfig) -> &'static str {
    match &action.step {
        ActionStep::Notify { channel, .. } => match config.channels.get(channel) {
            Some(Channel::Slack { .. }) => "slack",
            Some(Channel::Teams { .. }) => "teams",
            Some(Channel::Signed { .. }) => "signed",
            None => "none",
        },
        _ => ticket_vendor(action).map_or("none", Vendor::name),
    }
}
