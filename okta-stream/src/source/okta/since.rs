//! Start and end positions given as times: `--since` and `--until`.
//!
//! A [`TimeSpec`] is either an RFC 3339 timestamp (`2024-05-01T12:00:00Z`) or a duration back from
//! now (`2h`, `15m`, `30s`, `1d`, `1h30m`). The poller resolves it once, at the first request, into
//! the UTC text Okta expects (`2024-05-01T12:00:00.000Z`). After that the position is the opaque
//! `next` URL, never a time.

use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The default start: this far back from now.
pub const DEFAULT_SINCE: Duration = Duration::from_secs(5 * 60);

/// Why a time could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid time {input:?}: expected RFC 3339 (2024-05-01T12:00:00Z) or a duration back from now (2h, 15m, 30s, 1d, 1h30m)")]
pub struct TimeSpecError {
    /// What was given.
    pub input: String,
}

/// A point in time, absolute or relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// An absolute time.
    At(OffsetDateTime),
    /// This long before now.
    Ago(Duration),
}

impl std::str::FromStr for TimeSpec {
    type Err = TimeSpecError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimeSpec::parse(s)
    }
}

impl TimeSpec {
    /// Parses RFC 3339 or a duration.
    pub fn parse(input: &str) -> Result<TimeSpec, TimeSpecError> {
        let s = input.trim();
        let err = || TimeSpecError {
            input: input.to_string(),
        };
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Ok(TimeSpec::At(t));
        }
        parse_duration(s).map(TimeSpec::Ago).ok_or_else(err)
    }

    /// The absolute time, relative specs measured from `now`.
    pub fn resolve(&self, now: OffsetDateTime) -> OffsetDateTime {
        match self {
            TimeSpec::At(t) => *t,
            TimeSpec::Ago(d) => {
                let d = time::Duration::try_from(*d).unwrap_or(time::Duration::MAX);
                now.checked_sub(d).unwrap_or(OffsetDateTime::UNIX_EPOCH)
            }
        }
    }

    /// The time as Okta's query text: UTC with milliseconds, e.g. `2024-05-01T12:00:00.000Z`.
    pub fn to_query(&self, now: OffsetDateTime) -> String {
        format_okta(self.resolve(now))
    }
}

/// Formats a time as Okta does: `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
pub fn format_okta(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `1d2h3m4s`-style durations (units d, h, m, s, ms; at least one part; no sign).
pub fn parse_duration(s: &str) -> Option<Duration> {
    if s.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let part = match unit {
            "d" => Duration::from_secs(n.checked_mul(86_400)?),
            "h" => Duration::from_secs(n.checked_mul(3_600)?),
            "m" => Duration::from_secs(n.checked_mul(60)?),
            "s" => Duration::from_secs(n),
            "ms" => Duration::from_millis(n),
            _ => return None,
        };
        total = total.checked_add(part)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        for bad in [
            "",
            "h",
            "2",
            "2x",
            "-5m",
            "1.5h",
            "m5",
            "2h ",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rfc3339_and_relative_specs() {
        let now = datetime!(2024-05-01 12:00:00 UTC);
        let s = TimeSpec::parse("2024-04-30T10:00:00Z").unwrap();
        assert_eq!(s.to_query(now), "2024-04-30T10:00:00.000Z");
        let s = TimeSpec::parse("2024-04-30T12:00:00.123+02:00").unwrap();
        assert_eq!(s.to_query(now), "2024-04-30T10:00:00.123Z");
        assert_eq!(
            TimeSpec::parse("2h").unwrap().to_query(now),
            "2024-05-01T10:00:00.000Z"
        );
        assert_eq!(
            TimeSpec::parse(" 15m ").unwrap().to_query(now),
            "2024-05-01T11:45:00.000Z"
        );
        for bad in ["yesterday", "2024-13-01T00:00:00Z", "2024-05-01", "", "now"] {
            let e = TimeSpec::parse(bad).unwrap_err();
            assert!(e.to_string().contains("RFC 3339"), "{e}");
        }
        // Absurd durations clamp to the epoch rather than panicking.
        let far = TimeSpec::Ago(Duration::from_secs(u64::MAX));
        assert_eq!(far.resolve(now), OffsetDateTime::UNIX_EPOCH);
    }
}
