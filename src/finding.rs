//! The Finding model: what a detector reports, and how it is shown without
//! leaking the value.
//!
//! Owns [`Kind`] (the stable kind ids of DESIGN.md §4), [`Signals`] (why a
//! finding has its confidence), [`Finding`] (one located hit) and the two
//! leak-free views of a value: the masked preview ([`mask`]) and the keyed
//! fingerprint ([`Fingerprinter`]). It knows nothing about files or rules.

use arrayvec::ArrayString;
use std::cell::RefCell;
use std::fmt;

/// Stable kind ids. Reports, configs, tests and evaluation use the string
/// form; add kinds freely, never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Email,
    Phone,
    Card,
    Ipv4,
    Ipv6,
    Person,
    Address,
    BirthDate,
    BirthPlace,
    PassportRu,
    PassportForeignRu,
    DriverLicenseRu,
    VehiclePlateRu,
    Snils,
    Inn,
    Ogrn,
    BankAccount,
    Iban,
    Oms,
    Cookie,
    DeviceId,
    Geo,
    Ssn,
}

impl Kind {
    /// Every kind, in declaration order: `Kind::ALL[k as usize] == k`.
    pub const ALL: [Kind; 23] = [
        Kind::Email,
        Kind::Phone,
        Kind::Card,
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Person,
        Kind::Address,
        Kind::BirthDate,
        Kind::BirthPlace,
        Kind::PassportRu,
        Kind::PassportForeignRu,
        Kind::DriverLicenseRu,
        Kind::VehiclePlateRu,
        Kind::Snils,
        Kind::Inn,
        Kind::Ogrn,
        Kind::BankAccount,
        Kind::Iban,
        Kind::Oms,
        Kind::Cookie,
        Kind::DeviceId,
        Kind::Geo,
        Kind::Ssn,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Card => "card",
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Person => "person",
            Kind::Address => "address",
            Kind::BirthDate => "birth_date",
            Kind::BirthPlace => "birth_place",
            Kind::PassportRu => "passport_ru",
            Kind::PassportForeignRu => "passport_foreign_ru",
            Kind::DriverLicenseRu => "driver_license_ru",
            Kind::VehiclePlateRu => "vehicle_plate_ru",
            Kind::Snils => "snils",
            Kind::Inn => "inn",
            Kind::Ogrn => "ogrn",
            Kind::BankAccount => "bank_account",
            Kind::Iban => "iban",
            Kind::Oms => "oms",
            Kind::Cookie => "cookie",
            Kind::DeviceId => "device_id",
            Kind::Geo => "geo",
            Kind::Ssn => "ssn",
        }
    }

    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.id() == id)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Why a finding has the confidence it has. A small bit set so candidates
/// stay `Copy` on the hot path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Signals(u16);

impl Signals {
    /// A checksum or structural validator passed (Luhn, SNILS, INN, ...).
    pub const VALIDATED: Signals = Signals(1);
    /// A context word of the rule stands near the value.
    pub const CONTEXT: Signals = Signals(1 << 1);
    /// A word that argues against this kind stands near the value.
    pub const NEGATIVE_CONTEXT: Signals = Signals(1 << 2);
    /// The value sits in a column / field whose name hints at the kind.
    pub const COLUMN_HINT: Signals = Signals(1 << 3);
    /// The value has the kind's typical formatting (separators, grouping).
    pub const FORMATTED: Signals = Signals(1 << 4);
    /// A numbering plan / registry check passed (phone ranges, IIN table).
    pub const PLAN: Signals = Signals(1 << 5);
    /// The value passed its format but no checksum exists or applies.
    pub const FORMAT_ONLY: Signals = Signals(1 << 6);
    /// A dictionary look-up matched (names, street types).
    pub const DICTIONARY: Signals = Signals(1 << 7);
    /// The value is one the caller asked to watch for (a data subject's
    /// identifier, [`crate::detect::watch`]): kept whatever its confidence.
    pub const WATCHED: Signals = Signals(1 << 8);

    const NAMES: [(Signals, &'static str); 9] = [
        (Signals::VALIDATED, "validated"),
        (Signals::CONTEXT, "context"),
        (Signals::NEGATIVE_CONTEXT, "negative_context"),
        (Signals::COLUMN_HINT, "column_hint"),
        (Signals::FORMATTED, "formatted"),
        (Signals::PLAN, "numbering_plan"),
        (Signals::FORMAT_ONLY, "format_only"),
        (Signals::DICTIONARY, "dictionary"),
        (Signals::WATCHED, "watched"),
    ];

    pub const fn empty() -> Signals {
        Signals(0)
    }
    pub const fn union(self, other: Signals) -> Signals {
        Signals(self.0 | other.0)
    }
    pub fn insert(&mut self, other: Signals) {
        self.0 |= other.0;
    }
    pub const fn contains(self, other: Signals) -> bool {
        self.0 & other.0 == other.0
    }
    /// The raw bits, for files that store findings (incremental state).
    pub const fn bits(self) -> u16 {
        self.0
    }
    pub const fn from_bits(bits: u16) -> Signals {
        Signals(bits)
    }
    /// The signal names, in a fixed order, as the JSONL contract prints them.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        // `NAMES[i]` is bit `i`: walking the set bits visits the names in
        // table order without testing all nine for every finding.
        let mut bits = self.0 & ((1 << Signals::NAMES.len()) - 1);
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Some(Signals::NAMES[i].1)
        })
    }
}

/// Where in a structured source a finding sits. Free text has none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Location {
    /// CSV/TSV: data row (1-based, header excluded) and column header or index.
    Table { row: u64, column: String },
    /// SQL dump: qualified table, column, 1-based row within the table.
    Sql {
        table: String,
        column: String,
        row: u64,
    },
    /// JSON / NDJSON: RFC 6901 pointer (+ record number for NDJSON).
    Json {
        pointer: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        record: Option<u64>,
    },
    /// Call log: record number and field name.
    Cdr { record: u64, field: String },
}

/// One located hit, ready for the sinks.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: Kind,
    /// Rule id, e.g. `phone.ru`.
    pub rule: std::sync::Arc<str>,
    /// Half-open byte range into the original file's bytes.
    pub start: u64,
    pub end: u64,
    /// 1-based line and column (column counts bytes, like ripgrep's).
    pub line: u64,
    pub column: u64,
    pub confidence: f32,
    pub signals: Signals,
    pub masked: ShortStr,
    pub fingerprint: ShortStr,
    pub location: Option<Location>,
    /// The raw value: only filled when the user asked for `--show-values`.
    pub value: Option<String>,
}

/// Bytes a [`ShortStr`] holds inline: a fingerprint's 32 hex digits and
/// the masked preview of nearly every value (phones, cards, e-mails,
/// document numbers).
const SHORT_INLINE: usize = 32;

/// An immutable string kept inline up to 32 bytes and on the heap beyond:
/// the masked preview and the fingerprint of a [`Finding`].
///
/// Why: as two `String`s, every finding cost two `malloc`s when it was
/// made and two `free`s when the sink was done with it (callgrind, 54 MB
/// scan of 167 k findings: ~250 instructions per pair, a fifth of the
/// per-finding cost). Reads go through `Deref<Target = str>`.
#[derive(Clone)]
pub struct ShortStr(Repr);

#[derive(Clone)]
enum Repr {
    Inline(ArrayString<SHORT_INLINE>),
    Heap(Box<str>),
}

impl ShortStr {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(s) => s.as_str(),
            Repr::Heap(s) => s,
        }
    }
}

impl Default for ShortStr {
    fn default() -> Self {
        ShortStr(Repr::Inline(ArrayString::new()))
    }
}

impl From<&str> for ShortStr {
    fn from(s: &str) -> Self {
        match ArrayString::from(s) {
            Ok(inline) => ShortStr(Repr::Inline(inline)),
            Err(_) => ShortStr(Repr::Heap(s.into())),
        }
    }
}

impl From<String> for ShortStr {
    fn from(s: String) -> Self {
        if s.len() <= SHORT_INLINE {
            ShortStr::from(s.as_str())
        } else {
            ShortStr(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<&ShortStr> for String {
    fn from(s: &ShortStr) -> Self {
        s.as_str().to_string()
    }
}

impl std::ops::Deref for ShortStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ShortStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for ShortStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for ShortStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ShortStr {}

impl PartialEq<str> for ShortStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ShortStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for ShortStr {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ShortStr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for ShortStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ShortStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Masked preview of a value: enough to recognise it, not enough to use it.
///
/// Digits and letters are replaced with `*` except the kind's visible part
/// (last two digits of a phone, last four of a card, the first letter and
/// domain of an e-mail ...); separators stay so the shape is recognisable.
pub fn mask(kind: Kind, value: &str) -> ShortStr {
    mask_ascii(kind, value.as_bytes())
        .or_else(|| mask_cyrillic(kind, value.as_bytes()))
        .unwrap_or_else(|| mask_chars(kind, value))
}

/// [`mask`] of raw value bytes: the mask of their text, invalid UTF-8
/// replaced by U+FFFD ([`crate::text::utf8_lossy`]).
///
/// Why: a finding's value arrives as bytes. Nearly all are short ASCII,
/// which [`mask_ascii`] masks without validating them as UTF-8 first (the
/// `from_utf8` of every value cost ~125 instructions a finding,
/// callgrind).
pub fn mask_bytes(kind: Kind, value: &[u8]) -> ShortStr {
    mask_ascii(kind, value)
        .or_else(|| mask_cyrillic(kind, value))
        .unwrap_or_else(|| mask_chars(kind, &crate::text::utf8_lossy(value)))
}

/// [`mask`] char by char, through a `String`: the path for values that
/// are not short ASCII.
fn mask_chars(kind: Kind, value: &str) -> ShortStr {
    thread_local! {
        /// Where masks are built: reused, so making a preview allocates
        /// nothing unless it is longer than [`ShortStr`]'s inline bytes.
        static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
    }
    SCRATCH.with_borrow_mut(|out| {
        out.clear();
        mask_into(out, kind, value);
        ShortStr::from(out.as_str())
    })
}

/// [`mask`] of an ASCII value whose mask fits [`ShortStr`]'s inline bytes
/// (`None` for any other: [`mask_chars`] takes those), built in a
/// zero-padded stack buffer that becomes the inline string at once.
///
/// Why: the char path decodes every char, pushes it through a `String`,
/// validates what it built and copies it into the [`ShortStr`] (callgrind,
/// 54 MB scan, 167 k findings: `mask` and the `from_utf8` of the value
/// before it ~700 instructions a finding). An ASCII value's mask is the
/// value with some bytes replaced by `*`, so it is built in place, most
/// of it over the whole fixed-size buffer at once (vector code).
fn mask_ascii(kind: Kind, value: &[u8]) -> Option<ShortStr> {
    let n = value.len();
    if n > SHORT_INLINE {
        return None;
    }
    // Zero-padded: NUL is neither a letter nor a digit nor a separator
    // any mask looks for, and it is UTF-8, so the whole array validates
    // and is cut to the mask's length after.
    let mut v = [0u8; SHORT_INLINE];
    v[..n].copy_from_slice(value);
    if v.iter().fold(0, |acc, &c| acc | c) >= 0x80 {
        return None;
    }
    let mut out = [0u8; SHORT_INLINE];
    match MaskStyle::of(kind) {
        MaskStyle::Email => ascii::email(&mut out, &v, n)?,
        MaskStyle::Phone => ascii::phone(&mut out, &v, n),
        MaskStyle::Ipv4 => ascii::ipv4(&mut out, &v, n),
        MaskStyle::Words => ascii::words(&mut out, &v, n),
        MaskStyle::Device => ascii::device(&mut out, &v, n),
        MaskStyle::Plate => ascii::plate(&mut out, &v, n),
        MaskStyle::Geo => ascii::geo(&mut out, &v, n),
        MaskStyle::Keep { head, tail } => ascii::keep(&mut out, &v, n, 0, head, tail),
    }
    // Every ASCII mask is as long as its value.
    let mut s = ArrayString::from_byte_string(&out).ok()?;
    s.truncate(n);
    Some(ShortStr(Repr::Inline(s)))
}

/// [`mask`] of a value of ASCII and two-byte Cyrillic letters (U+0400 to
/// U+047F, lead byte `D0` or `D1`: all letters), for the kinds that mask letters and digits
/// alike or by words (names, places, document numbers); `None` for any
/// other value or kind ([`mask_chars`] takes those).
///
/// Why: Russian names are most of the findings of the `person` rules, and
/// the char path decoded each char, asked for its Unicode class and
/// pushed it through a `String`, validated the whole value as UTF-8
/// first (callgrind, 54 MB scan, all rules: ~1,300 instructions a
/// Cyrillic value).
fn mask_cyrillic(kind: Kind, value: &[u8]) -> Option<ShortStr> {
    // Addresses run to a hundred bytes; longer values are rare.
    const MAX: usize = 4 * SHORT_INLINE;
    if value.len() > MAX {
        return None;
    }
    // Zero-padded, as in [`mask_ascii`]: a mask that fits the inline bytes
    // is validated as the whole first `SHORT_INLINE` bytes.
    let mut out = [0u8; MAX];
    let len = match MaskStyle::of(kind) {
        MaskStyle::Email
        | MaskStyle::Phone
        | MaskStyle::Ipv4
        | MaskStyle::Device
        | MaskStyle::Geo => return None,
        MaskStyle::Words => cyrillic::words(&mut out, value)?,
        MaskStyle::Plate => cyrillic::keep(&mut out, value, 0, plate_region(value))?,
        MaskStyle::Keep { head, tail } => cyrillic::keep(&mut out, value, head, tail)?,
    };
    if len > SHORT_INLINE {
        return Some(ShortStr(Repr::Heap(
            std::str::from_utf8(&out[..len]).ok()?.into(),
        )));
    }
    let inline: &[u8; SHORT_INLINE] = out.first_chunk()?;
    let mut s = ArrayString::from_byte_string(inline).ok()?;
    s.truncate(len);
    Some(ShortStr(Repr::Inline(s)))
}

/// The masks of [`mask_into`] over ASCII and two-byte Cyrillic letters,
/// written into the start of `out` (at least as long as the value: no
/// mask here is longer); each returns the mask's length, or `None` for
/// any other char.
mod cyrillic {
    use super::masked_range;

    /// Which bytes are ASCII letters or digits: one load a byte.
    static ALNUM: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = (i as u8).is_ascii_alphanumeric();
            i += 1;
        }
        t
    };

    /// Whether the non-ASCII byte `value[i]` starts a two-byte Cyrillic
    /// letter (lead `D0` or `D1`, then a continuation byte).
    #[inline]
    fn cyrillic_at(value: &[u8], i: usize) -> bool {
        matches!(value[i], 0xD0 | 0xD1) && value.get(i + 1).is_some_and(|&c| c & 0xC0 == 0x80)
    }

    /// Each word's first letter stays, its other letters are starred.
    pub(super) fn words(out: &mut [u8], value: &[u8]) -> Option<usize> {
        let (mut i, mut len, mut at_word_start) = (0, 0, true);
        while i < value.len() {
            let c = value[i];
            if c < 0x80 {
                let alpha = c.is_ascii_alphabetic();
                out[len] = if alpha && !at_word_start { b'*' } else { c };
                at_word_start = !alpha;
                len += 1;
                i += 1;
                continue;
            }
            if !cyrillic_at(value, i) {
                return None;
            }
            if at_word_start {
                out[len] = c;
                out[len + 1] = value[i + 1];
                len += 2;
            } else {
                out[len] = b'*';
                len += 1;
            }
            at_word_start = false;
            i += 2;
        }
        Some(len)
    }

    /// Every letter and digit masked except the first `keep_head` and the
    /// last `keep_tail`, never more than half of them.
    pub(super) fn keep(
        out: &mut [u8],
        value: &[u8],
        keep_head: usize,
        keep_tail: usize,
    ) -> Option<usize> {
        // Letters and digits: ASCII ones and Cyrillic lead bytes (the
        // loop below turns down any other non-ASCII char).
        let total = value
            .iter()
            .map(|&c| usize::from(ALNUM[usize::from(c)] | matches!(c, 0xD0 | 0xD1)))
            .sum();
        let (first, last) = masked_range(total, keep_head, keep_tail);
        let (mut i, mut len, mut seen) = (0, 0, 0usize);
        while i < value.len() {
            let c = value[i];
            if c < 0x80 {
                let alnum = ALNUM[usize::from(c)];
                seen += usize::from(alnum);
                out[len] = if alnum && seen > first && seen <= last {
                    b'*'
                } else {
                    c
                };
                len += 1;
                i += 1;
                continue;
            }
            if !cyrillic_at(value, i) {
                return None;
            }
            seen += 1;
            if seen > first && seen <= last {
                out[len] = b'*';
                len += 1;
            } else {
                out[len] = c;
                out[len + 1] = value[i + 1];
                len += 2;
            }
            i += 2;
        }
        Some(len)
    }
}

/// The masks of [`mask_into`] for an ASCII value of `n` bytes at the start
/// of a zero-padded buffer, written into `out` (zero beyond `n`).
mod ascii {
    use super::{SHORT_INLINE, masked_range};

    type Buf = [u8; SHORT_INLINE];

    /// `c.is_ascii_alphanumeric()` as range tests the compiler turns into
    /// vector code over a whole buffer.
    #[inline]
    pub(super) fn is_alnum(c: u8) -> bool {
        (c | 0x20).wrapping_sub(b'a') < 26 || c.wrapping_sub(b'0') < 10
    }

    /// `IDX[i] == i`: byte indices, so that tests on a byte's index run
    /// as byte-wide vector compares.
    const IDX: Buf = {
        let mut t = [0u8; SHORT_INLINE];
        let mut i = 0;
        while i < SHORT_INLINE {
            t[i] = i as u8;
            i += 1;
        }
        t
    };

    /// The value with every letter and digit from `from` on masked except
    /// the first `keep_head` and the last `keep_tail` of them, never more
    /// than half; the bytes before `from` stay.
    pub(super) fn keep(
        out: &mut Buf,
        v: &Buf,
        n: usize,
        from: usize,
        keep_head: usize,
        keep_tail: usize,
    ) {
        // Star them all over the whole buffer, then put back the kept ones.
        let mut total = 0u8;
        for (o, &c) in out.iter_mut().zip(v) {
            let alnum = is_alnum(c);
            *o = if alnum { b'*' } else { c };
            total += u8::from(alnum);
        }
        let mut total = usize::from(total);
        for i in 0..from {
            total -= usize::from(is_alnum(v[i]));
            out[i] = v[i];
        }
        let (first, last) = masked_range(total, keep_head, keep_tail);
        let (mut head, mut i) = (first, from);
        while head > 0 {
            if is_alnum(v[i]) {
                out[i] = v[i];
                head -= 1;
            }
            i += 1;
        }
        let (mut tail, mut i) = (total - last, n);
        while tail > 0 {
            i -= 1;
            if is_alnum(v[i]) {
                out[i] = v[i];
                tail -= 1;
            }
        }
    }

    /// A leading `+` and the country code's first digit stay; then as
    /// [`keep`] with the last two digits visible.
    pub(super) fn phone(out: &mut Buf, v: &Buf, n: usize) {
        let cc = match v {
            [b'+', d, ..] if d.is_ascii_digit() => 2,
            [b'+', ..] => 1,
            _ => 0,
        };
        keep(out, v, n, cc, 0, 2)
    }

    /// The local part's first char, a star for each other char, then `@`
    /// and the domain as they are. `None` for a local part of one char or
    /// none (its mask is longer than the value: one star at least).
    pub(super) fn email(out: &mut Buf, v: &Buf, n: usize) -> Option<()> {
        let Some(at) = v[..n].iter().rposition(|&c| c == b'@') else {
            keep(out, v, n, 0, 1, 0);
            return Some(());
        };
        if at < 2 {
            return None;
        }
        // 1 <= i < at, as one unsigned compare.
        let stars = at as u8 - 1;
        for ((o, &c), &i) in out.iter_mut().zip(v).zip(&IDX) {
            *o = if i.wrapping_sub(1) < stars { b'*' } else { c };
        }
        Some(())
    }

    /// The first octet stays (it names the network, not the host), every
    /// other char but the dots is starred.
    pub(super) fn ipv4(out: &mut Buf, v: &Buf, n: usize) {
        let Some(dot) = v[..n].iter().position(|&c| c == b'.') else {
            return keep(out, v, n, 0, 0, 0);
        };
        let (dot, n) = (dot as u8, n as u8);
        for ((o, &c), &i) in out.iter_mut().zip(v).zip(&IDX) {
            *o = if i <= dot || i >= n || c == b'.' {
                c
            } else {
                b'*'
            };
        }
    }

    /// Each word's first letter stays, its other letters are starred.
    pub(super) fn words(out: &mut Buf, v: &Buf, n: usize) {
        let mut at_word_start = true;
        for (o, &c) in out.iter_mut().zip(&v[..n]) {
            let alpha = c.is_ascii_alphabetic();
            *o = if alpha && !at_word_start { b'*' } else { c };
            at_word_start = !alpha;
        }
    }

    /// MACs keep the vendor prefix, digit ids (IMEI) their last two
    /// digits, other ids their first two chars.
    pub(super) fn device(out: &mut Buf, v: &Buf, n: usize) {
        let hex = v.iter().filter(|c| c.is_ascii_hexdigit()).count();
        if hex == 12 && matches!(n, 14 | 17) {
            keep(out, v, n, 0, 6, 0)
        } else if v[..n]
            .iter()
            .all(|&c| c.is_ascii_digit() || c == b' ' || c == b'-')
        {
            keep(out, v, n, 0, 0, 2)
        } else {
            keep(out, v, n, 0, 2, 0)
        }
    }

    /// The region code (the trailing digits) stays.
    pub(super) fn plate(out: &mut Buf, v: &Buf, n: usize) {
        keep(out, v, n, 0, 0, super::plate_region(&v[..n]))
    }

    /// Each number's first decimal stays, the later ones are starred.
    pub(super) fn geo(out: &mut Buf, v: &Buf, n: usize) {
        let mut places = None::<usize>;
        for (o, &c) in out.iter_mut().zip(&v[..n]) {
            *o = match (c, places) {
                (b'.', None) => {
                    places = Some(0);
                    c
                }
                (d, Some(k)) if d.is_ascii_digit() => {
                    places = Some(k + 1);
                    if k == 0 { d } else { b'*' }
                }
                _ => {
                    places = None;
                    c
                }
            };
        }
    }
}

/// [`mask`] appended to `out`.
fn mask_into(out: &mut String, kind: Kind, value: &str) {
    // A masked value is never longer than the value plus one `*` (an
    // e-mail's empty local part): one reservation is all it takes.
    out.reserve(value.len() + 1);
    match MaskStyle::of(kind) {
        MaskStyle::Email => mask_email(out, value),
        MaskStyle::Phone => mask_phone(out, value),
        MaskStyle::Ipv4 => mask_ipv4(out, value),
        MaskStyle::Words => mask_words(out, value),
        MaskStyle::Device => mask_device(out, value),
        MaskStyle::Plate => mask_plate(out, value),
        MaskStyle::Geo => mask_geo(out, value),
        MaskStyle::Keep { head, tail } => mask_keep(out, value, head, tail),
    }
}

/// How a kind's values are masked: the one place that says it, for the
/// char path ([`mask_into`]) and the byte paths that stand in for it
/// ([`mask_ascii`], [`mask_cyrillic`]).
#[derive(Clone, Copy)]
enum MaskStyle {
    /// The local part's first char, stars, `@` and the domain.
    Email,
    /// `+` and the country code's first digit, the last two digits.
    Phone,
    /// The first octet.
    Ipv4,
    /// Each word's first letter.
    Words,
    /// A MAC's vendor prefix, an IMEI's last two digits, another id's
    /// first two chars.
    Device,
    /// The region code (the trailing digits).
    Plate,
    /// Each number's first decimal.
    Geo,
    /// The first `head` and the last `tail` letters and digits.
    Keep { head: usize, tail: usize },
}

impl MaskStyle {
    fn of(kind: Kind) -> MaskStyle {
        match kind {
            Kind::Email => MaskStyle::Email,
            Kind::Card | Kind::BankAccount | Kind::Iban | Kind::Oms => {
                MaskStyle::Keep { head: 0, tail: 4 }
            }
            Kind::Phone => MaskStyle::Phone,
            Kind::Ipv4 => MaskStyle::Ipv4,
            Kind::Ipv6 => MaskStyle::Keep { head: 4, tail: 0 },
            Kind::Person | Kind::BirthPlace => MaskStyle::Words,
            Kind::Cookie => MaskStyle::Keep { head: 2, tail: 0 },
            Kind::DeviceId => MaskStyle::Device,
            Kind::VehiclePlateRu => MaskStyle::Plate,
            Kind::Geo => MaskStyle::Geo,
            // SNILS, INN, OGRN, SSN and the rest.
            _ => MaskStyle::Keep { head: 0, tail: 2 },
        }
    }
}

/// MACs keep the vendor prefix (OUI, the first three octets: it names the
/// maker, not the device); IMEIs and advertising ids keep two characters.
fn mask_device(out: &mut String, value: &str) {
    let hex = value.bytes().filter(u8::is_ascii_hexdigit).count();
    let mac = hex == 12 && matches!(value.len(), 14 | 17);
    if mac {
        mask_keep(out, value, 6, 0)
    } else if value
        .bytes()
        .all(|c| c.is_ascii_digit() || c == b' ' || c == b'-')
    {
        mask_keep(out, value, 0, 2)
    } else {
        mask_keep(out, value, 2, 0)
    }
}

/// Plates keep the region code (the trailing digits): it names a region,
/// not a car.
fn mask_plate(out: &mut String, value: &str) {
    mask_keep(out, value, 0, plate_region(value.as_bytes()))
}

/// How many digits end a plate: its region code.
fn plate_region(value: &[u8]) -> usize {
    value
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// Coordinates keep one decimal place (about 10 km): the area stays
/// recognisable, the address does not.
fn mask_geo(out: &mut String, value: &str) {
    let mut places = None::<usize>;
    for c in value.chars() {
        match (c, places) {
            ('.', None) => {
                places = Some(0);
                out.push(c);
            }
            (d, Some(n)) if d.is_ascii_digit() => {
                out.push(if n == 0 { d } else { '*' });
                places = Some(n + 1);
            }
            _ => {
                places = None;
                out.push(c);
            }
        }
    }
}

fn is_maskable(c: char) -> bool {
    // Basic Cyrillic letters first: `char::is_alphanumeric` takes a slow
    // table search for every non-ASCII char, most of the masking cost.
    is_basic_cyrillic(c) || c.is_alphanumeric()
}

/// `А`..`я`, `Ё`, `ё`: letters, so alphabetic (a cheap exact pre-check).
#[inline]
fn is_basic_cyrillic(c: char) -> bool {
    matches!(c, '\u{0410}'..='\u{044F}' | '\u{0401}' | '\u{0451}')
}

/// Appends `value` with every alphanumeric char masked except the first
/// `keep_head` and the last `keep_tail` alphanumerics, never more than
/// half of them however short the value. Separators are kept.
fn mask_keep(out: &mut String, value: &str, keep_head: usize, keep_tail: usize) {
    if value.is_ascii() && value.len() <= ASCII_FAST {
        mask_keep_ascii(out, value.as_bytes(), keep_head, keep_tail);
        return;
    }
    let total = value.chars().filter(|c| is_maskable(*c)).count();
    let (first, last) = masked_range(total, keep_head, keep_tail);
    let mut seen = 0usize;
    for c in value.chars() {
        if is_maskable(c) {
            seen += 1;
            if seen > first && seen <= last {
                out.push('*');
                continue;
            }
        }
        out.push(c);
    }
}

/// The longest value [`mask_keep_ascii`] takes (longer ones, rare, take
/// the char path).
const ASCII_FAST: usize = 64;

/// [`mask_keep`] for an ASCII value of at most [`ASCII_FAST`] bytes, in
/// one pass over the bytes: every alphanumeric is starred in a stack
/// buffer while its position is noted, then the few kept ones are put
/// back. Counting first and deciding per byte after, through the
/// `String`, cost ~660 instructions a value (callgrind).
fn mask_keep_ascii(out: &mut String, bytes: &[u8], keep_head: usize, keep_tail: usize) {
    let mut buf = [0u8; ASCII_FAST];
    let mut alnum_at = [0u8; ASCII_FAST];
    let buf = &mut buf[..bytes.len()];
    let mut total = 0usize;
    for (i, (o, &c)) in buf.iter_mut().zip(bytes).enumerate() {
        let alnum = c.is_ascii_alphanumeric();
        *o = if alnum { b'*' } else { c };
        alnum_at[total] = i as u8;
        total += usize::from(alnum);
    }
    let (first, last) = masked_range(total, keep_head, keep_tail);
    for &i in alnum_at[..first].iter().chain(&alnum_at[last..total]) {
        buf[usize::from(i)] = bytes[usize::from(i)];
    }
    // ASCII in, ASCII and `*` out: always UTF-8.
    out.push_str(std::str::from_utf8(buf).unwrap_or_default());
}

/// Appends the ASCII `bytes` with every byte `keep` refuses replaced by
/// `*`. Built in a stack buffer and appended 64 bytes at a time: pushing
/// chars one by one through `extend` cost ~50 instructions a byte
/// (callgrind).
fn push_ascii_masked(out: &mut String, bytes: &[u8], mut keep: impl FnMut(u8) -> bool) {
    debug_assert!(bytes.is_ascii());
    for chunk in bytes.chunks(64) {
        let mut buf = [0u8; 64];
        let buf = &mut buf[..chunk.len()];
        for (o, &c) in buf.iter_mut().zip(chunk) {
            *o = if keep(c) { c } else { b'*' };
        }
        // ASCII in, ASCII and `*` out: always UTF-8.
        out.push_str(std::str::from_utf8(buf).unwrap_or_default());
    }
}

/// Appends `n` stars.
fn push_stars(out: &mut String, mut n: usize) {
    const STARS: &str = "********************************";
    while n > 0 {
        let k = n.min(STARS.len());
        out.push_str(&STARS[..k]);
        n -= k;
    }
}

/// Of `total` alphanumerics, the ones numbered `first + 1 ..= last`
/// (1-based) are masked: the head and tail kept visible, together never
/// more than half of them.
fn masked_range(total: usize, keep_head: usize, keep_tail: usize) -> (usize, usize) {
    let visible = (keep_head + keep_tail).min(total / 2);
    let head = keep_head.min(visible);
    let tail = visible - head;
    (head, total - tail)
}

fn mask_phone(out: &mut String, value: &str) {
    // Keep a leading "+7"/"+44" country code digit: it is not identifying.
    if let Some(rest) = value.strip_prefix('+') {
        let cc_len = usize::from(rest.starts_with(|c: char| c.is_ascii_digit()));
        let (cc, tail) = rest.split_at(cc_len);
        out.push('+');
        out.push_str(cc);
        mask_keep(out, tail, 0, 2);
        return;
    }
    mask_keep(out, value, 0, 2)
}

fn mask_email(out: &mut String, value: &str) {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            let mut chars = local.chars();
            if let Some(first) = chars.next() {
                out.push(first);
            }
            push_stars(out, chars.count().max(1));
            out.push('@');
            out.push_str(domain);
        }
        None => mask_keep(out, value, 1, 0),
    }
}

fn mask_ipv4(out: &mut String, value: &str) {
    // Keep the first octet: it names the network, not the host.
    match value.split_once('.') {
        Some((first, rest)) => {
            out.push_str(first);
            out.push('.');
            if rest.is_ascii() {
                push_ascii_masked(out, rest.as_bytes(), |c| c == b'.');
            } else {
                out.extend(rest.chars().map(|c| if c == '.' { '.' } else { '*' }));
            }
        }
        None => mask_keep(out, value, 0, 0),
    }
}

fn mask_words(out: &mut String, value: &str) {
    // "Иванова Анна" -> "И****** А***": initials stay.
    let mut at_word_start = true;
    for c in value.chars() {
        if is_basic_cyrillic(c) || c.is_alphabetic() {
            out.push(if at_word_start { c } else { '*' });
            at_word_start = false;
        } else {
            out.push(c);
            at_word_start = true;
        }
    }
}

/// `HEX_PAIRS[b]`: the two lower-case hex digits of byte `b`.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = [HEX[b >> 4], HEX[b & 15]];
        b += 1;
    }
    t
};

/// Keyed fingerprints of normalised values: lets inventories count distinct
/// values and join them across files and runs without storing PII.
#[derive(Clone)]
pub struct Fingerprinter {
    key: [u8; 32],
    /// False when the key was generated for this run only.
    pub stable: bool,
}

impl fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the key.
        f.debug_struct("Fingerprinter")
            .field("stable", &self.stable)
            .finish_non_exhaustive()
    }
}

impl Fingerprinter {
    /// Derives the 32-byte BLAKE3 key from any secret material.
    pub fn from_secret(secret: &[u8]) -> Fingerprinter {
        let key = blake3::derive_key("piiscan 2026 fingerprint key v1", secret);
        Fingerprinter { key, stable: true }
    }

    /// The key every command uses, from the first of: `key_file` (a
    /// `--key-file` flag), the `PIISCAN_KEY` environment variable,
    /// `config_key_file` (a config file's key file), else a random per-run
    /// key. Never from a command-line value: it would land in shell history
    /// and `ps`. Errors name the key file that cannot be used.
    pub fn from_key_sources(
        key_file: Option<&std::path::Path>,
        config_key_file: Option<&std::path::Path>,
    ) -> Result<Fingerprinter, String> {
        let from_file = |path: &std::path::Path| {
            let key = std::fs::read(path)
                .map_err(|e| format!("{}: cannot read key file: {e}", path.display()))?;
            let key = key.trim_ascii();
            if key.is_empty() {
                return Err(format!("{}: key file is empty", path.display()));
            }
            Ok(Fingerprinter::from_secret(key))
        };
        if let Some(path) = key_file {
            return from_file(path);
        }
        match std::env::var_os("PIISCAN_KEY") {
            Some(k) if !k.is_empty() => Ok(Fingerprinter::from_secret(k.as_encoded_bytes())),
            _ => config_key_file.map_or_else(|| Ok(Fingerprinter::random()), from_file),
        }
    }

    /// A random key for this run: fingerprints are not comparable across runs.
    pub fn random() -> Fingerprinter {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No OS randomness: fall back to time + pid, still unpredictable
            // enough for a per-run key that is never stored.
            let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
            key = *blake3::hash(seed.as_bytes()).as_bytes();
        }
        Fingerprinter { key, stable: false }
    }

    /// Identifies the key without revealing it: the fingerprint of a fixed
    /// probe. Baselines and state files store it to tell whether they were
    /// written under the same key.
    pub fn key_check(&self) -> String {
        self.fingerprint(Kind::Email, b"piiscan key check")
            .to_string()
    }

    /// 32 keyed bytes for `kind` + normalised value, separated from the
    /// fingerprint (and from other uses) by `purpose`: the seed of a
    /// redaction pseudonym or fake value. Knowing a report's fingerprint
    /// says nothing about the token written into the data, and vice versa.
    pub fn derive(&self, purpose: &str, kind: Kind, normalized: &[u8]) -> [u8; 32] {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(purpose.as_bytes());
        h.update(&[0]);
        h.update(kind.id().as_bytes());
        h.update(&[0]);
        h.update(normalized);
        *h.finalize().as_bytes()
    }

    /// Hex fingerprint of `kind` + normalised value: the first 16 bytes
    /// of the keyed BLAKE3 hash of the kind id, a NUL and the value, as 32
    /// lower-case hex digits (held inline: no allocation).
    pub fn fingerprint(&self, kind: Kind, normalized: &[u8]) -> ShortStr {
        // One-shot hashing from a stack buffer for the usual short values:
        // building a `Hasher` per finding cost as much as the hash.
        let id = kind.id().as_bytes();
        let mut input = [0u8; 128];
        let n = id.len() + 1 + normalized.len();
        let out = if n <= input.len() {
            input[..id.len()].copy_from_slice(id);
            input[id.len() + 1..n].copy_from_slice(normalized);
            blake3::keyed_hash(&self.key, &input[..n])
        } else {
            let mut h = blake3::Hasher::new_keyed(&self.key);
            h.update(id);
            h.update(&[0]);
            h.update(normalized);
            h.finalize()
        };
        // Hex by table, two digits a byte: this runs once per finding,
        // `write!` per byte cost more than the hash itself, and a digit
        // at a time (nibble shifts and masks) ~130 instructions a
        // fingerprint (callgrind).
        let mut hex = [0u8; 32];
        for (pair, &b) in hex.chunks_exact_mut(2).zip(&out.as_bytes()[..16]) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
        }
        ArrayString::from_byte_string(&hex)
            .map(|s| ShortStr(Repr::Inline(s)))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_sources_read_the_flag_file_first_and_name_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, empty) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("empty"),
        );
        std::fs::write(&a, "secret-a\n").unwrap();
        std::fs::write(&b, "secret-b").unwrap();
        std::fs::write(&empty, "  \n").unwrap();
        // The flag's file wins over the config's, whatever the environment.
        let k = Fingerprinter::from_key_sources(Some(&a), Some(&b)).unwrap();
        assert!(k.stable);
        assert_eq!(
            k.key_check(),
            Fingerprinter::from_secret(b"secret-a").key_check()
        );
        let err = Fingerprinter::from_key_sources(Some(&empty), None).unwrap_err();
        assert!(
            err.contains("empty") && err.contains("key file is empty"),
            "{err}"
        );
        let missing = dir.path().join("missing");
        let err = Fingerprinter::from_key_sources(Some(&missing), None).unwrap_err();
        assert!(err.contains("missing: cannot read key file"), "{err}");
    }

    #[test]
    fn kind_ids_round_trip() {
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(Kind::from_id(k.id()), Some(k));
            assert_eq!(k as usize, i, "Kind::ALL is in declaration order");
        }
        assert_eq!(Kind::from_id("nope"), None);
    }

    #[test]
    fn masks_hide_the_identifying_part() {
        assert_eq!(mask(Kind::Phone, "+7 912 345-67-89"), "+7 *** ***-**-89");
        assert_eq!(mask(Kind::Phone, "8 (912) 345 67 89"), "* (***) *** ** 89");
        assert_eq!(
            mask(Kind::Card, "2200 1234 5678 9010"),
            "**** **** **** 9010"
        );
        assert_eq!(mask(Kind::Email, "ivan@mail.ru"), "i***@mail.ru");
        assert_eq!(mask(Kind::Ipv4, "192.168.10.20"), "192.***.**.**");
        assert_eq!(mask(Kind::Snils, "112-233-445 95"), "***-***-*** 95");
        assert_eq!(mask(Kind::Person, "Иванова Анна"), "И****** А***");
        // Short values never show more than half.
        assert_eq!(mask(Kind::Card, "1234"), "**34");
    }

    #[test]
    fn masks_for_identifier_and_document_kinds() {
        assert_eq!(
            mask(Kind::DeviceId, "00:1a:2b:3c:4d:5e"),
            "00:1a:2b:**:**:**"
        );
        assert_eq!(mask(Kind::DeviceId, "001a.2b3c.4d5e"), "001a.2b**.****");
        assert_eq!(mask(Kind::DeviceId, "490154203237518"), "*************18");
        assert_eq!(
            mask(Kind::DeviceId, "38400000-8cf0-11bd-b23e-10b96e40000d"),
            "38******-****-****-****-************"
        );
        assert_eq!(
            mask(Kind::Cookie, "GA1.2.1873462915.1714039200"),
            "GA*.*.**********.**********"
        );
        assert_eq!(mask(Kind::VehiclePlateRu, "А123ВС77"), "******77");
        assert_eq!(mask(Kind::VehiclePlateRu, "A123BC777"), "******777");
        assert_eq!(
            mask(Kind::Geo, "55.755831, 37.617673"),
            "55.7*****, 37.6*****"
        );
        assert_eq!(mask(Kind::Geo, "-33.8688"), "-33.8***");
        assert_eq!(mask(Kind::BirthPlace, "г. Саратов"), "г. С******");
        assert_eq!(mask(Kind::PassportForeignRu, "75 1234567"), "** *****67");
        assert_eq!(mask(Kind::DriverLicenseRu, "77 АВ 123456"), "** ** ****56");
        assert_eq!(mask(Kind::Oms, "7132647325068769"), "************8769");
    }

    #[test]
    fn fingerprints_are_keyed_and_stable() {
        let a = Fingerprinter::from_secret(b"k1");
        let b = Fingerprinter::from_secret(b"k2");
        let v = b"+79123456789";
        assert_eq!(a.fingerprint(Kind::Phone, v), a.fingerprint(Kind::Phone, v));
        assert_ne!(a.fingerprint(Kind::Phone, v), b.fingerprint(Kind::Phone, v));
        assert_ne!(a.fingerprint(Kind::Phone, v), a.fingerprint(Kind::Inn, v));
        assert_eq!(a.fingerprint(Kind::Phone, v).len(), 32);
    }

    /// The masks as they were before the inline fast paths (a `String`
    /// per value, chars pushed one by one): the reference the fast paths
    /// must match byte for byte.
    mod reference {
        use super::super::Kind;

        /// Masked preview of a value: enough to recognise it, not enough to use it.
        ///
        /// Digits and letters are replaced with `*` except the kind's visible part
        /// (last two digits of a phone, last four of a card, the first letter and
        /// domain of an e-mail ...); separators stay so the shape is recognisable.
        pub(super) fn mask(kind: Kind, value: &str) -> String {
            match kind {
                Kind::Email => mask_email(value),
                Kind::Card | Kind::BankAccount | Kind::Iban | Kind::Oms => mask_keep(value, 0, 4),
                Kind::Phone => mask_phone(value),
                Kind::Ipv4 => mask_ipv4(value),
                Kind::Ipv6 => mask_keep(value, 4, 0),
                Kind::Snils | Kind::Inn | Kind::Ogrn | Kind::Ssn => mask_keep(value, 0, 2),
                Kind::Person => mask_words(value),
                Kind::Cookie => mask_keep(value, 2, 0),
                Kind::DeviceId => mask_device(value),
                Kind::VehiclePlateRu => mask_plate(value),
                Kind::BirthPlace => mask_words(value),
                Kind::Geo => mask_geo(value),
                _ => mask_keep(value, 0, 2),
            }
        }

        /// MACs keep the vendor prefix (OUI, the first three octets: it names the
        /// maker, not the device); IMEIs and advertising ids keep two characters.
        fn mask_device(value: &str) -> String {
            let hex = value.bytes().filter(u8::is_ascii_hexdigit).count();
            let mac = hex == 12 && matches!(value.len(), 14 | 17);
            if mac {
                mask_keep(value, 6, 0)
            } else if value
                .bytes()
                .all(|c| c.is_ascii_digit() || c == b' ' || c == b'-')
            {
                mask_keep(value, 0, 2)
            } else {
                mask_keep(value, 2, 0)
            }
        }

        /// Plates keep the region code (the trailing digits): it names a region,
        /// not a car.
        fn mask_plate(value: &str) -> String {
            let region = value
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .count();
            mask_keep(value, 0, region)
        }

        /// Coordinates keep one decimal place (about 10 km): the area stays
        /// recognisable, the address does not.
        fn mask_geo(value: &str) -> String {
            let mut out = String::with_capacity(value.len());
            let mut places = None::<usize>;
            for c in value.chars() {
                match (c, places) {
                    ('.', None) => {
                        places = Some(0);
                        out.push(c);
                    }
                    (d, Some(n)) if d.is_ascii_digit() => {
                        out.push(if n == 0 { d } else { '*' });
                        places = Some(n + 1);
                    }
                    _ => {
                        places = None;
                        out.push(c);
                    }
                }
            }
            out
        }

        fn is_maskable(c: char) -> bool {
            // Basic Cyrillic letters first: `char::is_alphanumeric` takes a slow
            // table search for every non-ASCII char, most of the masking cost.
            is_basic_cyrillic(c) || c.is_alphanumeric()
        }

        /// `А`..`я`, `Ё`, `ё`: letters, so alphabetic (a cheap exact pre-check).
        #[inline]
        fn is_basic_cyrillic(c: char) -> bool {
            matches!(c, '\u{0410}'..='\u{044F}' | '\u{0401}' | '\u{0451}')
        }

        /// Masks every alphanumeric char except the first `keep_head` and the last
        /// `keep_tail` alphanumerics. Separators are kept.
        fn mask_keep(value: &str, keep_head: usize, keep_tail: usize) -> String {
            let mut out = String::with_capacity(value.len());
            mask_keep_into(&mut out, value, keep_head, keep_tail);
            out
        }

        /// [`mask_keep`] appended to `out`. A masked value is never longer than
        /// the value (`*` is one byte, every masked char at least one), so one
        /// `value.len()` reservation is all the allocation it takes: collecting
        /// chars into a fresh `String` reserved a quarter of that and grew it
        /// (a `realloc` per Cyrillic value), and a phone's mask was built twice.
        /// Measured gain small (callgrind: `mask` 248 M -> 242 M on a 54 MB scan);
        /// what remains is mostly char decoding of non-ASCII values.
        fn mask_keep_into(out: &mut String, value: &str, keep_head: usize, keep_tail: usize) {
            out.reserve(value.len());
            if value.is_ascii() {
                // Most values are ASCII: mask bytes, no char decoding.
                let bytes = value.as_bytes();
                let total = bytes.iter().filter(|b| b.is_ascii_alphanumeric()).count();
                let visible = (keep_head + keep_tail).min(total / 2);
                let head = keep_head.min(visible);
                let tail = visible - head;
                let mut seen = 0usize;
                out.extend(bytes.iter().map(|&c| {
                    let keep = if c.is_ascii_alphanumeric() {
                        seen += 1;
                        seen <= head || seen > total - tail
                    } else {
                        true
                    };
                    if keep { c as char } else { '*' }
                }));
                return;
            }
            let total = value.chars().filter(|c| is_maskable(*c)).count();
            // Never reveal more than half of a value, however short.
            let visible = (keep_head + keep_tail).min(total / 2);
            let head = keep_head.min(visible);
            let tail = visible - head;
            let mut seen = 0usize;
            out.extend(value.chars().map(|c| {
                if !is_maskable(c) {
                    return c;
                }
                seen += 1;
                if seen <= head || seen > total - tail {
                    c
                } else {
                    '*'
                }
            }));
        }

        fn mask_phone(value: &str) -> String {
            // Keep a leading "+7"/"+44" country code digit: it is not identifying.
            if let Some(rest) = value.strip_prefix('+') {
                let cc_len = usize::from(rest.starts_with(|c: char| c.is_ascii_digit()));
                let (cc, tail) = rest.split_at(cc_len);
                let mut out = String::with_capacity(value.len());
                out.push('+');
                out.push_str(cc);
                mask_keep_into(&mut out, tail, 0, 2);
                return out;
            }
            mask_keep(value, 0, 2)
        }

        fn mask_email(value: &str) -> String {
            match value.rsplit_once('@') {
                Some((local, domain)) => {
                    let mut chars = local.chars();
                    let mut out = String::with_capacity(value.len() + 2);
                    if let Some(first) = chars.next() {
                        out.push(first);
                    }
                    let stars = chars.count().max(1);
                    out.extend(std::iter::repeat_n('*', stars));
                    out.push('@');
                    out.push_str(domain);
                    out
                }
                None => mask_keep(value, 1, 0),
            }
        }

        fn mask_ipv4(value: &str) -> String {
            // Keep the first octet: it names the network, not the host.
            match value.split_once('.') {
                Some((first, rest)) => {
                    let mut out = String::with_capacity(value.len());
                    out.push_str(first);
                    out.push('.');
                    out.extend(rest.chars().map(|c| if c == '.' { '.' } else { '*' }));
                    out
                }
                None => mask_keep(value, 0, 0),
            }
        }

        fn mask_words(value: &str) -> String {
            // "Иванова Анна" -> "И****** А***": initials stay.
            let mut out = String::with_capacity(value.len());
            let mut at_word_start = true;
            for c in value.chars() {
                if is_basic_cyrillic(c) || c.is_alphabetic() {
                    out.push(if at_word_start { c } else { '*' });
                    at_word_start = false;
                } else {
                    out.push(c);
                    at_word_start = true;
                }
            }
            out
        }
    }

    /// A deterministic mix of what values hold: ASCII digits and letters,
    /// separators, Cyrillic (with Ё/ё), other scripts, and `@` / `.` / `+`
    /// in all places.
    fn generated_values() -> Vec<String> {
        const PARTS: &[&str] = &[
            "0", "1", "7", "9", "a", "Z", "x", " ", "-", "(", ")", ".", "+", "@", ":", "/", "_",
            "%", "<", "Д", "я", "Ё", "ё", "é", "ß", "Ω", "😀", "٣", "\t",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values = vec![
            String::new(),
            "@".into(),
            "a@b".into(),
            "@b.ru".into(),
            "+".into(),
            "+7".into(),
            "1.2.3.4".into(),
            "55.755831, 37.617673".into(),
            "А123ВС77".into(),
            "00:1a:2b:3c:4d:5e".into(),
        ];
        for _ in 0..20_000 {
            // Up to 90 parts: ASCII values past the 64-byte fast path too.
            let len = (next() % 90) as usize;
            let ascii_only = next() % 2 == 0;
            let mut v = String::new();
            for _ in 0..len {
                let p = PARTS[(next() % PARTS.len() as u64) as usize];
                if !ascii_only || p.is_ascii() {
                    v.push_str(p);
                }
            }
            values.push(v);
        }
        values
    }

    #[test]
    fn masks_match_the_reference_masks() {
        for v in generated_values() {
            for kind in Kind::ALL {
                let got = mask(kind, &v);
                assert_eq!(got.as_str(), reference::mask(kind, &v), "{kind} {v:?}");
            }
        }
    }

    /// The ASCII fast path against the char path it stands in for: every
    /// kind over the generated values and value-shaped ones, and the
    /// values are such that both paths and each mask's branches run.
    #[test]
    fn ascii_masks_match_the_char_masks() {
        let mut values = generated_values();
        for local in ["", "a", "ab", "abc", "a.b-c_d"] {
            for domain in ["", "x", "mail.ru", "a@b.c", "sub.example.com"] {
                values.push(format!("{local}@{domain}"));
            }
        }
        values.extend(
            [
                "+7 912 345-67-89",
                "+79123456789",
                "+ 12",
                "8 (912) 345 67 89",
                "192.168.10.20",
                "10.0.0.1:8080",
                ".1.2",
                "1234",
                "2001:db8::1",
                "00:1a:2b:3c:4d:5e",
                "001a.2b3c.4d5e",
                "490154203237518",
                "A123BC777",
                "55.755831, 37.617673",
                "Anna Maria O'Neil",
                "x\0y",
                "12345678901234567890123456789012",
                "123456789012345678901234567890123",
            ]
            .map(String::from),
        );
        let (mut fast, mut slow) = (0usize, 0usize);
        let mut kinds_fast = std::collections::BTreeSet::new();
        for v in &values {
            for kind in Kind::ALL {
                let want = mask_chars(kind, v);
                match mask_ascii(kind, v.as_bytes()) {
                    Some(got) => {
                        assert_eq!(got, want, "{kind} {v:?}");
                        fast += 1;
                        kinds_fast.insert(kind);
                    }
                    None => slow += 1,
                }
                assert_eq!(mask_bytes(kind, v.as_bytes()), want, "{kind} {v:?}");
            }
        }
        assert!(fast > 50_000 && slow > 50_000, "fast {fast} slow {slow}");
        assert_eq!(kinds_fast.len(), Kind::ALL.len());
        // Raw bytes that are not UTF-8 mask as their lossy text does.
        for v in [&b"ab\xff@x.ru"[..], b"\xd0", b"+7 912 \xfe45", b"\xc3("] {
            let text = String::from_utf8_lossy(v);
            for kind in Kind::ALL {
                assert_eq!(
                    mask_bytes(kind, v).as_str(),
                    reference::mask(kind, &text),
                    "{kind} {v:?}"
                );
            }
        }
    }

    /// The Cyrillic fast path against the char path it stands in for, as
    /// above: both paths run, every kind it takes is taken.
    #[test]
    fn cyrillic_masks_match_the_char_masks() {
        let mut values = generated_values();
        values.extend(
            [
                "Иванова Анна Петровна",
                "Ёлкин Семён",
                "г. Саратов",
                "77 АВ 123456",
                "А123ВС77",
                "серия 4509 номер 123456",
                "ул. Ленина, д. 5, кв. 12, г. Москва, 101000",
                "Ѣ Ѳ Ѵ",
                "a\u{0400}b\u{047F}",
                "Ж",
                "жж",
            ]
            .map(String::from),
        );
        // Long enough to need the heap.
        values.push("Александр ".repeat(12));
        let (mut fast, mut slow) = (0usize, 0usize);
        let mut kinds_fast = std::collections::BTreeSet::new();
        for v in &values {
            for kind in Kind::ALL {
                match mask_cyrillic(kind, v.as_bytes()) {
                    Some(got) => {
                        assert_eq!(got, mask_chars(kind, v), "{kind} {v:?}");
                        fast += 1;
                        kinds_fast.insert(kind);
                    }
                    None => slow += 1,
                }
            }
        }
        assert!(fast > 50_000 && slow > 50_000, "fast {fast} slow {slow}");
        assert_eq!(kinds_fast.len(), Kind::ALL.len() - 5);
        // Lead bytes without their continuation, and other two-byte chars.
        for v in [&b"\xd0"[..], b"ab\xd1", b"\xd0\xd0", b"\xd2\x80", b"\xd0 x"] {
            for kind in Kind::ALL {
                assert!(mask_cyrillic(kind, v).is_none(), "{kind} {v:?}");
            }
        }
    }

    #[test]
    fn ascii_alnum_is_ascii_alphanumeric() {
        for c in 0..=u8::MAX {
            assert_eq!(ascii::is_alnum(c), c.is_ascii_alphanumeric(), "{c:#x}");
        }
    }

    #[test]
    fn hex_pairs_are_two_hex_digits() {
        for b in 0..=u8::MAX {
            assert_eq!(HEX_PAIRS[usize::from(b)], *format!("{b:02x}").as_bytes());
        }
    }

    #[test]
    fn short_strings_hold_any_length() {
        for len in [0, 1, 31, 32, 33, 100] {
            let s = "ж".repeat(len / 2) + &"x".repeat(len % 2);
            let short = ShortStr::from(s.as_str());
            assert_eq!(short.as_str(), s);
            assert_eq!(ShortStr::from(s.clone()), short);
            assert_eq!(format!("{short}"), s);
            assert_eq!(format!("{short:?}"), format!("{s:?}"));
            assert_eq!(
                serde_json::to_string(&short).unwrap(),
                serde_json::to_string(&s).unwrap()
            );
        }
    }

    #[test]
    fn fingerprints_are_the_keyed_hash_of_kind_and_value() {
        // The contract: keyed BLAKE3 of the kind id, a NUL and the
        // normalised value; the first 16 bytes as hex. Long values take
        // the streaming path; both must agree with the one-shot hash.
        let f = Fingerprinter::from_secret(b"k");
        for len in [0usize, 1, 10, 100, 122, 123, 200, 5000] {
            let v: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let mut input = b"phone\0".to_vec();
            input.extend_from_slice(&v);
            let want = blake3::keyed_hash(&f.key, &input).to_hex();
            assert_eq!(
                f.fingerprint(Kind::Phone, &v).as_str(),
                &want[..32],
                "{len}"
            );
        }
    }

    #[test]
    fn signal_names_follow_contract() {
        let s = Signals::VALIDATED.union(Signals::CONTEXT);
        assert_eq!(s.names().collect::<Vec<_>>(), ["validated", "context"]);
        for (i, (signal, _)) in Signals::NAMES.into_iter().enumerate() {
            assert_eq!(signal.bits(), 1 << i, "NAMES[i] is bit i");
        }
        // Every combination, as the old filter over the table gave it
        // (bits without a name are not printed).
        for bits in 0..=u16::MAX {
            let s = Signals::from_bits(bits);
            let want: Vec<_> = Signals::NAMES
                .into_iter()
                .filter(|(n, _)| s.contains(*n))
                .map(|(_, name)| name)
                .collect();
            assert_eq!(s.names().collect::<Vec<_>>(), want, "{bits:#x}");
        }
    }
}
