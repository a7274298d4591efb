//! # okta-stream
//!
//! The Okta System Log as a stream of events: sources (the rate-limited Okta API poller, file and
//! stdin replay), the event model, the `okta.*` field map, and sinks. Every stage is a
//! [`futures::Stream`] adapter.
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
pub mod model;
#[cfg(feature = "sim")]
pub mod sim;
pub mod sink;
pub mod source;

pub use error::{Error, Result};
pub use event::Event;
