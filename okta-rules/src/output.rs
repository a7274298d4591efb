//! Rule outputs: `%field` templates and Falco's alert formats (reference §6).
//!
//! Data flow: the loader compiles each rule's `output:` once into an [`OutputTemplate`] (field
//! names resolved against the `okta.*` registry, widths and transformers parsed). When a rule
//! fires, the engine renders the template against the event into an [`Alert`], which prints as
//! Falco's text line ([`Alert::to_text`]: `14:07:31.295000000: Notice A user has ...`) or as
//! Falco's JSON alert object ([`Alert::to_json`]: `hostname`, `output`, `output_fields`,
//! `priority`, `rule`, `source`, `tags`, `time`), which falcosidekick and friends accept.
//!
//! Template syntax (Falco's `eventformatter`): a `%` starts a token; optional decimal digits give a
//! width (the value is padded with spaces or truncated to exactly that many characters, where
//! Falco counts bytes; a width of 0 is no width; one above [`MAX_WIDTH`] is an error); then a
//! field (`%okta.actor.name`, `%okta.debug[dtHash]`) or a transformer (`%toupper(okta.actor.name)`). The token is the longest
//! prefix that names a field, so `%okta.actor.name,` stops before the comma. A missing value
//! prints `<NA>`. There is no escape for a literal `%`, and a template ending in `%` is an error,
//! as in Falco.
//!
//! A token whose transformers include a multi-value one (`%concat(okta.actor.name, "@",
//! okta.org)`, `%toupper(join(",", okta.target.type))`) is parsed by the condition parser and
//! compiled like a condition operand (see `crate::compile`), so it takes the same arguments.
//!
//! `output_fields` of JSON alerts: Falco (libsinsp `m_resolve_transformed_fields` false) leaves
//! transformer tokens out and keeps the fields inside them, with their untransformed values:
//! `%toupper(okta.actor.name)` gives the key `okta.actor.name`. Likewise every field read
//! anywhere in a multi-value transformer token gives its own key and untransformed value
//! (Falco's `formatter_visitor` registers each field argument), while constant arguments give
//! none; the text output shows the transformed value.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use okta_stream::event::Event;
use okta_stream::fields::{self, Field, FieldState, Shown, TimeText, Value};
use serde::Serialize;

use crate::compile::{transform, ExtractCache, Extractor, SlotTable, NO_SLOT};
use crate::condition::ast::{MultiTransformer, Transformer};
use crate::condition::parse_transformer_prefix;
use crate::priority::Priority;

#[derive(Debug, Clone)]
enum Part {
    Literal(String),
    Token {
        field: Field,
        /// The field's slot in the ruleset's per-event extraction cache (`NO_SLOT`: none).
        slot: u32,
        /// Outermost last.
        transforms: Vec<Transformer>,
        width: Option<usize>,
        /// The key in `output_fields` (the field's canonical text).
        key: Arc<str>,
    },
    /// A token with a multi-value transformer (see the module docs).
    Expr {
        value: Extractor,
        width: Option<usize>,
        /// The fields read by the expression, for `output_fields`: each with its slot (`NO_SLOT`:
        /// none) and key, in source order.
        fields: Vec<(Field, u32, Arc<str>)>,
    },
}

/// Why a template does not compile: a message and the byte range in the template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// Byte offset of the problem in the template text.
    pub offset: usize,
    /// Length in bytes of the offending text (at least 1).
    pub len: usize,
    /// What is wrong.
    pub message: String,
}

/// A compiled output template.
#[derive(Debug, Clone)]
pub struct OutputTemplate {
    parts: Vec<Part>,
    text: Arc<str>,
}

/// The largest width a token may have: every alert pads the value to its width, so a width such
/// as `%99999999999okta.actor.name` would allocate that many spaces per alert.
pub const MAX_WIDTH: usize = 4096;

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Parses a field at the start of `s`: the longest prefix `name` or `name[arg]` that resolves.
/// Returns the field and the number of bytes consumed, or an error message.
fn parse_field(s: &str) -> Result<(Field, usize), String> {
    let bytes = s.as_bytes();
    let name_len = bytes.iter().take_while(|b| is_name_byte(**b)).count();
    if name_len == 0 {
        return Err("expected a field name after '%'".into());
    }
    // With an argument right after the full name: `name[arg]`.
    let mut arg_err = None;
    if bytes.get(name_len) == Some(&b'[') {
        if let Some(close) = s[name_len..].find(']') {
            let arg = &s[name_len + 1..name_len + close];
            match fields::resolve(&s[..name_len], Some(arg)) {
                Ok(f) => return Ok((f, name_len + close + 1)),
                // Falco takes the longest prefix that is a field: `%okta.actor.name[x]` is the
                // field followed by the text `[x]`.
                Err(e) => arg_err = Some(e.to_string()),
            }
        }
    }
    for len in (1..=name_len).rev() {
        if !bytes[len - 1].is_ascii_alphanumeric() {
            continue;
        }
        if let Ok(f) = fields::resolve(&s[..len], None) {
            return Ok((f, len));
        }
    }
    if let Some(e) = arg_err {
        return Err(e);
    }
    // Nothing resolves: report the whole name (without trailing punctuation).
    let trimmed = s[..name_len].trim_end_matches(['.', '-', '_']);
    Err(match fields::resolve(trimmed, None) {
        Err(e) => e.to_string(),
        Ok(_) => format!("invalid formatting token '{trimmed}'"),
    })
}

impl OutputTemplate {
    /// Compiles `text` (already trimmed by the loader, as Falco does).
    pub fn compile(text: &str) -> Result<OutputTemplate, TemplateError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < text.len() {
            let Some(rel) = text[i..].find('%') else {
                lit.push_str(&text[i..]);
                break;
            };
            lit.push_str(&text[i..i + rel]);
            let pct = i + rel;
            let mut j = pct + 1;
            if j >= text.len() {
                return Err(TemplateError {
                    offset: pct,
                    len: 1,
                    message: "formatting cannot end with a %".into(),
                });
            }
            let digits = bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
            let width = if digits > 0 {
                let w = text[j..j + digits]
                    .parse::<usize>()
                    .ok()
                    .filter(|w| *w <= MAX_WIDTH)
                    .ok_or_else(|| TemplateError {
                        offset: j,
                        len: digits,
                        message: format!("invalid width (at most {MAX_WIDTH})"),
                    })?;
                j += digits;
                // Falco applies a width only when it is not 0: `%0field` prints the whole value.
                (w != 0).then_some(w)
            } else {
                None
            };
            if has_multi_transformer(&text[j..]) {
                let (part, used) = compile_expr(&text[j..], j, width)?;
                if !lit.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut lit)));
                }
                parts.push(part);
                i = j + used;
                continue;
            }
            // Transformers: name( ... ) possibly nested.
            let mut transforms = Vec::new();
            let mut k = j;
            loop {
                let name_len = bytes[k..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count();
                if name_len > 0 && bytes.get(k + name_len) == Some(&b'(') {
                    if let Some(t) = Transformer::from_name(&text[k..k + name_len]) {
                        transforms.push(t);
                        k += name_len + 1;
                        continue;
                    }
                }
                break;
            }
            let (field, used) = parse_field(&text[k..]).map_err(|message| {
                let len = bytes[k..]
                    .iter()
                    .take_while(|b| is_name_byte(**b))
                    .count()
                    .max(1);
                TemplateError {
                    offset: k,
                    len,
                    message,
                }
            })?;
            k += used;
            for _ in 0..transforms.len() {
                if bytes.get(k) != Some(&b')') {
                    return Err(TemplateError {
                        offset: k,
                        len: 1,
                        message: "expected ')' to close the transformer".into(),
                    });
                }
                k += 1;
            }
            transforms.reverse();
            // Type-check the transformer chain (innermost first), as conditions do.
            let mut ty = field.ty();
            for t in &transforms {
                ty = transform::output_type(*t, ty).ok_or_else(|| TemplateError {
                    offset: j,
                    len: k - j,
                    message: format!(
                        "transformer '{}' does not accept a {} value",
                        t.name(),
                        ty.name()
                    ),
                })?;
            }
            if !lit.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut lit)));
            }
            let key: Arc<str> = field.display_name().into();
            parts.push(Part::Token {
                field,
                slot: NO_SLOT,
                transforms,
                width,
                key,
            });
            i = k;
        }
        if !lit.is_empty() {
            parts.push(Part::Literal(lit));
        }
        Ok(OutputTemplate {
            parts,
            text: text.into(),
        })
    }

    /// The template text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The `output_fields` keys (canonical field texts), in template order, without duplicates.
    pub fn field_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.parts {
            let keys: Vec<&Arc<str>> = match p {
                Part::Literal(_) => Vec::new(),
                Part::Token { key, .. } => vec![key],
                Part::Expr { fields, .. } => fields.iter().map(|(_, _, key)| key).collect(),
            };
            for key in keys {
                if !out.contains(&&**key) {
                    out.push(key);
                }
            }
        }
        out
    }

    /// Renders the template for `event`: the output text and the fields (untransformed values,
    /// `null` when missing), keyed by canonical field text.
    pub fn render(
        &self,
        event: &Event,
        state: &FieldState,
    ) -> (String, Vec<(Arc<str>, serde_json::Value)>) {
        self.render_cached(&mut ExtractCache::direct(event, state))
    }

    /// Gives every field of the template a slot in `table` (the ruleset's extraction cache), so
    /// that [`OutputTemplate::render_cached`] reuses values the conditions already read.
    pub(crate) fn assign_slots(&mut self, table: &mut SlotTable) {
        for p in &mut self.parts {
            match p {
                Part::Literal(_) => {}
                Part::Token { field, slot, .. } => *slot = table.assign(field),
                Part::Expr { value, fields, .. } => {
                    value.assign_slots(table);
                    for (field, slot, _) in fields {
                        *slot = table.assign(field);
                    }
                }
            }
        }
    }

    /// [`OutputTemplate::render`] reading fields through the event's extraction cache.
    pub(crate) fn render_cached(
        &self,
        cache: &mut ExtractCache<'_>,
    ) -> (String, Vec<(Arc<str>, serde_json::Value)>) {
        let mut out = String::with_capacity(self.text.len() + 32);
        let mut fields_out: Vec<(Arc<str>, serde_json::Value)> = Vec::new();
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Token {
                    field,
                    slot,
                    transforms,
                    width,
                    key,
                } => {
                    let event = cache.event();
                    let raw = cache.get(*slot, field);
                    if !fields_out.iter().any(|(k, _)| k == key) {
                        fields_out.push((key.clone(), output_json(field, raw.as_ref(), event)));
                    }
                    // Nanosecond parts print with 9 digits (when not transformed).
                    if let (Shown::Padded9, Some(Value::U64(n)), true, None) =
                        (field.def().shown, &raw, transforms.is_empty(), width)
                    {
                        let _ = write!(out, "{n:09}");
                        continue;
                    }
                    let mut v = raw;
                    for t in transforms {
                        v = v.and_then(|x| transform::apply(*t, x));
                    }
                    push_value(&mut out, *width, v.as_ref());
                }
                Part::Expr {
                    value,
                    width,
                    fields,
                } => {
                    let event = cache.event();
                    for (field, slot, key) in fields {
                        if !fields_out.iter().any(|(k, _)| k == key) {
                            let raw = cache.get(*slot, field);
                            fields_out.push((key.clone(), output_json(field, raw.as_ref(), event)));
                        }
                    }
                    let v = value.extract(cache);
                    push_value(&mut out, *width, v.as_ref());
                }
            }
        }
        (out, fields_out)
    }
}

/// Writes a token's value: `<NA>` when missing; padded or cut to `width` characters if given.
fn push_value(out: &mut String, width: Option<usize>, v: Option<&Value<'_>>) {
    match (width, v) {
        (None, Some(Value::Str(text))) => out.push_str(text),
        (None, Some(v)) => {
            let _ = write!(out, "{v}");
        }
        (None, None) => out.push_str("<NA>"),
        (Some(w), v) => {
            let text = match v {
                Some(v) => v.to_string(),
                None => "<NA>".to_string(),
            };
            let n = text.chars().count();
            if n >= w {
                out.extend(text.chars().take(w));
            } else {
                out.push_str(&text);
                out.extend(std::iter::repeat_n(' ', w - n));
            }
        }
    }
}

/// Whether the transformer chain at the start of `s` (`name(name(...`) reaches a multi-value
/// transformer (or `getopt`, which the condition parser then rejects with a clear message).
fn has_multi_transformer(s: &str) -> bool {
    let mut rest = s;
    loop {
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let (name, after) = rest.split_at(name_len);
        let Some(after) = after.strip_prefix('(') else {
            return false;
        };
        if MultiTransformer::from_name(name).is_some() || name == "getopt" {
            return true;
        }
        if Transformer::from_name(name).is_none() {
            return false;
        }
        rest = after;
    }
}

/// Compiles the transformer token at the start of `s` (at `offset` in the template) with the
/// condition parser and compiler; returns the part and the bytes it spans.
fn compile_expr(
    s: &str,
    offset: usize,
    width: Option<usize>,
) -> Result<(Part, usize), TemplateError> {
    let (ast, used) = match parse_transformer_prefix(s) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            return Err(TemplateError {
                offset,
                len: 1,
                message: "expected a transformer".into(),
            })
        }
        Err(e) => {
            return Err(TemplateError {
                offset: offset + e.offset,
                len: 1,
                message: e.message,
            })
        }
    };
    let (value, _) = Extractor::compile(&ast).map_err(|e| TemplateError {
        offset: offset + e.span.start,
        len: e.span.end.saturating_sub(e.span.start).max(1),
        message: e.message,
    })?;
    // Every field compiled above, so each resolves.
    let mut fields = Vec::new();
    ast.for_each_field(&mut |f| {
        if let Ok(field) = fields::resolve(&f.name, f.arg.as_deref()) {
            let key: Arc<str> = field.display_name().into();
            fields.push((field, NO_SLOT, key));
        }
    });
    Ok((
        Part::Expr {
            value,
            width,
            fields,
        },
        used,
    ))
}

/// A field's value in a JSON alert's `output_fields`: `null` when missing; the event time in
/// nanoseconds for Falco's time texts (`evt.time`, `evt.datetime`, ...), as Falco writes them.
fn output_json(field: &Field, value: Option<&Value<'_>>, event: &Event) -> serde_json::Value {
    match (value, field.def().shown) {
        (None, _) => serde_json::Value::Null,
        (Some(_), Shown::TimeNs) => event
            .published_ns()
            .and_then(|ns| i64::try_from(ns).ok())
            .map_or(serde_json::Value::Null, serde_json::Value::from),
        (Some(v), _) => v.to_json(),
    }
}

/// How the time prefix of the text format is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// `HH:MM:SS.nnnnnnnnn` in UTC (Falco prints local time here; see the crate docs).
    #[default]
    Time,
    /// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (Falco's `time_format_iso_8601: true`).
    Iso8601,
}

/// An alert: one rule that matched one event.
#[derive(Debug, Clone)]
pub struct Alert {
    /// The rule name.
    pub rule: Arc<str>,
    /// The rule priority.
    pub priority: Priority,
    /// The rule source (`okta`).
    pub source: Arc<str>,
    /// The rule tags, sorted.
    pub tags: Arc<[String]>,
    /// The event time (`published`) in nanoseconds since the Unix epoch.
    pub time_ns: i128,
    /// The host name reported in JSON alerts.
    pub hostname: Arc<str>,
    /// The rendered rule output (without the time and priority prefix).
    pub output: String,
    /// The fields of the output template with their values (`null` when missing).
    pub output_fields: Vec<(Arc<str>, serde_json::Value)>,
    /// The event that matched.
    pub event: Event,
}

#[derive(Serialize)]
struct JsonAlert<'a> {
    hostname: &'a str,
    output: &'a str,
    output_fields: BTreeMap<&'a str, &'a serde_json::Value>,
    priority: &'a str,
    rule: &'a str,
    source: &'a str,
    tags: &'a [String],
    time: &'a str,
}

impl Alert {
    /// The time prefix of the text line, e.g. `14:07:31.295000000`.
    pub fn time_prefix(&self, format: TimeFormat) -> String {
        let mut s = String::with_capacity(40);
        let text = match format {
            TimeFormat::Time => TimeText::Clock,
            TimeFormat::Iso8601 => TimeText::Iso8601,
        };
        fields::write_time(self.time_ns, text, &mut s);
        s
    }

    /// Falco's text line: `<time>: <Priority> <output>` (time in UTC).
    pub fn to_text(&self) -> String {
        self.to_text_with(TimeFormat::Time)
    }

    /// Falco's text line with the given time format.
    pub fn to_text_with(&self, format: TimeFormat) -> String {
        format!(
            "{}: {} {}",
            self.time_prefix(format),
            self.priority.as_str(),
            self.output
        )
    }

    /// The `time` of the JSON alert: UTC `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
    pub fn time_rfc3339(&self) -> String {
        let mut s = String::with_capacity(32);
        fields::write_time(self.time_ns, TimeText::Rfc3339, &mut s);
        s
    }

    /// Falco's JSON alert object (compact, keys in alphabetical order as Falco writes them).
    ///
    /// `output_fields` also holds `evt.time` (the event time in nanoseconds), as in Falco.
    pub fn to_json(&self) -> String {
        self.to_json_with(TimeFormat::Time)
    }

    /// [`Alert::to_json`] with the given time format for the `output` text (with `Iso8601` the
    /// time key in `output_fields` is `evt.time.iso8601`, as in Falco).
    pub fn to_json_with(&self, format: TimeFormat) -> String {
        let text = self.to_text_with(format);
        let time = self.time_rfc3339();
        let evt_time =
            serde_json::Value::from(i64::try_from(self.time_ns).unwrap_or(if self.time_ns < 0 {
                i64::MIN
            } else {
                i64::MAX
            }));
        let mut fields: BTreeMap<&str, &serde_json::Value> =
            self.output_fields.iter().map(|(k, v)| (&**k, v)).collect();
        let time_key = match format {
            TimeFormat::Time => "evt.time",
            TimeFormat::Iso8601 => "evt.time.iso8601",
        };
        fields.insert(time_key, &evt_time);
        let alert = JsonAlert {
            hostname: &self.hostname,
            output: &text,
            output_fields: fields,
            priority: self.priority.as_str(),
            rule: &self.rule,
            source: &self.source,
            tags: &self.tags,
            time: &time,
        };
        // Serializing plain strings, numbers and maps cannot fail.
        serde_json::to_string(&alert).unwrap_or_default()
    }
}

/// The host name for JSON alerts: `/proc/sys/kernel/hostname`, `/etc/hostname`, `$HOSTNAME`, or
/// `localhost`.
pub fn default_hostname() -> String {
    for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(path) {
            let s = s.trim();
            if !s.is_empty() {
                return s.to_string();
            }
        }
    }
    std::env::var("HOSTNAME")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Event {
        Event::from_bytes(json.as_bytes().to_vec()).unwrap()
    }

    const EV: &str = r#"{"uuid":"u1","published":"2024-05-14T14:07:31.295Z","eventType":"user.account.lock","actor":{"displayName":"Alice Smith"}}"#;

    fn alert(output: &str, fields: Vec<(Arc<str>, serde_json::Value)>) -> Alert {
        let ev = event(EV);
        Alert {
            rule: "User has been locked out in OKTA".into(),
            priority: Priority::Notice,
            source: "okta".into(),
            tags: vec!["okta".to_string()].into(),
            time_ns: ev.published_ns().unwrap(),
            hostname: "falco-host".into(),
            output: output.into(),
            output_fields: fields,
            event: ev,
        }
    }

    #[test]
    fn render_fields_and_literals() {
        let t =
            OutputTemplate::compile("A user (user=%okta.actor.name, type=%okta.evt.type)").unwrap();
        let (text, fields) = t.render(&event(EV), &FieldState::new());
        assert_eq!(text, "A user (user=Alice Smith, type=user.account.lock)");
        assert_eq!(fields.len(), 2);
        assert_eq!(&*fields[0].0, "okta.actor.name");
        assert_eq!(fields[0].1, serde_json::json!("Alice Smith"));
        assert_eq!(t.field_names(), vec!["okta.actor.name", "okta.evt.type"]);
    }

    #[test]
    fn longest_prefix_and_quotes() {
        let t = OutputTemplate::compile("'%okta.actor.name'.%okta.evt.type.").unwrap();
        let (text, _) = t.render(&event(EV), &FieldState::new());
        assert_eq!(text, "'Alice Smith'.user.account.lock.");
        let t = OutputTemplate::compile("x%okta.evt.typex").unwrap();
        let (text, _) = t.render(&event(EV), &FieldState::new());
        assert_eq!(text, "xuser.account.lockx");
        let t = OutputTemplate::compile("%okta.evt.type[x]").unwrap();
        let (text, _) = t.render(&event(EV), &FieldState::new());
        assert_eq!(text, "user.account.lock[x]");
    }

    #[test]
    fn width_and_transformers() {
        let t = OutputTemplate::compile(
            "[%5okta.actor.name][%14okta.actor.name][%toupper(okta.actor.name)]",
        )
        .unwrap();
        let (text, fields) = t.render(&event(EV), &FieldState::new());
        assert_eq!(text, "[Alice][Alice Smith   ][ALICE SMITH]");
        // The transformer token contributes the untransformed inner field.
        assert_eq!(
            fields,
            vec![("okta.actor.name".into(), serde_json::json!("Alice Smith"))]
        );
        let t = OutputTemplate::compile("%len(okta.actor.name)").unwrap();
        assert_eq!(t.render(&event(EV), &FieldState::new()).0, "11");
    }

    #[test]
    fn multi_value_transformer_tokens() {
        let render = |template: &str, ev: &str| {
            let t = OutputTemplate::compile(template).unwrap();
            t.render(&event(ev), &FieldState::new())
        };
        let (text, fields) = render(
            "who=%concat(okta.actor.name, \" (\", okta.evt.type, ')')!",
            EV,
        );
        assert_eq!(text, "who=Alice Smith (user.account.lock)!");
        // Each field read by the token is a key with its untransformed value; constants are not.
        assert_eq!(
            fields,
            vec![
                ("okta.actor.name".into(), serde_json::json!("Alice Smith")),
                (
                    "okta.evt.type".into(),
                    serde_json::json!("user.account.lock")
                ),
            ]
        );
        let (text, fields) = render(
            "[%5concat(okta.actor.name, 'x')][%toupper(concat(tolower(okta.actor.name), '!'))]",
            EV,
        );
        assert_eq!(text, "[Alice][ALICE SMITH!]");
        assert_eq!(fields.len(), 1);
        // A missing argument prints <NA>; its key is null.
        let (text, fields) = render(
            "%concat(okta.actor.name, okta.target.user.name) %len(join(',', okta.target.type))",
            EV,
        );
        assert_eq!(text, "<NA> <NA>");
        assert_eq!(
            fields[1],
            ("okta.target.user.name".into(), serde_json::Value::Null)
        );
        let t =
            OutputTemplate::compile("a %concat(okta.actor.name, 'b') %okta.actor.name").unwrap();
        assert_eq!(t.field_names(), vec!["okta.actor.name"]);
        // Errors point into the template.
        let e = OutputTemplate::compile("x %concat(okta.actor.name)").unwrap_err();
        assert_eq!(e.message, "concat() requires at least 2 arguments");
        assert_eq!((e.offset, e.len), (3, 23));
        let e = OutputTemplate::compile("x %concat(okta.actor.name, okta.actr.x)").unwrap_err();
        assert_eq!(e.offset, 27);
        assert!(
            e.message.contains("nonexistent field okta.actr.x"),
            "{}",
            e.message
        );
        let e = OutputTemplate::compile("x %concat(okta.actor.name, 'b'").unwrap_err();
        assert_eq!(e.offset, 30);
        let e = OutputTemplate::compile("%getopt(okta.actor.name, 'x')").unwrap_err();
        assert!(
            e.message.contains("not supported for okta fields"),
            "{}",
            e.message
        );
    }

    #[test]
    fn width_zero_is_no_width_and_widths_count_characters() {
        let render = |template: &str, ev: &str| {
            let t = OutputTemplate::compile(template).unwrap();
            t.render(&event(ev), &FieldState::new()).0
        };
        // Falco applies a width only when it is not 0.
        assert_eq!(render("[%0okta.actor.name]", EV), "[Alice Smith]");
        assert_eq!(render("[%00okta.actor.name]", EV), "[Alice Smith]");
        assert_eq!(render("[%0okta.debug[nope]]", EV), "[<NA>]");
        // Characters, not bytes (Falco would cut 'Ü' in half at 1 byte).
        let unicode = r#"{"actor":{"displayName":"\u00dcn\u00efX"}}"#;
        assert_eq!(render("[%1okta.actor.name]", unicode), "[Ü]");
        assert_eq!(render("[%3okta.actor.name]", unicode), "[Ünï]");
        assert_eq!(render("[%6okta.actor.name]", unicode), "[ÜnïX  ]");
    }

    #[test]
    fn widths_above_the_maximum_are_errors_not_huge_allocations() {
        assert!(OutputTemplate::compile("%4096okta.actor.name").is_ok());
        let e = OutputTemplate::compile("x %4097okta.actor.name").unwrap_err();
        assert_eq!((e.offset, e.len), (3, 4));
        assert_eq!(e.message, "invalid width (at most 4096)");
        // Larger than usize: the same error.
        let e = OutputTemplate::compile("%99999999999999999999999okta.actor.name").unwrap_err();
        assert_eq!(e.message, "invalid width (at most 4096)");
    }

    #[test]
    fn errors() {
        let e = OutputTemplate::compile("100%").unwrap_err();
        assert_eq!(e.message, "formatting cannot end with a %");
        assert_eq!(e.offset, 3);
        let e = OutputTemplate::compile("user=%okta.evt.typ x").unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(
            e.message.contains("did you mean 'okta.evt.type'"),
            "{}",
            e.message
        );
        let e = OutputTemplate::compile("a % b").unwrap_err();
        assert_eq!(e.offset, 3);
        let e = OutputTemplate::compile("%toupper(okta.actor.name").unwrap_err();
        assert!(e.message.contains("')'"));
        let e = OutputTemplate::compile("x %toupper(len(okta.actor.name))").unwrap_err();
        assert!(
            e.message.contains("'toupper' does not accept a uint64"),
            "{}",
            e.message
        );
        assert_eq!(e.offset, 3);
    }

    #[test]
    fn text_format() {
        let a = alert(
            "A user has been locked out in OKTA (user=Alice Smith)",
            vec![],
        );
        assert_eq!(
            a.to_text(),
            "14:07:31.295000000: Notice A user has been locked out in OKTA (user=Alice Smith)"
        );
        assert_eq!(
            a.to_text_with(TimeFormat::Iso8601),
            "2024-05-14T14:07:31.295000000+0000: Notice A user has been locked out in OKTA (user=Alice Smith)"
        );
    }

    #[test]
    fn json_format_is_falcos() {
        let a = alert(
            "A user has been locked out in OKTA (user=Alice Smith, ip=<NA>)",
            vec![
                ("okta.actor.name".into(), serde_json::json!("Alice Smith")),
                ("okta.zz".into(), serde_json::Value::Null),
            ],
        );
        let json = a.to_json();
        assert_eq!(
            json,
            r#"{"hostname":"falco-host","output":"14:07:31.295000000: Notice A user has been locked out in OKTA (user=Alice Smith, ip=<NA>)","output_fields":{"evt.time":1715695651295000000,"okta.actor.name":"Alice Smith","okta.zz":null},"priority":"Notice","rule":"User has been locked out in OKTA","source":"okta","tags":["okta"],"time":"2024-05-14T14:07:31.295000000Z"}"#
        );
        let v: serde_json::Value =
            serde_json::from_str(&a.to_json_with(TimeFormat::Iso8601)).unwrap();
        assert!(v["output_fields"]["evt.time.iso8601"].is_i64());
    }

    #[test]
    fn missing_value_is_na() {
        let t = OutputTemplate::compile("v=%okta.actor.name").unwrap();
        let ev = event(r#"{"uuid":"u","published":"2024-05-14T14:07:31.295Z","eventType":"x"}"#);
        let (text, _) = t.render(&ev, &FieldState::new());
        // okta.actor.name reads as "" when absent (the plugin's zero value), not <NA>.
        assert_eq!(text, "v=");
    }
}
