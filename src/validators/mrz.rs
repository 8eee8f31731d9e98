//! Machine-readable zone (MRZ) of a passport (ICAO 9303 TD3: two lines of
//! 44 characters), as printed in Russian foreign passports and every other
//! machine-readable passport.
//!
//! Owns the 7-3-1 check digit (ru-pii.md §A.4: weights 7, 3, 1 repeated,
//! sum mod 10; digits count as themselves, `A`..`Z` as 10..35, the filler
//! `<` as 0) and the TD3 line checks. Line 2 carries four check digits
//! (document number, birth date, expiry, composite over all three plus the
//! optional data), so a random 44-character run passes by chance about once
//! in ten thousand: that is what lets a detector report an MRZ without
//! context words.
//!
//! Layout of line 2 (0-based byte ranges):
//! `0..9` document number, `9` its check, `10..13` nationality,
//! `13..19` birth date YYMMDD, `19` check, `20` sex, `21..27` expiry,
//! `27` check, `28..42` optional data, `42` its check, `43` composite.

/// Length of a TD3 line.
pub const TD3_LINE: usize = 44;

/// The 7-3-1 value of one MRZ character, `None` outside `0-9A-Z<`.
fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as u32),
        b'A'..=b'Z' => Some((c - b'A') as u32 + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// True for the characters an MRZ is written in.
pub fn is_mrz_char(c: u8) -> bool {
    char_value(c).is_some()
}

/// The check digit (as an ASCII digit) of an MRZ field; `None` when the
/// field holds a character outside the MRZ alphabet.
pub fn check_digit(field: &[u8]) -> Option<u8> {
    const W: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, &c) in field.iter().enumerate() {
        sum += char_value(c)? * W[i % 3];
    }
    Some(b'0' + (sum % 10) as u8)
}

/// Does `check` (a byte of the line) confirm `field`? A filler `<` stands
/// for 0 where the field is all fillers (ICAO allows either).
fn confirms(field: &[u8], check: u8) -> bool {
    let check = if check == b'<' && field.iter().all(|&c| c == b'<') {
        b'0'
    } else {
        check
    };
    check_digit(field) == Some(check)
}

/// A YYMMDD date whose month and day are in range (the century is unknown).
fn yymmdd(d: &[u8]) -> bool {
    if d.len() != 6 || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = |i: usize| (d[i] - b'0') as u32 * 10 + (d[i + 1] - b'0') as u32;
    (1..=12).contains(&n(2)) && (1..=31).contains(&n(4))
}

/// TD3 line 2 with every check digit right, real dates and a sex field.
pub fn td3_line2_valid(line: &[u8]) -> bool {
    if line.len() != TD3_LINE || !line.iter().all(|&c| is_mrz_char(c)) {
        return false;
    }
    // The document number must hold something besides fillers.
    if line[..9].iter().all(|&c| c == b'<') {
        return false;
    }
    let nationality_ok = line[10..13]
        .iter()
        .all(|&c| c.is_ascii_uppercase() || c == b'<');
    if !nationality_ok
        || !matches!(line[20], b'M' | b'F' | b'X' | b'<')
        || !yymmdd(&line[13..19])
        || !yymmdd(&line[21..27])
    {
        return false;
    }
    let composite: Vec<u8> = [&line[0..10], &line[13..20], &line[21..43]].concat();
    confirms(&line[0..9], line[9])
        && confirms(&line[13..19], line[19])
        && confirms(&line[21..27], line[27])
        && confirms(&line[28..42], line[42])
        && confirms(&composite, line[43])
}

/// TD3 line 1: `P`, a type letter or `<`, a three-letter issuing state,
/// then names in the MRZ alphabet.
pub fn td3_line1_plausible(line: &[u8]) -> bool {
    line.len() == TD3_LINE
        && line[0] == b'P'
        && (line[1] == b'<' || line[1].is_ascii_uppercase())
        && line[2..5]
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c == b'<')
        && line[5..]
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c == b'<')
}

/// The document number of a line 2, fillers dropped (for the fingerprint:
/// the same number printed elsewhere normalises to the same bytes).
pub fn document_number(line2: &[u8]) -> Vec<u8> {
    line2
        .iter()
        .take(9)
        .copied()
        .filter(|&c| c != b'<')
        .collect()
}

/// Validator for rule files: a TD3 line 2, or lines 1 and 2 separated by a
/// line break (`\n` or `\r\n`).
pub fn mrz_valid(v: &[u8]) -> bool {
    if v.len() == TD3_LINE {
        return td3_line2_valid(v);
    }
    let Some(nl) = v.iter().position(|&c| c == b'\n') else {
        return false;
    };
    let line1 = v[..nl].strip_suffix(b"\r").unwrap_or(&v[..nl]);
    td3_line1_plausible(line1) && td3_line2_valid(&v[nl + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specimen of ICAO Doc 9303 part 4 (Utopia, Anna Maria Eriksson).
    const ICAO_1: &[u8] = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const ICAO_2: &[u8] = b"L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn icao_specimen() {
        assert!(td3_line1_plausible(ICAO_1));
        assert!(td3_line2_valid(ICAO_2));
        assert_eq!(check_digit(b"L898902C3"), Some(b'6'));
        assert_eq!(check_digit(b"740812"), Some(b'2'));
        assert_eq!(check_digit(b"120415"), Some(b'9'));
        assert_eq!(document_number(ICAO_2), b"L898902C3");
        let both = [ICAO_1, b"\n", ICAO_2].concat();
        assert!(mrz_valid(&both));
        let crlf = [ICAO_1, b"\r\n", ICAO_2].concat();
        assert!(mrz_valid(&crlf));
        assert!(mrz_valid(ICAO_2));
    }

    /// A synthetic Russian foreign passport (series 75, number 1234567).
    #[test]
    fn russian_passport_line() {
        // Check digits computed independently (Python, ru-pii.md §A.4).
        let line = b"7512345672RUS8001014M3001019<<<<<<<<<<<<<<08";
        assert_eq!(check_digit(b"751234567"), Some(b'2'));
        assert_eq!(check_digit(b"800101"), Some(b'4'));
        assert_eq!(check_digit(b"300101"), Some(b'9'));
        assert!(td3_line2_valid(line), "{}", String::from_utf8_lossy(line));
        assert_eq!(document_number(line), b"751234567");
    }

    #[test]
    fn every_check_digit_matters() {
        for pos in [9, 19, 27, 43] {
            let mut bad = ICAO_2.to_vec();
            bad[pos] = if bad[pos] == b'0' { b'1' } else { b'0' };
            assert!(!td3_line2_valid(&bad), "check at {pos}");
        }
        // A changed birth date fails its own check and the composite.
        let mut bad = ICAO_2.to_vec();
        bad[14] = b'5';
        assert!(!td3_line2_valid(&bad));
    }

    #[test]
    fn malformed_lines_fail_without_panicking() {
        assert!(!td3_line2_valid(b""));
        assert!(!td3_line2_valid(&ICAO_2[..43]));
        assert!(!td3_line2_valid(&[b'<'; 44]));
        let mut lower = ICAO_2.to_vec();
        lower[10] = b'u';
        assert!(!td3_line2_valid(&lower));
        let mut month = ICAO_2.to_vec();
        month[15] = b'9'; // month 19
        assert!(!td3_line2_valid(&month));
        assert!(!mrz_valid(b"\n"));
        assert!(!mrz_valid(&[0xff; 89]));
        assert!(!td3_line1_plausible(b"X<UTO"));
        assert_eq!(check_digit(b"a"), None);
        assert_eq!(check_digit(b""), Some(b'0'));
    }
}
