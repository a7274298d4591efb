//! The deterministic event generator: steady benign traffic of a simulated org.
//!
//! A [`Generator`] owns a seeded [`SimRng`], the org [`Directory`] built from it, a clock and
//! per-user session state. [`Generator::next_event`] advances the clock by a random gap, plays one
//! benign *activity* (a sign-in with its policy evaluation and MFA, an SSO into an app, a sign-out,
//! an admin chore …) into a small queue of events that share a transaction, and hands them out one
//! at a time. Scenarios ([`super::scenario`]) use the same rendering path ([`Generator::render`]) so
//! that attack events look exactly like benign ones. Every event is a `serde_json::Value` shaped like
//! a real Okta `LogEvent` (including quirks: `version` is the string `"0"`, `zone` the string
//! `"null"`, `threatSuspected` the string `"false"`, `logOnlySecurityData` a JSON document inside a
//! string), 1.5–3 KB when serialized.

use std::collections::VecDeque;

use serde_json::{json, Value};
use time::macros::format_description;
use time::OffsetDateTime;

use super::catalog::Catalog;
use super::directory::{Directory, Location, User, UserAgent, HOME_LOCATIONS, USER_AGENTS};
use super::rng::{SimRng, BASE62, BASE64URL};

/// Default start of a generator's clock: 2026-01-15T09:00:00.000Z (milliseconds since the epoch).
pub const DEFAULT_START_MS: i64 = 1_768_467_600_000;

/// Default mean gap between benign activities, in milliseconds.
pub const DEFAULT_MEAN_GAP_MS: i64 = 1_500;

/// Formats milliseconds since the epoch the way Okta writes `published`: `YYYY-MM-DDTHH:mm:ss.SSSZ`.
pub fn format_published(ms: i64) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_string())
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Serializes an event to compact JSON bytes.
pub fn to_bytes(event: &Value) -> Vec<u8> {
    // `Value`'s Display is infallible and writes compact JSON.
    event.to_string().into_bytes()
}

/// Where a request came from: a place, an address and a client.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Geolocation and network.
    pub location: &'static Location,
    /// IPv4 address.
    pub ip: String,
    /// Browser or client.
    pub user_agent: &'static UserAgent,
}

/// An Okta session (`externalSessionId` and `rootSessionId`).
#[derive(Debug, Clone)]
pub struct Session {
    /// `externalSessionId`.
    pub id: String,
    /// `rootSessionId`.
    pub root: String,
}

/// Okta's behaviour-detection flags (`debugData.behaviors`, `logOnlySecurityData`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Behaviors {
    /// New Geo-Location.
    pub new_geo: bool,
    /// New Device.
    pub new_device: bool,
    /// New IP.
    pub new_ip: bool,
    /// New State.
    pub new_state: bool,
    /// New Country.
    pub new_country: bool,
    /// Velocity (impossible travel).
    pub velocity: bool,
    /// New City.
    pub new_city: bool,
}

impl Behaviors {
    /// Everything new, as for a sign-in from an unknown country.
    pub fn all_new() -> Behaviors {
        Behaviors {
            new_geo: true,
            new_device: true,
            new_ip: true,
            new_state: true,
            new_country: true,
            velocity: true,
            new_city: true,
        }
    }

    fn pairs(&self) -> [(&'static str, bool); 7] {
        [
            ("New Geo-Location", self.new_geo),
            ("New Device", self.new_device),
            ("New IP", self.new_ip),
            ("New State", self.new_state),
            ("New Country", self.new_country),
            ("Velocity", self.velocity),
            ("New City", self.new_city),
        ]
    }

    /// Java-map-style text, e.g. `{New Geo-Location=NEGATIVE, New Device=POSITIVE, …}`.
    pub fn java_map(&self) -> String {
        let inner: Vec<String> = self
            .pairs()
            .iter()
            .map(|(k, v)| format!("{k}={}", if *v { "POSITIVE" } else { "NEGATIVE" }))
            .collect();
        format!("{{{}}}", inner.join(", "))
    }

    fn json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (k, v) in self.pairs() {
            m.insert(
                k.to_string(),
                json!(if v { "POSITIVE" } else { "NEGATIVE" }),
            );
        }
        Value::Object(m)
    }
}

/// What to render: the parts of one event that differ between event kinds. Everything else
/// (uuid, published, ids, security context, debugData) is filled in by [`Generator::render`].
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// `eventType`; must be in the catalogue.
    pub event_type: &'static str,
    /// `displayMessage`.
    pub display_message: &'static str,
    /// `legacyEventType`, if any.
    pub legacy: Option<&'static str>,
    /// `severity` (`INFO` when empty).
    pub severity: &'static str,
    /// `actor`.
    pub actor: Value,
    /// Where the request came from; `None` renders a `JOB` with an empty client.
    pub origin: Option<Origin>,
    /// The session, if any (`null` ids otherwise).
    pub session: Option<Session>,
    /// `authenticationContext.credentialType`.
    pub credential_type: Option<&'static str>,
    /// `outcome.result` (`SUCCESS` when empty).
    pub result: &'static str,
    /// `outcome.reason`.
    pub reason: Option<String>,
    /// `target`.
    pub targets: Vec<Value>,
    /// Extra `debugData` members.
    pub debug: Vec<(&'static str, Value)>,
    /// `debugData.requestUri`.
    pub request_uri: &'static str,
    /// Behaviour flags; `None` omits `behaviors`, `risk` and `logOnlySecurityData`.
    pub behaviors: Option<Behaviors>,
    /// Risk level (`LOW` when empty).
    pub risk: &'static str,
    /// Transaction id; a fresh one when `None`.
    pub transaction: Option<String>,
    /// `transaction.detail` (`{}` when null).
    pub transaction_detail: Value,
    /// Whether to include an Okta Verify `device` object.
    pub with_device: bool,
}

/// The seeded generator of a simulated org's events.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: SimRng,
    dir: Directory,
    clock_ms: i64,
    mean_gap_ms: i64,
    seq: u64,
    node: u64,
    sessions: Vec<Option<Session>>,
    pending: VecDeque<Value>,
    policy_id: String,
    rule_id: String,
    latest_ms: i64,
}

impl Generator {
    /// A generator for `seed`, with its clock at [`DEFAULT_START_MS`].
    pub fn new(seed: u64) -> Generator {
        Generator::starting_at(seed, DEFAULT_START_MS)
    }

    /// A generator for `seed`, with its clock at `start_ms` (milliseconds since the epoch).
    pub fn starting_at(seed: u64, start_ms: i64) -> Generator {
        let mut rng = SimRng::new(seed);
        let dir = Directory::generate(&mut rng);
        let node = rng.next_u64() & 0xFFFF_FFFF_FFFF;
        let policy_id = rng.okta_id("00p");
        let rule_id = rng.okta_id("0pr");
        let sessions = vec![None; dir.users.len()];
        Generator {
            rng,
            dir,
            clock_ms: start_ms,
            mean_gap_ms: DEFAULT_MEAN_GAP_MS,
            seq: 0,
            node,
            sessions,
            pending: VecDeque::new(),
            policy_id,
            rule_id,
            latest_ms: start_ms,
        }
    }

    /// Sets the mean gap between benign activities (at least 1 ms).
    pub fn with_mean_gap_ms(mut self, ms: i64) -> Generator {
        self.mean_gap_ms = ms.max(1);
        self
    }

    /// The org directory.
    pub fn directory(&self) -> &Directory {
        &self.dir
    }

    /// The generator's clock (milliseconds since the epoch).
    pub fn clock_ms(&self) -> i64 {
        self.clock_ms
    }

    /// Moves the clock forward to `ms` (never backward). Used for live generation at "now".
    pub fn advance_to(&mut self, ms: i64) {
        self.clock_ms = self.clock_ms.max(ms);
    }

    /// Number of events rendered so far (benign and scenario).
    pub fn rendered(&self) -> u64 {
        self.seq
    }

    /// The next benign event. Its `published` is at or after the previous one's.
    pub fn next_event(&mut self) -> Value {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return event;
            }
            let gap = self.rng.range(1, 2 * self.mean_gap_ms);
            self.clock_ms += gap;
            let at = self.clock_ms;
            self.latest_ms = at;
            let events = self.benign_activity(at);
            // Keep the clock past the activity's last event so the stream stays time-ordered.
            self.clock_ms = self.clock_ms.max(self.latest_ms);
            self.pending.extend(events);
        }
    }

    /// The next benign event as compact JSON bytes.
    pub fn next_event_bytes(&mut self) -> Vec<u8> {
        to_bytes(&self.next_event())
    }

    /// `n` benign events.
    pub fn generate(&mut self, n: usize) -> Vec<Value> {
        (0..n).map(|_| self.next_event()).collect()
    }

    // ----- ids -------------------------------------------------------------------------------

    /// A time-based (version 1) uuid for an event published at `ms`, unique within this generator.
    pub(crate) fn uuid(&mut self, ms: i64) -> String {
        let seq = self.seq;
        self.seq += 1;
        // 100 ns ticks since 1582-10-15; the sub-millisecond part carries the sequence number.
        let ticks = ((ms + 12_219_292_800_000).max(0) as u64) * 10_000 + seq % 10_000;
        let clock = 0x8000 | ((seq / 10_000) & 0x3FFF);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            ticks & 0xFFFF_FFFF,
            (ticks >> 32) & 0xFFFF,
            ((ticks >> 48) & 0x0FFF) | 0x1000,
            clock,
            self.node
        )
    }

    /// A fresh transaction id (also used as `debugData.requestId`), 27 base64url characters.
    pub fn transaction_id(&mut self) -> String {
        self.rng.string(BASE64URL, 27)
    }

    /// A fresh session (`idx…`, as on Identity Engine).
    pub fn new_session(&mut self) -> Session {
        let id = format!("idx{}", self.rng.string(BASE62, 22));
        Session {
            root: id.clone(),
            id,
        }
    }

    /// An Okta-style id with the given prefix.
    pub fn okta_id(&mut self, prefix: &str) -> String {
        self.rng.okta_id(prefix)
    }

    /// The random generator, for scenarios.
    pub(crate) fn rng(&mut self) -> &mut SimRng {
        &mut self.rng
    }

    // ----- actors, targets, origins ------------------------------------------------------------

    /// The `actor` object for user `u`.
    pub fn user_actor(&self, u: usize) -> Value {
        let user = &self.dir.users[u];
        json!({"id": user.id, "type": "User", "alternateId": user.login, "displayName": user.display_name, "detailEntry": null})
    }

    /// A `User` target for user `u`.
    pub fn user_target(&self, u: usize) -> Value {
        self.user_actor(u)
    }

    /// The Okta system principal, actor of asynchronous jobs.
    pub fn system_actor() -> Value {
        json!({"id": "0oa1system0000000000", "type": "SystemPrincipal", "alternateId": "system@okta.com", "displayName": "Okta System", "detailEntry": null})
    }

    /// An `AppInstance` target.
    pub fn app_target(&self, a: usize) -> Value {
        let app = &self.dir.apps[a];
        json!({"id": app.id, "type": "AppInstance", "alternateId": app.label, "displayName": app.label, "detailEntry": {"signOnModeType": "SAML_2_0"}})
    }

    /// A `UserGroup` target.
    pub fn group_target(&self, g: usize) -> Value {
        let group = &self.dir.groups[g];
        json!({"id": group.id, "type": "UserGroup", "alternateId": "unknown", "displayName": group.name, "detailEntry": null})
    }

    /// The `AuthenticatorEnrollment` target of user `u` for the method used (`Password`, or an
    /// Okta Verify method such as `Okta Verify Push`).
    pub fn enrollment_target(&self, u: usize, method: &str) -> Value {
        let user = &self.dir.users[u];
        if method == "Password" {
            // The password "enrollment" id is derived from the user id, as stable as Okta's.
            let id = format!("lae{}", &user.id[3..]);
            return json!({"id": id, "type": "AuthenticatorEnrollment", "alternateId": "unknown", "displayName": "Password", "detailEntry": {"methodTypeUsed": "Password", "methodUsedVerifiedProperties": "[]"}});
        }
        json!({"id": user.enrollment_id, "type": "AuthenticatorEnrollment", "alternateId": "unknown", "displayName": "Okta Verify", "detailEntry": {"methodTypeUsed": method, "methodUsedVerifiedProperties": "[USER_PRESENCE, POSSESSION]"}})
    }

    fn policy_targets(&self) -> Vec<Value> {
        vec![
            json!({"id": self.policy_id, "type": "PolicyEntity", "alternateId": "unknown", "displayName": "Default Policy", "detailEntry": {"policyType": "OktaSignOn"}}),
            json!({"id": self.rule_id, "type": "PolicyRule", "alternateId": self.policy_id, "displayName": "Default Rule", "detailEntry": null}),
        ]
    }

    /// User `u` at home: their usual address and browser.
    pub fn home_origin(&self, u: usize) -> Origin {
        let user: &User = &self.dir.users[u];
        Origin {
            location: &HOME_LOCATIONS[user.home],
            ip: user.ip.clone(),
            user_agent: &USER_AGENTS[user.user_agent],
        }
    }

    /// A random address in `location`'s network with the given client.
    pub fn origin_at(
        &mut self,
        location: &'static Location,
        user_agent: &'static UserAgent,
    ) -> Origin {
        let p = location.network.prefix;
        let ip = format!(
            "{}.{}.{}.{}",
            p[0],
            p[1],
            self.rng.range(0, 255),
            self.rng.range(1, 254)
        );
        Origin {
            location,
            ip,
            user_agent,
        }
    }

    // ----- rendering ---------------------------------------------------------------------------

    /// Renders one complete `LogEvent` published at `at_ms`.
    pub fn render(&mut self, spec: Spec, at_ms: i64) -> Value {
        debug_assert!(
            Catalog::get().contains(spec.event_type),
            "{}",
            spec.event_type
        );
        let uuid = self.uuid(at_ms);
        self.latest_ms = self.latest_ms.max(at_ms);
        let tx = spec
            .transaction
            .clone()
            .unwrap_or_else(|| self.transaction_id());
        let (client, security, ip_chain, tx_type) = match &spec.origin {
            Some(o) => {
                let l = o.location;
                let geo = json!({"city": l.city, "state": l.state, "country": l.country, "postalCode": l.postal_code, "geolocation": {"lat": l.lat, "lon": l.lon}});
                let n = l.network;
                let client = json!({
                    "userAgent": {"rawUserAgent": o.user_agent.raw, "os": o.user_agent.os, "browser": o.user_agent.browser},
                    "zone": "null", "device": o.user_agent.device, "id": null, "ipAddress": o.ip,
                    "geographicalContext": geo.clone(),
                });
                let security = json!({"asNumber": n.as_number, "asOrg": n.as_org, "isp": n.isp, "domain": n.domain, "isProxy": n.is_proxy});
                let chain = json!([{"ip": o.ip, "geographicalContext": geo, "version": "V4", "source": null}]);
                (client, security, chain, "WEB")
            }
            None => (
                json!({"userAgent": null, "zone": null, "device": null, "id": null, "ipAddress": null, "geographicalContext": null}),
                json!({"asNumber": null, "asOrg": null, "isp": null, "domain": null, "isProxy": null}),
                json!([]),
                "JOB",
            ),
        };
        let mut debug = serde_json::Map::new();
        debug.insert("requestId".into(), json!(tx));
        if !spec.request_uri.is_empty() {
            debug.insert("requestUri".into(), json!(spec.request_uri));
            debug.insert("url".into(), json!(format!("{}?", spec.request_uri)));
        }
        if spec.origin.is_some() {
            debug.insert("dtHash".into(), json!(self.rng.hex(64)));
            debug.insert("threatSuspected".into(), json!("false"));
        }
        if let Some(b) = spec.behaviors {
            let level = if spec.risk.is_empty() {
                "LOW"
            } else {
                spec.risk
            };
            let reasons = if level == "LOW" {
                ""
            } else {
                "Anomalous Location, Anomalous Device"
            };
            debug.insert("behaviors".into(), json!(b.java_map()));
            debug.insert(
                "risk".into(),
                json!(if reasons.is_empty() {
                    format!("{{level={level}}}")
                } else {
                    format!("{{reasons={reasons}, level={level}}}")
                }),
            );
            let mut risk = serde_json::Map::new();
            risk.insert("level".into(), json!(level));
            if !reasons.is_empty() {
                risk.insert("reasons".into(), json!(reasons));
            }
            let lsd = json!({"risk": risk, "behaviors": b.json()});
            debug.insert("logOnlySecurityData".into(), json!(lsd.to_string()));
        }
        for (k, v) in spec.debug {
            debug.insert(k.to_string(), v);
        }
        let (external, root) = match &spec.session {
            Some(s) => (json!(s.id), json!(s.root)),
            None => (Value::Null, Value::Null),
        };
        let (provider, cred_provider) = match spec.credential_type {
            Some(_) => (
                json!("OKTA_AUTHENTICATION_PROVIDER"),
                json!("OKTA_CREDENTIAL_PROVIDER"),
            ),
            None => (Value::Null, Value::Null),
        };
        let device = if spec.with_device {
            let (name, platform, version) = match spec.origin.as_ref().map(|o| o.user_agent.os) {
                Some("iOS") => ("iPhone15,2", "IOS", "17.5.1"),
                Some("Windows 10") => ("DESKTOP-ACME", "WINDOWS", "10.0.19045"),
                _ => ("MacBookPro18,3", "OSX", "14.5.0"),
            };
            let id = match spec.actor.get("id").and_then(Value::as_str) {
                Some(id) => self
                    .dir
                    .users
                    .iter()
                    .find(|u| u.id == id)
                    .map(|u| u.device_id.clone())
                    .unwrap_or_else(|| self.rng.okta_id("guo")),
                None => self.rng.okta_id("guo"),
            };
            json!({"id": id, "name": name, "os_platform": platform, "os_version": version, "managed": false, "registered": true,
                   "device_integrator": null, "disk_encryption_type": "ALL_INTERNAL_VOLUMES", "screen_lock_type": "BIOMETRIC",
                   "jailbreak": null, "secure_hardware_present": true})
        } else {
            Value::Null
        };
        let detail = if spec.transaction_detail.is_null() {
            json!({})
        } else {
            spec.transaction_detail
        };
        let mut event = json!({
            "actor": spec.actor,
            "client": client,
            "device": device,
            "authenticationContext": {
                "authenticationProvider": provider, "credentialProvider": cred_provider,
                "credentialType": spec.credential_type, "issuer": null, "interface": null,
                "authenticationStep": 0, "rootSessionId": root, "externalSessionId": external,
            },
            "displayMessage": spec.display_message,
            "eventType": spec.event_type,
            "outcome": {"result": if spec.result.is_empty() { "SUCCESS" } else { spec.result }, "reason": spec.reason},
            "published": format_published(at_ms),
            "securityContext": security,
            "severity": if spec.severity.is_empty() { "INFO" } else { spec.severity },
            "debugContext": {"debugData": debug},
            "legacyEventType": spec.legacy,
            "transaction": {"type": tx_type, "id": tx, "detail": detail},
            "uuid": uuid,
            "version": "0",
            "request": {"ipChain": ip_chain},
            "target": spec.targets,
        });
        if !spec.with_device {
            if let Some(obj) = event.as_object_mut() {
                obj.remove("device");
            }
        }
        event
    }

    // ----- benign activities -----------------------------------------------------------------

    fn benign_activity(&mut self, at: i64) -> Vec<Value> {
        let u = self.rng.index(self.dir.users.len());
        if self.sessions[u].is_none() {
            let typo = self.rng.chance(0.06);
            return self.login(u, at, typo);
        }
        let r = self.rng.unit();
        let admin = self.dir.users[u].admin;
        if r < 0.55 {
            let a = self.rng.index(self.dir.user_apps().len());
            vec![self.sso(u, a, at)]
        } else if r < 0.70 {
            self.step_up(u, at)
        } else if r < 0.82 {
            vec![self.logout(u, at)]
        } else if r < 0.86 {
            vec![self.password_change(u, at)]
        } else if r < 0.88 && admin {
            self.admin_chore(u, at)
        } else {
            let a = self.rng.index(self.dir.user_apps().len());
            vec![self.sso(u, a, at)]
        }
    }

    /// A normal sign-in from home: policy evaluation, Okta Verify push, session start. With
    /// `typo`, a failed password attempt comes first.
    fn login(&mut self, u: usize, at: i64, typo: bool) -> Vec<Value> {
        let origin = self.home_origin(u);
        let mut out = Vec::new();
        let mut t = at;
        if typo {
            let spec = self.session_start_spec(
                u,
                origin.clone(),
                None,
                "FAILURE",
                Some("INVALID_CREDENTIALS"),
            );
            out.push(self.render(spec, t));
            t += self.rng.range(3_000, 9_000);
        }
        let session = self.new_session();
        let tx = self.transaction_id();
        let authn_request_id = self.rng.string(BASE64URL, 25);
        out.push(self.render(
            Spec {
                event_type: "policy.evaluate_sign_on",
                display_message: "Evaluation of sign-on policy",
                actor: self.user_actor(u),
                origin: Some(origin.clone()),
                session: Some(session.clone()),
                result: "ALLOW",
                reason: Some("Sign-on policy evaluation resulted in ALLOW".into()),
                targets: self.policy_targets(),
                request_uri: "/idp/idx/identify",
                transaction: Some(tx.clone()),
                debug: vec![("authnRequestId", json!(authn_request_id))],
                ..Spec::default()
            },
            t,
        ));
        let mfa = self.mfa_spec(
            u,
            origin.clone(),
            Some(session.clone()),
            "SUCCESS",
            None,
            Some(tx.clone()),
        );
        out.push(self.render(mfa, t + 15));
        let mut start = self.session_start_spec(u, origin, Some(session.clone()), "SUCCESS", None);
        start.transaction = Some(tx);
        out.push(self.render(start, t + 30));
        self.sessions[u] = Some(session);
        out
    }

    /// A `user.session.start` spec; `session` is `None` for failures.
    pub(crate) fn session_start_spec(
        &mut self,
        u: usize,
        origin: Origin,
        session: Option<Session>,
        result: &'static str,
        reason: Option<&str>,
    ) -> Spec {
        Spec {
            event_type: "user.session.start",
            display_message: "User login to Okta",
            legacy: Some(if result == "SUCCESS" {
                "core.user_auth.login_success"
            } else {
                "core.user_auth.login_failed"
            }),
            severity: if result == "SUCCESS" { "INFO" } else { "WARN" },
            actor: self.user_actor(u),
            origin: Some(origin),
            session,
            credential_type: Some("PASSWORD"),
            result,
            reason: reason.map(str::to_string),
            targets: vec![self.enrollment_target(u, "Password")],
            request_uri: "/idp/idx/challenge/answer",
            behaviors: Some(Behaviors::default()),
            ..Spec::default()
        }
    }

    /// A `user.authentication.auth_via_mfa` spec (Okta Verify push).
    pub(crate) fn mfa_spec(
        &mut self,
        u: usize,
        origin: Origin,
        session: Option<Session>,
        result: &'static str,
        reason: Option<&str>,
        tx: Option<String>,
    ) -> Spec {
        Spec {
            event_type: "user.authentication.auth_via_mfa",
            display_message: "Authentication of user via MFA",
            legacy: Some(if result == "SUCCESS" {
                "core.user.factor.attempt_success"
            } else {
                "core.user.factor.attempt_fail"
            }),
            severity: if result == "SUCCESS" { "INFO" } else { "WARN" },
            actor: self.user_actor(u),
            origin: Some(origin),
            session,
            credential_type: Some("OTP"),
            result,
            reason: reason.map(str::to_string),
            targets: vec![self.enrollment_target(u, "Okta Verify Push")],
            debug: vec![
                ("factor", json!("OKTA_VERIFY_PUSH")),
                ("factorIntent", json!("AUTHENTICATION")),
            ],
            request_uri: "/idp/idx/authenticators/poll",
            behaviors: Some(Behaviors::default()),
            transaction: tx,
            with_device: true,
            ..Spec::default()
        }
    }

    /// Single sign-on into app `a` (an index into the user apps).
    pub(crate) fn sso(&mut self, u: usize, a: usize, at: i64) -> Value {
        let origin = self.home_origin(u);
        let session = self.sessions[u].clone();
        let app = &self.dir.apps[a];
        let app_user = json!({"id": format!("0ua{}", &app.id[3..]), "type": "AppUser", "alternateId": self.dir.users[u].login, "displayName": self.dir.users[u].display_name, "detailEntry": null});
        let spec = Spec {
            event_type: "user.authentication.sso",
            display_message: "User single sign on to app",
            legacy: Some("app.auth.sso"),
            actor: self.user_actor(u),
            origin: Some(origin),
            session,
            targets: vec![self.app_target(a), app_user],
            request_uri: "/app/acme_sso/sso/saml",
            debug: vec![
                ("initiationType", json!("IDP_INITIATED")),
                ("signOnMode", json!("SAML 2.0")),
            ],
            ..Spec::default()
        };
        self.render(spec, at)
    }

    fn step_up(&mut self, u: usize, at: i64) -> Vec<Value> {
        let origin = self.home_origin(u);
        let session = self.sessions[u].clone();
        let tx = self.transaction_id();
        let verify = Spec {
            event_type: "user.authentication.verify",
            display_message: "Verify user identity",
            actor: self.user_actor(u),
            origin: Some(origin.clone()),
            session: session.clone(),
            credential_type: Some("OTP"),
            targets: vec![self.enrollment_target(u, "Okta Verify Push")],
            request_uri: "/idp/idx/challenge/answer",
            transaction: Some(tx.clone()),
            ..Spec::default()
        };
        let first = self.render(verify, at);
        let mfa = self.mfa_spec(u, origin, session, "SUCCESS", None, Some(tx));
        vec![first, self.render(mfa, at + 20)]
    }

    fn logout(&mut self, u: usize, at: i64) -> Value {
        let origin = self.home_origin(u);
        let session = self.sessions[u].take();
        let spec = Spec {
            event_type: "user.session.end",
            display_message: "User logout from Okta",
            legacy: Some("core.user_auth.logout_success"),
            actor: self.user_actor(u),
            origin: Some(origin),
            session,
            request_uri: "/login/signout",
            ..Spec::default()
        };
        self.render(spec, at)
    }

    fn password_change(&mut self, u: usize, at: i64) -> Value {
        let origin = self.home_origin(u);
        let session = self.sessions[u].clone();
        let spec = Spec {
            event_type: "user.account.update_password",
            display_message: "User update password for Okta",
            legacy: Some("core.user.config.password_update.success"),
            actor: self.user_actor(u),
            origin: Some(origin),
            session,
            credential_type: Some("PASSWORD"),
            targets: vec![self.user_target(u)],
            request_uri: "/idp/idx/challenge/answer",
            ..Spec::default()
        };
        self.render(spec, at)
    }

    /// An admin assigns a user to an app (routine provisioning).
    fn admin_chore(&mut self, admin: usize, at: i64) -> Vec<Value> {
        let origin = self.home_origin(admin);
        let session = self.sessions[admin].clone();
        let target = self.rng.index(self.dir.users.len());
        let a = self.rng.index(self.dir.user_apps().len());
        let app_user = json!({"id": format!("0ua{}", &self.dir.apps[a].id[3..]), "type": "AppUser", "alternateId": self.dir.users[target].login, "displayName": self.dir.users[target].display_name, "detailEntry": null});
        let spec = Spec {
            event_type: "application.user_membership.add",
            display_message: "Add user to application membership",
            legacy: Some("app.generic.provision.assign_user_to_app"),
            actor: self.user_actor(admin),
            origin: Some(origin),
            session,
            targets: vec![app_user, self.app_target(a), self.user_target(target)],
            request_uri: "/api/v1/apps/users",
            ..Spec::default()
        };
        vec![self.render(spec, at)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_format_has_milliseconds() {
        assert_eq!(
            format_published(DEFAULT_START_MS),
            "2026-01-15T09:00:00.000Z"
        );
        assert_eq!(
            format_published(DEFAULT_START_MS + 1_234),
            "2026-01-15T09:00:01.234Z"
        );
    }

    #[test]
    fn same_seed_same_events_different_seed_different_events() {
        let a = Generator::new(42).generate(300);
        let b = Generator::new(42).generate(300);
        let c = Generator::new(43).generate(300);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn benign_events_are_time_ordered_unique_catalogued_and_decodable() {
        let mut g = Generator::new(1);
        let events = g.generate(3_000);
        let mut uuids = std::collections::HashSet::new();
        let mut last = String::new();
        let mut total = 0usize;
        for e in &events {
            let et = e["eventType"].as_str().unwrap();
            assert!(Catalog::get().contains(et), "{et}");
            let p = e["published"].as_str().unwrap().to_string();
            assert!(p >= last, "{p} < {last}");
            last = p;
            assert!(uuids.insert(e["uuid"].as_str().unwrap().to_string()));
            let bytes = to_bytes(e);
            total += bytes.len();
            let ev = crate::Event::from_bytes(bytes).unwrap();
            assert_eq!(ev.event_type().as_deref(), Some(et));
        }
        let mean = total / events.len();
        assert!((1_500..=3_000).contains(&mean), "mean event size {mean}");
    }

    #[test]
    fn users_keep_their_ids_and_home() {
        let g = Generator::new(9);
        let h = Generator::new(9);
        assert_eq!(g.directory().users[3].id, h.directory().users[3].id);
        assert!(g
            .directory()
            .users
            .iter()
            .all(|u| u.id.starts_with("00u") && u.id.len() == 20));
        assert!(g.directory().admins().count() > 0);
    }
}
