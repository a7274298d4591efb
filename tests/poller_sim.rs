//! End-to-end tests of the System Log poller (`okta_stream::source::okta`) against the simulated
//! org (`okta_stream::sim`) over real loopback HTTP.
//!
//! Each test starts a simulator, points an `OktaSource` at it and compares what the poller
//! delivered with what the simulator stored (uuids, in storage order), and the poller's and the
//! simulator's counters (requests per rate-limit window, 429s, injected faults, tokens issued,
//! assertions verified). Pacing is switched off (`requests_per_minute(0)`) where it is not under
//! test, reset margins are zero and backoff is in milliseconds, so the whole file runs in seconds.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::StreamExt;
use okta_stream::event::Event;
use okta_stream::sim::{
    Fault, FaultConfig, OAuthClient, RateLimit, SimConfig, SimHandle, SimServer,
};
use okta_stream::source::okta::{
    BackoffPolicy, Credentials, OAuthCredentials, OktaSource, OktaSourceBuilder, SigningKey,
    StopSignal, TimeSpec,
};

const TOKEN: &str = "e2e-test-token";
const RSA_PRIVATE: &str = include_str!("fixtures/keys/test-rsa-pkcs8.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("fixtures/keys/test-rsa-public.pem");
const EC_PRIVATE: &str = include_str!("fixtures/keys/test-ec-pkcs8.pem");
const EC_PUBLIC: &[u8] = include_bytes!("fixtures/keys/test-ec-public.pem");

/// The longest any single page may take before a test fails instead of hanging.
const PAGE_DEADLINE: Duration = Duration::from_secs(30);

/// A poller configured for tests: no local quota, no reset margin, millisecond backoff, a short
/// poll interval, and a start far enough back to include the whole backlog.
fn fast(sim: &SimHandle) -> OktaSourceBuilder {
    OktaSource::builder()
        .org_url(sim.url())
        .since(TimeSpec::parse("3d").unwrap())
        .requests_per_minute(0)
        .reset_margin(Duration::ZERO)
        .backoff(BackoffPolicy {
            base: Duration::from_millis(5),
            cap: Duration::from_millis(50),
        })
        .poll_interval(Duration::from_millis(50))
}

/// The stored events' uuids, in storage order.
fn stored_uuids(sim: &SimHandle) -> Vec<String> {
    sim.events()
        .iter()
        .map(|e| {
            Event::from_bytes(e.bytes())
                .unwrap()
                .uuid()
                .unwrap()
                .into_owned()
        })
        .collect()
}

fn uuids(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.uuid().unwrap().into_owned())
        .collect()
}

/// Reads pages (committing each) until `want` events arrived; fails if a page takes longer than
/// [`PAGE_DEADLINE`] or the stream ends or errs first.
async fn collect(source: OktaSource, want: usize) -> Vec<Event> {
    let mut pages = source.into_pages();
    let mut got = Vec::with_capacity(want);
    while got.len() < want {
        let page = tokio::time::timeout(PAGE_DEADLINE, pages.next())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no page within {PAGE_DEADLINE:?}; {} events so far",
                    got.len()
                )
            })
            .unwrap_or_else(|| panic!("stream ended after {} events", got.len()))
            .unwrap();
        got.extend(page.events);
        page.ack.commit().await.unwrap();
    }
    got
}

/// Asserts that `got` is exactly the stored events in storage order, with a useful message.
fn assert_complete_once_in_order(got: &[Event], stored: &[String]) {
    let got = uuids(got);
    let distinct: HashSet<&String> = got.iter().collect();
    assert_eq!(
        distinct.len(),
        got.len(),
        "{} duplicated event(s) delivered",
        got.len() - distinct.len()
    );
    let missing = stored.iter().filter(|u| !distinct.contains(u)).count();
    assert_eq!(missing, 0, "{missing} stored event(s) never delivered");
    assert_eq!(got.len(), stored.len(), "extra events delivered");
    if let Some(i) = got.iter().zip(stored).position(|(a, b)| a != b) {
        panic!("delivery order differs from storage order at index {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlog_of_50k_arrives_complete_once_and_in_storage_order() {
    let sim = SimServer::start(SimConfig::new().api_token(TOKEN).backlog(50_000).seed(7))
        .await
        .unwrap();
    let stored = stored_uuids(&sim);
    assert_eq!(stored.len(), 50_000);
    let source = fast(&sim).api_token(TOKEN).build().unwrap();
    let stats = source.stats();
    let got = collect(source, stored.len()).await;
    assert_complete_once_in_order(&got, &stored);
    let s = sim.stats();
    assert_eq!(s.rate_limited, 0);
    assert_eq!(stats.retries.load(Ordering::Relaxed), 0);
    // 50 full pages of 1000 and nothing re-requested.
    assert_eq!(stats.requests.load(Ordering::Relaxed), 50);
    assert_eq!(s.events_served, 50_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_lose_and_duplicate_nothing() {
    // Scripted first so that every kind happens at least once, then random ones throughout.
    let config = SimConfig::new()
        .api_token(TOKEN)
        .backlog(6_000)
        .seed(11)
        .scripted_fault(Fault::ServerError)
        .scripted_fault(Fault::Slow(Duration::from_millis(1_500))) // beyond the timeout
        .scripted_fault(Fault::Drop)
        .scripted_fault(Fault::Truncate)
        .scripted_fault(Fault::Slow(Duration::from_millis(30))) // slow but in time
        .faults(FaultConfig {
            server_error: 0.1,
            slow: 0.05,
            slow_delay: Duration::from_millis(600),
            drop: 0.1,
            truncate: 0.1,
        });
    let sim = SimServer::start(config).await.unwrap();
    let stored = stored_uuids(&sim);
    let source = fast(&sim)
        .api_token(TOKEN)
        .limit(200)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let stats = source.stats();
    let got = collect(source, stored.len()).await;
    assert_complete_once_in_order(&got, &stored);
    let s = sim.stats();
    assert!(s.faults_5xx >= 1, "{s:?}");
    assert!(s.faults_slow >= 2, "{s:?}");
    assert!(s.faults_dropped >= 1, "{s:?}");
    assert!(s.faults_truncated >= 1, "{s:?}");
    let injected = s.faults_5xx + s.faults_dropped + s.faults_truncated;
    let retries = stats.retries.load(Ordering::Relaxed);
    // Every 5xx, drop and truncation was retried, plus the timed-out slow responses.
    assert!(retries > injected, "retries {retries}, injected {injected}");
    println!(
        "faults: 5xx {} slow {} dropped {} truncated {}; poller retries {retries}",
        s.faults_5xx, s.faults_slow, s.faults_dropped, s.faults_truncated
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tight_rate_limit_is_never_exceeded() {
    let limit = RateLimit::new(4, 1);
    let sim = SimServer::start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(2_400)
            .seed(3)
            .rate_limit(limit),
    )
    .await
    .unwrap();
    let stored = stored_uuids(&sim);
    // 12 full pages of 200 at 4 requests per second: the pacer must wait for resets.
    let source = fast(&sim)
        .api_token(TOKEN)
        .limit(200)
        .rate_limit_reserve(0)
        .build()
        .unwrap();
    let stats = source.stats();
    let got = collect(source, stored.len()).await;
    assert_complete_once_in_order(&got, &stored);
    let s = sim.stats();
    assert_eq!(s.rate_limited, 0, "{s:?}");
    assert_eq!(stats.rate_limited.load(Ordering::Relaxed), 0);
    assert!(stats.reserve_waits.load(Ordering::Relaxed) >= 2);
    assert!(s.requests_per_window.len() >= 3, "{s:?}");
    for (start, n) in &s.requests_per_window {
        assert!(
            *n <= limit.limit,
            "window {start}: {n} requests > {}",
            limit.limit
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_stored_events_arrive() {
    let sim = SimServer::start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(3_000)
            .seed(5)
            .late_events(0.2, Duration::from_secs(60)),
    )
    .await
    .unwrap();
    let source = fast(&sim).api_token(TOKEN).build().unwrap();
    let mut pages = source.into_pages();
    let mut got: Vec<Event> = Vec::new();
    while got.len() < 3_000 {
        let page = tokio::time::timeout(PAGE_DEADLINE, pages.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.extend(page.events);
        page.ack.commit().await.unwrap();
    }
    // Caught up. Now store events published before everything already delivered: a polling
    // request by `published` would skip them, the storage-order cursor must not.
    let first_ms = sim.events()[0].published_ms;
    let template: serde_json::Value = serde_json::from_slice(&sim.events()[10].bytes()).unwrap();
    let mut late = Vec::new();
    for i in 0..5 {
        let mut e = template.clone();
        let uuid = format!("1a7e0000-0000-4000-8000-00000000000{i}");
        e["uuid"] = serde_json::Value::String(uuid.clone());
        sim.append_late(e, first_ms - 60_000 * (i + 1));
        late.push(uuid);
    }
    while got.len() < 3_005 {
        let page = tokio::time::timeout(PAGE_DEADLINE, pages.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.extend(page.events);
        page.ack.commit().await.unwrap();
    }
    let stored = stored_uuids(&sim);
    assert_complete_once_in_order(&got, &stored);
    let tail = uuids(&got[3_000..]);
    assert_eq!(tail, late);
    // The simulator's own late events (published before events stored earlier) came too.
    let events = sim.events();
    let backlog_late = events
        .windows(2)
        .filter(|w| w[1].published_ms < w[0].published_ms)
        .count();
    assert!(backlog_late > 0, "the backlog had no late-stored events");
}

async fn oauth_renews_tokens(client_id: &str, private_pem: &str, public_pem: &[u8]) {
    let sim = SimServer::start(
        SimConfig::new()
            .oauth_client(OAuthClient::from_public_key_pem(client_id, public_pem).unwrap())
            .token_lifetime(Duration::from_secs(1))
            .backlog(300)
            .seed(9),
    )
    .await
    .unwrap();
    let key = SigningKey::from_pem(private_pem).unwrap();
    let (stop_handle, stop) = StopSignal::new();
    let source = fast(&sim)
        .credentials(Credentials::OAuth(OAuthCredentials::new(client_id, key)))
        .limit(100)
        .poll_interval(Duration::from_millis(200))
        .stop_signal(stop)
        .build()
        .unwrap();
    let stats = source.stats();
    let mut pages = source.into_pages();
    let mut got = Vec::new();
    // Poll for ~2.6 s: with a 1 s token lifetime the poller must renew at least twice.
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(2_600)).await;
        stop_handle.stop();
    });
    while let Some(page) = tokio::time::timeout(PAGE_DEADLINE, pages.next())
        .await
        .unwrap()
    {
        let page = page.unwrap();
        got.extend(page.events);
        page.ack.commit().await.unwrap();
    }
    stopper.await.unwrap();
    assert_complete_once_in_order(&got, &stored_uuids(&sim));
    let s = sim.stats();
    assert!(s.tokens_issued >= 3, "{s:?}");
    assert_eq!(s.assertions_verified, s.tokens_issued, "{s:?}");
    assert_eq!(s.assertions_rejected, 0, "{s:?}");
    assert_eq!(s.auth_failures, 0, "requests with an expired token: {s:?}");
    assert_eq!(stats.tokens.load(Ordering::Relaxed), s.tokens_issued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_rs256_assertion_verified_and_token_renewed() {
    oauth_renews_tokens("0oaE2eRsa", RSA_PRIVATE, RSA_PUBLIC).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_es256_assertion_verified_and_token_renewed() {
    oauth_renews_tokens("0oaE2eEc", EC_PRIVATE, EC_PUBLIC).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_with_an_unregistered_key_fails_clearly() {
    let sim = SimServer::start(
        SimConfig::new()
            .oauth_client(OAuthClient::from_public_key_pem("0oaE2e", RSA_PUBLIC).unwrap())
            .backlog(10),
    )
    .await
    .unwrap();
    // Signed with the EC key while the app has the RSA key registered.
    let key = SigningKey::from_pem(EC_PRIVATE).unwrap();
    let source = fast(&sim)
        .credentials(Credentials::OAuth(OAuthCredentials::new("0oaE2e", key)))
        .build()
        .unwrap();
    let mut pages = source.into_pages();
    let first = tokio::time::timeout(PAGE_DEADLINE, pages.next())
        .await
        .unwrap()
        .unwrap();
    let err = first.expect_err("a rejected assertion must end the stream with an error");
    let text = err.to_string();
    assert!(!text.contains("BEGIN"), "key material in the error: {text}");
    let s = sim.stats();
    assert_eq!(s.tokens_issued, 0);
    assert!(s.assertions_rejected >= 1, "{s:?}");
    assert_eq!(s.log_requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poller_through_the_default_rules_alerts_on_every_scenario() {
    use okta_rules::RulesStreamExt;
    let sim = SimServer::start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(1_000)
            .backlog_scenarios(true)
            .seed(13),
    )
    .await
    .unwrap();
    let total = sim.len();
    let ruleset = okta_rules::default_ruleset().unwrap();
    let (stop_handle, stop) = StopSignal::new();
    let source = fast(&sim)
        .api_token(TOKEN)
        .stop_signal(stop)
        .build()
        .unwrap();
    let stats = source.stats();
    let mut alerts = source.into_events().apply_rules(ruleset);
    let mut rules = std::collections::BTreeMap::<String, usize>::new();
    // The backlog fits in two pages; once every event was read, stop and drain.
    let watcher = tokio::spawn(async move {
        while (stats.events.load(Ordering::Relaxed) as usize) < total {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop_handle.stop();
    });
    while let Some(alert) = tokio::time::timeout(PAGE_DEADLINE, alerts.next())
        .await
        .unwrap()
    {
        let alert = alert.unwrap();
        let json: serde_json::Value = serde_json::from_str(&alert.to_json()).unwrap();
        assert_eq!(json["rule"].as_str(), Some(&*alert.rule));
        *rules.entry(alert.rule.to_string()).or_default() += 1;
    }
    watcher.await.unwrap();
    for rule in [
        "Okta MFA push bombing",
        "Okta password spraying from one IP",
        "Creating a new OKTA API token",
        "User initiating impersonation session in OKTA",
        "removing all MFA factor from user in OKTA",
    ] {
        assert!(rules.contains_key(rule), "no alert of {rule:?}: {rules:?}");
    }
}
