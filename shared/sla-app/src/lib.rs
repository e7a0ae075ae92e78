//! Application services shared by every entry point (the Lambda functions, `sla serve`,
//! tests): `ingest` webhook events, `sweep` due timers, configuration.

pub mod clock;
pub mod config;
pub mod ingest;
pub mod policies;
pub mod record;
pub mod retry;
pub mod sweep;
pub mod tenants;
pub mod webhook;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ingest::{ingest, IngestError, IngestSettings, TicketIngested};
pub use policies::TenantPolicies;
pub use sweep::{sweep, SweepError, SweepReport, SweepSettings};
pub use tenants::{Tenants, TenantsError};
pub use webhook::{HttpReply, HttpRequest, Route, WebhookService};
