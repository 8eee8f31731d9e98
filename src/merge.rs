//! `piiscan merge`: joins the JSONL reports of several runs (the shards of
//! one tree, say) into one stream with one summary.
//!
//! Owns reading JSONL reports back: every event line other than a summary
//! passes through unchanged, in input order; the summaries are added up
//! field by field (counts summed, per-kind and per-reason maps summed key
//! by key, `elapsed_ms` the longest run's, throughput recomputed from the
//! sums, `fingerprints_comparable_across_runs` true only if true for all).
//! Summing field by field keeps merge working when a later version adds a
//! count. A report without a summary did not finish: that is an error, so
//! a merged report never hides a shard that died.

use crate::finding::Kind;
use anyhow::{Context as _, Result, bail};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::path::Path;

/// The merged totals a merge's exit code is decided on.
#[derive(Debug, Default)]
pub struct Totals {
    pub files_errored: u64,
    pub findings: u64,
    pub by_kind: BTreeMap<Kind, u64>,
}

/// Merges the reports at `inputs` (`-` is standard input) into `out`.
pub fn merge(inputs: &[&Path], out: &mut dyn Write) -> Result<Totals> {
    let mut sum = Map::new();
    for &input in inputs {
        let name = input.display().to_string();
        let reader: Box<dyn BufRead> = if input.as_os_str() == "-" {
            Box::new(io::stdin().lock())
        } else {
            Box::new(io::BufReader::new(
                std::fs::File::open(input).with_context(|| format!("{name}: cannot open"))?,
            ))
        };
        let mut summaries = 0;
        for (i, line) in reader.split(b'\n').enumerate() {
            let line = line.with_context(|| format!("{name}: cannot read"))?;
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let event: Value = serde_json::from_slice(line)
                .with_context(|| format!("{name}:{}: not a JSONL report line", i + 1))?;
            match event.get("type").and_then(Value::as_str) {
                Some("summary") => {
                    summaries += 1;
                    if let Value::Object(s) = event {
                        add(&mut sum, &s);
                    }
                }
                Some(_) => {
                    out.write_all(line)?;
                    out.write_all(b"\n")?;
                }
                None => bail!("{name}:{}: an event without a \"type\"", i + 1),
            }
        }
        if summaries == 0 {
            bail!(
                "{name}: no summary line: that run did not finish, so the merge would be incomplete"
            );
        }
    }
    finish(&mut sum);
    let summary = Value::Object(sum);
    serde_json::to_writer(&mut *out, &summary)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(totals(&summary))
}

/// Adds summary `s` into `acc`.
fn add(acc: &mut Map<String, Value>, s: &Map<String, Value>) {
    for (k, v) in s {
        match k.as_str() {
            "type" | "throughput_mb_s" => continue,
            "elapsed_ms" => {
                let longest = acc
                    .get(k)
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .max(v.as_u64().unwrap_or(0));
                acc.insert(k.clone(), longest.into());
                continue;
            }
            _ => {}
        }
        let merged = match (acc.remove(k), v) {
            (None, v) => v.clone(),
            (Some(Value::Number(a)), Value::Number(b)) => match (a.as_u64(), b.as_u64()) {
                (Some(a), Some(b)) => a.saturating_add(b).into(),
                _ => (a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0)).into(),
            },
            (Some(Value::Bool(a)), Value::Bool(b)) => (a && *b).into(),
            (Some(Value::Object(mut a)), Value::Object(b)) => {
                add(&mut a, b);
                Value::Object(a)
            }
            (Some(a), _) => a,
        };
        acc.insert(k.clone(), merged);
    }
}

fn finish(sum: &mut Map<String, Value>) {
    let bytes = sum
        .get("bytes_scanned")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let ms = sum.get("elapsed_ms").and_then(Value::as_u64).unwrap_or(0);
    let mb_s = if ms > 0 {
        (bytes as f64 / 1e6 / (ms as f64 / 1e3) * 10.0).round() / 10.0
    } else {
        0.0
    };
    let mut ordered = Map::new();
    ordered.insert("type".into(), "summary".into());
    ordered.extend(std::mem::take(sum));
    ordered.insert("throughput_mb_s".into(), mb_s.into());
    *sum = ordered;
}

fn totals(summary: &Value) -> Totals {
    let by_kind = summary
        .get("findings_by_kind")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, n)| Some((Kind::from_id(k)?, n.as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    Totals {
        files_errored: summary
            .get("files_errored")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        findings: summary.get("findings").and_then(Value::as_u64).unwrap_or(0),
        by_kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(reports: &[&str]) -> Result<(Vec<Value>, Totals)> {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<_> = reports
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let p = dir.path().join(format!("{i}.jsonl"));
                std::fs::write(&p, r).unwrap();
                p
            })
            .collect();
        let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
        let mut out = Vec::new();
        let t = merge(&refs, &mut out)?;
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        Ok((lines, t))
    }

    #[test]
    fn summaries_add_up_and_events_pass_through() {
        let a = r#"{"type":"finding","path":"a","kind":"email"}
{"type":"summary","files_scanned":2,"files_skipped":1,"skipped_by_reason":{"binary":1},"files_errored":0,"bytes_scanned":1000000,"findings":1,"findings_by_kind":{"email":1},"elapsed_ms":500,"throughput_mb_s":2.0,"fingerprints_comparable_across_runs":true,"new_count":3}
"#;
        let b = r#"{"type":"skipped","path":"b","reason":"too large"}
{"type":"finding","path":"c","kind":"phone"}
{"type":"finding","path":"d","kind":"email"}
{"type":"summary","files_scanned":3,"files_skipped":1,"skipped_by_reason":{"too large":1},"files_errored":1,"bytes_scanned":3000000,"findings":2,"findings_by_kind":{"email":1,"phone":1},"elapsed_ms":1000,"throughput_mb_s":3.0,"fingerprints_comparable_across_runs":true,"new_count":4}
"#;
        let (lines, t) = merged(&[a, b]).unwrap();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0]["path"], "a");
        assert_eq!(lines[3]["path"], "d");
        let s = &lines[4];
        assert_eq!(s["type"], "summary");
        assert_eq!(s["files_scanned"], 5);
        assert_eq!(s["skipped_by_reason"]["binary"], 1);
        assert_eq!(s["skipped_by_reason"]["too large"], 1);
        assert_eq!(s["findings_by_kind"]["email"], 2);
        assert_eq!(s["elapsed_ms"], 1000);
        assert_eq!(s["throughput_mb_s"], 4.0);
        assert_eq!(s["new_count"], 7, "unknown counts are summed too");
        assert_eq!(t.findings, 3);
        assert_eq!(t.files_errored, 1);
        assert_eq!(t.by_kind[&Kind::Email], 2);
    }

    #[test]
    fn a_report_without_summary_or_with_garbage_is_an_error() {
        let err = merged(&["{\"type\":\"finding\"}\n"]).err().unwrap();
        assert!(format!("{err:#}").contains("no summary"));
        let err = merged(&["not json\n"]).err().unwrap();
        assert!(format!("{err:#}").contains(":1:"));
    }
}
