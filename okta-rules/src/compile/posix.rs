//! Translation of `regex` patterns from RE2's POSIX syntax into `regex`-crate syntax.
//!
//! Falco compiles a `regex` pattern with `re2::RE2::POSIX` (egrep syntax; `posix_syntax` and
//! `longest_match` on, `one_line` off) and matches it against the whole value. The `regex` crate
//! accepts Perl extensions that RE2's POSIX mode rejects, and reads some spellings differently, so
//! a pattern is not handed to it as written: [`translate`] parses the pattern the way RE2's parser
//! (`re2/parse.cc`) does, and writes a `regex`-crate pattern that matches the same values, or
//! returns the error RE2 reports (`invalid escape sequence: \d`).
//!
//! What differs between the two, and what the translation does about it:
//!
//! - Perl extensions are errors in RE2's POSIX mode: `\d \s \w \D \S \W`, `\b \B \A \z \Z \C \Q`,
//!   `\pL \p{Greek}`, backreferences `\1`, and `(?` (flags, `(?:...)`, named groups).
//! - Escapes: any escaped ASCII punctuation is that character, so `\<` and `\>` are `<` and `>`
//!   (word boundaries in the regex crate). `\n \r \t \a \f \v`, octal `\0`, `\12`, `\101` and hex
//!   `\x41`, `\x{263A}` name characters. Other letters, `\8`, `\9` and escaped non-ASCII are
//!   errors. Every literal is written out escaped for the regex crate.
//! - Bracket expressions: `&&`, `--`, `~~` and `[` are plain characters (set operations and nested
//!   classes in the regex crate); `]` first is literal; `-` is a range, or a literal only first or
//!   last; `[:name:]` is one of RE2's fourteen ASCII classes (including `[:word:]`) or `[:^name:]`,
//!   else an error.
//! - `{` is a counted repetition only as `{n}`, `{n,}` or `{n,m}` (no blanks, no leading zeros);
//!   otherwise it is a literal `{` (`x{y}`, `a{`, `{` at the start, `a{,2}`). A count above 1000,
//!   `{2,1}`, or nested counts whose product exceeds 1000 are `invalid repetition size`.
//! - Stacked repetitions repeat the repetition: POSIX syntax has no lazy quantifiers, so `a+?` is
//!   `(a+)?` (it matches the empty value), `a**` is `a*`, `a{2}{3}` is `(a{2}){3}`.
//! - Empty alternatives and groups (`a|`, `|a`, `()`) match the empty string in both.
//! - `^` and `$` match at line breaks too (RE2's `one_line` is off); the caller compiles with
//!   multi-line on and anchors the whole value with `\A` and `\z`. `.` does not match `\n` and a
//!   negated class does, in both.
//! - RE2's `longest_match` (leftmost-longest) only chooses which of several matches is reported;
//!   whether a match exists does not depend on it. As the match is anchored at both ends, only
//!   "does the whole value match" is asked, so greedy and leftmost-first matching give the same
//!   answer.
//!
//! Groups are written non-capturing: only whether the value matches is used.
//!
//! Data flow: the compiler (`build.rs`) calls [`translate`] on each `regex` pattern and compiles
//! the result, anchored, with the regex crate.

use std::fmt::Write as _;

/// Largest repetition count RE2 accepts, also for the product of nested counts.
const MAX_REPEAT: u32 = 1000;

/// A class that matches nothing. RE2 can name a UTF-16 surrogate (`\x{D800}`), which the regex
/// crate refuses and no valid UTF-8 value contains.
const NOTHING: &str = r"[^\x{0}-\x{10FFFF}]";

/// A class that matches any character (a negated class of surrogates only).
const ANY: &str = r"[\x{0}-\x{10FFFF}]";

/// RE2's POSIX classes (`re2/perl_groups.cc`); the regex crate's have the same names and ranges.
const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Why RE2 rejects a pattern: RE2's error text, then what it applies to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PosixError {
    /// An escape RE2's POSIX syntax does not have.
    #[error("invalid escape sequence: {0}{hint}", hint = escape_hint(.0))]
    BadEscape(String),
    /// A backwards range, a misplaced `-`, or an unknown `[:name:]`.
    #[error("invalid character class range: {0}")]
    BadCharRange(String),
    /// A bracket expression without its `]`.
    #[error("missing ]: {0}")]
    MissingBracket(String),
    /// A `(` without its `)`.
    #[error("missing ): {0}")]
    MissingParen(String),
    /// A `)` without its `(`.
    #[error("unexpected ): {0}")]
    UnexpectedParen(String),
    /// The pattern ends in a single `\`.
    #[error("trailing \\")]
    TrailingBackslash,
    /// A repetition at the start of the pattern, of a group or of an alternative.
    #[error("no argument for repetition operator: {0}")]
    RepeatArgument(String),
    /// `(?`: the `?` repeats nothing in POSIX syntax.
    #[error(
        "no argument for repetition operator: ? (Perl groups and flags such as (?:...) and (?i) \
         are not POSIX syntax)"
    )]
    PerlGroup,
    /// A count above 1000 (alone or multiplied by enclosing counts), or `{n,m}` with `m < n`.
    #[error("invalid repetition size: {0}")]
    RepeatSize(String),
}

/// A pointer to what to use instead of a Perl escape.
fn escape_hint(escape: &str) -> &'static str {
    match escape.as_bytes().get(1) {
        Some(b'd' | b'D' | b's' | b'S' | b'w' | b'W') => {
            " (Perl classes are not POSIX syntax: use [[:digit:]], [[:space:]], [[:word:]] or \
             their negations such as [^[:digit:]])"
        }
        Some(b'b' | b'B' | b'A' | b'z' | b'Z' | b'C' | b'Q' | b'E' | b'p' | b'P') => {
            " (a Perl escape, not POSIX syntax)"
        }
        Some(b'1'..=b'9') => " (backreferences are not supported)",
        _ => "",
    }
}

/// Translates a pattern in RE2's POSIX syntax into a `regex`-crate pattern that matches the same
/// values (compiled with multi-line on, see the module docs), or returns RE2's error.
///
/// ```text
/// a\<b      ->  a<b
/// [a&&b]    ->  [a\&\&b]
/// x{y}      ->  x\{y\}
/// a+?       ->  a*
/// a{2}*     ->  (?:a{2})*
/// \d        ->  error "invalid escape sequence: \d (...)"
/// ```
pub fn translate(pattern: &str) -> Result<String, PosixError> {
    let mut t = Translator {
        pat: pattern,
        pos: 0,
        out: String::with_capacity(pattern.len() + 8),
        groups: vec![Group {
            start: 0,
            product: 1,
        }],
        last: None,
    };
    while let Some(c) = t.peek() {
        let start = t.out.len();
        match c {
            '(' => {
                t.pos += 1;
                if t.peek() == Some('?') {
                    return Err(PosixError::PerlGroup);
                }
                t.groups.push(Group { start, product: 1 });
                t.out.push_str("(?:");
                t.last = None;
            }
            ')' => {
                t.pos += 1;
                let group = match t.groups.pop() {
                    Some(g) if !t.groups.is_empty() => g,
                    _ => return Err(PosixError::UnexpectedParen(pattern.to_string())),
                };
                t.out.push(')');
                t.operand(group.start, group.product);
            }
            '|' => {
                t.pos += 1;
                t.out.push('|');
                t.last = None;
            }
            '^' | '$' | '.' => {
                t.pos += 1;
                t.out.push(c);
                t.operand(start, 1);
            }
            '*' | '+' | '?' => {
                t.pos += 1;
                t.repeat_op(c)?;
            }
            '{' => match parse_count(&pattern[t.pos..]) {
                Some((lo, hi, len)) => {
                    let text = &pattern[t.pos..t.pos + len];
                    t.pos += len;
                    t.repeat_count(lo, hi, text)?;
                }
                None => {
                    t.pos += 1;
                    push_literal(&mut t.out, u32::from('{'));
                    t.operand(start, 1);
                }
            },
            '[' => {
                t.class()?;
                t.operand(start, 1);
            }
            '\\' => {
                let code = t.escape()?;
                push_literal(&mut t.out, code);
                t.operand(start, 1);
            }
            _ => {
                t.pos += c.len_utf8();
                push_literal(&mut t.out, u32::from(c));
                t.operand(start, 1);
            }
        }
    }
    if t.groups.len() > 1 {
        return Err(PosixError::MissingParen(pattern.to_string()));
    }
    Ok(t.out)
}

/// The state of one translation.
struct Translator<'a> {
    pat: &'a str,
    /// Byte offset of the next character of `pat`.
    pos: usize,
    out: String,
    /// The open groups, innermost last; the first is the whole pattern.
    groups: Vec<Group>,
    /// What a repetition here applies to: `None` at the start of the pattern, of a group and of
    /// an alternative (where RE2 has nothing to repeat).
    last: Option<Operand>,
}

/// An open group.
struct Group {
    /// Where its `(?:` is in the output.
    start: usize,
    /// The largest product of nested repetition counts inside it so far.
    product: u32,
}

/// The last complete item: a literal, class, `.`, `^`, `$` or group, with its repetitions.
#[derive(Clone, Copy)]
struct Operand {
    /// Where it starts in the output.
    start: usize,
    /// The largest product of nested repetition counts inside it (1 for none).
    product: u32,
    /// The last repetition applied to it.
    rep: Rep,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rep {
    None,
    /// `*`, `+` or `?`: the last character of the output.
    Op(char),
    /// `{n}`, `{n,}` or `{n,m}`.
    Counted,
}

impl Translator<'_> {
    fn rest(&self) -> &str {
        self.pat.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Records the item just written at `start` as what a repetition would apply to.
    fn operand(&mut self, start: usize, product: u32) {
        self.last = Some(Operand {
            start,
            product,
            rep: Rep::None,
        });
        self.note_product(product);
    }

    fn note_product(&mut self, product: u32) {
        if let Some(g) = self.groups.last_mut() {
            g.product = g.product.max(product);
        }
    }

    /// Puts the last operand, already repeated, in a group so that it can be repeated again.
    fn wrap(&mut self, start: usize) {
        self.out.insert_str(start, "(?:");
        self.out.push(')');
    }

    /// `*`, `+` or `?`.
    fn repeat_op(&mut self, op: char) -> Result<(), PosixError> {
        let Some(mut last) = self.last else {
            return Err(PosixError::RepeatArgument(op.to_string()));
        };
        match last.rep {
            Rep::Op(prev) => {
                // As RE2 does: `**`, `++` and `??` are one operator, and any other pair of them
                // is `*` (`(a+)?`, `(a?)+`, `(a*)+`... all match what `a*` matches).
                if prev != op {
                    self.out.pop();
                    self.out.push('*');
                    last.rep = Rep::Op('*');
                }
            }
            Rep::Counted => {
                self.wrap(last.start);
                self.out.push(op);
                last.rep = Rep::Op(op);
            }
            Rep::None => {
                self.out.push(op);
                last.rep = Rep::Op(op);
            }
        }
        self.last = Some(last);
        Ok(())
    }

    /// `{lo}`, `{lo,}` (`hi` is `None`) or `{lo,hi}`, written `text` in the pattern.
    fn repeat_count(&mut self, lo: u32, hi: Option<u32>, text: &str) -> Result<(), PosixError> {
        let size = || PosixError::RepeatSize(text.to_string());
        if lo > MAX_REPEAT || hi.is_some_and(|h| h > MAX_REPEAT || h < lo) {
            return Err(size());
        }
        let Some(mut last) = self.last else {
            return Err(PosixError::RepeatArgument(text.to_string()));
        };
        // RE2's RepetitionWalker: the counts of nested repetitions multiply (`{n,}` counts n,
        // `{0}` counts 1), and no path may exceed 1000.
        let product = last.product.saturating_mul(hi.unwrap_or(lo).max(1));
        if product > MAX_REPEAT {
            return Err(size());
        }
        if last.rep != Rep::None {
            self.wrap(last.start);
        }
        // Writing to a String cannot fail.
        let _ = match hi {
            Some(h) if h == lo => write!(self.out, "{{{lo}}}"),
            Some(h) => write!(self.out, "{{{lo},{h}}}"),
            None => write!(self.out, "{{{lo},}}"),
        };
        last.product = product;
        last.rep = Rep::Counted;
        self.last = Some(last);
        self.note_product(product);
        Ok(())
    }

    /// An escape (at `\`), as RE2's `ParseEscape`: the code point it names.
    fn escape(&mut self) -> Result<u32, PosixError> {
        let begin = self.pos;
        self.pos += 1;
        let Some(c) = self.next_char() else {
            return Err(PosixError::TrailingBackslash);
        };
        let code = match c {
            // Octal. `\1`..`\7` alone would be a backreference: RE2 wants a second digit.
            '0'..='7' if c == '0' || self.peek().is_some_and(|d| d.is_digit(8)) => {
                let mut code = c.to_digit(8).unwrap_or_default();
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                Some(code)
            }
            'x' => self.hex(),
            'n' => Some(0x0A),
            'r' => Some(0x0D),
            't' => Some(0x09),
            'a' => Some(0x07),
            'f' => Some(0x0C),
            'v' => Some(0x0B),
            // Escaped ASCII punctuation (`\.`, `\<`, `\_`) is itself.
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Some(u32::from(c)),
            _ => None,
        };
        code.ok_or_else(|| PosixError::BadEscape(self.pat[begin..self.pos].to_string()))
    }

    /// The rest of `\xHH` or `\x{H...}` (at most U+10FFFF).
    fn hex(&mut self) -> Option<u32> {
        let c = self.next_char()?;
        if c != '{' {
            let c1 = self.next_char()?;
            return Some(c.to_digit(16)? * 16 + c1.to_digit(16)?);
        }
        let mut code = 0u32;
        let mut digits = 0;
        loop {
            let c = self.next_char()?;
            match c.to_digit(16) {
                Some(d) => {
                    code = code * 16 + d;
                    digits += 1;
                    if code > 0x10FFFF {
                        return None;
                    }
                }
                None => return (c == '}' && digits > 0).then_some(code),
            }
        }
    }

    /// A bracket expression (at `[`), as RE2's `ParseCharClass`, written as a regex-crate class
    /// whose items are all escaped.
    fn class(&mut self) -> Result<(), PosixError> {
        let begin = self.pos;
        self.pos += 1;
        let negated = self.rest().starts_with('^');
        if negated {
            self.pos += 1;
        }
        let mut items = String::new();
        let mut first = true;
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return Err(PosixError::MissingBracket(self.pat[begin..].to_string()));
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            let after = rest.get(c.len_utf8()..).unwrap_or("");
            if c == '-' && !first && !after.starts_with(']') {
                // Without Perl's extensions a literal `-` must come first or last.
                let Some(next) = after.chars().next() else {
                    return Err(PosixError::MissingBracket(self.pat[begin..].to_string()));
                };
                return Err(PosixError::BadCharRange(
                    rest[..1 + next.len_utf8()].to_string(),
                ));
            }
            first = false;
            if rest.len() > 2 && rest.starts_with("[:") {
                // RE2 looks for the closing `:]` anywhere further on, even past this `]`.
                if let Some(end) = rest[2..].find(":]") {
                    let name = &rest[..end + 4];
                    let bare = &name[2..name.len() - 2];
                    if !POSIX_CLASSES.contains(&bare.strip_prefix('^').unwrap_or(bare)) {
                        return Err(PosixError::BadCharRange(name.to_string()));
                    }
                    items.push_str(name);
                    self.pos += name.len();
                    continue;
                }
            }
            let start = self.pos;
            let lo = self.class_char(begin)?;
            let rest = self.rest();
            let hi = if rest.len() >= 2 && rest.starts_with('-') && !rest[1..].starts_with(']') {
                self.pos += 1;
                let hi = self.class_char(begin)?;
                if hi < lo {
                    return Err(PosixError::BadCharRange(
                        self.pat[start..self.pos].to_string(),
                    ));
                }
                hi
            } else {
                lo
            };
            push_range(&mut items, lo, hi);
        }
        if items.is_empty() {
            self.out.push_str(if negated { ANY } else { NOTHING });
        } else {
            self.out.push('[');
            if negated {
                self.out.push('^');
            }
            self.out.push_str(&items);
            self.out.push(']');
        }
        Ok(())
    }

    /// One character of a bracket expression, escaped or not.
    fn class_char(&mut self, begin: usize) -> Result<u32, PosixError> {
        match self.peek() {
            None => Err(PosixError::MissingBracket(self.pat[begin..].to_string())),
            Some('\\') => self.escape(),
            Some(c) => {
                self.pos += c.len_utf8();
                Ok(u32::from(c))
            }
        }
    }
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `s`, as RE2's `MaybeParseRepetition`:
/// `(n, m, length)`, or `None` when the `{` is a literal.
fn parse_count(s: &str) -> Option<(u32, Option<u32>, usize)> {
    let b = s.as_bytes();
    let mut i = 1;
    let lo = parse_int(b, &mut i)?;
    let hi = if *b.get(i)? == b',' {
        i += 1;
        if *b.get(i)? == b'}' {
            None
        } else {
            Some(parse_int(b, &mut i)?)
        }
    } else {
        Some(lo)
    };
    (*b.get(i)? == b'}').then_some((lo, hi, i + 1))
}

/// A decimal count at `b[*i]`, as RE2's `ParseInteger`: no leading zero, and ten digits or more
/// are not a count.
fn parse_int(b: &[u8], i: &mut usize) -> Option<u32> {
    if !b.get(*i)?.is_ascii_digit()
        || (b[*i] == b'0' && b.get(*i + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    let mut n = 0u32;
    while let Some(d) = b.get(*i).filter(|d| d.is_ascii_digit()) {
        if n >= 100_000_000 {
            return None;
        }
        n = n * 10 + u32::from(d - b'0');
        *i += 1;
    }
    Some(n)
}

/// Writes the literal character `code` (a surrogate, which nothing matches, as [`NOTHING`]).
fn push_literal(out: &mut String, code: u32) {
    match char::from_u32(code) {
        Some(c) => push_char(out, c),
        None => out.push_str(NOTHING),
    }
}

/// Writes the class item `lo-hi` without its UTF-16 surrogates (nothing when that leaves none).
fn push_range(out: &mut String, lo: u32, hi: u32) {
    let surrogate = |c: u32| (0xD800..=0xDFFF).contains(&c);
    let lo = if surrogate(lo) { 0xE000 } else { lo };
    let hi = if surrogate(hi) { 0xD7FF } else { hi };
    let (Some(lo), Some(hi)) = (char::from_u32(lo), char::from_u32(hi)) else {
        return;
    };
    if lo > hi {
        return;
    }
    push_char(out, lo);
    if hi != lo {
        out.push('-');
        push_char(out, hi);
    }
}

/// Writes `c` so that the regex crate reads it literally, in a class or out of one.
fn push_char(out: &mut String, c: char) {
    if c.is_ascii_control() {
        let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
        return;
    }
    // The regex crate's meta characters (`regex::escape`); `<` and `>` are not escaped, since
    // `\<` and `\>` are word boundaries there.
    if r"\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::{translate, ANY, NOTHING, POSIX_CLASSES};

    #[test]
    fn egrep_syntax_is_translated() {
        for (re2, crate_syntax) in [
            ("", ""),
            ("abc", "abc"),
            (r"203\.0\.113\.[0-9]+", r"203\.0\.113\.[0-9]+"),
            (
                r"user\.(session|account)\..*",
                r"user\.(?:session|account)\..*",
            ),
            ("^a|b$", "^a|b$"),
            // `\<` and `\>` are the characters, not word boundaries.
            (r"a\<b\>", "a<b>"),
            (r"\_\-\ \/", r"_\- /"),
            // Octal, hex and C escapes name characters.
            (r"\101\x42\x{263A}\0\12", r"AB☺\x{0}\x{A}"),
            (r"\n\r\t\a\f\v", r"\x{A}\x{D}\x{9}\x{7}\x{C}\x{B}"),
            // In a bracket expression `&&`, `--`, `~~` and `[` are characters.
            ("[a&&b]", r"[a\&\&b]"),
            ("[--]", r"[\-\-]"),
            ("[~~]", r"[\~\~]"),
            ("[[]", r"[\[]"),
            ("[[:x]", r"[\[:x]"),
            ("[]a]", r"[\]a]"),
            ("[^]a]", r"[^\]a]"),
            ("[a-]", r"[a\-]"),
            ("[-a]", r"[\-a]"),
            ("[*?(]x", r"[\*\?\(]x"),
            (r"[\]\\]", r"[\]\\]"),
            ("[[:digit:]]{1,3}", "[[:digit:]]{1,3}"),
            ("[[:word:][:^alpha:]_]", "[[:word:][:^alpha:]_]"),
            // Not in brackets twice: a class of `:`, `a`, `l`, `p`, `h`.
            ("[:alpha:]", "[:alpha:]"),
            // A `{` that does not start a valid count is a literal.
            ("x{y}", r"x\{y\}"),
            ("a{", r"a\{"),
            ("{", r"\{"),
            ("{x}a}", r"\{x\}a\}"),
            ("a{,2}", r"a\{,2\}"),
            ("a{01}", r"a\{01\}"),
            ("a{1 }", r"a\{1 \}"),
            ("a{9999999999}", r"a\{9999999999\}"),
            ("a{2}b{2,}c{0,5}", "a{2}b{2,}c{0,5}"),
            ("a{1000}", "a{1000}"),
            ("(a{2}){500}", "(?:a{2}){500}"),
            // Stacked repetitions repeat the repetition; no lazy quantifiers.
            ("a**", "a*"),
            ("a*?", "a*"),
            ("a+?", "a*"),
            ("a??", "a?"),
            ("a+++", "a+"),
            ("a{1,2}?", "(?:a{1,2})?"),
            ("a{2}{3}", "(?:a{2}){3}"),
            ("a+?{2}*", "(?:(?:a*){2})*"),
            ("(ab)+?", "(?:ab)*"),
            // Empty alternatives and groups; repeated anchors.
            ("a|", "a|"),
            ("|a||b", "|a||b"),
            ("()", "(?:)"),
            ("()*", "(?:)*"),
            ("^*$+", "^*$+"),
            // A surrogate can be named but never matches valid UTF-8.
            (r"\x{D800}", NOTHING),
            (r"[\x{DFFF}]", NOTHING),
            (r"[^\x{D800}]", ANY),
            (r"[a\x{D800}]", "[a]"),
        ] {
            assert_eq!(translate(re2).as_deref(), Ok(crate_syntax), "{re2}");
        }
    }

    #[test]
    fn re2_errors() {
        for (pattern, message) in [
            (
                r"\d+",
                "invalid escape sequence: \\d (Perl classes are not POSIX syntax: use \
                 [[:digit:]], [[:space:]], [[:word:]] or their negations such as [^[:digit:]])",
            ),
            (
                r"\bword",
                r"invalid escape sequence: \b (a Perl escape, not POSIX syntax)",
            ),
            (
                r"\pL",
                r"invalid escape sequence: \p (a Perl escape, not POSIX syntax)",
            ),
            (
                r"a\Z",
                r"invalid escape sequence: \Z (a Perl escape, not POSIX syntax)",
            ),
            (
                r"(a)\1",
                r"invalid escape sequence: \1 (backreferences are not supported)",
            ),
            (
                r"\8",
                r"invalid escape sequence: \8 (backreferences are not supported)",
            ),
            (r"\q", r"invalid escape sequence: \q"),
            (r"\é", r"invalid escape sequence: \é"),
            (r"\x4g", r"invalid escape sequence: \x4g"),
            (r"\x4", r"invalid escape sequence: \x4"),
            (r"\x{}", r"invalid escape sequence: \x{}"),
            (r"\x{41", r"invalid escape sequence: \x{41"),
            (r"\x{110000}", r"invalid escape sequence: \x{110000"),
            (
                r"[\w]",
                "invalid escape sequence: \\w (Perl classes are not POSIX syntax: use \
                 [[:digit:]], [[:space:]], [[:word:]] or their negations such as [^[:digit:]])",
            ),
            ("abc\\", r"trailing \"),
            (
                "(?:a)",
                "no argument for repetition operator: ? (Perl groups and flags such as (?:...) \
                 and (?i) are not POSIX syntax)",
            ),
            ("*a", "no argument for repetition operator: *"),
            ("a|+b", "no argument for repetition operator: +"),
            (
                "(?",
                "no argument for repetition operator: ? (Perl groups and flags such as \
                    (?:...) and (?i) are not POSIX syntax)",
            ),
            ("{2}", "no argument for repetition operator: {2}"),
            ("a({1,})", "no argument for repetition operator: {1,}"),
            ("a{1001}", "invalid repetition size: {1001}"),
            ("a{0,1001}", "invalid repetition size: {0,1001}"),
            ("a{2,1}", "invalid repetition size: {2,1}"),
            ("{1001}", "invalid repetition size: {1001}"),
            ("(a{2}){501}", "invalid repetition size: {501}"),
            ("a{2}{501}", "invalid repetition size: {501}"),
            ("(a{2,}b){501,}", "invalid repetition size: {501,}"),
            ("((a{10}|b){10}x){11}", "invalid repetition size: {11}"),
            ("a)", "unexpected ): a)"),
            ("(a", "missing ): (a"),
            ("(a))(", "unexpected ): (a))("),
            ("[a", "missing ]: [a"),
            ("[]", "missing ]: []"),
            ("x[^]", "missing ]: [^]"),
            ("[z-a]", "invalid character class range: z-a"),
            ("[a-z-0]", "invalid character class range: -0"),
            ("[[:foo:]]", "invalid character class range: [:foo:]"),
            ("[[:a]b:]", "invalid character class range: [:a]b:]"),
        ] {
            let got = translate(pattern).map_err(|e| e.to_string());
            assert_eq!(got, Err(message.to_string()), "{pattern}");
        }
    }

    /// The regex crate's `[[:name:]]` classes are RE2's (ASCII only, `\v` a space, `_` a word
    /// character), so they are passed through as they are.
    #[test]
    fn posix_classes_match_re2s_tables() {
        let re2 = |name: &str, c: char| match name {
            "alnum" => c.is_ascii_alphanumeric(),
            "alpha" => c.is_ascii_alphabetic(),
            "ascii" => c.is_ascii(),
            "blank" => c == ' ' || c == '\t',
            "cntrl" => c.is_ascii_control(),
            "digit" => c.is_ascii_digit(),
            "graph" => c.is_ascii_graphic(),
            "lower" => c.is_ascii_lowercase(),
            "print" => c.is_ascii_graphic() || c == ' ',
            "punct" => c.is_ascii_punctuation(),
            "space" => matches!(c, '\t'..='\r' | ' '),
            "upper" => c.is_ascii_uppercase(),
            "word" => c.is_ascii_alphanumeric() || c == '_',
            "xdigit" => c.is_ascii_hexdigit(),
            _ => unreachable!("{name}"),
        };
        let chars = (0u8..=0x7F)
            .map(char::from)
            .chain(['é', 'Ω', '٣', '\u{a0}', '☺']);
        for name in POSIX_CLASSES {
            for negated in [false, true] {
                let class = format!("[[:{}{name}:]]", if negated { "^" } else { "" });
                let re = regex::Regex::new(&translate(&class).unwrap()).unwrap();
                for c in chars.clone() {
                    assert_eq!(
                        re.is_match(c.encode_utf8(&mut [0; 4])),
                        re2(name, c) != negated,
                        "{class} {c:?}"
                    );
                }
            }
        }
    }

    /// Patterns of up to 4 pieces from a set of tricky ones (multi-byte characters next to
    /// escapes, brackets, counts and classes) translates or is refused without a panic, and
    /// what translates compiles with the regex crate.
    #[test]
    fn no_pattern_panics_and_every_translation_compiles() {
        let pieces = [
            "é",
            "€",
            "\\",
            "\\é",
            "[",
            "]",
            "[^",
            "[:",
            ":]",
            "[:alpha:]",
            "{",
            "}",
            "{2",
            "{1,",
            "{1001}",
            ",",
            "-",
            "^",
            "$",
            "(",
            ")",
            "|",
            "*",
            "+",
            "?",
            "\\x{",
            "\\x4",
            "\\0",
            "a",
            "&&",
            ".",
        ];
        let n = pieces.len();
        let mut checked = 0;
        for len in 1..=4u32 {
            // Every pattern of up to 3 pieces, and every 13th of 4.
            let step = if len < 4 { 1 } else { 13 };
            for code in (0..n.pow(len)).step_by(step) {
                let mut rest = code;
                let mut pattern = String::new();
                for _ in 0..len {
                    pattern.push_str(pieces[rest % n]);
                    rest /= n;
                }
                if let Ok(t) = translate(&pattern) {
                    let wrapped = format!(r"\A(?:{t})\z");
                    assert!(
                        regex::RegexBuilder::new(&wrapped)
                            .multi_line(true)
                            .build()
                            .is_ok(),
                        "{pattern:?} -> {t:?}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 90_000);
    }
}
