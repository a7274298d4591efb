//! Decoding: one pass over an event's bytes that validates them as JSON and records where every
//! value sits (the tape), so that reading a field is a hop over a few tape entries instead of a
//! scan of the bytes.
//!
//! Data flow: [`crate::Event::from_bytes`] checks that the bytes are UTF-8 and calls [`parse`],
//! which checks the text against the JSON grammar (RFC 8259: strings and their escapes,
//! numbers, literals, nesting) and
//! appends one [`Node`] per value, in document order, the root first. A node holds the byte range
//! of its value and, for an object member, of its key; a container's node also says which node
//! follows its last descendant ([`Node::next`]), so the members of an object are found by
//! starting at the node after it and hopping along `next`. The event keeps the tape beside its
//! bytes, and readers walk it through a [`Cursor`]: `cursor.get("client")?.get("ipAddress")` looks
//! at the keys of two small objects and scans nothing. Values come out as slices of the event's
//! text, exactly as written (as `&str`: no UTF-8 check is needed again).
//!
//! Why our own parser: validating with a general parser and then finding fields by scanning the
//! bytes again touches every byte twice; the tape costs about what validation alone costs in
//! sonic-rs (measured on the replay corpus) and makes every later lookup nearly free.
//!
//! Limits: nesting deeper than [`MAX_DEPTH`] levels is rejected (as serde_json does), and events
//! must be shorter than 2 GiB (offsets are kept in 31 bits). `\u` escapes are checked for four hex
//! digits; a lone surrogate is accepted (RFC 8259 allows it in the grammar) and reads as U+FFFD.

use std::borrow::Cow;
use std::fmt;

use crate::event::unescape;
use crate::json::str_is;

/// Objects and arrays nested deeper than this are rejected.
pub const MAX_DEPTH: usize = 128;

/// Events must be shorter than this (offsets are kept in 31 bits).
pub const MAX_LEN: usize = 1 << 31;

/// [`Node::key`] of array items and the root.
const NO_KEY: u32 = u32::MAX;
/// Set in [`Node::key_end`] when the key has escape sequences.
const ESCAPED: u32 = 1 << 31;

/// One JSON value of the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Node {
    /// Where the key's opening quote is (`NO_KEY` for array items and the root).
    key: u32,
    /// Just after the key's closing quote, with `ESCAPED` set when the key has escapes.
    key_end: u32,
    /// The value's bytes: `start..end`, with `ESCAPED` set in `end` for a string value with
    /// escapes.
    start: u32,
    end: u32,
    /// The node after this value's last descendant (its next sibling, if any).
    next: u32,
}

impl Node {
    /// Whether this node is an object member with the key `key` (compared unescaped).
    #[inline]
    fn key_is(&self, raw: &[u8], key: &str) -> bool {
        if self.key == NO_KEY {
            return false;
        }
        let (from, to) = (self.key as usize, (self.key_end & !ESCAPED) as usize);
        if self.key_end & ESCAPED == 0 {
            // Without escapes only the same bytes match.
            to - from == key.len() + 2
                && raw
                    .get(from + 1..to - 1)
                    .is_some_and(|k| same_short(k, key.as_bytes()))
        } else {
            raw.get(from..to).is_some_and(|k| str_is(k, key))
        }
    }

    /// The raw key, with its quotes (`None` for array items and the root).
    #[inline]
    fn key_raw<'a>(&self, raw: &'a [u8]) -> Option<&'a [u8]> {
        if self.key == NO_KEY {
            return None;
        }
        raw.get(self.key as usize..(self.key_end & !ESCAPED) as usize)
    }
}

/// `a == b` for slices of the same length, in place (keys are short: a call into `memcmp`
/// costs more than the comparison).
#[inline(always)]
fn same_short(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Why bytes are not valid JSON: what was wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong there.
    pub what: &'static str,
}

impl SyntaxError {
    /// The message with a line and column (1-based, columns in bytes) computed from `raw`.
    pub(crate) fn describe(&self, raw: &[u8]) -> String {
        let before = raw.get(..self.offset).unwrap_or(raw);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        format!("{} at line {line}, column {column}", self.what)
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

#[inline]
fn fail<T>(offset: usize, what: &'static str) -> Result<T, SyntaxError> {
    Err(SyntaxError { offset, what })
}

/// Validates `text` as one JSON value and writes its tape into `nodes` (cleared first); `stack`
/// is scratch space. Whitespace may surround the value.
pub(crate) fn parse(
    text: &str,
    nodes: &mut Vec<Node>,
    stack: &mut Vec<u32>,
) -> Result<(), SyntaxError> {
    nodes.clear();
    stack.clear();
    if text.len() >= MAX_LEN {
        return fail(0, "event too large");
    }
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    // The key of the value about to be parsed.
    let (mut key, mut key_end) = (NO_KEY, 0u32);
    loop {
        // A value starts at `i`.
        let index = nodes.len() as u32;
        let Some(&c) = b.get(i) else {
            return fail(i, "expected a value, found the end of the input");
        };
        let (end, flag) = match c {
            b'"' => match string(b, i)? {
                (end, true) => (end, ESCAPED),
                (end, false) => (end, 0),
            },
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return fail(i, "nested more than 128 levels deep");
                }
                nodes.push(Node {
                    key,
                    key_end,
                    start: i as u32,
                    end: 0,
                    next: 0,
                });
                let object = c == b'{';
                stack.push(index << 1 | u32::from(object));
                i = skip_ws(b, i + 1);
                let close = if object { b'}' } else { b']' };
                if b.get(i) != Some(&close) {
                    if object {
                        (key, key_end, i) = member_key(b, i)?;
                    } else {
                        key = NO_KEY;
                    }
                    continue;
                }
                // Empty: closed just below.
                (i, 0)
            }
            b't' => (literal(b, i, b"true")?, 0),
            b'f' => (literal(b, i, b"false")?, 0),
            b'n' => (literal(b, i, b"null")?, 0),
            b'-' | b'0'..=b'9' => (number(b, i)?, 0),
            _ => return fail(i, "expected a value"),
        };
        if !matches!(c, b'{' | b'[') {
            nodes.push(Node {
                key,
                key_end,
                start: i as u32,
                end: end as u32 | flag,
                next: index + 1,
            });
            i = end;
        }
        // After a value: a comma and the next member or item, or closing brackets.
        loop {
            let Some(&open) = stack.last() else {
                if skip_ws(b, i) != b.len() {
                    return fail(skip_ws(b, i), "trailing characters after the JSON value");
                }
                return Ok(());
            };
            let object = open & 1 == 1;
            i = skip_ws(b, i);
            match (b.get(i), object) {
                (Some(b','), _) => {
                    i = skip_ws(b, i + 1);
                    if object {
                        (key, key_end, i) = member_key(b, i)?;
                    } else {
                        key = NO_KEY;
                    }
                    break;
                }
                (Some(b'}'), true) | (Some(b']'), false) => {}
                (_, true) => return fail(i, "expected ',' or '}' after an object member"),
                (_, false) => return fail(i, "expected ',' or ']' after an array item"),
            }
            stack.pop();
            let after = nodes.len() as u32;
            if let Some(node) = nodes.get_mut((open >> 1) as usize) {
                node.end = i as u32 + 1;
                node.next = after;
            }
            i += 1;
        }
    }
}

#[inline(always)]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            break;
        }
        i += 1;
    }
    i
}

/// `"key"`, whitespace, `:` and whitespace at `i`: the key's position (with `ESCAPED`) and where
/// its value starts.
#[inline(always)]
fn member_key(b: &[u8], i: usize) -> Result<(u32, u32, usize), SyntaxError> {
    if b.get(i) != Some(&b'"') {
        return fail(i, "expected a string key");
    }
    let (end, escaped) = string(b, i)?;
    let mut colon = end;
    if b.get(colon) != Some(&b':') {
        colon = skip_ws(b, colon);
        if b.get(colon) != Some(&b':') {
            return fail(colon, "expected ':' after an object key");
        }
    }
    let flag = if escaped { ESCAPED } else { 0 };
    Ok((i as u32, end as u32 | flag, skip_ws(b, colon + 1)))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags (in the high bit of each byte) the zero bytes of `v`; the lowest flag is always right.
#[inline(always)]
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// The string whose opening quote is at `i`: just after its closing quote, and whether it has
/// escapes. Control characters must be escaped; escapes must be JSON's.
///
/// Eight bytes are tested at a time for a quote, a backslash or a byte below 0x20; the lowest
/// flagged byte of each test is a true match, so the lowest of all is the next byte to look at.
#[inline(always)]
fn string(b: &[u8], i: usize) -> Result<(usize, bool), SyntaxError> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        match b.get(j..j + 8) {
            Some(chunk) => {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let w = u64::from_le_bytes(word);
                let hits = zero_bytes(w ^ (ONES * u64::from(b'"')))
                    | zero_bytes(w ^ (ONES * u64::from(b'\\')))
                    | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS);
                if hits == 0 {
                    j += 8;
                    continue;
                }
                j += (hits.trailing_zeros() / 8) as usize;
            }
            None => {
                let rest = b.get(j..).unwrap_or_default();
                match rest
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                {
                    Some(p) => j += p,
                    None => return fail(i, "unterminated string"),
                }
            }
        }
        match b.get(j) {
            Some(b'"') => return Ok((j + 1, escaped)),
            Some(b'\\') => {
                escaped = true;
                match b.get(j + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => j += 2,
                    Some(b'u') => match b.get(j + 2..j + 6) {
                        Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => j += 6,
                        _ => return fail(j, "invalid \\u escape (expected four hex digits)"),
                    },
                    None => return fail(i, "unterminated string"),
                    Some(_) => return fail(j, "invalid escape sequence in a string"),
                }
            }
            _ => return fail(j, "control character in a string (it must be escaped)"),
        }
    }
}

/// The number at `i` (JSON's grammar: no leading zeros, no `+`, digits after `.` and `e`).
#[inline]
fn number(b: &[u8], start: usize) -> Result<usize, SyntaxError> {
    let digits = |mut i: usize| {
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(i + 1),
        _ => return fail(start, "invalid number"),
    };
    if b.get(i) == Some(&b'.') {
        if !matches!(b.get(i + 1), Some(b'0'..=b'9')) {
            return fail(start, "invalid number (expected digits after '.')");
        }
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return fail(start, "invalid number (expected digits in the exponent)");
        }
        i = digits(i);
    }
    match b.get(i) {
        // A number runs into the next token only through one of these.
        Some(c) if !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') => {
            fail(start, "invalid number")
        }
        _ => Ok(i),
    }
}

#[inline]
fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, SyntaxError> {
    if b.get(i..i + word.len()) == Some(word) {
        Ok(i + word.len())
    } else {
        fail(i, "invalid literal (expected true, false or null)")
    }
}

/// A position in an event's tape: one value, with ways to its members and items.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    text: &'a str,
    nodes: &'a [Node],
    at: u32,
}

impl<'a> Cursor<'a> {
    /// The root value of a tape built from `text` (`None` for an empty tape).
    #[inline]
    pub(crate) fn root(text: &'a str, nodes: &'a [Node]) -> Option<Cursor<'a>> {
        Cursor::at(text, nodes, 0)
    }

    /// The value of node `at`.
    #[inline]
    pub(crate) fn at(text: &'a str, nodes: &'a [Node], at: u32) -> Option<Cursor<'a>> {
        nodes.get(at as usize)?;
        Some(Cursor { text, nodes, at })
    }

    #[inline]
    fn node(&self) -> Node {
        // `at` was checked when the cursor was made.
        self.nodes.get(self.at as usize).copied().unwrap_or(Node {
            key: NO_KEY,
            key_end: 0,
            start: 0,
            end: 0,
            next: self.at.saturating_add(1),
        })
    }

    /// The node index of this value.
    #[inline]
    pub(crate) fn index(&self) -> u32 {
        self.at
    }

    /// The value's JSON text, exactly as written.
    #[inline]
    pub(crate) fn text(&self) -> &'a str {
        let node = self.node();
        // Values start and end at ASCII bytes: always on character boundaries.
        self.text
            .get(node.start as usize..(node.end & !ESCAPED) as usize)
            .unwrap_or_default()
    }

    /// The value as text when it is a JSON string: unescaped, and borrowed from the event when
    /// it has no escapes (known from the tape: nothing is scanned). `None` for other values.
    #[inline]
    pub(crate) fn string(&self) -> Option<Cow<'a, str>> {
        let node = self.node();
        let (start, end) = (node.start as usize, (node.end & !ESCAPED) as usize);
        if self.text.as_bytes().get(start) != Some(&b'"') {
            return None;
        }
        let inner = self.text.get(start + 1..end.checked_sub(1)?)?;
        if node.end & ESCAPED == 0 {
            Some(Cow::Borrowed(inner))
        } else {
            unescape(inner).map(Cow::Owned)
        }
    }

    /// The value's raw JSON bytes, exactly as written.
    #[inline]
    pub(crate) fn raw(&self) -> &'a [u8] {
        self.text().as_bytes()
    }

    /// The raw key of this value (with quotes), when it is an object member.
    #[inline]
    pub(crate) fn key_raw(&self) -> Option<&'a [u8]> {
        self.node().key_raw(self.text.as_bytes())
    }

    /// The key's bytes between the quotes, when this is an object member whose key has no
    /// escapes (`None` otherwise: use [`Cursor::key_raw`]).
    #[inline]
    pub(crate) fn plain_key(&self) -> Option<&'a [u8]> {
        let node = self.node();
        if node.key == NO_KEY || node.key_end & ESCAPED != 0 {
            return None;
        }
        self.text
            .as_bytes()
            .get(node.key as usize + 1..(node.key_end as usize).checked_sub(1)?)
    }

    /// Whether the value is an object.
    #[inline]
    pub(crate) fn is_object(&self) -> bool {
        self.text.as_bytes().get(self.node().start as usize) == Some(&b'{')
    }

    /// Whether the value is an array.
    #[inline]
    pub(crate) fn is_array(&self) -> bool {
        self.text.as_bytes().get(self.node().start as usize) == Some(&b'[')
    }

    /// The first member with the key `key` (`None` when absent or not an object).
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<Cursor<'a>> {
        let raw = self.text.as_bytes();
        self.children().find(|child| child.node().key_is(raw, key))
    }

    /// The value at `path` (object keys) below this one.
    #[inline]
    pub(crate) fn path(&self, path: &[&str]) -> Option<Cursor<'a>> {
        let mut at = *self;
        for key in path {
            at = at.get(key)?;
        }
        Some(at)
    }

    /// The members (values, keyed) of an object or the items of an array, in order; nothing for
    /// scalars.
    #[inline]
    pub(crate) fn children(&self) -> Children<'a> {
        Children {
            text: self.text,
            nodes: self.nodes,
            next: self.at + 1,
            end: self.node().next,
        }
    }
}

/// The children of a value, see [`Cursor::children`].
#[derive(Debug, Clone)]
pub(crate) struct Children<'a> {
    text: &'a str,
    nodes: &'a [Node],
    next: u32,
    end: u32,
}

impl<'a> Iterator for Children<'a> {
    type Item = Cursor<'a>;

    #[inline]
    fn next(&mut self) -> Option<Cursor<'a>> {
        if self.next >= self.end {
            return None;
        }
        let at = self.next;
        let node = self.nodes.get(at as usize)?;
        // `next` always moves forward on a tape built by `parse`; stop should it not.
        self.next = if node.next > at { node.next } else { self.end };
        Some(Cursor {
            text: self.text,
            nodes: self.nodes,
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tape(json: &str) -> Result<Vec<Node>, SyntaxError> {
        let mut nodes = Vec::new();
        parse(json, &mut nodes, &mut Vec::new()).map(|()| nodes)
    }

    fn raw_at<'a>(json: &'a str, nodes: &'a [Node], path: &[&str]) -> Option<&'a [u8]> {
        Some(Cursor::root(json, nodes)?.path(path)?.raw())
    }

    const DOC: &str = r#" { "a" : 1 , "b\"q" : "x\\\"y}" , "c":{"d":[1,{"e":"]"}],"f":null},
        "g" : [ ] , "h":{}, "i":-1.5e3,"j":true, "a": 2 } "#;

    #[test]
    fn every_value_gets_a_node_with_its_exact_bytes() {
        let nodes = tape(DOC).unwrap();
        // root, a, b"q, c, d, 1, {e}, e, f, g, h, i, j, a
        assert_eq!(nodes.len(), 14);
        let at = |path: &[&str]| {
            raw_at(DOC, &nodes, path).map(|r| String::from_utf8_lossy(r).into_owned())
        };
        assert_eq!(
            at(&["a"]).as_deref(),
            Some("1"),
            "the first of two equal keys"
        );
        assert_eq!(at(&["b\"q"]).as_deref(), Some(r#""x\\\"y}""#));
        assert_eq!(at(&["c", "d"]).as_deref(), Some(r#"[1,{"e":"]"}]"#));
        assert_eq!(at(&["c", "f"]).as_deref(), Some("null"));
        assert_eq!(at(&["g"]).as_deref(), Some("[ ]"));
        assert_eq!(at(&["h"]).as_deref(), Some("{}"));
        assert_eq!(at(&["i"]).as_deref(), Some("-1.5e3"));
        assert_eq!(at(&["j"]).as_deref(), Some("true"));
        assert_eq!(at(&["c", "d", "e"]), None, "arrays have no keys");
        assert_eq!(at(&["a", "x"]), None, "scalars have no members");
        assert_eq!(at(&["zz"]), None);
        let root = Cursor::root(DOC, &nodes).unwrap();
        assert_eq!(root.raw(), DOC.trim().as_bytes());
        let d = root.path(&["c", "d"]).unwrap();
        assert!(d.is_array() && !d.is_object());
        let items: Vec<_> = d.children().map(|c| c.raw()).collect();
        assert_eq!(items, [&b"1"[..], br#"{"e":"]"}"#]);
        assert_eq!(
            d.children().nth(1).unwrap().get("e").unwrap().raw(),
            br#""]""#
        );
        // Strings come out unescaped, borrowed when the tape says they have no escapes.
        let b = root.get("b\"q").unwrap();
        assert_eq!(b.string().as_deref(), Some("x\\\"y}"));
        assert!(matches!(b.string(), Some(Cow::Owned(_))));
        let e = d.children().nth(1).unwrap().get("e").unwrap();
        assert!(matches!(e.string(), Some(Cow::Borrowed("]"))));
        assert_eq!(root.get("i").unwrap().string(), None);
        assert_eq!(b.text(), r#""x\\\"y}""#);
        let keys: Vec<_> = root.children().filter_map(|c| c.key_raw()).collect();
        assert_eq!(keys.len(), 8);
        assert_eq!(keys[1], br#""b\"q""#);
    }

    #[test]
    fn accepts_what_serde_json_accepts() {
        for json in [
            "{}",
            "[]",
            "0",
            "-0.0e+0",
            "1E-2",
            r#""\u00e9\ud83d\ude00 \/ \b\f\n\r\t""#,
            "\"\u{e9}\u{1F600}\"",
            "[[[[]]],{\"\":{}}]",
            "\t\r\n {\"a\" \n:\t[ true , false , null ] } \n",
            r#"{"12345678":"123456789abcdef\\","x":"\"\"\"\"\"\"\"\"\""}"#,
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(json).is_ok(),
                "{json}"
            );
            assert_eq!(tape(json).map(|_| ()), Ok(()), "{json}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(tape(&deep).is_ok());
    }

    #[test]
    fn rejects_what_serde_json_rejects_with_a_reason_and_a_place() {
        for (json, what, offset) in [
            ("", "expected a value, found the end of the input", 0),
            ("{", "expected a string key", 1),
            (r#"{"a" 1}"#, "expected ':' after an object key", 5),
            (r#"{"a":1,}"#, "expected a string key", 7),
            (
                r#"{"a":1 "b":2}"#,
                "expected ',' or '}' after an object member",
                7,
            ),
            ("[1,]", "expected a value", 3),
            ("[1 2]", "expected ',' or ']' after an array item", 3),
            ("[1}", "expected ',' or ']' after an array item", 2),
            ("{]", "expected a string key", 1),
            ("01", "invalid number", 0),
            ("1.", "invalid number (expected digits after '.')", 0),
            ("1e", "invalid number (expected digits in the exponent)", 0),
            ("+1", "expected a value", 0),
            ("-", "invalid number", 0),
            ("[1x]", "invalid number", 1),
            ("tru", "invalid literal (expected true, false or null)", 0),
            ("nul1", "invalid literal (expected true, false or null)", 0),
            ("null1", "trailing characters after the JSON value", 4),
            (r#""abc"#, "unterminated string", 0),
            (r#""abcdefghijklmnop"#, "unterminated string", 0),
            ("\"a\\", "unterminated string", 0),
            (r#""\x""#, "invalid escape sequence in a string", 1),
            (
                r#""\u12G4""#,
                "invalid \\u escape (expected four hex digits)",
                1,
            ),
            (
                "\"tab\there\"",
                "control character in a string (it must be escaped)",
                4,
            ),
            (
                "\"a very long string with a\nnewline\"",
                "control character in a string (it must be escaped)",
                26,
            ),
            ("{} {}", "trailing characters after the JSON value", 3),
            ("{\"a\":1}}", "trailing characters after the JSON value", 7),
            ("{'a':1}", "expected a string key", 1),
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(json).is_err(),
                "{json}"
            );
            assert_eq!(tape(json), Err(SyntaxError { offset, what }), "{json}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(
            tape(&deep).unwrap_err().what,
            "nested more than 128 levels deep"
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let json = "{\n  \"a\": 1,\n  \"b\" 2\n}";
        let err = tape(json).unwrap_err();
        assert_eq!(
            err.describe(json.as_bytes()),
            "expected ':' after an object key at line 3, column 7"
        );
    }

    /// Every prefix of valid documents is rejected (or, for a complete value, accepted) without
    /// panicking, and agrees with serde_json on which.
    #[test]
    fn truncations_agree_with_serde_json() {
        for doc in [
            DOC,
            r#"{"x":[1,-2.5e-3,{"y":"\u00e9\n"}],"z":"abcdefghijklmnopqrstuvwxyz"}"#,
        ] {
            for end in 0..=doc.len() {
                let Some(part) = doc.get(..end) else { continue };
                let ours = tape(part).is_ok();
                let serde = serde_json::from_str::<serde_json::Value>(part).is_ok();
                assert_eq!(ours, serde, "{part:?}");
            }
        }
    }
}
