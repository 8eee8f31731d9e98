//! Progress for people at a terminal: a bar (`indicatif`) on stderr with
//! files, bytes, findings, rate and, when the total is known, an ETA.
//!
//! Owns when progress shows (stderr is a terminal, no `--quiet`, and the
//! run has lasted a second: short runs never flash a bar) and drawing it.
//! It is a sink decorator: it sees the same results as the report and
//! passes them on untouched, so it adds no pass over the data. When stdout
//! is the same terminal, each report write happens with the bar cleared.
//!
//! The total is known only when every input is a named regular file (their
//! sizes cost one `stat` each); piiscan does not walk a tree twice just to
//! count it, so a directory scan shows a spinner with the rate instead of
//! an ETA. Bytes count when a file is done, so one huge file moves the bar
//! at its end.

use crate::app::{FileResult, FileStatus, Summary};
use crate::sink::Sink;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Runs shorter than this show no progress at all.
const DELAY: Duration = Duration::from_secs(1);
/// The message (files, findings) is rebuilt at most this often.
const MESSAGE_EVERY: Duration = Duration::from_millis(100);

/// Whether progress may show: stderr is a terminal and not `--quiet`.
pub fn wanted(quiet: bool, stderr_is_terminal: bool) -> bool {
    !quiet && stderr_is_terminal
}

/// The total bytes to scan, when it is cheap to know: every input is a
/// regular file named on the command line.
pub fn known_total(paths: &[PathBuf]) -> Option<u64> {
    let mut total = 0u64;
    for p in paths {
        if p.as_os_str() == "-" {
            return None;
        }
        let m = std::fs::metadata(p).ok()?;
        if !m.is_file() {
            return None;
        }
        total = total.saturating_add(m.len());
    }
    Some(total)
}

/// A sink that draws progress and forwards everything to `inner`.
pub struct ProgressSink {
    inner: Box<dyn Sink>,
    bar: ProgressBar,
    started: Instant,
    visible: bool,
    /// stdout is the same terminal: clear the bar around report writes.
    shared_terminal: bool,
    files: u64,
    findings: u64,
    last_message: Option<Instant>,
}

impl ProgressSink {
    pub fn new(
        inner: Box<dyn Sink>,
        total_bytes: Option<u64>,
        shared_terminal: bool,
    ) -> ProgressSink {
        let (bar, template) = match total_bytes {
            Some(total) => (
                ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden()),
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, ETA {eta}) {msg}",
            ),
            None => (
                ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
                "{spinner} [{elapsed_precise}] {bytes} ({bytes_per_sec}) {msg}",
            ),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        ProgressSink {
            inner,
            bar,
            started: Instant::now(),
            visible: false,
            shared_terminal,
            files: 0,
            findings: 0,
            last_message: None,
        }
    }

    fn update(&mut self) {
        if !self.visible && self.started.elapsed() >= DELAY {
            self.visible = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
        let due = self
            .last_message
            .is_none_or(|t| t.elapsed() >= MESSAGE_EVERY);
        if self.visible && due {
            self.last_message = Some(Instant::now());
            self.bar
                .set_message(format!("{} files, {} findings", self.files, self.findings));
        }
    }
}

impl Sink for ProgressSink {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        let written = if self.shared_terminal && self.visible {
            self.bar.suspend(|| self.inner.file(r))
        } else {
            self.inner.file(r)
        };
        self.findings += r.findings.len() as u64;
        if !matches!(r.status, FileStatus::Partial) {
            self.files += 1;
            self.bar.inc(r.bytes);
        }
        self.update();
        written
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        self.bar.finish_and_clear();
        self.inner.finish(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Recorder(Arc<Mutex<Vec<String>>>);
    impl Sink for Recorder {
        fn file(&mut self, r: &FileResult) -> io::Result<()> {
            self.0.lock().unwrap().push(r.path.clone());
            Ok(())
        }
        fn finish(&mut self, _s: &Summary) -> io::Result<()> {
            self.0.lock().unwrap().push("end".into());
            Ok(())
        }
    }

    #[test]
    fn shows_only_on_a_terminal_without_quiet() {
        assert!(wanted(false, true));
        assert!(!wanted(true, true));
        assert!(!wanted(false, false));
    }

    #[test]
    fn forwards_everything_and_counts() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut p = ProgressSink::new(Box::new(Recorder(seen.clone())), Some(10), false);
        for (path, status) in [
            ("a", FileStatus::Partial),
            ("a", FileStatus::Scanned),
            ("b", FileStatus::Skipped("binary".into())),
        ] {
            p.file(&FileResult {
                path: path.into(),
                status,
                bytes: 5,
                findings: Vec::new(),
            })
            .unwrap();
        }
        assert_eq!(p.files, 2);
        assert_eq!(p.bar.position(), 10);
        p.finish(&Summary::default()).unwrap();
        assert_eq!(*seen.lock().unwrap(), ["a", "a", "b", "end"]);
    }

    #[test]
    fn totals_only_for_named_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, "12345").unwrap();
        assert_eq!(known_total(&[a.clone(), a.clone()]), Some(10));
        assert_eq!(known_total(&[a.clone(), dir.path().to_path_buf()]), None);
        assert_eq!(known_total(&[PathBuf::from("-")]), None);
    }
}
