#![no_main]
//! JSON and NDJSON: the locator driven directly, then whole scans.
use libfuzzer_sys::fuzz_target;
use piiscan::extract::InputFormat;

fuzz_target!(|data: &[u8]| {
    let window = 1 + data.first().copied().unwrap_or(0) as usize * 7;
    piiscan_fuzz::drive_locator(InputFormat::Json, data, window);
    piiscan_fuzz::drive_locator(InputFormat::Ndjson, data, window);
    piiscan_fuzz::scan_checked(data, "f.json", Some(InputFormat::Json), 0.0);
    piiscan_fuzz::scan_checked(data, "f.ndjson", Some(InputFormat::Ndjson), 0.0);
});
