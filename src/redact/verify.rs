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
//! the output exactly as the redaction scan read the input.

use super::writer::OutSink;
use crate::detect::Engine;
use crate::extract::InputFormat;
use crate::finding::{Fingerprinter, Kind};
use crate::source::StreamScanner;
use crossbeam_channel::{Receiver, Sender, bounded};
use encoding_rs::Encoding;
use std::cell::RefCell;
use std::collections::VecDeque;
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
        let (tx, rx) = bounded(IN_FLIGHT);
        let (reply_tx, reply) = bounded(1);
        if self.tx.is_none() && self.handle.is_none() {
            return Feed {
                tx: None,
                buf: Vec::new(),
                reply,
                disabled: true,
            };
        }
        let job = Job {
            name: name.to_string(),
            format,
            encoding,
            rx,
            reply: reply_tx,
        };
        let sent = self.tx.as_ref().is_some_and(|t| t.send(job).is_ok());
        Feed {
            tx: sent.then_some(tx),
            buf: Vec::with_capacity(MSG_BYTES),
            reply,
            disabled: false,
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
}

impl Feed {
    pub fn data(&mut self, bytes: &[u8]) {
        if self.tx.is_none() {
            return;
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= MSG_BYTES {
            self.flush();
        }
    }

    pub fn expect(&mut self, start: u64, end: u64) {
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
        if self.disabled {
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

/// Reads a job's messages as a byte stream; `Expect`s go to the queue.
struct MsgReader<'a> {
    rx: &'a Receiver<Msg>,
    cur: Vec<u8>,
    at: usize,
    expected: Rc<RefCell<VecDeque<(u64, u64)>>>,
}

impl Read for MsgReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.cur.len() {
            match self.rx.recv() {
                Ok(Msg::Data(d)) => {
                    self.cur = d;
                    self.at = 0;
                }
                Ok(Msg::Expect(s, e)) => self.expected.borrow_mut().push_back((s, e)),
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
    let expected = Rc::new(RefCell::new(VecDeque::new()));
    let reader = MsgReader {
        rx: &job.rx,
        cur: Vec::new(),
        at: 0,
        expected: expected.clone(),
    };
    let mut verdict = Verdict::default();
    let rules = config.engine.rules();
    let outcome = scanner.scan(
        &config.engine,
        reader,
        &job.name,
        Some(job.format),
        Some(job.encoding),
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
            if verdict.residual.len() < MAX_LISTED {
                verdict.residual.push(Residual {
                    kind: d.kind,
                    rule: rules.get(d.rule).id().to_string(),
                    start: l.abs_start,
                    end: l.abs_end,
                    line: l.line,
                    column: l.column,
                    fingerprint: config.fingerprinter.fingerprint(d.kind, &d.norm),
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
    // Drain what the scan did not read, so the writer never blocks.
    for _ in job.rx.iter() {}
    verdict
}
