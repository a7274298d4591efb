//! The event: one Okta System Log `LogEvent`, kept as the exact bytes it arrived as.
//!
//! Data flow: a source hands raw bytes to [`Event::from_bytes`], which validates them as one JSON
//! object in a single SIMD pass (sonic-rs) and records where each documented top-level member
//! (`actor`, `client`, `target`, ...) sits in the bytes. Nothing is copied or allocated per member.
//! Readers then ask for values by path ([`Event::lookup`]) and get raw JSON slices borrowed from the
//! event, which the `fields` module turns into typed values. The bytes are never changed, so a sink
//! can write an event out byte-for-byte ([`Event::raw`]), unknown properties included.
//!
//! Library users who want a typed struct instead of paths can deserialize the whole event with
//! [`Event::log_event`] (see [`crate::model`]), at the cost of a full parse.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

/// Why bytes could not become an [`Event`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not valid JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The bytes are valid JSON but not an object (an array, a string, ...).
    #[error("expected a JSON object (a LogEvent), found {0}")]
    NotAnObject(&'static str),
    /// The event is larger than 4 GiB (offsets are kept as `u32`).
    #[error("event too large ({0} bytes)")]
    TooLarge(usize),
}

/// The documented top-level members of a LogEvent, indexed at decode time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Top {
    /// `uuid`
    Uuid,
    /// `published`
    Published,
    /// `eventType`
    EventType,
    /// `version`
    Version,
    /// `severity`
    Severity,
    /// `legacyEventType`
    LegacyEventType,
    /// `displayMessage`
    DisplayMessage,
    /// `actor`
    Actor,
    /// `client`
    Client,
    /// `device`
    Device,
    /// `authenticationContext`
    AuthenticationContext,
    /// `securityContext`
    SecurityContext,
    /// `request`
    Request,
    /// `outcome`
    Outcome,
    /// `target`
    Target,
    /// `transaction`
    Transaction,
    /// `debugContext`
    DebugContext,
}

const TOP_COUNT: usize = 17;

impl Top {
    /// Every indexed member, in declaration order.
    pub const ALL: [Top; TOP_COUNT] = [
        Top::Uuid,
        Top::Published,
        Top::EventType,
        Top::Version,
        Top::Severity,
        Top::LegacyEventType,
        Top::DisplayMessage,
        Top::Actor,
        Top::Client,
        Top::Device,
        Top::AuthenticationContext,
        Top::SecurityContext,
        Top::Request,
        Top::Outcome,
        Top::Target,
        Top::Transaction,
        Top::DebugContext,
    ];

    /// The JSON key of this member.
    pub const fn key(self) -> &'static str {
        match self {
            Top::Uuid => "uuid",
            Top::Published => "published",
            Top::EventType => "eventType",
            Top::Version => "version",
            Top::Severity => "severity",
            Top::LegacyEventType => "legacyEventType",
            Top::DisplayMessage => "displayMessage",
            Top::Actor => "actor",
            Top::Client => "client",
            Top::Device => "device",
            Top::AuthenticationContext => "authenticationContext",
            Top::SecurityContext => "securityContext",
            Top::Request => "request",
            Top::Outcome => "outcome",
            Top::Target => "target",
            Top::Transaction => "transaction",
            Top::DebugContext => "debugContext",
        }
    }

    /// The member for a JSON key, if it is one of the indexed ones.
    pub fn from_key(key: &str) -> Option<Top> {
        Some(match key {
            "uuid" => Top::Uuid,
            "published" => Top::Published,
            "eventType" => Top::EventType,
            "version" => Top::Version,
            "severity" => Top::Severity,
            "legacyEventType" => Top::LegacyEventType,
            "displayMessage" => Top::DisplayMessage,
            "actor" => Top::Actor,
            "client" => Top::Client,
            "device" => Top::Device,
            "authenticationContext" => Top::AuthenticationContext,
            "securityContext" => Top::SecurityContext,
            "request" => Top::Request,
            "outcome" => Top::Outcome,
            "target" => Top::Target,
            "transaction" => Top::Transaction,
            "debugContext" => Top::DebugContext,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

const ABSENT: Span = Span {
    start: u32::MAX,
    end: u32::MAX,
};

/// One System Log event: its exact bytes, an index of its top-level members, and the org it came
/// from (if known).
///
/// Cloning is cheap (the bytes are reference-counted).
#[derive(Clone)]
pub struct Event {
    raw: Bytes,
    index: [Span; TOP_COUNT],
    org: Option<Arc<str>>,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("uuid", &self.uuid())
            .field("eventType", &self.event_type())
            .field("published", &self.published())
            .field("org", &self.org)
            .field("len", &self.raw.len())
            .finish()
    }
}

impl Event {
    /// Validates `raw` as one JSON object and indexes its top-level members.
    ///
    /// Leading and trailing ASCII whitespace is trimmed from the kept bytes.
    pub fn from_bytes(raw: impl Into<Bytes>) -> Result<Event, DecodeError> {
        let raw: Bytes = raw.into();
        let raw = trim_ascii(raw);
        if raw.len() >= u32::MAX as usize {
            return Err(DecodeError::TooLarge(raw.len()));
        }
        match raw.first() {
            Some(b'{') => {}
            Some(b'[') => return Err(DecodeError::NotAnObject("an array")),
            Some(b'"') => return Err(DecodeError::NotAnObject("a string")),
            Some(b't') | Some(b'f') => return Err(DecodeError::NotAnObject("a boolean")),
            Some(b'n') => return Err(DecodeError::NotAnObject("null")),
            Some(b'-' | b'0'..=b'9') => return Err(DecodeError::NotAnObject("a number")),
            Some(_) => return Err(DecodeError::InvalidJson("unexpected character".into())),
            None => return Err(DecodeError::InvalidJson("empty input".into())),
        }
        let mut index = [ABSENT; TOP_COUNT];
        let base = raw.as_ptr() as usize;
        let mut end_of_object = 0usize;
        for item in sonic_rs::to_object_iter(&raw[..]) {
            let (key, value) = item.map_err(|e| DecodeError::InvalidJson(e.to_string()))?;
            let slice = value.as_raw_str();
            let start = (slice.as_ptr() as usize).wrapping_sub(base);
            let end = start + slice.len();
            if end > raw.len() {
                // sonic-rs borrows from its input; a value outside it would be a library bug.
                return Err(DecodeError::InvalidJson(
                    "internal: value outside input".into(),
                ));
            }
            end_of_object = end;
            if let Some(top) = Top::from_key(&key) {
                index[top as usize] = Span {
                    start: start as u32,
                    end: end as u32,
                };
            }
        }
        // The iterator stops at the closing brace; anything after it (but whitespace) is an error.
        let rest = &raw[end_of_object..];
        let close = rest.iter().position(|b| *b == b'}');
        let trailing_ok = match close {
            Some(pos) => rest[pos + 1..].iter().all(u8::is_ascii_whitespace),
            None => false,
        };
        if !trailing_ok {
            return Err(DecodeError::InvalidJson(
                "trailing characters after the JSON object".into(),
            ));
        }
        Ok(Event {
            raw,
            index,
            org: None,
        })
    }

    /// The exact bytes of the event (without surrounding whitespace).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The exact bytes of the event as a cheaply clonable buffer.
    pub fn raw_bytes(&self) -> &Bytes {
        &self.raw
    }

    /// The org this event came from (the `okta.org` field), if the source set one.
    pub fn org(&self) -> Option<&str> {
        self.org.as_deref()
    }

    /// Sets the org this event came from.
    pub fn with_org(mut self, org: Option<Arc<str>>) -> Event {
        self.org = org;
        self
    }

    /// Sets the org this event came from, in place.
    pub fn set_org(&mut self, org: Option<Arc<str>>) {
        self.org = org;
    }

    /// The raw JSON of a documented top-level member, if present (may be the text `null`).
    #[inline]
    pub fn member(&self, top: Top) -> Option<&[u8]> {
        let span = self.index[top as usize];
        if span == ABSENT {
            None
        } else {
            Some(&self.raw[span.start as usize..span.end as usize])
        }
    }

    /// The raw JSON of the value at `path` (object keys from the top), if present.
    ///
    /// The first key is looked up in the top-level index when it is a documented member, so that
    /// `["actor", "displayName"]` only scans the `actor` object. A JSON `null` is returned as the
    /// text `null` (see [`raw_is_null`]).
    pub fn lookup(&self, path: &[&str]) -> Option<&[u8]> {
        let (first, rest) = path.split_first()?;
        let start = match Top::from_key(first) {
            Some(top) => self.member(top)?,
            None => lookup_in(&self.raw, std::slice::from_ref(first))?,
        };
        if rest.is_empty() {
            Some(start)
        } else {
            lookup_in(start, rest)
        }
    }

    /// The string at `path`, unescaped; `None` when absent, null or not a string.
    pub fn lookup_str(&self, path: &[&str]) -> Option<Cow<'_, str>> {
        raw_str(self.lookup(path)?)
    }

    /// The event's `uuid`, when it is a string.
    pub fn uuid(&self) -> Option<Cow<'_, str>> {
        raw_str(self.member(Top::Uuid)?)
    }

    /// The event's `eventType`, when it is a string.
    pub fn event_type(&self) -> Option<Cow<'_, str>> {
        raw_str(self.member(Top::EventType)?)
    }

    /// The event's `published` text, when it is a string (not parsed; see [`Event::published_ns`]).
    pub fn published(&self) -> Option<Cow<'_, str>> {
        raw_str(self.member(Top::Published)?)
    }

    /// `published` as nanoseconds since the Unix epoch, when it parses as RFC 3339.
    pub fn published_ns(&self) -> Option<i128> {
        let text = self.published()?;
        let t = time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .ok()?;
        Some(t.unix_timestamp_nanos())
    }

    /// Deserializes the whole event into the typed [`crate::model::LogEvent`] (a full parse).
    pub fn log_event(&self) -> Result<crate::model::LogEvent, DecodeError> {
        serde_json::from_slice(&self.raw).map_err(|e| DecodeError::InvalidJson(e.to_string()))
    }
}

fn trim_ascii(raw: Bytes) -> Bytes {
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1);
    if start == 0 && end == raw.len() {
        raw
    } else {
        raw.slice(start..end)
    }
}

/// Looks up `path` (object keys) inside the raw JSON `json`, returning the raw slice of the value.
///
/// `json` must come from a validated event (every slice handed out by [`Event`] does); on other
/// input the result is unspecified but there is no panic.
pub fn lookup_in<'a>(json: &'a [u8], path: &[&str]) -> Option<&'a [u8]> {
    crate::json::get_path(json, path)
}

/// Iterates the elements of a raw JSON array as raw slices. Yields nothing for non-arrays.
///
/// Like [`lookup_in`], it expects validated JSON.
pub fn array_items(json: &[u8]) -> impl Iterator<Item = &[u8]> {
    crate::json::items(json)
}

/// Turns a `&str` that points into `json` back into a slice of `json` with its lifetime.
fn rebase<'a>(json: &'a [u8], inner: &str) -> Option<&'a [u8]> {
    let start = (inner.as_ptr() as usize).checked_sub(json.as_ptr() as usize)?;
    json.get(start..start + inner.len())
}

/// Iterates the members of a raw JSON object as (unescaped key, raw value). Nothing for non-objects.
pub fn object_members(json: &[u8]) -> impl Iterator<Item = (String, &[u8])> {
    let is_object = json.first() == Some(&b'{');
    let iter = if is_object {
        Some(sonic_rs::to_object_iter(json))
    } else {
        None
    };
    iter.into_iter().flatten().filter_map(move |item| {
        let (k, v) = item.ok()?;
        Some((k.to_string(), rebase(json, v.as_raw_str())?))
    })
}

/// Whether the raw JSON is `null`.
#[inline]
pub fn raw_is_null(json: &[u8]) -> bool {
    json == b"null"
}

/// A raw JSON string, unescaped: borrowed when it has no escapes. `None` for non-strings.
#[inline]
pub fn raw_str(json: &[u8]) -> Option<Cow<'_, str>> {
    if json.len() < 2 || json[0] != b'"' {
        return None;
    }
    let inner = &json[1..json.len() - 1];
    // Most values are short: a plain loop beats a call into memchr there (which is what
    // `<[u8]>::contains` does).
    #[allow(clippy::manual_contains)]
    let escaped = match inner.len() {
        0..=32 => inner.iter().any(|&c| c == b'\\'),
        _ => memchr::memchr(b'\\', inner).is_some(),
    };
    if !escaped {
        std::str::from_utf8(inner).ok().map(Cow::Borrowed)
    } else {
        sonic_rs::from_slice::<String>(json).ok().map(Cow::Owned)
    }
}

/// A raw JSON scalar as text: strings unescaped, numbers and booleans as written; `None` for
/// null, objects and arrays.
pub fn raw_scalar_text(json: &[u8]) -> Option<Cow<'_, str>> {
    match json.first()? {
        b'"' => raw_str(json),
        b'n' | b'{' | b'[' => None,
        _ => std::str::from_utf8(json).ok().map(Cow::Borrowed),
    }
}

/// A raw JSON number (or a string holding a number) as `u64`.
pub fn raw_u64(json: &[u8]) -> Option<u64> {
    let text = raw_scalar_text(json)?;
    let text = text.trim();
    if let Ok(v) = text.parse::<u64>() {
        return Some(v);
    }
    let f: f64 = text.parse().ok()?;
    if f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64 {
        Some(f as u64)
    } else {
        None
    }
}

/// A raw JSON boolean, or a string `"true"`/`"false"` (any case).
pub fn raw_bool(json: &[u8]) -> Option<bool> {
    match json {
        b"true" => Some(true),
        b"false" => Some(false),
        _ => {
            let s = raw_str(json)?;
            if s.eq_ignore_ascii_case("true") {
                Some(true)
            } else if s.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#" {"uuid":"u-1","eventType":"user.session.start","version":0,
      "actor":{"id":"00u1","type":"User","displayName":"Jane \"JD\" Doe"},
      "client":{"zone":"null","ipAddress":"1.2.3.4","geographicalContext":{"postalCode":10013}},
      "securityContext":{"isProxy":false},"target":[{"type":"User","id":"a"},{"type":"UserGroup","id":"g"}],
      "extra":{"k":[1,2]}} "#;

    #[test]
    fn indexes_members_and_keeps_bytes() {
        let ev = Event::from_bytes(SAMPLE.as_bytes().to_vec()).unwrap();
        assert_eq!(ev.raw(), SAMPLE.trim().as_bytes());
        assert_eq!(ev.uuid().as_deref(), Some("u-1"));
        assert_eq!(ev.event_type().as_deref(), Some("user.session.start"));
        assert_eq!(ev.member(Top::Version), Some(&b"0"[..]));
        assert_eq!(ev.member(Top::Outcome), None);
        assert_eq!(
            ev.lookup_str(&["actor", "displayName"]).as_deref(),
            Some("Jane \"JD\" Doe")
        );
        assert_eq!(
            ev.lookup(&["client", "geographicalContext", "postalCode"]),
            Some(&b"10013"[..])
        );
        assert_eq!(ev.lookup(&["extra", "k"]), Some(&b"[1,2]"[..]));
        assert_eq!(
            raw_bool(ev.lookup(&["securityContext", "isProxy"]).unwrap()),
            Some(false)
        );
        let targets: Vec<_> = array_items(ev.member(Top::Target).unwrap()).collect();
        assert_eq!(targets.len(), 2);
        assert_eq!(
            lookup_in(targets[1], &["type"]),
            Some(&b"\"UserGroup\""[..])
        );
    }

    #[test]
    fn rejects_bad_records() {
        assert!(matches!(
            Event::from_bytes(&b"[1,2]"[..]),
            Err(DecodeError::NotAnObject(_))
        ));
        assert!(matches!(
            Event::from_bytes(&b"{\"a\":"[..]),
            Err(DecodeError::InvalidJson(_))
        ));
        assert!(matches!(
            Event::from_bytes(&b"{\"a\":{\"b\":[1,}}"[..]),
            Err(DecodeError::InvalidJson(_))
        ));
        assert!(matches!(
            Event::from_bytes(&b"{\"a\":1} x"[..]),
            Err(DecodeError::InvalidJson(_))
        ));
        assert!(matches!(
            Event::from_bytes(&b"   "[..]),
            Err(DecodeError::InvalidJson(_))
        ));
        assert!(Event::from_bytes(&b"{}"[..]).is_ok());
    }

    #[test]
    fn navigation_in_validated_json() {
        let json =
            br#"{ "a" : "x\"}" , "b\u0063":{"d":[1, {"e":"]"}, "s"] }, "n": -1.5e3 ,"t":true}"#;
        assert_eq!(lookup_in(json, &["a"]), Some(&br#""x\"}""#[..]));
        assert_eq!(
            lookup_in(json, &["bc", "d"]),
            Some(&br#"[1, {"e":"]"}, "s"]"#[..])
        );
        assert_eq!(lookup_in(json, &["n"]), Some(&b"-1.5e3"[..]));
        assert_eq!(lookup_in(json, &["t"]), Some(&b"true"[..]));
        assert_eq!(lookup_in(json, &["missing"]), None);
        assert_eq!(lookup_in(json, &["a", "x"]), None);
        let items: Vec<&[u8]> = array_items(lookup_in(json, &["bc", "d"]).unwrap()).collect();
        assert_eq!(items, [&b"1"[..], &br#"{"e":"]"}"#[..], &br#""s""#[..]]);
        assert_eq!(array_items(b"[ ]").count(), 0);
        assert_eq!(array_items(b"{}").count(), 0);
        // Malformed input: no panic.
        for bad in [
            &b"{"[..],
            b"{\"a",
            b"{\"a\":",
            b"{\"a\":[",
            b"[1,",
            b"[\"",
            b"{\"a\" 1}",
        ] {
            let _ = lookup_in(bad, &["a"]);
            let _ = array_items(bad).count();
        }
    }

    #[test]
    fn scalar_helpers() {
        assert_eq!(raw_u64(b"42"), Some(42));
        assert_eq!(raw_u64(b"\"42\""), Some(42));
        assert_eq!(raw_u64(b"-1"), None);
        assert_eq!(raw_bool(b"\"false\""), Some(false));
        assert_eq!(raw_scalar_text(b"0").as_deref(), Some("0"));
        assert_eq!(raw_scalar_text(b"null"), None);
        assert_eq!(raw_str(b"\"a\\u00e9\"").as_deref(), Some("a\u{e9}"));
    }
}
