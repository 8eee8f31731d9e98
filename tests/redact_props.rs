//! Property tests of redaction: generated text with planted synthetic PII
//! in plain text, CSV, JSON and SQL INSERT forms. For every input:
//! - a scan of the redacted output finds nothing at or above the threshold;
//! - no byte outside the planted values is replaced (mask keeps lengths,
//!   so the bytes are compared position by position);
//! - CSV and JSON outputs still parse, with the same rows and fields.
//!
//! The cases come from a fixed seed, like the rest of the suite's
//! generated data, so a run is repeatable and CI's verdict depends on the
//! code alone; `PROPTEST_RNG_SEED=<u64>` explores other cases. Failures
//! found that way are kept below as plain tests.

use piiscan::detect::{Engine, RuleSet};
use piiscan::finding::{Fingerprinter, Kind};
use piiscan::redact::stream::{StreamConfig, redact_stream};
use piiscan::redact::verify::{Verifier, VerifyConfig};
use piiscan::redact::{RedactPolicy, Replacer, Strategy as How};
use piiscan::source::StreamScanner;
use piiscan::validators::{inn, luhn, ogrn, snils};
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};

struct Fixture {
    engine: Arc<Engine>,
    verifier: Verifier,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let engine = Arc::new(Engine::new(RuleSet::builtin()).unwrap());
        let verifier = Verifier::spawn(VerifyConfig {
            engine: engine.clone(),
            min_confidence: 0.5,
            fingerprinter: Fingerprinter::from_secret(b"props"),
        })
        .unwrap();
        Fixture { engine, verifier }
    })
}

/// Redacts `input` as file `name` under `strategy`; returns the output, the
/// replaced input spans, and whether the built-in re-scan was clean.
fn redact(name: &str, input: &[u8], strategy: How) -> (Vec<u8>, Vec<(u64, u64)>, bool) {
    let f = fixture();
    let policy = RedactPolicy {
        default: strategy,
        ..RedactPolicy::default()
    };
    let config = StreamConfig {
        engine: f.engine.clone(),
        replacer: Replacer::new(policy, Fingerprinter::from_secret(b"props")),
        min_confidence: 0.5,
        input_format: None,
        encoding: None,
        file_timeout: None,
        detailed: true,
    };
    let mut out = Vec::new();
    let mut spans = Vec::new();
    let mut scanner = StreamScanner::default();
    let r = redact_stream(
        &config,
        &mut scanner,
        &f.verifier,
        name,
        input,
        &mut out,
        &mut |batch| spans.extend(batch.iter().map(|r| (r.start, r.end))),
    )
    .unwrap();
    let clean = match r {
        Ok(o) => o.verdict.clean(),
        Err(_) => panic!("text taken for binary"),
    };
    (out, spans, clean)
}

/// Findings at or above 0.5 in `data` read as `name`.
fn findings(name: &str, data: &[u8]) -> Vec<(Kind, u64, u64)> {
    let f = fixture();
    let mut scanner = StreamScanner::default();
    let mut out = Vec::new();
    scanner
        .scan(&f.engine, data, name, None, None, |l| {
            if l.detection.confidence >= 0.5 {
                out.push((l.detection.kind, l.abs_start, l.abs_end));
            }
        })
        .unwrap()
        .unwrap();
    out
}

/// A planted value, unique per index: phones in two spellings, e-mail,
/// card, SNILS, IPv4, INN-12, OGRN.
fn planted(kind: u8, i: u32) -> String {
    match kind % 8 {
        0 => format!(
            "+7 900 0{:02}-{:02}-{:02}",
            i % 100,
            (i / 7) % 100,
            (i / 3) % 100
        ),
        1 => format!("client{i}@example.com"),
        2 => {
            let body = format!("4000001{:08}", i * 13);
            let c = luhn::luhn_check_digit(body.as_bytes());
            let d = format!("{body}{}", char::from(c));
            format!("{} {} {} {}", &d[..4], &d[4..8], &d[8..12], &d[12..])
        }
        3 => {
            let body = format!("{:09}", 112_233_445 + i * 101);
            let c = snils::snils_check_number(body.as_bytes());
            format!("{}-{}-{} {c:02}", &body[..3], &body[3..6], &body[6..])
        }
        4 => format!(
            "8 (900) 1{:02}-{:02}-{:02}",
            i % 100,
            (i / 5) % 100,
            (i / 11) % 100
        ),
        5 => format!("192.0.2.{}", i % 250 + 1),
        6 => {
            let body = format!("50{:08}", 1_007_321 + i * 7);
            let [a, b] = inn::inn12_check_digits(body.as_bytes());
            format!("{body}{}{}", char::from(a), char::from(b))
        }
        _ => {
            let body = format!("10277{:07}", 1_013_219 + i * 3);
            let c = ogrn::ogrn_check_digit(body.as_bytes());
            format!("{body}{}", char::from(c))
        }
    }
}

/// Filler: letters (Latin and Cyrillic), spaces and punctuation that no
/// detector fires on (no digits, no `@`, no `:`), including the format's
/// special characters so quoting and escaping are exercised.
fn filler() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("клиент"),
            Just("Анна"),
            Just("call me"),
            Just(" "),
            Just(", "),
            Just("\""),
            Just("'"),
            Just("\\"),
            Just(";"),
            Just("\n"),
            Just("tel."),
            Just("ok"),
            Just("{}"),
            Just("[x]"),
        ],
        0..8,
    )
    .prop_map(|v| v.concat())
}

/// Cells: (filler, optional planted (kind, index), filler).
fn cells() -> impl Strategy<Value = Vec<(String, Option<u8>, String)>> {
    proptest::collection::vec((filler(), proptest::option::of(0u8..8), filler()), 1..24)
}

fn planted_spans(input: &[u8], values: &[String]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for v in values {
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&input[from..], v.as_bytes()) {
            spans.push((from + i, from + i + v.len()));
            from += i + v.len();
        }
    }
    spans
}

/// The properties shared by every form.
fn check(name: &str, input: &[u8], values: &[String], strategy: How) -> Vec<u8> {
    let (out, replaced, clean) = redact(name, input, strategy);
    assert!(clean, "the re-scan found values in the output");
    let left = findings(name, &out);
    assert!(
        left.is_empty() || strategy == How::Fake,
        "{name}: {left:?} left in {:?}",
        String::from_utf8_lossy(&out)
    );
    let planted = planted_spans(input, values);
    for (s, e) in &replaced {
        assert!(
            planted
                .iter()
                .any(|&(ps, pe)| ps as u64 <= *s && *e <= pe as u64),
            "{name}: replaced {s}..{e} ({:?}) is not a planted value",
            String::from_utf8_lossy(&input[*s as usize..*e as usize])
        );
    }
    if strategy == How::Mask {
        // Planted values are ASCII, so a mask keeps byte lengths.
        assert_eq!(out.len(), input.len());
        let mut inside = vec![false; input.len()];
        for &(s, e) in &planted {
            inside[s..e].iter_mut().for_each(|b| *b = true);
        }
        for (i, (a, b)) in input.iter().zip(&out).enumerate() {
            if !inside[i] {
                assert_eq!(a, b, "{name}: byte {i} changed outside the planted values");
            }
        }
    }
    out
}

fn strategies() -> impl Strategy<Value = How> {
    prop_oneof![
        Just(How::Mask),
        Just(How::Mask),
        Just(How::Label),
        Just(How::Pseudonym),
        Just(How::Drop),
    ]
}

/// 256 cases from a fixed seed unless `PROPTEST_RNG_SEED` names one.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig {
        cases: 256,
        // The seed repeats a failure; no file of failures to keep.
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x7069_6973_6361_6e31);
    }
    config
}

/// Found by a random seed in CI: two cards and a phone side by side make
/// a digit chain of thirteen groups, which the tokenizer once cut at the
/// twelfth, in the middle of the phone.
#[test]
fn values_side_by_side_past_twelve_groups() {
    let values = [planted(2, 0), planted(2, 1), planted(4, 2)];
    let text = format!(" {} ", values.join("  "));
    for strategy in [How::Mask, How::Label, How::Drop] {
        check("notes.txt", text.as_bytes(), &values, strategy);
    }
}

/// Found by a random seed: a text that starts like JSON is read as a
/// JSON stream, where a bare IPv4 address got a number-shaped mask that
/// was an address again (`100.0.0.0`).
#[test]
fn a_bare_address_in_a_json_stream() {
    let values = [planted(5, 1)];
    let text = format!("{{}}\"  \" {} ", values[0]);
    for strategy in [How::Mask, How::Label, How::Pseudonym, How::Drop] {
        check("notes.txt", text.as_bytes(), &values, strategy);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn plain_text(cells in cells(), strategy in strategies()) {
        let mut text = String::new();
        let mut values = Vec::new();
        for (i, (a, p, b)) in cells.iter().enumerate() {
            text.push_str(a);
            text.push(' ');
            if let Some(k) = p {
                let v = planted(*k, i as u32);
                text.push_str(&v);
                values.push(v);
            }
            text.push(' ');
            text.push_str(b);
        }
        check("notes.txt", text.as_bytes(), &values, strategy);
    }

    #[test]
    fn csv(cells in cells(), strategy in strategies(), width in 1usize..5) {
        let mut values = Vec::new();
        let mut w = csv::Writer::from_writer(Vec::new());
        let header: Vec<String> = (0..width).map(|c| format!("col{c}")).collect();
        w.write_record(&header).unwrap();
        let mut rows = 0;
        for (r, row) in cells.chunks(width).enumerate() {
            let mut rec: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, (a, p, b))| match p {
                    Some(k) => {
                        let v = planted(*k, (r * width + c) as u32);
                        values.push(v.clone());
                        format!("{a} {v} {b}")
                    }
                    None => format!("{a}{b}"),
                })
                .collect();
            rec.resize(width, String::new());
            w.write_record(&rec).unwrap();
            rows += 1;
        }
        let input = w.into_inner().unwrap();
        let out = check("export.csv", &input, &values, strategy);
        let mut rd = csv::ReaderBuilder::new().has_headers(true).from_reader(&out[..]);
        let recs: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        prop_assert_eq!(recs.len(), rows);
        prop_assert!(recs.iter().all(|r| r.len() == width));
    }

    #[test]
    fn json(cells in cells(), strategy in strategies()) {
        let mut values = Vec::new();
        let mut obj = serde_json::Map::new();
        for (i, (a, p, b)) in cells.iter().enumerate() {
            let v = match p {
                // A bare number: a phone as digits.
                Some(0) => {
                    let n = format!("7900{:07}", 1_000_000 + i);
                    values.push(n.clone());
                    serde_json::Value::Number(n.parse::<u64>().unwrap().into())
                }
                Some(k) => {
                    let v = planted(*k, i as u32);
                    values.push(v.clone());
                    serde_json::Value::String(format!("{a} {v} {b}"))
                }
                None => serde_json::Value::String(format!("{a}{b}")),
            };
            obj.insert(format!("k{i}"), v);
        }
        let input = serde_json::to_vec_pretty(&serde_json::Value::Object(obj.clone())).unwrap();
        let out = check("event.json", &input, &values, strategy);
        let parsed: serde_json::Value = serde_json::from_slice(&out)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)));
        let keys: Vec<&String> = parsed.as_object().unwrap().keys().collect();
        prop_assert_eq!(keys, obj.keys().collect::<Vec<_>>());
    }

    #[test]
    fn sql_inserts(cells in cells(), strategy in strategies()) {
        let mut values = Vec::new();
        let mut sql = String::from("CREATE TABLE t (id integer, a text, b bigint);\n");
        for (i, (a, p, b)) in cells.iter().enumerate() {
            let (text, num) = match p {
                Some(0) => {
                    let n = format!("7900{:07}", 1_000_000 + i);
                    values.push(n.clone());
                    (format!("{a}{b}"), n)
                }
                Some(k) => {
                    let v = planted(*k, i as u32);
                    values.push(v.clone());
                    (format!("{a} {v} {b}"), "NULL".into())
                }
                None => (format!("{a}{b}"), "1".into()),
            };
            sql.push_str(&format!(
                "INSERT INTO t VALUES ({i}, '{}', {num});\n",
                text.replace('\'', "''")
            ));
        }
        let out = check("dump.sql", sql.as_bytes(), &values, strategy);
        let out = String::from_utf8(out).unwrap();
        prop_assert_eq!(out.matches("INSERT INTO t VALUES (").count(), cells.len());
    }
}
