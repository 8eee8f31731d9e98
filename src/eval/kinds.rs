//! Corpus files for the electronic-identifier and document kinds of issue
//! #10: a web/app log (cookies, URL-encoded e-mails and phones, device ids,
//! coordinates), a document-scan log (foreign passports and their MRZ,
//! driver licences, OMS policies, vehicle plates, birth places) and a CSV
//! of points with lat/lon columns, each with the hard negatives that trip
//! careless detectors: request-id UUIDs, hex hashes, MAC-like time codes,
//! multicast MACs, random 15-digit numbers, Luhn-valid 16-digit
//! transaction ids, BIKs and KPPs, SKUs shaped like plates, MRZ lines with
//! a wrong check digit, benign cookies, decimals that are not coordinates.
//!
//! Owns these value builders and file writers only; the file layout,
//! [`Doc`] bookkeeping and labels stay in [`super::corpus`], which calls
//! the writers through its `FileType`s. Check digits come from
//! `crate::validators`.

use std::fmt::Write as _;

use super::corpus::{Ctx, Doc, NegClass, Slot};
use super::rng::Rng;
use super::values as v;
use crate::finding::Kind;
use crate::validators::{luhn, mrz, oms};

// ------------------------------------------------------------------ values

/// 12-digit-hex MAC in colon, dash or dot form; unicast, not all-zero.
pub fn mac(rng: &mut Rng) -> String {
    let mut o = [0u8; 6];
    for b in &mut o {
        *b = rng.below(256) as u8;
    }
    o[0] &= 0xFE; // unicast
    o[1] |= 0x10; // never all-zero
    // A letter in the first octets is what real vendor prefixes look like.
    match rng.below(3) {
        0 => o
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        1 => o
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join("-"),
        _ => format!(
            "{:02x}{:02x}.{:02x}{:02x}.{:02x}{:02x}",
            o[0], o[1], o[2], o[3], o[4], o[5]
        ),
    }
}

/// `hh:mm:ss:ff:..`-style time code of six decimal pairs (looks like a MAC).
pub fn mac_like_timecode(rng: &mut Rng) -> String {
    (0..6)
        .map(|_| format!("{:02}", rng.below(60)))
        .collect::<Vec<_>>()
        .join(":")
}

/// A multicast MAC (names a group, not a device).
pub fn multicast_mac(rng: &mut Rng) -> String {
    let tail: Vec<String> = (0..3).map(|_| format!("{:02x}", rng.below(256))).collect();
    format!("01:00:5e:{}", tail.join(":"))
}

/// A Luhn-valid IMEI with a common reporting-body prefix, unbroken or
/// grouped `35-209900-176148-1`.
pub fn imei(rng: &mut Rng) -> String {
    let mut d = rng.pick(&[b"35", b"86", b"01", b"49"]).to_vec();
    rng.push_digits(&mut d, 12);
    d.push(luhn::luhn_check_digit(&d));
    let s = String::from_utf8(d).expect("digits");
    if rng.percent(25) {
        format!("{}-{}-{}-{}", &s[..2], &s[2..8], &s[8..14], &s[14..])
    } else {
        s
    }
}

/// 15 digits failing Luhn (a transaction id, not an IMEI).
pub fn random_15(rng: &mut Rng) -> String {
    let mut d = vec![b'1' + rng.below(9) as u8];
    rng.push_digits(&mut d, 13);
    let check = luhn::luhn_check_digit(&d);
    d.push(b'0' + (check - b'0' + 1 + rng.below(9) as u8) % 10);
    String::from_utf8(d).expect("digits")
}

/// An upper- or lower-case advertising id (GAID/IDFA).
pub fn adid(rng: &mut Rng) -> String {
    let u = v::uuid(rng);
    if rng.percent(40) {
        u.to_ascii_uppercase()
    } else {
        u
    }
}

/// Google Analytics / Yandex Metrica style client ids and session ids:
/// (cookie name, value).
pub fn id_cookie(rng: &mut Rng) -> (&'static str, String) {
    match rng.below(6) {
        0 => (
            "_ga",
            format!(
                "GA1.2.{}.{}",
                rng.range(100_000_000, 2_147_483_647),
                rng.range(1_700_000_000, 1_760_000_000)
            ),
        ),
        1 => (
            "_ym_uid",
            format!(
                "{}{}",
                rng.range(1_700_000_000, 1_760_000_000),
                rng.range(100_000_000, 999_999_999)
            ),
        ),
        2 => (
            "yandexuid",
            format!(
                "{}{}",
                rng.range(100_000_000, 999_999_999),
                rng.range(1_700_000_000, 1_760_000_000)
            ),
        ),
        3 => ("PHPSESSID", rng.hex(26)),
        4 => ("JSESSIONID", rng.hex(32).to_ascii_uppercase()),
        _ => (
            "_gid",
            format!(
                "GA1.2.{}.{}",
                rng.range(100_000_000, 999_999_999),
                rng.range(1_700_000_000, 1_760_000_000)
            ),
        ),
    }
}

/// A foreign passport number: series + number, in its usual spellings.
pub fn passport_foreign(rng: &mut Rng) -> String {
    let series = rng.range(65, 77);
    let number = rng.range(1_000_000, 9_999_999);
    match rng.below(3) {
        0 => format!("{series} {number}"),
        1 => format!("{series}{number}"),
        _ => format!("{series} № {number}"),
    }
}

const SURNAMES: [&str; 8] = [
    "IVANOV",
    "PETROVA",
    "SMIRNOV",
    "KUZNETSOVA",
    "POPOV",
    "SOKOLOVA",
    "LEBEDEV",
    "KOZLOVA",
];
const GIVEN: [&str; 8] = [
    "IVAN", "ANNA", "SERGEI", "OLGA", "DMITRII", "ELENA", "ALEKSEI", "MARIIA",
];

/// Pads an MRZ field with `<` to `n` characters (or cuts it).
fn pad(s: &str, n: usize) -> String {
    let mut t: String = s.chars().take(n).collect();
    while t.len() < n {
        t.push('<');
    }
    t
}

/// The two TD3 MRZ lines of a synthetic Russian foreign passport; with
/// `break_check` the document-number check digit is wrong.
pub fn mrz_lines(rng: &mut Rng, break_check: bool) -> (String, String) {
    let sur = *rng.pick(&SURNAMES);
    let giv = *rng.pick(&GIVEN);
    let line1 = pad(&format!("P<RUS{sur}<<{giv}"), 44);
    let number = format!("{}{}", rng.range(65, 77), rng.range(1_000_000, 9_999_999));
    let dob = format!(
        "{:02}{:02}{:02}",
        rng.range(50, 99),
        rng.range(1, 12),
        rng.range(1, 28)
    );
    let exp = format!(
        "{:02}{:02}{:02}",
        rng.range(26, 35),
        rng.range(1, 12),
        rng.range(1, 28)
    );
    let sex = if giv.ends_with('A') { 'F' } else { 'M' };
    let cd = |f: &str| mrz::check_digit(f.as_bytes()).unwrap_or(b'0') as char;
    let mut ncheck = cd(&number);
    if break_check {
        ncheck = char::from(b'0' + ((ncheck as u8 - b'0' + 1) % 10));
    }
    let optional = "<".repeat(14);
    let mut line2 = format!(
        "{number}{ncheck}RUS{dob}{}{sex}{exp}{}{optional}{}",
        cd(&dob),
        cd(&exp),
        cd(&optional)
    );
    let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
    let c = cd(&composite);
    line2.push(c);
    (line1, line2)
}

/// A 16-digit OMS policy number (ENP) with a valid check digit.
pub fn oms_number(rng: &mut Rng) -> String {
    let mut d = format!("{:02}", rng.range(1, 99)).into_bytes();
    rng.push_digits(&mut d, 13);
    d.push(oms::oms_check_digit(&d));
    let s = String::from_utf8(d).expect("digits");
    if rng.percent(20) {
        format!("{} {} {} {}", &s[..4], &s[4..8], &s[8..12], &s[12..])
    } else {
        s
    }
}

/// A 16-digit Luhn-valid number that is not a card (no card IIN): a
/// transaction id, exactly what an OMS check digit also accepts.
pub fn luhn_16_noncard(rng: &mut Rng) -> String {
    let mut d = vec![b'7', b'0' + rng.below(10) as u8];
    rng.push_digits(&mut d, 13);
    d.push(luhn::luhn_check_digit(&d));
    debug_assert!(oms::oms_valid(&d));
    String::from_utf8(d).expect("digits")
}

/// The 12 plate letters, Cyrillic and their Latin look-alikes.
const PLATE_CYR: [&str; 12] = ["А", "В", "Е", "К", "М", "Н", "О", "Р", "С", "Т", "У", "Х"];
const PLATE_LAT: [&str; 12] = ["A", "B", "E", "K", "M", "H", "O", "P", "C", "T", "Y", "X"];
const REGIONS: [&str; 12] = [
    "77", "97", "99", "177", "199", "777", "50", "150", "750", "78", "178", "64",
];

/// A plate; `latin` writes it with Latin look-alikes.
pub fn plate(rng: &mut Rng, latin: bool) -> String {
    let set = if latin { &PLATE_LAT } else { &PLATE_CYR };
    let l = |rng: &mut Rng| *rng.pick(set);
    let (a, b, c) = (l(rng), l(rng), l(rng));
    let n = rng.range(1, 999);
    let r = *rng.pick(&REGIONS);
    if !latin && rng.percent(20) {
        format!("{a} {n:03} {b}{c} {r}")
    } else {
        format!("{a}{n:03}{b}{c}{r}")
    }
}

/// A plate-shaped article number with a letter that is not on plates.
pub fn plate_like_sku(rng: &mut Rng) -> String {
    let first = *rng.pick(&["Б", "Д", "Ж", "Л", "Ф"]);
    format!(
        "{first}{:03}{}{}{}",
        rng.range(1, 999),
        rng.pick(&PLATE_CYR),
        rng.pick(&PLATE_CYR),
        rng.pick(&REGIONS)
    )
}

/// A driver licence number: digits only or region + two letters.
pub fn driver_licence(rng: &mut Rng) -> String {
    let region = rng.range(10, 99);
    let n = rng.range(100_000, 999_999);
    match rng.below(3) {
        0 => format!("{region} {:02} {n}", rng.range(10, 99)),
        1 => format!("{region}{:02} {n}", rng.range(10, 99)),
        _ => format!(
            "{region} {}{} {n}",
            rng.pick(&PLATE_CYR),
            rng.pick(&PLATE_CYR)
        ),
    }
}

const PLACES: [&str; 12] = [
    "г. Москва",
    "г. Саратов, Саратовская обл.",
    "гор. Тула",
    "с. Ивановка Тверской области",
    "г. Казань, Республика Татарстан",
    "пос. Мирный",
    "г. Санкт-Петербург",
    "дер. Берёзовка Вологодской обл.",
    "г. Новосибирск",
    "Leeds, United Kingdom",
    "г. Екатеринбург",
    "ст-ца Каневская Краснодарского края",
];

/// A coordinate with 4..6 decimal places in a range.
fn coord(rng: &mut Rng, lo: i64, hi: i64) -> String {
    let places = rng.range(4, 6) as usize;
    let int = rng.range(0, (hi - lo) as u64) as i64 + lo;
    let frac = rng.below(10u64.pow(places as u32));
    let sign = if int < 0 { "-" } else { "" };
    format!("{sign}{}.{frac:0places$}", int.abs())
}

/// (latitude, longitude) somewhere in Russia or abroad.
pub fn lat_lon(rng: &mut Rng) -> (String, String) {
    if rng.percent(80) {
        (coord(rng, 43, 69), coord(rng, 30, 170))
    } else {
        (coord(rng, -40, 60), coord(rng, -120, 150))
    }
}

// ------------------------------------------------------------------ writers

/// `fmt::Write` into a Doc as plain text.
struct W<'a>(&'a mut Doc);

impl std::fmt::Write for W<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.text(s);
        Ok(())
    }
}

/// `2025-03-14T10:02:11+03:00 ` prefix of a web/app log line.
fn ts(ctx: &mut Ctx, doc: &mut Doc) {
    ctx.tick(5);
    let t = ctx.iso_ts();
    doc.neg(NegClass::Timestamp, &t);
    doc.text(" ");
}

/// One block of web and mobile-app log lines.
pub fn web_log_block(ctx: &mut Ctx, doc: &mut Doc) {
    ctx.new_record();
    ts(ctx, doc);
    // About half the lines carry no personal data, as in real logs.
    if ctx.rng.percent(55) {
        web_filler(ctx, doc);
        doc.text("\n");
        return;
    }
    match ctx.rng.below(12) {
        0 | 1 => {
            doc.text("access GET /subscribe?email=");
            let e = v::email(&mut ctx.rng).replacen('@', "%40", 1);
            doc.pii(Kind::Email, &e);
            doc.text("&lang=ru status=200 req_id=");
            ctx.slot(doc, Slot::Hex32);
        }
        2 => {
            doc.text("access GET /lead?phone=");
            let p = format!("%2B7900{:07}", ctx.rng.below(10_000_000));
            doc.pii(Kind::Phone, &p);
            doc.text("&utm_source=ya&page=2+3 status=302 rt=0.0");
            ctx.slot(doc, Slot::Ms);
        }
        3 => {
            doc.text("debug upstream request headers: Cookie: lang=ru; ");
            let (name, value) = id_cookie(&mut ctx.rng);
            let _ = write!(W(doc), "{name}=");
            doc.pii(Kind::Cookie, &value);
            doc.text("; theme=dark; _ym_isad=2; ");
            let (name, value) = id_cookie(&mut ctx.rng);
            let _ = write!(W(doc), "{name}=");
            doc.pii(Kind::Cookie, &value);
        }
        4 => {
            doc.text("debug upstream response headers: Set-Cookie: ");
            let (name, value) = id_cookie(&mut ctx.rng);
            let _ = write!(W(doc), "{name}=");
            doc.pii(Kind::Cookie, &value);
            doc.text("; Path=/; HttpOnly; Max-Age=31536000");
        }
        5 => {
            doc.text("debug upstream response headers: Set-Cookie: csrftoken=");
            let t = ctx.rng.hex(24);
            doc.neg(NegClass::BenignCookie, &t);
            doc.text("; Path=/; SameSite=Lax");
        }
        6 => {
            doc.text("sdk event app_open gaid=");
            let a = adid(&mut ctx.rng);
            doc.pii(Kind::DeviceId, &a);
            doc.text(" request_id=");
            ctx.slot(doc, Slot::Uuid);
        }
        7 => {
            doc.text("sdk event {\"idfa\":\"");
            let a = adid(&mut ctx.rng);
            doc.pii(Kind::DeviceId, &a);
            doc.text("\",\"trace\":\"");
            ctx.slot(doc, Slot::Uuid);
            doc.text("\",\"session\":\"");
            ctx.slot(doc, Slot::Hex16);
            doc.text("\"}");
        }
        8 => {
            doc.text("dhcp lease mac=");
            let m = mac(&mut ctx.rng);
            doc.pii(Kind::DeviceId, &m);
            doc.text(" rtp clock ");
            let t = mac_like_timecode(&mut ctx.rng);
            doc.neg(NegClass::MacLike, &t);
            doc.text(" mdns group ");
            let g = multicast_mac(&mut ctx.rng);
            doc.neg(NegClass::MacLike, &g);
        }
        9 => {
            doc.text("softphone registered, handset IMEI ");
            let i = imei(&mut ctx.rng);
            doc.pii(Kind::DeviceId, &i);
            doc.text(", build ");
            ctx.slot(doc, Slot::Version);
            doc.text(", txn ");
            let r = random_15(&mut ctx.rng);
            doc.neg(NegClass::Random15, &r);
        }
        10 => {
            doc.text("courier app location: ");
            let (la, lo) = lat_lon(&mut ctx.rng);
            doc.pii(Kind::Geo, &format!("{la}, {lo}"));
            doc.text(" latency ");
            let l = format!("{}.{:04}", ctx.rng.range(1, 90), ctx.rng.below(10_000));
            doc.neg(NegClass::NonGeoDecimal, &l);
            doc.text(" ms");
        }
        _ => {
            doc.text("gps fix lat=");
            let (la, lo) = lat_lon(&mut ctx.rng);
            doc.pii(Kind::Geo, &la);
            doc.text("&lon=");
            doc.pii(Kind::Geo, &lo);
            doc.text(" cache key ");
            ctx.slot(doc, Slot::Hex32);
        }
    }
    doc.text("\n");
}

/// A web/app log line without personal data, with hard negatives.
fn web_filler(ctx: &mut Ctx, doc: &mut Doc) {
    match ctx.rng.below(4) {
        0 => {
            doc.text("access GET /static/app.");
            ctx.slot(doc, Slot::Hex16);
            doc.text(".js status=200 bytes=");
            ctx.slot(doc, Slot::Bytes);
            doc.text(" request_id=");
            ctx.slot(doc, Slot::Uuid);
        }
        1 => {
            doc.text("healthcheck ok, version ");
            ctx.slot(doc, Slot::Version);
            doc.text(", uptime ");
            ctx.slot(doc, Slot::Duration);
        }
        2 => {
            doc.text("sdk event screen_view trace_id=");
            ctx.slot(doc, Slot::Uuid);
            doc.text(" duration_ms=");
            ctx.slot(doc, Slot::Ms);
        }
        _ => {
            doc.text("cache miss key=");
            ctx.slot(doc, Slot::Sha1);
            doc.text(" ttl=");
            ctx.slot(doc, Slot::N);
        }
    }
}

/// One record of a document-scan (OCR/KYC) log.
pub fn doc_scan_block(ctx: &mut Ctx, doc: &mut Doc) {
    ctx.new_record();
    ctx.tick(60);
    let n = ctx.rng.range(1, 99_999);
    let _ = write!(W(doc), "[scan {n:05}] ");
    if ctx.rng.percent(50) {
        doc.text("страница ");
        ctx.slot(doc, Slot::N);
        doc.text(" обработана, качество распознавания 0.9");
        ctx.slot(doc, Slot::N);
        doc.text(", версия движка ");
        ctx.slot(doc, Slot::Version);
        doc.text(", задание ");
        ctx.slot(doc, Slot::Uuid);
        doc.text("\n");
        return;
    }
    match ctx.rng.below(13) {
        0 => {
            doc.text("тип документа: загранпаспорт, номер ");
            let p = passport_foreign(&mut ctx.rng);
            doc.pii(Kind::PassportForeignRu, &p);
            doc.text(", выдан МВД, код подразделения 770-001");
        }
        1 | 2 => {
            doc.text("MRZ:\n");
            let (l1, l2) = mrz_lines(&mut ctx.rng, false);
            doc.pii(Kind::PassportForeignRu, &format!("{l1}\n{l2}"));
        }
        3 => {
            doc.text("водительское удостоверение ");
            let d = driver_licence(&mut ctx.rng);
            doc.pii(Kind::DriverLicenseRu, &d);
            doc.text(", категории B, C");
        }
        4 => {
            doc.text("в/у ");
            let d = driver_licence(&mut ctx.rng);
            doc.pii(Kind::DriverLicenseRu, &d);
            doc.text(", стаж с 2005 г.");
        }
        5 => {
            doc.text("Место рождения: ");
            let p = *ctx.rng.pick(&PLACES);
            doc.pii(Kind::BirthPlace, p);
            doc.text("\n[scan] дата выдачи ");
            ctx.slot(doc, Slot::PastDate);
        }
        6 => {
            doc.text("полис ОМС ");
            let o = oms_number(&mut ctx.rng);
            doc.pii(Kind::Oms, &o);
            doc.text(", оплата картой ");
            ctx.slot(doc, Slot::Card);
        }
        7 => {
            doc.text("а/м Kia Rio госномер ");
            let latin = ctx.rng.percent(30);
            let p = plate(&mut ctx.rng, latin);
            doc.pii(Kind::VehiclePlateRu, &p);
            doc.text(", собственник по договору");
        }
        8 => {
            doc.text("камера въезда: plate ");
            let p = plate(&mut ctx.rng, true);
            doc.pii(Kind::VehiclePlateRu, &p);
            doc.text(" распознан, артикул пропуска ");
            let s = plate_like_sku(&mut ctx.rng);
            doc.neg(NegClass::PlateLike, &s);
        }
        9 => {
            // A bare Cyrillic plate: reported at low confidence by design.
            doc.text("парковка, место 14: ");
            let p = plate(&mut ctx.rng, false);
            doc.pii(Kind::VehiclePlateRu, &p);
        }
        10 => {
            doc.text("скан повреждён: ");
            let (_, l2) = mrz_lines(&mut ctx.rng, true);
            doc.neg(NegClass::MrzFail, &l2);
        }
        11 => {
            doc.text("реквизиты: БИК ");
            ctx.slot(doc, Slot::Bik);
            doc.text(", КПП ");
            ctx.slot(doc, Slot::Kpp);
            doc.text(", заказ ");
            let o = ctx.rng.range(100_000_000, 999_999_999).to_string();
            doc.neg(NegClass::OrderId, &o);
        }
        _ => {
            doc.text("транзакция ");
            let t = luhn_16_noncard(&mut ctx.rng);
            doc.neg(NegClass::LuhnValidId16, &t);
            doc.text(" проведена, версия ");
            ctx.slot(doc, Slot::Version);
        }
    }
    doc.text("\n");
}

/// The header of the points CSV.
pub fn geo_csv_header(doc: &mut Doc) {
    doc.text("id,point,lat,lon,rate,updated_at,comment\n");
}

/// One row of the points CSV: lat and lon cells are labelled; the rate
/// is a decimal that is not a coordinate.
pub fn geo_csv_row(ctx: &mut Ctx, doc: &mut Doc) {
    ctx.new_record();
    ctx.tick(600);
    let id = ctx.rng.range(1, 999_999);
    let _ = write!(W(doc), "{id},");
    doc.text(
        ctx.rng
            .pick_str(&["Офис", "Склад", "Пункт выдачи", "Клиент", "Курьер"]),
    );
    doc.text(",");
    let (la, lo) = lat_lon(&mut ctx.rng);
    doc.pii(Kind::Geo, &la);
    doc.text(",");
    doc.pii(Kind::Geo, &lo);
    doc.text(",");
    let r = format!("0.{:05}", ctx.rng.below(100_000));
    doc.neg(NegClass::NonGeoDecimal, &r);
    doc.text(",");
    ctx.slot(doc, Slot::DateIso);
    doc.text(",");
    doc.text(ctx.rng.pick_str(&[
        "заезд с торца, домофон не работает",
        "оставить у двери",
        "погрузка только до 18:00, пропуск на проходной",
        "постоянный клиент, звонить заранее",
        "",
    ]));
    doc.text("\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_pass_their_validators() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let (l1, l2) = mrz_lines(&mut rng, false);
            assert!(mrz::td3_line1_plausible(l1.as_bytes()), "{l1}");
            assert!(mrz::td3_line2_valid(l2.as_bytes()), "{l2}");
            let (_, bad) = mrz_lines(&mut rng, true);
            assert!(!mrz::td3_line2_valid(bad.as_bytes()), "{bad}");
            let i: Vec<u8> = imei(&mut rng).bytes().filter(u8::is_ascii_digit).collect();
            assert!(luhn::luhn_valid(&i) && i.len() == 15);
            let r = random_15(&mut rng);
            assert!(!luhn::luhn_valid(r.as_bytes()) && r.len() == 15, "{r}");
            let o: Vec<u8> = oms_number(&mut rng)
                .bytes()
                .filter(u8::is_ascii_digit)
                .collect();
            assert!(oms::oms_valid(&o));
            let m = mac(&mut rng);
            assert!(m.len() == 17 || m.len() == 14, "{m}");
        }
    }
}
