//! Falco compiles `regex` patterns with RE2 in POSIX mode (egrep syntax). The `regex` crate
//! accepts a superset (Perl classes, non-capturing groups, flags, lazy quantifiers); this module
//! rejects those extensions so that a rule accepted here is accepted by Falco too.
//!
//! Data flow: the compiler calls [`perl_extension`] on each pattern before compiling it.

/// The first Perl/RE2 extension in `pattern` that RE2's POSIX syntax rejects, if any.
pub fn perl_extension(pattern: &str) -> Option<String> {
    let b = pattern.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let Some(&n) = b.get(i + 1) else {
                    return Some("trailing backslash".into());
                };
                if matches!(
                    n,
                    b'd' | b'D'
                        | b's'
                        | b'S'
                        | b'w'
                        | b'W'
                        | b'b'
                        | b'B'
                        | b'A'
                        | b'z'
                        | b'C'
                        | b'Q'
                        | b'E'
                        | b'p'
                        | b'P'
                ) {
                    return Some(format!("'\\{}' is not POSIX egrep syntax", char::from(n)));
                }
                i += 2;
                continue;
            }
            b'[' if !in_class => {
                in_class = true;
                i += 1;
                if b.get(i) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i) == Some(&b']') {
                    i += 1;
                }
                continue;
            }
            b'[' if in_class && b.get(i + 1) == Some(&b':') => {
                // A POSIX class `[:name:]` inside a bracket expression.
                if let Some(end) = pattern[i + 2..].find(":]") {
                    i += 2 + end + 2;
                    continue;
                }
            }
            b']' if in_class => in_class = false,
            b'(' if !in_class && b.get(i + 1) == Some(&b'?') => {
                return Some("'(?' groups and flags are not POSIX egrep syntax".into());
            }
            b'*' | b'+' | b'?' | b'}' if !in_class && b.get(i + 1) == Some(&b'?') => {
                return Some(format!("bad repetition operator: {}?", char::from(b[i])));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::perl_extension;

    #[test]
    fn egrep_syntax_is_accepted() {
        for ok in [
            "abc",
            r"203\.0\.113\.[0-9]+",
            "user\\.(session|account)\\..*",
            "[[:digit:]]{1,3}",
            "[*?(]x",
            "[]a]",
            "[^]a]+",
            r"a\\d",
            "x{2}",
            "^a|b$",
        ] {
            assert_eq!(perl_extension(ok), None, "{ok}");
        }
    }

    #[test]
    fn perl_extensions_are_rejected() {
        for bad in [
            r"\d+", r"a\sb", r"\bword", "(?:a)", "(?i)abc", "a*?", "a+?", "a??", "a{1,2}?", r"\pL",
            "abc\\",
        ] {
            assert!(perl_extension(bad).is_some(), "{bad}");
        }
    }
}
