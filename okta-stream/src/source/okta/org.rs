//! The Okta org a source talks to: a validated base URL.
//!
//! Input is what a user types (`https://acme.okta.com`, `acme.okta.com`, a custom domain, or
//! `http://127.0.0.1:8080` for a local simulator); output is an [`OrgUrl`] that knows the System Log
//! and token endpoint URLs and can tell whether a `Link` URL stays on the same origin. Only `https`
//! is accepted, except plain `http` for loopback hosts (127.0.0.0/8, `::1`, `localhost`), so an API
//! token is never sent in clear text over a network.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use reqwest::Url;

/// Why an org URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgUrlError {
    /// The text is not a URL.
    #[error("org URL {input:?} is not a valid URL: {reason}")]
    Invalid {
        /// What was given.
        input: String,
        /// Why it did not parse.
        reason: String,
    },
    /// Plain HTTP to a non-loopback host, or another scheme.
    #[error("org URL {input:?} must use https:// (plain http:// is only allowed for loopback addresses such as 127.0.0.1, ::1 or localhost)")]
    Insecure {
        /// What was given.
        input: String,
    },
    /// A path, query, fragment or user info was given.
    #[error("org URL {input:?} must be just the org's origin, like https://acme.okta.com (no path, query, fragment or credentials)")]
    NotAnOrigin {
        /// What was given.
        input: String,
    },
}

/// A validated Okta org base URL (scheme, host and optional port).
#[derive(Clone, PartialEq, Eq)]
pub struct OrgUrl {
    url: Url,
    name: Arc<str>,
}

impl fmt::Debug for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgUrl({})", self.as_str())
    }
}

impl fmt::Display for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OrgUrl {
    type Err = OrgUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgUrl::parse(s)
    }
}

/// True for hosts that never leave the machine.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl OrgUrl {
    /// Parses and validates an org URL. A bare host name (`acme.okta.com`) means `https://`.
    pub fn parse(input: &str) -> Result<OrgUrl, OrgUrlError> {
        let trimmed = input.trim();
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_string()
        } else {
            format!("https://{trimmed}")
        };
        let url = Url::parse(&with_scheme).map_err(|e| OrgUrlError::Invalid {
            input: input.to_string(),
            reason: e.to_string(),
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            _ => {
                return Err(OrgUrlError::Insecure {
                    input: input.to_string(),
                })
            }
        }
        if url.host().is_none() {
            return Err(OrgUrlError::Invalid {
                input: input.to_string(),
                reason: "no host".into(),
            });
        }
        if !url.username().is_empty()
            || url.password().is_some()
            || !(url.path().is_empty() || url.path() == "/")
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(OrgUrlError::NotAnOrigin {
                input: input.to_string(),
            });
        }
        let name: Arc<str> = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}").into(),
            (Some(h), None) => h.into(),
            (None, _) => "".into(),
        };
        Ok(OrgUrl { url, name })
    }

    /// True when the org is on this machine (127.0.0.0/8, `::1`, `localhost`).
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.url)
    }

    /// The origin without a trailing slash, e.g. `https://acme.okta.com`.
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// The org's name as carried by events (`okta.org`): host, plus `:port` when one is given.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// `{org}/api/v1/logs`.
    pub fn logs_url(&self) -> Url {
        let mut u = self.url.clone();
        u.set_path("/api/v1/logs");
        u
    }

    /// `{org}/oauth2/v1/token` (the org authorization server; also the assertion audience).
    pub fn token_url(&self) -> Url {
        let mut u = self.url.clone();
        u.set_path("/oauth2/v1/token");
        u
    }

    /// True when `other` has the same scheme, host and port as the org.
    pub fn same_origin(&self, other: &Url) -> bool {
        self.url.scheme() == other.scheme()
            && self.url.host() == other.host()
            && self.url.port_or_known_default() == other.port_or_known_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_orgs_and_custom_domains() {
        for (input, name) in [
            ("https://acme.okta.com", "acme.okta.com"),
            ("https://acme.okta.com/", "acme.okta.com"),
            ("acme.okta-emea.com", "acme.okta-emea.com"),
            ("https://dev-1.oktapreview.com", "dev-1.oktapreview.com"),
            ("https://login.example.org:8443", "login.example.org:8443"),
            ("  https://ACME.okta.com  ", "acme.okta.com"),
        ] {
            let org = OrgUrl::parse(input).unwrap();
            assert_eq!(org.name().as_ref(), name, "{input}");
            assert!(!org.as_str().ends_with('/'));
        }
        let org = OrgUrl::parse("https://acme.okta.com").unwrap();
        assert_eq!(org.logs_url().as_str(), "https://acme.okta.com/api/v1/logs");
        assert_eq!(
            org.token_url().as_str(),
            "https://acme.okta.com/oauth2/v1/token"
        );
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:9000",
            "http://localhost:1234",
            "http://LOCALHOST",
        ] {
            assert!(OrgUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://acme.okta.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "ftp://acme.okta.com",
            "ws://127.0.0.1",
        ] {
            assert!(
                matches!(OrgUrl::parse(bad), Err(OrgUrlError::Insecure { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_non_origins_and_garbage() {
        for bad in [
            "https://acme.okta.com/api/v1/logs",
            "https://acme.okta.com?x=1",
            "https://acme.okta.com#frag",
            "https://user:pw@acme.okta.com",
        ] {
            assert!(
                matches!(OrgUrl::parse(bad), Err(OrgUrlError::NotAnOrigin { .. })),
                "{bad}"
            );
        }
        for bad in ["", "https://", "https://exa mple.com"] {
            assert!(OrgUrl::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn same_origin_checks_scheme_host_port() {
        let org = OrgUrl::parse("https://acme.okta.com").unwrap();
        let same = Url::parse("https://acme.okta.com:443/api/v1/logs?after=1").unwrap();
        assert!(org.same_origin(&same));
        for other in [
            "https://evil.example.com/api/v1/logs",
            "http://acme.okta.com/api/v1/logs",
            "https://acme.okta.com:8443/api/v1/logs",
        ] {
            assert!(!org.same_origin(&Url::parse(other).unwrap()), "{other}");
        }
    }
}
