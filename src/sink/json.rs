//! JSON writers: the line-per-event JSONL stream and the one-document JSON.

use super::{FindingWriter, Sink, json_str, status_json, summary_json};
use crate::app::{FileResult, Summary};
use serde_json::Value;
use std::io::{self, Write};

/// `--format jsonl`: one event per line, written as files complete.
pub struct JsonlSink {
    out: Box<dyn Write + Send>,
    /// Finding lines not yet written (reused).
    line: Vec<u8>,
    writer: FindingWriter,
}

/// Bytes of finding lines [`JsonlSink`] gathers before it writes them.
const FLUSH_AT: usize = 64 * 1024;

impl JsonlSink {
    pub fn new(out: Box<dyn Write + Send>) -> JsonlSink {
        JsonlSink {
            out,
            line: Vec::with_capacity(FLUSH_AT + 1024),
            writer: FindingWriter::default(),
        }
    }
    fn value_line(&mut self, v: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, v)?;
        self.out.write_all(b"\n")
    }
}

impl Sink for JsonlSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        if !r.findings.is_empty() {
            // A batch's lines go out in one write of at most ~64 KiB: a
            // `write_all` per line cost ~150 instructions a finding
            // (callgrind), the copy into `BufWriter` included.
            let path = json_str(&r.path);
            self.line.clear();
            for f in &r.findings {
                self.writer.write(&mut self.line, &path, f);
                self.line.push(b'\n');
                if self.line.len() >= FLUSH_AT {
                    self.out.write_all(&self.line)?;
                    self.line.clear();
                }
            }
            self.out.write_all(&self.line)?;
        }
        if let Some(v) = status_json(r) {
            self.value_line(&v)?;
        }
        Ok(())
    }
    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        self.value_line(&summary_json(s))?;
        self.out.flush()
    }
}

/// `--format json`: one document `{findings, skipped, errors, summary}`.
/// Findings stream out as they come; the other lists are small and kept.
pub struct JsonSink {
    out: Box<dyn Write + Send>,
    started: bool,
    any_finding: bool,
    skipped: Vec<Value>,
    errors: Vec<Value>,
    buf: Vec<u8>,
    writer: FindingWriter,
}

impl JsonSink {
    pub fn new(out: Box<dyn Write + Send>) -> JsonSink {
        JsonSink {
            out,
            started: false,
            any_finding: false,
            skipped: Vec::new(),
            errors: Vec::new(),
            buf: Vec::new(),
            writer: FindingWriter::default(),
        }
    }
    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(b"{\"findings\": [")?;
        }
        Ok(())
    }
}

impl Sink for JsonSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        self.start()?;
        let path = json_str(&r.path);
        for f in &r.findings {
            self.buf.clear();
            self.buf
                .extend_from_slice(if self.any_finding { b",\n  " } else { b"\n  " });
            self.writer.write(&mut self.buf, &path, f);
            self.out.write_all(&self.buf)?;
            self.any_finding = true;
        }
        if let Some(v) = status_json(r) {
            match v["type"].as_str() {
                Some("error") => self.errors.push(v),
                _ => self.skipped.push(v),
            }
        }
        Ok(())
    }
    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        self.start()?;
        self.out
            .write_all(if self.any_finding { b"\n],\n" } else { b"],\n" })?;
        let rest = [
            ("skipped", Value::Array(std::mem::take(&mut self.skipped))),
            ("errors", Value::Array(std::mem::take(&mut self.errors))),
            ("summary", summary_json(s)),
        ];
        for (i, (name, v)) in rest.iter().enumerate() {
            write!(self.out, "\"{name}\": ")?;
            serde_json::to_writer(&mut self.out, v)?;
            self.out
                .write_all(if i + 1 < rest.len() { b",\n" } else { b"\n}\n" })?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FindingWriter, write_finding_json};
    use crate::finding::{Finding, Kind, Location, Signals};
    use std::sync::Arc;

    #[test]
    fn a_kept_writer_writes_what_a_fresh_one_writes() {
        // Rule heads are kept per rule id address and kind: equal ids in
        // other `Arc`s, one id under two kinds, ids that need escapes;
        // confidence and signal pieces per value.
        let ids: Vec<Arc<str>> = ["phone.ru", "phone.ru", "x\"y\\z", "inn", "user.rule"]
            .into_iter()
            .map(Arc::from)
            .collect();
        let mut kept = FindingWriter::default();
        for i in 0..5000usize {
            let f = Finding {
                kind: Kind::ALL[i * 7 % Kind::ALL.len()],
                rule: ids[i % ids.len()].clone(),
                start: i as u64,
                end: i as u64 * 3,
                line: 1,
                column: i as u64 % 17,
                // Many (confidence, signals) pairs: cache slots replaced.
                confidence: (i % 23) as f32 * 0.047,
                signals: Signals::from_bits((i * 37) as u16),
                masked: "**".into(),
                fingerprint: "0f".repeat(16).into(),
                location: None,
                value: None,
            };
            let (mut a, mut b) = (Vec::new(), Vec::new());
            kept.write(&mut a, "\"p\"", &f);
            write_finding_json(&mut b, "\"p\"", &f);
            assert_eq!(a, b);
            serde_json::from_slice::<serde_json::Value>(&a).unwrap();
        }
    }

    #[test]
    fn finding_json_is_valid_and_complete() {
        let f = Finding {
            kind: Kind::Phone,
            rule: "phone.ru".into(),
            start: 12,
            end: 28,
            line: 2,
            column: 5,
            confidence: 0.97,
            signals: Signals::VALIDATED.union(Signals::CONTEXT),
            masked: "+7 *** ***-**-89".into(),
            fingerprint: "ab".repeat(16).into(),
            location: Some(Location::Table {
                row: 3,
                column: "тел\"ефон".into(),
            }),
            value: None,
        };
        let mut out = Vec::new();
        write_finding_json(&mut out, "\"dir/a \\\"b\\\".csv\"", &f);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["type"], "finding");
        assert_eq!(v["path"], "dir/a \"b\".csv");
        assert_eq!(v["confidence"], 0.97);
        assert_eq!(v["signals"], serde_json::json!(["validated", "context"]));
        assert_eq!(v["location"]["column"], "тел\"ефон");
        assert!(v.get("value").is_none());
        for (c, want) in [
            (0.5f32, "0.5"),
            (0.9, "0.9"),
            (0.99, "0.99"),
            (1.0, "1"),
            (0.0, "0.0"),
        ] {
            let mut b = Vec::new();
            super::super::push_hundredths(&mut b, super::super::confidence_hundredths(c));
            assert_eq!(String::from_utf8(b).unwrap(), want);
        }
    }
}
