//! Unit tests of the address matcher: Russian orders and abbreviations,
//! US addresses, hard negatives, chunk bounds, garbage input, and
//! precision/recall on a small hand-labelled set.

use super::*;

fn found(text: &str) -> Vec<(String, Strength)> {
    let mut out = Vec::new();
    AddressMatcher::new().find(text.as_bytes(), 0, text.len(), &mut out);
    out.into_iter()
        .map(|h| (text[h.start..h.end].to_string(), h.strength))
        .collect()
}

#[track_caller]
fn full(text: &str, addr: &str) {
    let got = found(text);
    let full: Vec<_> = got.iter().filter(|h| h.1 == Strength::Full).collect();
    assert_eq!(full.len(), 1, "{text:?}: {got:?}");
    assert_eq!(full[0].0, addr, "{text:?}: {got:?}");
}

#[track_caller]
fn none(text: &str) {
    let got = found(text);
    assert!(
        got.iter().all(|h| h.1 != Strength::Full),
        "{text:?}: {got:?}"
    );
}

#[test]
fn russian_forms_order() {
    let a = "119021, г. Москва, ул. Льва Толстого, д. 16, кв. 5";
    full(&format!("Адрес: {a}."), a);
    let a = "г. Москва, ул. Тверская, д. 7, корп. 2, стр. 1, кв. 15";
    full(&format!("адрес регистрации: {a}; тел"), a);
    let a = "Московская обл., Одинцовский р-н, г. Одинцово, ул. Маршала Жукова, д. 3";
    full(&format!("проживает: {a}"), a);
    let a = "Москва, Ленинский пр-т, д. 32А, оф. 12";
    full(&format!("офис: {a}"), a);
    let a = "190000, Санкт-Петербург, наб. реки Мойки, д. 12";
    let got = found(a);
    assert!(!got.is_empty(), "{got:?}");
    full("г. Казань, ул. Баумана, 15", "г. Казань, ул. Баумана, 15");
    full("пр-т Мира, д.5, кв.7", "пр-т Мира, д.5, кв.7");
    full("ул. 8 Марта, д. 1", "ул. 8 Марта, д. 1");
    full(
        "Россия, 420111, г. Казань, ул. Кремлёвская, д. 18",
        "Россия, 420111, г. Казань, ул. Кремлёвская, д. 18",
    );
    full(
        "ул. Ленина, д. 5, кв. 3, г. Тула, 300000",
        "ул. Ленина, д. 5, кв. 3, г. Тула, 300000",
    );
    full("Тверская ул., д. 13", "Тверская ул., д. 13");
    full("д. Ивановка, д. 5, кв. 1", "д. Ивановка, д. 5, кв. 1");
}

#[test]
fn us_addresses() {
    full(
        "HQ: 1600 Amphitheatre Pkwy, Mountain View, CA 94043.",
        "1600 Amphitheatre Pkwy, Mountain View, CA 94043",
    );
    full(
        "ship to 350 Fifth Avenue, Suite 3300, New York, NY 10118-0110 today",
        "350 Fifth Avenue, Suite 3300, New York, NY 10118-0110",
    );
    full(
        "221 Baker St, Springfield, IL 62701",
        "221 Baker St, Springfield, IL 62701",
    );
    full(
        "12 W 42nd St Apt 4B, New York, NY 10036",
        "12 W 42nd St Apt 4B, New York, NY 10036",
    );
    let got = found("lives at 742 Evergreen Terrace");
    assert_eq!(got, [("742 Evergreen Terrace".to_string(), Strength::Weak)]);
}

#[test]
fn hard_negatives() {
    for text in [
        "г. Москва",
        "в 2024 г. было тепло",
        "Заказ 119021 оформлен",
        "версия 1.2.3, сборка 119021",
        "с Петром Ивановичем",
        "ул. Ленина",
        "took 12 Ms to run 5 Tests",
        "HTTP/1.1 200 OK",
        "2024-01-15 10:23:45 INFO Started",
        "ООО «Ромашка», ИНН 7707083893",
        "на улице было 25 градусов",
        "Москва, Россия",
    ] {
        none(text);
    }
}

#[test]
fn chunk_bounds() {
    let text = "xx г. Москва, ул. Тверская, д. 7 и г. Тула, ул. Ленина, д. 1";
    let second = text.find("г. Тула").unwrap();
    let mut out = Vec::new();
    AddressMatcher::new().find(text.as_bytes(), 0, second, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(
        &text[out[0].start..out[0].end],
        "г. Москва, ул. Тверская, д. 7"
    );
    out.clear();
    AddressMatcher::new().find(text.as_bytes(), second, text.len(), &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(&text[out[0].start..out[0].end], "г. Тула, ул. Ленина, д. 1");
    // An anchor past `to` still finds an address that starts before it.
    out.clear();
    let s = text.find("г. Москва").unwrap();
    AddressMatcher::new().find(text.as_bytes(), 0, s + 1, &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn norm_ignores_punctuation() {
    let mut a = Vec::new();
    let m = AddressMatcher::new();
    let t1 = "г. Москва, ул. Тверская, д.7";
    let t2 = "г.Москва, ул. Тверская, д. 7";
    m.find(t1.as_bytes(), 0, t1.len(), &mut a);
    m.find(t2.as_bytes(), 0, t2.len(), &mut a);
    assert_eq!(a.len(), 2, "{a:?}");
    assert_eq!(a[0].norm, a[1].norm);
    assert_eq!(
        String::from_utf8_lossy(&a[0].norm),
        "г москва ул тверская д 7"
    );
}

#[test]
fn no_panic_on_garbage() {
    let mut data: Vec<u8> = Vec::new();
    let mut x: u32 = 99;
    for _ in 0..20000 {
        x = x.wrapping_mul(1103515245).wrapping_add(12345);
        let b = (x >> 16) as u8;
        data.push(match b % 9 {
            0 => 0xD0,
            1 => 0xD1,
            2 => b' ',
            3 => b',',
            4 => b'1' + b % 9,
            5 => b'.',
            _ => b,
        });
    }
    let m = AddressMatcher::new();
    let mut out = Vec::new();
    for cut in 0..8 {
        m.find(&data[..cut], 0, cut, &mut out);
    }
    m.find(&data, 0, data.len(), &mut out);
    for t in [
        "ул.",
        "ул. ",
        "д. 5",
        "123456,",
        "1 A",
        "12 Main St,",
        "12 Main St, X, CA",
    ] {
        m.find(t.as_bytes(), 0, t.len(), &mut out);
    }
}

/// Precision and recall on a small hand-labelled set (`[[...]]` marks
/// each address that must be found at full strength).
#[test]
fn labelled_set_precision_recall() {
    const SET: &str = include_str!("labelled.txt");
    let m = AddressMatcher::new();
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    let mut report = Vec::new();
    for line in SET
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut text = String::new();
        let mut gold = Vec::new();
        let mut rest = line;
        while let Some(open) = rest.find("[[") {
            text.push_str(&rest[..open]);
            let close = rest[open..]
                .find("]]")
                .map(|c| open + c)
                .unwrap_or(rest.len());
            let s = text.len();
            text.push_str(&rest[open + 2..close]);
            gold.push((s, text.len()));
            rest = rest.get(close + 2..).unwrap_or("");
        }
        text.push_str(rest);
        let mut out = Vec::new();
        m.find(text.as_bytes(), 0, text.len(), &mut out);
        let got: Vec<(usize, usize)> = out
            .iter()
            .filter(|h| h.strength == Strength::Full)
            .map(|h| (h.start, h.end))
            .collect();
        for g in &gold {
            if got.contains(g) {
                tp += 1;
            } else {
                fneg += 1;
                report.push(format!("missed {:?} in {text:?}", &text[g.0..g.1]));
            }
        }
        for h in &got {
            if !gold.contains(h) {
                fp += 1;
                report.push(format!("false {:?} in {text:?}", &text[h.0..h.1]));
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fneg).max(1) as f64;
    let f1 = 2.0 * p * r / (p + r).max(1e-9);
    eprintln!(
        "address labelled set: tp={tp} fp={fp} fn={fneg} P={p:.3} R={r:.3} F1={f1:.3}\n{}",
        report.join("\n")
    );
    assert!(
        p >= 0.9 && r >= 0.85,
        "P={p:.3} R={r:.3}\n{}",
        report.join("\n")
    );
}

#[test]
fn random_bytes_with_random_bounds() {
    let pieces: [&[u8]; 12] = [
        "ул. ".as_bytes(),
        "Ленина".as_bytes(),
        b", ",
        b"12",
        b"119021",
        "д. ".as_bytes(),
        b"\xD0",
        b"\xD1\x91",
        b"\xFF",
        b" Main St",
        b", CA 94043",
        "г.".as_bytes(),
    ];
    let mut x: u64 = 11;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };
    let m = AddressMatcher::new();
    let mut out = Vec::new();
    for _ in 0..3000 {
        let mut buf = Vec::new();
        for _ in 0..next() % 24 {
            if next() % 3 == 0 {
                buf.push((next() % 256) as u8);
            } else {
                buf.extend_from_slice(pieces[next() % pieces.len()]);
            }
        }
        let a = next() % (buf.len() + 1);
        let b = a + next() % (buf.len() + 1 - a);
        out.clear();
        m.find(&buf, a, b, &mut out);
        for h in &out {
            assert!(h.start >= a && h.start < b && h.end <= buf.len() && h.start < h.end);
        }
    }
}

/// `read_kw` as it was before the shape filter: the reference for it.
fn read_kw_simple(buf: &[u8], p: usize, lower: &mut Vec<u8>) -> Option<(Kw, usize)> {
    let mut e = p;
    loop {
        let l = letter_len(buf, e);
        if l > 0 {
            e += l;
        } else if matches!(buf.get(e), Some(b'-' | b'/')) && letter_len(buf, e + 1) > 0 && e > p {
            e += 1;
        } else {
            break;
        }
        if e - p > 24 {
            return None;
        }
    }
    if e == p || e - p > 22 {
        return None;
    }
    let follows_ok = match buf.get(e) {
        None | Some(b'.' | b',' | b';' | b'\n' | b'\r') => true,
        Some(b' ') => is_upper_at(buf, e + 1) || buf.get(e + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    if !follows_ok {
        return None;
    }
    lower_into(&buf[p..e], lower);
    let w = std::str::from_utf8(lower).ok()?;
    let kw = keyword(w)?;
    let dot = buf.get(e) == Some(&b'.');
    let short = e - p <= 2;
    let next = skip_spaces(buf, e + usize::from(dot), 1);
    let next_ok = is_upper_at(buf, next) || buf.get(next).is_some_and(u8::is_ascii_digit);
    if short && !(dot || next_ok) {
        return None;
    }
    Some((kw, e + usize::from(dot)))
}

/// `AddressMatcher::find` as a plain walk over every byte, as it was
/// before its fast paths: the reference they must agree with.
fn find_simple(buf: &[u8], from: usize, to: usize, out: &mut Vec<AddressHit>) {
    let m = AddressMatcher::new();
    let to = to.min(buf.len());
    let limit = (to + MAX_BACK).min(buf.len());
    let mut lower = Vec::with_capacity(32);
    let mut i = from;
    let mut done = from;
    while i < limit {
        let b = buf[i];
        if !(b.is_ascii_alphanumeric() || b == 0xD0 || b == 0xD1) {
            i += 1;
            continue;
        }
        let anchor = if b.is_ascii_digit() {
            !(i > 0
                && (buf[i - 1].is_ascii_alphanumeric()
                    || matches!(buf[i - 1], b'.' | b'-' | b'/' | b':')))
        } else if b.is_ascii_alphabetic() {
            while i < limit && buf[i].is_ascii_alphanumeric() {
                i += 1;
            }
            continue;
        } else {
            if letter_len(buf, i) != 2 {
                i += 1;
                continue;
            }
            if is_upper_at(buf, i) || letter_before(buf, i) {
                i = skip_token_simple(buf, i);
                continue;
            }
            true
        };
        if !anchor {
            i += 1;
            continue;
        }
        let hit = if b.is_ascii_digit() {
            let e = digits_end(buf, i);
            let after = buf.get(e).copied().unwrap_or(b'\n');
            if e - i == 6 && matches!(b, b'1'..=b'6') && matches!(after, b',' | b' ') {
                m.ru_at(buf, i, &mut lower)
            } else if e - i <= 6
                && after == b' '
                && buf
                    .get(e + 1)
                    .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                us_at(buf, i)
            } else {
                None
            }
        } else {
            match read_kw_simple(buf, i, &mut lower) {
                Some(_) => m.ru_at(buf, i, &mut lower),
                None => None,
            }
        };
        match hit {
            Some(h) if h.start >= done && h.start >= from && h.start < to => {
                i = h.end;
                done = h.end;
                out.push(h);
            }
            Some(h) if h.end > i => i = h.end,
            _ => i = skip_token_simple(buf, i),
        }
    }
}

/// Random text from address-like pieces, prose, numbers and edge bytes.
fn random_text(next: &mut impl FnMut() -> usize, pieces: usize) -> Vec<u8> {
    const PIECES: &[&str] = &[
        "ул. ",
        "ул",
        "Ленина",
        ", ",
        " ",
        "12",
        "119021",
        "д. ",
        "д",
        "кв.",
        "корп",
        "г.",
        "г",
        "Москва",
        "с",
        "в",
        "на",
        "пр-т",
        "пр-",
        "а/я",
        "р-н",
        "ст-ца",
        "РФ",
        "Россия",
        "область",
        "республика",
        "набережная",
        "микрорайон",
        "помещение",
        "улица",
        "улицам",
        "строение",
        "ёлка",
        "Ёж",
        "сё",
        "дом",
        "дома",
        "5",
        "16А",
        "/",
        "-",
        ".",
        ",",
        ";",
        ":",
        "\n",
        "Main",
        " St",
        "350",
        "12 W 42nd St",
        ", CA 94043",
        "abc",
        "x1",
        "2024-01-15",
        "10:23:45",
        "v1.2.3",
        "оплата",
        "клиентов",
        "в 14:00",
        "Санкт-Петербург",
        "о",
        "п",
        "х",
        "ш",
        "к",
        "Кв",
        "ДОМ",
        "Ул.",
        "\u{2014}",
        "\u{20bd}",
        "\u{0400}",
        "яблоко",
        "level=error span finished",
        "trace_id=52904d7759065292c846",
        "[63730]: ",
        "took=70",
        "0123456789abcdef",
        "xyz.123-45/6:7",
        "\"ts\":\"2025-01-23T21:49:28.398Z\",",
        "12 Main St",
        "abcdefghijklmnop",
        "2A",
        "z9",
        "@",
        "_",
    ];
    let mut buf = Vec::new();
    for _ in 0..pieces {
        match next() % 8 {
            0 => buf.push((next() % 256) as u8),
            1 => buf.extend_from_slice([&b"\xD0"[..], b"\xD1", b"\x81", b"\xD0\x81"][next() % 4]),
            _ => buf.extend_from_slice(PIECES[next() % PIECES.len()].as_bytes()),
        }
    }
    buf
}

#[test]
fn fast_find_matches_the_byte_walk() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as usize
    };
    let m = AddressMatcher::new();
    let mut hits = 0;
    for round in 0..20_000 {
        let buf = random_text(&mut next, 1 + round % 60);
        let a = next() % (buf.len() + 1);
        let b = a + next() % (buf.len() + 1 - a);
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        m.find(&buf, a, b, &mut fast);
        find_simple(&buf, a, b, &mut slow);
        assert_eq!(fast, slow, "{:?} {a}..{b}", String::from_utf8_lossy(&buf));
        fast.clear();
        slow.clear();
        m.find(&buf, 0, buf.len(), &mut fast);
        find_simple(&buf, 0, buf.len(), &mut slow);
        assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(&buf));
        hits += fast.len();
    }
    // The text must make addresses often enough to compare something.
    assert!(hits > 500, "{hits}");
}

#[test]
fn read_kw_matches_the_plain_look_up() {
    let mut x: u64 = 77;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as usize
    };
    let mut lower = Vec::new();
    let mut check = |buf: &[u8]| {
        for p in 0..buf.len() {
            assert_eq!(
                read_kw(buf, p),
                read_kw_simple(buf, p, &mut lower),
                "{:?} at {p}",
                String::from_utf8_lossy(buf)
            );
        }
    };
    for (w, kind) in KEYWORD_KINDS {
        assert_eq!(keyword(w), Some(*kind), "{w}");
        assert!(keyword(w).is_some(), "{w}");
        let mut upper = Vec::new();
        for c in w.chars() {
            upper.extend(c.to_uppercase().to_string().bytes());
        }
        for tail in [
            &b". 5"[..],
            b" 5",
            b" A",
            b",",
            b"",
            b" x",
            b"a",
            b"-",
            "ж".as_bytes(),
        ] {
            for head in [w.as_bytes(), &upper[..]] {
                let mut buf = b" ".to_vec();
                buf.extend_from_slice(head);
                buf.extend_from_slice(tail);
                check(&buf);
            }
        }
    }
    for _ in 0..20_000 {
        let n = 1 + next() % 12;
        check(&random_text(&mut next, n));
    }
}

/// `skip_token_from(buf, i, i)` as a loop over one letter or one digit
/// at a time.
fn skip_token_simple(buf: &[u8], i: usize) -> usize {
    let mut e = i;
    loop {
        let l = letter_len(buf, e);
        if l > 0 {
            e += l;
        } else if buf.get(e).is_some_and(u8::is_ascii_digit) {
            e += 1;
        } else {
            break;
        }
    }
    e.max(i + 1)
}

/// `letters_end` as a loop over one letter at a time.
fn letters_end_simple(buf: &[u8], mut p: usize) -> usize {
    while letter_len(buf, p) > 0 {
        p += letter_len(buf, p);
    }
    p
}

#[test]
fn plain_cyrillic_checks_agree_with_letter_len() {
    let plain = |a: u8, b: u8| {
        letter_len(&[a, b], 0) == 2 && !matches!((a, b), (0xD0, 0x81) | (0xD1, 0x91))
    };
    let filler = u16::from_le_bytes([0xD0, 0xB0]) as u64; // `а`
    for a in 0..=255u8 {
        for b in 0..=255u8 {
            assert_eq!(plain_cyr(a, b), plain(a, b), "{a:x} {b:x}");
            for lane in 0..4 {
                let mut w = filler * 0x0001_0001_0001_0001;
                w &= !(0xFFFF << (16 * lane));
                w |= (u16::from_le_bytes([a, b]) as u64) << (16 * lane);
                assert_eq!(four_plain_cyr(w), plain(a, b), "{a:x} {b:x} in lane {lane}");
            }
        }
    }
}

#[test]
fn token_walks_match_the_letter_loop() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as usize
    };
    for _ in 0..3000 {
        let n = 1 + next() % 40;
        let buf = random_text(&mut next, n);
        for p in 0..=buf.len() {
            assert_eq!(
                letters_end(&buf, p),
                letters_end_simple(&buf, p),
                "{buf:x?} at {p}"
            );
            assert_eq!(
                skip_token_from(&buf, p, p),
                skip_token_simple(&buf, p),
                "{buf:x?} at {p}"
            );
        }
    }
}

#[test]
fn next_stop_finds_the_first_stop() {
    let mut x: u64 = 5;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as usize
    };
    // The plain check of one byte: would the walk stop at `buf[k]`?
    let stops = |buf: &[u8], k: usize| {
        let b = buf[k];
        b == 0xD0
            || b == 0xD1
            || b.is_ascii_digit()
                && !(buf[k - 1].is_ascii_alphanumeric()
                    || matches!(buf[k - 1], b'.' | b'-' | b'/' | b':'))
    };
    for _ in 0..3000 {
        let n = 1 + next() % 40;
        let buf = random_text(&mut next, n);
        for limit in [buf.len(), buf.len() / 2] {
            for i in 0..=limit {
                let j = next_stop(&buf, i, limit);
                if i == 0 {
                    assert_eq!(j, 0);
                    continue;
                }
                assert!(j >= i && j <= limit, "{buf:x?} {i} {j}");
                assert!((i..j).all(|k| !stops(&buf, k)), "{buf:x?} {i} {j}");
                assert!(j + 8 > limit || stops(&buf, j), "{buf:x?} {i} {j}");
            }
        }
    }
}

/// `norm` as it was: one letter or digit at a time.
fn norm_simple(buf: &[u8], s: usize, e: usize) -> Vec<u8> {
    let mut lower = Vec::new();
    lower_into(&buf[s..e], &mut lower);
    let mut out = Vec::new();
    let mut i = 0;
    let mut gap = false;
    while i < lower.len() {
        let l = letter_len(&lower, i);
        let l = if l > 0 {
            l
        } else if lower[i].is_ascii_digit() {
            1
        } else {
            0
        };
        if l == 0 {
            gap = true;
            i += 1;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(b' ');
        }
        gap = false;
        out.extend_from_slice(&lower[i..i + l]);
        i += l;
    }
    out
}

#[test]
fn norm_matches_the_letter_loop() {
    let mut x: u64 = 0xDEAD_BEEF;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as usize
    };
    for _ in 0..5000 {
        let n = 1 + next() % 30;
        let buf = random_text(&mut next, n);
        let s = next() % (buf.len() + 1);
        let e = s + next() % (buf.len() + 1 - s);
        assert_eq!(
            norm(&buf, s, e),
            norm_simple(&buf, s, e),
            "{buf:x?} {s}..{e}"
        );
    }
}

#[test]
fn digits_end_matches_the_byte_loop() {
    let mut x: u64 = 0xC0FFEE;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as usize
    };
    let slow = |buf: &[u8], mut p: usize| {
        while buf.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        p
    };
    for _ in 0..3000 {
        let n = 1 + next() % 40;
        let mut buf = random_text(&mut next, n);
        // Long digit runs too, with edge bytes around them.
        for _ in 0..next() % 3 {
            let at = next() % (buf.len() + 1);
            let run: Vec<u8> = (0..next() % 20).map(|k| b'0' + (k % 10) as u8).collect();
            buf.splice(at..at, run);
        }
        for p in 0..buf.len() + 2 {
            assert_eq!(digits_end(&buf, p), slow(&buf, p), "{buf:x?} at {p}");
        }
    }
}
