//! `--format text`: ripgrep-style `path:line:column` lines with the kind and
//! masked value, errors on stderr, and a summary block at the end.

use super::{Sink, round2};
use crate::app::{FileResult, FileStatus, Summary};
use crate::finding::Finding;
use std::io::{self, Write};

pub struct TextSink {
    out: Box<dyn Write + Send>,
    color: bool,
    /// One file's lines, written with one `write_all`.
    buf: Vec<u8>,
}

impl TextSink {
    pub fn new(out: Box<dyn Write + Send>, color: bool) -> TextSink {
        TextSink {
            out,
            color,
            buf: Vec::new(),
        }
    }
}

/// Appends `s`, in colour `code` (an SGR parameter) when `color` is on.
fn push_painted(out: &mut Vec<u8>, color: bool, code: &str, s: &[u8]) {
    if color {
        out.extend_from_slice(b"\x1b[");
        out.extend_from_slice(code.as_bytes());
        out.push(b'm');
        out.extend_from_slice(s);
        out.extend_from_slice(b"\x1b[0m");
    } else {
        out.extend_from_slice(s);
    }
}

/// Appends a confidence as `{:.2}` prints [`round2`] of it (`0.95`,
/// `1.00`).
fn push_confidence(out: &mut Vec<u8>, c: f32) {
    let hundredths = (c as f64 * 100.0).round();
    if !(0.0..=1e9).contains(&hundredths) {
        out.extend_from_slice(format!("{:.2}", round2(c)).as_bytes());
        return;
    }
    let h = hundredths as u64;
    out.extend_from_slice(itoa::Buffer::new().format(h / 100).as_bytes());
    out.extend_from_slice(&[b'.', b'0' + (h % 100 / 10) as u8, b'0' + (h % 10) as u8]);
}

/// Appends the line of one finding: `path:line:column: kind masked (rule,
/// confidence)`, with `path_painted` the (painted) path.
///
/// By hand rather than `format!`: with its `to_string`s and per-call
/// `String`s it cost ~4,000 instructions a finding (callgrind), a fifth of
/// a whole two-thread scan's CPU time on a corpus dense in findings, all
/// of it on the thread that also hands out the work.
fn push_line(out: &mut Vec<u8>, color: bool, path_painted: &[u8], f: &Finding) {
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(path_painted);
    out.push(b':');
    push_painted(out, color, "32", num.format(f.line).as_bytes());
    out.push(b':');
    out.extend_from_slice(num.format(f.column).as_bytes());
    out.extend_from_slice(b": ");
    push_painted(out, color, "1;31", f.kind.id().as_bytes());
    out.push(b' ');
    out.extend_from_slice(f.masked.as_bytes());
    out.extend_from_slice(b" (");
    out.extend_from_slice(f.rule.as_bytes());
    out.extend_from_slice(b", ");
    push_confidence(out, f.confidence);
    out.extend_from_slice(b")\n");
}

impl Sink for TextSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        if !r.findings.is_empty() {
            let mut path = Vec::with_capacity(r.path.len() + 16);
            push_painted(&mut path, self.color, "35", r.path.as_bytes());
            self.buf.clear();
            for f in &r.findings {
                push_line(&mut self.buf, self.color, &path, f);
            }
            self.out.write_all(&self.buf)?;
            // A file with very many findings must not keep a huge buffer.
            if self.buf.capacity() > 1 << 20 {
                self.buf = Vec::new();
            }
        }
        if let FileStatus::Error(m) = &r.status {
            eprintln!("piiscan: {}: {m}", r.path);
        }
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let mut t = String::new();
        t.push_str(&format!("\n{} findings", s.findings));
        if !s.by_kind.is_empty() {
            let kinds: Vec<String> = s.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
            t.push_str(&format!(": {}", kinds.join(", ")));
        }
        t.push('\n');
        let skipped: u64 = s.files_skipped.values().sum();
        t.push_str(&format!(
            "{} files scanned, {} skipped, {} errors; {:.1} MB in {:.2}s ({:.1} MB/s)\n",
            s.files_scanned,
            skipped,
            s.files_errored,
            s.bytes_scanned as f64 / 1e6,
            s.elapsed.as_secs_f64(),
            s.throughput_mb_s()
        ));
        if skipped > 0 {
            t.push_str(&format!("skipped: {}\n", s.skip_reasons()));
        }
        if s.suppressed > 0 || s.files_unchanged > 0 {
            t.push_str(&format!(
                "{} suppressed (allowlists, baseline, piiscan:ignore); {} files unchanged since the last run\n",
                s.suppressed, s.files_unchanged
            ));
        }
        if !s.fingerprints_stable {
            t.push_str(
                "fingerprints use a per-run key (set PIISCAN_KEY or --key-file to compare runs)\n",
            );
        }
        self.out.write_all(t.as_bytes())?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Kind, ShortStr, Signals};

    /// The line as the sink wrote it before it was written by hand.
    fn reference_line(color: bool, path: &str, f: &Finding) -> String {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        format!(
            "{}:{}:{}: {} {} ({}, {:.2})\n",
            paint("35", path),
            paint("32", &f.line.to_string()),
            f.column,
            paint("1;31", f.kind.id()),
            f.masked,
            f.rule,
            round2(f.confidence),
        )
    }

    #[test]
    fn lines_match_the_format_macro_output() {
        let mut rng = crate::eval::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u64();
        let kinds = [
            Kind::Phone,
            Kind::Email,
            Kind::Card,
            Kind::Snils,
            Kind::Person,
        ];
        let paths = ["logs/app.log", "выгрузка/клиенты.csv", "a b/c:d.txt", ""];
        let masked = ["+7 *** ***-**-89", "i***@example.com", "", "Иван И. ***"];
        let mut tried = std::collections::HashSet::new();
        for i in 0..20_000u64 {
            let confidence = match i % 4 {
                0 => (next() % 10_001) as f32 / 10_000.0,
                1 => (next() % 101) as f32 / 100.0,
                2 => [0.0, 1.0, 0.005, 0.995, 0.125, 0.375][(next() % 6) as usize],
                _ => f32::from_bits((next() % 0x3F80_0001) as u32),
            };
            let f = Finding {
                kind: kinds[(next() % 5) as usize],
                rule: format!("rule.{}", next() % 7).into(),
                start: 0,
                end: 1,
                line: next() % 1_000_000 + 1,
                column: next() % 5_000 + 1,
                confidence,
                signals: Signals::empty(),
                masked: ShortStr::from(masked[(next() % 4) as usize]),
                fingerprint: ShortStr::from(""),
                location: None,
                value: None,
            };
            let path = paths[(next() % 4) as usize];
            for color in [false, true] {
                let mut painted = Vec::new();
                push_painted(&mut painted, color, "35", path.as_bytes());
                let mut line = Vec::new();
                push_line(&mut line, color, &painted, &f);
                let want = reference_line(color, path, &f);
                assert_eq!(String::from_utf8(line).unwrap(), want);
                tried.insert(want.rsplit(' ').next().map(str::to_owned));
            }
        }
        // Many distinct confidences printed, not a handful.
        assert!(tried.len() > 100, "{} distinct endings", tried.len());
    }
}
