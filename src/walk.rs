//! The parallel walker: turns the paths a user gave into a stream of
//! entries for the workers, on all cores (the `ignore` crate's
//! `WalkParallel`, as ripgrep does).
//!
//! Owns the walk policy. Defaults suit a compliance scan: .gitignore and
//! .ignore files are NOT honoured, hidden files ARE scanned, symlinks are
//! not followed; a flag changes each. Everything that is not scanned is
//! reported as an [`Entry::Skipped`] or [`Entry::Error`] with a reason,
//! never dropped silently. It does not open or read files.

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub threads: usize,
    pub respect_gitignore: bool,
    pub skip_hidden: bool,
    pub follow_links: bool,
    /// ripgrep-style globs; `!glob` excludes.
    pub globs: Vec<String>,
    pub max_filesize: Option<u64>,
    /// Only the files of this shard (`--shard K/N`); see [`crate::shard`].
    pub shard: Option<crate::shard::Shard>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            respect_gitignore: false,
            skip_hidden: false,
            follow_links: false,
            globs: Vec::new(),
            max_filesize: None,
            shard: None,
        }
    }
}

/// One thing the walk produced.
#[derive(Debug)]
pub enum Entry {
    /// A file to read. Inside a tree only regular files are; a path the
    /// user named explicitly (a FIFO from `<(cmd)` too) is read as given.
    File {
        path: PathBuf,
        display: String,
        size: u64,
        /// Modification time, from the same `stat` as `size`.
        modified: Option<std::time::SystemTime>,
    },
    /// Standard input (`-`).
    Stdin,
    Skipped {
        display: String,
        reason: String,
    },
    Error {
        display: String,
        message: String,
    },
}

/// Checks the glob list once, before any walking, so a bad glob is a fatal
/// error with a clear message.
pub fn check_globs(globs: &[String]) -> Result<(), String> {
    overrides(globs).map(|_| ())
}

fn overrides(globs: &[String]) -> Result<ignore::overrides::Override, String> {
    let mut b = OverrideBuilder::new(".");
    for g in globs {
        b.add(g).map_err(|e| format!("bad glob {g:?}: {e}"))?;
    }
    b.build().map_err(|e| e.to_string())
}

/// Walks `paths` ("-" is stdin) with `opts`, calling a visitor made by
/// `make_visitor` on each worker thread. A visitor returning false stops
/// the walk (output is gone).
pub fn walk<F, V>(paths: &[PathBuf], opts: &WalkOptions, make_visitor: F)
where
    F: Fn() -> V + Sync,
    V: FnMut(Entry) -> bool + Send + 'static,
{
    let mut roots: Vec<&PathBuf> = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            if opts.shard.is_some_and(|s| !s.takes_stdin()) {
                continue;
            }
            if !make_visitor()(Entry::Stdin) {
                return;
            }
        } else {
            roots.push(p);
        }
    }
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let mut b = WalkBuilder::new(first);
    for p in rest {
        b.add(p);
    }
    b.threads(opts.threads.max(1))
        .hidden(opts.skip_hidden)
        .git_ignore(opts.respect_gitignore)
        .git_global(opts.respect_gitignore)
        .git_exclude(opts.respect_gitignore)
        .ignore(opts.respect_gitignore)
        .parents(opts.respect_gitignore)
        .require_git(false)
        .follow_links(opts.follow_links);
    if !opts.globs.is_empty()
        && let Ok(o) = overrides(&opts.globs)
    {
        b.overrides(o);
    }
    let shard = opts.shard;
    b.build_parallel().run(|| {
        let mut visit = make_visitor();
        Box::new(move |res| {
            let entry = match res {
                Ok(e) if !in_shard(shard, &e) => None,
                Ok(e) => classify(e),
                Err(err) => match walk_error(err) {
                    // An error is reported by the shard its path is in (by
                    // its file name: the walk error does not say the root).
                    Entry::Error { display, .. }
                        if shard.is_some_and(|s| {
                            !s.contains(&crate::shard::key(Path::new(&display), 0))
                        }) =>
                    {
                        None
                    }
                    e => Some(e),
                },
            };
            match entry {
                Some(e) => {
                    if visit(e) {
                        WalkState::Continue
                    } else {
                        WalkState::Quit
                    }
                }
                None => WalkState::Continue,
            }
        })
    });
}

/// Whether a walked entry belongs to this run's shard. Directories always
/// do: the files below them are split one by one.
fn in_shard(shard: Option<crate::shard::Shard>, e: &ignore::DirEntry) -> bool {
    match shard {
        None => true,
        Some(_) if e.file_type().is_some_and(|t| t.is_dir()) => true,
        Some(s) => s.contains(&crate::shard::key(e.path(), e.depth())),
    }
}

fn classify(e: ignore::DirEntry) -> Option<Entry> {
    let display = display_path(e.path());
    let Some(ft) = e.file_type() else {
        return Some(Entry::Stdin);
    };
    if ft.is_dir() {
        return None;
    }
    let explicit = e.depth() == 0;
    if !explicit && crate::private_file::is_own_temp(e.file_name()) {
        return Some(Entry::Skipped {
            display,
            reason: "piiscan temporary file (left by an interrupted run)".into(),
        });
    }
    if ft.is_symlink() {
        return Some(Entry::Skipped {
            display,
            reason: "symlink (use --follow)".into(),
        });
    }
    if !ft.is_file() && !explicit {
        return Some(Entry::Skipped {
            display,
            reason: "not a regular file".into(),
        });
    }
    let (size, modified) = match e.metadata() {
        Ok(m) => (m.len(), m.modified().ok()),
        Err(err) => {
            return Some(Entry::Error {
                display,
                message: err.to_string(),
            });
        }
    };
    Some(Entry::File {
        path: e.into_path(),
        display,
        size,
        modified,
    })
}

fn walk_error(err: ignore::Error) -> Entry {
    // Dig out the path the error names, so the event says which file.
    fn find_path(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find_path(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    fn root_cause(err: &ignore::Error) -> String {
        match err {
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => root_cause(err),
            ignore::Error::Io(e) => crate::app::io_message(e),
            ignore::Error::Loop { ancestor, .. } => {
                format!("symlink loop back to {}", display_path(ancestor))
            }
            other => other.to_string(),
        }
    }
    Entry::Error {
        display: find_path(&err).map(display_path).unwrap_or_default(),
        message: root_cause(&err),
    }
}

/// Paths as printed in reports (lossy for names that are not UTF-8).
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./")
        .map(str::to_string)
        .unwrap_or_else(|| s.into_owned())
}
