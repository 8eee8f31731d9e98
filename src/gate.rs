//! CI gates: when a run's findings make the exit code 1.
//!
//! Owns `--fail-on KIND[=N]` (parsing, checking the kind, and the verdict
//! over per-kind counts) and the exit-code rule built on it: 2 when any
//! input failed, else 1 when a gate is exceeded (or, with no gate, when
//! anything at or above `--min-confidence` was reported), else 0. It
//! counts nothing itself: `scan` hands it the summary, `merge` the summed
//! summaries.

use crate::finding::Kind;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeMap;

/// One `--fail-on`: exit 1 when `kind` (all kinds for `any`) has more
/// than `max` findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn {
    /// `None` for `any`: the total over all kinds.
    pub kind: Option<Kind>,
    pub max: u64,
}

impl FailOn {
    /// Parses `KIND`, `KIND=N` or `any[=N]`.
    pub fn parse(s: &str) -> Result<FailOn> {
        let (name, max) = match s.split_once('=') {
            Some((k, n)) => (
                k.trim(),
                n.trim()
                    .parse::<u64>()
                    .with_context(|| format!("{s:?}: N must be a whole number"))?,
            ),
            None => (s.trim(), 0),
        };
        if name == "any" {
            return Ok(FailOn { kind: None, max });
        }
        match Kind::from_id(name) {
            Some(kind) => Ok(FailOn {
                kind: Some(kind),
                max,
            }),
            None => bail!("{s:?}: unknown kind {name:?} (a kind id or `any`)"),
        }
    }

    pub fn parse_all(list: &[String]) -> Result<Vec<FailOn>> {
        list.iter().map(|s| FailOn::parse(s)).collect()
    }

    /// Whether these per-kind counts exceed this gate.
    pub fn exceeded(&self, by_kind: &BTreeMap<Kind, u64>) -> bool {
        let n = match self.kind {
            Some(k) => by_kind.get(&k).copied().unwrap_or(0),
            None => by_kind.values().sum(),
        };
        n > self.max
    }
}

/// The process exit code for a run's totals.
pub fn exit_code(
    errored: u64,
    findings: u64,
    by_kind: &BTreeMap<Kind, u64>,
    gates: &[FailOn],
) -> i32 {
    if errored > 0 {
        2
    } else if gates.is_empty() {
        i32::from(findings > 0)
    } else {
        i32::from(gates.iter().any(|g| g.exceeded(by_kind)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(
            FailOn::parse("card").unwrap(),
            FailOn {
                kind: Some(Kind::Card),
                max: 0
            }
        );
        assert_eq!(
            FailOn::parse("email=10").unwrap(),
            FailOn {
                kind: Some(Kind::Email),
                max: 10
            }
        );
        assert_eq!(FailOn::parse("any=3").unwrap().kind, None);
        assert!(FailOn::parse("emial").is_err());
        assert!(FailOn::parse("email=x").is_err());
        assert!(FailOn::parse("email=-1").is_err());
    }

    #[test]
    fn verdicts() {
        let counts: BTreeMap<Kind, u64> = [(Kind::Email, 3), (Kind::Phone, 1)].into();
        let gate = |s: &str| vec![FailOn::parse(s).unwrap()];
        assert_eq!(exit_code(0, 4, &counts, &[]), 1);
        assert_eq!(exit_code(0, 0, &BTreeMap::new(), &[]), 0);
        assert_eq!(exit_code(1, 4, &counts, &[]), 2);
        assert_eq!(exit_code(0, 4, &counts, &gate("card")), 0);
        assert_eq!(exit_code(0, 4, &counts, &gate("email=3")), 0);
        assert_eq!(exit_code(0, 4, &counts, &gate("email=2")), 1);
        assert_eq!(exit_code(0, 4, &counts, &gate("any=3")), 1);
        let both = [
            FailOn::parse("card").unwrap(),
            FailOn::parse("phone").unwrap(),
        ];
        assert_eq!(exit_code(0, 4, &counts, &both), 1);
    }
}
