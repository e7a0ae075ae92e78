//! Bounded retry with exponential backoff: with jitter for optimistic-concurrency
//! conflicts ([`ConflictRetry`], driven by one loop), and across sweeps for publishing
//! ([`PublishRetry`]).

use std::time::Duration;

use sla_store::TicketKey;

/// How often and how patiently a conflicting write is retried (within one request, with
/// full jitter so racing writers spread out). Not `sla_events::SendRetry`: that one
/// retries a failed network send, without jitter, and is tuned per sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConflictRetry {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles each time.
    pub base_backoff: Duration,
    /// Upper bound of one backoff.
    pub max_backoff: Duration,
}

impl Default for ConflictRetry {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(500),
        }
    }
}

impl ConflictRetry {
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

/// How failed publishes of one outbox entry are retried by later sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishRetry {
    /// Failed attempts after which the entry is dead-lettered (at least 1).
    pub max_attempts: u32,
    /// Wait after the first failure; doubles after each further one.
    pub base_backoff: chrono::Duration,
    /// Upper bound of one wait.
    pub max_backoff: chrono::Duration,
}

/// Failed publish attempts before an entry is dead-lettered, unless configured.
pub const DEFAULT_MAX_PUBLISH_ATTEMPTS: u32 = 20;

impl Default for PublishRetry {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_PUBLISH_ATTEMPTS,
            base_backoff: chrono::Duration::minutes(1),
            max_backoff: chrono::Duration::hours(1),
        }
    }
}

impl PublishRetry {
    /// The wait after `failures` failed attempts (1-based): `base * 2^(failures-1)`,
    /// capped at `max_backoff`.
    pub fn backoff(&self, failures: u32) -> chrono::Duration {
        let doublings = failures.saturating_sub(1).min(30);
        self.base_backoff
            .checked_mul(1i32 << doublings)
            .map_or(self.max_backoff, |wait| wait.min(self.max_backoff))
    }

    /// Whether an entry that failed `failures` times is given up on.
    pub fn exhausted(&self, failures: u32) -> bool {
        failures >= self.max_attempts.max(1)
    }
}

/// The attempts of one read-modify-write of a ticket's record: each [`Attempts::next`]
/// waits the policy's jittered backoff (none before the first) and yields the attempt's
/// 1-based number, until `max_attempts` are used. The loop body loads, changes and saves,
/// and `continue`s on a version conflict.
pub(crate) struct Attempts<'a> {
    policy: &'a ConflictRetry,
    key: &'a TicketKey,
    used: u32,
}

impl<'a> Attempts<'a> {
    /// The attempts `policy` allows for writing `key`'s record.
    pub(crate) fn new(policy: &'a ConflictRetry, key: &'a TicketKey) -> Self {
        Self {
            policy,
            key,
            used: 0,
        }
    }

    /// Waits before the next attempt and returns its number; `None` when none is left.
    pub(crate) async fn next(&mut self) -> Option<u32> {
        if self.used >= self.policy.max_attempts {
            return None;
        }
        self.used += 1;
        let pause = self.policy.backoff(self.used, seed(self.key, self.used));
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        Some(self.used)
    }

    /// Attempts made so far (all of them once `next` returned `None`).
    pub(crate) fn used(&self) -> u32 {
        self.used
    }
}

/// Jitter seed that differs per ticket and attempt.
fn seed(key: &TicketKey, attempt: u32) -> u64 {
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
        let policy = ConflictRetry::default();
        assert_eq!(policy.backoff(1, 7), Duration::ZERO);
        let second = policy.backoff(2, 7);
        assert!(second >= Duration::from_millis(5) && second <= Duration::from_millis(10));
        for attempt in 2..40 {
            assert!(policy.backoff(attempt, attempt as u64) <= policy.max_backoff);
        }
        let late = policy.backoff(12, 3);
        assert!(late >= policy.max_backoff / 2);
    }

    #[tokio::test]
    async fn attempts_count_up_to_the_policy_then_stop() {
        let policy = ConflictRetry {
            max_attempts: 3,
            base_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        };
        let key = TicketKey::new("acme", "1");
        let mut attempts = Attempts::new(&policy, &key);
        let mut seen = Vec::new();
        while let Some(attempt) = attempts.next().await {
            seen.push(attempt);
        }
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(attempts.used(), 3);
        assert_eq!(attempts.next().await, None, "stays exhausted");
    }

    #[test]
    fn publish_backoff_doubles_up_to_the_cap() {
        let retry = PublishRetry::default();
        let minutes: Vec<i64> = (1..=8).map(|n| retry.backoff(n).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(retry.backoff(u32::MAX), retry.max_backoff, "no overflow");
        assert!(!retry.exhausted(19) && retry.exhausted(20));
        let never_zero = PublishRetry {
            max_attempts: 0,
            ..retry
        };
        assert!(!never_zero.exhausted(0) && never_zero.exhausted(1));
    }
}
