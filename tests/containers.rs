//! Containers end to end: archives, compressed streams, e-mail and Office
//! files built at test time (synthetic values only), walked through the
//! public `source::container` API and through the built binary; zip bombs
//! (a high ratio, nesting past the depth limit) must come out as skipped
//! with a reason, quickly.

use base64::Engine as _;
use piiscan::source::container::{self, ContainerKind, Leaf, Limits};
use serde_json::Value;
use std::io::{Cursor, Write};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Stream(String, String),
    Skipped(String, String),
    Error(String, String),
}

/// Walks `data` named `name` (seekable) and collects every leaf, reading
/// each stream to its end but keeping at most 4 KiB of it.
fn walk(name: &str, data: &[u8], limits: &Limits) -> Vec<Got> {
    let kind = container::detect(name, &data[..data.len().min(container::PEEK_LEN)])
        .unwrap_or_else(|| panic!("{name} not detected"));
    let mut got = Vec::new();
    container::expand_seekable(
        name,
        kind,
        Box::new(Cursor::new(data)),
        Some(data.len() as u64),
        limits,
        &mut |leaf| got.push(take(leaf)),
    );
    got
}

fn take(leaf: Leaf<'_>) -> Got {
    match leaf {
        Leaf::Stream { display, reader } => {
            let mut kept = Vec::new();
            let mut chunk = [0u8; 8192];
            loop {
                let n = reader.read(&mut chunk).expect("leaf readers end cleanly");
                if n == 0 {
                    break;
                }
                if kept.len() < 4096 {
                    kept.extend_from_slice(&chunk[..n]);
                }
            }
            Got::Stream(display, String::from_utf8_lossy(&kept).into_owned())
        }
        Leaf::Skipped { display, reason } => Got::Skipped(display, reason),
        Leaf::Error { display, message } => Got::Error(display, message),
    }
}

fn stream_of<'a>(got: &'a [Got], display: &str) -> &'a str {
    got.iter()
        .find_map(|g| match g {
            Got::Stream(d, t) if d == display => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no stream {display} in {got:#?}"))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
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

/// A zip holding `mib` MiB of zeros, deflated (~1000:1), written entry
/// data first in 64 KiB pieces so the test never holds the expanded data.
fn zip_bomb(out: impl Write + std::io::Seek, mib: usize) {
    let mut w = zip::ZipWriter::new(out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    w.start_file("zeros.bin", opts).unwrap();
    let zeros = [0u8; 64 * 1024];
    for _ in 0..mib * 16 {
        w.write_all(&zeros).unwrap();
    }
    w.finish().unwrap();
}

/// Base64 in 76-character lines, as mail software writes it.
fn b64_lines(data: &[u8]) -> String {
    let s = base64::engine::general_purpose::STANDARD.encode(data);
    s.as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect()
}

const CSV: &str = "id,email,phone\n1,ivan.petrov@example.com,+7 900 012-34-56\n";

/// A multipart message: a windows-1251 base64 text part, a
/// quoted-printable HTML part, a CSV attachment, a zipped attachment and a
/// forwarded message; encoded-words in the headers.
fn sample_email() -> String {
    let cp1251 = encoding_rs::WINDOWS_1251
        .encode("Здравствуйте! Мой телефон +7 900 012-34-56, Пётр.\n")
        .0
        .into_owned();
    let attachment_zip = zip(&[("scan.txt", b"passport holder: anna@example.com\n")]);
    format!(
        "Return-Path: <ivan.petrov@example.com>\r\n\
From: =?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@example.com>\r\n\
To: =?windows-1251?Q?=C0=ED=ED=E0?= <anna@example.com>\r\n\
Subject: =?koi8-r?B?8NLJ18XU?=\r\n\
\x20continued\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
This is a multi-part message in MIME format.\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=\"inner\"\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain; charset=windows-1251\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{}\
--inner\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
<p>=D0=A2=D0=B5=D0=BB=D0=B5=D1=84=D0=BE=D0=BD: +7 900 012-=\r\n\
34-56</p>\r\n\
--inner--\r\n\
\r\n\
--outer\r\n\
Content-Type: text/csv; name=\"clients.csv\"\r\n\
Content-Disposition: attachment; filename=\"clients.csv\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{}\
--outer\r\n\
Content-Type: application/zip\r\n\
Content-Disposition: attachment;\r\n\
\x20filename*=utf-8''%D1%81%D0%BA%D0%B0%D0%BD.zip\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{}\
--outer\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: anna@example.com\r\n\
Subject: fwd\r\n\
\r\n\
forwarded: call +7 900 098-76-54\r\n\
--outer--\r\n\
epilogue\r\n",
        b64_lines(&cp1251),
        b64_lines(CSV.as_bytes()),
        b64_lines(&attachment_zip),
    )
}

#[test]
fn email_parts_are_decoded_and_named() {
    let mail = sample_email();
    let got = walk("mail.eml", mail.as_bytes(), &Limits::default());
    let displays: Vec<&str> = got
        .iter()
        .map(|g| match g {
            Got::Stream(d, _) => d.as_str(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        displays,
        [
            "mail.eml!/headers",
            "mail.eml!/part1.txt",
            "mail.eml!/part2.html",
            "mail.eml!/clients.csv",
            "mail.eml!/скан.zip!/scan.txt",
            "mail.eml!/part5.eml!/headers",
            "mail.eml!/part5.eml!/part1.txt",
        ]
    );
    let headers = stream_of(&got, "mail.eml!/headers");
    assert!(
        headers.contains("From: Иван Петров <ivan.petrov@example.com>"),
        "{headers}"
    );
    assert!(headers.contains("To: Анна <anna@example.com>"), "{headers}");
    assert!(headers.contains("Subject: Привет continued"), "{headers}");
    assert_eq!(
        stream_of(&got, "mail.eml!/part1.txt"),
        "Здравствуйте! Мой телефон +7 900 012-34-56, Пётр.\n"
    );
    assert_eq!(
        stream_of(&got, "mail.eml!/part2.html"),
        "<p>Телефон: +7 900 012-34-56</p>\n"
    );
    assert_eq!(stream_of(&got, "mail.eml!/clients.csv"), CSV);
    assert_eq!(
        stream_of(&got, "mail.eml!/скан.zip!/scan.txt"),
        "passport holder: anna@example.com\n"
    );
    assert_eq!(
        stream_of(&got, "mail.eml!/part5.eml!/part1.txt"),
        "forwarded: call +7 900 098-76-54\r\n"
    );
}

#[test]
fn no_panic_on_cut_or_flipped_email_and_office_files() {
    let l = Limits::default();
    let mail = sample_email().into_bytes();
    let docx = zip(&[(
        "word/document.xml",
        "<w:p><w:r><w:t>a&amp;b&#x41;&#99999999;<![CDATA[x]]><!-- c --></w:t></w:r></w:p>"
            .as_bytes(),
    )]);
    for (name, data) in [("mail.eml", &mail), ("a.docx", &docx)] {
        for i in (0..data.len()).step_by(3) {
            let mut flipped = data.clone();
            flipped[i] ^= 0x2d; // turns letters into '-', '=' or '?'-like bytes
            for input in [&data[..i], &flipped[..]] {
                if let Some(kind) = container::detect(name, input) {
                    container::expand(name, kind, Box::new(input), None, &l, &mut |leaf| {
                        take(leaf);
                    });
                }
            }
        }
    }
}

#[test]
fn mbox_messages_are_numbered() {
    let mut mbox = String::new();
    for i in 1..=3 {
        mbox.push_str(&format!(
            "From sender{i}@example.com Mon Jan  1 00:00:0{i} 2024\n\
From: sender{i}@example.com\n\
Subject: n{i}\n\
\n\
body {i}: +7 900 000-00-0{i}\n\
\n"
        ));
    }
    let got = walk("box.mbox", mbox.as_bytes(), &Limits::default());
    assert_eq!(got.len(), 6, "{got:#?}");
    assert_eq!(
        stream_of(&got, "box.mbox!/3/part1.txt"),
        "body 3: +7 900 000-00-03\n\n"
    );
    assert!(stream_of(&got, "box.mbox!/2/headers").contains("From: sender2@example.com"));
}

#[test]
fn office_files_yield_their_text() {
    let docx = zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        (
            "word/document.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document><w:body><w:p><w:r><w:t>Клиент: Иван</w:t></w:r><w:r><w:t xml:space="preserve"> Петров, ivan.petrov@</w:t></w:r><w:r><w:t>example.com</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>+7 900 012-34-56</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#.as_bytes(),
        ),
        ("word/styles.xml", b"<w:styles><w:t>not text</w:t></w:styles>"),
        ("docProps/core.xml", b"<cp:coreProperties><dc:creator>Anna Smirnova</dc:creator></cp:coreProperties>"),
    ]);
    let got = walk("report.docx", &docx, &Limits::default());
    assert_eq!(
        got,
        [
            Got::Stream(
                "report.docx!/word/document.xml".into(),
                "Клиент: Иван Петров, ivan.petrov@example.com\n+7 900 012-34-56\n\t\n".into()
            ),
            Got::Stream(
                "report.docx!/docProps/core.xml".into(),
                "Anna Smirnova\n\n".into()
            ),
        ]
    );
    // Named .zip, it is still told apart by its directory.
    assert_eq!(
        walk("report.zip", &docx, &Limits::default()),
        got.iter()
            .map(|g| match g {
                Got::Stream(d, t) => Got::Stream(d.replace(".docx", ".zip"), t.clone()),
                g => g.clone(),
            })
            .collect::<Vec<_>>()
    );

    let xlsx = zip(&[
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/sharedStrings.xml", b"<sst><si><t>email</t></si><si><t>anna@example.com</t></si></sst>"),
        ("xl/worksheets/sheet1.xml", br#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>79000123456</v></c></row></sheetData></worksheet>"#),
    ]);
    let got = walk("book.xlsx", &xlsx, &Limits::default());
    assert_eq!(
        stream_of(&got, "book.xlsx!/xl/sharedStrings.xml"),
        "email\nanna@example.com\n"
    );
    assert_eq!(
        stream_of(&got, "book.xlsx!/xl/worksheets/sheet1.xml"),
        "\t79000123456\t\n"
    );

    // ODF stores `mimetype` first and uncompressed, so it shows in the
    // magic bytes.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [
        ("mimetype", &b"application/vnd.oasis.opendocument.text"[..]),
        (
            "content.xml",
            b"<office:text><text:p>tel<text:s/>+7 900 012-34-56</text:p></office:text>",
        ),
        ("META-INF/manifest.xml", b"<manifest/>"),
    ] {
        w.start_file(name, stored).unwrap();
        w.write_all(data).unwrap();
    }
    let odt = w.finish().unwrap().into_inner();
    let got = walk("letter.odt", &odt, &Limits::default());
    assert_eq!(
        got,
        [Got::Stream(
            "letter.odt!/content.xml".into(),
            "tel +7 900 012-34-56\n".into()
        )]
    );
    assert_eq!(container::detect("noname", &odt), Some(ContainerKind::Odt));
}

#[test]
fn zip_bomb_is_skipped_quickly() {
    let mut bomb = Cursor::new(Vec::new());
    zip_bomb(&mut bomb, 200);
    let bomb = bomb.into_inner();
    assert!(
        bomb.len() < 1 << 20,
        "the bomb itself is small: {}",
        bomb.len()
    );
    let started = Instant::now();
    // Refused from its directory entry, before any inflating.
    let got = walk("bomb.zip", &bomb, &Limits::default());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    match &got[..] {
        [Got::Skipped(d, reason)] => {
            assert_eq!(d, "bomb.zip!/zeros.bin");
            assert!(
                reason.starts_with("decompression limit: zip entry declares 209715200 bytes"),
                "{reason}"
            );
        }
        other => panic!("{other:#?}"),
    }
    // Inside a tar.gz (spooled first) the whole input is a 150000:1
    // bomb: gzip squeezes the zip's own repetitive output too. What
    // came before it is still scanned.
    let tgz = gzip(&tar(&[("b/ok.txt", b"ok"), ("b/bomb.zip", &bomb)]));
    let got = walk("x.tar.gz", &tgz, &Limits::default());
    assert_eq!(
        got[0],
        Got::Stream("x.tar.gz!/b/ok.txt".into(), "ok".into())
    );
    assert!(
        matches!(&got[1..], [Got::Skipped(d, r)] if d == "x.tar.gz!/b/bomb.zip!/zeros.bin" && r.starts_with("decompression limit:")),
        "{:?}",
        &got[1..]
    );
}

#[test]
fn gzip_bomb_is_cut_off_while_streaming() {
    // A gzip has no directory: the meters stop it as it inflates.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let zeros = [b'0'; 64 * 1024];
    for _ in 0..200 * 16 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    let started = Instant::now();
    let got = walk("zeros.txt.gz", &bomb, &Limits::default());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    match &got[..] {
        [Got::Stream(d, _), Got::Skipped(d2, reason)] => {
            assert_eq!(d, "zeros.txt.gz!/zeros.txt");
            assert_eq!(d2, d, "the skip supersedes the cut-short stream");
            assert!(
                reason.starts_with("decompression limit: gzip data expands more than 200:1"),
                "{reason}"
            );
        }
        other => panic!(
            "{:?}",
            other
                .iter()
                .map(|g| format!("{:.200}", format!("{g:?}")))
                .collect::<Vec<_>>()
        ),
    }
}

#[test]
fn nested_zip_bomb_stops_at_max_depth() {
    let mut data = zip(&[("core.txt", b"anna@example.com")]);
    for level in (1..=8).rev() {
        let name = format!("n{level}.zip");
        data = zip(&[(name.as_str(), &data)]);
    }
    let started = Instant::now();
    let got = walk("top.zip", &data, &Limits::default());
    assert!(started.elapsed() < Duration::from_secs(5));
    // top.zip is depth 1, n1..n4 are 2..5, n5 would be 6.
    assert_eq!(
        got,
        [Got::Skipped(
            "top.zip!/n1.zip!/n2.zip!/n3.zip!/n4.zip!/n5.zip".into(),
            "decompression limit: zip nested more than 5 containers deep".into()
        )]
    );
}

#[test]
fn tar_gz_holding_a_file_and_a_nested_zip() {
    let inner = zip(&[("notes/a.txt", b"call +7 900 012-34-56")]);
    let tgz = gzip(&tar(&[
        ("db/users.sql", CSV.as_bytes()),
        ("att/n.zip", &inner),
    ]));
    let got = walk("backup.tar.gz", &tgz, &Limits::default());
    assert_eq!(
        got,
        [
            Got::Stream("backup.tar.gz!/db/users.sql".into(), CSV.into()),
            Got::Stream(
                "backup.tar.gz!/att/n.zip!/notes/a.txt".into(),
                "call +7 900 012-34-56".into()
            ),
        ]
    );
}

fn events(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect()
}

#[test]
fn binary_reports_paths_inside_containers_and_skips_bombs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sql = "INSERT INTO users VALUES (1, 'ivan.petrov@example.com', '+7 900 012-34-56');\n";
    std::fs::write(d.join("users.sql.gz"), gzip(sql.as_bytes())).unwrap();
    std::fs::write(
        d.join("bundle.tar.gz"),
        gzip(&tar(&[("db/users.csv", CSV.as_bytes())])),
    )
    .unwrap();
    std::fs::write(d.join("mail.eml"), sample_email()).unwrap();
    zip_bomb(std::fs::File::create(d.join("bomb.zip")).unwrap(), 200);

    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(["scan", "--format", "jsonl", "."])
        .current_dir(d)
        .env_remove("PIISCAN_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let ev = events(&out.stdout);
    let found = |path: &str, kind: &str| {
        ev.iter()
            .any(|e| e["type"] == "finding" && e["path"] == path && e["kind"] == kind)
    };
    for (path, kind) in [
        ("users.sql.gz!/users.sql", "email"),
        ("users.sql.gz!/users.sql", "phone"),
        ("bundle.tar.gz!/db/users.csv", "email"),
        ("bundle.tar.gz!/db/users.csv", "phone"),
        ("mail.eml!/headers", "email"),
        ("mail.eml!/part1.txt", "phone"),
        ("mail.eml!/clients.csv", "email"),
        ("mail.eml!/скан.zip!/scan.txt", "email"),
    ] {
        assert!(found(path, kind), "no {kind} in {path}: {ev:#?}");
    }
    // Spans index the decoded stream.
    let f = ev
        .iter()
        .find(|e| {
            e["type"] == "finding"
                && e["path"] == "bundle.tar.gz!/db/users.csv"
                && e["kind"] == "email"
        })
        .unwrap();
    let (s, e) = (
        f["start"].as_u64().unwrap() as usize,
        f["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&CSV[s..e], "ivan.petrov@example.com");

    let skipped: Vec<&Value> = ev.iter().filter(|e| e["type"] == "skipped").collect();
    assert!(
        skipped.iter().any(|e| e["path"] == "bomb.zip!/zeros.bin"
            && e["reason"]
                .as_str()
                .unwrap()
                .starts_with("decompression limit:")),
        "{skipped:#?}"
    );
    assert!(ev.iter().all(|e| e["type"] != "error"), "{ev:#?}");
    let summary = ev.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["files_errored"], 0);
}

#[test]
fn binary_reports_a_truncated_archive_as_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let big: String = (0..5000).map(|i| format!("{i} {CSV}")).collect();
    let tgz = gzip(&tar(&[("a.csv", big.as_bytes())]));
    std::fs::write(dir.path().join("cut.tar.gz"), &tgz[..tgz.len() / 2]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(["scan", "--format", "jsonl", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let ev = events(&out.stdout);
    let errors: Vec<&Value> = ev.iter().filter(|e| e["type"] == "error").collect();
    assert_eq!(errors.len(), 1, "{ev:#?}");
    assert_eq!(errors[0]["path"], "cut.tar.gz!/a.csv");
    assert_eq!(errors[0]["message"], "truncated gzip stream");
    // What was read before the cut is still reported.
    assert!(
        ev.iter()
            .any(|e| e["type"] == "finding" && e["path"] == "cut.tar.gz!/a.csv")
    );
}
