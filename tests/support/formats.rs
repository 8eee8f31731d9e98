#![allow(dead_code)] // each includer uses part of it
//! Same-sized inputs in each format with the same personal data per
//! record, for the per-format throughput bench (`examples/gen_formats.rs`,
//! `scripts/bench-formats`) and the huge-input memory test
//! (`tests/big_inputs.rs`). Shared by `#[path]`: neither a test nor an
//! example on its own.
//!
//! Every record, whatever the format, has the same fields: an id, a
//! timestamp, an amount, a free-text comment without personal data
//! (~120 bytes, in the status field; the dcontext of a call record), and
//! in every other record a person name, an e-mail, a phone, an INN and a
//! SNILS (checksum-valid, from the fixtures; `-` in the others), so the
//! PII density is comparable: five values per two records.

use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Log lines.
    Text,
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// NDJSON whose values are written with `\uXXXX` escapes.
    NdjsonEscaped,
    /// A pg_dump plain-format COPY block.
    PgDump,
    /// Asterisk Master.csv call records.
    Cdr,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Text,
        Format::Csv,
        Format::Ndjson,
        Format::NdjsonEscaped,
        Format::PgDump,
        Format::Cdr,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::NdjsonEscaped => "ndjson-escaped",
            Format::PgDump => "pg_dump",
            Format::Cdr => "cdr",
        }
    }

    /// A file name the sniffer maps to this format.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Text => "app.log",
            Format::Csv => "clients.csv",
            Format::Ndjson => "events.ndjson",
            Format::NdjsonEscaped => "escaped.ndjson",
            Format::PgDump => "dump.sql",
            Format::Cdr => "Master.csv",
        }
    }
}

const NAMES: [&str; 4] = [
    "Иванов Иван Иванович",
    "Петрова Анна Сергеевна",
    "Сидоров Пётр Петрович",
    "Смирнова Ольга Николаевна",
];
const INNS: [&str; 4] = [
    "500100732185",
    "520102345642",
    "780103456772",
    "160105678933",
];
const SNILS: [&str; 4] = [
    "112-233-401 83",
    "334-455-603 68",
    "556-677-805 53",
    "112-233-401 83",
];

/// The values of record `i`.
struct Rec {
    i: u64,
    name: &'static str,
    email: String,
    phone: String,
    inn: &'static str,
    snils: &'static str,
    ts: String,
    comment: &'static str,
}

/// Non-personal free text: no commas or quotes, so it needs no quoting.
const COMMENTS: [&str; 3] = [
    "order shipped from warehouse 12 by courier service; delivery window 10:00-14:00; box size M; fragile items packed separately",
    "customer asked to change the delivery address later this week; callback scheduled by the support team; ticket priority normal",
    "payment received in full via online banking; receipt sent to the customer profile; loyalty points added to the account",
];

fn rec(i: u64) -> Rec {
    let k = (i % 4) as usize;
    if i.is_multiple_of(2) {
        return Rec {
            i,
            name: "-",
            email: "-".into(),
            phone: "-".into(),
            inn: "-",
            snils: "-",
            ts: String::new(),
            comment: COMMENTS[(i % 3) as usize],
        }
        .with_ts();
    }
    Rec {
        i,
        name: NAMES[k],
        email: format!("user{i}@example.com"),
        comment: COMMENTS[(i % 3) as usize],
        phone: format!(
            "+7 900 {:03}-{:02}-{:02}",
            i / 10_000 % 1000,
            i / 100 % 100,
            i % 100
        ),
        inn: INNS[k],
        snils: SNILS[k],
        ts: String::new(),
    }
    .with_ts()
}

impl Rec {
    fn with_ts(mut self) -> Rec {
        let i = self.i;
        self.ts = format!(
            "2024-01-{:02} {:02}:{:02}:{:02}",
            1 + i % 28,
            i / 3600 % 24,
            i / 60 % 60,
            i % 60
        );
        self
    }
}

/// `\uXXXX` for every character.
fn escape_all(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 6);
    for u in s.encode_utf16() {
        out.push_str(&format!("\\u{u:04x}"));
    }
    out
}

/// Writes about `bytes` bytes of `format` to `out`; returns the bytes
/// written and the records.
pub fn write(format: Format, bytes: u64, out: &mut impl Write) -> io::Result<(u64, u64)> {
    let mut written = 0u64;
    let mut line = String::with_capacity(512);
    fn put(s: &str, out: &mut dyn Write, written: &mut u64) -> io::Result<()> {
        out.write_all(s.as_bytes())?;
        *written += s.len() as u64;
        Ok(())
    }
    match format {
        Format::Csv => put(
            "id,created,name,email,phone,inn,snils,status,amount\n",
            out,
            &mut written,
        )?,
        Format::PgDump => put(
            "--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = on;\n\n\
             CREATE TABLE public.clients (\n    id bigint NOT NULL,\n    created timestamp,\n    \
             name text,\n    email text,\n    phone text,\n    inn text,\n    snils text,\n    \
             status text,\n    amount numeric\n);\n\n\
             COPY public.clients (id, created, name, email, phone, inn, snils, status, amount) FROM stdin;\n",
            out,
            &mut written,
        )?,
        _ => {}
    }
    let mut i = 0u64;
    // The pg_dump tail, so the file ends as a dump does.
    let tail = "\\.\n\n--\n-- PostgreSQL database dump complete\n--\n";
    while written
        + (if format == Format::PgDump {
            tail.len() as u64
        } else {
            0
        })
        < bytes
    {
        i += 1;
        let r = rec(i);
        line.clear();
        let amount = format!("{}.{:02}", r.i * 37 % 100_000, r.i % 100);
        match format {
            Format::Text => {
                line.push_str(&format!(
                    "{} INFO order={} client \"{}\" email={} phone {} inn {} snils {} status=paid amount={}\n",
                    r.ts, r.i, r.name, r.email, r.phone, r.inn, r.snils, amount
                ));
            }
            Format::Csv => line.push_str(&format!(
                "{},{},{},{},{},{},{},paid,{}\n",
                r.i, r.ts, r.name, r.email, r.phone, r.inn, r.snils, amount
            )),
            Format::Ndjson => line.push_str(&format!(
                "{{\"id\":{},\"created\":\"{}\",\"client\":{{\"name\":\"{}\",\"email\":\"{}\",\"phone\":\"{}\",\"inn\":\"{}\",\"snils\":\"{}\"}},\"status\":\"paid\",\"amount\":{}}}\n",
                r.i, r.ts, r.name, r.email, r.phone, r.inn, r.snils, amount
            )),
            Format::NdjsonEscaped => line.push_str(&format!(
                "{{\"id\":{},\"created\":\"{}\",\"client\":{{\"name\":\"{}\",\"email\":\"{}\",\"phone\":\"{}\",\"inn\":\"{}\",\"snils\":\"{}\"}},\"status\":\"paid\",\"amount\":{}}}\n",
                r.i,
                r.ts,
                escape_all(r.name),
                r.email.replace('@', "\\u0040"),
                r.phone.replace('-', "\\u002d"),
                r.inn,
                r.snils,
                amount
            )),
            Format::PgDump => line.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\tpaid\t{}\n",
                r.i, r.ts, r.name, r.email, r.phone, r.inn, r.snils, amount
            )),
            Format::Cdr => {
                // Asterisk cdr-csv, 18 columns: accountcode, src, dst,
                // dcontext, clid, channel, dstchannel, lastapp, lastdata,
                // start, answer, end, duration, billsec, disposition,
                // amaflags, uniqueid, userfield.
                let src = format!("7900{:07}", r.i % 10_000_000);
                let dst = format!("8900{:07}", (r.i * 7) % 10_000_000);
                line.push_str(&format!(
                    "\"\",\"{src}\",\"{dst}\",\"from-internal\",\"\"\"{}\"\" <{src}>\",\"SIP/101-{:08x}\",\"SIP/trunk-{:08x}\",\"Dial\",\"SIP/trunk/{dst},60\",\"{}\",\"{}\",\"{}\",60,55,\"ANSWERED\",\"DOCUMENTATION\",\"{}.{}\",\"{}\"\n",
                    r.name, r.i, r.i + 1, r.ts, r.ts, r.ts, 1_705_312_800 + r.i, r.i % 10, r.email
                ));
            }
        }
        let filler = if format == Format::Cdr {
            "from-internal"
        } else {
            "paid"
        };
        let line = line.replacen(filler, r.comment, 1);
        put(&line, out, &mut written)?;
    }
    if format == Format::PgDump {
        put(tail, out, &mut written)?;
    }
    Ok((written, i))
}
