//! `--format markdown`: a compact inventory summary for CI job pages and
//! pull-request comments (totals by kind, the top locations, coverage).
//! The full map is `inventory-json` / `--html`; this one fits a screen.
//!
//! Everything taken from the scanned data (paths, column names, JSON keys,
//! error messages) is escaped, so a file called `<img onerror=…>` or
//! `a|b` cannot add markup or break a table.

use crate::inventory::{LocationRow, LocationType, Report};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Locations listed under "Top locations".
pub const TOP: usize = 10;
/// Files listed under "Not scanned".
pub const NOT_SCANNED_SHOWN: usize = 10;

/// Writes the markdown summary of `report`.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report).as_bytes())
}

/// The markdown summary as a string.
pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let skipped: u64 = s.files_skipped.values().sum();
    let kinds = report.kinds();
    let mut m = String::new();
    // `write!` into a String cannot fail.
    let _ = writeln!(m, "## Personal data inventory (piiscan)\n");
    if report.locations.is_empty() {
        let _ = writeln!(m, "No personal data found.\n");
    } else {
        let _ = writeln!(
            m,
            "**{} findings** of **{} {}** in **{} locations** across **{} {}**.\n",
            s.findings,
            kinds.len(),
            plural(kinds.len() as u64, "kind", "kinds"),
            report.locations.len(),
            report.sources(),
            plural(report.sources() as u64, "source", "sources"),
        );
        let _ = writeln!(m, "### By kind\n");
        let _ = writeln!(
            m,
            "| kind | findings | distinct values | locations | sources |"
        );
        let _ = writeln!(m, "|---|---:|---:|---:|---:|");
        for k in &kinds {
            let _ = writeln!(
                m,
                "| `{}` | {} | {} | {} | {} |",
                k.kind, k.findings, k.distinct, k.locations, k.sources
            );
        }
        let _ = writeln!(m, "\n### Top locations\n");
        let _ = writeln!(
            m,
            "| source | location | kind | findings | distinct | max confidence |"
        );
        let _ = writeln!(m, "|---|---|---|---:|---:|---:|");
        for l in report.top_locations(TOP) {
            let distinct = if l.distinct_exact {
                l.distinct.to_string()
            } else {
                format!("≈{}", l.distinct)
            };
            let _ = writeln!(
                m,
                "| {} | {} | `{}` | {} | {} | {:.2} |",
                escape(&l.path),
                location(l),
                l.kind,
                l.findings,
                distinct,
                l.max_confidence
            );
        }
        if report.locations.len() > TOP {
            let _ = writeln!(
                m,
                "\n…and {} more locations (see `--format inventory-json` or `--html`).",
                report.locations.len() - TOP
            );
        }
        let _ = writeln!(m);
    }
    let _ = writeln!(m, "### Coverage\n");
    let _ = writeln!(
        m,
        "{} {} scanned ({}), {} skipped, {} with errors; {:.2} s.",
        s.files_scanned,
        plural(s.files_scanned, "file", "files"),
        human_bytes(s.bytes_scanned),
        skipped,
        s.files_errored,
        s.elapsed.as_secs_f64()
    );
    if skipped > 0 {
        let reasons: Vec<String> = s
            .files_skipped
            .iter()
            .map(|(r, n)| format!("{} {n}", escape(r)))
            .collect();
        let _ = writeln!(m, "Skipped: {}.", reasons.join(", "));
    }
    if !report.not_scanned.is_empty() {
        let _ = writeln!(m, "\n| not scanned | status | reason |\n|---|---|---|");
        for n in report.not_scanned.iter().take(NOT_SCANNED_SHOWN) {
            let _ = writeln!(
                m,
                "| {} | {} | {} |",
                escape(&n.path),
                n.status,
                escape(&n.reason)
            );
        }
        let more = report
            .not_scanned_total
            .saturating_sub(NOT_SCANNED_SHOWN as u64);
        if more > 0 {
            let _ = writeln!(m, "\n…and {more} more.");
        }
    }
    if !s.fingerprints_stable {
        let _ = writeln!(
            m,
            "\nFingerprints used a per-run key: distinct counts are exact, but runs cannot be joined (set `PIISCAN_KEY` or `--key-file`)."
        );
    }
    let _ = writeln!(
        m,
        "\n<sub>piiscan {} · {} · masked values only</sub>",
        env!("CARGO_PKG_VERSION"),
        escape(&report.meta.generated_at)
    );
    m
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// The location cell: what it is and its name.
fn location(l: &LocationRow) -> String {
    match l.location_type {
        LocationType::File => "whole file".into(),
        LocationType::CsvColumn => format!("{} (CSV column)", escape(&l.location)),
        LocationType::SqlColumn => format!("{} (SQL column)", escape(&l.location)),
        LocationType::JsonPointer => format!("{} (JSON field)", escape(&l.location)),
        LocationType::CdrField => format!("{} (CDR field)", escape(&l.location)),
    }
}

/// Escapes text for a GFM table cell: every character markdown could read
/// as markup gets a backslash (CommonMark allows one before any ASCII
/// punctuation), `&` cannot start an entity, line breaks become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '$' | '{'
            | '}' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `6.3 kB`, `1.2 MB`: decimal units, like the summary's MB.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{FileResult, FileStatus, Summary};
    use crate::finding::{Kind, Location};
    use crate::inventory::tests::{finding, result};
    use crate::inventory::{Inventory, ReportMeta};

    fn report(results: &[FileResult]) -> Report {
        let mut inv = Inventory::new();
        let mut summary = Summary::default();
        for r in results {
            inv.add(r);
            summary.add(r);
        }
        let meta = ReportMeta {
            generated_at: "2026-01-15T10:00:00Z".into(),
            parameters: Default::default(),
        };
        inv.report(&meta, &summary)
    }

    #[test]
    fn summary_lists_kinds_top_locations_and_coverage() {
        let csv = |row| {
            Some(Location::Table {
                row,
                column: "a|b <img src=x onerror=alert(1)>".into(),
            })
        };
        let r = report(&[
            result(
                "x.csv",
                vec![
                    finding(Kind::Phone, "+7 900 000-00-01", csv(1), 2),
                    finding(Kind::Phone, "+7 900 000-00-02", csv(2), 3),
                ],
            ),
            result(
                "notes.txt",
                vec![finding(Kind::Email, "a@example.com", None, 1)],
            ),
            FileResult {
                path: "locked_*file*.csv".into(),
                status: FileStatus::Error("permission denied".into()),
                bytes: 0,
                findings: Vec::new(),
            },
        ]);
        let md = render(&r);
        assert!(
            md.contains("**3 findings** of **2 kinds** in **2 locations** across **2 sources**")
        );
        assert!(md.contains("| `phone` | 2 | 2 | 1 | 1 |"), "{md}");
        assert!(md.contains(
            "| x.csv | a\\|b \\<img src=x onerror=alert\\(1\\)\\> (CSV column) | `phone` | 2 | 2 | 0.90 |"
        ));
        assert!(md.contains("| notes.txt | whole file | `email` | 1 | 1 | 0.90 |"));
        assert!(md.contains("| locked\\_\\*file\\*.csv | error | permission denied |"));
        assert!(
            md.contains("2 files scanned (200 B), 0 skipped, 1 with errors"),
            "{md}"
        );
        // Every `<` from the data is escaped; the only tags are ours.
        let unescaped = md
            .match_indices('<')
            .filter(|(i, _)| !md[..*i].ends_with('\\'))
            .filter(|(i, _)| !md[*i..].starts_with("<sub>") && !md[*i..].starts_with("</sub>"))
            .count();
        assert_eq!(unescaped, 0, "{md}");
        assert!(!md.contains("900 000-00-01"));
    }

    #[test]
    fn nothing_found_says_so() {
        let r = report(&[result("clean.txt", Vec::new())]);
        let md = render(&r);
        assert!(md.contains("No personal data found."));
        assert!(md.contains("1 file scanned"));
    }

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(6289), "6.3 kB");
        assert_eq!(human_bytes(1_250_000_000), "1.2 GB");
    }
}
