//! SNILS (СНИЛС), the Russian individual insurance account number:
//! `DDD-DDD-DDD CC`, 11 digits with a two-digit mod-101 check number
//! (ru-pii.md §A.1).
//!
//! Numbers whose 9-digit body is at most 001-001-998 carry no defined
//! check number (PFR regulation), so they are reported as `Unchecked`
//! rather than guessed at.

use super::{all_digits, dv};

/// Outcome of a SNILS check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SnilsCheck {
    /// Body above 001-001-998 and the check number matches.
    Valid,
    /// Wrong length, non-digits, or the check number does not match.
    Invalid,
    /// Well-formed, but the body is at or below 001-001-998 where no check
    /// number is defined: format-only confidence.
    Unchecked,
}

/// Largest body (as a number) for which the check number is undefined.
const UNCHECKED_MAX_BODY: u32 = 1_001_998;

/// The check number (0..=99) for a 9-digit body, weights 9..1.
///
/// Bytes past the ninth are ignored and non-digit bytes give a meaningless
/// value, never a panic.
pub fn snils_check_number(body9: &[u8]) -> u32 {
    let s: u32 = body9
        .iter()
        .take(9)
        .zip((1..=9u32).rev())
        .map(|(&b, w)| (dv(b) % 10) * w)
        .sum();
    // The regulation spells out 100 and 101 separately; with `% 101` and
    // the 100 → 0 rule they fall out the same, but keep the branches
    // readable against the source text.
    match s {
        0..=99 => s,
        100 | 101 => 0,
        _ => {
            let r = s % 101;
            if r == 100 { 0 } else { r }
        }
    }
}

/// Checks an 11-digit SNILS given as ASCII digits without separators.
pub fn snils_check(d: &[u8]) -> SnilsCheck {
    if d.len() != 11 || !all_digits(d) {
        return SnilsCheck::Invalid;
    }
    let (body, check) = d.split_at(9);
    let body_value = body.iter().fold(0u32, |a, &b| a * 10 + dv(b));
    if body_value <= UNCHECKED_MAX_BODY {
        return SnilsCheck::Unchecked;
    }
    let given = check.iter().fold(0u32, |a, &b| a * 10 + dv(b));
    if snils_check_number(body) == given {
        SnilsCheck::Valid
    } else {
        SnilsCheck::Invalid
    }
}

/// The rule-file validator: accepts checksum-valid numbers and the
/// low-body ones that cannot be checked (the detector then relies on
/// context).
pub fn snils_valid_or_unchecked(d: &[u8]) -> bool {
    snils_check(d) != SnilsCheck::Invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> Vec<u8> {
        s.bytes().filter(u8::is_ascii_digit).collect()
    }

    #[test]
    fn published_and_reference_examples() {
        // Official worked example: 1·9+1·8+2·7+2·6+3·5+3·4+4·3+4·2+5·1 = 95.
        assert_eq!(snils_check_number(b"112233445"), 95);
        assert_eq!(snils_check(&strip("112-233-445 95")), SnilsCheck::Valid);
        assert_eq!(snils_check(&strip("010-242-368 77")), SnilsCheck::Valid);
        assert_eq!(snils_check(&strip("010-242-368 00")), SnilsCheck::Invalid);
        assert_eq!(snils_check(&strip("001-001-998 00")), SnilsCheck::Unchecked);
        // ru-pii.md §A.13
        for v in ["726-319-011 82", "157-927-331 04", "589-094-957 75"] {
            assert_eq!(snils_check(&strip(v)), SnilsCheck::Valid, "{v}");
            assert!(snils_valid_or_unchecked(&strip(v)));
        }
        assert_eq!(snils_check(&strip("726-319-011 83")), SnilsCheck::Invalid);
        assert_eq!(snils_check(&strip("159-727-331 04")), SnilsCheck::Invalid);
        assert_eq!(snils_check(&strip("001-001-998 47")), SnilsCheck::Unchecked);
        assert!(snils_valid_or_unchecked(&strip("001-001-998 47")));
        assert!(!snils_valid_or_unchecked(&strip("726-319-011 83")));
    }

    #[test]
    fn unchecked_threshold_is_inclusive() {
        assert_eq!(snils_check(b"00100199800"), SnilsCheck::Unchecked);
        assert_eq!(snils_check(b"00000000000"), SnilsCheck::Unchecked);
        assert_eq!(snils_check(b"00000000199"), SnilsCheck::Unchecked);
        // 001-001-999 is the first checked body: S = 1·7 + 1·4 + 9·3 + 9·2 + 9·1 = 65.
        assert_eq!(snils_check_number(b"001001999"), 65);
        assert_eq!(snils_check(b"00100199965"), SnilsCheck::Valid);
        assert_eq!(snils_check(b"00100199964"), SnilsCheck::Invalid);
    }

    #[test]
    fn check_number_special_sums() {
        // S = 100 and S = 101 both give 00.
        // 9·9 + 8·2 + 3·1 = 100; 9·9 + 8·2 + 4·1 = 101.
        assert_eq!(snils_check_number(b"920000003"), 0);
        assert_eq!(snils_check_number(b"920000004"), 0);
        // S = 102 → 1.
        assert_eq!(snils_check_number(b"920000005"), 1);
        // Maximum sum 9·45 = 405 → 405 mod 101 = 1.
        assert_eq!(snils_check_number(b"999999999"), 1);
        assert_eq!(snils_check(b"99999999901"), SnilsCheck::Valid);
        // 201 = 9·9+9·8+7·6+3·2 → 201 mod 101 = 100 → 0.
        assert_eq!(snils_check_number(b"990700030"), 0);
        assert_eq!(snils_check(b"99070003000"), SnilsCheck::Valid);
        // 211 → 211 mod 101 = 9.
        assert_eq!(snils_check_number(b"997000300"), 9);
        for body in 0..2000u32 {
            let s = format!("{:09}", 10_000_000 + body * 4999);
            let c = snils_check_number(s.as_bytes());
            assert!(c <= 99);
        }
    }

    #[test]
    fn every_single_digit_change_fails() {
        // The check sums here are not 100/101, the one pair of sums a
        // ±1 change of the last body digit cannot tell apart.
        for v in ["72631901182", "15792733104", "58909495775", "11223344595"] {
            let v = v.as_bytes();
            for i in 0..v.len() {
                for d in b'0'..=b'9' {
                    if d == v[i] {
                        continue;
                    }
                    let mut w = v.to_vec();
                    w[i] = d;
                    assert_ne!(
                        snils_check(&w),
                        SnilsCheck::Valid,
                        "{}",
                        String::from_utf8_lossy(&w)
                    );
                }
            }
        }
    }

    #[test]
    fn malformed_input_is_invalid() {
        for v in [
            &b""[..],
            b"7263190118",
            b"726319011820",
            b"726-319-011 82",
            b"7263190118a",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
            b"           ",
        ] {
            assert_eq!(snils_check(v), SnilsCheck::Invalid);
            assert!(!snils_valid_or_unchecked(v));
        }
        assert_eq!(snils_check_number(b""), 0);
        assert!(snils_check_number(b"\xff\x00abc") <= 99);
    }
}
