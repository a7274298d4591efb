//! Building blocks of the extractors: turning raw JSON slices of an event into field values.
//!
//! Data flow: an extractor in the registry locates a value with `Reader::at` (a walk over the
//! event's tape from one of its top-level members; [`at`] here is the same without a reader, for
//! the field state), and converts the raw slice with one of the value helpers here. The helpers borrow from the event's bytes whenever the JSON text
//! can be used as it is (a string without escapes, a number, an object without whitespace), so the
//! common case allocates nothing. Targets are found with [`find_target`] /
//! [`nth_target`], which look at the `type` (or position) of each target object on the tape. [`pointer`] walks an RFC 6901 JSON pointer.

use std::borrow::Cow;

use super::scan::str_is;
use super::Value;
use crate::event::{unquote, Event, Top};
use crate::tape::Cursor;

/// The raw value at `path` inside the top-level member `top` (`path` may be empty).
#[inline]
pub(crate) fn at<'e>(ev: &'e Event, top: Top, path: &[&str]) -> Option<Cursor<'e>> {
    ev.cursor(top)?.path(path)
}

/// [`text`] of a value on the tape (strings without a scan for escapes: the tape knows).
#[inline]
pub(crate) fn value_text(value: Cursor<'_>) -> Option<Cow<'_, str>> {
    match value.raw().first()? {
        b'"' => value.string(),
        _ => text(value.text()),
    }
}

/// Text of any JSON value: strings unescaped, numbers and booleans as written, objects and arrays
/// as compact JSON; `None` for `null`.
pub(crate) fn text(json: &str) -> Option<Cow<'_, str>> {
    match json.as_bytes().first()? {
        b'"' => unquote(json),
        b'{' | b'[' => compact(json),
        _ if json == "null" => None,
        _ => Some(Cow::Borrowed(json)),
    }
}

/// Compact JSON text of a validated value: whitespace outside strings removed. Borrowed when
/// there is none.
fn compact(text: &str) -> Option<Cow<'_, str>> {
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        return Some(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    Some(Cow::Owned(out))
}

/// A string field in the plugin's model: the text, or `""` when missing or null.
#[inline]
pub(crate) fn empty(value: Option<Cursor<'_>>) -> Option<Value<'_>> {
    Some(Value::Str(
        value.and_then(value_text).unwrap_or(Cow::Borrowed("")),
    ))
}

/// A string field that distinguishes absent (missing or null) from `""`.
#[inline]
pub(crate) fn absent(value: Option<Cursor<'_>>) -> Option<Value<'_>> {
    value.and_then(value_text).map(Value::Str)
}

/// A boolean field: a JSON boolean or the strings `"true"`/`"false"`; absent otherwise.
#[inline]
pub(crate) fn boolean(value: Option<Cursor<'_>>) -> Option<Value<'_>> {
    value
        .and_then(|v| crate::event::boolean(v.text()))
        .map(Value::Bool)
}

/// A list of strings made of the string (or scalar) items of a JSON array; absent when the value
/// is missing, null or not an array.
pub(crate) fn string_list(array: Option<Cursor<'_>>) -> Option<Value<'_>> {
    let array = array.filter(Cursor::is_array)?;
    Some(Value::List(
        array.children().filter_map(value_text).collect(),
    ))
}

/// The fields of one target object that an extractor asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetKey {
    Id,
    Type,
    AlternateId,
    DisplayName,
}

impl TargetKey {
    fn json_key(self) -> &'static str {
        match self {
            TargetKey::Id => "id",
            TargetKey::Type => "type",
            TargetKey::AlternateId => "alternateId",
            TargetKey::DisplayName => "displayName",
        }
    }
}

/// The first target whose `type` equals `ty`: `Some(value of key)` where the value is `None` when
/// that target lacks the key (or holds null). `None` when no target has this type.
///
/// One pass over the `target` array: each target is read only until its `type` shows that it
/// does not match (the rest of it is skipped), or until the wanted key of a matching one is found.
pub(crate) fn find_target<'e>(
    ev: &'e Event,
    ty: &str,
    key: TargetKey,
) -> Option<Option<Cursor<'e>>> {
    let targets = ev.cursor(Top::Target)?;
    if !targets.is_array() {
        return None;
    }
    targets.children().find_map(|target| {
        let found = target.get("type")?;
        if !str_is(found.raw(), ty) {
            return None;
        }
        Some(match key {
            TargetKey::Type => Some(found),
            _ => target.get(key.json_key()),
        })
    })
}

pub(crate) fn nth_target(ev: &Event, index: u64, key: TargetKey) -> Option<Option<Cursor<'_>>> {
    let targets = ev.cursor(Top::Target)?;
    if !targets.is_array() {
        return None;
    }
    let item = targets.children().nth(usize::try_from(index).ok()?)?;
    Some(item.get(key.json_key()))
}

/// Every target's value of `key` as a list; absent when `target` is missing, null or not an array.
pub(crate) fn target_list(ev: &Event, key: TargetKey) -> Option<Value<'_>> {
    let targets = ev.cursor(Top::Target)?;
    if !targets.is_array() {
        return None;
    }
    let list = targets
        .children()
        .filter_map(|item| item.get(key.json_key()).and_then(value_text))
        .collect();
    Some(Value::List(list))
}

/// Checks that `text` is a valid RFC 6901 JSON pointer: empty, or `/`-prefixed reference tokens
/// in which `~` is only followed by `0` or `1`.
pub(crate) fn check_pointer(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    if !text.starts_with('/') {
        return Err(
            "a JSON pointer must be empty or start with '/' (e.g. /debugContext/debugData/risk)"
                .into(),
        );
    }
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'~' && !matches!(bytes.get(i + 1), Some(b'0' | b'1')) {
            return Err(format!(
                "'~' at byte {i} must be followed by 0 or 1 ('~0' is '~', '~1' is '/')"
            ));
        }
    }
    Ok(())
}

/// Unescapes one reference token (`~1` is `/`, then `~0` is `~`).
fn unescape_token(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// An RFC 6901 array index: `0` or digits without a leading zero.
fn array_index(token: &str) -> Option<usize> {
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if valid {
        token.parse().ok()
    } else {
        None
    }
}

/// The raw value an RFC 6901 JSON pointer refers to in the event; `None` when it does not exist.
///
/// The first token uses the event's top-level index when it names a documented member.
pub(crate) fn pointer<'e>(ev: &'e Event, ptr: &str) -> Option<Cursor<'e>> {
    if ptr.is_empty() {
        return ev.root();
    }
    let mut tokens = ptr.strip_prefix('/')?.split('/');
    let first = unescape_token(tokens.next()?);
    let mut current = match Top::from_key(&first) {
        Some(top) => ev.cursor(top)?,
        None => ev.root()?.get(&first)?,
    };
    for token in tokens {
        let token = unescape_token(token);
        current = if current.is_object() {
            current.get(&token)?
        } else if current.is_array() {
            current.children().nth(array_index(&token)?)?
        } else {
            return None;
        };
    }
    Some(current)
}

/// The application name of a request URI of the form `/app/<name>/...` (Falco's `okta.app`).
pub(crate) fn app_name(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("/app/")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_renders_every_kind() {
        assert_eq!(text("\"a\\/b\"").as_deref(), Some("a/b"));
        assert_eq!(text("10013").as_deref(), Some("10013"));
        assert_eq!(text("-74.01").as_deref(), Some("-74.01"));
        assert_eq!(text("true").as_deref(), Some("true"));
        assert_eq!(text("null"), None);
        assert_eq!(text(r#"{"a":[1,2]}"#).as_deref(), Some(r#"{"a":[1,2]}"#));
        assert!(matches!(text(r#"{"a":[1,2]}"#), Some(Cow::Borrowed(_))));
        assert_eq!(
            text("{ \"a b\" : [ 1 ,\n 2 ], \"q\\\" x\": \" y \" }").as_deref(),
            Some(r#"{"a b":[1,2],"q\" x":" y "}"#)
        );
    }

    #[test]
    fn pointer_syntax_is_checked() {
        assert!(check_pointer("").is_ok());
        assert!(check_pointer("/a/b~0c~1d/0").is_ok());
        assert!(check_pointer("a/b").is_err());
        assert!(check_pointer("/a~2").is_err());
        assert!(check_pointer("/a~").is_err());
        assert_eq!(unescape_token("a~1b~0c~01"), "a/b~c~1");
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("12"), Some(12));
        assert_eq!(array_index("012"), None);
        assert_eq!(array_index("-"), None);
        assert_eq!(array_index("1a"), None);
    }

    #[test]
    fn app_names() {
        assert_eq!(
            app_name("/app/salesforce/exk1/sso/saml"),
            Some("salesforce")
        );
        assert_eq!(app_name("/app/office365?x=1"), Some("office365"));
        assert_eq!(app_name("/app/"), Some(""));
        assert_eq!(app_name("/api/v1/users"), None);
        assert_eq!(app_name("/apps/x"), None);
    }

    #[test]
    fn string_compare_handles_escapes() {
        assert!(str_is(b"\"User\"", "User"));
        assert!(!str_is(b"\"Users\"", "User"));
        assert!(str_is(b"\"URL\\u0020Pattern\"", "URL Pattern"));
        assert!(!str_is(b"null", "null"));
        assert!(!str_is(b"12345", "234"));
    }
}
