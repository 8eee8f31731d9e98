//! Accuracy evaluation: a seeded, labelled synthetic corpus and a scorer.
//!
//! Owns the corpus generator ([`corpus`]; not `gen`, a reserved word in
//! edition 2024) with its value builders ([`values`]) and PRNG ([`rng`]),
//! the small hand-made fixtures ([`fixtures`]), the label format
//! ([`Label`], `labels.jsonl`) and the
//! scorer ([`score`]). It does not scan anything: the examples
//! `gen_corpus` / `eval` and the `scripts/eval` driver run the real binary
//! in between, so what is measured is exactly what users run.
//!
//! All data is synthetic: reserved or test-looking phone ranges,
//! `example.*`/`.test` mail domains, documentation IP ranges, and
//! identifiers made checksum-valid with the crate's own validators.
//!
//! ```no_run
//! use piiscan::eval::{corpus, read_labels, score};
//! let labels = corpus::generate(1, 2 << 20, "eval-corpus".as_ref())?;
//! // ... run `piiscan scan eval-corpus --format jsonl > findings.jsonl` ...
//! let file = std::io::BufReader::new(std::fs::File::open("findings.jsonl")?);
//! let mut scan = score::parse_scan_output(file)?;
//! score::relativize(&mut scan.findings, "eval-corpus".as_ref());
//! println!("{}", score::score(&labels, &scan).to_markdown());
//! # assert_eq!(labels.len(), read_labels("eval-corpus/labels.jsonl".as_ref())?.len());
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod corpus;
pub mod fixtures;
pub mod kinds;
pub mod rng;
pub mod score;
pub mod values;

use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Kind;

/// One planted value: `bytes[start..end]` of the file at `path` (relative
/// to the corpus root, `/`-separated) is exactly the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub path: String,
    #[serde(with = "kind_id")]
    pub kind: Kind,
    pub start: u64,
    pub end: u64,
}

/// Labels travel as the stable kind id strings of DESIGN.md §4.
mod kind_id {
    use super::Kind;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(k: &Kind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        let id = String::deserialize(d)?;
        Kind::from_id(&id).ok_or_else(|| D::Error::custom(format!("unknown kind id {id:?}")))
    }
}

/// The label file's name inside a generated corpus.
pub const LABELS_FILE: &str = "labels.jsonl";

/// Writes labels as JSON lines.
pub fn write_labels(path: &Path, labels: &[Label]) -> io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    for l in labels {
        serde_json::to_writer(&mut w, l)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// Reads a `labels.jsonl`; a malformed line is an error naming the line.
pub fn read_labels(path: &Path) -> io::Result<Vec<Label>> {
    let r = io::BufReader::new(std::fs::File::open(path)?);
    let mut out = Vec::new();
    for (i, line) in r.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let l = serde_json::from_str(&line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}:{}: {e}", path.display(), i + 1),
            )
        })?;
        out.push(l);
    }
    Ok(out)
}

/// Parses a byte size like `200M`, `2m`, `512K`, `1G` or `12345`
/// (binary multiples: `M` is 2^20).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (&s[..i], 1u64 << 10),
        (i, 'm' | 'M') => (&s[..i], 1 << 20),
        (i, 'g' | 'G') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_as_kind_ids() {
        let l = Label {
            path: "logs/app_000.log".into(),
            kind: Kind::BankAccount,
            start: 3,
            end: 23,
        };
        let s = serde_json::to_string(&l).unwrap();
        assert_eq!(
            s,
            r#"{"path":"logs/app_000.log","kind":"bank_account","start":3,"end":23}"#
        );
        assert_eq!(serde_json::from_str::<Label>(&s).unwrap(), l);
        assert!(
            serde_json::from_str::<Label>(r#"{"path":"a","kind":"nope","start":0,"end":1}"#)
                .is_err()
        );
    }

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("200M"), Some(200 << 20));
        assert_eq!(parse_size("2m"), Some(2 << 20));
        assert_eq!(parse_size("512K"), Some(512 << 10));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("1234"), Some(1234));
        assert_eq!(parse_size("M"), None);
        assert_eq!(parse_size("x2"), None);
    }
}
