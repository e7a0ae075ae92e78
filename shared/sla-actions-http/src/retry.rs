//! The bounded retry loop: exponential backoff for 5xx, 409 and transport errors, the
//! service's own delay for 429; sleeping goes through a [`Sleeper`] so tests never sleep.

use std::future::Future;
use std::time::Duration;

use crate::outcome::Outcome;

/// How often and how long to retry one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff before the 2nd attempt; doubled before each later one.
    pub base_delay: Duration,
    /// Longest backoff; also the longest `Retry-After` waited for here (a longer one
    /// returns [`Outcome::Retry`] to the host, which re-queues the action).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, 1 s, 2 s, 4 s, 8 s apart, waiting at most 60 s for a `Retry-After`.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The backoff before attempt `attempt` (2 = the first retry).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(20);
        self.base_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }
}

/// Waits; [`TokioSleeper`] in production, a recording fake in tests.
pub trait Sleeper: Send + Sync {
    /// Waits `delay`.
    fn sleep(&self, delay: Duration) -> impl Future<Output = ()> + Send;
}

/// Sleeps with `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    async fn sleep(&self, delay: Duration) {
        tokio::time::sleep(delay).await;
    }
}

/// The final outcome of a retried action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempted {
    /// The last attempt's outcome.
    pub outcome: Outcome,
    /// Attempts made.
    pub attempts: u32,
    /// Time slept between attempts.
    pub waited: Duration,
}

/// Runs `attempt` until it is not [`Outcome::Retry`], `policy.max_attempts` are made, or
/// the service asks for a wait longer than `policy.max_delay`.
pub async fn with_retries<F, Fut>(
    policy: &RetryPolicy,
    sleeper: &impl Sleeper,
    mut attempt: F,
) -> Attempted
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Outcome>,
{
    let mut attempts = 0;
    let mut waited = Duration::ZERO;
    loop {
        attempts += 1;
        let outcome = attempt().await;
        let Outcome::Retry { after, reason } = &outcome else {
            return Attempted {
                outcome,
                attempts,
                waited,
            };
        };
        let delay = after.unwrap_or_else(|| policy.backoff(attempts + 1));
        if attempts >= policy.max_attempts.max(1) || delay > policy.max_delay {
            return Attempted {
                outcome,
                attempts,
                waited,
            };
        }
        tracing::info!(attempt = attempts, ?delay, %reason, "retrying action");
        sleeper.sleep(delay).await;
        waited += delay;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
        };
        let delays: Vec<u64> = (2..=6).map(|a| policy.backoff(a).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 5, 5]);
    }
}
