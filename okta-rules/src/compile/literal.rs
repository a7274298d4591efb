//! Parsing of right-hand literals for non-string fields, with Falco's rules (reference §3.4).
//!
//! Data flow: the compiler calls these once per literal while building a check; errors become
//! compile errors pointing at the literal.

/// Parses a uint64 literal like `sscanf("%lu%c")`: optional leading blanks, optional sign,
/// decimal digits only, fully consumed. `-N` wraps (so `-1` is `u64::MAX`); leading zeros are
/// decimal. Hex, floats and exponents are rejected.
pub fn parse_u64(text: &str) -> Option<u64> {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(if neg { n.wrapping_neg() } else { n })
}

/// Parses a bool literal: `true` or `false`.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_literals() {
        assert_eq!(parse_u64("15169"), Some(15169));
        assert_eq!(parse_u64("015169"), Some(15169));
        assert_eq!(parse_u64("+7"), Some(7));
        // num-09: -1 wraps.
        assert_eq!(parse_u64("-1"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        for bad in ["0x10", "1.5", "1e3", "1e+3", "", "-", "abc", "12abc", "1 "] {
            assert_eq!(parse_u64(bad), None, "{bad}");
        }
    }

    #[test]
    fn bool_literals() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("TRUE"), None);
        assert_eq!(parse_bool("1"), None);
    }
}
