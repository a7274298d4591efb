//! Falco's rule priorities: names, order and the minimum-priority filter.
//!
//! Data flow: the loader parses each rule's `priority:` with [`Priority::from_str`] (case-insensitive,
//! `info` accepted as an alias of `informational`); the engine keeps only rules whose priority
//! passes the configured minimum ([`Priority::passes`]); alerts print the long capitalized name
//! ([`Priority::as_str`]).

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A rule priority, most severe first (the numeric values are Falco's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Priority {
    /// 0, the most severe.
    Emergency = 0,
    /// 1.
    Alert = 1,
    /// 2.
    Critical = 2,
    /// 3.
    Error = 3,
    /// 4.
    Warning = 4,
    /// 5.
    Notice = 5,
    /// 6 (`info` is accepted as an alias when parsing).
    Informational = 6,
    /// 7, the least severe.
    Debug = 7,
}

impl Priority {
    /// Every priority, most severe first.
    pub const ALL: [Priority; 8] = [
        Priority::Emergency,
        Priority::Alert,
        Priority::Critical,
        Priority::Error,
        Priority::Warning,
        Priority::Notice,
        Priority::Informational,
        Priority::Debug,
    ];

    /// The long capitalized name Falco prints in alerts (`Notice`, `Informational`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }

    /// Whether a rule of this priority is active under the minimum priority `min`: it must be at
    /// least as severe (Falco: `rule.priority <= min_priority` numerically).
    pub fn passes(self, min: Priority) -> bool {
        self <= min
    }

    /// Parses a Falco priority name, case-insensitively; `info` means `Informational`.
    pub fn parse(name: &str) -> Option<Priority> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("info") {
            return Some(Priority::Informational);
        }
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }
}

impl Default for Priority {
    /// `Debug`: Falco's default minimum priority, which lets every rule through.
    fn default() -> Self {
        Priority::Debug
    }
}

impl FromStr for Priority {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::parse(s).ok_or_else(|| Error::InvalidPriority(s.to_string()))
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_case_insensitive_with_info_alias() {
        assert_eq!(Priority::parse("NOTICE"), Some(Priority::Notice));
        assert_eq!(Priority::parse("notice"), Some(Priority::Notice));
        assert_eq!(Priority::parse("Warning"), Some(Priority::Warning));
        assert_eq!(Priority::parse("info"), Some(Priority::Informational));
        assert_eq!(Priority::parse("INFO"), Some(Priority::Informational));
        assert_eq!(
            Priority::parse("informational"),
            Some(Priority::Informational)
        );
        assert_eq!(Priority::parse("eMeRgEnCy"), Some(Priority::Emergency));
        assert_eq!(Priority::parse("warn"), None);
        assert_eq!(Priority::parse(""), None);
        assert!("bogus".parse::<Priority>().is_err());
    }

    #[test]
    fn order_and_names() {
        for (i, p) in Priority::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i);
            assert_eq!(Priority::parse(p.as_str()), Some(*p));
        }
        assert!(Priority::Emergency < Priority::Debug);
        assert_eq!(Priority::Informational.to_string(), "Informational");
    }

    #[test]
    fn minimum_priority_filter() {
        assert!(Priority::Critical.passes(Priority::Warning));
        assert!(Priority::Warning.passes(Priority::Warning));
        assert!(!Priority::Notice.passes(Priority::Warning));
        // Default minimum lets everything through.
        assert!(Priority::ALL.iter().all(|p| p.passes(Priority::default())));
        assert!(!Priority::Debug.passes(Priority::Emergency));
    }
}
