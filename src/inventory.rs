//! The inventory: findings aggregated by source × location × kind, the map
//! a data protection officer needs (which file, table column, CSV column,
//! JSON field or call-log field holds which kind of personal data, how
//! much, how sure).
//!
//! Owns the aggregation ([`Inventory`]), its result ([`Report`]), the
//! location keys (one per [`Location`] variant, JSON array indices
//! collapsed to `*`), distinct-value counting (exact, then a
//! [`HyperLogLog`] sketch), the report
//! metadata ([`ReportMeta`]) and the `inventory-json` / `inventory-csv`
//! renderings with their sink ([`InventorySink`]). The markdown and HTML
//! renderings live in `sink::markdown` and `sink::html`; `diff` reads the
//! JSON back.
//!
//! Memory grows with the number of locations, never with the number of
//! findings: per location a count, a confidence sum and maximum, three
//! masked samples, and the distinct-value counter — exact (a set of 64-bit
//! fingerprint prefixes) up to [`EXACT_DISTINCT_CAP`] values, then a
//! HyperLogLog sketch of 16 KiB (typical error ±0.8 %), flagged
//! `distinct_exact: false`. The list of files that were not scanned is
//! kept up to [`NOT_SCANNED_LISTED`] entries; the counts stay exact.
//!
//! Reports never carry raw values: only `Finding::masked` is kept, even
//! when the scan ran with `--show-values`.

use crate::app::{FileResult, FileStatus, Summary};
use crate::finding::{Finding, Location};
use crate::sink::{Sink, round2, summary_json};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Write};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Distinct values counted exactly per location; beyond, an estimate.
pub const EXACT_DISTINCT_CAP: usize = 100_000;
/// Masked samples kept per location.
pub const SAMPLES: usize = 3;
/// Skipped / errored files listed by path (all are counted).
pub const NOT_SCANNED_LISTED: usize = 1_000;
/// `version` of the inventory JSON document.
pub const FORMAT_VERSION: u64 = 1;
/// `type` of the inventory JSON document.
pub const DOCUMENT_TYPE: &str = "piiscan_inventory";

/// What kind of place inside a source a location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationType {
    /// Free text: the whole file is the location.
    File,
    /// A CSV/TSV column (header name, or its 1-based index without one).
    CsvColumn,
    /// `table.column` of a SQL dump.
    SqlColumn,
    /// A JSON / NDJSON field, array indices collapsed: `/orders/*/phone`.
    JsonPointer,
    /// A call-log (CDR) field.
    CdrField,
}

impl LocationType {
    pub const ALL: [LocationType; 5] = [
        LocationType::File,
        LocationType::CsvColumn,
        LocationType::SqlColumn,
        LocationType::JsonPointer,
        LocationType::CdrField,
    ];

    pub fn id(self) -> &'static str {
        match self {
            LocationType::File => "file",
            LocationType::CsvColumn => "csv_column",
            LocationType::SqlColumn => "sql_column",
            LocationType::JsonPointer => "json_pointer",
            LocationType::CdrField => "cdr_field",
        }
    }

    pub fn from_id(id: &str) -> Option<LocationType> {
        LocationType::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The type of a finding's location (`None`: free text).
    pub fn of(location: Option<&Location>) -> LocationType {
        match location {
            None => LocationType::File,
            Some(Location::Table { .. }) => LocationType::CsvColumn,
            Some(Location::Sql { .. }) => LocationType::SqlColumn,
            Some(Location::Json { .. }) => LocationType::JsonPointer,
            Some(Location::Cdr { .. }) => LocationType::CdrField,
        }
    }
}

/// Appends the location key of a finding's location: `""` for a whole
/// file, the column for CSV, `table.column` for SQL, the collapsed pointer
/// for JSON, the field for a CDR.
pub fn push_location_key(out: &mut String, location: Option<&Location>) {
    match location {
        None => {}
        Some(Location::Table { column, .. }) => out.push_str(column),
        Some(Location::Sql { table, column, .. }) => {
            out.push_str(table);
            out.push('.');
            out.push_str(column);
        }
        Some(Location::Json { pointer, .. }) => push_collapsed_pointer(out, pointer),
        Some(Location::Cdr { field, .. }) => out.push_str(field),
    }
}

/// Appends an RFC 6901 pointer with its array indices replaced by `*`, so
/// `/orders/0/phone` and `/orders/1/phone` are one location. A segment is
/// taken for an index when it has the RFC's index form (`0` or digits
/// without a leading zero): an object key made only of such digits (a map
/// keyed by ids or years) collapses too, which groups it the same useful
/// way.
pub fn push_collapsed_pointer(out: &mut String, pointer: &str) {
    for (i, segment) in pointer.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if i > 0 && is_array_index(segment) {
            out.push('*');
        } else {
            out.push_str(segment);
        }
    }
}

fn is_array_index(segment: &str) -> bool {
    let b = segment.as_bytes();
    match b {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        _ => b.iter().all(u8::is_ascii_digit),
    }
}

/// The row-like position of a finding: CSV data row, SQL row, NDJSON
/// record or CDR record (`None` for free text and JSON documents).
fn row_of(location: Option<&Location>) -> Option<u64> {
    match location? {
        Location::Table { row, .. } => Some(*row),
        Location::Sql { row, .. } => Some(*row),
        Location::Json { record, .. } => *record,
        Location::Cdr { record, .. } => Some(*record),
    }
}

/// A 64-bit value from a fingerprint for distinct counting: its first 16
/// hex digits (fingerprints are keyed BLAKE3 output, so these bits are
/// uniform; at 100,000 values per location a collision has a chance of
/// about 3·10⁻¹⁰).
fn fingerprint_bits(fingerprint: &str) -> u64 {
    match fingerprint
        .get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
    {
        Some(v) => v,
        None => {
            // Not our hex format (cannot happen for engine findings): hash
            // it, with fixed keys so runs agree.
            let mut h = std::hash::DefaultHasher::new();
            h.write(fingerprint.as_bytes());
            h.finish()
        }
    }
}

/// Passes fingerprint bits through: they are already uniformly random, so
/// hashing them again would only cost time on every finding.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type FingerprintSet = HashSet<u64, BuildHasherDefault<PassThrough>>;

/// Distinct values of one location: exact up to [`EXACT_DISTINCT_CAP`],
/// then a HyperLogLog estimate.
#[derive(Debug, Clone)]
enum Distinct {
    Exact(FingerprintSet),
    Estimate(Box<HyperLogLog>),
}

impl Default for Distinct {
    fn default() -> Distinct {
        Distinct::Exact(FingerprintSet::default())
    }
}

impl Distinct {
    /// Counts `bits`; true when it was certainly not seen before (only
    /// known while counting exactly).
    fn insert(&mut self, bits: u64) -> bool {
        self.insert_capped(bits, EXACT_DISTINCT_CAP)
    }

    fn insert_capped(&mut self, bits: u64, cap: usize) -> bool {
        match self {
            Distinct::Exact(set) => {
                if set.len() < cap || set.contains(&bits) {
                    return set.insert(bits);
                }
                let mut sketch = Box::new(HyperLogLog::new());
                for &v in set.iter() {
                    sketch.add(v);
                }
                sketch.add(bits);
                *self = Distinct::Estimate(sketch);
                true
            }
            Distinct::Estimate(sketch) => {
                sketch.add(bits);
                false
            }
        }
    }

    /// The count and whether it is exact.
    fn count(&self) -> (u64, bool) {
        match self {
            Distinct::Exact(set) => (set.len() as u64, true),
            Distinct::Estimate(sketch) => (sketch.estimate(), false),
        }
    }
}

const HLL_P: u32 = 14;
const HLL_M: usize = 1 << HLL_P;

/// A HyperLogLog sketch with 2¹⁴ one-byte registers (16 KiB; standard
/// error 1.04/√m ≈ 0.81 %), fed with the fingerprint bits directly.
#[derive(Clone)]
pub struct HyperLogLog {
    registers: Vec<u8>,
}

impl std::fmt::Debug for HyperLogLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperLogLog")
            .field("estimate", &self.estimate())
            .finish()
    }
}

impl Default for HyperLogLog {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperLogLog {
    pub fn new() -> HyperLogLog {
        HyperLogLog {
            registers: vec![0; HLL_M],
        }
    }

    pub fn add(&mut self, bits: u64) {
        let index = (bits >> (64 - HLL_P)) as usize;
        let rest = bits << HLL_P;
        let rank = (rest.leading_zeros() + 1).min(64 - HLL_P + 1) as u8;
        if let Some(r) = self.registers.get_mut(index)
            && rank > *r
        {
            *r = rank;
        }
    }

    pub fn estimate(&self) -> u64 {
        let m = HLL_M as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let (sum, zeros) = self.registers.iter().fold((0.0f64, 0usize), |(s, z), &r| {
            (s + 2f64.powi(-(r as i32)), z + usize::from(r == 0))
        });
        let raw = alpha * m * m / sum;
        let est = if raw <= 2.5 * m && zeros > 0 {
            // Small range: linear counting is the better estimator.
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        est.round() as u64
    }
}

/// Aggregates of one source × location × kind while the scan runs.
#[derive(Debug, Clone)]
struct Stats {
    path: Arc<str>,
    kind: &'static str,
    location_type: LocationType,
    location: Box<str>,
    /// SQL only: the table and column apart (both may contain dots).
    table_column: Option<(Box<str>, Box<str>)>,
    findings: u64,
    confidence_sum: f64,
    confidence_max: f32,
    distinct: Distinct,
    samples: Vec<Box<str>>,
    first_line: u64,
    first_row: Option<u64>,
}

impl Stats {
    fn add(&mut self, f: &Finding) {
        self.findings += 1;
        self.confidence_sum += f.confidence as f64;
        if f.confidence > self.confidence_max {
            self.confidence_max = f.confidence;
        }
        let new_value = self.distinct.insert(fingerprint_bits(&f.fingerprint));
        // Samples are distinct values, shown masked only.
        if new_value
            && self.samples.len() < SAMPLES
            && !self.samples.iter().any(|s| **s == *f.masked)
        {
            self.samples.push(f.masked.as_str().into());
        }
    }
}

/// A file that was not scanned (or not completely), with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotScanned {
    pub path: String,
    /// `skipped` or `error`.
    pub status: &'static str,
    pub reason: String,
}

/// The aggregation: feed it every [`FileResult`], then take the [`Report`].
#[derive(Debug, Default)]
pub struct Inventory {
    index: HashMap<Box<str>, usize>,
    stats: Vec<Stats>,
    /// Reused to build the look-up key of each finding without allocating.
    key: String,
    last_path: Option<Arc<str>>,
    not_scanned: Vec<NotScanned>,
    not_scanned_total: u64,
}

impl Inventory {
    pub fn new() -> Inventory {
        Inventory::default()
    }

    /// Adds one per-file result (a `Partial` batch or a final result).
    pub fn add(&mut self, r: &FileResult) {
        if !r.findings.is_empty() {
            let path = match &self.last_path {
                Some(p) if **p == *r.path => p.clone(),
                _ => {
                    let p: Arc<str> = Arc::from(r.path.as_str());
                    self.last_path = Some(p.clone());
                    p
                }
            };
            for f in &r.findings {
                self.add_finding(&path, f);
            }
        }
        let (status, reason) = match &r.status {
            FileStatus::Skipped(reason) => ("skipped", reason),
            FileStatus::Error(message) => ("error", message),
            FileStatus::Scanned | FileStatus::Partial => return,
        };
        self.not_scanned_total += 1;
        if self.not_scanned.len() < NOT_SCANNED_LISTED {
            self.not_scanned.push(NotScanned {
                path: r.path.clone(),
                status,
                reason: reason.clone(),
            });
        }
    }

    fn add_finding(&mut self, path: &Arc<str>, f: &Finding) {
        let location_type = LocationType::of(f.location.as_ref());
        // Path, kind and type cannot contain NUL, so the key is unambiguous
        // with the location (which might) last.
        self.key.clear();
        self.key.push_str(path);
        self.key.push('\0');
        self.key.push_str(f.kind.id());
        self.key.push('\0');
        self.key.push_str(location_type.id());
        self.key.push('\0');
        let location_start = self.key.len();
        push_location_key(&mut self.key, f.location.as_ref());
        let i = match self.index.get(self.key.as_str()) {
            Some(&i) => i,
            None => {
                let table_column = match &f.location {
                    Some(Location::Sql { table, column, .. }) => {
                        Some((table.as_str().into(), column.as_str().into()))
                    }
                    _ => None,
                };
                self.stats.push(Stats {
                    path: path.clone(),
                    kind: f.kind.id(),
                    location_type,
                    location: self.key[location_start..].into(),
                    table_column,
                    findings: 0,
                    confidence_sum: 0.0,
                    confidence_max: 0.0,
                    distinct: Distinct::default(),
                    samples: Vec::new(),
                    first_line: f.line,
                    first_row: row_of(f.location.as_ref()),
                });
                let i = self.stats.len() - 1;
                self.index.insert(self.key.as_str().into(), i);
                i
            }
        };
        if let Some(s) = self.stats.get_mut(i) {
            s.add(f);
        }
    }

    /// Number of locations so far.
    pub fn len(&self) -> usize {
        self.stats.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stats.is_empty()
    }

    /// The finished inventory, locations sorted by path, location type,
    /// location and kind.
    pub fn report(&mut self, meta: &ReportMeta, summary: &Summary) -> Report {
        let mut stats = std::mem::take(&mut self.stats);
        self.index.clear();
        stats.sort_by(|a, b| {
            (&a.path, a.location_type, &a.location, a.kind).cmp(&(
                &b.path,
                b.location_type,
                &b.location,
                b.kind,
            ))
        });
        let locations = stats
            .into_iter()
            .map(|s| {
                let (distinct, distinct_exact) = s.distinct.count();
                let (table, column) = match s.table_column {
                    Some((t, c)) => (Some(t.into()), Some(c.into())),
                    None => (None, None),
                };
                LocationRow {
                    path: s.path.to_string(),
                    location_type: s.location_type,
                    location: s.location.into(),
                    table,
                    column,
                    kind: s.kind.to_string(),
                    findings: s.findings,
                    distinct,
                    distinct_exact,
                    max_confidence: round2(s.confidence_max),
                    mean_confidence: (s.confidence_sum / s.findings.max(1) as f64 * 100.0).round()
                        / 100.0,
                    samples: s.samples.into_iter().map(String::from).collect(),
                    first_line: s.first_line,
                    first_row: s.first_row,
                }
            })
            .collect();
        Report {
            meta: meta.clone(),
            summary: summary.clone(),
            locations,
            not_scanned: std::mem::take(&mut self.not_scanned),
            not_scanned_total: self.not_scanned_total,
        }
    }
}

/// One line of the inventory: a source × location × kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocationRow {
    pub path: String,
    pub location_type: LocationType,
    /// `""` (whole file), a CSV column, `table.column`, a collapsed JSON
    /// pointer or a CDR field.
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub kind: String,
    pub findings: u64,
    pub distinct: u64,
    pub distinct_exact: bool,
    pub max_confidence: f64,
    pub mean_confidence: f64,
    /// Up to [`SAMPLES`] masked values (never raw ones).
    pub samples: Vec<String>,
    /// Line of the first finding seen here.
    pub first_line: u64,
    /// Row / record of the first finding seen here (structured sources).
    pub first_row: Option<u64>,
}

/// Totals of one kind over the inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindTotal {
    pub kind: String,
    pub findings: u64,
    /// Distinct values summed over locations (a value in two locations
    /// counts twice).
    pub distinct: u64,
    pub locations: u64,
    pub sources: u64,
    pub max_confidence: f64,
}

/// When the report was made and with which parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportMeta {
    /// RFC 3339 UTC, e.g. `2026-01-15T10:00:00Z`.
    pub generated_at: String,
    /// Scan parameters as the user gave them (never the fingerprint key).
    pub parameters: Map<String, Value>,
}

impl ReportMeta {
    /// Metadata stamped now (or at `SOURCE_DATE_EPOCH`, for reproducible
    /// reports).
    pub fn now(parameters: Map<String, Value>) -> ReportMeta {
        let secs = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
            });
        ReportMeta {
            generated_at: rfc3339_utc(secs),
            parameters,
        }
    }
}

impl Default for ReportMeta {
    fn default() -> ReportMeta {
        ReportMeta::now(Map::new())
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (proleptic
/// Gregorian calendar; no time-zone database needed for UTC).
pub fn rfc3339_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// The finished inventory, as every renderer receives it.
#[derive(Debug, Clone)]
pub struct Report {
    pub meta: ReportMeta,
    pub summary: Summary,
    pub locations: Vec<LocationRow>,
    /// Files not scanned, up to [`NOT_SCANNED_LISTED`].
    pub not_scanned: Vec<NotScanned>,
    /// All files not scanned (skipped + errored).
    pub not_scanned_total: u64,
}

impl Report {
    /// Totals per kind, most findings first.
    pub fn kinds(&self) -> Vec<KindTotal> {
        let mut by: BTreeMap<&str, (KindTotal, HashSet<&str>)> = BTreeMap::new();
        for l in &self.locations {
            let (t, sources) = by.entry(l.kind.as_str()).or_insert_with(|| {
                (
                    KindTotal {
                        kind: l.kind.clone(),
                        findings: 0,
                        distinct: 0,
                        locations: 0,
                        sources: 0,
                        max_confidence: 0.0,
                    },
                    HashSet::new(),
                )
            });
            t.findings += l.findings;
            t.distinct += l.distinct;
            t.locations += 1;
            t.max_confidence = t.max_confidence.max(l.max_confidence);
            sources.insert(l.path.as_str());
        }
        let mut kinds: Vec<KindTotal> = by
            .into_values()
            .map(|(mut t, s)| {
                t.sources = s.len() as u64;
                t
            })
            .collect();
        kinds.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.kind.cmp(&b.kind)));
        kinds
    }

    /// Number of distinct sources (files, streams in archives) with findings.
    pub fn sources(&self) -> usize {
        let mut n = 0;
        let mut last: Option<&str> = None;
        // Locations are sorted by path.
        for l in &self.locations {
            if last != Some(l.path.as_str()) {
                n += 1;
                last = Some(&l.path);
            }
        }
        n
    }

    /// Locations with the most findings first (ties: report order).
    pub fn top_locations(&self, n: usize) -> Vec<&LocationRow> {
        let mut v: Vec<&LocationRow> = self.locations.iter().collect();
        v.sort_by_key(|l| std::cmp::Reverse(l.findings));
        v.truncate(n);
        v
    }

    /// The run summary (the JSONL `summary` event without its `type`)
    /// plus the number of locations and of sources with findings.
    pub fn summary_json(&self) -> Value {
        let mut summary = summary_json(&self.summary);
        if let Some(m) = summary.as_object_mut() {
            m.remove("type");
            m.insert("locations".into(), json!(self.locations.len()));
            m.insert("sources_with_findings".into(), json!(self.sources()));
        }
        summary
    }

    /// The `inventory-json` document.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.document()).unwrap_or(Value::Null)
    }

    /// The `inventory-json` document as a struct, so fields keep their
    /// order when written (a `serde_json::Value` map would sort them).
    fn document(&self) -> Document<'_> {
        Document {
            doc_type: DOCUMENT_TYPE,
            version: FORMAT_VERSION,
            generated_at: &self.meta.generated_at,
            piiscan_version: env!("CARGO_PKG_VERSION"),
            parameters: &self.meta.parameters,
            summary: self.summary_json(),
            kinds: self.kinds(),
            not_scanned: &self.not_scanned,
            not_scanned_total: self.not_scanned_total,
            locations: &self.locations,
        }
    }
}

/// The `inventory-json` document (field order is part of its look).
#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "type")]
    doc_type: &'static str,
    version: u64,
    generated_at: &'a str,
    piiscan_version: &'static str,
    parameters: &'a Map<String, Value>,
    summary: Value,
    kinds: Vec<KindTotal>,
    not_scanned: &'a [NotScanned],
    not_scanned_total: u64,
    locations: &'a [LocationRow],
}

/// Writes the `inventory-json` document.
pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report.document())?;
    out.write_all(b"\n")
}

/// Columns of `inventory-csv`.
pub const CSV_HEADER: [&str; 16] = [
    "path",
    "location_type",
    "location",
    "table",
    "column",
    "kind",
    "findings",
    "distinct",
    "distinct_exact",
    "max_confidence",
    "mean_confidence",
    "sample_1",
    "sample_2",
    "sample_3",
    "first_line",
    "first_row",
];

/// Writes `inventory-csv`: one row per location.
///
/// Names taken from the scanned data (paths, columns, JSON keys) that a
/// spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) get a
/// leading `'` (the OWASP advice against CSV injection); masked samples
/// keep their shape (`+7 *** …`).
pub fn write_csv(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for l in &report.locations {
        let sample = |i: usize| l.samples.get(i).map(String::as_str).unwrap_or("");
        w.write_record([
            defuse_formula(&l.path).as_ref(),
            l.location_type.id(),
            defuse_formula(&l.location).as_ref(),
            defuse_formula(l.table.as_deref().unwrap_or("")).as_ref(),
            defuse_formula(l.column.as_deref().unwrap_or("")).as_ref(),
            &l.kind,
            &l.findings.to_string(),
            &l.distinct.to_string(),
            if l.distinct_exact { "true" } else { "false" },
            &l.max_confidence.to_string(),
            &l.mean_confidence.to_string(),
            sample(0),
            sample(1),
            sample(2),
            &l.first_line.to_string(),
            &l.first_row.map(|r| r.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()
}

fn defuse_formula(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// A renderer of a finished report.
pub type Render = fn(&Report, &mut dyn Write) -> io::Result<()>;

/// A sink that aggregates the whole scan and renders the [`Report`] at the
/// end: `inventory-json`, `inventory-csv`, `markdown`.
pub struct InventorySink {
    inventory: Inventory,
    meta: ReportMeta,
    out: Box<dyn Write + Send>,
    render: Render,
}

impl InventorySink {
    pub fn new(out: Box<dyn Write + Send>, meta: ReportMeta, render: Render) -> InventorySink {
        InventorySink {
            inventory: Inventory::new(),
            meta,
            out,
            render,
        }
    }
}

impl Sink for InventorySink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        self.inventory.add(r);
        Ok(())
    }
    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let report = self.inventory.report(&self.meta, s);
        (self.render)(&report, &mut self.out)?;
        self.out.flush()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::finding::{Kind, Signals};

    /// A finding as the engine would make it; `value` only feeds the
    /// fingerprint and the mask.
    pub(crate) fn finding(kind: Kind, value: &str, loc: Option<Location>, line: u64) -> Finding {
        let fp = crate::finding::Fingerprinter::from_secret(b"test");
        Finding {
            kind,
            rule: Arc::from(kind.id()),
            start: 0,
            end: value.len() as u64,
            line,
            column: 1,
            confidence: 0.9,
            signals: Signals::VALIDATED,
            masked: crate::finding::mask(kind, value),
            fingerprint: fp.fingerprint(kind, value.as_bytes()),
            location: loc,
            value: Some(value.to_string()),
        }
    }

    pub(crate) fn result(path: &str, findings: Vec<Finding>) -> FileResult {
        FileResult {
            path: path.into(),
            status: FileStatus::Scanned,
            bytes: 100,
            findings,
        }
    }

    fn json_loc(pointer: &str, record: Option<u64>) -> Option<Location> {
        Some(Location::Json {
            pointer: pointer.into(),
            record,
        })
    }

    fn meta() -> ReportMeta {
        ReportMeta {
            generated_at: "2026-01-15T10:00:00Z".into(),
            parameters: Map::new(),
        }
    }

    fn report_of(results: &[FileResult]) -> Report {
        let mut inv = Inventory::new();
        let mut summary = Summary::default();
        for r in results {
            inv.add(r);
            summary.add(r);
        }
        inv.report(&meta(), &summary)
    }

    #[test]
    fn pointers_collapse_array_indices_only() {
        let collapse = |p: &str| {
            let mut s = String::new();
            push_collapsed_pointer(&mut s, p);
            s
        };
        assert_eq!(
            collapse("/orders/0/customer/phone"),
            "/orders/*/customer/phone"
        );
        assert_eq!(
            collapse("/orders/12/items/3/email"),
            "/orders/*/items/*/email"
        );
        assert_eq!(collapse("/0/email"), "/*/email");
        assert_eq!(collapse("/customer/email"), "/customer/email");
        // Not in the RFC's index form: an object key.
        assert_eq!(collapse("/codes/007/phone"), "/codes/007/phone");
        assert_eq!(collapse("/a~1b~0c/1x"), "/a~1b~0c/1x");
        assert_eq!(collapse(""), "");
        assert_eq!(collapse("/"), "/");
    }

    #[test]
    fn location_keys_per_format() {
        let key = |l: Option<Location>| {
            let mut s = String::new();
            push_location_key(&mut s, l.as_ref());
            (LocationType::of(l.as_ref()).id(), s)
        };
        assert_eq!(key(None), ("file", String::new()));
        assert_eq!(
            key(Some(Location::Table {
                row: 4,
                column: "Телефон".into()
            })),
            ("csv_column", "Телефон".into())
        );
        assert_eq!(
            key(Some(Location::Sql {
                table: "public.users".into(),
                column: "phone".into(),
                row: 9
            })),
            ("sql_column", "public.users.phone".into())
        );
        assert_eq!(
            key(json_loc("/orders/3/phone", Some(2))),
            ("json_pointer", "/orders/*/phone".into())
        );
        assert_eq!(
            key(Some(Location::Cdr {
                record: 1,
                field: "dst".into()
            })),
            ("cdr_field", "dst".into())
        );
    }

    #[test]
    fn aggregates_by_source_location_and_kind() {
        let sql = |row: u64, column: &str| {
            Some(Location::Sql {
                table: "public.users".into(),
                column: column.into(),
                row,
            })
        };
        let a = result(
            "dump.sql",
            vec![
                finding(Kind::Phone, "+7 900 000-00-01", sql(3, "phone"), 30),
                finding(Kind::Phone, "+7 900 000-00-02", sql(4, "phone"), 31),
                // The same value again: a finding, not a distinct value.
                finding(Kind::Phone, "+7 900 000-00-01", sql(5, "phone"), 32),
                finding(Kind::Email, "a@example.com", sql(5, "note"), 32),
                finding(Kind::Phone, "+7 900 000-00-03", sql(6, "note"), 33),
            ],
        );
        let b = result(
            "orders.json",
            vec![
                finding(
                    Kind::Phone,
                    "+7 900 000-00-04",
                    json_loc("/orders/0/phone", None),
                    3,
                ),
                finding(
                    Kind::Phone,
                    "+7 900 000-00-05",
                    json_loc("/orders/1/phone", None),
                    7,
                ),
            ],
        );
        let c = result(
            "chat.txt",
            vec![finding(Kind::Email, "b@example.com", None, 2)],
        );
        let mut a_conf = a.clone();
        a_conf.findings[1].confidence = 0.99;
        let r = report_of(&[a_conf, b, c]);
        let rows: Vec<(&str, &str, &str, &str, u64, u64)> = r
            .locations
            .iter()
            .map(|l| {
                (
                    l.path.as_str(),
                    l.location_type.id(),
                    l.location.as_str(),
                    l.kind.as_str(),
                    l.findings,
                    l.distinct,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("chat.txt", "file", "", "email", 1, 1),
                ("dump.sql", "sql_column", "public.users.note", "email", 1, 1),
                ("dump.sql", "sql_column", "public.users.note", "phone", 1, 1),
                (
                    "dump.sql",
                    "sql_column",
                    "public.users.phone",
                    "phone",
                    3,
                    2
                ),
                (
                    "orders.json",
                    "json_pointer",
                    "/orders/*/phone",
                    "phone",
                    2,
                    2
                ),
            ]
        );
        let phone = &r.locations[3];
        assert_eq!(phone.table.as_deref(), Some("public.users"));
        assert_eq!(phone.column.as_deref(), Some("phone"));
        assert_eq!(phone.first_line, 30);
        assert_eq!(phone.first_row, Some(3));
        assert_eq!(phone.max_confidence, 0.99);
        assert_eq!(phone.mean_confidence, 0.93);
        assert_eq!(phone.samples, ["+7 *** ***-**-01", "+7 *** ***-**-02"]);
        assert!(phone.distinct_exact);
        assert_eq!(r.locations[0].first_row, None);
        assert_eq!(r.sources(), 3);
        let kinds = r.kinds();
        assert_eq!(kinds[0].kind, "phone");
        assert_eq!(kinds[0].findings, 6);
        assert_eq!(kinds[0].locations, 3);
        assert_eq!(kinds[0].sources, 2);
        assert_eq!(kinds[1].kind, "email");
        assert_eq!(r.top_locations(1)[0].location, "public.users.phone");
    }

    #[test]
    fn partial_batches_add_up_and_not_scanned_files_are_listed() {
        let mut first = result(
            "big.csv",
            vec![finding(
                Kind::Inn,
                "500100732185",
                Some(Location::Table {
                    row: 1,
                    column: "inn".into(),
                }),
                2,
            )],
        );
        first.status = FileStatus::Partial;
        let mut last = first.clone();
        last.status = FileStatus::Scanned;
        last.findings[0].line = 3;
        let skipped = FileResult {
            path: "logo.png".into(),
            status: FileStatus::Skipped("binary".into()),
            bytes: 0,
            findings: Vec::new(),
        };
        let errored = FileResult {
            path: "locked.csv".into(),
            status: FileStatus::Error("permission denied".into()),
            bytes: 0,
            findings: Vec::new(),
        };
        let r = report_of(&[first, last, skipped, errored]);
        assert_eq!(r.locations.len(), 1);
        assert_eq!(r.locations[0].findings, 2);
        assert_eq!(r.locations[0].distinct, 1);
        assert_eq!(r.locations[0].first_line, 2);
        assert_eq!(r.not_scanned_total, 2);
        assert_eq!(r.not_scanned[0].status, "skipped");
        assert_eq!(r.not_scanned[1].reason, "permission denied");
        let doc = r.to_json();
        assert_eq!(doc["type"], DOCUMENT_TYPE);
        assert_eq!(doc["summary"]["files_scanned"], 1);
        assert_eq!(doc["summary"]["locations"], 1);
        assert_eq!(doc["summary"]["findings"], 2);
        assert!(doc["summary"].get("type").is_none());
        assert_eq!(doc["locations"][0]["location_type"], "csv_column");
        assert!(doc["locations"][0].get("table").is_none());
    }

    #[test]
    fn samples_are_masked_never_raw() {
        let values = [
            "+7 912 345-67-89",
            "ivan.petrov@example.ru",
            "2202 9198 2703 8392",
        ];
        let kinds = [Kind::Phone, Kind::Email, Kind::Card];
        let findings = values
            .iter()
            .zip(kinds)
            .map(|(v, k)| finding(k, v, None, 1))
            .collect();
        // The findings carry raw values (as with --show-values).
        let r = report_of(&[result("chat.txt", findings)]);
        let mut json = Vec::new();
        write_json(&r, &mut json).unwrap();
        let mut csv = Vec::new();
        write_csv(&r, &mut csv).unwrap();
        for out in [json, csv] {
            let text = String::from_utf8(out).unwrap();
            for v in values {
                assert!(!text.contains(v), "{v} leaked into {text}");
            }
            assert!(text.contains("i**********@example.ru"));
        }
    }

    #[test]
    fn distinct_counting_is_exact_up_to_the_cap_then_estimated() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            // splitmix64: uniform bits like fingerprints.
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut d = Distinct::default();
        let values: Vec<u64> = (0..1000).map(|_| next()).collect();
        for v in &values {
            assert!(d.insert_capped(*v, 1000));
        }
        // Repeats do not count.
        assert!(!d.insert_capped(values[5], 1000));
        assert_eq!(d.count(), (1000, true));
        // Past the cap: an estimate within a few percent.
        for _ in 0..49_000 {
            d.insert_capped(next(), 1000);
        }
        let (n, exact) = d.count();
        assert!(!exact);
        let err = (n as f64 - 50_000.0).abs() / 50_000.0;
        assert!(err < 0.03, "estimate {n} for 50000");
        // Re-adding seen values leaves the estimate alone.
        for v in &values {
            d.insert_capped(*v, 1000);
        }
        assert_eq!(d.count().0, n);
        let mut small = HyperLogLog::new();
        for _ in 0..500 {
            small.add(next());
        }
        assert!((small.estimate() as i64 - 500).abs() < 15);
    }

    #[test]
    fn fingerprint_bits_read_the_hex_prefix() {
        assert_eq!(fingerprint_bits("00000000000000ff0000"), 255);
        assert_ne!(fingerprint_bits("not hex"), fingerprint_bits("not hex!"));
    }

    #[test]
    fn csv_names_cannot_become_formulas() {
        let f = finding(
            Kind::Phone,
            "+7 900 000-00-01",
            Some(Location::Table {
                row: 1,
                column: "=HYPERLINK(\"http://x\")".into(),
            }),
            2,
        );
        let r = report_of(&[result("@evil.csv", vec![f])]);
        let mut out = Vec::new();
        write_csv(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let row = rd.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "'@evil.csv");
        assert_eq!(&row[2], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&row[11], "+7 *** ***-**-01");
    }

    #[test]
    fn timestamps_are_utc_rfc3339() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_768_471_200), "2026-01-15T10:00:00Z");
    }
}
