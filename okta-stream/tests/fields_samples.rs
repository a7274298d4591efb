//! Field extraction on the real Okta samples in `tests/fixtures/okta-samples/`, one test per group
//! of fields, plus the resolve rules and the stateful counters through the public API.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use okta_stream::event::Event;
use okta_stream::fields::{self, FieldError, FieldState, FieldType, Missing, Value, REGISTRY};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/okta-samples");

/// Splits a sample file into events: JSON lines, one object, an array of objects, or an event-hook
/// payload (`data.events[]`). Every piece must decode.
fn events_in(path: &Path) -> Vec<Event> {
    let bytes = std::fs::read(path).unwrap();
    let is_jsonl = path.extension().is_some_and(|e| e == "jsonl");
    let pieces: Vec<Vec<u8>> = if is_jsonl {
        bytes
            .split(|b| *b == b'\n')
            .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
            .map(<[u8]>::to_vec)
            .collect()
    } else {
        let trimmed = String::from_utf8(bytes.clone()).unwrap();
        if trimmed.trim_start().starts_with('[') {
            sonic_rs::to_array_iter(trimmed.as_bytes())
                .map(|item| item.unwrap().as_raw_str().as_bytes().to_vec())
                .collect()
        } else {
            let hook: Option<Vec<Vec<u8>>> = sonic_rs::get_from_slice(&bytes, &["data", "events"])
                .ok()
                .map(|events| {
                    sonic_rs::to_array_iter(events.as_raw_str().as_bytes())
                        .map(|item| item.unwrap().as_raw_str().as_bytes().to_vec())
                        .collect()
                });
            hook.unwrap_or_else(|| vec![bytes])
        }
    };
    pieces
        .into_iter()
        .map(|p| Event::from_bytes(p).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn sample(rel: &str) -> Vec<Event> {
    events_in(&PathBuf::from(SAMPLES).join(rel))
}

fn one(rel: &str) -> Event {
    let mut events = sample(rel);
    assert_eq!(events.len(), 1, "{rel}");
    events.remove(0)
}

const LIST_LOGS: &str = "okta-official/openapi_ListLogs.json";
const SECURITY: &str = "okta-official/openapi_ListLogsWithAdditionalSecurityContext.json";
const HOOK: &str = "okta-official/docs_event-hooks_user.session.start.json";
const LEGACY: &str = "okta-official/docs_legacy-system-log-reference_user.session.start.json";
const CONCURRENCY: &str =
    "okta-official/docs_rl-best-practices_core.concurrency.org.limit.violation.json";
const RATE_LIMIT: &str =
    "okta-official/docs_rl-system-log-events_system.operation.rate_limit.violation.jsonl";
const DEACTIVATE: &str = "okta-official/docs_event-hook-nodejs_user.lifecycle.deactivate.json";
const DEMISTO: &str = "demisto-content/Okta_v2_test_data_get_logs_response.json";
const AIRBNB: &str = "airbnb-streamalert/okta_new_login.data.jsonl";

/// Extracts `field` (written as in rules) from `ev` with a state that has observed `ev`.
fn get(ev: &Event, field: &str) -> Option<Value<'static>> {
    let field = fields::resolve_str(field).unwrap_or_else(|e| panic!("{field}: {e}"));
    let mut state = FieldState::new();
    state.observe(ev);
    field.extract(ev, &state).map(Value::into_owned)
}

fn s(ev: &Event, field: &str) -> Option<String> {
    match get(ev, field) {
        Some(Value::Str(v)) => Some(v.into_owned()),
        None => None,
        Some(other) => panic!("{field}: not a string: {other:?}"),
    }
}

fn list(ev: &Event, field: &str) -> Option<Vec<String>> {
    match get(ev, field) {
        Some(Value::List(v)) => Some(v.into_iter().map(Cow::into_owned).collect()),
        None => None,
        Some(other) => panic!("{field}: not a list: {other:?}"),
    }
}

fn some(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn json_event(text: &str) -> Event {
    Event::from_bytes(text.as_bytes().to_vec()).unwrap()
}

#[test]
fn every_sample_file_decodes() {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::from(SAMPLES)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "json" || e == "jsonl")
            {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 11, "{files:?}");
    let mut total = 0;
    for file in &files {
        let events = events_in(file);
        assert!(!events.is_empty(), "{}", file.display());
        total += events.len();
        // Every field extracts without panicking on every sample.
        let mut state = FieldState::new();
        for ev in &events {
            state.observe(ev);
            for def in REGISTRY {
                let arg = match def.arg {
                    fields::ArgKind::None => None,
                    fields::ArgKind::Index { .. } => Some("1"),
                    fields::ArgKind::Key { .. } if def.name == "okta.json" => Some("/actor/id"),
                    fields::ArgKind::Key { .. } => Some("User"),
                };
                let field = fields::resolve(def.name, arg).unwrap();
                let value = field.extract(ev, &state);
                if def.missing == Missing::Empty {
                    assert!(value.is_some(), "{} on {}", def.name, file.display());
                }
                if let Some(v) = value {
                    let matches_type = matches!(
                        (def.ty, &v),
                        (FieldType::String, Value::Str(_))
                            | (FieldType::U64, Value::U64(_))
                            | (FieldType::Bool, Value::Bool(_))
                            | (FieldType::StringList, Value::List(_))
                    );
                    assert!(matches_type, "{}: {v:?}", def.name);
                }
            }
        }
    }
    // 1 + 1 + 1 + 1 + 1 + 1 + 3 + 2 + 1 events, plus the two error files (objects).
    assert!(total >= 12, "{total}");
}

#[test]
fn plugin_fields_are_all_there_with_falco_types() {
    let plugin = [
        "okta.app",
        "okta.behaviors",
        "okta.org",
        "okta.evt.type",
        "okta.evt.legacytype",
        "okta.severity",
        "okta.message",
        "okta.published",
        "okta.logonlysecuritydata",
        "okta.actor.id",
        "okta.actor.Type",
        "okta.actor.alternateid",
        "okta.actor.name",
        "okta.client.zone",
        "okta.client.ip",
        "okta.client.device",
        "okta.client.id",
        "okta.client.geo.city",
        "okta.client.geo.state",
        "okta.client.geo.country",
        "okta.client.geo.postalcode",
        "okta.client.geo.lat",
        "okta.client.geo.lon",
        "okta.useragent.os",
        "okta.useragent.browser",
        "okta.useragent.raw",
        "okta.result",
        "okta.reason",
        "okta.transaction.id",
        "okta.transaction.type",
        "okta.requesturi",
        "okta.principal.id",
        "okta.principal.alternateid",
        "okta.principal.type",
        "okta.principal.name",
        "okta.authentication.step",
        "okta.authentication.sessionid",
        "okta.authentication.provider",
        "okta.authentication.credentialprovider",
        "okta.security.asnumber",
        "okta.security.asorg",
        "okta.security.isp",
        "okta.security.domain",
        "okta.security.isproxy",
        "okta.target.user.id",
        "okta.target.user.alternateid",
        "okta.target.user.name",
        "okta.target.group.id",
        "okta.target.group.alternateid",
        "okta.target.group.name",
        "okta.target.app.alternateid",
        "okta.targets.displayName",
        "okta.mfa.failure.countlast",
        "okta.mfa.deny.countlast",
    ];
    for name in plugin {
        let def = fields::lookup(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(def.falco, "{name} should be marked falco");
        let expected = match name {
            "okta.security.asnumber" | "okta.mfa.failure.countlast" | "okta.mfa.deny.countlast" => {
                FieldType::U64
            }
            "okta.security.isproxy" => FieldType::Bool,
            _ => FieldType::String,
        };
        assert_eq!(def.ty, expected, "{name}");
    }
    // Falco's generic event fields (libsinsp `sinsp_filter_check_gen_event`), with their types.
    let generic = [
        ("evt.num", FieldType::U64),
        ("evt.time", FieldType::String),
        ("evt.time.s", FieldType::String),
        ("evt.time.iso8601", FieldType::String),
        ("evt.datetime", FieldType::String),
        ("evt.datetime.s", FieldType::String),
        ("evt.rawtime", FieldType::U64),
        ("evt.rawtime.s", FieldType::U64),
        ("evt.rawtime.ns", FieldType::U64),
        ("evt.reltime", FieldType::U64),
        ("evt.reltime.s", FieldType::U64),
        ("evt.reltime.ns", FieldType::U64),
        ("evt.pluginname", FieldType::String),
        ("evt.plugininfo", FieldType::String),
        ("evt.source", FieldType::String),
        ("evt.is_async", FieldType::Bool),
        ("evt.asynctype", FieldType::String),
        ("evt.hostname", FieldType::String),
    ];
    for (name, ty) in generic {
        let def = fields::lookup(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(def.falco, "{name} should be marked falco");
        assert_eq!(def.ty, ty, "{name}");
    }
    let marked = REGISTRY.iter().filter(|d| d.falco).count();
    assert_eq!(
        marked,
        plugin.len() + generic.len(),
        "only plugin and generic fields are marked falco"
    );
}

#[test]
fn event_fields() {
    let ev = one(LIST_LOGS);
    assert_eq!(s(&ev, "okta.evt.type"), some("user.session.start"));
    assert_eq!(
        s(&ev, "okta.evt.legacytype"),
        some("core.user_auth.login_success")
    );
    assert_eq!(s(&ev, "okta.severity"), some("INFO"));
    assert_eq!(s(&ev, "okta.message"), some("User login to Okta"));
    assert_eq!(s(&ev, "okta.published"), some("2024-08-13T15:58:20.353Z"));
    assert_eq!(
        s(&ev, "okta.uuid"),
        some("dc9fd3c0-598c-11ef-8478-2b7584bf8d5a")
    );
    // `version` is the number 0 in this sample, the string "0" in others.
    assert_eq!(s(&ev, "okta.version"), some("0"));
    assert_eq!(s(&one(HOOK), "okta.version"), some("0"));
    let ts = time::macros::datetime!(2024-08-13 15:58:20.353 UTC).unix_timestamp_nanos();
    assert_eq!(get(&ev, "okta.published.ts"), Some(Value::U64(ts as u64)));
    // No org configured: empty, as the plugin with no organization.
    assert_eq!(s(&ev, "okta.org"), some(""));
    let with_org = ev.clone().with_org(Some("acme".into()));
    assert_eq!(s(&with_org, "okta.org"), some("acme"));

    // The impossible date of the legacy sample stays as written; the epoch field is absent.
    let legacy = one(LEGACY);
    assert_eq!(
        s(&legacy, "okta.published"),
        some("2017-09-31T22:23:07.777Z")
    );
    assert_eq!(get(&legacy, "okta.published.ts"), None);
    // legacyEventType null (rate-limit sample): empty for the plugin field.
    let rl = &sample(RATE_LIMIT)[0];
    assert_eq!(s(rl, "okta.evt.legacytype"), some(""));
    // Missing entirely: plugin fields empty, new fields absent.
    let bare = json_event("{}");
    assert_eq!(s(&bare, "okta.evt.type"), some(""));
    assert_eq!(s(&bare, "okta.uuid"), None);
    assert_eq!(s(&bare, "okta.version"), None);
    assert_eq!(s(&json_event(r#"{"uuid":""}"#), "okta.uuid"), some(""));
}

#[test]
fn actor_fields() {
    let ev = one(LIST_LOGS);
    assert_eq!(s(&ev, "okta.actor.id"), some("00uttidj01jqL21aM1d6"));
    assert_eq!(s(&ev, "okta.actor.Type"), some("User"));
    assert_eq!(
        s(&ev, "okta.actor.alternateid"),
        some("john.doe@example.com")
    );
    assert_eq!(s(&ev, "okta.actor.name"), some("John Doe"));
    let deactivate = one(DEACTIVATE);
    assert_eq!(s(&deactivate, "okta.actor.name"), some("Okta Trainer"));
    // Escapes are decoded; missing properties read as "".
    let esc = json_event(r#"{"actor":{"displayName":"Jane \"JD\" Do\u00e9","id":null}}"#);
    assert_eq!(s(&esc, "okta.actor.name"), some("Jane \"JD\" Do\u{e9}"));
    assert_eq!(s(&esc, "okta.actor.id"), some(""));
    assert_eq!(s(&esc, "okta.actor.alternateid"), some(""));
    assert_eq!(
        s(&json_event(r#"{"actor":null}"#), "okta.actor.Type"),
        some("")
    );
}

#[test]
fn client_fields() {
    let ev = one(LIST_LOGS);
    // zone is null here: the plugin field reads "".
    assert_eq!(s(&ev, "okta.client.zone"), some(""));
    assert_eq!(s(&ev, "okta.client.ip"), some("10.0.0.1"));
    assert_eq!(s(&ev, "okta.client.device"), some("Computer"));
    assert_eq!(s(&ev, "okta.client.id"), some(""));
    assert_eq!(s(&ev, "okta.client.geo.city"), some("New York"));
    assert_eq!(s(&ev, "okta.client.geo.state"), some("New York"));
    assert_eq!(s(&ev, "okta.client.geo.country"), some("United States"));
    // postalCode is the number 10013 in this sample.
    assert_eq!(s(&ev, "okta.client.geo.postalcode"), some("10013"));
    assert_eq!(s(&ev, "okta.client.geo.lat"), some("40.3157"));
    // lon is read from `lon` (the plugin's misspelt key always gave 0).
    assert_eq!(s(&ev, "okta.client.geo.lon"), some("-74.01"));
    assert_eq!(s(&ev, "okta.useragent.os"), some("Mac OS X"));
    assert_eq!(s(&ev, "okta.useragent.browser"), some("CHROME"));
    assert!(s(&ev, "okta.useragent.raw")
        .unwrap()
        .starts_with("Mozilla/5.0 (Macintosh"));

    // zone as the literal string "null" is kept, as the plugin keeps it.
    let hook = one(HOOK);
    assert_eq!(s(&hook, "okta.client.zone"), some("null"));
    assert_eq!(s(&hook, "okta.client.geo.postalcode"), some("M4M"));
    let airbnb = one(AIRBNB);
    assert_eq!(s(&airbnb, "okta.client.zone"), some("null"));
    assert_eq!(s(&airbnb, "okta.client.geo.lon"), some("-122.4072223"));
    // geographicalContext null: every geo field is "".
    let conc = one(CONCURRENCY);
    for f in ["city", "state", "country", "postalcode", "lat", "lon"] {
        assert_eq!(s(&conc, &format!("okta.client.geo.{f}")), some(""), "{f}");
    }
    assert_eq!(
        s(&conc, "okta.useragent.raw"),
        some("Apache-HttpClient/4.5.2 (Java/1.7.0_76)")
    );
    // ipAddress as the string "null" is kept too.
    let null_ip = json_event(r#"{"client":{"ipAddress":"null"}}"#);
    assert_eq!(s(&null_ip, "okta.client.ip"), some("null"));
}

#[test]
fn outcome_and_transaction_fields() {
    let rl = sample(RATE_LIMIT);
    assert_eq!(rl.len(), 3);
    assert_eq!(s(&rl[0], "okta.result"), some("DENY"));
    assert_eq!(
        s(&rl[0], "okta.reason"),
        some("Too many enrollment attempts for SMS factor")
    );
    assert_eq!(
        s(&rl[0], "okta.transaction.id"),
        some("reqS9xgtpvOTcukX8Yu-SLRDQ")
    );
    assert_eq!(s(&rl[0], "okta.transaction.type"), some("WEB"));
    // outcome null: both read "".
    let conc = one(CONCURRENCY);
    assert_eq!(s(&conc, "okta.result"), some(""));
    assert_eq!(s(&conc, "okta.reason"), some(""));
    // reason null next to a result.
    assert_eq!(s(&one(LIST_LOGS), "okta.reason"), some(""));
    // transaction.detail keys: `{}` and null have none.
    assert_eq!(s(&conc, "okta.transaction.detail[requestApiTokenId]"), None);
    let token = json_event(r#"{"transaction":{"detail":{"requestApiTokenId":"00T1"}}}"#);
    assert_eq!(
        s(&token, "okta.transaction.detail[requestApiTokenId]"),
        some("00T1")
    );
}

#[test]
fn debug_data_fields() {
    let hook = one(HOOK);
    assert_eq!(s(&hook, "okta.requesturi"), some("/idp/idx/identify"));
    assert_eq!(
        s(&hook, "okta.debug[dtHash]"),
        some("f59d98b2e02f1319ef4ca651f57c36e3f25507f67dd6daf0408f753896b7e8dc")
    );
    // threatSuspected is the string "false": a string field gives the text.
    assert_eq!(s(&hook, "okta.debug[threatSuspected]"), some("false"));
    assert_eq!(s(&hook, "okta.debug[privilegeGranted]"), None);
    // Not an /app/ URI: okta.app is absent; behaviors missing: "".
    assert_eq!(s(&hook, "okta.app"), None);
    assert_eq!(s(&hook, "okta.behaviors"), some(""));
    assert_eq!(s(&hook, "okta.logonlysecuritydata"), some(""));
    assert_eq!(s(&hook, "okta.principal.id"), some(""));
    let rl = &sample(RATE_LIMIT)[0];
    assert_eq!(s(rl, "okta.debug[operationRateLimitThreshold]"), some("15"));
    assert_eq!(
        s(rl, "okta.debug[url]"),
        some("/api/v1/authn/factors?updatePhone=true")
    );

    // debugData values may be objects, numbers, or JSON in strings.
    let ev = json_event(
        r#"{"debugContext":{"debugData":{
            "requestUri":"/app/salesforce/exk1abc/sso/saml",
            "behaviors":"{New Geo-Location=NEGATIVE, New Device=POSITIVE}",
            "logOnlySecurityData":"{\"risk\":{\"level\":\"LOW\"}}",
            "privilegeGranted":"Super administrator",
            "risk":"{reasons=Anomalous Device, level=HIGH}",
            "count": 3,
            "flag": true,
            "empty": "",
            "nothing": null,
            "originalPrincipal": {"id":"00u9", "type":"User", "alternateId":"admin@okta.com",
                                  "displayName":"Okta Support"}}}}"#,
    );
    assert_eq!(s(&ev, "okta.app"), some("salesforce"));
    assert_eq!(
        s(&ev, "okta.behaviors"),
        some("{New Geo-Location=NEGATIVE, New Device=POSITIVE}")
    );
    assert_eq!(
        s(&ev, "okta.logonlysecuritydata"),
        some(r#"{"risk":{"level":"LOW"}}"#)
    );
    assert_eq!(s(&ev, "okta.principal.id"), some("00u9"));
    assert_eq!(s(&ev, "okta.principal.type"), some("User"));
    assert_eq!(s(&ev, "okta.principal.alternateid"), some("admin@okta.com"));
    assert_eq!(s(&ev, "okta.principal.name"), some("Okta Support"));
    assert_eq!(
        s(&ev, "okta.debug[privilegeGranted]"),
        some("Super administrator")
    );
    assert_eq!(
        s(&ev, "okta.debug[risk]"),
        some("{reasons=Anomalous Device, level=HIGH}")
    );
    assert_eq!(s(&ev, "okta.debug[count]"), some("3"));
    assert_eq!(s(&ev, "okta.debug[flag]"), some("true"));
    assert_eq!(s(&ev, "okta.debug[empty]"), some(""));
    assert_eq!(s(&ev, "okta.debug[nothing]"), None);
    assert_eq!(
        s(&ev, "okta.debug[originalPrincipal]"),
        some(
            r#"{"id":"00u9","type":"User","alternateId":"admin@okta.com","displayName":"Okta Support"}"#
        )
    );
}

#[test]
fn authentication_fields() {
    let ev = one(LIST_LOGS);
    // authenticationStep is the JSON number 0; the field is a string, as the plugin declares it.
    assert_eq!(s(&ev, "okta.authentication.step"), some("0"));
    assert_eq!(
        s(&ev, "okta.authentication.sessionid"),
        some("idxBager62CSveUkTxvgRtonA")
    );
    assert_eq!(
        s(&ev, "okta.authentication.rootsessionid"),
        some("idxBager62CSveUkTxvgRtonA")
    );
    // null in the sample: "" for plugin fields, absent for new fields.
    assert_eq!(s(&ev, "okta.authentication.provider"), some(""));
    assert_eq!(s(&ev, "okta.authentication.credentialprovider"), some(""));
    assert_eq!(s(&ev, "okta.authentication.credentialtype"), None);
    assert_eq!(s(&ev, "okta.authentication.interface"), None);
    assert_eq!(s(&ev, "okta.authentication.issuer.id"), None);
    // Older samples have no rootSessionId.
    assert_eq!(
        s(&one(DEACTIVATE), "okta.authentication.rootsessionid"),
        None
    );
    assert_eq!(
        s(&one(DEACTIVATE), "okta.authentication.sessionid"),
        some("102lMcfHbwSTuS5V1oPHJs3lw")
    );

    let ad = json_event(
        r#"{"authenticationContext":{"authenticationProvider":"ACTIVE_DIRECTORY",
            "credentialProvider":"OKTA_CREDENTIAL_PROVIDER","credentialType":"PASSWORD",
            "interface":"Outlook","issuer":{"id":"0oa1","type":"AppInstance"},"authenticationStep":1}}"#,
    );
    assert_eq!(
        s(&ad, "okta.authentication.provider"),
        some("ACTIVE_DIRECTORY")
    );
    assert_eq!(
        s(&ad, "okta.authentication.credentialprovider"),
        some("OKTA_CREDENTIAL_PROVIDER")
    );
    assert_eq!(
        s(&ad, "okta.authentication.credentialtype"),
        some("PASSWORD")
    );
    assert_eq!(s(&ad, "okta.authentication.interface"), some("Outlook"));
    assert_eq!(s(&ad, "okta.authentication.issuer.id"), some("0oa1"));
    assert_eq!(
        s(&ad, "okta.authentication.issuer.type"),
        some("AppInstance")
    );
    assert_eq!(s(&ad, "okta.authentication.step"), some("1"));
}

#[test]
fn security_context_fields() {
    let ev = one(SECURITY);
    assert_eq!(get(&ev, "okta.security.asnumber"), Some(Value::U64(394089)));
    assert_eq!(s(&ev, "okta.security.asorg"), some("ASN 0000"));
    assert_eq!(s(&ev, "okta.security.isp"), some("google"));
    assert_eq!(s(&ev, "okta.security.domain"), some(""));
    // isProxy is a JSON boolean.
    assert_eq!(get(&ev, "okta.security.isproxy"), Some(Value::Bool(false)));
    assert_eq!(s(&ev, "okta.security.risk.level"), some("HIGH"));
    assert_eq!(
        s(&ev, "okta.security.risk.detection"),
        some("Suspected Session Hijacking")
    );
    assert_eq!(
        list(&ev, "okta.security.risk.reasons"),
        Some(vec!["Anomalous Device".to_string()])
    );
    assert_eq!(s(&ev, "okta.security.botprotection.level"), some("LOW"));
    assert_eq!(s(&ev, "okta.security.risk.previouslevel"), None);

    // All null: asnumber 0 (the plugin's zero), isproxy absent (unknown).
    let conc = one(CONCURRENCY);
    assert_eq!(get(&conc, "okta.security.asnumber"), Some(Value::U64(0)));
    assert_eq!(get(&conc, "okta.security.isproxy"), None);
    assert_eq!(s(&conc, "okta.security.asorg"), some(""));
    assert_eq!(s(&conc, "okta.security.risk.level"), None);
    let deact = one(DEACTIVATE);
    assert_eq!(get(&deact, "okta.security.asnumber"), Some(Value::U64(577)));
    assert_eq!(s(&deact, "okta.security.domain"), some("example.com"));
    // The strings "true"/"false" are accepted for isProxy.
    let text_bool = json_event(r#"{"securityContext":{"isProxy":"true"}}"#);
    assert_eq!(
        get(&text_bool, "okta.security.isproxy"),
        Some(Value::Bool(true))
    );
}

#[test]
fn device_fields() {
    let ev = one(LIST_LOGS);
    assert_eq!(s(&ev, "okta.device.id"), some("guofdhyjex1feOgbN1d9"));
    assert_eq!(s(&ev, "okta.device.name"), some("Mac15,6"));
    assert_eq!(s(&ev, "okta.device.os_platform"), some("OSX"));
    assert_eq!(s(&ev, "okta.device.os_version"), some("14.6.0"));
    assert_eq!(get(&ev, "okta.device.managed"), Some(Value::Bool(false)));
    assert_eq!(get(&ev, "okta.device.registered"), Some(Value::Bool(true)));
    assert_eq!(
        s(&ev, "okta.device.disk_encryption_type"),
        some("ALL_INTERNAL_VOLUMES")
    );
    assert_eq!(s(&ev, "okta.device.screen_lock_type"), some("BIOMETRIC"));
    assert_eq!(get(&ev, "okta.device.jailbreak"), None);
    assert_eq!(
        get(&ev, "okta.device.secure_hardware_present"),
        Some(Value::Bool(true))
    );
    assert_eq!(s(&one(LEGACY), "okta.device.name"), some("MacBookPro16,1"));
    // device null (hook) or missing (deactivate): everything absent.
    for ev in [one(HOOK), one(DEACTIVATE)] {
        assert_eq!(s(&ev, "okta.device.id"), None);
        assert_eq!(get(&ev, "okta.device.managed"), None);
    }
}

#[test]
fn request_fields() {
    let conc = one(CONCURRENCY);
    assert_eq!(
        list(&conc, "okta.request.ipchain"),
        Some(vec!["4.15.16.10".to_string(), "52.22.142.162".to_string()])
    );
    // Event-hook payloads carry the chain under client.
    assert_eq!(
        list(&one(HOOK), "okta.request.ipchain"),
        Some(vec!["142.126.158.61".to_string()])
    );
    // An empty chain is an empty list; no request at all is absent.
    let demisto = sample(DEMISTO);
    assert_eq!(demisto.len(), 2);
    assert_eq!(
        list(&demisto[0], "okta.request.ipchain"),
        Some(vec!["8.8.8.8".to_string()])
    );
    assert_eq!(list(&demisto[1], "okta.request.ipchain"), Some(vec![]));
    assert_eq!(list(&one(LEGACY), "okta.request.ipchain"), None);
}

#[test]
fn target_fields() {
    // AuthenticatorEnrollment + AppInstance.
    let ev = one(LIST_LOGS);
    assert_eq!(
        s(&ev, "okta.target.app.alternateid"),
        some("Okta Admin Console")
    );
    assert_eq!(s(&ev, "okta.target.user.name"), None);
    assert_eq!(s(&ev, "okta.target.group.id"), None);
    assert_eq!(
        list(&ev, "okta.target.type"),
        Some(vec![
            "AuthenticatorEnrollment".to_string(),
            "AppInstance".to_string()
        ])
    );
    assert_eq!(
        s(&ev, "okta.target.id[AppInstance]"),
        some("0oatxlef9sQvvqInq5d6")
    );
    assert_eq!(
        s(&ev, "okta.target.name[AuthenticatorEnrollment]"),
        some("Okta Verify")
    );
    assert_eq!(
        s(&ev, "okta.target.alternateid[AuthenticatorEnrollment]"),
        some("unknown")
    );
    assert_eq!(s(&ev, "okta.target.id[User]"), None);
    assert_eq!(s(&ev, "okta.targets.displayName[0]"), some("Okta Verify"));
    assert_eq!(
        s(&ev, "okta.targets.displayName[1]"),
        some("Okta Admin Console")
    );
    assert_eq!(s(&ev, "okta.targets.displayName[2]"), None);
    assert_eq!(s(&ev, "okta.targets.type[1]"), some("AppInstance"));
    assert_eq!(s(&ev, "okta.targets.id[0]"), some("pfdfdhyjf0HMbkP2e1d7"));
    assert_eq!(
        s(&ev, "okta.targets.alternateid[1]"),
        some("Okta Admin Console")
    );

    // User + UserGroup.
    let demisto = &sample(DEMISTO)[0];
    assert_eq!(s(demisto, "okta.target.user.id"), some("123"));
    assert_eq!(s(demisto, "okta.target.user.alternateid"), some("test.com"));
    assert_eq!(s(demisto, "okta.target.user.name"), some("test this"));
    assert_eq!(s(demisto, "okta.target.group.id"), some("123"));
    assert_eq!(s(demisto, "okta.target.group.alternateid"), some("unknown"));
    assert_eq!(s(demisto, "okta.target.group.name"), some("test1"));
    assert_eq!(s(demisto, "okta.target.app.alternateid"), None);

    // Types with spaces; properties that are null read "".
    let rl = &sample(RATE_LIMIT)[0];
    assert_eq!(
        s(rl, "okta.target.id[URL Pattern]"),
        some("/api/v1/authn/factors")
    );
    assert_eq!(s(rl, "okta.target.id[Factor Type]"), some("SMS"));
    assert_eq!(s(rl, "okta.target.alternateid[URL Pattern]"), some(""));
    assert_eq!(s(rl, "okta.targets.displayName[0]"), some(""));

    // target null: everything absent, including the list.
    let conc = one(CONCURRENCY);
    assert_eq!(s(&conc, "okta.target.user.name"), None);
    assert_eq!(s(&conc, "okta.targets.displayName[0]"), None);
    assert_eq!(list(&conc, "okta.target.type"), None);
    assert_eq!(
        list(&json_event(r#"{"target":[]}"#), "okta.target.type"),
        Some(vec![])
    );

    // The first target of a type wins; a target without the property reads "".
    let two = json_event(
        r#"{"target":[{"type":"User","id":"u1"},{"type":"User","id":"u2","displayName":"Second"}]}"#,
    );
    assert_eq!(s(&two, "okta.target.user.id"), some("u1"));
    assert_eq!(s(&two, "okta.target.user.name"), some(""));
    assert_eq!(s(&two, "okta.targets.displayName[1]"), some("Second"));
    // Member order does not matter, escapes in the type are decoded.
    let order = json_event(r#"{"target":[{"displayName":"G","type":"User\u0047roup"}]}"#);
    assert_eq!(s(&order, "okta.target.group.name"), some("G"));
}

#[test]
fn json_pointer_field() {
    let ev = one(SECURITY);
    assert_eq!(s(&ev, "okta.json[/target/1/type]"), some("AppInstance"));
    assert_eq!(
        s(&ev, "okta.json[/client/geographicalContext/postalCode]"),
        some("10013")
    );
    assert_eq!(
        s(&ev, "okta.json[/securityContext/risk/reasons/0]"),
        some("Anomalous Device")
    );
    assert_eq!(
        s(&ev, "okta.json[/securityContext/risk]"),
        some(
            r#"{"level":"HIGH","reasons":["Anomalous Device"],"detectionName":"Suspected Session Hijacking"}"#
        )
    );
    assert_eq!(
        s(&ev, "okta.json[/securityContext/userBehaviors/1/name]"),
        some("New Geo-Location")
    );
    assert_eq!(s(&ev, "okta.json[/version]"), some("0"));
    assert_eq!(s(&ev, "okta.json[/securityContext/isProxy]"), some("false"));
    // Missing, null, out of range, leading zero, index into an object: absent.
    assert_eq!(s(&ev, "okta.json[/debugContext/debugData/risk]"), None);
    assert_eq!(s(&ev, "okta.json[/securityContext/domain]"), None);
    assert_eq!(s(&ev, "okta.json[/target/2]"), None);
    assert_eq!(s(&ev, "okta.json[/target/01]"), None);
    assert_eq!(s(&ev, "okta.json[/actor/0]"), None);
    assert_eq!(s(&ev, "okta.json[/actor/id/x]"), None);
    // The event-hook extra property (not a documented member) is reachable; null is absent.
    let hook = one(HOOK);
    assert_eq!(s(&hook, "okta.json[/insertionTimestamp]"), None);
    assert_eq!(
        s(&hook, "okta.json[/client/ipChain/0/ip]"),
        some("142.126.158.61")
    );
    // Escapes ~0 and ~1, an undocumented top-level key, and the whole document.
    let odd = json_event(r#"{"a/b":{"m~n":"yes"},"":{"":1}}"#);
    assert_eq!(s(&odd, "okta.json[/a~1b/m~0n]"), some("yes"));
    assert_eq!(s(&odd, "okta.json[//]"), some("1"));
    assert_eq!(
        s(&odd, "okta.json[]"),
        some(r#"{"a/b":{"m~n":"yes"},"":{"":1}}"#)
    );
}

#[test]
fn counters_follow_event_time_per_actor() {
    let failure = fields::resolve_str("okta.mfa.failure.countlast[300]").unwrap();
    let deny = fields::resolve_str("okta.mfa.deny.countlast[300]").unwrap();
    let mk = |ty: &str, result: &str, actor: &str, sec: u32, uuid: &str| {
        json_event(&format!(
            r#"{{"uuid":"{uuid}","eventType":"{ty}","published":"2024-03-01T08:{:02}:{:02}.000Z","actor":{{"id":"{actor}"}},"outcome":{{"result":"{result}","reason":"INVALID_CREDENTIALS"}}}}"#,
            sec / 60,
            sec % 60
        ))
    };
    let stream = [
        mk(
            "user.authentication.auth_via_mfa",
            "FAILURE",
            "alice",
            0,
            "1",
        ),
        mk(
            "user.authentication.auth_via_mfa",
            "FAILURE",
            "bob",
            10,
            "2",
        ),
        mk(
            "user.authentication.auth_via_mfa",
            "SUCCESS",
            "alice",
            20,
            "3",
        ),
        mk(
            "user.mfa.okta_verify.deny_push",
            "FAILURE",
            "alice",
            30,
            "4",
        ),
        mk(
            "user.authentication.auth_via_mfa",
            "FAILURE",
            "alice",
            200,
            "5",
        ),
        mk(
            "user.authentication.auth_via_mfa",
            "FAILURE",
            "alice",
            299,
            "6",
        ),
        mk(
            "user.authentication.auth_via_mfa",
            "FAILURE",
            "alice",
            301,
            "7",
        ),
        // Late: published before the previous ones.
        mk(
            "user.authentication.auth_via_mfa",
            "FAILURE",
            "alice",
            100,
            "8",
        ),
    ];
    let mut state = FieldState::new();
    let mut seen = Vec::new();
    for ev in &stream {
        state.observe(ev);
        let f = failure.extract(ev, &state);
        let d = deny.extract(ev, &state);
        seen.push((f, d));
    }
    let u = |n| Some(Value::U64(n));
    assert_eq!(
        seen,
        vec![
            (u(1), None),
            (u(1), None), // bob is counted apart
            (None, None), // a success has no count
            (None, u(1)), // a deny counts denies only
            (u(2), None), // 0 and 200
            (u(3), None), // 0, 200, 299: "≥3 in 300 s" fires here
            (u(3), None), // 0 is now exactly 301 s old: 200, 299, 301
            (u(2), None), // the late event at 100 sees 0 and itself, not the later ones
        ]
    );
}

#[test]
fn resolve_validates_arguments() {
    let bad = |text: &str| match fields::resolve_str(text) {
        Err(FieldError::BadArg { reason, .. }) => reason,
        other => panic!("{text}: {other:?}"),
    };
    assert!(bad("okta.json[debugContext]").contains("JSON pointer"));
    assert!(bad("okta.json[/a~2]").contains('~'));
    assert!(bad("okta.debug[]").contains("empty"));
    assert!(bad("okta.target.id[]").contains("empty"));
    assert!(bad("okta.mfa.failure.countlast[0]").contains("1 second"));
    assert!(bad("okta.mfa.deny.countlast[01]").contains("start with 0"));
    assert!(bad("okta.mfa.deny.countlast[+5]").contains("digits"));
    assert!(bad("okta.targets.displayName[x]").contains("digits"));
    assert_eq!(
        fields::resolve("okta.targets.displayName", None).unwrap_err(),
        FieldError::MissingArg("okta.targets.displayName".into())
    );
    assert_eq!(
        fields::resolve_str("okta.evt.type[1]").unwrap_err(),
        FieldError::UnexpectedArg("okta.evt.type".into())
    );
    match fields::resolve("okta.actor.type", None) {
        Err(FieldError::Unknown { suggestion, .. }) => {
            assert_eq!(suggestion, Some("okta.actor.Type"))
        }
        other => panic!("{other:?}"),
    }
    // Keys keep their spaces and brackets; display names round-trip.
    let f = fields::resolve_str("okta.target.id[URL Pattern]").unwrap();
    assert_eq!(f.display_name(), "okta.target.id[URL Pattern]");
    let f = fields::resolve_str("okta.json[/target/0/detailEntry/a[1]]").unwrap();
    assert_eq!(f.display_name(), "okta.json[/target/0/detailEntry/a[1]]");
    assert!(fields::resolve_str("okta.mfa.failure.countlast[300]").is_ok());
}

#[test]
fn common_fields_borrow_from_the_event() {
    let ev = sample(DEMISTO).remove(0);
    let state = FieldState::new();
    for name in [
        "okta.evt.type",
        "okta.actor.name",
        "okta.client.ip",
        "okta.target.user.name",
        "okta.target.id[UserGroup]",
        "okta.debug[requestUri]",
        "okta.json[/client/userAgent/os]",
    ] {
        let field = fields::resolve_str(name).unwrap();
        match field.extract(&ev, &state) {
            Some(Value::Str(Cow::Borrowed(_))) => {}
            other => panic!("{name} should borrow: {other:?}"),
        }
    }
}
