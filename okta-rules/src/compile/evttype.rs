//! Event-type indexing: the set of `okta.evt.type` values a condition can match, computed from
//! the syntax tree like Falco's evttype indexing (used so that an engine evaluates a rule only
//! for events of the types it can match).
//!
//! Data flow: `super::compile` calls [`event_types`] on the macro-substituted tree; the result is
//! stored in the `Predicate`. The computation is conservative: `None` means "any type".
//! - `okta.evt.type = X` (also `==`, `= anyof (...)`, `= oneof (...)`) gives `{X}` / the items;
//!   `okta.evt.type in (X, Y)` / `intersects` gives `{X, Y}` (`in ()` gives the empty set);
//! - `a and b` intersects the sets of the children that have one;
//! - `a or b` unites them, and is "any" if one child is "any";
//! - a check on a field that has values only on some event types (the field's
//!   [`okta_stream::fields::FieldDef::only_on`], e.g. `okta.mfa.failure.countlast[N]`) gives those
//!   types, possibly through transformers: a missing value makes a check false whatever the
//!   operator, so the check cannot hold on other events;
//! - `not x` and every other check are "any".

use std::collections::BTreeSet;

use crate::condition::ast::{Check, Expr, Modifier, Op, Operand, Rhs};

/// The event-type field.
pub const EVENT_TYPE_FIELD: &str = "okta.evt.type";

/// The `okta.evt.type` values `e` can match, or `None` for any.
pub fn event_types(e: &Expr) -> Option<BTreeSet<String>> {
    match e {
        Expr::And { items, .. } => {
            let mut acc: Option<BTreeSet<String>> = None;
            for i in items {
                if let Some(s) = event_types(i) {
                    acc = Some(match acc {
                        None => s,
                        Some(a) => a.intersection(&s).cloned().collect(),
                    });
                }
            }
            acc
        }
        Expr::Or { items, .. } => {
            let mut acc = BTreeSet::new();
            for i in items {
                acc.extend(event_types(i)?);
            }
            Some(acc)
        }
        Expr::Not { .. } | Expr::Macro { .. } => None,
        Expr::Check(c) => check_types(c),
    }
}

/// The event types on which the field under `o` (through its transformers) can have a value.
fn operand_only_on(o: &Operand) -> Option<BTreeSet<String>> {
    match o {
        Operand::Field(f) => {
            let field = okta_stream::fields::resolve(&f.name, f.arg.as_deref()).ok()?;
            let types = field.def().only_on?;
            Some(types.iter().map(|t| t.to_string()).collect())
        }
        Operand::Transform { arg, .. } => operand_only_on(arg),
        // Any type (a sound over-approximation for several fields or none).
        Operand::Multi { .. } => None,
    }
}

fn check_types(c: &Check) -> Option<BTreeSet<String>> {
    operand_only_on(&c.lhs).or_else(|| type_check(c))
}

/// The values of a check on `okta.evt.type` itself (`okta.evt.type = X`, `in (X, Y)`, ...): the
/// check holds exactly on events whose type is one of them.
pub(crate) fn type_check(c: &Check) -> Option<BTreeSet<String>> {
    let Operand::Field(f) = &c.lhs else {
        return None;
    };
    if f.name != EVENT_TYPE_FIELD || f.arg.is_some() {
        return None;
    }
    let values = |rhs: &Rhs| -> Option<BTreeSet<String>> {
        match rhs {
            Rhs::Value(v) => Some(BTreeSet::from([v.text.clone()])),
            Rhs::List { items, .. } => Some(items.iter().map(|v| v.text.clone()).collect()),
            Rhs::None | Rhs::Operand(_) => None,
        }
    };
    match (c.op, c.modifier) {
        (Op::Eq, None | Some(Modifier::AnyOf | Modifier::OneOf)) => values(&c.rhs),
        (Op::In | Op::Intersects, None) => values(&c.rhs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::parse;

    fn t(src: &str) -> Option<Vec<String>> {
        event_types(&parse(src).unwrap()).map(|s| s.into_iter().collect())
    }

    fn set(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn equality_and_membership() {
        assert_eq!(t("okta.evt.type = a"), set(&["a"]));
        assert_eq!(t("okta.evt.type == \"a\""), set(&["a"]));
        assert_eq!(t("okta.evt.type in (b, a)"), set(&["a", "b"]));
        assert_eq!(t("okta.evt.type intersects (a)"), set(&["a"]));
        assert_eq!(t("okta.evt.type in ()"), set(&[]));
        assert_eq!(t("okta.evt.type = anyof (a, b)"), set(&["a", "b"]));
        assert_eq!(t("okta.evt.type != a"), None);
        assert_eq!(t("okta.evt.type startswith user."), None);
        assert_eq!(t("tolower(okta.evt.type) = a"), None);
        assert_eq!(t("okta.evt.type = val(okta.actor.name)"), None);
        assert_eq!(t("okta.actor.name = a"), None);
    }

    #[test]
    fn combinations() {
        assert_eq!(t("okta.evt.type = a and okta.actor.name = x"), set(&["a"]));
        assert_eq!(
            t("okta.evt.type in (a, b) and okta.evt.type in (b, c)"),
            set(&["b"])
        );
        assert_eq!(t("okta.evt.type = a and okta.evt.type = b"), set(&[]));
        assert_eq!(
            t("okta.evt.type = a or okta.evt.type = b"),
            set(&["a", "b"])
        );
        assert_eq!(t("okta.evt.type = a or okta.actor.name = x"), None);
        assert_eq!(t("not okta.evt.type = a"), None);
        assert_eq!(
            t("(okta.evt.type = a or okta.evt.type = b) and not m"),
            set(&["a", "b"])
        );
        assert_eq!(t("m"), None);
    }

    #[test]
    fn fields_present_only_on_some_event_types() {
        let failure = set(&["user.authentication.auth_via_mfa"]);
        let deny = set(&["user.mfa.okta_verify.deny_push"]);
        assert_eq!(t("okta.mfa.failure.countlast[300] >= 3"), failure);
        assert_eq!(t("okta.mfa.deny.countlast[60] exists"), deny);
        assert_eq!(t("len(okta.mfa.deny.countlast[60]) > 0"), deny);
        assert_eq!(
            t("okta.mfa.failure.countlast[300] >= 3 or okta.mfa.deny.countlast[300] >= 3"),
            set(&[
                "user.authentication.auth_via_mfa",
                "user.mfa.okta_verify.deny_push"
            ])
        );
        assert_eq!(
            t("okta.mfa.deny.countlast[60] > 1 and okta.evt.type = x"),
            set(&[])
        );
        // `not` can hold where the field is absent.
        assert_eq!(t("not okta.mfa.deny.countlast[60] > 1"), None);
        assert_eq!(
            t("okta.mfa.deny.countlast[60] > 1 or okta.actor.name = x"),
            None
        );
    }
}
