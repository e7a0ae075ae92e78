//! `timezone: requester`: the weekly hours read in each ticket requester's time zone, compiled
//! once per zone and shared.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono_tz::Tz;

use crate::exclusions::Exclusions;
use crate::rules::CalendarRules;
use crate::{Calendar, DeadlineRule};

/// Why [`Calendar::for_requester`] used the calendar's `default_timezone` (a warning for
/// `sla explain`, not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneFallback {
    /// The event carried no requester time zone.
    Missing {
        /// The zone used instead.
        default: Tz,
    },
    /// The requester's zone is not an IANA time zone.
    Unknown {
        /// The zone as the event gave it.
        zone: String,
        /// The zone used instead.
        default: Tz,
    },
}

impl fmt::Display for ZoneFallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZoneFallback::Missing { default } => write!(
                f,
                "no requester time zone; the calendar's default_timezone {default} applies"
            ),
            ZoneFallback::Unknown { zone, default } => write!(
                f,
                "requester time zone {zone:?} is not an IANA time zone; the calendar's default_timezone {default} applies"
            ),
        }
    }
}

/// The rules of a requester-zoned calendar and its compiled form per zone.
pub(crate) struct RequesterZones {
    rules: CalendarRules,
    /// The spec's deadline rule.
    rule: DeadlineRule,
    compiled: Mutex<HashMap<Tz, Arc<Calendar>>>,
}

impl fmt::Debug for RequesterZones {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequesterZones")
            .field("default", &self.rules.tz)
            .finish_non_exhaustive()
    }
}

impl RequesterZones {
    /// `default` is the calendar compiled in the default zone (`rules.tz`).
    pub fn new(rules: CalendarRules, default: Calendar) -> RequesterZones {
        let rule = default.rule;
        let compiled = HashMap::from([(rules.tz, Arc::new(default))]);
        RequesterZones {
            rules,
            rule,
            compiled: Mutex::new(compiled),
        }
    }

    /// The calendar compiled in `tz` (spec exclusions and deadline rule), compiled on first use.
    fn in_zone(&self, tz: Tz) -> Arc<Calendar> {
        let cached = self.lock().get(&tz).cloned();
        if let Some(calendar) = cached {
            return calendar;
        }
        let rules = CalendarRules {
            tz,
            ..self.rules.clone()
        };
        let compiled = Arc::new(Calendar::from_rules(&rules, self.rule));
        Arc::clone(self.lock().entry(tz).or_insert(compiled))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Tz, Arc<Calendar>>> {
        // A panic while holding the lock cannot leave the map half-updated: keep using it.
        self.compiled
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Calendar {
    /// Whether the calendar says `timezone: requester`, so that [`Calendar::for_requester`]
    /// gives a different calendar per requester zone.
    pub fn is_requester_zoned(&self) -> bool {
        self.requester.is_some()
    }

    /// This calendar as it applies to a ticket whose requester is in `zone` (an IANA name, from
    /// the event's `requester_timezone` as of ticket creation).
    ///
    /// For a `timezone: requester` calendar the weekly hours, seasons, holidays and overrides
    /// are read in `zone`; when `zone` is `None` or not an IANA zone, in the calendar's
    /// `default_timezone`, and the second value says why (a warning to show, not an error).
    /// Any other calendar is returned as it is, with no warning, so callers may call this
    /// unconditionally. The result keeps this calendar's deadline rule and exclusions; apply
    /// [`Calendar::with_exclusions`] (paused clocks) to the result. Each zone is compiled once
    /// and cached inside the calendar (shared by its clones, thread-safe); a cache hit costs a
    /// lock and a hash lookup.
    ///
    /// ```
    /// use sla_calendar::{Calendar, CalendarSpec, ZoneFallback};
    /// use chrono::{DateTime, Utc};
    ///
    /// let spec: CalendarSpec = serde_json::from_str(r#"{
    ///     "timezone": "requester", "default_timezone": "Europe/Paris",
    ///     "hours": {"mon": [["09:00", "17:00"]]}
    /// }"#).unwrap();
    /// let calendar = Calendar::compile(&spec).unwrap();
    /// assert!(calendar.is_requester_zoned());
    /// let monday_8am_utc: DateTime<Utc> = "2026-01-05T08:00:00Z".parse().unwrap();
    ///
    /// let (sydney, warning) = calendar.for_requester(Some("Australia/Sydney"));
    /// assert_eq!(warning, None);
    /// assert!(!sydney.is_open(monday_8am_utc)); // 19:00 in Sydney
    ///
    /// let (paris, warning) = calendar.for_requester(Some("Mars/Olympus"));
    /// assert!(matches!(warning, Some(ZoneFallback::Unknown { .. })));
    /// assert!(paris.is_open(monday_8am_utc)); // 09:00 in Paris
    /// ```
    pub fn for_requester(&self, zone: Option<&str>) -> (Arc<Calendar>, Option<ZoneFallback>) {
        let Some(zones) = &self.requester else {
            return (Arc::new(self.clone()), None);
        };
        let default = zones.rules.tz;
        let (tz, fallback) = match zone.map(|z| (z, z.parse::<Tz>())) {
            Some((_, Ok(tz))) => (tz, None),
            Some((z, Err(_))) => (
                default,
                Some(ZoneFallback::Unknown {
                    zone: z.to_string(),
                    default,
                }),
            ),
            None => (default, Some(ZoneFallback::Missing { default })),
        };
        (self.adapt(zones.in_zone(tz)), fallback)
    }

    /// `zoned` with this calendar's deadline rule and exclusions (shared when they already match).
    fn adapt(&self, zoned: Arc<Calendar>) -> Arc<Calendar> {
        let same_exclusions = Arc::ptr_eq(&self.exclusions, &zoned.exclusions)
            || self.exclusions.spans() == zoned.exclusions.spans();
        match (same_exclusions, self.rule == zoned.rule) {
            (true, true) => zoned,
            (true, false) => Arc::new(zoned.with_deadline_rule(self.rule)),
            (false, _) => Arc::new(Calendar {
                exclusions: Arc::new(Exclusions::new(
                    &zoned.base,
                    self.exclusions.spans().iter().copied(),
                )),
                base: Arc::clone(&zoned.base),
                rule: self.rule,
                requester: None,
            }),
        }
    }
}
