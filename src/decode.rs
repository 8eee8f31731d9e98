//! Character encodings: guessing a file's encoding and transcoding it to
//! UTF-8 while remembering where every character came from.
//!
//! Owns: [`sniff_encoding`] (BOM, BOM-less UTF-16, UTF-8 validity, then
//! `chardetng` held to the legacy Cyrillic family), [`encoding_by_label`]
//! for a `--encoding` override, and [`Decoded`], a streaming `Read` that
//! yields UTF-8 and maps any decoded offset back to the original file's
//! bytes ([`Decoded::to_original`]) in bounded memory.
//!
//! Does not own: choosing how much of a file to sniff, the binary-file
//! decision, chunking, or when the map may be trimmed ([`crate::source`]
//! decides those and calls [`Decoded::forget_before`]); re-encoding for
//! redaction; per-line re-detection of mixed-encoding files.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    DecoderResult, Encoding, IBM866, ISO_8859_5, KOI8_R, KOI8_U, UTF_8, UTF_16BE, UTF_16LE,
    WINDOWS_1251, X_MAC_CYRILLIC,
};
use std::collections::VecDeque;
use std::io::{self, Read};

/// Input bytes decoded per step: large enough that decoder calls are cheap,
/// small enough that the decoded-but-unread buffer stays modest (at most
/// 3 bytes of UTF-8 per input byte, so 192 KiB).
const PIECE: usize = 64 * 1024;

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
        Utf8Verdict::Damaged => {
            return sniffed(UTF_8, 0, "UTF-8 with a few malformed bytes");
        }
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
    /// Not valid, but UTF-8 with a few damaged bytes: many well-formed
    /// multi-byte characters of ordinary scripts, few malformed sequences.
    /// Read as UTF-8 (the damage becomes U+FFFD), not as a legacy encoding
    /// that would turn every Cyrillic letter into mojibake and hide names
    /// from detection.
    Damaged,
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
        Err(_) => {
            return if mostly_utf8(prefix) {
                Utf8Verdict::Damaged
            } else {
                Utf8Verdict::Invalid
            };
        }
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

/// True when `prefix` is UTF-8 with a little damage: at least 8 valid
/// non-ASCII characters, nearly all of scripts people write, and at most
/// one malformed sequence per 4 of them. Legacy Cyrillic text is the
/// opposite: nearly every letter pair is malformed as UTF-8, and what does
/// decode by accident lands in odd blocks (see [`common_in_text`]).
fn mostly_utf8(prefix: &[u8]) -> bool {
    let (mut valid, mut common, mut invalid) = (0u64, 0u64, 0u64);
    for chunk in prefix.utf8_chunks() {
        for c in chunk.valid().chars().filter(|c| !c.is_ascii()) {
            valid += 1;
            common += u64::from(common_in_text(c));
        }
        invalid += u64::from(!chunk.invalid().is_empty());
    }
    valid >= 8 && common * 10 >= valid * 9 && invalid * 4 <= valid
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

/// How original byte lengths follow from decoded (UTF-8) lengths, so the
/// map needs to store only where characters start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// One byte per character (windows-1251, KOI8, IBM866, ...).
    SingleByte,
    /// Two bytes per character, four for a surrogate pair (the only
    /// characters that take four bytes of UTF-8).
    Utf16,
    /// Same length in and out.
    Utf8,
    /// Multi-byte legacy encodings (CJK, ISO-2022-JP): no rule; decoded a
    /// byte at a time so each character's bytes are known.
    Other,
}

impl Family {
    fn of(e: &'static Encoding) -> Family {
        if e == UTF_8 {
            Family::Utf8
        } else if e == UTF_16LE || e == UTF_16BE {
            Family::Utf16
        } else if e.is_single_byte() {
            Family::SingleByte
        } else {
            Family::Other
        }
    }

    /// Original bytes of a well-formed character of `dlen` UTF-8 bytes.
    fn original_len(self, dlen: u64) -> u64 {
        match self {
            Family::SingleByte => 1,
            Family::Utf16 if dlen == 4 => 4,
            Family::Utf16 => 2,
            Family::Utf8 | Family::Other => dlen,
        }
    }
}

/// Decoded offset → original offset, for the decoded range not yet
/// forgotten.
///
/// A bitmap marks which decoded bytes start a character; each 64-byte word
/// of it carries the original offset of its first character. Characters
/// whose original length does not follow from their decoded length by the
/// encoding's [`Family`] rule (U+FFFD for a malformed sequence of unusual
/// length, every character of a multi-byte legacy encoding) are listed in
/// `irregular`. Cost: 16 bytes per 64 decoded bytes, plus 16 per irregular
/// character; a look-up walks at most one word.
#[derive(Debug)]
struct OffsetMap {
    family: Family,
    /// By UTF-8 byte: the original length of a regular character that
    /// starts with it, 0 for continuation bytes.
    lead_olen: [u8; 256],
    /// Index of the word `starts[0]` (decoded offset / 64).
    first_word: u64,
    /// Bit `i` of word `w`: a character starts at decoded offset `64w + i`.
    starts: VecDeque<u64>,
    /// Per word: original offset of the first character starting at or
    /// after the word's first decoded offset.
    word_orig: VecDeque<u64>,
    /// (decoded offset, original length) of irregular characters, sorted.
    irregular: VecDeque<(u64, u64)>,
    /// Decoded bytes recorded.
    decoded_len: u64,
    /// Original offset just past the last recorded character.
    orig_end: u64,
}

impl OffsetMap {
    fn new(family: Family) -> OffsetMap {
        let mut lead_olen = [0u8; 256];
        for (b, olen) in lead_olen.iter_mut().enumerate() {
            if b & 0xC0 != 0x80 {
                *olen = family.original_len(utf8_len(b as u8) as u64) as u8;
            }
        }
        OffsetMap {
            family,
            lead_olen,
            first_word: 0,
            starts: VecDeque::new(),
            word_orig: VecDeque::new(),
            irregular: VecDeque::new(),
            decoded_len: 0,
            orig_end: 0,
        }
    }

    /// Index in `starts`/`word_orig` of the word holding decoded offset
    /// `pos`, adding words as needed. A new word's original offset is
    /// `orig_end`: the next character to start is its first.
    fn word_index(&mut self, pos: u64) -> usize {
        let word = pos / 64;
        if self.starts.is_empty() {
            self.first_word = word;
            self.word_orig.clear();
        }
        let idx = usize::try_from(word.saturating_sub(self.first_word)).unwrap_or(usize::MAX);
        while self.starts.len() <= idx {
            self.starts.push_back(0);
            self.word_orig.push_back(self.orig_end);
        }
        idx
    }

    /// Records the next character: `dlen` decoded bytes from `olen`
    /// original bytes.
    fn push(&mut self, dlen: u64, olen: u64) {
        let pos = self.decoded_len;
        let idx = self.word_index(pos);
        if let Some(bits) = self.starts.get_mut(idx) {
            *bits |= 1 << (pos % 64);
        }
        if olen != self.family.original_len(dlen) {
            self.irregular.push_back((pos, olen));
        }
        self.decoded_len += dlen;
        self.orig_end += olen;
    }

    /// Records every character of `utf8`, a run of complete characters
    /// decoded from well-formed input. The hot path: a word of the bitmap
    /// at a time, one table look-up per byte.
    fn push_regular(&mut self, utf8: &[u8]) {
        let mut rest = utf8;
        while !rest.is_empty() {
            let pos = self.decoded_len;
            let bit = (pos % 64) as usize;
            let (chunk, tail) = rest.split_at(rest.len().min(64 - bit));
            let (mut mask, mut orig) = (0u64, 0u64);
            for (j, &b) in chunk.iter().enumerate() {
                let olen = self.lead_olen[usize::from(b)];
                mask |= u64::from(olen != 0) << j;
                orig += u64::from(olen);
            }
            let idx = self.word_index(pos);
            if let Some(bits) = self.starts.get_mut(idx) {
                *bits |= mask << bit;
            }
            // A character's original length counts where it starts, so a
            // word's `word_orig` (set before this chunk) is exact even when
            // a character straddles words.
            self.decoded_len += chunk.len() as u64;
            self.orig_end += orig;
            rest = tail;
        }
    }

    /// The decoded offset of the character containing `pos`, if its word
    /// is still kept.
    fn char_start(&self, pos: u64) -> Option<u64> {
        let word = pos / 64;
        let idx = usize::try_from(word.checked_sub(self.first_word)?).ok()?;
        let bit = pos % 64;
        // The word is missing when only the tail of a character reaches
        // into it.
        let bits = self.starts.get(idx).copied().unwrap_or(0) & (u64::MAX >> (63 - bit));
        if bits != 0 {
            return Some(word * 64 + 63 - u64::from(bits.leading_zeros()));
        }
        // A character is at most 4 bytes, so its start is in this word or
        // the one before.
        let prev = *self.starts.get(idx.checked_sub(1)?)?;
        (prev != 0).then(|| (word - 1) * 64 + 63 - u64::from(prev.leading_zeros()))
    }

    fn to_original(&self, pos: u64) -> u64 {
        if pos >= self.decoded_len {
            return self.orig_end;
        }
        let earliest = self.word_orig.front().copied().unwrap_or(self.orig_end);
        let Some(start) = self.char_start(pos) else {
            // Forgotten (the caller promised not to ask): best effort.
            return earliest;
        };
        let word = start / 64;
        let idx = (word - self.first_word) as usize;
        let (Some(&bits), Some(&base)) = (self.starts.get(idx), self.word_orig.get(idx)) else {
            return earliest;
        };
        let mut orig = base;
        let mut irr = self.irregular.partition_point(|&(p, _)| p < word * 64);
        let mut rest = bits;
        // Sum the original lengths of the word's characters before `start`.
        while rest != 0 {
            let c = word * 64 + u64::from(rest.trailing_zeros());
            if c >= start {
                break;
            }
            rest &= rest - 1;
            let next = if rest == 0 {
                start
            } else {
                word * 64 + u64::from(rest.trailing_zeros())
            };
            match self.irregular.get(irr) {
                Some(&(p, olen)) if p == c => {
                    orig += olen;
                    irr += 1;
                }
                _ => orig += self.family.original_len(next - c),
            }
        }
        orig
    }

    /// Drops what only offsets below `pos` need.
    fn forget_before(&mut self, pos: u64) {
        // The character containing `pos` may start up to 3 bytes earlier.
        let keep_word = pos.min(self.decoded_len).saturating_sub(3) / 64;
        let drop = keep_word.saturating_sub(self.first_word);
        let drop = usize::try_from(drop).unwrap_or(usize::MAX);
        let drop = drop.min(self.starts.len().saturating_sub(1));
        self.starts.drain(..drop);
        self.word_orig.drain(..drop.min(self.word_orig.len()));
        self.first_word += drop as u64;
        let first = self.first_word * 64;
        let gone = self.irregular.partition_point(|&(p, _)| p < first);
        self.irregular.drain(..gone);
    }

    fn heap_bytes(&self) -> usize {
        self.starts.capacity() * 8 + self.word_orig.capacity() * 8 + self.irregular.capacity() * 16
    }
}

/// Length of the UTF-8 character that starts with `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0..0x80 => 1,
        0xF0.. => 4,
        0xE0.. => 3,
        _ => 2,
    }
}

const REPLACEMENT_UTF8: &[u8] = "\u{FFFD}".as_bytes();

/// A streaming transcoder to UTF-8 that remembers where each decoded
/// character came from.
///
/// Reads the input in 64 KiB pieces, decodes each with `encoding_rs`
/// (malformed sequences become U+FFFD, as `Encoding::decode` does), and
/// yields the UTF-8 through [`Read`]. The byte-order mark is skipped but
/// counted in original offsets. The map grows by about a quarter of a byte
/// per decoded byte until [`Decoded::forget_before`] trims it.
pub struct Decoded<R: Read> {
    inner: R,
    decoder: encoding_rs::Decoder,
    family: Family,
    /// Byte-order-mark bytes still to skip.
    bom_left: usize,
    input: Vec<u8>,
    /// Decoded bytes `out[out_start..out_end]` not yet returned by `read`.
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    /// Original bytes consumed by the decoder since the last character it
    /// produced ([`Family::Other`] only).
    pending: u64,
    finished: bool,
    malformed: u64,
    map: OffsetMap,
}

impl<R: Read> Decoded<R> {
    /// `inner` is positioned at the start of the input, `bom_len` bytes of
    /// byte-order mark first (from [`sniff_encoding`]).
    pub fn new(inner: R, encoding: &'static Encoding, bom_len: usize) -> Decoded<R> {
        let family = Family::of(encoding);
        Decoded {
            inner,
            // The BOM is the caller's call: a BOM for another encoding, or
            // one the caller chose to keep, decodes as a character.
            decoder: encoding.new_decoder_without_bom_handling(),
            family,
            bom_left: bom_len,
            input: vec![0; PIECE],
            out: Vec::new(),
            out_start: 0,
            out_end: 0,
            pending: 0,
            finished: false,
            malformed: 0,
            map: OffsetMap::new(family),
        }
    }

    /// Absolute original offset of the character that starts at absolute
    /// decoded offset `decoded_pos` (of the character containing it when it
    /// is mid-character). At a character boundary this is also where the
    /// previous character's bytes end, so it serves span ends as well. At or
    /// past the decoded end: the original offset just past the last
    /// decoded character. Below [`Decoded::forget_before`]'s mark the answer
    /// is approximate; it never panics.
    pub fn to_original(&self, decoded_pos: u64) -> u64 {
        self.map.to_original(decoded_pos)
    }

    /// Lets the map drop entries for decoded offsets below `decoded_pos`:
    /// the caller will not ask about them again. Call it as the scan window
    /// moves to keep memory bounded.
    pub fn forget_before(&mut self, decoded_pos: u64) {
        self.map.forget_before(decoded_pos);
    }

    /// Malformed sequences replaced with U+FFFD so far.
    pub fn malformed(&self) -> u64 {
        self.malformed
    }

    /// Decoded bytes produced so far (returned by `read` or buffered).
    pub fn decoded_len(&self) -> u64 {
        self.map.decoded_len
    }

    /// Heap bytes held by the offset map (for tests and `--debug`).
    pub fn map_heap_bytes(&self) -> usize {
        self.map.heap_bytes()
    }

    pub fn encoding(&self) -> &'static Encoding {
        self.decoder.encoding()
    }

    /// Reads one piece of input and decodes it into `out` (which is
    /// drained). At end of input, flushes the decoder.
    fn fill(&mut self) -> io::Result<()> {
        let n = loop {
            match self.inner.read(&mut self.input) {
                Ok(n) => break n.min(self.input.len()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        let last = n == 0;
        let skip = self.bom_left.min(n);
        self.bom_left -= skip;
        self.map.orig_end += skip as u64;
        self.out_start = 0;
        self.out_end = 0;
        let need = self
            .decoder
            .max_utf8_buffer_length(n - skip)
            // Cannot overflow for one piece; growth on `OutputFull` covers it.
            .unwrap_or(3 * PIECE)
            .max(16);
        if self.out.len() < need {
            self.out.resize(need, 0);
        }
        let input = std::mem::take(&mut self.input);
        let src = &input[skip..n];
        if self.family == Family::Other {
            // One byte per call, so each output character's bytes are known.
            for i in 0..src.len() {
                self.decode_step(&src[i..=i], false);
            }
            if last {
                self.decode_step(&[], true);
            }
        } else {
            self.decode_step(src, last);
        }
        self.input = input;
        if last {
            self.finished = true;
        }
        Ok(())
    }

    /// Decodes all of `src` into `out[out_end..]`, recording characters.
    fn decode_step(&mut self, mut src: &[u8], last: bool) {
        loop {
            if self.out.len() - self.out_end < 16 {
                // `fill` sizes `out` for the worst case; never fail if not.
                self.out.resize(self.out.len() * 2 + 16, 0);
            }
            let before = self.out_end;
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out[before..], last);
            src = src.get(read..).unwrap_or_default();
            self.out_end += written;
            let produced = &self.out[before..self.out_end];
            if self.family == Family::Other {
                self.pending += read as u64;
                // Bytes consumed after a malformed sequence belong to the
                // next character, not to the characters written now.
                let held = match result {
                    DecoderResult::Malformed(bad, after) => u64::from(bad) + u64::from(after),
                    _ => 0,
                };
                let mut olen = self.pending.saturating_sub(held);
                let mut i = 0;
                while let Some(&lead) = produced.get(i) {
                    let dlen = utf8_len(lead);
                    // Several characters from one sequence (Big5 has such
                    // pairs): the first takes the bytes, the rest none.
                    self.map.push(dlen as u64, olen);
                    self.pending -= olen;
                    olen = 0;
                    i += dlen;
                }
            } else {
                self.map.push_regular(produced);
            }
            match result {
                DecoderResult::InputEmpty => return,
                DecoderResult::OutputFull => {
                    let len = self.out.len();
                    self.out.resize(len * 2 + 16, 0);
                }
                DecoderResult::Malformed(bad, after) => {
                    self.malformed += 1;
                    if self.out.len() - self.out_end < REPLACEMENT_UTF8.len() {
                        let len = self.out.len();
                        self.out.resize(len * 2 + 16, 0);
                    }
                    let at = self.out_end;
                    self.out[at..at + REPLACEMENT_UTF8.len()].copy_from_slice(REPLACEMENT_UTF8);
                    self.out_end += REPLACEMENT_UTF8.len();
                    let olen = if self.family == Family::Other {
                        let olen = self.pending.saturating_sub(u64::from(after));
                        self.pending = u64::from(after).min(self.pending);
                        olen
                    } else {
                        u64::from(bad)
                    };
                    self.map.push(REPLACEMENT_UTF8.len() as u64, olen);
                }
            }
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.out_start == self.out_end {
            if self.finished {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{BIG5, EUC_JP, GB18030, GBK, ISO_2022_JP, SHIFT_JIS, WINDOWS_1252};

    const TEXT: &str = "Клиент: Иванов Иван Иванович, тел. +7 912 345-67-89, ivan@example.ru, \
                        СНИЛС 726-319-011 82\nФИО;Телефон\nПетров Пётр;8 (495) 123-45-67\n";
    const VALUES: &[&str] = &[
        "Иванов Иван",
        "+7 912 345-67-89",
        "ivan@example.ru",
        "726-319-011 82",
        "СНИЛС",
        "Пётр",
        "8 (495) 123-45-67",
    ];

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

    /// Returns at most `step` bytes per read, as a pipe might.
    struct Dribble<'a> {
        data: &'a [u8],
        step: usize,
    }
    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Decodes `data` feeding `in_step` bytes per inner read and taking
    /// `out_step` decoded bytes per outer read.
    fn decode_all<'a>(
        data: &'a [u8],
        enc: &'static Encoding,
        bom_len: usize,
        in_step: usize,
        out_step: usize,
    ) -> (Vec<u8>, Decoded<Dribble<'a>>) {
        let mut d = Decoded::new(
            Dribble {
                data,
                step: in_step,
            },
            enc,
            bom_len,
        );
        let mut out = Vec::new();
        let mut buf = vec![0; out_step];
        loop {
            let n = d.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        (out, d)
    }

    /// Every occurrence of every value maps to original bytes that decode
    /// back to exactly the value.
    fn assert_spans_round_trip(
        original: &[u8],
        enc: &'static Encoding,
        decoded: &str,
        d: &Decoded<impl Read>,
        values: &[&str],
    ) {
        for v in values {
            let mut seen = 0;
            for (i, _) in decoded.match_indices(v) {
                let s = d.to_original(i as u64) as usize;
                let e = d.to_original((i + v.len()) as u64) as usize;
                let (back, _) = enc.decode_without_bom_handling(&original[s..e]);
                assert_eq!(back, *v, "{}: span {s}..{e}", enc.name());
                seen += 1;
            }
            assert!(seen > 0, "{v} not found in {}", enc.name());
        }
    }

    /// Decoded offset → original offset of every character, worked out by
    /// encoding characters one at a time (exact for stateless encodings).
    fn reference_offsets(enc: &'static Encoding, text: &str, bom_len: usize) -> Vec<(u64, u64)> {
        let mut orig = bom_len as u64;
        let mut out = Vec::new();
        for (i, c) in text.char_indices() {
            out.push((i as u64, orig));
            orig += encode(enc, c.encode_utf8(&mut [0; 4])).len() as u64;
        }
        out.push((text.len() as u64, orig));
        out
    }

    /// `to_original` at every decoded offset: character starts map exactly,
    /// mid-character offsets to their character's start.
    fn assert_every_offset(
        enc: &'static Encoding,
        text: &str,
        d: &Decoded<impl Read>,
        bom_len: usize,
    ) {
        let reference = reference_offsets(enc, text, bom_len);
        for w in reference.windows(2) {
            let ((ds, os), (de, _)) = (w[0], w[1]);
            for p in ds..de {
                assert_eq!(d.to_original(p), os, "{} at decoded {p}", enc.name());
            }
        }
        let &(end, orig_end) = reference.last().unwrap();
        assert_eq!(d.to_original(end), orig_end);
        assert_eq!(d.to_original(end + 100), orig_end);
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

    #[test]
    fn decoded_spans_map_back_in_every_encoding() {
        for (enc, bom_len) in legacy_and_unicode() {
            let data = with_bom(enc, bom_len, TEXT);
            for (in_step, out_step) in [(7, 7), (1, 1), (1, 4096), (usize::MAX, 5), (3, 1)] {
                let (out, d) = decode_all(&data, enc, bom_len, in_step, out_step);
                let decoded = std::str::from_utf8(&out).unwrap();
                assert_eq!(decoded, TEXT, "{} steps {in_step}/{out_step}", enc.name());
                assert_spans_round_trip(&data, enc, decoded, &d, VALUES);
                assert_every_offset(enc, decoded, &d, bom_len);
                assert_eq!(d.to_original(0), bom_len as u64);
                assert_eq!(d.malformed(), 0);
            }
        }
    }

    #[test]
    fn surrogate_pairs_and_three_byte_characters() {
        // Emoji (4 UTF-8 bytes, 4 UTF-16 bytes), № and € (3 UTF-8 bytes, one
        // windows-1251 byte), ё (2 bytes).
        let text = "Иван 😀 Петров № 5, €10 ёж 🇷🇺\n";
        for enc in [UTF_16LE, UTF_16BE, UTF_8] {
            let data = encode(enc, text);
            let (out, d) = decode_all(&data, enc, 0, 3, 7);
            let decoded = std::str::from_utf8(&out).unwrap();
            assert_eq!(decoded, text);
            assert_spans_round_trip(&data, enc, decoded, &d, &["😀", "Петров", "🇷🇺", "ёж"]);
            assert_every_offset(enc, decoded, &d, 0);
        }
        let text = "Иван № 5, €10 ёж\n";
        let data = encode(WINDOWS_1251, text);
        let (out, d) = decode_all(&data, WINDOWS_1251, 0, 2, 3);
        assert_eq!(std::str::from_utf8(&out).unwrap(), text);
        assert_every_offset(WINDOWS_1251, text, &d, 0);
    }

    /// Finds `needle` in decoded output and returns its original span.
    fn original_span(
        out: &[u8],
        d: &Decoded<impl Read>,
        needle: &str,
        nth: usize,
    ) -> (usize, usize) {
        let s = std::str::from_utf8(out).unwrap();
        let (i, _) = s.match_indices(needle).nth(nth).unwrap();
        (
            d.to_original(i as u64) as usize,
            d.to_original((i + needle.len()) as u64) as usize,
        )
    }

    #[test]
    fn last_character_reaching_into_a_new_map_word() {
        // 63 ASCII bytes, then a character whose tail is the map's only
        // content past decoded offset 64.
        for tail in ["Я", "€", "😀"] {
            let text = format!("{}{tail}", "a".repeat(63));
            for enc in [WINDOWS_1251, UTF_16LE, UTF_8] {
                if enc == WINDOWS_1251 && tail == "😀" {
                    continue;
                }
                let data = encode(enc, &text);
                let (out, d) = decode_all(&data, enc, 0, 64, 64);
                assert_eq!(out, text.as_bytes());
                assert_every_offset(enc, &text, &d, 0);
            }
        }
    }

    #[test]
    fn malformed_utf16_never_panics_and_keeps_spans() {
        let le = |s: &str| encode(UTF_16LE, s);
        let mut data = b"\xFF\xFE".to_vec();
        data.extend(le("Иван"));
        data.extend([0x3D, 0xD8]); // high surrogate, then a BMP unit
        data.extend(le("Петров"));
        data.extend([0x00, 0xDC]); // lone low surrogate
        data.extend(le("x"));
        data.extend([0x3D, 0xD8, 0x3D, 0xD8]); // two high surrogates
        data.extend(le("😀 ivan@example.ru"));
        data.extend([0x3D, 0xD8, 0x41]); // high surrogate and half a unit at EOF
        for (in_step, out_step) in [(1, 1), (7, 7), (usize::MAX, 3)] {
            let (out, d) = decode_all(&data, UTF_16LE, 2, in_step, out_step);
            let text = String::from_utf8(out.clone()).unwrap();
            assert_eq!(
                text,
                "Иван\u{FFFD}Петров\u{FFFD}x\u{FFFD}\u{FFFD}😀 ivan@example.ru\u{FFFD}"
            );
            assert_eq!(d.malformed(), 5);
            assert_spans_round_trip(
                &data,
                UTF_16LE,
                &text,
                &d,
                &["Петров", "😀", "ivan@example.ru"],
            );
            // Each U+FFFD covers exactly its malformed bytes.
            let fffd: Vec<(usize, usize)> = (0..5)
                .map(|n| original_span(&out, &d, "\u{FFFD}", n))
                .collect();
            assert_eq!(fffd[0], (10, 12));
            assert_eq!(fffd[1].1 - fffd[1].0, 2);
            assert_eq!(fffd[2].1 - fffd[2].0, 2);
            assert_eq!(fffd[3].1 - fffd[3].0, 2);
            assert_eq!(fffd[4], (data.len() - 3, data.len()));
            assert_eq!(d.to_original(out.len() as u64), data.len() as u64);
        }
        // A lone odd byte, a lone high surrogate, nothing at all.
        for tail in [&b"A"[..], b"\x3D\xD8", b""] {
            let (out, d) = decode_all(tail, UTF_16LE, 0, 1, 1);
            assert_eq!(d.to_original(out.len() as u64), tail.len() as u64);
            assert_eq!(out.is_empty(), tail.is_empty());
        }
    }

    #[test]
    fn malformed_utf8_and_unmapped_bytes() {
        let data = b"ab\xC0cd\xE2\x82ef \xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD \xF0\x9F\x98";
        let (out, d) = decode_all(data, UTF_8, 0, 1, 2);
        let text = String::from_utf8(out.clone()).unwrap();
        assert_eq!(text, "ab\u{FFFD}cd\u{FFFD}ef Иван \u{FFFD}");
        assert_spans_round_trip(data, UTF_8, &text, &d, &["cd", "ef", "Иван"]);
        assert_eq!(original_span(&out, &d, "\u{FFFD}", 0), (2, 3));
        assert_eq!(original_span(&out, &d, "\u{FFFD}", 1), (5, 7));
        assert_eq!(
            original_span(&out, &d, "\u{FFFD}", 2),
            (data.len() - 3, data.len())
        );
        // WHATWG windows-1251 maps 0x98 to U+0098 (two UTF-8 bytes);
        // windows-1253 leaves some bytes unmapped (U+FFFD, three bytes).
        let data = b"\xC8\x98\xE2";
        let (out, d) = decode_all(data, WINDOWS_1251, 0, 1, 1);
        assert_eq!(String::from_utf8(out).unwrap(), "И\u{98}в");
        assert_eq!(
            (d.to_original(2), d.to_original(4), d.to_original(6)),
            (1, 2, 3)
        );
        let unmapped = (0x80..=0xFFu8)
            .find(|&b| {
                encoding_rs::WINDOWS_1253
                    .decode_without_bom_handling(&[b])
                    .1
            })
            .unwrap();
        let data = [b'a', unmapped, b'b'];
        let (out, d) = decode_all(&data, encoding_rs::WINDOWS_1253, 0, 1, 1);
        assert_eq!(String::from_utf8(out).unwrap(), "a\u{FFFD}b");
        assert_eq!(
            (d.to_original(1), d.to_original(4), d.to_original(5)),
            (1, 2, 3)
        );
        assert_eq!(d.malformed(), 1);
        // A BOM longer than the input.
        let (out, d) = decode_all(b"\xEF", UTF_8, 3, 1, 1);
        assert!(out.is_empty());
        assert_eq!(d.to_original(0), 1);
    }

    #[test]
    fn multibyte_legacy_encodings_map_character_by_character() {
        let text = "山田太郎 tel 090-1234-5678 ｱｲｳ mail taro@example.jp\n";
        for enc in [SHIFT_JIS, EUC_JP, GBK, BIG5] {
            let (data, _, unmappable) = enc.encode(text);
            if unmappable {
                continue; // katakana is not in every CJK code page
            }
            let (out, d) = decode_all(&data, enc, 0, 5, 3);
            let decoded = std::str::from_utf8(&out).unwrap();
            assert_eq!(decoded, text, "{}", enc.name());
            assert_every_offset(enc, decoded, &d, 0);
            assert_spans_round_trip(&data, enc, decoded, &d, &["山田太郎", "taro@example.jp"]);
        }
    }

    /// Random bytes in every family, random piece sizes: the output equals
    /// a one-shot decode, offsets never go backwards, all bytes are
    /// accounted for, no panics.
    #[test]
    fn random_bytes_in_every_family() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let encodings = [
            UTF_8,
            UTF_16LE,
            UTF_16BE,
            WINDOWS_1251,
            KOI8_R,
            IBM866,
            SHIFT_JIS,
            GB18030,
            BIG5,
            EUC_JP,
            ISO_2022_JP,
            encoding_rs::REPLACEMENT,
        ];
        for round in 0..300 {
            let enc = encodings[round % encodings.len()];
            let len = (next() % 300) as usize;
            // Bias towards bytes that matter: surrogates, leads, NULs.
            let data: Vec<u8> = (0..len)
                .map(|_| match next() % 4 {
                    0 => [0x00, 0x04, 0xD8, 0xDC, 0xE2, 0x82, 0xF0, 0x1B][(next() % 8) as usize],
                    _ => next() as u8,
                })
                .collect();
            let bom_len = (next() % 3) as usize % (len + 1);
            let (in_step, out_step) = (1 + (next() % 9) as usize, 1 + (next() % 9) as usize);
            let (out, d) = decode_all(&data, enc, bom_len, in_step, out_step);
            let (expected, _) = enc.decode_without_bom_handling(&data[bom_len..]);
            assert_eq!(out, expected.as_bytes(), "{} round {round}", enc.name());
            let mut prev = 0;
            for p in 0..=out.len() as u64 {
                let o = d.to_original(p);
                assert!(
                    o >= prev && o <= data.len() as u64,
                    "{} round {round} at {p}",
                    enc.name()
                );
                prev = o;
            }
            assert_eq!(
                d.to_original(0),
                bom_len as u64,
                "{} round {round}",
                enc.name()
            );
            if enc != encoding_rs::REPLACEMENT && enc != ISO_2022_JP {
                // Every byte belongs to some character (the replacement
                // encoding and ISO-2022-JP escapes swallow bytes silently).
                assert_eq!(
                    d.to_original(out.len() as u64),
                    len as u64,
                    "{} round {round}",
                    enc.name()
                );
            }
        }
    }

    #[test]
    fn map_stays_bounded_on_megabytes_of_cp1251() {
        const WINDOW: u64 = 256 * 1024;
        let mut text = String::new();
        let mut n = 0u32;
        while text.len() < 6 * 1024 * 1024 {
            n += 1;
            text.push_str(&format!(
                "{n};Иванов Иван Петрович;тел. +7 912 {:03}-67-89;ivan{n}@example.ru;Москва, ул. Ленина\n",
                n % 1000
            ));
        }
        let data = encode(WINDOWS_1251, &text);
        let mut d = Decoded::new(data.as_slice(), WINDOWS_1251, 0);
        let mut buf = vec![0; 8191];
        let mut window: Vec<u8> = Vec::new(); // decoded bytes from `window_start`
        let mut window_start = 0u64;
        let (mut max_heap, mut checked) = (0, 0);
        loop {
            let got = d.read(&mut buf).unwrap();
            if got == 0 {
                break;
            }
            window.extend_from_slice(&buf[..got]);
            if window.len() as u64 > WINDOW {
                let drop = window.len() - WINDOW as usize;
                window.drain(..drop);
                window_start += drop as u64;
                d.forget_before(window_start);
            }
            max_heap = max_heap.max(d.map_heap_bytes());
            // Spot-check the last complete e-mail address in the window.
            let find =
                |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).rposition(|w| w == needle);
            let email = find(&window, b"ivan")
                .and_then(|i| Some((i, i + window[i..].iter().position(|&b| b == b';')?)));
            if let Some((i, j)) = email {
                let (ds, de) = (window_start + i as u64, window_start + j as u64);
                let (os, oe) = (d.to_original(ds) as usize, d.to_original(de) as usize);
                let (back, _) = WINDOWS_1251.decode_without_bom_handling(&data[os..oe]);
                assert_eq!(back.as_bytes(), &window[i..j]);
                assert!(back.ends_with("@example.ru"), "{back}");
                checked += 1;
            }
        }
        assert!(checked > 100);
        assert_eq!(d.to_original(d.decoded_len()), data.len() as u64);
        // 6 MiB decoded from ~4 MB; the window plus one decoded piece ahead
        // is ~384 KiB, whose map is ~96 KiB (128 KiB once VecDeque rounds
        // its capacities up). Without forget_before it would be ~1.5 MiB.
        assert!(max_heap < 160 * 1024, "map grew to {max_heap} bytes");
    }

    /// Found by the `redact` fuzz target: one damaged byte (in an e-mail)
    /// made a UTF-8 JSON file read as windows-1251, so the name beside it
    /// was mojibake and not redacted; once the e-mail was replaced the
    /// output was clean UTF-8 and a re-scan found the name.
    #[test]
    fn utf8_with_a_damaged_byte_is_still_utf8() {
        let mut text = "{\"name\": \"Иванов Иван\", \"email\": \"iv"
            .as_bytes()
            .to_vec();
        text.push(0xF6);
        text.extend_from_slice("n@example.com\"}".as_bytes());
        let s = sniff_encoding(&text);
        assert_eq!(s.encoding, UTF_8, "{}", s.reason);
        // Legacy Cyrillic stays legacy, short or long.
        for sample in ["Иванов Иван Петрович, Москва", "Привет"] {
            for enc in [WINDOWS_1251, encoding_rs::KOI8_R, encoding_rs::IBM866] {
                let (bytes, _, _) = enc.encode(sample);
                assert!(!mostly_utf8(&bytes), "{} {sample}", enc.name());
            }
        }
    }
}
