//! Library usage: replay a file of System Log events and print a few fields of each.
//!
//! `cargo run --example replay -- events.jsonl [more files, - for stdin]`; with no argument it
//! replays a small built-in sample.
//!
//! Data flow: `FileSource` (JSON lines, pretty JSON or arrays, gzip or not) → for each event,
//! `FieldState::observe` then `Field::extract` for the selected fields → a tab-separated line
//! on stdout. Bad records are reported on stderr and skipped.

use okta_stream::fields::{self, FieldState};
use okta_stream::source::file::{FileSource, SourceError};

const SAMPLE: &str = r#"{"uuid":"1","published":"2024-06-01T10:00:00.000Z","eventType":"user.session.start","actor":{"id":"00u1","type":"User","alternateId":"jane.doe@example.com","displayName":"Jane Doe"},"outcome":{"result":"SUCCESS"}}
{"uuid":"2","published":"2024-06-01T10:00:05.000Z","eventType":"user.mfa.okta_verify.deny_push","actor":{"id":"00u2","type":"User","alternateId":"john.smith@example.com","displayName":"John Smith"},"outcome":{"result":"FAILURE"}}
this line is not JSON
[{"uuid":"3","published":"2024-06-01T10:01:00.000Z","eventType":"user.account.privilege.grant","actor":{"id":"00u1","type":"User","displayName":"Jane Doe"}}]
"#;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Without arguments, write the sample to a temporary file and replay that.
    let sample_dir =
        std::env::temp_dir().join(format!("okta-replay-example-{}", std::process::id()));
    let source = if args.is_empty() {
        std::fs::create_dir_all(&sample_dir)?;
        let path = sample_dir.join("sample.jsonl");
        std::fs::write(&path, SAMPLE)?;
        FileSource::new([path])
    } else {
        FileSource::new(&args)
    };

    let names = ["okta.evt.type", "okta.actor.name"];
    let selected = names
        .iter()
        .map(|n| fields::resolve_str(n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut state = FieldState::new();
    println!("{}", names.join("\t"));
    for item in source.iter() {
        let event = match item {
            Ok(event) => event,
            Err(e @ SourceError::BadRecord { .. }) => {
                eprintln!("skipped: {e}");
                continue;
            }
            Err(fatal) => return Err(fatal.into()),
        };
        state.observe(&event);
        let values: Vec<String> = selected
            .iter()
            .map(|f| {
                f.extract(&event, &state)
                    .map_or("<NA>".into(), |v| v.to_string())
            })
            .collect();
        println!("{}", values.join("\t"));
    }
    let stats = source.stats();
    eprintln!(
        "{} events, {} bad records, {} bytes",
        stats.events(),
        stats.bad_records(),
        stats.bytes()
    );
    if args.is_empty() {
        let _ = std::fs::remove_dir_all(&sample_dir);
    }
    Ok(())
}
