//! The calendar document: what `sla calc` reads as `calendar` and a policy file as
//! `calendars.<name>`. Plain serde types; values are validated by [`crate::Calendar::compile`],
//! which names the offending field.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::DeadlineRule;

/// One open interval in local wall-clock time: `["09:00", "17:00"]`.
///
/// An end at or before the start runs overnight into the next day; `"24:00"` is the next midnight.
pub type IntervalSpec = [String; 2];

/// A business-hours calendar as written in JSON or YAML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA time zone, e.g. `"Europe/Paris"`, or `"requester"` (the weekly hours are read in
    /// each ticket requester's zone, see `default_timezone`). Required unless `union` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// With `timezone: requester`: the IANA zone used when the requester's zone is missing or unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_timezone: Option<String>,
    /// Weekly open intervals per weekday, or `"24x7"`. Required unless `union` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<HoursSpec>,
    /// Follow-the-sun: names of other calendars of the same document; open when any member is
    /// open (each member keeps its own zone, holidays and seasons). Excludes `timezone`, `hours`
    /// and the date rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union: Option<Vec<String>>,
    /// Date ranges (local, inclusive) whose weekly hours replace `hours`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasons: Vec<SeasonSpec>,
    /// Dates closed all day: `"2026-12-25"`, `{"from": "2026-12-24", "to": "2026-12-26"}`, `{"yearly": "05-01"}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<HolidaySpec>,
    /// iCalendar files whose all-day events (and yearly `RRULE`s) are holidays, relative to the
    /// file that holds this calendar.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays_ics: Vec<String>,
    /// Dates whose weekday hours are replaced: `{"2026-12-24": [["09:00", "12:00"]]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub date_overrides: BTreeMap<String, Vec<IntervalSpec>>,
    /// Absolute closed spans `[start, end)` as RFC 3339 instants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<[String; 2]>,
    /// Where `add` puts a result that lands on a closing instant.
    #[serde(default)]
    pub deadline_rule: DeadlineRule,
}

/// Weekly hours in force between two local dates (both included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeasonSpec {
    /// First date of the season, `"YYYY-MM-DD"`.
    pub from: String,
    /// Last date of the season, `"YYYY-MM-DD"`.
    pub to: String,
    /// The weekly hours during the season.
    pub hours: HoursSpec,
}

/// `"24x7"` or a map of weekdays (`mon` .. `sun`) to open intervals.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum HoursSpec {
    /// Open around the clock (holidays still apply).
    Always(AlwaysOpen),
    /// Open intervals per weekday; a missing weekday is closed.
    Weekly(WeeklyHours),
}

/// The literal `"24x7"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum AlwaysOpen {
    /// Open around the clock.
    #[serde(rename = "24x7")]
    AllWeek,
}

/// Open intervals for each weekday.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday's intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<IntervalSpec>,
    /// Tuesday's intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<IntervalSpec>,
    /// Wednesday's intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<IntervalSpec>,
    /// Thursday's intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<IntervalSpec>,
    /// Friday's intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<IntervalSpec>,
    /// Saturday's intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<IntervalSpec>,
    /// Sunday's intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<IntervalSpec>,
}

impl WeeklyHours {
    /// The weekdays in order Monday..Sunday with their names.
    pub fn days(&self) -> [(&'static str, &[IntervalSpec]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// A closed date, a closed date range (inclusive), or a date closed every year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum HolidaySpec {
    /// `"YYYY-MM-DD"`.
    Date(String),
    /// `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}`, both ends included.
    Range {
        /// First closed date.
        from: String,
        /// Last closed date.
        to: String,
    },
    /// `{"yearly": "MM-DD"}`.
    Yearly {
        /// `"MM-DD"`.
        yearly: String,
    },
}

const HOURS_EXPECTED: &str = "\"24x7\" or a map of weekdays (mon..sun) to intervals";
const HOLIDAY_EXPECTED: &str =
    "a holiday: \"YYYY-MM-DD\", {\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"} or {\"yearly\": \"MM-DD\"}";

impl<'de> Deserialize<'de> for HoursSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HoursVisitor;
        impl<'de> Visitor<'de> for HoursVisitor {
            type Value = HoursSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(HOURS_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HoursSpec, E> {
                match v {
                    "24x7" => Ok(HoursSpec::Always(AlwaysOpen::AllWeek)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<HoursSpec, M::Error> {
                WeeklyHours::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(HoursSpec::Weekly)
            }
        }
        deserializer.deserialize_any(HoursVisitor)
    }
}

/// The fields a holiday object may carry; which ones are present picks the variant.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFields {
    from: Option<String>,
    to: Option<String>,
    yearly: Option<String>,
}

impl<'de> Deserialize<'de> for HolidaySpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HolidayVisitor;
        impl<'de> Visitor<'de> for HolidayVisitor {
            type Value = HolidaySpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(HOLIDAY_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HolidaySpec, E> {
                Ok(HolidaySpec::Date(v.to_owned()))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<HolidaySpec, M::Error> {
                let fields =
                    HolidayFields::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match fields {
                    HolidayFields {
                        from: Some(from),
                        to: Some(to),
                        yearly: None,
                    } => Ok(HolidaySpec::Range { from, to }),
                    HolidayFields {
                        from: None,
                        to: None,
                        yearly: Some(yearly),
                    } => Ok(HolidaySpec::Yearly { yearly }),
                    _ => Err(<M::Error as de::Error>::custom(format!(
                        "expected {HOLIDAY_EXPECTED}"
                    ))),
                }
            }
        }
        deserializer.deserialize_any(HolidayVisitor)
    }
}
