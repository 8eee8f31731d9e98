#![no_main]
//! SQL dumps (pg_dump COPY/INSERT, mysqldump, SQLite): locator + scan.
use libfuzzer_sys::fuzz_target;
use piiscan::extract::InputFormat;

fuzz_target!(|data: &[u8]| {
    let window = 1 + data.first().copied().unwrap_or(0) as usize * 7;
    piiscan_fuzz::drive_locator(InputFormat::Sql, data, window);
    piiscan_fuzz::scan_checked(data, "f.sql", Some(InputFormat::Sql), 0.0);
});
