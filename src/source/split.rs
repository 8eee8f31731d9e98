//! Scanning one huge file on all threads (issue #4).
//!
//! Owns deciding whether a file is split ([`plan`]), the pre-pass that
//! cuts it at record boundaries and records the state the whole-file scan
//! has at each cut (line number, the format's locator), the parallel scan
//! of the pieces — each through [`StreamScanner::scan_piece`], the same
//! loop that scans whole files — and handing the results back in file
//! order, in bounded memory ([`scan`]).
//!
//! Does not own findings, limits or sinks ([`crate::app`] turns
//! detections into findings and says when to stop), nor choosing formats
//! and encodings ([`crate::extract`], [`crate::decode`]).
//!
//! What is split, and why only that:
//! - **UTF-8 (and ASCII) regular files.** Containers and compressed
//!   streams are streams, with no random access. UTF-16 and the legacy
//!   single-byte encodings (Windows-1251, KOI8-R, CP866: byte-safe to cut,
//!   but) are scanned decoded, and line tracking and the locators count in
//!   decoded offsets, so a piece could only be placed after decoding
//!   everything before it; they stay sequential.
//! - **Text and logs** at any newline; **NDJSON** at any newline (a line is
//!   a record and the JSON locator resyncs there); **SQL dumps** only
//!   between two rows of a COPY block, which the SQL locator itself says
//!   ([`crate::extract::Locator::split_here`]), so each piece starts with
//!   the block's table, columns and row count. CSV (a quoted field may
//!   hold newlines), call logs (quoted CSV too), one JSON document and
//!   INSERT statements (multi-line strings) are never cut: such a file is
//!   scanned sequentially, as one piece.
//!
//! How:
//! 1. A pre-pass thread reads the file once, in order, through the
//!    caller's reader (so an incremental-state hash sees every byte),
//!    counts newlines with `memchr` and feeds the format's locator (the
//!    NDJSON one just jumps from cut to cut: its state at a line start is
//!    known). Past every `piece` bytes it cuts at the next line start the
//!    locator accepts and sends the piece with its line number and a copy
//!    of the locator; when no boundary comes for [`GIVE_UP`] pieces'
//!    worth of bytes (one huge line, a dump with no COPY block), the rest
//!    of the file is one last piece. The pre-pass costs a small fraction
//!    of the scan: `memchr`, a second read of the file (from the page
//!    cache), and for SQL the dump locator (several hundred MB/s).
//! 2. `threads` workers open the file themselves and scan a piece each,
//!    reading [`LOOKBACK`] bytes before it and [`TAIL`] bytes after it:
//!    the context and overlap the sequential scan keeps at its own chunk
//!    edges, so a value near a cut sees the same bytes either way.
//! 3. The calling thread takes the results in file order. When a value ran
//!    past a piece's end (the piece's resume offset passes the cut), the
//!    next piece's detections before that offset are dropped: the
//!    sequential scan resumes there too.
//!
//! Memory: at most `2 × threads` pieces are in flight (queued, scanning,
//! or done and waiting for an earlier one), each holding its own results;
//! a permit channel holds the pre-pass back. A 1 GiB file never has more
//! than a few pieces' findings in memory.

use super::{
    LOOKBACK, Located, PieceStart, SNIFF_LEN, StreamScanner, TAIL, looks_binary, read_up_to,
};
use crate::decode;
use crate::detect::Engine;
use crate::extract::{self, InputFormat, Locator};
use crossbeam_channel::{Receiver, Sender};
use encoding_rs::Encoding;
use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Files smaller than this are scanned by one thread: below it the other
/// threads are better used on other files, and splitting costs a second
/// read of the file.
pub const MIN_SIZE: u64 = 64 << 20;
/// Bytes per piece: large enough that the per-piece set-up (open, seek,
/// the look-back re-read, a locator copy) is noise, small enough that the
/// findings of `2 × threads` pieces stay a few MB.
pub const PIECE: u64 = 2 << 20;
/// The pre-pass reads this much at a time.
const BLOCK: usize = 1 << 20;
/// After this many pieces' worth of bytes without a record boundary the
/// rest of the file becomes one piece: a line or a dump section with no
/// cut must not wait for the pre-pass to read it all.
const GIVE_UP: u64 = 4;

/// When and how finely a file is split. The defaults are [`MIN_SIZE`] and
/// [`PIECE`]; tests lower both (hidden `scan` flags) to split small files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitOptions {
    pub min_size: u64,
    pub piece: u64,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            min_size: MIN_SIZE,
            piece: PIECE,
        }
    }
}

/// A file that will be scanned in pieces.
#[derive(Debug)]
pub struct Plan {
    format: InputFormat,
    /// The file's first bytes: the locators sniff dialects from them.
    prefix: Vec<u8>,
    size: u64,
    piece: u64,
    threads: usize,
}

/// Decides whether the regular file at `path` (`size` bytes when opened,
/// shown as `name`) is scanned in pieces, making the same encoding and
/// format choices the sequential scan would (`format` and `encoding`
/// force them as there). `None`: scan it sequentially; the reason is
/// logged at debug level.
pub fn plan(
    path: &Path,
    name: &str,
    size: u64,
    threads: usize,
    opts: SplitOptions,
    format: Option<InputFormat>,
    encoding: Option<&'static Encoding>,
) -> Option<Plan> {
    if threads < 2 || size < opts.min_size.max(1) {
        return None;
    }
    let mut prefix = Vec::with_capacity(SNIFF_LEN);
    let mut file = std::fs::File::open(path).ok()?;
    read_up_to(&mut file, &mut prefix, SNIFF_LEN).ok()?;
    let encoding = encoding.unwrap_or_else(|| decode::sniff_encoding(&prefix).encoding);
    if encoding != encoding_rs::UTF_8 || looks_binary(&prefix) {
        log::debug!(
            "{name}: not split: {} input is scanned sequentially",
            if encoding == encoding_rs::UTF_8 {
                "binary"
            } else {
                encoding.name()
            }
        );
        return None;
    }
    let format = format.unwrap_or_else(|| extract::sniff(name, &prefix));
    if !matches!(
        format,
        InputFormat::Text | InputFormat::Ndjson | InputFormat::Sql
    ) {
        log::debug!("{name}: not split: a {} record may span lines", format.id());
        return None;
    }
    let piece = opts.piece.max(1);
    log::debug!(
        "{name}: {size} bytes, split into pieces of ~{piece} bytes at {} boundaries over {threads} threads",
        if format == InputFormat::Sql {
            "COPY row"
        } else {
            "line"
        }
    );
    Some(Plan {
        format,
        prefix,
        size,
        piece,
        threads,
    })
}

/// How a split scan ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every piece was scanned; the bytes read.
    Scanned(u64),
    /// `emit` asked to stop.
    Stopped,
    /// The deadline passed.
    TimedOut,
    /// Reading failed.
    Failed(io::Error),
    /// A bug: scanning a piece panicked.
    Panicked,
}

/// One piece, as the pre-pass sends it.
struct Piece {
    index: usize,
    from: u64,
    stop: u64,
    line: u64,
    locator: Option<Box<dyn Locator>>,
}

/// A scanned piece: its results with their start offsets, where the next
/// scan would resume, and why it stopped early if it did (the results
/// found before the stop still count, as in a sequential scan).
struct Done<T> {
    items: Vec<(u64, T)>,
    resume: u64,
    failed: Option<Outcome>,
}

/// Scans the file `plan` was made for: the pre-pass reads `reader` (the
/// whole file from its first byte), workers read `path`. Each detection
/// goes through `make` on a worker; what it returns reaches `emit` on the
/// calling thread, in exactly the order a sequential scan gives it, until
/// `emit` returns false. Nothing is emitted after a failed piece.
pub fn scan<T: Send, R: Read + Send>(
    plan: &Plan,
    engine: &Engine,
    path: &Path,
    reader: R,
    deadline: Option<Instant>,
    make: &(dyn Fn(&mut Located<'_>) -> Option<T> + Sync),
    emit: &mut dyn FnMut(T) -> bool,
) -> Outcome {
    let window = 2 * plan.threads;
    let (piece_tx, piece_rx) = crossbeam_channel::unbounded::<Piece>();
    let (done_tx, done_rx) = crossbeam_channel::unbounded::<(usize, Result<Done<T>, Outcome>)>();
    let (permit_tx, permit_rx) = crossbeam_channel::bounded::<()>(window);
    for _ in 0..window {
        // Cannot fail: the channel has room for them all.
        let _ = permit_tx.send(());
    }
    let cancel = AtomicBool::new(false);
    let cancel = &cancel;
    std::thread::scope(|scope| {
        let prepass = scope.spawn(move || prepass(plan, reader, piece_tx, permit_rx, cancel));
        for _ in 0..plan.threads {
            let (piece_rx, done_tx) = (piece_rx.clone(), done_tx.clone());
            scope.spawn(move || {
                let mut scanner = StreamScanner::default();
                for piece in piece_rx {
                    let index = piece.index;
                    let result = if cancel.load(Ordering::Relaxed) {
                        Err(Outcome::Stopped)
                    } else {
                        scan_one(&mut scanner, engine, path, plan, piece, deadline, make)
                    };
                    if done_tx.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((piece_rx, done_tx));
        let mut stopped = None;
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        // Detections before this offset were covered by the previous piece.
        let mut floor = 0;
        'merge: for (index, result) in done_rx.iter() {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next) {
                next += 1;
                let done = match result {
                    Ok(done) => done,
                    Err(outcome) => {
                        stopped = Some(outcome);
                        break 'merge;
                    }
                };
                for (start, item) in done.items {
                    if start >= floor && !emit(item) {
                        stopped = Some(Outcome::Stopped);
                        break 'merge;
                    }
                }
                if let Some(outcome) = done.failed {
                    stopped = Some(outcome);
                    break 'merge;
                }
                floor = done.resume;
                // The piece is out of memory: the pre-pass may send one more.
                let _ = permit_tx.send(());
            }
        }
        // Unblock everyone: the pre-pass waits for permits, workers for
        // pieces, and nobody waits for results any more.
        cancel.store(true, Ordering::Relaxed);
        drop((done_rx, permit_tx));
        let read = prepass.join();
        if let Some(outcome) = stopped {
            return outcome;
        }
        match read {
            Ok(Ok((bytes, pieces))) if pieces == next => Outcome::Scanned(bytes),
            Ok(Ok(_)) => Outcome::Panicked,
            Ok(Err(e)) => Outcome::Failed(e),
            Err(_panic) => Outcome::Panicked,
        }
    })
}

/// The pre-pass: reads the whole file in order, cuts it into pieces and
/// sends them (each after taking a permit). Returns the bytes read and
/// the pieces sent.
fn prepass<R: Read>(
    plan: &Plan,
    mut reader: R,
    pieces: Sender<Piece>,
    permits: Receiver<()>,
    cancel: &AtomicBool,
) -> io::Result<(u64, usize)> {
    let mut locator = extract::locator_for(plan.format, &plan.prefix);
    // A locator whose state at a line start is known (NDJSON) is moved
    // from cut to cut instead of reading the whole file.
    let jumps = locator.as_mut().is_some_and(|l| l.jump_to_line(0, 1));
    let mut open = Piece {
        index: 0,
        from: 0,
        stop: 0,
        line: 1,
        locator: extract::locator_for(plan.format, &plan.prefix),
    };
    let mut sent = 0usize;
    let send = |mut piece: Piece, stop: u64| {
        piece.stop = stop;
        permits.recv().is_ok() && !cancel.load(Ordering::Relaxed) && pieces.send(piece).is_ok()
    };
    let mut block = Vec::with_capacity(BLOCK);
    // `base`: the offset of block[0]; newlines are counted up to `counted`,
    // where the line number is `line`; the next cut is at or after `target`.
    let (mut base, mut counted, mut line) = (0u64, 0u64, 1u64);
    let mut target = plan.piece;
    loop {
        block.clear();
        let got = read_up_to(&mut reader, &mut block, BLOCK)?;
        if got == 0 {
            break;
        }
        let end = base + got as u64;
        while target < end {
            // A cut is a line start at or past the target.
            let from = (target.saturating_sub(1).max(base) - base) as usize;
            let Some(nl) = memchr::memchr(b'\n', &block[from..]) else {
                break;
            };
            let at = from + nl + 1;
            let cut = base + at as u64;
            let seen = (counted - base) as usize;
            line += memchr::memchr_iter(b'\n', &block[seen..at]).count() as u64;
            counted = cut;
            let resume = match locator.as_mut() {
                None => Some(None),
                Some(l) => {
                    if !jumps || !l.jump_to_line(cut, line) {
                        l.advance(&block, base, cut);
                    }
                    l.split_here().map(Some)
                }
            };
            let Some(resume) = resume else {
                // Not a record boundary: try the next line.
                target = cut + 1;
                continue;
            };
            let next = Piece {
                index: open.index + 1,
                from: cut,
                stop: 0,
                line,
                locator: resume,
            };
            if !send(std::mem::replace(&mut open, next), cut) {
                return Ok((end, sent));
            }
            sent += 1;
            target = cut + plan.piece;
        }
        if end >= open.from.saturating_add(GIVE_UP * plan.piece) {
            // No record boundary for a long way (one huge line, a dump
            // without COPY blocks): the rest is one piece, scanned now
            // rather than after the pre-pass reached the end.
            log::debug!(
                "split: no record boundary from byte {} to {end}: the rest is one piece",
                open.from
            );
            if send(open, plan.size) {
                sent += 1;
            }
            // Read to the end all the same: the caller's reader may be
            // hashing the file.
            let rest = io::copy(&mut reader, &mut io::sink())?;
            return Ok((end + rest, sent));
        }
        let seen = (counted - base) as usize;
        line += memchr::memchr_iter(b'\n', &block[seen..]).count() as u64;
        counted = end;
        if let Some(l) = locator.as_mut().filter(|_| !jumps) {
            l.advance(&block, base, end);
        }
        base = end;
    }
    if send(open, base) {
        sent += 1;
    }
    Ok((base, sent))
}

/// A reader that fails once the deadline has passed: checked per read,
/// i.e. between the scanner's chunks, as for sequential scans.
struct Deadlined<R> {
    inner: R,
    deadline: Option<Instant>,
}

impl<R: Read> Read for Deadlined<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "scan time limit"));
        }
        self.inner.read(out)
    }
}

/// Scans one piece on a worker.
fn scan_one<T>(
    scanner: &mut StreamScanner,
    engine: &Engine,
    path: &Path,
    plan: &Plan,
    piece: Piece,
    deadline: Option<Instant>,
    make: &(dyn Fn(&mut Located<'_>) -> Option<T> + Sync),
) -> Result<Done<T>, Outcome> {
    let lo = piece.from - piece.from.min(LOOKBACK as u64);
    let hi = piece
        .stop
        .saturating_add(TAIL as u64)
        .min(plan.size)
        .max(lo);
    let opened = std::fs::File::open(path).and_then(|mut f| {
        f.seek(SeekFrom::Start(lo))?;
        Ok(f)
    });
    let file = opened.map_err(Outcome::Failed)?;
    let reader = Deadlined {
        inner: file.take(hi - lo),
        deadline,
    };
    let start = PieceStart {
        base: lo,
        from: piece.from,
        stop: piece.stop,
        line: piece.line,
        format: plan.format,
        locator: piece.locator,
        at_end: hi >= plan.size,
    };
    let mut items = Vec::new();
    // A bug that panics on some input costs that input, not the run (as
    // for sequential scans); the scanner's state is suspect afterwards.
    let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scanner.scan_piece(engine, reader, start, |mut l| {
            if let Some(item) = make(&mut l) {
                items.push((l.abs_start, item));
            }
        })
    }));
    let (resume, failed) = match scanned {
        Ok(Ok(resume)) => (resume, None),
        Ok(Err(e)) if e.kind() == io::ErrorKind::TimedOut && deadline.is_some() => {
            (piece.stop, Some(Outcome::TimedOut))
        }
        Ok(Err(e)) => (piece.stop, Some(Outcome::Failed(e))),
        Err(_panic) => {
            *scanner = StreamScanner::default();
            (piece.stop, Some(Outcome::Panicked))
        }
    };
    Ok(Done {
        items,
        resume,
        failed,
    })
}
