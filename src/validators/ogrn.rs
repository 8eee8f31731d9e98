//! OGRN (ОГРН, 13 digits, legal entities) and OGRNIP (ОГРНИП, 15 digits,
//! sole traders): the body read as one number, mod 11 resp. mod 13, and
//! the last digit of that remainder (ru-pii.md §A.3).
//!
//! OGRNIP follows the MinFin order ("the least significant digit of the
//! remainder"), i.e. `mod 13 mod 10`. python-stdnum 2.2 compares the whole
//! remainder instead and wrongly rejects ~3/13 of real OGRNIPs
//! (remainders 10–12); do not "fix" this towards stdnum.

use super::{all_digits, dv};

/// The body as a number mod `m`, digit by digit so any length is safe.
/// Non-digit bytes give a meaningless value, never a panic.
fn body_mod(d: &[u8], m: u32) -> u32 {
    d.iter().fold(0, |r, &b| (r * 10 + dv(b) % 10) % m)
}

/// Check digit of an OGRN from its first 12 digits.
pub fn ogrn_check_digit(body12: &[u8]) -> u8 {
    b'0' + (body_mod(body12, 11) % 10) as u8
}

/// Check digit of an OGRNIP from its first 14 digits.
pub fn ogrnip_check_digit(body14: &[u8]) -> u8 {
    b'0' + (body_mod(body14, 13) % 10) as u8
}

/// A 13-digit OGRN: no leading 0 and a matching check digit.
///
/// The first digit (record type: 1/5 legal entity, others other state
/// registration records) is not restricted further because those other
/// record numbers share the format and are equally worth reporting.
pub fn ogrn_valid(d: &[u8]) -> bool {
    d.len() == 13 && all_digits(d) && d[0] != b'0' && ogrn_check_digit(&d[..12]) == d[12]
}

/// A 15-digit OGRNIP: first digit 3 (sole trader; 4 is accepted as the
/// reference does) and a matching check digit.
pub fn ogrnip_valid(d: &[u8]) -> bool {
    d.len() == 15
        && all_digits(d)
        && matches!(d[0], b'3' | b'4')
        && ogrnip_check_digit(&d[..14]) == d[14]
}

/// Either form, chosen by length.
pub fn ogrn_or_ogrnip_valid(d: &[u8]) -> bool {
    match d.len() {
        13 => ogrn_valid(d),
        15 => ogrnip_valid(d),
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

    fn remainder(d: &[u8], m: u64) -> u64 {
        std::str::from_utf8(d).unwrap().parse::<u64>().unwrap() % m
    }

    #[test]
    fn published_examples() {
        for v in [
            "1022200525819",
            "1037739010891",
            "1117746358608",
            "1027700132195", // Sberbank
        ] {
            assert!(ogrn_valid(v.as_bytes()), "{v}");
            assert!(ogrn_or_ogrnip_valid(v.as_bytes()), "{v}");
        }
        assert!(!ogrn_valid(b"1022500001328"));
        assert!(ogrnip_valid(b"385768585948949"));
    }

    #[test]
    fn reference_table_examples() {
        for v in ["1162339713854", "5026066077340", "5040450164838"] {
            assert!(ogrn_valid(v.as_bytes()), "{v}");
        }
        assert!(!ogrn_valid(b"1162339713855"), "wrong check digit");
        assert!(!ogrn_valid(b"0026066077340"), "leading 0");
        assert!(!ogrn_valid(b"50404501648380"), "14 digits");
        assert!(!ogrn_or_ogrnip_valid(b"50404501648380"));
        for v in ["320576984228120", "323269912549524", "308449725635751"] {
            assert!(ogrnip_valid(v.as_bytes()), "{v}");
            assert!(ogrn_or_ogrnip_valid(v.as_bytes()), "{v}");
        }
        assert!(
            !ogrnip_valid(b"320576984228121"),
            "first digit of remainder 10"
        );
        assert!(!ogrnip_valid(b"323269912549525"), "wrong check digit");
        assert!(!ogrnip_valid(b"208449725635754"), "first digit must be 3/4");
    }

    #[test]
    fn ogrnip_uses_last_digit_of_remainder() {
        // python-stdnum 2.2 rejects this one (remainder 10).
        assert_eq!(remainder(b"32057698422812", 13), 10);
        assert_eq!(ogrnip_check_digit(b"32057698422812"), b'0');
        let mut found = [false; 13];
        let mut body = *b"30477000000000";
        for n in 0..200u32 {
            let tail = format!("{n:05}");
            body[9..].copy_from_slice(tail.as_bytes());
            let r = remainder(&body, 13) as usize;
            found[r] = true;
            let mut v = body.to_vec();
            v.push(ogrnip_check_digit(&body));
            assert!(ogrnip_valid(&v));
            assert_eq!(v[14], b'0' + (r % 10) as u8);
        }
        assert!(found.iter().all(|&f| f), "all 13 remainders exercised");
    }

    #[test]
    fn ogrn_remainder_ten_gives_zero() {
        let mut body = *b"102770000000";
        let mut seen_ten = false;
        for n in 0..100u32 {
            let tail = format!("{n:04}");
            body[8..].copy_from_slice(tail.as_bytes());
            let r = remainder(&body, 11);
            let mut v = body.to_vec();
            v.push(ogrn_check_digit(&body));
            assert!(ogrn_valid(&v));
            if r == 10 {
                seen_ten = true;
                assert_eq!(v[12], b'0');
            }
        }
        assert!(seen_ten);
    }

    #[test]
    fn every_single_digit_change_fails() {
        // Guaranteed only when the remainder has no mod-10 twin (OGRN: not
        // 0/10; OGRNIP: 3..=9), which holds for these examples.
        for v in ["1027700132195", "1162339713854", "1117746358608"] {
            let r = remainder(&v.as_bytes()[..12], 11);
            assert!((1..=9).contains(&r));
            for w in single_digit_changes(v.as_bytes()) {
                assert!(!ogrn_valid(&w), "{}", String::from_utf8_lossy(&w));
            }
        }
        for v in ["323269912549524", "385768585948949"] {
            let r = remainder(&v.as_bytes()[..14], 13);
            assert!((3..=9).contains(&r), "{v}: {r}");
            for w in single_digit_changes(v.as_bytes()) {
                assert!(!ogrnip_valid(&w), "{}", String::from_utf8_lossy(&w));
            }
        }
        // Whatever the remainder, a changed check digit always fails.
        for v in ["320576984228120", "308449725635751"] {
            let v = v.as_bytes();
            for d in b'0'..=b'9' {
                if d != v[14] {
                    let mut w = v.to_vec();
                    w[14] = d;
                    assert!(!ogrnip_valid(&w));
                }
            }
        }
    }

    #[test]
    fn malformed_input() {
        for v in [
            &b""[..],
            b"1",
            b"102770013219",
            b"10277001321955",
            b"1027700132195 ",
            b"102770013219a",
            b"38576858594894",
            b"3857685859489490",
            b"38576858594894x",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        ] {
            assert!(!ogrn_valid(v));
            assert!(!ogrnip_valid(v));
            assert!(!ogrn_or_ogrnip_valid(v));
        }
        assert!(ogrn_check_digit(b"").is_ascii_digit());
        assert!(ogrnip_check_digit(b"\xff\x00zz").is_ascii_digit());
        // Long bodies do not overflow.
        assert!(ogrn_check_digit(&[b'9'; 1000]).is_ascii_digit());
    }
}
