//! Application services shared by every entry point (the Lambda functions, `sla serve`,
//! tests): `ingest` webhook events, `sweep` due timers, tenants and policies.

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod autopilot;
pub mod clock;
pub mod dead_letters;
pub mod deliveries;
pub mod ingest;
pub mod policies;
pub mod read_index;
pub mod reads;
pub mod record;
pub mod retry;
pub mod sweep;
pub mod tenants;
pub mod webhook;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ingest::{ingest, IngestError, IngestSettings, TicketIngested, IGNORED_TOO_OLD};
pub use policies::TenantPolicies;
pub use retry::{PublishRetry, DEFAULT_MAX_PUBLISH_ATTEMPTS};
pub use sweep::{
    oldest_lag, sweep, sweep_window, Lookahead, Pause, Sleep, SweepError, SweepReport,
    SweepSettings, Window,
};
pub use tenants::{Tenants, TenantsError};
pub use webhook::{HttpReply, HttpRequest, Route, WebhookService};
