//! Command-line definitions (clap derive) only: no behaviour lives here.

use crate::sink::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "piiscan",
    version,
    about = "Find personal data (PII) in files, call logs and database dumps",
    long_about = "Find personal data (PII) in files, call logs and database dumps.\n\n\
Exit codes: 0 no findings, 1 findings at or above --min-confidence, 2 errors.\n\
Fingerprints are keyed with PIISCAN_KEY (environment) or --key-file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Explain decisions (files skipped, formats chosen) on stderr.
    #[arg(long, global = true)]
    pub debug: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (`-` for stdin) and report findings.
    Scan(Box<ScanArgs>),
    /// List or check detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Compare two `--format inventory-json` files: locations and kinds
    /// that appeared or disappeared. Exit 1 when something appeared.
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier inventory (`-` for standard input).
    pub old: PathBuf,
    /// The later inventory (`-` for standard input).
    pub new: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = crate::diff::DiffFormat::Text)]
    pub format: crate::diff::DiffFormat,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input. Default: `.`
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Report only findings at or above this confidence (0..1).
    #[arg(long, default_value_t = piiscan_default_min_confidence())]
    pub min_confidence: f32,
    /// Print raw values in reports. Off by default: reports carry masked
    /// previews and keyed fingerprints only.
    #[arg(long)]
    pub show_values: bool,
    /// File holding the fingerprint key (else PIISCAN_KEY, else a per-run key).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Skip files larger than this (bytes, or with K/M/G suffix).
    #[arg(long, value_parser = parse_size)]
    pub max_filesize: Option<u64>,
    /// Include (`GLOB`) or exclude (`!GLOB`) paths; repeatable.
    #[arg(long, short = 'g')]
    pub glob: Vec<String>,
    /// Honour .gitignore / .ignore files (off: a compliance scan sees all).
    #[arg(long)]
    pub respect_gitignore: bool,
    /// Skip hidden files and directories.
    #[arg(long)]
    pub no_hidden: bool,
    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Extra rule files (same TOML schema as the built-in rules).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
    /// Only rules whose id starts with one of these prefixes.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Drop rules whose id starts with one of these prefixes.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Treat every input as this format instead of sniffing it.
    #[arg(long, value_enum)]
    pub input_format: Option<crate::extract::InputFormat>,
    /// Read every input in this encoding instead of detecting it
    /// (utf-8, utf-16le, utf-16be, windows-1251, koi8-r, cp866, ...).
    #[arg(long)]
    pub encoding: Option<String>,
    /// Also write a self-contained HTML inventory report to FILE (works
    /// with any --format; written atomically, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Colour for text output: auto, always, never.
    #[arg(long, default_value = "auto")]
    pub color: String,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print every rule: id, kind, description.
    List {
        /// Also list the rules of these files.
        #[arg(long = "rules", value_name = "FILE")]
        rule_files: Vec<PathBuf>,
    },
    /// Run each rule's examples and negatives; exit 1 on any failure.
    Check {
        /// A rule file to check (default: the built-in rules).
        file: Option<PathBuf>,
    },
}

/// Parses `123`, `10K`, `5M`, `2G` (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => return Err(format!("unknown size suffix in {s:?} (use K, M or G)")),
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .map(|n| n.saturating_mul(mult))
        .map_err(|_| format!("not a size: {s:?}"))
}

fn piiscan_default_min_confidence() -> f32 {
    crate::detect::DEFAULT_MIN_CONFIDENCE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size("10K"), Ok(10240));
        assert_eq!(parse_size("2m"), Ok(2 << 20));
        assert!(parse_size("1X").is_err());
        assert!(parse_size("abc").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
