//! The Falco Okta ruleset and the bundled default ruleset, on real-shaped events.
//!
//! These rules use `okta.client.ip`, `okta.target.*` and other fields of the full field registry.

use okta_rules::engine::{EngineOptions, RuleMatching, Selection};
use okta_rules::load::{load_str, LoadOptions};
use okta_rules::{default_ruleset, default_ruleset_with, Ruleset};
use okta_stream::event::Event;

const FALCO_RULES: &str = include_str!("fixtures/okta_rules.yaml");
const ADMIN_APP_EVENT: &str = include_str!(
    "../../okta-stream/tests/fixtures/okta-samples/okta-official/docs_events-api-migration_user.session.access_admin_app.json"
);

/// The admin-app sample turned into a group membership event with a user and a group target.
fn group_add_event() -> Event {
    let mut v: serde_json::Value = serde_json::from_str(ADMIN_APP_EVENT).unwrap();
    v["eventType"] = "group.user_membership.add".into();
    v["displayMessage"] = "Add user to group membership".into();
    v["target"] = serde_json::json!([
        {"id": "00u1qw1mqitPHM8AJ0g7", "type": "User", "alternateId": "john.smith@example.com", "displayName": "John Smith", "detailEntry": null},
        {"id": "00g1emaKYZTWRYYRRTSK", "type": "UserGroup", "alternateId": "unknown", "displayName": "Engineering", "detailEntry": null}
    ]);
    Event::from_bytes(serde_json::to_vec(&v).unwrap()).unwrap()
}

fn falco_ruleset(options: &EngineOptions) -> Ruleset {
    Ruleset::load_strs(&[("okta_rules.yaml", FALCO_RULES)], options).unwrap()
}

#[test]
fn falco_file_loads_unchanged_with_its_disabled_rules_disabled() {
    let loaded = load_str("okta_rules.yaml", FALCO_RULES, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.rules.len(), 21);
    let disabled: Vec<&str> = loaded
        .rules
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        disabled,
        vec![
            "User Changing password in to OKTA",
            "Creating a new OKTA user account",
            "User accessing app via single sign on OKTA",
            "User has been moved from suspended status in OKTA.",
            "User has been activated in OKTA",
            "User has been deactivated in OKTA",
            "Adding user in OKTA group",
            "Adding user to application membership in OKTA",
            "Detecting unknown logins using geolocation",
        ]
    );
    // The only warning-free way: the list and macro are used, the versions are accepted.
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let rs = falco_ruleset(&EngineOptions::default());
    assert_eq!(rs.active_count(), 21 - 9);
}

#[test]
fn blog_rule_user_accessing_okta_admin_section() {
    let mut rs = falco_ruleset(&EngineOptions {
        hostname: Some("falco".into()),
        ..EngineOptions::default()
    });
    let ev = Event::from_bytes(ADMIN_APP_EVENT.as_bytes().to_vec()).unwrap();
    let alerts: Vec<_> = rs.process(&ev).collect();
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(&*a.rule, "User accessing OKTA admin section");
    assert_eq!(
        a.output,
        "A user accessed the OKTA admin section of your OKTA instance (user=Jane Doe, ip=99.225.99.159)"
    );
    assert_eq!(
        a.to_text(),
        "14:52:11.272000000: Notice A user accessed the OKTA admin section of your OKTA instance (user=Jane Doe, ip=99.225.99.159)"
    );
    let v: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    assert_eq!(v["output_fields"]["okta.client.ip"], "99.225.99.159");
    assert_eq!(v["output_fields"]["okta.actor.name"], "Jane Doe");
    assert_eq!(v["tags"], serde_json::json!(["okta"]));
    assert_eq!(v["time"], "2018-08-02T14:52:11.272000000Z");
}

#[test]
fn blog_rule_adding_user_in_okta_group() {
    // Disabled upstream: enable it as the blog post does.
    let mut rs = falco_ruleset(&EngineOptions {
        selections: vec![Selection::EnableName("Adding user in OKTA group".into())],
        ..EngineOptions::default()
    });
    let alerts: Vec<_> = rs.process(&group_add_event()).collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(&*alerts[0].rule, "Adding user in OKTA group");
    assert_eq!(
        alerts[0].output,
        "A user has been added in an OKTA group (user=Jane Doe, target group=Engineering, target user=John Smith)"
    );
    // Without enabling it, nothing fires.
    let mut rs = falco_ruleset(&EngineOptions::default());
    assert_eq!(rs.process(&group_add_event()).count(), 0);
}

#[test]
fn default_ruleset_enables_every_falco_rule() {
    let rs = default_ruleset().unwrap();
    let infos = rs.rule_infos();
    for name in [
        "Adding user in OKTA group",
        "Detecting unknown logins using geolocation",
        "User accessing OKTA admin section",
        "Okta password spraying from one IP",
    ] {
        let info = infos
            .iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert!(info.enabled, "{name}");
    }
    assert!(infos.iter().all(|i| i.enabled));
    assert!(rs.warnings().iter().all(|w| !w.is_error()));
}

fn sign_in(ip: &str, user: &str, result: &str, behaviors: &str, second: u32) -> Event {
    Event::from_bytes(
        serde_json::to_vec(&serde_json::json!({
            "uuid": format!("{user}-{second}"),
            "published": format!("2024-05-14T14:{:02}:{:02}.000Z", second / 60, second % 60),
            "eventType": "user.session.start",
            "actor": {"id": "00u1", "type": "User", "alternateId": user, "displayName": user},
            "client": {"ipAddress": ip, "geographicalContext": {"country": "Narnia", "city": "Cair"}},
            "outcome": {"result": result, "reason": if result == "FAILURE" { "INVALID_CREDENTIALS" } else { "" }},
            "debugContext": {"debugData": {"behaviors": behaviors, "threatSuspected": "false", "risk": "{level=LOW}"}},
        }))
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn default_ruleset_detects_password_spraying_and_new_country() {
    let mut rs = default_ruleset_with(&EngineOptions {
        rule_matching: RuleMatching::First,
        ..EngineOptions::default()
    })
    .unwrap();
    let mut spraying = 0;
    for i in 0..12 {
        let e = sign_in(
            "203.0.113.9",
            &format!("user{i}@example.com"),
            "FAILURE",
            "{New Country=NEGATIVE}",
            i * 5,
        );
        for a in rs.process(&e) {
            if &*a.rule == "Okta password spraying from one IP" {
                spraying += 1;
                assert!(a.output.contains("ip=203.0.113.9"), "{}", a.output);
            }
        }
    }
    assert_eq!(
        spraying, 1,
        "10 failures within 5 minutes from one IP fire once"
    );
    let e = sign_in(
        "198.51.100.1",
        "alice@example.com",
        "SUCCESS",
        "{New Country=POSITIVE, New Device=NEGATIVE}",
        200,
    );
    let rules: Vec<String> = rs.process(&e).map(|a| a.rule.to_string()).collect();
    assert_eq!(rules, vec!["Okta sign-in from a new country"]);
}

fn deny_push(user: &str, second: u32, threat: &str) -> Event {
    Event::from_bytes(
        serde_json::to_vec(&serde_json::json!({
            "uuid": format!("deny-{user}-{second}"),
            "published": format!("2024-05-14T15:{:02}:{:02}.000Z", second / 60, second % 60),
            "eventType": "user.mfa.okta_verify.deny_push",
            "actor": {"id": "00u2", "type": "User", "alternateId": user, "displayName": user},
            "client": {"ipAddress": "192.0.2.44"},
            "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
            "debugContext": {"debugData": {"threatSuspected": threat}},
        }))
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn default_ruleset_detects_push_bombing_and_threat_insight() {
    let mut rs = default_ruleset().unwrap();
    let fired: Vec<Vec<String>> = (0..3)
        .map(|i| {
            rs.process(&deny_push("victim@example.com", i * 20, "false"))
                .map(|a| a.rule.to_string())
                .collect()
        })
        .collect();
    assert!(fired[0].is_empty() && fired[1].is_empty(), "{fired:?}");
    assert_eq!(fired[2], vec!["Okta MFA push bombing"]);
    // ThreatInsight comes first in rule order and matches any event type.
    let rules: Vec<String> = rs
        .process(&deny_push("other@example.com", 100, "true"))
        .map(|a| a.rule.to_string())
        .collect();
    assert_eq!(rules, vec!["Okta ThreatInsight flagged a request"]);
}
