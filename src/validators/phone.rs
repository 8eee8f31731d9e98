//! Phone numbers as written in text, normalised to E.164: the Russian
//! numbering plan (+7, shared with Kazakhstan) by our own rules from
//! ru-pii.md §A.7, every other country code by `rlibphonenumber`'s
//! *valid-number* check.
//!
//! Why not libphonenumber for Russia too: Russian text mixes the trunk
//! prefix `8`, the bare country code `7`, the international prefix `810`
//! and the foreign habit `00`, and the range table is small and stable, so
//! owning it keeps the common path allocation-free and predictable. The
//! range table is pinned against libphonenumber's metadata by a test.
//!
//! Not `phonenumber` (whisperfish): its bug #76 corrupts `8 800 …` and
//! `8 (8452) …`.
//!
//! Decisions worth knowing:
//! - A bare 10-digit run is a phone only when it starts with 3, 4, 8 or 9
//!   (a Russian NSN). A bare `7…` run is not taken as a Kazakh number: it
//!   collides with INN-10s such as Sberbank's `7707083893`, and a Kazakh
//!   number in Russian text nearly always carries `+7`/`8`/`7` in front.
//! - `00` + international number is accepted although Russia's
//!   international prefix is `810` and libphonenumber refuses `007…`
//!   from RU: people copy the European form, and the digits are
//!   unambiguous.
//! - `7xx` NSNs are Kazakhstan (region "KZ") and checked with
//!   libphonenumber's KZ metadata, which is finer than a prefix list.

use super::all_digits;
use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, PhoneNumberType};

/// What kind of line a number belongs to, as far as the numbering plan
/// tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneType {
    Mobile,
    /// Geographic numbers; also libphonenumber's "fixed line or mobile"
    /// (NANP and others where the plan cannot tell them apart), since
    /// those are still subscriber lines.
    FixedLine,
    TollFree,
    Premium,
    /// VoIP, personal numbers, shared cost, UAN, pagers, unknown.
    Other,
}

/// A validated number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+` and 8–15 digits.
    pub e164: String,
    /// "RU", "KZ", the ISO 3166 region of an international number, or
    /// "001" for non-geographic codes such as +800.
    pub region: &'static str,
    pub phone_type: PhoneType,
}

/// Geographic ABC codes (3xx, 4xx, 8xx) of the Russian plan: the fixed-line
/// pattern of libphonenumber metadata v9.0.43 at three-digit granularity
/// (ru-pii.md §A.7). Sorted for binary search.
const RU_FIXED_ABC: [u16; 96] = [
    301, 302, 336, 341, 342, 343, 345, 346, 347, 349, 351, 352, 353, 365, 381, 382, 383, 384, 385,
    388, 390, 391, 394, 395, 401, 411, 413, 415, 416, 421, 423, 424, 426, 427, 471, 472, 473, 474,
    475, 481, 482, 483, 484, 485, 486, 487, 491, 492, 493, 494, 495, 496, 498, 499, 811, 812, 813,
    814, 815, 816, 817, 818, 820, 821, 831, 833, 834, 835, 836, 840, 841, 842, 843, 844, 845, 846,
    847, 848, 851, 855, 856, 857, 860, 861, 862, 863, 865, 866, 867, 869, 871, 872, 873, 877, 878,
    879,
];

/// Most digits we look at: E.164's 15 plus an `810`/`00` prefix, with
/// room to spare; longer runs are not phone numbers.
const MAX_DIGITS: usize = 20;

/// Type of a 10-digit national significant number under +7, or `None`
/// when it is outside every allocated range.
///
/// Russia: `9xx` mobile, `800`/`804` toll-free, `803`/`809` premium, the
/// 96 geographic ABC codes of ru-pii.md §A.7 fixed-line. `7xx` belongs to
/// Kazakhstan and is answered from libphonenumber's KZ metadata (so it
/// allocates; the Russian ranges do not). Everything else (`0xx`, `1xx`, `2xx`, `5xx`,
/// `6xx`, unlisted ABC codes, `808` personal numbers) is `None`.
pub fn ru_nsn_type(nsn10: &[u8]) -> Option<PhoneType> {
    if nsn10.len() != 10 || !all_digits(nsn10) {
        return None;
    }
    let abc = nsn10[..3]
        .iter()
        .fold(0u16, |a, &b| a * 10 + u16::from(b - b'0'));
    match abc {
        900..=999 => Some(PhoneType::Mobile),
        800 | 804 => Some(PhoneType::TollFree),
        803 | 809 => Some(PhoneType::Premium),
        700..=799 => kz_number(nsn10).map(|p| p.phone_type),
        _ if RU_FIXED_ABC.binary_search(&abc).is_ok() => Some(PhoneType::FixedLine),
        _ => None,
    }
}

/// Digits of a number with its leading `+`, on the stack.
struct Digits {
    buf: [u8; MAX_DIGITS + 1],
    len: usize,
}

impl Digits {
    fn new() -> Self {
        Digits {
            buf: [0; MAX_DIGITS + 1],
            len: 0,
        }
    }

    fn push(&mut self, b: u8) -> Option<()> {
        *self.buf.get_mut(self.len)? = b;
        self.len += 1;
        Some(())
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Formats `+` ‖ `digits` into `out` and returns it as text.
fn plus_text<'a>(digits: &[u8], out: &'a mut [u8; MAX_DIGITS + 1]) -> Option<&'a str> {
    let n = digits.len() + 1;
    let dst = out.get_mut(..n)?;
    dst[0] = b'+';
    dst[1..].copy_from_slice(digits);
    std::str::from_utf8(dst).ok()
}

fn map_type(t: PhoneNumberType) -> PhoneType {
    match t {
        PhoneNumberType::Mobile => PhoneType::Mobile,
        PhoneNumberType::FixedLine | PhoneNumberType::FixedLineOrMobile => PhoneType::FixedLine,
        PhoneNumberType::TollFree => PhoneType::TollFree,
        PhoneNumberType::PremiumRate => PhoneType::Premium,
        _ => PhoneType::Other,
    }
}

/// Every "AA".."ZZ" pair, so a region code from libphonenumber can be
/// handed out as `&'static str` without leaking or allocating.
static REGION_PAIRS: [u8; 26 * 26 * 2] = {
    let mut a = [0u8; 26 * 26 * 2];
    let mut i = 0;
    while i < 26 * 26 {
        a[2 * i] = b'A' + (i / 26) as u8;
        a[2 * i + 1] = b'A' + (i % 26) as u8;
        i += 1;
    }
    a
};

fn static_region(code: &str) -> &'static str {
    if let &[a @ b'A'..=b'Z', b @ b'A'..=b'Z'] = code.as_bytes() {
        let i = (usize::from(a - b'A') * 26 + usize::from(b - b'A')) * 2;
        if let Some(Ok(s)) = REGION_PAIRS.get(i..i + 2).map(std::str::from_utf8) {
            return s;
        }
    }
    "001"
}

/// Slots of [`libphonenumber_valid`]'s per-thread cache (a power of two).
const VALID_CACHE_BITS: u32 = 12;

/// A cached answer of [`libphonenumber_valid_uncached`] in 24 bytes:
/// E.164 digits packed as value and count (up to 19 digits; `len` 0 is
/// "not a valid number"), the region as an index into [`REGION_PAIRS`]
/// (676 for "001") and the line type.
#[derive(Clone, Copy, Default)]
struct Packed {
    key: u64,
    digits: u64,
    len: u8,
    region: u16,
    phone_type: u8,
}

const PHONE_TYPES: [PhoneType; 5] = [
    PhoneType::Mobile,
    PhoneType::FixedLine,
    PhoneType::TollFree,
    PhoneType::Premium,
    PhoneType::Other,
];

impl Packed {
    /// `None` when the answer does not pack (an E.164 form over 19
    /// digits, a region outside the table): then it is not cached.
    fn pack(key: u64, answer: &Option<Phone>) -> Option<Packed> {
        let Some(p) = answer else {
            return Some(Packed {
                key,
                ..Packed::default()
            });
        };
        let d = p.e164.strip_prefix('+')?.as_bytes();
        if d.is_empty() || d.len() > 19 || !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let region = match p.region.as_bytes() {
            b"001" => 676,
            &[a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => u16::from(a - b'A') * 26 + u16::from(b - b'A'),
            _ => return None,
        };
        Some(Packed {
            key,
            digits: d.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0')),
            len: d.len() as u8,
            region,
            phone_type: PHONE_TYPES.iter().position(|&t| t == p.phone_type)? as u8,
        })
    }

    fn unpack(&self) -> Option<Phone> {
        if self.len == 0 {
            return None;
        }
        let mut buf = [b'0'; 20];
        let n = usize::from(self.len);
        let mut v = self.digits;
        for b in buf[1..=n].iter_mut().rev() {
            *b = b'0' + (v % 10) as u8;
            v /= 10;
        }
        buf[0] = b'+';
        let region = if self.region == 676 {
            "001"
        } else {
            let i = usize::from(self.region) * 2;
            std::str::from_utf8(&REGION_PAIRS[i..i + 2]).ok()?
        };
        Some(Phone {
            e164: std::str::from_utf8(&buf[..=n]).ok()?.to_owned(),
            region,
            phone_type: PHONE_TYPES[usize::from(self.phone_type)],
        })
    }
}

/// Validates `+digits` with libphonenumber (valid, not merely possible),
/// through a small per-thread cache of recent answers.
///
/// Why: one answer costs ~14,000 instructions (metadata look-ups and
/// ~17 pattern matches), and numbers recur — the counterparts of a call
/// log, a customer's number on each of their orders: on the 54 MB bench
/// corpus 954 distinct international numbers are found 3,973 times. The
/// answer depends on the digits alone, so a cached one is the answer;
/// direct-mapped slots bound the memory. 4,096 packed slots (96 KiB a
/// thread) instead of 1,024 slots of `Option<Phone>` (56 KiB): misses
/// went from 1,803 of 4,031 look-ups to 1,590 (most misses are distinct
/// invalid digit runs, which no cache size helps).
fn libphonenumber_valid(digits: &[u8]) -> Option<Phone> {
    thread_local! {
        static CACHE: std::cell::RefCell<Vec<Packed>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Up to 17 ASCII digits pack exactly with their count (leading zeros
    // kept apart): value × 32 + count, never 0 for a non-empty string.
    if digits.is_empty() || digits.len() > 17 || !digits.iter().all(u8::is_ascii_digit) {
        return libphonenumber_valid_uncached(digits);
    }
    let value = digits
        .iter()
        .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
    let key = value * 32 + digits.len() as u64;
    let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - VALID_CACHE_BITS)) as usize;
    let hit = CACHE.with_borrow(|cache| cache.get(slot).filter(|e| e.key == key).copied());
    if let Some(e) = hit {
        return e.unpack();
    }
    let answer = libphonenumber_valid_uncached(digits);
    if let Some(e) = Packed::pack(key, &answer) {
        CACHE.with_borrow_mut(|cache| {
            if cache.is_empty() {
                cache.resize(1 << VALID_CACHE_BITS, Packed::default());
            }
            cache[slot] = e;
        });
    }
    answer
}

fn libphonenumber_valid_uncached(digits: &[u8]) -> Option<Phone> {
    let mut buf = [0u8; MAX_DIGITS + 1];
    let text = plus_text(digits, &mut buf)?;
    let n = match fast::parse_plus(&text[1..]) {
        Ok(n) => n?,
        Err(()) => PhoneNumber::parse(text, None).ok()?,
    };
    let (region, phone_type) = match fast::classify(&n) {
        Ok(found) => found?,
        // A pattern that only compiles with Unicode classes: ask
        // libphonenumber itself.
        Err(()) => {
            if !n.is_valid() {
                return None;
            }
            (n.get_region_code()?, n.get_type())
        }
    };
    Some(Phone {
        e164: n.format_as(PhoneNumberFormat::E164).into_owned(),
        region: static_region(region.as_region_str().as_str()),
        phone_type: map_type(phone_type),
    })
}

/// A Kazakh number under +7 (NSN starting with 7).
fn kz_number(nsn10: &[u8]) -> Option<Phone> {
    let mut d = [b'7'; 11];
    d[1..].copy_from_slice(nsn10.get(..10)?);
    libphonenumber_valid(&d).filter(|p| p.region == "KZ")
}

/// +7 with a 10-digit NSN: Russia by the range table, 7xx Kazakhstan.
fn plus7(nsn10: &[u8]) -> Option<Phone> {
    if nsn10.len() != 10 {
        return None;
    }
    if nsn10[0] == b'7' {
        return kz_number(nsn10);
    }
    let phone_type = ru_nsn_type(nsn10)?;
    // One copy and one 12-byte check instead of a push per char.
    let mut e164 = Vec::with_capacity(12);
    e164.extend_from_slice(b"+7");
    e164.extend_from_slice(nsn10);
    Some(Phone {
        e164: String::from_utf8(e164).ok()?,
        region: "RU",
        phone_type,
    })
}

/// Digits after an international prefix (`+`, `810`, `00`).
fn international(d: &[u8]) -> Option<Phone> {
    match d.first()? {
        b'7' => plus7(d.get(1..).filter(|n| n.len() == 10)?),
        // Country codes never start with 0; E.164 allows 15 digits at most
        // and no country has a plan shorter than 7 digits with its code.
        b'1'..=b'9' if (7..=15).contains(&d.len()) => libphonenumber_valid(d),
        _ => None,
    }
}

/// Case-insensitive `ends_with` over chars, returning where the match
/// starts; no allocation.
fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let n = suffix.chars().count();
    let start = s.char_indices().rev().nth(n.checked_sub(1)?)?.0;
    let tail = &s[start..];
    tail.chars()
        .flat_map(char::to_lowercase)
        .eq(suffix.chars().flat_map(char::to_lowercase))
        .then(|| &s[..start])
}

/// Extension markers, longest first so `доб.` wins over `доб`.
const EXTENSION_MARKERS: &[&str] = &["добавочный", "доб.", "доб", "ext.", "ext", "x"];

/// Cuts a trailing extension (`доб. 123`, `ext 12`, `x12`), if any.
fn cut_extension(s: &str) -> &str {
    let t = s.trim_end();
    let before_digits = t.trim_end_matches(|c: char| c.is_ascii_digit());
    if before_digits.len() == t.len() {
        return t;
    }
    let before = before_digits.trim_end();
    // Nearly every number ends in digits after a separator or a digit:
    // a marker can only end where `before` ends with its last letter, in
    // any case, which one char test settles before the six marker
    // comparisons (~800 instructions per phone candidate).
    let marker_end = |c: char| {
        c.to_lowercase()
            .last()
            .is_some_and(|l| EXTENSION_MARKERS.iter().any(|m| m.ends_with(l)))
    };
    if !before.chars().next_back().is_some_and(marker_end) {
        return t;
    }
    EXTENSION_MARKERS
        .iter()
        .find_map(|m| strip_suffix_ci(before, m))
        .map_or(t, str::trim_end)
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '-' | '\u{2013}' | '.' | '(' | ')'
    )
}

/// Collects the digits; `+` may appear once, before any digit. Returns
/// `None` on any other character.
fn scan(s: &str) -> Option<(bool, Digits)> {
    let mut plus = false;
    let mut d = Digits::new();
    for c in s.chars() {
        match c {
            '0'..='9' => d.push(c as u8)?,
            '+' if !plus && d.len == 0 => plus = true,
            c if is_separator(c) => {}
            _ => return None,
        }
    }
    (d.len > 0).then_some((plus, d))
}

/// Normalises a phone number as written in text (`+7 (916) 123-45-67`,
/// `8 (8452) 12-34-56`, `+44 20 7183 8750`, `810 44 …`, with an optional
/// trailing extension) to E.164 with region and line type, or `None` when
/// it is not a valid number.
///
/// Input must be UTF-8 (NBSP as C2 A0). Rules, in order, on the digits
/// after cutting the extension:
/// 1. leading `+`: `+7` needs exactly 10 more digits (Russian ranges or
///    Kazakh via libphonenumber); other country codes go to
///    libphonenumber's valid-number check;
/// 2. more than 11 digits starting `810` (Russian international prefix):
///    as if `+` followed the `810`;
/// 3. starting `00`: as if `+` followed the `00`;
/// 4. 11 digits starting `8` (trunk prefix) or `7` (country code without
///    `+`): +7 and the last 10;
/// 5. 10 digits starting 3, 4, 8 or 9: a bare Russian NSN;
/// 6. anything else is rejected.
pub fn normalize_phone(raw: &[u8]) -> Option<Phone> {
    // Generous bound so a huge candidate costs nothing.
    if raw.len() > 80 {
        return None;
    }
    let (plus, digits) = match scan_ascii(cut_extension_ascii(trim_ascii(raw))) {
        Scanned::Digits(plus, digits) => (plus, digits),
        Scanned::Rejected if raw.is_ascii() => return None,
        Scanned::Rejected | Scanned::NonAscii => {
            let s = std::str::from_utf8(raw).ok()?.trim();
            scan(cut_extension(s))?
        }
    };
    from_digits(plus, digits.as_slice())
}

/// The numbering-plan rules of [`normalize_phone`] on the collected
/// digits.
fn from_digits(plus: bool, d: &[u8]) -> Option<Phone> {
    if plus {
        return international(d);
    }
    if d.len() > 11 && d.starts_with(b"810") {
        return international(&d[3..]);
    }
    if d.starts_with(b"00") {
        return international(&d[2..]);
    }
    match (d.len(), *d.first()?) {
        (11, b'7' | b'8') => plus7(&d[1..]),
        (10, b'3' | b'4' | b'8' | b'9') => plus7(d),
        _ => None,
    }
}

/// What [`scan_ascii`] made of a candidate.
enum Scanned {
    Digits(bool, Digits),
    /// Rejected before any non-ASCII byte: the answer if the whole
    /// candidate is ASCII.
    Rejected,
    /// A non-ASCII byte: only the UTF-8 path can tell.
    NonAscii,
}

/// `char::is_whitespace` for ASCII bytes (White_Space: TAB, LF, VT, FF,
/// CR, space).
fn ascii_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ')
}

fn trim_ascii_end(s: &[u8]) -> &[u8] {
    let n = s.iter().rposition(|&b| !ascii_ws(b)).map_or(0, |i| i + 1);
    &s[..n]
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    let s = trim_ascii_end(s);
    &s[s.iter().position(|&b| !ascii_ws(b)).unwrap_or(s.len())..]
}

/// [`cut_extension`] on bytes, for a candidate that is ASCII: only the
/// ASCII markers can match, and they match case-insensitively exactly
/// when `strip_suffix_ci` matches them. Whatever it cuts (a marker,
/// whitespace, digits) is ASCII, so a candidate whose kept part
/// [`scan_ascii`] finds ASCII is ASCII throughout.
fn cut_extension_ascii(t: &[u8]) -> &[u8] {
    let digits = t.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return t;
    }
    let before = trim_ascii_end(&t[..t.len() - digits]);
    if !before
        .last()
        .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'.' | b't' | b'x'))
    {
        return t;
    }
    for m in [&b"ext."[..], b"ext", b"x"] {
        if let Some(start) = before.len().checked_sub(m.len())
            && before[start..].eq_ignore_ascii_case(m)
        {
            return trim_ascii_end(&before[..start]);
        }
    }
    t
}

/// [`scan`] on bytes, stopping at the first non-ASCII byte.
///
/// Why: nearly every phone candidate is ASCII, and the UTF-8 path
/// (`from_utf8`, Unicode trims, a char loop) cost ~530 instructions a
/// candidate besides the numbering-plan checks, 18 M over 34,020
/// candidates on the 54 MB bench corpus. `ascii_path_agrees_with_utf8_path`
/// compares the two.
fn scan_ascii(s: &[u8]) -> Scanned {
    let mut plus = false;
    let mut d = Digits::new();
    for &b in s {
        match b {
            b'0'..=b'9' => {
                if d.push(b).is_none() {
                    return Scanned::Rejected;
                }
            }
            b'+' if !plus && d.len == 0 => plus = true,
            b' ' | b'\t' | b'-' | b'.' | b'(' | b')' => {}
            0x80.. => return Scanned::NonAscii,
            _ => return Scanned::Rejected,
        }
    }
    if d.len > 0 {
        Scanned::Digits(plus, d)
    } else {
        Scanned::Rejected
    }
}

/// Builds libphonenumber's tables on a background thread now, so the
/// first international number a scan worker meets does not stop for it.
///
/// Why: `rlibphonenumber::PHONE_NUMBER_UTIL` is built on first use, ~8 M
/// instructions once a process (decoding its metadata; its own regexes
/// are `regex-lite`'s, cheap to compile, see Cargo.toml), which would land
/// inside one worker's scan of one file. The work is the
/// same wherever it runs (callgrind counts every thread); this takes it
/// off the worker's path on a machine with a spare core. A worker that
/// needs the tables before the thread is done waits for it (a
/// `LazyLock`), never builds them twice. Call once at start-up when the
/// phone kind is selected; if the thread cannot be spawned, the first
/// use builds them as before.
pub fn warm_up_in_background() {
    let _ = std::thread::Builder::new()
        .name("phone-tables".into())
        .spawn(|| {
            std::sync::LazyLock::force(&rlibphonenumber::PHONE_NUMBER_UTIL);
        });
}

/// Rule-file validator: [`normalize_phone`] succeeds.
pub fn phone_valid(raw: &[u8]) -> bool {
    normalize_phone(raw).is_some()
}

/// libphonenumber's parse of `+digits`, validity check, region and line
/// type, with the metadata's patterns compiled here.
///
/// Why: `rlibphonenumber` compiles each pattern with the `regex` crate's
/// Unicode defaults the first time a region is met, and `\d` as every
/// Unicode digit plus the meta engine's set-up cost 10–30 M instructions
/// per region: 230 M on a 54 MB corpus with a few dozen countries in it,
/// more than all the validations after it (callgrind). The numbers checked
/// here are ASCII digits only, so the same patterns compiled without
/// Unicode classes match exactly the same strings, at a fraction of the
/// build cost. The decision logic is libphonenumber's (`parse_helper`'s
/// country code and national-prefix steps, `get_region_for_number`,
/// `is_valid_number_for_region`, `get_number_type_helper`,
/// `is_number_matching_desc`), step for step; a test compares the two on
/// every region's example numbers, with and without trunk prefixes, and
/// on random digits for every calling code. libphonenumber itself is
/// still built (its `extract_country_code` and metadata maps), ~8 M
/// instructions once.
mod fast {
    use regex_automata::meta::Regex;
    use regex_automata::util::syntax;
    use rlibphonenumber::interfaces::AsOriginal;
    use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumber, PhoneNumberType, Region};
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    /// Compiled patterns by the address of their text in libphonenumber's
    /// (static, never freed) metadata. `None`: it did not compile here.
    type Cache = HashMap<(usize, bool), Option<std::sync::Arc<Regex>>>;

    fn cache() -> &'static Mutex<Cache> {
        static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
        CACHE.get_or_init(Default::default)
    }

    /// A pattern as libphonenumber stores it (`^(?:…)$`), compiled once:
    /// whole (`full`) or, like its `anchor_start`, without the `$`. Like
    /// its `RegexTriplets`, one shorter than `^(?:)$` is the empty pattern.
    /// `Err(())`: the pattern does not compile without Unicode.
    fn regex(base: &'static str, full: bool) -> Result<std::sync::Arc<Regex>, ()> {
        let key = (base.as_ptr() as usize, full);
        let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
        c.entry(key)
            .or_insert_with(|| {
                let pat = match (base.len() >= 6, full) {
                    (false, _) => "",
                    (true, true) => base,
                    (true, false) => &base[..base.len() - 1],
                };
                Regex::builder()
                    .syntax(syntax::Config::new().unicode(false))
                    .build(pat)
                    .ok()
                    .map(std::sync::Arc::new)
            })
            .clone()
            .ok_or(())
    }

    /// The per-thread pattern map, keyed by the pattern's address: with
    /// std's SipHash and the shared map's lock a look-up cost ~290
    /// instructions, 8.7 M over ~30,000 look-ups on the 54 MB bench corpus;
    /// FxHash (`rustc-hash`) on a local map is a few.
    type LocalCache = rustc_hash::FxHashMap<(usize, bool), Option<std::sync::Arc<Regex>>>;

    /// Runs `f` on [`regex`]`(base, full)` through a per-thread map of the
    /// shared cache's entries: no lock, no reference count, no SipHash
    /// once a thread has met the pattern.
    fn with_regex<R>(base: &'static str, full: bool, f: impl FnOnce(&Regex) -> R) -> Result<R, ()> {
        thread_local! {
            static LOCAL: std::cell::RefCell<LocalCache> = std::cell::RefCell::default();
        }
        let key = (base.as_ptr() as usize, full);
        LOCAL.with_borrow_mut(|m| {
            let re = match m.get(&key) {
                Some(re) => re,
                None => m.entry(key).or_insert(regex(base, full).ok()),
            };
            re.as_deref().map(f).ok_or(())
        })
    }

    fn matches(base: &'static str, full: bool, text: &str) -> Result<bool, ()> {
        with_regex(base, full, |re| re.is_match(text))
    }

    /// `is_number_matching_desc`: a possible length, then the full pattern.
    fn matching_desc(
        nsn: &str,
        desc_base: Option<&'static str>,
        lengths: &[i32],
    ) -> Result<bool, ()> {
        if !lengths.is_empty() && !lengths.contains(&(nsn.len() as i32)) {
            return Ok(false);
        }
        match desc_base {
            Some(base) => matches(base, true, nsn),
            None => Ok(false),
        }
    }

    /// Region (None: none fits) and type of a parsed number; `Err(())`
    /// when a pattern needed did not compile here.
    pub fn classify(n: &PhoneNumber) -> Result<Option<(Region, PhoneNumberType)>, ()> {
        // The metadata accessors live on the inner util only.
        let util = PHONE_NUMBER_UTIL.as_original();
        let nsn = rlibphonenumber::get_national_significant_number_owned(n);
        let cc = n.country_code;
        macro_rules! desc {
            ($md:expr, $f:ident) => {
                matching_desc(
                    &nsn,
                    $md.$f.national_number_pattern().pattern_base.as_deref(),
                    &$md.$f.original.possible_length,
                )?
            };
        }
        // get_number_type_helper
        macro_rules! number_type {
            ($md:expr) => {{
                let md = $md;
                if !desc!(md, general_desc) {
                    PhoneNumberType::Unknown
                } else if desc!(md, premium_rate) {
                    PhoneNumberType::PremiumRate
                } else if desc!(md, toll_free) {
                    PhoneNumberType::TollFree
                } else if desc!(md, shared_cost) {
                    PhoneNumberType::SharedCost
                } else if desc!(md, voip) {
                    PhoneNumberType::VoIP
                } else if desc!(md, personal_number) {
                    PhoneNumberType::PersonalNumber
                } else if desc!(md, pager) {
                    PhoneNumberType::Pager
                } else if desc!(md, uan) {
                    PhoneNumberType::UAN
                } else if desc!(md, voicemail) {
                    PhoneNumberType::VoiceMail
                } else if desc!(md, fixed_line) {
                    if md.original.same_mobile_and_fixed_line_pattern() || desc!(md, mobile) {
                        PhoneNumberType::FixedLineOrMobile
                    } else {
                        PhoneNumberType::FixedLine
                    }
                } else if !md.original.same_mobile_and_fixed_line_pattern() && desc!(md, mobile) {
                    PhoneNumberType::Mobile
                } else {
                    PhoneNumberType::Unknown
                }
            }};
        }
        // get_region_for_number
        let Some(mut regions) = util.get_regions_for_country_calling_code(cc) else {
            return Ok(None);
        };
        let region = if regions.len() > 1 {
            let mut found = None;
            for region in regions {
                let Some(md) = util.get_metadata_for_region(region) else {
                    return Ok(None);
                };
                let leading = match md.leading_digits().pattern_base.as_deref() {
                    Some(base) => matches(base, false, &nsn)?,
                    None => false,
                };
                if leading || number_type!(md) != PhoneNumberType::Unknown {
                    found = Some(region);
                    break;
                }
            }
            found
        } else {
            regions.next()
        };
        let Some(region) = region else {
            return Ok(None);
        };
        // is_valid_number_for_region / get_number_type: the same helper on
        // the same metadata, so valid means a known type.
        let Some(md) = util.get_metadata_for_region_or_calling_code(cc, region) else {
            return Ok(None);
        };
        if region == Region::World && cc != md.original.country_code() {
            return Ok(None);
        }
        let t = number_type!(md);
        Ok((t != PhoneNumberType::Unknown).then_some((region, t)))
    }
    /// `PhoneNumber::parse("+" + digits, None)` for ASCII digits: the
    /// country code, then libphonenumber's national-prefix stripping
    /// (`maybe_strip_national_prefix_and_carrier_code` and the length test
    /// that decides whether to keep it) with the patterns compiled here.
    /// The rest of `parse` (extensions, punctuation, `tel:` URIs) cannot
    /// apply to bare digits. `Ok(None)`: not a number; `Err(())`: a pattern
    /// did not compile here.
    pub fn parse_plus(digits: &str) -> Result<Option<PhoneNumber>, ()> {
        let util = PHONE_NUMBER_UTIL.as_original();
        // maybe_extract_country_code: more than MIN_LENGTH_FOR_NSN digits
        // after the `+`, a known calling code in the first one to three.
        if digits.len() <= 2 {
            return Ok(None);
        }
        let Some((nn, cc)) = util.extract_country_code(std::borrow::Cow::Borrowed(digits)) else {
            return Ok(None);
        };
        let mut nn = nn.into_owned();
        if nn.len() < 2 {
            return Ok(None);
        }
        let md = util
            .get_region_for_country_code(cc)
            .and_then(|r| util.get_metadata_for_region_or_calling_code(cc, r));
        if let Some(md) = md {
            let general = &md.general_desc;
            let general_base = general.national_number_pattern().pattern_base.as_deref();
            let is_general = |s: &str| match general_base {
                Some(base) => matches(base, true, s),
                None => Ok(false),
            };
            let stripped = match md.national_prefix_for_parsing().pattern_base.as_deref() {
                None => None,
                Some(base) => {
                    let caps = with_regex(base, false, |re| {
                        let mut caps = re.create_captures();
                        re.captures(nn.as_str(), &mut caps);
                        caps
                    })?;
                    match caps.get_match() {
                        None => None,
                        Some(m) => {
                            let viable = is_general(&nn)?;
                            let transform = md.original.national_prefix_transform_rule();
                            let first = caps.get_group(1).map(|g| &nn[g.range()]);
                            let second = caps.get_group(2).map(|g| &nn[g.range()]);
                            let transformed = first.is_some_and(|f| {
                                !transform.is_empty()
                                    && (second.is_some_and(|c| !c.is_empty())
                                        || (!f.is_empty() && second.is_none()))
                            });
                            let candidate = if transformed {
                                // `Regex::replace`: the match replaced by
                                // the expanded rule (`$1`...).
                                let mut r = String::with_capacity(nn.len() + 4);
                                r.push_str(&nn[..m.start()]);
                                caps.interpolate_string_into(&nn, transform, &mut r);
                                r.push_str(&nn[m.end()..]);
                                r
                            } else {
                                nn[m.end()..].to_owned()
                            };
                            if viable && !is_general(&candidate)? {
                                None
                            } else {
                                Some(candidate)
                            }
                        }
                    }
                }
            };
            if let Some(p) = stripped
                && keeps_stripped(p.len(), &general.original)
            {
                nn = p;
            }
        }
        if nn.len() < 2 || nn.len() > 17 {
            return Ok(None);
        }
        let mut n = PhoneNumber {
            country_code: cc,
            ..Default::default()
        };
        // get_italian_leading_zeros_for_phone_number
        let zeros = nn.bytes().take_while(|&b| b == b'0').count();
        if zeros > 0 {
            let zeros = if zeros == nn.len() { zeros - 1 } else { zeros };
            n.italian_leading_zero = Some(true);
            if zeros > 1 {
                n.number_of_leading_zeros = Some(zeros as i32);
            }
        }
        let Ok(national) = nn.parse::<u64>() else {
            return Ok(None);
        };
        n.national_number = national;
        Ok(Some(n))
    }

    /// `parse`'s test on a stripped national number: kept unless
    /// `test_number_length` (unknown type, the general description's
    /// lengths) says local-only, too short or an invalid length.
    fn keeps_stripped(len: usize, general: &rlibphonenumber::PhoneNumberDesc) -> bool {
        fn mask(lengths: &[i32]) -> u64 {
            lengths
                .iter()
                .fold(0u64, |m, &l| if l == -1 { 0 } else { m | 1 << l })
        }
        let possible = mask(&general.possible_length);
        let local = mask(&general.possible_length_local_only);
        if possible == 0 {
            return false; // InvalidLength
        }
        if len >= 64 {
            return true; // TooLong
        }
        let bit = 1u64 << len;
        if local & bit != 0 {
            return false; // IsPossibleLocalOnly
        }
        let min = possible.trailing_zeros() as usize;
        let max = 63 - possible.leading_zeros() as usize;
        if min == len || max < len {
            true // IsPossible, TooLong
        } else if min > len {
            false // TooShort
        } else {
            possible & bit != 0 // IsPossible, else InvalidLength
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache answers exactly what libphonenumber answers, for hits,
    /// misses and slots taken over by another number.
    #[test]
    fn cached_validity_is_libphonenumber_validity() {
        let mut rng = crate::eval::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move |n: u64| rng.below(n);
        let codes: [&[u8]; 8] = [b"44", b"49", b"1", b"380", b"86", b"998", b"33", b"7"];
        let mut numbers = Vec::new();
        for _ in 0..600 {
            let mut d = codes[next(8) as usize].to_vec();
            for _ in 0..7 + next(7) {
                d.push(b'0' + next(10) as u8);
            }
            numbers.push(d);
        }
        let mut valid = 0;
        // Twice over, in a shuffled order the second time: hits and
        // slots reused by other numbers.
        for round in 0..2 {
            for k in 0..numbers.len() {
                let d = &numbers[if round == 0 { k } else { next(600) as usize }];
                let want = libphonenumber_valid_uncached(d);
                valid += usize::from(want.is_some());
                assert_eq!(
                    libphonenumber_valid(d),
                    want,
                    "{}",
                    String::from_utf8_lossy(d)
                );
            }
        }
        assert!(valid > 100, "{valid} valid");
    }

    /// `fast::parse_plus` and `fast::classify` must answer what
    /// libphonenumber's `parse` and `is_valid`/`get_region_code`/`get_type`
    /// answer: on every
    /// region's example number of every type (valid numbers of every
    /// shape) and on random digits behind every calling code (mostly
    /// invalid ones, all the early exits).
    #[test]
    fn own_parse_and_pattern_matching_agree_with_libphonenumber() {
        use rlibphonenumber::PHONE_NUMBER_UTIL;
        let util = &*PHONE_NUMBER_UTIL;
        let types = [
            PhoneNumberType::FixedLine,
            PhoneNumberType::Mobile,
            PhoneNumberType::TollFree,
            PhoneNumberType::PremiumRate,
            PhoneNumberType::SharedCost,
            PhoneNumberType::VoIP,
            PhoneNumberType::PersonalNumber,
            PhoneNumberType::Pager,
            PhoneNumberType::UAN,
            PhoneNumberType::VoiceMail,
        ];
        let mut texts: Vec<String> = Vec::new();
        for region in util.get_supported_regions() {
            for t in types {
                if let Ok(n) = util.get_example_number_for_type_and_region(region, t) {
                    let e164 = n.format_as(PhoneNumberFormat::E164).into_owned();
                    // Also with a trunk prefix after the code (`+44 0 20…`,
                    // `+39 0…`): the national-prefix stripping paths.
                    let cc_len = n.country_code.to_string().len() + 1;
                    for prefix in ["0", "8", "1"] {
                        texts.push(format!("{}{prefix}{}", &e164[..cc_len], &e164[cc_len..]));
                    }
                    texts.push(e164);
                }
            }
        }
        let examples = texts.len();
        assert!(examples > 2000, "{examples} example numbers");
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for cc in util.get_supported_calling_codes() {
            for len in 4..=13 {
                for _ in 0..12 {
                    let mut t = format!("+{cc}");
                    for _ in 0..len {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        t.push(char::from(b'0' + (x % 10) as u8));
                    }
                    texts.push(t);
                }
            }
        }
        let mut valid = 0;
        for text in &texts {
            let parsed = PhoneNumber::parse(text, None).ok();
            let ours = fast::parse_plus(&text[1..]).expect("every prefix pattern compiles");
            assert_eq!(ours, parsed, "{text}");
            let Some(n) = parsed else {
                continue;
            };
            let theirs = n.is_valid().then(|| (n.get_region_code(), n.get_type()));
            let ours = fast::classify(&n).expect("every metadata pattern compiles without Unicode");
            assert_eq!(ours.map(|(r, t)| (Some(r), t)), theirs, "{text}");
            valid += usize::from(theirs.is_some());
        }
        assert!(
            valid >= examples / 4 * 9 / 10,
            "{valid} valid of {}",
            texts.len()
        );
    }

    /// The UTF-8-only front end [`normalize_phone`] had before the ASCII
    /// path, kept as the reference.
    fn normalize_phone_utf8(raw: &[u8]) -> Option<Phone> {
        if raw.len() > 80 {
            return None;
        }
        let s = std::str::from_utf8(raw).ok()?.trim();
        let (plus, digits) = scan(cut_extension(s))?;
        from_digits(plus, digits.as_slice())
    }

    /// The ASCII path answers as the UTF-8 path does: on random mixes of
    /// digits, prefixes, separators (ASCII and Unicode), whitespace of
    /// every kind, extension markers in both scripts, stray letters and
    /// invalid UTF-8, and on phone-shaped strings with an optional
    /// extension. `plus7`'s E.164 is `+7` and the NSN.
    #[test]
    fn ascii_path_agrees_with_utf8_path() {
        let pieces: &[&[u8]] = &[
            b"0",
            b"1",
            b"7",
            b"8",
            b"9",
            b"916",
            b"495",
            b"123",
            b"45",
            b"67",
            b"8452",
            b"800",
            b"701",
            b"44",
            b"20",
            b"7183",
            b"8750",
            b"+",
            b"+7",
            b"810",
            b"00",
            b" ",
            b" ",
            b"\t",
            b"\n",
            b"\x0b",
            b"\x0c",
            b"\r",
            b"\x1c",
            b"-",
            b".",
            b"(",
            b")",
            b"/",
            b"_",
            "\u{a0}".as_bytes(),
            "\u{2009}".as_bytes(),
            "\u{2013}".as_bytes(),
            "\u{202f}".as_bytes(),
            b"x",
            b"X",
            b"ext",
            b"EXT.",
            b"ext.",
            b"Ext",
            b"e",
            b"t",
            b"a",
            "доб.".as_bytes(),
            "доб".as_bytes(),
            "ДОБ".as_bytes(),
            "добавочный".as_bytes(),
            "д".as_bytes(),
            b"\xff",
            b"\xd0",
        ];
        let mut rng = crate::eval::rng::Rng::new(0x853c_49e6_748f_ea9b);
        let mut next = move |n: u64| rng.below(n);
        let (mut some, mut none, mut non_ascii) = (0, 0, 0);
        let mut check = |v: &[u8]| {
            let want = normalize_phone_utf8(v);
            assert_eq!(normalize_phone(v), want, "{:?}", String::from_utf8_lossy(v));
            if let Some(p) = &want
                && p.region == "RU"
            {
                assert!(p.e164.starts_with("+7") && p.e164.len() == 12, "{}", p.e164);
            }
            if want.is_some() {
                some += 1;
            } else {
                none += 1;
            }
            non_ascii += usize::from(!v.is_ascii());
        };
        let prefixes: [&[u8]; 9] = [
            b"+7", b"8", b"7", b"", b"+44", b"810 44", b"00 7", b"+1", b"+380",
        ];
        let seps: [&[u8]; 6] = [b" ", b"-", b"", b".", "\u{a0}".as_bytes(), b"\t"];
        let exts: [&[u8]; 8] = [
            b"",
            b"",
            b" ext. 12",
            b"x5",
            " доб. 123".as_bytes(),
            b" EXT 7",
            b"\n x 1",
            b" y 2",
        ];
        for _ in 0..60_000 {
            let mut v = Vec::new();
            for _ in 0..next(10) {
                v.extend_from_slice(pieces[next(pieces.len() as u64) as usize]);
            }
            check(&v);
            // Phone shapes.
            let mut q = Vec::new();
            if next(8) == 0 {
                q.extend_from_slice(pieces[20 + next(8) as usize]);
            }
            q.extend_from_slice(prefixes[next(9) as usize]);
            let sep = seps[next(6) as usize];
            let lead = [b'9', b'4', b'8', b'3', b'7', b'2'][next(6) as usize];
            q.extend_from_slice(sep);
            q.push(lead);
            for k in 0..8 + next(3) {
                if k % 3 == 2 {
                    q.extend_from_slice(sep);
                }
                q.push(b'0' + next(10) as u8);
            }
            q.extend_from_slice(exts[next(8) as usize]);
            if next(8) == 0 {
                q.extend_from_slice(pieces[20 + next(8) as usize]);
            }
            check(&q);
        }
        assert!(
            some > 5_000 && none > 50_000 && non_ascii > 10_000,
            "{some} valid, {none} not, {non_ascii} non-ASCII"
        );
    }

    /// Warming up leaves every answer as it was.
    #[test]
    fn warm_up_changes_no_answer() {
        warm_up_in_background();
        assert_eq!(e164("+44 20 7183 8750").as_deref(), Some("+442071838750"));
        assert_eq!(e164("+7 916 123-45-67").as_deref(), Some("+79161234567"));
    }

    /// The ASCII whitespace set is `char::is_whitespace` on ASCII.
    #[test]
    fn ascii_whitespace_is_unicode_whitespace() {
        for b in 0..128u8 {
            assert_eq!(ascii_ws(b), char::from(b).is_whitespace(), "{b}");
        }
    }

    fn norm(s: &str) -> Option<(String, &'static str, PhoneType)> {
        normalize_phone(s.as_bytes()).map(|p| (p.e164, p.region, p.phone_type))
    }

    fn e164(s: &str) -> Option<String> {
        normalize_phone(s.as_bytes()).map(|p| p.e164)
    }

    #[test]
    fn russian_spellings() {
        for s in [
            "+7 (916) 123-45-67",
            "+7 916 1234567",
            "+79161234567",
            "8 (916) 123-45-67",
            "8-916-123-45-67",
            "89161234567",
            "79161234567",
            "9161234567",
            "8 916 123 45 67",
            "8.916.123.45.67",
            "(+7) 916 123-45-67",
            "+7\u{a0}916\u{a0}123\u{a0}45\u{a0}67",
            "+7 916 123–45–67",
            "  +7 916 123 45 67  ",
            "+79161234567доб.123",
            "+7 916 123-45-67 доб. 123",
            "+7 916 123-45-67 Доб 5",
            "+7 916 123-45-67 добавочный 1234",
            "+7 916 123-45-67 ext. 12",
            "+7 916 123-45-67 EXT 12",
            "+7 916 123-45-67 x12",
            "+7 916 123-45-67x12",
            "+7 916 123-45-67 X 12",
        ] {
            assert_eq!(
                norm(s),
                Some(("+79161234567".into(), "RU", PhoneType::Mobile)),
                "{s}"
            );
        }
    }

    #[test]
    fn trunk_prefix_eight_is_not_eaten() {
        // The whisperfish `phonenumber` bug #76 cases.
        assert_eq!(
            norm("8 (8452) 12-34-56"),
            Some(("+78452123456".into(), "RU", PhoneType::FixedLine))
        );
        assert_eq!(
            norm("8 800 555-35-35"),
            Some(("+78005553535".into(), "RU", PhoneType::TollFree))
        );
        assert_eq!(
            norm("8-800-555-35-35"),
            Some(("+78005553535".into(), "RU", PhoneType::TollFree))
        );
        assert_eq!(e164("8 (495) 123-45-67").as_deref(), Some("+74951234567"));
        assert_eq!(
            norm("8 809 505 00 00").map(|p| p.2),
            Some(PhoneType::Premium)
        );
        assert_eq!(
            norm("8 804 333 00 00").map(|p| p.2),
            Some(PhoneType::TollFree)
        );
        assert_eq!(e164("8005553535").as_deref(), Some("+78005553535"));
        assert_eq!(e164("4951234567").as_deref(), Some("+74951234567"));
        assert_eq!(e164("3012123456").as_deref(), Some("+73012123456"));
    }

    #[test]
    fn kazakhstan_shares_plus_seven() {
        assert_eq!(
            norm("+7(701)1234567"),
            Some(("+77011234567".into(), "KZ", PhoneType::Mobile))
        );
        assert_eq!(
            norm("8 701 123 45 67"),
            Some(("+77011234567".into(), "KZ", PhoneType::Mobile))
        );
        assert_eq!(
            norm("77011234567"),
            Some(("+77011234567".into(), "KZ", PhoneType::Mobile))
        );
        assert_eq!(ru_nsn_type(b"7011234567"), Some(PhoneType::Mobile));
        // Unallocated Kazakh range.
        assert_eq!(norm("+7 799 123 45 67"), None);
        assert_eq!(ru_nsn_type(b"7991234567"), None);
    }

    #[test]
    fn bare_seven_run_is_not_a_phone() {
        // Sberbank's INN: libphonenumber at "possible" leniency calls it
        // +77707083893; we never treat a bare 7… 10-digit run as a phone,
        // and the +7 form is not a valid Kazakh number either.
        assert_eq!(norm("7707083893"), None);
        assert!(!phone_valid(b"7707083893"));
        assert_eq!(norm("+7 770 708 38 93"), None);
        assert_eq!(norm("7011234567"), None);
    }

    #[test]
    fn international_prefixes() {
        assert_eq!(
            norm("810 44 20 7183 8750"),
            Some(("+442071838750".into(), "GB", PhoneType::FixedLine))
        );
        assert_eq!(
            norm("+44 20 7183 8750"),
            Some(("+442071838750".into(), "GB", PhoneType::FixedLine))
        );
        assert_eq!(e164("0044 20 7183 8750").as_deref(), Some("+442071838750"));
        assert_eq!(
            norm("+1 202 555 0143"),
            Some(("+12025550143".into(), "US", PhoneType::FixedLine))
        );
        assert_eq!(
            norm("+1 (650) 253-0000 ext. 123"),
            Some(("+16502530000".into(), "US", PhoneType::FixedLine))
        );
        assert_eq!(
            norm("+375 29 123-45-67"),
            Some(("+375291234567".into(), "BY", PhoneType::Mobile))
        );
        assert_eq!(
            norm("+380 44 123 4567"),
            Some(("+380441234567".into(), "UA", PhoneType::FixedLine))
        );
        assert_eq!(
            norm("+86 138 1234 5678"),
            Some(("+8613812345678".into(), "CN", PhoneType::Mobile))
        );
        assert_eq!(
            norm("+800 1234 5678"),
            Some(("+80012345678".into(), "001", PhoneType::TollFree))
        );
        assert_eq!(e164("810 7 916 123 45 67").as_deref(), Some("+79161234567"));
    }

    #[test]
    fn double_zero_is_tolerated() {
        // libphonenumber refuses 007… dialled from Russia; ru-pii.md's
        // normaliser accepts it because people write it.
        assert_eq!(
            norm("00 7 916 123 45 67"),
            Some(("+79161234567".into(), "RU", PhoneType::Mobile))
        );
        assert_eq!(norm("00 7 016 123 45 67"), None);
        assert_eq!(norm("00 0 916 123 45 67"), None);
    }

    #[test]
    fn reference_rejections() {
        for s in [
            "+7 (016) 123-45-67",
            "8 (916) 123-45-6",
            "123-45-67",
            // Too few / too many digits.
            "+7 916 123 45 6",
            "+7 916 123 45 678",
            "8 916 123 45 678",
            "916 123 45 6",
            "89161234567890123456789",
            "+1 202 555 01",
            "+44 20 7183 8750 1234 5678",
            // Timestamps, dates, other identifiers.
            "1700000000000",
            "1732530000123",
            "2024-01-15",
            "15.01.2024",
            "7707083893",
            "11223344595",
            "40817810132781577674",
            // Unallocated Russian ranges.
            "+7 516 123 45 67",
            "+7 808 123 45 67",
            "+7 331 123 45 67",
            "8 (016) 123-45-67",
            "0161234567",
            "5161234567",
            "69161234567",
            // Not a number.
            "",
            " ",
            "+",
            "++79161234567",
            "+7+9161234567",
            "7+9161234567",
            "тел. 89161234567",
            "8916123456a",
            "+7 916 123-45-67 доб.",
            "доб. 123",
            "x123",
            "+7 916 123-45-67 box 12",
            "+0 123 456 7890",
            "+7_916_123_45_67",
            "+7/916/1234567",
        ] {
            assert_eq!(norm(s), None, "{s}");
            assert!(!phone_valid(s.as_bytes()), "{s}");
        }
        assert!(!phone_valid(b"+7916123456\xff"));
        assert!(!phone_valid(b"\xd0\xb4"));
        assert!(!phone_valid(&[b'9'; 500]));
        assert!(!phone_valid(&[b'+'; 10]));
    }

    #[test]
    fn nsn_table_matches_libphonenumber() {
        // Our three-digit table must agree with libphonenumber's RU
        // metadata on a typical subscriber number in each code; 808
        // (personal numbers) is the one deliberate difference.
        for abc in 0..1000u32 {
            if (700..800).contains(&abc) {
                continue;
            }
            let nsn = format!("{abc:03}1234567");
            let ours = ru_nsn_type(nsn.as_bytes());
            let theirs = libphonenumber_valid(format!("7{nsn}").as_bytes());
            if abc == 808 {
                assert!(ours.is_none() && theirs.is_some());
                continue;
            }
            assert_eq!(
                ours.is_some(),
                theirs.as_ref().is_some_and(|p| p.region == "RU"),
                "{nsn}"
            );
            if let (Some(o), Some(t)) = (ours, theirs) {
                assert_eq!(o, t.phone_type, "{nsn}");
            }
        }
    }

    #[test]
    fn nsn_type_rejects_malformed() {
        for v in [
            &b""[..],
            b"916123456",
            b"91612345678",
            b"916123456x",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        ] {
            assert_eq!(ru_nsn_type(v), None);
        }
        assert_eq!(ru_nsn_type(b"9161234567"), Some(PhoneType::Mobile));
        assert_eq!(ru_nsn_type(b"8452123456"), Some(PhoneType::FixedLine));
        assert_eq!(ru_nsn_type(b"8005553535"), Some(PhoneType::TollFree));
        assert_eq!(ru_nsn_type(b"8091234567"), Some(PhoneType::Premium));
        assert_eq!(ru_nsn_type(b"8031234567"), Some(PhoneType::Premium));
    }

    #[test]
    fn region_codes_are_static() {
        assert_eq!(static_region("RU"), "RU");
        assert_eq!(static_region("ZZ"), "ZZ");
        assert_eq!(static_region("AA"), "AA");
        assert_eq!(static_region("001"), "001");
        assert_eq!(static_region("ru"), "001");
        assert_eq!(static_region(""), "001");
    }

    #[test]
    fn extension_cutting() {
        assert_eq!(cut_extension("+7 916 доб. 12"), "+7 916");
        assert_eq!(cut_extension("+7 916 12"), "+7 916 12");
        assert_eq!(cut_extension("+7 916x"), "+7 916x");
        assert_eq!(cut_extension("x12"), "");
        assert_eq!(cut_extension(""), "");
        assert_eq!(cut_extension("12"), "12");
        assert_eq!(cut_extension("+7 916 ДОБ. 12"), "+7 916");
        assert_eq!(cut_extension("+7 916 ДОБАВОЧНЫЙ 12"), "+7 916");
        assert_eq!(cut_extension("+7 916 EXT 5"), "+7 916");
        assert_eq!(cut_extension("+7 916 X12"), "+7 916");
        assert_eq!(cut_extension("+7 916-12"), "+7 916-12");
        assert_eq!(cut_extension("+7 (916) 12"), "+7 (916) 12");
        assert_eq!(strip_suffix_ci("abc", ""), None);
        assert_eq!(strip_suffix_ci("ДОБ", "доб"), Some(""));
        assert_eq!(strip_suffix_ci("б", "доб"), None);
    }
}
