//! The simulated Okta org: realistic generated System Log events, scripted attack scenarios, and a
//! loopback HTTP server that behaves like Okta's `/api/v1/logs` (feature `sim`).
//!
//! Data flow: a seeded [`Generator`] builds an org [`directory`] and renders benign traffic; a
//! [`Scenario`] renders an attack through the same path. [`sample_log`] interleaves both into a
//! deterministic JSON-lines log. [`SimServer::start`] stores a generated backlog in a [`SimOrg`]
//! (pre-serialized bytes in storage order), appends live and late-stored events over time, and
//! serves them with Okta's paging, parameters, errors, authentication (SSWS and OAuth client
//! credentials), rate limits and injectable faults; [`SimHandle`] controls it.
//!
//! Behaviour where Okta's is undocumented or where the simulator simplifies (see also
//! [`query`]):
//! - `limit` above 1000 is clamped to 1000; a negative or non-numeric `limit` is 400 `E0000001`.
//! - Polling requests (no `until`, ascending) read in storage (persistence) order from `since`
//!   (default: 7 days ago) or from the `after` cursor, and always carry a `next` link, whose cursor
//!   is the storage position after the last event read. `since` with `after` is 400 for them.
//! - Bounded requests (`until` given, or `DESCENDING`) read `published` in `[since, until)`
//!   ordered by (published, storage order); their `next` links keep `since`/`until`.
//! - A missing or unknown credential is 401 `E0000011`; an access token without `okta.logs.read`
//!   is 403 `E0000006`.
//! - The rate limit counts every `/api/v1/logs` request (also rejected ones) in windows aligned on
//!   multiples of the window length in Unix time; `X-Rate-Limit-Reset` is the window's end.
//! - Retention (90 days) is not simulated; `since` more than 180 days back is 400 `E0000053`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), okta_stream::sim::SimError> {
//! use okta_stream::sim::{SimConfig, SimServer, RateLimit};
//! let sim = SimServer::start(
//!     SimConfig::new().api_token("test-token").backlog(5_000).rate_limit(RateLimit::new(20, 60)),
//! ).await?;
//! println!("org URL: {}", sim.url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod backlog;
pub mod catalog;
pub mod directory;
pub mod fault;
pub mod filter;
pub mod generate;
pub mod org;
pub mod query;
pub mod ratelimit;
pub mod rng;
pub mod scenario;
pub mod server;

pub use auth::OAuthClient;
pub use catalog::Catalog;
pub use fault::{Fault, FaultConfig};
pub use generate::{format_published, Generator};
pub use org::{EventBytes, SimOrg, StoredEvent};
pub use ratelimit::RateLimit;
pub use scenario::{sample_log, Scenario};
pub use server::{SimConfig, SimHandle, SimServer, SimStats, DEMO_API_TOKEN};

/// Errors of the simulator's setup.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The requested port.
        port: u16,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A public key could not be used.
    #[error("invalid OAuth client key: {0}")]
    Key(String),
    /// A configuration value is invalid.
    #[error("{0}")]
    Config(String),
}
