//! The simulated Okta org: generator, scenarios and a loopback HTTP server.

pub mod catalog;
pub mod directory;
pub mod filter;
pub mod generate;
pub mod org;
pub mod query;
pub mod rng;
pub mod scenario;

pub use catalog::Catalog;
pub use generate::{format_published, Generator};
pub use scenario::{sample_log, Scenario};
