//! The hot path: a trigger-byte tokenizer that finds candidate values for
//! every built-in rule in one pass over a buffer.
//!
//! Why hand-written: every PII pattern starts with a character class (a
//! digit, an e-mail local part), so a regex engine has no literal to skip to
//! and reads every byte through its DFA, twice for match starts. Skipping to
//! trigger bytes (digits, `@`, `:`) with a 256-entry class table and running
//! a small matcher per trigger measured 2x faster (DESIGN.md §6). The rule
//! patterns in `rules/builtin.toml` stay as the specification; tests check
//! the examples against both.
//!
//! Owns: chain parsing of digit runs with separators, shape checks, the
//! e-mail / IPv6 / IBAN / word-date matchers, calling validators. Emits
//! [`Cand`]idates; alternatives for one span (a bare 10-digit run may be a
//! phone, an INN or a passport) share a `group` and the engine picks one by
//! context. It knows nothing about confidence numbers or files.

use super::watch::WatchList;
use super::{Norm, swar};
use crate::finding::{Kind, Signals};
use crate::validators::{bank_account, card, date, email, iban, inn, ip, ogrn, phone, snils};

mod kinds;

/// Built-in matchers, bound by id to the rules in `rules/builtin.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    Email,
    PhoneRu,
    PhoneRuBare,
    PhoneIntl,
    Card,
    Ipv4,
    Ipv6,
    Snils,
    SnilsBare,
    InnPerson,
    InnOrg,
    Ogrn,
    Ogrnip,
    Iban,
    BankAccount,
    PassportRu,
    BirthDate,
    // Issue #10 kinds: matchers in `tokenizer/kinds.rs`.
    EmailUrl,
    PhoneUrl,
    Cookie,
    CookieGeneric,
    Mac,
    Imei,
    AdId,
    PassportForeign,
    Mrz,
    Oms,
    DriverLicense,
    Plate,
    BirthPlace,
    Geo,
    GeoCoord,
    // Served by the name and address matchers (names.rs, address.rs), not
    // by the trigger scan; listed here so rules bind to them by id.
    PersonRu,
    PersonEn,
    PersonPartial,
    AddressRu,
    AddressUs,
}

impl Builtin {
    pub const ALL: [Builtin; 37] = [
        Builtin::Email,
        Builtin::PhoneRu,
        Builtin::PhoneRuBare,
        Builtin::PhoneIntl,
        Builtin::Card,
        Builtin::Ipv4,
        Builtin::Ipv6,
        Builtin::Snils,
        Builtin::SnilsBare,
        Builtin::InnPerson,
        Builtin::InnOrg,
        Builtin::Ogrn,
        Builtin::Ogrnip,
        Builtin::Iban,
        Builtin::BankAccount,
        Builtin::PassportRu,
        Builtin::BirthDate,
        Builtin::EmailUrl,
        Builtin::PhoneUrl,
        Builtin::Cookie,
        Builtin::CookieGeneric,
        Builtin::Mac,
        Builtin::Imei,
        Builtin::AdId,
        Builtin::PassportForeign,
        Builtin::Mrz,
        Builtin::Oms,
        Builtin::DriverLicense,
        Builtin::Plate,
        Builtin::BirthPlace,
        Builtin::Geo,
        Builtin::GeoCoord,
        Builtin::PersonRu,
        Builtin::PersonEn,
        Builtin::PersonPartial,
        Builtin::AddressRu,
        Builtin::AddressUs,
    ];

    /// The rule id in `rules/builtin.toml` this matcher serves.
    pub fn rule_id(self) -> &'static str {
        match self {
            Builtin::Email => "email",
            Builtin::PhoneRu => "phone.ru",
            Builtin::PhoneRuBare => "phone.ru.bare",
            Builtin::PhoneIntl => "phone.intl",
            Builtin::Card => "card",
            Builtin::Ipv4 => "ipv4",
            Builtin::Ipv6 => "ipv6",
            Builtin::Snils => "snils",
            Builtin::SnilsBare => "snils.bare",
            Builtin::InnPerson => "inn.person",
            Builtin::InnOrg => "inn.org",
            Builtin::Ogrn => "ogrn",
            Builtin::Ogrnip => "ogrnip",
            Builtin::Iban => "iban",
            Builtin::BankAccount => "bank_account",
            Builtin::PassportRu => "passport_ru",
            Builtin::BirthDate => "birth_date",
            Builtin::EmailUrl => "email.url",
            Builtin::PhoneUrl => "phone.url",
            Builtin::Cookie => "cookie",
            Builtin::CookieGeneric => "cookie.generic",
            Builtin::Mac => "device_id.mac",
            Builtin::Imei => "device_id.imei",
            Builtin::AdId => "device_id.adid",
            Builtin::PassportForeign => "passport_foreign_ru",
            Builtin::Mrz => "passport_foreign_ru.mrz",
            Builtin::Oms => "oms",
            Builtin::DriverLicense => "driver_license_ru",
            Builtin::Plate => "vehicle_plate_ru",
            Builtin::BirthPlace => "birth_place",
            Builtin::Geo => "geo",
            Builtin::GeoCoord => "geo.coordinate",
            Builtin::PersonRu => "person.ru",
            Builtin::PersonEn => "person.en",
            Builtin::PersonPartial => "person.partial",
            Builtin::AddressRu => "address.ru",
            Builtin::AddressUs => "address.us",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One candidate value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cand {
    pub class: Builtin,
    pub start: usize,
    pub end: usize,
    /// Alternatives for the same span share a group number.
    pub group: u32,
    pub signals: Signals,
    /// The candidate is only worth reporting with context (e.g. an account
    /// number without a BIK to check it against).
    pub needs_context: bool,
    /// Normalised value for the fingerprint (digits, E.164, lower-case
    /// e-mail, an IP's octets, ISO date).
    pub norm: Norm,
}

const C_NONE: u8 = 0;
const C_DIGIT: u8 = 1;
const C_AT: u8 = 2;
const C_COLON: u8 = 3;

/// Byte classes: which bytes start a matcher.
static CLASS: [u8; 256] = {
    let mut t = [C_NONE; 256];
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = C_DIGIT;
        d += 1;
    }
    t[b'@' as usize] = C_AT;
    t[b':' as usize] = C_COLON;
    t
};

/// Longest span any built-in candidate may have. Chunked readers keep at
/// least this many bytes after the scan limit.
pub const MAX_CANDIDATE_LEN: usize = 320;
const MAX_GROUPS: usize = 12;
/// The fewest and the most digits of a chain value `classify` reads (an
/// international phone after `+` or `00`; a bank account).
const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 20;

/// What stands before a sub-range of a chain.
#[derive(Clone, Copy)]
struct Prefix {
    /// A `+` right before the first digit.
    plus: bool,
    /// A `(` right before the first digit: "(916) 123-45-67".
    paren: bool,
    /// The sub-range starts the chain.
    chain_start: bool,
}

/// The digit run a chain starts with: its length and the byte after it
/// (0 at the end of the buffer).
#[derive(Clone, Copy)]
pub(super) struct Run {
    pub(super) len: usize,
    pub(super) next: u8,
}

#[derive(Clone, Copy, Default)]
struct Group {
    start: usize,
    end: usize,
}

/// Where a chain's values may lie (see [`Tokenizer::values_in_chain`]).
#[derive(Clone, Copy)]
struct ChainLimits {
    /// Values start in the first `starts` groups,
    starts: usize,
    /// and end by the `ends`th.
    ends: usize,
    /// The chain ends after its last group (it was not cut), so a value
    /// may end there without a whitespace separator.
    open_end: bool,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Sep {
    /// Whitespace only (space, NBSP, thin space, tab), or a lone `/`
    /// ("ИНН/КПП 6438601119/773601001"): sub-ranges may split here.
    space: bool,
    /// The one punctuation byte, if any (`-` `.` `/` `(` `)`, `N` for `№`).
    punct: u8,
}

/// Which built-ins are enabled; built once per rule set.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    enabled: [bool; Builtin::ALL.len()],
    /// Values to find in any spelling, whatever their context
    /// ([`super::watch`]): checked on every digit chain parsed.
    watch: Option<std::sync::Arc<WatchList>>,
    /// A phone rule is on (`phone` normalises only then).
    phones_on: bool,
    /// Take the shortcuts of the digit path ([`Tokenizer::clock_time_end`],
    /// [`Tokenizer::iso_timestamp_end`], the lone-run exit, `classify`'s
    /// digit-count gate): off only in the test that checks them against
    /// the full path.
    quick_exits: bool,
}

/// Per-thread working memory, reused across buffers.
#[derive(Default)]
pub struct TokScratch {
    next_group: u32,
    /// The input has a locator (CSV, JSON, SQL ...), so a column name may
    /// still supply context: candidates that only context can confirm are
    /// then emitted even without a context word in the text.
    pub structured: bool,
    /// The buffer being scanned ends where the input ends (a value that
    /// touches its end is complete).
    eof: bool,
    /// No caller will read an e-mail's normalised value (a redaction that
    /// masks or labels e-mails): skip its IDNA normalisation, the one
    /// normaliser that is not also the validator. The detections are the
    /// same; only `norm` stays empty.
    pub no_email_norm: bool,
}

impl TokScratch {
    /// A fresh group number for candidates made outside the trigger scan
    /// (names, addresses), so they never join a tokenizer group.
    pub fn new_group(&mut self) -> u32 {
        let g = self.next_group;
        self.next_group = g.wrapping_add(1);
        g
    }
}

impl Tokenizer {
    pub fn new(enabled: impl Fn(Builtin) -> bool) -> Tokenizer {
        let mut e = [false; Builtin::ALL.len()];
        for b in Builtin::ALL {
            e[b.index()] = enabled(b);
        }
        let on = |b: Builtin| e[b.index()];
        let phones_on = on(Builtin::PhoneRu) || on(Builtin::PhoneRuBare) || on(Builtin::PhoneIntl);
        Tokenizer {
            enabled: e,
            phones_on,
            watch: None,
            quick_exits: true,
        }
    }

    /// Also finds the watched values (see [`super::watch`]).
    pub fn set_watch(&mut self, watch: Option<std::sync::Arc<WatchList>>) {
        self.watch = watch.filter(|w| w.digit_bounds().0 > 0);
    }

    fn on(&self, b: Builtin) -> bool {
        self.enabled[b.index()]
    }

    /// Finds candidates whose trigger lies in `buf[from..to]`. Matchers may
    /// read the whole of `buf` (context before `from`, a value running past
    /// `to`). `eof` says `buf` ends where the input ends; otherwise a value
    /// touching the end of `buf` is not trusted. Returns where the next
    /// scan should start (at least `to`).
    pub fn scan(
        &self,
        buf: &[u8],
        from: usize,
        to: usize,
        eof: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        let to = to.min(buf.len());
        scratch.eof = eof;
        let mut i = from;
        while i < to {
            i = next_trigger(buf, i, to);
            if i >= to {
                break;
            }
            i = match CLASS[buf[i] as usize] {
                C_DIGIT => self.digits(buf, i, eof, scratch, out),
                C_AT => self.email(buf, i, scratch, out),
                C_COLON => self.ipv6(buf, i, scratch, out),
                _ => i + 1,
            };
        }
        i.max(to)
    }

    fn emit(
        &self,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
        class: Builtin,
        span: (usize, usize),
        (signals, needs_context): (Signals, bool),
        norm: Norm,
    ) {
        out.push(Cand {
            class,
            start: span.0,
            end: span.1,
            group: scratch.next_group,
            signals,
            needs_context,
            norm,
        });
    }

    fn close_group(scratch: &mut TokScratch) {
        scratch.next_group = scratch.next_group.wrapping_add(1);
    }

    // ------------------------------------------------------------ digits

    fn digits(
        &self,
        buf: &[u8],
        s: usize,
        eof: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        let prev = if s > 0 { buf[s - 1] } else { b' ' };
        let prev2 = if s > 1 { buf[s - 2] } else { b' ' };
        if prev.is_ascii_digit() {
            return skip_digits(buf, s);
        }
        if prev.is_ascii_alphabetic() {
            // `GB82 WEST ...`: two capitals right before the digits.
            if prev.is_ascii_uppercase()
                && prev2.is_ascii_uppercase()
                && (s < 3 || !buf[s - 3].is_ascii_alphanumeric())
                && self.on(Builtin::Iban)
                && let Some(end) = self.iban(buf, s - 2, scratch, out)
            {
                return end;
            }
            if let Some(end) = self.after_letter(buf, s, scratch, out) {
                return end;
            }
            // Part of an identifier, hash or base64 token: skip it whole.
            return skip_alnum(buf, s);
        }
        // `abc-123`, `x_12`, `3.14159`, `1,299`: glued to a token before.
        // After a comma only a three-digit thousands group is glued: in a
        // CSV row `…,500100732185,112-233-401 83,…` the next field is a value.
        if matches!(prev, b'-' | b'_') && prev2.is_ascii_alphanumeric()
            || prev == b'.' && prev2.is_ascii_digit()
            || prev == b',' && prev2.is_ascii_digit() && thousands_group(buf, s)
        {
            if prev == b'-'
                && let Some(end) = self.mid_token(buf, s, scratch, out)
            {
                return end;
            }
            return skip_alnum(buf, s);
        }
        // The run's length and the byte after it decide the shape tests
        // below (each used to re-read bytes at fixed offsets), and the
        // run is the chain's first group.
        let run_end = skip_digits(buf, s);
        let run = Run {
            len: run_end - s,
            next: buf.get(run_end).copied().unwrap_or(0),
        };
        if run.len == 2
            && run.next == b':'
            && self.quick_exits
            && let Some(end) = self.clock_time_end(buf, s, prev)
        {
            return end;
        }
        // `YYYY-` is the only start `iso_timestamp_end` accepts.
        if run.len == 4
            && run.next == b'-'
            && matches!(buf.get(s + 10), Some(b'T' | b' '))
            && self.quick_exits
            && let Some(end) = self.iso_timestamp_end(buf, s, prev)
        {
            return end;
        }
        if let Some(end) = self.pre_chain(buf, s, run, prev, eof, scratch, out) {
            return end;
        }
        if self.quick_exits
            && self.watch.is_none()
            && let Some(end) = self.short_chain_end(buf, s, run_end, run, scratch, out)
        {
            return end;
        }

        // Parse the chain: digit groups joined by short separators.
        let mut groups = [Group::default(); MAX_GROUPS];
        let mut seps = [Sep::default(); MAX_GROUPS];
        let mut n = 0;
        let mut p = s;
        loop {
            let gs = p;
            p = if n == 0 { run_end } else { skip_digits(buf, p) };
            groups[n] = Group { start: gs, end: p };
            n += 1;
            if n == MAX_GROUPS {
                break;
            }
            match separator(buf, p) {
                Some((sep, next)) if next < buf.len() && buf[next].is_ascii_digit() => {
                    seps[n - 1] = sep;
                    p = next;
                }
                _ => break,
            }
        }
        let chain_end = groups[n - 1].end;
        // Glued to letters or an e-mail after: the last group is not a value.
        let after = buf.get(chain_end).copied().unwrap_or(b' ');
        let mut usable = n;
        if after.is_ascii_alphabetic() || after == b'@' || after == b'_' {
            usable -= 1;
            if usable == 0 {
                return skip_alnum(buf, chain_end);
            }
        }
        if !eof && chain_end >= buf.len() {
            usable = usable.saturating_sub(1);
        }
        let plus = prev == b'+' && !prev2.is_ascii_alphanumeric();
        let paren = prev == b'(';
        // A cut chain's watched values are looked for in `after_cut`.
        if let Some(w) = &self.watch
            && !(n == MAX_GROUPS && chain_goes_on(buf, chain_end).is_some())
        {
            let groups = &groups[..usable];
            self.watched(w, buf, groups, usable, (plus, paren), scratch, out);
        }

        // Coordinates: a decimal with four or more places.
        if n >= 2
            && seps[0].punct == b'.'
            && groups[1].start == groups[0].end + 1
            && groups[1].end - groups[1].start >= 4
            && (n == 2 || seps[1].space)
            && let Some(end) = self.geo(buf, s, scratch, out)
        {
            return end;
        }

        // Word dates: "5 марта 1984", "March 5, 1984".
        // (Its first test, a space or comma after the day, is repeated
        // here: five in six short chains fail it, and the call cost more.)
        if n <= 2
            && groups[0].end - groups[0].start <= 2
            && matches!(buf.get(groups[0].end), Some(b' ' | b','))
            && self.on(Builtin::BirthDate)
            && let Some(end) = self.word_date(buf, groups[0], scratch, out)
        {
            return end;
        }

        // Most chains are short numbers (sizes, counts, times): spanning
        // under 9 bytes in under three groups nothing can match (dates and
        // IPs have 3-4 groups; every other kind has 9+ digits: a foreign
        // passport number is the shortest).
        if n < 3 && groups[n - 1].end - groups[0].start < 9 {
            return chain_end;
        }

        let limits = if n == MAX_GROUPS
            && let Some((last_sep, _)) = chain_goes_on(buf, chain_end)
        {
            cut_chain_limits(&mut seps, last_sep)
        } else {
            ChainLimits {
                starts: usable,
                ends: usable,
                open_end: true,
            }
        };
        let a = self.values_in_chain(
            buf,
            &groups[..n],
            &seps,
            limits,
            (plus, paren),
            scratch,
            out,
        );
        if limits.open_end {
            return chain_end;
        }
        self.after_cut(buf, &groups, &seps, a, (plus, paren), scratch, out)
    }

    /// Finds a chain's values: leftmost-longest sub-ranges of its groups
    /// that [`Tokenizer::classify`] takes, within `limits`, ending at a
    /// whitespace separator (or at the chain's end when it is open).
    /// Returns the group after the last value or try (after a whitespace
    /// separator).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn values_in_chain(
        &self,
        buf: &[u8],
        groups: &[Group],
        seps: &[Sep],
        limits: ChainLimits,
        (plus, paren): (bool, bool),
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        let n = groups.len();
        let usable = limits.ends;
        let mut a = 0;
        while a < limits.starts {
            let mut found = None;
            for b in (a + 1..=usable).rev() {
                if (b < n || !limits.open_end) && !seps[b - 1].space {
                    continue;
                }
                let before = out.len();
                self.classify(
                    buf,
                    &groups[a..b],
                    &seps[a..b - 1],
                    Prefix {
                        plus: a == 0 && plus,
                        paren: a == 0 && paren,
                        chain_start: a == 0,
                    },
                    scratch,
                    out,
                );
                if out.len() > before {
                    Self::close_group(scratch);
                    // A value that counts only with context words does not
                    // claim its groups: in `0042  4000 0010 0000 0133`
                    // the first sixteen digits may pass the OMS checksum,
                    // and the card after them must be tried too (the
                    // engine keeps the better of two that overlap).
                    let weak = out[before..].iter().all(|c| c.needs_context);
                    found = (!weak).then_some(b);
                    break;
                }
            }
            match found {
                Some(b) => a = b,
                None => {
                    // Next start: after the next whitespace separator.
                    a += 1;
                    while a < usable && !seps[a - 1].space {
                        a += 1;
                    }
                }
            }
        }
        a
    }

    /// Where a cut chain (see [`cut_chain_limits`]) goes on: the watched
    /// values starting before group `a` are looked for (the re-parse
    /// finds the others), and the chain is parsed again from group `a`,
    /// or from the first whitespace separator after those values.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn after_cut(
        &self,
        buf: &[u8],
        groups: &[Group; MAX_GROUPS],
        seps: &[Sep; MAX_GROUPS],
        mut a: usize,
        prefix: (bool, bool),
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        if let Some(w) = &self.watch {
            let after_watched = self.watched(w, buf, groups, a, prefix, scratch, out);
            while a < after_watched || a < MAX_GROUPS && !seps[a - 1].space {
                a += 1;
            }
        }
        if a < MAX_GROUPS {
            // After a whitespace separator: `a` only ever moves to one.
            return groups[a].start;
        }
        let chain_end = groups[MAX_GROUPS - 1].end;
        chain_goes_on(buf, chain_end).map_or(chain_end, |(_, next)| next)
    }

    /// Where the chain parse below would end a short chain of one of the
    /// commonest shapes, without a value and without parsing it: `None`
    /// for any other chain. The caller has run the shape tests before the
    /// parse; `shortcuts_agree_with_the_full_path` compares both paths.
    ///
    /// - A lone run (`status=200`, `425ms`, `[63730]`, `took 425 ms`):
    ///   the chain is this one group of under 9 digits (the shortest
    ///   single-group value has 9); a day before a space or a comma is
    ///   only tried as a word date (`5 марта`, `5, March`). ~290 -> ~200
    ///   instructions.
    /// - Two groups joined by a dot, the second under four digits
    ///   (`rt=1.026`, `HTTP/1.1`, `146126.25`): no coordinate (four
    ///   decimals at least), and nothing else takes two dotted groups.
    /// - A day before a clock time (`Feb  7 01:21:48` in syslog): the
    ///   chain is the day and the hour, no word date since a digit follows
    ///   the space, and [`Tokenizer::ipv6`] skips the rest of the time
    ///   from its colon as [`Tokenizer::clock_time_end`] does.
    #[inline]
    fn short_chain_end(
        &self,
        buf: &[u8],
        s: usize,
        run_end: usize,
        run: Run,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        if run.len >= 9 {
            return None;
        }
        match run.next {
            b' ' => {
                let after = buf.get(run_end + 1).copied()?;
                if !after.is_ascii_digit() {
                    if separator_start(after) {
                        return None;
                    }
                    if run.len > 2 {
                        return Some(run_end);
                    }
                    return Some(self.day_word_date(buf, s, run_end, scratch, out));
                }
                if run.len <= 2 {
                    return self.clock_time_end(buf, run_end + 1, b' ');
                }
                None
            }
            b'.' => {
                if !buf.get(run_end + 1).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                // Two dot-joined groups are only ever a coordinate: no
                // sub-range may end at the dot, and `classify` takes a
                // dotted value in three groups at least.
                let end = skip_digits(buf, run_end + 1);
                (end - run_end - 1 < 4 && chain_ends_at(buf, end)).then_some(end)
            }
            b',' if run.len <= 2 => Some(self.day_word_date(buf, s, run_end, scratch, out)),
            next if separator_start(next) => None,
            next if next.is_ascii_alphabetic() || matches!(next, b'@' | b'_') => {
                Some(skip_alnum(buf, run_end))
            }
            _ => Some(run_end),
        }
    }

    /// A lone day number `buf[s..run_end]` before a space or a comma: a
    /// word date if one starts here, else where the chain ends.
    #[inline]
    fn day_word_date(
        &self,
        buf: &[u8],
        s: usize,
        run_end: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        let day = Group {
            start: s,
            end: run_end,
        };
        if self.on(Builtin::BirthDate)
            && let Some(end) = self.word_date(buf, day, scratch, out)
        {
            return end;
        }
        run_end
    }

    /// A clock time `HH:MM:SS` at `s`, the commonest digit run in logs and
    /// chats: where the path after this call in [`Tokenizer::digits`]
    /// would end it, without a value. That path reads it as a two-digit
    /// chain after a MAC-shape test (which fails at byte 8: no third
    /// colon), then [`Tokenizer::ipv6`] sees its first colon (the colon
    /// key test fails at the digit after it) and skips digits and colons
    /// from there, to byte 8: ~490 instructions, here ~20. The caller has
    /// checked `buf[s + 1]` is a digit and `buf[s + 2]` a colon; `prev`
    /// (the byte before `s`) is neither a digit, nor a letter, nor glue.
    /// `shortcuts_agree_with_the_full_path` compares both.
    #[inline]
    fn clock_time_end(&self, buf: &[u8], s: usize, prev: u8) -> Option<usize> {
        // `%`: a URL escape; `.`: the middle of a token; `:` before it
        // makes it an IPv6 candidate; a watch list reads every chain.
        if matches!(prev, b'%' | b'.' | b':') || self.watch.is_some() {
            return None;
        }
        let t = buf.get(s..s + 9)?;
        let ends = !(t[8].is_ascii_alphanumeric()
            || matches!(t[8], b':' | b'-' | b'.' | b'<' | b'_' | b'@'));
        (fits_shape(t, b"dd:dd:dd") && ends).then_some(s + 8)
    }

    /// An ISO timestamp `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD HH:MM:SS`
    /// at `s` (in logs, chats and JSON events): where the path after this
    /// call in [`Tokenizer::digits`] would end it, without a value. That
    /// path parses the date as a chain whose last group is glued to the
    /// `T` (so no sub-range is a value) and reads `HH` as digits glued to a
    /// letter, or, after a space, as the chain's fourth group (a date
    /// followed by a time is no birth date); then [`Tokenizer::ipv6`]
    /// skips the rest of the time from its first colon: ~720 (with the
    /// space ~1,500) instructions, here ~30. Byte 19 must not be a digit
    /// (the MRZ shape test reads it) or a colon (the time skip would run
    /// on). Conditions on `prev` as for [`Tokenizer::clock_time_end`];
    /// `shortcuts_agree_with_the_full_path` compares both.
    #[inline]
    fn iso_timestamp_end(&self, buf: &[u8], s: usize, prev: u8) -> Option<usize> {
        if matches!(prev, b'%' | b'.') || self.watch.is_some() {
            return None;
        }
        let t = buf.get(s..s + 20)?;
        // With a space for the `T`, the path reads the hour as the chain's
        // fourth group: ten digits, a phone number when they start with 3,
        // 4, 8 or 9 (`9123-45-67 89` is +7 912 345-67-89) or with `00`, or
        // follow a `+`. Years 1000-2999 after anything but `+` are none.
        let spaced = t[10] == b' ';
        if spaced && (prev == b'+' || !matches!(t[0], b'1' | b'2')) {
            return None;
        }
        let ends = !t[19].is_ascii_digit() && t[19] != b':';
        let shape = fits_shape(t, b"dddd-dd-dd") && fits_shape(&t[11..], b"dd:dd:dd");
        (shape && (spaced || t[10] == b'T') && ends).then_some(s + 19)
    }

    /// Watched values among a chain's groups: every leftmost-longest run
    /// of whole groups, starting in the first `starts` groups, whose
    /// digits are a watched id, or end with a watched phone's last digits
    /// and normalise (by the phone normaliser) to that phone. Each is its
    /// own candidate, needing no context; the engine prefers it to what
    /// else overlaps it. Returns the group after the last one found (0
    /// when none is).
    // Out of line: only a watching engine calls it, and the digit path of
    // every other scan stays as compact as it was.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn watched(
        &self,
        w: &WatchList,
        buf: &[u8],
        groups: &[Group],
        starts: usize,
        (plus, paren): (bool, bool),
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        let (min, max) = w.digit_bounds();
        // Most chains are far shorter than any watched value: their bytes
        // (digits and separators) are fewer than its digits.
        let Some(last) = groups.last() else {
            return 0;
        };
        if last.end - groups[0].start < min {
            return 0;
        }
        let (mut a, mut after_last) = (0, 0);
        while a < starts.min(groups.len()) {
            let (mut len, mut value) = (0usize, 0u64);
            let mut best: Option<(usize, Builtin, Signals, Vec<u8>, usize)> = None;
            for (b, g) in groups.iter().enumerate().skip(a) {
                let glen = g.end - g.start;
                if len + glen > max {
                    break;
                }
                for &c in &buf[g.start..g.end] {
                    value = value * 10 + u64::from(c - b'0');
                }
                len += glen;
                if len < min {
                    continue;
                }
                let start = groups[a].start;
                for e in w.exact(len, value) {
                    let class = match (e.kind, len) {
                        (Kind::Inn, 12) => Builtin::InnPerson,
                        (Kind::Inn, _) => Builtin::InnOrg,
                        (Kind::Snils, _) => Builtin::Snils,
                        (Kind::PassportRu, _) => Builtin::PassportRu,
                        _ => Builtin::Card,
                    };
                    best = Some((b, class, Signals::VALIDATED, e.norm.clone(), start));
                }
                for cands in w.phone_tails(len, value) {
                    let raw_start = if a == 0 && (plus || paren) {
                        start - 1
                    } else {
                        start
                    };
                    let Some(p) = phone::normalize_phone(&buf[raw_start..g.end]) else {
                        continue;
                    };
                    if let Some(e) = cands.iter().find(|e| e.norm == p.e164.as_bytes()) {
                        let class = if p.region == "RU" {
                            Builtin::PhoneRu
                        } else {
                            Builtin::PhoneIntl
                        };
                        best = Some((b, class, Signals::PLAN, e.norm.clone(), raw_start));
                    }
                }
            }
            match best {
                Some((b, class, sig, norm, start)) => {
                    self.emit(
                        scratch,
                        out,
                        class,
                        (start, groups[b].end),
                        (sig.union(Signals::WATCHED), false),
                        Norm::from_vec(norm),
                    );
                    Self::close_group(scratch);
                    a = b + 1;
                    after_last = a;
                }
                None => a += 1,
            }
        }
        after_last
    }

    #[allow(clippy::too_many_arguments)]
    fn classify(
        &self,
        buf: &[u8],
        groups: &[Group],
        seps: &[Sep],
        prefix: Prefix,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) {
        let ng = groups.len();
        let mut lens = [0usize; MAX_GROUPS];
        let mut l = 0;
        for (k, g) in groups.iter().enumerate() {
            lens[k] = g.end - g.start;
            l += lens[k];
        }
        let lens = &lens[..ng];
        let start = groups[0].start;
        let end = groups[ng - 1].end;
        let single = ng == 1;
        let all_seps = |c: u8| seps.iter().all(|s| s.punct == c);
        let any_punct = |c: u8| seps.iter().any(|s| s.punct == c);
        let formatted = if single {
            Signals::empty()
        } else {
            Signals::FORMATTED
        };

        // IPv4: exactly four dot-separated groups, not part of a longer
        // dotted run (version strings like 10.0.19045.2965).
        if ng == 4 && all_seps(b'.') {
            if self.on(Builtin::Ipv4)
                && let Some(addr) = ip::parse_ipv4(&buf[start..end])
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::Ipv4,
                    (start, end),
                    (Signals::VALIDATED, false),
                    Norm::from_slice(&addr.octets()),
                );
            }
            return;
        }
        // Numeric dates: DD.MM.YYYY, D/M/YYYY, DD-MM-YYYY, YYYY-MM-DD.
        if ng == 3 && seps[0].punct == seps[1].punct && matches!(seps[0].punct, b'.' | b'/' | b'-')
        {
            if self.on(Builtin::BirthDate)
                && lens.contains(&4)
                && !followed_by_time(buf, end)
                && let Some((y, m, dd)) = date::parse_numeric_date(&buf[start..end])
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::BirthDate,
                    (start, end),
                    (Signals::FORMAT_ONLY, true),
                    iso_date(y, m, dd),
                );
            }
            return;
        }
        if any_punct(b'/') {
            return;
        }
        // Every kind below has MIN_DIGITS to MAX_DIGITS digits. Most
        // sub-ranges of the chains in logs have fewer (`123 45678`, the
        // time after a date): they leave here, before their digits are
        // gathered.
        if l > MAX_DIGITS || l < MIN_DIGITS && self.quick_exits {
            return;
        }
        let mut digits = [0u8; MAX_DIGITS];
        let mut at = 0;
        for g in groups {
            digits[at..at + (g.end - g.start)].copy_from_slice(&buf[g.start..g.end]);
            at += g.end - g.start;
        }
        let d = &digits[..l];
        let dots = any_punct(b'.');
        if dots && !all_seps(b'.') {
            return;
        }
        let grouped_by = |c: u8| {
            seps.iter()
                .all(|s| s.punct == c || (c == b' ' && s.punct == 0))
        };

        if matches!(l, 9 | 10 | 15 | 16) {
            self.classify_kinds(buf, groups, seps, lens, d, scratch, out);
        }

        // Cards: 13..19 digits, unbroken or in the printed groupings.
        if (13..=19).contains(&l) && self.on(Builtin::Card) && !dots && !any_punct(b'N') {
            let shape_ok = single
                || ((grouped_by(b' ') || grouped_by(b'-'))
                    && (lens[..ng - 1].iter().all(|&x| x == 4) && lens[ng - 1] <= 4
                        || lens == [4, 6, 5]
                        || lens == [4, 6, 4]));
            if shape_ok && card::card_valid(d) {
                self.emit(
                    scratch,
                    out,
                    Builtin::Card,
                    (start, end),
                    (Signals::VALIDATED.union(formatted), false),
                    Norm::from_slice(d),
                );
                // A bare 13-digit run may as well be an OGRN: let context
                // choose between the two.
                if !(single && l == 13) {
                    return;
                }
            }
        }

        // SNILS: XXX-XXX-XXX YY.
        if l == 11 && !dots && (single || lens == [3, 3, 3, 2]) {
            let check = snils::snils_check(d);
            if check != snils::SnilsCheck::Invalid {
                let dashed = !single && seps[0].punct == b'-' && seps[1].punct == b'-';
                let (class, needs_context, sig) = match (dashed, check) {
                    (true, snils::SnilsCheck::Valid) => (Builtin::Snils, false, Signals::VALIDATED),
                    (true, _) => (Builtin::Snils, true, Signals::FORMAT_ONLY),
                    (false, snils::SnilsCheck::Valid) => {
                        (Builtin::SnilsBare, true, Signals::VALIDATED)
                    }
                    (false, _) => (Builtin::SnilsBare, true, Signals::FORMAT_ONLY),
                };
                if self.on(class) {
                    self.emit(
                        scratch,
                        out,
                        class,
                        (start, end),
                        (sig.union(formatted), needs_context),
                        Norm::from_slice(d),
                    );
                }
                if dashed {
                    return;
                }
            }
        }

        // Phones. Which class a number gets is only known after the (dear)
        // normalisation: with no phone rule on there is nothing to know.
        if self.phones_on {
            self.phone(buf, groups, lens, d, prefix, dots, scratch, out);
        }

        // Bank accounts are also printed by their parts: 40817 810 0 9991 0004312.
        if l == 20
            && lens == [5, 3, 1, 4, 7]
            && seps.iter().all(|s| s.punct == 0 || s.punct == b'-')
        {
            self.bank_account(buf, d, (start, end), scratch, out);
            return;
        }
        if single {
            // INN, OGRN, bank accounts are written unbroken.
            match l {
                12 if self.on(Builtin::InnPerson) && inn::inn12_valid(d) => self.emit(
                    scratch,
                    out,
                    Builtin::InnPerson,
                    (start, end),
                    (Signals::VALIDATED, false),
                    Norm::from_slice(d),
                ),
                10 if self.on(Builtin::InnOrg) && inn::inn10_valid(d) => self.emit(
                    scratch,
                    out,
                    Builtin::InnOrg,
                    (start, end),
                    (Signals::VALIDATED, true),
                    Norm::from_slice(d),
                ),
                13 if self.on(Builtin::Ogrn) && ogrn_plausible(d) && ogrn::ogrn_valid(d) => self
                    .emit(
                        scratch,
                        out,
                        Builtin::Ogrn,
                        (start, end),
                        (Signals::VALIDATED, false),
                        Norm::from_slice(d),
                    ),
                15 if self.on(Builtin::Ogrnip) && ogrn_plausible(d) && ogrn::ogrnip_valid(d) => {
                    self.emit(
                        scratch,
                        out,
                        Builtin::Ogrnip,
                        (start, end),
                        (Signals::VALIDATED, false),
                        Norm::from_slice(d),
                    )
                }
                20 => self.bank_account(buf, d, (start, end), scratch, out),
                _ => {}
            }
        }

        // Internal passport: 10 digits as 45 08 123456 / 4508 123456 /
        // 4508123456 / 45 08 № 123456 (context decides; see the rule).
        if l == 10
            && self.on(Builtin::PassportRu)
            && !dots
            && (single || lens == [2, 2, 6] || lens == [4, 6])
            && seps.iter().all(|s| s.punct == 0 || s.punct == b'N')
        {
            self.emit(
                scratch,
                out,
                Builtin::PassportRu,
                (start, end),
                (Signals::FORMAT_ONLY.union(formatted), true),
                Norm::from_slice(d),
            );
        }
    }

    /// A 20-digit account: with a BIK nearby the CBR key decides; without
    /// one, the account needs context words.
    fn bank_account(
        &self,
        buf: &[u8],
        d: &[u8],
        span: (usize, usize),
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) {
        if !self.on(Builtin::BankAccount) || !account_prefix(d) {
            return;
        }
        let biks = bik_near(buf, span.0, span.1);
        let keyed = biks
            .iter()
            .flatten()
            .any(|bik| bank_account::account_valid(d, bik));
        if biks.is_some() && !keyed {
            return;
        }
        let sig = if keyed {
            Signals::VALIDATED
        } else {
            Signals::FORMAT_ONLY
        };
        self.emit(
            scratch,
            out,
            Builtin::BankAccount,
            span,
            (sig, !keyed),
            Norm::from_slice(d),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn phone(
        &self,
        buf: &[u8],
        groups: &[Group],
        lens: &[usize],
        d: &[u8],
        prefix: Prefix,
        dots: bool,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) {
        let Prefix { plus, paren, .. } = prefix;
        let l = d.len();
        let ng = groups.len();
        let single = ng == 1;
        // 810 / 00 dialling prefixes only open a chain: inside one ("4000
        // 0053 4735 3252") they are just digits.
        let dialled =
            prefix.chain_start && (d.starts_with(b"810") && l > 11 || d.starts_with(b"00"));
        let intl_prefix = plus || dialled;
        let plausible_len = if intl_prefix {
            (8..=17).contains(&l)
        } else {
            l == 11 && matches!(d[0], b'7' | b'8')
                || l == 10 && matches!(d[0], b'3' | b'4' | b'8' | b'9')
        };
        if !plausible_len {
            return;
        }
        // A bare 11-digit run whose national part starts with 7 would be a
        // Kazakh number: in Russian data it is far more often an id, and
        // checking it costs a libphonenumber call. Written as +7 or with
        // separators it is still checked.
        if single && !plus && l == 11 && d[1] == b'7' {
            return;
        }
        // Phone groupings: unbroken, or groups of 2..5 digits with at most
        // one longer local part (8 916 1234567, +7 9161234567).
        let last = lens[ng - 1];
        let shape_ok = single
            || (lens.iter().all(|&x| x <= 5) && matches!(last, 2..=4))
            || (matches!(last, 6 | 7) && lens[..ng - 1].iter().all(|&x| x <= 5))
            || (ng == 2 && lens[0] <= 3 && lens[1] >= 9);
        if !shape_ok || dots && ng < 3 {
            return;
        }
        let start = groups[0].start;
        let end = groups[ng - 1].end;
        let raw_start = if plus || paren { start - 1 } else { start };
        let Some(p) = phone::normalize_phone(&buf[raw_start..end]) else {
            return;
        };
        let ru = p.region == "RU";
        let class = if !ru {
            Builtin::PhoneIntl
        } else if single && l == 10 {
            Builtin::PhoneRuBare
        } else {
            Builtin::PhoneRu
        };
        if !self.on(class) {
            return;
        }
        // A bare 11-digit run is as likely an id as a phone: formatted or
        // prefixed numbers are sure; bare ones want the plan check only.
        let mut sig = Signals::PLAN;
        if !single || plus {
            sig.insert(Signals::FORMATTED);
        }
        self.emit(
            scratch,
            out,
            class,
            (raw_start, end),
            (sig, class == Builtin::PhoneRuBare),
            Norm::from_slice(p.e164.as_bytes()),
        );
    }

    /// "5 марта 1984 г.", "5 March 1984", "March 5, 1984".
    #[inline]
    fn word_date(
        &self,
        buf: &[u8],
        day: Group,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        // Most short chains are neither followed by a space nor by a comma
        // after a space (times, counts, JSON numbers): rejected before the
        // day is parsed.
        let next = buf.get(day.end).copied();
        if next != Some(b' ')
            && !(next == Some(b',') && day.start >= 2 && buf[day.start - 1] == b' ')
        {
            return None;
        }
        let dd = parse_uint(&buf[day.start..day.end])?;
        // Forward: day, space, month word, space, year.
        if next == Some(b' ') {
            let (w_start, w_end) = word_at(buf, day.end + 1)?;
            // The year first: most numbers followed by a word ("425 ms",
            // "3 шт") have no year after it, and the month look-up (UTF-8
            // check, case fold, table) is the dearest test.
            if buf.get(w_end) == Some(&b' ')
                && let Some((y, y_end)) = year_at(buf, w_end + 1)
                && let Some(m) = month_of(&buf[w_start..w_end])
                && date::valid_ymd(y, m, dd)
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::BirthDate,
                    (day.start, y_end),
                    (Signals::FORMAT_ONLY, true),
                    iso_date(y, m, dd),
                );
                Self::close_group(scratch);
                return Some(y_end);
            }
            return None;
        }
        // Backward: month word, space, day, comma, space, year.
        if day.start >= 2 && buf[day.start - 1] == b' ' && buf.get(day.end) == Some(&b',') {
            let w_end = day.start - 1;
            let mut w_start = w_end;
            while w_start > 0 && buf[w_start - 1].is_ascii_alphabetic() {
                w_start -= 1;
            }
            if w_start < w_end
                && buf.get(day.end + 1) == Some(&b' ')
                && let Some((y, y_end)) = year_at(buf, day.end + 2)
                && let Some(m) = month_of(&buf[w_start..w_end])
                && date::valid_ymd(y, m, dd)
            {
                self.emit(
                    scratch,
                    out,
                    Builtin::BirthDate,
                    (w_start, y_end),
                    (Signals::FORMAT_ONLY, true),
                    iso_date(y, m, dd),
                );
                Self::close_group(scratch);
                return Some(y_end);
            }
        }
        None
    }

    // ------------------------------------------------------------ IBAN

    fn iban(
        &self,
        buf: &[u8],
        s: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> Option<usize> {
        // Collect up to 34 characters: compact, or in groups of four with
        // single spaces. Remember group boundaries to try shorter forms.
        let mut compact = [0u8; 34];
        let mut n = 0;
        let mut p = s;
        let mut ends: [(usize, usize); 10] = [(0, 0); 10];
        let mut ne = 0;
        let mut run = 0;
        while p < buf.len() && n < 34 {
            let c = buf[p];
            if c.is_ascii_uppercase() || c.is_ascii_digit() {
                compact[n] = c;
                n += 1;
                run += 1;
                p += 1;
            } else if c == b' '
                && run == 4
                && p + 1 < buf.len()
                && (buf[p + 1].is_ascii_uppercase() || buf[p + 1].is_ascii_digit())
            {
                if ne < ends.len() {
                    ends[ne] = (n, p);
                    ne += 1;
                }
                run = 0;
                p += 1;
            } else {
                break;
            }
        }
        // The value must not be glued to more alphanumerics.
        if p < buf.len() && buf[p].is_ascii_alphanumeric() {
            return None;
        }
        if ne < ends.len() {
            ends[ne] = (n, p);
            ne += 1;
        }
        for &(len, end) in ends[..ne].iter().rev() {
            if len >= 15 && iban::iban_valid(&compact[..len]) {
                self.emit(
                    scratch,
                    out,
                    Builtin::Iban,
                    (s, end),
                    (Signals::VALIDATED, false),
                    Norm::from_slice(&compact[..len]),
                );
                Self::close_group(scratch);
                return Some(end);
            }
        }
        None
    }

    // ------------------------------------------------------------ e-mail

    fn email(&self, buf: &[u8], at: usize, scratch: &mut TokScratch, out: &mut Vec<Cand>) -> usize {
        if !self.on(Builtin::Email) {
            return at + 1;
        }
        // Local part, backwards: ASCII atext subset and Cyrillic letters.
        let mut s = at;
        while s > 0 && at - s < 64 {
            let c = buf[s - 1];
            if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-') {
                s -= 1;
            } else if (0x80..0xC0).contains(&c) && s >= 2 && matches!(buf[s - 2], 0xD0 | 0xD1) {
                s -= 2;
            } else {
                break;
            }
        }
        while s < at && matches!(buf[s], b'.' | b'-' | b'+') {
            s += 1;
        }
        if s == at {
            return at + 1;
        }
        // Domain, forwards: labels of letters, digits, hyphens; Cyrillic.
        let mut e = at + 1;
        while e < buf.len() && e - at < 255 {
            let c = buf[e];
            if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' {
                e += 1;
            } else if matches!(c, 0xD0 | 0xD1)
                && e + 1 < buf.len()
                && (0x80..0xC0).contains(&buf[e + 1])
            {
                e += 2;
            } else {
                break;
            }
        }
        while e > at + 1 && matches!(buf[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let value = &buf[s..e];
        if e <= at + 1 || has_file_extension_tld(value) {
            return at + 1;
        }
        let norm = if scratch.no_email_norm {
            if !email::email_valid(value) {
                return at + 1;
            }
            Norm::new()
        } else {
            match email::email_normal(value) {
                Some(norm) => Norm::from_vec(norm),
                None => return at + 1,
            }
        };
        self.emit(
            scratch,
            out,
            Builtin::Email,
            (s, e),
            (Signals::VALIDATED, false),
            norm,
        );
        Self::close_group(scratch);
        e
    }

    // ------------------------------------------------------------ IPv6

    fn ipv6(
        &self,
        buf: &[u8],
        colon: usize,
        scratch: &mut TokScratch,
        out: &mut Vec<Cand>,
    ) -> usize {
        if let Some(end) = self.colon_key(buf, colon, scratch, out) {
            return end;
        }
        // Guard: an address has hex or ':' on both sides of a colon; this
        // rejects "key: value" and "http://" at once.
        let next = buf.get(colon + 1).copied().unwrap_or(b' ');
        let prev = if colon > 0 { buf[colon - 1] } else { b' ' };
        if !(next.is_ascii_hexdigit() || next == b':')
            || !(prev.is_ascii_hexdigit()
                || prev == b':'
                || colon == 0
                || !prev.is_ascii_alphanumeric())
        {
            return colon + 1;
        }
        // Clock times ("10:23:45", on every log line): two digits on each
        // side, not glued to more hex before, and no "::" after. Skip the
        // time whole without the address scans below.
        let at = |i: usize| buf.get(i).copied().unwrap_or(b' ');
        if colon >= 2
            && prev.is_ascii_digit()
            && at(colon - 2).is_ascii_digit()
            && (colon == 2 || !(at(colon - 3).is_ascii_hexdigit() || at(colon - 3) == b':'))
            && next.is_ascii_digit()
            && at(colon + 2).is_ascii_digit()
            && !(at(colon + 3) == b':' && at(colon + 4) == b':')
            && !at(colon + 3).is_ascii_hexdigit()
        {
            let mut e = colon + 3;
            while e < buf.len() && (buf[e].is_ascii_digit() || buf[e] == b':') && e - colon < 12 {
                e += 1;
            }
            return e;
        }
        let is_v6 = |c: u8| c.is_ascii_hexdigit() || c == b':' || c == b'.';
        let mut s = colon;
        while s > 0 && colon - s < 40 && (buf[s - 1].is_ascii_hexdigit() || buf[s - 1] == b':') {
            s -= 1;
        }
        let mut e = colon;
        while e < buf.len() && e - s < 46 && is_v6(buf[e]) {
            e += 1;
        }
        while e > colon && buf[e - 1] == b'.' {
            e -= 1;
        }
        // "from 2001:db8::1: invalid password": a lone trailing colon is
        // punctuation, a trailing "::" is part of the address.
        if e > colon + 1 && buf[e - 1] == b':' && buf[e - 2] != b':' {
            e -= 1;
        }
        let text = &buf[s..e];
        let colons = memchr::memchr_iter(b':', text).count();
        // On a reject, skip the whole run when it holds more colons (a
        // timestamp "10:23:45", a MAC), else resume right after this colon:
        // the bytes after it may still hold a value ("инн:479644419642").
        let reject = if colons > 1 { e } else { colon + 1 };
        let glued = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        if (s > 0 && glued(buf[s - 1])) || (e < buf.len() && glued(buf[e])) {
            return reject;
        }
        // A MAC starting with hex letters (digit-led ones are found from
        // their first digit).
        if colons == 5
            && e - s == 17
            && let Some(end) = self.mac(buf, s, scratch, out)
        {
            return end;
        }
        // Timestamps (10:23:45) and MACs have neither "::" nor 7 colons.
        let double = memchr::memmem::find(text, b"::").is_some();
        if !(double || colons == 7 || colons == 6 && text.contains(&b'.')) {
            return reject;
        }
        if self.on(Builtin::Ipv6)
            && let Some(addr) = ip::parse_ipv6(text)
        {
            self.emit(
                scratch,
                out,
                Builtin::Ipv6,
                (s, e),
                (Signals::VALIDATED, false),
                Norm::from_slice(&addr.octets()),
            );
            Self::close_group(scratch);
            return e;
        }
        reject
    }
}

// ---------------------------------------------------------------- helpers

/// The first trigger byte (`0-9`, `:`, `@`) in `buf[i..to]`, or `to`.
///
/// Sixteen bytes at a time (one SSE2 compare through `wide`), then eight
/// (SWAR), then byte by byte near `to`: prose and Cyrillic text have long
/// runs without triggers, and a wide test halves the instructions of the
/// narrower one there (the sixteen-byte step cut 66 M of 2.17 G on the
/// bench corpus). Exact: a block is only skipped when none of its bytes
/// is a trigger, and within the block that stops the skip the lowest
/// flagged byte is the first trigger, so no byte loop runs there; logs
/// are dense with digits and that loop was a tenth of the tokenizer's
/// instructions.
#[inline]
fn next_trigger(buf: &[u8], mut i: usize, to: usize) -> usize {
    while i + 16 <= to {
        let flags = swar::in_range16(buf, i, 0x30, 0x3A) | swar::eq16(buf, i, b'@');
        if flags != 0 {
            return i + flags.trailing_zeros() as usize;
        }
        i += 16;
    }
    while i + 8 <= to {
        let w = swar::load(buf, i);
        // Digits and ':' (0x30..=0x3A), exact; '@', whose lowest flag is
        // always a true one: so is the lowest flag of both.
        let flags = swar::ascii_in(w, 0x30, 0x3A) | swar::eq(w, b'@');
        if flags != 0 {
            // Little-endian: the lowest flagged byte comes first in `buf`.
            return i + (flags.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < to && CLASS[buf[i] as usize] == C_NONE {
        i += 1;
    }
    i
}

/// Whether `t` starts with `shape`'s bytes, each `d` standing for an
/// ASCII digit (the timestamp shortcuts' fixed layouts).
#[inline(always)]
fn fits_shape<const N: usize>(t: &[u8], shape: &[u8; N]) -> bool {
    let Some(t) = t.first_chunk::<N>() else {
        return false;
    };
    // A fixed-length loop without an early exit, which the compiler
    // unrolls: `all` over the zipped slices cost 28 M instructions more on
    // the bench corpus (callgrind), as much as the shortcuts save.
    let mut fits = true;
    for k in 0..N {
        fits &= if shape[k] == b'd' {
            t[k].is_ascii_digit()
        } else {
            t[k] == shape[k]
        };
    }
    fits
}

/// Three digits not continued by a chain separator: the `299` of `1,299`.
fn thousands_group(buf: &[u8], s: usize) -> bool {
    let e = skip_digits(buf, s);
    e - s == 3 && !matches!(buf.get(e), Some(b'-' | b' ' | b'(' | b')' | b'/'))
}

fn skip_digits(buf: &[u8], p: usize) -> usize {
    swar::digits_end(buf, p)
}

/// End of the run of ASCII letters, digits and `_` at `p` (identifiers,
/// hashes, base64): sixteen bytes at a time, then eight, then byte by
/// byte near the end of `buf`.
fn skip_alnum(buf: &[u8], mut p: usize) -> usize {
    while p + 16 <= buf.len() {
        let stop = !swar::ascii_word16(buf, p) & 0xFFFF;
        if stop != 0 {
            return p + stop.trailing_zeros() as usize;
        }
        p += 16;
    }
    while p + 8 <= buf.len() {
        let w = swar::load(buf, p);
        let stop = !(swar::ascii_alnum(w) | swar::ascii_in(w, b'_', b'_')) & swar::HI;
        if stop != 0 {
            return p + (stop.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while p < buf.len() && (buf[p].is_ascii_alphanumeric() || buf[p] == b'_') {
        p += 1;
    }
    p
}

/// Whether a digit chain's last group ends at `p`: no separator follows,
/// or a space and then neither a digit nor more separator.
#[inline]
fn chain_ends_at(buf: &[u8], p: usize) -> bool {
    match buf.get(p) {
        None => true,
        Some(b' ') => buf
            .get(p + 1)
            .is_some_and(|&b| !b.is_ascii_digit() && !separator_start(b)),
        Some(&b) => !separator_start(b),
    }
}

/// Whether a [`separator`] can start with `b`.
#[inline]
fn separator_start(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')' | 0xC2 | 0xE2)
}

/// A short separator between digit groups starting at `p`: up to two
/// spaces (space, tab, NBSP, thin space) around at most one punctuation
/// mark (`-` `.` `/` `(` `)` en dash, `№`). Returns it and where it ends.
// Always inlined: the chain parse calls it for every group, and a call
// there cost ~2 % of a scan's instructions.
#[inline(always)]
fn separator(buf: &[u8], mut p: usize) -> Option<(Sep, usize)> {
    let mut spaces = 0;
    let mut punct = 0u8;
    let start = p;
    while p < buf.len() && p - start < 8 {
        let c = buf[p];
        let (width, is_space, mark) = match c {
            // A tab separates fields (TSV, COPY rows), never the groups of one value.
            b' ' => (1, true, 0),
            b'-' | b'.' | b'/' | b'(' | b')' => (1, false, c),
            0xC2 if buf.get(p + 1) == Some(&0xA0) => (2, true, 0),
            0xE2 => match (buf.get(p + 1), buf.get(p + 2)) {
                (Some(0x80), Some(0x89)) => (3, true, 0),     // thin space
                (Some(0x80), Some(0x93)) => (3, false, b'-'), // en dash
                (Some(0x84), Some(0x96)) => (3, false, b'N'), // №
                _ => break,
            },
            _ => break,
        };
        if is_space {
            spaces += 1;
            if spaces > 2 {
                return None;
            }
        } else {
            // ") (" or "-(" pairs: allow "(" right after ")" only via spaces.
            if punct != 0 && !(punct == b')' && mark == b'-') {
                return None;
            }
            punct = mark;
        }
        p += width;
    }
    if p == start {
        return None;
    }
    Some((
        Sep {
            space: punct == 0 || punct == b'/',
            punct,
        },
        p,
    ))
}

/// Where the values of a chain that goes on past [`MAX_GROUPS`] groups
/// may lie (a table row of numbers, values side by side: `4000 0010 0000
/// 0000  4000 0010 0000 0133  8 (900) 102-00-00`). They may start only in
/// its first half, and end only at a whitespace separator (the cut is not
/// the chain's end); the chain is parsed again from the first whitespace
/// separator after them ([`Tokenizer::after_cut`]), so a value running
/// past the cut is read whole then. A value has at most six groups, so
/// one starting in the first half ends inside these twelve.
#[cold]
#[inline(never)]
fn cut_chain_limits(seps: &mut [Sep; MAX_GROUPS], last_sep: Sep) -> ChainLimits {
    seps[MAX_GROUPS - 1] = last_sep;
    ChainLimits {
        starts: (MAX_GROUPS / 2..MAX_GROUPS)
            .find(|&k| seps[k - 1].space)
            .unwrap_or(MAX_GROUPS),
        ends: MAX_GROUPS,
        open_end: false,
    }
}

/// The separator after a chain's last group at `end` and where the digit
/// after it is, when the chain goes on there.
#[inline(never)]
fn chain_goes_on(buf: &[u8], end: usize) -> Option<(Sep, usize)> {
    separator(buf, end).filter(|&(_, next)| buf.get(next).is_some_and(u8::is_ascii_digit))
}

/// `YYYY-MM-DD`, the normalised form of a date (no `format!` on the hot path).
fn iso_date(y: u32, m: u32, d: u32) -> Norm {
    let mut v = [b'-'; 10];
    for (n, at, width) in [(y, 0, 4), (m, 5, 2), (d, 8, 2)] {
        let mut x = n;
        for k in (at..at + width).rev() {
            v[k] = b'0' + (x % 10) as u8;
            x /= 10;
        }
    }
    Norm::from_slice(&v)
}

/// "2024-01-15 10:23" / "2024-01-15T10:23": a timestamp, not a birth date.
fn followed_by_time(buf: &[u8], end: usize) -> bool {
    let Some(&sep) = buf.get(end) else {
        return false;
    };
    if sep != b' ' && sep != b'T' {
        return false;
    }
    let h = skip_digits(buf, end + 1);
    (1..=2).contains(&(h - end - 1)) && buf.get(h) == Some(&b':')
}

fn parse_uint(d: &[u8]) -> Option<u32> {
    if d.is_empty() || d.len() > 9 {
        return None;
    }
    d.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32)
    })
}

/// A word of letters (ASCII or Cyrillic) at `p`, at most 12 characters,
/// optionally ending in '.' for abbreviations ("янв.").
fn word_at(buf: &[u8], p: usize) -> Option<(usize, usize)> {
    let mut e = p;
    let mut chars = 0;
    while e < buf.len() && chars < 12 {
        if buf[e].is_ascii_alphabetic() {
            e += 1;
        } else if matches!(buf[e], 0xD0 | 0xD1) && e + 1 < buf.len() {
            e += 2;
        } else {
            break;
        }
        chars += 1;
    }
    (e > p).then_some((p, e))
}

fn month_of(word: &[u8]) -> Option<u32> {
    std::str::from_utf8(word)
        .ok()
        .and_then(date::month_from_word)
}

/// A four-digit year 1900..=2099 at `p`, not glued to more digits.
fn year_at(buf: &[u8], p: usize) -> Option<(u32, usize)> {
    let e = skip_digits(buf, p);
    if e - p != 4 {
        return None;
    }
    let y = parse_uint(&buf[p..e])?;
    (1900..=2099).contains(&y).then_some((y, e))
}

/// OGRN/OGRNIP structure beyond the checksum: the record type digit and a
/// registration year since the register began (2002). Rejects 13-digit
/// millisecond timestamps, which pass the mod-11 check one time in eleven.
fn ogrn_plausible(d: &[u8]) -> bool {
    let yy = (d[1] - b'0') as u32 * 10 + (d[2] - b'0') as u32;
    let kind_ok = match d.len() {
        13 => matches!(d[0], b'1' | b'5'),
        15 => d[0] == b'3',
        _ => false,
    };
    kind_ok && (2..=40).contains(&yy)
}

/// Balance-account prefixes that mark bank accounts (CBR chart of accounts).
fn account_prefix(d: &[u8]) -> bool {
    d.starts_with(b"301")
        || d.starts_with(b"40")
        || (d.starts_with(b"42") && matches!(d[2], b'0'..=b'6'))
        || d.starts_with(b"455")
}

/// Every standalone 9-digit number starting "04" (a BIK) within a few
/// hundred bytes of the account.
fn bik_near(buf: &[u8], start: usize, end: usize) -> Option<Vec<[u8; 9]>> {
    let lo = start.saturating_sub(256);
    let hi = (end + 256).min(buf.len());
    let mut found = Vec::new();
    // A BIK starts with "04": a vectorised search for that pair, then the
    // run checks, where a byte loop over the ~530-byte window cost ~8,000
    // instructions per account candidate (a quarter of the account rule's
    // whole cost on the bench corpus). A pair starting at `hi - 1` counts,
    // as the byte loop counted every run starting before `hi`.
    let window = &buf[lo..(hi + 1).min(buf.len())];
    for i in memchr::memmem::find_iter(window, b"04") {
        let p = lo + i;
        if p >= hi || p > 0 && buf[p - 1].is_ascii_digit() {
            continue;
        }
        if skip_digits(buf, p) - p == 9 {
            let mut bik = [0u8; 9];
            bik.copy_from_slice(&buf[p..p + 9]);
            found.push(bik);
        }
    }
    (!found.is_empty()).then_some(found)
}

/// "logo@2x.png" is an asset name, not an address.
fn has_file_extension_tld(value: &[u8]) -> bool {
    let tld = match value.iter().rposition(|&c| c == b'.') {
        Some(i) => &value[i + 1..],
        None => return false,
    };
    const EXT: [&[u8]; 12] = [
        b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"css", b"js", b"ico", b"bmp", b"tif",
        b"tiff",
    ];
    EXT.iter().any(|e| tld.eq_ignore_ascii_case(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `t` stops and what it finds in the whole of `text`.
    fn tokenize(t: &Tokenizer, text: &[u8]) -> (usize, Vec<Cand>) {
        let mut scratch = TokScratch::default();
        let mut out = Vec::new();
        let end = t.scan(text, 0, text.len(), true, &mut scratch, &mut out);
        (end, out)
    }

    #[test]
    fn iso_dates() {
        assert_eq!(&iso_date(1984, 3, 5)[..], b"1984-03-05");
        assert_eq!(&iso_date(2001, 12, 31)[..], b"2001-12-31");
    }

    /// The vectorised BIK search finds what the byte loop found.
    #[test]
    fn bik_search_matches_the_byte_loop() {
        fn by_bytes(buf: &[u8], start: usize, end: usize) -> Option<Vec<[u8; 9]>> {
            let lo = start.saturating_sub(256);
            let hi = (end + 256).min(buf.len());
            let mut found = Vec::new();
            let mut p = lo;
            while p < hi {
                if buf[p].is_ascii_digit() && (p == 0 || !buf[p - 1].is_ascii_digit()) {
                    let e = skip_digits(buf, p);
                    if e - p == 9 && buf[p] == b'0' && buf[p + 1] == b'4' {
                        found.push(buf[p..e].try_into().unwrap());
                    }
                    p = e;
                } else {
                    p += 1;
                }
            }
            (!found.is_empty()).then_some(found)
        }
        let pieces: [&[u8]; 8] = [
            b"044525225",
            b"04452522",
            b"0445252250",
            b"4",
            b"0",
            b" ",
            b"x",
            b"1",
        ];
        let mut rng = crate::eval::rng::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut with_bik = 0;
        for _ in 0..20_000 {
            let state = rng.next_u64();
            let mut r = state;
            let mut buf = Vec::new();
            while buf.len() < 700 {
                buf.extend_from_slice(pieces[(r % 8) as usize]);
                r = r.rotate_left(3) ^ 0x9E37;
            }
            let start = (state >> 20) as usize % 600;
            let end = (start + 20).min(buf.len());
            let want = by_bytes(&buf, start, end);
            with_bik += usize::from(want.is_some());
            assert_eq!(bik_near(&buf, start, end), want);
        }
        assert!(with_bik > 1_000, "{with_bik}");
    }

    /// The digit path's shortcuts find what the full path finds, on random
    /// log-like text full of times, numbers and the bytes that make a run
    /// more than a number (plates, licences, URL escapes, MACs, IPv6, word
    /// dates, context words).
    #[test]
    fn shortcuts_agree_with_the_full_path() {
        let pieces: &[&[u8]] = &[
            b"12",
            b"425",
            b"7",
            b"12345678",
            b"123456789",
            b"10:23:45",
            b"01:02",
            b" ",
            b"  ",
            b"\n",
            b":",
            b"-",
            b".",
            b",",
            b"/",
            b"(",
            b")",
            b"%2B",
            b"+",
            b"=",
            b"<",
            b"@",
            b"_",
            b"x",
            b"ms",
            b"\"",
            b"]",
            b"\t",
            "А".as_bytes(),
            "ВС".as_bytes(),
            "марта".as_bytes(),
            b"March",
            b"AB",
            b"1984",
            b"+7 912 345-67-89",
            b"44",
            "тел ".as_bytes(),
            b"12:34:56:78:9a:bc",
            "паспорт ".as_bytes(),
            b"2020-01-02",
            // Whole values the shortcuts must leave to the full path.
            b" March 5, 1984 ",
            " 5 марта 1984 ".as_bytes(),
            " А 123 ВС 77 ".as_bytes(),
            " 77 АВ 123456 ".as_bytes(),
            b" 77 AB 123456 ",
            b"=%2B79123456789&",
            b" 10:20:30::1 ",
            b" 12-34-56-78-9a-bc ",
            b" 1234.5678.9abc ",
            b"\n1234567897RUS8001014M2501017<<<<<<<<<<<<<<02\n",
            b"q=79123456789+",
            b" 1,299 ",
            b"2025-02-07T01:23:08",
            b"2025-02-07 01:23:08",
            b"0012-02-07 01:23:08",
            b"9123-45-67 89:00:00",
            b"55.7558",
            b"rt=1.026",
            b"Feb  7 01:21:48",
            b"91234567",
            b".314Z",
            b"+03:00",
            b"1984-03-05T",
            b"T01:23",
            b"Z ",
        ];
        let full = {
            let mut t = Tokenizer::new(|_| true);
            t.quick_exits = false;
            t
        };
        let quick = Tokenizer::new(|_| true);
        let mut rng = crate::eval::rng::Rng::new(0x2545_F491_4F6C_DD1D);
        let (mut found, mut taken) = (0, 0);
        for _ in 0..100_000 {
            let mut text = Vec::new();
            for _ in 0..12 {
                let state = rng.next_u64();
                text.extend_from_slice(pieces[(state % pieces.len() as u64) as usize]);
            }
            let want = tokenize(&full, &text);
            assert_eq!(
                tokenize(&quick, &text),
                want,
                "{:?}",
                String::from_utf8_lossy(&text)
            );
            found += want.1.len();
            taken += (1..text.len())
                .filter(|&s| {
                    text[s].is_ascii_digit()
                        && !text[s - 1].is_ascii_alphanumeric()
                        && (text.get(s + 2) == Some(&b':')
                            && quick.clock_time_end(&text, s, text[s - 1]).is_some()
                            || quick.iso_timestamp_end(&text, s, text[s - 1]).is_some())
                })
                .count();
        }
        assert!(
            found > 40_000 && taken > 5_000,
            "{found} found, {taken} taken"
        );
    }

    /// Without a phone rule the phone check is skipped before its dear
    /// normalisation: the same candidates as when it runs (and finds
    /// numbers no rule reports), in every fixture.
    #[test]
    fn selections_without_phones_skip_the_phone_check() {
        let is_phone = |b: Builtin| {
            matches!(
                b,
                Builtin::PhoneRu | Builtin::PhoneRuBare | Builtin::PhoneIntl
            )
        };
        let skipping = Tokenizer::new(|b| !is_phone(b));
        assert!(!skipping.phones_on);
        let checking = Tokenizer {
            phones_on: true,
            ..skipping.clone()
        };
        let mut files = 0;
        let mut found = 0;
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read(&path).unwrap();
                let want = tokenize(&checking, &text);
                assert_eq!(tokenize(&skipping, &text), want, "{}", path.display());
                files += 1;
                found += want.1.len();
            }
        }
        assert!(files > 10 && found > 200, "{files} files, {found} values");
    }

    /// The word-at-a-time skip must stop exactly where the byte loop would.
    #[test]
    fn next_trigger_matches_the_byte_loop() {
        let mut rng = crate::eval::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut buf = Vec::new();
        for _ in 0..20_000 {
            let state = rng.next_u64();
            // Mostly letters and Cyrillic, sometimes a trigger or an edge byte.
            let b = match state % 23 {
                0 => b'0' + (state >> 8) as u8 % 10,
                1 => b':',
                2 => b'@',
                3 => [b'/', b';', b'?', b'A', 0xB0, 0xBA, 0xC0][(state >> 8) as usize % 7],
                _ => [b'a', b' ', 0xD0, 0xB8, b'z', b'.'][(state >> 8) as usize % 6],
            };
            buf.push(b);
        }
        let slow = |mut i: usize, to: usize| {
            while i < to && CLASS[buf[i] as usize] == C_NONE {
                i += 1;
            }
            i
        };
        for start in 0..buf.len() {
            let to = (start + 50).min(buf.len());
            assert_eq!(next_trigger(&buf, start, to), slow(start, to), "at {start}");
        }
    }

    /// Values side by side in a chain of more than twelve groups (a row
    /// of a fixed-width table) are each found whole: the chain is parsed
    /// again after the values of its first half, not cut at the twelfth
    /// group (where `102-00-00` was once read as `102`, and the phone
    /// lost).
    #[test]
    fn values_past_the_twelfth_group_are_found_whole() {
        let t = Tokenizer::new(|b| matches!(b, Builtin::Card | Builtin::PhoneRu));
        let spans = |text: &[u8]| -> Vec<(Builtin, String)> {
            let (_, out) = tokenize(&t, text);
            let mut v: Vec<(Builtin, String)> = out
                .iter()
                .map(|c| {
                    (
                        c.class,
                        String::from_utf8_lossy(&text[c.start..c.end]).into(),
                    )
                })
                .collect();
            v.dedup();
            v
        };
        let card_a = "4000 0010 0000 0000";
        let card_b = "4000 0010 0000 0133";
        let phone = "8 (900) 102-00-00";
        let row = format!(" {card_a}  {card_b}  {phone} ");
        assert_eq!(
            spans(row.as_bytes()),
            [
                (Builtin::Card, card_a.to_string()),
                (Builtin::Card, card_b.to_string()),
                (Builtin::PhoneRu, phone.to_string()),
            ]
        );
        // Three phones of five groups each: cut at the twelfth group, in
        // the middle of the third.
        let phones = ["8 900 100 00 01", "8 900 100 00 02", "8 900 100 00 03"];
        let row = phones.join("  ");
        let want: Vec<(Builtin, String)> = phones
            .iter()
            .map(|p| (Builtin::PhoneRu, p.to_string()))
            .collect();
        assert_eq!(spans(row.as_bytes()), want);
        // A long run of groups with no value in it is read to its end.
        let row = "0 00 ".repeat(300);
        let (end, out) = tokenize(&t, row.as_bytes());
        assert_eq!((end, out.len()), (row.len(), 0));
    }

    /// A value that needs context words does not hide one after it that
    /// does not: both are candidates, and the engine keeps the better.
    #[test]
    fn a_value_needing_context_does_not_claim_its_groups() {
        let t = Tokenizer::new(|b| matches!(b, Builtin::Card | Builtin::Oms));
        let text = b" 0000  4000 0010 0000 0133 ";
        let (_, out) = tokenize(&t, text);
        let found: Vec<(Builtin, &[u8], bool)> = out
            .iter()
            .map(|c| (c.class, &text[c.start..c.end], c.needs_context))
            .collect();
        assert_eq!(
            found,
            [
                (Builtin::Oms, &b"0000  4000 0010 0000"[..], true),
                // Alternatives for the one span.
                (Builtin::Oms, &b"4000 0010 0000 0133"[..], true),
                (Builtin::Card, &b"4000 0010 0000 0133"[..], false),
            ]
        );
    }

    /// A watched value (a subject request's) in a chain cut at the
    /// twelfth group is found once, whole, on either side of the cut.
    #[test]
    fn watched_values_in_a_cut_chain_are_found_once() {
        let mut w = WatchList::new();
        for phone in ["+79001000001", "+79001000002", "+79001000003"] {
            w.add(Kind::Phone, phone.as_bytes());
        }
        let mut t = Tokenizer::new(|_| false);
        t.set_watch(Some(std::sync::Arc::new(w)));
        let row = "8 900 100 00 01  8 900 100 00 02  8 900 100 00 03";
        let (_, out) = tokenize(&t, row.as_bytes());
        let found: Vec<&str> = out.iter().map(|c| &row[c.start..c.end]).collect();
        assert_eq!(
            found,
            ["8 900 100 00 01", "8 900 100 00 02", "8 900 100 00 03"]
        );
    }
}
