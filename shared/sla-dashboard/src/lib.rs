//! The team lead's live SLA dashboard: one HTML page per tenant and the hand-written
//! JavaScript, CSS and icon it loads, embedded in the binary (no CDN, no build step).
//!
//! Pure: hosts (`sla serve`, the `read-api` Lambda) answer `GET /dashboard/{tenant}` with
//! [`page`] and `GET /dashboard/assets/{name}` with [`asset`], under
//! [`CONTENT_SECURITY_POLICY`]. The page reads the JSON read routes
//! (`/tenants/{tenant}/queue`, `/summary`, `/tickets/{id}`) with the bearer token the lead
//! types into its sign-in form; the token stays in the tab's `sessionStorage`.

#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use sla_html::escape;

/// The page template; `{{tenant}}` marks where the (escaped) tenant goes.
const PAGE: &str = include_str!("../assets/page.html");

/// The `Content-Security-Policy` the page is written for: nothing but its own server, no
/// inline script or style, not framable.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/// One embedded file the page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// The `Content-Type` to answer with.
    pub content_type: &'static str,
    /// The file's bytes.
    pub body: &'static [u8],
}

/// Every asset, by the name the page uses (`assets/{name}`, relative to the page).
const ASSETS: [(&str, Asset); 3] = [
    (
        "app.js",
        Asset {
            content_type: "text/javascript; charset=utf-8",
            body: include_bytes!("../assets/app.js"),
        },
    ),
    (
        "app.css",
        Asset {
            content_type: "text/css; charset=utf-8",
            body: include_bytes!("../assets/app.css"),
        },
    ),
    (
        "icon.svg",
        Asset {
            content_type: "image/svg+xml",
            body: include_bytes!("../assets/icon.svg"),
        },
    ),
];

/// The dashboard page of `tenant` (HTML; the tenant is escaped wherever it appears).
pub fn page(tenant: &str) -> String {
    PAGE.replace("{{tenant}}", &escape(tenant))
}

/// The asset called `name` (`app.js`, `app.css`, `icon.svg`), or None.
pub fn asset(name: &str) -> Option<Asset> {
    ASSETS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, asset)| *asset)
}

#[cfg(test)]
mod tests;
