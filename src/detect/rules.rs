//! Rules as data: the TOML schema, loading, validation and the compiled
//! [`RuleSet`].
//!
//! Owns parsing `rules/*.toml` (built-in ones are embedded in the binary),
//! rejecting unknown keys, kinds and validator names before any file is
//! read, and the `[[...]]` example-marker convention. It does not match
//! anything: see `tokenizer` and `engine`.

use crate::finding::Kind;
use crate::validators::{self, Validator};
use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

/// The built-in rule file, embedded so the binary works from anywhere.
pub const BUILTIN_RULES: &str = include_str!("../../rules/builtin.toml");

/// Dense index of a rule in its [`RuleSet`].
pub type RuleId = u16;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// One rule as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub kind: String,
    pub description: String,
    pub pattern: String,
    #[serde(default = "default_validator")]
    pub validator: String,
    pub confidence: f32,
    #[serde(default)]
    pub context: Vec<String>,
    #[serde(default = "default_context_boost")]
    pub context_boost: f32,
    #[serde(default)]
    pub requires_context: bool,
    #[serde(default)]
    pub negative_context: Vec<String>,
    #[serde(default)]
    pub column_hints: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negatives: Vec<String>,
}

fn default_validator() -> String {
    "none".to_string()
}
fn default_context_boost() -> f32 {
    0.1
}

/// A loaded, checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub kind: Kind,
    pub validator: Validator,
    /// Set for the rules the trigger tokenizer implements; user rules run
    /// through the regex pass instead.
    pub builtin: bool,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.spec.id
    }
}

/// An ordered, immutable collection of rules; cheap to share between threads.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

/// The `[[value]]` marker in an example: the text to scan and, when marked,
/// the exact byte span the rule must report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub expected: Option<(usize, usize)>,
}

impl Example {
    pub fn parse(raw: &str) -> Example {
        match (raw.find("[["), raw.find("]]")) {
            (Some(open), Some(close)) if open < close => {
                let text = format!(
                    "{}{}{}",
                    &raw[..open],
                    &raw[open + 2..close],
                    &raw[close + 2..]
                );
                Example {
                    text,
                    expected: Some((open, close - 2)),
                }
            }
            _ => Example {
                text: raw.to_string(),
                expected: None,
            },
        }
    }
}

impl RuleSet {
    /// The embedded built-in rules.
    pub fn builtin() -> RuleSet {
        RuleSet::from_toml(BUILTIN_RULES, "<builtin rules>", true)
            .expect("embedded rule file is checked by tests")
    }

    /// Parses a rule file. `builtin` marks rules that the tokenizer owns;
    /// for user files it is false and each pattern must compile.
    pub fn from_toml(text: &str, origin: &str, builtin: bool) -> Result<RuleSet> {
        let file: RuleFile =
            toml::from_str(text).with_context(|| format!("{origin}: invalid rule file"))?;
        let mut set = RuleSet::default();
        for spec in file.rule {
            set.push(spec, builtin)
                .with_context(|| format!("{origin}: bad rule"))?;
        }
        Ok(set)
    }

    fn push(&mut self, spec: RuleSpec, builtin: bool) -> Result<()> {
        let Some(kind) = Kind::from_id(&spec.kind) else {
            bail!("rule {}: unknown kind {:?}", spec.id, spec.kind);
        };
        let Some(validator) = validators::by_name(&spec.validator) else {
            bail!(
                "rule {}: unknown validator {:?} (known: {})",
                spec.id,
                spec.validator,
                validators::VALIDATORS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        if !(0.0..=1.0).contains(&spec.confidence) {
            bail!("rule {}: confidence must be within 0..1", spec.id);
        }
        if self.rules.iter().any(|r| r.spec.id == spec.id) {
            bail!("rule {}: duplicate id", spec.id);
        }
        if self.rules.len() >= super::context::MAX_RULES {
            bail!("too many rules (at most {})", super::context::MAX_RULES);
        }
        if !builtin {
            regex_automata::meta::Regex::new(&spec.pattern)
                .with_context(|| format!("rule {}: pattern does not compile", spec.id))?;
        }
        self.rules.push(Rule {
            spec,
            kind,
            validator,
            builtin,
        });
        Ok(())
    }

    /// A user rule file from disk (same schema as the built-in rules).
    pub fn from_file(path: &std::path::Path) -> Result<RuleSet> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read rule file", path.display()))?;
        RuleSet::from_toml(&text, &path.display().to_string(), false)
    }

    /// The built-in rules plus these rule files (`--rules`, the config's
    /// `rules`), for every command that builds an engine.
    pub fn builtin_with(files: &[std::path::PathBuf]) -> Result<RuleSet> {
        let mut rules = RuleSet::builtin();
        for f in files {
            rules.extend(RuleSet::from_file(f)?)?;
        }
        Ok(rules)
    }

    /// Adds the rules of another set (user rules after the built-ins).
    pub fn extend(&mut self, other: RuleSet) -> Result<()> {
        for r in other.rules {
            self.push(r.spec, r.builtin)?;
        }
        Ok(())
    }

    /// Keeps only the rules for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(|r| keep(r));
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
    pub fn get(&self, id: RuleId) -> &Rule {
        &self.rules[id as usize]
    }
    pub fn find(&self, rule_id: &str) -> Option<RuleId> {
        self.rules
            .iter()
            .position(|r| r.spec.id == rule_id)
            .map(|i| i as RuleId)
    }
    pub fn len(&self) -> usize {
        self.rules.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// A short hash of the rule set, so state files can tell rules changed.
    pub fn version(&self) -> String {
        let mut h = blake3::Hasher::new();
        for r in &self.rules {
            h.update(format!("{:?}", r.spec).as_bytes());
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load() {
        let set = RuleSet::builtin();
        assert!(set.len() >= 15);
        assert!(set.find("phone.ru").is_some());
    }

    #[test]
    fn unknown_keys_kinds_and_validators_are_errors() {
        let base = r#"[[rule]]
id = "x"
kind = "email"
description = "d"
pattern = "a"
confidence = 0.5
"#;
        assert!(RuleSet::from_toml(base, "t", false).is_ok());
        let bad_key = format!("{base}colour = \"red\"\n");
        assert!(RuleSet::from_toml(&bad_key, "t", false).is_err());
        let bad_kind = base.replace("\"email\"", "\"emial\"");
        assert!(RuleSet::from_toml(&bad_kind, "t", false).is_err());
        let bad_validator = format!("{base}validator = \"lunh\"\n");
        let err = RuleSet::from_toml(&bad_validator, "t", false).unwrap_err();
        assert!(format!("{err:#}").contains("unknown validator"));
        let bad_pattern = base.replace("pattern = \"a\"", "pattern = \"(\"");
        assert!(RuleSet::from_toml(&bad_pattern, "t", false).is_err());
    }

    #[test]
    fn example_markers() {
        let e = Example::parse("тел. [[+7 912]] x");
        assert_eq!(e.text, "тел. +7 912 x");
        let (s, t) = e.expected.unwrap();
        assert_eq!(&e.text[s..t], "+7 912");
        assert_eq!(Example::parse("plain").expected, None);
    }

    /// The pattern is the specification: every marked example value must
    /// match it in full.
    #[test]
    fn builtin_examples_match_their_specification_pattern() {
        for rule in RuleSet::builtin().rules() {
            let re = regex::Regex::new(&format!("^(?:{})$", rule.spec.pattern))
                .unwrap_or_else(|e| panic!("{}: {e}", rule.id()));
            for raw in &rule.spec.examples {
                let ex = Example::parse(raw);
                if let Some((s, e)) = ex.expected {
                    let value = &ex.text[s..e];
                    assert!(
                        re.is_match(value),
                        "rule {}: example value {value:?} does not match its pattern",
                        rule.id()
                    );
                }
            }
        }
    }
}
