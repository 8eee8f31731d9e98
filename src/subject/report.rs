//! The reports of `subject find`: text for people, JSONL for scripts.
//!
//! Owns the `subject_match` / `subject_summary` event shapes. A match
//! carries the finding's place (path, offsets, line, column, structured
//! location), the record it was decided in, how it matched (`direct` on
//! which identifier, or `linked`), its confidence, the masked preview and
//! the fingerprint; the raw value only when it was kept (`--show-values`).

use super::FindResult;
use super::identifiers::Subject;
use super::matcher::{How, NAME_ONLY, SubjectMatch};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// One match as a JSON event.
pub fn match_event(subject: &Subject, m: &SubjectMatch) -> Value {
    let f = &m.finding;
    let mut v = json!({
        "type": "subject_match",
        "subject": subject.id,
        "path": m.path,
        "kind": f.kind.id(),
        "rule": &*f.rule,
        "start": f.start,
        "end": f.end,
        "line": f.line,
        "column": f.column,
        "location": f.location,
        "record": m.record.describe(),
        "confidence": round2(m.confidence),
        "match": m.how.id(),
        "identifier": m.how.identifier().map(|i| i.id()),
        "masked": f.masked,
        "fingerprint": f.fingerprint,
    });
    if let Some(value) = &f.value {
        v["value"] = json!(value);
    }
    v
}

fn round2(x: f32) -> f64 {
    (f64::from(x) * 100.0).round() / 100.0
}

/// Counts for one subject.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub matches: u64,
    pub direct: u64,
    pub linked: u64,
    pub name_only: u64,
    pub files: u64,
    pub records: u64,
    pub by_kind: BTreeMap<&'static str, u64>,
}

pub fn counts(result: &FindResult, subject: usize) -> Counts {
    let mut c = Counts::default();
    let mut files = BTreeSet::new();
    let mut records = BTreeSet::new();
    for m in result.of(subject) {
        c.matches += 1;
        match m.how {
            How::Linked => c.linked += 1,
            How::Direct(_) => c.direct += 1,
        }
        if m.confidence <= NAME_ONLY {
            c.name_only += 1;
        }
        files.insert(&m.path);
        if m.record.structured() {
            records.insert((&m.path, &m.record));
        }
        *c.by_kind.entry(m.finding.kind.id()).or_default() += 1;
    }
    c.files = files.len() as u64;
    c.records = records.len() as u64;
    c
}

/// JSONL: every match, one summary per subject, errors, one run summary.
pub fn write_jsonl(out: &mut dyn Write, subjects: &[Subject], r: &FindResult) -> io::Result<()> {
    for (i, s) in subjects.iter().enumerate() {
        for m in r.of(i) {
            serde_json::to_writer(&mut *out, &match_event(s, m))?;
            out.write_all(b"\n")?;
        }
        let c = counts(r, i);
        let ev = json!({
            "type": "subject_summary",
            "subject": s.id,
            "matches": c.matches,
            "direct": c.direct,
            "linked": c.linked,
            "name_only": c.name_only,
            "files": c.files,
            "records": c.records,
            "by_kind": c.by_kind,
        });
        serde_json::to_writer(&mut *out, &ev)?;
        out.write_all(b"\n")?;
    }
    for (path, message) in &r.errors {
        serde_json::to_writer(
            &mut *out,
            &json!({"type": "error", "path": path, "message": message}),
        )?;
        out.write_all(b"\n")?;
    }
    for (path, reason) in &r.skipped {
        serde_json::to_writer(
            &mut *out,
            &json!({"type": "skipped", "path": path, "reason": reason}),
        )?;
        out.write_all(b"\n")?;
    }
    let sum = &r.summary;
    serde_json::to_writer(
        &mut *out,
        &json!({
            "type": "summary",
            "files_scanned": sum.files_scanned,
            "files_skipped": sum.files_skipped,
            "files_errored": sum.files_errored,
            "bytes_scanned": sum.bytes_scanned,
            "elapsed_ms": sum.elapsed.as_millis() as u64,
        }),
    )?;
    out.write_all(b"\n")
}

/// Text: per subject a heading, then `path:line:col kind masked` lines.
pub fn write_text(out: &mut dyn Write, subjects: &[Subject], r: &FindResult) -> io::Result<()> {
    for (i, s) in subjects.iter().enumerate() {
        let c = counts(r, i);
        writeln!(
            out,
            "subject {}: {} matches ({} direct, {} linked) in {} files, {} records",
            s.id, c.matches, c.direct, c.linked, c.files, c.records
        )?;
        for m in r.of(i) {
            let f = &m.finding;
            let shown = f.value.as_deref().unwrap_or(&f.masked);
            let how = match m.how {
                How::Direct(id) => format!("direct {}", id.id()),
                How::Linked => "linked".to_string(),
            };
            let weak = if m.confidence <= NAME_ONLY {
                " (name only: weak evidence)"
            } else {
                ""
            };
            writeln!(
                out,
                "  {}:{}:{} {} {}  [{} {:.2}]{}",
                m.path,
                f.line,
                f.column,
                f.kind.id(),
                shown,
                how,
                m.confidence,
                weak
            )?;
        }
        if c.name_only > 0 {
            writeln!(
                out,
                "  {} name-only matches: the same name without another identifier of this subject; \
                 export and erase leave them out unless --include-name-only",
                c.name_only
            )?;
        }
    }
    for (path, message) in &r.errors {
        writeln!(out, "error: {path}: {message}")?;
    }
    let sum = &r.summary;
    writeln!(
        out,
        "{} files scanned ({} bytes), {} skipped, {} errors",
        sum.files_scanned,
        sum.bytes_scanned,
        sum.files_skipped.values().sum::<u64>(),
        sum.files_errored
    )?;
    // As `scan` says it: a file not read to the end (a time limit, a size
    // limit, binary) may hold the subject's data too.
    if !sum.files_skipped.is_empty() {
        writeln!(out, "skipped: {}", sum.skip_reasons())?;
    }
    Ok(())
}
