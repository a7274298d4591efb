//! The engine's shortcuts do not change results: for every event, the rules a [`Ruleset`] fires
//! with `rule_matching: all` (event-type index, per-event extraction cache, skipped `okta.evt.type`
//! checks in typed buckets) are exactly the rules whose conditions hold when evaluated alone
//! ([`okta_rules::compile::Predicate::eval`], no index and no cache).

use okta_rules::{EngineOptions, RuleMatching, Ruleset};
use okta_stream::{fields::FieldState, Event};

const RULES: &str = r#"
- list: session_types
  items: [user.session.start, user.session.end]
- rule: r1
  desc: r
  condition: okta.evt.type = user.session.start and okta.actor.name contains Smith
  output: "%okta.actor.name"
  priority: NOTICE
  source: okta
- rule: r2
  desc: r
  condition: okta.evt.type in (session_types) and not okta.client.geo.country = France
  output: "%okta.client.geo.country"
  priority: NOTICE
  source: okta
- rule: r3
  desc: r
  condition: okta.evt.type = oneof (user.session.start, user.session.start)
  output: "x"
  priority: NOTICE
  source: okta
- rule: r4
  desc: r
  condition: okta.evt.type = ""
  output: "x"
  priority: NOTICE
  source: okta
- rule: r5
  desc: r
  condition: okta.evt.type = "5"
  output: "x"
  priority: NOTICE
  source: okta
- rule: r6
  desc: r
  condition: okta.actor.name startswith Ali and okta.actor.name endswith Smith
  output: "x"
  priority: NOTICE
  source: okta
- rule: r7
  desc: r
  condition: okta.evt.type = anyof (user.session.end, user.session.start) and okta.actor.name = "Al\"ice Smith"
  output: "x"
  priority: NOTICE
  source: okta
- rule: r8
  desc: r
  condition: okta.mfa.failure.countlast[300] >= 1 and okta.evt.type = user.authentication.auth_via_mfa
  output: "x"
  priority: NOTICE
  source: okta
- rule: r9
  desc: r
  condition: (okta.evt.type = user.session.start or okta.evt.type = user.session.end) and okta.request.ipchain intersects (1.2.3.4)
  output: "x"
  priority: NOTICE
  source: okta
- rule: r10
  desc: r
  condition: okta.evt.type = user.session.start
  output: "x"
  priority: NOTICE
  source: okta
"#;

const EVENTS: &[&str] = &[
    r#"{"uuid":"1","published":"2024-05-14T14:07:31.295Z","eventType":"user.session.start","actor":{"id":"a","displayName":"Alice Smith"},"client":{"geographicalContext":{"country":"France"}}}"#,
    r#"{"uuid":"2","published":"2024-05-14T14:07:32.295Z","eventType":"user.session.end","actor":{"id":"a","displayName":"Al\"ice Smith"},"request":{"ipChain":[{"ip":"1.2.3.4"}]}}"#,
    r#"{"uuid":"3","published":"2024-05-14T14:07:33.295Z","eventType":"user\u002esession.start","actor":{"displayName":"Bob Smith"}}"#,
    r#"{"uuid":"4","published":"2024-05-14T14:07:34.295Z","eventType":5,"actor":{"displayName":"Alice Smith"}}"#,
    r#"{"uuid":"5","published":"2024-05-14T14:07:35.295Z","eventType":null}"#,
    r#"{"uuid":"6","published":"2024-05-14T14:07:36.295Z"}"#,
    r#"{"uuid":"7","published":"2024-05-14T14:07:37.295Z","eventType":"","actor":{"displayName":"Alice Smith"}}"#,
    r#"{"uuid":"8","published":"2024-05-14T14:07:38.295Z","eventType":"user.authentication.auth_via_mfa","actor":{"id":"a"},"outcome":{"result":"FAILURE"}}"#,
    r#"{"uuid":"9","published":"2024-05-14T14:07:39.295Z","eventType":"user.session.start","actor":{"displayName":"Carol"},"request":{"ipChain":[{"ip":"1.2.3.4"}]}}"#,
];

#[test]
fn fired_rules_are_the_rules_whose_condition_holds() {
    let options = EngineOptions {
        rule_matching: RuleMatching::All,
        ..EngineOptions::default()
    };
    let mut engine = Ruleset::load_strs(&[("r.yaml", RULES)], &options).unwrap();
    let reference = Ruleset::load_strs(&[("r.yaml", RULES)], &options).unwrap();
    assert_eq!(engine.active_count(), 10, "{:?}", engine.warnings());
    let mut state = FieldState::new();
    let mut fired_total = 0;
    for raw in EVENTS {
        let event = Event::from_bytes(raw.as_bytes().to_vec()).unwrap();
        let mut fired = Vec::new();
        engine.process_with(&event, |a| fired.push(a.rule.to_string()));
        state.observe(&event);
        let expected: Vec<String> = reference
            .rules()
            .filter(|(r, _)| r.predicate.eval(&event, &state))
            .map(|(r, _)| r.name.clone())
            .collect();
        assert_eq!(fired, expected, "event {raw}");
        fired_total += fired.len();
    }
    assert!(fired_total >= 8, "only {fired_total} alerts");
}
