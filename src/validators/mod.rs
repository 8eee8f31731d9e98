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
    ("ipv4", ip::ipv4_valid),
    ("ipv6", ip::ipv6_valid),
    ("email", email::email_valid),
    ("phone", phone::phone_valid),
    ("date", date::date_valid),
    ("none", |_| true),
];
