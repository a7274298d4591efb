//! The typed LogEvent model: every documented property, all optional and lenient.

use serde::Deserialize;

/// A System Log event as a typed struct (see [`crate::event::Event::log_event`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct LogEvent {
    /// Unique event id.
    pub uuid: Option<String>,
    /// Event type.
    #[serde(rename = "eventType")]
    pub event_type: Option<String>,
}
