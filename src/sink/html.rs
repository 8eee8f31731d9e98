//! `--html FILE`: one self-contained HTML inventory report for people (a
//! privacy officer opening it in a browser): totals by kind, the largest
//! locations, a sortable, filterable, paged table of every location,
//! coverage and scan parameters. Masked samples only.
//!
//! Owns the rendering of a [`Report`] into the template `report.html`
//! (compiled in) and the atomic write of the file. The page loads nothing:
//! styles and script are inline, the charts are HTML and inline SVG, and a
//! Content-Security-Policy with a per-report nonce forbids every network
//! request and every script but ours.
//!
//! The data travels as one JSON blob in a `<script type="application/json">`
//! element; the page's script draws the rows from it (a page at a time, so
//! 10,000 locations stay responsive) with `textContent`, never markup.
//! Inside the blob `<`, `>` and `&` are written as `\u003c`-style escapes,
//! so no file or column name (`</script>`, `<img onerror=…>`) can end the
//! element or add a tag.

use super::Sink;
use crate::app::{FileResult, Summary};
use crate::inventory::{EXACT_DISTINCT_CAP, Inventory, LocationType, Report, ReportMeta};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The page, with `/*__PIISCAN_DATA__*/` and `__PIISCAN_NONCE__` to fill.
const TEMPLATE: &str = include_str!("report.html");
const DATA_SLOT: &str = "/*__PIISCAN_DATA__*/";
const NONCE_SLOT: &str = "__PIISCAN_NONCE__";

/// Aggregates the scan and writes the HTML report when it finishes.
///
/// The file is created up front as a temporary file (mode 0600) beside the
/// target, so an unwritable destination fails before the walk; at the end
/// it is filled, synced and renamed over the target, so a crash or an
/// interrupted scan never leaves a half-written report.
pub struct HtmlSink {
    inventory: Inventory,
    meta: ReportMeta,
    target: PathBuf,
    tmp: Option<tempfile::NamedTempFile>,
}

impl HtmlSink {
    pub fn create(target: &Path, meta: ReportMeta) -> io::Result<HtmlSink> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".piiscan-report.")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        #[cfg(unix)]
        {
            // tempfile creates 0600 already; say so explicitly, since the
            // report names where personal data lives.
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(HtmlSink {
            inventory: Inventory::new(),
            meta,
            target: target.to_path_buf(),
            tmp: Some(tmp),
        })
    }
}

impl Sink for HtmlSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        self.inventory.add(r);
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        let report = self.inventory.report(&self.meta, s);
        {
            let mut w = BufWriter::new(tmp.as_file());
            write(&report, &nonce(), &mut w)?;
            w.flush()?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }
}

/// A fresh CSP nonce: 128 random bits, hex.
fn nonce() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
        b.copy_from_slice(&blake3::hash(seed.as_bytes()).as_bytes()[..16]);
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Writes the page for `report` with `nonce` in its CSP.
pub fn write(report: &Report, nonce: &str, out: &mut dyn Write) -> io::Result<()> {
    let (head, tail) = TEMPLATE.split_once(DATA_SLOT).unwrap_or((TEMPLATE, ""));
    // The nonce goes in before the data, so nothing in the data is ever
    // taken for a slot.
    out.write_all(head.replace(NONCE_SLOT, nonce).as_bytes())?;
    out.write_all(script_safe(&data_json(report)).as_bytes())?;
    out.write_all(tail.replace(NONCE_SLOT, nonce).as_bytes())
}

/// The page for `report` as a string (tests).
pub fn render(report: &Report, nonce: &str) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write(report, nonce, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// JSON text made safe inside a `<script>` element: `<`, `>`, `&` and the
/// JavaScript line separators become `\u` escapes. In JSON these characters
/// only occur inside strings, where the escapes mean the same.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// One table row as an array (compact for 10,000 rows): path index, type
/// index, location, kind, findings, distinct, exact (0/1), max and mean
/// confidence, samples, first line, first row.
type Row<'a> = (
    usize,
    usize,
    &'a str,
    &'a str,
    u64,
    u64,
    u8,
    f64,
    f64,
    &'a [String],
    u64,
    Option<u64>,
);

#[derive(Serialize)]
struct Data<'a> {
    generated_at: &'a str,
    piiscan_version: &'static str,
    parameters: &'a serde_json::Map<String, serde_json::Value>,
    summary: serde_json::Value,
    kinds: Vec<crate::inventory::KindTotal>,
    not_scanned: &'a [crate::inventory::NotScanned],
    not_scanned_total: u64,
    exact_distinct_cap: usize,
    location_types: Vec<&'static str>,
    paths: Vec<&'a str>,
    rows: Vec<Row<'a>>,
}

fn data_json(report: &Report) -> String {
    let mut paths: Vec<&str> = Vec::new();
    let mut path_index: HashMap<&str, usize> = HashMap::new();
    let rows = report
        .locations
        .iter()
        .map(|l| {
            let p = *path_index.entry(l.path.as_str()).or_insert_with(|| {
                paths.push(l.path.as_str());
                paths.len() - 1
            });
            let t = LocationType::ALL
                .iter()
                .position(|t| *t == l.location_type)
                .unwrap_or(0);
            (
                p,
                t,
                l.location.as_str(),
                l.kind.as_str(),
                l.findings,
                l.distinct,
                u8::from(l.distinct_exact),
                l.max_confidence,
                l.mean_confidence,
                l.samples.as_slice(),
                l.first_line,
                l.first_row,
            )
        })
        .collect();
    let data = Data {
        generated_at: &report.meta.generated_at,
        piiscan_version: env!("CARGO_PKG_VERSION"),
        parameters: &report.meta.parameters,
        summary: report.summary_json(),
        kinds: report.kinds(),
        not_scanned: &report.not_scanned,
        not_scanned_total: report.not_scanned_total,
        exact_distinct_cap: EXACT_DISTINCT_CAP,
        location_types: LocationType::ALL.iter().map(|t| t.id()).collect(),
        paths,
        rows,
    };
    serde_json::to_string(&data).unwrap_or_else(|_| "null".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{FileStatus, Summary};
    use crate::finding::{Kind, Location};
    use crate::inventory::tests::{finding, result};

    const EVIL: &str = "</script><img src=x onerror=\"document.title='PWNED'\"><!--";

    fn report() -> Report {
        let mut inv = Inventory::new();
        let mut summary = Summary::default();
        let results = [
            result(
                &format!("dir/{EVIL}.csv"),
                vec![finding(
                    Kind::Phone,
                    "+7 900 000-00-01",
                    Some(Location::Table {
                        row: 1,
                        column: EVIL.into(),
                    }),
                    2,
                )],
            ),
            FileResult {
                path: "locked \u{2028}<b>.csv".into(),
                status: FileStatus::Error(format!("permission denied {EVIL}")),
                bytes: 0,
                findings: Vec::new(),
            },
        ];
        for r in &results {
            inv.add(r);
            summary.add(r);
        }
        let meta = ReportMeta {
            generated_at: "2026-01-15T10:00:00Z".into(),
            parameters: [("paths".to_string(), serde_json::json!([EVIL]))]
                .into_iter()
                .collect(),
        };
        inv.report(&meta, &summary)
    }

    #[test]
    fn names_from_the_data_cannot_leave_the_data_block() {
        let page = render(&report(), "n0nce");
        // Only the template's own tags: two script elements, no <img>, no
        // comment opened by the data.
        assert_eq!(page.matches("</script").count(), 2);
        assert_eq!(
            page.matches("<script").count(),
            2,
            "a data value opened a script"
        );
        assert!(!page.contains("<img"));
        assert!(!page.contains("<!--"));
        assert!(!page.contains('\u{2028}'));
        // The data block parses back to the same names.
        let start = page.find(r#"id="piiscan-data">"#).unwrap() + r#"id="piiscan-data">"#.len();
        let end = start + page[start..].find("</script>").unwrap();
        let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(data["rows"][0][2], EVIL);
        assert_eq!(data["paths"][0], format!("dir/{EVIL}.csv"));
        assert_eq!(data["not_scanned"][0]["path"], "locked \u{2028}<b>.csv");
        assert_eq!(data["parameters"]["paths"][0], EVIL);
        assert_eq!(data["rows"][0][9][0], "+7 *** ***-**-01");
    }

    #[test]
    fn the_page_is_self_contained() {
        let page = render(&report(), "n0nce");
        assert!(!page.contains(NONCE_SLOT));
        assert!(!page.contains(DATA_SLOT));
        assert_eq!(page.matches("nonce-n0nce").count(), 2);
        assert!(page.contains("default-src 'none'"));
        for external in [
            "http://", "https://", "src=\"", "href=\"", "@import", "url(",
        ] {
            let hits: Vec<_> = page
                .match_indices(external)
                .map(|(i, _)| &page[i..(i + 60).min(page.len())])
                // The SVG namespace is an identifier, not a request.
                .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
                .collect();
            assert!(hits.is_empty(), "{external}: {hits:?}");
        }
        assert!(!page.contains("innerHTML"));
        assert!(!page.contains("insertAdjacentHTML"));
        assert!(!page.contains("document.write"));
        assert!(!page.contains("900 000-00-01"));
    }

    #[test]
    fn the_nonce_is_fresh_hex() {
        let (a, b) = (nonce(), nonce());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
