//! Type checking and construction of the evaluator from a syntax tree (reference §2.4, §3).
//!
//! Data flow: [`Builder::expr`] walks the macro-substituted [`Expr`]; each check's field is
//! resolved against the registry (`okta_stream::fields::resolve`), transformers are checked
//! against the field type, the operator against the (transformed) type, and literals are parsed
//! for that type once. Multi-value transformers (`concat`, `join`) have their arguments built
//! one by one and checked with `super::multi::check`. The result is an [`eval::Node`] tree.
//! Warnings (a literal that names a field, a regex that could be a simpler operator) are
//! collected on the way.

use memchr::memmem;
use okta_stream::fields::{self, FieldError, FieldType};
use regex::{Regex, RegexBuilder};

use super::eval::{self, BoolTest, ListTest, Node, NumTest, StrTest, Test};
use super::literal::{parse_bool, parse_u64};
use super::multi::{self, ArgKind, Multi};
use super::pmatch::PathPatterns;
use super::text::StrSet;
use super::transform;
use super::{CompileError, CompileErrorKind, CompileWarning};
use crate::condition::ast::{
    self, Check, Expr, MultiTransformer, Op, Rhs, Span, TArg, Transformer,
};

/// Builds nodes and collects warnings.
#[derive(Default)]
pub(crate) struct Builder {
    pub(crate) warnings: Vec<CompileWarning>,
}

fn err(kind: CompileErrorKind, span: Span, message: impl Into<String>) -> CompileError {
    CompileError {
        kind,
        span,
        message: message.into(),
    }
}

/// Whether `op` may be used on a value of type `ty` (libsinsp `flt_is_comparable`).
pub fn op_allowed(ty: FieldType, op: Op) -> bool {
    use Op::*;
    match ty {
        FieldType::String => !matches!(op, BContains | BStartsWith),
        FieldType::U64 => matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | Intersects | Exists),
        FieldType::Bool => matches!(op, Eq | Ne | In | Intersects | Exists),
        FieldType::StringList => matches!(op, In | Intersects | Exists),
    }
}

fn type_family(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "string",
        FieldType::U64 | FieldType::Bool => "numeric",
        FieldType::StringList => "list",
    }
}

impl Builder {
    pub(crate) fn expr(&mut self, e: &Expr) -> Result<Node, CompileError> {
        Ok(match e {
            Expr::And { items, .. } => Node::And(
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Or { items, .. } => Node::Or(
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Not { expr, .. } => Node::Not(Box::new(self.expr(expr)?)),
            Expr::Macro { name, span } => {
                return Err(err(
                    CompileErrorKind::UndefinedMacro,
                    *span,
                    format!("Undefined macro '{name}' used in filter."),
                ))
            }
            Expr::Check(c) => self.check(c)?,
        })
    }

    /// Resolves an operand; returns it with its value type.
    pub(crate) fn operand(
        &mut self,
        o: &ast::Operand,
    ) -> Result<(eval::Operand, FieldType), CompileError> {
        match o {
            ast::Operand::Field(f) => {
                let field =
                    fields::resolve(&f.name, f.arg.as_deref()).map_err(|e| field_error(e, f))?;
                let ty = field.ty();
                Ok((eval::field_operand(field), ty))
            }
            ast::Operand::Transform { func, arg, span } => {
                let (inner, ty) = self.operand(arg)?;
                match transform::output_type(*func, ty) {
                    Some(out) => Ok((eval::Operand::Transform(*func, Box::new(inner)), out)),
                    None => Err(err(
                        CompileErrorKind::Transformer,
                        *span,
                        format!(
                            "can't add field transformer: type '{}' is not supported by '{}' \
                             transformer applied on field '{}'",
                            ty.name(),
                            func.name(),
                            arg.subject()
                        ),
                    )),
                }
            }
            ast::Operand::Multi { func, args, span } => {
                let mut built = Vec::with_capacity(args.len());
                let mut kinds = Vec::with_capacity(args.len());
                for a in args {
                    let (arg, kind) = self.targ(a)?;
                    built.push(arg);
                    kinds.push(kind);
                }
                multi::check(*func, &kinds)
                    .map_err(|m| err(CompileErrorKind::Transformer, *span, m))?;
                Ok((
                    eval::Operand::Multi(Box::new(Multi::new(*func, built))),
                    FieldType::String,
                ))
            }
        }
    }

    /// Builds an argument of a multi-value transformer, with its kind.
    fn targ(&mut self, a: &TArg) -> Result<(multi::Arg, ArgKind), CompileError> {
        Ok(match a {
            TArg::Literal(v) => (
                multi::Arg::Const(v.text.as_str().into()),
                ArgKind::of(FieldType::String),
            ),
            TArg::Operand(o) => {
                let (op, ty) = self.operand(o)?;
                (multi::Arg::Operand(op), ArgKind::of(ty))
            }
            TArg::List { items, .. } => {
                let items = items
                    .iter()
                    .map(|i| self.targ(i).map(|(arg, _)| arg))
                    .collect::<Result<Vec<_>, _>>()?;
                (multi::Arg::List(items.into_boxed_slice()), ArgKind::LIST)
            }
        })
    }

    fn check(&mut self, c: &Check) -> Result<Node, CompileError> {
        let (lhs, ty) = self.operand(&c.lhs)?;
        if !op_allowed(ty, c.op) {
            return Err(err(
                CompileErrorKind::Operator,
                c.op_span,
                format!(
                    "'{}' operator not supported for {} filters",
                    c.op,
                    type_family(ty)
                ),
            ));
        }
        let test = match &c.rhs {
            _ if c.op == Op::Exists => Test::Exists,
            Rhs::None => {
                return Err(err(
                    CompileErrorKind::Operator,
                    c.op_span,
                    format!("operator '{}' needs a right-hand side", c.op),
                ))
            }
            Rhs::Operand(o) => {
                if matches!(c.op, Op::Regex | Op::PMatch) {
                    return Err(err(
                        CompileErrorKind::Operator,
                        c.op_span,
                        format!(
                            "operator '{}' doesn't support right-hand side fields",
                            c.op.as_str().to_ascii_uppercase()
                        ),
                    ));
                }
                if c.modifier.is_some() {
                    return Err(err(
                        CompileErrorKind::Operator,
                        o.span(),
                        "operator modifiers need a list of values, not a field",
                    ));
                }
                let (rhs, rty) = self.operand(o)?;
                let list_op = matches!(c.op, Op::In | Op::Intersects);
                let compatible = rty == ty
                    || (list_op
                        && matches!(
                            (ty, rty),
                            (FieldType::String, FieldType::StringList)
                                | (FieldType::StringList, FieldType::String)
                        ));
                if !compatible {
                    return Err(err(
                        CompileErrorKind::Operator,
                        o.span(),
                        format!(
                            "field '{}' has type '{}' while the right-hand side field '{}' has \
                             incompatible type '{}'",
                            c.lhs.subject(),
                            ty.name(),
                            o.subject(),
                            rty.name()
                        ),
                    ));
                }
                Test::Field {
                    op: c.op,
                    rhs: Box::new(rhs),
                }
            }
            Rhs::Value(v) => {
                self.warn_value(v);
                match c.modifier {
                    Some(modifier) => Test::Modifier {
                        modifier,
                        tests: Box::new([self.test(ty, c.op, std::slice::from_ref(v), c)?]),
                    },
                    None => self.test(ty, c.op, std::slice::from_ref(v), c)?,
                }
            }
            Rhs::List { items, span } => {
                for v in items {
                    self.warn_value(v);
                }
                match c.modifier {
                    Some(modifier) => Test::Modifier {
                        modifier,
                        tests: items
                            .iter()
                            .map(|v| self.test(ty, c.op, std::slice::from_ref(v), c))
                            .collect::<Result<_, _>>()?,
                    },
                    None if c.op.is_list_op() => {
                        if items.is_empty() {
                            return Ok(Node::Const(false));
                        }
                        self.test(ty, c.op, items, c)?
                    }
                    None => {
                        return Err(err(
                            CompileErrorKind::Operator,
                            *span,
                            format!("operator '{}' does not take a list", c.op),
                        ))
                    }
                }
            }
        };
        Ok(Node::Check(Box::new(eval::CheckNode { lhs, test })))
    }

    /// Builds the test of `op` against literal `values` (one value unless `op` is a list op).
    pub(crate) fn test(
        &mut self,
        ty: FieldType,
        op: Op,
        values: &[ast::Value],
        c: &Check,
    ) -> Result<Test, CompileError> {
        let first = || values.first().map_or("", |v| v.text.as_str());
        Ok(match ty {
            FieldType::String => Test::Str(match op {
                Op::Eq => StrTest::Eq(first().into()),
                Op::Ne => StrTest::Ne(first().into()),
                Op::Lt | Op::Le | Op::Gt | Op::Ge => StrTest::Ord(op, first().into()),
                Op::Contains => StrTest::Contains(Box::new(
                    memmem::Finder::new(first().as_bytes()).into_owned(),
                )),
                Op::IContains => {
                    StrTest::IContains(first().to_ascii_lowercase().into_bytes().into())
                }
                Op::StartsWith => StrTest::StartsWith(first().into()),
                Op::EndsWith => StrTest::EndsWith(first().into()),
                Op::Glob => StrTest::Glob(first().as_bytes().into()),
                Op::IGlob => StrTest::IGlob(first().as_bytes().into()),
                Op::Regex => match values.first() {
                    Some(v) => StrTest::Regex(Box::new(self.regex(v)?)),
                    None => {
                        return Err(err(
                            CompileErrorKind::Operator,
                            c.op_span,
                            "operator 'regex' needs a pattern",
                        ))
                    }
                },
                Op::In | Op::Intersects => {
                    StrTest::In(StrSet::new(values.iter().map(|v| v.text.as_str())))
                }
                Op::PMatch => {
                    StrTest::PMatch(PathPatterns::new(values.iter().map(|v| v.text.as_str())))
                }
                Op::BContains | Op::BStartsWith | Op::Exists => {
                    return Err(err(
                        CompileErrorKind::Operator,
                        c.op_span,
                        format!("'{op}' operator not supported for string filters"),
                    ))
                }
            }),
            FieldType::U64 => {
                let nums = values
                    .iter()
                    .map(|v| {
                        parse_u64(&v.text).ok_or_else(|| {
                            err(
                                CompileErrorKind::Literal,
                                v.span,
                                format!("{} is not a valid number", v.text),
                            )
                        })
                    })
                    .collect::<Result<Vec<u64>, _>>()?;
                Test::U64(match op {
                    Op::In | Op::Intersects => NumTest::In(nums.into()),
                    _ => NumTest::Cmp(op, nums.first().copied().unwrap_or_default()),
                })
            }
            FieldType::Bool => {
                let bools = values
                    .iter()
                    .map(|v| {
                        parse_bool(&v.text).ok_or_else(|| {
                            err(
                                CompileErrorKind::Literal,
                                v.span,
                                format!("filter error: unrecognized boolean value {}", v.text),
                            )
                        })
                    })
                    .collect::<Result<Vec<bool>, _>>()?;
                let b = bools.first().copied().unwrap_or_default();
                Test::Bool(match op {
                    Op::Eq => BoolTest::Eq(b),
                    Op::Ne => BoolTest::Ne(b),
                    _ => BoolTest::In(bools.into()),
                })
            }
            FieldType::StringList => {
                let set = StrSet::new(values.iter().map(|v| v.text.as_str()));
                Test::List(match op {
                    Op::In => ListTest::In(set),
                    _ => ListTest::Intersects(set),
                })
            }
        })
    }

    fn regex(&mut self, v: &ast::Value) -> Result<Regex, CompileError> {
        let invalid = |why: String| {
            err(
                CompileErrorKind::Regex,
                v.span,
                format!("invalid regex pattern: {why}"),
            )
        };
        // RE2 POSIX syntax, rejected as RE2 does or rewritten into the regex crate's syntax. The
        // result is balanced, so wrapping it below cannot change its meaning.
        let pattern = super::posix::translate(&v.text).map_err(|e| invalid(e.to_string()))?;
        // Falco matches the whole value (RE2 `ANCHOR_BOTH`), hence `\A` and `\z`. Inside the
        // pattern `^` and `$` also match at line breaks, as RE2's POSIX mode leaves `one_line`
        // off. RE2's leftmost-longest matching does not change whether the whole value matches.
        let re = RegexBuilder::new(&format!(r"\A(?:{pattern})\z"))
            .multi_line(true)
            .build()
            .map_err(|e| invalid(e.to_string()))?;
        if regex_is_plain(&v.text) {
            self.warnings.push(CompileWarning {
                span: v.span,
                message: format!(
                    "regex check with '{}' may be optimized with simpler operators such as '=', \
                     'contains', 'startswith', 'endswith'",
                    v.text
                ),
            });
        }
        Ok(re)
    }

    /// Warns about literals that look like fields or transformers.
    fn warn_value(&mut self, v: &ast::Value) {
        let name = v.text.split('[').next().unwrap_or_default();
        if fields::lookup(name).is_some() {
            self.warnings.push(CompileWarning {
                span: v.span,
                message: format!(
                    "'{}' may be a valid field misused as a const string value",
                    v.text
                ),
            });
        } else if Transformer::ALL
            .iter()
            .map(|t| t.name())
            .chain(MultiTransformer::ALL.iter().map(|t| t.name()))
            .chain(["val"])
            .any(|t| v.text.strip_prefix(t).is_some_and(|r| r.starts_with('(')))
        {
            self.warnings.push(CompileWarning {
                span: v.span,
                message: format!(
                    "'{}' may be a valid field transformer misused as a const string value",
                    v.text
                ),
            });
        }
    }
}

/// Whether a regex has no special characters apart from leading `^`/`.*` and trailing `$`/`.*`.
fn regex_is_plain(re: &str) -> bool {
    let mut s = re;
    s = s.strip_prefix('^').unwrap_or(s);
    s = s.strip_prefix(".*").unwrap_or(s);
    s = s.strip_suffix('$').unwrap_or(s);
    s = s.strip_suffix(".*").unwrap_or(s);
    !s.is_empty()
        && !s.bytes().any(|b| {
            matches!(
                b,
                b'\\'
                    | b'.'
                    | b'^'
                    | b'$'
                    | b'|'
                    | b'?'
                    | b'*'
                    | b'+'
                    | b'('
                    | b')'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
            )
        })
}

fn field_error(e: FieldError, f: &ast::FieldRef) -> CompileError {
    let (kind, message) = match &e {
        FieldError::Unknown { name, suggestion } => (
            CompileErrorKind::UnknownField,
            format!(
                "filter_check called with nonexistent field {name}{}",
                suggestion
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default()
            ),
        ),
        FieldError::MissingArg(name) => (
            CompileErrorKind::FieldArgument,
            format!("filter_check field '{name}' requires an argument but none provided"),
        ),
        FieldError::UnexpectedArg(name) => (
            CompileErrorKind::FieldArgument,
            format!(
                "filter_check field '{name}' does not allow nor require an argument but one is \
                 provided: {}",
                f.arg.as_deref().unwrap_or_default()
            ),
        ),
        FieldError::BadArg { .. } => (CompileErrorKind::FieldArgument, e.to_string()),
    };
    err(kind, f.span, message)
}
