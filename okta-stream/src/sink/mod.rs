//! Sinks: where events and alerts go. One module per sink.

pub mod stdout;
