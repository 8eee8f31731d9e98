//! Re-scanning redacted output before it is kept.
//!
//! Owns the [`Verifier`]: a companion thread per worker that scans each
//! output stream as the writer produces it (the bytes travel through a
//! bounded channel, so a huge output never sits in memory, and the scan
//! overlaps the writing). Every detection at or above the threshold is a
//! *residual* finding unless it lies inside a span the writer announced as
//! a fake (a valid value by design). The verdict lists residuals as kind,
//! offsets and fingerprint, never values.
//!
//! The re-scan uses the input's format and encoding (forced), so it reads
//! the output exactly as the redaction scan read the input. A later
//! `piiscan scan` of the output sniffs its encoding afresh, though, and a
//! replacement can change the verdict (dropping the only malformed bytes of
//! a file that sniffed as windows-1251 makes it valid UTF-8, and a name
//! that was mojibake becomes readable). So the verifier also sniffs the
//! output's first bytes, and when they read as another encoding it runs a
//! second re-scan under that one, fed the same messages on a second thread;
//! residuals of both count.
//!
//! An output that is its input byte for byte needs no re-scan: a first
//! pass that saw no finding at or above the threshold replaced nothing,
//! and the engine, given the same bytes, format and encoding, finds the
//! same nothing again. So a first pass starts its re-scan lazily
//! (`Verifier::start_lazy`): output is held back (up to [`LAZY_HOLD`]
//! bytes) until the first such finding, which starts the re-scan from
//! byte 0; a stream that ends before any finding is clean without one (a
//! tree of mostly clean files costs one scan, not two). A longer stream is
//! re-scanned anyway, to keep memory bounded. Repair passes, which replace
//! only some findings, are always re-scanned.
//!
//! Why not re-scan only around the replacements: a finding's confidence
//! depends on bytes up to the scanner's look-back and tail on either side
//! (context words 64 bytes back, tokenizer candidates up to 320 bytes,
//! names up to 200, addresses up to 300 starting 160 before their
//! keyword), so a sound window is at least ~400 bytes either side of each
//! replacement; at the bench corpus's density (one value per ~230 bytes)
//! windows of 256/512 bytes cover 80/92 % of the output, and the windowing
//! would save little for its risk (the names and address loops resume from
//! their last match, so a skipped region can change what they find next).

use super::writer::OutSink;
use crate::detect::Engine;
use crate::extract::InputFormat;
use crate::finding::{Fingerprinter, Kind};
use crate::source::{SNIFF_LEN, StreamScanner, read_up_to};
use crossbeam_channel::{Receiver, Sender, bounded};
use encoding_rs::Encoding;
use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Output bytes per message to the verifier.
const MSG_BYTES: usize = 64 * 1024;
/// Messages in flight per stream (bounds memory to ~1 MiB).
const IN_FLIGHT: usize = 16;
/// Residuals listed per stream; more are only counted.
const MAX_LISTED: usize = 100;
/// Residual spans kept for a repair pass (16 bytes each).
pub const MAX_REPAIR_SPANS: usize = 1 << 20;
/// Output a lazy re-scan holds back before it starts anyway.
pub const LAZY_HOLD: usize = 4 << 20;

#[derive(Clone)]
enum Msg {
    Data(Vec<u8>),
    Expect(u64, u64),
}

struct Job {
    name: String,
    format: InputFormat,
    encoding: &'static Encoding,
    rx: Receiver<Msg>,
    reply: Sender<Verdict>,
}

/// A finding in redacted output: where and what kind, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residual {
    pub kind: Kind,
    pub rule: String,
    pub start: u64,
    pub end: u64,
    pub line: u64,
    pub column: u64,
    pub fingerprint: String,
}

/// The outcome of re-scanning one output stream.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// The first residuals (at most [`MAX_LISTED`]).
    pub residual: Vec<Residual>,
    pub residual_count: u64,
    /// Where every residual is (up to [`MAX_REPAIR_SPANS`]): a repair pass
    /// replaces exactly these.
    pub spans: Vec<(u64, u64)>,
    /// Where the writer's fakes are (up to [`MAX_REPAIR_SPANS`];
    /// `expected_complete` false past that): a repair pass keeps them and
    /// tells its own re-scan.
    pub expected: Vec<(u64, u64)>,
    pub expected_complete: bool,
    /// The re-scan itself failed (it then proves nothing).
    pub error: Option<String>,
}

impl Verdict {
    pub fn clean(&self) -> bool {
        self.residual_count == 0 && self.error.is_none()
    }
}

/// What the re-scan needs: the engine, the threshold, the key for the
/// residuals' fingerprints.
#[derive(Clone)]
pub struct VerifyConfig {
    pub engine: Arc<Engine>,
    pub min_confidence: f32,
    pub fingerprinter: Fingerprinter,
}

/// A worker's companion re-scan thread.
pub struct Verifier {
    tx: Option<Sender<Job>>,
    handle: Option<JoinHandle<()>>,
}

impl Verifier {
    pub fn spawn(config: VerifyConfig) -> io::Result<Verifier> {
        let (tx, rx) = bounded::<Job>(1);
        let handle = std::thread::Builder::new()
            .name("piiscan-verify".into())
            .spawn(move || {
                let mut scanner = StreamScanner::default();
                for job in rx.iter() {
                    let verdict = run(&config, &mut scanner, &job);
                    let _ = job.reply.send(verdict);
                }
            })?;
        Ok(Verifier {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// No re-scan at all (`--no-verify`): every verdict is clean.
    pub fn disabled() -> Verifier {
        Verifier {
            tx: None,
            handle: None,
        }
    }

    /// Starts re-scanning one output stream; feed it through the returned
    /// [`Feed`].
    pub fn start(&self, name: &str, format: InputFormat, encoding: &'static Encoding) -> Feed {
        let mut feed = self.start_lazy(name, format, encoding);
        feed.needed();
        feed
    }

    /// Prepares the re-scan of an output that equals its input until
    /// [`Feed::needed`] is called (see the module doc): without that call
    /// a stream of at most [`LAZY_HOLD`] bytes is never re-scanned.
    pub fn start_lazy(&self, name: &str, format: InputFormat, encoding: &'static Encoding) -> Feed {
        let (tx, rx) = bounded(IN_FLIGHT);
        let (reply_tx, reply) = bounded(1);
        if self.tx.is_none() && self.handle.is_none() {
            return Feed {
                tx: None,
                buf: Vec::new(),
                reply,
                disabled: true,
                pending: None,
            };
        }
        let job = Job {
            name: name.to_string(),
            format,
            encoding,
            rx,
            reply: reply_tx,
        };
        Feed {
            tx: None,
            buf: Vec::with_capacity(MSG_BYTES),
            reply,
            disabled: false,
            pending: Some((job, tx, self.tx.clone())),
        }
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The writer's end of one stream's re-scan.
pub struct Feed {
    tx: Option<Sender<Msg>>,
    buf: Vec<u8>,
    reply: Receiver<Verdict>,
    disabled: bool,
    /// A lazy re-scan not started yet: its job, the job's data channel,
    /// the verifier thread's job channel.
    pending: Option<(Job, Sender<Msg>, Option<Sender<Job>>)>,
}

impl Feed {
    /// The output may differ from the input (a finding at or above the
    /// threshold was met): start the re-scan, from the first byte.
    pub fn needed(&mut self) {
        if let Some((job, tx, jobs)) = self.pending.take() {
            let sent = jobs.is_some_and(|t| t.send(job).is_ok());
            self.tx = sent.then_some(tx);
            if self.tx.is_none() {
                // finish() reports that the re-scan could not run.
                self.buf.clear();
            } else if self.buf.len() >= MSG_BYTES {
                self.flush();
            }
        }
    }

    pub fn data(&mut self, bytes: &[u8]) {
        if self.pending.is_some() {
            self.buf.extend_from_slice(bytes);
            if self.buf.len() >= LAZY_HOLD {
                self.needed();
            }
            return;
        }
        if self.tx.is_none() {
            return;
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= MSG_BYTES {
            self.flush();
        }
    }

    pub fn expect(&mut self, start: u64, end: u64) {
        self.needed();
        if let Some(tx) = &self.tx
            && tx.send(Msg::Expect(start, end)).is_err()
        {
            self.tx = None;
        }
    }

    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let data = std::mem::replace(&mut self.buf, Vec::with_capacity(MSG_BYTES));
        if let Some(tx) = &self.tx
            && tx.send(Msg::Data(data)).is_err()
        {
            self.tx = None;
        }
    }

    /// Ends the stream and waits for the verdict.
    pub fn finish(mut self) -> Verdict {
        if self.disabled || self.pending.is_some() {
            // Off, or a lazy re-scan never needed: the output is the
            // input, in which nothing was found.
            return Verdict::default();
        }
        self.flush();
        let started = self.tx.take().is_some();
        if !started {
            return Verdict {
                error: Some("the re-scan thread is gone".into()),
                ..Verdict::default()
            };
        }
        self.reply.recv().unwrap_or_else(|_| Verdict {
            error: Some("the re-scan stopped".into()),
            ..Verdict::default()
        })
    }
}

/// An [`OutSink`] that writes to an output and to a re-scan.
pub struct Tee<'a> {
    pub out: &'a mut dyn Write,
    pub feed: &'a mut Feed,
}

impl OutSink for Tee<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.feed.data(bytes);
        Ok(())
    }

    fn expect(&mut self, start: u64, end: u64) {
        self.feed.expect(start, end);
    }
}

/// Every expected span of a stream, and whether none was left out.
type AllExpected = (Vec<(u64, u64)>, bool);

/// Reads a job's messages as a byte stream; `Expect`s go to the queue.
struct MsgReader<'a> {
    rx: &'a Receiver<Msg>,
    cur: Vec<u8>,
    at: usize,
    expected: Rc<RefCell<VecDeque<(u64, u64)>>>,
    /// Every expected span, and whether none was left out.
    all: Rc<RefCell<AllExpected>>,
    /// Messages read so far, kept while the output's encoding is sniffed
    /// (a second re-scan, if one is needed, replays them).
    recorded: Option<Vec<Msg>>,
    /// A second re-scan's channel: every message read is passed on.
    forward: Option<Sender<Msg>>,
}

impl<'a> MsgReader<'a> {
    fn new(rx: &'a Receiver<Msg>) -> MsgReader<'a> {
        MsgReader {
            rx,
            cur: Vec::new(),
            at: 0,
            expected: Rc::default(),
            all: Rc::new(RefCell::new((Vec::new(), true))),
            recorded: None,
            forward: None,
        }
    }
}

impl Read for MsgReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.cur.len() {
            let msg = self.rx.recv();
            if let Ok(m) = &msg {
                if let Some(r) = &mut self.recorded {
                    r.push(m.clone());
                }
                if let Some(f) = &self.forward
                    && f.send(m.clone()).is_err()
                {
                    self.forward = None;
                }
            }
            match msg {
                Ok(Msg::Data(d)) => {
                    self.cur = d;
                    self.at = 0;
                }
                Ok(Msg::Expect(s, e)) => {
                    self.expected.borrow_mut().push_back((s, e));
                    let mut all = self.all.borrow_mut();
                    if all.0.len() < MAX_REPAIR_SPANS {
                        all.0.push((s, e));
                    } else {
                        all.1 = false;
                    }
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.at);
        out[..n].copy_from_slice(&self.cur[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn run(config: &VerifyConfig, scanner: &mut StreamScanner, job: &Job) -> Verdict {
    let mut reader = MsgReader::new(&job.rx);
    reader.recorded = Some(Vec::new());
    let mut head = Vec::with_capacity(SNIFF_LEN);
    // A MsgReader never fails; at worst the head is short.
    let _ = read_up_to(&mut reader, &mut head, SNIFF_LEN);
    let recorded = reader.recorded.take().unwrap_or_default();
    let own = crate::decode::sniff_encoding(&head).encoding;
    if own == job.encoding {
        return rescan(config, scanner, job, job.encoding, head, reader);
    }
    log::debug!(
        "{}: the output sniffs as {}, the input was read as {}: re-scanning under both",
        job.name,
        own.name(),
        job.encoding.name()
    );
    let (forward, second_rx) = bounded(IN_FLIGHT);
    std::thread::scope(|scope| {
        let second = std::thread::Builder::new()
            .name("piiscan-verify-2".into())
            .spawn_scoped(scope, || {
                let reader = MsgReader::new(&second_rx);
                rescan(
                    config,
                    &mut StreamScanner::default(),
                    job,
                    own,
                    Vec::new(),
                    reader,
                )
            });
        let second = match second {
            Ok(handle) => {
                for m in recorded {
                    if forward.send(m).is_err() {
                        break;
                    }
                }
                reader.forward = Some(forward);
                Some(handle)
            }
            Err(_) => None,
        };
        let first = rescan(config, scanner, job, job.encoding, head, reader);
        let second = match second.map(|h| h.join()) {
            Some(Ok(v)) => v,
            _ => Verdict {
                error: Some("the re-scan under the output's own encoding failed".into()),
                ..Verdict::default()
            },
        };
        merge(first, second)
    })
}

/// Re-scans one stream (`head`, then the rest of `reader`) under
/// `encoding`; every detection at or above the threshold outside an
/// expected span is a residual.
fn rescan(
    config: &VerifyConfig,
    scanner: &mut StreamScanner,
    job: &Job,
    encoding: &'static Encoding,
    head: Vec<u8>,
    mut reader: MsgReader<'_>,
) -> Verdict {
    let expected = reader.expected.clone();
    let all = reader.all.clone();
    let mut stream = io::Cursor::new(head).chain(&mut reader);
    let mut verdict = Verdict::default();
    let rules = config.engine.rules();
    let outcome = scanner.scan(
        &config.engine,
        &mut stream,
        &job.name,
        Some(job.format),
        Some(encoding),
        |l| {
            let d = l.detection;
            if d.confidence < config.min_confidence {
                return;
            }
            let mut q = expected.borrow_mut();
            while q.front().is_some_and(|&(_, e)| e <= l.abs_start) {
                q.pop_front();
            }
            if q.front()
                .is_some_and(|&(s, e)| s <= l.abs_start && l.abs_end <= e)
            {
                return;
            }
            verdict.residual_count += 1;
            if verdict.spans.len() < MAX_REPAIR_SPANS {
                verdict.spans.push((l.abs_start, l.abs_end));
            }
            if verdict.residual.len() < MAX_LISTED {
                verdict.residual.push(Residual {
                    kind: d.kind,
                    rule: rules.get(d.rule).id().to_string(),
                    start: l.abs_start,
                    end: l.abs_end,
                    line: l.line,
                    column: l.column,
                    fingerprint: config
                        .fingerprinter
                        .fingerprint(d.kind, &d.norm)
                        .to_string(),
                });
            }
        },
    );
    match outcome {
        Ok(Ok(_)) => {}
        // Binary output from text input: only a NUL could do that, and a
        // replacement never writes one; say so rather than pass it.
        Ok(Err(_)) => verdict.error = Some("the output reads as binary".into()),
        Err(e) => verdict.error = Some(crate::app::io_message(&e)),
    }
    // Read what the scan did not (so the writer never blocks, and a second
    // re-scan fed from this one gets every byte).
    let _ = io::copy(&mut stream, &mut io::sink());
    drop(stream);
    drop(reader);
    let (spans, complete) = std::mem::take(&mut *all.borrow_mut());
    verdict.expected = spans;
    verdict.expected_complete = complete;
    verdict
}

/// The residuals of two re-scans of one output (under two encodings): a
/// span both found counts once.
fn merge(mut first: Verdict, second: Verdict) -> Verdict {
    let seen: HashSet<(u64, u64)> = first.spans.iter().copied().collect();
    let mut both = 0;
    for span in second.spans {
        if seen.contains(&span) {
            both += 1;
        } else if first.spans.len() < MAX_REPAIR_SPANS {
            first.spans.push(span);
        }
    }
    for r in second.residual {
        if !seen.contains(&(r.start, r.end)) && first.residual.len() < MAX_LISTED {
            first.residual.push(r);
        }
    }
    first.residual_count += second.residual_count - both;
    first.spans.sort_unstable();
    first.residual.sort_by_key(|r| (r.start, r.end));
    first.error = first.error.or(second.error);
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::RuleSet;

    fn verifier() -> Verifier {
        Verifier::spawn(VerifyConfig {
            engine: Arc::new(Engine::new(RuleSet::builtin()).unwrap()),
            min_confidence: 0.5,
            fingerprinter: Fingerprinter::from_secret(b"test"),
        })
        .unwrap()
    }

    const PHONE_LINE: &[u8] = b"call me: +7 912 345-67-89\n";

    #[test]
    fn a_lazy_rescan_runs_once_needed_or_past_the_hold_and_sees_every_byte() {
        let v = verifier();
        let filler = b"nothing personal here at all\n".repeat(1000);
        // Needed after some output: the re-scan still starts at byte 0.
        let mut f = v.start_lazy("a.txt", InputFormat::Text, encoding_rs::UTF_8);
        f.data(PHONE_LINE);
        f.data(&filler);
        f.needed();
        f.data(&filler);
        let verdict = f.finish();
        assert_eq!(verdict.residual_count, 1);
        assert_eq!(verdict.spans, [(9, 25)]);
        // Never needed but longer than the hold: re-scanned anyway.
        let mut f = v.start_lazy("b.txt", InputFormat::Text, encoding_rs::UTF_8);
        let mut at = 0;
        while at <= LAZY_HOLD {
            f.data(&filler);
            at += filler.len();
        }
        f.data(PHONE_LINE);
        let verdict = f.finish();
        assert_eq!(verdict.residual_count, 1);
        assert_eq!(verdict.spans, [(at as u64 + 9, at as u64 + 25)]);
        // Never needed and short: the output is the input, in which the
        // first pass found nothing; no re-scan.
        let mut f = v.start_lazy("c.txt", InputFormat::Text, encoding_rs::UTF_8);
        f.data(PHONE_LINE);
        assert!(f.finish().clean());
        // An eager one always runs.
        let mut f = v.start("d.txt", InputFormat::Text, encoding_rs::UTF_8);
        f.data(PHONE_LINE);
        assert_eq!(f.finish().residual_count, 1);
    }
}
