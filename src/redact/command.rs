//! `piiscan redact` from parsed flags: layers the config file (its
//! top-level rule and walk settings and its `[redact]` table) and the
//! flags (defaults < config < flags) into [`RedactOptions`] (rules, key,
//! policy, output target), runs the
//! redaction, prints the one-line summary on stderr and returns the exit
//! code. The binary's `main` calls [`run`]; `subject erase` shares
//! [`layered_policy`].

use super::{
    FileDone, FileStatus, OUTPUT_CLOSED, RedactOptions, RedactPolicy, Strategy, Target, run_redact,
};
use crate::cli::RedactArgs;
use crate::config::{self, Flags, RedactTable, Settings};
use crate::detect::{Engine, RuleSet};
use crate::finding::Fingerprinter;
use crate::walk;
use anyhow::{Context as _, Result, bail};
use std::sync::Arc;

/// Runs `piiscan redact`; returns the exit code (0 nothing redacted, 1
/// something redacted, 2 errors).
pub fn run(args: RedactArgs) -> Result<i32> {
    // Defaults < config < flags, all resolved before any file is read.
    let config = config::load(args.config.as_deref(), args.no_config, &args.paths)?;
    let settings = Settings::layer(
        Flags {
            rule_files: &args.rules.rule_files,
            select: &args.rules.select,
            ignore: &args.rules.ignore,
            min_confidence: args.min_confidence,
            glob: &args.walk.glob,
            max_filesize: args.walk.max_filesize,
            threads: args.threads,
            fail_on: &[],
        },
        config.as_ref(),
    )?;
    let mut rules = RuleSet::builtin_with(&settings.rule_files)?;
    settings.filter_rules(&mut rules)?;
    // `redact.min_confidence` is between the flag and the top-level one.
    let min_confidence = args
        .min_confidence
        .or(settings.redact.min_confidence)
        .unwrap_or(settings.min_confidence);
    if !(0.0..=1.0).contains(&min_confidence) {
        bail!("--min-confidence must be within 0..1");
    }
    walk::check_globs(&settings.globs).map_err(anyhow::Error::msg)?;
    let policy = policy(&args, &settings.redact)?;
    let fingerprinter = key(&args, &settings.redact)?;
    let keyed = [Strategy::Pseudonym, Strategy::Fake];
    if !fingerprinter.stable
        && (keyed.contains(&policy.default) || policy.per_kind.values().any(|s| keyed.contains(s)))
    {
        eprintln!(
            "piiscan: no PIISCAN_KEY or --key-file: pseudonyms and fakes are consistent within this run only"
        );
    }
    let encoding = args.input.encoding()?;
    let only_stdin = args.paths.iter().all(|p| p.as_os_str() == "-");
    if args.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("`-` (standard input) can be given once");
    }
    let target = if args.in_place {
        if args.paths.iter().any(|p| p.as_os_str() == "-") {
            bail!("--in-place cannot apply to `-`: standard input goes to standard output");
        }
        Target::InPlace {
            backup: args.backup.clone(),
        }
    } else if let Some(dir) = &args.out {
        Target::OutDir(dir.clone())
    } else if only_stdin {
        Target::StdoutOnly
    } else {
        bail!("where should the redacted copies go? Give --out DIR, or --in-place");
    };
    let walk = args.walk.walk_options(&settings);
    let options = RedactOptions {
        paths: args.paths.clone(),
        target: target.clone(),
        walk,
        min_confidence,
        input_format: args.input.input_format,
        encoding,
        fingerprinter,
        policy,
        report: args.report.clone(),
        copy_unscanned: args.copy_unscanned,
        verify: !args.no_verify,
        only: None,
        file_timeout: args.limits.file_timeout,
        container_limits: args.limits.containers(),
    };
    let engine = Arc::new(Engine::new(rules)?);
    let s = run_redact(engine, options, &mut tell)?;
    let skipped: u64 = s.files_skipped.values().sum();
    let dest = match &target {
        Target::OutDir(d) => format!(" → {}", d.display()),
        Target::InPlace { .. } => " (in place)".into(),
        Target::StdoutOnly => String::new(),
    };
    eprintln!(
        "piiscan: replaced {} value(s) in {} file(s){dest}; {} unchanged, {} copied unscanned, {} skipped, {} error(s), {} with values left",
        s.values_replaced,
        s.files_redacted,
        s.files_unchanged,
        s.files_copied,
        skipped,
        s.files_errored,
        s.files_residual
    );
    Ok(s.exit_code())
}

/// One line on stderr for what the user must know about a file (never a
/// value: paths, counts and reasons only).
fn tell(d: &FileDone) {
    match &d.status {
        FileStatus::Error(m) => eprintln!("piiscan: {}: {m}", d.path),
        FileStatus::Skipped(r) if r == OUTPUT_CLOSED => {}
        FileStatus::Skipped(r) => eprintln!("piiscan: {}: skipped ({r})", d.path),
        FileStatus::Residual => eprintln!(
            "piiscan: {}: {} value(s) still found after redaction{}",
            d.path,
            d.residual_count,
            if d.path == "-" {
                " (already written to standard output)"
            } else {
                "; output not written"
            }
        ),
        _ => {}
    }
    for m in &d.omitted {
        eprintln!("piiscan: {m}: skipped (binary: left out of the rewritten container)");
    }
}

/// The policy: defaults, then the config's `[redact]`, then the flags
/// (`--strategy` and `--keep-last` replace the config's entry for the
/// kinds they name and leave the others).
fn policy(args: &RedactArgs, table: &RedactTable) -> Result<RedactPolicy> {
    layered_policy(
        table,
        args.default_strategy.as_deref(),
        &args.strategy,
        &args.keep_last,
        args.keep_length,
    )
}

/// Defaults < the config's `[redact]` table < the flags: the policy of
/// `redact` and of `subject erase` alike.
pub fn layered_policy(
    table: &RedactTable,
    default_strategy: Option<&str>,
    strategy: &[String],
    keep_last: &[String],
    keep_length: bool,
) -> Result<RedactPolicy> {
    let mut policy = RedactPolicy::default();
    if let Some(d) = table.default {
        policy.default = d;
    }
    policy
        .per_kind
        .extend(table.strategies.iter().map(|(&k, &s)| (k, s)));
    policy
        .keep_last
        .extend(table.keep_last.iter().map(|(&k, &n)| (k, n)));
    if let Some(k) = table.keep_length {
        policy.keep_length = k;
    }
    if let Some(d) = default_strategy {
        policy.default = Strategy::from_id(d).with_context(|| {
            format!("--default-strategy {d:?}: use mask, label, pseudonym, fake or drop")
        })?;
    }
    policy
        .set_strategies(strategy)
        .map_err(anyhow::Error::msg)?;
    policy
        .set_keep_last(keep_last)
        .map_err(anyhow::Error::msg)?;
    policy.keep_length |= keep_length;
    Ok(policy)
}

/// `--key-file`, else `PIISCAN_KEY`, else the config's `redact.key_file`,
/// else a per-run key (never a command-line value: it would land in shell
/// history and `ps`).
fn key(args: &RedactArgs, table: &RedactTable) -> Result<Fingerprinter> {
    Fingerprinter::from_key_sources(args.key_file.as_deref(), table.key_file.as_deref())
        .map_err(anyhow::Error::msg)
}
