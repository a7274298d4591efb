//! Parameters of the simulated `GET /api/v1/logs`, validated the way Okta validates them, and
//! Okta's error objects.
//!
//! [`LogsQuery::parse`] reads the raw query string into a typed query or an [`ApiError`] (400 with
//! Okta's `errorCode`/`errorSummary`). It decides whether the request is a *polling* request (no
//! `until`, `sortOrder=ASCENDING`: storage order, endless `next` links) or a *bounded* one (ordered
//! by `published`, finite). The `after` cursor is opaque to clients: a base64url token encoding a
//! storage position (polling) or a (published, sequence) position (bounded).
//!
//! Choices where Okta's behaviour is undocumented: `limit` above 1000 is clamped to 1000 (the
//! OpenAPI spec sets no maximum); a request without `until` but with `DESCENDING` is treated as
//! bounded with `until` = now; `since` together with `after` is rejected for polling requests only
//! (Okta's own bounded `next` links carry both).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::json;

use super::filter::{Filter, Keywords};
use super::org::parse_time_ms;

/// Default page size.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size; larger values are clamped to it.
pub const MAX_LIMIT: usize = 1000;
const DAY_MS: i64 = 86_400_000;

/// An Okta error response: HTTP status and error object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `errorCode`, e.g. `E0000001`.
    pub code: &'static str,
    /// `errorSummary`.
    pub summary: String,
    /// `errorCauses[].errorSummary`.
    pub causes: Vec<String>,
}

impl ApiError {
    /// A new error.
    pub fn new(status: u16, code: &'static str, summary: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            summary: summary.into(),
            causes: Vec::new(),
        }
    }

    /// 400 `E0000001` for a bad date in `param`.
    pub fn bad_date(param: &str) -> ApiError {
        ApiError {
            status: 400,
            code: "E0000001",
            summary: format!("Api validation failed: '{param}': The date format in your query is not recognized. Please enter dates using ISO8601 string format. '{param}': must be a valid date-time or empty."),
            causes: vec![
                format!("{param}: The date format in your query is not recognized. Please enter dates using ISO8601 string format."),
                format!("{param}: must be a valid date-time or empty."),
            ],
        }
    }

    /// 429 `E0000047`.
    pub fn rate_limited() -> ApiError {
        ApiError::new(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
    }

    /// 500 `E0000009`.
    pub fn timeout() -> ApiError {
        ApiError::new(500, "E0000009", "Your last request took too long to complete. This is likely due to a load issue on our side. We've logged this and will work to address it. Please either simplify your query or wait a few minutes and try again.")
    }

    /// 401 `E0000011`.
    pub fn invalid_token() -> ApiError {
        ApiError::new(401, "E0000011", "Invalid token provided")
    }

    /// 403 `E0000006`.
    pub fn access_denied() -> ApiError {
        ApiError::new(
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
        )
    }

    /// The JSON body, with a fresh `errorId`.
    pub fn body(&self) -> Bytes {
        let causes: Vec<_> = self
            .causes
            .iter()
            .map(|c| json!({"errorSummary": c}))
            .collect();
        let id = format!("oae{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()));
        Bytes::from(
            json!({"errorCode": self.code, "errorSummary": self.summary, "errorLink": self.code, "errorId": id, "errorCauses": causes})
                .to_string(),
        )
    }
}

/// An opaque paging position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// Polling: the storage index to read next.
    Polling(u64),
    /// Bounded: the (published ms, sequence) of the last event returned.
    Bounded(i64, u64),
}

impl Cursor {
    /// The opaque token.
    pub fn encode(&self) -> String {
        let plain = match self {
            Cursor::Polling(i) => format!("p1:{i}"),
            Cursor::Bounded(p, s) => format!("b1:{p}:{s}"),
        };
        URL_SAFE_NO_PAD.encode(plain)
    }

    /// Decodes a token made by [`Cursor::encode`].
    pub fn decode(token: &str) -> Option<Cursor> {
        let plain = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
        let mut parts = plain.split(':');
        match (parts.next()?, parts.next(), parts.next(), parts.next()) {
            ("p1", Some(i), None, None) => Some(Cursor::Polling(i.parse().ok()?)),
            ("b1", Some(p), Some(s), None) => {
                Some(Cursor::Bounded(p.parse().ok()?, s.parse().ok()?))
            }
            _ => None,
        }
    }
}

/// A validated `/api/v1/logs` request.
#[derive(Debug, Clone)]
pub struct LogsQuery {
    /// `since`, ms.
    pub since: Option<i64>,
    /// `until`, ms.
    pub until: Option<i64>,
    /// Decoded `after`.
    pub after: Option<Cursor>,
    /// Page size (clamped to [`MAX_LIMIT`]).
    pub limit: usize,
    /// `sortOrder=DESCENDING`.
    pub descending: bool,
    /// Parsed `filter`.
    pub filter: Option<Filter>,
    /// Parsed `q`.
    pub keywords: Keywords,
    /// The parameters as received (decoded), in order, for building `next` links.
    pub params: Vec<(String, String)>,
}

impl LogsQuery {
    /// Parses and validates a raw query string. `now_ms` is the server's clock.
    pub fn parse(raw: &str, now_ms: i64) -> Result<LogsQuery, ApiError> {
        let params: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| {
            params
                .iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        let time = |k: &str| -> Result<Option<i64>, ApiError> {
            match get(k) {
                None | Some("") => Ok(None),
                Some(v) => parse_time_ms(v)
                    .map(Some)
                    .ok_or_else(|| ApiError::bad_date(k)),
            }
        };
        let since = time("since")?;
        let until = time("until")?;
        let limit = match get("limit") {
            None | Some("") => DEFAULT_LIMIT,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n >= 0 => usize::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT),
                _ => {
                    return Err(ApiError::new(
                        400,
                        "E0000001",
                        format!("Api validation failed: 'limit': must be an integer between 0 and {MAX_LIMIT}"),
                    ))
                }
            },
        };
        let descending =
            match get("sortOrder") {
                None | Some("") | Some("ASCENDING") => false,
                Some("DESCENDING") => true,
                Some(_) => return Err(ApiError::new(
                    400,
                    "E0000001",
                    "Api validation failed: 'sortOrder': must be one of [ASCENDING, DESCENDING]",
                )),
            };
        let after = match get("after") {
            None | Some("") => None,
            Some(t) => Some(Cursor::decode(t).ok_or_else(|| {
                ApiError::new(
                    400,
                    "E0000054",
                    "Invalid paging request: the after cursor is not valid",
                )
            })?),
        };
        let polling = until.is_none() && !descending;
        if polling && since.is_some() && after.is_some() {
            return Err(ApiError::new(
                400,
                "E0000001",
                "Api validation failed: 'since' and 'after' cannot be used together",
            ));
        }
        match (polling, after) {
            (true, Some(Cursor::Bounded(..))) | (false, Some(Cursor::Polling(_))) => {
                return Err(ApiError::new(
                    400,
                    "E0000054",
                    "Invalid paging request: the after cursor does not belong to this query",
                ))
            }
            _ => {}
        }
        if let Some(s) = since {
            if s < now_ms - 180 * DAY_MS {
                return Err(ApiError::new(
                    400,
                    "E0000053",
                    "Invalid parameter: The since parameter is over 180 days prior to the current day.",
                ));
            }
        }
        let filter = match get("filter") {
            None | Some("") => None,
            Some(f) => {
                Some(Filter::parse(f).map_err(|e| ApiError::new(400, e.code(), e.to_string()))?)
            }
        };
        let keywords = Keywords::parse(get("q").unwrap_or(""))
            .map_err(|e| ApiError::new(400, e.code(), e.to_string()))?;
        Ok(LogsQuery {
            since,
            until,
            after,
            limit,
            descending,
            filter,
            keywords,
            params,
        })
    }

    /// Whether this is a polling request (no `until`, ascending).
    pub fn is_polling(&self) -> bool {
        self.until.is_none() && !self.descending
    }

    /// The bounded range `[since, until)` in ms: defaults `until` = now, `since` = 7 days before.
    pub fn bounded_range(&self, now_ms: i64) -> (i64, i64) {
        let until = self.until.unwrap_or(now_ms);
        (self.since.unwrap_or(until - 7 * DAY_MS), until)
    }

    /// The query string of the `next` link: the original parameters, without `after` (and
    /// without `since` for polling requests), followed by the new cursor.
    pub fn next_query(&self, cursor: Cursor) -> String {
        let polling = self.is_polling();
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            if k == "after" || (polling && k == "since") {
                continue;
            }
            s.append_pair(k, v);
        }
        s.append_pair("after", &cursor.encode());
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_768_467_600_000;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        for c in [
            Cursor::Polling(0),
            Cursor::Polling(123_456),
            Cursor::Bounded(NOW, 42),
        ] {
            assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
        assert_eq!(Cursor::decode("garbage!"), None);
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode("p1:x")), None);
    }

    #[test]
    fn classification_defaults_and_next_links() {
        let q = LogsQuery::parse(
            "since=2026-01-15T08:00:00Z&limit=5000&filter=eventType%20eq%20%22a%22",
            NOW,
        )
        .unwrap();
        assert!(q.is_polling());
        assert_eq!(q.limit, MAX_LIMIT);
        let next = q.next_query(Cursor::Polling(7));
        assert!(!next.contains("since"));
        assert!(next.contains("filter=eventType+eq+%22a%22") && next.contains("limit=5000"));
        let q2 = LogsQuery::parse(&next, NOW).unwrap();
        assert_eq!(q2.after, Some(Cursor::Polling(7)));
        let b = LogsQuery::parse(
            "since=2026-01-15T08:00:00.000Z&until=2026-01-15T09:00:00Z",
            NOW,
        )
        .unwrap();
        assert!(!b.is_polling());
        assert_eq!(b.limit, DEFAULT_LIMIT);
        assert!(b.next_query(Cursor::Bounded(1, 2)).contains("since="));
        assert!(!LogsQuery::parse("sortOrder=DESCENDING", NOW)
            .unwrap()
            .is_polling());
    }

    #[test]
    fn bad_parameters_give_okta_errors() {
        let code = |q: &str| LogsQuery::parse(q, NOW).unwrap_err().code;
        assert_eq!(code("since=yesterday"), "E0000001");
        assert_eq!(code("until=2026-13-01T00:00:00Z"), "E0000001");
        assert_eq!(code("limit=-1"), "E0000001");
        assert_eq!(code("limit=ten"), "E0000001");
        assert_eq!(code("sortOrder=UP"), "E0000001");
        assert_eq!(
            code(&format!(
                "since=2026-01-15T08:00:00Z&after={}",
                Cursor::Polling(1).encode()
            )),
            "E0000001"
        );
        assert_eq!(code("since=2025-01-01T00:00:00Z"), "E0000053");
        assert_eq!(code("filter=eventType%20eqq%20%22x%22"), "E0000053");
        assert_eq!(code(&format!("q={}", "a".repeat(41))), "E0000001");
        assert_eq!(code("after=zzz"), "E0000054");
        let e = LogsQuery::parse("since=nope", NOW).unwrap_err();
        assert!(e
            .summary
            .starts_with("Api validation failed: 'since': The date format"));
        assert_eq!(e.causes.len(), 2);
    }
}
