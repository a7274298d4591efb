//! Rule exceptions: validation and their translation into condition text (reference §4.3).
//!
//! Data flow: the reader yields each `exceptions:` entry as an [`Exception`]; the collector
//! validates complete entries with [`validate`] when a rule is defined or its exceptions replaced or
//! appended; the compiler appends the [`condition_parts`] to the rule's condition text (keeping
//! which exception each part came from, for error positions), which is then list-expanded and
//! parsed like hand-written text:
//! `(<cond>) and not ((f1 c1 v1 and f2 c2 v2) or (...)) and not (f in (v1, v2))`.

use super::reader::{ExValue, Exception};
use super::Diag;
use crate::condition::ast::Op;
use crate::condition::operator_named;

/// Whether `comp` names a list operator (`in`, `intersects`, `pmatch`).
fn is_list_comp(comp: &str) -> bool {
    operator_named(comp).is_some_and(Op::is_list_op)
}

const MODIFIERS: &[&str] = &["anyof", "allof", "oneof"];

/// Whether `comp` is `<string-op> <modifier>` (Falco 0.44 operator modifiers).
fn is_modifier_comp(comp: &str) -> bool {
    let mut parts = comp.split_whitespace();
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(op), Some(m), None)
            if operator_named(op).is_some_and(|o| !o.is_list_op() && o != Op::Exists)
                && MODIFIERS.contains(&m)
    )
}

fn is_supported_comp(comp: &str) -> bool {
    operator_named(comp).is_some() || is_modifier_comp(comp)
}

fn scalar(v: &ExValue) -> Option<&str> {
    match v {
        ExValue::Scalar(s) => Some(s),
        ExValue::Seq(_) => None,
    }
}

fn check_field(field: &str, ex: &Exception) -> Result<(), Diag> {
    okta_stream::fields::resolve_str(field)
        .map(|_| ())
        .map_err(|e| {
            let hint = match e {
                okta_stream::fields::FieldError::Unknown {
                    suggestion: Some(s),
                    ..
                } => format!(" (did you mean '{s}'?)"),
                _ => String::new(),
            };
            Diag::error(
                ex.mark,
                format!("'{field}' is not a supported filter field{hint}"),
            )
        })
}

/// Validates a complete exception entry (it must have `fields`).
pub(crate) fn validate(ex: &Exception) -> Result<(), Diag> {
    let Some(fields) = &ex.fields else {
        return Err(Diag::error(ex.mark, "Item has no mapping for key 'fields'"));
    };
    match fields {
        ExValue::Seq(fields) => {
            let names: Vec<&str> = fields
                .iter()
                .map(|f| {
                    scalar(f).ok_or_else(|| Diag::error(ex.mark, "sequence value is not scalar"))
                })
                .collect::<Result<_, _>>()?;
            for f in &names {
                check_field(f, ex)?;
            }
            if let Some(comps) = &ex.comps {
                let ExValue::Seq(comps) = comps else {
                    return Err(Diag::error(
                        ex.mark,
                        "Fields and comps lists must have equal length",
                    ));
                };
                if comps.len() != names.len() {
                    return Err(Diag::error(
                        ex.mark,
                        "Fields and comps lists must have equal length",
                    ));
                }
                for c in comps {
                    let c = scalar(c)
                        .ok_or_else(|| Diag::error(ex.mark, "sequence value is not scalar"))?;
                    if !is_supported_comp(c) {
                        return Err(Diag::error(
                            ex.mark,
                            format!("'{c}' is not a supported comparison operator"),
                        ));
                    }
                }
            }
            for v in &ex.values {
                match v {
                    ExValue::Seq(items) if items.len() == names.len() => {}
                    _ => {
                        return Err(Diag::error(
                            ex.mark,
                            "Fields and values lists must have equal length",
                        ))
                    }
                }
            }
        }
        ExValue::Scalar(field) => {
            check_field(field, ex)?;
            if let Some(comp) = &ex.comps {
                let ok = scalar(comp).is_some_and(|c| is_list_comp(c) || is_modifier_comp(c));
                if !ok {
                    return Err(Diag::error(ex.mark, "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)"));
                }
            }
        }
    }
    Ok(())
}

/// Falco's quoting of a scalar in generated text: quoted only when it contains a space and is not
/// already quoted.
fn quote(s: &str) -> String {
    if s.contains(' ') && !s.starts_with('"') && !s.starts_with('\'') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

fn value_text(v: &ExValue, comp: &str) -> String {
    match v {
        ExValue::Seq(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    ExValue::Scalar(s) => quote(s),
                    seq @ ExValue::Seq(_) => value_text(seq, comp),
                })
                .collect();
            format!("({})", parts.join(", "))
        }
        // With a list or modifier operator a scalar is parenthesized unless it already starts
        // with `(`, and never quoted (Falco's `paren_item`): `(a, b)` stays a list.
        ExValue::Scalar(s) if is_list_comp(comp) || is_modifier_comp(comp) => {
            if s.starts_with('(') {
                s.clone()
            } else {
                format!("({s})")
            }
        }
        ExValue::Scalar(s) => quote(s),
    }
}

/// The text to append to a rule's condition for its exceptions (empty when none has values).
#[cfg(test)]
pub(crate) fn condition_suffix(exceptions: &[Exception]) -> String {
    condition_parts(exceptions)
        .into_iter()
        .map(|p| p.text)
        .collect()
}

/// The text one exception adds to a rule's condition (` and not (...)`), with the range of each
/// of its values in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// The exception's position in the list given to [`condition_parts`].
    pub exception: usize,
    /// The text.
    pub text: String,
    /// `(index into the exception's values, byte range in `text`)` for each value written.
    pub values: Vec<(usize, std::ops::Range<usize>)>,
}

/// The text each exception with values adds to a rule's condition, one [`Part`] per exception;
/// their concatenation is the suffix appended to the rule's condition.
pub(crate) fn condition_parts(exceptions: &[Exception]) -> Vec<Part> {
    let mut parts = Vec::new();
    for (i, ex) in exceptions.iter().enumerate() {
        if ex.values.is_empty() {
            continue;
        }
        let mut out = String::new();
        let mut values = Vec::new();
        match &ex.fields {
            Some(ExValue::Seq(fields)) => {
                let fields: Vec<&str> = fields.iter().filter_map(scalar).collect();
                let comps: Vec<&str> = match &ex.comps {
                    Some(ExValue::Seq(c)) => c.iter().filter_map(scalar).collect(),
                    _ => vec!["="; fields.len()],
                };
                let mut tuples = String::new();
                for (vi, v) in ex.values.iter().enumerate() {
                    let ExValue::Seq(items) = v else { continue };
                    let checks: Vec<String> = fields
                        .iter()
                        .zip(&comps)
                        .zip(items)
                        .map(|((f, c), v)| format!("{f} {c} {}", value_text(v, c)))
                        .collect();
                    if !tuples.is_empty() {
                        tuples.push_str(" or ");
                    }
                    let start = tuples.len();
                    tuples.push_str(&format!("({})", checks.join(" and ")));
                    values.push((vi, start..tuples.len()));
                }
                if !tuples.is_empty() {
                    let prefix = " and not (";
                    out.push_str(prefix);
                    out.push_str(&tuples);
                    out.push(')');
                    for (_, r) in &mut values {
                        *r = r.start + prefix.len()..r.end + prefix.len();
                    }
                }
            }
            Some(ExValue::Scalar(field)) => {
                let comp = ex.comps.as_ref().and_then(scalar).unwrap_or("in");
                out.push_str(&format!(" and not ({field} {comp} ("));
                for (vi, v) in ex.values.iter().enumerate() {
                    if vi > 0 {
                        out.push_str(", ");
                    }
                    let start = out.len();
                    match v {
                        ExValue::Scalar(s) => out.push_str(&quote(s)),
                        seq @ ExValue::Seq(_) => out.push_str(&value_text(seq, comp)),
                    }
                    values.push((vi, start..out.len()));
                }
                out.push_str("))");
            }
            None => {}
        }
        if !out.is_empty() {
            parts.push(Part {
                exception: i,
                text: out,
                values,
            });
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::Mark;

    fn s(x: &str) -> ExValue {
        ExValue::Scalar(x.to_string())
    }
    fn seq(x: &[ExValue]) -> ExValue {
        ExValue::Seq(x.to_vec())
    }
    fn ex(fields: ExValue, comps: Option<ExValue>, values: Vec<ExValue>) -> Exception {
        Exception {
            name: "e".into(),
            fields: Some(fields),
            comps,
            values,
            mark: Mark::default(),
        }
    }

    #[test]
    fn list_form_text() {
        let e = ex(
            seq(&[s("okta.evt.type"), s("okta.actor.name")]),
            None,
            vec![seq(&[s("a"), s("Alice Smith")]), seq(&[s("b"), s("c")])],
        );
        validate(&e).unwrap();
        assert_eq!(
            condition_suffix(&[e]),
            " and not ((okta.evt.type = a and okta.actor.name = \"Alice Smith\") or (okta.evt.type = b and okta.actor.name = c))"
        );
    }

    #[test]
    fn single_form_and_list_values() {
        let e = ex(s("okta.actor.name"), None, vec![s("x"), s("y z")]);
        validate(&e).unwrap();
        assert_eq!(
            condition_suffix(&[e]),
            " and not (okta.actor.name in (x, \"y z\"))"
        );
        let e = ex(
            seq(&[s("okta.actor.name")]),
            Some(seq(&[s("in")])),
            vec![seq(&[s("known_users")]), seq(&[seq(&[s("a"), s("b")])])],
        );
        validate(&e).unwrap();
        assert_eq!(
            condition_suffix(&[e]),
            " and not ((okta.actor.name in (known_users)) or (okta.actor.name in (a, b)))"
        );
    }

    #[test]
    fn list_operator_scalars_are_parenthesized_never_quoted() {
        let e = ex(
            seq(&[s("okta.actor.name"), s("okta.evt.type")]),
            Some(seq(&[s("in"), s("startswith anyof")])),
            vec![seq(&[s("(Alice, Bob)"), s("a b")])],
        );
        validate(&e).unwrap();
        assert_eq!(
            condition_suffix(&[e]),
            " and not ((okta.actor.name in (Alice, Bob) and okta.evt.type startswith anyof (a b)))"
        );
    }

    #[test]
    fn parts_name_their_exception() {
        let none = ex(s("okta.actor.name"), None, vec![]);
        let one = ex(s("okta.actor.name"), None, vec![s("x")]);
        let parts = condition_parts(&[none, one]);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].exception, 1);
        assert_eq!(parts[0].text, " and not (okta.actor.name in (x))");
        assert_eq!(parts[0].values, vec![(0, 30..31)]);
    }

    #[test]
    fn parts_say_where_each_value_is() {
        let e = ex(
            seq(&[s("okta.actor.name"), s("okta.client.ip")]),
            None,
            vec![
                seq(&[s("a"), s("1")]),
                s("skipped"),
                seq(&[s("b c"), s("2")]),
            ],
        );
        let parts = condition_parts(&[e]);
        let p = &parts[0];
        let texts: Vec<(usize, &str)> = p
            .values
            .iter()
            .map(|(i, r)| (*i, &p.text[r.clone()]))
            .collect();
        assert_eq!(
            texts,
            vec![
                (0, "(okta.actor.name = a and okta.client.ip = 1)"),
                (2, "(okta.actor.name = \"b c\" and okta.client.ip = 2)")
            ]
        );
        let e = ex(s("okta.actor.name"), None, vec![s("x"), s("y z")]);
        let parts = condition_parts(&[e]);
        let p = &parts[0];
        let texts: Vec<&str> = p.values.iter().map(|(_, r)| &p.text[r.clone()]).collect();
        assert_eq!(texts, vec!["x", "\"y z\""]);
    }

    #[test]
    fn no_values_adds_nothing() {
        let e = ex(s("okta.actor.name"), None, vec![]);
        assert_eq!(condition_suffix(&[e]), "");
    }

    #[test]
    fn validation_errors() {
        let e = ex(
            seq(&[s("okta.evt.type")]),
            Some(seq(&[s("="), s("=")])),
            vec![],
        );
        assert!(validate(&e)
            .unwrap_err()
            .message
            .contains("comps lists must have equal length"));
        let e = ex(seq(&[s("okta.evt.type")]), Some(seq(&[s("like")])), vec![]);
        assert!(validate(&e)
            .unwrap_err()
            .message
            .contains("'like' is not a supported comparison operator"));
        let e = ex(
            seq(&[s("okta.evt.type")]),
            Some(seq(&[s("startswith oneof")])),
            vec![],
        );
        assert!(validate(&e).is_ok());
        let e = ex(
            seq(&[s("okta.evt.type")]),
            None,
            vec![seq(&[s("a"), s("b")])],
        );
        assert!(validate(&e)
            .unwrap_err()
            .message
            .contains("values lists must have equal length"));
        let e = ex(s("okta.evt.type"), Some(s("=")), vec![]);
        assert!(validate(&e)
            .unwrap_err()
            .message
            .starts_with("When fields is a single value"));
        let e = ex(s("okta.evt.typ"), None, vec![]);
        let m = validate(&e).unwrap_err().message;
        assert!(
            m.contains("'okta.evt.typ' is not a supported filter field"),
            "{m}"
        );
        assert!(m.contains("did you mean 'okta.evt.type'"), "{m}");
    }
}
