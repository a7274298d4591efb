//! The evaluator's flat form: a condition tree compiled to a short program of checks and jumps.
//!
//! Data flow: once the fields have their cache slots (see `super::cache`), [`Program::compile`]
//! turns a [`Node`] tree into a list of [`Op`]s, each one check and where to go next when it
//! holds and when it does not (another op, or the final answer). `and`, `or` and `not` become
//! jumps (`a and b`: when `a` fails, the answer is false; else go on to `b`), so evaluation is a
//! loop over a few ops stored side by side, in evaluation order: no recursion, no dispatch on
//! node kinds, and a rule's whole condition sits in one allocation. That matters when an event
//! runs a dozen rules of a large ruleset: following a tree of separately allocated nodes cost
//! more in cache misses than the checks themselves. Results equal [`Node::eval`]'s, with the
//! same short-circuit order. A ruleset keeps the programs of all its rules in one
//! [`ProgramSet`], each without what the rule index establishes before a rule is evaluated (see
//! `super::Predicate::program`): one array of ops, the rules of one event type next to each
//! other, so that the few rules an event needs evaluated sit on few cache lines.

use super::cache::ExtractCache;
use super::eval::{CheckNode, Node};

/// Where a jump goes: another op, or one of these answers.
const TRUE: u32 = u32::MAX;
const FALSE: u32 = u32::MAX - 1;

/// One condition compiled to checks and jumps (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Program {
    ops: Box<[Op]>,
    /// The first op to run, or the answer for a condition without checks.
    entry: u32,
}

/// One check and where to go after it.
#[derive(Debug, Clone)]
struct Op {
    check: CheckNode,
    on_true: u32,
    on_false: u32,
}

impl Default for Program {
    /// A condition that never holds.
    fn default() -> Program {
        Program {
            ops: Box::new([]),
            entry: FALSE,
        }
    }
}

impl Program {
    /// The program of `node` (whose fields should already have their slots).
    pub(crate) fn compile(node: &Node) -> Program {
        let mut ops = Vec::new();
        let entry = emit(node, TRUE, FALSE, &mut ops);
        // Ops were emitted last-evaluated first (every jump goes to an op emitted earlier):
        // reverse them so that evaluation walks forward in memory.
        let last = ops.len().saturating_sub(1) as u32;
        let flip = |at: u32| if at >= FALSE { at } else { last - at };
        ops.reverse();
        for op in &mut ops {
            op.on_true = flip(op.on_true);
            op.on_false = flip(op.on_false);
        }
        Program {
            ops: ops.into_boxed_slice(),
            entry: flip(entry),
        }
    }

    /// Whether the condition holds for the cache's event (rulesets use [`ProgramSet::eval`]).
    #[cfg(test)]
    fn eval(&self, cache: &mut ExtractCache<'_>) -> bool {
        run(&self.ops, self.entry, cache)
    }

    /// How many checks the program has.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.ops.len()
    }
}

/// The programs of a ruleset's rules, in one array of ops (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct ProgramSet {
    ops: Box<[Op]>,
    /// Per rule number: where its ops are in `ops`, and its entry (relative to its ops).
    rules: Box<[Placed]>,
}

#[derive(Debug, Clone, Copy)]
struct Placed {
    start: u32,
    len: u32,
    entry: u32,
}

impl ProgramSet {
    /// The programs of rules `0..programs.len()`, laid out in the order of `layout` (rule
    /// numbers; rules left out have a program that never holds).
    pub(crate) fn new(programs: Vec<Program>, layout: &[u32]) -> ProgramSet {
        let never = Placed {
            start: 0,
            len: 0,
            entry: FALSE,
        };
        let mut rules = vec![never; programs.len()];
        let mut ops = Vec::new();
        for &rule in layout {
            let (Some(program), Some(placed)) =
                (programs.get(rule as usize), rules.get_mut(rule as usize))
            else {
                continue;
            };
            *placed = Placed {
                start: u32::try_from(ops.len()).unwrap_or(u32::MAX),
                len: u32::try_from(program.ops.len()).unwrap_or(0),
                entry: program.entry,
            };
            ops.extend_from_slice(&program.ops);
        }
        ProgramSet {
            ops: ops.into_boxed_slice(),
            rules: rules.into_boxed_slice(),
        }
    }

    /// Whether the condition of rule `rule` holds for the cache's event (`false` for a rule
    /// without a program).
    #[inline]
    pub(crate) fn eval(&self, rule: u32, cache: &mut ExtractCache<'_>) -> bool {
        let Some(placed) = self.rules.get(rule as usize) else {
            return false;
        };
        let start = placed.start as usize;
        let ops = self
            .ops
            .get(start..start + placed.len as usize)
            .unwrap_or(&[]);
        run(ops, placed.entry, cache)
    }
}

/// Runs `ops` from `entry`.
#[inline]
fn run(ops: &[Op], entry: u32, cache: &mut ExtractCache<'_>) -> bool {
    let mut at = entry;
    // Every jump goes forward (or to an answer), so this ends.
    while let Some(op) = ops.get(at as usize) {
        at = if op.check.eval(cache) {
            op.on_true
        } else {
            op.on_false
        };
    }
    at == TRUE
}

/// Emits the ops of `node`, which continues at `on_true` when it holds and at `on_false` when
/// not; returns where `node` starts.
fn emit(node: &Node, on_true: u32, on_false: u32, ops: &mut Vec<Op>) -> u32 {
    match node {
        Node::Const(holds) => {
            if *holds {
                on_true
            } else {
                on_false
            }
        }
        Node::Not(inner) => emit(inner, on_false, on_true, ops),
        Node::Check(check) => {
            ops.push(Op {
                check: (**check).clone(),
                on_true,
                on_false,
            });
            (ops.len() - 1) as u32
        }
        // Emitted from the last item back: each item continues with the next one's start.
        Node::And(items) => items
            .iter()
            .rev()
            .fold(on_true, |next, item| emit(item, next, on_false, ops)),
        Node::Or(items) => items
            .iter()
            .rev()
            .fold(on_false, |next, item| emit(item, on_true, next, ops)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, SlotTable};
    use crate::condition::parse as parse_condition;
    use okta_stream::fields::FieldState;
    use okta_stream::Event;

    const EVENTS: [&str; 3] = [
        r#"{"eventType":"user.session.start","actor":{"alternateId":"jane@example.com","displayName":"Jane"},"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"10.1.2.3"}}"#,
        r#"{"eventType":"user.session.end","actor":{"alternateId":"bob@example.org"},"outcome":{"result":"FAILURE"}}"#,
        r#"{"eventType":"group.user_membership.add","outcome":{"result":"DENY"},"client":{"ipAddress":"203.0.113.9"}}"#,
    ];

    /// Programs give the tree's answer on every event, for conditions that mix every boolean form.
    #[test]
    fn programs_agree_with_trees() {
        let atoms = [
            "okta.evt.type = user.session.start",
            "okta.actor.alternateid endswith example.com",
            "okta.result in (FAILURE, DENY)",
            "okta.client.ip startswith 10.",
            "okta.actor.name exists",
        ];
        let mut conditions = vec![
            "okta.evt.type in ()".to_string(),
            "not (okta.evt.type in ())".to_string(),
            "okta.evt.type in () or okta.result = DENY".to_string(),
        ];
        for (i, a) in atoms.iter().enumerate() {
            for (j, b) in atoms.iter().enumerate() {
                let c = atoms[(i + j + 1) % atoms.len()];
                conditions.push(format!("{a} and {b}"));
                conditions.push(format!("{a} or not {b}"));
                conditions.push(format!("not ({a} and ({b} or {c}))"));
                conditions.push(format!("({a} or {b}) and not ({c} or {a})"));
                conditions.push(format!("not not {a} or ({b} and not {c} and {a})"));
            }
        }
        let state = FieldState::new();
        let events: Vec<Event> = EVENTS
            .iter()
            .map(|e| Event::from_bytes(e.as_bytes().to_vec()).unwrap())
            .collect();
        let mut outcomes = [0usize; 2];
        for text in &conditions {
            let expr = parse_condition(text).unwrap();
            let mut predicate = compile(&expr).unwrap().predicate;
            predicate.assign_slots(&mut SlotTable::default());
            let program = Program::compile(&predicate.root);
            assert!(
                program.len() <= text.matches(" and ").count() + text.matches(" or ").count() + 1
            );
            for event in &events {
                let tree = predicate.eval(event, &state);
                let flat = program.eval(&mut ExtractCache::direct(event, &state));
                assert_eq!(flat, tree, "{text} on {}", event.event_type().unwrap());
                outcomes[usize::from(tree)] += 1;
            }
        }
        // Both answers occur often: the comparison means something.
        assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
    }
}
