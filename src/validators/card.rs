//! Payment card numbers (PAN): issuer prefix (IIN) table, lengths and the
//! Luhn check, per ru-pii.md §A.6.
//!
//! The brand is metadata; the detector's question is only "Luhn + a length
//! and prefix some network actually issues". Mir comes first because it is
//! the Russian national scheme and its 2200–2204 block sits right next to
//! Mastercard's 2221–2720.

use super::{all_digits, luhn::luhn_valid};

/// Card network, as far as the IIN table can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardBrand {
    Mir,
    Visa,
    Mastercard,
    Amex,
    UnionPay,
    Maestro,
    Discover,
    Jcb,
}

impl CardBrand {
    /// Display name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Mir => "Mir",
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::UnionPay => "UnionPay",
            CardBrand::Maestro => "Maestro",
            CardBrand::Discover => "Discover",
            CardBrand::Jcb => "JCB",
        }
    }
}

/// Value of the first `n` digits. Callers have checked `d.len() >= n` and
/// that the bytes are digits; `n <= 6` keeps this far from overflow.
fn prefix(d: &[u8], n: usize) -> u32 {
    d.iter().take(n).fold(0, |a, &b| a * 10 + super::dv(b))
}

/// Prefix ranges and lengths, most specific prefix first: the first entry
/// whose prefix *and* length both match wins, so a Discover `6011…` number
/// of a Discover length is Discover and a 12-digit `6…` number falls
/// through to Maestro's catch-all `6`.
///
/// Each range is `(digits, low, high)` over the first `digits` digits.
/// Sources: braintree credit-card-type as summarised in ru-pii.md §A.6.
/// Legacy JCB 15-digit `1800`/`2131` numbers are left out: the `1…` block
/// would start matching 15-digit timestamps and counters.
#[allow(clippy::type_complexity)]
const TABLE: &[(CardBrand, &[(usize, u32, u32)], &[usize])] = &[
    (CardBrand::Mir, &[(4, 2200, 2204)], &[16, 17, 18, 19]),
    (
        CardBrand::Mastercard,
        &[(2, 51, 55), (4, 2221, 2720)],
        &[16],
    ),
    (CardBrand::Amex, &[(2, 34, 34), (2, 37, 37)], &[15]),
    (CardBrand::Jcb, &[(4, 3528, 3589)], &[16, 17, 18, 19]),
    (
        CardBrand::Discover,
        &[(4, 6011, 6011), (3, 644, 649), (2, 65, 65)],
        &[16, 19],
    ),
    (
        CardBrand::UnionPay,
        // 62… plus the 81xx block UnionPay took over (8100–8171).
        &[(2, 62, 62), (4, 8100, 8171)],
        &[14, 15, 16, 17, 18, 19],
    ),
    (
        CardBrand::Maestro,
        // 504175 and 506699–506778 are deliberately absent: those blocks
        // belong to other schemes.
        &[
            (6, 493698, 493698),
            (6, 500000, 504174),
            (6, 504176, 506698),
            (6, 506779, 508999),
            (2, 56, 59),
            (1, 6, 6),
        ],
        &[12, 13, 14, 15, 16, 17, 18, 19],
    ),
    // 13 digits is the legacy Visa length; 17 is not issued.
    (CardBrand::Visa, &[(1, 4, 4)], &[13, 16, 18, 19]),
];

/// The card network whose IIN range and length `d` (ASCII digits) fits,
/// or `None`. Does not look at the Luhn digit.
pub fn card_brand(d: &[u8]) -> Option<CardBrand> {
    if d.len() < 6 || !all_digits(d) {
        return None;
    }
    TABLE.iter().find_map(|&(brand, ranges, lengths)| {
        let prefix_ok = ranges
            .iter()
            .any(|&(n, lo, hi)| (lo..=hi).contains(&prefix(d, n)));
        (prefix_ok && lengths.contains(&d.len())).then_some(brand)
    })
}

/// A plausible card number: 12–19 digits, Luhn-valid, inside a known IIN
/// range with a length that network issues, and not one digit repeated.
///
/// Repeated-digit runs (`0000…`, test fillers) pass Luhn surprisingly
/// often and are never real PANs, so they are refused up front.
/// Millisecond timestamps (`17…`, 13 digits) fall outside every IIN range.
pub fn card_valid(d: &[u8]) -> bool {
    (12..=19).contains(&d.len())
        && all_digits(d)
        && d.iter().any(|&b| b != d[0])
        && luhn_valid(d)
        && card_brand(d).is_some()
}

#[cfg(test)]
mod tests {
    use super::super::luhn::luhn_check_digit;
    use super::*;

    /// Completes `prefix` with filler digits to `len - 1` digits and appends
    /// the Luhn digit.
    fn make(prefix: &str, len: usize) -> Vec<u8> {
        let mut v: Vec<u8> = prefix.bytes().collect();
        let mut f = 3u8;
        while v.len() < len - 1 {
            v.push(b'0' + f);
            f = (f + 7) % 10;
        }
        let c = luhn_check_digit(&v);
        v.push(c);
        v
    }

    #[test]
    fn published_examples() {
        assert!(card_valid(b"2202919827038392"));
        assert_eq!(card_brand(b"2202919827038392"), Some(CardBrand::Mir));
        assert!(card_valid(b"2720567310099331"));
        assert_eq!(card_brand(b"2720567310099331"), Some(CardBrand::Mastercard));
        assert!(card_valid(b"4433495342535342"));
        assert_eq!(card_brand(b"4433495342535342"), Some(CardBrand::Visa));
        assert!(!card_valid(b"2202919827038393"), "Luhn fails");
        assert!(
            !card_valid(b"2205014689614030"),
            "2205 is neither Mir nor MC"
        );
        assert!(!card_valid(b"9304285613477463"), "Luhn ok, unknown IIN");
    }

    #[test]
    fn network_test_numbers() {
        let cases: &[(&[u8], CardBrand)] = &[
            (b"4111111111111111", CardBrand::Visa),
            (b"4012888888881881", CardBrand::Visa),
            (b"4222222222222", CardBrand::Visa),
            (b"5555555555554444", CardBrand::Mastercard),
            (b"5105105105105100", CardBrand::Mastercard),
            (b"2223003122003222", CardBrand::Mastercard),
            (b"378282246310005", CardBrand::Amex),
            (b"371449635398431", CardBrand::Amex),
            (b"6011111111111117", CardBrand::Discover),
            (b"6011000990139424", CardBrand::Discover),
            (b"3530111333300000", CardBrand::Jcb),
            (b"3566002020360505", CardBrand::Jcb),
            (b"6200000000000005", CardBrand::UnionPay),
            (b"6304000000000000", CardBrand::Maestro),
            (b"6759649826438453", CardBrand::Maestro),
        ];
        for &(v, brand) in cases {
            assert_eq!(card_brand(v), Some(brand), "{}", String::from_utf8_lossy(v));
            assert!(card_valid(v), "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn mir_block_boundaries() {
        for p in ["2200", "2201", "2202", "2203", "2204"] {
            for len in 16..=19 {
                let v = make(p, len);
                assert_eq!(card_brand(&v), Some(CardBrand::Mir), "{p} {len}");
                assert!(card_valid(&v));
            }
            assert_eq!(card_brand(&make(p, 15)), None);
        }
        for p in ["2199", "2205", "2210", "2220"] {
            assert_eq!(card_brand(&make(p, 16)), None, "{p}");
            assert!(!card_valid(&make(p, 16)), "{p}");
        }
        assert_eq!(card_brand(&make("2221", 16)), Some(CardBrand::Mastercard));
        assert_eq!(card_brand(&make("2720", 16)), Some(CardBrand::Mastercard));
        assert_eq!(card_brand(&make("2721", 16)), None);
    }

    #[test]
    fn lengths_per_brand() {
        assert_eq!(card_brand(&make("5", 15)), None);
        assert_eq!(card_brand(&make("51", 17)), None);
        assert_eq!(card_brand(&make("4", 13)), Some(CardBrand::Visa));
        assert_eq!(card_brand(&make("4", 17)), None);
        assert_eq!(card_brand(&make("4", 19)), Some(CardBrand::Visa));
        assert_eq!(card_brand(&make("34", 16)), None);
        assert_eq!(card_brand(&make("37", 15)), Some(CardBrand::Amex));
        assert_eq!(card_brand(&make("3528", 16)), Some(CardBrand::Jcb));
        assert_eq!(card_brand(&make("3590", 16)), None);
        assert_eq!(card_brand(&make("62", 14)), Some(CardBrand::UnionPay));
        assert_eq!(card_brand(&make("8100", 16)), Some(CardBrand::UnionPay));
        assert_eq!(card_brand(&make("8172", 16)), None);
        assert_eq!(card_brand(&make("50", 12)), Some(CardBrand::Maestro));
        assert_eq!(card_brand(&make("504175", 16)), None);
        assert_eq!(card_brand(&make("506700", 16)), None);
        assert_eq!(card_brand(&make("493698", 16)), Some(CardBrand::Maestro));
    }

    #[test]
    fn most_specific_prefix_wins() {
        assert_eq!(card_brand(&make("65", 16)), Some(CardBrand::Discover));
        assert_eq!(card_brand(&make("644", 16)), Some(CardBrand::Discover));
        assert_eq!(card_brand(&make("62", 16)), Some(CardBrand::UnionPay));
        // A Discover prefix at a non-Discover length is still a 6… Maestro.
        assert_eq!(card_brand(&make("6011", 12)), Some(CardBrand::Maestro));
        assert_eq!(card_brand(&make("4936981", 16)), Some(CardBrand::Maestro));
        assert_eq!(card_brand(&make("4936991", 16)), Some(CardBrand::Visa));
    }

    #[test]
    fn rejects_timestamps_and_repeats() {
        for v in [
            &b"1700000000000"[..],
            b"1732530000123",
            b"1732530000000",
            b"1700000000000000",
        ] {
            assert!(!card_valid(v), "{}", String::from_utf8_lossy(v));
        }
        for d in b'0'..=b'9' {
            for len in 12..=19 {
                let v = vec![d; len];
                assert!(!card_valid(&v), "{}", String::from_utf8_lossy(&v));
            }
        }
    }

    #[test]
    fn rejects_bad_lengths_and_bytes() {
        assert!(!card_valid(b""));
        assert!(!card_valid(b"4"));
        assert!(!card_valid(&make("4", 11)));
        assert!(!card_valid(&make("4", 20)));
        assert!(!card_valid(b"4111 1111 1111 1111"));
        assert!(!card_valid(b"4111-1111-1111-1111"));
        assert!(!card_valid(b"411111111111111\xff"));
        assert_eq!(card_brand(b""), None);
        assert_eq!(card_brand(b"22"), None);
        assert_eq!(card_brand(b"22x0000000000000"), None);
    }

    #[test]
    fn every_single_digit_change_fails() {
        for v in [
            &b"2202919827038392"[..],
            b"4111111111111111",
            b"378282246310005",
        ] {
            for i in 0..v.len() {
                for d in b'0'..=b'9' {
                    if d == v[i] {
                        continue;
                    }
                    let mut w = v.to_vec();
                    w[i] = d;
                    assert!(!card_valid(&w), "{}", String::from_utf8_lossy(&w));
                }
            }
        }
    }

    #[test]
    fn names() {
        assert_eq!(CardBrand::Mir.name(), "Mir");
        assert_eq!(CardBrand::Jcb.name(), "JCB");
        assert_eq!(CardBrand::Amex.name(), "American Express");
    }
}
