//! INN (ИНН), the Russian taxpayer number: 10 digits for organisations,
//! 12 for individuals and sole traders, weighted sums mod 11 mod 10
//! (ru-pii.md §A.2).
//!
//! INN-12 identifies a natural person (personal data); INN-10 an
//! organisation. Both are validated here; the category split is the
//! detector's job.

use super::{all_digits, dv};

const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12A: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12B: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// Σ d·w mod 11 mod 10 as an ASCII digit; extra bytes beyond the weights
/// are ignored and non-digits give a meaningless digit, never a panic.
fn weighted(d: &[u8], w: &[u32]) -> u8 {
    let s: u32 = d.iter().zip(w).map(|(&b, &w)| (dv(b) % 10) * w).sum();
    b'0' + (s % 11 % 10) as u8
}

/// "00" is not an existing tax-office region, so such runs are noise
/// (leading-zero counters, padded ids) even when the checksum happens to
/// match.
fn region_plausible(d: &[u8]) -> bool {
    !d.starts_with(b"00")
}

/// Check digit of an INN-10 from its first 9 digits.
pub fn inn10_check_digit(body9: &[u8]) -> u8 {
    weighted(body9, &W10)
}

/// The two check digits of an INN-12 from its first 10 digits; the second
/// is computed over the body plus the first check digit.
pub fn inn12_check_digits(body10: &[u8]) -> [u8; 2] {
    let c1 = weighted(body10, &W12A);
    let mut b11 = [b'0'; 11];
    for (dst, &src) in b11.iter_mut().zip(body10.iter().take(10)) {
        *dst = src;
    }
    b11[10] = c1;
    [c1, weighted(&b11, &W12B)]
}

/// A 10-digit organisation INN with a matching check digit.
pub fn inn10_valid(d: &[u8]) -> bool {
    d.len() == 10 && all_digits(d) && region_plausible(d) && inn10_check_digit(&d[..9]) == d[9]
}

/// A 12-digit personal INN with both check digits matching.
pub fn inn12_valid(d: &[u8]) -> bool {
    d.len() == 12
        && all_digits(d)
        && region_plausible(d)
        && inn12_check_digits(&d[..10]) == [d[10], d[11]]
}

/// Either form, chosen by length.
pub fn inn_valid(d: &[u8]) -> bool {
    match d.len() {
        10 => inn10_valid(d),
        12 => inn12_valid(d),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single_digit_changes(v: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
        (0..v.len()).flat_map(move |i| {
            (b'0'..=b'9').filter(move |&d| d != v[i]).map(move |d| {
                let mut w = v.to_vec();
                w[i] = d;
                w
            })
        })
    }

    #[test]
    fn published_examples() {
        assert!(inn10_valid(b"7707083893"), "Sberbank");
        assert!(inn_valid(b"7707083893"));
        assert!(inn12_valid(b"123456789047"), "python-stdnum doctest");
        assert!(inn10_valid(b"1234567894"), "python-stdnum doctest");
        assert!(!inn12_valid(b"123456789037"));
        assert!(!inn10_valid(b"1234567895"));
        assert_eq!(inn10_check_digit(b"770708389"), b'3');
        assert_eq!(inn12_check_digits(b"1234567890"), [b'4', b'7']);
    }

    #[test]
    fn reference_table_examples() {
        for v in ["6438601119", "2126605632", "9133570158"] {
            assert!(inn10_valid(v.as_bytes()), "{v}");
            assert!(inn_valid(v.as_bytes()), "{v}");
            assert!(!inn12_valid(v.as_bytes()), "{v}");
        }
        for v in ["6438601110", "212660563", "7707083894"] {
            assert!(!inn10_valid(v.as_bytes()), "{v}");
            assert!(!inn_valid(v.as_bytes()), "{v}");
        }
        for v in ["695935804505", "479644419642", "236373962140"] {
            assert!(inn12_valid(v.as_bytes()), "{v}");
            assert!(inn_valid(v.as_bytes()), "{v}");
            assert!(!inn10_valid(v.as_bytes()), "{v}");
        }
        for v in ["695935804506", "479644419624", "236373962150"] {
            assert!(!inn12_valid(v.as_bytes()), "{v}");
            assert!(!inn_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn every_single_digit_change_fails() {
        // A change can only slip through when the mod-11 remainder moves
        // between 0 and 10 (both give check digit 0); these examples have
        // non-zero (first) check digits, so every change must be caught.
        for v in ["7707083893", "6438601119", "2126605632", "9133570158"] {
            for w in single_digit_changes(v.as_bytes()) {
                assert!(!inn10_valid(&w), "{}", String::from_utf8_lossy(&w));
            }
        }
        for v in ["695935804505", "479644419642", "123456789047"] {
            for w in single_digit_changes(v.as_bytes()) {
                assert!(!inn12_valid(&w), "{}", String::from_utf8_lossy(&w));
            }
        }
    }

    #[test]
    fn check_digit_functions_complete_bodies() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b'0' + (x % 10) as u8
        };
        for _ in 0..500 {
            let mut v10: Vec<u8> = (0..9).map(|_| next()).collect();
            v10[0] = b'1' + (v10[0] - b'0') % 9;
            v10.push(inn10_check_digit(&v10));
            assert!(inn10_valid(&v10), "{}", String::from_utf8_lossy(&v10));
            let mut v12: Vec<u8> = (0..10).map(|_| next()).collect();
            v12[0] = b'1' + (v12[0] - b'0') % 9;
            v12.extend_from_slice(&inn12_check_digits(&v12));
            assert!(inn12_valid(&v12), "{}", String::from_utf8_lossy(&v12));
        }
    }

    #[test]
    fn rejects_zero_region() {
        let mut v = b"001234567".to_vec();
        v.push(inn10_check_digit(&v));
        assert!(!inn10_valid(&v));
        assert!(!inn10_valid(b"0000000000"));
        let mut v = b"0012345678".to_vec();
        v.extend_from_slice(&inn12_check_digits(&v));
        assert!(!inn12_valid(&v));
        assert!(!inn12_valid(b"000000000000"));
        // A single leading zero is a real region (01 = Adygea).
        let mut v = b"010123456".to_vec();
        v.push(inn10_check_digit(&v));
        assert!(inn10_valid(&v));
    }

    #[test]
    fn malformed_input() {
        for v in [
            &b""[..],
            b"7",
            b"770708389",
            b"77070838933",
            b"7707 083893",
            b"770708389a",
            b"12345678904a",
            b"1234567890477",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        ] {
            assert!(!inn_valid(v));
            assert!(!inn10_valid(v));
            assert!(!inn12_valid(v));
        }
        assert!(inn10_check_digit(b"").is_ascii_digit());
        assert!(inn10_check_digit(b"\xff\x01").is_ascii_digit());
        let c = inn12_check_digits(b"x");
        assert!(c[0].is_ascii_digit() && c[1].is_ascii_digit());
    }
}
