//! CSV / TSV locator: which data row and column a byte offset falls in.
//!
//! Owns the delimited-text state machine (RFC 4180 quoting as real exports
//! write it), sniffing the dialect (delimiter and header row) from a
//! prefix, and [`DelimitedLocator`], which streams the input and answers
//! `Location::Table { row, column }` (or `Location::Cdr` for call logs,
//! whose layouts live in [`super::cdr`]). It knows nothing about rules.
//!
//! Parsing rules, the same as the `csv` crate's so a redactor built on it
//! agrees with our rows:
//! - a field that starts with `"` is quoted: delimiters, CR and LF inside
//!   it are content, `""` is one quote; bytes after the closing quote up to
//!   the next delimiter are content too (lenient, like `csv-core`);
//! - a `"` inside an unquoted field is an ordinary byte;
//! - `\n`, `\r\n` and a lone `\r` end a record; empty lines are skipped and
//!   are not rows.
//!
//! Which bytes belong where: a field's content and its quotes belong to
//! that field; a delimiter belongs to the field it ends, a record
//! terminator to the record it ends. Candidates always start on content,
//! so those choices only matter for odd callers.
//!
//! Why a hand-written machine and not `csv-core`: `csv-core` copies every
//! field byte into an output buffer we would throw away, and measured 380–430
//! MB/s on a 100 MB CRLF export with quoted fields, against 2.0–3.2 GB/s for
//! this machine (then unquoted runs skipped with a byte-class table, quoted
//! runs with `memchr`; now both eight bytes at a time, [`Machine::run`]).
//! The locator sees every byte of a structured file, so `csv-core` would
//! have cut a CSV scan to well under the engine's 800 MB/s. A differential test checks the two agree on tricky input.
//!
//! Memory: the machine's state is a few integers; the header names (capped
//! at [`MAX_COLUMNS`] names of [`MAX_NAME_BYTES`] bytes) are the only thing
//! kept, so a locator is bounded whatever the file or row size.

use super::{FieldInfo, Locator, byte_at, pending};
use crate::detect::swar;
use crate::finding::Location;
use std::collections::HashSet;

/// Delimiters the sniffer considers, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// The sniffer reads at most this much of the prefix...
const SNIFF_BYTES: usize = 16 * 1024;
/// ...and at most this many records of it.
const SNIFF_RECORDS: usize = 64;
/// Longer header names are cut (on a character boundary when decoded).
pub const MAX_NAME_BYTES: usize = 256;
/// Columns past this many keep their index as name.
pub const MAX_COLUMNS: usize = 4096;

// Byte classes. Content of an unquoted field is everything `<= QUOTE`.
const PLAIN: u8 = 0;
const QUOTE: u8 = 1;
const DELIM: u8 = 2;
const LF: u8 = 3;
const CR: u8 = 4;

// What a step did, for the collector (the fast path ignores it).
const EV_CONTENT: u8 = 1;
const EV_FIELD_END: u8 = 2;
const EV_RECORD_END: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records: file start, after `\n`, in empty lines.
    RecordStart,
    /// After a `\r`: a `\n` next is the rest of the same terminator.
    AfterCr,
    /// After a delimiter.
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: a doubled quote or the closing one.
    QuoteInQuoted,
}

/// The delimited-text state machine: record and field counters only.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    class: [u8; 256],
    /// The delimiter when it has the delimiter class (else `\n`, already
    /// a stop): with the bytes below 0x0E, what ends an unquoted run.
    stop: u8,
    state: State,
    /// Records begun so far, i.e. the current record's 1-based number.
    records: u64,
    /// 0-based index of the current field in the current record.
    field: u64,
}

impl Machine {
    pub(crate) fn new(delimiter: u8) -> Machine {
        let mut class = [PLAIN; 256];
        class[usize::from(b'"')] = QUOTE;
        class[usize::from(b'\n')] = LF;
        class[usize::from(b'\r')] = CR;
        // A delimiter that is also a quote or terminator would make every
        // file one field; refuse it by keeping the byte's special class.
        let mut stop = b'\n';
        if class[usize::from(delimiter)] == PLAIN {
            class[usize::from(delimiter)] = DELIM;
            stop = delimiter;
        }
        Machine {
            class,
            stop,
            state: State::RecordStart,
            records: 0,
            field: 0,
        }
    }

    #[inline]
    fn unquoted(&mut self, c: u8) -> u8 {
        match c {
            DELIM => {
                self.field += 1;
                self.state = State::FieldStart;
                EV_FIELD_END
            }
            LF => {
                self.state = State::RecordStart;
                EV_RECORD_END
            }
            CR => {
                self.state = State::AfterCr;
                EV_RECORD_END
            }
            _ => {
                self.state = State::Unquoted;
                EV_CONTENT
            }
        }
    }

    #[inline]
    fn field_start(&mut self, c: u8) -> u8 {
        if c == QUOTE {
            self.state = State::Quoted;
            0
        } else {
            self.unquoted(c)
        }
    }

    /// One byte through the machine.
    #[inline]
    fn step(&mut self, b: u8) -> u8 {
        let c = self.class[usize::from(b)];
        match self.state {
            State::RecordStart | State::AfterCr => match c {
                // An empty line, or the `\n` of `\r\n`.
                LF => {
                    self.state = State::RecordStart;
                    0
                }
                CR => {
                    self.state = State::AfterCr;
                    0
                }
                _ => {
                    self.records += 1;
                    self.field = 0;
                    self.field_start(c)
                }
            },
            State::FieldStart => self.field_start(c),
            State::Unquoted => self.unquoted(c),
            State::Quoted => {
                if c == QUOTE {
                    self.state = State::QuoteInQuoted;
                    0
                } else {
                    EV_CONTENT
                }
            }
            State::QuoteInQuoted => {
                if c == QUOTE {
                    self.state = State::Quoted;
                    EV_CONTENT
                } else {
                    self.unquoted(c)
                }
            }
        }
    }

    /// Consumes `data`, skipping field content in bulk.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        self.run(data, &mut Counters);
    }

    /// Consumes `data`, handing field values to `c`, until `c` has all
    /// the records it wants. Returns the bytes consumed.
    pub(crate) fn feed_collecting(&mut self, data: &[u8], c: &mut Collector) -> usize {
        self.run(data, c)
    }

    /// The one loop behind [`Machine::feed`], [`Machine::feed_collecting`]
    /// and the delimiter sniff: runs of field content are found eight
    /// bytes at a time and handed to `sink` as one slice; only the bytes
    /// that can change the state (delimiter, quote, CR, LF) go through
    /// [`Machine::step`]. Stops before a byte once `sink` is done, as a
    /// byte-by-byte loop checking before every byte would. With the
    /// counting-only sink the hooks compile away.
    ///
    /// A field that does not start with a quote is read in one step: its
    /// run and the byte that ends it. Measured on the 2.6 MB CSV exports
    /// of the benchmark corpus (47,815 candidates): the locator's
    /// `consume` 24.4 M → 16.8 M instructions against the byte-class
    /// table loop (unquoted runs) and `memchr` (quoted runs) it replaced,
    /// and collecting the sniff's sample 4–5× cheaper (slices instead of
    /// a push per byte).
    #[inline]
    fn run<S: Sink>(&mut self, data: &[u8], sink: &mut S) -> usize {
        let n = data.len();
        let mut i = 0;
        while i < n {
            if sink.is_done() {
                return i;
            }
            match self.state {
                // Unquoted content up to the byte that ends it, and that
                // byte; a field start that is not a quote is the same.
                State::Unquoted | State::FieldStart
                    if self.state == State::Unquoted || data[i] != b'"' =>
                {
                    let j = self.unquoted_end(data, i);
                    if j > i {
                        sink.content(&data[i..j]);
                        self.state = State::Unquoted;
                    }
                    let Some(&b) = data.get(j) else {
                        return n;
                    };
                    i = j + 1;
                    match self.class[usize::from(b)] {
                        DELIM => {
                            self.field += 1;
                            self.state = State::FieldStart;
                            sink.end_field();
                        }
                        LF => {
                            self.state = State::RecordStart;
                            sink.end_record();
                        }
                        _ => {
                            self.state = State::AfterCr;
                            sink.end_record();
                        }
                    }
                }
                // Quoted content up to the next quote, and that quote.
                State::Quoted => {
                    let j = quote_at(data, i);
                    if j > i {
                        sink.content(&data[i..j]);
                    }
                    if j == n {
                        return n;
                    }
                    self.state = State::QuoteInQuoted;
                    i = j + 1;
                }
                _ => {
                    let b = data[i];
                    let ev = self.step(b);
                    if ev & EV_CONTENT != 0 {
                        sink.content(&data[i..=i]);
                    }
                    if ev & EV_FIELD_END != 0 {
                        sink.end_field();
                    }
                    if ev & EV_RECORD_END != 0 {
                        sink.end_record();
                    }
                    i += 1;
                }
            }
        }
        n
    }

    /// The end of the run of unquoted content at `i`: the first byte of a
    /// class above [`QUOTE`]. Eight bytes at a time: a word with no byte
    /// below 0x0E (LF, CR, tab and other controls) and no delimiter is all
    /// content; a flagged control byte that is content is stepped over.
    #[inline]
    fn unquoted_end(&self, data: &[u8], mut i: usize) -> usize {
        while let Some(chunk) = data.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            let flags = swar::below(w, 0x0E) | swar::eq(w, self.stop);
            if flags == 0 {
                i += 8;
                continue;
            }
            let at = i + (flags.trailing_zeros() / 8) as usize;
            if self.class[usize::from(data[at])] > QUOTE {
                return at;
            }
            i = at + 1;
        }
        while let Some(&b) = data.get(i) {
            if self.class[usize::from(b)] > QUOTE {
                return i;
            }
            i += 1;
        }
        data.len()
    }

    /// The loop [`Machine::run`] replaced, kept as the differential tests'
    /// reference: unquoted runs skipped with the byte-class table, quoted
    /// ones with `memchr`, every other byte stepped.
    #[cfg(test)]
    pub(crate) fn feed_reference(&mut self, data: &[u8]) {
        let mut i = 0;
        while i < data.len() {
            match self.state {
                State::Unquoted => {
                    while i < data.len() && self.class[usize::from(data[i])] <= QUOTE {
                        i += 1;
                    }
                }
                State::Quoted => match memchr::memchr(b'"', &data[i..]) {
                    Some(k) => i += k,
                    None => i = data.len(),
                },
                _ => {}
            }
            if let Some(&b) = data.get(i) {
                self.step(b);
                i += 1;
            }
        }
    }

    /// The byte-by-byte collecting loop [`Machine::run`] replaced: the
    /// differential tests' reference.
    #[cfg(test)]
    pub(crate) fn feed_collecting_reference(&mut self, data: &[u8], c: &mut Collector) -> usize {
        for (i, &b) in data.iter().enumerate() {
            if c.is_done() {
                return i;
            }
            let ev = self.step(b);
            if ev & EV_CONTENT != 0 {
                c.push_byte(b);
            }
            if ev & EV_FIELD_END != 0 {
                c.end_field();
            }
            if ev & EV_RECORD_END != 0 {
                c.end_record();
            }
        }
        data.len()
    }

    /// Which record (1-based, counting a header) and field (0-based) the
    /// next byte belongs to; `next` is that byte when the window holds it.
    /// `None` in an empty line.
    fn position(&self, next: Option<u8>) -> Option<(u64, u64)> {
        match self.state {
            // Between records the next byte starts a new one, unless it is
            // another terminator (an empty line).
            State::RecordStart | State::AfterCr => match next {
                Some(b'\n' | b'\r') => None,
                _ => Some((self.records + 1, 0)),
            },
            _ => Some((self.records, self.field)),
        }
    }
}

/// What [`Machine::run`] reports: field content (in slices, in order),
/// field and record ends; `is_done` stops it.
trait Sink {
    fn is_done(&self) -> bool;
    fn content(&mut self, bytes: &[u8]);
    fn end_field(&mut self);
    fn end_record(&mut self);
}

/// The locator's sink: the machine's own counters are all it needs.
struct Counters;

impl Sink for Counters {
    #[inline(always)]
    fn is_done(&self) -> bool {
        false
    }
    #[inline(always)]
    fn content(&mut self, _: &[u8]) {}
    #[inline(always)]
    fn end_field(&mut self) {}
    #[inline(always)]
    fn end_record(&mut self) {}
}

/// Offset of the first `"` at or after `i`, or `data.len()`: eight bytes
/// at a time. Quoted fields in exports are short (`"38665793"`), where
/// `memchr`'s set-up costs more than this loop.
#[inline]
fn quote_at(data: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = data.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let flags = swar::eq(w, b'"');
        if flags != 0 {
            return i + (flags.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = data.get(i) {
        if b == b'"' {
            return i;
        }
        i += 1;
    }
    data.len()
}

/// Field values of the first records, for header names and sniffing.
/// Bounded: values past `max_field_bytes` and fields past `max_fields`
/// are dropped.
#[derive(Debug)]
pub(crate) struct Collector {
    pub(crate) records: Vec<Vec<Vec<u8>>>,
    record: Vec<Vec<u8>>,
    field: Vec<u8>,
    max_records: usize,
    max_fields: usize,
    max_field_bytes: usize,
}

impl Collector {
    pub(crate) fn new(max_records: usize, max_fields: usize, max_field_bytes: usize) -> Collector {
        Collector {
            records: Vec::new(),
            record: Vec::new(),
            field: Vec::new(),
            max_records,
            max_fields,
            max_field_bytes,
        }
    }

    fn is_done(&self) -> bool {
        self.records.len() >= self.max_records
    }

    #[cfg(test)]
    fn push_byte(&mut self, b: u8) {
        if self.field.len() < self.max_field_bytes {
            self.field.push(b);
        }
    }

    fn end_field(&mut self) {
        let value = std::mem::take(&mut self.field);
        if self.record.len() < self.max_fields {
            self.record.push(value);
        }
    }

    fn end_record(&mut self) {
        self.end_field();
        let record = std::mem::take(&mut self.record);
        self.records.push(record);
    }

    /// Keeps the record cut off by the end of the input.
    fn finish_partial(&mut self) {
        if !self.field.is_empty() || !self.record.is_empty() {
            self.end_record();
        }
    }
}

impl Sink for Collector {
    fn is_done(&self) -> bool {
        Collector::is_done(self)
    }

    /// The bytes [`Collector::push_byte`] one at a time would keep.
    fn content(&mut self, bytes: &[u8]) {
        let room = self.max_field_bytes.saturating_sub(self.field.len());
        self.field
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn end_field(&mut self) {
        Collector::end_field(self);
    }

    fn end_record(&mut self) {
        Collector::end_record(self);
    }
}

/// The field count of each sampled record, as [`Collector`] would keep
/// them (capped at its `max_fields`), without keeping any value: all the
/// delimiter guess needs.
#[derive(Debug)]
struct Shape {
    counts: Vec<usize>,
    /// Fields ended in the current record, capped.
    fields: usize,
    /// The current field has content.
    content: bool,
    max_records: usize,
    max_fields: usize,
}

impl Shape {
    fn new(max_records: usize, max_fields: usize) -> Shape {
        Shape {
            counts: Vec::new(),
            fields: 0,
            content: false,
            max_records,
            max_fields,
        }
    }

    /// [`Collector::finish_partial`].
    fn finish_partial(&mut self) {
        if self.content || self.fields > 0 {
            self.end_record();
        }
    }
}

impl Sink for Shape {
    fn is_done(&self) -> bool {
        self.counts.len() >= self.max_records
    }

    fn content(&mut self, bytes: &[u8]) {
        self.content |= !bytes.is_empty();
    }

    fn end_field(&mut self) {
        self.content = false;
        if self.fields < self.max_fields {
            self.fields += 1;
        }
    }

    fn end_record(&mut self) {
        self.end_field();
        self.counts.push(self.fields);
        self.fields = 0;
    }
}

/// The complete records in the first [`SNIFF_BYTES`] of `prefix`, split
/// with `delimiter`. A record cut by the end of the sample has too few
/// fields, so it is left out, unless it is the only one.
pub(crate) fn sample_records(prefix: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
    let sample = &prefix[..prefix.len().min(SNIFF_BYTES)];
    let mut m = Machine::new(delimiter);
    let mut c = Collector::new(SNIFF_RECORDS, MAX_COLUMNS, MAX_NAME_BYTES);
    m.feed_collecting(sample, &mut c);
    if c.records.is_empty() {
        c.finish_partial();
    }
    c.records
}

/// A delimiter and how well it splits the sampled records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DelimiterGuess {
    pub delimiter: u8,
    /// The most common field count.
    pub fields: usize,
    /// Share of sampled records with that count.
    pub consistency: f32,
    /// Records sampled.
    pub records: usize,
}

/// Records with the most common field count must be at least this share
/// for a delimiter to count as consistent.
const CONSISTENT: f32 = 0.9;

/// The delimiter that splits the sampled records most consistently into
/// two or more fields. Order: consistent ones first, then more fields,
/// then [`DELIMITERS`] order; `None` when no delimiter gives two fields.
pub fn guess_delimiter(prefix: &[u8]) -> Option<DelimiterGuess> {
    let mut best: Option<DelimiterGuess> = None;
    for &delimiter in &DELIMITERS {
        let counts = sample_shape(prefix, delimiter);
        let Some(g) = score(delimiter, &counts) else {
            continue;
        };
        let better = match best {
            None => true,
            Some(b) => {
                let (gc, bc) = (g.consistency >= CONSISTENT, b.consistency >= CONSISTENT);
                if gc != bc {
                    gc
                } else if gc {
                    g.fields > b.fields
                } else {
                    (g.consistency, g.fields) > (b.consistency, b.fields)
                }
            }
        };
        if better {
            best = Some(g);
        }
    }
    best
}

/// The field counts of [`sample_records`]' records, without collecting
/// their values: the delimiter guess tries four delimiters on every
/// sniffed file, and copying each field of 64 records into its own `Vec`
/// four times cost ~0.6 M instructions a file.
fn sample_shape(prefix: &[u8], delimiter: u8) -> Vec<usize> {
    let sample = &prefix[..prefix.len().min(SNIFF_BYTES)];
    let mut m = Machine::new(delimiter);
    let mut shape = Shape::new(SNIFF_RECORDS, MAX_COLUMNS);
    m.run(sample, &mut shape);
    if shape.counts.is_empty() {
        shape.finish_partial();
    }
    shape.counts
}

/// How well `delimiter` splits records of these field counts.
fn score(delimiter: u8, records: &[usize]) -> Option<DelimiterGuess> {
    if records.is_empty() {
        return None;
    }
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for &len in records {
        match counts.iter_mut().find(|(n, _)| *n == len) {
            Some((_, k)) => *k += 1,
            None => counts.push((len, 1)),
        }
    }
    // Most common count; on a tie the larger count.
    let (fields, k) = counts.into_iter().max_by_key(|&(n, k)| (k, n))?;
    (fields >= 2).then(|| DelimiterGuess {
        delimiter,
        fields,
        consistency: k as f32 / records.len() as f32,
        records: records.len(),
    })
}

/// Content sniff for inputs whose name says nothing: at least three
/// records with the same number (two or more) of fields under one
/// delimiter. Prose rarely keeps the same comma count for three lines.
pub fn looks_delimited(prefix: &[u8]) -> bool {
    guess_delimiter(prefix).is_some_and(|g| g.records >= 3 && g.consistency >= 1.0)
}

/// A CSV dialect: the delimiter and whether the first record names the
/// columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: u8,
    pub has_header: bool,
}

impl Dialect {
    /// Sniffs the dialect from the first bytes of the input; `,` when no
    /// delimiter splits them.
    pub fn sniff(prefix: &[u8]) -> Dialect {
        let delimiter = guess_delimiter(prefix).map_or(b',', |g| g.delimiter);
        let has_header = has_header(&sample_records(prefix, delimiter));
        log::debug!(
            "delimited: delimiter {:?}, header row: {has_header}",
            char::from(delimiter)
        );
        Dialect {
            delimiter,
            has_header,
        }
    }
}

/// What a cell looks like, for the header heuristic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Empty,
    /// Has digits, at least as many as letters: a value (`42`, `+7 900…`,
    /// `2024-01-15`, `Q1 2024`).
    Numeric,
    /// Mostly letters, at most 64 characters: could be a name.
    Label,
    /// An e-mail address or URL: a value, never a column name.
    Address,
    /// Anything else: long text, punctuation (`№`, `#`).
    Other,
}

fn classify(cell: &[u8]) -> Cell {
    let text = String::from_utf8_lossy(cell);
    let text = trim_name(&text);
    if text.is_empty() {
        return Cell::Empty;
    }
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits > 0 && digits >= letters {
        Cell::Numeric
    } else if text.contains('@') || text.contains("://") {
        Cell::Address
    } else if letters > 0 && text.chars().count() <= 64 {
        Cell::Label
    } else {
        Cell::Other
    }
}

/// A column name from its raw bytes: a multi-byte character cut by the
/// length cap is dropped rather than shown as U+FFFD.
fn name_from_bytes(raw: &[u8]) -> String {
    let raw = match std::str::from_utf8(raw) {
        Err(e) if e.error_len().is_none() => &raw[..e.valid_up_to()],
        _ => raw,
    };
    trim_name(&String::from_utf8_lossy(raw)).to_string()
}

/// Trims whitespace and a byte-order mark (exports from Excel and Sipuni
/// start with one).
fn trim_name(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// The header heuristic. The first record is a header when
/// 1. none of its cells looks like a value (numeric-looking, an e-mail or
///    URL) and at least half are labels (mostly letters, ≤ 64 chars;
///    `№` or `#` columns are allowed);
/// 2. its non-empty names are unique (case-insensitively);
/// 3. the data below differs in shape: some labelled column holds mostly
///    non-labels below (numbers, e-mails, empty cells), or, in an all-text
///    column, four or more values of one fixed length that the name's
///    length differs from (Python's `csv.Sniffer` length rule; a first
///    cell of that same length votes for data).
///
/// When every column is text both in the first row and below, the shape
/// cannot tell; the first row is then taken as a header, because real
/// exports nearly always have one and mistaking a header for data loses
/// every column name (the hints that make bare numbers count), while the
/// opposite mistake loses the location of one row. A first record alone
/// (an empty export) is a header when rules 1 and 2 hold.
pub(crate) fn has_header(records: &[Vec<Vec<u8>>]) -> bool {
    let Some(first) = records.first() else {
        return false;
    };
    let classes: Vec<Cell> = first.iter().map(|c| classify(c)).collect();
    let labels = classes.iter().filter(|&&c| c == Cell::Label).count();
    if labels == 0
        || labels * 2 < classes.len()
        || classes.contains(&Cell::Numeric)
        || classes.contains(&Cell::Address)
    {
        return false;
    }
    let mut seen = HashSet::new();
    for cell in first {
        let name = String::from_utf8_lossy(cell);
        let name = trim_name(&name).to_lowercase();
        if !name.is_empty() && !seen.insert(name) {
            return false;
        }
    }
    let data = &records[1..];
    if data.is_empty() {
        return true;
    }
    let mut votes_header = 0;
    let mut votes_data = 0;
    for (j, class) in classes.iter().enumerate() {
        if *class != Cell::Label {
            continue;
        }
        let below: Vec<&[u8]> = data
            .iter()
            .map(|r| r.get(j).map_or(&[][..], |v| v.as_slice()))
            .collect();
        let label_below = below.iter().filter(|v| classify(v) == Cell::Label).count();
        if label_below * 2 < below.len() {
            votes_header += 1;
            continue;
        }
        let len = |v: &[u8]| String::from_utf8_lossy(v).chars().count();
        let first_len = len(below[0]);
        // Two or three equal lengths are often chance (`Иван`, `Анна`).
        if below.len() >= 4 && below.iter().all(|v| len(v) == first_len) {
            if len(&first[j]) == first_len {
                votes_data += 1;
            } else {
                votes_header += 1;
            }
        }
    }
    votes_header > 0 || votes_data == 0
}

/// Which location variant a [`DelimitedLocator`] answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `Location::Table`; `FieldInfo.field` only for named columns.
    Table,
    /// `Location::Cdr`; every field has a name (its index when unnamed).
    Cdr,
}

/// Streams a delimited input and places offsets in data rows and columns.
#[derive(Debug)]
pub struct DelimitedLocator {
    m: Machine,
    /// Absolute offset of the next byte to consume.
    pos: u64,
    /// The first record is a header, not data.
    header: bool,
    /// Gathers the header names while the first record streams past.
    collector: Option<Collector>,
    /// Column names: the header's, or fixed ones (a CDR layout).
    names: Vec<String>,
    style: Style,
}

impl DelimitedLocator {
    /// A CSV/TSV locator for a sniffed (or given) dialect.
    pub fn new(dialect: Dialect) -> DelimitedLocator {
        DelimitedLocator::build(dialect, Vec::new(), Style::Table)
    }

    /// Sniffs the dialect from `prefix`, then locates from offset 0.
    pub fn sniffed(prefix: &[u8]) -> DelimitedLocator {
        DelimitedLocator::new(Dialect::sniff(prefix))
    }

    /// A call-log locator: names come from the header row when the dialect
    /// has one, else from `names` (a CDR layout).
    pub(crate) fn cdr(dialect: Dialect, names: Vec<String>) -> DelimitedLocator {
        DelimitedLocator::build(dialect, names, Style::Cdr)
    }

    fn build(dialect: Dialect, names: Vec<String>, style: Style) -> DelimitedLocator {
        DelimitedLocator {
            m: Machine::new(dialect.delimiter),
            pos: 0,
            header: dialect.has_header,
            collector: dialect
                .has_header
                .then(|| Collector::new(1, MAX_COLUMNS, MAX_NAME_BYTES)),
            names,
            style,
        }
    }

    fn consume(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.pos {
            return;
        }
        let (mut bytes, end) = pending(buf, base, self.pos, to);
        self.pos = end;
        if let Some(c) = &mut self.collector {
            let n = self.m.feed_collecting(bytes, c);
            bytes = &bytes[n..];
            if c.is_done() {
                self.finish_header();
            }
        }
        self.m.feed(bytes);
    }

    fn finish_header(&mut self) {
        let Some(mut c) = self.collector.take() else {
            return;
        };
        let header = c.records.pop().unwrap_or_default();
        self.names = header.iter().map(|raw| name_from_bytes(raw)).collect();
    }

    fn info(&self, record: u64, field: u64) -> Option<FieldInfo> {
        let row = if self.header {
            if record <= 1 {
                // The header row names columns; it is not a record.
                return None;
            }
            record - 1
        } else {
            record
        };
        let name = usize::try_from(field)
            .ok()
            .and_then(|i| self.names.get(i))
            .filter(|n| !n.is_empty());
        let column = name.cloned().unwrap_or_else(|| (field + 1).to_string());
        Some(match self.style {
            Style::Table => FieldInfo {
                location: Location::Table {
                    row,
                    column: column.clone(),
                },
                field: name.map(|_| column),
            },
            Style::Cdr => FieldInfo {
                location: Location::Cdr {
                    record: row,
                    field: column.clone(),
                },
                field: Some(column),
            },
        })
    }
}

#[cfg(test)]
impl DelimitedLocator {
    /// [`Locator::advance`] through the reference loops.
    fn advance_reference(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.pos {
            return;
        }
        let (mut bytes, end) = pending(buf, base, self.pos, to);
        self.pos = end;
        if let Some(c) = &mut self.collector {
            let n = self.m.feed_collecting_reference(bytes, c);
            bytes = &bytes[n..];
            if c.is_done() {
                self.finish_header();
            }
        }
        self.m.feed_reference(bytes);
    }

    /// [`Locator::locate`] through the reference loops.
    fn locate_reference(&mut self, buf: &[u8], base: u64, pos: u64) -> Option<FieldInfo> {
        self.advance_reference(buf, base, pos);
        let next = if self.pos == pos {
            byte_at(buf, base, pos)
        } else {
            None
        };
        let (record, field) = self.m.position(next)?;
        self.info(record, field)
    }
}

impl Locator for DelimitedLocator {
    fn advance(&mut self, buf: &[u8], base: u64, to: u64) {
        self.consume(buf, base, to);
    }

    fn locate(&mut self, buf: &[u8], base: u64, pos: u64) -> Option<FieldInfo> {
        self.consume(buf, base, pos);
        let next = if self.pos == pos {
            byte_at(buf, base, pos)
        } else {
            None
        };
        let (record, field) = self.m.position(next)?;
        self.info(record, field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::rng::Rng;

    /// Builds a CSV text from rows of (raw field text as written) and
    /// records the expected (record, field) of every byte of every field.
    struct Built {
        text: Vec<u8>,
        /// (start, end, record 1-based, field 0-based)
        spans: Vec<(usize, usize, u64, u64)>,
    }

    fn build(rows: &[&[&str]], delim: u8, term: &str) -> Built {
        let mut text = Vec::new();
        let mut spans = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (f, raw) in row.iter().enumerate() {
                if f > 0 {
                    text.push(delim);
                }
                let start = text.len();
                text.extend_from_slice(raw.as_bytes());
                spans.push((start, text.len(), r as u64 + 1, f as u64));
            }
            text.extend_from_slice(term.as_bytes());
        }
        Built { text, spans }
    }

    fn table(loc: &Option<FieldInfo>) -> Option<(u64, String, Option<String>)> {
        loc.as_ref().map(|i| match &i.location {
            Location::Table { row, column } => (*row, column.clone(), i.field.clone()),
            other => panic!("not a table location: {other:?}"),
        })
    }

    const TRICKY: &[&[&str]] = &[
        &["id", "name", "phone", "note"],
        &[
            "1",
            "\"Иванов, Иван\"",
            "+7 900 000-00-01",
            "\"said \"\"hi\"\"\"",
        ],
        &["2", "\"multi\nline\r\nnote, with comma\"", "9000000002", ""],
        &["3", "plain", "\"+7 900 000 00 03\"", "tail\"quote"],
        &["4", "\"\"", "x", "\"closed\"after"],
    ];

    /// Every byte of every field maps to its row and column, asked one
    /// offset after another on one locator.
    fn every_offset(rows: &[&[&str]], delim: u8, term: &str) {
        let b = build(rows, delim, term);
        let mut loc = DelimitedLocator::sniffed(&b.text);
        assert_eq!(loc.m.class[usize::from(delim)], DELIM, "delimiter sniffed");
        assert!(loc.header);
        let header: Vec<String> = rows[0].iter().map(|s| s.to_string()).collect();
        for &(s, e, record, field) in &b.spans {
            for pos in s..e {
                let got = table(&loc.locate(&b.text, 0, pos as u64));
                if record == 1 {
                    assert_eq!(got, None, "header byte {pos}");
                } else {
                    let name = header[field as usize].clone();
                    assert_eq!(
                        got,
                        Some((record - 1, name.clone(), Some(name))),
                        "byte {pos} {:?}",
                        char::from(b.text[pos])
                    );
                }
            }
        }
    }

    #[test]
    fn every_offset_comma_lf() {
        every_offset(TRICKY, b',', "\n");
    }

    #[test]
    fn every_offset_semicolon_crlf() {
        let rows: Vec<Vec<String>> = TRICKY
            .iter()
            .map(|r| r.iter().map(|f| f.replace(',', ";")).collect())
            .collect();
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        every_offset(&rows, b';', "\r\n");
    }

    #[test]
    fn every_offset_tab_and_pipe() {
        every_offset(TRICKY, b'\t', "\r\n");
        every_offset(TRICKY, b'|', "\n");
    }

    /// The same answers when the input arrives in windows of every size,
    /// the caller advancing before it drops bytes, as the scanner does.
    #[test]
    fn windows_fed_in_pieces() {
        let b = build(TRICKY, b',', "\r\n");
        let mut whole = DelimitedLocator::sniffed(&b.text);
        let want: Vec<_> = (0..b.text.len())
            .map(|p| whole.locate(&b.text, 0, p as u64))
            .collect();
        for size in 1..=b.text.len() {
            let mut loc = DelimitedLocator::sniffed(&b.text);
            let mut base = 0usize;
            while base < b.text.len() {
                let end = (base + size).min(b.text.len());
                let window = &b.text[base..end];
                // Ask only about some offsets, like the engine.
                for p in (base..end).filter(|p| p % 3 == 0) {
                    let got = loc.locate(window, base as u64, p as u64);
                    assert_eq!(got, want[p], "size {size} pos {p}");
                }
                loc.advance(window, base as u64, end as u64);
                base = end;
            }
        }
    }

    #[test]
    fn no_header_gives_column_indices() {
        let text = b"1,9000000001,ivan@example.com\n2,9000000002,anna@example.com\n";
        let mut loc = DelimitedLocator::sniffed(text);
        assert!(!loc.header);
        let pos = text.iter().position(|&c| c == b'9').unwrap();
        assert_eq!(
            loc.locate(text, 0, pos as u64).unwrap().location,
            Location::Table {
                row: 1,
                column: "2".into()
            }
        );
        let pos = text.windows(4).position(|w| w == b"anna").unwrap();
        let got = loc.locate(text, 0, pos as u64).unwrap();
        assert_eq!(
            got.location,
            Location::Table {
                row: 2,
                column: "3".into()
            }
        );
        assert_eq!(got.field, None);
    }

    #[test]
    fn header_names_are_trimmed_and_bom_stripped() {
        let text = "\u{feff} ФИО ;Телефон;Email\nИванов;89000000001;i@example.com\n";
        let mut loc = DelimitedLocator::sniffed(text.as_bytes());
        assert!(loc.header);
        let pos = text.find("Иванов").unwrap() as u64;
        assert_eq!(
            loc.locate(text.as_bytes(), 0, pos)
                .unwrap()
                .field
                .as_deref(),
            Some("ФИО")
        );
        let pos = text.find("8900").unwrap() as u64;
        let got = loc.locate(text.as_bytes(), 0, pos).unwrap();
        assert_eq!(got.field.as_deref(), Some("Телефон"));
    }

    #[test]
    fn empty_lines_are_not_rows_and_ragged_rows_get_indices() {
        let text = b"a,b\n\n\r\n1,2,3\n";
        let mut loc = DelimitedLocator::sniffed(text);
        // `a,b` is all labels and `1,2,3` numbers below: a header.
        assert!(loc.header);
        assert_eq!(loc.locate(text, 0, 5), None, "empty line");
        let got = loc.locate(text, 0, 11).unwrap();
        assert_eq!(
            got.location,
            Location::Table {
                row: 1,
                column: "3".into()
            }
        );
        assert_eq!(got.field, None);
    }

    #[test]
    fn delimiter_sniff() {
        let g = |s: &str| guess_delimiter(s.as_bytes()).map(|g| char::from(g.delimiter));
        assert_eq!(g("a,b,c\n1,2,3\n"), Some(','));
        // Commas inside quoted fields and in free text do not count.
        assert_eq!(
            g(
                "ФИО;Адрес;Сумма\nИванов;\"г. Москва, ул. Ленина, д. 1\";1 500,00\nПетров;Тверь, ул. Мира;2,5\n"
            ),
            Some(';')
        );
        assert_eq!(g("a\tb\tc\n1\t2,5\t3\n"), Some('\t'));
        assert_eq!(g("a|b\n1|2\n"), Some('|'));
        assert_eq!(g("just one line of text\n"), None);
        assert!(looks_delimited(b"1;2;3\n4;5;6\n7;8;9\n"));
        assert!(!looks_delimited(
            b"Hello, world.\nThis line has two, commas, here.\nNone here\n"
        ));
    }

    #[test]
    fn header_heuristic() {
        let h = |s: &str| {
            let d = Dialect::sniff(s.as_bytes());
            d.has_header
        };
        assert!(h("id,name,phone\n1,Иван,+79000000001\n"));
        assert!(h(
            "ФИО;Телефон;Email\nИванов Иван;+7 900 000-00-01;ivan@example.com\n"
        ));
        // Data in the first row.
        assert!(!h("1,Иван,+79000000001\n2,Анна,+79000000002\n"));
        assert!(!h("Иванов,ivan@example.com\nПетров,petr@example.com\n"));
        // Duplicate names are not a header.
        assert!(!h("phone,phone\n1,2\n"));
        // All text both ways: taken as a header (see `has_header`).
        assert!(h("name,city\nИван,Москва\nАнна,Тверь\n"));
        // Fixed-length codes below a longer name: a header.
        assert!(h("country,currency\nRU,RUB\nKZ,KZT\n"));
        assert!(h("№;ФИО;Телефон\n1;Иванов;+79000000001\n"));
        // A first row of the codes' own length: data.
        assert!(!h("RU,RUB\nKZ,KZT\nBY,BYN\nAM,AMD\nGE,GEL\n"));
    }

    /// The machine agrees with the `csv` crate (csv-core underneath) on
    /// records and field values.
    #[test]
    fn agrees_with_the_csv_crate() {
        let inputs: [&[u8]; 6] = [
            b"a,b,c\n1,\"x,y\",3\r\n\"q\"\"q\",,\"\"\n",
            b"\"multi\nline\",2\r\r\n\n3,\"4\"\"\"\n",
            b"a\"b,c\"d\ne,\"f\"g,h\n",
            b"\"unterminated,1\n2,3",
            b",,\n,\n",
            b"x\ry\r\nz\n",
        ];
        for input in inputs {
            let mut m = Machine::new(b',');
            let mut c = Collector::new(usize::MAX, usize::MAX, usize::MAX);
            m.feed_collecting(input, &mut c);
            c.finish_partial();
            let ours: Vec<Vec<Vec<u8>>> = c.records;
            let theirs: Vec<Vec<Vec<u8>>> = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(input)
                .byte_records()
                .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
                .collect();
            assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn cdr_style_names_every_field() {
        let text = b"\"\",\"9000000001\",\"100\"\n";
        let mut loc = DelimitedLocator::cdr(
            Dialect {
                delimiter: b',',
                has_header: false,
            },
            vec!["accountcode".into(), "src".into()],
        );
        let got = loc.locate(text, 0, 4).unwrap();
        assert_eq!(
            got.location,
            Location::Cdr {
                record: 1,
                field: "src".into()
            }
        );
        assert_eq!(got.field.as_deref(), Some("src"));
        let got = loc.locate(text, 0, 18).unwrap();
        assert_eq!(got.field.as_deref(), Some("3"));
    }

    #[test]
    fn offsets_behind_the_window_do_not_panic() {
        let text = b"a,b\n1,2\n3,4\n";
        let mut loc = DelimitedLocator::sniffed(text);
        // Skip ahead: the window starts at 8, bytes 0..8 were never fed.
        let got = loc.locate(&text[8..], 8, 10);
        // An offset before the position gets the current state.
        assert_eq!(loc.locate(&text[8..], 8, 2), got);
        // Offsets past the window.
        let _ = loc.locate(&text[8..], 8, 1_000);
        let _ = loc.locate(&[], u64::MAX, u64::MAX);
    }

    #[test]
    fn random_input_in_random_windows_does_not_panic() {
        let mut x: u32 = 7;
        let mut next = || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            x >> 16
        };
        let alphabet = b"ab1,;\t|\"\r\n \xEF\xBB\xBF";
        let bytes: Vec<u8> = (0..30_000)
            .map(|_| alphabet[next() as usize % alphabet.len()])
            .collect();
        for delimiter in DELIMITERS {
            for has_header in [false, true] {
                let mut loc = DelimitedLocator::new(Dialect {
                    delimiter,
                    has_header,
                });
                let mut base = 0;
                while base < bytes.len() {
                    let end = (base + 1 + next() as usize % 700).min(bytes.len());
                    let window = &bytes[base..end];
                    let pos = base + next() as usize % (end - base);
                    let _ = loc.locate(window, base as u64, pos as u64);
                    loc.advance(window, base as u64, end as u64);
                    base = end;
                }
            }
        }
        let _ = Dialect::sniff(&bytes);
        let _ = crate::extract::sniff("x.txt", &bytes);
    }

    #[test]
    fn huge_header_is_bounded() {
        let mut text = Vec::new();
        for i in 0..(MAX_COLUMNS + 10) {
            text.extend_from_slice(format!("col{i}_{},", "x".repeat(300)).as_bytes());
        }
        text.extend_from_slice(b"last\n");
        let mut loc = DelimitedLocator::new(Dialect {
            delimiter: b',',
            has_header: true,
        });
        loc.advance(&text, 0, text.len() as u64);
        assert_eq!(loc.names.len(), MAX_COLUMNS);
        assert!(loc.names.iter().all(|n| n.len() <= MAX_NAME_BYTES));
    }
    /// Generated delimited text: quoted fields with delimiters, CR/LF and
    /// doubled quotes inside, content after a closing quote, quotes inside
    /// unquoted fields, tabs and other control bytes, Cyrillic, empty
    /// fields and lines, `\r\n`, lone `\r`, long runs, and an unterminated
    /// quote now and then.
    fn generated_csv(rng: &mut Rng, delim: u8, records: usize) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "",
            "1",
            "ivan@example.com",
            "Иванов Иван",
            "+7 900 000-00-01",
            "a\"b",
            "x\ty",
            "\u{1}",
            "0123456789abcdefghijklmnop",
            ",;|",
            ":::",
        ];
        let mut out = Vec::new();
        for _ in 0..records {
            let fields = rng.range(1, 12);
            for f in 0..fields {
                if f > 0 {
                    out.push(if rng.percent(3) { b',' } else { delim });
                }
                let piece = PIECES[rng.index(PIECES.len())].as_bytes();
                if rng.percent(30) {
                    out.push(b'"');
                    out.extend_from_slice(piece);
                    match rng.below(8) {
                        0 => out.extend_from_slice(b"\"\""),
                        1 => out.push(delim),
                        2 => out.extend_from_slice(b"\r\n"),
                        3 => out.push(b'\n'),
                        _ => {}
                    }
                    out.extend_from_slice(piece);
                    if !rng.percent(2) {
                        out.push(b'"');
                    }
                    if rng.percent(5) {
                        out.extend_from_slice(b"after");
                    }
                } else {
                    for _ in 0..rng.range(1, 3) {
                        out.extend_from_slice(piece);
                    }
                }
            }
            out.extend_from_slice(match rng.below(10) {
                0 => b"\r\n",
                1 => b"\r",
                2 => b"\n\n",
                3 => b"\r\n\r\n",
                _ => b"\n",
            });
        }
        out
    }

    /// The bulk loop ([`Machine::run`]) answers exactly as the loops it
    /// replaced, at every offset and at sparse ones, whole or in windows,
    /// with and without a header, for every delimiter; and the collected
    /// sample and the delimiter guess are the same.
    #[test]
    fn bulk_loop_agrees_with_the_reference() {
        let mut rng = Rng::new(20_261_126);
        let (mut answers, mut quoted, mut records) = (0usize, 0usize, 0u64);
        for round in 0..200 {
            let delim = DELIMITERS[round % DELIMITERS.len()];
            let text = generated_csv(&mut rng, delim, 1 + round % 40);
            for has_header in [false, true] {
                for (whole, every) in [(true, true), (false, true), (false, false)] {
                    let dialect = Dialect {
                        delimiter: delim,
                        has_header,
                    };
                    let mut fast = DelimitedLocator::new(dialect);
                    let mut slow = DelimitedLocator::new(dialect);
                    let mut base = 0;
                    while base < text.len() {
                        let end = if whole {
                            text.len()
                        } else {
                            (base + rng.range(1, 200) as usize).min(text.len())
                        };
                        let window = &text[base..end];
                        let mut p = base;
                        while p < end {
                            let got = fast.locate(window, base as u64, p as u64);
                            let want = slow.locate_reference(window, base as u64, p as u64);
                            assert_eq!(got, want, "round {round} pos {p}");
                            assert_eq!(fast.m.state, slow.m.state);
                            answers += usize::from(got.is_some());
                            quoted += usize::from(fast.m.state == State::Quoted);
                            p += if every { 1 } else { rng.range(1, 60) as usize };
                        }
                        fast.advance(window, base as u64, end as u64);
                        slow.advance_reference(window, base as u64, end as u64);
                        base = end;
                    }
                    assert_eq!(fast.names, slow.names);
                    assert_eq!(
                        (fast.m.records, fast.m.field),
                        (slow.m.records, slow.m.field)
                    );
                    records += fast.m.records;
                }
            }
            // The sniff's samples, the shapes and the guess.
            for d in DELIMITERS {
                for cut in [text.len(), text.len() / 2, 7.min(text.len())] {
                    let prefix = &text[..cut];
                    let fast = sample_records(prefix, d);
                    let mut m = Machine::new(d);
                    let mut c = Collector::new(SNIFF_RECORDS, MAX_COLUMNS, MAX_NAME_BYTES);
                    m.feed_collecting_reference(prefix, &mut c);
                    if c.records.is_empty() {
                        c.finish_partial();
                    }
                    assert_eq!(fast, c.records, "round {round}");
                    let lens: Vec<usize> = c.records.iter().map(Vec::len).collect();
                    assert_eq!(sample_shape(prefix, d), lens, "round {round}");
                }
            }
        }
        assert!(answers > 300_000, "{answers}");
        assert!(quoted > 20_000, "{quoted}");
        assert!(records > 20_000, "{records}");
    }

    /// Caps hit inside a run: values cut at `max_field_bytes` and records
    /// at `max_fields`, the same as pushing byte by byte.
    #[test]
    fn bulk_collecting_keeps_the_caps() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let text = generated_csv(&mut rng, b',', 30);
            for (fields, bytes) in [(1, 1), (2, 3), (3, 0), (usize::MAX, 5)] {
                let mut fast = Collector::new(usize::MAX, fields, bytes);
                let mut slow = Collector::new(usize::MAX, fields, bytes);
                Machine::new(b',').feed_collecting(&text, &mut fast);
                Machine::new(b',').feed_collecting_reference(&text, &mut slow);
                fast.finish_partial();
                slow.finish_partial();
                assert_eq!(fast.records, slow.records);
            }
        }
    }

    /// The eight-byte skips against plain byte loops, for every byte value
    /// at every lane, with every stop byte.
    #[test]
    fn word_skips_agree_with_byte_loops() {
        for delim in [b',', b';', b'\t', b'|', b'"', b'\n'] {
            let m = Machine::new(delim);
            for lane in 0..8 {
                for b in 0..=255u8 {
                    for fill in [b'a', 0x00, 0xFF, delim ^ 1, 0x0D] {
                        let mut bytes = [fill; 11];
                        bytes[lane] = b;
                        let want = bytes
                            .iter()
                            .position(|&c| m.class[usize::from(c)] > QUOTE)
                            .unwrap_or(bytes.len());
                        assert_eq!(m.unquoted_end(&bytes, 0), want);
                        let want = bytes.iter().position(|&c| c == b'"').unwrap_or(bytes.len());
                        assert_eq!(quote_at(&bytes, 0), want);
                    }
                }
            }
        }
    }
}
