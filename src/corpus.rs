//! A deterministic generator of realistic System Log events, for benchmarks, examples and tests.
//!
//! Data flow: [`Corpus::new`] seeds a small pseudo-random generator (splitmix64, so the output
//! is identical on every machine and run); [`Corpus::write_event`] appends one compact JSON
//! event (no trailing newline) to a buffer. Events look like real ones, at about 2.5 KB each:
//! around thirty event types with their legacy types and messages, actors, a client with user
//! agent and geolocation, an Okta Verify device on some, authentication and security contexts,
//! `debugContext.debugData` with several keys (including a JSON document inside a string and
//! Java-map-style strings), a one- or two-hop `request.ipChain`, one to three targets of several
//! types, and some escaped strings (quotes, backslashes, `\u` escapes).
//!
//! ```
//! let mut corpus = okta_suite::corpus::Corpus::new(7);
//! let mut line = Vec::new();
//! corpus.write_event(&mut line);
//! let event = okta_stream::Event::from_bytes(line)?;
//! assert!(event.event_type().is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{self, Write};

/// (eventType, legacyEventType, displayMessage)
const EVENT_TYPES: &[(&str, &str, &str)] = &[
    (
        "user.session.start",
        "core.user_auth.login_success",
        "User login to Okta",
    ),
    (
        "user.session.end",
        "core.user_auth.logout_success",
        "User logout from Okta",
    ),
    (
        "user.authentication.sso",
        "app.auth.sso",
        "User single sign on to app",
    ),
    (
        "user.authentication.auth_via_mfa",
        "core.user.factor.attempt_success",
        "Authentication of user via MFA",
    ),
    (
        "user.authentication.verify",
        "core.user_auth.verify_success",
        "Verify user identity",
    ),
    (
        "user.mfa.okta_verify.deny_push",
        "core.user.factor.deny_push",
        "User rejected Okta push verify",
    ),
    (
        "user.mfa.factor.activate",
        "core.user.factor.activate",
        "User set up MFA factor",
    ),
    (
        "user.mfa.factor.deactivate",
        "core.user.factor.deactivate",
        "Reset factor for user",
    ),
    (
        "user.account.lock",
        "core.user_auth.account_locked",
        "Max sign in attempts exceeded",
    ),
    (
        "user.account.reset_password",
        "core.user.account.reset_password",
        "Fired when the user's Okta password is reset",
    ),
    (
        "user.account.update_password",
        "core.user.config.password_update.success",
        "User update password for Okta",
    ),
    (
        "user.account.privilege.grant",
        "core.user.admin_privilege.granted",
        "Grant user privilege",
    ),
    (
        "user.lifecycle.create",
        "core.user.config.user_creation.success",
        "Create Okta user",
    ),
    (
        "user.lifecycle.activate",
        "core.user.config.user_activated",
        "Activate Okta user",
    ),
    (
        "user.lifecycle.deactivate",
        "core.user.config.user_deactivated",
        "Deactivate Okta user",
    ),
    (
        "user.lifecycle.suspend",
        "core.user.config.user_suspended",
        "Suspend Okta user",
    ),
    (
        "group.user_membership.add",
        "core.user_group_member.user_add",
        "Add user to group membership",
    ),
    (
        "group.user_membership.remove",
        "core.user_group_member.user_remove",
        "Remove user from group membership",
    ),
    (
        "group.privilege.grant",
        "core.group.admin_privilege.granted",
        "Grant group privilege",
    ),
    (
        "application.user_membership.add",
        "app.generic.provision.assign_user_to_app",
        "Add user to application membership",
    ),
    (
        "application.lifecycle.update",
        "app.generic.config.app_updated",
        "Update application",
    ),
    (
        "app.oauth2.as.token.grant.access_token",
        "app.oauth2.as.token.grant.access_token_success",
        "OAuth2 access token is granted",
    ),
    (
        "policy.evaluate_sign_on",
        "policy.evaluate_sign_on",
        "Evaluation of sign-on policy",
    ),
    (
        "policy.lifecycle.update",
        "core.policy.update",
        "Update policy",
    ),
    (
        "policy.rule.update",
        "core.policy.rule.update",
        "Update policy rule",
    ),
    (
        "system.api_token.create",
        "api.token.create",
        "Create API token",
    ),
    (
        "system.org.rate_limit.warning",
        "core.concurrency.org.limit.warning",
        "Rate limit warning",
    ),
    (
        "security.threat.detected",
        "security.threat.detected",
        "Request from suspicious actor",
    ),
    (
        "security.request.blocked",
        "security.request.blocked",
        "Request from blocked IP",
    ),
    (
        "user.session.impersonation.initiate",
        "core.user.impersonation.session.initiated",
        "Okta Support impersonation session initiated",
    ),
    ("zone.update", "core.zone.update", "Update network zone"),
    (
        "device.enrollment.create",
        "device.enrollment.create",
        "Device enrolled in Okta",
    ),
];

const FIRST: &[&str] = &[
    "Jane", "John", "Amélie", "Bjørn", "Chloé", "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Ines",
    "Jamal", "Keiko", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa",
];
const LAST: &[&str] = &[
    "Doe", "Smith", "O'Brien", "Nakamura", "García", "Müller", "Okafor", "Kowalski", "Rossi",
    "Dubois", "Larsen", "Singh", "Chen", "Haddad", "Silva",
];
const CITIES: &[(&str, &str, &str, &str, f64, f64)] = &[
    (
        "New York",
        "New York",
        "United States",
        "10013",
        40.7157,
        -74.01,
    ),
    (
        "San Francisco",
        "California",
        "United States",
        "94103",
        37.7717,
        -122.4072,
    ),
    ("Toronto", "Ontario", "Canada", "M4M", 43.6567, -79.34),
    (
        "London",
        "England",
        "United Kingdom",
        "EC1A",
        51.5072,
        -0.1276,
    ),
    ("Paris", "Île-de-France", "France", "75001", 48.8566, 2.3522),
    ("Berlin", "Land Berlin", "Germany", "10115", 52.52, 13.405),
    (
        "São Paulo",
        "São Paulo",
        "Brazil",
        "01000",
        -23.5505,
        -46.6333,
    ),
    ("Lagos", "Lagos", "Nigeria", "100001", 6.5244, 3.3792),
    ("Tokyo", "Tokyo", "Japan", "100-0001", 35.6762, 139.6503),
    (
        "Sydney",
        "New South Wales",
        "Australia",
        "2000",
        -33.8688,
        151.2093,
    ),
];
const USER_AGENTS: &[(&str, &str, &str)] = &[
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36", "Mac OS X", "CHROME"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Windows 10", "CHROMIUM_EDGE"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Linux", "FIREFOX"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "iOS", "SAFARI"),
    ("okta-sdk-java/8.2.5 java/17.0.2 Linux/5.15.0-1051-aws", "Linux", "UNKNOWN"),
];
const TARGET_KINDS: &[&str] = &[
    "User",
    "AppInstance",
    "UserGroup",
    "AuthenticatorEnrollment",
    "PolicyEntity",
    "PolicyRule",
    "AppUser",
    "Token",
];
const APPS: &[&str] = &[
    "Okta Admin Console",
    "Salesforce.com",
    "Slack",
    "GitHub Enterprise Cloud",
    "AWS IAM Identity Center",
    "Google Workspace",
    "Zoom",
];
const ISPS: &[(u64, &str, &str, &str)] = &[
    (
        7922,
        "comcast",
        "comcast cable communications llc",
        "comcast.net",
    ),
    (16509, "amazon.com", "amazon.com inc.", "amazonaws.com"),
    (15169, "google", "google llc", "google.com"),
    (
        3320,
        "deutsche telekom ag",
        "deutsche telekom ag",
        "t-ipconnect.de",
    ),
    (9009, "m247 europe srl", "m247 ltd", "m247.com"),
];
const ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The deterministic event generator (see the module docs).
#[derive(Debug, Clone)]
pub struct Corpus {
    state: u64,
    count: u64,
    /// Unix time of the next event, in milliseconds.
    clock_ms: u64,
}

impl Corpus {
    /// A generator; the same seed always gives the same events.
    pub fn new(seed: u64) -> Corpus {
        Corpus {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            count: 0,
            clock_ms: 1_717_200_000_000, // 2024-06-01
        }
    }

    fn next_u64(&mut self) -> u64 {
        // splitmix64
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn id(&mut self, prefix: &str, len: usize) -> String {
        let mut s = String::with_capacity(prefix.len() + len);
        s.push_str(prefix);
        for _ in 0..len {
            s.push(ALNUM[self.below(ALNUM.len())] as char);
        }
        s
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16)]))
            .collect()
    }

    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-11ef-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[16..20],
            &h[20..32]
        )
    }

    fn ip(&mut self) -> String {
        format!(
            "{}.{}.{}.{}",
            1 + self.below(222),
            self.below(256),
            self.below(256),
            1 + self.below(254)
        )
    }

    /// Appends one event (compact JSON, no newline) to `out`.
    pub fn write_event(&mut self, out: &mut Vec<u8>) {
        // Writing to a Vec cannot fail.
        let _ = self.write_event_to(out);
    }

    /// Writes `n` events as JSON lines to `out`.
    pub fn write_jsonl(&mut self, n: u64, out: &mut impl Write) -> io::Result<()> {
        let mut line = Vec::with_capacity(4096);
        for _ in 0..n {
            line.clear();
            self.write_event(&mut line);
            line.push(b'\n');
            out.write_all(&line)?;
        }
        Ok(())
    }

    /// `n` events as one JSON-lines buffer and the byte range of each event in it.
    pub fn jsonl(&mut self, n: usize) -> (Vec<u8>, Vec<std::ops::Range<usize>>) {
        let mut buf = Vec::with_capacity(n * 2600);
        let mut ranges = Vec::with_capacity(n);
        for _ in 0..n {
            let start = buf.len();
            self.write_event(&mut buf);
            ranges.push(start..buf.len());
            buf.push(b'\n');
        }
        (buf, ranges)
    }

    fn write_event_to(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.count += 1;
        self.clock_ms += 1 + self.below(900) as u64;
        let (event_type, legacy, message) = *self.pick(EVENT_TYPES);
        let first = *self.pick(FIRST);
        let last = *self.pick(LAST);
        let login = format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase().replace('\'', "")
        );
        // Some names carry characters that JSON escapes.
        let display = if self.chance(5) {
            format!("{first} \\\"{}\\\" {last}", &first[..1])
        } else if self.chance(5) {
            format!("{first} {last} \\u00e9\\\\ext")
        } else {
            format!("{first} {last}")
        };
        let (ua, os, browser) = *self.pick(USER_AGENTS);
        let (city, state, country, postal, lat, lon) = *self.pick(CITIES);
        let (asn, as_org, isp, domain) = *self.pick(ISPS);
        let ip = self.ip();
        let uuid = self.uuid();
        let actor_id = self.id("00u", 17);
        let session = self.id("idx", 22);
        let request_id = self.id("", 27);
        let dt_hash = self.hex(64);
        let fingerprint = self.hex(32);
        let failure = self.chance(12);
        let (result, reason) = match (event_type, failure) {
            ("user.mfa.okta_verify.deny_push", _) => {
                ("FAILURE", "\"User rejected Okta push verify\"")
            }
            ("security.request.blocked", _) => ("DENY", "\"Blocked by IP allowlist\""),
            (_, true) => ("FAILURE", "\"INVALID_CREDENTIALS\""),
            _ => ("SUCCESS", "null"),
        };
        let severity = if failure { "WARN" } else { "INFO" };
        let secs = self.clock_ms / 1000;
        let millis = self.clock_ms % 1000;
        let published = {
            let days = secs / 86_400;
            let rem = secs % 86_400;
            // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
            let z = days as i64 + 719_468;
            let era = z.div_euclid(146_097);
            let doe = z - era * 146_097;
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let d = doy - (153 * mp + 2) / 5 + 1;
            let m = if mp < 10 { mp + 3 } else { mp - 9 };
            let y = yoe + era * 400 + i64::from(m <= 2);
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
                rem / 3600,
                (rem / 60) % 60,
                rem % 60
            )
        };
        let risk_level = *self.pick(&["LOW", "LOW", "LOW", "MEDIUM", "HIGH"]);
        let new_geo = *self.pick(&["POSITIVE", "NEGATIVE", "NEGATIVE"]);
        let new_device = *self.pick(&["POSITIVE", "NEGATIVE", "NEGATIVE"]);
        let threat = if self.chance(3) { "true" } else { "false" };
        let is_proxy = self.chance(4);

        write!(
            out,
            r#"{{"actor":{{"id":"{actor_id}","type":"User","alternateId":"{login}","displayName":"{display}","detailEntry":null}},"#
        )?;
        write!(
            out,
            r#""client":{{"userAgent":{{"rawUserAgent":"{ua}","os":"{os}","browser":"{browser}"}},"zone":"null","device":"Computer","id":null,"ipAddress":"{ip}","geographicalContext":{{"city":"{city}","state":"{state}","country":"{country}","postalCode":"{postal}","geolocation":{{"lat":{lat},"lon":{lon}}}}}}},"#
        )?;
        if self.chance(30) {
            let device_id = self.id("guo", 17);
            write!(
                out,
                r#""device":{{"id":"{device_id}","name":"Mac15,6","os_platform":"OSX","os_version":"14.6.0","managed":false,"registered":true,"device_integrator":null,"disk_encryption_type":"ALL_INTERNAL_VOLUMES","screen_lock_type":"BIOMETRIC","jailbreak":null,"secure_hardware_present":true}},"#
            )?;
        }
        let credential = *self.pick(&["null", "\"PASSWORD\"", "\"OTP\"", "\"ASSERTION\""]);
        write!(
            out,
            r#""authenticationContext":{{"authenticationProvider":null,"credentialProvider":null,"credentialType":{credential},"issuer":null,"interface":null,"authenticationStep":0,"rootSessionId":"{session}","externalSessionId":"{session}"}},"#
        )?;
        write!(
            out,
            r#""displayMessage":"{message}","eventType":"{event_type}","outcome":{{"result":"{result}","reason":{reason}}},"published":"{published}","#
        )?;
        write!(
            out,
            r#""securityContext":{{"asNumber":{asn},"asOrg":"{as_org}","isp":"{isp}","domain":"{domain}","isProxy":{is_proxy}}},"severity":"{severity}","#
        )?;
        let uri = *self.pick(&[
            "/idp/idx/authenticators/poll",
            "/api/v1/authn",
            "/app/salesforce/exk1a2b3c4/sso/saml",
            "/oauth2/v1/token",
            "/api/v1/users",
            "/idp/idx/identify",
        ]);
        write!(
            out,
            r#""debugContext":{{"debugData":{{"requestId":"{request_id}","requestUri":"{uri}","url":"{uri}?","dtHash":"{dt_hash}","deviceFingerprint":"{fingerprint}","threatSuspected":"{threat}","behaviors":"{{New Geo-Location={new_geo}, New Device={new_device}, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}}","risk":"{{reasons=Anomalous Device, level={risk_level}}}","logOnlySecurityData":"{{\"risk\":{{\"level\":\"{risk_level}\"}},\"behaviors\":{{\"New Geo-Location\":\"{new_geo}\",\"New Device\":\"{new_device}\",\"New IP\":\"NEGATIVE\"}}}}""#
        )?;
        if event_type.starts_with("user.mfa") || event_type.contains("auth_via_mfa") {
            let factor = *self.pick(&["OKTA_VERIFY_PUSH", "FIDO_WEBAUTHN", "SMS", "TOTP"]);
            write!(out, r#","factor":"{factor}""#)?;
        }
        if event_type.contains("privilege") {
            write!(
                out,
                r#","privilegeGranted":"Super administrator, Read only admin""#
            )?;
        }
        write!(
            out,
            r#"}}}},"legacyEventType":"{legacy}","transaction":{{"type":"WEB","id":"{request_id}","detail":{{}}}},"uuid":"{uuid}","version":"0","#
        )?;
        write!(
            out,
            r#""request":{{"ipChain":[{{"ip":"{ip}","geographicalContext":{{"city":"{city}","state":"{state}","country":"{country}","postalCode":"{postal}","geolocation":{{"lat":{lat},"lon":{lon}}}}},"version":"V4","source":null}}"#
        )?;
        if self.chance(20) {
            let proxy = self.ip();
            write!(
                out,
                r#",{{"ip":"{proxy}","geographicalContext":{{"city":"Ashburn","state":"Virginia","country":"United States","postalCode":"20149","geolocation":{{"lat":39.0438,"lon":-77.4874}}}},"version":"V4","source":null}}"#
            )?;
        }
        out.extend_from_slice(b"]},\"target\":[");
        let targets = 1 + self.below(3);
        for t in 0..targets {
            if t > 0 {
                out.push(b',');
            }
            let kind = if t == 0 && self.chance(60) {
                "User"
            } else {
                *self.pick(TARGET_KINDS)
            };
            let (id, alt, name) = match kind {
                "User" | "AppUser" => {
                    let f = *self.pick(FIRST);
                    let l = *self.pick(LAST);
                    (
                        self.id("00u", 17),
                        format!(
                            "{}.{}@example.com",
                            f.to_lowercase(),
                            l.to_lowercase().replace('\'', "")
                        ),
                        format!("{f} {l}"),
                    )
                }
                "AppInstance" => {
                    let app = *self.pick(APPS);
                    (self.id("0oa", 17), app.to_string(), app.to_string())
                }
                "UserGroup" => {
                    let g = *self.pick(&[
                        "Everyone",
                        "Engineering",
                        "Finance",
                        "Admins",
                        "Contractors",
                    ]);
                    (self.id("00g", 17), "unknown".to_string(), g.to_string())
                }
                _ => (
                    self.id("pfd", 17),
                    "unknown".to_string(),
                    "Okta Verify".to_string(),
                ),
            };
            write!(
                out,
                r#"{{"id":"{id}","type":"{kind}","alternateId":"{alt}","displayName":"{name}","detailEntry":"#
            )?;
            if kind == "PolicyEntity" || kind == "PolicyRule" {
                out.extend_from_slice(br#"{"policyType":"OktaSignOn"}}"#);
            } else if kind == "AuthenticatorEnrollment" {
                out.extend_from_slice(br#"{"methodTypeUsed":"Password","methodUsedVerifiedProperties":"[PHISHING_RESISTANT]"}}"#);
            } else {
                out.extend_from_slice(b"null}");
            }
        }
        out.extend_from_slice(b"]}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_valid_and_realistic() {
        let (a, ranges) = Corpus::new(1).jsonl(2000);
        let (b, _) = Corpus::new(1).jsonl(2000);
        assert_eq!(a, b);
        let mut types = std::collections::HashSet::new();
        for r in &ranges {
            let v: serde_json::Value = serde_json::from_slice(&a[r.clone()]).unwrap();
            types.insert(v["eventType"].as_str().unwrap().to_string());
            let targets = v["target"].as_array().unwrap().len();
            assert!((1..=3).contains(&targets));
            let debug: serde_json::Value = serde_json::from_str(
                v["debugContext"]["debugData"]["logOnlySecurityData"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap();
            assert!(debug["risk"]["level"].is_string());
            let event = okta_stream::Event::from_bytes(a[r.clone()].to_vec()).unwrap();
            event.log_event().unwrap();
        }
        assert!(types.len() >= 25, "{}", types.len());
        let avg = a.len() / ranges.len();
        assert!((2000..3200).contains(&avg), "average size {avg}");
        assert!(a.windows(2).any(|w| w == b"\\\""));
    }
}
