//! The suite catches what it claims: every mutant of the reference server is killed by a case
//! citing the spec item it breaks, and the reference itself passes every case. Each mutant runs
//! only the cases citing its item (the whole matrix is `ucwa-conformance mutants`).

use std::path::Path;
use std::sync::Arc;
use ucwa_conformance::corpus::Corpus;
use ucwa_conformance::oracle::mutation;
use ucwa_conformance::reference::Mutant;

#[test]
fn every_mutant_is_killed_on_its_item_and_the_reference_passes_everything() {
    let cases =
        Corpus::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")).unwrap_or_else(|e| panic!("{e}"));
    assert!(Mutant::ALL.len() >= 30, "only {} mutants", Mutant::ALL.len());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let matrix = runtime.block_on(mutation::kill_matrix(
        cases.into_iter().map(Arc::new).collect(),
        Mutant::ALL,
        8,
        mutation::Scope::ItsItem,
        false,
    ));
    assert!(matrix.is_perfect(), "{}", mutation::render(&matrix));
}

#[test]
fn every_mutant_breaks_an_item_of_the_inventory() {
    let inventory = ucwa_conformance::corpus::inventory::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"))
        .unwrap_or_else(|e| panic!("{e}"));
    for mutant in Mutant::ALL {
        assert!(
            inventory.items.iter().any(|i| i.id == mutant.breaks()),
            "mutant {} breaks `{}`, which the inventory does not list",
            mutant.name(),
            mutant.breaks()
        );
        assert_eq!(Mutant::from_name(mutant.name()), Some(*mutant));
    }
}

/// Exploration's column: one exploration (seed 1, the default budget) finds every mutant whose
/// fault lies in startMessaging's inputs or state, finds nothing in the reference, and the
/// mutants the corpus is blind to by design (two inputs at once, UTF-16 units, XML only) are
/// missed by every case citing their item.
#[test]
fn exploration_finds_every_mutant_of_startmessaging_and_the_corpus_misses_the_blind_ones() {
    let cases =
        Corpus::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")).unwrap_or_else(|e| panic!("{e}"));
    let explorable: Vec<Mutant> = Mutant::ALL.iter().copied().filter(|m| m.explorable()).collect();
    assert!(
        explorable.len() >= 30,
        "only {} mutants of startMessaging",
        explorable.len()
    );
    let blind: Vec<&str> = Mutant::ALL
        .iter()
        .filter(|m| m.corpus_blind())
        .map(|m| m.name())
        .collect();
    assert_eq!(
        blind,
        [
            "subject-unchecked-with-thread-id",
            "operation-id-optional-with-message",
            "thread-id-limit-in-utf16",
            "operation-id-limit-in-bytes-xml"
        ],
        "the mutants the corpus is blind to by design"
    );
    assert!(
        blind
            .iter()
            .all(|name| Mutant::from_name(name).is_some_and(Mutant::explorable))
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let matrix = runtime.block_on(mutation::kill_matrix(
        cases.into_iter().map(Arc::new).collect(),
        &explorable,
        4,
        mutation::Scope::ItsItem,
        true,
    ));
    assert!(matrix.is_perfect(), "{}", mutation::render(&matrix));
    for row in &matrix.rows {
        assert!(
            matches!(&row.explored, Some(Ok(found)) if !found.is_empty()),
            "{}",
            mutation::render(&matrix)
        );
    }
    assert_eq!(matrix.explore_score(), (explorable.len(), explorable.len()));
}
