//! End-to-end tests of `piiscan scan` and `piiscan rules`: the built binary
//! on synthetic files, checked the way a user or a script would check it.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn piiscan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    c.env_remove("PIISCAN_KEY");
    c
}

fn run(args: &[&str], dir: &Path) -> Output {
    piiscan().args(args).current_dir(dir).output().unwrap()
}

fn events(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL line {l:?}: {e}")))
        .collect()
}

fn of_type<'a>(events: &'a [Value], t: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == t).collect()
}

const CHAT: &str = "Оператор: Добрый день! Чем могу помочь?\n\
Клиент: Мой телефон +7 912 345-67-89, почта anna.petrova@example.ru\n\
Клиент: карта 2202 9198 2703 8392, СНИЛС 726-319-011 82, ИНН 695935804505\n\
Оператор: заказ 2024011512345 от 15.01.2024 передан, трек 4433495342535343\n\
Клиент: паспорт 45 08 123456, дата рождения 05.03.1984\n";

const VALUES: [(&str, &str); 7] = [
    ("phone", "+7 912 345-67-89"),
    ("email", "anna.petrova@example.ru"),
    ("card", "2202 9198 2703 8392"),
    ("snils", "726-319-011 82"),
    ("inn", "695935804505"),
    ("passport_ru", "45 08 123456"),
    ("birth_date", "05.03.1984"),
];

#[test]
fn jsonl_findings_have_exact_spans_and_no_raw_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("chat.txt"), CHAT).unwrap();
    let out = run(&["scan", "--format", "jsonl", "chat.txt"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev = events(&out);
    let findings = of_type(&ev, "finding");
    let bytes = CHAT.as_bytes();
    let mut got: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            let (s, e) = (
                f["start"].as_u64().unwrap() as usize,
                f["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(f["path"], "chat.txt");
            assert!(f["fingerprint"].as_str().unwrap().len() == 32);
            let line = CHAT[..s].matches('\n').count() + 1;
            assert_eq!(f["line"].as_u64().unwrap() as usize, line);
            (
                f["kind"].as_str().unwrap().to_string(),
                String::from_utf8(bytes[s..e].to_vec()).unwrap(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = VALUES
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
    // The report must not carry any raw value.
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    for (_, v) in VALUES {
        assert!(!stdout.contains(v), "raw value {v} leaked into the report");
    }
    let summary = of_type(&ev, "summary");
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0]["findings"], 7);
    assert_eq!(summary[0]["files_scanned"], 1);
    assert_eq!(summary[0]["fingerprints_comparable_across_runs"], false);
}

#[test]
fn show_values_prints_them_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "mail ivan@example.com\n").unwrap();
    let out = run(
        &["scan", "-f", "jsonl", "--show-values", "a.txt"],
        dir.path(),
    );
    let ev = events(&out);
    assert_eq!(of_type(&ev, "finding")[0]["value"], "ivan@example.com");
    assert_eq!(of_type(&ev, "finding")[0]["masked"], "i***@example.com");
}

#[test]
fn exit_codes_clean_findings_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("clean.txt"),
        "nothing personal here, version 1.2.3\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("pii.txt"), "ivan@example.com\n").unwrap();
    assert_eq!(
        run(&["scan", "clean.txt"], dir.path()).status.code(),
        Some(0)
    );
    assert_eq!(run(&["scan", "pii.txt"], dir.path()).status.code(), Some(1));
    // A missing file is an error (exit 2), and the other files are still scanned.
    let out = run(
        &["scan", "-f", "jsonl", "missing.txt", "pii.txt"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let ev = events(&out);
    assert_eq!(of_type(&ev, "finding").len(), 1);
    let errors = of_type(&ev, "error");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "missing.txt");
    // Below the threshold nothing counts.
    assert_eq!(
        run(
            &["scan", "--min-confidence", "0.999", "pii.txt"],
            dir.path()
        )
        .status
        .code(),
        Some(0)
    );
    // Bad arguments are errors too.
    assert_eq!(
        run(&["scan", "--min-confidence", "7", "pii.txt"], dir.path())
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn binary_and_oversized_files_are_reported_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blob.bin"), b"\x00\x01ivan@example.com\x00").unwrap();
    std::fs::write(dir.path().join("big.txt"), "ivan@example.com\n".repeat(100)).unwrap();
    let out = run(
        &["scan", "-f", "jsonl", "--max-filesize", "1K", "."],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let ev = events(&out);
    let mut skipped: Vec<(String, String)> = of_type(&ev, "skipped")
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            ("big.txt".to_string(), "too large".to_string()),
            ("blob.bin".to_string(), "binary".to_string())
        ]
    );
    let summary = of_type(&ev, "summary")[0];
    assert_eq!(summary["files_skipped"], 2);
    assert_eq!(summary["skipped_by_reason"]["binary"], 1);
}

/// A killed `redact --in-place` leaves its `.piiscan-*.tmp` beside the
/// target (a half-written gzip, say): the next run over the tree says it
/// skipped it instead of failing on it or redacting it. Named on the
/// command line, such a file is still scanned.
#[test]
fn leftover_temporary_files_are_skipped_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("sub")).unwrap();
    let leftover = root.join("sub/.piiscan-Ab12Cd.tmp");
    std::fs::write(&leftover, b"\x1f\x8b\x08\x00half a gzip ivan@example.com").unwrap();
    std::fs::write(root.join("sub/data.txt"), "ivan@example.com\n").unwrap();
    let out = run(&["scan", "-f", "jsonl", "."], root);
    assert_eq!(out.status.code(), Some(1));
    let ev = events(&out);
    let skipped: Vec<(&str, &str)> = of_type(&ev, "skipped")
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [(
            "sub/.piiscan-Ab12Cd.tmp",
            "piiscan temporary file (left by an interrupted run)"
        )]
    );
    assert_eq!(of_type(&ev, "finding").len(), 1);
    let before = std::fs::read(&leftover).unwrap();
    // Exit 1: values were replaced (not 2: no error).
    let out = run(&["redact", "--in-place", "."], root);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&leftover).unwrap(), before);
    let out = run(&["scan", "-f", "jsonl", "sub/.piiscan-Ab12Cd.tmp"], root);
    assert!(of_type(&events(&out), "skipped").is_empty());
}

#[test]
fn compliance_defaults_scan_hidden_and_ignored_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join(".gitignore"), "ignored.txt\n").unwrap();
    std::fs::write(root.join("ignored.txt"), "a@example.com\n").unwrap();
    std::fs::create_dir(root.join(".hidden")).unwrap();
    std::fs::write(root.join(".hidden/h.txt"), "b@example.com\n").unwrap();
    let count = |args: &[&str]| {
        let mut a = vec!["scan", "-f", "jsonl"];
        a.extend_from_slice(args);
        a.push(".");
        of_type(&events(&run(&a, root)), "finding").len()
    };
    assert_eq!(count(&[]), 2);
    assert_eq!(count(&["--respect-gitignore"]), 1);
    assert_eq!(count(&["--no-hidden"]), 1);
    assert_eq!(count(&["--glob", "!*.txt"]), 0);
}

#[test]
fn stdin_is_scanned_with_dash() {
    let mut child = piiscan()
        .args(["scan", "-f", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("тел 8 (8452) 12-34-56\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let ev = events(&out);
    let f = of_type(&ev, "finding");
    assert_eq!(f[0]["path"], "-");
    assert_eq!(f[0]["rule"], "phone.ru");
    assert_eq!(f[0]["start"], "тел ".len());
}

#[test]
fn fingerprints_are_keyed_by_the_environment_key() {
    let dir = tempfile::tempdir().unwrap();
    // The same phone in two spellings: one fingerprint.
    std::fs::write(
        dir.path().join("a.txt"),
        "тел +7 912 345-67-89\nтел 8 (912) 345 67 89\n",
    )
    .unwrap();
    let fps = |key: &str| -> Vec<String> {
        let out = piiscan()
            .args(["scan", "-f", "jsonl", "a.txt"])
            .env("PIISCAN_KEY", key)
            .current_dir(dir.path())
            .output()
            .unwrap();
        of_type(&events(&out), "finding")
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let a = fps("key-one");
    assert_eq!(a.len(), 2);
    assert_eq!(a[0], a[1], "spellings of one number share a fingerprint");
    assert_eq!(a, fps("key-one"));
    assert_ne!(a, fps("key-two"));
}

#[test]
fn json_and_csv_formats() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), CHAT).unwrap();
    let out = run(&["scan", "-f", "json", "a.txt"], dir.path());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 7);
    assert_eq!(doc["summary"]["findings"], 7);
    let out = run(&["scan", "-f", "csv", "a.txt"], dir.path());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("path,kind,rule,start,end")
    );
    assert_eq!(lines.count(), 7);
}

#[test]
fn text_output_is_ripgrep_like_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "x\nsee ivan@example.com\n").unwrap();
    let out = run(&["scan", "a.txt"], dir.path());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("a.txt:2:5: email i***@example.com (email, 0.95)\n"),
        "{text}"
    );
    assert!(text.contains("1 findings: email 1"));
    assert!(text.contains("1 files scanned, 0 skipped, 0 errors"));
}

#[test]
fn rules_list_and_check() {
    let out = piiscan().args(["rules", "list"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "email",
        "phone.ru",
        "card",
        "snils",
        "inn.person",
        "passport_ru",
        "birth_date",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} missing from rules list"
        );
    }
    let out = piiscan().args(["rules", "check"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(
        &file,
        r#"[[rule]]
id = "acme.ticket"
kind = "person"
description = "ACME ticket owner id"
pattern = "TCK-[0-9]{5}"
confidence = 0.8
examples = ["owner [[TCK-12345]]", "owner TCK-1234"]
"#,
    )
    .unwrap();
    let out = piiscan()
        .args(["rules", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("FAIL acme.ticket: example \"owner TCK-1234\""),
        "{text}"
    );

    std::fs::write(&file, "[[rule]]\nid = 1\n").unwrap();
    let out = piiscan()
        .args(["rules", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn legacy_encodings_report_spans_in_the_original_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let text = "ФИО;Телефон;Почта\nИванова Анна;+7 912 345-67-89;anna@example.ru\n";
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    std::fs::write(dir.path().join("crm.txt"), &cp1251).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(dir.path().join("crm16.txt"), &utf16).unwrap();
    for (name, bytes, enc) in [
        ("crm.txt", &cp1251[..], encoding_rs::WINDOWS_1251),
        ("crm16.txt", &utf16[..], encoding_rs::UTF_16LE),
    ] {
        let out = run(&["scan", "-f", "jsonl", name], dir.path());
        assert_eq!(out.status.code(), Some(1), "{name}");
        let ev = events(&out);
        let mut got: Vec<String> = of_type(&ev, "finding")
            .iter()
            .map(|f| {
                let (s, e) = (
                    f["start"].as_u64().unwrap() as usize,
                    f["end"].as_u64().unwrap() as usize,
                );
                enc.decode_without_bom_handling(&bytes[s..e]).0.into_owned()
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            ["+7 912 345-67-89", "anna@example.ru", "Иванова Анна"],
            "{name}"
        );
    }
}
