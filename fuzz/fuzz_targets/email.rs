#![no_main]
//! E-mail / MIME (.eml and mbox): the container walk, every part scanned.
use libfuzzer_sys::fuzz_target;
use piiscan::source::container::ContainerKind;

fuzz_target!(|data: &[u8]| {
    let kind = if data.first().is_some_and(|b| b & 1 == 1) {
        ContainerKind::Mbox
    } else {
        ContainerKind::Email
    };
    piiscan_fuzz::expand_and_scan("m.eml", kind, data);
});
