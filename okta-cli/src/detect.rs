//! Rule options shared by the commands that run detections (`replay`, `tail`, `demo`).
//!
//! Data flow: [`RuleArgs`] (flags) → [`RuleArgs::build`] (an `okta_rules::Ruleset`, diagnostics
//! printed on stderr) → [`AlertWriter`], which runs each event through the ruleset and writes the
//! alerts (Falco JSON alert lines or Falco text lines), and the events themselves with `--events`.
//! No detection logic lives here: it is all in okta-rules.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use okta_rules::{EngineOptions, Priority, RuleMatching, Ruleset, Selection};
use okta_stream::event::Event;

/// How alerts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AlertFormat {
    /// Falco's JSON alert object, one per line (falcosidekick-compatible).
    Json,
    /// Falco's text line: `14:07:31.295000000: Notice A user has ...`.
    Text,
}

/// Flags selecting and tuning the rules.
#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Rules files (or directories), loaded in order, Falco style. Alerts replace events on stdout.
    #[arg(short = 'r', long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Run the bundled default ruleset (the Falco Okta rules, all enabled, plus okta-stream's
    /// detections); loaded before any `--rules` files.
    #[arg(long)]
    pub default_rules: bool,
    /// Alert format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "json")]
    pub output: AlertFormat,
    /// `first`: only the first matching rule alerts (Falco's default); `all`: every matching rule.
    #[arg(long, value_name = "first|all", default_value = "first", value_parser = parse_rule_matching)]
    pub rule_matching: RuleMatching,
    /// Only run rules at or above this priority (emergency … debug).
    #[arg(short = 'p', long, value_name = "PRIORITY", value_parser = parse_priority)]
    pub min_priority: Option<Priority>,
    /// Disable rules whose name contains this text (Falco's -D). Repeatable.
    #[arg(short = 'D', value_name = "SUBSTRING")]
    pub disable_containing: Vec<String>,
    /// Disable rules with this tag (Falco's -T). Repeatable.
    #[arg(short = 'T', value_name = "TAG")]
    pub disable_tag: Vec<String>,
    /// Only run rules with one of these tags (Falco's -t). Repeatable.
    #[arg(short = 't', value_name = "TAG")]
    pub only_tag: Vec<String>,
    /// Enable rules by name (`*` wildcards), e.g. disabled rules of a file. Repeatable.
    #[arg(long = "enable-rule", value_name = "NAME")]
    pub enable_rule: Vec<String>,
    /// Disable rules by name (`*` wildcards). Repeatable.
    #[arg(long = "disable-rule", value_name = "NAME")]
    pub disable_rule: Vec<String>,
    /// Also write every event (as JSON lines, before its alerts).
    #[arg(long)]
    pub events: bool,
}

impl RuleArgs {
    /// Whether any rules were asked for.
    pub fn wanted(&self) -> bool {
        self.default_rules || !self.rules.is_empty()
    }

    /// Engine options from the flags.
    pub fn engine_options(&self) -> anyhow::Result<EngineOptions> {
        let mut options = EngineOptions {
            rule_matching: self.rule_matching,
            ..EngineOptions::default()
        };
        if let Some(p) = self.min_priority {
            options.min_priority = p;
        }
        let sel = &mut options.selections;
        sel.extend(self.enable_rule.iter().cloned().map(Selection::EnableName));
        sel.extend(
            self.disable_containing
                .iter()
                .cloned()
                .map(Selection::DisableNameContaining),
        );
        sel.extend(
            self.disable_rule
                .iter()
                .cloned()
                .map(Selection::DisableName),
        );
        sel.extend(self.disable_tag.iter().cloned().map(Selection::DisableTag));
        if !self.only_tag.is_empty() {
            sel.push(Selection::OnlyTags(self.only_tag.clone()));
        }
        Ok(options)
    }

    /// Loads the ruleset, printing diagnostics on stderr. `Ok(None)` when no rules were asked for.
    pub fn build(&self) -> anyhow::Result<Option<Ruleset>> {
        if !self.wanted() {
            return Ok(None);
        }
        let options = self.engine_options()?;
        let result = if self.default_rules {
            let mut sources: Vec<(String, String)> = okta_rules::DEFAULT_RULES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect();
            for path in &self.rules {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read rules file '{}'", path.display()))?;
                sources.push((path.display().to_string(), text));
            }
            let refs: Vec<(&str, &str)> = sources
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            Ruleset::load_strs(&refs, &options)
        } else {
            Ruleset::load_files(&self.rules, &options)
        };
        match result {
            Ok(ruleset) => {
                for w in ruleset.warnings() {
                    eprintln!("{w}");
                }
                Ok(Some(ruleset))
            }
            Err(okta_rules::Error::Load { diagnostics }) => {
                for d in &diagnostics.0 {
                    eprintln!("{d}");
                }
                anyhow::bail!(
                    "rules failed to load: {} error(s)",
                    diagnostics.errors().count()
                )
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Runs events through a ruleset and writes alerts (and events with `--events`).
pub struct AlertWriter<W: Write> {
    out: W,
    format: AlertFormat,
    events: bool,
    alerts: u64,
    per_rule: std::collections::BTreeMap<String, u64>,
}

impl<W: Write> AlertWriter<W> {
    /// A writer of alerts in `format` into `out`; `events` also writes each event.
    pub fn new(out: W, format: AlertFormat, events: bool) -> AlertWriter<W> {
        AlertWriter {
            out,
            format,
            events,
            alerts: 0,
            per_rule: std::collections::BTreeMap::new(),
        }
    }

    /// Processes one event; returns the number of alerts written for it.
    pub fn process(&mut self, ruleset: &mut Ruleset, event: &Event) -> io::Result<usize> {
        if self.events {
            okta_stream::sink::stdout::write_event_line(&mut self.out, event)?;
        }
        let mut result = Ok(());
        let mut count = 0usize;
        let format = self.format;
        let out = &mut self.out;
        let per_rule = &mut self.per_rule;
        ruleset.process_with(event, |alert| {
            if result.is_err() {
                return;
            }
            count += 1;
            match per_rule.get_mut(&*alert.rule) {
                Some(n) => *n += 1,
                None => {
                    per_rule.insert(alert.rule.to_string(), 1);
                }
            }
            let line = match format {
                AlertFormat::Json => alert.to_json(),
                AlertFormat::Text => alert.to_text(),
            };
            result = out
                .write_all(line.as_bytes())
                .and_then(|()| out.write_all(b"\n"));
        });
        self.alerts += count as u64;
        result.map(|()| count)
    }

    /// Alerts written so far.
    pub fn alerts(&self) -> u64 {
        self.alerts
    }

    /// Alerts written so far, per rule name.
    pub fn per_rule(&self) -> &std::collections::BTreeMap<String, u64> {
        &self.per_rule
    }

    /// Flushes the output.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `--rule-matching`, checked when the arguments are parsed (a usage error otherwise).
pub fn parse_rule_matching(s: &str) -> Result<RuleMatching, String> {
    s.parse::<RuleMatching>().map_err(|e| e.to_string())
}

/// `-p/--min-priority`, checked when the arguments are parsed (a usage error otherwise).
pub fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse::<Priority>().map_err(|e| e.to_string())
}
