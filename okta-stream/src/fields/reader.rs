//! Reading fields of one event: the context every extractor reads through.
//!
//! A [`Reader`] holds the event (values borrow from it) and the field state (for the counting
//! fields). Extractors find values with [`Reader::at`], a walk over the event's tape (see
//! `crate::tape`): `client.geographicalContext.country` looks at the keys of `client` and of
//! `geographicalContext`, never at the bytes of `userAgent` before them. Fields that share an
//! object cost a few key comparisons each, so there is nothing to remember between lookups.
//!
//! Data flow: a consumer that reads several fields of each event (the rules engine, the
//! `--select` sink) makes [`Reader::new`]`(event, state)` per event and calls
//! [`super::Field::read`] for the fields it needs; [`super::Field::extract`] does the same for
//! one field. Lookups return the first member with a key.

use super::FieldState;
use crate::event::{Event, Top};
use crate::tape::Cursor;

/// The context extractors read one event through: the event (values borrow from it, for
/// `'e`) and the field state (`'s`).
#[derive(Debug, Clone, Copy)]
pub struct Reader<'e, 's> {
    event: &'e Event,
    state: &'s FieldState,
}

impl<'e, 's> Reader<'e, 's> {
    /// A reader of `event` (nothing is allocated).
    #[inline]
    pub fn new(event: &'e Event, state: &'s FieldState) -> Reader<'e, 's> {
        Reader { event, state }
    }

    /// The event being read.
    #[inline]
    pub fn event(&self) -> &'e Event {
        self.event
    }

    /// The field state (which must have observed the event).
    #[inline]
    pub fn state(&self) -> &'s FieldState {
        self.state
    }

    /// The value at `path` inside the top-level member `top` (`path` may be empty), as a tape
    /// position.
    #[inline]
    pub(crate) fn at(&self, top: Top, path: &[&str]) -> Option<Cursor<'e>> {
        self.event.cursor(top)?.path(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::scan;

    const EV: &str = r#"{"actor":{"id":"a1","alternateId":"jane@example.com","displayName":"Jane","alternateId":"second"},
        "client":{"userAgent":{"rawUserAgent":"UA {x}","os":"Mac OS X","browser":"CHROME"},"zone":"null","ipAddress":"1.2.3.4",
        "geographicalContext":{"city":"Paris","country":"France","geolocation":{"lat":48.8,"lon":2.3}}},
        "debugContext":{"debugData":{"requestUri":"/app/x/1","k\"q":"esc"}},"eventType":"user.session.start",
        "target":[{"type":"User","displayName":"Bob"}]}"#;

    #[test]
    fn tape_walks_find_what_byte_scans_find() {
        let event = Event::from_bytes(EV.as_bytes().to_vec()).unwrap();
        let state = FieldState::new();
        let reader = Reader::new(&event, &state);
        for (top, path) in [
            (Top::Actor, &["alternateId"][..]),
            (Top::Actor, &["missing"]),
            (Top::Actor, &["id", "x"]),
            (Top::DebugContext, &["debugData", "k\"q"]),
            (Top::DebugContext, &["debugData"]),
            (Top::Client, &["geographicalContext", "geolocation", "lon"]),
            (Top::Client, &["userAgent", "rawUserAgent"]),
            (Top::Client, &["zone"]),
            (Top::Target, &["type"]),
            (Top::Target, &[]),
            (Top::Outcome, &["result"]),
        ] {
            let direct = event
                .member(top)
                .and_then(|member| scan::get_path(member, path));
            let direct = if path.is_empty() {
                event.member(top)
            } else {
                direct
            };
            assert_eq!(
                reader.at(top, path).map(|c| c.raw()),
                direct,
                "{top:?} {path:?}"
            );
        }
        assert_eq!(
            reader.at(Top::Actor, &["alternateId"]).map(|c| c.text()),
            Some(r#""jane@example.com""#),
            "the first of two equal keys"
        );
    }

    #[test]
    fn deep_and_odd_objects_read_like_direct_scans() {
        let deep = format!(
            r#"{{"debugContext":{{"debugData":{}"x"{}}},"client":{{"zone":[{{"a":[]}},[],{{}}],"id":{{}}}}}}"#,
            r#"{"a":"#.repeat(40),
            "}".repeat(40)
        );
        let event = Event::from_bytes(deep.into_bytes()).unwrap();
        let state = FieldState::new();
        let reader = Reader::new(&event, &state);
        let path: Vec<&str> = std::iter::once("debugData")
            .chain(std::iter::repeat_n("a", 40))
            .collect();
        let direct = scan::get_path(event.member(Top::DebugContext).unwrap(), &path);
        assert_eq!(direct, Some(&br#""x""#[..]));
        assert_eq!(reader.at(Top::DebugContext, &path).map(|c| c.raw()), direct);
        assert_eq!(
            reader.at(Top::Client, &["id"]).map(|c| c.text()),
            Some("{}")
        );
        assert!(reader.at(Top::Client, &["id", "a"]).is_none());
        assert_eq!(
            reader.at(Top::Client, &["zone"]).map(|c| c.text().len()),
            Some(16)
        );
    }
}
