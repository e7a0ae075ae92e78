//! The HTTP request as received, before anything is trusted.

use crate::error::WebhookError;

/// A webhook request: what the signature covers, byte for byte.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    /// HTTP method, e.g. `POST` (HubSpot v3 signs it).
    pub method: &'a str,
    /// Full URL as received, e.g. `https://sla.example.com/webhooks/acme/hubspot?x=1` (HubSpot v3 signs it).
    pub uri: &'a str,
    /// Header names and values; names are matched case-insensitively.
    pub headers: &'a [(String, String)],
    /// The raw body.
    pub body: &'a [u8],
}

impl<'a> WebhookRequest<'a> {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim())
    }

    /// A header that must be present and non-empty (missing: 401, since they carry credentials).
    pub(crate) fn auth_header(&self, name: &str) -> Result<&'a str, WebhookError> {
        match self.header(name) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(WebhookError::unauthorized(format!(
                "header {name} is missing"
            ))),
        }
    }
}
