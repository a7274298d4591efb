//! `okta-cli tail` as a real process against the fake org over loopback: JSON lines on stdout,
//! a clean stop on SIGTERM with the checkpoint saved, and a restart that continues exactly there.

#[path = "../../okta-stream/tests/fake_okta/mod.rs"]
mod fake_okta;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn tail(base: &str, checkpoint: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_okta-cli"))
        .args([
            "tail",
            "--poll-interval",
            "20ms",
            "--requests-per-minute",
            "0",
        ])
        .arg("--checkpoint")
        .arg(checkpoint)
        .env("OKTA_ORG_URL", base)
        .env("OKTA_API_TOKEN", "test-token-abc123")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

type Reader = BufReader<std::process::ChildStdout>;

fn read_lines(child: &mut std::process::Child, n: usize) -> (Vec<String>, Reader) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..n {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "stdout ended early");
        lines.push(line.trim_end().to_string());
    }
    (lines, out)
}

fn sigterm(child: &std::process::Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn uuid_of(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["uuid"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_events_stops_cleanly_and_resumes() {
    let (_org, base) = fake_okta::start(2500).await;
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");

    let mut child = tail(&base, &cp);
    let (first, mut rest) = tokio::task::block_in_place(|| read_lines(&mut child, 1000));
    sigterm(&child);
    // Whatever the page in hand still held is written before the exit.
    let mut tail_lines = Vec::new();
    tokio::task::block_in_place(|| {
        for line in (&mut rest).lines() {
            tail_lines.push(line.unwrap());
        }
    });
    let status = tokio::task::block_in_place(|| child.wait()).unwrap();
    assert!(status.success(), "exit status {status:?}");
    // Each line is the event's exact bytes.
    assert_eq!(first[0], fake_okta::event(0));
    let mut all: Vec<String> = first
        .iter()
        .chain(&tail_lines)
        .map(|l| uuid_of(l))
        .collect();
    assert!(cp.exists(), "the checkpoint is saved on a clean stop");

    let mut child = tail(&base, &cp);
    let remaining = 2500 - all.len();
    assert!(
        remaining >= 500,
        "at most the page in hand follows the stop"
    );
    let (more, _rest) = tokio::task::block_in_place(|| read_lines(&mut child, remaining));
    sigterm(&child);
    let status = tokio::task::block_in_place(|| child.wait()).unwrap();
    assert!(status.success());
    all.extend(more.iter().map(|l| uuid_of(l)));
    let want: Vec<String> = (0..2500).map(|i| format!("uuid-{i:06}")).collect();
    assert_eq!(
        all, want,
        "nothing lost, nothing repeated across a clean restart"
    );
}

#[test]
fn tail_without_credentials_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_okta-cli"))
        .args(["tail", "--org-url", "https://acme.okta.com"])
        .env_remove("OKTA_API_TOKEN")
        .env_remove("OKTA_CLIENT_ID")
        .env_remove("OKTA_PRIVATE_KEY_FILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("credentials"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_with_a_bad_token_fails_with_exit_1_and_no_secret() {
    let (_org, base) = fake_okta::start(10).await;
    let out = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_okta-cli"))
            .args(["tail", "--org-url", &base, "--requests-per-minute", "0"])
            .env("OKTA_API_TOKEN", "not-the-right-token-987")
            .output()
            .unwrap()
    });
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("401") && err.contains("API token"), "{err}");
    assert!(!err.contains("not-the-right-token-987"), "{err}");
    let help = Command::new(env!("CARGO_BIN_EXE_okta-cli"))
        .args(["tail", "--help"])
        .env("OKTA_API_TOKEN", "secret-in-env-555")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("secret-in-env-555"));
}
