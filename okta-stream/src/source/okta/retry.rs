//! Exponential backoff with jitter for retrying the same request.
//!
//! The poller asks [`Backoff::next_delay`] after each failed attempt (5xx, timeout, connection
//! error, malformed body, 429 without a usable `Reset`) and sleeps that long before requesting the
//! same URL again; it calls [`Backoff::reset`] after a success. Delays grow `base * 2^n`, capped at
//! `cap`, with "equal jitter" (a random point in the upper half) so that many clients do not retry
//! in lock-step. There is no attempt limit: the poller retries forever and logs every retry.

use std::time::Duration;

use rand::Rng;

/// Backoff settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// The first delay (before jitter).
    pub base: Duration,
    /// The largest delay.
    pub cap: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
        }
    }
}

/// The state of one retry sequence.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    attempt: u32,
}

impl Backoff {
    /// A fresh sequence.
    pub fn new(policy: BackoffPolicy) -> Backoff {
        Backoff { policy, attempt: 0 }
    }

    /// The number of failures since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The delay before the next retry; each call doubles the ceiling up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        let jitter_ns = u64::try_from((ceiling - half).as_nanos()).unwrap_or(u64::MAX);
        let extra = if jitter_ns == 0 {
            0
        } else {
            rand::rng().random_range(0..=jitter_ns)
        };
        half + Duration::from_nanos(extra)
    }

    /// The un-jittered delay the next call works from.
    fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        self.policy
            .base
            .checked_mul(factor)
            .unwrap_or(self.policy.cap)
            .min(self.policy.cap)
    }

    /// Starts over after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_jitter_bounds_and_caps() {
        let policy = BackoffPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        };
        let mut b = Backoff::new(policy);
        let expected_ceilings = [100u64, 200, 400, 800, 1000, 1000, 1000];
        for ceiling in expected_ceilings {
            let d = b.next_delay();
            let c = Duration::from_millis(ceiling);
            assert!(d >= c / 2 && d <= c, "{d:?} not in [{:?}, {c:?}]", c / 2);
        }
        // Many attempts never overflow and stay at the cap.
        for _ in 0..100 {
            assert!(b.next_delay() <= policy.cap);
        }
        b.reset();
        assert_eq!(b.attempts(), 0);
        assert!(b.next_delay() <= Duration::from_millis(100));
    }

    #[test]
    fn jitter_varies() {
        let policy = BackoffPolicy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(10),
        };
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| Backoff::new(policy).next_delay()).collect();
        assert!(delays.len() > 1);
    }

    #[test]
    fn zero_base_gives_zero_delays() {
        let mut b = Backoff::new(BackoffPolicy {
            base: Duration::ZERO,
            cap: Duration::ZERO,
        });
        assert_eq!(b.next_delay(), Duration::ZERO);
    }
}
