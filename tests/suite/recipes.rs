//! The CI recipes people copy: the workflow files parse as YAML, every `ucwa-conformance` command
//! they run exists with the flags they give it, their shell lines write every report and fail
//! with merge's code against a target that is not conformant, and the Dockerfile copies what the
//! build needs.

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
