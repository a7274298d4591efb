//! Loader edge cases: rule/macro/list items, append/override/redefinition, visibility, enabled,
//! exceptions, unknown keys, wrong types and YAML syntax errors, with positions.
//!
//! These use only `okta.evt.type` and `okta.actor.name`, which every registry has.

use okta_rules::error::{Diagnostic, Severity};
use okta_rules::load::{load_str, LoadOptions, Loaded, Loader};
use okta_rules::Error;

fn load(text: &str) -> Result<Loaded, Error> {
    load_str("t.yaml", text, &LoadOptions::default())
}

fn ok(text: &str) -> Loaded {
    match load(text) {
        Ok(l) => l,
        Err(e) => panic!("expected success, got:\n{e}"),
    }
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match load(text) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e
            .diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect(),
    }
}

fn first_error(text: &str) -> Diagnostic {
    errors(text).into_iter().next().expect("an error")
}

fn has_warning(l: &Loaded, needle: &str) -> bool {
    l.warnings
        .iter()
        .any(|w| w.severity == Severity::Warning && w.message.contains(needle))
}

fn rule(name: &str, cond: &str) -> String {
    format!(
        "- rule: {name}\n  desc: d\n  condition: {cond}\n  output: out %okta.actor.name\n  priority: NOTICE\n  source: okta\n"
    )
}

fn names(l: &Loaded) -> Vec<&str> {
    l.rules.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn minimal_rule_loads_with_defaults() {
    let l = ok(&rule("R", "okta.evt.type = a"));
    let r = &l.rules[0];
    assert_eq!(r.name, "R");
    assert!(r.enabled);
    assert_eq!(r.priority, okta_rules::Priority::Notice);
    assert!(r.tags.is_empty());
    assert_eq!(r.pos.line, 1);
    assert_eq!(r.output.text(), "out %okta.actor.name");
}

#[test]
fn unknown_field_error_points_at_field_with_suggestion() {
    let text = "- rule: R\n  desc: d\n  condition: okta.evt.type = a and okta.evt.typ = b\n  output: o\n  priority: NOTICE\n  source: okta\n";
    let d = first_error(text);
    assert_eq!(d.file.as_ref(), "t.yaml");
    let pos = d.pos.unwrap();
    assert_eq!(pos.line, 3);
    assert_eq!(
        pos.col as usize,
        "  condition: okta.evt.type = a and ".len() + 1
    );
    assert!(d.message.contains("okta.evt.typ"), "{}", d.message);
    assert!(
        d.message.contains("did you mean 'okta.evt.type'"),
        "{}",
        d.message
    );
    let shown = d.to_string();
    assert!(shown.starts_with("t.yaml:3:"), "{shown}");
    assert!(shown.contains("condition: okta.evt.type = a and okta.evt.typ = b"));
}

#[test]
fn unknown_field_in_quoted_condition() {
    let text = "- rule: R\n  desc: d\n  condition: \"okta.evt.typ = b\"\n  output: o\n  priority: NOTICE\n  source: okta\n";
    let d = first_error(text);
    assert_eq!(d.pos.unwrap().line, 3);
    assert_eq!(d.pos.unwrap().col, 15); // after the opening quote
}

#[test]
fn unknown_field_in_block_condition() {
    let text = "- rule: R\n  desc: d\n  condition: >\n    okta.evt.type = a\n    and okta.evt.typ = b\n  output: o\n  priority: NOTICE\n  source: okta\n";
    let d = first_error(text);
    assert_eq!(d.pos.unwrap().line, 5);
    assert_eq!(d.pos.unwrap().col, 9);
}

#[test]
fn unknown_field_in_output_points_into_output() {
    let text = "- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  output: user=%okta.actor.nam\n  priority: NOTICE\n  source: okta\n";
    let d = first_error(text);
    assert_eq!(d.pos.unwrap().line, 4);
    assert_eq!(d.pos.unwrap().col, 17); // the field name after '%'
    assert!(d.message.contains("okta.actor.name"), "{}", d.message);
}

#[test]
fn output_ending_with_percent_fails() {
    let text = "- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  output: 100%\n  priority: NOTICE\n  source: okta\n";
    assert!(first_error(text).message.contains("cannot end with a %"));
}

#[test]
fn parse_error_position() {
    let text = "- rule: R\n  desc: d\n  condition: okta.evt.type = a and\n  output: o\n  priority: NOTICE\n  source: okta\n";
    let d = first_error(text);
    assert_eq!(d.pos.unwrap().line, 3);
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let text = "- rule: R\n  desc: [unclosed\n  condition: x\n";
    let d = first_error(text);
    assert!(d.message.starts_with("YAML syntax error"), "{}", d.message);
    assert!(d.pos.unwrap().line >= 2);
}

#[test]
fn not_a_sequence() {
    assert_eq!(
        first_error("rule: x\n").message,
        "Rules content is not yaml array of objects"
    );
    assert_eq!(
        first_error("just text\n").message,
        "Rules content is not yaml"
    );
    assert!(first_error("- just text\n")
        .message
        .starts_with("Unexpected element type"));
    // Empty files and null entries are fine.
    assert!(ok("").rules.is_empty());
    assert!(ok("-\n- ~\n").rules.is_empty());
}

#[test]
fn missing_and_empty_required_keys() {
    let d = first_error("- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  priority: NOTICE\n  source: okta\n");
    assert_eq!(d.message, "Item has no mapping for key 'output'");
    assert_eq!(d.item.as_deref(), Some("rule 'R'"));
    let d = first_error(
        "- rule: R\n  desc: d\n  condition:\n  output: o\n  priority: NOTICE\n  source: okta\n",
    );
    assert_eq!(d.message, "Mapping for key 'condition' is empty");
    let d = first_error("- rule: R\n  desc: \"\"\n  condition: okta.evt.type = a\n  output: o\n  priority: NOTICE\n  source: okta\n");
    assert_eq!(d.message, "Value must be non-empty");
    let d = first_error("- rule: R\n  desc: [a]\n  condition: okta.evt.type = a\n  output: o\n  priority: NOTICE\n  source: okta\n");
    assert_eq!(d.message, "Value is not a scalar value");
    assert_eq!(d.pos.unwrap().line, 2);
}

#[test]
fn wrong_types() {
    let d = first_error("- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  output: o\n  priority: LOUD\n  source: okta\n");
    assert_eq!(d.message, "Invalid priority");
    assert_eq!(d.pos.unwrap().line, 5);
    let d = first_error("- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  output: o\n  priority: NOTICE\n  source: okta\n  enabled: maybe\n");
    assert_eq!(d.message, "Can't decode YAML scalar value");
    let d = first_error("- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  output: o\n  priority: NOTICE\n  source: okta\n  tags: okta\n");
    assert_eq!(d.message, "Value is not a sequence");
    let d = first_error("- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  output: o\n  priority: NOTICE\n  source: okta\n  capture_duration: not_a_number\n");
    assert_eq!(d.message, "Can't decode YAML scalar value");
    // yaml-cpp booleans: "yes" is true, even quoted; capture is parsed and ignored.
    let l = ok("- rule: R\n  desc: d\n  condition: okta.evt.type = a\n  output: o\n  priority: info\n  source: okta\n  enabled: \"no\"\n  capture: \"yes\"\n");
    assert!(!l.rules[0].enabled);
    assert_eq!(l.rules[0].priority, okta_rules::Priority::Informational);
}

#[test]
fn unknown_keys_and_items_warn() {
    let l = ok(&format!(
        "{}  colour: red\n- whatever: 1\n- list: l\n  items: []\n  priority: NOTICE\n",
        rule("R", "okta.evt.type in (l)")
    ));
    assert!(has_warning(
        &l,
        "Unknown key 'colour'. The key will be ignored."
    ));
    assert!(has_warning(&l, "Unknown top level item"));
    assert!(has_warning(&l, "Unknown key 'priority'"));
    let w = l
        .warnings
        .iter()
        .find(|w| w.message.contains("colour"))
        .unwrap();
    assert_eq!(w.pos.unwrap().line, 7);
}

#[test]
fn broken_file_loads_nothing_and_reports_all_errors() {
    let text = format!(
        "{}{}{}",
        rule("Good", "okta.evt.type = a"),
        rule("Bad1", "okta.evt.typ = a"),
        "- rule: Bad2\n  desc: d\n  condition: okta.evt.type = a\n  output: o\n  priority: NOPE\n  source: okta\n"
    );
    let errs = errors(&text);
    // The reader error (Bad2) does not hide the compile error of Bad1.
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].item.as_deref(), Some("rule 'Bad1'"));
    assert_eq!(errs[1].message, "Invalid priority");
    // A file whose items all read fine but two conditions fail: both reported.
    let text = format!(
        "{}{}{}",
        rule("Good", "okta.evt.type = a"),
        rule("Bad1", "okta.evt.typ = a"),
        rule("Bad2", "okta.actor.nme = a")
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].item.as_deref(), Some("rule 'Bad1'"));
    assert_eq!(errs[1].item.as_deref(), Some("rule 'Bad2'"));
}

#[test]
fn redefinition_replaces_rule_keeps_position_and_resets_enabled() {
    let text = format!(
        "{}  enabled: false\n{}{}",
        rule("A", "okta.evt.type = a"),
        rule("B", "okta.evt.type = b"),
        rule("A", "okta.evt.type = c")
    );
    let l = ok(&text);
    assert_eq!(names(&l), vec!["A", "B"]);
    assert!(l.rules[0].enabled, "a redefinition resets enabled to true");
    assert_eq!(l.rules[0].condition, "okta.evt.type = c");
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

#[test]
fn redefinition_with_another_source_fails() {
    let text = format!(
        "{}- rule: A\n  desc: d\n  condition: x\n  output: o\n  priority: NOTICE\n  source: k8s_audit\n",
        rule("A", "okta.evt.type = a")
    );
    assert_eq!(
        first_error(&text).message,
        "Rule has been re-defined with a different source"
    );
}

#[test]
fn override_append_and_replace() {
    let text = format!(
        "{}- rule: A\n  condition: or okta.evt.type = b\n  output: (appended)\n  tags: [t2]\n  priority: WARNING\n  override:\n    condition: append\n    output: append\n    tags: append\n    priority: replace\n",
        rule("A", "okta.evt.type = a").replace("source: okta\n", "source: okta\n  tags: [t1]\n")
    );
    let l = ok(&text);
    let r = &l.rules[0];
    assert_eq!(r.condition, "okta.evt.type = a or okta.evt.type = b");
    assert_eq!(r.output.text(), "out %okta.actor.name (appended)");
    assert_eq!(r.tags, vec!["t1", "t2"]);
    assert_eq!(r.priority, okta_rules::Priority::Warning);
}

#[test]
fn override_errors() {
    let base = rule("A", "okta.evt.type = a");
    let cases = [
        ("- rule: A\n  priority: WARNING\n  override:\n    priority: append\n", "Key 'priority' cannot be appended to, use 'replace' instead"),
        ("- rule: A\n  source: okta\n  override:\n    source: replace\n", "Key 'source' cannot be replaced"),
        ("- rule: A\n  condition: x\n  override:\n    condition: merge\n", "Invalid override operation for key 'condition': 'merge'. Allowed values are: append replace "),
        ("- rule: A\n  condition: x\n  append: true\n  override:\n    condition: append\n", "Keys 'override' and 'append: true' cannot be used together"),
        ("- rule: A\n  override:\n    condition: append\n", "An append override for 'condition' was specified but 'condition' is not defined"),
        ("- rule: A\n  condition: x\n  desc: y\n  override:\n    condition: append\n", "Unexpected key 'desc': no corresponding entry under 'override' is defined."),
        ("- rule: Z\n  condition: x\n  override:\n    condition: append\n", "Rule uses 'append' or 'override.condition: append' but no rule by that name already exists"),
        ("- rule: Z\n  desc: x\n  override:\n    desc: replace\n", "An 'override.desc: replace' to a rule was requested but no rule by that name already exists"),
    ];
    for (item, msg) in cases {
        let d = first_error(&format!("{base}{item}"));
        assert!(d.message.starts_with(msg), "{item}\n=> {}", d.message);
        assert!(d.pos.unwrap().line >= 7, "{d}");
    }
}

#[test]
fn deprecated_append_ignores_enabled_and_output() {
    let text = format!(
        "{}- rule: A\n  condition: or okta.evt.type = b\n  output: ignored\n  enabled: false\n  append: true\n",
        rule("A", "okta.evt.type = a")
    );
    let l = ok(&text);
    assert!(has_warning(&l, "'append' key is deprecated"));
    assert!(l.rules[0].enabled);
    assert_eq!(
        l.rules[0].condition,
        "okta.evt.type = a or okta.evt.type = b"
    );
    assert_eq!(l.rules[0].output.text(), "out %okta.actor.name");
    let d = first_error(&format!(
        "{}- rule: A\n  append: true\n  desc: x\n",
        rule("A", "okta.evt.type = a")
    ));
    assert_eq!(
        d.message,
        "Appended rule must have exceptions or condition property"
    );
}

#[test]
fn appended_condition_binds_as_text() {
    // base `a`, appended `and b or c` gives `(a and b) or c`: events of type c match.
    let text = format!(
        "- macro: m\n  condition: okta.evt.type = a\n- macro: m\n  condition: and okta.actor.name = x or okta.evt.type = c\n  override:\n    condition: append\n{}",
        rule("R", "m")
    );
    let l = ok(&text);
    assert_eq!(l.rules.len(), 1);
    let types = l.rules[0].predicate.event_types().map(<[String]>::to_vec);
    assert_eq!(types, Some(vec!["a".to_string(), "c".to_string()]));
}

#[test]
fn standalone_enabled() {
    let text = format!(
        "{}  enabled: false\n- rule: A\n  enabled: true\n",
        rule("A", "okta.evt.type = a")
    );
    let l = ok(&text);
    assert!(l.rules[0].enabled);
    assert!(has_warning(
        &l,
        "The standalone 'enabled' key usage is deprecated"
    ));
    let d = first_error("- rule: Nope\n  enabled: true\n");
    assert_eq!(
        d.message,
        "Rule has 'enabled' key but no rule by that name already exists"
    );
    // override form, no warning
    let text = format!(
        "{}  enabled: false\n- rule: A\n  enabled: true\n  override:\n    enabled: replace\n",
        rule("A", "okta.evt.type = a")
    );
    let l = ok(&text);
    assert!(l.rules[0].enabled);
    assert!(!has_warning(&l, "deprecated"));
}

#[test]
fn lists_and_macros_append_and_replace() {
    let text = format!(
        "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override:\n    items: append\n- list: l2\n  items: [x]\n- list: l2\n  items: [y]\n{}",
        rule("R", "okta.evt.type in (l, l2)")
    );
    let l = ok(&text);
    let types = l.rules[0].predicate.event_types().map(<[String]>::to_vec);
    assert_eq!(types, Some(vec!["a".into(), "b".into(), "y".into()]));
    let d = first_error("- list: nope\n  items: [a]\n  append: true\n");
    assert!(d.message.starts_with("List uses 'append'"));
    let d = first_error("- macro: nope\n  condition: x\n  override:\n    condition: append\n");
    assert!(d.message.starts_with("Macro uses 'append'"));
    // replace on a missing list or macro silently defines it.
    let text = format!(
        "- list: l\n  items: [a]\n  override:\n    items: replace\n- macro: m\n  condition: okta.evt.type in (l)\n  override:\n    condition: replace\n{}",
        rule("R", "m")
    );
    ok(&text);
}

#[test]
fn list_without_parentheses_breaks() {
    let text = format!(
        "- list: l\n  items: [a, b]\n{}",
        rule("R", "okta.evt.type in l")
    );
    assert!(!errors(&text).is_empty());
}

#[test]
fn visibility_lists_in_lists() {
    // l2 names l1 (defined earlier): its items. l3 names l4 (defined later): l3's item stays the
    // text `l4`, which the textual expansion of the condition then replaces in turn (lists are
    // substituted one after the other in definition order), as in Falco.
    let text = format!(
        "- list: l1\n  items: [a]\n- list: l2\n  items: [l1, b]\n- list: l3\n  items: [l4]\n- list: l4\n  items: [z]\n{}",
        rule("R", "okta.evt.type in (l2, l3)")
    );
    let l = ok(&text);
    let types = l.rules[0].predicate.event_types().map(<[String]>::to_vec);
    assert_eq!(types, Some(vec!["a".into(), "b".into(), "z".into()]));
    // A list naming a later list, used where that later list is not substituted afterwards: a
    // macro condition `x in (l3)` after l4 was... still textual; check via the items of l5 that
    // names l6 defined later and only l5 is used in a position l6 cannot reach (quoted).
    let text = format!(
        "- list: l5\n  items: [\"'l6'\"]\n- list: l6\n  items: [q]\n{}",
        rule("R", "okta.evt.type in (l5)")
    );
    let l = ok(&text);
    let types = l.rules[0].predicate.event_types().map(<[String]>::to_vec);
    assert_eq!(types, Some(vec!["l6".into()]));
}

#[test]
fn visibility_macros() {
    // A rule sees macros defined after it.
    let text = format!(
        "{}- macro: later\n  condition: okta.evt.type = a\n",
        rule("R", "later")
    );
    ok(&text);
    // A macro does not see a macro defined after it.
    let text = format!(
        "- macro: first\n  condition: second\n- macro: second\n  condition: okta.evt.type = a\n{}",
        rule("R", "first")
    );
    let d = first_error(&text);
    assert_eq!(d.message, "Undefined macro 'second' used in filter.");
    assert_eq!(d.pos.unwrap().line, 2);
    // An undefined macro in a rule.
    let d = first_error(&rule("R", "okta.evt.type = a and nosuchmacro"));
    assert_eq!(d.message, "Undefined macro 'nosuchmacro' used in filter.");
    assert_eq!(
        d.pos.unwrap().col as usize,
        "  condition: okta.evt.type = a and ".len() + 1
    );
}

/// Whether the first rule of `l` matches an event of type `event_type` by `actor`.
fn fires(l: &Loaded, event_type: &str, actor: &str) -> bool {
    let raw = format!(
        r#"{{"uuid":"u","published":"2024-05-14T14:07:31.295Z","eventType":"{event_type}","actor":{{"displayName":"{actor}"}}}}"#
    );
    let event = okta_stream::Event::from_bytes(raw.into_bytes()).expect("a valid event");
    let mut state = okta_stream::fields::FieldState::new();
    state.observe(&event);
    l.rules[0].predicate.eval(&event, &state)
}

const MA_MB: &str = "- macro: ma\n  condition: okta.evt.type = lock\n- macro: mb\n  condition: okta.actor.name = Alice\n";

#[test]
fn macro_appended_after_another_macro_sees_it() {
    // ma's visibility is its append (item 3), so it sees mb (item 2) although mb's index is
    // higher: ma means `lock or Alice`.
    let text = format!(
        "{MA_MB}- macro: ma\n  condition: or mb\n  override:\n    condition: append\n{}",
        rule("R", "ma")
    );
    let l = ok(&text);
    assert!(fires(&l, "lock", "Bob"));
    assert!(fires(&l, "other", "Alice"));
    assert!(!fires(&l, "other", "Bob"));
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    // The same with a redefinition instead of an append.
    let text = format!(
        "{MA_MB}- macro: ma\n  condition: okta.evt.type = lock or mb\n{}",
        rule("R", "ma")
    );
    let l = ok(&text);
    assert!(fires(&l, "other", "Alice"));
    // And without any rule: the file is valid, both macros unused.
    let l = ok(&format!(
        "{MA_MB}- macro: ma\n  condition: or mb\n  override:\n    condition: append\n"
    ));
    assert!(has_warning(&l, "Macro not referred to"));
}

#[test]
fn macro_visibility_failures_are_reported_on_the_macro() {
    // A macro naming itself without an append does not see itself: undefined, as in Falco.
    let text = format!(
        "- macro: ma\n  condition: ma or okta.actor.name = x\n{}",
        rule("R", "ma")
    );
    let errs = errors(&text);
    assert_eq!(errs[0].message, "Undefined macro 'ma' used in filter.");
    assert_eq!(errs[0].item.as_deref(), Some("macro 'ma'"));
    assert_eq!(
        (errs[0].pos.unwrap().line, errs[0].pos.unwrap().col),
        (2, 14)
    );
    assert_eq!(errs[1].message, "uses macro 'ma', which has errors");
    // Once appended it sees itself: a loop.
    let d = first_error(
        "- macro: ma\n  condition: okta.evt.type = a\n- macro: ma\n  condition: or ma\n  override:\n    condition: append\n",
    );
    assert_eq!(d.message, "reference loop in macro 'ma' (ma -> ma)");
    assert_eq!(d.pos.unwrap().line, 4);
    // ma (appended) uses mb, which uses ma: the loop is reported on ma, and mb (resolved after
    // ma) fails through it; neither is left without a diagnostic.
    let errs = errors(&format!(
        "- macro: ma\n  condition: okta.evt.type = a\n- macro: mb\n  condition: ma\n- macro: ma\n  condition: or mb\n  override:\n    condition: append\n{}",
        rule("R", "ma")
    ));
    let ma = errs
        .iter()
        .find(|d| d.item.as_deref() == Some("macro 'ma'"))
        .expect("an error on ma");
    assert_eq!(ma.message, "reference loop in macro 'mb' (mb -> ma -> mb)");
    assert_eq!(ma.pos.unwrap().line, 6);
    let mb = errs
        .iter()
        .find(|d| d.item.as_deref() == Some("macro 'mb'"))
        .expect("an error on mb");
    assert_eq!(mb.message, "uses macro 'ma', which has errors");
    // A macro defined after the append is not visible, even through another macro: ma sees
    // mb, but mb's own reference to mc (appended later) is resolved with ma's visibility.
    let errs = errors(&format!(
        "- macro: ma\n  condition: okta.evt.type = a\n- macro: mb\n  condition: okta.evt.type = b\n- macro: ma\n  condition: or mb\n  override:\n    condition: append\n- macro: mc\n  condition: okta.evt.type = c\n- macro: mb\n  condition: or mc\n  override:\n    condition: append\n{}",
        rule("R", "ma or mb")
    ));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].item.as_deref(), Some("macro 'ma'"));
    assert!(
        errs[0]
            .message
            .starts_with("Undefined macro 'mc' used in filter. (in macro 'mb', used by macro 'ma'"),
        "{}",
        errs[0].message
    );
    assert_eq!(errs[1].message, "uses macro 'ma', which has errors");
}

#[test]
fn macro_acts_parenthesized() {
    let text = format!(
        "- macro: m\n  condition: okta.evt.type = a or okta.evt.type = b\n{}",
        rule("R", "okta.actor.name = x and m")
    );
    let l = ok(&text);
    let types = l.rules[0].predicate.event_types().map(<[String]>::to_vec);
    assert_eq!(types, Some(vec!["a".into(), "b".into()]));
}

#[test]
fn unused_items_and_invalid_names_warn() {
    let l = ok(&format!(
        "- list: unused_l\n  items: [a]\n- macro: unused_m\n  condition: okta.evt.type = a\n- macro: bad-name\n  condition: okta.evt.type = a\n- list: 'bad list'\n  items: []\n{}",
        rule("R", "okta.evt.type = a")
    ));
    assert!(has_warning(
        &l,
        "List not referred to by any other rule/macro"
    ));
    assert!(has_warning(
        &l,
        "Macro not referred to by any other rule/macro"
    ));
    assert!(has_warning(&l, "Macro has an invalid name"));
    assert!(has_warning(&l, "List has an invalid name"));
}

#[test]
fn macro_errors_are_reported_in_the_macro() {
    let text = format!(
        "- macro: m\n  condition: okta.evt.type = a and (\n{}",
        rule("R", "m")
    );
    let d = first_error(&text);
    assert_eq!(d.pos.unwrap().line, 2);
    assert_eq!(d.item.as_deref(), Some("macro 'm'"));
    // A type error inside a macro is reported where the rule uses it, naming the macro.
    let text = format!(
        "- macro: m\n  condition: okta.evt.tpe = a\n{}",
        rule("R", "m")
    );
    let d = first_error(&text);
    assert!(d.message.contains("in macro 'm'"), "{}", d.message);
}

#[test]
fn sources() {
    let text = "- rule: Sys\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: NOTICE\n- rule: K8s\n  desc: d\n  condition: ka.verb = get\n  output: o\n  priority: NOTICE\n  source: k8s_audit\n";
    let l = ok(text);
    assert!(l.rules.is_empty());
    assert_eq!(l.skipped, vec!["Sys", "K8s"]);
    assert!(has_warning(&l, "Unknown source syscall, skipping"));
    assert!(has_warning(&l, "Unknown source k8s_audit, skipping"));
}

#[test]
fn skip_if_unknown_filter() {
    let text = format!(
        "{}  skip-if-unknown-filter: true\n{}",
        rule("Skipped", "okta.nosuch.field = a"),
        rule("Kept", "okta.evt.type = a")
    );
    let l = ok(&text);
    assert_eq!(names(&l), vec!["Kept"]);
    assert_eq!(l.skipped, vec!["Skipped"]);
    // Other errors still fail.
    let text = format!(
        "{}  skip-if-unknown-filter: true\n",
        rule("Bad", "okta.evt.type = a and (")
    );
    assert!(!errors(&text).is_empty());
}

#[test]
fn engine_and_plugin_versions() {
    ok("- required_engine_version: 11\n- required_engine_version: 0.62.0\n- required_plugin_versions:\n  - name: okta\n    version: 0.11.0\n");
    let d = first_error("- required_engine_version: 0.99.0\n");
    assert_eq!(
        d.message,
        "Rules require engine version 0.99.0, but engine version is 0.62.0"
    );
    let d = first_error("- required_engine_version: 1.0.0\n");
    assert!(d.message.starts_with("Rules require engine version 1.0.0"));
    let d = first_error("- required_engine_version: abc\n");
    assert!(d
        .message
        .starts_with("Unable to parse engine version 'abc'"));
    let d = first_error("- required_plugin_versions:\n  - name: okta\n    version: x\n");
    assert_eq!(d.message, "Invalid required version 'x' for plugin 'okta'");
    let d = first_error("- required_plugin_versions:\n  - name: json\n    version: 0.1.0\n    alternatives:\n      - name: json\n        version: 0.2.0\n");
    assert!(d
        .message
        .starts_with("Defined multiple alternative version requirements"));
    let l = ok("- required_plugin_versions:\n  - name: json\n    version: 0.7.0\n");
    assert!(has_warning(
        &l,
        "Plugin requirement not satisfied, must load one of: json (>= 0.7.0)"
    ));
    let l = ok("- required_plugin_versions:\n  - name: other\n    version: 0.7.0\n    alternatives:\n      - name: okta\n        version: 0.1.0\n");
    assert!(l.warnings.is_empty());
}

#[test]
fn appended_exception_values_must_fit_the_fields() {
    let base = format!(
        "{}  exceptions:\n    - name: known\n      fields: [okta.evt.type, okta.actor.name]\n      values:\n        - [a, b]\n",
        rule("R", "okta.evt.type = x")
    );
    let mut loader = Loader::new(LoadOptions::default());
    assert!(loader.add_str("a.yaml", &base));
    // A one-value tuple for two fields would be a broader exception than written.
    assert!(!loader.add_str(
        "b.yaml",
        "# later\n- rule: R\n  exceptions:\n    - name: known\n      values:\n        - [c]\n  override:\n    exceptions: append\n"
    ));
    let err = loader.finish().unwrap_err();
    let d = err
        .diagnostics()
        .iter()
        .find(|d| d.is_error())
        .cloned()
        .expect("an error");
    assert_eq!(d.message, "Fields and values lists must have equal length");
    assert_eq!(&*d.file, "b.yaml");
    assert_eq!(d.pos.map(|p| p.line), Some(4));
    // Fitting values append fine.
    let mut loader = Loader::new(LoadOptions::default());
    assert!(loader.add_str("a.yaml", &base));
    assert!(loader.add_str(
        "b.yaml",
        "- rule: R\n  exceptions:\n    - name: known\n      values:\n        - [c, d]\n  override:\n    exceptions: append\n"
    ));
    assert!(loader.finish().is_ok());
}

#[test]
fn a_bad_exception_value_is_reported_where_it_was_written() {
    let base = format!(
        "{}  exceptions:\n    - name: asn\n      fields: [okta.security.asnumber]\n      values:\n        - [13335]\n",
        rule("R", "okta.evt.type = x")
    );
    let later = "# later\n\n- rule: R\n  exceptions:\n    - name: asn\n      values:\n        - [cloudflare]\n  override:\n    exceptions: append\n";
    let mut loader = Loader::new(LoadOptions::default());
    assert!(loader.add_str("a.yaml", &base));
    loader.add_str("b.yaml", later);
    let err = loader.finish().unwrap_err();
    let errs: Vec<&Diagnostic> = err.diagnostics().iter().filter(|d| d.is_error()).collect();
    assert_eq!(errs.len(), 1, "{err}");
    let d = errs[0];
    assert!(
        d.message.starts_with("in exception 'asn': "),
        "{}",
        d.message
    );
    assert!(d.message.contains("cloudflare"), "{}", d.message);
    assert_eq!((&*d.file, d.pos.map(|p| p.line)), ("b.yaml", Some(5)));
    // The same value written in the first file is reported there.
    let base_bad = base.replace("[13335]", "[cloudflare]");
    let d = first_error(&base_bad);
    assert_eq!(d.pos.map(|p| p.line), Some(8), "{}", d.message);
}

#[test]
fn requirement_errors_are_reported_along_with_reading_errors() {
    // A broken item does not hide the version check of an item that was read.
    let text = "- required_engine_version: 0.99.0\n- rule: Broken\n  desc: d\n";
    let errs = errors(text);
    let messages: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(errs.len(), 2, "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m.starts_with("Rules require engine version 0.99.0")));
    assert!(errs.iter().any(|d| d.pos.is_some_and(|p| p.line == 2)));
}

#[test]
fn exceptions_become_condition_text() {
    let text = format!(
        "{}  exceptions:\n    - name: known\n      fields: [okta.evt.type, okta.actor.name]\n      values:\n        - [a, Alice Smith]\n    - name: single\n      fields: okta.actor.name\n      values: [bob]\n",
        rule("R", "okta.evt.type in (a, b)")
    );
    let l = ok(&text);
    assert_eq!(
        l.rules[0].condition,
        "(okta.evt.type in (a, b)) and not ((okta.evt.type = a and okta.actor.name = \"Alice Smith\")) and not (okta.actor.name in (bob))"
    );
}

#[test]
fn exceptions_append_and_errors() {
    let base = format!(
        "{}  exceptions:\n    - name: known\n      fields: [okta.actor.name]\n      values: [[alice]]\n",
        rule("R", "okta.evt.type = a")
    );
    let l = ok(&format!(
        "{base}- rule: R\n  exceptions:\n    - name: known\n      values: [[bob]]\n  override:\n    exceptions: append\n"
    ));
    assert!(
        l.rules[0]
            .condition
            .contains("(okta.actor.name = alice) or (okta.actor.name = bob)"),
        "{}",
        l.rules[0].condition
    );
    let d = first_error(&format!(
        "{base}- rule: R\n  exceptions:\n    - name: known\n      fields: [okta.evt.type]\n      values: [[bob]]\n  override:\n    exceptions: append\n"
    ));
    assert_eq!(
        d.message,
        "Can not append exception fields/comps to existing exception, only values"
    );
    // replace needs complete entries (fields required).
    let d = first_error(&format!(
        "{base}- rule: R\n  exceptions:\n    - name: known\n      values: [[bob]]\n  override:\n    exceptions: replace\n"
    ));
    assert_eq!(d.message, "Item has no mapping for key 'fields'");
    let d = first_error(&format!(
        "{}  exceptions:\n    - name: e\n      fields: [okta.actor.nam]\n      values: [[x]]\n",
        rule("R", "okta.evt.type = a")
    ));
    assert!(d
        .message
        .starts_with("'okta.actor.nam' is not a supported filter field"));
    let l = ok(&format!(
        "{}  exceptions:\n    - name: e\n      fields: [okta.actor.name]\n    - name: e\n      fields: [okta.evt.type]\n",
        rule("R", "okta.evt.type = a")
    ));
    assert!(has_warning(
        &l,
        "Multiple definitions of exception 'e' in the same rule"
    ));
}

#[test]
fn exception_values_in_parentheses_stay_lists() {
    // With a list or modifier operator, a scalar is parenthesized unless it starts with `(`, and
    // never quoted (reference §4.3): `(Alice, Bob)` stays a two-item list.
    let base = rule("R", "okta.evt.type exists");
    let l = ok(&format!(
        "{base}  exceptions:\n    - name: g\n      fields: [okta.actor.name]\n      comps: [in]\n      values: [[\"(Alice, Bob)\"]]\n"
    ));
    assert_eq!(
        l.rules[0].condition,
        "(okta.evt.type exists) and not ((okta.actor.name in (Alice, Bob)))"
    );
    assert!(!fires(&l, "t", "Bob"));
    assert!(fires(&l, "t", "Carol"));
    let l = ok(&format!(
        "{base}  exceptions:\n    - name: g\n      fields: [okta.actor.name]\n      comps: [startswith anyof]\n      values: [[\"(Al, Bo)\"]]\n"
    ));
    assert_eq!(
        l.rules[0].condition,
        "(okta.evt.type exists) and not ((okta.actor.name startswith anyof (Al, Bo)))"
    );
    assert!(!fires(&l, "t", "Bob"));
    // Without parentheses a scalar with a space is wrapped, not quoted: a list name still expands.
    let l = ok(&format!(
        "- list: skipl\n  items: [Alice, Bob]\n{base}  exceptions:\n    - name: g\n      fields: [okta.actor.name, okta.evt.type]\n      comps: [in, =]\n      values: [[skipl, a b]]\n"
    ));
    assert_eq!(
        l.rules[0].condition,
        "(okta.evt.type exists) and not ((okta.actor.name in (skipl) and okta.evt.type = \"a b\"))"
    );
    assert!(!fires(&l, "a b", "Bob"));
    assert!(fires(&l, "a b", "Carol"));
}

#[test]
fn exception_errors_point_at_the_exception_entry() {
    // The second entry makes text that does not parse: the error is on that entry's line.
    let text = format!(
        "{}  exceptions:\n    - name: fine\n      fields: [okta.actor.name]\n      values: [[bob]]\n    - name: bad\n      fields: [okta.actor.name, okta.evt.type]\n      comps: [=, <]\n      values: [[alice, abc]]\n",
        rule("R", "okta.evt.type exists")
    );
    let d = first_error(&text);
    assert!(
        d.message.starts_with("in exception 'bad': "),
        "{}",
        d.message
    );
    assert_eq!(d.pos.unwrap().line, 11);
    assert_eq!(d.item.as_deref(), Some("rule 'R'"));
    // A compile error (bad regex) likewise.
    let d = first_error(
        &text
            .replace("[=, <]", "[=, regex]")
            .replace("abc]", "\"'a('\"]"),
    );
    assert!(
        d.message.starts_with("in exception 'bad': invalid regex"),
        "{}",
        d.message
    );
    assert_eq!(d.pos.unwrap().line, 11);
    // Appended from a later file: the error is in that file.
    let mut loader = Loader::new(LoadOptions::default());
    assert!(loader.add_str("a.yaml", &rule("R", "okta.evt.type exists")));
    assert!(!loader.add_str(
        "b.yaml",
        "- rule: R\n  exceptions:\n    - name: bad\n      fields: [okta.evt.type]\n      comps: [<]\n      values: [[abc]]\n  override:\n    exceptions: append\n"
    ));
    let err = loader.finish().unwrap_err();
    let d = err.diagnostics().iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.file.as_ref(), "b.yaml");
    assert_eq!(d.pos.unwrap().line, 3);
}

#[test]
fn override_listing_no_keys_is_as_if_absent() {
    // Falco acts on the keys under `override`: with none the item is read as a standalone
    // `enabled` item (which needs `enabled`), a definition, or an `append: true` item.
    let base = rule("Login", "okta.evt.type = a");
    for ov in ["override: {}", "override:"] {
        let d = first_error(&format!("{base}- rule: Login\n  {ov}\n"));
        assert_eq!(d.message, "Item has no mapping for key 'enabled'", "{ov}");
        assert_eq!(d.pos.unwrap().line, 7, "{ov}");
    }
    let l = ok(&format!(
        "{base}- rule: Login\n  enabled: false\n  override: {{}}\n"
    ));
    assert!(!l.rules[0].enabled);
    assert!(has_warning(
        &l,
        "The standalone 'enabled' key usage is deprecated"
    ));
    // With the four keys it is a full definition (no 'Unexpected key' error).
    let l = ok(&format!(
        "{base}{}  override: {{}}\n",
        rule("Login", "okta.evt.type = b")
    ));
    assert_eq!(l.rules[0].condition, "okta.evt.type = b");
    // With `append: true` it is a deprecated append, not a conflict.
    let l = ok(&format!(
        "{base}- rule: Login\n  condition: or okta.evt.type = b\n  append: true\n  override: {{}}\n"
    ));
    assert_eq!(
        l.rules[0].condition,
        "okta.evt.type = a or okta.evt.type = b"
    );
    // Lists and macros likewise: a plain definition, or an append with `append: true`.
    let l = ok(&format!(
        "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  append: true\n  override: {{}}\n{}",
        rule("R", "okta.evt.type in (l)")
    ));
    let types = l.rules[0].predicate.event_types().map(<[String]>::to_vec);
    assert_eq!(types, Some(vec!["a".to_string(), "b".to_string()]));
}

#[test]
fn multiple_files_in_order() {
    let mut loader = Loader::new(LoadOptions::default());
    assert!(loader.add_str("a.yaml", &rule("A", "okta.evt.type = a")));
    assert!(loader.add_str(
        "b.yaml",
        "- rule: A\n  condition: or okta.evt.type = b\n  override:\n    condition: append\n"
    ));
    let l = loader.finish().unwrap();
    assert_eq!(
        l.rules[0].condition,
        "okta.evt.type = a or okta.evt.type = b"
    );
}

#[test]
fn rule_cannot_use_macro_from_later_file() {
    let mut loader = Loader::new(LoadOptions::default());
    assert!(!loader.add_str("a.yaml", &rule("A", "later_macro")));
    // Later files are not read after an error.
    assert!(!loader.add_str(
        "b.yaml",
        "- macro: later_macro\n  condition: okta.evt.type = a\n"
    ));
    let err = loader.finish().unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.file.as_ref(), "a.yaml");
    assert_eq!(d.message, "Undefined macro 'later_macro' used in filter.");
}

#[test]
fn errors_in_appended_text_point_to_the_later_file() {
    let mut loader = Loader::new(LoadOptions::default());
    assert!(loader.add_str("a.yaml", &rule("A", "okta.evt.type = a")));
    assert!(!loader.add_str(
        "b.yaml",
        "# comment\n- rule: A\n  condition: or okta.actor.nam = b\n  override:\n    condition: append\n"
    ));
    let err = loader.finish().unwrap_err();
    let d = err.diagnostics().iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.file.as_ref(), "b.yaml");
    assert_eq!(d.pos.unwrap().line, 3);
    assert_eq!(d.pos.unwrap().col, 17);
}

#[test]
fn threshold_key() {
    let text = format!(
        "{}  threshold:\n    count: 3\n    window: 5m\n    by: [okta.actor.name]\n",
        rule("T", "okta.evt.type = a")
    );
    let l = ok(&text);
    let th = l.rules[0].threshold.as_ref().unwrap();
    assert_eq!((th.count, th.window_secs, th.by.len()), (3, 300, 1));
    // Without extensions, Falco's behaviour: unknown key, ignored.
    let l = load_str("t.yaml", &text, &LoadOptions { extensions: false }).unwrap();
    assert!(l.rules[0].threshold.is_none());
    assert!(has_warning(&l, "Unknown key 'threshold'"));
    for (bad, msg) in [
        ("    count: 0\n    window: 5m\n", "count"),
        ("    count: 3\n    window: soon\n", "window"),
        (
            "    count: 3\n    window: 5m\n    by: okta.actor.nam\n",
            "okta.actor.name",
        ),
        (
            "    count: 3\n    window: 5m\n    per: x\n",
            "Unknown key 'per'",
        ),
    ] {
        let d = first_error(&format!(
            "{}  threshold:\n{bad}",
            rule("T", "okta.evt.type = a")
        ));
        assert!(d.message.contains(msg), "{bad} => {}", d.message);
        assert!(d.pos.unwrap().line >= 7);
    }
}

#[test]
fn falco_okta_rules_file_structure() {
    // The Falco file needs the full field registry to compile; here only check that it reads and
    // collects without reader errors (every problem it has is an unknown-field compile error).
    let text = include_str!("fixtures/okta_rules.yaml");
    match load(text) {
        Ok(l) => assert!(l.rules.len() >= 20),
        Err(e) => {
            for d in e.diagnostics().iter().filter(|d| d.is_error()) {
                assert!(d.message.contains("unknown field"), "{d}");
            }
        }
    }
}

#[test]
fn files_and_directories_load_in_sorted_order() {
    let dir = std::env::temp_dir().join(format!("okta-rules-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // b.yaml appends to the rule a.yaml defines: only works if a.yaml is read first.
    std::fs::write(
        dir.join("b.yaml"),
        "- rule: A\n  condition: or okta.evt.type = b\n  override:\n    condition: append\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.yaml"), rule("A", "okta.evt.type = a")).unwrap();
    let l = okta_rules::load::load_files(&[&dir], &LoadOptions::default()).unwrap();
    assert_eq!(
        l.rules[0].condition,
        "okta.evt.type = a or okta.evt.type = b"
    );
    assert!(l.rules[0].file.ends_with("a.yaml"));
    let err = okta_rules::load::load_files(&[dir.join("missing.yaml")], &LoadOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_error_of_a_file_is_reported_in_one_load() {
    // A rule with a wrong output and a wrong condition, then a rule that does not read (bad
    // priority), then a rule whose condition does not parse: four errors, in file order.
    let text = "- rule: Both\n  desc: d\n  condition: okta.evt.typ = a\n  output: \"x %okta.actor.nme\"\n  priority: NOTICE\n  source: okta\n- rule: Unread\n  desc: d\n  condition: okta.evt.type = a\n  output: o\n  priority: LOUD\n  source: okta\n- rule: Unparsed\n  desc: d\n  condition: (okta.evt.type = a\n  output: o\n  priority: NOTICE\n  source: okta\n";
    let errors = errors(text);
    let found: Vec<(u32, &str)> = errors
        .iter()
        .map(|d| (d.pos.map_or(0, |p| p.line), d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_eq!(found[0].0, 3);
    assert!(
        found[0].1.contains("did you mean 'okta.evt.type'"),
        "{found:#?}"
    );
    assert_eq!(found[1].0, 4);
    assert!(
        found[1].1.contains("did you mean 'okta.actor.name'"),
        "{found:#?}"
    );
    assert_eq!(found[2], (11, "Invalid priority"));
    assert_eq!(found[3].0, 15);
    assert!(found[3].1.contains("')'"), "{found:#?}");
    // No guesses (such as unused lists) come with a file that did not read.
    let text = format!("- list: l\n  items: [a]\n{text}");
    let load = load(&text).unwrap_err();
    assert!(load.diagnostics().iter().all(|d| d.is_error()));
}

#[test]
fn skip_if_unknown_filter_skips_only_when_every_error_is_an_unknown_field() {
    let rule_with = |cond: &str, output: &str| {
        format!("- rule: R\n  desc: d\n  condition: {cond}\n  output: \"{output}\"\n  priority: NOTICE\n  source: okta\n  skip-if-unknown-filter: true\n")
    };
    let l = ok(&rule_with("okta.nosuch = a", "%okta.nosuch.either"));
    assert_eq!(l.skipped, vec!["R"]);
    assert!(!errors(&rule_with("(okta.evt.type = a", "%okta.nosuch.either")).is_empty());
}

#[test]
fn every_bad_field_of_a_condition_is_reported() {
    let text = "- macro: m\n  condition: okta.actor.name = a\n- rule: R\n  desc: d\n  condition: okta.evt.typ = a and m and (okta.actor.nam = b or okta.result in (x)) and okta.security.asnumber = abc\n  output: o\n  priority: NOTICE\n  source: okta\n";
    let errors = errors(text);
    let cols: Vec<(u32, u32)> = errors
        .iter()
        .map(|d| d.pos.map_or((0, 0), |p| (p.line, p.col)))
        .collect();
    let at = |needle: &str| {
        "  condition: ".len() as u32
            + 1
            + text.lines().nth(4).unwrap()["  condition: ".len()..]
                .find(needle)
                .unwrap() as u32
    };
    assert_eq!(
        cols,
        vec![
            (5, at("okta.evt.typ")),
            (5, at("okta.actor.nam")),
            (5, at("abc"))
        ],
        "{errors:#?}"
    );
    assert!(errors[0].message.contains("did you mean 'okta.evt.type'"));
    assert!(errors[1].message.contains("did you mean 'okta.actor.name'"));
    assert!(errors[2].message.contains("abc"), "{}", errors[2].message);
    // A rule with only unknown fields and skip-if-unknown-filter is skipped, not an error.
    let text = "- rule: R\n  desc: d\n  condition: okta.nosuch = a and okta.nosuch.either = b\n  output: o\n  priority: NOTICE\n  source: okta\n  skip-if-unknown-filter: true\n";
    assert_eq!(ok(text).skipped, vec!["R"]);
}

#[test]
fn concat_and_join_in_conditions_and_outputs() {
    use okta_rules::{EngineOptions, Ruleset};
    use okta_stream::event::Event;

    let text = "- macro: m\n  condition: join(',', okta.target.type) = 'User,UserGroup'\n- rule: R\n  desc: d\n  condition: okta.evt.type = a and m and concat(tolower(okta.actor.name), '@', okta.org) != x\n  output: \"who=%concat(okta.actor.name, ' (', okta.actor.id, ')') types=%join(',', okta.target.type)\"\n  priority: NOTICE\n  source: okta\n";
    let l = ok(text);
    assert_eq!(names(&l), vec!["R"]);
    // Evaluated by a ruleset (fields read through its per-event cache).
    let mut rs = Ruleset::load_strs(&[("t.yaml", text)], &EngineOptions::default()).unwrap();
    let event = Event::from_bytes(
        &br#"{"eventType":"a","actor":{"id":"00u1","displayName":"Alice"},"target":[{"type":"User"},{"type":"UserGroup"}]}"#[..],
    )
    .unwrap();
    let alerts: Vec<_> = rs.process(&event).collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].output, "who=Alice (00u1) types=User,UserGroup");
    let keys: Vec<&str> = alerts[0].output_fields.iter().map(|(k, _)| &**k).collect();
    assert_eq!(
        keys,
        vec!["okta.actor.name", "okta.actor.id", "okta.target.type"]
    );
    let other = Event::from_bytes(&br#"{"eventType":"a","target":[{"type":"User"}]}"#[..]).unwrap();
    assert_eq!(rs.process(&other).count(), 0);
    // Falco's argument errors, at the transformer; getopt is refused at its name.
    let e = first_error(&rule("R", "concat(okta.actor.name) = x"));
    assert_eq!(e.message, "concat() requires at least 2 arguments");
    assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((3, 14)));
    let e = first_error(&rule(
        "R",
        "okta.evt.type = a and join(',', okta.actor.name) = x",
    ));
    assert_eq!(e.message, "join() second argument must be a list");
    assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((3, 36)));
    let e = first_error(&rule("R", "getopt(okta.actor.name, 'x') = y"));
    assert!(
        e.message.contains("not supported for okta fields"),
        "{}",
        e.message
    );
}
