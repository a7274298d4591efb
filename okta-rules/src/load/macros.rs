//! Macro resolution with Falco's visibility rules (reference §1.13, §4.2): which macro a
//! reference in a macro means, and the macro's tree with every reference substituted.
//!
//! Data flow: the compiler list-expands and parses each macro's condition on its own, then hands
//! [`resolve`] the parsed trees with each macro's index (position of its first definition) and
//! visibility (position of its latest definition or append). Macros are resolved in index order,
//! as Falco's `compile_macros_infos` does:
//!
//! * a reference in macro M names a macro only if that macro's index is lower than M's
//!   visibility; otherwise it is `Undefined macro '<m>' used in filter.`. So a macro appended to
//!   (or redefined) after another macro was defined can use it, whatever their index order;
//! * a visible macro with a lower index than M was resolved before M: its resolved tree is
//!   substituted (if it failed, M fails too, naming it; its own failure is reported on it);
//! * a visible macro with a higher index (or M itself, once appended to) is not resolved yet: its
//!   parsed tree is substituted and its references resolved in turn against the macros visible
//!   to M (Falco's `filter_macro_resolver` recursion), with the macros being expanded kept on a
//!   path so that a reference back into it is `reference loop in macro '<m>'`.
//!
//! Each macro ends up with its fully substituted tree, or with exactly one failure located in
//! its own text (Falco reports the first loop, otherwise the first undefined macro).

use std::collections::HashMap;

use crate::condition::ast::{Expr, Span};

/// How many not-yet-resolved macros may be expanded one inside the other while resolving one
/// macro (a guard against deep recursion; real rules files do not come close).
pub(crate) const MAX_NESTING: usize = 32;

/// The most nodes a macro's or a rule's condition may have once macros are substituted. Each
/// reference is a copy of the macro's tree, so a few macros each using the previous one twice
/// (`m2: m1 or m1`, `m3: m2 or m2`, ...) would otherwise build a tree of billions of nodes.
pub(crate) const MAX_NODES: usize = 100_000;

/// The number of nodes of a tree (without recursion).
pub(crate) fn tree_size(expr: &Expr) -> usize {
    let mut total = 0usize;
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        total += 1;
        match e {
            Expr::And { items, .. } | Expr::Or { items, .. } => stack.extend(items),
            Expr::Not { expr, .. } => stack.push(expr),
            Expr::Check(_) | Expr::Macro { .. } => {}
        }
    }
    total
}

/// The error of a condition that grows past [`MAX_NODES`] through the macro `name`.
pub(crate) fn too_large(name: &str) -> String {
    format!(
        "the condition has more than {MAX_NODES} nodes once macro '{name}' is substituted \
         (macros that use other macros several times multiply)"
    )
}

/// One macro as the compiler collected and parsed it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MacroIn<'a> {
    pub name: &'a str,
    /// Position of its first definition.
    pub index: usize,
    /// Position of its latest definition or append.
    pub visibility: usize,
    /// Its parsed condition; `None` when it did not parse (reported on the macro already).
    pub expr: Option<&'a Expr>,
}

/// A macro whose references all resolved.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The tree with every macro reference substituted.
    pub expr: Expr,
    /// The macros it uses, directly or through not-yet-resolved macros (positions in the input).
    pub uses: Vec<usize>,
}

/// Why a macro did not resolve: a message and the span, in the macro's own parsed text, of the
/// reference at fault (or of the reference through which it was reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub span: Span,
    pub message: String,
}

/// Resolves every macro (one result per input macro, in input order). Macros that did not parse
/// get a failure too (they have their parse error already; callers skip it).
pub(crate) fn resolve(macros: &[MacroIn<'_>]) -> Vec<Result<Resolved, Failure>> {
    let mut order: Vec<usize> = (0..macros.len()).collect();
    order.sort_by_key(|&i| macros[i].index);
    let mut r = Resolver {
        macros,
        by_name: macros
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name, i))
            .collect(),
        done: vec![None; macros.len()],
    };
    for i in order {
        let result = r.resolve_one(i);
        r.done[i] = Some(result);
    }
    // Every macro was resolved above: all are `Some`.
    r.done.into_iter().flatten().collect()
}

struct Resolver<'a> {
    macros: &'a [MacroIn<'a>],
    by_name: HashMap<&'a str, usize>,
    /// The results of the macros resolved so far.
    done: Vec<Option<Result<Resolved, Failure>>>,
}

/// The state of resolving one macro.
struct Walk {
    /// The macro being resolved.
    top: usize,
    /// The not-yet-resolved macros being expanded, outermost first, each with the span of its
    /// reference (the first one's is in the top macro's text).
    path: Vec<(usize, Span)>,
    uses: Vec<usize>,
    loops: Vec<Failure>,
    others: Vec<Failure>,
    /// Nodes of the tree so far (the macro's own and those of the trees substituted).
    nodes: usize,
}

impl Walk {
    /// Counts `nodes` more; false (and nothing counted) when that would pass [`MAX_NODES`].
    fn grow(&mut self, nodes: usize) -> bool {
        match self.nodes.checked_add(nodes) {
            Some(total) if total <= MAX_NODES => {
                self.nodes = total;
                true
            }
            _ => false,
        }
    }
}

impl Resolver<'_> {
    fn resolve_one(&self, top: usize) -> Result<Resolved, Failure> {
        let Some(expr) = self.macros[top].expr else {
            return Err(Failure {
                span: Span::default(),
                message: "the macro's condition does not parse".to_string(),
            });
        };
        let mut walk = Walk {
            top,
            path: Vec::new(),
            uses: Vec::new(),
            loops: Vec::new(),
            others: Vec::new(),
            nodes: tree_size(expr),
        };
        let expr = self.expand(expr, &mut walk);
        // Falco reports the first loop if there is one, else the first undefined macro.
        match walk.loops.into_iter().chain(walk.others).next() {
            Some(f) => Err(f),
            None => Ok(Resolved {
                expr,
                uses: walk.uses,
            }),
        }
    }

    fn expand(&self, expr: &Expr, walk: &mut Walk) -> Expr {
        expr.map_macros(&mut |name, span| self.reference(name, span, walk))
    }

    /// The tree a reference to `name` at `span` stands for, or `None` (a failure recorded).
    fn reference(&self, name: &str, span: Span, walk: &mut Walk) -> Option<Expr> {
        let top = self.macros[walk.top];
        let found = self.by_name.get(name).copied();
        let Some(i) = found.filter(|&i| self.macros[i].index < top.visibility) else {
            let note = match found {
                Some(_) => {
                    ", which sees only macros defined before its latest definition or append"
                }
                None => "",
            };
            let message = format!(
                "Undefined macro '{name}' used in filter.{}",
                self.context(walk, note)
            );
            self.fail(walk, span, message, false);
            return None;
        };
        if let Some(at) = walk.path.iter().position(|&(p, _)| p == i) {
            let chain: Vec<&str> = walk.path[at..]
                .iter()
                .map(|&(p, _)| self.macros[p].name)
                .chain([name])
                .collect();
            let message = format!("reference loop in macro '{name}' ({})", chain.join(" -> "));
            self.fail(walk, span, message, true);
            return None;
        }
        if !walk.uses.contains(&i) {
            walk.uses.push(i);
        }
        let m = self.macros[i];
        let broken = |walk: &Walk| {
            format!(
                "uses macro '{name}', which has errors{}",
                self.context(walk, "")
            )
        };
        if m.index < top.index {
            // Resolved already, against its own visible macros.
            return match self.done.get(i) {
                Some(Some(Ok(r))) => {
                    if !walk.grow(tree_size(&r.expr)) {
                        self.fail(walk, span, too_large(name), false);
                        return None;
                    }
                    Some(r.expr.clone())
                }
                _ => {
                    let message = broken(walk);
                    self.fail(walk, span, message, false);
                    None
                }
            };
        }
        let Some(raw) = m.expr else {
            let message = broken(walk);
            self.fail(walk, span, message, false);
            return None;
        };
        if walk.path.len() >= MAX_NESTING {
            let message = format!(
                "macro '{name}' is reached through more than {MAX_NESTING} macros defined later"
            );
            self.fail(walk, span, message, false);
            return None;
        }
        if !walk.grow(tree_size(raw)) {
            self.fail(walk, span, too_large(name), false);
            return None;
        }
        walk.path.push((i, span));
        let out = self.expand(raw, walk);
        walk.path.pop();
        Some(out)
    }

    /// ` (in macro 'X', used by macro 'M'<note>)` for a failure inside the expansion of X, a
    /// macro not yet resolved that the top macro M uses; empty outside expansions (and inside
    /// M's own, whose references are M's).
    fn context(&self, walk: &Walk, note: &str) -> String {
        let top = self.macros[walk.top].name;
        match walk.path.last() {
            Some(&(inner, _)) if inner != walk.top => format!(
                " (in macro '{}', used by macro '{top}'{note})",
                self.macros[inner].name
            ),
            _ => String::new(),
        }
    }

    /// Records a failure at `span`, or, inside an expansion, at the top macro's reference that
    /// led there.
    fn fail(&self, walk: &mut Walk, span: Span, message: String, is_loop: bool) {
        let span = walk.path.first().map_or(span, |&(_, s)| s);
        let f = Failure { span, message };
        if is_loop {
            walk.loops.push(f);
        } else {
            walk.others.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::parse;

    /// Resolves macros given as (name, index, visibility, condition) and returns, per macro, the
    /// canonical text of its tree or its failure message.
    fn run(defs: &[(&str, usize, usize, &str)]) -> Vec<Result<String, String>> {
        let parsed: Vec<Option<Expr>> = defs.iter().map(|d| parse(d.3).ok()).collect();
        let input: Vec<MacroIn<'_>> = defs
            .iter()
            .zip(&parsed)
            .map(|(d, e)| MacroIn {
                name: d.0,
                index: d.1,
                visibility: d.2,
                expr: e.as_ref(),
            })
            .collect();
        resolve(&input)
            .into_iter()
            .map(|r| r.map(|x| x.expr.to_string()).map_err(|f| f.message))
            .collect()
    }

    #[test]
    fn macros_that_multiply_are_an_error_not_an_exponential_tree() {
        // m40 would have 2^40 checks.
        let mut defs: Vec<(String, usize, usize, String)> =
            vec![("m0".into(), 0, 0, "x.y = 1".into())];
        for i in 1..=40 {
            defs.push((format!("m{i}"), i, i, format!("m{} or m{}", i - 1, i - 1)));
        }
        let defs: Vec<(&str, usize, usize, &str)> = defs
            .iter()
            .map(|d| (d.0.as_str(), d.1, d.2, d.3.as_str()))
            .collect();
        let out = run(&defs);
        // 2^15 checks and 2^15 - 1 'or' nodes fit; 2^16 checks do not.
        assert!(out[15].is_ok());
        assert_eq!(out[16], Err(too_large("m15")));
        assert_eq!(
            out[17],
            Err("uses macro 'm16', which has errors".to_string())
        );
        // The same through macros defined later (expanded while resolving).
        let mut later: Vec<(String, usize, usize, String)> = Vec::new();
        for i in 0..20 {
            later.push((format!("m{i}"), i, 21, format!("m{} or m{}", i + 1, i + 1)));
        }
        later.push(("m20".into(), 20, 21, "x.y = 1".into()));
        let later: Vec<(&str, usize, usize, &str)> = later
            .iter()
            .map(|d| (d.0.as_str(), d.1, d.2, d.3.as_str()))
            .collect();
        let out = run(&later);
        let err = out[0].clone().unwrap_err();
        assert!(
            err.starts_with("the condition has more than 100000 nodes"),
            "{err}"
        );
        assert!(out[19].is_ok() && out[20].is_ok());
    }

    #[test]
    fn earlier_macros_are_visible_later_ones_are_not() {
        let out = run(&[
            ("a", 0, 0, "x.y = 1"),
            ("b", 1, 1, "a or c"),
            ("c", 2, 2, "x.z = 2"),
        ]);
        assert_eq!(out[0], Ok("x.y = 1".to_string()));
        assert_eq!(
            out[1],
            Err("Undefined macro 'c' used in filter.".to_string())
        );
        assert_eq!(out[2], Ok("x.z = 2".to_string()));
    }

    #[test]
    fn a_macro_appended_later_sees_macros_defined_before_the_append() {
        // ma defined at 0, mb at 1, ma appended at 2: ma sees mb although mb's index is higher.
        let out = run(&[("ma", 0, 2, "x.y = 1 or mb"), ("mb", 1, 1, "x.z = 2")]);
        assert_eq!(out[0], Ok("(x.y = 1 or x.z = 2)".to_string()));
        assert_eq!(out[1], Ok("x.z = 2".to_string()));
    }

    #[test]
    fn later_macros_are_expanded_with_the_referrers_visibility() {
        // ma (vis 2) uses mb (index 1), which uses mc (index 3, mb appended at 4): mc is not
        // visible to ma, so ma fails, as in Falco; mb itself resolves.
        let out = run(&[
            ("ma", 0, 2, "mb"),
            ("mb", 1, 4, "x.y = 1 or mc"),
            ("mc", 3, 3, "x.z = 2"),
        ]);
        assert_eq!(
            out[0],
            Err("Undefined macro 'mc' used in filter. (in macro 'mb', used by macro 'ma', which sees only macros defined before its latest definition or append)".to_string())
        );
        assert_eq!(out[1], Ok("(x.y = 1 or x.z = 2)".to_string()));
    }

    #[test]
    fn self_reference_is_undefined_unless_appended_then_a_loop() {
        let out = run(&[("m", 0, 0, "m or x.y = 1")]);
        assert_eq!(
            out[0],
            Err("Undefined macro 'm' used in filter.".to_string())
        );
        let out = run(&[("m", 0, 1, "x.y = 1 or m")]);
        assert_eq!(
            out[0],
            Err("reference loop in macro 'm' (m -> m)".to_string())
        );
    }

    #[test]
    fn mutual_references_are_a_loop() {
        // ma appended at 2 uses mb; mb (index 1) uses ma.
        let out = run(&[("ma", 0, 2, "x.y = 1 or mb"), ("mb", 1, 1, "ma")]);
        assert_eq!(
            out[0],
            Err("reference loop in macro 'mb' (mb -> ma -> mb)".to_string())
        );
        // mb resolves against ma's result, which failed.
        assert_eq!(out[1], Err("uses macro 'ma', which has errors".to_string()));
    }

    #[test]
    fn loops_are_reported_before_undefined_macros() {
        let out = run(&[("m", 0, 1, "nosuch or m")]);
        assert_eq!(
            out[0],
            Err("reference loop in macro 'm' (m -> m)".to_string())
        );
    }

    #[test]
    fn a_macro_that_does_not_parse_fails_its_users() {
        let out = run(&[("a", 0, 0, "x.y ="), ("b", 1, 1, "a")]);
        assert!(out[0].is_err());
        assert_eq!(out[1], Err("uses macro 'a', which has errors".to_string()));
    }

    #[test]
    fn uses_include_macros_reached_through_later_ones() {
        let parsed: Vec<Expr> = ["x.y = 1", "b", "a"]
            .iter()
            .map(|t| parse(t).unwrap())
            .collect();
        let input = [
            MacroIn {
                name: "a",
                index: 0,
                visibility: 0,
                expr: Some(&parsed[0]),
            },
            MacroIn {
                name: "m",
                index: 1,
                visibility: 3,
                expr: Some(&parsed[1]),
            },
            MacroIn {
                name: "b",
                index: 2,
                visibility: 2,
                expr: Some(&parsed[2]),
            },
        ];
        let out = resolve(&input);
        let m = out[1].as_ref().unwrap();
        assert_eq!(m.uses, vec![2, 0]);
        assert_eq!(m.expr.to_string(), "x.y = 1");
    }

    #[test]
    fn failure_inside_an_expansion_points_at_the_top_reference() {
        let text = "x.y = 1 or mb";
        let out_expr = parse(text).unwrap();
        let mb = parse("nosuch").unwrap();
        let input = [
            MacroIn {
                name: "ma",
                index: 0,
                visibility: 2,
                expr: Some(&out_expr),
            },
            MacroIn {
                name: "mb",
                index: 1,
                visibility: 1,
                expr: Some(&mb),
            },
        ];
        let out = resolve(&input);
        let f = out[0].as_ref().unwrap_err();
        assert_eq!(f.span, Span::new(text.len() - 2, text.len()));
    }
}
