//! `--format csv`: one row per finding, with a header; not-scanned files
//! and the summary go to the other formats (a CSV has one shape).

use super::{Sink, round2};
use crate::app::{FileResult, Summary};
use std::io::{self, Write};

pub struct CsvSink {
    out: csv::Writer<Box<dyn Write + Send>>,
    header_written: bool,
}

impl CsvSink {
    pub fn new(out: Box<dyn Write + Send>) -> CsvSink {
        CsvSink {
            out: csv::Writer::from_writer(out),
            header_written: false,
        }
    }
}

const HEADER: [&str; 12] = [
    "path",
    "kind",
    "rule",
    "start",
    "end",
    "line",
    "column",
    "confidence",
    "signals",
    "masked",
    "fingerprint",
    "value",
];

impl Sink for CsvSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        if !self.header_written {
            self.out.write_record(HEADER)?;
            self.header_written = true;
        }
        for f in &r.findings {
            let signals: Vec<&str> = f.signals.names().collect();
            self.out.write_record([
                r.path.as_str(),
                f.kind.id(),
                &f.rule,
                &f.start.to_string(),
                &f.end.to_string(),
                &f.line.to_string(),
                &f.column.to_string(),
                &round2(f.confidence).to_string(),
                &signals.join("|"),
                &f.masked,
                &f.fingerprint,
                f.value.as_deref().unwrap_or(""),
            ])?;
        }
        Ok(())
    }
    fn finish(&mut self, _s: &Summary) -> io::Result<()> {
        if !self.header_written {
            self.out.write_record(HEADER)?;
        }
        self.out.flush()
    }
}
