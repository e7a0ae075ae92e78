//! Reading fields out of a vendor payload, with errors that name the field path.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::WebhookError;
use crate::time;

/// Parses the body as JSON (400 if it is not).
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, WebhookError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(WebhookError::malformed("body", "is empty"));
    }
    serde_json::from_slice(body)
        .map_err(|e| WebhookError::malformed("body", format!("not JSON: {e}")))
}

/// Requires the body to be a JSON object (400 otherwise).
pub(crate) fn expect_object(value: &Value) -> Result<&Value, WebhookError> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(WebhookError::malformed("body", "expected a JSON object"))
    }
}

/// The value at a dotted path (`detail.id`), if present and not null.
pub(crate) fn get<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |current, key| current.get(key))
        .filter(|v| !v.is_null())
}

/// A string or number at `path` as text; empty strings count as absent.
pub(crate) fn text(value: &Value, path: &str) -> Option<String> {
    match get(value, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A required id (string or number) at `path`, as a string (422 if missing).
pub(crate) fn required_id(value: &Value, path: &str) -> Result<String, WebhookError> {
    text(value, path).ok_or_else(|| WebhookError::missing(path))
}

/// A boolean at `path`, accepting `true`/`false` strings from templates.
pub(crate) fn flag(value: &Value, path: &str) -> Option<bool> {
    match get(value, path)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// An optional instant at `path`; present but unreadable is a 422.
pub(crate) fn instant(value: &Value, path: &str) -> Result<Option<DateTime<Utc>>, WebhookError> {
    match get(value, path) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(raw) => match time::parse_checked(raw) {
            Ok(at) => Ok(Some(at)),
            Err(time::BadInstant::NotATime) => Err(WebhookError::unprocessable(
                path,
                format!("{raw} is not a time (epoch s/ms or RFC 3339)"),
            )),
            Err(time::BadInstant::OutOfRange) => Err(WebhookError::unprocessable(
                path,
                format!(
                    "{raw} is outside the supported range {} to {}",
                    time::EARLIEST_INSTANT,
                    time::LATEST_INSTANT
                ),
            )),
        },
    }
}

/// A required instant at `path`.
pub(crate) fn required_instant(value: &Value, path: &str) -> Result<DateTime<Utc>, WebhookError> {
    instant(value, path)?.ok_or_else(|| WebhookError::missing(path))
}

/// Names from a list of strings or of objects with a `key` field (`tags: [{name: ..}]`).
pub(crate) fn names(value: &Value, path: &str, key: &str) -> Option<Vec<String>> {
    let items = get(value, path)?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => text(item, key),
                _ => None,
            })
            .collect(),
    )
}

/// The lower-case host of a URL at `path` (`https://acme.freshdesk.com/a/1` → `acme.freshdesk.com`).
pub(crate) fn url_host(value: &Value, path: &str) -> Option<String> {
    let url = text(value, path)?;
    let rest = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Tags given as one space- or comma-separated string (trigger templates).
pub(crate) fn split_tags(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_strings_whatever_their_json_type() {
        let v = json!({"a": {"id": 12}, "b": {"id": "x-1"}, "c": {"id": ""}});
        assert_eq!(required_id(&v, "a.id").unwrap(), "12");
        assert_eq!(required_id(&v, "b.id").unwrap(), "x-1");
        assert_eq!(required_id(&v, "c.id").unwrap_err().http_status(), 422);
    }

    #[test]
    fn url_host_reads_the_host_only() {
        let v = json!({"a": "https://Acme.freshdesk.com:443/a/tickets/1?x", "b": "acme.atlassian.net/rest", "c": "https://"});
        assert_eq!(url_host(&v, "a").as_deref(), Some("acme.freshdesk.com"));
        assert_eq!(url_host(&v, "b").as_deref(), Some("acme.atlassian.net"));
        assert_eq!(url_host(&v, "c"), None);
    }

    #[test]
    fn names_reads_strings_and_objects() {
        let v = json!({"t": ["a", {"name": "b"}, 3]});
        assert_eq!(names(&v, "t", "name"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(split_tags("vip, new  x"), vec!["vip", "new", "x"]);
    }
}
