//! The engine: rule matching modes, the event-type index, selections, minimum priority,
//! threshold rules, and the Stream adapter.

use futures::{executor::block_on, stream, StreamExt};
use okta_rules::engine::{EngineOptions, RuleMatching, Selection};
use okta_rules::stream::Output;
use okta_rules::{Priority, RulesStreamExt, Ruleset};
use okta_stream::event::Event;

fn ev(event_type: &str, actor: &str, published: &str) -> Event {
    Event::from_bytes(
        format!(
            r#"{{"uuid":"{actor}-{published}","published":"{published}","eventType":"{event_type}","actor":{{"displayName":"{actor}"}}}}"#
        )
        .into_bytes(),
    )
    .unwrap()
}

fn rule(name: &str, cond: &str, priority: &str, tags: &str) -> String {
    format!(
        "- rule: {name}\n  desc: d\n  condition: {cond}\n  output: {name} fired for %okta.actor.name\n  priority: {priority}\n  source: okta\n  tags: [{tags}]\n"
    )
}

fn ruleset(text: &str, options: &EngineOptions) -> Ruleset {
    Ruleset::load_strs(&[("t.yaml", text)], options).unwrap()
}

fn fired(rs: &mut Ruleset, e: &Event) -> Vec<String> {
    rs.process(e).map(|a| a.rule.to_string()).collect()
}

const T0: &str = "2024-05-14T14:07:31.295Z";

fn three_rules() -> String {
    format!(
        "{}{}{}",
        rule(
            "Any lock",
            "okta.evt.type = user.account.lock",
            "NOTICE",
            "okta, lock"
        ),
        rule(
            "Alice anything",
            "okta.actor.name = Alice",
            "WARNING",
            "okta, alice"
        ),
        rule(
            "Alice lock",
            "okta.evt.type = user.account.lock and okta.actor.name = Alice",
            "CRITICAL",
            "okta"
        ),
    )
}

#[test]
fn first_matching_is_default() {
    let mut rs = ruleset(&three_rules(), &EngineOptions::default());
    assert_eq!(
        fired(&mut rs, &ev("user.account.lock", "Alice", T0)),
        vec!["Any lock"]
    );
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "Alice", T0)),
        vec!["Alice anything"]
    );
    assert!(fired(&mut rs, &ev("user.session.start", "Bob", T0)).is_empty());
    assert_eq!(rs.counters(), (3, 2));
}

#[test]
fn all_matching() {
    let opts = EngineOptions {
        rule_matching: RuleMatching::All,
        ..EngineOptions::default()
    };
    let mut rs = ruleset(&three_rules(), &opts);
    assert_eq!(
        fired(&mut rs, &ev("user.account.lock", "Alice", T0)),
        vec!["Any lock", "Alice anything", "Alice lock"]
    );
}

#[test]
fn index_by_event_type_keeps_rule_order() {
    let rs = ruleset(&three_rules(), &EngineOptions::default());
    // Rules for other types are not candidates; rules for any type, and rules of the event's
    // type with a key field, are, in rule order, when their key field (here okta.actor.name =
    // Alice) has a matching value.
    assert_eq!(
        rs.candidates_for(&ev("user.account.lock", "Alice", T0)),
        vec!["Any lock", "Alice anything", "Alice lock"]
    );
    assert_eq!(
        rs.candidates_for(&ev("user.account.lock", "Bob", T0)),
        vec!["Any lock"]
    );
    assert_eq!(
        rs.candidates_for(&ev("user.session.start", "Alice", T0)),
        vec!["Alice anything"]
    );
    assert!(rs
        .candidates_for(&ev("user.session.start", "Bob", T0))
        .is_empty());
    let infos = rs.rule_infos();
    assert_eq!(
        infos[0].event_types,
        Some(vec!["user.account.lock".to_string()])
    );
    assert_eq!(infos[1].event_types, None);
}

#[test]
fn rules_for_any_type_are_indexed_by_value_and_prefix() {
    let text = [
        rule("Eq", "okta.actor.name = Alice", "NOTICE", "x"),
        rule(
            "In",
            "okta.actor.name in (Bob, Carol) and okta.uuid exists",
            "NOTICE",
            "x",
        ),
        rule("Prefix", "okta.actor.name startswith Al", "NOTICE", "x"),
        rule(
            "Short prefix",
            "okta.actor.name startswith A and okta.actor.name endswith e",
            "NOTICE",
            "x",
        ),
        rule(
            "Empty prefix",
            "okta.actor.name startswith \"\"",
            "NOTICE",
            "x",
        ),
        rule("Unkeyed", "okta.actor.name contains o", "NOTICE", "x"),
        rule(
            "Or",
            "okta.actor.name = Alice or okta.actor.name = Dave",
            "NOTICE",
            "x",
        ),
    ]
    .concat();
    let all = EngineOptions {
        rule_matching: RuleMatching::All,
        ..EngineOptions::default()
    };
    let mut rs = ruleset(&text, &all);
    fn candidates(rs: &Ruleset, actor: &str) -> Vec<String> {
        let names = rs.candidates_for(&ev("t", actor, T0));
        names.into_iter().map(String::from).collect()
    }
    assert_eq!(
        candidates(&rs, "Alice"),
        vec![
            "Eq",
            "Prefix",
            "Short prefix",
            "Empty prefix",
            "Unkeyed",
            "Or"
        ]
    );
    assert_eq!(
        candidates(&rs, "Carol"),
        vec!["In", "Empty prefix", "Unkeyed", "Or"]
    );
    assert_eq!(
        candidates(&rs, "A"),
        vec!["Short prefix", "Empty prefix", "Unkeyed", "Or"]
    );
    assert_eq!(
        candidates(&rs, "Dave"),
        vec!["Empty prefix", "Unkeyed", "Or"]
    );
    assert_eq!(
        fired(&mut rs, &ev("t", "Alice", T0)),
        vec!["Eq", "Prefix", "Short prefix", "Empty prefix", "Or"]
    );
    assert_eq!(
        fired(&mut rs, &ev("t", "Bob", T0)),
        vec!["In", "Empty prefix", "Unkeyed"]
    );
    // No actor name: no keyed rule is a candidate.
    let nameless = Event::from_bytes(&br#"{"eventType":"t"}"#[..]).unwrap();
    assert_eq!(
        rs.candidates_for(&nameless),
        vec!["Empty prefix", "Unkeyed", "Or"]
    );
    assert_eq!(fired(&mut rs, &nameless), vec!["Empty prefix"]);
}

#[test]
fn many_rules_for_other_types_are_not_candidates() {
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&rule(
            &format!("R{i}"),
            &format!("okta.evt.type = type.{i}"),
            "NOTICE",
            "okta",
        ));
    }
    let mut rs = ruleset(&text, &EngineOptions::default());
    assert_eq!(rs.candidates_for(&ev("type.7", "x", T0)), vec!["R7"]);
    assert!(rs.candidates_for(&ev("unknown.type", "x", T0)).is_empty());
    assert_eq!(fired(&mut rs, &ev("type.150", "x", T0)), vec!["R150"]);
}

#[test]
fn events_without_event_type() {
    let mut rs = ruleset(
        &format!(
            "{}{}",
            rule("Empty type", "okta.evt.type = \"\"", "NOTICE", "okta"),
            rule("Any", "okta.actor.name = Bob", "NOTICE", "okta")
        ),
        &EngineOptions {
            rule_matching: RuleMatching::All,
            ..EngineOptions::default()
        },
    );
    let e = Event::from_bytes(&br#"{"uuid":"1","published":"2024-05-14T14:07:31.295Z","actor":{"displayName":"Bob"}}"#[..]).unwrap();
    assert_eq!(fired(&mut rs, &e), vec!["Empty type", "Any"]);
}

#[test]
fn disabled_rules_do_not_run_and_selections_apply_in_order() {
    let text = format!(
        "{}  enabled: false\n{}",
        rule("Off", "okta.actor.name = Alice", "NOTICE", "okta"),
        rule("On", "okta.actor.name = Alice", "NOTICE", "okta, x")
    );
    let mut rs = ruleset(&text, &EngineOptions::default());
    assert_eq!(fired(&mut rs, &ev("t", "Alice", T0)), vec!["On"]);
    assert_eq!(rs.active_count(), 1);

    let opts = |selections| EngineOptions {
        selections,
        rule_matching: RuleMatching::All,
        ..EngineOptions::default()
    };
    let mut rs = ruleset(&text, &opts(vec![Selection::EnableName("Of*".into())]));
    assert_eq!(fired(&mut rs, &ev("t", "Alice", T0)), vec!["Off", "On"]);
    let mut rs = ruleset(
        &text,
        &opts(vec![Selection::DisableNameContaining("n".into())]),
    );
    assert!(fired(&mut rs, &ev("t", "Alice", T0)).is_empty());
    let mut rs = ruleset(&text, &opts(vec![Selection::DisableTag("x".into())]));
    assert!(fired(&mut rs, &ev("t", "Alice", T0)).is_empty());
    let mut rs = ruleset(
        &text,
        &opts(vec![
            Selection::EnableTag("okta".into()),
            Selection::OnlyTags(vec!["x".into()]),
        ]),
    );
    assert_eq!(fired(&mut rs, &ev("t", "Alice", T0)), vec!["On"]);
    let mut rs = ruleset(
        &text,
        &opts(vec![
            Selection::DisableName("*".into()),
            Selection::EnableName("Off".into()),
        ]),
    );
    assert_eq!(fired(&mut rs, &ev("t", "Alice", T0)), vec!["Off"]);
}

#[test]
fn minimum_priority() {
    let opts = EngineOptions {
        min_priority: Priority::Warning,
        rule_matching: RuleMatching::All,
        ..EngineOptions::default()
    };
    let mut rs = ruleset(&three_rules(), &opts);
    assert_eq!(
        fired(&mut rs, &ev("user.account.lock", "Alice", T0)),
        vec!["Alice anything", "Alice lock"]
    );
    // Selections cannot enable a rule below the minimum priority.
    let opts = EngineOptions {
        min_priority: Priority::Critical,
        selections: vec![Selection::EnableName("*".into())],
        ..EngineOptions::default()
    };
    let rs = ruleset(&three_rules(), &opts);
    assert_eq!(rs.active_count(), 1);
}

#[test]
fn alert_content() {
    let opts = EngineOptions {
        hostname: Some("test-host".into()),
        ..EngineOptions::default()
    };
    let mut rs = ruleset(&three_rules(), &opts);
    let e = ev("user.account.lock", "Alice", T0);
    let a = rs.process(&e).next().unwrap();
    assert_eq!(a.output, "Any lock fired for Alice");
    assert_eq!(&*a.tags, &["lock".to_string(), "okta".to_string()]);
    assert_eq!(
        a.to_text(),
        "14:07:31.295000000: Notice Any lock fired for Alice"
    );
    let v: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    assert_eq!(v["hostname"], "test-host");
    assert_eq!(v["rule"], "Any lock");
    assert_eq!(v["priority"], "Notice");
    assert_eq!(v["source"], "okta");
    assert_eq!(v["time"], "2024-05-14T14:07:31.295000000Z");
    assert_eq!(v["output_fields"]["okta.actor.name"], "Alice");
    assert_eq!(v["output_fields"]["evt.time"], 1_715_695_651_295_000_000i64);
    assert_eq!(a.event.uuid().as_deref(), e.uuid().as_deref());
}

fn threshold_rules() -> String {
    format!(
        "{}  threshold:\n    count: 3\n    window: 1m\n    by: okta.actor.name\n{}",
        rule(
            "Burst",
            "okta.evt.type = user.session.start",
            "WARNING",
            "okta"
        ),
        rule(
            "Every start",
            "okta.evt.type = user.session.start",
            "NOTICE",
            "okta"
        ),
    )
}

#[test]
fn threshold_rule_fires_at_count_per_key() {
    let mut rs = ruleset(&threshold_rules(), &EngineOptions::default());
    let t = |s: u32| format!("2024-05-14T14:{:02}:{:02}.000Z", s / 60, s % 60);
    // Before the count, the threshold rule does not count as a match: the next rule fires.
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "a", &t(0))),
        vec!["Every start"]
    );
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "b", &t(1))),
        vec!["Every start"]
    );
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "a", &t(2))),
        vec!["Every start"]
    );
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "a", &t(3))),
        vec!["Burst"]
    );
    // Reset after firing.
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "a", &t(4))),
        vec!["Every start"]
    );
    // b: two more within the minute → fires on the third.
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "b", &t(30))),
        vec!["Every start"]
    );
    assert_eq!(
        fired(&mut rs, &ev("user.session.start", "b", &t(60))),
        vec!["Burst"]
    );
    // Outside the window: c at 0s, 61s, 122s never reaches 3 within a minute.
    for s in [200, 261, 322] {
        assert_eq!(
            fired(&mut rs, &ev("user.session.start", "c", &t(s))),
            vec!["Every start"]
        );
    }
}

#[test]
fn stream_adapter_yields_alerts_and_passes_errors() {
    let rs = ruleset(&three_rules(), &EngineOptions::default());
    let input = stream::iter(vec![
        Ok(ev("user.account.lock", "Bob", T0)),
        Err("source hiccup"),
        Ok(ev("user.session.start", "Bob", T0)),
        Ok(ev("user.session.start", "Alice", T0)),
    ]);
    let out: Vec<Result<String, &str>> = block_on(
        input
            .apply_rules(rs)
            .map(|r| r.map(|a| a.rule.to_string()))
            .collect(),
    );
    assert_eq!(
        out,
        vec![
            Ok("Any lock".to_string()),
            Err("source hiccup"),
            Ok("Alice anything".to_string())
        ]
    );
}

#[test]
fn stream_adapter_with_events() {
    let rs = ruleset(
        &three_rules(),
        &EngineOptions {
            rule_matching: RuleMatching::All,
            ..EngineOptions::default()
        },
    );
    let input = stream::iter(vec![
        Ok::<_, ()>(ev("user.account.lock", "Alice", T0)),
        Ok(ev("user.session.start", "Bob", T0)),
    ]);
    let out: Vec<String> = block_on(
        input
            .apply_rules_with_events(rs)
            .map(|r| match r.unwrap() {
                Output::Event(e) => format!("event {}", e.event_type().unwrap()),
                Output::Alert(a) => format!("alert {}", a.rule),
            })
            .collect(),
    );
    assert_eq!(
        out,
        vec![
            "event user.account.lock",
            "alert Any lock",
            "alert Alice anything",
            "alert Alice lock",
            "event user.session.start"
        ]
    );
}

#[test]
fn stream_adapter_accepts_unpin_and_not_unpin_streams() {
    let rs = ruleset(&three_rules(), &EngineOptions::default());
    let input = futures::stream::unfold(0, |n| async move {
        (n < 3).then(|| (Ok::<_, ()>(ev("user.account.lock", "Alice", T0)), n + 1))
    });
    let out: Vec<_> = block_on(input.apply_rules(rs).collect());
    assert_eq!(out.len(), 3);
}

#[test]
fn ruleset_and_alerts_can_move_between_threads() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<Ruleset>();
    assert_send::<okta_rules::Alert>();
    assert_send::<okta_rules::Error>();
}

#[test]
fn generic_event_fields_in_conditions_and_outputs() {
    let text = "- rule: Generic\n  desc: d\n  condition: evt.source = okta and evt.num > 1 and evt.is_async = false and not evt.asynctype exists\n  output: n=%evt.num t=%evt.time d=%evt.datetime.s ns=%evt.rawtime.ns rel=%evt.reltime.s on %evt.hostname\n  priority: NOTICE\n  source: okta\n";
    let options = EngineOptions {
        hostname: Some("falco-host".into()),
        ..EngineOptions::default()
    };
    let mut rs = ruleset(text, &options);
    // evt.num counts from 1: the first event does not match.
    assert!(rs
        .process(&ev("a", "Alice", "2024-05-14T14:07:30.000000001Z"))
        .next()
        .is_none());
    let alerts: Vec<_> = rs.process(&ev("a", "Alice", T0)).collect();
    assert_eq!(
        alerts[0].to_text(),
        "14:07:31.295000000: Notice n=2 t=14:07:31.295000000 d=2024-05-14 14:07:31 ns=295000000 rel=1 on falco-host"
    );
    let json: serde_json::Value = serde_json::from_str(&alerts[0].to_json()).unwrap();
    let fields = &json["output_fields"];
    // Time texts are nanoseconds in output_fields (as Falco writes them), numbers are numbers.
    assert_eq!(fields["evt.time"], 1_715_695_651_295_000_000i64);
    assert_eq!(fields["evt.datetime.s"], 1_715_695_651_295_000_000i64);
    assert_eq!(fields["evt.num"], 2);
    assert_eq!(fields["evt.rawtime.ns"], 295_000_000);
    assert_eq!(fields["evt.hostname"], "falco-host");
    // A nanosecond part under 10^8 keeps its 9 digits in text.
    let mut rs = ruleset(
        "- rule: R\n  desc: d\n  condition: evt.num > 0\n  output: at %evt.rawtime.s.%evt.rawtime.ns\n  priority: NOTICE\n  source: okta\n",
        &options,
    );
    let a: Vec<_> = rs
        .process(&ev("a", "A", "2024-05-14T14:07:31.000000042Z"))
        .collect();
    assert!(
        a[0].to_text().ends_with("at 1715695651.000000042"),
        "{}",
        a[0].to_text()
    );
}
