//! `okta-cli tail`: follow one or more orgs' System Log and print events or alerts.
//!
//! Flow: the arguments (or `--config FILE`) become one or more `OktaSource`s sharing a stop
//! signal; their page streams are merged and handed to [`pipeline`], which passes each page's
//! events to a [`PageHandler`] and only then commits the page, so the checkpoint never gets ahead
//! of what was written. Without rules the handler is [`JsonLines`] (each event's exact bytes);
//! with `--rules FILE...` or `--default-rules` it is [`AlertWriter`]: every event goes through an
//! `okta_rules::Ruleset` and its alerts are written as Falco JSON (default) or text lines
//! (`--events` also passes every event through). Both flush once per page. SIGINT/SIGTERM fire
//! the stop signal: the page in hand is finished, flushed and committed, and the process exits 0.
//! A second signal exits at once (code 130); the checkpoint still holds the last committed page.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use futures::stream::BoxStream;
use futures::StreamExt;
use okta_rules::Ruleset;
use okta_stream::source::okta::{
    self as okta, since::parse_duration, Credentials, OAuthCredentials, OktaSource, Page,
    SigningKey, SourceError, SourcesConfig, StopSignal, TimeSpec,
};
use okta_stream::Event;

use crate::detect::{AlertWriter, RuleArgs};

/// Arguments of `okta-cli tail`.
#[derive(clap::Args)]
pub struct Args {
    /// The Okta org, e.g. https://acme.okta.com.
    #[arg(long, env = "OKTA_ORG_URL")]
    pub org_url: Option<String>,
    /// SSWS API token (prefer the environment variable to keep it off the command line).
    #[arg(long, env = "OKTA_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// OAuth service app client id (with --private-key-file).
    #[arg(long, env = "OKTA_CLIENT_ID")]
    pub client_id: Option<String>,
    /// OAuth private key: PEM (PKCS#8, PKCS#1, SEC1) or JWK; RS256 or ES256.
    #[arg(long, env = "OKTA_PRIVATE_KEY_FILE")]
    pub private_key_file: Option<PathBuf>,
    /// Key id (kid) of the private key as registered with the app.
    #[arg(long)]
    pub key_id: Option<String>,
    /// Start without a checkpoint: RFC 3339 time or a duration back (2h, 15m, 30s). Default 5m.
    #[arg(long, value_parser = parse_time)]
    pub since: Option<TimeSpec>,
    /// End of a bounded backfill (RFC 3339 or duration back); the command exits when done.
    #[arg(long, value_parser = parse_time)]
    pub until: Option<TimeSpec>,
    /// Checkpoint file: resume from it, save to it after each written page.
    #[arg(long, value_name = "PATH")]
    pub checkpoint: Option<PathBuf>,
    /// Wait after a page that was not full (e.g. 10s, 500ms).
    #[arg(long, value_parser = parse_dur, default_value = "10s")]
    pub poll_interval: Duration,
    /// Local request quota per minute (0 = only Okta's headers pace).
    #[arg(long, default_value_t = okta::pace::DEFAULT_REQUESTS_PER_MINUTE)]
    pub requests_per_minute: u32,
    /// Wait for the rate-limit window reset once X-Rate-Limit-Remaining is at or below this.
    #[arg(long, default_value_t = okta::pace::DEFAULT_RESERVE)]
    pub rate_limit_reserve: u64,
    /// SCIM filter expression, passed to Okta.
    #[arg(long)]
    pub filter: Option<String>,
    /// Keyword search, passed to Okta.
    #[arg(long)]
    pub q: Option<String>,
    /// HTTP(S) proxy URL.
    #[arg(long)]
    pub proxy: Option<String>,
    /// Per-request timeout (e.g. 45s).
    #[arg(long, value_parser = parse_dur, default_value = "45s")]
    pub timeout: Duration,
    /// JSON file listing several orgs; the per-org options above (and their environment
    /// variables) are then ignored.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Args")
            .field("org_url", &self.org_url)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("client_id", &self.client_id)
            .field("private_key_file", &self.private_key_file)
            .field("checkpoint", &self.checkpoint)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn parse_time(s: &str) -> Result<TimeSpec, String> {
    TimeSpec::parse(s).map_err(|e| e.to_string())
}

fn parse_dur(s: &str) -> Result<Duration, String> {
    parse_duration(s.trim()).ok_or_else(|| format!("invalid duration {s:?} (e.g. 10s, 500ms, 2m)"))
}

pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// What a pipeline does with each page's events before the page is committed.
pub trait PageHandler {
    /// Handles (and durably hands on) the events of one page.
    fn handle(&mut self, events: &[Event]) -> anyhow::Result<()>;
}

/// Writes each event's exact bytes plus a newline, flushing once per page.
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }
}

impl<W: Write> PageHandler for JsonLines<W> {
    fn handle(&mut self, events: &[Event]) -> anyhow::Result<()> {
        for e in events {
            self.out.write_all(e.raw())?;
            self.out.write_all(b"\n")?;
        }
        self.out.flush().context("writing events to stdout")?;
        Ok(())
    }
}

/// Runs each event through a ruleset and writes its alerts (and, with `--events`, the event
/// itself) with [`AlertWriter`], flushing once per page.
pub struct Detections<W: Write> {
    ruleset: Ruleset,
    writer: AlertWriter<W>,
}

impl<W: Write> Detections<W> {
    /// Runs `ruleset`, writing with `writer`.
    pub fn new(ruleset: Ruleset, writer: AlertWriter<W>) -> Self {
        Detections { ruleset, writer }
    }

    /// The writer (for its counts).
    pub fn writer(&self) -> &AlertWriter<W> {
        &self.writer
    }
}

impl<W: Write> PageHandler for Detections<W> {
    fn handle(&mut self, events: &[Event]) -> anyhow::Result<()> {
        for e in events {
            self.writer
                .process(&mut self.ruleset, e)
                .context("writing alerts to stdout")?;
        }
        self.writer.flush().context("writing alerts to stdout")?;
        Ok(())
    }
}

/// Totals of a pipeline run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    /// Pages handled and committed.
    pub pages: u64,
    /// Events handled.
    pub events: u64,
    /// Repeated events dropped by the sources.
    pub duplicates: u64,
}

/// Runs pages through `handler`, committing each page after the handler accepted it. Ends when
/// the stream ends (stop signal, bounded read done) or on the first error.
pub async fn pipeline(
    pages: BoxStream<'static, Result<Page, SourceError>>,
    handler: &mut dyn PageHandler,
) -> anyhow::Result<Summary> {
    pipeline_until(pages, handler, |_| false).await
}

/// [`pipeline`] that also ends, after committing a page, once `done` returns true for the
/// totals so far.
pub async fn pipeline_until(
    mut pages: BoxStream<'static, Result<Page, SourceError>>,
    handler: &mut dyn PageHandler,
    mut done: impl FnMut(&Summary) -> bool,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    while let Some(page) = pages.next().await {
        let page = page?;
        handler.handle(&page.events)?;
        page.ack.commit().await?;
        summary.pages += 1;
        summary.events += page.events.len() as u64;
        summary.duplicates += page.duplicates as u64;
        if done(&summary) {
            break;
        }
    }
    Ok(summary)
}

/// Builds the sources from the arguments.
fn sources(args: &Args, stop: &StopSignal) -> anyhow::Result<Result<Vec<OktaSource>, String>> {
    if let Some(path) = &args.config {
        if args.org_url.is_some() || args.checkpoint.is_some() || args.since.is_some() {
            tracing::warn!("--config given: --org-url, --checkpoint, --since and the other per-org options are ignored");
        }
        let cfg = SourcesConfig::load(path)?;
        let mut out = Vec::new();
        for org in &cfg.orgs {
            let b = org.builder(|k| std::env::var(k).ok())?;
            out.push(b.stop_signal(stop.clone()).build()?);
        }
        return Ok(Ok(out));
    }
    let Some(org_url) = &args.org_url else {
        return Ok(Err(
            "--org-url (or OKTA_ORG_URL) is required, or --config FILE".into(),
        ));
    };
    let credentials = match (&args.api_token, &args.client_id, &args.private_key_file) {
        (Some(t), None, None) => Credentials::api_token(t.clone()),
        (None, Some(id), Some(key)) => Credentials::OAuth(OAuthCredentials::new(
            id.clone(),
            SigningKey::from_file(key, args.key_id.clone())?,
        )),
        (None, None, None) => {
            return Ok(Err("credentials are required: --api-token (OKTA_API_TOKEN), or --client-id and --private-key-file".into()))
        }
        (Some(_), _, _) => return Ok(Err("give either an API token or OAuth settings, not both".into())),
        _ => return Ok(Err("OAuth needs both --client-id and --private-key-file".into())),
    };
    let mut b = OktaSource::builder()
        .org_url(org_url)
        .credentials(credentials)
        .poll_interval(args.poll_interval)
        .requests_per_minute(args.requests_per_minute)
        .rate_limit_reserve(args.rate_limit_reserve)
        .timeout(args.timeout)
        .stop_signal(stop.clone());
    if let Some(s) = args.since {
        b = b.since(s);
    }
    if let Some(u) = args.until {
        b = b.until(u);
    }
    if let Some(c) = &args.checkpoint {
        b = b.checkpoint(c);
    }
    if let Some(f) = &args.filter {
        b = b.filter(f);
    }
    if let Some(q) = &args.q {
        b = b.q(q);
    }
    if let Some(p) = &args.proxy {
        b = b.proxy(p);
    }
    Ok(Ok(vec![b.build()?]))
}

/// Fires `stop` on the first SIGINT/SIGTERM; exits at once on the second.
fn watch_signals(stop: okta::StopHandle) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            let mut first = true;
            loop {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                if first {
                    tracing::info!(
                        "stopping: finishing the page in hand and saving the checkpoint"
                    );
                    stop.stop();
                    first = false;
                } else {
                    eprintln!("okta-cli: second signal, exiting now");
                    std::process::exit(130);
                }
            }
        });
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.stop();
            }
        });
    }
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging(args.verbose);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let ruleset = args.rules.build()?;
    runtime.block_on(async move {
        let (handle, stop) = StopSignal::new();
        let sources = match sources(&args, &stop)? {
            Ok(s) => s,
            Err(usage) => {
                eprintln!("okta-cli tail: {usage}");
                return Ok(ExitCode::from(2));
            }
        };
        if sources.is_empty() {
            bail!("no org to read");
        }
        watch_signals(handle)?;
        for s in &sources {
            tracing::info!(org = %s.org(), first_url = s.first_url(), "tailing");
        }
        let pages = okta::merge_pages(sources);
        let stdout = std::io::stdout();
        let out = okta_stream::sink::whole_lines::WholeLines::with_capacity(1 << 16, stdout.lock());
        let summary = match ruleset {
            None => pipeline(pages, &mut JsonLines::new(out)).await?,
            Some(ruleset) => {
                let writer = AlertWriter::new(out, args.rules.output, args.rules.events);
                let mut handler = Detections::new(ruleset, writer);
                let summary = pipeline(pages, &mut handler).await?;
                tracing::info!(alerts = handler.writer().alerts(), "alerts written");
                summary
            }
        };
        tracing::info!(
            pages = summary.pages,
            events = summary.events,
            duplicates = summary.duplicates,
            "done"
        );
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::AlertFormat;
    use okta_rules::EngineOptions;

    const RULES: &str = "- rule: Lockout\n  desc: d\n  condition: okta.evt.type = user.account.lock\n  output: locked %okta.actor.name\n  priority: WARNING\n  source: okta\n";

    fn event(uuid: &str, ty: &str) -> Event {
        let json = format!(
            r#"{{"uuid":"{uuid}","published":"2024-05-14T14:07:31.295Z","eventType":"{ty}","actor":{{"displayName":"Bob"}}}}"#
        );
        Event::from_bytes(json.into_bytes()).unwrap()
    }

    /// A writer into a shared buffer, so the test can read what was written.
    #[derive(Clone, Default)]
    struct Buf(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn run(format: AlertFormat, events: bool, page: &[Event]) -> String {
        let rs = Ruleset::load_strs(&[("r.yaml", RULES)], &EngineOptions::default()).unwrap();
        let buf = Buf::default();
        let mut d = Detections::new(rs, AlertWriter::new(buf.clone(), format, events));
        d.handle(page).unwrap();
        let out = buf.0.borrow().clone();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn alerts_as_json_or_text() {
        let page = [
            event("1", "user.session.start"),
            event("2", "user.account.lock"),
        ];
        let out = run(AlertFormat::Json, false, &page);
        assert_eq!(out.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["rule"], "Lockout");
        assert_eq!(v["priority"], "Warning");
        let out = run(AlertFormat::Text, false, &page);
        assert!(out.ends_with(": Warning locked Bob\n"), "{out}");
    }

    #[test]
    fn events_pass_through_before_their_alerts() {
        let page = [
            event("1", "user.account.lock"),
            event("2", "user.session.start"),
        ];
        let out = run(AlertFormat::Json, true, &page);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with(r#"{"uuid":"1""#));
        assert!(lines[1].contains(r#""rule":"Lockout""#));
        assert!(lines[2].starts_with(r#"{"uuid":"2""#));
    }
}
