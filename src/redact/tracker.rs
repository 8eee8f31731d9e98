//! Format trackers: which [`Slot`] a byte of a structured input is in, and
//! where the field (CSV field, JSON value, SQL tuple element, COPY field)
//! around it starts and ends.
//!
//! The redaction writer feeds every input byte through a tracker, in order,
//! as it copies the input: the slot decides how a replacement is escaped
//! and whether it must stay a number; the field extents let `drop` replace
//! a whole field with `""`, `null`, `NULL` or `\N`. Trackers are small
//! state machines (a few integers, a bounded nesting stack), so they cost
//! no memory however large the input, and they never panic: odd input
//! only makes a slot less precise, and escaping keeps the output legal.
//!
//! They read *structure* bytes only, which are ASCII in every encoding we
//! decode; the writer feeds original bytes for ASCII-compatible encodings
//! and one projected byte per code unit for UTF-16, so positions here are
//! in those units. The scanner's locators (`crate::extract`) answer a
//! different question (which row and column) and keep no lexical state a
//! writer could query, hence this separate, simpler reading.

use super::escape::Slot;
use crate::extract::{InputFormat, cdr, delimited};

/// Deepest JSON nesting kept exactly; deeper levels are only counted.
const MAX_DEPTH: usize = 4096;
/// Longest keyword kept for the SQL grammar.
const MAX_WORD: usize = 32;
/// Longest dollar-quote tag honoured.
const MAX_TAG: usize = 64;

/// A field: its id (unique per input) and start position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub id: u64,
    pub start: u64,
}

/// Field bookkeeping shared by the trackers.
#[derive(Debug, Default)]
struct Fields {
    next_id: u64,
    open: Option<Field>,
    watch: Option<u64>,
    watched_end: Option<u64>,
}

impl Fields {
    fn start(&mut self, pos: u64) {
        self.open = Some(Field {
            id: self.next_id,
            start: pos,
        });
        self.next_id += 1;
    }

    fn end(&mut self, pos: u64) {
        if let Some(f) = self.open.take()
            && self.watch == Some(f.id)
        {
            self.watched_end = Some(pos);
            self.watch = None;
        }
    }

    /// The field a byte at the current position would start.
    fn upcoming(&self, pos: u64) -> Field {
        Field {
            id: self.next_id,
            start: pos,
        }
    }
}

/// One tracker per structured input.
#[derive(Debug)]
pub enum Tracker {
    Csv(Csv),
    Json(Json),
    Sql(Box<Sql>),
}

impl Tracker {
    /// The tracker for a format; `prefix` is the decoded start of the
    /// input (the same the scanner's locator sniffs its dialect from).
    pub fn for_format(format: InputFormat, prefix: &[u8]) -> Option<Tracker> {
        match format {
            InputFormat::Text => None,
            InputFormat::Delimited => Some(Tracker::Csv(Csv::new(
                delimited::Dialect::sniff(prefix).delimiter,
            ))),
            InputFormat::Cdr => {
                let d = cdr::detect(prefix)
                    .map(|l| l.delimiter)
                    .unwrap_or_else(|| delimited::Dialect::sniff(prefix).delimiter);
                Some(Tracker::Csv(Csv::new(d)))
            }
            InputFormat::Json | InputFormat::Ndjson => Some(Tracker::Json(Json::default())),
            InputFormat::Sql => Some(Tracker::Sql(Box::new(Sql::new(prefix)))),
        }
    }

    /// Units consumed so far.
    pub fn pos(&self) -> u64 {
        match self {
            Tracker::Csv(t) => t.pos,
            Tracker::Json(t) => t.pos,
            Tracker::Sql(t) => t.pos,
        }
    }

    pub fn feed(&mut self, data: &[u8]) {
        match self {
            Tracker::Csv(t) => t.feed(data),
            Tracker::Json(t) => t.feed(data),
            Tracker::Sql(t) => t.feed(data),
        }
    }

    /// The slot of the next byte, whose value is `next`.
    pub fn slot(&self, next: u8) -> Slot {
        match self {
            Tracker::Csv(t) => t.slot(),
            Tracker::Json(t) => t.slot(next),
            Tracker::Sql(t) => t.slot(),
        }
    }

    /// The field the next byte (`next`) belongs to or opens, if any.
    pub fn field(&self, next: u8) -> Option<Field> {
        match self {
            Tracker::Csv(t) => t.fields.open,
            Tracker::Json(t) => t.field(next),
            Tracker::Sql(t) => t.field(next),
        }
    }

    /// Asks to be told where field `id` ends (see [`Tracker::watched_end`]).
    pub fn watch(&mut self, id: u64) {
        let f = self.fields_mut();
        f.watch = Some(id);
        f.watched_end = None;
    }

    /// Where the watched field ended, once it has.
    pub fn watched_end(&self) -> Option<u64> {
        match self {
            Tracker::Csv(t) => t.fields.watched_end,
            Tracker::Json(t) => t.fields.watched_end,
            Tracker::Sql(t) => t.fields.watched_end,
        }
    }

    /// Ends the watched field at the current position (end of input).
    pub fn finish(&mut self) {
        let pos = self.pos();
        let f = self.fields_mut();
        if f.watch.is_some() && f.watched_end.is_none() {
            f.watched_end = Some(pos);
        }
    }

    fn fields_mut(&mut self) -> &mut Fields {
        match self {
            Tracker::Csv(t) => &mut t.fields,
            Tracker::Json(t) => &mut t.fields,
            Tracker::Sql(t) => &mut t.fields,
        }
    }
}

// ------------------------------------------------------------------- CSV

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    FieldStart,
    Unquoted,
    Quoted,
    /// Saw a quote inside a quoted field: doubled, or the closing one.
    QuotedQuote,
}

/// RFC 4180 as exports write it (the same reading as `extract::delimited`).
#[derive(Debug)]
pub struct Csv {
    d: u8,
    state: CsvState,
    pos: u64,
    fields: Fields,
}

impl Csv {
    pub fn new(delimiter: u8) -> Csv {
        let mut fields = Fields::default();
        fields.start(0);
        Csv {
            d: delimiter,
            state: CsvState::FieldStart,
            pos: 0,
            fields,
        }
    }

    fn slot(&self) -> Slot {
        Slot::Csv {
            quoted: self.state == CsvState::Quoted,
            delimiter: self.d,
        }
    }

    fn next_field(&mut self, at: u64) {
        self.fields.end(at);
        self.fields.start(at + 1);
        self.state = CsvState::FieldStart;
    }

    fn feed(&mut self, data: &[u8]) {
        let base = self.pos;
        let mut i = 0;
        while i < data.len() {
            let p = base + i as u64;
            match self.state {
                CsvState::FieldStart => {
                    let b = data[i];
                    if b == b'"' {
                        self.state = CsvState::Quoted;
                        i += 1;
                    } else if b == self.d || b == b'\n' || b == b'\r' {
                        self.next_field(p);
                        i += 1;
                    } else {
                        self.state = CsvState::Unquoted;
                    }
                }
                CsvState::Unquoted => match memchr::memchr3(self.d, b'\n', b'\r', &data[i..]) {
                    Some(k) => {
                        self.next_field(p + k as u64);
                        i += k + 1;
                    }
                    None => i = data.len(),
                },
                CsvState::Quoted => match memchr::memchr(b'"', &data[i..]) {
                    Some(k) => {
                        self.state = CsvState::QuotedQuote;
                        i += k + 1;
                    }
                    None => i = data.len(),
                },
                CsvState::QuotedQuote => {
                    if data[i] == b'"' {
                        self.state = CsvState::Quoted;
                        i += 1;
                    } else {
                        // Lenient: bytes after the closing quote are content.
                        self.state = CsvState::Unquoted;
                    }
                }
            }
        }
        self.pos = base + data.len() as u64;
    }
}

// ------------------------------------------------------------------ JSON

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonState {
    Between,
    Str { key: bool },
    StrEscape { key: bool },
    Bare,
}

/// JSON and NDJSON: strings, keys, bare scalars, nesting.
#[derive(Debug)]
pub struct Json {
    state: JsonState,
    stack: Vec<u8>,
    /// Levels past MAX_DEPTH (only counted).
    overflow: usize,
    expect_key: bool,
    pos: u64,
    fields: Fields,
}

impl Default for Json {
    fn default() -> Self {
        Json {
            state: JsonState::Between,
            stack: Vec::new(),
            overflow: 0,
            expect_key: false,
            pos: 0,
            fields: Fields::default(),
        }
    }
}

fn bare_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

impl Json {
    fn in_object(&self) -> bool {
        self.overflow == 0 && self.stack.last() == Some(&b'{')
    }

    fn slot(&self, next: u8) -> Slot {
        match self.state {
            JsonState::Str { key: true } | JsonState::StrEscape { key: true } => Slot::JsonKey,
            JsonState::Str { key: false } | JsonState::StrEscape { key: false } => Slot::JsonString,
            JsonState::Bare => Slot::JsonBare,
            JsonState::Between if !self.expect_key && bare_byte(next) => Slot::JsonBare,
            JsonState::Between => Slot::Text,
        }
    }

    fn field(&self, next: u8) -> Option<Field> {
        match self.state {
            JsonState::Str { key: false } | JsonState::StrEscape { key: false } => self.fields.open,
            JsonState::Bare => self.fields.open,
            JsonState::Between if !self.expect_key && bare_byte(next) => {
                Some(self.fields.upcoming(self.pos))
            }
            _ => None,
        }
    }

    fn feed(&mut self, data: &[u8]) {
        let base = self.pos;
        let mut i = 0;
        while i < data.len() {
            let p = base + i as u64;
            let b = data[i];
            match self.state {
                JsonState::Between => {
                    i += 1;
                    match b {
                        b'{' => {
                            self.push(b'{');
                            self.expect_key = true;
                        }
                        b'[' => {
                            self.push(b'[');
                            self.expect_key = false;
                        }
                        b'}' | b']' => {
                            self.pop();
                            self.expect_key = false;
                        }
                        b',' => self.expect_key = self.in_object(),
                        b':' => self.expect_key = false,
                        b'"' => {
                            let key = self.expect_key;
                            if !key {
                                self.fields.start(p);
                            }
                            self.state = JsonState::Str { key };
                        }
                        _ if bare_byte(b) => {
                            self.fields.start(p);
                            self.state = JsonState::Bare;
                        }
                        // Whitespace, a BOM, stray bytes.
                        _ => {}
                    }
                }
                JsonState::Str { key } => match memchr::memchr2(b'"', b'\\', &data[i..]) {
                    Some(k) => {
                        i += k + 1;
                        if data[i - 1] == b'\\' {
                            self.state = JsonState::StrEscape { key };
                        } else {
                            if !key {
                                self.fields.end(p + k as u64 + 1);
                            }
                            // After a key comes `:`; after a value `,` or a close.
                            self.expect_key = false;
                            self.state = JsonState::Between;
                        }
                    }
                    None => i = data.len(),
                },
                JsonState::StrEscape { key } => {
                    self.state = JsonState::Str { key };
                    i += 1;
                }
                JsonState::Bare => {
                    if bare_byte(b) {
                        i += 1;
                    } else {
                        self.fields.end(p);
                        self.state = JsonState::Between;
                    }
                }
            }
        }
        self.pos = base + data.len() as u64;
    }

    fn push(&mut self, b: u8) {
        if self.overflow > 0 || self.stack.len() >= MAX_DEPTH {
            self.overflow += 1;
        } else {
            self.stack.push(b);
        }
    }

    fn pop(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
        } else {
            self.stack.pop();
        }
    }
}

// ------------------------------------------------------------------- SQL

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyLex {
    /// The rest of the `COPY … FROM stdin;` line.
    RestOfLine,
    LineStart,
    /// `\` at a line start: `\.` ends the block, else an escape.
    Backslash,
    BackslashDot,
    /// After a delimiter: a quote here opens a CSV-quoted field.
    FieldStart,
    Field,
    Escape,
    Quoted,
    QuotedQuote,
    /// After `\.`: to the end of its line.
    AfterEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Normal,
    Word,
    Str {
        close: u8,
        backslash: bool,
    },
    StrEscape {
        close: u8,
        backslash: bool,
    },
    StrClose {
        close: u8,
        backslash: bool,
    },
    Dash,
    Slash,
    LineComment,
    Block,
    BlockStar,
    DollarTag,
    DollarBody,
    /// A psql meta-command line (`\restrict …`, `\connect …`).
    Meta,
    Copy(CopyLex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stmt {
    Start,
    Insert,
    Copy,
    Set,
    Other,
}

/// What the next string literal's first character sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Nothing,
    CopyDelimiter,
    CopyQuote,
}

/// SQL dumps: pg_dump (COPY, --inserts), mysqldump, SQLite `.dump`.
#[derive(Debug)]
pub struct Sql {
    pos: u64,
    lex: Lex,
    mysql: bool,
    /// PostgreSQL `standard_conforming_strings = off`.
    pg_backslash: bool,
    stmt: Stmt,
    words: u32,
    values: bool,
    depth: u32,
    elem_pending: bool,
    last_solid_end: u64,
    word: Vec<u8>,
    /// The last word was `E` and ended at this position.
    e_prefix_at: Option<u64>,
    copy_from: bool,
    copy_stdin: bool,
    copy_csv: bool,
    copy_delim: Option<u8>,
    copy_quote: u8,
    want: Want,
    str_first: Option<u8>,
    str_len: u32,
    set_scs: bool,
    tag: Vec<u8>,
    tag_match: usize,
    fields: Fields,
}

fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl Sql {
    pub fn new(prefix: &[u8]) -> Sql {
        let head = &prefix[..prefix.len().min(16 * 1024)];
        let has = |n: &[u8]| memchr::memmem::find(head, n).is_some();
        let mysql = has(b"MySQL dump") || has(b"MariaDB dump") || head.starts_with(b"/*!");
        Sql {
            pos: 0,
            lex: Lex::Normal,
            mysql,
            pg_backslash: false,
            stmt: Stmt::Start,
            words: 0,
            values: false,
            depth: 0,
            elem_pending: false,
            last_solid_end: 0,
            word: Vec::with_capacity(MAX_WORD),
            e_prefix_at: None,
            copy_from: false,
            copy_stdin: false,
            copy_csv: false,
            copy_delim: None,
            copy_quote: b'"',
            want: Want::Nothing,
            str_first: None,
            str_len: 0,
            set_scs: false,
            tag: Vec::new(),
            tag_match: 0,
            fields: Fields::default(),
        }
    }

    fn in_tuple(&self) -> bool {
        self.values && self.depth >= 1
    }

    fn copy_delim(&self) -> u8 {
        self.copy_delim
            .unwrap_or(if self.copy_csv { b',' } else { b'\t' })
    }

    fn slot(&self) -> Slot {
        match self.lex {
            Lex::Copy(c) => match c {
                CopyLex::Quoted | CopyLex::QuotedQuote => Slot::CopyCsv {
                    quoted: c == CopyLex::Quoted,
                    delimiter: self.copy_delim(),
                    quote: self.copy_quote,
                },
                _ if self.copy_csv => Slot::CopyCsv {
                    quoted: false,
                    delimiter: self.copy_delim(),
                    quote: self.copy_quote,
                },
                _ => Slot::CopyText {
                    delimiter: self.copy_delim(),
                },
            },
            Lex::Str { close, backslash } | Lex::StrEscape { close, backslash } => {
                Slot::SqlString {
                    quote: close,
                    backslash,
                    element: self.in_tuple(),
                }
            }
            Lex::LineComment | Lex::Meta => Slot::SqlComment { block: false },
            Lex::Block | Lex::BlockStar => Slot::SqlComment { block: true },
            Lex::DollarBody | Lex::DollarTag => Slot::SqlOther,
            _ if self.in_tuple() => Slot::SqlBare,
            _ => Slot::SqlOther,
        }
    }

    fn field(&self, next: u8) -> Option<Field> {
        match self.lex {
            Lex::Copy(CopyLex::RestOfLine | CopyLex::AfterEnd) => None,
            Lex::Copy(CopyLex::LineStart) => Some(self.fields.upcoming(self.pos)),
            Lex::Copy(_) => self.fields.open,
            _ if self.in_tuple() => match self.fields.open {
                Some(f) => Some(f),
                None if self.elem_pending && !next.is_ascii_whitespace() => {
                    Some(self.fields.upcoming(self.pos))
                }
                None => None,
            },
            _ => None,
        }
    }

    /// A solid (non-blank) byte at `p` in Normal state.
    fn solid(&mut self, p: u64) {
        if self.in_tuple() && self.elem_pending {
            self.elem_pending = false;
            self.fields.start(p);
        }
        self.last_solid_end = p + 1;
    }

    fn end_element(&mut self) {
        if self.fields.open.is_some() {
            self.fields.end(self.last_solid_end);
        }
    }

    fn end_statement(&mut self) {
        self.end_element();
        if self.stmt == Stmt::Copy && self.copy_stdin {
            self.lex = Lex::Copy(CopyLex::RestOfLine);
        }
        self.stmt = Stmt::Start;
        self.words = 0;
        self.values = false;
        self.depth = 0;
        self.elem_pending = false;
        self.want = Want::Nothing;
        self.set_scs = false;
        if self.lex != Lex::Copy(CopyLex::RestOfLine) {
            self.reset_copy();
        }
    }

    fn end_word(&mut self, end: u64) {
        let w = std::mem::take(&mut self.word);
        let is = |k: &str| w.eq_ignore_ascii_case(k.as_bytes());
        self.e_prefix_at = is("e").then_some(end);
        if self.words == 0 {
            self.stmt = if is("insert") || is("replace") {
                Stmt::Insert
            } else if is("copy") {
                Stmt::Copy
            } else if is("set") {
                Stmt::Set
            } else {
                Stmt::Other
            };
        }
        self.words += 1;
        match self.stmt {
            Stmt::Insert if self.depth == 0 => {
                self.values = is("values") || is("value");
            }
            Stmt::Copy if self.depth == 0 => {
                if is("from") {
                    self.copy_from = true;
                } else if self.copy_from && is("stdin") {
                    self.copy_stdin = true;
                } else if is("csv") {
                    self.copy_csv = true;
                } else if is("delimiter") {
                    self.want = Want::CopyDelimiter;
                } else if is("quote") {
                    self.want = Want::CopyQuote;
                }
            }
            Stmt::Copy => {
                if is("csv") {
                    self.copy_csv = true;
                } else if is("delimiter") {
                    self.want = Want::CopyDelimiter;
                } else if is("quote") {
                    self.want = Want::CopyQuote;
                }
            }
            Stmt::Set => {
                if is("standard_conforming_strings") {
                    self.set_scs = true;
                } else if self.set_scs && is("off") {
                    self.pg_backslash = true;
                } else if self.set_scs && is("on") {
                    self.pg_backslash = false;
                }
            }
            _ => {}
        }
        self.word = w;
        self.word.clear();
    }

    fn open_string(&mut self, p: u64, close: u8) {
        let backslash = match close {
            b'\'' => self.mysql || self.pg_backslash || self.e_prefix_at == Some(p),
            b'"' => self.mysql,
            _ => false,
        };
        self.solid(p);
        self.str_first = None;
        self.str_len = 0;
        self.lex = Lex::Str { close, backslash };
    }

    fn close_string(&mut self, close_pos: u64) {
        self.last_solid_end = close_pos + 1;
        let want = std::mem::replace(&mut self.want, Want::Nothing);
        if self.str_len == 1
            && let Some(c) = self.str_first
        {
            match want {
                Want::CopyDelimiter => self.copy_delim = Some(c),
                Want::CopyQuote => self.copy_quote = c,
                Want::Nothing => {}
            }
        }
    }

    fn feed(&mut self, data: &[u8]) {
        let base = self.pos;
        let mut i = 0;
        // A state change that hands the byte on without consuming it is
        // always followed by one that consumes; the guard only protects
        // against a mistake here turning into a hang.
        let mut stalls = 0u8;
        while i < data.len() {
            let before = i;
            i = self.step(data, i, base);
            if i == before {
                stalls += 1;
                if stalls > 4 {
                    self.lex = Lex::Normal;
                    i += 1;
                    stalls = 0;
                }
            } else {
                stalls = 0;
            }
        }
        self.pos = base + data.len() as u64;
    }

    fn step(&mut self, data: &[u8], i: usize, base: u64) -> usize {
        let b = data[i];
        let p = base + i as u64;
        match self.lex {
            Lex::Normal => {
                match b {
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {}
                    b'\'' | b'"' | b'`' => self.open_string(p, b),
                    b'-' => {
                        self.lex = Lex::Dash;
                    }
                    b'/' => {
                        self.lex = Lex::Slash;
                    }
                    b'#' if self.mysql => self.lex = Lex::LineComment,
                    b'$' if !self.mysql => {
                        self.tag.clear();
                        self.lex = Lex::DollarTag;
                    }
                    b'\\' if self.words == 0 && self.depth == 0 => self.lex = Lex::Meta,
                    b'(' => {
                        self.solid(p);
                        self.depth = self.depth.saturating_add(1);
                        if self.values && self.depth == 1 {
                            self.elem_pending = true;
                        }
                    }
                    b')' => {
                        if self.values && self.depth == 1 {
                            self.end_element();
                            self.elem_pending = false;
                        }
                        self.depth = self.depth.saturating_sub(1);
                        self.last_solid_end = p + 1;
                    }
                    b',' => {
                        if self.values && self.depth == 1 {
                            self.end_element();
                            self.elem_pending = true;
                        } else {
                            self.last_solid_end = p + 1;
                        }
                    }
                    b';' => self.end_statement(),
                    _ if word_byte(b) => {
                        self.solid(p);
                        self.word.clear();
                        self.word.push(b);
                        self.lex = Lex::Word;
                    }
                    _ => self.solid(p),
                }
                i + 1
            }
            Lex::Word => {
                let mut j = i;
                while j < data.len() && (word_byte(data[j]) || data[j] == b'$') {
                    if self.word.len() < MAX_WORD {
                        self.word.push(data[j]);
                    }
                    j += 1;
                }
                if j < data.len() {
                    let end = base + j as u64;
                    self.last_solid_end = end;
                    self.end_word(end);
                    self.lex = Lex::Normal;
                } else {
                    self.last_solid_end = base + j as u64;
                }
                j
            }
            Lex::Str { close, backslash } => {
                let rest = &data[i..];
                let hit = if backslash {
                    memchr::memchr2(close, b'\\', rest)
                } else {
                    memchr::memchr(close, rest)
                };
                let k = hit.unwrap_or(rest.len());
                if k > 0 {
                    if self.str_first.is_none() {
                        self.str_first = Some(rest[0]);
                    }
                    self.str_len = self.str_len.saturating_add(k as u32);
                }
                match hit {
                    Some(k) if rest[k] == b'\\' && backslash => {
                        self.lex = Lex::StrEscape { close, backslash };
                        i + k + 1
                    }
                    Some(k) => {
                        self.lex = Lex::StrClose { close, backslash };
                        i + k + 1
                    }
                    None => data.len(),
                }
            }
            Lex::StrEscape { close, backslash } => {
                self.str_len = self.str_len.saturating_add(2);
                self.lex = Lex::Str { close, backslash };
                i + 1
            }
            Lex::StrClose { close, backslash } => {
                if b == close {
                    // A doubled quote is one quote of content.
                    self.str_len = self.str_len.saturating_add(1);
                    self.lex = Lex::Str { close, backslash };
                    i + 1
                } else {
                    self.close_string(p - 1);
                    self.lex = Lex::Normal;
                    i
                }
            }
            Lex::Dash => {
                if b == b'-' {
                    self.lex = Lex::LineComment;
                    i + 1
                } else {
                    self.solid(p - 1);
                    self.lex = Lex::Normal;
                    i
                }
            }
            Lex::Slash => {
                if b == b'*' {
                    self.lex = Lex::Block;
                    i + 1
                } else {
                    self.solid(p - 1);
                    self.lex = Lex::Normal;
                    i
                }
            }
            Lex::LineComment | Lex::Meta => match memchr::memchr(b'\n', &data[i..]) {
                Some(k) => {
                    self.lex = Lex::Normal;
                    i + k + 1
                }
                None => data.len(),
            },
            Lex::Block => match memchr::memchr(b'*', &data[i..]) {
                Some(k) => {
                    self.lex = Lex::BlockStar;
                    i + k + 1
                }
                None => data.len(),
            },
            Lex::BlockStar => {
                self.lex = match b {
                    b'/' => Lex::Normal,
                    b'*' => Lex::BlockStar,
                    _ => Lex::Block,
                };
                i + 1
            }
            Lex::DollarTag => {
                if b == b'$' {
                    self.tag_match = 0;
                    self.lex = Lex::DollarBody;
                    i + 1
                } else if (b.is_ascii_alphanumeric() || b == b'_') && self.tag.len() < MAX_TAG {
                    // `$1` is a parameter, not a tag: tags do not start
                    // with a digit.
                    if self.tag.is_empty() && b.is_ascii_digit() {
                        self.lex = Lex::Normal;
                        return i;
                    }
                    self.tag.push(b);
                    i + 1
                } else {
                    self.lex = Lex::Normal;
                    i
                }
            }
            Lex::DollarBody => {
                if self.tag_match == 0 {
                    match memchr::memchr(b'$', &data[i..]) {
                        Some(k) => {
                            self.tag_match = 1;
                            i + k + 1
                        }
                        None => data.len(),
                    }
                } else {
                    let at = self.tag_match - 1;
                    if at < self.tag.len() && b == self.tag[at] {
                        self.tag_match += 1;
                    } else if at == self.tag.len() && b == b'$' {
                        self.tag_match = 0;
                        self.lex = Lex::Normal;
                        self.last_solid_end = p + 1;
                    } else if b == b'$' {
                        self.tag_match = 1;
                    } else {
                        self.tag_match = 0;
                    }
                    i + 1
                }
            }
            Lex::Copy(c) => self.step_copy(c, data, i, p),
        }
    }

    fn step_copy(&mut self, c: CopyLex, data: &[u8], i: usize, p: u64) -> usize {
        let b = data[i];
        let delim = self.copy_delim();
        match c {
            CopyLex::RestOfLine | CopyLex::AfterEnd => match memchr::memchr(b'\n', &data[i..]) {
                Some(k) => {
                    self.lex = if c == CopyLex::RestOfLine {
                        Lex::Copy(CopyLex::LineStart)
                    } else {
                        Lex::Normal
                    };
                    if c == CopyLex::AfterEnd {
                        self.reset_copy();
                    }
                    i + k + 1
                }
                None => data.len(),
            },
            CopyLex::LineStart => {
                self.fields.start(p);
                if b == b'\\' {
                    self.lex = Lex::Copy(CopyLex::Backslash);
                    i + 1
                } else {
                    self.lex = Lex::Copy(CopyLex::FieldStart);
                    i
                }
            }
            CopyLex::Backslash => {
                if b == b'.' {
                    self.lex = Lex::Copy(CopyLex::BackslashDot);
                    i + 1
                } else if self.copy_csv {
                    // In CSV format a backslash is content.
                    self.lex = Lex::Copy(CopyLex::Field);
                    i
                } else {
                    // `\x` at a row start: an escaped byte of field 1.
                    self.lex = Lex::Copy(CopyLex::Field);
                    i + 1
                }
            }
            CopyLex::BackslashDot => {
                if b == b'\n' {
                    self.fields.open = None;
                    self.lex = Lex::Normal;
                    self.reset_copy();
                    i + 1
                } else if b == b'\r' {
                    self.fields.open = None;
                    self.lex = Lex::Copy(CopyLex::AfterEnd);
                    i + 1
                } else {
                    self.lex = Lex::Copy(CopyLex::Field);
                    i
                }
            }
            CopyLex::FieldStart => {
                if self.copy_csv && b == self.copy_quote {
                    self.lex = Lex::Copy(CopyLex::Quoted);
                    i + 1
                } else {
                    self.lex = Lex::Copy(CopyLex::Field);
                    i
                }
            }
            CopyLex::Field => {
                let rest = &data[i..];
                let hit = if self.copy_csv {
                    memchr::memchr2(delim, b'\n', rest)
                } else {
                    memchr::memchr3(delim, b'\n', b'\\', rest)
                };
                match hit {
                    Some(k) => {
                        let q = p + k as u64;
                        match rest[k] {
                            b'\n' => {
                                self.fields.end(q);
                                self.lex = Lex::Copy(CopyLex::LineStart);
                            }
                            b'\\' if !self.copy_csv => self.lex = Lex::Copy(CopyLex::Escape),
                            _ => {
                                self.fields.end(q);
                                self.fields.start(q + 1);
                                self.lex = Lex::Copy(CopyLex::FieldStart);
                            }
                        }
                        i + k + 1
                    }
                    None => data.len(),
                }
            }
            CopyLex::Escape => {
                self.lex = Lex::Copy(CopyLex::Field);
                i + 1
            }
            CopyLex::Quoted => match memchr::memchr(self.copy_quote, &data[i..]) {
                Some(k) => {
                    self.lex = Lex::Copy(CopyLex::QuotedQuote);
                    i + k + 1
                }
                None => data.len(),
            },
            CopyLex::QuotedQuote => {
                if b == self.copy_quote {
                    self.lex = Lex::Copy(CopyLex::Quoted);
                    i + 1
                } else {
                    self.lex = Lex::Copy(CopyLex::Field);
                    i
                }
            }
        }
    }

    fn reset_copy(&mut self) {
        self.copy_stdin = false;
        self.copy_from = false;
        self.copy_csv = false;
        self.copy_delim = None;
        self.copy_quote = b'"';
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `text` up to the first occurrence of `at` and returns the slot
    /// and field there.
    fn probe(t: &mut Tracker, text: &str, at: &str) -> (Slot, Option<Field>) {
        let i = text.find(at).unwrap();
        t.feed(&text.as_bytes()[..i]);
        let next = text.as_bytes()[i];
        (t.slot(next), t.field(next))
    }

    /// The field around `at`, dropped: feeds the rest and returns the text
    /// the field covered.
    fn field_text(t: &mut Tracker, text: &str, at: &str) -> String {
        let i = text.find(at).unwrap();
        t.feed(&text.as_bytes()[..i]);
        let f = t.field(text.as_bytes()[i]).expect("in a field");
        t.watch(f.id);
        t.feed(&text.as_bytes()[i..]);
        t.finish();
        let end = t.watched_end().unwrap();
        text[f.start as usize..end as usize].to_string()
    }

    #[test]
    fn csv_slots_and_fields() {
        let text = "id,phone,note\n1,+79001234567,\"call \"\"him\"\" at 89001234567, ok\"\n";
        let mut t = Tracker::Csv(Csv::new(b','));
        let (slot, _) = probe(&mut t, text, "+7900");
        assert_eq!(
            slot,
            Slot::Csv {
                quoted: false,
                delimiter: b','
            }
        );
        let mut t = Tracker::Csv(Csv::new(b','));
        let (slot, _) = probe(&mut t, text, "8900");
        assert_eq!(
            slot,
            Slot::Csv {
                quoted: true,
                delimiter: b','
            }
        );
        let mut t = Tracker::Csv(Csv::new(b','));
        assert_eq!(field_text(&mut t, text, "+7900"), "+79001234567");
        let mut t = Tracker::Csv(Csv::new(b','));
        assert_eq!(
            field_text(&mut t, text, "8900"),
            "\"call \"\"him\"\" at 89001234567, ok\""
        );
    }

    #[test]
    fn json_slots_and_fields() {
        let text = r#"{"a": {"k\"ey 79001234567": [1, "x 79001234568 \" y", 79001234569]}}"#;
        let mut t = Tracker::Json(Json::default());
        assert_eq!(probe(&mut t, text, "79001234567").0, Slot::JsonKey);
        let mut t = Tracker::Json(Json::default());
        assert_eq!(probe(&mut t, text, "79001234568").0, Slot::JsonString);
        let mut t = Tracker::Json(Json::default());
        assert_eq!(probe(&mut t, text, "79001234569").0, Slot::JsonBare);
        let mut t = Tracker::Json(Json::default());
        assert_eq!(
            field_text(&mut t, text, "79001234568"),
            r#""x 79001234568 \" y""#
        );
        let mut t = Tracker::Json(Json::default());
        assert_eq!(field_text(&mut t, text, "79001234569"), "79001234569");
    }

    fn sql() -> Tracker {
        Tracker::Sql(Box::new(Sql::new(b"")))
    }

    #[test]
    fn sql_inserts() {
        let text = "CREATE TABLE t (a text); -- note 'x\nINSERT INTO public.t (a, b) VALUES (1, 'O''Brien +79001234567', 79001234568, replace('a\\n+79001234569','\\n',char(10))), (2, E'x\\' +79001234570', NULL);\n";
        let mut t = sql();
        assert_eq!(
            probe(&mut t, text, "+79001234567").0,
            Slot::SqlString {
                quote: b'\'',
                backslash: false,
                element: true
            }
        );
        let mut t = sql();
        assert_eq!(probe(&mut t, text, "79001234568").0, Slot::SqlBare);
        let mut t = sql();
        assert_eq!(
            field_text(&mut t, text, "+79001234567"),
            "'O''Brien +79001234567'"
        );
        let mut t = sql();
        assert_eq!(
            field_text(&mut t, text, "+79001234569"),
            "replace('a\\n+79001234569','\\n',char(10))"
        );
        let mut t = sql();
        assert_eq!(
            probe(&mut t, text, "+79001234570").0,
            Slot::SqlString {
                quote: b'\'',
                backslash: true,
                element: true
            }
        );
        let mut t = sql();
        assert_eq!(
            field_text(&mut t, text, "+79001234570"),
            "E'x\\' +79001234570'"
        );
    }

    #[test]
    fn sql_copy_blocks() {
        let text = "SET standard_conforming_strings = on;\nCOPY public.users (id, phone, note) FROM stdin;\n1\t+79001234567\ta\\tb 89001234567\n\\.\nSELECT 1; -- 79001234599\n";
        let mut t = sql();
        assert_eq!(
            probe(&mut t, text, "+7900").0,
            Slot::CopyText { delimiter: b'\t' }
        );
        let mut t = sql();
        assert_eq!(field_text(&mut t, text, "+7900"), "+79001234567");
        let mut t = sql();
        assert_eq!(field_text(&mut t, text, "8900"), "a\\tb 89001234567");
        let mut t = sql();
        assert_eq!(
            probe(&mut t, text, "79001234599").0,
            Slot::SqlComment { block: false }
        );
        let csv = "COPY t FROM stdin WITH (FORMAT csv, DELIMITER ';');\n1;\"a;\"\"b\"\" +79001234567\"\n\\.\n";
        let mut t = sql();
        assert_eq!(
            probe(&mut t, csv, "+7900").0,
            Slot::CopyCsv {
                quoted: true,
                delimiter: b';',
                quote: b'"'
            }
        );
    }

    #[test]
    fn sql_dollar_quotes_and_mysql() {
        let text = "CREATE FUNCTION f() RETURNS text AS $body$ select ' $x$ ; $body$;\nINSERT INTO t VALUES ('+79001234567');\n";
        let mut t = sql();
        assert!(matches!(
            probe(&mut t, text, "+7900").0,
            Slot::SqlString { element: true, .. }
        ));
        let my = "-- MySQL dump 10.13\nINSERT INTO `t` VALUES (1,'a\\'b +79001234567',\"x\");\n";
        let mut t = Tracker::Sql(Box::new(Sql::new(my.as_bytes())));
        assert_eq!(
            probe(&mut t, my, "+7900").0,
            Slot::SqlString {
                quote: b'\'',
                backslash: true,
                element: true
            }
        );
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = crate::eval::rng::Rng::new(0x1234_5678_9abc_def0);
        let mut data = vec![0u8; 64 * 1024];
        for b in &mut data {
            let state = rng.next_u64();
            let alphabet = b"'\"`\\-/*$();,\n\t {}[]:aE0";
            *b = alphabet[(state % alphabet.len() as u64) as usize];
        }
        for mut t in [
            sql(),
            Tracker::Json(Json::default()),
            Tracker::Csv(Csv::new(b',')),
        ] {
            for chunk in data.chunks(777) {
                t.feed(chunk);
                let _ = t.slot(b'1');
                let _ = t.field(b'1');
            }
            assert_eq!(t.pos(), data.len() as u64);
        }
    }
}
