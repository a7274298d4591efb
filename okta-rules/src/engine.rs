//! The ruleset: the active rules, indexed, evaluated event by event.
//!
//! Data flow: a [`Ruleset`] is built from loaded rules ([`crate::load`]) and [`EngineOptions`]:
//! a rule is active when `enabled:` left it enabled, its priority passes the minimum priority, and
//! the selections (Falco's `-D`, `-T`, `-t` and `rules:` enable/disable) keep it. Active rules are
//! indexed by the `okta.evt.type` values their condition can match and by the values of the
//! string fields they require (the `index` module); their conditions become programs in one array
//! (`compile::ProgramSet`). Per event, [`Ruleset::process`] feeds the field state once
//! ([`okta_stream::fields::FieldState::observe`]), gets the candidate rules from the index,
//! evaluates them in rule order with one extraction cache for the event, and turns matches into
//! [`Alert`]s: with [`RuleMatching::First`] (Falco's default) only the first matching rule alerts. Threshold rules
//! ([`crate::state`]) alert only when their count is reached.
//!
//! The engine is synchronous and owns its state; use one per stream.

use std::path::Path;
use std::sync::Arc;

use okta_stream::event::Event;
use okta_stream::fields::{self, Field, FieldState, Value};

use crate::compile::{CacheMemory, ExtractCache, Program, ProgramSet, SlotTable};
use crate::error::{Diagnostic, Error};
use crate::index::{RuleIndex, Scratch};
use crate::load::{self, LoadOptions, Loaded, Rule};
use crate::output::{default_hostname, Alert};
use crate::priority::Priority;
use crate::state::ThresholdState;

/// Falco's `rule_matching`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleMatching {
    /// Only the first matching rule (in rule order) alerts for an event (Falco's default).
    #[default]
    First,
    /// Every matching rule alerts.
    All,
}

impl std::str::FromStr for RuleMatching {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "first" => Ok(RuleMatching::First),
            "all" => Ok(RuleMatching::All),
            _ => Err(Error::InvalidOption(format!(
                "rule matching must be 'first' or 'all', not '{s}'"
            ))),
        }
    }
}

/// One enable/disable selection, applied in order after loading (after `enabled:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Disable rules whose name contains this text (Falco's `-D`).
    DisableNameContaining(String),
    /// Disable rules with this tag (Falco's `-T`).
    DisableTag(String),
    /// Keep only rules with any of these tags (Falco's `-t`, repeated); others are disabled.
    OnlyTags(Vec<String>),
    /// Enable rules whose name matches this pattern (`*` matches any text), e.g. `*OKTA*`.
    EnableName(String),
    /// Disable rules whose name matches this pattern (`*` matches any text).
    DisableName(String),
    /// Enable rules with this tag.
    EnableTag(String),
}

/// Options of a [`Ruleset`].
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// `first` (default) or `all`.
    pub rule_matching: RuleMatching,
    /// Rules less severe than this never run (default `Debug`: all run).
    pub min_priority: Priority,
    /// Enable/disable selections, applied in order.
    pub selections: Vec<Selection>,
    /// The host name in JSON alerts (default: this machine's).
    pub hostname: Option<String>,
    /// Options for loading rules files.
    pub load: LoadOptions,
}

/// What `okta-cli rules list` shows about a rule.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleInfo {
    /// Name.
    pub name: String,
    /// Priority.
    pub priority: Priority,
    /// Whether it runs (enabled, selected and at or above the minimum priority).
    pub enabled: bool,
    /// Tags.
    pub tags: Vec<String>,
    /// Source.
    pub source: String,
    /// Description.
    pub desc: String,
    /// The event types its condition can match (`None`: any).
    pub event_types: Option<Vec<String>>,
    /// Whether it is a threshold rule.
    pub threshold: bool,
    /// Where it is defined (`file:line`).
    pub defined_at: String,
}

struct EngineRule {
    rule: Rule,
    name: Arc<str>,
    source: Arc<str>,
    tags: Arc<[String]>,
    active: bool,
    threshold: Option<ThresholdState>,
}

/// A compiled, indexed ruleset with its per-stream state.
pub struct Ruleset {
    rules: Vec<EngineRule>,
    /// The conditions of `rules` as programs, in one array (those of one event type side by
    /// side; inactive rules have none): what is read for every candidate rule, kept apart from
    /// the rest.
    programs: ProgramSet,
    /// The candidate rules of each event.
    index: RuleIndex,
    /// Memory the index selects candidates in, reused between events.
    scratch: Scratch,
    matching: RuleMatching,
    hostname: Arc<str>,
    state: FieldState,
    /// `okta.evt.type`, the key of the index.
    event_type_field: Field,
    /// The memory of the per-event field cache (one slot per distinct field of the rules).
    cache: CacheMemory,
    warnings: Vec<Diagnostic>,
    events: u64,
    alerts: u64,
}

impl std::fmt::Debug for Ruleset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ruleset")
            .field("rules", &self.rules.len())
            .field("active", &self.active_count())
            .field("event_types", &self.index.event_types())
            .field("matching", &self.matching)
            .finish()
    }
}

/// `*` wildcard match of a whole name.
fn wildcard(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl Ruleset {
    /// Builds a ruleset from loaded rules.
    pub fn new(loaded: Loaded, options: &EngineOptions) -> Ruleset {
        let hostname: Arc<str> = options
            .hostname
            .clone()
            .unwrap_or_else(default_hostname)
            .into();
        let mut rules: Vec<EngineRule> = loaded
            .rules
            .into_iter()
            .map(|rule| EngineRule {
                name: rule.name.as_str().into(),
                source: rule.source.as_str().into(),
                tags: rule.tags.clone().into(),
                active: rule.enabled,
                threshold: rule.threshold.as_ref().map(ThresholdState::new),
                rule,
            })
            .collect();
        for sel in &options.selections {
            for r in &mut rules {
                let has_tag = |t: &str| r.rule.tags.iter().any(|x| x == t);
                match sel {
                    Selection::DisableNameContaining(s) => {
                        if r.rule.name.contains(s.as_str()) {
                            r.active = false;
                        }
                    }
                    Selection::DisableTag(t) => {
                        if has_tag(t) {
                            r.active = false;
                        }
                    }
                    Selection::OnlyTags(tags) => {
                        if !tags.iter().any(|t| has_tag(t)) {
                            r.active = false;
                        }
                    }
                    Selection::EnableName(p) => {
                        if wildcard(p, &r.rule.name) {
                            r.active = true;
                        }
                    }
                    Selection::DisableName(p) => {
                        if wildcard(p, &r.rule.name) {
                            r.active = false;
                        }
                    }
                    Selection::EnableTag(t) => {
                        if has_tag(t) {
                            r.active = true;
                        }
                    }
                }
            }
        }
        for r in &mut rules {
            if !r.rule.priority.passes(options.min_priority) {
                r.active = false;
            }
        }
        // One cache slot per distinct field tested by an active rule.
        let mut slots = SlotTable::default();
        for r in rules.iter_mut().filter(|r| r.active) {
            r.rule.predicate.assign_slots(&mut slots);
        }
        // Output fields too, after every condition field: alerts reuse the values conditions read.
        for r in rules.iter_mut().filter(|r| r.active) {
            r.rule.output.assign_slots(&mut slots);
        }
        let index = RuleIndex::new(
            rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.active)
                .map(|(i, r)| (u32::try_from(i).unwrap_or(u32::MAX), &r.rule.predicate)),
        );
        // Checks on fields the index reads anyway go first (after the index keys were taken).
        let event_type_field = event_type_field();
        let mut known = index.always_read();
        known.push(slots.assign(&event_type_field));
        for r in rules.iter_mut().filter(|r| r.active) {
            r.rule.predicate.cheap_first(&known);
        }
        let programs = rules
            .iter()
            .map(|r| match r.active {
                true => r.rule.predicate.program(),
                false => Program::default(),
            })
            .collect();
        // Rules of one event type side by side (by their first type; those of any type last).
        let mut layout: Vec<(Option<&str>, u32)> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.active)
            .map(|(i, r)| {
                let first = r.rule.predicate.event_types().and_then(|t| t.first());
                (
                    first.map(String::as_str),
                    u32::try_from(i).unwrap_or(u32::MAX),
                )
            })
            .collect();
        layout.sort_by_key(|&(t, i)| (t.is_none(), t, i));
        let layout: Vec<u32> = layout.into_iter().map(|(_, i)| i).collect();
        let programs = ProgramSet::new(programs, &layout);
        let mut state = FieldState::new();
        state.set_hostname(&hostname);
        Ruleset {
            rules,
            programs,
            scratch: index.scratch(),
            index,
            matching: options.rule_matching,
            hostname,
            state,
            event_type_field,
            cache: CacheMemory::with_slots(slots.len()),
            warnings: loaded.warnings,
            events: 0,
            alerts: 0,
        }
    }

    /// Loads rules files (in order; directories expand sorted) and builds a ruleset.
    pub fn load_files<P: AsRef<Path>>(
        paths: &[P],
        options: &EngineOptions,
    ) -> Result<Ruleset, Error> {
        let loaded = load::load_files(paths, &options.load)?;
        Ok(Ruleset::new(loaded, options))
    }

    /// Loads rules from texts `(name, text)` in order and builds a ruleset.
    pub fn load_strs(sources: &[(&str, &str)], options: &EngineOptions) -> Result<Ruleset, Error> {
        let mut loader = load::Loader::new(options.load.clone());
        for (name, text) in sources {
            if !loader.add_str(name, text) {
                break;
            }
        }
        Ok(Ruleset::new(loader.finish()?, options))
    }

    /// The warnings of the load.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// How many rules run.
    pub fn active_count(&self) -> usize {
        self.rules.iter().filter(|r| r.active).count()
    }

    /// How many rules were loaded (active or not).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether no rule was loaded.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Events processed and alerts produced so far.
    pub fn counters(&self) -> (u64, u64) {
        (self.events, self.alerts)
    }

    /// The rules, in rule order, with whether each runs.
    pub fn rules(&self) -> impl Iterator<Item = (&Rule, bool)> {
        self.rules.iter().map(|r| (&r.rule, r.active))
    }

    /// A summary of every rule, for listings.
    pub fn rule_infos(&self) -> Vec<RuleInfo> {
        self.rules
            .iter()
            .map(|r| RuleInfo {
                name: r.rule.name.clone(),
                priority: r.rule.priority,
                enabled: r.active,
                tags: r.rule.tags.clone(),
                source: r.rule.source.clone(),
                desc: r.rule.desc.clone(),
                event_types: r.rule.predicate.event_types().map(<[String]>::to_vec),
                threshold: r.rule.threshold.is_some(),
                defined_at: format!("{}:{}", r.rule.file, r.rule.pos.line),
            })
            .collect()
    }

    /// Processes one event, calling `emit` for each alert.
    pub fn process_with(&mut self, event: &Event, mut emit: impl FnMut(Alert)) {
        self.events += 1;
        self.state.observe(event);
        // The index's event type is the value of `okta.evt.type` itself (a string unescaped, another
        // JSON value as its text, "" when missing or null), as the indexed checks compare it.
        let Ruleset {
            rules,
            index,
            programs,
            scratch,
            matching,
            hostname,
            state,
            cache: memory,
            alerts,
            event_type_field,
            ..
        } = self;
        let state: &FieldState = state;
        let et = event_type_field.extract(event, state);
        let mut cache = ExtractCache::for_event(memory, event, state);
        let et = et.as_ref().and_then(Value::as_str).unwrap_or("");
        // A candidate's program leaves out its type and key checks, which the index has
        // established (see `Predicate::program`).
        let candidates = index.candidates(et, &mut cache, scratch);
        let mut time_ns: Option<i128> = None;
        for &i in candidates {
            let hit = programs.eval(i, &mut cache);
            if !hit {
                continue;
            }
            let Some(r) = rules.get_mut(i as usize) else {
                continue;
            };
            let t = *time_ns.get_or_insert_with(|| event_time(event));
            if let Some(th_state) = &mut r.threshold {
                let key = r
                    .rule
                    .threshold
                    .as_ref()
                    .map(|th| th.key(event, state))
                    .unwrap_or_default();
                if th_state.record(&key, t).is_none() {
                    continue;
                }
            }
            let (output, output_fields) = r.rule.output.render_cached(&mut cache);
            *alerts += 1;
            emit(Alert {
                rule: r.name.clone(),
                priority: r.rule.priority,
                source: r.source.clone(),
                tags: r.tags.clone(),
                time_ns: t,
                hostname: hostname.clone(),
                output,
                output_fields,
                event: event.clone(),
            });
            if *matching == RuleMatching::First {
                break;
            }
        }
        cache.finish(memory);
    }

    /// Processes one event and returns its alerts (usually none; no allocation then).
    pub fn process(&mut self, event: &Event) -> impl Iterator<Item = Alert> {
        let mut out = Vec::new();
        self.process_with(event, |a| out.push(a));
        out.into_iter()
    }

    /// The rules (names) the index selects for `event`, in evaluation order (for tests and
    /// tools): those indexed under its event type or under the values of its key fields, and those
    /// that nothing narrows down.
    pub fn candidates_for(&self, event: &Event) -> Vec<&str> {
        let et = self.event_type_field.extract(event, &self.state);
        let et = et.as_ref().and_then(Value::as_str).unwrap_or("");
        let mut cache = ExtractCache::direct(event, &self.state);
        let mut scratch = self.index.scratch();
        let candidates = self.index.candidates(et, &mut cache, &mut scratch);
        candidates
            .iter()
            .filter_map(|&i| self.rules.get(i as usize).map(|r| &*r.name))
            .collect()
    }
}

/// The `okta.evt.type` field.
fn event_type_field() -> Field {
    match fields::resolve(crate::compile::EVENT_TYPE_FIELD, None) {
        Ok(f) => f,
        // The registry's first row; a registry without it is a build-time bug caught by tests.
        Err(_) => unreachable!("the registry has okta.evt.type"),
    }
}

/// The alert time of an event: `published`, or now when it is missing or unparsable.
fn event_time(event: &Event) -> i128 {
    event.published_ns().unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*OKTA*", "User accessing OKTA admin section"));
        assert!(wildcard("User*", "User x"));
        assert!(!wildcard("User*", "A User"));
        assert!(wildcard("*section", "admin section"));
        assert!(wildcard("exact", "exact"));
        assert!(!wildcard("exact", "exactly"));
        assert!(wildcard("a*b*c", "aXXbYYc"));
        assert!(!wildcard("a*b*c", "aXXcYYb"));
    }

    #[test]
    fn rule_matching_parse() {
        assert_eq!(
            "first".parse::<RuleMatching>().unwrap(),
            RuleMatching::First
        );
        assert_eq!("ALL".parse::<RuleMatching>().unwrap(), RuleMatching::All);
        assert!("some".parse::<RuleMatching>().is_err());
    }
}
