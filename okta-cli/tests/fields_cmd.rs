//! `okta-cli fields` as a process: the aligned table and the JSON document.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_okta-cli"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn table_has_a_header_and_one_aligned_line_per_field() {
    let (code, out) = run(&["fields"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("NAME "), "{}", lines[0]);
    assert_eq!(lines.len(), okta_stream::fields::REGISTRY.len() + 1);
    let type_col = lines[0].find("TYPE").unwrap();
    let arg_col = lines[0].find("ARG").unwrap();
    for line in &lines[1..] {
        let ty = line[type_col..].split_whitespace().next().unwrap();
        assert!(["string", "uint64", "bool", "list"].contains(&ty), "{line}");
        let arg = line[arg_col..].split_whitespace().next().unwrap();
        assert!(
            ["none", "index", "key", "index?", "key?"].contains(&arg),
            "{line}"
        );
    }
    assert!(out.contains("okta.mfa.failure.countlast"));
}

#[test]
fn json_is_one_array_document() {
    let (code, out) = run(&["fields", "--json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = doc.as_array().unwrap();
    assert_eq!(items.len(), okta_stream::fields::REGISTRY.len());
    let lon = items
        .iter()
        .find(|i| i["name"] == "okta.client.geo.lon")
        .unwrap();
    assert_eq!(lon["type"], "string");
    assert_eq!(lon["arg"], "none");
    assert_eq!(lon["missing"], "empty");
    assert_eq!(lon["falco"], true);
    let debug = items.iter().find(|i| i["name"] == "okta.debug").unwrap();
    assert_eq!(debug["arg"], "key");
    assert_eq!(debug["missing"], "absent");
    assert_eq!(debug["falco"], false);
}
