//! `piiscan redact`: write copies of the inputs with every finding at or
//! above the threshold replaced.
//!
//! Owns the redaction run: resolved [`RedactOptions`], where each output
//! goes (a mirror tree under `--out`, the input itself with `--in-place`,
//! standard output for `-`) and the refusals that keep inputs safe (no
//! output inside a source tree, none over an input), writing every output
//! to a temporary file beside its target, fsync and rename (a crash never
//! leaves a partial file under the final name), repair passes over an
//! output (a file, or a stream inside a container) whose re-scan still
//! finds values (a replacement changed a neighbour's context), keeping an output only when its re-scan is clean,
//! the `--report` JSONL (mode 0600, never a value), the run summary and
//! the exit code.
//!
//! The engine of it lives in the submodules: [`stream`] scans one stream
//! and drives the one-pass [`writer`]; [`tracker`] and [`escape`] make each
//! replacement legal where it lands; [`strategies`] and [`fake`] make the
//! replacement text; [`verify`] re-scans outputs; [`container`] rewrites
//! gzip, zstd, bzip2, xz, tar and zip containers as the same kind.
//!
//! Exit codes: 0 nothing was redacted (every output equals its input),
//! 1 something was redacted, 2 an error: an input unreadable, an output
//! not writable, a container kind that cannot be rewritten holding
//! findings, or residual findings in an output (that output is not kept;
//! on standard output it is already sent, and the run still fails).

pub mod command;
pub mod container;
pub mod escape;
pub mod fake;
pub mod report;
pub mod strategies;
pub mod stream;
pub mod tracker;
pub mod verify;
pub mod writer;

use crate::detect::Engine;
use crate::finding::{Fingerprinter, Kind};
use crate::source::StreamScanner;
use crate::walk::{self, Entry, WalkOptions};
use anyhow::{Context as _, Result, bail};
use report::Report;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use strategies::{RedactPolicy, Replacer, Strategy};
use stream::StreamConfig;
use verify::{Residual, Verifier, VerifyConfig};
use writer::Replaced;

/// Where outputs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A mirror tree: each input root `R` goes to `DIR/basename(R)`.
    OutDir(PathBuf),
    /// Over the inputs themselves, keeping the original as `path+SUFFIX`
    /// when a backup suffix is given.
    InPlace { backup: Option<String> },
    /// Only standard input was given: its output goes to standard output.
    StdoutOnly,
}

/// Everything a redaction run needs, resolved.
#[derive(Debug, Clone)]
pub struct RedactOptions {
    pub paths: Vec<PathBuf>,
    pub target: Target,
    pub walk: WalkOptions,
    pub min_confidence: f32,
    pub input_format: Option<crate::extract::InputFormat>,
    pub encoding: Option<&'static encoding_rs::Encoding>,
    pub fingerprinter: Fingerprinter,
    pub policy: RedactPolicy,
    pub report: Option<PathBuf>,
    /// Copy files that cannot be scanned (binary) unchanged instead of
    /// leaving them out.
    pub copy_unscanned: bool,
    /// Re-scan every output before keeping it (on unless `--no-verify`).
    pub verify: bool,
    /// Replace only these spans (`subject erase`); `None`: every finding.
    pub only: Option<Arc<Selection>>,
    /// Time budget per stream (`--file-timeout`): a stream that takes
    /// longer is not written, and its file is reported as skipped.
    pub file_timeout: Option<std::time::Duration>,
    /// Decompression and archive limits (`--max-decompressed`,
    /// `--max-ratio`).
    pub container_limits: crate::source::container::Limits,
}

/// The spans to replace per input (by the path as the walk displays it),
/// and nothing else: `subject erase` replaces one person's values and
/// leaves every other byte as it was. An input without spans is copied
/// unchanged; a container whose members hold spans (keyed
/// `archive!/member`, as the scan names them) is rewritten as the same
/// kind, each member getting exactly its own spans and the others copied.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    spans: std::collections::HashMap<String, Vec<(u64, u64)>>,
}

impl Selection {
    pub fn add(&mut self, path: &str, start: u64, end: u64) {
        self.spans
            .entry(path.to_string())
            .or_default()
            .push((start, end));
    }

    /// Sorts each input's spans (the redactor walks them in order).
    pub fn sorted(mut self) -> Selection {
        for v in self.spans.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        self
    }

    pub fn get(&self, path: &str) -> Option<&[(u64, u64)]> {
        self.spans.get(path).map(Vec::as_slice)
    }

    /// Spans selected in a member of the container `path`.
    fn inside(&self, path: &str) -> bool {
        self.spans.keys().any(|k| is_member(path, k))
    }
}

/// Whether `path`, as findings name it, is a member of the input `file`
/// (`backup.tar.gz!/db/users.sql` is one of `backup.tar.gz`).
pub fn is_member(file: &str, path: &str) -> bool {
    path.strip_prefix(file)
        .is_some_and(|rest| rest.starts_with('!'))
}

/// What happened to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Written with values replaced.
    Redacted,
    /// Nothing to replace: written unchanged (or, in place, left alone).
    Unchanged,
    /// Not scanned (binary), copied unchanged on request.
    Copied(String),
    /// Not scanned and not written.
    Skipped(String),
    Error(String),
    /// The re-scan of the output found values: the output was not kept.
    Residual,
}

/// One input's outcome, as the report and summary receive it.
#[derive(Debug, Clone)]
pub struct FileDone {
    pub path: String,
    pub output: Option<String>,
    pub status: FileStatus,
    pub bytes: u64,
    pub replaced: u64,
    /// Replacements per kind and strategy.
    pub tally: writer::Tally,
    pub residual: Vec<Residual>,
    pub residual_count: u64,
    /// Members of a container left out of its rewrite (binary).
    pub omitted: Vec<String>,
}

impl FileDone {
    fn new(path: String, status: FileStatus) -> FileDone {
        FileDone {
            path,
            output: None,
            status,
            bytes: 0,
            replaced: 0,
            tally: writer::Tally::new(),
            residual: Vec::new(),
            residual_count: 0,
            omitted: Vec::new(),
        }
    }
}

/// What a worker sends to the thread that writes the report.
enum Event {
    Replaced(String, Vec<Replaced>),
    Done(FileDone),
}

/// Totals for the run.
#[derive(Debug, Clone, Default)]
pub struct RedactSummary {
    pub files_redacted: u64,
    pub files_unchanged: u64,
    pub files_copied: u64,
    pub files_skipped: BTreeMap<String, u64>,
    pub files_errored: u64,
    pub files_residual: u64,
    pub values_replaced: u64,
    pub by_kind: BTreeMap<Kind, u64>,
    pub by_strategy: BTreeMap<Strategy, u64>,
    pub bytes: u64,
}

impl RedactSummary {
    fn add(&mut self, d: &FileDone) {
        match &d.status {
            FileStatus::Redacted => self.files_redacted += 1,
            FileStatus::Unchanged => self.files_unchanged += 1,
            FileStatus::Copied(_) => self.files_copied += 1,
            FileStatus::Skipped(r) => *self.files_skipped.entry(r.clone()).or_default() += 1,
            FileStatus::Error(_) => self.files_errored += 1,
            FileStatus::Residual => self.files_residual += 1,
        }
        self.bytes += d.bytes;
        // Counted when the output is kept (or, on stdout, sent).
        if matches!(d.status, FileStatus::Redacted) || d.path == "-" {
            for (&(kind, strategy), &n) in &d.tally {
                self.values_replaced += n;
                *self.by_kind.entry(kind).or_default() += n;
                *self.by_strategy.entry(strategy).or_default() += n;
            }
        }
    }

    /// 2 on any error or residual finding, else 1 when anything was
    /// replaced, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.files_errored > 0 || self.files_residual > 0 {
            2
        } else if self.values_replaced > 0 {
            1
        } else {
            0
        }
    }
}

/// The input roots and where their outputs go.
struct Plan {
    /// (root as given, output root) per non-stdin path.
    roots: Vec<(PathBuf, PathBuf)>,
}

impl Plan {
    fn output_for(&self, path: &Path, target: &Target) -> Option<PathBuf> {
        match target {
            Target::InPlace { .. } => Some(path.to_path_buf()),
            Target::StdoutOnly => None,
            Target::OutDir(_) => self.roots.iter().find_map(|(root, out)| {
                let rel = path.strip_prefix(root).ok()?;
                Some(if rel.as_os_str().is_empty() {
                    out.clone()
                } else {
                    out.join(rel)
                })
            }),
        }
    }
}

/// The canonical form of a path that may not exist yet: its nearest
/// existing ancestor canonicalised, plus the rest.
fn canonical_lenient(p: &Path) -> io::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        match cur.canonicalize() {
            Ok(c) => {
                let mut out = c;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(_) => {
                let Some(name) = cur.file_name() else {
                    return Ok(abs);
                };
                rest.push(name.to_os_string());
                match cur.parent() {
                    Some(parent) => cur = parent,
                    None => return Ok(abs),
                }
            }
        }
    }
}

/// Checks that no output lands inside a source tree or over an input, and
/// maps each root to its output root.
fn plan(options: &RedactOptions) -> Result<Plan> {
    let mut roots = Vec::new();
    let files: Vec<&PathBuf> = options
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .collect();
    match &options.target {
        Target::StdoutOnly => {
            if !files.is_empty() {
                bail!(
                    "give --out DIR (or --in-place) to redact files; only `-` goes to standard output"
                );
            }
        }
        Target::InPlace { backup } => {
            if let Some(b) = backup
                && (b.is_empty() || b.contains('/'))
            {
                bail!("--backup SUFFIX must be a non-empty file-name suffix");
            }
            if options.report.as_ref().is_some_and(|r| {
                files.iter().any(|f| {
                    let (Ok(a), Ok(b)) = (canonical_lenient(r), canonical_lenient(f)) else {
                        return false;
                    };
                    a.starts_with(b)
                })
            }) {
                bail!("--report must not be written inside an input");
            }
        }
        Target::OutDir(dir) => {
            let out = canonical_lenient(dir)
                .with_context(|| format!("{}: cannot resolve --out", dir.display()))?;
            if out.exists() && !out.is_dir() {
                bail!("--out {}: not a directory", dir.display());
            }
            let mut seen: BTreeMap<std::ffi::OsString, PathBuf> = BTreeMap::new();
            for f in &files {
                let Ok(src) = f.canonicalize() else {
                    // The walk reports it as unreadable.
                    continue;
                };
                let Some(name) = src.file_name() else {
                    bail!("{}: cannot mirror a file-system root", f.display());
                };
                if let Some(other) = seen.insert(name.to_os_string(), f.to_path_buf()) {
                    bail!(
                        "{} and {} would both be written to {}: redact them in separate runs",
                        other.display(),
                        f.display(),
                        out.join(name).display()
                    );
                }
                let target = out.join(name);
                if src.is_dir() && out.starts_with(&src) {
                    bail!(
                        "refusing to write into the source tree: --out {} is inside {}",
                        dir.display(),
                        f.display()
                    );
                }
                if target.starts_with(&src) || src.starts_with(&target) {
                    bail!(
                        "refusing to write over an input: {} would be written to {}",
                        f.display(),
                        target.display()
                    );
                }
                roots.push(((*f).clone(), target));
            }
            if let Some(r) = &options.report {
                let r = canonical_lenient(r)?;
                for f in &files {
                    if let Ok(src) = f.canonicalize()
                        && r.starts_with(&src)
                    {
                        bail!("--report must not be written inside an input");
                    }
                }
            }
        }
    }
    Ok(Plan { roots })
}

/// What every worker shares.
struct Shared {
    config: StreamConfig,
    verify: VerifyConfig,
    options: RedactOptions,
    plan: Plan,
    report_values: bool,
}

/// Runs a whole redaction, calling `on_file` with each input's outcome
/// (the CLI prints what a user must know; library code does not print).
/// Returns the summary (its `exit_code` is the process exit code). Fatal
/// problems (a refused output location, an unwritable report) are errors
/// before any file is read.
pub fn run_redact(
    engine: Arc<Engine>,
    options: RedactOptions,
    on_file: &mut dyn FnMut(&FileDone),
) -> Result<RedactSummary> {
    let plan = plan(&options)?;
    let mut report = match &options.report {
        Some(p) => Some(Report::create(p)?),
        None => None,
    };
    if let Target::OutDir(dir) = &options.target {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create --out directory", dir.display()))?;
    }
    let replacer = Replacer::new(options.policy.clone(), options.fingerprinter.clone());
    let shared = Arc::new(Shared {
        config: StreamConfig {
            engine: engine.clone(),
            replacer,
            min_confidence: options.min_confidence,
            input_format: options.input_format,
            encoding: options.encoding,
            detailed: report.is_some(),
            file_timeout: options.file_timeout,
        },
        verify: VerifyConfig {
            engine,
            min_confidence: options.min_confidence,
            fingerprinter: options.fingerprinter.clone(),
        },
        report_values: report.is_some(),
        plan,
        options,
    });
    let mut summary = RedactSummary::default();
    let (tx, rx) = crossbeam_channel::bounded::<Event>(256);
    let mut report_error: Option<io::Error> = None;
    std::thread::scope(|scope| {
        let s = shared.clone();
        scope.spawn(move || {
            let make_visitor = || {
                let s = s.clone();
                let tx = tx.clone();
                let mut scanner = StreamScanner::default();
                let mut verifier: Option<Verifier> = None;
                move |entry: Entry| {
                    let verifier = match &verifier {
                        Some(v) => v,
                        None if !s.options.verify => verifier.insert(Verifier::disabled()),
                        None => match Verifier::spawn(s.verify.clone()) {
                            Ok(v) => verifier.insert(v),
                            Err(e) => {
                                let path = entry_display(&entry);
                                let d = FileDone::new(
                                    path,
                                    FileStatus::Error(format!(
                                        "cannot start the re-scan thread: {}",
                                        crate::app::io_message(&e)
                                    )),
                                );
                                return tx.send(Event::Done(d)).is_ok();
                            }
                        },
                    };
                    let done = work(&s, &mut scanner, verifier, entry, &tx);
                    tx.send(Event::Done(done)).is_ok()
                }
            };
            if matches!(s.options.target, Target::InPlace { .. }) {
                // In place, the walk must be over before the first output
                // appears: it would otherwise meet our temporary files and
                // backups in the very directories it is listing.
                in_place_walk(&s.options, make_visitor);
            } else {
                walk::walk(&s.options.paths, &s.options.walk, make_visitor);
            }
        });
        for ev in rx.iter() {
            let r = match &ev {
                Event::Replaced(path, batch) => match &mut report {
                    Some(rep) => rep.replaced(path, batch, &shared.options.fingerprinter),
                    None => Ok(()),
                },
                Event::Done(d) => {
                    summary.add(d);
                    on_file(d);
                    match &mut report {
                        Some(rep) => rep.file(d),
                        None => Ok(()),
                    }
                }
            };
            if let Err(e) = r
                && report_error.is_none()
            {
                report_error = Some(e);
            }
        }
    });
    if let Some(rep) = &mut report {
        rep.summary(&summary)?;
        rep.finish()?;
    }
    if let Some(e) = report_error {
        return Err(e).context("cannot write the report");
    }
    Ok(summary)
}

/// Lists every entry first, then hands them to `threads` workers.
fn in_place_walk<F, V>(options: &RedactOptions, make_visitor: F)
where
    F: Fn() -> V + Sync,
    V: FnMut(Entry) -> bool + Send + 'static,
{
    let listed = std::sync::Mutex::new(Vec::new());
    walk::walk(&options.paths, &options.walk, || {
        let listed = &listed;
        let (tx, rx) = crossbeam_channel::unbounded::<Entry>();
        // The walker's visitor must be 'static: collect through a channel
        // drained right after the walk.
        listed.lock().map(|mut l| l.push(rx)).ok();
        move |e: Entry| tx.send(e).is_ok()
    });
    let receivers = listed.into_inner().unwrap_or_default();
    let (tx, rx) = crossbeam_channel::unbounded::<Entry>();
    for r in receivers {
        for e in r.try_iter() {
            let _ = tx.send(e);
        }
    }
    drop(tx);
    std::thread::scope(|scope| {
        for _ in 0..options.walk.threads.max(1) {
            let rx = rx.clone();
            let mut visit = make_visitor();
            scope.spawn(move || {
                for e in rx.iter() {
                    if !visit(e) {
                        break;
                    }
                }
            });
        }
    });
}

fn entry_display(e: &Entry) -> String {
    match e {
        Entry::File { display, .. }
        | Entry::Skipped { display, .. }
        | Entry::Error { display, .. } => display.clone(),
        Entry::Stdin => "-".into(),
    }
}

/// The skip reason of standard input when standard output was closed
/// (`piiscan redact - | head`): not worth a message.
pub const OUTPUT_CLOSED: &str = "output closed";

fn work(
    s: &Shared,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    entry: Entry,
    tx: &crossbeam_channel::Sender<Event>,
) -> FileDone {
    match entry {
        Entry::File {
            path,
            display,
            size,
            ..
        } => {
            if s.options.walk.max_filesize.is_some_and(|l| size > l) {
                return FileDone::new(display, FileStatus::Skipped("too large".into()));
            }
            let Some(out) = s.plan.output_for(&path, &s.options.target) else {
                return FileDone::new(
                    display,
                    FileStatus::Error("no output location for this input".into()),
                );
            };
            redact_file(s, scanner, verifier, &path, display, &out, tx)
        }
        Entry::Stdin => redact_stdin(s, scanner, verifier, tx),
        Entry::Skipped { display, reason } => FileDone::new(display, FileStatus::Skipped(reason)),
        Entry::Error { display, message } => FileDone::new(display, FileStatus::Error(message)),
    }
}

fn report_sink<'a>(
    s: &'a Shared,
    path: &'a str,
    tx: &'a crossbeam_channel::Sender<Event>,
) -> impl FnMut(Vec<Replaced>) + 'a {
    move |mut batch: Vec<Replaced>| {
        if !s.report_values {
            // The summary still counts them.
            for r in &mut batch {
                r.norm.clear();
                r.location = None;
            }
        }
        let _ = tx.send(Event::Replaced(path.to_string(), batch));
    }
}

fn redact_stdin(
    s: &Shared,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    tx: &crossbeam_channel::Sender<Event>,
) -> FileDone {
    let path = "-".to_string();
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut sink = report_sink(s, &path, tx);
    let mut done = FileDone::new(path.clone(), FileStatus::Unchanged);
    done.output = Some("-".into());
    let mut stdin = io::stdin().lock();
    let mut peek = Vec::with_capacity(crate::source::container::PEEK_LEN);
    if let Err(e) = (&mut stdin)
        .take(crate::source::container::PEEK_LEN as u64)
        .read_to_end(&mut peek)
    {
        done.status = FileStatus::Error(crate::app::io_message(&e));
        return done;
    }
    let reader = io::Cursor::new(peek.clone()).chain(stdin);
    let result = match crate::source::container::detect("-", &peek) {
        // `pg_dump | gzip | piiscan redact - | …`: gzip, tar and zip streams
        // come out as the same kind of stream.
        Some(kind) => container::redact_container_stream(
            s,
            scanner,
            verifier,
            "-",
            kind,
            Box::new(reader),
            &mut out,
            &mut sink,
        )
        .map(|o| match o {
            container::Outcome::Container {
                bytes,
                replaced,
                tally,
                verdict,
                ..
            } => Ok(stream::StreamOutcome {
                bytes,
                replaced,
                tally,
                verdict,
            }),
            container::Outcome::Refused(why) => Err(Err(why)),
            other => Err(Err(format!("{other:?}"))),
        }),
        None => stream::redact_stream(
            &s.config, scanner, verifier, "-", reader, &mut out, &mut sink,
        )
        .map(|r| r.map_err(Ok)),
    };
    let result = result.and_then(|r| out.flush().map(|_| r));
    match result {
        Ok(Ok(o)) => {
            done.bytes = o.bytes;
            done.replaced = o.replaced;
            done.tally = o.tally;
            finish_verdict(&mut done, &o.verdict);
        }
        Ok(Err(Ok(bin))) => {
            // Binary on a pipe: pass it through only when asked, and say
            // so loudly otherwise (an empty output must not look clean).
            if s.options.copy_unscanned {
                let r = out
                    .write_all(&bin.prefix)
                    .and_then(|_| io::copy(&mut io::stdin().lock(), &mut out).map(|_| ()))
                    .and_then(|_| out.flush());
                done.status = match r {
                    Ok(()) => FileStatus::Copied("binary".into()),
                    Err(e) => FileStatus::Error(crate::app::io_message(&e)),
                };
            } else {
                done.status = FileStatus::Error(
                    "standard input is binary: nothing written (--copy-unscanned passes it through)"
                        .into(),
                );
            }
        }
        Ok(Err(Err(why))) => done.status = FileStatus::Error(why),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            // `piiscan redact - | head`: the reader had enough; end quietly,
            // as `scan` does.
            done.status = FileStatus::Skipped(OUTPUT_CLOSED.into());
        }
        Err(e) => done.status = FileStatus::Error(crate::app::io_message(&e)),
    }
    done
}

fn finish_verdict(done: &mut FileDone, v: &verify::Verdict) {
    if let Some(e) = &v.error {
        done.status = FileStatus::Error(format!("re-scan of the output failed: {e}"));
    } else if v.residual_count > 0 {
        done.status = FileStatus::Residual;
        done.residual = v.residual.clone();
        done.residual_count = v.residual_count;
    } else if done.replaced > 0 {
        done.status = FileStatus::Redacted;
    } else {
        done.status = FileStatus::Unchanged;
    }
}

/// Passes over one output at most: the first, and repairs of what
/// replacing changed in the context of values nearby.
const MAX_PASSES: u32 = 3;

/// Repair passes over one output. Replacing a value changes its
/// neighbours' context: an e-mail `…+orders@…` masked no longer argues
/// against the phone next to it, which the re-scan then finds. So while
/// the re-scan finds values (and listed them all), redact the output again,
/// replacing exactly those (offsets of later passes index the previous
/// pass's output; the previous pass's fakes stay and are announced to the
/// next re-scan), up to [`MAX_PASSES`] passes in all.
///
/// `spool` holds the first pass's output (`first` its outcome) and, on
/// return, the last pass's; `fresh` makes an empty spool beside it, `file`
/// opens a spool as a file. Returns the passes' outcomes added up, with
/// the last pass's verdict.
#[allow(clippy::too_many_arguments)]
fn repair<T>(
    s: &Shared,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    display: &str,
    spool: &mut T,
    first: stream::StreamOutcome,
    fresh: &mut dyn FnMut() -> io::Result<T>,
    file: fn(&mut T) -> &mut std::fs::File,
    sink: &mut dyn FnMut(Vec<Replaced>),
) -> io::Result<stream::StreamOutcome> {
    use std::io::Seek as _;
    let mut total = first;
    let mut verdict = std::mem::take(&mut total.verdict);
    for pass in 2..=MAX_PASSES {
        if verdict.residual_count == 0 || verdict.error.is_some() {
            break;
        }
        if verdict.spans.len() as u64 != verdict.residual_count || !verdict.expected_complete {
            // Too many to repair one by one: leave it to the error.
            break;
        }
        let spans = std::mem::take(&mut verdict.spans);
        let fakes = std::mem::take(&mut verdict.expected);
        let mut next = fresh()?;
        let mut input = file(spool).try_clone()?;
        input.seek(io::SeekFrom::Start(0))?;
        let mut pass_sink = |mut batch: Vec<Replaced>| {
            for r in &mut batch {
                r.pass = pass;
            }
            sink(batch)
        };
        let o = {
            let mut bw = io::BufWriter::with_capacity(64 * 1024, file(&mut next));
            let r = stream::redact_stream_only(
                &s.config,
                scanner,
                verifier,
                display,
                input,
                &mut bw,
                &mut pass_sink,
                Some((&spans, fakes)),
            )?;
            bw.flush()?;
            r
        };
        let o = o.map_err(|_| io::Error::other("the output reads as binary"))?;
        *spool = next;
        total.replaced += o.replaced;
        for (k, n) in o.tally {
            *total.tally.entry(k).or_default() += n;
        }
        verdict = o.verdict;
    }
    total.verdict = verdict;
    Ok(total)
}

/// Redacts one file (a container included) into a temporary file beside
/// `out`, then keeps it under `out` if the re-scan is clean.
fn redact_file(
    s: &Shared,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    path: &Path,
    display: String,
    out: &Path,
    tx: &crossbeam_channel::Sender<Event>,
) -> FileDone {
    let mut done = FileDone::new(display.clone(), FileStatus::Unchanged);
    let fail = |mut d: FileDone, what: &str, e: &io::Error| {
        d.status = FileStatus::Error(format!("{what}: {}", crate::app::io_message(e)));
        d
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(done, "cannot read", &e),
    };
    let meta = file.metadata().ok();
    let Some(parent) = out.parent() else {
        return fail(done, "bad output path", &io::Error::other("no parent"));
    };
    if let Err(e) = std::fs::create_dir_all(parent) {
        return fail(done, "cannot create the output directory", &e);
    }
    let mut temp = match crate::private_file::temp_builder().tempfile_in(parent) {
        Ok(t) => t,
        Err(e) => return fail(done, "cannot create a temporary output file", &e),
    };
    let mut peek = Vec::with_capacity(crate::source::container::PEEK_LEN);
    if let Err(e) = (&mut file)
        .take(crate::source::container::PEEK_LEN as u64)
        .read_to_end(&mut peek)
    {
        return fail(done, "cannot read", &e);
    }
    let mut sink = report_sink(s, &display, tx);
    let kind = crate::source::container::detect(&display, &peek);
    // `subject erase`: a container with selected spans in its members is
    // rewritten (each member gets its own spans, see `container::member`);
    // one without is copied; a plain file gets exactly its spans.
    let selected = s.options.only.as_ref().and_then(|sel| match kind {
        Some(_) if sel.inside(&display) => None,
        Some(_) => Some(None),
        None => Some(sel.get(&display)),
    });
    let outcome = {
        let mut bw = io::BufWriter::with_capacity(64 * 1024, temp.as_file_mut());
        let r = match (kind, selected) {
            (_, Some(None)) => {
                // Nothing selected here: the output is the input, byte for byte.
                bw.write_all(&peek)
                    .and_then(|_| io::copy(&mut file, &mut bw))
                    .map(|n| {
                        container::Outcome::Stream(stream::StreamOutcome {
                            bytes: n + peek.len() as u64,
                            ..Default::default()
                        })
                    })
            }
            (None, Some(Some(spans))) => {
                let reader = io::Cursor::new(peek).chain(file);
                match stream::redact_stream_only(
                    &s.config,
                    scanner,
                    verifier,
                    &display,
                    reader,
                    &mut bw,
                    &mut sink,
                    Some((spans, Vec::new())),
                ) {
                    Ok(Ok(o)) => Ok(container::Outcome::Stream(o)),
                    Ok(Err(_)) => Ok(container::Outcome::Skipped("binary".into())),
                    Err(e) => Err(e),
                }
            }
            (kind, _) => match kind {
                Some(kind) => container::redact_container(
                    s, scanner, verifier, &display, kind, peek, file, &mut bw, &mut sink,
                ),
                None => {
                    let reader = io::Cursor::new(peek).chain(file);
                    match stream::redact_stream(
                        &s.config, scanner, verifier, &display, reader, &mut bw, &mut sink,
                    ) {
                        Ok(Ok(o)) => Ok(container::Outcome::Stream(o)),
                        Ok(Err(bin)) => {
                            if s.options.copy_unscanned {
                                // The reader was consumed up to the prefix;
                                // reopen to copy the rest as it is.
                                std::fs::File::open(path).and_then(|mut f| {
                                    io::copy(&mut f, &mut bw)?;
                                    Ok(container::Outcome::Copied("binary".into()))
                                })
                            } else {
                                let _ = bin;
                                Ok(container::Outcome::Skipped("binary".into()))
                            }
                        }
                        Err(e) => Err(e),
                    }
                }
            },
        };
        r.and_then(|o| bw.flush().map(|_| o))
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) if stream::is_timeout(&e) => {
            done.status = FileStatus::Skipped(format!("{e}: not written"));
            return done;
        }
        Err(e) => return fail(done, "cannot redact", &e),
    };
    match outcome {
        container::Outcome::Stream(first) => {
            let o = repair(
                s,
                scanner,
                verifier,
                &display,
                &mut temp,
                first,
                &mut || crate::private_file::temp_builder().tempfile_in(parent),
                tempfile::NamedTempFile::as_file_mut,
                &mut sink,
            );
            let o = match o {
                Ok(o) => o,
                Err(e) if stream::is_timeout(&e) => {
                    done.status = FileStatus::Skipped(format!("{e}: not written"));
                    return done;
                }
                Err(e) => return fail(done, "cannot redact", &e),
            };
            done.bytes = o.bytes;
            done.replaced = o.replaced;
            done.tally = o.tally;
            finish_verdict(&mut done, &o.verdict);
        }
        container::Outcome::Container {
            bytes,
            replaced,
            tally,
            verdict,
            omitted,
        } => {
            done.omitted = omitted;
            done.bytes = bytes;
            done.replaced = replaced;
            done.tally = tally;
            finish_verdict(&mut done, &verdict);
        }
        container::Outcome::Copied(why) => done.status = FileStatus::Copied(why),
        container::Outcome::Skipped(why) => {
            done.status = FileStatus::Skipped(format!("{why}: not written"));
            return done;
        }
        container::Outcome::Refused(why) => {
            done.status = FileStatus::Error(why);
            return done;
        }
    }
    if matches!(done.status, FileStatus::Error(_) | FileStatus::Residual) {
        // The temporary file goes away with `temp`: nothing is kept.
        return done;
    }
    let in_place = matches!(s.options.target, Target::InPlace { .. });
    if in_place && matches!(done.status, FileStatus::Unchanged | FileStatus::Copied(_)) {
        // Nothing to replace: the input stays as it is, untouched.
        return done;
    }
    // fdatasync: the bytes and the size, not the times, must be on disk
    // before the rename makes them the file.
    if let Err(e) = temp.as_file().sync_data() {
        return fail(done, "cannot write the output", &e);
    }
    if let Some(m) = &meta {
        let _ = temp.as_file().set_permissions(m.permissions());
    }
    if let Target::InPlace {
        backup: Some(suffix),
    } = &s.options.target
    {
        let mut b = path.as_os_str().to_os_string();
        b.push(suffix);
        let backup = PathBuf::from(b);
        let _ = std::fs::remove_file(&backup);
        // A hard link keeps the original bytes under the backup name
        // while the rename replaces the input atomically.
        if let Err(e) =
            std::fs::hard_link(path, &backup).or_else(|_| std::fs::copy(path, &backup).map(|_| ()))
        {
            return fail(done, "cannot write the backup", &e);
        }
    }
    if let Err(e) = temp.persist(out) {
        return fail(done, "cannot write the output", &e.error);
    }
    if let Ok(d) = std::fs::File::open(parent) {
        // Make the rename itself durable.
        let _ = d.sync_all();
    }
    done.output = Some(out.display().to_string());
    done
}
