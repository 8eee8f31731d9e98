//! E-mail: one RFC 5322 message (`.eml`) or an mbox of many, walked as a
//! stream of lines, never loaded whole.
//!
//! Owns header parsing (unfolding, RFC 2047 encoded-words, RFC 2231
//! parameters), the MIME multipart walk (nested boundaries, preamble and
//! epilogue skipped), part bodies decoded on the fly (base64,
//! quoted-printable; the `charset` of text parts turned into UTF-8 with
//! `encoding_rs`), and naming the leaves: `mail.eml!/headers` (the
//! decoded header block: senders and recipients are personal data too),
//! `mail.eml!/part1.txt`, `mail.eml!/part2.html`, an attachment by its file
//! name (`mail.eml!/passport.pdf`), and in an mbox each message by its
//! number (`box.mbox!/3/part1.txt`). A `message/rfc822` part is walked as a
//! nested message (`mail.eml!/part3.eml!/headers`); an attachment that is
//! an archive is expanded like any other container.
//!
//! Why not `mail-parser`/`mailparse`: both parse a message held whole in
//! memory, and a mailbox with attachments can be gigabytes; this walk
//! holds one line (at most [`MAX_LINE`] bytes) plus one header block.
//!
//! Spans in these leaves index the *decoded* part (after base64/QP and
//! charset decoding), not the message file.

use super::{MAX_MIME_NESTING, Walker, one_line};
use base64::Engine as _;
use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Cursor, Read};

/// Longest line piece handled at once; longer lines are read in pieces
/// (only a piece at a line start can be a boundary).
pub const MAX_LINE: usize = 64 * 1024;
/// Header block bytes kept per message or part; more is read past and
/// reported.
const MAX_HEADER_BYTES: usize = 1 << 20;
/// Distinct attachment names remembered per message (to make duplicates
/// unique); past this every attachment name gets its part number.
const MAX_NAMES: usize = 10_000;

/// A base64 decoder that forgives what mail software produces: missing
/// padding, non-zero trailing bits.
const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The first bytes look like an RFC 5322 header block: only header lines
/// up to the first blank line (or the end of what we see), with a
/// `Content-Type` and an origin header, or a `From` with a message id or
/// trace header.
pub(super) fn looks_like_message(prefix: &[u8]) -> bool {
    let mut names: Vec<String> = Vec::new();
    let complete_lines = match memchr::memrchr(b'\n', prefix) {
        Some(i) => &prefix[..=i],
        None => return false,
    };
    for line in complete_lines.split(|&b| b == b'\n') {
        let line = trim_cr(line);
        if line.is_empty() {
            break;
        }
        if matches!(line[0], b' ' | b'\t') {
            if names.is_empty() {
                return false;
            }
            continue;
        }
        match header_name(line) {
            Some(n) => names.push(n.to_ascii_lowercase()),
            None => return false,
        }
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    let origin = [
        "from",
        "received",
        "mime-version",
        "return-path",
        "delivered-to",
    ]
    .iter()
    .any(|n| has(n));
    (has("content-type") && origin) || (has("from") && (has("message-id") || has("received")))
}

/// `From sender date` followed by a header line: the start of an mbox.
pub(super) fn looks_like_mbox(prefix: &[u8]) -> bool {
    let Some(nl) = memchr::memchr(b'\n', prefix) else {
        return false;
    };
    let next = &prefix[nl + 1..];
    let next_line = trim_cr(next.split(|&b| b == b'\n').next().unwrap_or(b""));
    header_name(next_line).is_some()
}

/// The field name of a header line (`Name: value`), if it is one.
fn header_name(line: &[u8]) -> Option<&str> {
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    if name.is_empty() || !name.iter().all(|&b| (33..=126).contains(&b)) {
        return None;
    }
    std::str::from_utf8(name).ok()
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    trim_cr(l)
}

/// What ended a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    /// `--boundary` (or `--boundary--` when `close`) of nesting `level`.
    Boundary { level: usize, close: bool },
    /// An mbox `From ` line after a blank line: the next message.
    From,
}

/// The message as lines, with one line of look-ahead and the stack of
/// open multipart boundaries.
struct Lines<'r> {
    inner: BufReader<Box<dyn Read + 'r>>,
    line: Vec<u8>,
    held: bool,
    at_line_start: bool,
    line_is_start: bool,
    prev_blank: bool,
    boundaries: Vec<Vec<u8>>,
    mbox: bool,
}

impl<'r> Lines<'r> {
    fn new(raw: Box<dyn Read + 'r>, mbox: bool) -> Self {
        Lines {
            inner: BufReader::with_capacity(64 * 1024, raw),
            line: Vec::new(),
            held: false,
            at_line_start: true,
            line_is_start: true,
            prev_blank: true,
            boundaries: Vec::new(),
            mbox,
        }
    }

    /// Moves to the next line (or the held one). False at end of input.
    fn next(&mut self) -> io::Result<bool> {
        if self.held {
            self.held = false;
            return Ok(true);
        }
        self.prev_blank = self.line_is_start && trim_eol(&self.line).is_empty();
        self.line.clear();
        self.line_is_start = self.at_line_start;
        loop {
            match (&mut self.inner)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut self.line)
            {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        if self.line.is_empty() {
            return Ok(false);
        }
        self.at_line_start = self.line.ends_with(b"\n");
        Ok(true)
    }

    /// Leaves the current line to be returned by the next `next`.
    fn unread(&mut self) {
        self.held = true;
    }

    fn delimiter(&self) -> Option<Delim> {
        if !self.line_is_start {
            return None;
        }
        if self.mbox && self.prev_blank && self.line.starts_with(b"From ") {
            return Some(Delim::From);
        }
        let rest = self.line.strip_prefix(b"--")?;
        for (level, b) in self.boundaries.iter().enumerate().rev() {
            if let Some(after) = rest.strip_prefix(b.as_slice()) {
                let (close, tail) = match after.strip_prefix(b"--") {
                    Some(t) => (true, t),
                    None => (false, after),
                };
                if tail.iter().all(|c| c.is_ascii_whitespace()) {
                    return Some(Delim::Boundary { level, close });
                }
            }
        }
        None
    }
}

/// One header block.
#[derive(Default)]
struct Headers {
    /// (name as written, unfolded raw value).
    fields: Vec<(String, Vec<u8>)>,
    size: usize,
    truncated: bool,
}

impl Headers {
    fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// `type/subtype` in lower case (text/plain when absent) and its
    /// parameters.
    fn content_type(&self) -> (String, Params) {
        match self.get("content-type") {
            Some(v) => {
                let (t, p) = parse_params(v);
                if t.contains('/') {
                    (t, p)
                } else {
                    ("text/plain".into(), p)
                }
            }
            None => ("text/plain".into(), Params::default()),
        }
    }

    /// The decoded block, one `Name: value` line per field.
    fn text(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size);
        for (n, v) in &self.fields {
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&decode_words(v));
            out.push(b'\n');
        }
        out
    }
}

/// Reads a header block: up to the blank line (consumed), or up to the
/// first line that is not a header or is a delimiter (left for the body).
fn read_headers(lines: &mut Lines<'_>) -> io::Result<Headers> {
    let mut h = Headers::default();
    while lines.next()? {
        if lines.delimiter().is_some() {
            lines.unread();
            break;
        }
        let continuation = !lines.line_is_start || matches!(lines.line[0], b' ' | b'\t');
        let line = trim_eol(&lines.line);
        if lines.line_is_start && line.is_empty() {
            break;
        }
        if continuation && !h.fields.is_empty() {
            if h.size + line.len() <= MAX_HEADER_BYTES {
                h.size += line.len();
                if let Some((_, v)) = h.fields.last_mut() {
                    v.extend_from_slice(line);
                }
            } else {
                h.truncated = true;
            }
            continue;
        }
        let Some(name) = header_name(line) else {
            lines.unread();
            break;
        };
        if h.size + line.len() > MAX_HEADER_BYTES {
            h.truncated = true;
            continue;
        }
        h.size += line.len();
        let value = line[name.len() + 1..].trim_ascii_start().to_vec();
        h.fields.push((name.to_string(), value));
    }
    Ok(h)
}

/// Content-Type / Content-Disposition parameters (lower-case names).
#[derive(Default, Debug)]
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits `value; a=b; c="d;e"` into the lower-cased value and its
/// parameters, joining RFC 2231 continuations (`name*0*=`, `name*1*=`) and
/// decoding extended values (`utf-8''%D0%98`) and RFC 2047 words.
fn parse_params(raw: &[u8]) -> (String, Params) {
    let mut pieces: Vec<Vec<u8>> = vec![Vec::new()];
    let mut quoted = false;
    let mut escaped = false;
    for &b in raw {
        if escaped {
            escaped = false;
        } else if quoted && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            quoted = !quoted;
        } else if b == b';' && !quoted {
            pieces.push(Vec::new());
            continue;
        }
        if let Some(p) = pieces.last_mut() {
            p.push(b);
        }
    }
    let value = String::from_utf8_lossy(pieces[0].trim_ascii()).to_ascii_lowercase();
    // name -> [(index, extended, raw value)]
    let mut parts: Vec<(String, u32, bool, Vec<u8>)> = Vec::new();
    for p in &pieces[1..] {
        let Some(eq) = memchr::memchr(b'=', p) else {
            continue;
        };
        let key = String::from_utf8_lossy(p[..eq].trim_ascii()).to_ascii_lowercase();
        let val = unquote(p[eq + 1..].trim_ascii());
        let (key, extended) = match key.strip_suffix('*') {
            Some(k) => (k.to_string(), true),
            None => (key, false),
        };
        let (base, index) = match key.rsplit_once('*') {
            Some((b, i)) if i.bytes().all(|c| c.is_ascii_digit()) && !i.is_empty() => {
                (b.to_string(), i.parse().unwrap_or(0))
            }
            _ => (key, 0),
        };
        if parts.len() < 64 {
            parts.push((base, index, extended, val));
        }
    }
    let mut params = Params::default();
    let mut names: Vec<String> = parts.iter().map(|p| p.0.clone()).collect();
    names.dedup();
    for name in names {
        if params.get(&name).is_some() {
            continue;
        }
        let mut segs: Vec<&(String, u32, bool, Vec<u8>)> =
            parts.iter().filter(|p| p.0 == name).collect();
        segs.sort_by_key(|p| p.1);
        let mut bytes = Vec::new();
        let mut charset: Option<String> = None;
        let mut any_extended = false;
        for (i, seg) in segs.iter().enumerate() {
            if seg.2 {
                any_extended = true;
                let mut v = seg.3.as_slice();
                if i == 0 {
                    // charset'language'value
                    let mut it = v.splitn(3, |&b| b == b'\'');
                    if let (Some(cs), Some(_lang), Some(rest)) = (it.next(), it.next(), it.next()) {
                        charset = Some(String::from_utf8_lossy(cs).into_owned());
                        v = rest;
                    }
                }
                bytes.extend(percent_decode(v));
            } else {
                bytes.extend_from_slice(&seg.3);
            }
        }
        let text = if any_extended {
            decode_charset(charset.as_deref().unwrap_or("utf-8"), &bytes)
        } else {
            String::from_utf8_lossy(&decode_words(&bytes)).into_owned()
        };
        params.0.push((name, text));
    }
    (value, params)
}

fn unquote(v: &[u8]) -> Vec<u8> {
    let Some(inner) = v.strip_prefix(b"\"").and_then(|r| r.strip_suffix(b"\"")) else {
        return v.to_vec();
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut escaped = false;
    for &b in inner {
        if !escaped && b == b'\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(b);
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_decode(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'%'
            && let (Some(h), Some(l)) = (
                v.get(i + 1).copied().and_then(hex),
                v.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

/// Text in a named charset (RFC 2231 `*language` suffix allowed) as a
/// String; an unknown charset is read as UTF-8 with replacement.
fn decode_charset(charset: &str, bytes: &[u8]) -> String {
    let label = charset.split('*').next().unwrap_or(charset).trim();
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Decodes RFC 2047 encoded-words (`=?utf-8?B?…?=`, `=?koi8-r?Q?…?=`) in a
/// header value; whitespace between two adjacent encoded-words goes, as
/// the RFC says. Other bytes pass through unchanged (8-bit headers too).
pub fn decode_words(v: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(v.len());
    let mut i = 0;
    let mut gap_start: Option<usize> = None; // out position after the last encoded-word
    while i < v.len() {
        if v[i] == b'='
            && v.get(i + 1) == Some(&b'?')
            && let Some((decoded, len)) = encoded_word(&v[i..])
        {
            if let Some(g) = gap_start
                && out[g..].iter().all(|b| b.is_ascii_whitespace())
            {
                out.truncate(g);
            }
            out.extend_from_slice(decoded.as_bytes());
            i += len;
            gap_start = Some(out.len());
            continue;
        }
        if !v[i].is_ascii_whitespace() {
            gap_start = None;
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

/// One encoded-word at the start of `s`: its text and length.
fn encoded_word(s: &[u8]) -> Option<(String, usize)> {
    let body = s.get(2..)?;
    let q1 = memchr::memchr(b'?', body)?;
    let charset = std::str::from_utf8(&body[..q1]).ok()?;
    let enc = *body.get(q1 + 1)?;
    if body.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let end = memchr::memmem::find(&body[text_start..], b"?=")? + text_start;
    let text = &body[text_start..end];
    if text.iter().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let bytes = match enc {
        b'B' | b'b' => {
            let clean: Vec<u8> = text.iter().copied().filter(|&b| b != b'=').collect();
            B64.decode(clean).ok()?
        }
        b'Q' | b'q' => {
            let mut out = Vec::with_capacity(text.len());
            let mut k = 0;
            while k < text.len() {
                match text[k] {
                    b'_' => out.push(b' '),
                    b'=' => {
                        match (
                            text.get(k + 1).copied().and_then(hex),
                            text.get(k + 2).copied().and_then(hex),
                        ) {
                            (Some(h), Some(l)) => {
                                out.push(h << 4 | l);
                                k += 2;
                            }
                            _ => out.push(b'='),
                        }
                    }
                    b => out.push(b),
                }
                k += 1;
            }
            out
        }
        _ => return None,
    };
    Some((decode_charset(charset, &bytes), end + 2 + 2))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transfer {
    Identity,
    Base64,
    QuotedPrintable,
}

/// A leaf part's body: lines up to the next delimiter, transfer-decoded,
/// then charset-decoded to UTF-8 for text parts.
struct PartBody<'a, 'r> {
    lines: &'a mut Lines<'r>,
    transfer: Transfer,
    b64: Vec<u8>,
    charset: Option<encoding_rs::Decoder>,
    decoded: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    done: bool,
}

impl PartBody<'_, '_> {
    /// Transfer-decodes the current line into `self.decoded`.
    fn decode_line(&mut self) {
        let line = &self.lines.line;
        let piece_ends_line = line.ends_with(b"\n");
        match self.transfer {
            Transfer::Identity => self.decoded.extend_from_slice(line),
            Transfer::Base64 => {
                for &b in line {
                    if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' {
                        self.b64.push(b);
                    } else if b == b'=' {
                        flush_b64(&mut self.b64, &mut self.decoded);
                    }
                }
                let whole = self.b64.len() / 4 * 4;
                if whole > 0 {
                    let _ = B64.decode_vec(&self.b64[..whole], &mut self.decoded);
                    self.b64.drain(..whole);
                }
            }
            Transfer::QuotedPrintable => {
                let mut l = trim_eol(line);
                if piece_ends_line {
                    l = l.trim_ascii_end();
                }
                let soft = piece_ends_line && l.last() == Some(&b'=');
                if soft {
                    l = &l[..l.len() - 1];
                }
                let mut k = 0;
                while k < l.len() {
                    if l[k] == b'='
                        && let (Some(h), Some(lo)) = (
                            l.get(k + 1).copied().and_then(hex),
                            l.get(k + 2).copied().and_then(hex),
                        )
                    {
                        self.decoded.push(h << 4 | lo);
                        k += 3;
                        continue;
                    }
                    self.decoded.push(l[k]);
                    k += 1;
                }
                if piece_ends_line && !soft {
                    self.decoded.push(b'\n');
                }
            }
        }
    }

    /// Moves `self.decoded` into `self.out`, through the charset decoder.
    fn convert(&mut self, last: bool) {
        match self.charset.as_mut() {
            None => self.out.append(&mut self.decoded),
            Some(dec) => {
                let mut src = &self.decoded[..];
                loop {
                    let room = dec
                        .max_utf8_buffer_length(src.len())
                        .unwrap_or(src.len() * 3 + 16)
                        .max(16);
                    let start = self.out.len();
                    self.out.resize(start + room, 0);
                    let (res, read, written, _) =
                        dec.decode_to_utf8(src, &mut self.out[start..], last);
                    self.out.truncate(start + written);
                    src = &src[read..];
                    if res == encoding_rs::CoderResult::InputEmpty {
                        break;
                    }
                }
                self.decoded.clear();
            }
        }
    }

    /// Consumes what the reader of the part left unread, up to the next
    /// delimiter.
    fn skip_rest(&mut self) -> io::Result<()> {
        while !self.done {
            if !self.lines.next()? {
                break;
            }
            if self.lines.delimiter().is_some() {
                self.lines.unread();
                break;
            }
        }
        self.done = true;
        Ok(())
    }
}

fn flush_b64(acc: &mut Vec<u8>, out: &mut Vec<u8>) {
    let whole = acc.len() / 4 * 4;
    let _ = B64.decode_vec(&acc[..whole], out);
    let rest = &acc[whole..];
    if rest.len() >= 2 {
        let _ = B64.decode_vec(rest, out);
    }
    acc.clear();
}

impl Read for PartBody<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            self.out.clear();
            self.out_pos = 0;
            let more = self.lines.next()?;
            if !more || self.lines.delimiter().is_some() {
                if more {
                    self.lines.unread();
                }
                self.done = true;
                if self.transfer == Transfer::Base64 {
                    flush_b64(&mut self.b64, &mut self.decoded);
                }
                self.convert(true);
                continue;
            }
            self.decode_line();
            self.convert(false);
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Per-message walk state.
struct Msg<'d> {
    /// Container display for limit reports (`mail.eml`).
    display: &'d str,
    /// Prefix of leaf names (`mail.eml!/`, `box.mbox!/3/`).
    base: String,
    depth: u32,
    part_no: u32,
    names: HashSet<String>,
    /// The entries limit was hit: stop.
    stop: bool,
}

/// Walks one `.eml` message.
pub(super) fn walk_message(w: &mut Walker<'_>, display: &str, raw: Box<dyn Read + '_>, depth: u32) {
    let mut lines = Lines::new(raw, false);
    let result = (|| -> io::Result<()> {
        // Some exports start a single message with an mbox `From ` line.
        if lines.next()?
            && !(lines.line.starts_with(b"From ") && header_name(&lines.line).is_none())
        {
            lines.unread();
        }
        let mut msg = Msg::new(display, format!("{display}!/"), depth);
        message(w, &mut lines, &mut msg)
    })();
    finish(w, display, depth, result);
}

/// Walks an mbox: one message per `From ` line.
pub(super) fn walk_mbox(w: &mut Walker<'_>, display: &str, raw: Box<dyn Read + '_>, depth: u32) {
    let mut lines = Lines::new(raw, true);
    let result = (|| -> io::Result<()> {
        let mut n = 0u64;
        while lines.next()? {
            if !(lines.line_is_start && lines.line.starts_with(b"From ")) {
                // Text before the first message: not a message.
                continue;
            }
            n += 1;
            if !w.count_entry(display) {
                return Ok(());
            }
            let mut msg = Msg::new(display, format!("{display}!/{n}/"), depth);
            message(w, &mut lines, &mut msg)?;
            if msg.stop || w.must_stop(depth) {
                return Ok(());
            }
        }
        Ok(())
    })();
    finish(w, display, depth, result);
}

fn finish(w: &mut Walker<'_>, display: &str, depth: u32, result: io::Result<()>) {
    if let Err(e) = result {
        w.shared.fail(one_line(&e.to_string()), false, depth);
        w.report_pending(display);
    }
}

impl<'d> Msg<'d> {
    fn new(display: &'d str, base: String, depth: u32) -> Self {
        Msg {
            display,
            base,
            depth,
            part_no: 0,
            names: HashSet::new(),
            stop: false,
        }
    }
}

/// One message: its header block as a leaf, then its body.
fn message(w: &mut Walker<'_>, lines: &mut Lines<'_>, msg: &mut Msg<'_>) -> io::Result<()> {
    let headers = read_headers(lines)?;
    let display = format!("{}headers", msg.base);
    if headers.truncated {
        w.skipped(
            display.clone(),
            format!(
                "header block over {} MiB: the rest of it is not scanned",
                MAX_HEADER_BYTES >> 20
            ),
        );
    }
    let mut text = Cursor::new(headers.text());
    w.stream(display, &mut text, msg.depth);
    entity(w, lines, msg, &headers, 0)
}

/// One MIME entity (a message body or a part) whose headers were read.
fn entity(
    w: &mut Walker<'_>,
    lines: &mut Lines<'_>,
    msg: &mut Msg<'_>,
    headers: &Headers,
    nesting: u32,
) -> io::Result<()> {
    let (ctype, params) = headers.content_type();
    let boundary = params
        .get("boundary")
        .filter(|b| !b.is_empty() && b.len() <= 200);
    if let Some(b) = boundary
        && ctype.starts_with("multipart/")
        && nesting < MAX_MIME_NESTING
    {
        lines.boundaries.push(b.as_bytes().to_vec());
        let mine = lines.boundaries.len() - 1;
        let result = multipart(w, lines, msg, mine, nesting);
        lines.boundaries.truncate(mine);
        return result;
    }
    leaf_part(w, lines, msg, headers, &ctype, &params)
}

fn multipart(
    w: &mut Walker<'_>,
    lines: &mut Lines<'_>,
    msg: &mut Msg<'_>,
    mine: usize,
    nesting: u32,
) -> io::Result<()> {
    let mut closed = false;
    while lines.next()? {
        match lines.delimiter() {
            None => continue, // preamble, epilogue
            Some(Delim::Boundary { level, close }) if level == mine => {
                if close {
                    closed = true;
                    continue;
                }
                if closed {
                    continue;
                }
                let part_headers = read_headers(lines)?;
                if !w.count_entry(msg.display) {
                    msg.stop = true;
                    return Ok(());
                }
                entity(w, lines, msg, &part_headers, nesting + 1)?;
                if msg.stop || w.must_stop(msg.depth) {
                    msg.stop = true;
                    return Ok(());
                }
            }
            Some(_) => {
                // An outer boundary or the next mbox message.
                lines.unread();
                break;
            }
        }
    }
    Ok(())
}

fn leaf_part(
    w: &mut Walker<'_>,
    lines: &mut Lines<'_>,
    msg: &mut Msg<'_>,
    headers: &Headers,
    ctype: &str,
    ctype_params: &Params,
) -> io::Result<()> {
    msg.part_no += 1;
    let name = part_name(headers, ctype, ctype_params, msg);
    let display = format!("{}{name}", msg.base);
    let transfer = match headers
        .get("content-transfer-encoding")
        .map(|v| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
        .as_deref()
    {
        Some("base64") => Transfer::Base64,
        Some("quoted-printable") => Transfer::QuotedPrintable,
        _ => Transfer::Identity,
    };
    // Text parts become UTF-8; other parts keep their bytes (an attached
    // archive must stay an archive).
    let charset = if ctype.starts_with("text/") {
        ctype_params
            .get("charset")
            .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()))
            .filter(|e| *e != encoding_rs::UTF_8)
            .map(|e| e.new_decoder_without_bom_handling())
    } else {
        None
    };
    let mut body = PartBody {
        lines,
        transfer,
        b64: Vec::new(),
        charset,
        decoded: Vec::new(),
        out: Vec::new(),
        out_pos: 0,
        done: false,
    };
    w.inner(display, None, &name, &mut body, msg.depth, msg.depth);
    body.skip_rest()
}

/// A part's leaf name: its attachment file name when it has one (unique
/// within the message), else `partN.ext` by content type.
fn part_name(headers: &Headers, ctype: &str, ctype_params: &Params, msg: &mut Msg<'_>) -> String {
    let n = msg.part_no;
    let disposition = headers.get("content-disposition").map(parse_params);
    let file = disposition
        .as_ref()
        .and_then(|(_, p)| p.get("filename"))
        .or_else(|| ctype_params.get("name"))
        .map(clean_file_name)
        .filter(|f| !f.is_empty());
    if let Some(f) = file {
        if f != "headers" && msg.names.len() < MAX_NAMES && msg.names.insert(f.clone()) {
            return f;
        }
        return format!("part{n}-{f}");
    }
    let ext = match ctype {
        "text/html" => "html",
        "text/csv" => "csv",
        "text/calendar" => "ics",
        "text/vcard" | "text/x-vcard" => "vcf",
        "text/xml" | "application/xml" => "xml",
        "application/json" => "json",
        "message/rfc822" => "eml",
        t if t.starts_with("text/") => "txt",
        _ => "bin",
    };
    format!("part{n}.{ext}")
}

/// The last path component, without control characters.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_in_headers() {
        assert_eq!(
            String::from_utf8(decode_words(
                b"=?utf-8?B?0JjQstCw0L0=?= =?utf-8?Q?_=D0=9F?= <ivan@example.com>"
            ))
            .unwrap(),
            "Иван П <ivan@example.com>"
        );
        // windows-1251 "Пётр" in Q encoding.
        assert_eq!(
            String::from_utf8(decode_words(b"=?windows-1251?Q?=CF=B8=F2=F0?=")).unwrap(),
            "Пётр"
        );
        // Not an encoded-word: left as it is.
        assert_eq!(decode_words(b"a =?x b"), b"a =?x b");
    }

    #[test]
    fn parameters_quoted_and_rfc2231() {
        let (t, p) = parse_params(br#"Multipart/Mixed; boundary="a;b"; charset=koi8-r"#);
        assert_eq!(t, "multipart/mixed");
        assert_eq!(p.get("boundary"), Some("a;b"));
        assert_eq!(p.get("charset"), Some("koi8-r"));
        let (_, p) =
            parse_params(b"attachment; filename*0*=utf-8''%D0%9F%D0%B0; filename*1*=%D1%81.txt");
        assert_eq!(p.get("filename"), Some("Пас.txt"));
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_message(
            b"Received: from x\nFrom: a@example.com\nContent-Type: text/plain\n\nhi\n"
        ));
        assert!(!looks_like_message(b"From: a@example.com\nhello world\n"));
        assert!(!looks_like_message(b"just text: with a colon\n"));
        assert!(looks_like_mbox(
            b"From a@example.com Mon Jan 1 00:00:00 2024\nFrom: a@example.com\n"
        ));
        assert!(!looks_like_mbox(b"From the start of time\nit was dark\n"));
    }
}
