//! The harness carries the suite's case corpus (`cases/` at the workspace root, compiled in by
//! include_dir); stable cargo does not track the files a macro reads, so this tells it to
//! rebuild when one changes.
fn main() {
    println!("cargo::rerun-if-changed=../../cases");
}
