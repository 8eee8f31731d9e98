//! Luhn (mod 10) check used by payment cards and a few other identifiers.
//!
//! Only the arithmetic lives here; which lengths and prefixes make a card is
//! `card.rs`'s business.

use super::{all_digits, dv};

/// Sum of the Luhn terms over `d`, where the rightmost byte is undoubled
/// when `rightmost_doubled` is false. Callers have checked the bytes are
/// digits.
fn luhn_sum(d: &[u8], rightmost_doubled: bool) -> u32 {
    d.iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let v = dv(b);
            if (i % 2 == 1) != rightmost_doubled {
                // Doubling then subtracting 9 equals summing the two digits
                // of the product.
                let x = v * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                v
            }
        })
        .sum()
}

/// True when `d` (at least two ASCII digits, check digit last) passes Luhn.
///
/// One digit alone is rejected because "0" would trivially pass and is
/// never a meaningful number.
pub fn luhn_valid(d: &[u8]) -> bool {
    d.len() >= 2 && all_digits(d) && luhn_sum(d, false).is_multiple_of(10)
}

/// The ASCII check digit that makes `body ‖ digit` pass [`luhn_valid`].
///
/// Non-digit bytes in `body` give a meaningless (but still ASCII-digit)
/// result rather than a panic; validate the body first if it matters.
pub fn luhn_check_digit(body: &[u8]) -> u8 {
    // Appending the check digit shifts every body digit one place left, so
    // the body's rightmost digit is the one that gets doubled.
    let s = if all_digits(body) {
        luhn_sum(body, true)
    } else {
        body.iter()
            .map(|&b| dv(b) % 10)
            .fold(0u32, |a, v| a.wrapping_add(v))
    };
    b'0' + ((10 - s % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_numbers() {
        for v in [
            &b"4111111111111111"[..],
            b"5555555555554444",
            b"2223003122003222",
            b"378282246310005",
            b"79927398713",
            b"2202919827038392",
            b"2720567310099331",
            b"4433495342535342",
            b"00",
            b"18",
        ] {
            assert!(luhn_valid(v), "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn known_invalid_numbers() {
        for v in [
            &b"4111111111111112"[..],
            b"79927398710",
            b"2202919827038393",
            b"",
            b"0",
            b"5",
            b"4111 1111 1111 1111",
            b"411111111111111a",
            b"-4111111111111111",
        ] {
            assert!(!luhn_valid(v), "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn check_digit_completes_bodies() {
        assert_eq!(luhn_check_digit(b"7992739871"), b'3');
        assert_eq!(luhn_check_digit(b"411111111111111"), b'1');
        assert_eq!(luhn_check_digit(b"220291982703839"), b'2');
        assert_eq!(luhn_check_digit(b""), b'0');
        assert_eq!(luhn_check_digit(b"0"), b'0');
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for len in 1..=18 {
            for _ in 0..50 {
                let mut body = Vec::with_capacity(len + 1);
                for _ in 0..len {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    body.push(b'0' + (x % 10) as u8);
                }
                let c = luhn_check_digit(&body);
                assert!(c.is_ascii_digit());
                body.push(c);
                assert!(luhn_valid(&body), "{}", String::from_utf8_lossy(&body));
            }
        }
    }

    #[test]
    fn every_single_digit_change_fails() {
        let v = b"4111111111111111";
        for i in 0..v.len() {
            for d in b'0'..=b'9' {
                if d == v[i] {
                    continue;
                }
                let mut w = *v;
                w[i] = d;
                assert!(!luhn_valid(&w), "{}", String::from_utf8_lossy(&w));
            }
        }
    }

    #[test]
    fn check_digit_never_panics_on_garbage() {
        for body in [&b"abc"[..], b"\xff\x00", b"12 34", b"\x80"] {
            assert!(luhn_check_digit(body).is_ascii_digit());
        }
    }
}
