//! End-to-end tests of the operations features: config file, custom rules,
//! suppression (inline marker, allowlists, baseline), incremental state,
//! sharding and merge, CI gates, SARIF, completions and the man page. Each
//! runs the built binary the way a scheduled job or a CI step would.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const KEY: &str = "ops-test-key";

fn piiscan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    c.env("PIISCAN_KEY", KEY);
    c
}

fn run(args: &[&str], dir: &Path) -> Output {
    piiscan().args(args).current_dir(dir).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn events(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL line {l:?}: {e}")))
        .collect()
}

fn of_type<'a>(events: &'a [Value], t: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == t).collect()
}

fn summary(events: &[Value]) -> &Value {
    let s = of_type(events, "summary");
    assert_eq!(s.len(), 1, "one summary");
    s[0]
}

/// (path, kind, start, end) of every finding, sorted.
fn spans(events: &[Value]) -> Vec<(String, String, u64, u64)> {
    let mut v: Vec<_> = of_type(events, "finding")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["start"].as_u64().unwrap(),
                f["end"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

#[test]
fn config_at_the_scanned_root_is_used_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "data/a.txt",
        "mail ivan@example.com тел +7 912 345-67-89\n",
    );
    write(root, "data/piiscan.toml", "kinds = [\"email\"]\n");
    // Found in the first path's directory, from anywhere.
    let out = run(&["scan", "-f", "jsonl", "data"], root);
    let ev = events(&out);
    assert_eq!(spans(&ev).len(), 1, "{}", stderr(&out));
    assert_eq!(spans(&ev)[0].1, "email");
    // --no-config, and an explicit --config elsewhere.
    let out = run(&["scan", "-f", "jsonl", "--no-config", "data"], root);
    assert_eq!(spans(&events(&out)).len(), 2);
    write(
        root,
        "other.toml",
        "kinds = [\"phone\"]\nmin_confidence = 1.0\n",
    );
    let out = run(
        &["scan", "-f", "jsonl", "--config", "other.toml", "data"],
        root,
    );
    assert_eq!(spans(&events(&out)).len(), 0, "config threshold applies");
    let out = run(
        &[
            "scan",
            "-f",
            "jsonl",
            "--config",
            "other.toml",
            "--min-confidence",
            "0.5",
            "data",
        ],
        root,
    );
    let ev = events(&out);
    assert_eq!(spans(&ev).len(), 1, "the flag beats the config");
    assert_eq!(spans(&ev)[0].1, "phone");
}

#[test]
fn unknown_config_key_is_an_error_naming_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "ivan@example.com\n");
    write(
        dir.path(),
        "piiscan.toml",
        "min_confidence = 0.6\n[limits]\nmax_file_size = \"1M\"\n",
    );
    let out = run(&["scan", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("max_file_size"), "{err}");
    assert!(err.contains("piiscan.toml"), "{err}");
    assert!(out.stdout.is_empty(), "nothing scanned");
}

#[test]
fn custom_rules_from_the_config_report_the_value_group() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let rules = r#"[[rule]]
id = "acme.badge"
kind = "person"
description = "ACME employee badge"
pattern = "badge: (?P<value>EMP-[0-9]{6})"
confidence = 0.8
examples = ["badge: [[EMP-123456]]"]
negatives = ["EMP-123456"]
"#;
    write(root, "cfg/acme.toml", rules);
    write(root, "cfg/piiscan.toml", "rules = [\"acme.toml\"]\n");
    let text = "visitor badge: EMP-123456 at gate 3\n";
    write(root, "log.txt", text);
    let out = run(
        &[
            "scan",
            "-f",
            "jsonl",
            "--config",
            "cfg/piiscan.toml",
            "log.txt",
        ],
        root,
    );
    let ev = events(&out);
    let f = of_type(&ev, "finding");
    assert_eq!(f.len(), 1, "{}", stderr(&out));
    assert_eq!(f[0]["rule"], "acme.badge");
    let (s, e) = (
        f[0]["start"].as_u64().unwrap(),
        f[0]["end"].as_u64().unwrap(),
    );
    assert_eq!(&text[s as usize..e as usize], "EMP-123456");
    // `rules check` runs the examples; a broken example fails with exit 1.
    let out = run(&["rules", "check", "cfg/acme.toml"], root);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    write(
        root,
        "cfg/acme.toml",
        &rules.replace("[[EMP-123456]]", "[[badge: EMP-123456]]"),
    );
    let out = run(&["rules", "check", "cfg/acme.toml"], root);
    assert_eq!(out.status.code(), Some(1));
    // A broken pattern stops the scan before any file is read.
    write(
        root,
        "cfg/acme.toml",
        &rules.replace("(?P<value>", "(?P<value"),
    );
    let out = run(&["scan", "--config", "cfg/piiscan.toml", "log.txt"], root);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("acme.badge"), "{}", stderr(&out));
}

#[test]
fn inline_marker_suppresses_only_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "seed.py",
        "ADMIN = \"admin@example.com\"  # piiscan:ignore\nOTHER = \"other@example.com\"\n",
    );
    let out = run(&["scan", "-f", "jsonl", "seed.py"], dir.path());
    let ev = events(&out);
    let f = of_type(&ev, "finding");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["line"], 2);
    assert_eq!(summary(&ev)["suppressed"], 1);
}

#[test]
fn allowlists_by_fingerprint_pattern_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.txt",
        "ivan@example.com\nanna@mail.ru\n+7 912 345-67-89\n",
    );
    write(root, "fixtures/b.txt", "petr@mail.ru\n");
    let out = run(&["scan", "-f", "jsonl", "--no-config", "."], root);
    let ev = events(&out);
    assert_eq!(spans(&ev).len(), 4);
    let anna = of_type(&ev, "finding")
        .into_iter()
        .find(|f| f["masked"] == "a***@mail.ru")
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    write(
        root,
        "piiscan.toml",
        &format!(
            "[allowlist]\nfingerprints = [\"{anna}\"]\npatterns = ['@example\\.com$']\npaths = [\"fixtures/**\"]\n"
        ),
    );
    let out = run(&["scan", "-f", "jsonl", "."], root);
    let ev = events(&out);
    let f = of_type(&ev, "finding");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["kind"], "phone");
    assert_eq!(summary(&ev)["suppressed"], 3);
    // The config names a fingerprint, which only matches under its key.
    let out = piiscan()
        .args(["scan", "-f", "jsonl", "."])
        .env("PIISCAN_KEY", "another key")
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(spans(&events(&out)).len(), 2);
}

#[test]
fn baseline_round_trip_reports_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "users.csv",
        "name,email\nIvan,ivan@example.com\nAnna,anna@example.org\n",
    );
    write(root, "notes.txt", "call +7 912 345-67-89\n");
    let out = run(
        &[
            "scan",
            "-f",
            "jsonl",
            "--write-baseline",
            "baseline.json",
            ".",
        ],
        root,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = std::fs::read_to_string(root.join("baseline.json")).unwrap();
    for raw in ["ivan@example.com", "anna@example.org", "345-67-89"] {
        assert!(!text.contains(raw), "raw value in baseline: {text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("baseline.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Unchanged: nothing new, exit 0; the baseline itself is not scanned.
    let out = run(
        &["scan", "-f", "jsonl", "--baseline", "baseline.json", "."],
        root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ev = events(&out);
    assert_eq!(spans(&ev).len(), 0);
    assert_eq!(summary(&ev)["suppressed"], 3);
    // Rows and lines shift, one new value: only it is reported.
    write(
        root,
        "users.csv",
        "name,email\nPetr,petr@example.net\nIvan,ivan@example.com\nAnna,anna@example.org\n",
    );
    write(root, "notes.txt", "hello\n\ncall +7 912 345-67-89\n");
    let out = run(
        &["scan", "-f", "jsonl", "--baseline", "baseline.json", "."],
        root,
    );
    assert_eq!(out.status.code(), Some(1));
    let ev = events(&out);
    let f = of_type(&ev, "finding");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["masked"], "p***@example.net");
    // Without a stable key a baseline cannot work: a clear error.
    let out = piiscan()
        .env_remove("PIISCAN_KEY")
        .args(["scan", "--baseline", "baseline.json", "."])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("PIISCAN_KEY"));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = piiscan().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("piiscan"), "{shell}");
        assert!(text.contains("write-baseline"), "{shell}");
    }
    let out = piiscan().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(".TH piiscan 1"));
    assert!(text.contains(".TH piiscan-scan 1"));
}

/// Writes a file and dates it an hour back, as files a scheduled scan meets.
fn write_old(dir: &Path, name: &str, text: &str) {
    write(dir, name, text);
    set_old(&dir.join(name));
}

fn set_old(p: &Path) {
    let f = std::fs::File::options().write(true).open(p).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
}

#[test]
fn state_carries_unchanged_files_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = "mail ivan@example.com\n";
    write_old(root, "a.txt", a);
    write_old(root, "b.csv", "name,phone\nIvan,+7 912 345-67-89\n");
    write_old(root, "c.txt", "СНИЛС 112-233-445 95\n");
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "-f", "jsonl", "--state", "state.json"];
        args.extend_from_slice(extra);
        args.push(".");
        run(&args, root)
    };
    let first = scan(&[]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let ev1 = events(&first);
    assert_eq!(spans(&ev1).len(), 3);
    assert!(summary(&ev1)["bytes_scanned"].as_u64().unwrap() > 0);
    assert_eq!(summary(&ev1)["files_unchanged"], 0);
    let state = std::fs::read_to_string(root.join("state.json")).unwrap();
    for raw in ["ivan@example.com", "345-67-89", "112-233-445"] {
        assert!(!state.contains(raw), "raw value in the state");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("state.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Proof that unchanged files are not read: a.txt gets other content of
    // the same size and its old time back. The state trusts size + time,
    // so the second run still reports the old finding and reads 0 bytes.
    let mtime = std::fs::metadata(root.join("a.txt"))
        .unwrap()
        .modified()
        .unwrap();
    std::fs::write(root.join("a.txt"), "x".repeat(a.len())).unwrap();
    std::fs::File::options()
        .write(true)
        .open(root.join("a.txt"))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let second = scan(&[]);
    let ev2 = events(&second);
    assert_eq!(spans(&ev2), spans(&ev1), "same findings, carried over");
    assert_eq!(summary(&ev2)["bytes_scanned"], 0);
    assert_eq!(summary(&ev2)["files_unchanged"], 3);
    assert_eq!(summary(&ev2)["files_scanned"], 3);

    // A deleted file drops out; a changed one is scanned again.
    std::fs::remove_file(root.join("c.txt")).unwrap();
    write_old(
        root,
        "b.csv",
        "name,phone\nIvan,+7 912 345-67-88\nAnna,+7 912 345-67-89\n",
    );
    let third = scan(&[]);
    let ev3 = events(&third);
    let paths: Vec<String> = spans(&ev3).into_iter().map(|s| s.0).collect();
    assert_eq!(paths, ["a.txt", "b.csv", "b.csv"]);
    assert_eq!(summary(&ev3)["files_unchanged"], 1);
    assert!(
        !std::fs::read_to_string(root.join("state.json"))
            .unwrap()
            .contains("c.txt")
    );

    // Other rules: the state is discarded and everything is read again,
    // so a.txt's new content counts now.
    let other = tempfile::tempdir().unwrap();
    write(
        other.path(),
        "extra.toml",
        "[[rule]]\nid = \"acme.badge\"\nkind = \"person\"\ndescription = \"badge\"\npattern = \"EMP-[0-9]{6}\"\nconfidence = 0.8\n",
    );
    let extra = other.path().join("extra.toml");
    let fourth = scan(&["--rules", extra.to_str().unwrap()]);
    assert!(
        stderr(&fourth).contains("rules changed"),
        "{}",
        stderr(&fourth)
    );
    let ev4 = events(&fourth);
    assert_eq!(summary(&ev4)["files_unchanged"], 0);
    let paths: Vec<String> = spans(&ev4).into_iter().map(|s| s.0).collect();
    assert_eq!(paths, ["b.csv", "b.csv"]);
    // And --show-values never meets a state.
    assert_eq!(scan(&["--show-values"]).status.code(), Some(2));
}

/// A small tree with findings in most files, some binary, some nested.
fn tree(root: &Path) {
    for i in 0..40 {
        let text = match i % 4 {
            0 => format!("user{i}@example.com\n"),
            1 => format!("тел +7 912 345-67-{:02}\n", i),
            2 => "nothing here\n".to_string(),
            _ => format!("a{i}@example.org, ИНН 695935804505\n"),
        };
        write(root, &format!("d{}/f{i}.txt", i % 5), &text);
    }
    std::fs::write(root.join("blob.bin"), b"\x00\x01user@example.com").unwrap();
}

#[test]
fn shards_union_equals_the_full_scan_and_merge_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    tree(&root);
    let full = run(&["scan", "-f", "jsonl", "tree"], dir.path());
    let full_ev = events(&full);
    let full_spans = spans(&full_ev);
    assert!(full_spans.len() > 30);
    let n = 3;
    let mut union = Vec::new();
    let mut reports = Vec::new();
    for k in 1..=n {
        let shard = format!("{k}/{n}");
        let out = run(
            &["scan", "-f", "jsonl", "--shard", &shard, "tree"],
            dir.path(),
        );
        let ev = events(&out);
        let s = spans(&ev);
        assert!(!s.is_empty(), "shard {shard} got nothing");
        union.extend(s);
        let name = format!("shard{k}.jsonl");
        std::fs::write(dir.path().join(&name), &out.stdout).unwrap();
        reports.push(name);
    }
    union.sort();
    assert_eq!(union, full_spans, "disjoint shards covering the tree");
    // The same split from another mount point of the tree.
    let moved = dir.path().join("elsewhere/mnt");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&root, &moved).unwrap();
    let again = run(
        &["scan", "-f", "jsonl", "--shard", "1/3", "elsewhere/mnt"],
        dir.path(),
    );
    let moved_paths: Vec<String> = spans(&events(&again))
        .into_iter()
        .map(|s| s.0.replace("elsewhere/mnt", "tree"))
        .collect();
    let first: Vec<String> = std::fs::read_to_string(dir.path().join("shard1.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "finding")
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let moved_paths: Vec<String> = moved_paths
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(moved_paths, first);

    // merge: one stream, one summary equal to the full scan's counts.
    let mut args = vec!["merge"];
    args.extend(reports.iter().map(String::as_str));
    let merged = run(&args, dir.path());
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    let ev = events(&merged);
    assert_eq!(spans(&ev), full_spans);
    let (m, f) = (summary(&ev), summary(&full_ev));
    for key in [
        "files_scanned",
        "files_skipped",
        "skipped_by_reason",
        "bytes_scanned",
        "findings",
        "findings_by_kind",
    ] {
        assert_eq!(m[key], f[key], "{key}");
    }
    // A shard that died without its summary makes the merge fail.
    std::fs::write(dir.path().join("cut.jsonl"), "{\"type\":\"finding\"}\n").unwrap();
    let out = run(&["merge", "shard1.jsonl", "cut.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cut.jsonl"));
    // Gates work on the merged totals.
    let mut gated = args.clone();
    gated.extend(["--fail-on", "card"]);
    assert_eq!(run(&gated, dir.path()).status.code(), Some(0));
}

#[test]
fn fail_on_gates_decide_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        "a@example.com b@example.com c@example.com тел +7 912 345-67-89\n",
    );
    let code = |extra: &[&str]| {
        let mut args = vec!["scan", "--no-config"];
        args.extend_from_slice(extra);
        args.push("a.txt");
        run(&args, dir.path()).status.code()
    };
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--fail-on", "card"]), Some(0));
    assert_eq!(code(&["--fail-on", "email=3"]), Some(0));
    assert_eq!(code(&["--fail-on", "email=2"]), Some(1));
    assert_eq!(code(&["--fail-on", "card", "--fail-on", "phone"]), Some(1));
    assert_eq!(code(&["--fail-on", "any=3"]), Some(1));
    assert_eq!(code(&["--fail-on", "any=4"]), Some(0));
    assert_eq!(
        code(&["--fail-on", "phone", "--min-confidence", "1"]),
        Some(0)
    );
    assert_eq!(code(&["--fail-on", "emial"]), Some(2));
    // From the config too; the flag replaces it.
    write(dir.path(), "piiscan.toml", "fail_on = [\"email=5\"]\n");
    let run_cfg = |extra: &[&str]| {
        let mut args = vec!["scan"];
        args.extend_from_slice(extra);
        args.push("a.txt");
        run(&args, dir.path()).status.code()
    };
    assert_eq!(run_cfg(&[]), Some(0));
    assert_eq!(run_cfg(&["--fail-on", "phone"]), Some(1));
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    for extra in [&[][..], &["--quiet"][..]] {
        let mut args = vec!["scan", "-f", "jsonl"];
        args.extend_from_slice(extra);
        args.push(".");
        let out = run(&args, dir.path());
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stderr.is_empty(), "{}", stderr(&out));
    }
}
