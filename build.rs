//! The binary carries the reference's own snapshots (`snapshots/reference`, compiled in by
//! include_dir); stable cargo does not track the files a macro reads, so this tells it to
//! rebuild when one changes.
fn main() {
    println!("cargo::rerun-if-changed=snapshots/reference");
}
