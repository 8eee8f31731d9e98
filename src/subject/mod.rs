//! Data-subject requests (152-FZ, GDPR): find one person's data, export
//! it (access, portability) and erase it, in one scan of the inputs.
//!
//! Owns the subject run: the subject's identifiers ([`identifiers`]:
//! flags or `subject.toml`, normalised as the engine normalises), the
//! matcher ([`matcher`]: does a finding belong to a subject), record
//! linkage ([`linkage`]: a match claims its CSV row, SQL row, JSON object
//! or CDR record), the reports ([`report`]: text, JSONL), the portability
//! bundle ([`export`]) and erasure with its receipt ([`erase`]).
//!
//! It adds no pass over the data: [`run_find`] runs the ordinary scan
//! pipeline ([`crate::app::run_scan_with`]) with a [`SubjectSink`] as the
//! sink, so a subject search costs a scan. The subjects' identifiers join
//! that pass ([`watch_list`], [`crate::detect::watch`]): the engine finds
//! them in any spelling and whatever their context, and marks them, so
//! the matcher looks only at records holding a marked value. Strong
//! identifiers meet the findings by fingerprint (same key, same
//! normalisation); names by the name detector's lemmas. Erasure reuses the redactor, restricted to the
//! subject's spans ([`crate::redact::Selection`]). It does not print: the
//! CLI glue in [`command`] does.

pub mod command;
pub mod erase;
pub mod export;
pub mod identifiers;
pub mod linkage;
pub mod matcher;
pub mod report;

use crate::app::{FileResult, FileStatus, ScanHooks, ScanOptions, Summary};
use crate::detect::Engine;
use crate::sink::Sink;
use anyhow::Result;
use linkage::Grouper;
pub use matcher::{How, SubjectMatch, SubjectMatcher};
use std::io;
use std::sync::Arc;

/// What a subject search found.
#[derive(Debug, Default)]
pub struct FindResult {
    /// Every match, sorted by subject, path and offset.
    pub matches: Vec<SubjectMatch>,
    /// Inputs that could not be read, with the reason.
    pub errors: Vec<(String, String)>,
    /// Inputs not scanned (binary, too large), with the reason.
    pub skipped: Vec<(String, String)>,
    pub summary: Summary,
}

impl FindResult {
    /// 2 when an input failed, else 1 when anything matched, else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.errors.is_empty() {
            2
        } else if !self.matches.is_empty() {
            1
        } else {
            0
        }
    }

    /// What the search did not read to the end (binary, too large,
    /// stopped by a limit, unreadable), as `[{"file", "reason"}]`: the
    /// erasure receipt and the export bundle both list it.
    pub fn not_searched(&self) -> serde_json::Value {
        self.skipped
            .iter()
            .chain(&self.errors)
            .map(|(file, reason)| serde_json::json!({"file": file, "reason": reason}))
            .collect()
    }

    /// The matches of one subject.
    pub fn of(&self, subject: usize) -> impl Iterator<Item = &SubjectMatch> {
        self.matches.iter().filter(move |m| m.subject == subject)
    }
}

/// The sink that matches a scan's finding stream against the subjects,
/// record by record.
pub struct SubjectSink {
    matcher: Arc<SubjectMatcher>,
    grouper: Grouper,
    result: FindResult,
}

impl SubjectSink {
    pub fn new(matcher: Arc<SubjectMatcher>) -> SubjectSink {
        SubjectSink {
            matcher,
            grouper: Grouper::default(),
            result: FindResult::default(),
        }
    }

    pub fn into_result(self) -> FindResult {
        self.result
    }
}

impl Sink for SubjectSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        let (matcher, out) = (&self.matcher, &mut self.result.matches);
        let mut done = |path: &str, key: &linkage::RecordKey, fs: &[crate::finding::Finding]| {
            matcher.record(path, key, fs, out)
        };
        self.grouper.add(&r.path, &r.findings, &mut done);
        match &r.status {
            FileStatus::Partial => {}
            FileStatus::Scanned => self.grouper.close(&r.path, &mut done),
            FileStatus::Skipped(why) => {
                self.grouper.close(&r.path, &mut done);
                self.result.skipped.push((r.path.clone(), why.clone()));
            }
            FileStatus::Error(why) => {
                self.grouper.close(&r.path, &mut done);
                self.result.errors.push((r.path.clone(), why.clone()));
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.result.summary = summary.clone();
        self.result.matches.sort_by(|a, b| {
            (a.subject, &a.path, a.finding.start, a.finding.end).cmp(&(
                b.subject,
                &b.path,
                b.finding.start,
                b.finding.end,
            ))
        });
        self.result.errors.sort();
        self.result.skipped.sort();
        Ok(())
    }
}

/// What the engine must watch for: every subject's normalised strong
/// identifiers and the written forms of their surnames (a Cyrillic one's
/// Latin spellings too, by skeleton). An engine built
/// `with_watch` of it finds them in the same pass as everything else.
pub fn watch_list(subjects: &[identifiers::Subject]) -> crate::detect::watch::WatchList {
    let mut w = crate::detect::watch::WatchList::new();
    for s in subjects {
        for id in &s.identifiers {
            w.add(id.id.kind(), id.norm.as_bytes());
        }
        for n in &s.names {
            for f in &n.surname_forms {
                w.add_surname_form(f);
            }
            for k in n.latin.iter().flat_map(|l| &l.surname_forms) {
                w.add_surname_skeleton(k.as_bytes());
            }
        }
    }
    w
}

/// Runs one scan of `options.paths` and matches every finding against the
/// subjects, with an engine built `with_watch` of [`watch_list`] (any
/// other engine finds only what it reports anyway). Raw values of names
/// are read (names are compared by their words) but dropped from the
/// result unless `keep_values`. `own_files` (the subject
/// file, the bundle, the receipt) are reported as skipped, never matched.
pub fn run_find(
    engine: Arc<Engine>,
    mut options: ScanOptions,
    matcher: Arc<SubjectMatcher>,
    keep_values: bool,
    own_files: &[std::path::PathBuf],
) -> Result<FindResult> {
    // The engine watches for the subjects' identifiers (see
    // [`watch_list`]): it reports them in any spelling and whatever their
    // confidence, and names carry their text; other values (the fields a
    // match may link) keep the user's threshold and need no raw text
    // unless the caller keeps values.
    options.show_values = keep_values;
    let mut sink = SubjectSink::new(matcher);
    let mut hooks = ScanHooks {
        own_files: own_files.to_vec(),
        ..ScanHooks::default()
    };
    crate::app::run_scan_with(engine, options, &mut hooks, &mut sink)?;
    let mut result = sink.into_result();
    if !keep_values {
        for m in &mut result.matches {
            m.finding.value = None;
        }
    }
    Ok(result)
}
