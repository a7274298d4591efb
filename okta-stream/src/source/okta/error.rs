//! What can go wrong in the Okta source, and Okta's own error objects.
//!
//! Recoverable problems (5xx, timeouts, connection errors, malformed bodies, 429s) never reach the
//! consumer: the poller logs and retries them. Everything in [`SourceError`] is fatal for the
//! source (bad configuration or credentials, a 400 from Okta, a checkpoint that cannot be
//! written) and ends its stream. Okta's error bodies are parsed into [`OktaError`] so that messages
//! carry `errorCode` and `errorSummary`.

use std::fmt;

use super::auth::AuthError;
use super::key::KeyError;
use super::org::OrgUrlError;
use crate::checkpoint::CheckpointError;

/// An Okta error object (`errorCode`, `errorSummary`, `errorId`, `errorCauses`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct OktaError {
    /// E.g. `E0000047`: the only field meant for flow control.
    #[serde(rename = "errorCode", default)]
    pub code: String,
    /// Human-readable summary.
    #[serde(rename = "errorSummary", default)]
    pub summary: String,
    /// The id of this error, for Okta support.
    #[serde(rename = "errorId", default)]
    pub id: Option<String>,
    /// Details.
    #[serde(rename = "errorCauses", default)]
    pub causes: Vec<OktaErrorCause>,
}

/// One entry of `errorCauses`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct OktaErrorCause {
    /// Human-readable cause.
    #[serde(rename = "errorSummary", default)]
    pub summary: String,
}

impl OktaError {
    /// Parses an error body; `None` when it is not an Okta error object.
    pub fn from_body(body: &[u8]) -> Option<OktaError> {
        let e: OktaError = serde_json::from_slice(body).ok()?;
        if e.code.is_empty() && e.summary.is_empty() {
            return None;
        }
        Some(e)
    }
}

impl fmt::Display for OktaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.summary)?;
        let causes: Vec<&str> = self
            .causes
            .iter()
            .map(|c| c.summary.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        if !causes.is_empty() {
            write!(f, " ({})", causes.join("; "))?;
        }
        if let Some(id) = &self.id {
            write!(f, " [errorId {id}]")?;
        }
        Ok(())
    }
}

/// A short description of a body that is not an Okta error object (kept short, printable).
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    match OktaError::from_body(body) {
        Some(e) => e.to_string(),
        None => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
            let clean: String = text.chars().filter(|c| !c.is_control()).collect();
            if clean.is_empty() {
                "empty body".into()
            } else {
                clean
            }
        }
    }
}

/// A reqwest error as one line, with its cause chain (reqwest never includes headers).
pub(crate) fn describe_reqwest(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "body read failed"
    } else {
        "request failed"
    };
    let mut msg = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// A fatal error of the Okta source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A builder setting is missing or wrong.
    #[error("okta source configuration: {0}")]
    Config(String),
    /// The org URL is not acceptable.
    #[error(transparent)]
    OrgUrl(#[from] OrgUrlError),
    /// The OAuth private key could not be loaded.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The OAuth token could not be obtained.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Okta answered 401 or 403.
    #[error("Okta refused access to the System Log of {org} (HTTP {status}{okta}). {hint}")]
    Unauthorized {
        /// The org.
        org: String,
        /// 401 or 403.
        status: u16,
        /// `: <errorCode>: <summary>` when Okta sent an error object.
        okta: String,
        /// What to check.
        hint: &'static str,
    },
    /// Okta answered 400: the request itself is wrong (bad `filter`, `q`, `since`...).
    #[error("Okta rejected the request (HTTP 400): {0}")]
    BadRequest(OktaError),
    /// Another status that retrying cannot fix (404, 405, ...).
    #[error("unexpected HTTP {status} from {url}: {detail}")]
    Unexpected {
        /// The status.
        status: u16,
        /// The URL requested (contains no secret).
        url: String,
        /// Okta's error or a body excerpt.
        detail: String,
    },
    /// A `Link: rel="next"` URL pointed away from the org; it is not followed (credentials
    /// would leak).
    #[error("refusing to follow a next link to another host: {url} (org is {org})")]
    ForeignNextLink {
        /// The link.
        url: String,
        /// The org.
        org: String,
    },
    /// The checkpoint could not be read or written.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The HTTP client could not be built (bad proxy URL, TLS setup).
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// What to check after a 401/403 with an API token.
pub(crate) const HINT_SSWS: &str = "Check that the API token (OKTA_API_TOKEN) is valid and not revoked or expired (tokens expire after 30 days unused), that it belongs to this org, that its admin has a role that can read the System Log (e.g. Read-only Administrator), and that the token's network zone allows this host.";
/// What to check after a 401/403 with OAuth.
pub(crate) const HINT_OAUTH: &str = "Check that the service app has the okta.logs.read scope granted, that an admin role with System Log access (e.g. Read-only Administrator) is assigned to the app, and that the client id and key belong to this org.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_okta_error_bodies() {
        let body = br#"{"errorCode":"E0000001","errorSummary":"Api validation failed: since","errorLink":"E0000001","errorId":"oaeXYZ","errorCauses":[{"errorSummary":"since: The date format in your query is not recognized."}]}"#;
        let e = OktaError::from_body(body).unwrap();
        assert_eq!(e.code, "E0000001");
        assert_eq!(e.id.as_deref(), Some("oaeXYZ"));
        let text = e.to_string();
        assert!(text.starts_with("E0000001: Api validation failed: since"));
        assert!(text.contains("date format"));
        assert!(text.contains("oaeXYZ"));
        assert_eq!(OktaError::from_body(b"not json"), None);
        assert_eq!(OktaError::from_body(b"{}"), None);
        assert_eq!(OktaError::from_body(b"[]"), None);
        assert_eq!(body_excerpt(b""), "empty body");
        assert_eq!(body_excerpt(b"<html>\n\x07oops"), "<html>oops");
    }
}
