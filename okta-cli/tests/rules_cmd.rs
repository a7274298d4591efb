//! `okta-cli rules validate` and `okta-cli rules list` as a process, on real files.

use std::path::PathBuf;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_okta-cli"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes `text` to a fresh file under the system temp dir.
fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("okta-cli-rules-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const GOOD: &str = "- rule: Lockout\n  desc: d\n  condition: okta.evt.type = user.account.lock\n  output: locked %okta.actor.name\n  priority: NOTICE\n  source: okta\n  tags: [okta, lock]\n- rule: Quiet\n  desc: d\n  condition: okta.evt.type = x\n  output: q\n  priority: DEBUG\n  source: okta\n  enabled: false\n";

#[test]
fn validate_good_file_exits_0() {
    let p = write("good.yaml", GOOD);
    let (code, _out, err) = run(&["rules", "validate", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 rule(s) loaded (1 enabled)"), "{err}");
}

#[test]
fn validate_bad_file_prints_all_errors_and_exits_1() {
    let p = write(
        "bad.yaml",
        "- rule: A\n  desc: d\n  condition: okta.evt.typ = x\n  output: o\n  priority: NOTICE\n  source: okta\n- rule: B\n  desc: d\n  condition: okta.evt.type = x\n  output: \"%okta.actor.nam\"\n  priority: NOTICE\n  source: okta\n",
    );
    let (code, _out, err) = run(&["rules", "validate", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let file = p.display().to_string();
    assert!(
        err.contains(&format!(
            "{file}:3:14: error: unknown field 'okta.evt.typ' (did you mean 'okta.evt.type'?)"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:10:13: error: unknown field 'okta.actor.nam'"
        )),
        "{err}"
    );
    assert!(err.contains("   |              ^~~~~~~~~~~~"), "{err}");
    assert!(err.contains("2 error(s)"), "{err}");
}

#[test]
fn validate_needs_a_file_and_reports_missing_files() {
    let (code, _, _) = run(&["rules", "validate"]);
    assert_eq!(code, 2);
    let (code, _, err) = run(&["rules", "validate", "/nonexistent/rules.yaml"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read rules file"), "{err}");
}

#[test]
fn list_files_as_table_and_json() {
    let p = write("list.yaml", GOOD);
    let (code, out, err) = run(&["rules", "list", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("NAME "));
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("Lockout "));
    assert!(
        lines[1].contains("Notice") && lines[1].contains("yes") && lines[1].contains("lock,okta")
    );
    assert!(lines[2].contains("Debug") && lines[2].contains(" no "));
    let (code, out, _) = run(&["rules", "list", "--json", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    let rules: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rules[0]["name"], "Lockout");
    assert_eq!(rules[0]["priority"], "Notice");
    assert_eq!(rules[0]["enabled"], true);
    assert_eq!(rules[0]["source"], "okta");
    assert_eq!(rules[0]["tags"], serde_json::json!(["lock", "okta"]));
    assert_eq!(rules[1]["enabled"], false);
}

#[test]
fn list_default_ruleset() {
    let (code, out, err) = run(&["rules", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rules: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rules
        .iter()
        .any(|r| r["name"] == "User accessing OKTA admin section"));
    assert!(rules.iter().all(|r| r["enabled"] == true));
}
