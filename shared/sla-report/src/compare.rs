//! `--compare-policy`: the same history replayed under two policies, row by row.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aggregate::Row;

/// One row key under both policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ComparedRow {
    /// The row's key (as in `rows`).
    pub key: BTreeMap<String, String>,
    /// The row under `--policy`; null when it has no such row.
    pub baseline: Option<Row>,
    /// The row under `--compare-policy`; null when it has no such row.
    pub proposed: Option<Row>,
    /// proposed − baseline met %, in percentage points.
    pub met_percent_change: Option<f64>,
    /// proposed − baseline breached cycles.
    pub breached_change: Option<i64>,
    /// proposed − baseline median business seconds.
    pub median_change_seconds: Option<i64>,
}

/// Pairs rows with equal keys: baseline order first, then rows only the proposal has.
pub(crate) fn compare(baseline: &[Row], proposed: &[Row]) -> Vec<ComparedRow> {
    let mut rows: Vec<ComparedRow> = baseline
        .iter()
        .map(|b| pair(Some(b), proposed.iter().find(|p| p.key == b.key)))
        .collect();
    rows.extend(
        proposed
            .iter()
            .filter(|p| !baseline.iter().any(|b| b.key == p.key))
            .map(|p| pair(None, Some(p))),
    );
    rows
}

fn pair(baseline: Option<&Row>, proposed: Option<&Row>) -> ComparedRow {
    let both = baseline.zip(proposed);
    let change = |f: fn(&Row) -> Option<i64>| both.and_then(|(b, p)| Some(f(p)? - f(b)?));
    ComparedRow {
        key: baseline
            .or(proposed)
            .map(|r| r.key.clone())
            .unwrap_or_default(),
        met_percent_change: both
            .and_then(|(b, p)| Some(((p.met_percent? - b.met_percent?) * 10.0).round() / 10.0)),
        breached_change: change(|r| i64::try_from(r.breached).ok()),
        median_change_seconds: change(|r| r.median_seconds),
        baseline: baseline.cloned(),
        proposed: proposed.cloned(),
    }
}
