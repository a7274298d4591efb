//! Workspace-level host package: the examples, benchmarks and end-to-end tests of okta-stream,
//! okta-rules and okta-cli live here, with the helpers they share.
//!
//! - [`corpus`]: a deterministic generator of realistic System Log events (benchmarks, examples).
//! - [`rulegen`]: a deterministic generator of Falco-style rules files (the rules benchmark).
//! - [`timing`]: benchmark helpers (corpus, serde_json baseline, best-of-N wall and CPU time).

pub mod corpus;
pub mod rulegen;
pub mod timing;
