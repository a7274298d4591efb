//! String helpers for the string operators: the membership set of `in`/`intersects` and an
//! allocation-free ASCII case-insensitive substring search for `icontains`.
//!
//! Data flow: sets and needles are built once at compile time; per event they are probed with
//! `&str`/`&[u8]` borrowed from the event.

use std::collections::HashSet;

/// Haystacks up to this many bytes are searched without `memchr`/`memmem` (whose set-up costs
/// more than a plain scan of a short field value).
pub const SHORT: usize = 48;

/// Case-sensitive substring search for short haystacks (see [`SHORT`]).
#[inline]
pub fn contains_short(hay: &[u8], needle: &[u8]) -> bool {
    match needle.first() {
        None => true,
        Some(&first) => {
            hay.len() >= needle.len()
                && hay
                    .windows(needle.len())
                    .any(|w| w[0] == first && w == needle)
        }
    }
}

/// `a == b`, without a call into `memcmp` for the short strings that field values and literals
/// usually are (the call and its dispatch on the length cost more than the comparison): two
/// overlapping 4- or 8-byte words from each end cover 4 to 16 bytes.
#[inline]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

#[inline(always)]
fn word4(s: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(bytes) = s.get(at..at + 4) {
        w.copy_from_slice(bytes);
    }
    u32::from_le_bytes(w)
}

#[inline(always)]
fn word8(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(bytes) = s.get(at..at + 8) {
        w.copy_from_slice(bytes);
    }
    u64::from_le_bytes(w)
}

/// A string literal of a check. Most are short: those are kept inline (in the check itself), so
/// that testing a value against them reads no other memory.
#[derive(Clone, PartialEq, Eq)]
pub enum Lit {
    /// Up to [`Lit::INLINE`] bytes.
    Inline { len: u8, bytes: [u8; Lit::INLINE] },
    /// Longer literals.
    Heap(Box<str>),
}

impl Lit {
    /// The longest literal kept inline.
    pub const INLINE: usize = 22;

    /// The literal's bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Lit::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Lit::Heap(s) => s.as_bytes(),
        }
    }

    /// The literal's text (checked again for inline literals: for building, not per event).
    pub fn as_str(&self) -> &str {
        match self {
            Lit::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Lit::Heap(s) => s,
        }
    }

    /// The length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }
}

impl From<&str> for Lit {
    fn from(text: &str) -> Lit {
        let mut bytes = [0u8; Lit::INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(text.as_bytes());
                Lit::Inline { len, bytes }
            }
            _ => Lit::Heap(text.into()),
        }
    }
}

impl From<String> for Lit {
    fn from(text: String) -> Lit {
        Lit::from(text.as_str())
    }
}

impl std::fmt::Debug for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Up to this many items a linear scan beats hashing.
const LINEAR_MAX: usize = 8;

/// A set of strings for `in` / `intersects`.
#[derive(Debug, Clone)]
pub enum StrSet {
    /// Few items: compared one by one (side by side, short ones inline).
    Small(Box<[Lit]>),
    /// Many items: hashed (boxed: keeps every check small; such sets are rare).
    #[allow(clippy::box_collection)]
    Hashed(Box<HashSet<Box<str>>>),
}

impl StrSet {
    /// Builds the set.
    pub fn new<'a>(items: impl IntoIterator<Item = &'a str>) -> StrSet {
        // Duplicates go, the first of each kept (a hash set, so a long list is not quadratic).
        let mut seen = std::collections::HashSet::new();
        let v: Vec<&str> = items.into_iter().filter(|i| seen.insert(*i)).collect();
        if v.len() <= LINEAR_MAX {
            StrSet::Small(v.into_iter().map(Lit::from).collect())
        } else {
            StrSet::Hashed(Box::new(v.into_iter().map(Box::from).collect()))
        }
    }

    /// The items, in no particular order.
    pub fn items(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match self {
            StrSet::Small(v) => Box::new(v.iter().map(Lit::as_str)),
            StrSet::Hashed(h) => Box::new(h.iter().map(|s| &**s)),
        }
    }

    /// Whether `s` is in the set.
    #[inline]
    pub fn contains(&self, s: &str) -> bool {
        match self {
            StrSet::Small(v) => v.iter().any(|x| same(x.as_bytes(), s.as_bytes())),
            StrSet::Hashed(h) => h.contains(s),
        }
    }
}

/// ASCII case-insensitive substring search (`strcasestr`); `needle_lower` must be lower case.
/// An empty needle always matches.
pub fn icontains(hay: &[u8], needle_lower: &[u8]) -> bool {
    let Some(&first) = needle_lower.first() else {
        return true;
    };
    if hay.len() < needle_lower.len() {
        return false;
    }
    let last_start = hay.len() - needle_lower.len();
    let upper = first.to_ascii_uppercase();
    // Field values are mostly short: there a plain scan beats setting up a vector search.
    if hay.len() <= SHORT {
        return hay
            .windows(needle_lower.len())
            .any(|w| (w[0] == first || w[0] == upper) && w.eq_ignore_ascii_case(needle_lower));
    }
    let mut from = 0;
    while from <= last_start {
        let Some(off) = memchr::memchr2(first, upper, &hay[from..=last_start]) else {
            return false;
        };
        let at = from + off;
        if hay[at..at + needle_lower.len()].eq_ignore_ascii_case(needle_lower) {
            return true;
        }
        from = at + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_compares_every_length() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for n in 0..text.len() {
            let a = &text[..n];
            let copy: Vec<u8> = a.into();
            assert!(same(a, &copy), "{n}");
            assert!(!same(a, &text[..n + 1]), "{n}");
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same(a, &b), "{n} {at}");
            }
        }
    }

    #[test]
    fn short_and_long_searches_agree() {
        let long = "x".repeat(60);
        for hay in [
            "",
            "a",
            "Super Admin",
            "aaab",
            "SUPER ADMIN the admin",
            long.as_str(),
        ] {
            let long_hay = format!("{}{hay}", "-".repeat(SHORT));
            for needle in ["", "a", "admin", "ab", "b", "xx", "Admin"] {
                let lower = needle.to_ascii_lowercase();
                for h in [hay, long_hay.as_str()] {
                    assert_eq!(
                        contains_short(h.as_bytes(), needle.as_bytes()),
                        h.contains(needle),
                        "{h:?} {needle:?}"
                    );
                    assert_eq!(
                        icontains(h.as_bytes(), lower.as_bytes()),
                        h.to_ascii_lowercase().contains(&lower),
                        "{h:?} {needle:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn icontains_is_ascii_case_insensitive() {
        assert!(icontains(b"Super Admin", b"admin"));
        assert!(icontains(b"SUPER ADMIN", b"super"));
        assert!(icontains(b"abc", b""));
        assert!(icontains(b"", b""));
        assert!(!icontains(b"", b"a"));
        assert!(!icontains(b"adm", b"admin"));
        assert!(icontains(b"aaadmin", b"admin"));
        assert!(icontains(b"xAdMiN", b"admin"));
        assert!(!icontains(b"x-dmin", b"admin"));
        // Non-ASCII bytes are compared exactly.
        assert!(!icontains("Éric".as_bytes(), "éric".as_bytes()));
        assert!(!icontains(
            "ÉRIC".as_bytes(),
            "Éric".to_lowercase().as_bytes()
        ));
        assert!(icontains("xÉric".as_bytes(), "Éric".as_bytes()));
    }

    #[test]
    fn sets_small_and_hashed() {
        let small = StrSet::new(["a", "b", "a"]);
        assert!(matches!(small, StrSet::Small(ref v) if v.len() == 2));
        assert!(small.contains("a") && !small.contains("c") && !small.contains(""));
        let items: Vec<String> = (0..100).map(|i| format!("v{i}")).collect();
        let big = StrSet::new(items.iter().map(String::as_str));
        assert!(matches!(big, StrSet::Hashed(_)));
        assert!(big.contains("v99") && !big.contains("v100"));
        assert!(!StrSet::new([]).contains(""));
    }
}
