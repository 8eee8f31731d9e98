//! Issue #10 kinds end to end: the built binary (`scan --format jsonl`)
//! over `fixtures/kinds/` (a web log with cookies and URL-encoded PII, a
//! HAR file, a call-centre log with device ids, a document-scan log with
//! passports, MRZ, licences, OMS, plates and a birth place, and a CSV with
//! lat/lon columns). Every planted value must come out with its kind and
//! exact byte span; every hard negative (request-id UUIDs, hashes, version
//! strings, MAC-like time codes, random 15-digit numbers, BIK/KPP, benign
//! cookies) must stay quiet. All data is synthetic.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/kinds")
        .join(name)
}

/// (kind, rule, start, end) of every finding the binary reports.
fn scan(name: &str) -> Vec<(String, String, usize, usize)> {
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(["scan", "--format", "jsonl"])
        .arg(fixture(name))
        .output()
        .expect("piiscan runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{name}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "finding")
        .map(|v| {
            (
                v["kind"].as_str().unwrap_or_default().to_string(),
                v["rule"].as_str().unwrap_or_default().to_string(),
                v["start"].as_u64().unwrap_or(0) as usize,
                v["end"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect()
}

/// The byte span of the `nth` occurrence of `value` in the fixture.
fn span_of(text: &str, value: &str, nth: usize) -> (usize, usize) {
    let start = text
        .match_indices(value)
        .nth(nth)
        .unwrap_or_else(|| panic!("{value:?} not in fixture"))
        .0;
    (start, start + value.len())
}

/// The kinds this issue added; findings of other kinds (IPs, phones ...)
/// are checked only where listed.
const NEW_KINDS: [&str; 8] = [
    "cookie",
    "device_id",
    "passport_foreign_ru",
    "driver_license_ru",
    "vehicle_plate_ru",
    "oms",
    "birth_place",
    "geo",
];

/// Checks one fixture: each `(kind, rule, value, occurrence)` is reported
/// with exactly its span; no finding of a new kind is reported beyond
/// them; no finding at all touches a negative.
fn check(name: &str, expected: &[(&str, &str, &str, usize)], negatives: &[&str]) {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture reads");
    let found = scan(name);
    let mut wanted = BTreeSet::new();
    for &(kind, rule, value, nth) in expected {
        let (s, e) = span_of(&text, value, nth);
        assert!(
            found
                .iter()
                .any(|f| f.0 == kind && f.1 == rule && f.2 == s && f.3 == e),
            "{name}: {kind}/{rule} {value:?} at {s}..{e} not reported; got {:?}",
            found
                .iter()
                .map(|f| (f.1.as_str(), &text[f.2..f.3]))
                .collect::<Vec<_>>()
        );
        wanted.insert((s, e));
    }
    for f in &found {
        if NEW_KINDS.contains(&f.0.as_str()) {
            assert!(
                wanted.contains(&(f.2, f.3)),
                "{name}: unexpected {}/{} {:?}",
                f.0,
                f.1,
                &text[f.2..f.3]
            );
        }
    }
    for neg in negatives {
        for (s, _) in text.match_indices(neg) {
            let e = s + neg.len();
            for f in &found {
                assert!(
                    f.3 <= s || f.2 >= e,
                    "{name}: negative {neg:?} reported as {}/{} {:?}",
                    f.0,
                    f.1,
                    &text[f.2..f.3]
                );
            }
        }
    }
}

#[test]
fn web_log_cookies_and_url_encoded_pii() {
    check(
        "access.log",
        &[
            ("email", "email.url", "ivan.petrov%40example.com", 0),
            ("phone", "phone.url", "%2B79000000011", 0),
            ("phone", "phone.url", "8+900+000+00+12", 0),
            ("email", "email.url", "anna.smith%2Bnews%40example.org", 0),
            ("cookie", "cookie", "GA1.2.1873462915.1714039200", 0),
            ("cookie", "cookie", "1714039200583920174", 0),
            ("cookie", "cookie", "k3j5h2l9q8w7e6r5t4y3u2i1o0", 0),
            ("cookie", "cookie.generic", "q8Zr2Lk5Vn7Xw3Ty9Pm1", 0),
            ("ipv4", "ipv4", "203.0.113.10", 0),
        ],
        &[
            "lang=ru",
            "theme=dark",
            "_gat_UA-1=1",
            "Xk29fjQm3LpZ8wR1Tt5",
            "sid=deleted",
            "currency=RUB",
            "page=2+3",
            "50%25",
            "%D0%BA%D1%83",
            "3f2a9c1e7b5d4a6f8e0c1b2a3d4e5f60",
            "5f4dcc3b5aa765d61d8327deb882cf99",
            "2.14.3.1187",
            "120.0.6099.109",
            "0.0031",
        ],
    );
}

#[test]
fn har_cookies_headers_and_urls() {
    check(
        "session.har",
        &[
            ("email", "email.url", "olga.sidorova%40example.net", 0),
            ("email", "email.url", "olga.sidorova%40example.net", 1),
            ("cookie", "cookie", "8F3A2C1D9E7B6A5F4E3D2C1B0A9F8E7D", 0),
            ("cookie", "cookie", "4839201751714039200", 0),
            ("cookie", "cookie", "GA1.2.998877665.1714039260", 0),
            ("cookie", "cookie", "zq8w7e6r5t4y3u2i1o0p9", 0),
        ],
        &[
            "550e8400-e29b-41d4-a716-446655440000",
            "\"dark\"",
            "lang=ru",
            "yes-all-2024",
            "33a64df551425fcc55e4d42a148795d9f25f89d4",
        ],
    );
}

#[test]
fn call_centre_device_ids() {
    check(
        "callcentre.log",
        &[
            ("device_id", "device_id.imei", "490154203237518", 0),
            ("device_id", "device_id.mac", "00:1A:2B:3C:4D:5E", 0),
            (
                "device_id",
                "device_id.adid",
                "38400000-8cf0-11bd-b23e-10b96e40000d",
                0,
            ),
            (
                "device_id",
                "device_id.adid",
                "6D92078A-8246-4BA4-AE5B-76104861E7DC",
                0,
            ),
            ("device_id", "device_id.imei", "35-209900-176148-1", 0),
            ("device_id", "device_id.mac", "ac-de-48-00-11-22", 0),
            ("device_id", "device_id.mac", "fa16.3e01.0c2b", 0),
        ],
        &[
            "550e8400-e29b-41d4-a716-446655440000",
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "12:34:56:78:90:12",
            "01:00:5e:00:00:fb",
            "00:00:00:00:00:00",
            "849301527730649",
            "356938035643809",
            "10.0.19045.2965",
            "2.14.3.1187",
            "00000000-0000-0000-0000-000000000000",
        ],
    );
}

#[test]
fn document_scans_passports_mrz_licences_oms_plates_birth_place() {
    let mrz = "P<RUSIVANOV<<IVAN<<<<<<<<<<<<<<<<<<<<<<<<<<<\n7512345672RUS8001014M3001019<<<<<<<<<<<<<<08";
    check(
        "docscan.log",
        &[
            (
                "passport_foreign_ru",
                "passport_foreign_ru",
                "75 1234567",
                0,
            ),
            ("passport_foreign_ru", "passport_foreign_ru.mrz", mrz, 0),
            ("driver_license_ru", "driver_license_ru", "99 12 345678", 0),
            ("driver_license_ru", "driver_license_ru", "77 АВ 123456", 0),
            (
                "birth_place",
                "birth_place",
                "г. Саратов, Саратовская обл.",
                0,
            ),
            ("oms", "oms", "7132647325068769", 0),
            ("vehicle_plate_ru", "vehicle_plate_ru", "А123ВС77", 0),
            ("vehicle_plate_ru", "vehicle_plate_ru", "A456MX199", 0),
        ],
        &[
            "044525225",
            "773601001",
            "528491736",
            "1673323416240315",
            "7512345673RUS",
            "Б123ВС77",
            "K123MX50",
        ],
    );
}

#[test]
fn csv_lat_lon_columns() {
    check(
        "points.csv",
        &[
            ("geo", "geo.coordinate", "55.7558", 0),
            ("geo", "geo.coordinate", "37.6173", 0),
            ("geo", "geo.coordinate", "59.9386", 0),
            ("geo", "geo.coordinate", "30.3141", 0),
            ("geo", "geo.coordinate", "-33.8688", 0),
            ("geo", "geo.coordinate", "151.2093", 0),
        ],
        &["0.23456", "0.34567"],
    );
}
