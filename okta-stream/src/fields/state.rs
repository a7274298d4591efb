//! State behind the stateful fields (`okta.mfa.failure.countlast[N]`, `okta.mfa.deny.countlast[N]`).
//!
//! Data flow: the consumer calls [`FieldState::observe`] once per event, in stream order, before
//! extracting fields of that event; extractors then read counts from here.

use crate::event::Event;

/// Per-stream state for stateful fields. One per pipeline (not shared between streams).
#[derive(Debug, Default)]
pub struct FieldState {}

impl FieldState {
    /// A fresh state.
    pub fn new() -> FieldState {
        FieldState::default()
    }

    /// Records `event` (call once per event, before extracting its fields).
    pub fn observe(&mut self, _event: &Event) {}
}
