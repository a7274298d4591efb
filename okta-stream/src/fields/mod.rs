//! The field registry: one table of fields (name, type, argument kind, description,
//! missing-value model, extractor): the `okta.*` fields, and Falco's generic `evt.*` fields
//! (event number, time texts, source, host name; see `generic`).
//!
//! Data flow: a consumer (the rules engine, the `--select` sink, ...) resolves a field name and its
//! optional argument once with [`resolve`] (or [`resolve_str`]), getting a [`Field`]; then, per
//! event, it calls [`FieldState::observe`] once (stateful fields such as
//! `okta.mfa.failure.countlast[N]` count over the events seen so far) and [`Field::extract`] for
//! each field it needs (or, per event, one [`Reader`] and [`Field::read`]). Extraction finds
//! values through the event's tape (where every JSON value sits, recorded when the event was
//! decoded): a field costs a few key comparisons in the objects on its path and scans no bytes.
//! Values borrow from the event wherever the JSON string has no escapes, so that the common case
//! allocates nothing.
//!
//! # Missing values
//!
//! Okta omits or nulls almost any property, and every field says what it gives then
//! ([`FieldDef::missing`]):
//! * [`Missing::Empty`]: the fields of Falco's Okta plugin that the plugin always sets read as `""`
//!   (`0` for `okta.security.asnumber`) when the property is missing or null, so Falco rules
//!   behave the same;
//! * [`Missing::Absent`]: no value ([`Field::extract`] returns `None`; every comparison is false).
//!   The plugin's target and app fields are absent when there is no such target (a target that
//!   lacks the property reads as `""`); the fields beyond the plugin are absent when the property is
//!   missing or null and `""` when the JSON holds `""`.
//!
//! Values are read leniently: numbers where strings are expected (`postalCode`, `version`) read as
//! the number as written, objects and arrays as compact JSON text, literal `"null"` strings as
//! they are. The generated reference [`markdown_reference`] (checked in as `docs/fields.md`)
//! documents every field.

use std::borrow::Cow;
use std::fmt;

use crate::event::Event;

mod extract;
mod generic;
mod reader;
mod reference;
mod registry;
use crate::json as scan;
mod state;

pub use generic::{write_time, Shown, TimeText};
pub use reader::Reader;
pub use reference::{group_of, json_reference, markdown_reference, text_table};
pub use registry::REGISTRY;
pub use state::{FieldState, StateLimits};

/// The type of a field's values, as the rules engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A string (Falco `string`).
    String,
    /// An unsigned 64-bit integer (Falco `uint64`).
    U64,
    /// A boolean (Falco `bool`).
    Bool,
    /// A list of strings (Falco list fields, used with `in`, `intersects`, `exists`).
    StringList,
}

impl FieldType {
    /// The Falco-style type name (`string`, `uint64`, `bool`, `list`).
    pub const fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::U64 => "uint64",
            FieldType::Bool => "bool",
            FieldType::StringList => "list",
        }
    }
}

/// What argument a field takes (`okta.targets.displayName[0]`, `okta.debug[dtHash]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// No argument.
    None,
    /// A non-negative integer index or count; `required` says whether it may be omitted.
    Index {
        /// Whether the argument must be given.
        required: bool,
    },
    /// A string key (a debugData key, a target type, a JSON pointer); `required` as above.
    Key {
        /// Whether the argument must be given.
        required: bool,
    },
}

impl ArgKind {
    /// A short human name (`none`, `index`, `key`, with `?` when optional).
    pub fn describe(self) -> &'static str {
        match self {
            ArgKind::None => "none",
            ArgKind::Index { required: true } => "index",
            ArgKind::Index { required: false } => "index?",
            ArgKind::Key { required: true } => "key",
            ArgKind::Key { required: false } => "key?",
        }
    }
}

/// How a field behaves when the event lacks the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// Like the Falco plugin's always-set fields: a missing JSON value reads as `""` (or `0`).
    Empty,
    /// The field is absent: every comparison on it is false, outputs show `<NA>`.
    Absent,
}

/// Further validation of a field's argument at resolve time (beyond its [`ArgKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgCheck {
    /// Nothing beyond the kind.
    Any,
    /// A key that must not be empty (a debugData key, a target type).
    NonEmpty,
    /// An index that must be at least 1 (a time window in seconds).
    Positive,
    /// An RFC 6901 JSON pointer: empty or `/`-prefixed, `~` only as `~0` or `~1`.
    JsonPointer,
}

/// A field's argument, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Arg {
    /// No argument given.
    None,
    /// A numeric argument.
    Index(u64),
    /// A string argument.
    Key(String),
}

/// The value of a field for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// An unsigned integer.
    U64(u64),
    /// A boolean.
    Bool(bool),
    /// A list of strings.
    List(Vec<Cow<'a, str>>),
}

impl Value<'_> {
    /// The string, if this is a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Converts into a `serde_json::Value` (for `--select` and JSON alert `output_fields`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::U64(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|s| serde_json::Value::String(s.to_string()))
                    .collect(),
            ),
        }
    }

    /// Detaches the value from the event it was read from.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::U64(n) => Value::U64(n),
            Value::Bool(b) => Value::Bool(b),
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .map(|s| Cow::Owned(s.into_owned()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Value<'_> {
    /// Falco-style text: strings as they are, lists as `(a,b,c)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::U64(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(item)?;
                }
                f.write_str(")")
            }
        }
    }
}

/// The extractor of a field: reads the value for one event, through the event's [`Reader`].
pub type Extractor = for<'e, 's> fn(&mut Reader<'e, 's>, &Arg) -> Option<Value<'e>>;

/// One row of the registry.
pub struct FieldDef {
    /// The full name, e.g. `okta.actor.name` (case-sensitive, as in Falco).
    pub name: &'static str,
    /// The value type.
    pub ty: FieldType,
    /// The argument it takes.
    pub arg: ArgKind,
    /// What it means, for `okta-cli fields` and the field reference.
    pub description: &'static str,
    /// Behaviour when the event lacks the value.
    pub missing: Missing,
    /// Whether Falco's Okta plugin has this field (with the same name and meaning).
    pub falco: bool,
    /// Reads the value.
    pub extract: Extractor,
    /// Further validation of the argument when the field is resolved.
    pub check: ArgCheck,
    /// The event types (`eventType`) on which the field can have a value at all, when it is
    /// limited to some (the MFA counters); `None`: any. On other events the field is absent, so
    /// the rules engine can index a condition that needs the field under these types only.
    pub only_on: Option<&'static [&'static str]>,
    /// How values are shown beyond their text (padding, the JSON form of time texts).
    pub shown: Shown,
}

impl fmt::Debug for FieldDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldDef")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .field("arg", &self.arg)
            .finish()
    }
}

/// A field name resolved against the registry, with its argument parsed.
#[derive(Debug, Clone)]
pub struct Field {
    def: &'static FieldDef,
    arg: Arg,
}

impl Field {
    /// The registry row.
    pub fn def(&self) -> &'static FieldDef {
        self.def
    }

    /// The parsed argument.
    pub fn arg(&self) -> &Arg {
        &self.arg
    }

    /// The value type.
    pub fn ty(&self) -> FieldType {
        self.def.ty
    }

    /// Reads the value from `event`; `None` means the field is absent for this event.
    ///
    /// `state` must have observed `event` already (see [`FieldState::observe`]).
    #[inline]
    pub fn extract<'e>(&self, event: &'e Event, state: &FieldState) -> Option<Value<'e>> {
        (self.def.extract)(&mut Reader::new(event, state), &self.arg)
    }

    /// Reads the value through `reader` (the event and state of one [`Reader`], shared by the
    /// fields a consumer reads per event). Same result as [`Field::extract`].
    #[inline]
    pub fn read<'e>(&self, reader: &mut Reader<'e, '_>) -> Option<Value<'e>> {
        (self.def.extract)(reader, &self.arg)
    }

    /// The name as written in rules, e.g. `okta.debug[dtHash]`.
    pub fn display_name(&self) -> String {
        match &self.arg {
            Arg::None => self.def.name.to_string(),
            Arg::Index(i) => format!("{}[{i}]", self.def.name),
            Arg::Key(k) => format!("{}[{k}]", self.def.name),
        }
    }
}

/// Why a field name could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// No field has this name.
    #[error("unknown field '{name}'{}", suggestion.map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
    Unknown {
        /// The name as written.
        name: String,
        /// The closest known field name, if any is close.
        suggestion: Option<&'static str>,
    },
    /// The field needs an argument and none was given.
    #[error("field '{0}' requires an argument, e.g. '{0}[...]'")]
    MissingArg(String),
    /// The field takes no argument but one was given.
    #[error("field '{0}' does not take an argument")]
    UnexpectedArg(String),
    /// The argument is not of the right kind (e.g. not a number).
    #[error("invalid argument '{arg}' for field '{name}': {reason}")]
    BadArg {
        /// The field name.
        name: String,
        /// The argument as written.
        arg: String,
        /// What is wrong.
        reason: String,
    },
}

/// Looks up a field definition by exact name.
pub fn lookup(name: &str) -> Option<&'static FieldDef> {
    REGISTRY.iter().find(|d| d.name == name)
}

/// Resolves `name` with optional `arg` (the text between `[` and `]`) into a [`Field`].
pub fn resolve(name: &str, arg: Option<&str>) -> Result<Field, FieldError> {
    let def = lookup(name).ok_or_else(|| FieldError::Unknown {
        name: name.to_string(),
        suggestion: suggest(name),
    })?;
    let arg = match (def.arg, arg) {
        (ArgKind::None, None) => Arg::None,
        (ArgKind::None, Some(_)) => return Err(FieldError::UnexpectedArg(name.to_string())),
        (ArgKind::Index { required: true } | ArgKind::Key { required: true }, None) => {
            return Err(FieldError::MissingArg(name.to_string()))
        }
        (ArgKind::Index { required: false } | ArgKind::Key { required: false }, None) => Arg::None,
        (ArgKind::Index { .. }, Some(a)) => {
            Arg::Index(parse_index(a).map_err(|reason| FieldError::BadArg {
                name: name.to_string(),
                arg: a.to_string(),
                reason: reason.into(),
            })?)
        }
        (ArgKind::Key { .. }, Some(a)) => Arg::Key(a.to_string()),
    };
    registry::check_arg(def.check, &arg).map_err(|reason| FieldError::BadArg {
        name: name.to_string(),
        arg: arg_text(&arg),
        reason,
    })?;
    Ok(Field { def, arg })
}

/// An index argument as Falco accepts it: `0` or digits without a leading zero.
fn parse_index(text: &str) -> Result<u64, &'static str> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a non-negative integer (digits only)");
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err("an index must not start with 0");
    }
    text.parse::<u64>().map_err(|_| "the number is too large")
}

fn arg_text(arg: &Arg) -> String {
    match arg {
        Arg::None => String::new(),
        Arg::Index(i) => i.to_string(),
        Arg::Key(k) => k.clone(),
    }
}

/// Resolves a field written as in rules: `name` or `name[arg]`.
pub fn resolve_str(text: &str) -> Result<Field, FieldError> {
    match text.find('[') {
        Some(open) if text.ends_with(']') => {
            resolve(&text[..open], Some(&text[open + 1..text.len() - 1]))
        }
        _ => resolve(text, None),
    }
}

/// The closest known field name to `name` (edit distance), if it is reasonably close.
pub fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &'static str)> = None;
    for def in REGISTRY {
        let d = edit_distance(&lower, &def.name.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, def.name));
        }
    }
    let (d, name_found) = best?;
    let limit = (name.len() / 3).max(2);
    (d <= limit).then_some(name_found)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_and_suggest() {
        assert!(resolve("okta.evt.type", None).is_ok());
        let err = resolve("okta.evt.typ", None).unwrap_err();
        assert_eq!(
            err,
            FieldError::Unknown {
                name: "okta.evt.typ".into(),
                suggestion: Some("okta.evt.type")
            }
        );
        assert!(resolve_str("okta.evt.type[1]").is_err());
    }

    #[test]
    fn registry_rows_are_consistent() {
        for def in REGISTRY {
            assert!(
                def.name.starts_with("okta.") || (def.name.starts_with("evt.") && def.falco),
                "{}",
                def.name
            );
            assert!(!def.description.is_empty(), "{}", def.name);
            assert!(!def.description.contains('|'), "{}", def.name);
            // Fields beyond the plugin distinguish absent from empty.
            if !def.falco {
                assert_eq!(def.missing, Missing::Absent, "{}", def.name);
            }
            match def.check {
                ArgCheck::Any => {}
                ArgCheck::Positive => {
                    assert!(matches!(def.arg, ArgKind::Index { .. }), "{}", def.name)
                }
                ArgCheck::NonEmpty | ArgCheck::JsonPointer => {
                    assert!(matches!(def.arg, ArgKind::Key { .. }), "{}", def.name)
                }
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = REGISTRY.iter().map(|d| d.name).collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(len, names.len());
    }
}
