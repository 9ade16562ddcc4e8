//! The command line: arguments (`args`, clap, converted to library configuration) and one module
//! per command family: `run` (run, list), `serve`, `reports` (coverage, report, diff).

mod args;
pub mod reports;
pub mod run;
pub mod serve;

pub use args::*;

use std::path::{Path, PathBuf};

/// The case directory: `--cases`, else `./cases`, else the suite's own.
pub fn cases_dir(given: Option<&PathBuf>) -> PathBuf {
    project_dir(given, "cases")
}

/// The snapshot directory: `--snapshot-dir`, else `./snapshots`, else the suite's own.
pub fn snapshots_dir(given: Option<&PathBuf>) -> PathBuf {
    project_dir(given, "snapshots")
}

fn project_dir(given: Option<&PathBuf>, name: &str) -> PathBuf {
    if let Some(dir) = given {
        return dir.clone();
    }
    let local = Path::new(name);
    if local.is_dir() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}
