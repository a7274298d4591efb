//! Sinks: where events and alerts go. One module per sink.
//!
//! - [`stdout`]: JSON lines (events unchanged, or selected fields) to stdout or any writer.
//! - [`whole_lines`]: the buffered writer under the line sinks; it passes output on in whole
//!   lines, so that a killed process leaves no half line behind.

pub mod stdout;
pub mod whole_lines;
