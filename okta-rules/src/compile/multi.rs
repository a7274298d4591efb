//! Multi-value transformers (Falco 0.44, libsinsp `sinsp_filtercheck_multivalue_transformer.cpp`):
//! `concat(a, b, ...)` and `join(sep, list)`, each giving one string.
//!
//! Data flow: `super::build` compiles each argument (a field or transformer operand, a constant
//! string, or an `(a, b)` argument list) into an [`Arg`] and checks the argument kinds with
//! [`check`], which gives Falco's messages. Per event [`Multi::extract`] reads the arguments
//! through the extraction cache (fields in arguments have slots like any other field) and builds
//! the result string; outer transformers (`len(concat(a, b))`) then apply to it as usual.
//!
//! Semantics, as in Falco:
//! - `concat`: at least two arguments, each a single string (not a list, not a number); the
//!   result is their strings one after the other; missing if any argument is missing.
//! - `join`: exactly two arguments, a single-valued separator and a list (a list field or an
//!   argument list); the result is the list's items with the separator between them; missing if
//!   either argument is missing.
//! - An argument list is the values of its items in order, a list field item contributing all
//!   its items; it is missing if any item is missing. Numbers and booleans in it read as their
//!   decimal / `true`/`false` text (Falco turns numeric items into text too).
//! - A list field with no items is missing, as everywhere in this engine (a plugin extraction
//!   with no values fails).
//!
//! Only these transformers allocate (their result is a new string); conditions that do not use
//! them never reach this module.

use std::borrow::Cow;

use okta_stream::fields::{FieldType, Value};

use super::cache::{ExtractCache, SlotTable};
use super::eval::Operand;
use crate::condition::ast::MultiTransformer;

/// A compiled multi-value transformer.
#[derive(Debug, Clone)]
pub(crate) struct Multi {
    func: MultiTransformer,
    args: Box<[Arg]>,
}

/// A compiled argument.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// A quoted string or a number.
    Const(Box<str>),
    /// A field or a transformer expression.
    Operand(Operand),
    /// `(a, b, ...)`: the values of the items, in order.
    List(Box<[Arg]>),
}

/// What kind of value an argument gives, for [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArgKind {
    pub(crate) ty: FieldType,
    pub(crate) is_list: bool,
}

impl ArgKind {
    /// The kind of a value of type `ty`.
    pub(crate) fn of(ty: FieldType) -> ArgKind {
        ArgKind {
            ty,
            is_list: ty == FieldType::StringList,
        }
    }

    /// The kind of an argument list.
    pub(crate) const LIST: ArgKind = ArgKind {
        ty: FieldType::StringList,
        is_list: true,
    };
}

/// Checks the arguments of `func` (Falco's constructor checks, with its messages); the result
/// is always a single string.
pub(crate) fn check(func: MultiTransformer, kinds: &[ArgKind]) -> Result<(), &'static str> {
    match func {
        MultiTransformer::Join => match kinds {
            [sep, list] => {
                if sep.is_list {
                    Err("join() first argument (separator) must be a single value, not a list")
                } else if !list.is_list {
                    Err("join() second argument must be a list")
                } else {
                    Ok(())
                }
            }
            _ => Err("join() requires exactly 2 arguments: separator and list"),
        },
        MultiTransformer::Concat => {
            if kinds.len() < 2 {
                Err("concat() requires at least 2 arguments")
            } else if kinds.iter().any(|k| k.is_list || k.ty != FieldType::String) {
                Err("concat() arguments must be strings")
            } else {
                Ok(())
            }
        }
    }
}

impl Multi {
    /// A transformer whose arguments passed [`check`].
    pub(crate) fn new(func: MultiTransformer, args: Vec<Arg>) -> Multi {
        Multi {
            func,
            args: args.into_boxed_slice(),
        }
    }

    /// The result for the cache's event; `None` when an argument is missing.
    pub(crate) fn extract(&self, cache: &mut ExtractCache<'_>) -> Option<String> {
        let mut out = String::new();
        match (self.func, &*self.args) {
            (MultiTransformer::Concat, args) => {
                for a in args {
                    a.each_value(cache, &mut |s| out.push_str(s))?;
                }
            }
            (MultiTransformer::Join, [sep, list]) => {
                // A constant separator is borrowed; one read from the event is copied, as the
                // list is read through the same cache.
                let sep: Cow<'_, str> = match sep {
                    Arg::Const(s) => Cow::Borrowed(&**s),
                    other => {
                        let mut s = String::new();
                        other.each_value(cache, &mut |v| s.push_str(v))?;
                        Cow::Owned(s)
                    }
                };
                let mut first = true;
                list.each_value(cache, &mut |item| {
                    if !first {
                        out.push_str(&sep);
                    }
                    first = false;
                    out.push_str(item);
                })?;
            }
            // `check` allows no other shape.
            (MultiTransformer::Join, _) => return None,
        }
        Some(out)
    }

    /// Gives the fields of the arguments slots from `table`.
    pub(crate) fn assign_slots(&mut self, table: &mut SlotTable) {
        self.args.iter_mut().for_each(|a| a.assign_slots(table));
    }

    /// Whether reading the arguments only reads fields in `known` slots.
    pub(crate) fn reads_only(&self, known: &[u32]) -> bool {
        self.args.iter().all(|a| a.reads_only(known))
    }
}

impl Arg {
    /// Calls `f` on each string value of the argument, in order; `None` (after calling `f` on
    /// some of them, perhaps) when a value is missing.
    fn each_value(&self, cache: &mut ExtractCache<'_>, f: &mut impl FnMut(&str)) -> Option<()> {
        match self {
            Arg::Const(s) => f(s),
            Arg::Operand(o) => match o.extract_cached(cache)? {
                Value::Str(s) => f(&s),
                Value::List(items) if items.is_empty() => return None,
                Value::List(items) => items.iter().for_each(|i| f(i)),
                Value::U64(n) => f(&n.to_string()),
                Value::Bool(b) => f(if b { "true" } else { "false" }),
            },
            Arg::List(items) => {
                for i in items.iter() {
                    i.each_value(cache, f)?;
                }
            }
        }
        Some(())
    }

    fn assign_slots(&mut self, table: &mut SlotTable) {
        match self {
            Arg::Const(_) => {}
            Arg::Operand(o) => o.assign_slots(table),
            Arg::List(items) => items.iter_mut().for_each(|i| i.assign_slots(table)),
        }
    }

    fn reads_only(&self, known: &[u32]) -> bool {
        match self {
            Arg::Const(_) => true,
            Arg::Operand(o) => o.reads_only(known),
            Arg::List(items) => items.iter().all(|i| i.reads_only(known)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ty: FieldType) -> ArgKind {
        ArgKind::of(ty)
    }

    #[test]
    fn argument_checks_give_falcos_messages() {
        use FieldType::*;
        use MultiTransformer::*;
        let s = kind(String);
        let l = kind(StringList);
        assert_eq!(check(Concat, &[s, s]), Ok(()));
        assert_eq!(check(Concat, &[s, s, s]), Ok(()));
        assert_eq!(
            check(Concat, &[s]),
            Err("concat() requires at least 2 arguments")
        );
        assert_eq!(
            check(Concat, &[s, l]),
            Err("concat() arguments must be strings")
        );
        assert_eq!(
            check(Concat, &[s, kind(U64)]),
            Err("concat() arguments must be strings")
        );
        assert_eq!(check(Join, &[s, l]), Ok(()));
        assert_eq!(check(Join, &[s, ArgKind::LIST]), Ok(()));
        assert_eq!(
            check(Join, &[s]),
            Err("join() requires exactly 2 arguments: separator and list")
        );
        assert_eq!(
            check(Join, &[s, l, l]),
            Err("join() requires exactly 2 arguments: separator and list")
        );
        assert_eq!(
            check(Join, &[l, l]),
            Err("join() first argument (separator) must be a single value, not a list")
        );
        assert_eq!(
            check(Join, &[s, s]),
            Err("join() second argument must be a list")
        );
    }
}
