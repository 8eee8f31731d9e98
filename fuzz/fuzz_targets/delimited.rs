#![no_main]
//! CSV/TSV: the delimited locator driven directly, then a whole scan.
use libfuzzer_sys::fuzz_target;
use piiscan::extract::InputFormat;

fuzz_target!(|data: &[u8]| {
    let window = 1 + data.first().copied().unwrap_or(0) as usize * 7;
    piiscan_fuzz::drive_locator(InputFormat::Delimited, data, window);
    piiscan_fuzz::scan_checked(data, "f.csv", Some(InputFormat::Delimited), 0.0);
});
