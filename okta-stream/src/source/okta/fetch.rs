//! One request for one page of the System Log, and what its response means.
//!
//! [`get_page`] sends `GET <url>` with the authorisation header and classifies the outcome into
//! an [`Attempt`]: a page of events with its `Link` and rate-limit headers; a transient failure to
//! retry on the same URL (5xx, 408, timeout, connection error, truncated or malformed body); a 429;
//! a 401/403; or a fatal error (400 with Okta's error object, other 4xx). [`split_page`] turns a
//! body (a JSON array of LogEvents) into [`Event`]s that keep the exact bytes of each element.

use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::HeaderValue;
use reqwest::Url;

use super::error::{body_excerpt, describe_reqwest, OktaError, SourceError};
use super::link::{parse_links, Links};
use super::pace::RateLimitHeaders;
use crate::event::Event;

/// The outcome of one request.
#[derive(Debug)]
pub(crate) enum Attempt {
    /// 200 with a well-formed array.
    Page {
        events: Vec<Event>,
        links: Links,
        rate: RateLimitHeaders,
    },
    /// Retry the same URL after a backoff.
    Retry {
        reason: String,
        rate: RateLimitHeaders,
    },
    /// 429.
    RateLimited {
        rate: RateLimitHeaders,
        detail: String,
    },
    /// 401 or 403.
    Unauthorized { status: u16, detail: String },
    /// Retrying will not help.
    Fatal(SourceError),
}

/// Sends one request and classifies the response.
pub(crate) async fn get_page(
    client: &reqwest::Client,
    url: &Url,
    authorization: HeaderValue,
    org: &Arc<str>,
) -> Attempt {
    let sent = client
        .get(url.clone())
        .header(reqwest::header::AUTHORIZATION, authorization)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            return Attempt::Retry {
                reason: describe_reqwest(&e),
                rate: RateLimitHeaders::default(),
            }
        }
    };
    let status = resp.status();
    let rate = RateLimitHeaders::from_headers(resp.headers());
    let links = parse_links(
        resp.headers()
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let body = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => {
            return Attempt::Retry {
                reason: format!("HTTP {status}, {}", describe_reqwest(&e)),
                rate,
            }
        }
    };
    match status.as_u16() {
        200 => match split_page(&body, org) {
            Ok(events) => Attempt::Page {
                events,
                links,
                rate,
            },
            Err(why) => Attempt::Retry {
                reason: format!("malformed page body ({} bytes): {why}", body.len()),
                rate,
            },
        },
        429 => Attempt::RateLimited {
            rate,
            detail: body_excerpt(&body),
        },
        401 | 403 => Attempt::Unauthorized {
            status: status.as_u16(),
            detail: body_excerpt(&body),
        },
        400 => Attempt::Fatal(SourceError::BadRequest(
            OktaError::from_body(&body).unwrap_or_else(|| OktaError {
                code: "(none)".into(),
                summary: body_excerpt(&body),
                ..OktaError::default()
            }),
        )),
        408 | 500..=599 => Attempt::Retry {
            reason: format!("HTTP {status}: {}", body_excerpt(&body)),
            rate,
        },
        other => Attempt::Fatal(SourceError::Unexpected {
            status: other,
            url: url.to_string(),
            detail: body_excerpt(&body),
        }),
    }
}

/// Splits a JSON array of objects into events (exact bytes kept, org set). Any defect (not an
/// array, truncated, an element that is not an object, trailing garbage) rejects the whole page,
/// so that it is fetched again rather than partly delivered.
pub fn split_page(body: &Bytes, org: &Arc<str>) -> Result<Vec<Event>, String> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or("empty body")?;
    if body[start] != b'[' {
        return Err("not a JSON array".into());
    }
    let json = &body[start..];
    let mut events = Vec::new();
    let mut end = 1usize; // just after '['
    for item in sonic_rs::to_array_iter(json) {
        let item = item.map_err(|e| format!("invalid JSON: {e}"))?;
        let raw = item.as_raw_str();
        let offset = (raw.as_ptr() as usize)
            .checked_sub(json.as_ptr() as usize)
            .filter(|o| o + raw.len() <= json.len())
            .ok_or("internal: element outside the body")?;
        end = offset + raw.len();
        let slice = body.slice(start + offset..start + end);
        let event = Event::from_bytes(slice)
            .map_err(|e| format!("element {}: {e}", events.len()))?
            .with_org(Some(org.clone()));
        events.push(event);
    }
    // Only whitespace, the closing bracket and whitespace may follow the last element.
    let rest = &json[end..];
    let close = rest
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != b',')
        .ok_or("truncated: no closing bracket")?;
    if rest[close] != b']' || !rest[close + 1..].iter().all(u8::is_ascii_whitespace) {
        return Err("truncated or trailing data after the last element".into());
    }
    if rest[..close].contains(&b',') {
        return Err("trailing comma".into());
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Arc<str> {
        Arc::from("acme.okta.com")
    }

    #[test]
    fn splits_arrays_keeping_exact_bytes() {
        let body = Bytes::from_static(
            b" [ {\"uuid\":\"a\",\"x\":[1,2]} ,\n{\"uuid\":\"b\", \"s\":\"\\u00e9]\"}]\n",
        );
        let events = split_page(&body, &org()).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].raw(), b"{\"uuid\":\"a\",\"x\":[1,2]}");
        assert_eq!(events[1].raw(), b"{\"uuid\":\"b\", \"s\":\"\\u00e9]\"}");
        assert_eq!(events[1].org(), Some("acme.okta.com"));
        assert!(split_page(&Bytes::from_static(b"[]"), &org())
            .unwrap()
            .is_empty());
        assert!(split_page(&Bytes::from_static(b" [ \n ] "), &org())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn rejects_truncated_and_malformed_bodies() {
        for bad in [
            &b""[..],
            b"   ",
            b"{\"errorCode\":\"E0000009\"}",
            b"[",
            b"[{\"uuid\":\"a\"}",
            b"[{\"uuid\":\"a\"},",
            b"[{\"uuid\":\"a\"},{\"uu",
            b"[{\"uuid\":\"a\"}]garbage",
            b"[{\"uuid\":\"a\"},]",
            b"[1,2]",
            b"[{\"uuid\":\"a\"},\"x\"]",
            b"<html>504 Gateway Timeout</html>",
        ] {
            assert!(
                split_page(&Bytes::copy_from_slice(bad), &org()).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
