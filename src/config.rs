//! The config file, `piiscan.toml`: its schema, finding and loading it,
//! and layering it between the defaults and the flags (defaults < config <
//! flags) into one resolved [`Settings`].
//!
//! Owns the schema (every table rejects unknown keys, and the error names
//! the key and the file), checking every value before any file is read
//! (kinds, globs, patterns, fingerprints, sizes), and the precedence rules.
//! It does not scan, suppress or redact: the CLI turns [`Settings`] into
//! the engine's rule set, the scan options and the suppression filters;
//! the engine never sees this file (DESIGN §2).
//!
//! ```toml
//! kinds = ["email", "phone", "card", "snils", "inn", "passport_ru"]
//! ignore = ["ipv4"]                 # rule-id prefixes, like --ignore
//! rules = ["rules/acme.toml"]       # relative to this file
//! min_confidence = 0.6
//! exclude = ["*.min.js", "vendor/**"]
//! fail_on = ["card", "passport_ru", "email=20"]
//!
//! [limits]
//! max_filesize = "200M"
//! threads = 4
//!
//! [[override]]                      # later overrides win
//! paths = ["logs/**"]
//! min_confidence = 0.9
//! ignore = ["phone.ru.bare"]
//!
//! [allowlist]
//! fingerprints = ["9f2c4e0b1a7d3c5e8f6a2b4c6d8e0f1a"]
//! patterns = ['@example\.(com|org)$']   # regexes, matched against values
//! paths = ["fixtures/**"]
//!
//! [redact]                          # for `piiscan redact`
//! default = "mask"                  # strategy of kinds not named below
//! keep_last = { phone = 2, card = 4 }
//! keep_length = false
//! key_file = "keys/redact.key"      # relative to this file
//! min_confidence = 0.6              # else the top-level one
//! email = "label"                   # any kind id: its strategy
//! phone = "pseudonym"
//! ```

use crate::cli::ScanArgs;
use crate::detect::RuleSet;
use crate::finding::Kind;
use anyhow::{Context as _, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name looked for in the scanned root.
pub const FILE_NAME: &str = "piiscan.toml";

/// `piiscan.toml` as written. Every table rejects unknown keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Kinds to report (stable kind ids); the rules of other kinds are
    /// dropped. Default: all kinds.
    pub kinds: Option<Vec<String>>,
    /// Keep only rules whose id starts with one of these (like `--select`).
    #[serde(default)]
    pub select: Vec<String>,
    /// Drop rules whose id starts with one of these (like `--ignore`).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Extra rule files, relative to the config file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Report only findings at or above this confidence.
    pub min_confidence: Option<f32>,
    /// Paths not to scan (globs, as `--glob '!GLOB'`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// CI gates, as `--fail-on`: `KIND` or `KIND=N`.
    #[serde(default)]
    pub fail_on: Vec<String>,
    #[serde(default)]
    pub limits: Limits,
    /// Per-path settings, applied in order (later ones win).
    #[serde(default, rename = "override")]
    pub overrides: Vec<Override>,
    #[serde(default)]
    pub allowlist: Allowlist,
    /// The redaction policy, for `piiscan redact`.
    #[serde(default)]
    pub redact: RedactTable,
}

/// `[redact]`: option keys plus `kind = "strategy"` for any kind id
/// (`email = "label"`, `phone = "pseudonym"`). Strategy names and kind ids
/// are checked when the file is read; an unknown key is an error naming
/// it. Paths are as written; [`Settings`] resolves them against the file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(try_from = "BTreeMap<String, toml::Value>")]
pub struct RedactTable {
    /// Strategy of the kinds not named (like `--default-strategy`).
    pub default: Option<crate::redact::Strategy>,
    /// Strategy per kind (like `--strategy KIND=STRATEGY`).
    pub strategies: BTreeMap<Kind, crate::redact::Strategy>,
    /// Mask: characters left visible at the end, per kind (like
    /// `--keep-last`).
    pub keep_last: BTreeMap<Kind, usize>,
    /// Fit replacements to the value's length (like `--keep-length`).
    pub keep_length: Option<bool>,
    /// The key of pseudonyms, fakes and fingerprints (like `--key-file`).
    pub key_file: Option<PathBuf>,
    /// Replace findings at or above this confidence; else the top-level
    /// `min_confidence`.
    pub min_confidence: Option<f32>,
}

/// The option keys of `[redact]`; every other key must be a kind id.
const REDACT_OPTIONS: [&str; 5] = [
    "default",
    "keep_last",
    "keep_length",
    "key_file",
    "min_confidence",
];

impl TryFrom<BTreeMap<String, toml::Value>> for RedactTable {
    type Error = String;

    fn try_from(table: BTreeMap<String, toml::Value>) -> Result<Self, String> {
        use crate::redact::Strategy;
        let strategy = |key: &str, v: &toml::Value| -> Result<Strategy, String> {
            let name = v
                .as_str()
                .ok_or_else(|| format!("redact.{key}: expected a strategy name, not {v}"))?;
            Strategy::from_id(name).ok_or_else(|| {
                format!(
                    "redact.{key}: unknown strategy {name:?} (mask, label, pseudonym, fake, drop)"
                )
            })
        };
        let boolean = |key: &str, v: &toml::Value| {
            v.as_bool()
                .ok_or_else(|| format!("redact.{key}: expected true or false, not {v}"))
        };
        let mut t = RedactTable::default();
        for (key, v) in &table {
            match key.as_str() {
                "default" => t.default = Some(strategy(key, v)?),
                "keep_length" => t.keep_length = Some(boolean(key, v)?),
                "key_file" => {
                    let p = v
                        .as_str()
                        .ok_or_else(|| format!("redact.key_file: expected a path, not {v}"))?;
                    t.key_file = Some(PathBuf::from(p));
                }
                "min_confidence" => {
                    let c = v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
                    let c = c.ok_or_else(|| {
                        format!("redact.min_confidence: expected a number, not {v}")
                    })? as f32;
                    check_confidence(Some(c)).map_err(|e| format!("redact.min_confidence: {e}"))?;
                    t.min_confidence = Some(c);
                }
                "keep_last" => {
                    let items = v.as_table().ok_or_else(|| {
                        format!(
                            "redact.keep_last: expected a table such as {{ phone = 2 }}, not {v}"
                        )
                    })?;
                    for (k, n) in items {
                        let kind = known_kind(k).map_err(|e| format!("redact.keep_last: {e}"))?;
                        let n = n
                            .as_integer()
                            .and_then(|n| usize::try_from(n).ok())
                            .ok_or_else(|| {
                                format!("redact.keep_last.{k}: expected a count, not {n}")
                            })?;
                        t.keep_last.insert(kind, n);
                    }
                }
                k => match Kind::from_id(k) {
                    Some(kind) => {
                        t.strategies.insert(kind, strategy(k, v)?);
                    }
                    None => {
                        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
                        return Err(format!(
                            "redact: unknown key {k:?} (options: {}; or a kind: {})",
                            REDACT_OPTIONS.join(", "),
                            kinds.join(", ")
                        ));
                    }
                },
            }
        }
        Ok(t)
    }
}

/// `[limits]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Skip (and report) larger files: bytes, or a string with K/M/G.
    pub max_filesize: Option<Size>,
    /// Worker threads.
    pub threads: Option<usize>,
}

/// A size as a number of bytes or a string such as `"100M"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Size {
    Bytes(u64),
    Text(String),
}

impl Size {
    fn bytes(&self) -> Result<u64, String> {
        match self {
            Size::Bytes(n) => Ok(*n),
            Size::Text(s) => crate::cli::parse_size(s),
        }
    }
}

/// `[[override]]`: settings for the paths matching `paths`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Globs; see [`crate::suppress::PathMatcher`] for how they match.
    pub paths: Vec<String>,
    pub min_confidence: Option<f32>,
    /// Rule-id prefixes whose findings are dropped in these paths.
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// `[allowlist]`: findings that are known and accepted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Fingerprints of accepted values, as reports print them. They hold
    /// no PII, but they only match under the same fingerprint key
    /// (`PIISCAN_KEY` / `--key-file`).
    #[serde(default)]
    pub fingerprints: Vec<String>,
    /// Regexes matched against each value as found and against its
    /// normalised form. Note: the config then holds a pattern, not values;
    /// a pattern that spells out a person's value is PII in the config.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Globs of paths whose findings are not reported.
    #[serde(default)]
    pub paths: Vec<String>,
}

/// A config file read from disk.
#[derive(Debug)]
pub struct LoadedConfig {
    pub config: Config,
    pub path: PathBuf,
}

impl LoadedConfig {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<LoadedConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read config", path.display()))?;
        let config = Config::parse(&text, path)?;
        Ok(LoadedConfig {
            config,
            path: path.to_path_buf(),
        })
    }

    /// The directory relative paths in the file are resolved against.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

impl Config {
    /// Parses and checks config text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let config: Config =
            toml::from_str(text).with_context(|| format!("{}: invalid config", path.display()))?;
        config
            .check()
            .with_context(|| format!("{}: invalid config", path.display()))?;
        Ok(config)
    }

    fn check(&self) -> Result<()> {
        for k in self.kinds.iter().flatten() {
            known_kind(k).context("kinds")?;
        }
        check_confidence(self.min_confidence).context("min_confidence")?;
        if let Some(size) = &self.limits.max_filesize {
            size.bytes()
                .map_err(anyhow::Error::msg)
                .context("limits.max_filesize")?;
        }
        if self.limits.threads == Some(0) {
            bail!("limits.threads: must be at least 1");
        }
        crate::walk::check_globs(
            &self
                .exclude
                .iter()
                .map(|g| format!("!{g}"))
                .collect::<Vec<_>>(),
        )
        .map_err(anyhow::Error::msg)
        .context("exclude")?;
        for (i, o) in self.overrides.iter().enumerate() {
            check_confidence(o.min_confidence)
                .with_context(|| format!("override #{}: min_confidence", i + 1))?;
            crate::suppress::PathMatcher::new(&o.paths)
                .with_context(|| format!("override #{}: paths", i + 1))?;
        }
        crate::gate::FailOn::parse_all(&self.fail_on).context("fail_on")?;
        crate::suppress::check_allowlist(&self.allowlist).context("allowlist")?;
        Ok(())
    }
}

fn known_kind(id: &str) -> Result<Kind> {
    Kind::from_id(id).with_context(|| {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
        format!("unknown kind {id:?} (known: {})", known.join(", "))
    })
}

fn check_confidence(c: Option<f32>) -> Result<()> {
    match c {
        Some(c) if !(0.0..=1.0).contains(&c) => bail!("must be within 0..1, not {c}"),
        _ => Ok(()),
    }
}

/// Where a config is looked for when `--config` is not given: the first
/// path argument if it is a directory, else that file's directory; the
/// current directory for `-` or no path.
pub fn discover(paths: &[PathBuf]) -> Option<PathBuf> {
    let root = match paths.first() {
        None => PathBuf::from("."),
        Some(p) if p.as_os_str() == "-" => PathBuf::from("."),
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => match p.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let candidate = root.join(FILE_NAME);
    candidate.is_file().then_some(candidate)
}

/// The config for a scan: `--config`, else the discovered one unless
/// `--no-config`.
pub fn load_for(args: &ScanArgs) -> Result<Option<LoadedConfig>> {
    load(args.ops.config.as_deref(), args.ops.no_config, &args.paths)
}

/// The config named by `config`, else the one discovered from `paths`
/// unless `no_config`.
pub fn load(
    config: Option<&Path>,
    no_config: bool,
    paths: &[PathBuf],
) -> Result<Option<LoadedConfig>> {
    if let Some(path) = config {
        return LoadedConfig::load(path).map(Some);
    }
    if no_config {
        return Ok(None);
    }
    match discover(paths) {
        Some(path) => {
            log::debug!("config: {}", path.display());
            LoadedConfig::load(&path).map(Some)
        }
        None => Ok(None),
    }
}

/// Defaults, config and flags layered into one set of values.
///
/// Scalars: a flag replaces the config value, which replaces the default.
/// Lists: `--select` and `--fail-on` replace the config's list (they say
/// exactly what to keep or gate on); `--ignore`, `--rules` and `--glob`
/// add to it (they only narrow or extend).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file in use, if any.
    pub config_path: Option<PathBuf>,
    pub rule_files: Vec<PathBuf>,
    /// Kinds to keep; `None` keeps all.
    pub kinds: Option<Vec<Kind>>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub min_confidence: f32,
    /// Walk globs: the config's excludes as `!GLOB`, then `--glob`.
    pub globs: Vec<String>,
    pub max_filesize: Option<u64>,
    pub threads: Option<usize>,
    pub fail_on: Vec<String>,
    pub overrides: Vec<Override>,
    pub allowlist: Allowlist,
    /// `[redact]`, its `key_file` resolved against the config's directory.
    pub redact: RedactTable,
}

/// The flags that layer over a config, as `scan` and `redact` both have
/// them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags<'a> {
    pub rule_files: &'a [PathBuf],
    pub select: &'a [String],
    pub ignore: &'a [String],
    pub min_confidence: Option<f32>,
    pub glob: &'a [String],
    pub max_filesize: Option<u64>,
    pub threads: Option<usize>,
    pub fail_on: &'a [String],
}

impl<'a> From<&'a ScanArgs> for Flags<'a> {
    fn from(args: &'a ScanArgs) -> Flags<'a> {
        Flags {
            rule_files: &args.rules.rule_files,
            select: &args.rules.select,
            ignore: &args.rules.ignore,
            min_confidence: args.min_confidence,
            glob: &args.walk.glob,
            max_filesize: args.walk.max_filesize,
            threads: args.threads,
            fail_on: &args.ops.fail_on,
        }
    }
}

impl Settings {
    /// Layers `config` (may be absent) and the flags of `args`.
    pub fn resolve(args: &ScanArgs, config: Option<&LoadedConfig>) -> Result<Settings> {
        Settings::layer(Flags::from(args), config)
    }

    /// Layers `config` (may be absent) and `args`.
    pub fn layer(args: Flags<'_>, config: Option<&LoadedConfig>) -> Result<Settings> {
        let empty = Config::default();
        let (c, dir) = match config {
            Some(l) => (&l.config, Some(l.dir())),
            None => (&empty, None),
        };
        let mut rule_files: Vec<PathBuf> = c
            .rules
            .iter()
            .map(|r| match dir {
                Some(d) if r.is_relative() => d.join(r),
                _ => r.clone(),
            })
            .collect();
        rule_files.extend(args.rule_files.iter().cloned());
        let kinds = match &c.kinds {
            Some(ids) => Some(ids.iter().map(|k| known_kind(k)).collect::<Result<_>>()?),
            None => None,
        };
        let select = if args.select.is_empty() {
            c.select.clone()
        } else {
            args.select.to_vec()
        };
        let mut ignore = c.ignore.clone();
        ignore.extend(args.ignore.iter().cloned());
        let min_confidence = args
            .min_confidence
            .or(c.min_confidence)
            .unwrap_or(crate::detect::DEFAULT_MIN_CONFIDENCE);
        if !(0.0..=1.0).contains(&min_confidence) {
            bail!("--min-confidence must be within 0..1");
        }
        let mut globs: Vec<String> = c.exclude.iter().map(|g| format!("!{g}")).collect();
        globs.extend(args.glob.iter().cloned());
        let max_filesize = match (args.max_filesize, &c.limits.max_filesize) {
            (Some(n), _) => Some(n),
            (None, Some(s)) => Some(s.bytes().map_err(anyhow::Error::msg)?),
            (None, None) => None,
        };
        let fail_on = if args.fail_on.is_empty() {
            c.fail_on.clone()
        } else {
            args.fail_on.to_vec()
        };
        Ok(Settings {
            config_path: config.map(|l| l.path.clone()),
            rule_files,
            kinds,
            select,
            ignore,
            min_confidence,
            globs,
            max_filesize,
            threads: args.threads.or(c.limits.threads),
            fail_on,
            overrides: c.overrides.clone(),
            allowlist: c.allowlist.clone(),
            redact: RedactTable {
                key_file: c.redact.key_file.as_ref().map(|k| match dir {
                    Some(d) if k.is_relative() => d.join(k),
                    _ => k.clone(),
                }),
                ..c.redact.clone()
            },
        })
    }

    /// Applies kinds, select and ignore to a rule set; an error when no
    /// rule is left.
    pub fn filter_rules(&self, rules: &mut RuleSet) -> Result<()> {
        if let Some(kinds) = &self.kinds {
            rules.retain(|r| kinds.contains(&r.kind));
        }
        if !self.select.is_empty() {
            rules.retain(|r| self.select.iter().any(|p| r.id().starts_with(p.as_str())));
        }
        rules.retain(|r| !self.ignore.iter().any(|p| r.id().starts_with(p.as_str())));
        if rules.is_empty() {
            bail!("no rules left after kinds/--select/--ignore");
        }
        Ok(())
    }

    /// The lowest threshold any path uses: the engine-side floor, with the
    /// per-path thresholds applied after it.
    pub fn min_confidence_floor(&self) -> f32 {
        self.overrides
            .iter()
            .filter_map(|o| o.min_confidence)
            .fold(self.min_confidence, f32::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("dir/piiscan.toml"))
    }

    fn scan_args(args: &[&str]) -> ScanArgs {
        let mut all = vec!["piiscan", "scan"];
        all.extend_from_slice(args);
        match crate::cli::Cli::parse_from(all).command {
            crate::cli::Command::Scan(a) => *a,
            _ => unreachable!(),
        }
    }

    const FULL: &str = r#"
kinds = ["email", "phone"]
select = ["email", "phone"]
ignore = ["phone.intl"]
rules = ["mine.toml"]
min_confidence = 0.6
exclude = ["*.gz"]
fail_on = ["email=3"]
[limits]
max_filesize = "2K"
threads = 3
[[override]]
paths = ["logs/**"]
min_confidence = 0.3
ignore = ["email"]
[allowlist]
fingerprints = ["00112233445566778899aabbccddeeff"]
patterns = ['@example\.com$']
paths = ["fixtures/**"]
[redact]
email = "mask"
default = "label"
keep_last = { phone = 4 }
keep_length = true
key_file = "k.key"
min_confidence = 0.7
"#;

    #[test]
    fn full_schema_parses() {
        let c = parse(FULL).unwrap();
        assert_eq!(c.kinds.as_deref().unwrap().len(), 2);
        assert_eq!(c.overrides[0].min_confidence, Some(0.3));
        use crate::redact::Strategy;
        assert_eq!(c.redact.strategies[&Kind::Email], Strategy::Mask);
        assert_eq!(c.redact.default, Some(Strategy::Label));
        assert_eq!(c.redact.keep_last[&Kind::Phone], 4);
        assert_eq!(c.redact.keep_length, Some(true));
        assert_eq!(c.redact.min_confidence, Some(0.7));
        assert_eq!(c.limits.threads, Some(3));
    }

    #[test]
    fn unknown_keys_are_named_with_the_file() {
        for (text, key) in [
            ("colour = 1\n", "colour"),
            ("[limits]\nmax_file_size = 1\n", "max_file_size"),
            ("[[override]]\npaths = []\nthreshold = 1\n", "threshold"),
            ("[allowlist]\nvalues = []\n", "values"),
            ("[redact]\nstrategy = \"mask\"\n", "strategy"),
        ] {
            let err = format!("{:#}", parse(text).unwrap_err());
            assert!(err.contains(key), "{err}");
            assert!(err.contains("dir/piiscan.toml"), "{err}");
        }
    }

    #[test]
    fn bad_values_are_load_errors() {
        for (text, needle) in [
            ("kinds = [\"emial\"]\n", "emial"),
            ("[redact]\nfoo = \"mask\"\n", "foo"),
            ("[redact]\nphone = \"blur\"\n", "blur"),
            ("[redact]\ndefault = 3\n", "redact.default"),
            ("[redact]\nkeep_last = { phon = 2 }\n", "phon"),
            ("[redact]\nkeep_last = { phone = -1 }\n", "keep_last.phone"),
            ("[redact]\nmin_confidence = 1.5\n", "redact.min_confidence"),
            ("min_confidence = 2.0\n", "min_confidence"),
            ("[limits]\nmax_filesize = \"1X\"\n", "max_filesize"),
            ("[allowlist]\npatterns = [\"(\"]\n", "allowlist"),
            ("[allowlist]\nfingerprints = [\"xyz\"]\n", "fingerprint"),
            ("fail_on = [\"nope=1\"]\n", "fail_on"),
            ("[[override]]\npaths = [\"a[\"]\n", "override #1"),
        ] {
            let err = format!("{:#}", parse(text).unwrap_err());
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn flags_beat_config_beats_defaults() {
        let loaded = LoadedConfig {
            config: parse(FULL).unwrap(),
            path: PathBuf::from("cfgdir/piiscan.toml"),
        };
        let s = Settings::resolve(&scan_args(&[]), Some(&loaded)).unwrap();
        assert_eq!(s.min_confidence, 0.6);
        assert_eq!(s.max_filesize, Some(2048));
        assert_eq!(s.threads, Some(3));
        assert_eq!(s.rule_files, [PathBuf::from("cfgdir/mine.toml")]);
        assert_eq!(s.globs, ["!*.gz"]);
        assert_eq!(s.fail_on, ["email=3"]);
        assert_eq!(s.min_confidence_floor(), 0.3);
        assert_eq!(s.redact.key_file, Some(PathBuf::from("cfgdir/k.key")));
        let s = Settings::resolve(
            &scan_args(&[
                "--min-confidence",
                "0.9",
                "--max-filesize",
                "1K",
                "-j",
                "1",
                "--rules",
                "x.toml",
                "-g",
                "!*.bin",
                "--select",
                "card",
                "--ignore",
                "card.x",
                "--fail-on",
                "card",
            ]),
            Some(&loaded),
        )
        .unwrap();
        assert_eq!(s.min_confidence, 0.9);
        assert_eq!(s.max_filesize, Some(1024));
        assert_eq!(s.threads, Some(1));
        assert_eq!(s.rule_files.len(), 2);
        assert_eq!(s.globs, ["!*.gz", "!*.bin"]);
        assert_eq!(s.select, ["card"]);
        assert_eq!(s.ignore, ["phone.intl", "card.x"]);
        assert_eq!(s.fail_on, ["card"]);
        let s = Settings::resolve(&scan_args(&[]), None).unwrap();
        assert_eq!(s.min_confidence, crate::detect::DEFAULT_MIN_CONFIDENCE);
        assert!(s.kinds.is_none());
    }

    #[test]
    fn kinds_select_and_ignore_filter_rules() {
        let loaded = LoadedConfig {
            config: parse("kinds = [\"email\", \"phone\"]\nignore = [\"phone.ru.bare\"]\n")
                .unwrap(),
            path: PathBuf::from("piiscan.toml"),
        };
        let s = Settings::resolve(&scan_args(&[]), Some(&loaded)).unwrap();
        let mut rules = RuleSet::builtin();
        s.filter_rules(&mut rules).unwrap();
        assert!(
            rules
                .rules()
                .iter()
                .all(|r| r.kind == Kind::Email || r.kind == Kind::Phone)
        );
        assert!(rules.find("email").is_some());
        assert!(rules.find("phone.ru.bare").is_none());
        let s = Settings::resolve(&scan_args(&["--select", "nothing"]), None).unwrap();
        assert!(s.filter_rules(&mut RuleSet::builtin()).is_err());
    }

    #[test]
    fn discovery_uses_the_first_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        std::fs::write(dir.path().join("a.txt"), "").unwrap();
        let root = dir.path().to_path_buf();
        assert_eq!(
            discover(std::slice::from_ref(&root)),
            Some(root.join(FILE_NAME))
        );
        assert_eq!(discover(&[root.join("a.txt")]), Some(root.join(FILE_NAME)));
        let other = tempfile::tempdir().unwrap();
        assert_eq!(discover(&[other.path().to_path_buf(), root]), None);
    }
}
