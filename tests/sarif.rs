//! `--format sarif` output validated against the official SARIF 2.1.0
//! schema (`tests/data/sarif-schema-2.1.0.json`; its source is in
//! `tests/data/README.md`) with the `jsonschema` crate, formats included.

use serde_json::Value;
use std::process::Command;

fn validator() -> jsonschema::Validator {
    // Two of the schema's patterns (`run.language` and another language
    // tag) end in `]?$`: a stray `]`, a literal in ECMA-262 regexes, which the crate's meta-schema check of
    // the schema rejects. Escaping it (same meaning) is the only change to
    // the committed file, made here in memory.
    let text = include_str!("data/sarif-schema-2.1.0.json");
    let stray = r#"-[a-zA-Z]{2}]?$"#;
    assert_eq!(
        text.matches(stray).count(),
        2,
        "schema changed: revisit this patch"
    );
    let text = text.replace(stray, r#"-[a-zA-Z]{2}\\]?$"#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_output_is_schema_valid_and_carries_rule_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("клиенты 2024.csv"),
        "name,email,phone\nIvan,ivan@example.com,+7 912 345-67-89\n",
    )
    .unwrap();
    std::fs::write(
        root.join("notes.txt"),
        "badge: EMP-123456\nСНИЛС 112-233-445 95\n",
    )
    .unwrap();
    std::fs::write(root.join("blob.bin"), b"\x00\x01ivan@example.com").unwrap();
    std::fs::write(
        root.join("rules.toml"),
        r#"[[rule]]
id = "acme.badge"
kind = "person"
description = "ACME employee badge"
pattern = "badge: (?P<value>EMP-[0-9]{6})"
confidence = 0.8
"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args([
            "scan",
            "--format",
            "sarif",
            "--rules",
            "rules.toml",
            "клиенты 2024.csv",
            "notes.txt",
            "blob.bin",
            "missing.txt",
        ])
        .env("PIISCAN_KEY", "k")
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "missing.txt is an error");
    let text = String::from_utf8(out.stdout).unwrap();
    for raw in ["ivan@example.com", "345-67-89", "112-233-445", "EMP-123456"] {
        assert!(!text.contains(raw), "raw value {raw} in SARIF");
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    let v = validator();
    let errs = errors(&v, &doc);
    assert!(errs.is_empty(), "{errs:#?}");

    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let badge = rules.iter().position(|r| r["id"] == "acme.badge").unwrap();
    assert_eq!(
        rules[badge]["shortDescription"]["text"],
        "ACME employee badge"
    );
    assert_eq!(rules[badge]["properties"]["kind"], "person");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{results:#?}");
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert_eq!(
            r["partialFingerprints"]["piiscan/valueFingerprint/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }
    let b = results
        .iter()
        .find(|r| r["ruleId"] == "acme.badge")
        .unwrap();
    let region = &b["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["byteOffset"], "badge: ".len());
    assert_eq!(region["byteLength"], "EMP-123456".len());
    let csv = results.iter().find(|r| r["ruleId"] == "email").unwrap();
    let loc = &csv["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        loc["uri"],
        "%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D1%8B%202024.csv"
    );
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let levels: Vec<&str> = notes.iter().map(|n| n["level"].as_str().unwrap()).collect();
    assert!(
        levels.contains(&"note") && levels.contains(&"error"),
        "{notes:?}"
    );

    // The validator is really checking: a broken document fails.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    broken["version"] = Value::from("2.0");
    // Formats are checked: `$schema` must be an absolute URI.
    broken["$schema"] = Value::from("sarif schema");
    let errs = errors(&v, &broken);
    assert_eq!(errs.len(), 3, "{errs:#?}");
}

#[test]
fn an_empty_scan_is_valid_sarif_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "nothing\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(["scan", "-f", "sarif", "a.txt"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errs = errors(&validator(), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
}
