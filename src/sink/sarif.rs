//! `--format sarif`: SARIF 2.1.0, the format code-scanning tools (GitHub,
//! GitLab, Azure DevOps, IDE viewers) read.
//!
//! One run whose driver lists the rules of the scan (id, description and
//! kind from the rule set), one result per finding, and the files that
//! were not scanned as tool notifications (errors at level `error`, skips
//! at `note`). Results stream out as files complete; only the
//! notifications wait for the end.
//!
//! Where a finding is: `startLine` plus `byteOffset`/`byteLength` into the
//! file's original bytes. No `startColumn`: SARIF counts columns in
//! UTF-16 code units by default and piiscan in bytes, so a column would be
//! wrong on any non-ASCII line. Results carry the masked preview and the
//! keyed fingerprint (as a partial fingerprint, so viewers can follow a
//! finding across runs), never the value unless `--show-values`.

use super::{Sink, round2, summary_json};
use crate::app::{FileResult, FileStatus, Summary};
use crate::detect::RuleSet;
use crate::finding::Finding;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{self, Write};

/// What the driver says about one rule.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub description: String,
    pub kind: String,
}

impl RuleMeta {
    /// The metadata of every rule in a set, in its order.
    pub fn of(rules: &RuleSet) -> Vec<RuleMeta> {
        rules
            .rules()
            .iter()
            .map(|r| RuleMeta {
                id: r.id().to_string(),
                description: r.spec.description.clone(),
                kind: r.kind.id().to_string(),
            })
            .collect()
    }
}

pub struct SarifSink {
    out: Box<dyn Write + Send>,
    rules: Vec<RuleMeta>,
    index: HashMap<String, usize>,
    started: bool,
    any_result: bool,
    notifications: Vec<Value>,
    buf: Vec<u8>,
}

impl SarifSink {
    pub fn new(out: Box<dyn Write + Send>, rules: Vec<RuleMeta>) -> SarifSink {
        let index = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        SarifSink {
            out,
            rules,
            index,
            started: false,
            any_result: false,
            notifications: Vec::new(),
            buf: Vec::new(),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "name": r.id,
                    "shortDescription": {"text": r.description},
                    "fullDescription": {"text": format!("{} (personal data kind `{}`)", r.description, r.kind)},
                    "defaultConfiguration": {"level": "warning"},
                    "properties": {"kind": r.kind, "tags": ["pii", r.kind]},
                })
            })
            .collect();
        let driver = json!({
            "name": "piiscan",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        });
        self.out.write_all(
            b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":",
        )?;
        serde_json::to_writer(&mut self.out, &driver)?;
        self.out.write_all(b"},\"results\":[")
    }

    fn result(&self, path: &str, f: &Finding) -> Value {
        let mut region = json!({
            "startLine": f.line.max(1),
            "byteOffset": f.start,
            "byteLength": f.end.saturating_sub(f.start),
        });
        if f.line == 0
            && let Some(r) = region.as_object_mut()
        {
            r.remove("startLine");
        }
        let mut properties = json!({
            "kind": f.kind.id(),
            "confidence": round2(f.confidence),
            "signals": f.signals.names().collect::<Vec<_>>(),
            "masked": f.masked,
        });
        if let Some(loc) = &f.location {
            properties["location"] = json!(loc);
        }
        if let Some(v) = &f.value {
            properties["value"] = json!(v);
        }
        let mut result = json!({
            "ruleId": &*f.rule,
            "level": "warning",
            "message": {"text": format!("{} found: {} (rule {}, confidence {:.2})", f.kind.id(), f.masked, f.rule, round2(f.confidence))},
            "locations": [{"physicalLocation": {
                "artifactLocation": artifact(path),
                "region": region,
            }}],
            "partialFingerprints": {"piiscan/valueFingerprint/v1": f.fingerprint},
            "properties": properties,
        });
        if let Some(&i) = self.index.get(&*f.rule) {
            result["ruleIndex"] = json!(i);
        }
        result
    }
}

/// An `artifactLocation`: relative paths against `%SRCROOT%` (the scanned
/// root, as code-scanning uploads expect), absolute ones as `file://` URIs.
fn artifact(path: &str) -> Value {
    let path = path.replace('\\', "/");
    if path.starts_with('/') {
        json!({"uri": format!("file://{}", encode_uri_path(&path))})
    } else {
        json!({"uri": encode_uri_path(path.strip_prefix("./").unwrap_or(&path)), "uriBaseId": "%SRCROOT%"})
    }
}

/// Percent-encodes a path for a URI: everything but unreserved characters,
/// `/` and `!` (container paths, `dump.tar.gz!/users.sql`). A `:` is
/// encoded too, so a relative path is never read as a scheme.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b'!') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Sink for SarifSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        self.start()?;
        for f in &r.findings {
            let v = self.result(&r.path, f);
            self.buf.clear();
            if self.any_result {
                self.buf.push(b',');
            }
            serde_json::to_writer(&mut self.buf, &v)?;
            self.buf.push(b'\n');
            self.out.write_all(&self.buf)?;
            self.any_result = true;
        }
        let (level, text) = match &r.status {
            FileStatus::Scanned | FileStatus::Partial => return Ok(()),
            FileStatus::Skipped(reason) => ("note", format!("not scanned: {reason}")),
            FileStatus::Error(message) => ("error", format!("could not scan: {message}")),
        };
        self.notifications.push(json!({
            "level": level,
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": artifact(&r.path)}}],
        }));
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        self.start()?;
        let invocation = json!({
            // Per-file errors are not fatal: the run went on (they are
            // listed below and make the exit code 2).
            "executionSuccessful": true,
            "toolExecutionNotifications": std::mem::take(&mut self.notifications),
        });
        self.out.write_all(b"],\"invocations\":[")?;
        serde_json::to_writer(&mut self.out, &invocation)?;
        self.out.write_all(b"],\"properties\":{\"summary\":")?;
        serde_json::to_writer(&mut self.out, &summary_json(s))?;
        self.out.write_all(b"}}]}\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            encode_uri_path("a b/тест:1.txt"),
            "a%20b/%D1%82%D0%B5%D1%81%D1%82%3A1.txt"
        );
        assert_eq!(
            encode_uri_path("dump.tar.gz!/db/u.sql"),
            "dump.tar.gz!/db/u.sql"
        );
        assert_eq!(artifact("/srv/a b")["uri"], "file:///srv/a%20b");
        assert_eq!(artifact("./x.txt")["uri"], "x.txt");
        assert_eq!(artifact("x.txt")["uriBaseId"], "%SRCROOT%");
    }
}
