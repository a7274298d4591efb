//! `okta-cli replay [FILES]...`: replay exported System Log files (or stdin) to stdout.
//!
//! Assembly: [`FileSource`] (files in order; `-` or no file is stdin) → bad records reported on
//! stderr and counted ([`events`]) → [`JsonLinesSink`] on stdout (events unchanged, or the
//! `--select`ed fields). A rules stage slots in between `events` and the sink. Stdout carries
//! only the output, so `okta-cli replay x.jsonl | jq` always works; messages and the progress
//! bar (only when stderr is a terminal and the replay takes more than a second) go to stderr.
//!
//! Exit codes: 0 success (bad records skipped with a warning), 1 error (an input cannot be read,
//! or a bad record with `--strict`), 2 usage error (including an unknown `--select` field).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use okta_stream::event::Event;
use okta_stream::sink::stdout::{JsonLinesSink, SendError};
use okta_stream::source::file::{FileSource, Input, SourceError, SourceStats};

use crate::detect::{AlertWriter, RuleArgs};

/// Arguments of `okta-cli replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to replay, in order: JSON lines, pretty-printed JSON, JSON arrays of events, gzip
    /// or not. `-` (or no file) reads stdin.
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Write objects of these fields instead of the events, e.g.
    /// `--select okta.evt.type,okta.actor.name`.
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Stop with exit code 1 at the first bad record instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Replay the embedded sample log (a deterministic simulated org: benign traffic with every
    /// attack scenario) instead of files.
    #[arg(long, conflicts_with = "files")]
    pub sample: bool,
    /// Number of events in the embedded sample log.
    #[arg(long, value_name = "N", default_value_t = SAMPLE_EVENTS, requires = "sample")]
    pub sample_events: usize,
    /// Rule options: with rules, alerts are written instead of events.
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Size of the embedded sample log.
pub const SAMPLE_EVENTS: usize = 5_000;
/// Seed of the embedded sample log (fixed: the sample is the same everywhere).
pub const SAMPLE_SEED: u64 = 20_240_514;

/// The embedded sample log as a replay input.
pub fn sample_input(events: usize) -> Input {
    Input::Memory {
        name: "<sample>".into(),
        data: okta_stream::sim::sample_log(events, SAMPLE_SEED).into(),
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files
    };
    let source = if args.sample {
        FileSource::from_inputs([sample_input(args.sample_events)])
    } else {
        FileSource::new(&files)
    }
    .strict(args.strict);
    if args.rules.wanted() {
        if !args.select.is_empty() {
            stderr_line("okta-cli replay: error: --select cannot be combined with rules");
            return Ok(ExitCode::from(2));
        }
        return run_rules(&source, &args.rules, args.strict);
    }
    let select: Vec<&str> = args
        .select
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let mut sink = match JsonLinesSink::stdout().select(&select) {
        Ok(sink) => sink,
        Err(e) => {
            stderr_line(&format!("okta-cli replay: error: --select: {e}"));
            return Ok(ExitCode::from(2));
        }
    };
    // Check every input before writing anything.
    let total = source.total_input_bytes()?;
    let progress = Progress::new(total, source.stats());
    let stats = source.stats();
    let result = sink.send_iter(events(&source, &progress));
    progress.finish();
    match result {
        Ok(_) => {}
        Err(SendError::Source(e)) => {
            return Err(e).context(if args.strict {
                "replay stopped (--strict)"
            } else {
                "replay stopped"
            })
        }
        Err(SendError::Sink(e)) => return Err(e).context("replay stopped"),
    }
    sink.finish().context("replay stopped")?;
    let bad = stats.bad_records();
    if bad > 0 {
        stderr_line(&format!(
            "replay: {} events, {bad} bad record{} skipped",
            stats.events(),
            if bad == 1 { "" } else { "s" }
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// The replay with rules: source → ruleset → alerts on stdout.
fn run_rules(source: &FileSource, rule_args: &RuleArgs, strict: bool) -> anyhow::Result<ExitCode> {
    let Some(mut ruleset) = rule_args.build()? else {
        return Ok(ExitCode::SUCCESS);
    };
    let total = source.total_input_bytes()?;
    let progress = Progress::new(total, source.stats());
    let stats = source.stats();
    let stdout = std::io::stdout();
    let mut writer = AlertWriter::new(
        okta_stream::sink::whole_lines::WholeLines::with_capacity(64 * 1024, stdout.lock()),
        rule_args.output,
        rule_args.events,
    );
    let mut outcome = Ok(());
    for item in events(source, &progress) {
        let event = match item {
            Ok(event) => event,
            Err(e) => {
                outcome = Err(anyhow::Error::from(e).context(if strict {
                    "replay stopped (--strict)"
                } else {
                    "replay stopped"
                }));
                break;
            }
        };
        if let Err(e) = writer.process(&mut ruleset, &event) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                progress.finish();
                return Ok(ExitCode::SUCCESS);
            }
            return Err(anyhow::Error::from(e).context("writing alerts"));
        }
    }
    progress.finish();
    match writer.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        other => other.context("writing alerts")?,
    }
    outcome?;
    let bad = stats.bad_records();
    stderr_line(&format!(
        "replay: {} events, {} alerts from {} active rules{}",
        stats.events(),
        writer.alerts(),
        ruleset.active_count(),
        if bad > 0 {
            format!(", {bad} bad record(s) skipped")
        } else {
            String::new()
        }
    ));
    Ok(ExitCode::SUCCESS)
}

/// The events of `source` with recoverable bad records reported on stderr and left out; fatal
/// errors (and, in strict mode, the first bad record) stay in the stream and end it.
pub fn events<'a>(
    source: &FileSource,
    progress: &'a Progress,
) -> impl Iterator<Item = Result<Event, SourceError>> + 'a {
    let strict = source.is_strict();
    source.iter().filter_map(move |item| {
        progress.tick();
        match item {
            Err(e @ SourceError::BadRecord { .. }) if !strict => {
                progress.message(&format!("replay: {e} (skipped)"));
                None
            }
            other => Some(other),
        }
    })
}

/// Writes a line to stderr, ignoring failures (a closed stderr must not abort the replay).
fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A progress bar on stderr that appears only when stderr is a terminal and the replay has run
/// for more than a second.
pub struct Progress {
    bar: ProgressBar,
    stats: Arc<SourceStats>,
    started: Instant,
    terminal: bool,
    shown: std::cell::Cell<bool>,
    calls: std::cell::Cell<u32>,
}

impl Progress {
    /// A progress display for a source of `total` input bytes (if known).
    pub fn new(total: Option<u64>, stats: Arc<SourceStats>) -> Progress {
        let bar = match total {
            Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden())
                .with_style(
                    ProgressStyle::with_template(
                        "{spinner} {bytes}/{total_bytes} {wide_bar} {percent}% ({bytes_per_sec}, {eta}) {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(
                ProgressStyle::with_template("{spinner} {bytes} read ({bytes_per_sec}) {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        Progress {
            bar,
            stats,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            shown: std::cell::Cell::new(false),
            calls: std::cell::Cell::new(0),
        }
    }

    /// Called once per item; updates the bar now and then.
    fn tick(&self) {
        let calls = self.calls.get().wrapping_add(1);
        self.calls.set(calls);
        if !self.terminal || calls % 4096 != 0 {
            return;
        }
        if !self.shown.get() {
            if self.started.elapsed() < Duration::from_secs(1) {
                return;
            }
            self.shown.set(true);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
        self.bar.set_position(self.stats.input_bytes());
        self.bar
            .set_message(format!("{} events", self.stats.events()));
    }

    /// Prints a line on stderr without garbling the bar.
    fn message(&self, line: &str) {
        self.bar.suspend(|| stderr_line(line));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
