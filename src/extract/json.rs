//! JSON / NDJSON locator: the RFC 6901 pointer of the value a byte offset
//! falls in.
//!
//! Owns [`JsonLocator`], a byte-level tokenizer that streams the input and
//! tracks the container stack (object keys, array indices), so a candidate
//! at any offset inside a string or number gets `/customer/email` or
//! `/orders/0/phone`. It never builds a document tree, never recurses and
//! never looks back; it knows nothing about rules.
//!
//! Decisions worth knowing:
//! - **Keys.** An offset inside an object key answers the pointer of the
//!   object holding the key (the key's parent) and, as the field name, the
//!   key that leads to that object. Maps keyed by e-mail or phone
//!   (`{"phones": {"+79…": true}}`) are common, and the parent's key is the
//!   useful hint there.
//! - **Pointers** escape `~` as `~0` and `/` as `~1`; keys are unescaped
//!   first (`\"`, `\uXXXX` with surrogate pairs; a broken escape becomes
//!   U+FFFD). Keys longer than [`MAX_KEY_BYTES`] are cut there.
//! - **Depth.** Only [`MAX_DEPTH`] levels are tracked; deeper containers
//!   are counted, not stored, and a pointer inside them ends with
//!   [`TRUNCATED`] (`/~...`, which no real pointer contains: `~` may only
//!   be followed by `0` or `1`) and has no field name. Memory is bounded by
//!   `MAX_DEPTH × MAX_KEY_BYTES` however deep the input nests.
//! - **Malformed input** never panics. A mismatched closer pops whatever is
//!   open, a closer with nothing open is ignored, and a value that follows
//!   another without a comma keeps the current key or index. NDJSON
//!   resyncs at every newline: each line starts from an empty stack, so
//!   one broken record cannot shift the pointers of the next.
//! - **NDJSON** answers `record` = the 1-based line number (blank lines
//!   count), and the pointer within that line's value. A JSON file with
//!   several top-level values answers `""`-rooted pointers for each.
//! - Offsets on whitespace or punctuation are in no value: `None`.
//!
//! Speed: the locator is asked about every candidate, so it must keep up
//! with the engine. NDJSON jumps over whole lines: every newline resets
//! the state, so only the newlines before the last one in the bytes to
//! consume are counted (one `memchr` per line) and tokens are read from
//! there. Tokens are read with bulk skips: a value string only needs its
//! end (eight bytes at a time, [`string_end`]), a key's bytes are kept in
//! one copy, a scalar is skipped with a table, and only structural bytes
//! and escapes go through the state machine. On the 5.2 MB event logs of
//! the benchmark corpus (14,818 candidates) `locate` went from 141 M to
//! 32 M instructions. The byte-at-a-time feed it replaced is kept as the
//! tests' reference (`feed_reference`).

use super::{FieldInfo, Locator, byte_at, pending};
use crate::detect::swar;
use crate::finding::Location;
use std::borrow::Cow;

/// Container levels whose keys and indices are tracked.
pub const MAX_DEPTH: usize = 512;
/// Longest key kept for a pointer, in bytes of its unescaped UTF-8.
pub const MAX_KEY_BYTES: usize = 256;
/// Appended to a pointer into levels deeper than [`MAX_DEPTH`].
pub const TRUNCATED: &str = "/~...";

const REPLACEMENT: char = '\u{fffd}';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Object {
        /// This object's current key is `keys[key_start..key_end]`.
        key_start: usize,
        key_end: usize,
        has_key: bool,
        /// After `{` or `,`: the next string is a key.
        expect_key: bool,
    },
    Array {
        index: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Between tokens.
    Between,
    /// Inside a string; `key` when it is an object key being recorded.
    Str { key: bool },
    /// Inside a number or literal (`true`, `null`, or garbage).
    Scalar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Esc {
    None,
    /// After `\`.
    Backslash,
    /// Inside `\uXXXX` (keys only): hex digits read so far and their value.
    Unicode {
        digits: u8,
        value: u32,
    },
}

/// Streams JSON (`ndjson: false`) or NDJSON and answers RFC 6901 pointers.
#[derive(Debug, Clone)]
pub struct JsonLocator {
    ndjson: bool,
    /// Absolute offset of the next byte to consume.
    pos: u64,
    /// 1-based line: the NDJSON record number.
    line: u64,
    lex: Lex,
    esc: Esc,
    /// A `\uD800`–`\uDBFF` escape waiting for its low half (keys only).
    high: Option<u32>,
    frames: Vec<Frame>,
    /// Containers open beyond [`MAX_DEPTH`]: counted, not tracked.
    untracked: u64,
    /// The unescaped keys of the open objects, end to end.
    keys: Vec<u8>,
}

/// Bytes that end a number or literal, as a table: the scalar loop is hot.
const SCALAR_END: [bool; 256] = {
    let mut t = [false; 256];
    let ends = *b" \t\r\n,:[]{}\"";
    let mut i = 0;
    while i < ends.len() {
        t[ends[i] as usize] = true;
        i += 1;
    }
    t
};

fn ends_scalar(b: u8) -> bool {
    SCALAR_END[usize::from(b)]
}

/// Offset of the first `"` or `\` in `data` at or after `i`, or
/// `data.len()`: eight bytes at a time, then byte by byte near the end.
/// JSON strings are mostly short (keys of a few bytes, values of a few
/// dozen in the event logs), where `memchr2`'s set-up costs more than
/// this loop.
#[inline]
fn string_end(data: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = data.get(i..).and_then(<[u8]>::first_chunk) {
        let w = u64::from_le_bytes(*chunk);
        let hits = swar::eq(w, b'"') | swar::eq(w, b'\\');
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = data.get(i) {
        if b == b'"' || b == b'\\' {
            return i;
        }
        i += 1;
    }
    data.len()
}

impl JsonLocator {
    pub fn new(ndjson: bool) -> JsonLocator {
        JsonLocator {
            ndjson,
            pos: 0,
            line: 1,
            lex: Lex::Between,
            esc: Esc::None,
            high: None,
            frames: Vec::new(),
            untracked: 0,
            keys: Vec::new(),
        }
    }

    fn consume(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.pos {
            return;
        }
        let (bytes, end) = pending(buf, base, self.pos, to);
        self.pos = end;
        self.feed(bytes);
    }

    /// Consumes `data`. NDJSON first jumps to just after its last newline:
    /// every newline resets the state ([`JsonLocator::step`]), so the
    /// lines before it only count, and are not read token by token. Then
    /// the tokens left are read with bulk skips over strings and scalars.
    fn feed(&mut self, mut data: &[u8]) {
        if self.ndjson {
            // One pass finds the newlines to count and the last one (the
            // same instructions as `memrchr` then `memchr_iter(..).count()`;
            // a hand-vectorised count was 16 M worse: the compiler
            // vectorised the wrong loop).
            let mut lines = 0;
            let mut last = None;
            for nl in memchr::memchr_iter(b'\n', data) {
                lines += 1;
                last = Some(nl);
            }
            if let Some(nl) = last {
                // `new_record` counts the last one.
                self.line += lines - 1;
                self.new_record();
                data = &data[nl + 1..];
            }
        }
        self.feed_tokens(data);
    }

    /// The token loop; in NDJSON `data` holds no newline (see
    /// [`JsonLocator::feed`]), so only `"` and `\` stop a string.
    fn feed_tokens(&mut self, data: &[u8]) {
        let n = data.len();
        let mut i = 0;
        while i < n {
            match self.lex {
                Lex::Between => {
                    self.between(data[i]);
                    i += 1;
                }
                Lex::Scalar => {
                    while i < n && !ends_scalar(data[i]) {
                        i += 1;
                    }
                    if i < n {
                        // The byte that ends it is read between tokens.
                        self.lex = Lex::Between;
                    }
                }
                // A value string: only its end matters, and an escape is
                // two bytes to step over.
                Lex::Str { key: false } if self.esc == Esc::None => {
                    let j = string_end(data, i);
                    if j == n {
                        i = n;
                    } else if data[j] == b'"' {
                        self.lex = Lex::Between;
                        i = j + 1;
                    } else if j + 1 < n {
                        i = j + 2;
                    } else {
                        self.esc = Esc::Backslash;
                        i = n;
                    }
                }
                // A key: its bytes are kept, escapes decoded by `step`.
                Lex::Str { key: true } if self.esc == Esc::None => {
                    let j = string_end(data, i);
                    if j > i {
                        self.flush_high();
                        self.push_key_bytes(&data[i..j]);
                    }
                    i = j;
                    if i < n {
                        self.step(data[i]);
                        i += 1;
                    }
                }
                Lex::Str { .. } => {
                    self.step(data[i]);
                    i += 1;
                }
            }
        }
    }

    /// The feed this one replaced, kept as the differential tests'
    /// reference: every byte through [`JsonLocator::step`], string runs
    /// skipped 16 bytes one by one then with `memchr`, scalars with the
    /// table.
    #[cfg(test)]
    fn feed_reference(&mut self, data: &[u8]) {
        let mut i = 0;
        while i < data.len() {
            match self.lex {
                Lex::Str { key } if self.esc == Esc::None => {
                    let rest = &data[i..];
                    let run = self.string_run_reference(rest);
                    if key && run > 0 {
                        self.flush_high();
                        self.push_key_bytes(&rest[..run]);
                    }
                    i += run;
                }
                Lex::Scalar => {
                    while i < data.len() && !ends_scalar(data[i]) {
                        i += 1;
                    }
                }
                _ => {}
            }
            if let Some(&b) = data.get(i) {
                self.step(b);
                i += 1;
            }
        }
    }

    #[cfg(test)]
    fn string_run_reference(&self, rest: &[u8]) -> usize {
        const SHORT: usize = 16;
        let special = |b: u8| b == b'"' || b == b'\\' || (self.ndjson && b == b'\n');
        let head = rest.len().min(SHORT);
        if let Some(k) = rest[..head].iter().position(|&b| special(b)) {
            return k;
        }
        let tail = &rest[head..];
        let hit = if self.ndjson {
            memchr::memchr3(b'"', b'\\', b'\n', tail)
        } else {
            memchr::memchr2(b'"', b'\\', tail)
        };
        head + hit.unwrap_or(tail.len())
    }

    fn step(&mut self, b: u8) {
        if self.ndjson && b == b'\n' {
            // Every line is a record: resync whatever state the last left.
            self.new_record();
            return;
        }
        match self.lex {
            Lex::Str { key } => self.string_byte(b, key),
            Lex::Scalar => {
                if ends_scalar(b) {
                    self.lex = Lex::Between;
                    self.between(b);
                }
            }
            Lex::Between => self.between(b),
        }
    }

    fn new_record(&mut self) {
        self.line += 1;
        self.frames.clear();
        self.keys.clear();
        self.untracked = 0;
        self.lex = Lex::Between;
        self.esc = Esc::None;
        self.high = None;
    }

    /// Inlined into the token loop: −1.8 M instructions on the event logs
    /// (183,617 calls), where plain `#[inline]` was not taken.
    #[inline(always)]
    fn between(&mut self, b: u8) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'{' => self.open(true),
            b'[' => self.open(false),
            b'}' | b']' => self.close(),
            b',' if self.untracked == 0 => match self.frames.last_mut() {
                Some(Frame::Array { index }) => *index = index.saturating_add(1),
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                None => {}
            },
            b':' if self.untracked == 0 => {
                if let Some(Frame::Object { expect_key, .. }) = self.frames.last_mut() {
                    *expect_key = false;
                }
            }
            b',' | b':' => {}
            b'"' => {
                let mut key = false;
                if self.untracked == 0
                    && let Some(Frame::Object {
                        key_start,
                        has_key,
                        expect_key: true,
                        ..
                    }) = self.frames.last_mut()
                {
                    self.keys.truncate(*key_start);
                    *has_key = false;
                    key = true;
                }
                self.lex = Lex::Str { key };
                self.esc = Esc::None;
                self.high = None;
            }
            _ => self.lex = Lex::Scalar,
        }
    }

    fn open(&mut self, object: bool) {
        if self.untracked > 0 || self.frames.len() >= MAX_DEPTH {
            self.untracked = self.untracked.saturating_add(1);
            return;
        }
        self.frames.push(if object {
            Frame::Object {
                key_start: self.keys.len(),
                key_end: self.keys.len(),
                has_key: false,
                expect_key: true,
            }
        } else {
            Frame::Array { index: 0 }
        });
    }

    fn close(&mut self) {
        if self.untracked > 0 {
            self.untracked -= 1;
            return;
        }
        // A mismatched closer still closes the innermost container: the
        // cheapest resync, and right for the common truncation errors.
        if let Some(Frame::Object { key_start, .. }) = self.frames.pop() {
            self.keys.truncate(key_start);
        }
    }

    fn string_byte(&mut self, b: u8, key: bool) {
        match self.esc {
            Esc::None => self.plain_string_byte(b, key),
            Esc::Backslash => {
                self.esc = Esc::None;
                if key {
                    let decoded = match b {
                        b'u' => {
                            self.esc = Esc::Unicode {
                                digits: 0,
                                value: 0,
                            };
                            return;
                        }
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        // `\"`, `\\`, `\/`, and invalid escapes as the byte.
                        other => other,
                    };
                    self.flush_high();
                    self.push_key_byte(decoded);
                }
            }
            Esc::Unicode { digits, value } => match char::from(b).to_digit(16) {
                Some(d) => {
                    let value = value * 16 + d;
                    if digits == 3 {
                        self.esc = Esc::None;
                        self.unicode_escape(value);
                    } else {
                        self.esc = Esc::Unicode {
                            digits: digits + 1,
                            value,
                        };
                    }
                }
                None => {
                    // A broken `\u` escape: mark it and read the byte as
                    // ordinary string content.
                    self.esc = Esc::None;
                    self.flush_high();
                    self.push_key_char(REPLACEMENT);
                    self.plain_string_byte(b, key);
                }
            },
        }
    }

    fn plain_string_byte(&mut self, b: u8, key: bool) {
        match b {
            b'"' => {
                self.lex = Lex::Between;
                if key {
                    self.flush_high();
                    let end = self.keys.len();
                    if let Some(Frame::Object {
                        key_end,
                        has_key,
                        expect_key,
                        ..
                    }) = self.frames.last_mut()
                    {
                        *key_end = end;
                        *has_key = true;
                        *expect_key = false;
                    }
                }
            }
            b'\\' => self.esc = Esc::Backslash,
            _ if key => {
                self.flush_high();
                self.push_key_byte(b);
            }
            _ => {}
        }
    }

    fn unicode_escape(&mut self, value: u32) {
        if let Some(high) = self.high.take() {
            if (0xDC00..0xE000).contains(&value) {
                let c = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00);
                self.push_key_char(char::from_u32(c).unwrap_or(REPLACEMENT));
                return;
            }
            self.push_key_char(REPLACEMENT);
        }
        if (0xD800..0xDC00).contains(&value) {
            self.high = Some(value);
        } else {
            // A lone low surrogate has no char: U+FFFD.
            self.push_key_char(char::from_u32(value).unwrap_or(REPLACEMENT));
        }
    }

    /// A high surrogate not followed by a low one.
    fn flush_high(&mut self) {
        if self.high.take().is_some() {
            self.push_key_char(REPLACEMENT);
        }
    }

    fn key_room(&self) -> usize {
        match self.frames.last() {
            Some(Frame::Object { key_start, .. }) => {
                MAX_KEY_BYTES.saturating_sub(self.keys.len().saturating_sub(*key_start))
            }
            _ => 0,
        }
    }

    fn push_key_byte(&mut self, b: u8) {
        if self.key_room() > 0 {
            self.keys.push(b);
        }
    }

    /// Raw key bytes, cut at the cap; a character split by the cut is
    /// dropped when the pointer is built (`from_utf8_lossy` would show
    /// U+FFFD), so cut on a boundary here.
    fn push_key_bytes(&mut self, run: &[u8]) {
        let room = self.key_room();
        if run.len() <= room {
            self.keys.extend_from_slice(run);
            return;
        }
        let mut cut = room;
        // Back up to the start of a UTF-8 character.
        while cut > 0 && run.get(cut).is_some_and(|&b| b & 0xC0 == 0x80) {
            cut -= 1;
        }
        self.keys.extend_from_slice(&run[..cut]);
    }

    fn push_key_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        let s = c.encode_utf8(&mut tmp);
        // Whole characters only, so a cut key stays valid UTF-8.
        if self.key_room() >= s.len() {
            self.keys.extend_from_slice(s.as_bytes());
        }
    }

    /// The pointer through the open containers; with `top_key` false the
    /// innermost object's key is left out (an offset inside that key).
    /// Also the last key on the path, for the field name: decoded once,
    /// for the last key only, and the pointer sized up front (this runs
    /// once per candidate).
    fn pointer(&self, top_key: bool) -> (String, Option<String>) {
        let mut pointer =
            String::with_capacity(self.keys.len() + 8 * self.frames.len() + TRUNCATED.len());
        let mut last_key = None;
        let mut num = itoa::Buffer::new();
        let n = self.frames.len();
        for (i, frame) in self.frames.iter().enumerate() {
            match *frame {
                Frame::Array { index } => {
                    pointer.push('/');
                    pointer.push_str(num.format(index));
                }
                Frame::Object {
                    key_start,
                    key_end,
                    has_key,
                    ..
                } => {
                    if !has_key || (i + 1 == n && !top_key) {
                        continue;
                    }
                    let raw = self.keys.get(key_start..key_end).unwrap_or_default();
                    let key = String::from_utf8_lossy(raw);
                    pointer.push('/');
                    if key.contains(['~', '/']) {
                        for c in key.chars() {
                            match c {
                                '~' => pointer.push_str("~0"),
                                '/' => pointer.push_str("~1"),
                                c => pointer.push(c),
                            }
                        }
                    } else {
                        pointer.push_str(&key);
                    }
                    last_key = Some(key);
                }
            }
        }
        if self.untracked > 0 {
            // The last key seen is not this value's key any more.
            pointer.push_str(TRUNCATED);
            last_key = None;
        }
        (pointer, last_key.map(Cow::into_owned))
    }

    fn expects_key(&self) -> bool {
        self.untracked == 0
            && matches!(
                self.frames.last(),
                Some(Frame::Object {
                    expect_key: true,
                    ..
                })
            )
    }
}

impl JsonLocator {
    /// Where `pos` is, once the locator has consumed the bytes before it.
    fn answer(&self, buf: &[u8], base: u64, pos: u64) -> Option<FieldInfo> {
        let next = if self.pos == pos {
            byte_at(buf, base, pos)
        } else {
            None
        };
        let top_key = match self.lex {
            Lex::Str { key } => !key,
            Lex::Scalar => true,
            // The next byte starts a token: a key, or a value.
            Lex::Between => match next {
                Some(b'"') => !self.expects_key(),
                Some(b) if !ends_scalar(b) => true,
                _ => return None,
            },
        };
        let (pointer, field) = self.pointer(top_key);
        Some(FieldInfo {
            location: Location::Json {
                pointer,
                record: self.ndjson.then_some(self.line),
            },
            field,
        })
    }

    /// [`Locator::advance`] through the reference feed.
    #[cfg(test)]
    fn advance_reference(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.pos {
            return;
        }
        let (bytes, end) = pending(buf, base, self.pos, to);
        self.pos = end;
        self.feed_reference(bytes);
    }

    /// [`Locator::locate`] through the reference feed.
    #[cfg(test)]
    fn locate_reference(&mut self, buf: &[u8], base: u64, pos: u64) -> Option<FieldInfo> {
        self.advance_reference(buf, base, pos);
        self.answer(buf, base, pos)
    }
}

impl Locator for JsonLocator {
    fn advance(&mut self, buf: &[u8], base: u64, to: u64) {
        self.consume(buf, base, to);
    }

    /// NDJSON only: each line is one record and the locator resyncs at
    /// every newline, so a line start is an exact boundary. A JSON
    /// document's strings and containers may span lines: never split.
    fn split_here(&self) -> Option<Box<dyn Locator>> {
        self.ndjson
            .then(|| Box::new(self.clone()) as Box<dyn Locator>)
    }

    /// NDJSON only: at a line start the state is empty whatever came
    /// before, and the line number is the record number.
    fn jump_to_line(&mut self, pos: u64, line: u64) -> bool {
        if !self.ndjson || line == 0 {
            return false;
        }
        self.pos = pos;
        self.line = line - 1;
        self.new_record();
        true
    }

    fn locate(&mut self, buf: &[u8], base: u64, pos: u64) -> Option<FieldInfo> {
        self.consume(buf, base, pos);
        self.answer(buf, base, pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::rng::Rng;

    fn pointer_of(info: &Option<FieldInfo>) -> Option<(String, Option<u64>, Option<String>)> {
        info.as_ref().map(|i| match &i.location {
            Location::Json { pointer, record } => (pointer.clone(), *record, i.field.clone()),
            other => panic!("not a JSON location: {other:?}"),
        })
    }

    const DOC: &str = r#"{
  "customer": {"name": "Иван", "email": "ivan@example.com",
               "a/b": {"m~n": "+79000000001"}},
  "orders": [{"id": 1, "phone": "+7 900 000-00-02"}, {"phone": 89000000003},
             [true, -12.5e3, null, "deep@example.com"]],
  "esc\"aped\\key\u0041": "x@example.com",
  "\ud83d\ude00": "emoji@example.com",
  "phones": {"+79000000004": true},
  "empty": {}, "list": [], "after": "z@example.com"
}"#;

    /// (value as written, pointer, field); in document order.
    const EXPECTED: &[(&str, &str, Option<&str>)] = &[
        ("Иван", "/customer/name", Some("name")),
        ("ivan@example.com", "/customer/email", Some("email")),
        ("+79000000001", "/customer/a~1b/m~0n", Some("m~n")),
        ("1", "/orders/0/id", Some("id")),
        ("+7 900 000-00-02", "/orders/0/phone", Some("phone")),
        ("89000000003", "/orders/1/phone", Some("phone")),
        ("true", "/orders/2/0", Some("orders")),
        ("-12.5e3", "/orders/2/1", Some("orders")),
        ("null", "/orders/2/2", Some("orders")),
        ("deep@example.com", "/orders/2/3", Some("orders")),
        ("x@example.com", "/esc\"aped\\keyA", Some("esc\"aped\\keyA")),
        ("emoji@example.com", "/\u{1f600}", Some("\u{1f600}")),
        // Inside a key: the parent's pointer and the parent's key.
        ("+79000000004", "/phones", Some("phones")),
        ("z@example.com", "/after", Some("after")),
    ];

    /// Every byte of every value maps to its pointer.
    #[test]
    fn nested_objects_arrays_and_escaped_keys() {
        let mut loc = JsonLocator::new(false);
        let mut from = 0;
        for &(value, pointer, field) in EXPECTED {
            let start = from + DOC[from..].find(value).unwrap();
            for pos in start..start + value.len() {
                let got = pointer_of(&loc.locate(DOC.as_bytes(), 0, pos as u64));
                assert_eq!(
                    got,
                    Some((pointer.to_string(), None, field.map(str::to_string))),
                    "{value} at {pos}"
                );
            }
            from = start + value.len();
        }
        // Whitespace and punctuation are in no value.
        let end = DOC.len() as u64 - 1;
        assert_eq!(pointer_of(&loc.locate(DOC.as_bytes(), 0, end)), None);
    }

    /// Windows of every size give the answers of the whole buffer.
    #[test]
    fn windows_fed_in_pieces() {
        let text = DOC.as_bytes();
        let mut whole = JsonLocator::new(false);
        let want: Vec<_> = (0..text.len())
            .map(|p| whole.locate(text, 0, p as u64))
            .collect();
        for size in [1, 2, 3, 5, 7, 16, 61, 200] {
            let mut loc = JsonLocator::new(false);
            let mut base = 0;
            while base < text.len() {
                let end = (base + size).min(text.len());
                for p in (base..end).filter(|p| p % 2 == 1) {
                    assert_eq!(
                        loc.locate(&text[base..end], base as u64, p as u64),
                        want[p],
                        "size {size} pos {p}"
                    );
                }
                loc.advance(&text[base..end], base as u64, end as u64);
                base = end;
            }
        }
    }

    #[test]
    fn ndjson_records_are_lines_and_resync() {
        let text = concat!(
            "{\"user\": {\"email\": \"a@example.com\"}}\n",
            "\n",
            "{\"broken\": \"unterminated, [[[\n",
            "{\"phone\": \"+79000000001\", \"tags\": [\"x\", \"b@example.com\"]}\r\n",
            "[{\"email\": \"c@example.com\"}]\n",
        );
        let mut loc = JsonLocator::new(true);
        let mut at = |needle: &str| {
            let pos = text.find(needle).unwrap() as u64;
            pointer_of(&loc.locate(text.as_bytes(), 0, pos))
        };
        assert_eq!(
            at("a@example"),
            Some(("/user/email".into(), Some(1), Some("email".into())))
        );
        assert_eq!(
            at("+7900"),
            Some(("/phone".into(), Some(4), Some("phone".into())))
        );
        assert_eq!(
            at("b@example"),
            Some(("/tags/1".into(), Some(4), Some("tags".into())))
        );
        assert_eq!(
            at("c@example"),
            Some(("/0/email".into(), Some(5), Some("email".into())))
        );
    }

    #[test]
    fn deep_nesting_is_bounded_and_truncated() {
        let depth = 100_000;
        let mut text = "[".repeat(depth);
        text.push_str("{\"k\": \"deep@example.com\"}");
        text.push_str(&"]".repeat(depth));
        text.push_str(" \"top@example.com\"");
        let mut loc = JsonLocator::new(false);
        let pos = text.find("deep@").unwrap() as u64;
        let (pointer, _, field) = pointer_of(&loc.locate(text.as_bytes(), 0, pos)).unwrap();
        assert_eq!(pointer, format!("{}{TRUNCATED}", "/0".repeat(MAX_DEPTH)));
        assert_eq!(field, None);
        assert_eq!(loc.frames.len(), MAX_DEPTH);
        assert!(loc.keys.capacity() <= MAX_DEPTH * MAX_KEY_BYTES);
        // Closing all levels brings the pointer back to the root.
        let pos = text.find("top@").unwrap() as u64;
        let (pointer, _, _) = pointer_of(&loc.locate(text.as_bytes(), 0, pos)).unwrap();
        assert_eq!(pointer, "");
        assert!(loc.frames.is_empty());
    }

    #[test]
    fn long_keys_are_cut_on_a_character_boundary() {
        let key = "xключ".repeat(100);
        let text = format!("{{\"{key}\": \"v@example.com\"}}");
        let mut loc = JsonLocator::new(false);
        let pos = text.find("v@").unwrap() as u64;
        let (pointer, _, field) = pointer_of(&loc.locate(text.as_bytes(), 0, pos)).unwrap();
        let field = field.unwrap();
        assert!(field.len() <= MAX_KEY_BYTES && field.len() >= MAX_KEY_BYTES - 3);
        assert!(key.starts_with(&field));
        assert_eq!(pointer, format!("/{field}"));
    }

    #[test]
    fn malformed_json_resyncs_or_answers_none() {
        // A mismatched closer pops the array; `b` is found at the root.
        let text = r#"{"a": [1, 2}, "b": "x@example.com"}"#;
        let mut loc = JsonLocator::new(false);
        let pos = text.find("x@").unwrap() as u64;
        assert_eq!(
            pointer_of(&loc.locate(text.as_bytes(), 0, pos)).map(|p| p.0),
            Some("/b".into())
        );
        // Garbage of every kind, asked at every offset: no panic.
        let samples: [&[u8]; 9] = [
            b"}}]]]{{\"a\":",
            b"{\"k\\u12",
            b"{\"\\ud800\\u0041\": 1, \"\\udc00\": 2, \"\\uzzzz\": 3}",
            b"[,,,:::\"\\",
            b"{\"a\" \"b\" \"c\": [1 2 3]}",
            b"\xff\xfe{\"\xc3\": \"\xff\"}",
            b"\"",
            b"",
            b"{{{{{{{{\n}}}}}}}}}}}}}",
        ];
        for ndjson in [false, true] {
            for s in samples {
                let mut loc = JsonLocator::new(ndjson);
                for p in 0..=s.len() {
                    let _ = loc.locate(s, 0, p as u64);
                }
            }
            // Pseudo-random bytes from a small JSON alphabet.
            let mut x: u32 = 12345;
            let alphabet = b"{}[]\":,\\u0aZ \n";
            let bytes: Vec<u8> = (0..20_000)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    alphabet[(x >> 16) as usize % alphabet.len()]
                })
                .collect();
            let mut loc = JsonLocator::new(ndjson);
            for p in (0..bytes.len()).step_by(7) {
                let _ = loc.locate(&bytes, 0, p as u64);
            }
            assert!(loc.frames.len() <= MAX_DEPTH);
        }
        // Broken escapes in keys decode to U+FFFD.
        let text = br#"{"\ud800\u0041": "v@example.com"}"#;
        let mut loc = JsonLocator::new(false);
        let pos = text.windows(2).position(|w| w == b"v@").unwrap() as u64;
        assert_eq!(
            pointer_of(&loc.locate(text, 0, pos)).map(|p| p.0),
            Some("/\u{fffd}A".into())
        );
    }
    /// Generated JSON-ish text: objects and arrays nested up to `depth`,
    /// keys and values with every kind of escape (broken ones too), long
    /// keys with Cyrillic cut by the cap, numbers and literals, newlines
    /// between tokens and inside strings, and malformed bits (stray
    /// closers, missing commas, unterminated strings, lone backslashes).
    fn generated_json(rng: &mut Rng, records: usize) -> Vec<u8> {
        const STRINGS: &[&str] = &[
            "",
            "a",
            "email",
            "ivan@example.com",
            "+7 900 000-00-01",
            "ключ",
            "a/b~c",
            "esc\\\"aped",
            "back\\\\slash",
            "\\u0041\\u0418",
            "\\ud83d\\ude00",
            "\\ud800x",
            "\\udc00",
            "\\u12zz",
            "\\n\\t\\/",
            "line\nbreak",
            "0123456789abcdef0123456789",
            "trailing\\",
        ];
        const SCALARS: &[&str] = &["1", "-12.5e3", "true", "null", "false", "0", "x", "1e"];
        const GLUE: &[&str] = &[" ", "\n", "\r\n", "\t", "", ",", ":", "}", "]", "\"", "\\"];
        fn string(rng: &mut Rng, out: &mut Vec<u8>) {
            out.push(b'"');
            if rng.percent(5) {
                // Longer than MAX_KEY_BYTES, characters across the cut.
                for _ in 0..rng.range(40, 120) {
                    out.extend_from_slice("xключ".as_bytes());
                }
            } else {
                for _ in 0..rng.range(1, 3) {
                    out.extend_from_slice(STRINGS[rng.index(STRINGS.len())].as_bytes());
                }
            }
            if !rng.percent(3) {
                out.push(b'"');
            }
        }
        fn value(rng: &mut Rng, out: &mut Vec<u8>, depth: u32) {
            let pick = rng.below(if depth == 0 { 2 } else { 4 });
            match pick {
                0 => string(rng, out),
                1 => out.extend_from_slice(SCALARS[rng.index(SCALARS.len())].as_bytes()),
                2 => {
                    out.push(b'{');
                    for k in 0..rng.below(4) {
                        if k > 0 && !rng.percent(5) {
                            out.push(b',');
                        }
                        glue(rng, out);
                        string(rng, out);
                        if !rng.percent(5) {
                            out.push(b':');
                        }
                        glue(rng, out);
                        value(rng, out, depth - 1);
                    }
                    if !rng.percent(5) {
                        out.push(if rng.percent(3) { b']' } else { b'}' });
                    }
                }
                _ => {
                    out.push(b'[');
                    for k in 0..rng.below(4) {
                        if k > 0 && !rng.percent(5) {
                            out.push(b',');
                        }
                        glue(rng, out);
                        value(rng, out, depth - 1);
                    }
                    if !rng.percent(5) {
                        out.push(b']');
                    }
                }
            }
        }
        fn glue(rng: &mut Rng, out: &mut Vec<u8>) {
            if rng.percent(20) {
                out.extend_from_slice(GLUE[rng.index(GLUE.len())].as_bytes());
            }
        }
        let mut out = Vec::new();
        for _ in 0..records {
            let depth = rng.range(1, 5) as u32;
            value(rng, &mut out, depth);
            glue(rng, &mut out);
            out.push(b'\n');
            if rng.percent(5) {
                out.push(b'\n');
            }
        }
        out
    }

    /// Feeds `text` in windows (sizes from `rng`, or whole when `whole`) to
    /// a fast and a reference locator, asking both about offsets `step`
    /// apart (or random ones), and compares every answer. Returns the
    /// number of answers and of answers inside a key or a string.
    fn compare_with_reference(
        text: &[u8],
        ndjson: bool,
        rng: &mut Rng,
        whole: bool,
        every: bool,
    ) -> (usize, usize) {
        let mut fast = JsonLocator::new(ndjson);
        let mut slow = JsonLocator::new(ndjson);
        let (mut answers, mut in_str) = (0, 0);
        let mut base = 0;
        while base < text.len() {
            let end = if whole {
                text.len()
            } else {
                (base + rng.range(1, 400) as usize).min(text.len())
            };
            let window = &text[base..end];
            let mut p = base;
            while p < end {
                let got = fast.locate(window, base as u64, p as u64);
                let want = slow.locate_reference(window, base as u64, p as u64);
                assert_eq!(
                    got,
                    want,
                    "ndjson {ndjson} pos {p} near {:?}",
                    String::from_utf8_lossy(&text[p.saturating_sub(40)..(p + 10).min(text.len())])
                );
                answers += usize::from(got.is_some());
                in_str += usize::from(matches!(fast.lex, Lex::Str { .. }));
                p += if every { 1 } else { rng.range(1, 300) as usize };
            }
            fast.advance(window, base as u64, end as u64);
            slow.advance_reference(window, base as u64, end as u64);
            base = end;
        }
        assert_eq!(fast.line, slow.line);
        (answers, in_str)
    }

    /// The fast feed (NDJSON jump to the last newline, bulk string and
    /// scalar skips) answers exactly as the byte-at-a-time feed it
    /// replaced, at every offset and at sparse ones, whole or in windows.
    #[test]
    fn fast_feed_agrees_with_the_reference() {
        let mut rng = Rng::new(20_261_126);
        let (mut answers, mut in_str, mut records) = (0, 0, 0);
        for round in 0..300 {
            let text = generated_json(&mut rng, 1 + round % 20);
            for ndjson in [false, true] {
                for (whole, every) in [(true, true), (false, true), (false, false), (true, false)] {
                    let (a, s) = compare_with_reference(&text, ndjson, &mut rng, whole, every);
                    answers += a;
                    in_str += s;
                }
            }
            records += text.iter().filter(|&&b| b == b'\n').count();
        }
        // Both sides did real work: many answers, many inside strings.
        assert!(answers > 200_000, "{answers}");
        assert!(in_str > 100_000, "{in_str}");
        assert!(records > 3_000, "{records}");
    }

    /// Deep nesting past MAX_DEPTH, fed in windows: the same answers.
    #[test]
    fn fast_feed_agrees_beyond_max_depth() {
        let mut rng = Rng::new(7);
        let mut text = Vec::new();
        for _ in 0..3 {
            text.extend_from_slice("[{\"k\\\"\": ".repeat(MAX_DEPTH / 2 + 40).as_bytes());
            text.extend_from_slice(b"\"deep@example.com\", 12");
            text.extend_from_slice("}]".repeat(MAX_DEPTH / 2 + 40).as_bytes());
            text.extend_from_slice(b"\n{\"top\": \"v\"}\n");
        }
        for ndjson in [false, true] {
            compare_with_reference(&text, ndjson, &mut rng, false, true);
            compare_with_reference(&text, ndjson, &mut rng, true, false);
        }
    }

    /// NDJSON: a jump to a line start answers as reading up to it did.
    #[test]
    fn jump_to_line_equals_reading() {
        let mut rng = Rng::new(99);
        let text = generated_json(&mut rng, 50);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(
                text.iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .filter(|&s| s < text.len())
            .collect();
        let mut read = JsonLocator::new(true);
        for (k, &start) in starts.iter().enumerate() {
            let mut jumped = JsonLocator::new(true);
            assert!(jumped.jump_to_line(start as u64, k as u64 + 1));
            read.advance(&text, 0, start as u64);
            for p in start..text.len().min(start + 300) {
                let mut r = read.clone();
                assert_eq!(
                    jumped.locate(&text, 0, p as u64),
                    r.locate(&text, 0, p as u64),
                    "line {} pos {p}",
                    k + 1
                );
            }
        }
        assert!(!JsonLocator::new(false).jump_to_line(0, 1));
    }
}
