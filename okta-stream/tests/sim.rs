//! End-to-end tests of the simulated org over real loopback HTTP (reqwest client).
#![cfg(all(feature = "sim", feature = "okta"))]

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use okta_stream::sim::{
    Fault, FaultConfig, Generator, OAuthClient, RateLimit, Scenario, SimConfig, SimHandle,
    SimServer,
};
use serde_json::{json, Value};

const TOKEN: &str = "test-token-123";
const RSA_PRIVATE: &[u8] = include_bytes!("fixtures/keys/sim/test-rsa-private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("fixtures/keys/sim/test-rsa-public.pem");
const EC_PRIVATE: &[u8] = include_bytes!("fixtures/keys/sim/test-ec-private.pem");
const EC_PUBLIC: &[u8] = include_bytes!("fixtures/keys/sim/test-ec-public.pem");
const OTHER_RSA_PRIVATE: &[u8] = include_bytes!("fixtures/keys/sim/test-rsa-other-private.pem");

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Reply {
    fn link(&self, rel: &str) -> Option<String> {
        let want = format!("rel=\"{rel}\"");
        self.headers
            .get_all("link")
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(','))
            .find(|l| l.contains(&want))
            .map(|l| {
                l.trim()
                    .split(';')
                    .next()
                    .unwrap()
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
    fn events(&self) -> &Vec<Value> {
        self.body.as_array().expect("array body")
    }
}

async fn get(c: &reqwest::Client, url: &str, auth: &str) -> Reply {
    let r = c
        .get(url)
        .header("Authorization", auth)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.json().await.unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

async fn start(config: SimConfig) -> SimHandle {
    SimServer::start(config).await.unwrap()
}

fn uuids_in_storage_order(sim: &SimHandle) -> Vec<String> {
    sim.events()
        .iter()
        .map(|e| {
            serde_json::from_slice::<Value>(&e.bytes()).unwrap()["uuid"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn polling_a_5000_event_backlog_returns_every_event_once_in_storage_order() {
    let sim = start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(5_000)
            .late_events(0.05, Duration::from_secs(60)),
    )
    .await;
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    let mut url = format!("{}/api/v1/logs?limit=1000", sim.url());
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(&c, &url, &auth).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(r.link("self").as_deref(), Some(url.as_str()));
        assert!(
            r.headers.get_all("link").iter().count() >= 2,
            "self and next are separate header lines"
        );
        let next = r
            .link("next")
            .expect("polling responses always have a next link");
        assert!(!next.contains("since="));
        pages += 1;
        if r.events().is_empty() {
            // The empty page still points somewhere to poll again, and polling it again is empty too.
            let again = get(&c, &next, &auth).await;
            assert!(again.events().is_empty());
            assert!(again.link("next").is_some());
            break;
        }
        seen.extend(
            r.events()
                .iter()
                .map(|e| e["uuid"].as_str().unwrap().to_string()),
        );
        url = next;
        assert!(pages < 100, "runaway paging");
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(seen, uuids_in_storage_order(&sim));
    assert_eq!(seen.len(), 5_000);
    let stats = sim.stats();
    assert_eq!(stats.events_served, 5_000);
    assert_eq!(stats.rate_limited, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn bounded_requests_are_ordered_by_published_and_end() {
    let sim = start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(1_200)
            .late_events(0.1, Duration::from_secs(30)),
    )
    .await;
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    let since =
        okta_stream::sim::format_published(okta_stream::sim::generate::now_ms() - 90 * 86_400_000);
    let until = okta_stream::sim::format_published(okta_stream::sim::generate::now_ms() + 1_000);
    for (order, ascending) in [("ASCENDING", true), ("DESCENDING", false)] {
        let mut url = format!(
            "{}/api/v1/logs?since={since}&until={until}&limit=500&sortOrder={order}",
            sim.url()
        );
        let mut published = Vec::new();
        let mut pages = 0;
        loop {
            let r = get(&c, &url, &auth).await;
            assert_eq!(r.status, 200);
            pages += 1;
            published.extend(
                r.events()
                    .iter()
                    .map(|e| e["published"].as_str().unwrap().to_string()),
            );
            match r.link("next") {
                Some(next) => {
                    assert!(next.contains("since="), "bounded next links keep the range");
                    url = next;
                }
                None => break,
            }
            assert!(pages < 10);
        }
        assert_eq!(pages, 3);
        assert_eq!(published.len(), 1_200);
        let mut sorted = published.clone();
        sorted.sort();
        if !ascending {
            sorted.reverse();
        }
        assert!(published == sorted, "{order}: not ordered by published");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn late_stored_events_arrive_after_earlier_polled_ones() {
    let sim = start(SimConfig::new().api_token(TOKEN).backlog(300).seed(7)).await;
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    let mut url = format!("{}/api/v1/logs?limit=1000", sim.url());
    let first = get(&c, &url, &auth).await;
    assert_eq!(first.events().len(), 300);
    let newest = first
        .events()
        .iter()
        .map(|e| e["published"].as_str().unwrap().to_string())
        .max()
        .unwrap();
    url = first.link("next").unwrap();
    // A late event: stored now, published an hour before everything already polled.
    let mut g = Generator::new(99);
    let mut late = g.next_event();
    late["uuid"] = json!("late-event-0001");
    sim.append_late(late, okta_stream::sim::generate::now_ms() - 3_600_000);
    sim.generate(5);
    let second = get(&c, &url, &auth).await;
    assert_eq!(second.events().len(), 6);
    let late = &second.events()[0];
    assert_eq!(late["uuid"], "late-event-0001");
    assert!(late["published"].as_str().unwrap() < newest.as_str());
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_get_okta_error_objects() {
    let sim = start(SimConfig::new().api_token(TOKEN).backlog(10)).await;
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    let base = format!("{}/api/v1/logs", sim.url());
    let first = get(&c, &base, &auth).await;
    let next = first.link("next").unwrap();
    let long_q = "q".repeat(41);
    let cases = [
        ("since=last-tuesday".to_string(), "E0000001"),
        (
            "until=2024-02-30T00:00:00Z&since=2024-02-01T00:00:00Z".to_string(),
            "E0000001",
        ),
        ("sortOrder=SIDEWAYS".to_string(), "E0000001"),
        ("limit=-5".to_string(), "E0000001"),
        (format!("q={long_q}"), "E0000001"),
        (
            "filter=eventType%20eqq%20%22user.session.start%22".to_string(),
            "E0000053",
        ),
        ("filter=bogus_field%20eq%20%22x%22".to_string(), "E0000053"),
        (
            "filter=debugContext.debugData.url%20co%20%22x%22".to_string(),
            "E0000031",
        ),
        ("after=not-a-cursor".to_string(), "E0000054"),
        (
            format!(
                "{}&since=2026-01-01T00:00:00Z",
                next.split_once('?').unwrap().1
            ),
            "E0000001",
        ),
    ];
    for (query, code) in cases {
        let r = get(&c, &format!("{base}?{query}"), &auth).await;
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(r.body["errorCode"], code, "{query}: {}", r.body);
        assert!(r.body["errorSummary"].as_str().unwrap().len() > 10);
        assert_eq!(r.body["errorLink"], code);
        assert!(r.body["errorId"].as_str().is_some());
        assert!(r.body["errorCauses"].is_array());
        assert!(r.header("x-rate-limit-remaining").is_some());
        assert!(r.link("self").is_some());
    }
    let r = get(&c, &format!("{base}?since=nope"), &auth).await;
    assert!(r.body["errorSummary"]
        .as_str()
        .unwrap()
        .contains("'since': The date format in your query is not recognized"));
    // A limit above 1000 is clamped, not rejected.
    assert_eq!(
        get(&c, &format!("{base}?limit=5000"), &auth).await.status,
        200
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn filter_and_q_select_events() {
    let sim = start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(800)
            .backlog_scenarios(true),
    )
    .await;
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    let base = format!("{}/api/v1/logs?limit=1000", sim.url());
    let filter = "eventType eq \"user.session.start\" and outcome.result eq \"FAILURE\"";
    let url = reqwest::Url::parse_with_params(&base, &[("filter", filter)]).unwrap();
    let r = get(&c, url.as_str(), &auth).await;
    assert!(!r.events().is_empty());
    for e in r.events() {
        assert_eq!(e["eventType"], "user.session.start");
        assert_eq!(e["outcome"]["result"], "FAILURE");
    }
    // The next link carries the filter along.
    assert!(r.link("next").unwrap().contains("filter="));
    let url = reqwest::Url::parse_with_params(&base, &[("q", "API token")]).unwrap();
    let r = get(&c, url.as_str(), &auth).await;
    assert!(r
        .events()
        .iter()
        .any(|e| e["eventType"] == "system.api_token.create"));
    assert!(r
        .events()
        .iter()
        .all(|e| e.to_string().to_lowercase().contains("token")));
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_answers_429_after_n_requests_with_headers() {
    let sim = start(
        SimConfig::new()
            .api_token(TOKEN)
            .rate_limit(RateLimit::new(3, 3_600)),
    )
    .await;
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    let url = format!("{}/api/v1/logs", sim.url());
    let mut replies = Vec::new();
    for _ in 0..4 {
        replies.push(get(&c, &url, &auth).await);
    }
    let resets: HashSet<_> = replies
        .iter()
        .map(|r| r.header("x-rate-limit-reset").unwrap())
        .collect();
    if resets.len() == 1 {
        // All four fell in one window (a window boundary in between would reset the count).
        for (i, r) in replies.iter().enumerate() {
            assert_eq!(r.header("x-rate-limit-limit").as_deref(), Some("3"));
            assert_eq!(
                r.header("x-rate-limit-remaining").unwrap(),
                (2 - i.min(2)).to_string()
            );
            assert!(r.header("date").is_some());
            let reset: i64 = r.header("x-rate-limit-reset").unwrap().parse().unwrap();
            assert!(reset > now_s() - 5 && reset <= now_s() + 3_600);
        }
        assert_eq!(
            replies[..3].iter().map(|r| r.status).collect::<Vec<_>>(),
            vec![200, 200, 200]
        );
        assert_eq!(replies[3].status, 429);
        assert_eq!(replies[3].body["errorCode"], "E0000047");
        assert_eq!(sim.stats().rate_limited, 1);
        assert_eq!(
            sim.stats()
                .requests_per_window
                .iter()
                .map(|w| w.1)
                .sum::<u32>(),
            4
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn ssws_rejects_bad_tokens() {
    let sim = start(SimConfig::new().api_token(TOKEN)).await;
    let c = client();
    let url = format!("{}/api/v1/logs", sim.url());
    for auth in [
        "SSWS wrong",
        "SSWS ",
        "Basic abc",
        &format!("Bearer {TOKEN}"),
    ] {
        let r = get(&c, &url, auth).await;
        assert_eq!(r.status, 401, "{auth}");
        assert_eq!(r.body["errorCode"], "E0000011");
        assert!(!r.body.to_string().contains(TOKEN));
    }
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(get(&c, &url, &format!("SSWS {TOKEN}")).await.status, 200);
    assert_eq!(sim.stats().auth_failures, 5);
    sim.shutdown().await;
}

fn assertion(key: &[u8], alg: Algorithm, iss: &str, aud: &str, exp_in: i64, jti: &str) -> String {
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(key).unwrap(),
        _ => EncodingKey::from_rsa_pem(key).unwrap(),
    };
    let now = now_s();
    let claims =
        json!({"iss": iss, "sub": iss, "aud": aud, "iat": now, "exp": now + exp_in, "jti": jti});
    jsonwebtoken::encode(&Header::new(alg), &claims, &key).unwrap()
}

async fn request_token(
    c: &reqwest::Client,
    sim: &SimHandle,
    jwt: &str,
    scope: &str,
) -> (u16, Value) {
    let r = c
        .post(sim.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", scope),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", jwt),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn oauth_client_credentials_with_rs256_and_es256_assertions() {
    let sim = start(
        SimConfig::new()
            .oauth_client(OAuthClient::from_public_key_pem("0oaRSA", RSA_PUBLIC).unwrap())
            .oauth_client(
                OAuthClient::from_public_key_pem("0oaEC", EC_PUBLIC)
                    .unwrap()
                    .with_scopes(["okta.logs.read", "okta.users.read"]),
            )
            .token_lifetime(Duration::from_secs(1))
            .backlog(5),
    )
    .await;
    let c = client();
    let aud = sim.token_url();
    let logs = format!("{}/api/v1/logs", sim.url());

    let (status, body) = request_token(
        &c,
        &sim,
        &assertion(RSA_PRIVATE, Algorithm::RS256, "0oaRSA", &aud, 300, "j1"),
        "okta.logs.read",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 1);
    assert_eq!(body["scope"], "okta.logs.read");
    let rsa_token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        get(&c, &logs, &format!("Bearer {rsa_token}")).await.status,
        200
    );

    let (status, body) = request_token(
        &c,
        &sim,
        &assertion(EC_PRIVATE, Algorithm::ES256, "0oaEC", &aud, 300, "j2"),
        "okta.logs.read",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        get(
            &c,
            &logs,
            &format!("Bearer {}", body["access_token"].as_str().unwrap())
        )
        .await
        .status,
        200
    );

    // Rejections: bad signature, wrong audience, expired, too far in the future, reused jti.
    let rejected = [
        assertion(
            OTHER_RSA_PRIVATE,
            Algorithm::RS256,
            "0oaRSA",
            &aud,
            300,
            "j3",
        ),
        assertion(
            RSA_PRIVATE,
            Algorithm::RS256,
            "0oaRSA",
            "https://evil.example/oauth2/v1/token",
            300,
            "j4",
        ),
        assertion(RSA_PRIVATE, Algorithm::RS256, "0oaRSA", &aud, -600, "j5"),
        assertion(RSA_PRIVATE, Algorithm::RS256, "0oaRSA", &aud, 86_400, "j6"),
        assertion(RSA_PRIVATE, Algorithm::RS256, "0oaRSA", &aud, 300, "j1"),
        assertion(RSA_PRIVATE, Algorithm::RS256, "0oaUnknown", &aud, 300, "j7"),
    ];
    for jwt in &rejected {
        let (status, body) = request_token(&c, &sim, jwt, "okta.logs.read").await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "invalid_client");
    }
    // Scopes: one the client was not granted, and a token without okta.logs.read.
    let (status, body) = request_token(
        &c,
        &sim,
        &assertion(RSA_PRIVATE, Algorithm::RS256, "0oaRSA", &aud, 300, "j8"),
        "okta.users.manage",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let (status, body) = request_token(
        &c,
        &sim,
        &assertion(EC_PRIVATE, Algorithm::ES256, "0oaEC", &aud, 300, "j9"),
        "okta.users.read",
    )
    .await;
    assert_eq!(status, 200);
    let r = get(
        &c,
        &logs,
        &format!("Bearer {}", body["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        (r.status, r.body["errorCode"].as_str()),
        (403, Some("E0000006"))
    );

    let stats = sim.stats();
    assert_eq!(stats.tokens_issued, 3);
    assert_eq!(stats.assertions_verified, 4);
    assert_eq!(stats.assertions_rejected, rejected.len() as u64);

    // The access token expires (lifetime 1 s): afterwards it is refused.
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let r = get(&c, &logs, &format!("Bearer {rsa_token}")).await;
    assert_eq!(
        (r.status, r.body["errorCode"].as_str()),
        (401, Some("E0000011"))
    );
    assert!(r.header("www-authenticate").is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn every_fault_kind_is_observed_by_a_client() {
    let sim = start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(400)
            .scripted_fault(Fault::ServerError)
            .scripted_fault(Fault::Drop)
            .scripted_fault(Fault::Truncate)
            .scripted_fault(Fault::Slow(Duration::from_millis(200))),
    )
    .await;
    let c = client();
    let url = format!("{}/api/v1/logs?limit=1000", sim.url());
    let send = || {
        c.get(&url)
            .header("Authorization", format!("SSWS {TOKEN}"))
            .send()
    };

    let r = send().await.unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(r.headers().get("x-rate-limit-limit").is_some());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000009");

    assert!(
        send().await.is_err(),
        "dropped connection gives the client an error, not a response"
    );

    let r = send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let declared: usize = r.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    match r.bytes().await {
        Err(_) => {}
        Ok(b) => {
            assert!(b.len() < declared);
            assert!(serde_json::from_slice::<Value>(&b).is_err());
        }
    }

    let r = send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body.as_array().unwrap().len(), 400);

    let stats = sim.stats();
    assert_eq!(
        (
            stats.faults_5xx,
            stats.faults_dropped,
            stats.faults_truncated,
            stats.faults_slow
        ),
        (1, 1, 1, 1)
    );
    sim.shutdown().await;

    // Random faults too: with probability 1 every request is a 5xx.
    let sim = start(SimConfig::new().api_token(TOKEN).faults(FaultConfig {
        server_error: 1.0,
        ..FaultConfig::default()
    }))
    .await;
    let r = get(
        &c,
        &format!("{}/api/v1/logs", sim.url()),
        &format!("SSWS {TOKEN}"),
    )
    .await;
    assert_eq!(r.status, 500);
    sim.shutdown().await;
}

#[tokio::test]
async fn live_events_and_scenarios_are_appended_over_time() {
    let sim = start(SimConfig::new().api_token(TOKEN).live_rate(200.0)).await;
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    sim.play(Scenario::ApiTokenCreation);
    let mut url = format!("{}/api/v1/logs?limit=1000", sim.url());
    let mut types = HashSet::new();
    let mut count = 0;
    for _ in 0..100 {
        let r = get(&c, &url, &auth).await;
        count += r.events().len();
        types.extend(
            r.events()
                .iter()
                .map(|e| e["eventType"].as_str().unwrap().to_string()),
        );
        url = r.link("next").unwrap();
        if count > 50 && types.contains("system.api_token.create") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(count > 50, "live events arrive");
    assert!(
        types.contains("system.api_token.create"),
        "the played scenario arrives"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_get_404() {
    let sim = start(SimConfig::new().api_token(TOKEN)).await;
    let r = client()
        .get(format!("{}/api/v1/users", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    sim.shutdown().await;
}

/// Measures a 200,000-event backlog: start-up time and time to drain it with limit=1000 pages.
/// Run with `cargo test --release -p okta-stream --test sim -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "measurement; run explicitly (best in release)"]
async fn large_backlog_is_served_fast() {
    let t0 = std::time::Instant::now();
    let sim = start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(200_000)
            .rate_limit(RateLimit::new(1_000_000, 60)),
    )
    .await;
    let startup = t0.elapsed();
    let c = client();
    let auth = format!("SSWS {TOKEN}");
    let mut url = format!("{}/api/v1/logs?limit=1000", sim.url());
    let t1 = std::time::Instant::now();
    let mut total = 0;
    let mut pages = 0;
    loop {
        let r = c
            .get(&url)
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap();
        let next = r
            .headers()
            .get_all("link")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|l| l.contains("rel=\"next\""))
            .unwrap();
        let body = r.bytes().await.unwrap();
        pages += 1;
        let n = serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(&body)
            .unwrap()
            .len();
        if n == 0 {
            break;
        }
        total += n;
        url = next
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .to_string();
    }
    let drain = t1.elapsed();
    assert_eq!(total, 200_000);
    eprintln!(
        "200k backlog: start-up {startup:?}, drained {pages} pages in {drain:?} ({:.1} ms/page)",
        drain.as_secs_f64() * 1000.0 / pages as f64
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn configured_late_fraction_stores_events_with_older_published_times() {
    let sim = start(
        SimConfig::new()
            .api_token(TOKEN)
            .late_events(1.0, Duration::from_secs(60)),
    )
    .await;
    sim.generate(50);
    let events = sim.events();
    assert_eq!(events.len(), 50);
    for e in &events {
        assert!(
            e.published_ms <= e.persisted_ms - 1_000,
            "every event is late"
        );
        let v: Value = serde_json::from_slice(&e.bytes()).unwrap();
        assert_eq!(
            v["published"],
            okta_stream::sim::format_published(e.published_ms)
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn timeline_scenarios_are_stored_when_due() {
    let sim = start(SimConfig::new().api_token(TOKEN).timeline(vec![
        (Duration::from_millis(50), Scenario::AdminPrivilegeGrant),
        (Duration::from_millis(100), Scenario::MfaFactorReset),
    ]))
    .await;
    tokio::time::timeout(Duration::from_secs(60), sim.scenarios_done())
        .await
        .expect("the timeline finishes");
    assert_eq!(sim.pending_scenarios(), 0);
    let types: HashSet<String> = sim
        .events()
        .iter()
        .map(|e| {
            serde_json::from_slice::<Value>(&e.bytes()).unwrap()["eventType"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for t in [
        "user.account.privilege.grant",
        "user.mfa.factor.reset_all",
        "user.mfa.factor.deactivate",
    ] {
        assert!(types.contains(t), "{t}");
    }
    sim.play(Scenario::RateLimitViolation);
    tokio::time::timeout(Duration::from_secs(60), sim.scenarios_done())
        .await
        .expect("played scenario finishes");
    assert!(sim
        .events()
        .iter()
        .any(
            |e| serde_json::from_slice::<Value>(&e.bytes()).unwrap()["eventType"]
                == "system.org.rate_limit.violation"
        ));
    sim.shutdown().await;
}
