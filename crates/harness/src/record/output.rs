//! Output files: checked before a run sends its first request, written atomically after it (a
//! temporary file beside the target, then a rename), so a reader never sees half a report. The
//! path `-` is standard output, as Unix tools take it.

use crate::error::Error;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The directory `path` will be written in.
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    directory_of(path).join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Fails unless `path` can be written: its directory exists, is a directory and accepts a file;
/// `path` itself is not a directory.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    if is_stdout(path) {
        return Ok(());
    }
    let dir = directory_of(path);
    if !dir.is_dir() {
        return Err(Error::output(
            path,
            format!("the directory {} does not exist", dir.display()),
        ));
    }
    if path.is_dir() {
        return Err(Error::output(path, "it is a directory"));
    }
    let probe = temporary_beside(path);
    std::fs::File::create(&probe).map_err(|e| Error::output(path, format!("the directory is not writable: {e}")))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// True for `-`: standard output.
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// Writes `text` to `path` atomically (`-`: to standard output; a reader that went away is no
/// error).
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    if is_stdout(path) {
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::output(path, e)),
            _ => Ok(()),
        };
    }
    let temporary = temporary_beside(path);
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(text.as_bytes()).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(Error::output(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("missing").join("junit.xml");
        let error = check_writable(&path).expect_err("refused");
        assert!(error.to_string().contains("does not exist"), "{error}");
    }

    #[test]
    fn writes_replace_the_file_whole_and_leave_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("results.json");
        check_writable(&path).expect("writable");
        write_atomic(&path, "one").expect("written");
        write_atomic(&path, "two").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").flatten().collect();
        assert_eq!(names.len(), 1);
    }
}
