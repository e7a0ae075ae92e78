//! The admin token: with `SLA_READ_TOKEN` set, `/metrics` and `/_test/clock` need
//! `Authorization: Bearer <token>`. The read API (`/tenants/...`, `/tickets/...`) checks
//! it and each tenant's own token itself ([`sla_app::reads`]); `/healthz`, the dashboard
//! page and the webhook routes (which verify each vendor's signature) stay open.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::json::json_error;

/// The environment variable holding the read token.
pub const TOKEN_ENV: &str = "SLA_READ_TOKEN";

/// The expected bearer token, compared with [`sla_app::reads::auth::token_matches`] (the
/// read API's comparison: constant time whatever the length or content presented).
#[derive(Clone)]
pub struct ReadToken {
    token: String,
}

/// The admin token from `SLA_READ_TOKEN`: `None` when unset; an error when set but blank.
pub fn admin_token_from_env() -> anyhow::Result<Option<String>> {
    match std::env::var(TOKEN_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("{TOKEN_ENV} is not valid UTF-8")
        }
        Ok(token) if token.trim().is_empty() => {
            anyhow::bail!("{TOKEN_ENV} is set but empty; unset it or give a token")
        }
        Ok(token) => Ok(Some(token)),
    }
}

impl ReadToken {
    /// The expected token.
    pub fn new(token: &str) -> Self {
        Self {
            token: token.to_owned(),
        }
    }

    /// True when `presented` is the token (constant time).
    fn accepts(&self, presented: &str) -> bool {
        sla_app::reads::auth::token_matches(self.token.as_bytes(), presented.as_bytes())
    }
}

/// Refuses to serve the read routes to anyone who reaches a non-loopback address, unless
/// they need a token or the operator chose `--public-read`.
pub fn check_exposure(
    listen: SocketAddr,
    token: Option<&ReadToken>,
    public_read: bool,
) -> anyhow::Result<()> {
    if listen.ip().is_loopback() || token.is_some() || public_read {
        return Ok(());
    }
    anyhow::bail!(
        "--listen {listen} is not a loopback address: set {TOKEN_ENV} so that /tickets, /tenants and /metrics need a bearer token, or pass --public-read to serve them to anyone"
    )
}

/// Middleware for the admin routes: 401 without the right bearer token.
pub async fn require(
    State(token): State<Arc<ReadToken>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = sla_app::webhook::header_pairs(request.headers());
    let presented = sla_app::reads::auth::bearer(&headers);
    if presented.is_some_and(|p| token.accepts(p)) {
        return next.run(request).await;
    }
    let mut response = json_error(
        401,
        "this route needs Authorization: Bearer <token> (the server's SLA_READ_TOKEN)",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Bearer"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_is_accepted() {
        let token = ReadToken::new("s3cret-token");
        assert!(token.accepts("s3cret-token"));
        assert!(!token.accepts("s3cret-toke"));
        assert!(!token.accepts("s3cret-token "));
        assert!(!token.accepts(""));
    }

    #[test]
    fn non_loopback_listening_needs_a_token_or_public_read() {
        let public: SocketAddr = "0.0.0.0:8080".parse().expect("address");
        let local: SocketAddr = "127.0.0.1:8080".parse().expect("address");
        let token = ReadToken::new("t");
        assert!(check_exposure(local, None, false).is_ok());
        assert!(check_exposure(public, Some(&token), false).is_ok());
        assert!(check_exposure(public, None, true).is_ok());
        let err = check_exposure(public, None, false).expect_err("refused");
        assert!(err.to_string().contains(TOKEN_ENV), "{err}");
    }
}
