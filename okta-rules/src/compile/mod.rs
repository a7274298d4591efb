//! Compilation of a condition's syntax tree into an evaluator, and its evaluation.
//!
//! Data flow: the loader parses a condition (`crate::condition`), substitutes macros, and calls
//! [`compile`] once per rule. Compilation resolves every field against the registry
//! (`okta_stream::fields`), type-checks operators and transformers, parses literals for the field
//! type, precompiles regexes, globs, sets and substring finders, and computes the event types the
//! rule can match ([`Predicate::event_types`]). Per event the engine calls
//! `FieldState::observe` once and then [`Predicate::eval`] for the rules indexed under the event's
//! type; evaluation borrows values from the event and does not allocate on the common path.
//!
//! Transformers: the single-argument ones (`tolower`, `toupper`, `b64`, `basename`, `len`) are in
//! [`transform`]; the multi-value ones (`concat(a, b, ...)`, `join(sep, list)`, Falco 0.44) in a
//! private module of their own. `getopt` is rejected by the parser (it reads process arguments).
//!
//! `regex` patterns are read in RE2's POSIX (egrep) syntax, as Falco compiles them: a private
//! translator rewrites each pattern into the `regex` crate's syntax, or rejects it with RE2's error
//! (Perl escapes such as `\d`, `(?i)`, counts above 1000). The value must match as a whole, and
//! `^`/`$` inside the pattern also match at line breaks (RE2's POSIX mode is multi-line).
//!
//! ```
//! use okta_rules::{compile, condition};
//! use okta_stream::{fields::FieldState, Event};
//!
//! let ast = condition::parse("okta.evt.type = user.session.start and okta.actor.name icontains admin")?;
//! let compiled = compile::compile(&ast)?;
//! let event = Event::from_bytes(&br#"{"eventType":"user.session.start","actor":{"displayName":"Site ADMIN"}}"#[..])?;
//! let mut state = FieldState::new();
//! state.observe(&event);
//! assert!(compiled.predicate.eval(&event, &state));
//! assert_eq!(compiled.predicate.event_types(), Some(&["user.session.start".to_string()][..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod build;
mod cache;
mod eval;
mod evttype;
pub mod glob;
pub(crate) mod key;
mod literal;
mod multi;
pub mod pmatch;
mod posix;
mod program;
pub(crate) mod text;
pub mod transform;

use okta_stream::event::Event;
use okta_stream::fields::{FieldState, FieldType, Value};

use crate::condition::ast::{self, Expr, Modifier, Span};

pub use build::op_allowed;
pub(crate) use cache::{CacheMemory, ExtractCache, SlotTable, NO_SLOT};
pub use evttype::{event_types, EVENT_TYPE_FIELD};
pub use literal::{parse_bool, parse_u64};
pub(crate) use program::{Program, ProgramSet};

/// Deepest syntax tree accepted by [`compile`] (after macro substitution).
pub const MAX_TREE_DEPTH: usize = 4096;

/// What kind of problem a [`CompileError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompileErrorKind {
    /// No field has this name (Falco: `nonexistent field`; `skip-if-unknown-filter` applies).
    UnknownField,
    /// The field's argument is missing, unexpected or malformed.
    FieldArgument,
    /// A macro reference was left in the tree.
    UndefinedMacro,
    /// The operator does not apply to the field type, or the right side does not fit it.
    Operator,
    /// A literal does not parse for the field type.
    Literal,
    /// A transformer does not accept its input type.
    Transformer,
    /// A regex does not compile.
    Regex,
    /// The tree nests too deeply.
    TooDeep,
}

/// Why a condition does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CompileError {
    /// The kind of problem.
    pub kind: CompileErrorKind,
    /// Where in the condition text (for nodes from a macro: where the macro is referenced).
    pub span: Span,
    /// What is wrong (Falco's wording where it has one).
    pub message: String,
}

impl CompileError {
    /// Whether this is an unknown-field error (rules with `skip-if-unknown-filter: true` are then
    /// skipped with a warning instead of failing the load).
    pub fn is_unknown_field(&self) -> bool {
        self.kind == CompileErrorKind::UnknownField
    }
}

/// A compile-time warning: the rule still loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileWarning {
    /// Where in the condition text.
    pub span: Span,
    /// What looks wrong.
    pub message: String,
}

/// A compiled condition, ready to be evaluated on events.
#[derive(Debug, Clone)]
pub struct Predicate {
    root: eval::Node,
    event_types: Option<Box<[String]>>,
    /// The condition without its top-level `okta.evt.type` checks (`T and rest` gives `rest`),
    /// for events whose type is known to be in [`Predicate::event_types`] (see
    /// [`Program::eval`]); `None` when the condition has no such checks.
    after_type: Option<eval::Node>,
}

impl Predicate {
    /// Whether the condition holds for `event`. `state` must have observed `event`
    /// (`FieldState::observe`) so that stateful fields read the right counts.
    #[inline]
    pub fn eval(&self, event: &Event, state: &FieldState) -> bool {
        // A cache without slots: every field is extracted directly (no allocation).
        self.root.eval(&mut ExtractCache::direct(event, state))
    }

    /// Lets the top-level checks that only read fields in `known` slots run first (see
    /// `eval::Node::cheap_first`); the result of the condition does not change.
    pub(crate) fn cheap_first(&mut self, known: &[u32]) {
        self.root.cheap_first(known);
        if let Some(rest) = &mut self.after_type {
            rest.cheap_first(known);
        }
    }

    /// All index keys of the condition (see [`key::index_keys`]); for a condition that limits the
    /// event type (see [`Predicate::event_types`]), those of the condition without its top-level
    /// `okta.evt.type` checks: the rule need only be evaluated on events of its types whose key
    /// fields all have one of their keys' values.
    pub(crate) fn index_keys(&self) -> Vec<key::IndexKey> {
        match (&self.event_types, &self.after_type) {
            (Some(_), Some(rest)) => key::index_keys(rest),
            (Some(_), None) => Vec::new(),
            (None, _) => key::index_keys(&self.root),
        }
    }

    /// Gives every field this condition tests a slot in `table`.
    pub(crate) fn assign_slots(&mut self, table: &mut SlotTable) {
        self.root.assign_slots(table);
        if let Some(rest) = &mut self.after_type {
            rest.assign_slots(table);
        }
    }

    /// The condition as a flat program, what a ruleset runs per event (made once its slots are
    /// assigned and its checks ordered: see [`Predicate::assign_slots`], [`Predicate::cheap_first`]).
    ///
    /// The program is for an engine that finds the rule through its index: it leaves out what
    /// the index has already established when the rule is a candidate, the top-level
    /// `okta.evt.type` checks of a rule of some types and the checks that are its index keys
    /// ([`Predicate::index_keys`]).
    pub(crate) fn program(&self) -> Program {
        let keyed = match (&self.event_types, &self.after_type) {
            (Some(_), Some(rest)) => rest,
            (Some(_), None) => &self.root,
            (None, _) => &self.root,
        };
        let rest = match (&self.event_types, &self.after_type) {
            (Some(_), None) => self.root.clone(),
            _ => key::split_keys(keyed).1,
        };
        Program::compile(&rest)
    }

    /// The `okta.evt.type` values for which the condition can be true, sorted and without
    /// duplicates; `None` means any type. An empty slice means the condition never holds
    /// (e.g. `okta.evt.type in ()`). An event without `eventType` has type `""`.
    pub fn event_types(&self) -> Option<&[String]> {
        self.event_types.as_deref()
    }
}

/// A compiled value expression (a field under transformers, e.g. `concat(a.b, "-", c.d)`), for
/// output templates: the same evaluator operands conditions use.
#[derive(Debug, Clone)]
pub(crate) struct Extractor(eval::Operand);

impl Extractor {
    /// Resolves and type-checks `o`; returns the extractor with its value type.
    pub(crate) fn compile(o: &ast::Operand) -> Result<(Extractor, FieldType), CompileError> {
        let (op, ty) = build::Builder::default().operand(o)?;
        Ok((Extractor(op), ty))
    }

    /// The value for the cache's event (`None`: missing).
    pub(crate) fn extract<'a>(&self, cache: &'a mut ExtractCache<'_>) -> Option<Value<'a>> {
        self.0.extract_cached(cache)
    }

    /// Gives every field the expression reads a slot in `table`.
    pub(crate) fn assign_slots(&mut self, table: &mut SlotTable) {
        self.0.assign_slots(table);
    }
}

/// The result of [`compile`].
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The evaluator.
    pub predicate: Predicate,
    /// Warnings found while compiling, in source order.
    pub warnings: Vec<CompileWarning>,
}

/// Compiles a macro-substituted condition tree.
///
/// Errors: unknown fields (with the closest known name), field argument problems, macro
/// references left in the tree, operators that do not apply to the field type, literals that do
/// not parse for the type (`0x10` on a uint64 field), transformers on unsupported types, invalid
/// regexes.
pub fn compile(expr: &Expr) -> Result<Compiled, CompileError> {
    if expr.depth() > MAX_TREE_DEPTH {
        return Err(CompileError {
            kind: CompileErrorKind::TooDeep,
            span: expr.span(),
            message: format!("condition nests deeper than {MAX_TREE_DEPTH} levels"),
        });
    }
    let mut builder = build::Builder::default();
    let root = builder.expr(expr)?;
    let event_types = evttype::event_types(expr).map(|s| s.into_iter().collect());
    let after_type = after_type(expr)?;
    Ok(Compiled {
        predicate: Predicate {
            root,
            event_types,
            after_type,
        },
        warnings: builder.warnings,
    })
}

/// Every error of `expr`, in source order: each check compiled on its own (where [`compile`]
/// stops at the first), for diagnostics that list them all. Empty when `expr` compiles.
pub fn all_errors(expr: &Expr) -> Vec<CompileError> {
    if expr.depth() > MAX_TREE_DEPTH {
        return compile(expr).err().into_iter().collect();
    }
    let mut errors = Vec::new();
    expr.walk(&mut |e| {
        if matches!(e, Expr::Check(_) | Expr::Macro { .. }) {
            if let Err(error) = build::Builder::default().expr(e) {
                errors.push(error);
            }
        }
    });
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup_by_key(|e| (e.span.start, e.span.end));
    errors
}

/// The evaluator of `expr` without its top-level `okta.evt.type` checks, if it has any.
fn after_type(expr: &Expr) -> Result<Option<eval::Node>, CompileError> {
    // `oneof` is left out: `oneof (a, a)` never holds although it indexes under `a`.
    let is_type_check = |e: &Expr| {
        matches!(e, Expr::Check(c) if c.modifier != Some(Modifier::OneOf)
            && evttype::type_check(c).is_some())
    };
    // Warnings were collected when the whole condition was built.
    let mut builder = build::Builder::default();
    match expr {
        Expr::And { items, .. } if items.iter().any(is_type_check) => {
            let rest = items
                .iter()
                .filter(|i| !is_type_check(i))
                .map(|i| builder.expr(i))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(match rest.len() {
                0 => eval::Node::Const(true),
                _ => eval::Node::And(rest.into_boxed_slice()),
            }))
        }
        e if is_type_check(e) => Ok(Some(eval::Node::Const(true))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests;
