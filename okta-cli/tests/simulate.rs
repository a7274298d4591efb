//! `okta-cli simulate` as a real process: export determinism, and a served org answering HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn okta_cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_okta-cli"))
}

fn export(n: usize, seed: u64) -> Vec<u8> {
    let out = okta_cli()
        .args([
            "simulate",
            "--export",
            &n.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn export_is_deterministic_json_lines() {
    let a = export(400, 4);
    assert_eq!(a, export(400, 4));
    assert_ne!(a, export(400, 5));
    let lines: Vec<&[u8]> = a.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 400);
    for l in lines {
        let v: serde_json::Value = serde_json::from_slice(l).unwrap();
        assert!(v["uuid"].is_string() && v["eventType"].is_string() && v["published"].is_string());
    }
}

#[test]
fn bad_flags_are_usage_or_clear_errors() {
    let out = okta_cli()
        .args(["simulate", "--rate-limit", "lots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid rate limit"));
    let out = okta_cli()
        .args(["simulate", "--events", "many"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn serves_the_logs_api_on_loopback() {
    let mut child = okta_cli()
        .args([
            "simulate",
            "--events",
            "50",
            "--rate",
            "0",
            "--token",
            "cli-test-token",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut url = None;
    let mut line = String::new();
    while url.is_none() && stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(i) = line.find("http://127.0.0.1:") {
            url = Some(line[i..].trim().to_string());
        }
        line.clear();
    }
    let url = url.expect("the URL is printed on stderr");
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /api/v1/logs?limit=1000 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: SSWS cli-test-token\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.to_lowercase().contains("rel=\"next\""));
    let events: Vec<serde_json::Value> = serde_json::from_str(body).unwrap();
    assert_eq!(events.len(), 50);
}
