//! Path-prefix matching for the `pmatch` operator (libsinsp `prefix_search.h`).
//!
//! Data flow: at compile time each pattern is split on `/` (empty components dropped) into
//! [`PathPatterns`]; per event the value is split the same way, lazily and without allocating, and
//! a pattern matches when its components are a component-wise prefix of the value's components.
//! A component containing `?`, `*` or `[` is matched with [`super::glob::fnmatch`]. The pattern `/`
//! (no components) matches every value.

use super::glob::fnmatch;

/// One pattern component.
#[derive(Debug, Clone)]
enum Component {
    Exact(Box<[u8]>),
    Glob(Box<[u8]>),
}

impl Component {
    fn matches(&self, c: &[u8]) -> bool {
        match self {
            Component::Exact(e) => &**e == c,
            Component::Glob(g) => fnmatch(g, c, false),
        }
    }
}

/// The compiled patterns of one `pmatch` check.
#[derive(Debug, Clone)]
pub struct PathPatterns {
    patterns: Box<[Box<[Component]>]>,
}

fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

impl PathPatterns {
    /// Compiles the patterns.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> PathPatterns {
        PathPatterns {
            patterns: patterns
                .into_iter()
                .map(|p| {
                    components(p.as_bytes())
                        .map(|c| {
                            if c.iter().any(|b| matches!(b, b'?' | b'*' | b'[')) {
                                Component::Glob(c.into())
                            } else {
                                Component::Exact(c.into())
                            }
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// Whether any pattern is a component-wise prefix of `value`.
    pub fn matches(&self, value: &str) -> bool {
        self.patterns.iter().any(|pat| {
            let mut vals = components(value.as_bytes());
            pat.iter()
                .all(|c| vals.next().is_some_and(|v| c.matches(v)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PathPatterns;

    fn m(patterns: &[&str], v: &str) -> bool {
        PathPatterns::new(patterns.iter().copied()).matches(v)
    }

    #[test]
    fn component_prefixes() {
        assert!(m(&["/api/v1"], "/api/v1/authn"));
        assert!(m(&["/api/v1"], "/api/v1"));
        assert!(!m(&["/api/v1"], "/api/v10"));
        assert!(!m(&["/api/v1/authn/x"], "/api/v1/authn"));
        assert!(m(&["/etc", "/api"], "/api/v1"));
        assert!(!m(&[], "/api/v1"));
    }

    #[test]
    fn slashes_are_normalised() {
        assert!(m(&["api//v1/"], "//api/v1//authn"));
        assert!(m(&["/"], "/anything/at/all"));
        assert!(m(&[""], "x"));
    }

    #[test]
    fn glob_components() {
        assert!(m(&["/api/v*/authn"], "/api/v1/authn/factors"));
        assert!(!m(&["/api/v?/authn"], "/api/v10/authn"));
        assert!(m(&["/api/[uv]1"], "/api/u1/x"));
    }
}
