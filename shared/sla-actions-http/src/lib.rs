//! Autopilot executors: carry out the actions `sla-actions` plans, in the helpdesk the
//! ticket came from (Zendesk, Freshdesk, Jira Service Management, Intercom, Help Scout,
//! Front, HubSpot) and in chat (Slack, Microsoft Teams, a signed HTTPS POST).
//!
//! ```no_run
//! # async fn run(action: sla_actions::PlannedAction, config: sla_helpdesk::TenantActionsConfig) {
//! use sla_actions_http::{Executor, HyperTransport, RetryPolicy, TokioSleeper};
//!
//! let executor = Executor::new(HyperTransport::new());
//! let report = executor
//!     .execute_with_retries(&action, &config, &RetryPolicy::default(), &TokioSleeper)
//!     .await;
//! println!("{:?} after {} attempt(s)", report.outcome, report.attempts);
//! # }
//! ```
//!
//! Every call goes through [`HttpTransport`], so tests answer with fakes. An attempt ends
//! [`Outcome::Done`], [`Outcome::Retry`] (429 honouring `Retry-After` and the vendors'
//! rate-limit headers; 409, 5xx and transport errors with backoff), [`Outcome::Failed`]
//! (any other 4xx, or configuration: never retried) or [`Outcome::Unsupported`].

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: a bad action is a failure, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod chat;
mod executor;
mod hyper_transport;
pub mod metrics;
mod outcome;
mod retry;
#[cfg(feature = "testkit")]
// Test support: a failed expectation there is a test failure, never a production path.
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub mod testkit;
mod transport;
mod vendors;

pub use executor::{target, Executor, Report};
pub use hyper_transport::{HyperTransport, REQUEST_TIMEOUT};
pub use metrics::{step_name, ActionMetric, Counters, StepKind};
pub use outcome::{classify, requested_delay, Outcome, OutcomeKind};
pub use retry::{with_retries, Attempted, RetryPolicy, Sleeper, TokioSleeper};
pub use sla_actions::capability::limitation;
pub use sla_helpdesk::{ApiCredentials, Channel, TenantActionsConfig};
pub use transport::{HttpRequest, HttpResponse, HttpTransport, Method, TransportError};
pub use vendors::hubspot::NOTE_TO_TICKET;
pub use vendors::intercom::INTERCOM_VERSION;
