//! The compile step of a load: everything collected so far → compiled rules (reference §8 step 2).
//!
//! Data flow: lists are expanded (an item naming an earlier-visible list takes its items);
//! macros are list-expanded as text and parsed, then resolved by `super::macros` (visibility
//! §1.13: a macro sees the macros defined before its latest definition or append); each `okta`
//! rule has its output template compiled, its exceptions appended as condition text, its lists
//! expanded, its text parsed, all macros substituted and the tree compiled against the field
//! registry. Errors found in a condition are
//! mapped from byte offsets in the (expanded) text back to line and column in the rules file,
//! through the pieces of appended text and the YAML scalar's style. Finally lists and macros no
//! rule or macro uses are warned about.

use std::collections::HashMap;

use super::collector::{Collector, Origin, Pieces, RuleDef};
use super::reader::Text;
use super::yaml::{Mark, SourceText, Style};
use super::{exceptions, macros, Diag, FileInfo, Rule, ENGINE_VERSION};
use crate::compile::{self, Predicate};
use crate::condition::{self, ast::Expr};
use crate::output::OutputTemplate;
use crate::state::Threshold;

/// What a compile step produced.
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub rules: Vec<Rule>,
    pub skipped: Vec<String>,
    pub diags: Vec<Diag>,
}

/// Maps a byte offset in the decoded text of a YAML scalar to its position in the file.
pub(crate) fn text_mark(src: &SourceText<'_>, t: &Text, offset: usize) -> Mark {
    let end = t.end.byte.min(src.text.len()).max(t.start.byte);
    let region = &src.text[t.start.byte..end];
    // Segments: (byte offset in the file, length) of each line's content, in order.
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut line_start = t.start.byte;
    for (i, line) in region.split('\n').enumerate() {
        let abs = line_start;
        line_start += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (skip, content) = match (i, t.style) {
            // Block scalars start at their first content line.
            (0, Style::SingleQuoted | Style::DoubleQuoted) => {
                let c = line.get(1..).unwrap_or("");
                (1, c)
            }
            (0, Style::Plain | Style::Literal | Style::Folded) => (0, line),
            _ => {
                let trimmed = line.trim_start();
                (line.len() - trimmed.len(), trimmed)
            }
        };
        let content = content.trim_end();
        segments.push((abs + skip, content.len()));
    }
    let mut decoded = 0;
    for (i, (abs, len)) in segments.iter().enumerate() {
        if offset <= decoded + len || i + 1 == segments.len() {
            let within = offset.saturating_sub(decoded).min(*len);
            return src.mark_of_byte(abs + within);
        }
        decoded += len + 1;
    }
    t.start
}

/// Maps an offset in `expanded` (the list-expanded text) back to `original`, exactly outside the
/// changed region and at its start inside it.
fn unexpand(original: &str, expanded: &str, offset: usize) -> usize {
    if original == expanded {
        return offset.min(original.len());
    }
    let prefix = original
        .bytes()
        .zip(expanded.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = original
        .bytes()
        .rev()
        .zip(expanded.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(original.len() - prefix)
        .min(expanded.len() - prefix);
    if offset < prefix {
        offset
    } else if offset >= expanded.len() - suffix {
        original.len() - (expanded.len() - offset)
    } else {
        prefix
    }
    .min(original.len())
}

struct Ctx<'a> {
    files: &'a [FileInfo],
    sources: Vec<SourceText<'a>>,
}

impl Ctx<'_> {
    /// A diagnostic at byte `offset` of the joined text of `pieces`.
    fn at(&self, pieces: &Pieces, offset: usize, len: usize, message: String) -> Diag {
        match pieces.locate(offset) {
            Some((piece, within)) => {
                let mark = self
                    .sources
                    .get(piece.file)
                    .map_or(piece.text.start, |s| text_mark(s, &piece.text, within));
                Diag::error(mark, message).in_file(piece.file).with_len(len)
            }
            None => Diag::error(Mark::default(), message),
        }
    }
}

fn lists_used(used: &[usize], flags: &mut [bool]) {
    for &i in used {
        if let Some(f) = flags.get_mut(i) {
            *f = true;
        }
    }
}

/// Compiles what `col` holds (diagnostics name their file: everything compiled has one).
pub(crate) fn compile(col: &Collector, files: &[FileInfo]) -> Output {
    let ctx = Ctx {
        files,
        sources: files.iter().map(|f| SourceText::new(&f.text)).collect(),
    };
    let mut out = Output::default();

    // 1. Lists: items naming an earlier-visible list take its items.
    let mut list_used = vec![false; col.lists.len()];
    let mut lists: Vec<(String, Vec<String>)> = Vec::with_capacity(col.lists.len());
    for l in &col.lists {
        let visible: Vec<(usize, (&str, &[String]))> = col
            .lists
            .iter()
            .enumerate()
            .filter(|(_, o)| o.index < l.visibility && o.name != l.name)
            .map(|(i, o)| (i, (o.name.as_str(), o.items.as_slice())))
            .collect();
        let earlier: Vec<(&str, &[String])> = visible.iter().map(|(_, x)| *x).collect();
        let (items, used) = condition::expand_list_items(&l.items, &earlier);
        for u in used {
            list_used[visible[u].0] = true;
        }
        lists.push((l.name.clone(), items));
    }

    // 2. Macros: each list-expanded and parsed on its own, then resolved with Falco's
    // visibility (`macros`: in definition order, each seeing the macros defined before its
    // latest definition or append).
    let mut macro_used = vec![false; col.macros.len()];
    let mut parsed: Vec<Option<(String, String, Expr)>> = Vec::with_capacity(col.macros.len());
    for m in &col.macros {
        let text = m.condition.text();
        let (expanded, used) = condition::expand_lists_with_usage(&text, &lists);
        lists_used(&used, &mut list_used);
        match condition::parse(&expanded) {
            Ok(e) => parsed.push(Some((text, expanded, e))),
            Err(e) => {
                let off = unexpand(&text, &expanded, e.offset);
                out.diags.push(
                    ctx.at(&m.condition, off, 1, e.message)
                        .item("macro", &m.name),
                );
                parsed.push(None);
            }
        }
    }
    let input: Vec<macros::MacroIn<'_>> = col
        .macros
        .iter()
        .zip(&parsed)
        .map(|(m, p)| macros::MacroIn {
            name: &m.name,
            index: m.index,
            visibility: m.visibility,
            expr: p.as_ref().map(|(_, _, e)| e),
        })
        .collect();
    let results = macros::resolve(&input);
    let mut resolved: HashMap<String, Expr> = HashMap::new();
    let mut sources: HashMap<String, MacroSource> = HashMap::new();
    let mut broken: Vec<&str> = Vec::new();
    for (mi, ((m, p), result)) in col.macros.iter().zip(parsed).zip(results).enumerate() {
        // A macro that does not parse has its parse error already.
        let Some((text, expanded, _)) = p else {
            broken.push(&m.name);
            continue;
        };
        match result {
            Ok(r) => {
                for u in r.uses {
                    if let Some(f) = macro_used.get_mut(u) {
                        *f = true;
                    }
                }
                resolved.insert(m.name.clone(), r.expr);
                sources.insert(
                    m.name.clone(),
                    MacroSource {
                        text,
                        expanded,
                        index: mi,
                    },
                );
            }
            Err(f) => {
                let off = unexpand(&text, &expanded, f.span.start);
                out.diags.push(
                    ctx.at(
                        &m.condition,
                        off,
                        f.span.end.saturating_sub(f.span.start),
                        f.message,
                    )
                    .item("macro", &m.name),
                );
                broken.push(&m.name);
            }
        }
    }

    // 3. Rules.
    for r in &col.rules {
        match r.source.as_deref() {
            Some("okta") => {}
            other => {
                let src = other.unwrap_or("syscall");
                let hint = if other.is_none() {
                    " (a rule without 'source:' is a syscall rule in Falco; add 'source: okta')"
                } else {
                    ""
                };
                out.diags.push(
                    Diag::warning(
                        r.origin.mark,
                        format!("Unknown source {src}, skipping{hint}"),
                    )
                    .in_file(r.origin.file)
                    .item("rule", &r.name),
                );
                out.skipped.push(r.name.clone());
                continue;
            }
        }
        let mut warnings = Vec::new();
        let compiled = compile_rule(
            &ctx,
            r,
            &lists,
            &Macros {
                resolved: &resolved,
                sources: &sources,
                broken: &broken,
                defs: &col.macros,
            },
            &mut Used {
                lists: &mut list_used,
                macros: &mut macro_used,
            },
            &mut warnings,
        );
        out.diags
            .extend(warnings.into_iter().map(|d| d.item("rule", &r.name)));
        let errors = match compiled {
            Ok(rule) => {
                out.rules.push(rule);
                continue;
            }
            Err(errors) => errors,
        };
        // Skipped rather than an error, when the rule allows it and every error is an unknown field.
        let skip = r.skip_if_unknown_filter && errors.iter().all(|d| is_unknown_filter(&d.message));
        if skip {
            out.skipped.push(r.name.clone());
        }
        for d in errors {
            let d = d.item("rule", &r.name);
            out.diags.push(match skip {
                true => Diag {
                    severity: crate::error::Severity::Warning,
                    message: format!("{} (rule skipped: skip-if-unknown-filter)", d.message),
                    ..d
                },
                false => d,
            });
        }
    }

    // 4. Unused lists and macros (not when something failed: a rule that does not parse cannot
    // say which macros it uses, and the load fails anyway).
    if out
        .diags
        .iter()
        .any(|d| d.severity == crate::error::Severity::Error)
    {
        return out;
    }
    for (i, l) in col.lists.iter().enumerate() {
        if !list_used[i] {
            out.diags.push(
                Diag::warning(
                    l.origin.mark,
                    "List not referred to by any other rule/macro",
                )
                .in_file(l.origin.file)
                .item("list", &l.name),
            );
        }
    }
    for (i, m) in col.macros.iter().enumerate() {
        if !macro_used[i] {
            out.diags.push(
                Diag::warning(
                    m.origin.mark,
                    "Macro not referred to by any other rule/macro",
                )
                .in_file(m.origin.file)
                .item("macro", &m.name),
            );
        }
    }
    out
}

fn is_unknown_filter(message: &str) -> bool {
    [
        "unknown field",
        "nonexistent field",
        "invalid formatting token",
        "unknown filter",
    ]
    .iter()
    .any(|s| message.contains(s))
}

fn compile_rule(
    ctx: &Ctx<'_>,
    r: &RuleDef,
    lists: &[(String, Vec<String>)],
    macros: &Macros<'_>,
    used: &mut Used<'_>,
    compile_warnings: &mut Vec<Diag>,
) -> Result<Rule, Vec<Diag>> {
    // Falco validates the output before the condition and stops at the first error; both are
    // checked here, and both errors reported, as a compiler would.
    let output = OutputTemplate::compile(&r.output.text())
        .map_err(|e| ctx.at(&r.output, e.offset, e.len, e.message));
    let mut more_errors = Vec::new();
    let condition = compile_condition(
        ctx,
        r,
        lists,
        macros,
        used,
        compile_warnings,
        &mut more_errors,
    );
    let (output, (condition, predicate)) = match (output, condition) {
        (Ok(output), Ok(condition)) => (output, condition),
        (output, condition) => {
            let errors = output.err().into_iter().chain(condition.err());
            return Err(errors.chain(more_errors).collect());
        }
    };

    let threshold = match &r.threshold {
        None => None,
        Some((spec, file)) => {
            let mut by = Vec::new();
            for t in &spec.by {
                let f = okta_stream::fields::resolve_str(t.text.trim()).map_err(|e| {
                    let src = ctx.sources.get(*file);
                    let mark = src.map_or(t.start, |s| text_mark(s, t, 0));
                    vec![Diag::error(mark, e.to_string())
                        .in_file(*file)
                        .with_len(t.text.len())]
                })?;
                by.push(f);
            }
            Some(Threshold {
                count: spec.count,
                window_secs: spec.window_secs,
                by,
            })
        }
    };

    Ok(Rule {
        name: r.name.clone(),
        desc: r.desc.clone(),
        priority: r.priority,
        source: "okta".to_string(),
        tags: r.tags.iter().cloned().collect(),
        enabled: r.enabled,
        condition,
        output,
        predicate,
        threshold,
        file: ctx.files[r.origin.file].name.clone(),
        pos: r.origin.mark.pos,
    })
}

/// Compiles a rule's condition (with its exceptions and macros): the final condition text and
/// the predicate, or the first error.
fn compile_condition(
    ctx: &Ctx<'_>,
    r: &RuleDef,
    lists: &[(String, Vec<String>)],
    macros: &Macros<'_>,
    used: &mut Used<'_>,
    compile_warnings: &mut Vec<Diag>,
    more_errors: &mut Vec<Diag>,
) -> Result<(String, Predicate), Diag> {
    // The rule's own condition, alone, for precise parse errors.
    let own = r.condition.text();
    let (own_expanded, used_lists) = condition::expand_lists_with_usage(&own, lists);
    lists_used(&used_lists, used.lists);
    let own_expr = condition::parse(&own_expanded).map_err(|e| {
        let off = unexpand(&own, &own_expanded, e.offset);
        ctx.at(&r.condition, off, 1, e.message)
    })?;

    // With exceptions appended as text (reference §4.3): `(<own>)` then one part per exception.
    let excs: Vec<_> = r.exceptions.iter().map(|e| e.ex.clone()).collect();
    let parts = exceptions::condition_parts(&excs);
    let suffix: String = parts.iter().map(|p| p.text.as_str()).collect();
    // Each part's start in the suffix.
    let mut starts: Vec<usize> = Vec::with_capacity(parts.len());
    let mut start = 0;
    for p in &parts {
        starts.push(start);
        start += p.text.len();
    }
    // An error in the exceptions' text: at the entry that wrote the value holding
    // `suffix_offset` (the exception's own entry when the offset is outside its values, the
    // last part when past the end), or at the exceptions key when the offset says nothing.
    let exc_diag = |suffix_offset: Option<usize>, message: String| {
        let part = suffix_offset.and_then(|o| {
            let i = starts
                .iter()
                .zip(&parts)
                .position(|(s, p)| o < s + p.text.len())
                .or(parts.len().checked_sub(1))?;
            Some((&parts[i], o.saturating_sub(starts[i])))
        });
        let Some((part, at)) = part else {
            let origin = r.exceptions_origin.unwrap_or(r.origin);
            return Diag::error(origin.mark, format!("in exceptions: {message}"))
                .in_file(origin.file);
        };
        match r.exceptions.get(part.exception) {
            Some(e) => {
                let origin = part
                    .values
                    .iter()
                    .find(|(_, range)| range.contains(&at))
                    .and_then(|(v, _)| e.value_origins.get(*v))
                    .copied()
                    .unwrap_or(Origin {
                        file: e.file,
                        mark: e.ex.mark,
                    });
                Diag::error(
                    origin.mark,
                    format!("in exception '{}': {message}", e.ex.name),
                )
                .in_file(origin.file)
            }
            None => {
                let origin = r.exceptions_origin.unwrap_or(r.origin);
                Diag::error(origin.mark, format!("in exceptions: {message}")).in_file(origin.file)
            }
        }
    };
    // Where an offset of the full expanded text is.
    let locate = |full: &str, full_expanded: &str, offset: usize, len: usize, message: String| {
        let off = unexpand(full, full_expanded, offset);
        if suffix.is_empty() {
            ctx.at(&r.condition, off, len, message)
        } else if off >= 1 && off < 1 + own.len() {
            ctx.at(&r.condition, off - 1, len, message)
        } else if off == 0 {
            exc_diag(None, message)
        } else {
            // Past `(<own>)`.
            exc_diag(Some(off.saturating_sub(own.len() + 2)), message)
        }
    };
    let (full, full_expanded, expr) = if suffix.is_empty() {
        (own.clone(), own_expanded.clone(), own_expr)
    } else {
        let full = format!("({own}){suffix}");
        let (full_expanded, used_lists) = condition::expand_lists_with_usage(&full, lists);
        lists_used(&used_lists, used.lists);
        let expr = condition::parse(&full_expanded)
            .map_err(|e| locate(&full, &full_expanded, e.offset, 1, e.message))?;
        (full, full_expanded, expr)
    };
    let locate = |offset: usize, len: usize, message: String| -> Diag {
        locate(&full, &full_expanded, offset, len, message)
    };

    // Macros: all collected macros are visible to rules.
    let refs: Vec<String> = expr.macro_refs().into_iter().map(str::to_string).collect();
    for name in &refs {
        if let Some(i) = macros.defs.iter().position(|m| &m.name == name) {
            if let Some(flag) = used.macros.get_mut(i) {
                *flag = true;
            }
        }
        if macros.broken.contains(&name.as_str()) {
            return Err(Diag::error(
                r.origin.mark,
                format!("uses macro '{name}', which has errors"),
            )
            .in_file(r.origin.file));
        }
    }
    // Each reference is a copy of the macro's tree: bound the total before copying.
    let mut nodes = macros::tree_size(&expr);
    let mut too_large = None;
    expr.walk(&mut |e| {
        if let Expr::Macro { name, .. } = e {
            nodes = nodes.saturating_add(macros.resolved.get(name).map_or(0, macros::tree_size));
            if nodes > macros::MAX_NODES && too_large.is_none() {
                too_large = Some(name.clone());
            }
        }
    });
    if let Some(name) = too_large {
        return Err(Diag::error(r.origin.mark, macros::too_large(&name)).in_file(r.origin.file));
    }
    let expr = expr
        .substitute_macros(macros.resolved)
        .map_err(|u| locate(u.span.start, u.name.len(), u.to_string()))?;

    // An error inside a substituted macro carries the span of the reference: say which.
    let in_macro = |start: usize, end: usize, message: String| -> String {
        match refs
            .iter()
            .find(|n| full_expanded.get(start..end) == Some(n.as_str()))
        {
            Some(m) => format!("{message} (in macro '{m}')"),
            None => message,
        }
    };
    let first_error = |start: usize, end: usize, message: String, unknown: bool| {
        // An error inside a macro: point into the macro's own text.
        if let Some(name) = full_expanded.get(start..end) {
            if refs.iter().any(|r| r == name) {
                if let Some(d) = macro_error(ctx, macros, name, 0) {
                    return Diag {
                        message: format!(
                            "{} (in macro '{name}', used by rule '{}')",
                            d.message, r.name
                        ),
                        ..d
                    };
                }
            }
        }
        let message = field_message(full_expanded.get(start..end), message, unknown);
        locate(
            start,
            end.saturating_sub(start),
            in_macro(start, end, message),
        )
    };
    let (predicate, warnings) = match compile_expr(&expr) {
        Ok(compiled) => compiled,
        Err((start, end, message, unknown)) => {
            // The other errors of the condition's own text too (those inside macros are the
            // macros' to report), as a compiler lists them.
            for e in compile::all_errors(&expr) {
                let (s, t) = (e.span.start, e.span.end);
                let text = full_expanded.get(s..t);
                if (s, t) == (start, end) || text.is_some_and(|x| refs.iter().any(|r| r == x)) {
                    continue;
                }
                let unknown = e.is_unknown_field();
                let message = field_message(text, e.message, unknown);
                more_errors.push(locate(s, t.saturating_sub(s), message));
            }
            return Err(first_error(start, end, message, unknown));
        }
    };
    for (start, end, message) in warnings {
        let d = locate(
            start,
            end.saturating_sub(start),
            in_macro(start, end, message),
        );
        compile_warnings.push(Diag {
            severity: crate::error::Severity::Warning,
            ..d
        });
    }

    Ok((full, predicate))
}

/// The text and list-expanded text of a resolved macro.
struct MacroSource {
    text: String,
    expanded: String,
    index: usize,
}

/// Which lists and macros (by position in the collection) something used, for the warnings
/// about unused ones.
struct Used<'a> {
    lists: &'a mut [bool],
    macros: &'a mut [bool],
}

/// The macros as rules see them.
struct Macros<'a> {
    resolved: &'a HashMap<String, Expr>,
    sources: &'a HashMap<String, MacroSource>,
    broken: &'a [&'a str],
    defs: &'a [super::collector::MacroDef],
}

/// Unknown fields: the compiler-style message with the closest known field.
fn field_message(name: Option<&str>, message: String, unknown: bool) -> String {
    match name {
        Some(name) if unknown => match okta_stream::fields::resolve_str(name) {
            Err(e @ okta_stream::fields::FieldError::Unknown { .. }) => e.to_string(),
            _ => message,
        },
        _ => message,
    }
}

/// Where the compile error of macro `name`'s resolved tree is, in the macro's own text (following
/// nested macros).
fn macro_error(ctx: &Ctx<'_>, macros: &Macros<'_>, name: &str, depth: usize) -> Option<Diag> {
    let body = macros.resolved.get(name)?;
    let src = macros.sources.get(name)?;
    let (start, end, message, unknown) = compile_expr(body).err()?;
    let inner = src.expanded.get(start..end);
    if let Some(inner) = inner {
        if depth < 32 && inner != name && macros.sources.contains_key(inner) {
            if let Some(d) = macro_error(ctx, macros, inner, depth + 1) {
                return Some(d);
            }
        }
    }
    let def = macros.defs.get(src.index)?;
    let off = unexpand(&src.text, &src.expanded, start);
    Some(
        ctx.at(
            &def.condition,
            off,
            end.saturating_sub(start),
            field_message(inner, message, unknown),
        )
        .item("macro", name),
    )
}

/// Compiles a macro-free tree; errors and warnings are `(start, end, message)` in the parsed text.
#[allow(clippy::type_complexity)]
fn compile_expr(
    expr: &Expr,
) -> Result<(Predicate, Vec<(usize, usize, String)>), (usize, usize, String, bool)> {
    compile::compile(expr)
        .map(|c| {
            let warnings = c
                .warnings
                .into_iter()
                .map(|w| (w.span.start, w.span.end, w.message))
                .collect();
            (c.predicate, warnings)
        })
        .map_err(|e| {
            let unknown = e.is_unknown_field();
            (e.span.start, e.span.end, e.message, unknown)
        })
}

/// Checks made once all files are loaded: `required_engine_version` and
/// `required_plugin_versions`.
pub(crate) fn check_requirements(col: &Collector) -> Vec<Diag> {
    let mut out = Vec::new();
    for (req, origin) in &col.required_engine {
        let ok = req.0 == ENGINE_VERSION.0 && *req <= ENGINE_VERSION;
        if !ok {
            out.push(
                Diag::error(
                    origin.mark,
                    format!(
                        "Rules require engine version {}.{}.{}, but engine version is {}.{}.{}",
                        req.0, req.1, req.2, ENGINE_VERSION.0, ENGINE_VERSION.1, ENGINE_VERSION.2
                    ),
                )
                .in_file(origin.file),
            );
        }
    }
    for (req, file) in &col.required_plugins {
        // okta-rules implements the okta plugin's field set itself: any okta requirement holds.
        if req.alternatives.iter().any(|(n, _)| n == "okta") {
            continue;
        }
        let names: Vec<String> = req
            .alternatives
            .iter()
            .map(|(n, v)| format!("{n} (>= {v})"))
            .collect();
        out.push(
            Diag::warning(
                req.mark,
                format!(
                    "Plugin requirement not satisfied, must load one of: {} (okta-rules provides only the okta field set; rules of other sources are skipped)",
                    names.join(", ")
                ),
            )
            .in_file(*file),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml;

    fn cond_text<'a>(src: &'a str, key: &str) -> (SourceText<'a>, Text) {
        let s = SourceText::new(src);
        let docs = yaml::parse(&s).unwrap();
        let item = &docs[0].as_ref().unwrap().seq().unwrap()[0];
        let (_, v) = item.get(key).unwrap();
        let t = Text {
            text: v.scalar().unwrap().to_string(),
            start: v.start,
            end: v.end,
            style: v.style().unwrap(),
        };
        (s, t)
    }

    #[test]
    fn plain_and_quoted_offsets() {
        let (s, t) = cond_text("- c: okta.evt.typ = x\n", "c");
        assert_eq!(text_mark(&s, &t, 0).pos.col, 6);
        assert_eq!(text_mark(&s, &t, 5).pos.col, 11);
        let (s, t) = cond_text("- c: \"okta.evt.typ = x\"\n", "c");
        assert_eq!(text_mark(&s, &t, 5).pos.col, 12);
    }

    #[test]
    fn block_scalar_offsets() {
        let src = "- c: >\n    a = b\n    and okta.evt.typ = x\n";
        let (s, t) = cond_text(src, "c");
        let off = t.text.find("okta").unwrap();
        let m = text_mark(&s, &t, off);
        assert_eq!((m.pos.line, m.pos.col), (3, 9));
        let src = "- c: |\n    a = b\n    and okta.evt.typ = x\n";
        let (s, t) = cond_text(src, "c");
        let off = t.text.find("okta").unwrap();
        let m = text_mark(&s, &t, off);
        assert_eq!((m.pos.line, m.pos.col), (3, 9));
        let src = "- c: a = b\n    and okta.evt.typ = x\n";
        let (s, t) = cond_text(src, "c");
        let off = t.text.find("okta").unwrap();
        let m = text_mark(&s, &t, off);
        assert_eq!((m.pos.line, m.pos.col), (2, 9));
    }

    #[test]
    fn a_rule_using_a_large_macro_many_times_is_an_error_not_a_huge_tree() {
        // m12 has 2^13 - 1 nodes: 12 references fit in the limit, 13 do not.
        let mut text = String::from("- macro: m0\n  condition: okta.evt.type = x\n");
        for i in 1..=12 {
            text.push_str(&format!(
                "- macro: m{i}\n  condition: m{} or m{}\n",
                i - 1,
                i - 1
            ));
        }
        let rule = |refs: usize| {
            format!(
                "- rule: r\n  desc: d\n  condition: {}\n  output: o\n  priority: INFO\n  source: okta\n",
                vec!["m12"; refs].join(" or ")
            )
        };
        let options = crate::load::LoadOptions::default();
        let ok = crate::load::load_str("f.yaml", &format!("{text}{}", rule(12)), &options);
        assert_eq!(ok.unwrap().rules.len(), 1);
        let err = crate::load::load_str("f.yaml", &format!("{text}{}", rule(13)), &options)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "the condition has more than 100000 nodes once macro 'm12' is substituted"
            ),
            "{err}"
        );
    }

    #[test]
    fn unexpand_offsets() {
        let o = "x in (l) and y = 1";
        let e = "x in ( a, b ) and y = 1";
        assert_eq!(unexpand(o, e, 0), 0);
        assert_eq!(
            unexpand(o, e, e.find("y =").unwrap()),
            o.find("y =").unwrap()
        );
        assert_eq!(unexpand(o, e, 7), 6);
    }
}
