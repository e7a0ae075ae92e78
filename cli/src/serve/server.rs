//! The accept loop of `sla serve`: at most `max_connections` connections at once (the
//! next ones are answered 503 and closed), each watched by [`connection::serve`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

use super::connection::{self, Timeouts};
use super::json::json_error;
use super::metrics::Metrics;

/// Connections over the limit answered 503 at the same time; beyond, they are just closed.
const REFUSALS_AT_ONCE: usize = 64;
/// How long a refused connection may take to send its request head.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(2);
/// Pause after a failed `accept` (e.g. out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Connection limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub timeouts: Timeouts,
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests in
/// flight finish and returns once every connection is closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let (closing, closing_seen) = watch::channel(false);
    let acceptor = Acceptor {
        slots: Arc::new(Semaphore::new(limits.max_connections)),
        refusals: Arc::new(Semaphore::new(REFUSALS_AT_ONCE)),
        router,
        limits,
        metrics,
        closing: closing_seen,
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => acceptor.dispatch(stream),
                Err(err) => {
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }
    drop(listener);
    let _ = closing.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = acceptor.slots.acquire_many(all).await;
}

/// Hands each accepted connection to a task, within the limits.
struct Acceptor {
    slots: Arc<Semaphore>,
    refusals: Arc<Semaphore>,
    router: Router,
    limits: Limits,
    metrics: Arc<Metrics>,
    closing: watch::Receiver<bool>,
}

impl Acceptor {
    /// Serves `stream` if a slot is free; else answers it 503 (or, past
    /// [`REFUSALS_AT_ONCE`], closes it).
    fn dispatch(&self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let closing = self.closing.clone();
        if let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() {
            let (router, metrics) = (self.router.clone(), Arc::clone(&self.metrics));
            let timeouts = self.limits.timeouts;
            tokio::spawn(async move {
                let expiry = connection::serve(stream, router, timeouts, closing, slot).await;
                if let Some(expiry) = expiry {
                    metrics.record_connection_expired(expiry);
                }
            });
            return;
        }
        self.metrics.record_connection_refused();
        let Ok(slot) = Arc::clone(&self.refusals).try_acquire_owned() else {
            tracing::debug!("connection limit reached, too many refusals in progress; closing");
            return;
        };
        tracing::debug!(
            limit = self.limits.max_connections,
            "connection limit reached; answering 503"
        );
        let timeouts = Timeouts {
            header: REFUSAL_TIMEOUT,
            idle: REFUSAL_TIMEOUT,
        };
        let router = refusal_router(self.limits.max_connections);
        tokio::spawn(connection::serve(stream, router, timeouts, closing, slot));
    }
}

/// Answers every request with 503 and closes the connection.
fn refusal_router(limit: usize) -> Router {
    Router::new().fallback(move || async move {
        let mut response = json_error(
            503,
            format!("too many connections (limit {limit}); retry later"),
        );
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        response
    })
}
