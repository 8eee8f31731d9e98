//! Scores a scanner run against a corpus's labels and prints the Markdown
//! accuracy table (see `piiscan::eval::score` for the matching rule).
//!
//! ```text
//! piiscan scan eval-corpus --format jsonl > findings.jsonl
//! cargo run --release --example eval -- --labels eval-corpus/labels.jsonl --findings findings.jsonl
//! ```
//!
//! Finding paths are made relative to `--root` (default: the directory
//! holding the labels file), which is how the scanner prints them when it
//! is given that directory.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use piiscan::eval::{read_labels, score};

#[derive(Parser)]
#[command(about = "Score piiscan JSONL findings against corpus labels")]
struct Args {
    /// The corpus's labels.jsonl.
    #[arg(long)]
    labels: PathBuf,
    /// The scanner's `--format jsonl` output (`-` for stdin).
    #[arg(long)]
    findings: PathBuf,
    /// The directory that was scanned (default: the labels file's directory).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Also list up to N missed values and N false positives per kind, with
    /// context (the corpus is synthetic, so printing values is fine).
    #[arg(long, value_name = "N")]
    examples: Option<usize>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("eval: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> io::Result<String> {
    let labels = read_labels(&args.labels)?;
    let mut scan = if args.findings.as_os_str() == "-" {
        score::parse_scan_output(io::stdin().lock())?
    } else {
        let f = File::open(&args.findings)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", args.findings.display())))?;
        score::parse_scan_output(BufReader::new(f))
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", args.findings.display())))?
    };
    let root = args
        .root
        .clone()
        .unwrap_or_else(|| args.labels.parent().map(PathBuf::from).unwrap_or_default());
    score::relativize(&mut scan.findings, &root);
    let mut report = score::score(&labels, &scan);
    report.splits = score::person_by_script(&labels, &scan, &root);
    let mut out = report.to_markdown();
    if let Some(n) = args.examples {
        out.push_str(&score::mistakes_markdown(&report, &root, n));
    }
    Ok(out)
}
