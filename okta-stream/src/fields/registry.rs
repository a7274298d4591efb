//! The registry table: every `okta.*` field and its extractor.
//!
//! Rows are grouped as the Falco Okta plugin groups them; fields beyond the plugin follow.

use std::borrow::Cow;

use super::{Arg, ArgKind, FieldDef, FieldState, FieldType, Missing, Value};
use crate::event::{raw_str, Event, Top};

/// Every field, in documentation order.
pub static REGISTRY: &[FieldDef] = &[
    FieldDef {
        name: "okta.evt.type",
        ty: FieldType::String,
        arg: ArgKind::None,
        description: "Event type (eventType), e.g. user.session.start",
        missing: Missing::Empty,
        falco: true,
        extract: evt_type,
    },
    FieldDef {
        name: "okta.actor.name",
        ty: FieldType::String,
        arg: ArgKind::None,
        description: "Actor display name (actor.displayName)",
        missing: Missing::Empty,
        falco: true,
        extract: actor_name,
    },
];

fn string_or_empty(raw: Option<&[u8]>) -> Option<Value<'_>> {
    Some(Value::Str(
        raw.and_then(raw_str).unwrap_or(Cow::Borrowed("")),
    ))
}

fn evt_type<'e>(ev: &'e Event, _: &Arg, _: &FieldState) -> Option<Value<'e>> {
    string_or_empty(ev.member(Top::EventType))
}

fn actor_name<'e>(ev: &'e Event, _: &Arg, _: &FieldState) -> Option<Value<'e>> {
    string_or_empty(ev.lookup(&["actor", "displayName"]))
}
