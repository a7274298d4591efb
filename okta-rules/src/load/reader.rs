//! The reader: one rules file's YAML tree → typed items, with Falco's per-item validation.
//!
//! Data flow: [`read_file`] walks the top-level sequences of a parsed file (see [`super::yaml`]),
//! decides each entry's kind by Falco's key order (`required_engine_version`,
//! `required_plugin_versions`, `list`, `macro`, `rule`), decodes keys the way yaml-cpp does
//! (booleans accept `yes`/`on`/`y`..., numbers and strings come from scalar text) and yields
//! [`Item`]s in file order. Every problem becomes a [`Diag`] with the node's position; an item with an
//! error is dropped (the load as a whole then fails). Define/append/override semantics are applied
//! later by the collector.

use std::collections::BTreeSet;

use super::yaml::{Kind, Mark, Node, Style};
use super::Diag;
use crate::priority::Priority;

/// A scalar string with the position of its value node.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    /// The decoded text.
    pub text: String,
    /// Where the value starts.
    pub start: Mark,
    /// Where the value ends.
    pub end: Mark,
    /// How it was written (for mapping offsets inside it to positions).
    pub style: Style,
}

impl Text {
    fn of(node: &Node, text: String) -> Text {
        Text {
            text,
            start: node.start,
            end: node.end,
            style: node.style().unwrap_or(Style::Plain),
        }
    }
}

/// A value of an exception's `fields`/`comps`/`values`: a scalar or a (nested) sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExValue {
    Scalar(String),
    Seq(Vec<ExValue>),
}

/// One entry of a rule's `exceptions:`.
#[derive(Debug, Clone)]
pub(crate) struct Exception {
    pub name: String,
    /// `fields: f` (single form) or `fields: [f1, f2]` (list form).
    pub fields: Option<ExValue>,
    pub comps: Option<ExValue>,
    pub values: Vec<ExValue>,
    pub mark: Mark,
}

/// The threshold extension of a rule (okta-stream only; see `crate::state`).
#[derive(Debug, Clone)]
pub(crate) struct ThresholdSpec {
    pub count: u32,
    pub window_secs: u64,
    pub by: Vec<Text>,
}

/// Which keys an override item appends or replaces.
#[derive(Debug, Clone, Default)]
pub(crate) struct Override {
    pub append: BTreeSet<String>,
    pub replace: BTreeSet<String>,
}

/// How a rule item acts on the collection.
#[derive(Debug, Clone)]
pub(crate) enum RuleMode {
    /// A full definition (replaces any previous rule of that name).
    Define,
    /// The deprecated `append: true`.
    AppendFlag,
    /// `override:` with per-key operations.
    Override(Override),
    /// The deprecated standalone `enabled:` item.
    StandaloneEnabled,
}

/// A `rule` item.
#[derive(Debug, Clone)]
pub(crate) struct RuleItem {
    pub name: Text,
    pub mark: Mark,
    pub mode: RuleMode,
    pub desc: Option<Text>,
    pub condition: Option<Text>,
    pub output: Option<Text>,
    pub priority: Option<(Priority, Mark)>,
    /// `None`: absent; `Some("")`: present but empty.
    pub source: Option<Text>,
    pub enabled: Option<bool>,
    pub tags: Option<BTreeSet<String>>,
    pub exceptions: Option<Vec<Exception>>,
    pub warn_evttypes: Option<bool>,
    pub skip_if_unknown_filter: Option<bool>,
    pub threshold: Option<ThresholdSpec>,
}

/// A `macro` item.
#[derive(Debug, Clone)]
pub(crate) struct MacroItem {
    pub name: Text,
    pub mark: Mark,
    pub condition: Text,
    pub append: bool,
}

/// A `list` item.
#[derive(Debug, Clone)]
pub(crate) struct ListItem {
    pub name: Text,
    pub mark: Mark,
    pub items: Vec<String>,
    pub append: bool,
}

/// One entry of `required_plugin_versions` (with its alternatives).
#[derive(Debug, Clone)]
pub(crate) struct PluginRequirement {
    pub alternatives: Vec<(String, String)>,
    pub mark: Mark,
}

/// One top-level item of a rules file.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    EngineVersion {
        version: (u32, u32, u32),
        mark: Mark,
    },
    PluginVersions(Vec<PluginRequirement>),
    List(ListItem),
    Macro(MacroItem),
    Rule(Box<RuleItem>),
}

const RULE_KEYS: &[&str] = &[
    "rule",
    "condition",
    "output",
    "desc",
    "priority",
    "source",
    "enabled",
    "tags",
    "exceptions",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "capture",
    "capture_duration",
    "override",
    "append",
];
const APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
const REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "tags",
    "exceptions",
    "enabled",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "capture",
    "capture_duration",
];

/// The okta-stream extension key for threshold rules.
pub(crate) const THRESHOLD_KEY: &str = "threshold";

/// Reads the documents of one file into items; problems go to `diags`.
pub(crate) fn read_file(
    docs: &[Option<Node>],
    extensions: bool,
    diags: &mut Vec<Diag>,
) -> Vec<Item> {
    let mut items = Vec::new();
    for doc in docs.iter().flatten() {
        let entries = match &doc.kind {
            Kind::Seq(entries) => entries,
            Kind::Map(_) => {
                diags.push(Diag::error(
                    doc.start,
                    "Rules content is not yaml array of objects",
                ));
                return items;
            }
            Kind::Scalar { .. } if doc.is_null() => continue,
            Kind::Scalar { .. } => {
                diags.push(Diag::error(doc.start, "Rules content is not yaml"));
                return items;
            }
        };
        for entry in entries {
            if entry.is_null() {
                continue;
            }
            if entry.map().is_none() {
                diags.push(Diag::error(
                    entry.start,
                    "Unexpected element type. Each element should be a yaml associative array.",
                ));
                continue;
            }
            match read_item(entry, extensions, diags) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => {}
                Err(d) => diags.push(d),
            }
        }
    }
    items
}

fn read_item(node: &Node, extensions: bool, diags: &mut Vec<Diag>) -> Result<Option<Item>, Diag> {
    if let Some((_, v)) = node.get("required_engine_version") {
        warn_unknown_keys(node, &["required_engine_version"], diags);
        return Ok(Some(Item::EngineVersion {
            version: engine_version(v)?,
            mark: v.start,
        }));
    }
    if let Some((_, v)) = node.get("required_plugin_versions") {
        warn_unknown_keys(node, &["required_plugin_versions"], diags);
        return Ok(Some(Item::PluginVersions(plugin_versions(v)?)));
    }
    if node.get("list").is_some() {
        warn_unknown_keys(node, &["list", "items", "append", "override"], diags);
        let name = node.get("list").and_then(|(_, v)| v.scalar()).unwrap_or("");
        return read_list(node, diags)
            .map(|l| Some(Item::List(l)))
            .map_err(|d| d.item("list", name));
    }
    if node.get("macro").is_some() {
        warn_unknown_keys(node, &["macro", "condition", "append", "override"], diags);
        let name = node
            .get("macro")
            .and_then(|(_, v)| v.scalar())
            .unwrap_or("");
        return read_macro(node, diags)
            .map(|m| Some(Item::Macro(m)))
            .map_err(|d| d.item("macro", name));
    }
    if node.get("rule").is_some() {
        let mut keys: Vec<&str> = RULE_KEYS.to_vec();
        if extensions {
            keys.push(THRESHOLD_KEY);
        }
        warn_unknown_keys(node, &keys, diags);
        let name = node.get("rule").and_then(|(_, v)| v.scalar()).unwrap_or("");
        return read_rule(node, extensions, diags)
            .map(|r| Some(Item::Rule(Box::new(r))))
            .map_err(|d| d.item("rule", name));
    }
    diags.push(Diag::warning(node.start, "Unknown top level item"));
    Ok(None)
}

fn warn_unknown_keys(node: &Node, known: &[&str], diags: &mut Vec<Diag>) {
    for (k, _) in node.map().unwrap_or_default() {
        match k.scalar() {
            Some(name) if known.contains(&name) => {}
            Some(name) => diags.push(Diag::warning(
                k.start,
                format!("Unknown key '{name}'. The key will be ignored."),
            )),
            None => diags.push(Diag::warning(
                k.start,
                "Unknown non-scalar key. The key will be ignored.",
            )),
        }
    }
}

// ---- scalar decoding (Falco's decode_val_generic) ----

fn required<'n>(item: &'n Node, key: &str) -> Result<&'n Node, Diag> {
    match item.get(key) {
        None => Err(Diag::error(
            item.start,
            format!("Item has no mapping for key '{key}'"),
        )),
        Some((_, v)) if v.is_null() => Err(Diag::error(
            v.start,
            format!("Mapping for key '{key}' is empty"),
        )),
        Some((_, v)) => Ok(v),
    }
}

fn scalar_text(node: &Node) -> Result<&str, Diag> {
    node.scalar()
        .ok_or_else(|| Diag::error(node.start, "Value is not a scalar value"))
}

/// A required non-empty string.
fn req_str(item: &Node, key: &str) -> Result<Text, Diag> {
    let v = required(item, key)?;
    let s = scalar_text(v)?;
    if s.is_empty() {
        return Err(Diag::error(v.start, "Value must be non-empty"));
    }
    Ok(Text::of(v, s.to_string()))
}

/// An optional string; a null value reads as the empty string.
fn opt_str(item: &Node, key: &str) -> Result<Option<Text>, Diag> {
    match item.get(key) {
        None => Ok(None),
        Some((_, v)) if v.is_null() => Ok(Some(Text::of(v, String::new()))),
        Some((_, v)) => Ok(Some(Text::of(v, scalar_text(v)?.to_string()))),
    }
}

/// yaml-cpp's `convert<bool>`.
fn parse_bool(s: &str) -> Option<bool> {
    const TRUE: &[&str] = &["y", "yes", "true", "on"];
    const FALSE: &[&str] = &["n", "no", "false", "off"];
    let matches_any = |words: &[&str]| {
        words.iter().any(|w| {
            let cap = {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            };
            s == *w || s == w.to_ascii_uppercase() || s == cap
        })
    };
    if matches_any(TRUE) {
        Some(true)
    } else if matches_any(FALSE) {
        Some(false)
    } else {
        None
    }
}

fn opt_bool(item: &Node, key: &str) -> Result<Option<bool>, Diag> {
    match item.get(key) {
        None => Ok(None),
        Some((_, v)) if v.is_null() => Err(Diag::error(
            v.start,
            format!("Mapping for key '{key}' is empty"),
        )),
        Some((_, v)) => parse_bool(scalar_text(v)?)
            .map(Some)
            .ok_or_else(|| Diag::error(v.start, "Can't decode YAML scalar value")),
    }
}

fn opt_u32(item: &Node, key: &str) -> Result<Option<u32>, Diag> {
    match item.get(key) {
        None => Ok(None),
        Some((_, v)) if v.is_null() => Err(Diag::error(
            v.start,
            format!("Mapping for key '{key}' is empty"),
        )),
        Some((_, v)) => scalar_text(v)?
            .trim()
            .parse::<u32>()
            .map(Some)
            .map_err(|_| Diag::error(v.start, "Can't decode YAML scalar value")),
    }
}

/// A sequence of scalars (`tags`, `items`).
fn str_seq(v: &Node) -> Result<Vec<String>, Diag> {
    let items = v
        .seq()
        .ok_or_else(|| Diag::error(v.start, "Value is not a sequence"))?;
    items
        .iter()
        .map(|i| {
            i.scalar()
                .map(str::to_string)
                .ok_or_else(|| Diag::error(i.start, "sequence value is not scalar"))
        })
        .collect()
}

fn engine_version(v: &Node) -> Result<(u32, u32, u32), Diag> {
    let s = scalar_text(v)?.trim();
    if let Ok(n) = s.parse::<u32>() {
        return Ok((0, n, 0));
    }
    parse_semver(s).ok_or_else(|| {
        Diag::error(
            v.start,
            format!(
                "Unable to parse engine version '{s}' as a semver string. Expected \"x.y.z\" semver format."
            ),
        )
    })
}

/// `sscanf("%u.%u.%u")`: three dot-separated numbers, trailing text after the third ignored.
pub(crate) fn parse_semver(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.trim().splitn(3, '.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let rest = parts.next()?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let patch = digits.parse().ok()?;
    Some((major, minor, patch))
}

fn plugin_versions(v: &Node) -> Result<Vec<PluginRequirement>, Diag> {
    let entries = v
        .seq()
        .ok_or_else(|| Diag::error(v.start, "Value is not a sequence"))?;
    let mut out = Vec::new();
    for e in entries {
        if e.map().is_none() {
            return Err(Diag::error(
                e.start,
                "Unexpected element type. Each element should be a yaml associative array.",
            ));
        }
        let mut alternatives = vec![plugin_version(e)?];
        if let Some((_, alts)) = e.get("alternatives") {
            let alts = alts
                .seq()
                .ok_or_else(|| Diag::error(alts.start, "Value is not a sequence"))?;
            for a in alts {
                let alt = plugin_version(a)?;
                if alternatives.iter().any(|(n, _)| *n == alt.0) {
                    return Err(Diag::error(
                        a.start,
                        format!(
                            "Defined multiple alternative version requirements for plugin '{}'",
                            alt.0
                        ),
                    ));
                }
                alternatives.push(alt);
            }
        }
        out.push(PluginRequirement {
            alternatives,
            mark: e.start,
        });
    }
    Ok(out)
}

fn plugin_version(e: &Node) -> Result<(String, String), Diag> {
    let name = req_str(e, "name")?;
    let version = req_str(e, "version")?;
    if parse_semver(&version.text).is_none() {
        return Err(Diag::error(
            version.start,
            format!(
                "Invalid required version '{}' for plugin '{}'",
                version.text, name.text
            ),
        ));
    }
    Ok((name.text, version.text))
}

/// The item's `override:` when it lists at least one key. Falco acts on the keys it finds under
/// `override` (`decode_overrides`): one listing none (`override: {}`, or empty) is as if absent,
/// so the item is read as a definition, an `append: true` item or a standalone `enabled` item.
fn overrides(item: &Node) -> Option<&Node> {
    item.get("override")
        .map(|(_, ov)| ov)
        .filter(|ov| !ov.is_null() && ov.map().is_none_or(|m| !m.is_empty()))
}

/// `append: true` / `override: {key: op}` of lists and macros: returns whether it appends.
fn list_or_macro_append(item: &Node, key: &str, what: &str) -> Result<bool, Diag> {
    let append = opt_bool(item, "append")?.unwrap_or(false);
    let Some(ov) = overrides(item) else {
        return Ok(append);
    };
    if append {
        return Err(Diag::error(
            ov.start,
            format!("Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. '{key}: append') under 'override' instead."),
        ));
    }
    let entries = ov
        .map()
        .ok_or_else(|| Diag::error(ov.start, "Value is not a map"))?;
    let mut appends = false;
    for (k, v) in entries {
        let kname = scalar_text(k)?;
        let op = scalar_text(v)?;
        if kname != key {
            return Err(Diag::error(
                k.start,
                format!("Unexpected key '{kname}' under 'override' of a {what} (only '{key}' can be overridden)"),
            ));
        }
        match op {
            "append" => appends = true,
            "replace" => appends = false,
            other => {
                return Err(Diag::error(
                    v.start,
                    format!("Invalid override operation for key '{kname}': '{other}'. Allowed values are: append replace "),
                ))
            }
        }
    }
    Ok(appends)
}

fn read_list(node: &Node, diags: &mut Vec<Diag>) -> Result<ListItem, Diag> {
    let name = req_str(node, "list")?;
    let append = list_or_macro_append(node, "items", "list")?;
    if node
        .get("append")
        .is_some_and(|(_, v)| v.scalar().and_then(parse_bool) == Some(true))
    {
        diags.push(Diag::warning(node.start, "'append' key is deprecated. Add an 'append' entry (e.g. 'items: append') under 'override' instead."));
    }
    let items = match node.get("items") {
        None => {
            return Err(Diag::error(
                node.start,
                "Item has no mapping for key 'items'",
            ))
        }
        Some((_, v)) if v.is_null() => Vec::new(),
        Some((_, v)) => str_seq(v)?,
    };
    if !valid_list_name(&name.text) {
        diags.push(Diag::warning(name.start, "List has an invalid name. List names should match a regular expression: [^()\"'[:space:]=,]+"));
    }
    Ok(ListItem {
        name,
        mark: node.start,
        items,
        append,
    })
}

fn valid_list_name(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| matches!(c, '(' | ')' | '"' | '\'' | '=' | ',') || c.is_whitespace())
}

pub(crate) fn valid_macro_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn read_macro(node: &Node, diags: &mut Vec<Diag>) -> Result<MacroItem, Diag> {
    let name = req_str(node, "macro")?;
    let append = list_or_macro_append(node, "condition", "macro")?;
    if node
        .get("append")
        .is_some_and(|(_, v)| v.scalar().and_then(parse_bool) == Some(true))
    {
        diags.push(Diag::warning(node.start, "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."));
    }
    let condition = req_str(node, "condition")?;
    if !valid_macro_name(&name.text) {
        diags.push(Diag::warning(name.start, "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)"));
    }
    Ok(MacroItem {
        name,
        mark: node.start,
        condition,
        append,
    })
}

fn read_rule(node: &Node, extensions: bool, diags: &mut Vec<Diag>) -> Result<RuleItem, Diag> {
    let name = req_str(node, "rule")?;
    let append_flag = opt_bool(node, "append")?.unwrap_or(false);
    let mode = if let Some(ov) = overrides(node) {
        if append_flag {
            return Err(Diag::error(ov.start, "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."));
        }
        RuleMode::Override(read_override(node, ov)?)
    } else if append_flag {
        diags.push(Diag::warning(node.start, "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."));
        RuleMode::AppendFlag
    } else if ["condition", "output", "desc", "priority"]
        .iter()
        .any(|k| node.get(k).is_some())
    {
        RuleMode::Define
    } else {
        RuleMode::StandaloneEnabled
    };

    let mut item = RuleItem {
        name,
        mark: node.start,
        mode,
        desc: None,
        condition: None,
        output: None,
        priority: None,
        source: opt_str(node, "source")?,
        enabled: None,
        tags: None,
        exceptions: None,
        warn_evttypes: opt_bool(node, "warn_evttypes")?,
        skip_if_unknown_filter: opt_bool(node, "skip-if-unknown-filter")?,
        threshold: None,
    };
    // Parsed for validation only (syscall capture feature).
    opt_bool(node, "capture")?;
    opt_u32(node, "capture_duration")?;

    match &item.mode {
        RuleMode::Define => {
            item.condition = Some(req_str(node, "condition")?);
            let mut output = req_str(node, "output")?;
            output.text = output.text.trim().to_string();
            item.output = Some(output);
            item.desc = Some(req_str(node, "desc")?);
            item.priority = Some(priority(required(node, "priority")?)?);
            item.enabled = opt_bool(node, "enabled")?;
            item.tags = opt_tags(node)?;
            item.exceptions = opt_exceptions(node, diags)?;
        }
        RuleMode::AppendFlag => {
            // Only condition and exceptions are appended; enabled/output/desc are ignored (Falco).
            item.condition = opt_str(node, "condition")?;
            item.exceptions = opt_exceptions(node, diags)?;
            if item.condition.is_none() && item.exceptions.is_none() {
                return Err(Diag::error(
                    node.start,
                    "Appended rule must have exceptions or condition property",
                ));
            }
        }
        RuleMode::Override(_) => {
            item.condition = opt_str(node, "condition")?;
            item.output = opt_str(node, "output")?.map(|mut t| {
                t.text = t.text.trim().to_string();
                t
            });
            item.desc = opt_str(node, "desc")?;
            item.priority = match node.get("priority") {
                Some((_, v)) => Some(priority(v)?),
                None => None,
            };
            item.enabled = opt_bool(node, "enabled")?;
            item.tags = opt_tags(node)?;
            item.exceptions = opt_exceptions(node, diags)?;
        }
        RuleMode::StandaloneEnabled => {
            let v = required(node, "enabled")?;
            item.enabled = Some(
                parse_bool(scalar_text(v)?)
                    .ok_or_else(|| Diag::error(v.start, "Can't decode YAML scalar value"))?,
            );
            diags.push(Diag::warning(node.start, "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace')."));
        }
    }
    if extensions {
        if let Some((_, t)) = node.get(THRESHOLD_KEY) {
            if !matches!(item.mode, RuleMode::Define) {
                return Err(Diag::error(
                    t.start,
                    "'threshold' can only be given on a full rule definition",
                ));
            }
            item.threshold = Some(threshold(t)?);
        }
    }
    Ok(item)
}

fn priority(v: &Node) -> Result<(Priority, Mark), Diag> {
    let s = scalar_text(v)?;
    Priority::parse(s)
        .map(|p| (p, v.start))
        .ok_or_else(|| Diag::error(v.start, "Invalid priority"))
}

fn opt_tags(node: &Node) -> Result<Option<BTreeSet<String>>, Diag> {
    match node.get("tags") {
        None => Ok(None),
        Some((_, v)) if v.is_null() => Ok(Some(BTreeSet::new())),
        Some((_, v)) => Ok(Some(str_seq(v)?.into_iter().collect())),
    }
}

fn read_override(item: &Node, ov: &Node) -> Result<Override, Diag> {
    let entries = ov
        .map()
        .ok_or_else(|| Diag::error(ov.start, "Value is not a map"))?;
    let mut out = Override::default();
    for (k, v) in entries {
        let key = scalar_text(k)?;
        let op = scalar_text(v)?;
        match op {
            "append" => {
                if !APPENDABLE.contains(&key) {
                    return Err(Diag::error(
                        v.start,
                        format!("Key '{key}' cannot be appended to, use 'replace' instead"),
                    ));
                }
                out.append.insert(key.to_string());
            }
            "replace" => {
                if !REPLACEABLE.contains(&key) {
                    return Err(Diag::error(v.start, format!("Key '{key}' cannot be replaced")));
                }
                out.replace.insert(key.to_string());
            }
            other => {
                return Err(Diag::error(
                    v.start,
                    format!("Invalid override operation for key '{key}': '{other}'. Allowed values are: append replace "),
                ))
            }
        }
        if item.get(key).is_none() {
            let kind = if op == "append" {
                "An append"
            } else {
                "A replace"
            };
            return Err(Diag::error(
                k.start,
                format!("{kind} override for '{key}' was specified but '{key}' is not defined"),
            ));
        }
    }
    for (k, _) in item.map().unwrap_or_default() {
        let Some(key) = k.scalar() else { continue };
        let overridable = APPENDABLE.contains(&key) || REPLACEABLE.contains(&key);
        if overridable && !out.append.contains(key) && !out.replace.contains(key) {
            return Err(Diag::error(
                k.start,
                format!(
                    "Unexpected key '{key}': no corresponding entry under 'override' is defined."
                ),
            ));
        }
    }
    Ok(out)
}

fn ex_value(v: &Node) -> Result<ExValue, Diag> {
    match &v.kind {
        Kind::Scalar { text, .. } => Ok(ExValue::Scalar(text.clone())),
        Kind::Seq(items) => Ok(ExValue::Seq(
            items.iter().map(ex_value).collect::<Result<_, _>>()?,
        )),
        Kind::Map(_) => Err(Diag::error(v.start, "Value is not a scalar or a sequence")),
    }
}

fn opt_exceptions(node: &Node, diags: &mut Vec<Diag>) -> Result<Option<Vec<Exception>>, Diag> {
    let Some((_, v)) = node.get("exceptions") else {
        return Ok(None);
    };
    if v.is_null() {
        return Ok(Some(Vec::new()));
    }
    let entries = v
        .seq()
        .ok_or_else(|| Diag::error(v.start, "Value is not a sequence"))?;
    let mut out: Vec<Exception> = Vec::new();
    for e in entries {
        if e.map().is_none() {
            return Err(Diag::error(
                e.start,
                "Unexpected element type. Each element should be a yaml associative array.",
            ));
        }
        for (k, _) in e.map().unwrap_or_default() {
            if let Some(key) = k.scalar() {
                if !["name", "fields", "comps", "values"].contains(&key) {
                    diags.push(Diag::warning(
                        k.start,
                        format!("Unknown key '{key}'. The key will be ignored."),
                    ));
                }
            }
        }
        let name = req_str(e, "name")?;
        let opt = |key: &str| -> Result<Option<ExValue>, Diag> {
            match e.get(key) {
                None => Ok(None),
                Some((_, v)) if v.is_null() => Ok(None),
                Some((_, v)) => ex_value(v).map(Some),
            }
        };
        let fields = opt("fields")?;
        let comps = opt("comps")?;
        let values = match opt("values")? {
            None => Vec::new(),
            Some(ExValue::Seq(items)) => items,
            Some(ExValue::Scalar(_)) => {
                return Err(Diag::error(e.start, "Value is not a sequence"));
            }
        };
        if out.iter().any(|x| x.name == name.text) {
            diags.push(Diag::warning(
                name.start,
                format!(
                    "Multiple definitions of exception '{}' in the same rule",
                    name.text
                ),
            ));
        }
        out.push(Exception {
            name: name.text,
            fields,
            comps,
            values,
            mark: e.start,
        });
    }
    Ok(Some(out))
}

/// `threshold: {count: N, window: 5m, by: field | [fields]}`.
fn threshold(t: &Node) -> Result<ThresholdSpec, Diag> {
    if t.map().is_none() {
        return Err(Diag::error(
            t.start,
            "'threshold' must be a mapping with 'count', 'window' and optional 'by'",
        ));
    }
    for (k, _) in t.map().unwrap_or_default() {
        let key = k.scalar().unwrap_or_default();
        if !["count", "window", "by"].contains(&key) {
            return Err(Diag::error(
                k.start,
                format!("Unknown key '{key}' in 'threshold' (expected count, window, by)"),
            ));
        }
    }
    let count_node = required(t, "count")?;
    let count = scalar_text(count_node)?
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|c| *c >= 1)
        .ok_or_else(|| {
            Diag::error(
                count_node.start,
                "threshold 'count' must be an integer of at least 1",
            )
        })?;
    let window_node = required(t, "window")?;
    let window_secs = crate::state::parse_duration(scalar_text(window_node)?).ok_or_else(|| {
        Diag::error(
            window_node.start,
            "threshold 'window' must be a duration such as 90, 30s, 5m, 1h or 1d (at least one second)",
        )
    })?;
    let by = match t.get("by") {
        None => Vec::new(),
        Some((_, v)) if v.is_null() => Vec::new(),
        Some((_, v)) => match &v.kind {
            Kind::Scalar { text, .. } => vec![Text::of(v, text.clone())],
            Kind::Seq(items) => items
                .iter()
                .map(|i| {
                    i.scalar()
                        .map(|s| Text::of(i, s.to_string()))
                        .ok_or_else(|| Diag::error(i.start, "sequence value is not scalar"))
                })
                .collect::<Result<_, _>>()?,
            Kind::Map(_) => {
                return Err(Diag::error(
                    v.start,
                    "threshold 'by' must be a field name or a list of field names",
                ))
            }
        },
    };
    Ok(ThresholdSpec {
        count,
        window_secs,
        by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_cpp_booleans() {
        for t in ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "y", "Y"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "False", "no", "NO", "off", "Off", "n", "N"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for bad in ["tRue", "1", "0", "", "yess"] {
            assert_eq!(parse_bool(bad), None, "{bad}");
        }
    }

    #[test]
    fn semver() {
        assert_eq!(parse_semver("0.11.0"), Some((0, 11, 0)));
        assert_eq!(parse_semver("1.2.3-rc1"), Some((1, 2, 3)));
        assert_eq!(parse_semver("1.2"), None);
        assert_eq!(parse_semver("a.b.c"), None);
    }

    #[test]
    fn names() {
        assert!(valid_macro_name("abc_1"));
        assert!(!valid_macro_name("1abc"));
        assert!(!valid_macro_name("a-b"));
        assert!(valid_list_name("a-b.c"));
        assert!(!valid_list_name("a b"));
        assert!(!valid_list_name("a,b"));
    }
}
