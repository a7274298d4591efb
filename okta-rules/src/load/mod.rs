//! Rules files (WIP).
#![allow(dead_code)]
pub(crate) mod collector;
pub(crate) mod exceptions;
pub(crate) mod reader;
pub(crate) mod yaml;

use crate::error::Severity;
use yaml::Mark;

/// A diagnostic inside one file, before the file name and source line are attached.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    pub severity: Severity,
    pub mark: Mark,
    pub len: u32,
    pub message: String,
    pub item: Option<String>,
}

impl Diag {
    pub fn error(mark: Mark, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Error,
            mark,
            len: 1,
            message: message.into(),
            item: None,
        }
    }
    pub fn warning(mark: Mark, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Warning,
            mark,
            len: 1,
            message: message.into(),
            item: None,
        }
    }
    pub fn item(mut self, kind: &str, name: &str) -> Diag {
        if self.item.is_none() {
            self.item = Some(format!("{kind} '{name}'"));
        }
        self
    }
}
