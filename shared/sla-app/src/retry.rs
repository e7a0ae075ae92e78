//! Bounded retry with exponential backoff and jitter for optimistic-concurrency conflicts.

use std::time::Duration;

use sla_store::TicketKey;

/// How often and how patiently a conflicting write is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles each time.
    pub base_backoff: Duration,
    /// Upper bound of one backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(500),
        }
    }
}

impl RetryPolicy {
    /// The pause before attempt `attempt` (1-based; attempt 1 has none), with full jitter.
    pub fn backoff(&self, attempt: u32, seed: u64) -> Duration {
        if attempt <= 1 {
            return Duration::ZERO;
        }
        let exp = self
            .base_backoff
            .saturating_mul(1u32 << (attempt - 2).min(16))
            .min(self.max_backoff);
        let nanos = exp.as_nanos() as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        // SplitMix64 of the seed: cheap, deterministic jitter without a rand dependency.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Duration::from_nanos(nanos / 2 + z % (nanos / 2 + 1))
    }
}

/// Jitter seed that differs per ticket and attempt.
pub(crate) fn seed(key: &TicketKey, attempt: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.tenant.bytes().chain([0]).chain(key.ticket_id.bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ attempt as u64 ^ std::process::id() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1, 7), Duration::ZERO);
        let second = policy.backoff(2, 7);
        assert!(second >= Duration::from_millis(5) && second <= Duration::from_millis(10));
        for attempt in 2..40 {
            assert!(policy.backoff(attempt, attempt as u64) <= policy.max_backoff);
        }
        let late = policy.backoff(12, 3);
        assert!(late >= policy.max_backoff / 2);
    }
}
