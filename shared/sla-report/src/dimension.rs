//! What report rows are grouped by (`--by`), and calendar periods in a time zone.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sla_core::policy::{metric_name, priority_name};

use crate::cycle::CycleRecord;
use crate::ReportError;

/// A grouping key of report rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The policy in force at the cycle's end.
    Policy,
    /// The priority whose target measured the cycle.
    Priority,
    /// The metric.
    Metric,
    /// Ticket segment.
    Segment,
    /// Ticket group (team).
    Group,
    /// The agent responsible.
    Assignee,
    /// The customer account.
    Organization,
    /// The channel.
    Channel,
    /// The helpdesk.
    Vendor,
    /// The calendar period in which the cycle ended.
    Period,
}

/// Every dimension, in `--by` documentation order.
pub const DIMENSIONS: [Dimension; 10] = [
    Dimension::Policy,
    Dimension::Priority,
    Dimension::Metric,
    Dimension::Segment,
    Dimension::Group,
    Dimension::Assignee,
    Dimension::Organization,
    Dimension::Channel,
    Dimension::Vendor,
    Dimension::Period,
];

impl Dimension {
    /// Its `--by` name.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Policy => "policy",
            Dimension::Priority => "priority",
            Dimension::Metric => "metric",
            Dimension::Segment => "segment",
            Dimension::Group => "group",
            Dimension::Assignee => "assignee",
            Dimension::Organization => "organization",
            Dimension::Channel => "channel",
            Dimension::Vendor => "vendor",
            Dimension::Period => "period",
        }
    }

    /// Parses a comma-separated list such as `policy,priority,metric`.
    pub fn parse_list(text: &str) -> Result<Vec<Dimension>, ReportError> {
        let mut list = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let dimension = part.parse()?;
            if !list.contains(&dimension) {
                list.push(dimension);
            }
        }
        Ok(list)
    }
}

impl FromStr for Dimension {
    type Err = ReportError;

    fn from_str(text: &str) -> Result<Dimension, ReportError> {
        DIMENSIONS
            .into_iter()
            .find(|d| d.name() == text)
            .ok_or_else(|| ReportError::UnknownDimension(text.to_string()))
    }
}

/// Calendar periods for the `period` dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// Calendar days (`2026-11-23`).
    Day,
    /// ISO weeks starting on Monday (`2026-W48`).
    Week,
    /// Calendar months (`2026-11`).
    Month,
}

impl PeriodUnit {
    /// The period containing `at` in time zone `zone`.
    pub fn label(self, zone: Tz, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&zone);
        match self {
            PeriodUnit::Day => local.format("%Y-%m-%d").to_string(),
            PeriodUnit::Week => {
                let week = local.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            PeriodUnit::Month => local.format("%Y-%m").to_string(),
        }
    }
}

/// One key part of a row: a sort rank (policy file order, priority from urgent down,
/// metric order; 0 otherwise) then the label (`-` when unknown or, for `period`, open).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct KeyPart {
    rank: usize,
    pub label: String,
}

/// How to compute the key of a cycle.
#[derive(Debug, Clone)]
pub(crate) struct Keyer<'a> {
    pub by: &'a [Dimension],
    pub period: PeriodUnit,
    pub zone: Tz,
    pub policy_order: &'a [String],
}

impl Keyer<'_> {
    /// The key of `cycle`, one part per dimension.
    pub fn key(&self, cycle: &CycleRecord) -> Vec<KeyPart> {
        self.by.iter().map(|d| self.part(*d, cycle)).collect()
    }

    fn part(&self, dimension: Dimension, cycle: &CycleRecord) -> KeyPart {
        let text = |value: &Option<String>| KeyPart {
            rank: 0,
            label: value.clone().unwrap_or_else(|| "-".into()),
        };
        match dimension {
            Dimension::Policy => KeyPart {
                rank: self
                    .policy_order
                    .iter()
                    .position(|p| *p == cycle.policy)
                    .unwrap_or(self.policy_order.len()),
                label: cycle.policy.clone(),
            },
            Dimension::Priority => KeyPart {
                rank: 3usize.saturating_sub(cycle.priority as usize),
                label: priority_name(&cycle.priority),
            },
            Dimension::Metric => KeyPart {
                rank: cycle.metric as usize,
                label: metric_name(&cycle.metric),
            },
            Dimension::Segment => text(&cycle.segment),
            Dimension::Group => text(&cycle.group),
            Dimension::Assignee => text(&cycle.assignee),
            Dimension::Organization => text(&cycle.organization),
            Dimension::Channel => text(&cycle.channel),
            Dimension::Vendor => text(&cycle.vendor),
            Dimension::Period => text(&cycle.end.map(|at| self.period.label(self.zone, at))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn periods_are_taken_in_the_time_zone() {
        // Sunday 29 November 2026, 23:30 UTC is Monday 30 November in Paris (ISO week 49).
        let at = t("2026-11-29T23:30:00Z");
        assert_eq!(PeriodUnit::Day.label(Tz::UTC, at), "2026-11-29");
        assert_eq!(PeriodUnit::Week.label(Tz::UTC, at), "2026-W48");
        assert_eq!(PeriodUnit::Day.label(Tz::Europe__Paris, at), "2026-11-30");
        assert_eq!(PeriodUnit::Week.label(Tz::Europe__Paris, at), "2026-W49");
        assert_eq!(PeriodUnit::Month.label(Tz::Europe__Paris, at), "2026-11");
        // 1 January 2027 is a Friday of ISO week 53 of 2026.
        let new_year = t("2027-01-01T12:00:00Z");
        assert_eq!(PeriodUnit::Week.label(Tz::UTC, new_year), "2026-W53");
        assert_eq!(PeriodUnit::Month.label(Tz::UTC, new_year), "2027-01");
    }

    #[test]
    fn dimension_lists_parse_and_reject_unknown_names() {
        assert_eq!(
            Dimension::parse_list("assignee, period,assignee").unwrap(),
            vec![Dimension::Assignee, Dimension::Period]
        );
        assert!(matches!(
            Dimension::parse_list("policy,team"),
            Err(ReportError::UnknownDimension(name)) if name == "team"
        ));
    }
}
