//! `subject erase`: redacted copies in which only the subjects' data is
//! replaced, every other byte identical, and a receipt of what was erased.
//!
//! Owns the erasure plan (which spans, which records dropped whole), the
//! receipt and the check of the outputs. The replacing itself is the
//! redactor's ([`crate::redact::run_redact`] with a
//! [`Selection`](crate::redact::Selection)): same strategies, same
//! format-aware escaping, same encodings, same atomic writes. With
//! `--drop-records`, a record that is one line of its own (a CSV row, a
//! pg_dump COPY row, a one-row INSERT, an NDJSON record, a CDR record) is
//! removed whole; other records (a JSON document's objects, multi-row
//! INSERTs, UTF-16 files) fall back to replacing their fields, and the
//! receipt says which happened.
//!
//! The outputs are checked with the same matcher before the run reports
//! success: any match of a subject left in an output fails the run.

use super::linkage::RecordKey;
use super::matcher::SubjectMatch;
use super::{FindResult, SubjectMatcher, export::selected, run_find};
use crate::app::ScanOptions;
use crate::detect::Engine;
use crate::redact::{FileDone, RedactOptions, RedactPolicy, RedactSummary, Selection, Target};
use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What an erasure needs beyond the scan options.
#[derive(Debug, Clone)]
pub struct EraseOptions {
    pub out_dir: PathBuf,
    pub policy: RedactPolicy,
    pub drop_records: bool,
    pub include_name_only: bool,
    pub receipt: PathBuf,
}

/// How an erasure went.
#[derive(Debug, Default)]
pub struct EraseOutcome {
    pub summary: RedactSummary,
    pub files: Vec<FileDone>,
    /// Values erased (replaced, or removed with their record).
    pub erased: u64,
    pub records_dropped: u64,
    /// Name-only matches left as they are (weak evidence).
    pub name_only_kept: u64,
    /// Matches of a subject the check found in an output.
    pub residual: Vec<SubjectMatch>,
    /// Inputs where the redactor replaced a different number of values
    /// than were selected.
    pub mismatched: Vec<String>,
    /// Selected values in inputs that got no redacted copy (a time limit,
    /// a read or write error): still where they were.
    pub not_erased: u64,
}

impl EraseOutcome {
    /// 2 on any error or residual, else 1 when something was erased, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.summary.files_errored > 0
            || !self.residual.is_empty()
            || !self.mismatched.is_empty()
            || self.not_erased > 0
        {
            2
        } else if self.erased > 0 {
            1
        } else {
            0
        }
    }
}

/// Erases what `found` (a [`run_find`] of the same inputs, values not
/// needed) holds of the subjects into a mirror tree under `opts.out_dir`.
pub fn run_erase(
    engine: Arc<Engine>,
    scan: &ScanOptions,
    matcher: Arc<SubjectMatcher>,
    found: &FindResult,
    opts: &EraseOptions,
) -> Result<EraseOutcome> {
    if scan.paths.iter().any(|p| p.as_os_str() == "-") {
        bail!("subject erase writes files: give paths, not `-`");
    }
    let mut outcome = EraseOutcome::default();
    let chosen: Vec<&SubjectMatch> = found
        .matches
        .iter()
        .filter(|m| selected(m, opts.include_name_only))
        .collect();
    outcome.name_only_kept = (found.matches.len() - chosen.len()) as u64;

    // Records removed whole: (path → lines), and which records they are.
    let mut dropped: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let mut dropped_records: BTreeSet<(String, RecordKey)> = BTreeSet::new();
    if opts.drop_records {
        let mut records: BTreeMap<(&str, &RecordKey), (u64, u64)> = BTreeMap::new();
        for m in &chosen {
            if !m.record.structured() {
                continue;
            }
            let e = records.entry((&m.path, &m.record)).or_insert((u64::MAX, 0));
            e.0 = e.0.min(m.finding.line);
            e.1 = e.1.max(m.finding.line);
        }
        let mut cache: BTreeMap<&str, Option<Vec<u8>>> = BTreeMap::new();
        for ((path, key), (lo, hi)) in records {
            let data = cache
                .entry(path)
                .or_insert_with(|| std::fs::read(path).ok())
                .as_deref();
            if let Some(data) = data
                && droppable(data, key, lo, hi)
            {
                dropped.entry(path.to_string()).or_default().extend(lo..=hi);
                dropped_records.insert((path.to_string(), key.clone()));
            }
        }
    }
    let is_dropped =
        |m: &SubjectMatch| dropped_records.contains(&(m.path.clone(), m.record.clone()));

    let mut selection = Selection::default();
    let mut expected: BTreeMap<&str, BTreeSet<(u64, u64)>> = BTreeMap::new();
    for m in chosen.iter().filter(|m| !is_dropped(m)) {
        selection.add(&m.path, m.finding.start, m.finding.end);
        expected
            .entry(&m.path)
            .or_default()
            .insert((m.finding.start, m.finding.end));
    }
    let options = RedactOptions {
        paths: scan.paths.clone(),
        target: Target::OutDir(opts.out_dir.clone()),
        walk: scan.walk.clone(),
        // The same detections the search saw; the selection picks.
        min_confidence: 0.0,
        input_format: scan.input_format,
        encoding: scan.encoding,
        fingerprinter: scan.fingerprinter.clone(),
        policy: opts.policy.clone(),
        report: None,
        // The mirror is a complete replacement of the inputs.
        copy_unscanned: true,
        // Other people's values stay by design; the check below re-scans
        // for the subjects instead.
        verify: false,
        only: Some(Arc::new(selection.sorted())),
        file_timeout: scan.limits.file_timeout,
        container_limits: scan.limits.containers,
    };
    let mut files = Vec::new();
    outcome.summary =
        crate::redact::run_redact(engine.clone(), options, &mut |d| files.push(d.clone()))?;
    files.sort_by(|a, b| a.path.cmp(&b.path));

    // Drop whole records from the outputs (lines are where they were: no
    // replacement adds or removes a line break).
    for d in &files {
        if let (Some(lines), Some(out)) = (dropped.get(&d.path), &d.output) {
            drop_lines_in(Path::new(out), lines)
                .with_context(|| format!("{out}: cannot drop records"))?;
            outcome.records_dropped +=
                dropped_records.iter().filter(|(p, _)| *p == d.path).count() as u64;
        }
        let want: u64 = expected
            .iter()
            .filter(|(p, _)| holds(&d.path, p))
            .map(|(_, s)| s.len() as u64)
            .sum();
        if d.replaced != want
            && matches!(
                d.status,
                crate::redact::FileStatus::Redacted | crate::redact::FileStatus::Unchanged
            )
        {
            outcome.mismatched.push(d.path.clone());
        }
    }
    // A place counts as erased only when its input was written redacted:
    // a file stopped by `--file-timeout` or an error is not written, and
    // its values are where they were.
    let written = |path: &str| {
        files.iter().any(|d| {
            holds(&d.path, path)
                && matches!(
                    d.status,
                    crate::redact::FileStatus::Redacted | crate::redact::FileStatus::Unchanged
                )
        })
    };
    // Per chosen place, in `chosen`'s order.
    let erased: Vec<bool> = chosen.iter().map(|m| written(&m.path)).collect();
    outcome.erased = erased.iter().filter(|&&e| e).count() as u64;
    outcome.not_erased = chosen.len() as u64 - outcome.erased;

    // The receipt: every place erased, never a value.
    let places: Vec<Value> = chosen
        .iter()
        .zip(&erased)
        .map(|(m, &erased)| {
            let f = &m.finding;
            let strategy = if is_dropped(m) {
                "drop_record"
            } else {
                opts.policy.strategy(f.kind).id()
            };
            json!({
                "subject": matcher.subjects()[m.subject].id,
                "file": m.path,
                "output": output_of(&files, &m.path),
                "kind": f.kind.id(),
                "location": f.location,
                "record": m.record.describe(),
                "line": f.line,
                "column": f.column,
                "start": f.start,
                "end": f.end,
                "match": m.how.id(),
                "identifier": m.how.identifier().map(|i| i.id()),
                "fingerprint": f.fingerprint,
                "strategy": strategy,
                "erased": erased,
            })
        })
        .collect();
    let mut per_source: BTreeMap<&str, SourceCount<'_>> = BTreeMap::new();
    let mut unwritten: BTreeMap<&str, u64> = BTreeMap::new();
    for (m, &erased) in chosen.iter().zip(&erased) {
        if !erased {
            *unwritten.entry(&m.path).or_default() += 1;
            continue;
        }
        let e = per_source.entry(&m.path).or_default();
        e.0 += 1;
        *e.1.entry(m.finding.kind.id()).or_default() += 1;
        if is_dropped(m) {
            e.2.insert(&m.record);
        }
    }
    let sources: Vec<Value> = per_source
        .into_iter()
        .map(|(path, (n, by_kind, recs))| {
            json!({
                "file": path,
                "output": output_of(&files, path),
                "erased": n,
                "by_kind": by_kind,
                "records_dropped": recs.len(),
            })
        })
        .chain(unwritten.iter().map(|(path, n)| {
            json!({
                "file": path,
                "output": null,
                "erased": 0,
                "not_erased": n,
                "by_kind": {},
                "records_dropped": 0,
            })
        }))
        .collect();
    let receipt = json!({
        "type": "piiscan_subject_erasure",
        "version": 1,
        "piiscan": env!("CARGO_PKG_VERSION"),
        "generated_at": crate::inventory::ReportMeta::now(Default::default()).generated_at,
        "subjects": matcher.subjects().iter().map(|s| &s.id).collect::<Vec<_>>(),
        "fingerprints_stable": scan.fingerprinter.stable,
        "erased": outcome.erased,
        "not_erased": outcome.not_erased,
        "records_dropped": outcome.records_dropped,
        "name_only_not_erased": outcome.name_only_kept,
        "sources": sources,
        "places": places,
        // The subject's data there, if any, was neither found nor erased.
        "not_searched": found.not_searched(),
    });

    // The check: the same search over the outputs finds none of it.
    let outputs: Vec<PathBuf> = files
        .iter()
        .filter_map(|d| d.output.as_ref().map(PathBuf::from))
        .collect();
    if !outputs.is_empty() {
        let mut check = scan.clone();
        check.paths = outputs;
        let again = run_find(
            engine,
            check,
            matcher,
            false,
            std::slice::from_ref(&opts.receipt),
        )?;
        outcome.residual = again
            .matches
            .into_iter()
            .filter(|m| selected(m, opts.include_name_only))
            .collect();
    }
    crate::private_file::write_atomic(&opts.receipt, |w| {
        serde_json::to_writer_pretty(&mut *w, &receipt)?;
        w.write_all(b"\n")
    })
    .with_context(|| format!("{}: cannot write the receipt", opts.receipt.display()))?;
    outcome.files = files;
    Ok(outcome)
}

/// Per source: values erased, per kind, records dropped.
type SourceCount<'a> = (u64, BTreeMap<&'static str, u64>, BTreeSet<&'a RecordKey>);

fn output_of(files: &[FileDone], path: &str) -> Option<String> {
    files
        .iter()
        .find(|d| holds(&d.path, path))
        .and_then(|d| d.output.clone())
}

/// Whether `path` (as findings name it) is the input `file` or a member of
/// it.
fn holds(file: &str, path: &str) -> bool {
    path == file || crate::redact::is_member(file, path)
}

/// Can lines `lo..=hi` of `data` go without taking another record along?
fn droppable(data: &[u8], key: &RecordKey, lo: u64, hi: u64) -> bool {
    if data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]) {
        // UTF-16: line breaks are two bytes; fields are replaced instead.
        return false;
    }
    match key {
        RecordKey::Row(_) | RecordKey::Cdr(_) => true,
        RecordKey::Json { record, .. } => record.is_some() && lo == hi,
        RecordKey::Sql { .. } => {
            let Some(line) = nth_line(data, lo) else {
                return false;
            };
            let t = line.trim_ascii_start();
            if t.len() >= 6 && t[..6].eq_ignore_ascii_case(b"insert") {
                lo == hi && single_row_insert(t)
            } else {
                // A COPY data row is one line.
                lo == hi
            }
        }
        RecordKey::Line(_) => false,
    }
}

/// Line `n` (1-based), without its terminator.
fn nth_line(data: &[u8], n: u64) -> Option<&[u8]> {
    data.split(|&b| b == b'\n').nth(n.checked_sub(1)? as usize)
}

/// An `INSERT ... VALUES (...);` of exactly one row, complete on its line.
fn single_row_insert(line: &[u8]) -> bool {
    let upper = line.to_ascii_uppercase();
    let Some(at) = upper.windows(6).position(|w| w == b"VALUES") else {
        return false;
    };
    let (mut depth, mut rows, mut quote) = (0i32, 0, false);
    let mut i = at + 6;
    while i < line.len() {
        let c = line[i];
        if quote {
            if c == b'\\' {
                i += 1;
            } else if c == b'\'' {
                quote = false;
            }
        } else {
            match c {
                b'\'' => quote = true,
                b'(' => {
                    if depth == 0 {
                        rows += 1;
                    }
                    depth += 1;
                }
                b')' => depth -= 1,
                _ => {}
            }
        }
        i += 1;
    }
    rows == 1 && depth == 0 && !quote && line.trim_ascii_end().ends_with(b";")
}

/// Rewrites `path` without the given lines (1-based), atomically and with
/// its permissions.
fn drop_lines_in(path: &Path, lines: &BTreeSet<u64>) -> std::io::Result<()> {
    let data = std::fs::read(path)?;
    let mut out = Vec::with_capacity(data.len());
    for (i, line) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        if !lines.contains(&(i as u64 + 1)) {
            out.extend_from_slice(line);
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = crate::private_file::temp_builder().tempfile_in(dir)?;
    tmp.write_all(&out)?;
    tmp.as_file().sync_data()?;
    if let Ok(m) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(m.permissions());
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_row_inserts() {
        assert!(single_row_insert(
            b"INSERT INTO t VALUES (1, 'a(b', 'it''s');"
        ));
        assert!(!single_row_insert(b"INSERT INTO t VALUES (1,'a'),(2,'b');"));
        assert!(!single_row_insert(b"INSERT INTO t VALUES (1,"));
    }

    #[test]
    fn lines_are_dropped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "h\r\n1\r\n2\r\n3").unwrap();
        drop_lines_in(&p, &BTreeSet::from([2, 4])).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "h\r\n2\r\n");
    }
}
