//! Helpdesk webhook adapters: verify each vendor's signature on the raw body, then parse
//! its payload into canonical [`sla_core::event::TicketEvent`]s.
//!
//! ```
//! use sla_helpdesk::{verify_and_parse, Secret, Vendor, VendorConfig, WebhookRequest};
//!
//! let config = VendorConfig::new(Secret::new("s3cret"));
//! let request = WebhookRequest { method: "POST", uri: "/", headers: &[], body: b"{}" };
//! let error = verify_and_parse(Vendor::Canonical, "acme", &config, &request, chrono::Utc::now())
//!     .unwrap_err();
//! assert_eq!(error.http_status(), 401); // no X-Sla-Signature header
//! ```

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: a request is refused, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod assemble;
mod config;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod json;
mod request;
mod signature;
mod template;
mod tenant_api;
mod tenants;
mod time;
mod validate;
mod vendor;
mod vendors;
mod webhook;

pub use config::{
    Limits, Mapping, Secret, SegmentFrom, VendorConfig, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_EVENTS_PER_REQUEST, DEFAULT_TIMESTAMP_TOLERANCE, MAX_TIMESTAMP_TOLERANCE,
};
pub use error::{ConfigError, WebhookError};
pub use request::WebhookRequest;
pub use tenant_api::{
    api_shape, ApiCredentials, ApiEntry, ApiShape, Channel, ChannelEntry, TenantActionsConfig,
};
pub use tenants::{
    each_once, is_valid_tenant_name, resolve_tenant_actions, resolve_tenants, ResolvedTenants,
    SecretResolver, SecretSource, SecretUnavailable, TenantConfig, TenantsFile, VendorEntry,
    MAX_TENANT_NAME_LEN,
};
pub use time::{in_range as instant_in_range, EARLIEST_INSTANT, LATEST_INSTANT};
pub use validate::{MAX_STRING_BYTES, MAX_TAGS, MAX_TAG_BYTES, MAX_TICKET_ID_BYTES};
pub use vendor::{UnknownVendor, Vendor};
pub use webhook::{parse_unverified, verify_and_parse};
