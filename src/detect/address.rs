//! Postal addresses: Russian (index, region, district, locality, street,
//! house, building, flat, in forms order or envelope order) and US
//! (number, street, type, unit, city, state, ZIP).
//!
//! Owns the address-word tables (`ул.`, `пр-т`, `корп.`, `Pkwy`, state
//! codes) and a component-chain parser. It does not score confidence: the
//! engine does that with the rules `address.ru` and `address.us`.
//!
//! How: the scan stops only at anchors — a lower-case Cyrillic word that
//! is an address keyword (`ул`, `г`, `д`, `кв` …), a six-digit index, or a
//! house number followed by a capitalised word (US). From an anchor it
//! steps back over comma-separated components that parse as address parts
//! (`Москва, ` before `ул. …`, `119021, ` before `г. …`), then parses the
//! chain forwards: components separated by `, ` or a space. The span covers
//! the whole chain. A chain is an address when it has a street with a
//! house, locality or index (strong), or weaker combinations (a street
//! alone, a locality with an index) that need a context word.
//!
//! Not addresses: a city alone (`г. Москва`), years (`2024 г.`), a bare
//! six-digit number, dates and versions.

use super::Norm;
pub use super::names::{Lang, Strength};
use super::swar::digits_end;
use super::words::{is_upper_at, letter_before, letter_len, lower_into};
use crate::finding::Signals;

/// One address found in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressHit {
    pub start: usize,
    pub end: usize,
    /// `Ru` for Russian addresses, `En` for US ones.
    pub lang: Lang,
    pub signals: Signals,
    /// Lower-case letters and digits with single spaces: `д.16` and
    /// `д. 16` fingerprint alike.
    pub norm: Norm,
    /// `Full` or `Weak` (needs a context word or column hint).
    pub strength: Strength,
}

/// The longest address span (bytes); below the engine's candidate limit.
pub const MAX_ADDRESS_LEN: usize = 300;
/// How far back from an anchor earlier components are looked for.
const MAX_BACK: usize = 160;

/// The address matcher; immutable, no tables to load.
#[derive(Debug, Default, Clone)]
pub struct AddressMatcher {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    Region,
    RegionAfter, // край, АО: after the name only
    District,
    Locality,
    /// `д`: деревня before a name, дом before a number.
    DomOrVillage,
    Street,
    House,
    Building,
    Unit,
    PoBox,
    Country,
}

/// Declares the address keywords once: the list `KEYWORD_KINDS` (for the
/// shape table and the look-up by code) and, for tests, `keyword`, a
/// plain match over the same words.
macro_rules! keywords {
    ($($kind:ident: $($word:literal)|+;)+) => {
        /// Address keywords, lower case, without the dot: the plain
        /// look-up that `keyword_by_code` must agree with.
        #[cfg(test)]
        fn keyword(w: &str) -> Option<Kw> {
            Some(match w {
                $($($word)|+ => Kw::$kind,)+
                _ => return None,
            })
        }

        /// Every keyword with its kind.
        const KEYWORD_KINDS: &[(&str, Kw)] = &[$($(($word, Kw::$kind)),+),+];
    };
}

keywords! {
    Region: "обл" | "область" | "респ" | "республика";
    RegionAfter: "край" | "ао" | "округ";
    District: "р-н" | "район" | "р-он";
    Locality: "г" | "гор" | "город" | "пос" | "п" | "пгт" | "с" | "село" | "дер" | "деревня"
        | "ст-ца" | "станица" | "х" | "хутор" | "рп" | "снт" | "поселок";
    DomOrVillage: "д";
    Street: "ул" | "улица" | "пр-т" | "пр-кт" | "просп" | "проспект" | "пр" | "пер" | "переулок"
        | "ш" | "шоссе" | "наб" | "набережная" | "пл" | "площадь" | "б-р" | "бул" | "бульвар"
        | "пр-д" | "проезд" | "туп" | "тупик" | "аллея" | "линия" | "мкр" | "микрорайон"
        | "кв-л" | "квартал";
    House: "дом" | "вл" | "влд" | "владение" | "зд" | "здание" | "уч" | "участок";
    Building: "корп" | "кор" | "к" | "корпус" | "стр" | "строение" | "лит" | "литера" | "литер";
    Unit: "кв" | "квартира" | "оф" | "офис" | "пом" | "помещение" | "ком" | "комн" | "комната";
    PoBox: "а/я";
    Country: "россия" | "рф";
}

/// The Cyrillic letter `lead cont` as an index 0..32 of its lower-case
/// form as `lower_into` folds it (`а` = 0 … `я` = 31, `ё` and `Ё` as `е`),
/// or `None` for anything else.
const fn cyr_index(lead: u8, cont: u8) -> Option<usize> {
    match (lead, cont) {
        (0xD0, 0x90..=0xBF) => Some((cont - 0x90) as usize & 31),
        (0xD1, 0x80..=0x8F) => Some((cont - 0x80) as usize + 16),
        (0xD0, 0x81) | (0xD1, 0x91) => Some(5),
        _ => None,
    }
}

/// Keyword shapes: for each first letter (`cyr_index`), bit `n` is set
/// when some keyword starting with it is `n` bytes long. Every keyword
/// starts with a Cyrillic letter and is at most 20 bytes, so a word whose
/// (folded) first letter and length have no bit here is no keyword: most
/// words are turned away without lower-casing them.
static KW_SHAPES: [u32; 32] = {
    let mut t = [0u32; 32];
    let mut k = 0;
    while k < KEYWORD_KINDS.len() {
        let w = KEYWORD_KINDS[k].0.as_bytes();
        assert!(w.len() >= 2 && w.len() < 32);
        let Some(i) = cyr_index(w[0], w[1]) else {
            panic!("a keyword starts with a Cyrillic letter");
        };
        t[i] |= 1 << w.len();
        k += 1;
    }
    t
};

/// Can the `len` bytes at `buf[p..]` be a keyword (in any case), judging
/// by their first letter and length?
fn kw_shape_ok(buf: &[u8], p: usize, len: usize) -> bool {
    let (Some(&lead), Some(&cont)) = (buf.get(p), buf.get(p + 1)) else {
        return false;
    };
    match cyr_index(lead, cont) {
        Some(i) => len < 32 && (KW_SHAPES[i] >> len) & 1 != 0,
        None => false,
    }
}

/// A keyword packed six bits a character (`cyr_index + 1` for a letter,
/// 33 for `-`, 34 for `/`), first character highest. No code is 0, so
/// words of up to ten characters (every keyword is one) get distinct
/// codes.
const fn kw_code(w: &[u8]) -> u64 {
    let mut code = 0u64;
    let mut k = 0;
    let mut chars = 0;
    while k < w.len() {
        let c = match w[k] {
            b'-' => 33,
            b'/' => 34,
            lead => match cyr_index(lead, w[k + 1]) {
                Some(i) => {
                    k += 1;
                    i as u64 + 1
                }
                None => panic!("keywords are Cyrillic"),
            },
        };
        k += 1;
        chars += 1;
        code = (code << 6) | c;
    }
    assert!(chars <= 10);
    code
}

/// `kw_code` of the word `buf[p..e]` (letters, `-` and `/`) folded as
/// `lower_into` folds it, or `None` when it cannot be a keyword: a Latin
/// letter in it, or more than ten characters.
fn word_code(buf: &[u8], p: usize, e: usize) -> Option<u64> {
    let mut code = 0u64;
    let mut k = p;
    let mut chars = 0;
    while k < e {
        let c = match buf[k] {
            b'-' => 33,
            b'/' => 34,
            lead => {
                k += 1;
                cyr_index(lead, *buf.get(k)?)? as u64 + 1
            }
        };
        k += 1;
        chars += 1;
        if chars > 10 {
            return None;
        }
        code = (code << 6) | c;
    }
    Some(code)
}

/// Every keyword's code and kind, sorted by code (at compile time) for a
/// binary search: a `match` on the words compares them one by one.
static KW_BY_CODE: [(u64, Kw); KEYWORD_KINDS.len()] = {
    let mut t = [(0u64, Kw::Region); KEYWORD_KINDS.len()];
    let mut k = 0;
    while k < t.len() {
        t[k] = (kw_code(KEYWORD_KINDS[k].0.as_bytes()), KEYWORD_KINDS[k].1);
        let mut j = k;
        while j > 0 && t[j - 1].0 > t[j].0 {
            let x = t[j - 1];
            t[j - 1] = t[j];
            t[j] = x;
            j -= 1;
        }
        k += 1;
    }
    let mut k = 1;
    while k < t.len() {
        assert!(t[k - 1].0 < t[k].0, "distinct keywords, distinct codes");
        k += 1;
    }
    t
};

/// The keyword whose `kw_code` is `code`.
fn keyword_by_code(code: u64) -> Option<Kw> {
    let i = KW_BY_CODE.binary_search_by_key(&code, |&(c, _)| c).ok()?;
    Some(KW_BY_CODE[i].1)
}

/// Bytes where an anchor may start: digits and Cyrillic lead bytes; ASCII
/// letters too, so that Latin words are skipped whole.
static WORTH_A_LOOK: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == 0xD0 || b == 0xD1;
        c += 1;
    }
    t
};

// Component flags.
const INDEX: u16 = 1;
const COUNTRY: u16 = 2;
const REGION: u16 = 4;
const DISTRICT: u16 = 8;
const LOCALITY: u16 = 16;
const STREET: u16 = 32;
const HOUSE: u16 = 64;
const BUILDING: u16 = 128;
const UNIT: u16 = 256;
const NAME: u16 = 512;
const POBOX: u16 = 1024;

impl AddressMatcher {
    pub fn new() -> AddressMatcher {
        AddressMatcher {}
    }

    /// Finds addresses that start in `buf[from..to]`, appending them to
    /// `out` in order. Anchors up to `MAX_BACK` bytes after `to` are looked
    /// at too, so an address whose keyword lies past `to` is not lost.
    pub fn find(&self, buf: &[u8], from: usize, to: usize, out: &mut Vec<AddressHit>) {
        let to = to.min(buf.len());
        let limit = (to + MAX_BACK).min(buf.len());
        let mut lower = Vec::with_capacity(32);
        let mut i = from;
        let mut done = from; // no new address may start before this
        while i < limit {
            // Tight skip over bytes that cannot start an anchor.
            while i < limit && !WORTH_A_LOOK[buf[i] as usize] {
                i += 1;
            }
            if i >= limit {
                break;
            }
            let b = buf[i];
            // `known`: `buf[i..known]` is letters or digits, which
            // `skip_token_from` would step over anyway.
            let (hit, known) = if b.is_ascii_digit() {
                if i > 0
                    && (buf[i - 1].is_ascii_alphanumeric()
                        || matches!(buf[i - 1], b'.' | b'-' | b'/' | b':'))
                {
                    // Not an anchor, and neither is any later digit of the
                    // run (each follows a digit): skip the run at once.
                    i = next_stop(buf, i + 1, limit);
                    continue;
                }
                let e = digits_end(buf, i);
                (self.at_number(buf, i, e, &mut lower), e)
            } else if b.is_ascii_alphabetic() {
                // Latin words are never anchors: skip them, and what
                // follows up to the next stop.
                i = next_stop(buf, i + 1, limit);
                continue;
            } else if b == 0xD0 || b == 0xD1 {
                // One look at the letter: upper case (`is_upper_at`),
                // lower case, or no letter (`letter_len` 0).
                let lower_case = match (b, buf.get(i + 1)) {
                    (0xD0, Some(0xB0..=0xBF)) | (0xD1, Some(0x80..=0x8F | 0x91)) => true,
                    (0xD0, Some(0x81 | 0x90..=0xAF)) => false,
                    _ => {
                        i += 1;
                        continue;
                    }
                };
                // A lower-case Cyrillic word start; any other word is
                // skipped whole. So is a word whose first letter no keyword
                // starts with: `read_kw` would say no, whatever follows.
                if !lower_case || letter_before(buf, i) || !kw_initial(buf, i) {
                    i = skip_token_from(buf, i, i + 2);
                    continue;
                }
                // Most words of prose fail `read_kw`'s cheap checks: reject
                // those after one walk over their letters. Without a `-` or
                // `/` after them, the letters are the whole word `read_kw`
                // would read, so its shape test can run here.
                let e = letters_end(buf, i);
                if !kw_may_end(buf, i, e)
                    || (!matches!(buf.get(e), Some(b'-' | b'/')) && !kw_shape_ok(buf, i, e - i))
                {
                    i = skip_token_from(buf, i, e);
                    continue;
                }
                let hit = match read_kw(buf, i) {
                    Some(_) => self.ru_at(buf, i, &mut lower),
                    None => None,
                };
                (hit, e)
            } else {
                i += 1;
                continue;
            };
            match hit {
                Some(h) if h.start >= done && h.start >= from && h.start < to => {
                    i = h.end;
                    done = h.end;
                    out.push(h);
                }
                Some(h) if h.end > i => i = h.end,
                _ => i = skip_token_from(buf, i, known),
            }
        }
    }

    /// An address at the anchor number `buf[i..e]`. Only an index (6
    /// digits) or a house number before a capitalised word is worth a
    /// look: logs are full of numbers.
    fn at_number(&self, buf: &[u8], i: usize, e: usize, lower: &mut Vec<u8>) -> Option<AddressHit> {
        let after = buf.get(e).copied().unwrap_or(b'\n');
        if e - i == 6 && matches!(buf[i], b'1'..=b'6') && matches!(after, b',' | b' ') {
            self.ru_at(buf, i, lower)
        } else if e - i <= 6
            && after == b' '
            && buf
                .get(e + 1)
                .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            us_at(buf, i)
        } else {
            None
        }
    }

    /// A Russian address around the anchor at `a`.
    fn ru_at(&self, buf: &[u8], a: usize, lower: &mut Vec<u8>) -> Option<AddressHit> {
        // Step back over earlier components: `Москва, ` / `119021, `.
        let mut start = a;
        for _ in 0..5 {
            let Some(prev) = prev_component(buf, start, lower) else {
                break;
            };
            if a - prev > MAX_BACK {
                break;
            }
            start = prev;
        }
        let (end, flags, comps) = chain(buf, start, lower);
        if end <= a || comps == 0 {
            return None;
        }
        let strength = ru_strength(flags)?;
        Some(AddressHit {
            start,
            end,
            lang: Lang::Ru,
            signals: Signals::DICTIONARY.union(Signals::FORMATTED),
            norm: norm(buf, start, end).into(),
            strength,
        })
    }
}

fn ru_strength(flags: u16) -> Option<Strength> {
    let has = |f: u16| flags & f != 0;
    if has(STREET) && (has(HOUSE) || has(LOCALITY) || has(INDEX))
        || has(INDEX) && has(LOCALITY) && (has(HOUSE) || has(UNIT))
        || has(LOCALITY) && has(HOUSE) && has(UNIT)
        || has(POBOX) && (has(INDEX) || has(LOCALITY))
    {
        Some(Strength::Full)
    } else if has(STREET)
        || has(INDEX) && (has(LOCALITY) || has(REGION))
        || has(LOCALITY) && has(HOUSE)
    {
        Some(Strength::Weak)
    } else {
        None
    }
}

/// Parses components from `p`; returns (end of the last one, flags, count).
fn chain(buf: &[u8], mut p: usize, lower: &mut Vec<u8>) -> (usize, u16, u32) {
    let start = p;
    let mut flags = 0u16;
    let mut comps = 0;
    let mut end = p;
    let mut names = 0;
    let mut last = 0u16;
    while let Some((e, f)) = component(buf, p, last, lower) {
        if f == NAME {
            names += 1;
            if names > 2 {
                break;
            }
        }
        if e - start > MAX_ADDRESS_LEN {
            break;
        }
        if f != NAME {
            // A trailing bare name is not part of the address
            // (`…, кв. 5, Иванов, тел.`): the end moves only on real parts.
            end = e;
        }
        flags |= f;
        comps += 1;
        last = f;
        // Separator: ", " / "," / " " (one line only).
        let mut q = e;
        if buf.get(q) == Some(&b',') {
            q += 1;
        }
        let mut spaces = 0;
        while matches!(buf.get(q), Some(b' ' | b'\t')) && spaces < 2 {
            q += 1;
            spaces += 1;
        }
        if q == e {
            break;
        }
        p = q;
    }
    (end, flags, comps)
}

/// One component at `p`: (end, flag). `last` is the previous flag.
fn component(buf: &[u8], p: usize, last: u16, lower: &mut Vec<u8>) -> Option<(usize, u16)> {
    let c = *buf.get(p)?;
    if c.is_ascii_digit() {
        // Six-digit index, or a house number right after a street.
        let e = digits_end(buf, p);
        if e - p == 6 && matches!(c, b'1'..=b'6') && !glued(buf, e) {
            return Some((e, INDEX));
        }
        if last == STREET {
            return house_number(buf, p).map(|e| (e, HOUSE));
        }
        return None;
    }
    if let Some((kw, ke)) = read_kw(buf, p) {
        let q = skip_spaces(buf, ke, 1);
        return match kw {
            Kw::Street => name(buf, q).map(|e| (e, STREET)),
            Kw::Locality => name(buf, q).map(|e| (e, LOCALITY)),
            Kw::Region => name(buf, q).map(|e| (e, REGION)),
            Kw::District => name(buf, q).map(|e| (e, DISTRICT)),
            Kw::DomOrVillage => {
                if buf.get(q).is_some_and(u8::is_ascii_digit) {
                    house_number(buf, q).map(|e| (e, HOUSE))
                } else {
                    name(buf, q).map(|e| (e, LOCALITY))
                }
            }
            Kw::House => house_number(buf, q).map(|e| (e, HOUSE)),
            Kw::Building => {
                if buf.get(q).is_some_and(u8::is_ascii_digit) {
                    house_number(buf, q).map(|e| (e, BUILDING))
                } else if last & (HOUSE | BUILDING) != 0 && is_upper_at(buf, q) {
                    // лит. А
                    let l = letter_len(buf, q);
                    (letter_len(buf, q + l) == 0).then_some((q + l, BUILDING))
                } else {
                    None
                }
            }
            Kw::Unit => house_number(buf, q).map(|e| (e, UNIT)),
            Kw::PoBox => house_number(buf, q).map(|e| (e, POBOX)),
            Kw::Country => Some((ke_no_dot(buf, ke), COUNTRY)),
            Kw::RegionAfter => None,
        };
    }
    // A capitalised name, maybe followed by its type (`Ленинский пр-т`,
    // `Московская обл.`, `Одинцовский р-н`), or a country.
    if !is_upper_at(buf, p) {
        return None;
    }
    let e = name(buf, p)?;
    lower_into(&buf[p..e], lower);
    if lower.as_slice() == "российская федерация".as_bytes()
        || lower.as_slice() == "россия".as_bytes()
        || lower.as_slice() == b"russia"
    {
        return Some((e, COUNTRY));
    }
    let q = skip_spaces(buf, e, 1);
    if q > e
        && let Some((kw, ke)) = read_kw(buf, q)
    {
        let f = match kw {
            Kw::Street => STREET,
            Kw::Region | Kw::RegionAfter => REGION,
            Kw::District => DISTRICT,
            _ => 0,
        };
        if f != 0 {
            return Some((ke, f));
        }
    }
    // `Москва` alone: only as a comma-separated part.
    if buf.get(e) == Some(&b',') {
        return Some((e, NAME));
    }
    None
}

/// The start of the component before `p`, if `p` follows `, ` and the text
/// between parses as exactly one component.
fn prev_component(buf: &[u8], p: usize, lower: &mut Vec<u8>) -> Option<usize> {
    let mut q = p;
    while q > 0 && buf[q - 1] == b' ' {
        q -= 1;
    }
    if q == 0 || buf[q - 1] != b',' {
        return None;
    }
    let seg_end = q - 1;
    let mut s = seg_end;
    while s > 0
        && seg_end - s < 80
        && !matches!(
            buf[s - 1],
            b',' | b'\n' | b'\r' | b';' | b':' | b'(' | b'"' | b'\t' | b'|'
        )
    {
        s -= 1;
    }
    while s < seg_end && buf[s] == b' ' {
        s += 1;
    }
    if s >= seg_end {
        return None;
    }
    // A long run of words is a sentence, not a component: take the last
    // few words only (`Адрес доставки Москва, ул. …`).
    for cand in word_starts(buf, s, seg_end) {
        if let Some((e, _)) = component(buf, cand, 0, lower)
            && e == seg_end
        {
            return Some(cand);
        }
    }
    None
}

/// Word starts in `buf[s..e]`, first to last.
fn word_starts(buf: &[u8], s: usize, e: usize) -> impl Iterator<Item = usize> + '_ {
    (s..e).filter(move |&i| i == s || (buf[i - 1] == b' ' && buf[i] != b' '))
}

/// Reads an address keyword at `p`: letters with inner `-` or `/`, and an
/// optional dot. Returns the keyword and where it (with its dot) ends.
fn read_kw(buf: &[u8], p: usize) -> Option<(Kw, usize)> {
    // Runs of letters joined by single `-` or `/`; too long (over 24
    // bytes at any point) is no keyword.
    let mut e = letters_end(buf, p);
    loop {
        if e - p > 24 {
            return None;
        }
        if e > p && matches!(buf.get(e), Some(b'-' | b'/')) && letter_len(buf, e + 1) > 0 {
            e = letters_end(buf, e + 1);
        } else {
            break;
        }
    }
    if e == p || e - p > 22 || !kw_shape_ok(buf, p, e - p) {
        return None;
    }
    // Cheap filter before the look-up: a keyword is followed by its dot,
    // a comma or line end, or a space and a capital or a digit. Most words
    // of prose are followed by a space and a lower-case word.
    let follows_ok = match buf.get(e) {
        None | Some(b'.' | b',' | b';' | b'\n' | b'\r') => true,
        Some(b' ') => is_upper_at(buf, e + 1) || buf.get(e + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    if !follows_ok {
        return None;
    }
    // The word as `lower_into` would fold it, packed: no copy, no UTF-8
    // check, one binary search.
    let kw = keyword_by_code(word_code(buf, p, e)?)?;
    let dot = buf.get(e) == Some(&b'.');
    // One-letter abbreviations need their dot or a space and then a
    // capital or a digit (`г. Москва`, `д. 5`, `д 5`, but not `с ним`).
    let short = e - p <= 2;
    let next = skip_spaces(buf, e + usize::from(dot), 1);
    let next_ok = is_upper_at(buf, next) || buf.get(next).is_some_and(u8::is_ascii_digit);
    if short && !(dot || next_ok) {
        return None;
    }
    Some((kw, e + usize::from(dot)))
}

/// Does some keyword start with the letter at `buf[p]` (in any case)?
fn kw_initial(buf: &[u8], p: usize) -> bool {
    let (Some(&lead), Some(&cont)) = (buf.get(p), buf.get(p + 1)) else {
        return false;
    };
    cyr_index(lead, cont).is_some_and(|i| KW_SHAPES[i] != 0)
}

/// End of the run of letters at `p`: the letters `letter_len` steps
/// over, plain Cyrillic ones several at a time. Inline: out of line, the
/// call costs more than a short word's walk.
#[inline(always)]
fn letters_end(buf: &[u8], mut p: usize) -> usize {
    loop {
        match buf.get(p) {
            Some(0xD0 | 0xD1) => {
                let q = plain_cyr_end(buf, p);
                if q > p {
                    p = q;
                    continue;
                }
                // `Ё`, `ё`, or no letter.
                let l = letter_len(buf, p);
                if l == 0 {
                    return p;
                }
                p += l;
            }
            Some(c) if c.is_ascii_alphabetic() => p += 1,
            _ => return p,
        }
    }
}

/// Is `a b` a Cyrillic letter `А`..`я` other than `Ё`/`ё` (the plain
/// ones: `D0 90..BF`, `D1 80..8F`)? `letter_len` is 2 for each of them.
#[inline]
fn plain_cyr(a: u8, b: u8) -> bool {
    let v = u16::from_be_bytes([a, b]);
    v.wrapping_sub(0xD090) < 0x30 || v.wrapping_sub(0xD180) < 0x10
}

/// Are the eight bytes of `w` (little-endian: lead bytes low) four plain
/// Cyrillic letters? Per 16-bit lane: the lead is D0 or D1, the second
/// byte is 80..BF, and `second - 0x90 (+ 0x40 after D1)` lands in 0..3F,
/// which is exactly D0 90..BF or D1 80..8F. No lane carries into the
/// next (at most 0xBF + 0x70 + 0x40).
#[inline]
fn four_plain_cyr(w: u64) -> bool {
    const LANE: u64 = 0x00FF_00FF_00FF_00FF;
    const ONE: u64 = 0x0001_0001_0001_0001;
    let leads = w & LANE;
    let seconds = (w >> 8) & LANE;
    let lead_ok = leads | ONE == ONE * 0xD1;
    let second_ok = seconds & (ONE * 0xC0) == ONE * 0x80;
    let moved = seconds + ONE * 0x70 + ((leads & ONE) << 6);
    lead_ok && second_ok && moved & (ONE * 0xC0) == 0
}

/// End of the plain Cyrillic letters at `p`, four at a time, then one by
/// one: prose is long runs of them, and `letter_len` per letter is the
/// walk's main cost.
fn plain_cyr_end(buf: &[u8], mut p: usize) -> usize {
    while p + 8 <= buf.len() {
        if !four_plain_cyr(super::swar::load(buf, p)) {
            break;
        }
        p += 8;
    }
    while let Some(&[a, b]) = buf.get(p..p + 2) {
        if !plain_cyr(a, b) {
            break;
        }
        p += 2;
    }
    p
}

/// Can `read_kw(buf, p)` find a keyword, given that `buf[p..e]` is a
/// run of letters? False only where `read_kw` returns `None` before its
/// look-up: too long, or not followed by a dot, a comma, a line end or a
/// space and then a capital or a digit. A `-` or `/` after the letters may
/// join more letters: then it answers true and `read_kw` decides.
fn kw_may_end(buf: &[u8], p: usize, e: usize) -> bool {
    match buf.get(e) {
        Some(b'-' | b'/') => true,
        _ if e == p || e - p > 22 => false,
        None | Some(b'.' | b',' | b';' | b'\n' | b'\r') => true,
        Some(b' ') => is_upper_at(buf, e + 1) || buf.get(e + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    }
}

/// The first position at or after `i` where the walk of `find` stops to
/// look: a Cyrillic lead byte (D0, D1) or a digit that could be an anchor
/// (one after a byte other than an ASCII letter or digit or `.-/:`);
/// eight bytes at a time. When fewer than eight bytes are left before
/// `limit`, it returns the first unchecked position.
///
/// Why `find` may jump there: every other byte is one the walk steps over
/// (punctuation, other non-ASCII bytes, one at a time) or skips as part of
/// a Latin word or a digit run, and neither kind of run can go on past a
/// stop: a D0/D1 byte is no ASCII letter or digit, and an anchor digit
/// follows a byte that is none. So the walk from any position before `i`
/// with no stop in between lands exactly on the stop; the unchecked tail
/// position is at worst inside a Latin word or digit run, which the walk
/// skips from there to the same end as from its start. Logs and JSON are
/// mostly such bytes.
#[inline]
fn next_stop(buf: &[u8], mut i: usize, limit: usize) -> usize {
    use super::swar::{HI, LO, ascii_in, eq, in_range7, load};
    if i == 0 {
        return i;
    }
    while i + 8 <= limit {
        let w = load(buf, i);
        // D0 or D1: bytes of `w` with bit 0 cleared equal to D0 (the
        // lowest flag is a true one).
        let cyr = eq(w & (LO * 0xFE), 0xD0);
        let digit = ascii_in(w, 0x30, 0x39);
        let stops = if digit == 0 {
            cyr
        } else {
            // Bytes before which a digit is no anchor: A-Z, a-z,
            // 0x2D..=0x3A. Only worth working out when there are digits.
            let prev = load(buf, i - 1);
            let p = prev & !HI;
            let keeps =
                (in_range7(p | (LO * 0x20), 0x61, 0x7A) | in_range7(p, 0x2D, 0x3A)) & !prev & HI;
            cyr | (digit & !keeps)
        };
        if stops != 0 {
            return i + (stops.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// End of the run of ASCII letters and digits at `i` (at most `limit`),
/// eight bytes at a time.
fn skip_ascii_alnum(buf: &[u8], mut i: usize, limit: usize) -> usize {
    use super::swar::{HI, ascii_alnum, load};
    while i + 8 <= limit {
        let stop = !ascii_alnum(load(buf, i)) & HI;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < limit && buf[i].is_ascii_alphanumeric() {
        i += 1;
    }
    i
}

fn ke_no_dot(buf: &[u8], e: usize) -> usize {
    if e > 0 && buf[e - 1] == b'.' {
        e - 1
    } else {
        e
    }
}

/// A street or place name: capitalised words, numbers (`8 Марта`, `1-я`),
/// hyphenated parts (`Ростов-на-Дону`) and a few lower-case joiners
/// (`лет`, `им.`). Ends before a comma or a keyword.
fn name(buf: &[u8], p: usize) -> Option<usize> {
    let mut e = p;
    let mut words = 0;
    let mut capital = false;
    let mut q = p;
    loop {
        // One word.
        let ws = q;
        let mut we = q;
        if words == 0 && buf.get(we).is_some_and(u8::is_ascii_digit) {
            we = digits_end(buf, we);
            if we - ws > 3 {
                break;
            }
            // 1-я, 2-й, 50-летия
            if buf.get(we) == Some(&b'-') && letter_len(buf, we + 1) == 2 {
                we += 1;
                while letter_len(buf, we) > 0 {
                    we += letter_len(buf, we);
                }
            } else if !matches!(buf.get(we), Some(b' ')) {
                break;
            }
        } else if is_upper_at(buf, we) {
            capital = true;
            loop {
                let l = letter_len(buf, we);
                if l > 0 {
                    we += l;
                } else if buf.get(we) == Some(&b'-') && letter_len(buf, we + 1) > 0 {
                    we += 1;
                } else {
                    break;
                }
            }
            // `Б. Никитская`: one capital and a dot.
            if we - ws <= 2 && buf.get(we) == Some(&b'.') {
                we += 1;
            }
        } else if letter_len(buf, we) == 2 {
            // Lower-case joiners inside a name (`50 лет Октября`), and a
            // lower-case first word before a capital (`наб. реки Мойки`).
            let mut x = we;
            while letter_len(buf, x) > 0 {
                x += letter_len(buf, x);
            }
            let w = &buf[we..x];
            let joiner = ["лет", "им", "имени", "на", "де", "ла"]
                .iter()
                .any(|j| j.as_bytes() == w);
            let lead = words == 0 && buf.get(x) == Some(&b' ') && is_upper_at(buf, x + 1);
            if !(joiner && words > 0 || lead) {
                break;
            }
            we = x + usize::from(buf.get(x) == Some(&b'.'));
        } else {
            break;
        }
        if we == ws || we - p > 80 {
            break;
        }
        // A keyword after a name belongs to the next component.
        if words > 0 && read_kw(buf, ws).is_some() {
            break;
        }
        words += 1;
        e = we;
        if words >= 4 {
            break;
        }
        // Next word after one space.
        if buf.get(e) == Some(&b' ') && e + 1 < buf.len() {
            q = e + 1;
        } else {
            break;
        }
    }
    (words > 0 && capital).then_some(e)
}

/// A house/flat number: digits, an optional glued letter (`16А`, not
/// `16 А`), `/2`, `-2`, `к2`.
fn house_number(buf: &[u8], p: usize) -> Option<usize> {
    if !buf.get(p).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut e = digits_end(buf, p);
    if e - p > 5 {
        return None;
    }
    // Suffix letter glued: 16А, 16a.
    let l = letter_len(buf, e);
    if l > 0 && letter_len(buf, e + l) == 0 {
        e += l;
    }
    if matches!(buf.get(e), Some(b'/' | b'-')) && buf.get(e + 1).is_some_and(u8::is_ascii_digit) {
        let f = digits_end(buf, e + 1);
        if f - e <= 5 {
            e = f;
            let l = letter_len(buf, e);
            if l > 0 && letter_len(buf, e + l) == 0 {
                e += l;
            }
        }
    }
    if glued(buf, e) {
        return None;
    }
    Some(e)
}

/// Glued to more digits, letters or a decimal point.
fn glued(buf: &[u8], e: usize) -> bool {
    match buf.get(e) {
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => true,
        Some(b'.' | b':' | b'-' | b'/') => buf.get(e + 1).is_some_and(u8::is_ascii_digit),
        _ => letter_len(buf, e) > 0,
    }
}

fn skip_spaces(buf: &[u8], mut p: usize, max: usize) -> usize {
    let mut n = 0;
    while n < max && matches!(buf.get(p), Some(b' ')) {
        p += 1;
        n += 1;
    }
    p
}

/// The end of the run of letters and digits at `i` (at least `i + 1`),
/// read from `e` on: `buf[i..e]` is known to be letters or digits. Steps
/// over a whole class at a time (plain Cyrillic letters, digits,
/// ASCII letters and digits); each step covers bytes the one-letter-or-
/// one-digit loop would take one by one, and stops where it would.
#[inline(always)]
fn skip_token_from(buf: &[u8], i: usize, e: usize) -> usize {
    if !buf
        .get(e)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == 0xD0 || c == 0xD1)
    {
        return e.max(i + 1);
    }
    skip_token_more(buf, i, e)
}

/// `skip_token_from` past its first check.
#[inline(always)]
fn skip_token_more(buf: &[u8], i: usize, mut e: usize) -> usize {
    loop {
        match buf.get(e) {
            Some(0xD0 | 0xD1) => {
                let q = plain_cyr_end(buf, e);
                if q > e {
                    e = q;
                    continue;
                }
                let l = letter_len(buf, e);
                if l == 0 {
                    break;
                }
                e += l;
            }
            Some(c) if c.is_ascii_alphanumeric() => e = skip_ascii_alnum(buf, e, buf.len()),
            _ => break,
        }
    }
    e.max(i + 1)
}

/// Lower-case letters and digits, other runs as one space.
fn norm(buf: &[u8], s: usize, e: usize) -> Vec<u8> {
    let mut lower = Vec::new();
    lower_into(&buf[s..e], &mut lower);
    let mut out = Vec::with_capacity(lower.len());
    let mut i = 0;
    let mut gap = false;
    while i < lower.len() {
        if letter_len(&lower, i) == 0 && !lower[i].is_ascii_digit() {
            gap = true;
            i += 1;
            continue;
        }
        // A run of letters and digits, copied at once.
        let end = skip_token_from(&lower, i, i);
        if gap && !out.is_empty() {
            out.push(b' ');
        }
        gap = false;
        out.extend_from_slice(&lower[i..end]);
        i = end;
    }
    out
}

// ----------------------------------------------------------------- US

/// USPS street suffixes (common ones), lower case, no dot.
const US_STREET_TYPES: &[&str] = &[
    "st",
    "street",
    "ave",
    "av",
    "avenue",
    "blvd",
    "boulevard",
    "rd",
    "road",
    "dr",
    "drive",
    "ln",
    "lane",
    "way",
    "pkwy",
    "parkway",
    "ct",
    "court",
    "pl",
    "place",
    "ter",
    "terrace",
    "cir",
    "circle",
    "hwy",
    "highway",
    "sq",
    "square",
    "trl",
    "trail",
    "pike",
    "plz",
    "plaza",
    "aly",
    "alley",
    "loop",
    "row",
    "run",
    "path",
    "walk",
    "expy",
    "expressway",
    "fwy",
    "freeway",
    "crk",
    "xing",
    "cres",
    "crescent",
    "bnd",
    "bend",
    "pt",
    "point",
];
const US_DIRECTIONS: &[&str] = &[
    "n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west",
];
const US_UNITS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "fl",
    "floor",
    "rm",
    "room",
    "bldg",
];
const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI",
];

/// Where the run of ASCII letters at `p` ends.
fn ascii_word(buf: &[u8], p: usize) -> usize {
    let mut e = p;
    while buf.get(e).is_some_and(u8::is_ascii_alphabetic) {
        e += 1;
    }
    e
}

fn ascii_in(buf: &[u8], s: usize, e: usize, list: &[&str]) -> bool {
    let w = &buf[s..e];
    list.iter().any(|x| x.as_bytes().eq_ignore_ascii_case(w))
}

/// A US street address starting with the house number at `p`.
fn us_at(buf: &[u8], p: usize) -> Option<AddressHit> {
    let ne = digits_end(buf, p);
    if ne - p > 6 || buf.get(ne) != Some(&b' ') {
        return None;
    }
    let mut q = ne + 1;
    let mut words = 0;
    let mut street_end = None;
    // Street name words (Title case or ordinals) then a type word.
    while words < 5 {
        let ws = q;
        let we = if buf.get(q).is_some_and(u8::is_ascii_digit) {
            // 5th, 42nd, 1st, 3rd
            let d = digits_end(buf, q);
            let w = ascii_word(buf, d);
            let suf = &buf[d..w];
            if !(suf.eq_ignore_ascii_case(b"st")
                || suf.eq_ignore_ascii_case(b"nd")
                || suf.eq_ignore_ascii_case(b"rd")
                || suf.eq_ignore_ascii_case(b"th"))
            {
                return None;
            }
            w
        } else if buf.get(q).is_some_and(u8::is_ascii_uppercase) {
            ascii_word(buf, q)
        } else {
            break;
        };
        if we - ws < 1 {
            break;
        }
        words += 1;
        if words >= 2 && ascii_in(buf, ws, we, US_STREET_TYPES) {
            let mut e = we;
            if buf.get(e) == Some(&b'.') {
                e += 1;
            }
            street_end = Some(e);
            // Directional suffix: `Main St NW`.
            if buf.get(e) == Some(&b' ') {
                let d = ascii_word(buf, e + 1);
                if d > e + 1
                    && ascii_in(buf, e + 1, d, US_DIRECTIONS)
                    && buf.get(d).is_none_or(|c| !c.is_ascii_alphanumeric())
                {
                    street_end = Some(d);
                }
            }
            break;
        }
        if buf.get(we) != Some(&b' ') {
            break;
        }
        q = we + 1;
    }
    let mut end = street_end?;
    let mut strength = Strength::Weak;
    // Unit: `, Apt 4B`, ` Suite 200`, ` #12`.
    let mut r = end;
    if buf.get(r) == Some(&b',') {
        r += 1;
    }
    r = skip_spaces(buf, r, 1);
    if buf.get(r) == Some(&b'#') {
        let e = house_number(buf, skip_spaces(buf, r + 1, 1));
        if let Some(e) = e {
            end = e;
        }
    } else {
        let w = ascii_word(buf, r);
        if w > r && ascii_in(buf, r, w, US_UNITS) {
            let mut x = w;
            if buf.get(x) == Some(&b'.') {
                x += 1;
            }
            x = skip_spaces(buf, x, 1);
            if buf.get(x) == Some(&b'#') {
                x += 1;
            }
            let ue = alnum_end(buf, x);
            if ue > x && ue - x <= 6 {
                end = ue;
            }
        }
    }
    // City, State ZIP: `, Mountain View, CA 94043`.
    let mut r = end;
    if buf.get(r) == Some(&b',') {
        r = skip_spaces(buf, r + 1, 1);
        let mut c = r;
        let mut city_words = 0;
        while city_words < 4 && buf.get(c).is_some_and(u8::is_ascii_uppercase) {
            let w = ascii_word(buf, c);
            city_words += 1;
            c = w;
            if buf.get(c) == Some(&b' ') && buf.get(c + 1).is_some_and(u8::is_ascii_uppercase) {
                // Stop before the state code.
                let w2 = ascii_word(buf, c + 1);
                if w2 - (c + 1) == 2 && ascii_upper2(buf, c + 1) {
                    break;
                }
                c += 1;
            } else {
                break;
            }
        }
        if city_words > 0 {
            let mut s = c;
            if buf.get(s) == Some(&b',') {
                s += 1;
            }
            s = skip_spaces(buf, s, 1);
            let se = ascii_word(buf, s);
            if se - s == 2 && ascii_upper2(buf, s) && ascii_in(buf, s, se, US_STATES) {
                let z = skip_spaces(buf, se, 1);
                let ze = digits_end(buf, z);
                if z > se && ze - z == 5 {
                    let mut zend = ze;
                    if buf.get(ze) == Some(&b'-') && digits_end(buf, ze + 1) - (ze + 1) == 4 {
                        zend = ze + 5;
                    }
                    if !glued(buf, zend) {
                        end = zend;
                        strength = Strength::Full;
                    }
                } else if buf.get(se).is_none_or(|c| !c.is_ascii_alphanumeric()) {
                    end = se;
                    strength = Strength::Full;
                }
            }
        }
    }
    Some(AddressHit {
        start: p,
        end,
        lang: Lang::En,
        signals: Signals::DICTIONARY.union(Signals::FORMATTED),
        norm: norm(buf, p, end).into(),
        strength,
    })
}

fn ascii_upper2(buf: &[u8], s: usize) -> bool {
    buf.get(s).is_some_and(u8::is_ascii_uppercase)
        && buf.get(s + 1).is_some_and(u8::is_ascii_uppercase)
}

fn alnum_end(buf: &[u8], mut p: usize) -> usize {
    while buf
        .get(p)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        p += 1;
    }
    p
}

#[cfg(test)]
mod tests;
