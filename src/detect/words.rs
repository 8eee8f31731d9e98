//! Small word-level helpers shared by the name and address matchers: a
//! fast non-cryptographic hash for dictionary sets, byte-level letter
//! classes for UTF-8 Cyrillic and ASCII, and lower-casing with `ё` folded
//! to `е` (dictionaries store `е`, people write either).
//!
//! Why FxHash (the `rustc-hash` crate): dictionary look-ups run per
//! capitalised token and SipHash (std's default) costs more than the rest
//! of the look-up; the keys are our own embedded words, so HashDoS is not
//! a concern.

use std::collections::{HashMap, HashSet};

pub type FxSet<K> = HashSet<K, rustc_hash::FxBuildHasher>;
pub type FxMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// Non-comment, non-empty lines of an embedded dictionary file.
pub fn dict_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A set of the lines of an embedded dictionary file.
pub fn dict_set(text: &'static str) -> FxSet<&'static [u8]> {
    let mut set = FxSet::default();
    set.reserve(text.len() / 10);
    set.extend(dict_lines(text).map(str::as_bytes));
    set
}

/// Is `b` the lead byte of a two-byte Cyrillic letter (А..я, Ё, ё)?
#[inline]
pub fn cyr_lead(b: u8) -> bool {
    b == 0xD0 || b == 0xD1
}

/// Length of the letter at `buf[i]` (1 for ASCII, 2 for Cyrillic), or 0
/// when no letter starts there.
#[inline]
pub fn letter_len(buf: &[u8], i: usize) -> usize {
    match buf.get(i) {
        Some(b) if b.is_ascii_alphabetic() => 1,
        Some(0xD0) => match buf.get(i + 1) {
            Some(0x81 | 0x90..=0xBF) => 2,
            _ => 0,
        },
        Some(0xD1) => match buf.get(i + 1) {
            Some(0x80..=0x8F | 0x91) => 2,
            _ => 0,
        },
        _ => 0,
    }
}

/// Is the letter at `buf[i]` upper case (ASCII A-Z, Cyrillic А-Я, Ё)?
#[inline]
pub fn is_upper_at(buf: &[u8], i: usize) -> bool {
    match buf.get(i) {
        Some(b) if b.is_ascii_uppercase() => true,
        Some(0xD0) => matches!(buf.get(i + 1), Some(0x81 | 0x90..=0xAF)),
        _ => false,
    }
}

/// Does a letter (or a digit) end right before `i`? Used to find word
/// starts without decoding backwards: a Cyrillic letter's second byte is
/// 0x80..0xBF preceded by D0/D1.
#[inline]
pub fn letter_before(buf: &[u8], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let p = buf[i - 1];
    if p.is_ascii_alphanumeric() {
        return true;
    }
    (0x80..0xC0).contains(&p) && i >= 2 && cyr_lead(buf[i - 2]) && letter_len(buf, i - 2) == 2
}

/// Lower-cases ASCII and Cyrillic letters into `out`, folding `ё` to `е`
/// (same length, so offsets into the original stay valid). One pass: it
/// runs for every word the name and address matchers look at.
pub fn lower_into(src: &[u8], out: &mut Vec<u8>) {
    // Same length in and out: copy, then fold in place (no per-byte push).
    out.clear();
    out.extend_from_slice(src);
    fold_in_place(out);
}

/// `lower_into` in place.
pub fn fold_in_place(out: &mut [u8]) {
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        if b < 0x80 {
            out[i] = b.to_ascii_lowercase();
            i += 1;
            continue;
        }
        if i + 1 < out.len() {
            let c = out[i + 1];
            let pair = match (b, c) {
                // А..П -> а..п
                (0xD0, 0x90..=0x9F) => Some([0xD0, c + 0x20]),
                // Р..Я -> р..я
                (0xD0, 0xA0..=0xAF) => Some([0xD1, c - 0x20]),
                // Ё, ё -> е
                (0xD0, 0x81) | (0xD1, 0x91) => Some([0xD0, 0xB5]),
                _ => None,
            };
            if let Some([x, y]) = pair {
                out[i] = x;
                out[i + 1] = y;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_case() {
        let s = "Ёж ёж Яя z".as_bytes();
        assert!(is_upper_at(s, 0));
        assert_eq!(letter_len(s, 0), 2);
        assert!(!is_upper_at(s, 5));
        assert_eq!(letter_len(s, 5), 2);
        assert!(letter_before(s, 4));
        assert!(!letter_before(s, 5));
        let mut out = Vec::new();
        lower_into("ЁЛКИН Пётр".as_bytes(), &mut out);
        assert_eq!(std::str::from_utf8(&out).unwrap(), "елкин петр");
    }

    #[test]
    fn fx_hash_sets_work() {
        let set = dict_set("# c\nанна\n\nivan\n");
        assert!(set.contains("анна".as_bytes()));
        assert!(set.contains(&b"ivan"[..]));
        assert!(!set.contains(&b"# c"[..]));
    }
}
