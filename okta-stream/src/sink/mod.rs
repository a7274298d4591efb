//! Sinks: where events and alerts go. One module per sink.
//!
//! - [`stdout`]: JSON lines (events unchanged, or selected fields) to stdout or any writer.

pub mod stdout;
