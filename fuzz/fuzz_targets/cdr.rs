#![no_main]
//! CDR call logs (layouts from rules/cdr.toml): locator + scan, both under
//! the Master.csv name and as a sniffed .csv.
use libfuzzer_sys::fuzz_target;
use piiscan::extract::InputFormat;

fuzz_target!(|data: &[u8]| {
    let window = 1 + data.first().copied().unwrap_or(0) as usize * 7;
    piiscan_fuzz::drive_locator(InputFormat::Cdr, data, window);
    piiscan_fuzz::scan_checked(data, "Master.csv", Some(InputFormat::Cdr), 0.0);
    piiscan_fuzz::scan_checked(data, "calls.csv", None, 0.0);
});
