//! Business-hours calendars and exact business-time arithmetic.
//!
//! CONTRACT SKELETON: the public API below is fixed; bodies are being implemented.

use chrono::{DateTime, Utc};

/// Spec, compile, errors: see module docs once implemented.
pub mod spec {
    use serde::{Deserialize, Serialize};
    /// The calendar JSON/YAML document (`sla calc`'s `calendar`, a policy's `calendars.<name>`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
    pub struct CalendarSpec {
        /// IANA time zone.
        pub timezone: String,
        /// Weekly hours or "24x7".
        pub hours: serde_json::Value,
        #[serde(default)]
        pub holidays: Vec<serde_json::Value>,
        #[serde(default)]
        pub date_overrides: std::collections::BTreeMap<String, Vec<[String; 2]>>,
        #[serde(default)]
        pub exclusions: Vec<[String; 2]>,
        #[serde(default)]
        pub deadline_rule: Option<String>,
    }
}

pub use spec::CalendarSpec;

/// Why a calendar spec was rejected; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct CalendarError {
    pub field: String,
    pub reason: String,
}

/// How `add` treats a result on a closing instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeadlineRule {
    #[default]
    Earliest,
    NextOpening,
}

/// A compiled calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    _private: (),
}

impl Calendar {
    pub fn compile(_spec: &CalendarSpec) -> Result<Calendar, CalendarError> {
        todo!()
    }
    pub fn always_open() -> Calendar {
        todo!()
    }
    pub fn with_exclusions(&self, _exclusions: &[(DateTime<Utc>, DateTime<Utc>)]) -> Calendar {
        todo!()
    }
    pub fn with_deadline_rule(&self, _rule: DeadlineRule) -> Calendar {
        todo!()
    }
    pub fn deadline_rule(&self) -> DeadlineRule {
        todo!()
    }
    pub fn timezone(&self) -> chrono_tz::Tz {
        todo!()
    }
    pub fn add(&self, _start: DateTime<Utc>, _duration: chrono::Duration) -> DateTime<Utc> {
        todo!()
    }
    pub fn subtract(&self, _start: DateTime<Utc>, _duration: chrono::Duration) -> DateTime<Utc> {
        todo!()
    }
    pub fn between(&self, _a: DateTime<Utc>, _b: DateTime<Utc>) -> chrono::Duration {
        todo!()
    }
    pub fn is_open(&self, _t: DateTime<Utc>) -> bool {
        todo!()
    }
    pub fn next_open(&self, _t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        todo!()
    }
    pub fn next_close(&self, _t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        todo!()
    }
    pub fn open_seconds_per_week_hint(&self) -> i64 {
        todo!()
    }
}
