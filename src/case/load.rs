//! Case files to cases: finding the files, reading them within a size limit, parsing the TOML,
//! checking ids are unique, and the digest of a case set. Every error names file, line and column.

use super::model::*;
use super::raw::*;
use super::validate::Validator;
use crate::diag::FileError;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The spec inventory's file name: a case directory may hold it, and it is not a case.
pub const INVENTORY_FILE: &str = "inventory.toml";

/// Case files larger than this are refused before parsing (1 MiB).
pub const MAX_CASE_FILE_BYTES: u64 = 1024 * 1024;

/// Loads every `*.toml` file under `dir` but the inventory (recursively, sorted by path) and
/// checks that ids are unique.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>, FileError> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.retain(|p| !p.ends_with(INVENTORY_FILE));
    files.sort();
    let mut cases: Vec<Case> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in files {
        let source = read_source(&path)?;
        let case = parse_case(&path, &source)?;
        if let Some(first) = seen.get(&case.id) {
            let span = id_span(&source);
            return Err(FileError::new(
                &path,
                &source,
                span,
                format!("duplicate case id `{}`, first defined in {}", case.id, first.display()),
            ));
        }
        seen.insert(case.id.clone(), path.clone());
        cases.push(case);
    }
    Ok(cases)
}

/// `sha256:` of every `*.toml` under `dir` (cases and inventory), by relative path and content,
/// so results files can say which case set produced them.
pub fn digest_dir(dir: &Path) -> Result<String, FileError> {
    use sha2::{Digest, Sha256};
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| FileError::unreadable(&path, format!("cannot read: {e}")))?;
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
        hasher.update([0]);
    }
    let hex: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("sha256:{hex}"))
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), FileError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| FileError::unreadable(dir, format!("cannot read case directory: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| FileError::unreadable(dir, format!("cannot read entry: {e}")))?;
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

fn read_source(path: &Path) -> Result<String, FileError> {
    let size = std::fs::metadata(path)
        .map_err(|e| FileError::unreadable(path, format!("cannot read case file: {e}")))?
        .len();
    if size > MAX_CASE_FILE_BYTES {
        return Err(FileError::unreadable(
            path,
            format!("case file is {size} bytes; the limit is {MAX_CASE_FILE_BYTES}"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| FileError::unreadable(path, format!("cannot read case file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        FileError::new(path, &text, offset..offset + 1, "case file is not valid UTF-8")
    })
}

fn id_span(source: &str) -> Range<usize> {
    toml::from_str::<IdOnly>(source).map(|c| c.id.span()).unwrap_or(0..0)
}

#[derive(serde::Deserialize)]
struct IdOnly {
    id: Spanned<String>,
}

/// Parses and validates one case file's text.
pub fn parse_case(path: &Path, source: &str) -> Result<Case, FileError> {
    let raw: RawCase = toml::from_str(source).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        FileError::new(path, source, span, e.message().trim().to_string())
    })?;
    Validator::new(path, source).case(raw)
}
