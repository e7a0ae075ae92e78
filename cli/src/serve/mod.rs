//! `sla serve`: the whole tracker as one local process. The same webhook routes and
//! application services as the Lambda functions, state in an embedded SQLite file (WAL),
//! a background sweep, and SLA events to stdout, a JSON-lines file or an HTTP endpoint.

mod app;
mod auth;
mod autopilot;
mod body_timeout;
mod connection;
mod json;
mod metrics;
mod options;
mod panics;
mod public_url;
mod reads;
mod routes;
mod server;
mod shutdown;
mod sinks;
mod sweeper;
mod test_clock;
mod webhooks;

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sla_app::reads::ReadService;
use sla_app::{Clock, ManualClock, SystemClock, Tenants, WebhookService};
use sla_store::SqliteStore;

use app::App;
use auth::ReadToken;
use metrics::Metrics;
use options::EventsTarget;
use public_url::PublicUrl;
use sinks::CountingSink;
use sweeper::Sweeper;

/// Arguments of `sla serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tenants file (YAML): each tenant's vendors, secrets (`secret_env`) and policy.
    #[arg(long, value_name = "FILE")]
    tenants: PathBuf,
    /// Policy file for tenants whose entry names none.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// SQLite database file (created if missing; WAL mode).
    #[arg(long, value_name = "FILE", default_value = "sla.db")]
    db: PathBuf,
    /// Address to listen on (port 0 picks a free port; the log says which).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Interval between background sweeps (`500ms`, `15s`, `2m`, `1h`).
    #[arg(long, value_name = "INTERVAL", default_value = "15s", value_parser = options::parse_interval)]
    sweep_every: Duration,
    /// Where SLA events go: `stdout` (JSON lines), a FILE.jsonl (appended), or an http(s):// URL (POST).
    #[arg(long, value_name = "DEST", default_value = "stdout")]
    events: EventsTarget,
    /// Largest request body read; larger requests get 413 (a tenant's own, smaller limit still applies).
    #[arg(long, value_name = "BYTES", default_value_t = sla_helpdesk::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Longest time from the first byte of a request to the end of its head; the
    /// connection is closed after it (slow clients cannot hold it).
    #[arg(long, value_name = "INTERVAL", default_value = "10s", value_parser = options::parse_interval)]
    header_timeout: Duration,
    /// Longest time a request body may take to arrive after its head; slower ones get 408.
    #[arg(long, value_name = "INTERVAL", default_value = "30s", value_parser = options::parse_interval)]
    body_timeout: Duration,
    /// A connection with no request in flight and nothing received for this long is closed.
    #[arg(long, value_name = "INTERVAL", default_value = "30s", value_parser = options::parse_interval)]
    idle_timeout: Duration,
    /// Most connections open at once; the next ones are answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
    /// The public base URL (`https://host[/prefix]`) that webhook senders address, as a TLS
    /// proxy in front sees it; HubSpot signatures cover the URL.
    #[arg(long, value_name = "URL", value_parser = public_url::parse_base)]
    public_url: Option<String>,
    /// Trust `X-Forwarded-Proto` and `X-Forwarded-Host` to rebuild the sender's URL (only
    /// behind a proxy that sets them; `--public-url` takes precedence).
    #[arg(long)]
    trust_forwarded: bool,
    /// Allow listening on a non-loopback address without `SLA_READ_TOKEN`: anyone who
    /// reaches the port can then read /metrics and every tenant without a read token.
    #[arg(long)]
    public_read: bool,
    /// FOR TESTS ONLY: start a manual clock at this RFC 3339 instant and enable
    /// `POST /_test/clock` ({"now": RFC3339} or {"advance_seconds": N}; each sweeps).
    #[arg(long, value_name = "RFC3339", value_parser = options::parse_instant)]
    test_clock: Option<DateTime<Utc>>,
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

/// Logs go to stderr (stdout may carry the events), filtered by `RUST_LOG` (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

async fn serve(args: Args) -> anyhow::Result<()> {
    let app = assemble(&args).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("--listen {}: cannot listen", args.listen))?;
    let address = listener.local_addr().context("reading the bound address")?;
    let sweeper = Arc::clone(&app.sweeper);
    let (stop_sweeps, sweeps_stopped) = tokio::sync::watch::channel(false);
    let sweeps = tokio::spawn(Arc::clone(&sweeper).run_every(args.sweep_every, sweeps_stopped));
    let (stop_actions, actions_stopped) = tokio::sync::watch::channel(false);
    let actions = tokio::spawn(Arc::clone(&app.autopilot).run(actions_stopped));
    log_start(&args, address);
    let metrics = Arc::clone(&app.metrics);
    let router = routes::router(app);
    server::serve(listener, router, limits(&args), metrics, shutdown::signal()).await;
    let _ = stop_sweeps.send(true);
    let _ = sweeps.await;
    final_sweep(&sweeper).await;
    autopilot::stop(actions, stop_actions).await;
    Ok(())
}

/// Opens the configuration, the store and the events destination; any failure stops start-up.
async fn assemble(args: &Args) -> anyhow::Result<Arc<App>> {
    let admin_token = auth::admin_token_from_env()?;
    let read_token = admin_token.as_deref().map(ReadToken::new);
    auth::check_exposure(args.listen, read_token.as_ref(), args.public_read)?;
    let tenants = Arc::new(load_tenants(args)?);
    let store =
        SqliteStore::open(&args.db).with_context(|| format!("--db {}", args.db.display()))?;
    let metrics = Arc::new(Metrics::default());
    let sink = CountingSink::open(&args.events, Arc::clone(&metrics))
        .with_context(|| format!("--events {}", args.events))?;
    let (clock, test_clock) = clocks(args.test_clock);
    let feed = autopilot::Feed::open(&store, Arc::clone(&tenants), Arc::clone(&clock)).await?;
    let sink = sink.with_autopilot(Arc::clone(&feed));
    let sweeper = Sweeper::new(
        store.clone(),
        sink,
        Arc::clone(&tenants),
        Arc::clone(&clock),
        Arc::clone(&metrics),
    )
    .on_time(test_clock.is_none());
    let reads = ReadService::new(
        store.clone(),
        Arc::clone(&tenants),
        Arc::clone(&clock),
        admin_token,
    )
    .with_actions(Arc::new(feed.autopilot().ledger().clone()));
    Ok(Arc::new(App {
        webhooks: WebhookService::new(store, tenants, Arc::clone(&clock)),
        reads,
        clock,
        test_clock,
        sweeper: Arc::new(sweeper),
        autopilot: feed,
        metrics,
        max_body_bytes: args.max_body_bytes,
        body_timeout: args.body_timeout,
        read_token: read_token.map(Arc::new),
        public_url: PublicUrl {
            base: args.public_url.clone(),
            trust_forwarded: args.trust_forwarded,
        },
    }))
}

/// The connection limits from the flags.
fn limits(args: &Args) -> server::Limits {
    server::Limits {
        timeouts: connection::Timeouts {
            header: args.header_timeout,
            idle: args.idle_timeout,
        },
        max_connections: args.max_connections as usize,
    }
}

/// Delivers what the last requests made due before the process exits.
async fn final_sweep(sweeper: &Sweeper) {
    match sweeper.sweep_now().await {
        Ok(report) => tracing::info!(
            published = report.published,
            failed = report.failed,
            "final sweep done; stopped"
        ),
        Err(err) => tracing::error!(
            error = %err,
            "final sweep failed; pending events stay in the database for the next start"
        ),
    }
}

/// Reads the tenants file, its policies and every configured secret: a failure here stops start-up.
fn load_tenants(args: &Args) -> anyhow::Result<Tenants> {
    // The messages already quote their cause; printing the source chain would repeat it.
    sla_app::tenants::load_local(&args.tenants, args.policy.as_deref())
        .map_err(|err| anyhow::anyhow!("{err}"))
}

/// The system clock, or with `--test-clock` a manual one shared with `POST /_test/clock`.
fn clocks(test_start: Option<DateTime<Utc>>) -> (Arc<dyn Clock>, Option<Arc<ManualClock>>) {
    match test_start {
        Some(start) => {
            let manual = Arc::new(ManualClock::new(start));
            (Arc::clone(&manual) as Arc<dyn Clock>, Some(manual))
        }
        None => (Arc::new(SystemClock), None),
    }
}

fn log_start(args: &Args, address: SocketAddr) {
    if let Some(start) = args.test_clock {
        tracing::warn!(start = %start.to_rfc3339(), "TEST CLOCK: time only moves via POST /_test/clock; never use this in production");
    }
    if args.public_read
        && !address.ip().is_loopback()
        && std::env::var_os(auth::TOKEN_ENV).is_none()
    {
        tracing::warn!(
            "--public-read: anyone who reaches {address} can read /tickets and /metrics"
        );
    }
    tracing::info!(
        db = %args.db.display(),
        events = %args.events,
        sweep_every = ?args.sweep_every,
        "listening on http://{address}"
    );
}
