//! Redacting one stream: scan it and write the output while the scan runs.
//!
//! Owns the per-stream pipeline: peek the first bytes (binary sniff,
//! encoding, format — the same decisions the scanner makes, then forced
//! on it so scanner, tracker and verifier agree), tee every input byte
//! into a [`Window`] as the scanner reads it, hand each detection at or
//! above the threshold and each "settled" offset to the [`SpanWriter`],
//! and re-scan the output through the worker's [`Verifier`]. Memory is the
//! scanner's chunk plus the window (input read but not yet written), both
//! bounded whatever the stream's size.

use super::strategies::Replacer;
use super::tracker::Tracker;
use super::verify::{Feed, Tee, Verdict, Verifier};
use super::writer::{Codec, Replaced, SpanIn, SpanWriter, Window};
use crate::decode;
use crate::detect::Engine;
use crate::extract::{self, InputFormat};
use crate::source::{SNIFF_LEN, StreamScanner, looks_binary};
use encoding_rs::Encoding;
use std::cell::RefCell;
use std::io::{self, Cursor, Read, Write};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The resolved settings every stream of a run shares.
pub struct StreamConfig {
    pub engine: Arc<Engine>,
    pub replacer: Replacer,
    pub min_confidence: f32,
    pub input_format: Option<InputFormat>,
    pub encoding: Option<&'static Encoding>,
    /// Keep a record of every replacement, with its location, for the
    /// report (else only counts).
    pub detailed: bool,
    /// Time budget per stream: past it the redaction stops with a
    /// [`io::ErrorKind::TimedOut`] error (see [`is_timeout`]).
    pub file_timeout: Option<Duration>,
}

/// Whether a stream's redaction error is its time budget running out
/// (the file is then skipped, not failed).
pub fn is_timeout(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::TimedOut
}

/// How one stream went.
#[derive(Debug, Default)]
pub struct StreamOutcome {
    /// Input bytes read.
    pub bytes: u64,
    /// Values replaced.
    pub replaced: u64,
    pub tally: super::writer::Tally,
    pub verdict: Verdict,
}

/// A stream that was not redacted because it is not text: its first bytes
/// and the rest of the reader are the caller's, to copy or skip.
pub struct Binary {
    pub prefix: Vec<u8>,
}

/// Reads through to the window, so the writer sees every original byte.
/// Also checks the time budget on every read, i.e. between chunks.
struct TeeReader<R> {
    inner: R,
    window: Rc<RefCell<Window>>,
    failed: Rc<RefCell<Option<io::Error>>>,
    deadline: Option<(Instant, Duration)>,
}

impl<R: Read> Read for TeeReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some((at, budget)) = self.deadline
            && Instant::now() >= at
        {
            let mut failed = self.failed.borrow_mut();
            if failed.is_none() {
                *failed = Some(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "time limit: redaction stopped after {}s (--file-timeout)",
                        budget.as_secs_f64()
                    ),
                ));
            }
        }
        if self.failed.borrow().is_some() {
            // The output broke (or time ran out): stop the scan rather
            // than read on.
            return Err(io::Error::other("output failed"));
        }
        let n = self.inner.read(out)?;
        self.window.borrow_mut().push(&out[..n]);
        Ok(n)
    }
}

/// Redacts `reader` into `out`, re-scanning the output as it goes.
/// `replaced` receives what was replaced, in batches (for the report).
/// Returns `Err(Binary)` untouched when the input is not text.
pub fn redact_stream(
    config: &StreamConfig,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    name: &str,
    reader: impl Read,
    out: &mut dyn Write,
    replaced: &mut dyn FnMut(Vec<Replaced>),
) -> io::Result<Result<StreamOutcome, Binary>> {
    redact_stream_only(config, scanner, verifier, name, reader, out, replaced, None)
}

/// What a repair pass touches: the previous pass's residual spans (sorted),
/// and its fakes (sorted), which it keeps and announces to its re-scan.
pub type Repair<'a> = (&'a [(u64, u64)], Vec<(u64, u64)>);

/// [`redact_stream`], replacing only findings that overlap `only` (sorted
/// spans, when given): a repair pass touches the residuals of the previous
/// pass and nothing else (its fakes stay as they are).
#[allow(clippy::too_many_arguments)]
pub fn redact_stream_only(
    config: &StreamConfig,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    name: &str,
    mut reader: impl Read,
    out: &mut dyn Write,
    replaced: &mut dyn FnMut(Vec<Replaced>),
    only: Option<Repair<'_>>,
) -> io::Result<Result<StreamOutcome, Binary>> {
    let (only, protect) = match only {
        Some((o, p)) => (Some(o), p),
        None => (None, Vec::new()),
    };
    let only_at = std::cell::Cell::new(0usize);
    // Twice the sniff length: a UTF-16 prefix decodes to half its bytes.
    let mut prefix = Vec::with_capacity(2 * SNIFF_LEN);
    (&mut reader)
        .take(2 * SNIFF_LEN as u64)
        .read_to_end(&mut prefix)?;
    let sniff_bytes = &prefix[..prefix.len().min(SNIFF_LEN)];
    let sniffed = match config.encoding {
        Some(forced) => decode::Sniffed {
            encoding: forced,
            bom_len: match Encoding::for_bom(sniff_bytes) {
                Some((e, len)) if e == forced => len,
                _ => 0,
            },
            reason: "forced",
        },
        None => decode::sniff_encoding(sniff_bytes),
    };
    let encoding = sniffed.encoding;
    let utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
    if !utf16 && looks_binary(sniff_bytes) {
        return Ok(Err(Binary { prefix }));
    }
    let decoded_prefix: Vec<u8> = if encoding == encoding_rs::UTF_8 {
        prefix.clone()
    } else {
        let body = prefix.get(sniffed.bom_len..).unwrap_or_default();
        let (text, _) = encoding.decode_without_bom_handling(body);
        text.into_owned().into_bytes()
    };
    let dprefix = &decoded_prefix[..decoded_prefix.len().min(SNIFF_LEN)];
    let format = config
        .input_format
        .unwrap_or_else(|| extract::sniff(name, dprefix));
    let tracker = Tracker::for_format(format, dprefix);
    let codec = Codec::new(encoding, sniffed.bom_len);

    let window = Rc::new(RefCell::new(Window::default()));
    let failed: Rc<RefCell<Option<io::Error>>> = Rc::new(RefCell::new(None));
    let tee = TeeReader {
        inner: Cursor::new(prefix).chain(reader),
        window: window.clone(),
        failed: failed.clone(),
        deadline: config.file_timeout.map(|d| (Instant::now() + d, d)),
    };
    // A first pass that meets no finding writes its input unchanged: its
    // re-scan starts only when it meets one (see `verify`). A repair pass
    // replaces only some findings, so it is always re-scanned.
    let mut feed: Feed = if only.is_none() {
        verifier.start_lazy(name, format, encoding)
    } else {
        verifier.start(name, format, encoding)
    };
    let writer = RefCell::new(SpanWriter::new(
        &config.replacer,
        codec,
        tracker,
        config.detailed,
    ));
    writer.borrow_mut().protect(protect);
    // The normalised value feeds the report's fingerprint and the keyed
    // strategies; a mask or label never needs it.
    let needs_norm: Vec<bool> = crate::finding::Kind::ALL
        .iter()
        .map(|&k| {
            config.detailed
                || matches!(
                    config.replacer.policy().strategy(k),
                    super::strategies::Strategy::Pseudonym | super::strategies::Strategy::Fake
                )
        })
        .collect();
    // The first pass reads an e-mail's normalised value only for these.
    scanner.set_no_email_norm(!needs_norm[crate::finding::Kind::Email as usize]);
    let rules = config.engine.rules();
    let rule_ids: Vec<Arc<str>> = rules.rules().iter().map(|r| Arc::from(r.id())).collect();
    let sink_out = RefCell::new(Tee {
        out,
        feed: &mut feed,
    });
    let fail = |e: io::Error| {
        let mut f = failed.borrow_mut();
        if f.is_none() {
            *f = Some(e);
        }
    };
    let take_batch = |w: &mut SpanWriter<'_>, replaced: &mut dyn FnMut(Vec<Replaced>)| {
        if w.replaced.len() >= crate::app::BATCH {
            replaced(std::mem::take(&mut w.replaced));
        }
    };
    let replaced = RefCell::new(replaced);
    let outcome = scanner.scan_with_progress(
        &config.engine,
        tee,
        name,
        Some(format),
        Some(encoding),
        |l| {
            let d = l.detection;
            if d.confidence < config.min_confidence || failed.borrow().is_some() {
                return;
            }
            // Before the writer sees it: the re-scan must get every byte.
            sink_out.borrow_mut().feed.needed();
            if let Some(spans) = only {
                // Detections come in order: walk the sorted spans along.
                let mut i = only_at.get();
                while i < spans.len() && spans[i].1 <= l.abs_start {
                    i += 1;
                }
                only_at.set(i);
                if spans.get(i).is_none_or(|&(s, _)| s >= l.abs_end) {
                    return;
                }
            }
            let span = SpanIn {
                kind: d.kind,
                rule: rule_ids
                    .get(d.rule as usize)
                    .cloned()
                    .unwrap_or_else(|| Arc::from("")),
                start: l.abs_start,
                end: l.abs_end,
                line: l.line,
                column: l.column,
                value: crate::text::utf8_lossy(l.value).into_owned(),
                norm: if needs_norm[d.kind as usize] {
                    d.norm.to_vec()
                } else {
                    Vec::new()
                },
                location: if config.detailed {
                    d.location.clone()
                } else {
                    None
                },
            };
            let mut w = writer.borrow_mut();
            let mut win = window.borrow_mut();
            if let Err(e) = w.span(&win, &mut *sink_out.borrow_mut(), span) {
                fail(e);
            }
            win.discard_before(w.keep_from());
            take_batch(&mut w, &mut **replaced.borrow_mut());
        },
        |settled| {
            if failed.borrow().is_some() {
                return;
            }
            let mut w = writer.borrow_mut();
            let mut win = window.borrow_mut();
            if let Err(e) = w.settle(&win, &mut *sink_out.borrow_mut(), settled) {
                fail(e);
            }
            win.discard_before(w.keep_from());
        },
    );
    // The worker's scanner may scan for another caller next.
    scanner.set_no_email_norm(false);
    let mut w = writer.into_inner();
    if let Some(e) = failed.borrow_mut().take() {
        return Err(e);
    }
    let bytes = match outcome? {
        Ok(_) => {
            let win = window.borrow();
            let end = win.end();
            w.finish(&win, &mut *sink_out.borrow_mut(), end)?;
            end
        }
        // The scanner's sniff saw the same bytes ours did.
        Err(_) => return Err(io::Error::other("input changed between sniffs")),
    };
    let count = w.count;
    let tally = w.take_tally();
    let rest = std::mem::take(&mut w.replaced);
    if !rest.is_empty() {
        (replaced.into_inner())(rest);
    }
    drop(w);
    sink_out.into_inner().out.flush()?;
    let verdict = feed.finish();
    Ok(Ok(StreamOutcome {
        bytes,
        replaced: count,
        tally,
        verdict,
    }))
}
