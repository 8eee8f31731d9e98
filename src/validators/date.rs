//! Calendar dates as they appear next to personal data (dates of birth,
//! issue dates): numeric forms, Russian and English month names, and a
//! plausibility window for the year (ru-pii.md §A.10).
//!
//! Day-first order is assumed for `a/b/yyyy` (Russian and European use);
//! a US-style `12/31/1990` is refused as month 31 rather than
//! re-interpreted. Deciding that a date is a *birth* date needs context
//! words and is the detector's job.

/// Plausible years: birth and document dates of living people and of
/// records in current data. Years outside are far more often counters,
/// amounts or version numbers than dates.
pub const MIN_YEAR: u32 = 1900;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: u32 = 2030;

/// Two-digit years `00..=30` are read as 2000–2030 and `31..=99` as
/// 1931–1999, matching [`MAX_YEAR`]: nothing later is plausible anyway.
pub const TWO_DIGIT_YEAR_PIVOT: u32 = 30;

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A real calendar day (Gregorian, leap years included) in
/// [`MIN_YEAR`]`..=`[`MAX_YEAR`].
pub fn valid_ymd(y: u32, m: u32, d: u32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&y)
        && (1..=12).contains(&m)
        && d >= 1
        && d <= days_in_month(y, m)
}

/// Value of a run of 1–4 ASCII digits.
fn num(d: &[u8]) -> Option<u32> {
    if d.is_empty() || d.len() > 4 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(d.iter().fold(0, |a, &b| a * 10 + u32::from(b - b'0')))
}

/// Parses a numeric date and returns `(year, month, day)` if it is a
/// valid, plausible date. Accepted shapes (one separator kind throughout):
///
/// - `DD.MM.YYYY`, `D.M.YYYY`, `DD/MM/YYYY`, `DD-MM-YYYY` (day and month
///   one or two digits);
/// - `YYYY-MM-DD`, `YYYY.MM.DD`, `YYYY/MM/DD` (two-digit month and day);
/// - `DD.MM.YY` with dots only and two-digit day and month, the year
///   mapped by [`TWO_DIGIT_YEAR_PIVOT`]. Shorter or slashed two-digit-year
///   forms (`1.2.10`, `01/02/03`) look too much like version numbers and
///   US dates to accept.
///
/// One byte pass that splits and converts at once: the split-then-parse
/// form cost ~290 instructions a candidate, 17.7 M over 60,527 candidates
/// on the 54 MB bench corpus. The test `one_pass_agrees_with_split_form`
/// compares the two.
pub fn parse_numeric_date(s: &[u8]) -> Option<(u32, u32, u32)> {
    if s.len() > 10 {
        return None;
    }
    // Value and length of each of the three digit runs; values of runs
    // longer than four digits wrap but are never used.
    let mut val = [0u32; 3];
    let mut len = [0usize; 3];
    let mut k = 0;
    let mut sep = 0u8;
    for &b in s {
        if b.is_ascii_digit() {
            val[k] = val[k].wrapping_mul(10).wrapping_add(u32::from(b - b'0'));
            len[k] += 1;
        } else if k < 2 && (b == sep || sep == 0 && matches!(b, b'.' | b'/' | b'-')) {
            sep = b;
            k += 1;
        } else {
            return None;
        }
    }
    if k != 2 {
        return None;
    }
    let [a, b, c] = val;
    let (y, m, d) = match len {
        [4, 2, 2] => (a, b, c),
        [1..=2, 1..=2, 4] => (c, b, a),
        [2, 2, 2] if sep == b'.' => {
            let y = if c <= TWO_DIGIT_YEAR_PIVOT {
                2000 + c
            } else {
                1900 + c
            };
            (y, b, a)
        }
        _ => return None,
    };
    valid_ymd(y, m, d).then_some((y, m, d))
}

/// Case-insensitive comparison without allocating.
fn eq_ci(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Month names per month: Russian nominative, genitive (the form used in
/// dates: "12 марта"), common abbreviations; English full names and
/// abbreviations.
const MONTHS: [&[&str]; 12] = [
    &["январь", "января", "янв", "january", "jan"],
    &["февраль", "февраля", "фев", "февр", "february", "feb"],
    &["март", "марта", "мар", "march", "mar"],
    &["апрель", "апреля", "апр", "april", "apr"],
    &["май", "мая", "may"],
    &["июнь", "июня", "июн", "june", "jun"],
    &["июль", "июля", "июл", "july", "jul"],
    &["август", "августа", "авг", "august", "aug"],
    &[
        "сентябрь",
        "сентября",
        "сен",
        "сент",
        "september",
        "sep",
        "sept",
    ],
    &["октябрь", "октября", "окт", "october", "oct"],
    &["ноябрь", "ноября", "ноя", "нояб", "november", "nov"],
    &["декабрь", "декабря", "дек", "december", "dec"],
];

/// Month number (1–12) for a month word in any letter case, with an
/// optional trailing abbreviation dot: `января`, `Январь`, `ЯНВ.`,
/// `January`, `jan`.
pub fn month_from_word(w: &str) -> Option<u32> {
    let w = w.trim();
    let w = w.strip_suffix('.').unwrap_or(w);
    // Runs for every number followed by a word in logs ("425 ms"): fold
    // case on the stack and compare bytes, no char iteration.
    let mut buf = [0u8; 32];
    let lower = crate::text::lowercase_small(w.as_bytes(), &mut buf)?;
    if lower.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|names| names.iter().any(|n| n.as_bytes() == lower))
        .map(|i| i as u32 + 1)
}

/// Words that may follow the year in Russian dates ("1985 г.", "1985
/// года", "1985 г.р.").
fn year_suffix(w: &str) -> bool {
    ["г", "г.", "года", "год", "г.р.", "гр", "г.р"]
        .iter()
        .any(|s| eq_ci(w, s))
}

fn day_num(w: &str) -> Option<u32> {
    let n = num(w.as_bytes())?;
    (w.len() <= 2).then_some(n)
}

fn year_num(w: &str) -> Option<u32> {
    let n = num(w.as_bytes())?;
    (w.len() == 4).then_some(n)
}

/// Parses a date written with a month word and returns `(year, month,
/// day)`: `12 марта 1985`, `12 марта 1985 г.`, `1 янв. 2000 года`,
/// `12 March 1985`, `March 12, 1985`, `Mar 12 1985`. Words are separated
/// by spaces or NBSP; the year has four digits.
pub fn parse_word_date(s: &str) -> Option<(u32, u32, u32)> {
    if s.len() > 40 {
        return None;
    }
    let mut words = s.split([' ', '\u{a0}']).filter(|w| !w.is_empty());
    let w1 = words.next()?;
    let w2 = words.next()?;
    let w3 = words.next()?;
    if let Some(w4) = words.next()
        && (!year_suffix(w4) || words.next().is_some())
    {
        return None;
    }
    let (y, m, d) = if let Some(d) = day_num(w1) {
        (year_num(w3)?, month_from_word(w2)?, d)
    } else {
        let day = w2.strip_suffix(',').unwrap_or(w2);
        (year_num(w3)?, month_from_word(w1)?, day_num(day)?)
    };
    valid_ymd(y, m, d).then_some((y, m, d))
}

/// Rule-file validator: a numeric date ([`parse_numeric_date`]) or a
/// month-word date ([`parse_word_date`]) that is a real, plausible day.
pub fn date_valid(s: &[u8]) -> bool {
    parse_numeric_date(s).is_some()
        || std::str::from_utf8(s).is_ok_and(|t| parse_word_date(t).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The split-then-parse implementation [`parse_numeric_date`]
    /// replaced, kept as the reference.
    fn parse_numeric_date_split(s: &[u8]) -> Option<(u32, u32, u32)> {
        if s.len() > 10 {
            return None;
        }
        let sep = *s.iter().find(|b| !b.is_ascii_digit())?;
        if !matches!(sep, b'.' | b'/' | b'-') {
            return None;
        }
        let mut parts = s.split(|&b| b == sep);
        let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let (y, m, d) = match (a.len(), b.len(), c.len()) {
            (4, 2, 2) => (num(a)?, num(b)?, num(c)?),
            (1..=2, 1..=2, 4) => (num(c)?, num(b)?, num(a)?),
            (2, 2, 2) if sep == b'.' => {
                let yy = num(c)?;
                let y = if yy <= TWO_DIGIT_YEAR_PIVOT {
                    2000 + yy
                } else {
                    1900 + yy
                };
                (y, num(b)?, num(a)?)
            }
            _ => return None,
        };
        valid_ymd(y, m, d).then_some((y, m, d))
    }

    /// Same answers as the split form on random strings over digits,
    /// separators and other bytes, and on date-shaped strings with
    /// random digits (leap days, month 13, day 32, years at the window).
    #[test]
    fn one_pass_agrees_with_split_form() {
        let alphabet: &[&[u8]] = &[
            b"0",
            b"1",
            b"2",
            b"3",
            b"9",
            b"12",
            b"29",
            b"31",
            b"1985",
            b"2000",
            b"1900",
            b"2030",
            b"2031",
            b"00",
            b"30",
            b".",
            b".",
            b"/",
            b"-",
            b"-",
            b" ",
            b"a",
            b":",
            b"\xff",
            "١".as_bytes(),
            b"",
        ];
        let mut rng = crate::eval::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u64();
        let (mut some, mut none) = (0, 0);
        let mut check = |v: &[u8]| {
            let want = parse_numeric_date_split(v);
            assert_eq!(
                parse_numeric_date(v),
                want,
                "{:?}",
                String::from_utf8_lossy(v)
            );
            if want.is_some() {
                some += 1;
            } else {
                none += 1;
            }
        };
        for _ in 0..200_000 {
            let mut r = next();
            let mut v = Vec::new();
            for _ in 0..r % 8 {
                r /= 8;
                v.extend_from_slice(alphabet[(r % alphabet.len() as u64) as usize]);
                r /= alphabet.len() as u64;
            }
            check(&v);
            // Date shapes: the accepted widths (and random ones), day
            // 0–32, month 0–13, years around the window, one or mixed
            // separators.
            let r = next();
            let seps = [b'.', b'/', b'-'];
            let shapes = [
                [2, 2, 4],
                [1, 1, 4],
                [1, 2, 4],
                [4, 2, 2],
                [2, 2, 2],
                [2, 2, 3],
            ];
            let widths = if r % 7 == 6 {
                [1 + (r >> 3) % 5, 1 + (r >> 6) % 5, 1 + (r >> 9) % 5]
            } else {
                shapes[(r % 7) as usize % shapes.len()]
            };
            let year_at = if widths[0] == 4 { 0 } else { 2 };
            let mut q = Vec::new();
            for (k, &w) in widths.iter().enumerate() {
                if k > 0 {
                    let j = if r >> 62 == 0 {
                        (r >> (20 + k)) % 3
                    } else {
                        (r >> 40) % 3
                    };
                    q.push(seps[j as usize]);
                }
                let n = next();
                let v = match (k, w) {
                    (_, 4) => 1890 + n % 150,
                    _ if k == year_at => n % 100,
                    (1, _) => n % 14,
                    _ => n % 33,
                };
                let w = w as usize;
                let text = format!("{v:0w$}");
                q.extend_from_slice(&text.as_bytes()[text.len().saturating_sub(w)..]);
            }
            check(&q);
        }
        assert!(some > 50_000 && none > 200_000, "{some} valid, {none} not");
    }

    #[test]
    fn calendar() {
        assert!(valid_ymd(2000, 2, 29), "divisible by 400");
        assert!(!valid_ymd(1900, 2, 29), "divisible by 100");
        assert!(valid_ymd(2024, 2, 29));
        assert!(!valid_ymd(2023, 2, 29));
        assert!(valid_ymd(2023, 2, 28));
        assert!(valid_ymd(1985, 12, 31));
        assert!(!valid_ymd(1985, 11, 31));
        assert!(!valid_ymd(1985, 4, 31));
        assert!(!valid_ymd(1985, 13, 1));
        assert!(!valid_ymd(1985, 0, 1));
        assert!(!valid_ymd(1985, 1, 0));
        assert!(!valid_ymd(1985, 1, 32));
        assert!(valid_ymd(1900, 1, 1));
        assert!(valid_ymd(2030, 12, 31));
        assert!(!valid_ymd(1899, 12, 31));
        assert!(!valid_ymd(2031, 1, 1));
        assert!(!valid_ymd(u32::MAX, u32::MAX, u32::MAX));
    }

    #[test]
    fn reference_examples() {
        assert_eq!(parse_numeric_date(b"12.03.1985"), Some((1985, 3, 12)));
        assert_eq!(parse_numeric_date(b"01/12/2001"), Some((2001, 12, 1)));
        assert_eq!(parse_numeric_date(b"5-6-1990"), Some((1990, 6, 5)));
        assert!(!date_valid(b"31.02.1985"));
        assert!(!date_valid(b"12.13.1985"));
    }

    #[test]
    fn numeric_forms() {
        for (s, ymd) in [
            ("12.03.1985", (1985, 3, 12)),
            ("1.3.1985", (1985, 3, 1)),
            ("01.3.1985", (1985, 3, 1)),
            ("12/03/1985", (1985, 3, 12)),
            ("12-03-1985", (1985, 3, 12)),
            ("1985-03-12", (1985, 3, 12)),
            ("1985.03.12", (1985, 3, 12)),
            ("1985/03/12", (1985, 3, 12)),
            ("29.02.2000", (2000, 2, 29)),
            ("2024-01-15", (2024, 1, 15)),
            ("12.03.85", (1985, 3, 12)),
            ("12.03.30", (2030, 3, 12)),
            ("12.03.31", (1931, 3, 12)),
            ("01.01.00", (2000, 1, 1)),
            ("31.12.99", (1999, 12, 31)),
        ] {
            assert_eq!(parse_numeric_date(s.as_bytes()), Some(ymd), "{s}");
            assert!(date_valid(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn numeric_rejects() {
        for s in [
            "",
            ".",
            "..",
            "12.03",
            "12.03.",
            ".03.1985",
            "12..1985",
            "12.03.1985.",
            "12.03-1985",
            "12/03.1985",
            "1985-3-12",
            "1985-03-1",
            "123.03.1985",
            "12.003.1985",
            "12.03.19850",
            "12.03.198",
            "1.2.10",
            "12/03/85",
            "12-03-85",
            "31.02.1985",
            "29.02.1900",
            "29.02.2023",
            "00.01.1985",
            "01.00.1985",
            "32.01.1985",
            "12.13.1985",
            "12/31/1990",
            "01.01.1899",
            "01.01.2031",
            "1899-12-31",
            "12 03 1985",
            "12.03.1985 ",
            " 12.03.1985",
            "12_03_1985",
            "1985-03-12T10:00",
            "20240115",
            "1700000000000",
            "a2.03.1985",
            "１２.０３.１９８５",
        ] {
            assert_eq!(parse_numeric_date(s.as_bytes()), None, "{s}");
        }
        assert_eq!(parse_numeric_date(b"12.03.\xff\xff\xff\xff"), None);
        assert_eq!(parse_numeric_date(&[b'.'; 5]), None);
    }

    #[test]
    fn month_words() {
        for (w, m) in [
            ("января", 1),
            ("январь", 1),
            ("янв.", 1),
            ("Января", 1),
            ("ЯНВАРЯ", 1),
            ("ЯНВ", 1),
            ("февраля", 2),
            ("февр.", 2),
            ("марта", 3),
            ("Март", 3),
            ("апреля", 4),
            ("мая", 5),
            ("Май", 5),
            ("июня", 6),
            ("июля", 7),
            ("августа", 8),
            ("сентября", 9),
            ("сент.", 9),
            ("октября", 10),
            ("ноября", 11),
            ("нояб.", 11),
            ("декабря", 12),
            ("Декабрь", 12),
            ("January", 1),
            ("jan", 1),
            ("JAN", 1),
            ("Feb.", 2),
            ("march", 3),
            ("May", 5),
            ("sept", 9),
            ("Sep", 9),
            ("DECEMBER", 12),
            (" dec ", 12),
        ] {
            assert_eq!(month_from_word(w), Some(m), "{w}");
        }
        for w in [
            "",
            ".",
            "ян",
            "janu",
            "марте",
            "mayo",
            "13",
            "decembre",
            "дек..",
            "d",
            "ю",
        ] {
            assert_eq!(month_from_word(w), None, "{w}");
        }
    }

    #[test]
    fn word_dates() {
        for (s, ymd) in [
            ("12 марта 1985", (1985, 3, 12)),
            ("12 марта 1985 г.", (1985, 3, 12)),
            ("12 марта 1985 года", (1985, 3, 12)),
            ("1 янв. 2000", (2000, 1, 1)),
            ("01 Января 2000 г", (2000, 1, 1)),
            ("29 февраля 2024", (2024, 2, 29)),
            ("12\u{a0}марта\u{a0}1985\u{a0}г.", (1985, 3, 12)),
            ("12 March 1985", (1985, 3, 12)),
            ("March 12, 1985", (1985, 3, 12)),
            ("Mar 12 1985", (1985, 3, 12)),
            ("5  мая  1945", (1945, 5, 5)),
        ] {
            assert_eq!(parse_word_date(s), Some(ymd), "{s}");
            assert!(date_valid(s.as_bytes()), "{s}");
        }
        for s in [
            "",
            "марта",
            "12 марта",
            "марта 1985",
            "30 февраля 1985",
            "29 февраля 2023",
            "12 марта 85",
            "12 мартобря 1985",
            "12 марта 1985 года рождения",
            "12 марта 1985 x",
            "123 марта 1985",
            "12 марта 2031",
            "March 12,, 1985",
        ] {
            assert_eq!(parse_word_date(s), None, "{s}");
            assert!(!date_valid(s.as_bytes()), "{s}");
        }
        assert!(!date_valid(b"12 \xd0 1985"));
    }
}
