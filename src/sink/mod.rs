//! Sinks: everything that writes results. Each receives the same stream of
//! per-file results ([`FileResult`]) and the final [`Summary`]; a new output
//! is a new sink, not a new pass over the data.
//!
//! Owns the output formats and the JSON shapes of the JSONL contract (one
//! place, shared by the `jsonl` and `json` writers). Sinks never see raw
//! values unless the user asked for `--show-values` (then `Finding::value`
//! is set).

mod csv;
mod json;
mod text;

use crate::app::{FileResult, FileStatus, Summary};
use crate::finding::Finding;
use serde_json::{Value, json};

use std::io::{self, Write};

pub use self::csv::CsvSink;
pub use json::{JsonSink, JsonlSink};
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
}

/// Makes the sink for a format, writing to `out`.
pub fn for_format(format: Format, out: Box<dyn Write + Send>, color: bool) -> Box<dyn Sink> {
    match format {
        Format::Text => Box::new(TextSink::new(out, color)),
        Format::Jsonl => Box::new(JsonlSink::new(out)),
        Format::Json => Box::new(JsonSink::new(out)),
        Format::Csv => Box::new(CsvSink::new(out)),
    }
}

/// Confidence as printed: two decimals.
pub fn round2(c: f32) -> f64 {
    (c as f64 * 100.0).round() / 100.0
}

/// Writes the `finding` event of the JSONL contract (no newline) to `out`.
///
/// Hand-written rather than built as a `serde_json::Value`: the event
/// stream runs once per finding and building a map per finding cost a
/// quarter of a whole scan. `path_json` is the path already JSON-quoted
/// (once per file). Field order is part of the contract's look.
pub fn write_finding_json(out: &mut Vec<u8>, path_json: &str, f: &Finding) {
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(b"{\"type\":\"finding\",\"path\":");
    out.extend_from_slice(path_json.as_bytes());
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(f.kind.id().as_bytes());
    out.extend_from_slice(b"\",\"rule\":");
    push_json_str(out, &f.rule);
    for (name, v) in [
        (&b",\"start\":"[..], f.start),
        (b",\"end\":", f.end),
        (b",\"line\":", f.line),
        (b",\"column\":", f.column),
    ] {
        out.extend_from_slice(name);
        out.extend_from_slice(num.format(v).as_bytes());
    }
    out.extend_from_slice(b",\"confidence\":");
    push_confidence(out, f.confidence);
    out.extend_from_slice(b",\"signals\":[");
    for (i, s) in f.signals.names().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b"],\"masked\":");
    push_json_str(out, &f.masked);
    out.extend_from_slice(b",\"fingerprint\":\"");
    out.extend_from_slice(f.fingerprint.as_bytes());
    out.push(b'"');
    if let Some(loc) = &f.location
        && let Ok(v) = serde_json::to_vec(loc)
    {
        out.extend_from_slice(b",\"location\":");
        out.extend_from_slice(&v);
    }
    if let Some(value) = &f.value {
        out.extend_from_slice(b",\"value\":");
        push_json_str(out, value);
    }
    out.push(b'}');
}

/// A JSON string literal for `s`.
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn push_json_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaping; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Confidence with two decimals, as `round2` rounds it: 0.95, 0.9, 1.
pub(crate) fn push_confidence(out: &mut Vec<u8>, c: f32) {
    let hundredths = (c.clamp(0.0, 1.0) as f64 * 100.0).round() as u32;
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
    })
}
