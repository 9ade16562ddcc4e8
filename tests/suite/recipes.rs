//! The CI recipes people copy: the workflow files parse as YAML, every `ucwa-conformance` command
//! they run exists with the flags they give it, and the Dockerfile copies what the build needs.

use crate::support::binary;
use std::path::Path;

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
            if *word != "ucwa-conformance" || i > 0 && words[i - 1] == "--git" {
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
