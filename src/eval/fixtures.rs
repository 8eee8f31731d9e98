//! The small, human-readable fixtures in `fixtures/`: what they contain
//! and how they are regenerated (`cargo run --example make_fixtures`).
//!
//! Owns the fixture texts, hand-written line by line so each file reads
//! like the real thing and covers every labelled kind and every class of
//! hard negative at least once, and `EXPECTED.md`, the list of what each
//! file plants. Checksummed values (cards, SNILS, INN, OGRN, accounts,
//! IBANs and the checksum-failing negatives) come from the corpus value
//! builders with a fixed seed, so they are valid by the crate's own
//! validators; phones, e-mails, IPs and dates are written by hand from
//! reserved ranges.
//!
//! Tests can take the exact expected spans from [`render`] instead of
//! parsing `EXPECTED.md`.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::Label;
use super::corpus::{Ctx, Doc, NegClass, Slot};
use super::rng::Rng;
use super::values as v;
use crate::finding::Kind;
use Kind::*;
use NegClass as N;

/// One fixture file.
pub struct Fixture {
    pub name: &'static str,
    /// One line for EXPECTED.md saying what the file is.
    pub about: &'static str,
    pub doc: Doc,
}

impl Fixture {
    /// Labels of the planted values (all kinds, named or not yet labelled
    /// in the corpus), path = file name.
    pub fn labels(&self) -> Vec<Label> {
        self.doc
            .pii
            .iter()
            .map(|p| Label {
                path: self.name.to_owned(),
                kind: p.what,
                start: p.start as u64,
                end: p.end as u64,
            })
            .collect()
    }
}

/// A fixture being written: text, PII and negatives in order.
struct Fx {
    ctx: Ctx,
    doc: Doc,
}

impl Fx {
    fn new(name: &str) -> Fx {
        Fx {
            ctx: Ctx::new(Rng::derive(152, name)),
            doc: Doc::default(),
        }
    }
    fn t(&mut self, s: &str) -> &mut Fx {
        self.doc.text(s);
        self
    }
    fn pii(&mut self, k: Kind, s: &str) -> &mut Fx {
        self.doc.pii(k, s);
        self
    }
    fn neg(&mut self, c: NegClass, s: &str) -> &mut Fx {
        self.doc.neg(c, s);
        self
    }
    fn slot(&mut self, s: Slot) -> &mut Fx {
        self.ctx.slot(&mut self.doc, s);
        self
    }
    /// A value from a builder, as PII.
    fn val(&mut self, k: Kind, f: impl FnOnce(&mut Rng) -> String) -> &mut Fx {
        let s = f(&mut self.ctx.rng);
        self.pii(k, &s)
    }
    /// A value from a builder, as a negative.
    fn val_neg(&mut self, c: NegClass, f: impl FnOnce(&mut Rng) -> String) -> &mut Fx {
        let s = f(&mut self.ctx.rng);
        self.neg(c, &s)
    }
    /// A bank account and its BIK, in requisites order (р/с first).
    fn account_with_bik(&mut self) -> &mut Fx {
        let bik = v::bik(&mut self.ctx.rng);
        let acct =
            String::from_utf8(v::bank_account_digits(&mut self.ctx.rng, &bik)).expect("digits");
        self.t("р/с ")
            .pii(BankAccount, &acct)
            .t(", БИК ")
            .neg(N::Bik, &bik)
    }
    fn done(self, name: &'static str, about: &'static str) -> Fixture {
        Fixture {
            name,
            about,
            doc: self.doc,
        }
    }
}

fn digits(d: Vec<u8>) -> String {
    String::from_utf8(d).expect("digits")
}

fn chat_ru() -> Fixture {
    let mut f = Fx::new("chat_ru.txt");
    f.t("=== Обращение ")
        .neg(N::TicketNo, "T-204813")
        .t(" · ")
        .neg(N::NonBirthDate, "14.03.2025");
    f.t(" · канал: чат на сайте ===\n");
    f.t("[10:02:11] Оператор ")
        .pii(Person, "Анна")
        .t(": Здравствуйте! Чем могу помочь?\n");
    f.t("[10:02:40] Клиент: Добрый день, заказ № ")
        .neg(N::OrderId, "482913");
    f.t(" до сих пор не доставлен, обещали ")
        .neg(N::NonBirthDate, "12.03.2025")
        .t(".\n");
    f.t("[10:03:05] Оператор ")
        .pii(Person, "Анна")
        .t(": Уточните, пожалуйста, телефон и почту, указанные при оформлении.\n");
    f.t("[10:03:40] Клиент: Телефон ")
        .pii(Phone, "+7 (900) 012-34-56")
        .t(", почта ");
    f.pii(Email, "ivan.petrov@example.ru")
        .t(". Запасной: ")
        .pii(Phone, "8 (900) 012-34-57")
        .t(".\n");
    f.t("[10:04:02] Клиент: Ещё можно на работу: ")
        .pii(Phone, "+7 (495) 555-01-23")
        .t(" доб. 123, или ");
    f.pii(Phone, "8 (8452) 55-12-34").t(" (Саратов).\n");
    f.t("[10:04:30] Оператор ")
        .pii(Person, "Анна")
        .t(": Спасибо. Заказ передан в доставку ")
        .neg(N::NonBirthDate, "15.03.2025");
    f.t(", трек-номер ")
        .neg(N::TrackingNo, "80085412345678")
        .t(". Сумма ");
    f.neg(N::Price, "1 299,00 ₽")
        .t(", доставка ")
        .neg(N::Price, "350 ₽")
        .t(".\n");
    f.t("[10:05:10] Оператор ")
        .pii(Person, "Анна")
        .t(": Наша горячая линия: ")
        .pii(Phone, "8 800 555-35-35")
        .t(", звонок бесплатный.\n\n");

    f.t("=== Обращение ")
        .neg(N::TicketNo, "T-204877")
        .t(" · ")
        .neg(N::NonBirthDate, "14.03.2025");
    f.t(" · канал: Telegram ===\n");
    f.t("[11:20:01] Клиент: Здравствуйте, это ")
        .pii(Person, "Петров Иван Иванович")
        .t(". Хочу оформить налоговый вычет.\n");
    f.t("[11:20:30] Оператор ")
        .pii(Person, "Мария")
        .t(": Назовите, пожалуйста, СНИЛС и ИНН.\n");
    f.t("[11:21:15] Клиент: СНИЛС ")
        .val(Snils, v::snils)
        .t(", ИНН ")
        .val(Inn, v::inn12)
        .t(".\n");
    f.t("[11:21:40] Клиент: Старый СНИЛС без дефисов: ")
        .val(Snils, v::snils_bare)
        .t(".\n");
    f.t("[11:22:05] Клиент: паспорт ")
        .pii(PassportRu, "45 08 123456")
        .t(", выдан ОВД района Хорошёво-Мнёвники ");
    f.neg(N::NonBirthDate, "12.03.2015")
        .t(", код подразделения 770-001.\n");
    f.t("[11:22:30] Клиент: У жены серия ")
        .pii(PassportRu, "4510 № 654321")
        .t(", дата рождения ");
    f.pii(BirthDate, "05.03.1984").t(".\n");
    f.t("[11:23:00] Клиент: Сам я родился ")
        .pii(BirthDate, "5 марта 1984")
        .t(" г., д.р. в анкете ");
    f.pii(BirthDate, "1984-03-05").t(".\n");
    f.t("[11:23:20] Клиент: Почта жены ")
        .pii(Email, "мария@пример.испытание")
        .t(", моя запасная ");
    f.pii(Email, "иван@почта.test").t(".\n");
    f.t("[11:23:50] Клиент: тел.: ")
        .pii(Phone, "8(900)012-34-58")
        .t(", мобильный ")
        .pii(Phone, "89000123459");
    f.t(", домашний ")
        .pii(Phone, "79000123460")
        .t(", тел. без восьмёрки ")
        .pii(Phone, "9000123461")
        .t(".\n");
    f.t("[11:24:10] Клиент: Номер договора ")
        .val_neg(N::SnilsFail11, v::snils_fail_11);
    f.t(", номер заявки ")
        .val_neg(N::InnFail10, v::inn_fail_10)
        .t(", накладная ");
    f.val_neg(N::InnFail12, v::inn_fail_12).t(".\n");
    f.t("[11:24:40] Оператор ")
        .pii(Person, "Мария")
        .t(": Спасибо, данные сверила. Обращение ")
        .neg(N::TicketNo, "T-204877");
    f.t(" закрыто.\n\n");

    f.t("=== Обращение ")
        .neg(N::TicketNo, "T-204901")
        .t(" · ")
        .neg(N::NonBirthDate, "15.03.2025");
    f.t(" · канал: мобильное приложение ===\n");
    f.t("[09:15:00] Клиент: Оплатил картой ").val(Card, |r| {
        let d = digits(v::card_digits(r));
        format!("{} {} {} {}", &d[0..4], &d[4..8], &d[8..12], &d[12..16])
    });
    f.t(", а деньги списались дважды.\n");
    f.t("[09:15:30] Клиент: Номер транзакции ")
        .val_neg(N::LuhnFail16, v::luhn_fail_16)
        .t(", счёт № ");
    f.neg(N::InvoiceNo, "СЧ-000481")
        .t(" от ")
        .neg(N::NonBirthDate, "01.03.2025")
        .t(".\n");
    f.t("[09:16:10] Оператор ")
        .pii(Person, "Елена")
        .t(": Версия приложения ")
        .neg(N::Version, "4.18.2");
    f.t(" с ошибкой, обновитесь до ")
        .neg(N::Version, "4.18.3")
        .t(". Ошибка ");
    f.slot(Slot::Uuid).t(" уже исправлена.\n");
    f.t("[09:17:00] Клиент: Я ИП, реквизиты: ОГРНИП ")
        .val(Ogrn, v::ogrnip)
        .t(", ИНН ")
        .val(Inn, v::inn12);
    f.t(", ").account_with_bik().t(".\n");
    f.t("[09:17:30] Клиент: А это реквизиты работодателя: ООО «Ромашка», ИНН")
        .val(Inn, v::inn10);
    f.t(", КПП ")
        .val_neg(N::Kpp, v::kpp)
        .t(", ОГРН ")
        .val(Ogrn, v::ogrn13)
        .t(".\n");
    f.t("[09:18:00] Клиент: Платил ещё переводом по IBAN ")
        .val(Iban, |r| v::iban_compact(r, *b"RU"));
    f.t(".\n");
    f.t("[09:18:40] Клиент: Адрес доставки: ")
        .pii(Address, "410012, г. Саратов, ул. Ленина, д. 5, кв. 12");
    f.t(".\n");
    f.t("[09:19:10] Оператор ")
        .pii(Person, "Елена")
        .t(": Возврат ")
        .neg(N::Price, "12 490 руб.");
    f.t(" оформлен, средства поступят в течение 3–5 рабочих дней, ожидание ответа ");
    f.neg(N::Duration, "00:03:12").t(".\n");
    f.done(
        "chat_ru.txt",
        "Russian support chat: three dialogues, every Russian identifier in context",
    )
}

fn nginx() -> Fixture {
    let mut f = Fx::new("nginx.log");
    let chrome =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/";
    /// Client, time and request line; `req` writes the method and URL.
    fn line(
        f: &mut Fx,
        ip: (Kind, &str),
        ts: &str,
        req: &mut dyn FnMut(&mut Fx),
        st: &str,
        sz: &str,
    ) {
        f.pii(ip.0, ip.1)
            .t(" - - [")
            .neg(N::Timestamp, ts)
            .t("] \"");
        req(f);
        f.t(" HTTP/1.1\" ")
            .neg(N::HttpStatus, st)
            .t(" ")
            .neg(N::HttpSize, sz);
    }
    line(
        &mut f,
        (Ipv4, "192.0.2.10"),
        "14/Mar/2025:10:02:11 +0300",
        &mut |f| {
            f.t("GET /api/v1/orders/").neg(N::OrderId, "482913");
        },
        "200",
        "5123",
    );
    f.t(" \"https://shop.example.com/cart\" \"")
        .t(chrome)
        .neg(N::Version, "120.0.6099.109");
    f.t(" Safari/537.36\" rt=")
        .neg(N::Duration, "0.123")
        .t(" req_id=")
        .slot(Slot::Hex32)
        .t("\n");
    line(
        &mut f,
        (Ipv4, "198.51.100.23"),
        "14/Mar/2025:10:02:12 +0300",
        &mut |f| {
            f.t("GET /api/v1/users?email=")
                .pii(Email, "john.smith@example.com")
                .t("&page=2");
        },
        "200",
        "731",
    );
    f.t(" \"-\" \"ShopApp/")
        .neg(N::Version, "5.3.2")
        .t(" (Windows ")
        .neg(N::Version, "10.0.19045.2965");
    f.t("; x64)\" rt=").neg(N::Duration, "0.045").t("\n");
    line(
        &mut f,
        (Ipv6, "2001:db8::1"),
        "14/Mar/2025:10:02:13 +0300",
        &mut |f| {
            f.t("POST /api/v1/auth/otp?phone=")
                .pii(Phone, "79000123462");
        },
        "204",
        "0",
    );
    f.t(" \"-\" \"okhttp/")
        .neg(N::Version, "4.12.0")
        .t("\" rt=")
        .neg(N::Duration, "0.310")
        .t("\n");
    line(
        &mut f,
        (Ipv6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        "14/Mar/2025:10:02:15 +0300",
        &mut |f| {
            f.t("GET /callback?ts=")
                .neg(N::EpochMillis, "1741935735123")
                .t("&sig=")
                .slot(Slot::Hex32);
        },
        "302",
        "154",
    );
    f.t(" \"-\" \"curl/")
        .neg(N::Version, "8.4.0")
        .t("\" rt=")
        .neg(N::Duration, "0.002")
        .t("\n");
    line(
        &mut f,
        (Ipv6, "::ffff:192.0.2.128"),
        "14/Mar/2025:10:02:16 +0300",
        &mut |f| {
            f.t("GET /api/v1/sessions/").slot(Slot::Uuid);
        },
        "404",
        "162",
    );
    f.t(" \"https://shop.example.com/\" \"")
        .t(chrome)
        .neg(N::Version, "121.0.6167.85");
    f.t(" Safari/537.36\" rt=")
        .neg(N::Duration, "0.004")
        .t("\n");
    line(
        &mut f,
        (Ipv4, "203.0.113.77"),
        "14/Mar/2025:10:02:18 +0300",
        &mut |f| {
            f.t("GET /static/js/app.").slot(Slot::Hex16).t(".js");
        },
        "304",
        "0",
    );
    f.t(" \"https://shop.example.com/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/");
    f.neg(N::Version, "121.0")
        .t("\" rt=")
        .neg(N::Duration, "0.000")
        .t(" xff=\"")
        .pii(Ipv4, "10.12.0.7");
    f.t(", ").pii(Ipv4, "172.16.5.4").t("\"\n");
    line(
        &mut f,
        (Ipv6, "2001:db8:4e8:6d8d::4cf"),
        "14/Mar/2025:10:02:20 +0300",
        &mut |f| {
            f.t("GET /track/").neg(N::TrackingNo, "RA123456785RU");
        },
        "500",
        "87",
    );
    f.t(" \"-\" \"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)\" rt=");
    f.neg(N::Duration, "1.502").t("\n");
    line(
        &mut f,
        (Ipv4, "100.64.12.34"),
        "14/Mar/2025:10:02:21 +0300",
        &mut |f| {
            f.t("GET /api/v1/invoices/")
                .neg(N::InvoiceNo, "INV-2025/00123");
        },
        "200",
        "2210",
    );
    f.t(" \"https://shop.example.com/orders/")
        .neg(N::OrderId, "ORD-2025-004821")
        .t("\" \"")
        .t(chrome);
    f.neg(N::Version, "120.0.6099.109")
        .t(" Safari/537.36\" rt=")
        .neg(N::Duration, "0.087")
        .t("\n");
    f.done(
        "nginx.log",
        "nginx access log (combined format + timings): IPv4/IPv6 clients, PII in query strings",
    )
}

fn app_log() -> Fixture {
    let mut f = Fx::new("app.log");
    /// Timestamp, level, request id and service of one line.
    fn pre(f: &mut Fx, ts: &str, level: &str, svc: &str) {
        f.neg(N::Timestamp, ts)
            .t(&format!(" {level:<5} [req-"))
            .slot(Slot::Hex16)
            .t(&format!("] {svc}: "));
    }
    pre(&mut f, "2025-03-14T10:02:11.123Z", "INFO", "order-service");
    f.t("order ")
        .neg(N::OrderId, "ORD-2025-004821")
        .t(" created user_id=1029384 amount=");
    f.neg(N::Price, "1299.00")
        .t(" currency=RUB took=")
        .neg(N::Duration, "23ms")
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:11.456+03:00", "WARN", "auth");
    f.t("login failed for ")
        .pii(Email, "a.smirnova@example.org")
        .t(" from ")
        .pii(Ipv4, "203.0.113.45");
    f.t(" attempts=3 session=").slot(Slot::Uuid).t("\n");
    pre(&mut f, "2025-03-14T10:02:12.001Z", "INFO", "notifier");
    f.t("otp sms sent to ")
        .pii(Phone, "+79000123463")
        .t(" template=otp_v2 status=")
        .neg(N::HttpStatus, "200");
    f.t(" latency_ms=87\n");
    pre(&mut f, "2025-03-14T10:02:12.310Z", "ERROR", "payments");
    f.t("payment declined pan=").val(Card, |r| {
        let d = digits(v::card_digits(r));
        format!("{}-{}-{}-{}", &d[0..4], &d[4..8], &d[8..12], &d[12..16])
    });
    f.t(" rrn=")
        .val_neg(N::LuhnFail16, v::luhn_fail_16)
        .t(" code=05\n");
    pre(&mut f, "2025-03-14T10:02:12.500Z", "INFO", "payments");
    f.t("payment captured card=")
        .val(Card, |r| digits(v::card_digits(r)))
        .t(" amount=");
    f.neg(N::Price, "$1,299.99")
        .t(" id=")
        .slot(Slot::Uuid)
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:13.000Z", "INFO", "deploy");
    f.t("deploy finished version=")
        .neg(N::Version, "1.2.3")
        .t(" commit=")
        .slot(Slot::Sha1);
    f.t(" build_ts=")
        .neg(N::EpochMillis, "1741946531123")
        .t(" os=")
        .neg(N::Version, "10.0.19045.2965")
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:14.250Z", "INFO", "kyc");
    f.t("kyc passed inn=")
        .val(Inn, v::inn12)
        .t(" snils=")
        .val(Snils, v::snils)
        .t(" passport=\"");
    f.pii(PassportRu, "4508 123456")
        .t("\" DOB: ")
        .pii(BirthDate, "1984-03-05")
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:15.000Z", "INFO", "transfers");
    f.t("transfer queued iban=")
        .val(Iban, |r| v::group4(&v::iban_compact(r, *b"GB")));
    f.t(" amount=")
        .neg(N::Price, "250.00")
        .t(" EUR ref=")
        .neg(N::InvoiceNo, "INV-2025/00124")
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:15.500Z", "INFO", "transfers");
    f.t("transfer queued iban=")
        .val(Iban, |r| v::iban_compact(r, *b"DE"));
    f.t(" amount=").neg(N::Price, "€99.00").t("\n");
    pre(&mut f, "2025-03-14T10:02:16.000Z", "WARN", "gateway");
    f.t("rate limit exceeded for ")
        .pii(Ipv6, "2001:db8:59b7:f096::c4cc")
        .t(" (120 req/min)\n");
    pre(&mut f, "2025-03-14T10:02:16.700Z", "INFO", "gateway");
    f.t("upstream ")
        .pii(Ipv4, "10.0.3.7")
        .t(":8080 responded in ")
        .neg(N::Duration, "1.234s")
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:17.000Z", "DEBUG", "legacy");
    f.t("contract ")
        .val_neg(N::SnilsFail11, v::snils_fail_11)
        .t(" migrated, client ref ");
    f.val_neg(N::InnFail10, v::inn_fail_10)
        .t(", waybill ")
        .val_neg(N::InnFail12, v::inn_fail_12);
    f.t(" delivered ")
        .neg(N::NonBirthDate, "2025-03-12")
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:18.000Z", "INFO", "health");
    f.t("ok uptime_since=")
        .neg(N::EpochSeconds, "1741900000")
        .t(" version=")
        .neg(N::Version, "4.18.2");
    f.t(" gc_pause=")
        .neg(N::Duration, "12ms")
        .t(" trace_id=")
        .slot(Slot::Hex32)
        .t("\n");
    pre(&mut f, "2025-03-14T10:02:19.000Z", "INFO", "profile");
    f.t("profile updated phone=\"")
        .pii(Phone, "+1 (202) 555-0143")
        .t("\" alt_phone=\"");
    f.pii(Phone, "+44 20 7946 0321")
        .t("\" email=")
        .pii(Email, "Jane.Doe@EXAMPLE.COM")
        .t("\n");
    f.done(
        "app.log",
        "application log: ISO timestamps, levels, request ids, key=value messages",
    )
}

fn export_csv() -> Fixture {
    let mut f = Fx::new("export.csv");
    f.t("id;фио;телефон;email;инн;снилс;паспорт;дата_рождения;сумма;дата_заказа;комментарий\n");
    let rows: [(&str, &str, &str, &str); 4] = [
        (
            "1029384",
            "Иванов Иван Иванович",
            "+7 (900) 012-34-64",
            "ivan.ivanov@example.ru",
        ),
        (
            "1029385",
            "Смирнова Анна Сергеевна",
            "89000123465",
            "anna.s@shop.test",
        ),
        (
            "1029386",
            "Кузнецов Павел Андреевич",
            "+79000123466",
            "иван.петров@пример.испытание",
        ),
        (
            "1029387",
            "Попова Мария Олеговна",
            "8 (495) 555-01-24",
            "m.popova@example.com",
        ),
    ];
    let dobs = ["05.03.1984", "17.11.1990", "29.02.1988", "01.01.1961"];
    let passports = ["4508 123457", "45 10 654322", "6312 762983", "4599113817"];
    for (i, (id, name, phone, email)) in rows.iter().enumerate() {
        f.t(id)
            .t(";")
            .pii(Person, name)
            .t(";")
            .pii(Phone, phone)
            .t(";")
            .pii(Email, email)
            .t(";");
        f.val(Inn, v::inn12).t(";");
        if i % 2 == 0 {
            f.val(Snils, v::snils);
        } else {
            f.val(Snils, v::snils_bare);
        }
        f.t(";")
            .pii(PassportRu, passports[i])
            .t(";")
            .pii(BirthDate, dobs[i])
            .t(";");
        // Quoted like a spreadsheet export does when a cell has a space;
        // the value is inside the quotes.
        let price = ["1 299,00", "15990,50", "350,00", "2 500,00"][i];
        if price.contains(' ') {
            f.t("\"").neg(N::Price, price).t("\"");
        } else {
            f.neg(N::Price, price);
        }
        f.t(";").neg(
            N::NonBirthDate,
            ["12.03.2025", "13.03.2025", "13.03.2025", "14.03.2025"][i],
        );
        f.t(";");
        match i {
            0 => f.t("постоянный клиент"),
            1 => f.t("заказ ").neg(N::OrderId, "482914").t(" вернул"),
            2 => f.t("просит не звонить до 10:00"),
            _ => f.t("транзакция ").val_neg(N::LuhnFail16, v::luhn_fail_16),
        };
        f.t("\n");
    }
    f.done(
        "export.csv",
        "CSV export, `;`-delimited, Russian headers (column names are the context)",
    )
}

/// Web, device and document-scan lines for the issue #10 kinds: cookies,
/// URL-encoded PII, device ids, foreign passports and MRZ, licences, OMS,
/// plates, birth places and coordinates, each beside its hard negatives.
fn devices_docs() -> Fixture {
    use super::kinds as k;
    let mut f = Fx::new("devices_docs.log");
    f.t("2025-03-14T10:02:11+03:00 access GET /subscribe?email=")
        .pii(Email, "olga.sidorova%40example.net")
        .t("&phone=")
        .pii(Phone, "%2B79000123467")
        .t("&page=2+3 status=200\n");
    f.t("2025-03-14T10:02:12+03:00 debug request headers: Cookie: lang=ru; _ga=")
        .pii(Cookie, "GA1.2.1873462915.1741936931")
        .t("; theme=dark; PHPSESSID=")
        .val(Cookie, |r| r.hex(26))
        .t("\n");
    f.t("2025-03-14T10:02:13+03:00 debug response headers: Set-Cookie: csrftoken=")
        .val_neg(N::BenignCookie, |r| r.hex(24))
        .t("; Path=/; SameSite=Lax\n");
    f.t("2025-03-14T10:02:14+03:00 sdk app_open gaid=")
        .val(DeviceId, v::uuid)
        .t(" request_id=")
        .val_neg(N::Uuid, v::uuid)
        .t("\n");
    f.t("2025-03-14T10:02:15+03:00 dhcp lease mac=")
        .pii(DeviceId, "a4:83:e7:1c:2d:3e")
        .t(" rtp clock ")
        .neg(N::MacLike, "12:34:56:78:90:12")
        .t(" mdns group ")
        .neg(N::MacLike, "01:00:5e:00:00:fb")
        .t("\n");
    f.t("2025-03-14T10:02:16+03:00 handset IMEI ")
        .val(DeviceId, |r| {
            let i = k::imei(r);
            i.replace('-', "")
        })
        .t(", txn ")
        .val_neg(N::Random15, k::random_15)
        .t("\n");
    f.t("2025-03-14T10:02:17+03:00 courier location: ")
        .pii(Geo, "55.755831, 37.617673")
        .t(" latency ")
        .neg(N::NonGeoDecimal, "12.3456")
        .t(" ms\n");
    f.t("[scan 00017] загранпаспорт ")
        .pii(PassportForeignRu, "75 1234567")
        .t(", код подразделения 770-001\n[scan 00018] MRZ:\n");
    let (l1, l2) = k::mrz_lines(&mut f.ctx.rng, false);
    f.pii(PassportForeignRu, &format!("{l1}\n{l2}")).t("\n");
    let (_, bad) = k::mrz_lines(&mut f.ctx.rng, true);
    f.t("[scan 00019] скан повреждён: ")
        .neg(N::MrzFail, &bad)
        .t("\n");
    f.t("[scan 00020] водительское удостоверение ")
        .pii(DriverLicenseRu, "99 12 345678")
        .t(", в/у старого образца ")
        .pii(DriverLicenseRu, "77 АВ 123456")
        .t("\n");
    f.t("[scan 00021] полис ОМС ")
        .val(Oms, k::oms_number)
        .t("\n[scan 00024] страница 2 обработана, версия движка 4.12.0, смена 3\n[scan 00025] транзакция ")
        .val_neg(N::LuhnValidId16, k::luhn_16_noncard)
        .t("\n");
    f.t("[scan 00022] а/м Kia Rio госномер ")
        .pii(VehiclePlateRu, "А123ВС77")
        .t(", артикул пропуска ")
        .neg(N::PlateLike, "Б123ВС77")
        .t("\n");
    f.t("[scan 00023] Место рождения: ")
        .pii(BirthPlace, "г. Саратов, Саратовская обл.")
        .t("\n");
    f.done(
        "devices_docs.log",
        "Web, device and document-scan log: cookies, URL-encoded e-mail and phone, device ids, foreign passport and MRZ, driver licences, OMS, plate, birth place, coordinates",
    )
}

/// All fixtures, in a fixed order.
pub fn render() -> Vec<Fixture> {
    vec![chat_ru(), nginx(), app_log(), export_csv(), devices_docs()]
}

fn line_of(buf: &[u8], at: usize) -> usize {
    buf[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

/// `EXPECTED.md`: per file, the planted values and the hard negatives.
pub fn expected_markdown(fixtures: &[Fixture]) -> String {
    let mut s = String::new();
    s.push_str("# What the fixtures contain\n\n");
    s.push_str("Generated by `cargo run --example make_fixtures` (`src/eval/fixtures.rs`); do not edit by hand.\n");
    s.push_str("Byte spans are half-open offsets into the file; `bytes[start..end]` is exactly the value.\n");
    s.push_str(
        "Kinds marked *(not labelled yet)* are present for the name/address detectors to come;\n",
    );
    s.push_str("the corpus generator does not label them either (`LABELLED_KINDS`).\n");
    for fx in fixtures {
        let _ = writeln!(s, "\n## `{}`\n\n{}.\n", fx.name, fx.about);
        s.push_str("| kind | value | line | bytes |\n|---|---|---:|---|\n");
        for p in &fx.doc.pii {
            let val = String::from_utf8_lossy(&fx.doc.buf[p.start..p.end]);
            let note = if super::corpus::LABELLED_KINDS.contains(&p.what) {
                ""
            } else {
                " *(not labelled yet)*"
            };
            let _ = writeln!(
                s,
                "| `{}`{note} | `{val}` | {} | {}..{} |",
                p.what.id(),
                line_of(&fx.doc.buf, p.start),
                p.start,
                p.end
            );
        }
        s.push_str("\nHard negatives (must not be reported):\n\n| negative | value | line |\n|---|---|---:|\n");
        for n in &fx.doc.negatives {
            let val = String::from_utf8_lossy(&fx.doc.buf[n.start..n.end]);
            let _ = writeln!(
                s,
                "| {} | `{val}` | {} |",
                n.what.describe(),
                line_of(&fx.doc.buf, n.start)
            );
        }
    }
    s
}

/// Writes the fixtures and `EXPECTED.md` into `dir`.
pub fn write_all(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let fx = render();
    for f in &fx {
        std::fs::write(dir.join(f.name), &f.doc.buf)?;
    }
    std::fs::write(dir.join("EXPECTED.md"), expected_markdown(&fx))
}

/// Names of files in `dir` that differ from what [`write_all`] would write.
pub fn stale(dir: &Path) -> Vec<String> {
    let fx = render();
    let mut want: Vec<(String, Vec<u8>)> = fx
        .iter()
        .map(|f| (f.name.to_owned(), f.doc.buf.clone()))
        .collect();
    want.push((
        "EXPECTED.md".to_owned(),
        expected_markdown(&fx).into_bytes(),
    ));
    want.into_iter()
        .filter(|(name, bytes)| std::fs::read(dir.join(name)).ok().as_ref() != Some(bytes))
        .map(|(name, _)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn fixtures_cover_every_labelled_kind_and_negative_class() {
        let fx = render();
        let kinds: BTreeSet<Kind> = fx
            .iter()
            .flat_map(|f| f.doc.pii.iter().map(|p| p.what))
            .collect();
        for k in super::super::corpus::LABELLED_KINDS {
            assert!(kinds.contains(k), "no fixture plants {k}");
        }
        let negs: BTreeSet<NegClass> = fx
            .iter()
            .flat_map(|f| f.doc.negatives.iter().map(|p| p.what))
            .collect();
        for n in [
            N::OrderId,
            N::InvoiceNo,
            N::Uuid,
            N::HexHash,
            N::Timestamp,
            N::EpochMillis,
            N::Price,
            N::Version,
            N::LuhnFail16,
            N::SnilsFail11,
            N::InnFail10,
            N::InnFail12,
            N::NonBirthDate,
            N::Duration,
            N::HttpStatus,
            N::HttpSize,
        ] {
            assert!(negs.contains(&n), "no fixture has a {}", n.describe());
        }
        for f in &fx {
            assert!(
                f.doc.len() < 8 * 1024,
                "{} is {} bytes",
                f.name,
                f.doc.len()
            );
        }
    }

    #[test]
    fn fixtures_on_disk_are_up_to_date() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let stale = stale(&dir);
        assert!(
            stale.is_empty(),
            "regenerate with `cargo run --example make_fixtures`: {stale:?} differ"
        );
    }
}
