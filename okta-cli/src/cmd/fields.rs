//! `okta-cli fields`: print the okta.* field table.
//!
//! The table and the JSON come from `okta_stream::fields` (the registry renders itself); this
//! module only chooses the format and writes to stdout.

use std::io::Write;
use std::process::ExitCode;

/// Arguments of `okta-cli fields`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON array of objects (name, type, arg, description, missing, falco) instead of
    /// the table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&okta_stream::fields::json_reference())?;
        json.push('\n');
        json
    } else {
        okta_stream::fields::text_table()
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `okta-cli fields | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(anyhow::Error::new(e).context("writing the field table to stdout")),
    }
}
