//! `sha256:` digests: of the corpus, of a body kept only in part, of a results file in the
//! history, of a signing key. One spelling everywhere: `sha256:` and 64 lowercase hex digits.
//! May use nothing of the crate.

use ring::digest::{Context, SHA256};
use std::fmt::Write as _;

/// The SHA-256 of pieces fed one after another (as if concatenated).
pub struct Sha256(Context);

impl Sha256 {
    /// An empty digest.
    pub fn new() -> Self {
        Self(Context::new(&SHA256))
    }

    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// `sha256:` and the hex of everything fed.
    pub fn finish(self) -> String {
        let digest = self.0.finish();
        let mut out = String::with_capacity(7 + 64);
        out.push_str("sha256:");
        for byte in digest.as_ref() {
            let _ = write!(out, "{byte:02x}");
        }
        out
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

/// `sha256:` and the hex digest of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let mut digest = Sha256::new();
    digest.update(bytes);
    digest.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_of_known_input_is_the_published_one() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut pieces = Sha256::new();
        pieces.update(b"a");
        pieces.update(b"bc");
        assert_eq!(pieces.finish(), sha256(b"abc"));
    }
}
