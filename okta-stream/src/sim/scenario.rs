//! Scripted attack scenarios, rendered among benign traffic.
//!
//! Each [`Scenario`] is a short, self-contained story (an attacker spamming Okta Verify pushes, a
//! password spray from one address, an admin granting privileges …) that
//! [`Generator::scenario`] renders as events starting at a given time, through the same rendering
//! path as benign traffic. Victims and admins come from the generator's directory; attackers use
//! the unusual locations and scripted clients of [`super::directory`]. Every scenario spans at most
//! about half a minute, so that the demo can play all of them quickly and windowed rules (e.g.
//! "≥ 3 MFA denies in 300 s") see them inside one window.

use serde_json::{json, Value};

use super::directory::{ATTACKER_USER_AGENTS, UNUSUAL_LOCATIONS};
use super::generate::{Behaviors, Generator, Spec};

/// The scripted scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// MFA push bombing: an attacker with a user's password sends Okta Verify pushes until the
    /// tired user accepts. Several `user.mfa.okta_verify.deny_push` and
    /// `user.authentication.auth_via_mfa` FAILURE events for one user within seconds, then a
    /// successful MFA and `user.session.start` from the attacker's address.
    MfaPushBombing,
    /// Password spraying: `user.session.start` FAILURE `INVALID_CREDENTIALS` for many different
    /// users from one hosting-provider address with a scripted client.
    PasswordSpraying,
    /// An admin grants the Super Administrator role to a user (`user.account.privilege.grant`,
    /// `debugData.privilegeGranted`).
    AdminPrivilegeGrant,
    /// An admin creates an SSWS API token (`system.api_token.create`).
    ApiTokenCreation,
    /// An admin impersonates a user (`user.session.impersonation.initiate`), acts as them (an SSO
    /// whose `debugData.originalPrincipal` names the admin) and ends the impersonation.
    Impersonation,
    /// A user signs in from a country the org never signs in from (`user.session.start` SUCCESS,
    /// behaviours `New Geo-Location=POSITIVE`, `New Country=POSITIVE`, risk HIGH).
    NewCountrySignIn,
    /// An admin resets all MFA factors of a user (`user.mfa.factor.reset_all`) and the Okta Verify
    /// enrolment is deactivated (`user.mfa.factor.deactivate`).
    MfaFactorReset,
    /// An admin adds a user to a privileged group (`group.user_membership.add`).
    GroupMembershipAdd,
    /// A user's account is locked after repeated failed sign-ins (`user.account.lock`).
    UserLockOut,
    /// An admin opens the Okta Admin Console (`user.session.access_admin_app`) from a new address.
    AdminAppAccess,
    /// The org exceeds an API rate limit (`system.org.rate_limit.violation`).
    RateLimitViolation,
}

impl Scenario {
    /// Every scenario, in the order the sample log and the demo play them.
    pub const ALL: [Scenario; 11] = [
        Scenario::PasswordSpraying,
        Scenario::MfaPushBombing,
        Scenario::NewCountrySignIn,
        Scenario::UserLockOut,
        Scenario::AdminAppAccess,
        Scenario::AdminPrivilegeGrant,
        Scenario::GroupMembershipAdd,
        Scenario::ApiTokenCreation,
        Scenario::Impersonation,
        Scenario::MfaFactorReset,
        Scenario::RateLimitViolation,
    ];

    /// Short kebab-case name, e.g. `mfa-push-bombing`.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::MfaPushBombing => "mfa-push-bombing",
            Scenario::PasswordSpraying => "password-spraying",
            Scenario::AdminPrivilegeGrant => "admin-privilege-grant",
            Scenario::ApiTokenCreation => "api-token-creation",
            Scenario::Impersonation => "impersonation",
            Scenario::NewCountrySignIn => "new-country-sign-in",
            Scenario::MfaFactorReset => "mfa-factor-reset",
            Scenario::GroupMembershipAdd => "group-membership-add",
            Scenario::UserLockOut => "user-lock-out",
            Scenario::AdminAppAccess => "admin-app-access",
            Scenario::RateLimitViolation => "rate-limit-violation",
        }
    }

    /// The scenario with this [`name`](Scenario::name).
    pub fn from_name(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One-line description.
    pub fn description(self) -> &'static str {
        match self {
            Scenario::MfaPushBombing => {
                "an attacker spams Okta Verify pushes until the user accepts"
            }
            Scenario::PasswordSpraying => "failed sign-ins for many users from one address",
            Scenario::AdminPrivilegeGrant => "an admin grants Super Administrator to a user",
            Scenario::ApiTokenCreation => "an admin creates an SSWS API token",
            Scenario::Impersonation => "an admin impersonates a user",
            Scenario::NewCountrySignIn => "a user signs in from a country never seen before",
            Scenario::MfaFactorReset => "an admin resets all MFA factors of a user",
            Scenario::GroupMembershipAdd => "a user is added to a privileged group",
            Scenario::UserLockOut => "a user is locked out after repeated failed sign-ins",
            Scenario::AdminAppAccess => "an admin opens the Admin Console from a new address",
            Scenario::RateLimitViolation => "the org exceeds an API rate limit",
        }
    }

    /// The event type that characterises the scenario (every rendering contains it).
    pub fn signature_event_type(self) -> &'static str {
        match self {
            Scenario::MfaPushBombing => "user.mfa.okta_verify.deny_push",
            Scenario::PasswordSpraying => "user.session.start",
            Scenario::AdminPrivilegeGrant => "user.account.privilege.grant",
            Scenario::ApiTokenCreation => "system.api_token.create",
            Scenario::Impersonation => "user.session.impersonation.initiate",
            Scenario::NewCountrySignIn => "user.session.start",
            Scenario::MfaFactorReset => "user.mfa.factor.reset_all",
            Scenario::GroupMembershipAdd => "group.user_membership.add",
            Scenario::UserLockOut => "user.account.lock",
            Scenario::AdminAppAccess => "user.session.access_admin_app",
            Scenario::RateLimitViolation => "system.org.rate_limit.violation",
        }
    }

    /// Renders this scenario's events starting at `at_ms` (time-ordered).
    pub fn render(self, generator: &mut Generator, at_ms: i64) -> Vec<Value> {
        generator.scenario(self, at_ms)
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Generator {
    /// Renders `scenario`'s events starting at `at_ms`, in time order. Does not move the benign
    /// clock.
    pub fn scenario(&mut self, scenario: Scenario, at_ms: i64) -> Vec<Value> {
        let users = self.directory().users.len();
        let admins: Vec<usize> = self.directory().admins().collect();
        let admin = admins[self.rng().index(admins.len())];
        // A non-admin victim.
        let victim = admins.len() + self.rng().index(users - admins.len());
        let mut t = at_ms;
        let mut out = Vec::new();
        match scenario {
            Scenario::MfaPushBombing => {
                let loc = &UNUSUAL_LOCATIONS[self.rng().index(UNUSUAL_LOCATIONS.len())];
                let origin = self.origin_at(loc, &ATTACKER_USER_AGENTS[1]);
                let pushes = 4 + self.rng().index(3);
                for _ in 0..pushes {
                    let tx = self.transaction_id();
                    let deny = Spec {
                        event_type: "user.mfa.okta_verify.deny_push",
                        display_message: "User rejected Okta push verify",
                        legacy: Some("core.user.factor.attempt_fail"),
                        severity: "WARN",
                        actor: self.user_actor(victim),
                        origin: Some(origin.clone()),
                        credential_type: Some("OTP"),
                        result: "FAILURE",
                        reason: Some("INVALID_CREDENTIALS".into()),
                        targets: vec![self.user_target(victim)],
                        debug: vec![("factor", json!("OKTA_VERIFY_PUSH"))],
                        request_uri: "/api/v1/authn/factors/verify",
                        transaction: Some(tx.clone()),
                        ..Spec::default()
                    };
                    out.push(self.render(deny, t));
                    let fail = self.mfa_spec(
                        victim,
                        origin.clone(),
                        None,
                        "FAILURE",
                        Some("INVALID_CREDENTIALS"),
                        Some(tx),
                    );
                    out.push(self.render(fail, t + 25));
                    t += self.rng().range(2_000, 5_000);
                }
                let session = self.new_session();
                let ok = self.mfa_spec(
                    victim,
                    origin.clone(),
                    Some(session.clone()),
                    "SUCCESS",
                    None,
                    None,
                );
                out.push(self.render(ok, t));
                let mut start =
                    self.session_start_spec(victim, origin, Some(session), "SUCCESS", None);
                start.behaviors = Some(Behaviors::all_new());
                start.risk = "HIGH";
                out.push(self.render(start, t + 30));
            }
            Scenario::PasswordSpraying => {
                let origin = self.origin_at(&UNUSUAL_LOCATIONS[4], &ATTACKER_USER_AGENTS[0]);
                let count = 12 + self.rng().index(8);
                let first = self.rng().index(users);
                for k in 0..count {
                    let u = (first + k) % users;
                    let mut spec = self.session_start_spec(
                        u,
                        origin.clone(),
                        None,
                        "FAILURE",
                        Some("INVALID_CREDENTIALS"),
                    );
                    spec.request_uri = "/api/v1/authn";
                    spec.behaviors = Some(Behaviors::all_new());
                    spec.risk = "MEDIUM";
                    out.push(self.render(spec, t));
                    t += self.rng().range(300, 1_500);
                }
            }
            Scenario::AdminPrivilegeGrant => {
                let origin = self.home_origin(admin);
                let spec = Spec {
                    event_type: "user.account.privilege.grant",
                    display_message: "Grant user privilege",
                    legacy: Some("core.user.admin_privilege.granted"),
                    actor: self.user_actor(admin),
                    origin: Some(origin),
                    session: Some(self.new_session()),
                    targets: vec![self.user_target(victim)],
                    debug: vec![("privilegeGranted", json!("Super administrator"))],
                    request_uri: "/api/v1/users/roles",
                    ..Spec::default()
                };
                out.push(self.render(spec, t));
            }
            Scenario::ApiTokenCreation => {
                let origin = self.home_origin(admin);
                let token_id = self.okta_id("00T");
                let spec = Spec {
                    event_type: "system.api_token.create",
                    display_message: "Create API token",
                    legacy: Some("api.token.create"),
                    actor: self.user_actor(admin),
                    origin: Some(origin),
                    session: Some(self.new_session()),
                    targets: vec![
                        json!({"id": token_id, "type": "Token", "alternateId": "unknown", "displayName": "ci-automation", "detailEntry": null}),
                    ],
                    request_uri: "/api/internal/tokens",
                    ..Spec::default()
                };
                out.push(self.render(spec, t));
            }
            Scenario::Impersonation => {
                let origin = self.home_origin(admin);
                let session = self.new_session();
                let initiate = Spec {
                    event_type: "user.session.impersonation.initiate",
                    display_message: "User session impersonation initiated",
                    legacy: Some("core.user.impersonation.session.initiated"),
                    severity: "WARN",
                    actor: self.user_actor(admin),
                    origin: Some(origin.clone()),
                    session: Some(session.clone()),
                    targets: vec![self.user_target(victim)],
                    request_uri: "/api/internal/users/impersonation",
                    ..Spec::default()
                };
                out.push(self.render(initiate, t));
                let principal = {
                    let a = self.user_actor(admin);
                    json!({"id": a["id"], "type": "User", "alternateId": a["alternateId"], "displayName": a["displayName"]})
                };
                let apps = self.directory().user_apps().len();
                let app = self.rng().index(apps);
                let mut sso = self.sso(victim, app, t + 4_000);
                if let Some(d) = sso
                    .pointer_mut("/debugContext/debugData")
                    .and_then(Value::as_object_mut)
                {
                    d.insert("originalPrincipal".into(), principal);
                }
                out.push(sso);
                let end = Spec {
                    event_type: "user.session.impersonation.end",
                    display_message: "User session impersonation ended",
                    legacy: Some("core.user.impersonation.session.ended"),
                    actor: self.user_actor(admin),
                    origin: Some(origin),
                    session: Some(session),
                    targets: vec![self.user_target(victim)],
                    request_uri: "/api/internal/users/impersonation",
                    ..Spec::default()
                };
                out.push(self.render(end, t + 9_000));
            }
            Scenario::NewCountrySignIn => {
                let loc = &UNUSUAL_LOCATIONS[self.rng().index(4)];
                let ua = self.home_origin(victim).user_agent;
                let origin = self.origin_at(loc, ua);
                let session = self.new_session();
                let mfa = self.mfa_spec(
                    victim,
                    origin.clone(),
                    Some(session.clone()),
                    "SUCCESS",
                    None,
                    None,
                );
                out.push(self.render(mfa, t));
                let mut start =
                    self.session_start_spec(victim, origin, Some(session), "SUCCESS", None);
                start.behaviors = Some(Behaviors {
                    new_device: false,
                    velocity: true,
                    ..Behaviors::all_new()
                });
                start.risk = "HIGH";
                out.push(self.render(start, t + 40));
            }
            Scenario::MfaFactorReset => {
                let origin = self.home_origin(admin);
                let session = self.new_session();
                let tx = self.transaction_id();
                let reset = Spec {
                    event_type: "user.mfa.factor.reset_all",
                    display_message: "Reset all factors for user",
                    legacy: Some("core.user.factor.reset_all"),
                    actor: self.user_actor(admin),
                    origin: Some(origin.clone()),
                    session: Some(session.clone()),
                    targets: vec![self.user_target(victim)],
                    request_uri: "/api/v1/users/lifecycle/reset_factors",
                    transaction: Some(tx.clone()),
                    ..Spec::default()
                };
                out.push(self.render(reset, t));
                let deactivate = Spec {
                    event_type: "user.mfa.factor.deactivate",
                    display_message: "Reset factor for user",
                    legacy: Some("core.user.factor.deactivate"),
                    actor: self.user_actor(admin),
                    origin: Some(origin),
                    session: Some(session),
                    targets: vec![
                        self.user_target(victim),
                        self.enrollment_target(victim, "Okta Verify Push"),
                    ],
                    debug: vec![("factor", json!("OKTA_VERIFY_PUSH"))],
                    request_uri: "/api/v1/users/lifecycle/reset_factors",
                    transaction: Some(tx),
                    ..Spec::default()
                };
                out.push(self.render(deactivate, t + 60));
            }
            Scenario::GroupMembershipAdd => {
                let origin = self.home_origin(admin);
                let groups = self.directory().groups.len();
                // "Okta Super Admins" or "AWS Production Access" (the last two groups).
                let g = groups - 1 - self.rng().index(2);
                let spec = Spec {
                    event_type: "group.user_membership.add",
                    display_message: "Add user to group membership",
                    legacy: Some("core.user_group_member.user_add"),
                    actor: self.user_actor(admin),
                    origin: Some(origin),
                    session: Some(self.new_session()),
                    targets: vec![self.user_target(victim), self.group_target(g)],
                    request_uri: "/api/v1/groups/users",
                    ..Spec::default()
                };
                out.push(self.render(spec, t));
            }
            Scenario::UserLockOut => {
                let loc = &UNUSUAL_LOCATIONS[self.rng().index(UNUSUAL_LOCATIONS.len())];
                let origin = self.origin_at(loc, &ATTACKER_USER_AGENTS[2]);
                for _ in 0..5 {
                    let spec = self.session_start_spec(
                        victim,
                        origin.clone(),
                        None,
                        "FAILURE",
                        Some("INVALID_CREDENTIALS"),
                    );
                    out.push(self.render(spec, t));
                    t += self.rng().range(800, 2_500);
                }
                let lock = Spec {
                    event_type: "user.account.lock",
                    display_message: "Max sign in attempts exceeded",
                    legacy: Some("core.user_auth.account_locked"),
                    severity: "WARN",
                    actor: self.user_actor(victim),
                    origin: Some(origin.clone()),
                    result: "FAILURE",
                    reason: Some("LOCKED_OUT".into()),
                    targets: vec![self.user_target(victim)],
                    request_uri: "/api/v1/authn",
                    ..Spec::default()
                };
                out.push(self.render(lock, t));
                let spec =
                    self.session_start_spec(victim, origin, None, "FAILURE", Some("LOCKED_OUT"));
                out.push(self.render(spec, t + 1_500));
            }
            Scenario::AdminAppAccess => {
                let loc = &UNUSUAL_LOCATIONS[self.rng().index(4)];
                let ua = self.home_origin(admin).user_agent;
                let origin = self.origin_at(loc, ua);
                let console = self.directory().apps.len() - 1;
                let spec = Spec {
                    event_type: "user.session.access_admin_app",
                    display_message: "User accessing Okta admin app",
                    legacy: Some("app.admin.sso.login.success"),
                    actor: self.user_actor(admin),
                    origin: Some(origin),
                    session: Some(self.new_session()),
                    targets: vec![self.app_target(console)],
                    request_uri: "/admin/sso/request",
                    behaviors: Some(Behaviors {
                        new_ip: true,
                        new_geo: true,
                        ..Behaviors::default()
                    }),
                    risk: "MEDIUM",
                    ..Spec::default()
                };
                out.push(self.render(spec, t));
            }
            Scenario::RateLimitViolation => {
                let bucket = self.okta_id("");
                let spec = Spec {
                    event_type: "system.org.rate_limit.violation",
                    display_message: "Rate limit violation",
                    legacy: Some("core.framework.ratelimit.exceeded"),
                    severity: "WARN",
                    actor: Generator::system_actor(),
                    origin: Some(self.origin_at(&UNUSUAL_LOCATIONS[4], &ATTACKER_USER_AGENTS[0])),
                    result: "RATE_LIMIT",
                    reason: Some("Org rate limit violation for /api/v1/users".into()),
                    targets: vec![
                        json!({"id": "/api/v1/users", "type": "URL Pattern", "alternateId": null, "displayName": null, "detailEntry": null}),
                        json!({"id": bucket, "type": "Bucket Uuid", "alternateId": null, "displayName": "/api/v1/users", "detailEntry": null}),
                    ],
                    debug: vec![
                        ("threshold", json!("600")),
                        ("timeSpan", json!("1")),
                        ("timeUnit", json!("MINUTES")),
                        ("warning", json!("false")),
                    ],
                    request_uri: "/api/v1/users",
                    ..Spec::default()
                };
                out.push(self.render(spec, t));
            }
        }
        out
    }
}

/// `n` events of benign traffic with each of `scenarios` played once at evenly spaced points,
/// ordered by `published`, each with its `published` time in milliseconds since the epoch.
pub fn mixed_events(
    generator: &mut Generator,
    n: usize,
    scenarios: &[Scenario],
) -> Vec<(i64, Value)> {
    mixed_with(generator, n, scenarios, |e| e)
}

/// [`mixed_events`], converting each event with `convert` as soon as it is rendered (e.g. to
/// bytes, so that thousands of `Value` trees are never alive at once).
pub fn mixed_with<T>(
    generator: &mut Generator,
    n: usize,
    scenarios: &[Scenario],
    mut convert: impl FnMut(Value) -> T,
) -> Vec<(i64, T)> {
    let slots = scenarios.len() + 2;
    let mut events: Vec<(i64, u64, T)> = Vec::with_capacity(n + 128);
    let mut order = 0u64;
    let mut push = |events: &mut Vec<(i64, u64, T)>, e: Value| {
        let ms = e["published"]
            .as_str()
            .and_then(super::org::parse_time_ms)
            .unwrap_or(0);
        events.push((ms, order, convert(e)));
        order += 1;
    };
    let mut next_scenario = 0usize;
    let mut benign = 0usize;
    while events.len() < n {
        if next_scenario < scenarios.len() && benign >= (next_scenario + 1) * n / slots {
            let at = generator.clock_ms();
            for e in generator.scenario(scenarios[next_scenario], at) {
                push(&mut events, e);
            }
            next_scenario += 1;
            continue;
        }
        let e = generator.next_event();
        push(&mut events, e);
        benign += 1;
    }
    events.sort_by_key(|(ms, order, _)| (*ms, *order));
    events.truncate(n);
    events.into_iter().map(|(ms, _, e)| (ms, e)).collect()
}

/// A sample System Log: `n` events as JSON lines (one compact `LogEvent` per line), deterministic
/// for `seed`: benign traffic with every [`Scenario`] interleaved at evenly spaced points, ordered
/// by `published`. With `n` of a few hundred or more every scenario is complete.
pub fn sample_log(n: usize, seed: u64) -> Vec<u8> {
    let mut generator = Generator::new(seed);
    let mut out = Vec::with_capacity(n * 2_300);
    for (_, e) in mixed_with(&mut generator, n, &Scenario::ALL, |e| {
        super::generate::to_bytes(&e)
    }) {
        out.extend_from_slice(&e);
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::catalog::Catalog;

    #[test]
    fn every_scenario_renders_catalogued_decodable_events_with_its_signature() {
        let mut g = Generator::new(5);
        let at = g.clock_ms();
        for s in Scenario::ALL {
            let events = s.render(&mut g, at);
            assert!(!events.is_empty(), "{s}");
            assert!(
                events
                    .iter()
                    .any(|e| e["eventType"] == s.signature_event_type()),
                "{s}"
            );
            let mut last = String::new();
            for e in &events {
                assert!(Catalog::get().contains(e["eventType"].as_str().unwrap()));
                let p = e["published"].as_str().unwrap().to_string();
                assert!(p >= last, "{s}: not time-ordered");
                last = p;
                crate::Event::from_bytes(crate::sim::generate::to_bytes(e)).unwrap();
            }
            assert_eq!(Scenario::from_name(s.name()), Some(s));
        }
    }

    #[test]
    fn push_bombing_hits_one_user_several_times_within_minutes() {
        let mut g = Generator::new(11);
        let events = g.scenario(Scenario::MfaPushBombing, 0);
        let denies: Vec<&Value> = events
            .iter()
            .filter(|e| e["eventType"] == "user.mfa.okta_verify.deny_push")
            .collect();
        let fails = events
            .iter()
            .filter(|e| {
                e["eventType"] == "user.authentication.auth_via_mfa"
                    && e["outcome"]["result"] == "FAILURE"
            })
            .count();
        assert!(denies.len() >= 3 && fails >= 3);
        assert!(denies
            .iter()
            .all(|e| e["actor"]["id"] == denies[0]["actor"]["id"]));
    }

    #[test]
    fn spraying_hits_many_users_from_one_ip() {
        let mut g = Generator::new(12);
        let events = g.scenario(Scenario::PasswordSpraying, 0);
        let users: std::collections::HashSet<_> =
            events.iter().map(|e| e["actor"]["id"].clone()).collect();
        let ips: std::collections::HashSet<_> = events
            .iter()
            .map(|e| e["client"]["ipAddress"].clone())
            .collect();
        assert!(users.len() >= 10);
        assert_eq!(ips.len(), 1);
        assert!(events
            .iter()
            .all(|e| e["outcome"]["reason"] == "INVALID_CREDENTIALS"));
    }

    #[test]
    fn sample_log_is_deterministic_ordered_and_contains_every_scenario() {
        let a = sample_log(1_000, 3);
        assert_eq!(a, sample_log(1_000, 3));
        assert_ne!(a, sample_log(1_000, 4));
        let lines: Vec<&[u8]> = a.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 1_000);
        let mut types = std::collections::HashSet::new();
        let mut uuids = std::collections::HashSet::new();
        let mut last = String::new();
        for l in lines {
            let e = crate::Event::from_bytes(l.to_vec()).unwrap();
            types.insert(e.event_type().unwrap().into_owned());
            assert!(uuids.insert(e.uuid().unwrap().into_owned()));
            let p = e.published().unwrap().into_owned();
            assert!(p >= last);
            last = p;
        }
        for s in Scenario::ALL {
            assert!(types.contains(s.signature_event_type()), "{s} missing");
        }
        assert!(types.contains("user.session.impersonation.end"));
        assert!(types.contains("user.mfa.factor.deactivate"));
    }
}
