//! Reading inputs in bounded memory: the chunked stream scanner.
//!
//! Owns streaming any `Read` (file, stdin) through one reused per-thread
//! buffer, chunk by chunk, with an overlap at chunk edges larger than the
//! longest candidate plus its context window; the binary sniff; and turning
//! buffer offsets into absolute byte offsets, 1-based lines and columns.
//! Memory per thread is one chunk plus the overlap, whatever the file size
//! (a 1 GB single-line file included).
//!
//! Why not mmap: streaming with a reused buffer keeps memory bounded, works
//! the same for stdin and pipes, and needs no `unsafe`; the kernel's
//! read-ahead makes it as fast for sequential scans.

pub mod container;
pub mod split;

use crate::decode::{self, Decoded, Sniffed};
use crate::detect::context::{WINDOW_AFTER, WINDOW_BEFORE};
use crate::detect::tokenizer::MAX_CANDIDATE_LEN;
use crate::detect::{Detection, Engine, Located as EngineLocated, Scratch};
use crate::extract::json_escapes::{EscapeView, ViewLocator};
use crate::extract::{self, InputFormat, Locator};
use encoding_rs::Encoding;
use std::io::{self, Read};

/// Bytes scanned per chunk.
pub const CHUNK: usize = 256 * 1024;
/// Bytes kept after a chunk's scan limit, so a value starting before the
/// limit is whole in the buffer.
pub(crate) const TAIL: usize = MAX_CANDIDATE_LEN + WINDOW_AFTER + 64;
/// Bytes kept before the next scan start, for context look-back and the
/// BIK search around bank accounts.
pub(crate) const LOOKBACK: usize = 512 + WINDOW_BEFORE;
/// The binary sniff looks at this prefix.
pub const SNIFF_LEN: usize = 64 * 1024;

/// Why a file was not scanned although it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotScanned {
    /// A NUL byte in the first 64 KiB and no UTF-16 byte-order mark.
    Binary,
}

/// A detection placed in the stream: absolute offsets, line, column.
#[derive(Debug)]
pub struct Located<'a> {
    /// Mutable so that the one consumer of a detection can take its
    /// parts (a finding takes the location instead of cloning it).
    pub detection: &'a mut Detection,
    pub abs_start: u64,
    pub abs_end: u64,
    pub line: u64,
    pub column: u64,
    /// The value's bytes (for `--show-values` and masking), as detected:
    /// UTF-8, with JSON string escapes decoded (so for an escaped value
    /// they differ from the original bytes at `abs_start..abs_end`).
    pub value: &'a [u8],
    /// The scanned buffer (UTF-8) the value sits in, at
    /// `detection.start..detection.end`: its line is there for the asking.
    pub buf: &'a [u8],
    /// [`crate::suppress::INLINE_MARKER`] occurs somewhere in `buf`. When
    /// it does not, no value's line holds it, and the suppression filter
    /// need not cut out and search each finding's line (one search per
    /// buffer instead of ~370 instructions per finding).
    pub marker_in_buf: bool,
}

impl<'a> Located<'a> {
    /// The value's line, as far as the buffer holds it and at most
    /// [`crate::suppress::LINE_WINDOW`] bytes either side of the value.
    pub fn line_bytes(&self) -> &'a [u8] {
        crate::suppress::line_around(self.buf, self.detection.start, self.detection.end)
    }
}

/// Per-thread reading state, reused across files.
pub struct StreamScanner {
    buf: Vec<u8>,
    prefix: Vec<u8>,
    dets: Vec<Detection>,
    scratch: Scratch,
    /// JSON inputs: the chunk with its string escapes decoded, when it
    /// has any (see [`crate::extract::json_escapes`]).
    view: EscapeView,
}

impl Default for StreamScanner {
    fn default() -> Self {
        StreamScanner {
            buf: Vec::with_capacity(CHUNK + TAIL + LOOKBACK),
            prefix: Vec::with_capacity(SNIFF_LEN),
            dets: Vec::new(),
            scratch: Scratch::default(),
            view: EscapeView::default(),
        }
    }
}

/// Counts lines incrementally as the scan moves forward.
struct LineTracker {
    /// Buffer index up to which newlines are counted.
    counted_to: usize,
    /// 1-based line number at `counted_to`.
    line: u64,
    /// Absolute offset just after the last newline before `counted_to`.
    line_start_abs: u64,
    /// The same line start as an offset into the original input, mapped
    /// while the decoder's map still holds it.
    line_start_orig: u64,
}

impl LineTracker {
    fn advance(&mut self, buf: &[u8], base: u64, to: usize, src: &dyn Source) {
        if to <= self.counted_to {
            return;
        }
        let seg = &buf[self.counted_to..to];
        let n = memchr::memchr_iter(b'\n', seg).count();
        if n > 0 {
            self.line += n as u64;
            let last = memchr::memrchr(b'\n', seg).unwrap_or(0);
            self.line_start_abs = base + (self.counted_to + last + 1) as u64;
            self.line_start_orig = src.original(self.line_start_abs);
        }
        self.counted_to = to;
    }
}

impl StreamScanner {
    /// Scans `reader` to its end, calling `sink` for each detection in
    /// order. The first bytes decide binary or text and the encoding
    /// (`encoding` forces one); `name` (the path as shown) and the first
    /// bytes choose the input format unless `format` forces one. Offsets
    /// given to `sink` index the original bytes whatever the encoding.
    /// Returns the bytes read, or why the input was not scanned.
    pub fn scan<R: Read>(
        &mut self,
        engine: &Engine,
        reader: R,
        name: &str,
        format: Option<InputFormat>,
        encoding: Option<&'static Encoding>,
        sink: impl FnMut(Located<'_>),
    ) -> io::Result<Result<u64, NotScanned>> {
        self.scan_with_progress(engine, reader, name, format, encoding, sink, |_| {})
    }

    /// Leave e-mails' normalised values empty from now on (see
    /// [`crate::detect::tokenizer::TokScratch::no_email_norm`]): a
    /// redaction that masks e-mails never reads them.
    pub fn set_no_email_norm(&mut self, on: bool) {
        self.scratch.set_no_email_norm(on);
    }

    /// [`StreamScanner::scan`], also calling `settled(pos)` after each
    /// chunk: no detection given to `sink` afterwards starts before the
    /// original offset `pos`. A redactor that writes its output while the
    /// scan runs copies everything before `pos` without waiting for EOF.
    #[allow(clippy::too_many_arguments)]
    pub fn scan_with_progress<R: Read>(
        &mut self,
        engine: &Engine,
        mut reader: R,
        name: &str,
        format: Option<InputFormat>,
        encoding: Option<&'static Encoding>,
        mut sink: impl FnMut(Located<'_>),
        mut settled: impl FnMut(u64),
    ) -> io::Result<Result<u64, NotScanned>> {
        let mut prefix = std::mem::take(&mut self.prefix);
        prefix.clear();
        read_up_to(&mut reader, &mut prefix, SNIFF_LEN)?;
        let sniffed = match encoding {
            Some(forced) => Sniffed {
                encoding: forced,
                bom_len: match Encoding::for_bom(&prefix) {
                    Some((e, len)) if e == forced => len,
                    _ => 0,
                },
                reason: "forced with --encoding",
            },
            None => decode::sniff_encoding(&prefix),
        };
        let utf16 =
            sniffed.encoding == encoding_rs::UTF_16LE || sniffed.encoding == encoding_rs::UTF_16BE;
        if !utf16 && looks_binary(&prefix) {
            log::debug!("{name}: skipped: NUL byte in the first 64 KiB");
            self.prefix = prefix;
            return Ok(Err(NotScanned::Binary));
        }
        log::debug!(
            "{name}: encoding {} ({})",
            sniffed.encoding.name(),
            sniffed.reason
        );
        let head = io::Cursor::new(&prefix[..]).chain(reader);
        let result = if sniffed.encoding == encoding_rs::UTF_8 {
            // UTF-8 (a BOM included) is scanned as is: offsets are original.
            self.scan_source(
                engine,
                Plain(head),
                name,
                format,
                None,
                &mut sink,
                &mut settled,
            )
        } else {
            let decoded = Decoded::new(head, sniffed.encoding, sniffed.bom_len);
            self.scan_source(engine, decoded, name, format, None, &mut sink, &mut settled)
        };
        self.prefix = prefix;
        result.map(Ok)
    }

    /// Scans one piece of a UTF-8 file that [`split`] cut at a record
    /// boundary: `reader` yields the file's bytes from `piece.base` to at
    /// most [`TAIL`] past `piece.stop` (the end of the file when
    /// `piece.at_end`). Detections whose trigger lies in
    /// `piece.from..piece.stop` go to `sink`, placed exactly as a scan of
    /// the whole file places them (offsets, lines, the locator's
    /// records), because the piece starts with the line number and the
    /// locator state the file has at `piece.from`. Returns the offset the
    /// next scan would resume at (past `stop` when a value ran over it).
    pub(crate) fn scan_piece<R: Read>(
        &mut self,
        engine: &Engine,
        reader: R,
        piece: PieceStart,
        mut sink: impl FnMut(Located<'_>),
    ) -> io::Result<u64> {
        let name = String::new();
        self.scan_source(
            engine,
            Plain(reader),
            &name,
            None,
            Some(piece),
            &mut sink,
            &mut |_| {},
        )
    }

    /// Scans `src` to its end (`piece: None`, returning the original bytes
    /// read) or one piece of it (returning where the next scan resumes).
    #[allow(clippy::too_many_arguments)]
    fn scan_source<S: Source>(
        &mut self,
        engine: &Engine,
        mut src: S,
        name: &str,
        format: Option<InputFormat>,
        piece: Option<PieceStart>,
        sink: &mut dyn FnMut(Located<'_>),
        settled: &mut dyn FnMut(u64),
    ) -> io::Result<u64> {
        let mut locator: Option<Box<dyn Locator>> = None;
        // `store` stays initialised up to its length, and the chunk is its
        // first `filled` bytes: reading never zeroes the buffer again (see
        // `read_into`).
        let store = &mut self.buf;
        let mut filled = 0usize;
        let mut base: u64 = 0; // absolute (decoded) offset of buf[0]
        let mut scan_from = 0usize;
        let mut eof = false;
        let mut sniffed = false;
        // JSON strings may hide values behind escapes (`\u0040`).
        let mut json = false;
        let mut lines = LineTracker {
            counted_to: 0,
            line: 1,
            line_start_abs: 0,
            line_start_orig: 0,
        };
        // A piece: where it stops, and whether its input ends the file.
        let mut stop: Option<(u64, bool)> = None;
        if let Some(p) = piece {
            // The plan chose the format from the file's own prefix, and the
            // locator comes in the state the file has at `p.from`.
            sniffed = true;
            json = matches!(p.format, InputFormat::Json | InputFormat::Ndjson);
            locator = p.locator;
            base = p.base;
            scan_from = (p.from - p.base) as usize;
            // Plain UTF-8: decoded offsets are original offsets.
            lines = LineTracker {
                counted_to: scan_from,
                line: p.line,
                line_start_abs: p.from,
                line_start_orig: p.from,
            };
            stop = Some((p.stop, p.at_end));
        }
        loop {
            // Fill up to one chunk past the scan start plus the tail.
            let want = (scan_from + CHUNK + TAIL).saturating_sub(filled);
            if !eof && want > 0 {
                let got = read_into(&mut src, store, filled, want)?;
                filled += got;
                if got < want {
                    eof = true;
                }
            }
            let buf: &[u8] = &store[..filled];
            if !sniffed {
                sniffed = true;
                let prefix = &buf[..buf.len().min(SNIFF_LEN)];
                let chosen = format.unwrap_or_else(|| extract::sniff(name, prefix));
                log::debug!(
                    "{name}: format {} ({})",
                    chosen.id(),
                    if format.is_some() {
                        "forced"
                    } else {
                        "sniffed"
                    }
                );
                locator = extract::locator_for(chosen, prefix);
                json = matches!(chosen, InputFormat::Json | InputFormat::Ndjson);
            }
            // A piece ends at its stop once the buffer holds the tail past
            // it (or its input ran out); the engine trusts a value touching
            // the buffer's end only at the end of the file.
            let piece_end = stop.and_then(|(at, at_end)| {
                let at = (at - base) as usize;
                (eof || at + TAIL <= buf.len()).then_some((at.min(buf.len()), eof && at_end))
            });
            let (to, last, input_end) = if let Some((at, input_end)) = piece_end {
                (at, true, input_end)
            } else if eof {
                (buf.len(), true, true)
            } else {
                // End the chunk after a newline when there is one, so values
                // rarely straddle chunks; else just before the tail.
                let hard = buf.len() - TAIL;
                let to = match memchr::memrchr(b'\n', &buf[scan_from..hard]) {
                    Some(i) if i > 0 => scan_from + i + 1,
                    _ => hard,
                };
                (to, false, false)
            };
            if stop.is_some() {
                // A file cut short since the plan: nothing left to scan.
                scan_from = scan_from.min(to);
            }
            self.dets.clear();
            // With escapes the engine scans the decoded view; its offsets
            // go through the view's map back to `buf`.
            let view = (json && self.view.build(buf)).then_some(&self.view);
            let resume = match view {
                None => engine.scan(
                    buf,
                    scan_from,
                    to,
                    input_end,
                    &mut self.scratch,
                    &mut self.dets,
                    locator.as_mut().map(|l| EngineLocated {
                        locator: l.as_mut(),
                        base,
                    }),
                ),
                Some(view) => {
                    let mut vl = locator.as_mut().map(|l| ViewLocator {
                        inner: l.as_mut(),
                        view,
                        buf,
                        base,
                    });
                    let resume = engine.scan(
                        view.bytes(),
                        view.to_view(scan_from),
                        view.to_view(to),
                        input_end,
                        &mut self.scratch,
                        &mut self.dets,
                        vl.as_mut().map(|l| EngineLocated {
                            locator: l,
                            base: 0,
                        }),
                    );
                    view.to_buf(resume)
                }
            };
            let scanned: &[u8] = view.map_or(buf, |v| v.bytes());
            let marker_in_buf = !self.dets.is_empty()
                && memchr::memmem::find(scanned, crate::suppress::INLINE_MARKER.as_bytes())
                    .is_some();
            for d in &mut self.dets {
                let (start, end) = match view {
                    None => (d.start, d.end),
                    Some(v) => (v.to_buf(d.start), v.to_buf(d.end)),
                };
                lines.advance(buf, base, start, &src);
                let abs_start = src.original(base + start as u64);
                let value = &scanned[d.start..d.end];
                sink(Located {
                    detection: d,
                    abs_start,
                    abs_end: src.original(base + end as u64),
                    line: lines.line,
                    column: abs_start - lines.line_start_orig + 1,
                    value,
                    buf: scanned,
                    marker_in_buf,
                });
            }
            if last {
                return Ok(match stop {
                    Some(_) => base + resume as u64,
                    None => src.original(base + buf.len() as u64),
                });
            }
            // Drop what no later value or context can need.
            let keep = resume.saturating_sub(LOOKBACK).min(buf.len());
            // Later values start at or after `resume` (an e-mail's local
            // part may reach back before its `@`, but by less than
            // LOOKBACK), so nothing before `keep` will be reported again.
            settled(src.original(base + keep as u64));
            lines.advance(buf, base, keep, &src);
            if let Some(l) = locator.as_mut() {
                l.advance(buf, base, base + keep as u64);
            }
            src.forget_before(base + keep as u64);
            store.copy_within(keep..filled, 0);
            filled -= keep;
            base += keep as u64;
            scan_from = resume - keep;
            lines.counted_to -= keep;
        }
    }
}

/// Where a piece of a split file starts and stops, and the state the
/// whole-file scan has there (see [`split`]). Offsets are the file's.
pub(crate) struct PieceStart {
    /// The offset of the first byte the piece's reader yields: up to
    /// [`LOOKBACK`] before `from`, for context.
    pub base: u64,
    /// Where scanning starts: a line start.
    pub from: u64,
    /// Where the next piece starts: triggers from here on are not ours.
    pub stop: u64,
    /// The 1-based line number at `from`.
    pub line: u64,
    pub format: InputFormat,
    /// The format's locator as it stands at `from`.
    pub locator: Option<Box<dyn Locator>>,
    /// The reader ends where the file ends.
    pub at_end: bool,
}

/// A stream the scanner reads, and how its offsets map back to the
/// original input's bytes (identity for UTF-8, the decoder's map else).
trait Source: Read {
    fn original(&self, pos: u64) -> u64;
    /// No offset before `pos` will be asked for again.
    fn forget_before(&mut self, pos: u64);
}

/// An input read as it is.
struct Plain<R>(R);

impl<R: Read> Read for Plain<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.0.read(out)
    }
}

impl<R: Read> Source for Plain<R> {
    fn original(&self, pos: u64) -> u64 {
        pos
    }
    fn forget_before(&mut self, _pos: u64) {}
}

impl<R: Read> Source for Decoded<R> {
    fn original(&self, pos: u64) -> u64 {
        self.to_original(pos)
    }
    fn forget_before(&mut self, pos: u64) {
        Decoded::forget_before(self, pos)
    }
}

/// Reads until `want` more bytes are in `buf` or the input ends.
pub(crate) fn read_up_to<R: Read>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    want: usize,
) -> io::Result<usize> {
    let at = buf.len();
    let got = read_into(reader, buf, at, want);
    buf.truncate(at + *got.as_ref().unwrap_or(&0));
    got
}

/// Reads into `store[at..at + want]` until it is full or the input ends;
/// returns the bytes read. `store` only grows, with zeroes.
///
/// Why not `take(want).read_to_end(buf)`: for a reader without a native
/// `read_buf` (the redactor's tee, the verifier's channel) it zeroes the
/// spare room before every read, and zeroing a chunk per read cost the
/// redactor about 1 % of its instructions; here the buffer is zeroed only
/// when it grows.
fn read_into<R: Read>(
    reader: &mut R,
    store: &mut Vec<u8>,
    at: usize,
    want: usize,
) -> io::Result<usize> {
    if store.len() < at + want {
        store.resize(at + want, 0);
    }
    let mut got = 0;
    while got < want {
        match reader.read(&mut store[at + got..at + want]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A NUL in the sniffed prefix means binary, unless a UTF-16 byte-order
/// mark says it is text.
pub fn looks_binary(prefix: &[u8]) -> bool {
    if prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    memchr::memchr(0, prefix).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::RuleSet;

    fn scan_all(engine: &Engine, data: &[u8]) -> Vec<(u64, u64, u64, u64)> {
        let mut s = StreamScanner::default();
        let mut out = Vec::new();
        s.scan(engine, data, "t.txt", None, None, |l| {
            out.push((l.abs_start, l.abs_end, l.line, l.column))
        })
        .unwrap()
        .unwrap();
        out
    }

    /// Reads in tiny pieces, as a pipe might deliver them.
    struct Dribble<'a>(&'a [u8], usize);
    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn chunked_scan_finds_the_same_values_with_exact_spans() {
        let engine = Engine::new(RuleSet::builtin()).unwrap();
        let line = "2024-01-15 10:00:00 user ivan@example.ru тел +7 912 345-67-89 ip 203.0.113.9\n";
        let mut data = String::new();
        while data.len() < 3 * CHUNK {
            data.push_str(line);
            data.push_str("x".repeat(data.len() % 97).as_str());
            data.push('\n');
        }
        let found = scan_all(&engine, data.as_bytes());
        let expected = data.matches(line).count() * 3;
        assert_eq!(found.len(), expected);
        for &(s, e, line_no, col) in &found {
            let v = &data[s as usize..e as usize];
            assert!(
                v == "ivan@example.ru" || v == "+7 912 345-67-89" || v == "203.0.113.9",
                "{v}"
            );
            let line_start = data[..s as usize].rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(col, (s as usize - line_start + 1) as u64);
            assert_eq!(line_no, data[..s as usize].matches('\n').count() as u64 + 1);
        }
        // Same result when the reader returns a few bytes at a time.
        let mut s = StreamScanner::default();
        let mut dribbled = Vec::new();
        s.scan(
            &engine,
            Dribble(data.as_bytes(), 4093),
            "t.txt",
            None,
            None,
            |l| dribbled.push((l.abs_start, l.abs_end, l.line, l.column)),
        )
        .unwrap()
        .unwrap();
        assert_eq!(dribbled, found);
    }

    #[test]
    fn one_huge_line_is_scanned_in_bounded_memory() {
        let engine = Engine::new(RuleSet::builtin()).unwrap();
        let mut data = Vec::new();
        while data.len() < 2 * CHUNK + 1000 {
            data.extend_from_slice(b" ivan@example.ru ");
            data.extend_from_slice(&[b'7'; 1000]);
        }
        let mut s = StreamScanner::default();
        let mut n = 0;
        s.scan(&engine, data.as_slice(), "t.txt", None, None, |l| {
            assert_eq!(l.value, b"ivan@example.ru");
            assert_eq!(l.line, 1);
            n += 1;
        })
        .unwrap()
        .unwrap();
        assert_eq!(
            n,
            data.windows(15).filter(|w| w == b"ivan@example.ru").count()
        );
        assert!(s.buf.capacity() < 2 * (CHUNK + TAIL + LOOKBACK));
    }

    /// One text through every read path: UTF-8, chunked delivery, CRLF,
    /// UTF-16LE/BE (with and without BOM), Windows-1251, KOI8-R, CP866.
    /// The same values must come out, and the original bytes at each span
    /// must decode to exactly the value.
    #[test]
    fn every_read_path_finds_the_same_values() {
        let engine = Engine::new(RuleSet::builtin()).unwrap();
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!(
                "{i} Клиент Иванова: тел. +7 912 345-67-{:02}, почта anna{i}@example.ru, СНИЛС 726-319-011 82\n",
                i % 100
            ));
        }
        let values = |data: &[u8], enc: &'static Encoding, reader_piece: usize| {
            let mut s = StreamScanner::default();
            let mut out = Vec::new();
            s.scan(
                &engine,
                Dribble(data, reader_piece),
                "t.txt",
                None,
                None,
                |l| {
                    let (original, _) = enc.decode_without_bom_handling(
                        &data[l.abs_start as usize..l.abs_end as usize],
                    );
                    assert_eq!(
                        original.as_bytes(),
                        l.value,
                        "span does not index the original bytes"
                    );
                    out.push(original.into_owned());
                },
            )
            .unwrap()
            .unwrap();
            out
        };
        let want = values(text.as_bytes(), encoding_rs::UTF_8, 1 << 20);
        assert_eq!(want.len(), 3 * 3000);
        assert_eq!(values(text.as_bytes(), encoding_rs::UTF_8, 777), want);
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(values(crlf.as_bytes(), encoding_rs::UTF_8, 4096), want);
        let utf16 = |big: bool, bom: bool| {
            let mut v = Vec::new();
            if bom {
                v.extend_from_slice(if big { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
            }
            for u in text.encode_utf16() {
                v.extend_from_slice(&if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
            v
        };
        assert_eq!(
            values(&utf16(false, true), encoding_rs::UTF_16LE, 5000),
            want
        );
        assert_eq!(
            values(&utf16(true, true), encoding_rs::UTF_16BE, 5000),
            want
        );
        assert_eq!(
            values(&utf16(false, false), encoding_rs::UTF_16LE, 5000),
            want
        );
        for enc in [
            encoding_rs::WINDOWS_1251,
            encoding_rs::KOI8_R,
            encoding_rs::IBM866,
        ] {
            let (bytes, _, _) = enc.encode(&text);
            assert_eq!(values(&bytes, enc, 3333), want, "{}", enc.name());
        }
    }

    /// The buffer is reused and only its first `filled` bytes are the
    /// input: an earlier, longer input's bytes beyond them must never
    /// complete a value. The earlier input is a phone line repeated, and
    /// the later ones end one digit short of it at every alignment.
    #[test]
    fn a_reused_buffer_never_shows_an_earlier_inputs_bytes() {
        let engine = Engine::new(RuleSet::builtin()).unwrap();
        let line = "tel +7 912 345-67-89\n";
        let long = line.repeat(3 * CHUNK / line.len());
        let spans = |s: &mut StreamScanner, data: &[u8]| {
            let mut out = Vec::new();
            s.scan(&engine, data, "t.txt", None, None, |l| {
                out.push((l.abs_start, l.abs_end, l.detection.rule))
            })
            .unwrap()
            .unwrap();
            out
        };
        let mut reused = StreamScanner::default();
        for pad in 0..line.len() {
            let short = format!("{}tel +7 912 345-67-8", " ".repeat(pad));
            spans(&mut reused, long.as_bytes());
            let fresh = spans(&mut StreamScanner::default(), short.as_bytes());
            assert_eq!(spans(&mut reused, short.as_bytes()), fresh, "pad {pad}");
        }
    }

    /// A redaction that masks e-mails needs no normalised value: the
    /// detections are the same, with `norm` left empty, until switched
    /// back.
    #[test]
    fn e_mail_norms_can_be_left_out_without_changing_detections() {
        let engine = Engine::new(RuleSet::builtin()).unwrap();
        let data = b"mail Anna.Petrova@Example.COM or +7 912 345-67-89\n";
        let scan = |s: &mut StreamScanner| {
            let mut out = Vec::new();
            s.scan(&engine, &data[..], "t.txt", None, None, |l| {
                let d = l.detection;
                out.push((
                    l.abs_start,
                    l.abs_end,
                    d.rule,
                    d.confidence,
                    d.norm.to_vec(),
                ))
            })
            .unwrap()
            .unwrap();
            out
        };
        let mut s = StreamScanner::default();
        let full = scan(&mut s);
        assert_eq!(full.len(), 2);
        assert_eq!(full[0].4, b"anna.petrova@example.com");
        s.set_no_email_norm(true);
        let lean = scan(&mut s);
        assert!(lean[0].4.is_empty());
        assert_eq!(lean[1], full[1]);
        let strip = |v: &[(u64, u64, u16, f32, Vec<u8>)]| -> Vec<(u64, u64, u16, f32)> {
            v.iter().map(|x| (x.0, x.1, x.2, x.3)).collect()
        };
        assert_eq!(strip(&lean), strip(&full));
        s.set_no_email_norm(false);
        assert_eq!(scan(&mut s), full);
    }

    #[test]
    fn binary_sniff() {
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary(b"plain text"));
        assert!(!looks_binary(&[0xFF, 0xFE, b'a', 0]));
    }
}
