//! The case corpus a run uses: the suite's own, compiled into the binary (so an installed binary
//! needs no source tree), or a directory the user names (`--cases DIR`). Either way it is a set of
//! TOML files by relative path; cases, the spec inventory and the digest come from those texts.

use crate::case::{self, Case, INVENTORY_FILE, MAX_CASE_FILE_BYTES};
use crate::corpus::inventory::{self, Inventory};
use crate::diag::FileError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The suite's own `cases/` directory, compiled in.
static BUILT_IN: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../cases");

/// Where a corpus came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The suite's own cases, compiled into the binary.
    BuiltIn,
    /// A directory given with `--cases`.
    Directory(PathBuf),
}

/// A corpus: every `*.toml` file, by path relative to its root, with its text.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Where it came from.
    pub origin: Origin,
    /// `(relative path, text)`, sorted by path.
    files: Vec<(PathBuf, String)>,
}

impl Corpus {
    /// The suite's own cases, as compiled into this binary.
    pub fn built_in() -> Self {
        let mut files = Vec::new();
        collect_built_in(&BUILT_IN, &mut files);
        files.sort();
        Self {
            origin: Origin::BuiltIn,
            files,
        }
    }

    /// Every `*.toml` under `dir`; errors name the file.
    pub fn from_dir(dir: &Path) -> Result<Self, FileError> {
        let mut paths = Vec::new();
        collect_paths(dir, &mut paths)?;
        let mut files = Vec::new();
        for (path, text) in paths.iter().zip(par_map(&paths, |p| read_source(p))) {
            files.push((path.strip_prefix(dir).unwrap_or(path).to_path_buf(), text?));
        }
        files.sort();
        Ok(Self {
            origin: Origin::Directory(dir.to_path_buf()),
            files,
        })
    }

    /// Loads every `*.toml` file under `dir` but the inventory (recursively, sorted by path) and
    /// checks that ids are unique: `from_dir(dir)?.cases()`.
    pub fn load_dir(dir: &Path) -> Result<Vec<Case>, FileError> {
        Self::from_dir(dir)?.cases()
    }

    /// `sha256:` of every `*.toml` under `dir` (cases and inventory), by relative path and
    /// content, so results files can say which case set produced them.
    pub fn digest_dir(dir: &Path) -> Result<String, FileError> {
        Ok(Self::from_dir(dir)?.digest())
    }

    /// `--cases DIR` when given, else the built-in corpus.
    pub fn chosen(dir: Option<&Path>) -> Result<Self, FileError> {
        match dir {
            Some(dir) => Self::from_dir(dir),
            None => Ok(Self::built_in()),
        }
    }

    /// The path a diagnostic names for a file: under the directory, or under `cases/` for the
    /// built-in corpus.
    fn shown(&self, relative: &Path) -> PathBuf {
        match &self.origin {
            Origin::BuiltIn => Path::new("cases").join(relative),
            Origin::Directory(dir) => dir.join(relative),
        }
    }

    /// The cases (every file but the inventory), ids unique, each with the areas of the items it
    /// cites when the corpus has an inventory.
    pub fn cases(&self) -> Result<Vec<Case>, FileError> {
        let has_inventory = self.files.iter().any(|(p, _)| p == Path::new(INVENTORY_FILE));
        let inventory = if has_inventory { Some(self.inventory()?) } else { None };
        let mut cases: Vec<Case> = Vec::new();
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        let files: Vec<&(PathBuf, String)> = self
            .files
            .iter()
            .filter(|(p, _)| !p.ends_with(INVENTORY_FILE))
            .collect();
        // Parsed on every core; the first error and the duplicate check stay in file order.
        let parsed = par_map(&files, |(relative, text)| case::parse_case(&self.shown(relative), text));
        for ((relative, text), case) in files.into_iter().zip(parsed) {
            let path = self.shown(relative);
            let case = case?;
            if let Some(first) = seen.get(&case.id) {
                return Err(case::duplicate_id(&path, text, &case.id, first));
            }
            seen.insert(case.id.clone(), path);
            let mut case = case;
            if let Some(inventory) = &inventory {
                case.areas = inventory.areas_of(&case.spec);
            }
            cases.push(case);
        }
        Ok(cases)
    }

    /// The spec inventory (`inventory.toml` at the root).
    pub fn inventory(&self) -> Result<Inventory, FileError> {
        let path = self.shown(Path::new(INVENTORY_FILE));
        let text = self
            .files
            .iter()
            .find(|(p, _)| p == Path::new(INVENTORY_FILE))
            .map(|(_, t)| t)
            .ok_or_else(|| FileError::unreadable(&path, "the corpus has no spec inventory"))?;
        inventory::parse(&path, text)
    }

    /// `sha256:` of every file by relative path and content (the same for the built-in corpus
    /// and a checkout of the same `cases/`).
    pub fn digest(&self) -> String {
        let mut digest = crate::digest::Sha256::new();
        for (relative, text) in &self.files {
            digest.update(relative.to_string_lossy().replace('\\', "/").as_bytes());
            digest.update(&[0]);
            digest.update(text.as_bytes());
            digest.update(&[0]);
        }
        digest.finish()
    }

    /// `built-in` or the directory, for `list` and the results file.
    pub fn describe(&self) -> String {
        match &self.origin {
            Origin::BuiltIn => "built-in".into(),
            Origin::Directory(dir) => dir.display().to_string(),
        }
    }
}

fn collect_built_in(dir: &include_dir::Dir<'_>, files: &mut Vec<(PathBuf, String)>) {
    for file in dir.files() {
        if file.path().extension().is_some_and(|e| e == "toml") {
            files.push((
                file.path().to_path_buf(),
                String::from_utf8_lossy(file.contents()).into_owned(),
            ));
        }
    }
    for sub in dir.dirs() {
        collect_built_in(sub, files);
    }
}

fn collect_paths(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), FileError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| FileError::unreadable(dir, format!("cannot read case directory: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| FileError::unreadable(dir, format!("cannot read entry: {e}")))?;
        let path = entry.path();
        // The entry's type comes with the directory listing; only a symbolic link needs a stat.
        let is_dir = match entry.file_type() {
            Ok(kind) if kind.is_symlink() => path.is_dir(),
            Ok(kind) => kind.is_dir(),
            Err(_) => path.is_dir(),
        };
        if is_dir {
            collect_paths(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// A case file's text: one open and one read, never more than the limit (a larger file is an
/// error naming its size).
fn read_source(path: &Path) -> Result<String, FileError> {
    use std::io::Read as _;
    let unreadable = |e: std::io::Error| FileError::unreadable(path, format!("cannot read case file: {e}"));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CASE_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_CASE_FILE_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(FileError::unreadable(
            path,
            format!("case file is {size} bytes; the limit is {MAX_CASE_FILE_BYTES}"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        FileError::new(path, &text, offset..offset + 1, "case file is not valid UTF-8")
    })
}

/// `f` applied to every item, on as many threads as there are cores, in the items' order.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads < 2 || items.len() < 64 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_corpus_is_the_checked_in_one() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cases");
        let on_disk = Corpus::from_dir(&dir).expect("the cases directory");
        let built_in = Corpus::built_in();
        assert_eq!(built_in.digest(), on_disk.digest());
        assert_eq!(
            built_in.cases().expect("cases").len(),
            on_disk.cases().expect("cases").len()
        );
        assert!(built_in.inventory().is_ok());
    }
}
