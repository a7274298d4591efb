//! The crate's error type and the compiler-style diagnostics the rules loader produces.
//!
//! Data flow: the loader ([`crate::load`]) records every problem it finds as a [`Diagnostic`]
//! (severity, file, line, column, message, and the offending source line). Warnings travel with a
//! successful load; when any error is found the load returns [`Error::Load`] carrying *all*
//! diagnostics, so a caller can print them the way a compiler does:
//!
//! ```text
//! okta_rules.yaml:42:14: error: unknown field 'okta.evt.typ' (did you mean 'okta.evt.type'?)
//!    42 |   condition: okta.evt.typ = "x"
//!       |              ^~~~~~~~~~~~
//! ```

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The load fails.
    Error,
    /// Worth telling, the load goes on.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A position in a rules file: 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub col: u32,
}

/// One error or warning found while loading rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file name as given to the loader (or a pseudo name like `<default>`).
    pub file: Arc<str>,
    /// Where it is, when known.
    pub pos: Option<Pos>,
    /// How many characters the caret marker spans (at least 1 when shown).
    pub len: u32,
    /// What is wrong.
    pub message: String,
    /// The item it concerns, e.g. `rule 'Foo'`, when known.
    pub item: Option<String>,
    /// The text of the source line at `pos`, for display.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line header: `file:line:col: error: message` (without the source excerpt).
    pub fn header(&self) -> String {
        let mut s = String::new();
        s.push_str(&self.file);
        if let Some(p) = self.pos {
            s.push_str(&format!(":{}:{}", p.line, p.col));
        }
        s.push_str(": ");
        s.push_str(self.severity.as_str());
        s.push_str(": ");
        s.push_str(&self.message);
        if let Some(item) = &self.item {
            s.push_str(&format!(" [in {item}]"));
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    /// The header, then (when known) the source line with a caret under the offending text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header())?;
        if let (Some(p), Some(line)) = (self.pos, &self.source_line) {
            let num = p.line.to_string();
            let pad = " ".repeat(num.len());
            write!(f, "\n {num} | {line}\n {pad} | ")?;
            // Keep tabs so the caret lines up under tab-indented text.
            for ch in line.chars().take(p.col.saturating_sub(1) as usize) {
                f.write_str(if ch == '\t' { "\t" } else { " " })?;
            }
            f.write_str("^")?;
            for _ in 1..self.len.max(1) {
                f.write_str("~")?;
            }
        }
        Ok(())
    }
}

/// All diagnostics of a failed load.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// The error type of okta-rules.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Rules could not be loaded; every error and warning found is included.
    #[error("{} error(s) loading rules:\n{diagnostics}", diagnostics.errors().count())]
    Load {
        /// All diagnostics (errors and warnings), in the order found.
        diagnostics: Diagnostics,
    },
    /// A rules file could not be read.
    #[error("cannot read rules file '{}': {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A priority name is not one of Falco's.
    #[error("invalid priority '{0}' (expected one of emergency, alert, critical, error, warning, notice, informational, info, debug)")]
    InvalidPriority(String),
    /// An invalid option was given to the engine (e.g. a bad tag or rule selection).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// An output template does not compile.
    #[error("invalid output template: {0}")]
    Output(String),
}

impl Error {
    /// The diagnostics of a failed load (empty for other errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Load { diagnostics } => &diagnostics.0,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_like_a_compiler() {
        let d = Diagnostic {
            severity: Severity::Error,
            file: "okta_rules.yaml".into(),
            pos: Some(Pos { line: 42, col: 14 }),
            len: 12,
            message: "unknown field 'okta.evt.typ' (did you mean 'okta.evt.type'?)".into(),
            item: None,
            source_line: Some("  condition: okta.evt.typ = \"x\"".into()),
        };
        let text = d.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "okta_rules.yaml:42:14: error: unknown field 'okta.evt.typ' (did you mean 'okta.evt.type'?)"
        );
        assert_eq!(lines[1], " 42 |   condition: okta.evt.typ = \"x\"");
        assert_eq!(lines[2], "    |              ^~~~~~~~~~~~");
        // The caret sits under column 14 of the source line.
        let caret = lines[2].find('^').unwrap() - " 42 | ".len();
        assert_eq!(caret, 13);
    }

    #[test]
    fn header_without_position() {
        let d = Diagnostic {
            severity: Severity::Warning,
            file: "x.yaml".into(),
            pos: None,
            len: 0,
            message: "m".into(),
            item: Some("rule 'r'".into()),
            source_line: None,
        };
        assert_eq!(d.to_string(), "x.yaml: warning: m [in rule 'r']");
    }
}
