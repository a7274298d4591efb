//! The Okta System Log API source: a lossless, rate-limit-aware poller.
//!
//! Data flow: [`OktaSourceBuilder`] validates the settings and loads the checkpoint (if any);
//! [`OktaSource::into_pages`] then runs the polling loop as a stream of [`Page`]s:
//!
//! 1. The first request is built once: `GET {org}/api/v1/logs?since=…&sortOrder=ASCENDING&limit=1000`
//!    (+ `until`, `filter`, `q`), unless a checkpoint supplies the `next` URL to resume from.
//! 2. Each request waits for the [`pace::Pacer`] (local quota + `X-Rate-Limit-*` reserve), takes
//!    the `Authorization` header from [`auth::Authenticator`], and is classified by
//!    `fetch`. Transient failures are retried on the same URL forever with
//!    [`retry::Backoff`] (logged at warn level); 429s wait for `Reset`; fatal errors end the
//!    stream with a [`SourceError`].
//! 3. A page's events are de-duplicated by uuid ([`dedup::DedupWindow`]) and yielded with the
//!    `rel="next"` URL and a [`PageAck`]. A full page is followed at once; a short one after the
//!    poll interval. The `next` URL is followed verbatim (opaque cursor), but only on the org's
//!    own origin.
//! 4. The consumer calls [`PageAck::commit`] once the sinks accepted the page; only then does the
//!    checkpoint (next URL + dedup window) advance and get saved. After a crash at most the
//!    unacknowledged page is delivered again, and its already-acknowledged repeats are dropped by
//!    the saved dedup window.
//!
//! Polling requests (no `until`) never end: Okta always sends a `next` link. A bounded request
//! (`until` set) ends after the first page without a `next` link. A [`StopSignal`] ends the
//! stream cleanly: a request in flight is abandoned (its page was never delivered, so nothing is
//! lost), and the stream ends after the page in hand; the consumer then commits that page.

pub mod auth;
pub mod config;
pub mod dedup;
pub mod error;
pub(crate) mod fetch;
pub mod key;
pub mod link;
pub mod org;
pub mod pace;
pub mod retry;
pub mod since;

use std::fmt;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::StreamExt;
use reqwest::Url;
use tokio::sync::{watch, Mutex};

pub use auth::{Credentials, OAuthCredentials, Secret};
pub use config::{merge_pages, OrgConfig, SourcesConfig};
pub use dedup::DedupWindow;
pub use error::{OktaError, SourceError};
pub use fetch::split_page;
pub use key::SigningKey;
pub use org::OrgUrl;
pub use pace::PacePolicy;
pub use retry::BackoffPolicy;
pub use since::TimeSpec;

use crate::checkpoint::{Checkpoint, CheckpointError, CheckpointFile, CHECKPOINT_VERSION};
use crate::event::Event;
use fetch::Attempt;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("okta-stream/", env!("CARGO_PKG_VERSION"));
/// The default and largest page size.
pub const MAX_LIMIT: u32 = 1000;
/// The default wait after a short page.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(10);
/// The default request timeout (Okta's own query timeout is 30 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(45);

/// A clean-stop signal for sources: once it fires, sources finish the page in hand and end.
#[derive(Debug, Clone)]
pub struct StopSignal(Option<watch::Receiver<bool>>);

/// Fires a [`StopSignal`].
#[derive(Debug, Clone)]
pub struct StopHandle(Arc<watch::Sender<bool>>);

impl StopHandle {
    /// Asks every source holding the matching signal to stop.
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

impl StopSignal {
    /// A signal and the handle that fires it.
    pub fn new() -> (StopHandle, StopSignal) {
        let (tx, rx) = watch::channel(false);
        (StopHandle(Arc::new(tx)), StopSignal(Some(rx)))
    }

    /// A signal that never fires.
    pub fn never() -> StopSignal {
        StopSignal(None)
    }

    /// A signal driven by a `watch` channel (`true` = stop).
    pub fn from_watch(rx: watch::Receiver<bool>) -> StopSignal {
        StopSignal(Some(rx))
    }

    /// True once the signal fired.
    pub fn is_stopped(&self) -> bool {
        self.0.as_ref().is_some_and(|rx| *rx.borrow())
    }

    /// Completes when the signal fires (never, if its handle is gone without firing).
    pub async fn stopped(&mut self) {
        if let Some(rx) = &mut self.0 {
            if rx.wait_for(|v| *v).await.is_ok() {
                return;
            }
        }
        futures::future::pending::<()>().await
    }
}

/// Counters of one source, readable while it runs.
#[derive(Debug, Default)]
pub struct SourceStats {
    /// Requests sent to `/api/v1/logs`.
    pub requests: AtomicU64,
    /// Pages yielded.
    pub pages: AtomicU64,
    /// Events yielded.
    pub events: AtomicU64,
    /// Events dropped as repeats of a uuid in the dedup window.
    pub duplicates: AtomicU64,
    /// Retries after transient failures.
    pub retries: AtomicU64,
    /// 429 responses received.
    pub rate_limited: AtomicU64,
    /// Waits imposed by `X-Rate-Limit-Remaining` at or below the reserve.
    pub reserve_waits: AtomicU64,
    /// OAuth access tokens fetched.
    pub tokens: AtomicU64,
}

impl SourceStats {
    fn bump(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// What a committed page changes in the checkpoint.
struct CommitState {
    org: OrgUrl,
    file: Option<CheckpointFile>,
    window: DedupWindow,
    next_url: Option<String>,
    next_seq: u64,
}

/// Acknowledges one page. Commit pages in the order they were yielded.
#[must_use = "a page must be committed for the checkpoint to advance"]
pub struct PageAck {
    seq: u64,
    next: Option<String>,
    uuids: Vec<Arc<str>>,
    state: Arc<Mutex<CommitState>>,
}

impl fmt::Debug for PageAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageAck")
            .field("seq", &self.seq)
            .field("next", &self.next)
            .field("uuids", &self.uuids.len())
            .finish()
    }
}

impl PageAck {
    /// Records that every event of this page (and of all earlier pages) was accepted, and
    /// saves the checkpoint (if one is configured) when the position changed.
    pub async fn commit(self) -> Result<(), CheckpointError> {
        // The lock is held until the save is done, so that saves happen in commit order.
        let mut st = self.state.lock().await;
        if self.seq != st.next_seq {
            return Err(CheckpointError::OutOfOrder {
                expected: st.next_seq,
                got: self.seq,
            });
        }
        st.next_seq += 1;
        for u in &self.uuids {
            st.window.insert(u);
        }
        let moved = self.next.is_some() && self.next != st.next_url;
        if self.next.is_some() {
            st.next_url = self.next.clone();
        }
        let (Some(file), Some(next)) = (&st.file, &st.next_url) else {
            return Ok(());
        };
        if !moved && self.uuids.is_empty() {
            return Ok(());
        }
        let file = file.clone();
        let checkpoint = Checkpoint {
            version: CHECKPOINT_VERSION,
            org_url: st.org.as_str().to_string(),
            next_url: next.clone(),
            dedup: st.window.iter().map(String::from).collect(),
            saved_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .ok(),
        };
        let path = file.path().to_path_buf();
        let saved = tokio::task::spawn_blocking(move || file.save(&checkpoint)).await;
        drop(st);
        match saved {
            Ok(r) => r,
            Err(join) => Err(CheckpointError::Io {
                path,
                action: "saving",
                source: std::io::Error::other(join.to_string()),
            }),
        }
    }

    /// The sequence number of the page (0, 1, 2, ... per source).
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

/// One page of events from one org.
#[derive(Debug)]
pub struct Page {
    /// The org's name (as carried by each event).
    pub org: Arc<str>,
    /// The new events, in the order Okta returned them (storage order).
    pub events: Vec<Event>,
    /// Events of this page dropped as repeats.
    pub duplicates: usize,
    /// The `rel="next"` URL after this page (`None` at the end of a bounded request).
    pub next: Option<String>,
    /// Acknowledge after the sinks accepted `events`.
    pub ack: PageAck,
}

/// Settings of an [`OktaSource`]; see the setters for defaults.
pub struct OktaSourceBuilder {
    org_url: Option<String>,
    org_name: Option<String>,
    credentials: Option<Credentials>,
    since: Option<TimeSpec>,
    until: Option<TimeSpec>,
    filter: Option<String>,
    q: Option<String>,
    limit: u32,
    poll_interval: Duration,
    pace: PacePolicy,
    backoff: BackoffPolicy,
    timeout: Duration,
    proxy: Option<String>,
    checkpoint: Option<PathBuf>,
    dedup_capacity: usize,
    stop: StopSignal,
}

impl fmt::Debug for OktaSourceBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OktaSourceBuilder")
            .field("org_url", &self.org_url)
            .field("org_name", &self.org_name)
            .field("credentials", &self.credentials)
            .field("since", &self.since)
            .field("until", &self.until)
            .field("filter", &self.filter)
            .field("q", &self.q)
            .field("limit", &self.limit)
            .field("poll_interval", &self.poll_interval)
            .field("pace", &self.pace)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy.as_ref().map(|p| redact_proxy(p)))
            .field("checkpoint", &self.checkpoint)
            .finish()
    }
}

/// A proxy URL without its password.
fn redact_proxy(p: &str) -> String {
    match Url::parse(p) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("redacted"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparsable>".into(),
    }
}

impl Default for OktaSourceBuilder {
    fn default() -> Self {
        OktaSourceBuilder {
            org_url: None,
            org_name: None,
            credentials: None,
            since: None,
            until: None,
            filter: None,
            q: None,
            limit: MAX_LIMIT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            pace: PacePolicy::default(),
            backoff: BackoffPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            proxy: None,
            checkpoint: None,
            dedup_capacity: dedup::DEFAULT_DEDUP_CAPACITY,
            stop: StopSignal::never(),
        }
    }
}

impl OktaSourceBuilder {
    /// The org, e.g. `https://acme.okta.com` (required).
    pub fn org_url(mut self, url: impl Into<String>) -> Self {
        self.org_url = Some(url.into());
        self
    }
    /// The name events carry as their org (default: the org's host).
    pub fn org_name(mut self, name: impl Into<String>) -> Self {
        self.org_name = Some(name.into());
        self
    }
    /// The credentials (required).
    pub fn credentials(mut self, c: Credentials) -> Self {
        self.credentials = Some(c);
        self
    }
    /// An SSWS API token.
    pub fn api_token(self, token: impl Into<String>) -> Self {
        self.credentials(Credentials::api_token(token))
    }
    /// Where to start without a checkpoint (default 5 minutes ago).
    pub fn since(mut self, t: TimeSpec) -> Self {
        self.since = Some(t);
        self
    }
    /// Makes the request bounded: the stream ends once the range is read.
    pub fn until(mut self, t: TimeSpec) -> Self {
        self.until = Some(t);
        self
    }
    /// A SCIM `filter`, passed through.
    pub fn filter(mut self, f: impl Into<String>) -> Self {
        self.filter = Some(f.into());
        self
    }
    /// A keyword search `q`, passed through.
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }
    /// Page size, 1..=1000 (default 1000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
    /// Wait after a short page (default 10 s).
    pub fn poll_interval(mut self, d: Duration) -> Self {
        self.poll_interval = d;
        self
    }
    /// Local quota in requests per minute; 0 disables it (default 30).
    pub fn requests_per_minute(mut self, rpm: u32) -> Self {
        self.pace.requests_per_minute = NonZeroU32::new(rpm);
        self
    }
    /// Wait for the window reset once `X-Rate-Limit-Remaining` <= this (default 5).
    pub fn rate_limit_reserve(mut self, reserve: u64) -> Self {
        self.pace.reserve = reserve;
        self
    }
    /// Added to every wait for `X-Rate-Limit-Reset` (default 1 s).
    pub fn reset_margin(mut self, d: Duration) -> Self {
        self.pace.reset_margin = d;
        self
    }
    /// Retry backoff (default 1 s doubling to 60 s).
    pub fn backoff(mut self, b: BackoffPolicy) -> Self {
        self.backoff = b;
        self
    }
    /// Per-request timeout (default 45 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
    /// An HTTP(S) proxy URL for all requests.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }
    /// The checkpoint file: resume from it if it exists, save to it on every commit.
    pub fn checkpoint(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint = Some(path.into());
        self
    }
    /// How many uuids the dedup window remembers (default 10,000).
    pub fn dedup_capacity(mut self, n: usize) -> Self {
        self.dedup_capacity = n;
        self
    }
    /// The clean-stop signal.
    pub fn stop_signal(mut self, s: StopSignal) -> Self {
        self.stop = s;
        self
    }

    /// Validates the settings, loads the checkpoint and prepares the HTTP client.
    pub fn build(self) -> Result<OktaSource, SourceError> {
        let org = OrgUrl::parse(
            self.org_url
                .as_deref()
                .ok_or_else(|| SourceError::Config("the org URL is required".into()))?,
        )?;
        let credentials = self.credentials.ok_or_else(|| {
            SourceError::Config(
                "credentials are required: an API token, or an OAuth client id and private key"
                    .into(),
            )
        })?;
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(SourceError::Config(format!(
                "limit must be between 1 and {MAX_LIMIT}, not {}",
                self.limit
            )));
        }
        let mut client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(self.timeout)
            // No redirects: credentials go to the org and nowhere else (a 3xx is reported).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.timeout.min(Duration::from_secs(15)))
            .https_only(org.logs_url().scheme() == "https");
        if self.proxy.is_none() && org.is_loopback() {
            // A local org (tests, the simulator) is never reached through a system proxy.
            client = client.no_proxy();
        }
        if let Some(p) = &self.proxy {
            let proxy = reqwest::Proxy::all(p).map_err(|_| {
                SourceError::Config(format!("invalid proxy URL {}", redact_proxy(p)))
            })?;
            client = client.proxy(proxy);
        }
        let client = client
            .build()
            .map_err(|e| SourceError::Client(e.to_string()))?;

        let file = self.checkpoint.map(CheckpointFile::new);
        let loaded = match &file {
            Some(f) => f.load()?,
            None => None,
        };
        let mut window = DedupWindow::new(self.dedup_capacity);
        let start = match loaded {
            Some(cp) => {
                let cp_org = OrgUrl::parse(&cp.org_url).ok();
                if cp_org.as_ref() != Some(&org) {
                    return Err(CheckpointError::OtherOrg {
                        path: file
                            .as_ref()
                            .map(|f| f.path().to_path_buf())
                            .unwrap_or_default(),
                        found: cp.org_url,
                        expected: org.as_str().to_string(),
                    }
                    .into());
                }
                let next = Url::parse(&cp.next_url).map_err(|e| {
                    SourceError::Checkpoint(CheckpointError::Corrupt {
                        path: file
                            .as_ref()
                            .map(|f| f.path().to_path_buf())
                            .unwrap_or_default(),
                        reason: format!("next_url is not a URL: {e}"),
                    })
                })?;
                if !org.same_origin(&next) {
                    return Err(SourceError::ForeignNextLink {
                        url: cp.next_url,
                        org: org.as_str().to_string(),
                    });
                }
                for u in &cp.dedup {
                    window.insert(u);
                }
                if self.since.is_some() {
                    tracing::info!(org = %org, "resuming from the checkpoint; --since is ignored");
                }
                Start::Resume(next)
            }
            None => Start::Fresh,
        };
        let name: Arc<str> = match self.org_name {
            Some(n) => Arc::from(n.as_str()),
            None => org.name().clone(),
        };
        let first_url = match &start {
            Start::Resume(u) => u.clone(),
            Start::Fresh => {
                let now = time::OffsetDateTime::now_utc();
                let mut u = org.logs_url();
                {
                    let mut q = u.query_pairs_mut();
                    let since = self.since.unwrap_or(TimeSpec::Ago(since::DEFAULT_SINCE));
                    q.append_pair("since", &since.to_query(now));
                    if let Some(until) = &self.until {
                        q.append_pair("until", &until.to_query(now));
                    }
                    q.append_pair("sortOrder", "ASCENDING");
                    q.append_pair("limit", &self.limit.to_string());
                    if let Some(f) = &self.filter {
                        q.append_pair("filter", f);
                    }
                    if let Some(k) = &self.q {
                        q.append_pair("q", k);
                    }
                }
                u
            }
        };
        if let (Some(since), Some(until)) = (&self.since, &self.until) {
            let now = time::OffsetDateTime::now_utc();
            if since.resolve(now) >= until.resolve(now) {
                return Err(SourceError::Config(
                    "since must be earlier than until".into(),
                ));
            }
        }
        let bounded = self.until.is_some()
            || first_url
                .query_pairs()
                .any(|(k, v)| k == "until" && !v.is_empty());
        let commit = CommitState {
            org: org.clone(),
            file,
            window: window.clone(),
            next_url: match &start {
                Start::Resume(u) => Some(u.to_string()),
                Start::Fresh => None,
            },
            next_seq: 0,
        };
        let auth = auth::Authenticator::new(credentials, &org, client.clone());
        Ok(OktaSource {
            org,
            name,
            client,
            auth,
            first_url,
            bounded,
            limit: self.limit as usize,
            poll_interval: self.poll_interval,
            pace: self.pace,
            backoff: self.backoff,
            window,
            commit: Arc::new(Mutex::new(commit)),
            stop: self.stop,
            stats: Arc::new(SourceStats::default()),
        })
    }
}

enum Start {
    Fresh,
    Resume(Url),
}

/// The System Log of one org as a stream; see the module documentation.
pub struct OktaSource {
    org: OrgUrl,
    name: Arc<str>,
    client: reqwest::Client,
    auth: auth::Authenticator,
    first_url: Url,
    bounded: bool,
    limit: usize,
    poll_interval: Duration,
    pace: PacePolicy,
    backoff: BackoffPolicy,
    window: DedupWindow,
    commit: Arc<Mutex<CommitState>>,
    stop: StopSignal,
    stats: Arc<SourceStats>,
}

impl fmt::Debug for OktaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OktaSource")
            .field("org", &self.org)
            .field("name", &self.name)
            .field("auth", &self.auth)
            .field("first_url", &self.first_url.as_str())
            .field("bounded", &self.bounded)
            .finish()
    }
}

/// Waits for `fut` unless the stop signal fires first (`None` then).
async fn or_stop<F: std::future::Future>(stop: &mut StopSignal, fut: F) -> Option<F::Output> {
    tokio::select! {
        biased;
        _ = stop.stopped() => None,
        v = fut => Some(v),
    }
}

impl OktaSource {
    /// Starts building a source.
    pub fn builder() -> OktaSourceBuilder {
        OktaSourceBuilder::default()
    }

    /// The org.
    pub fn org(&self) -> &OrgUrl {
        &self.org
    }

    /// The name the events carry.
    pub fn org_name(&self) -> &Arc<str> {
        &self.name
    }

    /// The first URL that will be requested (built from `since`, or the checkpoint's).
    pub fn first_url(&self) -> &str {
        self.first_url.as_str()
    }

    /// Live counters.
    pub fn stats(&self) -> Arc<SourceStats> {
        self.stats.clone()
    }

    /// The polling loop as a stream of pages. Ends on a fatal error (yielded last), at the end
    /// of a bounded request, or after the stop signal.
    pub fn into_pages(self) -> BoxStream<'static, Result<Page, SourceError>> {
        let OktaSource {
            org,
            name,
            client,
            mut auth,
            first_url,
            bounded,
            limit,
            poll_interval,
            pace,
            backoff,
            mut window,
            commit,
            mut stop,
            stats,
        } = self;
        let stream = async_stream::stream! {
            let mut pacer = pace::Pacer::new(pace);
            let mut backoff = retry::Backoff::new(backoff);
            let mut url = first_url;
            let mut seq = 0u64;
            let mut renewed_after_401 = false;
            loop {
                if stop.is_stopped() {
                    break;
                }
                if or_stop(&mut stop, pacer.ready()).await.is_none() {
                    break;
                }
                let before = auth.tokens_fetched();
                let header = match or_stop(&mut stop, auth.authorization()).await {
                    None => break,
                    Some(Ok(h)) => h,
                    Some(Err(auth::AuthError::Transient(reason))) => {
                        let wait = backoff.next_delay();
                        SourceStats::bump(&stats.retries, 1);
                        tracing::warn!(org = %name, attempt = backoff.attempts(), wait_ms = wait.as_millis() as u64, "OAuth token request failed, retrying: {reason}");
                        if or_stop(&mut stop, tokio::time::sleep(wait)).await.is_none() {
                            break;
                        }
                        continue;
                    }
                    Some(Err(e)) => {
                        yield Err(SourceError::Auth(e));
                        break;
                    }
                };
                SourceStats::bump(&stats.tokens, auth.tokens_fetched() - before);
                SourceStats::bump(&stats.requests, 1);
                let attempt = match or_stop(&mut stop, fetch::get_page(&client, &url, header, &name)).await {
                    None => break,
                    Some(a) => a,
                };
                match attempt {
                    Attempt::Page { events, links, rate } => {
                        backoff.reset();
                        renewed_after_401 = false;
                        if let Some(wait) = pacer.observe(&rate) {
                            SourceStats::bump(&stats.reserve_waits, 1);
                            tracing::debug!(org = %name, remaining = ?rate.remaining, wait_ms = wait.as_millis() as u64, "rate-limit reserve reached, waiting for the window reset");
                        }
                        let received = events.len();
                        let mut kept = Vec::with_capacity(received);
                        let mut uuids = Vec::with_capacity(received);
                        let mut duplicates = 0usize;
                        for event in events {
                            match event.uuid() {
                                Some(u) => {
                                    if window.insert(&u) {
                                        uuids.push(Arc::<str>::from(u.as_ref()));
                                        kept.push(event);
                                    } else {
                                        duplicates += 1;
                                    }
                                }
                                None => kept.push(event),
                            }
                        }
                        let next = match links.next {
                            Some(n) => match url.join(&n) {
                                Ok(u) if org.same_origin(&u) => Some(u),
                                _ => {
                                    yield Err(SourceError::ForeignNextLink { url: n, org: org.as_str().to_string() });
                                    break;
                                }
                            },
                            None => None,
                        };
                        if duplicates > 0 {
                            tracing::debug!(org = %name, duplicates, "dropped repeated events");
                        }
                        SourceStats::bump(&stats.pages, 1);
                        SourceStats::bump(&stats.events, kept.len() as u64);
                        SourceStats::bump(&stats.duplicates, duplicates as u64);
                        let end = bounded && next.is_none();
                        let ack = PageAck {
                            seq,
                            next: next.as_ref().map(|u| u.to_string()),
                            uuids,
                            state: commit.clone(),
                        };
                        seq += 1;
                        yield Ok(Page {
                            org: name.clone(),
                            events: kept,
                            duplicates,
                            next: next.as_ref().map(|u| u.to_string()),
                            ack,
                        });
                        if end {
                            break;
                        }
                        match next {
                            Some(n) => url = n,
                            None => tracing::warn!(org = %name, "a polling response had no rel=\"next\" link; polling the same URL again"),
                        }
                        if received < limit
                            && or_stop(&mut stop, tokio::time::sleep(poll_interval)).await.is_none()
                        {
                            break;
                        }
                    }
                    Attempt::Retry { reason, rate } => {
                        pacer.observe(&rate);
                        let wait = backoff.next_delay();
                        SourceStats::bump(&stats.retries, 1);
                        tracing::warn!(org = %name, attempt = backoff.attempts(), wait_ms = wait.as_millis() as u64, "retrying the same page: {reason}");
                        if or_stop(&mut stop, tokio::time::sleep(wait)).await.is_none() {
                            break;
                        }
                    }
                    Attempt::RateLimited { rate, detail } => {
                        SourceStats::bump(&stats.rate_limited, 1);
                        let wait = match pacer.wait_after_429(&rate) {
                            Some(w) => w,
                            None => backoff.next_delay(),
                        };
                        tracing::warn!(org = %name, wait_ms = wait.as_millis() as u64, "rate limited by Okta (HTTP 429: {detail}); waiting before retrying the same page");
                        pacer.hold_for(wait);
                    }
                    Attempt::Unauthorized { status, detail } => {
                        if status == 401 && auth.is_oauth() && !renewed_after_401 {
                            renewed_after_401 = true;
                            tracing::warn!(org = %name, "HTTP 401 with an OAuth access token; fetching a new token and retrying once");
                            auth.invalidate();
                            continue;
                        }
                        yield Err(SourceError::Unauthorized {
                            org: org.as_str().to_string(),
                            status,
                            okta: format!(": {detail}"),
                            hint: if auth.is_oauth() { error::HINT_OAUTH } else { error::HINT_SSWS },
                        });
                        break;
                    }
                    Attempt::Fatal(e) => {
                        yield Err(e);
                        break;
                    }
                }
            }
        };
        stream.boxed()
    }

    /// The source as a plain stream of events, for consumers that do not manage acknowledgement
    /// themselves: a page is committed (and the checkpoint saved) when the consumer asks for the
    /// item after its last event, i.e. once it has taken every event of the page.
    pub fn into_events(self) -> BoxStream<'static, Result<Event, SourceError>> {
        let mut pages = self.into_pages();
        let stream = async_stream::stream! {
            while let Some(page) = pages.next().await {
                match page {
                    Ok(page) => {
                        for e in page.events {
                            yield Ok(e);
                        }
                        if let Err(e) = page.ack.commit().await {
                            yield Err(SourceError::Checkpoint(e));
                            break;
                        }
                    }
                    Err(e) => {
                        yield Err(e);
                        break;
                    }
                }
            }
        };
        stream.boxed()
    }
}
