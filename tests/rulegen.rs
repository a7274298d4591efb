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
