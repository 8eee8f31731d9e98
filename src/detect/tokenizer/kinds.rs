//! Matchers for electronic identifiers and documents (issue #10): cookies,
//! device ids (MAC, IMEI, advertising ids), personal data inside URLs
//! (percent- and plus-encoded), foreign passports and their MRZ, OMS
//! policies, driver licences, vehicle plates, birth places and
//! coordinates.
//!
//! Everything here hangs off the tokenizer's existing triggers, so text
//! without these values costs a few byte compares more and no new pass:
//! - digit runs: [`Tokenizer::pre_chain`] (before chain parsing: URL
//!   escapes, UUID/MAC/MRZ shapes at fixed offsets, plates and licences
//!   whose digits follow a letter), [`Tokenizer::after_letter`] (digits
//!   glued to a letter: Latin plates, hex tokens starting with letters),
//!   [`Tokenizer::geo`] (a decimal with four or more places) and
//!   [`Tokenizer::classify_kinds`] (9, 10, 15 and 16 digit values);
//! - `:` — [`Tokenizer::colon_key`]: the key before the colon decides
//!   (`Cookie:`, `Set-Cookie:`, JSON `"cookies": [...]`, a HAR header
//!   whose name is `Cookie`, `Место рождения:`, `place_of_birth`), after
//!   a one-byte guard on the key's last letter; and colon-separated MACs.
//!
//! Plates trigger from their three digits, not from capital letters: a
//! letter trigger would fire on every word. URL-encoded values are decoded
//! into a small stack buffer with an offset map and run through the same
//! chain parser, so every digit kind is found inside URLs and spans index
//! the original bytes.

use super::{
    Builtin, Cand, Group, Norm, Run, Sep, TokScratch, Tokenizer, has_file_extension_tld,
    skip_digits,
};
use crate::finding::Signals;
use crate::validators::{email, luhn, mrz, oms};

/// The 12 Cyrillic plate letters (upper, lower) and their Latin look-alikes,
/// in the order of ru_checks.py `PLATE_LETTERS` / `PLATE_LATIN`.
const PLATE: [([u8; 2], [u8; 2], u8); 12] = [
    ([0xD0, 0x90], [0xD0, 0xB0], b'A'), // А
    ([0xD0, 0x92], [0xD0, 0xB2], b'B'), // В
    ([0xD0, 0x95], [0xD0, 0xB5], b'E'), // Е
    ([0xD0, 0x9A], [0xD0, 0xBA], b'K'), // К
    ([0xD0, 0x9C], [0xD0, 0xBC], b'M'), // М
    ([0xD0, 0x9D], [0xD0, 0xBD], b'H'), // Н
    ([0xD0, 0x9E], [0xD0, 0xBE], b'O'), // О
    ([0xD0, 0xA0], [0xD1, 0x80], b'P'), // Р
    ([0xD0, 0xA1], [0xD1, 0x81], b'C'), // С
    ([0xD0, 0xA2], [0xD1, 0x82], b'T'), // Т
    ([0xD0, 0xA3], [0xD1, 0x83], b'Y'), // У
    ([0xD0, 0xA5], [0xD1, 0x85], b'X'), // Х
];

/// A plate letter at `p`: (index into [`PLATE`], byte width, is Latin).
/// Latin look-alikes count only in upper case: lower-case `a123bc77` is far
/// more often a piece of a hex id than a plate.
fn plate_letter(buf: &[u8], p: usize) -> Option<(usize, usize, bool)> {
    let c = *buf.get(p)?;
    if c.is_ascii_uppercase() {
        return PLATE.iter().position(|l| l.2 == c).map(|i| (i, 1, true));
    }
    if matches!(c, 0xD0 | 0xD1) {
        let pair = [c, *buf.get(p + 1)?];
        return PLATE
            .iter()
            .position(|l| l.0 == pair || l.1 == pair)
            .map(|i| (i, 2, false));
    }
    None
}

/// A letter or digit of a word, ASCII or the lead/continuation byte of a
/// Cyrillic letter: values must not be glued to one.
fn wordish(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

/// Bytes that continue a hex/MRZ token: a UUID or MAC glued to them is
/// part of a longer identifier.
fn token_glue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'<') || c >= 0x80
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The byte a `%XY` escape at `p` stands for.
fn escape_at(buf: &[u8], p: usize) -> Option<u8> {
    if buf.get(p) != Some(&b'%') {
        return None;
    }
    Some(hex_val(*buf.get(p + 1)?)? << 4 | hex_val(*buf.get(p + 2)?)?)
}

/// Case-insensitive (ASCII) "does `buf[..end]` end with `word`".
fn ends_with_ci(buf: &[u8], end: usize, word: &[u8]) -> bool {
    end >= word.len() && buf[end - word.len()..end].eq_ignore_ascii_case(word)
}

/// A JSON string starting at the quote `p`: (content start, content end,
/// byte after the closing quote). Escapes are skipped, not decoded.
fn json_string(buf: &[u8], p: usize, limit: usize) -> Option<(usize, usize, usize)> {
    if buf.get(p) != Some(&b'"') {
        return None;
    }
    let mut q = p + 1;
    while q < limit {
        match buf[q] {
            b'\\' => q += 2,
            b'"' => return Some((p + 1, q, q + 1)),
            b'\n' => return None,
            _ => q += 1,
        }
    }
    None
}

fn skip_spaces(buf: &[u8], mut p: usize) -> usize {
    while p < buf.len() && matches!(buf[p], b' ' | b'\t') {
        p += 1;
    }
    p
}

/// A decimal `[-]D{1,3}.D{4,15}` at `p`, not continued by digits or a
/// further `.digit`: (value, end).
fn decimal_at(buf: &[u8], p: usize) -> Option<(f64, usize)> {
    let neg = buf.get(p) == Some(&b'-');
    let i = if neg { p + 1 } else { p };
    let ie = skip_digits(buf, i);
    if !(1..=3).contains(&(ie - i)) || buf.get(ie) != Some(&b'.') {
        return None;
    }
    let fe = skip_digits(buf, ie + 1);
    if !(4..=15).contains(&(fe - ie - 1)) {
        return None;
    }
    if buf.get(fe) == Some(&b'.') && buf.get(fe + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let v: f64 = std::str::from_utf8(&buf[i..fe]).ok()?.parse().ok()?;
    Some((if neg { -v } else { v }, fe))
}

/// Cookie names that carry an identifier (analytics client ids, session
/// ids, user ids), lower-case.
const ID_COOKIES: &[&str] = &[
    "_ga",
    "_gid",
    "_ym_uid",
    "yandexuid",
    "yuidss",
    "phpsessid",
    "jsessionid",
    "asp.net_sessionid",
    "connect.sid",
    "sid",
    "uid",
    "_fbp",
    "_fbc",
    "fr",
    "__utma",
    "_gcl_au",
    "tmr_lvid",
    "_ttp",
    "cid",
    "visitor",
    "userid",
    "clientid",
    "deviceid",
];

/// Cookie names whose values say nothing about a person: preferences,
/// consent flags, counters, CSRF tokens, `Set-Cookie` attributes.
const BENIGN_COOKIES: &[&str] = &[
    "lang",
    "language",
    "locale",
    "theme",
    "tz",
    "timezone",
    "currency",
    "region",
    "consent",
    "cookieconsent",
    "cookie_consent",
    "gdpr",
    "_ym_d",
    "_ym_isad",
    "_ym_visorc",
    "path",
    "domain",
    "expires",
    "max-age",
    "samesite",
    "secure",
    "httponly",
    "version",
    "comment",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum CookieName {
    Identifying,
    Benign,
    Unknown,
}

fn cookie_name_class(name: &[u8]) -> CookieName {
    let mut low = [0u8; 64];
    if name.is_empty() || name.len() > low.len() {
        return CookieName::Unknown;
    }
    let low = &mut low[..name.len()];
    low.copy_from_slice(name);
    low.make_ascii_lowercase();
    let low = &*low;
    let is = |list: &[&str]| list.iter().any(|w| w.as_bytes() == low);
    let has = |w: &[u8]| low.windows(w.len()).any(|x| x == w);
    if is(BENIGN_COOKIES) || has(b"csrf") || has(b"xsrf") || low.starts_with(b"_gat") {
        return CookieName::Benign;
    }
    if is(ID_COOKIES)
        || low.starts_with(b"_ga_")
        || has(b"sess")
        || low.ends_with(b"uid")
        || low.ends_with(b"_id")
        || low.ends_with(b"sid")
        || low.ends_with(b"token")
        || low.ends_with(b"guid")
    {
        return CookieName::Identifying;
    }
    CookieName::Unknown
}

/// Distinct bytes in a value (up to 64 counted): a cheap entropy floor.
fn distinct(v: &[u8]) -> usize {
    let mut seen = [false; 256];
    let mut n = 0;
    for &c in v.iter().take(256) {
        if !seen[c as usize] {
            seen[c as usize] = true;
            n += 1;
        }
    }
    n
}

/// Is a cookie value worth reporting, given what its name says?
fn cookie_value_ok(class: CookieName, v: &[u8]) -> bool {
    const PLACEHOLDERS: [&[u8]; 7] = [
        b"deleted",
        b"null",
        b"undefined",
        b"true",
        b"false",
        b"none",
        b"expired",
    ];
    if PLACEHOLDERS.iter().any(|p| v.eq_ignore_ascii_case(p)) {
        return false;
    }
    let digits = v.iter().any(u8::is_ascii_digit);
    let letters = v.iter().any(u8::is_ascii_alphabetic);
    match class {
        CookieName::Benign => false,
        CookieName::Identifying => v.len() >= 6 && distinct(v) >= 4,
        // Unknown names: only values that look like generated ids.
        CookieName::Unknown => {
            v.len() >= 16 && distinct(v) >= 8 && digits && (letters || v.len() >= 20)
        }
    }
}

/// Valid region codes of a plate: 01..99 and three-digit codes starting
/// with 1, 2, 7 or 9 (102, 116, 750, 777, 977 ...), never x00.
fn plate_region_ok(r: &[u8]) -> bool {
    match r.len() {
        2 => r != b"00",
        3 => matches!(r[0], b'1' | b'2' | b'7' | b'9') && &r[1..] != b"00",
        _ => false,
    }
}

/// Abbreviations of place types that end in a full stop inside a place
/// name ("г. Тула", "Саратовская обл."), lower-case.
const PLACE_ABBREVIATIONS: &[&str] = &[
    "г",
    "гор",
    "обл",
    "пос",
    "п",
    "с",
    "д",
    "дер",
    "р-н",
    "р",
    "респ",
    "пгт",
    "ст",
    "рп",
    "нп",
    "ао",
    "х",
    "м",
    "ул",
    "им",
    "св",
    "ст-ца",
    "мкр",
    "край",
];

/// Does the word ending at `dot` (exclusive) abbreviate a place type?
fn place_abbreviation(buf: &[u8], start: usize, dot: usize) -> bool {
    let w = buf[start..dot]
        .iter()
        .rposition(|&c| matches!(c, b' ' | b',' | b'(' | b'.'))
        .map_or(start, |i| start + i + 1);
    std::str::from_utf8(&buf[w..dot]).is_ok_and(|word| {
        let low = word.to_lowercase();
        PLACE_ABBREVIATIONS.contains(&low.as_str())
    })
}

/// Where a birth-place value ends: the end of the line, a field separator,
/// a closing quote, a sentence end, or a comma that starts the next
/// `key: value` pair. At most 160 bytes, cut at a word boundary.
fn clause_end(buf: &[u8], start: usize, quoted: bool) -> usize {
    const MAX: usize = 160;
    let limit = (start + MAX).min(buf.len());
    let mut q = start;
    while q < limit {
        let c = buf[q];
        match c {
            b'\n' | b'\r' | b'\t' | b';' | b'|' | b'"' | b'{' | b'}' | b'<' => break,
            b'\\' if quoted => break,
            b'.' => {
                // "... Москва. Паспорт ..." ends the clause; "г. Москва"
                // (a short abbreviation) does not.
                let next_upper = buf.get(q + 1) == Some(&b' ')
                    && buf.get(q + 2).is_some_and(|&n| {
                        n.is_ascii_uppercase()
                            || n == 0xD0
                                && buf.get(q + 3).is_some_and(|&m| (0x81..=0xAF).contains(&m))
                    });
                if next_upper && !place_abbreviation(buf, start, q) {
                    break;
                }
            }
            b',' => {
                // ", дата рождения: ..." starts another field.
                let look = &buf[q + 1..(q + 41).min(buf.len())];
                let colon = look.iter().position(|&x| x == b':');
                let comma = look.iter().position(|&x| x == b',' || x == b'\n');
                if colon.is_some_and(|c| comma.is_none_or(|k| c < k)) {
                    break;
                }
            }
            _ => {}
        }
        q += 1;
    }
    if q == limit && limit == start + MAX {
        // Cut at the last space so no word (or character) is split.
        while q > start && buf[q - 1] != b' ' {
            q -= 1;
        }
    }
    loop {
        while q > start && matches!(buf[q - 1], b' ' | b',' | b':' | b'-') {
            q -= 1;
        }
        // A final full stop ends a sentence unless it ends an abbreviation
        // ("обл.", "г."), which belongs to the place.
        if q > start && buf[q - 1] == b'.' && !place_abbreviation(buf, start, q - 1) {
            q -= 1;
            continue;
        }
        return q;
    }
}

impl Tokenizer {
    // ------------------------------------------------------------ hooks

    /// Before chain parsing of a digit run at `s` (not glued to a word
    /// before): URL escapes and URL-encoded runs, hex-token shapes, plates
    /// and licences whose digits follow a letter.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pre_chain(
        &self,
        buf: &[u8],
        s: usize,
        run: Run,
        prev: u8,
        eof: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if prev == b'%' {
            return self.url_escape(buf, s, eof, scratch, out);
        }
        if prev == b'.'
            && let Some(e) = self.mid_token(buf, s, scratch, out)
        {
            return Some(e);
        }
        // Three digits alone: a plate's region code after its letters.
        if run.len == 3
            && (prev >= 0x80 || prev == b' ')
            && let Some(e) = self.plate_before(buf, s, scratch, out)
        {
            return Some(e);
        }
        // Two digits, then a space or letters: a licence's series.
        if run.len == 2
            && matches!(run.next, b' ' | 0xD0 | b'A'..=b'Z')
            && let Some(e) = self.licence_letters(buf, s, scratch, out)
        {
            return Some(e);
        }
        if token_shape_guard(buf, s)
            && let Some(e) = self.token_shapes(buf, s, scratch, out)
        {
            return Some(e);
        }
        if matches!(prev, b'=' | b'+' | b'/') {
            // Past the plain part of the run (`112-233-445+95`).
            let mut e = s + run.len;
            if matches!(buf.get(e), Some(b'-' | b'(' | b')')) {
                while e < buf.len()
                    && e - s < 40
                    && matches!(buf[e], b'0'..=b'9' | b'-' | b'.' | b'(' | b')')
                {
                    e += 1;
                }
            }
            let plus_sep =
                buf.get(e) == Some(&b'+') && buf.get(e + 1).is_some_and(u8::is_ascii_digit);
            let esc_sep = buf.get(e) == Some(&b'%') && buf.get(e + 1) == Some(&b'2');
            if plus_sep || esc_sep {
                let start = if prev == b'+' { s - 1 } else { s };
                return self.url_digits(buf, start, eof, scratch, out);
            }
        }
        None
    }

    /// Digits right after an ASCII letter at `s - 1`: a Latin plate
    /// (`A123BC77`), or a UUID / MAC / MRZ line that starts with letters.
    pub(super) fn after_letter(
        &self,
        buf: &[u8],
        s: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if (s < 2 || !wordish(buf[s - 2]))
            && plate_letter(buf, s - 1).is_some()
            && let Some(e) = self.plate(buf, s - 1, s, scratch, out)
        {
            return Some(e);
        }
        let mut ts = s;
        while ts > 0 && s - ts < 9 && buf[ts - 1].is_ascii_alphabetic() {
            ts -= 1;
        }
        if (ts == 0 || !token_glue(buf[ts - 1])) && token_shape_guard(buf, ts) {
            return self.token_shapes(buf, ts, scratch, out);
        }
        if ts > 0 && matches!(buf[ts - 1], b'-' | b'.') {
            return self.mid_token(buf, s, scratch, out);
        }
        None
    }

    /// Digits inside a token whose earlier groups hold only hex letters
    /// (`ac-de-48-…`, `EC-F1-…`, `ecfa.4b74.a60a`): the MAC or UUID was
    /// not seen from its start, since only digits trigger. Scans back to
    /// the token start and tries the shapes from there. Called after `-`
    /// or `.`, or after hex letters that follow one.
    pub(super) fn mid_token(
        &self,
        buf: &[u8],
        s: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        // A token whose earlier groups held a digit was examined from that
        // digit already.
        if s < 2 || !matches!(buf[s - 2], b'a'..=b'f' | b'A'..=b'F' | b'-' | b'.') {
            return None;
        }
        let mut ts = s;
        while ts > 0
            && s - ts < 24
            && (buf[ts - 1].is_ascii_hexdigit() || matches!(buf[ts - 1], b'-' | b'.'))
        {
            if buf[ts - 1].is_ascii_digit() {
                return None;
            }
            ts -= 1;
        }
        while ts < s && matches!(buf[ts], b'-' | b'.') {
            ts += 1;
        }
        if ts == s || ts > 0 && token_glue(buf[ts - 1]) || !token_shape_guard(buf, ts) {
            return None;
        }
        self.token_shapes(buf, ts, scratch, out)
    }

    /// A decimal with four or more places at `s` (chain groups `g0 . g1`):
    /// a coordinate, or a latitude/longitude pair. Both need context.
    #[inline(never)]
    pub(super) fn geo(
        &self,
        buf: &[u8],
        s: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if !self.on(Builtin::Geo) && !self.on(Builtin::GeoCoord) {
            return None;
        }
        let neg = s > 0 && buf[s - 1] == b'-' && (s < 2 || !buf[s - 2].is_ascii_alphanumeric());
        let a = if neg { s - 1 } else { s };
        let (v1, e1) = decimal_at(buf, a)?;
        if v1.abs() > 180.0 {
            return None;
        }
        // The second number of a pair: ", " / "," / " " / ";" between.
        let mut p = e1;
        if matches!(buf.get(p), Some(b',' | b';')) {
            p += 1;
        }
        p = skip_spaces(buf, p);
        if p > e1
            && p - e1 <= 3
            && let Some((v2, e2)) = decimal_at(buf, p)
            && !buf.get(e2).is_some_and(|&c| c.is_ascii_alphanumeric())
            && v2.abs() <= 180.0
            && (v1.abs() <= 90.0 || v2.abs() <= 90.0)
            && self.on(Builtin::Geo)
        {
            let mut norm = buf[a..e1].to_vec();
            norm.push(b',');
            norm.extend_from_slice(&buf[p..e2]);
            self.emit(
                scratch,
                out,
                Builtin::Geo,
                (a, e2),
                (Signals::FORMAT_ONLY.union(Signals::FORMATTED), true),
                Norm::from_vec(norm),
            );
            Self::close_group(scratch);
            // Each number on its own too, in its own group: in a CSV row
            // `55.7558,37.6173` is a lat and a lon cell, and the column
            // hints of the single rule then win the overlap.
            self.geo_single(buf, a, e1, scratch, out);
            self.geo_single(buf, p, e2, scratch, out);
            return Some(e2);
        }
        if buf.get(e1).is_some_and(|&c| c.is_ascii_alphanumeric()) {
            return None;
        }
        self.geo_single(buf, a, e1, scratch, out);
        Some(e1)
    }

    /// One latitude or longitude at `a..e1`.
    fn geo_single(
        &self,
        buf: &[u8],
        a: usize,
        e1: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) {
        if !self.on(Builtin::GeoCoord) {
            return;
        }
        // A lone number is a coordinate only as the value of a lat/lon key
        // (`lat=55.7558`, `"lon": 37.6173`) or in a lat/lon column: a
        // "lat" word further away (a CSV header above the first rows)
        // says nothing about this number.
        let keyed = latlon_key_before(buf, a);
        // Unkeyed, only a lat/lon column can make it a coordinate.
        if !keyed && !scratch.structured {
            return;
        }
        self.emit(
            scratch,
            out,
            Builtin::GeoCoord,
            (a, e1),
            (
                if keyed {
                    Signals::FORMAT_ONLY.union(Signals::CONTEXT)
                } else {
                    Signals::FORMAT_ONLY
                },
                !keyed,
            ),
            Norm::from_slice(&buf[a..e1]),
        );
        Self::close_group(scratch);
    }

    /// Alternatives for one digit value of the new numeric kinds, in the
    /// same group as the existing ones (context picks): OMS policy (16),
    /// IMEI (15), foreign passport (9), driver licence (10, beside the
    /// internal passport).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn classify_kinds(
        &self,
        buf: &[u8],
        groups: &[Group],
        seps: &[Sep],
        lens: &[usize],
        d: &[u8],
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) {
        let span = (groups[0].start, groups[groups.len() - 1].end);
        let single = groups.len() == 1;
        let formatted = if single {
            Signals::empty()
        } else {
            Signals::FORMATTED
        };
        let spaced = |c: u8| seps.iter().all(|s| s.punct == 0 || s.punct == c);
        match d.len() {
            16 if self.on(Builtin::Oms)
                && (single || lens == [4, 4, 4, 4] && spaced(0))
                && oms::oms_valid(d) =>
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::Oms,
                    span,
                    (Signals::VALIDATED.union(formatted), true),
                    Norm::from_slice(d),
                );
            }
            15 if self.on(Builtin::Imei)
                && (single || lens == [2, 6, 6, 1] && (spaced(b'-') || spaced(0)))
                && luhn::luhn_valid(d) =>
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::Imei,
                    span,
                    (Signals::VALIDATED.union(formatted), true),
                    Norm::from_slice(d),
                );
            }
            9 if self.on(Builtin::PassportForeign)
                && (single || lens == [2, 7])
                && spaced(b'N')
                && (scratch.structured || passport_word_before(buf, span.0)) =>
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::PassportForeign,
                    span,
                    (Signals::FORMAT_ONLY.union(formatted), true),
                    Norm::from_slice(d),
                );
            }
            10 if self.on(Builtin::DriverLicense)
                && (single || lens == [2, 2, 6] || lens == [4, 6])
                && spaced(b'N') =>
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::DriverLicense,
                    span,
                    (Signals::FORMAT_ONLY.union(formatted), true),
                    Norm::from_slice(d),
                );
            }
            _ => {}
        }
    }

    /// `:` seen. Dispatches on the key before it; `None` when the key is
    /// none of ours. The first test is one byte, so the colons of
    /// timestamps and URLs cost almost nothing.
    #[inline]
    pub(super) fn colon_key(
        &self,
        buf: &[u8],
        colon: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        // Timestamps, ports and URLs (`https://`): a digit or slash after
        // the colon is never ours; nor is a key with another ending.
        if colon == 0
            || buf
                .get(colon + 1)
                .is_some_and(|&c| c.is_ascii_digit() || c == b'/')
        {
            return None;
        }
        let k = if buf[colon - 1] == b'"' {
            colon - 1
        } else {
            colon
        };
        if k < 2 {
            return None;
        }
        // The last two bytes of the keys, ASCII-folded: cooKIE, cookiES,
        // valUE, birthplaCE, birTH (place of birth), рождениЯ, рожД.
        let tail = (buf[k - 2] | 0x20, buf[k - 1] | 0x20);
        if !matches!(
            tail,
            (b'i', b'e')
                | (b'e', b's')
                | (b'u', b'e')
                | (b'c', b'e')
                | (b't', b'h')
                | (0xF0 | 0xF1, 0xAF)
                | (0xB4, b'.')
        ) {
            return None;
        }
        self.colon_key_slow(buf, colon, scratch, out)
    }

    #[inline(never)]
    fn colon_key_slow(
        &self,
        buf: &[u8],
        colon: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        let quoted_key = colon > 0 && buf[colon - 1] == b'"';
        let k = if quoted_key { colon - 1 } else { colon };
        let last = *buf.get(k.checked_sub(1)?)?;
        let word_start = |len: usize| k < len + 1 || !buf[k - len - 1].is_ascii_alphanumeric();
        match last | 0x20 {
            b'e' | b's' => {
                if ends_with_ci(buf, k, b"cookie") && word_start(6) {
                    let set = ends_with_ci(buf, k - 6, b"set-");
                    return self.cookie_header(buf, colon + 1, set, scratch, out);
                }
                if ends_with_ci(buf, k, b"cookies") && word_start(7) {
                    return self.cookie_header(buf, colon + 1, false, scratch, out);
                }
                if quoted_key && ends_with_ci(buf, k, b"\"value") {
                    return self.har_cookie_header(buf, k - 6, colon + 1, scratch, out);
                }
                if ends_with_ci(buf, k, b"birthplace") && word_start(10)
                    || ends_with_ci(buf, k, b"birth_place") && word_start(11)
                {
                    return self.birth_place(buf, colon + 1, scratch, out);
                }
                None
            }
            b'h' => {
                let keys: [&[u8]; 3] = [b"place of birth", b"place_of_birth", b"placeofbirth"];
                if keys
                    .iter()
                    .any(|w| ends_with_ci(buf, k, w) && word_start(w.len()))
                {
                    return self.birth_place(buf, colon + 1, scratch, out);
                }
                None
            }
            // 'я' / 'Я' (D1 8F / D0 AF) ends "рождения"; '.' ends "рожд.".
            0xAF | b'.' => {
                const KEYS: [&str; 6] = [
                    "место рождения",
                    "место_рождения",
                    "место рожд.",
                    "МЕСТО РОЖДЕНИЯ",
                    "Место рождения",
                    "Место рожд.",
                ];
                if KEYS
                    .iter()
                    .any(|w| buf[..k].ends_with(w.as_bytes()) && word_start(w.len()))
                {
                    return self.birth_place(buf, colon + 1, scratch, out);
                }
                None
            }
            _ => None,
        }
    }

    // ------------------------------------------------------------ URLs

    /// Digits right after `%`: `%40` is an e-mail's `@`; `%2B` (`+`),
    /// `%20` (space), `%28` (`(`) start an encoded phone or number.
    #[inline(never)]
    fn url_escape(
        &self,
        buf: &[u8],
        s: usize,
        eof: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        match escape_at(buf, s - 1)? {
            b'@' => self.email_url(buf, s - 1, scratch, out),
            b'+' | b' ' | b'(' => self.url_digits(buf, s - 1, eof, scratch, out),
            _ => None,
        }
    }

    /// An e-mail whose `@` is written `%40` at `at`. The local part is
    /// decoded (`%2B` → `+`); a decoded character that cannot stand in a
    /// local part (`:` of `mailto%3A`, a `+` that means space) starts it
    /// afresh.
    #[inline(never)]
    fn email_url(
        &self,
        buf: &[u8],
        at: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if !self.on(Builtin::EmailUrl) {
            return None;
        }
        let mut ls = at;
        while ls > 0 && at - ls < 128 {
            let c = buf[ls - 1];
            if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'+' | b'-' | b'%') {
                ls -= 1;
            } else {
                break;
            }
        }
        // Decode the local part forwards, restarting after separators.
        let mut local: Vec<u8> = Vec::with_capacity(at - ls);
        let mut start = ls;
        let mut p = ls;
        while p < at {
            let (c, w) = match escape_at(buf, p) {
                Some(c) => (c, 3),
                None if buf[p] == b'+' => (b' ', 1),
                None if buf[p] == b'%' => (0, 1),
                None => (buf[p], 1),
            };
            p += w;
            if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'+' | b'-') {
                local.push(c);
            } else {
                local.clear();
                start = p;
            }
        }
        while local
            .first()
            .is_some_and(|&c| matches!(c, b'.' | b'-' | b'+'))
        {
            local.remove(0);
            start += 1;
        }
        if local.is_empty() || local.len() > 64 {
            return None;
        }
        let mut e = at + 3;
        while e < buf.len() && e - at < 255 {
            let c = buf[e];
            if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' {
                e += 1;
            } else if matches!(c, 0xD0 | 0xD1)
                && buf.get(e + 1).is_some_and(|n| (0x80..0xC0).contains(n))
            {
                e += 2;
            } else {
                break;
            }
        }
        while e > at + 3 && matches!(buf[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let mut value = local;
        value.push(b'@');
        value.extend_from_slice(&buf[at + 3..e]);
        if e <= at + 3 || has_file_extension_tld(&value) {
            return None;
        }
        let norm = Norm::from_vec(email::email_normal(&value)?);
        self.emit(
            scratch,
            out,
            Builtin::EmailUrl,
            (start, e),
            (Signals::VALIDATED, false),
            norm,
        );
        Self::close_group(scratch);
        Some(e)
    }

    /// A URL-encoded run of digits from `start` (`%2B7%20900…`,
    /// `8+900+123+45+67`): decoded into a stack buffer with an offset map
    /// and run through the ordinary chain parser; spans are mapped back to
    /// the original bytes. Phones found this way report as `phone.url`.
    #[inline(never)]
    fn url_digits(
        &self,
        buf: &[u8],
        start: usize,
        eof: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        const CAP: usize = 64;
        let mut dec = [0u8; CAP];
        let mut map = [0usize; CAP + 1];
        let mut n = 0;
        let mut p = start;
        let mut changed = false;
        while p < buf.len() && n < CAP {
            let c = buf[p];
            let (d, w) = match c {
                b'0'..=b'9' | b'-' | b'.' | b'(' | b')' => (c, 1),
                // A leading plus is the country-code plus; inside the run
                // it is form-encoding's space.
                b'+' if n == 0 => (b'+', 1),
                b'+' => (b' ', 1),
                b'%' => match escape_at(buf, p) {
                    Some(x @ (b'+' | b' ' | b'(' | b')' | b'-' | b'.')) => (x, 3),
                    _ => break,
                },
                _ => break,
            };
            changed |= w == 3 || c == b'+' && n > 0;
            dec[n] = d;
            map[n] = p;
            n += 1;
            p += w;
        }
        map[n] = p;
        if !changed {
            return None;
        }
        let fd = dec[..n].iter().position(u8::is_ascii_digit)?;
        let before = out.len();
        let dec = &dec[..n];
        // Through `scan`, not `digits`: a call back into the one function
        // that `digits` is inlined into keeps the hot path inlined.
        let outer_eof = scratch.eof;
        self.scan(dec, fd, n, eof || p < buf.len(), scratch, out);
        scratch.eof = outer_eof;
        for c in &mut out[before..] {
            let raw_start = map[c.start];
            let raw_end = map[c.end];
            let encoded = buf[raw_start..raw_end]
                .iter()
                .any(|&b| b == b'%' || b == b'+');
            c.start = raw_start;
            c.end = raw_end;
            if encoded
                && matches!(
                    c.class,
                    Builtin::PhoneRu | Builtin::PhoneRuBare | Builtin::PhoneIntl
                )
                && self.on(Builtin::PhoneUrl)
            {
                c.class = Builtin::PhoneUrl;
            }
        }
        Some(p)
    }

    // ------------------------------------------------------------ tokens

    /// UUIDs (advertising ids), MACs in dash/colon/dot form and TD3 MRZ
    /// lines starting at `ts`. Returns the token's end when it had one of
    /// these shapes, whether or not it was reported, so the rest of the
    /// token is skipped in one step.
    #[inline(never)]
    fn token_shapes(
        &self,
        buf: &[u8],
        ts: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        let b = |k: usize| buf.get(ts + k).copied().unwrap_or(0);
        if b(8) == b'-' && b(13) == b'-' {
            return self.uuid(buf, ts, scratch, out);
        }
        if matches!(b(2), b'-' | b':') && b(5) == b(2) || b(4) == b'.' && b(9) == b'.' {
            return self.mac(buf, ts, scratch, out);
        }
        self.mrz(buf, ts, scratch, out)
    }

    fn uuid(
        &self,
        buf: &[u8],
        ts: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        let e = ts + 36;
        let t = buf.get(ts..e)?;
        let shape = t.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
        if !shape || buf.get(e).is_some_and(|&c| token_glue(c)) {
            return None;
        }
        // The all-zero id is what iOS reports when tracking is limited.
        if !self.on(Builtin::AdId) || t.iter().all(|&c| c == b'0' || c == b'-') {
            return Some(e);
        }
        // Request and trace ids are UUIDs too. The word right before the
        // UUID decides (`gaid=…`, `IDFA …` yes; `request_id=…`, `код
        // ошибки …` no, whatever other words stand nearby); in a table a
        // column named gaid/idfa can still claim one.
        const HINTS: [&[u8]; 6] = [b"aid", b"idf", b"adid", b"ad_id", b"advertis", b"device"];
        let (sig, needs_context) = match key_before(buf, ts) {
            Some((k, _)) if contains_any(k, &HINTS) => {
                (Signals::FORMAT_ONLY.union(Signals::CONTEXT), false)
            }
            // The value of some other key (`"request_id": "…"`).
            Some((_, true)) => return Some(e),
            // A bare cell: its column may still say gaid/idfa.
            _ if scratch.structured => (Signals::FORMAT_ONLY, true),
            _ => return Some(e),
        };
        self.emit(
            scratch,
            out,
            Builtin::AdId,
            (ts, e),
            (sig, needs_context),
            Norm::from_vec(t.to_ascii_lowercase()),
        );
        Self::close_group(scratch);
        Some(e)
    }

    /// A MAC address: `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E` or Cisco's
    /// `001a.2b3c.4d5e`. Not reported: all-zero, broadcast and group
    /// (multicast) addresses, which name no device. Twelve decimal digits
    /// in colon form (`12:34:56:78:90:12`) read as a time code as much as
    /// a MAC, so those need a context word.
    pub(super) fn mac(
        &self,
        buf: &[u8],
        ts: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        let sep = *buf.get(ts + 2)?;
        let (len, sep) = if matches!(sep, b':' | b'-') {
            (17, sep)
        } else {
            (14, b'.')
        };
        let t = buf.get(ts..ts + len)?;
        // Separators first: "10:23:45.123" fails at its first dot.
        let seps_ok = if len == 17 {
            [2, 5, 8, 11, 14].iter().all(|&i| t[i] == sep)
        } else {
            t[4] == sep && t[9] == sep
        };
        if !seps_ok {
            return None;
        }
        let mut hex = [0u8; 12];
        let mut n = 0;
        for (i, &c) in t.iter().enumerate() {
            let is_sep = if len == 17 { i % 3 == 2 } else { i % 5 == 4 };
            if is_sep {
                if c != sep {
                    return None;
                }
            } else {
                hex[n] = hex_val(c)?;
                n += 1;
            }
        }
        let e = ts + len;
        let glued = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        if buf.get(e).is_some_and(|&c| glued(c))
            || buf.get(e) == Some(&sep) && buf.get(e + 1).is_some_and(u8::is_ascii_hexdigit)
            || ts > 0 && (glued(buf[ts - 1]) || buf[ts - 1] == sep)
        {
            return None;
        }
        let first = hex[0] << 4 | hex[1];
        let all = |v: u8| hex.iter().all(|&h| h == v);
        if all(0) || all(15) || first & 1 == 1 || !self.on(Builtin::Mac) {
            return Some(e);
        }
        // Twelve decimal digits in colon form are a MAC only as the value
        // of a MAC key (`mac=`, `HWaddr`, `bssid:`).
        let decimal = sep == b':' && t.iter().all(|&c| c.is_ascii_digit() || c == b':');
        const MAC_KEYS: [&[u8]; 5] = [b"mac", b"hwaddr", b"bssid", b"ether", b"lladdr"];
        if decimal && !key_before(buf, ts).is_some_and(|(k, _)| contains_any(k, &MAC_KEYS)) {
            return Some(e);
        }
        let norm: Vec<u8> = hex
            .iter()
            .map(|&h| b"0123456789abcdef"[h as usize])
            .collect();
        self.emit(
            scratch,
            out,
            Builtin::Mac,
            (ts, e),
            (Signals::FORMAT_ONLY, false),
            Norm::from_vec(norm),
        );
        Self::close_group(scratch);
        Some(e)
    }

    /// A TD3 MRZ line 2 at `ts` with all its check digits right, and line 1
    /// when it stands on the line above. Reported with the document number
    /// as the normalised value.
    fn mrz(
        &self,
        buf: &[u8],
        ts: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        let e = ts + mrz::TD3_LINE;
        let line = buf.get(ts..e)?;
        if buf.get(e).is_some_and(|&c| mrz::is_mrz_char(c))
            || ts > 0 && mrz::is_mrz_char(buf[ts - 1])
            || !mrz::td3_line2_valid(line)
        {
            return None;
        }
        let mut start = ts;
        if ts > 0 && buf[ts - 1] == b'\n' {
            let l1e = if ts > 1 && buf[ts - 2] == b'\r' {
                ts - 2
            } else {
                ts - 1
            };
            if l1e >= mrz::TD3_LINE
                && mrz::td3_line1_plausible(&buf[l1e - mrz::TD3_LINE..l1e])
                && (l1e == mrz::TD3_LINE || !mrz::is_mrz_char(buf[l1e - mrz::TD3_LINE - 1]))
            {
                start = l1e - mrz::TD3_LINE;
            }
        }
        if self.on(Builtin::Mrz) {
            self.emit(
                scratch,
                out,
                Builtin::Mrz,
                (start, e),
                (Signals::VALIDATED, false),
                Norm::from_vec(mrz::document_number(line)),
            );
            Self::close_group(scratch);
        }
        Some(e)
    }

    // ------------------------------------------------------------ plates, licences

    /// The three digits at `s` follow a letter (Cyrillic, maybe a space
    /// between): a plate `А123ВС77` / `а 123 вс 777`.
    #[inline(never)]
    fn plate_before(
        &self,
        buf: &[u8],
        s: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if s == 0 {
            return None;
        }
        let l_end = if buf[s - 1] == b' ' { s - 1 } else { s };
        if l_end < 2 {
            return None;
        }
        let ls = l_end - 2;
        let (_, 2, _) = plate_letter(buf, ls)? else {
            return None;
        };
        if ls > 0 && wordish(buf[ls - 1]) {
            return None;
        }
        self.plate(buf, ls, s, scratch, out)
    }

    /// Plate from its first letter at `ls` and its digits at `s`:
    /// letter, 3 digits, 2 letters, 2-3 digit region, single spaces
    /// allowed between the parts. Latin look-alikes are normalised to
    /// Cyrillic; an all-Latin plate needs context (SKUs look the same).
    #[inline(never)]
    fn plate(
        &self,
        buf: &[u8],
        ls: usize,
        s: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if !self.on(Builtin::Plate) {
            return None;
        }
        let (l0, _, lat0) = plate_letter(buf, ls)?;
        let de = skip_digits(buf, s);
        if de - s != 3 {
            return None;
        }
        let mut p = de;
        if buf.get(p) == Some(&b' ') {
            p += 1;
        }
        let (l1, w1, lat1) = plate_letter(buf, p)?;
        let (l2, w2, lat2) = plate_letter(buf, p + w1)?;
        p += w1 + w2;
        if buf.get(p) == Some(&b' ') {
            p += 1;
        }
        let re = skip_digits(buf, p);
        let region = &buf[p..re];
        if !plate_region_ok(region) || buf.get(re).is_some_and(|&c| wordish(c)) {
            return None;
        }
        let mut norm = Vec::with_capacity(16);
        norm.extend_from_slice(&PLATE[l0].0);
        norm.extend_from_slice(&buf[s..de]);
        norm.extend_from_slice(&PLATE[l1].0);
        norm.extend_from_slice(&PLATE[l2].0);
        norm.extend_from_slice(region);
        let latin_only = lat0 && lat1 && lat2;
        self.emit(
            scratch,
            out,
            Builtin::Plate,
            (ls, re),
            (Signals::FORMAT_ONLY, latin_only),
            Norm::from_vec(norm),
        );
        Self::close_group(scratch);
        Some(re)
    }

    /// An old-style driver licence `77 АВ 123456`: region digits, two
    /// plate letters, six digits.
    #[inline(never)]
    fn licence_letters(
        &self,
        buf: &[u8],
        s: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if !self.on(Builtin::DriverLicense) {
            return None;
        }
        let mut p = s + 2;
        if buf.get(p) == Some(&b' ') {
            p += 1;
        }
        let (l1, w1, _) = plate_letter(buf, p)?;
        let (l2, w2, _) = plate_letter(buf, p + w1)?;
        p += w1 + w2;
        if buf.get(p) == Some(&b' ') {
            p += 1;
        }
        let e = skip_digits(buf, p);
        if e - p != 6 || buf.get(e).is_some_and(|&c| wordish(c)) {
            return None;
        }
        let mut norm = buf[s..s + 2].to_vec();
        norm.extend_from_slice(&PLATE[l1].0);
        norm.extend_from_slice(&PLATE[l2].0);
        norm.extend_from_slice(&buf[p..e]);
        self.emit(
            scratch,
            out,
            Builtin::DriverLicense,
            (s, e),
            (Signals::FORMAT_ONLY.union(Signals::FORMATTED), true),
            Norm::from_vec(norm),
        );
        Self::close_group(scratch);
        Some(e)
    }

    // ------------------------------------------------------------ cookies

    /// The value of a `Cookie:` / `Set-Cookie:` header or a `cookie` /
    /// `cookies` key, from `p` (after the colon): a quoted string, a JSON
    /// array of `{"name", "value"}` objects (HAR), or bare `a=b; c=d` to
    /// the end of the line. `Set-Cookie` carries one cookie, then
    /// attributes.
    #[inline(never)]
    fn cookie_header(
        &self,
        buf: &[u8],
        p: usize,
        set: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if !self.on(Builtin::Cookie) && !self.on(Builtin::CookieGeneric) {
            return None;
        }
        let p = skip_spaces(buf, p);
        match buf.get(p) {
            Some(b'[') => Some(self.har_cookies(buf, p, scratch, out)),
            Some(b'"') => {
                let (s, e, next) = json_string(buf, p, (p + 8192).min(buf.len()))?;
                self.cookie_pairs(buf, s, e, set, scratch, out);
                Some(next)
            }
            Some(_) => {
                let e = memchr::memchr2(b'\n', b'\r', &buf[p..(p + 8192).min(buf.len())])
                    .map_or((p + 8192).min(buf.len()), |i| p + i);
                Some(self.cookie_pairs(buf, p, e, set, scratch, out))
            }
            None => None,
        }
    }

    /// `{"name": "Cookie", "value": "a=b; c=d"}` in a HAR header list: the
    /// colon after `"value"` (its quote at `key`) is ours when the same
    /// object's `name` is `Cookie` or `Set-Cookie`.
    #[inline(never)]
    fn har_cookie_header(
        &self,
        buf: &[u8],
        key: usize,
        p: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        let lo = key.saturating_sub(96);
        let window = &buf[lo..key];
        let obj = window.iter().rposition(|&c| c == b'{').map_or(0, |i| i + 1);
        let window = &window[obj..];
        let at = memchr::memmem::rfind(window, b"\"name\"")?;
        let mut q = skip_spaces(window, at + 6);
        if window.get(q) != Some(&b':') {
            return None;
        }
        q = skip_spaces(window, q + 1);
        let (s, e, _) = json_string(window, q, window.len())?;
        let name = &window[s..e];
        let set = name.eq_ignore_ascii_case(b"set-cookie");
        if !set && !name.eq_ignore_ascii_case(b"cookie") {
            return None;
        }
        self.cookie_header(buf, p, set, scratch, out)
    }

    /// `name=value` pairs separated by `;` in `buf[p..end]`; returns where
    /// parsing stopped.
    fn cookie_pairs(
        &self,
        buf: &[u8],
        mut p: usize,
        end: usize,
        set: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        for _ in 0..64 {
            p = skip_spaces(buf, p);
            let ns = p;
            while p < end && !matches!(buf[p], b'=' | b';' | b',' | b' ' | b'\t' | b'"') {
                p += 1;
            }
            if p >= end || buf[p] != b'=' || p == ns || p - ns > 64 {
                break;
            }
            let name = &buf[ns..p];
            p += 1;
            let quoted = buf.get(p) == Some(&b'"') && p < end;
            if quoted {
                p += 1;
            }
            let vs = p;
            while p < end && !matches!(buf[p], b';' | b' ' | b'\t' | b'"' | b',' | b'\\') {
                p += 1;
            }
            let ve = p;
            if quoted && buf.get(p) == Some(&b'"') {
                p += 1;
            }
            self.cookie_value(name, buf, (vs, ve), scratch, out);
            if set {
                break;
            }
            p = skip_spaces(buf, p);
            if p < end && buf[p] == b';' {
                p += 1;
            } else {
                break;
            }
        }
        p.min(end)
    }

    /// A HAR `"cookies": [ {"name": ..., "value": ...}, ... ]` array from
    /// the `[` at `p`; returns the byte after it (or where parsing gave up).
    fn har_cookies(
        &self,
        buf: &[u8],
        p: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        let limit = (p + 16384).min(buf.len());
        let mut q = p + 1;
        let mut name: Option<(usize, usize)> = None;
        let mut value: Option<(usize, usize)> = None;
        let mut key: Option<(usize, usize)> = None;
        while q < limit {
            match buf[q] {
                b'"' => {
                    let Some((s, e, next)) = json_string(buf, q, limit) else {
                        return q + 1;
                    };
                    let after = skip_spaces(buf, next);
                    if buf.get(after) == Some(&b':') {
                        key = Some((s, e));
                        q = after + 1;
                        continue;
                    }
                    match key.map(|(ks, ke)| &buf[ks..ke]) {
                        Some(b"name") => name = Some((s, e)),
                        Some(b"value") => value = Some((s, e)),
                        _ => {}
                    }
                    key = None;
                    q = next;
                }
                b'}' => {
                    if let (Some(n), Some(v)) = (name, value) {
                        self.cookie_value(&buf[n.0..n.1], buf, v, scratch, out);
                    }
                    name = None;
                    value = None;
                    q += 1;
                }
                b']' => return q + 1,
                _ => q += 1,
            }
        }
        q
    }

    /// Reports one cookie value if its name and shape say it identifies.
    fn cookie_value(
        &self,
        name: &[u8],
        buf: &[u8],
        (vs, ve): (usize, usize),
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) {
        let v = &buf[vs..ve];
        let class = cookie_name_class(name);
        // Headers run longer than the chunk overlap: a value cut by the
        // end of the buffer is not trusted (the rest of such a header is
        // scanned as plain text).
        let cut = ve == buf.len() && !scratch.eof;
        if cut || ve - vs > 512 || !cookie_value_ok(class, v) {
            return;
        }
        let rule = if class == CookieName::Identifying {
            Builtin::Cookie
        } else {
            Builtin::CookieGeneric
        };
        if !self.on(rule) {
            return;
        }
        self.emit(
            scratch,
            out,
            rule,
            (vs, ve),
            (Signals::FORMAT_ONLY, false),
            Norm::from_slice(v),
        );
        Self::close_group(scratch);
    }

    // ------------------------------------------------------------ birth place

    /// The text after a birth-place key, to the end of its clause.
    #[inline(never)]
    fn birth_place(
        &self,
        buf: &[u8],
        p: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if !self.on(Builtin::BirthPlace) {
            return None;
        }
        let mut s = skip_spaces(buf, p);
        let quoted = buf.get(s) == Some(&b'"');
        if quoted {
            s += 1;
        }
        let e = clause_end(buf, s, quoted);
        if e == buf.len() && !scratch.eof {
            return None;
        }
        let v = &buf[s..e];
        let letters = v
            .iter()
            .filter(|&&c| c.is_ascii_alphabetic() || matches!(c, 0xD0 | 0xD1))
            .count();
        if letters < 2 {
            return None;
        }
        let norm = std::str::from_utf8(v)
            .map(|t| t.to_lowercase().into_bytes())
            .unwrap_or_else(|_| v.to_vec());
        self.emit(
            scratch,
            out,
            Builtin::BirthPlace,
            (s, e),
            (Signals::FORMAT_ONLY, false),
            Norm::from_vec(norm),
        );
        Self::close_group(scratch);
        Some(e)
    }
}

/// Does a foreign-passport word ("паспорт", "загранпаспорт",
/// "passport" in any common casing) end in the context window before
/// `at`? A cheap filter before emitting a nine-digit candidate (BIKs,
/// KPPs and ids are nine digits too): the engine's context scan costs far
/// more. Prebuilt finders: a 64-byte window is searched in a few dozen
/// instructions, where a byte loop stumbles over every Cyrillic lead byte.
fn passport_word_before(buf: &[u8], at: usize) -> bool {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static FINDERS: LazyLock<[Finder<'static>; 4]> = LazyLock::new(|| {
        [
            Finder::new("спорт".as_bytes()),
            Finder::new("СПОРТ".as_bytes()),
            Finder::new(b"sport"),
            Finder::new(b"SPORT"),
        ]
    });
    let lo = at.saturating_sub(crate::detect::context::WINDOW_BEFORE);
    let w = &buf[lo..at];
    FINDERS.iter().any(|f| f.find(w).is_some())
}

/// The word right before a value at `at`, skipping spaces, quotes and one
/// `=` or `:`: (key, whether a `=`/`:` stood between). `None` when no word
/// (letters, digits, `_`, `-`, `.`) ends there.
fn key_before(buf: &[u8], at: usize) -> Option<(&[u8], bool)> {
    let mut k = at;
    let skip = |k: &mut usize| {
        while *k > 0 && at - *k < 8 && matches!(buf[*k - 1], b' ' | b'\t' | b'"' | b'\'') {
            *k -= 1;
        }
    };
    skip(&mut k);
    let sep = k > 0 && matches!(buf[k - 1], b'=' | b':');
    if sep {
        k -= 1;
        skip(&mut k);
    }
    let end = k;
    while k > 0
        && end - k < 32
        && (buf[k - 1].is_ascii_alphanumeric() || matches!(buf[k - 1], b'_' | b'-' | b'.'))
    {
        k -= 1;
    }
    (k < end).then_some((&buf[k..end], sep))
}

/// Does `hay` contain one of `needles` (ASCII case-insensitive)?
fn contains_any(hay: &[u8], needles: &[&[u8]]) -> bool {
    needles
        .iter()
        .any(|n| hay.len() >= n.len() && hay.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n)))
}

/// Is the number at `a` the value of a latitude/longitude key: the key,
/// optional quote, `=` or `:`, optional spaces and quote, then the number?
fn latlon_key_before(buf: &[u8], a: usize) -> bool {
    let mut k = a;
    let back = |k: &mut usize, set: &[u8]| {
        while *k > 0 && set.contains(&buf[*k - 1]) {
            *k -= 1;
        }
    };
    back(&mut k, b" \t\"");
    if k == 0 || !matches!(buf[k - 1], b'=' | b':') {
        return false;
    }
    k -= 1;
    back(&mut k, b" \t\"");
    const KEYS: [&str; 7] = [
        "lat",
        "lon",
        "lng",
        "latitude",
        "longitude",
        "широта",
        "долгота",
    ];
    KEYS.iter().any(|w| {
        let w = w.as_bytes();
        ends_with_ci(buf, k, w) && (k == w.len() || !wordish(buf[k - w.len() - 1]))
    })
}

/// Fixed-offset shape test for [`Tokenizer::token_shapes`]: UUID dashes,
/// MAC separators, or the digits and sex field of an MRZ line 2. A few
/// byte compares, run for every digit run that starts a token.
#[inline]
fn token_shape_guard(buf: &[u8], ts: usize) -> bool {
    let b = |k: usize| buf.get(ts + k).copied().unwrap_or(0);
    let b2 = b(2);
    b(8) == b'-' && b(13) == b'-'
        || matches!(b2, b'-' | b':') && b(5) == b2
        || b(4) == b'.' && b(9) == b'.'
        || b(43).is_ascii_digit()
            && b(9).is_ascii_digit()
            && b(19).is_ascii_digit()
            && matches!(b(20), b'M' | b'F' | b'X' | b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_names() {
        assert!(cookie_name_class(b"_ga") == CookieName::Identifying);
        assert!(cookie_name_class(b"_ga_ABC123") == CookieName::Identifying);
        assert!(cookie_name_class(b"PHPSESSID") == CookieName::Identifying);
        assert!(cookie_name_class(b"user_id") == CookieName::Identifying);
        assert!(cookie_name_class(b"lang") == CookieName::Benign);
        assert!(cookie_name_class(b"csrftoken") == CookieName::Benign);
        assert!(cookie_name_class(b"_gat_UA-1") == CookieName::Benign);
        assert!(cookie_name_class(b"ab_bucket") == CookieName::Unknown);
        assert!(cookie_name_class(&[b'x'; 100]) == CookieName::Unknown);
        assert!(!cookie_value_ok(CookieName::Identifying, b"deleted"));
        assert!(!cookie_value_ok(CookieName::Identifying, b"aaaaaaaa"));
        assert!(cookie_value_ok(
            CookieName::Identifying,
            b"GA1.2.1234567.1700000000"
        ));
        assert!(!cookie_value_ok(CookieName::Unknown, b"dark"));
        assert!(cookie_value_ok(CookieName::Unknown, b"a8f3k29dm2l4q0zx"));
    }

    #[test]
    fn plate_regions() {
        for r in ["77", "01", "777", "116", "977", "199"] {
            assert!(plate_region_ok(r.as_bytes()), "{r}");
        }
        for r in ["00", "7", "300", "100", "7777", "500"] {
            assert!(!plate_region_ok(r.as_bytes()), "{r}");
        }
    }

    #[test]
    fn decimals_and_clauses() {
        assert_eq!(decimal_at(b"55.7558", 0), Some((55.7558, 7)));
        assert_eq!(decimal_at(b"-33.86882 x", 0), Some((-33.86882, 9)));
        assert_eq!(decimal_at(b"55.755", 0), None);
        assert_eq!(decimal_at(b"1.2345.6", 0), None);
        let t = "г. Москва, дата рождения: 01.01.1980".as_bytes();
        assert_eq!(&t[..clause_end(t, 0, false)], "г. Москва".as_bytes());
        let t = "г. Саратов, Саратовская обл. Паспорт выдан".as_bytes();
        assert_eq!(
            &t[..clause_end(t, 0, false)],
            "г. Саратов, Саратовская обл. Паспорт выдан".as_bytes(),
            "short abbreviations do not end a clause"
        );
        let t = "село Ивановка Тверской области. Паспорт".as_bytes();
        assert_eq!(
            &t[..clause_end(t, 0, false)],
            "село Ивановка Тверской области".as_bytes()
        );
        let t = "г. Саратов, Саратовская обл.\n".as_bytes();
        assert_eq!(
            &t[..clause_end(t, 0, false)],
            "г. Саратов, Саратовская обл.".as_bytes()
        );
        let long = "слово ".repeat(40);
        let e = clause_end(long.as_bytes(), 0, false);
        assert!(e <= 160 && long.is_char_boundary(e));
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_at(b"%40", 0), Some(b'@'));
        assert_eq!(escape_at(b"%2b", 0), Some(b'+'));
        assert_eq!(escape_at(b"%4", 0), None);
        assert_eq!(escape_at(b"%zz", 0), None);
    }
}

/// The matchers through the whole engine: rule, exact span, confidence.
#[cfg(test)]
mod engine_tests {
    use crate::detect::{DEFAULT_MIN_CONFIDENCE, Engine, RuleSet};

    fn engine() -> Engine {
        Engine::new(RuleSet::builtin()).unwrap()
    }

    /// (rule id, value) of every reported detection.
    fn found(e: &Engine, text: &str) -> Vec<(String, String)> {
        e.scan_text(text.as_bytes())
            .into_iter()
            .filter(|d| d.confidence >= DEFAULT_MIN_CONFIDENCE)
            .map(|d| {
                (
                    e.rules().get(d.rule).id().to_string(),
                    text[d.start..d.end].to_string(),
                )
            })
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn url_encoded_values_map_to_the_original_bytes() {
        let e = engine();
        let got = found(
            &e,
            "GET /r?email=ivan.petrov%40example.ru&phone=%2B7%20916%20123-45-67&x=1 HTTP/1.1",
        );
        assert_eq!(
            got,
            pairs(&[
                ("email.url", "ivan.petrov%40example.ru"),
                ("phone.url", "%2B7%20916%20123-45-67")
            ])
        );
        let got = found(&e, "/lead?tel=8+916+123+45+67&snils=112-233-445+95");
        assert_eq!(got[0], ("phone.url".into(), "8+916+123+45+67".into()));
        assert_eq!(got[1], ("snils".into(), "112-233-445+95".into()), "{got:?}");
        // The fingerprint sees the decoded value.
        let d = e.scan_text(b"?m=Ivan%40Example.RU");
        assert_eq!(&d[0].norm[..], b"ivan@example.ru");
        let d = e.scan_text(b"?p=%2B79161234567");
        assert_eq!(&d[0].norm[..], b"+79161234567");
        // mailto%3A and a plus meaning space start the local part afresh.
        assert_eq!(
            found(&e, "q=hello+anna%40example.com")[0].1,
            "anna%40example.com"
        );
        // Plain text with % signs stays quiet.
        assert!(found(&e, "скидка 50%40 дней, рост 2+2=4, 100%20 раз").is_empty());
    }

    #[test]
    fn oms_and_cards_share_a_span_and_context_decides() {
        let e = engine();
        // Card IIN, card context: a card.
        assert_eq!(found(&e, "карта 2202919827038392")[0].0, "card");
        // Same digits, OMS context: a policy.
        assert_eq!(found(&e, "полис ОМС 2202919827038392")[0].0, "oms");
        // No card IIN, no context: nothing (Luhn alone proves nothing).
        assert!(found(&e, "7132647325068769").is_empty());
        // Both words: the nearer one wins.
        assert_eq!(
            found(&e, "полис ОМС оформлен, оплата картой 2202919827038392")[0].0,
            "card"
        );
    }

    #[test]
    fn numeric_documents_need_their_context() {
        let e = engine();
        assert_eq!(
            found(&e, "загранпаспорт 75 1234567"),
            pairs(&[("passport_foreign_ru", "75 1234567")])
        );
        assert_eq!(
            found(&e, "водительское удостоверение 99 12 345678")[0].0,
            "driver_license_ru"
        );
        assert_eq!(found(&e, "паспорт 45 08 123456")[0].0, "passport_ru");
        assert_eq!(
            found(&e, "IMEI 490154203237518"),
            pairs(&[("device_id.imei", "490154203237518")])
        );
        assert!(found(&e, "id 490154203237518").is_empty());
    }

    #[test]
    fn macs_uuids_and_mrz() {
        let e = engine();
        for (text, value) in [
            ("mac 00:1A:2B:3C:4D:5E up", "00:1A:2B:3C:4D:5E"),
            ("mac aa:bb:cc:dd:ee:f0 up", "aa:bb:cc:dd:ee:f0"),
            ("bssid=ac-de-48-00-11-22", "ac-de-48-00-11-22"),
            ("port fa16.3e01.0c2b", "fa16.3e01.0c2b"),
            // Letter-only leading groups: the first digit comes late.
            ("mac=EC-F1-6A-F0-F2-3B up", "EC-F1-6A-F0-F2-3B"),
            ("mac=FA-B4-B6-C1-F3-9C up", "FA-B4-B6-C1-F3-9C"),
            ("mac=ecfa.4b74.a60a up", "ecfa.4b74.a60a"),
            ("mac=ecfa.bcde.a60a up", "ecfa.bcde.a60a"),
        ] {
            assert_eq!(
                found(&e, text),
                pairs(&[("device_id.mac", value)]),
                "{text}"
            );
        }
        assert!(found(&e, "ts 12:34:56:78:90:12 x").is_empty());
        // Only its own key makes a value a device id, whatever stands nearby.
        assert_eq!(
            found(&e, "mac=a4:83:e7:1c:2d:3e rtp clock 12:34:56:78:90:12"),
            pairs(&[("device_id.mac", "a4:83:e7:1c:2d:3e")])
        );
        assert_eq!(
            found(
                &e,
                "gaid=38400000-8cf0-11bd-b23e-10b96e40000d request_id=550e8400-e29b-41d4-a716-446655440000"
            ),
            pairs(&[("device_id.adid", "38400000-8cf0-11bd-b23e-10b96e40000d")])
        );
        assert_eq!(found(&e, "HWaddr 12:34:56:78:90:12")[0].0, "device_id.mac");
        assert!(found(&e, "03:00:00:00:00:01").is_empty(), "multicast");
        assert_eq!(
            found(&e, "gaid: e29b41d4-a716-4466-9544-550e84000000")[0].0,
            "device_id.adid"
        );
        assert!(found(&e, "trace e29b41d4-a716-4466-9544-550e84000000").is_empty());
        let text = "scan ok\nP<RUSIVANOV<<IVAN<<<<<<<<<<<<<<<<<<<<<<<<<<<\n7512345672RUS8001014M3001019<<<<<<<<<<<<<<08\nend";
        let d = e.scan_text(text.as_bytes());
        assert_eq!(d.len(), 1);
        assert_eq!(e.rules().get(d[0].rule).id(), "passport_foreign_ru.mrz");
        assert!(text[d[0].start..d[0].end].starts_with("P<RUS"));
        assert_eq!(&d[0].norm[..], b"751234567");
    }

    #[test]
    fn plates_in_both_scripts_normalise_to_cyrillic() {
        let e = engine();
        let a = e.scan_text("госномер А123ВС77".as_bytes());
        let b = e.scan_text("госномер A123BC77".as_bytes());
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].norm, b[0].norm);
        assert_eq!(&a[0].norm[..], "А123ВС77".as_bytes());
        // A bare Cyrillic plate is reported at low confidence; a Latin one not.
        let bare = e.scan_text("А123ВС77".as_bytes());
        assert!(bare[0].confidence < 0.7);
        assert!(found(&e, "A123BC77").is_empty());
        assert!(found(&e, "дом 123 вс 77").is_empty());
    }

    #[test]
    fn cookies_report_values_not_names() {
        let e = engine();
        let got = found(
            &e,
            "Cookie: lang=ru; _ga=GA1.2.1873462915.1714039200; theme=dark; PHPSESSID=k3j5h2l9q8w7e6r5t4\n",
        );
        assert_eq!(
            got,
            pairs(&[
                ("cookie", "GA1.2.1873462915.1714039200"),
                ("cookie", "k3j5h2l9q8w7e6r5t4")
            ])
        );
        // Set-Cookie: attributes after the first pair are not cookies.
        let got = found(
            &e,
            "Set-Cookie: sessionid=abc123def456ghi; Path=/; Domain=example.com; Max-Age=31536000",
        );
        assert_eq!(got, pairs(&[("cookie", "abc123def456ghi")]));
        let har = r#"{"request": {"cookies": [{"name": "yandexuid", "value": "4839201751714039200", "path": "/"}, {"name": "lang", "value": "ru"}], "headers": [{"name": "Cookie", "value": "_ym_uid=1714039200583920174; lang=ru"}]}}"#;
        let got = found(&e, har);
        assert_eq!(
            got,
            pairs(&[
                ("cookie", "4839201751714039200"),
                ("cookie", "1714039200583920174")
            ])
        );
    }

    #[test]
    fn birth_places_and_coordinates() {
        let e = engine();
        assert_eq!(
            found(&e, "Место рождения: гор. Тула. Паспорт выдан ОВД"),
            pairs(&[("birth_place", "гор. Тула")])
        );
        assert_eq!(
            found(&e, r#"{"place_of_birth":"Kazan, Russia","x":1}"#),
            pairs(&[("birth_place", "Kazan, Russia")])
        );
        assert_eq!(
            found(&e, "location: 55.755831, 37.617673"),
            pairs(&[("geo", "55.755831, 37.617673")])
        );
        assert_eq!(
            found(&e, "lat=-33.8688&lon=151.2093"),
            pairs(&[
                ("geo.coordinate", "-33.8688"),
                ("geo.coordinate", "151.2093")
            ])
        );
        assert!(found(&e, "rt=0.12345 total 55.7558, 37.6173").is_empty());
    }

    /// No panic and no out-of-range span on fragments of every shape.
    #[test]
    fn fragments_never_panic() {
        let e = engine();
        let pieces: &[&str] = &[
            "%",
            "%4",
            "%40",
            "%2B",
            "+",
            "7",
            "12",
            "123",
            ":",
            "-",
            ".",
            "А",
            "ВС",
            "A",
            "BC",
            "Cookie:",
            "\"cookies\":[",
            "{",
            "}",
            "\"",
            "=",
            ";",
            "Место рождения:",
            "P<",
            "<",
            "\n",
            " ",
            "00:1a",
            "-2b",
            "e29b41d4",
            "55.7558",
            ",",
            "ff",
        ];
        let mut rng = crate::eval::rng::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut state = rng.next_u64();
        for _ in 0..4000 {
            let mut s = String::new();
            for _ in 0..(state % 12) {
                state = rng.next_u64();
                s.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            for d in e.scan_text(s.as_bytes()) {
                assert!(d.start <= d.end && d.end <= s.len(), "{s:?}");
            }
        }
    }
}
