//! Glob matching with POSIX `fnmatch(pattern, value, 0)` semantics (`FNM_CASEFOLD` for `iglob`),
//! as Falco's `glob`/`iglob` operators and `pmatch` glob components use it.
//!
//! Data flow: the pattern is kept as bytes from compile time; [`fnmatch`] interprets it against a
//! value on every call without allocating. `*` and `?` match any byte including `/` and `.`
//! (no `FNM_PATHNAME`, no `FNM_PERIOD`), `[...]` classes support `!`/`^` negation, ranges and
//! `[:class:]` names, `\` escapes the next character, and the whole value must match. Matching is
//! per byte (C locale), so `?` matches one byte of a multi-byte UTF-8 character.

/// Whether `value` matches `pattern`; `casefold` compares ASCII letters case-insensitively.
pub fn fnmatch(pattern: &[u8], value: &[u8], casefold: bool) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    // Where to resume after the most recent `*`: (pattern index after it, value index).
    let mut star: Option<(usize, usize)> = None;
    while i < value.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    p += 1;
                    star = Some((p, i));
                    continue;
                }
                b'?' => {
                    p += 1;
                    i += 1;
                    continue;
                }
                b'[' => match bracket(pattern, p, value[i], casefold) {
                    Some((true, next)) => {
                        p = next;
                        i += 1;
                        continue;
                    }
                    Some((false, _)) => {}
                    None => {
                        // No closing `]`: the `[` is an ordinary character.
                        if value[i] == b'[' {
                            p += 1;
                            i += 1;
                            continue;
                        }
                    }
                },
                b'\\' if p + 1 < pattern.len() => {
                    if eq(pattern[p + 1], value[i], casefold) {
                        p += 2;
                        i += 1;
                        continue;
                    }
                }
                c => {
                    if eq(c, value[i], casefold) {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

fn eq(a: u8, b: u8, casefold: bool) -> bool {
    a == b || (casefold && a.eq_ignore_ascii_case(&b))
}

/// Matches `c` against the bracket expression starting at `pattern[open] == b'['`. Returns
/// whether it matched and the index after the closing `]`, or `None` if there is no closing `]`.
fn bracket(pattern: &[u8], open: usize, c: u8, casefold: bool) -> Option<(bool, usize)> {
    let mut j = open + 1;
    let negate = matches!(pattern.get(j), Some(b'!' | b'^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let &b = pattern.get(j)?;
        if b == b']' && !first {
            j += 1;
            break;
        }
        first = false;
        // `[:name:]`
        if b == b'[' && pattern.get(j + 1) == Some(&b':') {
            if let Some(len) = pattern[j + 2..].windows(2).position(|w| w == b":]") {
                let name = &pattern[j + 2..j + 2 + len];
                matched |= class(name, c, casefold);
                j += 2 + len + 2;
                continue;
            }
        }
        let (lo, next) = if b == b'\\' {
            (*pattern.get(j + 1)?, j + 2)
        } else {
            (b, j + 1)
        };
        j = next;
        // A range `lo-hi` (a `-` just before `]` is literal).
        if pattern.get(j) == Some(&b'-') && pattern.get(j + 1).is_some_and(|&h| h != b']') {
            let (hi, next) = if pattern[j + 1] == b'\\' {
                (*pattern.get(j + 2)?, j + 3)
            } else {
                (pattern[j + 1], j + 2)
            };
            j = next;
            matched |= in_range(lo, hi, c)
                || (casefold
                    && (in_range(lo, hi, c.to_ascii_lowercase())
                        || in_range(lo, hi, c.to_ascii_uppercase())));
        } else {
            matched |= eq(lo, c, casefold);
        }
    }
    Some((matched != negate, j))
}

fn in_range(lo: u8, hi: u8, c: u8) -> bool {
    lo <= c && c <= hi
}

fn class(name: &[u8], c: u8, casefold: bool) -> bool {
    match name {
        b"alpha" => c.is_ascii_alphabetic(),
        b"digit" => c.is_ascii_digit(),
        b"alnum" => c.is_ascii_alphanumeric(),
        b"upper" => c.is_ascii_uppercase() || (casefold && c.is_ascii_lowercase()),
        b"lower" => c.is_ascii_lowercase() || (casefold && c.is_ascii_uppercase()),
        b"space" => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b"blank" => matches!(c, b' ' | b'\t'),
        b"punct" => c.is_ascii_punctuation(),
        b"xdigit" => c.is_ascii_hexdigit(),
        b"cntrl" => c.is_ascii_control(),
        b"print" => (0x20..0x7f).contains(&c),
        b"graph" => c.is_ascii_graphic(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    fn g(p: &str, v: &str) -> bool {
        fnmatch(p.as_bytes(), v.as_bytes(), false)
    }

    #[test]
    fn glob_star_crosses_slashes_and_dots() {
        assert!(g("*", ""));
        assert!(g("*", "a/b.c"));
        assert!(g("user.*", "user.session.start"));
        assert!(g("/api/*/users", "/api/v1/x/users"));
        assert!(g("*.start", "user.session.start"));
        assert!(!g("*.start", "user.session.end"));
        assert!(g("a*b*c", "aXXbYYc"));
        assert!(!g("a*b*c", "aXXbYY"));
        assert!(g("**a", "xxa"));
    }

    #[test]
    fn glob_must_match_whole_value() {
        assert!(!g("user", "user.session"));
        assert!(!g("session", "user.session"));
        assert!(g("user.session", "user.session"));
        assert!(!g("", "x"));
        assert!(g("", ""));
    }

    #[test]
    fn glob_question_and_classes() {
        assert!(g("user.?ession.*", "user.session.start"));
        assert!(!g("a?", "a"));
        assert!(g("[abc]x", "bx"));
        assert!(!g("[abc]x", "dx"));
        assert!(g("[!abc]x", "dx"));
        assert!(g("[^abc]x", "dx"));
        assert!(!g("[!abc]x", "ax"));
        assert!(g("10.0.0.[0-9]", "10.0.0.7"));
        assert!(!g("10.0.0.[0-9]", "10.0.0.a"));
        assert!(g("[]]", "]"));
        assert!(g("[a-]", "-"));
        assert!(g("[[:digit:]][[:alpha:]]", "7z"));
        assert!(!g("[[:digit:]]", "z"));
        // An unclosed `[` is literal.
        assert!(g("a[b", "a[b"));
    }

    #[test]
    fn glob_escapes() {
        assert!(g(r"a\*b", "a*b"));
        assert!(!g(r"a\*b", "aXb"));
        assert!(g(r"\?", "?"));
        assert!(g(r"[\]]", "]"));
    }

    #[test]
    fn iglob_folds_ascii_case() {
        assert!(fnmatch(b"USER.*", b"user.Session", true));
        assert!(fnmatch(b"[A-C]x", b"bX", true));
        assert!(!fnmatch(b"USER.*", b"user.Session", false));
    }

    #[test]
    fn pathological_patterns_stay_linear_enough() {
        let v = "a".repeat(5000);
        let p = "*a".repeat(50) + "b";
        assert!(!g(&p, &v));
    }
}
