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
    /// Combine JSONL reports (e.g. of `--shard` runs) into one stream with
    /// one summary; exit code as `scan` would give for the whole.
    Merge(MergeArgs),
    /// Print a shell completion script (bash, zsh, fish, ...).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    Man,
    /// Write copies of files (or stdin → stdout) with personal data replaced.
    Redact(Box<RedactArgs>),
    /// Data-subject requests: find, export or erase one person's data.
    #[command(subcommand)]
    Subject(SubjectCommand),
}

/// `piiscan subject` (behaviour: `crate::subject`).
#[derive(Debug, Subcommand)]
pub enum SubjectCommand {
    /// Report every place the subject's data lives (access request).
    #[command(after_help = "Exit codes: 0 nothing found, 1 matches found, 2 errors.")]
    Find(Box<SubjectFindArgs>),
    /// Write the subject's records and values to a bundle (portability).
    /// The bundle holds raw values: it is created with mode 0600.
    Export(Box<SubjectExportArgs>),
    /// Write copies with only the subject's data redacted, plus a receipt.
    #[command(
        after_help = "Strategies as for `redact`: mask (default), label, pseudonym, fake, drop.\n\
Exit codes: 0 nothing erased, 1 erased, 2 errors or subject data left in an output."
    )]
    Erase(Box<SubjectEraseArgs>),
}

/// Who the subject is: identifiers from flags or a `subject.toml`.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Subject")]
pub struct SubjectIdArgs {
    /// Phone number, any spelling (`+7 912 345-67-89`, `8 912 3456789`).
    #[arg(long, value_name = "PHONE")]
    pub phone: Vec<String>,
    /// E-mail address (the domain is case-folded).
    #[arg(long, value_name = "EMAIL")]
    pub email: Vec<String>,
    /// INN (10 or 12 digits).
    #[arg(long, value_name = "INN")]
    pub inn: Vec<String>,
    /// SNILS (11 digits, separators allowed).
    #[arg(long, value_name = "SNILS")]
    pub snils: Vec<String>,
    /// Russian passport, series and number (`4508 123456`).
    #[arg(long, value_name = "PASSPORT")]
    pub passport: Vec<String>,
    /// Payment card number.
    #[arg(long, value_name = "CARD")]
    pub card: Vec<String>,
    /// Full name, surname and first name at least (`Иванова Анна Сергеевна`).
    #[arg(long, value_name = "NAME")]
    pub name: Vec<String>,
    /// How reports name the subject given by flags [default: subject].
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// A TOML file of subjects (`[[subject]]` tables with id, phone, email,
    /// inn, snils, passport, card, name); one report per subject.
    #[arg(long = "subject", value_name = "FILE")]
    pub subject_file: Option<PathBuf>,
}

/// What to scan and how subject matches are decided.
#[derive(Debug, Args, Clone)]
pub struct SubjectScanArgs {
    /// Files or directories to search.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Report only the matched values, not the other personal fields of
    /// the records they are in.
    #[arg(long)]
    pub no_linkage: bool,
    /// Link only record fields detected at or above this confidence
    /// [default: the config's `min_confidence`, else 0.5].
    #[arg(long)]
    pub min_confidence: Option<f32>,
    /// File holding the fingerprint key (else PIISCAN_KEY, else the
    /// config's `redact.key_file`, else a per-run key).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Config file (default: `piiscan.toml` in the first path's directory):
    /// its rules, kinds, select/ignore, min_confidence, exclude, limits and
    /// `[redact]` table apply as they do to `scan` and `redact`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look for `piiscan.toml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Output formats of `subject find`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SubjectFormat {
    /// `path:line:col kind masked` lines grouped per subject.
    Text,
    /// `subject_match` events, a `subject_summary` per subject, a `summary`.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct SubjectFindArgs {
    #[command(flatten)]
    pub subject: SubjectIdArgs,
    #[command(flatten)]
    pub scan: SubjectScanArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = SubjectFormat::Text)]
    pub format: SubjectFormat,
    /// Print raw values (off: masked previews and fingerprints only).
    #[arg(long)]
    pub show_values: bool,
}

#[derive(Debug, Args)]
pub struct SubjectExportArgs {
    #[command(flatten)]
    pub subject: SubjectIdArgs,
    #[command(flatten)]
    pub scan: SubjectScanArgs,
    /// The bundle to write (created 0600: it holds raw values).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Bundle format.
    #[arg(long, short = 'f', value_enum, default_value_t = crate::subject::export::BundleFormat::Json)]
    pub format: crate::subject::export::BundleFormat,
    /// Also take matches on the name alone (maybe a namesake).
    #[arg(long)]
    pub include_name_only: bool,
}

#[derive(Debug, Args)]
pub struct SubjectEraseArgs {
    #[command(flatten)]
    pub subject: SubjectIdArgs,
    #[command(flatten)]
    pub scan: SubjectScanArgs,
    /// Write the redacted mirror tree here: each input `R` goes to
    /// `DIR/basename(R)`.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// The receipt (JSON, mode 0600) [default: DIR/erasure-receipt.json].
    #[arg(long, value_name = "FILE")]
    pub receipt: Option<PathBuf>,
    /// Remove the subject's records whole (CSV rows, COPY rows, one-row
    /// INSERTs, NDJSON and CDR records) instead of their fields.
    #[arg(long)]
    pub drop_records: bool,
    /// Strategy per kind: `phone=pseudonym,email=label`.
    #[arg(long, value_delimiter = ',', value_name = "KIND=STRATEGY")]
    pub strategy: Vec<String>,
    /// Strategy for kinds not named by --strategy [default: the config's
    /// `redact.default`, else mask].
    #[arg(long, value_name = "STRATEGY")]
    pub default_strategy: Option<String>,
    /// Mask: characters left visible at the end, per kind.
    #[arg(long, value_delimiter = ',', value_name = "KIND=N")]
    pub keep_last: Vec<String>,
    /// Fit every replacement to the value's length (fixed-width columns).
    #[arg(long)]
    pub keep_length: bool,
    /// Also erase matches on the name alone (maybe a namesake).
    #[arg(long)]
    pub include_name_only: bool,
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
    /// Report only findings at or above this confidence (0..1) [default: 0.5].
    #[arg(long)]
    pub min_confidence: Option<f32>,
    /// Print raw values in reports. Off by default: reports carry masked
    /// previews and keyed fingerprints only.
    #[arg(long)]
    pub show_values: bool,
    /// File holding the fingerprint key (else PIISCAN_KEY, else a per-run key).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Stop scanning a file after N findings (reported as skipped with the
    /// reason; the N findings are kept).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_findings_per_file: Option<u64>,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub input: InputArgs,
    /// Files at least this large (K/M/G suffix) are scanned in pieces on
    /// all threads [default: 64M]. Hidden: for tests and benchmarks.
    #[arg(long, hide = true, value_name = "SIZE", value_parser = parse_size)]
    pub split_min_size: Option<u64>,
    /// Bytes per piece of a split file [default: 2M]. Hidden: for tests.
    #[arg(long, hide = true, value_name = "SIZE", value_parser = parse_size)]
    pub split_piece_size: Option<u64>,
    /// Also write a self-contained HTML inventory report to FILE (works
    /// with any --format; written atomically, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Colour for text output: auto, always, never.
    #[arg(long, default_value = "auto")]
    pub color: String,
    #[command(flatten)]
    pub ops: OpsArgs,
}

/// Options for scheduled and CI scans: config, suppression, incremental
/// state, sharding, gates, progress.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Operations")]
pub struct OpsArgs {
    /// Config file (default: `piiscan.toml` in the first path's directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look for `piiscan.toml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Report only findings not in this baseline (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings as a baseline (fingerprints, no values).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Incremental state: files unchanged since the last run with this file
    /// are not read again; their findings are carried over.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Scan only shard K of N (1-based) of the files, chosen by a stable
    /// hash of each path; N machines with K = 1..N split one tree.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Exit 1 only when KIND (or `any`) has more than N findings (default
    /// 0); repeatable. Without it any finding exits 1.
    #[arg(long, value_name = "KIND[=N]")]
    pub fail_on: Vec<String>,
    /// No progress bar (it is shown only when stderr is a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSONL reports to merge (`-` reads standard input).
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// As for `scan`: exit 1 only when KIND has more than N findings.
    #[arg(long, value_name = "KIND[=N]")]
    pub fail_on: Vec<String>,
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

/// `piiscan redact` options (behaviour: `crate::redact`).
#[derive(Debug, Args)]
#[command(
    after_help = "Strategies: mask (default; same length, separators kept), label ([PHONE]), \
pseudonym (keyed token, same value → same token), fake (valid synthetic value of the same shape), \
drop (empty the CSV field, JSON null, SQL NULL).\n\
Exit codes: 0 nothing redacted, 1 something redacted, 2 errors or values left in an output."
)]
pub struct RedactArgs {
    /// Files or directories to redact; `-` reads standard input and writes
    /// the redacted stream to standard output.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write a mirror tree here: each input `R` goes to `DIR/basename(R)`.
    #[arg(long, short = 'o', value_name = "DIR", conflicts_with = "in_place")]
    pub out: Option<PathBuf>,
    /// Replace the inputs themselves (only files with findings are touched).
    #[arg(long)]
    pub in_place: bool,
    /// With --in-place: keep each original as PATH+SUFFIX (e.g. `.orig`).
    #[arg(long, value_name = "SUFFIX", requires = "in_place")]
    pub backup: Option<String>,
    /// Strategy per kind: `phone=pseudonym,email=label` (kinds as in reports).
    #[arg(long, value_delimiter = ',', value_name = "KIND=STRATEGY")]
    pub strategy: Vec<String>,
    /// Strategy for kinds not named by --strategy [default: mask, or the
    /// config's `redact.default`].
    #[arg(long, value_name = "STRATEGY")]
    pub default_strategy: Option<String>,
    /// Mask: characters left visible at the end, per kind (`card=4,phone=2`
    /// are the defaults; never more than half a value).
    #[arg(long, value_delimiter = ',', value_name = "KIND=N")]
    pub keep_last: Vec<String>,
    /// Fit every replacement to the value's length (fixed-width columns).
    #[arg(long)]
    pub keep_length: bool,
    /// Write a JSONL report of what was replaced where (mode 0600; kinds,
    /// places, strategies and fingerprints, never values).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Copy files that cannot be scanned (binary) unchanged instead of
    /// leaving them out of the output.
    #[arg(long)]
    pub copy_unscanned: bool,
    /// Do not re-scan outputs before keeping them (faster; nothing then
    /// checks that no value was left behind).
    #[arg(long)]
    pub no_verify: bool,
    /// Replace only findings at or above this confidence (0..1) [default:
    /// the config's `redact.min_confidence`, else its `min_confidence`,
    /// else 0.5].
    #[arg(long)]
    pub min_confidence: Option<f32>,
    /// Key for pseudonyms, fakes and fingerprints (else PIISCAN_KEY, else a
    /// per-run key: tokens are then consistent within this run only).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub input: InputArgs,
    /// Config file (default: `piiscan.toml` in the first path's directory);
    /// its `[redact]` table sets the policy, flags override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look for `piiscan.toml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

/// Which files a walk reads (`scan`, `redact`, `subject`).
#[derive(Debug, Args, Clone, Default)]
pub struct WalkArgs {
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
}

impl WalkArgs {
    /// The walk these flags ask for, with the globs, size limit and thread
    /// count as layered from the config file and the flags.
    pub fn walk_options(&self, settings: &crate::config::Settings) -> crate::walk::WalkOptions {
        let mut walk = crate::walk::WalkOptions {
            respect_gitignore: self.respect_gitignore,
            skip_hidden: self.no_hidden,
            follow_links: self.follow,
            globs: settings.globs.clone(),
            max_filesize: settings.max_filesize,
            ..crate::walk::WalkOptions::default()
        };
        if let Some(t) = settings.threads {
            walk.threads = t.max(1);
        }
        walk
    }
}

/// Which rules run (`scan` and `redact`).
#[derive(Debug, Args, Clone, Default)]
pub struct RuleArgs {
    /// Extra rule files (same TOML schema as the built-in rules).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
    /// Only rules whose id starts with one of these prefixes.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Drop rules whose id starts with one of these prefixes.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
}

/// How inputs are read when sniffing is not wanted (`scan`, `redact`,
/// `subject`).
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Treat every input as this format instead of sniffing it.
    #[arg(long, value_enum)]
    pub input_format: Option<crate::extract::InputFormat>,
    /// Read every input in this encoding instead of detecting it
    /// (utf-8, utf-16le, utf-16be, windows-1251, koi8-r, cp866, ...).
    #[arg(long)]
    pub encoding: Option<String>,
}

impl InputArgs {
    /// The `--encoding` label resolved (an unknown label is an error).
    pub fn encoding(&self) -> anyhow::Result<Option<&'static encoding_rs::Encoding>> {
        self.encoding
            .as_deref()
            .map(|label| {
                crate::decode::encoding_by_label(label)
                    .ok_or_else(|| anyhow::anyhow!("unknown encoding {label:?}"))
            })
            .transpose()
    }
}

/// The per-input time and decompression limits `scan`, `redact` and
/// `subject` share.
#[derive(Debug, Args, Clone, Default)]
pub struct LimitArgs {
    /// Stop reading a file (or a stream inside an archive) after this many
    /// seconds (fractions allowed), checked between chunks; reported as
    /// skipped with the reason. A scan keeps the findings so far; a
    /// redaction writes nothing for that file.
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub file_timeout: Option<std::time::Duration>,
    /// Decompression limit: bytes all layers of one archive or compressed
    /// file may expand to (K/M/G suffix) [default: 4G].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_decompressed: Option<u64>,
    /// Decompression limit: output/input ratio per layer (checked past the
    /// first MiB) [default: 200].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    pub max_ratio: Option<u64>,
}

impl LimitArgs {
    /// The decompression limits: the defaults, with what the flags set.
    pub fn containers(&self) -> crate::source::container::Limits {
        let mut limits = crate::source::container::Limits::default();
        if let Some(n) = self.max_decompressed {
            limits.max_expanded_bytes = n;
        }
        if let Some(r) = self.max_ratio {
            limits.max_ratio = r;
        }
        limits
    }
}

/// Parses a positive number of seconds: `5`, `0.5`.
pub fn parse_secs(s: &str) -> Result<std::time::Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() && x < 1e9 => Ok(std::time::Duration::from_secs_f64(x)),
        _ => Err(format!("not a positive number of seconds: {s:?}")),
    }
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
    fn seconds() {
        assert_eq!(parse_secs("2"), Ok(std::time::Duration::from_secs(2)));
        assert_eq!(parse_secs("0.5"), Ok(std::time::Duration::from_millis(500)));
        for bad in ["0", "-1", "inf", "NaN", "x"] {
            assert!(parse_secs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
