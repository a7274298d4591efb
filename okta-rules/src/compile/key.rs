//! Index keys: a value test on one string field that every match of a condition must pass, so
//! that an engine can find the rule by the field's value instead of evaluating it on every event.
//!
//! Event types narrow most rules down (see `super::evttype`); a rule that can match any event
//! type is evaluated on every event. Many such rules still start with a selective test such as
//! `okta.client.geo.country in (Russia, "North Korea")`, `okta.result = DENY` or
//! `okta.actor.alternateid startswith admin`; rules of one event type too, within the rules of
//! that type. Data flow: after slots are assigned, the engine asks each rule's
//! [`super::Predicate`] for its [`IndexKey`]s ([`index_keys`] on the compiled tree): every
//! top-level conjunct (the whole condition, or an item of its top-level `and`) that is a check of
//! a plain string field (no transformer) with `=`/`==`, `in` or `startswith` against literals.
//! The condition can hold only when all those checks hold, so an engine that evaluates the rule
//! only for events whose key fields each have one of their key's [`KeyMatch::Exact`] values (or
//! start with its [`KeyMatch::Prefix`]) fires exactly the same rules; a missing value fails every
//! check, so such events never need the rule.

use okta_stream::fields::{Field, FieldType};

use super::eval::{Node, Operand, StrTest, Test};

/// What values of the key field a rule can match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyMatch {
    /// Exactly one of these values (`=`, `in`).
    Exact(Vec<Box<str>>),
    /// A value starting with this text (`startswith`).
    Prefix(Box<str>),
}

/// A field and the values a rule needs it to have.
#[derive(Debug, Clone)]
pub(crate) struct IndexKey {
    /// The field (its cache slot is `slot`).
    pub(crate) field: Field,
    pub(crate) slot: u32,
    pub(crate) matches: KeyMatch,
}

/// Every index key of a compiled condition: one per indexable top-level check. The condition
/// can hold only when each of them matches. (All of them, whatever their order: the engine
/// reorders checks after indexing, see `super::Predicate::cheap_first`.)
pub(crate) fn index_keys(root: &Node) -> Vec<IndexKey> {
    split_keys(root).0
}

/// [`index_keys`], and the rest of the condition: the top-level checks that did not become keys.
/// Where an index has found a rule by all its keys, the rest alone decides.
pub(crate) fn split_keys(root: &Node) -> (Vec<IndexKey>, Node) {
    let conjuncts: &[Node] = match root {
        Node::And(items) => items,
        other => std::slice::from_ref(other),
    };
    let mut keys = Vec::new();
    let mut rest = Vec::new();
    for conjunct in conjuncts {
        match check_key(conjunct) {
            Some(key) => keys.push(key),
            None => rest.push(conjunct.clone()),
        }
    }
    let rest = match rest.len() {
        0 => Node::Const(true),
        1 if !matches!(root, Node::And(_)) => rest.remove(0),
        _ => Node::And(rest.into_boxed_slice()),
    };
    (keys, rest)
}

/// The key of one check node, if it is an indexable check.
fn check_key(node: &Node) -> Option<IndexKey> {
    let Node::Check(check) = node else {
        return None;
    };
    let Operand::Field(field, slot) = &check.lhs else {
        return None;
    };
    if field.ty() != FieldType::String {
        return None;
    }
    let matches = match &check.test {
        Test::Str(StrTest::Eq(value)) => KeyMatch::Exact(vec![value.as_str().into()]),
        Test::Str(StrTest::In(set)) => KeyMatch::Exact(set.items().map(Into::into).collect()),
        Test::Str(StrTest::StartsWith(prefix)) => KeyMatch::Prefix(prefix.as_str().into()),
        _ => return None,
    };
    Some(IndexKey {
        field: field.clone(),
        slot: *slot,
        matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::compile;
    use crate::condition::parse;

    fn keys(cond: &str) -> Vec<(String, KeyMatch)> {
        let compiled = compile(&parse(cond).unwrap()).unwrap();
        compiled
            .predicate
            .index_keys()
            .into_iter()
            .map(|k| (k.field.display_name(), k.matches))
            .collect()
    }

    fn exact(items: &[&str]) -> KeyMatch {
        KeyMatch::Exact(items.iter().map(|s| (*s).into()).collect())
    }

    #[test]
    fn keys_of_top_level_checks() {
        assert_eq!(
            keys("okta.result = DENY"),
            [("okta.result".into(), exact(&["DENY"]))]
        );
        assert_eq!(
            keys(
                "okta.actor.name contains x and okta.client.geo.country in (France, Japan, France)"
            ),
            [(
                "okta.client.geo.country".into(),
                exact(&["France", "Japan"])
            )]
        );
        // Every indexable check of the top-level `and` is a key, in order.
        assert_eq!(
            keys("okta.client.ip startswith 10. and okta.result == FAILURE"),
            [
                ("okta.client.ip".into(), KeyMatch::Prefix("10.".into())),
                ("okta.result".into(), exact(&["FAILURE"]))
            ]
        );
        assert_eq!(
            keys("okta.client.ip startswith \"10.\" and not okta.result = FAILURE"),
            [("okta.client.ip".into(), KeyMatch::Prefix("10.".into()))]
        );
        assert_eq!(
            keys("okta.debug[dtHash] = abc"),
            [("okta.debug[dtHash]".into(), exact(&["abc"]))]
        );
        // A rule of one event type: the keys of the rest of its condition.
        assert_eq!(
            keys("okta.evt.type = user.session.start and okta.result = DENY"),
            [("okta.result".into(), exact(&["DENY"]))]
        );
        assert!(keys("okta.evt.type in (a, b)").is_empty());
        // All of them.
        let many = ["okta.result = DENY"; 300].join(" and ");
        assert_eq!(keys(&many).len(), 300);
    }

    #[test]
    fn no_key_where_the_check_may_fail_and_the_rule_still_hold() {
        for cond in [
            "okta.result = DENY or okta.result = FAILURE",
            "not okta.result = DENY",
            "okta.result != DENY",
            "tolower(okta.result) = deny",
            "okta.result icontains deny",
            "okta.result endswith Y",
            "okta.security.asnumber = 7922",
            "okta.target.type intersects (User)",
            "okta.result = val(okta.reason)",
            "okta.result = anyof (DENY, FAILURE)",
        ] {
            assert!(keys(cond).is_empty(), "{cond}");
        }
    }
}
