//! One huge file scanned on all threads (issue #4, `source::split`). With
//! the split threshold lowered by the hidden `--split-min-size` and
//! `--split-piece-size` flags, `scan -f jsonl --threads 2` must print
//! exactly the findings `--threads 1` prints (one sequential scan): the
//! same spans, lines, columns, locations and order. The inputs are cut
//! into dozens of pieces, so every kind of boundary is crossed: log lines,
//! NDJSON records with `\uXXXX`-escaped values, and rows inside the COPY
//! blocks of a dump with several tables, where each piece must start with
//! the block's table, columns and row count. All data is synthetic
//! (example.com, +7 900 numbers, checksum-valid generated INN/SNILS).

#[path = "support/formats.rs"]
mod formats;

use serde_json::Value;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

/// A fixed key, so fingerprints compare across runs.
const KEY: &str = "split-scan-test-key-0123456789abcdef";

/// Scans `path` with `threads` threads and a lowered split threshold;
/// returns the finding lines (JSONL, as printed) and the debug log.
fn scan(path: &Path, threads: &str, extra: &[&str]) -> (Vec<String>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .env("PIISCAN_KEY", KEY)
        .args(["--debug", "scan", "-f", "jsonl", "--threads", threads])
        .args(["--split-min-size", "256K", "--split-piece-size", "40K"])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let findings: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"finding\""))
        .map(str::to_owned)
        .collect();
    let summary = stdout.lines().last().unwrap();
    let done = if extra.is_empty() {
        "\"files_scanned\":1"
    } else {
        "findings limit"
    };
    assert!(summary.contains(done), "{summary}");
    (findings, stderr)
}

/// Scans with one and with two threads and requires identical findings,
/// and that the two-thread scan really was split. Returns the findings.
fn same_with_one_and_two_threads(path: &Path) -> Vec<Value> {
    let (one, log1) = scan(path, "1", &[]);
    let (two, log2) = scan(path, "2", &[]);
    assert!(!log1.contains("split into pieces"), "{log1}");
    assert!(log2.contains("split into pieces"), "not split: {log2}");
    assert!(one.len() > 1000, "{} findings", one.len());
    assert_eq!(one.len(), two.len(), "finding counts differ");
    for (i, (a, b)) in one.iter().zip(&two).enumerate() {
        assert_eq!(a, b, "finding {i} differs");
    }
    let data = std::fs::read(path).unwrap();
    let findings: Vec<Value> = one
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Lines and columns agree with the byte offsets.
    for f in &findings {
        let start = f["start"].as_u64().unwrap() as usize;
        let line_start = data[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = data[..start].iter().filter(|&&b| b == b'\n').count() + 1;
        assert_eq!(f["line"].as_u64(), Some(line as u64), "{f}");
        assert_eq!(f["column"].as_u64(), Some((start - line_start + 1) as u64));
    }
    findings
}

fn generated(dir: &Path, format: formats::Format, bytes: u64) -> std::path::PathBuf {
    let path = dir.join(format.file_name());
    let mut w = BufWriter::new(std::fs::File::create(&path).unwrap());
    formats::write(format, bytes, &mut w).unwrap();
    w.flush().unwrap();
    path
}

#[test]
fn split_plain_text_log_matches_the_sequential_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path(), formats::Format::Text, 1 << 20);
    let found = same_with_one_and_two_threads(&path);
    // Five values in every other record, to the end of the file.
    let lines = std::fs::read(&path)
        .unwrap()
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    let last = found.last().unwrap()["line"].as_u64().unwrap();
    assert!(last + 1 >= lines, "last finding on line {last} of {lines}");
}

#[test]
fn split_ndjson_keeps_record_numbers_and_escaped_spans() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path(), formats::Format::NdjsonEscaped, 1 << 20);
    let found = same_with_one_and_two_threads(&path);
    for f in &found {
        // NDJSON records are lines.
        assert_eq!(f["location"]["record"], f["line"], "{f}");
    }
    // The escaped e-mails (`user1\u0040example.com`) are found whole.
    assert!(
        found.iter().any(|f| f["kind"] == "email"
            && f["end"].as_u64().unwrap() - f["start"].as_u64().unwrap() > 20)
    );
}

/// A pg_dump with several COPY blocks (different tables, column orders,
/// schemas), DDL and an INSERT between them, each block much larger than
/// a piece, so pieces start in the middle of blocks.
fn write_dump(path: &Path) {
    const INNS: [&str; 4] = [
        "500100732185",
        "520102345642",
        "780103456772",
        "160105678933",
    ];
    const SNILS: [&str; 3] = ["112-233-401 83", "334-455-603 68", "556-677-805 53"];
    let mut s = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = on;\n\n\
         CREATE TABLE public.clients (\n    id bigint,\n    email text,\n    phone text,\n    note text\n);\n\n\
         CREATE TABLE crm.contacts (\n    snils text,\n    id bigint,\n    contact_phone text,\n    inn text\n);\n\n",
    );
    let note = "order shipped from warehouse 12 by courier; delivery window 10:00-14:00";
    for block in 0..3u64 {
        writeln!(
            s,
            "COPY public.clients (id, email, phone, note) FROM stdin;"
        )
        .unwrap();
        for i in 1..=3000u64 {
            let n = block * 10_000 + i;
            writeln!(
                s,
                "{n}\tuser{n}@example.com\t+7 900 {:03}-{:02}-{:02}\t{note}",
                n / 10_000 % 1000,
                n / 100 % 100,
                n % 100
            )
            .unwrap();
        }
        s.push_str("\\.\n\n");
        s.push_str(
            "INSERT INTO public.audit (id, who, what) VALUES (1, 'admin@example.com', 'export\nof clients');\n\n",
        );
        writeln!(
            s,
            "COPY crm.contacts (snils, id, contact_phone, inn) FROM stdin;"
        )
        .unwrap();
        for i in 1..=2500u64 {
            let n = block * 10_000 + i;
            writeln!(
                s,
                "{}\t{n}\t8 900 {:03} {:02} {:02}\t{}",
                SNILS[(n % 3) as usize],
                n / 10_000 % 1000,
                n / 100 % 100,
                n % 100,
                INNS[(n % 4) as usize]
            )
            .unwrap();
        }
        s.push_str("\\.\n\n");
    }
    s.push_str("--\n-- PostgreSQL database dump complete\n--\n");
    std::fs::write(path, s).unwrap();
}

#[test]
fn split_pg_dump_keeps_table_column_and_row_inside_copy_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.sql");
    write_dump(&path);
    let found = same_with_one_and_two_threads(&path);
    // Check every COPY finding's location against the file itself: the
    // table and columns of the nearest `COPY` line above it, the row
    // number as the line distance to it (plus the rows of the table's
    // earlier blocks: the locator numbers a table's rows across the dump),
    // the column by tabs before it.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // COPY line index → rows of the same table in earlier blocks.
    let mut earlier = std::collections::HashMap::new();
    let mut rows_so_far = std::collections::HashMap::<&str, usize>::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(rest) = l.strip_prefix("COPY ") {
            let name = rest.split_once(" (").unwrap().0;
            let rows = lines[i + 1..].iter().position(|l| *l == "\\.").unwrap();
            let before = rows_so_far.entry(name).or_default();
            earlier.insert(i, *before);
            *before += rows;
        }
    }
    let mut in_copy = 0;
    let mut tables = std::collections::BTreeSet::new();
    for f in &found {
        let loc = &f["location"];
        let Some(table) = loc["table"].as_str() else {
            continue;
        };
        let line = f["line"].as_u64().unwrap() as usize;
        let Some(copy) = (0..line - 1).rev().find(|&i| lines[i].starts_with("COPY ")) else {
            continue;
        };
        if (copy + 1..line - 1).any(|i| lines[i] == "\\.") {
            continue; // the INSERT between blocks
        }
        in_copy += 1;
        let header = lines[copy];
        let (name, rest) = header["COPY ".len()..].split_once(" (").unwrap();
        let columns: Vec<&str> = rest.split_once(')').unwrap().0.split(", ").collect();
        assert_eq!(table, name, "{f}");
        let row = earlier[&copy] + line - 1 - copy;
        assert_eq!(loc["row"].as_u64(), Some(row as u64), "{f}");
        let start = f["start"].as_u64().unwrap() as usize;
        let column = f["column"].as_u64().unwrap() as usize;
        let line_start = start + 1 - column;
        let field = text[line_start..start].matches('\t').count();
        assert_eq!(loc["column"], columns[field], "{f}");
        tables.insert(name.to_string());
    }
    assert_eq!(tables.len(), 2, "{tables:?}");
    // Name-free rows: an e-mail and a phone per clients row, a SNILS, a
    // phone and an INN per contacts row.
    assert!(in_copy >= 3 * (2 * 3000 + 3 * 2500), "{in_copy}");
}

#[test]
fn formats_whose_records_span_lines_are_not_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path(), formats::Format::Csv, 1 << 20);
    let (one, _) = scan(&path, "1", &[]);
    let (two, log) = scan(&path, "2", &[]);
    assert!(
        log.contains("not split: a delimited record may span lines"),
        "{log}"
    );
    assert_eq!(one, two);
}

#[test]
fn split_scan_honours_the_findings_limit_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path(), formats::Format::Text, 1 << 20);
    let limit = ["--max-findings-per-file", "777"];
    let (one, _) = scan(&path, "1", &limit);
    let (two, log) = scan(&path, "2", &limit);
    assert!(log.contains("split into pieces"), "{log}");
    assert_eq!(one.len(), 777);
    assert_eq!(one, two);
}

#[test]
fn split_scan_stops_at_the_time_limit_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path(), formats::Format::Text, 1 << 20);
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .env("PIISCAN_KEY", KEY)
        .args(["--debug", "scan", "-f", "jsonl", "--threads", "2"])
        .args(["--split-min-size", "256K", "--split-piece-size", "40K"])
        .args(["--file-timeout", "0.001"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("split into pieces"), "{stderr}");
    let skipped = stdout
        .lines()
        .find(|l| l.contains("\"type\":\"skipped\""))
        .unwrap_or_else(|| panic!("no skipped event: {stdout}"));
    assert!(skipped.contains("time limit"), "{skipped}");
}

/// One huge line has no cut: after a few pieces' worth of bytes the rest
/// becomes one piece, scanned at once rather than after a pre-pass over
/// the whole file, and the findings are still the sequential scan's.
#[test]
fn a_file_without_record_boundaries_is_one_piece_with_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.txt");
    let mut s = String::new();
    let mut i = 0;
    while s.len() < 1 << 20 {
        i += 1;
        write!(
            s,
            "order {i} mail user{i}@example.com phone +7 900 {:03}-{:02}-{:02}; ",
            i / 10_000 % 1000,
            i / 100 % 100,
            i % 100
        )
        .unwrap();
    }
    std::fs::write(&path, s).unwrap();
    let (one, _) = scan(&path, "1", &[]);
    let (two, log) = scan(&path, "2", &[]);
    assert!(log.contains("the rest is one piece"), "{log}");
    assert!(one.len() > 10_000, "{}", one.len());
    assert_eq!(one, two);
}
