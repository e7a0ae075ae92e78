//! One HTTP/1.1 connection of `sla serve`, watched for slow or silent clients: the
//! request head must arrive within the header timeout of its first byte, and a
//! connection with no request in flight is closed after the idle timeout.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit};
use tokio::time::Instant;

/// How long a connection may take over its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From the first byte of a request to the end of its head.
    pub header: Duration,
    /// With no request in flight and no byte received (keep-alive or before the first request).
    pub idle: Duration,
}

/// Which timeout closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The request head took longer than the header timeout.
    Header,
    /// Nothing happened for the idle timeout.
    Idle,
}

/// Serves `stream` with `router` until the client leaves, a timeout closes it (which one
/// is returned), or the server stops (`closing` turns true: the request in flight
/// finishes, then it closes).
pub async fn serve(
    stream: TcpStream,
    router: Router,
    timeouts: Timeouts,
    mut closing: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) -> Option<Expiry> {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let service = Tracked {
        router,
        activity: Arc::clone(&activity),
    };
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    tokio::pin!(connection);
    let watchdog = activity.expiry(timeouts);
    tokio::pin!(watchdog);
    let mut stopping = false;
    loop {
        if !stopping && *closing.borrow_and_update() {
            stopping = true;
            connection.as_mut().graceful_shutdown();
        }
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
                return None;
            }
            expiry = &mut watchdog => {
                tracing::debug!(?expiry, "connection closed by a timeout");
                return Some(expiry);
            }
            changed = closing.changed(), if !stopping => {
                if changed.is_err() {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Where a connection is between requests.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request since this instant.
    Idle(Instant),
    /// A request head started arriving at this instant.
    Head(Instant),
    /// A request is being handled (its body has its own timeout).
    Busy,
}

/// The phase of one connection, shared by its socket, its service and its watchdog.
struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            phase: Mutex::new(Phase::Idle(Instant::now())),
            changed: Notify::new(),
        }
    }

    fn set(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner) = phase;
        self.changed.notify_one();
    }

    fn phase(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bytes arrived: an idle connection starts a request head.
    fn received(&self) {
        if matches!(self.phase(), Phase::Idle(_)) {
            self.set(Phase::Head(Instant::now()));
        }
    }

    /// Bytes left while idle (the end of a response): the idle time restarts.
    fn sent(&self) {
        if matches!(self.phase(), Phase::Idle(_)) {
            self.set(Phase::Idle(Instant::now()));
        }
    }

    /// Resolves, naming the timeout, once the current phase outlives its limit.
    async fn expiry(&self, timeouts: Timeouts) -> Expiry {
        loop {
            let (deadline, expiry) = match self.phase() {
                Phase::Idle(since) => (Some(since + timeouts.idle), Expiry::Idle),
                Phase::Head(since) => (Some(since + timeouts.header), Expiry::Header),
                Phase::Busy => (None, Expiry::Idle),
            };
            match deadline {
                Some(deadline) if deadline <= Instant::now() => return expiry,
                Some(deadline) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {}
                        () = self.changed.notified() => {}
                    }
                }
                None => self.changed.notified().await,
            }
        }
    }
}

/// Marks the connection busy while a request is handled, idle again after.
struct BusyGuard(Arc<Activity>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.set(Phase::Idle(Instant::now()));
    }
}

/// The router as a hyper service that reports each request to the connection's activity.
#[derive(Clone)]
struct Tracked {
    router: Router,
    activity: Arc<Activity>,
}

type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<axum::response::Response, Infallible>> + Send>>;

impl hyper::service::Service<hyper::Request<Incoming>> for Tracked {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        self.activity.set(Phase::Busy);
        let guard = BusyGuard(Arc::clone(&self.activity));
        let mut router = self.router.clone();
        Box::pin(async move {
            let response = tower_service::Service::call(&mut router, request).await;
            drop(guard);
            response
        })
    }
}

/// A socket that reports traffic to its connection's activity.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.received();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.sent();
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.sent();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    /// Limits far apart, so which one fired says what happened (no timing is asserted).
    fn limits(header_ms: u64, idle_ms: u64) -> Timeouts {
        Timeouts {
            header: Duration::from_millis(header_ms),
            idle: Duration::from_millis(idle_ms),
        }
    }

    #[tokio::test]
    async fn a_silent_connection_expires_by_the_idle_timeout() {
        let activity = Activity::new();
        assert_eq!(activity.expiry(limits(60_000, 20)).await, Expiry::Idle);
    }

    #[tokio::test]
    async fn a_trickling_head_expires_by_the_header_timeout() {
        let activity = Arc::new(Activity::new());
        let trickler = Arc::clone(&activity);
        let trickle = tokio::spawn(async move {
            loop {
                trickler.received();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        // Bytes keep arriving, so only the header timeout can close it.
        assert_eq!(activity.expiry(limits(50, 60_000)).await, Expiry::Header);
        trickle.abort();
    }

    #[tokio::test]
    async fn a_busy_connection_waits_for_its_response_then_idles() {
        let activity = Arc::new(Activity::new());
        activity.set(Phase::Busy);
        let answered = Arc::new(AtomicBool::new(false));
        let (worker, done) = (Arc::clone(&activity), Arc::clone(&answered));
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            done.store(true, Ordering::SeqCst);
            drop(BusyGuard(worker));
        });
        assert_eq!(activity.expiry(limits(1, 1)).await, Expiry::Idle);
        assert!(answered.load(Ordering::SeqCst), "expired while busy");
    }
}
