//! # okta-rules
//!
//! A Falco-compatible rules engine for Okta System Log events.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
