//! The regression history, with real runs: a series of builds run against the reference and a
//! mutant of it (good, good, broken, broken, good, broken) gives the right first failing build,
//! last passing build and flaky list, in SQLite and in a real PostgreSQL; two processes adding at
//! once lose nothing; the same file twice is one run; a database that is not ours, or not a
//! database, is exit 2 and stays byte for byte as it was; the dashboard escapes what results
//! files hold.

use crate::support::{binary, reference_server, runtime};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use ucwa_conformance::reference::{self, Mutant};

/// The trials of the series: one the mutant breaks, one it leaves alone.
const BROKEN: &str = "start-messaging.created";
const UNTOUCHED: &str = "start-messaging.operation-id.missing";

/// The target profile of `server`, named `pool` whichever build (server) answers.
fn profile(server: &reference::Running) -> PathBuf {
    let tag: String = server
        .base_url()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = std::env::temp_dir().join(format!("ucwa-history-{}-{tag}.toml", std::process::id()));
    std::fs::write(
        &path,
        format!("name = \"pool\"\nbase_url = \"{}\"\n", server.base_url()),
    )
    .expect("a profile");
    path
}

/// `run` of the two trials against `server` (target `pool`), plus `extra`.
fn run(server: &reference::Running, extra: &[&str]) -> Output {
    binary()
        .args(["run", "-q", "--exact", "--target", &profile(server).to_string_lossy()])
        .args([
            &format!("{BROKEN} [json]"),
            &format!("{BROKEN} [xml]"),
            &format!("{UNTOUCHED} [json]"),
        ])
        .args(extra)
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", "alice-password")
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .output()
        .expect("runs")
}

fn history(db: &str, args: &[&str]) -> Output {
    binary()
        .arg("history")
        .args(args)
        .args(["--db", db])
        .output()
        .expect("runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn json(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", text(output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {}", text(output)))
}

/// The series good, good, A, A, good, A recorded in `db`: the first five with `history add`, the
/// last as `run --history`.
fn record_series(db: &str, dir: &Path) {
    let rt = runtime();
    let good = reference_server(&rt, None);
    let broken = reference_server(&rt, Some(Mutant::NoLocation));
    for (i, is_broken) in [false, false, true, true, false].into_iter().enumerate() {
        let file = dir.join(format!("b{}.json", i + 1));
        let output = run(
            if is_broken { &broken } else { &good },
            &["--json", &file.to_string_lossy()],
        );
        assert_eq!(
            output.status.code(),
            Some(if is_broken { 1 } else { 0 }),
            "{}",
            text(&output)
        );
        let build = format!("b{}", i + 1);
        let at = format!("2026-01-0{}T10:00:00Z", i + 1);
        let added = history(db, &["add", &file.to_string_lossy(), "--build", &build, "--at", &at]);
        assert_eq!(added.status.code(), Some(0), "{}", text(&added));
        assert!(text(&added).contains(&format!("build {build}")), "{}", text(&added));
    }
    // One UCWA_BUILD for a whole pipeline: a run without --history does not mind it.
    let plain = binary()
        .args(["run", "-q", "--exact", &format!("{UNTOUCHED} [json]")])
        .env("UCWA_BUILD", "b6")
        .output()
        .expect("runs");
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));
    let last = run(&broken, &["--history", db, "--build", "b6"]);
    assert_eq!(last.status.code(), Some(1), "{}", text(&last));
    assert!(text(&last).contains("recorded this run"), "{}", text(&last));
}

/// What the series must answer, whatever the database.
fn check_series(db: &str) {
    let regressions = json(&history(db, &["regressions", "--json"]));
    let list = regressions["regressions"].as_array().expect("a list");
    let names: Vec<&str> = list.iter().filter_map(|r| r["trial"].as_str()).collect();
    assert_eq!(names, vec![format!("{BROKEN} [json]"), format!("{BROKEN} [xml]")]);
    for r in list {
        assert_eq!(r["first_failing"], "b6", "{r}");
        assert_eq!(r["last_pass"], "b5", "{r}");
        assert_eq!(r["failing_builds"], 1, "{r}");
        assert_eq!(r["outcome"], "fail", "{r}");
        assert_eq!(r["target"], "pool", "{r}");
    }

    let flaky = json(&history(db, &["flaky", "--json"]));
    let list = flaky["flaky"].as_array().expect("a list");
    let names: Vec<&str> = list.iter().filter_map(|r| r["trial"].as_str()).collect();
    assert_eq!(names, vec![format!("{BROKEN} [json]"), format!("{BROKEN} [xml]")]);
    assert!(
        list.iter().all(|f| f["flips"] == 3 && f["failing_now"] == true),
        "{flaky}"
    );
    // Over the last three builds (A, good, A) it flipped twice; over the last two, once.
    let last3 = json(&history(db, &["flaky", "--json", "--last", "3"]));
    assert_eq!(last3["flaky"][0]["flips"], 2, "{last3}");
    let last2 = json(&history(db, &["flaky", "--json", "--last", "2"]));
    assert_eq!(last2["flaky"].as_array().map(Vec::len), Some(0), "{last2}");

    let trial = json(&history(db, &["trial", BROKEN, "json", "--json"]));
    let outcomes: Vec<&str> = trial["trials"][0]["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .filter_map(|b| b["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["pass", "pass", "fail", "fail", "pass", "fail"]);

    let builds = json(&history(db, &["builds", "--json"]));
    let list = builds["targets"][0]["builds"].as_array().expect("builds");
    let ids: Vec<&str> = list.iter().filter_map(|b| b["build"].as_str()).collect();
    assert_eq!(ids, ["b1", "b2", "b3", "b4", "b5", "b6"]);
    assert_eq!(list[2]["verdict"], "not-conformant");
    let area = list[2]["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .find(|a| a["area"] == "startMessaging")
        .expect("startMessaging");
    assert_eq!(area["verdict"], "not-conformant", "{area}");

    // People get a table that says the same.
    let table = text(&history(db, &["regressions"]));
    assert!(
        table.contains("failing since build b6 (1 build), last passed in build b5"),
        "{table}"
    );
    // Only startMessaging's trials: these are; `me` has none of them.
    let me = json(&history(db, &["regressions", "--json", "--area", "me"]));
    assert_eq!(me["regressions"].as_array().map(Vec::len), Some(0), "{me}");
}

#[test]
fn a_series_of_builds_names_the_first_failing_build_the_last_pass_and_the_flaky_trials() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("history.sqlite");
    let db = db.to_string_lossy();
    record_series(&db, dir.path());
    check_series(&db);

    // The same file again is the same run, whatever build it is given.
    let again = history(
        &db,
        &["add", &dir.path().join("b3.json").to_string_lossy(), "--build", "other"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        text(&again).contains("recorded before (as build b3)"),
        "{}",
        text(&again)
    );
    check_series(&db);

    // The dashboard: the trend, the regressions, the first failing build marked in the matrix.
    let page = dir.path().join("history.html");
    let output = history(&db, &["report", "--html", &page.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let html = std::fs::read_to_string(&page).expect("written");
    assert!(html.contains("<polyline"), "a trend line");
    assert!(html.contains("Regressions (2)"), "{html}");
    assert!(
        html.contains("class=\"F first\" title=\"b6: fail\""),
        "the first failing build is marked"
    );
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "nothing from the network"
    );
}

/// A results file of the series rewritten: `edit` changes its JSON.
fn rewritten(from: &Path, to: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(from).expect("read")).expect("JSON");
    edit(&mut value);
    std::fs::write(to, serde_json::to_string(&value).expect("JSON")).expect("write");
    to.to_path_buf()
}

/// One real results file to vary.
fn one_run(dir: &Path) -> PathBuf {
    let rt = runtime();
    let good = reference_server(&rt, None);
    let file = dir.join("one.json");
    let output = run(&good, &["--json", &file.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    file
}

/// `count` variants of `file`, each its own run (another start time, so another digest and
/// another default build).
fn variants(file: &Path, dir: &Path, count: usize) -> Vec<PathBuf> {
    (0..count)
        .map(|i| {
            rewritten(file, &dir.join(format!("v{i}.json")), |v| {
                v["started_at"] = Value::from(format!("2026-02-01T10:{:02}:{:02}Z", i / 60, i % 60));
            })
        })
        .collect()
}

/// Two processes add 15 runs each, and one run both, at the same moment: all 31 land once.
fn two_writers(db: &str, dir: &Path) {
    let file = one_run(dir);
    let files = variants(&file, dir, 30);
    let shared = files[0].to_string_lossy().into_owned();
    let spawn = |part: &[PathBuf]| {
        let mut command = binary();
        command.args(["history", "add", "--db", db, &shared]);
        command.args(part);
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command.spawn().expect("spawns")
    };
    let first = spawn(&files[1..16]);
    let second = spawn(&files[16..]);
    for child in [first, second] {
        let output = child.wait_with_output().expect("ends");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let builds = json(&history(db, &["builds", "--json"]));
    let list = builds["targets"][0]["builds"].as_array().expect("builds");
    assert_eq!(list.len(), 30, "every run once: {builds}");
    assert!(list.iter().all(|b| b["runs"] == 1), "{builds}");
}

#[test]
fn run_history_keeps_the_libtest_json_on_standard_output_clean() {
    let rt = runtime();
    let good = reference_server(&rt, None);
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("h.sqlite");
    let output = run(
        &good,
        &["--format", "json", "--history", &db.to_string_lossy(), "--build", "b1"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in stdout.lines() {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not JSON on stdout: {line}"
        );
    }
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("recorded this run"),
        "{}",
        text(&output)
    );
}

#[test]
fn two_processes_adding_at_once_lose_nothing_and_add_a_shared_file_once() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("h.sqlite");
    two_writers(&db.to_string_lossy(), dir.path());
}

#[test]
fn results_that_would_mislead_are_refused_and_nothing_of_the_batch_is_added() {
    let dir = tempfile::tempdir().expect("dir");
    let file = one_run(dir.path());
    let db = dir.path().join("h.sqlite");
    let db = db.to_string_lossy();
    let partial = rewritten(&file, &dir.path().join("partial.json"), |v| {
        v["verdict"] = serde_json::json!({"is": "partial", "counted": 0, "missing": [2]});
    });
    let partition = rewritten(&file, &dir.path().join("partition.json"), |v| {
        v["selection"]["partition"] = serde_json::json!({"index": 1, "count": 2});
    });
    let other = rewritten(&file, &dir.path().join("other.json"), |v| {
        v["schema"] = Value::from("ucwa-conformance/results/9");
    });
    for (bad, words) in [
        (&partial, "a partial merge"),
        (&partition, "merge the partitions first"),
        (&other, "results/9"),
    ] {
        let output = history(&db, &["add", &file.to_string_lossy(), &bad.to_string_lossy()]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(text(&output).contains(words), "{}", text(&output));
        assert!(
            text(&output).contains(&*bad.to_string_lossy()),
            "names the file: {}",
            text(&output)
        );
    }
    let output = history(&db, &["builds"]);
    assert_eq!(output.status.code(), Some(2), "nothing was added: {}", text(&output));
    let bad_time = history(&db, &["add", &file.to_string_lossy(), "--at", "yesterday"]);
    assert_eq!(bad_time.status.code(), Some(2), "{}", text(&bad_time));
    assert!(text(&bad_time).contains("RFC 3339"), "{}", text(&bad_time));
}

#[test]
fn a_database_that_is_not_ours_or_not_a_database_is_exit_2_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("dir");
    let file = one_run(dir.path());
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, "not a database, but someone's notes\n".repeat(200)).expect("write");
    let foreign = dir.path().join("foreign.sqlite");
    {
        let connection = rusqlite::Connection::open(&foreign).expect("opens");
        connection
            .execute_batch(
                "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts (name) VALUES ('x');",
            )
            .expect("creates");
    }
    for (db, words) in [
        (&garbage, "not a readable SQLite database"),
        (&foreign, "not a ucwa-conformance history"),
    ] {
        let before = std::fs::read(db).expect("read");
        for args in [
            vec!["add", &*file.to_string_lossy()],
            vec!["builds"],
            vec!["regressions"],
        ] {
            let output = history(&db.to_string_lossy(), &args);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
            assert!(text(&output).contains(words), "{}", text(&output));
            assert!(
                text(&output).contains(&*db.to_string_lossy()),
                "names it: {}",
                text(&output)
            );
        }
        assert!(std::fs::read(db).expect("read") == before, "{} changed", db.display());
        let wal = PathBuf::from(format!("{}-wal", db.display()));
        assert!(!wal.exists() || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0);
    }
    let missing = dir.path().join("missing.sqlite");
    let output = history(&missing.to_string_lossy(), &["regressions"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("history add"), "{}", text(&output));
    assert!(!missing.exists(), "a question creates no database");
}

#[test]
fn the_dashboard_escapes_target_names_and_build_ids_and_sets_vendors_side_by_side() {
    let dir = tempfile::tempdir().expect("dir");
    let file = one_run(dir.path());
    let hostile = rewritten(&file, &dir.path().join("hostile.json"), |v| {
        v["target"]["name"] = Value::from("<img src=x onerror=alert(1)>");
    });
    let db = dir.path().join("h.sqlite");
    let db = db.to_string_lossy();
    for (path, build) in [(&file, "1.0"), (&hostile, "<b>2</b>")] {
        let output = history(&db, &["add", &path.to_string_lossy(), "--build", build]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let page = dir.path().join("d.html");
    let output = history(&db, &["report", "--html", &page.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let html = std::fs::read_to_string(&page).expect("written");
    assert!(!html.contains("<img"), "escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "shown as text");
    assert!(html.contains("&lt;b&gt;2&lt;/b&gt;"));
    assert!(html.contains("Vendors side by side"));
    assert!(html.contains("<th>pool<br>"), "both targets are columns");
}

/// The PostgreSQL server of `.ci/run` (`UCWA_TEST_POSTGRES`), with a database of this test's own
/// that is dropped at the end. Without the variable the test fails under CI and says why
/// elsewhere.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(tag: &str) -> Option<PgDatabase> {
        let Ok(admin) = std::env::var("UCWA_TEST_POSTGRES") else {
            let required = std::env::var_os("CI").is_some() || std::env::var_os("UCWA_REQUIRE_POSTGRES").is_some();
            assert!(
                !required,
                "UCWA_TEST_POSTGRES is not set: .ci/run starts PostgreSQL and sets it (source .ci/postgres)"
            );
            eprintln!("SKIPPED: the PostgreSQL history test needs UCWA_TEST_POSTGRES (source .ci/postgres)");
            return None;
        };
        let name = format!("ucwa_history_test_{tag}_{}", std::process::id());
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("PostgreSQL at UCWA_TEST_POSTGRES cannot be reached: {e}"));
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drops a leftover test database");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creates the test database");
        let mut url = url::Url::parse(&admin).expect("a URL");
        url.set_path(&name);
        Some(PgDatabase {
            admin,
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

#[test]
fn postgresql_keeps_the_same_history_and_answers_the_same() {
    let Some(pg) = PgDatabase::create("series") else { return };
    let dir = tempfile::tempdir().expect("dir");
    record_series(&pg.url, dir.path());
    check_series(&pg.url);
    // Its password is never printed.
    let output = history(&pg.url, &["add", &dir.path().join("b1.json").to_string_lossy()]);
    assert!(text(&output).contains("recorded before"), "{}", text(&output));
    let password = url::Url::parse(&pg.url)
        .ok()
        .and_then(|u| u.password().map(str::to_string));
    if let Some(password) = password {
        assert!(!text(&output).contains(&password), "{}", text(&output));
    }
}

#[test]
fn postgresql_takes_two_writers_at_once() {
    let Some(pg) = PgDatabase::create("writers") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    two_writers(&pg.url, dir.path());
}

#[test]
fn postgresql_refuses_a_database_whose_ucwa_tables_are_not_ours() {
    let Some(pg) = PgDatabase::create("foreign") else {
        return;
    };
    let mut client = postgres::Client::connect(&pg.url, postgres::NoTls).expect("connects");
    client
        .batch_execute("CREATE TABLE ucwa_builds (x TEXT); INSERT INTO ucwa_builds VALUES ('theirs')")
        .expect("creates");
    let dir = tempfile::tempdir().expect("dir");
    let file = one_run(dir.path());
    let output = history(&pg.url, &["add", &file.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("not a ucwa-conformance history"),
        "{}",
        text(&output)
    );
    let rows = client.query("SELECT x FROM ucwa_builds", &[]).expect("still there");
    assert_eq!(rows.len(), 1);
}
