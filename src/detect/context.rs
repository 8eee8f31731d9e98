//! Context words: one Aho-Corasick automaton over every rule's context and
//! negative-context words, run only on the small window around a candidate.
//!
//! Owns lower-casing a window (ASCII and Cyrillic, byte-level, no
//! allocation), finding words that start at a word boundary, and answering
//! "is a context / negative word of rule R near, and which is nearest".
//! It does not decide confidence: the engine does.

use super::rules::{RuleId, RuleSet};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

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
pub const WINDOW_BEFORE: usize = 72;
/// Bytes after a candidate (for "1984 г.р.", "(мобильный)").
pub const WINDOW_AFTER: usize = 24;

#[derive(Debug, Clone)]
pub struct ContextMatcher {
    ac: Option<AhoCorasick>,
    /// Per automaton pattern: rules it supports and rules it argues against.
    word_rules: Vec<(RuleMask, RuleMask)>,
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
                    let w = lowercase_str(w);
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
        let ac = if words.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&words)
                    .expect("context word automaton builds"),
            )
        };
        ContextMatcher { ac, word_rules }
    }

    /// Finds the context words in `buf[lo..start]` and `buf[end..hi]`.
    pub fn scan(
        &self,
        buf: &[u8],
        start: usize,
        end: usize,
        lower: &mut Vec<u8>,
        out: &mut ContextHits,
    ) {
        out.hits.clear();
        let Some(ac) = &self.ac else { return };
        let lo = floor_char_boundary(buf, start.saturating_sub(WINDOW_BEFORE));
        let hi = (end + WINDOW_AFTER).min(buf.len());
        // Before-window: distance = bytes from the word's end to the candidate.
        lowercase_into(&buf[lo..start], lower);
        for m in ac.find_overlapping_iter(lower.as_slice()) {
            if at_word_start(lower, m.start()) {
                out.hits.push((start - lo - m.end(), m.pattern().as_u32()));
            }
        }
        // After-window: words right after the value ("1984 г.р.").
        lowercase_into(&buf[end..hi], lower);
        for m in ac.find_overlapping_iter(lower.as_slice()) {
            if at_word_start(lower, m.start()) && m.start() <= 8 {
                out.hits.push((m.start(), m.pattern().as_u32()));
            }
        }
    }

    /// (context word near, negative word nearer than any context word).
    pub fn verdict(&self, hits: &ContextHits, rule: RuleId) -> (bool, bool) {
        let mut best_pos: Option<usize> = None;
        let mut best_neg: Option<usize> = None;
        for &(dist, pat) in &hits.hits {
            let (pos, neg) = &self.word_rules[pat as usize];
            if pos.has(rule) {
                best_pos = Some(best_pos.map_or(dist, |d| d.min(dist)));
            }
            if neg.has(rule) {
                best_neg = Some(best_neg.map_or(dist, |d| d.min(dist)));
            }
        }
        let negative = match (best_neg, best_pos) {
            (Some(n), Some(p)) => n < p,
            (Some(_), None) => true,
            _ => false,
        };
        (best_pos.is_some(), negative)
    }
}

/// A context word must start a word: "тел" in "отель" is not context.
fn at_word_start(lower: &[u8], at: usize) -> bool {
    if at == 0 {
        return true;
    }
    let prev = lower[at - 1];
    if prev.is_ascii_alphanumeric() {
        return false;
    }
    // A Cyrillic letter before: its UTF-8 is D0/D1 xx.
    if (0x80..0xC0).contains(&prev) && at >= 2 && matches!(lower[at - 2], 0xD0 | 0xD1) {
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

/// Lower-cases ASCII and Cyrillic (А-Я, Ё) in UTF-8, byte for byte, keeping
/// the length so offsets stay valid. Hand-written because it runs per
/// candidate and must not allocate or decode.
pub fn lowercase_into(src: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(src);
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        if b.is_ascii_uppercase() {
            out[i] = b + 32;
        } else if b == 0xD0 && i + 1 < out.len() {
            let c = out[i + 1];
            match c {
                // А..П -> а..п
                0x90..=0x9F => out[i + 1] = c + 0x20,
                // Р..Я -> р..я (D1 80..8F)
                0xA0..=0xAF => {
                    out[i] = 0xD1;
                    out[i + 1] = c - 0x20;
                }
                // Ё -> ё
                0x81 => {
                    out[i] = 0xD1;
                    out[i + 1] = 0x91;
                }
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
}

fn lowercase_str(s: &str) -> String {
    let mut v = Vec::new();
    lowercase_into(s.as_bytes(), &mut v);
    String::from_utf8(v).unwrap_or_else(|_| s.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_cyrillic_and_ascii() {
        let mut out = Vec::new();
        lowercase_into("ПАСПОРТ Серия ЁЛКА Dob".as_bytes(), &mut out);
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "паспорт серия ёлка dob"
        );
        lowercase_into(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
                .to_uppercase()
                .as_bytes(),
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
        );
    }

    #[test]
    fn context_words_need_a_word_start_and_the_nearest_wins() {
        let rules = RuleSet::builtin();
        let m = ContextMatcher::new(&rules);
        let phone = rules.find("phone.ru").unwrap();
        let mut lower = Vec::new();
        let mut hits = ContextHits::default();
        let check = |text: &str, lower: &mut Vec<u8>, hits: &mut ContextHits| {
            let start = text.find('#').unwrap();
            m.scan(text.as_bytes(), start, start + 1, lower, hits);
            m.verdict(hits, phone)
        };
        assert_eq!(check("Тел.: #", &mut lower, &mut hits), (true, false));
        assert_eq!(check("в отеле #", &mut lower, &mut hits), (false, false));
        assert_eq!(check("заказ #", &mut lower, &mut hits), (false, true));
        // A phone word nearer than an order word: context wins.
        assert_eq!(
            check("заказ 5, тел #", &mut lower, &mut hits),
            (true, false)
        );
    }
}
