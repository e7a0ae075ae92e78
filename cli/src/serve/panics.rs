//! Defence in depth: a panic while handling one request answers that request 500 (JSON)
//! and leaves the server running. Needs `panic = "unwind"` (the release profile's setting).

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::json::json_response;
use super::metrics::Metrics;

/// Middleware: runs the rest of the stack, turning a panic into a 500 answer.
pub async fn catch(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    match caught(next.run(request)).await {
        Ok(response) => response,
        Err(message) => {
            metrics.record_panic();
            let id = sla_app::webhook::request_id();
            tracing::error!(
                request_id = %id,
                %method,
                path,
                panic = message,
                "request handler panicked; answered 500, server still running"
            );
            json_response(500, &json!({ "error": "internal error", "request_id": id }))
        }
    }
}

/// Runs `future`; if polling it panics, the panic's message instead of its output.
pub async fn caught<F: Future>(future: F) -> Result<F::Output, String> {
    CatchUnwind {
        inner: Box::pin(future),
    }
    .await
    .map_err(|payload| panic_message(payload.as_ref()).to_string())
}

/// The text a panic was raised with, when it has one.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// A future that resolves to `Err(payload)` if polling `inner` panics.
struct CatchUnwind<F> {
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower_service::Service as _;

    use super::*;

    async fn explode() -> &'static str {
        panic!("injected panic for the test")
    }

    async fn call(router: &mut Router, path: &str) -> (u16, serde_json::Value) {
        let request = Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("valid request");
        let response = router.call(request).await.expect("infallible");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_the_next_request_is_served() {
        let metrics = Arc::new(Metrics::default());
        let mut router = Router::new()
            .route("/boom", get(explode))
            .route("/ok", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&metrics),
                catch,
            ));
        let (status, body) = call(&mut router, "/boom").await;
        assert_eq!(status, 500);
        assert_eq!(body["error"], "internal error");
        assert!(body["request_id"].as_str().is_some_and(|id| !id.is_empty()));
        let request = Request::builder().uri("/ok").body(Body::empty());
        let response = router.call(request.expect("valid")).await.expect("ok");
        assert_eq!(response.status().as_u16(), 200);
        assert!(metrics.render().contains("sla_request_panics_total 1"));
    }
}
