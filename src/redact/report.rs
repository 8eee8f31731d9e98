//! The `--report` file: one JSON object per line saying what was replaced
//! where, never the value.
//!
//! Owns the report's lines and its creation with mode 0600 (it maps
//! places to fingerprints of personal data, so only its owner reads it).
//! Lines:
//!
//! ```text
//! {"type":"replaced","path":"db.sql","kind":"phone","rule":"phone.ru","start":120,"end":136,"line":4,"column":17,"location":{…},"strategy":"pseudonym","fingerprint":"9f2c…"}
//! {"type":"file","path":"db.sql","output":"safe/db.sql","status":"redacted","replaced":12}
//! {"type":"residual","path":"x.csv","kind":"phone","start":…,"end":…,"line":…,"column":…,"fingerprint":"…"}
//! {"type":"summary","files_redacted":1,…,"values_replaced":12,"by_kind":{…},"by_strategy":{…}}
//! ```
//!
//! Offsets and lines are the input's; a residual's are the output's.

use super::writer::Replaced;
use super::{FileDone, FileStatus, RedactSummary};
use crate::finding::Fingerprinter;
use anyhow::{Context as _, Result};
use serde_json::{Value, json};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

pub struct Report {
    out: BufWriter<File>,
}

impl Report {
    /// Creates (or truncates) the report with mode 0600.
    pub fn create(path: &Path) -> Result<Report> {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let f = o
            .open(path)
            .with_context(|| format!("{}: cannot create the report", path.display()))?;
        #[cfg(unix)]
        {
            // An existing file keeps its old mode through `open`.
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("{}: cannot restrict the report", path.display()))?;
        }
        Ok(Report {
            out: BufWriter::with_capacity(64 * 1024, f),
        })
    }

    fn line(&mut self, v: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, v)?;
        self.out.write_all(b"\n")
    }

    pub fn replaced(
        &mut self,
        path: &str,
        batch: &[Replaced],
        fp: &Fingerprinter,
    ) -> io::Result<()> {
        for r in batch {
            let mut v = json!({
                "type": "replaced",
                "path": path,
                "kind": r.kind.id(),
                "rule": &*r.rule,
                "start": r.start,
                "end": r.end,
                "line": r.line,
                "column": r.column,
                "strategy": r.strategy.id(),
                "fingerprint": fp.fingerprint(r.kind, &r.norm),
            });
            if let Some(loc) = &r.location {
                v["location"] = serde_json::to_value(loc).unwrap_or(Value::Null);
            }
            if r.pass > 1 {
                v["pass"] = json!(r.pass);
            }
            self.line(&v)?;
        }
        Ok(())
    }

    pub fn file(&mut self, d: &FileDone) -> io::Result<()> {
        let (status, reason) = match &d.status {
            FileStatus::Redacted => ("redacted", None),
            FileStatus::Unchanged => ("unchanged", None),
            FileStatus::Copied(r) => ("copied", Some(r.as_str())),
            FileStatus::Skipped(r) => ("skipped", Some(r.as_str())),
            FileStatus::Error(m) => ("error", Some(m.as_str())),
            FileStatus::Residual => ("residual", None),
        };
        let mut v = json!({
            "type": "file",
            "path": d.path,
            "status": status,
            "replaced": d.replaced,
            "bytes": d.bytes,
        });
        if let Some(o) = &d.output {
            v["output"] = json!(o);
        }
        if let Some(r) = reason {
            v["reason"] = json!(r);
        }
        if d.residual_count > 0 {
            v["residual"] = json!(d.residual_count);
        }
        self.line(&v)?;
        for r in &d.residual {
            self.line(&json!({
                "type": "residual",
                "path": d.path,
                "kind": r.kind.id(),
                "rule": r.rule,
                "start": r.start,
                "end": r.end,
                "line": r.line,
                "column": r.column,
                "fingerprint": r.fingerprint,
            }))?;
        }
        Ok(())
    }

    pub fn summary(&mut self, s: &RedactSummary) -> io::Result<()> {
        let by_kind: serde_json::Map<String, Value> = s
            .by_kind
            .iter()
            .map(|(k, n)| (k.id().to_string(), json!(n)))
            .collect();
        let by_strategy: serde_json::Map<String, Value> = s
            .by_strategy
            .iter()
            .map(|(k, n)| (k.id().to_string(), json!(n)))
            .collect();
        self.line(&json!({
            "type": "summary",
            "files_redacted": s.files_redacted,
            "files_unchanged": s.files_unchanged,
            "files_copied": s.files_copied,
            "files_skipped": s.files_skipped,
            "files_errored": s.files_errored,
            "files_residual": s.files_residual,
            "values_replaced": s.values_replaced,
            "by_kind": by_kind,
            "by_strategy": by_strategy,
            "bytes": s.bytes,
        }))
    }

    pub fn finish(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()
    }
}
