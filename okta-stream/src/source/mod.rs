//! Sources: where events come from.
//!
//! - [`file`](mod@file): replay of exported logs (files, stdin).
//! - `okta` (feature `okta`): the System Log API poller.

pub mod file;
#[cfg(feature = "okta")]
pub mod okta;
