//! `okta-cli rules`: validate rules files and list rules.
//!
//! `validate FILE...` loads the files in order (as `replay --rules` would) and prints every
//! diagnostic to stderr, compiler style; exit 1 on any error. `list [FILE...]` prints the rules
//! (name, priority, enabled, tags, source) of the files, or of the bundled default ruleset.

use std::path::PathBuf;
use std::process::ExitCode;

use okta_rules::engine::RuleInfo;
use okta_rules::{EngineOptions, Ruleset};

/// Arguments of `okta-cli rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Check rules files: print all errors and warnings; exit 1 on any error.
    Validate {
        /// Rules files (or directories), loaded in order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the rules of rules files (default: the bundled default ruleset).
    List {
        /// Rules files (or directories), loaded in order.
        files: Vec<PathBuf>,
        /// Print one JSON object per rule.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Validate { files } => validate(&files),
        Command::List { files, json } => list(&files, json),
    }
}

fn validate(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    match Ruleset::load_files(files, &EngineOptions::default()) {
        Ok(rs) => {
            for w in rs.warnings() {
                eprintln!("{w}");
            }
            eprintln!(
                "{} rule(s) loaded ({} enabled), {} warning(s)",
                rs.len(),
                rs.active_count(),
                rs.warnings().len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(okta_rules::Error::Load { diagnostics }) => {
            for d in &diagnostics.0 {
                eprintln!("{d}");
            }
            eprintln!(
                "{} error(s), {} warning(s)",
                diagnostics.errors().count(),
                diagnostics.warnings().count()
            );
            Ok(ExitCode::from(1))
        }
        Err(e) => {
            eprintln!("okta-cli: error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

fn list(files: &[PathBuf], json: bool) -> anyhow::Result<ExitCode> {
    let options = EngineOptions::default();
    let loaded = if files.is_empty() {
        okta_rules::default_ruleset_with(&options)
    } else {
        Ruleset::load_files(files, &options)
    };
    let rs = match loaded {
        Ok(rs) => rs,
        Err(okta_rules::Error::Load { diagnostics }) => {
            for d in &diagnostics.0 {
                eprintln!("{d}");
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let infos = rs.rule_infos();
    if json {
        for info in &infos {
            println!("{}", serde_json::to_string(info)?);
        }
    } else {
        print_table(&infos);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(infos: &[RuleInfo]) {
    let name_w = infos
        .iter()
        .map(|i| i.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<name_w$}  {:<13}  {:<7}  {:<6}  TAGS",
        "NAME", "PRIORITY", "ENABLED", "SOURCE"
    );
    for i in infos {
        println!(
            "{:<name_w$}  {:<13}  {:<7}  {:<6}  {}",
            i.name,
            i.priority.as_str(),
            if i.enabled { "yes" } else { "no" },
            i.source,
            i.tags.join(",")
        );
    }
}
