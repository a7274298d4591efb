//! Renderings of the registry for people and programs: the Markdown field reference
//! (`docs/fields.md`), the aligned text table and the JSON array printed by `okta-cli fields`.
//!
//! Data flow: each function walks [`REGISTRY`] in order and renders every row; nothing here reads
//! events. Fields are grouped by name prefix (see [`group_of`]) for the Markdown reference.

use std::fmt::Write as _;

use super::{ArgKind, FieldDef, FieldType, Missing, REGISTRY};

/// The reference groups, in order: (title, what the group covers).
const GROUPS: &[(&str, &str)] = &[
    ("Event", "Top-level properties of the LogEvent."),
    ("Actor", "Who performed the action (`actor`)."),
    ("Client", "Where the request came from (`client`)."),
    ("Outcome and transaction", "`outcome` and `transaction`."),
    ("Debug data", "`debugContext.debugData`: an open map whose keys Okta does not guarantee."),
    ("Authentication", "`authenticationContext`."),
    ("Security context", "`securityContext`: network intelligence and risk."),
    ("Device", "The top-level `device` object (Okta Verify devices)."),
    ("Request", "`request`."),
    ("Targets", "The `target` array. Okta does not keep targets in a stable order: prefer the accessors by type."),
    ("Counters", "Stateful counts over event time, per actor (see below)."),
    ("Any property", "Reach any property by JSON pointer, including ones Okta adds later."),
    ("Generic event fields", "Falco's `evt.*` fields, which Falco gives rules of every plugin source. Times are the event's `published` (absent when it does not parse), written in UTC."),
];

/// The reference group of a field, from its name.
pub fn group_of(def: &FieldDef) -> &'static str {
    if def.name.starts_with("evt.") {
        return "Generic event fields";
    }
    let rest = def.name.strip_prefix("okta.").unwrap_or(def.name);
    let head = rest.split('.').next().unwrap_or(rest);
    match head {
        "actor" => "Actor",
        "client" | "useragent" => "Client",
        "result" | "reason" | "transaction" => "Outcome and transaction",
        "app" | "requesturi" | "behaviors" | "logonlysecuritydata" | "principal" | "debug" => {
            "Debug data"
        }
        "authentication" => "Authentication",
        "security" => "Security context",
        "device" => "Device",
        "request" => "Request",
        "target" | "targets" => "Targets",
        "mfa" => "Counters",
        "json" => "Any property",
        _ => "Event",
    }
}

fn missing_text(def: &FieldDef) -> &'static str {
    match (def.missing, def.ty) {
        (Missing::Empty, FieldType::U64) => "0",
        (Missing::Empty, FieldType::Bool) => "false",
        (Missing::Empty, _) => "empty",
        (Missing::Absent, _) => "absent",
    }
}

fn arg_text(arg: ArgKind) -> &'static str {
    arg.describe()
}

const MODEL: &str = "\
## Missing values

Okta leaves out or nulls almost any property. Each field says what it gives then (column *Missing*):

* **empty**: the field of Falco's Okta plugin always has a value, as in the plugin: a missing or
  `null` property reads as the empty string (`0` for `okta.security.asnumber`). A rule written for
  Falco, such as `okta.client.geo.country != \"\"`, behaves the same.
* **absent**: the field has no value. In a rule every comparison on an absent field is false
  (`!=` included) and `exists` is false (Falco prints `<NA>` for it in outputs).
  Fields beyond the plugin are absent when the property is missing or `null`, and `\"\"` when the JSON
  holds `\"\"`, so `exists` tells the two apart. The plugin's target and app fields are absent when
  the event has no such target or no `/app/<name>/` request URI; a target that exists but lacks the
  property reads as `\"\"`.

Values are read as they are in the JSON: a string as its text; a number where a string is expected
(`postalCode` 10013, `version` 0, `authenticationStep` 0, `lat`/`lon`) as the number as written; an
object or array (for example `okta.debug[originalPrincipal]`) as compact JSON text. Literal strings
such as `\"null\"` in `client.zone` or `client.ipAddress` are kept, as the plugin keeps them.

## Arguments

A field argument goes in brackets at the end of the name: `okta.debug[dtHash]`,
`okta.targets.displayName[0]`, `okta.target.id[URL Pattern]` (the text up to the closing bracket,
spaces included), `okta.json[/securityContext/risk/level]`. *index* is `0` or a number without a
leading zero; *key* is text. Type `list` fields hold several strings: use them with `in`
(the list is not empty and every item is in the set), `intersects` (some item is) or `exists`, as Falco allows for list
fields.

## Counters

`okta.mfa.failure.countlast[N]` and `okta.mfa.deny.countlast[N]` count, for the actor of the current
event (`actor.id`, else `actor.alternateId`), the events of the same kind whose `published` time is
in the N seconds up to the current event's time, the current event included. A counter has a value
only on an event of its own kind: failures are `user.authentication.auth_via_mfa` with outcome
`FAILURE` (on Identity Engine orgs this is also how a rejected factor is logged), denies are
`user.mfa.okta_verify.deny_push`. Events that arrive out of `published` order are counted in their
own window. Memory is bounded: 24 hours of event time, 10,000 actors and 64 times per actor by
default (`StateLimits`), so counts saturate at 64 and windows longer than the retention count only
the retained part.

## Differences from Falco's Okta plugin

* `okta.client.geo.lon` reads `lon` (the plugin reads a misspelt key and always gives `0`);
  `lat`/`lon` are the number as written, and empty when missing (the plugin prints `0`).
* `okta.security.isproxy` is a boolean, absent when Okta does not know (`null`).
* `okta.authentication.step` is a string as the plugin declares it (`\"0\"`), read from the JSON number.
* The counters only answer for their own kind of event (the plugin answers both with the count of
  the current event's kind), end the window at the event's own time (later events do not count),
  and count a repeated event once but two events in the same millisecond twice.
* `okta.app` ends the name at `/`, `?` or `#` (the plugin keeps a query string: `/app/x?y` gives `x?y`).
* Properties the plugin does not model are kept: `okta.json[...]`, `okta.debug[...]` and the event's
  raw bytes reach them.
";

/// The Markdown field reference (the content of `docs/fields.md`).
pub fn markdown_reference() -> String {
    let mut out = String::new();
    out.push_str("# okta.* field reference\n\n");
    out.push_str(
        "<!-- Generated from the field registry (okta-stream/src/fields/registry.rs) by \
         `okta_stream::fields::markdown_reference()`. Do not edit by hand: run \
         `UPDATE_DOCS=1 cargo test -p okta-stream --test fields_doc` instead. -->\n\n",
    );
    let falco = REGISTRY.iter().filter(|d| d.falco).count();
    let _ = writeln!(
        out,
        "{} fields: every field of Falco's Okta plugin (v0.12) and Falco's generic `evt.*` \
         fields, same names and meaning ({falco}, column *Falco*), and more. `okta-cli fields` prints this table; `okta-cli fields --json` \
         prints it for programs.\n",
        REGISTRY.len()
    );
    out.push_str(MODEL);
    for (group, about) in GROUPS {
        let rows: Vec<&FieldDef> = REGISTRY.iter().filter(|d| group_of(d) == *group).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(out, "\n## {group}\n\n{about}\n\n");
        out.push_str("| Field | Type | Argument | Missing | Falco | Description |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for def in rows {
            let name = match def.arg {
                ArgKind::None => format!("`{}`", def.name),
                ArgKind::Index { .. } => format!("`{}[i]`", def.name),
                ArgKind::Key { .. } => format!("`{}[key]`", def.name),
            };
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {} |",
                def.ty.name(),
                arg_text(def.arg),
                missing_text(def),
                if def.falco { "yes" } else { "" },
                def.description.replace('|', "\\|"),
            );
        }
    }
    out
}

/// The registry as a JSON array of objects `{name, type, arg, description, missing, falco}`.
pub fn json_reference() -> serde_json::Value {
    serde_json::Value::Array(
        REGISTRY
            .iter()
            .map(|def| {
                serde_json::json!({
                    "name": def.name,
                    "type": def.ty.name(),
                    "arg": def.arg.describe(),
                    "description": def.description,
                    "missing": missing_text(def),
                    "falco": def.falco,
                })
            })
            .collect(),
    )
}

/// The registry as an aligned text table with a header: name, type, argument, description.
pub fn text_table() -> String {
    let headers = ["NAME", "TYPE", "ARG", "DESCRIPTION"];
    let rows: Vec<[String; 4]> = REGISTRY
        .iter()
        .map(|d| {
            [
                d.name.to_string(),
                d.ty.name().to_string(),
                d.arg.describe().to_string(),
                d.description.replace('`', ""),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 4]| {
        let _ = writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
    };
    line(headers);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3]]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_known_group() {
        for def in REGISTRY {
            let group = group_of(def);
            assert!(GROUPS.iter().any(|(g, _)| *g == group), "{}", def.name);
        }
        let md = markdown_reference();
        for def in REGISTRY {
            assert!(
                md.contains(&format!("`{}", def.name)),
                "{} missing",
                def.name
            );
        }
    }

    #[test]
    fn text_table_is_aligned() {
        let table = text_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), REGISTRY.len() + 1);
        let col = lines[0].find("TYPE").unwrap();
        for line in &lines[1..] {
            let (name, rest) = line.split_at(col);
            assert!(name.ends_with("  "), "{line}");
            assert!(!rest.starts_with(' '), "{line}");
        }
    }

    #[test]
    fn json_reference_lists_every_row() {
        let json = json_reference();
        let items = json.as_array().unwrap();
        assert_eq!(items.len(), REGISTRY.len());
        assert_eq!(items[0]["name"], REGISTRY[0].name);
        for item in items {
            for key in ["name", "type", "arg", "description", "missing", "falco"] {
                assert!(item.get(key).is_some(), "{key}");
            }
        }
    }
}
