//! The inventory formats end to end: the built binary on the structured
//! and SQL fixtures (`inventory-json`, `inventory-csv`, `markdown`), with
//! exact rows for table.column, CSV column, JSON pointer, CDR field and
//! whole-file locations, and a check that no output carries a raw value.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn piiscan(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(args)
        .current_dir(dir)
        .env_remove("PIISCAN_KEY")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

const FIXTURES: [&str; 3] = [
    "fixtures/structured",
    "fixtures/sql/pg_copy.sql",
    "fixtures/chat_ru.txt",
];

fn inventory_json() -> Value {
    let mut args = vec!["scan", "--format", "inventory-json"];
    args.extend(FIXTURES);
    let out = piiscan(&args, &root());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (path, location_type, location, kind) → the row.
fn find<'a>(doc: &'a Value, path: &str, ty: &str, loc: &str, kind: &str) -> &'a Value {
    doc["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["path"] == path
                && l["location_type"] == ty
                && l["location"] == loc
                && l["kind"] == kind
        })
        .unwrap_or_else(|| panic!("no row {path} {ty} {loc:?} {kind}"))
}

#[test]
fn inventory_json_rows_per_location_type() {
    let doc = inventory_json();
    assert_eq!(doc["type"], "piiscan_inventory");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["parameters"]["paths"][0], "fixtures/structured");
    assert!(doc["generated_at"].as_str().unwrap().ends_with('Z'));

    // SQL: table.column, with the table and column apart.
    let users_phone = find(
        &doc,
        "fixtures/sql/pg_copy.sql",
        "sql_column",
        "public.users.phone",
        "phone",
    );
    assert_eq!(users_phone["table"], "public.users");
    assert_eq!(users_phone["column"], "phone");
    assert_eq!(users_phone["findings"], 10);
    assert_eq!(users_phone["distinct"], 10);
    assert_eq!(users_phone["distinct_exact"], true);
    assert_eq!(users_phone["first_line"], 79);
    assert_eq!(users_phone["first_row"], 1);
    assert_eq!(
        users_phone["samples"],
        serde_json::json!(["+7 *** ***-**-45", "* (***) ***-**-23", "+7 *** ***-**-56"])
    );
    let caller = find(
        &doc,
        "fixtures/sql/pg_copy.sql",
        "sql_column",
        "public.calls.caller",
        "phone",
    );
    assert_eq!(
        (caller["findings"].as_u64(), caller["distinct"].as_u64()),
        (Some(6), Some(6))
    );
    assert_eq!(caller["first_line"], 65);
    // The free-text note column holds a phone and an e-mail: two rows.
    find(
        &doc,
        "fixtures/sql/pg_copy.sql",
        "sql_column",
        "public.users.note",
        "phone",
    );
    find(
        &doc,
        "fixtures/sql/pg_copy.sql",
        "sql_column",
        "public.users.note",
        "email",
    );

    // CSV: the header name.
    let csv_phone = find(
        &doc,
        "fixtures/structured/customers.csv",
        "csv_column",
        "phone",
        "phone",
    );
    assert_eq!(csv_phone["findings"], 4);
    assert_eq!(csv_phone["first_line"], 2);
    assert_eq!(csv_phone["first_row"], 1);
    assert!(csv_phone.get("table").is_none());
    find(
        &doc,
        "fixtures/structured/crm_export.csv",
        "csv_column",
        "ИНН",
        "inn",
    );

    // JSON: array indices collapsed; NDJSON rows are records.
    let orders = find(
        &doc,
        "fixtures/structured/customer.json",
        "json_pointer",
        "/orders/*/phone",
        "phone",
    );
    assert_eq!(orders["first_row"], Value::Null);
    find(
        &doc,
        "fixtures/structured/customer.json",
        "json_pointer",
        "/orders/*/delivery/phone",
        "phone",
    );
    // RFC 6901 escapes stay as they are (`a/b~c`).
    find(
        &doc,
        "fixtures/structured/customer.json",
        "json_pointer",
        "/customer/a~1b~0c",
        "email",
    );
    let contacts = find(
        &doc,
        "fixtures/structured/events.ndjson",
        "json_pointer",
        "/contacts/*/value",
        "phone",
    );
    assert_eq!(contacts["first_row"], 2);

    // CDR: the field name.
    let src = find(
        &doc,
        "fixtures/structured/Master.csv",
        "cdr_field",
        "src",
        "phone",
    );
    assert_eq!(src["findings"], 2);
    find(
        &doc,
        "fixtures/structured/calls_ru.csv",
        "cdr_field",
        "Номер абонента",
        "phone",
    );

    // Free text: the whole file. One birth date written three ways is one
    // distinct value (fingerprints of normalised values).
    let birth = find(&doc, "fixtures/chat_ru.txt", "file", "", "birth_date");
    assert_eq!(
        (birth["findings"].as_u64(), birth["distinct"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(birth["first_row"], Value::Null);

    // Totals agree with the rows and with the summary.
    let locations = doc["locations"].as_array().unwrap();
    let sum: u64 = locations
        .iter()
        .map(|l| l["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(doc["summary"]["findings"].as_u64(), Some(sum));
    assert_eq!(
        doc["summary"]["locations"].as_u64(),
        Some(locations.len() as u64)
    );
    let kinds_sum: u64 = doc["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(kinds_sum, sum);
    assert_eq!(doc["summary"]["files_scanned"], 8);
    // No pointer keeps an array index.
    for l in locations {
        if l["location_type"] == "json_pointer" {
            let p = l["location"].as_str().unwrap();
            assert!(!p.split('/').any(|s| s == "0" || s == "1"), "{p}");
        }
    }
}

#[test]
fn inventory_csv_has_one_row_per_location() {
    let doc = inventory_json();
    let mut args = vec!["scan", "--format", "inventory-csv"];
    args.extend(FIXTURES);
    let out = piiscan(&args, &root());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rd.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "path",
            "location_type",
            "location",
            "table",
            "column",
            "kind",
            "findings",
            "distinct",
            "distinct_exact",
            "max_confidence",
            "mean_confidence",
            "sample_1",
            "sample_2",
            "sample_3",
            "first_line",
            "first_row"
        ]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), doc["locations"].as_array().unwrap().len());
    let row = rows
        .iter()
        .find(|r| &r[0] == "fixtures/sql/pg_copy.sql" && &r[2] == "public.users.phone")
        .unwrap();
    assert_eq!(
        row.iter().collect::<Vec<_>>(),
        [
            "fixtures/sql/pg_copy.sql",
            "sql_column",
            "public.users.phone",
            "public.users",
            "phone",
            "phone",
            "10",
            "10",
            "true",
            "0.99",
            "0.99",
            "+7 *** ***-**-45",
            "* (***) ***-**-23",
            "+7 *** ***-**-56",
            "79",
            "1"
        ]
    );
}

#[test]
fn an_empty_scan_is_an_empty_inventory_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clean.txt"), "nothing here, v1.2.3\n").unwrap();
    let out = piiscan(&["scan", "-f", "inventory-json", "."], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["locations"], serde_json::json!([]));
    assert_eq!(doc["summary"]["files_scanned"], 1);
    let out = piiscan(&["scan", "-f", "inventory-csv", "."], dir.path());
    assert_eq!(stdout(&out).lines().count(), 1);
}

/// Raw values planted in a text file, a CSV and a JSON document.
const RAW: [&str; 8] = [
    "+7 912 345-67-89",
    "79123456789",
    "anna.petrova@example.ru",
    "2202 9198 2703 8392",
    "2202919827038392",
    "726-319-011 82",
    "695935804505",
    "45 08 123456",
];

fn leak_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("chat.txt"),
        "Клиент: телефон +7 912 345-67-89, почта anna.petrova@example.ru\n\
         карта 2202 9198 2703 8392, СНИЛС 726-319-011 82, ИНН 695935804505\n\
         паспорт 45 08 123456\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("clients.csv"),
        "name,phone,email,card\nАнна,79123456789,anna.petrova@example.ru,2202919827038392\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("orders.json"),
        r#"{"orders":[{"customer":{"phone":"+7 912 345-67-89","inn":"695935804505"}}]}"#,
    )
    .unwrap();
    dir
}

#[test]
fn no_raw_value_in_any_inventory_output() {
    let dir = leak_fixture();
    for format in ["inventory-json", "inventory-csv", "markdown"] {
        // Even with --show-values: inventories carry masked samples only.
        for extra in [&[][..], &["--show-values"][..]] {
            let mut args = vec!["scan", "-f", format];
            args.extend_from_slice(extra);
            args.push(".");
            let out = piiscan(&args, dir.path());
            assert_eq!(out.status.code(), Some(1), "{format}");
            let text = stdout(&out);
            assert!(text.contains("orders.json"), "{format}: {text}");
            for v in RAW {
                assert!(!text.contains(v), "{format} {extra:?}: raw {v} in\n{text}");
            }
        }
    }
    // The HTML report too (written outside the scanned tree).
    let out_dir = tempfile::tempdir().unwrap();
    let html = out_dir.path().join("report.html");
    let out = piiscan(
        &[
            "scan",
            "--show-values",
            "--html",
            html.to_str().unwrap(),
            ".",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("orders.json"));
    for v in RAW {
        assert!(!page.contains(v), "html: raw {v}");
    }
}

#[test]
fn markdown_summary_for_ci_pages() {
    let mut args = vec!["scan", "--format", "markdown"];
    args.extend(FIXTURES);
    let out = piiscan(&args, &root());
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(
        md.starts_with("## Personal data inventory (piiscan)\n"),
        "{md}"
    );
    assert!(md.contains("| kind | findings | distinct values | locations | sources |"));
    assert!(md.contains("| `phone` | "), "{md}");
    // The biggest locations are the SQL columns with 10 rows each.
    assert!(
        md.contains("| fixtures/sql/pg\\_copy.sql | public.users.phone (SQL column) | `phone` | 10 | 10 | 0.99 |"),
        "{md}"
    );
    assert!(md.contains("8 files scanned"), "{md}");
    assert!(md.contains("more locations"));
}
