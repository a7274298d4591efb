//! End-to-end tests of `okta-cli replay`, running the built binary on real temporary files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_okta-cli");

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../okta-stream/tests/fixtures/okta-samples")
        .join(rel)
}

fn replay(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .arg("replay")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(data).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Three distinct events as JSON lines.
fn events_jsonl() -> String {
    (1..=3)
        .map(|i| {
            format!(
                "{{\"uuid\":\"u{i}\",\"eventType\":\"user.session.start\",\"actor\":{{\"displayName\":\"User {i}\"}},\"odd\" : [ {i} ]}}\n"
            )
        })
        .collect()
}

#[test]
fn json_lines_pass_through_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, events_jsonl()).unwrap();
    let out = replay(&[path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), events_jsonl());
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn several_files_in_order_gzip_and_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.log"); // gzip, detected by content
    std::fs::write(&a, "{\"n\":1}\n").unwrap();
    std::fs::write(&b, gzip(b"{\"n\":2}\n{\"n\":3}\n")).unwrap();
    let page = fixture("okta-official/openapi_ListLogs.json");
    let out = replay(
        &[
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            page.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(&lines[..3], ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"]);
    // The pretty-printed array element comes out as one line with the same content.
    let event: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&page).unwrap()).unwrap();
    assert_eq!(event, original[0]);
}

#[test]
fn stdin_with_dash_and_without_files() {
    let input = events_jsonl();
    for args in [&["-"][..], &[][..]] {
        let out = replay(args, Some(input.as_bytes()));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), input);
    }
    let out = replay(&["-"], Some(&gzip(input.as_bytes())));
    assert_eq!(text(&out.stdout), input);
}

#[test]
fn bad_records_are_reported_with_file_and_line_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    std::fs::write(
        &path,
        "{\"n\":1}\n{\"n\": oops}\n[\"not an object\"]\n{\"n\":2}\n{\"n\":\n",
    )
    .unwrap();
    let out = replay(&[path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\"n\":1}\n{\"n\":2}\n");
    let stderr = text(&out.stderr);
    let name = path.display().to_string();
    assert!(
        stderr.contains(&format!("{name}:2: bad record")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{name}:3: bad record")),
        "{stderr}"
    );
    assert!(stderr.contains("found a string"), "{stderr}");
    assert!(
        stderr.contains(&format!("{name}:5: bad record")),
        "{stderr}"
    );
    assert!(
        stderr.contains("replay: 2 events, 3 bad records skipped"),
        "{stderr}"
    );
}

#[test]
fn strict_mode_fails_on_the_first_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    std::fs::write(&path, "{\"n\":1}\nnot json\n{\"n\":2}\n").unwrap();
    let out = replay(&["--strict", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "{\"n\":1}\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("mixed.jsonl:2"), "{stderr}");
    assert!(stderr.contains("--strict"), "{stderr}");
}

#[test]
fn missing_file_is_an_error_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, "{\"n\":1}\n").unwrap();
    let missing = dir.path().join("missing.jsonl");
    let out = replay(&[good.to_str().unwrap(), missing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("missing.jsonl"), "{stderr}");
    assert!(stderr.contains("No such file"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let out = replay(&["--no-such-flag"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = replay(&["--select", "okta.evt.typo", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("okta.evt.type"), "did you mean");
    // Rule options are checked with the arguments, rules or not.
    for bad in [["--rule-matching", "most"], ["-p", "loud"]] {
        let out = replay(&bad, Some(b""));
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(text(&out.stderr).contains(bad[1]), "{bad:?}");
    }
}

#[test]
fn a_missing_rules_file_is_named_once() {
    let out = replay(&["--rules", "no-such-rules.yaml", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no-such-rules.yaml"), "{stderr}");
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
}

#[test]
fn select_writes_one_json_object_per_event() {
    let out = replay(
        &[
            "--select",
            "okta.evt.type,okta.actor.name",
            fixture("okta-official/docs_rl-system-log-events_system.operation.rate_limit.violation.jsonl")
                .to_str()
                .unwrap(),
            fixture("demisto-content/Okta_v2_test_data_get_logs_response.json")
                .to_str()
                .unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0]["okta.evt.type"],
        "system.operation.rate_limit.violation"
    );
    assert_eq!(rows[0]["okta.actor.name"], "John Smith");
    assert_eq!(rows[4]["okta.actor.name"], "dummy name");
    assert_eq!(rows[0].as_object().unwrap().len(), 2);
}

#[test]
fn closed_stdout_is_a_clean_stop() {
    // Enough output to fill the pipe; the reader closes after the first line.
    let line = format!("{{\"pad\":\"{}\"}}\n", "x".repeat(1000));
    let input = line.repeat(5000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    std::fs::write(&path, &input).unwrap();
    let mut child = Command::new(BIN)
        .args(["replay", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn sample_through_default_rules_raises_every_scenario_alert() {
    let out = replay(
        &["--sample", "--default-rules", "--rule-matching", "all"],
        None,
    );
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let mut rules = std::collections::BTreeSet::new();
    for line in text(&out.stdout).lines() {
        let alert: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(alert["source"], "okta");
        assert!(alert["output"].as_str().is_some_and(|o| !o.is_empty()));
        rules.insert(alert["rule"].as_str().unwrap().to_string());
    }
    for expected in [
        "Admin permission has been assigned to a user in OKTA",
        "Creating a new OKTA API token",
        "User initiating impersonation session in OKTA",
        "removing all MFA factor from user in OKTA",
        "Too many denied MFA Pushes in last 5min",
        "User accessing OKTA admin section",
    ] {
        assert!(
            rules.contains(expected),
            "no alert for {expected}: {rules:?}"
        );
    }
    assert!(
        text(&out.stderr).contains("5000 events"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn user_rules_file_text_output_and_events_passthrough() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "- rule: Deactivation\n  desc: d\n  condition: okta.evt.type = user.lifecycle.deactivate\n  output: \"deactivated (by=%okta.actor.name target=%okta.target.user.name)\"\n  priority: WARNING\n  source: okta\n",
    )
    .unwrap();
    let input = fixture("okta-official/docs_event-hook-nodejs_user.lifecycle.deactivate.json");
    let r = rules.to_str().unwrap();
    let i = input.to_str().unwrap();
    let out = replay(&["--rules", r, "-o", "text", i], None);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(": Warning deactivated (by="), "{stdout}");

    let out = replay(&["--rules", r, "--events", i], None);
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["eventType"], "user.lifecycle.deactivate");
    assert_eq!(lines[1]["rule"], "Deactivation");

    std::fs::write(&rules, "- rule: Broken\n  condition: okta.evt.typo = x\n").unwrap();
    let out = replay(&["--rules", r, i], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("r.yaml:"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}
