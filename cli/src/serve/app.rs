//! The state every handler shares (a leaf: it imports no handler module).

use std::sync::Arc;
use std::time::Duration;

use sla_app::reads::ReadService;
use sla_app::{Clock, ManualClock, WebhookService};
use sla_store::SqliteStore;

use super::auth::ReadToken;
use super::metrics::Metrics;
use super::public_url::PublicUrl;
use super::sweeper::Sweeper;

/// What every handler shares.
pub struct App {
    pub webhooks: WebhookService<SqliteStore>,
    /// The read API and the dashboard (`/tenants/...`, `/tickets/...`, `/dashboard/...`).
    pub reads: ReadService<SqliteStore>,
    pub clock: Arc<dyn Clock>,
    /// Present only with `--test-clock`.
    pub test_clock: Option<Arc<ManualClock>>,
    pub sweeper: Arc<Sweeper>,
    /// The autopilot: actions of published events, run by a task of their own.
    pub autopilot: Arc<super::autopilot::Feed>,
    pub metrics: Arc<Metrics>,
    /// Largest body read; larger requests get 413.
    pub max_body_bytes: usize,
    /// Longest time a request body may take to arrive; slower ones get 408.
    pub body_timeout: Duration,
    /// With `SLA_READ_TOKEN`: the token `/metrics` and `/_test/clock` need (the read API
    /// checks it, and the tenants' tokens, itself).
    pub read_token: Option<Arc<ReadToken>>,
    /// How webhook routes rebuild the URL the sender addressed.
    pub public_url: PublicUrl,
}
