#![no_main]
//! Redaction end to end (scan, replace, the built-in re-scan), with the
//! properties a user relies on:
//! - when the redactor says the output is clean, an independent scan of
//!   the output finds nothing at or above the threshold;
//! - an input that parses as JSON still parses as JSON after redaction;
//!   a CSV input keeps its number of records and fields per record.
use libfuzzer_sys::fuzz_target;
use piiscan::finding::Fingerprinter;
use piiscan::redact::stream::{StreamConfig, redact_stream};
use piiscan::redact::verify::{Verifier, VerifyConfig};
use piiscan::redact::{RedactPolicy, Replacer, Strategy};
use piiscan::source::StreamScanner;
use std::sync::OnceLock;

const MIN: f32 = 0.5;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        Verifier::spawn(VerifyConfig {
            engine: piiscan_fuzz::engine().clone(),
            min_confidence: MIN,
            fingerprinter: Fingerprinter::from_secret(b"fuzz"),
        })
        .unwrap()
    })
}

const NAMES: [&str; 6] = [
    "a.txt",
    "a.csv",
    "a.json",
    "a.ndjson",
    "a.sql",
    "Master.csv",
];
const STRATEGIES: [Strategy; 5] = [
    Strategy::Mask,
    Strategy::Label,
    Strategy::Pseudonym,
    Strategy::Fake,
    Strategy::Drop,
];

fn csv_shape(data: &[u8]) -> Option<Vec<usize>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut shape = Vec::new();
    for rec in r.byte_records() {
        shape.push(rec.ok()?.len());
    }
    Some(shape)
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let name = NAMES[sel as usize % NAMES.len()];
    let strategy = STRATEGIES[(sel as usize / NAMES.len()) % STRATEGIES.len()];
    let config = StreamConfig {
        engine: piiscan_fuzz::engine().clone(),
        replacer: Replacer::new(
            RedactPolicy {
                default: strategy,
                ..RedactPolicy::default()
            },
            Fingerprinter::from_secret(b"fuzz"),
        ),
        min_confidence: MIN,
        input_format: None,
        encoding: None,
        file_timeout: None,
        detailed: true,
    };
    let mut out = Vec::new();
    let mut scanner = StreamScanner::default();
    let r = redact_stream(
        &config,
        &mut scanner,
        verifier(),
        name,
        input,
        &mut out,
        &mut |_| {},
    )
    .expect("writing to a Vec");
    let Ok(outcome) = r else {
        return; // binary: left alone
    };
    // Fakes are valid-looking values by design; the redactor's own
    // re-scan knows where it put them, an independent one cannot.
    if outcome.verdict.clean() && strategy != Strategy::Fake {
        let left = piiscan_fuzz::scan_checked(&out, name, None, MIN);
        assert!(left.is_empty(), "said clean, but a re-scan finds {left:?}");
    }
    if name.ends_with(".json") && serde_json::from_slice::<serde_json::Value>(input).is_ok() {
        assert!(
            serde_json::from_slice::<serde_json::Value>(&out).is_ok(),
            "JSON no longer parses after redaction"
        );
    }
    // Only comma-separated input: with another delimiter, commas inside a
    // value are not structure and a label may drop them.
    if name == "a.csv"
        && std::str::from_utf8(input).is_ok()
        && !input.iter().any(|b| matches!(b, b';' | b'\t' | b'|'))
    {
        if let Some(before) = csv_shape(input) {
            assert_eq!(csv_shape(&out), Some(before), "CSV shape changed");
        }
    }
});
