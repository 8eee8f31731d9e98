//! SQL dump locator: which table, column and row a byte offset of a dump
//! falls in.
//!
//! Owns reading database dumps just well enough to place an offset:
//! pg_dump plain output (`COPY … FROM stdin;` blocks, `--inserts`,
//! `--column-inserts`, `\restrict` lines), mysqldump / mariadb-dump
//! (extended inserts, backtick identifiers, backslash escapes, raw BLOB
//! bytes, `/*! … */` comments, `DELIMITER`), SQLite `.dump`
//! (`replace('…','\n',char(10))` wrappers, `[bracket]` identifiers) and
//! hand-written INSERTs. It does not decode values, evaluate expressions
//! or check that the SQL is valid: the engine has already found the value,
//! this only says where it sits.
//!
//! Shape: a byte-level lexer (strings, quoted identifiers, comments, dollar
//! quotes, COPY data lines) feeds tokens to a small statement grammar that
//! recognises `INSERT`/`REPLACE`, `COPY`, `CREATE TABLE` and the `SET`s that
//! change how backslashes read; every other statement is skipped to its
//! delimiter. Both are plain state machines over the byte stream, so a
//! window may end anywhere (inside a string, a `--`, a `\.`) and the next
//! one resumes there.
//!
//! Memory is bounded: the current token (capped at [`MAX_TOKEN`] bytes),
//! the current statement's table name and column list, and a map from
//! table to column names and row count (capped at [`MAX_TABLES`] tables of
//! [`MAX_COLUMNS`] columns). A multi-gigabyte extended INSERT on one line
//! costs no more than a short one.
//!
//! Robustness: nothing here indexes blindly or unwraps; malformed input
//! only makes answers wrong, never panics. A statement ends at its
//! delimiter whatever state its parentheses are in, a COPY row ends at its
//! line, and an INSERT that runs into the next `INSERT`/`COPY`/`CREATE`
//! without a `;` is cut there. In a MySQL dump (which never holds a raw
//! newline inside a string) a line that starts like one of mysqldump's
//! statements ends an unterminated string; elsewhere an unterminated quote
//! swallows input up to the next matching quote, as a SQL client would.

use super::{FieldInfo, Locator};
use crate::finding::Location;
use std::collections::HashMap;
use std::sync::Arc;

/// Longest identifier, keyword or captured setting kept; longer ones are
/// truncated (they still compare equal to themselves, which is all the
/// table map needs).
pub const MAX_TOKEN: usize = 256;
/// Columns kept per table (MySQL's limit is 4096, PostgreSQL's 1600).
pub const MAX_COLUMNS: usize = 4096;
/// Tables (and name aliases) kept in the map. Past this, rows of new
/// tables are counted per statement only.
pub const MAX_TABLES: usize = 65_536;
/// Longest MySQL client `DELIMITER` honoured.
const MAX_DELIMITER: usize = 16;
/// Longest PostgreSQL dollar-quote tag honoured.
const MAX_DOLLAR_TAG: usize = 64;
/// How far into the sniffed prefix the dialect markers are looked for.
const DIALECT_SNIFF: usize = 16 * 1024;
/// The UTF-8 byte-order mark, skipped before the first keyword.
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Line starts that end an unterminated string in a MySQL dump (see
/// `SqlLocator::watch_newlines`): mysqldump's own statement openings.
const RESYNC_LINES: [&str; 6] = [
    "INSERT INTO `",
    "LOCK TABLES `",
    "UNLOCK TABLES;",
    "DROP TABLE IF EXISTS `",
    "CREATE TABLE `",
    "/*!40000 ALTER TABLE `",
];

/// Which SQL flavour the dump is in; decides what a backslash in a string
/// means, whether `"…"` is a string, and whether `$tag$` quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Unknown,
    Postgres,
    MySql,
    Sqlite,
}

/// Lexer state: where inside a token the last consumed byte left us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Between tokens.
    Normal,
    /// Inside a bare word (keyword, identifier, number).
    Word,
    /// Inside a quoted string or identifier.
    Quoted,
    /// After a backslash in a string that honours backslash escapes.
    QuotedEscape,
    /// After a raw newline inside a mysqldump string (which mysqldump never
    /// writes): checking whether the line starts a new statement.
    QuotedNewline,
    /// Just after the closing quote: a second one means a doubled quote.
    QuotedClose,
    /// Saw `-`: a comment if another follows.
    Dash,
    /// Saw `/`: a comment if `*` follows.
    Slash,
    LineComment,
    /// Just after `/*`: `!` or `M!` marks a MySQL versioned comment.
    BlockStart,
    /// Saw `/*M`.
    BlockM,
    Block,
    /// Saw `*` inside a block comment.
    BlockStar,
    /// Saw `$` (PostgreSQL): reading a dollar-quote tag.
    DollarTag,
    /// Inside a dollar-quoted body, looking for `$tag$`.
    DollarBody,
    /// A psql meta-command (`\restrict key`, `\connect db`): to end of line.
    MetaLine,
    /// A MySQL client `DELIMITER xx` line.
    DelimiterLine,
    /// Inside a `COPY … FROM stdin` block.
    Copy(CopyLex),
}

/// COPY data sub-state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyLex {
    /// The rest of the `COPY … FROM stdin;` line, which is not data.
    RestOfLine,
    /// A header line (`HEADER` option): not a row.
    Header,
    /// At the start of a line: a row or the `\.` terminator.
    LineStart,
    /// Saw `\` at the start of a line.
    Backslash,
    /// Saw `\.` at the start of a line.
    BackslashDot,
    /// Inside a row.
    Field,
    /// After a backslash inside a text-format row: the next byte is data.
    Escape,
    /// After the terminator: skip to the end of its line.
    AfterEnd,
}

/// A token handed from the lexer to the grammar; its text, when it has
/// one, is in `SqlLocator::tok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Word,
    /// A quoted identifier: `"x"`, `` `x` ``, `[x]`.
    Ident,
    /// A string literal (its text is only captured where a setting is read).
    Str,
    Punct(u8),
    /// The statement delimiter.
    End,
}

/// Which statement a table name or column list belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Of {
    Insert,
    Copy,
    Create,
}

/// Grammar state: where in the current statement we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stmt {
    /// Before the first token of a statement.
    Start,
    /// A statement that holds no rows: wait for its end.
    Skip,
    /// After `INSERT`/`REPLACE`, before the table name.
    InsertHead,
    /// Reading a possibly qualified name; `want` = a `.` asked for a part.
    Name { of: Of, want: bool },
    /// After an INSERT's table name (and column list).
    InsertTail,
    /// Inside an explicit column list; `dot` = the last name was qualified.
    Columns { of: Of, dot: bool },
    /// The VALUES list: `depth` 0 between tuples, 1 at a tuple's top level.
    Values { depth: u32, elem: u32 },
    /// After COPY's table name (and column list); `from` = saw FROM.
    CopyTail { from: bool },
    /// After `FROM stdin`: options until the delimiter.
    CopyOpts,
    /// After `CREATE`, before `TABLE`.
    CreateHead,
    /// After CREATE TABLE's name.
    CreateTail,
    /// Inside CREATE TABLE's definition list; `pending` = the item began
    /// with a word that is a column name unless the next token makes it a
    /// constraint (`EXCLUDE USING`, `PERIOD FOR`); the word is in
    /// `SqlLocator::pending_col`.
    CreateBody {
        depth: u32,
        item_start: bool,
        pending: bool,
    },
    /// A `SET`; reads the settings that change string escapes.
    Set,
}

/// What a CREATE TABLE definition item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Column,
    Constraint,
    /// Decided by the next token.
    Ambiguous,
}

/// Which COPY option the next token is the value of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyOpt {
    None,
    Delimiter,
    Format,
    Header,
    Quote,
    Escape,
}

/// Which `SET` variable is being assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetVar {
    None,
    StandardConformingStrings,
    SqlMode,
}

/// How a COPY block's data reads (the statement's options).
#[derive(Debug, Clone, Copy)]
struct CopyCfg {
    delimiter: Option<u8>,
    csv: bool,
    quote: u8,
    escape: Option<u8>,
    header: bool,
    binary: bool,
}

impl Default for CopyCfg {
    fn default() -> Self {
        CopyCfg {
            delimiter: None,
            csv: false,
            quote: b'"',
            escape: None,
            header: false,
            binary: false,
        }
    }
}

/// One table's column names and rows seen so far.
#[derive(Debug, Clone)]
struct TableInfo {
    columns: Arc<[String]>,
    rows: u64,
    /// The last explicit column list seen for this table, reused while the
    /// next statements repeat it (`--column-inserts` repeats it per row).
    last_explicit: Option<Arc<[String]>>,
}

/// The table the current statement's rows go to.
#[derive(Debug, Clone)]
struct Target {
    /// As written, qualified, unquoted: `public.users`.
    table: String,
    /// Entry in `SqlLocator::tables`; `None` when the map is full.
    idx: Option<usize>,
    columns: Arc<[String]>,
    /// The current row's 1-based number (0 before the first).
    row: u64,
}

/// Streaming locator for SQL dumps. See the module docs.
#[derive(Clone)]
pub struct SqlLocator {
    /// Absolute offset of the next byte to consume.
    pos: u64,
    lex: Lex,
    dialect: Dialect,
    /// PostgreSQL `standard_conforming_strings = off`: backslashes escape.
    pg_backslash: bool,
    /// MySQL `sql_mode` with NO_BACKSLASH_ESCAPES.
    mysql_no_backslash: bool,

    /// Text of the token being read (bounded).
    tok: Vec<u8>,
    /// The open quote's closing byte.
    q_close: u8,
    /// The open quote honours backslash escapes.
    q_backslash: bool,
    /// The open quote is an identifier (else a string literal).
    q_ident: bool,
    /// The open quote's text is kept in `tok`.
    q_capture: bool,

    /// Statement delimiter (`;`, or what `DELIMITER` set).
    delimiter: Vec<u8>,
    /// Bytes of a multi-byte delimiter matched so far.
    delim_match: usize,
    /// Replaying held-back delimiter bytes: no delimiter matching.
    replaying: bool,
    /// `$tag$` closing a dollar quote.
    dollar: Vec<u8>,
    dollar_match: usize,
    /// A `DELIMITER` line's argument so far; `delim_done` once it ended.
    delim_new: Vec<u8>,
    delim_done: bool,
    /// The line after a raw newline in a MySQL string, while it still
    /// matches the start of one of `RESYNC_LINES`.
    resync_buf: Vec<u8>,

    stmt: Stmt,
    name_parts: Vec<String>,
    cols: Vec<String>,
    pending_col: String,
    have_cols: bool,
    /// Words to ignore after `OVERRIDING` / `AS` in an INSERT.
    skip_words: u8,
    copy_cfg: CopyCfg,
    copy_opt: CopyOpt,
    copy_field: u32,
    copy_in_quote: bool,
    copy_escaped: bool,
    set_var: SetVar,
    target: Option<Target>,

    tables: Vec<TableInfo>,
    /// Name as written → entry (aliases included).
    table_index: HashMap<String, usize>,
    /// Lower-cased name → entry.
    folded_index: HashMap<String, usize>,
    /// Lower-cased last name part → entry, over unqualified names / all.
    unqualified_index: HashMap<String, usize>,
    last_index: HashMap<String, usize>,
}

impl SqlLocator {
    /// A locator for one input; `prefix` (the input's first bytes) is
    /// sniffed for the dump tool's header to pick the dialect early.
    pub fn new(prefix: &[u8]) -> SqlLocator {
        SqlLocator {
            pos: 0,
            lex: Lex::Normal,
            dialect: sniff_dialect(prefix),
            pg_backslash: false,
            mysql_no_backslash: false,
            tok: Vec::new(),
            q_close: b'\'',
            q_backslash: false,
            q_ident: false,
            q_capture: false,
            delimiter: vec![b';'],
            delim_match: 0,
            replaying: false,
            dollar: Vec::new(),
            dollar_match: 0,
            delim_new: Vec::new(),
            delim_done: false,
            resync_buf: Vec::new(),
            stmt: Stmt::Start,
            name_parts: Vec::new(),
            cols: Vec::new(),
            pending_col: String::new(),
            have_cols: false,
            skip_words: 0,
            copy_cfg: CopyCfg::default(),
            copy_opt: CopyOpt::None,
            copy_field: 0,
            copy_in_quote: false,
            copy_escaped: false,
            set_var: SetVar::None,
            target: None,
            tables: Vec::new(),
            table_index: HashMap::new(),
            folded_index: HashMap::new(),
            unqualified_index: HashMap::new(),
            last_index: HashMap::new(),
        }
    }

    /// Consumes `buf` (starting at absolute `base`) from the current
    /// position up to absolute `to`.
    fn consume(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.pos {
            return;
        }
        if self.pos < base {
            // The caller dropped bytes we never saw (it should have called
            // `advance`); carry on from what we have, state may be off.
            self.pos = base;
        }
        let start = usize::try_from(self.pos - base).unwrap_or(usize::MAX);
        let end = usize::try_from(to - base)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        if let Some(data) = buf.get(start..end) {
            self.feed(data);
            self.pos = base + end as u64;
        }
    }

    /// Runs the state machines over `data`.
    fn feed(&mut self, data: &[u8]) {
        let mut i = 0;
        let mut stalls = 0u8;
        while i < data.len() {
            let next = self.step(data, i);
            if next > i {
                i = next;
                stalls = 0;
            } else {
                // A state hands a byte to the next state without consuming
                // it; that chain is short by construction. Guard anyway: a
                // locator must never hang on odd input.
                stalls += 1;
                if stalls > 8 {
                    self.lex = Lex::Normal;
                    i += 1;
                    stalls = 0;
                }
            }
        }
    }

    /// Where the next byte sits.
    fn here(&self) -> Option<FieldInfo> {
        let t = self.target.as_ref()?;
        let (row, elem) = match self.lex {
            Lex::LineComment | Lex::BlockStart | Lex::BlockM | Lex::Block | Lex::BlockStar => {
                return None;
            }
            Lex::Copy(c) => match c {
                CopyLex::RestOfLine | CopyLex::Header | CopyLex::AfterEnd => return None,
                // A row that has not started yet: the next byte opens it.
                CopyLex::LineStart | CopyLex::Backslash | CopyLex::BackslashDot => {
                    (t.row.saturating_add(1), 0)
                }
                CopyLex::Field | CopyLex::Escape => (t.row, self.copy_field),
            },
            _ => match self.stmt {
                Stmt::Values { depth, elem } if depth > 0 => (t.row, elem),
                _ => return None,
            },
        };
        let name = t.columns.get(elem as usize);
        let column = match name {
            Some(n) => n.clone(),
            // No column list and no CREATE TABLE seen: the 1-based position.
            None => (u64::from(elem) + 1).to_string(),
        };
        Some(FieldInfo {
            location: Location::Sql {
                table: t.table.clone(),
                column,
                row,
            },
            field: name.cloned(),
        })
    }

    // ----- lexer -----------------------------------------------------------

    /// Processes input from `data[i]`; returns the index of the first byte
    /// not consumed (may equal `i` when the byte is handed to a new state).
    fn step(&mut self, data: &[u8], i: usize) -> usize {
        let Some(&b) = data.get(i) else {
            return data.len();
        };
        match self.lex {
            Lex::Normal => self.step_normal(data, i, b),
            Lex::Word => {
                let mut j = i;
                while let Some(&c) = data.get(j) {
                    if !is_word_byte(c) {
                        break;
                    }
                    if self.tok.len() < MAX_TOKEN {
                        self.tok.push(c);
                    }
                    j += 1;
                }
                match data.get(j) {
                    None => data.len(),
                    Some(b'\'') => {
                        // A prefixed string: E'…' (escapes on), X'…', N'…',
                        // B'…', MySQL _binary'…' / _utf8mb4'…'.
                        let escapes = self.tok.eq_ignore_ascii_case(b"e") || self.backslashes();
                        self.tok.clear();
                        self.open_quote(b'\'', escapes, false);
                        j + 1
                    }
                    Some(_) => {
                        self.lex = Lex::Normal;
                        // A UTF-8 byte-order mark reads as word bytes; it
                        // must not hide the first keyword.
                        if self.tok.starts_with(BOM) {
                            self.tok.drain(..BOM.len());
                        }
                        if !self.tok.is_empty() {
                            self.emit(Tok::Word);
                        }
                        j
                    }
                }
            }
            Lex::Quoted => {
                let rest = &data[i..];
                let watch = self.watch_newlines();
                let hit = if watch {
                    memchr::memchr3(self.q_close, b'\\', b'\n', rest)
                } else if self.q_backslash {
                    memchr::memchr2(self.q_close, b'\\', rest)
                } else {
                    memchr::memchr(self.q_close, rest)
                };
                let k = hit.unwrap_or(rest.len());
                if self.q_capture {
                    self.capture(&rest[..k]);
                }
                match rest.get(k) {
                    None => data.len(),
                    Some(b'\\') if self.q_backslash => {
                        self.lex = Lex::QuotedEscape;
                        i + k + 1
                    }
                    Some(b'\n') if watch => {
                        self.resync_buf.clear();
                        self.lex = Lex::QuotedNewline;
                        i + k + 1
                    }
                    Some(_) => {
                        self.lex = Lex::QuotedClose;
                        i + k + 1
                    }
                }
            }
            Lex::QuotedNewline => self.step_quoted_newline(b, i),
            Lex::QuotedEscape => {
                if self.q_capture {
                    let decoded = match b {
                        b't' => b'\t',
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b'0' => 0,
                        other => other,
                    };
                    self.capture(&[decoded]);
                }
                self.lex = Lex::Quoted;
                i + 1
            }
            Lex::QuotedClose => {
                if b == self.q_close {
                    // A doubled quote stands for itself.
                    if self.q_capture {
                        self.capture(&[b]);
                    }
                    self.lex = Lex::Quoted;
                    i + 1
                } else {
                    self.lex = Lex::Normal;
                    self.emit(if self.q_ident { Tok::Ident } else { Tok::Str });
                    i
                }
            }
            Lex::Dash => {
                if b == b'-' {
                    self.lex = Lex::LineComment;
                    i + 1
                } else {
                    self.lex = Lex::Normal;
                    self.emit(Tok::Punct(b'-'));
                    i
                }
            }
            Lex::Slash => {
                if b == b'*' {
                    self.lex = Lex::BlockStart;
                    i + 1
                } else {
                    self.lex = Lex::Normal;
                    self.emit(Tok::Punct(b'/'));
                    i
                }
            }
            Lex::LineComment | Lex::MetaLine => match memchr::memchr(b'\n', &data[i..]) {
                Some(k) => {
                    self.lex = Lex::Normal;
                    i + k + 1
                }
                None => data.len(),
            },
            Lex::BlockStart => match b {
                b'!' => {
                    self.hint(Dialect::MySql);
                    self.lex = Lex::Block;
                    i + 1
                }
                b'M' => {
                    self.lex = Lex::BlockM;
                    i + 1
                }
                _ => {
                    self.lex = Lex::Block;
                    i
                }
            },
            Lex::BlockM => {
                if b == b'!' {
                    self.hint(Dialect::MySql);
                }
                self.lex = Lex::Block;
                i
            }
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
                    let mut close = Vec::with_capacity(self.tok.len() + 2);
                    close.push(b'$');
                    close.extend_from_slice(&self.tok);
                    close.push(b'$');
                    self.dollar = close;
                    self.dollar_match = 0;
                    self.tok.clear();
                    self.lex = Lex::DollarBody;
                    i + 1
                } else if is_word_byte(b)
                    && b != b'$'
                    && !(self.tok.is_empty() && b.is_ascii_digit())
                    && self.tok.len() < MAX_DOLLAR_TAG
                {
                    self.tok.push(b);
                    i + 1
                } else {
                    // Not a dollar quote (`$1`, `a$b`): a word after all.
                    self.tok.insert(0, b'$');
                    self.lex = Lex::Word;
                    i
                }
            }
            Lex::DollarBody => self.step_dollar_body(data, i),
            Lex::DelimiterLine => {
                match b {
                    b'\n' => {
                        let new = std::mem::take(&mut self.delim_new);
                        if !new.is_empty() && new.len() <= MAX_DELIMITER {
                            self.delimiter = new;
                        }
                        self.delim_match = 0;
                        self.lex = Lex::Normal;
                        self.stmt = Stmt::Start;
                    }
                    b' ' | b'\t' | b'\r' => self.delim_done |= !self.delim_new.is_empty(),
                    _ if !self.delim_done && self.delim_new.len() <= MAX_DELIMITER => {
                        self.delim_new.push(b);
                    }
                    _ => {}
                }
                i + 1
            }
            Lex::Copy(c) => self.step_copy(c, data, i, b),
        }
    }

    fn step_normal(&mut self, data: &[u8], i: usize, b: u8) -> usize {
        if !self.replaying && self.delimiter.len() > 1 {
            if self.delimiter.get(self.delim_match) == Some(&b) {
                self.delim_match += 1;
                if self.delim_match == self.delimiter.len() {
                    self.delim_match = 0;
                    self.emit(Tok::End);
                }
                return i + 1;
            }
            if self.delim_match > 0 {
                // The held bytes were not a delimiter: read them as input.
                let held = self.delimiter[..self.delim_match].to_vec();
                self.delim_match = 0;
                self.replaying = true;
                self.feed(&held);
                self.replaying = false;
                return i;
            }
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                let mut j = i + 1;
                while matches!(data.get(j), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                    j += 1;
                }
                j
            }
            b';' if self.delimiter.as_slice() == b";" => {
                self.emit(Tok::End);
                i + 1
            }
            b'\'' => {
                let escapes = self.backslashes();
                self.open_quote(b'\'', escapes, false);
                i + 1
            }
            b'"' => {
                if matches!(self.stmt, Stmt::Values { depth, .. } if depth > 0) {
                    // A double-quoted value: PostgreSQL and SQLite dumps
                    // never write one, MySQL's do (a string).
                    self.hint(Dialect::MySql);
                }
                if self.dialect == Dialect::MySql {
                    // Without ANSI_QUOTES, MySQL's "…" is a string.
                    let escapes = self.backslashes();
                    self.open_quote(b'"', escapes, false);
                } else {
                    self.open_quote(b'"', false, true);
                }
                i + 1
            }
            b'`' => {
                self.hint(Dialect::MySql);
                self.open_quote(b'`', false, true);
                i + 1
            }
            b'[' if self.expects_ident() => {
                self.open_quote(b']', false, true);
                i + 1
            }
            b'-' => {
                self.lex = Lex::Dash;
                i + 1
            }
            b'/' => {
                self.lex = Lex::Slash;
                i + 1
            }
            b'#' if self.dialect == Dialect::MySql || self.stmt == Stmt::Start => {
                self.lex = Lex::LineComment;
                i + 1
            }
            b'\\' if self.stmt == Stmt::Start => {
                // psql meta-command: `\restrict key`, `\connect db`, …
                self.lex = Lex::MetaLine;
                i + 1
            }
            b'$' if self.dialect != Dialect::MySql => {
                self.tok.clear();
                self.lex = Lex::DollarTag;
                i + 1
            }
            _ if is_word_byte(b) => {
                self.tok.clear();
                self.lex = Lex::Word;
                i
            }
            _ => {
                self.emit(Tok::Punct(b));
                i + 1
            }
        }
    }

    /// Whether a raw newline inside the open quote may mean a lost closing
    /// quote. mysqldump escapes newlines in strings, so in its dumps a line
    /// that starts like a mysqldump statement is one.
    fn watch_newlines(&self) -> bool {
        self.dialect == Dialect::MySql && !self.q_ident
    }

    /// Compares the line after a raw newline in a MySQL string with the
    /// statements mysqldump starts lines with; on a match the string was
    /// unterminated and the statement starts anew there.
    fn step_quoted_newline(&mut self, b: u8, i: usize) -> usize {
        self.resync_buf.push(b);
        let seen = self.resync_buf.as_slice();
        if RESYNC_LINES.iter().any(|l| l.as_bytes() == seen) {
            let line = std::mem::take(&mut self.resync_buf);
            self.end_statement();
            self.lex = Lex::Normal;
            self.feed(&line);
            return i + 1;
        }
        if !RESYNC_LINES.iter().any(|l| l.as_bytes().starts_with(seen)) {
            // String content after all: read it again as such (it may hold
            // the closing quote, or another newline).
            let held = std::mem::take(&mut self.resync_buf);
            self.lex = Lex::Quoted;
            self.feed(&held);
        }
        i + 1
    }

    fn step_dollar_body(&mut self, data: &[u8], i: usize) -> usize {
        let mut j = i;
        while j < data.len() {
            if self.dollar_match == 0 {
                match memchr::memchr(b'$', &data[j..]) {
                    Some(k) => {
                        self.dollar_match = 1;
                        j += k + 1;
                    }
                    None => return data.len(),
                }
            } else {
                let c = data[j];
                if self.dollar.get(self.dollar_match) == Some(&c) {
                    self.dollar_match += 1;
                    if self.dollar_match >= self.dollar.len() {
                        self.dollar_match = 0;
                        self.lex = Lex::Normal;
                        return j + 1;
                    }
                } else {
                    // The tag holds no `$`, so only a `$` can restart a match.
                    self.dollar_match = usize::from(c == b'$');
                }
                j += 1;
            }
        }
        data.len()
    }

    fn step_copy(&mut self, c: CopyLex, data: &[u8], i: usize, b: u8) -> usize {
        match c {
            CopyLex::RestOfLine | CopyLex::Header | CopyLex::AfterEnd => {
                match memchr::memchr(b'\n', &data[i..]) {
                    Some(k) => {
                        if c == CopyLex::AfterEnd {
                            self.finish_copy();
                        } else if c == CopyLex::RestOfLine && self.copy_cfg.header {
                            self.lex = Lex::Copy(CopyLex::Header);
                        } else {
                            self.lex = Lex::Copy(CopyLex::LineStart);
                        }
                        i + k + 1
                    }
                    None => data.len(),
                }
            }
            CopyLex::LineStart => {
                if b == b'\\' {
                    self.lex = Lex::Copy(CopyLex::Backslash);
                    i + 1
                } else {
                    self.start_copy_row();
                    i
                }
            }
            CopyLex::Backslash => {
                if b == b'.' {
                    self.lex = Lex::Copy(CopyLex::BackslashDot);
                    i + 1
                } else {
                    self.start_copy_row();
                    if self.copy_cfg.csv {
                        // CSV rows give a backslash no meaning.
                        i
                    } else {
                        // `\x` escapes x, whatever x is (a newline too):
                        // consume it as data.
                        self.lex = Lex::Copy(CopyLex::Field);
                        i + 1
                    }
                }
            }
            CopyLex::BackslashDot => match b {
                b'\n' => {
                    self.finish_copy();
                    i + 1
                }
                b'\r' => {
                    self.lex = Lex::Copy(CopyLex::AfterEnd);
                    i + 1
                }
                _ => {
                    // `\.` inside a row is an escaped dot.
                    self.start_copy_row();
                    i
                }
            },
            CopyLex::Field if self.copy_cfg.csv => self.step_copy_csv(data, i),
            CopyLex::Field => {
                let delim = self.copy_delimiter();
                let mut j = i;
                loop {
                    match memchr::memchr3(delim, b'\n', b'\\', &data[j..]) {
                        None => return data.len(),
                        Some(k) => {
                            let at = j + k;
                            match data[at] {
                                b'\n' => {
                                    self.lex = Lex::Copy(CopyLex::LineStart);
                                    return at + 1;
                                }
                                b'\\' => {
                                    self.lex = Lex::Copy(CopyLex::Escape);
                                    return at + 1;
                                }
                                _ => {
                                    self.copy_field = self.copy_field.saturating_add(1);
                                    j = at + 1;
                                }
                            }
                        }
                    }
                }
            }
            CopyLex::Escape => {
                self.lex = Lex::Copy(CopyLex::Field);
                i + 1
            }
        }
    }

    /// A CSV-format COPY row: quotes hide delimiters and newlines.
    fn step_copy_csv(&mut self, data: &[u8], i: usize) -> usize {
        let delim = self.copy_delimiter();
        let quote = self.copy_cfg.quote;
        let escape = self.copy_cfg.escape.unwrap_or(quote);
        let mut j = i;
        while let Some(&c) = data.get(j) {
            j += 1;
            if self.copy_in_quote {
                if self.copy_escaped {
                    self.copy_escaped = false;
                } else if c == escape && escape != quote {
                    self.copy_escaped = true;
                } else if c == quote {
                    // A doubled quote closes and reopens: same result.
                    self.copy_in_quote = false;
                }
            } else if c == quote {
                self.copy_in_quote = true;
            } else if c == delim {
                self.copy_field = self.copy_field.saturating_add(1);
            } else if c == b'\n' {
                self.lex = Lex::Copy(CopyLex::LineStart);
                return j;
            }
        }
        data.len()
    }

    fn copy_delimiter(&self) -> u8 {
        match self.copy_cfg.delimiter {
            Some(d) if !matches!(d, b'\n' | b'\r' | b'\\') => d,
            _ if self.copy_cfg.csv => b',',
            _ => b'\t',
        }
    }

    fn start_copy_row(&mut self) {
        self.next_row();
        self.copy_field = 0;
        self.copy_in_quote = false;
        self.copy_escaped = false;
        self.lex = Lex::Copy(CopyLex::Field);
    }

    fn finish_copy(&mut self) {
        self.lex = Lex::Normal;
        self.stmt = Stmt::Start;
        self.target = None;
    }

    fn open_quote(&mut self, close: u8, backslash: bool, ident: bool) {
        self.q_close = close;
        self.q_backslash = backslash;
        self.q_ident = ident;
        self.q_capture = ident || matches!(self.stmt, Stmt::Set | Stmt::CopyOpts);
        self.tok.clear();
        self.lex = Lex::Quoted;
    }

    fn capture(&mut self, bytes: &[u8]) {
        let room = MAX_TOKEN.saturating_sub(self.tok.len());
        self.tok
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or(&[]));
    }

    /// Whether a plain `'…'` string reads backslash escapes here.
    fn backslashes(&self) -> bool {
        match self.dialect {
            Dialect::MySql => !self.mysql_no_backslash,
            Dialect::Postgres => self.pg_backslash,
            Dialect::Sqlite | Dialect::Unknown => false,
        }
    }

    /// Learns the dialect from what the stream shows, unless already known.
    fn hint(&mut self, d: Dialect) {
        if self.dialect == Dialect::Unknown {
            self.dialect = d;
        }
    }

    /// Whether `[` opens a bracket-quoted identifier (SQLite, SQL Server):
    /// only where a name is expected, since elsewhere it is an array.
    fn expects_ident(&self) -> bool {
        match self.stmt {
            Stmt::Name { want, .. } => want || self.name_parts.is_empty(),
            Stmt::Columns { .. } | Stmt::InsertHead => true,
            Stmt::CreateBody {
                depth, item_start, ..
            } => depth == 1 && item_start,
            _ => false,
        }
    }

    // ----- grammar ---------------------------------------------------------

    fn emit(&mut self, tok: Tok) {
        self.on_token(tok);
        self.tok.clear();
    }

    fn word_is(&self, kw: &str) -> bool {
        self.tok.eq_ignore_ascii_case(kw.as_bytes())
    }

    fn tok_string(&self) -> String {
        String::from_utf8_lossy(&self.tok).into_owned()
    }

    fn on_token(&mut self, tok: Tok) {
        if tok == Tok::End {
            self.end_statement();
            return;
        }
        match self.stmt {
            Stmt::Start => self.on_start(tok),
            Stmt::Skip => {}
            Stmt::InsertHead => match tok {
                Tok::Word
                    if ["INTO", "IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"]
                        .iter()
                        .any(|k| self.word_is(k)) => {}
                Tok::Word | Tok::Ident => {
                    self.name_parts.clear();
                    self.stmt = Stmt::Name {
                        of: Of::Insert,
                        want: true,
                    };
                    self.on_token(tok);
                }
                _ => self.stmt = Stmt::Skip,
            },
            Stmt::Name { of, want } => match tok {
                Tok::Word
                    if of == Of::Create
                        && self.name_parts.is_empty()
                        && ["IF", "NOT", "EXISTS"].iter().any(|k| self.word_is(k)) => {}
                Tok::Word | Tok::Ident if want || self.name_parts.is_empty() => {
                    if self.name_parts.len() < 8 {
                        self.name_parts.push(self.tok_string());
                    }
                    self.stmt = Stmt::Name { of, want: false };
                }
                Tok::Punct(b'.') => self.stmt = Stmt::Name { of, want: true },
                _ => {
                    self.stmt = match of {
                        Of::Insert => Stmt::InsertTail,
                        Of::Copy => Stmt::CopyTail { from: false },
                        Of::Create => Stmt::CreateTail,
                    };
                    self.on_token(tok);
                }
            },
            Stmt::InsertTail => match tok {
                Tok::Punct(b'(') if !self.have_cols => {
                    self.cols.clear();
                    self.stmt = Stmt::Columns {
                        of: Of::Insert,
                        dot: false,
                    };
                }
                Tok::Word if self.skip_words > 0 => self.skip_words -= 1,
                Tok::Word if self.word_is("VALUES") || self.word_is("VALUE") => {
                    self.set_target();
                    self.stmt = Stmt::Values { depth: 0, elem: 0 };
                }
                // PostgreSQL identity columns: OVERRIDING SYSTEM VALUE.
                Tok::Word if self.word_is("OVERRIDING") => self.skip_words = 2,
                Tok::Word if self.word_is("AS") => self.skip_words = 1,
                _ => self.stmt = Stmt::Skip,
            },
            Stmt::Columns { of, dot } => match tok {
                Tok::Word | Tok::Ident => {
                    let name = self.tok_string();
                    if dot {
                        // `t.col`: keep the column part only.
                        if let Some(last) = self.cols.last_mut() {
                            *last = name;
                        }
                    } else if self.cols.len() < MAX_COLUMNS {
                        self.cols.push(name);
                    }
                    self.stmt = Stmt::Columns { of, dot: false };
                }
                Tok::Punct(b'.') => self.stmt = Stmt::Columns { of, dot: true },
                Tok::Punct(b')') => {
                    self.have_cols = true;
                    self.stmt = match of {
                        Of::Copy => Stmt::CopyTail { from: false },
                        _ => Stmt::InsertTail,
                    };
                }
                _ => {}
            },
            Stmt::Values { depth, elem } => self.on_values(tok, depth, elem),
            Stmt::CopyTail { from } => match tok {
                Tok::Punct(b'(') if !from && !self.have_cols => {
                    self.cols.clear();
                    self.stmt = Stmt::Columns {
                        of: Of::Copy,
                        dot: false,
                    };
                }
                Tok::Word if !from && self.word_is("FROM") => {
                    self.stmt = Stmt::CopyTail { from: true };
                }
                Tok::Word if from && self.word_is("STDIN") => {
                    self.hint(Dialect::Postgres);
                    self.copy_cfg = CopyCfg::default();
                    self.copy_opt = CopyOpt::None;
                    self.stmt = Stmt::CopyOpts;
                }
                // COPY … TO, FROM 'file', FROM PROGRAM: no inline data.
                _ => self.stmt = Stmt::Skip,
            },
            Stmt::CopyOpts => self.on_copy_option(tok),
            Stmt::CreateHead => match tok {
                Tok::Word if self.word_is("TABLE") => {
                    self.name_parts.clear();
                    self.stmt = Stmt::Name {
                        of: Of::Create,
                        want: true,
                    };
                }
                Tok::Word
                    if [
                        "OR",
                        "REPLACE",
                        "TEMP",
                        "TEMPORARY",
                        "UNLOGGED",
                        "GLOBAL",
                        "LOCAL",
                    ]
                    .iter()
                    .any(|k| self.word_is(k)) => {}
                _ => self.stmt = Stmt::Skip,
            },
            Stmt::CreateTail => match tok {
                Tok::Punct(b'(') => {
                    self.cols.clear();
                    self.stmt = Stmt::CreateBody {
                        depth: 1,
                        item_start: true,
                        pending: false,
                    };
                }
                // AS SELECT, OF type, PARTITION OF, LIKE: no column list.
                _ => self.stmt = Stmt::Skip,
            },
            Stmt::CreateBody {
                depth,
                item_start,
                pending,
            } => self.on_create_body(tok, depth, item_start, pending),
            Stmt::Set => self.on_set(tok),
        }
    }

    fn on_start(&mut self, tok: Tok) {
        self.name_parts.clear();
        self.cols.clear();
        self.have_cols = false;
        self.skip_words = 0;
        self.target = None;
        self.stmt = Stmt::Skip;
        if tok != Tok::Word {
            return;
        }
        if self.word_is("INSERT") || self.word_is("REPLACE") {
            self.stmt = Stmt::InsertHead;
        } else if self.word_is("COPY") {
            self.stmt = Stmt::Name {
                of: Of::Copy,
                want: true,
            };
        } else if self.word_is("CREATE") {
            self.stmt = Stmt::CreateHead;
        } else if self.word_is("SET") {
            self.set_var = SetVar::None;
            self.stmt = Stmt::Set;
        } else if self.word_is("PRAGMA") {
            self.hint(Dialect::Sqlite);
        } else if self.word_is("DELIMITER") {
            self.delim_new.clear();
            self.delim_done = false;
            self.lex = Lex::DelimiterLine;
            self.stmt = Stmt::Start;
        }
    }

    fn on_values(&mut self, tok: Tok, depth: u32, elem: u32) {
        let (depth, elem) = match tok {
            Tok::Punct(b'(') => {
                if depth == 0 {
                    self.next_row();
                    (1, 0)
                } else {
                    (depth.saturating_add(1), elem)
                }
            }
            Tok::Punct(b')') => (depth.saturating_sub(1), elem),
            Tok::Punct(b',') if depth == 1 => (depth, elem.saturating_add(1)),
            Tok::Word if depth == 0 => {
                if self.word_is("ROW") {
                    // MySQL 8: VALUES ROW(…), ROW(…).
                    return;
                }
                if ["INSERT", "REPLACE", "COPY", "CREATE"]
                    .iter()
                    .any(|k| self.word_is(k))
                {
                    // A missing `;`: the next statement starts here.
                    self.end_statement();
                    self.on_token(tok);
                } else {
                    // ON DUPLICATE KEY UPDATE, ON CONFLICT, RETURNING: no rows.
                    self.stmt = Stmt::Skip;
                }
                return;
            }
            _ => (depth, elem),
        };
        self.stmt = Stmt::Values { depth, elem };
    }

    fn on_copy_option(&mut self, tok: Tok) {
        let pending = std::mem::replace(&mut self.copy_opt, CopyOpt::None);
        match (pending, tok) {
            (CopyOpt::Delimiter | CopyOpt::Quote | CopyOpt::Escape, Tok::Word)
                if self.word_is("AS") =>
            {
                self.copy_opt = pending;
            }
            (CopyOpt::Delimiter, Tok::Str) => self.copy_cfg.delimiter = self.tok.first().copied(),
            (CopyOpt::Quote, Tok::Str) => {
                if let Some(&q) = self.tok.first() {
                    self.copy_cfg.quote = q;
                }
            }
            (CopyOpt::Escape, Tok::Str) => self.copy_cfg.escape = self.tok.first().copied(),
            (CopyOpt::Format, Tok::Word) => {
                self.copy_cfg.csv = self.word_is("CSV");
                self.copy_cfg.binary = self.word_is("BINARY");
            }
            (CopyOpt::Header, Tok::Word | Tok::Str)
                if ["FALSE", "OFF", "0"].iter().any(|k| self.word_is(k)) =>
            {
                self.copy_cfg.header = false;
            }
            (CopyOpt::Header, Tok::Word | Tok::Str)
                if ["TRUE", "ON", "1", "MATCH"].iter().any(|k| self.word_is(k)) => {}
            (_, Tok::Word) => {
                if self.word_is("CSV") {
                    self.copy_cfg.csv = true;
                } else if self.word_is("BINARY") {
                    self.copy_cfg.binary = true;
                } else if self.word_is("DELIMITER") {
                    self.copy_opt = CopyOpt::Delimiter;
                } else if self.word_is("FORMAT") {
                    self.copy_opt = CopyOpt::Format;
                } else if self.word_is("HEADER") {
                    self.copy_cfg.header = true;
                    self.copy_opt = CopyOpt::Header;
                } else if self.word_is("QUOTE") {
                    self.copy_opt = CopyOpt::Quote;
                } else if self.word_is("ESCAPE") {
                    self.copy_opt = CopyOpt::Escape;
                }
            }
            _ => {}
        }
    }

    fn on_create_body(&mut self, tok: Tok, depth: u32, item_start: bool, pending: bool) {
        if pending {
            let constraint = tok == Tok::Punct(b'(')
                || (tok == Tok::Word && (self.word_is("USING") || self.word_is("FOR")));
            let name = std::mem::take(&mut self.pending_col);
            if !constraint && self.cols.len() < MAX_COLUMNS {
                self.cols.push(name);
            }
        }
        let mut item_start = item_start && depth == 1;
        let mut pending = false;
        let depth = match tok {
            Tok::Punct(b'(') => depth.saturating_add(1),
            Tok::Punct(b')') => depth.saturating_sub(1),
            _ => depth,
        };
        match tok {
            Tok::Word | Tok::Ident if item_start => {
                let kind = if tok == Tok::Ident {
                    Item::Column
                } else {
                    self.item_kind()
                };
                match kind {
                    Item::Column if self.cols.len() < MAX_COLUMNS => {
                        self.cols.push(self.tok_string());
                    }
                    Item::Ambiguous => {
                        self.pending_col = self.tok_string();
                        pending = true;
                    }
                    _ => {}
                }
                item_start = false;
            }
            Tok::Punct(b',') if depth == 1 => item_start = true,
            _ => item_start = false,
        }
        if depth == 0 {
            self.commit_create();
            self.stmt = Stmt::Skip;
        } else {
            self.stmt = Stmt::CreateBody {
                depth,
                item_start,
                pending,
            };
        }
    }

    /// What a CREATE TABLE item starting with the current bare word is.
    fn item_kind(&self) -> Item {
        let any = |ks: &[&str]| ks.iter().any(|k| self.word_is(k));
        // Reserved everywhere: never an unquoted column name.
        if any(&[
            "PRIMARY",
            "CONSTRAINT",
            "UNIQUE",
            "FOREIGN",
            "CHECK",
            "LIKE",
        ]) {
            Item::Constraint
        } else if any(&["KEY", "INDEX", "FULLTEXT", "SPATIAL"]) {
            // Reserved in MySQL only; PostgreSQL and SQLite allow columns
            // named `key` or `index` unquoted.
            if self.dialect == Dialect::MySql {
                Item::Constraint
            } else {
                Item::Column
            }
        } else if any(&["EXCLUDE", "PERIOD"]) {
            Item::Ambiguous
        } else {
            Item::Column
        }
    }

    fn on_set(&mut self, tok: Tok) {
        match (self.set_var, tok) {
            (SetVar::None, Tok::Word) => {
                if self.word_is("standard_conforming_strings") {
                    self.set_var = SetVar::StandardConformingStrings;
                } else if self.word_is("sql_mode") {
                    self.set_var = SetVar::SqlMode;
                } else if !["SESSION", "GLOBAL", "LOCAL"]
                    .iter()
                    .any(|k| self.word_is(k))
                {
                    self.stmt = Stmt::Skip;
                }
            }
            (SetVar::None, _) => {}
            (_, Tok::Word) if self.word_is("TO") => {}
            (SetVar::StandardConformingStrings, Tok::Word | Tok::Str) => {
                self.hint(Dialect::Postgres);
                self.pg_backslash = ["OFF", "FALSE", "0"].iter().any(|k| self.word_is(k));
                self.stmt = Stmt::Skip;
            }
            (SetVar::SqlMode, Tok::Word | Tok::Str) => {
                self.mysql_no_backslash =
                    memchr::memmem::find(&self.tok.to_ascii_uppercase(), b"NO_BACKSLASH_ESCAPES")
                        .is_some();
                self.stmt = Stmt::Skip;
            }
            _ => {}
        }
    }

    fn end_statement(&mut self) {
        match self.stmt {
            Stmt::CopyOpts if !self.copy_cfg.binary => {
                self.set_target();
                self.copy_field = 0;
                self.lex = Lex::Copy(CopyLex::RestOfLine);
                self.stmt = Stmt::Start;
                return;
            }
            // A truncated definition list still names its first columns.
            Stmt::CreateBody { .. } => self.commit_create(),
            _ => {}
        }
        self.stmt = Stmt::Start;
        self.target = None;
    }

    // ----- tables ------------------------------------------------------------

    fn table_name(&self) -> String {
        self.name_parts.join(".")
    }

    /// Finds the map entry for `name`, adding it (or an alias of an entry
    /// that differs only in case or in the schema prefix, one side
    /// unqualified) when missing. Constant time: dumps can hold thousands
    /// of tables.
    fn table_entry(&mut self, name: &str) -> Option<usize> {
        if let Some(&i) = self.table_index.get(name) {
            return Some(i);
        }
        if self.table_index.len() >= MAX_TABLES {
            return None;
        }
        let folded = name.to_lowercase();
        let last = last_part(&folded);
        let alias = self.folded_index.get(&folded).copied().or_else(|| {
            if name.contains('.') {
                self.unqualified_index.get(last).copied()
            } else {
                self.last_index.get(last).copied()
            }
        });
        let idx = match alias {
            Some(i) => i,
            None => self.new_table(),
        };
        self.index_name(name, idx);
        Some(idx)
    }

    fn new_table(&mut self) -> usize {
        self.tables.push(TableInfo {
            columns: Arc::from(Vec::new()),
            rows: 0,
            last_explicit: None,
        });
        self.tables.len() - 1
    }

    /// Records `name` → `idx` in the exact index and, first come first
    /// served, in the alias indexes.
    fn index_name(&mut self, name: &str, idx: usize) {
        let folded = name.to_lowercase();
        let last = last_part(&folded).to_string();
        if !name.contains('.') {
            self.unqualified_index.entry(last.clone()).or_insert(idx);
        }
        self.last_index.entry(last).or_insert(idx);
        self.folded_index.entry(folded).or_insert(idx);
        self.table_index.insert(name.to_string(), idx);
    }

    /// Points the statement's rows at its table, with the explicit column
    /// list when it had one, else the CREATE TABLE's.
    fn set_target(&mut self) {
        let table = self.table_name();
        let idx = self.table_entry(&table);
        let explicit = self.have_cols.then(|| std::mem::take(&mut self.cols));
        let (columns, row) = match idx.and_then(|i| self.tables.get_mut(i)) {
            Some(info) => {
                let columns = match explicit {
                    Some(list) => match &info.last_explicit {
                        Some(prev) if **prev == *list => prev.clone(),
                        _ => {
                            let arc: Arc<[String]> = Arc::from(list);
                            info.last_explicit = Some(arc.clone());
                            arc
                        }
                    },
                    None => info.columns.clone(),
                };
                (columns, info.rows)
            }
            None => (Arc::from(explicit.unwrap_or_default()), 0),
        };
        self.target = Some(Target {
            table,
            idx,
            columns,
            row,
        });
    }

    /// Opens the next row of the current target.
    fn next_row(&mut self) {
        let Some(t) = self.target.as_mut() else {
            return;
        };
        match t.idx.and_then(|i| self.tables.get_mut(i)) {
            Some(info) => {
                info.rows = info.rows.saturating_add(1);
                t.row = info.rows;
            }
            None => t.row = t.row.saturating_add(1),
        }
    }

    /// Records a CREATE TABLE's columns; a table created again (mysqldump's
    /// DROP + CREATE, or one per database) starts counting rows anew.
    fn commit_create(&mut self) {
        let name = self.table_name();
        if name.is_empty() {
            return;
        }
        let cols = std::mem::take(&mut self.cols);
        // Exact names only: a CREATE TABLE defines this name, it must not
        // overwrite a same-named table of another schema.
        let idx = match self.table_index.get(&name) {
            Some(&i) => Some(i),
            None if self.table_index.len() < MAX_TABLES => {
                let i = self.new_table();
                self.index_name(&name, i);
                Some(i)
            }
            None => None,
        };
        if let Some(info) = idx.and_then(|i| self.tables.get_mut(i)) {
            info.columns = Arc::from(cols);
            info.rows = 0;
            info.last_explicit = None;
        }
    }
}

impl Locator for SqlLocator {
    fn advance(&mut self, buf: &[u8], base: u64, to: u64) {
        self.consume(buf, base, to);
    }

    fn locate(&mut self, buf: &[u8], base: u64, pos: u64) -> Option<FieldInfo> {
        self.consume(buf, base, pos);
        self.here()
    }

    /// Only between two rows of a COPY block: a COPY row is one line (a
    /// text-format row escapes its newlines, and a CSV-format row inside
    /// quotes is not at `LineStart`). Elsewhere a statement or a string
    /// literal may run across lines, so the dump is not split there. The
    /// copy carries the table map too: row numbers and column lists of
    /// later statements depend on it.
    fn split_here(&self) -> Option<Box<dyn Locator>> {
        matches!(self.lex, Lex::Copy(CopyLex::LineStart))
            .then(|| Box::new(self.clone()) as Box<dyn Locator>)
    }
}

/// The part of a (lower-cased) table name after its last dot.
fn last_part(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Bytes of identifiers and bare words: ASCII alphanumerics, `_`, `$`, and
/// any non-ASCII byte (UTF-8 letters in unquoted PostgreSQL names).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The dialect a dump tool's header announces, if any.
fn sniff_dialect(prefix: &[u8]) -> Dialect {
    let p = &prefix[..prefix.len().min(DIALECT_SNIFF)];
    let has = |s: &str| memchr::memmem::find(p, s.as_bytes()).is_some();
    if has("-- MySQL dump") || has("-- MariaDB dump") || has("/*M!999999") || has("/*!40101 SET") {
        Dialect::MySql
    } else if has("-- PostgreSQL database dump")
        || has("\n\\restrict ")
        || p.starts_with(b"\\restrict ")
        || has("SET standard_conforming_strings")
    {
        Dialect::Postgres
    } else if has("PRAGMA foreign_keys=OFF;") {
        Dialect::Sqlite
    } else {
        Dialect::Unknown
    }
}

/// Whether the first bytes of an input look like a SQL dump (for inputs
/// whose name does not say so).
pub fn looks_like_dump(prefix: &[u8]) -> bool {
    let p = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let head = &p[..p.len().min(4096)];
    let has = |s: &str| memchr::memmem::find(head, s.as_bytes()).is_some();
    let first = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&[][..], |i| &head[i..]);
    has("-- PostgreSQL database dump")
        || has("-- PostgreSQL database cluster dump")
        || has("-- MySQL dump")
        || has("-- MariaDB dump")
        || first.starts_with(b"/*M!999999")
        || first.starts_with(b"/*!999999")
        || first.starts_with(b"\\restrict ")
        || ((first.starts_with(b"PRAGMA foreign_keys=OFF;")
            || first.starts_with(b"BEGIN TRANSACTION;"))
            && has("CREATE TABLE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (needle, expected (table, column, row)) — `None` for outside rows.
    type Want<'a> = (&'a str, Option<(&'a str, &'a str, u64)>);

    fn offset_of(data: &[u8], needle: &str) -> u64 {
        let n = needle.as_bytes();
        let hits: Vec<usize> = data
            .windows(n.len())
            .enumerate()
            .filter(|(_, w)| *w == n)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(hits.len(), 1, "needle {needle:?} must occur once");
        hits[0] as u64
    }

    fn answer(f: Option<FieldInfo>) -> Option<(String, String, u64)> {
        f.map(|f| match f.location {
            Location::Sql { table, column, row } => {
                assert_eq!(f.field.as_deref().unwrap_or(&column), column);
                (table, column, row)
            }
            other => panic!("not a SQL location: {other:?}"),
        })
    }

    /// Asks about every needle, feeding the input in windows of `w` bytes
    /// that move forward the way the scanner's do.
    fn run(data: &[u8], wants: &[Want<'_>], w: usize) {
        let mut q: Vec<(u64, &Want<'_>)> =
            wants.iter().map(|x| (offset_of(data, x.0), x)).collect();
        q.sort_by_key(|x| x.0);
        let mut loc = SqlLocator::new(&data[..data.len().min(SNIFF)]);
        let mut cur = 0u64;
        for (pos, (needle, want)) in q {
            while cur + (w as u64) < pos {
                let end = cur + w as u64;
                loc.advance(&data[cur as usize..end as usize], cur, end);
                cur = end;
            }
            let window = &data[cur as usize..(pos as usize + 1).min(data.len())];
            let got = answer(loc.locate(window, cur, pos));
            let want = want.map(|(t, c, r)| (t.to_string(), c.to_string(), r));
            assert_eq!(got, want, "{needle:?} at {pos} (window {w})");
            cur = pos;
        }
    }

    const SNIFF: usize = 64 * 1024;

    fn check(data: &[u8], wants: &[Want<'_>]) {
        for w in [usize::MAX / 4, 1, 2, 3, 7, 64] {
            run(data, wants, w.min(data.len() + 1));
        }
    }

    const PG_COPY: &str = "\\restrict Xq1w2e3r4t5y6u7i8o9p
--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

-- Name: users; Type: TABLE; Schema: public; Owner: postgres; note +7 900 000-99-99
CREATE TABLE public.users (
    id integer NOT NULL,
    full_name text,
    \"Phone Number\" text,
    email text,
    note text
);

COPY public.users (id, full_name, \"Phone Number\", email, note) FROM stdin;
1\tИванов Иван\t+7 900 000-00-01\tivan@example.ru\tстрока1\\nстрока2\\t8 (495) 555-00-01
2\tO'Brien\t\\N\tpat@example.com\tback\\\\slash \\\\N 8 (495) 555-00-02
3\t\\.dot\t+7 900 000-00-03\t\tlast
\\.

COPY public.calls (caller, callee) FROM stdin;
+7 900 000-00-04\t+7 900 000-00-05
\\.

ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
-- comment 8 (495) 555-99-98

\\unrestrict Xq1w2e3r4t5y6u7i8o9p
";

    #[test]
    fn pg_copy_blocks() {
        check(
            PG_COPY.as_bytes(),
            &[
                ("Xq1w2e3r4t5y6u7i8o9p\n--", None),
                ("+7 900 000-99-99", None),
                ("id integer", None),
                ("Иванов", Some(("public.users", "full_name", 1))),
                (
                    "+7 900 000-00-01",
                    Some(("public.users", "Phone Number", 1)),
                ),
                ("ivan@", Some(("public.users", "email", 1))),
                ("8 (495) 555-00-01", Some(("public.users", "note", 1))),
                ("O'Brien", Some(("public.users", "full_name", 2))),
                ("pat@", Some(("public.users", "email", 2))),
                ("8 (495) 555-00-02", Some(("public.users", "note", 2))),
                ("dot", Some(("public.users", "full_name", 3))),
                (
                    "+7 900 000-00-03",
                    Some(("public.users", "Phone Number", 3)),
                ),
                ("last", Some(("public.users", "note", 3))),
                ("+7 900 000-00-04", Some(("public.calls", "caller", 1))),
                ("+7 900 000-00-05", Some(("public.calls", "callee", 1))),
                ("users_pkey", None),
                ("8 (495) 555-99-98", None),
                ("unrestrict", None),
            ],
        );
    }

    #[test]
    fn pg_copy_without_column_list_uses_create_table() {
        let dump = "CREATE TABLE t (a int, \"B b\" text, CONSTRAINT c CHECK (a > 0));\n\
                    COPY t FROM stdin;\n1\tval1\n\\.\n";
        check(dump.as_bytes(), &[("val1", Some(("t", "B b", 1)))]);
    }

    #[test]
    fn pg_copy_csv_with_header() {
        let dump = "COPY t (a, b) FROM stdin WITH (FORMAT csv, HEADER true, DELIMITER ';');\n\
                    hdr_a;hdr_b\n\
                    \"x;\ny\";val1\n\
                    2;\"q\"\"q\";val2\n\
                    \\.\nSELECT 1;\n";
        check(
            dump.as_bytes(),
            &[
                ("hdr_b", None),
                ("val1", Some(("t", "b", 1))),
                ("q\"\"q", Some(("t", "b", 2))),
                // More fields than columns: the position stands in.
                ("val2", Some(("t", "3", 2))),
                ("SELECT", None),
            ],
        );
    }

    const PG_INSERTS: &str = "--
-- PostgreSQL database dump
--
SET standard_conforming_strings = on;
CREATE TABLE public.users (
    id integer NOT NULL,
    full_name text,
    phone text,
    note text,
    tags text[]
);
INSERT INTO public.users VALUES (1, 'Иванов Иван', '+7 900 000-00-01', 'two
lines	tab ''quoted'' \\ back 8 (495) 555-00-01', '{a,b}');
INSERT INTO public.users VALUES (2, 'x),(y', '+7 900 000-00-02', NULL, NULL);
INSERT INTO public.users OVERRIDING SYSTEM VALUE VALUES (3, E'it\\'s', '+7 900 000-00-03', 'C:\\', 'end3');
INSERT INTO public.calls (callee, caller) VALUES ('+7 900 000-00-04', '+7 900 000-00-05');
INSERT INTO public.users (phone, id) VALUES ('+7 900 000-00-06', 4);
";

    #[test]
    fn pg_inserts_and_column_inserts() {
        check(
            PG_INSERTS.as_bytes(),
            &[
                ("Иванов", Some(("public.users", "full_name", 1))),
                ("+7 900 000-00-01", Some(("public.users", "phone", 1))),
                ("8 (495) 555-00-01", Some(("public.users", "note", 1))),
                ("{a,b}", Some(("public.users", "tags", 1))),
                ("y'", Some(("public.users", "full_name", 2))),
                ("+7 900 000-00-02", Some(("public.users", "phone", 2))),
                ("s', '+7", Some(("public.users", "full_name", 3))),
                ("+7 900 000-00-03", Some(("public.users", "phone", 3))),
                ("end3", Some(("public.users", "tags", 3))),
                ("+7 900 000-00-04", Some(("public.calls", "callee", 1))),
                ("+7 900 000-00-05", Some(("public.calls", "caller", 1))),
                ("+7 900 000-00-06", Some(("public.users", "phone", 4))),
            ],
        );
    }

    #[test]
    fn pg_backslashes_escape_when_standard_conforming_strings_is_off() {
        let dump = "SET standard_conforming_strings = off;\n\
                    INSERT INTO t (a, b) VALUES ('it\\'s, \\\\', 'val1');\n";
        check(dump.as_bytes(), &[("val1", Some(("t", "b", 1)))]);
    }

    #[test]
    fn dollar_quoted_function_bodies_hold_no_rows() {
        let dump = "CREATE TABLE t (a text);\n\
                    CREATE FUNCTION f() RETURNS void AS $body$ INSERT INTO t VALUES ('in1'); $x$ $body$ LANGUAGE sql;\n\
                    CREATE FUNCTION g() RETURNS void AS $$ INSERT INTO t VALUES ('in2'); $$ LANGUAGE sql;\n\
                    INSERT INTO t VALUES ('out1');\n";
        check(
            dump.as_bytes(),
            &[("in1", None), ("in2", None), ("out1", Some(("t", "a", 1)))],
        );
    }

    fn mysql_dump() -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(
            b"/*M!999999\\- enable the sandbox mode */ \n\
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)\n\
/*!40101 SET NAMES utf8mb4 */;\n\
DROP TABLE IF EXISTS `users`;\n\
CREATE TABLE `users` (\n\
  `id` int(11) NOT NULL AUTO_INCREMENT,\n\
  `full_name` varchar(200) DEFAULT NULL COMMENT 'name, \\'quoted\\'',\n\
  `phone` varchar(50) DEFAULT NULL,\n\
  `photo` blob DEFAULT NULL,\n\
  `note` text,\n\
  PRIMARY KEY (`id`),\n\
  KEY `idx_phone` (`phone`),\n\
  UNIQUE KEY `u` (`full_name`,`phone`)\n\
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
LOCK TABLES `users` WRITE;\n\
/*!40000 ALTER TABLE `users` DISABLE KEYS */;\n\
INSERT INTO `users` VALUES (1,'O\\'Brien, \\\"Pat\\\"','+7 900 000-00-01','",
        );
        // A BLOB: raw bytes, not UTF-8, with escaped quote and backslash.
        d.extend_from_slice(b"\xde\xad\\'\xbe\xef\\\\\xff),(\\0");
        d.extend_from_slice(
            b"','back\\\\slash 8 (495) 555-00-01'),(2,'x),(y','+7 900 000-00-02',NULL,'tab\there'),\n\
(3,'Tom','+7 900 000-00-03',NULL,NULL);\n\
INSERT INTO `users` VALUES (4,'Ann','+7 900 000-00-04',NULL,NULL);\n\
/*!40000 ALTER TABLE `users` ENABLE KEYS */;\n\
UNLOCK TABLES;\n\
-- Dump completed on 2025-01-01 +7 900 000-99-99\n",
        );
        d
    }

    #[test]
    fn mysqldump_extended_inserts_with_blobs() {
        check(
            &mysql_dump(),
            &[
                ("enable the sandbox", None),
                ("Brien", Some(("users", "full_name", 1))),
                ("+7 900 000-00-01", Some(("users", "phone", 1))),
                ("8 (495) 555-00-01", Some(("users", "note", 1))),
                ("y'", Some(("users", "full_name", 2))),
                ("+7 900 000-00-02", Some(("users", "phone", 2))),
                ("here", Some(("users", "note", 2))),
                ("Tom", Some(("users", "full_name", 3))),
                ("+7 900 000-00-03", Some(("users", "phone", 3))),
                ("+7 900 000-00-04", Some(("users", "phone", 4))),
                ("+7 900 000-99-99", None),
            ],
        );
    }

    #[test]
    fn mysql_delimiter_blocks_hold_no_rows() {
        let dump = "CREATE TABLE `t` (`a` text);\n\
                    DELIMITER ;;\n\
                    CREATE PROCEDURE p() BEGIN INSERT INTO t VALUES ('in1'); END ;;\n\
                    DELIMITER ;\n\
                    INSERT INTO `t` VALUES ('out1');\n";
        check(
            dump.as_bytes(),
            &[("in1", None), ("out1", Some(("t", "a", 1)))],
        );
    }

    const SQLITE: &str = "PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE clients(id INTEGER PRIMARY KEY, fio TEXT, \"Phone Number\" TEXT, note TEXT, photo BLOB, score REAL);
INSERT INTO clients VALUES(1,'Иванов','+7 900 000-00-01',replace('line1\\nline2 8 (495) 555-00-01','\\n',char(10)),X'deadbeef',4.5);
INSERT INTO clients VALUES(2,'C:\\','+7 900 000-00-02',replace(replace('quote '' \"dq\"\\r\\ncrlf','\\r',char(13)),'\\n',char(10)),NULL,99);
CREATE TABLE [weird table](`a b`, [c]);
INSERT INTO \"weird table\" VALUES('+7 900 000-00-03','val3');
COMMIT;
";

    #[test]
    fn sqlite_dump_with_replace_wrappers() {
        check(
            SQLITE.as_bytes(),
            &[
                ("Иванов", Some(("clients", "fio", 1))),
                ("+7 900 000-00-01", Some(("clients", "Phone Number", 1))),
                ("line1", Some(("clients", "note", 1))),
                ("8 (495) 555-00-01", Some(("clients", "note", 1))),
                ("deadbeef", Some(("clients", "photo", 1))),
                ("4.5", Some(("clients", "score", 1))),
                ("C:", Some(("clients", "fio", 2))),
                ("+7 900 000-00-02", Some(("clients", "Phone Number", 2))),
                ("crlf", Some(("clients", "note", 2))),
                ("99", Some(("clients", "score", 2))),
                ("+7 900 000-00-03", Some(("weird table", "a b", 1))),
                ("val3", Some(("weird table", "c", 1))),
            ],
        );
    }

    #[test]
    fn unknown_columns_are_numbered() {
        let dump = "INSERT INTO t VALUES (1, 'val2'), (2, 'x');\n";
        let mut loc = SqlLocator::new(dump.as_bytes());
        let pos = offset_of(dump.as_bytes(), "val2");
        let f = loc.locate(dump.as_bytes(), 0, pos).unwrap();
        assert_eq!(f.field, None);
        assert_eq!(
            f.location,
            Location::Sql {
                table: "t".into(),
                column: "2".into(),
                row: 1
            }
        );
    }

    #[test]
    fn resyncs_after_malformed_statements() {
        let dump = "CREATE TABLE t (a text, b text);\n\
                    INSERT INTO t VALUES (1, 'val1'\n\
                    INSERT INTO t VALUES ('a', 'val2');\n\
                    INSERT INTO t VALUES ('a', 'val3') INSERT INTO t VALUES ('a', 'val4');\n\
                    garbage ( ( ( 'x' ;\n\
                    INSERT INTO t VALUES ('a', 'val5');\n\
                    COPY t (a, b) FROM stdin;\n\
                    a\tb\textra\tval6\n\
                    \\.\n\
                    INSERT INTO t VALUES ('a', 'val7');\n";
        check(
            dump.as_bytes(),
            &[
                // The unclosed tuple swallows the next line up to its `;`.
                ("val1", Some(("t", "b", 1))),
                ("val3", Some(("t", "b", 2))),
                ("val4", Some(("t", "b", 3))),
                ("val5", Some(("t", "b", 4))),
                ("val6", Some(("t", "4", 5))),
                ("val7", Some(("t", "b", 6))),
            ],
        );
    }

    #[test]
    fn byte_order_mark_does_not_hide_the_first_statement() {
        let dump = "\u{FEFF}INSERT INTO t (a) VALUES ('val1');\n";
        check(dump.as_bytes(), &[("val1", Some(("t", "a", 1)))]);
    }

    #[test]
    fn key_and_index_are_column_names_outside_mysql() {
        let dump = "CREATE TABLE public.kv (\n    key text,\n    index integer,\n    exclude text,\n    \
                    value text,\n    EXCLUDE USING gist (key WITH =)\n);\n\
                    COPY public.kv FROM stdin;\nk1\t1\tex1\tval1\n\\.\n";
        check(
            dump.as_bytes(),
            &[
                ("k1", Some(("public.kv", "key", 1))),
                ("ex1", Some(("public.kv", "exclude", 1))),
                ("val1", Some(("public.kv", "value", 1))),
            ],
        );
    }

    #[test]
    fn upsert_tails_are_not_rows() {
        let dump = "CREATE TABLE `t` (`a` int, `b` text, KEY `k` (`a`));\n\
                    INSERT INTO `t` VALUES (1,'val1') ON DUPLICATE KEY UPDATE b=VALUES(b), a=('in1');\n\
                    INSERT INTO t VALUES\n\t(2, 'val2'),\n\t(3, 'val3') ON CONFLICT DO NOTHING;\n\
                    INSERT INTO `t` VALUES (4,'val4');\n";
        check(
            dump.as_bytes(),
            &[
                ("val1", Some(("t", "b", 1))),
                ("in1", None),
                ("val2", Some(("t", "b", 2))),
                ("val3", Some(("t", "b", 3))),
                ("val4", Some(("t", "b", 4))),
            ],
        );
    }

    #[test]
    fn copy_with_crlf_line_ends() {
        let dump =
            "COPY t (a, b) FROM stdin;\r\n1\tval1\r\n\\.\r\nINSERT INTO t VALUES (2, 'val2');\r\n";
        check(
            dump.as_bytes(),
            // No CREATE TABLE: the COPY's column list is its own; a later
            // INSERT without one (table order, unknown) gets positions.
            &[("val1", Some(("t", "b", 1))), ("val2", Some(("t", "2", 2)))],
        );
    }

    #[test]
    fn double_quoted_values_mean_mysql_strings() {
        let dump = "INSERT INTO t VALUES (\"a\\\"b\", \"val1\"), (\"x\", 'it\\'s', 'val2');\n";
        check(
            dump.as_bytes(),
            &[("val1", Some(("t", "2", 1))), ("val2", Some(("t", "3", 2)))],
        );
    }

    #[test]
    fn table_names_match_across_case_and_schema() {
        let dump = "CREATE TABLE users (id int, phone text);\n\
                    CREATE TABLE a.items (id int, a_col text);\n\
                    CREATE TABLE b.items (id int, b_col text);\n\
                    INSERT INTO public.users VALUES (1, 'val1');\n\
                    INSERT INTO USERS VALUES (2, 'val2');\n\
                    INSERT INTO b.items VALUES (1, 'val3');\n\
                    INSERT INTO c.items VALUES (1, 'val4');\n";
        check(
            dump.as_bytes(),
            &[
                ("val1", Some(("public.users", "phone", 1))),
                ("val2", Some(("USERS", "phone", 2))),
                ("val3", Some(("b.items", "b_col", 1))),
                // Both sides qualified, other schema: not the same table.
                ("val4", Some(("c.items", "2", 1))),
            ],
        );
    }

    #[test]
    fn many_tables_stay_fast_and_capped() {
        let mut d = String::new();
        for i in 0..(MAX_TABLES + 100) {
            d.push_str(&format!("INSERT INTO t{i} VALUES (1);\n"));
        }
        let mut loc = SqlLocator::new(b"");
        loc.advance(d.as_bytes(), 0, d.len() as u64);
        assert_eq!(loc.table_index.len(), MAX_TABLES);
        assert!(loc.tables.len() <= MAX_TABLES);
    }

    #[test]
    fn mysql_unterminated_string_resyncs_at_the_next_dump_statement() {
        let dump = "-- MySQL dump 10.13\n\
                    CREATE TABLE `t` (`a` int, `b` text);\n\
                    INSERT INTO `t` VALUES (1,'broken),(9,'x');\n\
                    INSERT INTO `t` VALUES (2,'val2'),(3,'raw\nline\n\\'INSERT INTO `t`'),(4,'val4');\n\
                    UNLOCK TABLES;\n";
        check(
            dump.as_bytes(),
            &[
                ("broken", Some(("t", "b", 1))),
                ("val2", Some(("t", "b", 2))),
                ("line", Some(("t", "b", 3))),
                ("val4", Some(("t", "b", 4))),
                ("UNLOCK", None),
            ],
        );
    }

    /// Deterministic bytes for the no-panic sweeps.
    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let alphabet = b"'\"`[]()$,;\\.-/*!#\n\t aA0EeXCOPYINSERTVALUES\xff\xd0";
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % alphabet.len() as u64) as usize]
            })
            .collect()
    }

    #[test]
    fn truncated_and_garbage_input_never_panics() {
        let mut inputs: Vec<Vec<u8>> = vec![
            PG_COPY.as_bytes().to_vec(),
            PG_INSERTS.as_bytes().to_vec(),
            mysql_dump(),
            SQLITE.as_bytes().to_vec(),
        ];
        for seed in 0..48 {
            inputs.push(noise(seed, 700));
        }
        for data in &inputs {
            let cuts = (0..data.len().min(700)).chain((700..data.len()).step_by(37));
            for cut in cuts {
                let d = &data[..cut];
                let mut loc = SqlLocator::new(d);
                for pos in (0..cut as u64).step_by(11) {
                    let _ = loc.locate(d, 0, pos);
                }
                loc.advance(d, 0, cut as u64);
                // Offsets past the window and behind the position are fine.
                let _ = loc.locate(d, 0, cut as u64 + 10);
                let _ = loc.locate(d, 0, 0);
            }
        }
    }

    #[test]
    fn state_stays_bounded_on_long_statements() {
        // One huge extended INSERT with long identifiers and strings.
        let mut d = b"INSERT INTO `".to_vec();
        d.extend(std::iter::repeat_n(b'n', 10_000));
        d.extend_from_slice(b"` VALUES ");
        for i in 0..2000 {
            d.extend_from_slice(format!("({i},'{}'),", "x".repeat(100)).as_bytes());
        }
        d.extend_from_slice(b"(0,'last');");
        let mut loc = SqlLocator::new(&d);
        let pos = offset_of(&d, "last");
        let f = loc.locate(&d, 0, pos).unwrap();
        match f.location {
            Location::Sql { table, row, .. } => {
                assert_eq!(table.len(), MAX_TOKEN);
                assert_eq!(row, 2001);
            }
            other => panic!("{other:?}"),
        }
        assert!(loc.tok.capacity() <= 2 * MAX_TOKEN);
        assert_eq!(loc.tables.len(), 1);
    }

    #[test]
    fn sniffs_dump_headers() {
        assert!(looks_like_dump(b"--\n-- PostgreSQL database dump\n--\n"));
        assert!(looks_like_dump(b"\\restrict abc\n--\n"));
        assert!(looks_like_dump(
            b"/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19"
        ));
        assert!(looks_like_dump(b"-- MySQL dump 10.13  Distrib 8.0.36"));
        assert!(looks_like_dump(
            b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n"
        ));
        assert!(looks_like_dump(b"BEGIN TRANSACTION;\nCREATE TABLE t(a);\n"));
        assert!(!looks_like_dump(b"BEGIN TRANSACTION;\nsome log line\n"));
        assert!(!looks_like_dump(b"hello world"));
        assert_eq!(
            super::super::sniff("dump.txt", b"-- MySQL dump 10.13"),
            super::super::InputFormat::Sql
        );
        assert_eq!(
            super::super::sniff("x.sql", b""),
            super::super::InputFormat::Sql
        );
        assert!(super::super::locator_for(super::super::InputFormat::Sql, b"").is_some());
    }
}
