//! The binary: `ucwa-conformance`'s command line. The commands live in the library's `cli`
//! module, so that they build beside the harness instead of after it.

fn main() {
    ucwa_conformance::main()
}
