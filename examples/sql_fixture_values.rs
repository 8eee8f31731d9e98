//! Prints the load script for the synthetic database that
//! `scripts/make-sql-fixtures` dumps into `fixtures/sql/`.
//!
//! Owns the planted values: all synthetic (phones from +7 900 0xx and
//! 8 (495) 555-xx-xx, `@example.com` / `@example.ru` mail, INN-12 and SNILS
//! made checksum-valid with the crate's own validators), plus text values
//! that stress dump escaping (quotes, backslashes, tabs, newlines, CR LF,
//! `),(`, a NULL) and a BLOB with non-UTF-8 bytes. `tests/sql_dumps.rs`
//! expects exactly these values, so change both together.
//!
//! Usage: `cargo run --example sql_fixture_values -- pg|mysql|sqlite`.
//! The statements are portable apart from the DDL types and the BLOB
//! literal; MariaDB must run them with `sql_mode=NO_BACKSLASH_ESCAPES`
//! (the script says so itself) so backslashes load literally everywhere.

use piiscan::validators::{inn, snils};

/// (full_name, phone, email, note) per user; `None` note is SQL NULL.
const USERS: [(&str, &str, &str, Option<&str>); 10] = [
    (
        "Иванов Иван Иванович",
        "+7 900 001-23-45",
        "ivan.ivanov@example.ru",
        Some("VIP клиент"),
    ),
    (
        "Петрова Анна Сергеевна",
        "8 (495) 555-01-23",
        "anna.petrova@example.com",
        Some("строка1\nстрока2\tс табом и \\ обратным слэшем"),
    ),
    (
        "O'Brien, Pat",
        "+7 900 002-34-56",
        "pat.obrien@example.com",
        Some("quote ' and \"dq\" and \\N literal"),
    ),
    (
        "Сидоров Пётр Петрович",
        "8 (495) 555-02-34",
        "p.sidorov@example.ru",
        None,
    ),
    (
        "Кузнецова Мария",
        "+7 900 003-45-67",
        "maria.k@example.ru",
        Some("перезвонить на 8 (495) 555-09-87\nпосле 18:00"),
    ),
    (
        "Смирнов Алексей",
        "+7 900 004-56-78",
        "a.smirnov@example.com",
        Some("путь C:\\Users\\smirnov\\ и 'кавычки'"),
    ),
    (
        "Попова Елена",
        "8 (495) 555-03-45",
        "e.popova@example.ru",
        Some("tricky '),(' ; -- not a comment /* nor this */"),
    ),
    (
        "Волков Дмитрий",
        "+7 900 005-67-89",
        "volkov@example.com",
        Some("почта в заметке: d.volkov@example.ru\tтаб"),
    ),
    (
        "Морозова Ольга",
        "8 (495) 555-04-56",
        "morozova@example.ru",
        Some(""),
    ),
    (
        "Лебедев Сергей",
        "+7 900 006-78-90",
        "lebedev@example.com",
        Some("последняя\r\nстрока CRLF"),
    ),
];

/// (caller, callee, started_at, duration in seconds).
const CALLS: [(&str, &str, &str, u32); 6] = [
    ("+79000012345", "84955550123", "2024-01-15 10:00:00", 65),
    ("+79000023456", "+79000034567", "2024-01-15 10:05:00", 0),
    ("84955550234", "+79000045678", "2024-01-15 11:30:00", 312),
    ("+79000056789", "84955550345", "2024-01-16 09:00:00", 17),
    ("+79000067890", "+79000012345", "2024-01-16 12:45:00", 1200),
    ("84955550456", "+79000023456", "2024-01-17 18:20:00", 44),
];

/// A checksum-valid INN-12 for user `i`.
fn inn12(i: usize) -> String {
    // Region 77 (Moscow) and a synthetic counter.
    let body = format!("77{:08}", 13_579_246 + i * 1_111_111);
    let [c1, c2] = inn::inn12_check_digits(body.as_bytes());
    format!("{body}{}{}", c1 as char, c2 as char)
}

/// A checksum-valid SNILS for user `i`, printed `XXX-XXX-XXX YY`.
fn snils_for(i: usize) -> String {
    let body = format!("{:09}", 112_233_445 + i * 10_203_041);
    let check = snils::snils_check_number(body.as_bytes());
    format!("{}-{}-{} {check:02}", &body[..3], &body[3..6], &body[6..9])
}

fn birth_date(i: usize) -> String {
    format!("19{}-{:02}-{:02}", 60 + i * 3, 1 + i % 12, 3 + i * 2)
}

fn passport(i: usize) -> String {
    format!("45 {:02} {}", 8 + i, 123_456 + i * 7_919)
}

/// A standard SQL string literal: quotes doubled, everything else raw.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A text value for `dialect`. The mariadb and sqlite3 clients drop a raw
/// CR before a newline while reading a script, so there a CR is spliced in
/// with `char(13)`; psql keeps it.
fn text_for(dialect: &str, s: &str) -> String {
    if !s.contains('\r') || dialect == "pg" {
        return lit(s);
    }
    let parts: Vec<String> = s.split('\r').map(lit).collect();
    if dialect == "mysql" {
        format!("CONCAT({})", parts.join(", CHAR(13 USING utf8mb4), "))
    } else {
        parts.join(" || char(13) || ")
    }
}

fn main() {
    let dialect = std::env::args().nth(1).unwrap_or_default();
    let (text, date, ts, blob_type) = match dialect.as_str() {
        "pg" => ("text", "date", "timestamp", "bytea"),
        "mysql" => ("varchar(255)", "date", "datetime", "blob"),
        "sqlite" => ("TEXT", "TEXT", "TEXT", "BLOB"),
        _ => {
            eprintln!("usage: sql_fixture_values pg|mysql|sqlite");
            std::process::exit(2);
        }
    };
    // Raw bytes: NUL, quote, backslash, newline, Ctrl-Z, invalid UTF-8.
    let blob = "DEADBEEF00275C0A1AFFC328";
    let blob_lit = if dialect == "pg" {
        format!("'\\x{blob}'::bytea")
    } else {
        format!("X'{blob}'")
    };
    if dialect == "mysql" {
        println!("SET sql_mode = 'NO_BACKSLASH_ESCAPES';");
    }
    println!(
        "CREATE TABLE users (\n    id integer PRIMARY KEY,\n    full_name {text},\n    phone {text},\n    \
         email {text},\n    inn {text},\n    snils {text},\n    birth_date {date},\n    passport {text},\n    \
         photo {blob_type},\n    note {}\n);",
        if dialect == "mysql" { "text" } else { text }
    );
    println!(
        "CREATE TABLE calls (\n    id integer PRIMARY KEY,\n    caller {text},\n    callee {text},\n    \
         started_at {ts},\n    duration_sec integer\n);"
    );
    for (i, (name, phone, email, note)) in USERS.iter().enumerate() {
        let photo = if i == 0 { blob_lit.as_str() } else { "NULL" };
        println!(
            "INSERT INTO users VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {photo}, {});",
            i + 1,
            lit(name),
            lit(phone),
            lit(email),
            lit(&inn12(i)),
            lit(&snils_for(i)),
            lit(&birth_date(i)),
            lit(&passport(i)),
            note.map_or_else(|| "NULL".to_string(), |n| text_for(&dialect, n)),
        );
    }
    for (i, (caller, callee, at, secs)) in CALLS.iter().enumerate() {
        println!(
            "INSERT INTO calls VALUES ({}, {}, {}, {}, {secs});",
            i + 1,
            lit(caller),
            lit(callee),
            lit(at),
        );
    }
}
