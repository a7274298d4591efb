//! The event: one Okta System Log `LogEvent`, kept as the exact bytes it arrived as.
//!
//! Data flow: a source hands raw bytes to [`Event::from_bytes`], which validates them as one JSON
//! object in a single pass and keeps, beside the bytes, where every value sits (the tape, see
//! `tape.rs`) and which of its nodes are the documented top-level members (`actor`, `client`,
//! `target`, ...). Readers then ask for values by path ([`Event::lookup`]) and get raw JSON slices
//! borrowed from the event, found by walking the tape, which the `fields` module turns into typed
//! values. The bytes are never changed, so a sink
//! can write an event out byte-for-byte ([`Event::raw`]), unknown properties included.
//!
//! Library users who want a typed struct instead of paths can deserialize the whole event with
//! [`Event::log_event`] (see [`crate::model`]), at the cost of a full parse.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use bytestring::ByteString;

use crate::tape::{self, Cursor, Node, SyntaxError};

/// Why bytes could not become an [`Event`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not valid JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The bytes are valid JSON but not an object (an array, a string, ...).
    #[error("expected a JSON object (a LogEvent), found {0}")]
    NotAnObject(&'static str),
    /// The event is 2 GiB or larger (offsets are kept in 31 bits).
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
        Top::from_key_bytes(key.as_bytes())
    }

    /// [`Top::from_key`] on the key's bytes.
    fn from_key_bytes(key: &[u8]) -> Option<Top> {
        Some(match key {
            b"uuid" => Top::Uuid,
            b"published" => Top::Published,
            b"eventType" => Top::EventType,
            b"version" => Top::Version,
            b"severity" => Top::Severity,
            b"legacyEventType" => Top::LegacyEventType,
            b"displayMessage" => Top::DisplayMessage,
            b"actor" => Top::Actor,
            b"client" => Top::Client,
            b"device" => Top::Device,
            b"authenticationContext" => Top::AuthenticationContext,
            b"securityContext" => Top::SecurityContext,
            b"request" => Top::Request,
            b"outcome" => Top::Outcome,
            b"target" => Top::Target,
            b"transaction" => Top::Transaction,
            b"debugContext" => Top::DebugContext,
            _ => return None,
        })
    }
}

/// [`Event::top`] of a member the event does not have.
const ABSENT: u32 = u32::MAX;

/// One System Log event: its exact bytes, where each of its values sits in them (the tape), which
/// nodes of the tape are its documented top-level members, and the org it came from (if known).
///
/// Cloning is cheap: the bytes and the tape are reference-counted.
#[derive(Clone)]
pub struct Event {
    /// Valid UTF-8, checked at decode (so that values are handed out as `&str` without checks).
    raw: ByteString,
    tape: Arc<[Node]>,
    /// The tape node of each documented top-level member (by [`Top`]), or `ABSENT`.
    top: [u32; TOP_COUNT],
    org: Option<Arc<str>>,
}

thread_local! {
    /// Scratch space for [`tape::parse`]: the finished tape is copied out at its exact size.
    static SCRATCH: RefCell<(Vec<Node>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Parses `raw` into a tape of exactly its size.
fn build_tape(raw: &str) -> Result<Arc<[Node]>, SyntaxError> {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            let (nodes, stack) = &mut *scratch;
            let result = tape::parse(raw, nodes, stack).map(|()| Arc::from(nodes.as_slice()));
            if nodes.capacity() > 1 << 16 {
                // Do not keep the memory of one huge event for the life of the thread.
                *nodes = Vec::new();
            }
            result
        }
        Err(_) => {
            let mut nodes = Vec::new();
            tape::parse(raw, &mut nodes, &mut Vec::new()).map(|()| Arc::from(nodes))
        }
    })
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
        if raw.len() >= tape::MAX_LEN {
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
        let raw = match ByteString::try_from(raw) {
            Ok(text) => text,
            Err(e) => {
                return Err(DecodeError::InvalidJson(format!(
                    "invalid UTF-8 at byte {}",
                    e.valid_up_to()
                )))
            }
        };
        let tape =
            build_tape(&raw).map_err(|e| DecodeError::InvalidJson(e.describe(raw.as_bytes())))?;
        let mut top = [ABSENT; TOP_COUNT];
        if let Some(root) = Cursor::root(&raw, &tape) {
            for member in root.children() {
                let found = match member.plain_key() {
                    Some(key) => Top::from_key_bytes(key),
                    None => member
                        .key_raw()
                        .and_then(raw_str)
                        .and_then(|key| Top::from_key(&key)),
                };
                if let Some(t) = found {
                    // As in a JSON object read into a map: the last of equal keys wins.
                    top[t as usize] = member.index();
                }
            }
        }
        Ok(Event {
            raw,
            tape,
            top,
            org: None,
        })
    }

    /// The exact bytes of the event (without surrounding whitespace).
    pub fn raw(&self) -> &[u8] {
        self.raw.as_bytes()
    }

    /// The exact bytes of the event as a cheaply clonable buffer.
    pub fn raw_bytes(&self) -> &Bytes {
        self.raw.as_bytes()
    }

    /// The event's JSON text (the same bytes as [`Event::raw`]; UTF-8 is checked at decode).
    pub fn text(&self) -> &str {
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
        self.cursor(top).map(|c| c.raw())
    }

    /// The tape position of a documented top-level member, if present.
    #[inline]
    pub(crate) fn cursor(&self, top: Top) -> Option<Cursor<'_>> {
        match self.top[top as usize] {
            ABSENT => None,
            at => Cursor::at(&self.raw, &self.tape, at),
        }
    }

    /// The tape position of the whole event (the root object).
    #[inline]
    pub(crate) fn root(&self) -> Option<Cursor<'_>> {
        Cursor::root(&self.raw, &self.tape)
    }

    /// The raw JSON of the value at `path` (object keys from the top), if present.
    ///
    /// The first key is looked up in the top-level index when it is a documented member; the
    /// rest is a walk over the tape (no bytes are scanned). A JSON `null` is returned as the text
    /// `null` (see [`raw_is_null`]).
    pub fn lookup(&self, path: &[&str]) -> Option<&[u8]> {
        Some(self.lookup_cursor(path)?.raw())
    }

    /// The string at `path`, unescaped; `None` when absent, null or not a string.
    pub fn lookup_str(&self, path: &[&str]) -> Option<Cow<'_, str>> {
        unquote(self.lookup_cursor(path)?.text())
    }

    fn lookup_cursor(&self, path: &[&str]) -> Option<Cursor<'_>> {
        let (first, rest) = path.split_first()?;
        let start = match Top::from_key(first) {
            Some(top) => self.cursor(top)?,
            None => self.root()?.get(first)?,
        };
        start.path(rest)
    }

    /// The event's `uuid`, when it is a string.
    pub fn uuid(&self) -> Option<Cow<'_, str>> {
        unquote(self.cursor(Top::Uuid)?.text())
    }

    /// The event's `eventType`, when it is a string.
    pub fn event_type(&self) -> Option<Cow<'_, str>> {
        unquote(self.cursor(Top::EventType)?.text())
    }

    /// The event's `published` text, when it is a string (not parsed; see [`Event::published_ns`]).
    pub fn published(&self) -> Option<Cow<'_, str>> {
        unquote(self.cursor(Top::Published)?.text())
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
        serde_json::from_str(&self.raw).map_err(|e| DecodeError::InvalidJson(e.to_string()))
    }
}

fn trim_ascii(raw: Bytes) -> Bytes {
    // JSON's whitespace only (RFC 8259 §2): not form feed, which `is_ascii_whitespace` includes.
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = raw.iter().position(|b| !blank(b)).unwrap_or(raw.len());
    let end = raw.iter().rposition(|b| !blank(b)).map_or(start, |p| p + 1);
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
///
/// A `\u` escape of a lone surrogate (which JSON's grammar allows) reads as U+FFFD.
#[inline]
pub fn raw_str(json: &[u8]) -> Option<Cow<'_, str>> {
    unquote(std::str::from_utf8(json).ok()?)
}

/// A raw JSON scalar as text: strings unescaped, numbers and booleans as written; `None` for
/// null, objects and arrays.
pub fn raw_scalar_text(json: &[u8]) -> Option<Cow<'_, str>> {
    scalar_text(std::str::from_utf8(json).ok()?)
}

/// A raw JSON number (or a string holding a number) as `u64`.
pub fn raw_u64(json: &[u8]) -> Option<u64> {
    number_u64(std::str::from_utf8(json).ok()?)
}

/// A raw JSON boolean, or a string `"true"`/`"false"` (any case).
pub fn raw_bool(json: &[u8]) -> Option<bool> {
    boolean(std::str::from_utf8(json).ok()?)
}

/// [`raw_str`] on JSON text.
#[inline]
pub(crate) fn unquote(json: &str) -> Option<Cow<'_, str>> {
    let inner = json.strip_prefix('"')?.strip_suffix('"')?;
    // Most values are short: a plain loop beats a call into memchr there (which is what
    // `<[u8]>::contains` does).
    let bytes = inner.as_bytes();
    #[allow(clippy::manual_contains)]
    let escaped = match bytes.len() {
        0..=32 => bytes.iter().any(|&c| c == b'\\'),
        _ => memchr::memchr(b'\\', bytes).is_some(),
    };
    if escaped {
        unescape(inner).map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// The text of a JSON string's inside with its escapes resolved; `None` on an invalid escape.
pub(crate) fn unescape(inner: &str) -> Option<String> {
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + 1..];
        let (c, used) = match tail.as_bytes().first()? {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            b'u' => {
                let unit = hex4(tail.get(1..5)?)?;
                match unit {
                    0xD800..=0xDBFF => {
                        // A high surrogate: a pair when a low one follows.
                        let low = tail
                            .get(5..7)
                            .filter(|s| *s == "\\u")
                            .and_then(|_| hex4(tail.get(7..11)?))
                            .filter(|low| (0xDC00..=0xDFFF).contains(low));
                        match low {
                            Some(low) => {
                                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                (char::from_u32(code).unwrap_or('\u{FFFD}'), 11)
                            }
                            None => ('\u{FFFD}', 5),
                        }
                    }
                    _ => (char::from_u32(unit).unwrap_or('\u{FFFD}'), 5),
                }
            }
            _ => return None,
        };
        out.push(c);
        rest = tail.get(used..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// Four hex digits as a number.
fn hex4(digits: &str) -> Option<u32> {
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// [`raw_scalar_text`] on JSON text.
#[inline]
pub(crate) fn scalar_text(json: &str) -> Option<Cow<'_, str>> {
    match json.as_bytes().first()? {
        b'"' => unquote(json),
        b'n' | b'{' | b'[' => None,
        _ => Some(Cow::Borrowed(json)),
    }
}

/// [`raw_u64`] on JSON text.
pub(crate) fn number_u64(json: &str) -> Option<u64> {
    let text = scalar_text(json)?;
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

/// [`raw_bool`] on JSON text.
pub(crate) fn boolean(json: &str) -> Option<bool> {
    match json {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            let s = unquote(json)?;
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
    fn only_json_whitespace_is_trimmed() {
        let ev = Event::from_bytes(&b" \t\r\n{\"a\":1}\r\n"[..]).unwrap();
        assert_eq!(ev.raw(), br#"{"a":1}"#);
        // Form feed is not JSON whitespace: the text is not a JSON object.
        assert!(Event::from_bytes(&b"\x0c{\"a\":1}"[..]).is_err());
        assert!(Event::from_bytes(&b"{\"a\":1}\x0c"[..]).is_err());
    }

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
        assert_eq!(
            Event::from_bytes(&b"{\"a\":\"\xff\"}"[..])
                .unwrap_err()
                .to_string(),
            "invalid JSON: invalid UTF-8 at byte 6"
        );
        assert_eq!(
            Event::from_bytes(&b"{\"a\":\n [1 2]}"[..])
                .unwrap_err()
                .to_string(),
            "invalid JSON: expected ',' or ']' after an array item at line 2, column 5"
        );
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
        // Every escape, a surrogate pair, lone surrogates (U+FFFD), and what is not a string.
        assert_eq!(
            raw_str(br#""\"\\\/\b\f\n\r\t \ud83d\ude00 \ud800x \udc00 \u00""#),
            None,
            "a short \\u escape"
        );
        assert_eq!(
            raw_str(br#""\"\\\/\b\f\n\r\t \ud83d\ude00 \ud800x \udc00\ud800""#).as_deref(),
            Some("\"\\/\u{8}\u{c}\n\r\t \u{1F600} \u{FFFD}x \u{FFFD}\u{FFFD}")
        );
        assert_eq!(raw_str(br#""\q""#), None);
        assert_eq!(raw_str(br#""abc"#), None);
        assert_eq!(raw_str(b"\""), None);
        assert_eq!(raw_str(b"12"), None);
        assert_eq!(raw_str(b"\"\xff\""), None);
    }
}
