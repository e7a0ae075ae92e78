//! Bounded exponential backoff shared by the sinks that talk to a network.

use std::time::Duration;

/// How often and how patiently a failed network send is retried, within one publish.
///
/// Deliberately not `sla_app::retry::ConflictRetry` (a store write lost to a racing
/// writer: short, jittered waits) nor `sla_app::PublishRetry` (across sweeps, minutes):
/// a sink retries throttling or a 5xx from its endpoint, without jitter, and this crate
/// sits below `sla-app`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRetry {
    /// Sends per event, the first included (at least 1).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each later one.
    pub base_delay: Duration,
    /// Upper bound of one wait.
    pub max_delay: Duration,
}

impl Default for SendRetry {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl SendRetry {
    /// The wait before attempt number `attempt` (2 = first retry).
    pub fn delay_before(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(16);
        self.base_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let policy = SendRetry::default();
        let waits: Vec<u128> = (2..=7)
            .map(|a| policy.delay_before(a).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 800, 1600, 2000]);
        assert_eq!(policy.delay_before(u32::MAX), policy.max_delay);
    }
}
