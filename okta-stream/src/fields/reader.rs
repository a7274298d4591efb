//! Reading fields of one event, remembering the objects already scanned.
//!
//! Many fields live side by side in one object (`okta.client.ip`, `okta.client.geo.country` and
//! `okta.useragent.os` are all inside `client`). Looked up one by one, each field would scan
//! `client` again from its first member. A [`Reader`] is the per-event context extractors read
//! through: with an [`ObjectMemo`] it keeps, for every object a lookup went into, the members
//! scanned so far (key and value positions) and where the scan stopped. A lookup first compares
//! the keys already seen, then resumes the scan where the last one stopped, until it finds the
//! key or the end of the object. No object is scanned twice, and no lookup scans further than a
//! direct scan would.
//!
//! Data flow: a consumer that reads several fields of each event (the rules engine, the
//! `--select` sink) keeps one [`ObjectMemo`] and, per event, makes
//! [`Reader::with_memo`]`(event, state, memo)`, calls [`super::Field::read`] for the fields it
//! needs, then takes the memo back with [`Reader::into_memo`] (emptied, its memory kept: no
//! allocation per event once warm). [`super::Field::extract`] reads through a [`Reader::new`]
//! without a memo, which scans directly and never allocates.
//!
//! Lookups return the first member with the key, as a direct scan does: results never depend on
//! whether a memo is used (tests compare both on every field).

use super::scan::{self, skip_ws, str_is, string_end_escaped, value_end};
use super::FieldState;
use crate::event::{Event, Top};

/// "None" in the memo's index fields; as [`Table::resume`]: the object is scanned to its end.
const NONE: u32 = u32::MAX;

/// The members seen so far of the objects looked into in one event. Reused from event to event.
#[derive(Debug)]
pub struct ObjectMemo {
    tables: Vec<Table>,
    members: Vec<Member>,
    /// The table of each top-level member (by [`Top`]), `NONE` until looked into.
    top: [u32; Top::ALL.len()],
}

impl ObjectMemo {
    /// An empty memo.
    pub fn new() -> ObjectMemo {
        ObjectMemo {
            tables: Vec::new(),
            members: Vec::new(),
            top: [NONE; Top::ALL.len()],
        }
    }

    fn clear(&mut self) {
        self.tables.clear();
        self.members.clear();
        self.top = [NONE; Top::ALL.len()];
    }

    /// A new table for the object whose `{` is at `start`.
    fn open(&mut self, start: u32) -> u32 {
        let index = self.tables.len() as u32;
        self.tables.push(Table {
            first: NONE,
            last: NONE,
            resume: start + 1,
        });
        index
    }

    /// The first member of `table` whose key is `key`: among the members seen, else scanning on.
    fn find(&mut self, raw: &[u8], table: u32, key: &str) -> Option<u32> {
        let t = *self.tables.get(table as usize)?;
        let mut next = t.first;
        while let Some(m) = self.members.get(next as usize) {
            if key_is(raw, m, key) {
                return Some(next);
            }
            next = m.next;
        }
        let mut pos = t.resume as usize;
        let mut last = t.last;
        let found = loop {
            if pos == NONE as usize {
                break None;
            }
            // One member: [,] "key" : value
            let Some((member, end)) = scan_member(raw, pos) else {
                pos = NONE as usize;
                break None;
            };
            let index = self.members.len() as u32;
            self.members.push(member);
            match last {
                NONE => self.tables.get_mut(table as usize)?.first = index,
                prev => self.members.get_mut(prev as usize)?.next = index,
            }
            last = index;
            pos = end;
            if key_is(raw, &member, key) {
                break Some(index);
            }
        };
        let t = self.tables.get_mut(table as usize)?;
        t.last = last;
        t.resume = pos as u32;
        found
    }
}

impl Default for ObjectMemo {
    fn default() -> ObjectMemo {
        ObjectMemo::new()
    }
}

/// Scans the member that starts at `pos` (just after the `{` or the previous value). `None` at
/// the end of the object (or on bytes that are not a member).
#[inline]
fn scan_member(raw: &[u8], pos: usize) -> Option<(Member, usize)> {
    let mut i = skip_ws(raw, pos);
    match *raw.get(i)? {
        b',' => i = skip_ws(raw, i + 1),
        b'"' => {}
        _ => return None,
    }
    if *raw.get(i)? != b'"' {
        return None;
    }
    let (key_end, escaped) = string_end_escaped(raw, i)?;
    let colon = skip_ws(raw, key_end);
    if *raw.get(colon)? != b':' {
        return None;
    }
    let value = skip_ws(raw, colon + 1);
    let end = value_end(raw, value)?;
    let member = Member {
        key: (i as u32, key_end as u32),
        value: (value as u32, end as u32),
        next: NONE,
        child: NONE,
        escaped,
    };
    Some((member, end))
}

/// Whether the member's key is `key`.
#[inline]
fn key_is(raw: &[u8], m: &Member, key: &str) -> bool {
    let (from, to) = (m.key.0 as usize, m.key.1 as usize);
    if m.escaped {
        raw.get(from..to).is_some_and(|k| str_is(k, key))
    } else {
        // Without escapes, only a key of the same length and bytes matches.
        to - from == key.len() + 2 && raw.get(from + 1..to - 1) == Some(key.as_bytes())
    }
}

/// One object looked into.
#[derive(Debug, Clone, Copy)]
struct Table {
    /// Its first and last members seen (`NONE`: none yet), chained by [`Member::next`].
    first: u32,
    last: u32,
    /// Where to scan on for more members; `NONE` once the end is reached.
    resume: u32,
}

/// One member: where its raw key (with quotes) and raw value are in the event.
#[derive(Debug, Clone, Copy)]
struct Member {
    key: (u32, u32),
    value: (u32, u32),
    /// The next member of the same object (`NONE`: none seen yet).
    next: u32,
    /// The table of the value once a lookup went into it, else `NONE`.
    child: u32,
    /// Whether the key has escape sequences.
    escaped: bool,
}

/// The context extractors read one event through: the event (values borrow from it, for
/// `'e`), the field state (`'s`), and the memo.
#[derive(Debug)]
pub struct Reader<'e, 's> {
    event: &'e Event,
    state: &'s FieldState,
    memo: Option<ObjectMemo>,
}

impl<'e, 's> Reader<'e, 's> {
    /// A reader without memo: every lookup scans (nothing is allocated).
    #[inline]
    pub fn new(event: &'e Event, state: &'s FieldState) -> Reader<'e, 's> {
        Reader {
            event,
            state,
            memo: None,
        }
    }

    /// A reader that remembers the objects it scans in `memo` (emptied first).
    #[inline]
    pub fn with_memo(
        event: &'e Event,
        state: &'s FieldState,
        mut memo: ObjectMemo,
    ) -> Reader<'e, 's> {
        memo.clear();
        Reader {
            event,
            state,
            memo: Some(memo),
        }
    }

    /// The memo back (empty when the reader had none), for the next event.
    #[inline]
    pub fn into_memo(self) -> ObjectMemo {
        self.memo.unwrap_or_default()
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

    /// The raw value at `path` inside the top-level member `top` (`path` may be empty).
    pub(crate) fn at(&mut self, top: Top, path: &[&str]) -> Option<&'e [u8]> {
        let member = self.event.member(top)?;
        if path.is_empty() {
            return Some(member);
        }
        let Some(memo) = &mut self.memo else {
            return scan::get_path(member, path);
        };
        let raw: &'e [u8] = self.event.raw();
        let mut table = match memo.top[top as usize] {
            NONE => {
                let start = object_start(raw, member)?;
                let t = memo.open(start);
                memo.top[top as usize] = t;
                t
            }
            t => t,
        };
        let mut rest = path;
        loop {
            let (key, more) = rest.split_first()?;
            let index = memo.find(raw, table, key)?;
            let m = *memo.members.get(index as usize)?;
            let value = raw.get(m.value.0 as usize..m.value.1 as usize)?;
            if more.is_empty() {
                return Some(value);
            }
            table = match m.child {
                NONE => {
                    let start = object_start(raw, value)?;
                    let t = memo.open(start);
                    memo.members.get_mut(index as usize)?.child = t;
                    t
                }
                t => t,
            };
            rest = more;
        }
    }
}

/// The offset in `raw` of `value`, a sub-slice of it, when `value` is an object.
#[inline]
fn object_start(raw: &[u8], value: &[u8]) -> Option<u32> {
    if value.first() != Some(&b'{') {
        return None;
    }
    let offset = (value.as_ptr() as usize).wrapping_sub(raw.as_ptr() as usize);
    if offset.checked_add(value.len())? > raw.len() {
        return None;
    }
    u32::try_from(offset).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{resolve_str, REGISTRY};

    const EV: &str = r#"{"actor":{"id":"a1","alternateId":"jane@example.com","displayName":"Jane","alternateId":"second"},
        "client":{"userAgent":{"rawUserAgent":"UA {x}","os":"Mac OS X","browser":"CHROME"},"zone":"null","ipAddress":"1.2.3.4",
        "geographicalContext":{"city":"Paris","country":"France","geolocation":{"lat":48.8,"lon":2.3}}},
        "debugContext":{"debugData":{"requestUri":"/app/x/1","k\"q":"esc"}},"eventType":"user.session.start",
        "target":[{"type":"User","displayName":"Bob"}]}"#;

    #[test]
    fn memoized_reads_equal_direct_ones() {
        let event = Event::from_bytes(EV.as_bytes().to_vec()).unwrap();
        let state = FieldState::new();
        let mut memo = ObjectMemo::new();
        for round in 0..3 {
            let mut reader = Reader::with_memo(&event, &state, memo);
            // Twice over every field, in registry order and in reverse.
            for def in REGISTRY.iter().chain(REGISTRY.iter().rev()) {
                let name = match def.arg {
                    crate::fields::ArgKind::None => def.name.to_string(),
                    crate::fields::ArgKind::Index { .. } => format!("{}[1]", def.name),
                    crate::fields::ArgKind::Key { .. } => match def.name {
                        "okta.json" => format!("{}[/client/geographicalContext/city]", def.name),
                        "okta.debug" => format!("{}[k\"q]", def.name),
                        _ => format!("{}[User]", def.name),
                    },
                };
                let Ok(field) = resolve_str(&name) else {
                    continue;
                };
                let direct = field.extract(&event, &state);
                let memoized = field.read(&mut reader);
                assert_eq!(memoized, direct, "{name} (round {round})");
            }
            memo = reader.into_memo();
            assert!(!memo.tables.is_empty());
        }
    }

    #[test]
    fn first_member_wins_and_tables_are_per_event() {
        let event = Event::from_bytes(EV.as_bytes().to_vec()).unwrap();
        let state = FieldState::new();
        let mut reader = Reader::with_memo(&event, &state, ObjectMemo::new());
        assert_eq!(
            reader.at(Top::Actor, &["alternateId"]),
            Some(&br#""jane@example.com""#[..])
        );
        assert_eq!(reader.at(Top::Actor, &["missing"]), None);
        assert_eq!(reader.at(Top::Actor, &["id", "x"]), None);
        assert_eq!(
            reader.at(Top::DebugContext, &["debugData", "k\"q"]),
            Some(&br#""esc""#[..])
        );
        assert_eq!(
            reader.at(Top::Client, &["geographicalContext", "geolocation", "lon"]),
            Some(&b"2.3"[..])
        );
        let memo = reader.into_memo();
        // actor; debugContext and debugData; client, geographicalContext and geolocation.
        assert_eq!(memo.tables.len(), 6);
        // actor was scanned up to alternateId, then to its end for "missing".
        assert_eq!(memo.tables[0].resume, NONE);
        // client only up to geographicalContext (its last member), geolocation to lon (last).
        assert_ne!(memo.tables[3].resume, NONE);
        let reader = Reader::with_memo(&event, &state, memo);
        assert!(reader.into_memo().tables.is_empty());
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
        let mut reader = Reader::with_memo(&event, &state, ObjectMemo::new());
        let path: Vec<&str> = std::iter::once("debugData")
            .chain(std::iter::repeat_n("a", 40))
            .collect();
        let direct = scan::get_path(event.member(Top::DebugContext).unwrap(), &path);
        assert_eq!(direct, Some(&br#""x""#[..]));
        assert_eq!(reader.at(Top::DebugContext, &path), direct);
        assert_eq!(reader.at(Top::Client, &["id"]), Some(&b"{}"[..]));
        assert_eq!(reader.at(Top::Client, &["id", "a"]), None);
        assert_eq!(reader.at(Top::Client, &["zone"]).map(<[u8]>::len), Some(16));
    }
}
