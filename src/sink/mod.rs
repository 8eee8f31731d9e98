//! Sinks: everything that writes results. Each receives the same stream of
//! per-file results ([`FileResult`]) and the final [`Summary`]; a new output
//! is a new sink, not a new pass over the data.
//!
//! Owns the output formats and the JSON shapes of the JSONL contract (one
//! place, shared by the `jsonl` and `json` writers). Sinks never see raw
//! values unless the user asked for `--show-values` (then `Finding::value`
//! is set).

mod csv;
pub mod html;
mod json;
pub mod markdown;
pub mod sarif;
mod tee;
mod text;

use crate::app::{FileResult, FileStatus, Summary};
use crate::finding::{Finding, Kind, Location};
use crate::inventory::{self, InventorySink, ReportMeta};
use serde_json::{Value, json};

use std::io::{self, Write};
use std::sync::Arc;

pub use self::csv::CsvSink;
pub use html::HtmlSink;
pub use json::{JsonSink, JsonlSink};
pub use sarif::SarifSink;
pub use tee::Tee;
pub use text::TextSink;

/// A consumer of scan results.
pub trait Sink {
    fn file(&mut self, result: &FileResult) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// Output formats of `piiscan scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// ripgrep-style lines and a summary, for people.
    Text,
    /// One JSON event per line (the scripting contract).
    Jsonl,
    /// One JSON document.
    Json,
    /// One CSV row per finding.
    Csv,
    /// The inventory as one JSON document: one entry per file × location
    /// (column, table.column, JSON field, CDR field) × kind.
    InventoryJson,
    /// The inventory as CSV: one row per file × location × kind.
    InventoryCsv,
    /// A compact inventory summary in markdown, for CI job pages.
    Markdown,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// Makes the sink for a format, writing to `out`.
pub fn for_format(format: Format, out: Box<dyn Write + Send>, color: bool) -> Box<dyn Sink> {
    match format {
        Format::Text => Box::new(TextSink::new(out, color)),
        Format::Jsonl => Box::new(JsonlSink::new(out)),
        Format::Json => Box::new(JsonSink::new(out)),
        Format::Csv => Box::new(CsvSink::new(out)),
        Format::InventoryJson | Format::InventoryCsv | Format::Markdown => {
            Box::new(InventorySink::new(
                out,
                ReportMeta::default(),
                inventory_render(format).unwrap_or(inventory::write_json),
            ))
        }
        Format::Sarif => Box::new(SarifSink::new(
            out,
            sarif::RuleMeta::of(&crate::detect::RuleSet::builtin()),
        )),
    }
}

/// The renderer of an inventory format (`None`: a per-finding format).
fn inventory_render(format: Format) -> Option<inventory::Render> {
    match format {
        Format::InventoryJson => Some(inventory::write_json),
        Format::InventoryCsv => Some(inventory::write_csv),
        Format::Markdown => Some(markdown::write),
        _ => None,
    }
}

/// Like [`for_format`], with what a scan knows: the report metadata (scan
/// date, parameters) the inventory formats print, and the run's own rule
/// set for formats that describe rules (SARIF lists them, user rules
/// included).
pub fn for_report(
    format: Format,
    out: Box<dyn Write + Send>,
    color: bool,
    meta: ReportMeta,
    rules: &crate::detect::RuleSet,
) -> Box<dyn Sink> {
    if let Some(render) = inventory_render(format) {
        return Box::new(InventorySink::new(out, meta, render));
    }
    match format {
        Format::Sarif => Box::new(SarifSink::new(out, sarif::RuleMeta::of(rules))),
        other => for_format(other, out, color),
    }
}

/// Confidence as printed: two decimals.
pub fn round2(c: f32) -> f64 {
    (c as f64 * 100.0).round() / 100.0
}

/// Writes the `finding` event of the JSONL contract (no newline) to `out`
/// (one-off: sinks writing many keep a [`FindingWriter`]).
pub fn write_finding_json(out: &mut Vec<u8>, path_json: &str, f: &Finding) {
    FindingWriter::default().write(out, path_json, f);
}

/// Writes `finding` events of the JSONL contract, the one place that
/// knows their shape (the `jsonl` and `json` sinks share it).
///
/// Hand-written rather than built as a `serde_json::Value`: the event
/// stream runs once per finding and building a map per finding cost a
/// quarter of a whole scan. Field order is part of the contract's look.
#[derive(Default)]
pub struct FindingWriter {
    /// `,"kind":"K","rule":R,"start":` per rule id (by address) and kind
    /// seen so far: quoting and escaping the rule id and copying the kind
    /// per finding cost ~200 instructions a finding (callgrind).
    heads: Vec<(Arc<str>, Kind, Vec<u8>)>,
    /// [`FindingWriter::middle`]'s cache: (hundredths << 16 | signal
    /// bits, the piece) per slot, `u32::MAX` for none yet.
    middles: Vec<(u32, Vec<u8>)>,
}

/// Slots of [`FindingWriter::middle`]'s cache (a power of two).
const MIDDLES: usize = 64;

/// Rule heads a [`FindingWriter`] keeps at most (it starts over beyond:
/// a run has a few dozen rules).
const MAX_HEADS: usize = 64;

impl FindingWriter {
    /// Appends the event of `f`; `path_json` is its path already
    /// JSON-quoted (once per file).
    pub fn write(&mut self, out: &mut Vec<u8>, path_json: &str, f: &Finding) {
        // One reservation for the whole event (escapes aside): growing
        // `out` field by field cost ~100 instructions a finding.
        out.reserve(256 + path_json.len() + f.rule.len() + f.masked.len());
        let mut num = itoa::Buffer::new();
        out.extend_from_slice(b"{\"type\":\"finding\",\"path\":");
        out.extend_from_slice(path_json.as_bytes());
        out.extend_from_slice(self.head(f));
        out.extend_from_slice(num.format(f.start).as_bytes());
        // Field by field rather than a loop over (name, value) pairs: the
        // names stay constants, copied without a `memcpy` call.
        out.extend_from_slice(b",\"end\":");
        out.extend_from_slice(num.format(f.end).as_bytes());
        out.extend_from_slice(b",\"line\":");
        out.extend_from_slice(num.format(f.line).as_bytes());
        out.extend_from_slice(b",\"column\":");
        out.extend_from_slice(num.format(f.column).as_bytes());
        out.extend_from_slice(self.middle(f));
        push_json_str(out, &f.masked);
        out.extend_from_slice(b",\"fingerprint\":\"");
        out.extend_from_slice(f.fingerprint.as_bytes());
        out.push(b'"');
        if let Some(loc) = &f.location {
            out.extend_from_slice(b",\"location\":");
            push_location(out, loc, &mut num);
        }
        if let Some(value) = &f.value {
            out.extend_from_slice(b",\"value\":");
            push_json_str(out, value);
        }
        out.push(b'}');
    }

    /// `,"confidence":C,"signals":[..],"masked":` for `f`'s confidence
    /// and signals, from a small direct-mapped cache: a run has few
    /// combinations, and writing the number and the names cost ~150
    /// instructions a finding (callgrind).
    fn middle(&mut self, f: &Finding) -> &[u8] {
        let hundredths = confidence_hundredths(f.confidence);
        let key = hundredths << 16 | u32::from(f.signals.bits());
        if self.middles.is_empty() {
            self.middles = vec![(u32::MAX, Vec::new()); MIDDLES];
        }
        let slot = (key.wrapping_mul(0x9E37_79B9) >> (32 - MIDDLES.trailing_zeros())) as usize;
        let (cached, middle) = &mut self.middles[slot];
        if *cached != key {
            *cached = key;
            middle.clear();
            middle.extend_from_slice(b",\"confidence\":");
            push_hundredths(middle, hundredths);
            middle.extend_from_slice(b",\"signals\":[");
            for (i, s) in f.signals.names().enumerate() {
                if i > 0 {
                    middle.push(b',');
                }
                middle.push(b'"');
                middle.extend_from_slice(s.as_bytes());
                middle.push(b'"');
            }
            middle.extend_from_slice(b"],\"masked\":");
        }
        middle
    }

    /// `,"kind":"K","rule":R,"start":` for `f`'s rule and kind.
    fn head(&mut self, f: &Finding) -> &[u8] {
        let known = self
            .heads
            .iter()
            .position(|(rule, kind, _)| Arc::ptr_eq(rule, &f.rule) && *kind == f.kind);
        let i = match known {
            Some(i) => i,
            None => {
                if self.heads.len() >= MAX_HEADS {
                    self.heads.clear();
                }
                let mut head = b",\"kind\":\"".to_vec();
                head.extend_from_slice(f.kind.id().as_bytes());
                head.extend_from_slice(b"\",\"rule\":");
                push_json_str(&mut head, &f.rule);
                head.extend_from_slice(b",\"start\":");
                self.heads.push((f.rule.clone(), f.kind, head));
                self.heads.len() - 1
            }
        };
        &self.heads[i].2
    }
}

/// Appends a [`Location`] as serde serialises it (untagged: the variant's
/// fields in declaration order, `record` left out when `None`). By hand:
/// serde's serializer plus a `Vec` per finding cost ~300 instructions a
/// located finding (callgrind).
fn push_location(out: &mut Vec<u8>, loc: &Location, num: &mut itoa::Buffer) {
    match loc {
        Location::Table { row, column } => {
            out.extend_from_slice(b"{\"row\":");
            out.extend_from_slice(num.format(*row).as_bytes());
            out.extend_from_slice(b",\"column\":");
            push_serde_str(out, column);
        }
        Location::Sql { table, column, row } => {
            out.extend_from_slice(b"{\"table\":");
            push_serde_str(out, table);
            out.extend_from_slice(b",\"column\":");
            push_serde_str(out, column);
            out.extend_from_slice(b",\"row\":");
            out.extend_from_slice(num.format(*row).as_bytes());
        }
        Location::Json { pointer, record } => {
            out.extend_from_slice(b"{\"pointer\":");
            push_serde_str(out, pointer);
            if let Some(record) = record {
                out.extend_from_slice(b",\"record\":");
                out.extend_from_slice(num.format(*record).as_bytes());
            }
        }
        Location::Cdr { record, field } => {
            out.extend_from_slice(b"{\"record\":");
            out.extend_from_slice(num.format(*record).as_bytes());
            out.extend_from_slice(b",\"field\":");
            push_serde_str(out, field);
        }
    }
    out.push(b'}');
}

/// Appends `s` as a JSON string literal exactly as serde_json writes it
/// (`\b` and `\f` where [`push_json_str`] writes `\u0008`, `\u000c`):
/// copied as it is when nothing needs escaping, serde_json otherwise.
fn push_serde_str(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        // Writing to a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether a string needs any escape in JSON (a quote, a backslash or a
/// control char).
fn needs_escape(bytes: &[u8]) -> bool {
    // Nearly every string (masked values, rule ids) needs no escape. A
    // fold without early exit compiles to a vector loop (16 bytes a step)
    // where the escaping loop below cost ~8 instructions a byte
    // (callgrind: `push_json_str` was 1.5 % of a JSONL scan).
    fn any_escape(bytes: &[u8]) -> bool {
        bytes.iter().fold(false, |acc, &b| {
            acc | (b < 0x20) | (b == b'"') | (b == b'\\')
        })
    }
    // A short string (a masked value) is tested as a fixed 32-byte block
    // padded with spaces: two vector steps and no byte-by-byte tail,
    // which cost ~90 instructions a masked value (callgrind).
    const SHORT: usize = 32;
    if bytes.len() <= SHORT {
        let mut block = [b' '; SHORT];
        block[..bytes.len()].copy_from_slice(bytes);
        return any_escape(&block);
    }
    any_escape(bytes)
}

/// A JSON string literal for `s`.
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// Appends `s` as a JSON string literal. Hand-written: it runs for several
/// fields of every finding, and most strings need no escaping at all.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 15) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        from = i + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

/// Confidence in hundredths, clamped to 0..=100, as `round2` rounds it.
///
/// `floor(x + 0.5)` for `round(x)`: the same for every confidence (an f32
/// times 100 is exact in f64 and never within 2^-30 of a half: a half
/// hundredth is not a binary fraction), without the call to libm's
/// `round` (callgrind: ~30 instructions a finding, on the sink thread).
fn confidence_hundredths(c: f32) -> u32 {
    (c.clamp(0.0, 1.0) as f64 * 100.0 + 0.5) as u32
}

/// A confidence of `hundredths` as printed, two decimals as `round2`
/// rounds them: 0.95, 0.9, 1, 0.0.
fn push_hundredths(out: &mut Vec<u8>, hundredths: u32) {
    if hundredths >= 100 {
        out.push(b'1');
        return;
    }
    out.extend_from_slice(b"0.");
    out.push(b'0' + (hundredths / 10) as u8);
    if !hundredths.is_multiple_of(10) {
        out.push(b'0' + (hundredths % 10) as u8);
    }
}

/// The `skipped` / `error` event for a file that was not scanned, if any.
pub fn status_json(r: &FileResult) -> Option<Value> {
    match &r.status {
        FileStatus::Scanned | FileStatus::Partial => None,
        FileStatus::Skipped(reason) => {
            Some(json!({"type": "skipped", "path": r.path, "reason": reason}))
        }
        FileStatus::Error(message) => {
            Some(json!({"type": "error", "path": r.path, "message": message}))
        }
    }
}

/// The final `summary` event.
pub fn summary_json(s: &Summary) -> Value {
    let by_kind: serde_json::Map<String, Value> = s
        .by_kind
        .iter()
        .map(|(k, n)| (k.id().to_string(), json!(n)))
        .collect();
    json!({
        "type": "summary",
        "files_scanned": s.files_scanned,
        "files_skipped": s.files_skipped.values().sum::<u64>(),
        "skipped_by_reason": s.files_skipped,
        "files_errored": s.files_errored,
        "bytes_scanned": s.bytes_scanned,
        "findings": s.findings,
        "findings_by_kind": by_kind,
        "elapsed_ms": s.elapsed.as_millis() as u64,
        "throughput_mb_s": (s.throughput_mb_s() * 10.0).round() / 10.0,
        "fingerprints_comparable_across_runs": s.fingerprints_stable,
        "suppressed": s.suppressed,
        "files_unchanged": s.files_unchanged,
    })
}

#[cfg(test)]
mod tests {
    use crate::finding::Location;

    /// The padded short-string test against a plain scan: every length
    /// around the 32-byte block, each escaped byte at each position.
    #[test]
    fn needs_escape_finds_every_escaped_byte() {
        let plain = |b: &[u8]| b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
        let (mut yes, mut no) = (0, 0);
        for len in 0..70 {
            let base: Vec<u8> = (0..len).map(|i| b"a\xd0\x96 ~\x7f"[i % 6]).collect();
            assert_eq!(super::needs_escape(&base), plain(&base));
            no += 1;
            for at in 0..len {
                for c in [b'"', b'\\', b'\n', 0, 0x1f, b' ', 0x80] {
                    let mut v = base.clone();
                    v[at] = c;
                    let want = plain(&v);
                    assert_eq!(super::needs_escape(&v), want, "{v:?}");
                    if want { yes += 1 } else { no += 1 }
                }
            }
        }
        assert!(yes > 10_000 && no > 4_000, "{yes} {no}");
    }

    /// The libm-free rounding against `round`: every f32 within a
    /// thousand steps of each half hundredth (where the two could part),
    /// a sweep over all of 0..=1, and the values outside it.
    #[test]
    fn confidence_hundredths_round_as_round_does() {
        let want = |c: f32| (c.clamp(0.0, 1.0) as f64 * 100.0).round() as u32;
        let check = |c: f32| assert_eq!(super::confidence_hundredths(c), want(c), "{c:e}");
        let mut checked = 0u32;
        for k in 0..=100u32 {
            let half = ((f64::from(k) + 0.5) / 100.0) as f32;
            for d in -1000i32..=1000 {
                check(f32::from_bits(half.to_bits().wrapping_add_signed(d)));
                checked += 1;
            }
        }
        for bits in (0..=1.0f32.to_bits()).step_by(997) {
            check(f32::from_bits(bits));
            checked += 1;
        }
        for c in [
            -1.0,
            -0.0,
            1.5,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            0.005,
            0.995,
        ] {
            check(c);
        }
        assert!(checked > 1_000_000);
    }

    #[test]
    fn locations_are_written_as_serde_writes_them() {
        let names = [
            "plain",
            "тел\"ефон",
            "back\\slash",
            "ctl\u{1}\u{8}\u{c}\n\t\r\u{1f}\u{7f}",
            "/a~1b/0",
            "",
            "«Имя» 😀",
        ];
        let mut locations = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let (n, i) = (n.to_string(), i as u64);
            locations.push(Location::Table {
                row: i,
                column: n.clone(),
            });
            locations.push(Location::Sql {
                table: format!("public.{n}"),
                column: n.clone(),
                row: u64::MAX - i,
            });
            locations.push(Location::Json {
                pointer: n.clone(),
                record: None,
            });
            locations.push(Location::Json {
                pointer: n.clone(),
                record: Some(i + 1),
            });
            locations.push(Location::Cdr {
                record: i,
                field: n,
            });
        }
        let mut num = itoa::Buffer::new();
        for loc in &locations {
            let mut out = b"x".to_vec();
            super::push_location(&mut out, loc, &mut num);
            let want = serde_json::to_vec(loc).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out[1..]),
                String::from_utf8_lossy(&want)
            );
        }
    }

    #[test]
    fn json_strings_escape_like_serde() {
        for s in [
            "plain",
            "quote\" back\\slash",
            "ctl\u{1}\n\t\r",
            "Иванова «А»",
            "",
        ] {
            let mut out = Vec::new();
            super::push_json_str(&mut out, s);
            let back: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, s);
        }
    }
}
