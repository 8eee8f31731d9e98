//! Watched values: identifiers a caller wants found in any spelling and
//! whatever their context (a data subject's phone, INN, SNILS, passport,
//! card number, e-mail, surname).
//!
//! Owns [`WatchList`]: the values by their digits (for the tokenizer's
//! digit chains), by their normalised form (to mark detections the engine
//! made anyway) and surnames by their written forms. It does not parse or
//! normalise anything itself: callers give the normalised values (E.164
//! from the phone normaliser, digits after the checksum passed, the e-mail
//! normaliser's output), and the tokenizer confirms a phone by calling the
//! same phone normaliser on the bytes it found.
//!
//! Why here and not in the subject matcher: a subject's value that the
//! engine does not report (a 10-digit INN or passport without a context
//! word, a bare phone in a column with no phone-like name) never reaches a
//! sink. The tokenizer already cuts every digit chain into groups; looking
//! the chain's group sub-ranges up in this list costs one hash look-up per
//! sub-range of a chain long enough to hold a watched value, in the same
//! pass ("one pass; the subject's identifiers join the same automaton").
//! A value found or marked here carries
//! [`Signals::WATCHED`](crate::finding::Signals::WATCHED): the engine
//! prefers it to any detection it overlaps, and the scan keeps it whatever
//! the confidence threshold.

use crate::detect::names::translit_skeleton;
use crate::finding::Kind;
use std::collections::{HashMap, HashSet};

/// Longest digit string a watched value may have: it is kept as a `u64`
/// (19 digits: the longest card number).
pub const MAX_DIGITS: usize = 19;

/// Digits that may stand before a phone's last digits and still spell the
/// same number (`8`, `7`, `+7`, `007`, `8107`, `+375`…); the phone
/// normaliser decides whether they do.
const MAX_PHONE_PREFIX: usize = 5;

/// One watched value: its kind and the normalised form the engine gives
/// such a value (E.164 for a phone, digits for the numeric ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub kind: Kind,
    pub norm: Vec<u8>,
}

/// The values a scan watches for. Build with [`WatchList::add`] and
/// [`WatchList::add_surname_form`]; immutable once in an engine.
#[derive(Debug, Default, Clone)]
pub struct WatchList {
    /// Numeric ids by (digit count, value): matched on a chain's digits.
    exact: HashMap<(u8, u64), Vec<Watched>>,
    /// Phones by (count, value) of their last digits; the chain's digits
    /// before them are checked by the phone normaliser.
    phone_tail: HashMap<(u8, u64), Vec<Watched>>,
    /// The tail lengths in `phone_tail`.
    phone_tail_lens: Vec<u8>,
    /// Every watched normalised value, with its kinds (marks detections).
    norms: HashMap<Vec<u8>, Vec<Kind>>,
    /// Bit `k` set: a value of kind `k` (its discriminant) is
    /// watched. Checked before any hashing: most detections are of other
    /// kinds.
    kinds: u32,
    /// Bit `n` set: a watched normalised value is `n` bytes long (63: any
    /// longer).
    norm_lens: u64,
    /// Lower-cased written forms of watched surnames.
    surnames: HashSet<String>,
    /// Bit `n` set: a watched surname form is `n` bytes long (63: longer).
    surname_lens: u64,
    /// Transliteration skeletons of watched Cyrillic surnames: their
    /// Latin spellings (`Ivanova`, `IVANOVA`) are as many as the
    /// transliteration systems, so a Latin word is compared by its
    /// skeleton, as the name detector and the subject matcher compare it.
    surname_skeletons: HashSet<Vec<u8>>,
    /// A 256-bit filter over every digit key in `exact` and `phone_tail`:
    /// most chain sub-ranges are no watched value, and a bit test is
    /// cheaper than hashing the key.
    bloom: [u64; 4],
    min_digits: usize,
    max_digits: usize,
}

/// The filter bit of a digit key.
fn bloom_bit(len: usize, value: u64) -> (usize, u64) {
    let h = (value ^ (len as u64) << 59).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
    ((h >> 6) as usize, 1 << (h & 63))
}

/// A digit string as (count, value); `None` past [`MAX_DIGITS`] or for a
/// non-digit.
fn digit_key(d: &[u8]) -> Option<(u8, u64)> {
    if d.is_empty() || d.len() > MAX_DIGITS {
        return None;
    }
    let mut v = 0u64;
    for &c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some((d.len() as u8, v))
}

/// A kind's bit in [`WatchList::kinds`].
fn kind_bit(kind: Kind) -> u32 {
    kind as u32 % 32
}

/// 10^n for n <= 19.
pub(crate) fn pow10(n: usize) -> u64 {
    10u64.pow(n as u32)
}

impl WatchList {
    pub fn new() -> WatchList {
        WatchList::default()
    }

    pub fn is_empty(&self) -> bool {
        self.norms.is_empty() && self.surnames.is_empty() && self.surname_skeletons.is_empty()
    }

    /// Watches a normalised value of `kind`. Phones (E.164, `+` and
    /// digits), INN, SNILS, passports and cards are also searched for in
    /// the text's digit chains; every kind marks the detections whose
    /// normalised value it equals (an e-mail the engine found at low
    /// confidence is still the watched e-mail).
    pub fn add(&mut self, kind: Kind, norm: &[u8]) {
        let entry = Watched {
            kind,
            norm: norm.to_vec(),
        };
        self.kinds |= 1 << kind_bit(kind);
        self.norm_lens |= 1 << norm.len().min(63);
        let kinds = self.norms.entry(norm.to_vec()).or_default();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
        let bloom = &mut self.bloom;
        let mut digits_key = |map: &mut HashMap<(u8, u64), Vec<Watched>>, d: &[u8]| {
            if let Some(k) = digit_key(d) {
                let (word, bit) = bloom_bit(usize::from(k.0), k.1);
                bloom[word] |= bit;
                let v = map.entry(k).or_default();
                if !v.contains(&entry) {
                    v.push(entry.clone());
                }
                Some(d.len())
            } else {
                None
            }
        };
        let len = match kind {
            Kind::Phone => {
                let d = norm.strip_prefix(b"+").unwrap_or(norm);
                // The last digits every spelling of the number ends with:
                // the ten of a Russian (and most) national numbers, fewer
                // for shorter numbers (never the whole: a country code or
                // trunk prefix goes before them).
                let tail = d.len().saturating_sub(1).min(10);
                if tail < 6 {
                    return;
                }
                let r = digits_key(&mut self.phone_tail, &d[d.len() - tail..]);
                if r.is_some() && !self.phone_tail_lens.contains(&(tail as u8)) {
                    self.phone_tail_lens.push(tail as u8);
                }
                r
            }
            Kind::Inn | Kind::Snils | Kind::PassportRu | Kind::Card => {
                digits_key(&mut self.exact, norm)
            }
            _ => None,
        };
        if let Some(len) = len {
            self.min_digits = if self.min_digits == 0 {
                len
            } else {
                self.min_digits.min(len)
            };
            let longest = if kind == Kind::Phone {
                (len + MAX_PHONE_PREFIX).min(MAX_DIGITS)
            } else {
                len
            };
            self.max_digits = self.max_digits.max(longest);
        }
    }

    /// Watches a written form of a surname (any case; compared
    /// lower-cased with the words of a person detection).
    pub fn add_surname_form(&mut self, form: &str) {
        let form = form.to_lowercase();
        // Lower and upper case of a Cyrillic or Latin letter have the same
        // length in UTF-8, so the written word's length can be checked
        // before it is lower-cased.
        self.surname_lens |= 1 << form.len().min(63);
        self.kinds |= 1 << kind_bit(Kind::Person);
        self.surnames.insert(form);
    }

    /// Watches the Latin spellings of a surname, by the transliteration
    /// skeleton ([`translit_skeleton`]) of one of its written forms.
    pub fn add_surname_skeleton(&mut self, skeleton: &[u8]) {
        if skeleton.is_empty() {
            return;
        }
        self.kinds |= 1 << kind_bit(Kind::Person);
        self.surname_skeletons.insert(skeleton.to_vec());
    }

    /// Shortest and longest digit count a chain sub-range must have to be
    /// worth a look-up (0, 0 when no digit value is watched).
    pub(crate) fn digit_bounds(&self) -> (usize, usize) {
        (self.min_digits, self.max_digits)
    }

    /// The numeric ids whose digits are exactly `(len, value)`.
    pub(crate) fn exact(&self, len: usize, value: u64) -> &[Watched] {
        if !self.maybe(len, value) {
            return &[];
        }
        self.exact
            .get(&(len as u8, value))
            .map_or(&[], Vec::as_slice)
    }

    /// Phones whose last digits could be the last `tail` digits of
    /// `(len, value)`: `(tail length, candidates)` per watched tail length
    /// that fits, the prefix before the tail being short enough.
    pub(crate) fn phone_tails(
        &self,
        len: usize,
        value: u64,
    ) -> impl Iterator<Item = &[Watched]> + '_ {
        self.phone_tail_lens.iter().filter_map(move |&t| {
            let t = usize::from(t);
            if len < t || len - t > MAX_PHONE_PREFIX {
                return None;
            }
            let tail = value % pow10(t);
            if !self.maybe(t, tail) {
                return None;
            }
            self.phone_tail.get(&(t as u8, tail)).map(Vec::as_slice)
        })
    }

    /// Might `(len, value)` be a watched digit key? (No false negatives.)
    fn maybe(&self, len: usize, value: u64) -> bool {
        let (word, bit) = bloom_bit(len, value);
        self.bloom[word] & bit != 0
    }

    /// Is a detection of `kind` with normalised value `norm`, written as
    /// `text`, a watched value? Persons: a word of `text` is a watched
    /// surname form.
    pub fn marks(&self, kind: Kind, norm: &[u8], text: &[u8]) -> bool {
        // Called on every detection of a watching engine: bit tests first.
        if self.kinds & (1 << kind_bit(kind)) == 0 {
            return false;
        }
        if kind == Kind::Person {
            // Words: runs of bytes other than ASCII non-letters (a Cyrillic
            // letter is all non-ASCII bytes).
            let mut sk = Vec::new();
            return text
                .split(|b| b.is_ascii() && !b.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .any(|w| {
                    if self.surname_lens & (1 << w.len().min(63)) != 0
                        && self
                            .surnames
                            .contains(&String::from_utf8_lossy(w).to_lowercase())
                    {
                        return true;
                    }
                    // A Latin word: its skeleton (never empty for a word
                    // of ASCII letters).
                    if self.surname_skeletons.is_empty() || !w.is_ascii() {
                        return false;
                    }
                    translit_skeleton(&String::from_utf8_lossy(w), &mut sk);
                    self.surname_skeletons.contains(&sk)
                });
        }
        self.norm_lens & (1 << norm.len().min(63)) != 0
            && self.norms.get(norm).is_some_and(|k| k.contains(&kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_bounds() {
        let mut w = WatchList::new();
        w.add(Kind::Phone, b"+79123456789");
        w.add(Kind::PassportRu, b"4508123456");
        w.add(Kind::Email, b"a@example.com");
        assert_eq!(w.digit_bounds(), (10, 15));
        assert_eq!(w.exact(10, 4508123456)[0].kind, Kind::PassportRu);
        assert!(w.exact(10, 4508123457).is_empty());
        let tails: Vec<_> = w.phone_tails(11, 89123456789).collect();
        assert_eq!(tails.len(), 1);
        assert_eq!(tails[0][0].norm, b"+79123456789");
        assert_eq!(w.phone_tails(11, 89123456780).count(), 0);
        assert!(w.marks(Kind::Email, b"a@example.com", b"A@example.com"));
        assert!(!w.marks(Kind::Phone, b"a@example.com", b""));
        w.add_surname_form("Ивановой");
        assert!(w.marks(Kind::Person, b"", "ИВАНОВОЙ А.С.".as_bytes()));
        assert!(!w.marks(Kind::Person, b"", "Иванов А.С.".as_bytes()));
        // Latin spellings only once their skeletons are watched.
        assert!(!w.marks(Kind::Person, b"", b"Ivanovoy A."));
        let mut sk = Vec::new();
        translit_skeleton("ивановой", &mut sk);
        w.add_surname_skeleton(&sk);
        assert!(w.marks(Kind::Person, b"", b"A. S. IVANOVOY"));
        assert!(w.marks(Kind::Person, b"", b"Ivanovoj Anna"));
        assert!(!w.marks(Kind::Person, b"", b"Ivanova Anna"));
        assert!(!w.marks(Kind::Person, b"", b"Ivanov Anton"));
    }
}
