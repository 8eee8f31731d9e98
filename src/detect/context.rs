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
use super::swar;
use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, PatternID, StartKind};

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
    /// None when no rule has any context word.
    words: Option<WordDfa>,
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

/// The automaton's patterns: every context and negative-context word in
/// its three casings, and what each word says.
struct Words {
    patterns: Vec<String>,
    /// Pattern index -> word index.
    pattern_word: Vec<u32>,
    /// Per word: rules it supports and rules it argues against.
    word_rules: Vec<(RuleMask, RuleMask)>,
}

impl Words {
    fn new(rules: &RuleSet) -> Words {
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
        Words {
            patterns,
            pattern_word,
            word_rules,
        }
    }
}

/// The context-word automaton and the search loop that drives it by hand.
///
/// Owns the match semantics: non-overlapping leftmost-longest matches,
/// exactly those `AhoCorasick::find_iter` reports for an automaton built
/// with the same options (the tests' `Reference` compares the two on
/// generated windows).
///
/// Why by hand: windows are under 100 bytes and there is one per
/// candidate, so `find_iter`'s per-search set-up (an `Input`, a call per
/// match, the restart logic, the generic prefilter checks) cost more than
/// the bytes themselves: about 1,900 instructions per candidate, 450 M
/// of 3.57 G on corpus50s with the foundation kinds. Driven here, with
/// the root skip and the after-window's early stop: 257 M (about 1,100
/// a candidate, most of it ~12 instructions per byte of the
/// before-window the automaton steps through).
///
/// Tried and dropped (same corpus and kinds, `ContextMatcher::scan` at
/// 260 M): running the automaton only from word starts (an exact
/// eight-at-a-time word-start mask, anchored runs, a reversed check for
/// words that run over a word start, the exact search as fallback) cut the
/// automaton's steps from 8.4 M to 3.3 M but cost 388 M: the mask alone
/// is ~95 instructions per eight bytes (1.45 M chunks), more than the
/// steps it saves. This loop split into a function of its own: 281 M.
/// Reusing the previous candidate's matches: only 17 % of before-window
/// bytes overlap (40 % on CSV), and a leftmost-longest match near the old
/// window's end depends on the bytes after it (words run to 53 bytes).
#[derive(Debug, Clone)]
struct WordDfa {
    dfa: DFA,
    /// The unanchored start state: the root, no word under way.
    start: StateID,
    /// Every byte below this leaves the automaton at its root: no word
    /// starts with it (for the built-in words, 'A': digits, spaces and
    /// punctuation). At most 0x80, for the eight-at-a-time test.
    lead: u8,
}

/// A word after the value counts only when it starts within this many
/// bytes of the value's end ("1984 г.р.", "(мобильный)").
const AFTER_REACH: usize = 8;

impl WordDfa {
    fn new(patterns: &[String]) -> Option<WordDfa> {
        if patterns.is_empty() {
            return None;
        }
        let dfa = aho_corasick::dfa::Builder::new()
            // Leftmost-longest, not overlapping: "телефон" and "тел" both
            // say phone, and the non-overlapping search is several times
            // faster.
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .start_kind(StartKind::Unanchored)
            // Windows are under 100 bytes and, with three casings and
            // Cyrillic, no byte is rare: a prefilter only adds restarts;
            // the DFA alone reads each byte once.
            .prefilter(false)
            .build(patterns)
            .expect("context word automaton builds");
        let start = dfa
            .start_state(Anchored::No)
            .expect("the automaton supports unanchored searches");
        let lead = (0..0x80u8)
            .find(|&b| dfa.next_state(Anchored::No, start, b) != start)
            .unwrap_or(0x80);
        Some(WordDfa { dfa, start, lead })
    }

    /// Calls `f(start, end, pattern)` for each match in `hay`, in order:
    /// the same matches as `find_iter`, whose inner loop (`try_find_fwd`,
    /// without a prefilter, start states not special) this is, run from
    /// the start of `hay` and again from the end of each match.
    ///
    /// One shortcut: at the root, bytes below [`WordDfa::lead`] lead back
    /// to the root, so a run of them is skipped sixteen at a time rather
    /// than stepped through (the state after them is the same).
    #[inline]
    fn before_matches(&self, hay: &[u8], mut f: impl FnMut(usize, usize, PatternID)) {
        let dfa = &self.dfa;
        let (root, lead) = (self.start, self.lead);
        let mut from = 0;
        loop {
            let mut sid = root;
            // (end, pattern) of the longest match so far from the
            // leftmost start.
            let mut mat: Option<(usize, PatternID)> = None;
            let mut at = from;
            while at < hay.len() {
                let byte = hay[at];
                if byte < lead && sid == root {
                    at = self.skip_inert(hay, at + 1);
                    continue;
                }
                sid = dfa.next_state(Anchored::No, sid, byte);
                at += 1;
                if dfa.is_special(sid) {
                    // Dead: no longer match possible; report what we have.
                    if dfa.is_dead(sid) {
                        break;
                    }
                    mat = Some((at, dfa.match_pattern(sid, 0)));
                }
            }
            let Some((end, pid)) = mat else { return };
            f(end - dfa.pattern_len(pid), end, pid);
            from = end;
        }
    }

    /// The first position from `at` on whose byte is [`WordDfa::lead`] or
    /// above, or `hay.len()`.
    #[inline(always)]
    fn skip_inert(&self, hay: &[u8], at: usize) -> usize {
        // Most runs are one byte (the space between two words).
        match hay.get(at) {
            Some(&b) if b < self.lead => swar::ascii_run_end(hay, at, 0, self.lead - 1),
            _ => at,
        }
    }

    /// Like [`WordDfa::before_matches`] for an after-window, until `f`
    /// returns false; `hay` ends at its first newline (the line's end).
    ///
    /// The caller stops at the first match starting past
    /// [`AFTER_REACH`], so once past it this stops as soon as the
    /// automaton is back at its root with nothing pending: every later
    /// match starts at or after the current byte (a match ending at `e`
    /// is at most as long as the trie depth of its state, and the depth
    /// grows by at most one per byte from zero at the root). This reads
    /// 9 or 10 bytes of a 24-byte after-window when no word is there.
    #[inline]
    fn after_matches(&self, hay: &[u8], mut f: impl FnMut(usize, usize, PatternID) -> bool) {
        let dfa = &self.dfa;
        let (root, lead) = (self.start, self.lead);
        // Bytes a match starting within reach may end on: read them all.
        let head = hay.len().min(AFTER_REACH + 1);
        let mut from = 0;
        loop {
            let mut sid = root;
            let mut mat: Option<(usize, PatternID)> = None;
            let mut at = from;
            'run: {
                while at < head {
                    let byte = hay[at];
                    if byte == b'\n' {
                        break 'run;
                    }
                    // At the root a byte below `lead` leads back to the
                    // root (the space or punctuation after most values):
                    // no step needed.
                    if byte < lead && sid == root {
                        at += 1;
                        continue;
                    }
                    sid = dfa.next_state(Anchored::No, sid, byte);
                    at += 1;
                    if dfa.is_special(sid) {
                        if dfa.is_dead(sid) {
                            break 'run;
                        }
                        mat = Some((at, dfa.match_pattern(sid, 0)));
                    }
                }
                while at < hay.len() {
                    if sid == root && mat.is_none() {
                        return;
                    }
                    let byte = hay[at];
                    if byte == b'\n' {
                        break 'run;
                    }
                    sid = dfa.next_state(Anchored::No, sid, byte);
                    at += 1;
                    if dfa.is_special(sid) {
                        if dfa.is_dead(sid) {
                            break 'run;
                        }
                        mat = Some((at, dfa.match_pattern(sid, 0)));
                    }
                }
            }
            let Some((end, pid)) = mat else { return };
            if !f(end - dfa.pattern_len(pid), end, pid) {
                return;
            }
            from = end;
        }
    }
}

impl ContextMatcher {
    pub fn new(rules: &RuleSet) -> ContextMatcher {
        let Words {
            patterns,
            pattern_word,
            word_rules,
        } = Words::new(rules);
        ContextMatcher {
            words: WordDfa::new(&patterns),
            word_rules,
            pattern_word,
        }
    }

    /// Finds the context words in `buf[lo..start]` and `buf[end..hi]`.
    pub fn scan(&self, buf: &[u8], start: usize, end: usize, out: &mut ContextHits) {
        out.hits.clear();
        let Some(words) = &self.words else { return };
        let lo = window_start(buf, start);
        // The after-window ends with the line: a "DOB:" on the next line
        // belongs to the next value. `after_matches` stops at the newline
        // itself: it reads about ten bytes, where a memchr over all 24
        // cost ~50 instructions a candidate.
        let hi = (end + WINDOW_AFTER).min(buf.len());
        // Before-window: distance = bytes from the word's end to the candidate.
        words.before_matches(&buf[lo..start], |s, e, pid| {
            if at_word_start(buf, lo + s) {
                let word = self.pattern_word[pid.as_usize()];
                out.hits.push((start - lo - e, word));
            }
        });
        // After-window: words right after the value ("1984 г.р."). Matches
        // come in order of their starts: stop at the first too far away.
        words.after_matches(&buf[end..hi], |s, _, pid| {
            if s > AFTER_REACH {
                return false;
            }
            if at_word_start(buf, end + s) {
                let word = self.pattern_word[pid.as_usize()];
                out.hits.push((s, word));
            }
            true
        });
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

    /// The search as it was before [`WordDfa`]: `AhoCorasick::find_iter`
    /// with the same options. The reference the hand-driven loop must
    /// agree with.
    struct Reference {
        ac: aho_corasick::AhoCorasick,
        pattern_word: Vec<u32>,
    }

    impl Reference {
        fn new(rules: &RuleSet) -> Reference {
            let words = Words::new(rules);
            let ac = aho_corasick::AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .prefilter(false)
                .build(&words.patterns)
                .unwrap();
            Reference {
                ac,
                pattern_word: words.pattern_word,
            }
        }

        fn scan(&self, buf: &[u8], start: usize, end: usize, out: &mut ContextHits) {
            out.hits.clear();
            let lo = window_start(buf, start);
            let hi = (end + WINDOW_AFTER).min(buf.len());
            let hi = memchr::memchr(b'\n', &buf[end..hi]).map_or(hi, |i| end + i);
            for m in self.ac.find_iter(&buf[lo..start]) {
                if at_word_start(buf, lo + m.start()) {
                    let word = self.pattern_word[m.pattern().as_usize()];
                    out.hits.push((start - lo - m.end(), word));
                }
            }
            for m in self.ac.find_iter(&buf[end..hi]) {
                if m.start() > 8 {
                    break;
                }
                if at_word_start(buf, end + m.start()) {
                    let word = self.pattern_word[m.pattern().as_usize()];
                    out.hits.push((m.start(), word));
                }
            }
        }
    }

    /// xorshift64*: a fixed, dependency-free stream for generated texts.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// A text of context words (any casing, mixed ASCII case, cut short,
    /// glued to letters), Cyrillic and Latin letters, digits,
    /// punctuation and newlines.
    fn generated_text(rng: &mut Rng, patterns: &[String], len: usize) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "2025-01-23T21:49:28.398+03:00",
            "   ",
            "{\"ts\":",
            "\"}",
            " ",
            " ",
            " ",
            ": ",
            ".",
            ",",
            "-",
            "/",
            "(",
            ")",
            "#",
            "=",
            "_",
            "\t",
            "\n",
            "\n",
            "\r\n",
            "—",
            "№",
            "«",
            "0",
            "1",
            "7",
            "8",
            "42",
            "+7",
            "а",
            "т",
            "е",
            "л",
            "о",
            "н",
            "ё",
            "Ё",
            "Т",
            "Е",
            "Л",
            "ф",
            "x",
            "e",
            "t",
            "l",
            "E",
            "T",
            "é",
            "ß",
            "\u{1F600}",
        ];
        let mut text = String::new();
        while text.len() < len {
            match rng.below(4) {
                0 | 1 => {
                    let p = &patterns[rng.below(patterns.len())];
                    let chars: Vec<char> = p.chars().collect();
                    let mut take = chars.len();
                    if rng.below(4) == 0 {
                        take = 1 + rng.below(chars.len());
                    }
                    let flip = rng.below(3) == 0;
                    for (k, c) in chars[..take].iter().enumerate() {
                        if flip && c.is_ascii() && rng.below(2) == 0 {
                            text.push(if k % 2 == 0 {
                                c.to_ascii_uppercase()
                            } else {
                                c.to_ascii_lowercase()
                            });
                        } else {
                            text.push(*c);
                        }
                    }
                }
                _ => text.push_str(PIECES[rng.below(PIECES.len())]),
            }
        }
        text.into_bytes()
    }

    /// Compares scan hits and every rule's verdict with the reference on
    /// many generated windows; returns the number of non-empty hit lists.
    fn agree_with_reference(rules: &RuleSet, seed: u64, texts: usize) -> usize {
        let m = ContextMatcher::new(rules);
        let reference = Reference::new(rules);
        let patterns = Words::new(rules).patterns;
        let mut rng = Rng(seed);
        let (mut got, mut want) = (ContextHits::default(), ContextHits::default());
        let mut non_empty = 0;
        for _ in 0..texts {
            let len = 1 + rng.below(200);
            let buf = generated_text(&mut rng, &patterns, len);
            for _ in 0..20 {
                let start = rng.below(buf.len() + 1);
                let end = start + rng.below(buf.len() - start + 1).min(12);
                m.scan(&buf, start, end, &mut got);
                reference.scan(&buf, start, end, &mut want);
                assert_eq!(
                    got.hits,
                    want.hits,
                    "window {start}..{end} of {:?}",
                    String::from_utf8_lossy(&buf)
                );
                for rule in 0..rules.len() as RuleId {
                    assert_eq!(m.verdict(&got, rule), m.verdict(&want, rule));
                }
                non_empty += usize::from(!want.hits.is_empty());
            }
        }
        non_empty
    }

    #[test]
    fn hand_driven_search_matches_find_iter_on_generated_windows() {
        let rules = RuleSet::builtin();
        let non_empty = agree_with_reference(&rules, 0x9E37_79B9_7F4A_7C15, 4000);
        // 80,000 windows; most must hold a word, or the test proves nothing.
        assert!(non_empty > 40_000, "only {non_empty} windows with hits");
    }

    #[test]
    fn hand_driven_search_matches_find_iter_on_nested_words() {
        // Words that are prefixes, suffixes and middles of each other, and
        // words with inner word starts, so the leftmost-longest choice and
        // the non-overlapping restarts decide what is found.
        let toml = r#"
            [[rule]]
            id = "a"
            kind = "phone"
            description = "a"
            pattern = "x"
            confidence = 0.5
            context = ["тел", "телефон", "тел.", "ел", "фон", "e-mail", "mail", "ma", "il"]
            negative_context = ["л.с", "с", "a-b", "b-c", "c", "abc", "bc"]

            [[rule]]
            id = "b"
            kind = "email"
            description = "b"
            pattern = "x"
            confidence = 0.5
            context = ["дата рождения", "рождения", "д.р.", "р.", "г.р", "ab"]
        "#;
        let rules = RuleSet::from_toml(toml, "test", true).unwrap();
        assert_eq!(ContextMatcher::new(&rules).words.unwrap().lead, b'A');
        let non_empty = agree_with_reference(&rules, 7, 4000);
        assert!(non_empty > 40_000, "only {non_empty} windows with hits");
    }

    #[test]
    fn hand_driven_search_matches_find_iter_whatever_bytes_skip_the_root() {
        // Only Cyrillic words: every ASCII byte keeps the root, so the
        // eight-at-a-time skip runs over words too. Then words opening
        // with punctuation and digits: almost nothing is skipped.
        let cyrillic = r#"
            [[rule]]
            id = "a"
            kind = "phone"
            description = "a"
            pattern = "x"
            confidence = 0.5
            context = ["тел", "телефон", "тел.", "ел", "д.р.", "дата рождения"]
        "#;
        let rules = RuleSet::from_toml(cyrillic, "test", true).unwrap();
        assert_eq!(ContextMatcher::new(&rules).words.unwrap().lead, 0x80);
        let non_empty = agree_with_reference(&rules, 11, 4000);
        assert!(non_empty > 40_000, "only {non_empty} windows with hits");
        let punctuation = r##"
            [[rule]]
            id = "a"
            kind = "phone"
            description = "a"
            pattern = "x"
            confidence = 0.5
            context = ["(моб", "#1", "+7", " тел", "tel"]
        "##;
        let rules = RuleSet::from_toml(punctuation, "test", true).unwrap();
        assert_eq!(ContextMatcher::new(&rules).words.unwrap().lead, b' ');
        let non_empty = agree_with_reference(&rules, 13, 4000);
        assert!(non_empty > 40_000, "only {non_empty} windows with hits");
    }
}
