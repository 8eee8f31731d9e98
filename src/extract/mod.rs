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
}

/// Chooses the format from the file name and the first bytes (decoded
/// text). Logged at debug level by the caller.
pub fn sniff(path: &str, prefix: &[u8]) -> InputFormat {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let _ = prefix;
    match ext {
        "csv" | "tsv" | "psv" => InputFormat::Delimited,
        "json" => InputFormat::Json,
        "ndjson" | "jsonl" => InputFormat::Ndjson,
        "sql" => InputFormat::Sql,
        _ if sql::looks_like_dump(prefix) => InputFormat::Sql,
        _ => InputFormat::Text,
    }
}

/// A locator for the format, if it has structure.
pub fn locator_for(format: InputFormat, prefix: &[u8]) -> Option<Box<dyn Locator>> {
    let _ = prefix;
    match format {
        InputFormat::Text => None,
        InputFormat::Sql => Some(Box::new(sql::SqlLocator::new(prefix))),
        _ => None,
    }
}
