//! The Falco condition language: text → syntax tree.
//!
//! Data flow (Falco's order, reference §8): the loader takes a rule or macro condition, expands
//! lists TEXTUALLY with [`expand_lists`] (items of lists defined earlier inside list items with
//! [`expand_list_items`]), parses the result with [`parse`] into an [`ast::Expr`], and substitutes
//! macros at the AST level with [`ast::Expr::substitute_macros`]. `crate::compile` then type-checks
//! the tree against the field registry and builds the evaluator.
//!
//! Errors carry a byte offset into the text that was parsed (after list expansion), which the
//! loader maps to a line and column in the rules file.

pub mod ast;
mod lexer;
mod lists;
mod parser;

pub use lists::{expand_list_items, expand_lists, expand_lists_with_usage, quote_list_item};
pub(crate) use parser::{operator_named, parse_transformer_prefix};

/// A syntax error in a condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct ParseError {
    /// Byte offset into the parsed text where the problem was found.
    pub offset: usize,
    /// What is wrong (Falco's wording where it has one).
    pub message: String,
}

/// Maximum nesting depth accepted by [`parse`] (Falco master's limit), counted like Falco: each
/// `or`, `and`, `not` and check level adds one.
pub const MAX_DEPTH: usize = 1000;

/// Parses a condition (after list expansion) into a syntax tree, following Falco's grammar
/// (libsinsp `filter/parser.cpp`, reference §2).
///
/// ```
/// use okta_rules::condition::{parse, ast::Expr};
/// let e = parse("okta.evt.type = user.session.start and not trusted").unwrap();
/// assert_eq!(e.to_string(), "(okta.evt.type = user.session.start and not trusted)");
/// assert_eq!(e.macro_refs(), vec!["trusted"]);
/// assert_eq!(parse("okta.actor.name = Alice Smith").unwrap_err().offset, 24);
/// ```
pub fn parse(src: &str) -> Result<ast::Expr, ParseError> {
    parser::Parser::new(src).parse()
}
