//! Ed25519 signatures of results files: a key pair in the PEM files OpenSSL reads and writes
//! (`openssl genpkey -algorithm ed25519` makes a key this reads), and a detached signature of
//! the exact bytes a run wrote, in a small text file beside it (`RESULTS.json.sig`).
//!
//! The signature file:
//!
//! ```text
//! ucwa-conformance-signature/1 ed25519
//! key sha256:<hex of the SHA-256 of the 32-byte public key>
//! signature <base64 of the 64-byte signature>
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use std::path::Path;

/// The first line of every signature file.
const HEADER: &str = "ucwa-conformance-signature/1 ed25519";

/// What an Ed25519 SubjectPublicKeyInfo holds before its 32 key bytes (RFC 8410).
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// Why a key or a signature could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A key or signature file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A file is not the kind of key or signature expected.
    #[error("{path} is not {expected}: {why}")]
    Malformed {
        /// The file.
        path: String,
        /// What it should have been.
        expected: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// No randomness for a new key.
    #[error("cannot make a key: the system's random source failed")]
    Random,
}

/// A private key, read from a PKCS#8 PEM file.
pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    /// Reads a private key (`-----BEGIN PRIVATE KEY-----`, Ed25519, PKCS#8 v1 or v2).
    pub fn read(path: &Path) -> Result<Self, SignatureError> {
        let der = pem(path, "PRIVATE KEY", "an Ed25519 private key (PKCS#8 PEM)")?;
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(|e| SignatureError::Malformed {
            path: path.display().to_string(),
            expected: "an Ed25519 private key (PKCS#8 PEM)",
            why: e.to_string(),
        })?;
        Ok(Self { pair })
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey { bytes }
    }

    /// The signature file's text for `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> String {
        let signature = self.pair.sign(bytes);
        format!(
            "{HEADER}\nkey {}\nsignature {}\n",
            self.public().fingerprint(),
            STANDARD.encode(signature.as_ref())
        )
    }
}

/// A public key, read from a SubjectPublicKeyInfo PEM file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    bytes: [u8; 32],
}

impl PublicKey {
    /// Reads a public key (`-----BEGIN PUBLIC KEY-----`, Ed25519).
    pub fn read(path: &Path) -> Result<Self, SignatureError> {
        let expected = "an Ed25519 public key (PEM)";
        let der = pem(path, "PUBLIC KEY", expected)?;
        let key = der
            .strip_prefix(&SPKI_PREFIX)
            .and_then(|key| <[u8; 32]>::try_from(key).ok())
            .ok_or_else(|| SignatureError::Malformed {
                path: path.display().to_string(),
                expected,
                why: "not an Ed25519 SubjectPublicKeyInfo".into(),
            })?;
        Ok(Self { bytes: key })
    }

    /// `sha256:` and the hex of the SHA-256 of the key's 32 bytes: how a signature names its key.
    pub fn fingerprint(&self) -> String {
        crate::digest::sha256(&self.bytes)
    }

    /// The PEM text of this key.
    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.bytes);
        to_pem("PUBLIC KEY", &der)
    }

    /// Whether `signature` (a signature file's text, read from `path`) signs exactly `bytes`
    /// with this key.
    pub fn check(&self, bytes: &[u8], signature: &str, path: &Path) -> Result<Checked, SignatureError> {
        let malformed = |why: &str| SignatureError::Malformed {
            path: path.display().to_string(),
            expected: "a ucwa-conformance signature file",
            why: why.to_string(),
        };
        let mut lines = signature.lines();
        if lines.next() != Some(HEADER) {
            return Err(malformed(&format!("its first line is not `{HEADER}`")));
        }
        let key = lines
            .next()
            .and_then(|l| l.strip_prefix("key "))
            .ok_or_else(|| malformed("no `key` line"))?;
        let value = lines
            .next()
            .and_then(|l| l.strip_prefix("signature "))
            .ok_or_else(|| malformed("no `signature` line"))?;
        let value = STANDARD
            .decode(value.trim())
            .map_err(|e| malformed(&format!("the signature is not base64: {e}")))?;
        if key != self.fingerprint() {
            return Ok(Checked::OtherKey { key: key.to_string() });
        }
        Ok(
            match UnparsedPublicKey::new(&ED25519, self.bytes).verify(bytes, &value) {
                Ok(()) => Checked::Valid,
                Err(_) => Checked::Invalid,
            },
        )
    }
}

/// What a signature says of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The file is byte for byte what the key's holder signed.
    Valid,
    /// The signature is by this key, but of other bytes: the file was changed, or the signature
    /// is another file's.
    Invalid,
    /// The signature names another key.
    OtherKey {
        /// The fingerprint it names.
        key: String,
    },
}

/// Makes a key pair: the private key at `path` (readable by its owner only), the public key at
/// `path.pub`. Gives the public key. An existing file is not overwritten.
pub fn keygen(path: &Path) -> Result<PublicKey, SignatureError> {
    let public_path = public_path(path);
    for existing in [path, public_path.as_path()] {
        if existing.exists() {
            return Err(SignatureError::File {
                path: existing.display().to_string(),
                message: "exists already (a key is never overwritten; remove it or choose another path)".into(),
            });
        }
    }
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).map_err(|_| SignatureError::Random)?;
    write_private(path, &to_pem("PRIVATE KEY", pkcs8.as_ref()))?;
    let key = SigningKey::read(path)?.public();
    std::fs::write(&public_path, key.to_pem()).map_err(|e| SignatureError::File {
        path: public_path.display().to_string(),
        message: format!("cannot write: {e}"),
    })?;
    Ok(key)
}

/// `PATH.pub` for a private key at `PATH`.
pub fn public_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".pub");
    name.into()
}

/// `RESULTS.json.sig` for a results file `RESULTS.json`.
pub fn signature_path(results: &Path) -> std::path::PathBuf {
    let mut name = results.as_os_str().to_os_string();
    name.push(".sig");
    name.into()
}

/// Writes a private key, readable and writable by its owner only.
fn write_private(path: &Path, text: &str) -> Result<(), SignatureError> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| SignatureError::File {
            path: path.display().to_string(),
            message: format!("cannot write: {e}"),
        })
}

/// The DER inside a PEM file's `label` block.
fn pem(path: &Path, label: &str, expected: &'static str) -> Result<Vec<u8>, SignatureError> {
    let text = std::fs::read_to_string(path).map_err(|e| SignatureError::File {
        path: path.display().to_string(),
        message: format!("cannot read: {e}"),
    })?;
    let malformed = |why: String| SignatureError::Malformed {
        path: path.display().to_string(),
        expected,
        why,
    };
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body = text
        .split_once(&begin)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(body, _)| body)
        .ok_or_else(|| malformed(format!("no `{begin}` block")))?;
    let base64: String = body.split_whitespace().collect();
    STANDARD
        .decode(base64)
        .map_err(|e| malformed(format!("its block is not base64: {e}")))
}

/// A PEM block of `der`, lines of 64 characters.
fn to_pem(label: &str, der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in base64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_bytes_only_and_names_its_key() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("vendor");
        let public = keygen(&path).expect("keygen");
        assert_eq!(PublicKey::read(&public_path(&path)).expect("reads"), public);
        let key = SigningKey::read(&path).expect("reads");
        let signature = key.sign(b"{\"verdict\":1}");
        let sig_path = dir.path().join("r.json.sig");
        assert_eq!(
            public.check(b"{\"verdict\":1}", &signature, &sig_path),
            Ok(Checked::Valid)
        );
        assert_eq!(
            public.check(b"{\"verdict\":2}", &signature, &sig_path),
            Ok(Checked::Invalid)
        );
        let other = keygen(&dir.path().join("other")).expect("keygen");
        assert!(matches!(
            other.check(b"{\"verdict\":1}", &signature, &sig_path),
            Ok(Checked::OtherKey { .. })
        ));
        assert!(keygen(&path).is_err(), "never overwrites a key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn an_openssl_key_pair_reads() {
        // `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` of the same key.
        let dir = tempfile::tempdir().expect("dir");
        let private = dir.path().join("k.pem");
        let public = dir.path().join("k.pub");
        std::fs::write(
            &private,
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHYlNLEZ3wVHgjA3zwjdnTC4NG12rJPoBfvWcwmR3oQO\n-----END PRIVATE KEY-----\n",
        )
        .expect("write");
        let key = SigningKey::read(&private).expect("an OpenSSL key");
        let openssl_public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA8xy4BWAwhb3ZRuUF6m6N18fhhfvVDsuzcIDwoZ2qsio=\n-----END PUBLIC KEY-----\n";
        assert_eq!(key.public().to_pem(), openssl_public, "the PEM OpenSSL writes");
        std::fs::write(&public, openssl_public).expect("write");
        let read = PublicKey::read(&public).expect("reads");
        let signature = key.sign(b"x");
        assert_eq!(read.check(b"x", &signature, &public), Ok(Checked::Valid));
    }

    #[test]
    fn malformed_files_are_named() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("not-a-key");
        std::fs::write(&path, "hello").expect("write");
        let error = PublicKey::read(&path).expect_err("refused");
        assert!(error.to_string().contains("is not an Ed25519 public key"), "{error}");
        let key = keygen(&dir.path().join("k")).expect("keygen");
        let error = key.check(b"x", "something else", &path).expect_err("refused");
        assert!(error.to_string().contains("first line"), "{error}");
    }
}
