//! A minimal fake Okta org for the source's tests: `/api/v1/logs` with `after` cursors and `Link`
//! headers, per-second rate-limit windows with `X-Rate-Limit-*` and `Date` headers (429 when
//! exceeded), injectable faults (5xx, 429, truncated bodies, dropped connections, slow responses,
//! malformed JSON, repeated events), SSWS and Bearer auth, and `/oauth2/v1/token`, which verifies
//! the client assertion with the app's public key. (The full simulator is `okta_stream::sim`.)
#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use bytes::Bytes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    ServerError,
    TooManyRequests {
        with_reset: bool,
    },
    Truncated,
    DropConnection,
    Slow(Duration),
    Malformed,
    /// Serve the page with the previous page's last event repeated at its start.
    RepeatPrevious,
}

pub struct Org {
    pub events: Vec<String>,
    pub faults: VecDeque<Option<Fault>>,
    pub api_token: String,
    /// Requests allowed per one-second window (None = unlimited, no headers).
    pub window_limit: Option<u64>,
    window: (u64, u64),
    pub requests: u64,
    pub page_requests: u64,
    pub too_many: u64,
    pub faults_served: u64,
    pub unauthorized: u64,
    pub urls: Vec<String>,
    pub user_agents: HashSet<String>,
    /// OAuth
    pub client_id: String,
    pub public_key_pem: Option<(jsonwebtoken::Algorithm, Vec<u8>)>,
    pub token_lifetime: u64,
    pub tokens: HashMap<String, Instant>,
    pub token_requests: u64,
    pub bad_assertions: u64,
    pub jtis: HashSet<String>,
    pub revoke_next: bool,
    pub foreign_next: bool,
    base: String,
}

pub type Shared = Arc<Mutex<Org>>;

pub fn event(n: usize) -> String {
    format!(
        r#"{{"uuid":"uuid-{n:06}","published":"2024-05-01T00:00:{:02}.000Z","eventType":"user.session.start","version":"0","severity":"INFO","displayMessage":"event {n}","actor":{{"id":"00u{n}","displayName":"User {n}"}}}}"#,
        n % 60
    )
}

pub async fn start(n_events: usize) -> (Shared, String) {
    let org = Arc::new(Mutex::new(Org {
        events: (0..n_events).map(event).collect(),
        faults: VecDeque::new(),
        api_token: "test-token-abc123".into(),
        window_limit: None,
        window: (0, 0),
        requests: 0,
        page_requests: 0,
        too_many: 0,
        faults_served: 0,
        unauthorized: 0,
        urls: Vec::new(),
        user_agents: HashSet::new(),
        client_id: "0oaTESTCLIENT".into(),
        public_key_pem: None,
        token_lifetime: 3600,
        tokens: HashMap::new(),
        token_requests: 0,
        bad_assertions: 0,
        jtis: HashSet::new(),
        revoke_next: false,
        foreign_next: false,
        base: String::new(),
    }));
    let app = Router::new()
        .route("/api/v1/logs", get(logs))
        .route("/oauth2/v1/token", post(token))
        .with_state(org.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    org.lock().unwrap().base = base.clone();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (org, base)
}

fn okta_error(status: StatusCode, code: &str, summary: &str) -> Response {
    let body = format!(
        r#"{{"errorCode":"{code}","errorSummary":"{summary}","errorLink":"{code}","errorId":"oaeTEST","errorCauses":[]}}"#
    );
    (status, [("content-type", "application/json")], body).into_response()
}

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn logs(
    State(org): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let (resp, slow) = logs_inner(&org, &params, &headers, &uri);
    if let Some(d) = slow {
        tokio::time::sleep(d).await;
    }
    resp
}

fn logs_inner(
    org: &Shared,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
) -> (Response, Option<Duration>) {
    let mut o = org.lock().unwrap();
    o.requests += 1;
    o.urls.push(uri.to_string());
    if let Some(ua) = headers.get("user-agent").and_then(|v| v.to_str().ok()) {
        o.user_agents.insert(ua.to_string());
    }
    // Rate-limit window (one second, aligned to wall-clock seconds).
    let now = epoch_now();
    let mut rl_headers: Vec<(&'static str, String)> = Vec::new();
    if let Some(limit) = o.window_limit {
        if o.window.0 != now {
            o.window = (now, 0);
        }
        o.window.1 += 1;
        let used = o.window.1;
        rl_headers.push(("x-rate-limit-limit", limit.to_string()));
        rl_headers.push((
            "x-rate-limit-remaining",
            limit.saturating_sub(used).to_string(),
        ));
        rl_headers.push(("x-rate-limit-reset", (now + 1).to_string()));
        rl_headers.push(("date", httpdate::fmt_http_date(SystemTime::now())));
        if used > limit {
            o.too_many += 1;
            let mut r = okta_error(
                StatusCode::TOO_MANY_REQUESTS,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            );
            for (k, v) in rl_headers {
                r.headers_mut()
                    .insert(k, HeaderValue::from_str(&v).unwrap());
            }
            return (r, None);
        }
    }
    // Auth.
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ok = if let Some(t) = auth.strip_prefix("SSWS ") {
        t == o.api_token
    } else if let Some(t) = auth.strip_prefix("Bearer ") {
        let lifetime = Duration::from_secs(o.token_lifetime);
        let valid = o
            .tokens
            .get(t)
            .is_some_and(|issued| issued.elapsed() < lifetime);
        if valid && o.revoke_next {
            o.revoke_next = false;
            o.tokens.remove(t);
            false
        } else {
            valid
        }
    } else {
        false
    };
    if !ok {
        o.unauthorized += 1;
        return (
            okta_error(
                StatusCode::UNAUTHORIZED,
                "E0000011",
                "Invalid token provided",
            ),
            None,
        );
    }
    if params.get("filter").is_some_and(|f| f == "bad filter") {
        return (
            okta_error(
                StatusCode::BAD_REQUEST,
                "E0000053",
                "Invalid parameter: filter",
            ),
            None,
        );
    }
    let limit: usize = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100);
    let after: usize = params
        .get("after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let bounded = params.contains_key("until");
    let fault = o.faults.pop_front().flatten();
    if fault.is_some() {
        o.faults_served += 1;
    }
    let end = (after + limit).min(o.events.len());
    let mut items: Vec<String> = o.events[after.min(end)..end].to_vec();
    if fault == Some(Fault::RepeatPrevious) && after > 0 {
        items.insert(0, o.events[after - 1].clone());
    }
    let body = format!("[{}]", items.join(","));
    let mut next = format!(
        "{}/api/v1/logs?sortOrder=ASCENDING&limit={limit}&after={end}",
        o.base
    );
    if bounded {
        next.push_str("&until=x");
    }
    if o.foreign_next {
        next = format!("https://evil.example.com/api/v1/logs?after={end}");
    }
    let mut link = vec![format!("<{}{}>; rel=\"self\"", o.base, uri)];
    if !(bounded && end >= o.events.len()) {
        link.push(format!("<{next}>; rel=\"next\""));
    }
    o.page_requests += 1;
    drop(o);

    let build = |status: StatusCode, body: Body| {
        let mut r = Response::builder()
            .status(status)
            .header("content-type", "application/json");
        for l in &link {
            r = r.header("link", l);
        }
        for (k, v) in &rl_headers {
            r = r.header(*k, v);
        }
        r.body(body).unwrap()
    };
    match fault {
        None | Some(Fault::RepeatPrevious) => (build(StatusCode::OK, Body::from(body)), None),
        Some(Fault::ServerError) => (
            okta_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "E0000009",
                "Internal Server Error",
            ),
            None,
        ),
        Some(Fault::TooManyRequests { with_reset }) => {
            org.lock().unwrap().too_many += 1;
            let mut r = okta_error(
                StatusCode::TOO_MANY_REQUESTS,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            );
            if with_reset {
                let h = r.headers_mut();
                h.insert("x-rate-limit-limit", HeaderValue::from_static("100"));
                h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
                h.insert(
                    "x-rate-limit-reset",
                    HeaderValue::from_str(&epoch_now().to_string()).unwrap(),
                );
                h.insert(
                    "date",
                    HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now())).unwrap(),
                );
            }
            (r, None)
        }
        Some(Fault::Truncated) => {
            let cut = body.len() / 2;
            (
                build(StatusCode::OK, Body::from(body[..cut].to_string())),
                None,
            )
        }
        Some(Fault::Malformed) => (
            build(StatusCode::OK, Body::from("{\"not\":\"an array\"}")),
            None,
        ),
        Some(Fault::DropConnection) => {
            let cut = body.len() / 3;
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from(body[..cut].to_string())),
                Err(std::io::Error::other("connection dropped by the fake org")),
            ];
            (
                build(
                    StatusCode::OK,
                    Body::from_stream(futures::stream::iter(chunks)),
                ),
                None,
            )
        }
        Some(Fault::Slow(d)) => (build(StatusCode::OK, Body::from(body)), Some(d)),
    }
}

#[derive(serde::Deserialize, Debug)]
struct Claims {
    iss: String,
    sub: String,
    aud: String,
    iat: u64,
    exp: u64,
    jti: String,
}

async fn token(State(org): State<Shared>, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut o = org.lock().unwrap();
    o.token_requests += 1;
    let refuse = |o: &mut Org, why: &str| {
        o.bad_assertions += 1;
        (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            format!(r#"{{"error":"invalid_client","error_description":"{why}"}}"#),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials")
        || form.get("scope").map(String::as_str) != Some("okta.logs.read")
        || form.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return refuse(&mut o, "bad form");
    }
    let Some(assertion) = form.get("client_assertion") else {
        return refuse(&mut o, "no assertion");
    };
    let Some((alg, pem)) = o.public_key_pem.clone() else {
        return refuse(&mut o, "no key registered");
    };
    let key = match alg {
        jsonwebtoken::Algorithm::RS256 => jsonwebtoken::DecodingKey::from_rsa_pem(&pem).unwrap(),
        _ => jsonwebtoken::DecodingKey::from_ec_pem(&pem).unwrap(),
    };
    let aud = format!("{}/oauth2/v1/token", o.base);
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_audience(&[aud.as_str()]);
    v.set_issuer(&[o.client_id.as_str()]);
    v.sub = Some(o.client_id.clone());
    v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let claims = match jsonwebtoken::decode::<Claims>(assertion, &key, &v) {
        Ok(d) => d.claims,
        Err(e) => return refuse(&mut o, &format!("assertion rejected: {e}")),
    };
    if claims.exp <= claims.iat || claims.exp - claims.iat > 3600 || claims.jti.is_empty() {
        return refuse(&mut o, "bad lifetime or jti");
    }
    if !o.jtis.insert(claims.jti.clone()) {
        return refuse(&mut o, "replayed jti");
    }
    let _ = (&claims.iss, &claims.sub, &claims.aud);
    let access = format!("at-{}", o.token_requests);
    o.tokens.insert(access.clone(), Instant::now());
    let lifetime = o.token_lifetime;
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        format!(r#"{{"token_type":"Bearer","expires_in":{lifetime},"access_token":"{access}","scope":"okta.logs.read"}}"#),
    )
        .into_response()
}
