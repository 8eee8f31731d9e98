//! Writes a synthetic tree whose inventory has about N locations, to see
//! and time the HTML report at scale (`scripts/screenshot-report
//! --locations 10000`).
//!
//! Each unit is a CRM CSV export (5 PII columns), a pg_dump with three
//! tables (6 PII columns), an NDJSON event log (4 JSON fields, array
//! indices included) and a support ticket in free text (4 kinds): 19
//! locations, with row counts that vary from unit to unit so the table has
//! something to sort. Values come from the corpus builders (`src/eval/`):
//! reserved phone ranges, example domains, checksum-valid generated IDs.
//!
//! Usage: `cargo run --release --example many_locations -- DIR N [SEED]`

use piiscan::eval::rng::Rng;
use piiscan::eval::values;
use std::fmt::Write as _;
use std::path::Path;

const PER_UNIT: usize = 19;
const REGIONS: [&str; 8] = [
    "moscow",
    "spb",
    "kazan",
    "novosibirsk",
    "ekaterinburg",
    "saratov",
    "samara",
    "tver",
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(n)) = (
        args.first(),
        args.get(1).and_then(|s| s.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: many_locations DIR N [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1u64);
    let units = n.div_ceil(PER_UNIT);
    let root = Path::new(dir);
    for u in 0..units {
        let mut rng = Rng::derive(seed, &format!("unit {u}"));
        let region = REGIONS[u % REGIONS.len()];
        let rows = 1 + (u * 37 + 11) % 60;
        write(
            &root.join(format!("crm/{region}/clients_{u:05}.csv")),
            &crm_csv(&mut rng, rows),
        )?;
        write(
            &root.join(format!("db/{region}/shop_{u:05}.sql")),
            &pg_dump(&mut rng, rows),
        )?;
        write(
            &root.join(format!("events/{region}/app_{u:05}.ndjson")),
            &ndjson(&mut rng, 1 + rows / 2),
        )?;
        write(
            &root.join(format!("support/{region}/ticket_{u:05}.txt")),
            &ticket(&mut rng),
        )?;
    }
    println!(
        "{}: {} files, about {} locations",
        root.display(),
        units * 4,
        units * PER_UNIT
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::write(path, text)
}

fn crm_csv(rng: &mut Rng, rows: usize) -> String {
    let mut s = String::from("id,full_name,phone,email,inn,snils,card,city\n");
    for i in 0..rows {
        let _ = writeln!(
            s,
            "{},\"{}\",{},{},{},{},{},Москва",
            i + 1,
            values::person_ru(rng),
            values::phone_ru(rng),
            values::email(rng),
            values::inn12(rng),
            values::snils(rng),
            values::card(rng),
        );
    }
    s
}

fn pg_dump(rng: &mut Rng, rows: usize) -> String {
    let mut s = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n\n\
         CREATE TABLE public.customers (id integer, phone text, email text, inn text);\n\
         CREATE TABLE public.orders (id integer, delivery_phone text, contact_email text, total numeric);\n\
         CREATE TABLE billing.payments (id integer, card text, amount numeric);\n\n\
         COPY public.customers (id, phone, email, inn) FROM stdin;\n",
    );
    for i in 0..rows {
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}",
            i + 1,
            values::phone_e164(rng),
            values::email(rng),
            values::inn12(rng)
        );
    }
    s.push_str(
        "\\.\n\nCOPY public.orders (id, delivery_phone, contact_email, total) FROM stdin;\n",
    );
    for i in 0..rows.div_ceil(2) {
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}.00",
            i + 1,
            values::phone_ru(rng),
            values::email(rng),
            100 + i * 7
        );
    }
    s.push_str("\\.\n\nCOPY billing.payments (id, card, amount) FROM stdin;\n");
    for i in 0..rows.div_ceil(3) {
        let _ = writeln!(s, "{}\t{}\t{}.50", i + 1, values::card(rng), 10 + i);
    }
    s.push_str("\\.\n");
    s
}

fn ndjson(rng: &mut Rng, records: usize) -> String {
    let mut s = String::new();
    for i in 0..records {
        let _ = writeln!(
            s,
            r#"{{"ts":"2026-01-15T10:{:02}:00Z","user":{{"email":"{}","phone":"{}"}},"orders":[{{"id":{},"delivery":{{"phone":"{}"}}}},{{"id":{},"delivery":{{"phone":"{}"}}}}],"payment":{{"card":"{}"}}}}"#,
            i % 60,
            values::email(rng),
            values::phone_e164(rng),
            i * 2,
            values::phone_e164(rng),
            i * 2 + 1,
            values::phone_e164(rng),
            values::card(rng),
        );
    }
    s
}

fn ticket(rng: &mut Rng) -> String {
    format!(
        "Обращение клиента.\nКлиент: телефон {}, почта {}\nСНИЛС {}, паспорт {}\n",
        values::phone_ru(rng),
        values::email(rng),
        values::snils(rng),
        values::passport(rng)
    )
}
