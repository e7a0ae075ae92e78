//! Business-hours calendars and exact business-time arithmetic.
//!
//! A calendar is an IANA time zone, weekly open intervals in local wall-clock time, holidays,
//! date overrides and absolute exclusions. [`Calendar::compile`] validates a [`CalendarSpec`]
//! once; every operation afterwards is a handful of binary searches over precomputed data
//! (whole weeks are skipped arithmetically), with no allocation.
//!
//! Business time is elapsed physical time inside open intervals. Instants from
//! 1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z are supported; time outside counts as closed.
//! The `sla calc` JSON-lines protocol lives in [`calc`].
//!
//! The calendars of one document are compiled together by [`compile_calendars`]: follow-the-sun
//! unions name other calendars, and `holidays_ics` files are read through the reader
//! passed to [`IcsSources::load`].
//! A `timezone: requester` calendar is specialised per requester by [`Calendar::for_requester`].

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod calc;
mod calendar;
mod exclusions;
pub mod ics;
mod instant;
mod requester;
mod rules;
mod set;
pub mod spec;
mod timeline;
mod weekly;
mod zone;

use chrono::{DateTime, Utc};

pub use calendar::Calendar;
pub use ics::{IcsError, IcsHolidays};
pub use instant::supported_range;
pub use requester::ZoneFallback;
pub use set::{compile_calendars, IcsSources};
pub use spec::{CalendarSpec, HolidaySpec, HoursSpec, SeasonSpec, WeeklyHours};

/// Why a calendar spec was rejected; the message names the field, e.g.
/// `hours.mon[1][0]: "25:00" is not a time of day (HH:MM, 00:00 to 24:00)`.
/// Callers embedding a calendar prefix `field` with their own path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct CalendarError {
    /// Path of the offending field inside the calendar document, e.g. `hours.mon[1][0]`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

/// An instant or result outside the supported range (1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OutOfRange {
    /// The start instant given.
    #[error("{0} is outside the supported range 1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z")]
    Start(DateTime<Utc>),
    /// The answer would fall outside the range.
    #[error("the result would lie outside the supported range 1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z")]
    Result,
}

/// Where `add` puts a result that lands exactly on a closing instant.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineRule {
    /// The earliest instant at which the budget is used up: a result on a closing instant stays
    /// there and a zero duration returns the start.
    #[default]
    Earliest,
    /// A result on a closing instant moves to the next opening, and a zero duration from a closed
    /// instant moves to the next opening (for `subtract`, back to the previous closing), as
    /// Zendesk's biz library and Zammad do.
    NextOpening,
}
