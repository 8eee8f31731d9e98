#![no_main]
//! Every container reader (gzip, zstd, bzip2, xz, zip, tar, docx, xlsx,
//! odt), streamed and seekable, with small limits so bombs are cheap.
use libfuzzer_sys::fuzz_target;
use piiscan::source::container::ContainerKind;

const KINDS: [ContainerKind; 9] = [
    ContainerKind::Gzip,
    ContainerKind::Zstd,
    ContainerKind::Bzip2,
    ContainerKind::Xz,
    ContainerKind::Zip,
    ContainerKind::Tar,
    ContainerKind::Docx,
    ContainerKind::Xlsx,
    ContainerKind::Odt,
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    // Detection from the bytes themselves first (what a scan does)...
    if let Some(kind) = piiscan::source::container::detect("f.bin", rest) {
        piiscan_fuzz::expand_and_scan("f.bin", kind, rest);
    }
    // ...then the kind the selector byte forces.
    let kind = KINDS[sel as usize % KINDS.len()];
    piiscan_fuzz::expand_and_scan("f", kind, rest);
});
