//! OMS policy number (полис ОМС, ЕНП): 16 digits, the last a check digit
//! per the FFOMS algorithm (ru-pii.md §A.4).
//!
//! The FFOMS procedure doubles a whole number rather than single digits,
//! which looks unlike Luhn, but the digit sum of 2·A equals the sum of the
//! per-digit Luhn terms (each carry turns a 2a ≥ 10 into 1 + (2a − 10) =
//! 2a − 9), so over 16 digits the rule accepts exactly the Luhn-valid
//! numbers. The port stays faithful to the published procedure; the
//! equivalence is pinned by a test. Consequence for detectors: the check
//! does not separate ENPs from 16-digit card numbers; the card IIN table
//! and context words must.
//!
//! Caution: the algorithm comes from a TFOMS-integrated system and
//! `ru_checks.py`; no real policy numbers were available to confirm it, so
//! rules should treat a pass as a confidence booster, not proof.

use super::{all_digits, dv};

/// Sum of the decimal digits of `n`.
fn digit_sum(mut n: u64) -> u32 {
    let mut s = 0;
    while n > 0 {
        s += (n % 10) as u32;
        n /= 10;
    }
    s
}

/// Check digit for the first 15 digits of an ENP.
///
/// Positions are counted from the right of the 15-digit body. The digits
/// in odd positions, read right to left, form one number that is doubled
/// as a whole (unlike Luhn's per-digit doubling); the even-position digits
/// are written in front of it; the check digit tops the digit sum up to a
/// multiple of 10. Only the digit sums matter, so the "written in front"
/// string is never built.
///
/// Bodies that are not 15 ASCII digits give a meaningless digit, never a
/// panic.
pub fn oms_check_digit(body15: &[u8]) -> u8 {
    let mut odd: u64 = 0;
    let mut even_sum: u32 = 0;
    for (i, &b) in body15.iter().rev().take(15).enumerate() {
        let v = dv(b) % 10;
        if i % 2 == 0 {
            odd = odd * 10 + u64::from(v);
        } else {
            even_sum += v;
        }
    }
    let total = even_sum + digit_sum(odd * 2);
    b'0' + ((10 - total % 10) % 10) as u8
}

/// A 16-digit ENP whose last digit matches [`oms_check_digit`].
pub fn oms_valid(d16: &[u8]) -> bool {
    d16.len() == 16 && all_digits(d16) && oms_check_digit(&d16[..15]) == d16[15]
}

#[cfg(test)]
mod tests {
    use super::super::luhn::luhn_valid;
    use super::*;

    #[test]
    fn reference_table_examples() {
        for v in ["7132647325068769", "1673323416240315", "8513737532979614"] {
            assert!(oms_valid(v.as_bytes()), "{v}");
        }
        assert!(!oms_valid(b"7132647325068760"), "wrong check digit");
        assert!(!oms_valid(b"167332341624031"), "15 digits");
        assert!(!oms_valid(b"5813737532979614"), "first two digits swapped");
        // Other outputs of ru_checks.oms_check_digit (seed 7).
        for v in ["5260181590830164", "6131860913909962", "0308246281948214"] {
            assert!(oms_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn worked_by_hand() {
        // Body 000000000000001: odd digits (from the right) 1,0,0,…  → A = 10000000,
        // 2A = 20000000, digit sum 2; B all zeros. Check = 8.
        assert_eq!(oms_check_digit(b"000000000000001"), b'8');
        // Body 000000000000010: B = "1000000", sum 1; A = 0. Check = 9.
        assert_eq!(oms_check_digit(b"000000000000010"), b'9');
        // Carries matter: A's first digit 5 doubles to 10 → digit sum 1.
        assert_eq!(oms_check_digit(b"000000000000005"), b'9');
        assert_eq!(oms_check_digit(b"000000000000000"), b'0');
    }

    #[test]
    fn accepts_exactly_the_luhn_valid_numbers() {
        // Card test numbers are ENP-valid too: the check cannot tell them
        // apart.
        for v in [
            &b"4111111111111111"[..],
            b"5555555555554444",
            b"2202919827038392",
        ] {
            assert!(luhn_valid(v) && oms_valid(v));
        }
        let mut x: u64 = 0x5851_f42d_4c95_7f2d;
        for _ in 0..20_000 {
            let v: Vec<u8> = (0..16)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b'0' + (x % 10) as u8
                })
                .collect();
            assert_eq!(
                oms_valid(&v),
                luhn_valid(&v),
                "{}",
                String::from_utf8_lossy(&v)
            );
        }
    }

    #[test]
    fn every_single_digit_change_fails() {
        // Guaranteed, as for Luhn: one changed digit moves the digit sum
        // by a non-multiple of 10.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut vals: Vec<Vec<u8>> = ["7132647325068769", "1673323416240315", "8513737532979614"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        for _ in 0..200 {
            let mut v: Vec<u8> = (0..15)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b'0' + (x % 10) as u8
                })
                .collect();
            v.push(oms_check_digit(&v));
            assert!(oms_valid(&v));
            vals.push(v);
        }
        for v in &vals {
            for i in 0..16 {
                for d in b'0'..=b'9' {
                    if d == v[i] {
                        continue;
                    }
                    let mut w = v.clone();
                    w[i] = d;
                    assert!(!oms_valid(&w), "{}", String::from_utf8_lossy(&w));
                }
            }
        }
    }

    #[test]
    fn malformed_input() {
        for v in [
            &b""[..],
            b"7",
            b"713264732506876",
            b"71326473250687690",
            b"7132 6473 2506 8769",
            b"713264732506876x",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        ] {
            assert!(!oms_valid(v));
        }
        assert!(oms_check_digit(b"").is_ascii_digit());
        assert!(oms_check_digit(&[0xff; 40]).is_ascii_digit());
    }
}
