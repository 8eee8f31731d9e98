//! `piiscan diff` end to end: two scans of a tree that changed in between
//! (a new export, a new kind in a known column, a deleted log), compared
//! in text and JSON, with the exit codes a scheduled job relies on.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn piiscan(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(args)
        .current_dir(dir)
        .env_remove("PIISCAN_KEY")
        .output()
        .unwrap()
}

fn inventory(dir: &Path, out: &str) {
    let o = piiscan(&["scan", "-f", "inventory-json", "data"], dir);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(dir.join(out), &o.stdout).unwrap();
}

/// Week 1: a CRM export and a log. Week 2: the log is gone, the export
/// gained a passport column, and a new dump appeared.
fn two_weeks() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("data")).unwrap();
    std::fs::write(
        root.join("data/crm.csv"),
        "name,phone,note\nАнна,+7 912 345-67-89,\nПётр,+7 912 345-67-90,\n",
    )
    .unwrap();
    std::fs::write(root.join("data/app.log"), "login ok for ivan@example.com\n").unwrap();
    inventory(root, "week1.json");

    std::fs::remove_file(root.join("data/app.log")).unwrap();
    std::fs::write(
        root.join("data/crm.csv"),
        "name,phone,note\nАнна,+7 912 345-67-89,паспорт 45 08 123456\nПётр,+7 912 345-67-90,\n",
    )
    .unwrap();
    std::fs::write(
        root.join("data/dump.sql"),
        "COPY public.users (id, email) FROM stdin;\n1\tanna@example.com\n2\tpetr@example.com\n\\.\n",
    )
    .unwrap();
    inventory(root, "week2.json");
    dir
}

#[test]
fn diff_reports_what_appeared_and_disappeared() {
    let dir = two_weeks();
    let out = piiscan(&["diff", "week1.json", "week2.json"], dir.path());
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("+ data/crm.csv  column note  passport_ru  (1 finding, 1 distinct)"),
        "{text}"
    );
    assert!(
        text.contains("+ data/dump.sql  sql public.users.email  email  (2 findings, 2 distinct)"),
        "{text}"
    );
    assert!(
        text.contains("- data/app.log  whole file  email  (1 finding, 1 distinct)"),
        "{text}"
    );
    assert!(text.contains("kinds new overall: passport_ru"), "{text}");
    assert!(
        text.ends_with("2 appeared, 1 disappeared, 1 unchanged\n"),
        "{text}"
    );
    // No raw values in the diff either.
    assert!(!text.contains("345-67-89") && !text.contains("anna@example.com"));
}

#[test]
fn diff_as_json() {
    let dir = two_weeks();
    let out = piiscan(
        &["diff", "--format", "json", "week1.json", "week2.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["type"], "piiscan_inventory_diff");
    assert_eq!(d["old"]["file"], "week1.json");
    assert_eq!(d["new"]["locations"], 3);
    assert_eq!(d["appeared"].as_array().unwrap().len(), 2);
    assert_eq!(
        d["appeared"][1],
        serde_json::json!({"path": "data/dump.sql", "location_type": "sql_column",
            "location": "public.users.email", "kind": "email", "findings": 2, "distinct": 2})
    );
    assert_eq!(d["disappeared"][0]["path"], "data/app.log");
    assert_eq!(d["kinds_appeared"], serde_json::json!(["passport_ru"]));
    assert_eq!(d["kinds_disappeared"], serde_json::json!([]));
    assert_eq!(d["unchanged"], 1);
}

#[test]
fn diff_exit_codes() {
    let dir = two_weeks();
    let code = |args: &[&str]| piiscan(args, dir.path()).status.code();
    // Nothing new: 0, also when something disappeared.
    assert_eq!(code(&["diff", "week2.json", "week2.json"]), Some(0));
    // week2 → week1: the log came back (appeared), so 1; a pure
    // disappearance (a trimmed copy) is 0.
    assert_eq!(code(&["diff", "week2.json", "week1.json"]), Some(1));
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("week2.json")).unwrap()).unwrap();
    doc["locations"].as_array_mut().unwrap().pop();
    std::fs::write(dir.path().join("fewer.json"), doc.to_string()).unwrap();
    assert_eq!(code(&["diff", "week2.json", "fewer.json"]), Some(0));
    // Errors: 2, with a message.
    let out = piiscan(&["diff", "week1.json", "missing.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json: cannot read"));
    let jsonl = piiscan(&["scan", "-f", "jsonl", "data"], dir.path());
    std::fs::write(dir.path().join("events.jsonl"), &jsonl.stdout).unwrap();
    let out = piiscan(&["diff", "week1.json", "events.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(code(&["diff", "-", "-"]), Some(2));
}

#[test]
fn diff_reads_the_new_inventory_from_stdin() {
    let dir = two_weeks();
    let mut child = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(["diff", "week1.json", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let week2 = std::fs::read(dir.path().join("week2.json")).unwrap();
    child.stdin.take().unwrap().write_all(&week2).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 appeared, 1 disappeared"));
}
