//! Recursive-descent parser for conditions, mirroring libsinsp `filter/parser.cpp` function by
//! function so that the same texts are accepted and rejected (reference §2.2).
//!
//! Data flow: [`Parser::parse`] walks the text with a [`Cursor`], building [`ast`] nodes. Every
//! recursive step counts towards [`super::MAX_DEPTH`] so that hostile input cannot overflow the
//! stack.
//!
//! Transformers: a single-argument transformer (`tolower(`...) takes one field or nested
//! transformer; a multi-value one (`concat(`, `join(`) takes Falco's `TArg`s: numbers, quoted
//! strings, `(...)` argument lists, transformers and fields. Argument counts and kinds of the
//! multi-value transformers are checked by the compiler, as in Falco. [`parse_transformer_prefix`]
//! parses one transformer expression at the start of a text, for output templates.

use super::ast::{
    self, Check, Expr, FieldRef, Modifier, MultiTransformer, Op, Operand, Rhs, Span, TArg,
    Transformer,
};
use super::lexer::Cursor;
use super::{ParseError, MAX_DEPTH};

/// Symbol and word operators in Falco's lexing order, with whether they must be followed by a
/// blank. Numeric operators first, then string operators, then list operators.
const NUM_OPS: [(&str, Op); 4] = [("<=", Op::Le), ("<", Op::Lt), (">=", Op::Ge), (">", Op::Gt)];
const STR_OPS: [(&str, Op, bool); 12] = [
    ("==", Op::Eq, false),
    ("=", Op::Eq, false),
    ("!=", Op::Ne, false),
    ("glob", Op::Glob, true),
    ("iglob", Op::IGlob, true),
    ("contains", Op::Contains, true),
    ("icontains", Op::IContains, true),
    ("bcontains", Op::BContains, true),
    ("startswith", Op::StartsWith, true),
    ("bstartswith", Op::BStartsWith, true),
    ("endswith", Op::EndsWith, true),
    ("regex", Op::Regex, true),
];
const LIST_OPS: [(&str, Op); 3] = [
    ("intersects", Op::Intersects),
    ("in", Op::In),
    ("pmatch", Op::PMatch),
];
/// The operator spelled `word` (`=`, `==`, `contains`, `in`, `exists`, ...), as exceptions'
/// `comps` name them.
pub(crate) fn operator_named(word: &str) -> Option<Op> {
    let num = NUM_OPS.iter().copied();
    let strs = STR_OPS.iter().map(|&(s, op, _)| (s, op));
    let lists = LIST_OPS.iter().copied();
    num.chain(strs)
        .chain(lists)
        .chain([("exists", Op::Exists)])
        .find(|(s, _)| *s == word)
        .map(|(_, op)| op)
}

/// Falco 0.44's `getopt` parses process command lines (`proc.args`): recognised to say so.
const GETOPT: &str = "getopt";

/// A transformer name lexed with its `(`.
#[derive(Clone, Copy)]
enum Func {
    Single(Transformer),
    Multi(MultiTransformer),
}

/// Parses the transformer expression at the start of `src` (e.g. `concat(a.b, "x")` in an
/// output template): `Ok(None)` if `src` does not start with a transformer name and `(`, else
/// the operand and how many bytes it spans.
pub(crate) fn parse_transformer_prefix(src: &str) -> Result<Option<(Operand, usize)>, ParseError> {
    let mut p = Parser::new(src);
    match p.lex_transformer()? {
        Some(func) => {
            let o = p.parse_func_remainder(func, 0)?;
            Ok(Some((o, p.cur.pos())))
        }
        None => Ok(None),
    }
}

pub(crate) struct Parser<'a> {
    cur: Cursor<'a>,
    depth: usize,
    /// Start and end of the last token lexed (for "unexpected token after ..." messages).
    last: (usize, usize),
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str) -> Parser<'a> {
        Parser {
            cur: Cursor::new(src),
            depth: 0,
            last: (0, 0),
        }
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            offset: self.cur.pos(),
            message: message.into(),
        })
    }

    fn err_at<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            offset,
            message: message.into(),
        })
    }

    /// Marks the text from `start` to the cursor as the last token.
    fn token(&mut self, start: usize) {
        self.last = (start, self.cur.pos());
    }

    fn eat_token(&mut self, s: &str) -> bool {
        let start = self.cur.pos();
        let ok = self.cur.eat(s);
        if ok {
            self.token(start);
        }
        ok
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return self.err(format!("exceeded max depth limit of {MAX_DEPTH}"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Runs `f` one nesting level deeper.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.enter()?;
        let r = f(self);
        self.leave();
        r
    }

    pub(crate) fn parse(mut self) -> Result<Expr, ParseError> {
        if self.cur.at_end() {
            return self.err("filter input string is empty");
        }
        let e = self.parse_or()?;
        if !self.cur.at_end() {
            let (s, t) = self.last;
            let last = self.cur.slice(s, t);
            return self.err(format!(
                "unexpected token after '{last}', expecting 'or', 'and'"
            ));
        }
        Ok(e)
    }

    fn parse_or(&mut self) -> Result<Expr, ParseError> {
        self.nested(|p| p.parse_nary(true))
    }

    fn parse_and(&mut self) -> Result<Expr, ParseError> {
        self.nested(|p| p.parse_nary(false))
    }

    /// `or`-level (`is_or`) or `and`-level list of operands.
    fn parse_nary(&mut self, is_or: bool) -> Result<Expr, ParseError> {
        let kw = if is_or { "or" } else { "and" };
        self.cur.blank();
        let start = self.cur.pos();
        let mut items = vec![self.parse_operand(is_or)?];
        self.cur.blank();
        while self.eat_token(kw) {
            let child = if self.cur.blank() {
                self.parse_operand(is_or)?
            } else if self.eat_token("(") {
                self.parse_embedded_remainder()?
            } else {
                return self.err(format!("expected blank or '(' after '{kw}'"));
            };
            items.push(child);
            self.cur.blank();
        }
        if items.len() == 1 {
            return Ok(items.swap_remove(0));
        }
        let span = Span::new(start, items.last().map_or(start, |e| e.span().end));
        Ok(if is_or {
            Expr::Or { items, span }
        } else {
            Expr::And { items, span }
        })
    }

    fn parse_operand(&mut self, is_or: bool) -> Result<Expr, ParseError> {
        if is_or {
            self.parse_and()
        } else {
            self.parse_not()
        }
    }

    fn parse_not(&mut self) -> Result<Expr, ParseError> {
        self.nested(|p| {
            p.cur.blank();
            let start = p.cur.pos();
            let mut negate = false;
            loop {
                let s = p.cur.pos();
                if !p.cur.not_blank() {
                    break;
                }
                p.last = (s, s + 3);
                negate = !negate;
            }
            let child = if p.eat_token("not(") {
                negate = !negate;
                p.parse_embedded_remainder()?
            } else {
                p.parse_check()?
            };
            if negate {
                let span = Span::new(start, child.span().end.max(start));
                Ok(Expr::Not {
                    expr: Box::new(child),
                    span,
                })
            } else {
                Ok(child)
            }
        })
    }

    /// After a `(`: an expression and the closing `)`.
    fn parse_embedded_remainder(&mut self) -> Result<Expr, ParseError> {
        self.nested(|p| {
            p.cur.blank();
            let e = p.parse_or()?;
            p.cur.blank();
            if !p.eat_token(")") {
                return p.err("expected a ')' token");
            }
            Ok(e)
        })
    }

    fn parse_check(&mut self) -> Result<Expr, ParseError> {
        self.nested(|p| {
            p.cur.blank();
            let start = p.cur.pos();
            if p.eat_token("(") {
                return p.parse_embedded_remainder();
            }
            if let Some(name) = p.cur.field_name() {
                p.token(start);
                let field = p.parse_field_remainder(name, start)?;
                return p.parse_condition(Operand::Field(field), start);
            }
            if let Some(func) = p.lex_transformer()? {
                let lhs = p.parse_func_remainder(func, start)?;
                return p.parse_condition(lhs, start);
            }
            if let Some(name) = p.cur.identifier() {
                p.token(start);
                return Ok(Expr::Macro {
                    name: name.to_string(),
                    span: Span::new(start, p.cur.pos()),
                });
            }
            p.err("expected a '(' token, a field check, or an identifier")
        })
    }

    /// The optional `[arg]` right after a field name.
    fn parse_field_remainder(&mut self, name: &str, start: usize) -> Result<FieldRef, ParseError> {
        let mut arg = None;
        if self.eat_token("[") {
            let s = self.cur.pos();
            if let Some(q) = self.cur.quoted_str()? {
                arg = Some(q);
            } else if let Some(b) = self.cur.field_arg_bare() {
                arg = Some(b.to_string());
            } else {
                return self
                    .err("expected a valid field argument: a quoted string or a bare string");
            }
            self.token(s);
            if !self.eat_token("]") {
                return self.err("expected a ']' token");
            }
        }
        Ok(FieldRef {
            name: name.to_string(),
            arg,
            span: Span::new(start, self.cur.pos()),
        })
    }

    /// A transformer name immediately followed by `(` (consumed), if any.
    fn lex_transformer(&mut self) -> Result<Option<Func>, ParseError> {
        let start = self.cur.pos();
        let names = Transformer::ALL
            .into_iter()
            .map(|t| (t.name(), Some(Func::Single(t))))
            .chain(
                MultiTransformer::ALL
                    .into_iter()
                    .map(|t| (t.name(), Some(Func::Multi(t)))),
            )
            .chain([(GETOPT, None)]);
        for (name, func) in names {
            if self.cur.looking_at(name) {
                let mut probe = self.cur.clone();
                probe.set_pos(start + name.len());
                if probe.eat("(") {
                    let Some(func) = func else {
                        return self.err(format!(
                            "transformer '{name}' is not supported for okta fields: it parses \
                             process command-line arguments"
                        ));
                    };
                    self.cur = probe;
                    self.token(start);
                    return Ok(Some(func));
                }
            }
        }
        Ok(None)
    }

    /// After `name(`: the arguments and `)` of a transformer of either kind.
    fn parse_func_remainder(&mut self, func: Func, start: usize) -> Result<Operand, ParseError> {
        match func {
            Func::Single(t) => self.parse_transformer_remainder(t, start),
            Func::Multi(t) => self.parse_multi_remainder(t, start),
        }
    }

    /// After `name(`: the single argument (a field or a nested transformer) and `)`.
    fn parse_transformer_remainder(
        &mut self,
        func: Transformer,
        start: usize,
    ) -> Result<Operand, ParseError> {
        self.nested(|p| {
            p.cur.blank();
            let arg_start = p.cur.pos();
            let arg = if let Some(inner) = p.lex_transformer()? {
                p.parse_func_remainder(inner, arg_start)?
            } else if let Some(name) = p.cur.field_name() {
                p.token(arg_start);
                Operand::Field(p.parse_field_remainder(name, arg_start)?)
            } else {
                return p.err(format!(
                    "expected a field or a nested transformer as the argument of '{}'",
                    func.name()
                ));
            };
            p.cur.blank();
            if p.cur.peek() == Some(b',') {
                return p.err(format!(
                    "transformer '{}' takes exactly one argument",
                    func.name()
                ));
            }
            if !p.eat_token(")") {
                return p.err("expected a ')' token closing the transformer");
            }
            p.no_field_argument(func.name())?;
            Ok(Operand::Transform {
                func,
                arg: Box::new(arg),
                span: Span::new(start, p.cur.pos()),
            })
        })
    }

    /// After `concat(` or `join(`: `TArg {',' TArg} ')'`.
    fn parse_multi_remainder(
        &mut self,
        func: MultiTransformer,
        start: usize,
    ) -> Result<Operand, ParseError> {
        self.nested(|p| {
            let mut args = Vec::new();
            loop {
                p.cur.blank();
                args.push(p.parse_targ()?);
                p.cur.blank();
                if !p.eat_token(",") {
                    break;
                }
            }
            if !p.eat_token(")") {
                return p.err("expected a ')' token closing the transformer");
            }
            p.no_field_argument(func.name())?;
            Ok(Operand::Multi {
                func,
                args,
                span: Span::new(start, p.cur.pos()),
            })
        })
    }

    /// `TArg := Number | QuotedStr | '(' TListArgs ')' | Transformer | Field`, tried in Falco's
    /// order (`parse_field_transformer_arg`).
    fn parse_targ(&mut self) -> Result<TArg, ParseError> {
        self.nested(|p| {
            let start = p.cur.pos();
            if let Some(v) = p.lex_literal_arg()? {
                return Ok(TArg::Literal(v));
            }
            if p.eat_token("(") {
                return p.parse_arg_list(start);
            }
            if let Some(func) = p.lex_transformer()? {
                return Ok(TArg::Operand(p.parse_func_remainder(func, start)?));
            }
            if let Some(name) = p.cur.field_name() {
                p.token(start);
                return Ok(TArg::Operand(Operand::Field(
                    p.parse_field_remainder(name, start)?,
                )));
            }
            p.err(
                "expected field transformer argument: field, transformer, quoted string, number, \
                 or transformer list",
            )
        })
    }

    /// After the `(` of an argument list: `[item {',' item}] ')'`, items being fields,
    /// transformers, quoted strings or numbers (Falco's `parse_transformer_list`).
    fn parse_arg_list(&mut self, start: usize) -> Result<TArg, ParseError> {
        self.nested(|p| {
            let mut items = Vec::new();
            p.cur.blank();
            if !p.eat_token(")") {
                loop {
                    items.push(p.parse_list_item()?);
                    p.cur.blank();
                    if !p.eat_token(",") {
                        break;
                    }
                    p.cur.blank();
                }
                if !p.eat_token(")") {
                    return p.err("expected ')'");
                }
            }
            Ok(TArg::List {
                items,
                span: Span::new(start, p.cur.pos()),
            })
        })
    }

    /// One item of an argument list, in Falco's order (`parse_transformer_list_arg`).
    fn parse_list_item(&mut self) -> Result<TArg, ParseError> {
        let start = self.cur.pos();
        if let Some(name) = self.cur.field_name() {
            self.token(start);
            return Ok(TArg::Operand(Operand::Field(
                self.parse_field_remainder(name, start)?,
            )));
        }
        if let Some(func) = self.lex_transformer()? {
            return Ok(TArg::Operand(self.parse_func_remainder(func, start)?));
        }
        if let Some(v) = self.lex_literal_arg()? {
            return Ok(TArg::Literal(v));
        }
        self.err("expected transformer list argument: field, transformer, quoted string, or number")
    }

    /// A number or a quoted string as a transformer argument.
    fn lex_literal_arg(&mut self) -> Result<Option<ast::Value>, ParseError> {
        let start = self.cur.pos();
        let (text, quoted) = if let Some(n) = self.cur.number() {
            (n.to_string(), false)
        } else if let Some(q) = self.cur.quoted_str()? {
            (q, true)
        } else {
            return Ok(None);
        };
        self.token(start);
        Ok(Some(ast::Value {
            text,
            quoted,
            span: Span::new(start, self.cur.pos()),
        }))
    }

    /// Rejects a `[arg]` right after a transformer's `)`.
    fn no_field_argument(&self, name: &str) -> Result<(), ParseError> {
        if self.cur.peek() == Some(b'[') {
            return self.err(format!(
                "filter error: transformer '{name}' does not support field arguments"
            ));
        }
        Ok(())
    }

    /// `val(field)` or a transformer on the right side, if any.
    fn try_rhs_operand(&mut self) -> Result<Option<Operand>, ParseError> {
        self.cur.blank();
        let start = self.cur.pos();
        if self.eat_token("val(") {
            self.cur.blank();
            let fstart = self.cur.pos();
            let Some(name) = self.cur.field_name() else {
                return self.err("expected a field within 'val' transformer");
            };
            self.token(fstart);
            let field = self.parse_field_remainder(name, fstart)?;
            self.cur.blank();
            if !self.eat_token(")") {
                return self.err("expected a ')' token closing the transformer");
            }
            if self.cur.peek() == Some(b'[') {
                return self
                    .err("filter error: transformer 'val' does not support field arguments");
            }
            return Ok(Some(Operand::Field(field)));
        }
        if let Some(func) = self.lex_transformer()? {
            return Ok(Some(self.parse_func_remainder(func, start)?));
        }
        Ok(None)
    }

    fn parse_condition(&mut self, lhs: Operand, start: usize) -> Result<Expr, ParseError> {
        self.nested(|p| {
            p.cur.blank();
            let op_start = p.cur.pos();
            let check =
                |p: &Parser<'_>, op: Op, modifier: Option<Modifier>, rhs: Rhs, op_end: usize| {
                    Expr::Check(Box::new(Check {
                        lhs,
                        op,
                        modifier,
                        rhs,
                        op_span: Span::new(op_start, op_end),
                        span: Span::new(start, p.cur.pos()),
                    }))
                };
            if p.eat_token("exists") {
                let end = p.cur.pos();
                return Ok(check(p, Op::Exists, None, Rhs::None, end));
            }
            for (text, op) in NUM_OPS {
                if p.eat_token(text) {
                    let end = p.cur.pos();
                    let rhs = p.parse_num_rhs()?;
                    return Ok(check(p, op, None, rhs, end));
                }
            }
            for (text, op, needs_blank) in STR_OPS {
                if p.eat_token(text) {
                    let end = p.cur.pos();
                    let blank = p.cur.blank();
                    if needs_blank && !blank {
                        return p.err(format!(
                            "expected a blank after '{text}'; expected a valid check operator"
                        ));
                    }
                    let (modifier, rhs) = p.parse_str_rhs(blank)?;
                    return Ok(check(p, op, modifier, rhs, end));
                }
            }
            for (text, op) in LIST_OPS {
                if p.eat_token(text) {
                    let end = p.cur.pos();
                    let rhs = p.parse_list_rhs()?;
                    return Ok(check(p, op, None, rhs, end));
                }
            }
            p.err(
                "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', \
                 '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', \
                 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'",
            )
        })
    }

    fn parse_num_rhs(&mut self) -> Result<Rhs, ParseError> {
        if let Some(o) = self.try_rhs_operand()? {
            return Ok(Rhs::Operand(o));
        }
        let start = self.cur.pos();
        match self.cur.number() {
            Some(n) => {
                self.token(start);
                Ok(Rhs::Value(ast::Value {
                    text: n.to_string(),
                    quoted: false,
                    span: Span::new(start, self.cur.pos()),
                }))
            }
            None => self.err(
                "expected a number value or a field with a valid transformer: 'val', 'tolower', \
                 'toupper', 'b64', 'basename', 'len', 'join', 'concat'",
            ),
        }
    }

    /// The right side of a string operator; `blank_before` says whether a blank followed the
    /// operator (a modifier needs one).
    fn parse_str_rhs(&mut self, blank_before: bool) -> Result<(Option<Modifier>, Rhs), ParseError> {
        if blank_before {
            if let Some(m) = self.try_modifier() {
                let rhs = self.parse_list_rhs()?;
                return Ok((Some(m), rhs));
            }
        }
        if let Some(o) = self.try_rhs_operand()? {
            return Ok((None, Rhs::Operand(o)));
        }
        match self.lex_string()? {
            Some(v) => Ok((None, Rhs::Value(v))),
            None => self.err(
                "expected a string value or a field with a valid transformer: 'val', 'tolower', \
                 'toupper', 'b64', 'basename', 'len', 'join', 'concat'",
            ),
        }
    }

    /// `oneof`/`anyof`/`allof` followed by a blank and not by `and`/`or`/`not` (then it is a plain
    /// value).
    fn try_modifier(&mut self) -> Option<Modifier> {
        let save = self.cur.clone();
        for m in [Modifier::OneOf, Modifier::AnyOf, Modifier::AllOf] {
            if self.cur.eat(m.as_str()) {
                if self.cur.blank() {
                    let keyword = ["and", "or", "not"].iter().any(|kw| {
                        let mut probe = self.cur.clone();
                        probe.eat(kw)
                            && (probe.at_end()
                                || probe.peek().is_some_and(|b| b == b'(')
                                || probe.blank())
                    });
                    if !keyword && !self.cur.at_end() {
                        return Some(m);
                    }
                }
                self.cur = save;
                return None;
            }
        }
        None
    }

    /// A quoted or bare string.
    fn lex_string(&mut self) -> Result<Option<ast::Value>, ParseError> {
        self.cur.blank();
        let start = self.cur.pos();
        if let Some(text) = self.cur.quoted_str()? {
            self.token(start);
            return Ok(Some(ast::Value {
                text,
                quoted: true,
                span: Span::new(start, self.cur.pos()),
            }));
        }
        if matches!(self.cur.peek(), Some(b'"' | b'\'')) {
            return self.err("unterminated quoted string");
        }
        if let Some(text) = self.cur.bare_str() {
            self.token(start);
            return Ok(Some(ast::Value {
                text: text.to_string(),
                quoted: false,
                span: Span::new(start, self.cur.pos()),
            }));
        }
        Ok(None)
    }

    fn parse_list_rhs(&mut self) -> Result<Rhs, ParseError> {
        self.nested(|p| {
            p.cur.blank();
            let start = p.cur.pos();
            if p.eat_token("(") {
                let mut items = Vec::new();
                p.cur.blank();
                if let Some(v) = p.lex_string()? {
                    items.push(v);
                    p.cur.blank();
                    while p.eat_token(",") {
                        match p.lex_string()? {
                            Some(v) => items.push(v),
                            None => return p.err("expected a string value"),
                        }
                        p.cur.blank();
                    }
                }
                if !p.eat_token(")") {
                    return p.err("expected a ')' token");
                }
                return Ok(Rhs::List {
                    items,
                    span: Span::new(start, p.cur.pos()),
                });
            }
            if let Some(o) = p.try_rhs_operand()? {
                return Ok(Rhs::Operand(o));
            }
            if let Some(id) = p.cur.identifier() {
                p.token(start);
                return Ok(Rhs::Value(ast::Value {
                    text: id.to_string(),
                    quoted: false,
                    span: Span::new(start, p.cur.pos()),
                }));
            }
            p.err_at(
                start,
                "expected a list, an identifier, or a field with a valid transformer: 'val', \
                 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat'",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::{self, Expr, Op, Rhs};
    use super::super::parse;

    /// Canonical form of a parse, or `ERR@offset: message`.
    fn p(src: &str) -> String {
        match parse(src) {
            Ok(e) => e.to_string(),
            Err(e) => format!("ERR@{}: {}", e.offset, e.message),
        }
    }

    fn is_err(src: &str) -> bool {
        parse(src).is_err()
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(p("a and b or c"), "((a and b) or c)");
        assert_eq!(p("a or b and c"), "(a or (b and c))");
        assert_eq!(p("a and b and c"), "(a and b and c)");
        assert_eq!(p("(a and b) and c"), "((a and b) and c)");
        assert_eq!(p("a or b or c"), "(a or b or c)");
        assert_eq!(p("not a and b"), "(not a and b)");
        assert_eq!(p("not (a and b)"), "not (a and b)");
        assert_eq!(p("a and not b or c"), "((a and not b) or c)");
    }

    #[test]
    fn not_folding() {
        assert_eq!(p("not not a"), "a");
        assert_eq!(p("not not not a"), "not a");
        assert_eq!(p("not(not(a))"), "not not a");
        // `not not(` toggles twice: the flag and the parenthesised form cancel.
        assert_eq!(p("not not(a)"), "a");
        assert_eq!(p("not\n\ta"), "not a");
        // `not` without a blank or `(` is an identifier.
        assert_eq!(p("not"), "not");
        assert_eq!(p("a and not"), "(a and not)");
        assert_eq!(p("nothing"), "nothing");
        assert!(p("not ").starts_with("ERR@4"));
    }

    #[test]
    fn keyword_blank_rules() {
        assert!(p("a andb").starts_with("ERR"), "{}", p("a andb"));
        assert_eq!(p("a andb"), "ERR@5: expected blank or '(' after 'and'");
        assert_eq!(p("a orb"), "ERR@4: expected blank or '(' after 'or'");
        assert_eq!(p("(a)and(b)"), "(a and b)");
        assert_eq!(p("x.x = \"a\"and y.y = b"), "(x.x = a and y.y = b)");
        assert_eq!(
            p("a AND b"),
            "ERR@2: unexpected token after 'a', expecting 'or', 'and'"
        );
        // Falco quirk: `or(` consumes a parenthesised expression directly.
        assert!(is_err("a or(b) and c"));
        assert_eq!(p("a and(b) or c"), "((a and b) or c)");
    }

    #[test]
    fn operator_blank_rules() {
        assert_eq!(p("x.y contains admin"), "x.y contains admin");
        assert!(is_err("x.y contains\"a\""));
        assert!(is_err("x.y containsadmin"));
        assert!(is_err("x.y CONTAINS a"));
        assert_eq!(p("x.y in(a)"), "x.y in (a)");
        assert_eq!(p("x.y inside"), "x.y in side");
        assert_eq!(p("x.y=a"), "x.y = a");
        assert_eq!(p("x.y>=3"), "x.y >= 3");
        assert_eq!(p("x.y==a"), "x.y = a");
        assert_eq!(p("x.y existsand y.z exists"), "(x.y exists and y.z exists)");
        assert_eq!(p("x.y intersects (a, b)"), "x.y intersects (a, b)");
        assert_eq!(p("x.y pmatch (/a, /b)"), "x.y pmatch (/a, /b)");
        assert_eq!(p("x.y icontains A"), "x.y icontains A");
        assert_eq!(p("x.y iglob A*"), "x.y iglob A*");
        assert_eq!(p("x.y bstartswith 0a"), "x.y bstartswith 0a");
        assert_eq!(p("x.y regex '^a.*$'"), "x.y regex ^a.*$");
    }

    #[test]
    fn bare_and_quoted_values() {
        assert_eq!(p("x.y = user.session.start;"), "x.y = user.session.start;");
        assert_eq!(
            p("okta.actor.name = Alice Smith"),
            "ERR@24: unexpected token after 'Alice', expecting 'or', 'and'"
        );
        assert_eq!(
            p("okta.actor.name = 'Alice Smith'"),
            "okta.actor.name = \"Alice Smith\""
        );
        assert_eq!(p(r"x.y regex 203\.0\.113"), r#"x.y regex "203\\.0\\.113""#);
        // ff-03: a bare right side is a string, never a field.
        let e = parse("a.b = c.d").unwrap();
        let Expr::Check(c) = e else { panic!() };
        assert!(matches!(&c.rhs, Rhs::Value(v) if v.text == "c.d" && !v.quoted));
        // re-01: an unknown escape in quotes is a parse error.
        assert_eq!(
            p(r"x.y regex '203\.0'"),
            r"ERR@14: unsupported string escape sequence: \."
        );
        assert_eq!(p(r"x.y regex '203\\.0'"), r#"x.y regex "203\\.0""#);
        // re-04: `\<space>` becomes a backslash.
        let Expr::Check(c) = parse(r"x.y = 'a\ b'").unwrap() else {
            panic!()
        };
        assert!(matches!(&c.rhs, Rhs::Value(v) if v.text == "a\\b"));
        // Quotes are not doubled.
        assert!(is_err("x.y = 'it''s'"));
        assert_eq!(p("x.y = 'open"), "ERR@6: unterminated quoted string");
        assert_eq!(p("x.y = \"multi\nline\""), "x.y = \"multi\\nline\"");
    }

    #[test]
    fn numeric_operators_take_numbers_only() {
        assert_eq!(p("x.y > 5"), "x.y > 5");
        assert_eq!(p("x.y > -1"), "x.y > -1");
        assert_eq!(p("x.y < 0x10"), "x.y < 0x10");
        assert_eq!(p("x.y <= 1.5"), "x.y <= 1.5");
        assert!(is_err("x.y > '5'"));
        assert!(is_err("x.y > abc"));
        assert!(is_err("okta.published > 2024-01-01"));
        assert_eq!(p("x.y > len(a.b)"), "x.y > len(a.b)");
        // After `=` a number is just a (bare) string.
        assert_eq!(p("x.y = 2024-01-01"), "x.y = 2024-01-01");
    }

    #[test]
    fn lists() {
        assert_eq!(p("x.y in ()"), "x.y in ()");
        assert_eq!(p("x.y in ( )"), "x.y in ()");
        assert_eq!(p("x.y in (a,'b c' , \"d\")"), "x.y in (a, \"b c\", d)");
        assert!(is_err("x.y in (a,)"));
        assert!(is_err("x.y in (a,,b)"));
        assert!(is_err("x.y in (,a)"));
        assert!(is_err("x.y in (a b)"));
        assert!(is_err("x.y in ((a))"));
        assert!(is_err("x.y in (a"));
        assert!(is_err("x.y in 'a'"));
        // L27: `in a, b` (an unparenthesised list after expansion) is an error.
        assert!(is_err("x.y in a, b "));
        assert_eq!(p("x.y in a "), "x.y in a");
        let Expr::Check(c) = parse("x.y in mylist").unwrap() else {
            panic!()
        };
        assert!(matches!(&c.rhs, Rhs::Value(v) if v.text == "mylist"));
    }

    #[test]
    fn field_arguments() {
        assert_eq!(p("okta.debug[dtHash] = x"), "okta.debug[dtHash] = x");
        assert_eq!(
            p("okta.targets.displayName[0] = x"),
            "okta.targets.displayName[0] = x"
        );
        assert_eq!(p("okta.debug[\"a b\"] = x"), "okta.debug[a b] = x");
        assert_eq!(p("okta.debug['0'] exists"), "okta.debug[0] exists");
        assert_eq!(p("okta.x[a/b.c:d] exists"), "okta.x[a/b.c:d] exists");
        assert!(is_err("okta.debug[] = x"));
        assert!(is_err("okta.debug[a b] = x"));
        assert!(is_err("okta.debug[a = x"));
        assert!(is_err("okta.debug [a] = x"));
        let Expr::Check(c) = parse("okta.debug[k] = x").unwrap() else {
            panic!()
        };
        assert_eq!(c.lhs.field().unwrap().arg.as_deref(), Some("k"));
        assert_eq!(c.lhs.field().unwrap().span.start, 0);
        assert_eq!(c.lhs.field().unwrap().span.end, 13);
    }

    #[test]
    fn transformers() {
        assert_eq!(p("tolower(a.b) = x"), "tolower(a.b) = x");
        assert_eq!(
            p("tolower( toupper(a.b) ) = x"),
            "tolower(toupper(a.b)) = x"
        );
        assert_eq!(p("a.b = val(c.d)"), "a.b = val(c.d)");
        assert_eq!(
            p("tolower(a.b) = tolower(c.d)"),
            "tolower(a.b) = tolower(c.d)"
        );
        assert_eq!(p("a.b in val(c.d)"), "a.b in val(c.d)");
        assert_eq!(p("len(a.b) > 3"), "len(a.b) > 3");
        assert_eq!(p("b64(a.b) exists"), "b64(a.b) exists");
        assert_eq!(p("basename(a.b) = x"), "basename(a.b) = x");
        // `val` on the left side, unknown transformers, blanks before `(`.
        assert!(is_err("val(a.b) = x"));
        assert!(is_err("upper(a.b) = x"));
        assert!(is_err("tolower (a.b) = x"));
        assert!(is_err("(b64(a.b)) exists"));
        assert!(is_err("a.b = val(tolower(c.d))"));
        assert!(is_err("a.b = val(c.d)[1]"));
        assert!(is_err("tolower(a.b)[1] = x"));
        assert!(is_err("tolower(a.b, c.d) = x"));
        // Without the parenthesis `tolower` is a plain value.
        assert_eq!(p("a.b = tolower"), "a.b = tolower");
    }

    #[test]
    fn multi_value_transformer_arguments() {
        // Fields, quoted strings, numbers, nested transformers; canonical form `name(arg,arg)`.
        assert_eq!(p("concat(a.b, c.d) = x"), "concat(a.b,c.d) = x");
        assert_eq!(
            p("concat( a.b ,'-', 12,0x1F, \"x y\") = x"),
            "concat(a.b,-,12,0x1F,\"x y\") = x"
        );
        assert_eq!(
            p("concat(tolower(a.b), concat(c.d, e.f)) = x"),
            "concat(tolower(a.b),concat(c.d,e.f)) = x"
        );
        // Argument lists: fields, transformers, quoted strings, numbers; possibly empty.
        assert_eq!(
            p("join(',', (a.b, 'x', toupper(c.d), 3)) = x"),
            "join(\",\",(a.b,x,toupper(c.d),3)) = x"
        );
        assert_eq!(p("join(',', ( )) exists"), "join(\",\",()) exists");
        assert_eq!(p("join(',', a.b) = x"), "join(\",\",a.b) = x");
        // Outer transformers, both sides, right-hand side of every operator kind.
        assert_eq!(p("len(concat(a.b, c.d)) > 3"), "len(concat(a.b,c.d)) > 3");
        assert_eq!(
            p("toupper(join(',', a.b)) = X"),
            "toupper(join(\",\",a.b)) = X"
        );
        assert_eq!(p("x.y = concat(a.b, c.d)"), "x.y = concat(a.b,c.d)");
        assert_eq!(p("x.y in join(',', a.b)"), "x.y in join(\",\",a.b)");
        assert_eq!(p("x.y > concat(a.b, c.d)"), "x.y > concat(a.b,c.d)");
        // Argument counts and kinds are the compiler's business.
        assert_eq!(p("join(',') = x"), "join(\",\") = x");
        assert_eq!(p("concat(a.b) = x"), "concat(a.b) = x");
        // Spans of the transformer and of its arguments.
        let Expr::Check(c) = parse("concat(a.b, 'x', (c.d)) = y").unwrap() else {
            panic!()
        };
        let ast::Operand::Multi { args, span, .. } = &c.lhs else {
            panic!()
        };
        assert_eq!((span.start, span.end), (0, 23));
        let spans: Vec<_> = args
            .iter()
            .map(|a| (a.span().start, a.span().end))
            .collect();
        assert_eq!(spans, vec![(7, 10), (12, 15), (17, 22)]);
        assert!(c.lhs.field().is_none());
        assert_eq!(c.lhs.subject(), "concat(a.b,x,(c.d))");
    }

    #[test]
    fn multi_value_transformer_errors() {
        assert_eq!(
            p("concat(a.b, c.d)[1] = x"),
            "ERR@16: filter error: transformer 'concat' does not support field arguments"
        );
        assert_eq!(
            p("join(',', a.b)[x] = x"),
            "ERR@14: filter error: transformer 'join' does not support field arguments"
        );
        assert_eq!(
            p("concat() = x"),
            "ERR@7: expected field transformer argument: field, transformer, quoted string, \
             number, or transformer list"
        );
        assert_eq!(
            p("concat(a.b, bare) = x"),
            "ERR@12: expected field transformer argument: field, transformer, quoted string, \
             number, or transformer list"
        );
        assert_eq!(
            p("concat(a.b c.d) = x"),
            "ERR@11: expected a ')' token closing the transformer"
        );
        assert_eq!(
            p("concat(a.b, 'open) = x"),
            "ERR@12: expected field transformer argument: field, transformer, quoted string, \
             number, or transformer list"
        );
        assert_eq!(
            p("concat(a.b, '\\.') = x"),
            "ERR@13: unsupported string escape sequence: \\."
        );
        // Argument lists: no nested lists, no bare strings, no trailing comma.
        for (src, at) in [
            ("join(',', (a.b, (c.d))) = x", 16),
            ("join(',', (a.b, bare)) = x", 16),
            ("join(',', (a.b,)) = x", 15),
        ] {
            assert_eq!(
                p(src),
                format!(
                    "ERR@{at}: expected transformer list argument: field, transformer, quoted \
                     string, or number"
                ),
                "{src}"
            );
        }
        assert_eq!(p("join(',', (a.b c.d)) = x"), "ERR@15: expected ')'");
        // No blank before `(`: `concat` is then a macro name followed by junk.
        assert!(is_err("concat (a.b, c.d) = x"));
        // getopt parses process arguments: rejected with a clear message, wherever it is.
        let getopt = "transformer 'getopt' is not supported for okta fields: it parses process \
                      command-line arguments";
        assert_eq!(p("getopt(a.b, 'x') = y"), format!("ERR@0: {getopt}"));
        assert_eq!(p("x.y = getopt(a.b, 'x')"), format!("ERR@6: {getopt}"));
        assert_eq!(
            p("concat(a.b, getopt(c.d, 'x')) = y"),
            format!("ERR@12: {getopt}")
        );
        assert_eq!(p("a.b = getopt"), "a.b = getopt");
        // Deep nesting is still bounded.
        let deep = format!(
            "{}a.b{} = x",
            "concat(".repeat(5_000),
            ", 'x')".repeat(5_000)
        );
        assert!(parse(&deep).unwrap_err().message.contains("max depth"));
        let lists = format!(
            "join(',', {}a.b{}) = x",
            "(".repeat(5_000),
            ")".repeat(5_000)
        );
        assert!(is_err(&lists));
    }

    #[test]
    fn transformer_prefixes_for_output_templates() {
        let (o, used) = super::parse_transformer_prefix("concat(a.b, \"-\") rest")
            .unwrap()
            .unwrap();
        assert_eq!((o.to_string(), used), ("concat(a.b,-)".to_string(), 16));
        let (o, used) = super::parse_transformer_prefix("toupper(a.b)x")
            .unwrap()
            .unwrap();
        assert_eq!((o.to_string(), used), ("toupper(a.b)".to_string(), 12));
        assert_eq!(super::parse_transformer_prefix("a.b").unwrap(), None);
        assert_eq!(
            super::parse_transformer_prefix("concat(a.b")
                .unwrap_err()
                .offset,
            10
        );
    }

    #[test]
    fn parentheses() {
        assert_eq!(p("((a))"), "a");
        assert!(is_err("()"));
        assert!(is_err("(okta.evt.type) = a"));
        assert_eq!(p("(a"), "ERR@2: expected a ')' token");
        assert!(is_err("a)"));
    }

    #[test]
    fn modifiers() {
        let Expr::Check(c) = parse("okta.evt.type startswith anyof (user., system.)").unwrap()
        else {
            panic!()
        };
        assert_eq!(c.op, Op::StartsWith);
        assert_eq!(c.modifier.map(|m| m.as_str()), Some("anyof"));
        assert!(matches!(&c.rhs, Rhs::List { items, .. } if items.len() == 2));
        assert_eq!(p("x.y = oneof (a)"), "x.y = oneof (a)");
        assert_eq!(p("x.y != allof mylist"), "x.y != allof mylist");
        // The keyword followed by and/or/not or by nothing is a plain value.
        assert_eq!(p("x.y = oneof and a"), "(x.y = oneof and a)");
        assert_eq!(p("x.y = oneof"), "x.y = oneof");
        assert!(is_err("x.y =oneof (a)"));
        assert!(is_err("x.y in oneof (a)"));
        assert!(is_err("x.y > anyof (1)"));
        assert_eq!(p("x.y = ONEOF"), "x.y = ONEOF");
    }

    #[test]
    fn errors_carry_offsets() {
        assert_eq!(p(""), "ERR@0: filter input string is empty");
        assert_eq!(p("x.y"), "ERR@3: expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'");
        assert!(p("x.y =").starts_with("ERR@5: expected a string value"));
        assert!(p("a and or b").starts_with("ERR"));
        assert!(p("a or or b").starts_with("ERR"));
        assert!(p("and x").starts_with("ERR@4"));
        assert!(p("   ").starts_with("ERR@3"));
        assert_eq!(
            p("a = 1"),
            "ERR@2: unexpected token after 'a', expecting 'or', 'and'"
        );
    }

    #[test]
    fn spans() {
        let e = parse("  a.b = c and m").unwrap();
        let Expr::And { items, span } = &e else {
            panic!()
        };
        assert_eq!((span.start, span.end), (2, 15));
        assert_eq!((items[0].span().start, items[0].span().end), (2, 9));
        assert_eq!((items[1].span().start, items[1].span().end), (14, 15));
        let Expr::Check(c) = &items[0] else { panic!() };
        assert_eq!((c.op_span.start, c.op_span.end), (6, 7));
    }

    #[test]
    fn hostile_nesting_is_an_error_not_a_crash() {
        let deep = "(".repeat(100_000);
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("max depth"), "{}", e.message);
        let nots = "not(".repeat(50_000);
        assert!(parse(&nots).unwrap_err().message.contains("max depth"));
        let tr = format!("{}a.b{} = x", "tolower(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&tr).unwrap_err().message.contains("max depth"));
        // Moderate nesting is fine.
        let ok = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(p(&ok), "a");
        // Long flat chains do not recurse.
        let flat = vec!["a.b = c"; 20_000].join(" or ");
        assert!(parse(&flat).is_ok());
        let nots = "not ".repeat(100_001) + "a";
        assert_eq!(p(&nots), "not a");
    }
}
