//! Redaction strategies and the policy that picks one per kind.
//!
//! Owns [`Strategy`] (mask, label, pseudonym, fake, drop), [`RedactPolicy`]
//! (the per-kind choice, mask's keep-last-N, keep-length; a plain struct a
//! config file can fill as well as the flags) and [`Replacer`], which turns
//! one detected value into its replacement text. It knows nothing about
//! files or formats beyond one fact the writer gives it: whether the value
//! sits where only a number is legal (a JSON number, a bare SQL literal),
//! in which case every strategy produces digits.
//!
//! Guarantees: `mask` keeps the value's length and separators; `label` is
//! `[KIND]`; `pseudonym` is `KIND_` + 16 letters, keyed (BLAKE3 with the
//! fingerprint key, separated by purpose) and computed from the
//! *normalised* value, so a phone in any spelling gets one token in every
//! file and run with the same key, and 16 letters from a 19-letter
//! alphabet (68 bits) make a shared token between different values
//! practically impossible; `fake` is a valid value of the kind from
//! reserved/test ranges ([`super::fake`]), deterministic per value and
//! key. No replacement (other than a fake) is itself a detectable value:
//! masks and tokens carry no digits a detector could validate, and
//! numeric replacements are checked against the digit validators.

use super::fake;
use crate::finding::{Fingerprinter, Kind};
use crate::validators;
use std::collections::BTreeMap;
use std::fmt;

/// How one value is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// Same length, separators kept, optional last N kept.
    Mask,
    /// `[PHONE]`, `[EMAIL]`, ...
    Label,
    /// A keyed, deterministic token: joins survive.
    Pseudonym,
    /// A valid-looking synthetic value of the same shape.
    Fake,
    /// Empty the field (CSV), null the value (JSON), NULL the column (SQL).
    Drop,
}

impl Strategy {
    pub const ALL: [Strategy; 5] = [
        Strategy::Mask,
        Strategy::Label,
        Strategy::Pseudonym,
        Strategy::Fake,
        Strategy::Drop,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Strategy::Mask => "mask",
            Strategy::Label => "label",
            Strategy::Pseudonym => "pseudonym",
            Strategy::Fake => "fake",
            Strategy::Drop => "drop",
        }
    }

    pub fn from_id(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|x| x.id() == s)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Which strategy each kind gets, and the mask's options. Built from
/// flags today; a config file can fill the same struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactPolicy {
    pub default: Strategy,
    pub per_kind: BTreeMap<Kind, Strategy>,
    /// Mask: alphanumerics left visible at the end, per kind (defaults:
    /// phone 2, card 4, others 0). Never more than half of a value.
    pub keep_last: BTreeMap<Kind, usize>,
    /// Fit every replacement to the value's length in characters (for
    /// fixed-width columns): labels and tokens are cut or padded with `*`.
    pub keep_length: bool,
}

impl Default for RedactPolicy {
    fn default() -> Self {
        RedactPolicy {
            default: Strategy::Mask,
            per_kind: BTreeMap::new(),
            keep_last: BTreeMap::from([(Kind::Phone, 2), (Kind::Card, 4)]),
            keep_length: false,
        }
    }
}

impl RedactPolicy {
    pub fn strategy(&self, kind: Kind) -> Strategy {
        self.per_kind.get(&kind).copied().unwrap_or(self.default)
    }

    pub fn keep_last(&self, kind: Kind) -> usize {
        self.keep_last.get(&kind).copied().unwrap_or(0)
    }

    /// Some kind may be dropped: the writer then holds a field back until
    /// it knows.
    pub fn uses_drop(&self) -> bool {
        self.default == Strategy::Drop || self.per_kind.values().any(|s| *s == Strategy::Drop)
    }

    /// Applies `kind=strategy` items (`phone=pseudonym`); `*=x` or `all=x`
    /// sets the default.
    pub fn set_strategies<S: AsRef<str>>(&mut self, items: &[S]) -> Result<(), String> {
        for item in items {
            let item = item.as_ref().trim();
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| format!("--strategy {item:?}: expected KIND=STRATEGY"))?;
            let s = Strategy::from_id(v.trim()).ok_or_else(|| {
                format!(
                    "--strategy {item:?}: unknown strategy {v:?} (mask, label, pseudonym, fake, drop)"
                )
            })?;
            match k.trim() {
                "*" | "all" => self.default = s,
                k => {
                    let kind = Kind::from_id(k)
                        .ok_or_else(|| format!("--strategy {item:?}: unknown kind {k:?}"))?;
                    self.per_kind.insert(kind, s);
                }
            }
        }
        Ok(())
    }

    /// Applies `kind=N` items for the mask's keep-last (`card=4`).
    pub fn set_keep_last<S: AsRef<str>>(&mut self, items: &[S]) -> Result<(), String> {
        for item in items {
            let item = item.as_ref().trim();
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| format!("--keep-last {item:?}: expected KIND=N"))?;
            let n: usize = v
                .trim()
                .parse()
                .map_err(|_| format!("--keep-last {item:?}: {v:?} is not a number"))?;
            match k.trim() {
                "*" | "all" => {
                    for kind in Kind::ALL {
                        self.keep_last.insert(kind, n);
                    }
                }
                k => {
                    let kind = Kind::from_id(k)
                        .ok_or_else(|| format!("--keep-last {item:?}: unknown kind {k:?}"))?;
                    self.keep_last.insert(kind, n);
                }
            }
        }
        Ok(())
    }
}

/// One value's replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub text: String,
    /// What was applied (a label in a numeric slot becomes a mask).
    pub strategy: Strategy,
    /// The text is a valid value of the kind by design (a fake): a re-scan
    /// finding exactly it is expected, not a leak.
    pub detectable: bool,
}

/// Purpose strings separating the keyed derivations.
const PSEUDONYM_PURPOSE: &str = "piiscan redact pseudonym v1";
const FAKE_PURPOSE: &str = "piiscan redact fake v1";

/// Consonants only: tokens never spell words, never contain digits (no
/// detector fires on them), and survive case-insensitive systems.
const TOKEN_ALPHABET: &[u8; 19] = b"bcdfghjkmnpqrstvwxz";
const TOKEN_LEN: usize = 16;

/// Turns values into replacements under one policy and key.
#[derive(Debug, Clone)]
pub struct Replacer {
    policy: RedactPolicy,
    keys: Fingerprinter,
}

impl Replacer {
    pub fn new(policy: RedactPolicy, keys: Fingerprinter) -> Replacer {
        Replacer { policy, keys }
    }

    pub fn policy(&self) -> &RedactPolicy {
        &self.policy
    }

    /// The replacement of `value` (decoded text of the span; `norm` its
    /// normalised form) under `strategy`. `numeric`: only a number is
    /// legal here. `Drop` gives the empty string (removing the value); the
    /// writer drops whole fields itself where the format has them.
    pub fn replace(
        &self,
        kind: Kind,
        strategy: Strategy,
        value: &str,
        norm: &[u8],
        numeric: bool,
    ) -> Replacement {
        let norm = if norm.is_empty() {
            value.as_bytes()
        } else {
            norm
        };
        let keep = self.policy.keep_last(kind);
        let mut r = match strategy {
            Strategy::Mask | Strategy::Label if numeric => self.numeric_mask(value, keep),
            Strategy::Mask => plain(mask(kind, value, keep), Strategy::Mask),
            Strategy::Label => plain(format!("[{}]", kind.id().to_uppercase()), Strategy::Label),
            Strategy::Pseudonym => {
                let seed = self.keys.derive(PSEUDONYM_PURPOSE, kind, norm);
                if numeric {
                    plain(numeric_token(&seed, digit_len(value)), Strategy::Pseudonym)
                } else {
                    plain(
                        format!("{}_{}", kind.id().to_uppercase(), token(&seed)),
                        Strategy::Pseudonym,
                    )
                }
            }
            Strategy::Fake => {
                let seed = self.keys.derive(FAKE_PURPOSE, kind, norm);
                match fake::fake(kind, value, norm, &seed) {
                    Some(f) if !numeric || numeric_ok(&f) => Replacement {
                        text: f,
                        strategy: Strategy::Fake,
                        detectable: true,
                    },
                    _ if numeric => self.numeric_mask(value, keep),
                    _ => plain(mask(kind, value, keep), Strategy::Mask),
                }
            }
            Strategy::Drop => plain(String::new(), Strategy::Drop),
        };
        if self.policy.keep_length && r.strategy != Strategy::Drop {
            r.text = fit(&r.text, value.chars().count(), numeric);
        }
        r
    }

    fn numeric_mask(&self, value: &str, keep: usize) -> Replacement {
        plain(numeric_mask(value, keep), Strategy::Mask)
    }
}

fn plain(text: String, strategy: Strategy) -> Replacement {
    Replacement {
        text,
        strategy,
        detectable: false,
    }
}

/// Mask: every letter and digit becomes `*`, except a phone's leading
/// `+` and country-code digit and the last `keep` alphanumerics (never
/// more than half the value). Separators stay, so the shape does.
pub fn mask(kind: Kind, value: &str, keep: usize) -> String {
    if kind == Kind::Ipv6 {
        // The `::` rule looks at what was written before each colon.
        return mask_chars(kind, value, keep);
    }
    mask_fast(kind, value, keep)
}

/// [`mask`] for every kind but IPv6, with the same output: the masked
/// part is mapped in one pass (byte by byte for ASCII, which the
/// compiler vectorises) and the visible tail copied, instead of a
/// counter and a `String::push` per character; the mask was a third of a
/// redaction's writer cost.
fn mask_fast(kind: Kind, value: &str, keep: usize) -> String {
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value;
    let mut seen = 0usize;
    if kind == Kind::Phone && rest.starts_with('+') {
        out.push(b'+');
        rest = &rest[1..];
        if let Some(&c) = rest.as_bytes().first()
            && c.is_ascii_digit()
        {
            out.push(c);
            rest = &rest[1..];
            seen += 1;
        }
    }
    let ascii = rest.is_ascii();
    // Where in `rest` the visible tail starts: after the first
    // `total - visible` alphanumerics of the value (`seen` of them are
    // already written).
    let cut = if keep == 0 {
        rest.len()
    } else {
        let total = seen
            + if ascii {
                rest.bytes().filter(u8::is_ascii_alphanumeric).count()
            } else {
                rest.chars().filter(|&c| alphanumeric(c)).count()
            };
        let hidden = (total - keep.min(total / 2)).saturating_sub(seen);
        let mut n = 0usize;
        rest.char_indices()
            .find(|&(_, c)| {
                n += usize::from(alphanumeric(c));
                n > hidden
            })
            .map_or(rest.len(), |(i, _)| i)
    };
    let (masked, tail) = rest.split_at(cut);
    if ascii {
        out.extend(
            masked
                .bytes()
                .map(|c| if c.is_ascii_alphanumeric() { b'*' } else { c }),
        );
    } else {
        // Byte-wise too: a two-byte sequence led by D0 or D1 is one of
        // U+0400..=U+047F, all Cyrillic letters, so it becomes one `*`
        // without being decoded and looked up (names and addresses are
        // most of the non-ASCII values); anything else is decoded.
        let bytes = masked.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                out.push(if b.is_ascii_alphanumeric() { b'*' } else { b });
                i += 1;
            } else if matches!(b, 0xD0 | 0xD1) {
                out.push(b'*');
                i += 2;
            } else {
                let c = masked[i..].chars().next().unwrap_or_default();
                let len = c.len_utf8();
                if alphanumeric(c) {
                    out.push(b'*');
                } else {
                    out.extend_from_slice(&bytes[i..i + len]);
                }
                i += len;
            }
        }
    }
    out.extend_from_slice(tail.as_bytes());
    // Characters replaced by `*` or copied whole: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// [`mask`] character by character (any script).
fn mask_chars(kind: Kind, value: &str, keep: usize) -> String {
    let total = value.chars().filter(|&c| alphanumeric(c)).count();
    let visible = keep.min(total / 2);
    let mut out = String::with_capacity(value.len());
    let mut seen = 0usize;
    let mut chars = value.chars().peekable();
    if kind == Kind::Phone
        && value.starts_with('+')
        && let Some(plus) = chars.next()
    {
        out.push(plus);
        if let Some(&c) = chars.peek()
            && c.is_ascii_digit()
        {
            out.push(c);
            chars.next();
            seen += 1;
        }
    }
    for c in chars {
        if alphanumeric(c) {
            seen += 1;
            out.push(if seen > total - visible { c } else { '*' });
        } else if c == ':' && kind == Kind::Ipv6 && out.ends_with(':') {
            // `::` alone is an IPv6 address (the unspecified one): a mask
            // must not leave one behind.
            out.push('*');
        } else {
            out.push(c);
        }
    }
    out
}

/// `char::is_alphanumeric`, answered without the Unicode tables for ASCII
/// and the Russian alphabet (most masked characters; the table look-up was
/// most of a mask's cost).
fn alphanumeric(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        'А'..='я' | 'Ё' | 'ё' => true,
        _ => c.is_alphanumeric(),
    }
}

/// Mask for a number: a leading `1` (a JSON number may not start with
/// `0`), zeros, and the last `keep` digits, then checked: if the digits
/// happen to pass a validator, the kept digits go, then the filler digit
/// changes, until none does.
///
/// A number has one dot at most; a bare token with more (an IPv4 address
/// in a JSON array or a SQL `VALUES` list, neither of which is a number)
/// has its dots filled too, or every filler would spell an address again
/// (`192.0.2.2` -> `100.0.0.0`).
pub fn numeric_mask(value: &str, keep: usize) -> String {
    let total = value.chars().filter(char::is_ascii_digit).count();
    let dotted = value.matches('.').nth(1).is_some();
    let filled = |c: char| c.is_alphanumeric() && !"eE".contains(c) || dotted && c == '.';
    for (fill, keep) in [(b'0', keep), (b'0', 0), (b'1', 0), (b'2', 0), (b'3', 0)] {
        let visible = keep.min(total / 2);
        let mut seen = 0usize;
        let text: String = value
            .chars()
            .map(|c| {
                if !c.is_ascii_digit() {
                    return if filled(c) { char::from(fill) } else { c };
                }
                seen += 1;
                if seen == 1 {
                    '1'
                } else if seen > total - visible {
                    c
                } else {
                    char::from(fill)
                }
            })
            .collect();
        if !digits_look_like_pii(&text) {
            return text;
        }
    }
    // Every filler passed a validator (not seen in practice): fall back to
    // a run of one digit, which no validator accepts for any length.
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() || filled(c) {
                '1'
            } else {
                c
            }
        })
        .collect()
}

/// Digits of the value pass a digit validator: a phone, card, INN, SNILS,
/// OGRN(IP) or OMS number.
pub fn digits_look_like_pii(text: &str) -> bool {
    let d: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
    validators::phone::phone_valid(&d)
        || validators::card::card_valid(&d)
        || validators::inn::inn_valid(&d)
        || validators::snils::snils_check(&d) == validators::snils::SnilsCheck::Valid
        || validators::ogrn::ogrn_or_ogrnip_valid(&d)
        || validators::oms::oms_valid(&d)
}

fn numeric_ok(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0') && !s.is_empty()
}

fn digit_len(value: &str) -> usize {
    value.chars().filter(char::is_ascii_digit).count().max(1)
}

/// 16 letters from the token alphabet, from the seed's bytes.
fn token(seed: &[u8; 32]) -> String {
    // 64 bits per u64 / log2(19) ≈ 15 letters; use two words.
    let mut out = String::with_capacity(TOKEN_LEN);
    let mut words = seed
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
    let mut w = words.next().unwrap_or(0);
    let mut left = 0;
    for _ in 0..TOKEN_LEN {
        if left == 0 {
            w = words.next().unwrap_or(w.rotate_left(17));
            left = 8;
        }
        out.push(char::from(TOKEN_ALPHABET[(w % 19) as usize]));
        w /= 19;
        left -= 1;
    }
    out
}

/// A digits-only pseudonym of `len` digits: `1` then keyed digits, re-drawn
/// until no validator accepts them.
fn numeric_token(seed: &[u8; 32], len: usize) -> String {
    let mut rng =
        crate::eval::rng::Rng::new(u64::from_le_bytes(seed[..8].try_into().unwrap_or([0; 8])));
    for _ in 0..64 {
        let mut s = String::with_capacity(len);
        s.push('1');
        for _ in 1..len {
            s.push(char::from(rng.digit()));
        }
        if !digits_look_like_pii(&s) {
            return s;
        }
    }
    "1".repeat(len)
}

/// Cuts or pads (with `*`, or `0` for numbers) to `n` characters.
fn fit(text: &str, n: usize, numeric: bool) -> String {
    let len = text.chars().count();
    if len >= n {
        text.chars().take(n).collect()
    } else {
        let pad = if numeric { '0' } else { '*' };
        let mut s = text.to_string();
        s.extend(std::iter::repeat_n(pad, n - len));
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn alphanumeric_agrees_with_the_standard_library() {
        for c in ('\0'..='\u{3000}').chain(['\u{1F600}', '\u{10FFFF}']) {
            assert_eq!(super::alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    use super::*;

    fn replacer(policy: RedactPolicy) -> Replacer {
        Replacer::new(policy, Fingerprinter::from_secret(b"test key"))
    }

    #[test]
    fn masks_keep_shape() {
        assert_eq!(mask(Kind::Phone, "+7 912 345-67-89", 2), "+7 *** ***-**-89");
        assert_eq!(
            mask(Kind::Card, "2200 1234 5678 9010", 4),
            "**** **** **** 9010"
        );
        assert_eq!(mask(Kind::Email, "ivan@mail.ru", 0), "****@****.**");
        assert_eq!(mask(Kind::Snils, "112-233-445 95", 0), "***-***-*** **");
        assert_eq!(mask(Kind::Card, "1234", 4), "**34");
        assert_eq!(mask(Kind::Email, "иван@почта.рф", 0), "****@*****.**");
        assert_eq!(mask(Kind::Ipv6, "2001:db8::1", 0), "****:***:**");
    }

    #[test]
    fn the_fast_mask_is_the_character_mask() {
        let values = [
            "+7 912 345-67-89",
            "+79123456789",
            "+ 7 912",
            "+",
            "+7",
            "8 (912) 345-67-89",
            "2200 1234 5678 9010",
            "ivan.petrov+orders@example.com",
            "иван@почта.рф",
            "+7 912 345-67-8٩",
            "Иванова Анна Сергеевна",
            "г. Москва, ул. Ленина, д. 5, кв. 12",
            "Ёлкин Ёжик-ёж",
            "203.0.113.9",
            "AB 1234567",
            "1",
            "",
            "Ѣѣ Ѿѿ ҂ Ґґ Ӂ ЀЍ",
            "Müller-Lüdenscheidt, 12",
            "Δημήτρης 李小龍 ١٢٣",
            "Ivan Иванов\u{a0}ул.\u{2009}Ленина — д. 5",
        ];
        for kind in [Kind::Phone, Kind::Card, Kind::Email, Kind::Person] {
            for v in values {
                for keep in [0, 1, 2, 4, 100] {
                    assert_eq!(
                        mask_fast(kind, v, keep),
                        mask_chars(kind, v, keep),
                        "{kind:?} {v:?} keep {keep}"
                    );
                }
            }
        }
    }

    #[test]
    fn numeric_masks_are_numbers_and_not_pii() {
        let m = numeric_mask("79123456789", 2);
        assert_eq!(m, "10000000089");
        assert!(!digits_look_like_pii(&m));
        // All-zero OGRN-13 passes its checksum: the filler must change.
        let m = numeric_mask("1027700132195", 0);
        assert!(!digits_look_like_pii(&m), "{m}");
        assert_eq!(m.len(), 13);
        // A bare IPv4 address (`[192.0.2.2]`): no dots left to spell one;
        // a decimal keeps its one dot.
        let m = numeric_mask("192.0.2.2", 0);
        assert_eq!(m, "100000000");
        assert!(validators::ip::parse_ipv4(m.as_bytes()).is_none());
        assert_eq!(numeric_mask("55.7558", 0), "10.0000");
    }

    #[test]
    fn pseudonyms_are_keyed_deterministic_and_spelling_blind() {
        let mut p = RedactPolicy::default();
        p.set_strategies(&["phone=pseudonym"]).unwrap();
        let r = replacer(p.clone());
        let a = r.replace(
            Kind::Phone,
            Strategy::Pseudonym,
            "+7 912 345-67-89",
            b"+79123456789",
            false,
        );
        let b = r.replace(
            Kind::Phone,
            Strategy::Pseudonym,
            "8 (912) 3456789",
            b"+79123456789",
            false,
        );
        assert_eq!(a, b);
        assert!(a.text.starts_with("PHONE_") && a.text.len() == 6 + TOKEN_LEN);
        let c = r.replace(
            Kind::Phone,
            Strategy::Pseudonym,
            "+7 912 345-67-88",
            b"+79123456788",
            false,
        );
        assert_ne!(a.text, c.text);
        let other = Replacer::new(p, Fingerprinter::from_secret(b"other"));
        let d = other.replace(
            Kind::Phone,
            Strategy::Pseudonym,
            "+7 912 345-67-89",
            b"+79123456789",
            false,
        );
        assert_ne!(a.text, d.text);
        let n = r.replace(
            Kind::Phone,
            Strategy::Pseudonym,
            "79123456789",
            b"+79123456789",
            true,
        );
        assert!(numeric_ok(&n.text) && n.text.len() == 11, "{}", n.text);
    }

    #[test]
    fn labels_and_numeric_fallback() {
        let r = replacer(RedactPolicy::default());
        let l = r.replace(Kind::Email, Strategy::Label, "a@example.com", b"", false);
        assert_eq!(l.text, "[EMAIL]");
        let n = r.replace(Kind::Phone, Strategy::Label, "79123456789", b"", true);
        assert_eq!(n.strategy, Strategy::Mask);
        assert!(numeric_ok(&n.text));
    }

    #[test]
    fn policy_parsing() {
        let mut p = RedactPolicy::default();
        p.set_strategies(&["phone=pseudonym", "email=label", "*=fake"])
            .unwrap();
        assert_eq!(p.strategy(Kind::Phone), Strategy::Pseudonym);
        assert_eq!(p.strategy(Kind::Inn), Strategy::Fake);
        assert!(p.set_strategies(&["phone=shred"]).is_err());
        assert!(p.set_strategies(&["fone=mask"]).is_err());
        p.set_keep_last(&["card=6"]).unwrap();
        assert_eq!(p.keep_last(Kind::Card), 6);
        assert!(!p.uses_drop());
        p.set_strategies(&["inn=drop"]).unwrap();
        assert!(p.uses_drop());
    }

    #[test]
    fn keep_length_fits() {
        let r = replacer(RedactPolicy {
            keep_length: true,
            ..RedactPolicy::default()
        });
        let l = r.replace(Kind::Phone, Strategy::Label, "+79123456789", b"", false);
        assert_eq!(l.text, "[PHONE]*****");
        let t = r.replace(Kind::Inn, Strategy::Pseudonym, "1234", b"1234", false);
        assert_eq!(t.text, "INN_");
    }
}
