//! The workspace's shape, checked. Cargo keeps the walls between crates: the reference server
//! (`crates/reference`) and the harness (`crates/harness`) depend on nothing of each other, and
//! only the binary's crate joins them (the manifests are checked to say so). Inside each crate,
//! every top-level module says in its doc which other modules it may use (a "May use `a`,
//! `b::c`." sentence), its code uses no other, and the map of uses between top-level modules has
//! no circle, nor has the map of uses between files. The binary
//! (`main.rs`) and the library's `cli/` are the composition root and may use everything.
//!
//! The checker reads source text, not the compiler's view: `crate::` paths in code (comments
//! and `#[cfg(test)]` modules left out, `use crate::{a, b::{c}}` groups expanded), and between
//! files `super::` and `self::` paths too, each resolved to the deepest module it names, through
//! the `pub use` re-exports of the modules on the way (`crate::run::Runner` is a use of
//! `run::runner`). A module that reaches another by a path of its own (`super::super::` out of
//! its folder) would escape it; none does (the test `no_path_climbs_out_of_its_module` says so).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rstest::rstest;

/// One source file: its path under its crate's `src/` and its text.
struct Source {
    path: String,
    text: String,
}

/// The harness's source folder.
const HARNESS: &str = "crates/harness/src";
/// The reference server's source folder.
const REFERENCE: &str = "crates/reference/src";
/// The binary crate's source folder (its library: `oracle` and the re-exports).
const BINARY: &str = "src";

/// The library source files of the crate whose source is in `dir` (the binary's own files,
/// `main.rs` and `cli/`, left out).
fn sources_of(dir: &str) -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    collect(&src, &mut files);
    files
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(&src).ok()?.to_string_lossy().replace('\\', "/");
            let binary = dir == BINARY && (rel == "main.rs" || rel.starts_with("cli/"));
            let text = std::fs::read_to_string(&path).expect("a source file reads");
            (!binary).then_some(Source { path: rel, text })
        })
        .collect()
}

/// Every library crate's sources, with its folder.
fn every_crate() -> Vec<(&'static str, Vec<Source>)> {
    [HARNESS, REFERENCE, BINARY]
        .into_iter()
        .map(|dir| (dir, sources_of(dir)))
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ lists") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `pub use` statements of some code, each as its full paths (groups expanded) and the
/// name it is known by (its alias, or its last segment): `pub use exec::{run as go, Thing};`
/// gives `(exec::run, go)` and `(exec::Thing, Thing)`.
fn reexports(code: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for statement in code.split(';') {
        let Some(at) = statement.find("pub use ") else { continue };
        let text = &statement[at + "pub use ".len()..];
        // Aliases first: `a::b as c` inside or outside a group.
        let plain = text.replace(|c: char| c.is_whitespace(), " ");
        let (paths, _) = path_tree("", &plain.replace(" as ", "__as__"));
        for path in paths {
            match path.split_once("__as__") {
                Some((full, alias)) => found.push((full.to_string(), alias.to_string())),
                None => {
                    let name = path.rsplit("::").next().unwrap_or(&path).to_string();
                    found.push((path, name));
                }
            }
        }
    }
    found
}

/// The top-level module a file belongs to (`judge/check.rs` -> `judge`, `exit.rs` -> `exit`);
/// `None` for `lib.rs`.
fn top_of(path: &str) -> Option<&str> {
    match path.split_once('/') {
        Some((folder, _)) => Some(folder),
        None => path.strip_suffix(".rs").filter(|name| *name != "lib"),
    }
}

/// The file whose doc speaks for a top-level module.
fn doc_file(top: &str, sources: &[Source]) -> Option<String> {
    let folder = format!("{top}/mod.rs");
    let file = format!("{top}.rs");
    sources
        .iter()
        .find(|s| s.path == folder || s.path == file)
        .map(|s| s.path.clone())
}

/// What a module's doc allows: the backticked paths of its "May use" sentence; `None` when the
/// doc has no such sentence. "May use nothing" allows nothing.
fn allowed_uses(text: &str) -> Option<Vec<String>> {
    let doc: String = text
        .lines()
        .take_while(|line| line.starts_with("//!"))
        .map(|line| line.trim_start_matches("//!").trim())
        .collect::<Vec<_>>()
        .join(" ");
    let start = doc.find("May use").or_else(|| doc.find("may use"))?;
    let sentence = &doc[start..];
    let end = sentence.find(". ").map_or(sentence.len(), |i| i + 1);
    let sentence = &sentence[..end];
    Some(
        sentence
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// The code of a file: line comments and `#[cfg(test)]` modules removed.
fn code_of(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            // Skip the item that follows: a module's braces, or one line.
            let mut depth = 0usize;
            let mut opened = false;
            for next in lines.by_ref() {
                for c in next.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
                if (opened && depth == 0) || (!opened && next.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        let without_comment = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        code.push_str(without_comment);
        code.push('\n');
    }
    code
}

/// Every `crate::` path in some code, groups expanded: `crate::{a::b, c::{d, e}}` gives
/// `a::b`, `c::d` and `c::e`.
fn crate_paths(code: &str) -> Vec<String> {
    paths_after(code, "crate::")
}

/// Every path after `start` (`crate::`, `super::`, `self::`) in some code, groups expanded.
fn paths_after(code: &str, start: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(start) {
        let before = rest[..at].chars().last();
        rest = &rest[at + start.len()..];
        // `$crate::` (a macro's own crate) is the crate too; `mycrate::` and the second
        // `super::` of `super::super::` are not a start.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let (found, used) = path_tree("", rest);
        paths.extend(found);
        rest = &rest[used..];
    }
    paths
}

/// Reads one path (with groups) after `prefix`; answers the full paths and the bytes read.
fn path_tree(prefix: &str, text: &str) -> (Vec<String>, usize) {
    let mut i = 0;
    let bytes = text.as_bytes();
    let mut path = prefix.to_string();
    loop {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i > start {
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(&text[start..i]);
        }
        // A group: `a::{..}`, or right after `crate::` (`crate::{..}`).
        let group = if text[i..].starts_with("::{") {
            Some(3)
        } else {
            (i == start && text[i..].starts_with('{')).then_some(1)
        };
        if let Some(skip) = group {
            i += skip;
            let mut found = Vec::new();
            loop {
                while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return (found, (i + 1).min(bytes.len()));
                }
                let (inner, used) = path_tree(&path, &text[i..]);
                found.extend(inner);
                i += used.max(1);
            }
        }
        if text[i..].starts_with("::") {
            i += 2;
            continue;
        }
        return (vec![path], i);
    }
}

/// A use of another top-level module that its doc does not allow.
#[derive(Debug, PartialEq)]
struct Violation {
    file: String,
    path: String,
}

/// Checks every file against its module's "May use" sentence; answers the violations, the
/// modules without a sentence, and the map of uses between top-level modules.
fn check(sources: &[Source]) -> (Vec<Violation>, Vec<String>, BTreeMap<String, BTreeSet<String>>) {
    let own: BTreeSet<&str> = sources.iter().filter_map(|s| top_of(&s.path)).collect();
    // Modules another crate lends this one (`pub use ucwa_harness::{run, ..}` in lib.rs) are
    // used like its own, and checked like them.
    let lent: Vec<String> = sources
        .iter()
        .filter(|s| s.path == "lib.rs")
        .flat_map(|s| reexports(&code_of(&s.text)))
        .map(|(_, name)| name)
        .collect();
    let tops: BTreeSet<&str> = own.iter().copied().chain(lent.iter().map(String::as_str)).collect();
    let mut violations = Vec::new();
    let mut undocumented = Vec::new();
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut allowed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for top in &own {
        let doc = doc_file(top, sources).and_then(|file| {
            let source = sources.iter().find(|s| s.path == file)?;
            allowed_uses(&source.text)
        });
        match doc {
            Some(list) => {
                allowed.insert(top, list);
            }
            None => undocumented.push(top.to_string()),
        }
    }
    for source in sources {
        let Some(top) = top_of(&source.path) else { continue };
        for path in crate_paths(&code_of(&source.text)) {
            let Some(used) = path.split("::").next().filter(|u| tops.contains(u) && *u != top) else {
                continue;
            };
            uses.entry(top.to_string()).or_default().insert(used.to_string());
            let permitted = allowed
                .get(top)
                .is_some_and(|list| list.iter().any(|a| path == *a || path.starts_with(&format!("{a}::"))));
            if !permitted && allowed.contains_key(top) {
                violations.push(Violation {
                    file: source.path.clone(),
                    path,
                });
            }
        }
    }
    (violations, undocumented, uses)
}

/// The module a file is: `run/exec.rs` -> `run::exec`, `run/mod.rs` -> `run`, `exit.rs` -> `exit`.
fn module_of(path: &str) -> String {
    let stem = path.strip_suffix(".rs").unwrap_or(path);
    let stem = stem.strip_suffix("/mod").unwrap_or(stem);
    stem.replace('/', "::")
}

/// Whether `inner` is `outer` or lies inside it.
fn within(inner: &str, outer: &str) -> bool {
    inner == outer || inner.starts_with(&format!("{outer}::"))
}

/// The uses between the library's files, as module paths (`crate::`, `super::` and `self::`
/// paths resolved to the deepest module they name). A module's uses of its own folder and of
/// what lies inside it are left out: a folder declares, re-exports and serves its files.
fn file_uses(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = sources
        .iter()
        .filter(|s| s.path != "lib.rs")
        .map(|s| module_of(&s.path))
        .collect();
    let lent = reexported_items(sources, &modules);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources.iter().filter(|s| s.path != "lib.rs") {
        let module = module_of(&source.path);
        let parent: Vec<&str> = module
            .split("::")
            .collect::<Vec<_>>()
            .split_last()
            .map_or(Vec::new(), |(_, p)| p.to_vec());
        let code = code_of(&source.text);
        let mut named: Vec<Vec<String>> = Vec::new();
        for path in paths_after(&code, "crate::") {
            named.push(path.split("::").map(String::from).collect());
        }
        for path in paths_after(&code, "self::") {
            named.push(module.split("::").chain(path.split("::")).map(String::from).collect());
        }
        for path in paths_after(&code, "super::") {
            let mut base: Vec<&str> = parent.clone();
            let mut rest = path.as_str();
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            named.push(base.into_iter().chain(rest.split("::")).map(String::from).collect());
        }
        for segments in named {
            let target = (1..=segments.len()).rev().find_map(|n| {
                let candidate = segments[..n].join("::");
                lent.get(&candidate)
                    .cloned()
                    .or_else(|| modules.contains(&candidate).then_some(candidate))
            });
            if let Some(target) = target.filter(|t| !within(t, &module) && !within(&module, t)) {
                uses.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    uses
}

/// What each module re-exports, as `module::Name` -> the module the item comes from
/// (`run::Runner` -> `run::runner` for `pub use runner::Runner;` in `run/mod.rs`).
fn reexported_items(sources: &[Source], modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut lent = BTreeMap::new();
    for source in sources {
        let module = if source.path == "lib.rs" {
            String::new()
        } else {
            module_of(&source.path)
        };
        for (full, name) in reexports(&code_of(&source.text)) {
            let mut base: Vec<&str> = module.split("::").filter(|m| !m.is_empty()).collect();
            let mut rest = full.as_str();
            if let Some(after) = rest.strip_prefix("crate::") {
                base.clear();
                rest = after;
            }
            rest = rest.strip_prefix("self::").unwrap_or(rest);
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            let segments: Vec<&str> = base.into_iter().chain(rest.split("::")).collect();
            let from = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|candidate| modules.contains(candidate));
            if let Some(from) = from {
                let key = if module.is_empty() {
                    name
                } else {
                    format!("{module}::{name}")
                };
                lent.insert(key, from);
            }
        }
    }
    lent
}

/// The groups of modules that use one another in a circle (strongly connected components of
/// more than one module, Tarjan's algorithm).
fn circles(uses: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        uses: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, node: &'a str) {
        let n = walk.index.len();
        walk.index.insert(node, n);
        walk.low.insert(node, n);
        walk.stack.push(node);
        for next in walk.uses.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !walk.index.contains_key(next) {
                visit(walk, next);
                let low = walk.low[node].min(walk.low[next]);
                walk.low.insert(node, low);
            } else if walk.stack.contains(&next) {
                let low = walk.low[node].min(walk.index[next]);
                walk.low.insert(node, low);
            }
        }
        if walk.low[node] == walk.index[node] {
            let at = walk.stack.iter().rposition(|n| *n == node).unwrap_or(0);
            let group: Vec<String> = walk.stack.drain(at..).map(String::from).collect();
            if group.len() > 1 {
                let mut group = group;
                group.sort();
                walk.found.push(group);
            }
        }
    }
    let mut walk = Walk {
        uses,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in uses.keys() {
        if !walk.index.contains_key(node.as_str()) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

#[test]
fn every_module_uses_only_what_its_doc_allows() {
    // The reference's modules are one server's parts, walled off by its crate: its files'
    // circles are checked below, not sentences.
    for dir in [HARNESS, BINARY] {
        let (violations, undocumented, _) = check(&sources_of(dir));
        assert!(
            undocumented.is_empty(),
            "these top-level modules of {dir} do not say what they may use (a \"May use `a`, `b`.\" sentence in their doc): {undocumented:?}"
        );
        let listed: Vec<String> = violations
            .iter()
            .map(|v| format!("{dir}/{} uses crate::{}", v.file, v.path))
            .collect();
        assert!(
            listed.is_empty(),
            "uses that the module's doc does not allow (add them to its \"May use\" sentence, or do without):\n{}",
            listed.join("\n")
        );
    }
}

#[test]
fn the_map_of_uses_between_modules_has_no_circle() {
    let (_, _, uses) = check(&sources_of(HARNESS));
    assert!(uses.len() > 5, "the checker found almost no uses: {uses:?}");
    for (dir, sources) in every_crate() {
        let (_, _, uses) = check(&sources);
        let found = circles(&uses);
        assert!(
            found.is_empty(),
            "top-level modules of {dir} that use one another in a circle: {found:?}"
        );
    }
}

#[test]
fn the_binary_crate_uses_the_harness_through_its_reexports() {
    let (_, _, uses) = check(&sources_of(BINARY));
    let oracle = uses.get("oracle").cloned().unwrap_or_default();
    assert!(
        oracle.contains("run") && oracle.contains("reference"),
        "`oracle` joins the harness and the reference: {uses:?}"
    );
}

/// No files use one another in a circle, in any crate. The last circle, the reference world's
/// application and conversation (and how they look), went when the invitation's data got a file
/// of its own and events began to carry typed snapshots that only the HTTP edge draws; the
/// issue that split `run`, `client` and the reference had found three others.
#[test]
fn no_files_use_one_another_in_a_circle() {
    let uses = file_uses(&sources_of(HARNESS));
    assert!(
        uses.len() > 20,
        "the checker found almost no uses between files: {uses:?}"
    );
    for (dir, sources) in every_crate() {
        let uses = file_uses(&sources);
        let found = circles(&uses);
        assert!(
            found.is_empty(),
            "modules of {dir} that use one another in a circle: {found:?}"
        );
    }
}

/// The dependencies a crate's manifest names.
fn dependencies(manifest: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest);
    let text = std::fs::read_to_string(&path).expect("the manifest reads");
    let table: toml::Table = text.parse().expect("the manifest parses");
    ["dependencies", "dev-dependencies", "build-dependencies"]
        .iter()
        .filter_map(|section| table.get(*section).and_then(toml::Value::as_table))
        .flat_map(|deps| deps.keys().cloned())
        .collect()
}

#[test]
fn the_reference_and_the_harness_share_no_code() {
    let reference = dependencies("crates/reference/Cargo.toml");
    assert!(
        reference.iter().all(|d| !d.starts_with("ucwa-")),
        "the reference server must not share the harness's code: {reference:?}"
    );
    let harness = dependencies("crates/harness/Cargo.toml");
    assert!(
        !harness.iter().any(|d| d == "ucwa-reference"),
        "the harness must not depend on the reference: {harness:?}"
    );
    let binary = dependencies("Cargo.toml");
    assert!(binary.iter().any(|d| d == "ucwa-harness") && binary.iter().any(|d| d == "ucwa-reference"));
}

#[test]
fn exit_codes_are_a_leaf() {
    let (_, _, uses) = check(&sources_of(HARNESS));
    assert_eq!(uses.get("exit"), None, "`exit` uses nothing of the harness");
    assert!(uses.values().filter(|used| used.contains("exit")).count() >= 2);
}

#[test]
fn no_path_climbs_out_of_its_module() {
    for (dir, sources) in every_crate() {
        for source in sources {
            let depth = source.path.matches('/').count();
            let climbs = "super::".repeat(depth + 1);
            assert!(
                !code_of(&source.text).contains(&climbs),
                "{dir}/{} reaches past its top-level module with `{climbs}`",
                source.path
            );
        }
    }
}

fn source(path: &str, text: &str) -> Source {
    Source {
        path: path.into(),
        text: text.into(),
    }
}

#[rstest]
#[case("use crate::a::B;", &["a::B"])]
#[case("use crate::{a::{B, c::D}, e};", &["a::B", "a::c::D", "e"])]
#[case("let x = crate::a::f(crate::b::G);", &["a::f", "b::G"])]
#[case("$crate::write_out(x)", &["write_out"])]
#[case("use mycrate::a;", &[])]
fn crate_paths_are_read_with_their_groups(#[case] code: &str, #[case] expected: &[&str]) {
    assert_eq!(crate_paths(code), expected);
}

#[test]
fn comments_and_test_modules_are_not_code() {
    let text =
        "use crate::a::B; // crate::c\n#[cfg(test)]\nmod tests {\n    use crate::d;\n    fn f() {}\n}\nuse crate::e;\n";
    assert_eq!(crate_paths(&code_of(text)), ["a::B", "e"]);
}

#[rstest]
#[case("//! Judging.\n//!\n//! May use `case`, `under_test::secret` and `clock`.\n", Some(vec!["case", "under_test::secret", "clock"]))]
#[case("//! The server. May use nothing of the crate. It is `alone`.\n", Some(vec![]))]
#[case("//! No sentence here, only `case`.\n", None)]
fn allowed_uses_come_from_the_may_use_sentence(#[case] doc: &str, #[case] expected: Option<Vec<&str>>) {
    assert_eq!(
        allowed_uses(doc),
        expected.map(|list| list.into_iter().map(String::from).collect())
    );
}

#[test]
fn files_in_a_circle_are_found_through_super_self_and_crate_paths() {
    let sources = [
        source(
            "run/mod.rs",
            "//! Run. May use nothing of the crate.\npub use exec::Thing;\n",
        ),
        source("run/exec.rs", "use super::request::send;\n"),
        source("run/request.rs", "use super::wait::{self, Wait};\n"),
        source("run/wait.rs", "fn f() { crate::run::exec::g() }\n"),
        source("run/plan.rs", "use super::exec;\nuse self::inner::X;\n"),
        source("run/plan/inner.rs", "use super::super::plan::Y;\n"),
        source("reference/world/a.rs", "use super::b::B;\n"),
        source("reference/world/b.rs", "use super::a::A;\n"),
        source(
            "report.rs",
            "use crate::run::Thing;\nuse crate::run::{plan::Y, Other as O};\n",
        ),
    ];
    let uses = file_uses(&sources);
    assert_eq!(uses.get("run"), None, "a folder's re-export of its files is not a use");
    assert_eq!(
        uses.get("report")
            .map(|u| u.iter().map(String::as_str).collect::<Vec<_>>()),
        Some(vec!["run", "run::exec", "run::plan"]),
        "a re-exported item is a use of the file it comes from"
    );
    assert_eq!(
        uses.get("run::plan::inner"),
        None,
        "a use of the enclosing module is not counted"
    );
    assert_eq!(
        circles(&uses),
        [
            vec!["reference::world::a".to_string(), "reference::world::b".into()],
            vec!["run::exec".to_string(), "run::request".into(), "run::wait".into()],
        ]
    );
}

#[test]
fn the_checker_finds_a_forbidden_use_a_missing_sentence_and_a_circle() {
    let sources = [
        source("a/mod.rs", "//! A. May use `b::x`.\nmod inner;\n"),
        source("a/inner.rs", "use crate::b::x::Thing;\nuse crate::b::y;\n"),
        source("b/mod.rs", "//! B. May use `a`.\nuse crate::a::inner;\n"),
        source("c.rs", "//! C, with no sentence.\nuse crate::a;\n"),
    ];
    let (violations, undocumented, uses) = check(&sources);
    assert_eq!(
        violations,
        [Violation {
            file: "a/inner.rs".into(),
            path: "b::y".into()
        }]
    );
    assert_eq!(undocumented, ["c"]);
    assert_eq!(circles(&uses), [vec!["a".to_string(), "b".into()]]);
}

#[rstest]
#[case("pub use exec::{run as go, Thing};", &[("exec::run", "go"), ("exec::Thing", "Thing")])]
#[case("pub use ucwa_harness::{case, run};\npub use ucwa_reference as reference;", &[("ucwa_harness::case", "case"), ("ucwa_harness::run", "run"), ("ucwa_reference", "reference")])]
#[case("use exec::Thing;", &[])]
fn reexports_are_read_with_their_names(#[case] code: &str, #[case] expected: &[(&str, &str)]) {
    let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(reexports(code), expected);
}

/// Every source file of every crate, the binary's commands included, with its folder.
fn every_file() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in [HARNESS, REFERENCE, BINARY] {
        let mut paths = Vec::new();
        collect(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut paths);
        for path in paths {
            let rel = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
            files.push((rel, std::fs::read_to_string(&path).expect("a source file reads")));
        }
    }
    files
}

/// The functions of some code longer than `max` lines (from `fn` to its closing brace at the
/// same indentation), by name and length.
fn long_functions(text: &str, max: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(at) = trimmed.find("fn ") else { continue };
        let head = &trimmed[..at];
        let is_fn = head
            .split_whitespace()
            .all(|w| matches!(w, "pub" | "async" | "const" | "unsafe") || w.starts_with("pub("));
        if !is_fn {
            continue;
        }
        let name: String = trimmed[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let closing = format!("{}}}", &line[..line.len() - trimmed.len()]);
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == closing)
            && end + 1 > max
        {
            long.push((name, end + 1));
        }
    }
    long
}

/// The tables: functions that are one `match` or one list, long because the page is.
const TABLES: [(&str, &str); 3] = [
    ("crates/reference/src/errors.rs", "error"),
    ("src/oracle/grade.rs", "checks"),
    ("src/cli/help.rs", "documented"),
];

#[test]
fn no_function_is_over_80_lines_but_the_tables() {
    let mut long = Vec::new();
    for (file, text) in every_file() {
        for (name, lines) in long_functions(&text, 80) {
            if !TABLES.contains(&(file.as_str(), name.as_str())) {
                long.push(format!("{file}: fn {name} is {lines} lines"));
            }
        }
    }
    assert!(long.is_empty(), "split these into named parts:\n{}", long.join("\n"));
}

/// The error types of the `Result`s written in some code that are `String`.
fn string_errors(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("Result<") {
        let inner = &code[at + "Result<".len()..];
        let (mut depth, mut last_comma, mut end) = (0i32, None, None);
        for (i, c) in inner.char_indices() {
            match c {
                '<' | '(' => depth += 1,
                '>' if depth == 0 => {
                    end = Some(i);
                    break;
                }
                '>' | ')' => depth -= 1,
                ',' if depth == 0 => last_comma = Some(i),
                _ => {}
            }
        }
        if let (Some(end), Some(comma)) = (end, last_comma)
            && inner[comma + 1..end].trim() == "String"
        {
            found.push(format!("Result<{}>", &inner[..end]));
        }
    }
    found
}

#[test]
fn no_result_carries_its_error_as_a_string() {
    let mut found = Vec::new();
    for (file, text) in every_file() {
        for result in string_errors(&code_of(&text)) {
            found.push(format!("{file}: {result}"));
        }
    }
    assert!(found.is_empty(), "give these errors a type:\n{}", found.join("\n"));
}

#[test]
fn the_length_and_error_checks_see_what_they_refuse() {
    let text = "fn short() {\n}\n    pub async fn long() {\n".to_string() + &"        x;\n".repeat(81) + "    }\n";
    assert_eq!(long_functions(&text, 80), [("long".to_string(), 82)]);
    assert_eq!(
        string_errors(
            "fn a() -> Result<Vec<(u8, String)>, String> {}\nfn b() -> Result<HashMap<String, String>, E> {}"
        ),
        ["Result<Vec<(u8, String)>, String>"]
    );
}
