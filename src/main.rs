//! The `piiscan` binary: parse arguments, build the engine and options,
//! run, and map the outcome to an exit code (0 clean, 1 findings, 2 errors).

use anyhow::{Context as _, Result, bail};
use clap::Parser;
use piiscan::app::{self, ScanOptions};
use piiscan::cli::{Cli, Command, RulesCommand, ScanArgs};
use piiscan::detect::{Engine, RuleSet};
use piiscan::finding::Fingerprinter;
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
    let mut sink = sink::for_format(args.format, out, color);
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
