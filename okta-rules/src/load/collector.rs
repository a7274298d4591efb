//! The collector: accumulates lists, macros and rules across files with Falco's define, append,
//! override and enable semantics (reference §1.4–§1.7, §1.12, §9 point 10).
//!
//! Data flow: the reader's items are applied one by one, in file order, across all files of a load;
//! each definition keeps the index of its first definition (its position in rule order) and a
//! visibility (the position of its latest change), which the compiler uses for Falco's visibility
//! rules (§1.13). Appended condition and output text is kept as pieces with their positions so that
//! errors inside appended text point into the right file and line.

use std::collections::{BTreeSet, HashMap};

use super::exceptions;
use super::reader::{
    Exception, Item, ListItem, MacroItem, PluginRequirement, RuleItem, RuleMode, Text,
    ThresholdSpec,
};
use super::Diag;
use crate::priority::Priority;

/// A piece of condition or output text and the file it came from.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub text: Text,
    pub file: usize,
}

/// Pieces joined by a single space (Falco's `prev + " " + new`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Pieces(pub Vec<Piece>);

impl Pieces {
    pub fn one(text: Text, file: usize) -> Pieces {
        Pieces(vec![Piece { text, file }])
    }

    /// The full text.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&p.text.text);
        }
        s
    }

    /// Appends `text` unless it is empty.
    pub fn append(&mut self, text: Text, file: usize) {
        if !text.text.is_empty() {
            self.0.push(Piece { text, file });
        }
    }

    /// The piece containing byte `offset` of [`Pieces::text`], and the offset inside it.
    pub fn locate(&self, offset: usize) -> Option<(&Piece, usize)> {
        let mut start = 0;
        for (i, p) in self.0.iter().enumerate() {
            let end = start + p.text.text.len();
            if offset < end || i + 1 == self.0.len() {
                return Some((p, offset.saturating_sub(start)));
            }
            start = end + 1;
        }
        None
    }
}

/// Where a definition came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    pub file: usize,
    pub mark: super::yaml::Mark,
}

#[derive(Debug, Clone)]
pub(crate) struct ListDef {
    pub name: String,
    pub items: Vec<String>,
    pub index: usize,
    pub visibility: usize,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub(crate) struct MacroDef {
    pub name: String,
    pub condition: Pieces,
    pub index: usize,
    pub visibility: usize,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub(crate) struct ExceptionDef {
    pub ex: Exception,
    /// The file of the entry.
    pub file: usize,
    /// Where each of `ex.values` was written: the file and the entry (an entry appended in a
    /// later file adds values there).
    pub value_origins: Vec<Origin>,
}

impl ExceptionDef {
    /// An entry as written in `file`.
    pub fn new(ex: Exception, file: usize) -> ExceptionDef {
        let origin = Origin {
            file,
            mark: ex.mark,
        };
        ExceptionDef {
            value_origins: vec![origin; ex.values.len()],
            ex,
            file,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RuleDef {
    pub name: String,
    pub index: usize,
    pub origin: Origin,
    /// `None` when the rule has no `source:` key (Falco's default: `syscall`).
    pub source: Option<String>,
    pub desc: String,
    pub condition: Pieces,
    pub output: Pieces,
    pub priority: Priority,
    pub tags: BTreeSet<String>,
    pub enabled: bool,
    pub exceptions: Vec<ExceptionDef>,
    pub exceptions_origin: Option<Origin>,
    pub warn_evttypes: bool,
    pub skip_if_unknown_filter: bool,
    pub threshold: Option<(ThresholdSpec, usize)>,
}

/// Everything collected so far.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    pub lists: Vec<ListDef>,
    pub macros: Vec<MacroDef>,
    pub rules: Vec<RuleDef>,
    pub required_engine: Vec<((u32, u32, u32), Origin)>,
    pub required_plugins: Vec<(PluginRequirement, usize)>,
    counter: usize,
    list_idx: HashMap<String, usize>,
    macro_idx: HashMap<String, usize>,
    rule_idx: HashMap<String, usize>,
}

impl Collector {
    /// Applies one item of file `file`.
    pub fn apply(&mut self, item: Item, file: usize, diags: &mut Vec<Diag>) {
        self.counter += 1;
        let result = match item {
            Item::EngineVersion { version, mark } => {
                self.required_engine.push((version, Origin { file, mark }));
                Ok(())
            }
            Item::PluginVersions(reqs) => {
                self.required_plugins
                    .extend(reqs.into_iter().map(|r| (r, file)));
                Ok(())
            }
            Item::List(l) => self.list(l, file),
            Item::Macro(m) => self.macro_(m, file),
            Item::Rule(r) => self.rule(*r, file, diags),
        };
        if let Err(d) = result {
            diags.push(d);
        }
    }

    fn list(&mut self, l: ListItem, file: usize) -> Result<(), Diag> {
        let origin = Origin { file, mark: l.mark };
        match self.list_idx.get(&l.name.text) {
            Some(&i) => {
                let def = &mut self.lists[i];
                if l.append {
                    def.items.extend(l.items);
                } else {
                    def.items = l.items;
                    def.origin = origin;
                }
                def.visibility = self.counter;
            }
            None if l.append => {
                return Err(Diag::error(l.name.start, "List uses 'append' or 'override.items: append' but no list by that name already exists").item("list", &l.name.text));
            }
            None => {
                self.list_idx.insert(l.name.text.clone(), self.lists.len());
                self.lists.push(ListDef {
                    name: l.name.text,
                    items: l.items,
                    index: self.counter,
                    visibility: self.counter,
                    origin,
                });
            }
        }
        Ok(())
    }

    fn macro_(&mut self, m: MacroItem, file: usize) -> Result<(), Diag> {
        let origin = Origin { file, mark: m.mark };
        match self.macro_idx.get(&m.name.text) {
            Some(&i) => {
                let def = &mut self.macros[i];
                if m.append {
                    def.condition.append(m.condition, file);
                } else {
                    def.condition = Pieces::one(m.condition, file);
                    def.origin = origin;
                }
                def.visibility = self.counter;
            }
            None if m.append => {
                return Err(Diag::error(m.name.start, "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists").item("macro", &m.name.text));
            }
            None => {
                self.macro_idx
                    .insert(m.name.text.clone(), self.macros.len());
                self.macros.push(MacroDef {
                    name: m.name.text,
                    condition: Pieces::one(m.condition, file),
                    index: self.counter,
                    visibility: self.counter,
                    origin,
                });
            }
        }
        Ok(())
    }

    /// The previous rule of that name, checking Falco's source-conflict rule.
    fn prev_rule(&mut self, r: &RuleItem) -> Result<Option<usize>, Diag> {
        let Some(&i) = self.rule_idx.get(&r.name.text) else {
            return Ok(None);
        };
        let prev = self.rules[i].source.as_deref().unwrap_or("syscall");
        if let Some(src) = &r.source {
            if !src.text.is_empty() && src.text != prev {
                return Err(Diag::error(
                    src.start,
                    "Rule has been re-defined with a different source",
                ));
            }
        }
        Ok(Some(i))
    }

    fn rule(&mut self, r: RuleItem, file: usize, diags: &mut Vec<Diag>) -> Result<(), Diag> {
        let name = r.name.text.clone();
        self.rule_inner(r, file, diags)
            .map_err(|d| d.item("rule", &name))
    }

    fn rule_inner(&mut self, r: RuleItem, file: usize, diags: &mut Vec<Diag>) -> Result<(), Diag> {
        let prev = self.prev_rule(&r)?;
        match r.mode.clone() {
            RuleMode::Define => self.define_rule(r, file, prev),
            RuleMode::StandaloneEnabled => {
                let Some(i) = prev else {
                    return Err(Diag::error(
                        r.mark,
                        "Rule has 'enabled' key but no rule by that name already exists",
                    ));
                };
                if let Some(e) = r.enabled {
                    self.rules[i].enabled = e;
                }
                Ok(())
            }
            RuleMode::AppendFlag => {
                let Some(i) = prev else {
                    return Err(Diag::error(r.mark, "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"));
                };
                if let Some(c) = r.condition {
                    self.rules[i].condition.append(c, file);
                }
                if let Some(ex) = r.exceptions {
                    self.append_exceptions(i, ex, file, r.mark, diags)?;
                }
                Ok(())
            }
            RuleMode::Override(ov) => {
                if !ov.append.is_empty() {
                    let Some(i) = prev else {
                        let key = ov.append.iter().next().cloned().unwrap_or_default();
                        return Err(Diag::error(r.mark, format!("Rule uses 'append' or 'override.{key}: append' but no rule by that name already exists")));
                    };
                    let rule = &mut self.rules[i];
                    for key in &ov.append {
                        match key.as_str() {
                            "condition" => {
                                if let Some(c) = r.condition.clone() {
                                    rule.condition.append(c, file);
                                }
                            }
                            "output" => {
                                if let Some(o) = r.output.clone() {
                                    rule.output.append(o, file);
                                }
                            }
                            "desc" => {
                                if let Some(d) = &r.desc {
                                    if !d.text.is_empty() {
                                        rule.desc.push(' ');
                                        rule.desc.push_str(&d.text);
                                    }
                                }
                            }
                            "tags" => {
                                if let Some(t) = &r.tags {
                                    rule.tags.extend(t.iter().cloned());
                                }
                            }
                            _ => {}
                        }
                    }
                    if ov.append.contains("exceptions") {
                        if let Some(ex) = r.exceptions.clone() {
                            self.append_exceptions(i, ex, file, r.mark, diags)?;
                        }
                    }
                }
                if !ov.replace.is_empty() {
                    let Some(i) = prev else {
                        let key = ov.replace.iter().next().cloned().unwrap_or_default();
                        return Err(Diag::error(r.mark, format!("An 'override.{key}: replace' to a rule was requested but no rule by that name already exists")));
                    };
                    if ov.replace.contains("exceptions") {
                        for e in r.exceptions.iter().flatten() {
                            exceptions::validate(e)?;
                        }
                    }
                    let rule = &mut self.rules[i];
                    for key in &ov.replace {
                        match key.as_str() {
                            "condition" => {
                                if let Some(c) = r.condition.clone() {
                                    rule.condition = Pieces::one(c, file);
                                }
                            }
                            "output" => {
                                if let Some(o) = r.output.clone() {
                                    rule.output = Pieces::one(o, file);
                                }
                            }
                            "desc" => {
                                if let Some(d) = &r.desc {
                                    rule.desc = d.text.clone();
                                }
                            }
                            "priority" => {
                                if let Some((p, _)) = r.priority {
                                    rule.priority = p;
                                }
                            }
                            "tags" => {
                                if let Some(t) = &r.tags {
                                    rule.tags = t.clone();
                                }
                            }
                            "exceptions" => {
                                rule.exceptions = r
                                    .exceptions
                                    .clone()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|ex| ExceptionDef::new(ex, file))
                                    .collect();
                                rule.exceptions_origin = Some(Origin { file, mark: r.mark });
                            }
                            "enabled" => {
                                if let Some(e) = r.enabled {
                                    rule.enabled = e;
                                }
                            }
                            "warn_evttypes" => {
                                if let Some(w) = r.warn_evttypes {
                                    rule.warn_evttypes = w;
                                }
                            }
                            "skip-if-unknown-filter" => {
                                if let Some(s) = r.skip_if_unknown_filter {
                                    rule.skip_if_unknown_filter = s;
                                }
                            }
                            // capture, capture_duration: parsed and ignored.
                            _ => {}
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn define_rule(&mut self, r: RuleItem, file: usize, prev: Option<usize>) -> Result<(), Diag> {
        let exceptions = r.exceptions.unwrap_or_default();
        for e in &exceptions {
            exceptions::validate(e)?;
        }
        let (Some(condition), Some(output), Some(desc), Some((priority, _))) =
            (r.condition, r.output, r.desc, r.priority)
        else {
            return Err(Diag::error(r.mark, "incomplete rule definition"));
        };
        let origin = Origin { file, mark: r.mark };
        let def = RuleDef {
            name: r.name.text.clone(),
            index: prev.map_or(self.counter, |i| self.rules[i].index),
            origin,
            source: r.source.map(|s| s.text).filter(|s| !s.is_empty()),
            desc: desc.text,
            condition: Pieces::one(condition, file),
            output: Pieces::one(output, file),
            priority,
            tags: r.tags.unwrap_or_default(),
            enabled: r.enabled.unwrap_or(true),
            exceptions_origin: (!exceptions.is_empty()).then_some(origin),
            exceptions: exceptions
                .into_iter()
                .map(|ex| ExceptionDef::new(ex, file))
                .collect(),
            warn_evttypes: r.warn_evttypes.unwrap_or(true),
            skip_if_unknown_filter: r.skip_if_unknown_filter.unwrap_or(false),
            threshold: r.threshold.map(|t| (t, file)),
        };
        match prev {
            // A redefinition replaces the whole rule and keeps its position.
            Some(i) => self.rules[i] = def,
            None => {
                self.rule_idx.insert(def.name.clone(), self.rules.len());
                self.rules.push(def);
            }
        }
        Ok(())
    }

    fn append_exceptions(
        &mut self,
        i: usize,
        new: Vec<Exception>,
        file: usize,
        mark: super::yaml::Mark,
        diags: &mut Vec<Diag>,
    ) -> Result<(), Diag> {
        for ex in new {
            if ex.values.is_empty() {
                diags.push(Diag::warning(
                    ex.mark,
                    "Overriding/appending exception with no values",
                ));
            }
            let rule = &mut self.rules[i];
            if let Some(existing) = rule.exceptions.iter_mut().find(|e| e.ex.name == ex.name) {
                if ex.fields.is_some() || ex.comps.is_some() {
                    return Err(Diag::error(
                        ex.mark,
                        "Can not append exception fields/comps to existing exception, only values",
                    ));
                }
                // The appended values must fit the entry's fields (checked here, so that the
                // error points at the appended entry): a short tuple would otherwise be zipped
                // into a broader exception than written.
                let merged = Exception {
                    name: ex.name,
                    fields: existing.ex.fields.clone(),
                    comps: existing.ex.comps.clone(),
                    values: ex.values,
                    mark: ex.mark,
                };
                exceptions::validate(&merged)?;
                let origin = Origin {
                    file,
                    mark: merged.mark,
                };
                existing
                    .value_origins
                    .extend(std::iter::repeat_n(origin, merged.values.len()));
                existing.ex.values.extend(merged.values);
            } else {
                exceptions::validate(&ex)?;
                rule.exceptions.push(ExceptionDef::new(ex, file));
            }
        }
        if self.rules[i].exceptions_origin.is_none() {
            self.rules[i].exceptions_origin = Some(Origin { file, mark });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::{Mark, Style};

    fn text(s: &str) -> Text {
        Text {
            text: s.into(),
            start: Mark::default(),
            end: Mark::default(),
            style: Style::Plain,
        }
    }

    #[test]
    fn pieces_join_and_locate() {
        let mut p = Pieces::one(text("a = b"), 0);
        p.append(text(""), 1);
        p.append(text("or c = d"), 1);
        assert_eq!(p.text(), "a = b or c = d");
        let (piece, off) = p.locate(9).unwrap();
        assert_eq!(piece.file, 1);
        assert_eq!(off, 3);
        let (piece, off) = p.locate(2).unwrap();
        assert_eq!((piece.file, off), (0, 2));
    }
}
