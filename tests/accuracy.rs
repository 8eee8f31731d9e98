//! Accuracy gate: the built binary on a generated, labelled corpus.
//!
//! Generates a small corpus (seed 7, ~2 MB) into a temporary directory,
//! runs `piiscan scan DIR --format jsonl`, scores the findings against the
//! labels (`piiscan::eval::score`), prints the Markdown table (visible with
//! `cargo test --test accuracy -- --nocapture`) and fails when a kind's F1
//! drops below its floor in [`F1_FLOORS`].

use std::process::Command;

use piiscan::eval::{corpus, fixtures, score};

/// Per-kind F1 floors: the accuracy this test defends. They follow the
/// targets of the accuracy issue (checksummed kinds 0.99; e-mail, phone and
/// IPs 0.98; passports and birth dates 0.95) and only ever move up. The
/// measurement on main (scripts/eval, seed 1, 20M) was 1.000 for every
/// kind; this test's own corpus is seed 7, 2 MiB.
const F1_FLOORS: &[(&str, f64)] = &[
    ("email", 0.98),
    ("phone", 0.98),
    ("card", 0.99),
    ("ipv4", 0.98),
    ("ipv6", 0.98),
    ("snils", 0.99),
    ("inn", 0.99),
    ("ogrn", 0.99),
    ("iban", 0.99),
    ("bank_account", 0.99),
    ("passport_ru", 0.95),
    ("birth_date", 0.95),
    // Issue #10 kinds (measured on seed 7, 2 MiB).
    ("cookie", 0.9),              // measured 1.000
    ("device_id", 0.9),           // measured 1.000
    ("passport_foreign_ru", 0.9), // measured 1.000
    ("driver_license_ru", 0.9),   // measured 1.000
    ("vehicle_plate_ru", 0.9),    // measured 1.000
    ("oms", 0.9),                 // measured 1.000
    ("birth_place", 0.9),         // measured 1.000
    ("geo", 0.9),                 // measured 1.000
    // Names and addresses (generator v4): the project targets; measured
    // 0.999 and 1.000 (scripts/eval, seed 1, 20M).
    ("person", 0.95),
    ("address", 0.90),
];

const SEED: u64 = 7;
const SIZE: u64 = 2 << 20;

#[test]
fn every_labelled_kind_has_a_floor() {
    for k in corpus::LABELLED_KINDS {
        assert!(
            F1_FLOORS.iter().any(|(id, _)| *id == k.id()),
            "add {k} to F1_FLOORS"
        );
    }
}

#[test]
fn per_kind_f1_meets_the_floors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("corpus");
    let labels = corpus::generate(SEED, SIZE, &root).expect("generate corpus");

    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .arg("scan")
        .arg(&root)
        .args(["--format", "jsonl"])
        .output()
        .expect("run piiscan");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0 = no findings, 1 = findings; 2 (errors) or a crash fails the gate.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "piiscan scan exited with {:?}\nstderr:\n{stderr}",
        out.status
    );

    let mut scan =
        score::parse_scan_output(&out.stdout[..]).expect("piiscan printed invalid JSONL");
    assert!(
        !scan.findings.is_empty(),
        "piiscan printed no findings on a corpus with {} planted values\nstderr:\n{stderr}",
        labels.len()
    );
    score::relativize(&mut scan.findings, &root);
    let mut report = score::score(&labels, &scan);
    report.splits = score::person_by_script(&labels, &scan, &root);
    println!(
        "corpus: seed {SEED}, {SIZE} bytes, {} labels\n",
        labels.len()
    );
    println!("{}", report.to_markdown());

    let scored = scan.findings.len() as u64 - report.outside;
    assert!(
        scored > 0,
        "no finding's path matched a corpus file (paths not relative to the scanned dir?)"
    );
    assert_eq!(report.errors, 0, "piiscan reported per-file errors");

    let mut below = Vec::new();
    for &(kind, floor) in F1_FLOORS {
        let f1 = report.kind(kind).map_or(0.0, |k| k.f1());
        if f1 < floor {
            below.push(format!("{kind}: F1 {f1:.3} < floor {floor:.3}"));
        }
    }
    // The names target holds for each language on its own.
    for part in ["person (Cyrillic)", "person (Latin)"] {
        let row = report.splits.iter().find(|k| k.kind == part);
        let f1 = row.map_or(0.0, |k| k.f1());
        if f1 < 0.95 {
            below.push(format!("{part}: F1 {f1:.3} < floor 0.950"));
        }
    }
    assert!(
        below.is_empty(),
        "accuracy below the floors:\n{}",
        below.join("\n")
    );
}

/// The shipped fixtures, scanned file by file (EXPECTED.md and README.md
/// quote the values, so the directory is not scanned whole). Prints the
/// table and every miss; fails only when the binary errors or finds
/// nothing, since four small files make a noisy F1.
#[test]
fn fixtures_are_scanned_and_scored() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let fx = fixtures::render();
    let labels: Vec<_> = fx
        .iter()
        .flat_map(|f| f.labels())
        .filter(|l| corpus::LABELLED_KINDS.contains(&l.kind))
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .arg("scan")
        .args(fx.iter().map(|f| dir.join(f.name)))
        .args(["--format", "jsonl"])
        .output()
        .expect("run piiscan");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "piiscan exited with {:?}\nstderr:\n{stderr}",
        out.status
    );
    let mut scan =
        score::parse_scan_output(&out.stdout[..]).expect("piiscan printed invalid JSONL");
    score::relativize(&mut scan.findings, &dir);
    let report = score::score(&labels, &scan);
    println!("{}", report.to_markdown());
    println!("{}", score::mistakes_markdown(&report, &dir, 20));
    assert!(
        report.micro.tp > 0,
        "nothing found in the fixtures\nstderr:\n{stderr}"
    );
    assert_eq!(report.errors, 0, "piiscan reported per-file errors");
}
