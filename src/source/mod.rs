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

use crate::detect::context::{WINDOW_AFTER, WINDOW_BEFORE};
use crate::detect::tokenizer::MAX_CANDIDATE_LEN;
use crate::detect::{Detection, Engine, Scratch};
use std::io::{self, Read};

/// Bytes scanned per chunk.
pub const CHUNK: usize = 256 * 1024;
/// Bytes kept after a chunk's scan limit, so a value starting before the
/// limit is whole in the buffer.
const TAIL: usize = MAX_CANDIDATE_LEN + WINDOW_AFTER + 64;
/// Bytes kept before the next scan start, for context look-back and the
/// BIK search around bank accounts.
const LOOKBACK: usize = 512 + WINDOW_BEFORE;
/// The binary sniff looks at this prefix.
pub const SNIFF_LEN: usize = 64 * 1024;

/// Why a file was not scanned although it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotScanned {
    /// A NUL byte in the first 64 KiB and no UTF-16 byte-order mark.
    Binary,
}

/// A detection placed in the stream: absolute offsets, line, column.
#[derive(Debug, Clone)]
pub struct Located<'a> {
    pub detection: &'a Detection,
    pub abs_start: u64,
    pub abs_end: u64,
    pub line: u64,
    pub column: u64,
    /// The value's bytes (for `--show-values` and masking).
    pub value: &'a [u8],
}

/// Per-thread reading state, reused across files.
pub struct StreamScanner {
    buf: Vec<u8>,
    dets: Vec<Detection>,
    scratch: Scratch,
}

impl Default for StreamScanner {
    fn default() -> Self {
        StreamScanner {
            buf: Vec::with_capacity(CHUNK + TAIL + LOOKBACK),
            dets: Vec::new(),
            scratch: Scratch::default(),
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
}

impl LineTracker {
    fn advance(&mut self, buf: &[u8], base: u64, to: usize) {
        if to <= self.counted_to {
            return;
        }
        let seg = &buf[self.counted_to..to];
        let n = memchr::memchr_iter(b'\n', seg).count();
        if n > 0 {
            self.line += n as u64;
            let last = memchr::memrchr(b'\n', seg).unwrap_or(0);
            self.line_start_abs = base + (self.counted_to + last + 1) as u64;
        }
        self.counted_to = to;
    }
}

impl StreamScanner {
    /// Scans `reader` to its end, calling `sink` for each detection in
    /// order. Returns the bytes read, or why the input was not scanned.
    pub fn scan<R: Read>(
        &mut self,
        engine: &Engine,
        mut reader: R,
        mut sink: impl FnMut(Located<'_>),
    ) -> io::Result<Result<u64, NotScanned>> {
        let buf = &mut self.buf;
        buf.clear();
        let mut base: u64 = 0; // absolute offset of buf[0]
        let mut scan_from = 0usize;
        let mut eof = false;
        let mut sniffed = false;
        let mut lines = LineTracker {
            counted_to: 0,
            line: 1,
            line_start_abs: 0,
        };
        loop {
            // Fill up to one chunk past the scan start plus the tail.
            let want = (scan_from + CHUNK + TAIL).saturating_sub(buf.len());
            if !eof && want > 0 {
                let got = read_up_to(&mut reader, buf, want)?;
                if got < want {
                    eof = true;
                }
            }
            if !sniffed {
                sniffed = true;
                if looks_binary(&buf[..buf.len().min(SNIFF_LEN)]) {
                    return Ok(Err(NotScanned::Binary));
                }
            }
            let to = if eof {
                buf.len()
            } else {
                // End the chunk after a newline when there is one, so values
                // rarely straddle chunks; else just before the tail.
                let hard = buf.len() - TAIL;
                match memchr::memrchr(b'\n', &buf[scan_from..hard]) {
                    Some(i) if i > 0 => scan_from + i + 1,
                    _ => hard,
                }
            };
            self.dets.clear();
            let resume = engine.scan(
                buf,
                scan_from,
                to,
                eof,
                &mut self.scratch,
                &mut self.dets,
                None,
            );
            for d in &self.dets {
                lines.advance(buf, base, d.start);
                let abs_start = base + d.start as u64;
                sink(Located {
                    detection: d,
                    abs_start,
                    abs_end: base + d.end as u64,
                    line: lines.line,
                    column: abs_start - lines.line_start_abs + 1,
                    value: &buf[d.start..d.end],
                });
            }
            if eof {
                return Ok(Ok(base + buf.len() as u64));
            }
            // Drop what no later value or context can need.
            let keep = resume.saturating_sub(LOOKBACK).min(buf.len());
            lines.advance(buf, base, keep);
            buf.drain(..keep);
            base += keep as u64;
            scan_from = resume - keep;
            lines.counted_to -= keep;
        }
    }
}

/// Reads until `want` more bytes are in `buf` or the input ends.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    // `take + read_to_end` fills the spare capacity without zeroing it first.
    buf.reserve(want);
    let mut got = 0;
    loop {
        match reader.by_ref().take((want - got) as u64).read_to_end(buf) {
            Ok(0) => return Ok(got),
            Ok(n) => {
                got += n;
                if got >= want {
                    return Ok(got);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
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
        s.scan(engine, data, |l| {
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
        s.scan(&engine, Dribble(data.as_bytes(), 4093), |l| {
            dribbled.push((l.abs_start, l.abs_end, l.line, l.column))
        })
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
        s.scan(&engine, data.as_slice(), |l| {
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

    #[test]
    fn binary_sniff() {
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary(b"plain text"));
        assert!(!looks_binary(&[0xFF, 0xFE, b'a', 0]));
    }
}
