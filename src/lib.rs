//! Workspace-level host package: the examples, benchmarks and end-to-end tests of okta-stream,
//! okta-rules and okta-cli live here, with the helpers they share.
//!
//! - [`corpus`]: a deterministic generator of realistic System Log events (benchmarks, examples).

pub mod corpus;
