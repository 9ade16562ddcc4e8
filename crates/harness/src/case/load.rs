//! Case files to cases: parsing and validating one file's TOML. Every error names file, line and
//! column. Finding and reading the files is `corpus`'s job.

use super::model::*;
use super::raw::*;
use super::validate::Validator;
use crate::diag::FileError;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// The spec inventory's file name: a case directory may hold it, and it is not a case.
pub const INVENTORY_FILE: &str = "inventory.toml";

/// Case files larger than this are refused before parsing (1 MiB).
pub const MAX_CASE_FILE_BYTES: u64 = 1024 * 1024;

/// The error for a second case with the id of an earlier one.
pub fn duplicate_id(path: &Path, source: &str, id: &str, first: &Path) -> FileError {
    FileError::new(
        path,
        source,
        id_span(source),
        format!("duplicate case id `{id}`, first defined in {}", first.display()),
    )
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
