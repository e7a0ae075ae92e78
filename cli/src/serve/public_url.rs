//! The URL a webhook sender addressed (HubSpot signs it), rebuilt from `--public-url`,
//! or from `X-Forwarded-Proto`/`X-Forwarded-Host` with `--trust-forwarded`, or else
//! from the `Host` header as `http://`.

use axum::http::{header, HeaderMap, Uri};

/// How to rebuild the sender's URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicUrl {
    /// `--public-url`: scheme, host and optional path prefix, without a trailing `/`.
    pub base: Option<String>,
    /// `--trust-forwarded`: believe the proxy's `X-Forwarded-*` headers.
    pub trust_forwarded: bool,
}

impl PublicUrl {
    /// The full URL of a request for `uri` with `headers`.
    pub fn rebuild(&self, headers: &HeaderMap, uri: &Uri) -> String {
        let path = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
        if let Some(base) = &self.base {
            return format!("{base}{path}");
        }
        let host = self
            .forwarded(headers, "x-forwarded-host")
            .or_else(|| header_value(headers, header::HOST.as_str()))
            .unwrap_or("localhost");
        let scheme = self
            .forwarded(headers, "x-forwarded-proto")
            .filter(|p| p.eq_ignore_ascii_case("https") || p.eq_ignore_ascii_case("http"))
            .map_or("http".to_string(), str::to_ascii_lowercase);
        format!("{scheme}://{host}{path}")
    }

    /// The first (client-side) value of a forwarded header, when trusted.
    fn forwarded<'a>(&self, headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        if !self.trust_forwarded {
            return None;
        }
        let first = header_value(headers, name)?.split(',').next()?.trim();
        (!first.is_empty()).then_some(first)
    }
}

fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Parses `--public-url`: `http(s)://host[:port][/prefix]`, no query or fragment.
pub fn parse_base(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let uri: Uri = text
        .parse()
        .map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.host().is_none() {
        return Err(format!(
            "{text:?}: give the scheme and host, e.g. https://sla.example.com"
        ));
    }
    if uri.query().is_some() || text.contains('#') {
        return Err(format!(
            "{text:?}: no query or fragment, only a path prefix"
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    const PROXIED: &[(&str, &str)] = &[
        ("host", "10.0.0.5:8080"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "sla.example.com, inner.proxy"),
    ];

    fn uri() -> Uri {
        "/webhooks/acme/hubspot?x=1".parse().expect("uri")
    }

    #[test]
    fn without_settings_the_host_header_and_http_are_used() {
        let url = PublicUrl::default().rebuild(&headers(PROXIED), &uri());
        assert_eq!(url, "http://10.0.0.5:8080/webhooks/acme/hubspot?x=1");
    }

    #[test]
    fn forwarded_headers_count_only_when_trusted() {
        let trusted = PublicUrl {
            base: None,
            trust_forwarded: true,
        };
        assert_eq!(
            trusted.rebuild(&headers(PROXIED), &uri()),
            "https://sla.example.com/webhooks/acme/hubspot?x=1"
        );
    }

    #[test]
    fn the_public_url_wins_and_keeps_its_prefix() {
        let base = parse_base("https://hooks.example.com/sla/").expect("valid");
        let public = PublicUrl {
            base: Some(base),
            trust_forwarded: true,
        };
        assert_eq!(
            public.rebuild(&headers(PROXIED), &uri()),
            "https://hooks.example.com/sla/webhooks/acme/hubspot?x=1"
        );
    }

    #[test]
    fn public_urls_need_a_scheme_and_a_host() {
        assert!(parse_base("sla.example.com").is_err());
        assert!(parse_base("ftp://sla.example.com").is_err());
        assert!(parse_base("https://sla.example.com?a=b").is_err());
        assert!(parse_base("https://sla.example.com:8443").is_ok());
    }
}
