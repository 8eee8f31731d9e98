//! E-mail addresses, including internationalised ones (SMTPUTF8 local
//! parts, IDN domains such as `почта.рф`), and their normal form for
//! de-duplication (ru-pii.md §A.8).
//!
//! Syntax is the practical subset seen in data, not full RFC 5322: quoted
//! local parts (`"john doe"@x`) and address literals (`user@[1.2.3.4]`)
//! are not recognised. The domain must survive IDNA UTS-46 conversion
//! with STD3 rules and DNS length limits.

use idna::AsciiDenyList;
use idna::uts46::{DnsLength, Hyphens, Uts46};
use std::borrow::Cow;

/// RFC 5321: local part at most 64 octets.
const MAX_LOCAL: usize = 64;
/// RFC 5321 path limit (256) minus the angle brackets.
const MAX_ADDRESS: usize = 254;

/// ASCII bytes allowed in a dot-atom local part besides letters and
/// digits (RFC 5322 `atext`), plus `_`.
const LOCAL_PUNCT: &[u8] = b"!#$%&'*+/=?^_`{|}~-";

/// Per ASCII byte: may it stand in a local part's atom?
static LOCAL_ASCII: [bool; 128] = {
    let mut t = [false; 128];
    let mut c = 0;
    while c < 128 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let mut i = 0;
    while i < LOCAL_PUNCT.len() {
        t[LOCAL_PUNCT[i] as usize] = true;
        i += 1;
    }
    t
};

/// Characters allowed in a dot-atom local part: letters, digits (any
/// script) and [`LOCAL_PUNCT`].
fn local_char(c: char) -> bool {
    if c.is_ascii() {
        LOCAL_ASCII[c as usize]
    } else {
        c.is_alphanumeric()
    }
}

fn local_ok(local: &str) -> bool {
    if local.is_empty() || local.len() > MAX_LOCAL {
        return false;
    }
    // Nearly every local part is ASCII: one pass over the bytes (no empty
    // atom = no leading, trailing or doubled dot) instead of a split and a
    // char walk per atom, which was most of an e-mail's validation cost.
    if local.is_ascii() {
        let b = local.as_bytes();
        return b[0] != b'.'
            && b[b.len() - 1] != b'.'
            && !b.windows(2).any(|w| w == b"..")
            && b.iter().all(|&c| c == b'.' || LOCAL_ASCII[c as usize]);
    }
    local
        .split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(local_char))
}

/// A host label: letters/digits with inner hyphens. Underscores are not
/// hostname characters (and STD3 would refuse them anyway).
fn label_ok(label: &str) -> bool {
    if label.is_ascii() {
        let b = label.as_bytes();
        return b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.last().is_some_and(u8::is_ascii_alphanumeric)
            && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-');
    }
    let (Some(first), Some(last)) = (label.chars().next(), label.chars().next_back()) else {
        return false;
    };
    first.is_alphanumeric()
        && last.is_alphanumeric()
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// The top-level label: at least two letters (`ru`, `рф`, `com`), or an
/// A-label `xn--…`. All-digit or mixed TLDs are what file names and
/// version strings (`x@1.2`, `a@b.c1`) look like.
fn tld_ok(tld: &str) -> bool {
    let b = tld.as_bytes();
    if b.len() >= 6 && b[..4].eq_ignore_ascii_case(b"xn--") {
        return b[4..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-');
    }
    if tld.is_ascii() {
        return b.len() >= 2 && b.iter().all(u8::is_ascii_alphabetic);
    }
    tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
}

fn domain_syntax_ok(domain: &str) -> bool {
    let mut labels = 0;
    for label in domain.split('.') {
        if !label_ok(label) {
            return false;
        }
        labels += 1;
    }
    labels >= 2 && domain.rsplit('.').next().is_some_and(tld_ok)
}

/// UTS-46 ToASCII with STD3 rules and DNS length checks. Borrowed (no
/// allocation) for domains that are already lower-case ASCII.
fn domain_to_ascii(domain: &str) -> Option<Cow<'_, str>> {
    // Plain ASCII host names (nearly every address) need no UTS-46 run,
    // which cost more than the rest of a scan per e-mail: LDH labels of
    // 1..=63 bytes, no leading/trailing hyphen, no punycode to verify.
    if domain.len() <= 253
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && !l.starts_with("xn--")
                && !l.starts_with("XN--")
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    {
        return Some(if domain.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(domain.to_ascii_lowercase())
        } else {
            Cow::Borrowed(domain)
        });
    }
    Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .ok()
}

/// Splits a syntactically valid address into (local, domain).
fn split(s: &str) -> Option<(&str, &str)> {
    if s.len() > MAX_ADDRESS {
        return None;
    }
    let (local, domain) = s.split_once('@')?;
    if domain.contains('@') || !local_ok(local) || !domain_syntax_ok(domain) {
        return None;
    }
    Some((local, domain))
}

/// A `local@domain` address in UTF-8: dot-atom local part of at most 64
/// octets, a domain with at least one dot whose labels are letters/digits
/// with inner hyphens, a letter-only (or `xn--`) TLD, and a domain that
/// converts under IDNA UTS-46.
pub fn email_valid(s: &[u8]) -> bool {
    if let Some(valid) = plain_ascii_valid(s) {
        return valid;
    }
    let Ok(s) = std::str::from_utf8(s) else {
        return false;
    };
    split(s).is_some_and(|(_, domain)| domain_to_ascii(domain).is_some())
}

/// Validates and normalises at once: `Some` exactly when [`email_valid`]
/// holds, with [`normalize_email`]'s result. The scanner's entry point: a
/// plain ASCII address costs one byte pass and a lower-casing, where
/// validating and then normalising split it into parts twice (~3,000
/// instructions per address on the bench corpus).
pub fn email_normal(s: &[u8]) -> Option<Vec<u8>> {
    match plain_ascii_valid(s) {
        Some(true) => Some(s.to_ascii_lowercase()),
        Some(false) => None,
        None => normalize_email(std::str::from_utf8(s).ok()?).map(String::into_bytes),
    }
}

/// [`email_valid`] in one byte pass for the common case, an ASCII address
/// whose domain needs no UTS-46 run (see [`domain_to_ascii`]): `Some`
/// with the answer, or `None` when the general path must decide (non-ASCII
/// bytes, an `xn--` label, a label or domain over the DNS lengths). Every
/// `Some(false)` is a syntax rule the general path applies too; the test
/// `plain_ascii_path_agrees_with_the_general_one` compares both.
fn plain_ascii_valid(s: &[u8]) -> Option<bool> {
    if !s.is_ascii() {
        return None;
    }
    if s.len() > MAX_ADDRESS {
        return Some(false);
    }
    let Some(at) = memchr::memchr(b'@', s) else {
        return Some(false);
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    // `local_ok`'s ASCII rules, on bytes.
    if local.is_empty()
        || local.len() > MAX_LOCAL
        || local[0] == b'.'
        || local[local.len() - 1] == b'.'
        || local.windows(2).any(|w| w == b"..")
        || !local.iter().all(|&c| c == b'.' || LOCAL_ASCII[c as usize])
    {
        return Some(false);
    }
    if domain.len() > 253 {
        return None;
    }
    let mut labels = 0;
    let mut tld: &[u8] = &[];
    for label in domain.split(|&c| c == b'.') {
        // `label_ok` (an `@` in the domain fails it too).
        let (Some(first), Some(last)) = (label.first(), label.last()) else {
            return Some(false);
        };
        if !first.is_ascii_alphanumeric()
            || !last.is_ascii_alphanumeric()
            || !label
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        {
            return Some(false);
        }
        if label.len() > 63 || label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--") {
            return None;
        }
        labels += 1;
        tld = label;
    }
    // `tld_ok` for a label that is not an A-label.
    Some(labels >= 2 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic))
}

/// The de-duplication key: the whole address lower-cased and the domain
/// converted to A-labels, e.g. `Ivan@ПОЧТА.РФ` → `ivan@xn--80a1acny.xn--p1ai`.
///
/// Lower-casing the local part is technically lossy (RFC 5321 lets it be
/// case-sensitive) but no real mailbox provider distinguishes case, and
/// counting `Ivan@` and `ivan@` as two people would be worse.
pub fn normalize_email(s: &str) -> Option<String> {
    let (local, domain) = split(s)?;
    let ascii = domain_to_ascii(domain)?;
    let mut out = String::with_capacity(local.len() + 1 + ascii.len());
    if local.is_ascii() {
        out.extend(local.bytes().map(|b| b.to_ascii_lowercase() as char));
    } else {
        out.extend(local.chars().flat_map(char::to_lowercase));
    }
    out.push('@');
    out.push_str(&ascii);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII fast paths answer as the char-by-char definitions do.
    #[test]
    fn ascii_fast_paths_agree_with_the_char_definitions() {
        let slow_local = |l: &str| {
            !l.is_empty()
                && l.len() <= MAX_LOCAL
                && l.split('.').all(|a| {
                    !a.is_empty()
                        && a.chars()
                            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
                })
        };
        let slow_label = |l: &str| {
            let (Some(f), Some(z)) = (l.chars().next(), l.chars().next_back()) else {
                return false;
            };
            f.is_alphanumeric()
                && z.is_alphanumeric()
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        let slow_tld = |t: &str| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic);
        let alphabet = b"aZ09.-_!#~{|}\"(),:;<>[]@ \t%+=?^`'*/&$";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..50_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 9) as usize;
            let w: String = (0..len)
                .map(|k| {
                    alphabet[((state >> (8 + 5 * k)) % alphabet.len() as u64) as usize] as char
                })
                .collect();
            assert_eq!(local_ok(&w), slow_local(&w), "local {w:?}");
            assert_eq!(label_ok(&w), slow_label(&w), "label {w:?}");
            if !w.to_ascii_lowercase().starts_with("xn--") {
                assert_eq!(tld_ok(&w), slow_tld(&w), "tld {w:?}");
            }
        }
    }

    /// The one-pass ASCII path answers as split + UTS-46 do, and its
    /// normal form is `normalize_email`'s, on random address-like strings.
    #[test]
    fn plain_ascii_path_agrees_with_the_general_one() {
        let general = |v: &[u8]| {
            let s = std::str::from_utf8(v).unwrap();
            split(s).is_some_and(|(_, d)| domain_to_ascii(d).is_some())
        };
        let locals: [&[u8]; 8] = [b"a", b"Ivan", b"x1", b"+tag", b"_", b".", b"-", b"xn--"];
        let labels: [&[u8]; 12] = [
            b"b",
            b"mail-server",
            b"7",
            b"xn--",
            b"XN--p1ai",
            b"ru",
            b"COM",
            b"-",
            b"_",
            b"",
            b"ex@",
            b"org",
        ];
        let long_label = [b'a'; 64];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let (mut decided, mut valid) = (0, 0);
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut r = state;
            let mut pick = |n: u64| {
                let k = r % n;
                r /= n;
                k as usize
            };
            let mut v = Vec::new();
            for _ in 0..1 + pick(3) {
                v.extend_from_slice(locals[pick(8)]);
            }
            v.push(b'@');
            for k in 0..1 + pick(4) {
                if k > 0 {
                    v.push(b'.');
                }
                v.extend_from_slice(if pick(40) == 0 {
                    &long_label
                } else {
                    labels[pick(12)]
                });
            }
            let want = general(&v);
            if let Some(got) = plain_ascii_valid(&v) {
                decided += 1;
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&v));
            }
            assert_eq!(email_valid(&v), want);
            let s = std::str::from_utf8(&v).unwrap();
            assert_eq!(email_normal(&v), normalize_email(s).map(String::into_bytes));
            valid += usize::from(want);
        }
        assert!(
            decided > 50_000 && valid > 2_000,
            "{decided} decided, {valid} valid"
        );
    }

    #[test]
    fn reference_examples() {
        for v in [
            "ivan.petrov@example.ru",
            "иван@почта.рф",
            "user+tag@xn--80a1acny.xn--p1ai",
        ] {
            assert!(email_valid(v.as_bytes()), "{v}");
        }
        for v in ["ivan@", "ivan@@mail.ru", "ivan@mail"] {
            assert!(!email_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn valid_addresses() {
        for v in [
            "a@b.co",
            "first.last@sub.domain.example.com",
            "user_name-1@mail-server.ru",
            "o'brien@example.ie",
            "x!#$%&'*+/=?^_`{|}~-y@example.org",
            "ИВАН@ПОЧТА.РФ",
            "Ivan@ПОЧТА.РФ",
            "пётр.иванов@яндекс.рф",
            "user@xn--p1ai.xn--p1ai",
            "USER@XN--80A1ACNY.XN--P1AI",
            "info@москва.рф",
            "test@müller.de",
            "1234567890@example.com",
            "a@1.example.com",
        ] {
            assert!(email_valid(v.as_bytes()), "{v}");
        }
        let local64 = format!("{}@example.com", "a".repeat(64));
        assert!(email_valid(local64.as_bytes()));
    }

    #[test]
    fn invalid_addresses() {
        for v in [
            "",
            "@",
            "@example.com",
            "plainaddress",
            "ivan@mail.",
            "ivan@.mail.ru",
            "ivan@mail..ru",
            "ivan@-mail.ru",
            "ivan@mail-.ru",
            "ivan@mail.r",
            "ivan@mail.ru1",
            "ivan@mail.123",
            "ivan@1.2",
            "ivan@mail_server.ru",
            ".ivan@mail.ru",
            "ivan.@mail.ru",
            "iv..an@mail.ru",
            "iv an@mail.ru",
            "\"iv an\"@mail.ru",
            "ivan@mail.ru.",
            "ivan@[1.2.3.4]",
            "ivan@mail ru.ru",
            "ivan @mail.ru",
            "ivan@mail.ru ",
            "a@b@c.ru",
            "ivan@xn--.ru",
            "ivan@xn--zz.ru",
            "ivan@mail.xn--",
            "ivan@mail.xn-",
            "ivan<at>mail.ru",
        ] {
            assert!(!email_valid(v.as_bytes()), "{v}");
        }
        let local65 = format!("{}@example.com", "a".repeat(65));
        assert!(!email_valid(local65.as_bytes()));
        // 64 octets of Cyrillic = 32 letters; 33 letters is 66 octets.
        let cyr = format!("{}@почта.рф", "я".repeat(33));
        assert!(!email_valid(cyr.as_bytes()));
        let label64 = format!("a@{}.com", "b".repeat(64));
        assert!(!email_valid(label64.as_bytes()));
        let long_domain = format!("a@{}com", "abcdefghij.".repeat(25));
        assert!(!email_valid(long_domain.as_bytes()));
        assert!(!email_valid(b"ivan@mail.ru\xff"));
        assert!(!email_valid(b"\xd0@mail.ru"));
        assert!(!email_valid(&[b'a'; 10_000]));
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize_email("Ivan@ПОЧТА.РФ").as_deref(),
            Some("ivan@xn--80a1acny.xn--p1ai")
        );
        assert_eq!(
            normalize_email("иван@почта.рф").as_deref(),
            Some("иван@xn--80a1acny.xn--p1ai")
        );
        assert_eq!(
            normalize_email("ИВАН@Почта.рф").as_deref(),
            Some("иван@xn--80a1acny.xn--p1ai")
        );
        assert_eq!(
            normalize_email("Ivan.Petrov@Example.RU").as_deref(),
            Some("ivan.petrov@example.ru")
        );
        assert_eq!(
            normalize_email("user+tag@XN--80A1ACNY.XN--P1AI").as_deref(),
            Some("user+tag@xn--80a1acny.xn--p1ai")
        );
        assert_eq!(normalize_email("ivan@mail"), None);
        assert_eq!(normalize_email(""), None);
        // Every valid address normalises, and the result is itself valid
        // and a fixed point.
        for v in ["a@b.co", "ИВАН@ПОЧТА.РФ", "test@müller.de"] {
            let n = normalize_email(v).unwrap();
            assert!(email_valid(n.as_bytes()), "{n}");
            assert_eq!(normalize_email(&n).as_deref(), Some(n.as_str()));
        }
    }
}
