//! Reading fields of one event, remembering the objects already walked.
//!
//! Many fields live side by side in one object (`okta.client.ip`, `okta.client.geo.country` and
//! `okta.useragent.os` are all inside `client`). Looked up one by one, each field would scan
//! `client` again from its first member. A [`Reader`] is the per-event context extractors read
//! through: with an [`ObjectMemo`] it keeps a table of members (key and value positions) for every
//! object a lookup walked, so the next lookup in the same object compares keys instead of
//! scanning JSON.
//!
//! Data flow: a consumer that reads several fields of each event (the rules engine, the
//! `--select` sink) keeps one [`ObjectMemo`] and, per event, makes
//! [`Reader::with_memo`]`(event, state, memo)`, calls [`super::Field::read`] for the fields it
//! needs, then takes the memo back with [`Reader::into_memo`] (emptied, its memory kept: no
//! allocation per event once warm). [`super::Field::extract`] reads through a [`Reader::new`]
//! without a memo, which scans directly and never allocates.
//!
//! A table is built in one pass over the object with the same scanner a direct lookup uses, and
//! lookups in it return the first member with the key, as a direct scan does: results never
//! depend on whether a memo is used.

use super::scan::{self, skip_ws, str_is, string_end, string_end_escaped, value_end};
use super::FieldState;
use crate::event::{Event, Top};

/// "None" in the memo's index fields.
const NONE: u32 = u32::MAX;

/// Objects nested deeper than this (inside the object a lookup starts from) get no table; lookups
/// in them scan. Bounds the walker's recursion.
const MAX_DEPTH: usize = 32;

/// The member tables of the objects walked in one event. Reused from event to event.
#[derive(Debug)]
pub struct ObjectMemo {
    tables: Vec<Table>,
    members: Vec<Member>,
    /// The table of each top-level member (by [`Top`]), `NONE` until walked.
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

    /// The table of the object at `start` in `raw`: a remembered one, or one walked now (with
    /// the objects nested in it). `None` when the bytes there are not an object the walker can
    /// read (the memo is then left as it was).
    fn table_at(&mut self, raw: &[u8], start: usize) -> Option<u32> {
        let start32 = u32::try_from(start).ok()?;
        if let Some(t) = self.tables.iter().position(|t| t.start == start32) {
            return u32::try_from(t).ok();
        }
        if raw.get(start) != Some(&b'{') {
            return None;
        }
        let (tables, members) = (self.tables.len(), self.members.len());
        match self.walk_object(raw, start, 0) {
            Some((table, _)) => Some(table),
            None => {
                self.tables.truncate(tables);
                self.members.truncate(members);
                None
            }
        }
    }

    /// Records the object at `start` (a `{`) and, depth first, the objects inside it. Returns its
    /// table and the index just after it.
    fn walk_object(&mut self, raw: &[u8], start: usize, depth: usize) -> Option<(u32, usize)> {
        let table = u32::try_from(self.tables.len()).ok()?;
        self.tables.push(Table {
            start: u32::try_from(start).ok()?,
            first: NONE,
        });
        let mut last = NONE;
        let mut i = skip_ws(raw, start + 1);
        if raw.get(i) == Some(&b'}') {
            return Some((table, i + 1));
        }
        loop {
            if *raw.get(i)? != b'"' {
                return None;
            }
            let (key_end, escaped) = string_end_escaped(raw, i)?;
            let key = span(i, key_end)?;
            i = skip_ws(raw, key_end);
            if *raw.get(i)? != b':' {
                return None;
            }
            i = skip_ws(raw, i + 1);
            let (child, end) = self.walk_value(raw, i, depth)?;
            let index = u32::try_from(self.members.len()).ok()?;
            self.members.push(Member {
                key,
                value: span(i, end)?,
                next: NONE,
                child,
                escaped,
            });
            match last {
                NONE => self.tables.get_mut(table as usize)?.first = index,
                prev => self.members.get_mut(prev as usize)?.next = index,
            }
            last = index;
            i = skip_ws(raw, end);
            match *raw.get(i)? {
                b',' => i = skip_ws(raw, i + 1),
                b'}' => return Some((table, i + 1)),
                _ => return None,
            }
        }
    }

    /// Walks one value at `i`: objects get tables, arrays are walked for the objects in them.
    /// Returns the value's table (`NONE` for other values) and the index just after it.
    fn walk_value(&mut self, raw: &[u8], i: usize, depth: usize) -> Option<(u32, usize)> {
        match *raw.get(i)? {
            b'"' => Some((NONE, string_end(raw, i)?)),
            b'{' if depth < MAX_DEPTH => self.walk_object(raw, i, depth + 1),
            b'[' if depth < MAX_DEPTH => {
                let mut j = skip_ws(raw, i + 1);
                if raw.get(j) == Some(&b']') {
                    return Some((NONE, j + 1));
                }
                loop {
                    let (_, end) = self.walk_value(raw, j, depth + 1)?;
                    j = skip_ws(raw, end);
                    match *raw.get(j)? {
                        b',' => j = skip_ws(raw, j + 1),
                        b']' => return Some((NONE, j + 1)),
                        _ => return None,
                    }
                }
            }
            _ => Some((NONE, value_end(raw, i)?)),
        }
    }

    /// The first member of `table` whose key is `key`.
    fn find(&self, raw: &[u8], table: u32, key: &str) -> Option<&Member> {
        let mut next = self.tables.get(table as usize)?.first;
        let quoted = key.len() + 2;
        while let Some(m) = self.members.get(next as usize) {
            let (from, to) = (m.key.0 as usize, m.key.1 as usize);
            // Without escapes, only a key of the same length and bytes matches.
            let hit = if m.escaped {
                str_is(raw.get(from..to)?, key)
            } else {
                to - from == quoted && raw.get(from + 1..to - 1)? == key.as_bytes()
            };
            if hit {
                return Some(m);
            }
            next = m.next;
        }
        None
    }
}

/// A byte range of the event as `u32` offsets.
#[inline]
fn span(from: usize, to: usize) -> Option<(u32, u32)> {
    Some((u32::try_from(from).ok()?, u32::try_from(to).ok()?))
}

impl Default for ObjectMemo {
    fn default() -> ObjectMemo {
        ObjectMemo::new()
    }
}

/// One walked object.
#[derive(Debug, Clone, Copy)]
struct Table {
    /// Offset of the object's `{` in the event.
    start: u32,
    /// Its first member (`NONE` when empty); members are chained by [`Member::next`].
    first: u32,
}

/// One member: where its raw key (with quotes) and raw value are in the event.
#[derive(Debug, Clone, Copy)]
struct Member {
    key: (u32, u32),
    value: (u32, u32),
    /// The next member of the same object (`NONE`: last).
    next: u32,
    /// The table of the value when it is a walked object, else `NONE`.
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

    /// A reader that remembers the objects it walks in `memo` (emptied first).
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
        let Some((first, rest)) = path.split_first() else {
            return Some(member);
        };
        let raw: &'e [u8] = self.event.raw();
        let Some(memo) = &mut self.memo else {
            return scan::get_path(member, path);
        };
        let mut table = match memo.top[top as usize] {
            NONE => {
                let Some(t) = memo.table_at(raw, offset_in(raw, member)?) else {
                    return scan::get_path(member, path);
                };
                memo.top[top as usize] = t;
                t
            }
            t => t,
        };
        let mut key = first;
        let mut rest = rest;
        loop {
            let m = *memo.find(raw, table, key)?;
            let value = raw.get(m.value.0 as usize..m.value.1 as usize)?;
            let Some((next, more)) = rest.split_first() else {
                return Some(value);
            };
            if m.child == NONE {
                // Not an object, or nested too deep to have a table.
                return scan::get_path(value, rest);
            }
            (table, key, rest) = (m.child, next, more);
        }
    }
}

/// Where `part` starts in `whole`, when it is a sub-slice of it.
#[inline]
fn offset_in(whole: &[u8], part: &[u8]) -> Option<usize> {
    let offset = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    (offset.checked_add(part.len())? <= whole.len()).then_some(offset)
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
        // actor; debugContext and debugData; client and the four objects in it.
        assert_eq!(memo.tables.len(), 7);
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
