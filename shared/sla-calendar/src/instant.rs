//! Instants and durations as integer nanoseconds, and the supported range.

use chrono::{DateTime, Duration, Utc};

/// Nanoseconds since 1970-01-01T00:00:00Z (UTC) or, for local wall-clock values, since
/// 1970-01-01T00:00:00 local.
pub(crate) type Nanos = i64;

pub(crate) const SECOND: Nanos = 1_000_000_000;
pub(crate) const DAY: Nanos = 86_400 * SECOND;
pub(crate) const WEEK: Nanos = 7 * DAY;

/// 1900-01-01T00:00:00Z in seconds since the epoch.
const MIN_SECONDS: i64 = -2_208_988_800;
/// 2200-01-01T00:00:00Z in seconds since the epoch.
const MAX_SECONDS: i64 = 7_258_118_400;

/// First instant of the supported range, 1900-01-01T00:00:00Z.
pub(crate) const MIN: Nanos = MIN_SECONDS * SECOND;
/// End of the supported range (exclusive), 2200-01-01T00:00:00Z.
pub(crate) const MAX: Nanos = MAX_SECONDS * SECOND;

/// The supported range as instants: `[1900-01-01T00:00:00Z, 2200-01-01T00:00:00Z]`.
pub fn supported_range() -> (DateTime<Utc>, DateTime<Utc>) {
    (to_datetime(MIN), to_datetime(MAX))
}

/// Whether `t` lies in the supported range (both ends included).
pub(crate) fn in_range(t: DateTime<Utc>) -> bool {
    (MIN_SECONDS..=MAX_SECONDS).contains(&t.timestamp())
        && (t.timestamp() < MAX_SECONDS || t.timestamp_subsec_nanos() == 0)
}

/// `t` as nanoseconds, clamped into the supported range.
pub(crate) fn clamp_nanos(t: DateTime<Utc>) -> Nanos {
    let secs = t.timestamp();
    if secs < MIN_SECONDS {
        MIN
    } else if secs >= MAX_SECONDS {
        MAX
    } else {
        secs * SECOND + i64::from(t.timestamp_subsec_nanos())
    }
}

/// Nanoseconds back to an instant; every value in the supported range is representable.
pub(crate) fn to_datetime(t: Nanos) -> DateTime<Utc> {
    DateTime::from_timestamp(t.div_euclid(SECOND), t.rem_euclid(SECOND) as u32)
        // Every value in the supported range is representable; saturate beyond it.
        .unwrap_or(if t < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// A duration as signed nanoseconds (i128: chrono durations exceed i64 nanoseconds).
pub(crate) fn duration_nanos(d: Duration) -> i128 {
    i128::from(d.num_seconds()) * i128::from(SECOND) + i128::from(d.subsec_nanos())
}

/// Signed nanoseconds back to a duration (saturating at chrono's limits).
pub(crate) fn to_duration(n: i128) -> Duration {
    let secs = n.div_euclid(i128::from(SECOND));
    let nanos = n.rem_euclid(i128::from(SECOND)) as u32;
    i64::try_from(secs)
        .ok()
        .and_then(|s| Duration::new(s, nanos))
        .unwrap_or(if n < 0 { Duration::MIN } else { Duration::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_ends_are_the_documented_instants() {
        let (lo, hi) = supported_range();
        assert_eq!(lo.to_rfc3339(), "1900-01-01T00:00:00+00:00");
        assert_eq!(hi.to_rfc3339(), "2200-01-01T00:00:00+00:00");
    }

    #[test]
    fn nanos_round_trip_keeps_sub_second_precision() {
        let t = DateTime::parse_from_rfc3339("2026-03-29T01:30:00.123456789Z").unwrap();
        let t = t.with_timezone(&Utc);
        assert_eq!(to_datetime(clamp_nanos(t)), t);
    }

    #[test]
    fn negative_durations_round_trip() {
        let d = Duration::new(-5, 250).unwrap();
        assert_eq!(to_duration(duration_nanos(d)), d);
    }

    #[test]
    fn out_of_range_instants_are_clamped() {
        let early = DateTime::parse_from_rfc3339("1800-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        assert!(!in_range(early));
        assert_eq!(clamp_nanos(early), MIN);
    }
}
