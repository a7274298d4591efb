//! `okta-cli fields`: print the field table.

use std::process::ExitCode;

/// Arguments of `okta-cli fields`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    for def in okta_stream::fields::REGISTRY {
        if args.json {
            println!(
                "{}",
                serde_json::json!({"name": def.name, "type": def.ty.name(), "arg": def.arg.describe(), "description": def.description})
            );
        } else {
            println!(
                "{}\t{}\t{}\t{}",
                def.name,
                def.ty.name(),
                def.arg.describe(),
                def.description
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
