//! `--format text`: ripgrep-style `path:line:column` lines with the kind and
//! masked value, errors on stderr, and a summary block at the end.

use super::{Sink, round2};
use crate::app::{FileResult, FileStatus, Summary};
use std::io::{self, Write};

pub struct TextSink {
    out: Box<dyn Write + Send>,
    color: bool,
}

impl TextSink {
    pub fn new(out: Box<dyn Write + Send>, color: bool) -> TextSink {
        TextSink { out, color }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

impl Sink for TextSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        for f in &r.findings {
            let line = format!(
                "{}:{}:{}: {} {} ({}, {:.2})\n",
                self.paint("35", &r.path),
                self.paint("32", &f.line.to_string()),
                f.column,
                self.paint("1;31", f.kind.id()),
                f.masked,
                f.rule,
                round2(f.confidence),
            );
            self.out.write_all(line.as_bytes())?;
        }
        if let FileStatus::Error(m) = &r.status {
            eprintln!("piiscan: {}: {m}", r.path);
        }
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let mut t = String::new();
        t.push_str(&format!("\n{} findings", s.findings));
        if !s.by_kind.is_empty() {
            let kinds: Vec<String> = s.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
            t.push_str(&format!(": {}", kinds.join(", ")));
        }
        t.push('\n');
        let skipped: u64 = s.files_skipped.values().sum();
        t.push_str(&format!(
            "{} files scanned, {} skipped, {} errors; {:.1} MB in {:.2}s ({:.1} MB/s)\n",
            s.files_scanned,
            skipped,
            s.files_errored,
            s.bytes_scanned as f64 / 1e6,
            s.elapsed.as_secs_f64(),
            s.throughput_mb_s()
        ));
        if skipped > 0 {
            let reasons: Vec<String> = s
                .files_skipped
                .iter()
                .map(|(r, n)| format!("{r}: {n}"))
                .collect();
            t.push_str(&format!("skipped: {}\n", reasons.join(", ")));
        }
        if s.suppressed > 0 || s.files_unchanged > 0 {
            t.push_str(&format!(
                "{} suppressed (allowlists, baseline, piiscan:ignore); {} files unchanged since the last run\n",
                s.suppressed, s.files_unchanged
            ));
        }
        if !s.fingerprints_stable {
            t.push_str(
                "fingerprints use a per-run key (set PIISCAN_KEY or --key-file to compare runs)\n",
            );
        }
        self.out.write_all(t.as_bytes())?;
        self.out.flush()
    }
}
