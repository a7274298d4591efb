//! The catalogue of Okta event types.
//!
//! `data/okta-event-types.csv` (Okta's published list, see `data/PROVENANCE.md`) is compiled into
//! the binary with `include_str!` and parsed once, on first use. The generator draws every
//! `eventType` it emits from here, and the tests check that it never invents one.

use std::collections::HashMap;
use std::sync::OnceLock;

const CSV: &str = include_str!("../../data/okta-event-types.csv");

/// One row of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypeInfo {
    /// The event type, e.g. `user.session.start`.
    pub event_type: String,
    /// Okta's description of it.
    pub description: String,
    /// The release that introduced it (e.g. `2023.06.0`), possibly empty.
    pub release: String,
    /// Comma-separated tags (e.g. `access, event-hook-eligible`), possibly empty.
    pub tags: String,
}

/// The parsed catalogue: every known event type, in file order, with a name index.
#[derive(Debug)]
pub struct Catalog {
    entries: Vec<EventTypeInfo>,
    index: HashMap<String, usize>,
}

impl Catalog {
    /// The catalogue compiled into the crate (parsed on first call).
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(CSV))
    }

    /// Parses a catalogue in Okta's CSV layout (header line, then quoted fields). Rows without an
    /// event type are skipped.
    pub fn parse(text: &str) -> Catalog {
        let mut entries = Vec::new();
        for (n, row) in parse_csv(text).into_iter().enumerate() {
            if n == 0 || row.is_empty() || row[0].trim().is_empty() {
                continue;
            }
            let field = |i: usize| row.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
            entries.push(EventTypeInfo {
                event_type: field(0),
                description: field(1),
                release: field(2),
                tags: field(3),
            });
        }
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.event_type.clone(), i))
            .collect();
        Catalog { entries, index }
    }

    /// Whether `event_type` is catalogued.
    pub fn contains(&self, event_type: &str) -> bool {
        self.index.contains_key(event_type)
    }

    /// The row of `event_type`, if catalogued.
    pub fn info(&self, event_type: &str) -> Option<&EventTypeInfo> {
        self.index.get(event_type).map(|&i| &self.entries[i])
    }

    /// All rows, in file order.
    pub fn entries(&self) -> &[EventTypeInfo] {
        &self.entries
    }

    /// Number of catalogued event types.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the catalogue is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A small RFC 4180 reader: fields separated by commas, optionally quoted, `""` inside quotes is a
/// quote, and quoted fields may span lines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => in_quotes = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_parses_every_row() {
        let catalog = Catalog::get();
        let lines = CSV.lines().filter(|l| l.starts_with('"')).count();
        assert_eq!(catalog.len(), lines);
        assert!(catalog.contains("user.session.start"));
        assert!(catalog.contains("system.api_token.create"));
        assert!(!catalog.contains("user.session.nonexistent"));
        let info = catalog.info("user.session.start").unwrap();
        assert!(!info.description.is_empty());
    }

    #[test]
    fn csv_reader_handles_quotes_and_commas() {
        let c = Catalog::parse(
            "Event Type,Description,Release Date,Tags\n\"a.b\",\"x, \"\"y\"\"\",\"2020.01.0\",\"t1, t2\"\n\n",
        );
        assert_eq!(c.len(), 1);
        let e = &c.entries()[0];
        assert_eq!(e.description, "x, \"y\"");
        assert_eq!(e.tags, "t1, t2");
    }
}
