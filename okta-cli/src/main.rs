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
            eprintln!("okta-cli: error: {}", message(&e));
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

/// The error and its causes, `: `-separated; a cause whose text the message already holds (a
/// library error that prints its source too) is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::message;

    /// An error that prints its source and also returns it as its source.
    #[derive(Debug)]
    struct Wrapper {
        source: std::io::Error,
    }

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot read 'x': {}", self.source)
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(Wrapper { source: io() });
        assert_eq!(message(&e), "cannot read 'x': no such file");
        let e = anyhow::Error::new(io()).context("loading rules");
        assert_eq!(message(&e), "loading rules: no such file");
    }
}
