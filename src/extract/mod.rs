//! Locators: where in a structured input a byte offset sits.
//!
//! Detection runs over the whole buffer first; only for candidates do we
//! ask a [`Locator`] which record and field the offset falls in ("detect
//! first, locate later"). A locator is a cheap streaming state machine fed
//! the same bytes the engine scans, in order; it never runs the engine.
//! The field name it reports doubles as evidence: a value in a column
//! called `phone` or `снилс` is scored with the rule's `column_hints`.
//!
//! Owns choosing the input format (extension + light content sniff,
//! overridable) and the per-format locators. It knows nothing about rules.

pub mod cdr;
pub mod delimited;
pub mod json;
pub mod json_escapes;

use crate::finding::Location;

pub mod sql;

/// How an input is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Plain text and logs: no structure beyond lines.
    Text,
    /// CSV / TSV (quote-aware, sniffed delimiter, header row).
    Delimited,
    /// One JSON document.
    Json,
    /// One JSON document per line.
    Ndjson,
    /// SQL dump (pg_dump COPY/INSERT, mysqldump, SQLite .dump).
    Sql,
    /// Telephony call records (layouts in `rules/cdr.toml`).
    Cdr,
}

impl InputFormat {
    pub fn id(self) -> &'static str {
        match self {
            InputFormat::Text => "text",
            InputFormat::Delimited => "delimited",
            InputFormat::Json => "json",
            InputFormat::Ndjson => "ndjson",
            InputFormat::Sql => "sql",
            InputFormat::Cdr => "cdr",
        }
    }
}

/// Where an offset sits, and the field name to use as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    pub location: Location,
    /// Column header, JSON key, SQL column or CDR field name, as written.
    pub field: Option<String>,
}

/// A streaming locator over one input.
///
/// Contract: the caller passes windows of the input stream (`buf` starts at
/// absolute offset `base`) and asks about absolute offsets in increasing
/// order. The locator consumes every byte from where it stopped up to the
/// asked offset, so the window must still hold those bytes; the caller
/// calls [`Locator::advance`] before it discards any. An offset before the
/// locator's position (rare: a value that began in a previous window)
/// gets the current state.
pub trait Locator: Send {
    /// Consume input up to absolute offset `to` without answering.
    fn advance(&mut self, buf: &[u8], base: u64, to: u64);
    /// Consume input up to `pos` and say where `pos` is. `None` when the
    /// offset is outside any record (a comment, a DDL statement, a header).
    fn locate(&mut self, buf: &[u8], base: u64, pos: u64) -> Option<FieldInfo>;
    /// Called when the locator has consumed the input up to just after a
    /// newline: a copy of it to resume there, when a huge file may be
    /// split at this offset ([`crate::source::split`]). The copy must answer
    /// every later offset exactly as this locator would, and no record
    /// (hence no value) may run across the newline. `None`, the default:
    /// records can span lines here (quoted CSV fields, a JSON document, a
    /// multi-line INSERT string), so the file is not split here.
    fn split_here(&self) -> Option<Box<dyn Locator>> {
        None
    }
    /// Moves to absolute offset `pos`, a line start on 1-based line
    /// `line`, without reading the bytes before it, when the locator's
    /// state at a line start does not depend on them (NDJSON). Returns
    /// false, changing nothing, when it does: then the bytes must be fed.
    /// Lets the split pre-pass skip a JSON pass over the whole file.
    fn jump_to_line(&mut self, _pos: u64, _line: u64) -> bool {
        false
    }
}

/// How much of the prefix the content sniff reads: enough for a header and
/// a few dozen records, cheap enough to run on every file.
const SNIFF_BYTES: usize = 8 * 1024;
/// The NDJSON test reads whole lines, which may be long.
const NDJSON_SNIFF_BYTES: usize = 64 * 1024;

/// Chooses the format from the file name and the first bytes (decoded
/// text). Logged at debug level by the caller.
///
/// - `Master.csv` (any case, also rotated `Master.csv.1`) is a call log;
/// - `.csv`/`.tsv`/`.psv` is a call log when its first records fit a CDR
///   layout (`rules/cdr.toml`), else delimited;
/// - `.json` is NDJSON when its first lines are each a complete value,
///   else JSON; `.ndjson`/`.jsonl` NDJSON; `.sql` SQL;
/// - names that say nothing (`.txt`, `.log`, `.dat`, `.cdr`, no
///   extension) are sniffed by content: a first non-blank byte `{` or `[`
///   that opens a JSON value → JSON or NDJSON; a CDR layout → call log;
///   three or more records with the same delimiter count → delimited;
/// - anything else is text.
pub fn sniff(path: &str, prefix: &[u8]) -> InputFormat {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    // Rotated logs (`Master.csv.1`, `app.log.3`) keep their format.
    let mut name = name.as_str();
    while let Some((stem, n)) = name.rsplit_once('.') {
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        name = stem;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if name == "master.csv" {
        return InputFormat::Cdr;
    }
    match ext {
        "csv" | "tsv" | "psv" => {
            if cdr::detect(prefix).is_some() {
                InputFormat::Cdr
            } else {
                InputFormat::Delimited
            }
        }
        "json" => {
            if looks_ndjson(prefix) {
                InputFormat::Ndjson
            } else {
                InputFormat::Json
            }
        }
        "ndjson" | "jsonl" => InputFormat::Ndjson,
        "sql" => InputFormat::Sql,
        "" | "txt" | "log" | "dat" | "cdr" => sniff_content(prefix),
        _ if sql::looks_like_dump(prefix) => InputFormat::Sql,
        _ => InputFormat::Text,
    }
}

/// The content sniff for names that say nothing.
fn sniff_content(prefix: &[u8]) -> InputFormat {
    let sample = &prefix[..prefix.len().min(SNIFF_BYTES)];
    if sql::looks_like_dump(prefix) {
        return InputFormat::Sql;
    }
    if opens_json(sample) {
        return if looks_ndjson(prefix) {
            InputFormat::Ndjson
        } else {
            InputFormat::Json
        };
    }
    if cdr::detect(sample).is_some() {
        return InputFormat::Cdr;
    }
    if delimited::looks_delimited(sample) {
        return InputFormat::Delimited;
    }
    InputFormat::Text
}

/// Skips a UTF-8 byte-order mark and whitespace.
fn skip_blank(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// Does the text start a JSON object or array? `{` must be followed by a
/// key or `}`, `[` by a container, a string or `]`: logs that start with
/// `[2024-01-15 …]` or `[INFO]` are not JSON.
fn opens_json(sample: &[u8]) -> bool {
    let b = skip_blank(sample);
    let next = skip_blank(b.get(1..).unwrap_or_default()).first().copied();
    match b.first() {
        Some(b'{') => matches!(next, Some(b'"' | b'}') | None),
        Some(b'[') => matches!(next, Some(b'{' | b'[' | b'"' | b']') | None),
        _ => false,
    }
}

/// NDJSON: at least two complete lines, and every complete non-blank line
/// in the sample is one whole object or array (brackets balance at its
/// end, strings respected). A pretty-printed document fails on its first
/// line (`{` alone), a single-line document has one line only.
pub(crate) fn looks_ndjson(prefix: &[u8]) -> bool {
    let sample = &prefix[..prefix.len().min(NDJSON_SNIFF_BYTES)];
    // Only lines that end inside the sample are judged.
    let complete = match memchr::memrchr(b'\n', sample) {
        Some(i) => &sample[..i],
        None => return false,
    };
    let mut lines = 0;
    for line in complete.split(|&b| b == b'\n') {
        let line = skip_blank(line);
        if line.is_empty() {
            continue;
        }
        if !one_json_value(line) {
            return false;
        }
        lines += 1;
    }
    lines >= 2
}

/// One line holding exactly one object or array: it opens with `{`/`[` and
/// its brackets close to depth zero at its last non-blank byte.
fn one_json_value(line: &[u8]) -> bool {
    if !matches!(line.first(), Some(b'{' | b'[')) || !opens_json(line) {
        return false;
    }
    let end = line
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .unwrap_or(0);
    let mut depth: usize = 0;
    let (mut in_str, mut esc) = (false, false);
    for (i, &b) in line.iter().enumerate() {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                let Some(d) = depth.checked_sub(1) else {
                    return false;
                };
                depth = d;
                if depth == 0 {
                    return i == end;
                }
            }
            _ => {}
        }
    }
    false
}

/// A locator for the format, if it has structure. `prefix` is the start of
/// the input (the sniff's prefix); the locator itself still reads the
/// input from offset 0.
pub fn locator_for(format: InputFormat, prefix: &[u8]) -> Option<Box<dyn Locator>> {
    match format {
        InputFormat::Text => None,
        InputFormat::Delimited => Some(Box::new(delimited::DelimitedLocator::sniffed(prefix))),
        InputFormat::Json => Some(Box::new(json::JsonLocator::new(false))),
        InputFormat::Ndjson => Some(Box::new(json::JsonLocator::new(true))),
        InputFormat::Cdr => Some(Box::new(cdr::locator(prefix))),
        InputFormat::Sql => Some(Box::new(sql::SqlLocator::new(prefix))),
    }
}

/// The bytes a locator still has to consume: absolute `[from, to)` clipped
/// to the window `buf` (which starts at absolute offset `base`), and the
/// absolute offset just past them (the locator's new position).
///
/// Bytes before `base` are gone (the caller discarded them without
/// [`Locator::advance`]); they are skipped, not guessed at, so a broken
/// caller gets approximate locations, never a panic.
pub(crate) fn pending(buf: &[u8], base: u64, from: u64, to: u64) -> (&[u8], u64) {
    let buf_end = base.saturating_add(buf.len() as u64);
    let start = from.max(base);
    let end = to.min(buf_end);
    if end <= start {
        // Nothing of [from, to) is in the window: stay where we are.
        return (&[], from);
    }
    // base <= start < end <= buf_end, so the casts fit and the range is valid.
    let (s, e) = ((start - base) as usize, (end - base) as usize);
    (&buf[s..e], end)
}

/// The byte at absolute offset `pos`, if the window holds it.
pub(crate) fn byte_at(buf: &[u8], base: u64, pos: u64) -> Option<u8> {
    let i = usize::try_from(pos.checked_sub(base)?).ok()?;
    buf.get(i).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASTERISK: &str = "\"\",\"79000000001\",\"89000000002\",\"from-internal\",\"\"\"Иван\"\" <79000000001>\",\"SIP/101-00000001\",\"SIP/trunk-00000002\",\"Dial\",\"SIP/trunk/89000000002,60\",\"2024-01-15 10:00:00\",\"2024-01-15 10:00:05\",\"2024-01-15 10:01:00\",60,55,\"ANSWERED\",\"DOCUMENTATION\",\"1705312800.1\",\"\"\n";

    #[test]
    fn sniff_by_name() {
        let csv = b"id,name,phone\n1,a,+79000000001\n";
        assert_eq!(sniff("data/customers.csv", csv), InputFormat::Delimited);
        assert_eq!(sniff("x.TSV", b"a\tb\n"), InputFormat::Delimited);
        assert_eq!(
            sniff("/var/log/asterisk/cdr-csv/Master.csv", b""),
            InputFormat::Cdr
        );
        assert_eq!(sniff("C:\\logs\\MASTER.CSV.1", b""), InputFormat::Cdr);
        assert_eq!(sniff("calls.csv", ASTERISK.as_bytes()), InputFormat::Cdr);
        assert_eq!(sniff("a.json", b"{\n  \"a\": 1\n}\n"), InputFormat::Json);
        assert_eq!(
            sniff("a.json", b"{\"a\": 1}\n{\"a\": 2}\n"),
            InputFormat::Ndjson
        );
        assert_eq!(sniff("a.jsonl", b""), InputFormat::Ndjson);
        assert_eq!(sniff("dump.sql", b""), InputFormat::Sql);
        assert_eq!(sniff("README.md", csv), InputFormat::Text);
        assert_eq!(sniff("app.log.2", b"plain\n"), InputFormat::Text);
    }

    #[test]
    fn sniff_by_content() {
        let t = |p: &[u8]| sniff("input.txt", p);
        assert_eq!(
            t(b"{\"a\": 1}\n{\"b\": [1, {\"c\": \"}\"}]}\r\n"),
            InputFormat::Ndjson
        );
        assert_eq!(t(b"\xEF\xBB\xBF  [\n  {\"a\": 1}\n]\n"), InputFormat::Json);
        assert_eq!(t(b"{\"one\": \"line\"}\n"), InputFormat::Json);
        assert_eq!(sniff("events", b"[{\"a\":1}]\n[2]\n"), InputFormat::Json);
        assert_eq!(
            sniff("Master", ASTERISK.repeat(3).as_bytes()),
            InputFormat::Cdr
        );
        assert_eq!(t(b"a;b;c\n1;2;3\n4;5;6\n"), InputFormat::Delimited);
        assert_eq!(t(b"x\ty\n1\t2\n3\t4\n"), InputFormat::Delimited);
        // Logs that start with a bracket are not JSON.
        let log = b"[2024-01-15 10:00:00] INFO start\n[2024-01-15 10:00:01] INFO ok\n";
        assert_eq!(t(log), InputFormat::Text);
        assert_eq!(t(b"[INFO] a\n[INFO] b\n"), InputFormat::Text);
        assert_eq!(
            t(b"Hello, world.\nOne more line, with a comma.\nAnd none here\n"),
            InputFormat::Text
        );
        assert_eq!(t(b""), InputFormat::Text);
    }

    #[test]
    fn ndjson_lines_must_each_be_one_value() {
        assert!(looks_ndjson(b"{\"a\":1}\n\n[{\"b\":2}]\n"));
        assert!(!looks_ndjson(b"{\"a\":1}\n"), "one line is a document");
        assert!(!looks_ndjson(b"{\"a\":1} {\"b\":2}\n{\"c\":3}\n"));
        assert!(!looks_ndjson(b"{\"a\":\n1}\n{\"b\":2}\n"));
        assert!(!looks_ndjson(b"}{\n{}\n"));
        assert!(!looks_ndjson(b"{\"a\":1}\nplain\n"));
    }

    #[test]
    fn locators_for_structured_formats_only() {
        for f in [
            InputFormat::Delimited,
            InputFormat::Json,
            InputFormat::Ndjson,
            InputFormat::Cdr,
            InputFormat::Sql,
        ] {
            assert!(locator_for(f, b"").is_some(), "{f:?}");
        }
        assert!(locator_for(InputFormat::Text, b"").is_none());
    }

    #[test]
    fn pending_clips_to_the_window() {
        let buf = b"abcdef";
        assert_eq!(pending(buf, 10, 11, 13), (&b"bc"[..], 13));
        assert_eq!(pending(buf, 10, 0, 12), (&b"ab"[..], 12));
        assert_eq!(pending(buf, 10, 14, 99), (&b"ef"[..], 16));
        // The locator is already past the window, or the window is past
        // the target: nothing to do, the position stays.
        assert_eq!(pending(buf, 10, 20, 30), (&b""[..], 20));
        assert_eq!(pending(buf, 10, 2, 5), (&b""[..], 2));
        assert_eq!(pending(buf, u64::MAX - 2, 0, u64::MAX).1, u64::MAX);
        assert_eq!(byte_at(buf, 10, 15), Some(b'f'));
        assert_eq!(byte_at(buf, 10, 16), None);
        assert_eq!(byte_at(buf, 10, 9), None);
    }
}
