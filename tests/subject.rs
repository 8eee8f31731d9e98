//! End-to-end tests of `piiscan subject find|export|erase`: the built
//! binary on `fixtures/subject/` (one synthetic person, Иванова Анна
//! Сергеевна, over a chat log, a Windows-1251 CRM export, a pg_dump, an
//! Asterisk CDR and NDJSON, among a namesake whose phone differs in one
//! digit, a namesake with nothing else in common, and unrelated people).
//! Regenerate the fixtures with `scripts/make-subject-fixtures`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ANNA: &[&str] = &[
    "--phone",
    "+7 912 345-67-89",
    "--email",
    "anna.ivanova@example.ru",
    "--inn",
    "590212345696",
    "--snils",
    "123-456-789 64",
    "--passport",
    "4508 123456",
    "--name",
    "Иванова Анна Сергеевна",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn piiscan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    c.env("PIISCAN_KEY", "test key for subject requests");
    c
}

fn run(args: &[&str], dir: &Path) -> Output {
    piiscan().args(args).current_dir(dir).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn events(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A copy of the fixtures in a temporary directory, as `src/`.
fn copy_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for e in std::fs::read_dir(fixtures().join("subject")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), src.join(e.file_name())).unwrap();
    }
    dir
}

/// The text of `bytes` in the file's encoding (the CRM export is CP1251).
fn decode(path: &str, bytes: &[u8]) -> String {
    if path.ends_with("crm_clients.csv") {
        encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned()
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}

/// (file name, value at start..end, match, identifier) of every match of
/// `subject` at or above `min` confidence, read from the input's bytes.
fn matched(dir: &Path, evs: &[serde_json::Value], subject: &str, min: f64) -> Vec<[String; 4]> {
    let mut out: Vec<[String; 4]> = evs
        .iter()
        .filter(|e| e["type"] == "subject_match" && e["subject"] == subject)
        .filter(|e| e["confidence"].as_f64().unwrap() >= min)
        .map(|e| {
            let path = e["path"].as_str().unwrap();
            let data = std::fs::read(dir.join(path)).unwrap();
            let (s, en) = (
                e["start"].as_u64().unwrap() as usize,
                e["end"].as_u64().unwrap() as usize,
            );
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            [
                name.into_owned(),
                decode(path, &data[s..en]),
                e["match"].as_str().unwrap().to_string(),
                e["identifier"].as_str().unwrap_or("").to_string(),
            ]
        })
        .collect();
    out.sort();
    out
}

fn row(file: &str, value: &str, how: &str, id: &str) -> [String; 4] {
    [file.into(), value.into(), how.into(), id.into()]
}

/// Every occurrence of Анна, in every spelling, and what her records link.
fn anna_expected() -> Vec<[String; 4]> {
    let mut v = vec![
        row("Master.csv", "89123456789", "direct", "phone"),
        row("Master.csv", "89123456789", "direct", "phone"),
        row("Master.csv", "84951234567", "linked", ""),
        row("Master.csv", "84951234567", "linked", ""),
        row("Master.csv", "9123456789", "direct", "phone"),
        row("Master.csv", "9123456789", "direct", "phone"),
        row("chat_ru.txt", "Иванова Анна Сергеевна", "direct", "name"),
        row("chat_ru.txt", "8 912 345 67 89", "direct", "phone"),
        row("chat_ru.txt", "ANNA.IVANOVA@Example.RU", "direct", "email"),
        row("chat_ru.txt", "+79123456789", "direct", "phone"),
        row("chat_ru.txt", "Ивановой А.С.", "direct", "name"),
        row("chat_ru.txt", "8-912-345-67-89", "direct", "phone"),
        row("chat_ru.txt", "7(912)3456789", "direct", "phone"),
        row(
            "crm_clients.csv",
            "Иванова Анна Сергеевна",
            "direct",
            "name",
        ),
        row("crm_clients.csv", "+7 (912) 345-67-89", "direct", "phone"),
        row(
            "crm_clients.csv",
            "anna.ivanova@example.ru",
            "direct",
            "email",
        ),
        row("crm_clients.csv", "12.05.1987", "linked", ""),
        row(
            "crm_clients.csv",
            "г. Пермь, ул. Ленина, д. 5, кв. 12",
            "linked",
            "",
        ),
        row("crm_clients.csv", "590212345696", "direct", "inn"),
        row(
            "customers_pg.sql",
            "Иванова Анна Сергеевна",
            "direct",
            "name",
        ),
        row("customers_pg.sql", "79123456789", "direct", "phone"),
        row(
            "customers_pg.sql",
            "anna.ivanova@example.ru",
            "direct",
            "email",
        ),
        row("customers_pg.sql", "123-456-789 64", "direct", "snils"),
        row("customers_pg.sql", "4508 123456", "direct", "passport"),
        row("customers_pg.sql", "Ивановой А.С.", "direct", "name"),
        row("customers_pg.sql", "89123456789", "direct", "phone"),
        row("events.ndjson", "Анна Иванова", "direct", "name"),
        row(
            "events.ndjson",
            "Anna.Ivanova@EXAMPLE.ru",
            "direct",
            "email",
        ),
        row("events.ndjson", "+7 912 345 67 89", "direct", "phone"),
        row("events.ndjson", "590212345696", "direct", "inn"),
        row("events.ndjson", "123-456-789 64", "direct", "snils"),
        row("events.ndjson", "1987-05-12", "linked", ""),
    ];
    v.sort();
    v
}

/// Values of the other people that must never be reported as Анна's.
const OTHERS: &[&str] = &[
    "345-67-88",
    "3456788",
    "345 67 88",
    "example.com",
    "590212345760",
    "123-456-790 57",
    "4508 123457",
    "3451122",
    "345-11-22",
    "petrov",
    "590498765418",
    "84957654321",
    "03.11.1990",
    "Мира",
];

#[test]
fn find_returns_every_occurrence_and_nothing_of_the_others() {
    let dir = fixtures();
    let mut args = vec!["subject", "find", "subject", "-f", "jsonl", "--id", "anna"];
    args.extend_from_slice(ANNA);
    let o = run(&args, &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let evs = events(&o);
    let strong = matched(&dir, &evs, "anna", 0.5);
    assert_eq!(strong, anna_expected());
    for [file, value, ..] in &strong {
        for other in OTHERS {
            assert!(!value.contains(other), "{file}: {value} is not Анна's");
        }
    }
    // No raw values without --show-values.
    assert!(evs.iter().all(|e| e.get("value").is_none()));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains("anna.ivanova@example.ru"), "{text}");
    // The namesakes' names are the same words: reported, as weak evidence
    // only, and they claim nothing of their records.
    let weak: Vec<_> = evs
        .iter()
        .filter(|e| e["type"] == "subject_match" && e["confidence"].as_f64().unwrap() < 0.5)
        .collect();
    let weak_places: Vec<(String, u64)> = weak
        .iter()
        .map(|e| {
            assert_eq!(e["kind"], "person");
            assert_eq!(e["identifier"], "name");
            assert_eq!(e["match"], "direct");
            let p = e["path"].as_str().unwrap();
            (
                Path::new(p).file_name().unwrap().to_string_lossy().into(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        weak_places,
        [
            ("chat_ru.txt".to_string(), 9),
            ("chat_ru.txt".to_string(), 15),
            ("crm_clients.csv".to_string(), 3),
            ("crm_clients.csv".to_string(), 5),
            ("customers_pg.sql".to_string(), 21),
            ("events.ndjson".to_string(), 3),
        ]
    );
    let summary = evs.iter().find(|e| e["type"] == "subject_summary").unwrap();
    assert_eq!(summary["subject"], "anna");
    assert_eq!(summary["matches"], 38);
    assert_eq!(summary["name_only"], 6);
    assert_eq!(summary["linked"], 5);
    assert_eq!(summary["files"], 5);
}

#[test]
fn text_output_is_grouped_and_masked() {
    let dir = fixtures();
    let mut args = vec!["subject", "find", "subject/chat_ru.txt"];
    args.extend_from_slice(ANNA);
    let o = run(&args, &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("subject subject: 9 matches"), "{text}");
    assert!(
        text.contains("subject/chat_ru.txt:2:114 phone * *** *** ** 89  [direct phone 0.99]"),
        "{text}"
    );
    assert!(text.contains("(name only: weak evidence)"), "{text}");
    assert!(!text.contains("345 67 89"), "{text}");
    // With --show-values the value is printed.
    let mut args = vec!["subject", "find", "subject/chat_ru.txt", "--show-values"];
    args.extend_from_slice(ANNA);
    let o = run(&args, &dir);
    assert!(String::from_utf8_lossy(&o.stdout).contains("8 912 345 67 89"));
}

#[test]
fn nothing_found_exits_0_and_bad_identifiers_exit_2() {
    let dir = fixtures();
    let o = run(
        &["subject", "find", "subject", "--phone", "+7 912 345-67-80"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 matches"));
    for bad in [
        &["--phone", "12345"][..],
        &["--inn", "590212345697"],
        &["--name", "Анна"],
        &[],
    ] {
        let mut args = vec!["subject", "find", "subject"];
        args.extend_from_slice(bad);
        let o = run(&args, &dir);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&o).starts_with("piiscan: "), "{}", stderr(&o));
    }
}

#[test]
fn no_linkage_reports_direct_matches_only() {
    let dir = fixtures();
    let mut args = vec!["subject", "find", "subject", "-f", "jsonl", "--no-linkage"];
    args.extend_from_slice(ANNA);
    let evs = events(&run(&args, &dir));
    let got = matched(&dir, &evs, "subject", 0.5);
    let want: Vec<_> = anna_expected()
        .into_iter()
        .filter(|r| r[2] == "direct")
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_name_alone_is_weak_and_claims_nothing() {
    let dir = fixtures();
    let o = run(
        &[
            "subject",
            "find",
            "subject",
            "-f",
            "jsonl",
            "--name",
            "Иванова Анна Сергеевна",
        ],
        &dir,
    );
    let evs = events(&o);
    let ms: Vec<_> = evs
        .iter()
        .filter(|e| e["type"] == "subject_match")
        .collect();
    // Every spelling of the name, and nothing else.
    assert_eq!(ms.len(), 12, "{ms:#?}");
    for m in ms {
        assert_eq!(m["match"], "direct");
        assert_eq!(m["kind"], "person");
        assert_eq!(m["confidence"], 0.3);
    }
}

#[test]
fn subject_file_gives_one_report_per_subject() {
    let dir = fixtures();
    let o = run(
        &[
            "subject",
            "find",
            "subject",
            "-f",
            "jsonl",
            "--subject",
            "subject-requests/subjects.toml",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let evs = events(&o);
    let summaries: Vec<&str> = evs
        .iter()
        .filter(|e| e["type"] == "subject_summary")
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, ["anna", "twin"]);
    assert_eq!(matched(&dir, &evs, "anna", 0.5), anna_expected());
    // The twin: her own phone (one digit off), never Анна's.
    let twin = matched(&dir, &evs, "twin", 0.5);
    assert!(twin.iter().any(|r| r[1] == "+7 912 345-67-88"), "{twin:?}");
    for r in &twin {
        assert!(
            !r[1].contains("67-89") && !r[1].ends_with("3456789"),
            "{r:?}"
        );
        assert!(!r[1].contains("example.ru"), "{r:?}");
    }
    // A subject file with an unknown key is refused.
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("s.toml"),
        "[[subject]]\nphon = \"+79123456789\"\n",
    )
    .unwrap();
    let s = d.path().join("s.toml");
    let o = run(
        &[
            "subject",
            "find",
            "subject",
            "--subject",
            s.to_str().unwrap(),
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("phon"), "{}", stderr(&o));
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn export_writes_a_private_bundle_and_says_so() {
    let dir = copy_fixtures();
    let d = dir.path();
    let mut args = vec![
        "subject",
        "export",
        "src",
        "--out",
        "bundle.json",
        "--id",
        "anna",
    ];
    args.extend_from_slice(ANNA);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("RAW PERSONAL DATA (mode 0600)"), "{err}");
    assert!(err.contains("6 name-only matches left out"), "{err}");
    #[cfg(unix)]
    assert_eq!(mode(&d.join("bundle.json")), 0o600);
    let b: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("bundle.json")).unwrap()).unwrap();
    let s = &b["subjects"][0];
    assert_eq!(s["id"], "anna");
    let sources = s["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 5);
    let mut values: Vec<[String; 2]> = Vec::new();
    for src in sources {
        let file = Path::new(src["path"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for rec in src["records"].as_array().unwrap() {
            assert!(rec["record"].is_object());
            for v in rec["values"].as_array().unwrap() {
                values.push([file.clone(), v["value"].as_str().unwrap().to_string()]);
            }
        }
    }
    values.sort();
    let want: Vec<[String; 2]> = anna_expected()
        .into_iter()
        .map(|[f, v, ..]| [f, v])
        .collect();
    assert_eq!(values, want);
    // The CRM row is one record: name, phone, e-mail, birth date, address, INN.
    let crm = sources
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with("crm_clients.csv"))
        .unwrap();
    assert_eq!(crm["records"][0]["record"], serde_json::json!({"row": 1}));
    assert_eq!(crm["records"][0]["values"].as_array().unwrap().len(), 6);

    // CSV bundle.
    let mut args = vec![
        "subject",
        "export",
        "src",
        "--out",
        "bundle.csv",
        "-f",
        "csv",
    ];
    args.extend_from_slice(ANNA);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut r = csv::Reader::from_path(d.join("bundle.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    assert_eq!(&header[10], "value");
    assert_eq!(r.records().count(), 32);
    #[cfg(unix)]
    assert_eq!(mode(&d.join("bundle.csv")), 0o600);
}

/// Checks that `out` is `input` with only `spans` (sorted, disjoint)
/// replaced: every byte outside them is identical and in order, and each
/// replacement stays on its line.
fn only_spans_changed(input: &[u8], out: &[u8], spans: &[(usize, usize)]) {
    let mut pattern = String::from("(?s-u)^");
    let mut at = 0;
    for &(s, e) in spans {
        pattern.push_str(&regex::bytes::escape_bytes(&input[at..s]));
        pattern.push_str("[^\\n]{0,120}?");
        at = e;
    }
    pattern.push_str(&regex::bytes::escape_bytes(&input[at..]));
    pattern.push('$');
    let re = regex::bytes::Regex::new(&pattern).unwrap();
    assert!(
        re.is_match(out),
        "bytes outside the erased spans changed:\n{}",
        String::from_utf8_lossy(out)
    );
}

mod regex {
    pub mod bytes {
        pub use ::regex::bytes::Regex;
        /// `regex::escape` for arbitrary bytes (`\xNN` for non-ASCII).
        pub fn escape_bytes(b: &[u8]) -> String {
            let mut s = String::new();
            for &c in b {
                if c.is_ascii_alphanumeric() || c == b' ' {
                    s.push(c as char);
                } else {
                    s.push_str(&format!("\\x{c:02X}"));
                }
            }
            s
        }
    }
}

fn receipt_places(receipt: &serde_json::Value) -> BTreeMap<String, Vec<(usize, usize)>> {
    let mut m: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for p in receipt["places"].as_array().unwrap() {
        m.entry(p["file"].as_str().unwrap().to_string())
            .or_default()
            .push((
                p["start"].as_u64().unwrap() as usize,
                p["end"].as_u64().unwrap() as usize,
            ));
    }
    for v in m.values_mut() {
        v.sort();
        v.dedup();
    }
    m
}

#[test]
fn erase_leaves_no_occurrence_and_changes_no_other_byte() {
    let dir = copy_fixtures();
    let d = dir.path();
    let mut args = vec!["subject", "erase", "src", "--out", "out", "--id", "anna"];
    args.extend_from_slice(ANNA);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("erased 32 values"), "{}", stderr(&o));
    // The receipt: private, every place, never a value.
    let receipt_path = d.join("out/erasure-receipt.json");
    #[cfg(unix)]
    assert_eq!(mode(&receipt_path), 0o600);
    let text = std::fs::read_to_string(&receipt_path).unwrap();
    for raw in [
        "345-67-89",
        "3456789",
        "anna.ivanova",
        "ANNA.IVANOVA",
        "590212345696",
        "123-456-789",
        "4508 123456",
        "Иванова",
        "Ленина",
        "1987",
    ] {
        assert!(!text.contains(raw), "the receipt holds {raw:?}");
    }
    let receipt: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(receipt["erased"], 32);
    let places = receipt["places"].as_array().unwrap();
    assert_eq!(places.len(), 32);
    for p in places {
        for key in [
            "file",
            "kind",
            "fingerprint",
            "strategy",
            "line",
            "start",
            "end",
        ] {
            assert!(!p[key].is_null(), "{key} missing in {p}");
        }
        assert_eq!(p["strategy"], "mask");
        assert!(p.get("value").is_none());
    }
    let per_source: BTreeMap<String, u64> = receipt["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["file"].as_str().unwrap().to_string(),
                s["erased"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_source,
        BTreeMap::from([
            ("src/Master.csv".to_string(), 6),
            ("src/chat_ru.txt".to_string(), 7),
            ("src/crm_clients.csv".to_string(), 6),
            ("src/customers_pg.sql".to_string(), 7),
            ("src/events.ndjson".to_string(), 6),
        ])
    );
    // Every other byte identical, in every file (the CP1251 one too).
    let spans = receipt_places(&receipt);
    for (file, spans) in &spans {
        let input = std::fs::read(d.join(file)).unwrap();
        let out = std::fs::read(d.join("out").join(file)).unwrap();
        only_spans_changed(&input, &out, spans);
    }
    // The CP1251 export is still CP1251 and the neighbour's row untouched.
    let crm = std::fs::read(d.join("out/src/crm_clients.csv")).unwrap();
    let (crm, _, bad) = encoding_rs::WINDOWS_1251.decode(&crm);
    assert!(!bad);
    assert!(
        crm.contains("102;Иванова Анна Сергеевна;+7 (912) 345-67-88;"),
        "{crm}"
    );
    // The same search over the output finds nothing of her.
    let mut args = vec!["subject", "find", "out/src", "-f", "jsonl"];
    args.extend_from_slice(ANNA);
    let evs = events(&run(&args, d));
    assert_eq!(matched(d, &evs, "subject", 0.5), Vec::<[String; 4]>::new());
    // ... and everything of the others is still there.
    let o = run(
        &[
            "subject",
            "find",
            "out/src",
            "-f",
            "jsonl",
            "--subject",
            &fixtures()
                .join("subject-requests/subjects.toml")
                .to_string_lossy(),
        ],
        d,
    );
    let twin_after = matched(d, &events(&o), "twin", 0.5);
    let o = run(
        &[
            "subject",
            "find",
            "src",
            "-f",
            "jsonl",
            "--subject",
            &fixtures()
                .join("subject-requests/subjects.toml")
                .to_string_lossy(),
        ],
        d,
    );
    let twin_before = matched(d, &events(&o), "twin", 0.5);
    let strip =
        |v: Vec<[String; 4]>| -> Vec<String> { v.into_iter().map(|r| r[1].clone()).collect() };
    assert_eq!(strip(twin_after), strip(twin_before));
}

#[test]
fn drop_records_removes_records_and_keeps_files_parseable() {
    let dir = copy_fixtures();
    let d = dir.path();
    let mut args = vec!["subject", "erase", "src", "--out", "out", "--drop-records"];
    args.extend_from_slice(ANNA);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let receipt: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("out/erasure-receipt.json")).unwrap())
            .unwrap();
    // CSV row 101, COPY row 1, the one-row INSERT, NDJSON records 1-2,
    // CDR records 1-2.
    assert_eq!(receipt["records_dropped"], 7, "{receipt:#}");
    // CSV: header and the three other rows, every row with its 7 fields.
    let crm = std::fs::read(d.join("out/src/crm_clients.csv")).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(crm.as_slice());
    let ids: Vec<String> = r
        .byte_records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), 7);
            String::from_utf8_lossy(&rec[0]).into_owned()
        })
        .collect();
    assert_eq!(ids, ["102", "103", "104"]);
    // NDJSON: every line still a JSON object; hers are gone.
    let nd = std::fs::read_to_string(d.join("out/src/events.ndjson")).unwrap();
    let lines: Vec<serde_json::Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(!nd.contains("EXAMPLE.ru") && !nd.contains("590212345696"));
    // pg_dump: the COPY block keeps its shape (7 columns, the terminator).
    let sql = std::fs::read_to_string(d.join("out/src/customers_pg.sql")).unwrap();
    let copy: Vec<&str> = sql
        .lines()
        .skip_while(|l| !l.starts_with("COPY public.customers"))
        .skip(1)
        .take_while(|l| *l != "\\.")
        .collect();
    assert_eq!(copy.len(), 2, "{sql}");
    assert!(copy.iter().all(|l| l.split('\t').count() == 7), "{sql}");
    assert!(sql.contains("\n\\.\n"));
    assert!(
        !sql.contains("INSERT INTO public.notes VALUES (1,"),
        "{sql}"
    );
    assert!(sql.contains("INSERT INTO public.notes VALUES (2,"), "{sql}");
    // CDR: the neighbour's records stay, byte for byte.
    let cdr = std::fs::read_to_string(d.join("out/src/Master.csv")).unwrap();
    let orig = std::fs::read_to_string(d.join("src/Master.csv")).unwrap();
    assert_eq!(
        cdr,
        orig.lines()
            .skip(2)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    // Free text has no records: its values are replaced.
    let chat = std::fs::read_to_string(d.join("out/src/chat_ru.txt")).unwrap();
    assert_eq!(chat.lines().count(), 15);
    assert!(!chat.contains("345 67 89"));
    let mut args = vec!["subject", "find", "out/src", "-f", "jsonl"];
    args.extend_from_slice(ANNA);
    let evs = events(&run(&args, d));
    assert_eq!(matched(d, &evs, "subject", 0.5), Vec::<[String; 4]>::new());
}

#[test]
fn erase_strategies_are_those_of_redact() {
    let dir = copy_fixtures();
    let d = dir.path();
    let mut args = vec![
        "subject",
        "erase",
        "src/events.ndjson",
        "--out",
        "out",
        "--strategy",
        "phone=pseudonym,email=label",
    ];
    args.extend_from_slice(ANNA);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let nd = std::fs::read_to_string(d.join("out/events.ndjson")).unwrap();
    let first: serde_json::Value = serde_json::from_str(nd.lines().next().unwrap()).unwrap();
    assert_eq!(first["user"]["email"], "[EMAIL]");
    assert!(
        first["user"]["phone"]
            .as_str()
            .unwrap()
            .starts_with("PHONE_")
    );
    // The neighbour's line is untouched.
    let orig = std::fs::read_to_string(d.join("src/events.ndjson")).unwrap();
    assert_eq!(nd.lines().nth(2), orig.lines().nth(2));
}

/// Issue #6: the subject's identifiers join the engine's pass, so a value
/// the engine alone does not report (scored below the threshold by a
/// negative context word, an INN without a context word, a bare phone in a
/// column with no phone-like name) is still found; a value one digit off
/// never is.
#[test]
fn identifiers_are_found_where_the_engine_alone_reports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("notes.txt"),
        "Заказ 8 912 345 67 89 оформлен вчера\n\
         Заказ 8 912 345 67 88 оформлен вчера\n\
         справка 5902123458 приложена\n\
         справка 5902123465 приложена\n\
         паспорт?? 4508 123456 / 4508 123457\n",
    )
    .unwrap();
    std::fs::write(
        d.join("refs.csv"),
        "id,ref,comment\n1,9123456789,ok\n2,9123456788,ok\n",
    )
    .unwrap();
    // The engine alone, at the default threshold: none of these.
    let o = run(&["scan", ".", "-f", "jsonl"], d);
    let scanned = events(&o);
    let found: Vec<&serde_json::Value> = scanned
        .iter()
        .filter(|e| e["type"] == "finding" && e["kind"] != "passport_ru")
        .collect();
    assert!(found.is_empty(), "{found:?}");

    let o = run(
        &[
            "subject",
            "find",
            ".",
            "-f",
            "jsonl",
            "--phone",
            "+7 912 345-67-89",
            "--inn",
            "5902123458",
            "--passport",
            "4508 123456",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got = matched(d, &events(&o), "subject", 0.5);
    assert_eq!(
        got,
        [
            row("notes.txt", "4508 123456", "direct", "passport"),
            row("notes.txt", "5902123458", "direct", "inn"),
            row("notes.txt", "8 912 345 67 89", "direct", "phone"),
            row("refs.csv", "9123456789", "direct", "phone"),
        ]
    );
}

/// `subject` commands read `piiscan.toml` as `scan` and `redact` do: its
/// exclude globs narrow the walk, its `[redact]` table is erase's policy
/// (flags still win), and an `ignore` list never hides the identifiers a
/// person asked about.
#[test]
fn subject_commands_read_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = d.join("src");
    std::fs::create_dir_all(src.join("ignored")).unwrap();
    std::fs::write(
        src.join("piiscan.toml"),
        "exclude = [\"**/ignored/**\"]\nignore = [\"phone\"]\n\n[redact]\ndefault = \"label\"\n",
    )
    .unwrap();
    let line = "клиент, тел. +7 912 345-67-89, почта anna.ivanova@example.ru\n";
    std::fs::write(src.join("a.txt"), line).unwrap();
    std::fs::write(src.join("ignored/b.txt"), line).unwrap();
    let ids = [
        "--phone",
        "+7 912 345-67-89",
        "--email",
        "anna.ivanova@example.ru",
    ];
    let mut args = vec!["subject", "find", "src", "-f", "jsonl"];
    args.extend_from_slice(&ids);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got = matched(d, &events(&o), "subject", 0.5);
    assert_eq!(
        got,
        [
            row("a.txt", "+7 912 345-67-89", "direct", "phone"),
            row("a.txt", "anna.ivanova@example.ru", "direct", "email"),
        ]
    );
    // Without the config the excluded file is searched too.
    args.push("--no-config");
    let o = run(&args, d);
    assert_eq!(matched(d, &events(&o), "subject", 0.5).len(), 4);

    let mut args = vec!["subject", "erase", "src", "--out", "out"];
    args.extend_from_slice(&ids);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read_to_string(d.join("out/src/a.txt")).unwrap();
    assert_eq!(out, "клиент, тел. [PHONE], почта [EMAIL]\n");
    // A flag wins over the config.
    let mut args = vec![
        "subject",
        "erase",
        "src",
        "--out",
        "out2",
        "--default-strategy",
        "mask",
    ];
    args.extend_from_slice(&ids);
    let o = run(&args, d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read_to_string(d.join("out2/src/a.txt")).unwrap();
    assert!(!out.contains("[PHONE]") && !out.contains("912"), "{out}");
}

fn tar_gz(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, &data[..]).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

fn untar_gz(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    ar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            (name, data)
        })
        .collect()
}

/// An archive holding the subject's data is rewritten as the same kind:
/// each member gets exactly the erasure the same file gets on its own, a
/// member without the subject's data keeps every byte.
#[test]
fn erase_rewrites_archives_member_by_member() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let chat = std::fs::read(fixtures().join("subject/chat_ru.txt")).unwrap();
    let events = std::fs::read(fixtures().join("subject/events.ndjson")).unwrap();
    let notes = b"no personal data here, only a release note\n".to_vec();
    std::fs::create_dir_all(d.join("arc")).unwrap();
    std::fs::create_dir_all(d.join("plain")).unwrap();
    std::fs::write(
        d.join("arc/backup.tar.gz"),
        tar_gz(&[
            ("chat_ru.txt", chat.clone()),
            ("notes.txt", notes.clone()),
            ("events.ndjson", events.clone()),
        ]),
    )
    .unwrap();
    std::fs::write(d.join("plain/chat_ru.txt"), &chat).unwrap();
    std::fs::write(d.join("plain/events.ndjson"), &events).unwrap();

    for input in ["arc", "plain"] {
        let out = format!("out-{input}");
        let mut args = vec!["subject", "erase", input, "--out", &out];
        args.extend_from_slice(ANNA);
        let o = run(&args, d);
        assert_eq!(o.status.code(), Some(1), "{input}: {}", stderr(&o));
    }
    let find = |root: &Path, name: &str| -> PathBuf {
        walk_files(root)
            .into_iter()
            .find(|p| p.file_name().is_some_and(|n| n == name))
            .unwrap_or_else(|| panic!("{name} not under {}", root.display()))
    };
    let members = untar_gz(&std::fs::read(find(&d.join("out-arc"), "backup.tar.gz")).unwrap());
    assert_eq!(members.len(), 3);
    assert_eq!(members["notes.txt"], notes);
    for name in ["chat_ru.txt", "events.ndjson"] {
        let alone = std::fs::read(find(&d.join("out-plain"), name)).unwrap();
        assert_ne!(alone, std::fs::read(d.join("plain").join(name)).unwrap());
        assert_eq!(members[name], alone, "{name}");
    }
    // Nothing of hers is left in the rewritten archive but the name-only
    // matches erase leaves by design (as in the plain files).
    let mut args = vec!["subject", "find", "out-arc"];
    args.extend_from_slice(ANNA);
    let o = run(&args, d);
    let text = String::from_utf8_lossy(&o.stdout);
    let places: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("out-arc/"))
        .collect();
    assert!(!places.is_empty(), "{text}");
    assert!(places.iter().all(|l| l.contains("name only")), "{text}");
}

fn walk_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                stack.push(e);
            } else {
                out.push(e);
            }
        }
    }
    out
}

/// A Cyrillic subject name also finds its Latin spellings (passport
/// transliteration, `Anna Ivanova`, `A. Ivanova`, `Ivanova A.S.`): weak alone, as a
/// Cyrillic name is, corroborated (and linking its record) next to her
/// phone; another first name or surname (`Ivanov Anton`, `Petrova Anna`)
/// never matches.
#[test]
fn latin_spellings_of_a_cyrillic_name_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("notes.txt"),
        "Contact: Ivanova Anna, tel +7 912 345-67-89.\n\
         Meeting with A. Ivanova tomorrow.\n\
         Ivanov Anton called.\n\
         Petrova Anna wrote.\n\
         Signed: Ivanova A.S.\n",
    )
    .unwrap();
    std::fs::write(
        d.join("clients.csv"),
        "id,name,phone,email\n\
         1,Ivanova Anna,+7 912 345-67-89,anna.i@example.com\n\
         2,A. Ivanova,,\n\
         3,Ivanov Anton,+7 912 345-67-00,anton@example.com\n\
         4,Petrova Anna,+7 912 345-67-01,petrova@example.com\n",
    )
    .unwrap();
    let find = |extra: &[&str]| {
        let mut args = vec!["subject", "find", ".", "-f", "jsonl"];
        args.extend_from_slice(extra);
        let o = run(&args, d);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let evs = events(&o);
        let mut got: Vec<(String, f64)> = evs
            .iter()
            .filter(|e| e["type"] == "subject_match")
            .map(|e| {
                let path = e["path"].as_str().unwrap();
                let data = std::fs::read(d.join(path)).unwrap();
                let (s, en) = (
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                );
                let v = format!(
                    "{} {} {} {}",
                    path.trim_start_matches("./"),
                    String::from_utf8_lossy(&data[s..en]),
                    e["match"].as_str().unwrap(),
                    e["identifier"].as_str().unwrap_or(""),
                );
                (v, e["confidence"].as_f64().unwrap())
            })
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        got
    };
    let name = ["--name", "Иванова Анна Сергеевна"];
    let s = |v: &str, c: f64| (v.to_string(), c);
    assert_eq!(
        find(&name),
        [
            s("clients.csv A. Ivanova direct name", 0.3),
            s("clients.csv Ivanova Anna direct name", 0.3),
            s("notes.txt A. Ivanova direct name", 0.3),
            s("notes.txt Ivanova A.S. direct name", 0.3),
            s("notes.txt Ivanova Anna direct name", 0.3),
        ]
    );
    let mut both = vec!["--phone", "+7 912 345-67-89"];
    both.extend_from_slice(&name);
    assert_eq!(
        find(&both),
        [
            s("clients.csv +7 912 345-67-89 direct phone", 0.99),
            s("clients.csv A. Ivanova direct name", 0.3),
            s("clients.csv Ivanova Anna direct name", 0.9),
            s("clients.csv anna.i@example.com linked ", 0.8),
            s("notes.txt +7 912 345-67-89 direct phone", 0.99),
            s("notes.txt A. Ivanova direct name", 0.3),
            s("notes.txt Ivanova A.S. direct name", 0.3),
            s("notes.txt Ivanova Anna direct name", 0.9),
        ]
    );
}

/// Initials transliterated with two or four letters (`Yu.` for Ю, `Kh.`
/// for Х) and the one-letter `K.` for Х are read as initials and match.
#[test]
fn transliterated_initials_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("notes.txt"),
        "Report signed by Yu. A. Shcherbakova on Monday.\n\
         Copy to Ya. Shcherbakova.\n\
         Approved: K. O. Khromova\n\
         Cc: Kh. Khromova, Shch. Khromova\n",
    )
    .unwrap();
    let found = |name: &str| -> Vec<String> {
        let o = run(&["subject", "find", ".", "-f", "jsonl", "--name", name], d);
        let data = std::fs::read(d.join("notes.txt")).unwrap();
        let mut got: Vec<String> = events(&o)
            .iter()
            .filter(|e| e["type"] == "subject_match")
            .map(|e| {
                let (s, en) = (
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                );
                String::from_utf8_lossy(&data[s..en]).into_owned()
            })
            .collect();
        got.sort();
        got
    };
    assert_eq!(found("Щербакова Юлия Андреевна"), ["Yu. A. Shcherbakova"]);
    assert_eq!(
        found("Хромова Христина Олеговна"),
        ["K. O. Khromova", "Kh. Khromova"]
    );
    // `scan` reads them as names too, with the whole initials in the span.
    let o = run(&["scan", "notes.txt", "-f", "jsonl", "--show-values"], d);
    let names: Vec<String> = events(&o)
        .iter()
        .filter(|e| e["type"] == "finding" && e["kind"] == "person")
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect();
    for n in ["Yu. A. Shcherbakova", "Ya. Shcherbakova", "Shch. Khromova"] {
        assert!(names.iter().any(|v| v == n), "{n}: {names:?}");
    }
}

/// A file a time limit stops is neither fully searched nor erased, and
/// every report says so: `find` reports it skipped with the reason, and
/// `erase` writes no copy of it, counts none of its values as erased,
/// lists it under `not_searched` in the receipt and exits 2.
#[test]
fn a_time_limit_is_honoured_and_never_reported_as_erased() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    // ~12 MB: far more than one chunk, far more than 1 ms of scanning.
    let mut big = String::new();
    for i in 0..300_000u32 {
        let phone = if i % 1000 == 0 {
            "+7 912 345-67-89"
        } else {
            "+7 912 000-00-00"
        };
        big.push_str(&format!("order {i} client {phone} paid 100 rub\n"));
    }
    std::fs::write(src.join("big.log"), &big).unwrap();
    std::fs::write(src.join("small.txt"), "тел. +7 912 345-67-89\n").unwrap();
    let id = ["--phone", "+7 912 345-67-89", "--no-config", "-j", "1"];

    let mut args = vec![
        "subject",
        "find",
        "--format",
        "jsonl",
        "--file-timeout",
        "0.001",
    ];
    args.extend(id);
    args.push("src");
    let o = run(&args, dir.path());
    let skipped: Vec<_> = events(&o)
        .into_iter()
        .filter(|e| e["type"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{}", stderr(&o));
    assert_eq!(skipped[0]["path"], "src/big.log");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("--file-timeout")
    );
    // At a terminal too: the reason, not only a count.
    let mut args = vec!["subject", "find", "--file-timeout", "0.001"];
    args.extend(id);
    args.push("src");
    let text = String::from_utf8(run(&args, dir.path()).stdout).unwrap();
    assert!(text.contains("skipped: time limit"), "{text}");
    // The portability bundle says what it may be missing.
    let export = |out: &str, format: &str| {
        let mut args = vec![
            "subject",
            "export",
            "--out",
            out,
            "-f",
            format,
            "--file-timeout",
            "0.001",
        ];
        args.extend(id);
        args.push("src");
        run(&args, dir.path())
    };
    let o = export("bundle.json", "json");
    assert!(
        stderr(&o).contains("not searched to the end"),
        "{}",
        stderr(&o)
    );
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bundle.json")).unwrap()).unwrap();
    assert_eq!(bundle["not_searched"][0]["file"], "src/big.log");
    // So does the CSV bundle, in a row of its own after the values.
    let o = export("bundle.csv", "csv");
    assert!(
        stderr(&o).contains("listed under not_searched"),
        "{}",
        stderr(&o)
    );
    let mut r = csv::Reader::from_path(dir.path().join("bundle.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let not_searched: Vec<&csv::StringRecord> =
        rows.iter().filter(|r| &r[7] == "not_searched").collect();
    assert_eq!(not_searched.len(), 1, "{rows:?}");
    assert_eq!(&not_searched[0][1], "src/big.log");
    assert!(not_searched[0][10].contains("--file-timeout"), "{rows:?}");
    assert_eq!(rows.last().unwrap(), not_searched[0]);
    assert!(
        rows.len() > 1,
        "the small file's values are there too: {rows:?}"
    );

    let mut args = vec![
        "subject",
        "erase",
        "--out",
        "out",
        "--file-timeout",
        "0.001",
    ];
    args.extend(id);
    args.push("src");
    let o = run(&args, dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("NOT erased"), "{}", stderr(&o));
    assert!(!dir.path().join("out/src/big.log").exists());
    let small = std::fs::read_to_string(dir.path().join("out/src/small.txt")).unwrap();
    assert!(!small.contains("345-67-89"), "{small}");
    let receipt: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("out/erasure-receipt.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(receipt["not_searched"][0]["file"], "src/big.log");
    let places = receipt["places"].as_array().unwrap();
    let erased = |file: &str| {
        places
            .iter()
            .filter(|p| p["file"] == file)
            .map(|p| p["erased"].as_bool().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(erased("src/small.txt"), [true]);
    assert!(erased("src/big.log").iter().all(|e| !e));
    assert_eq!(
        receipt["erased"].as_u64().unwrap() + receipt["not_erased"].as_u64().unwrap(),
        places.len() as u64
    );
    assert_eq!(receipt["erased"], 1);

    // Without the limit both files are searched and erased whole.
    let mut args = vec!["subject", "erase", "--out", "out2"];
    args.extend(id);
    args.push("src");
    let o = run(&args, dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read_to_string(dir.path().join("out2/src/big.log")).unwrap();
    assert!(!out.contains("345-67-89"));
    assert_eq!(out.matches("000-00-00").count(), 299_700);
}
