//! Redacting inside containers: a `.gz` is rewritten as a gzip stream, a
//! `.tar` (and `.tar.gz`, `.tgz`) as a tar, a `.zip` as a zip, nested as
//! deep as the scan's limits allow, each text stream inside redacted by
//! [`super::stream`] and re-scanned on its own.
//!
//! Owns the container walk of the redactor: decompress → redact → compress
//! again, members spooled to unnamed temporary files (mode 0600, deleted on
//! close) because a tar header and a zip entry need the new size first;
//! tar headers (name, mode, owner, times) and zip entry metadata (name,
//! method, time, Unix mode) are carried over. The limits of
//! [`crate::source::container::Limits`] (expanded bytes, depth, entries)
//! stop bombs.
//!
//! A member whose re-scan still finds values gets no repair pass here (a
//! plain file does): the whole container is then not kept.
//!
//! Not rewritten: zstd, bzip2 and xz streams, e-mail and mbox, Office
//! files. One of those is scanned as the scan would; with no finding it is
//! copied unchanged, with findings it is refused (an error, nothing
//! written) rather than passed on with the values inside.

use super::Shared;
use super::stream::{self, StreamOutcome};
use super::verify::{Verdict, Verifier};
use super::writer::Replaced;
use crate::source::StreamScanner;
use crate::source::container::{self as scan_container, ContainerKind, Leaf, Limits, PEEK_LEN};
use std::cell::Cell;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
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

struct Ctx<'a, 'b> {
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
    _b: std::marker::PhantomData<&'b ()>,
}

/// How one member went.
enum Member {
    Written,
    /// Left out of the rewritten container (binary, not copied).
    Omitted,
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
    mut file: std::fs::File,
    out: &mut dyn Write,
    sink: &mut dyn FnMut(Vec<Replaced>),
) -> io::Result<Outcome> {
    let mut ctx = Ctx {
        s,
        scanner,
        verifier,
        sink,
        limits: Limits::default(),
        expanded: 0,
        entries: 0,
        bytes: 0,
        replaced: 0,
        tally: Default::default(),
        verdict: Verdict::default(),
        omitted: Vec::new(),
        refused: None,
        _b: std::marker::PhantomData,
    };
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
    // A decoder crate meeting hostile input must not take the worker
    // down: a panic becomes a refusal of this input.
    let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rewrite(&mut ctx, display, kind, input, out, 1)
    })) {
        Ok(r) => r,
        Err(_) => {
            return Ok(Outcome::Refused(format!(
                "internal error while rewriting this {} container; not written",
                kind.name()
            )));
        }
    };
    if let Some(why) = ctx.refused {
        return Ok(Outcome::Refused(why));
    }
    r?;
    Ok(Outcome::Container {
        bytes: ctx.bytes,
        replaced: ctx.replaced,
        tally: ctx.tally,
        verdict: ctx.verdict,
        omitted: ctx.omitted,
    })
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
            "a {} stream cannot be redacted (gzip, tar and zip can); nothing written",
            kind.name()
        )));
    }
    let mut ctx = Ctx {
        s,
        scanner,
        verifier,
        sink,
        limits: Limits::default(),
        expanded: 0,
        entries: 0,
        bytes: 0,
        replaced: 0,
        tally: Default::default(),
        verdict: Verdict::default(),
        omitted: Vec::new(),
        refused: None,
        _b: std::marker::PhantomData,
    };
    let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rewrite(&mut ctx, display, kind, input, out, 1)
    })) {
        Ok(r) => r,
        Err(_) => {
            return Ok(Outcome::Refused(format!(
                "internal error while rewriting this {} stream",
                kind.name()
            )));
        }
    };
    if let Some(why) = ctx.refused {
        return Ok(Outcome::Refused(why));
    }
    r?;
    Ok(Outcome::Container {
        bytes: ctx.bytes,
        replaced: ctx.replaced,
        tally: ctx.tally,
        verdict: ctx.verdict,
        omitted: ctx.omitted,
    })
}

fn supported(kind: ContainerKind) -> bool {
    matches!(
        kind,
        ContainerKind::Gzip | ContainerKind::Tar | ContainerKind::Zip
    )
}

fn unsupported(kind: ContainerKind, n: u64) -> String {
    format!(
        "{n} finding(s) inside a {} container, which redact cannot rewrite yet; not written",
        kind.name()
    )
}

/// `x.sql.gz` → `x.sql`, `x.tgz` → `x.tar`.
fn gzip_stem(display: &str) -> String {
    let base = display.rsplit(['/', '\\']).next().unwrap_or(display);
    let lower = base.to_ascii_lowercase();
    for (ext, rep) in [(".tgz", ".tar"), (".gz", ""), (".gzip", "")] {
        if lower.ends_with(ext) && base.len() > ext.len() {
            return format!("{}{rep}", &base[..base.len() - ext.len()]);
        }
    }
    base.to_string()
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
    ctx: &mut Ctx<'_, '_>,
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
        ContainerKind::Gzip => {
            let mut expanded = ctx.expanded;
            let limits = ctx.limits;
            let stem = gzip_stem(display);
            let inner_display = format!("{display}!/{stem}");
            let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            {
                let read_in = Rc::new(Cell::new(0));
                let counted = Counted {
                    inner: input,
                    n: read_in.clone(),
                };
                let dec = flate2::read::MultiGzDecoder::new(counted);
                let mut metered = Meter::new(dec, &mut expanded, &limits, read_in);
                member(ctx, &inner_display, &mut metered, &mut enc, depth)?;
            }
            ctx.expanded = ctx.expanded.max(expanded);
            enc.finish()?.flush()
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

/// One stream inside a container: a nested container, or text to redact.
fn member(
    ctx: &mut Ctx<'_, '_>,
    display: &str,
    input: &mut dyn Read,
    out: &mut dyn Write,
    depth: u32,
) -> io::Result<Member> {
    let mut peek = Vec::with_capacity(PEEK_LEN);
    input.take(PEEK_LEN as u64).read_to_end(&mut peek)?;
    if let Some(kind) = scan_container::detect(display, &peek) {
        rewrite(
            ctx,
            display,
            kind,
            Box::new(Cursor::new(peek).chain(input)),
            out,
            depth + 1,
        )?;
        return Ok(Member::Written);
    }
    let mut reader = Cursor::new(peek).chain(input);
    let r = stream::redact_stream(
        &ctx.s.config,
        ctx.scanner,
        ctx.verifier,
        display,
        &mut reader,
        out,
        &mut *ctx.sink,
    )?;
    match r {
        Ok(o) => {
            ctx.bytes += o.bytes;
            ctx.replaced += o.replaced;
            for (k, n) in o.tally {
                *ctx.tally.entry(k).or_default() += n;
            }
            merge(&mut ctx.verdict, o.verdict);
            Ok(Member::Written)
        }
        Err(bin) => {
            if ctx.s.options.copy_unscanned {
                out.write_all(&bin.prefix)?;
                io::copy(&mut reader, out)?;
                Ok(Member::Written)
            } else {
                if ctx.omitted.len() < 100 {
                    ctx.omitted.push(display.to_string());
                }
                Ok(Member::Omitted)
            }
        }
    }
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

fn next_entry(ctx: &mut Ctx<'_, '_>) -> bool {
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
    ctx: &mut Ctx<'_, '_>,
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
        let mut spool = tempfile::tempfile()?;
        let inner = format!("{display}!/{name}");
        let written = {
            let mut w = io::BufWriter::new(&mut spool);
            let m = member(ctx, &inner, &mut entry, &mut w, depth)?;
            w.flush()?;
            m
        };
        if ctx.refused.is_some() {
            return Ok(());
        }
        if let Member::Omitted = written {
            continue;
        }
        let len = spool.seek(SeekFrom::End(0))?;
        spool.seek(SeekFrom::Start(0))?;
        let mut h = header.clone();
        h.set_size(len);
        builder.append_data(&mut h, &path, &mut spool)?;
    }
    builder.into_inner()?.flush()
}

fn rewrite_zip(
    ctx: &mut Ctx<'_, '_>,
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
        let mut spool = tempfile::tempfile()?;
        let inner = format!("{display}!/{name}");
        // Metered like a gzip layer: a zip bomb must not fill the disk
        // through the spool before any limit is seen.
        let mut expanded = ctx.expanded;
        let limits = ctx.limits;
        let declared = Rc::new(Cell::new(f.compressed_size()));
        let written = {
            let mut w = io::BufWriter::new(&mut spool);
            let mut metered = Meter::new(&mut f, &mut expanded, &limits, declared);
            let m = member(ctx, &inner, &mut metered, &mut w, depth)?;
            w.flush()?;
            m
        };
        ctx.expanded = ctx.expanded.max(expanded);
        if ctx.refused.is_some() {
            return Ok(());
        }
        if let Member::Omitted = written {
            continue;
        }
        spool.seek(SeekFrom::Start(0))?;
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
    ctx: &mut Ctx<'_, '_>,
    display: &str,
    kind: ContainerKind,
    file: &mut std::fs::File,
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
