//! `okta-cli tail` as a real process against the fake org over loopback: JSON lines on stdout,
//! a clean stop on SIGTERM with the checkpoint saved, and a restart that continues exactly there.

#[path = "../../okta-stream/tests/fake_okta/mod.rs"]
mod fake_okta;
#[path = "common/rng.rs"]
mod rng;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn tail(base: &str, checkpoint: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_okta-cli"))
        .args([
            "tail",
            "-v",
            "--poll-interval",
            "20ms",
            "--requests-per-minute",
            "0",
        ])
        .arg("--checkpoint")
        .arg(checkpoint)
        .env("OKTA_ORG_URL", base)
        .env("OKTA_API_TOKEN", "test-token-abc123")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the child logged that it is tailing (its signal handlers are then installed).
fn wait_ready(child: &mut std::process::Child) {
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "no 'tailing' log line"
        );
        if line.contains("tailing") {
            break;
        }
    }
    // Keep draining stderr so the child never blocks on it.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
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

/// Lines of the child's stdout on a channel (so that reads can time out), each with whether it
/// ended with a newline (only the last line of a killed process may not).
fn line_channel(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<(String, bool)> {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || loop {
        let mut line = Vec::new();
        match out.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let complete = line.last() == Some(&b'\n');
        if complete {
            line.pop();
        }
        let text = String::from_utf8_lossy(&line).into_owned();
        if tx.send((text, complete)).is_err() {
            break;
        }
    });
    rx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_loses_nothing_and_repeats_at_most_one_page() {
    const TOTAL: usize = 6000;
    const PAGE: usize = 1000;
    const KILLS: usize = 8;
    let (_org, base) = fake_okta::start(TOTAL).await;
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");
    // The kill points come from the clock, or from TAIL_SEED to repeat a failed run's.
    let mut rng = rng::Rng::from_env_or_time("TAIL_SEED");
    let mut next_random = move |bound: usize| rng.below(bound as u64) as usize + 1;
    let mut delivered: Vec<String> = Vec::new();
    let mut unique = std::collections::HashSet::new();
    let mut total_repeats = 0;
    for run in 0..=KILLS {
        let last = run == KILLS;
        let mut child = tail(&base, &cp);
        let lines = line_channel(&mut child);
        if last {
            tokio::task::block_in_place(|| wait_ready(&mut child));
        }
        // Kill after a random number of lines (anywhere inside or across pages); the last run
        // reads to the end and stops cleanly.
        let budget = if last {
            usize::MAX
        } else {
            next_random(2 * PAGE + PAGE / 2)
        };
        let mut repeats = 0;
        let mut read = 0;
        while read < budget && unique.len() < TOTAL {
            let line = tokio::task::block_in_place(|| {
                lines.recv_timeout(std::time::Duration::from_secs(20))
            })
            .expect("tail stalled: events missing");
            let (line, complete) = line;
            assert!(
                complete,
                "a line was cut off while the process was running: {line}"
            );
            read += 1;
            let u = uuid_of(&line);
            if !unique.insert(u.clone()) {
                repeats += 1;
            }
            delivered.push(u);
        }
        if last {
            sigterm(&child);
        } else {
            child.kill().unwrap(); // SIGKILL
        }
        let status = tokio::task::block_in_place(|| child.wait()).unwrap();
        if last {
            assert!(status.success(), "{status:?}");
        }
        // Whatever reached the pipe before the kill was delivered too, except a last line that
        // the kill cut off (the kernel may have copied only part of a write): that is not an
        // event, and the restart must deliver it again.
        let rest: Vec<(String, bool)> = lines.iter().collect();
        let cut = rest.iter().filter(|(_, complete)| !complete).count();
        assert!(
            cut == 0 || (cut == 1 && !rest[rest.len() - 1].1),
            "{rest:?}"
        );
        if cut == 1 {
            eprintln!("run {run}: the kill cut a line off");
        }
        for (line, _) in rest.iter().filter(|(_, complete)| *complete) {
            let u = uuid_of(line);
            if !unique.insert(u.clone()) {
                repeats += 1;
            }
            delivered.push(u);
        }
        assert!(
            repeats <= PAGE,
            "run {run} repeated {repeats} events (more than one page)"
        );
        total_repeats += repeats;
    }
    eprintln!("{KILLS} runs killed with SIGKILL, {total_repeats} events delivered twice");
    let want: Vec<String> = (0..TOTAL).map(|i| format!("uuid-{i:06}")).collect();
    let mut first_seen = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for u in delivered {
        if seen.insert(u.clone()) {
            first_seen.push(u);
        }
    }
    assert_eq!(first_seen, want, "every event arrives, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_reads_several_orgs_from_a_config_file() {
    let (_a, base_a) = fake_okta::start(120).await;
    let (_b, base_b) = fake_okta::start(80).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("orgs.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"orgs":[
              {{"name":"alpha","url":"{base_a}","api_token_env":"ALPHA_TOKEN","checkpoint":"alpha.json","requests_per_minute":0,"poll_interval":"20ms"}},
              {{"name":"beta","url":"{base_b}","api_token_env":"BETA_TOKEN","checkpoint":"beta.json","requests_per_minute":0,"poll_interval":"20ms"}}]}}"#
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_okta-cli"))
        .args(["tail", "--config"])
        .arg(&config)
        .env("ALPHA_TOKEN", "test-token-abc123")
        .env("BETA_TOKEN", "test-token-abc123")
        .env_remove("OKTA_ORG_URL")
        .env_remove("OKTA_API_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines, _out) = tokio::task::block_in_place(|| read_lines(&mut child, 200));
    sigterm(&child);
    let status = tokio::task::block_in_place(|| child.wait()).unwrap();
    assert!(status.success(), "{status:?}");
    let mut counts = std::collections::HashMap::new();
    for l in &lines {
        *counts.entry(uuid_of(l)).or_insert(0) += 1;
    }
    // Both orgs use the same uuids (uuid-000000..): 80 appear twice, 40 once.
    assert_eq!(counts.values().filter(|c| **c == 2).count(), 80);
    assert_eq!(counts.values().filter(|c| **c == 1).count(), 40);
    assert!(dir.path().join("alpha.json").exists() && dir.path().join("beta.json").exists());
}
