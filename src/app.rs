//! The scan job: walk the inputs in parallel, scan each file, turn
//! detections into findings, and feed per-file results to the sinks.
//!
//! Owns the resolved [`ScanOptions`] (built by the CLI from defaults and
//! flags; the engine never sees flags), the per-file event model
//! ([`FileResult`]), the run [`Summary`], and the exit-code rule. Workers
//! own their scratch; results flow through one channel to the thread that
//! writes the sinks, so output from one file is never interleaved.
//!
//! The operations layer plugs in through [`ScanHooks`]: suppression in the
//! worker (`FindingMaker`) and before the sinks, the incremental state
//! around each file's scan, and piiscan's own files kept out of the scan.

use crate::detect::Engine;
use crate::finding::{Finding, Fingerprinter, Kind, Signals, mask_bytes};
use crate::sink::Sink;
use crate::source::{NotScanned, StreamScanner, split};
use crate::state::{Check, Hashed, Recorder, State};
use crate::suppress::{Filter, WorkerFilter};
use crate::walk::{self, Entry, WalkOptions};
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything a scan needs, resolved.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub walk: WalkOptions,
    /// Findings below this are dropped (and do not set exit code 1).
    pub min_confidence: f32,
    /// Put raw values into findings (`--show-values`).
    pub show_values: bool,
    /// Force an input format instead of sniffing it.
    pub input_format: Option<crate::extract::InputFormat>,
    /// Force an encoding instead of detecting it.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    pub fingerprinter: Fingerprinter,
    /// Per-input limits (time, findings, decompression).
    pub limits: InputLimits,
    /// When one huge file is scanned on all threads
    /// ([`crate::source::split`]).
    pub split: crate::source::split::SplitOptions,
}

/// Limits on one input, each reported when it is hit (a `skipped` result
/// whose reason names the limit; what was found before it still counts).
/// The size limit is the walk's [`WalkOptions::max_filesize`].
#[derive(Debug, Clone, Copy, Default)]
pub struct InputLimits {
    /// Time budget per stream (a file, or one stream inside a container),
    /// checked between reads, i.e. between chunks (`--file-timeout`).
    pub file_timeout: Option<Duration>,
    /// Stop scanning a stream once it gave this many findings
    /// (`--max-findings-per-file`).
    pub max_findings_per_file: Option<u64>,
    /// Decompression and archive limits (`--max-decompressed`,
    /// `--max-ratio`).
    pub containers: crate::source::container::Limits,
}

/// Why a stream's scan was stopped early by an [`InputLimits`] limit.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    Timeout(Duration),
    Findings(u64),
}

impl Stop {
    fn reason(self) -> String {
        match self {
            Stop::Timeout(d) => format!(
                "time limit: scan stopped after {}s (--file-timeout)",
                d.as_secs_f64()
            ),
            Stop::Findings(n) => {
                format!("findings limit: scan stopped at {n} findings (--max-findings-per-file)")
            }
        }
    }
}

/// A reader that ends a scan (with an error the scan passes up) once a
/// limit is hit: the time budget is checked on every read, i.e. between
/// chunks; the findings cap is set by the finding callback.
struct Limited<'a, R> {
    inner: R,
    stop: &'a std::cell::Cell<Option<Stop>>,
    deadline: Option<(Instant, Duration)>,
}

impl<R: Read> Read for Limited<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.stop.get().is_none()
            && let Some((at, budget)) = self.deadline
            && Instant::now() >= at
        {
            self.stop.set(Some(Stop::Timeout(budget)));
        }
        if self.stop.get().is_some() {
            return Err(io::Error::other("scan limit reached"));
        }
        self.inner.read(out)
    }
}

/// What happened to one input.
#[derive(Debug, Clone)]
pub enum FileStatus {
    /// More results for this input follow (a batch of findings).
    Partial,
    Scanned,
    Skipped(String),
    Error(String),
}

/// One input's outcome, as the sinks receive it.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub path: String,
    pub status: FileStatus,
    pub bytes: u64,
    pub findings: Vec<Finding>,
}

/// Totals for the run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files_scanned: u64,
    pub files_skipped: BTreeMap<String, u64>,
    pub files_errored: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
    pub by_kind: BTreeMap<Kind, u64>,
    pub elapsed: Duration,
    /// False when fingerprints use a per-run random key.
    pub fingerprints_stable: bool,
    /// Findings not reported: allowlisted, inline-ignored, in the baseline,
    /// or under a per-path threshold.
    pub suppressed: u64,
    /// Files whose results were carried over from an incremental state
    /// without reading them (counted in `files_scanned` too).
    pub files_unchanged: u64,
}

impl Summary {
    /// `reason: count, …` of the skipped files, as the text reports say
    /// it (empty when nothing was skipped).
    pub fn skip_reasons(&self) -> String {
        let reasons: Vec<String> = self
            .files_skipped
            .iter()
            .map(|(r, n)| format!("{r}: {n}"))
            .collect();
        reasons.join(", ")
    }

    pub fn add(&mut self, r: &FileResult) {
        match &r.status {
            FileStatus::Partial => {}
            FileStatus::Scanned => {
                self.files_scanned += 1;
                self.bytes_scanned += r.bytes;
            }
            FileStatus::Skipped(reason) => {
                *self.files_skipped.entry(reason.clone()).or_default() += 1
            }
            FileStatus::Error(_) => self.files_errored += 1,
        }
        // Counted per kind in an array, then into the map once per kind:
        // a map look-up per finding cost ~100 instructions (callgrind).
        let mut by_kind = [0u64; Kind::ALL.len()];
        for f in &r.findings {
            by_kind[f.kind as usize] += 1;
        }
        self.findings += r.findings.len() as u64;
        for (kind, n) in Kind::ALL.into_iter().zip(by_kind) {
            if n > 0 {
                *self.by_kind.entry(kind).or_default() += n;
            }
        }
    }

    pub fn throughput_mb_s(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.bytes_scanned as f64 / 1e6 / secs
        } else {
            0.0
        }
    }

    /// 2 when any input failed, else 1 when anything was found, else 0.
    pub fn exit_code(&self) -> i32 {
        self.exit_code_gated(&[])
    }

    /// As [`Summary::exit_code`], with `--fail-on` gates deciding exit 1.
    pub fn exit_code_gated(&self, gates: &[crate::gate::FailOn]) -> i32 {
        crate::gate::exit_code(self.files_errored, self.findings, &self.by_kind, gates)
    }
}

/// Builds [`Finding`]s from located detections for one engine + options.
pub struct FindingMaker {
    engine: Arc<Engine>,
    rule_ids: Vec<Arc<str>>,
    options: Arc<ScanOptions>,
    filter: Arc<WorkerFilter>,
}

impl FindingMaker {
    pub fn new(engine: Arc<Engine>, options: Arc<ScanOptions>) -> FindingMaker {
        let rule_ids = engine
            .rules()
            .rules()
            .iter()
            .map(|r| Arc::from(r.id()))
            .collect();
        FindingMaker {
            engine,
            rule_ids,
            options,
            filter: Arc::new(WorkerFilter::default()),
        }
    }

    /// Replaces the worker-side suppression (default: the inline
    /// `piiscan:ignore` marker only).
    pub fn with_filter(mut self, filter: Arc<WorkerFilter>) -> FindingMaker {
        self.filter = filter;
        self
    }

    fn make(&self, l: &mut crate::source::Located<'_>) -> Option<Finding> {
        let d: &crate::detect::Detection = l.detection;
        // A watched value (a data subject's identifier) is what the caller
        // asked for, however weakly its context argues for it.
        let watched = d.signals.contains(Signals::WATCHED);
        if d.confidence < self.options.min_confidence && !watched {
            return None;
        }
        // A buffer without the inline marker has no line holding it.
        let line = || if l.marker_in_buf { l.line_bytes() } else { &[] };
        if self.filter.suppress(l.value, &d.norm, line) {
            return None;
        }
        let mut finding = Finding {
            kind: d.kind,
            rule: self.rule_ids[d.rule as usize].clone(),
            start: l.abs_start,
            end: l.abs_end,
            line: l.line,
            column: l.column,
            confidence: d.confidence,
            signals: d.signals,
            // From the bytes: a short ASCII value is masked without
            // being validated as UTF-8 first.
            masked: mask_bytes(d.kind, l.value),
            fingerprint: self.options.fingerprinter.fingerprint(d.kind, &d.norm),
            location: None,
            // A watched name carries its text even without --show-values:
            // its caller compares names word by word (case forms,
            // initials), which a fingerprint cannot do.
            value: (self.options.show_values || watched && d.kind == Kind::Person)
                .then(|| crate::text::utf8_lossy(l.value).into_owned()),
        };
        // Taken, not cloned: the finding is the detection's one consumer
        // (a clone cost ~130 instructions a located finding).
        finding.location = l.detection.location.take();
        Some(finding)
    }

    /// Scans one reader to the end into a [`FileResult`] holding all its
    /// findings (tests, small inputs). Scans of whole trees use
    /// [`FindingMaker::scan_stream`], which bounds memory.
    pub fn scan_reader<R: Read>(
        &self,
        scanner: &mut StreamScanner,
        path: String,
        reader: R,
    ) -> FileResult {
        let mut batches = Vec::new();
        let mut last = self.scan_stream(scanner, path, reader, &mut |b| batches.push(b));
        let mut findings: Vec<Finding> = batches.into_iter().flat_map(|b| b.findings).collect();
        findings.append(&mut last.findings);
        last.findings = findings;
        last
    }

    /// Scans one reader to the end. Findings go to `flush` in batches of
    /// [`BATCH`] as [`FileStatus::Partial`] results while the scan runs (a
    /// file with millions of findings never sits in memory); the returned
    /// result carries the rest and the file's final status.
    pub fn scan_stream<R: Read>(
        &self,
        scanner: &mut StreamScanner,
        path: String,
        reader: R,
        flush: &mut dyn FnMut(FileResult),
    ) -> FileResult {
        let mut findings = Vec::new();
        let limits = self.options.limits;
        let stop = std::cell::Cell::new(None);
        let mut found = 0u64;
        let reader = Limited {
            inner: reader,
            stop: &stop,
            deadline: limits.file_timeout.map(|d| (Instant::now() + d, d)),
        };
        // A bug that panics on some input costs that input, not the run:
        // the scan becomes an error result and the worker goes on (with a
        // fresh scanner: the old one's state is suspect).
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            scanner.scan(
                &self.engine,
                reader,
                &path,
                self.options.input_format,
                self.options.encoding,
                |mut l| {
                    if stop.get().is_some() {
                        return;
                    }
                    if let Some(f) = self.make(&mut l)
                        && let Some(s) = self.collect(f, &mut findings, &mut found, &path, flush)
                    {
                        stop.set(Some(s));
                    }
                },
            )
        }));
        let (status, bytes) = match (stop.get(), outcome) {
            (_, Err(_panic)) => {
                *scanner = StreamScanner::default();
                (FileStatus::Error(INTERNAL_ERROR.into()), 0)
            }
            (Some(stop), _) => {
                log::debug!("{path}: {}", stop.reason());
                (FileStatus::Skipped(stop.reason()), 0)
            }
            (None, Ok(Ok(Ok(bytes)))) => (FileStatus::Scanned, bytes),
            (None, Ok(Ok(Err(NotScanned::Binary)))) => (FileStatus::Skipped("binary".into()), 0),
            (None, Ok(Err(e))) => (FileStatus::Error(io_message(&e)), 0),
        };
        FileResult {
            path,
            status,
            bytes,
            findings,
        }
    }
}

impl FindingMaker {
    /// Adds one finding of a stream to its batch, handing a full batch to
    /// `flush`; says when the findings cap (`--max-findings-per-file`) is
    /// reached. The sequential and the split scan both collect through it.
    fn collect(
        &self,
        finding: Finding,
        findings: &mut Vec<Finding>,
        found: &mut u64,
        path: &str,
        flush: &mut dyn FnMut(FileResult),
    ) -> Option<Stop> {
        findings.push(finding);
        *found += 1;
        if findings.len() >= BATCH {
            flush(FileResult {
                path: path.to_string(),
                status: FileStatus::Partial,
                bytes: 0,
                findings: std::mem::replace(findings, Vec::with_capacity(BATCH)),
            });
        }
        let cap = self.options.limits.max_findings_per_file;
        cap.is_some_and(|max| *found >= max)
            .then_some(Stop::Findings(*found))
    }

    /// Scans one huge regular file in pieces on all threads (see
    /// [`crate::source::split`]): `reader` is the whole file from its first
    /// byte, read once in order by the pre-pass. Findings, batches, limits
    /// and the final status are those of [`FindingMaker::scan_stream`], in
    /// the same order.
    pub fn scan_split<R: Read + Send>(
        &self,
        plan: &split::Plan,
        path: &std::path::Path,
        display: String,
        reader: R,
        flush: &mut dyn FnMut(FileResult),
    ) -> FileResult {
        let limits = self.options.limits;
        let mut findings = Vec::new();
        let mut found = 0u64;
        let mut stop = None;
        let deadline = limits.file_timeout.map(|d| Instant::now() + d);
        let outcome = split::scan(
            plan,
            &self.engine,
            path,
            reader,
            deadline,
            &|l| self.make(l),
            &mut |f| {
                stop = self.collect(f, &mut findings, &mut found, &display, flush);
                stop.is_none()
            },
        );
        let timeout = || Stop::Timeout(limits.file_timeout.unwrap_or_default());
        let (status, bytes) = match outcome {
            split::Outcome::Scanned(bytes) => (FileStatus::Scanned, bytes),
            split::Outcome::Stopped | split::Outcome::TimedOut => {
                let stop = stop.unwrap_or_else(timeout);
                log::debug!("{display}: {}", stop.reason());
                (FileStatus::Skipped(stop.reason()), 0)
            }
            split::Outcome::Failed(e) => (FileStatus::Error(io_message(&e)), 0),
            split::Outcome::Panicked => (FileStatus::Error(INTERNAL_ERROR.into()), 0),
        };
        FileResult {
            path: display,
            status,
            bytes,
            findings,
        }
    }
}

/// What a panic while scanning an input is reported as (the run goes on).
const INTERNAL_ERROR: &str = "internal error while scanning this input (a bug: please report it)";

/// Findings per batch sent from a worker to the sinks.
pub const BATCH: usize = 1024;

/// A short, stable message for an I/O error (no OS error codes).
pub fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Runs a whole scan, feeding every sink. Returns the summary (its
/// `exit_code` is the process exit code).
pub fn run_scan(
    engine: Arc<Engine>,
    options: ScanOptions,
    sink: &mut dyn Sink,
) -> io::Result<Summary> {
    run_scan_with(engine, options, &mut ScanHooks::default(), sink).map_err(|e| {
        match e.downcast::<io::Error>() {
            Ok(io) => io,
            Err(other) => io::Error::other(format!("{other:#}")),
        }
    })
}

/// The operations layer around a scan (suppression, outputs to leave
/// alone); each part is optional and the defaults change nothing but the
/// inline `piiscan:ignore` marker.
#[derive(Default)]
pub struct ScanHooks {
    /// Worker-side suppression (inline marker, value patterns).
    pub worker_filter: Option<Arc<WorkerFilter>>,
    /// Sink-side suppression (allowlists, overrides, baseline).
    pub filter: Option<Filter>,
    /// Files piiscan itself writes (state, baseline): reported as skipped,
    /// never scanned, even when they lie inside the scanned tree.
    pub own_files: Vec<PathBuf>,
    /// Incremental state: unchanged files are carried over, not read.
    pub state: Option<Arc<State>>,
}

/// [`run_scan`] with the operations hooks. Fails on a sink error or when
/// a hook cannot finish (a baseline that cannot be written).
pub fn run_scan_with(
    engine: Arc<Engine>,
    options: ScanOptions,
    hooks: &mut ScanHooks,
    sink: &mut dyn Sink,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let options = Arc::new(options);
    let worker_filter = hooks.worker_filter.clone().unwrap_or_default();
    let maker =
        Arc::new(FindingMaker::new(engine, options.clone()).with_filter(worker_filter.clone()));
    let own_files = Arc::new(OwnFiles::new(&hooks.own_files));
    let state = hooks.state.clone();
    let mut summary = Summary {
        fingerprints_stable: options.fingerprinter.stable,
        ..Summary::default()
    };
    let (tx, rx) = crossbeam_channel::bounded::<FileResult>(256);
    let mut sink_error: Option<io::Error> = None;
    std::thread::scope(|scope| {
        let walker_maker = maker.clone();
        let walker_options = options.clone();
        scope.spawn(move || {
            walk::walk(&walker_options.paths, &walker_options.walk, || {
                let maker = walker_maker.clone();
                let walker_options = walker_options.clone();
                let own_files = own_files.clone();
                let state = state.clone();
                let tx = tx.clone();
                let mut scanner = StreamScanner::default();
                move |entry: Entry| {
                    let result = match entry {
                        Entry::File {
                            path,
                            display,
                            size,
                            modified,
                        } => {
                            let limit = walker_options.walk.max_filesize;
                            if limit.is_some_and(|l| size > l) {
                                skipped(display, "too large")
                            } else if own_files.contains(&path) {
                                skipped(display, "piiscan's own file")
                            } else if let Some(state) = &state {
                                let stamp = crate::state::Stamp::from_walk(size, modified);
                                return scan_with_state(
                                    &maker,
                                    &mut scanner,
                                    state,
                                    &path,
                                    display,
                                    stamp,
                                    &tx,
                                );
                            } else {
                                return scan_path(
                                    &maker,
                                    &mut scanner,
                                    &path,
                                    display,
                                    None,
                                    &mut |r| tx.send(r).is_ok(),
                                );
                            }
                        }
                        Entry::Stdin => maker.scan_stream(
                            &mut scanner,
                            "-".into(),
                            io::stdin().lock(),
                            &mut |b| {
                                let _ = tx.send(b);
                            },
                        ),
                        Entry::Skipped { display, reason } => skipped(display, reason),
                        Entry::Error { display, message } => errored(display, message),
                    };
                    // The receiver only goes away when output failed: stop.
                    tx.send(result).is_ok()
                }
            });
        });
        for mut result in rx.iter() {
            if let Some(f) = hooks.filter.as_mut() {
                f.apply(&mut result);
            }
            summary.add(&result);
            if sink_error.is_none()
                && let Err(e) = sink.file(&result)
            {
                sink_error = Some(e);
                break;
            }
        }
        drop(rx);
    });
    if let Some(e) = sink_error {
        return Err(e.into());
    }
    summary.suppressed =
        worker_filter.suppressed() + hooks.filter.as_ref().map_or(0, Filter::suppressed);
    if let Some(f) = hooks.filter.as_mut() {
        f.finish()?;
    }
    if let Some(state) = &hooks.state {
        summary.files_unchanged = state.carried();
        state.save()?;
    }
    summary.elapsed = started.elapsed();
    sink.finish(&summary)?;
    Ok(summary)
}

/// Files piiscan writes itself, compared by absolute path without
/// touching the file system (no symlink resolution): cheap per file.
struct OwnFiles {
    cwd: PathBuf,
    files: Vec<PathBuf>,
}

impl OwnFiles {
    fn new(files: &[PathBuf]) -> OwnFiles {
        let cwd = std::env::current_dir().unwrap_or_default();
        let files = files.iter().map(|p| absolute(&cwd, p)).collect();
        OwnFiles { cwd, files }
    }

    fn contains(&self, p: &std::path::Path) -> bool {
        !self.files.is_empty() && self.files.contains(&absolute(&self.cwd, p))
    }
}

fn absolute(cwd: &std::path::Path, p: &std::path::Path) -> PathBuf {
    let joined = cwd.join(p);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Scans one file through the incremental state: carries its previous
/// results over when it is unchanged, else scans it (hashing the content
/// on the way) and records what it gave. Returns false when the output is
/// gone.
fn scan_with_state(
    maker: &FindingMaker,
    scanner: &mut StreamScanner,
    state: &State,
    path: &std::path::Path,
    display: String,
    stamp: Option<crate::state::Stamp>,
    tx: &crossbeam_channel::Sender<FileResult>,
) -> bool {
    let stamp = match state.check(path, &display, stamp) {
        Check::Carry(results) => return results.into_iter().all(|r| tx.send(r).is_ok()),
        Check::Scan(stamp) => stamp,
    };
    let mut hashed = Hashed::default();
    let mut recorder = Recorder::default();
    let alive = scan_path(
        maker,
        scanner,
        path,
        display.clone(),
        Some(&mut hashed),
        &mut |r| {
            recorder.add(state, &r);
            tx.send(r).is_ok()
        },
    );
    if let (true, Some(stamp)) = (alive, stamp) {
        state.commit(display, stamp, hashed.finish(), recorder);
    }
    alive
}

/// Scans one file, expanding it when it is a container (archive,
/// compressed stream, e-mail, Office file): each stream inside becomes its
/// own result (`dump.tar.gz!/db/users.sql`), and limit hits and broken
/// containers become skipped/error results. With `hashed`, a plain file's
/// content is hashed as it is read. `send` returns false when the output
/// is gone; so does this.
fn scan_path(
    maker: &FindingMaker,
    scanner: &mut StreamScanner,
    path: &std::path::Path,
    display: String,
    hashed: Option<&mut Hashed>,
    send: &mut dyn FnMut(FileResult) -> bool,
) -> bool {
    use crate::source::container::{self, Leaf};
    use std::io::{Seek, SeekFrom};
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return send(errored(display, io_message(&e))),
    };
    // Peek, then put the bytes back in front: works for FIFOs too.
    let mut prefix = Vec::with_capacity(container::PEEK_LEN);
    if let Err(e) = (&mut file)
        .take(container::PEEK_LEN as u64)
        .read_to_end(&mut prefix)
    {
        return send(errored(display, io_message(&e)));
    }
    let Some(kind) = container::detect(&display, &prefix) else {
        let mut alive = true;
        let mut flush = |b| alive = alive && send(b);
        // A regular file is read up to the size it had when opened: one
        // that keeps growing while it is scanned (a live log) would
        // otherwise never end. Pipes and devices are read to their end.
        let size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let rest = size.map_or(u64::MAX, |s| s.saturating_sub(prefix.len() as u64));
        let file = file.take(rest);
        // One huge regular file: all threads on it, in pieces.
        let options = &maker.options;
        let plan = size.and_then(|size| {
            split::plan(
                path,
                &display,
                size,
                options.walk.threads,
                options.split,
                options.input_format,
                options.encoding,
            )
        });
        if let Some(plan) = plan {
            let result = match hashed {
                Some(h) => {
                    h.start(&prefix);
                    let reader = io::Cursor::new(prefix).chain(h.reader(file));
                    maker.scan_split(&plan, path, display, reader, &mut flush)
                }
                None => {
                    let reader = io::Cursor::new(prefix).chain(file);
                    maker.scan_split(&plan, path, display, reader, &mut flush)
                }
            };
            return alive && send(result);
        }
        let result = match hashed {
            Some(h) => {
                h.start(&prefix);
                let reader = io::Cursor::new(prefix).chain(h.reader(file));
                maker.scan_stream(scanner, display, reader, &mut flush)
            }
            None => {
                let reader = io::Cursor::new(prefix).chain(file);
                maker.scan_stream(scanner, display, reader, &mut flush)
            }
        };
        return alive && send(result);
    };
    let mut alive = true;
    // A stream's result waits for the next leaf: a skipped/error leaf with
    // the same path supersedes it (the stream was cut short), keeping what
    // was found in the part read.
    let mut pending: Option<FileResult> = None;
    let mut on_leaf = |leaf: Leaf<'_>| {
        let next = match leaf {
            Leaf::Stream { display, reader } => {
                if let Some(p) = pending.take() {
                    alive = alive && send(p);
                }
                if alive {
                    pending = Some(maker.scan_stream(scanner, display, reader, &mut |b| {
                        alive = alive && send(b);
                    }));
                }
                return;
            }
            Leaf::Skipped { display, reason } => skipped(display, reason),
            Leaf::Error { display, message } => errored(display, message),
        };
        let next = match pending.take() {
            Some(p) if p.path == next.path => FileResult {
                findings: p.findings,
                ..next
            },
            Some(p) => {
                alive = alive && send(p);
                next
            }
            None => next,
        };
        alive = alive && send(next);
    };
    let limits = maker.options.limits.containers;
    match file
        .stream_position()
        .and_then(|_| file.seek(SeekFrom::Start(0)))
    {
        Ok(_) => {
            let len = file.metadata().map(|m| m.len()).ok();
            container::expand_seekable(&display, kind, Box::new(file), len, &limits, &mut on_leaf)
        }
        Err(_) => {
            let reader = Box::new(io::Cursor::new(prefix).chain(file));
            container::expand(&display, kind, reader, None, &limits, &mut on_leaf)
        }
    }
    if let Some(p) = pending.take() {
        alive = alive && send(p);
    }
    alive
}

fn skipped(path: String, reason: impl Into<String>) -> FileResult {
    FileResult {
        path,
        status: FileStatus::Skipped(reason.into()),
        bytes: 0,
        findings: Vec::new(),
    }
}

fn errored(path: String, message: impl Into<String>) -> FileResult {
    FileResult {
        path,
        status: FileStatus::Error(message.into()),
        bytes: 0,
        findings: Vec::new(),
    }
}
