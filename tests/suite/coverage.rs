//! Every inventory item has a case (or a waiver), every case cites known items, and the
//! `coverage` command says which item is uncovered when a case goes missing.

use crate::support::copy_dir;
use std::path::{Path, PathBuf};
use ucwa_conformance::corpus::Corpus;
use ucwa_conformance::corpus::{coverage, inventory};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

#[test]
fn every_inventory_item_has_a_case_and_every_citation_is_known() {
    let cases = Corpus::load_dir(&corpus()).unwrap_or_else(|e| panic!("{e}"));
    let inventory = inventory::load(&corpus()).unwrap_or_else(|e| panic!("{e}"));
    let coverage = coverage::compute(&inventory, &cases);
    assert!(
        coverage.is_complete(),
        "{}",
        ucwa_conformance::report::coverage::render(&coverage, None)
    );
}

#[test]
fn removing_the_only_case_of_an_item_makes_coverage_name_it_and_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&corpus(), dir.path());
    std::fs::remove_file(dir.path().join("start-messaging/to-as-query.toml")).expect("remove");
    let output = crate::support::binary()
        .args(["coverage", "--cases"])
        .arg(dir.path())
        .env_remove("UCWA_CASES")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("uncovered: query.to"), "{stdout}");
    assert!(stdout.contains("1 uncovered"), "{stdout}");
}

#[test]
fn a_case_citing_an_unknown_item_or_overreaching_its_items_is_reported() {
    let inventory = inventory::parse(
        Path::new("inventory.toml"),
        "[[item]]\nid = \"a\"\ntitle = \"t\"\nsource = \"s\"\ntag = \"C\"\nlevel = \"should\"\n",
    )
    .expect("valid inventory");
    let case = ucwa_conformance::case::parse_case(
        Path::new("c.toml"),
        "id = \"c\"\ntitle = \"t\"\nspec = [\"a\", \"zzz\"]\nseverity = \"must\"\n[[step]]\nmethod = \"GET\"\nrel = \"application\"\nexpect.status = 200\n",
    )
    .expect("valid case");
    let coverage = coverage::compute(&inventory, &[case]);
    assert_eq!(coverage.unknown, vec![("c".to_string(), "zzz".to_string())]);
    assert_eq!(coverage.overreaching, vec!["c".to_string()]);
    assert!(!coverage.is_complete());
}
