//! A deterministic generator of Falco-style rules files over the `okta.*` fields, for the rules
//! benchmark (`benches/rules.rs`) and its load test.
//!
//! Data flow: [`generated_rules`] seeds a splitmix64 generator and writes `n` rules as one YAML
//! text. Each rule combines three or four checks with `and`, `or` and `not`, using the operators
//! `=`, `!=`, `in`, `startswith`, `endswith`, `contains` and `icontains` over the fields real rules
//! use (event type, actor, client address and geolocation, user agent, outcome, target user,
//! security context). Like real rules, most (about 85%) constrain `okta.evt.type` (so the engine
//! indexes them by type); the others match any event type. Values come from the same
//! vocabulary as [`crate::corpus`], so that conditions are selective but some rules do fire. The
//! same `(n, seed)` always gives the same text.
//!
//! ```
//! let yaml = okta_suite::rulegen::generated_rules(10, 1);
//! let rules = okta_rules::Ruleset::load_strs(&[("gen.yaml", &yaml)], &Default::default())?;
//! assert_eq!(rules.active_count(), 10);
//! # Ok::<(), okta_rules::Error>(())
//! ```

use std::fmt::Write as _;

const EVENT_TYPES: &[&str] = &[
    "user.session.start",
    "user.session.end",
    "user.authentication.sso",
    "user.authentication.auth_via_mfa",
    "user.authentication.verify",
    "user.mfa.okta_verify.deny_push",
    "user.mfa.factor.activate",
    "user.mfa.factor.deactivate",
    "user.account.lock",
    "user.account.reset_password",
    "user.account.update_password",
    "user.account.privilege.grant",
    "user.lifecycle.create",
    "user.lifecycle.activate",
    "user.lifecycle.deactivate",
    "user.lifecycle.suspend",
    "group.user_membership.add",
    "group.user_membership.remove",
    "group.privilege.grant",
    "application.user_membership.add",
    "application.lifecycle.update",
    "app.oauth2.as.token.grant.access_token",
    "policy.evaluate_sign_on",
    "policy.lifecycle.update",
    "policy.rule.update",
    "system.api_token.create",
    "system.org.rate_limit.warning",
    "security.threat.detected",
    "security.request.blocked",
    "user.session.impersonation.initiate",
    "zone.update",
    "device.enrollment.create",
];

const COUNTRIES: &[&str] = &[
    "United States",
    "Canada",
    "United Kingdom",
    "France",
    "Germany",
    "Brazil",
    "Nigeria",
    "Japan",
    "Australia",
    "Russia",
    "North Korea",
];
const CITIES: &[&str] = &[
    "New York", "Toronto", "London", "Paris", "Berlin", "Lagos", "Tokyo", "Sydney",
];
const BROWSERS: &[&str] = &["CHROME", "CHROMIUM_EDGE", "FIREFOX", "SAFARI", "UNKNOWN"];
const OSES: &[&str] = &["Mac OS X", "Windows 10", "Linux", "iOS"];
const RESULTS: &[&str] = &["SUCCESS", "FAILURE", "DENY", "ALLOW", "CHALLENGE"];
const FIRST: &[&str] = &[
    "jane", "john", "eve", "farid", "grace", "hiro", "ines", "jamal", "keiko", "liam", "maya",
    "noah", "olga", "priya", "quinn", "rosa", "admin", "svc",
];
const LAST: &[&str] = &[
    "Doe", "Smith", "Nakamura", "Okafor", "Rossi", "Singh", "Chen",
];
const DOMAINS: &[&str] = &["@example.com", "@example.org", "@contractor.example"];
const IP_PREFIXES: &[&str] = &[
    "10.",
    "192.168.",
    "172.16.",
    "198.51.100.",
    "203.0.113.",
    "45.",
    "185.220.",
];
/// Values that few events carry, for the rules that match any event type.
const RARE_COUNTRIES: &[&str] = &["Russia", "North Korea", "Nigeria", "Brazil"];
const RARE_LOGINS: &[&str] = &["admin", "svc", "quinn", "root", "breakglass"];
const ISPS: &[&str] = &["comcast", "amazon", "google", "telekom", "m247", "tor"];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// `min` to `min + spread - 1` distinct items, quoted, comma-separated.
    fn list(&mut self, items: &[&str], min: usize, spread: usize) -> String {
        let k = min + self.below(spread);
        let mut chosen: Vec<&str> = Vec::new();
        while chosen.len() < k.min(items.len()) {
            let x = self.pick(items);
            if !chosen.contains(&x) {
                chosen.push(x);
            }
        }
        chosen
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A condition string literal (always double-quoted; the vocabulary has no quotes).
fn quote(s: &str) -> String {
    format!("\"{s}\"")
}

/// One check that does not involve the event type.
fn check(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => format!("okta.client.geo.country in ({})", rng.list(COUNTRIES, 1, 3)),
        1 => format!("okta.client.geo.country = {}", quote(rng.pick(COUNTRIES))),
        2 => format!("okta.client.geo.city = {}", quote(rng.pick(CITIES))),
        3 => format!(
            "okta.actor.alternateid startswith {}",
            quote(rng.pick(FIRST))
        ),
        4 => format!(
            "okta.actor.alternateid endswith {}",
            quote(rng.pick(DOMAINS))
        ),
        5 => format!("okta.client.ip startswith {}", quote(rng.pick(IP_PREFIXES))),
        6 => format!("okta.useragent.browser in ({})", rng.list(BROWSERS, 1, 2)),
        7 => format!("okta.useragent.os = {}", quote(rng.pick(OSES))),
        8 => format!("okta.result = {}", quote(rng.pick(RESULTS))),
        9 => format!("okta.target.user.name contains {}", quote(rng.pick(LAST))),
        10 => format!("okta.security.isp icontains {}", quote(rng.pick(ISPS))),
        _ => format!("okta.actor.name contains {}", quote(rng.pick(LAST))),
    }
}

/// A check that few events pass (the first check of a rule that matches any event type).
fn rare_check(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!(
            "okta.client.geo.country in ({})",
            rng.list(RARE_COUNTRIES, 1, 2)
        ),
        1 => format!(
            "okta.actor.alternateid startswith {}",
            quote(rng.pick(RARE_LOGINS))
        ),
        2 => format!("okta.security.isp icontains {}", quote(rng.pick(ISPS))),
        3 => format!("okta.client.ip startswith {}", quote(rng.pick(IP_PREFIXES))),
        _ => format!("okta.result = {}", quote(rng.pick(&["DENY", "CHALLENGE"]))),
    }
}

/// A boolean combination of two or three checks.
fn combination(rng: &mut Rng) -> String {
    let a = check(rng);
    let b = check(rng);
    match rng.below(4) {
        0 => format!("{a} and {b}"),
        1 => format!("{a} and ({b} or {})", check(rng)),
        2 => format!("{a} and {b} and not {}", check(rng)),
        _ => format!("({a} or {b}) and {}", check(rng)),
    }
}

/// `n` generated rules as one rules file (YAML), deterministic in `(n, seed)`.
pub fn generated_rules(n: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(n * 400);
    out.push_str("# Generated by okta_suite::rulegen::generated_rules: do not edit.\n\n");
    for i in 0..n {
        let rest = combination(&mut rng);
        let condition = if rng.chance(85) {
            let types = if rng.chance(70) {
                format!("okta.evt.type = {}", quote(rng.pick(EVENT_TYPES)))
            } else {
                format!("okta.evt.type in ({})", rng.list(EVENT_TYPES, 2, 3))
            };
            format!("{types} and {rest}")
        } else {
            format!("{} and {rest}", rare_check(&mut rng))
        };
        let priority = ["NOTICE", "WARNING", "ERROR", "INFORMATIONAL"][rng.below(4)];
        let _ = write!(
            out,
            "- rule: Generated rule {i:03}\n  desc: Generated rule number {i} for the rules benchmark\n  condition: >-\n    {condition}\n  output: \"Generated rule {i:03} matched (user=%okta.actor.alternateid ip=%okta.client.ip country=%okta.client.geo.country type=%okta.evt.type result=%okta.result)\"\n  priority: {priority}\n  source: okta\n  tags: [generated, okta]\n\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = generated_rules(50, 3);
        assert_eq!(a, generated_rules(50, 3));
        assert_ne!(a, generated_rules(50, 4));
        assert_eq!(a.matches("- rule: ").count(), 50);
    }
}
