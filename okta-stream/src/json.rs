//! Navigation in raw JSON slices that have already been validated: find an object member,
//! iterate object members or array items, without building anything.
//!
//! Events are read through their tape (`crate::tape`), which knows where every value is; this
//! scanner serves the public helpers that take a raw slice instead of an event
//! ([`crate::event::lookup_in`], [`crate::event::array_items`]) and compares a raw key or string
//! with a text ([`str_is`], used by the tape too). Data flow: a caller hands in a raw value and
//! calls [`get`] / [`get_path`] / [`items`] / [`members`]; results are sub-slices of the same
//! bytes.
//!
//! The scanner never panics and never loops forever on malformed input: it returns `None` (or
//! stops iterating) when the bytes are not what valid JSON would hold.

use crate::event::raw_str;

#[inline]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            break;
        }
        i += 1;
    }
    i
}

/// `i` is at an opening quote; returns the index just after the closing quote.
///
/// Most strings of an event are short keys and values, where a call into `memchr` costs more
/// than the search: the bytes are read eight at a time as one word, and a word with a quote or a
/// backslash in it is found with two zero-byte tests (the lowest flagged byte is always a true
/// match, so the first quote or backslash is never missed).
#[inline]
pub(crate) fn string_end(b: &[u8], i: usize) -> Option<usize> {
    string_end_escaped(b, i).map(|(end, _)| end)
}

/// [`string_end`], also saying whether the string has escape sequences.
#[inline]
pub(crate) fn string_end_escaped(b: &[u8], i: usize) -> Option<(usize, bool)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    #[inline]
    fn zero_bytes(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGHS
    }
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        // Move `j` to the next quote or backslash.
        match b.get(j..j + 8) {
            Some(chunk) => {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let w = u64::from_le_bytes(word);
                let hits = zero_bytes(w ^ (ONES * u64::from(b'"')))
                    | zero_bytes(w ^ (ONES * u64::from(b'\\')));
                if hits == 0 {
                    j += 8;
                    continue;
                }
                j += (hits.trailing_zeros() / 8) as usize;
            }
            // Fewer than eight bytes left.
            None => j += b.get(j..)?.iter().position(|&c| c == b'"' || c == b'\\')?,
        }
        if b[j] == b'\\' {
            escaped = true;
            j += 2;
        } else {
            return Some((j + 1, escaped));
        }
    }
}

/// `i` is at the first byte of a value; returns the index just after it.
pub(crate) fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        open @ (b'{' | b'[') => {
            // Brackets of the other kind nest properly inside valid JSON: only this kind counts.
            let close = if open == b'{' { b'}' } else { b']' };
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&c) = b.get(j) {
                if c == b'"' {
                    j = string_end(b, j)?;
                    continue;
                }
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// The members of a JSON object: (raw key with its quotes, raw value). Empty for non-objects.
pub(crate) struct Members<'a> {
    b: &'a [u8],
    i: usize,
    done: bool,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.step();
        if item.is_none() {
            self.done = true;
        }
        item
    }
}

impl<'a> Members<'a> {
    fn step(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        let b = self.b;
        let mut i = skip_ws(b, self.i);
        match *b.get(i)? {
            b'}' => {
                self.i = i;
                return None;
            }
            b',' => i = skip_ws(b, i + 1),
            _ => {}
        }
        if *b.get(i)? != b'"' {
            return None;
        }
        let key_end = string_end(b, i)?;
        let key = b.get(i..key_end)?;
        i = skip_ws(b, key_end);
        if *b.get(i)? != b':' {
            return None;
        }
        i = skip_ws(b, i + 1);
        let end = value_end(b, i)?;
        self.i = end;
        Some((key, b.get(i..end)?))
    }
}

/// Iterates the members of the raw JSON object `json`.
pub(crate) fn members(json: &[u8]) -> Members<'_> {
    let start = skip_ws(json, 0);
    Members {
        b: json,
        i: start + 1,
        done: json.get(start) != Some(&b'{'),
    }
}

/// The items of a JSON array, as raw values. Empty for non-arrays.
pub(crate) struct Items<'a> {
    b: &'a [u8],
    i: usize,
    done: bool,
}

impl<'a> Iterator for Items<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.step();
        if item.is_none() {
            self.done = true;
        }
        item
    }
}

impl<'a> Items<'a> {
    fn step(&mut self) -> Option<&'a [u8]> {
        let b = self.b;
        let mut i = skip_ws(b, self.i);
        match *b.get(i)? {
            b']' => return None,
            b',' => i = skip_ws(b, i + 1),
            _ => {}
        }
        let end = value_end(b, i)?;
        self.i = end;
        b.get(i..end)
    }
}

/// Iterates the items of the raw JSON array `json`.
pub(crate) fn items(json: &[u8]) -> Items<'_> {
    let start = skip_ws(json, 0);
    Items {
        b: json,
        i: start + 1,
        done: json.get(start) != Some(&b'['),
    }
}

/// Whether a raw JSON string (with its quotes) equals `want`; unescapes only when it has escapes.
///
/// An escape sequence always takes more bytes than the text it stands for, so a raw string of
/// the same length as `want` (plus quotes) can only match byte for byte (and then only when it
/// has no escapes), and a shorter one never.
#[inline]
pub(crate) fn str_is(raw: &[u8], want: &str) -> bool {
    let inner_len = want.len() + 2;
    if raw.len() == inner_len {
        raw[0] == b'"' && &raw[1..raw.len() - 1] == want.as_bytes() && !raw.contains(&b'\\')
    } else {
        raw.len() > inner_len
            && raw.first() == Some(&b'"')
            && memchr::memchr(b'\\', raw).is_some()
            && raw_str(raw).is_some_and(|s| s == want)
    }
}

/// The raw value of member `key` of the raw JSON object `json`.
#[inline]
pub(crate) fn get<'a>(json: &'a [u8], key: &str) -> Option<&'a [u8]> {
    members(json).find(|(k, _)| str_is(k, key)).map(|(_, v)| v)
}

/// The raw value at `path` (object keys) inside `json`.
#[inline]
pub(crate) fn get_path<'a>(json: &'a [u8], path: &[&str]) -> Option<&'a [u8]> {
    path.iter().try_fold(json, |cur, key| get(cur, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &[u8] = br#" { "a" : 1 , "b\"q" : "x\\\"y}" , "c":{"d":[1,{"e":"]"}],"f":null},
        "g" : [ ] , "h":{}, "i":-1.5e3,"j":true } "#;

    #[test]
    fn finds_members_and_skips_nested_values() {
        assert_eq!(get(DOC, "a"), Some(&b"1"[..]));
        assert_eq!(get(DOC, "b\"q"), Some(&br#""x\\\"y}""#[..]));
        assert_eq!(get_path(DOC, &["c", "f"]), Some(&b"null"[..]));
        assert_eq!(get(DOC, "g"), Some(&b"[ ]"[..]));
        assert_eq!(get(DOC, "h"), Some(&b"{}"[..]));
        assert_eq!(get(DOC, "i"), Some(&b"-1.5e3"[..]));
        assert_eq!(get(DOC, "j"), Some(&b"true"[..]));
        assert_eq!(get(DOC, "z"), None);
        assert_eq!(get_path(DOC, &["a", "x"]), None);
        let d = get_path(DOC, &["c", "d"]).unwrap();
        let all: Vec<&[u8]> = items(d).collect();
        assert_eq!(all, vec![&b"1"[..], &br#"{"e":"]"}"#[..]]);
        assert_eq!(items(b"[ ]").count(), 0);
        assert_eq!(members(b"{}").count(), 0);
        assert_eq!(members(DOC).count(), 7);
        let mut m = members(DOC);
        assert_eq!(m.next().map(|(k, _)| k), Some(&br#""a""#[..]));
    }

    #[test]
    fn agrees_with_sonic_on_the_samples() {
        let ev = br#"{"actor":{"id":"00u1","type":"User","alternateId":"a@b","displayName":"A \u00e9","detailEntry":{"k":[1,2,{"x":"}"}]}},"target":[{"id":"1","type":"User"},{"id":"2","type":"App\"Instance"}]}"#;
        for path in [
            &["actor", "id"][..],
            &["actor", "displayName"],
            &["actor", "detailEntry"],
            &["target"],
        ] {
            let ours = get_path(ev, path);
            let theirs = crate::event::lookup_in(ev, path);
            assert_eq!(ours, theirs, "{path:?}");
        }
        let targets = get(ev, "target").unwrap();
        let ours: Vec<&[u8]> = items(targets).collect();
        let theirs: Vec<&[u8]> = crate::event::array_items(targets).collect();
        assert_eq!(ours, theirs);
        assert!(str_is(get(ours[1], "type").unwrap(), "App\"Instance"));
        // Same length, same bytes, but the raw text means `a\b`.
        assert!(!str_is(br#""a\\b""#, "a\\\\b"));
        assert!(str_is(br#""a\\b""#, "a\\b"));
    }

    #[test]
    fn malformed_input_ends_quietly() {
        for bad in [
            &b"{"[..],
            b"{\"a\"",
            b"{\"a\":",
            b"{\"a\":\"x",
            b"{\"a\":[1,2",
            b"{\"a\" 1}",
            b"{1:2}",
            b"[1,",
            b"[\"\\",
            b"{\"a\":]}",
            b"",
        ] {
            let _ = members(bad).count();
            let _ = items(bad).count();
            assert_eq!(get(bad, "b"), None);
        }
    }

    /// Walks every object and array of `raw` with the scanner and checks each sub-slice against
    /// sonic-rs (an independent parser).
    fn compare_everywhere(raw: &[u8]) -> usize {
        let mut checked = 0;
        if raw.first() == Some(&b'{') {
            let ours: Vec<(&[u8], &[u8])> = members(raw).collect();
            let theirs: Vec<(String, &[u8])> = crate::event::object_members(raw).collect();
            assert_eq!(ours.len(), theirs.len());
            for ((k, v), (tk, tv)) in ours.iter().zip(theirs.iter()) {
                assert_eq!(raw_str(k).as_deref(), Some(tk.as_str()));
                assert_eq!(v, tv);
                assert_eq!(get(raw, tk), crate::event::lookup_in(raw, &[tk.as_str()]));
                checked += 1 + compare_everywhere(v);
            }
        } else if raw.first() == Some(&b'[') {
            let ours: Vec<&[u8]> = items(raw).collect();
            let theirs: Vec<&[u8]> = crate::event::array_items(raw).collect();
            assert_eq!(ours, theirs);
            for v in ours {
                checked += 1 + compare_everywhere(v);
            }
        }
        checked
    }

    fn sample_files() -> Vec<Vec<u8>> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/okta-samples");
        let mut out = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    out.push(std::fs::read(&path).unwrap());
                } else if path.extension().is_some_and(|e| e == "jsonl") {
                    let text = std::fs::read(&path).unwrap();
                    out.extend(
                        text.split(|b| *b == b'\n')
                            .filter(|l| !l.is_empty())
                            .map(<[u8]>::to_vec),
                    );
                }
            }
        }
        out
    }

    #[test]
    fn scanner_matches_sonic_on_every_value_of_every_sample() {
        let mut checked = 0;
        for doc in sample_files() {
            let text = String::from_utf8(doc).unwrap();
            checked += compare_everywhere(text.trim().as_bytes());
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn truncated_samples_never_panic() {
        for doc in sample_files().into_iter().take(4) {
            for end in 0..doc.len() {
                let cut = &doc[..end];
                let _ = members(cut).count();
                let _ = items(cut).count();
                let _ = get_path(cut, &["client", "geographicalContext", "city"]);
                let mut m = members(cut);
                let _ = m.next();
            }
        }
    }
}
