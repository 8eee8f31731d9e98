//! The portability bundle of `subject export`: per subject and source,
//! the records and values that belong to the subject, in JSON or CSV.
//!
//! Owns the bundle's shape. It holds raw values by design (that is what
//! the person asked for), so it is written like piiscan's other private
//! files: mode 0600, atomically ([`crate::private_file`]). Name-only
//! matches (weak evidence: maybe a namesake) stay out unless asked for.

use super::FindResult;
use super::identifiers::Subject;
use super::matcher::{NAME_ONLY, SubjectMatch};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

/// Bundle formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BundleFormat {
    Json,
    Csv,
}

/// Which matches go into a bundle (and into an erasure).
pub fn selected(m: &SubjectMatch, include_name_only: bool) -> bool {
    include_name_only || m.confidence > NAME_ONLY
}

fn field(m: &SubjectMatch) -> Option<String> {
    use crate::finding::Location;
    match &m.finding.location {
        Some(Location::Table { column, .. }) => Some(column.clone()),
        Some(Location::Sql { column, .. }) => Some(column.clone()),
        Some(Location::Json { pointer, .. }) => Some(pointer.clone()),
        Some(Location::Cdr { field, .. }) => Some(field.clone()),
        None => None,
    }
}

/// The bundle as one JSON document.
pub fn bundle_json(subjects: &[Subject], r: &FindResult, include_name_only: bool) -> Value {
    let mut out = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        // path → record (in file order) → values
        let mut sources: BTreeMap<&str, Vec<(Value, Vec<Value>)>> = BTreeMap::new();
        for m in r.of(i).filter(|m| selected(m, include_name_only)) {
            let recs = sources.entry(&m.path).or_default();
            let rec = m.record.describe();
            let value = json!({
                "kind": m.finding.kind.id(),
                "field": field(m),
                "value": m.finding.value,
                "line": m.finding.line,
                "column": m.finding.column,
                "start": m.finding.start,
                "end": m.finding.end,
                "match": m.how.id(),
                "identifier": m.how.identifier().map(|i| i.id()),
                "confidence": (f64::from(m.confidence) * 100.0).round() / 100.0,
            });
            match recs.last_mut() {
                Some((k, vs)) if *k == rec => vs.push(value),
                _ => recs.push((rec, vec![value])),
            }
        }
        let identifiers: BTreeMap<&str, Vec<&str>> =
            s.identifiers.iter().fold(BTreeMap::new(), |mut acc, id| {
                acc.entry(id.id.id()).or_default().push(&id.norm);
                acc
            });
        let sources: Vec<Value> = sources
            .into_iter()
            .map(|(path, recs)| {
                let n: usize = recs.iter().map(|(_, v)| v.len()).sum();
                json!({
                    "path": path,
                    "values": n,
                    "records": recs
                        .into_iter()
                        .map(|(rec, values)| json!({"record": rec, "values": values}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        out.push(json!({
            "id": s.id,
            "identifiers": identifiers,
            "names": s.names.iter().map(|n| {
                let mut v = vec![n.surname.as_str(), n.first.as_str()];
                v.extend(n.patronymic.as_deref());
                v.join(" ")
            }).collect::<Vec<_>>(),
            "sources": sources,
        }));
    }
    json!({
        "type": "piiscan_subject_export",
        "version": 1,
        "piiscan": env!("CARGO_PKG_VERSION"),
        "notice": "Personal data of the subjects below, raw values included: keep it private.",
        "subjects": out,
        // The subject's data there, if any, is not in this bundle.
        "not_searched": r.not_searched(),
    })
}

/// The bundle as CSV: one row per value, then one row per input the
/// search did not read to the end (`match` is `not_searched`, `value` the
/// reason): a spreadsheet reader sees what the bundle may be missing, as
/// the JSON bundle's `not_searched` says.
pub fn write_csv(
    w: &mut dyn Write,
    subjects: &[Subject],
    r: &FindResult,
    include_name_only: bool,
) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    let e = |e: csv::Error| io::Error::other(e.to_string());
    c.write_record([
        "subject",
        "path",
        "record",
        "line",
        "column",
        "kind",
        "field",
        "match",
        "identifier",
        "confidence",
        "value",
    ])
    .map_err(e)?;
    for (i, s) in subjects.iter().enumerate() {
        for m in r.of(i).filter(|m| selected(m, include_name_only)) {
            c.write_record([
                s.id.clone(),
                m.path.clone(),
                m.record.describe().to_string(),
                m.finding.line.to_string(),
                m.finding.column.to_string(),
                m.finding.kind.id().to_string(),
                field(m).unwrap_or_default(),
                m.how.id().to_string(),
                m.how
                    .identifier()
                    .map(|i| i.id().to_string())
                    .unwrap_or_default(),
                format!("{:.2}", m.confidence),
                m.finding.value.clone().unwrap_or_default(),
            ])
            .map_err(e)?;
        }
    }
    for (file, reason) in r.skipped.iter().chain(&r.errors) {
        c.write_record([
            "",
            file.as_str(),
            "",
            "",
            "",
            "",
            "",
            "not_searched",
            "",
            "",
            reason.as_str(),
        ])
        .map_err(e)?;
    }
    c.flush()
}

/// Writes the bundle to `path` (0600, atomically). Returns how many values
/// it holds.
pub fn write_bundle(
    path: &Path,
    format: BundleFormat,
    subjects: &[Subject],
    r: &FindResult,
    include_name_only: bool,
) -> io::Result<u64> {
    crate::private_file::write_atomic(path, |w| match format {
        BundleFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &bundle_json(subjects, r, include_name_only))?;
            w.write_all(b"\n")
        }
        BundleFormat::Csv => write_csv(w, subjects, r, include_name_only),
    })?;
    Ok(r.matches
        .iter()
        .filter(|m| selected(m, include_name_only))
        .count() as u64)
}
