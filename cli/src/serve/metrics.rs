//! Counters of what the server did, rendered in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sla_app::webhook::WebhookStats;
use sla_app::SweepReport;
use sla_core::SlaEventType;

use super::connection::Expiry;

/// Every SLA event type, in the order the metrics list them.
const EVENT_TYPES: [SlaEventType; 6] = [
    SlaEventType::Warning,
    SlaEventType::Breached,
    SlaEventType::Met,
    SlaEventType::Completed,
    SlaEventType::Cancelled,
    SlaEventType::Retracted,
];

/// The server's counters and last-sweep gauges.
#[derive(Debug, Default)]
pub struct Metrics {
    responses: Mutex<BTreeMap<u16, u64>>,
    events_ingested: AtomicU64,
    duplicates: AtomicU64,
    conflicts: AtomicU64,
    misrouted: AtomicU64,
    unsaveable: AtomicU64,
    dead_lettered: AtomicU64,
    published: [AtomicU64; EVENT_TYPES.len()],
    publish_failed: AtomicU64,
    sweeps: AtomicU64,
    sweep_errors: AtomicU64,
    last_sweep: Mutex<Option<LastSweep>>,
    connections: ConnectionCounts,
}

/// What the connection limits and the panic catcher did.
#[derive(Debug, Default)]
struct ConnectionCounts {
    refused: AtomicU64,
    header_timeouts: AtomicU64,
    idle_timeouts: AtomicU64,
    body_timeouts: AtomicU64,
    panics: AtomicU64,
}

/// Gauges of the most recent sweep.
#[derive(Debug, Clone, Copy)]
struct LastSweep {
    at: DateTime<Utc>,
    duration: Duration,
    lag_seconds: f64,
    examined: u64,
}

impl Metrics {
    /// Counts one webhook response.
    pub fn record_webhook(&self, status: u16, stats: &WebhookStats) {
        *lock(&self.responses).entry(status).or_default() += 1;
        self.events_ingested
            .fetch_add(stats.events_ingested, Ordering::Relaxed);
        self.duplicates
            .fetch_add(stats.duplicates, Ordering::Relaxed);
        self.conflicts.fetch_add(stats.conflicts, Ordering::Relaxed);
        if stats.misrouted {
            self.misrouted.fetch_add(1, Ordering::Relaxed);
        }
        if stats.unsaveable {
            self.unsaveable.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts SLA events the sink accepted.
    pub fn record_published(&self, kind: SlaEventType) {
        self.published[type_index(kind)].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts SLA events the sink refused (they stay queued).
    pub fn record_publish_failed(&self, count: u64) {
        self.publish_failed.fetch_add(count, Ordering::Relaxed);
    }

    /// Records one sweep run at `now` that took `duration`.
    pub fn record_sweep(
        &self,
        report: Option<&SweepReport>,
        now: DateTime<Utc>,
        duration: Duration,
    ) {
        self.sweeps.fetch_add(1, Ordering::Relaxed);
        let Some(report) = report else {
            self.sweep_errors.fetch_add(1, Ordering::Relaxed);
            return;
        };
        self.sweep_errors
            .fetch_add(report.errors.len() as u64, Ordering::Relaxed);
        self.dead_lettered
            .fetch_add(report.dead_lettered, Ordering::Relaxed);
        *lock(&self.last_sweep) = Some(LastSweep {
            at: now,
            duration,
            lag_seconds: report.oldest_lag_seconds.unwrap_or(0.0).max(0.0),
            examined: report.examined,
        });
    }

    /// Counts a connection refused because `--max-connections` were open.
    pub fn record_connection_refused(&self) {
        self.connections.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a connection closed by the header or idle timeout.
    pub fn record_connection_expired(&self, expiry: Expiry) {
        let counter = match expiry {
            Expiry::Header => &self.connections.header_timeouts,
            Expiry::Idle => &self.connections.idle_timeouts,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request answered 408 because its body was too slow.
    pub fn record_body_timeout(&self) {
        self.connections
            .body_timeouts
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request whose handler panicked (answered 500).
    pub fn record_panic(&self) {
        self.connections.panics.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_webhooks(&mut out);
        self.render_publishing(&mut out);
        self.render_sweeps(&mut out);
        self.render_connections(&mut out);
        out
    }

    fn render_connections(&self, out: &mut String) {
        let c = &self.connections;
        counter(
            out,
            "sla_connections_refused_total",
            "Connections refused because --max-connections were open.",
            &c.refused,
        );
        header(
            out,
            "sla_connections_timed_out_total",
            "counter",
            "Connections closed by the header or idle timeout.",
        );
        for (label, count) in [("header", &c.header_timeouts), ("idle", &c.idle_timeouts)] {
            let count = count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "sla_connections_timed_out_total{{timeout=\"{label}\"}} {count}"
            );
        }
        counter(
            out,
            "sla_request_body_timeouts_total",
            "Requests answered 408 because the body took longer than --body-timeout.",
            &c.body_timeouts,
        );
        counter(
            out,
            "sla_request_panics_total",
            "Requests whose handler panicked, answered 500.",
            &c.panics,
        );
    }

    fn render_webhooks(&self, out: &mut String) {
        header(
            out,
            "sla_webhook_responses_total",
            "counter",
            "Webhook responses by HTTP status.",
        );
        for (status, count) in lock(&self.responses).iter() {
            let _ = writeln!(
                out,
                "sla_webhook_responses_total{{status=\"{status}\"}} {count}"
            );
        }
        counter(
            out,
            "sla_events_ingested_total",
            "Ticket events stored (new to their ticket).",
            &self.events_ingested,
        );
        counter(
            out,
            "sla_events_duplicate_total",
            "Ticket events ignored as already seen.",
            &self.duplicates,
        );
        counter(
            out,
            "sla_store_conflicts_total",
            "Version conflicts met and retried while ingesting.",
            &self.conflicts,
        );
        counter(
            out,
            "sla_records_unsaveable_total",
            "Webhooks whose ticket record was too large to save (answered 422).",
            &self.unsaveable,
        );
        counter(
            out,
            "sla_webhooks_misrouted_total",
            "Webhooks ingested from the creation route that were not creations.",
            &self.misrouted,
        );
    }

    fn render_publishing(&self, out: &mut String) {
        header(
            out,
            "sla_events_published_total",
            "counter",
            "SLA events delivered to the events destination, by type.",
        );
        for kind in EVENT_TYPES {
            let count = self.published[type_index(kind)].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "sla_events_published_total{{type=\"{}\"}} {count}",
                kind.as_str()
            );
        }
        let breaches = &self.published[type_index(SlaEventType::Breached)];
        counter(
            out,
            "sla_breaches_total",
            "SLA breaches delivered.",
            breaches,
        );
        counter(
            out,
            "sla_events_dead_lettered_total",
            "SLA events given up on after too many failed publishes (`sla dead-letters list`).",
            &self.dead_lettered,
        );
        counter(
            out,
            "sla_events_publish_failed_total",
            "SLA event deliveries that failed (retried by the next sweep).",
            &self.publish_failed,
        );
    }

    fn render_sweeps(&self, out: &mut String) {
        counter(out, "sla_sweeps_total", "Sweeps run.", &self.sweeps);
        counter(
            out,
            "sla_sweep_errors_total",
            "Sweeps or tickets within a sweep that failed.",
            &self.sweep_errors,
        );
        let last = *lock(&self.last_sweep);
        let (lag, duration, examined, at) = match last {
            Some(s) => (
                s.lag_seconds,
                s.duration.as_secs_f64(),
                s.examined,
                s.at.timestamp_millis() as f64 / 1000.0,
            ),
            None => (0.0, 0.0, 0, 0.0),
        };
        gauge(
            out,
            "sla_sweep_lag_seconds",
            "Lag of the oldest due timer found by the last sweep.",
            lag,
        );
        gauge(
            out,
            "sla_sweep_duration_seconds",
            "Wall time of the last sweep.",
            duration,
        );
        gauge(
            out,
            "sla_sweep_examined",
            "Due tickets the last sweep looked at.",
            examined as f64,
        );
        gauge(
            out,
            "sla_last_sweep_timestamp_seconds",
            "Clock instant (Unix seconds) of the last sweep.",
            at,
        );
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn counter(out: &mut String, name: &str, help: &str, value: &AtomicU64) {
    header(out, name, "counter", help);
    let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {value}");
}

fn type_index(kind: SlaEventType) -> usize {
    EVENT_TYPES
        .iter()
        .position(|k| *k == kind)
        .expect("EVENT_TYPES lists every SlaEventType")
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_by_status_and_type() {
        let metrics = Metrics::default();
        let stats = WebhookStats {
            events_ingested: 2,
            duplicates: 1,
            ..WebhookStats::default()
        };
        metrics.record_webhook(200, &stats);
        metrics.record_webhook(401, &WebhookStats::default());
        metrics.record_published(SlaEventType::Breached);
        let text = metrics.render();
        assert!(text.contains("sla_webhook_responses_total{status=\"200\"} 1\n"));
        assert!(text.contains("sla_webhook_responses_total{status=\"401\"} 1\n"));
        assert!(text.contains("sla_events_ingested_total 2\n"));
        assert!(text.contains("sla_events_duplicate_total 1\n"));
        assert!(text.contains("sla_events_published_total{type=\"breached\"} 1\n"));
        assert!(text.contains("sla_breaches_total 1\n"));
        assert!(text.contains("# TYPE sla_sweep_lag_seconds gauge\n"));
    }

    #[test]
    fn sweep_gauges_follow_the_last_sweep() {
        let metrics = Metrics::default();
        let report = SweepReport {
            examined: 3,
            oldest_lag_seconds: Some(4.5),
            complete: true,
            ..SweepReport::default()
        };
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        metrics.record_sweep(Some(&report), now, Duration::from_millis(250));
        metrics.record_sweep(None, now, Duration::ZERO);
        let text = metrics.render();
        assert!(text.contains("sla_sweeps_total 2\n"));
        assert!(text.contains("sla_sweep_errors_total 1\n"));
        assert!(text.contains("sla_events_dead_lettered_total 0\n"));
        assert!(text.contains("sla_sweep_lag_seconds 4.5\n"));
        assert!(text.contains("sla_sweep_examined 3\n"));
        assert!(text.contains("sla_last_sweep_timestamp_seconds 1700000000\n"));
    }
}
