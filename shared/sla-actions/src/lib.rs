//! Autopilot: what a team declares under `actions:` in its policy file, and the actions an
//! SLA event triggers, each with a deterministic id so a redelivered SLA event never acts
//! twice. Pure: executing an action (HTTP calls) belongs to `sla-actions-http`.

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod step;

pub use step::{ActionStep, Assignee, PlannedAction};
