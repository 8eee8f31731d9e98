//! Value builders for the synthetic corpus and fixtures: one function per
//! kind of planted PII value and per kind of hard negative.
//!
//! Owns what a value looks like (its spellings) and which ranges it comes
//! from; every check digit comes from `crate::validators`, never from code
//! here, so the generator and the scanner share one definition of "valid".
//! It knows nothing about files, templates or labels.
//!
//! Ranges are chosen to be obviously synthetic: phone numbers from blocks
//! that look like test numbers (+7 900 0xx, 495 555-xx-xx, 800 555,
//! Ofcom's drama range, +1 202 555 01xx), e-mail domains under
//! `example.*`, `.test` and the IDN test TLD `.испытание`, IPs from the
//! documentation and private ranges, card numbers under well-known test
//! prefixes.

use super::rng::Rng;
use crate::validators::{bank_account, iban, inn, luhn, ogrn, oms, snils};

fn s(digits: Vec<u8>) -> String {
    String::from_utf8(digits).expect("ASCII digits")
}

fn digits_str(d: &[u8]) -> &str {
    std::str::from_utf8(d).expect("ASCII digits")
}

/// `n` zero-padded decimal digits of a random number in `lo..=hi`.
fn padded(rng: &mut Rng, lo: u64, hi: u64, width: usize) -> String {
    format!("{:0width$}", rng.range(lo, hi))
}

/// Groups `d` by `sizes` with `sep` (sizes must sum to `d.len()`).
fn group(d: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = String::with_capacity(d.len() + sizes.len() * sep.len());
    let mut at = 0;
    for (i, n) in sizes.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&d[at..at + n]);
        at += n;
    }
    debug_assert_eq!(at, d.len());
    out
}

// ------------------------------------------------------------------ cards

/// Test-looking IIN prefixes (brand, prefix): Mir 2200–2204, Visa 4,
/// Mastercard 51–55.
const CARD_PREFIXES: &[&str] = &[
    "220000", "220070", "220220", "220412", // Mir
    "411111", "424242", "400000", "401288", // Visa
    "555555", "510510", "520082", "545454", // Mastercard
];

/// 16 digits under a test prefix, Luhn-valid.
pub fn card_digits(rng: &mut Rng) -> Vec<u8> {
    let mut d = rng.pick(CARD_PREFIXES).as_bytes().to_vec();
    let n = 15 - d.len();
    rng.push_digits(&mut d, n);
    let c = luhn::luhn_check_digit(&d);
    d.push(c);
    d
}

/// A Luhn-valid PAN as people write it: 4-4-4-4 with spaces or dashes, or
/// unbroken.
pub fn card(rng: &mut Rng) -> String {
    let d = s(card_digits(rng));
    match rng.below(10) {
        0..=4 => group(&d, &[4, 4, 4, 4], " "),
        5..=6 => group(&d, &[4, 4, 4, 4], "-"),
        _ => d,
    }
}

/// Hard negative: 16 digits that fail Luhn (and the OMS check digit, so it
/// is no valid 16-digit identifier at all). Mostly bare transaction-id
/// style; sometimes a card-shaped typo under a card prefix.
pub fn luhn_fail_16(rng: &mut Rng) -> String {
    let card_like = rng.percent(30);
    let mut d = if card_like {
        rng.pick(CARD_PREFIXES).as_bytes().to_vec()
    } else {
        vec![b'1' + rng.below(9) as u8]
    };
    let n = 15 - d.len();
    rng.push_digits(&mut d, n);
    let bad = [luhn::luhn_check_digit(&d), oms::oms_check_digit(&d)];
    let mut c = rng.digit();
    while bad.contains(&c) {
        c = b'0' + (c - b'0' + 1) % 10;
    }
    d.push(c);
    let d = s(d);
    if card_like {
        group(&d, &[4, 4, 4, 4], " ")
    } else {
        d
    }
}

// ------------------------------------------------------------------ SNILS

fn snils_body(rng: &mut Rng, first: u8) -> Vec<u8> {
    // Numbers up to 001-001-998 carry no checksum; stay above them.
    let mut d = vec![first];
    rng.push_digits(&mut d, 8);
    if d.as_slice() <= b"001001998".as_slice() {
        d[0] = b'1';
    }
    d
}

/// 11 SNILS digits with a valid check number.
pub fn snils_digits(rng: &mut Rng) -> Vec<u8> {
    let first = rng.digit();
    let mut d = snils_body(rng, first);
    let n = snils::snils_check_number(&d);
    d.extend_from_slice(format!("{n:02}").as_bytes());
    d
}

/// A formatted SNILS: `112-233-445 95`, `112-233-445-95` or `112 233 445 95`.
pub fn snils(rng: &mut Rng) -> String {
    let d = s(snils_digits(rng));
    match rng.below(10) {
        0..=5 => format!("{}-{}-{} {}", &d[0..3], &d[3..6], &d[6..9], &d[9..11]),
        6..=7 => group(&d, &[3, 3, 3, 2], "-"),
        _ => group(&d, &[3, 3, 3, 2], " "),
    }
}

/// A SNILS as 11 bare digits (only planted next to a context word).
pub fn snils_bare(rng: &mut Rng) -> String {
    s(snils_digits(rng))
}

/// Hard negative: 11 bare digits failing the SNILS check, not starting
/// with 7 or 8 (which would make them plausible phone numbers).
pub fn snils_fail_11(rng: &mut Rng) -> String {
    let first = b'1' + rng.below(6) as u8;
    let mut d = snils_body(rng, first);
    let good = snils::snils_check_number(&d);
    let bad = (good + 1 + rng.below(99) as u32) % 100;
    d.extend_from_slice(format!("{bad:02}").as_bytes());
    s(d)
}

// ------------------------------------------------------------------ INN / OGRN

fn region(rng: &mut Rng) -> String {
    padded(rng, 1, 92, 2)
}

/// INN-10 (organisation), checksum-valid.
pub fn inn10(rng: &mut Rng) -> String {
    let mut d = format!("{}{}", region(rng), padded(rng, 1, 99, 2)).into_bytes();
    rng.push_digits(&mut d, 5);
    let c = inn::inn10_check_digit(&d);
    d.push(c);
    s(d)
}

/// INN-12 (natural person), checksum-valid.
pub fn inn12(rng: &mut Rng) -> String {
    let mut d = format!("{}{}", region(rng), padded(rng, 1, 99, 2)).into_bytes();
    rng.push_digits(&mut d, 6);
    let c = inn::inn12_check_digits(&d);
    d.extend_from_slice(&c);
    s(d)
}

/// Hard negative: 10 digits failing INN-10, starting with 1, 2, 5 or 6 so
/// they are no Russian phone number either.
pub fn inn_fail_10(rng: &mut Rng) -> String {
    let mut d = vec![*rng.pick(b"1256")];
    rng.push_digits(&mut d, 8);
    let good = inn::inn10_check_digit(&d);
    d.push(b'0' + (good - b'0' + 1 + rng.below(9) as u8) % 10);
    s(d)
}

/// Hard negative: 12 digits with one wrong INN-12 check digit.
pub fn inn_fail_12(rng: &mut Rng) -> String {
    let mut d = format!("{}{}", region(rng), padded(rng, 1, 99, 2)).into_bytes();
    rng.push_digits(&mut d, 6);
    let mut c = inn::inn12_check_digits(&d);
    let which = rng.index(2);
    c[which] = b'0' + (c[which] - b'0' + 1 + rng.below(9) as u8) % 10;
    d.extend_from_slice(&c);
    s(d)
}

/// OGRN (13 digits, legal entity), checksum-valid: `S YY RR XXXXXXX C`.
pub fn ogrn13(rng: &mut Rng) -> String {
    let mut d = format!(
        "{}{}{}",
        rng.pick(&["1", "5"]),
        padded(rng, 2, 24, 2),
        padded(rng, 1, 79, 2)
    )
    .into_bytes();
    rng.push_digits(&mut d, 7);
    let c = ogrn::ogrn_check_digit(&d);
    d.push(c);
    s(d)
}

/// OGRNIP (15 digits, sole trader), checksum-valid: `3 YY RR XXXXXXXXX C`.
pub fn ogrnip(rng: &mut Rng) -> String {
    let mut d = format!("3{}{}", padded(rng, 4, 24, 2), padded(rng, 1, 79, 2)).into_bytes();
    rng.push_digits(&mut d, 9);
    let c = ogrn::ogrnip_check_digit(&d);
    d.push(c);
    s(d)
}

/// KPP (9 characters, no checksum, an organisation attribute): a negative.
pub fn kpp(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        padded(rng, 1, 99, 2),
        padded(rng, 1, 99, 2),
        rng.pick(&["01001", "01002", "43001", "45001"])
    )
}

// ------------------------------------------------------------------ banking

/// A Russian BIK: `04` + territory + division + institution (050–999).
pub fn bik(rng: &mut Rng) -> String {
    let terr = *rng.pick(&["45", "40", "46", "63", "52", "65", "66", "92"]);
    format!(
        "04{terr}{}{}",
        padded(rng, 0, 99, 2),
        padded(rng, 50, 999, 3)
    )
}

/// A 20-digit account in the bank `bik`, with the CBR control key:
/// `BBBBB CCC K FFFF NNNNNNN`, individual (40817, 42301), sole trader
/// (40802) or company (40702) balance accounts, RUB (810).
pub fn bank_account_digits(rng: &mut Rng, bik: &str) -> Vec<u8> {
    let mut d = format!(
        "{}810",
        rng.pick(&["40817", "40817", "40802", "40702", "42301"])
    )
    .into_bytes();
    d.push(b'0'); // key placeholder
    rng.push_digits(&mut d, 11);
    let key = bank_account::account_key(&bik.as_bytes()[6..9], &d);
    d[8] = key;
    d
}

/// An account as written in requisites: unbroken, or grouped
/// `40817 810 0 9991 0004312`.
pub fn bank_account(rng: &mut Rng, bik: &str) -> String {
    let d = s(bank_account_digits(rng, bik));
    if rng.percent(80) {
        d
    } else {
        group(&d, &[5, 3, 1, 4, 7], " ")
    }
}

/// A compact, mod-97 valid IBAN of `country` (`GB`, `DE` or `RU`; RU's
/// BBAN is a BIK plus a key-valid 20-digit account).
pub fn iban_compact(rng: &mut Rng, country: [u8; 2]) -> String {
    let bban = match &country {
        b"GB" => {
            let mut b = rng
                .pick(&["WEST", "NWBK", "BUKB", "MIDL"])
                .as_bytes()
                .to_vec();
            rng.push_digits(&mut b, 14);
            String::from_utf8(b).expect("ASCII")
        }
        b"DE" => {
            let mut b = b"370".to_vec();
            rng.push_digits(&mut b, 15);
            s(b)
        }
        _ => {
            let bik = bik(rng);
            let acct = bank_account_digits(rng, &bik);
            format!("{bik}{}", digits_str(&acct))
        }
    };
    let check = iban::iban_check_digits(country, bban.as_bytes());
    let ascii = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    format!("{}{}{bban}", ascii(&country), ascii(&check))
}

/// Groups of four separated by spaces, as IBANs are printed.
pub fn group4(compact: &str) -> String {
    let b = compact.as_bytes();
    b.chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An IBAN (GB, DE or RU), grouped by 4 or compact.
pub fn iban(rng: &mut Rng) -> String {
    let country = *rng.pick(&[*b"GB", *b"DE", *b"RU"]);
    let compact = iban_compact(rng, country);
    if rng.percent(50) {
        group4(&compact)
    } else {
        compact
    }
}

// ------------------------------------------------------------------ phones

/// A Russian national significant number (10 digits) and how many of its
/// leading digits are the area/operator code.
fn ru_nsn(rng: &mut Rng) -> (String, usize) {
    match rng.below(10) {
        // Mobile 900 0xx xx xx.
        0..=5 => (format!("9000{}", padded(rng, 0, 999_999, 6)), 3),
        // Moscow 495 555-xx-xx.
        6..=7 => (format!("495555{}", padded(rng, 0, 9999, 4)), 3),
        // Saratov, a 4-digit area code: 8452 55-xx-xx.
        8 => (format!("845255{}", padded(rng, 0, 9999, 4)), 4),
        // Toll-free 800 555-xx-xx.
        _ => (format!("800555{}", padded(rng, 0, 9999, 4)), 3),
    }
}

/// A Russian phone number in one of the spellings of ru-pii.md §A.7 that
/// is recognisable without context (has `+` or separators).
pub fn phone_ru(rng: &mut Rng) -> String {
    let (n, code) = ru_nsn(rng);
    let (a, rest) = n.split_at(code);
    if code == 4 {
        // 8 (8452) 12-34-56: the local number shrinks to 6 digits.
        let local = group(rest, &[2, 2, 2], "-");
        return match rng.below(3) {
            0 | 1 => format!("8 ({a}) {local}"),
            _ => format!("+7 ({a}) {local}"),
        };
    }
    let dashed = group(rest, &[3, 2, 2], "-");
    match rng.below(12) {
        0 | 1 => format!("+7 ({a}) {dashed}"),
        2 | 3 => format!("8 ({a}) {dashed}"),
        4 => format!("8-{a}-{dashed}"),
        5 => format!("+7 {a} {rest}"),
        6 => format!("+7{n}"),
        7 => format!("+7 {a} {}", group(rest, &[3, 2, 2], " ")),
        8 => format!("8({a}){dashed}"),
        9 => format!("+7({a}){dashed}"),
        10 => format!("+7 {a} {dashed}"),
        _ => format!("8 {a} {dashed}"),
    }
}

/// A Russian phone number as bare digits (`89000123456`, `79000123456`,
/// `9000123456`): only planted after a phone context word.
pub fn phone_ru_bare(rng: &mut Rng) -> String {
    let (n, _) = ru_nsn(rng);
    match rng.below(3) {
        0 => format!("8{n}"),
        1 => format!("7{n}"),
        _ => n,
    }
}

/// E.164 digits with `+` (`+79000123456`), the form APIs and JSON use.
pub fn phone_e164(rng: &mut Rng) -> String {
    let (n, _) = ru_nsn(rng);
    format!("+7{n}")
}

/// An international number from fictional ranges: UK Ofcom drama numbers
/// (+44 20 7946 0xxx) and the US 555-01xx block.
pub fn phone_intl(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("+44 20 7946 0{}", padded(rng, 0, 999, 3)),
        1 => format!("+44 (0)20 7946 0{}", padded(rng, 0, 999, 3)),
        2 => format!("+1 202 555 01{}", padded(rng, 0, 99, 2)),
        _ => format!("+1 (202) 555-01{}", padded(rng, 0, 99, 2)),
    }
}

// ------------------------------------------------------------------ e-mail

const LATIN_FIRST: &[&str] = &[
    "ivan", "anna", "sergey", "olga", "dmitry", "maria", "alexey", "elena", "pavel", "natalia",
    "john", "jane", "michael", "emily", "david", "sarah",
];
const LATIN_LAST: &[&str] = &[
    "petrov",
    "ivanova",
    "smirnov",
    "kuznetsova",
    "popov",
    "sokolova",
    "lebedev",
    "novikova",
    "smith",
    "johnson",
    "brown",
    "taylor",
    "wilson",
    "clark",
];
const MAIL_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.ru",
    "mail.example.ru",
    "shop.test",
    "corp.test",
    "post.test",
];
const CYR_LOCAL: &[&str] = &[
    "иван",
    "мария",
    "иван.петров",
    "анна.смирнова",
    "олег",
    "директор",
    "почта",
];
const IDN_DOMAINS: &[&str] = &[
    "почта.test",
    "пример.испытание",
    "компания.test",
    "example.ru",
    "магазин.test",
];

/// An ASCII e-mail address at a reserved domain.
pub fn email(rng: &mut Rng) -> String {
    let first = *rng.pick(LATIN_FIRST);
    let last = *rng.pick(LATIN_LAST);
    let local = match rng.below(8) {
        0..=2 => format!("{first}.{last}"),
        3 => format!("{}.{last}", &first[..1]),
        4 => format!("{first}_{last}{}", rng.range(1, 99)),
        5 => format!("{first}{}", rng.range(70, 2005)),
        6 => format!("{first}.{last}+{}", rng.pick(&["shop", "news", "orders"])),
        _ => format!("{last}-{first}"),
    };
    let domain = *rng.pick(MAIL_DOMAINS);
    if rng.percent(5) {
        // People do capitalise addresses.
        let mut l = local;
        l[..1].make_ascii_uppercase();
        format!("{l}@{}", domain.to_ascii_uppercase())
    } else {
        format!("{local}@{domain}")
    }
}

/// An internationalised address: Cyrillic local part and/or IDN domain
/// (`иван@почта.test`), sometimes with the domain in punycode.
pub fn email_idn(rng: &mut Rng) -> String {
    let local = *rng.pick(CYR_LOCAL);
    match rng.below(6) {
        // почта.test in A-labels.
        0 => format!("{}@xn--80a1acny.test", rng.pick(LATIN_FIRST)),
        1 => format!("{}@{}", rng.pick(LATIN_FIRST), rng.pick(IDN_DOMAINS)),
        _ => format!("{local}@{}", rng.pick(IDN_DOMAINS)),
    }
}

// ------------------------------------------------------------------ IP

/// IPv4 from documentation (RFC 5737), private and CGNAT ranges.
pub fn ipv4(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 => format!("192.0.2.{}", rng.range(1, 254)),
        1 => format!("198.51.100.{}", rng.range(1, 254)),
        2 => format!("203.0.113.{}", rng.range(1, 254)),
        3 => format!(
            "10.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            rng.range(1, 254)
        ),
        4 => format!(
            "172.{}.{}.{}",
            rng.range(16, 31),
            rng.below(256),
            rng.range(1, 254)
        ),
        5 => format!("192.168.{}.{}", rng.below(256), rng.range(1, 254)),
        _ => format!(
            "100.{}.{}.{}",
            rng.range(64, 127),
            rng.below(256),
            rng.range(1, 254)
        ),
    }
}

fn h16(rng: &mut Rng) -> String {
    format!("{:x}", rng.range(1, 0xffff))
}

/// IPv6 in the documentation prefix 2001:db8::/32 (and link-local):
/// compressed, full eight-group, or IPv4-mapped.
pub fn ipv6(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("2001:db8::{}", h16(rng)),
        1..=2 => format!("2001:db8:{}:{}::{}", h16(rng), h16(rng), h16(rng)),
        3 => {
            let g: Vec<String> = (0..6)
                .map(|_| format!("{:04x}", rng.below(0x10000)))
                .collect();
            format!("2001:0db8:{}", g.join(":"))
        }
        4 => format!(
            "2001:db8:{}:{}:{}:{}:{}:{}",
            h16(rng),
            h16(rng),
            h16(rng),
            h16(rng),
            h16(rng),
            h16(rng)
        ),
        5 => format!("::ffff:192.0.2.{}", rng.range(1, 254)),
        6 => format!("::ffff:198.51.100.{}", rng.range(1, 254)),
        _ => format!("fe80::{}:{}:{}:{}", h16(rng), h16(rng), h16(rng), h16(rng)),
    }
}

// ------------------------------------------------------------------ passport

/// Series region codes (OKATO) used for passports.
const OKATO: &[&str] = &["45", "40", "46", "63", "52", "65", "92", "36", "80", "03"];

fn passport_parts(rng: &mut Rng) -> (String, String, String) {
    let region = (*rng.pick(OKATO)).to_owned();
    let year = format!("{:02}", (97 + rng.below(28)) % 100);
    let number = padded(rng, 100_000, 999_999, 6);
    (region, year, number)
}

/// An internal passport series + number: `45 08 123456`, `4508 123456`,
/// `4508123456`, `45 08 № 123456` (planted after `паспорт`).
pub fn passport(rng: &mut Rng) -> String {
    let (r, y, n) = passport_parts(rng);
    match rng.below(4) {
        0 => format!("{r} {y} {n}"),
        1 => format!("{r}{y} {n}"),
        2 => format!("{r}{y}{n}"),
        _ => format!("{r} {y} № {n}"),
    }
}

/// Series and number as written after `серия`: `4508 № 123456`.
pub fn passport_series_no(rng: &mut Rng) -> String {
    let (r, y, n) = passport_parts(rng);
    format!("{r}{y} № {n}")
}

// ------------------------------------------------------------------ dates

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

const MONTHS_RU_GEN: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
/// `Mar`, as logs and mail headers abbreviate months.
pub const MON_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Days since 1970-01-01 → date (H. Hinnant's `civil_from_days`).
    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400) as i32 + i32::from(m <= 2);
        Date { y, m, d }
    }

    /// Date → days since 1970-01-01.
    pub fn days(self) -> i64 {
        let y = i64::from(self.y) - i64::from(self.m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// `05.03.1984`
    pub fn dmy(self) -> String {
        format!("{:02}.{:02}.{}", self.d, self.m, self.y)
    }
    /// `1984-03-05`
    pub fn iso(self) -> String {
        format!("{}-{:02}-{:02}", self.y, self.m, self.d)
    }
    /// `05/03/1984`
    pub fn slash(self) -> String {
        format!("{:02}/{:02}/{}", self.d, self.m, self.y)
    }
    /// `5 марта 1984`
    pub fn words_ru(self) -> String {
        format!(
            "{} {} {}",
            self.d,
            MONTHS_RU_GEN[self.m as usize - 1],
            self.y
        )
    }
    /// `March 5, 1984`
    pub fn words_en(self) -> String {
        format!("{} {}, {}", MONTHS_EN[self.m as usize - 1], self.d, self.y)
    }
}

/// A birth date between 1950 and 2006.
pub fn birth_date(rng: &mut Rng) -> Date {
    let lo = Date {
        y: 1950,
        m: 1,
        d: 1,
    }
    .days();
    let hi = Date {
        y: 2006,
        m: 12,
        d: 31,
    }
    .days();
    Date::from_days(lo + rng.below((hi - lo + 1) as u64) as i64)
}

// ------------------------------------------------------------------ other negatives

/// An order number: `482913`, `ORD-2025-004821`, `A-48213`.
pub fn order_id(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 | 1 => padded(rng, 100_000, 99_999_999, 0),
        2 => format!(
            "ORD-{}-{}",
            rng.range(2023, 2026),
            padded(rng, 0, 999_999, 6)
        ),
        _ => format!(
            "{}-{}",
            rng.pick(&["A", "B", "RU", "MSK"]),
            rng.range(10_000, 99_999)
        ),
    }
}

/// An invoice number: `INV-2025/00123`, `СЧ-000481`, `2025-0481`.
pub fn invoice_no(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!(
            "INV-{}/{}",
            rng.range(2023, 2026),
            padded(rng, 1, 99_999, 5)
        ),
        1 => format!("СЧ-{}", padded(rng, 1, 999_999, 6)),
        _ => format!("{}-{}", rng.range(2023, 2026), padded(rng, 1, 9999, 4)),
    }
}

/// A random (version 4 shaped) UUID.
pub fn uuid(rng: &mut Rng) -> String {
    let h = rng.hex(32);
    let variant = *rng.pick(&['8', '9', 'a', 'b']);
    format!(
        "{}-{}-4{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        variant,
        &h[17..20],
        &h[20..32]
    )
}

/// A price in roubles as Russian text writes it, with a space or NBSP as
/// the thousands separator: `1 299,00 ₽`, `12 490 руб.`, `350 ₽`.
pub fn price_rub(rng: &mut Rng) -> String {
    let rub = rng.range(50, 250_000);
    let sep = if rng.percent(50) { " " } else { "\u{a0}" };
    let int = if rub >= 1000 {
        format!("{}{sep}{:03}", rub / 1000, rub % 1000)
    } else {
        rub.to_string()
    };
    match rng.below(3) {
        0 => format!("{int},{:02} ₽", rng.below(100)),
        1 => format!("{int} руб."),
        _ => format!("{int} ₽"),
    }
}

/// A price in dollars: `$1,299.99`, `$49.00`.
pub fn price_usd(rng: &mut Rng) -> String {
    let d = rng.range(1, 25_000);
    let int = if d >= 1000 {
        format!("{},{:03}", d / 1000, d % 1000)
    } else {
        d.to_string()
    };
    format!("${int}.{:02}", rng.below(100))
}

/// A plain decimal amount as logs print it: `1299.00`.
pub fn amount(rng: &mut Rng) -> String {
    format!("{}.{:02}", rng.range(1, 250_000), rng.below(100))
}

/// A version string: `1.2.3`, `4.18.2`, Windows build `10.0.19045.2965`,
/// Chrome build `120.0.6099.109`.
pub fn version(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 | 1 => format!(
            "{}.{}.{}",
            rng.range(0, 12),
            rng.range(0, 30),
            rng.range(0, 40)
        ),
        2 => format!(
            "10.0.{}.{}",
            rng.pick(&["19045", "22621", "22631", "26100"]),
            rng.range(1000, 4999)
        ),
        _ => format!(
            "{}.0.{}.{}",
            rng.range(110, 131),
            rng.range(5400, 6800),
            rng.range(10, 250)
        ),
    }
}

/// A duration as logs and people write it: `23ms`, `1.234s`, `00:03:12`,
/// `350 мс`.
pub fn duration(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("{}ms", rng.range(1, 5000)),
        1 => format!("{}.{:03}s", rng.range(0, 30), rng.below(1000)),
        2 => format!("00:{:02}:{:02}", rng.below(60), rng.below(60)),
        _ => format!("{} мс", rng.range(1, 999)),
    }
}

/// A postal tracking number: 14-digit Russian Post or S10 `RA123456789RU`.
pub fn tracking_no(rng: &mut Rng) -> String {
    if rng.percent(50) {
        format!("8008{}", padded(rng, 0, 9_999_999_999, 10))
    } else {
        let series = rng.pick_str(&["A", "B", "C"]);
        let serial = padded(rng, 0, 99_999_999, 8);
        let check = rng.below(10);
        format!("R{series}{serial}{check}RU")
    }
}

// ------------------------------------------------------------------ names and addresses

/// Grammatical case of a planted Russian name: the templates choose one
/// (`заявление от` + genitive, `встреча с` + instrumental, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Nom,
    Gen,
    Dat,
    Acc,
    Ins,
    Loc,
}

impl Case {
    fn index(self) -> usize {
        self as usize
    }
}

/// First names with their six singular forms (nom, gen, dat, acc, ins,
/// loc), written out: fleeting vowels (Павел → Павла, Лев → Льва) and ё
/// (Пётр → Петра) defeat simple suffix rules.
const RU_MALE: &[[&str; 6]] = &[
    ["Иван", "Ивана", "Ивану", "Ивана", "Иваном", "Иване"],
    ["Сергей", "Сергея", "Сергею", "Сергея", "Сергеем", "Сергее"],
    [
        "Дмитрий",
        "Дмитрия",
        "Дмитрию",
        "Дмитрия",
        "Дмитрием",
        "Дмитрии",
    ],
    [
        "Алексей",
        "Алексея",
        "Алексею",
        "Алексея",
        "Алексеем",
        "Алексее",
    ],
    ["Павел", "Павла", "Павлу", "Павла", "Павлом", "Павле"],
    ["Андрей", "Андрея", "Андрею", "Андрея", "Андреем", "Андрее"],
    [
        "Михаил",
        "Михаила",
        "Михаилу",
        "Михаила",
        "Михаилом",
        "Михаиле",
    ],
    ["Олег", "Олега", "Олегу", "Олега", "Олегом", "Олеге"],
    ["Пётр", "Петра", "Петру", "Петра", "Петром", "Петре"],
    ["Лев", "Льва", "Льву", "Льва", "Львом", "Льве"],
    ["Никита", "Никиты", "Никите", "Никиту", "Никитой", "Никите"],
    ["Илья", "Ильи", "Илье", "Илью", "Ильёй", "Илье"],
    ["Юрий", "Юрия", "Юрию", "Юрия", "Юрием", "Юрии"],
    ["Игорь", "Игоря", "Игорю", "Игоря", "Игорем", "Игоре"],
];
const RU_FEMALE: &[[&str; 6]] = &[
    ["Анна", "Анны", "Анне", "Анну", "Анной", "Анне"],
    ["Мария", "Марии", "Марии", "Марию", "Марией", "Марии"],
    ["Елена", "Елены", "Елене", "Елену", "Еленой", "Елене"],
    ["Ольга", "Ольги", "Ольге", "Ольгу", "Ольгой", "Ольге"],
    [
        "Наталья",
        "Натальи",
        "Наталье",
        "Наталью",
        "Натальей",
        "Наталье",
    ],
    [
        "Татьяна",
        "Татьяны",
        "Татьяне",
        "Татьяну",
        "Татьяной",
        "Татьяне",
    ],
    ["Ирина", "Ирины", "Ирине", "Ирину", "Ириной", "Ирине"],
    [
        "Светлана",
        "Светланы",
        "Светлане",
        "Светлану",
        "Светланой",
        "Светлане",
    ],
    ["Юлия", "Юлии", "Юлии", "Юлию", "Юлией", "Юлии"],
    ["Дарья", "Дарьи", "Дарье", "Дарью", "Дарьей", "Дарье"],
    ["Ксения", "Ксении", "Ксении", "Ксению", "Ксенией", "Ксении"],
    [
        "Екатерина",
        "Екатерины",
        "Екатерине",
        "Екатерину",
        "Екатериной",
        "Екатерине",
    ],
];
/// Masculine surnames; feminine forms and cases follow from the ending.
const RU_SURNAME_M: &[&str] = &[
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Соколов",
    "Попов",
    "Лебедев",
    "Новиков",
    "Ильин",
    "Фомин",
    "Островский",
    "Вишневский",
    "Шевченко",
    "Римский-Корсаков",
];
/// Patronymic stems: + ович/овна or + евич/евна.
const RU_PATRONYMIC: &[(&str, &str)] = &[
    ("Иван", "ов"),
    ("Серге", "ев"),
    ("Петр", "ов"),
    ("Алексе", "ев"),
    ("Дмитри", "ев"),
    ("Андре", "ев"),
    ("Никола", "ев"),
    ("Михайл", "ов"),
    ("Юрь", "ев"),
    ("Олег", "ов"),
];
const EN_FIRST: &[&str] = &[
    "John", "Jane", "Michael", "Emily", "David", "Sarah", "James", "Laura", "Robert", "Jennifer",
    "William", "Jessica",
];
const EN_LAST: &[&str] = &[
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Walker", "Hall", "Anderson",
    "Thompson", "Martinez", "Robinson",
];

/// A Russian first name (nominative).
pub fn first_name_ru(rng: &mut Rng) -> &'static str {
    if rng.percent(50) {
        rng.pick(RU_MALE)[0]
    } else {
        rng.pick(RU_FEMALE)[0]
    }
}

/// A surname in a case: -ов/-ин (+а, +у, +ым, +е; fem +а → -ой, -у),
/// -ский (-ого, -ому, -им, -ом; fem -ая → -ой, -ую), -енко (fixed).
fn surname_case(m: &str, male: bool, case: Case) -> String {
    // Hyphenated: both parts decline.
    if let Some((a, b)) = m.split_once('-') {
        return format!(
            "{}-{}",
            surname_case(a, male, case),
            surname_case(b, male, case)
        );
    }
    if m.ends_with("ко") {
        return m.to_owned();
    }
    if let Some(stem) = m.strip_suffix("ий") {
        let end = match (male, case) {
            (true, Case::Nom) => "ий",
            (true, Case::Gen | Case::Acc) => "ого",
            (true, Case::Dat) => "ому",
            (true, Case::Ins) => "им",
            (true, Case::Loc) => "ом",
            (false, Case::Nom) => "ая",
            (false, Case::Acc) => "ую",
            (false, _) => "ой",
        };
        return format!("{stem}{end}");
    }
    let end = match (male, case) {
        (true, Case::Nom) => "",
        (true, Case::Gen | Case::Acc) => "а",
        (true, Case::Dat) => "у",
        (true, Case::Ins) => "ым",
        (true, Case::Loc) => "е",
        (false, Case::Nom) => "а",
        (false, Case::Acc) => "у",
        (false, _) => "ой",
    };
    format!("{m}{end}")
}

fn patronymic_case(stem: (&str, &str), male: bool, case: Case) -> String {
    let (base, link) = stem;
    let end = match (male, case) {
        (true, Case::Nom) => "ич",
        (true, Case::Gen | Case::Acc) => "ича",
        (true, Case::Dat) => "ичу",
        (true, Case::Ins) => "ичем",
        (true, Case::Loc) => "иче",
        (false, Case::Nom) => "на",
        (false, Case::Gen) => "ны",
        (false, Case::Dat | Case::Loc) => "не",
        (false, Case::Acc) => "ну",
        (false, Case::Ins) => "ной",
    };
    format!("{base}{link}{end}")
}

/// The parts of one Russian person, in a case.
struct RuPerson {
    first: String,
    sur: String,
    patr: String,
}

fn ru_person(rng: &mut Rng, case: Case) -> RuPerson {
    let male = rng.percent(50);
    let forms = if male {
        rng.pick(RU_MALE)
    } else {
        rng.pick(RU_FEMALE)
    };
    let sur = *rng.pick(RU_SURNAME_M);
    let patr = *rng.pick(RU_PATRONYMIC);
    RuPerson {
        first: forms[case.index()].to_owned(),
        sur: surname_case(sur, male, case),
        patr: patronymic_case(patr, male, case),
    }
}

/// First letter and a dot: `И.`
fn initial(s: &str) -> String {
    s.chars()
        .next()
        .map(|c| format!("{c}."))
        .unwrap_or_default()
}

/// A Russian full name in the nominative, in one of the written orders:
/// `Фамилия Имя Отчество`, `Имя Фамилия`, `Имя Отчество Фамилия`,
/// `Фамилия И.О.`, `И. О. Фамилия`, `Фамилия Имя`, with the gender agreeing.
pub fn person_ru(rng: &mut Rng) -> String {
    let p = ru_person(rng, Case::Nom);
    let (f, s, o) = (&p.first, &p.sur, &p.patr);
    match rng.below(10) {
        0..=3 => format!("{s} {f} {o}"),
        4 | 5 => format!("{f} {s}"),
        6 => format!("{f} {o} {s}"),
        7 => format!("{s} {}{}", initial(f), initial(o)),
        8 => format!("{} {} {s}", initial(f), initial(o)),
        _ => format!("{s} {f}"),
    }
}

/// A Russian full name in an oblique case (`Ивановой Анны Сергеевны`).
pub fn person_ru_case(rng: &mut Rng, case: Case) -> String {
    let p = ru_person(rng, case);
    let (f, s, o) = (&p.first, &p.sur, &p.patr);
    match rng.below(3) {
        0 => format!("{s} {f} {o}"),
        1 => format!("{f} {o} {s}"),
        _ => format!("{f} {s}"),
    }
}

/// A Russian name in Latin letters, as in passports and airline
/// bookings (`Ivanov Ivan`, `Anna Petrova`, `Ivanova Anna Sergeevna`).
pub fn person_ru_latin(rng: &mut Rng) -> String {
    let p = ru_person(rng, Case::Nom);
    let (f, s, o) = (translit(&p.first), translit(&p.sur), translit(&p.patr));
    match rng.below(3) {
        0 => format!("{s} {f}"),
        1 => format!("{f} {s}"),
        _ => format!("{s} {f} {o}"),
    }
}

/// Passport-style transliteration (close to ICAO Doc 9303 as used in
/// Russian passports since 2013; `ы` → `y`, `й` → `i`, `ю` → `iu`).
fn translit(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        let upper = ch.is_uppercase();
        let lower = ch.to_lowercase().next().unwrap_or(ch);
        let t = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' => "ie",
            'ь' => "",
            'ы' => "y",
            'ю' => "iu",
            'я' => "ia",
            '-' => "-",
            _ => "",
        };
        if upper {
            let mut c = t.chars();
            if let Some(first) = c.next() {
                out.extend(first.to_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push_str(t);
        }
    }
    out
}

/// A Russian female first name (operators: the chat templates use
/// feminine verb forms).
pub fn first_name_ru_female(rng: &mut Rng) -> &'static str {
    rng.pick(RU_FEMALE)[0]
}

pub fn first_name_en(rng: &mut Rng) -> &'static str {
    rng.pick_str(EN_FIRST)
}

/// `First Last`, sometimes with a middle initial (`John A. Smith`).
pub fn person_en(rng: &mut Rng) -> String {
    let (f, l) = (rng.pick_str(EN_FIRST), rng.pick_str(EN_LAST));
    if rng.percent(20) {
        let m = (b'A' + rng.below(26) as u8) as char;
        format!("{f} {m}. {l}")
    } else {
        format!("{f} {l}")
    }
}

/// A Russian postal address, mostly in the database order
/// (`125009, г. Москва, ул. Тверская, д. 7, кв. 12`), sometimes in the
/// envelope order, without the index or `г.`, or with the street type
/// after the name.
pub fn address_ru(rng: &mut Rng) -> String {
    let city = *rng.pick(&[
        ("1250", "Москва"),
        ("1910", "Санкт-Петербург"),
        ("4100", "Саратов"),
        ("6030", "Нижний Новгород"),
        ("6200", "Екатеринбург"),
        ("4200", "Казань"),
    ]);
    let street = *rng.pick(&[
        "ул. Ленина",
        "ул. Садовая",
        "пр-т Мира",
        "ул. Гагарина",
        "пер. Школьный",
        "ул. Победы",
        "ул. Льва Толстого",
        "Ленинский пр-т",
        "наб. реки Мойки",
        "ш. Энтузиастов",
        "б-р Яна Райниса",
        "ул. 8 Марта",
    ]);
    let index = format!("{}{}", city.0, padded(rng, 1, 99, 2));
    let town = if rng.percent(80) {
        format!("г. {}", city.1)
    } else {
        city.1.to_owned()
    };
    let mut house = format!("д. {}", rng.range(1, 120));
    if rng.percent(15) {
        house.push(*rng.pick(&['А', 'Б']));
    }
    if rng.percent(30) {
        house.push_str(&format!(", корп. {}", rng.range(1, 5)));
    } else if rng.percent(15) {
        house.push_str(&format!(", стр. {}", rng.range(1, 5)));
    }
    let flat = format!("кв. {}", rng.range(1, 300));
    match rng.below(10) {
        0..=5 => format!("{index}, {town}, {street}, {house}, {flat}"),
        6 => format!("{town}, {street}, {house}, {flat}"),
        7 => format!("{street}, {house}, {flat}, {town}, {index}"),
        8 => format!("Россия, {index}, {town}, {street}, {house}"),
        _ => format!("{town}, {street}, {house}"),
    }
}

/// A US street address (`1600 Amphitheatre Pkwy, Mountain View, CA 94043`).
pub fn address_us(rng: &mut Rng) -> String {
    let street = *rng.pick(&[
        "Main St",
        "Oak Avenue",
        "Maple Ave",
        "Park Blvd",
        "Sunset Blvd",
        "Elm Street",
        "Lake Shore Dr",
        "Amphitheatre Pkwy",
        "W 42nd St",
        "Pine Rd",
    ]);
    let city = *rng.pick(&[
        ("Springfield", "IL", "627"),
        ("Mountain View", "CA", "940"),
        ("Austin", "TX", "787"),
        ("Portland", "OR", "972"),
        ("New York", "NY", "100"),
        ("Denver", "CO", "802"),
    ]);
    let unit = match rng.below(5) {
        0 => format!(", Apt {}", rng.range(1, 40)),
        1 => format!(", Suite {}", rng.range(100, 900)),
        _ => String::new(),
    };
    format!(
        "{} {street}{unit}, {}, {} {}{}",
        rng.range(1, 9999),
        city.0,
        city.1,
        city.2,
        padded(rng, 1, 99, 2)
    )
}

/// Capitalised phrases that are not people: companies, products, places,
/// months, holidays (hard negatives for the name detector).
pub fn name_like_ru(rng: &mut Rng) -> &'static str {
    rng.pick_str(&[
        "ООО «Ромашка»",
        "Сбербанк Онлайн",
        "Яндекс Маркет",
        "Красная Площадь",
        "Нижний Новгород",
        "Санкт-Петербург",
        "Новый Год",
        "Чёрная Пятница",
        "Служба Качества",
        "Почта России",
        "Понедельник",
        "Январь",
        "Большой Театр",
        "Газпром Нефть",
    ])
}

pub fn name_like_en(rng: &mut Rng) -> &'static str {
    rng.pick_str(&[
        "Google Chrome",
        "Visual Studio Code",
        "New York",
        "Customer Success",
        "Black Friday",
        "Main Street",
        "United States",
        "Apple Pay",
        "Microsoft Teams",
        "Golden Gate Bridge",
        "Grant Access",
        "May Day",
    ])
}

/// Places that are not addresses: a city, a street without a house, a
/// year with `г.` (hard negatives for the address detector).
pub fn place_like_ru(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("г. {}", rng.pick_str(&["Москва", "Казань", "Саратов"])),
        1 => format!("{} г.", rng.range(2015, 2026)),
        2 => format!("ул. {}", rng.pick_str(&["Ленина", "Садовая", "Победы"])),
        _ => format!("дом {} этаж", rng.range(2, 20)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        for z in [-719_468, -1, 0, 1, 59, 11_016, 20_000, 2_932_896] {
            assert_eq!(Date::from_days(z).days(), z);
        }
        assert_eq!(
            Date::from_days(0),
            Date {
                y: 1970,
                m: 1,
                d: 1
            }
        );
        assert_eq!(
            Date {
                y: 1984,
                m: 3,
                d: 5
            }
            .days(),
            5177
        );
        let d = Date {
            y: 1984,
            m: 3,
            d: 5,
        };
        assert_eq!(d.dmy(), "05.03.1984");
        assert_eq!(d.iso(), "1984-03-05");
        assert_eq!(d.words_ru(), "5 марта 1984");
        assert_eq!(d.words_en(), "March 5, 1984");
    }

    use crate::validators::{card, date, email, ip, phone, snils::SnilsCheck};

    fn digits_of(v: &str) -> Vec<u8> {
        v.bytes().filter(u8::is_ascii_digit).collect()
    }

    /// Every planted value passes the crate's own validator, every
    /// checksum negative fails it: the generator and the scanner agree on
    /// what "valid" means because they share the code.
    #[test]
    fn planted_values_pass_and_negatives_fail_the_validators() {
        let mut r = Rng::new(2026);
        for _ in 0..2000 {
            let c = card(&mut r);
            assert!(card::card_valid(&digits_of(&c)), "card {c}");
            let n = luhn_fail_16(&mut r);
            let d = digits_of(&n);
            assert!(
                !luhn::luhn_valid(&d) && !oms::oms_valid(&d),
                "luhn negative {n}"
            );

            let s = snils(&mut r);
            assert_eq!(
                snils::snils_check(&digits_of(&s)),
                SnilsCheck::Valid,
                "snils {s}"
            );
            let s = snils_bare(&mut r);
            assert_eq!(
                snils::snils_check(s.as_bytes()),
                SnilsCheck::Valid,
                "snils {s}"
            );
            let s = snils_fail_11(&mut r);
            assert_eq!(
                snils::snils_check(s.as_bytes()),
                SnilsCheck::Invalid,
                "snils negative {s}"
            );
            assert!(
                !phone::phone_valid(s.as_bytes()),
                "snils negative {s} is a phone"
            );

            let i = inn10(&mut r);
            assert!(inn::inn10_valid(i.as_bytes()), "inn10 {i}");
            let i = inn12(&mut r);
            assert!(inn::inn12_valid(i.as_bytes()), "inn12 {i}");
            let i = inn_fail_10(&mut r);
            assert!(
                !inn::inn10_valid(i.as_bytes()) && !phone::phone_valid(i.as_bytes()),
                "inn negative {i}"
            );
            let i = inn_fail_12(&mut r);
            assert!(!inn::inn12_valid(i.as_bytes()), "inn negative {i}");

            let o = ogrn13(&mut r);
            assert!(ogrn::ogrn_valid(o.as_bytes()), "ogrn {o}");
            let o = ogrnip(&mut r);
            assert!(ogrn::ogrnip_valid(o.as_bytes()), "ogrnip {o}");

            let b = bik(&mut r);
            assert!(bank_account::bik_plausible(b.as_bytes()), "bik {b}");
            let a = bank_account(&mut r, &b);
            assert!(
                bank_account::account_key_valid(&digits_of(&a), b.as_bytes()),
                "account {a} bik {b}"
            );

            let ib = iban(&mut r);
            let compact: Vec<u8> = ib.bytes().filter(|c| *c != b' ').collect();
            assert!(iban::iban_valid(&compact), "iban {ib}");

            for p in [
                phone_ru(&mut r),
                phone_ru_bare(&mut r),
                phone_e164(&mut r),
                phone_intl(&mut r),
            ] {
                assert!(phone::phone_valid(p.as_bytes()), "phone {p}");
            }
            for e in [email(&mut r), email_idn(&mut r)] {
                assert!(email::email_valid(e.as_bytes()), "email {e}");
            }
            let a = ipv4(&mut r);
            assert!(ip::ipv4_valid(a.as_bytes()), "ipv4 {a}");
            let a = ipv6(&mut r);
            assert!(ip::ipv6_valid(a.as_bytes()), "ipv6 {a}");

            let d = birth_date(&mut r);
            for f in [d.dmy(), d.iso(), d.slash(), d.words_ru(), d.words_en()] {
                assert!(date::date_valid(f.as_bytes()), "date {f}");
            }
        }
    }

    #[test]
    fn uuid_has_the_v4_shape() {
        let mut r = Rng::new(3);
        let u = uuid(&mut r);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(u.matches('-').count(), 4);
    }
}
