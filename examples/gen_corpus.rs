//! Writes a seeded, labelled synthetic corpus (see `piiscan::eval::corpus`).
//!
//! ```text
//! cargo run --release --example gen_corpus -- --seed 1 --size 200M --out bench-corpus
//! ```
//!
//! Sizes take binary suffixes (`K`, `M`, `G`). Labels go to
//! `OUT/labels.jsonl`; a summary of what was planted goes to stderr.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use piiscan::eval::{corpus, parse_size};

#[derive(Parser)]
#[command(about = "Generate a labelled synthetic PII corpus")]
struct Args {
    /// PRNG seed: the same seed and size give byte-identical output.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Approximate total size, e.g. 20M, 200M, 512K.
    #[arg(long, default_value = "20M", value_parser = size)]
    size: u64,
    /// Output directory (must be empty, missing, or a corpus made before).
    #[arg(long)]
    out: PathBuf,
    /// Do nothing when OUT already holds this seed and size from this
    /// generator version (benchmarks reuse their corpus).
    #[arg(long)]
    reuse: bool,
}

fn size(s: &str) -> Result<u64, String> {
    parse_size(s).ok_or_else(|| format!("not a size: {s:?} (try 20M, 512K, 1G)"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.reuse && corpus::is_current(&args.out, args.seed, args.size) {
        eprintln!(
            "gen_corpus: reusing {} (seed {}, same size and generator)",
            args.out.display(),
            args.seed
        );
        return ExitCode::SUCCESS;
    }
    let started = std::time::Instant::now();
    let (labels, stats) = match corpus::generate_with_stats(args.seed, args.size, &args.out) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gen_corpus: {}: {e}", args.out.display());
            return ExitCode::from(2);
        }
    };
    let mut per_kind: BTreeMap<&str, u64> = BTreeMap::new();
    for l in &labels {
        *per_kind.entry(l.kind.id()).or_default() += 1;
    }
    eprintln!(
        "gen_corpus: {} files, {} bytes, {} labels (one per {} bytes) in {} in {:.1}s",
        stats.files,
        stats.bytes,
        labels.len(),
        stats.bytes / (labels.len() as u64).max(1),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    let list: Vec<String> = per_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    eprintln!("gen_corpus: labelled: {}", list.join(", "));
    let list: Vec<String> = stats
        .unlabelled
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    eprintln!("gen_corpus: present, not labelled yet: {}", list.join(", "));
    let total: u64 = stats.negatives.values().sum();
    let list: Vec<String> = stats
        .negatives
        .iter()
        .map(|(c, n)| format!("{} {n}", c.describe()))
        .collect();
    eprintln!("gen_corpus: hard negatives ({total}): {}", list.join(", "));
    ExitCode::SUCCESS
}
