//! Hostile inputs, end to end through the built binary: broken and
//! malicious archives, a 1 GiB single-line file, JSON nested 100,000 deep,
//! invalid encodings, NUL-laden text, FIFOs, devices, sockets, symlink
//! loops, unreadable, vanishing and growing files, names that are not
//! UTF-8; and the per-input limits (`--max-filesize`, `--file-timeout`,
//! `--max-findings-per-file`, `--max-decompressed`, `--max-ratio`).
//!
//! For each: no panic, no hang (every run has a deadline and is killed
//! past it), bounded memory (peak RSS polled from `/proc`), a `skipped` or
//! `error` event naming the file and the reason, exit code 2 when it is an
//! error, and the normal file beside it still scanned. Large inputs are
//! generated here, in a temporary directory (the 1 GiB file is sparse).

use serde_json::Value;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The value every tree holds beside its hostile files.
const OK_EMAIL: &str = "ivan.petrov@example.com";

struct Run {
    code: Option<i32>,
    events: Vec<Value>,
    stdout: String,
    stderr: String,
    /// Peak resident set of the child (VmHWM), KiB.
    peak_rss_kb: u64,
    elapsed: Duration,
}

impl Run {
    fn of_type(&self, t: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["type"] == t).collect()
    }

    /// The first `t` event for `path`, or for a path inside it
    /// (`path!/...`); a `path` ending in `!/` matches any path under it.
    fn event_for(&self, t: &str, path: &str) -> Option<&Value> {
        self.events.iter().find(|e| {
            let p = e["path"].as_str().unwrap_or("");
            e["type"] == t
                && (p == path
                    || (p.starts_with(path)
                        && (path.ends_with("!/") || p[path.len()..].starts_with("!/"))))
        })
    }

    fn found(&self, path: &str, kind: &str) -> bool {
        self.events
            .iter()
            .any(|e| e["type"] == "finding" && e["path"] == path && e["kind"] == kind)
    }

    fn summary(&self) -> &Value {
        self.events
            .iter()
            .rev()
            .find(|e| e["type"] == "summary")
            .unwrap_or_else(|| panic!("no summary: {}\n{}", self.stdout, self.stderr))
    }

    fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("internal error"),
            "{}",
            self.stderr
        );
        assert_ne!(self.code, None, "killed by a signal: {}", self.stderr);
    }
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary in `dir` with `args`, stdout to a file (a big report
/// cannot block it), killing it past `deadline`; polls its peak RSS.
fn run_in(dir: &Path, args: &[&str], deadline: Duration) -> Run {
    let out_path = tempfile::NamedTempFile::new().unwrap();
    let err_path = tempfile::NamedTempFile::new().unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(args)
        .current_dir(dir)
        .env_remove("PIISCAN_KEY")
        .stdin(Stdio::null())
        .stdout(out_path.reopen().unwrap())
        .stderr(err_path.reopen().unwrap())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "piiscan {args:?} still running after {deadline:?} (a hang); stderr: {}",
                std::fs::read_to_string(err_path.path()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let size = std::fs::metadata(out_path.path()).unwrap().len();
    assert!(
        size < 256 << 20,
        "piiscan {args:?} wrote {size} bytes of report"
    );
    let stdout = String::from_utf8_lossy(&std::fs::read(out_path.path()).unwrap()).into_owned();
    let stderr = std::fs::read_to_string(err_path.path()).unwrap_or_default();
    let events = if args.contains(&"jsonl") {
        stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
            .collect()
    } else {
        Vec::new()
    };
    Run {
        code: status.code(),
        events,
        stdout,
        stderr,
        peak_rss_kb: peak,
        elapsed: started.elapsed(),
    }
}

fn scan(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["scan", "--format", "jsonl", "-j", "2"];
    args.extend_from_slice(extra);
    args.push(".");
    let r = run_in(dir, &args, Duration::from_secs(60));
    r.assert_no_panic();
    r
}

fn write_ok(dir: &Path) {
    std::fs::write(dir.join("ok.txt"), format!("contact: {OK_EMAIL}\n")).unwrap();
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// `mib` MiB of zeros deflated in a zip (~1000:1), written piecewise.
fn zip_bomb(mib: usize) -> Vec<u8> {
    zip_bomb_of(mib, 0)
}

/// `mib` MiB of `byte` deflated in a zip.
fn zip_bomb_of(mib: usize, byte: u8) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    w.start_file("zeros.bin", opts).unwrap();
    let zeros = [byte; 64 * 1024];
    for _ in 0..mib * 16 {
        w.write_all(&zeros).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn text_with_values(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            format!(
                "{i};user{i}@example.com;+7 900 012-{:02}-{:02}\n",
                i % 100,
                i % 97
            )
        })
        .collect()
}

fn is_root() -> bool {
    // The owner of /proc/self is the effective user.
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// Broken and malicious archives in one tree: each reported with a
/// reason, the rest scanned.
#[test]
fn broken_archives_and_bombs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_ok(d);
    let text = text_with_values(20_000);
    let gz = gzip(text.as_bytes());
    std::fs::write(d.join("cut.txt.gz"), &gz[..gz.len() / 2]).unwrap();
    let zip = zip_of(&[("a.csv", text.as_bytes())]);
    std::fs::write(d.join("cut.zip"), &zip[..zip.len() / 2]).unwrap();
    let tar = tar_of(&[("a.csv", text.as_bytes()), ("b.csv", text.as_bytes())]);
    std::fs::write(d.join("cut.tar"), &tar[..tar.len() / 3]).unwrap();
    // Empty and header-only containers.
    std::fs::write(d.join("empty.gz"), b"").unwrap();
    std::fs::write(d.join("magic-only.gz"), [0x1f, 0x8b]).unwrap();
    std::fs::write(d.join("magic-only.zip"), b"PK\x03\x04").unwrap();
    // A high-ratio bomb, and bombs nested: each layer under the ratio
    // limit is still stopped by the total and depth limits.
    let bomb = zip_bomb(300);
    std::fs::write(d.join("bomb.zip"), &bomb).unwrap();
    let mut nested = bomb.clone();
    for i in 0..8 {
        nested = zip_of(&[(&format!("layer{i}.zip"), &nested)]);
    }
    std::fs::write(d.join("nested.zip"), &nested).unwrap();
    std::fs::write(
        d.join("many.tar.gz"),
        gzip(&tar_of(&[
            ("x/1.zip", &bomb),
            ("x/2.zip", &bomb),
            ("x/3.zip", &bomb),
        ])),
    )
    .unwrap();

    let r = scan(d, &[]);
    assert!(r.found("ok.txt", "email"), "{:#?}", r.events);
    assert_eq!(r.code, Some(2), "truncated archives are errors");
    for cut in ["cut.txt.gz", "cut.zip", "cut.tar"] {
        let e = r
            .event_for("error", cut)
            .unwrap_or_else(|| panic!("no error for {cut}: {:#?}", r.events));
        let msg = e["message"].as_str().unwrap();
        assert!(!msg.is_empty(), "{e}");
    }
    // What was read before the cut still counts.
    assert!(
        r.events
            .iter()
            .any(|e| e["type"] == "finding"
                && e["path"].as_str().unwrap().starts_with("cut.txt.gz!/"))
    );
    for bombish in ["bomb.zip!/", "nested.zip!/", "many.tar.gz!/x/1.zip!/"] {
        let e = r
            .event_for("skipped", bombish)
            .unwrap_or_else(|| panic!("no skipped for {bombish}: {:#?}", r.events));
        assert!(
            e["reason"]
                .as_str()
                .unwrap()
                .starts_with("decompression limit:"),
            "{e}"
        );
    }
    // Magic bytes and nothing else: errors. An empty `.gz` is no gzip (no
    // magic): scanned as an empty text file, without an event.
    for tiny in ["magic-only.gz", "magic-only.zip"] {
        assert!(
            r.event_for("error", tiny).is_some(),
            "{tiny} not reported: {:#?}",
            r.events
        );
    }
    assert!(r.events.iter().all(|e| e["path"] != "empty.gz"));
    assert!(r.peak_rss_kb < 300_000, "peak RSS {} KiB", r.peak_rss_kb);
}

/// `--max-decompressed` and `--max-ratio` are honoured and reported.
#[test]
fn decompression_limit_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_ok(d);
    // 4 MiB of text: far under the default limits.
    let text = text_with_values(100_000);
    std::fs::write(d.join("big.txt.gz"), gzip(text.as_bytes())).unwrap();
    let r = scan(d, &[]);
    assert!(
        r.event_for("skipped", "big.txt.gz").is_none(),
        "{:#?}",
        r.of_type("skipped")
    );
    let r = scan(d, &["--max-decompressed", "1M"]);
    let e = r
        .event_for("skipped", "big.txt.gz")
        .unwrap_or_else(|| panic!("{:#?}", r.of_type("skipped")));
    assert!(
        e["reason"]
            .as_str()
            .unwrap()
            .starts_with("decompression limit:"),
        "{e}"
    );
    assert!(r.found("ok.txt", "email"));
    // Some of it was scanned before the limit.
    assert!(r.found("big.txt.gz!/big.txt", "email"));
    // Text with values compresses ~5:1; zeros ~1000:1.
    let zeros = vec![b'0'; 8 << 20];
    std::fs::write(d.join("zeros.txt.gz"), gzip(&zeros)).unwrap();
    let r = scan(d, &["--max-ratio", "50"]);
    let e = r
        .event_for("skipped", "zeros.txt.gz")
        .unwrap_or_else(|| panic!("{:#?}", r.of_type("skipped")));
    assert!(e["reason"].as_str().unwrap().contains("50:1"), "{e}");
    assert!(r.event_for("skipped", "big.txt.gz").is_none());

    // `redact` takes the same flags: under the defaults both files are
    // written; with each limit the file it stops is left out and named.
    let outs = tempfile::tempdir().unwrap();
    let o = outs.path();
    let redact = |out: &str, flags: &[&str]| {
        let out = o.join(out);
        let r = run_in(
            d,
            &[&["redact", "--out", out.to_str().unwrap(), "."], flags].concat(),
            Duration::from_secs(120),
        );
        r.assert_no_panic();
        r
    };
    // `.` is mirrored under its own name.
    let mirror = |out: &str, file: &str| o.join(out).join(d.file_name().unwrap()).join(file);
    let r = redact("out-default", &[]);
    assert!(mirror("out-default", "big.txt.gz").exists(), "{}", r.stderr);
    let r = redact("out-1m", &["--max-decompressed", "1M"]);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("big.txt.gz") && l.contains("decompression limit")),
        "{}",
        r.stderr
    );
    assert!(!mirror("out-1m", "big.txt.gz").exists());
    assert!(mirror("out-1m", "ok.txt").exists());
    let r = redact("out-ratio", &["--max-ratio", "50"]);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("zeros.txt.gz") && l.contains("50:1")),
        "{}",
        r.stderr
    );
    assert!(!mirror("out-ratio", "zeros.txt.gz").exists());
    assert!(mirror("out-ratio", "big.txt.gz").exists(), "{}", r.stderr);
}

/// Encoding trouble: invalid UTF-8, half a UTF-16 surrogate pair,
/// NUL-laden text, JSON nested 100,000 deep, a CSV with one 5 MiB field.
#[test]
fn hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_ok(d);
    let mut bad_utf8 = b"user: anna@example.org \xff\xfe\xc3\x28 \xe2\x82 tail\n".to_vec();
    bad_utf8.extend_from_slice(&[0xC0, 0xAF, 0xED, 0xA0, 0x80, b'\n']);
    std::fs::write(d.join("bad-utf8.txt"), &bad_utf8).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "mail anna@example.org ".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    utf16.extend_from_slice(&0xD800u16.to_le_bytes()); // a lone high surrogate
    for u in " x ".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    utf16.extend_from_slice(&0xDC00u16.to_le_bytes()); // a lone low surrogate
    utf16.push(0x41); // and half a code unit at the end
    std::fs::write(d.join("half-surrogates.txt"), &utf16).unwrap();
    let mut nul = b"phone +7 912 345-67-89\0\0\0".to_vec();
    nul.extend(std::iter::repeat_n(0u8, 10_000));
    std::fs::write(d.join("nul.txt"), &nul).unwrap();
    // NULs only past the 64 KiB sniff: read as text, the value found.
    let mut late_nul = vec![b'a'; 70_000];
    late_nul.extend_from_slice(b"\0\0 anna@example.org \0\n");
    std::fs::write(d.join("late-nul.txt"), &late_nul).unwrap();
    let depth = 100_000;
    let mut deep = String::with_capacity(2 * depth + 64);
    deep.push_str(&"[".repeat(depth));
    deep.push_str("{\"email\": \"anna@example.org\"}");
    deep.push_str(&"]".repeat(depth));
    std::fs::write(d.join("deep.json"), &deep).unwrap();
    let deep_obj = "{\"a\":".repeat(depth) + "\"anna@example.org\"" + &"}".repeat(depth);
    std::fs::write(d.join("deep-obj.json"), &deep_obj).unwrap();
    let unclosed = "{\"a\":[".repeat(depth);
    std::fs::write(d.join("unclosed.json"), &unclosed).unwrap();
    let mut csv = b"id,email,note\n1,anna@example.org,\"".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 5 << 20));
    csv.extend_from_slice(b"\"\n2,boris@example.org,\"unterminated\n");
    std::fs::write(d.join("long-field.csv"), &csv).unwrap();
    std::fs::write(
        d.join("dump.sql"),
        "INSERT INTO t VALUES ('anna@example.org', 'unterminated\n".repeat(1000),
    )
    .unwrap();

    let r = scan(d, &[]);
    assert!(r.found("ok.txt", "email"));
    assert!(r.found("bad-utf8.txt", "email"), "{:#?}", r.events);
    assert!(r.found("half-surrogates.txt", "email"), "{:#?}", r.events);
    let e = r.event_for("skipped", "nul.txt").expect("nul.txt skipped");
    assert_eq!(e["reason"], "binary");
    assert!(r.found("late-nul.txt", "email"), "{:#?}", r.events);
    for f in ["deep.json", "deep-obj.json", "long-field.csv", "dump.sql"] {
        assert!(r.found(f, "email"), "{f}: {:#?}", r.events);
    }
    assert_eq!(r.summary()["files_errored"], 0, "{:#?}", r.of_type("error"));
    assert_eq!(r.code, Some(1));
    assert!(r.peak_rss_kb < 200_000, "peak RSS {} KiB", r.peak_rss_kb);
}

/// Special files inside a tree: FIFOs, sockets, a character device (as
/// root), symlink loops, unreadable files, names that are not UTF-8.
#[test]
fn special_files_in_the_tree() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_ok(d);
    let fifo = Command::new("mkfifo").arg(d.join("fifo")).status().unwrap();
    assert!(fifo.success());
    let _sock = std::os::unix::net::UnixListener::bind(d.join("sock")).unwrap();
    let root = is_root();
    if root {
        // /dev/zero's numbers: endless reads if the walker opened it.
        let ok = Command::new("mknod")
            .arg(d.join("zero"))
            .args(["c", "1", "5"])
            .status()
            .unwrap();
        assert!(ok.success());
    } else {
        eprintln!("not root: no character device case (mknod needs root)");
    }
    std::os::unix::fs::symlink("loop-b", d.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", d.join("loop-b")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero-link")).unwrap();
    std::fs::write(d.join("secret.txt"), "mail anna@example.org\n").unwrap();
    std::fs::set_permissions(d.join("secret.txt"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let raw_name = std::ffi::OsStr::from_bytes(b"caf\xe9-\xff.txt");
    std::fs::write(d.join(raw_name), "mail anna@example.org\n").unwrap();

    let r = scan(d, &[]);
    assert!(r.found("ok.txt", "email"));
    for special in ["fifo", "sock"].into_iter().chain(root.then_some("zero")) {
        let e = r
            .event_for("skipped", special)
            .unwrap_or_else(|| panic!("{special}: {:#?}", r.events));
        assert_eq!(e["reason"], "not a regular file", "{e}");
    }
    for link in ["loop-a", "loop-b", "sub/up", "zero-link"] {
        let e = r
            .event_for("skipped", link)
            .unwrap_or_else(|| panic!("{link}: {:#?}", r.events));
        assert_eq!(e["reason"], "symlink (use --follow)");
    }
    // The name is shown lossily; the file is scanned.
    assert!(
        r.found("caf\u{FFFD}-\u{FFFD}.txt", "email"),
        "{:#?}",
        r.events
    );
    if root {
        // Root reads everything: the 000 file is scanned.
        assert!(r.found("secret.txt", "email"));
        assert_eq!(r.code, Some(1));
    } else {
        let e = r
            .event_for("error", "secret.txt")
            .expect("permission error");
        assert_eq!(e["message"], "permission denied");
        assert_eq!(r.code, Some(2));
    }

    // Following links: the loops are errors naming the link, the device
    // behind a link is not read forever (it is not a regular file).
    let r = scan(d, &["--follow"]);
    assert!(r.found("ok.txt", "email"));
    assert_eq!(r.code, Some(2));
    let errors = r.of_type("error");
    for link in ["loop-a", "loop-b", "sub/up"] {
        assert!(
            errors
                .iter()
                .any(|e| e["path"].as_str().unwrap().contains(link)),
            "{link}: {errors:#?}"
        );
    }
    let e = r
        .event_for("skipped", "zero-link")
        .unwrap_or_else(|| panic!("{:#?}", r.events));
    assert_eq!(e["reason"], "not a regular file");
    std::fs::set_permissions(d.join("secret.txt"), std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Files deleted while the scan runs are errors naming them (or scanned,
/// if the scan got there first); files that keep growing end.
#[test]
fn files_vanishing_and_growing_during_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    write_ok(&d);
    std::fs::create_dir(d.join("many")).unwrap();
    let body = text_with_values(2_000);
    for i in 0..300 {
        std::fs::write(d.join(format!("many/{i:03}.txt")), &body).unwrap();
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let grower = {
        let (d, stop) = (d.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::File::create(d.join("grow.log")).unwrap();
            let line = "2024-01-01 12:00:00 tick nothing to see here\n".repeat(1000);
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                f.write_all(line.as_bytes()).unwrap();
                i += 1;
                if i % 2000 == 0 {
                    // Keep the disk use bounded: start over.
                    f.set_len(0).unwrap();
                    f.seek(SeekFrom::Start(0)).unwrap();
                }
            }
        })
    };
    let deleter = {
        let d = d.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            for i in (0..300).rev() {
                let _ = std::fs::remove_file(d.join(format!("many/{i:03}.txt")));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(20));
    let r = run_in(
        &d,
        &["scan", "--format", "jsonl", "-j", "1", "."],
        Duration::from_secs(60),
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    grower.join().unwrap();
    deleter.join().unwrap();
    r.assert_no_panic();
    assert!(r.found("ok.txt", "email"));
    for e in r.of_type("error") {
        assert!(e["path"].as_str().unwrap().starts_with("many/"), "{e}");
        assert_eq!(e["message"], "no such file or directory", "{e}");
    }
    // grow.log was read up to its size when opened and ended.
    assert!(
        r.events.iter().any(|e| e["path"] == "grow.log")
            || r.summary()["files_scanned"].as_u64() > Some(0),
        "{:#?}",
        r.events
    );
    let errored = r.summary()["files_errored"].as_u64().unwrap();
    assert_eq!(r.code, Some(if errored > 0 { 2 } else { 1 }));
}

/// Explicitly named, a growing file still ends: it is read to the size it
/// had when opened.
#[test]
fn a_file_growing_faster_than_the_scan_ends() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    std::fs::write(d.join("grow.log"), text_with_values(50_000)).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let grower = {
        let (d, stop) = (d.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(d.join("grow.log"))
                .unwrap();
            // No values in what is appended: the report stays small
            // however much of it the scan would read.
            let chunk = "2024-01-01 12:00:00 tick nothing to see here\n".repeat(20_000);
            let mut written = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && written < 1 << 30 {
                f.write_all(chunk.as_bytes()).unwrap();
                written += chunk.len();
            }
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let r = run_in(
        &d,
        &["scan", "--format", "jsonl", "grow.log"],
        Duration::from_secs(60),
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    grower.join().unwrap();
    r.assert_no_panic();
    assert_eq!(r.code, Some(1));
    assert_eq!(r.summary()["files_scanned"], 1);
}

/// A 1 GiB file that is one line: scanned in bounded memory, values at
/// its start and its very end found; `--file-timeout` stops it and says so;
/// `--max-filesize` skips it and says so.
#[test]
fn one_gib_single_line() {
    const GIB: u64 = 1 << 30;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_ok(d);
    {
        let mut f = std::fs::File::create(d.join("line.txt")).unwrap();
        let mut head = Vec::new();
        while head.len() < 70_000 {
            head.extend_from_slice(b"x anna@example.org +7 912 345-67-89 ");
            head.extend_from_slice(&[b'y'; 200]);
        }
        f.write_all(&head).unwrap();
        // The middle is a hole: reads as NULs (past the 64 KiB sniff, so
        // still text) without using disk.
        f.seek(SeekFrom::Start(GIB - 64)).unwrap();
        f.write_all(b" tail boris@example.org").unwrap();
        let len = f.stream_position().unwrap();
        f.write_all(&vec![b' '; (GIB + 1000 - len) as usize])
            .unwrap();
    }
    let r = run_in(
        d,
        &["scan", "--format", "jsonl", "-j", "2", "."],
        Duration::from_secs(120),
    );
    r.assert_no_panic();
    eprintln!(
        "1 GiB single line: peak RSS {} KiB, {:.1}s",
        r.peak_rss_kb,
        r.elapsed.as_secs_f64()
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.found("ok.txt", "email"));
    let tail = r
        .events
        .iter()
        .find(|e| {
            e["type"] == "finding"
                && e["path"] == "line.txt"
                && e["start"].as_u64() > Some(GIB - 100)
        })
        .unwrap_or_else(|| panic!("the value at the end is not found"));
    assert_eq!(tail["line"], 1);
    assert!(
        r.peak_rss_kb > 0 && r.peak_rss_kb < 200_000,
        "peak RSS {} KiB",
        r.peak_rss_kb
    );

    let r = scan(d, &["--file-timeout", "0.2"]);
    let e = r
        .event_for("skipped", "line.txt")
        .expect("timeout reported");
    assert!(
        e["reason"].as_str().unwrap().starts_with("time limit:"),
        "{e}"
    );
    assert!(r.found("ok.txt", "email"));
    assert!(
        r.found("line.txt", "email"),
        "findings before the stop are kept"
    );
    assert!(r.elapsed < Duration::from_secs(30));
    assert_eq!(r.code, Some(1));

    // `redact` with the same budget: the file is left out and named, the
    // others are written.
    let outs = tempfile::tempdir().unwrap();
    let out = outs.path().join("out");
    let r = run_in(
        d,
        &[
            "redact",
            "--out",
            out.to_str().unwrap(),
            "--file-timeout",
            "0.2",
            ".",
        ],
        Duration::from_secs(60),
    );
    r.assert_no_panic();
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("line.txt") && l.contains("time limit:")),
        "{}",
        r.stderr
    );
    // `.` is mirrored under its own name.
    let mirror = out.join(d.file_name().unwrap());
    assert!(!mirror.join("line.txt").exists());
    assert!(mirror.join("ok.txt").exists(), "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(30));

    let r = scan(d, &["--max-filesize", "100M"]);
    let e = r
        .event_for("skipped", "line.txt")
        .expect("too large reported");
    assert_eq!(e["reason"], "too large");
    assert!(r.found("ok.txt", "email"));
}

/// `--max-findings-per-file`: the scan of a file stops at N findings, says
/// so in JSONL and in the text summary; other files are not affected.
#[test]
fn findings_cap_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_ok(d);
    std::fs::write(d.join("many.csv"), text_with_values(5_000)).unwrap();
    let r = scan(d, &["--max-findings-per-file", "100"]);
    let n = r
        .events
        .iter()
        .filter(|e| e["type"] == "finding" && e["path"] == "many.csv")
        .count();
    assert_eq!(n, 100);
    let e = r.event_for("skipped", "many.csv").expect("cap reported");
    assert!(
        e["reason"].as_str().unwrap().starts_with("findings limit:"),
        "{e}"
    );
    assert!(r.found("ok.txt", "email"));
    assert_eq!(r.code, Some(1));
    let t = run_in(
        d,
        &[
            "scan",
            "--color",
            "never",
            "--max-findings-per-file",
            "100",
            ".",
        ],
        Duration::from_secs(60),
    );
    t.assert_no_panic();
    assert!(
        t.stdout
            .contains("findings limit: scan stopped at 100 findings"),
        "{}",
        t.stdout
    );
    let t = run_in(
        d,
        &["scan", "--color", "never", "--file-timeout", "0", "."],
        Duration::from_secs(60),
    );
    assert_eq!(t.code, Some(2), "a bad limit is a usage error");
}

/// `redact` over the same hostile kinds: special files are skipped, a
/// truncated archive is an error, and bombs are stopped by the ratio
/// limit before they are expanded (they were once expanded in full, to
/// temporary files, by the container rewriter: minutes and gigabytes).
#[test]
fn redact_skips_special_files_and_stops_bombs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = d.join("t");
    std::fs::create_dir(&t).unwrap();
    write_ok(&t);
    assert!(
        Command::new("mkfifo")
            .arg(t.join("fifo"))
            .status()
            .unwrap()
            .success()
    );
    let _sock = std::os::unix::net::UnixListener::bind(t.join("sock")).unwrap();
    std::os::unix::fs::symlink("loop-b", t.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", t.join("loop-b")).unwrap();
    // Text, not NULs: a binary member is left out after its first bytes.
    std::fs::write(t.join("bomb.zip"), zip_bomb_of(300, b'0')).unwrap();
    std::fs::write(t.join("zeros.txt.gz"), gzip(&vec![b'0'; 64 << 20])).unwrap();
    let gz = gzip(text_with_values(20_000).as_bytes());
    std::fs::write(t.join("cut.csv.gz"), &gz[..gz.len() / 2]).unwrap();
    for follow in [false, true] {
        let out = d.join(format!("out-{follow}"));
        let mut args = vec!["redact", "--out", out.to_str().unwrap(), "t"];
        if follow {
            args.push("--follow");
        }
        let r = run_in(d, &args, Duration::from_secs(60));
        r.assert_no_panic();
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(r.elapsed < Duration::from_secs(30), "{:?}", r.elapsed);
        // The mirror tree: input `t` goes to `OUT/t`.
        let redacted = std::fs::read_to_string(out.join("t/ok.txt")).unwrap();
        assert!(!redacted.contains(OK_EMAIL), "{redacted}");
        for bomb in ["bomb.zip", "zeros.txt.gz"] {
            assert!(
                r.stderr
                    .lines()
                    .any(|l| l.contains(bomb) && l.contains("decompression limit")),
                "{bomb}: {}",
                r.stderr
            );
            assert!(!out.join("t").join(bomb).exists());
        }
        assert!(r.stderr.contains("cut.csv.gz"), "{}", r.stderr);
        for special in ["fifo", "sock"] {
            assert!(
                r.stderr
                    .lines()
                    .any(|l| l.contains(special) && l.contains("not a regular file")),
                "{special}: {}",
                r.stderr
            );
        }
        assert!(r.stderr.contains("loop-a"), "{}", r.stderr);
    }
}
