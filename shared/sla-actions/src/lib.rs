//! Autopilot: what a team declares under `actions:` in its policy file, and the actions an
//! SLA event triggers, each with a deterministic id so a redelivered SLA event never acts
//! twice. Pure: executing an action (HTTP calls) belongs to `sla-actions-http`.
//!
//! The YAML model (`on:`, `do:`, templates) is plain data in
//! [`sla_core::policy::actions`], checked while the policy file is read; this crate finds
//! the rules an event triggers ([`rules`]), renders templates ([`template`]), plans
//! ([`plan`]), knows what each helpdesk's API can do ([`capability`]) and checks a policy
//! file against a tenants file ([`check`]).

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod capability;
pub mod check;
pub mod plan;
pub mod rules;
pub mod step;
pub mod template;

pub use plan::Planner;
pub use step::{ActionStep, Assignee, PlannedAction};
