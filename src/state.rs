//! Incremental state for scheduled scans (`--state FILE`).
//!
//! Owns the state file: per scanned file its size, modification time and
//! BLAKE3 content hash, and the results it gave (findings as masked
//! previews and fingerprints, never values), stamped with the rule-set
//! version, the piiscan version and a hash of the options that change
//! results. A later run carries the results of unchanged files over
//! without reading them; any change to rules or options discards the whole
//! state; files not seen again drop out. The file is written 0600 and
//! atomically, only after a run that finished.
//!
//! "Unchanged" means: same size and modification time, and that time lies
//! safely before the previous run started. A file modified in the same
//! clock tick as it was read could keep its time (the "racy" case git
//! knows), so such files, and files whose time changed but size did not
//! (a `touch`, a restore from backup), are hashed and carried over only
//! when the content hash is the same. Anything else is scanned again.
//!
//! Entries stay raw JSON until their file comes up in the walk (parsed on
//! the walk's threads), and an unchanged entry is written back as the
//! bytes it was read as: a rescan costs little more than a `stat` per file
//! and the carried findings' share of the report.
//!
//! It decides nothing about what is reported: carried results pass the
//! same suppression as fresh ones. It does not walk or scan.

use crate::app::{BATCH, FileResult, FileStatus};
use crate::detect::RuleSet;
use crate::finding::{Finding, Kind, Location, Signals};
use anyhow::{Context as _, Result};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

const FORMAT: u32 = 2;

/// Files modified within this long before the previous run started are
/// verified by hash (covers coarse file-system timestamps, FAT's 2 s).
const RACY_NS: u64 = 2_000_000_000;

/// The state file as read. Entries stay raw JSON until their file is
/// checked: the walk's threads parse them in parallel, and an unchanged
/// entry is written back byte for byte.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    piiscan_state: u32,
    piiscan_version: String,
    rules: String,
    options: String,
    /// When the run that wrote this started (ns since the Unix epoch).
    started_ns: u64,
    files: HashMap<String, Box<RawValue>>,
}

/// The part of an entry that decides whether the file changed.
#[derive(Debug, Deserialize)]
struct EntryHead {
    size: u64,
    mtime_ns: u64,
    #[serde(default)]
    hash: Option<String>,
}

/// An entry of the state this run writes.
enum NextEntry {
    /// Carried over unchanged: the previous state's bytes.
    Same(Arc<RawValue>),
    New(Entry),
}

impl Serialize for NextEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NextEntry::Same(raw) => raw.serialize(s),
            NextEntry::New(e) => e.serialize(s),
        }
    }
}

/// [`StateFile`] as written: entries are shared with the run, not copied.
#[derive(Serialize)]
struct StateFileOut<'a> {
    piiscan_state: u32,
    piiscan_version: &'a str,
    rules: &'a str,
    options: &'a str,
    started_ns: u64,
    files: Files<'a>,
}

struct Files<'a>(&'a BTreeMap<String, NextEntry>);

impl Serialize for Files<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    size: u64,
    mtime_ns: u64,
    /// BLAKE3 of the content; absent when the scan did not read the whole
    /// file (binary sniff, containers read by seeking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    results: Vec<StoredResult>,
}

/// One result of a file (containers give one per inner stream).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredResult {
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    findings: Vec<StoredFinding>,
}

/// A finding without its value (the state never holds one), as a compact
/// JSON array: rule index in the rule set (valid because the state is
/// discarded when the rules change), start, end, line, column,
/// confidence, signal bits, masked preview, fingerprint, location.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredFinding(
    u16,
    u64,
    u64,
    u64,
    u64,
    f32,
    u16,
    String,
    String,
    #[serde(default, skip_serializing_if = "Option::is_none")] Option<StoredLocation>,
);

/// [`Location`] with an explicit tag, so it reads back as the same variant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", deny_unknown_fields)]
enum StoredLocation {
    Table {
        row: u64,
        column: String,
    },
    Sql {
        table: String,
        column: String,
        row: u64,
    },
    Json {
        pointer: String,
        record: Option<u64>,
    },
    Cdr {
        record: u64,
        field: String,
    },
}

fn store_location(l: &Location) -> StoredLocation {
    match l.clone() {
        Location::Table { row, column } => StoredLocation::Table { row, column },
        Location::Sql { table, column, row } => StoredLocation::Sql { table, column, row },
        Location::Json { pointer, record } => StoredLocation::Json { pointer, record },
        Location::Cdr { record, field } => StoredLocation::Cdr { record, field },
    }
}

fn load_location(l: &StoredLocation) -> Location {
    match l.clone() {
        StoredLocation::Table { row, column } => Location::Table { row, column },
        StoredLocation::Sql { table, column, row } => Location::Sql { table, column, row },
        StoredLocation::Json { pointer, record } => Location::Json { pointer, record },
        StoredLocation::Cdr { record, field } => Location::Cdr { record, field },
    }
}

/// The run's rules, by index and by id.
struct RuleTable {
    rules: Vec<(Arc<str>, Kind)>,
    index: HashMap<Arc<str>, u16>,
}

impl RuleTable {
    fn new(set: &RuleSet) -> RuleTable {
        let rules: Vec<(Arc<str>, Kind)> = set
            .rules()
            .iter()
            .map(|r| (Arc::from(r.id()), r.kind))
            .collect();
        let index = rules
            .iter()
            .enumerate()
            .filter_map(|(i, (id, _))| Some((id.clone(), u16::try_from(i).ok()?)))
            .collect();
        RuleTable { rules, index }
    }

    fn store(&self, f: &Finding) -> Option<StoredFinding> {
        Some(StoredFinding(
            *self.index.get(&f.rule)?,
            f.start,
            f.end,
            f.line,
            f.column,
            f.confidence,
            f.signals.bits(),
            f.masked.to_string(),
            f.fingerprint.to_string(),
            f.location.as_ref().map(store_location),
        ))
    }

    fn load(&self, s: StoredFinding) -> Option<Finding> {
        let (rule, kind) = self.rules.get(s.0 as usize)?;
        Some(Finding {
            kind: *kind,
            rule: rule.clone(),
            start: s.1,
            end: s.2,
            line: s.3,
            column: s.4,
            confidence: s.5,
            signals: Signals::from_bits(s.6),
            masked: s.7.into(),
            fingerprint: s.8.into(),
            location: s.9.as_ref().map(load_location),
            value: None,
        })
    }
}

/// A file's size and modification time, taken before it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: u64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        Stamp::from_walk(meta.len(), meta.modified().ok())
    }

    /// From the size and time the walk already read (no second `stat`).
    pub fn from_walk(size: u64, modified: Option<SystemTime>) -> Option<Stamp> {
        let mtime = modified?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stamp {
            size,
            mtime_ns: u64::try_from(mtime.as_nanos()).ok()?,
        })
    }
}

/// What to do with one file.
pub enum Check {
    /// Unchanged: these results stand for it (bytes 0: nothing was read).
    Carry(Vec<FileResult>),
    /// Scan it, feed its results to a [`Recorder`], then
    /// [`State::commit`] them under this stamp.
    Scan(Option<Stamp>),
}

/// Collects what a scan of one file sends, in the state's form.
#[derive(Default)]
pub struct Recorder {
    results: Vec<StoredResult>,
    open: Option<StoredResult>,
    failed: bool,
}

impl Recorder {
    /// Takes note of one result sent for the file.
    pub fn add(&mut self, state: &State, r: &FileResult) {
        if self.failed {
            return;
        }
        let mut cur = match self.open.take() {
            Some(o) if o.path == r.path => o,
            other => {
                self.results.extend(other);
                StoredResult {
                    path: r.path.clone(),
                    ..StoredResult::default()
                }
            }
        };
        for f in &r.findings {
            match state.table.store(f) {
                Some(s) => cur.findings.push(s),
                // A finding of a rule the set does not know: do not
                // record a file whose results cannot come back whole.
                None => self.failed = true,
            }
        }
        match &r.status {
            FileStatus::Partial => self.open = Some(cur),
            FileStatus::Scanned => self.results.push(cur),
            FileStatus::Skipped(reason) => {
                cur.skipped = Some(reason.clone());
                self.results.push(cur);
            }
            FileStatus::Error(_) => self.failed = true,
        }
    }
}

/// The state of a run: what the last run left, and what this one records.
pub struct State {
    path: PathBuf,
    rules: String,
    options: String,
    table: RuleTable,
    prev: HashMap<String, Arc<RawValue>>,
    prev_started_ns: u64,
    started_ns: u64,
    next: Mutex<BTreeMap<String, NextEntry>>,
    carried: AtomicU64,
    discarded: Option<String>,
}

impl State {
    /// Opens `path` for a run with this rule set and options hash. A
    /// missing file starts empty; a file written under other rules or
    /// options, by another piiscan version, or unreadable as a state, is
    /// discarded (see [`State::discarded`]): it is only a cache.
    pub fn open(path: &Path, rules: &RuleSet, options: &str) -> Result<State> {
        let version = rules.version();
        let mut state = State {
            path: path.to_path_buf(),
            rules: version.clone(),
            options: options.to_string(),
            table: RuleTable::new(rules),
            prev: HashMap::new(),
            prev_started_ns: 0,
            started_ns: now_ns(),
            next: Mutex::new(BTreeMap::new()),
            carried: AtomicU64::new(0),
            discarded: None,
        };
        let t0 = std::time::Instant::now();
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(state),
            Err(e) => {
                return Err(e).with_context(|| format!("{}: cannot read state", path.display()));
            }
        };
        let file: StateFile = match serde_json::from_slice(&text) {
            Ok(f) => f,
            Err(e) => {
                state.discarded = Some(format!("not a piiscan state ({e})"));
                return Ok(state);
            }
        };
        state.discarded = if file.piiscan_state != FORMAT {
            Some(format!("state format {}", file.piiscan_state))
        } else if file.piiscan_version != env!("CARGO_PKG_VERSION") {
            Some(format!("written by piiscan {}", file.piiscan_version))
        } else if file.rules != version {
            Some("the rules changed".into())
        } else if file.options != options {
            Some("the scan options or the fingerprint key changed".into())
        } else {
            None
        };
        if state.discarded.is_none() {
            state.prev = file
                .files
                .into_iter()
                .map(|(k, v)| (k, Arc::from(v)))
                .collect();
            state.prev_started_ns = file.started_ns;
        }
        log::debug!(
            "state: {} files from {} ({} bytes) in {} ms",
            state.prev.len(),
            path.display(),
            text.len(),
            t0.elapsed().as_millis()
        );
        Ok(state)
    }

    /// Why the previous state was not used, if it was not.
    pub fn discarded(&self) -> Option<&str> {
        self.discarded.as_deref()
    }

    /// Files the previous state knows (for a progress estimate).
    pub fn known_files(&self) -> usize {
        self.prev.len()
    }

    /// Files carried over so far.
    pub fn carried(&self) -> u64 {
        self.carried.load(Ordering::Relaxed)
    }

    /// Decides whether `path` (reported as `display`) must be scanned;
    /// `stamp` is its size and time when the caller has them already.
    pub fn check(&self, path: &Path, display: &str, stamp: Option<Stamp>) -> Check {
        let stamp = stamp.or_else(|| std::fs::metadata(path).ok().and_then(|m| Stamp::of(&m)));
        let Some(stamp) = stamp else {
            return Check::Scan(None);
        };
        let Some(raw) = self.prev.get(display) else {
            return Check::Scan(Some(stamp));
        };
        let Ok(prev) = serde_json::from_str::<EntryHead>(raw.get()) else {
            return Check::Scan(Some(stamp));
        };
        if prev.size != stamp.size {
            return Check::Scan(Some(stamp));
        }
        let racy = prev.mtime_ns.saturating_add(RACY_NS) > self.prev_started_ns;
        if prev.mtime_ns != stamp.mtime_ns || racy {
            // Same size, but the time cannot be trusted: compare content.
            let same = prev
                .hash
                .as_ref()
                .is_some_and(|h| hash_file(path).is_ok_and(|now| &now == h));
            log::debug!(
                "{display}: state: time changed or too recent, content {}",
                if same { "unchanged" } else { "changed" }
            );
            if !same {
                return Check::Scan(Some(stamp));
            }
        }
        let Ok(entry) = serde_json::from_str::<Entry>(raw.get()) else {
            return Check::Scan(Some(stamp));
        };
        let next = if prev.mtime_ns == stamp.mtime_ns {
            NextEntry::Same(raw.clone())
        } else {
            NextEntry::New(Entry {
                mtime_ns: stamp.mtime_ns,
                ..entry.clone()
            })
        };
        match self.results_of(entry) {
            Some(results) => {
                self.carried.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut map) = self.next.lock() {
                    map.insert(display.to_string(), next);
                }
                Check::Carry(results)
            }
            None => Check::Scan(Some(stamp)),
        }
    }

    /// Records what a scan of `display` gave. A file with an error result
    /// is not recorded (it is scanned again next time).
    pub fn commit(&self, display: String, stamp: Stamp, hash: Option<String>, rec: Recorder) {
        if rec.failed {
            return;
        }
        let mut results = rec.results;
        results.extend(rec.open);
        let entry = Entry {
            size: stamp.size,
            mtime_ns: stamp.mtime_ns,
            hash,
            results,
        };
        if let Ok(mut next) = self.next.lock() {
            next.insert(display, NextEntry::New(entry));
        }
    }

    /// Writes what this run recorded (0600, atomically).
    pub fn save(&self) -> Result<()> {
        let t0 = std::time::Instant::now();
        let files = match self.next.lock() {
            Ok(mut next) => std::mem::take(&mut *next),
            Err(_) => anyhow::bail!("{}: state lost (a worker panicked)", self.path.display()),
        };
        let file = StateFileOut {
            piiscan_state: FORMAT,
            piiscan_version: env!("CARGO_PKG_VERSION"),
            rules: &self.rules,
            options: &self.options,
            started_ns: self.started_ns,
            files: Files(&files),
        };
        crate::private_file::write_atomic(&self.path, |w| {
            serde_json::to_writer(&mut *w, &file)?;
            w.write_all(b"\n")
        })
        .with_context(|| format!("{}: cannot write state", self.path.display()))?;
        log::debug!(
            "state: {} files to {} in {} ms ({} carried over)",
            files.len(),
            self.path.display(),
            t0.elapsed().as_millis(),
            self.carried()
        );
        Ok(())
    }

    /// Rebuilds the results of an entry, in batches of [`BATCH`] findings.
    fn results_of(&self, e: Entry) -> Option<Vec<FileResult>> {
        let mut out = Vec::new();
        for r in e.results {
            let mut batch = Vec::with_capacity(r.findings.len().min(BATCH));
            for s in r.findings {
                if batch.len() == BATCH {
                    out.push(FileResult {
                        path: r.path.clone(),
                        status: FileStatus::Partial,
                        bytes: 0,
                        findings: std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                    });
                }
                batch.push(self.table.load(s)?);
            }
            out.push(FileResult {
                path: r.path,
                status: match r.skipped {
                    Some(reason) => FileStatus::Skipped(reason),
                    None => FileStatus::Scanned,
                },
                bytes: 0,
                findings: batch,
            });
        }
        Some(out)
    }
}

/// A hash of the options that change results, for [`State::open`].
pub fn options_hash(parts: &[String]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0]);
    }
    h.finalize().to_hex()[..16].to_string()
}

/// BLAKE3 of a file's content.
pub fn hash_file(path: &Path) -> io::Result<String> {
    let mut h = blake3::Hasher::new();
    h.update_reader(std::fs::File::open(path)?)?;
    Ok(h.finalize().to_hex().to_string())
}

/// A content hash computed while the scanner reads.
#[derive(Default)]
pub struct Hashed {
    hasher: blake3::Hasher,
    eof: bool,
    whole: bool,
}

impl Hashed {
    /// Starts a hash of a stream that begins with `prefix`.
    pub fn start(&mut self, prefix: &[u8]) {
        self.hasher.update(prefix);
        self.whole = true;
    }

    /// A reader that hashes what passes through it.
    pub fn reader<R: Read>(&mut self, inner: R) -> HashingReader<'_, R> {
        HashingReader { inner, h: self }
    }

    /// The hash, when the whole stream went through [`Hashed::reader`].
    pub fn finish(&self) -> Option<String> {
        (self.whole && self.eof).then(|| self.hasher.finalize().to_hex().to_string())
    }
}

pub struct HashingReader<'a, R> {
    inner: R,
    h: &'a mut Hashed,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.h.eof = true;
        } else {
            self.h.hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(i: u64) -> Finding {
        Finding {
            kind: Kind::Email,
            rule: "email".into(),
            start: i,
            end: i + 5,
            line: 1,
            column: i + 1,
            confidence: 0.95,
            signals: Signals::VALIDATED,
            masked: "i***@example.com".into(),
            fingerprint: format!("{i:032x}").into(),
            location: Some(Location::Sql {
                table: "users".into(),
                column: "email".into(),
                row: i,
            }),
            value: Some("ivan@example.com".into()),
        }
    }

    fn old_file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(SystemTime::now() - std::time::Duration::from_secs(3600))
            .unwrap();
        p
    }

    fn record(
        s: &State,
        display: &str,
        stamp: Stamp,
        hash: Option<String>,
        results: &[FileResult],
    ) {
        let mut rec = Recorder::default();
        for r in results {
            rec.add(s, r);
        }
        s.commit(display.into(), stamp, hash, rec);
    }

    fn rules() -> RuleSet {
        RuleSet::builtin()
    }

    #[test]
    fn round_trip_carries_unchanged_files_without_values() {
        let dir = tempfile::tempdir().unwrap();
        let sp = dir.path().join("state.json");
        let a = old_file(dir.path(), "a.txt", "hello ivan@example.com");
        let s = State::open(&sp, &rules(), "o1").unwrap();
        let Check::Scan(Some(stamp)) = s.check(&a, "a.txt", None) else {
            panic!("a new file must be scanned")
        };
        let results = vec![
            FileResult {
                path: "a.txt".into(),
                status: FileStatus::Partial,
                bytes: 0,
                findings: vec![finding(1)],
            },
            FileResult {
                path: "a.txt".into(),
                status: FileStatus::Scanned,
                bytes: 22,
                findings: vec![finding(2)],
            },
        ];
        record(&s, "a.txt", stamp, Some(hash_file(&a).unwrap()), &results);
        s.save().unwrap();
        let text = std::fs::read_to_string(&sp).unwrap();
        assert!(!text.contains("ivan@example.com"), "no values in the state");

        let s = State::open(&sp, &rules(), "o1").unwrap();
        assert!(s.discarded().is_none());
        let Check::Carry(carried) = s.check(&a, "a.txt", None) else {
            panic!("unchanged")
        };
        assert_eq!(carried.len(), 1);
        assert_eq!(carried[0].findings.len(), 2);
        let f = &carried[0].findings[1];
        assert_eq!((f.start, f.end, f.line, f.column), (2, 7, 1, 3));
        assert_eq!((f.kind, &*f.rule), (Kind::Email, "email"));
        assert_eq!(f.signals, Signals::VALIDATED);
        assert_eq!(f.fingerprint, finding(2).fingerprint);
        assert!(f.value.is_none());
        assert_eq!(
            carried[0].findings[0].location,
            finding(1).location,
            "location variant survives"
        );
        assert_eq!(s.carried(), 1);

        // Touched but the same content: carried after a hash check.
        let f = std::fs::File::options().write(true).open(&a).unwrap();
        f.set_modified(SystemTime::now() - std::time::Duration::from_secs(60))
            .unwrap();
        assert!(matches!(s.check(&a, "a.txt", None), Check::Carry(_)));
        // Same size, other content: scanned.
        std::fs::write(&a, "hello petr@example.com").unwrap();
        assert!(matches!(s.check(&a, "a.txt", None), Check::Scan(_)));

        // Other rules or options: discarded.
        let mut fewer = rules();
        fewer.retain(|r| r.id() != "card");
        for (r, o) in [(&fewer, "o1"), (&rules(), "o2")] {
            let s = State::open(&sp, r, o).unwrap();
            assert!(s.discarded().is_some());
            assert!(matches!(s.check(&a, "a.txt", None), Check::Scan(_)));
        }
        // A file that is not a state is discarded, not fatal.
        std::fs::write(&sp, "{").unwrap();
        assert!(
            State::open(&sp, &rules(), "o1")
                .unwrap()
                .discarded()
                .is_some()
        );
    }

    #[test]
    fn errors_are_not_recorded_and_big_results_come_back_in_batches() {
        let dir = tempfile::tempdir().unwrap();
        let sp = dir.path().join("state.json");
        let a = old_file(dir.path(), "a.txt", "x");
        let s = State::open(&sp, &rules(), "o").unwrap();
        let stamp = Stamp {
            size: 1,
            mtime_ns: 1,
        };
        record(
            &s,
            "bad",
            stamp,
            None,
            &[FileResult {
                path: "bad".into(),
                status: FileStatus::Error("boom".into()),
                bytes: 0,
                findings: vec![],
            }],
        );
        let Check::Scan(Some(stamp)) = s.check(&a, "a.txt", None) else {
            panic!()
        };
        record(
            &s,
            "a.txt",
            stamp,
            None,
            &[FileResult {
                path: "a.txt".into(),
                status: FileStatus::Scanned,
                bytes: 1,
                findings: (0..(BATCH as u64 * 2 + 5)).map(finding).collect(),
            }],
        );
        s.save().unwrap();
        let s = State::open(&sp, &rules(), "o").unwrap();
        assert_eq!(s.known_files(), 1);
        let Check::Carry(r) = s.check(&a, "a.txt", None) else {
            panic!()
        };
        assert_eq!(r.len(), 3);
        assert!(matches!(r[0].status, FileStatus::Partial));
        assert!(matches!(r[2].status, FileStatus::Scanned));
        assert_eq!(
            r.iter().map(|r| r.findings.len()).sum::<usize>(),
            BATCH * 2 + 5
        );
    }

    #[test]
    fn unchanged_entries_are_written_back_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let sp = dir.path().join("state.json");
        let a = old_file(dir.path(), "a.txt", "hello");
        let s = State::open(&sp, &rules(), "o").unwrap();
        let Check::Scan(Some(stamp)) = s.check(&a, "a.txt", None) else {
            panic!()
        };
        let r = FileResult {
            path: "a.txt".into(),
            status: FileStatus::Scanned,
            bytes: 5,
            findings: vec![finding(3)],
        };
        record(&s, "a.txt", stamp, Some(hash_file(&a).unwrap()), &[r]);
        s.save().unwrap();
        let files = |text: &str| text[text.find("\"files\"").unwrap()..].to_string();
        let before = files(&std::fs::read_to_string(&sp).unwrap());
        let s = State::open(&sp, &rules(), "o").unwrap();
        assert!(matches!(s.check(&a, "a.txt", None), Check::Carry(_)));
        s.save().unwrap();
        assert_eq!(files(&std::fs::read_to_string(&sp).unwrap()), before);
    }

    #[test]
    fn hashing_reader_needs_the_whole_stream() {
        let mut h = Hashed::default();
        h.start(b"ab");
        let mut out = Vec::new();
        h.reader(&b"cd"[..]).read_to_end(&mut out).unwrap();
        assert_eq!(
            h.finish().unwrap(),
            blake3::hash(b"abcd").to_hex().to_string()
        );
        let mut partial = Hashed::default();
        partial.start(b"ab");
        let mut buf = [0u8; 1];
        partial.reader(&b"cd"[..]).read_exact(&mut buf).unwrap();
        assert!(partial.finish().is_none());
    }
}
