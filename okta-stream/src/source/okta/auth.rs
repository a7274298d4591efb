//! How requests to the System Log are authorised.
//!
//! Two kinds of [`Credentials`]: an SSWS API token (sent as `Authorization: SSWS <token>`), or an
//! OAuth 2.0 service app (client credentials with a `private_key_jwt` client assertion signed by a
//! [`SigningKey`], scope `okta.logs.read`). The poller asks its [`Authenticator`] for the header
//! before every request; for OAuth it returns the cached access token, fetching a new one from
//! `{org}/oauth2/v1/token` first when none is held or the held one is due for renewal (at 80 % of
//! its lifetime, or 60 s before expiry if that is earlier). After a 401 the poller calls
//! [`Authenticator::invalidate`] and tries once more with a fresh token. Secrets live in
//! [`Secret`], whose `Debug` and `Display` never show the value.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use reqwest::header::HeaderValue;

use super::error::OktaError;
use super::key::SigningKey;
use super::org::OrgUrl;

/// The scope a System Log reader needs.
pub const LOGS_READ_SCOPE: &str = "okta.logs.read";
/// Client assertions are valid this long (Okta allows at most one hour).
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// A secret string (API token, access token). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An OAuth 2.0 service app.
#[derive(Debug, Clone)]
pub struct OAuthCredentials {
    /// The app's client id (`iss` and `sub` of the assertion).
    pub client_id: String,
    /// The key registered with the app.
    pub key: SigningKey,
    /// Space-separated scopes; `okta.logs.read` by default.
    pub scopes: String,
}

impl OAuthCredentials {
    /// Credentials asking for `okta.logs.read`.
    pub fn new(client_id: impl Into<String>, key: SigningKey) -> OAuthCredentials {
        OAuthCredentials {
            client_id: client_id.into(),
            key,
            scopes: LOGS_READ_SCOPE.to_string(),
        }
    }
}

/// How the source authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// An SSWS API token.
    ApiToken(Secret),
    /// An OAuth 2.0 service app with `private_key_jwt`.
    OAuth(OAuthCredentials),
}

impl Credentials {
    /// An SSWS API token.
    pub fn api_token(token: impl Into<String>) -> Credentials {
        Credentials::ApiToken(Secret::new(token))
    }

    /// True for OAuth credentials.
    pub fn is_oauth(&self) -> bool {
        matches!(self, Credentials::OAuth(_))
    }
}

/// Why no authorisation header could be produced.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The token endpoint could not be reached or failed transiently (retry with backoff).
    #[error("token request failed (will retry): {0}")]
    Transient(String),
    /// The token endpoint refused the app: a configuration problem, not retried.
    #[error("Okta refused the OAuth client credentials ({status}): {detail}. Check the client id, that the app's public key (and kid) matches the private key, that the app uses private_key_jwt, and that the scope okta.logs.read is granted")]
    Refused {
        /// HTTP status.
        status: u16,
        /// OAuth `error`/`error_description`, or Okta's error object.
        detail: String,
    },
    /// The assertion could not be signed, or the token response made no sense.
    #[error("OAuth: {0}")]
    Other(String),
}

/// The claims of a client assertion.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct AssertionClaims {
    /// Issuer: the client id.
    pub iss: String,
    /// Subject: the client id.
    pub sub: String,
    /// Audience: the token endpoint URL.
    pub aud: String,
    /// Issued at (epoch seconds).
    pub iat: u64,
    /// Expiry (epoch seconds), `iat` + 5 minutes.
    pub exp: u64,
    /// A random id against replay.
    pub jti: String,
}

/// Builds and signs a client assertion for `client_id` at `audience`, issued at `now`.
pub fn client_assertion(
    client_id: &str,
    audience: &str,
    key: &SigningKey,
    now: SystemTime,
) -> Result<String, AuthError> {
    let iat = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| AuthError::Other("system clock is before 1970".into()))?
        .as_secs();
    let jti: [u8; 16] = rand::rng().random();
    let claims = AssertionClaims {
        iss: client_id.to_string(),
        sub: client_id.to_string(),
        aud: audience.to_string(),
        iat,
        exp: iat + ASSERTION_LIFETIME.as_secs(),
        jti: jti.iter().map(|b| format!("{b:02x}")).collect(),
    };
    let mut header = jsonwebtoken::Header::new(key.algorithm());
    header.kid = key.kid().map(String::from);
    jsonwebtoken::encode(&header, &claims, key.encoding_key())
        .map_err(|e| AuthError::Other(format!("cannot sign the client assertion: {e}")))
}

/// When a token obtained at `obtained` and valid for `lifetime` should be renewed: at 80 % of the
/// lifetime, or 60 s before expiry if that comes first.
pub fn renew_at(obtained: tokio::time::Instant, lifetime: Duration) -> tokio::time::Instant {
    let at_80 = lifetime.mul_f64(0.8);
    let before_expiry = lifetime.saturating_sub(Duration::from_secs(60));
    obtained + at_80.min(before_expiry)
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(serde::Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

struct CachedToken {
    header: HeaderValue,
    renew_at: tokio::time::Instant,
}

/// Produces the `Authorization` header for each request, caching OAuth access tokens.
pub struct Authenticator {
    credentials: Credentials,
    token_url: String,
    client: reqwest::Client,
    cached: Option<CachedToken>,
    tokens_fetched: u64,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("credentials", &self.credentials)
            .field("token_url", &self.token_url)
            .field("has_token", &self.cached.is_some())
            .finish()
    }
}

fn sensitive(value: String) -> Result<HeaderValue, AuthError> {
    let mut v = HeaderValue::try_from(value).map_err(|_| {
        AuthError::Other("the token contains characters not allowed in a header".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

impl Authenticator {
    /// An authenticator for `org`, using `client` for token requests.
    pub fn new(credentials: Credentials, org: &OrgUrl, client: reqwest::Client) -> Authenticator {
        Authenticator {
            credentials,
            token_url: org.token_url().to_string(),
            client,
            cached: None,
            tokens_fetched: 0,
        }
    }

    /// True when the credentials are OAuth (a 401 may be cured by a new token).
    pub fn is_oauth(&self) -> bool {
        self.credentials.is_oauth()
    }

    /// How many access tokens were fetched so far.
    pub fn tokens_fetched(&self) -> u64 {
        self.tokens_fetched
    }

    /// Drops the cached access token (after a 401).
    pub fn invalidate(&mut self) {
        self.cached = None;
    }

    /// The `Authorization` header value for the next request.
    pub async fn authorization(&mut self) -> Result<HeaderValue, AuthError> {
        let oauth = match &self.credentials {
            Credentials::ApiToken(token) => return sensitive(format!("SSWS {}", token.expose())),
            Credentials::OAuth(o) => o.clone(),
        };
        if let Some(c) = &self.cached {
            if tokio::time::Instant::now() < c.renew_at {
                return Ok(c.header.clone());
            }
        }
        let token = self.fetch_token(&oauth).await?;
        let header = token.header.clone();
        self.cached = Some(token);
        Ok(header)
    }

    async fn fetch_token(&mut self, oauth: &OAuthCredentials) -> Result<CachedToken, AuthError> {
        let assertion = client_assertion(
            &oauth.client_id,
            &self.token_url,
            &oauth.key,
            SystemTime::now(),
        )?;
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", oauth.scopes.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ];
        let requested = tokio::time::Instant::now();
        let resp = self
            .client
            .post(&self.token_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| AuthError::Transient(super::error::describe_reqwest(&e)))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| AuthError::Transient(super::error::describe_reqwest(&e)))?;
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            return Err(AuthError::Transient(format!(
                "token endpoint answered {status}"
            )));
        }
        if !status.is_success() {
            let detail = match serde_json::from_slice::<OAuthErrorBody>(&body) {
                Ok(OAuthErrorBody {
                    error: Some(e),
                    error_description,
                }) => format!("{e}: {}", error_description.unwrap_or_default()),
                _ => OktaError::from_body(&body)
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "no error details".into()),
            };
            return Err(AuthError::Refused {
                status: status.as_u16(),
                detail,
            });
        }
        let token: TokenResponse = serde_json::from_slice(&body)
            .map_err(|_| AuthError::Transient("token response is not the expected JSON".into()))?;
        let token_type = token.token_type.unwrap_or_else(|| "Bearer".into());
        if !token_type.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::Other(format!(
                "the token endpoint issued a {token_type:?} token; only Bearer is supported (turn off \"Require DPoP\" for this app)"
            )));
        }
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
        self.tokens_fetched += 1;
        tracing::debug!(
            lifetime_s = lifetime.as_secs(),
            "obtained an OAuth access token"
        );
        Ok(CachedToken {
            header: sensitive(format!("Bearer {}", token.access_token))?,
            renew_at: renew_at(requested, lifetime),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    fn key(name: &str) -> SigningKey {
        let path = format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        SigningKey::from_file(std::path::Path::new(&path), Some("kid-1".into())).unwrap()
    }

    fn public(name: &str, alg: jsonwebtoken::Algorithm) -> DecodingKey {
        let path = format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        let pem = std::fs::read(path).unwrap();
        match alg {
            jsonwebtoken::Algorithm::RS256 => DecodingKey::from_rsa_pem(&pem).unwrap(),
            _ => DecodingKey::from_ec_pem(&pem).unwrap(),
        }
    }

    #[test]
    fn assertion_claims_and_signature() {
        let aud = "https://acme.okta.com/oauth2/v1/token";
        for (private, public_name) in [
            ("test-rsa-pkcs8.pem", "test-rsa-public.pem"),
            ("test-ec-sec1.pem", "test-ec-public.pem"),
        ] {
            let k = key(private);
            let now = SystemTime::now();
            let jwt = client_assertion("0oa123", aud, &k, now).unwrap();
            let header = jsonwebtoken::decode_header(&jwt).unwrap();
            assert_eq!(header.alg, k.algorithm());
            assert_eq!(header.kid.as_deref(), Some("kid-1"));
            let mut v = Validation::new(k.algorithm());
            v.set_audience(&[aud]);
            v.set_issuer(&["0oa123"]);
            v.sub = Some("0oa123".into());
            let data = jsonwebtoken::decode::<AssertionClaims>(
                &jwt,
                &public(public_name, k.algorithm()),
                &v,
            )
            .unwrap();
            let c = data.claims;
            let iat = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
            assert_eq!(c.iat, iat);
            assert_eq!(c.exp, iat + 300);
            assert!(c.exp - c.iat <= 3600);
            assert_eq!(c.jti.len(), 32);
            let again = client_assertion("0oa123", aud, &k, now).unwrap();
            let c2 = jsonwebtoken::decode::<AssertionClaims>(
                &again,
                &public(public_name, k.algorithm()),
                &v,
            )
            .unwrap()
            .claims;
            assert_ne!(c.jti, c2.jti, "jti must be random");
        }
    }

    #[test]
    fn renewal_comes_before_expiry() {
        let t0 = tokio::time::Instant::now();
        assert_eq!(
            renew_at(t0, Duration::from_secs(3600)),
            t0 + Duration::from_secs(2880)
        );
        assert_eq!(
            renew_at(t0, Duration::from_secs(200)),
            t0 + Duration::from_secs(140)
        );
        assert_eq!(renew_at(t0, Duration::from_secs(30)), t0);
        assert_eq!(renew_at(t0, Duration::ZERO), t0);
    }

    #[test]
    fn secrets_are_redacted() {
        let creds = Credentials::api_token("00aVerySecretTokenValue");
        let dbg = format!("{creds:?}");
        assert!(!dbg.contains("VerySecret"), "{dbg}");
        assert_eq!(Secret::new("x").to_string(), "<redacted>");
        let oauth = Credentials::OAuth(OAuthCredentials::new("0oa1", key("test-rsa.jwk.json")));
        let dbg = format!("{oauth:?}");
        assert!(dbg.contains("0oa1") && dbg.contains("redacted"), "{dbg}");
    }
}
