//! Request pacing: a local quota plus Okta's `X-Rate-Limit-*` response headers.
//!
//! Before each request the poller awaits [`Pacer::ready`]: it first honours any hold set by the
//! headers of an earlier response, then takes a token from a `governor` quota (requests per
//! minute, default 30: safe for a Workforce org whose `/api/v1/logs` bucket of 120/min is shared
//! with other clients and capped at 50 % per token). After each response the poller hands the
//! parsed [`RateLimitHeaders`] to [`Pacer::observe`]: when `Remaining` is at or below the
//! configured reserve, the next request waits precisely until `Reset` on the server's clock.
//!
//! The server's clock is estimated by [`ServerClock`] from the `Date` headers of recent responses:
//! `Date` has whole seconds, so one response only says "the server's clock was at least `Date`
//! when this arrived"; the largest `Date - local receipt time` over recent responses is a lower
//! bound of the offset that converges to within a few milliseconds of the true one after a few
//! responses spread over a second. Waiting until `Reset` on that estimate is never early (no 429)
//! and, unlike `Reset - Date`, does not waste up to a whole window at each boundary, so a
//! catch-up uses the full budget of each window. A missing or unparsable header is "no
//! information", never an error (without any `Date` the local clock is used).

use std::collections::VecDeque;
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

/// An estimate of the server's clock from `Date` headers (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct ServerClock {
    /// `Date - local receipt time` of recent responses, nanoseconds (newest last).
    samples: VecDeque<i128>,
}

/// Nanoseconds since the epoch (negative before it).
fn epoch_ns(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

impl ServerClock {
    /// How many recent responses the estimate uses; older ones age out, so that a server clock
    /// that was stepped back is followed after this many responses.
    pub const SAMPLES: usize = 64;

    /// Records a response whose `Date` header said `date` (epoch seconds), received at `local`.
    pub fn observe(&mut self, date: u64, local: SystemTime) {
        if self.samples.len() == Self::SAMPLES {
            self.samples.pop_front();
        }
        self.samples
            .push_back(i128::from(date) * 1_000_000_000 - epoch_ns(local));
    }

    /// A lower bound of `server clock - local clock`, in nanoseconds (`None` before any `Date`).
    pub fn offset_ns(&self) -> Option<i128> {
        self.samples.iter().copied().max()
    }

    /// How long from `local_now` until the server's clock reads `reset` (epoch seconds), plus
    /// `margin`, capped at [`MAX_RESET_WAIT`]. Never shorter than the true wait when the server's
    /// clock runs steadily; the local clock stands in when no `Date` was seen.
    pub fn until(&self, reset: u64, local_now: SystemTime, margin: Duration) -> Duration {
        let server_now = epoch_ns(local_now) + self.offset_ns().unwrap_or(0);
        let ns = i128::from(reset) * 1_000_000_000 - server_now;
        let wait = if ns > 0 {
            Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
        } else {
            Duration::ZERO
        };
        (wait + margin).min(MAX_RESET_WAIT)
    }
}

/// Pacing settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacePolicy {
    /// Local quota; `None` disables it (then only the headers pace).
    pub requests_per_minute: Option<NonZeroU32>,
    /// Wait for `Reset` once `Remaining` is at or below this ([`DEFAULT_RESERVE`]; 0 uses the
    /// whole budget of each window).
    pub reserve: u64,
    /// Added to every `Reset` wait (default 1 s, as Okta's SDKs; the wait itself is already
    /// skew-corrected, so 0 is safe against a server whose clock runs steadily).
    pub reset_margin: Duration,
}

/// The default local quota.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 30;
/// The default `Remaining` reserve left for other clients of the bucket.
///
/// Okta's `/api/v1/logs` limit is one bucket per org shared by every client of the org (other
/// SIEM collectors, scripts, the Admin Console's own System Log views). Stopping 5 requests short
/// of the limit in each window leaves those room, so that a catch-up by this poller does not make
/// them fail with 429s. A deployment that is the only reader of the bucket can set 0 and use the
/// whole budget (the catch-up benchmark does).
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
    clock: ServerClock,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("policy", &self.policy)
            .field("hold_until", &self.hold_until)
            .field("clock_offset_ns", &self.clock.offset_ns())
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
            clock: ServerClock::default(),
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

    /// Takes in the headers of a response (just received). Returns the wait it imposed, if any.
    pub fn observe(&mut self, headers: &RateLimitHeaders) -> Option<Duration> {
        let now = SystemTime::now();
        self.observe_at(headers, now)
    }

    /// [`Pacer::observe`] with the local time the response was received.
    pub fn observe_at(&mut self, headers: &RateLimitHeaders, now: SystemTime) -> Option<Duration> {
        if let Some(date) = headers.date {
            self.clock.observe(date, now);
        }
        let remaining = headers.remaining?;
        if remaining > self.policy.reserve || headers.is_concurrency_limit() {
            return None;
        }
        let wait = self
            .clock
            .until(headers.reset?, now, self.policy.reset_margin);
        self.hold_for(wait);
        Some(wait)
    }

    /// The wait a 429 response asks for: until `Reset` on the estimated server clock, or `None`
    /// when the headers give no usable reset (absent, or a concurrency limit whose reset is an
    /// estimate).
    pub fn wait_after_429(&mut self, headers: &RateLimitHeaders) -> Option<Duration> {
        let now = SystemTime::now();
        if let Some(date) = headers.date {
            self.clock.observe(date, now);
        }
        if headers.is_concurrency_limit() {
            return None;
        }
        Some(
            self.clock
                .until(headers.reset?, now, self.policy.reset_margin),
        )
    }

    /// The current estimate of `server clock - local clock` in nanoseconds (a lower bound).
    pub fn clock_offset_ns(&self) -> Option<i128> {
        self.clock.offset_ns()
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

    #[test]
    fn server_clock_converges_and_waits_precisely_until_reset() {
        // The server's clock runs 7.25 s ahead of ours; responses arrive at various fractions of
        // its seconds, each with a whole-second Date.
        let offset_ms: u64 = 7_250;
        let mut clock = ServerClock::default();
        assert_eq!(clock.offset_ns(), None);
        let base_ms: u64 = 1_700_000_000_000;
        for k in 0..20u64 {
            let local_ms = base_ms + k * 53;
            let server_ms = local_ms + offset_ms;
            let local = UNIX_EPOCH + Duration::from_millis(local_ms);
            clock.observe(server_ms / 1000, local);
            // Never above the true offset.
            assert!(clock.offset_ns().unwrap() <= i128::from(offset_ms) * 1_000_000);
        }
        let est = clock.offset_ns().unwrap();
        let err_ms = (i128::from(offset_ms) * 1_000_000 - est) / 1_000_000;
        assert!(err_ms <= 60, "estimate {err_ms} ms short after 20 samples");
        // Waiting for a reset 0.4 s away on the server's clock: at least 0.4 s, at most the error.
        let local_now_ms = base_ms + 2_000;
        let server_now_ms = local_now_ms + offset_ms;
        let reset = server_now_ms / 1000 + 1;
        let true_wait = Duration::from_millis(reset * 1000 - server_now_ms);
        let wait = clock.until(
            reset,
            UNIX_EPOCH + Duration::from_millis(local_now_ms),
            Duration::ZERO,
        );
        assert!(wait >= true_wait, "{wait:?} < {true_wait:?}: early");
        assert!(wait <= true_wait + Duration::from_millis(60), "{wait:?}");
        // A reset already passed waits only the margin; a wild one is capped.
        let local_now = UNIX_EPOCH + Duration::from_millis(local_now_ms);
        assert_eq!(
            clock.until(reset - 5, local_now, Duration::from_millis(3)),
            Duration::from_millis(3)
        );
        assert_eq!(
            clock.until(u64::MAX / 2_000_000_000, local_now, Duration::ZERO),
            MAX_RESET_WAIT
        );
    }

    #[test]
    fn server_clock_forgets_old_samples() {
        let mut clock = ServerClock::default();
        let local = UNIX_EPOCH + Duration::from_secs(1_000);
        clock.observe(2_000, local); // once 1000 s ahead
        for _ in 0..ServerClock::SAMPLES {
            clock.observe(1_000, local); // then in step
        }
        assert_eq!(clock.offset_ns(), Some(0));
    }

    #[tokio::test]
    async fn observe_waits_only_the_rest_of_the_window() {
        let mut p = Pacer::new(PacePolicy {
            requests_per_minute: None,
            reserve: 0,
            reset_margin: Duration::ZERO,
        });
        // Same clocks; responses at .10, .35 and .60 of second 100; the last one exhausts the
        // window that resets at 101: the wait is the remaining 0.4 s (within the first sample's
        // precision), not the whole second `Reset - Date` would give.
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(100_000 + ms);
        let h = |remaining| RateLimitHeaders {
            limit: Some(3),
            remaining: Some(remaining),
            reset: Some(101),
            date: Some(100),
        };
        assert_eq!(p.observe_at(&h(2), at(100)), None);
        assert_eq!(p.observe_at(&h(1), at(350)), None);
        let wait = p.observe_at(&h(0), at(600)).unwrap();
        assert!(wait >= Duration::from_millis(400), "{wait:?}");
        assert!(wait <= Duration::from_millis(500), "{wait:?}");
    }
}
