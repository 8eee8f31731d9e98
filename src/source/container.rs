//! Containers: compressed streams (.gz .zst .bz2 .xz), archives (.tar
//! .zip), e-mail (.eml, mbox) and Office files (.docx .xlsx .odt), expanded
//! recursively into the plain streams inside them, in bounded memory, with
//! limits that stop decompression bombs.
//!
//! Owns telling a container from its name and first bytes ([`detect`]),
//! walking it ([`expand`], [`expand_seekable`]), naming what is inside
//! (`backup.tar.gz!/db/users.sql`, `mail.eml!/part2.html`) and the
//! [`Limits`]. It does not scan: every non-container stream inside goes to
//! the caller's `leaf` callback as a [`Leaf`], which reads it like a file.
//! The MIME walk lives in [`email`], Office text extraction in
//! [`office`].
//!
//! # Streaming and the zip exception
//!
//! Nothing is loaded whole: decompressors, tar entries and MIME parts are
//! read through as they are scanned. A zip needs `Seek` (its directory is at
//! the end), so [`expand_seekable`] reads a zip file in place, and a zip met
//! inside a stream (a `.zip` in a `.tar.gz`, an e-mail attachment) is
//! spooled to an unnamed temporary file (the `tempfile` crate: mode 0600,
//! deleted on close), at most [`Limits::max_expanded_bytes`] of it.
//!
//! # Limits and how a cut-short stream is reported
//!
//! Each decompressing layer is wrapped in a meter that counts what went in
//! and what came out. Once a layer has produced [`RATIO_GRACE`] bytes,
//! output over `max_ratio` × input stops it; the output of all layers of
//! one top-level input is capped by `max_expanded_bytes` (and, when the
//! input's size is known, by [`NESTED_RATIO_FACTOR`] × `max_ratio` × that
//! size, which catches bombs that spread their ratio over nested layers). Containers
//! nested deeper than `max_depth` and entries past `max_entries` are not
//! opened. Every limit hit is a [`Leaf::Skipped`] whose reason starts with
//! `decompression limit:`; a corrupt or truncated container is a
//! [`Leaf::Error`] (`truncated gzip stream`, `corrupt zip: …`), and the walk
//! goes on with the next entry where the container allows it.
//!
//! A stream handed out as [`Leaf::Stream`] that breaks while it is read (a
//! limit trips, the gzip under it is truncated) ends early with a clean
//! end-of-file, and the very next leaf is a `Skipped` or `Error` with the
//! same display path: that leaf *supersedes* the stream's outcome (whatever
//! the consumer found in the part it read is still real).

pub mod email;
pub mod office;

use std::cell::{Cell, RefCell};
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

/// How many leading bytes [`detect`] wants to see (a tar header is 512;
/// e-mail headers need a few lines).
pub const PEEK_LEN: usize = 4096;

/// A layer's output/input ratio is only checked once it has produced this
/// much: small, very repetitive files (a column of zeros) legitimately
/// compress far better than 200:1, and a bomb is only harmful when large.
pub const RATIO_GRACE: u64 = 1 << 20;

/// The whole input may expand `max_ratio` × this over its size. This
/// catches bombs that nest several layers each under `max_ratio`, while a
/// single-layer bomb is stopped (and reported for its own entry) by the
/// per-layer check first.
pub const NESTED_RATIO_FACTOR: u64 = 4;

/// Per-layer decoder memory cap: an xz dictionary or zstd window larger
/// than this is refused (xz -9 uses 64 MiB, zstd --ultra -22 128 MiB).
const DECODER_MEMORY: u64 = 128 << 20;

/// MIME multiparts nested deeper than this are read as one text part
/// (the walk recurses; this bounds the stack on hostile input).
const MAX_MIME_NESTING: u32 = 32;

/// What kind of container a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Zip,
    Tar,
    /// One RFC 5322 message (`.eml`).
    Email,
    /// Many messages, each after a `From ` line.
    Mbox,
    Docx,
    Xlsx,
    /// Any OpenDocument file (its text is in `content.xml`).
    Odt,
}

impl ContainerKind {
    /// Lower-case name used in messages (`truncated gzip stream`).
    pub fn name(self) -> &'static str {
        match self {
            ContainerKind::Gzip => "gzip",
            ContainerKind::Zstd => "zstd",
            ContainerKind::Bzip2 => "bzip2",
            ContainerKind::Xz => "xz",
            ContainerKind::Zip => "zip",
            ContainerKind::Tar => "tar",
            ContainerKind::Email => "e-mail",
            ContainerKind::Mbox => "mbox",
            ContainerKind::Docx => "docx",
            ContainerKind::Xlsx => "xlsx",
            ContainerKind::Odt => "odt",
        }
    }

    /// Kinds read through a zip directory (and so needing `Seek`).
    fn is_zip(self) -> bool {
        matches!(
            self,
            ContainerKind::Zip | ContainerKind::Docx | ContainerKind::Xlsx | ContainerKind::Odt
        )
    }
}

/// Tells a container from its name (any path; the last component counts)
/// and its first bytes (up to [`PEEK_LEN`]).
///
/// Magic bytes decide for compressors and zip, so a misnamed `.gz` that is
/// really text is scanned as text. Names decide what magic cannot: Office
/// files among zips, e-mail, mbox, and pre-POSIX tar (whose header
/// checksum must still be valid).
pub fn detect(name: &str, magic: &[u8]) -> Option<ContainerKind> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    if magic.starts_with(&[0x1f, 0x8b]) {
        return Some(ContainerKind::Gzip);
    }
    if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Some(ContainerKind::Zstd);
    }
    if magic.starts_with(b"BZh") && magic.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(ContainerKind::Bzip2);
    }
    if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        return Some(ContainerKind::Xz);
    }
    if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
        return Some(match ext {
            "docx" | "docm" | "dotx" | "dotm" => ContainerKind::Docx,
            "xlsx" | "xlsm" | "xltx" | "xltm" => ContainerKind::Xlsx,
            "odt" | "ott" | "ods" | "ots" | "odp" => ContainerKind::Odt,
            // An ODF file opens with a stored `mimetype` entry; OOXML files
            // are told apart by their directory in `expand`.
            _ if magic.get(30..38) == Some(b"mimetype")
                && magic
                    .get(38..)
                    .is_some_and(|m| m.starts_with(b"application/vnd.oasis.opendocument")) =>
            {
                ContainerKind::Odt
            }
            _ => ContainerKind::Zip,
        });
    }
    if magic.len() >= 512 {
        let header = &magic[..512];
        let ustar = &header[257..262] == b"ustar";
        if (ustar || matches!(ext, "tar")) && tar_checksum_ok(header) {
            return Some(ContainerKind::Tar);
        }
    }
    match ext {
        "eml" => return Some(ContainerKind::Email),
        "mbox" | "mbx" => return Some(ContainerKind::Mbox),
        _ => {}
    }
    if magic.starts_with(b"From ") && email::looks_like_mbox(magic) {
        return Some(ContainerKind::Mbox);
    }
    if email::looks_like_message(magic) {
        return Some(ContainerKind::Email);
    }
    None
}

/// A tar header block's checksum field matches its bytes (the field itself
/// counted as spaces), and it is not an all-zero end block.
fn tar_checksum_ok(h: &[u8]) -> bool {
    if h.iter().all(|&b| b == 0) {
        return false;
    }
    let field = &h[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return false;
    }
    let Some(want) = digits.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(8)?.checked_add(u32::from(d - b'0'))
    }) else {
        return false;
    };
    let sum: u32 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == want
}

/// Limits for one top-level input, however deep its nesting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes all decompressing layers of one top-level input may produce
    /// together (stored tar/zip data and MIME decoding do not count: they
    /// cannot grow). Also caps how much of a zip is spooled to disk.
    pub max_expanded_bytes: u64,
    /// Output over input per decompressing layer (and, times
    /// [`NESTED_RATIO_FACTOR`], over the top-level input's size overall);
    /// checked past [`RATIO_GRACE`].
    pub max_ratio: u64,
    /// Containers inside containers: a `.tar.gz` is 2 (gzip, then tar).
    pub max_depth: u32,
    /// Archive members, MIME parts and mbox messages per top-level input.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expanded_bytes: 4 << 30,
            max_ratio: 200,
            max_depth: 5,
            max_entries: 100_000,
        }
    }
}

/// One thing found inside a container.
pub enum Leaf<'a> {
    /// A plain stream to read (scan). Its display path names where it is:
    /// `backup.tar.gz!/db/users.sql`.
    Stream {
        display: String,
        reader: &'a mut dyn Read,
    },
    /// Not read, and why (a limit: the reason starts with
    /// `decompression limit:`; an encrypted entry; a link).
    Skipped { display: String, reason: String },
    /// A corrupt or truncated container or entry, in one line.
    Error { display: String, message: String },
}

/// A reader that can also seek: what a zip needs.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Expands a container read as a stream. `compressed_len` is the input's
/// size when known (a file's length), for the overall ratio check. A zip in
/// `reader` is spooled to a temporary file first; pass a seekable file to
/// [`expand_seekable`] to avoid that.
pub fn expand(
    display: &str,
    kind: ContainerKind,
    reader: Box<dyn Read + '_>,
    compressed_len: Option<u64>,
    limits: &Limits,
    leaf: &mut dyn FnMut(Leaf<'_>),
) {
    guarded(display, leaf, |leaf| {
        Walker::new(limits, compressed_len, leaf).container(display, kind, Input::Stream(reader), 1)
    });
}

/// Like [`expand`], for a seekable input (a file): zips and Office files
/// are read in place; other kinds are streamed from the current position.
pub fn expand_seekable(
    display: &str,
    kind: ContainerKind,
    reader: Box<dyn ReadSeek + '_>,
    compressed_len: Option<u64>,
    limits: &Limits,
    leaf: &mut dyn FnMut(Leaf<'_>),
) {
    guarded(display, leaf, |leaf| {
        Walker::new(limits, compressed_len, leaf).container(
            display,
            kind,
            Input::Seekable(reader),
            1,
        )
    });
}

/// Runs a walk so that a panic in a decoder crate (hostile input finding
/// a bug there) becomes an error for this input, not a dead worker
/// thread and a lost scan.
fn guarded(
    display: &str,
    leaf: &mut dyn FnMut(Leaf<'_>),
    walk: impl FnOnce(&mut dyn FnMut(Leaf<'_>)),
) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| walk(&mut *leaf)));
    if outcome.is_err() {
        leaf(Leaf::Error {
            display: display.to_string(),
            message: "internal error while reading this container; the rest of it is not scanned"
                .into(),
        });
    }
}

enum Input<'r> {
    Stream(Box<dyn Read + 'r>),
    Seekable(Box<dyn ReadSeek + 'r>),
}

impl<'r> Input<'r> {
    fn into_read(self) -> Box<dyn Read + 'r> {
        match self {
            Input::Stream(r) => r,
            Input::Seekable(r) => Box::new(r),
        }
    }
}

/// Why a stream stopped, recorded where it happened and reported once.
#[derive(Debug, Clone)]
struct Failure {
    message: String,
    limit: bool,
    /// Containers at this depth or deeper cannot go on (their input is
    /// broken); shallower ones continue with their next entry.
    scope: u32,
    reported: bool,
}

/// State shared by the walker and the meters inside its reader stacks.
struct Shared {
    limits: Limits,
    compressed_len: Option<u64>,
    expanded: Cell<u64>,
    failure: RefCell<Option<Failure>>,
}

impl Shared {
    /// Records a failure unless one is already recorded: the first is the
    /// root cause (an inner layer fails before the outer ones see it).
    fn fail(&self, message: String, limit: bool, scope: u32) {
        let mut f = self.failure.borrow_mut();
        if f.is_none() {
            *f = Some(Failure {
                message,
                limit,
                scope,
                reported: false,
            });
        }
    }

    fn failed_scope(&self) -> Option<u32> {
        self.failure.borrow().as_ref().map(|f| f.scope)
    }
}

/// Counts the bytes a decoder pulls from below it.
struct Meter<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl<R: Seek> Seek for Meter<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A decompressing layer's output, checked against the limits as it is
/// read. Errors from the decoder are recorded with a one-line message.
struct Decoded<R> {
    inner: R,
    consumed: Rc<Cell<u64>>,
    consumed_base: u64,
    produced: u64,
    shared: Rc<Shared>,
    format: &'static str,
    scope: u32,
    dead: bool,
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.dead {
            return Err(io::Error::other(format!("{} stream stopped", self.format)));
        }
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                self.dead = true;
                self.shared
                    .fail(decoder_message(self.format, &e), false, self.scope);
                return Err(e);
            }
        };
        self.produced += n as u64;
        let total = self.shared.expanded.get() + n as u64;
        self.shared.expanded.set(total);
        let l = &self.shared.limits;
        let consumed = (self.consumed.get() - self.consumed_base).max(1);
        let over = if total > l.max_expanded_bytes {
            Some((
                format!(
                    "decompression limit: more than {} expanded from one input; the rest of it is not scanned",
                    human_bytes(l.max_expanded_bytes)
                ),
                1,
            ))
        } else if self.produced > RATIO_GRACE && self.produced / consumed > l.max_ratio {
            Some((
                format!(
                    "decompression limit: {} data expands more than {}:1",
                    self.format, l.max_ratio
                ),
                self.scope,
            ))
        } else if let Some(len) = self.shared.compressed_len
            && total > RATIO_GRACE
            && total / len.max(1) > l.max_ratio.saturating_mul(NESTED_RATIO_FACTOR)
        {
            Some((
                format!(
                    "decompression limit: input expands more than {}:1 overall; the rest of it is not scanned",
                    l.max_ratio.saturating_mul(NESTED_RATIO_FACTOR)
                ),
                1,
            ))
        } else {
            None
        };
        if let Some((message, scope)) = over {
            self.dead = true;
            self.shared.fail(message.clone(), true, scope);
            return Err(io::Error::other(message));
        }
        Ok(n)
    }
}

/// The one-line message for a decoder error.
fn decoder_message(format: &str, e: &io::Error) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if e.kind() == io::ErrorKind::UnexpectedEof
        || lower.contains("unexpectedeof")
        || lower.contains("unexpected end")
        || lower.contains("eof")
    {
        format!("truncated {format} stream")
    } else {
        format!("corrupt {format} stream: {}", one_line(&text))
    }
}

/// What the leaf callback reads: turns any error below into a recorded
/// failure and a clean end of stream (see the module docs).
struct LeafReader<'a> {
    inner: &'a mut dyn Read,
    shared: Rc<Shared>,
    scope: u32,
    done: bool,
}

impl Read for LeafReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        loop {
            match self.inner.read(buf) {
                Ok(0) => {
                    self.done = true;
                    return Ok(0);
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    self.shared
                        .fail(one_line(&e.to_string()), false, self.scope);
                    return Ok(0);
                }
            }
        }
    }
}

/// Walks one top-level input. Methods are shared with the e-mail and
/// Office walkers.
pub(crate) struct Walker<'l> {
    shared: Rc<Shared>,
    entries: u64,
    leaf: &'l mut dyn FnMut(Leaf<'_>),
}

impl<'l> Walker<'l> {
    fn new(
        limits: &Limits,
        compressed_len: Option<u64>,
        leaf: &'l mut dyn FnMut(Leaf<'_>),
    ) -> Walker<'l> {
        Walker {
            shared: Rc::new(Shared {
                limits: *limits,
                compressed_len,
                expanded: Cell::new(0),
                failure: RefCell::new(None),
            }),
            entries: 0,
            leaf,
        }
    }

    fn limits(&self) -> Limits {
        self.shared.limits
    }

    pub(crate) fn skipped(&mut self, display: String, reason: String) {
        (self.leaf)(Leaf::Skipped { display, reason });
    }

    pub(crate) fn error(&mut self, display: String, message: String) {
        (self.leaf)(Leaf::Error { display, message });
    }

    /// Hands a plain stream to the callback and reports, under the same
    /// display, a failure that cut it short.
    pub(crate) fn stream(&mut self, display: String, reader: &mut dyn Read, scope: u32) {
        let mut r = LeafReader {
            inner: reader,
            shared: self.shared.clone(),
            scope,
            done: false,
        };
        (self.leaf)(Leaf::Stream {
            display: display.clone(),
            reader: &mut r,
        });
        self.report_pending(&display);
    }

    /// Reports a recorded, not yet reported failure under `display`.
    /// Returns true when there was one.
    pub(crate) fn report_pending(&mut self, display: &str) -> bool {
        let f = {
            let mut slot = self.shared.failure.borrow_mut();
            match slot.as_mut() {
                Some(f) if !f.reported => {
                    f.reported = true;
                    f.clone()
                }
                _ => return false,
            }
        };
        if f.limit {
            self.skipped(display.to_string(), f.message);
        } else {
            self.error(display.to_string(), f.message);
        }
        true
    }

    /// After an entry of a container at `depth`: true when the walk of
    /// that container must stop (its input broke or a global limit hit);
    /// otherwise a failure confined to the entry is cleared.
    pub(crate) fn must_stop(&mut self, depth: u32) -> bool {
        match self.shared.failed_scope() {
            Some(s) if s <= depth => true,
            Some(_) => {
                *self.shared.failure.borrow_mut() = None;
                false
            }
            None => false,
        }
    }

    /// Counts one entry; false (and reported) when over the limit.
    pub(crate) fn count_entry(&mut self, container_display: &str) -> bool {
        self.entries += 1;
        let max = self.limits().max_entries;
        if self.entries > max {
            let message = format!(
                "decompression limit: more than {max} entries in one input; the rest of it is not scanned"
            );
            self.shared.fail(message, true, 1);
            self.report_pending(container_display);
            return false;
        }
        true
    }

    /// Wraps a decoder's output in the limit checks. `consumed` must count
    /// the decoder's input.
    fn decoded<R: Read>(
        &self,
        inner: R,
        consumed: Rc<Cell<u64>>,
        format: &'static str,
        scope: u32,
    ) -> Decoded<R> {
        let consumed_base = consumed.get();
        Decoded {
            inner,
            consumed,
            consumed_base,
            produced: 0,
            shared: self.shared.clone(),
            format,
            scope,
            dead: false,
        }
    }

    /// An inner stream of a container at `depth`: expanded when it is a
    /// container itself, else handed to the callback. `leaf_display` names
    /// it as a plain stream, `container_display` as a container (they
    /// differ for single-stream compressors: `x.tar.gz!/db/a.sql`, not
    /// `x.tar.gz!/x.tar!/db/a.sql`). `scope` is what a read error of this
    /// stream breaks: `depth` when the container cannot go on (its entries
    /// share one stream: tar, e-mail), `depth + 1` when only this entry
    /// is lost (zip).
    pub(crate) fn inner(
        &mut self,
        leaf_display: String,
        container_display: Option<&str>,
        name: &str,
        reader: &mut dyn Read,
        depth: u32,
        scope: u32,
    ) {
        let mut prefix = Vec::with_capacity(PEEK_LEN);
        if let Err(e) = read_prefix(reader, &mut prefix) {
            self.shared.fail(one_line(&e.to_string()), false, scope);
            self.report_pending(&leaf_display);
            return;
        }
        match detect(name, &prefix) {
            Some(kind) => {
                let display = container_display.unwrap_or(&leaf_display).to_string();
                let chained = Cursor::new(prefix).chain(reader);
                self.container(&display, kind, Input::Stream(Box::new(chained)), depth + 1);
                self.report_pending(&display);
            }
            None => {
                let mut chained = Cursor::new(prefix).chain(reader);
                self.stream(leaf_display, &mut chained, scope);
            }
        }
    }

    /// Expands one container at `depth` (the top-level input is 1).
    fn container(&mut self, display: &str, kind: ContainerKind, input: Input<'_>, depth: u32) {
        let max_depth = self.limits().max_depth;
        if depth > max_depth {
            self.skipped(
                display.to_string(),
                format!(
                    "decompression limit: {} nested more than {max_depth} containers deep",
                    kind.name()
                ),
            );
            return;
        }
        log::debug!("{display}: expanding as {} (depth {depth})", kind.name());
        match kind {
            ContainerKind::Gzip
            | ContainerKind::Zstd
            | ContainerKind::Bzip2
            | ContainerKind::Xz => self.compressed(display, kind, input.into_read(), depth),
            ContainerKind::Tar => self.tar(display, input.into_read(), depth),
            ContainerKind::Email => email::walk_message(self, display, input.into_read(), depth),
            ContainerKind::Mbox => email::walk_mbox(self, display, input.into_read(), depth),
            ContainerKind::Zip | ContainerKind::Docx | ContainerKind::Xlsx | ContainerKind::Odt => {
                debug_assert!(kind.is_zip());
                match input {
                    Input::Seekable(r) => self.zip(display, BufReader::new(r), depth),
                    Input::Stream(r) => self.spooled_zip(display, r, depth),
                }
            }
        }
        // A failure inside this container (or of its own input) is handled
        // here; one of an outer input stays for the outer walk to see.
        if self.shared.failed_scope().is_some_and(|s| s >= depth) {
            self.report_pending(display);
            *self.shared.failure.borrow_mut() = None;
        }
    }

    /// A single-stream compressor: one inner stream named after the file
    /// without its compression extension.
    fn compressed(
        &mut self,
        display: &str,
        kind: ContainerKind,
        raw: Box<dyn Read + '_>,
        depth: u32,
    ) {
        let count = Rc::new(Cell::new(0));
        let input = BufReader::new(Meter {
            inner: raw,
            count: count.clone(),
        });
        let decoder = decompressor(kind, input);
        let mut decoded = self.decoded(decoder, count, kind.name(), depth);
        let stem = single_stream_name(display);
        let leaf_display = format!("{display}!/{stem}");
        self.inner(
            leaf_display,
            Some(display),
            &stem,
            &mut decoded,
            depth,
            depth,
        );
    }

    fn tar(&mut self, display: &str, raw: Box<dyn Read + '_>, depth: u32) {
        let mut archive = tar::Archive::new(raw);
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => {
                if !self.report_pending(display) {
                    self.error(
                        display.to_string(),
                        format!("corrupt tar: {}", one_line(&e.to_string())),
                    );
                }
                return;
            }
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    if !self.report_pending(display) {
                        self.error(display.to_string(), tar_message(&e));
                    }
                    return;
                }
            };
            use tar::EntryType as T;
            let et = entry.header().entry_type();
            let name = clean_name(&String::from_utf8_lossy(&entry.path_bytes()));
            let child = format!("{display}!/{name}");
            match et {
                T::Regular | T::Continuous | T::GNUSparse => {}
                T::Directory | T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {
                    continue;
                }
                T::Symlink | T::Link => {
                    if !self.count_entry(display) {
                        return;
                    }
                    self.skipped(child, "link inside archive".into());
                    continue;
                }
                _ => {
                    if !self.count_entry(display) {
                        return;
                    }
                    self.skipped(child, "not a regular file".into());
                    continue;
                }
            }
            if !self.count_entry(display) {
                return;
            }
            let size = entry.size();
            let mut body = TarBody {
                entry: &mut entry,
                remaining: size,
            };
            self.inner(child, None, &name, &mut body, depth, depth);
            if self.must_stop(depth) {
                return;
            }
        }
    }

    /// Copies a zip met inside a stream to a temporary file, then reads it.
    fn spooled_zip(&mut self, display: &str, mut raw: Box<dyn Read + '_>, depth: u32) {
        let cap = self.limits().max_expanded_bytes;
        log::debug!("{display}: zip inside a stream, spooling to a temporary file");
        let mut file = match tempfile::tempfile() {
            Ok(f) => f,
            Err(e) => {
                self.error(
                    display.to_string(),
                    format!(
                        "cannot spool zip to a temporary file: {}",
                        one_line(&e.to_string())
                    ),
                );
                return;
            }
        };
        let copied = io::copy(&mut (&mut raw).take(cap + 1), &mut file);
        match copied {
            Ok(n) if n > cap => {
                self.skipped(
                    display.to_string(),
                    format!(
                        "decompression limit: zip inside a stream is over {}, too large to spool",
                        human_bytes(cap)
                    ),
                );
                return;
            }
            Ok(_) => {}
            Err(e) => {
                if !self.report_pending(display) {
                    self.error(display.to_string(), one_line(&e.to_string()));
                }
                return;
            }
        }
        if self.report_pending(display) {
            return;
        }
        if let Err(e) = file.seek(SeekFrom::Start(0)) {
            self.error(display.to_string(), one_line(&e.to_string()));
            return;
        }
        self.zip(display, BufReader::new(file), depth);
    }

    fn zip<R: Read + Seek>(&mut self, display: &str, mut reader: R, depth: u32) {
        if let Err(reason) = zip_precheck(&mut reader, &self.limits(), self.entries) {
            match reason {
                Precheck::Limit(r) => self.skipped(display.to_string(), r),
                Precheck::Io(m) => self.error(display.to_string(), m),
            }
            return;
        }
        let count = Rc::new(Cell::new(0));
        let metered = Meter {
            inner: reader,
            count: count.clone(),
        };
        let mut archive = match zip::ZipArchive::new(metered) {
            Ok(a) => a,
            Err(e) => {
                if !self.report_pending(display) {
                    self.error(display.to_string(), zip_message(&e));
                }
                return;
            }
        };
        let office = office::kind_of(&archive);
        for i in 0..archive.len() {
            let Ok(meta) = archive.by_index_data(i) else {
                continue;
            };
            if meta.is_dir() {
                continue;
            }
            let name = clean_name(&String::from_utf8_lossy(meta.name_raw()));
            let (encrypted, symlink) = (meta.encrypted(), meta.is_symlink());
            let stored = meta.compression() == zip::CompressionMethod::Stored;
            let declared = (meta.size(), meta.compressed_size());
            let text_part = office.and_then(|k| office::text_part(k, &name));
            if office.is_some() && text_part.is_none() && !office::is_embedding(&name) {
                // An Office file's other parts (styles, images, settings)
                // are its machinery, not the document's content.
                continue;
            }
            if !self.count_entry(display) {
                return;
            }
            let child = format!("{display}!/{name}");
            if encrypted {
                self.skipped(child, "encrypted zip entry".into());
                continue;
            }
            if symlink {
                self.skipped(child, "link inside archive".into());
                continue;
            }
            // The directory says how big the entry gets: a bomb is refused
            // before any of it is inflated (a consumer that stops early, at
            // a binary sniff, would otherwise never trip the meters). Lying
            // sizes are still caught by the meters while reading.
            if let Some(reason) =
                declared_over(declared, &self.limits(), self.shared.expanded.get())
            {
                self.skipped(child, reason);
                continue;
            }
            let file = match archive.by_index(i) {
                Ok(f) => f,
                Err(zip::result::ZipError::CompressionMethodNotSupported(m)) => {
                    self.skipped(child, format!("unsupported zip compression method {m}"));
                    continue;
                }
                Err(zip::result::ZipError::UnsupportedArchive(m)) => {
                    self.skipped(child, format!("unsupported zip entry: {m}"));
                    continue;
                }
                Err(e) => {
                    self.error(child, zip_message(&e));
                    if matches!(e, zip::result::ZipError::Io(_)) {
                        return;
                    }
                    continue;
                }
            };
            // A stored entry cannot expand; only deflated ones are metered.
            let mut body: Box<dyn Read + '_> = if stored {
                Box::new(ZipEntryErrors(file))
            } else {
                Box::new(self.decoded(ZipEntryErrors(file), count.clone(), "zip entry", depth + 1))
            };
            match text_part {
                Some(mode) => {
                    let mut text = office::XmlText::new(&mut body, mode);
                    self.stream(child, &mut text, depth + 1);
                }
                None => self.inner(child, None, &name, &mut body, depth, depth + 1),
            }
            drop(body);
            if self.must_stop(depth) {
                return;
            }
        }
    }
}

/// Why a zip entry's declared (size, compressed size) is over the limits.
fn declared_over((size, compressed): (u64, u64), l: &Limits, expanded: u64) -> Option<String> {
    if size > RATIO_GRACE && size / compressed.max(1) > l.max_ratio {
        Some(format!(
            "decompression limit: zip entry declares {size} bytes from {compressed} (over {}:1)",
            l.max_ratio
        ))
    } else if expanded.saturating_add(size) > l.max_expanded_bytes {
        Some(format!(
            "decompression limit: zip entry declares {size} bytes, over {} expanded per input",
            human_bytes(l.max_expanded_bytes)
        ))
    } else {
        None
    }
}

/// Zip entry read errors (a bad CRC) as one line naming zip.
struct ZipEntryErrors<R>(R);

impl<R: Read> Read for ZipEntryErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("corrupt zip entry: {}", one_line(&e.to_string())),
            )
        })
    }
}

/// A tar entry's data; ending before the header's size is an error (the
/// tar crate returns a short read for a truncated archive).
struct TarBody<'e, E: Read> {
    entry: &'e mut E,
    remaining: u64,
}

impl<E: Read> Read for TarBody<'_, E> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.entry.read(buf)?;
        if n == 0 && self.remaining > 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated tar: entry ends early",
            ));
        }
        self.remaining = self.remaining.saturating_sub(n as u64);
        Ok(n)
    }
}

fn tar_message(e: &io::Error) -> String {
    let text = one_line(&e.to_string());
    if text.contains("EOF")
        || text.contains("entire block")
        || e.kind() == io::ErrorKind::UnexpectedEof
    {
        "truncated tar: archive ends inside an entry".into()
    } else {
        format!("corrupt tar: {text}")
    }
}

fn zip_message(e: &zip::result::ZipError) -> String {
    let text = one_line(&e.to_string());
    let text = text
        .strip_prefix("invalid Zip archive: ")
        .unwrap_or(&text)
        .to_string();
    format!("corrupt zip: {text}")
}

enum Precheck {
    Limit(String),
    Io(String),
}

/// Reads a zip's end-of-central-directory record (zip64 too) before the
/// zip crate does, because that crate holds the whole directory in memory:
/// a directory listing more entries than the limit allows is refused here.
/// A missing record is left for the zip crate to report.
fn zip_precheck<R: Read + Seek>(r: &mut R, limits: &Limits, used: u64) -> Result<(), Precheck> {
    let io_err = |e: io::Error| Precheck::Io(one_line(&e.to_string()));
    let len = r.seek(SeekFrom::End(0)).map_err(io_err)?;
    let tail_len = len.min(65_535 + 22);
    r.seek(SeekFrom::Start(len - tail_len)).map_err(io_err)?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    r.by_ref()
        .take(tail_len)
        .read_to_end(&mut tail)
        .map_err(io_err)?;
    r.seek(SeekFrom::Start(0)).map_err(io_err)?;
    let Some(pos) = memchr::memmem::rfind(&tail, b"PK\x05\x06") else {
        return Ok(());
    };
    let eocd = &tail[pos..];
    if eocd.len() < 22 {
        return Ok(());
    }
    let le16 = |b: &[u8]| u64::from(u16::from_le_bytes([b[0], b[1]]));
    let mut entries = le16(&eocd[10..12]);
    if entries == 0xFFFF && pos >= 20 {
        // Zip64: the locator right before the record points at the real one.
        let loc = &tail[pos - 20..pos];
        if loc.starts_with(b"PK\x06\x07") {
            let off = u64::from_le_bytes(loc[8..16].try_into().unwrap_or([0; 8]));
            let mut rec = [0u8; 56];
            if r.seek(SeekFrom::Start(off)).is_ok()
                && r.read_exact(&mut rec).is_ok()
                && rec.starts_with(b"PK\x06\x06")
            {
                entries = u64::from_le_bytes(rec[32..40].try_into().unwrap_or([0; 8]));
            }
            r.seek(SeekFrom::Start(0)).map_err(io_err)?;
        }
    }
    if used.saturating_add(entries) > limits.max_entries {
        return Err(Precheck::Limit(format!(
            "decompression limit: zip lists {entries} entries, more than {} per input",
            limits.max_entries
        )));
    }
    Ok(())
}

/// Decodes every zstd frame of a stream (the crate's streaming decoder
/// does one frame; `zstd` and `pzstd` may write several) and skips
/// skippable frames.
struct ZstdFrames<R: io::BufRead> {
    source: R,
    decoder: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
}

impl<R: io::BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        let mut decoder = ruzstd::decoding::FrameDecoder::new();
        decoder.set_max_window_size(DECODER_MEMORY);
        ZstdFrames {
            source,
            decoder,
            in_frame: false,
        }
    }
}

impl<R: io::BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.in_frame {
                // As the crate's StreamingDecoder does: decode block by
                // block until there is output or the frame ends.
                while self.decoder.can_collect() == 0 && !self.decoder.is_finished() {
                    self.decoder
                        .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBlocks(1))
                        .map_err(|e| io::Error::other(e.to_string()))?;
                }
                let n = self.decoder.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                if !self.decoder.is_finished() {
                    continue;
                }
                self.in_frame = false;
            }
            if self.source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            match self.decoder.init(&mut self.source) {
                Ok(()) => self.in_frame = true,
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let want = u64::from(length);
                    let skipped = io::copy(&mut (&mut self.source).take(want), &mut io::sink())?;
                    if skipped < want {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "skippable frame cut short",
                        ));
                    }
                }
                Err(e) => return Err(io::Error::other(e.to_string())),
            }
        }
    }
}

/// Reads up to [`PEEK_LEN`] bytes (fewer only at end of stream).
fn read_prefix(reader: &mut dyn Read, prefix: &mut Vec<u8>) -> io::Result<()> {
    loop {
        match reader
            .take((PEEK_LEN - prefix.len()) as u64)
            .read_to_end(prefix)
        {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The name of a single-stream compressor's content: the file name
/// without its compression extension (`app.log.gz` → `app.log`,
/// `x.tgz` → `x.tar`).
/// The decoder of a single-stream compressor (gzip, zstd, bzip2, xz; any
/// other kind reads as zstd), every member or frame of the stream, with the
/// scan's memory limit. The redactor decodes with the same one.
pub fn decompressor<'a>(kind: ContainerKind, input: impl io::BufRead + 'a) -> Box<dyn Read + 'a> {
    match kind {
        ContainerKind::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
        ContainerKind::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(input)),
        ContainerKind::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            input,
            true,
            (DECODER_MEMORY >> 10) as u32,
        )),
        _ => Box::new(ZstdFrames::new(input)),
    }
}

/// The name of a single-stream compressor's content: `x.sql.gz` →
/// `x.sql`, `x.tgz` → `x.tar`.
pub fn single_stream_name(display: &str) -> String {
    let base = display.rsplit(['/', '\\']).next().unwrap_or(display);
    let lower = base.to_ascii_lowercase();
    for (ext, replacement) in [
        (".tgz", ".tar"),
        (".taz", ".tar"),
        (".tbz2", ".tar"),
        (".tbz", ".tar"),
        (".txz", ".tar"),
        (".tzst", ".tar"),
        (".gz", ""),
        (".gzip", ""),
        (".z", ""),
        (".zst", ""),
        (".zstd", ""),
        (".bz2", ""),
        (".bz", ""),
        (".xz", ""),
    ] {
        if lower.ends_with(ext) && base.len() > ext.len() {
            return format!("{}{replacement}", &base[..base.len() - ext.len()]);
        }
    }
    base.to_string()
}

/// An archive member's name as shown: no leading `./` or `/`, no control
/// characters (they would break one-line reports).
fn clean_name(name: &str) -> String {
    let mut s = name;
    loop {
        if let Some(r) = s.strip_prefix("./") {
            s = r;
        } else if let Some(r) = s.strip_prefix('/') {
            s = r;
        } else {
            break;
        }
    }
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Error text on one line, without OS error codes.
fn one_line(s: &str) -> String {
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => s,
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// What a walk produced, in order.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Got {
        Stream(String, String),
        Skipped(String, String),
        Error(String, String),
    }

    fn collect(f: impl FnOnce(&mut dyn FnMut(Leaf<'_>))) -> Vec<Got> {
        let mut got = Vec::new();
        f(&mut |leaf| match leaf {
            Leaf::Stream { display, reader } => {
                let mut data = Vec::new();
                // Keep at most 1 MiB; read (and so decompress) everything.
                let mut chunk = [0u8; 8192];
                loop {
                    match reader.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) if data.len() < 1 << 20 => data.extend_from_slice(&chunk[..n]),
                        Ok(_) => {}
                        Err(e) => panic!("leaf readers never fail: {e}"),
                    }
                }
                got.push(Got::Stream(
                    display,
                    String::from_utf8_lossy(&data).into_owned(),
                ));
            }
            Leaf::Skipped { display, reason } => got.push(Got::Skipped(display, reason)),
            Leaf::Error { display, message } => got.push(Got::Error(display, message)),
        });
        got
    }

    /// Walks `data` named `name` from a seekable reader.
    fn walk(name: &str, data: &[u8], limits: &Limits) -> Vec<Got> {
        let kind = detect(name, &data[..data.len().min(PEEK_LEN)])
            .unwrap_or_else(|| panic!("{name} is not detected as a container"));
        collect(|leaf| {
            expand_seekable(
                name,
                kind,
                Box::new(Cursor::new(data)),
                Some(data.len() as u64),
                limits,
                leaf,
            )
        })
    }

    /// Walks `data` as a plain stream (a zip gets spooled).
    fn walk_stream(name: &str, data: &[u8], limits: &Limits) -> Vec<Got> {
        let kind = detect(name, &data[..data.len().min(PEEK_LEN)]).unwrap();
        collect(|leaf| expand(name, kind, Box::new(data), None, limits, leaf))
    }

    const TEXT: &str = "id;email;phone\n1;ivan.petrov@example.com;+7 900 012-34-56\n";

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn bzip2(data: &[u8]) -> Vec<u8> {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut w =
            lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap()
    }

    fn zstd(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn stream(display: &str, text: &str) -> Got {
        Got::Stream(display.into(), text.into())
    }

    #[test]
    fn detect_by_magic_and_name() {
        use ContainerKind as K;
        let t = TEXT.as_bytes();
        assert_eq!(detect("a.txt.gz", &gzip(t)), Some(K::Gzip));
        assert_eq!(detect("noext", &gzip(t)), Some(K::Gzip));
        assert_eq!(detect("a.zst", &zstd(t)), Some(K::Zstd));
        assert_eq!(detect("a.bz2", &bzip2(t)), Some(K::Bzip2));
        assert_eq!(detect("a.xz", &xz(t)), Some(K::Xz));
        assert_eq!(detect("a.zip", &zip(&[("a", t)])), Some(K::Zip));
        assert_eq!(detect("dir/Report.DOCX", &zip(&[("a", t)])), Some(K::Docx));
        assert_eq!(detect("book.xlsx", &zip(&[("a", t)])), Some(K::Xlsx));
        assert_eq!(detect("a.odt", &zip(&[("a", t)])), Some(K::Odt));
        assert_eq!(detect("archive", &tar(&[("a", t)])), Some(K::Tar));
        assert_eq!(detect("m.eml", b"anything"), Some(K::Email));
        assert_eq!(
            detect(
                "msg",
                b"Received: from mx.example.com\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
            ),
            Some(K::Email)
        );
        assert_eq!(
            detect(
                "inbox",
                b"From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\n"
            ),
            Some(K::Mbox)
        );
        // A misnamed .gz that is text, plain text, a broken tar header.
        assert_eq!(detect("a.gz", t), None);
        assert_eq!(detect("a.txt", t), None);
        let mut bad = tar(&[("a", t)]);
        bad[0] ^= 1;
        assert_eq!(detect("a.tar", &bad), None);
    }

    #[test]
    fn single_stream_names() {
        assert_eq!(single_stream_name("logs/app.log.gz"), "app.log");
        assert_eq!(single_stream_name("x.TGZ"), "x.tar");
        assert_eq!(single_stream_name("a.tar.zst"), "a.tar");
        assert_eq!(single_stream_name("data"), "data");
        assert_eq!(single_stream_name(".gz"), ".gz");
        assert_eq!(clean_name("./db/../a\u{7}.sql"), "db/../a?.sql");
    }

    #[test]
    fn every_compressor_yields_its_text_under_the_stripped_name() {
        let l = Limits::default();
        let t = TEXT.as_bytes();
        for (name, data) in [
            ("users.csv.gz", gzip(t)),
            ("users.csv.zst", zstd(t)),
            ("users.csv.bz2", bzip2(t)),
            ("users.csv.xz", xz(t)),
        ] {
            assert_eq!(
                walk(name, &data, &l),
                [stream(&format!("{name}!/users.csv"), TEXT)],
                "{name}"
            );
        }
    }

    #[test]
    fn concatenated_gzip_members_and_zstd_frames_are_all_read() {
        let l = Limits::default();
        let mut gz = gzip(b"first ");
        gz.extend(gzip(b"second"));
        assert_eq!(walk("a.gz", &gz, &l), [stream("a.gz!/a", "first second")]);
        let mut zs = zstd(b"first ");
        // A skippable frame between two data frames.
        zs.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
        zs.extend(zstd(b"second"));
        assert_eq!(walk("a.zst", &zs, &l), [stream("a.zst!/a", "first second")]);
    }

    #[test]
    fn nested_archives_collapse_single_stream_names() {
        let l = Limits::default();
        let inner = zip(&[("docs/a.txt", b"anna@example.com"), ("b.txt", b"b")]);
        let t = tar(&[("./db/users.sql", TEXT.as_bytes()), ("inner/n.zip", &inner)]);
        let want = [
            stream("b.tar.gz!/db/users.sql", TEXT),
            stream("b.tar.gz!/inner/n.zip!/docs/a.txt", "anna@example.com"),
            stream("b.tar.gz!/inner/n.zip!/b.txt", "b"),
        ];
        assert_eq!(walk("b.tar.gz", &gzip(&t), &l), want);
        // A zip read from a stream is spooled, with the same result.
        assert_eq!(walk_stream("b.tar.gz", &gzip(&t), &l), want);
        assert_eq!(walk_stream("x.zip", &inner, &l), walk("x.zip", &inner, &l));
    }

    #[test]
    fn truncated_containers_are_errors_for_that_container() {
        let l = Limits::default();
        let big: String = (0..20_000).map(|i| format!("{i} {TEXT}")).collect();
        let t = big.as_bytes();
        for (name, data, want) in [
            ("a.gz", gzip(t), "truncated gzip stream"),
            ("a.bz2", bzip2(t), "truncated bzip2 stream"),
            ("a.xz", xz(t), "truncated xz stream"),
            ("a.zst", zstd(t), "truncated zstd stream"),
        ] {
            let got = walk(name, &data[..data.len() / 2], &l);
            let last = got.last().unwrap();
            assert_eq!(
                *last,
                Got::Error(format!("{name}!/a"), want.into()),
                "{name}: {got:?}"
            );
        }
        // A tar cut inside its first entry, then a tar.gz cut likewise.
        let tr = tar(&[("a.txt", t), ("b.txt", b"b")]);
        let got = walk("a.tar", &tr[..tr.len() / 2], &l);
        assert!(
            matches!(got.last(), Some(Got::Error(d, m)) if d == "a.tar!/a.txt" && m.starts_with("truncated tar")),
            "{got:?}"
        );
        let tgz = gzip(&tr);
        let got = walk("a.tgz", &tgz[..tgz.len() / 2], &l);
        assert_eq!(
            got.last(),
            Some(&Got::Error(
                "a.tgz!/a.txt".into(),
                "truncated gzip stream".into()
            )),
            "{got:?}"
        );
        assert_eq!(got.len(), 2, "one cut stream, one error: {got:?}");
        // A zip without its central directory.
        let z = zip(&[("a.txt", t)]);
        let got = walk("a.zip", &z[..z.len() - 30], &l);
        assert!(
            matches!(&got[..], [Got::Error(d, m)] if d == "a.zip" && m.starts_with("corrupt zip:")),
            "{got:?}"
        );
    }

    #[test]
    fn corrupt_zip_entry_is_an_error_and_the_walk_goes_on() {
        let l = Limits::default();
        let mut z = zip(&[("a.txt", TEXT.as_bytes()), ("b.txt", b"bee")]);
        // Damage a.txt's compressed data (it starts after the 30-byte
        // local header and the name).
        z[30 + 5 + 2] ^= 0xff;
        let got = walk("x.zip", &z, &l);
        assert!(
            matches!(&got[..], [.., Got::Error(d, m), Got::Stream(d2, b)]
                if d == "x.zip!/a.txt" && m.starts_with("corrupt zip entry") && d2 == "x.zip!/b.txt" && b == "bee"),
            "{got:?}"
        );
    }

    #[test]
    fn no_panic_on_cut_or_flipped_bytes() {
        let l = Limits::default();
        let t = TEXT.as_bytes();
        let inner = zip(&[("a.txt", t)]);
        let samples = [
            ("a.gz", gzip(t)),
            ("a.zst", zstd(t)),
            ("a.bz2", bzip2(t)),
            ("a.xz", xz(t)),
            ("a.zip", inner.clone()),
            ("a.tar", tar(&[("a.txt", t), ("n.zip", &inner)])),
        ];
        for (name, data) in &samples {
            let kind = detect(name, data).unwrap();
            for i in (0..data.len()).step_by(7) {
                let mut flipped = data.clone();
                flipped[i] ^= 0x55;
                for input in [&data[..i], &flipped[..]] {
                    collect(|leaf| {
                        expand_seekable(name, kind, Box::new(Cursor::new(input)), None, &l, leaf)
                    });
                    collect(|leaf| expand(name, kind, Box::new(input), None, &l, leaf));
                }
            }
        }
    }

    #[test]
    fn entry_limit_stops_the_walk_with_a_reason() {
        let l = Limits {
            max_entries: 3,
            ..Limits::default()
        };
        let names: Vec<String> = (0..6).map(|i| format!("f{i}.txt")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
        let got = walk("a.tar", &tar(&entries), &l);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(
            matches!(&got[3], Got::Skipped(d, r) if d == "a.tar" && r.starts_with("decompression limit: more than 3 entries")),
            "{got:?}"
        );
        // A zip's directory is checked before it is read.
        let got = walk("a.zip", &zip(&entries), &l);
        assert!(
            matches!(&got[..], [Got::Skipped(d, r)] if d == "a.zip" && r.contains("lists 6 entries")),
            "{got:?}"
        );
    }

    #[test]
    fn expanded_bytes_budget_is_per_input() {
        let l = Limits {
            max_expanded_bytes: 2 << 20,
            max_ratio: u64::MAX,
            ..Limits::default()
        };
        let big: String = (0..200_000).map(|i| format!("{i} {TEXT}")).collect();
        let got = walk("a.gz", &gzip(big.as_bytes()), &l);
        assert!(
            matches!(&got[..], [Got::Stream(d, _), Got::Skipped(d2, r)]
                if d == "a.gz!/a" && d2 == d && r.starts_with("decompression limit: more than 2 MiB expanded")),
            "{got:?}"
        );
    }

    #[test]
    fn depth_limit_skips_the_deep_container() {
        let l = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let z = zip(&[("deep.txt", b"x")]);
        let t = tar(&[("n.zip", &z)]);
        // gzip (1) → tar (2) → zip (3): too deep.
        let got = walk("a.tar.gz", &gzip(&t), &l);
        assert!(
            matches!(&got[..], [Got::Skipped(d, r)] if d == "a.tar.gz!/n.zip" && r.starts_with("decompression limit: zip nested more than 2")),
            "{got:?}"
        );
    }
}
