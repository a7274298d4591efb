//! # okta-rules
//!
//! A Falco-compatible rules engine for Okta System Log events.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod condition;
pub mod error;
pub mod load;
pub mod priority;
pub mod output;
pub mod state;
