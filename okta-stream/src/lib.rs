//! # okta-stream
//!
//! The Okta System Log as a stream of events: sources (the rate-limited Okta API poller, file and
//! stdin replay), the event model, the `okta.*` field map, and sinks. Every stage is a
//! [`futures::Stream`] adapter.
//!
//! ```text
//! source::okta (API poller) ─┐
//! source::file (replay)     ─┴─► event::Event ──► fields (okta.* extraction) ──► sink::stdout
//!                                (raw bytes +                                  (or okta-rules'
//!                                 member index)                                 rule filter)
//! checkpoint ◄── acknowledgement: a page's position is saved only after its events were written
//! ```
//!
//! - [`event`]: one LogEvent as its exact bytes, validated once, with an index of its top-level
//!   members; [`model`] has the typed struct for users who want one.
//! - [`fields`]: the `okta.*` field registry (the names of Falco's Okta plugin and more).
//! - [`source`]: `file` (JSON lines, pretty JSON, arrays, gzip, stdin) and, with the `okta`
//!   feature, `okta` (the lossless, rate-limit-aware System Log poller) and [`checkpoint`].
//! - [`sink`]: where events go.
//! - `sim` (feature `sim`): a simulated Okta org (generator, attack scenarios, loopback server).
//!
//! Features: `okta` (HTTP client and async runtime) and `sim` are on by default; a rules-only
//! user can turn them off (`default-features = false`).
//!
//! ```
//! use okta_stream::{event::Event, fields::{self, FieldState}};
//!
//! let event = Event::from_bytes(&br#"{"eventType":"user.session.start","actor":{"displayName":"Jane Doe"}}"#[..])?;
//! let field = fields::resolve("okta.actor.name", None)?;
//! let mut state = FieldState::new();
//! state.observe(&event);
//! assert_eq!(field.extract(&event, &state).unwrap().to_string(), "Jane Doe");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "okta")]
pub mod checkpoint;
pub mod error;
pub mod event;
pub mod fields;
mod json;
pub mod model;
#[cfg(feature = "sim")]
pub mod sim;
pub mod sink;
pub mod source;
mod tape;

pub use error::{Error, Result};
pub use event::Event;
