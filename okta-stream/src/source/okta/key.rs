//! The private key a service app signs its OAuth client assertions with.
//!
//! Accepted inputs: PEM (`PRIVATE KEY` = PKCS#8 RSA or EC P-256, `RSA PRIVATE KEY` = PKCS#1,
//! `EC PRIVATE KEY` = SEC1) or a private JWK (RSA with `n, e, d, p, q, dp, dq, qi`; EC P-256 with
//! `x, y, d`), with an optional key id (`kid`). The key is normalised to the DER form the signer
//! wants (PKCS#1 for RSA, PKCS#8 for EC), checked once by signing a probe, and kept as a
//! [`SigningKey`] whose `Debug` output never shows key material.

use std::fmt;
use std::path::Path;

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read.
    #[error("cannot read private key file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input is neither a PEM private key nor a JWK, or its structure is wrong.
    #[error("invalid private key: {0}")]
    Invalid(String),
    /// A key type or curve that Okta client assertions here do not support.
    #[error(
        "unsupported private key: {0} (use an RSA key for RS256 or an EC P-256 key for ES256)"
    )]
    Unsupported(String),
}

/// A loaded signing key: algorithm (RS256 or ES256), key and optional key id.
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    key: EncodingKey,
    kid: Option<String>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("key", &"<redacted>")
            .finish()
    }
}

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

impl SigningKey {
    /// The JWS algorithm of this key.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id sent in the JWT header, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Replaces the key id.
    pub fn with_kid(mut self, kid: Option<String>) -> SigningKey {
        if kid.is_some() {
            self.kid = kid;
        }
        self
    }

    pub(crate) fn encoding_key(&self) -> &EncodingKey {
        &self.key
    }

    /// Reads a PEM or JWK key file. `kid` overrides a JWK's own `kid`.
    pub fn from_file(path: &Path, kid: Option<String>) -> Result<SigningKey, KeyError> {
        let bytes = std::fs::read(path).map_err(|source| KeyError::Read {
            path: path.display().to_string(),
            source,
        })?;
        SigningKey::from_bytes(&bytes).map(|k| k.with_kid(kid))
    }

    /// Loads a key from PEM or JWK text (detected by content).
    pub fn from_bytes(bytes: &[u8]) -> Result<SigningKey, KeyError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| KeyError::Invalid("the key is not text (PEM or JWK expected)".into()))?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            SigningKey::from_jwk(trimmed)
        } else if trimmed.starts_with("-----BEGIN") {
            SigningKey::from_pem(trimmed)
        } else {
            Err(KeyError::Invalid(
                "expected a PEM block (-----BEGIN ...) or a JWK JSON object".into(),
            ))
        }
    }

    /// Loads a PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC).
    pub fn from_pem(pem: &str) -> Result<SigningKey, KeyError> {
        let (label, der) = pem_decode(pem)?;
        match label.as_str() {
            "RSA PRIVATE KEY" => finish(Algorithm::RS256, EncodingKey::from_rsa_der(&der), None),
            "EC PRIVATE KEY" => {
                let pkcs8 = sec1_to_pkcs8(&der)?;
                finish(Algorithm::ES256, EncodingKey::from_ec_der(&pkcs8), None)
            }
            "PRIVATE KEY" => {
                let (alg_oid, curve, inner) = parse_pkcs8(&der)?;
                if alg_oid == OID_RSA {
                    // The signer takes the PKCS#1 structure inside.
                    finish(Algorithm::RS256, EncodingKey::from_rsa_der(inner), None)
                } else if alg_oid == OID_EC_PUBLIC_KEY {
                    if curve != Some(OID_P256) {
                        return Err(KeyError::Unsupported(
                            "EC key on a curve other than P-256".into(),
                        ));
                    }
                    finish(Algorithm::ES256, EncodingKey::from_ec_der(&der), None)
                } else {
                    Err(KeyError::Unsupported(
                        "PKCS#8 key that is neither RSA nor EC".into(),
                    ))
                }
            }
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Unsupported(
                "encrypted PEM key; decrypt it first (openssl pkey -in key.pem -out plain.pem)"
                    .into(),
            )),
            other => Err(KeyError::Invalid(format!(
                "PEM block {other:?} is not a private key"
            ))),
        }
    }

    /// Loads a private JWK (RSA or EC P-256).
    pub fn from_jwk(json: &str) -> Result<SigningKey, KeyError> {
        let jwk: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| KeyError::Invalid(format!("JWK is not valid JSON: {e}")))?;
        let member = |name: &str| -> Result<Vec<u8>, KeyError> {
            let s = jwk
                .get(name)
                .and_then(|v| v.as_str())
                .ok_or_else(|| KeyError::Invalid(format!("JWK lacks the {name:?} member")))?;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s.trim_end_matches('='))
                .map_err(|_| KeyError::Invalid(format!("JWK member {name:?} is not base64url")))
        };
        let kid = jwk.get("kid").and_then(|v| v.as_str()).map(String::from);
        match jwk.get("kty").and_then(|v| v.as_str()) {
            Some("RSA") => {
                if jwk.get("d").is_none() {
                    return Err(KeyError::Invalid(
                        "RSA JWK has no private exponent \"d\" (this is a public key)".into(),
                    ));
                }
                let mut body = der_uint(&[0]);
                for name in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
                    body.extend(der_uint(&member(name)?));
                }
                let der = der_tlv(0x30, &body);
                finish(Algorithm::RS256, EncodingKey::from_rsa_der(&der), kid)
            }
            Some("EC") => {
                match jwk.get("crv").and_then(|v| v.as_str()) {
                    Some("P-256") => {}
                    other => {
                        return Err(KeyError::Unsupported(format!("EC JWK curve {other:?}")));
                    }
                }
                let (d, x, y) = (member("d")?, member("x")?, member("y")?);
                if d.len() > 32 || x.len() > 32 || y.len() > 32 {
                    return Err(KeyError::Invalid(
                        "EC P-256 JWK member longer than 32 bytes".into(),
                    ));
                }
                let mut point = vec![0x04];
                point.extend(left_pad(&x, 32));
                point.extend(left_pad(&y, 32));
                let pkcs8 = ec_pkcs8(&left_pad(&d, 32), &point);
                finish(Algorithm::ES256, EncodingKey::from_ec_der(&pkcs8), kid)
            }
            other => Err(KeyError::Unsupported(format!("JWK key type {other:?}"))),
        }
    }
}

/// Checks the key by signing a probe, so that a bad key fails at start-up, not at first use.
fn finish(alg: Algorithm, key: EncodingKey, kid: Option<String>) -> Result<SigningKey, KeyError> {
    jsonwebtoken::crypto::sign(b"probe", &key, alg).map_err(|e| {
        KeyError::Invalid(format!(
            "the key cannot sign ({e}); is it complete and of the right type?"
        ))
    })?;
    Ok(SigningKey { alg, key, kid })
}

fn left_pad(b: &[u8], len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len.saturating_sub(b.len())];
    v.extend_from_slice(b);
    v
}

/// Decodes the first PEM block: (label, DER bytes).
fn pem_decode(pem: &str) -> Result<(String, Vec<u8>), KeyError> {
    let mut lines = pem.lines().map(str::trim);
    let begin = lines
        .find(|l| l.starts_with("-----BEGIN "))
        .ok_or_else(|| KeyError::Invalid("no PEM BEGIN line".into()))?;
    let label = begin
        .trim_start_matches("-----BEGIN ")
        .trim_end_matches('-')
        .trim()
        .to_string();
    let mut b64 = String::new();
    let mut ended = false;
    for line in lines {
        if line.starts_with("-----END ") {
            ended = true;
            break;
        }
        if line.contains(':') {
            return Err(KeyError::Unsupported(
                "PEM with headers (an encrypted traditional key?); decrypt it first".into(),
            ));
        }
        b64.push_str(line);
    }
    if !ended {
        return Err(KeyError::Invalid("PEM block has no END line".into()));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| KeyError::Invalid("PEM body is not valid base64".into()))?;
    Ok((label, der))
}

/// Reads one DER TLV: (tag, contents, rest).
fn der_read(input: &[u8]) -> Result<(u8, &[u8], &[u8]), KeyError> {
    let bad = || KeyError::Invalid("malformed DER structure".into());
    let (&tag, rest) = input.split_first().ok_or_else(bad)?;
    let (&first, rest) = rest.split_first().ok_or_else(bad)?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return Err(bad());
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return Err(bad());
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

fn der_expect(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), KeyError> {
    let (t, content, rest) = der_read(input)?;
    if t != tag {
        return Err(KeyError::Invalid(format!(
            "unexpected DER tag 0x{t:02x} (wanted 0x{tag:02x})"
        )));
    }
    Ok((content, rest))
}

/// The parts of a PKCS#8 PrivateKeyInfo: (algorithm OID, EC curve OID, inner private key).
type Pkcs8Parts<'a> = (&'a [u8], Option<&'a [u8]>, &'a [u8]);

/// Splits a PrivateKeyInfo into its parts.
fn parse_pkcs8(der: &[u8]) -> Result<Pkcs8Parts<'_>, KeyError> {
    let (seq, _) = der_expect(der, 0x30)?;
    let (_version, rest) = der_expect(seq, 0x02)?;
    let (alg_id, rest) = der_expect(rest, 0x30)?;
    let (oid, params) = der_expect(alg_id, 0x06)?;
    let curve = match der_read(params) {
        Ok((0x06, c, _)) => Some(c),
        _ => None,
    };
    let (inner, _) = der_expect(rest, 0x04)?;
    Ok((oid, curve, inner))
}

/// SEC1 ECPrivateKey → PKCS#8 (P-256 only; the public key must be present).
fn sec1_to_pkcs8(der: &[u8]) -> Result<Vec<u8>, KeyError> {
    let (seq, _) = der_expect(der, 0x30)?;
    let (_version, rest) = der_expect(seq, 0x02)?;
    let (d, mut rest) = der_expect(rest, 0x04)?;
    let mut public = None;
    while !rest.is_empty() {
        let (tag, content, more) = der_read(rest)?;
        match tag {
            0xa0 => {
                let (oid, _) = der_expect(content, 0x06)?;
                if oid != OID_P256 {
                    return Err(KeyError::Unsupported(
                        "EC key on a curve other than P-256".into(),
                    ));
                }
            }
            0xa1 => {
                let (bits, _) = der_expect(content, 0x03)?;
                // Skip the "unused bits" byte of the BIT STRING.
                public = bits.get(1..).map(<[u8]>::to_vec);
            }
            _ => {}
        }
        rest = more;
    }
    let public = public.ok_or_else(|| {
        KeyError::Invalid(
            "SEC1 EC key without its public key; convert it with `openssl pkcs8 -topk8 -nocrypt`"
                .into(),
        )
    })?;
    Ok(ec_pkcs8(&left_pad(d, 32), &public))
}

/// Builds a PKCS#8 PrivateKeyInfo for a P-256 key (d, uncompressed public point).
fn ec_pkcs8(d: &[u8], public_point: &[u8]) -> Vec<u8> {
    let mut ec_key = der_uint(&[1]);
    ec_key.extend(der_tlv(0x04, d));
    let mut bits = vec![0u8];
    bits.extend_from_slice(public_point);
    ec_key.extend(der_tlv(0xa1, &der_tlv(0x03, &bits)));
    let ec_key = der_tlv(0x30, &ec_key);

    let mut alg = der_tlv(0x06, OID_EC_PUBLIC_KEY);
    alg.extend(der_tlv(0x06, OID_P256));
    let mut info = der_uint(&[0]);
    info.extend(der_tlv(0x30, &alg));
    info.extend(der_tlv(0x04, &ec_key));
    der_tlv(0x30, &info)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A DER INTEGER from unsigned big-endian bytes.
fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let mut v = Vec::with_capacity(bytes.len() + 1);
    let trimmed = &bytes[skip..];
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(trimmed);
    der_tlv(0x02, &v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    fn verify(key: &SigningKey, public_pem: &str) {
        let sig =
            jsonwebtoken::crypto::sign(b"message", key.encoding_key(), key.algorithm()).unwrap();
        let dk = match key.algorithm() {
            Algorithm::RS256 => DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap(),
            _ => DecodingKey::from_ec_pem(public_pem.as_bytes()).unwrap(),
        };
        assert!(jsonwebtoken::crypto::verify(&sig, b"message", &dk, key.algorithm()).unwrap());
        let _ = Validation::new(key.algorithm());
    }

    #[test]
    fn loads_every_supported_form_and_signs_verifiably() {
        let rsa_pub = fixture("test-rsa-public.pem");
        let ec_pub = fixture("test-ec-public.pem");
        for (file, alg, public, kid) in [
            ("test-rsa-pkcs8.pem", Algorithm::RS256, &rsa_pub, None),
            ("test-rsa-pkcs1.pem", Algorithm::RS256, &rsa_pub, None),
            (
                "test-rsa.jwk.json",
                Algorithm::RS256,
                &rsa_pub,
                Some("test-rsa-key"),
            ),
            ("test-ec-pkcs8.pem", Algorithm::ES256, &ec_pub, None),
            ("test-ec-sec1.pem", Algorithm::ES256, &ec_pub, None),
            (
                "test-ec.jwk.json",
                Algorithm::ES256,
                &ec_pub,
                Some("test-ec-key"),
            ),
        ] {
            let key = SigningKey::from_bytes(fixture(file).as_bytes()).unwrap();
            assert_eq!(key.algorithm(), alg, "{file}");
            assert_eq!(key.kid(), kid, "{file}");
            verify(&key, public);
        }
    }

    #[test]
    fn kid_override_and_debug_redaction() {
        let path = std::path::PathBuf::from(format!(
            "{}/tests/fixtures/keys/test-ec.jwk.json",
            env!("CARGO_MANIFEST_DIR")
        ));
        let key = SigningKey::from_file(&path, Some("mine".into())).unwrap();
        assert_eq!(key.kid(), Some("mine"));
        let dbg = format!("{key:?}");
        assert!(dbg.contains("redacted"));
        let jwk: serde_json::Value = serde_json::from_str(&fixture("test-ec.jwk.json")).unwrap();
        assert!(!dbg.contains(jwk["d"].as_str().unwrap()));
    }

    #[test]
    fn bad_keys_give_clear_errors() {
        assert!(matches!(
            SigningKey::from_bytes(b"hello"),
            Err(KeyError::Invalid(_))
        ));
        assert!(matches!(
            SigningKey::from_bytes(fixture("test-rsa-public.pem").as_bytes()),
            Err(KeyError::Invalid(_))
        ));
        let truncated = fixture("test-rsa-pkcs8.pem").replace("-----END PRIVATE KEY-----", "");
        assert!(SigningKey::from_bytes(truncated.as_bytes()).is_err());
        let mut jwk: serde_json::Value =
            serde_json::from_str(&fixture("test-rsa.jwk.json")).unwrap();
        jwk.as_object_mut().unwrap().remove("d");
        let err = SigningKey::from_jwk(&jwk.to_string()).unwrap_err();
        assert!(err.to_string().contains("public key"), "{err}");
        let err = SigningKey::from_jwk(r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA","d":"AA"}"#)
            .unwrap_err();
        assert!(matches!(err, KeyError::Unsupported(_)));
        let err = SigningKey::from_jwk(r#"{"kty":"oct","k":"AA"}"#).unwrap_err();
        assert!(matches!(err, KeyError::Unsupported(_)));
        // Corrupted key material is refused at load time.
        let mut jwk: serde_json::Value =
            serde_json::from_str(&fixture("test-ec.jwk.json")).unwrap();
        jwk["x"] = "AAAA".into();
        assert!(SigningKey::from_jwk(&jwk.to_string()).is_err());
        let missing = std::path::Path::new("/nonexistent/key.pem");
        assert!(matches!(
            SigningKey::from_file(missing, None),
            Err(KeyError::Read { .. })
        ));
    }
}
