//! Unit tests of the name matcher: every written form, English names,
//! hard negatives, and precision/recall on a small hand-labelled set.

use super::*;
use std::sync::OnceLock;

fn matcher() -> &'static NameMatcher {
    static M: OnceLock<NameMatcher> = OnceLock::new();
    M.get_or_init(NameMatcher::new)
}

fn hits(text: &str) -> Vec<NameHit> {
    let mut out = Vec::new();
    matcher().find(text.as_bytes(), 0, text.len(), &mut out);
    out
}

/// (span, norm, strength) of every hit.
fn found(text: &str) -> Vec<(String, String, Strength)> {
    hits(text)
        .into_iter()
        .map(|h| {
            (
                text[h.start..h.end].to_string(),
                String::from_utf8_lossy(&h.norm).into_owned(),
                h.strength,
            )
        })
        .collect()
}

/// Asserts exactly one full-strength hit spanning `name` inside `text`.
#[track_caller]
fn full(text: &str, name: &str) -> String {
    let got = found(text);
    let full: Vec<_> = got.iter().filter(|h| h.2 == Strength::Full).collect();
    assert_eq!(full.len(), 1, "{text:?}: {got:?}");
    assert_eq!(full[0].0, name, "{text:?}: {got:?}");
    full[0].1.clone()
}

#[track_caller]
fn none(text: &str) {
    let got = found(text);
    assert!(
        got.iter().all(|h| h.2 != Strength::Full),
        "{text:?} should have no full name: {got:?}"
    );
}

#[test]
fn russian_orders() {
    assert_eq!(
        full(
            "Клиент Иванов Иван Иванович оплатил",
            "Иванов Иван Иванович"
        ),
        "иванов иван иванович"
    );
    assert_eq!(
        full("звонил Иван Иванович Иванов вчера", "Иван Иванович Иванов"),
        "иванов иван иванович"
    );
    assert_eq!(
        full("менеджер Анна Петрова, отдел", "Анна Петрова"),
        "петрова анна"
    );
    assert_eq!(
        full("менеджер Петрова Анна, отдел", "Петрова Анна"),
        "петрова анна"
    );
    full("Уважаемый Иван Петрович!", "Иван Петрович");
    full("Подпись: Сергей Есенин.", "Сергей Есенин");
    // A capitalised noun before F P S is not an unknown surname.
    full(
        "Получатель Павел Олегович Соколов, адрес",
        "Павел Олегович Соколов",
    );
    // An unknown surname completes a first name and patronymic.
    full(
        "Я встречался с Аркадием Борисовичем Зильберштейном вчера",
        "Аркадием Борисовичем Зильберштейном",
    );
}

#[test]
fn initials() {
    assert_eq!(full("исп. Иванов И.И., тел", "Иванов И.И."), "иванов и.и.");
    full("исп. Иванов И. И. тел", "Иванов И. И.");
    full("подписал И.И. Иванов", "И.И. Иванов");
    full("подписал И. И. Иванов", "И. И. Иванов");
    full("подписал И.И.Иванов", "И.И.Иванов");
    full("отв. Петрова А. за", "Петрова А.");
    full("Иванов Иван И. на связи", "Иванов Иван И.");
}

#[test]
fn grammatical_cases() {
    assert_eq!(
        full(
            "заявление Ивановой Анны Сергеевны о",
            "Ивановой Анны Сергеевны"
        ),
        "иванова анна сергеевна"
    );
    assert_eq!(
        full(
            "встреча с Петром Ивановичем Сидоровым",
            "Петром Ивановичем Сидоровым"
        ),
        "сидоров петр иванович"
    );
    full(
        "выдать Сидорову Петру Ивановичу",
        "Сидорову Петру Ивановичу",
    );
    full("о Павле Андреевиче Смирнове", "Павле Андреевиче Смирнове");
    full(
        "письмо от Марии Ивановны Кузнецовой",
        "Марии Ивановны Кузнецовой",
    );
    full(
        "доверенность на Кузнецову Марию Ивановну",
        "Кузнецову Марию Ивановну",
    );
    full(
        "приказ о Льве Николаевиче Толстом",
        "Льве Николаевиче Толстом",
    );
    assert_eq!(
        full(
            "книга Достоевского Фёдора Михайловича",
            "Достоевского Фёдора Михайловича"
        ),
        "достоевский федор михайлович"
    );
    full("для Ольги Сергеевны", "Ольги Сергеевны");
}

#[test]
fn hyphenated_and_caps() {
    full(
        "композитор Николай Римский-Корсаков",
        "Николай Римский-Корсаков",
    );
    full("ФИО: ИВАНОВ ИВАН ИВАНОВИЧ;", "ИВАНОВ ИВАН ИВАНОВИЧ");
    full("Анна-Мария Петрова-Водкина", "Анна-Мария Петрова-Водкина");
}

#[test]
fn latin_and_english() {
    full("passenger Ivanov Ivan Ivanovich", "Ivanov Ivan Ivanovich");
    full("contact: Ivan Ivanov, Moscow", "Ivan Ivanov");
    full("contact: Ivanova Anna", "Ivanova Anna");
    full("Dmitriy Sergeyevich Petrov", "Dmitriy Sergeyevich Petrov");
    full("owner Yevgeny Smirnov", "Yevgeny Smirnov");
    assert_eq!(
        full("Name: John A. Smith", "John A. Smith"),
        "john a. smith"
    );
    full("signed by Mary Ann Johnson yesterday", "Mary Ann Johnson");
    full("cc: Robert Miller, Sales", "Robert Miller");
    full("reply to Patrick O'Neil today", "Patrick O'Neil");
    full("from Sarah McDonald,", "Sarah McDonald");
    // Surname then initials, as Russian documents write them in Latin
    // too; an English surname before initials is no such habit.
    assert_eq!(full("signed: Ivanova A.S.", "Ivanova A.S."), "ivanova a.s.");
    full("contact Ivanova A., Perm", "Ivanova A.");
    none("see Smith J. above");
    let h = hits("to John Smith");
    assert_eq!(h[0].lang, Lang::En);
    let h = hits("to Ivan Petrov");
    assert_eq!(h[0].lang, Lang::Ru);
}

#[test]
fn partial_names_need_a_cue() {
    let got = found("Уважаемый Иван, ваш заказ готов");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "Иван");
    assert_eq!(got[0].2, Strength::Partial);
    let got = found("Dear John, thanks");
    assert_eq!((got[0].0.as_str(), got[0].2), ("John", Strength::Partial));
    let got = found("г-н Петров сообщил");
    assert_eq!((got[0].0.as_str(), got[0].2), ("Петров", Strength::Partial));
    assert!(found("Иван пришёл домой").is_empty());
    assert!(found("Петров сказал").is_empty());
}

#[test]
fn hard_negatives() {
    for text in [
        "ООО «Ромашка» заключило договор",
        "г. Москва, ул. Льва Толстого, д. 16",
        "на проспекте Мира и улице Ленина",
        "Понедельник, Январь, Май",
        "Новый Год и Рождество",
        "Москва Сити",
        "Google Chrome and Visual Studio Code",
        "Microsoft Windows Server",
        "New York Stock Exchange",
        "Customer Service Manager",
        "INFO GET /api/v1/users HTTP/1.1",
        "ERROR NullPointerException at Main.java",
        "JavaScript TypeScript PostgreSQL",
        "user.Name = Ivan.Petrov",
        "Path C:\\Users\\Ivan\\Documents",
        "Москвич Автомобиль",
        "Будь Готов",
        "Школа имени А.С. Пушкина",
        "May Day Parade",
        "Grant Access Now",
        "Т.е. Всё",
        "а/м Kia Rio госномер А123ВС77",
        "vehicle Ford Focus, plate",
    ] {
        none(text);
    }
}

#[test]
fn chunk_bounds_are_respected() {
    let text = "Иванов Иван Иванович и Петров Пётр Петрович";
    let mut out = Vec::new();
    let second = text.find("Петров").unwrap();
    matcher().find(text.as_bytes(), 0, second, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(&text[out[0].start..out[0].end], "Иванов Иван Иванович");
    out.clear();
    matcher().find(text.as_bytes(), second, second + 1, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(&text[out[0].start..out[0].end], "Петров Пётр Петрович");
}

#[test]
fn no_panic_on_garbage() {
    let mut data: Vec<u8> = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..20000 {
        x = x.wrapping_mul(1103515245).wrapping_add(12345);
        let b = (x >> 16) as u8;
        data.push(match b % 7 {
            0 => 0xD0,
            1 => 0xD1,
            2 => b' ',
            3 => b'.',
            4 => b'A' + b % 26,
            _ => b,
        });
    }
    let mut out = Vec::new();
    for cut in [0, 1, 2, 3, data.len() - 1, data.len()] {
        matcher().find(&data[..cut], 0, cut, &mut out);
    }
    matcher().find(&data, 0, data.len(), &mut out);
    for text in ["И", "И.", "Иванов И", "A", "Mc", "Ё", "\u{0401}"] {
        hits(text);
    }
}

#[test]
fn skeletons_unify_spellings() {
    let sk = |w: &str| {
        let mut o = Vec::new();
        skeleton_lat(w.as_bytes(), &mut o);
        String::from_utf8(o).unwrap()
    };
    let cy = |w: &str| {
        let mut o = Vec::new();
        skeleton_cyr(w.as_bytes(), &mut o);
        String::from_utf8(o).unwrap()
    };
    assert_eq!(sk("dmitriy"), sk("dmitry"));
    assert_eq!(sk("dmitrii"), cy("дмитрий"));
    assert_eq!(sk("yevgeny"), cy("евгений"));
    assert_eq!(sk("aleksey"), sk("alexei"));
    assert_eq!(sk("mikhail"), cy("михаил"));
    assert_eq!(sk("yulia"), cy("юлия"));
    assert_eq!(sk("fyodor"), cy("федор"));
    // The public entry: either script, any case; other scripts give none.
    let tr = |w: &str| {
        let mut o = Vec::new();
        translit_skeleton(w, &mut o);
        String::from_utf8(o).unwrap()
    };
    assert_eq!(tr("ИВАНОВА"), tr("Ivanova"));
    assert_eq!(tr("Щербакова"), tr("SHCHERBAKOVA"));
    assert_eq!(tr("Сергеевна"), tr("Sergeyevna"));
    assert_eq!(tr("Юлия"), tr("Iuliia"));
    assert_eq!(tr("Яков"), tr("Yakov"));
    assert_eq!(tr("Харитонович"), tr("Kharitonovich"));
    assert_eq!(tr("Müller"), "");
}

/// Precision and recall on a small hand-labelled set: each line marks the
/// names that must be found (full strength) with `[[...]]`.
#[test]
fn labelled_set_precision_recall() {
    const SET: &str = include_str!("labelled.txt");
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
        let got: Vec<(usize, usize)> = hits(&text)
            .into_iter()
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
        "names labelled set: tp={tp} fp={fp} fn={fneg} P={p:.3} R={r:.3} F1={f1:.3}\n{}",
        report.join("\n")
    );
    assert!(
        p >= 0.95 && r >= 0.9,
        "P={p:.3} R={r:.3}\n{}",
        report.join("\n")
    );
}

#[test]
fn send_sync_and_random_bytes_with_random_bounds() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<NameMatcher>();
    let pieces: [&[u8]; 12] = [
        "Иванов ".as_bytes(),
        "И.".as_bytes(),
        b" ",
        b"John ",
        b"A.",
        "Петровна".as_bytes(),
        b"\xD0",
        b"\xD1\x91",
        b"\xFF\xFE",
        b"-",
        b"'",
        "ул. ".as_bytes(),
    ];
    let mut x: u64 = 7;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };
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
        matcher().find(&buf, a, b, &mut out);
        for h in &out {
            assert!(h.start >= a && h.start < b && h.end <= buf.len() && h.start < h.end);
        }
    }
}

/// The word-at-a-time skip must stop exactly where a byte-by-byte search
/// for a word-starting capital would.
#[test]
fn next_name_start_matches_the_byte_loop() {
    let mut rng = crate::eval::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut buf = Vec::new();
    for _ in 0..20_000 {
        let state = rng.next_u64();
        // Letters, Cyrillic pairs (capitals, `Ё`, `с`), spaces, edge bytes.
        let pick = (state >> 8) as usize;
        match state % 19 {
            0 => buf.push(b'A' + (pick % 26) as u8),
            1 => buf.extend_from_slice(&[0xD0, 0x90 + (pick % 32) as u8]),
            2 => buf.extend_from_slice(&[0xD0, 0x81]),
            3 => buf.extend_from_slice(&[0xD1, 0x81]),
            4 => buf.push([0xD0, 0x81, 0x90, 0xAF, b'-', b'.', b'@', b'Z'][pick % 8]),
            5 | 6 => buf.push(b' '),
            7..=10 => buf.extend_from_slice(&[0xD0, 0xB0 + (pick % 16) as u8]),
            _ => buf.push(b'a' + (pick % 26) as u8),
        }
    }
    let slow = |mut i: usize, to: usize| {
        while i < to {
            if is_upper_at(&buf, i) && word_start_ok(&buf, i) {
                return i;
            }
            i += 1;
        }
        to
    };
    for start in 0..buf.len() {
        for len in [0, 7, 8, 9, 17, 40] {
            let to = (start + len).min(buf.len());
            assert_eq!(
                next_name_start(&buf, start, to),
                slow(start, to),
                "at {start}..{to}"
            );
        }
    }
}

/// `cue_before` as it was before the cue-end filter: walk back over the
/// whole word, then look it up. The filtered one must agree everywhere.
fn cue_before_slow(m: &NameMatcher, buf: &[u8], start: usize) -> Option<Cue> {
    let mut e = start;
    let mut skipped = 0;
    let mut dot = false;
    while e > 0 && skipped < 6 {
        let c = buf[e - 1];
        if matches!(c, b' ' | b'\t' | b'"' | b'\'' | b',' | b':' | b'.' | b'(') {
            dot |= c == b'.';
            e -= 1;
            skipped += 1;
        } else if e >= 2 && buf[e - 2] == 0xC2 && matches!(c, 0xAB | 0xA0) {
            e -= 2;
            skipped += 1;
        } else {
            break;
        }
    }
    let mut s = e;
    while s > 0 && e - s < 40 {
        if letter_before(buf, s) {
            s -= if buf[s - 1].is_ascii() { 1 } else { 2 };
        } else if s >= 2 && matches!(buf[s - 1], b'-' | b'/') && letter_before(buf, s - 1) {
            s -= 1;
        } else {
            break;
        }
    }
    if s == e || e - s > 24 {
        return None;
    }
    let mut lower = Vec::new();
    lower_into(&buf[s..e], &mut lower);
    let cue = *m.cues.get(lower.as_slice())?;
    (dot || lower.len() > 2).then_some(cue)
}

/// Every cue word in every case, glued to neighbours or not, and random
/// mixes of cue pieces: the cue-end filter never drops a cue.
#[test]
fn cue_end_filter_is_exact() {
    let m = matcher();
    let mut words: Vec<String> = m
        .cues
        .keys()
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .collect();
    words.sort();
    let mut texts = Vec::new();
    for w in &words {
        let title: String = w
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    c.to_uppercase().next().unwrap()
                } else {
                    c
                }
            })
            .collect();
        let yo = w.replace('е', "ё");
        for v in [w.clone(), w.to_uppercase(), title, yo] {
            for pre in ["", " ", "x", "Я", "1", "-", "а-", "/"] {
                for sep in [" ", ". ", ": «", ", ", "\u{a0}", "", "(\""] {
                    texts.push(format!("{pre}{v}{sep}Иван"));
                }
            }
        }
    }
    let mut rng = crate::eval::rng::Rng::new(0x2545_F491_4F6C_DD1D);
    for _ in 0..20_000 {
        let mut t = String::new();
        for _ in 0..3 {
            let state = rng.next_u64();
            let w = &words[(state % words.len() as u64) as usize];
            let cut = (state >> 20) as usize % (w.chars().count() + 1);
            t.extend(w.chars().skip(cut));
            t.push([' ', '-', '/', '.', 'Ж'][(state >> 40) as usize % 5]);
        }
        t.push_str("Иван");
        texts.push(t);
    }
    let mut lower = Vec::new();
    let mut cued = 0;
    for t in &texts {
        let buf = t.as_bytes();
        let start = buf.len() - "Иван".len();
        let cue = m.cue_before(buf, start, &mut lower);
        assert_eq!(cue, cue_before_slow(m, buf, start), "{t:?}");
        cued += usize::from(cue.is_some());
    }
    // The texts do reach the cue words.
    assert!(cued > texts.len() / 10, "{cued} of {}", texts.len());
}

/// The byte-pair transliteration gives the char-by-char one's skeleton
/// for every dictionary word and for upper case, Latin and broken bytes
/// (which it must hand back).
#[test]
fn skeleton_cyr_fast_path_is_exact() {
    let mut words: Vec<Vec<u8>> = Vec::new();
    for text in [
        RU_FIRST_M,
        RU_FIRST_F,
        RU_SURNAMES,
        RU_PATRONYMICS,
        RU_COMMON,
    ] {
        for line in dict_lines(text) {
            words.extend(line.split([' ', '/']).map(|w| w.as_bytes().to_vec()));
        }
    }
    for w in [
        "Иванов",
        "ёлкин-палкин",
        "abc",
        "ж\u{301}",
        "-",
        "",
        "щщщщщщщщщщщщщщщщщщщщщщщщщ",
    ] {
        words.push(w.as_bytes().to_vec());
    }
    words.push(vec![0xD0]);
    words.push(vec![0xD1, 0x91, 0xD0]);
    words.push(vec![0xD0, 0xB0, 0xFF]);
    let (mut fast, mut slow) = (Vec::new(), Vec::new());
    for w in &words {
        skeleton_cyr(w, &mut fast);
        skeleton_cyr_chars(w, &mut slow);
        assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(w));
    }
}

/// A lone ALL-CAPS word of up to three letters is never a partial name,
/// even after a cue word (its readings score at most 1): `match_at`
/// returns before looking for the cue.
#[test]
fn short_caps_words_alone_are_no_names() {
    for text in ["Dear JOE, hello", "Mr LEE said", "Hi ANN"] {
        assert!(hits(text).is_empty(), "{text:?}: {:?}", found(text));
    }
}

/// A part keeps at most `MAX_READINGS` readings and drops any more
/// silently, so no word may have that many: every case form of every
/// listed first name, every listed surname with every case ending of the
/// surname rules (masculine and feminine), every patronymic form, in lower,
/// Title and UPPER case, and the Latin names, stay below it (the most
/// when written: 6, `камиле`).
#[test]
fn no_word_has_more_readings_than_a_part_holds() {
    let m = matcher();
    let words = |text: &'static str| {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split([' ', '/']))
            .filter(|w| !w.is_empty())
    };
    const SURNAME_ENDINGS: [&str; 14] = [
        "", "а", "у", "ым", "ом", "е", "ой", "ы", "ого", "ому", "ая", "ую", "ий", "их",
    ];
    let mut cyr: Vec<String> = Vec::new();
    cyr.extend(words(RU_FIRST_M).chain(words(RU_FIRST_F)).map(String::from));
    for s in words(RU_SURNAMES) {
        cyr.extend(SURNAME_ENDINGS.iter().map(|e| format!("{s}{e}")));
    }
    for p in words(RU_PATRONYMICS) {
        cyr.extend(["", "а", "у", "ем", "ой", "е", "ы"].map(|e| format!("{p}{e}")));
    }
    let title = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    let (mut lower, mut sk) = (Vec::new(), Vec::new());
    let mut most = (0, String::new());
    let mut read = |w: &str, script: Script, caps: bool| {
        let mut p = Part {
            start: 0,
            end: w.len(),
            script,
            caps,
            is_init: false,
            readings: Readings::new(),
        };
        m.analyse(w.as_bytes(), &mut p, &mut lower, &mut sk);
        if p.readings.n > most.0 {
            most = (p.readings.n, w.to_string());
        }
    };
    for w in &cyr {
        read(w, Script::Cyr, false);
        read(&title(w), Script::Cyr, false);
        read(&w.to_uppercase(), Script::Cyr, true);
    }
    for w in words(EN_FIRST).chain(words(EN_LAST)) {
        read(&title(w), Script::Lat, false);
    }
    assert!(most.0 < MAX_READINGS, "{most:?}");
    // The words read have several readings each: the bound is tested.
    assert!(most.0 >= 3, "{most:?}");
}
