//! End-to-end tests of the SQL dump locator: the built binary on the real
//! dumps in `fixtures/sql/` (made by `scripts/make-sql-fixtures` with
//! pg_dump, mariadb-dump and sqlite3), checked value by value: kind, exact
//! byte span, and `{"table","column","row"}`.
//!
//! The planted values are those of `examples/sql_fixture_values.rs`;
//! change both together.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (kind, value as written in every dump, table, column, row).
type Planted = (&'static str, &'static str, &'static str, &'static str, u64);

/// Values in the `users` table: phone, email, INN, SNILS, passport and
/// birth date of each row, plus a phone and an e-mail inside `note`.
const USERS: [[&str; 6]; 10] = [
    [
        "+7 900 001-23-45",
        "ivan.ivanov@example.ru",
        "771357924606",
        "112-233-445 95",
        "45 08 123456",
        "1960-01-03",
    ],
    [
        "8 (495) 555-01-23",
        "anna.petrova@example.com",
        "771469035740",
        "122-436-486 35",
        "45 09 131375",
        "1963-02-05",
    ],
    [
        "+7 900 002-34-56",
        "pat.obrien@example.com",
        "771580146824",
        "132-639-527 59",
        "45 10 139294",
        "1966-03-07",
    ],
    [
        "8 (495) 555-02-34",
        "p.sidorov@example.ru",
        "771691257939",
        "142-842-568 65",
        "45 11 147213",
        "1969-04-09",
    ],
    [
        "+7 900 003-45-67",
        "maria.k@example.ru",
        "771802369091",
        "153-045-609 36",
        "45 12 155132",
        "1972-05-11",
    ],
    [
        "+7 900 004-56-78",
        "a.smirnov@example.com",
        "771913480190",
        "163-248-650 69",
        "45 13 163051",
        "1975-06-13",
    ],
    [
        "8 (495) 555-03-45",
        "e.popova@example.ru",
        "772024591222",
        "173-451-691 75",
        "45 14 170970",
        "1978-07-15",
    ],
    [
        "+7 900 005-67-89",
        "volkov@example.com",
        "772135702354",
        "183-654-732 99",
        "45 15 178889",
        "1981-08-17",
    ],
    [
        "8 (495) 555-04-56",
        "morozova@example.ru",
        "772246813469",
        "193-857-773 39",
        "45 16 186808",
        "1984-09-19",
    ],
    [
        "+7 900 006-78-90",
        "lebedev@example.com",
        "772357924573",
        "204-060-814 05",
        "45 17 194727",
        "1987-10-21",
    ],
];

const USER_COLUMNS: [(&str, &str); 6] = [
    ("phone", "phone"),
    ("email", "email"),
    ("inn", "inn"),
    ("snils", "snils"),
    ("passport_ru", "passport"),
    ("birth_date", "birth_date"),
];

/// (caller, callee) per row of `calls`.
const CALLS: [(&str, &str); 6] = [
    ("+79000012345", "84955550123"),
    ("+79000023456", "+79000034567"),
    ("84955550234", "+79000045678"),
    ("+79000056789", "84955550345"),
    ("+79000067890", "+79000012345"),
    ("84955550456", "+79000023456"),
];

fn planted() -> Vec<Planted> {
    let mut out = Vec::new();
    for (i, row) in USERS.iter().enumerate() {
        for (value, (kind, column)) in row.iter().zip(USER_COLUMNS) {
            out.push((kind, *value, "users", column, i as u64 + 1));
        }
    }
    // Inside multi-line / tab-holding notes.
    out.push(("phone", "8 (495) 555-09-87", "users", "note", 5));
    out.push(("email", "d.volkov@example.ru", "users", "note", 8));
    for (i, (caller, callee)) in CALLS.iter().enumerate() {
        out.push(("phone", caller, "calls", "caller", i as u64 + 1));
        out.push(("phone", callee, "calls", "callee", i as u64 + 1));
    }
    out
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sql")
        .join(name)
}

fn scan(path: &Path) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .env_remove("PIISCAN_KEY")
        .args(["scan", "--format", "jsonl"])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL {l:?}: {e}")))
        .filter(|e: &Value| e["type"] == "finding")
        .collect()
}

/// Every planted value is found once with its kind, span and location.
fn check_dump(path: &Path, schema: &str) {
    let bytes = std::fs::read(path).unwrap();
    let findings = scan(path);
    let mut missing = Vec::new();
    for (kind, value, table, column, row) in planted() {
        let location = json!({"table": format!("{schema}{table}"), "column": column, "row": row});
        let hit = findings.iter().find(|f| {
            f["kind"] == kind
                && f["location"] == location
                && bytes
                    .get(f["start"].as_u64().unwrap() as usize..f["end"].as_u64().unwrap() as usize)
                    == Some(value.as_bytes())
        });
        if hit.is_none() {
            missing.push(format!("{kind} {value:?} at {location}"));
        }
    }
    let found: Vec<String> = findings
        .iter()
        .map(|f| {
            let (s, e) = (
                f["start"].as_u64().unwrap() as usize,
                f["end"].as_u64().unwrap() as usize,
            );
            format!(
                "{} {:?} {}",
                f["kind"],
                String::from_utf8_lossy(&bytes[s..e]),
                f["location"]
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{}: missing\n  {}\nfound\n  {}",
        path.display(),
        missing.join("\n  "),
        found.join("\n  ")
    );
    // Nothing outside the rows (DDL, comments, SET lines) is reported.
    for f in &findings {
        assert!(f["location"].is_object(), "unlocated finding {f}");
    }
}

#[test]
fn pg_dump_copy() {
    check_dump(&fixture("pg_copy.sql"), "public.");
}

#[test]
fn pg_dump_inserts() {
    check_dump(&fixture("pg_inserts.sql"), "public.");
}

#[test]
fn pg_dump_column_inserts() {
    check_dump(&fixture("pg_column_inserts.sql"), "public.");
}

#[test]
fn mariadb_dump_extended_inserts_with_binary_blob() {
    let path = fixture("mariadb.sql");
    // The BLOB's raw bytes make the file invalid UTF-8; it must still scan.
    assert!(std::str::from_utf8(&std::fs::read(&path).unwrap()).is_err());
    check_dump(&path, "");
}

#[test]
fn sqlite_dump() {
    check_dump(&fixture("sqlite.sql"), "");
}

#[test]
fn dump_without_sql_extension_is_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup-2024-01-15");
    std::fs::copy(fixture("pg_copy.sql"), &path).unwrap();
    check_dump(&path, "public.");
}
