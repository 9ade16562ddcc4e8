//! Broken case files stop the run with a message naming file, line and column; none panics.

use rstest::rstest;
use std::path::Path;
use ucwa_conformance::case::parse_case;
use ucwa_conformance::corpus::Corpus;

const HEAD: &str = "id = \"a.b\"\ntitle = \"t\"\nspec = [\"x\"]\nseverity = \"must\"\n";
const STEP: &str = "[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = 201\n";

#[rstest]
#[case::toml_syntax("id = \"a.b\n", 1, "invalid basic string")]
#[case::unknown_top_key(&format!("{HEAD}colour = \"red\"\n{STEP}"), 5, "unknown field `colour`")]
#[case::unknown_step_key(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nbodyy = {{}}\nexpect.status = 201\n"), 8, "unknown field `bodyy`")]
#[case::wrong_type(&format!("{HEAD}[[step]]\nmethod = 5\nrel = \"startMessaging\"\nexpect.status = 201\n"), 6, "invalid type")]
#[case::status_as_string(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = \"201\"\n"), 8, "invalid type")]
#[case::missing_steps(HEAD, 1, "missing field `step`")]
#[case::unknown_rel(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMesaging\"\nexpect.status = 201\n"), 7, "did you mean `startMessaging`")]
#[case::unknown_capture(&format!("{HEAD}[[step]]\nmethod = \"GET\"\nhref = \"{{{{capture:loc}}}}\"\nexpect.status = 200\n"), 7, "unknown capture `loc`")]
#[case::capture_used_before_made(&format!("{HEAD}[[step]]\nmethod = \"GET\"\nhref = \"{{{{capture:loc}}}}\"\nexpect.status = 200\ncapture.loc = {{ header = \"Location\" }}\n"), 7, "unknown capture `loc`")]
#[case::unknown_placeholder(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nbody = {{ to = \"{{{{peerz}}}}\" }}\nexpect.status = 201\n"), 8, "unknown placeholder")]
#[case::absurd_size(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nbody = {{ subject = \"{{{{chars:99999999999}}}}\" }}\nexpect.status = 201\n"), 8, "larger than the limit")]
#[case::unknown_method(&format!("{HEAD}[[step]]\nmethod = \"FETCH\"\nrel = \"startMessaging\"\nexpect.status = 201\n"), 6, "unknown method")]
#[case::unknown_severity(
    "id = \"a.b\"\ntitle = \"t\"\nspec = [\"x\"]\nseverity = \"may\"\n[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = 201\n",
    4,
    "unknown severity"
)]
#[case::bad_id(
    "id = \"A B\"\ntitle = \"t\"\nspec = [\"x\"]\nseverity = \"must\"\n[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = 201\n",
    1,
    "may use only"
)]
#[case::unknown_fault(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nfault = \"Boom\"\nbody = {{ operationId = \"{{{{operation_id}}}}\" }}\nexpect.status = 201\n"), 8, "unknown fault")]
#[case::fault_without_operation_id(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nfault = \"TooManyGroups\"\nexpect.status = 409\n"), 8, "must send `operationId")]
#[case::rel_and_href(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nhref = \"/x\"\nexpect.status = 201\n"), 8, "not both")]
#[case::raw_missing_media(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nraw.json = \"{{\"\nexpect.status = 400\n"), 8, "has no `xml` text")]
#[case::bad_header_rule(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = 201\nexpect.headers.Location = {{ present = true, equals = \"x\" }}\n"), 9, "exactly one of")]
#[case::bad_regex(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = 201\nexpect.headers.Location = {{ matches = \"(\" }}\n"), 9, "invalid pattern")]
#[case::bad_subcode(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = 409\nexpect.subcode = true\n"), 9, "subcode")]
#[case::method_and_wait(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nwait = {{ type = \"started\", rel = \"messagingInvitation\", within_ms = 10 }}\nrel = \"startMessaging\"\nexpect.status = 201\n"), 7, "not both")]
#[case::wait_unknown_type(&format!("{HEAD}[[step]]\nwait = {{ type = \"finished\", rel = \"messagingInvitation\", within_ms = 10 }}\n"), 6, "unknown event type")]
#[case::wait_with_request_keys(&format!("{HEAD}[[step]]\nwait = {{ type = \"started\", rel = \"messagingInvitation\", within_ms = 10 }}\nrel = \"startMessaging\"\n"), 6, "sends no request")]
#[case::wait_forever(&format!("{HEAD}[[step]]\nwait = {{ type = \"started\", rel = \"messagingInvitation\", within_ms = 99999999 }}\n"), 6, "within_ms")]
#[case::wait_with_status(&format!("{HEAD}[[step]]\nwait = {{ type = \"started\", rel = \"messagingInvitation\", operation_id = \"{{{{operation_id}}}}\", within_ms = 10 }}\nexpect.status = 200\n"), 7, "no HTTP status")]
#[case::wait_for_anyones_event(&format!("{HEAD}[[step]]\nwait = {{ type = \"updated\", rel = \"messaging\", within_ms = 10 }}\n"), 6, "must name its event")]
#[case::request_without_expect(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\n"), 5, "needs `expect.status`")]
#[case::unknown_identity(&format!("{HEAD}[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nas = \"admin\"\nexpect.status = 201\n"), 8, "unknown `as`")]
#[case::unknown_precondition(
    "id = \"a.b\"\ntitle = \"t\"\nspec = [\"x\"]\nseverity = \"must\"\nneeds = [\"sunshine\"]\n[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nexpect.status = 201\n",
    5,
    "unknown precondition"
)]
fn broken_case_files_name_line_and_column(#[case] text: &str, #[case] line: usize, #[case] words: &str) {
    let error = parse_case(Path::new("cases/broken.toml"), text).expect_err("the case file is broken");
    let shown = error.to_string();
    assert_eq!(error.at.line, line, "{shown}");
    assert!(shown.contains(&format!("cases/broken.toml:{line}:")), "{shown}");
    assert!(shown.contains(words), "missing `{words}` in:\n{shown}");
}

#[test]
fn a_duplicate_id_names_both_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{HEAD}{STEP}");
    std::fs::write(dir.path().join("one.toml"), &text).expect("write");
    std::fs::write(dir.path().join("two.toml"), &text).expect("write");
    let error = Corpus::load_dir(dir.path()).expect_err("duplicate id");
    let shown = error.to_string();
    assert!(shown.contains("duplicate case id `a.b`"), "{shown}");
    assert!(shown.contains("one.toml"), "{shown}");
    assert!(shown.contains("two.toml:1:6"), "{shown}");
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.toml"), b"id = \"a\xff\"\n").expect("write");
    let error = Corpus::load_dir(dir.path()).expect_err("not UTF-8");
    assert!(error.to_string().contains("not valid UTF-8"), "{error}");
    assert!(error.to_string().contains("bad.toml:1:8"), "{error}");
}

#[test]
fn the_suite_own_cases_all_load() {
    let cases = Corpus::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")).expect("the corpus loads");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
}

#[test]
fn an_absurdly_large_case_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let huge = format!("{HEAD}# {}\n{STEP}", "x".repeat(2 * 1024 * 1024));
    std::fs::write(dir.path().join("huge.toml"), huge).expect("write");
    let error = Corpus::load_dir(dir.path()).expect_err("too large");
    assert!(error.to_string().contains("the limit is 1048576"), "{error}");
    assert!(error.to_string().contains("huge.toml:1:1"), "{error}");
}

#[test]
fn an_empty_case_file_names_what_is_missing() {
    let error = parse_case(Path::new("cases/empty.toml"), "").expect_err("empty");
    assert!(error.to_string().contains("missing field `id`"), "{error}");
    assert!(error.to_string().contains("cases/empty.toml:1:1"), "{error}");
}
