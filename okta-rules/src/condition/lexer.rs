//! Token recognisers for the condition language: a cursor over the condition text with one
//! method per token class of Falco's grammar (blank, identifier, field name, field argument,
//! number, bare string, quoted string with Falco's escapes).
//!
//! Data flow: the parser (`super::parser`) drives a [`Cursor`]; each `lex_*` method either
//! consumes a token at the current position and returns it, or leaves the position unchanged.
//! Falco's parser is scannerless (what a token is depends on where the parser is), so there is no
//! separate token stream.

use super::ParseError;

/// Falco's blank set for the parser (`lex_blank`): space, tab, backspace, CR, LF.
pub(crate) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x08 | b'\r' | b'\n')
}

/// POSIX `[:space:]`: space, tab, LF, VT, FF, CR.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A position in the condition text.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(src: &'a str) -> Cursor<'a> {
        Cursor { src, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn rest(&self) -> &'a [u8] {
        &self.src.as_bytes()[self.pos..]
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    pub(crate) fn slice(&self, start: usize, end: usize) -> &'a str {
        &self.src[start..end]
    }

    /// Consumes blanks; true if at least one was consumed.
    pub(crate) fn blank(&mut self) -> bool {
        let n = self.rest().iter().take_while(|&&b| is_blank(b)).count();
        self.pos += n;
        n > 0
    }

    /// Consumes `s` if the text continues with it.
    pub(crate) fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Whether the text continues with `s` (nothing consumed).
    pub(crate) fn looking_at(&self, s: &str) -> bool {
        self.rest().starts_with(s.as_bytes())
    }

    /// Consumes `not` followed by at least one `[:space:]` character (Falco `not[[:space:]]+`).
    pub(crate) fn not_blank(&mut self) -> bool {
        let r = self.rest();
        if r.starts_with(b"not") && r.get(3).is_some_and(|&b| is_space(b)) {
            let n = 3 + r[3..].iter().take_while(|&&b| is_space(b)).count();
            self.pos += n;
            true
        } else {
            false
        }
    }

    /// Length of a `[a-zA-Z]+[a-zA-Z0-9_]*` word at `at`, or 0.
    fn word_len(&self, at: usize) -> usize {
        let b = &self.src.as_bytes()[at..];
        if !b.first().is_some_and(u8::is_ascii_alphabetic) {
            return 0;
        }
        1 + b[1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count()
    }

    /// An identifier `[a-zA-Z]+[a-zA-Z0-9_]*`.
    pub(crate) fn identifier(&mut self) -> Option<&'a str> {
        let n = self.word_len(self.pos);
        if n == 0 {
            return None;
        }
        let start = self.pos;
        self.pos += n;
        Some(self.slice(start, self.pos))
    }

    /// A field name: identifier words joined by dots, at least one dot.
    pub(crate) fn field_name(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let mut end = start + self.word_len(start);
        if end == start {
            return None;
        }
        let mut dots = 0;
        while self.src.as_bytes().get(end) == Some(&b'.') {
            let n = self.word_len(end + 1);
            if n == 0 {
                break;
            }
            end += 1 + n;
            dots += 1;
        }
        if dots == 0 {
            return None;
        }
        self.pos = end;
        Some(self.slice(start, end))
    }

    /// A bare field argument `[^][\"'[:space:]]+`.
    pub(crate) fn field_arg_bare(&mut self) -> Option<&'a str> {
        let n = self
            .rest()
            .iter()
            .take_while(|&&b| !matches!(b, b'[' | b']' | b'"' | b'\'') && !is_space(b))
            .count();
        self.take(n)
    }

    /// A bare string `[^()"'[:space:]=,]+` (not unescaped).
    pub(crate) fn bare_str(&mut self) -> Option<&'a str> {
        let n = self
            .rest()
            .iter()
            .take_while(|&&b| {
                !matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') && !is_space(b)
            })
            .count();
        self.take(n)
    }

    fn take(&mut self, n: usize) -> Option<&'a str> {
        if n == 0 {
            return None;
        }
        let start = self.pos;
        self.pos += n;
        Some(self.slice(start, self.pos))
    }

    /// A hex number `0[xX][0-9a-fA-F]+` or a decimal number
    /// `[+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?`, matched as a prefix.
    pub(crate) fn number(&mut self) -> Option<&'a str> {
        let b = self.rest();
        if b.len() > 2 && b[0] == b'0' && matches!(b[1], b'x' | b'X') {
            let n = b[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if n > 0 {
                return self.take(2 + n);
            }
        }
        let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        i += digits;
        if b.get(i) == Some(&b'.') {
            i += 1;
        }
        i += b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if matches!(b.get(i), Some(b'e' | b'E')) && matches!(b.get(i + 1), Some(b'+' | b'-')) {
            let exp = b[i + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
            if exp > 0 {
                i += 2 + exp;
            }
        }
        self.take(i)
    }

    /// A quoted string (`"..."` or `'...'`), unescaped. `Ok(None)` if the text does not start
    /// with a quote or the quote is never closed (the caller reports what it expected).
    ///
    /// Like Falco, the string ends at the first delimiter not preceded by a backslash.
    pub(crate) fn quoted_str(&mut self) -> Result<Option<String>, ParseError> {
        let b = self.rest();
        let Some(&delim) = b.first().filter(|&&q| q == b'"' || q == b'\'') else {
            return Ok(None);
        };
        let Some(close) = (1..b.len()).find(|&i| b[i] == delim && b[i - 1] != b'\\') else {
            return Ok(None);
        };
        let start = self.pos;
        let body = self.slice(start + 1, start + close);
        let text = unescape(body, delim as char, start + 1)?;
        self.pos = start + close + 1;
        Ok(Some(text))
    }
}

/// Unescapes the body of a quoted string (Falco `escaping.cpp` `unescape_str`): `\b \f \n \r \t`,
/// `\\`, `\/`, the string's own quote; `\<space>` becomes `\` (legacy quirk: the space is
/// dropped); anything else is an error. `base` is the offset of `body` in the condition.
pub(crate) fn unescape(body: &str, delim: char, base: usize) -> Result<String, ParseError> {
    if !body.contains('\\') {
        return Ok(body.to_string());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let err = |message: String| ParseError {
            offset: base + i,
            message,
        };
        match chars.next() {
            Some((_, 'b')) => out.push('\u{8}'),
            Some((_, 'f')) => out.push('\u{c}'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, 't')) => out.push('\t'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, '/')) => out.push('/'),
            Some((_, ' ')) => out.push('\\'),
            Some((_, q @ ('"' | '\''))) => {
                if q == delim {
                    out.push(q);
                } else {
                    let other = if q == '"' { '\'' } else { '"' };
                    return Err(err(format!(
                        "invalid \\{q} escape in {other}-quoted string"
                    )));
                }
            }
            Some((_, other)) => {
                return Err(err(format!(
                    "unsupported string escape sequence: \\{other}"
                )))
            }
            None => return Err(err("unterminated string escape sequence".into())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_need_a_dot_and_letter_segments() {
        assert_eq!(
            Cursor::new("okta.evt.type = x").field_name(),
            Some("okta.evt.type")
        );
        assert_eq!(Cursor::new("okta").field_name(), None);
        assert_eq!(Cursor::new("a.b.1c").field_name(), Some("a.b"));
        assert_eq!(Cursor::new("a1_.b2").field_name(), Some("a1_.b2"));
        assert_eq!(Cursor::new("1a.b").field_name(), None);
        let mut c = Cursor::new("okta.debug[x]");
        assert_eq!(c.field_name(), Some("okta.debug"));
        assert_eq!(c.pos(), 10);
    }

    #[test]
    fn numbers_match_as_prefix() {
        fn n(s: &str) -> Option<&str> {
            Cursor::new(s).number()
        }
        assert_eq!(n("2024-01-01"), Some("2024"));
        assert_eq!(n("0x1F and"), Some("0x1F"));
        assert_eq!(n("-1"), Some("-1"));
        assert_eq!(n("+15"), Some("+15"));
        assert_eq!(n("1.5"), Some("1.5"));
        assert_eq!(n("1e+3"), Some("1e+3"));
        assert_eq!(n("1e3"), Some("1"));
        assert_eq!(n("abc"), None);
        assert_eq!(n("0x"), Some("0"));
    }

    #[test]
    fn bare_strings_stop_at_delimiters_and_keep_backslashes() {
        fn b(s: &str) -> Option<&str> {
            Cursor::new(s).bare_str()
        }
        assert_eq!(b("user.session.start;) x"), Some("user.session.start;"));
        assert_eq!(b(r"203\.0\.113 and"), Some(r"203\.0\.113"));
        assert_eq!(b("a=b"), Some("a"));
        assert_eq!(b("a,b"), Some("a"));
        assert_eq!(b("/x/*[a]{b}|!@#"), Some("/x/*[a]{b}|!@#"));
        assert_eq!(b("(a"), None);
    }

    #[test]
    fn quoted_strings_unescape_like_falco() {
        let q = |s: &str| Cursor::new(s).quoted_str();
        assert_eq!(q(r#""a\"b" x"#).unwrap().as_deref(), Some("a\"b"));
        assert_eq!(q(r"'a\'b'").unwrap().as_deref(), Some("a'b"));
        assert_eq!(
            q(r#""\b\f\n\r\t\\\/""#).unwrap().as_deref(),
            Some("\u{8}\u{c}\n\r\t\\/")
        );
        // `\<space>` becomes a single backslash, the space is dropped.
        assert_eq!(q(r#""a\ b""#).unwrap().as_deref(), Some("a\\b"));
        assert_eq!(
            q("\"line\nbreak\"").unwrap().as_deref(),
            Some("line\nbreak")
        );
        let e = q(r"'203\.0'").unwrap_err();
        assert_eq!(e.message, r"unsupported string escape sequence: \.");
        assert_eq!(e.offset, 4);
        let e = q(r#"'a\"b'"#).unwrap_err();
        assert_eq!(e.message, "invalid \\\" escape in '-quoted string");
        let e = q(r#""a\'b""#).unwrap_err();
        assert_eq!(e.message, "invalid \\' escape in \"-quoted string");
        assert_eq!(q("'unterminated").unwrap(), None);
        assert_eq!(q("x").unwrap(), None);
    }

    #[test]
    fn not_needs_space() {
        let mut c = Cursor::new("not  x");
        assert!(c.not_blank());
        assert_eq!(c.pos(), 5);
        assert!(!Cursor::new("not(x)").not_blank());
        assert!(!Cursor::new("nothing").not_blank());
        assert!(!Cursor::new("not").not_blank());
    }
}
