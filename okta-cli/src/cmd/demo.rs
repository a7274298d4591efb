//! `okta-cli demo`: a simulated Okta org, tailed through the default rules, in one process.
//!
//! Flow: starts `okta_stream::sim` on loopback (the demo API token, a small backlog of benign
//! traffic, a trickle of live traffic, and every attack scenario once over `--duration`), points
//! an `OktaSource` at it (1 s poll interval, no local quota) and runs its pages through the
//! bundled default ruleset with `tail`'s [`pipeline_until`] and [`Detections`]: alerts go to
//! stdout as they fire (Falco text by default, `-o json`), each page is flushed and then
//! committed. Once the simulator has stored every scenario event and the poller has read
//! everything stored by then, a summary (events seen, alerts per rule, scenarios played) goes to
//! stderr and the command exits 0. `--keep-running` goes on until Ctrl-C. No network or Okta org
//! is needed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use okta_stream::sim::{Scenario, SimConfig, SimServer, DEMO_API_TOKEN};
use okta_stream::source::okta::{since::parse_duration, OktaSource, StopSignal, TimeSpec};

use super::tail::{pipeline_until, Detections};
use crate::detect::{AlertFormat, AlertWriter, RuleArgs};

/// Arguments of `okta-cli demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Time over which the scripted attack scenarios start, e.g. 30s, 2m, 5s. Each scenario then
    /// plays at its real pace (MFA push bombing takes 8 to 30 s), so the demo
    /// ends that much later.
    #[arg(long, value_parser = parse_dur, default_value = "30s")]
    pub duration: Duration,
    /// Keep tailing after the script is over, until Ctrl-C.
    #[arg(long)]
    pub keep_running: bool,
    /// Benign events stored before the demo starts.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub backlog: usize,
    /// Benign events appended per second while the demo runs.
    #[arg(long, value_name = "EPS", default_value_t = 1.0)]
    pub rate: f64,
    /// Seed of the simulated org (same seed, same events).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Rules files to load after the default rules (optional).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub rules: Vec<PathBuf>,
    /// Alert format: Falco text lines (default) or Falco JSON lines.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = AlertFormat::Text)]
    pub format: AlertFormat,
    /// `first`: only the first matching rule alerts (Falco's default); `all`: every matching rule.
    #[arg(long, value_name = "first|all", default_value = "first", value_parser = crate::detect::parse_rule_matching)]
    pub rule_matching: okta_rules::RuleMatching,
    /// Only run rules at or above this priority (emergency … debug).
    #[arg(short = 'p', long, value_name = "PRIORITY", value_parser = crate::detect::parse_priority)]
    pub min_priority: Option<okta_rules::Priority>,
    /// Also write every event (as JSON, before its alerts).
    #[arg(long)]
    pub events: bool,
    /// More logging on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

fn parse_dur(s: &str) -> Result<Duration, String> {
    match parse_duration(s.trim()) {
        Some(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("invalid duration {s:?} (e.g. 30s, 2m)")),
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    super::tail::init_logging(args.verbose);
    let rules = RuleArgs {
        rules: args.rules.clone(),
        default_rules: true,
        output: args.format,
        rule_matching: args.rule_matching,
        min_priority: args.min_priority,
        disable_containing: Vec::new(),
        disable_tag: Vec::new(),
        only_tag: Vec::new(),
        enable_rule: Vec::new(),
        disable_rule: Vec::new(),
        events: args.events,
    };
    let ruleset = rules
        .build()?
        .context("internal: the default ruleset was not loaded")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(demo(args, ruleset))
}

async fn demo(args: Args, ruleset: okta_rules::Ruleset) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let sim = SimServer::start(
        SimConfig::new()
            .api_token(DEMO_API_TOKEN)
            .seed(args.seed)
            .backlog(args.backlog)
            .live_rate(args.rate)
            .demo_timeline(args.duration),
    )
    .await
    .context("starting the simulated org")?;
    let sim = Arc::new(sim);
    let total = Scenario::ALL.len();
    eprintln!(
        "okta-cli demo: simulated org at {} ({} benign events stored); playing {total} attack \
         scenarios over {:?}{}",
        sim.url(),
        args.backlog,
        args.duration,
        if args.keep_running {
            "; Ctrl-C to stop"
        } else {
            ""
        }
    );

    let (stop_handle, stop) = StopSignal::new();
    tokio::spawn({
        let stop_handle = stop_handle.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop_handle.stop();
            }
        }
    });
    // Once every scenario event is stored, the poller is done when it has seen that many events.
    let target = Arc::new(AtomicU64::new(u64::MAX));
    tokio::spawn({
        let sim = sim.clone();
        let target = target.clone();
        async move {
            sim.scenarios_done().await;
            target.store(sim.len() as u64, Ordering::SeqCst);
        }
    });

    let source = OktaSource::builder()
        .org_url(sim.url())
        .api_token(DEMO_API_TOKEN)
        .since(TimeSpec::Ago(Duration::from_secs(86_400)))
        .poll_interval(Duration::from_secs(1))
        .requests_per_minute(0)
        .reset_margin(Duration::ZERO)
        .stop_signal(stop)
        .build()
        .context("configuring the poller")?;
    let stdout = std::io::stdout();
    let mut handler = Detections::new(
        ruleset,
        AlertWriter::new(
            std::io::LineWriter::new(stdout.lock()),
            args.format,
            args.events,
        ),
    );
    let keep_running = args.keep_running;
    let summary = pipeline_until(source.into_pages(), &mut handler, |s| {
        !keep_running && s.events >= target.load(Ordering::SeqCst)
    })
    .await?;

    let played = total - sim.pending_scenarios().min(total);
    let alerts: u64 = handler.writer().per_rule().values().sum();
    let names = if played == total {
        Scenario::ALL
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        "stopped before the script was over".to_string()
    };
    let mut text = format!(
        "okta-cli demo: done after {:.1} s\n  events seen: {} in {} pages\n  scenarios played: {played} of {total}: {names}\n  alerts: {alerts}\n",
        started.elapsed().as_secs_f64(),
        summary.events,
        summary.pages,
    );
    let mut per_rule: Vec<(&String, &u64)> = handler.writer().per_rule().iter().collect();
    per_rule.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (rule, n) in per_rule {
        text.push_str(&format!("  {n:>7}  {rule}\n"));
    }
    eprint!("{text}");
    Ok(ExitCode::SUCCESS)
}
