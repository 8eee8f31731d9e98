//! Redacting inside containers: a `.gz`, `.zst`, `.bz2` or `.xz` is
//! rewritten as a stream of the same compressor, a `.tar` (and `.tar.gz`,
//! `.tgz`, `.tar.zst`, ...) as a tar, a `.zip` as a zip, nested as deep as
//! the scan's limits allow, each text stream inside redacted by
//! [`super::stream`], re-scanned, and repaired like a plain file.
//!
//! Owns the container walk of the redactor: decompress → redact → compress
//! again. Each member's new bytes go to an unnamed temporary file (mode
//! 0600, deleted on close): a repair pass reads them back, a tar header
//! and a zip entry need the new size first, and the zstd encoder pulls its
//! input. Tar headers (name, mode, owner, times) and zip entry metadata
//! (name, method, time, Unix mode) are carried over; compressors are
//! re-applied at their usual level (gzip 6, bzip2 6, xz preset 6, zstd's
//! fastest level, the one this pure-Rust encoder has), so the bytes differ
//! from the original's but the kind does not. The limits of
//! [`crate::source::container::Limits`] (expanded bytes, depth, entries)
//! stop bombs.
//!
//! Not rewritten: e-mail and mbox (a value in a base64 or quoted-printable
//! part would need the part re-encoded), Office and OpenDocument files
//! (their text is XML split into runs: a value may straddle elements). One
//! of those is scanned as the scan would; with no finding it is copied
//! unchanged, with findings it is refused (an error naming the file and
//! the reason, nothing written) rather than passed on with the values
//! inside.

use super::Shared;
use super::stream::{self, StreamOutcome};
use super::verify::{Verdict, Verifier};
use super::writer::Replaced;
use crate::source::StreamScanner;
use crate::source::container::{self as scan_container, ContainerKind, Leaf, Limits, PEEK_LEN};
use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Cursor, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// A plain stream, redacted.
    Stream(StreamOutcome),
    /// A container, rewritten; the verdict merges its streams'.
    Container {
        bytes: u64,
        replaced: u64,
        tally: super::writer::Tally,
        verdict: Verdict,
        /// Binary members left out of the rewritten container.
        omitted: Vec<String>,
    },
    /// Not scanned, copied unchanged (`--copy-unscanned`, or a container
    /// kind we cannot rewrite that holds no finding).
    Copied(String),
    /// Not scanned, not written.
    Skipped(String),
    /// Cannot be redacted: nothing written.
    Refused(String),
}

struct Ctx<'a> {
    s: &'a Shared,
    scanner: &'a mut StreamScanner,
    verifier: &'a Verifier,
    sink: &'a mut dyn FnMut(Vec<Replaced>),
    limits: Limits,
    expanded: u64,
    entries: u64,
    bytes: u64,
    replaced: u64,
    tally: super::writer::Tally,
    verdict: Verdict,
    omitted: Vec<String>,
    refused: Option<String>,
}

impl<'a> Ctx<'a> {
    fn new(
        s: &'a Shared,
        scanner: &'a mut StreamScanner,
        verifier: &'a Verifier,
        sink: &'a mut dyn FnMut(Vec<Replaced>),
    ) -> Ctx<'a> {
        Ctx {
            s,
            scanner,
            verifier,
            sink,
            limits: s.options.container_limits,
            expanded: 0,
            entries: 0,
            bytes: 0,
            replaced: 0,
            tally: Default::default(),
            verdict: Verdict::default(),
            omitted: Vec::new(),
            refused: None,
        }
    }

    /// Rewrites `input`, a container of `kind`, into `out`. A decoder
    /// crate meeting hostile input must not take the worker down: a panic
    /// becomes a refusal of this input.
    fn rewrite_all(
        mut self,
        display: &str,
        kind: ContainerKind,
        input: Box<dyn Read + '_>,
        out: &mut dyn Write,
    ) -> io::Result<Outcome> {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rewrite(&mut self, display, kind, input, out, 1)
        }));
        let Ok(r) = r else {
            return Ok(Outcome::Refused(format!(
                "internal error while rewriting this {} container; not written",
                kind.name()
            )));
        };
        if let Some(why) = self.refused {
            return Ok(Outcome::Refused(why));
        }
        r?;
        Ok(Outcome::Container {
            bytes: self.bytes,
            replaced: self.replaced,
            tally: self.tally,
            verdict: self.verdict,
            omitted: self.omitted,
        })
    }
}

/// Redacts the container `file` (of `kind`; `peek` its first bytes,
/// already read) into `out`.
#[allow(clippy::too_many_arguments)]
pub(super) fn redact_container(
    s: &Shared,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    display: &str,
    kind: ContainerKind,
    peek: Vec<u8>,
    mut file: File,
    out: &mut dyn Write,
    sink: &mut dyn FnMut(Vec<Replaced>),
) -> io::Result<Outcome> {
    let mut ctx = Ctx::new(s, scanner, verifier, sink);
    if !supported(kind) {
        file.seek(SeekFrom::Start(0))?;
        let n = count_findings(&mut ctx, display, kind, &mut file)?;
        return Ok(match n {
            Ok(0) => {
                file.seek(SeekFrom::Start(0))?;
                io::copy(&mut file, out)?;
                Outcome::Copied(format!("{}: no findings", kind.name()))
            }
            Ok(n) => Outcome::Refused(unsupported(kind, n)),
            Err(why) => Outcome::Refused(why),
        });
    }
    let input: Box<dyn Read + '_> = if kind == ContainerKind::Zip {
        file.seek(SeekFrom::Start(0))?;
        Box::new(file)
    } else {
        Box::new(Cursor::new(peek).chain(file))
    };
    ctx.rewrite_all(display, kind, input, out)
}

/// Redacts a container read as a stream (standard input) into `out`.
/// Kinds that cannot be rewritten are refused (a stream cannot be read
/// twice to check them first).
#[allow(clippy::too_many_arguments)]
pub(super) fn redact_container_stream(
    s: &Shared,
    scanner: &mut StreamScanner,
    verifier: &Verifier,
    display: &str,
    kind: ContainerKind,
    input: Box<dyn Read + '_>,
    out: &mut dyn Write,
    sink: &mut dyn FnMut(Vec<Replaced>),
) -> io::Result<Outcome> {
    if !supported(kind) {
        return Ok(Outcome::Refused(format!(
            "a {} stream cannot be redacted (gzip, zstd, bzip2, xz, tar and zip can); nothing written",
            kind.name()
        )));
    }
    Ctx::new(s, scanner, verifier, sink).rewrite_all(display, kind, input, out)
}

fn supported(kind: ContainerKind) -> bool {
    use ContainerKind as K;
    matches!(kind, K::Gzip | K::Zstd | K::Bzip2 | K::Xz | K::Tar | K::Zip)
}

fn unsupported(kind: ContainerKind, n: u64) -> String {
    let why = match kind {
        ContainerKind::Email | ContainerKind::Mbox => {
            "redact cannot rewrite e-mail yet (encoded parts would need re-encoding)"
        }
        _ => "redact cannot rewrite Office or OpenDocument files yet",
    };
    format!(
        "{n} finding(s) inside a {} container: {why}; not written",
        kind.name()
    )
}

/// Counts what a decompressing layer produces against the limits: the
/// total expanded bytes, and this layer's output over its compressed input
/// (past [`scan_container::RATIO_GRACE`]), as the scan does.
struct Meter<'a, R> {
    inner: R,
    expanded: &'a mut u64,
    max: u64,
    /// This layer's output so far.
    layer: u64,
    /// This layer's compressed input so far (read by the decoder, or a
    /// zip entry's declared compressed size).
    compressed: Rc<Cell<u64>>,
    max_ratio: u64,
}

impl<'a, R> Meter<'a, R> {
    fn new(inner: R, expanded: &'a mut u64, limits: &Limits, compressed: Rc<Cell<u64>>) -> Self {
        Meter {
            inner,
            expanded,
            max: limits.max_expanded_bytes,
            layer: 0,
            compressed,
            max_ratio: limits.max_ratio,
        }
    }
}

impl<R: Read> Read for Meter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.expanded += n as u64;
        self.layer += n as u64;
        if *self.expanded > self.max {
            return Err(io::Error::other(
                "decompression limit: expanded size over the limit",
            ));
        }
        if self.layer > scan_container::RATIO_GRACE
            && self.layer > self.max_ratio.saturating_mul(self.compressed.get().max(1))
        {
            return Err(io::Error::other(format!(
                "decompression limit: data expands more than {}:1",
                self.max_ratio
            )));
        }
        Ok(n)
    }
}

/// Counts the bytes a decompressor reads, for [`Meter`]'s ratio check.
struct Counted<R> {
    inner: R,
    n: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n.set(self.n.get() + n as u64);
        Ok(n)
    }
}

fn rewrite(
    ctx: &mut Ctx<'_>,
    display: &str,
    kind: ContainerKind,
    input: Box<dyn Read + '_>,
    out: &mut dyn Write,
    depth: u32,
) -> io::Result<()> {
    if depth > ctx.limits.max_depth {
        ctx.refused = Some(format!(
            "decompression limit: nested deeper than {}",
            ctx.limits.max_depth
        ));
        return Ok(());
    }
    match kind {
        ContainerKind::Gzip | ContainerKind::Zstd | ContainerKind::Bzip2 | ContainerKind::Xz => {
            rewrite_compressed(ctx, display, kind, input, out, depth)
        }
        ContainerKind::Tar => rewrite_tar(ctx, display, input, out, depth),
        ContainerKind::Zip => rewrite_zip(ctx, display, input, out, depth),
        other => {
            // A container we cannot rewrite, inside one we can: count.
            let mut spool = tempfile::tempfile()?;
            let mut input = input;
            io::copy(&mut input, &mut spool)?;
            spool.seek(SeekFrom::Start(0))?;
            match count_findings(ctx, display, other, &mut spool)? {
                Ok(0) => {
                    spool.seek(SeekFrom::Start(0))?;
                    io::copy(&mut spool, out)?;
                }
                Ok(n) => ctx.refused = Some(format!("{display}: {}", unsupported(other, n))),
                Err(why) => ctx.refused = Some(why),
            }
            Ok(())
        }
    }
}

/// A single-stream compressor: decode, redact the one stream inside,
/// encode again with the same compressor.
fn rewrite_compressed(
    ctx: &mut Ctx<'_>,
    display: &str,
    kind: ContainerKind,
    input: Box<dyn Read + '_>,
    out: &mut dyn Write,
    depth: u32,
) -> io::Result<()> {
    let inner = format!("{display}!/{}", scan_container::single_stream_name(display));
    let read_in = Rc::new(Cell::new(0));
    let counted = Counted {
        inner: input,
        n: read_in.clone(),
    };
    let dec = scan_container::decompressor(kind, BufReader::new(counted));
    // Named as the scan names it: a plain stream inside is `x.gz!/x`, a
    // container inside takes the compressed file's name (`x.tar.gz!/a.sql`,
    // not `x.tar.gz!/x.tar!/a.sql`), so `subject erase` selections match.
    let spool = metered_member(ctx, &inner, Some(display), dec, read_in, depth)?;
    if ctx.refused.is_some() {
        return Ok(());
    }
    // A binary stream left out: the container holds an empty one.
    let mut spool = match spool {
        Some(f) => f,
        None => tempfile::tempfile()?,
    };
    compress(kind, &mut spool, out)
}

/// Encodes `src` into `out` with the compressor of `kind`.
fn compress(kind: ContainerKind, src: &mut File, out: &mut dyn Write) -> io::Result<()> {
    match kind {
        ContainerKind::Gzip => {
            let mut e = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            io::copy(src, &mut e)?;
            e.finish()?.flush()
        }
        ContainerKind::Bzip2 => {
            let mut e = bzip2::write::BzEncoder::new(out, bzip2::Compression::default());
            io::copy(src, &mut e)?;
            e.finish()?.flush()
        }
        ContainerKind::Xz => {
            let mut e = lzma_rust2::XzWriter::new(out, lzma_rust2::XzOptions::with_preset(6))?;
            io::copy(src, &mut e)?;
            e.finish()?.flush()
        }
        _ => {
            // The zstd encoder unwraps I/O results: hand it ends that
            // never fail and keep the first error for ourselves.
            let mut failed: Option<io::Error> = None;
            {
                let reader = Sticky {
                    inner: BufReader::new(&mut *src),
                    failed: &mut failed,
                };
                let mut writer = Sticky {
                    inner: &mut *out,
                    failed: &mut None,
                };
                ruzstd::encoding::compress(
                    reader,
                    &mut writer,
                    ruzstd::encoding::CompressionLevel::Fastest,
                );
                if let Some(e) = writer.failed.take() {
                    return Err(e);
                }
            }
            match failed {
                Some(e) => Err(e),
                None => out.flush(),
            }
        }
    }
}

/// Reads or writes through `inner`; the first error is kept and later
/// calls do nothing (a read returns end of input, a write swallows).
struct Sticky<'e, T> {
    inner: T,
    failed: &'e mut Option<io::Error>,
}

impl<T: Read> Read for Sticky<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failed.is_some() {
            return Ok(0);
        }
        self.inner.read(buf).or_else(|e| {
            *self.failed = Some(e);
            Ok(0)
        })
    }
}

impl<T: Write> Write for Sticky<'_, T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed.is_none()
            && let Err(e) = self.inner.write_all(buf)
        {
            *self.failed = Some(e);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failed.is_none()
            && let Err(e) = self.inner.flush()
        {
            *self.failed = Some(e);
        }
        Ok(())
    }
}

/// One stream inside a container: a nested container, or text to redact
/// (and repair, as a plain file is). Returns its new bytes, spooled and
/// rewound, or `None` when it is left out (binary, not copied).
/// [`member`] on the output of one decompressing layer, metered against
/// the limits (total expanded bytes, and this layer's ratio to
/// `compressed`, its compressed input so far).
fn metered_member(
    ctx: &mut Ctx<'_>,
    display: &str,
    container_display: Option<&str>,
    layer: impl Read,
    compressed: Rc<Cell<u64>>,
    depth: u32,
) -> io::Result<Option<File>> {
    let mut expanded = ctx.expanded;
    let limits = ctx.limits;
    let mut metered = Meter::new(layer, &mut expanded, &limits, compressed);
    let spool = member(ctx, display, container_display, &mut metered, depth);
    ctx.expanded = ctx.expanded.max(expanded);
    spool
}

/// `display` names the stream as text, `container_display` (when given)
/// as a container.
fn member(
    ctx: &mut Ctx<'_>,
    display: &str,
    container_display: Option<&str>,
    input: &mut dyn Read,
    depth: u32,
) -> io::Result<Option<File>> {
    let mut peek = Vec::with_capacity(PEEK_LEN);
    input.take(PEEK_LEN as u64).read_to_end(&mut peek)?;
    let mut spool = tempfile::tempfile()?;
    if let Some(kind) = scan_container::detect(display, &peek) {
        let mut w = BufWriter::new(&mut spool);
        rewrite(
            ctx,
            container_display.unwrap_or(display),
            kind,
            Box::new(Cursor::new(peek).chain(input)),
            &mut w,
            depth + 1,
        )?;
        w.flush()?;
        drop(w);
        spool.seek(SeekFrom::Start(0))?;
        return Ok(Some(spool));
    }
    let mut reader = Cursor::new(peek).chain(input);
    // `subject erase` selects spans per member (`archive!/member`): a
    // member without any is copied as it is, one with some has exactly
    // those replaced.
    let only = ctx.s.options.only.clone();
    let selected = only.as_deref().map(|sel| sel.get(display));
    if let Some(None) = selected {
        io::copy(&mut reader, &mut spool)?;
        spool.seek(SeekFrom::Start(0))?;
        return Ok(Some(spool));
    }
    let r = {
        let mut w = BufWriter::with_capacity(64 * 1024, &mut spool);
        let r = stream::redact_stream_only(
            &ctx.s.config,
            ctx.scanner,
            ctx.verifier,
            display,
            &mut reader,
            &mut w,
            &mut *ctx.sink,
            selected.flatten().map(|spans| (spans, Vec::new())),
        )?;
        w.flush()?;
        r
    };
    match r {
        Ok(first) => {
            let o = super::repair(
                ctx.s,
                ctx.scanner,
                ctx.verifier,
                display,
                &mut spool,
                first,
                &mut tempfile::tempfile,
                |f| f,
                &mut *ctx.sink,
            )?;
            ctx.bytes += o.bytes;
            ctx.replaced += o.replaced;
            for (k, n) in o.tally {
                *ctx.tally.entry(k).or_default() += n;
            }
            merge(&mut ctx.verdict, o.verdict);
        }
        Err(bin) => {
            if !ctx.s.options.copy_unscanned {
                if ctx.omitted.len() < 100 {
                    ctx.omitted.push(display.to_string());
                }
                return Ok(None);
            }
            spool.write_all(&bin.prefix)?;
            io::copy(&mut reader, &mut spool)?;
        }
    }
    spool.seek(SeekFrom::Start(0))?;
    Ok(Some(spool))
}

fn merge(into: &mut Verdict, v: Verdict) {
    into.residual_count += v.residual_count;
    for r in v.residual {
        if into.residual.len() < 100 {
            into.residual.push(r);
        }
    }
    if into.error.is_none() {
        into.error = v.error;
    }
}

fn next_entry(ctx: &mut Ctx<'_>) -> bool {
    ctx.entries += 1;
    if ctx.entries > ctx.limits.max_entries {
        ctx.refused = Some(format!(
            "decompression limit: more than {} entries",
            ctx.limits.max_entries
        ));
        return false;
    }
    true
}

fn rewrite_tar(
    ctx: &mut Ctx<'_>,
    display: &str,
    input: Box<dyn Read + '_>,
    out: &mut dyn Write,
    depth: u32,
) -> io::Result<()> {
    let mut archive = tar::Archive::new(input);
    let mut builder = tar::Builder::new(out);
    builder.mode(tar::HeaderMode::Complete);
    for entry in archive.entries()? {
        if !next_entry(ctx) {
            return Ok(());
        }
        let mut entry = entry?;
        let header = entry.header().clone();
        let path = entry.path()?.into_owned();
        let name = path.to_string_lossy().trim_start_matches("./").to_string();
        let regular = matches!(
            header.entry_type(),
            tar::EntryType::Regular | tar::EntryType::Continuous
        );
        if !regular {
            // Directories, links, devices: no content to redact.
            let link = entry.link_name()?.map(|l| l.into_owned());
            let mut h = header.clone();
            match link {
                Some(l) => builder.append_link(&mut h, &path, l)?,
                None => builder.append_data(&mut h, &path, io::empty())?,
            }
            continue;
        }
        let spool = member(ctx, &format!("{display}!/{name}"), None, &mut entry, depth)?;
        if ctx.refused.is_some() {
            return Ok(());
        }
        let Some(spool) = spool else { continue };
        let mut h = header.clone();
        h.set_size(spool.metadata()?.len());
        builder.append_data(&mut h, &path, spool)?;
    }
    builder.into_inner()?.flush()
}

fn rewrite_zip(
    ctx: &mut Ctx<'_>,
    display: &str,
    mut input: Box<dyn Read + '_>,
    out: &mut dyn Write,
    depth: u32,
) -> io::Result<()> {
    // A zip's directory is at its end: read it from a seekable copy.
    let mut src = tempfile::tempfile()?;
    io::copy(&mut input, &mut src)?;
    src.seek(SeekFrom::Start(0))?;
    let mut archive = zip::ZipArchive::new(src).map_err(zip_err)?;
    let mut writer = zip::ZipWriter::new(tempfile::tempfile()?);
    for i in 0..archive.len() {
        if !next_entry(ctx) {
            return Ok(());
        }
        let mut f = archive.by_index(i).map_err(zip_err)?;
        let name = f.name().map_err(zip_err)?.to_string();
        let method = match f.compression() {
            zip::CompressionMethod::Stored => zip::CompressionMethod::Stored,
            _ => zip::CompressionMethod::Deflated,
        };
        let mut opts = zip::write::SimpleFileOptions::default().compression_method(method);
        if let Some(t) = f.last_modified() {
            opts = opts.last_modified_time(t);
        }
        if let Some(m) = f.unix_mode() {
            opts = opts.unix_permissions(m);
        }
        if f.is_dir() {
            writer.add_directory(name, opts).map_err(zip_err)?;
            continue;
        }
        // Metered like a compressed layer: a zip bomb must not fill the
        // disk through the spool before any limit is seen.
        let declared = Rc::new(Cell::new(f.compressed_size()));
        let spool = metered_member(
            ctx,
            &format!("{display}!/{name}"),
            None,
            &mut f,
            declared,
            depth,
        )?;
        if ctx.refused.is_some() {
            return Ok(());
        }
        let Some(mut spool) = spool else { continue };
        writer.start_file(name, opts).map_err(zip_err)?;
        io::copy(&mut spool, &mut writer)?;
    }
    let mut done = writer.finish().map_err(zip_err)?;
    done.seek(SeekFrom::Start(0))?;
    io::copy(&mut done, out)?;
    Ok(())
}

fn zip_err(e: zip::result::ZipError) -> io::Error {
    io::Error::other(format!("zip: {e}"))
}

/// Findings at or above the threshold in a container we cannot rewrite,
/// read the way `piiscan scan` reads it. `Err` when it cannot be read.
fn count_findings(
    ctx: &mut Ctx<'_>,
    display: &str,
    kind: ContainerKind,
    file: &mut File,
) -> io::Result<Result<u64, String>> {
    let len = file.metadata().ok().map(|m| m.len());
    let mut n = 0u64;
    let mut problem: Option<String> = None;
    let config = &ctx.s.config;
    let scanner = &mut *ctx.scanner;
    let mut leaf = |l: Leaf<'_>| match l {
        Leaf::Stream { display, reader } => {
            let r = scanner.scan(
                &config.engine,
                reader,
                &display,
                config.input_format,
                config.encoding,
                |l| {
                    if l.detection.confidence >= config.min_confidence {
                        n += 1;
                    }
                },
            );
            if let Err(e) = r {
                problem.get_or_insert(format!("{display}: {}", crate::app::io_message(&e)));
            }
        }
        Leaf::Skipped { display, reason } => {
            problem.get_or_insert(format!("{display}: {reason}"));
        }
        Leaf::Error { display, message } => {
            problem.get_or_insert(format!("{display}: {message}"));
        }
    };
    let f = file.try_clone()?;
    scan_container::expand_seekable(display, kind, Box::new(f), len, &ctx.limits, &mut leaf);
    Ok(match problem {
        // Something inside could not be checked: not safe to copy.
        Some(p) if n == 0 => Err(format!("cannot check this {} container: {p}", kind.name())),
        _ => Ok(n),
    })
}
