//! Several orgs in one process: a JSON configuration file and the merged page stream.
//!
//! A [`SourcesConfig`] lists orgs, each with its URL, how to authenticate (the *name* of an
//! environment variable holding an API token, or OAuth client id + key file: secrets never sit in
//! the file), its checkpoint file and its own rate limit. [`OrgConfig::builder`] turns one entry
//! into an [`OktaSourceBuilder`]; [`merge_pages`] runs the built sources side by side (each with
//! its own pacing and checkpoint) as one stream whose pages and events carry their org.
//!
//! ```json
//! {"orgs": [
//!   {"name": "acme", "url": "https://acme.okta.com", "api_token_env": "ACME_OKTA_TOKEN",
//!    "checkpoint": "acme.checkpoint.json", "requests_per_minute": 30},
//!   {"url": "https://beta.okta-emea.com",
//!    "oauth": {"client_id": "0oa1...", "private_key_file": "beta.pem", "key_id": "k1"},
//!    "checkpoint": "beta.checkpoint.json", "filter": "eventType sw \"user.\""}
//! ]}
//! ```
//! Relative paths are resolved against the configuration file's directory.

use std::path::{Path, PathBuf};

use futures::stream::BoxStream;
use futures::StreamExt;

use super::auth::{Credentials, OAuthCredentials};
use super::error::SourceError;
use super::key::SigningKey;
use super::since::{parse_duration, TimeSpec};
use super::{OktaSource, OktaSourceBuilder, Page};

/// The configuration file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesConfig {
    /// The orgs to read.
    pub orgs: Vec<OrgConfig>,
}

/// OAuth settings of one org.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// The service app's client id.
    pub client_id: String,
    /// PEM or JWK private key file.
    pub private_key_file: PathBuf,
    /// Key id (`kid`) registered with the app, if any.
    #[serde(default)]
    pub key_id: Option<String>,
}

/// One org.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgConfig {
    /// The name events carry (default: the org's host).
    #[serde(default)]
    pub name: Option<String>,
    /// The org URL.
    pub url: String,
    /// The environment variable holding an SSWS API token.
    #[serde(default)]
    pub api_token_env: Option<String>,
    /// OAuth service app settings.
    #[serde(default)]
    pub oauth: Option<OAuthConfig>,
    /// The checkpoint file.
    #[serde(default)]
    pub checkpoint: Option<PathBuf>,
    /// Local quota (requests per minute; 0 = off).
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
    /// `X-Rate-Limit-Remaining` reserve.
    #[serde(default)]
    pub rate_limit_reserve: Option<u64>,
    /// Start (RFC 3339 or a duration back from now) when there is no checkpoint.
    #[serde(default)]
    pub since: Option<String>,
    /// End of a bounded read.
    #[serde(default)]
    pub until: Option<String>,
    /// SCIM filter.
    #[serde(default)]
    pub filter: Option<String>,
    /// Keyword search.
    #[serde(default)]
    pub q: Option<String>,
    /// Wait after a short page, e.g. `10s`.
    #[serde(default)]
    pub poll_interval: Option<String>,
    /// Request timeout, e.g. `45s`.
    #[serde(default)]
    pub timeout: Option<String>,
    /// HTTP(S) proxy URL.
    #[serde(default)]
    pub proxy: Option<String>,
}

fn config_err(what: String) -> SourceError {
    SourceError::Config(what)
}

impl SourcesConfig {
    /// Parses the JSON text; relative paths are resolved against `base_dir`.
    pub fn from_json(text: &[u8], base_dir: &Path) -> Result<SourcesConfig, SourceError> {
        let mut cfg: SourcesConfig = serde_json::from_slice(text)
            .map_err(|e| config_err(format!("configuration file: {e}")))?;
        if cfg.orgs.is_empty() {
            return Err(config_err("configuration file lists no orgs".into()));
        }
        for org in &mut cfg.orgs {
            if let Some(p) = &mut org.checkpoint {
                if p.is_relative() {
                    *p = base_dir.join(&*p);
                }
            }
            if let Some(o) = &mut org.oauth {
                if o.private_key_file.is_relative() {
                    o.private_key_file = base_dir.join(&o.private_key_file);
                }
            }
        }
        let mut checkpoints: Vec<&PathBuf> = cfg
            .orgs
            .iter()
            .filter_map(|o| o.checkpoint.as_ref())
            .collect();
        checkpoints.sort();
        if checkpoints.windows(2).any(|w| w[0] == w[1]) {
            return Err(config_err("two orgs share one checkpoint file".into()));
        }
        Ok(cfg)
    }

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<SourcesConfig, SourceError> {
        let text = std::fs::read(path)
            .map_err(|e| config_err(format!("cannot read {}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        SourcesConfig::from_json(&text, base)
            .map_err(|e| config_err(format!("{}: {e}", path.display())))
    }
}

impl OrgConfig {
    /// A builder for this org; `env` looks up environment variables (pass `|k| std::env::var(k).ok()`).
    pub fn builder(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<OktaSourceBuilder, SourceError> {
        let who = self.name.clone().unwrap_or_else(|| self.url.clone());
        let credentials = match (&self.api_token_env, &self.oauth) {
            (Some(var), None) => {
                Credentials::api_token(env(var).filter(|t| !t.is_empty()).ok_or_else(|| {
                    config_err(format!(
                        "org {who}: environment variable {var} (API token) is not set"
                    ))
                })?)
            }
            (None, Some(o)) => Credentials::OAuth(OAuthCredentials::new(
                o.client_id.clone(),
                SigningKey::from_file(&o.private_key_file, o.key_id.clone())?,
            )),
            _ => {
                return Err(config_err(format!(
                    "org {who}: give exactly one of \"api_token_env\" or \"oauth\""
                )))
            }
        };
        let mut b = OktaSource::builder()
            .org_url(&self.url)
            .credentials(credentials);
        let time =
            |s: &String| TimeSpec::parse(s).map_err(|e| config_err(format!("org {who}: {e}")));
        let dur = |s: &String| {
            parse_duration(s)
                .ok_or_else(|| config_err(format!("org {who}: invalid duration {s:?}")))
        };
        if let Some(n) = &self.name {
            b = b.org_name(n);
        }
        if let Some(p) = &self.checkpoint {
            b = b.checkpoint(p);
        }
        if let Some(r) = self.requests_per_minute {
            b = b.requests_per_minute(r);
        }
        if let Some(r) = self.rate_limit_reserve {
            b = b.rate_limit_reserve(r);
        }
        if let Some(s) = &self.since {
            b = b.since(time(s)?);
        }
        if let Some(s) = &self.until {
            b = b.until(time(s)?);
        }
        if let Some(f) = &self.filter {
            b = b.filter(f);
        }
        if let Some(q) = &self.q {
            b = b.q(q);
        }
        if let Some(d) = &self.poll_interval {
            b = b.poll_interval(dur(d)?);
        }
        if let Some(d) = &self.timeout {
            b = b.timeout(dur(d)?);
        }
        if let Some(p) = &self.proxy {
            b = b.proxy(p);
        }
        Ok(b)
    }
}

/// Runs several sources side by side as one stream of pages (each page names its org and
/// acknowledges into its own source's checkpoint).
pub fn merge_pages(sources: Vec<OktaSource>) -> BoxStream<'static, Result<Page, SourceError>> {
    futures::stream::select_all(sources.into_iter().map(OktaSource::into_pages)).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_orgs_and_resolves_relative_paths() {
        let text = br#"{"orgs":[
            {"name":"acme","url":"https://acme.okta.com","api_token_env":"ACME","checkpoint":"a.json","requests_per_minute":20,"since":"1h","poll_interval":"5s"},
            {"url":"https://beta.okta.com","api_token_env":"BETA","checkpoint":"/abs/b.json"}]}"#;
        let cfg = SourcesConfig::from_json(text, Path::new("/etc/okta")).unwrap();
        assert_eq!(cfg.orgs.len(), 2);
        assert_eq!(
            cfg.orgs[0].checkpoint.as_deref(),
            Some(Path::new("/etc/okta/a.json"))
        );
        assert_eq!(
            cfg.orgs[1].checkpoint.as_deref(),
            Some(Path::new("/abs/b.json"))
        );
        let env = |k: &str| (k == "ACME").then(|| "secret-acme-token".to_string());
        let b = cfg.orgs[0].builder(env).unwrap();
        assert!(!format!("{b:?}").contains("secret-acme-token"));
        let err = cfg.orgs[1].builder(env).unwrap_err().to_string();
        assert!(err.contains("BETA"), "{err}");
    }

    #[test]
    fn rejects_bad_configs() {
        for (text, needle) in [
            (&br#"{"orgs":[]}"#[..], "no orgs"),
            (br#"{"orgs":[{"url":"https://a.okta.com","token":"x"}]}"#, "unknown field"),
            (br#"{"orgz":[]}"#, "unknown field"),
            (br#"{"orgs":[{"url":"https://a.okta.com","api_token_env":"A","checkpoint":"c"},{"url":"https://b.okta.com","api_token_env":"B","checkpoint":"c"}]}"#, "share"),
        ] {
            let err = SourcesConfig::from_json(text, Path::new(".")).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
        let cfg = SourcesConfig::from_json(
            br#"{"orgs":[{"url":"https://a.okta.com"}]}"#,
            Path::new("."),
        )
        .unwrap();
        assert!(cfg.orgs[0]
            .builder(|_| None)
            .unwrap_err()
            .to_string()
            .contains("exactly one"));
    }
}
