//! Rules files (WIP).
pub(crate) mod yaml;
