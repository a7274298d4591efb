//! `okta-cli`: a thin assembly of okta-stream and okta-rules.
//!
//! Each subcommand lives in `cmd/<name>.rs`. Exit codes: 0 success, 1 error, 2 usage error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod detect;

/// Turn the Okta System Log into security alerts.
#[derive(Debug, Parser)]
#[command(name = "okta-cli", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the okta.* field table.
    Fields(cmd::fields::Args),
    /// Validate rules files and list rules.
    Rules(cmd::rules::Args),
    /// Follow the System Log of one or more orgs; events (or, with rules, alerts) on stdout.
    Tail(Box<cmd::tail::Args>),
    /// Run a simulated Okta org on loopback (or export generated events with --export N).
    Simulate(cmd::simulate::Args),
    /// Replay exported System Log files (or stdin) as JSON lines on stdout.
    Replay(cmd::replay::Args),
    /// Run a simulated org and tail it through the default rules, in one process (no Okta needed).
    Demo(cmd::demo::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Fields(args) => cmd::fields::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Tail(args) => cmd::tail::run(*args),
        Command::Simulate(args) => cmd::simulate::run(args),
        Command::Replay(args) => cmd::replay::run(args),
        Command::Demo(args) => cmd::demo::run(args),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`okta-cli ... | head`): nothing more to write, not a failure.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("okta-cli: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether `e` comes from writing to a pipe whose reader has closed it.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
