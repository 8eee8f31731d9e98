//! The `piiscan` binary: parse arguments, build the engine and options,
//! run, and map the outcome to an exit code (0 clean, 1 findings, 2 errors).

use anyhow::{Context as _, Result, bail};
use clap::Parser;
use piiscan::app::{self, ScanOptions};
use piiscan::cli::{Cli, Command, RulesCommand, ScanArgs};
use piiscan::config::{self, Settings};
use piiscan::detect::{Engine, RuleSet};
use piiscan::finding::Fingerprinter;
use piiscan::gate::FailOn;
use piiscan::inventory::ReportMeta;
use piiscan::sink;
use piiscan::suppress::{Filter, FilterSpec, WorkerFilter};
use piiscan::walk;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

fn main() {
    // A panic message may quote the data being scanned (a value in an
    // assertion, a slice in a debug print): print where, never what.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "piiscan: internal error{at} (a bug: please report it; its message is withheld because it may quote scanned data)"
        );
    }));
    let cli = Cli::parse();
    if cli.debug {
        log::set_max_level(log::LevelFilter::Debug);
        let _ = log::set_logger(&StderrLogger);
    }
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                0
            } else {
                eprintln!("piiscan: {e:#}");
                2
            }
        }
    };
    std::process::exit(code);
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Diff(args) => {
            piiscan::diff::run(&args.old, &args.new, args.format, &mut io::stdout().lock())
        }
        Command::Redact(args) => piiscan::redact::command::run(*args),
        Command::Subject(cmd) => piiscan::subject::command::run(cmd),
        Command::Rules(RulesCommand::List { rule_files }) => {
            let rules = RuleSet::builtin_with(&rule_files)?;
            let mut out = io::stdout().lock();
            for r in rules.rules() {
                writeln!(out, "{:<16} {:<14} {}", r.id(), r.kind, r.spec.description)?;
            }
            Ok(0)
        }
        Command::Rules(RulesCommand::Check { file }) => {
            let rules = match &file {
                Some(f) => {
                    let mut set = RuleSet::builtin();
                    set.extend(RuleSet::from_file(f)?)?;
                    set
                }
                None => RuleSet::builtin(),
            };
            let checked: Vec<String> = match &file {
                Some(f) => RuleSet::from_file(f)?
                    .rules()
                    .iter()
                    .map(|r| r.id().to_string())
                    .collect(),
                None => rules.rules().iter().map(|r| r.id().to_string()).collect(),
            };
            let engine = Engine::new(rules)?;
            let failures: Vec<String> = engine
                .check_examples()
                .into_iter()
                .filter(|f| checked.iter().any(|id| f.starts_with(&format!("{id}:"))))
                .collect();
            for f in &failures {
                println!("FAIL {f}");
            }
            println!(
                "{} rules checked, {} failures",
                checked.len(),
                failures.len()
            );
            Ok(if failures.is_empty() { 0 } else { 1 })
        }
        Command::Merge(args) => {
            let gates = FailOn::parse_all(&args.fail_on)?;
            let inputs: Vec<&std::path::Path> = args.reports.iter().map(|p| p.as_path()).collect();
            let mut out = io::BufWriter::new(io::stdout().lock());
            let t = piiscan::merge::merge(&inputs, &mut out)?;
            Ok(piiscan::gate::exit_code(
                t.files_errored,
                t.findings,
                &t.by_kind,
                &gates,
            ))
        }
        Command::Completions { shell } => {
            let mut out = io::stdout().lock();
            piiscan::manual::completions(shell, &mut out);
            out.flush()?;
            Ok(0)
        }
        Command::Man => {
            let mut out = io::stdout().lock();
            piiscan::manual::man(&mut out)?;
            out.flush()?;
            Ok(0)
        }
    }
}

fn scan(args: ScanArgs) -> Result<i32> {
    // Defaults < config < flags, all resolved before any file is read.
    let config = config::load_for(&args)?;
    let settings = Settings::resolve(&args, config.as_ref())?;
    let mut rules = RuleSet::builtin_with(&settings.rule_files)?;
    settings.filter_rules(&mut rules)?;
    let gates = FailOn::parse_all(&settings.fail_on)?;
    walk::check_globs(&settings.globs).map_err(anyhow::Error::msg)?;
    let fingerprinter = fingerprinter(&args)?;
    let encoding = args.input.encoding()?;
    let mut hooks = scan_hooks(&args, &settings, &fingerprinter)?;
    // A big state takes as long to load as the engine to build: do both
    // at once.
    let (engine, state) = std::thread::scope(|scope| {
        let state = args.ops.state.as_ref().map(|path| {
            let rules = rules.clone();
            let (args, settings, fingerprinter) = (&args, &settings, &fingerprinter);
            let worker_filter = hooks.worker_filter.as_deref();
            scope.spawn(move || {
                open_state(
                    path,
                    args,
                    settings,
                    fingerprinter,
                    encoding,
                    &rules,
                    worker_filter,
                )
            })
        });
        let engine = Engine::new(rules);
        let state = state.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("loading the state failed")))
        });
        (engine, state)
    });
    let engine = Arc::new(engine?);
    hooks.state = state.transpose()?.map(Arc::new);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut walk = args.walk.walk_options(&settings);
    if let Some(s) = &args.ops.shard {
        walk.shard = Some(s.parse().map_err(anyhow::Error::msg)?);
    }
    let options = ScanOptions {
        paths,
        walk,
        // Per-path overrides may go lower: the engine keeps everything at
        // or above the lowest threshold and the filter applies each path's.
        min_confidence: settings.min_confidence_floor(),
        show_values: args.show_values,
        input_format: args.input.input_format,
        encoding,
        fingerprinter,
        limits: input_limits(&args),
        split: split_options(&args),
    };
    let stdout = io::stdout();
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let progress = piiscan::progress::wanted(args.ops.quiet, io::stderr().is_terminal());
    let shared_terminal = progress && stdout.is_terminal();
    // Sharing the terminal with the bar, report lines go out whole, one at
    // a time (stdout is line-buffered), while the bar is cleared.
    let out: Box<dyn Write + Send> = if shared_terminal {
        Box::new(stdout)
    } else {
        Box::new(io::BufWriter::with_capacity(64 * 1024, stdout))
    };
    let meta = ReportMeta::now(report_parameters(&args, settings.min_confidence_floor()));
    let mut sink = sink::for_report(args.format, out, color, meta.clone(), engine.rules());
    if let Some(path) = &args.html {
        // Created before the walk: an unwritable report is a fatal error.
        let html = sink::HtmlSink::create(path, meta)
            .with_context(|| format!("{}: cannot write the HTML report", path.display()))?;
        sink = Box::new(sink::Tee::new(vec![sink, Box::new(html)]));
    }
    if progress {
        let total = piiscan::progress::known_total(&options.paths);
        sink = Box::new(piiscan::progress::ProgressSink::new(
            sink,
            total,
            shared_terminal,
        ));
    }
    let summary = app::run_scan_with(engine, options, &mut hooks, sink.as_mut())?;
    // The process ends now: freeing a large state entry by entry would
    // take longer than the exit does.
    std::mem::forget(hooks);
    Ok(summary.exit_code_gated(&gates))
}

/// When `scan` splits one huge file across threads (the hidden test flags
/// lower the defaults).
fn split_options(args: &ScanArgs) -> piiscan::source::split::SplitOptions {
    let mut split = piiscan::source::split::SplitOptions::default();
    if let Some(n) = args.split_min_size {
        split.min_size = n;
    }
    if let Some(n) = args.split_piece_size {
        split.piece = n;
    }
    split
}

/// The per-input limits of `scan` (defaults for what the flags leave out).
fn input_limits(args: &ScanArgs) -> app::InputLimits {
    app::InputLimits {
        file_timeout: args.limits.file_timeout,
        max_findings_per_file: args.max_findings_per_file,
        containers: args.limits.containers(),
    }
}

/// The suppression and bookkeeping around a scan, from the settings and
/// the operations flags.
fn scan_hooks(
    args: &ScanArgs,
    settings: &Settings,
    fingerprinter: &Fingerprinter,
) -> Result<app::ScanHooks> {
    let ops = &args.ops;
    if (ops.baseline.is_some() || ops.write_baseline.is_some()) && !fingerprinter.stable {
        bail!(
            "a baseline needs a stable fingerprint key: set PIISCAN_KEY or --key-file (fingerprints under a per-run key never match)"
        );
    }
    if !settings.allowlist.fingerprints.is_empty() && !fingerprinter.stable {
        eprintln!(
            "piiscan: note: allowlisted fingerprints match only under the key they were made with; set PIISCAN_KEY or --key-file"
        );
    }
    let worker_filter = WorkerFilter::new(true, &settings.allowlist.patterns)?;
    let filter = Filter::new(FilterSpec {
        min_confidence: settings.min_confidence,
        allowlist: Some(&settings.allowlist),
        overrides: &settings.overrides,
        baseline: ops.baseline.as_deref(),
        write_baseline: ops.write_baseline.as_deref(),
        key_check: fingerprinter.key_check(),
    })?;
    let own_files = [&ops.baseline, &ops.write_baseline, &ops.state]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    Ok(app::ScanHooks {
        worker_filter: Some(Arc::new(worker_filter)),
        filter: Some(filter),
        own_files,
        state: None,
    })
}

/// Opens `--state`, stamped with everything that changes results: the
/// rules, the piiscan version, the engine-side threshold, forced format
/// and encoding, the fingerprint key (by its check value) and the
/// worker-side suppression. Allowlists, overrides and baselines apply
/// after the state, so editing them needs no rescan.
fn open_state(
    path: &std::path::Path,
    args: &ScanArgs,
    settings: &Settings,
    fingerprinter: &Fingerprinter,
    encoding: Option<&'static encoding_rs::Encoding>,
    rules: &RuleSet,
    worker_filter: Option<&WorkerFilter>,
) -> Result<piiscan::state::State> {
    if args.show_values {
        bail!("--state never stores raw values, so it cannot be combined with --show-values");
    }
    if !fingerprinter.stable {
        bail!(
            "--state needs a stable fingerprint key: set PIISCAN_KEY or --key-file (a per-run key changes every fingerprint)"
        );
    }
    let options = piiscan::state::options_hash(&[
        env!("CARGO_PKG_VERSION").to_string(),
        settings.min_confidence_floor().to_string(),
        format!("{:?}", args.input.input_format),
        encoding.map_or("auto", |e| e.name()).to_string(),
        fingerprinter.key_check(),
        worker_filter
            .map(WorkerFilter::describe)
            .unwrap_or_default(),
    ]);
    let state = piiscan::state::State::open(path, rules, &options)?;
    if let Some(why) = state.discarded() {
        eprintln!(
            "piiscan: {}: previous state not used ({why}); scanning everything",
            path.display()
        );
    }
    Ok(state)
}

/// The fingerprint key: `--key-file`, else `PIISCAN_KEY`, else per run.
fn fingerprinter(args: &ScanArgs) -> Result<Fingerprinter> {
    Fingerprinter::from_key_sources(args.key_file.as_deref(), None).map_err(anyhow::Error::msg)
}

/// The scan parameters reports print (`inventory-json`, `--html`): what
/// was asked for, so a reader can judge the coverage. Never the key.
fn report_parameters(
    args: &ScanArgs,
    min_confidence: f32,
) -> serde_json::Map<String, serde_json::Value> {
    use clap::ValueEnum as _;
    use serde_json::json;
    let name = |v: Option<clap::builder::PossibleValue>| v.map(|p| p.get_name().to_string());
    let paths: Vec<String> = if args.paths.is_empty() {
        vec![".".into()]
    } else {
        args.paths.iter().map(|p| p.display().to_string()).collect()
    };
    let key = if args.key_file.is_some() {
        "key file"
    } else if std::env::var_os("PIISCAN_KEY").is_some_and(|k| !k.is_empty()) {
        "PIISCAN_KEY"
    } else {
        "per-run random key"
    };
    let mut m = serde_json::Map::new();
    m.insert("paths".into(), json!(paths));
    m.insert(
        "format".into(),
        json!(name(args.format.to_possible_value())),
    );
    // As typed: an f32 printed as f64 would show 0.800000011920929.
    let min_confidence = (f64::from(min_confidence) * 1e4).round() / 1e4;
    m.insert("min_confidence".into(), json!(min_confidence));
    m.insert("fingerprint_key".into(), json!(key));
    m.insert("max_filesize".into(), json!(args.walk.max_filesize));
    m.insert(
        "file_timeout".into(),
        json!(args.limits.file_timeout.map(|d| d.as_secs_f64())),
    );
    m.insert(
        "max_findings_per_file".into(),
        json!(args.max_findings_per_file),
    );
    m.insert(
        "max_decompressed".into(),
        json!(args.limits.max_decompressed),
    );
    m.insert("max_ratio".into(), json!(args.limits.max_ratio));
    m.insert("globs".into(), json!(args.walk.glob));
    m.insert(
        "respect_gitignore".into(),
        json!(args.walk.respect_gitignore),
    );
    m.insert("skip_hidden".into(), json!(args.walk.no_hidden));
    m.insert("follow_links".into(), json!(args.walk.follow));
    let rule_files: Vec<String> = args
        .rules
        .rule_files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    m.insert("rule_files".into(), json!(rule_files));
    m.insert("select".into(), json!(args.rules.select));
    m.insert("ignore".into(), json!(args.rules.ignore));
    m.insert(
        "input_format".into(),
        json!(
            args.input
                .input_format
                .and_then(|f| name(f.to_possible_value()))
        ),
    );
    m.insert("encoding".into(), json!(args.input.encoding));
    m.insert("threads".into(), json!(args.threads));
    let html = args.html.as_ref().map(|p| p.display().to_string());
    m.insert("html".into(), json!(html));
    m
}

/// `--debug` lines on stderr.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.level() <= log::Level::Debug
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            eprintln!(
                "piiscan[{}]: {}",
                r.level().as_str().to_lowercase(),
                r.args()
            );
        }
    }
    fn flush(&self) {}
}
