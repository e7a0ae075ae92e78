//! The router: wires each route to its handler and the middleware around them.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::{middleware, Router};

use super::app::App;
use super::{auth, body_timeout, panics, reads, test_clock, webhooks};

/// The server's routes over `app`: the read API and the dashboard (which check tokens
/// themselves), `/metrics` and `/_test/clock` behind the admin token (when set), every
/// route under the body timeout and the panic catcher.
pub fn router(app: Arc<App>) -> Router {
    let limit = app.max_body_bytes;
    let mut admin = Router::new()
        .route("/metrics", get(reads::metrics))
        .route("/_test/clock", post(test_clock::change));
    if let Some(token) = &app.read_token {
        admin = admin.route_layer(middleware::from_fn_with_state(
            Arc::clone(token),
            auth::require,
        ));
    }
    Router::new()
        .route("/webhooks/{tenant}/{vendor}", post(webhooks::receive))
        .route(
            "/webhooks/{tenant}/{vendor}/created",
            post(webhooks::receive),
        )
        .route("/healthz", get(reads::healthz))
        .route("/tenants/{*path}", any(reads::read_api))
        .route("/tickets/{*path}", any(reads::read_api))
        .route("/dashboard/{*path}", any(reads::read_api))
        .merge(admin)
        .fallback(reads::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            body_timeout::limit,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app.metrics),
            panics::catch,
        ))
        .with_state(app)
}
