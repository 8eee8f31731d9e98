//! Context words: one Aho-Corasick automaton over every rule's context and
//! negative-context words, run only on the small window around a candidate.
//!
//! Owns the case handling (the automaton holds each word in lower, Title
//! and UPPER case and matches ASCII case-insensitively, so the window is
//! searched in place, without copying or folding), finding words that
//! start at a word boundary, and answering "is a context / negative word of
//! rule R near, and which is nearest".
//! It does not decide confidence: the engine does.

use super::rules::{RuleId, RuleSet};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Rules per set the context bitmaps can address.
pub const MAX_RULES: usize = 256;

/// A set of rules as a fixed bitmap (no allocation on the hot path).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleMask([u64; MAX_RULES / 64]);

impl RuleMask {
    pub fn set(&mut self, r: RuleId) {
        self.0[r as usize / 64] |= 1 << (r % 64);
    }
    pub fn has(&self, r: RuleId) -> bool {
        self.0[r as usize / 64] & (1 << (r % 64)) != 0
    }
}

/// Bytes of text before a candidate searched for context words.
/// 64 bytes: "водительское удостоверение " alone is 52.
pub const WINDOW_BEFORE: usize = 64;
/// Bytes after a candidate (for "1984 г.р.", "(мобильный)").
pub const WINDOW_AFTER: usize = 24;

#[derive(Debug, Clone)]
pub struct ContextMatcher {
    ac: Option<AhoCorasick>,
    /// Per word: rules it supports and rules it argues against.
    word_rules: Vec<(RuleMask, RuleMask)>,
    /// Automaton pattern index -> word index.
    pattern_word: Vec<u32>,
}

/// Context words found around one candidate, nearest last.
#[derive(Debug, Default, Clone)]
pub struct ContextHits {
    /// (distance from the candidate in bytes, pattern index)
    hits: Vec<(usize, u32)>,
}

impl ContextMatcher {
    pub fn new(rules: &RuleSet) -> ContextMatcher {
        let mut words: Vec<String> = Vec::new();
        let mut word_rules: Vec<(RuleMask, RuleMask)> = Vec::new();
        for (i, rule) in rules.rules().iter().enumerate() {
            let id = i as RuleId;
            let lists = [
                (&rule.spec.context, false),
                (&rule.spec.negative_context, true),
            ];
            for (list, negative) in lists {
                for w in list {
                    let w = w.to_lowercase();
                    if w.is_empty() {
                        continue;
                    }
                    let idx = match words.iter().position(|x| *x == w) {
                        Some(idx) => idx,
                        None => {
                            words.push(w);
                            word_rules.push(Default::default());
                            words.len() - 1
                        }
                    };
                    if negative {
                        word_rules[idx].1.set(id);
                    } else {
                        word_rules[idx].0.set(id);
                    }
                }
            }
        }
        // Leftmost-longest, not overlapping: "телефон" and "тел" both say
        // phone, and the non-overlapping search is several times faster.
        // Each word in three casings; the pattern index maps back to the
        // word through `pattern_word`.
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_word: Vec<u32> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let mut title = String::new();
            let mut chars = w.chars();
            if let Some(c) = chars.next() {
                title.extend(c.to_uppercase());
                title.push_str(chars.as_str());
            }
            for variant in [w.clone(), title, w.to_uppercase()] {
                if !patterns.contains(&variant) {
                    patterns.push(variant);
                    pattern_word.push(i as u32);
                }
            }
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .ascii_case_insensitive(true)
                    .kind(Some(AhoCorasickKind::DFA))
                    // Windows are under 100 bytes and, with three casings
                    // and Cyrillic, no byte is rare: a prefilter only adds
                    // restarts; the DFA alone reads each byte once.
                    .prefilter(false)
                    .build(&patterns)
                    .expect("context word automaton builds"),
            )
        };
        ContextMatcher {
            ac,
            word_rules,
            pattern_word,
        }
    }

    /// Finds the context words in `buf[lo..start]` and `buf[end..hi]`.
    pub fn scan(&self, buf: &[u8], start: usize, end: usize, out: &mut ContextHits) {
        out.hits.clear();
        let Some(ac) = &self.ac else { return };
        let lo = window_start(buf, start);
        // The after-window ends with the line: a "DOB:" on the next line
        // belongs to the next value.
        let hi = (end + WINDOW_AFTER).min(buf.len());
        let hi = memchr::memchr(b'\n', &buf[end..hi]).map_or(hi, |i| end + i);
        // Before-window: distance = bytes from the word's end to the candidate.
        for m in ac.find_iter(&buf[lo..start]) {
            if at_word_start(buf, lo + m.start()) {
                let word = self.pattern_word[m.pattern().as_usize()];
                out.hits.push((start - lo - m.end(), word));
            }
        }
        // After-window: words right after the value ("1984 г.р."). Matches
        // come in order of their starts: stop at the first too far away.
        for m in ac.find_iter(&buf[end..hi]) {
            if m.start() > 8 {
                break;
            }
            if at_word_start(buf, end + m.start()) {
                let word = self.pattern_word[m.pattern().as_usize()];
                out.hits.push((m.start(), word));
            }
        }
    }

    /// What the words around a candidate say about `rule`.
    pub fn verdict(&self, hits: &ContextHits, rule: RuleId) -> Verdict {
        let mut best_pos: Option<usize> = None;
        let mut best_neg: Option<usize> = None;
        for &(dist, pat) in &hits.hits {
            let (pos, neg) = &self.word_rules[pat as usize];
            if pos.has(rule) {
                best_pos = Some(best_pos.map_or(dist, |d| d.min(dist)));
            }
            if neg.has(rule) && dist <= NEGATIVE_REACH {
                best_neg = Some(best_neg.map_or(dist, |d| d.min(dist)));
            }
        }
        let negative = match (best_neg, best_pos) {
            (Some(n), Some(p)) => n < p,
            (Some(_), None) => true,
            _ => false,
        };
        Verdict {
            nearest: best_pos,
            negative,
        }
    }
}

/// A negative word argues only when it stands this close ("заказ
/// 2024011512345"); further away it usually belongs to something else
/// ("order-service: otp sms sent to +7…").
const NEGATIVE_REACH: usize = 24;

/// The context verdict for one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Distance in bytes to the nearest context word, if any.
    pub nearest: Option<usize>,
    /// A negative word is near and nearer than any context word.
    pub negative: bool,
}

impl Verdict {
    pub fn near(&self) -> bool {
        self.nearest.is_some()
    }
}

/// Where the before-window starts: at most [`WINDOW_BEFORE`] bytes back,
/// and not before the start of the value's line, unless the value opens
/// its line (then the line before may hold the label: "Паспорт:\n4508 …").
fn window_start(buf: &[u8], start: usize) -> usize {
    let lo = floor_char_boundary(buf, start.saturating_sub(WINDOW_BEFORE));
    match memchr::memrchr(b'\n', &buf[lo..start]) {
        Some(i) => {
            let line_start = lo + i + 1;
            if buf[line_start..start].iter().all(u8::is_ascii_whitespace) {
                lo
            } else {
                line_start
            }
        }
        None => lo,
    }
}

/// A context word must start a word: "тел" in "отель" is not context.
fn at_word_start(buf: &[u8], at: usize) -> bool {
    if at == 0 {
        return true;
    }
    let prev = buf[at - 1];
    if prev.is_ascii_alphanumeric() {
        return false;
    }
    // A Cyrillic letter before: its UTF-8 is D0/D1 xx.
    if (0x80..0xC0).contains(&prev) && at >= 2 && matches!(buf[at - 2], 0xD0 | 0xD1) {
        return false;
    }
    true
}

/// Moves `i` back to the start of a UTF-8 character.
fn floor_char_boundary(buf: &[u8], mut i: usize) -> usize {
    while i > 0 && i < buf.len() && (buf[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_words_need_a_word_start_and_the_nearest_wins() {
        let rules = RuleSet::builtin();
        let m = ContextMatcher::new(&rules);
        let phone = rules.find("phone.ru").unwrap();
        let mut hits = ContextHits::default();
        let mut check = |text: &str| {
            let start = text.find('#').unwrap();
            m.scan(text.as_bytes(), start, start + 1, &mut hits);
            let v = m.verdict(&hits, phone);
            (v.near(), v.negative)
        };
        assert_eq!(check("Тел.: #"), (true, false));
        assert_eq!(check("ТЕЛЕФОН #"), (true, false));
        assert_eq!(check("Phone: #"), (true, false));
        assert_eq!(check("в отеле #"), (false, false));
        assert_eq!(check("заказ #"), (false, true));
        // A phone word nearer than an order word: context wins.
        assert_eq!(check("заказ 5, тел #"), (true, false));
        // A far negative word does not argue; words on another line do not count.
        assert_eq!(check("order-service: otp sms sent to #"), (false, false));
        assert_eq!(check("тел\nx #"), (false, false));
        // A value opening its line takes the label from the line before.
        assert_eq!(check("Телефон:\n#"), (true, false));
    }
}
