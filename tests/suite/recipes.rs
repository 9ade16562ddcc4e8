//! The CI recipes people copy: the workflow files parse as YAML, every `ucwa-conformance` command
//! they run exists with the flags they give it, their shell lines write every report and fail
//! with merge's code against a target that is not conformant, and the Dockerfile copies what the
//! build needs.

use crate::support::binary;
use crate::support::copy_dir;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every string in a YAML document.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// `(subcommand, flags)` of every `ucwa-conformance SUBCOMMAND ...` command in `text`.
fn commands(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let is_binary = *word == "ucwa-conformance" || word.ends_with("/ucwa-conformance");
            if !is_binary || i > 0 && words[i - 1] == "--git" {
                continue;
            }
            let Some(sub) = words.get(i + 1).filter(|w| w.chars().all(|c| c.is_ascii_lowercase())) else {
                continue;
            };
            let flags = words[i + 2..]
                .iter()
                .take_while(|w| !matches!(**w, "|" | ">>" | ">" | "&&"))
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap_or(w).to_string())
                .collect();
            out.push((sub.to_string(), flags));
        }
    }
    out
}

#[rstest::rstest]
#[case("examples/ci/github-actions.yml", 4)]
#[case("examples/ci/gitlab-ci.yml", 3)]
#[case("examples/ci/github-grade-client.yml", 3)]
fn the_workflows_parse_and_run_commands_that_exist(#[case] file: &str, #[case] at_least: usize) {
    let text = std::fs::read_to_string(root().join(file)).expect("the workflow");
    let yaml: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"));
    let mut all = Vec::new();
    strings(&yaml, &mut all);
    let found: Vec<(String, Vec<String>)> = all.iter().flat_map(|s| commands(s)).collect();
    assert!(found.len() >= at_least, "{file}: only {found:?}");
    for (sub, flags) in found {
        let help = binary().args([sub.as_str(), "--help"]).output().expect("help runs");
        assert_eq!(
            help.status.code(),
            Some(0),
            "{file}: `ucwa-conformance {sub}` does not exist"
        );
        let help = String::from_utf8_lossy(&help.stdout);
        for flag in flags {
            assert!(help.contains(&flag), "{file}: `ucwa-conformance {sub}` has no {flag}");
        }
    }
}

#[test]
fn the_dockerfile_builds_from_what_the_repository_holds() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).expect("the Dockerfile");
    for line in text.lines().filter(|l| l.starts_with("COPY ") && !l.contains("--from")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for source in &words[1..words.len() - 1] {
            assert!(
                root().join(source).exists(),
                "the Dockerfile copies {source}, which is not in the repository"
            );
        }
    }
    assert!(
        text.contains("ENTRYPOINT [\"ucwa-conformance\"]"),
        "the entrypoint is the binary"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("COPY . ")),
        "the runtime image holds no source"
    );
}

/// The files the Dockerfile's build stage copies (its `COPY` lines without `--from`), as paths
/// of the repository.
fn docker_context(dockerfile: &str) -> Vec<String> {
    dockerfile
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
        .flat_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words[1..words.len().saturating_sub(1)]
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The crate checked from exactly the files the Dockerfile copies, as `docker build` would
/// compile it: a file the build reads that the image lacks (the reference's snapshots, compiled
/// in by include_dir; a test target the manifest names) fails here, not in a user's `docker
/// build`. Everywhere: the manifest is read from the copied files and every folder the source
/// compiles in (`include_dir!`) must be among them. Under `CI=true` (or with
/// `UCWA_CHECK_DOCKER_CONTEXT=1`) the crate is checked whole, in its own target folder
/// (`target/docker-context`, since the one `cargo test` builds in is locked while it runs): a
/// minute of dependencies the first time, which a developer's `cargo test` is spared.
#[test]
fn the_dockerfile_copies_every_build_input() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).expect("the Dockerfile");
    let context = tempfile::tempdir().expect("dir");
    for source in docker_context(&text) {
        let from = root().join(&source);
        let to = context.path().join(&source);
        if from.is_dir() {
            copy_dir(&from, &to);
        } else {
            std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
            std::fs::copy(&from, &to).expect("copy");
        }
    }
    for compiled_in in compiled_in_folders() {
        assert!(
            context.path().join(&compiled_in).is_dir(),
            "the source compiles in {compiled_in}, which the Dockerfile does not copy"
        );
    }
    for compiled_in in compiled_in_files() {
        assert!(
            context.path().join(&compiled_in).is_file(),
            "the source compiles in {compiled_in}, which the Dockerfile does not copy"
        );
    }
    let whole = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var_os("UCWA_CHECK_DOCKER_CONTEXT").is_some();
    let args: &[&str] = if whole {
        &["check", "--offline", "--locked", "--bin", "ucwa-conformance", "--quiet"]
    } else {
        &["metadata", "--offline", "--no-deps", "--format-version", "1"]
    };
    let output = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(context.path())
        .env("CARGO_TARGET_DIR", root().join("target/docker-context"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the crate does not build from the Dockerfile's COPY lines ({:?}):\n{}",
        docker_context(&text),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The shell of a recipe's jobs, as its CI would run it: the partition jobs (one script per
/// partition) and the report job.
fn recipe_scripts(file: &str, yaml: &serde_json::Value) -> (Vec<String>, String) {
    let lines = |v: &serde_json::Value| -> String {
        let mut out = Vec::new();
        strings(v, &mut out);
        out.join("\n")
    };
    if file.contains("gitlab") {
        let partition = lines(&yaml["conformance"]["script"]);
        let partitions = (1..=4)
            .map(|k| {
                partition
                    .replace("${CI_NODE_INDEX}", &k.to_string())
                    .replace("${CI_NODE_TOTAL}", "4")
            })
            .collect();
        (partitions, lines(&yaml["report"]["script"]))
    } else {
        let runs = |job: &str| -> String {
            yaml["jobs"][job]["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|step| step["run"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let partition = runs("conformance");
        let partitions = (1..=4)
            .map(|k| partition.replace("${{ matrix.partition }}", &k.to_string()))
            .collect();
        (partitions, runs("report"))
    }
}

#[rstest::rstest]
#[case("examples/ci/github-actions.yml")]
#[case("examples/ci/gitlab-ci.yml")]
fn a_recipe_writes_every_report_and_fails_with_merges_code(#[case] file: &str) {
    let runtime = crate::support::runtime();
    let config = ucwa_conformance::reference::Config {
        mutant: Some(ucwa_conformance::reference::Mutant::NoLocation),
        ..ucwa_conformance::reference::Config::default()
    };
    let server = runtime
        .block_on(ucwa_conformance::reference::spawn(
            config,
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("a broken reference listens");
    let text = std::fs::read_to_string(root().join(file)).expect("the recipe");
    let yaml: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
    let (partitions, report) = recipe_scripts(file, &yaml);
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("tool/bin")).expect("tool dir");
    // The built binary, as the build job leaves it.
    crate::support::copy_binary(&dir.path().join("tool/bin/ucwa-conformance"));
    let summary = dir.path().join("step-summary.md");
    let shell = |script: &str| {
        std::process::Command::new("bash")
            .args(["-e", "-o", "pipefail", "-c", script])
            .current_dir(dir.path())
            .env("UCWA_BASE_URL", server.base_url())
            .env("UCWA_USERNAME", "alice@contoso.test")
            .env("UCWA_PASSWORD", "alice-password")
            .env("UCWA_PEER", "sip:bob@contoso.test")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env_remove("UCWA_TARGET")
            .output()
            .expect("bash runs")
    };
    for script in &partitions {
        let run = shell(script);
        assert_eq!(
            run.status.code(),
            Some(1),
            "a partition against the mutant: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let merged = shell(&report);
    assert_eq!(
        merged.status.code(),
        Some(1),
        "{file}: the report job ends with merge's code: {}",
        String::from_utf8_lossy(&merged.stderr)
    );
    for report in ["results.json", "junit.xml", "report.html"] {
        assert!(
            dir.path().join(report).exists(),
            "{file}: no {report} although the target failed"
        );
    }
    let markdown = if file.contains("gitlab") {
        dir.path().join("summary.md")
    } else {
        summary
    };
    assert!(
        std::fs::read_to_string(&markdown).is_ok_and(|m| m.contains("NOT conformant")),
        "{file}: the Markdown summary"
    );
    server.stop();
}

/// Every Rust source file of the workspace's crates: its crate's folder and its own path (both
/// paths of the repository, `crates/harness` and `crates/harness/src/lib.rs`), and its text.
fn rust_sources() -> Vec<(&'static str, PathBuf, String)> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let mut sources = Vec::new();
    for krate in [".", "crates/harness", "crates/reference"] {
        let mut paths = Vec::new();
        walk(&root().join(krate).join("src"), &mut paths);
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let relative = path.strip_prefix(root()).map(Path::to_path_buf).unwrap_or(path);
            sources.push((krate, relative, text));
        }
    }
    sources
}

/// `relative` taken from `base` (a path of the repository), `.` and `..` resolved:
/// `crates/harness` and `../../cases` give `cases`.
fn resolved(base: &Path, relative: &str) -> String {
    let mut parts: Vec<String> = base
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .filter(|c| *c != ".")
        .map(str::to_string)
        .collect();
    for part in relative.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." => {}
            part => parts.push(part.to_string()),
        }
    }
    parts.join("/")
}

/// The files the workspace's crates compile in with `include_str!("...")` or
/// `include_bytes!("...")`, paths relative to the file that names them, as paths of the
/// repository (`src/cli/../../schema/results-2.json` is `schema/results-2.json`).
fn compiled_in_files() -> Vec<String> {
    let mut found = Vec::new();
    for (_, path, text) in rust_sources() {
        for mark in ["include_str!(\"", "include_bytes!(\""] {
            for part in text.split(mark).skip(1) {
                if let Some((file, _)) = part.split_once('"')
                    && !file.starts_with('$')
                {
                    found.push(resolved(path.parent().unwrap_or(Path::new("")), file));
                }
            }
        }
    }
    found
}

/// The folders the workspace's crates compile in with `include_dir!("$CARGO_MANIFEST_DIR/...")`,
/// as paths of the repository (`crates/harness/../../cases` is `cases`).
fn compiled_in_folders() -> Vec<String> {
    let mut found = Vec::new();
    for (krate, _, text) in rust_sources() {
        for part in text.split("include_dir!(\"$CARGO_MANIFEST_DIR/").skip(1) {
            if let Some((folder, _)) = part.split_once('"') {
                found.push(resolved(Path::new(krate), folder));
            }
        }
    }
    assert!(
        found.len() >= 2,
        "the corpus and the snapshots are compiled in: {found:?}"
    );
    found
}

#[test]
fn github_uploads_overwrite_on_a_rerun_and_the_junit_is_the_runs_test_report() {
    let text = std::fs::read_to_string(root().join("examples/ci/github-actions.yml")).expect("recipe");
    let yaml: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
    let steps: Vec<&serde_json::Value> = yaml["jobs"]
        .as_object()
        .into_iter()
        .flat_map(|jobs| jobs.values())
        .flat_map(|job| job["steps"].as_array().into_iter().flatten())
        .collect();
    let uploads: Vec<&&serde_json::Value> = steps
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .collect();
    assert_eq!(uploads.len(), 3, "{uploads:?}");
    for upload in uploads {
        assert_eq!(
            upload["with"]["overwrite"], true,
            "a re-run would fail to upload: {upload}"
        );
    }
    let reporter = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("mikepenz/action-junit-report@"))
        })
        .expect("a test-report step");
    assert_eq!(reporter["with"]["report_paths"], "junit.xml");
    assert_eq!(reporter["if"], "always()", "shown when merge fails too");
    assert_eq!(yaml["permissions"]["checks"], "write", "the reporter writes a check");
}

#[test]
fn gitlab_jobs_that_only_run_the_binary_use_a_slim_image() {
    let text = std::fs::read_to_string(root().join("examples/ci/gitlab-ci.yml")).expect("recipe");
    let yaml: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
    assert_eq!(yaml[".slim"]["image"], "debian:bookworm-slim");
    for job in ["conformance", "report"] {
        assert_eq!(yaml[job]["extends"], ".slim", "{job}");
        assert!(yaml[job]["image"].is_null(), "{job} names its own image");
    }
    assert_eq!(
        yaml["build"]["image"], "rust:1.95-bookworm",
        "the build's glibc is the slim image's"
    );
}
