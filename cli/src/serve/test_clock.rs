//! `POST /_test/clock`, FOR TESTS ONLY: moves the `--test-clock` and sweeps at the new
//! instant. Without `--test-clock` the route refuses every request.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::json;

use super::app::App;
use super::json::{json_error, json_response, unavailable};

/// The request body: exactly one of the two fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    /// Sets the clock to this instant.
    now: Option<DateTime<Utc>>,
    /// Moves the clock forward (or back, if negative) by this many seconds.
    advance_seconds: Option<i64>,
}

/// Sets or advances the test clock, then sweeps; answers the new instant and the sweep report.
pub async fn change(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let Some(clock) = &app.test_clock else {
        return json_error(
            404,
            "the test clock is disabled; it exists only when sla serve runs with --test-clock",
        );
    };
    let change: ClockChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(err) => return json_error(400, format!("body: {err}")),
    };
    let target = match (change.now, change.advance_seconds) {
        (Some(now), None) => Some(now),
        (None, Some(seconds)) => TimeDelta::try_seconds(seconds)
            .and_then(|delta| app.clock.now().checked_add_signed(delta)),
        _ => {
            return json_error(
                422,
                "body: give exactly one of \"now\" (RFC 3339) or \"advance_seconds\"",
            )
        }
    };
    let (first, last) = sla_calendar::supported_range();
    let Some(now) = target.filter(|t| (first..=last).contains(t)) else {
        return json_error(
            400,
            format!(
                "body: the clock must stay within {} and {}",
                first.to_rfc3339(),
                last.to_rfc3339()
            ),
        );
    };
    clock.set(now);
    tracing::info!(now = %now.to_rfc3339(), "test clock moved");
    match app.sweeper.sweep_now().await {
        Ok(report) => json_response(200, &json!({ "now": now, "sweep": report })),
        Err(err) => {
            let what = format!("clock moved to {}, but the sweep failed", now.to_rfc3339());
            unavailable(&what, &err)
        }
    }
}
