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

/// Basic Cyrillic letters (`А`–`я`, `Ё`, `ё`), all alphabetic: answered
/// without std's Unicode tables, whose look-up per char was most of the
/// ~5,700 instructions `split` took on a non-ASCII address (11.8 M over
/// 2,076 addresses on the 54 MB bench corpus).
/// `cyrillic_fast_paths_are_the_std_predicates` checks every char.
fn basic_cyrillic(c: char) -> bool {
    matches!(c, 'А'..='я' | 'Ё' | 'ё')
}

/// `char::is_alphanumeric`, basic Cyrillic first.
fn alnum(c: char) -> bool {
    basic_cyrillic(c) || c.is_alphanumeric()
}

/// `char::is_alphabetic`, basic Cyrillic first.
fn alpha(c: char) -> bool {
    basic_cyrillic(c) || c.is_alphabetic()
}

/// Appends `char::to_lowercase(c)`, basic Cyrillic by arithmetic.
fn push_lower(out: &mut String, c: char) {
    match c {
        'А'..='Я' => out.push(char::from_u32(u32::from(c) + 0x20).unwrap_or(c)),
        'Ё' => out.push('ё'),
        'а'..='я' | 'ё' => out.push(c),
        _ => out.extend(c.to_lowercase()),
    }
}

/// Characters allowed in a dot-atom local part: letters, digits (any
/// script) and [`LOCAL_PUNCT`].
fn local_char(c: char) -> bool {
    if c.is_ascii() {
        LOCAL_ASCII[c as usize]
    } else {
        alnum(c)
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
    alnum(first) && alnum(last) && label.chars().all(|c| alnum(c) || c == '-')
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
    tld.chars().count() >= 2 && tld.chars().all(alpha)
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
    uts46_cached(domain).map(Cow::Owned)
}

/// Slots of [`uts46_cached`]'s per-thread cache (a power of two).
const UTS46_CACHE_SLOTS: usize = 256;

/// UTS-46 ToASCII (STD3, DNS lengths) through a small per-thread cache.
///
/// Why: one conversion costs ~4,700 instructions (9.8 M over 2,076
/// non-ASCII addresses on the 54 MB bench corpus), and the domains of
/// non-ASCII addresses are few (`почта.рф` over and over). The answer
/// depends on the domain alone and a slot is taken only on an exact
/// match of the whole domain, so a cached answer is the answer; the test
/// `cached_uts46_is_uts46` compares.
fn uts46_cached(domain: &str) -> Option<String> {
    type Slot = Option<(Box<str>, Option<String>)>;
    thread_local! {
        static CACHE: std::cell::RefCell<Vec<Slot>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let hash = domain.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let slot = (hash >> 32) as usize % UTS46_CACHE_SLOTS;
    let hit = CACHE.with_borrow(|c| match c.get(slot) {
        Some(Some((d, answer))) if **d == *domain => Some(answer.clone()),
        _ => None,
    });
    if let Some(answer) = hit {
        return answer;
    }
    let answer = uts46(domain);
    CACHE.with_borrow_mut(|c| {
        if c.is_empty() {
            c.resize(UTS46_CACHE_SLOTS, None);
        }
        c[slot] = Some((domain.into(), answer.clone()));
    });
    answer
}

fn uts46(domain: &str) -> Option<String> {
    Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .ok()
        .map(Cow::into_owned)
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
///
/// One pass over local part and labels with a byte-class table, the
/// ASCII test only on a failure: the split-and-iterate form cost ~660
/// instructions an address, 21.8 M over 33,087 addresses on the 54 MB
/// bench corpus, this ~410 (13.6 M; a one-pass form with std's
/// `is_ascii_*` tests after an up-front ASCII pass: 18.0 M).
/// `one_pass_agrees_with_split_form` compares with the split form.
fn plain_ascii_valid(s: &[u8]) -> Option<bool> {
    // Every `Some(false)` below is `fail()`: `None` for a non-ASCII
    // address, as the ASCII test comes first in the definition. A
    // non-ASCII byte is in no class, so an address that passes is ASCII.
    let fail = || s.is_ascii().then_some(false);
    if s.len() > MAX_ADDRESS {
        return fail();
    }
    // `local_ok`'s ASCII rules up to the first `@`: a dot after the start
    // or after a dot is a leading or doubled dot.
    let mut prev = b'.';
    let mut at = 0;
    loop {
        let Some(&c) = s.get(at) else {
            return fail();
        };
        if c == b'@' {
            break;
        }
        if c == b'.' && prev == b'.' || c != b'.' && CLASS[usize::from(c)] & LOCAL == 0 {
            return fail();
        }
        prev = c;
        at += 1;
    }
    if at == 0 || at > MAX_LOCAL || prev == b'.' {
        return fail();
    }
    let domain = &s[at + 1..];
    if domain.len() > 253 {
        return None;
    }
    // Labels in order, each `label_ok` (an `@` fails it too) before its
    // length and A-label tests, as the split form did; `tld_ok` on the
    // last one.
    let (mut labels, mut start, mut all) = (0, 0, ALPHA);
    for i in 0..=domain.len() {
        match domain.get(i) {
            Some(&c) if c != b'.' => {
                let k = CLASS[usize::from(c)];
                if k & LABEL == 0 {
                    return fail();
                }
                all &= k;
            }
            _ => {
                let label = &domain[start..i];
                let (Some(&first), Some(&last)) = (label.first(), label.last()) else {
                    return fail();
                };
                if CLASS[usize::from(first)] & CLASS[usize::from(last)] & ALNUM == 0 {
                    return fail();
                }
                if label.len() > 63 || label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--")
                {
                    return None;
                }
                labels += 1;
                if i == domain.len() {
                    return Some(labels >= 2 && label.len() >= 2 && all & ALPHA != 0);
                }
                (start, all) = (i + 1, ALPHA);
            }
        }
    }
    fail()
}

/// [`CLASS`] bits: may stand in a local part's atom ([`LOCAL_ASCII`]).
const LOCAL: u8 = 1;
/// ... in a host label (letter, digit, `-`).
const LABEL: u8 = 2;
/// ... at either end of a host label (letter, digit).
const ALNUM: u8 = 4;
/// ... in a top-level label (letter).
const ALPHA: u8 = 8;

/// Byte classes for [`plain_ascii_valid`]; non-ASCII bytes have none.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        let mut k = 0;
        if LOCAL_ASCII[c] {
            k |= LOCAL;
        }
        if b.is_ascii_alphanumeric() || b == b'-' {
            k |= LABEL;
        }
        if b.is_ascii_alphanumeric() {
            k |= ALNUM;
        }
        if b.is_ascii_alphabetic() {
            k |= ALPHA;
        }
        t[c] = k;
        c += 1;
    }
    t
};

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
        for c in local.chars() {
            push_lower(&mut out, c);
        }
    }
    out.push('@');
    out.push_str(&ascii);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The split form of [`plain_ascii_valid`], kept as the reference.
    fn plain_ascii_valid_split(s: &[u8]) -> Option<bool> {
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

    /// Same `Option<bool>` as the split form on random strings over the
    /// address alphabet (dots, hyphens, `@`, `xn--`, non-ASCII, long
    /// labels) and on address-shaped strings.
    #[test]
    fn one_pass_agrees_with_split_form() {
        let pieces: &[&[u8]] = &[
            b"a",
            b"Z",
            b"7",
            b"ivan",
            b"mail",
            b"ru",
            b"COM",
            b"xn--",
            b"XN--p1ai",
            b".",
            b".",
            b"..",
            b"-",
            b"_",
            b"+",
            b"@",
            b"@",
            b"!",
            b" ",
            b"(",
            "я".as_bytes(),
            b"\xff",
            &[b'a'; 64],
            &[b'b'; 63],
            &[b'c'; 130],
        ];
        let mut rng = crate::eval::rng::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut next = move |n: u64| rng.below(n);
        let mut seen = [0usize; 3];
        for _ in 0..200_000 {
            let mut v = Vec::new();
            let shaped = next(2) == 0;
            for k in 0..1 + next(8) {
                if shaped && k == 1 {
                    v.push(b'@');
                } else if shaped && k > 1 {
                    v.push(b'.');
                }
                v.extend_from_slice(pieces[next(pieces.len() as u64) as usize]);
            }
            // Mostly well-formed addresses, one piece sometimes swapped
            // for a random one.
            let good: [&[u8]; 8] = [b"a", b"ivan", b"b-2", b"x1", b"Mail", b"ru", b"COM", b"org"];
            let mut w = Vec::new();
            let n = 3 + next(3);
            let bad = next(2 * n);
            for k in 0..n {
                match k {
                    0 => {}
                    1 => w.push(b'@'),
                    _ => w.push(b'.'),
                }
                w.extend_from_slice(if k == bad {
                    pieces[next(pieces.len() as u64) as usize]
                } else {
                    good[next(8) as usize]
                });
            }
            for v in [v, w] {
                let want = plain_ascii_valid_split(&v);
                assert_eq!(
                    plain_ascii_valid(&v),
                    want,
                    "{:?}",
                    String::from_utf8_lossy(&v)
                );
                seen[match want {
                    Some(true) => 0,
                    Some(false) => 1,
                    None => 2,
                }] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n > 5_000), "{seen:?}");
    }

    /// The cache answers what UTS-46 answers, for hits, misses and slots
    /// taken over by other domains, valid and invalid ones.
    #[test]
    fn cached_uts46_is_uts46() {
        let labels = [
            "почта",
            "рф",
            "яндекс",
            "müller",
            "de",
            "xn--p1ai",
            "xn--zz",
            "a-",
            "ex",
            "МОСКВА",
            "中国",
            "ru",
            "-b",
            "",
        ];
        let mut rng = crate::eval::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move |n: u64| rng.below(n);
        let domains: Vec<String> = (0..2_000)
            .map(|_| {
                (0..1 + next(3))
                    .map(|_| labels[next(labels.len() as u64) as usize])
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect();
        let (mut ok, mut err) = (0, 0);
        for _ in 0..3 {
            for _ in 0..domains.len() {
                let d = &domains[next(domains.len() as u64) as usize];
                let want = uts46(d);
                assert_eq!(uts46_cached(d), want, "{d}");
                if want.is_some() {
                    ok += 1;
                } else {
                    err += 1;
                }
            }
        }
        assert!(ok > 1_000 && err > 1_000, "{ok} converted, {err} refused");
    }

    /// The Cyrillic fast paths answer as std does, for every char.
    #[test]
    fn cyrillic_fast_paths_are_the_std_predicates() {
        let mut cyrillic = 0;
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            assert_eq!(alnum(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(alpha(c), c.is_alphabetic(), "{c:?}");
            let mut ours = String::new();
            push_lower(&mut ours, c);
            assert_eq!(ours, c.to_lowercase().collect::<String>(), "{c:?}");
            cyrillic += usize::from(basic_cyrillic(c));
        }
        assert_eq!(cyrillic, 66);
    }

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
        let mut rng = crate::eval::rng::Rng::new(0x2545_F491_4F6C_DD1D);
        for _ in 0..50_000 {
            let state = rng.next_u64();
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
        let mut rng = crate::eval::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let (mut decided, mut valid) = (0, 0);
        for _ in 0..100_000 {
            let state = rng.next_u64();
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
