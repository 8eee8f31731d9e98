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

/// The `finding` event of the JSONL contract.
pub fn finding_json(path: &str, f: &Finding) -> Value {
    let mut v = json!({
        "type": "finding",
        "path": path,
        "kind": f.kind.id(),
        "rule": &*f.rule,
        "start": f.start,
        "end": f.end,
        "line": f.line,
        "column": f.column,
        "confidence": round2(f.confidence),
        "signals": f.signals.names().collect::<Vec<_>>(),
        "masked": f.masked,
        "fingerprint": f.fingerprint,
    });
    if let Some(loc) = &f.location {
        v["location"] = serde_json::to_value(loc).unwrap_or(Value::Null);
    }
    if let Some(value) = &f.value {
        v["value"] = Value::String(value.clone());
    }
    v
}

/// The `skipped` / `error` event for a file that was not scanned, if any.
pub fn status_json(r: &FileResult) -> Option<Value> {
    match &r.status {
        FileStatus::Scanned => None,
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
