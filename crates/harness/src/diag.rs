//! Source positions and the one excerpt renderer every file-level error uses.
//!
//! An error that comes from a file knows only its byte span; this module turns that span into
//! `file:line:column` and draws the faulty line with carets, in the style of rustc and Hurl.
//!
//! May use nothing of the crate.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A position in a source file, 1-based, as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub column: usize,
}

/// Converts a byte offset of `source` into a line and column.
pub fn line_col(source: &str, offset: usize) -> LineCol {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(1, |s| s.chars().count() + 1);
    LineCol { line, column }
}

/// An error located in a file: message, position and the excerpt that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file the error is in.
    pub path: PathBuf,
    /// Where in the file it starts.
    pub at: LineCol,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The faulty line with carets under the span (may be empty when the file is unreadable).
    pub excerpt: String,
}

impl FileError {
    /// Builds an error for `span` of `source`, the text of `path`.
    pub fn new(path: &Path, source: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let at = line_col(source, span.start);
        Self {
            path: path.to_path_buf(),
            at,
            message: message.into(),
            excerpt: excerpt(source, span, at),
        }
    }

    /// Builds an error that has no position in the file (it could not be read at all).
    pub fn unreadable(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            at: LineCol { line: 1, column: 1 },
            message: message.into(),
            excerpt: String::new(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        write!(f, "  --> {}:{}:{}", self.path.display(), self.at.line, self.at.column)?;
        if !self.excerpt.is_empty() {
            write!(f, "\n{}", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for FileError {}

/// Draws the line that holds `span` with carets under it.
fn excerpt(source: &str, span: Range<usize>, at: LineCol) -> String {
    let Some(text) = source.lines().nth(at.line - 1) else {
        return String::new();
    };
    let width = source
        .get(span.start.min(source.len())..span.end.min(source.len()))
        .map_or(1, |s| s.lines().next().unwrap_or("").chars().count())
        .max(1);
    let available = text.chars().count().saturating_sub(at.column - 1).max(1);
    let number = at.line.to_string();
    let pad = " ".repeat(number.len());
    format!(
        "{pad} |\n{number} | {text}\n{pad} | {}{}",
        " ".repeat(at.column - 1),
        "^".repeat(width.min(available))
    )
}

/// `; did you mean A, B?` for a message, or nothing when there is no suggestion.
pub fn did_you_mean<S: AsRef<str>>(names: &[S]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    format!("; did you mean {}?", names.join(", "))
}

/// The candidates nearest to `name` by edit distance (Levenshtein, ASCII case ignored),
/// nearest first and then in the candidates' order, at most `most` of them, each within `within`
/// edits: the one helper behind every "did you mean".
pub fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    within: usize,
    most: usize,
) -> Vec<&'a str> {
    let name = name.to_ascii_lowercase();
    let mut ranked: Vec<(usize, usize, &str)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| (strsim::levenshtein(&name, &c.to_ascii_lowercase()), i, c))
        .filter(|(d, _, _)| *d <= within)
        .collect();
    ranked.sort();
    let mut out: Vec<&str> = Vec::new();
    for (_, _, candidate) in ranked {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
        if out.len() == most {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0, 1, 1)]
    #[case(4, 1, 5)]
    #[case(6, 1, 7)]
    #[case(7, 2, 1)]
    #[case(10, 2, 4)]
    #[case(999, 3, 4)]
    fn offsets_become_line_and_column(#[case] offset: usize, #[case] line: usize, #[case] column: usize) {
        let source = "id = 1\nab = 2\nxyz";
        assert_eq!(line_col(source, offset), LineCol { line, column });
    }

    #[test]
    fn display_names_file_line_column_and_draws_carets() {
        let source = "id = \"a\"\nmethod = 5\n";
        let error = FileError::new(Path::new("cases/x.toml"), source, 18..19, "wrong type");
        let text = error.to_string();
        assert!(text.contains("cases/x.toml:2:10"), "{text}");
        assert!(text.contains("2 | method = 5"), "{text}");
        assert!(text.contains("  |          ^"), "{text}");
    }
}
