//! The syntax tree of a Falco condition, as produced by [`super::parse`].
//!
//! Data flow: condition text → (textual list expansion, [`super::expand_lists`]) → parser → [`Expr`]
//! → macro substitution ([`Expr::substitute_macros`]) → type checking and compilation
//! (`crate::compile`). Every node carries a byte [`Span`] into the text it was parsed from, so that
//! errors found later (unknown field, bad literal) point at the right place. Nodes substituted in
//! from a macro carry the span of the macro reference they replaced.
//!
//! Operands are fields, single-argument transformers (`tolower(x)`) and the multi-value
//! transformers `concat(a, b, ...)` and `join(sep, list)` ([`Operand::Multi`]), whose arguments
//! ([`TArg`]) may also be constant strings and `(a, b)` argument lists.
//!
//! [`Expr`] implements [`std::fmt::Display`] with Falco's canonical form (libsinsp
//! `ast.cpp` `string_visitor`): `(a and b)`, `(a or b)`, `not x`, `lhs op rhs`, lists `(a, b)`,
//! transformers `name(arg,arg)`.

use std::collections::HashMap;
use std::fmt;

/// A byte range `start..end` into the condition text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// All children hold (n-ary, at least two children).
    And {
        /// The operands, in source order.
        items: Vec<Expr>,
        /// Where the expression is.
        span: Span,
    },
    /// At least one child holds (n-ary, at least two children).
    Or {
        /// The operands, in source order.
        items: Vec<Expr>,
        /// Where the expression is.
        span: Span,
    },
    /// The child does not hold.
    Not {
        /// The negated expression.
        expr: Box<Expr>,
        /// Where the expression is.
        span: Span,
    },
    /// A field check such as `okta.evt.type = user.session.start`.
    Check(Box<Check>),
    /// A bare identifier in a check position: a macro reference (`[a-zA-Z]+[a-zA-Z0-9_]*`).
    Macro {
        /// The macro name.
        name: String,
        /// Where the reference is.
        span: Span,
    },
}

/// One comparison: `lhs op [modifier] rhs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The left side: a field, possibly transformed.
    pub lhs: Operand,
    /// The operator.
    pub op: Op,
    /// An operator modifier (`startswith anyof (a, b)`), Falco ≥ 0.44.
    pub modifier: Option<Modifier>,
    /// The right side.
    pub rhs: Rhs,
    /// Where the operator is (errors about the operator point here).
    pub op_span: Span,
    /// The whole check.
    pub span: Span,
}

/// A field reference `name` or `name[arg]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    /// The dotted field name, e.g. `okta.actor.name`.
    pub name: String,
    /// The argument between `[` and `]`, unescaped if it was quoted.
    pub arg: Option<String>,
    /// Where the field (with its argument) is.
    pub span: Span,
}

/// A value-producing operand: a field, or a transformer applied to operands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A plain field.
    Field(FieldRef),
    /// `tolower(x)`, `len(x)`, ...
    Transform {
        /// The transformer.
        func: Transformer,
        /// Its input.
        arg: Box<Operand>,
        /// Where the whole transformer expression is.
        span: Span,
    },
    /// `concat(a, b, ...)`, `join(sep, list)`: a multi-value transformer. The number and kinds
    /// of its arguments are checked when compiling, as Falco does.
    Multi {
        /// The transformer.
        func: MultiTransformer,
        /// Its arguments, in source order.
        args: Vec<TArg>,
        /// Where the whole transformer expression is.
        span: Span,
    },
}

/// An argument of a multi-value transformer (Falco's `TArg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TArg {
    /// A field or a transformer expression.
    Operand(Operand),
    /// A quoted string or a number: a constant string (`quoted` tells which).
    Literal(Value),
    /// `(a, b, ...)`: an argument list of fields, transformers, quoted strings and numbers
    /// (never nested lists), possibly empty.
    List {
        /// The items, in source order.
        items: Vec<TArg>,
        /// Where the list (with parentheses) is.
        span: Span,
    },
}

impl TArg {
    /// Where the argument is.
    pub fn span(&self) -> Span {
        match self {
            TArg::Operand(o) => o.span(),
            TArg::Literal(v) => v.span,
            TArg::List { span, .. } => *span,
        }
    }

    /// Calls `f` on every field under this argument, in source order.
    pub fn for_each_field<'a>(&'a self, f: &mut impl FnMut(&'a FieldRef)) {
        match self {
            TArg::Operand(o) => o.for_each_field(f),
            TArg::Literal(_) => {}
            TArg::List { items, .. } => items.iter().for_each(|i| i.for_each_field(f)),
        }
    }

    fn set_span(&mut self, s: Span) {
        match self {
            TArg::Operand(o) => o.set_span(s),
            TArg::Literal(v) => v.span = s,
            TArg::List { items, span } => {
                *span = s;
                items.iter_mut().for_each(|i| i.set_span(s));
            }
        }
    }
}

impl Operand {
    /// Where the operand is.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field(f) => f.span,
            Operand::Transform { span, .. } | Operand::Multi { span, .. } => *span,
        }
    }

    /// The innermost field of a field under single-argument transformers; `None` when a
    /// multi-value transformer is involved (it may read several fields, or none).
    pub fn field(&self) -> Option<&FieldRef> {
        match self {
            Operand::Field(f) => Some(f),
            Operand::Transform { arg, .. } => arg.field(),
            Operand::Multi { .. } => None,
        }
    }

    /// What errors about this operand name: its innermost field, or (under a multi-value
    /// transformer) the whole canonical text.
    pub fn subject(&self) -> String {
        match self.field() {
            Some(f) => f.to_string(),
            None => self.to_string(),
        }
    }

    /// Calls `f` on every field the operand reads, in source order.
    pub fn for_each_field<'a>(&'a self, f: &mut impl FnMut(&'a FieldRef)) {
        match self {
            Operand::Field(field) => f(field),
            Operand::Transform { arg, .. } => arg.for_each_field(f),
            Operand::Multi { args, .. } => args.iter().for_each(|a| a.for_each_field(f)),
        }
    }

    fn set_span(&mut self, s: Span) {
        match self {
            Operand::Field(f) => f.span = s,
            Operand::Transform { arg, span, .. } => {
                *span = s;
                arg.set_span(s);
            }
            Operand::Multi { args, span, .. } => {
                *span = s;
                args.iter_mut().for_each(|a| a.set_span(s));
            }
        }
    }
}

/// Field transformers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transformer {
    /// ASCII lower case.
    ToLower,
    /// ASCII upper case.
    ToUpper,
    /// Base64 decoding (standard alphabet, padding optional).
    B64,
    /// Text after the last `/`.
    Basename,
    /// Length in bytes (strings) or elements (lists), as uint64.
    Len,
}

impl Transformer {
    /// Every transformer, for lookups.
    pub const ALL: [Transformer; 5] = [
        Transformer::ToLower,
        Transformer::ToUpper,
        Transformer::B64,
        Transformer::Basename,
        Transformer::Len,
    ];

    /// The name as written in conditions.
    pub const fn name(self) -> &'static str {
        match self {
            Transformer::ToLower => "tolower",
            Transformer::ToUpper => "toupper",
            Transformer::B64 => "b64",
            Transformer::Basename => "basename",
            Transformer::Len => "len",
        }
    }

    /// Looks a transformer up by name.
    pub fn from_name(name: &str) -> Option<Transformer> {
        Transformer::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Multi-value transformers (Falco 0.44): several arguments, one string result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MultiTransformer {
    /// `concat(a, b, ...)`: the strings of its arguments, one after the other.
    Concat,
    /// `join(sep, list)`: the items of a list with `sep` between them.
    Join,
}

impl MultiTransformer {
    /// Every multi-value transformer, for lookups.
    pub const ALL: [MultiTransformer; 2] = [MultiTransformer::Join, MultiTransformer::Concat];

    /// The name as written in conditions.
    pub const fn name(self) -> &'static str {
        match self {
            MultiTransformer::Concat => "concat",
            MultiTransformer::Join => "join",
        }
    }

    /// Looks a multi-value transformer up by name.
    pub fn from_name(name: &str) -> Option<MultiTransformer> {
        MultiTransformer::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` or `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `contains`.
    Contains,
    /// `icontains` (ASCII case-insensitive).
    IContains,
    /// `bcontains` (byte buffers, hex literal).
    BContains,
    /// `startswith`.
    StartsWith,
    /// `bstartswith` (byte buffers, hex literal).
    BStartsWith,
    /// `endswith`.
    EndsWith,
    /// `glob` (fnmatch without `FNM_PATHNAME`).
    Glob,
    /// `iglob` (case-insensitive glob).
    IGlob,
    /// `regex`: RE2 POSIX syntax, matching the whole value (see `crate::compile`).
    Regex,
    /// `in` (membership in a list).
    In,
    /// `intersects` (list overlap).
    Intersects,
    /// `pmatch` (path-prefix match).
    PMatch,
    /// `exists` (unary).
    Exists,
}

impl Op {
    /// The operator as written (`=` for both `=` and `==`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::BContains => "bcontains",
            Op::StartsWith => "startswith",
            Op::BStartsWith => "bstartswith",
            Op::EndsWith => "endswith",
            Op::Glob => "glob",
            Op::IGlob => "iglob",
            Op::Regex => "regex",
            Op::In => "in",
            Op::Intersects => "intersects",
            Op::PMatch => "pmatch",
            Op::Exists => "exists",
        }
    }

    /// Whether the right side is a list (`in`, `intersects`, `pmatch`).
    pub const fn is_list_op(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }

    /// Whether this is one of the ordering operators `<`, `<=`, `>`, `>=`.
    pub const fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Operator modifiers (`x startswith anyof (a, b)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// Exactly one of the comparisons holds.
    OneOf,
    /// At least one holds.
    AnyOf,
    /// All hold (and the list is not empty).
    AllOf,
}

impl Modifier {
    /// The keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            Modifier::OneOf => "oneof",
            Modifier::AnyOf => "anyof",
            Modifier::AllOf => "allof",
        }
    }
}

/// A literal value on the right side (bare or quoted; quoted ones are unescaped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The text (after unescaping).
    pub text: String,
    /// Whether it was written in quotes.
    pub quoted: bool,
    /// Where it is.
    pub span: Span,
}

/// The right side of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rhs {
    /// No right side (`exists`).
    None,
    /// One literal value. After `in`/`intersects`/`pmatch` this is a bare identifier (`x in mylist`)
    /// that list expansion did not replace; it is treated as a one-item list.
    Value(Value),
    /// A parenthesized list of values (possibly empty).
    List {
        /// The items.
        items: Vec<Value>,
        /// Where the list (with parentheses) is.
        span: Span,
    },
    /// A field-valued right side: `val(field)` or a transformer expression.
    Operand(Operand),
}

/// Why a macro substitution failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Undefined macro '{name}' used in filter.")]
pub struct UndefinedMacro {
    /// The macro name.
    pub name: String,
    /// Where it is referenced.
    pub span: Span,
}

impl Expr {
    /// Where the expression is.
    pub fn span(&self) -> Span {
        match self {
            Expr::And { span, .. }
            | Expr::Or { span, .. }
            | Expr::Not { span, .. }
            | Expr::Macro { span, .. } => *span,
            Expr::Check(c) => c.span,
        }
    }

    /// The names of the macros referenced (each once, in order of first appearance).
    pub fn macro_refs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.walk(&mut |e| {
            if let Expr::Macro { name, .. } = e {
                if seen.insert(name.as_str()) {
                    out.push(name);
                }
            }
        });
        out
    }

    /// Calls `f` on every node, parents before children.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::And { items, .. } | Expr::Or { items, .. } => {
                for i in items {
                    i.walk(f);
                }
            }
            Expr::Not { expr, .. } => expr.walk(f),
            Expr::Check(_) | Expr::Macro { .. } => {}
        }
    }

    /// Replaces every macro reference by a clone of the macro's (already resolved) tree.
    ///
    /// This is Falco's AST-level macro resolution: the substituted tree behaves as one
    /// parenthesized sub-expression (`c and m` with `m: a or b` means `c and (a or b)`). Macro
    /// bodies are not searched for further references: pass macros whose own references have
    /// already been substituted (the loader resolves macros with [`Expr::map_macros`]). Nodes of
    /// a substituted body get the span of the reference they replace, so later errors point at
    /// the use site. The error names the first reference (in source order) with no macro.
    pub fn substitute_macros(
        &self,
        macros: &HashMap<String, Expr>,
    ) -> Result<Expr, UndefinedMacro> {
        let mut missing: Option<UndefinedMacro> = None;
        let out = self.map_macros(&mut |name, span| match macros.get(name) {
            Some(body) => Some(body.clone()),
            None => {
                missing.get_or_insert_with(|| UndefinedMacro {
                    name: name.to_string(),
                    span,
                });
                None
            }
        });
        match missing {
            Some(u) => Err(u),
            None => Ok(out),
        }
    }

    /// A copy of the tree with each macro reference replaced by the tree `body(name, span)`
    /// returns (its spans set to the reference's), or left as it is when `body` returns `None`.
    /// References are visited in source order, as Falco's `filter_macro_resolver` visits them;
    /// the returned bodies are not searched for further references (`body` does that if needed).
    pub fn map_macros(&self, body: &mut dyn FnMut(&str, Span) -> Option<Expr>) -> Expr {
        match self {
            Expr::And { items, span } => Expr::And {
                items: items.iter().map(|e| e.map_macros(body)).collect(),
                span: *span,
            },
            Expr::Or { items, span } => Expr::Or {
                items: items.iter().map(|e| e.map_macros(body)).collect(),
                span: *span,
            },
            Expr::Not { expr, span } => Expr::Not {
                expr: Box::new(expr.map_macros(body)),
                span: *span,
            },
            Expr::Check(_) => self.clone(),
            Expr::Macro { name, span } => match body(name, *span) {
                Some(mut b) => {
                    b.set_spans(*span);
                    b
                }
                None => self.clone(),
            },
        }
    }

    /// Sets the span of every node to `s`.
    fn set_spans(&mut self, s: Span) {
        match self {
            Expr::And { items, span } | Expr::Or { items, span } => {
                *span = s;
                for i in items {
                    i.set_spans(s);
                }
            }
            Expr::Not { expr, span } => {
                *span = s;
                expr.set_spans(s);
            }
            Expr::Macro { span, .. } => *span = s,
            Expr::Check(c) => {
                c.span = s;
                c.op_span = s;
                c.lhs.set_span(s);
                match &mut c.rhs {
                    Rhs::None => {}
                    Rhs::Value(v) => v.span = s,
                    Rhs::List { items, span } => {
                        *span = s;
                        for v in items {
                            v.span = s;
                        }
                    }
                    Rhs::Operand(o) => o.set_span(s),
                }
            }
        }
    }

    /// The nesting depth of the tree (a check or macro reference is 1). Computed without
    /// recursion, so it is safe on arbitrarily deep trees.
    pub fn depth(&self) -> usize {
        let mut max = 0;
        let mut stack: Vec<(&Expr, usize)> = vec![(self, 1)];
        while let Some((e, d)) = stack.pop() {
            max = max.max(d);
            match e {
                Expr::And { items, .. } | Expr::Or { items, .. } => {
                    stack.extend(items.iter().map(|i| (i, d + 1)));
                }
                Expr::Not { expr, .. } => stack.push((expr, d + 1)),
                Expr::Check(_) | Expr::Macro { .. } => {}
            }
        }
        max
    }
}

/// Writes a value as Falco's canonical form does: raw, or quoted with escapes when it contains a
/// blank, `=`, `\`, a quote or a control character.
/// Writes a value so that it parses back to the same text: bare when the lexer would take it
/// whole as a bare string, otherwise double-quoted with Falco's escapes.
fn write_value(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let needs_quotes = text.is_empty()
        || text.bytes().any(|b| {
            matches!(b, b'(' | b')' | b',' | b'=' | b'\\' | b'"' | b'\'')
                || b.is_ascii_control()
                || b == b' '
        });
    if !needs_quotes {
        return f.write_str(text);
    }
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '"' => f.write_str("\\\"")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(a) = &self.arg {
            write!(f, "[{a}]")?;
        }
        Ok(())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(field) => field.fmt(f),
            Operand::Transform { func, arg, .. } => write!(f, "{}({arg})", func.name()),
            Operand::Multi { func, args, .. } => {
                f.write_str(func.name())?;
                write_args(f, args)
            }
        }
    }
}

/// `(a,b)`: arguments as Falco's canonical form prints them (no blank after the commas).
fn write_args(f: &mut fmt::Formatter<'_>, args: &[TArg]) -> fmt::Result {
    f.write_str("(")?;
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{a}")?;
    }
    f.write_str(")")
}

impl fmt::Display for TArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TArg::Operand(o) => o.fmt(f),
            TArg::Literal(v) => write_value(f, &v.text),
            TArg::List { items, .. } => write_args(f, items),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And { items, .. } | Expr::Or { items, .. } => {
                let sep = if matches!(self, Expr::And { .. }) {
                    " and "
                } else {
                    " or "
                };
                f.write_str("(")?;
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    e.fmt(f)?;
                }
                f.write_str(")")
            }
            Expr::Not { expr, .. } => write!(f, "not {expr}"),
            Expr::Macro { name, .. } => f.write_str(name),
            Expr::Check(c) => {
                write!(f, "{} {}", c.lhs, c.op)?;
                if let Some(m) = c.modifier {
                    write!(f, " {}", m.as_str())?;
                }
                match &c.rhs {
                    Rhs::None => Ok(()),
                    Rhs::Value(v) => {
                        f.write_str(" ")?;
                        write_value(f, &v.text)
                    }
                    Rhs::List { items, .. } => {
                        f.write_str(" (")?;
                        for (i, v) in items.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            write_value(f, &v.text)?;
                        }
                        f.write_str(")")
                    }
                    Rhs::Operand(o @ Operand::Field(_)) => write!(f, " val({o})"),
                    Rhs::Operand(o) => write!(f, " {o}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::parse;

    #[test]
    fn depth_and_macro_refs() {
        let e = parse("a and (b or not c) and d.e = 1").unwrap();
        assert_eq!(e.depth(), 4);
        assert_eq!(e.macro_refs(), vec!["a", "b", "c"]);
        assert_eq!(parse("m or m and m").unwrap().macro_refs(), vec!["m"]);
        assert_eq!(parse("x.y = m").unwrap().macro_refs(), Vec::<&str>::new());
    }

    #[test]
    fn substitution_is_parenthesised_and_respans() {
        let body = parse("x.y = 1 or x.y = 2").unwrap();
        let macros = HashMap::from([("m".to_string(), body)]);
        let e = parse("x.z = 3 and m")
            .unwrap()
            .substitute_macros(&macros)
            .unwrap();
        assert_eq!(e.to_string(), "(x.z = 3 and (x.y = 1 or x.y = 2))");
        let Expr::And { items, .. } = &e else {
            panic!()
        };
        assert_eq!(items[1].span(), Span::new(12, 13));
        let Expr::Or { items, .. } = &items[1] else {
            panic!()
        };
        let Expr::Check(c) = &items[0] else { panic!() };
        assert_eq!(
            (c.span, c.op_span, c.lhs.span()),
            (Span::new(12, 13), Span::new(12, 13), Span::new(12, 13))
        );
        // `not m` negates the whole macro.
        let e = parse("not m").unwrap().substitute_macros(&macros).unwrap();
        assert_eq!(e.to_string(), "not (x.y = 1 or x.y = 2)");
    }

    #[test]
    fn canonical_values_are_quoted_when_needed() {
        let e = parse(r#"x.y in (a, "b c", "d=e", 'q"t', "t\tab", '')"#).unwrap();
        assert_eq!(
            e.to_string(),
            r#"x.y in (a, "b c", "d=e", "q\"t", "t\tab", "")"#
        );
    }

    /// Falco's canonical text of a condition parses back to the same condition, whatever the
    /// values hold (parentheses, commas, quotes, escapes, blanks, nothing at all).
    #[test]
    fn canonical_text_parses_back_to_the_same_condition() {
        let values: &[&str] = &[
            "a", "a)b", "(x", "a,b", "'q'", "\"d\"", "t\\tab", "", " lead", "é(", "x=y", "\\\\u",
            "and", "or", "not", "1", "0x1f", "b\\nr", "v\u{b}t",
        ];
        let mut rng = crate::testrand::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = |n: usize| rng.below(n);
        let mut checked = 0;
        for _ in 0..5_000 {
            let val = |next: &mut dyn FnMut(usize) -> usize| {
                let v = values[next(values.len())];
                let mut q = String::from("\"");
                for c in v.chars() {
                    match c {
                        '"' => q.push_str("\\\""),
                        '\\' => q.push_str("\\\\"),
                        '\t' => q.push_str("\\t"),
                        '\n' => q.push_str("\\n"),
                        c => q.push(c),
                    }
                }
                q.push('"');
                q
            };
            let mut parts = Vec::new();
            for _ in 0..1 + next(3) {
                let check = match next(4) {
                    0 => format!("x.y = {}", val(&mut next)),
                    1 => format!("x.y in ({}, {})", val(&mut next), val(&mut next)),
                    2 => format!("tolower(x.y) startswith {}", val(&mut next)),
                    _ => format!("not x.z contains {}", val(&mut next)),
                };
                parts.push(check);
            }
            let src = parts.join(if next(2) == 0 { " and " } else { " or " });
            let e = parse(&src).unwrap_or_else(|err| panic!("{src}: {err:?}"));
            let text = e.to_string();
            let again =
                parse(&text).unwrap_or_else(|err| panic!("{src} printed as {text}: {err:?}"));
            assert_eq!(again.to_string(), text, "{src}");
            let values_of = |e: &Expr| {
                let mut out = Vec::new();
                e.walk(&mut |n| {
                    if let Expr::Check(c) = n {
                        match &c.rhs {
                            Rhs::Value(v) => out.push(v.text.clone()),
                            Rhs::List { items, .. } => {
                                out.extend(items.iter().map(|v| v.text.clone()))
                            }
                            _ => {}
                        }
                    }
                });
                out
            };
            assert_eq!(values_of(&again), values_of(&e), "{src} printed as {text}");
            checked += 1;
        }
        assert_eq!(checked, 5_000);
    }
}
