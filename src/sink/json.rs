//! JSON writers: the line-per-event JSONL stream and the one-document JSON.

use super::{Sink, finding_json, status_json, summary_json};
use crate::app::{FileResult, Summary};
use serde_json::{Value, json};
use std::io::{self, Write};

/// `--format jsonl`: one event per line, written as files complete.
pub struct JsonlSink {
    out: Box<dyn Write + Send>,
}

impl JsonlSink {
    pub fn new(out: Box<dyn Write + Send>) -> JsonlSink {
        JsonlSink { out }
    }
    fn line(&mut self, v: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, v)?;
        self.out.write_all(b"\n")
    }
}

impl Sink for JsonlSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        for f in &r.findings {
            self.line(&finding_json(&r.path, f))?;
        }
        if let Some(v) = status_json(r) {
            self.line(&v)?;
        }
        Ok(())
    }
    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        self.line(&summary_json(s))?;
        self.out.flush()
    }
}

/// `--format json`: one document `{findings, skipped, errors, summary}`.
pub struct JsonSink {
    out: Box<dyn Write + Send>,
    findings: Vec<Value>,
    skipped: Vec<Value>,
    errors: Vec<Value>,
}

impl JsonSink {
    pub fn new(out: Box<dyn Write + Send>) -> JsonSink {
        JsonSink {
            out,
            findings: Vec::new(),
            skipped: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl Sink for JsonSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        self.findings
            .extend(r.findings.iter().map(|f| finding_json(&r.path, f)));
        if let Some(v) = status_json(r) {
            match v["type"].as_str() {
                Some("error") => self.errors.push(v),
                _ => self.skipped.push(v),
            }
        }
        Ok(())
    }
    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let doc = json!({
            "findings": std::mem::take(&mut self.findings),
            "skipped": std::mem::take(&mut self.skipped),
            "errors": std::mem::take(&mut self.errors),
            "summary": summary_json(s),
        });
        serde_json::to_writer_pretty(&mut self.out, &doc)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
