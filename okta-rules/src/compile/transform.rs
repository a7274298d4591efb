//! Field transformers applied to extracted values (reference §3.5): `tolower`, `toupper`, `b64`,
//! `basename`, `len`.
//!
//! Data flow: the compiler checks with [`output_type`] that a transformer accepts its input
//! type; per event [`apply`] maps the extracted value. A missing input stays missing, and a
//! failing transformer (`b64` on invalid input) makes the value missing, so every check on it is
//! false. Values are only copied when the transformer changes them.

use std::borrow::Cow;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use okta_stream::fields::{FieldType, Value};

use crate::condition::ast::Transformer;

/// Standard alphabet, padding optional.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The type a transformer produces from `input`, or `None` if it does not accept that type.
pub fn output_type(t: Transformer, input: FieldType) -> Option<FieldType> {
    match (t, input) {
        (
            Transformer::ToLower | Transformer::ToUpper | Transformer::B64 | Transformer::Basename,
            FieldType::String,
        ) => Some(FieldType::String),
        (Transformer::Len, FieldType::String | FieldType::StringList) => Some(FieldType::U64),
        _ => None,
    }
}

/// Applies `t` to `v`; `None` if the transformer fails on this value.
pub fn apply(t: Transformer, v: Value<'_>) -> Option<Value<'_>> {
    match (t, v) {
        (Transformer::ToLower, Value::Str(s)) => Some(Value::Str(map_ascii(s, false))),
        (Transformer::ToUpper, Value::Str(s)) => Some(Value::Str(map_ascii(s, true))),
        (Transformer::Basename, Value::Str(s)) => Some(Value::Str(basename(s))),
        (Transformer::B64, Value::Str(s)) => {
            let bytes = B64.decode(s.as_bytes()).ok()?;
            Some(Value::Str(Cow::Owned(match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })))
        }
        (Transformer::Len, Value::Str(s)) => Some(Value::U64(s.len() as u64)),
        (Transformer::Len, Value::List(items)) => Some(Value::U64(items.len() as u64)),
        _ => None,
    }
}

fn map_ascii(s: Cow<'_, str>, upper: bool) -> Cow<'_, str> {
    let needs = if upper {
        s.bytes().any(|b| b.is_ascii_lowercase())
    } else {
        s.bytes().any(|b| b.is_ascii_uppercase())
    };
    if !needs {
        return s;
    }
    Cow::Owned(if upper {
        s.to_ascii_uppercase()
    } else {
        s.to_ascii_lowercase()
    })
}

fn basename(s: Cow<'_, str>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.rfind('/').map_or(b, |i| &b[i + 1..])),
        Cow::Owned(o) => match o.rfind('/') {
            Some(i) => Cow::Owned(o[i + 1..].to_string()),
            None => Cow::Owned(o),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value<'_> {
        Value::Str(Cow::Borrowed(v))
    }

    #[test]
    fn case_transformers_are_ascii_only_and_borrow_when_unchanged() {
        assert_eq!(apply(Transformer::ToLower, s("AbC É")), Some(s("abc É")));
        assert_eq!(apply(Transformer::ToUpper, s("abc é")), Some(s("ABC é")));
        let Some(Value::Str(Cow::Borrowed(_))) = apply(Transformer::ToLower, s("abc")) else {
            panic!("expected a borrowed value");
        };
    }

    #[test]
    fn basename_cases() {
        assert_eq!(
            apply(Transformer::Basename, s("/a/b/c.txt")),
            Some(s("c.txt"))
        );
        assert_eq!(apply(Transformer::Basename, s("/a/")), Some(s("")));
        assert_eq!(apply(Transformer::Basename, s("plain")), Some(s("plain")));
    }

    #[test]
    fn b64_with_and_without_padding_and_failure() {
        assert_eq!(apply(Transformer::B64, s("aGVsbG8=")), Some(s("hello")));
        assert_eq!(apply(Transformer::B64, s("aGVsbG8")), Some(s("hello")));
        // tr-10: invalid input fails the extraction.
        assert_eq!(apply(Transformer::B64, s("!!!")), None);
    }

    #[test]
    fn len_counts_bytes_or_items() {
        assert_eq!(apply(Transformer::Len, s("héllo")), Some(Value::U64(6)));
        assert_eq!(
            apply(
                Transformer::Len,
                Value::List(vec![Cow::Borrowed("a"), Cow::Borrowed("b")])
            ),
            Some(Value::U64(2))
        );
        assert_eq!(apply(Transformer::Len, Value::U64(3)), None);
    }

    #[test]
    fn type_rules() {
        assert_eq!(
            output_type(Transformer::ToLower, FieldType::String),
            Some(FieldType::String)
        );
        assert_eq!(output_type(Transformer::ToLower, FieldType::U64), None);
        assert_eq!(
            output_type(Transformer::Len, FieldType::StringList),
            Some(FieldType::U64)
        );
        assert_eq!(output_type(Transformer::Basename, FieldType::Bool), None);
    }
}
