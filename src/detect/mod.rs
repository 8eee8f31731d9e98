//! Detection: from a byte buffer to scored, non-overlapping detections.
//!
//! Owns the [`Engine`]: the compiled rule set, the trigger tokenizer for the
//! built-in rules, one `regex-automata` multi-pattern pass for user rules
//! (only when there are any), context scoring, choosing between
//! alternatives for one span, and resolving overlaps. It knows nothing
//! about files, lines or output formats; it never reads config or flags.
//!
//! Confidence = the rule's base confidence, plus its `context_boost` when a
//! context word is near, plus a little for typical formatting, minus 0.4
//! when a negative word is nearer than any context word. Rules (or
//! candidates) that need context are dropped without it.

pub mod context;
pub mod rules;
pub(crate) mod swar;
pub mod tokenizer;
pub mod watch;
// Names and addresses (dictionary + shape detectors; see their docs).
pub mod address;
pub mod names;
pub mod words;

use crate::extract::Locator;
use crate::finding::{Kind, Location, Signals};
use anyhow::Result;
use context::{ContextHits, ContextMatcher, RuleMask};
pub use rules::{Example, Rule, RuleId, RuleSet};
use tokenizer::{Builtin, Cand, TokScratch, Tokenizer};

/// The default `--min-confidence`; rule examples must reach it and
/// negatives must stay below it.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.5;

/// Added when the value carries its kind's typical formatting.
const FORMAT_BONUS: f32 = 0.03;
/// Subtracted when a negative word is nearer than any context word.
const NEGATIVE_PENALTY: f32 = 0.4;

/// A normalised value (digits, E.164, a lower-case e-mail, an IP's
/// octets, an ISO date): the fingerprint's input. Inline up to 24 bytes,
/// which nearly every one fits: as a `Vec` each candidate cost an
/// allocation and a free (~200 instructions, most candidates never become
/// findings).
pub type Norm = smallvec::SmallVec<[u8; 24]>;

/// One detected value in a buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub rule: RuleId,
    pub kind: Kind,
    /// Half-open byte range in the scanned buffer.
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
    pub signals: Signals,
    /// Normalised value, the input of the fingerprint.
    pub norm: Norm,
    /// Record and field, when a locator was given.
    pub location: Option<Location>,
}

/// A structured input's locator and the absolute offset of `buf[0]`.
pub struct Located<'a> {
    pub locator: &'a mut dyn Locator,
    pub base: u64,
}

/// The compiled detector; immutable and shared by all worker threads.
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    tokenizer: Tokenizer,
    builtin_rule: [Option<RuleId>; Builtin::ALL.len()],
    context: ContextMatcher,
    /// Lower-cased column hints per rule.
    column_hints: Vec<Vec<String>>,
    user: Option<UserRules>,
    /// Name and address matchers, built only when their rules are enabled.
    names: Option<names::NameMatcher>,
    address: Option<address::AddressMatcher>,
    /// Values to find in any spelling and keep whatever their context.
    watch: Option<std::sync::Arc<watch::WatchList>>,
}

#[derive(Debug)]
struct UserRules {
    regex: regex_automata::meta::Regex,
    rule_of_pattern: Vec<RuleId>,
    /// Per pattern, the index of its capture group named `value`: when a
    /// rule has one, only that group is the value (`badge: (?P<value>...)`).
    value_group: Vec<Option<usize>>,
}

/// Per-thread scratch space, reused across buffers.
#[derive(Default)]
pub struct Scratch {
    tok: TokScratch,
    cands: Vec<Cand>,
    hits: ContextHits,
    /// Field name -> hinted rules. Looked up once per candidate in a
    /// structured file: with std's SipHash a look-up cost ~180
    /// instructions (8.6 M on the 2.6 MB CSV exports of the bench
    /// corpus), with FxHash ~40. FxHash does not resist crafted keys, but
    /// the cache holds at most 1,024 names before it is cleared: colliding
    /// column names cost a file at most that many compares per look-up.
    hint_cache: words::FxMap<String, RuleMask>,
    regex_cache: Option<regex_automata::meta::Cache>,
    name_hits: Vec<names::NameHit>,
    address_hits: Vec<address::AddressHit>,
}

impl Scratch {
    /// See [`TokScratch::no_email_norm`].
    pub fn set_no_email_norm(&mut self, on: bool) {
        self.tok.no_email_norm = on;
    }
}

impl Engine {
    pub fn new(rules: RuleSet) -> Result<Engine> {
        let mut builtin_rule = [None; Builtin::ALL.len()];
        for b in Builtin::ALL {
            builtin_rule[b.index()] = rules.find(b.rule_id());
        }
        let tokenizer = Tokenizer::new(|b| builtin_rule[b.index()].is_some());
        let on = |bs: &[Builtin]| bs.iter().any(|b| builtin_rule[b.index()].is_some());
        let want_names = on(&[Builtin::PersonRu, Builtin::PersonEn, Builtin::PersonPartial]);
        let want_address = on(&[Builtin::AddressRu, Builtin::AddressUs]);
        // libphonenumber's tables (~8 M instructions once a process) are
        // built on a spare core while the rest starts, not inside the first
        // worker that meets an international number.
        if on(&[
            Builtin::PhoneRu,
            Builtin::PhoneRuBare,
            Builtin::PhoneIntl,
            Builtin::PhoneUrl,
        ]) {
            static WARM: std::sync::Once = std::sync::Once::new();
            WARM.call_once(crate::validators::phone::warm_up_in_background);
        }
        // The name dictionaries and the context-word automaton are the two
        // dear parts to build (86 M and 73 M instructions with every rule,
        // ~20 ms each) and share nothing: the names are built on a second
        // thread while this one builds the rest, so a run starts scanning
        // sooner (a scan of a few small files is mostly this start-up).
        // Without a thread to spare, both are built here.
        let (context, names) = std::thread::scope(|scope| {
            let names = want_names.then(|| {
                std::thread::Builder::new()
                    .name("piiscan-names".into())
                    .spawn_scoped(scope, names::NameMatcher::new)
            });
            let context = ContextMatcher::new(&rules);
            let names = names.map(|spawned| match spawned {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => names::NameMatcher::new(),
            });
            (context, names)
        });
        let mut patterns = Vec::new();
        let mut rule_of_pattern = Vec::new();
        for (i, r) in rules.rules().iter().enumerate() {
            let served_by_tokenizer =
                r.builtin && Builtin::ALL.iter().any(|b| b.rule_id() == r.id());
            if !served_by_tokenizer {
                patterns.push(r.spec.pattern.clone());
                rule_of_pattern.push(i as RuleId);
            }
        }
        let user = if patterns.is_empty() {
            None
        } else {
            let regex = regex_automata::meta::Regex::new_many(&patterns)?;
            let value_group = (0..patterns.len())
                .map(|p| {
                    let pid = regex_automata::PatternID::new(p).ok()?;
                    regex.group_info().to_index(pid, "value")
                })
                .collect();
            Some(UserRules {
                regex,
                rule_of_pattern,
                value_group,
            })
        };
        let column_hints = rules
            .rules()
            .iter()
            .map(|r| {
                r.spec
                    .column_hints
                    .iter()
                    .map(|h| h.to_lowercase())
                    .collect()
            })
            .collect();
        let address = want_address.then(address::AddressMatcher::new);
        Ok(Engine {
            rules,
            tokenizer,
            builtin_rule,
            context,
            column_hints,
            user,
            names,
            address,
            watch: None,
        })
    }

    /// The engine that also finds `list`'s values in any spelling and
    /// whatever their context, and marks them [`Signals::WATCHED`]
    /// (see [`watch`]). A data subject search builds one per run.
    pub fn with_watch(mut self, list: watch::WatchList) -> Engine {
        let list = (!list.is_empty()).then(|| std::sync::Arc::new(list));
        self.tokenizer.set_watch(list.clone());
        self.watch = list;
        self
    }

    /// Whether this engine watches for values: then every watched value it
    /// reports carries [`Signals::WATCHED`], and nothing else does.
    pub fn watching(&self) -> bool {
        self.watch.is_some()
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The name detector, when a person rule is enabled: callers that read
    /// a name outside a scan (a data subject's name) read it the same way.
    pub fn name_matcher(&self) -> Option<&names::NameMatcher> {
        self.names.as_ref()
    }

    /// Detects values that start in `buf[from..to]`, appending them to
    /// `out` sorted by start and without overlaps. `eof` says the input
    /// ends with `buf`. Returns the offset where the next scan of the same
    /// stream should begin (see `Tokenizer::scan`).
    ///
    /// With a locator (structured inputs) each candidate is placed in its
    /// record and field first, and the field name counts as context when it
    /// matches a rule's `column_hints`.
    #[allow(clippy::too_many_arguments)]
    pub fn scan(
        &self,
        buf: &[u8],
        from: usize,
        to: usize,
        eof: bool,
        scratch: &mut Scratch,
        out: &mut Vec<Detection>,
        mut located: Option<Located<'_>>,
    ) -> usize {
        let first_new = out.len();
        scratch.cands.clear();
        scratch.tok.structured = located.is_some();
        let resume = self
            .tokenizer
            .scan(buf, from, to, eof, &mut scratch.tok, &mut scratch.cands);
        let resume = resume.max(self.scan_names_addresses(buf, from, to, scratch));
        let mut cands = std::mem::take(&mut scratch.cands);
        if located.is_some() {
            // Locators answer offsets in increasing order.
            cands.sort_by_key(|c| (c.start, c.group));
        }
        let mut i = 0;
        while i < cands.len() {
            let group = cands[i].group;
            let mut j = i + 1;
            while j < cands.len() && cands[j].group == group {
                j += 1;
            }
            let field = located.as_mut().and_then(|l| {
                let pos = l.base + cands[i].start as u64;
                l.locator.locate(buf, l.base, pos)
            });
            if let Some(mut d) = self.choose(buf, &mut cands[i..j], field, scratch) {
                if let Some(w) = &self.watch
                    && !d.signals.contains(Signals::WATCHED)
                    && w.marks(d.kind, &d.norm, &buf[d.start..d.end])
                {
                    d.signals.insert(Signals::WATCHED);
                }
                out.push(d);
            }
            i = j;
        }
        scratch.cands = cands;
        if let Some(user) = &self.user {
            self.scan_user_rules(user, buf, from, to, scratch, out);
        }
        resolve_overlaps(out, first_new);
        resume
    }

    /// Runs the name and address matchers over `from..to` and appends their
    /// hits as candidates, each in its own group, so context scoring, column
    /// hints and overlap resolution treat them like every other rule.
    /// Returns the end of the last hit (the next scan must not start inside
    /// a name or address that ran past `to`).
    fn scan_names_addresses(
        &self,
        buf: &[u8],
        from: usize,
        to: usize,
        scratch: &mut Scratch,
    ) -> usize {
        use names::{Lang, Strength};
        let mut resume = to;
        if let Some(m) = &self.names {
            scratch.name_hits.clear();
            m.find(buf, from, to, &mut scratch.name_hits);
            for h in scratch.name_hits.drain(..) {
                let class = match (h.strength, h.lang) {
                    (Strength::Partial, _) => Builtin::PersonPartial,
                    (_, Lang::Ru) => Builtin::PersonRu,
                    (_, Lang::En) => Builtin::PersonEn,
                };
                resume = resume.max(h.end);
                scratch.cands.push(Cand {
                    class,
                    start: h.start,
                    end: h.end,
                    group: scratch.tok.new_group(),
                    signals: h.signals,
                    needs_context: h.strength != Strength::Full,
                    norm: h.norm,
                });
            }
        }
        if let Some(m) = &self.address {
            scratch.address_hits.clear();
            m.find(buf, from, to, &mut scratch.address_hits);
            for h in scratch.address_hits.drain(..) {
                let class = match h.lang {
                    Lang::Ru => Builtin::AddressRu,
                    Lang::En => Builtin::AddressUs,
                };
                resume = resume.max(h.end);
                scratch.cands.push(Cand {
                    class,
                    start: h.start,
                    end: h.end,
                    group: scratch.tok.new_group(),
                    signals: h.signals,
                    needs_context: h.strength != Strength::Full,
                    norm: h.norm,
                });
            }
        }
        resume
    }

    /// The rules whose column hints match a field name, cached per name
    /// (a file has few distinct columns or keys; the cache is dropped when
    /// it grows past a bound, e.g. on JSON with data in its keys).
    fn hinted_rules(&self, name: &str, scratch: &mut Scratch) -> RuleMask {
        if let Some(mask) = scratch.hint_cache.get(name) {
            return *mask;
        }
        let lower = name.to_lowercase();
        let mut mask = RuleMask::default();
        for (i, hints) in self.column_hints.iter().enumerate() {
            if hints.iter().any(|h| field_matches(&lower, h)) {
                mask.set(i as RuleId);
            }
        }
        if scratch.hint_cache.len() >= 1024 {
            scratch.hint_cache.clear();
        }
        scratch.hint_cache.insert(name.to_string(), mask);
        mask
    }

    /// Scores the alternatives for one span and keeps the best.
    fn choose(
        &self,
        buf: &[u8],
        alts: &mut [Cand],
        field: Option<crate::extract::FieldInfo>,
        scratch: &mut Scratch,
    ) -> Option<Detection> {
        let hint_mask = match field.as_ref().and_then(|f| f.field.as_deref()) {
            Some(name) => self.hinted_rules(name, scratch),
            None => RuleMask::default(),
        };
        let (start, end) = (alts[0].start, alts[0].end);
        self.context.scan(buf, start, end, &mut scratch.hits);
        // Among alternatives for one span (a 10-digit run: phone, INN or
        // passport), the one whose context word stands nearest wins; with
        // no context for any, the most confident.
        let mut best: Option<(Option<usize>, usize, Detection)> = None;
        for (k, c) in alts.iter().enumerate() {
            let Some(rule_id) = self.builtin_rule[c.class.index()] else {
                continue;
            };
            let hinted = hint_mask.has(rule_id);
            let mut signals = c.signals;
            if hinted {
                signals.insert(Signals::COLUMN_HINT);
            }
            let verdict = self.context.verdict(&scratch.hits, rule_id);
            // A column hint is the nearest context there is.
            let nearest = if hinted { Some(0) } else { verdict.nearest };
            let Some(d) = self.score(rule_id, c.start, c.end, signals, c.needs_context, verdict)
            else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((best_near, _, b)) => match (nearest, best_near) {
                    (Some(n), Some(bn)) => n < *bn || (n == *bn && d.confidence > b.confidence),
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => d.confidence > b.confidence,
                },
            };
            if better {
                best = Some((nearest, k, d));
            }
        }
        // The winner takes its candidate's normalised value: no copy.
        best.map(|(_, k, d)| Detection {
            norm: std::mem::take(&mut alts[k].norm),
            location: field.map(|f| f.location),
            ..d
        })
    }

    fn score(
        &self,
        rule_id: RuleId,
        start: usize,
        end: usize,
        mut signals: Signals,
        needs_context: bool,
        verdict: context::Verdict,
    ) -> Option<Detection> {
        let rule = self.rules.get(rule_id);
        let near_word = verdict.near();
        let negative = verdict.negative;
        let near = near_word || signals.contains(Signals::COLUMN_HINT);
        // A watched value was asked for by value: no context needed.
        if (rule.spec.requires_context || needs_context)
            && !near
            && !signals.contains(Signals::WATCHED)
        {
            return None;
        }
        let mut confidence = rule.spec.confidence;
        if near_word {
            signals.insert(Signals::CONTEXT);
        }
        if near {
            confidence += rule.spec.context_boost;
        }
        if signals.contains(Signals::FORMATTED) {
            confidence += FORMAT_BONUS;
        }
        if negative {
            signals.insert(Signals::NEGATIVE_CONTEXT);
            confidence -= NEGATIVE_PENALTY;
        }
        Some(Detection {
            rule: rule_id,
            kind: rule.kind,
            start,
            end,
            confidence: confidence.clamp(0.0, 0.99),
            signals,
            norm: Norm::new(),
            location: None,
        })
    }

    fn scan_user_rules(
        &self,
        user: &UserRules,
        buf: &[u8],
        from: usize,
        to: usize,
        scratch: &mut Scratch,
        out: &mut Vec<Detection>,
    ) {
        use regex_automata::Input;
        let cache = scratch
            .regex_cache
            .get_or_insert_with(|| user.regex.create_cache());
        let input = Input::new(buf).range(from..buf.len());
        let mut found = Vec::new();
        let mut caps = None;
        let mut it = regex_automata::util::iter::Searcher::new(input);
        while let Some(m) = it
            .try_advance(|inp| Ok(user.regex.search_with(cache, inp)))
            .ok()
            .flatten()
        {
            if m.start() >= to {
                break;
            }
            let (mut s, mut e) = (m.start(), m.end());
            if let Some(group) = user.value_group[m.pattern().as_usize()] {
                // Re-run only this pattern, anchored on the match, for the
                // group's span (look-arounds still see the whole buffer).
                let caps = caps.get_or_insert_with(|| user.regex.create_captures());
                let at = Input::new(buf)
                    .range(s..e)
                    .anchored(regex_automata::Anchored::Pattern(m.pattern()));
                user.regex.search_captures_with(cache, &at, caps);
                match caps.get_group(group) {
                    Some(span) => (s, e) = (span.start, span.end),
                    None => continue,
                }
            }
            found.push((user.rule_of_pattern[m.pattern().as_usize()], s, e));
        }
        for (rule_id, s, e) in found {
            let rule = self.rules.get(rule_id);
            let value = &buf[s..e];
            let input = validator_input(&rule.spec.validator, value);
            if !(rule.validator)(&input) {
                continue;
            }
            let signals = if rule.spec.validator == "none" {
                Signals::FORMAT_ONLY
            } else {
                Signals::VALIDATED
            };
            self.context.scan(buf, s, e, &mut scratch.hits);
            let verdict = self.context.verdict(&scratch.hits, rule_id);
            if let Some(mut d) = self.score(rule_id, s, e, signals, false, verdict) {
                if let Some(w) = &self.watch
                    && w.marks(d.kind, &input, value)
                {
                    d.signals.insert(Signals::WATCHED);
                }
                d.norm = Norm::from_vec(input);
                out.push(d);
            }
        }
    }

    /// Runs the engine over one in-memory text (rule examples, tests).
    pub fn scan_text(&self, text: &[u8]) -> Vec<Detection> {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        self.scan(text, 0, text.len(), true, &mut scratch, &mut out, None);
        out
    }

    /// Runs every rule's examples and negatives; returns one line per
    /// failure. The same check backs `piiscan rules check` and a unit test.
    pub fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (i, rule) in self.rules.rules().iter().enumerate() {
            let id = i as RuleId;
            for raw in &rule.spec.examples {
                let ex = Example::parse(raw);
                let found = self.scan_text(ex.text.as_bytes());
                let ok = found.iter().any(|d| {
                    d.rule == id
                        && d.confidence >= DEFAULT_MIN_CONFIDENCE
                        && ex.expected.is_none_or(|(s, e)| d.start == s && d.end == e)
                });
                if !ok {
                    let got: Vec<String> = found
                        .iter()
                        .map(|d| {
                            format!(
                                "{}@{}..{} {:?}",
                                self.rules.get(d.rule).id(),
                                d.start,
                                d.end,
                                String::from_utf8_lossy(&ex.text.as_bytes()[d.start..d.end])
                            )
                        })
                        .collect();
                    failures.push(format!(
                        "{}: example {raw:?} not found (got: [{}])",
                        rule.id(),
                        got.join(", ")
                    ));
                }
            }
            for raw in &rule.spec.negatives {
                let found = self.scan_text(raw.as_bytes());
                if let Some(d) = found
                    .iter()
                    .find(|d| d.rule == id && d.confidence >= DEFAULT_MIN_CONFIDENCE)
                {
                    failures.push(format!(
                        "{}: negative {raw:?} matched {:?}",
                        rule.id(),
                        &raw.get(d.start..d.end).unwrap_or("?")
                    ));
                }
            }
        }
        failures
    }
}

/// Does a field name hint at a rule? Short hints (`tel`, `src`, `ip`) must
/// start a word of the name (`client_tel`, `telephone`); longer ones may
/// stand anywhere (`customer_email`, `номер_телефона`).
fn field_matches(field: &str, hint: &str) -> bool {
    if field == hint {
        return true;
    }
    if hint.chars().count() >= 5 {
        return field.contains(hint);
    }
    field
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word.starts_with(hint))
}

/// Numeric validators take digits only; the others take the text as found.
fn validator_input(validator: &str, value: &[u8]) -> Vec<u8> {
    match validator {
        "email" | "ipv4" | "ipv6" | "phone" | "date" | "none" => value.to_vec(),
        "iban" => value
            .iter()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(u8::to_ascii_uppercase)
            .collect(),
        _ => value.iter().copied().filter(u8::is_ascii_digit).collect(),
    }
}

/// Sorts `out[first..]` by start and drops overlapping detections, keeping
/// a watched one, else the more confident one (the earlier, longer one on
/// a tie).
fn resolve_overlaps(out: &mut Vec<Detection>, first: usize) {
    let order = |a: &Detection, b: &Detection| a.start.cmp(&b.start).then(b.end.cmp(&a.end));
    let tail = &mut out[first..];
    // The tokenizer's candidates come in order; only name and address
    // hits, appended after them, need the (allocating) stable sort.
    if !tail.is_sorted_by(|a, b| order(a, b).is_le()) {
        tail.sort_by(order);
    }
    // Kept in place (`out[first..kept]`), not moved through a second
    // vector: each detection is ~130 bytes, and copying every buffer's
    // detections out and back cost ~1 % of a scan (callgrind).
    let mut kept = first;
    for next in first..out.len() {
        if kept > first && out[next].start < out[kept - 1].end {
            // A watched value is the one asked for: a subject's passport
            // number stays a passport number even where context makes the
            // same digits more likely a phone.
            let watched = |x: &Detection| x.signals.contains(Signals::WATCHED);
            let (d, last) = (&out[next], &out[kept - 1]);
            let better = match (watched(d), watched(last)) {
                (true, false) => true,
                (false, true) => false,
                _ => d.confidence > last.confidence,
            };
            if better {
                out.swap(next, kept - 1);
            }
        } else {
            out.swap(next, kept);
            kept += 1;
        }
    }
    out.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The overlap resolution as it was before it kept detections in
    /// place: the reference for `overlaps_resolve_as_the_copying_version_did`.
    fn resolve_overlaps_by_copy(out: &mut Vec<Detection>, first: usize) {
        let tail = &mut out[first..];
        tail.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut kept: Vec<Detection> = Vec::with_capacity(tail.len());
        for d in out.drain(first..) {
            match kept.last_mut() {
                Some(last) if d.start < last.end => {
                    let watched = |x: &Detection| x.signals.contains(Signals::WATCHED);
                    let better = match (watched(&d), watched(last)) {
                        (true, false) => true,
                        (false, true) => false,
                        _ => d.confidence > last.confidence,
                    };
                    if better {
                        *last = d;
                    }
                }
                _ => kept.push(d),
            }
        }
        out.extend(kept);
    }

    #[test]
    fn overlaps_resolve_as_the_copying_version_did() {
        let mut rng = crate::eval::rng::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut next = move |n: u64| rng.below(n);
        let (mut overlapping, mut unsorted) = (0, 0);
        for round in 0..20_000u32 {
            let mut out = Vec::new();
            let first = next(3) as usize;
            let n = first + next(12) as usize;
            let mut at = 0;
            for k in 0..n {
                // Mostly in order (as the tokenizer emits), sometimes not.
                let start = if next(4) == 0 {
                    next(200)
                } else {
                    at + next(15)
                } as usize;
                at = start as u64;
                out.push(Detection {
                    rule: k as RuleId,
                    kind: Kind::Phone,
                    start,
                    end: start + 1 + next(20) as usize,
                    confidence: next(5) as f32 / 4.0,
                    signals: if next(6) == 0 {
                        Signals::WATCHED
                    } else {
                        Signals::empty()
                    },
                    norm: Norm::from_slice(&[round as u8]),
                    location: None,
                });
            }
            let tail = &out[first.min(out.len())..];
            unsorted += usize::from(!tail.is_sorted_by_key(|d| d.start));
            overlapping += usize::from(tail.windows(2).any(|w| w[1].start < w[0].end));
            let first = first.min(out.len());
            let key = |v: &Vec<Detection>| -> Vec<(RuleId, usize, usize)> {
                v.iter().map(|d| (d.rule, d.start, d.end)).collect()
            };
            let mut want = out.clone();
            resolve_overlaps_by_copy(&mut want, first);
            resolve_overlaps(&mut out, first);
            assert_eq!(key(&out), key(&want));
        }
        assert!(
            overlapping > 5_000 && unsorted > 5_000,
            "{overlapping} {unsorted}"
        );
    }

    fn engine() -> Engine {
        Engine::new(RuleSet::builtin()).unwrap()
    }

    fn found(e: &Engine, text: &str) -> Vec<(String, String)> {
        e.scan_text(text.as_bytes())
            .into_iter()
            .map(|d| {
                (
                    e.rules().get(d.rule).id().to_string(),
                    text[d.start..d.end].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn every_builtin_rule_has_a_tokenizer_matcher() {
        let set = RuleSet::builtin();
        for r in set.rules() {
            assert!(
                Builtin::ALL.iter().any(|b| b.rule_id() == r.id()),
                "rule {} has no matcher",
                r.id()
            );
        }
        for b in Builtin::ALL {
            assert!(set.find(b.rule_id()).is_some(), "matcher {b:?} has no rule");
        }
    }

    #[test]
    fn builtin_examples_and_negatives() {
        let failures = engine().check_examples();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn mixed_line() {
        let e = engine();
        let got = found(
            &e,
            "Клиент: тел. +7 912 345-67-89, почта ivan@example.ru, карта 2202 9198 2703 8392, IP 203.0.113.7",
        );
        let rules: Vec<&str> = got.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(rules, ["phone.ru", "email", "card", "ipv4"], "{got:?}");
        assert_eq!(got[0].1, "+7 912 345-67-89");
    }

    #[test]
    fn hard_negatives_stay_quiet() {
        let e = engine();
        for text in [
            "2024-01-15T10:23:45.123Z INFO request_id=550e8400-e29b-41d4-a716-446655440000 took 12ms",
            "ts=1732530000123 version 10.0.19045.2965 Chrome/120.0.6099.109",
            "order #4433495342535343 total 1 299,00 руб",
            "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "доставка 05.03.2024, заказ 2024011512345",
        ] {
            assert!(found(&e, text).is_empty(), "{text}: {:?}", found(&e, text));
        }
    }

    /// A locator that says every offset is in column `phone` of row 1.
    struct PhoneColumn;
    impl Locator for PhoneColumn {
        fn advance(&mut self, _: &[u8], _: u64, _: u64) {}
        fn locate(&mut self, _: &[u8], _: u64, _: u64) -> Option<crate::extract::FieldInfo> {
            Some(crate::extract::FieldInfo {
                location: Location::Table {
                    row: 1,
                    column: "client_phone".into(),
                },
                field: Some("client_phone".into()),
            })
        }
    }

    #[test]
    fn column_hints_count_as_context() {
        let e = engine();
        let text = b"9161234567";
        assert!(
            e.scan_text(text).is_empty(),
            "a bare 10-digit run needs context"
        );
        let mut out = Vec::new();
        let mut loc = PhoneColumn;
        let located = Located {
            locator: &mut loc,
            base: 0,
        };
        e.scan(
            text,
            0,
            text.len(),
            true,
            &mut Scratch::default(),
            &mut out,
            Some(located),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(e.rules().get(out[0].rule).id(), "phone.ru.bare");
        assert!(out[0].signals.contains(Signals::COLUMN_HINT));
        assert!(matches!(
            out[0].location,
            Some(Location::Table { row: 1, .. })
        ));
        assert!(field_matches("client_phone", "phone"));
        assert!(field_matches("telephone", "tel"));
        assert!(!field_matches("hotel", "tel"));
        assert!(field_matches("номер_телефона", "телефон"));
    }

    #[test]
    fn user_rules_run_through_the_regex_pass() {
        let mut set = RuleSet::builtin();
        let user = RuleSet::from_toml(
            r#"[[rule]]
id = "acme.employee"
kind = "person"
description = "ACME employee number"
pattern = "EMP-[0-9]{6}"
confidence = 0.8
examples = ["badge [[EMP-123456]]"]
"#,
            "user.toml",
            false,
        )
        .unwrap();
        set.extend(user).unwrap();
        let e = Engine::new(set).unwrap();
        let got = found(&e, "badge EMP-123456 and тел 89123456789");
        assert_eq!(
            got[0],
            ("acme.employee".to_string(), "EMP-123456".to_string())
        );
        assert_eq!(got[1].0, "phone.ru");
        let failures = e.check_examples();
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn a_value_group_is_the_reported_span() {
        let mut set = RuleSet::builtin();
        let user = RuleSet::from_toml(
            r#"[[rule]]
id = "acme.badge"
kind = "person"
description = "ACME badge"
pattern = "badge: (?P<value>EMP-[0-9]{6})"
confidence = 0.8
examples = ["badge: [[EMP-123456]]"]
negatives = ["EMP-123456 alone"]

[[rule]]
id = "acme.optional"
kind = "person"
description = "group that may not take part"
pattern = "tag(?::(?P<value>[0-9]{4}))?"
confidence = 0.8
"#,
            "user.toml",
            false,
        )
        .unwrap();
        set.extend(user).unwrap();
        let e = Engine::new(set).unwrap();
        let got = found(&e, "x badge: EMP-123456 y tag:1234 tag z");
        assert_eq!(
            got,
            [
                ("acme.badge".to_string(), "EMP-123456".to_string()),
                ("acme.optional".to_string(), "1234".to_string()),
            ]
        );
        let failures = e.check_examples();
        assert!(failures.is_empty(), "{failures:?}");
    }
}
