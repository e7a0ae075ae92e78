//! CloudWatch embedded metric format: one JSON log line that CloudWatch turns into metrics.

use serde_json::{json, Map, Value};

/// Namespace of every metric we emit (the template's alarms use it).
pub const NAMESPACE: &str = "SlaTracker";

/// Names of the metrics the template alarms on.
pub mod names {
    /// Seconds the oldest due timer of any shard waited when a sweep started.
    pub const SWEEP_LAG: &str = "SweepLagSeconds";
    /// SLA events a sweep failed to publish (retried with backoff).
    pub const PUBLISH_FAILURES: &str = "PublishFailures";
    /// SLA events moved to dead letters after too many failed publishes.
    pub const DEAD_LETTERED: &str = "EventsDeadLettered";
    /// Webhook answers with a 5xx status (the helpdesk retries).
    pub const WEBHOOK_5XX: &str = "Webhook5xx";
    /// Webhooks whose ticket record could not be saved (answered 422).
    pub const UNSAVEABLE: &str = "UnsaveableRecords";
    /// Read-API answers with a 5xx status (the store failed).
    pub const READ_5XX: &str = "Read5xx";
    /// Autopilot actions given up on (refused, unsupported, out of attempts).
    pub const ACTIONS_DEAD: &str = "ActionsDead";
    /// Actions executed, dimensioned by `Target` (vendor or chat) and `Outcome`.
    pub const ACTIONS: &str = "Actions";
}

/// The `Function` dimension of each function's metrics.
pub mod functions {
    /// The `ticket-created` webhook function.
    pub const TICKET_CREATED: &str = "ticket-created";
    /// The `ticket-updated` webhook function.
    pub const TICKET_UPDATED: &str = "ticket-updated";
    /// The scheduled sweep function.
    pub const SWEEP: &str = "sweep";
    /// The read API and dashboard function.
    pub const READ_API: &str = "read-api";
    /// The autopilot's function.
    pub const ACTIONS: &str = "actions";
}

/// Every (metric, `Function` dimension) the template must alarm on.
pub const ALARMED: &[(&str, &str)] = &[
    (names::SWEEP_LAG, functions::SWEEP),
    (names::PUBLISH_FAILURES, functions::SWEEP),
    (names::DEAD_LETTERED, functions::SWEEP),
    (names::WEBHOOK_5XX, functions::TICKET_CREATED),
    (names::WEBHOOK_5XX, functions::TICKET_UPDATED),
    (names::UNSAVEABLE, functions::TICKET_CREATED),
    (names::UNSAVEABLE, functions::TICKET_UPDATED),
    (names::READ_5XX, functions::READ_API),
    (names::ACTIONS_DEAD, functions::ACTIONS),
];

/// One metric value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric<'a> {
    /// The metric name (one of [`names`]).
    pub name: &'a str,
    /// The value, in `unit`.
    pub value: f64,
    /// CloudWatch unit: `Count`, `Seconds`, `Milliseconds`.
    pub unit: &'a str,
}

/// The EMF line for `metrics`, dimensioned by `Function`, at `timestamp_ms`.
pub fn line(function: &str, metrics: &[Metric<'_>], timestamp_ms: i64) -> String {
    line_with(function, &[], metrics, timestamp_ms)
}

/// The EMF line for `metrics`, dimensioned by `Function` and each of `dimensions`
/// (name, value), at `timestamp_ms`.
pub fn line_with(
    function: &str,
    dimensions: &[(&str, &str)],
    metrics: &[Metric<'_>],
    timestamp_ms: i64,
) -> String {
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|m| json!({"Name": m.name, "Unit": m.unit}))
        .collect();
    let names: Vec<&str> = std::iter::once("Function")
        .chain(dimensions.iter().map(|(name, _)| *name))
        .collect();
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": definitions,
            }],
        }),
    );
    root.insert("Function".into(), Value::from(function));
    for (name, value) in dimensions {
        root.insert((*name).into(), Value::from(*value));
    }
    for m in metrics {
        root.insert(m.name.into(), Value::from(m.value));
    }
    Value::Object(root).to_string()
}

/// Prints the EMF line for `metrics` on stdout, where Lambda ships it to CloudWatch.
pub fn emit(function: &str, metrics: &[Metric<'_>]) {
    emit_with(function, &[], metrics);
}

/// [`emit`] with more dimensions than `Function`.
pub fn emit_with(function: &str, dimensions: &[(&str, &str)], metrics: &[Metric<'_>]) {
    let now = chrono::Utc::now().timestamp_millis();
    println!("{}", line_with(function, dimensions, metrics, now));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_declares_and_carries_each_metric() {
        let text = line(
            "sweep",
            &[
                Metric {
                    name: "SweepLagSeconds",
                    value: 12.5,
                    unit: "Seconds",
                },
                Metric {
                    name: "EventsPublished",
                    value: 3.0,
                    unit: "Count",
                },
            ],
            1_700_000_000_000,
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000i64);
        let directive = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "SlaTracker");
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        assert_eq!(directive["Metrics"][0]["Name"], "SweepLagSeconds");
        assert_eq!(directive["Metrics"][1]["Unit"], "Count");
        assert_eq!(v["Function"], "sweep");
        assert_eq!(v["SweepLagSeconds"], 12.5);
        assert_eq!(v["EventsPublished"], 3.0);
    }

    #[test]
    fn extra_dimensions_are_declared_and_carried() {
        let metric = Metric {
            name: "Actions",
            value: 2.0,
            unit: "Count",
        };
        let dimensions = [("Target", "zendesk"), ("Outcome", "done")];
        let text = line_with("actions", &dimensions, &[metric], 1_700_000_000_000);
        let v: Value = serde_json::from_str(&text).unwrap();
        let directive = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(
            directive["Dimensions"],
            json!([["Function", "Target", "Outcome"]])
        );
        assert_eq!(
            (&v["Target"], &v["Outcome"]),
            (&json!("zendesk"), &json!("done"))
        );
        assert_eq!(v["Actions"], 2.0);
    }
}
