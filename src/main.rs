//! The `piiscan` binary: parse arguments, build the engine and options,
//! run, and map the outcome to an exit code (0 clean, 1 findings, 2 errors).

use anyhow::{Context as _, Result, bail};
use clap::Parser;
use piiscan::app::{self, ScanOptions};
use piiscan::cli::{Cli, Command, RulesCommand, ScanArgs};
use piiscan::detect::{Engine, RuleSet};
use piiscan::finding::Fingerprinter;
use piiscan::inventory::ReportMeta;
use piiscan::sink;
use piiscan::walk::{self, WalkOptions};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

fn main() {
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
        Command::Rules(RulesCommand::List { rule_files }) => {
            let rules = load_rules(&rule_files)?;
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
                    set.extend(read_rule_file(f)?)?;
                    set
                }
                None => RuleSet::builtin(),
            };
            let checked: Vec<String> = match &file {
                Some(f) => read_rule_file(f)?
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
    }
}

fn read_rule_file(path: &PathBuf) -> Result<RuleSet> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read rule file", path.display()))?;
    RuleSet::from_toml(&text, &path.display().to_string(), false)
}

fn load_rules(files: &[PathBuf]) -> Result<RuleSet> {
    let mut rules = RuleSet::builtin();
    for f in files {
        rules.extend(read_rule_file(f)?)?;
    }
    Ok(rules)
}

fn scan(args: ScanArgs) -> Result<i32> {
    let mut rules = load_rules(&args.rule_files)?;
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
    let fingerprinter = fingerprinter(&args)?;
    let encoding = match &args.encoding {
        Some(label) => Some(
            piiscan::decode::encoding_by_label(label)
                .with_context(|| format!("unknown encoding {label:?}"))?,
        ),
        None => None,
    };
    let engine = Arc::new(Engine::new(rules)?);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
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
    let options = ScanOptions {
        paths,
        walk,
        min_confidence: args.min_confidence,
        show_values: args.show_values,
        input_format: args.input_format,
        encoding,
        fingerprinter,
    };
    let stdout = io::stdout();
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let out: Box<dyn Write + Send> = Box::new(io::BufWriter::with_capacity(64 * 1024, stdout));
    let meta = ReportMeta::now(report_parameters(&args));
    let mut sink = sink::for_report(args.format, out, color, meta.clone());
    if let Some(path) = &args.html {
        // Created before the walk: an unwritable report is a fatal error.
        let html = sink::HtmlSink::create(path, meta)
            .with_context(|| format!("{}: cannot write the HTML report", path.display()))?;
        sink = Box::new(sink::Tee::new(vec![sink, Box::new(html)]));
    }
    let summary = app::run_scan(engine, options, sink.as_mut())?;
    Ok(summary.exit_code())
}

/// The fingerprint key: `--key-file`, else `PIISCAN_KEY`, else per run.
/// Never from a command-line value (it would land in shell history and ps).
fn fingerprinter(args: &ScanArgs) -> Result<Fingerprinter> {
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

/// The scan parameters reports print (`inventory-json`, `--html`): what
/// was asked for, so a reader can judge the coverage. Never the key.
fn report_parameters(args: &ScanArgs) -> serde_json::Map<String, serde_json::Value> {
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
    let min_confidence = (f64::from(args.min_confidence) * 1e4).round() / 1e4;
    m.insert("min_confidence".into(), json!(min_confidence));
    m.insert("fingerprint_key".into(), json!(key));
    m.insert("max_filesize".into(), json!(args.max_filesize));
    m.insert("globs".into(), json!(args.glob));
    m.insert("respect_gitignore".into(), json!(args.respect_gitignore));
    m.insert("skip_hidden".into(), json!(args.no_hidden));
    m.insert("follow_links".into(), json!(args.follow));
    let rule_files: Vec<String> = args
        .rule_files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    m.insert("rule_files".into(), json!(rule_files));
    m.insert("select".into(), json!(args.select));
    m.insert("ignore".into(), json!(args.ignore));
    m.insert(
        "input_format".into(),
        json!(args.input_format.and_then(|f| name(f.to_possible_value()))),
    );
    m.insert("encoding".into(), json!(args.encoding));
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
