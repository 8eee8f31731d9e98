//! Format-preserving fakes: a synthetic value of the same kind and shape
//! that passes the kind's validator, from reserved or test ranges.
//!
//! Owns one builder per kind. Each takes the value as written, its
//! normalised form and a 32-byte keyed seed (so the same value gets the
//! same fake in every file and run with the same key) and keeps the
//! value's separators and spelling: `8 (912) 345-67-89` becomes
//! `8 (900) 012-34-56`. Check digits come from `crate::validators`, and
//! every result is validated before it is returned; `None` (an odd
//! spelling, a kind without a builder) makes the caller fall back to a
//! mask.
//!
//! Ranges: phones +7 900 0xx xx xx (and Ofcom's drama range, the US
//! 555-01xx block), e-mails at example.com, cards under test IINs
//! (400000, 222100…, 510510, 378282), IPv4 from the documentation
//! networks, IPv6 from 2001:db8::/32. SNILS, INN, OGRN, OMS and IBAN get
//! random bodies with correct check digits: there is no reserved range,
//! so these can collide with a real number by chance, like any random
//! checksum-valid value.

use crate::eval::rng::Rng;
use crate::finding::Kind;
use crate::validators::{card, date, email, iban, inn, luhn, ogrn, oms, phone, snils};

/// A fake for `value`, or `None` when this kind or spelling has no builder.
pub fn fake(kind: Kind, value: &str, norm: &[u8], seed: &[u8; 32]) -> Option<String> {
    let mut rng = Rng::new(u64::from_le_bytes(seed[..8].try_into().ok()?));
    match kind {
        Kind::Phone => fake_phone(value, norm, &mut rng),
        Kind::Email => fake_email(&mut rng),
        Kind::Card => fake_card(value, &mut rng),
        Kind::Snils => fake_snils(value, &mut rng),
        Kind::Inn => fake_inn(value, &mut rng),
        Kind::Ogrn => fake_ogrn(value, &mut rng),
        Kind::Oms => fake_oms(value, &mut rng),
        Kind::Iban => fake_iban(value, &mut rng),
        Kind::BankAccount => fake_bank_account(value, &mut rng),
        Kind::Ipv4 => Some(fake_ipv4(&mut rng)),
        Kind::Ipv6 => Some(fake_ipv6(&mut rng)),
        Kind::BirthDate => fake_date(value, &mut rng),
        Kind::PassportRu | Kind::PassportForeignRu | Kind::DriverLicenseRu | Kind::Ssn => {
            let n = digit_count(value);
            (n > 0).then(|| {
                let mut d = Vec::with_capacity(n);
                rng.push_digits(&mut d, n);
                fill_digits(value, &d)
            })
        }
        _ => None,
    }
}

fn digit_count(value: &str) -> usize {
    value.bytes().filter(u8::is_ascii_digit).count()
}

fn digits_of(value: &str) -> Vec<u8> {
    value.bytes().filter(u8::is_ascii_digit).collect()
}

/// `value` with its ASCII digits replaced, in order, by `digits` (which
/// must have as many); every other character stays.
fn fill_digits(value: &str, digits: &[u8]) -> String {
    let mut it = digits.iter();
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                it.next().map_or(c, |&d| char::from(d))
            } else {
                c
            }
        })
        .collect()
}

fn fake_phone(value: &str, norm: &[u8], rng: &mut Rng) -> Option<String> {
    let e164 = std::str::from_utf8(norm).ok()?.strip_prefix('+')?;
    // Digits before any extension marker (`доб.`, `ext`, `x`) are the number.
    let cut = value
        .char_indices()
        .find(|(_, c)| c.is_alphabetic())
        .map_or(value.len(), |(i, _)| i);
    let (number, ext) = value.split_at(cut);
    let written = digits_of(number);
    // The national part to rewrite, and what replaces it.
    let national: Vec<u8> = if e164.len() == 11 && e164.starts_with('7') {
        // +7 900 0xx xx xx: the test-number block of ru-pii.md §A.7.
        let mut d = b"9000".to_vec();
        rng.push_digits(&mut d, 6);
        d
    } else if e164.starts_with("44") && e164.len() == 12 {
        // Ofcom's drama range: 020 7946 0000–0999.
        let mut d = b"2079460".to_vec();
        rng.push_digits(&mut d, 3);
        d
    } else if e164.starts_with('1') && e164.len() == 11 {
        // The NANP fictional block 555-0100–0199.
        let mut d = b"20255501".to_vec();
        rng.push_digits(&mut d, 2);
        d
    } else {
        // Elsewhere: keep the first two digits, draw the rest until the
        // numbering plan accepts it.
        let keep = 2.min(e164.len().saturating_sub(1));
        let mut found = None;
        for _ in 0..64 {
            let mut d = e164.as_bytes()[keep..].to_vec();
            for b in &mut d {
                *b = rng.digit();
            }
            let mut full = b"+".to_vec();
            full.extend_from_slice(&e164.as_bytes()[..keep]);
            full.extend_from_slice(&d);
            if phone::normalize_phone(&full).is_some() {
                found = Some(d);
                break;
            }
        }
        found?
    };
    if written.len() < national.len() {
        return None;
    }
    let mut new = written.clone();
    let at = written.len() - national.len();
    new[at..].copy_from_slice(&national);
    let mut out = fill_digits(number, &new);
    if !ext.is_empty() {
        let mut e = Vec::new();
        rng.push_digits(&mut e, digit_count(ext));
        out.push_str(&fill_digits(ext, &e));
    }
    phone::normalize_phone(out.as_bytes()).map(|_| out)
}

fn fake_email(rng: &mut Rng) -> Option<String> {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let local: String = (0..10)
        .map(|i| {
            let set = if i == 0 { &ALNUM[..26] } else { ALNUM };
            char::from(*rng.pick(set))
        })
        .collect();
    let out = format!("user.{local}@example.com");
    email::email_valid(out.as_bytes()).then_some(out)
}

/// Test IINs by card length: Visa 400000 (13/16/19), Mir 2200 (16–19),
/// Mastercard 510510 (16), Amex 378282 (15), Diners 305693 (14).
const CARD_PREFIXES: [&[u8]; 5] = [b"400000", b"220000", b"510510", b"378282", b"305693"];

fn fake_card(value: &str, rng: &mut Rng) -> Option<String> {
    let n = digit_count(value);
    for prefix in CARD_PREFIXES {
        for _ in 0..4 {
            let mut d = prefix.to_vec();
            if d.len() + 1 > n {
                break;
            }
            let body = n - 1 - d.len();
            rng.push_digits(&mut d, body);
            d.push(luhn::luhn_check_digit(&d));
            if card::card_valid(&d) {
                return Some(fill_digits(value, &d));
            }
        }
    }
    None
}

fn fake_snils(value: &str, rng: &mut Rng) -> Option<String> {
    if digit_count(value) != 11 {
        return None;
    }
    let mut d = vec![b'1' + rng.below(9) as u8];
    rng.push_digits(&mut d, 8);
    let check = snils::snils_check_number(&d);
    d.push(b'0' + (check / 10) as u8);
    d.push(b'0' + (check % 10) as u8);
    (snils::snils_check(&d) == snils::SnilsCheck::Valid).then(|| fill_digits(value, &d))
}

fn fake_inn(value: &str, rng: &mut Rng) -> Option<String> {
    let n = digit_count(value);
    let mut d = vec![b'1' + rng.below(9) as u8];
    match n {
        10 => {
            rng.push_digits(&mut d, 8);
            d.push(inn::inn10_check_digit(&d));
        }
        12 => {
            rng.push_digits(&mut d, 9);
            let c = inn::inn12_check_digits(&d);
            d.extend_from_slice(&c);
        }
        _ => return None,
    }
    inn::inn_valid(&d).then(|| fill_digits(value, &d))
}

fn fake_ogrn(value: &str, rng: &mut Rng) -> Option<String> {
    let n = digit_count(value);
    // Record type 1 (legal entity) / 3 (sole trader), a plausible year.
    let mut d = match n {
        13 => b"102".to_vec(),
        15 => b"304".to_vec(),
        _ => return None,
    };
    rng.push_digits(&mut d, n - 4);
    let c = if n == 13 {
        ogrn::ogrn_check_digit(&d)
    } else {
        ogrn::ogrnip_check_digit(&d)
    };
    d.push(c);
    ogrn::ogrn_or_ogrnip_valid(&d).then(|| fill_digits(value, &d))
}

fn fake_oms(value: &str, rng: &mut Rng) -> Option<String> {
    if digit_count(value) != 16 {
        return None;
    }
    let mut d = vec![b'1' + rng.below(9) as u8];
    rng.push_digits(&mut d, 14);
    d.push(oms::oms_check_digit(&d));
    oms::oms_valid(&d).then(|| fill_digits(value, &d))
}

fn fake_iban(value: &str, rng: &mut Rng) -> Option<String> {
    let compact: Vec<u8> = value
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() < 5 || !compact[..2].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let country = [compact[0], compact[1]];
    let bban: Vec<u8> = compact[4..]
        .iter()
        .map(|&b| {
            if b.is_ascii_digit() {
                rng.digit()
            } else {
                b'A' + rng.below(26) as u8
            }
        })
        .collect();
    let check = iban::iban_check_digits(country, &bban);
    let mut all = country.to_vec();
    all.extend_from_slice(&check);
    all.extend_from_slice(&bban);
    if !iban::iban_valid(&all) {
        return None;
    }
    let mut it = all.iter();
    Some(
        value
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    it.next().map_or(c, |&b| char::from(b))
                } else {
                    c
                }
            })
            .collect(),
    )
}

fn fake_bank_account(value: &str, rng: &mut Rng) -> Option<String> {
    let d = digits_of(value);
    if d.len() != 20 {
        return None;
    }
    // Keep the balance account and currency (what kind of account it is,
    // not whose); draw the rest.
    let mut new = d[..8].to_vec();
    rng.push_digits(&mut new, 12);
    Some(fill_digits(value, &new))
}

fn fake_ipv4(rng: &mut Rng) -> String {
    let net = *rng.pick(&["192.0.2", "198.51.100", "203.0.113"]);
    format!("{net}.{}", rng.range(1, 254))
}

fn fake_ipv6(rng: &mut Rng) -> String {
    format!("2001:db8::{}:{}", rng.hex(4), rng.hex(4))
}

fn fake_date(value: &str, rng: &mut Rng) -> Option<String> {
    let y = rng.range(1950, 2004) as u32;
    let m = rng.range(1, 12) as u32;
    let d = rng.range(1, 28) as u32;
    let groups: Vec<(usize, usize)> = digit_groups(value);
    let out = if let Some((oy, om, od)) = date::parse_numeric_date(value.as_bytes()) {
        if groups.len() != 3 {
            return None;
        }
        let text = |i: usize| &value[groups[i].0..groups[i].1];
        let num = |i: usize| text(i).parse::<u32>().ok();
        // Which group is which: year-first, or day/month order by value.
        let order = if groups[0].1 - groups[0].0 == 4 {
            [y, m, d]
        } else if num(0) == Some(od) && num(1) == Some(om) {
            [d, m, year_like(text(2), y, oy)]
        } else {
            [m, d, year_like(text(2), y, oy)]
        };
        replace_groups(value, &groups, &order)
    } else if let Some((oy, _, od)) = date::parse_word_date(value) {
        // Month word kept; the day and the year change.
        let mut new = Vec::new();
        for &(s, e) in &groups {
            let t = &value[s..e];
            new.push(match t.parse::<u32>() {
                Ok(v) if v == oy && e - s == 4 => y,
                Ok(v) if v == od => d,
                Ok(v) => v,
                Err(_) => return None,
            });
        }
        replace_groups(value, &groups, &new)
    } else {
        return None;
    };
    date::date_valid(out.as_bytes()).then_some(out)
}

/// A two-digit year stays two digits.
fn year_like(written: &str, y: u32, _orig: u32) -> u32 {
    if written.len() == 2 { y % 100 } else { y }
}

fn digit_groups(value: &str) -> Vec<(usize, usize)> {
    let b = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

fn replace_groups(value: &str, groups: &[(usize, usize)], values: &[u32]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for (&(s, e), &v) in groups.iter().zip(values) {
        out.push_str(&value[last..s]);
        let width = e - s;
        // A one-digit day or month stays one digit (1–9).
        let v = if width == 1 && v >= 10 { v % 9 + 1 } else { v };
        out.push_str(&format!("{v:0width$}"));
        last = e;
    }
    out.push_str(&value[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(n: u8) -> [u8; 32] {
        [n; 32]
    }

    #[test]
    fn phones_keep_spelling_and_validate() {
        for (v, n) in [
            ("+7 912 345-67-89", "+79123456789"),
            ("8 (912) 345-67-89", "+79123456789"),
            ("89123456789", "+79123456789"),
            ("+7 (8452) 12-34-56", "+78452123456"),
            ("+44 20 7183 8750", "+442071838750"),
            ("+1 202 555 0143", "+12025550143"),
        ] {
            for s in 0..5 {
                let f = fake(Kind::Phone, v, n.as_bytes(), &seed(s)).expect(v);
                let p = phone::normalize_phone(f.as_bytes()).expect(&f);
                assert_eq!(f.len(), v.len(), "{v} -> {f}");
                assert_eq!(
                    f.bytes().map(|b| b.is_ascii_digit()).collect::<Vec<_>>(),
                    v.bytes().map(|b| b.is_ascii_digit()).collect::<Vec<_>>()
                );
                if n.starts_with("+7") {
                    assert!(p.e164.starts_with("+79000"), "{f}");
                }
            }
        }
        let a = fake(Kind::Phone, "+7 912 345-67-89", b"+79123456789", &seed(1));
        let b = fake(Kind::Phone, "+7 912 345-67-89", b"+79123456789", &seed(1));
        assert_eq!(a, b);
    }

    #[test]
    fn ids_pass_their_validators() {
        for s in 0..20 {
            let sd = seed(s);
            let c = fake(Kind::Card, "2200 1234 5678 9010", b"", &sd).unwrap();
            assert!(card::card_valid(&digits_of(&c)), "{c}");
            assert_eq!(c.len(), 19);
            let c = fake(Kind::Card, "378282246310005", b"", &sd).unwrap();
            assert!(card::card_valid(&digits_of(&c)), "{c}");
            let sn = fake(Kind::Snils, "112-233-445 95", b"", &sd).unwrap();
            assert_eq!(
                snils::snils_check(&digits_of(&sn)),
                snils::SnilsCheck::Valid
            );
            assert_eq!(&sn[3..4], "-");
            for v in ["7707083893", "500100732259"] {
                let i = fake(Kind::Inn, v, b"", &sd).unwrap();
                assert!(inn::inn_valid(i.as_bytes()), "{i}");
            }
            for v in ["1027700132195", "304500116000157"] {
                let o = fake(Kind::Ogrn, v, b"", &sd).unwrap();
                assert!(ogrn::ogrn_or_ogrnip_valid(o.as_bytes()), "{o}");
            }
            let e = fake(Kind::Email, "ivan@mail.ru", b"", &sd).unwrap();
            assert!(email::email_valid(e.as_bytes()) && e.ends_with("@example.com"));
            let ib = fake(Kind::Iban, "DE89 3704 0044 0532 0130 00", b"", &sd).unwrap();
            let compact: Vec<u8> = ib.bytes().filter(|b| *b != b' ').collect();
            assert!(iban::iban_valid(&compact), "{ib}");
            let o = fake(Kind::Oms, "1234567890123456", b"", &sd).unwrap();
            assert!(oms::oms_valid(o.as_bytes()));
            for v in ["05.03.1984", "1984-03-05", "5 марта 1984 г.", "05.03.84"] {
                let d = fake(Kind::BirthDate, v, b"", &sd).expect(v);
                assert!(
                    date::date_valid(d.as_bytes()) || v.ends_with("г."),
                    "{v} -> {d}"
                );
                assert_eq!(d.chars().count(), v.chars().count(), "{v} -> {d}");
            }
        }
    }
}
