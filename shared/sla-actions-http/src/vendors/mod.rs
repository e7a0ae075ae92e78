//! One module per helpdesk: pure request builders (unit-tested without a network) and
//! the short call sequence each step needs (read first where the API replaces a set).

pub(crate) mod freshdesk;
pub(crate) mod front;
pub(crate) mod helpscout;
pub(crate) mod hubspot;
pub(crate) mod intercom;
pub(crate) mod jira;
pub(crate) mod zendesk;

use std::collections::BTreeMap;
use std::sync::Mutex;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sla_helpdesk::ApiCredentials;

use crate::outcome::{classify, Outcome};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport};

/// The end of a step's call sequence: `Err` carries any outcome but [`Outcome::Done`].
pub(crate) type Step = Result<(), Outcome>;

/// What a step's calls share.
pub(crate) struct Ctx<'a, T> {
    pub transport: &'a T,
    pub api: &'a ApiCredentials,
    pub now: DateTime<Utc>,
    pub tokens: &'a TokenCache,
}

/// OAuth access tokens obtained with client credentials, until they expire.
#[derive(Debug, Default)]
pub(crate) struct TokenCache(Mutex<BTreeMap<String, (String, DateTime<Utc>)>>);

impl TokenCache {
    /// The token cached under `key`, if it is still valid at `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<String> {
        let tokens = self.0.lock().ok()?;
        let (token, expires) = tokens.get(key)?;
        (*expires > now).then(|| token.clone())
    }

    /// Keeps `token` under `key` until `expires`.
    pub fn put(&self, key: String, token: String, expires: DateTime<Utc>) {
        if let Ok(mut tokens) = self.0.lock() {
            tokens.insert(key, (token, expires));
        }
    }

    /// Drops the token under `key` (the API refused it).
    pub fn forget(&self, key: &str) {
        if let Ok(mut tokens) = self.0.lock() {
            tokens.remove(key);
        }
    }
}

impl<T: HttpTransport> Ctx<'_, T> {
    /// Sends `request`; a non-2xx answer or a transport error becomes the outcome it means.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Outcome> {
        let label = request.label.clone();
        match self.transport.send(request).await {
            Ok(response) => classify(&label, response, self.now),
            Err(error) => Err(Outcome::Retry {
                after: None,
                reason: error.0,
            }),
        }
    }
}

/// `Authorization: Basic base64(user:password)`.
pub(crate) fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// `Authorization: Bearer <token>`.
pub(crate) fn bearer(api: &ApiCredentials) -> String {
    format!("Bearer {}", api.token.expose_str())
}

/// A ticket or object id safe in a URL path: 1-128 of `A-Z a-z 0-9 _ . -`, not dots only.
pub(crate) fn path_id<'s>(what: &str, id: &'s str) -> Result<&'s str, Outcome> {
    let safe = (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !id.bytes().all(|b| b == b'.');
    if safe {
        Ok(id)
    } else {
        Err(Outcome::config(format!(
            "{what} {id:?} is not a valid id (letters, digits, _ . - only)"
        )))
    }
}

/// A numeric id (Zendesk, Freshdesk, Help Scout ids).
pub(crate) fn numeric_id(what: &str, id: &str) -> Result<u64, Outcome> {
    id.trim()
        .parse()
        .map_err(|_| Outcome::config(format!("{what} {id:?} must be a numeric id")))
}

/// Text as HTML (for APIs whose note bodies are HTML): escaped, line breaks kept.
pub(crate) use sla_html::text_with_breaks as html;

/// The step the vendor cannot do.
pub(crate) fn unsupported(vendor: &str, what: &str) -> Step {
    Err(Outcome::Unsupported {
        reason: format!("{vendor} cannot {what} through its API"),
    })
}

/// The strings of a JSON array (missing or not an array: empty).
pub(crate) fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_path_characters_are_refused() {
        assert!(path_id("ticket", "ABC-12").is_ok());
        assert!(path_id("ticket", "../admin").is_err());
        assert!(path_id("ticket", "..").is_err());
        assert!(path_id("ticket", "1?x=2").is_err());
        assert!(numeric_id("ticket", "12a").is_err());
    }

    #[test]
    fn html_escapes_and_keeps_line_breaks() {
        assert_eq!(
            html("a<b> & \"c\"\nd"),
            "a&lt;b&gt; &amp; &quot;c&quot;<br>d"
        );
    }

    #[test]
    fn basic_auth_is_base64_of_user_colon_password() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
