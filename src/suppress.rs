//! Suppression: which findings are known and accepted, so they are not
//! reported (and do not fail a CI gate).
//!
//! Two places decide, each where its facts are at hand:
//! - [`WorkerFilter`] runs in the scanning worker, on the detection with
//!   its bytes: the inline `piiscan:ignore` marker on the finding's line
//!   and the value patterns of `[allowlist] patterns`. What it drops never
//!   becomes a finding (and is never stored in an incremental state).
//! - [`Filter`] runs where results reach the sinks, on findings alone:
//!   allowlisted paths, allowlisted fingerprints, per-path overrides
//!   (threshold, ignored rules) and the baseline. Results carried over
//!   from an incremental state pass through it too, so editing an
//!   allowlist never needs a rescan.
//!
//! Allowlists and baselines hold fingerprints and patterns, never values.
//! Every suppressed finding is counted in the summary.

use crate::app::{FileResult, FileStatus};
use crate::config::{Allowlist, Override};
use crate::finding::{Finding, Kind, Location};
use anyhow::{Context as _, Result, bail};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The inline marker: a finding whose line holds it is not reported.
pub const INLINE_MARKER: &str = "piiscan:ignore";

/// How far from the value, on its line, the marker is looked for. Keeps
/// the check cheap (and linear) on files that are one huge line.
pub const LINE_WINDOW: usize = 1024;

/// Checks an `[allowlist]` table: patterns compile, fingerprints are hex,
/// path globs parse.
pub fn check_allowlist(a: &Allowlist) -> Result<()> {
    regex::bytes::RegexSet::new(&a.patterns).context("patterns")?;
    for f in &a.fingerprints {
        if f.len() != 32 || !f.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("fingerprints: {f:?} is not a fingerprint (32 hex digits)");
        }
    }
    PathMatcher::new(&a.paths).context("paths")?;
    Ok(())
}

/// Path globs for allowlists and overrides. A glob matches a path when it
/// matches the whole path as reported or any tail of it that starts after
/// a `/`: `*.csv` matches a file anywhere, `logs/**` a `logs` directory at
/// any depth, `/srv/app/**` only that absolute path. Inside a container
/// the path reads `dump.tar.gz!/db/users.sql`, so `dump.tar.gz!/**` (or
/// `users.sql`) names what is inside.
#[derive(Debug, Clone)]
pub struct PathMatcher {
    set: GlobSet,
}

impl PathMatcher {
    pub fn new(globs: &[String]) -> Result<PathMatcher> {
        let mut b = GlobSetBuilder::new();
        for g in globs {
            b.add(Glob::new(g).with_context(|| format!("bad glob {g:?}"))?);
        }
        Ok(PathMatcher {
            set: b.build().context("globs")?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    pub fn matches(&self, path: &str) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let path = path.strip_prefix("./").unwrap_or(path);
        if self.set.is_match(path) {
            return true;
        }
        path.match_indices('/')
            .any(|(i, _)| i + 1 < path.len() && self.set.is_match(&path[i + 1..]))
    }
}

/// Worker-side suppression: the inline marker and value patterns.
pub struct WorkerFilter {
    inline: Option<memchr::memmem::Finder<'static>>,
    patterns: Option<regex::bytes::RegexSet>,
    pattern_source: Vec<String>,
    suppressed: AtomicU64,
}

impl Default for WorkerFilter {
    /// The inline marker on, no patterns.
    fn default() -> Self {
        WorkerFilter {
            inline: Some(memchr::memmem::Finder::new(INLINE_MARKER.as_bytes()).into_owned()),
            patterns: None,
            pattern_source: Vec::new(),
            suppressed: AtomicU64::new(0),
        }
    }
}

impl std::fmt::Debug for WorkerFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl WorkerFilter {
    pub fn new(inline: bool, patterns: &[String]) -> Result<WorkerFilter> {
        let mut w = WorkerFilter::default();
        if !inline {
            w.inline = None;
        }
        if !patterns.is_empty() {
            w.patterns = Some(regex::bytes::RegexSet::new(patterns).context("allowlist patterns")?);
            w.pattern_source = patterns.to_vec();
        }
        Ok(w)
    }

    /// Whether a detection is suppressed: its value or normalised value
    /// matches a pattern, or its line holds the marker. `line` is asked
    /// for only when the marker is checked.
    pub fn suppress<'a>(&self, value: &[u8], norm: &[u8], line: impl FnOnce() -> &'a [u8]) -> bool {
        let hit = self
            .patterns
            .as_ref()
            .is_some_and(|p| p.is_match(value) || (!norm.is_empty() && p.is_match(norm)))
            || self
                .inline
                .as_ref()
                .is_some_and(|m| m.find(line()).is_some());
        if hit {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
        }
        hit
    }

    /// Findings suppressed so far.
    pub fn suppressed(&self) -> u64 {
        self.suppressed.load(Ordering::Relaxed)
    }

    /// What this filter does, for the options hash of an incremental state
    /// (its decisions are baked into stored findings).
    pub fn describe(&self) -> String {
        format!(
            "inline={} patterns={:?}",
            self.inline.is_some(),
            self.pattern_source
        )
    }
}

/// The line around `buf[start..end]`, at most [`LINE_WINDOW`] bytes each
/// side and only as far as `buf` holds it.
pub fn line_around(buf: &[u8], start: usize, end: usize) -> &[u8] {
    let end = end.min(buf.len());
    let start = start.min(end);
    let lo = start.saturating_sub(LINE_WINDOW);
    let hi = end.saturating_add(LINE_WINDOW).min(buf.len());
    let s = memchr::memrchr(b'\n', &buf[lo..start]).map_or(lo, |i| lo + i + 1);
    let e = memchr::memchr(b'\n', &buf[end..hi]).map_or(hi, |i| end + i);
    &buf[s..e]
}

/// A per-path override, compiled.
struct CompiledOverride {
    paths: PathMatcher,
    min_confidence: Option<f32>,
    ignore: Vec<String>,
}

/// What applies to one path.
#[derive(Debug, Clone)]
struct PathPolicy {
    allowlisted: bool,
    min_confidence: f32,
    ignore: Vec<String>,
}

/// Sink-side suppression. Feed it every result in arrival order.
pub struct Filter {
    min_confidence: f32,
    paths: PathMatcher,
    fingerprints: HashSet<String>,
    overrides: Vec<CompiledOverride>,
    baseline: Option<Baseline>,
    writer: Option<(PathBuf, Vec<BaselineEntry>)>,
    key_check: String,
    policy_cache: Option<(String, PathPolicy)>,
    /// Baseline entries used so far, per file still open.
    used: HashMap<String, HashMap<BaselineKey, u32>>,
    suppressed: u64,
}

/// What a [`Filter`] is built from.
#[derive(Debug, Default)]
pub struct FilterSpec<'a> {
    pub min_confidence: f32,
    pub allowlist: Option<&'a Allowlist>,
    pub overrides: &'a [Override],
    /// `--baseline`: report only findings not in it.
    pub baseline: Option<&'a Path>,
    /// `--write-baseline`: where to write the current findings.
    pub write_baseline: Option<&'a Path>,
    /// [`crate::finding::Fingerprinter::key_check`] of the run's key.
    pub key_check: String,
}

impl Filter {
    pub fn new(spec: FilterSpec<'_>) -> Result<Filter> {
        let empty = Allowlist::default();
        let allow = spec.allowlist.unwrap_or(&empty);
        let overrides = spec
            .overrides
            .iter()
            .map(|o| {
                Ok(CompiledOverride {
                    paths: PathMatcher::new(&o.paths)?,
                    min_confidence: o.min_confidence,
                    ignore: o.ignore.clone(),
                })
            })
            .collect::<Result<_>>()?;
        let baseline = match spec.baseline {
            Some(p) => Some(Baseline::load(p, &spec.key_check)?),
            None => None,
        };
        Ok(Filter {
            min_confidence: spec.min_confidence,
            paths: PathMatcher::new(&allow.paths)?,
            fingerprints: allow
                .fingerprints
                .iter()
                .map(|f| f.to_ascii_lowercase())
                .collect(),
            overrides,
            baseline,
            writer: spec.write_baseline.map(|p| (p.to_path_buf(), Vec::new())),
            key_check: spec.key_check,
            policy_cache: None,
            used: HashMap::new(),
            suppressed: 0,
        })
    }

    fn policy(&mut self, path: &str) -> PathPolicy {
        if let Some((p, policy)) = &self.policy_cache
            && p == path
        {
            return policy.clone();
        }
        let mut policy = PathPolicy {
            allowlisted: self.paths.matches(path),
            min_confidence: self.min_confidence,
            ignore: Vec::new(),
        };
        for o in &self.overrides {
            if o.paths.matches(path) {
                if let Some(c) = o.min_confidence {
                    policy.min_confidence = c;
                }
                policy.ignore.extend(o.ignore.iter().cloned());
            }
        }
        self.policy_cache = Some((path.to_string(), policy.clone()));
        policy
    }

    /// Drops the suppressed findings from `r`.
    pub fn apply(&mut self, r: &mut FileResult) {
        if !r.findings.is_empty() {
            let policy = self.policy(&r.path);
            let before = r.findings.len();
            let mut findings = std::mem::take(&mut r.findings);
            findings.retain(|f| {
                !policy.allowlisted
                    && f.confidence >= policy.min_confidence
                    && !policy.ignore.iter().any(|p| f.rule.starts_with(p.as_str()))
                    && (self.fingerprints.is_empty()
                        || !self.fingerprints.contains(f.fingerprint.as_str()))
            });
            if let Some((_, entries)) = &mut self.writer {
                entries.extend(findings.iter().map(|f| BaselineEntry::of(&r.path, f)));
            }
            if let Some(b) = &self.baseline {
                let used = self.used.entry(r.path.clone()).or_default();
                findings.retain(|f| {
                    let key = BaselineKey::of(&r.path, f);
                    let n = used.entry(key.clone()).or_default();
                    if *n < b.count(&key) {
                        *n += 1;
                        false
                    } else {
                        true
                    }
                });
            }
            self.suppressed += (before - findings.len()) as u64;
            r.findings = findings;
        }
        if !matches!(r.status, FileStatus::Partial) {
            self.used.remove(&r.path);
        }
    }

    /// Findings dropped so far.
    pub fn suppressed(&self) -> u64 {
        self.suppressed
    }

    /// Writes the baseline, when asked for one.
    pub fn finish(&mut self) -> Result<()> {
        let Some((path, mut entries)) = self.writer.take() else {
            return Ok(());
        };
        entries.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.kind, &a.fingerprint).cmp(&(
                &b.path,
                b.line,
                b.column,
                &b.kind,
                &b.fingerprint,
            ))
        });
        let file = BaselineFile {
            piiscan_baseline: BASELINE_FORMAT,
            key_check: self.key_check.clone(),
            findings: entries,
        };
        crate::private_file::write_atomic(&path, |w| {
            serde_json::to_writer_pretty(&mut *w, &file)?;
            w.write_all(b"\n")
        })
        .with_context(|| format!("{}: cannot write baseline", path.display()))
    }
}

const BASELINE_FORMAT: u32 = 1;

/// A baseline file: which findings were known when it was written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    piiscan_baseline: u32,
    /// Tells whether the same fingerprint key is in use.
    key_check: String,
    findings: Vec<BaselineEntry>,
}

/// One known finding: no value, only where it was and its fingerprint.
/// `line`, `column` and `masked` help people review the file; matching
/// ignores them, so findings survive lines shifting.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineEntry {
    path: String,
    kind: String,
    rule: String,
    fingerprint: String,
    /// The structured location without its row/record number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    line: u64,
    column: u64,
    masked: String,
}

impl BaselineEntry {
    fn of(path: &str, f: &Finding) -> BaselineEntry {
        BaselineEntry {
            path: path.to_string(),
            kind: f.kind.id().to_string(),
            rule: f.rule.to_string(),
            fingerprint: f.fingerprint.to_string(),
            field: field_key(f.location.as_ref()),
            line: f.line,
            column: f.column,
            masked: f.masked.to_string(),
        }
    }
}

/// What a baseline entry matches on: path, kind, fingerprint and the
/// line-independent part of the location.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BaselineKey {
    path: String,
    kind: Kind,
    fingerprint: String,
    field: Option<String>,
}

impl BaselineKey {
    fn of(path: &str, f: &Finding) -> BaselineKey {
        BaselineKey {
            path: path.to_string(),
            kind: f.kind,
            fingerprint: f.fingerprint.to_string(),
            field: field_key(f.location.as_ref()),
        }
    }
}

/// A structured location without the parts that shift when rows are added
/// (row and record numbers, JSON array indices).
fn field_key(loc: Option<&Location>) -> Option<String> {
    Some(match loc? {
        Location::Table { column, .. } => format!("column:{column}"),
        Location::Sql { table, column, .. } => format!("sql:{table}.{column}"),
        Location::Json { pointer, .. } => {
            let generic: Vec<&str> = pointer
                .split('/')
                .map(|seg| {
                    if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                        "*"
                    } else {
                        seg
                    }
                })
                .collect();
            format!("json:{}", generic.join("/"))
        }
        Location::Cdr { field, .. } => format!("cdr:{field}"),
    })
}

/// A loaded baseline: how many times each key was known.
struct Baseline {
    counts: HashMap<BaselineKey, u32>,
}

impl Baseline {
    fn load(path: &Path, key_check: &str) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read baseline", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a piiscan baseline", path.display()))?;
        if file.piiscan_baseline != BASELINE_FORMAT {
            bail!(
                "{}: baseline format {} (this piiscan reads {BASELINE_FORMAT})",
                path.display(),
                file.piiscan_baseline
            );
        }
        if file.key_check != key_check {
            bail!(
                "{}: the baseline was written with another fingerprint key (set the same PIISCAN_KEY or --key-file)",
                path.display()
            );
        }
        let mut counts: HashMap<BaselineKey, u32> = HashMap::new();
        for e in file.findings {
            let Some(kind) = Kind::from_id(&e.kind) else {
                bail!("{}: unknown kind {:?}", path.display(), e.kind);
            };
            *counts
                .entry(BaselineKey {
                    path: e.path,
                    kind,
                    fingerprint: e.fingerprint,
                    field: e.field,
                })
                .or_default() += 1;
        }
        Ok(Baseline { counts })
    }

    fn count(&self, key: &BaselineKey) -> u32 {
        self.counts.get(key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Signals;

    fn finding(kind: Kind, rule: &str, fp: &str, line: u64, conf: f32) -> Finding {
        Finding {
            kind,
            rule: rule.into(),
            start: 0,
            end: 1,
            line,
            column: 1,
            confidence: conf,
            signals: Signals::empty(),
            masked: "m***".into(),
            fingerprint: fp.into(),
            location: None,
            value: None,
        }
    }

    fn result(path: &str, findings: Vec<Finding>) -> FileResult {
        FileResult {
            path: path.into(),
            status: FileStatus::Scanned,
            bytes: 1,
            findings,
        }
    }

    #[test]
    fn path_globs_match_whole_paths_and_tails() {
        let m = PathMatcher::new(&["logs/**".into(), "*.csv".into(), "/srv/x/**".into()]).unwrap();
        assert!(m.matches("logs/a.txt"));
        assert!(m.matches("./logs/a.txt"));
        assert!(m.matches("/data/app/logs/2024/a.txt"));
        assert!(m.matches("deep/dir/export.csv"));
        assert!(m.matches("/srv/x/y.txt"));
        assert!(!m.matches("catalogs/a.txt"));
        assert!(!m.matches("a.txt"));
        let inner = PathMatcher::new(&["dump.tar.gz!/**".into()]).unwrap();
        assert!(inner.matches("backups/dump.tar.gz!/db/users.sql"));
        assert!(!PathMatcher::new(&[]).unwrap().matches("a"));
    }

    #[test]
    fn line_window() {
        let buf = b"first line\nkey ivan@example.com # piiscan:ignore\nlast";
        let s = 15;
        assert_eq!(
            line_around(buf, s, s + 16),
            b"key ivan@example.com # piiscan:ignore"
        );
        assert_eq!(line_around(b"abc", 0, 3), b"abc");
        let long = [b'x'; 5000];
        assert_eq!(line_around(&long, 2500, 2510).len(), 10 + 2 * LINE_WINDOW);
    }

    #[test]
    fn worker_filter_marker_and_patterns() {
        let w = WorkerFilter::new(true, &[r"@example\.com$".into(), r"^\+7495".into()]).unwrap();
        assert!(w.suppress(b"ivan@example.com", b"ivan@example.com", || b"x"));
        assert!(w.suppress(b"8 (495) 123-45-67", b"+74951234567", || b"x"));
        assert!(!w.suppress(b"ivan@mail.ru", b"ivan@mail.ru", || b"mail ivan@mail.ru"));
        assert!(w.suppress(b"ivan@mail.ru", b"", || {
            b"mail ivan@mail.ru // piiscan:ignore"
        }));
        assert_eq!(w.suppressed(), 3);
        let off = WorkerFilter::new(false, &[]).unwrap();
        assert!(!off.suppress(b"v", b"v", || b"piiscan:ignore"));
        assert_ne!(off.describe(), WorkerFilter::default().describe());
    }

    #[test]
    fn allowlists_and_overrides() {
        let allow = Allowlist {
            fingerprints: vec!["AA".repeat(16)],
            patterns: vec![],
            paths: vec!["fixtures/**".into()],
        };
        let overrides = [Override {
            paths: vec!["logs/**".into()],
            min_confidence: Some(0.9),
            ignore: vec!["ipv4".into()],
        }];
        let mut f = Filter::new(FilterSpec {
            min_confidence: 0.5,
            allowlist: Some(&allow),
            overrides: &overrides,
            ..FilterSpec::default()
        })
        .unwrap();
        let mut r = result(
            "logs/app.log",
            vec![
                finding(Kind::Email, "email", "01", 1, 0.95),
                finding(Kind::Phone, "phone.ru", "02", 2, 0.8),
                finding(Kind::Ipv4, "ipv4", "03", 3, 0.95),
                finding(Kind::Email, "email", &"aa".repeat(16), 4, 0.95),
            ],
        );
        f.apply(&mut r);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].fingerprint, "01");
        let mut r = result(
            "fixtures/a.txt",
            vec![finding(Kind::Email, "email", "01", 1, 0.95)],
        );
        f.apply(&mut r);
        assert!(r.findings.is_empty());
        let mut r = result(
            "src/a.txt",
            vec![finding(Kind::Phone, "phone.ru", "02", 2, 0.8)],
        );
        f.apply(&mut r);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(f.suppressed(), 4);
    }

    #[test]
    fn baseline_round_trip_survives_shifted_lines_and_counts_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("b.json");
        let mut w = Filter::new(FilterSpec {
            write_baseline: Some(&b),
            key_check: "k".into(),
            ..FilterSpec::default()
        })
        .unwrap();
        let mut r = result(
            "a.txt",
            vec![
                finding(Kind::Email, "email", "01", 1, 0.9),
                finding(Kind::Email, "email", "01", 5, 0.9),
            ],
        );
        w.apply(&mut r);
        assert_eq!(r.findings.len(), 2, "writing a baseline filters nothing");
        w.finish().unwrap();
        let text = std::fs::read_to_string(&b).unwrap();
        assert!(text.contains("\"fingerprint\": \"01\""), "{text}");

        let mut f = Filter::new(FilterSpec {
            baseline: Some(&b),
            key_check: "k".into(),
            ..FilterSpec::default()
        })
        .unwrap();
        // Lines moved, one more copy of the same value, and a new value.
        let mut r = result(
            "a.txt",
            vec![
                finding(Kind::Email, "email", "01", 10, 0.9),
                finding(Kind::Email, "email", "01", 11, 0.9),
                finding(Kind::Email, "email", "01", 12, 0.9),
                finding(Kind::Phone, "phone.ru", "02", 13, 0.9),
            ],
        );
        f.apply(&mut r);
        let lines: Vec<u64> = r.findings.iter().map(|f| f.line).collect();
        assert_eq!(lines, [12, 13]);
        // The same value in another file is new there.
        let mut r = result("b.txt", vec![finding(Kind::Email, "email", "01", 1, 0.9)]);
        f.apply(&mut r);
        assert_eq!(r.findings.len(), 1);

        let err = Filter::new(FilterSpec {
            baseline: Some(&b),
            key_check: "other".into(),
            ..FilterSpec::default()
        })
        .err()
        .unwrap();
        assert!(format!("{err:#}").contains("another fingerprint key"));
    }

    #[test]
    fn field_keys_drop_row_numbers() {
        let j = Location::Json {
            pointer: "/users/3/email".into(),
            record: Some(7),
        };
        assert_eq!(field_key(Some(&j)).unwrap(), "json:/users/*/email");
        let s = Location::Sql {
            table: "public.users".into(),
            column: "email".into(),
            row: 9,
        };
        assert_eq!(field_key(Some(&s)).unwrap(), "sql:public.users.email");
        assert_eq!(field_key(None), None);
    }
}
