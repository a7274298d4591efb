//! The simulated org's HTTP server: Okta's `/api/v1/logs` and `/oauth2/v1/token` on loopback.
//!
//! [`SimServer::start`] binds `127.0.0.1:<port>` (0 = any free port), fills the [`SimOrg`] with a
//! generated backlog, and serves with hyper (HTTP/1.1, keep-alive) through an axum router. A
//! request to `/api/v1/logs` goes through, in order: the shared rate limit (headers on every
//! response, 429 `E0000047` when exceeded), fault injection (500, delay, dropped connection,
//! truncated body), authentication (SSWS or Bearer), parameter validation (400s with Okta's error
//! objects), then a read of the store. Polling requests always get a `Link: <…>; rel="next"`;
//! bounded requests get one while more events remain; every response has its own `rel="self"` link
//! as a separate header line. Background tasks append live events (optionally late-stored ones whose
//! `published` is older than events already stored) and play a scripted scenario timeline.
//! [`SimHandle`] controls it all and reads statistics.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use super::auth::{Auth, OAuthClient};
use super::fault::{Fault, FaultConfig, Faults};
use super::generate::{format_published, now_ms, Generator};
use super::org::{EventBytes, Matcher, SimOrg, StoredEvent};
use super::query::{ApiError, Cursor, LogsQuery};
use super::ratelimit::{Limiter, RateDecision, RateLimit};
use super::rng::{SimRng, BASE64URL};
use super::scenario::Scenario;
use super::SimError;

/// The API token `okta-cli simulate` and `okta-cli demo` accept by default. Not a secret: the
/// simulator only listens on loopback.
pub const DEMO_API_TOKEN: &str = "00sim-okta-stream-demo-token-0000000000000";

/// Configuration of a simulated org (a builder: chain the methods, then [`SimServer::start`]).
#[derive(Clone)]
pub struct SimConfig {
    port: u16,
    api_tokens: Vec<String>,
    clients: Vec<OAuthClient>,
    rate_limit: RateLimit,
    faults: FaultConfig,
    scripted_faults: Vec<Fault>,
    seed: u64,
    backlog: usize,
    backlog_scenarios: bool,
    live_rate: f64,
    late_fraction: f64,
    late_max: Duration,
    timeline: Vec<(Duration, Scenario)>,
    token_lifetime: Duration,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("port", &self.port)
            .field(
                "api_tokens",
                &format_args!("[{} redacted]", self.api_tokens.len()),
            )
            .field("clients", &self.clients)
            .field("rate_limit", &self.rate_limit)
            .field("faults", &self.faults)
            .field("scripted_faults", &self.scripted_faults)
            .field("seed", &self.seed)
            .field("backlog", &self.backlog)
            .field("backlog_scenarios", &self.backlog_scenarios)
            .field("live_rate", &self.live_rate)
            .field("late_fraction", &self.late_fraction)
            .field("late_max", &self.late_max)
            .field("timeline", &self.timeline)
            .field("token_lifetime", &self.token_lifetime)
            .finish()
    }
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            port: 0,
            api_tokens: Vec::new(),
            clients: Vec::new(),
            rate_limit: RateLimit::default(),
            faults: FaultConfig::default(),
            scripted_faults: Vec::new(),
            seed: 1,
            backlog: 0,
            backlog_scenarios: false,
            live_rate: 0.0,
            late_fraction: 0.0,
            late_max: Duration::from_secs(120),
            timeline: Vec::new(),
            token_lifetime: Duration::from_secs(3_600),
        }
    }
}

impl SimConfig {
    /// A configuration with no credentials, no backlog, no live traffic, 600 requests/minute.
    pub fn new() -> SimConfig {
        SimConfig::default()
    }

    /// Port on 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> SimConfig {
        self.port = port;
        self
    }

    /// Accepts `Authorization: SSWS <token>` (may be called several times).
    pub fn api_token(mut self, token: impl Into<String>) -> SimConfig {
        self.api_tokens.push(token.into());
        self
    }

    /// Registers an OAuth service app.
    pub fn oauth_client(mut self, client: OAuthClient) -> SimConfig {
        self.clients.push(client);
        self
    }

    /// Lifetime of issued access tokens (`expires_in`; default 3600 s).
    pub fn token_lifetime(mut self, lifetime: Duration) -> SimConfig {
        self.token_lifetime = lifetime;
        self
    }

    /// The shared rate limit of `/api/v1/logs`.
    pub fn rate_limit(mut self, limit: RateLimit) -> SimConfig {
        self.rate_limit = limit;
        self
    }

    /// Random fault probabilities.
    pub fn faults(mut self, faults: FaultConfig) -> SimConfig {
        self.faults = faults;
        self
    }

    /// A fault for the next request not yet scripted (in call order).
    pub fn scripted_fault(mut self, fault: Fault) -> SimConfig {
        self.scripted_faults.push(fault);
        self
    }

    /// Seed of the event generator and of random faults (default 1).
    pub fn seed(mut self, seed: u64) -> SimConfig {
        self.seed = seed;
        self
    }

    /// Number of events stored before the server starts (published in the recent past).
    pub fn backlog(mut self, events: usize) -> SimConfig {
        self.backlog = events;
        self
    }

    /// Whether the backlog includes every scenario once (default: benign traffic only).
    pub fn backlog_scenarios(mut self, yes: bool) -> SimConfig {
        self.backlog_scenarios = yes;
        self
    }

    /// Benign events appended per second while the server runs (default 0).
    pub fn live_rate(mut self, events_per_second: f64) -> SimConfig {
        self.live_rate = events_per_second.max(0.0);
        self
    }

    /// Fraction (0.0–1.0) of live and backlog events stored late: their `published` lies up to
    /// `max_lag` before their persistence time, i.e. before events stored earlier.
    pub fn late_events(mut self, fraction: f64, max_lag: Duration) -> SimConfig {
        self.late_fraction = fraction.clamp(0.0, 1.0);
        self.late_max = max_lag.max(Duration::from_secs(2));
        self
    }

    /// Scenarios to play live, each at an offset from the start.
    pub fn timeline(mut self, timeline: Vec<(Duration, Scenario)>) -> SimConfig {
        self.timeline = timeline;
        self
    }

    /// Plays every scenario once, evenly spread over `total` (the demo's script).
    pub fn demo_timeline(self, total: Duration) -> SimConfig {
        let n = Scenario::ALL.len() as u32;
        let step = total / (n + 1);
        let timeline = Scenario::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| (step * (i as u32 + 1), *s))
            .collect();
        self.timeline(timeline)
    }
}

/// Counters of a running simulator (a snapshot from [`SimHandle::stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    /// HTTP requests received (all routes).
    pub requests: u64,
    /// Requests to `/api/v1/logs`.
    pub log_requests: u64,
    /// 200 responses from `/api/v1/logs`.
    pub ok_responses: u64,
    /// 429 responses sent.
    pub rate_limited: u64,
    /// 400 responses sent by `/api/v1/logs`.
    pub bad_requests: u64,
    /// 401 and 403 responses sent by `/api/v1/logs`.
    pub auth_failures: u64,
    /// Injected 500s.
    pub faults_5xx: u64,
    /// Injected slow responses.
    pub faults_slow: u64,
    /// Injected dropped connections.
    pub faults_dropped: u64,
    /// Injected truncated bodies.
    pub faults_truncated: u64,
    /// Events sent in 200 responses (including truncated ones).
    pub events_served: u64,
    /// Events stored in the org.
    pub events_stored: u64,
    /// Access tokens issued.
    pub tokens_issued: u64,
    /// Client assertions whose signature and claims verified.
    pub assertions_verified: u64,
    /// Client assertions rejected.
    pub assertions_rejected: u64,
    /// `/api/v1/logs` requests per rate-limit window: (window start in Unix seconds, count).
    pub requests_per_window: Vec<(u64, u32)>,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    log_requests: AtomicU64,
    ok_responses: AtomicU64,
    rate_limited: AtomicU64,
    bad_requests: AtomicU64,
    auth_failures: AtomicU64,
    faults_5xx: AtomicU64,
    faults_slow: AtomicU64,
    faults_dropped: AtomicU64,
    faults_truncated: AtomicU64,
    events_served: AtomicU64,
    tokens_issued: AtomicU64,
    assertions_verified: AtomicU64,
    assertions_rejected: AtomicU64,
}

fn inc(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

struct Shared {
    base: String,
    org: RwLock<SimOrg>,
    auth: Auth,
    limiter: Limiter,
    faults: Faults,
    counters: Counters,
    generator: Mutex<Generator>,
    late: Mutex<(SimRng, f64, Duration)>,
    /// Scenarios scheduled or playing whose events are not all stored yet.
    pending: watch::Sender<usize>,
}

impl Shared {
    fn store(&self, items: Vec<(Bytes, i64)>) {
        let now = now_ms();
        let mut org = self.org.write().unwrap_or_else(|p| p.into_inner());
        for (bytes, published) in items {
            org.append(bytes, published, now);
        }
    }

    /// `n` live benign events, published now (or earlier, when drawn as late-stored).
    fn live_events(&self, n: usize) -> Vec<(Bytes, i64)> {
        let now = now_ms();
        let mut generator = self.generator.lock().unwrap_or_else(|p| p.into_inner());
        let mut late = self.late.lock().unwrap_or_else(|p| p.into_inner());
        generator.advance_to(now);
        (0..n)
            .map(|_| {
                let mut event = generator.next_event();
                let (rng, fraction, max) = &mut *late;
                let published = if *fraction > 0.0 && rng.chance(*fraction) {
                    now - rng.range(1_000, max.as_millis() as i64)
                } else {
                    now - rng.range(0, 300)
                };
                event["published"] = Value::String(format_published(published));
                (Bytes::from(super::generate::to_bytes(&event)), published)
            })
            .collect()
    }
}

/// Starts simulated orgs.
#[derive(Debug)]
pub struct SimServer;

impl SimServer {
    /// Binds 127.0.0.1, stores the backlog and starts serving. Must be called inside a tokio
    /// runtime.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| SimError::Bind {
                port: config.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            port: config.port,
            source,
        })?;
        let base = format!("http://{addr}");
        let now = now_ms();

        // The backlog: published over the recent past, persisted shortly after (or late).
        let scenarios: &[Scenario] = if config.backlog_scenarios {
            &Scenario::ALL
        } else {
            &[]
        };
        let mut rng = SimRng::new(config.seed ^ 0x1A7E);
        let late_max = config.late_max.as_millis() as i64;
        let mut backlog: Vec<(i64, i64, EventBytes)> =
            super::backlog::build(config.seed, config.backlog, scenarios, now - 1_000)
                .into_iter()
                .map(|(published, bytes)| {
                    let lag = if config.late_fraction > 0.0 && rng.chance(config.late_fraction) {
                        rng.range(5_000, late_max.max(5_000))
                    } else {
                        rng.range(0, 1_500)
                    };
                    ((published + lag).min(now), published, bytes)
                })
                .collect();
        backlog.sort_by_key(|(persisted, _, _)| *persisted);
        let mut org = SimOrg::with_capacity(config.backlog);
        for (persisted, published, body) in backlog {
            org.append_body(body, published, persisted);
        }
        // Live events continue the same org (same directory) from now on.
        let generator = Generator::starting_at(config.seed, now);

        let shared = Arc::new(Shared {
            base: base.clone(),
            org: RwLock::new(org),
            auth: Auth::new(
                config.api_tokens.clone(),
                config.clients.clone(),
                config.token_lifetime,
            ),
            limiter: Limiter::new(config.rate_limit),
            faults: Faults::new(config.faults, config.scripted_faults.clone(), config.seed),
            counters: Counters::default(),
            generator: Mutex::new(generator),
            pending: watch::Sender::new(config.timeline.len()),
            late: Mutex::new((
                SimRng::new(config.seed ^ 0x1A7E_0001),
                config.late_fraction,
                config.late_max,
            )),
        });

        let router = Router::new()
            .route("/api/v1/logs", get(logs))
            .route("/oauth2/v1/token", post(token))
            .fallback(not_found)
            .with_state(shared.clone());
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = vec![tokio::spawn(accept_loop(listener, router, stop_rx))];
        if config.live_rate > 0.0 {
            tasks.push(tokio::spawn(live_loop(shared.clone(), config.live_rate)));
        }
        let start = tokio::time::Instant::now();
        for (offset, scenario) in config.timeline.clone() {
            let shared = shared.clone();
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep_until(start + offset).await;
                play(shared, scenario).await;
            }));
        }
        Ok(SimHandle {
            shared,
            addr,
            stop: stop_tx,
            tasks: Mutex::new(tasks),
            started: Instant::now(),
        })
    }
}

async fn live_loop(shared: Arc<Shared>, rate: f64) {
    let mut due = 0.0f64;
    let mut last = tokio::time::Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
        let now = tokio::time::Instant::now();
        due += rate * now.duration_since(last).as_secs_f64();
        last = now;
        // At most a burst of 100,000 events per tick, whatever the rate.
        let n = due.floor().min(100_000.0);
        due = (due - n).min(100_000.0);
        if n >= 1.0 {
            let events = shared.live_events(n as usize);
            shared.store(events);
        }
    }
}

/// Renders a scenario now and stores each event when its `published` time comes.
/// Plays a scenario already counted in `pending`, and uncounts it when done.
async fn play(shared: Arc<Shared>, scenario: Scenario) {
    play_events(&shared, scenario).await;
    shared.pending.send_modify(|n| *n = n.saturating_sub(1));
}

async fn play_events(shared: &Shared, scenario: Scenario) {
    let events = {
        let mut generator = shared.generator.lock().unwrap_or_else(|p| p.into_inner());
        generator.scenario(scenario, now_ms())
    };
    for event in events {
        let published = event
            .get("published")
            .and_then(Value::as_str)
            .and_then(super::org::parse_time_ms)
            .unwrap_or_else(now_ms);
        let wait = published - now_ms();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        shared.store(vec![(
            Bytes::from(super::generate::to_bytes(&event)),
            published,
        )]);
    }
}

/// Marker put in a response's extensions to make the connection close without a response.
#[derive(Debug, Clone, Copy)]
struct DropConnection;

#[derive(Debug)]
struct DroppedByFault;

impl std::fmt::Display for DroppedByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedByFault {}

async fn accept_loop(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let router = router.clone();
                        async move {
                            let response = match router.oneshot(req.map(Body::new)).await {
                                Ok(r) => r,
                                Err(never) => match never {},
                            };
                            if response.extensions().get::<DropConnection>().is_some() {
                                Err(DroppedByFault)
                            } else {
                                Ok(response)
                            }
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

/// Control of a running simulated org. Dropping it stops the server too.
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    started: Instant,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("url", &self.url())
            .field("auth", &self.shared.auth)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// Base URL, `http://127.0.0.1:PORT` (the "org URL").
    pub fn url(&self) -> String {
        self.shared.base.clone()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token endpoint URL (the audience client assertions must name).
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.shared.base)
    }

    /// How long the server has run.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Stores events now, in order (their `published` is kept). Returns how many.
    pub fn append<I: IntoIterator<Item = Value>>(&self, events: I) -> usize {
        let now = now_ms();
        let mut org = self.shared.org.write().unwrap_or_else(|p| p.into_inner());
        events
            .into_iter()
            .map(|e| org.append_value(&e, now))
            .count()
    }

    /// Stores one event now with `published` rewritten to `published_ms` (e.g. earlier than events
    /// already stored: a late-stored event).
    pub fn append_late(&self, mut event: Value, published_ms: i64) {
        event["published"] = Value::String(format_published(published_ms));
        self.shared.store(vec![(
            Bytes::from(super::generate::to_bytes(&event)),
            published_ms,
        )]);
    }

    /// Generates and stores `n` live benign events now (subject to the late-event setting).
    pub fn generate(&self, n: usize) {
        let events = self.shared.live_events(n);
        self.shared.store(events);
    }

    /// Plays a scenario now (its events are stored as their `published` times come).
    pub fn play(&self, scenario: Scenario) {
        self.shared.pending.send_modify(|n| *n += 1);
        let task = tokio::spawn(play(self.shared.clone(), scenario));
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(task);
    }

    /// Number of scenarios (timeline entries and [`SimHandle::play`] calls) whose events are not
    /// all stored yet.
    pub fn pending_scenarios(&self) -> usize {
        *self.shared.pending.borrow()
    }

    /// Waits until every scheduled or playing scenario has stored all its events (at once when
    /// none is pending). The demo uses it to know when the script is over.
    pub async fn scenarios_done(&self) {
        let mut rx = self.shared.pending.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// Replaces the random fault probabilities (scripted faults already queued stay queued).
    pub fn set_faults(&self, faults: FaultConfig) {
        self.shared.faults.set_config(faults);
    }

    /// Queues a fault for an upcoming `/api/v1/logs` request.
    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    /// Number of stored events.
    pub fn len(&self) -> usize {
        self.shared
            .org
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the stored events in storage order (cheap: the bytes are shared).
    pub fn events(&self) -> Vec<StoredEvent> {
        self.shared
            .org
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .events()
            .to_vec()
    }

    /// Current counters.
    pub fn stats(&self) -> SimStats {
        let c = &self.shared.counters;
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SimStats {
            requests: g(&c.requests),
            log_requests: g(&c.log_requests),
            ok_responses: g(&c.ok_responses),
            rate_limited: g(&c.rate_limited),
            bad_requests: g(&c.bad_requests),
            auth_failures: g(&c.auth_failures),
            faults_5xx: g(&c.faults_5xx),
            faults_slow: g(&c.faults_slow),
            faults_dropped: g(&c.faults_dropped),
            faults_truncated: g(&c.faults_truncated),
            events_served: g(&c.events_served),
            events_stored: self.len() as u64,
            tokens_issued: g(&c.tokens_issued),
            assertions_verified: g(&c.assertions_verified),
            assertions_rejected: g(&c.assertions_rejected),
            requests_per_window: self.shared.limiter.per_window(),
        }
    }

    /// The configured rate limit.
    pub fn rate_limit(&self) -> RateLimit {
        self.shared.limiter.config()
    }

    /// Stops accepting, closes connections and stops background tasks.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let tasks: Vec<JoinHandle<()>> =
            std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        let mut iter = tasks.into_iter();
        if let Some(accept) = iter.next() {
            let _ = accept.await;
        }
        for t in iter {
            t.abort();
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            t.abort();
        }
    }
}

// ----- handlers ---------------------------------------------------------------------------------

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn request_id() -> String {
    let mut rng = SimRng::new(rand::random());
    rng.string(BASE64URL, 27)
}

fn json_response(status: StatusCode, body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        r.headers_mut().insert("x-okta-request-id", v);
    }
    r
}

fn error_response(e: &ApiError) -> Response<Body> {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, Body::from(e.body()))
}

fn add_rate_headers(r: &mut Response<Body>, d: &RateDecision) {
    let h = r.headers_mut();
    h.insert("x-rate-limit-limit", HeaderValue::from(d.limit));
    h.insert("x-rate-limit-remaining", HeaderValue::from(d.remaining));
    h.insert("x-rate-limit-reset", HeaderValue::from(d.reset));
}

fn add_link(r: &mut Response<Body>, url: &str, rel: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("<{url}>; rel=\"{rel}\"")) {
        r.headers_mut().append(header::LINK, v);
    }
}

async fn logs(
    State(s): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response<Body> {
    let c = &s.counters;
    inc(&c.requests);
    inc(&c.log_requests);
    let raw = raw.unwrap_or_default();
    let self_url = if raw.is_empty() {
        format!("{}/api/v1/logs", s.base)
    } else {
        format!("{}/api/v1/logs?{raw}", s.base)
    };
    let decision = s.limiter.hit(unix_now());
    let finish = |mut r: Response<Body>| {
        add_rate_headers(&mut r, &decision);
        add_link(&mut r, &self_url, "self");
        r
    };
    if !decision.allowed {
        inc(&c.rate_limited);
        return finish(error_response(&ApiError::rate_limited()));
    }
    let mut truncate = false;
    match s.faults.next() {
        Some(Fault::ServerError) => {
            inc(&c.faults_5xx);
            return finish(error_response(&ApiError::timeout()));
        }
        Some(Fault::Drop) => {
            inc(&c.faults_dropped);
            let mut r = Response::new(Body::empty());
            r.extensions_mut().insert(DropConnection);
            return r;
        }
        Some(Fault::Slow(d)) => {
            inc(&c.faults_slow);
            tokio::time::sleep(d).await;
        }
        Some(Fault::Truncate) => truncate = true,
        None => {}
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Err(e) = s.auth.check(authorization) {
        inc(&c.auth_failures);
        let mut r = error_response(&e);
        if e.status == 401
            && authorization.is_some_and(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer "))
        {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\""),
            );
        }
        return finish(r);
    }
    let now = now_ms();
    let query = match LogsQuery::parse(&raw, now) {
        Ok(q) => q,
        Err(e) => {
            inc(&c.bad_requests);
            return finish(error_response(&e));
        }
    };
    let filter = query.filter.clone();
    let keywords = query.keywords.clone();
    let predicate =
        move |v: &Value| filter.as_ref().is_none_or(|f| f.matches(v)) && keywords.matches(v);
    let matcher: Option<Matcher<'_>> = if query.filter.is_some() || !query.keywords.is_empty() {
        Some(&predicate)
    } else {
        None
    };
    let (events, next) = {
        let org = s.org.read().unwrap_or_else(|p| p.into_inner());
        if query.is_polling() {
            let start = match query.after {
                Some(Cursor::Polling(i)) => i,
                _ => org.first_persisted_at(query.since.unwrap_or(now - 7 * 86_400_000)),
            };
            let page = org.polling_page(start, query.limit, matcher);
            (page.events, Some(Cursor::Polling(page.next_index)))
        } else {
            let (since, until) = query.bounded_range(now);
            let after = match query.after {
                Some(Cursor::Bounded(p, q)) => Some((p, q)),
                _ => None,
            };
            let page =
                org.bounded_page(since, until, after, query.limit, query.descending, matcher);
            (
                page.events,
                page.next_key.map(|(p, q)| Cursor::Bounded(p, q)),
            )
        }
    };
    let mut body = Vec::with_capacity(events.iter().map(|e| e.len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        e.write_to(&mut body);
    }
    body.push(b']');
    c.events_served
        .fetch_add(events.len() as u64, Ordering::Relaxed);
    inc(&c.ok_responses);
    let body = Bytes::from(body);
    let r = if truncate {
        inc(&c.faults_truncated);
        let full = body.len();
        let cut = body.slice(..full / 2);
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(cut),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "body truncated by fault injection",
            )),
        ];
        let mut r = json_response(
            StatusCode::OK,
            Body::from_stream(futures::stream::iter(chunks)),
        );
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
        r
    } else {
        json_response(StatusCode::OK, Body::from(body))
    };
    let mut r = finish(r);
    if let Some(cursor) = next {
        add_link(
            &mut r,
            &format!("{}/api/v1/logs?{}", s.base, query.next_query(cursor)),
            "next",
        );
    }
    r
}

async fn token(
    State(s): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let c = &s.counters;
    inc(&c.requests);
    let oauth_error = |status: u16, error: &str, description: &str| {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        json_response(
            status,
            Body::from(
                serde_json::json!({"error": error, "error_description": description}).to_string(),
            ),
        )
    };
    let in_query = raw.as_deref().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes())
            .any(|(k, _)| k == "client_assertion" || k == "client_secret")
    });
    if in_query {
        return oauth_error(
            400,
            "invalid_request",
            "Client credentials should not be passed in the query string.",
        );
    }
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth_error(
            400,
            "invalid_request",
            "The request must be application/x-www-form-urlencoded.",
        );
    }
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let token_url = format!("{}/oauth2/v1/token", s.base);
    match s.auth.issue(&form, &token_url, unix_now() as i64) {
        Ok(issued) => {
            inc(&c.assertions_verified);
            inc(&c.tokens_issued);
            let body = serde_json::json!({
                "token_type": "Bearer",
                "expires_in": issued.expires_in.as_secs(),
                "access_token": issued.access_token,
                "scope": issued.scope,
            });
            let mut r = json_response(StatusCode::OK, Body::from(body.to_string()));
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r.headers_mut()
                .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            r
        }
        Err(e) => {
            if e.error == "invalid_scope" {
                inc(&c.assertions_verified);
            } else {
                inc(&c.assertions_rejected);
            }
            oauth_error(e.status, e.error, &e.description)
        }
    }
}

async fn not_found(State(s): State<Arc<Shared>>) -> Response<Body> {
    inc(&s.counters.requests);
    error_response(&ApiError::new(
        404,
        "E0000007",
        "Not found: Resource not found",
    ))
}
