//! Record linkage: which findings share a record.
//!
//! Owns [`RecordKey`] (the record a finding sits in, from its structured
//! [`Location`]: a CSV row, an SQL table's row, an NDJSON record or the
//! JSON object an array element holds, a CDR record; free text has only
//! its line) and [`Grouper`], which cuts one file's finding stream into
//! records. Findings arrive in file order and records are contiguous in
//! every format piiscan reads, so a record is complete when the next one
//! starts: memory is one record per file in flight, not the file.

use crate::finding::{Finding, Location};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The record a finding belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKey {
    /// Free text: the line (reported, never linked).
    Line(u64),
    /// CSV/TSV data row.
    Row(u64),
    /// SQL dump: table and row within it.
    Sql { table: String, row: u64 },
    /// JSON: NDJSON record number, or the pointer of the array element
    /// (object) that holds the value (`""`: the whole document).
    Json { record: Option<u64>, object: String },
    /// Call log record.
    Cdr(u64),
}

impl RecordKey {
    pub fn of(f: &Finding) -> RecordKey {
        match &f.location {
            None => RecordKey::Line(f.line),
            Some(Location::Table { row, .. }) => RecordKey::Row(*row),
            Some(Location::Sql { table, row, .. }) => RecordKey::Sql {
                table: table.clone(),
                row: *row,
            },
            Some(Location::Json { pointer, record }) => RecordKey::Json {
                record: *record,
                object: if record.is_some() {
                    String::new()
                } else {
                    json_object(pointer).to_string()
                },
            },
            Some(Location::Cdr { record, .. }) => RecordKey::Cdr(*record),
        }
    }

    /// Does `f` sit in this record? The same as `RecordKey::of(f) ==
    /// *self`, without building a key (no allocation per finding).
    pub fn holds(&self, f: &Finding) -> bool {
        match (self, &f.location) {
            (RecordKey::Line(l), None) => *l == f.line,
            (RecordKey::Row(r), Some(Location::Table { row, .. })) => r == row,
            (
                RecordKey::Sql { table, row },
                Some(Location::Sql {
                    table: t, row: r, ..
                }),
            ) => row == r && table == t,
            (
                RecordKey::Json { record, object },
                Some(Location::Json {
                    pointer,
                    record: rec,
                }),
            ) => {
                record == rec
                    && if rec.is_some() {
                        object.is_empty()
                    } else {
                        object == json_object(pointer)
                    }
            }
            (RecordKey::Cdr(r), Some(Location::Cdr { record, .. })) => r == record,
            _ => false,
        }
    }

    /// A structured record: a match in it claims its other fields.
    pub fn structured(&self) -> bool {
        !matches!(self, RecordKey::Line(_))
    }

    /// The record as reports print it.
    pub fn describe(&self) -> Value {
        match self {
            RecordKey::Line(l) => json!({ "line": l }),
            RecordKey::Row(r) => json!({ "row": r }),
            RecordKey::Sql { table, row } => json!({ "table": table, "row": row }),
            RecordKey::Json { record, object } => match record {
                Some(r) => json!({ "record": r }),
                None => json!({ "pointer": object }),
            },
            RecordKey::Cdr(r) => json!({ "record": r }),
        }
    }
}

/// The object a JSON value belongs to: the pointer up to its outermost
/// array index (`/customers/3/address/city` and `/customers/3/phones/1`
/// → `/customers/3`: a list of records holds the records); with no array
/// on the way, the top-level member's object (`/customer/documents/inn`
/// → `/customer`), or the whole document for a top-level value.
fn json_object(pointer: &str) -> &str {
    let mut pos = 0;
    let mut first_end = None;
    let mut segments = 0;
    for seg in pointer.split('/').skip(1) {
        pos += 1 + seg.len();
        segments += 1;
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            return &pointer[..pos];
        }
        first_end.get_or_insert(pos);
    }
    match first_end {
        Some(end) if segments >= 2 => &pointer[..end],
        _ => "",
    }
}

/// Cuts each file's findings into records as they stream in (files
/// interleave; each keeps its own record in flight).
#[derive(Default)]
pub struct Grouper {
    open: HashMap<String, (RecordKey, Vec<Finding>)>,
}

impl Grouper {
    /// Adds one file's findings; `done` receives every record completed.
    /// Records that start and end within `findings` are handed over as
    /// slices of it; only the record still open at its end is copied.
    pub fn add(
        &mut self,
        path: &str,
        findings: &[Finding],
        done: &mut dyn FnMut(&str, &RecordKey, &[Finding]),
    ) {
        let mut i = 0;
        if let Some((k, fs)) = self.open.get_mut(path) {
            while i < findings.len() && k.holds(&findings[i]) {
                fs.push(findings[i].clone());
                i += 1;
            }
            if i == findings.len() {
                return;
            }
            done(path, k, fs);
            self.open.remove(path);
        }
        while i < findings.len() {
            let key = RecordKey::of(&findings[i]);
            let mut j = i + 1;
            while j < findings.len() && key.holds(&findings[j]) {
                j += 1;
            }
            if j == findings.len() {
                self.open
                    .insert(path.to_string(), (key, findings[i..].to_vec()));
                return;
            }
            done(path, &key, &findings[i..j]);
            i = j;
        }
    }

    /// The file is over: its last record is complete.
    pub fn close(&mut self, path: &str, done: &mut dyn FnMut(&str, &RecordKey, &[Finding])) {
        if let Some((k, fs)) = self.open.remove(path) {
            done(path, &k, &fs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64, location: Option<Location>) -> Finding {
        Finding {
            kind: crate::finding::Kind::Phone,
            rule: std::sync::Arc::from("phone.ru"),
            start: 0,
            end: 1,
            line,
            column: 1,
            confidence: 0.9,
            signals: Default::default(),
            masked: Default::default(),
            fingerprint: Default::default(),
            location,
            value: None,
        }
    }

    #[test]
    fn holds_agrees_with_of() {
        let sql = |t: &str, row| Location::Sql {
            table: t.into(),
            column: "c".into(),
            row,
        };
        let json = |p: &str, record| Location::Json {
            pointer: p.into(),
            record,
        };
        let fs = [
            at(1, None),
            at(2, None),
            at(
                1,
                Some(Location::Table {
                    row: 1,
                    column: "a".into(),
                }),
            ),
            at(
                1,
                Some(Location::Table {
                    row: 2,
                    column: "a".into(),
                }),
            ),
            at(1, Some(sql("public.t", 1))),
            at(1, Some(sql("public.u", 1))),
            at(1, Some(json("/a/1/b", None))),
            at(1, Some(json("/a/1/c", None))),
            at(1, Some(json("/a/2/c", None))),
            at(1, Some(json("/x", Some(3)))),
            at(1, Some(json("/y", Some(4)))),
        ];
        for a in &fs {
            for b in &fs {
                let k = RecordKey::of(a);
                assert_eq!(k.holds(b), k == RecordKey::of(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn records_span_batches() {
        let row = |r| {
            at(
                1,
                Some(Location::Table {
                    row: r,
                    column: "a".into(),
                }),
            )
        };
        let mut g = Grouper::default();
        let mut got = Vec::new();
        let mut done = |_: &str, k: &RecordKey, fs: &[Finding]| got.push((k.clone(), fs.len()));
        g.add("f", &[row(1), row(1), row(2)], &mut done);
        g.add("f", &[row(2)], &mut done);
        g.add("f", &[row(2), row(3), row(4)], &mut done);
        g.close("f", &mut done);
        assert_eq!(
            got,
            [
                (RecordKey::Row(1), 2),
                (RecordKey::Row(2), 3),
                (RecordKey::Row(3), 1),
                (RecordKey::Row(4), 1)
            ]
        );
    }

    #[test]
    fn json_objects_are_array_elements() {
        assert_eq!(json_object("/customers/3/address/city"), "/customers/3");
        assert_eq!(json_object("/customers/3/phones/0"), "/customers/3");
        assert_eq!(json_object("/user/email"), "/user");
        assert_eq!(json_object("/customer/documents/inn"), "/customer");
        assert_eq!(json_object("/email"), "");
        assert_eq!(json_object(""), "");
    }
}
