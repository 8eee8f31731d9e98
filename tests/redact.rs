//! End-to-end tests of `piiscan redact`: the built binary on synthetic
//! files (reserved phone ranges, example.com, generated checksum-valid
//! ids), checked the way a user would check the output.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn piiscan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    c.env("PIISCAN_KEY", "test key for redact");
    c
}

fn run(args: &[&str], dir: &Path) -> Output {
    piiscan().args(args).current_dir(dir).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Findings `piiscan scan` reports in `path` (JSONL events of type finding).
fn scan_findings(dir: &Path, path: &str) -> Vec<serde_json::Value> {
    let o = run(&["scan", "-f", "jsonl", path], dir);
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .collect()
}

const CHAT: &str = "Клиент: тел. +7 912 345-67-89, почта anna.petrova@example.ru\n\
Клиент: карта 2202 9198 2703 8392, СНИЛС 726-319-011 82, ИНН 695935804505\n\
Оператор: заказ 2024011512345 передан\n";

const CSV: &str = "id,name,phone,email,note\n\
1,Анна,+79123456789,anna@example.com,\"перезвонить, \"\"срочно\"\"\"\n\
2,Иван,8 (912) 345-67-88,ivan@example.org,нет\n";

fn write(dir: &Path, name: &str, data: &[u8]) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

#[test]
fn mirror_tree_with_report_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "src/chat.txt", CHAT.as_bytes());
    write(d, "src/sub/clients.csv", CSV.as_bytes());
    write(d, "src/clean.txt", b"nothing personal here\n");
    let o = run(
        &["redact", "src", "--out", "out", "--report", "rep.jsonl"],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Mirror: out/<basename of src>/...
    let clean = std::fs::read(d.join("out/src/clean.txt")).unwrap();
    assert_eq!(clean, b"nothing personal here\n");
    let chat = std::fs::read_to_string(d.join("out/src/chat.txt")).unwrap();
    assert!(chat.contains("+7 *** ***-**-89"), "{chat}");
    assert!(chat.contains("**** **** **** 8392"), "{chat}");
    assert!(chat.contains("заказ 2024011512345 передан"), "{chat}");
    assert!(scan_findings(d, "out").is_empty());
    // The sources are untouched.
    assert_eq!(
        std::fs::read_to_string(d.join("src/chat.txt")).unwrap(),
        CHAT
    );
    // The report: 0600, no raw value, one line per replacement.
    let rep = std::fs::read_to_string(d.join("rep.jsonl")).unwrap();
    for v in [
        "+7 912 345-67-89",
        "anna.petrova",
        "2202 9198",
        "726-319-011",
        "695935804505",
        "79123456789",
        "anna@example.com",
    ] {
        assert!(!rep.contains(v), "report leaks {v}");
    }
    let lines: Vec<serde_json::Value> = rep
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let replaced = lines.iter().filter(|l| l["type"] == "replaced").count();
    assert_eq!(replaced, 9, "{rep}");
    assert!(lines.iter().any(|l| l["type"] == "replaced"
        && l["location"]["column"] == "phone"
        && l["strategy"] == "mask"
        && l["fingerprint"].as_str().is_some_and(|f| f.len() == 32)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("rep.jsonl"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Nothing to redact: exit 0.
    let o = run(&["redact", "src/clean.txt", "--out", "out2"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(d.join("out2/clean.txt")).unwrap(),
        b"nothing personal here\n"
    );
    // No temporary files left anywhere.
    let leftovers = walk(d)
        .into_iter()
        .filter(|p| p.contains(".piiscan-"))
        .collect::<Vec<_>>();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(d: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

#[test]
fn refuses_to_write_into_the_source_tree_or_over_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "src/chat.txt", CHAT.as_bytes());
    let o = run(&["redact", "src", "--out", "src/safe"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("source tree"), "{}", stderr(&o));
    assert!(!d.join("src/safe").exists());
    // --out being the input's own directory would write over it.
    let o = run(&["redact", "src/chat.txt", "--out", "src"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("over an input"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("src/chat.txt")).unwrap(),
        CHAT
    );
    // Files without --out or --in-place: refused.
    let o = run(&["redact", "src"], d);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn stdin_streams_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = String::new();
    // Several chunks of the scanner, to cross its chunk edges.
    let mut i = 0;
    while big.len() < 3 << 20 {
        big.push_str(&format!(
            "{i} звонок с +7 900 {:03}-{:02}-{:02} на support@example.com\n",
            i % 1000,
            i % 100,
            (i / 100) % 100
        ));
        i += 1;
    }
    let mut child = piiscan()
        .args(["redact", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = big.clone();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    feeder.join().unwrap().unwrap();
    let status = child.wait_with_output().unwrap();
    assert_eq!(status.status.code(), Some(1), "{}", stderr(&status));
    assert_eq!(out.lines().count(), big.lines().count());
    for (a, b) in big.lines().zip(out.lines()).take(2000) {
        let (num_a, _) = a.split_once(' ').unwrap();
        assert!(b.starts_with(num_a), "{a} / {b}");
        assert!(b.contains("+7 *** ***-**-"), "{b}");
        assert!(b.ends_with("на *******@*******.***"), "{b}");
    }
}

#[test]
fn in_place_with_backup() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "data/chat.txt", CHAT.as_bytes());
    write(d, "data/clean.txt", b"clean\n");
    let o = run(&["redact", "--in-place", "--backup", ".orig", "data"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("data/chat.txt.orig")).unwrap(),
        CHAT
    );
    let red = std::fs::read_to_string(d.join("data/chat.txt")).unwrap();
    assert_ne!(red, CHAT);
    assert!(scan_findings(d, "data/chat.txt").is_empty());
    // Files without findings are left alone, with no backup.
    assert!(!d.join("data/clean.txt.orig").exists());
    assert_eq!(std::fs::read(d.join("data/clean.txt")).unwrap(), b"clean\n");
}

/// Values of column `col` of a redacted CSV.
fn csv_column(data: &[u8], col: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(data);
    let i = r.headers().unwrap().iter().position(|h| h == col).unwrap();
    r.records().map(|rec| rec.unwrap()[i].to_string()).collect()
}

#[test]
fn pseudonyms_join_across_files_and_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "in/a.csv",
        b"id,phone\n1,+7 912 345-67-89\n2,+7 912 345-67-80\n",
    );
    write(d, "in/b.txt", b"call 8 (912) 345-67-89 today\n");
    let o = run(
        &[
            "redact",
            "in",
            "--out",
            "out",
            "--strategy",
            "phone=pseudonym",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let a = std::fs::read(d.join("out/in/a.csv")).unwrap();
    let phones = csv_column(&a, "phone");
    assert!(phones[0].starts_with("PHONE_"), "{phones:?}");
    assert_ne!(phones[0], phones[1]);
    let b = std::fs::read_to_string(d.join("out/in/b.txt")).unwrap();
    assert_eq!(b, format!("call {} today\n", phones[0]));
    // Same key, another run: the same token.
    let o = run(
        &[
            "redact",
            "in",
            "--out",
            "out2",
            "--strategy",
            "phone=pseudonym",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(d.join("out2/in/a.csv")).unwrap(), a);
}

#[test]
fn fakes_pass_validators_and_labels_and_drop_keep_csv_valid() {
    use piiscan::validators::{card, inn, phone, snils};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv_in = "id,phone,card,snils,inn,email\n\
        1,+7 912 345-67-89,2202 9198 2703 8392,726-319-011 82,695935804505,anna@example.com\n";
    write(d, "in/p.csv", csv_in.as_bytes());
    let o = run(
        &[
            "redact",
            "in",
            "--out",
            "fake",
            "--default-strategy",
            "fake",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read(d.join("fake/in/p.csv")).unwrap();
    let digits = |s: &str| -> Vec<u8> { s.bytes().filter(u8::is_ascii_digit).collect() };
    let p = &csv_column(&out, "phone")[0];
    assert!(phone::phone_valid(p.as_bytes()), "{p}");
    assert!(p.starts_with("+7 900 0"), "{p}");
    let c = &csv_column(&out, "card")[0];
    assert!(card::card_valid(&digits(c)) && c.len() == 19, "{c}");
    let s = &csv_column(&out, "snils")[0];
    assert_eq!(
        snils::snils_check(&digits(s)),
        snils::SnilsCheck::Valid,
        "{s}"
    );
    let i = &csv_column(&out, "inn")[0];
    assert!(inn::inn_valid(i.as_bytes()), "{i}");
    let e = &csv_column(&out, "email")[0];
    assert!(
        e.ends_with("@example.com") && e != "anna@example.com",
        "{e}"
    );
    // Labels and drop: still the same rows and columns.
    for (strategy, want) in [("label", "[PHONE]"), ("drop", "")] {
        let out_dir = format!("o-{strategy}");
        let o = run(
            &[
                "redact",
                "in",
                "--out",
                &out_dir,
                "--default-strategy",
                strategy,
            ],
            d,
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = std::fs::read(d.join(&out_dir).join("in/p.csv")).unwrap();
        assert_eq!(csv_column(&out, "phone"), [want]);
        assert_eq!(csv_column(&out, "id"), ["1"]);
    }
}

#[test]
fn windows_1251_stays_windows_1251() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "ФИО;Телефон;Почта;Комментарий\n\
        Иванова Анна Сергеевна;+7 912 345-67-89;anna@example.com;позвонить вечером\n\
        Петров Пётр;8 912 345-67-88;petr@example.org;нет\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    write(d, "in/clients.csv", &bytes);
    let o = run(&["redact", "in", "--out", "out"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read(d.join("out/in/clients.csv")).unwrap();
    assert!(
        std::str::from_utf8(&out).is_err(),
        "output is no longer 1251"
    );
    let (decoded, had_errors) = encoding_rs::WINDOWS_1251.decode_without_bom_handling(&out);
    assert!(!had_errors);
    // Names are personal data too (and detected since the names work).
    assert!(
        decoded.contains(";+7 *** ***-**-89;") && !decoded.contains("Иванова"),
        "{decoded}"
    );
    assert!(decoded.contains(";позвонить вечером\n"), "{decoded}");
    assert_eq!(decoded.lines().count(), 3);
    assert!(scan_findings(d, "out").is_empty());
}

#[test]
fn utf16_stays_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "Клиент: +7 912 345-67-89, почта anna@example.com\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    write(d, "in/u16.txt", &bytes);
    let o = run(
        &[
            "redact",
            "in",
            "--out",
            "out",
            "--default-strategy",
            "label",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read(d.join("out/in/u16.txt")).unwrap();
    assert_eq!(&out[..2], &[0xFF, 0xFE]);
    let units: Vec<u16> = out[2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(
        String::from_utf16(&units).unwrap(),
        "Клиент: [PHONE], почта [EMAIL]\n"
    );
}

#[test]
fn containers_are_rewritten_as_the_same_kind() {
    use flate2::{Compression, read::GzDecoder, write::GzEncoder};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // .gz
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(CSV.as_bytes()).unwrap();
    write(d, "in/clients.csv.gz", &gz.finish().unwrap());
    // .tar.gz with a text member and a directory
    let mut tar_bytes = Vec::new();
    {
        let mut b = tar::Builder::new(&mut tar_bytes);
        let mut h = tar::Header::new_gnu();
        h.set_size(CHAT.len() as u64);
        h.set_mode(0o640);
        h.set_cksum();
        b.append_data(&mut h, "db/chat.txt", CHAT.as_bytes())
            .unwrap();
        b.finish().unwrap();
    }
    let mut tgz = GzEncoder::new(Vec::new(), Compression::default());
    tgz.write_all(&tar_bytes).unwrap();
    write(d, "in/backup.tar.gz", &tgz.finish().unwrap());
    // .zip
    let mut zbuf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut zbuf);
        z.start_file(
            "export/clients.csv",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(CSV.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    write(d, "in/export.zip", &zbuf.into_inner());
    let o = run(&["redact", "in", "--out", "out"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    let mut s = String::new();
    GzDecoder::new(std::fs::File::open(d.join("out/in/clients.csv.gz")).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    assert!(s.contains("+7********89"), "{s}");
    assert_eq!(s.lines().count(), CSV.lines().count());

    let mut ar = tar::Archive::new(GzDecoder::new(
        std::fs::File::open(d.join("out/in/backup.tar.gz")).unwrap(),
    ));
    let mut names = Vec::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        names.push(e.path().unwrap().display().to_string());
        assert_eq!(e.header().mode().unwrap(), 0o640);
        let mut body = String::new();
        e.read_to_string(&mut body).unwrap();
        assert!(body.contains("+7 *** ***-**-89"), "{body}");
    }
    assert_eq!(names, ["db/chat.txt"]);

    let mut z =
        zip::ZipArchive::new(std::fs::File::open(d.join("out/in/export.zip")).unwrap()).unwrap();
    let mut body = String::new();
    z.by_name("export/clients.csv")
        .unwrap()
        .read_to_string(&mut body)
        .unwrap();
    assert!(body.contains("+7********89"), "{body}");
    // And a scan of the output (which opens containers) finds nothing.
    assert!(scan_findings(d, "out").is_empty());
}

#[test]
fn containers_that_cannot_be_rewritten_are_refused_when_they_hold_values() {
    use bzip2::{Compression, write::BzEncoder};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bz = |data: &[u8]| {
        let mut e = BzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    write(d, "in/clean.txt.bz2", &bz(b"nothing personal\n"));
    // A tar holding an e-mail with values: the whole tar is refused.
    let eml = format!("Subject: hi\r\nMIME-Version: 1.0\r\n\r\n{CHAT}");
    let tar_bytes = tar_of("mail/msg.eml", eml.as_bytes());
    write(d, "in/mail.tar.bz2", &bz(&tar_bytes));
    // A gzip cut short: an error, nothing written.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(CHAT.repeat(50).as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    write(d, "in/broken.txt.gz", &gz[..gz.len() / 2]);
    let o = run(&["redact", "in", "--out", "out"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("mail.tar.bz2") && err.contains("msg.eml") && err.contains("e-mail"),
        "{err}"
    );
    assert!(err.contains("broken.txt.gz"), "{err}");
    assert_eq!(
        std::fs::read(d.join("out/in/clean.txt.bz2")).unwrap(),
        bz(b"nothing personal\n")
    );
    assert!(!d.join("out/in/mail.tar.bz2").exists());
    assert!(!d.join("out/in/broken.txt.gz").exists());
}

/// Masking `…+orders@…` once removed a negative context word ("order") that
/// kept the phone on the next line below the threshold, so only a second
/// pass replaced it. Context now ends at the line, so the first pass finds
/// the phone; either way the output must hold no phone and re-scan clean.
#[test]
fn regression_masking_a_value_unmasks_its_neighbour() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "[12:25:54] Agent: I've sent a password reset link to jane.clark+orders@example.com.\n\
        [12:26:57] Customer: You can reach me on 8 (495) 555-22-19 or at sergey1958@corp.test.\n";
    write(d, "in/chat.txt", text.as_bytes());
    let o = run(&["redact", "in", "--out", "out", "--report", "r.jsonl"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read_to_string(d.join("out/in/chat.txt")).unwrap();
    assert!(out.contains("* (***) ***-**-19"), "{out}");
    assert!(scan_findings(d, "out").is_empty());
    let rep = std::fs::read_to_string(d.join("r.jsonl")).unwrap();
    assert!(rep.contains("\"kind\":\"phone\""), "{rep}");
    // The repair pass touches only what the re-scan found: fakes made by
    // the first pass stay (the same e-mail gets the same fake as alone).
    write(d, "alone/mail.txt", b"jane.clark+orders@example.com\n");
    let o = run(
        &[
            "redact",
            "in",
            "alone",
            "--out",
            "fake",
            "--default-strategy",
            "fake",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let alone = std::fs::read_to_string(d.join("fake/alone/mail.txt")).unwrap();
    let chat = std::fs::read_to_string(d.join("fake/in/chat.txt")).unwrap();
    assert!(
        chat.contains(&format!("link to {}.", alone.trim_end())),
        "{chat} / {alone}"
    );
}

fn pipe(args: &[&str], input: &[u8]) -> Output {
    let mut child = piiscan()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    out
}

#[test]
fn gzip_on_stdin_comes_out_as_gzip_and_binary_stdin_is_an_error() {
    use flate2::{Compression, read::GzDecoder, write::GzEncoder};
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(CHAT.as_bytes()).unwrap();
    let o = pipe(&["redact", "-"], &gz.finish().unwrap());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut s = String::new();
    GzDecoder::new(&o.stdout[..])
        .read_to_string(&mut s)
        .unwrap();
    assert!(s.contains("+7 *** ***-**-89"), "{s}");
    assert_eq!(s.lines().count(), CHAT.lines().count());

    let o = pipe(
        &["redact", "-"],
        b"PGDMP\x00\x01\x02binary custom-format dump",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("binary"), "{}", stderr(&o));
}

#[test]
fn binary_files_are_left_out_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "in/chat.txt", CHAT.as_bytes());
    write(d, "in/blob.bin", b"\x00\x01\x02 +7 912 345-67-89 \x00");
    let o = run(&["redact", "in", "--out", "out"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("blob.bin: skipped (binary"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("out/in/blob.bin").exists());
    let o = run(&["redact", "in", "--out", "out2", "--copy-unscanned"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(d.join("out2/in/blob.bin")).unwrap(),
        b"\x00\x01\x02 +7 912 345-67-89 \x00"
    );
}

#[test]
fn config_redact_table_sets_the_policy_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "in/chat.txt", CHAT.as_bytes());
    write(
        d,
        "in/piiscan.toml",
        b"[redact]\nphone = \"fake\"\nemail = \"label\"\nkeep_last = { card = 2 }\n",
    );
    let o = run(&["redact", "in", "--out", "out"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read_to_string(d.join("out/in/chat.txt")).unwrap();
    assert!(out.contains("почта [EMAIL]"), "{out}");
    assert!(out.contains("тел. +7 900 "), "{out}");
    assert!(out.contains("**** **** **** **92"), "{out}");
    assert!(!out.contains("345-67-89"), "{out}");
    // A flag replaces the config's choice for its kind, and only that one.
    let o = run(
        &["redact", "in", "--out", "out2", "--strategy", "phone=label"],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read_to_string(d.join("out2/in/chat.txt")).unwrap();
    assert!(
        out.contains("тел. [PHONE]") && out.contains("[EMAIL]"),
        "{out}"
    );
    // --no-config: the defaults.
    let o = run(&["redact", "in", "--out", "out3", "--no-config"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = std::fs::read_to_string(d.join("out3/in/chat.txt")).unwrap();
    assert!(out.contains("+7 *** ***-**-89"), "{out}");
    // An unknown key: exit 2 naming the file and the key, nothing written.
    write(
        d,
        "bad.toml",
        b"[redact]\nphone = \"fake\"\nemial = \"label\"\n",
    );
    let o = run(
        &["redact", "in", "--out", "out4", "--config", "bad.toml"],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml") && err.contains("\"emial\""),
        "{err}"
    );
    assert!(!d.join("out4").exists());
    // The config's key file is read relative to the config (PIISCAN_KEY,
    // which the test harness sets, is removed here).
    write(d, "keyed/in/mail.txt", b"anna.petrova@example.ru\n");
    write(d, "keyed/k.key", b"a key\n");
    write(
        d,
        "keyed/cfg.toml",
        b"[redact]\nemail = \"pseudonym\"\nkey_file = \"k.key\"\n",
    );
    let mut tokens = Vec::new();
    for out in ["k1", "k2"] {
        let o = piiscan()
            .env_remove("PIISCAN_KEY")
            .args(["redact", "keyed/in", "--out", out])
            .args(["--config", "keyed/cfg.toml"])
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            !stderr(&o).contains("within this run only"),
            "{}",
            stderr(&o)
        );
        tokens.push(std::fs::read_to_string(d.join(out).join("in/mail.txt")).unwrap());
    }
    assert!(tokens[0].starts_with("EMAIL_"), "{}", tokens[0]);
    assert_eq!(tokens[0], tokens[1]);
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bz2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn tar_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = tar::Builder::new(&mut out);
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, name, data).unwrap();
    b.finish().unwrap();
    drop(b);
    out
}

fn unzst(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(data)
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn zstd_bzip2_and_xz_are_rewritten_with_the_same_compressor() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "in/chat.txt.zst", &zst(CHAT.as_bytes()));
    write(d, "in/chat.txt.bz2", &bz2(CHAT.as_bytes()));
    write(d, "in/chat.txt.xz", &xz(CHAT.as_bytes()));
    write(
        d,
        "in/db.tar.xz",
        &xz(&tar_of("db/chat.txt", CHAT.as_bytes())),
    );
    write(d, "in/clean.txt.zst", &zst(b"nothing personal\n"));
    let o = run(&["redact", "in", "--out", "out"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let read = |name: &str| std::fs::read(d.join("out/in").join(name)).unwrap();
    let check = |text: &[u8]| {
        let text = String::from_utf8(text.to_vec()).unwrap();
        assert!(text.contains("+7 *** ***-**-89"), "{text}");
        assert!(!text.contains("345-67-89"), "{text}");
        assert_eq!(text.lines().count(), CHAT.lines().count());
    };
    let z = read("chat.txt.zst");
    assert!(z.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]));
    check(&unzst(&z));
    let b = read("chat.txt.bz2");
    assert!(b.starts_with(b"BZh"));
    let mut text = Vec::new();
    bzip2::read::MultiBzDecoder::new(&b[..])
        .read_to_end(&mut text)
        .unwrap();
    check(&text);
    for name in ["chat.txt.xz", "db.tar.xz"] {
        let x = read(name);
        assert!(x.starts_with(b"\xfd7zXZ\x00"), "{name}");
        let mut text = Vec::new();
        lzma_rust2::XzReader::new(&x[..], true)
            .read_to_end(&mut text)
            .unwrap();
        if name.contains("tar") {
            let mut ar = tar::Archive::new(&text[..]);
            let mut e = ar.entries().unwrap().next().unwrap().unwrap();
            assert_eq!(e.path().unwrap().to_str(), Some("db/chat.txt"));
            let mut body = Vec::new();
            e.read_to_end(&mut body).unwrap();
            check(&body);
        } else {
            check(&text);
        }
    }
    assert_eq!(unzst(&read("clean.txt.zst")), b"nothing personal\n");
    assert!(scan_findings(d, "out").is_empty());
    // On standard input too: a zstd stream comes out as zstd.
    let o = pipe(&["redact", "-"], &zst(CHAT.as_bytes()));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    check(&unzst(&o.stdout));
}

#[test]
fn e_mail_and_office_files_with_values_are_refused_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let eml = format!(
        "From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{CHAT}"
    );
    write(d, "in/msg.eml", eml.as_bytes());
    write(
        d,
        "in/clean.eml",
        b"Subject: hi\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nnothing personal\r\n",
    );
    let mut zbuf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut zbuf);
        z.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        write!(
            z,
            "<w:document><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
            CHAT.replace('\n', " ")
        )
        .unwrap();
        z.finish().unwrap();
    }
    write(d, "in/letter.docx", &zbuf.into_inner());
    write(d, "in/chat.txt", CHAT.as_bytes());
    let o = run(&["redact", "in", "--out", "out"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for (name, why) in [("msg.eml", "e-mail"), ("letter.docx", "Office")] {
        let line = err
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: {err}"));
        assert!(line.contains(why) && line.contains("not written"), "{line}");
        assert!(!d.join("out/in").join(name).exists(), "{name}");
    }
    // The others are written; a clean e-mail is copied as it is.
    assert!(
        std::fs::read_to_string(d.join("out/in/chat.txt"))
            .unwrap()
            .contains("+7 *** ***-**-89")
    );
    assert_eq!(
        std::fs::read(d.join("out/in/clean.eml")).unwrap(),
        std::fs::read(d.join("in/clean.eml")).unwrap()
    );
    // No temporary file is left beside the refused ones.
    let left: Vec<_> = std::fs::read_dir(d.join("out/in"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".piiscan-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A user rule that finds the label `[EMAIL]`: with `email=label` every
/// replaced e-mail is a residual of the first pass, which only a repair
/// pass (mask) removes.
const LABEL_RULE: &str = r#"
[[rule]]
id = "test.email_label"
kind = "person"
description = "the e-mail label, to make residuals"
pattern = '(?P<value>\[EMAIL\])'
confidence = 0.9
examples = ["x [[[EMAIL]]] y"]
"#;

#[test]
fn residuals_are_repaired_in_files_and_containers_and_fail_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "label.toml", LABEL_RULE.as_bytes());
    write(d, "in/chat.txt", CHAT.as_bytes());
    write(d, "in/chat.txt.gz", &gz(CHAT.as_bytes()));
    write(
        d,
        "in/db.tar.zst",
        &zst(&tar_of("chat.txt", CHAT.as_bytes())),
    );
    let rules = d.join("label.toml").display().to_string();
    let args = ["--rules", rules.as_str(), "--strategy", "email=label"];
    let o = run(
        &[
            &["redact", "in", "--out", "out", "--report", "r.jsonl"],
            &args[..],
        ]
        .concat(),
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let repaired = |text: &str| {
        assert!(text.contains("почта [*****]"), "{text}");
        assert!(
            !text.contains("[EMAIL]") && !text.contains("anna"),
            "{text}"
        );
    };
    repaired(&std::fs::read_to_string(d.join("out/in/chat.txt")).unwrap());
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(&std::fs::read(d.join("out/in/chat.txt.gz")).unwrap()[..])
        .read_to_string(&mut s)
        .unwrap();
    repaired(&s);
    let tar = unzst(&std::fs::read(d.join("out/in/db.tar.zst")).unwrap());
    let mut ar = tar::Archive::new(&tar[..]);
    let mut body = String::new();
    ar.entries()
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .read_to_string(&mut body)
        .unwrap();
    repaired(&body);
    // The report says which pass replaced what, for the member too.
    let rep = std::fs::read_to_string(d.join("r.jsonl")).unwrap();
    assert!(
        rep.lines()
            .any(|l| l.contains("db.tar.zst") && l.contains("\"pass\":2")),
        "{rep}"
    );
    // Standard input is streamed: no second pass, so the residual is
    // reported and the exit code is 2 (the bytes are already sent).
    let o = pipe(&[&["redact", "-"], &args[..]].concat(), CHAT.as_bytes());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("already written to standard output"),
        "{}",
        stderr(&o)
    );
    // A compressed stream on standard input is spooled member by member,
    // so it is repaired.
    let o = pipe(
        &[&["redact", "-"], &args[..]].concat(),
        &gz(CHAT.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(&o.stdout[..])
        .read_to_string(&mut s)
        .unwrap();
    repaired(&s);
}

/// A UTF-8 JSON file whose only malformed bytes sit in an e-mail value
/// sniffs as windows-1251, so the Cyrillic name beside it reads as
/// mojibake and the first pass misses it. Dropping the e-mail makes the
/// output valid UTF-8, which a later scan reads properly: the redactor's
/// re-scan must read the output that way too, and repair the name.
/// (Found by the `redact` fuzz target.)
#[test]
fn an_output_that_sniffs_as_another_encoding_is_rescanned_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut json = b"{\n  \"customer\": {\n    \"id\": 1017,\n    \"name\": \"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd\xd0\xbe\xd0\xb2 \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd\",\n    \"email\": \"ivan@example.com".to_vec();
    json.extend_from_slice(&[0xff; 8]);
    json.extend_from_slice(b"\"\n  }\n}\n");
    write(d, "in/a.json", &json);
    // The input reads as windows-1251 (the name is not found in it).
    let before = scan_findings(d, "in/a.json");
    assert!(before.iter().all(|f| f["kind"] != "person"), "{before:?}");
    let o = run(
        &["redact", "in", "--out", "out", "--default-strategy", "drop"],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let after = scan_findings(d, "out/in/a.json");
    assert!(after.is_empty(), "{after:?}");
    let out = std::fs::read_to_string(d.join("out/in/a.json")).unwrap();
    assert!(out.contains("\"name\": null"), "{out}");
}

/// The re-scan reads the output in channel messages (64 KiB) and scanner
/// chunks (256 KiB, ending at a newline) through a reused buffer: a value
/// split by either boundary, or met in a later file whose buffer still
/// holds an earlier file's bytes, must be seen whole and exactly once.
/// Labels the test rule finds (`[EMAIL]`, as long as the seven-byte
/// e-mails they replace, so output offsets are input offsets) are the
/// residuals; on standard input each one is reported.
#[test]
fn the_rescan_sees_every_residual_across_message_and_chunk_edges() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "label.toml", LABEL_RULE.as_bytes());
    let rules = d.join("label.toml").display().to_string();
    // One long line of filler (no newline near the edges: the scanner
    // cannot end a chunk before the value) with an e-mail straddling each
    // edge, then short lines.
    let mut text = vec![b'x'; 800_000];
    let mut starts = Vec::new();
    for i in 1..=12usize {
        // Starts 1 to 6 bytes before the edge: every split of the value.
        let at = i * 65_536 - (1 + i % 6);
        let value = format!(" a{}@c.ru ", i % 10);
        text[at - 1..at - 1 + value.len()].copy_from_slice(value.as_bytes());
        starts.push(at as u64);
    }
    text.extend_from_slice(b"\nshort line b1@c.ru\n");
    starts.push(800_000 + 12);
    let o = pipe(
        &[
            "redact",
            "-",
            "--rules",
            &rules,
            "--strategy",
            "email=label",
            "--report",
            &d.join("r.jsonl").display().to_string(),
        ],
        &text,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(o.stdout.len(), text.len());
    let rep = std::fs::read_to_string(d.join("r.jsonl")).unwrap();
    let mut found: Vec<u64> = rep
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "residual")
        .map(|v| {
            let (s, e) = (v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap());
            assert_eq!(&o.stdout[s as usize..e as usize], b"[EMAIL]");
            s
        })
        .collect();
    found.sort_unstable();
    starts.sort_unstable();
    assert_eq!(found, starts, "{}", stderr(&o));
}

/// A redaction that masks e-mails skips their normalisation in its first
/// pass; whatever reads the normalised value must still get it: the keyed
/// pseudonym (one token for every spelling) and the report's fingerprint
/// (the one `scan` prints).
#[test]
fn email_norms_are_there_for_pseudonyms_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "in/a.txt",
        b"from Anna.Petrova@Example.COM\nto anna.petrova@example.com\n",
    );
    let o = run(
        &[
            "redact",
            "in",
            "--out",
            "p",
            "--strategy",
            "email=pseudonym",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.join("p/in/a.txt")).unwrap();
    let tokens: Vec<&str> = text.lines().map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert!(tokens[0].starts_with("EMAIL_"), "{text}");
    assert_eq!(tokens[0], tokens[1], "{text}");
    // Masked, with a report: the report's fingerprints are scan's (with
    // the same key).
    write(d, "k.key", b"a key\n");
    let o = run(
        &[
            "redact",
            "in",
            "--out",
            "m",
            "--report",
            "r.jsonl",
            "--key-file",
            "k.key",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("m/in/a.txt")).unwrap(),
        "from ****.*******@*******.***\nto ****.*******@*******.***\n"
    );
    let o = run(&["scan", "-f", "jsonl", "--key-file", "k.key", "in"], d);
    let mut scanned: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let rep = std::fs::read_to_string(d.join("r.jsonl")).unwrap();
    let mut reported: Vec<String> = rep
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "replaced")
        .map(|v| v["fingerprint"].as_str().unwrap().to_string())
        .collect();
    scanned.sort();
    reported.sort();
    assert_eq!(reported.len(), 2, "{rep}");
    assert_eq!(reported, scanned, "{rep}");
    assert_eq!(reported[0], reported[1]);
}
