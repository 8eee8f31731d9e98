#![no_main]
//! The whole scan path as a file scan takes it: container detection by
//! name and bytes, encoding and format sniffing, the engine, the locators.
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 10] = [
    "a.txt",
    "a.csv",
    "a.json",
    "a.ndjson",
    "a.sql",
    "Master.csv",
    "a.log",
    "a.eml",
    "a.tsv",
    "a",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[sel as usize % NAMES.len()];
    let head = &rest[..rest.len().min(piiscan::source::container::PEEK_LEN)];
    match piiscan::source::container::detect(name, head) {
        Some(kind) => piiscan_fuzz::expand_and_scan(name, kind, rest),
        None => {
            piiscan_fuzz::scan_checked(rest, name, None, 0.0);
        }
    }
});
