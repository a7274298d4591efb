//! Request pacing: a local quota plus Okta's `X-Rate-Limit-*` response headers.
//!
//! Before each request the poller awaits [`Pacer::ready`]: it first honours any hold set by the
//! headers of an earlier response, then takes a token from a `governor` quota (requests per
//! minute, default 30: safe for a Workforce org whose `/api/v1/logs` bucket of 120/min is shared
//! with other clients and capped at 50 % per token). After each response the poller hands the
//! parsed [`RateLimitHeaders`] to [`Pacer::observe`]: when `Remaining` is at or below the
//! configured reserve, the next request waits until `Reset`, measured against the response's
//! `Date` header to cancel clock skew (`reset - date + margin`, from local now). A missing or
//! unparsable header is "no information", never an error.

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::HeaderMap;

/// The longest wait a `Reset` header can impose (guards against a wild clock or header).
pub const MAX_RESET_WAIT: Duration = Duration::from_secs(120);

/// Okta's rate-limit headers of one response, each `None` when absent or unparsable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-Rate-Limit-Limit`: the ceiling of the current window.
    pub limit: Option<u64>,
    /// `X-Rate-Limit-Remaining`: requests left in the current window.
    pub remaining: Option<u64>,
    /// `X-Rate-Limit-Reset`: when the window resets, UTC epoch seconds.
    pub reset: Option<u64>,
    /// The response `Date` header, epoch seconds (the server's clock).
    pub date: Option<u64>,
}

/// One numeric header; several differing values or a non-number mean "no information".
fn number(headers: &HeaderMap, name: &str) -> Option<u64> {
    let mut found: Option<u64> = None;
    for value in headers.get_all(name) {
        let v: u64 = value.to_str().ok()?.trim().parse().ok()?;
        match found {
            Some(prev) if prev != v => return None,
            _ => found = Some(v),
        }
    }
    found
}

impl RateLimitHeaders {
    /// Reads the headers of a response.
    pub fn from_headers(headers: &HeaderMap) -> RateLimitHeaders {
        let date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| httpdate::parse_http_date(s.trim()).ok())
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        RateLimitHeaders {
            limit: number(headers, "x-rate-limit-limit"),
            remaining: number(headers, "x-rate-limit-remaining"),
            reset: number(headers, "x-rate-limit-reset"),
            date,
        }
    }

    /// True when the headers describe a concurrency limit (Limit = 0): `Reset` is only an estimate.
    pub fn is_concurrency_limit(&self) -> bool {
        self.limit == Some(0)
    }

    /// How long from now until the window has reset: `reset - date + margin`, using the server's
    /// `Date` when present (skew-free) or the local clock otherwise, capped at [`MAX_RESET_WAIT`].
    /// `None` when `Reset` is absent.
    pub fn until_reset(&self, local_now: SystemTime, margin: Duration) -> Option<Duration> {
        let reset = self.reset?;
        let now = match self.date {
            Some(d) => Duration::from_secs(d),
            None => local_now.duration_since(UNIX_EPOCH).ok()?,
        };
        let wait = Duration::from_secs(reset).saturating_sub(now) + margin;
        Some(wait.min(MAX_RESET_WAIT))
    }
}

/// Pacing settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacePolicy {
    /// Local quota; `None` disables it (then only the headers pace).
    pub requests_per_minute: Option<NonZeroU32>,
    /// Wait for `Reset` once `Remaining` is at or below this.
    pub reserve: u64,
    /// Added to every `Reset` wait for clock granularity (Okta's SDK uses 1 s).
    pub reset_margin: Duration,
}

/// The default local quota.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 30;
/// The default `Remaining` reserve left for other clients of the bucket.
pub const DEFAULT_RESERVE: u64 = 5;

impl Default for PacePolicy {
    fn default() -> Self {
        PacePolicy {
            requests_per_minute: NonZeroU32::new(DEFAULT_REQUESTS_PER_MINUTE),
            reserve: DEFAULT_RESERVE,
            reset_margin: Duration::from_secs(1),
        }
    }
}

/// Paces the requests of one org.
pub struct Pacer {
    policy: PacePolicy,
    limiter: Option<DefaultDirectRateLimiter>,
    hold_until: Option<tokio::time::Instant>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("policy", &self.policy)
            .field("hold_until", &self.hold_until)
            .finish()
    }
}

impl Pacer {
    /// A pacer with `policy`. The quota allows a burst of a sixth of a minute's requests.
    pub fn new(policy: PacePolicy) -> Pacer {
        let limiter = policy.requests_per_minute.map(|rpm| {
            let burst = NonZeroU32::new((rpm.get() / 6).max(1)).unwrap_or(NonZeroU32::MIN);
            RateLimiter::direct(Quota::per_minute(rpm).allow_burst(burst))
        });
        Pacer {
            policy,
            limiter,
            hold_until: None,
        }
    }

    /// Waits until the next request may go out.
    pub async fn ready(&mut self) {
        if let Some(until) = self.hold_until {
            tokio::time::sleep_until(until).await;
            self.hold_until = None;
        }
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
    }

    /// Holds the next request for at least `wait`.
    pub fn hold_for(&mut self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        self.hold_until = Some(match self.hold_until {
            Some(prev) if prev > until => prev,
            _ => until,
        });
    }

    /// Takes in the headers of a successful response. Returns the wait it imposed, if any.
    pub fn observe(&mut self, headers: &RateLimitHeaders) -> Option<Duration> {
        let remaining = headers.remaining?;
        if remaining > self.policy.reserve || headers.is_concurrency_limit() {
            return None;
        }
        let wait = headers.until_reset(SystemTime::now(), self.policy.reset_margin)?;
        self.hold_for(wait);
        Some(wait)
    }

    /// The wait a 429 response asks for: until `Reset` (skew-corrected), or `None` when the
    /// headers give no usable reset (absent, or a concurrency limit whose reset is an estimate).
    pub fn wait_after_429(&self, headers: &RateLimitHeaders) -> Option<Duration> {
        if headers.is_concurrency_limit() {
            return None;
        }
        headers.until_reset(SystemTime::now(), self.policy.reset_margin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn parses_okta_headers() {
        let h = headers(&[
            ("x-rate-limit-limit", "120"),
            ("x-rate-limit-remaining", "7"),
            ("x-rate-limit-reset", "1609459260"),
            ("date", "Fri, 01 Jan 2021 00:00:30 GMT"),
        ]);
        let r = RateLimitHeaders::from_headers(&h);
        assert_eq!(r.limit, Some(120));
        assert_eq!(r.remaining, Some(7));
        assert_eq!(r.reset, Some(1_609_459_260));
        assert_eq!(r.date, Some(1_609_459_230));
    }

    #[test]
    fn missing_or_garbage_headers_are_no_information() {
        assert_eq!(
            RateLimitHeaders::from_headers(&HeaderMap::new()),
            RateLimitHeaders::default()
        );
        let h = headers(&[
            ("x-rate-limit-limit", "lots"),
            ("x-rate-limit-remaining", "-1"),
            ("x-rate-limit-reset", "1609459260, 1609459320"),
            ("date", "yesterday"),
        ]);
        assert_eq!(
            RateLimitHeaders::from_headers(&h),
            RateLimitHeaders::default()
        );
        // Duplicate header lines that disagree are ignored; agreeing ones are fine.
        let h = headers(&[
            ("x-rate-limit-reset", "100"),
            ("x-rate-limit-reset", "200"),
            ("x-rate-limit-remaining", "3"),
            ("x-rate-limit-remaining", "3"),
        ]);
        let r = RateLimitHeaders::from_headers(&h);
        assert_eq!(r.reset, None);
        assert_eq!(r.remaining, Some(3));
    }

    #[test]
    fn reset_wait_uses_server_date_not_local_clock() {
        let r = RateLimitHeaders {
            limit: Some(120),
            remaining: Some(0),
            reset: Some(1_000_060),
            date: Some(1_000_020),
        };
        // The local clock is far off; the wait is still reset - date + margin.
        let skewed = UNIX_EPOCH + Duration::from_secs(5_000_000);
        assert_eq!(
            r.until_reset(skewed, Duration::from_secs(1)),
            Some(Duration::from_secs(41))
        );
        // Without Date, the local clock is used; a reset in the past waits only the margin.
        let no_date = RateLimitHeaders { date: None, ..r };
        let local = UNIX_EPOCH + Duration::from_secs(1_000_050);
        assert_eq!(
            no_date.until_reset(local, Duration::ZERO),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            no_date.until_reset(skewed, Duration::from_secs(1)),
            Some(Duration::from_secs(1))
        );
        // A wild reset is capped.
        let wild = RateLimitHeaders {
            reset: Some(9_000_000),
            ..r
        };
        assert_eq!(
            wild.until_reset(skewed, Duration::ZERO),
            Some(MAX_RESET_WAIT)
        );
        assert_eq!(
            RateLimitHeaders::default().until_reset(skewed, Duration::ZERO),
            None
        );
    }

    #[tokio::test]
    async fn observe_holds_only_at_or_below_reserve() {
        let mut p = Pacer::new(PacePolicy {
            requests_per_minute: None,
            reserve: 2,
            reset_margin: Duration::ZERO,
        });
        let base = RateLimitHeaders {
            limit: Some(10),
            remaining: Some(3),
            reset: Some(100),
            date: Some(100),
        };
        assert_eq!(p.observe(&base), None);
        assert_eq!(
            p.observe(&RateLimitHeaders {
                remaining: Some(2),
                ..base
            }),
            Some(Duration::ZERO)
        );
        // Concurrency-limit headers (Limit 0) do not describe the window.
        let conc = RateLimitHeaders {
            limit: Some(0),
            remaining: Some(0),
            ..base
        };
        assert_eq!(p.observe(&conc), None);
        assert_eq!(p.wait_after_429(&conc), None);
        assert_eq!(p.wait_after_429(&base), Some(Duration::ZERO));
        assert_eq!(p.observe(&RateLimitHeaders::default()), None);
        p.ready().await;
    }
}
