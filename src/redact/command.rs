//! `piiscan redact` from parsed flags: resolves [`RedactArgs`] into
//! [`RedactOptions`] (rules, key, policy, output target), runs the
//! redaction, prints the one-line summary on stderr and returns the exit
//! code. The binary's `main` calls [`run`]; nothing else here is public.

use super::{
    FileDone, FileStatus, OUTPUT_CLOSED, RedactOptions, RedactPolicy, Strategy, Target, run_redact,
};
use crate::cli::RedactArgs;
use crate::detect::{Engine, RuleSet};
use crate::finding::Fingerprinter;
use crate::walk::{self, WalkOptions};
use anyhow::{Context as _, Result, bail};
use std::sync::Arc;

/// Runs `piiscan redact`; returns the exit code (0 nothing redacted, 1
/// something redacted, 2 errors).
pub fn run(args: RedactArgs) -> Result<i32> {
    let mut rules = RuleSet::builtin();
    for f in &args.rule_files {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("{}: cannot read rule file", f.display()))?;
        rules.extend(RuleSet::from_toml(&text, &f.display().to_string(), false)?)?;
    }
    if !args.select.is_empty() {
        rules.retain(|r| args.select.iter().any(|p| r.id().starts_with(p.as_str())));
    }
    rules.retain(|r| !args.ignore.iter().any(|p| r.id().starts_with(p.as_str())));
    if rules.is_empty() {
        bail!("no rules left after --select/--ignore");
    }
    if !(0.0..=1.0).contains(&args.min_confidence) {
        bail!("--min-confidence must be within 0..1");
    }
    walk::check_globs(&args.glob).map_err(anyhow::Error::msg)?;
    let mut policy = RedactPolicy {
        default: Strategy::from_id(&args.default_strategy).with_context(|| {
            format!(
                "--default-strategy {:?}: use mask, label, pseudonym, fake or drop",
                args.default_strategy
            )
        })?,
        ..RedactPolicy::default()
    };
    policy
        .set_strategies(&args.strategy)
        .map_err(anyhow::Error::msg)?;
    policy
        .set_keep_last(&args.keep_last)
        .map_err(anyhow::Error::msg)?;
    policy.keep_length = args.keep_length;
    let fingerprinter = key(&args)?;
    let keyed = [Strategy::Pseudonym, Strategy::Fake];
    if !fingerprinter.stable
        && (keyed.contains(&policy.default) || policy.per_kind.values().any(|s| keyed.contains(s)))
    {
        eprintln!(
            "piiscan: no PIISCAN_KEY or --key-file: pseudonyms and fakes are consistent within this run only"
        );
    }
    let encoding = match &args.encoding {
        Some(label) => Some(
            crate::decode::encoding_by_label(label)
                .with_context(|| format!("unknown encoding {label:?}"))?,
        ),
        None => None,
    };
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
    let mut walk = WalkOptions {
        respect_gitignore: args.respect_gitignore,
        skip_hidden: args.no_hidden,
        follow_links: args.follow,
        globs: args.glob.clone(),
        max_filesize: args.max_filesize,
        ..WalkOptions::default()
    };
    if let Some(t) = args.threads {
        walk.threads = t.max(1);
    }
    let options = RedactOptions {
        paths: args.paths.clone(),
        target: target.clone(),
        walk,
        min_confidence: args.min_confidence,
        input_format: args.input_format,
        encoding,
        fingerprinter,
        policy,
        report: args.report.clone(),
        copy_unscanned: args.copy_unscanned,
        verify: !args.no_verify,
        only: None,
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

/// `--key-file`, else `PIISCAN_KEY`, else a per-run key (never a
/// command-line value: it would land in shell history and `ps`).
fn key(args: &RedactArgs) -> Result<Fingerprinter> {
    if let Some(path) = &args.key_file {
        let key = std::fs::read(path)
            .with_context(|| format!("{}: cannot read key file", path.display()))?;
        let key = key.trim_ascii();
        if key.is_empty() {
            bail!("{}: key file is empty", path.display());
        }
        return Ok(Fingerprinter::from_secret(key));
    }
    match std::env::var_os("PIISCAN_KEY") {
        Some(k) if !k.is_empty() => Ok(Fingerprinter::from_secret(k.as_encoded_bytes())),
        _ => Ok(Fingerprinter::random()),
    }
}
