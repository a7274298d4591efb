//! Library usage: the whole detection pipeline as Stream adapters.
//!
//! `cargo run --example alerts -- events.jsonl [rules.yaml]`; with no argument it runs the
//! embedded simulated sample log through the bundled default ruleset.
//!
//! Data flow: `FileSource` (a Stream of events; bad records are error items) → skip bad records
//! → `apply_rules` (okta-rules' rule-filter stage) → Falco text lines on stdout.

use futures::{StreamExt, TryStreamExt};
use okta_rules::{EngineOptions, RulesStreamExt, Ruleset};
use okta_stream::source::file::{FileSource, Input, SourceError};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let source = match args.first() {
        Some(file) => FileSource::new([file]),
        None => FileSource::from_inputs([Input::Memory {
            name: "<sample>".into(),
            data: okta_stream::sim::sample_log(2_000, 7).into(),
        }]),
    };
    let ruleset = match args.get(1) {
        Some(rules) => Ruleset::load_files(&[rules], &EngineOptions::default())?,
        None => okta_rules::default_ruleset()?,
    };

    let alerts = source
        .into_stream()
        // Report and skip bad records; fatal errors stay in the stream and end it.
        .filter_map(|item| async move {
            match item {
                Err(e @ SourceError::BadRecord { .. }) => {
                    eprintln!("skipped: {e}");
                    None
                }
                other => Some(other),
            }
        })
        .apply_rules(ruleset);

    futures::executor::block_on(alerts.try_for_each(|alert| {
        println!("{}", alert.to_text());
        futures::future::ready(Ok(()))
    }))?;
    Ok(())
}
