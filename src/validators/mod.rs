//! Checksums, numbering plans and normalisers: pure functions, one file per
//! identifier family, no allocation on the accept/reject path.
//!
//! Conventions: digit inputs are ASCII digit bytes (`b"7707083893"`), already
//! stripped of separators by the caller; functions never panic on any input
//! (wrong length or non-digits simply fail validation). Check-digit
//! functions are public because the corpus generator and the `fake`
//! redaction strategy build valid synthetic values with them.
//!
//! The reference implementation and test vectors are
//! `../shared/reference/ru_checks.py` and `ru-pii.md` §A.

pub mod bank_account;
pub mod card;
pub mod date;
pub mod email;
pub mod iban;
pub mod inn;
pub mod ip;
pub mod luhn;
pub mod mrz;
pub mod ogrn;
pub mod oms;
pub mod phone;
pub mod snils;

/// True when every byte is an ASCII digit (and there is at least one).
pub fn all_digits(d: &[u8]) -> bool {
    !d.is_empty() && d.iter().all(u8::is_ascii_digit)
}

/// Numeric value of an ASCII digit byte.
#[inline]
pub fn dv(b: u8) -> u32 {
    (b.wrapping_sub(b'0')) as u32
}

/// Looks a validator up by the name a rule file uses. Unknown names are a
/// rule-load error, reported before any file is read.
pub fn by_name(name: &str) -> Option<Validator> {
    VALIDATORS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// A validator over the candidate's normalised bytes (digits only for the
/// numeric kinds, the literal text for e-mails and IPs).
pub type Validator = fn(&[u8]) -> bool;

/// Every validator a rule may name, for `rules check` and rule loading.
pub const VALIDATORS: &[(&str, Validator)] = &[
    ("luhn", luhn::luhn_valid),
    ("card", card::card_valid),
    ("snils", snils::snils_valid_or_unchecked),
    ("inn", inn::inn_valid),
    ("inn10", inn::inn10_valid),
    ("inn12", inn::inn12_valid),
    ("ogrn", ogrn::ogrn_or_ogrnip_valid),
    ("iban", iban::iban_valid),
    ("oms", oms::oms_valid),
    ("mrz", mrz::mrz_valid),
    ("ipv4", ip::ipv4_valid),
    ("ipv6", ip::ipv6_valid),
    ("email", email::email_valid),
    ("phone", phone::phone_valid),
    ("date", date::date_valid),
    ("none", |_| true),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic xorshift so the sweep is reproducible.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn every_name_resolves() {
        for (name, _) in VALIDATORS {
            assert!(by_name(name).is_some(), "{name}");
        }
        assert!(by_name("no-such-validator").is_none());
        assert!(by_name("").is_none());
    }

    /// Every validator and public helper must return (not panic) on any
    /// input: empty, huge, binary, separators, partial UTF-8.
    #[test]
    fn nothing_panics_on_arbitrary_input() {
        let alphabet: &[&[u8]] = &[
            b"0",
            b"1",
            b"7",
            b"8",
            b"9",
            b"+",
            b"-",
            b".",
            b"/",
            b":",
            b"@",
            b" ",
            b"(",
            b")",
            b"x",
            b"X",
            b"a",
            b"Z",
            b"%",
            b"[",
            b"]",
            b"\xc2\xa0",
            "д".as_bytes(),
            "доб.".as_bytes(),
            "рф".as_bytes(),
            b"\xff",
            b"\x00",
            b"\xd0",
            b"xn--",
        ];
        let mut rng = Rng(0x853c_49e6_748f_ea9b);
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new(), vec![0xff; 4096], vec![b'9'; 4096]];
        for len in 0..=40 {
            for d in b'0'..=b'9' {
                inputs.push(vec![d; len]);
            }
        }
        for _ in 0..3000 {
            let n = (rng.next() % 40) as usize;
            let mut v = Vec::new();
            for _ in 0..n {
                let piece = alphabet[(rng.next() % alphabet.len() as u64) as usize];
                v.extend_from_slice(piece);
            }
            inputs.push(v);
            let n = (rng.next() % 24) as usize;
            inputs.push((0..n).map(|_| rng.next() as u8).collect());
        }
        for v in &inputs {
            for (_, f) in VALIDATORS {
                let _ = f(v);
            }
            let _ = card::card_brand(v);
            let _ = snils::snils_check(v);
            let _ = snils::snils_check_number(v);
            let _ = inn::inn10_check_digit(v);
            let _ = inn::inn12_check_digits(v);
            let _ = ogrn::ogrn_check_digit(v);
            let _ = ogrn::ogrnip_check_digit(v);
            let _ = oms::oms_check_digit(v);
            let _ = mrz::check_digit(v);
            let _ = mrz::td3_line1_plausible(v);
            let _ = mrz::document_number(v);
            let _ = luhn::luhn_check_digit(v);
            let _ = iban::iban_check_digits([b'R', b'U'], v);
            let _ = bank_account::account_valid(v, b"044525225");
            let _ = bank_account::account_valid(b"40817810132781577674", v);
            let _ = bank_account::account_key(v, v);
            let _ = bank_account::bik_plausible(v);
            let _ = bank_account::personal_balance_prefix(v);
            let _ = ip::parse_ipv4(v);
            let _ = ip::parse_ipv6(v);
            let _ = date::parse_numeric_date(v);
            let _ = phone::normalize_phone(v);
            let _ = phone::ru_nsn_type(v);
            if let Ok(s) = std::str::from_utf8(v) {
                let _ = email::normalize_email(s);
                let _ = date::month_from_word(s);
                let _ = date::parse_word_date(s);
            }
        }
    }
}
