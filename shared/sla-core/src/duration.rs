//! Target durations and warning thresholds as written in policy files.
//!
//! A duration is one or more `<number><unit>` parts with units `h`, `m`, `s` in that
//! order (`30m`, `4h`, `1h30m`, `90s`). There is deliberately no `d` unit: a helpdesk
//! "day" may mean 24 hours or one business day, so the file must say hours.

use std::fmt;

/// Parses `1h30m`-style text into whole seconds (always positive).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration; write e.g. 30m, 4h or 1h30m".into());
    }
    let mut seconds: i64 = 0;
    let mut digits = String::new();
    let mut last_rank = 0;
    for ch in trimmed.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let rank = unit_rank(ch, trimmed)?;
        if digits.is_empty() {
            return Err(format!("{text:?}: unit '{ch}' without a number"));
        }
        if rank <= last_rank {
            return Err(format!(
                "{text:?}: units must appear once each, in the order h, m, s"
            ));
        }
        last_rank = rank;
        let value: i64 = digits
            .parse()
            .map_err(|_| format!("{text:?}: number too large"))?;
        seconds = value
            .checked_mul(unit_seconds(rank))
            .and_then(|part| seconds.checked_add(part))
            .ok_or_else(|| format!("{text:?}: duration too large"))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!(
            "{text:?}: missing unit after {digits}; use h, m or s"
        ));
    }
    if seconds == 0 {
        return Err(format!("{text:?}: a duration must be positive"));
    }
    Ok(seconds)
}

fn unit_rank(unit: char, text: &str) -> Result<u8, String> {
    match unit {
        'h' => Ok(1),
        'm' => Ok(2),
        's' => Ok(3),
        'd' => Err(format!(
            "{text:?}: no 'd' unit (a day means different things to different helpdesks); use hours"
        )),
        'w' => Err(format!(
            "{text:?}: no 'w' unit (a week means different things to different helpdesks); use hours"
        )),
        other => Err(format!("{text:?}: unknown unit '{other}'; use h, m or s")),
    }
}

fn unit_seconds(rank: u8) -> i64 {
    match rank {
        1 => 3600,
        2 => 60,
        _ => 1,
    }
}

/// Formats seconds the way policy files write them (`1h30m`, `45m`, `90s` → `1m30s`).
pub fn format_duration(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".into();
    }
    let sign = if seconds < 0 { "-" } else { "" };
    let total = seconds.unsigned_abs();
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
    let mut out = String::from(sign);
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// When to warn before a breach: a share of the target or a lead time before the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarnThreshold {
    /// Warn when this share of the target is used, in hundredths of a percent (7500 = 75%).
    Percent {
        /// The share, in basis points.
        basis_points: u32,
    },
    /// Warn when this much business time is left before the deadline.
    Lead {
        /// Business seconds before the deadline.
        seconds: i64,
    },
}

impl WarnThreshold {
    /// Parses `75%`, `87.5%` or a duration such as `15m`.
    pub fn parse(text: &str) -> Result<WarnThreshold, String> {
        let trimmed = text.trim();
        match trimmed.strip_suffix('%') {
            Some(number) => {
                let value: f64 = number
                    .trim()
                    .parse()
                    .map_err(|_| format!("{text:?}: not a percentage; write e.g. 75%"))?;
                if !(value > 0.0 && value.is_finite()) {
                    return Err(format!("{text:?}: a percentage must be positive"));
                }
                let basis_points = (value * 100.0).round();
                if basis_points > f64::from(u32::MAX) {
                    return Err(format!("{text:?}: percentage too large"));
                }
                Ok(WarnThreshold::Percent {
                    basis_points: basis_points as u32,
                })
            }
            None => parse_duration(trimmed)
                .map(|seconds| WarnThreshold::Lead { seconds })
                .map_err(|reason| {
                    format!("{reason} (a warning is a percentage like 75% or a lead time like 15m)")
                }),
        }
    }

    /// Business seconds into the cycle at which the warning is due, if it falls strictly
    /// inside `(0, target)`; thresholds at or beyond the target never fire.
    pub fn budget(&self, target_seconds: i64) -> Option<i64> {
        let budget = match self {
            WarnThreshold::Percent { basis_points } => {
                target_seconds.saturating_mul(i64::from(*basis_points)) / 10_000
            }
            WarnThreshold::Lead { seconds } => target_seconds - seconds,
        };
        (budget > 0 && budget < target_seconds).then_some(budget)
    }
}

impl fmt::Display for WarnThreshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarnThreshold::Percent { basis_points } if basis_points % 100 == 0 => {
                write!(f, "{}%", basis_points / 100)
            }
            WarnThreshold::Percent { basis_points } => {
                write!(f, "{}%", f64::from(*basis_points) / 100.0)
            }
            WarnThreshold::Lead { seconds } => f.write_str(&format_duration(*seconds)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hours_minutes_seconds() {
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("4h"), Ok(14_400));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("1h0m5s"), Ok(3605));
    }

    #[test]
    fn rejects_days_with_the_reason() {
        let err = parse_duration("3d").unwrap_err();
        assert!(err.contains("no 'd' unit"), "{err}");
        assert!(err.contains("use hours"), "{err}");
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in ["", "30", "m", "30m1h", "1h1h", "0m", "2x"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn formats_round_trip() {
        for text in ["30m", "4h", "1h30m", "1m30s", "2h0m1s"] {
            let seconds = parse_duration(text).unwrap();
            assert_eq!(parse_duration(&format_duration(seconds)), Ok(seconds));
        }
        assert_eq!(format_duration(5400), "1h30m");
    }

    #[test]
    fn warning_budgets() {
        let percent = WarnThreshold::parse("75%").unwrap();
        assert_eq!(percent.budget(3600), Some(2700));
        assert_eq!(percent.to_string(), "75%");
        let lead = WarnThreshold::parse("15m").unwrap();
        assert_eq!(lead.budget(3600), Some(2700));
        assert_eq!(lead.budget(900), None);
        assert_eq!(WarnThreshold::parse("100%").unwrap().budget(3600), None);
        assert_eq!(WarnThreshold::parse("87.5%").unwrap().to_string(), "87.5%");
        assert!(WarnThreshold::parse("1d").is_err());
        assert!(WarnThreshold::parse("-5%").is_err());
    }
}
