//! Character encodings: guessing a file's encoding and transcoding it to
//! UTF-8 while remembering where every character came from.
//!
//! Owns: [`sniff_encoding`] (BOM, BOM-less UTF-16, UTF-8 validity, then
//! `chardetng` held to the legacy Cyrillic family) and
//! [`encoding_by_label`] for a `--encoding` override.
//!
//! Does not own: choosing how much of a file to sniff, the binary-file
//! decision ([`crate::source`] decides those); re-encoding for redaction;
//! per-line re-detection of mixed-encoding files.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    Encoding, IBM866, ISO_8859_5, KOI8_R, KOI8_U, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1251,
    X_MAC_CYRILLIC,
};

/// The BOM-less UTF-16 test looks at this many bytes.
const UTF16_SAMPLE: usize = 4096;

/// What [`sniff_encoding`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark at the start of the input (0, 2 or 3).
    pub bom_len: usize,
    /// Which rule decided, for `--debug`.
    pub reason: &'static str,
}

/// Guesses the encoding of an input from its first bytes (a prefix of any
/// length; 64 KiB is plenty). Rules, first match wins:
///
/// 1. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE);
/// 2. BOM-less UTF-16: the high byte of most code units is 0x00 (ASCII) or
///    0x04 (Cyrillic) and the units look like text; byte-statistics
///    detectors call this "UTF-8" (ASCII plus NULs is valid UTF-8);
/// 3. valid UTF-8 (a character cut at the end of the prefix still counts),
///    ASCII-only included, unless it is a handful of non-ASCII characters
///    all from odd Unicode blocks (short CP866 words are valid UTF-8 by
///    accident: `Ёжик` is `F0 A6 A8 AA`);
/// 4. `chardetng`, with the `.ru` hint; a non-Cyrillic guess is replaced by
///    the best legacy Cyrillic reading when the bytes read as Russian under
///    it, and a multi-byte (CJK) guess by windows-1251 in any case.
///
/// KOI8-R text comes back as KOI8-U (chardetng's choice by design); the two
/// decode Russian letters identically.
pub fn sniff_encoding(prefix: &[u8]) -> Sniffed {
    let sniffed = |encoding, bom_len, reason| Sniffed {
        encoding,
        bom_len,
        reason,
    };
    if prefix.is_empty() {
        return sniffed(UTF_8, 0, "empty input");
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(prefix) {
        return sniffed(encoding, bom_len, "byte-order mark");
    }
    if let Some(encoding) = utf16_without_bom(prefix) {
        let reason = if encoding == UTF_16LE {
            "BOM-less UTF-16LE (0x00/0x04 high bytes at odd offsets)"
        } else {
            "BOM-less UTF-16BE (0x00/0x04 high bytes at even offsets)"
        };
        return sniffed(encoding, 0, reason);
    }
    match utf8_verdict(prefix) {
        Utf8Verdict::Ascii => return sniffed(UTF_8, 0, "ASCII only (read as UTF-8)"),
        Utf8Verdict::Valid => return sniffed(UTF_8, 0, "valid UTF-8"),
        Utf8Verdict::Implausible => {
            // Case patterns beat chardetng's bigrams on a word or two: it
            // reads CP866 `раз`, `сам`, `Ёжик` as windows-1251.
            let legacy = best_cyrillic(prefix)
                .or_else(|| cyrillic_family(chardetng_guess(prefix, Utf8Detection::Deny)));
            if let Some(enc) = legacy {
                return sniffed(
                    enc,
                    0,
                    "short valid UTF-8 of odd Unicode blocks; reads as legacy Cyrillic",
                );
            }
            return sniffed(UTF_8, 0, "valid UTF-8");
        }
        Utf8Verdict::Invalid => {}
    }
    let guess = chardetng_guess(prefix, Utf8Detection::Allow);
    if let Some(enc) = cyrillic_family(guess) {
        return sniffed(enc, 0, "chardetng");
    }
    if let Some(enc) = best_cyrillic(prefix) {
        return sniffed(
            enc,
            0,
            "chardetng guessed a non-Cyrillic encoding; bytes read as Russian in this one",
        );
    }
    if guess.is_single_byte() {
        return sniffed(guess, 0, "chardetng (text does not read as Russian)");
    }
    sniffed(
        WINDOWS_1251,
        0,
        "chardetng guessed a multi-byte encoding; defaulting to windows-1251",
    )
}

/// The encoding for a `--encoding` value: any WHATWG label (`utf-8`,
/// `utf-16le`, `utf-16be`, `windows-1251`, `cp1251`, `koi8-r`, `koi8-u`,
/// `cp866`, `ibm866`, `iso-8859-5`, `x-mac-cyrillic`, ...) plus a few
/// spellings people type (`win1251`, `utf8`, `koi8r`, `dos`). Case and
/// surrounding spaces are ignored. `None` for unknown labels and for the
/// WHATWG "replacement" encoding, which would turn a file into one U+FFFD.
pub fn encoding_by_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().to_ascii_lowercase();
    let squeezed: String = label.chars().filter(|c| !matches!(c, '-' | '_')).collect();
    let extra = match squeezed.as_str() {
        "utf8" => Some(UTF_8),
        "utf16" | "utf16le" => Some(UTF_16LE),
        "utf16be" => Some(UTF_16BE),
        "win1251" | "windows1251" | "cp1251" | "1251" => Some(WINDOWS_1251),
        "koi8r" => Some(KOI8_R),
        "koi8u" => Some(KOI8_U),
        "cp866" | "ibm866" | "dos" | "866" => Some(IBM866),
        "iso88595" => Some(ISO_8859_5),
        "maccyrillic" | "xmaccyrillic" => Some(X_MAC_CYRILLIC),
        _ => None,
    };
    extra
        .or_else(|| Encoding::for_label(label.as_bytes()))
        .filter(|e| *e != encoding_rs::REPLACEMENT)
}

/// BOM-less UTF-16 by the position of the high bytes (see ru-pii.md §C.3).
fn utf16_without_bom(prefix: &[u8]) -> Option<&'static Encoding> {
    let sample = &prefix[..prefix.len().min(UTF16_SAMPLE) & !1];
    let units = sample.len() / 2;
    if units < 2 {
        return None;
    }
    let mut high_odd = 0usize; // LE: the high byte sits at the odd offset
    let mut high_even = 0usize;
    for pair in sample.chunks_exact(2) {
        high_odd += usize::from(matches!(pair[1], 0x00 | 0x04));
        high_even += usize::from(matches!(pair[0], 0x00 | 0x04));
    }
    // At least 30% of units in ASCII or Cyrillic, and clearly more on one
    // side: text in the other byte order, or in any 8-bit encoding, has
    // almost no 0x00/0x04 bytes at all.
    let le = high_odd * 10 >= units * 3 && high_odd > high_even * 2;
    let be = high_even * 10 >= units * 3 && high_even > high_odd * 2;
    let encoding = match (le, be) {
        (true, false) => UTF_16LE,
        (false, true) => UTF_16BE,
        _ => return None,
    };
    utf16_looks_like_text(sample, encoding == UTF_16BE).then_some(encoding)
}

/// Binary data with many zero bytes can pass the byte-position test; text
/// has no NULs, almost no other control characters and no lone surrogates.
fn utf16_looks_like_text(sample: &[u8], big_endian: bool) -> bool {
    let mut units: Vec<u16> = sample
        .chunks_exact(2)
        .map(|p| {
            if big_endian {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        })
        .collect();
    // A surrogate pair cut by the end of the sample is not an error.
    if units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
        units.pop();
    }
    let (mut total, mut bad) = (0usize, 0usize);
    for r in char::decode_utf16(units) {
        total += 1;
        let odd = match r {
            Ok(c) => {
                (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
                    || matches!(c, '\u{FFFE}' | '\u{FFFF}')
            }
            Err(_) => true,
        };
        bad += usize::from(odd);
    }
    total > 0 && bad * 50 <= total
}

enum Utf8Verdict {
    Ascii,
    Valid,
    /// Valid, but only a few characters, all from blocks Russian data does
    /// not use: more likely a short legacy Cyrillic text.
    Implausible,
    Invalid,
}

fn utf8_verdict(prefix: &[u8]) -> Utf8Verdict {
    let valid = match std::str::from_utf8(prefix) {
        Ok(s) => s,
        // Cut mid-character at the end: the prefix of a longer UTF-8 input.
        // A lone lead byte after pure ASCII proves nothing in a short input
        // (`id Р` in windows-1251 ends in 0xD0), so demand some evidence:
        // a complete non-ASCII character, or a prefix long enough to have
        // been cut from a larger buffer.
        Err(e) if e.error_len().is_none() => {
            let s = std::str::from_utf8(&prefix[..e.valid_up_to()]).unwrap_or_default();
            if s.is_ascii() && prefix.len() < 4096 {
                return Utf8Verdict::Invalid;
            }
            s
        }
        Err(_) => return Utf8Verdict::Invalid,
    };
    if valid.is_ascii() {
        return Utf8Verdict::Ascii;
    }
    let mut non_ascii = valid.chars().filter(|c| !c.is_ascii());
    let few = non_ascii.clone().nth(32).is_none();
    if few && non_ascii.all(|c| !common_in_text(c)) {
        return Utf8Verdict::Implausible;
    }
    Utf8Verdict::Valid
}

/// False for characters that a short valid-UTF-8 sample is unlikely to
/// contain unless it is legacy Cyrillic in disguise. CP866 lowercase `р`,
/// `с`, `т` are UTF-8 lead bytes E0..E2 and `Ё` is F0, so short CP866 words
/// decode as Samaritan..Tibetan, Myanmar..Greek Extended, Braille or the
/// supplementary planes. Scripts people write (Latin, Greek, Cyrillic,
/// Arabic, Indic, Thai, Georgian, CJK, Hangul), punctuation, symbols and
/// emoji stay plausible, so real short UTF-8 of those is left alone.
fn common_in_text(c: char) -> bool {
    !matches!(c as u32,
        0x0800..=0x08FF      // Samaritan, Mandaic, Arabic Extended
        | 0x0E80..=0x109F    // Lao, Tibetan, Myanmar
        | 0x1100..=0x1FFF    // Hangul Jamo .. Greek Extended
        | 0x2800..=0x28FF    // Braille
        | 0xA000..=0xABFF    // Yi .. Meetei Mayek
        | 0xD800..=0xF8FF    // (surrogates) and private use
        | 0x10000..=0x1EFFF  // historic scripts, CJK extension B ..
        | 0x1FB00..)
}

fn chardetng_guess(prefix: &[u8], utf8: Utf8Detection) -> &'static Encoding {
    let mut det = EncodingDetector::new(Iso2022JpDetection::Deny);
    // `last = true` even for a prefix of a longer input: with `false`,
    // chardetng keeps the final bytes open as a possibly incomplete CJK
    // sequence and guesses GBK/Big5 for short Cyrillic samples (`Москва`
    // in windows-1251). A cut single-byte character costs nothing.
    det.feed(prefix, true);
    // The `.ru` hint breaks ties toward Cyrillic encodings: it turns the
    // all-capitals `СНИЛС` from windows-1256 into windows-1251.
    det.guess(Some(b"ru"), utf8)
}

/// `Some` when `e` is one of the legacy Cyrillic encodings.
fn cyrillic_family(e: &'static Encoding) -> Option<&'static Encoding> {
    [
        WINDOWS_1251,
        KOI8_U,
        KOI8_R,
        IBM866,
        ISO_8859_5,
        X_MAC_CYRILLIC,
    ]
    .contains(&e)
    .then_some(e)
}

/// The legacy Cyrillic encoding under which `bytes` read most like Russian
/// text, if any does: most non-ASCII bytes become Cyrillic letters, not
/// glued to Latin letters and without capitals after lower case inside a
/// word (the tell of the wrong one of windows-1251/KOI8, which swap case).
/// A fallback only: chardetng's bigram statistics are better when it
/// settles on a Cyrillic encoding at all.
fn best_cyrillic(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(16 * 1024)];
    let mut best: Option<(i64, &'static Encoding)> = None;
    // Ties go to the earlier, more common encoding.
    for enc in [WINDOWS_1251, KOI8_U, IBM866] {
        let (text, _) = enc.decode_without_bom_handling(sample);
        let chars: Vec<char> = text.chars().collect();
        let (mut score, mut letters, mut non_ascii) = (0i64, 0i64, 0i64);
        for (i, &c) in chars.iter().enumerate() {
            if c.is_ascii() {
                continue;
            }
            non_ascii += 1;
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next = chars.get(i + 1).copied();
            if ('\u{400}'..='\u{4FF}').contains(&c) && c.is_alphabetic() {
                letters += 1;
                score += 1;
                if prev.is_some_and(|p| p.is_ascii_alphabetic())
                    || next.is_some_and(|n| n.is_ascii_alphabetic())
                {
                    score -= 3;
                }
                if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() && !p.is_ascii()) {
                    score -= 2;
                }
            } else {
                score -= 2;
            }
        }
        if score > 0 && letters * 2 >= non_ascii && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, enc));
        }
    }
    best.map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::WINDOWS_1252;

    const TEXT: &str = "Клиент: Иванов Иван Иванович, тел. +7 912 345-67-89, ivan@example.ru, \
                        СНИЛС 726-319-011 82\nФИО;Телефон\nПетров Пётр;8 (495) 123-45-67\n";

    /// `text` in `enc`, BOM excluded. UTF-16 by hand: encoding_rs encodes
    /// UTF-16 as UTF-8 (its "output encoding").
    fn encode(enc: &'static Encoding, text: &str) -> Vec<u8> {
        if enc == UTF_16LE {
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        } else if enc == UTF_16BE {
            text.encode_utf16().flat_map(u16::to_be_bytes).collect()
        } else {
            let (bytes, _, unmappable) = enc.encode(text);
            assert!(!unmappable, "{} cannot encode the sample", enc.name());
            bytes.into_owned()
        }
    }

    fn bom(enc: &'static Encoding) -> &'static [u8] {
        match enc.name() {
            "UTF-8" => b"\xEF\xBB\xBF",
            "UTF-16LE" => b"\xFF\xFE",
            "UTF-16BE" => b"\xFE\xFF",
            _ => b"",
        }
    }

    fn legacy_and_unicode() -> [(&'static Encoding, usize); 7] {
        [
            (WINDOWS_1251, 0),
            (KOI8_R, 0),
            (IBM866, 0),
            (UTF_16LE, 2),
            (UTF_16BE, 2),
            (UTF_16LE, 0),
            (UTF_8, 3),
        ]
    }

    fn with_bom(enc: &'static Encoding, bom_len: usize, text: &str) -> Vec<u8> {
        let mut data = if bom_len > 0 {
            bom(enc).to_vec()
        } else {
            Vec::new()
        };
        data.extend(encode(enc, text));
        data
    }

    fn same_family(got: &'static Encoding, want: &'static Encoding) -> bool {
        // chardetng says KOI8-U for KOI8-R by design; Russian decodes the same.
        got == want || (want == KOI8_R && got == KOI8_U)
    }

    #[test]
    fn sniff_picks_each_encoding_of_the_sample() {
        for (enc, bom_len) in legacy_and_unicode() {
            let data = with_bom(enc, bom_len, TEXT);
            let s = sniff_encoding(&data);
            assert!(
                same_family(s.encoding, enc),
                "{} sniffed as {s:?}",
                enc.name()
            );
            assert_eq!(s.bom_len, bom_len, "{}", enc.name());
            assert!(!s.reason.is_empty());
        }
        // BOM-less UTF-16BE and plain UTF-8 too.
        assert_eq!(sniff_encoding(&encode(UTF_16BE, TEXT)).encoding, UTF_16BE);
        let plain = sniff_encoding(TEXT.as_bytes());
        assert_eq!((plain.encoding, plain.bom_len), (UTF_8, 0));
    }

    #[test]
    fn sniff_short_samples() {
        for sample in [
            "Иванов\n",
            "ФИО;Телефон\n",
            "СНИЛС",
            "Москва",
            "ООО \"РОГА\"",
        ] {
            for enc in [WINDOWS_1251, KOI8_R, IBM866, UTF_16LE, UTF_16BE] {
                let s = sniff_encoding(&encode(enc, sample));
                assert!(
                    same_family(s.encoding, enc),
                    "{sample:?} in {}: {s:?}",
                    enc.name()
                );
            }
        }
        // CP866 `Ёжик` is valid UTF-8 (one character of CJK extension B).
        let s = sniff_encoding(&encode(IBM866, "Ёжик"));
        assert_eq!(s.encoding, IBM866, "{s:?}");
        for word in ["раз", "так", "сам", "Ёлкин"] {
            let s = sniff_encoding(&encode(IBM866, word));
            assert_eq!(s.encoding, IBM866, "{word}: {s:?}");
        }
        let s = sniff_encoding(&encode(KOI8_R, "Ёжик"));
        assert!(same_family(s.encoding, KOI8_R), "{s:?}");
    }

    #[test]
    fn sniff_utf8_rules() {
        assert_eq!(sniff_encoding(b"").encoding, UTF_8);
        assert_eq!(sniff_encoding(b"plain ascii, 42\n").encoding, UTF_8);
        // Cut mid-character by the prefix length: still UTF-8.
        let cut = &TEXT.as_bytes()[..TEXT.find("Иван").unwrap() + 1];
        assert_eq!(sniff_encoding(cut).encoding, UTF_8);
        // ASCII then a lone windows-1251 capital is not "cut UTF-8".
        let s = sniff_encoding(&encode(WINDOWS_1251, "id;fio\n1;Р"));
        assert_eq!(s.encoding, WINDOWS_1251, "{s:?}");
        // Real text of other scripts stays UTF-8.
        assert_eq!(sniff_encoding("価格 100円".as_bytes()).encoding, UTF_8);
        assert_eq!(sniff_encoding("😀".as_bytes()).encoding, UTF_8);
    }

    #[test]
    fn sniff_keeps_latin_text_latin_and_rejects_cjk_guesses() {
        let (latin, _, _) = WINDOWS_1252.encode("Name;City\nMüller;Köln\nStraße 5, Zürich\n");
        let s = sniff_encoding(&latin);
        assert!(cyrillic_family(s.encoding).is_none(), "{s:?}");
        // The fallback reads Russian bytes as Russian whatever chardetng said.
        assert_eq!(
            best_cyrillic(&encode(WINDOWS_1251, TEXT)),
            Some(WINDOWS_1251)
        );
        assert_eq!(best_cyrillic(&encode(KOI8_R, TEXT)), Some(KOI8_U));
        assert_eq!(best_cyrillic(&encode(IBM866, TEXT)), Some(IBM866));
        assert_eq!(best_cyrillic(&latin), None);
        // Binary junk, zeros, odd lengths: some answer, no panic.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let junk: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        for len in [1, 2, 3, 5, 17, 100, 4097, 5000] {
            let _ = sniff_encoding(&junk[..len]);
        }
        let s = sniff_encoding(&[0u8; 300]);
        assert!(s.encoding != UTF_16LE && s.encoding != UTF_16BE, "{s:?}");
    }

    #[test]
    fn bomless_utf16_needs_text_not_just_zeros() {
        // Little-endian u16 counters: NULs at odd offsets, but control codes.
        let counters: Vec<u8> = (0u16..500).flat_map(|i| (i % 32).to_le_bytes()).collect();
        assert_eq!(utf16_without_bom(&counters), None);
        assert_eq!(
            utf16_without_bom(&encode(UTF_16LE, "Иванов\n")),
            Some(UTF_16LE)
        );
        assert_eq!(
            utf16_without_bom(&encode(UTF_16BE, "Иванов\n")),
            Some(UTF_16BE)
        );
        // An emoji cut in half by the sample end is fine.
        let mut cut = encode(UTF_16LE, "Иван 😀");
        cut.truncate(cut.len() - 2);
        assert_eq!(utf16_without_bom(&cut), Some(UTF_16LE));
        assert_eq!(utf16_without_bom(b"ab"), None);
    }

    #[test]
    fn labels() {
        for (label, enc) in [
            ("utf-8", UTF_8),
            ("UTF8", UTF_8),
            ("utf-16le", UTF_16LE),
            ("utf-16be", UTF_16BE),
            ("windows-1251", WINDOWS_1251),
            ("cp1251", WINDOWS_1251),
            ("win1251", WINDOWS_1251),
            (" KOI8-R ", KOI8_R),
            ("koi8-u", KOI8_U),
            ("cp866", IBM866),
            ("ibm866", IBM866),
            ("iso-8859-5", ISO_8859_5),
            ("x-mac-cyrillic", X_MAC_CYRILLIC),
        ] {
            assert_eq!(encoding_by_label(label), Some(enc), "{label}");
        }
        assert_eq!(encoding_by_label("klingon"), None);
        assert_eq!(encoding_by_label("iso-2022-kr"), None); // WHATWG "replacement"
        assert_eq!(encoding_by_label(""), None);
    }
}
