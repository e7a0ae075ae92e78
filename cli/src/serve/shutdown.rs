//! Waiting for SIGINT or SIGTERM; a second signal during shutdown exits at once.

/// Resolves at the first SIGINT (Ctrl-C) or SIGTERM.
pub async fn signal() {
    let name = first_signal().await;
    tracing::info!(
        signal = name,
        "shutting down: no new connections, finishing requests in flight, then a final sweep"
    );
    tokio::spawn(async {
        let name = first_signal().await;
        tracing::warn!(signal = name, "second signal: exiting without waiting");
        std::process::exit(130);
    });
}

async fn first_signal() -> &'static str {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => "SIGINT",
        _ = terminate => "SIGTERM",
    }
}
