//! Real-database round trips: fill a database with synthetic personal data,
//! dump it, redact the dump, restore it into a fresh database, and check
//! that every row came back and that a dump of the restored data holds no
//! finding.
//!
//! PostgreSQL (plain COPY dump and `--inserts`) runs a private server:
//! its own data directory and Unix socket in a temporary directory, no
//! TCP, stopped by a guard even when the test fails. SQLite goes through
//! `sqlite3 .dump`. Each test skips with a message when its tools are not
//! installed, unless `PIISCAN_REQUIRE_PG=1` / `PIISCAN_REQUIRE_SQLITE=1`
//! says they must be there (CI), in which case it fails.
//!
//! All values are synthetic: phones from +7 900 0xx, example.com e-mails,
//! checksum-valid INN/SNILS and Luhn-valid card numbers under a test IIN.

use piiscan::validators::{inn, luhn, snils};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn piiscan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    c.env("PIISCAN_KEY", "round trip key");
    c
}

/// A tool on PATH or in Debian's PostgreSQL directories.
fn find_tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Ok(rd) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = rd.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        versions.reverse();
        dirs.extend(versions);
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Skips (prints why and returns `None`) or, when `require_var` is set to
/// 1, fails.
fn tools_or_skip(names: &[&str], require_var: &str, install: &str) -> Option<Vec<PathBuf>> {
    let found: Vec<Option<PathBuf>> = names.iter().map(|n| find_tool(n)).collect();
    let missing: Vec<&str> = names
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(n, _)| *n)
        .collect();
    if missing.is_empty() {
        return Some(found.into_iter().flatten().collect());
    }
    let msg = format!("{} not installed ({install})", missing.join(", "));
    if std::env::var(require_var).as_deref() == Ok("1") {
        panic!("{require_var}=1 but {msg}");
    }
    eprintln!("SKIPPED: {msg}; set {require_var}=1 to make this a failure");
    None
}

fn check(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Synthetic rows: (name, phone, mobile as bigint, email, inn, snils, card,
/// note).
fn rows(n: usize) -> Vec<[String; 8]> {
    let mut out = Vec::new();
    for i in 0..n {
        let nsn = format!("90001{:05}", i);
        let phone = format!(
            "+7 {} {}-{}-{}",
            &nsn[..3],
            &nsn[3..6],
            &nsn[6..8],
            &nsn[8..]
        );
        let mobile = format!("7{nsn}");
        let email = format!("client{i}@example.com");
        let body = format!("{:010}", 5_001_000_000u64 + i as u64 * 7919);
        let c = inn::inn12_check_digits(body.as_bytes());
        let inn12 = format!("{body}{}{}", char::from(c[0]), char::from(c[1]));
        let sbody = format!("{:09}", 112_233_445u64 + i as u64 * 101);
        let sc = snils::snils_check_number(sbody.as_bytes());
        let snils = format!("{}-{}-{} {:02}", &sbody[..3], &sbody[3..6], &sbody[6..], sc);
        let cbody = format!("400000{:09}", i * 37);
        let card = format!(
            "{cbody}{}",
            char::from(luhn::luhn_check_digit(cbody.as_bytes()))
        );
        let note = format!(
            "Перезвонить на 8 (900) 1{:02}-{:02}-{:02}, it's urgent; \\ backslash",
            i % 100,
            (i / 3) % 100,
            (i / 7) % 100
        );
        out.push([
            format!("Клиент {i}"),
            phone,
            mobile,
            email,
            inn12,
            snils,
            card,
            note,
        ]);
    }
    out
}

fn sql_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

const SCHEMA: &str = "CREATE TABLE clients (
    id integer PRIMARY KEY,
    name text NOT NULL,
    phone text,
    mobile_phone bigint,
    email text,
    inn text,
    snils text,
    card text,
    note text,
    profile jsonb
);\n";

fn inserts(rows: &[[String; 8]]) -> String {
    let mut sql = String::new();
    for (i, r) in rows.iter().enumerate() {
        let profile = format!(
            "{{\"contact\": {{\"email\": \"{}\", \"phones\": [\"{}\"]}}, \"vip\": {}}}",
            r[3],
            r[1],
            i % 2 == 0
        );
        sql.push_str(&format!(
            "INSERT INTO clients VALUES ({i}, {}, {}, {}, {}, {}, {}, {}, {}, {});\n",
            sql_quote(&r[0]),
            sql_quote(&r[1]),
            r[2],
            sql_quote(&r[3]),
            sql_quote(&r[4]),
            sql_quote(&r[5]),
            sql_quote(&r[6]),
            sql_quote(&r[7]),
            sql_quote(&profile)
        ));
    }
    sql
}

/// Redacts `input` into `out_dir`; returns the redacted file.
fn redact(input: &Path, out_dir: &Path, extra: &[&str]) -> PathBuf {
    let mut c = piiscan();
    c.arg("redact")
        .arg(input)
        .arg("--out")
        .arg(out_dir)
        .args(extra);
    let o = c.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "redact: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out_dir.join(input.file_name().unwrap())
}

/// `piiscan scan` of a file: the number of findings (exit 0 = none).
fn scan_count(path: &Path) -> usize {
    let o = piiscan()
        .args(["scan", "-f", "jsonl"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains("\"type\":\"finding\""))
        .count()
}

/// Stops the private server however the test ends.
struct PgGuard {
    pg_ctl: PathBuf,
    data: PathBuf,
    as_postgres: bool,
}

impl PgGuard {
    fn run(&self, tool: &Path) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(tool);
            c
        } else {
            Command::new(tool)
        }
    }
}

impl Drop for PgGuard {
    fn drop(&mut self) {
        let _ = self
            .run(&self.pg_ctl.clone())
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn postgres_dump_redact_restore() {
    let Some(tools) = tools_or_skip(
        &["initdb", "pg_ctl", "postgres", "psql", "pg_dump"],
        "PIISCAN_REQUIRE_PG",
        "apt-get install -y postgresql",
    ) else {
        return;
    };
    let [initdb, pg_ctl, _postgres, psql, pg_dump] = [0, 1, 2, 3, 4].map(|i| tools[i].clone());
    let root = is_root();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The server runs as `postgres` when we are root: it needs the way in.
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let data = d.join("data");
    let sock = d.join("sock");
    std::fs::create_dir(&sock).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let guard = PgGuard {
        pg_ctl: pg_ctl.clone(),
        data: data.clone(),
        as_postgres: root,
    };
    check(
        guard
            .run(&initdb)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
            .output()
            .unwrap(),
        "initdb",
    );
    let opts = format!(
        "-k {} -c listen_addresses='' -F -c max_connections=20 -c shared_buffers=16MB",
        sock.display()
    );
    check(
        guard
            .run(&pg_ctl)
            .arg("-D")
            .arg(&data)
            .args(["-o", &opts, "-w", "-t", "60", "-l"])
            .arg(d.join("server.log"))
            .arg("start")
            .output()
            .unwrap(),
        "pg_ctl start",
    );
    let host = sock.display().to_string();
    let psql_db = |db: &str| {
        let mut c = Command::new(&psql);
        c.args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            &host,
            "-U",
            "postgres",
            "-d",
            db,
        ]);
        c
    };
    let sql = |db: &str, q: &str| -> String {
        let o = check(
            psql_db(db).args(["-At", "-c", q]).output().unwrap(),
            &format!("psql {q}"),
        );
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    sql("postgres", "CREATE DATABASE src");
    let data_rows = rows(300);
    let load = d.join("load.sql");
    std::fs::write(&load, format!("{SCHEMA}{}", inserts(&data_rows))).unwrap();
    check(
        psql_db("src").arg("-f").arg(&load).output().unwrap(),
        "load",
    );
    assert_eq!(sql("src", "SELECT count(*) FROM clients"), "300");

    let dumps = d.join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    for (i, (name, flags, strategies)) in [
        ("plain.sql", vec![], vec![]),
        (
            "inserts.sql",
            vec!["--inserts"],
            vec![
                "--strategy",
                "phone=pseudonym,email=label,inn=drop,card=fake",
            ],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let dump = dumps.join(name);
        let o = check(
            Command::new(&pg_dump)
                .args(["-h", &host, "-U", "postgres", "--no-owner"])
                .args(&flags)
                .arg("src")
                .output()
                .unwrap(),
            "pg_dump",
        );
        std::fs::write(&dump, &o.stdout).unwrap();
        assert!(
            scan_count(&dump) > 1000,
            "the dump holds the planted values"
        );
        let red = redact(&dump, &d.join(format!("red{i}")), &strategies);
        let dst = format!("dst{i}");
        sql("postgres", &format!("CREATE DATABASE {dst}"));
        check(
            psql_db(&dst).arg("-f").arg(&red).output().unwrap(),
            "restore",
        );
        assert_eq!(sql(&dst, "SELECT count(*) FROM clients"), "300", "{name}");
        assert_eq!(
            sql(
                &dst,
                "SELECT count(*) FROM clients WHERE name LIKE 'Клиент %'"
            ),
            "300",
            "{name}: untouched columns survive"
        );
        if name == "inserts.sql" {
            // drop → NULL; pseudonyms join: one token per distinct phone.
            assert_eq!(sql(&dst, "SELECT count(inn) FROM clients"), "0");
            assert_eq!(
                sql(&dst, "SELECT count(DISTINCT phone) FROM clients"),
                "300"
            );
            assert_eq!(
                sql(
                    &dst,
                    "SELECT count(*) FROM clients WHERE phone LIKE 'PHONE\\_%'"
                ),
                "300"
            );
        }
        // A fresh dump of the restored data: nothing left.
        let again = d.join(format!("again{i}.sql"));
        let o = check(
            Command::new(&pg_dump)
                .args(["-h", &host, "-U", "postgres", "--no-owner"])
                .args(&flags)
                .arg(&dst)
                .output()
                .unwrap(),
            "pg_dump again",
        );
        std::fs::write(&again, &o.stdout).unwrap();
        let left = scan_count(&again);
        if strategies.is_empty() {
            assert_eq!(left, 0, "{name}: findings left in the restored data");
        } else {
            // Fake cards are valid by design; nothing else may be found.
            let o = piiscan()
                .args(["scan", "-f", "jsonl", "--ignore", "card"])
                .arg(&again)
                .output()
                .unwrap();
            assert_eq!(
                o.status.code(),
                Some(0),
                "{name}: {}",
                String::from_utf8_lossy(&o.stdout)
            );
        }
    }
    drop(guard);
}

#[test]
fn sqlite_dump_redact_load() {
    let Some(tools) = tools_or_skip(
        &["sqlite3"],
        "PIISCAN_REQUIRE_SQLITE",
        "apt-get install -y sqlite3",
    ) else {
        return;
    };
    let sqlite = &tools[0];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let schema = SCHEMA.replace("jsonb", "text").replace("bigint", "integer");
    let load = format!(
        "{schema}BEGIN;\n{}COMMIT;\n",
        inserts(&rows(200)).replace("\\ backslash", "\nsecond line")
    );
    let run_sqlite = |db: &Path, input: &[u8]| -> Output {
        use std::io::Write;
        let mut child = Command::new(sqlite)
            .arg("-bail")
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        check(child.wait_with_output().unwrap(), "sqlite3")
    };
    let src = d.join("src.db");
    run_sqlite(&src, load.as_bytes());
    let dump = d.join("dump.sql");
    let o = run_sqlite(&src, b".dump\n");
    std::fs::write(&dump, &o.stdout).unwrap();
    assert!(scan_count(&dump) > 500);
    let red = redact(&dump, &d.join("red"), &[]);
    let dst = d.join("dst.db");
    run_sqlite(&dst, &std::fs::read(&red).unwrap());
    let count = run_sqlite(&dst, b"SELECT count(*) FROM clients;\n");
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "200");
    let again = d.join("again.sql");
    let o = run_sqlite(&dst, b".dump\n");
    std::fs::write(&again, &o.stdout).unwrap();
    assert_eq!(scan_count(&again), 0, "findings left in the reloaded data");
}
