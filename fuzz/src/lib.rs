//! Shared harness code for the fuzz targets: one engine per process, and
//! the invariants every scan must keep whatever the input.

use piiscan::detect::{Engine, RuleSet};
use piiscan::extract::{InputFormat, locator_for};
use piiscan::source::StreamScanner;
use std::sync::{Arc, OnceLock};

/// The built-in engine, built once per fuzzing process.
pub fn engine() -> &'static Arc<Engine> {
    static E: OnceLock<Arc<Engine>> = OnceLock::new();
    E.get_or_init(|| Arc::new(Engine::new(RuleSet::builtin()).expect("built-in rules")))
}

/// Scans `data` as file `name` (format forced or sniffed) and checks that
/// every reported span lies inside the input and is not empty. Returns the
/// spans of findings at or above `min`.
pub fn scan_checked(
    data: &[u8],
    name: &str,
    format: Option<InputFormat>,
    min: f32,
) -> Vec<(u64, u64)> {
    let mut scanner = StreamScanner::default();
    let mut spans = Vec::new();
    let len = data.len() as u64;
    let r = scanner.scan(engine(), data, name, format, None, |l| {
        assert!(
            l.abs_start < l.abs_end,
            "empty span {}..{}",
            l.abs_start,
            l.abs_end
        );
        assert!(
            l.abs_end <= len,
            "span {}..{} past the end {len}",
            l.abs_start,
            l.abs_end
        );
        assert!(l.line >= 1 && l.column >= 1);
        if l.detection.confidence >= min {
            spans.push((l.abs_start, l.abs_end));
        }
    });
    // Reading a slice cannot fail.
    let _ = r.expect("reading a byte slice");
    spans
}

/// Drives a format's locator directly, as the scanner does: windows of
/// `window` bytes, offsets asked in increasing order (at every byte that
/// could start a value), `advance` before a window is dropped.
pub fn drive_locator(format: InputFormat, data: &[u8], window: usize) {
    let prefix = &data[..data.len().min(8192)];
    let Some(mut loc) = locator_for(format, prefix) else {
        return;
    };
    let window = window.max(1);
    let mut start = 0usize;
    let mut asked = 0usize;
    while start < data.len() {
        let end = (start + window).min(data.len());
        let buf = &data[start..end];
        for (i, &b) in buf.iter().enumerate() {
            if (b.is_ascii_digit() || b == b'@' || b == b'+') && asked < 4096 {
                asked += 1;
                let _ = loc.locate(buf, start as u64, (start + i) as u64);
            }
        }
        loc.advance(buf, start as u64, end as u64);
        start = end;
    }
}

/// Limits small enough that a bomb costs milliseconds, not minutes.
pub fn small_limits() -> piiscan::source::container::Limits {
    piiscan::source::container::Limits {
        max_expanded_bytes: 8 << 20,
        max_ratio: 200,
        max_depth: 4,
        max_entries: 1000,
    }
}

/// Expands `data` as a container of `kind`, both as a stream and as a
/// seekable input, scanning every leaf stream to its end.
pub fn expand_and_scan(name: &str, kind: piiscan::source::container::ContainerKind, data: &[u8]) {
    use piiscan::source::container::{Leaf, expand, expand_seekable};
    let limits = small_limits();
    let mut scanner = StreamScanner::default();
    let mut leaf = |l: Leaf<'_>| {
        if let Leaf::Stream { display, reader } = l {
            let _ = scanner.scan(engine(), reader, &display, None, None, |_| {});
        }
    };
    expand(
        name,
        kind,
        Box::new(data),
        Some(data.len() as u64),
        &limits,
        &mut leaf,
    );
    expand_seekable(
        name,
        kind,
        Box::new(std::io::Cursor::new(data)),
        Some(data.len() as u64),
        &limits,
        &mut leaf,
    );
}
