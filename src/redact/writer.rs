//! The one-pass redaction writer: copies the gaps between findings byte for
//! byte and writes each finding's replacement, escaped for its slot and
//! encoded back into the input's encoding.
//!
//! Owns the output side of one stream: merging overlapping spans, feeding
//! the format [`Tracker`] every input byte in order, holding back the
//! current field while a `drop` may still claim it, the [`Codec`] that
//! encodes replacement text (UTF-8, UTF-16LE/BE, single-byte legacy
//! encodings) and the record of what was replaced. It does not read the
//! input or run the scanner ([`super::stream`] does) and never sees raw
//! values leave it except as replacement text.
//!
//! Memory: the caller's [`Window`] holds the input bytes from the first
//! byte not yet written; the writer lets it drop everything before that.
//! Only a held field (at most [`MAX_HOLD`] bytes) can keep more.

use super::escape::Slot;
use super::strategies::{Replacer, Strategy};
use super::tracker::Tracker;
use crate::finding::{Kind, Location};
use encoding_rs::Encoding;
use std::io;

/// Longest field held back for a possible `drop`; a longer field is
/// written through, and a `drop` in it removes only the value.
pub const MAX_HOLD: u64 = 1 << 20;

/// Original input bytes from `base` on, as read so far.
#[derive(Debug, Default)]
pub struct Window {
    buf: Vec<u8>,
    head: usize,
    /// Offset of `buf[head]` in the input.
    base: u64,
}

impl Window {
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The end of what was read.
    pub fn end(&self) -> u64 {
        self.base + (self.buf.len() - self.head) as u64
    }

    /// Bytes `[from, to)`, clipped to what the window holds.
    pub fn get(&self, from: u64, to: u64) -> &[u8] {
        let s = from.max(self.base).min(self.end());
        let e = to.max(s).min(self.end());
        let s = self.head + (s - self.base) as usize;
        let e = self.head + (e - self.base) as usize;
        &self.buf[s..e]
    }

    /// Nothing before `pos` is needed again.
    pub fn discard_before(&mut self, pos: u64) {
        if pos <= self.base {
            return;
        }
        let n = ((pos - self.base) as usize).min(self.buf.len() - self.head);
        self.head += n;
        self.base += n as u64;
        // Compact now and then: a drain per call would move the tail on
        // every finding.
        if self.head > 64 * 1024 && self.head * 2 > self.buf.len() {
            self.buf.drain(..self.head);
            self.head = 0;
        }
    }

    pub fn held(&self) -> usize {
        self.buf.len() - self.head
    }
}

/// How replacement text becomes bytes, and how original bytes map to the
/// tracker's units.
#[derive(Debug, Clone, Copy)]
pub struct Codec {
    pub encoding: &'static Encoding,
    /// Bytes before the first unit the tracker sees (a UTF-16 BOM).
    pub origin: u64,
}

impl Codec {
    pub fn new(encoding: &'static Encoding, bom_len: usize) -> Codec {
        let utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
        Codec {
            encoding,
            origin: if utf16 { bom_len as u64 } else { 0 },
        }
    }

    fn utf16(&self) -> Option<bool> {
        if self.encoding == encoding_rs::UTF_16LE {
            Some(false)
        } else if self.encoding == encoding_rs::UTF_16BE {
            Some(true)
        } else {
            None
        }
    }

    fn unit(&self) -> u64 {
        if self.utf16().is_some() { 2 } else { 1 }
    }

    /// Tracker units → original offset.
    fn orig_of(&self, unit: u64) -> u64 {
        self.origin + unit * self.unit()
    }

    /// The largest unit boundary at or before `orig`.
    fn align(&self, orig: u64) -> u64 {
        if orig <= self.origin {
            return orig;
        }
        orig - (orig - self.origin) % self.unit()
    }

    /// Original bytes as the tracker sees them: one byte per unit, non-ASCII
    /// units as 0x80 (trackers only care about ASCII structure).
    fn project<'a>(&self, raw: &'a [u8], out: &'a mut Vec<u8>) -> &'a [u8] {
        match self.utf16() {
            None => raw,
            Some(big) => {
                out.clear();
                out.extend(raw.chunks_exact(2).map(|p| {
                    let u = if big {
                        u16::from_be_bytes([p[0], p[1]])
                    } else {
                        u16::from_le_bytes([p[0], p[1]])
                    };
                    if u < 0x80 { u as u8 } else { 0x80 }
                }));
                out
            }
        }
    }

    /// Encodes `text` (ASCII in practice; anything not representable in a
    /// legacy encoding becomes `*`).
    pub fn encode(&self, text: &str, out: &mut Vec<u8>) {
        match self.utf16() {
            Some(big) => {
                for u in text.encode_utf16() {
                    out.extend_from_slice(&if big {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    });
                }
            }
            None if self.encoding == encoding_rs::UTF_8 || text.is_ascii() => {
                out.extend_from_slice(text.as_bytes())
            }
            None => {
                let mut enc = self.encoding.new_encoder();
                let mut buf = [0u8; 16];
                let mut tmp = [0u8; 4];
                for c in text.chars() {
                    let s = c.encode_utf8(&mut tmp);
                    let (res, _, written) =
                        enc.encode_from_utf8_without_replacement(s, &mut buf, false);
                    match res {
                        encoding_rs::EncoderResult::InputEmpty => {
                            out.extend_from_slice(&buf[..written])
                        }
                        _ => out.push(b'*'),
                    }
                }
            }
        }
    }

    /// Original bytes as text (for a span merged from several findings).
    pub fn decode(&self, raw: &[u8]) -> String {
        let (text, _) = self.encoding.decode_without_bom_handling(raw);
        text.into_owned()
    }
}

/// Where output bytes go: the output file or stream, and the verifier
/// that re-scans them.
pub trait OutSink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Output bytes `[start, end)`, written next, hold a replacement that
    /// is a valid value by design (a fake): a re-scan finding it is no
    /// leak. Called before those bytes are written.
    fn expect(&mut self, start: u64, end: u64);
}

/// One finding handed to the writer.
#[derive(Debug, Clone)]
pub struct SpanIn {
    pub kind: Kind,
    pub rule: std::sync::Arc<str>,
    pub start: u64,
    pub end: u64,
    pub line: u64,
    pub column: u64,
    pub value: String,
    pub norm: Vec<u8>,
    pub location: Option<Location>,
}

/// Replacements counted per kind and strategy.
pub type Tally = std::collections::BTreeMap<(Kind, Strategy), u64>;

/// What was done to one finding (for the report; no value).
#[derive(Debug, Clone)]
pub struct Replaced {
    pub kind: Kind,
    pub rule: std::sync::Arc<str>,
    pub start: u64,
    pub end: u64,
    pub line: u64,
    pub column: u64,
    pub location: Option<Location>,
    pub strategy: Strategy,
    pub norm: Vec<u8>,
    /// 1, or the repair pass that replaced it (offsets then index the
    /// previous pass's output).
    pub pass: u32,
}

struct Dropping {
    token: &'static str,
    /// Where the dropped field's replacement starts (original offset).
    start: u64,
    /// The value's end: the drop covers it even if the field, as the
    /// tracker reads malformed input, ends sooner.
    min_end: u64,
}

/// The writer for one stream. See the module docs.
pub struct SpanWriter<'r> {
    replacer: &'r Replacer,
    codec: Codec,
    tracker: Option<Tracker>,
    /// Original offset up to which output was written (or consumed).
    written: u64,
    /// Original offset up to which the tracker was fed.
    tracked: u64,
    /// Bytes written to the output so far.
    out_pos: u64,
    hold: bool,
    dropping: Option<Dropping>,
    /// The last finding, waiting for the next (to merge overlaps); true
    /// once merged.
    pending: Option<(SpanIn, bool)>,
    scratch: Vec<u8>,
    enc: Vec<u8>,
    /// Replacements since the caller last took them (only when detailed:
    /// a report wants them).
    pub replaced: Vec<Replaced>,
    /// Replacements per kind and strategy.
    /// Replacements per (kind, strategy), indexed `kind * 5 + strategy`:
    /// a counter per span, where a map entry per span cost ~130
    /// instructions. [`SpanWriter::take_tally`] hands them out as a map.
    counts: [u64; Kind::ALL.len() * Strategy::ALL.len()],
    detailed: bool,
    protect: Vec<(u64, u64)>,
    protect_at: usize,
    /// All replacements in this stream.
    pub count: u64,
}

impl<'r> SpanWriter<'r> {
    pub fn new(
        replacer: &'r Replacer,
        codec: Codec,
        tracker: Option<Tracker>,
        detailed: bool,
    ) -> SpanWriter<'r> {
        let hold = tracker.is_some() && replacer.policy().uses_drop();
        SpanWriter {
            replacer,
            codec,
            tracker,
            written: 0,
            tracked: 0,
            out_pos: 0,
            hold,
            dropping: None,
            pending: None,
            scratch: Vec::new(),
            enc: Vec::new(),
            replaced: Vec::new(),
            counts: [0; Kind::ALL.len() * Strategy::ALL.len()],
            detailed,
            protect: Vec::new(),
            protect_at: 0,
            count: 0,
        }
    }

    /// The first input byte still needed; the window may drop what is
    /// before.
    pub fn keep_from(&self) -> u64 {
        if self.tracker.is_some() {
            self.written.min(self.tracked)
        } else {
            self.written
        }
    }

    /// A finding. Findings arrive in order of start; overlapping ones are
    /// merged into one replacement.
    pub fn span(&mut self, w: &Window, out: &mut dyn OutSink, s: SpanIn) -> io::Result<()> {
        match &mut self.pending {
            Some((p, merged)) if s.start < p.end => {
                // Overlap: one replacement covers both (masked, since no
                // single value's strategy fits the union).
                p.end = p.end.max(s.end);
                p.value.clear();
                *merged = true;
                Ok(())
            }
            _ => {
                if let Some((p, merged)) = self.pending.replace((s, false)) {
                    self.emit(w, out, p, merged)?;
                }
                Ok(())
            }
        }
    }

    /// No finding will start before `to`: write what can be written.
    pub fn settle(&mut self, w: &Window, out: &mut dyn OutSink, to: u64) -> io::Result<()> {
        if let Some((p, _)) = &self.pending
            && p.end <= to
            && let Some((p, merged)) = self.pending.take()
        {
            self.emit(w, out, p, merged)?;
        }
        let limit = self.pending.as_ref().map_or(to, |(p, _)| p.start.min(to));
        self.feed(w, out, limit)?;
        if self.dropping.is_some() {
            return Ok(());
        }
        let mut flush_to = limit;
        if self.hold
            && let Some(t) = &self.tracker
        {
            let next = w.get(self.tracked, self.tracked + 1).first().copied();
            if let Some(f) = t.field(next.unwrap_or(b' ')) {
                let start = self.codec.orig_of(f.start);
                if start >= self.written && limit.saturating_sub(start) < MAX_HOLD {
                    flush_to = flush_to.min(start);
                }
            }
        }
        self.copy(w, out, flush_to)
    }

    /// The input ended at `end`: write the rest.
    pub fn finish(&mut self, w: &Window, out: &mut dyn OutSink, end: u64) -> io::Result<()> {
        if let Some((p, merged)) = self.pending.take() {
            self.emit(w, out, p, merged)?;
        }
        self.feed(w, out, end)?;
        if let Some(t) = &mut self.tracker {
            t.finish();
        }
        self.check_drop_end(out)?;
        self.copy(w, out, end)
    }

    /// Writes one (possibly merged) finding.
    fn emit(
        &mut self,
        w: &Window,
        out: &mut dyn OutSink,
        mut s: SpanIn,
        mut merged: bool,
    ) -> io::Result<()> {
        self.feed(w, out, s.start)?;
        if self.dropping.is_some() {
            // Inside a field being dropped: it goes with the field.
            self.record(&mut s, Strategy::Drop);
            return Ok(());
        }
        if s.end <= self.written {
            // Already written (cannot happen with the scanner's ordering);
            // the verifier reports it if it was a value.
            return Ok(());
        }
        if s.start < self.written {
            s.start = self.written;
            merged = true;
        }
        if merged {
            s.value = self.codec.decode(w.get(s.start, s.end));
        }
        let first = w.get(s.start, s.start + self.codec.unit());
        let mut proj = Vec::new();
        let next = self
            .codec
            .project(first, &mut proj)
            .first()
            .copied()
            .unwrap_or(b' ');
        let (slot, field) = match &self.tracker {
            Some(t) => (t.slot(next), t.field(next)),
            None => (Slot::Text, None),
        };
        let strategy = self.replacer.policy().strategy(s.kind);
        if strategy == Strategy::Drop
            && let (Some(token), Some(f)) = (slot.drop_token(), field)
            && self.codec.orig_of(f.start) >= self.written
        {
            let start = self.codec.orig_of(f.start);
            self.copy(w, out, start)?;
            self.dropping = Some(Dropping {
                token,
                start,
                min_end: s.end,
            });
            if let Some(t) = &mut self.tracker {
                t.watch(f.id);
            }
            self.record(&mut s, Strategy::Drop);
            return self.feed(w, out, s.end);
        }
        // A COPY field that is all digits may feed a numeric column (a
        // phone kept as bigint): its replacement stays digits, or the
        // restore fails. The table's types are not known here.
        let numeric = slot.numeric()
            || (matches!(
                slot,
                Slot::CopyText { .. } | Slot::CopyCsv { quoted: false, .. }
            ) && !s.value.is_empty()
                && s.value.bytes().all(|b| b.is_ascii_digit())
                && field.is_some_and(|f| self.codec.orig_of(f.start) == s.start)
                && self.ends_field(w, s.end, slot));
        let r = if merged {
            let text = if numeric {
                super::strategies::numeric_mask(&s.value, 0)
            } else {
                super::strategies::mask(s.kind, &s.value, 0)
            };
            super::strategies::Replacement {
                text,
                strategy: Strategy::Mask,
                detectable: false,
            }
        } else {
            self.replacer
                .replace(s.kind, strategy, &s.value, &s.norm, numeric)
        };
        let text = slot.escape(&r.text);
        self.copy(w, out, s.start)?;
        self.enc.clear();
        self.codec.encode(&text, &mut self.enc);
        let at = self.out_pos;
        if r.detectable {
            // Announced before the bytes, so the verifier knows of it
            // before it can see it.
            out.expect(at, at + self.enc.len() as u64);
        }
        out.write(&self.enc)?;
        self.out_pos += self.enc.len() as u64;
        self.written = s.end;
        self.record(&mut s, r.strategy);
        self.feed(w, out, s.end)
    }

    /// The byte at `end` closes a COPY field (delimiter, newline, end).
    fn ends_field(&self, w: &Window, end: u64, slot: Slot) -> bool {
        let mut proj = Vec::new();
        let raw = w.get(end, end + self.codec.unit());
        let delimiter = match slot {
            Slot::CopyText { delimiter } | Slot::CopyCsv { delimiter, .. } => delimiter,
            _ => return false,
        };
        match self.codec.project(raw, &mut proj).first() {
            None => w.end() <= end,
            Some(&b) => b == delimiter || b == b'\n' || b == b'\r',
        }
    }

    /// The replacements counted so far, per kind and strategy; resets
    /// the counts.
    pub fn take_tally(&mut self) -> Tally {
        let mut tally = Tally::new();
        for (i, n) in
            std::mem::replace(&mut self.counts, [0; Kind::ALL.len() * Strategy::ALL.len()])
                .into_iter()
                .enumerate()
        {
            if n > 0 {
                let kind = Kind::ALL[i / Strategy::ALL.len()];
                let strategy = Strategy::ALL[i % Strategy::ALL.len()];
                tally.insert((kind, strategy), n);
            }
        }
        tally
    }

    /// Records what was done; takes the span's location and normalised
    /// value (the replacement is already made).
    fn record(&mut self, s: &mut SpanIn, strategy: Strategy) {
        self.count += 1;
        self.counts[s.kind as usize * Strategy::ALL.len() + strategy as usize] += 1;
        if !self.detailed {
            return;
        }
        self.replaced.push(Replaced {
            kind: s.kind,
            rule: s.rule.clone(),
            start: s.start,
            end: s.end,
            line: s.line,
            column: s.column,
            location: s.location.take(),
            strategy,
            norm: std::mem::take(&mut s.norm),
            pass: 1,
        });
    }

    /// Feeds the tracker up to `to` and ends a drop whose field ended.
    fn feed(&mut self, w: &Window, out: &mut dyn OutSink, to: u64) -> io::Result<()> {
        if let Some(t) = &mut self.tracker {
            let to = self.codec.align(to);
            let from = self.tracked.max(self.codec.origin);
            if to > from {
                let raw = w.get(from, to);
                let data = self.codec.project(raw, &mut self.scratch);
                t.feed(data);
                self.tracked = self.codec.orig_of(t.pos());
            }
        }
        self.check_drop_end(out)?;
        if self.dropping.is_some() {
            // Everything fed so far belongs to the field being dropped:
            // let the window forget it, however long the field is.
            self.written = self.written.max(self.tracked);
        }
        Ok(())
    }

    fn check_drop_end(&mut self, out: &mut dyn OutSink) -> io::Result<()> {
        let Some(end) = self.tracker.as_ref().and_then(|t| t.watched_end()) else {
            return Ok(());
        };
        let Some(d) = self.dropping.take() else {
            return Ok(());
        };
        let end = self.codec.orig_of(end).max(d.start).max(d.min_end);
        self.enc.clear();
        self.codec.encode(d.token, &mut self.enc);
        out.write(&self.enc)?;
        self.out_pos += self.enc.len() as u64;
        self.written = end;
        if let Some(t) = &mut self.tracker {
            // Consumed: the same end must not close a later drop.
            t.watch(u64::MAX);
        }
        Ok(())
    }

    /// Copies original bytes `[written, to)` to the output.
    fn copy(&mut self, w: &Window, out: &mut dyn OutSink, to: u64) -> io::Result<()> {
        if to <= self.written || self.dropping.is_some() {
            return Ok(());
        }
        let bytes = w.get(self.written, to);
        // Protected spans (a previous pass's fakes) copied here are valid
        // values by design: tell the verifier where they land.
        while let Some(&(ps, pe)) = self.protect.get(self.protect_at) {
            if ps >= to {
                break;
            }
            self.protect_at += 1;
            if ps >= self.written {
                let at = self.out_pos + (ps - self.written);
                out.expect(at, at + (pe - ps));
            }
        }
        out.write(bytes)?;
        self.out_pos += bytes.len() as u64;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Input spans to announce as expected values when copied (sorted).
    pub fn protect(&mut self, spans: Vec<(u64, u64)>) {
        self.protect = spans;
        self.protect_at = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counters are indexed by discriminant: `Kind::ALL` and
    /// `Strategy::ALL` must list them in declaration order.
    #[test]
    fn tally_indexes_follow_declaration_order() {
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "{k:?}");
        }
        for (i, s) in Strategy::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i, "{s:?}");
        }
    }
}
