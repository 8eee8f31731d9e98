//! The scorer: compares a scanner's JSONL findings with a corpus's labels.
//!
//! Owns the matching rule, the counts (per kind TP/FP/FN, micro totals,
//! labelled-byte coverage) and their Markdown rendering. It does not run
//! the scanner and does not know how labels were made.
//!
//! Matching rule: a finding matches a label when both sit in the same file,
//! their half-open byte spans overlap and their kinds agree. Matching is
//! one-to-one: a finding that overlaps two labels is credited to one of
//! them only, and a label found by two findings is one true positive. The
//! extra finding on an already-found label is counted as a *duplicate*, not
//! as a false positive: it points at real PII, it is only redundant.
//!
//! Kinds that appear in findings but were never planted in the corpus
//! (names and addresses until the generator labels them) are listed apart
//! and kept out of the micro totals: the corpus may well contain such
//! values unlabelled, so their findings can't be judged.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::io::{self, BufRead};
use std::path::{Component, Path};

use serde::Deserialize;

use super::Label;
use crate::finding::Kind;

/// One `{"type":"finding",...}` line of the scanner's JSONL output, with
/// only the fields the scorer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFinding {
    pub path: String,
    pub kind: String,
    pub start: u64,
    pub end: u64,
}

/// Everything the scorer reads from a scanner run.
#[derive(Debug, Clone, Default)]
pub struct ScanOutput {
    pub findings: Vec<ScannedFinding>,
    /// `{"type":"skipped"}` events: files the scanner did not scan.
    pub skipped: u64,
    /// `{"type":"error"}` events.
    pub errors: u64,
    /// Whether the final `{"type":"summary"}` line was seen; a run without
    /// one stopped early.
    pub summary: bool,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    start: Option<u64>,
    #[serde(default)]
    end: Option<u64>,
}

/// Parses the scanner's JSONL stream. Blank lines are skipped; a line that
/// is not a JSON event, or a finding without path/kind/start/end, is an
/// `InvalidData` error naming the line: a scorer that silently dropped
/// lines would report a recall the scanner never had.
pub fn parse_scan_output(reader: impl BufRead) -> io::Result<ScanOutput> {
    let mut out = ScanOutput::default();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: String| {
            io::Error::new(io::ErrorKind::InvalidData, format!("line {}: {why}", i + 1))
        };
        let ev: Event = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        match ev.ty.as_str() {
            "finding" => {
                let (Some(path), Some(kind), Some(start), Some(end)) =
                    (ev.path, ev.kind, ev.start, ev.end)
                else {
                    return Err(bad("finding without path, kind, start or end".into()));
                };
                out.findings.push(ScannedFinding {
                    path,
                    kind,
                    start,
                    end,
                });
            }
            "skipped" => out.skipped += 1,
            "error" => out.errors += 1,
            "summary" => out.summary = true,
            // Future event types (begin/end of file, progress) carry no
            // findings; ignoring them keeps old scorers working.
            _ => {}
        }
    }
    Ok(out)
}

/// Rewrites finding paths to the label form (relative to the corpus root,
/// `/`-separated). The scanner prints paths as walked, e.g.
/// `eval-corpus/logs/app_000.log` for `piiscan scan eval-corpus`; the
/// labels say `logs/app_000.log`. Paths not under `root` are kept as they
/// are (and then count as findings outside the labelled files).
pub fn relativize(findings: &mut [ScannedFinding], root: &Path) {
    let root: Vec<Component> = root
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    for f in findings {
        let p = Path::new(&f.path);
        let comps: Vec<Component> = p.components().filter(|c| *c != Component::CurDir).collect();
        if comps.len() > root.len() && comps[..root.len()] == root[..] {
            let rel: Vec<String> = comps[root.len()..]
                .iter()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            f.path = rel.join("/");
        }
    }
}

/// Counts for one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindScore {
    pub kind: String,
    pub labels: u64,
    pub findings: u64,
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    /// Findings on a label another finding of the same kind already matched.
    pub duplicates: u64,
    /// False positives that sit on a label of another kind (kind confusion).
    pub wrong_kind: u64,
}

impl KindScore {
    fn new(kind: &str) -> KindScore {
        KindScore {
            kind: kind.to_owned(),
            ..KindScore::default()
        }
    }

    /// `None` when the kind produced no scored finding at all.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `None` when nothing of the kind was planted.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall; 0 when either is undefined
    /// or both are 0, so a kind that was planted and never found scores 0.
    pub fn f1(&self) -> f64 {
        match (self.precision(), self.recall()) {
            (Some(p), Some(r)) if p + r > 0.0 => 2.0 * p * r / (p + r),
            _ => 0.0,
        }
    }

    fn add(&mut self, o: &KindScore) {
        self.labels += o.labels;
        self.findings += o.findings;
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.duplicates += o.duplicates;
        self.wrong_kind += o.wrong_kind;
    }
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Kinds that were planted, in the stable `Kind::ALL` order.
    pub kinds: Vec<KindScore>,
    /// Micro totals over the planted kinds.
    pub micro: KindScore,
    /// Kinds the scanner reported that the corpus does not label.
    pub unplanted: Vec<KindScore>,
    /// Bytes inside labels, and how many of them any finding (of any kind)
    /// covers: a redactor's view of recall.
    pub labelled_bytes: u64,
    pub covered_bytes: u64,
    /// Findings in files that have no labels (not scored).
    pub outside: u64,
    pub skipped: u64,
    pub errors: u64,
    pub summary: bool,
    /// The labels no finding matched (false negatives), by path and offset.
    pub missed: Vec<Label>,
    /// The findings that matched no label (false positives, including
    /// unplanted kinds), by path and offset.
    pub false_positives: Vec<ScannedFinding>,
    /// Extra rows that split one kind (see [`person_by_script`]); printed
    /// under the kinds, not counted in the micro totals a second time.
    pub splits: Vec<KindScore>,
}

impl Report {
    pub fn kind(&self, id: &str) -> Option<&KindScore> {
        self.kinds
            .iter()
            .chain(&self.unplanted)
            .find(|k| k.kind == id)
    }

    pub fn coverage(&self) -> Option<f64> {
        ratio(self.covered_bytes, self.labelled_bytes)
    }

    /// The report as a Markdown table plus a few notes.
    pub fn to_markdown(&self) -> String {
        use std::fmt::Write;
        fn opt(x: Option<f64>) -> String {
            x.map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"))
        }
        fn row(s: &mut String, name: &str, k: &KindScore) {
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {:.3} |",
                k.labels,
                k.findings,
                k.tp,
                k.fp,
                k.fn_,
                opt(k.precision()),
                opt(k.recall()),
                k.f1()
            );
        }
        let mut s = String::new();
        s.push_str("| kind | labels | findings | TP | FP | FN | precision | recall | F1 |\n");
        s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for k in &self.kinds {
            row(&mut s, &format!("`{}`", k.kind), k);
        }
        for k in &self.splits {
            row(&mut s, &format!("↳ {}", k.kind), k);
        }
        row(&mut s, "**all (micro)**", &self.micro);
        s.push('\n');
        if let Some(c) = self.coverage() {
            let _ = writeln!(
                s,
                "- Labelled bytes covered by any finding: {:.1} % ({} of {}).",
                c * 100.0,
                self.covered_bytes,
                self.labelled_bytes
            );
        }
        if self.micro.duplicates > 0 {
            let _ = writeln!(
                s,
                "- Duplicate findings (a label found again, not counted as FP): {}.",
                self.micro.duplicates
            );
        }
        let confused: Vec<String> = self
            .kinds
            .iter()
            .chain(&self.unplanted)
            .filter(|k| k.wrong_kind > 0)
            .map(|k| format!("`{}` {}", k.kind, k.wrong_kind))
            .collect();
        if !confused.is_empty() {
            let _ = writeln!(
                s,
                "- False positives sitting on a value of another kind: {}.",
                confused.join(", ")
            );
        }
        if !self.unplanted.is_empty() {
            let list: Vec<String> = self
                .unplanted
                .iter()
                .map(|k| format!("`{}` {}", k.kind, k.findings))
                .collect();
            let _ = writeln!(
                s,
                "- Findings of kinds this corpus does not label (not scored): {}.",
                list.join(", ")
            );
        }
        if self.outside > 0 {
            let _ = writeln!(
                s,
                "- Findings in files without labels (not scored): {}.",
                self.outside
            );
        }
        if self.skipped > 0 || self.errors > 0 || !self.summary {
            let _ = writeln!(
                s,
                "- Scanner: {} skipped, {} errors{}.",
                self.skipped,
                self.errors,
                if self.summary {
                    ""
                } else {
                    ", no summary line (run stopped early?)"
                }
            );
        }
        s
    }
}

/// Up to `per_kind` examples of misses and false positives per kind, each
/// with some surrounding text, read from the corpus under `root`. For
/// synthetic corpora only: it prints the values.
pub fn mistakes_markdown(report: &Report, root: &Path, per_kind: usize) -> String {
    use std::fmt::Write;
    // Spread the examples over the list rather than taking the first few
    // (which would all come from one file).
    fn sample(len: usize, n: usize) -> Vec<usize> {
        if len <= n {
            return (0..len).collect();
        }
        (0..n).map(|i| i * len / n).collect()
    }
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut snippet = |path: &str, start: u64, end: u64| -> String {
        let buf = files
            .entry(path.to_owned())
            .or_insert_with(|| std::fs::read(root.join(path)).unwrap_or_default());
        let (s, e) = (start as usize, (end as usize).min(buf.len()));
        if s >= e {
            return format!("`{path}` {start}..{end} (outside the file)");
        }
        let text = |a: usize, b: usize| String::from_utf8_lossy(&buf[a..b]).replace('\n', "⏎");
        let a = s.saturating_sub(48);
        let b = (e + 32).min(buf.len());
        format!(
            "`{path}` {start}..{end}: …{}⟦{}⟧{}…",
            text(a, s),
            text(s, e),
            text(e, b)
        )
    };
    let mut s = String::new();
    let kinds: BTreeSet<&str> = report
        .missed
        .iter()
        .map(|l| l.kind.id())
        .chain(report.false_positives.iter().map(|f| f.kind.as_str()))
        .collect();
    for kind in kinds {
        let fns: Vec<&Label> = report
            .missed
            .iter()
            .filter(|l| l.kind.id() == kind)
            .collect();
        let fps: Vec<&ScannedFinding> = report
            .false_positives
            .iter()
            .filter(|f| f.kind == kind)
            .collect();
        let _ = writeln!(
            s,
            "\n### `{kind}`: {} missed, {} false positives\n",
            fns.len(),
            fps.len()
        );
        for i in sample(fns.len(), per_kind) {
            let l = fns[i];
            let _ = writeln!(s, "- missed: {}", snippet(&l.path, l.start, l.end));
        }
        for i in sample(fps.len(), per_kind) {
            let f = fps[i];
            let _ = writeln!(s, "- false positive: {}", snippet(&f.path, f.start, f.end));
        }
    }
    s
}

/// A span of one file, as the matcher sees it.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u64,
    end: u64,
}

impl Span {
    fn overlaps(self, o: Span) -> bool {
        self.start < o.end && o.start < self.end
    }
}

/// The `person` row split by the script of the value: Cyrillic names
/// (Russian) and Latin ones (English, and Russian names transliterated),
/// since the accuracy targets hold for each language on its own. Labels
/// and findings are assigned by reading their bytes under `root`; each
/// part is scored with [`score`] on its own, so the matching rule is the
/// same. Spans that cannot be read count as Latin.
pub fn person_by_script(labels: &[Label], scan: &ScanOutput, root: &Path) -> Vec<KindScore> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut cyrillic = |path: &str, start: u64, end: u64| -> bool {
        let bytes = files
            .entry(path.to_owned())
            .or_insert_with(|| std::fs::read(root.join(path)).unwrap_or_default());
        let (start, end) = (start as usize, (end as usize).min(bytes.len()));
        // Cyrillic letters are U+0400..U+04FF: lead bytes 0xD0..=0xD3.
        bytes
            .get(start..end)
            .is_some_and(|v| v.iter().any(|b| (0xD0..=0xD3).contains(b)))
    };
    let person = Kind::Person.id();
    let mut parts = [
        (Vec::new(), ScanOutput::default()),
        (Vec::new(), ScanOutput::default()),
    ];
    for l in labels.iter().filter(|l| l.kind == Kind::Person) {
        let part = usize::from(!cyrillic(&l.path, l.start, l.end));
        parts[part].0.push(l.clone());
    }
    for f in scan.findings.iter().filter(|f| f.kind == person) {
        let part = usize::from(!cyrillic(&f.path, f.start, f.end));
        parts[part].1.findings.push(f.clone());
    }
    let names = ["person (Cyrillic)", "person (Latin)"];
    parts
        .iter()
        .zip(names)
        .filter(|((labels, _), _)| !labels.is_empty())
        .filter_map(|((labels, scan), name)| {
            let mut row = score(labels, scan)
                .kinds
                .into_iter()
                .find(|k| k.kind == person)?;
            row.kind = name.to_owned();
            Some(row)
        })
        .collect()
}

/// Scores `scan` (paths already relative to the corpus root) against
/// `labels`.
pub fn score(labels: &[Label], scan: &ScanOutput) -> Report {
    // path -> kind id -> spans
    let mut lab: BTreeMap<&str, BTreeMap<&str, Vec<Span>>> = BTreeMap::new();
    for l in labels {
        lab.entry(l.path.as_str())
            .or_default()
            .entry(l.kind.id())
            .or_default()
            .push(Span {
                start: l.start,
                end: l.end,
            });
    }
    let mut found: BTreeMap<&str, BTreeMap<&str, Vec<Span>>> = BTreeMap::new();
    let mut outside = 0;
    for f in &scan.findings {
        if !lab.contains_key(f.path.as_str()) {
            outside += 1;
            continue;
        }
        found
            .entry(f.path.as_str())
            .or_default()
            .entry(f.kind.as_str())
            .or_default()
            .push(Span {
                start: f.start,
                end: f.end,
            });
    }

    for spans in lab
        .values_mut()
        .chain(found.values_mut())
        .flat_map(|m| m.values_mut())
    {
        spans.sort_by_key(|s| s.start);
    }

    let mut per_kind: BTreeMap<&str, KindScore> = BTreeMap::new();
    let mut labelled_bytes = 0;
    let mut covered_bytes = 0;
    let no_findings = BTreeMap::new();
    let mut missed = Vec::new();
    let mut false_positives = Vec::new();
    let no_spans = Vec::new();
    for (path, lab_kinds) in &lab {
        let found_kinds = found.get(path).unwrap_or(&no_findings);
        let mut all_labels: Vec<Span> = lab_kinds.values().flatten().copied().collect();
        all_labels.sort_by_key(|s| s.start);
        let kinds: BTreeSet<&str> = lab_kinds
            .keys()
            .chain(found_kinds.keys())
            .copied()
            .collect();
        for kind in kinds {
            let ls = lab_kinds.get(kind).unwrap_or(&no_spans);
            let fs = found_kinds.get(kind).unwrap_or(&no_spans);
            let m = match_spans(ls, fs);
            let k = per_kind.entry(kind).or_insert_with(|| KindScore::new(kind));
            k.labels += ls.len() as u64;
            k.findings += fs.len() as u64;
            k.tp += m.matched_labels;
            k.fn_ += ls.len() as u64 - m.matched_labels;
            if let Some(kind_id) = Kind::from_id(kind) {
                for (l, hit) in ls.iter().zip(&m.label_matched) {
                    if !hit {
                        missed.push(Label {
                            path: (*path).to_owned(),
                            kind: kind_id,
                            start: l.start,
                            end: l.end,
                        });
                    }
                }
            }
            for (f, assigned) in fs.iter().zip(&m.finding_assigned) {
                if *assigned {
                    continue;
                }
                if overlaps_any(ls, *f) {
                    k.duplicates += 1;
                } else {
                    k.fp += 1;
                    false_positives.push(ScannedFinding {
                        path: (*path).to_owned(),
                        kind: kind.to_owned(),
                        start: f.start,
                        end: f.end,
                    });
                    if overlaps_any(&all_labels, *f) {
                        k.wrong_kind += 1;
                    }
                }
            }
        }
        let mut all_found: Vec<Span> = found_kinds.values().flatten().copied().collect();
        all_found.sort_by_key(|s| s.start);
        let (lb, cb) = coverage(&all_labels, &all_found);
        labelled_bytes += lb;
        covered_bytes += cb;
    }

    let planted: BTreeSet<&str> = labels.iter().map(|l| l.kind.id()).collect();
    let mut report = Report {
        missed,
        false_positives,
        labelled_bytes,
        covered_bytes,
        outside,
        skipped: scan.skipped,
        errors: scan.errors,
        summary: scan.summary,
        micro: KindScore::new("all"),
        ..Report::default()
    };
    // Planted kinds in the stable Kind order, then any id this build does
    // not know, alphabetically.
    let order = |id: &str| Kind::from_id(id).map_or(usize::MAX, |k| k as usize);
    let mut rows: Vec<KindScore> = per_kind.into_values().collect();
    rows.sort_by(|a, b| {
        order(&a.kind)
            .cmp(&order(&b.kind))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    for k in rows {
        if planted.contains(k.kind.as_str()) {
            report.micro.add(&k);
            report.kinds.push(k);
        } else {
            report.unplanted.push(k);
        }
    }
    report
}

struct Matching {
    matched_labels: u64,
    label_matched: Vec<bool>,
    finding_assigned: Vec<bool>,
}

/// One-to-one matching of `labels` and `findings` (both sorted by start;
/// labels of one kind in one file don't overlap each other).
///
/// Greedy sweep: for each label in order, take the overlapping unassigned
/// finding that ends first. That is a maximum matching for disjoint sorted
/// labels: a finding that overlaps a label and a later one is "worth" no
/// more than any other candidate ending later, which overlaps the later
/// label too.
fn match_spans(labels: &[Span], findings: &[Span]) -> Matching {
    use std::cmp::Reverse;
    let mut assigned = vec![false; findings.len()];
    let mut label_matched = vec![false; labels.len()];
    let mut matched = 0;
    let mut next = 0;
    // Min-heap of (end, index) over findings that start before the label ends.
    let mut open: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
    for (li, l) in labels.iter().enumerate() {
        while next < findings.len() && findings[next].start < l.end {
            open.push(Reverse((findings[next].end, next)));
            next += 1;
        }
        // Findings ending at or before this label's start can't reach any
        // later label either.
        while let Some(Reverse((end, _))) = open.peek() {
            if *end <= l.start {
                open.pop();
            } else {
                break;
            }
        }
        if let Some(Reverse((_, i))) = open.pop() {
            debug_assert!(findings[i].overlaps(*l));
            assigned[i] = true;
            label_matched[li] = true;
            matched += 1;
        }
    }
    Matching {
        matched_labels: matched,
        label_matched,
        finding_assigned: assigned,
    }
}

/// Whether `f` overlaps any of `spans` (sorted by start, disjoint).
fn overlaps_any(spans: &[Span], f: Span) -> bool {
    let i = spans.partition_point(|s| s.end <= f.start);
    spans.get(i).is_some_and(|s| s.overlaps(f))
}

/// (labelled bytes, labelled bytes covered by the union of findings).
fn coverage(labels: &[Span], findings: &[Span]) -> (u64, u64) {
    // Merge findings into disjoint runs first.
    let mut runs: Vec<Span> = Vec::with_capacity(findings.len());
    for f in findings.iter().filter(|f| f.end > f.start) {
        match runs.last_mut() {
            Some(r) if f.start <= r.end => r.end = r.end.max(f.end),
            _ => runs.push(*f),
        }
    }
    let mut total = 0;
    let mut covered = 0;
    for l in labels {
        total += l.end.saturating_sub(l.start);
        let i = runs.partition_point(|r| r.end <= l.start);
        for r in runs[i..].iter().take_while(|r| r.start < l.end) {
            covered += r.end.min(l.end) - r.start.max(l.start);
        }
    }
    (total, covered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(path: &str, kind: Kind, start: u64, end: u64) -> Label {
        Label {
            path: path.into(),
            kind,
            start,
            end,
        }
    }

    fn found(path: &str, kind: &str, start: u64, end: u64) -> ScannedFinding {
        ScannedFinding {
            path: path.into(),
            kind: kind.into(),
            start,
            end,
        }
    }

    fn run(labels: &[Label], findings: Vec<ScannedFinding>) -> Report {
        score(
            labels,
            &ScanOutput {
                findings,
                summary: true,
                ..ScanOutput::default()
            },
        )
    }

    #[test]
    fn exact_and_partial_overlap_match() {
        let labels = [
            label("a.txt", Kind::Phone, 10, 26),
            label("a.txt", Kind::Phone, 100, 116),
        ];
        // One exact, one that only covers the tail of the value.
        let r = run(
            &labels,
            vec![
                found("a.txt", "phone", 10, 26),
                found("a.txt", "phone", 110, 130),
            ],
        );
        let k = r.kind("phone").unwrap();
        assert_eq!((k.tp, k.fp, k.fn_), (2, 0, 0));
        assert_eq!(k.f1(), 1.0);
    }

    #[test]
    fn touching_spans_do_not_overlap() {
        // Half-open: [10,20) and [20,30) share no byte.
        let labels = [label("a.txt", Kind::Email, 10, 20)];
        let r = run(
            &labels,
            vec![
                found("a.txt", "email", 20, 30),
                found("a.txt", "email", 0, 10),
            ],
        );
        let k = r.kind("email").unwrap();
        assert_eq!((k.tp, k.fp, k.fn_), (0, 2, 1));
        assert_eq!(k.f1(), 0.0);
    }

    #[test]
    fn kind_mismatch_is_fp_and_fn() {
        let labels = [label("a.txt", Kind::Inn, 0, 10)];
        let r = run(&labels, vec![found("a.txt", "phone", 0, 10)]);
        let inn = r.kind("inn").unwrap();
        assert_eq!((inn.tp, inn.fp, inn.fn_), (0, 0, 1));
        // `phone` was never planted: listed apart, not in the micro totals.
        let phone = r.kind("phone").unwrap();
        assert_eq!((phone.fp, phone.wrong_kind), (1, 1));
        assert!(r.kinds.iter().all(|k| k.kind != "phone"));
        assert_eq!((r.micro.tp, r.micro.fp, r.micro.fn_), (0, 0, 1));
    }

    #[test]
    fn kind_mismatch_between_planted_kinds_counts_in_micro() {
        let labels = [
            label("a.txt", Kind::Inn, 0, 10),
            label("a.txt", Kind::Phone, 20, 30),
        ];
        let r = run(
            &labels,
            vec![
                found("a.txt", "phone", 0, 10),
                found("a.txt", "phone", 20, 30),
            ],
        );
        let phone = r.kind("phone").unwrap();
        assert_eq!((phone.tp, phone.fp, phone.wrong_kind), (1, 1, 1));
        assert_eq!((r.micro.tp, r.micro.fp, r.micro.fn_), (1, 1, 1));
    }

    #[test]
    fn one_finding_cannot_match_two_labels() {
        // A scanner that glued two adjacent phones into one span.
        let labels = [
            label("a.txt", Kind::Phone, 0, 12),
            label("a.txt", Kind::Phone, 13, 25),
        ];
        let r = run(&labels, vec![found("a.txt", "phone", 0, 25)]);
        let k = r.kind("phone").unwrap();
        assert_eq!((k.tp, k.fp, k.fn_, k.duplicates), (1, 0, 1, 0));
    }

    #[test]
    fn a_label_found_twice_counts_once() {
        let labels = [label("a.txt", Kind::Card, 0, 19)];
        let r = run(
            &labels,
            vec![found("a.txt", "card", 0, 19), found("a.txt", "card", 5, 19)],
        );
        let k = r.kind("card").unwrap();
        assert_eq!((k.tp, k.fp, k.fn_, k.duplicates), (1, 0, 0, 1));
        assert_eq!(k.precision(), Some(1.0));
    }

    #[test]
    fn matching_is_maximal_when_a_long_finding_could_steal_a_label() {
        // F0 spans both labels, F1 only the first. Greedy-by-start would
        // give L0 to F0 and leave L1 unmatched; the sweep gives L0 to F1
        // (it ends first) and L1 to F0.
        let labels = [
            label("a.txt", Kind::Phone, 0, 10),
            label("a.txt", Kind::Phone, 20, 30),
        ];
        let r = run(
            &labels,
            vec![
                found("a.txt", "phone", 0, 30),
                found("a.txt", "phone", 2, 8),
            ],
        );
        let k = r.kind("phone").unwrap();
        assert_eq!((k.tp, k.fp, k.fn_), (2, 0, 0));
    }

    #[test]
    fn paths_must_be_equal() {
        let labels = [
            label("a.txt", Kind::Email, 0, 10),
            label("b.txt", Kind::Email, 0, 10),
        ];
        let r = run(
            &labels,
            vec![
                found("b.txt", "email", 0, 10),
                found("c.txt", "email", 0, 10),
            ],
        );
        let k = r.kind("email").unwrap();
        assert_eq!((k.tp, k.fp, k.fn_), (1, 0, 1));
        assert_eq!(r.outside, 1);
    }

    #[test]
    fn misses_and_false_positives_are_listed_with_context() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "tel +79001234567 and id 123456\n").unwrap();
        let labels = [label("a.txt", Kind::Phone, 4, 16)];
        let r = run(&labels, vec![found("a.txt", "inn", 24, 30)]);
        assert_eq!(r.missed, labels);
        assert_eq!(r.false_positives, [found("a.txt", "inn", 24, 30)]);
        let md = mistakes_markdown(&r, dir.path(), 5);
        assert!(
            md.contains("- missed: `a.txt` 4..16: …tel ⟦+79001234567⟧ and id 123456⏎…"),
            "{md}"
        );
        assert!(
            md.contains("- false positive: `a.txt` 24..30: …tel +79001234567 and id ⟦123456⟧⏎…"),
            "{md}"
        );
    }

    #[test]
    fn coverage_counts_labelled_bytes_under_any_finding() {
        let labels = [
            label("a.txt", Kind::Email, 0, 10),
            label("a.txt", Kind::Phone, 20, 30),
        ];
        // Overlapping findings of different kinds; bytes count once.
        let r = run(
            &labels,
            vec![
                found("a.txt", "email", 5, 15),
                found("a.txt", "ipv4", 8, 12),
                found("a.txt", "inn", 25, 40),
            ],
        );
        assert_eq!((r.labelled_bytes, r.covered_bytes), (20, 10));
    }

    #[test]
    fn micro_totals_sum_planted_kinds() {
        let labels = [
            label("a.txt", Kind::Email, 0, 10),
            label("a.txt", Kind::Phone, 20, 30),
            label("a.txt", Kind::Phone, 40, 50),
        ];
        let r = run(
            &labels,
            vec![
                found("a.txt", "email", 0, 10),
                found("a.txt", "phone", 20, 30),
                found("a.txt", "phone", 60, 70),
            ],
        );
        assert_eq!((r.micro.tp, r.micro.fp, r.micro.fn_), (2, 1, 1));
        assert_eq!(
            r.kinds.iter().map(|k| k.kind.as_str()).collect::<Vec<_>>(),
            ["email", "phone"]
        );
        let md = r.to_markdown();
        assert!(
            md.contains("| `phone` | 2 | 2 | 1 | 1 | 1 | 0.500 | 0.500 | 0.500 |"),
            "{md}"
        );
        assert!(md.contains("**all (micro)**"));
    }

    #[test]
    fn parses_scanner_events_and_rejects_garbage() {
        let jsonl = concat!(
            r#"{"type":"finding","path":"c/logs/a.log","kind":"phone","rule":"phone.ru","start":3,"end":19,"line":1,"column":4,"confidence":0.9,"signals":["validated"],"masked":"+7 *** ***-**-89","fingerprint":"ab"}"#,
            "\n",
            r#"{"type":"skipped","path":"c/x.bin","reason":"binary"}"#,
            "\n\n",
            r#"{"type":"error","path":"c/y","message":"denied"}"#,
            "\n",
            r#"{"type":"summary","files":3}"#,
            "\n"
        );
        let mut out = parse_scan_output(jsonl.as_bytes()).unwrap();
        assert_eq!((out.skipped, out.errors, out.summary), (1, 1, true));
        relativize(&mut out.findings, Path::new("./c"));
        assert_eq!(out.findings, [found("logs/a.log", "phone", 3, 19)]);

        let err = parse_scan_output("{\"type\":\"finding\"}\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(parse_scan_output("not json\n".as_bytes()).is_err());
    }
}
