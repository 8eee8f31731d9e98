//! Structured inputs end to end: CSV with a header, a `;` CRM export, an
//! Asterisk Master.csv, a call-tracking export, NDJSON events and a JSON
//! document (all under `fixtures/structured/`, all synthetic: +7 900 0xx
//! numbers, example.com addresses, checksum-valid IDs). For every
//! expected value we check the kind, the exact byte span and the
//! structured location, once through the library (sniff → locator →
//! engine, as the scanner wires it) and once through the built binary.

use piiscan::detect::{Engine, Located, RuleSet, Scratch};
use piiscan::extract::{InputFormat, locator_for, sniff};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/structured")
}

/// One value a scan must report.
struct Expect {
    file: &'static str,
    kind: &'static str,
    value: &'static str,
    location: Value,
}

fn expected() -> Vec<Expect> {
    let e = |file, kind, value, location| Expect {
        file,
        kind,
        value,
        location,
    };
    let row = |row: u64, column: &str| json!({"row": row, "column": column});
    let cdr = |record: u64, field: &str| json!({"record": record, "field": field});
    let ptr = |pointer: &str| json!({"pointer": pointer});
    let rec = |record: u64, pointer: &str| json!({"pointer": pointer, "record": record});
    vec![
        // `,`, header, quoted fields with commas, doubled quotes and a
        // newline; a bare 10-digit number in the phone column.
        e(
            "customers.csv",
            "phone",
            "+7 900 000-00-01",
            row(1, "phone"),
        ),
        e(
            "customers.csv",
            "email",
            "ivan.ivanov@example.com",
            row(1, "email"),
        ),
        e("customers.csv", "inn", "500100732185", row(1, "inn")),
        e("customers.csv", "phone", "9000000002", row(2, "phone")),
        e(
            "customers.csv",
            "email",
            "anna.petrova@example.com",
            row(2, "email"),
        ),
        e(
            "customers.csv",
            "phone",
            "8 (900) 000-00-03",
            row(3, "phone"),
        ),
        e(
            "customers.csv",
            "email",
            "sidorov@example.com",
            row(3, "email"),
        ),
        e("customers.csv", "phone", "+79000000004", row(4, "phone")),
        e("customers.csv", "inn", "520102345642", row(4, "inn")),
        // The SNILS column follows the numeric INN column: checked in
        // `csv_value_after_a_numeric_column`.
        // `;`, CRLF, Russian headers.
        e(
            "crm_export.csv",
            "phone",
            "+7 900 000-00-11",
            row(1, "Телефон"),
        ),
        e(
            "crm_export.csv",
            "email",
            "ivanov@example.com",
            row(1, "Email"),
        ),
        e("crm_export.csv", "inn", "780103456772", row(1, "ИНН")),
        e("crm_export.csv", "phone", "9000000012", row(2, "Телефон")),
        e(
            "crm_export.csv",
            "email",
            "petrova@example.com",
            row(2, "Email"),
        ),
        // Asterisk, 18 columns, no header.
        e("Master.csv", "phone", "79000000021", cdr(1, "src")),
        e("Master.csv", "phone", "89000000022", cdr(1, "dst")),
        e("Master.csv", "phone", "9000000023", cdr(2, "src")),
        // Call-tracking export.
        e(
            "calls_ru.csv",
            "phone",
            "+7 900 000-00-31",
            cdr(1, "Номер абонента"),
        ),
        e(
            "calls_ru.csv",
            "phone",
            "9000000032",
            cdr(1, "Номер сотрудника"),
        ),
        e(
            "calls_ru.csv",
            "phone",
            "89000000033",
            cdr(2, "Номер абонента"),
        ),
        // NDJSON: record = line.
        e(
            "events.ndjson",
            "email",
            "user1@example.com",
            rec(1, "/user/email"),
        ),
        e(
            "events.ndjson",
            "phone",
            "+79000000041",
            rec(1, "/user/phone"),
        ),
        e(
            "events.ndjson",
            "phone",
            "+7 900 000-00-42",
            rec(2, "/contacts/0/value"),
        ),
        e("events.ndjson", "inn", "160105678933", rec(3, "/user/inn")),
        e(
            "events.ndjson",
            "snils",
            "556-677-805 53",
            rec(3, "/user/snils"),
        ),
        // JSON document.
        e(
            "customer.json",
            "email",
            "ivan@example.com",
            ptr("/customer/email"),
        ),
        e(
            "customer.json",
            "phone",
            "9000000051",
            ptr("/customer/phone"),
        ),
        e(
            "customer.json",
            "inn",
            "540106789017",
            ptr("/customer/documents/inn"),
        ),
        e(
            "customer.json",
            "snils",
            "667-788-906 96",
            ptr("/customer/documents/snils"),
        ),
        e(
            "customer.json",
            "email",
            "alt@example.com",
            ptr("/customer/a~1b~0c"),
        ),
        e(
            "customer.json",
            "phone",
            "+7 900 000-00-52",
            ptr("/orders/0/phone"),
        ),
        e(
            "customer.json",
            "phone",
            "8 900 000 00 53",
            ptr("/orders/1/delivery/phone"),
        ),
    ]
}

const FILES: [(&str, InputFormat); 6] = [
    ("customers.csv", InputFormat::Delimited),
    ("crm_export.csv", InputFormat::Delimited),
    ("Master.csv", InputFormat::Cdr),
    ("calls_ru.csv", InputFormat::Cdr),
    ("events.ndjson", InputFormat::Ndjson),
    ("customer.json", InputFormat::Json),
];

fn read(file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(file)).unwrap()
}

/// Where an expected value starts: its first occurrence.
fn span_in(dir: &Path, e: &Expect) -> (u64, u64) {
    let text = std::fs::read(dir.join(e.file)).unwrap();
    let start = text
        .windows(e.value.len())
        .position(|w| w == e.value.as_bytes())
        .unwrap_or_else(|| panic!("{} not in {}", e.value, e.file));
    (start as u64, (start + e.value.len()) as u64)
}

/// A finding as the checks compare it.
#[derive(Debug, PartialEq)]
struct Got {
    kind: String,
    start: u64,
    end: u64,
    location: Value,
}

/// Values the engine misses today: in `…,500100732185,112-233-401 83,…`
/// the tokenizer reads `5,112` as a number with a thousands comma (its
/// `1,299` guard) and skips the SNILS. Every CSV with a numeric column
/// before a digit-shaped PII column loses those values.
fn after_numeric_column() -> Vec<Expect> {
    let row = |row: u64, column: &str| json!({"row": row, "column": column});
    vec![
        Expect {
            file: "customers.csv",
            kind: "snils",
            value: "112-233-401 83",
            location: row(1, "snils"),
        },
        Expect {
            file: "customers.csv",
            kind: "snils",
            value: "334-455-603 68",
            location: row(3, "snils"),
        },
    ]
}

fn check(file_findings: impl Fn(&str) -> Vec<Got>) {
    check_list(expected(), file_findings)
}

fn check_list(list: Vec<Expect>, file_findings: impl Fn(&str) -> Vec<Got>) {
    check_list_in(&fixtures(), list, file_findings)
}

fn check_list_in(dir: &Path, list: Vec<Expect>, file_findings: impl Fn(&str) -> Vec<Got>) {
    let mut failures = Vec::new();
    for e in list {
        let (start, end) = span_in(dir, &e);
        let found = file_findings(e.file);
        let want = Got {
            kind: e.kind.to_string(),
            start,
            end,
            location: e.location.clone(),
        };
        if !found.contains(&want) {
            let near: Vec<&Got> = found
                .iter()
                .filter(|g| g.start < end && start < g.end)
                .collect();
            failures.push(format!(
                "{}: {} {:?} @{start}..{end} {}: got {near:?}",
                e.file, e.kind, e.value, e.location
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn fixture_ids_are_checksum_valid() {
    use piiscan::validators::{inn, snils};
    for e in expected().into_iter().chain(after_numeric_column()) {
        let digits: Vec<u8> = e.value.bytes().filter(u8::is_ascii_digit).collect();
        match e.kind {
            "inn" => assert!(inn::inn12_valid(&digits), "{}", e.value),
            "snils" => assert_eq!(
                snils::snils_check(&digits),
                snils::SnilsCheck::Valid,
                "{}",
                e.value
            ),
            _ => {}
        }
    }
}

#[test]
fn formats_are_sniffed() {
    for (file, format) in FILES {
        assert_eq!(sniff(file, &read(file)), format, "{file}");
    }
}

/// The library path: sniff, locator, one engine pass with the locator.
fn library_findings(file: &str) -> Vec<Got> {
    let engine = Engine::new(RuleSet::builtin()).unwrap();
    let text = read(file);
    let format = sniff(file, &text);
    let mut locator = locator_for(format, &text).expect("structured format");
    let mut out = Vec::new();
    engine.scan(
        &text,
        0,
        text.len(),
        true,
        &mut Scratch::default(),
        &mut out,
        Some(Located {
            locator: locator.as_mut(),
            base: 0,
        }),
    );
    out.into_iter()
        .filter(|d| d.confidence >= piiscan::detect::DEFAULT_MIN_CONFIDENCE)
        .map(|d| Got {
            kind: d.kind.id().to_string(),
            start: d.start as u64,
            end: d.end as u64,
            location: serde_json::to_value(&d.location).unwrap(),
        })
        .collect()
}

#[test]
fn library_locates_every_expected_value() {
    check(library_findings);
}

#[test]
fn csv_value_after_a_numeric_column() {
    check_list(after_numeric_column(), library_findings);
}

/// The built binary: `scan --format jsonl` prints the same spans and
/// locations.
#[test]
fn binary_reports_locations() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    cmd.env_remove("PIISCAN_KEY")
        .current_dir(fixtures())
        .args(["scan", "--format", "jsonl"])
        .args(FILES.iter().map(|(f, _)| f));
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    check(|file| {
        events
            .iter()
            .filter(|e| e["type"] == "finding" && e["path"] == file)
            .map(|e| Got {
                kind: e["kind"].as_str().unwrap_or_default().to_string(),
                start: e["start"].as_u64().unwrap_or(u64::MAX),
                end: e["end"].as_u64().unwrap_or(u64::MAX),
                location: e.get("location").cloned().unwrap_or(Value::Null),
            })
            .collect()
    });
}

/// JSON escape fixtures live apart from `fixtures/structured/`, whose
/// file count other tests (inventory) pin.
fn json_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/json")
}

fn read_json_fixture() -> Vec<u8> {
    std::fs::read(json_fixtures().join("escaped.ndjson")).unwrap()
}

/// Values written with JSON string escapes (`\uXXXX`, a surrogate pair,
/// `\n`, `\"`, `\/`): found, located, and spanning the escaped text as
/// it is in the file (from the `\` of the first escape to the end of the
/// last).
fn escaped() -> Vec<Expect> {
    let e = |kind, value, record: u64, pointer: &str| Expect {
        file: "escaped.ndjson",
        kind,
        value,
        location: json!({"pointer": pointer, "record": record}),
    };
    vec![
        e(
            "person",
            r"\u0418\u0432\u0430\u043d \u0418\u0432\u0430\u043d\u043e\u0432",
            1,
            "/name",
        ),
        e("email", r"ivan\u0040example.com", 1, "/email"),
        e("phone", r"+7 900 000\u002d00\u002d51", 1, "/phone"),
        e("email", r"anna.petrova\u0040example.com", 2, "/user/mail"),
        // After a `\n`: the escape is a line break, not an `n` glued on.
        e("phone", "+7 900 000-00-52", 2, "/user/note"),
        // After a surrogate pair (one character, twelve bytes).
        e("phone", r"+7 900 000\u002d00\u002d53", 3, "/bio"),
        e(
            "inn",
            r"\u0035\u0030\u0030\u0031\u0030\u0030\u0037\u0033\u0032\u0031\u0038\u0035",
            3,
            "/inn",
        ),
        // Between escaped quotes.
        e("email", r"petrov\u0040example.com", 4, "/msg"),
    ]
}

fn run_piiscan(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .env_remove("PIISCAN_KEY")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// `scan --format jsonl` findings of `file` in `dir`.
fn binary_findings(dir: &Path, file: &str) -> Vec<Got> {
    let out = run_piiscan(dir, &["scan", "--format", "jsonl", file]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "finding")
        .map(|e| Got {
            kind: e["kind"].as_str().unwrap_or_default().to_string(),
            start: e["start"].as_u64().unwrap_or(u64::MAX),
            end: e["end"].as_u64().unwrap_or(u64::MAX),
            location: e.get("location").cloned().unwrap_or(Value::Null),
        })
        .collect()
}

#[test]
fn json_escapes_are_decoded_and_spans_cover_the_escaped_bytes() {
    assert_eq!(
        sniff("escaped.ndjson", &read_json_fixture()),
        InputFormat::Ndjson
    );
    check_list_in(&json_fixtures(), escaped(), |file| {
        binary_findings(&json_fixtures(), file)
    });
    // The same document as one JSON value (not NDJSON): same spans.
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(
        "[\n{}]\n",
        String::from_utf8(read_json_fixture())
            .unwrap()
            .lines()
            .collect::<Vec<_>>()
            .join(",\n")
    );
    std::fs::write(dir.path().join("escaped.json"), &doc).unwrap();
    let found = binary_findings(dir.path(), "escaped.json");
    for e in escaped() {
        let start = doc.find(e.value).unwrap() as u64;
        let end = start + e.value.len() as u64;
        assert!(
            found
                .iter()
                .any(|g| g.kind == e.kind && g.start == start && g.end == end),
            "{} {}: {found:?}",
            e.kind,
            e.value
        );
    }
}

/// Escaped values on both sides of, and across, the scanner's chunk
/// boundary (one NDJSON line longer than a chunk, so the chunk is cut
/// mid-line): every one is found once with its exact escaped span.
#[test]
fn escaped_values_across_chunk_boundaries() {
    use piiscan::source::{CHUNK, StreamScanner};
    let engine = Engine::new(RuleSet::builtin()).unwrap();
    let mut scanner = StreamScanner::default();
    // Entries are ~70 bytes long: 80 paddings put every byte offset of
    // an entry on the boundary.
    for pad in 0..80 {
        let mut line = format!("{{\"pad\":\"{}\",\"filler\":\"", "x".repeat(pad));
        line.push_str(&"abc def ".repeat((CHUNK - 3000) / 8));
        line.push('"');
        let mut want = Vec::new();
        let mut k = 0;
        while line.len() < CHUNK + 3000 {
            let email = format!(r"user{k}\u0040example.com");
            let phone = format!(r"+7 900 000\u002d{:02}\u002d{:02}", k / 100 % 100, k % 100);
            line.push_str(&format!(",\"e{k}\":\"{email}\",\"p{k}\":\"{phone}\""));
            for (kind, v) in [("email", email), ("phone", phone)] {
                let start = line.rfind(&v).unwrap() as u64;
                want.push((kind.to_string(), start, start + v.len() as u64));
            }
            k += 1;
        }
        line.push_str("}\n{\"tail\":\"ivan\\u0040example.com\"}\n");
        let start = line.rfind(r"ivan\u0040").unwrap() as u64;
        want.push((
            "email".into(),
            start,
            start + r"ivan\u0040example.com".len() as u64,
        ));
        let mut got = Vec::new();
        scanner
            .scan(&engine, line.as_bytes(), "big.ndjson", None, None, |l| {
                if l.detection.confidence >= piiscan::detect::DEFAULT_MIN_CONFIDENCE {
                    got.push((l.detection.kind.id().to_string(), l.abs_start, l.abs_end));
                }
            })
            .unwrap()
            .unwrap();
        assert_eq!(got, want, "pad {pad}");
    }
}

/// `piiscan redact` on escaped JSON: the output is still JSON, the
/// escaped values are replaced, and a re-scan finds nothing.
#[test]
fn redacting_escaped_json_keeps_it_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(d.join("in/escaped.ndjson"), read_json_fixture()).unwrap();
    let o = run_piiscan(d, &["redact", "in/escaped.ndjson", "--out", "out"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(d.join("out/escaped.ndjson")).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(records.len(), 4);
    let all = text.to_string() + &format!("{records:?}");
    for gone in [
        "Иван Иванов",
        "ivan@example.com",
        "000-00-51",
        "anna.petrova@",
        "000-00-53",
        "500100732185",
        "petrov@",
        r"\u0040",
    ] {
        assert!(!all.contains(gone), "{gone} left in {text}");
    }
    // What is not personal stays as it was, escapes included.
    assert_eq!(records[3]["path"], "C:\\Users\\ivan");
    assert!(text.contains(r#""path":"C:\\Users\\ivan""#), "{text}");
    assert_eq!(records[1]["user"]["site"], "https://example.com/u/anna");
    let rescan = binary_findings(&d.join("out"), "escaped.ndjson");
    assert!(rescan.is_empty(), "{rescan:?}");
}

/// The escape view composes with the decoder's offset map: the same
/// escaped NDJSON in UTF-16LE gives spans whose original bytes decode to
/// the escaped text.
#[test]
fn escaped_json_in_utf16_maps_through_both_views() {
    use piiscan::source::StreamScanner;
    let engine = Engine::new(RuleSet::builtin()).unwrap();
    let text = String::from_utf8(read_json_fixture()).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut got = Vec::new();
    StreamScanner::default()
        .scan(
            &engine,
            utf16.as_slice(),
            "escaped.ndjson",
            None,
            None,
            |l| {
                if l.detection.confidence >= piiscan::detect::DEFAULT_MIN_CONFIDENCE {
                    let (orig, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(
                        &utf16[l.abs_start as usize..l.abs_end as usize],
                    );
                    got.push((l.detection.kind.id().to_string(), orig.into_owned()));
                }
            },
        )
        .unwrap()
        .unwrap();
    for e in escaped() {
        assert!(
            got.contains(&(e.kind.to_string(), e.value.to_string())),
            "{} {}: {got:?}",
            e.kind,
            e.value
        );
    }
}

/// JSON inside a container goes through the same scanner: escaped values
/// in a gzipped NDJSON member are found with the member's offsets.
#[test]
fn escaped_json_inside_a_gzip_member() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&read_json_fixture()).unwrap();
    std::fs::write(dir.path().join("escaped.ndjson.gz"), gz.finish().unwrap()).unwrap();
    let found = binary_findings(dir.path(), "escaped.ndjson.gz");
    let text = String::from_utf8(read_json_fixture()).unwrap();
    for e in escaped() {
        let start = text.find(e.value).unwrap() as u64;
        let want = Got {
            kind: e.kind.to_string(),
            start,
            end: start + e.value.len() as u64,
            location: e.location.clone(),
        };
        assert!(found.contains(&want), "{want:?}: {found:?}");
    }
}
