//! IBAN (ISO 13616): country code, two check digits, BBAN; valid when the
//! rearranged value is 1 mod 97 and the length matches the country's entry
//! in the SWIFT IBAN registry (ru-pii.md §A.5).
//!
//! Input is the compact form (uppercase ASCII letters and digits, no
//! spaces); the extractor removes the print-form spaces and upper-cases.

/// IBAN lengths from the SWIFT IBAN registry (BBAN length + 4), as
/// mirrored in python-stdnum's `iban.dat`. Countries not listed are
/// rejected: an unknown country code is far more likely to be a random
/// token than an IBAN we cannot check.
const LENGTHS: &[([u8; 2], usize)] = &[
    (*b"AD", 24),
    (*b"AE", 23),
    (*b"AL", 28),
    (*b"AT", 20),
    (*b"AZ", 28),
    (*b"BA", 20),
    (*b"BE", 16),
    (*b"BG", 22),
    (*b"BH", 22),
    (*b"BI", 27),
    (*b"BR", 29),
    (*b"BY", 28),
    (*b"CH", 21),
    (*b"CR", 22),
    (*b"CY", 28),
    (*b"CZ", 24),
    (*b"DE", 22),
    (*b"DJ", 27),
    (*b"DK", 18),
    (*b"DO", 28),
    (*b"EE", 20),
    (*b"EG", 29),
    (*b"ES", 24),
    (*b"FI", 18),
    (*b"FK", 18),
    (*b"FO", 18),
    (*b"FR", 27),
    (*b"GB", 22),
    (*b"GE", 22),
    (*b"GI", 23),
    (*b"GL", 18),
    (*b"GR", 27),
    (*b"GT", 28),
    (*b"HN", 28),
    (*b"HR", 21),
    (*b"HU", 28),
    (*b"IE", 22),
    (*b"IL", 23),
    (*b"IQ", 23),
    (*b"IS", 26),
    (*b"IT", 27),
    (*b"JO", 30),
    (*b"KW", 30),
    (*b"KZ", 20),
    (*b"LB", 28),
    (*b"LC", 32),
    (*b"LI", 21),
    (*b"LT", 20),
    (*b"LU", 20),
    (*b"LV", 21),
    (*b"LY", 25),
    (*b"MC", 27),
    (*b"MD", 24),
    (*b"ME", 22),
    (*b"MK", 19),
    (*b"MN", 20),
    (*b"MR", 27),
    (*b"MT", 31),
    (*b"MU", 30),
    (*b"NI", 28),
    (*b"NL", 18),
    (*b"NO", 15),
    (*b"OM", 23),
    (*b"PK", 24),
    (*b"PL", 28),
    (*b"PS", 29),
    (*b"PT", 25),
    (*b"QA", 29),
    (*b"RO", 24),
    (*b"RS", 22),
    (*b"RU", 33),
    (*b"SA", 24),
    (*b"SC", 31),
    (*b"SD", 18),
    (*b"SE", 24),
    (*b"SI", 19),
    (*b"SK", 24),
    (*b"SM", 27),
    (*b"SO", 23),
    (*b"ST", 25),
    (*b"SV", 28),
    (*b"TL", 23),
    (*b"TN", 24),
    (*b"TR", 26),
    (*b"UA", 29),
    (*b"VA", 22),
    (*b"VG", 24),
    (*b"XK", 20),
    (*b"YE", 30),
];

/// Registry length of an IBAN for `country` (uppercase ISO 3166 alpha-2),
/// or `None` for a country outside the registry.
pub fn iban_length(country: [u8; 2]) -> Option<usize> {
    LENGTHS.iter().find(|(c, _)| *c == country).map(|&(_, n)| n)
}

/// Feeds one character into a running mod-97 remainder, letters counting
/// as the two-digit numbers A=10 … Z=35. Lowercase is folded so the
/// check-digit generator is forgiving; other bytes count as 0.
fn mod97_push(r: u32, b: u8) -> u32 {
    match b {
        b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
        b'A'..=b'Z' => (r * 100 + u32::from(b - b'A') + 10) % 97,
        b'a'..=b'z' => (r * 100 + u32::from(b - b'a') + 10) % 97,
        _ => (r * 10) % 97,
    }
}

/// A compact IBAN: known country, registry length, check digits 02–98,
/// uppercase alphanumeric BBAN and the mod-97 remainder 1.
///
/// Check digits 00, 01 and 99 are never produced by the algorithm; "01"
/// and "99" can still satisfy mod 97 (they alias 98 and 02), so they are
/// refused explicitly.
pub fn iban_valid(compact: &[u8]) -> bool {
    let [c0, c1, k0, k1, bban @ ..] = compact else {
        return false;
    };
    if !c0.is_ascii_uppercase() || !c1.is_ascii_uppercase() {
        return false;
    }
    if iban_length([*c0, *c1]) != Some(compact.len()) {
        return false;
    }
    if !k0.is_ascii_digit() || !k1.is_ascii_digit() {
        return false;
    }
    let check = (k0 - b'0') * 10 + (k1 - b'0');
    if !(2..=98).contains(&check) {
        return false;
    }
    if !bban
        .iter()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    let r = bban
        .iter()
        .chain([c0, c1, k0, k1])
        .fold(0, |r, &b| mod97_push(r, b));
    r == 1
}

/// The two ASCII check digits for `country` + `bban` (98 − (BBAN ‖
/// country ‖ "00") mod 97). Meaningful for uppercase alphanumerics;
/// anything else gives digits, not a panic.
pub fn iban_check_digits(country: [u8; 2], bban: &[u8]) -> [u8; 2] {
    let r = bban
        .iter()
        .chain(&country)
        .chain(b"00")
        .fold(0, |r, &b| mod97_push(r, b));
    let c = 98 - r;
    [b'0' + (c / 10) as u8, b'0' + (c % 10) as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Example IBANs from the SWIFT registry / national bank documentation,
    /// one per country where we had one.
    const EXAMPLES: &[&str] = &[
        "AT611904300234573201",
        "BE68539007547034",
        "CH9300762011623852957",
        "ES9121000418450200051332",
        "FR1420041010050500013M02606",
        "IT60X0542811101000000123456",
        "NL91ABNA0417164300",
        "PL61109010140000071219812874",
        "KZ86125KZT5004100100",
        "BY13NBRB3600900000002Z00AB00",
        "UA213223130000026007233566001",
        "NO9386011117947",
        "GB29NWBK60161331926819",
        "GB82WEST12345698765432",
        "DE89370400440532013000",
        "SE4550000000058398257466",
        "DK5000400440116243",
        "FI2112345600000785",
        "IE29AIBK93115212345678",
        "PT50000201231234567890154",
        "CZ6508000000192000145399",
        "SK3112000000198742637541",
        "LT121000011101001000",
        "LV80BANK0000435195001",
        "EE382200221020145685",
        "HU42117730161111101800000000",
        "RO49AAAA1B31007593840000",
        "BG80BNBG96611020345678",
        "GR1601101250000000012300695",
        "TR330006100519786457841326",
        "SA0380000000608010167519",
        "AE070331234567890123456",
        "IL620108000000099999999",
        "AZ21NABZ00000000137010001944",
        "GE29NB0000000101904917",
        "MD24AG000225100013104168",
        "LU280019400644750000",
        "HR1210010051863000160",
        "SI56263300012039086",
        "MT84MALT011000012345MTLCAST001S",
        "CY17002001280000001200527600",
        "MC5811222000010123456789030",
        "SM86U0322509800000000270100",
        "LI21088100002324013AA",
        "AD1200012030200359100100",
        "RS35260005601001611379",
        "ME25505000012345678951",
        "BA391290079401028494",
        "MK07250120000058984",
        "AL47212110090000000235698741",
        "QA58DOHB00001234567890ABCDEFG",
        "KW81CBKU0000000000001234560101",
        "JO94CBJO0010000000000131000302",
        "LB62099900000001001901229114",
        "BH67BMAG00001299123456",
        "EG380019000500000000263180002",
        "BR1800360305000010009795493C1",
        "XK051212012345678906",
        "VA59001123000012345678",
        "IS140159260076545510730339",
        "GI75NWBK000000007099453",
        "GL8964710001000206",
        "FO6264600001631634",
        "TN5910006035183598478831",
        "MR1300020001010000123456753",
        "PK36SCBL0000001123456702",
        "PS92PALS000000000400123456702",
        "DO28BAGR00000001212453611324",
        "CR05015202001026284066",
        "GT82TRAJ01020000001210029690",
        "SC18SSCB11010000000000001497USD",
        "LC55HEMM000100010012001200023015",
        "MU17BOMM0101101030300200000MUR",
        "IQ98NBIQ850123456789012",
        "SV62CENR00000000000000700025",
        "LY83002048000020100120361",
        "SD2129010501234001",
        "BI4210000100010000332045181",
        "DJ2100010000000154000100186",
        "NI45BAPR00000013000003558124",
        "SO211000001001000100141",
        "MN121234123456789123",
        "FK88SC123456789012",
        "HN88CABF00000000000250005469",
        "OM810180000001299123456",
        "YE15CBYE0001018861234567891234",
        "TL380080012345678910157",
        // ru-pii.md §A.13: RU IBAN = BIK + 20-digit account.
        "RU5204359352040817810132781577674",
    ];

    #[test]
    fn registry_examples_are_valid() {
        for v in EXAMPLES {
            assert!(iban_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn required_country_lengths() {
        for (c, n) in [
            ("RU", 33),
            ("KZ", 20),
            ("BY", 28),
            ("DE", 22),
            ("GB", 22),
            ("FR", 27),
            ("IT", 27),
            ("ES", 24),
            ("NL", 18),
            ("CH", 21),
            ("AT", 20),
            ("BE", 16),
            ("PL", 28),
            ("UA", 29),
        ] {
            let cc: [u8; 2] = c.as_bytes().try_into().unwrap();
            assert_eq!(iban_length(cc), Some(n), "{c}");
        }
        assert_eq!(iban_length(*b"US"), None);
        assert_eq!(iban_length(*b"ru"), None);
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn reference_invalid_examples() {
        assert!(!iban_valid(b"GB82WEST12345698765431"), "mod 97 != 1");
        assert!(
            !iban_valid(b"RU520435935204081781013278157767"),
            "wrong length for RU"
        );
        assert!(!iban_valid(b"DE00370400440532013000"), "check digits 00");
    }

    #[test]
    fn check_digits_roundtrip() {
        assert_eq!(iban_check_digits(*b"GB", b"WEST12345698765432"), *b"82");
        assert_eq!(iban_check_digits(*b"DE", b"370400440532013000"), *b"89");
        assert_eq!(
            iban_check_digits(*b"RU", b"04359352040817810132781577674"),
            *b"52"
        );
        for v in EXAMPLES {
            let v = v.as_bytes();
            let cd = iban_check_digits([v[0], v[1]], &v[4..]);
            assert_eq!(cd, [v[2], v[3]], "{}", String::from_utf8_lossy(v));
        }
        // Lowercase BBAN letters are folded when generating.
        assert_eq!(iban_check_digits(*b"GB", b"west12345698765432"), *b"82");
    }

    #[test]
    fn aliased_check_digits_are_refused() {
        // "01" aliases "98" and "99" aliases "02" under mod 97.
        let mut found = 0;
        for n in 0..2000u32 {
            let bban = format!("37040044{n:010}");
            let cd = iban_check_digits(*b"DE", bban.as_bytes());
            let alias = match &cd {
                b"98" => "01",
                b"02" => "99",
                _ => continue,
            };
            found += 1;
            let good = format!("DE{}{bban}", std::str::from_utf8(&cd).unwrap());
            let bad = format!("DE{alias}{bban}");
            assert!(iban_valid(good.as_bytes()), "{good}");
            assert!(!iban_valid(bad.as_bytes()), "{bad}");
        }
        assert!(found > 0);
    }

    #[test]
    fn every_single_digit_change_fails() {
        for v in [
            "DE89370400440532013000",
            "RU5204359352040817810132781577674",
            "GB82WEST12345698765432",
        ] {
            let v = v.as_bytes();
            for i in 2..v.len() {
                if !v[i].is_ascii_digit() {
                    continue;
                }
                for d in b'0'..=b'9' {
                    if d == v[i] {
                        continue;
                    }
                    let mut w = v.to_vec();
                    w[i] = d;
                    assert!(!iban_valid(&w), "{}", String::from_utf8_lossy(&w));
                }
            }
        }
    }

    #[test]
    fn malformed_input() {
        for v in [
            &b""[..],
            b"G",
            b"GB",
            b"GB82",
            b"GB82 WEST 1234 5698 7654 32",
            b"gb82west12345698765432",
            b"GB82west12345698765432",
            b"GBX2WEST12345698765432",
            b"XX82WEST12345698765432",
            b"US82WEST12345698765432",
            b"GB82WEST1234569876543\xff",
            b"GB82WEST12345698765432\x00",
            b"1282WEST12345698765432",
        ] {
            assert!(!iban_valid(v), "{}", String::from_utf8_lossy(v));
        }
        let cd = iban_check_digits(*b"\xff\x00", b"\xffabc-");
        assert!(cd.iter().all(u8::is_ascii_digit));
    }
}
