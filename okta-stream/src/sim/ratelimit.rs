//! The simulated org's rate limit on `/api/v1/logs`: N requests per fixed window of W seconds,
//! shared by every client, as Okta's per-endpoint org buckets.
//!
//! Windows are aligned on multiples of W seconds of Unix time. Every request is counted (also the
//! rejected ones) and gets [`RateDecision`] headers: `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining`
//! and `X-Rate-Limit-Reset` (Unix seconds when the window ends). The N+1-th request of a window is
//! answered 429 `E0000047`. Per-window request counts are kept for statistics.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use super::SimError;

/// A limit: `limit` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per window.
    pub limit: u32,
    /// Window length (whole seconds, at least 1).
    pub window: Duration,
}

impl RateLimit {
    /// `limit` requests per `window_secs` seconds.
    pub fn new(limit: u32, window_secs: u64) -> RateLimit {
        RateLimit {
            limit,
            window: Duration::from_secs(window_secs.max(1)),
        }
    }
}

impl Default for RateLimit {
    /// 600 requests per minute: roomy, so that only tests that ask for a tight limit hit it.
    fn default() -> RateLimit {
        RateLimit::new(600, 60)
    }
}

impl FromStr for RateLimit {
    type Err = SimError;

    /// Parses `N/W` (e.g. `120/60`), W in seconds; `N` alone means per 60 s.
    fn from_str(s: &str) -> Result<RateLimit, SimError> {
        let bad = || {
            SimError::Config(format!(
                "invalid rate limit {s:?}: expected REQUESTS/SECONDS, e.g. 120/60"
            ))
        };
        let (n, w) = s.split_once('/').unwrap_or((s, "60"));
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        let w: u64 = w.trim().trim_end_matches('s').parse().map_err(|_| bad())?;
        if w == 0 {
            return Err(bad());
        }
        Ok(RateLimit::new(n, w))
    }
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// `X-Rate-Limit-Limit`.
    pub limit: u32,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: u32,
    /// `X-Rate-Limit-Reset` (Unix seconds).
    pub reset: u64,
}

/// The shared counter.
#[derive(Debug)]
pub struct Limiter {
    config: RateLimit,
    windows: Mutex<BTreeMap<u64, u32>>,
}

impl Limiter {
    /// A limiter with this limit.
    pub fn new(config: RateLimit) -> Limiter {
        Limiter {
            config,
            windows: Mutex::new(BTreeMap::new()),
        }
    }

    /// Counts a request made at Unix time `now_s`.
    pub fn hit(&self, now_s: u64) -> RateDecision {
        let w = self.config.window.as_secs().max(1);
        let start = now_s / w * w;
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let count = windows.entry(start).or_insert(0);
        *count = count.saturating_add(1);
        RateDecision {
            allowed: *count <= self.config.limit,
            limit: self.config.limit,
            remaining: self.config.limit.saturating_sub(*count),
            reset: start + w,
        }
    }

    /// Requests counted per window: (window start, Unix seconds; count), oldest first.
    pub fn per_window(&self) -> Vec<(u64, u32)> {
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// The configured limit.
    pub fn config(&self) -> RateLimit {
        self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_aligned_window() {
        let l = Limiter::new(RateLimit::new(2, 10));
        let a = l.hit(1_000_001);
        assert!(a.allowed && a.remaining == 1 && a.reset == 1_000_010);
        assert!(l.hit(1_000_009).allowed);
        let c = l.hit(1_000_009);
        assert!(!c.allowed && c.remaining == 0);
        assert!(l.hit(1_000_010).allowed);
        assert_eq!(l.per_window(), vec![(1_000_000, 3), (1_000_010, 1)]);
    }

    #[test]
    fn parses_specs() {
        assert_eq!(
            "120/60".parse::<RateLimit>().unwrap(),
            RateLimit::new(120, 60)
        );
        assert_eq!("5/2s".parse::<RateLimit>().unwrap(), RateLimit::new(5, 2));
        assert_eq!("50".parse::<RateLimit>().unwrap(), RateLimit::new(50, 60));
        assert!("x/1".parse::<RateLimit>().is_err());
        assert!("1/0".parse::<RateLimit>().is_err());
    }
}
