//! Writes same-sized inputs in each structured format, with the same
//! personal data per record (see `tests/support/formats.rs`), for
//! `scripts/bench-formats`.
//!
//!   gen_formats --size 200M --out bench-formats [--formats text,csv,...]
//!
//! Formats: text, csv, ndjson, ndjson-escaped, pg_dump, cdr (default all).
//! Prints one line per file: format, path, bytes, records.

#[path = "../tests/support/formats.rs"]
mod formats;

use formats::Format;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

fn parse_size(s: &str) -> Option<u64> {
    let (num, mult) = match s.char_indices().last()? {
        (i, 'K' | 'k') => (&s[..i], 1 << 10),
        (i, 'M' | 'm') => (&s[..i], 1 << 20),
        (i, 'G' | 'g') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok().map(|n| n * mult)
}

fn main() -> ExitCode {
    let mut size = 200u64 << 20;
    let mut out = PathBuf::from("bench-formats");
    let mut wanted: Vec<Format> = Format::ALL.to_vec();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--size", Some(v)) => match parse_size(&v) {
                Some(n) => size = n,
                None => {
                    eprintln!("gen_formats: not a size: {v}");
                    return ExitCode::from(2);
                }
            },
            ("--out", Some(v)) => out = PathBuf::from(v),
            ("--formats", Some(v)) => {
                wanted = Vec::new();
                for id in v.split(',') {
                    match Format::ALL.iter().find(|f| f.id() == id) {
                        Some(f) => wanted.push(*f),
                        None => {
                            eprintln!("gen_formats: unknown format {id}");
                            return ExitCode::from(2);
                        }
                    }
                }
            }
            _ => {
                eprintln!("usage: gen_formats --size 200M --out DIR [--formats text,csv,...]");
                return ExitCode::from(2);
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("gen_formats: {}: {e}", out.display());
        return ExitCode::from(2);
    }
    for f in wanted {
        let path = out.join(f.file_name());
        let result = std::fs::File::create(&path).and_then(|file| {
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let r = formats::write(f, size, &mut w)?;
            w.flush()?;
            Ok(r)
        });
        match result {
            Ok((bytes, records)) => println!("{}\t{}\t{bytes}\t{records}", f.id(), path.display()),
            Err(e) => {
                eprintln!("gen_formats: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
