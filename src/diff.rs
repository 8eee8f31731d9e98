//! `piiscan diff OLD NEW`: which locations and kinds of personal data
//! appeared or disappeared between two `inventory-json` files — the
//! "what's new" of a weekly scheduled scan.
//!
//! Owns reading inventory files back (checking they are inventories this
//! version understands), the comparison, and its two renderings (human
//! text and JSON). A location is the inventory's key: source path ×
//! location type × location × kind, so a kind newly found in a known
//! column counts as appeared too. Counts are shown, not compared: a column
//! whose row count changed is the same location.
//!
//! Exit codes (mapped by `main`): 1 when anything appeared, 0 otherwise,
//! 2 on errors (unreadable file, not an inventory).

use crate::inventory::{DOCUMENT_TYPE, FORMAT_VERSION};
use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;

/// Output formats of `piiscan diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Lines for people: `+`/`-` per location, then totals.
    Text,
    /// One JSON document.
    Json,
}

/// The identity of a location across runs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Key {
    pub path: String,
    pub location_type: String,
    pub location: String,
    pub kind: String,
}

/// A location with its counts in the run it is reported from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    #[serde(flatten)]
    pub key: Key,
    pub findings: u64,
    pub distinct: u64,
}

/// One inventory file, as far as the diff needs it.
#[derive(Debug, Clone, Default)]
pub struct InventoryFile {
    pub generated_at: String,
    pub locations: BTreeMap<Key, (u64, u64)>,
}

impl InventoryFile {
    /// Parses an `inventory-json` document; `name` is for messages.
    pub fn parse(text: &str, name: &str) -> Result<InventoryFile> {
        let doc: Value = serde_json::from_str(text)
            .with_context(|| format!("{name}: not JSON (an inventory-json file is expected)"))?;
        if doc.get("type").and_then(Value::as_str) != Some(DOCUMENT_TYPE) {
            bail!(
                "{name}: not a piiscan inventory (make one with `piiscan scan --format inventory-json`)"
            );
        }
        let version = doc.get("version").and_then(Value::as_u64).unwrap_or(0);
        if version == 0 || version > FORMAT_VERSION {
            bail!(
                "{name}: inventory version {version} is not supported by this piiscan (reads 1..={FORMAT_VERSION})"
            );
        }
        let Some(rows) = doc.get("locations").and_then(Value::as_array) else {
            bail!("{name}: the inventory has no `locations` list");
        };
        let mut locations = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            let field = |f: &str| -> Result<String> {
                row.get(f)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .with_context(|| format!("{name}: location {} has no string `{f}`", i + 1))
            };
            let key = Key {
                path: field("path")?,
                location_type: field("location_type")?,
                location: field("location")?,
                kind: field("kind")?,
            };
            let count = |f: &str| row.get(f).and_then(Value::as_u64).unwrap_or(0);
            let e = locations.entry(key).or_insert((0, 0));
            e.0 += count("findings");
            e.1 += count("distinct");
        }
        Ok(InventoryFile {
            generated_at: doc
                .get("generated_at")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            locations,
        })
    }

    /// Reads an inventory file; `-` is standard input.
    pub fn read(path: &Path) -> Result<InventoryFile> {
        let name = path.display().to_string();
        let mut text = String::new();
        if name == "-" {
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read standard input")?;
        } else {
            text = std::fs::read_to_string(path).with_context(|| format!("{name}: cannot read"))?;
        }
        InventoryFile::parse(&text, &name)
    }

    fn kinds(&self) -> BTreeSet<&str> {
        self.locations.keys().map(|k| k.kind.as_str()).collect()
    }
}

/// What changed from one inventory to the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    #[serde(rename = "type")]
    pub doc_type: &'static str,
    pub old: Side,
    pub new: Side,
    /// In the new inventory, not in the old (counts from the new one).
    pub appeared: Vec<Change>,
    /// In the old inventory, not in the new (counts from the old one).
    pub disappeared: Vec<Change>,
    /// Kinds found anywhere now and nowhere before, and the reverse.
    pub kinds_appeared: Vec<String>,
    pub kinds_disappeared: Vec<String>,
    pub unchanged: usize,
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub file: String,
    pub generated_at: String,
    pub locations: usize,
}

impl Diff {
    /// 1 when anything appeared, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(!self.appeared.is_empty())
    }
}

/// Compares two inventories.
pub fn diff(old: &InventoryFile, old_name: &str, new: &InventoryFile, new_name: &str) -> Diff {
    let only = |a: &InventoryFile, b: &InventoryFile| -> Vec<Change> {
        a.locations
            .iter()
            .filter(|(k, _)| !b.locations.contains_key(*k))
            .map(|(k, &(findings, distinct))| Change {
                key: k.clone(),
                findings,
                distinct,
            })
            .collect()
    };
    let appeared = only(new, old);
    let disappeared = only(old, new);
    let (old_kinds, new_kinds) = (old.kinds(), new.kinds());
    let side = |f: &InventoryFile, name: &str| Side {
        file: name.to_string(),
        generated_at: f.generated_at.clone(),
        locations: f.locations.len(),
    };
    Diff {
        doc_type: "piiscan_inventory_diff",
        old: side(old, old_name),
        new: side(new, new_name),
        unchanged: new.locations.len().saturating_sub(appeared.len()),
        appeared,
        disappeared,
        kinds_appeared: new_kinds
            .difference(&old_kinds)
            .map(|s| s.to_string())
            .collect(),
        kinds_disappeared: old_kinds
            .difference(&new_kinds)
            .map(|s| s.to_string())
            .collect(),
    }
}

/// Reads both files, compares them and writes the result; returns the
/// exit code (errors are the caller's exit 2).
pub fn run(old: &Path, new: &Path, format: DiffFormat, out: &mut dyn Write) -> Result<i32> {
    if old.as_os_str() == "-" && new.as_os_str() == "-" {
        bail!("only one of the two inventories can be standard input");
    }
    let (a, b) = (InventoryFile::read(old)?, InventoryFile::read(new)?);
    let d = diff(
        &a,
        &old.display().to_string(),
        &b,
        &new.display().to_string(),
    );
    match format {
        DiffFormat::Text => write_text(&d, out)?,
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &d)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(d.exit_code())
}

/// The human rendering.
pub fn write_text(d: &Diff, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "old: {} ({}, {} locations)",
        shown(&d.old.file),
        shown(&d.old.generated_at),
        d.old.locations
    )?;
    writeln!(
        out,
        "new: {} ({}, {} locations)",
        shown(&d.new.file),
        shown(&d.new.generated_at),
        d.new.locations
    )?;
    for (title, sign, list) in [
        ("appeared", '+', &d.appeared),
        ("disappeared", '-', &d.disappeared),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "\n{title} ({}):", list.len())?;
        for c in list {
            writeln!(
                out,
                "{sign} {}  {}  {}  ({} {}, {} distinct)",
                shown(&c.key.path),
                location(&c.key),
                c.key.kind,
                c.findings,
                if c.findings == 1 {
                    "finding"
                } else {
                    "findings"
                },
                c.distinct
            )?;
        }
    }
    writeln!(out)?;
    if !d.kinds_appeared.is_empty() {
        writeln!(out, "kinds new overall: {}", d.kinds_appeared.join(", "))?;
    }
    if !d.kinds_disappeared.is_empty() {
        writeln!(
            out,
            "kinds gone overall: {}",
            d.kinds_disappeared.join(", ")
        )?;
    }
    writeln!(
        out,
        "{} appeared, {} disappeared, {} unchanged",
        d.appeared.len(),
        d.disappeared.len(),
        d.unchanged
    )
}

/// `column phone`, `sql public.users.phone`, `json /orders/*/phone`,
/// `cdr dst`, `whole file`.
fn location(k: &Key) -> String {
    let label = match k.location_type.as_str() {
        "file" => return "whole file".into(),
        "csv_column" => "column",
        "sql_column" => "sql",
        "json_pointer" => "json",
        "cdr_field" => "cdr",
        other => other,
    };
    format!("{label} {}", shown(&k.location))
}

/// A name as printed to a terminal: quoted and escaped when it holds
/// control characters (an escape sequence in a file name must not drive
/// the terminal) or would be ambiguous (empty, spaces at the ends).
fn shown(s: &str) -> String {
    if s.is_empty() || s.chars().any(char::is_control) || s.trim() != s {
        format!("{s:?}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory(rows: &[(&str, &str, &str, &str, u64)]) -> String {
        let locations: Vec<Value> = rows
            .iter()
            .map(|(path, t, loc, kind, n)| {
                serde_json::json!({"path": path, "location_type": t, "location": loc,
                    "kind": kind, "findings": n, "distinct": n})
            })
            .collect();
        serde_json::json!({"type": DOCUMENT_TYPE, "version": 1,
            "generated_at": "2026-01-15T03:00:00Z", "locations": locations})
        .to_string()
    }

    #[test]
    fn appeared_and_disappeared_by_location_and_kind() {
        let old = InventoryFile::parse(
            &inventory(&[
                ("db.sql", "sql_column", "public.users.phone", "phone", 10),
                ("db.sql", "sql_column", "public.users.note", "email", 1),
                ("old.log", "file", "", "email", 3),
            ]),
            "old.json",
        )
        .unwrap();
        let new = InventoryFile::parse(
            &inventory(&[
                ("db.sql", "sql_column", "public.users.phone", "phone", 12),
                // A new kind in a known column.
                (
                    "db.sql",
                    "sql_column",
                    "public.users.note",
                    "passport_ru",
                    2,
                ),
                ("db.sql", "sql_column", "public.users.note", "email", 1),
                ("crm.csv", "csv_column", "Телефон", "phone", 4),
            ]),
            "new.json",
        )
        .unwrap();
        let d = diff(&old, "old.json", &new, "new.json");
        let keys = |v: &[Change]| -> Vec<(String, String)> {
            v.iter()
                .map(|c| (c.key.path.clone(), c.key.kind.clone()))
                .collect()
        };
        assert_eq!(
            keys(&d.appeared),
            [
                ("crm.csv".to_string(), "phone".to_string()),
                ("db.sql".to_string(), "passport_ru".to_string())
            ]
        );
        assert_eq!(
            keys(&d.disappeared),
            [("old.log".to_string(), "email".to_string())]
        );
        assert_eq!(d.unchanged, 2);
        assert_eq!(d.kinds_appeared, ["passport_ru"]);
        assert!(d.kinds_disappeared.is_empty());
        assert_eq!(d.exit_code(), 1);
        let mut text = Vec::new();
        write_text(&d, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("+ crm.csv  column Телефон  phone  (4 findings, 4 distinct)"));
        assert!(
            text.contains("+ db.sql  sql public.users.note  passport_ru  (2 findings, 2 distinct)")
        );
        assert!(text.contains("- old.log  whole file  email  (3 findings, 3 distinct)"));
        assert!(text.contains("kinds new overall: passport_ru"));
        assert!(text.ends_with("2 appeared, 1 disappeared, 2 unchanged\n"));
        // Only disappearances: exit 0.
        let mut fewer = old.clone();
        fewer.locations.pop_first();
        let d = diff(&old, "old.json", &fewer, "fewer.json");
        assert_eq!((d.appeared.len(), d.disappeared.len()), (0, 1));
        assert_eq!(d.exit_code(), 0);
        let same = diff(&old, "a", &old, "b");
        assert_eq!(same.exit_code(), 0);
        assert_eq!(same.unchanged, 3);
    }

    #[test]
    fn only_inventories_are_accepted() {
        assert!(InventoryFile::parse("{", "x").is_err());
        let jsonl = r#"{"type":"summary","files_scanned":1}"#;
        let e = InventoryFile::parse(jsonl, "x.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a piiscan inventory"), "{e}");
        let future = serde_json::json!({"type": DOCUMENT_TYPE, "version": 99, "locations": []});
        assert!(InventoryFile::parse(&future.to_string(), "x").is_err());
        let broken = serde_json::json!({"type": DOCUMENT_TYPE, "version": 1,
            "locations": [{"path": "a"}]});
        let e = InventoryFile::parse(&broken.to_string(), "x")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("location 1 has no string `location_type`"),
            "{e}"
        );
    }

    #[test]
    fn names_with_control_characters_are_quoted() {
        assert_eq!(shown("a.csv"), "a.csv");
        assert_eq!(shown("a\u{1b}[31m.csv"), "\"a\\u{1b}[31m.csv\"");
        assert_eq!(shown(" x"), "\" x\"");
    }
}
