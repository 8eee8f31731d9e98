#![no_main]
//! Encoding detection and the transcoding reader with its offset map:
//! whatever the bytes, decoding ends, yields UTF-8, and maps every decoded
//! offset to an original offset that only grows and stays within the input.
use libfuzzer_sys::fuzz_target;
use piiscan::decode::{Decoded, encoding_by_label, sniff_encoding};
use std::io::Read;

const LABELS: [&str; 8] = [
    "utf-8",
    "utf-16le",
    "utf-16be",
    "windows-1251",
    "koi8-r",
    "cp866",
    "iso-8859-5",
    "gbk",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let sniffed = sniff_encoding(rest);
    let (encoding, bom) = if sel & 0x80 == 0 {
        (sniffed.encoding, sniffed.bom_len)
    } else {
        (
            encoding_by_label(LABELS[sel as usize % LABELS.len()]).unwrap(),
            0,
        )
    };
    let bom = bom.min(rest.len());
    let mut d = Decoded::new(rest, encoding, bom);
    let mut out = Vec::new();
    // Small reads exercise the piece edges.
    let mut piece = vec![0u8; 1 + (sel as usize % 61)];
    loop {
        let n = d.read(&mut piece).expect("reading a slice");
        if n == 0 {
            break;
        }
        out.extend_from_slice(&piece[..n]);
    }
    assert!(
        std::str::from_utf8(&out).is_ok(),
        "decoded output is not UTF-8"
    );
    let mut last = 0;
    for pos in 0..=out.len() as u64 {
        let o = d.to_original(pos);
        assert!(
            o <= rest.len() as u64,
            "offset {o} past the input {}",
            rest.len()
        );
        assert!(o >= last, "offset map goes backwards at {pos}");
        last = o;
    }
    // The scanner's own path over the same bytes.
    piiscan_fuzz::scan_checked(rest, "f.txt", None, 0.0);
});
