//! The generated rules of the rules benchmark load without errors or warnings, every rule runs,
//! most are indexed by event type and some are not, and some of them fire on the corpus.

use okta_rules::{EngineOptions, Ruleset};
use okta_stream::Event;
use okta_suite::{corpus::Corpus, rulegen::generated_rules};

#[test]
fn generated_rules_load_and_fire() {
    let yaml = generated_rules(200, 2024);
    let mut rules = Ruleset::load_strs(&[("generated.yaml", &yaml)], &EngineOptions::default())
        .expect("generated rules load");
    assert_eq!(rules.len(), 200);
    assert_eq!(rules.active_count(), 200);
    assert!(rules.warnings().is_empty(), "{:?}", rules.warnings());
    let infos = rules.rule_infos();
    let any_type = infos.iter().filter(|r| r.event_types.is_none()).count();
    assert!(
        (10..=60).contains(&any_type),
        "{any_type} of 200 rules match any event type"
    );

    let (buf, lines) = Corpus::new(5).jsonl(2_000);
    let mut alerts = 0usize;
    let mut fired = std::collections::BTreeSet::new();
    for r in lines {
        let event = Event::from_bytes(buf[r].to_vec()).expect("corpus event");
        rules.process_with(&event, |a| {
            alerts += 1;
            fired.insert(a.rule.to_string());
        });
    }
    println!("{alerts} alerts on 2,000 events from {} rules", fired.len());
    assert!(alerts > 0, "no generated rule fired on 2,000 events");
    assert!(fired.len() > 5, "only {} rules fired", fired.len());
}

/// The engine's index (event types, value and prefix keys), extraction cache and object memo do
/// not change which rules fire: on the corpus, `rule_matching: all` fires exactly the rules whose
/// conditions hold when evaluated alone, and `first` fires the first of them.
#[test]
fn indexed_engine_fires_exactly_the_rules_whose_conditions_hold() {
    use okta_rules::RuleMatching;
    use okta_stream::fields::FieldState;

    let (buf, lines) = Corpus::new(11).jsonl(3_000);
    // The generated rules, plus rules for any event type keyed on values the corpus has (the
    // generated ones use rare values), by exact value, set and prefix.
    let mut yaml = generated_rules(200, 7);
    let state0 = FieldState::new();
    let read = |event: &Event, name: &str| {
        let field = okta_stream::fields::resolve_str(name).expect("field");
        field
            .extract(event, &state0)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    for (i, r) in lines.iter().step_by(97).enumerate() {
        let event = Event::from_bytes(buf[r.clone()].to_vec()).expect("corpus event");
        let login = read(&event, "okta.actor.alternateid");
        let ip = read(&event, "okta.client.ip");
        let country = read(&event, "okta.client.geo.country");
        let result = read(&event, "okta.result");
        let prefix = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        let conditions = [
            format!("okta.actor.alternateid startswith \"{}\" and okta.result = \"{result}\"", prefix(&login, 1 + i % 4)),
            format!("okta.client.geo.country in (\"{country}\", Atlantis) and not okta.client.ip startswith \"{}\"", prefix(&ip, 3)),
            format!("okta.client.ip startswith \"{}\"", prefix(&ip, 2 + i % 5)),
        ];
        for (j, c) in conditions.iter().enumerate() {
            yaml.push_str(&format!(
                "- rule: Keyed {i} {j}\n  desc: d\n  condition: '{}'\n  output: x\n  priority: NOTICE\n  source: okta\n",
                c.replace('\'', "''")
            ));
        }
    }
    let load = |matching| {
        let options = EngineOptions {
            rule_matching: matching,
            ..EngineOptions::default()
        };
        Ruleset::load_strs(&[("generated.yaml", &yaml)], &options).expect("generated rules load")
    };
    let (mut all, mut first, reference) = (
        load(RuleMatching::All),
        load(RuleMatching::First),
        load(RuleMatching::All),
    );
    let mut state = FieldState::new();
    let mut total = 0;
    let mut keyed = 0;
    for r in lines {
        let event = Event::from_bytes(buf[r].to_vec()).expect("corpus event");
        let mut fired = Vec::new();
        all.process_with(&event, |a| fired.push(a.rule.to_string()));
        let mut fired_first = Vec::new();
        first.process_with(&event, |a| fired_first.push(a.rule.to_string()));
        state.observe(&event);
        let expected: Vec<String> = reference
            .rules()
            .filter(|(r, _)| r.predicate.eval(&event, &state))
            .map(|(r, _)| r.name.clone())
            .collect();
        assert_eq!(
            fired,
            expected,
            "event {}",
            String::from_utf8_lossy(event.raw())
        );
        assert_eq!(
            fired_first,
            expected.into_iter().take(1).collect::<Vec<_>>()
        );
        total += fired.len();
        keyed += fired.iter().filter(|r| r.starts_with("Keyed")).count();
    }
    assert!(total > 100, "only {total} alerts");
    assert!(keyed > 100, "only {keyed} alerts from keyed rules");
}
