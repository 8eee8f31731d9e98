//! Writing the files piiscan keeps about a scan (baselines, incremental
//! state): readable by the owner only (0600) and replaced atomically, so a
//! crash or a full disk never leaves a half-written file where a good one
//! was. They hold fingerprints and masked previews, never values, but
//! still say where personal data lives.

use std::io::{self, Write};
use std::path::Path;

/// Every temporary file piiscan writes beside a target (redacted outputs,
/// erasures, state and baselines) is named `.piiscan-XXXXXX.tmp`, and
/// renamed over the target when complete. A killed run leaves it behind.
pub const TEMP_PREFIX: &str = ".piiscan-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// A temporary file of piiscan's own, by its name: the walker skips
/// these (and says so), since an interrupted run's leftovers are partial
/// copies, not inputs (a half-written gzip would otherwise fail the next
/// run over the same tree).
pub fn is_own_temp(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.len() > TEMP_PREFIX.len() + TEMP_SUFFIX.len()
        && name.starts_with(TEMP_PREFIX.as_bytes())
        && name.ends_with(TEMP_SUFFIX.as_bytes())
}

/// A `tempfile` builder for [`TEMP_PREFIX`]…[`TEMP_SUFFIX`] names.
pub fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    b
}

/// Writes `path` through a temporary file in the same directory (created
/// 0600 by `tempfile`), synced, then renamed over the target.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = temp_builder().tempfile_in(dir)?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    restrict(tmp.as_file())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn restrict(f: &std::fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // tempfile already creates 0600; say it here so it never depends on that.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_f: &std::fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_private_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A failed write leaves the old file and no temporary behind.
        let err = write_atomic(&p, |_| Err(io::Error::other("boom")));
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
