//! End-to-end tests of the Okta source over loopback HTTP against a small fake org.

mod fake_okta;

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use fake_okta::Fault;
use futures::StreamExt;
use okta_stream::source::okta::{
    BackoffPolicy, Credentials, OAuthCredentials, OktaSource, OktaSourceBuilder, SigningKey,
    SourceError, StopSignal, TimeSpec,
};

const TOKEN: &str = "test-token-abc123";

fn fast(base: &str) -> OktaSourceBuilder {
    OktaSource::builder()
        .org_url(base)
        .api_token(TOKEN)
        .poll_interval(Duration::from_millis(5))
        .requests_per_minute(0)
        .reset_margin(Duration::ZERO)
        .backoff(BackoffPolicy {
            base: Duration::from_millis(2),
            cap: Duration::from_millis(20),
        })
        .timeout(Duration::from_secs(5))
}

/// Reads pages (committing each) until `want` events arrived; returns the uuids in order.
async fn drain(source: OktaSource, want: usize) -> (Vec<String>, usize) {
    let mut pages = source.into_pages();
    let mut uuids = Vec::new();
    let mut dups = 0;
    while uuids.len() < want {
        let page = tokio::time::timeout(Duration::from_secs(30), pages.next())
            .await
            .expect("source stalled")
            .expect("stream ended early")
            .expect("fatal error");
        dups += page.duplicates;
        uuids.extend(page.events.iter().map(|e| e.uuid().unwrap().into_owned()));
        page.ack.commit().await.unwrap();
    }
    (uuids, dups)
}

fn expected(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("uuid-{i:06}")).collect()
}

#[tokio::test]
async fn backlog_arrives_complete_once_and_in_order() {
    let (org, base) = fake_okta::start(3500).await;
    let source = fast(&base)
        .since(TimeSpec::parse("2h").unwrap())
        .build()
        .unwrap();
    let stats = source.stats();
    let (uuids, dups) = drain(source, 3500).await;
    assert_eq!(uuids, expected(3500));
    assert_eq!(dups, 0);
    let o = org.lock().unwrap();
    // The first request is built from the settings; every later one is a next link.
    let first = &o.urls[0];
    assert!(first.starts_with("/api/v1/logs?since="), "{first}");
    assert!(
        first.contains("sortOrder=ASCENDING") && first.contains("limit=1000"),
        "{first}"
    );
    assert!(!first.contains("until"), "{first}");
    assert!(o.urls[1..].iter().all(|u| u.contains("after=")));
    assert_eq!(
        o.urls.len(),
        4,
        "three full pages followed at once, then the short one"
    );
    assert!(
        o.user_agents
            .iter()
            .all(|ua| ua.starts_with("okta-stream/")),
        "{:?}",
        o.user_agents
    );
    assert_eq!(stats.events.load(Ordering::Relaxed), 3500);
}

#[tokio::test]
async fn every_fault_kind_is_retried_without_loss_or_duplicates() {
    let (org, base) = fake_okta::start(2000).await;
    {
        let mut o = org.lock().unwrap();
        let kinds = [
            Fault::ServerError,
            Fault::Truncated,
            Fault::DropConnection,
            Fault::Malformed,
            Fault::TooManyRequests { with_reset: true },
            Fault::TooManyRequests { with_reset: false },
            // Far beyond the timeout, which is far beyond a healthy response, so that only
            // this request times out even on a loaded machine.
            Fault::Slow(Duration::from_secs(60)),
            Fault::RepeatPrevious,
        ];
        // Alternate healthy and faulty requests, then two faults in a row.
        for k in kinds {
            o.faults.push_back(None);
            o.faults.push_back(Some(k));
        }
        o.faults.push_back(Some(Fault::ServerError));
        o.faults.push_back(Some(Fault::DropConnection));
    }
    let source = fast(&base)
        .limit(100)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let stats = source.stats();
    let (uuids, dups) = drain(source, 2000).await;
    assert_eq!(uuids, expected(2000));
    assert_eq!(dups, 1, "the repeated event is dropped and counted");
    let o = org.lock().unwrap();
    assert_eq!(o.faults_served, 10);
    // Every fault but the repeated event cost one retry (429s are waits, not retries).
    assert_eq!(stats.retries.load(Ordering::Relaxed), 7);
    assert_eq!(stats.rate_limited.load(Ordering::Relaxed), 2);
    assert_eq!(stats.duplicates.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn reserve_pacing_avoids_429s() {
    let (org, base) = fake_okta::start(800).await;
    org.lock().unwrap().window_limit = Some(4);
    let source = fast(&base)
        .limit(100)
        .rate_limit_reserve(1)
        .build()
        .unwrap();
    let stats = source.stats();
    let (uuids, _) = drain(source, 800).await;
    assert_eq!(uuids, expected(800));
    let o = org.lock().unwrap();
    assert_eq!(o.too_many, 0, "no 429 may be received");
    assert!(stats.reserve_waits.load(Ordering::Relaxed) >= 2);
}

#[tokio::test]
async fn control_the_fake_org_does_refuse_a_client_that_ignores_the_headers() {
    // Proves the pacing test above can fail: the same window limit, no pacing, gets 429s.
    let (org, base) = fake_okta::start(100).await;
    org.lock().unwrap().window_limit = Some(3);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for _ in 0..10 {
        client
            .get(format!("{base}/api/v1/logs?limit=10"))
            .header("authorization", format!("SSWS {TOKEN}"))
            .send()
            .await
            .unwrap();
    }
    assert!(org.lock().unwrap().too_many >= 1);
}

#[tokio::test]
async fn unauthorized_is_a_clear_fatal_error() {
    let (org, base) = fake_okta::start(10).await;
    let source = fast(&base).api_token("wrong-token-xyz").build().unwrap();
    let mut pages = source.into_pages();
    let err = pages.next().await.unwrap().unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, SourceError::Unauthorized { status: 401, .. }),
        "{text}"
    );
    assert!(text.contains("E0000011"), "{text}");
    assert!(
        text.contains("API token") && text.contains("revoked"),
        "{text}"
    );
    assert!(
        !text.contains("wrong-token-xyz"),
        "the token must not appear: {text}"
    );
    assert!(
        pages.next().await.is_none(),
        "the stream ends after a fatal error"
    );
    assert_eq!(
        org.lock().unwrap().unauthorized,
        1,
        "401 is not retried for SSWS"
    );
}

#[tokio::test]
async fn bad_request_is_fatal_with_okta_error_code() {
    let (_org, base) = fake_okta::start(10).await;
    let source = fast(&base).filter("bad filter").build().unwrap();
    let err = source.into_pages().next().await.unwrap().unwrap_err();
    assert!(
        matches!(&err, SourceError::BadRequest(e) if e.code == "E0000053"),
        "{err}"
    );
    assert!(err.to_string().contains("Invalid parameter: filter"));
}

#[tokio::test]
async fn filter_and_q_are_passed_through_encoded() {
    let (org, base) = fake_okta::start(5).await;
    let source = fast(&base)
        .filter("eventType eq \"user.session.start\"")
        .q("jane doe")
        .build()
        .unwrap();
    drain(source, 5).await;
    let first = org.lock().unwrap().urls[0].clone();
    assert!(
        first.contains("filter=eventType+eq+%22user.session.start%22"),
        "{first}"
    );
    assert!(first.contains("q=jane+doe"), "{first}");
}

#[tokio::test]
async fn bounded_request_ends_when_no_next_link() {
    let (org, base) = fake_okta::start(250).await;
    let source = fast(&base)
        .limit(100)
        .since(TimeSpec::parse("2024-05-01T00:00:00Z").unwrap())
        .until(TimeSpec::parse("2024-05-02T00:00:00Z").unwrap())
        .build()
        .unwrap();
    let pages: Vec<_> = source.into_pages().collect().await;
    let mut uuids = Vec::new();
    for p in pages {
        let p = p.unwrap();
        uuids.extend(p.events.iter().map(|e| e.uuid().unwrap().into_owned()));
        p.ack.commit().await.unwrap();
    }
    assert_eq!(uuids, expected(250));
    assert!(org.lock().unwrap().urls[0].contains("until=2024-05-02T00%3A00%3A00.000Z"));
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let (org, base) = fake_okta::start(10).await;
    org.lock().unwrap().foreign_next = true;
    let err = fast(&base)
        .build()
        .unwrap()
        .into_pages()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, SourceError::ForeignNextLink { .. }), "{err}");
}

#[tokio::test]
async fn crash_and_resume_redelivers_only_the_unacknowledged_page() {
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");
    let (org, base) = fake_okta::start(1000).await;
    let mut seen = Vec::new();
    {
        let mut pages = fast(&base)
            .limit(100)
            .checkpoint(&cp)
            .build()
            .unwrap()
            .into_pages();
        for i in 0..3 {
            let page = pages.next().await.unwrap().unwrap();
            seen.extend(page.events.iter().map(|e| e.uuid().unwrap().into_owned()));
            if i < 2 {
                page.ack.commit().await.unwrap();
            }
            // Page 3 is delivered but never acknowledged: a crash before the sink flushed.
        }
    }
    assert_eq!(seen.len(), 300);
    // Restart on the same checkpoint: `since` is ignored, page 3 comes again.
    let source = fast(&base)
        .limit(100)
        .checkpoint(&cp)
        .since(TimeSpec::parse("1s").unwrap())
        .build()
        .unwrap();
    assert!(
        source.first_url().contains("after=200"),
        "{}",
        source.first_url()
    );
    let (rest, dups) = drain(source, 800).await;
    assert_eq!(dups, 0);
    assert_eq!(
        &rest[..100],
        &seen[200..300],
        "only the unacknowledged page is repeated"
    );
    let mut all: Vec<String> = seen[..200].to_vec();
    all.extend(rest);
    assert_eq!(all, expected(1000));
    let _ = org;
}

#[tokio::test]
async fn dedup_window_survives_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");
    let (org, base) = fake_okta::start(300).await;
    let (first, _) = drain(fast(&base).limit(100).checkpoint(&cp).build().unwrap(), 100).await;
    assert_eq!(first, expected(100));
    // After the restart Okta repeats the last acknowledged event: the saved window drops it.
    org.lock()
        .unwrap()
        .faults
        .push_back(Some(Fault::RepeatPrevious));
    let source = fast(&base).limit(100).checkpoint(&cp).build().unwrap();
    let (rest, dups) = drain(source, 200).await;
    assert_eq!(dups, 1);
    assert_eq!(rest, expected(300)[100..].to_vec());
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&cp).unwrap()).unwrap();
    assert_eq!(saved["dedup"].as_array().unwrap().len(), 300);
}

#[tokio::test]
async fn clean_stop_ends_after_the_page_in_hand() {
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");
    let (_org, base) = fake_okta::start(500).await;
    let (handle, signal) = StopSignal::new();
    let mut pages = fast(&base)
        .limit(100)
        .checkpoint(&cp)
        .stop_signal(signal)
        .build()
        .unwrap()
        .into_pages();
    let page = pages.next().await.unwrap().unwrap();
    handle.stop();
    assert_eq!(page.events.len(), 100);
    page.ack.commit().await.unwrap();
    assert!(pages.next().await.is_none(), "the stream ends once stopped");
    // Restarting delivers the rest, with nothing repeated.
    let (rest, dups) = drain(fast(&base).limit(100).checkpoint(&cp).build().unwrap(), 400).await;
    assert_eq!(dups, 0);
    assert_eq!(rest, expected(500)[100..].to_vec());
}

#[tokio::test]
async fn checkpoint_of_another_org_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");
    let (_org, base) = fake_okta::start(100).await;
    drain(fast(&base).checkpoint(&cp).build().unwrap(), 100).await;
    let (_org2, base2) = fake_okta::start(100).await;
    let err = fast(&base2).checkpoint(&cp).build().unwrap_err();
    assert!(err.to_string().contains("belongs to org"), "{err}");
}

#[tokio::test]
async fn out_of_order_acknowledgement_is_an_error() {
    let (_org, base) = fake_okta::start(300).await;
    let mut pages = fast(&base).limit(100).build().unwrap().into_pages();
    let p1 = pages.next().await.unwrap().unwrap();
    let p2 = pages.next().await.unwrap().unwrap();
    assert!(p2.ack.commit().await.is_err());
    p1.ack.commit().await.unwrap();
}

fn key_path(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!(
        "{}/tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

async fn oauth_case(private: &str, public: &str, alg: jsonwebtoken::Algorithm) {
    let (org, base) = fake_okta::start(500).await;
    {
        let mut o = org.lock().unwrap();
        o.public_key_pem = Some((alg, std::fs::read(key_path(public)).unwrap()));
        // Tokens live 30 s, under the source's 60 s renewal margin: it must renew before each
        // use (renewal is due at once). (A lifetime of 1 s also failed the test whenever the
        // machine took a second between issuing a token and using it.)
        o.token_lifetime = 30;
    }
    let key = SigningKey::from_file(&key_path(private), Some("k1".into())).unwrap();
    let source = fast(&base)
        .credentials(Credentials::OAuth(OAuthCredentials::new(
            "0oaTESTCLIENT",
            key,
        )))
        .limit(100)
        .build()
        .unwrap();
    let stats = source.stats();
    let (uuids, _) = drain(source, 500).await;
    assert_eq!(uuids, expected(500));
    let o = org.lock().unwrap();
    assert_eq!(o.bad_assertions, 0);
    assert_eq!(o.unauthorized, 0, "an expired token is never used");
    assert!(o.token_requests >= 5, "renewed: {}", o.token_requests);
    assert_eq!(stats.tokens.load(Ordering::Relaxed), o.token_requests);
}

#[tokio::test]
async fn oauth_rs256_assertion_verified_and_token_renewed() {
    oauth_case(
        "test-rsa-pkcs8.pem",
        "test-rsa-public.pem",
        jsonwebtoken::Algorithm::RS256,
    )
    .await;
}

#[tokio::test]
async fn oauth_es256_jwk_assertion_verified_and_token_renewed() {
    oauth_case(
        "test-ec.jwk.json",
        "test-ec-public.pem",
        jsonwebtoken::Algorithm::ES256,
    )
    .await;
}

#[tokio::test]
async fn oauth_token_is_cached_and_refetched_once_after_a_401() {
    let (org, base) = fake_okta::start(300).await;
    org.lock().unwrap().public_key_pem = Some((
        jsonwebtoken::Algorithm::RS256,
        std::fs::read(key_path("test-rsa-public.pem")).unwrap(),
    ));
    let key = SigningKey::from_file(&key_path("test-rsa-pkcs1.pem"), None).unwrap();
    let creds = Credentials::OAuth(OAuthCredentials::new("0oaTESTCLIENT", key));
    let mut pages = fast(&base)
        .credentials(creds)
        .limit(100)
        .build()
        .unwrap()
        .into_pages();
    let p = pages.next().await.unwrap().unwrap();
    p.ack.commit().await.unwrap();
    assert_eq!(
        org.lock().unwrap().token_requests,
        1,
        "a 1-hour token is cached"
    );
    org.lock().unwrap().revoke_next = true;
    let p = pages.next().await.unwrap().unwrap();
    assert_eq!(p.events[0].uuid().unwrap(), "uuid-000100");
    let o = org.lock().unwrap();
    assert_eq!(o.unauthorized, 1);
    assert_eq!(o.token_requests, 2);
}

#[tokio::test]
async fn oauth_with_an_unregistered_key_fails_clearly() {
    let (org, base) = fake_okta::start(10).await;
    org.lock().unwrap().public_key_pem = Some((
        jsonwebtoken::Algorithm::RS256,
        std::fs::read(key_path("test-rsa-public.pem")).unwrap(),
    ));
    // Signed with the EC key, but the app has the RSA key registered.
    let key = SigningKey::from_file(&key_path("test-ec-pkcs8.pem"), None).unwrap();
    let creds = Credentials::OAuth(OAuthCredentials::new("0oaTESTCLIENT", key));
    let err = fast(&base)
        .credentials(creds)
        .build()
        .unwrap()
        .into_pages()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("invalid_client") && text.contains("okta.logs.read"),
        "{text}"
    );
}

#[tokio::test]
async fn several_orgs_merge_into_one_stream_with_their_names() {
    let (_a, base_a) = fake_okta::start(250).await;
    let (_b, base_b) = fake_okta::start(150).await;
    let sources = vec![
        fast(&base_a).limit(100).org_name("alpha").build().unwrap(),
        fast(&base_b).limit(100).org_name("beta").build().unwrap(),
    ];
    let mut merged = okta_stream::source::okta::merge_pages(sources);
    let mut per_org: std::collections::HashMap<String, Vec<String>> = Default::default();
    while per_org.values().map(Vec::len).sum::<usize>() < 400 {
        let page = merged.next().await.unwrap().unwrap();
        for e in &page.events {
            assert_eq!(e.org(), Some(page.org.as_ref()));
            per_org
                .entry(page.org.to_string())
                .or_default()
                .push(e.uuid().unwrap().into_owned());
        }
        page.ack.commit().await.unwrap();
    }
    assert_eq!(per_org["alpha"], expected(250));
    assert_eq!(per_org["beta"], expected(150));
}

#[test]
fn debug_output_never_shows_secrets() {
    let b = OktaSource::builder()
        .org_url("https://acme.okta.com")
        .api_token("00SuperSecretTokenValue")
        .proxy("http://user:proxypass@proxy.example.com:3128");
    let text = format!("{b:?}");
    assert!(!text.contains("SuperSecret"), "{text}");
    assert!(!text.contains("proxypass"), "{text}");
    let src = b.build().unwrap();
    let text = format!("{src:?}");
    assert!(!text.contains("SuperSecret"), "{text}");
    let set: HashSet<&str> = ["redacted"].into();
    assert!(set.iter().any(|s| text.contains(s)), "{text}");
}

#[tokio::test]
async fn a_backlog_of_50000_events_arrives_complete_and_once() {
    let (org, base) = fake_okta::start(50_000).await;
    let source = fast(&base).build().unwrap();
    let started = std::time::Instant::now();
    let (uuids, dups) = drain(source, 50_000).await;
    eprintln!("50,000 events in {:?}", started.elapsed());
    assert_eq!(dups, 0);
    assert_eq!(uuids, expected(50_000));
    // 50 full pages followed at once (the drain may stop before the next, empty poll).
    let requests = org.lock().unwrap().page_requests;
    assert!((50..=51).contains(&requests), "{requests}");
}

#[test]
fn since_must_precede_until() {
    let err = OktaSource::builder()
        .org_url("https://acme.okta.com")
        .api_token("t")
        .since(TimeSpec::parse("1h").unwrap())
        .until(TimeSpec::parse("2h").unwrap())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("earlier"), "{err}");
    let err = OktaSource::builder()
        .org_url("https://acme.okta.com")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("credentials"), "{err}");
    let err = OktaSource::builder()
        .org_url("http://acme.okta.com")
        .api_token("t")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("https"), "{err}");
    let err = OktaSource::builder()
        .org_url("https://acme.okta.com")
        .api_token("t")
        .limit(5000)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
}

#[tokio::test]
async fn the_event_adapter_commits_a_page_once_all_its_events_were_taken() {
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");
    let (_org, base) = fake_okta::start(300).await;
    let mut events = fast(&base)
        .limit(100)
        .checkpoint(&cp)
        .build()
        .unwrap()
        .into_events();
    let mut got = Vec::new();
    for _ in 0..150 {
        got.push(
            events
                .next()
                .await
                .unwrap()
                .unwrap()
                .uuid()
                .unwrap()
                .into_owned(),
        );
    }
    drop(events); // a crash in the middle of page 2
    assert_eq!(got, expected(150));
    let source = fast(&base).limit(100).checkpoint(&cp).build().unwrap();
    assert!(
        source.first_url().contains("after=100"),
        "{}",
        source.first_url()
    );
    let mut events = source.into_events();
    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.uuid().unwrap(), "uuid-000100");
    assert_eq!(first.org(), Some(base.trim_start_matches("http://")));
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    // The fake org doubles as the proxy: a proxied request arrives in absolute form.
    let (org, base) = fake_okta::start(50).await;
    let (uuids, _) = drain(fast(&base).proxy(&base).build().unwrap(), 50).await;
    assert_eq!(uuids, expected(50));
    let first = org.lock().unwrap().urls[0].clone();
    assert!(
        first.starts_with(&format!("{base}/api/v1/logs?")),
        "{first}"
    );
    // Without a proxy the request line is in origin form.
    let (org2, base2) = fake_okta::start(5).await;
    drain(fast(&base2).build().unwrap(), 5).await;
    assert!(org2.lock().unwrap().urls[0].starts_with("/api/v1/logs?"));
}

/// A measurement, not a check (run with `--ignored --nocapture`): catch-up speed under a window
/// limit of 10 requests per second with reserve 0, as a share of the most the limit allows.
#[tokio::test]
#[ignore]
async fn measure_catch_up_ratio_under_a_rate_limit() {
    const PER_WINDOW: u64 = 10;
    const PAGES: usize = 60;
    let (org, base) = fake_okta::start(PAGES * 100).await;
    org.lock().unwrap().window_limit = Some(PER_WINDOW);
    let source = fast(&base)
        .limit(100)
        .rate_limit_reserve(0)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let (uuids, _) = drain(source, PAGES * 100).await;
    let secs = started.elapsed().as_secs_f64();
    let ideal = (PAGES * 100) as f64 / (PER_WINDOW as f64 * 100.0);
    eprintln!(
        "{} events in {secs:.2} s; ideal {ideal:.2} s; ratio {:.1} %; 429s {}",
        uuids.len(),
        100.0 * ideal / secs,
        org.lock().unwrap().too_many
    );
}
