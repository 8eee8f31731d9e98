//! `piiscan subject find|export|erase` from parsed flags: resolves the
//! subjects and scan options, runs, prints what a user must know (results
//! on stdout for `find`, notices on stderr) and returns the exit code.
//! The binary's `main` calls [`run`].

use super::erase::{EraseOptions, run_erase};
use super::export::write_bundle;
use super::identifiers::{Subject, SubjectSpec};
use super::{FindResult, SubjectMatcher, report, run_find};
use crate::app::ScanOptions;
use crate::cli::{SubjectCommand, SubjectFormat, SubjectIdArgs, SubjectScanArgs};
use crate::config::{self, Flags, Settings};
use crate::detect::{Engine, RuleSet};
use crate::finding::Fingerprinter;
use crate::finding::Kind;
use crate::walk;
use anyhow::{Context as _, Result, bail};
use std::io::{self, Write};
use std::sync::Arc;

/// Runs one `subject` command; returns the exit code.
pub fn run(cmd: SubjectCommand) -> Result<i32> {
    match cmd {
        SubjectCommand::Find(a) => {
            let (engine, scan, matcher) = prepare(&a.subject, &a.scan)?;
            let own = own_files(&a.subject, &[]);
            let found = run_find(engine, scan, matcher.clone(), a.show_values, &own)?;
            let mut out = io::BufWriter::new(io::stdout().lock());
            match a.format {
                SubjectFormat::Text => report::write_text(&mut out, matcher.subjects(), &found)?,
                SubjectFormat::Jsonl => report::write_jsonl(&mut out, matcher.subjects(), &found)?,
            }
            out.flush()?;
            Ok(found.exit_code())
        }
        SubjectCommand::Export(a) => {
            let (engine, scan, matcher) = prepare(&a.subject, &a.scan)?;
            let own = own_files(&a.subject, &[&a.out]);
            let found = run_find(engine, scan, matcher.clone(), true, &own)?;
            let n = write_bundle(
                &a.out,
                a.format,
                matcher.subjects(),
                &found,
                a.include_name_only,
            )
            .with_context(|| format!("{}: cannot write the bundle", a.out.display()))?;
            eprintln!(
                "piiscan: {}: {n} values of {} subject(s) written WITH RAW PERSONAL DATA (mode 0600); keep it private and delete it once delivered",
                a.out.display(),
                matcher.subjects().len()
            );
            tell_common(&found, a.include_name_only);
            if !found.skipped.is_empty() {
                let mut reasons: Vec<&str> =
                    found.skipped.iter().map(|(_, r)| r.as_str()).collect();
                reasons.sort_unstable();
                reasons.dedup();
                eprintln!(
                    "piiscan: {} inputs not searched to the end ({}): the bundle may miss data there (listed under not_searched)",
                    found.skipped.len(),
                    reasons.join("; "),
                );
            }
            Ok(if found.exit_code() == 2 {
                2
            } else if n > 0 {
                1
            } else {
                0
            })
        }
        SubjectCommand::Erase(a) => {
            let (engine, scan, matcher, settings) = prepare_with(&a.subject, &a.scan)?;
            // The policy of `redact`: defaults < the config's `[redact]`
            // table < the flags.
            let policy = crate::redact::command::layered_policy(
                &settings.redact,
                a.default_strategy.as_deref(),
                &a.strategy,
                &a.keep_last,
                a.keep_length,
            )?;
            let receipt = a
                .receipt
                .clone()
                .unwrap_or_else(|| a.out.join("erasure-receipt.json"));
            let own = own_files(&a.subject, &[&receipt]);
            let found = run_find(engine.clone(), scan.clone(), matcher.clone(), false, &own)?;
            let opts = EraseOptions {
                out_dir: a.out.clone(),
                policy,
                drop_records: a.drop_records,
                include_name_only: a.include_name_only,
                receipt: receipt.clone(),
            };
            let o = run_erase(engine, &scan, matcher.clone(), &found, &opts)?;
            for d in &o.files {
                match &d.status {
                    crate::redact::FileStatus::Error(m) => eprintln!("piiscan: {}: {m}", d.path),
                    crate::redact::FileStatus::Skipped(r) => {
                        eprintln!("piiscan: {}: skipped ({r})", d.path)
                    }
                    _ => {}
                }
            }
            for p in &o.mismatched {
                eprintln!(
                    "piiscan: {p}: the redactor replaced a different number of values than were selected; check the output"
                );
            }
            for m in &o.residual {
                eprintln!(
                    "piiscan: {}:{}:{}: {} of subject {} still found in the output",
                    m.path,
                    m.finding.line,
                    m.finding.column,
                    m.finding.kind,
                    matcher.subjects()[m.subject].id
                );
            }
            tell_common(&found, a.include_name_only);
            if o.not_erased > 0 {
                eprintln!(
                    "piiscan: {} selected values NOT erased: their files were not written (see above); the receipt lists them with \"erased\": false",
                    o.not_erased
                );
            }
            eprintln!(
                "piiscan: erased {} values ({} records dropped) in {} files; receipt {} (mode 0600, no values)",
                o.erased,
                o.records_dropped,
                o.summary.files_redacted,
                receipt.display()
            );
            Ok(o.exit_code()
                .max(if found.errors.is_empty() { 0 } else { 2 }))
        }
    }
}

/// The files a subject run must not read as data: the subject file (it
/// holds the identifiers) and the outputs (a bundle holds raw values).
fn own_files(ids: &SubjectIdArgs, outputs: &[&std::path::PathBuf]) -> Vec<std::path::PathBuf> {
    ids.subject_file
        .iter()
        .chain(outputs.iter().copied())
        .cloned()
        .collect()
}

fn tell_common(found: &FindResult, include_name_only: bool) {
    for (path, message) in &found.errors {
        eprintln!("piiscan: {path}: {message}");
    }
    let weak = found
        .matches
        .iter()
        .filter(|m| !super::export::selected(m, false))
        .count();
    if weak > 0 && !include_name_only {
        eprintln!(
            "piiscan: {weak} name-only matches left out (the name without another identifier: maybe a namesake); review them with `subject find`, include them with --include-name-only"
        );
    }
}

/// Subjects, engine, matcher and scan options from the config and flags.
fn prepare(
    ids: &SubjectIdArgs,
    a: &SubjectScanArgs,
) -> Result<(Arc<Engine>, ScanOptions, Arc<SubjectMatcher>)> {
    prepare_with(ids, a).map(|(e, s, m, _)| (e, s, m))
}

/// [`prepare`], also returning the layered settings (`erase` takes its
/// policy from them). Defaults < `piiscan.toml` < flags, as for `scan`
/// and `redact`: the config's rule files, kinds, select/ignore,
/// min_confidence, exclude globs, limits and key file apply. Its
/// allowlists, per-path overrides and baselines do not: they hide values
/// from scan reports, and a person's request covers their data wherever
/// it lies.
fn prepare_with(
    ids: &SubjectIdArgs,
    a: &SubjectScanArgs,
) -> Result<(Arc<Engine>, ScanOptions, Arc<SubjectMatcher>, Settings)> {
    let loaded = config::load(a.config.as_deref(), a.no_config, &a.paths)?;
    let settings = Settings::layer(
        Flags {
            min_confidence: a.min_confidence,
            glob: &a.walk.glob,
            max_filesize: a.walk.max_filesize,
            threads: a.threads,
            ..Flags::default()
        },
        loaded.as_ref(),
    )?;
    walk::check_globs(&settings.globs).map_err(anyhow::Error::msg)?;
    let mut specs = Vec::new();
    let flags = SubjectSpec {
        id: ids.id.clone(),
        phone: ids.phone.clone(),
        email: ids.email.clone(),
        inn: ids.inn.clone(),
        snils: ids.snils.clone(),
        passport: ids.passport.clone(),
        card: ids.card.clone(),
        name: ids.name.clone(),
    };
    if !flags.is_empty() {
        specs.push(flags);
    } else if ids.id.is_some() {
        bail!("--id names the subject given by identifier flags: give some");
    }
    if let Some(f) = &ids.subject_file {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("{}: cannot read the subject file", f.display()))?;
        specs.extend(SubjectSpec::parse_file(&text, &f.display().to_string())?);
    }
    if specs.is_empty() {
        bail!(
            "no subject: give identifiers (--phone, --email, --inn, --snils, --passport, --card, --name) or --subject FILE"
        );
    }
    let engine = Engine::new(subject_rules(&settings, &specs)?)?;
    let own;
    let names = match engine.name_matcher() {
        Some(n) => n,
        None => {
            own = crate::detect::names::NameMatcher::new();
            &own
        }
    };
    let mut subjects = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let default = if i == 0 {
            "subject".to_string()
        } else {
            format!("subject-{}", i + 1)
        };
        subjects.push(Subject::from_spec(spec, &default, names)?);
    }
    let mut seen = std::collections::BTreeSet::new();
    for s in &subjects {
        if !seen.insert(s.id.clone()) {
            bail!("two subjects are called {:?}: give each its own id", s.id);
        }
    }
    // The subjects' identifiers join the engine's one pass.
    let engine = Arc::new(engine.with_watch(super::watch_list(&subjects)));
    let fingerprinter =
        Fingerprinter::from_key_sources(a.key_file.as_deref(), settings.redact.key_file.as_deref())
            .map_err(anyhow::Error::msg)?;
    let encoding = a.input.encoding()?;
    let walk = a.walk.walk_options(&settings);
    let scan = ScanOptions {
        paths: a.paths.clone(),
        walk,
        min_confidence: settings.min_confidence,
        show_values: false,
        input_format: a.input.input_format,
        encoding,
        fingerprinter: fingerprinter.clone(),
        limits: crate::app::InputLimits {
            file_timeout: a.limits.file_timeout,
            max_findings_per_file: None,
            containers: a.limits.containers(),
        },
        split: Default::default(),
    };
    let mut matcher = SubjectMatcher::new(subjects, &fingerprinter, engine.clone());
    matcher.linkage = !a.no_linkage;
    matcher.min_confidence = settings.min_confidence;
    Ok((engine, scan, Arc::new(matcher), settings))
}

/// The built-in rules and the config's rule files, narrowed by its kinds,
/// select and ignore lists, except that a kind the subjects are searched
/// by keeps its rules: an identifier given explicitly is always searched
/// for (an ignore list is about noise in scan reports, not about what a
/// person asked for). The narrowing still applies to linked fields.
fn subject_rules(settings: &Settings, specs: &[SubjectSpec]) -> Result<RuleSet> {
    let mut rules = RuleSet::builtin_with(&settings.rule_files)?;
    let mut narrowed = rules.clone();
    settings.filter_rules(&mut narrowed)?;
    let kept: std::collections::HashSet<String> = narrowed
        .rules()
        .iter()
        .map(|r| r.id().to_string())
        .collect();
    let mut searched = Vec::new();
    for s in specs {
        for (given, kind) in [
            (&s.phone, Kind::Phone),
            (&s.email, Kind::Email),
            (&s.inn, Kind::Inn),
            (&s.snils, Kind::Snils),
            (&s.passport, Kind::PassportRu),
            (&s.card, Kind::Card),
            (&s.name, Kind::Person),
        ] {
            if !given.is_empty() {
                searched.push(kind);
            }
        }
    }
    rules.retain(|r| kept.contains(r.id()) || r.builtin && searched.contains(&r.kind));
    Ok(rules)
}
