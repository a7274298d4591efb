//! Authentication of the simulated org: SSWS API tokens and OAuth 2.0 client credentials.
//!
//! Requests to `/api/v1/logs` carry `Authorization: SSWS <token>` (checked against the configured
//! tokens) or `Authorization: Bearer <access token>` (issued by [`Auth::issue`]). The token endpoint
//! hands [`Auth::issue`] a `private_key_jwt` client assertion, which is verified like Okta does:
//! signature with the client's registered public key (RS256 or ES256), `iss` = `sub` = client id,
//! `aud` = the token endpoint URL, `exp` in the future and at most an hour away, `jti` present and
//! never seen before. Secrets (API tokens, access tokens) never appear in `Debug` output or errors.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::query::ApiError;
use super::SimError;

/// The scope that grants read access to the System Log.
pub const LOGS_SCOPE: &str = "okta.logs.read";

/// A registered OAuth service app: client id, public key and the scopes it was granted.
#[derive(Clone)]
pub struct OAuthClient {
    client_id: String,
    key: DecodingKey,
    algorithm: Algorithm,
    scopes: Vec<String>,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("algorithm", &self.algorithm)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// A client whose assertions are verified with a PEM public key (RSA → RS256, EC P-256 →
    /// ES256). Granted scope: `okta.logs.read`.
    pub fn from_public_key_pem(
        client_id: impl Into<String>,
        pem: &[u8],
    ) -> Result<OAuthClient, SimError> {
        let (key, algorithm) = match DecodingKey::from_rsa_pem(pem) {
            Ok(k) => (k, Algorithm::RS256),
            Err(_) => (
                DecodingKey::from_ec_pem(pem).map_err(|e| {
                    SimError::Key(format!("not an RSA or EC public key in PEM: {e}"))
                })?,
                Algorithm::ES256,
            ),
        };
        Ok(OAuthClient {
            client_id: client_id.into(),
            key,
            algorithm,
            scopes: vec![LOGS_SCOPE.to_string()],
        })
    }

    /// A client whose assertions are verified with a public JWK (JSON text, `kty` RSA or EC).
    pub fn from_jwk(client_id: impl Into<String>, jwk_json: &str) -> Result<OAuthClient, SimError> {
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(jwk_json)
            .map_err(|e| SimError::Key(format!("invalid JWK: {e}")))?;
        let algorithm = match &jwk.algorithm {
            jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
            jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
            _ => return Err(SimError::Key("JWK must be an RSA or EC key".into())),
        };
        let key =
            DecodingKey::from_jwk(&jwk).map_err(|e| SimError::Key(format!("unusable JWK: {e}")))?;
        Ok(OAuthClient {
            client_id: client_id.into(),
            key,
            algorithm,
            scopes: vec![LOGS_SCOPE.to_string()],
        })
    }

    /// Replaces the scopes granted to the client.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> OAuthClient
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

/// A token-endpoint error (`error`, `error_description`, HTTP status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// OAuth `error`.
    pub error: &'static str,
    /// `error_description`.
    pub description: String,
}

impl OAuthError {
    fn new(status: u16, error: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    fn client(description: impl Into<String>) -> OAuthError {
        OAuthError::new(401, "invalid_client", description)
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        serde_json::json!({"error": self.error, "error_description": self.description}).to_string()
    }
}

/// An issued access token (its `Debug` output redacts the token).
#[derive(Clone)]
pub struct IssuedToken {
    /// The token.
    pub access_token: String,
    /// Lifetime.
    pub expires_in: Duration,
    /// Granted scopes, space separated.
    pub scope: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

struct Live {
    expires: Instant,
    scopes: Vec<String>,
}

/// The server's authentication state.
pub struct Auth {
    api_tokens: Vec<String>,
    clients: HashMap<String, OAuthClient>,
    token_lifetime: Duration,
    tokens: Mutex<HashMap<String, Live>>,
    used_jtis: Mutex<HashMap<(String, String), i64>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field(
                "api_tokens",
                &format_args!("[{} redacted]", self.api_tokens.len()),
            )
            .field("clients", &self.clients.keys().collect::<Vec<_>>())
            .field("token_lifetime", &self.token_lifetime)
            .finish_non_exhaustive()
    }
}

/// Longest accepted lifetime of a client assertion (`exp` − now), seconds.
pub const MAX_ASSERTION_LIFETIME_S: i64 = 3_600;
const LEEWAY_S: u64 = 30;

impl Auth {
    /// Authentication with these API tokens, OAuth clients and access-token lifetime.
    pub fn new(
        api_tokens: Vec<String>,
        clients: Vec<OAuthClient>,
        token_lifetime: Duration,
    ) -> Auth {
        Auth {
            api_tokens,
            clients: clients
                .into_iter()
                .map(|c| (c.client_id.clone(), c))
                .collect(),
            token_lifetime,
            tokens: Mutex::new(HashMap::new()),
            used_jtis: Mutex::new(HashMap::new()),
        }
    }

    /// Checks an `Authorization` header for `/api/v1/logs`: 401 `E0000011` for a missing, unknown or
    /// expired credential, 403 `E0000006` for an access token without `okta.logs.read`.
    pub fn check(&self, authorization: Option<&str>) -> Result<(), ApiError> {
        let header = authorization.unwrap_or("").trim();
        if let Some(token) = strip_scheme(header, "SSWS") {
            if self
                .api_tokens
                .iter()
                .any(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
            {
                return Ok(());
            }
            return Err(ApiError::invalid_token());
        }
        if let Some(token) = strip_scheme(header, "Bearer") {
            let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            tokens.retain(|_, live| live.expires > now);
            return match tokens.get(token) {
                None => Err(ApiError::invalid_token()),
                Some(live) if !live.scopes.iter().any(|s| s == LOGS_SCOPE) => {
                    Err(ApiError::access_denied())
                }
                Some(_) => Ok(()),
            };
        }
        Err(ApiError::invalid_token())
    }

    /// Handles a client-credentials token request (the decoded form fields). `token_url` is the
    /// expected audience; `now_s` the current Unix time. On success the access token is live.
    pub fn issue(
        &self,
        form: &HashMap<String, String>,
        token_url: &str,
        now_s: i64,
    ) -> Result<IssuedToken, OAuthError> {
        let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        if field("grant_type") != "client_credentials" {
            return Err(OAuthError::new(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials]."));
        }
        if field("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        {
            return Err(OAuthError::client("The client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."));
        }
        let assertion = field("client_assertion");
        if assertion.is_empty() {
            return Err(OAuthError::client("The client_assertion is missing."));
        }
        let header = jsonwebtoken::decode_header(assertion)
            .map_err(|_| OAuthError::client("The client_assertion is not a valid JWT."))?;
        let claims = unverified_claims(assertion)
            .ok_or_else(|| OAuthError::client("The client_assertion is not a valid JWT."))?;
        let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
        let client_id = match field("client_id") {
            "" => iss,
            id if id == iss => id,
            _ => {
                return Err(OAuthError::client(
                    "The client_id does not match the client_assertion issuer.",
                ))
            }
        };
        let client = self.clients.get(client_id).ok_or_else(|| {
            OAuthError::client("The client_assertion issuer is not a registered client.")
        })?;
        if header.alg != client.algorithm {
            return Err(OAuthError::client(
                "The client_assertion signature algorithm does not match the registered key.",
            ));
        }
        let mut validation = Validation::new(client.algorithm);
        validation.leeway = LEEWAY_S;
        validation.set_audience(&[token_url]);
        validation.set_issuer(&[client.client_id.as_str()]);
        validation.sub = Some(client.client_id.clone());
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        let data = jsonwebtoken::decode::<Value>(assertion, &client.key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            OAuthError::client(match e.kind() {
                ErrorKind::InvalidSignature => "The client_assertion signature is invalid.",
                ErrorKind::ExpiredSignature => "The client_assertion token is expired.",
                ErrorKind::InvalidAudience => "The audience claim for client_assertion must be the endpoint invoked for the request.",
                ErrorKind::InvalidIssuer | ErrorKind::InvalidSubject => "The client_assertion iss and sub claims must be the client_id.",
                ErrorKind::MissingRequiredClaim(_) => "The client_assertion is missing a required claim (exp, iss, sub, aud).",
                _ => "The client_assertion could not be verified.",
            })
        })?;
        let exp = data.claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp - now_s > MAX_ASSERTION_LIFETIME_S + LEEWAY_S as i64 {
            return Err(OAuthError::client(
                "The client_assertion token has an expiration too far in the future.",
            ));
        }
        let jti = data.claims.get("jti").and_then(Value::as_str).unwrap_or("");
        if jti.is_empty() {
            return Err(OAuthError::client(
                "The client_assertion token must contain a jti claim.",
            ));
        }
        {
            let mut used = self.used_jtis.lock().unwrap_or_else(|p| p.into_inner());
            used.retain(|_, e| *e + LEEWAY_S as i64 >= now_s);
            let key = (client.client_id.clone(), jti.to_string());
            if used.contains_key(&key) {
                return Err(OAuthError::client(
                    "The client_assertion token has already been used.",
                ));
            }
            used.insert(key, exp);
        }
        let requested: Vec<String> = field("scope")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if requested.is_empty() {
            return Err(OAuthError::new(400, "invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided."));
        }
        if let Some(bad) = requested.iter().find(|s| !client.scopes.contains(s)) {
            return Err(OAuthError::new(
                400,
                "invalid_scope",
                format!("The following scopes are not allowed: {bad}"),
            ));
        }
        let access_token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                access_token.clone(),
                Live {
                    expires: Instant::now() + self.token_lifetime,
                    scopes: requested.clone(),
                },
            );
        Ok(IssuedToken {
            access_token,
            expires_in: self.token_lifetime,
            scope: requested.join(" "),
        })
    }
}

fn strip_scheme<'a>(header: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = header.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

fn unverified_claims(jwt: &str) -> Option<serde_json::Map<String, Value>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssws_tokens_are_checked_and_never_printed() {
        let auth = Auth::new(vec!["s3cret".into()], vec![], Duration::from_secs(60));
        assert!(auth.check(Some("SSWS s3cret")).is_ok());
        assert_eq!(auth.check(Some("SSWS wrong")).unwrap_err().code, "E0000011");
        assert_eq!(auth.check(None).unwrap_err().code, "E0000011");
        assert_eq!(
            auth.check(Some("Bearer nope")).unwrap_err().code,
            "E0000011"
        );
        assert!(!format!("{auth:?}").contains("s3cret"));
    }

    #[test]
    fn garbage_assertions_are_rejected_without_panicking() {
        let auth = Auth::new(vec![], vec![], Duration::from_secs(60));
        let mut form = HashMap::new();
        form.insert("grant_type".to_string(), "client_credentials".to_string());
        form.insert(
            "client_assertion_type".to_string(),
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
        );
        for a in ["", "x", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.sig"] {
            form.insert("client_assertion".to_string(), a.to_string());
            assert_eq!(
                auth.issue(&form, "http://x/oauth2/v1/token", 0)
                    .unwrap_err()
                    .error,
                "invalid_client"
            );
        }
        form.insert("grant_type".to_string(), "password".to_string());
        assert_eq!(
            auth.issue(&form, "http://x", 0).unwrap_err().error,
            "unsupported_grant_type"
        );
    }
}
