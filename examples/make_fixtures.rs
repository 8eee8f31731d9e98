//! Regenerates `fixtures/` (chat_ru.txt, nginx.log, app.log, export.csv and
//! EXPECTED.md) from `piiscan::eval::fixtures`. Deterministic: running it
//! twice changes nothing, and a unit test fails when the files on disk are
//! stale.
//!
//! ```text
//! cargo run --example make_fixtures [-- DIR]   # default: fixtures
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("fixtures"), PathBuf::from);
    match piiscan::eval::fixtures::write_all(&dir) {
        Ok(()) => {
            eprintln!("make_fixtures: wrote {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make_fixtures: {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
