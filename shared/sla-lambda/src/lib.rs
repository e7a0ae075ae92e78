//! Lambda glue shared by the five functions: requests and responses, configuration at
//! cold start, secrets, metrics. Each function's `main` is a few lines over this crate.

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod actions;
pub mod config;
pub mod emf;
pub mod env;
pub mod http;
pub mod init;
pub mod read;
pub mod secrets;
pub mod sweep;
pub mod webhook;

pub use actions::ActionsFunction;
pub use read::ReadFunction;
pub use sweep::SweepFunction;
pub use webhook::WebhookFunction;
