//! `verify`, `keygen`, and the signing of `run --sign` and `merge --sign`: a vendor signs the
//! results file its run wrote; a buyer checks it against its own trials, this binary's corpus
//! and the vendor's public key.

use super::VerifyArgs;
use crate::corpus::Corpus;
use crate::error::Error;
use crate::evidence::audit::{self, Coverage};
use crate::evidence::signature::{self, Checked, PublicKey, SigningKey};
use crate::exit::ExitCode;
use crate::record::output;
use crate::report::escape::console_line;
use crate::report::results;
use std::path::{Path, PathBuf};

/// Reads the signing key of `--sign`, before anything runs (a bad key is exit 2, not a lost run).
pub fn signing_key(path: Option<&Path>) -> Result<Option<SigningKey>, Error> {
    path.map(|p| SigningKey::read(p).map_err(|e| Error::Usage(e.to_string())))
        .transpose()
}

/// Signs the results file at `json` as written (its bytes, read back), writing `json.sig`.
pub fn sign(key: &SigningKey, json: &Path) -> Result<PathBuf, Error> {
    let bytes = std::fs::read(json).map_err(|e| Error::output(json, format!("cannot read it back to sign: {e}")))?;
    let path = signature::signature_path(json);
    output::write_atomic(&path, &key.sign(&bytes))?;
    Ok(path)
}

/// `keygen PATH`.
pub fn keygen(path: &Path) -> Result<ExitCode, Error> {
    let key = signature::keygen(path).map_err(|e| Error::Usage(e.to_string()))?;
    outln!(
        "private key: {} (keep it secret)\npublic key:  {} ({}; give it to whoever verifies your results files)",
        path.display(),
        signature::public_path(path).display(),
        key.fingerprint()
    );
    Ok(ExitCode::Conformant)
}

/// `verify RESULTS.json`.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, Error> {
    let path = &args.results;
    let fail = |message: String| Error::ResultsFile {
        path: path.clone(),
        message,
    };
    // Read once: the signature is checked over the very bytes the audit reads.
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| fail(format!("not UTF-8: {e}")))?;
    let file = results::parse(path, text)?;
    let raw: serde_json::Value = serde_json::from_str(text).map_err(|e| fail(format!("not JSON: {e}")))?;
    let corpus = Corpus::built_in();
    let cases = corpus.cases()?;
    let found = audit::audit(&raw, &file, &cases, &corpus.digest());
    let mut failed = false;
    outln!("verify {}:", path.display());
    if found.disagreements.is_empty() {
        outln!("  agrees: its verdict, counts and area words are what its trials give");
    } else {
        failed = true;
        outln!(
            "  DISAGREES: {} statements are not what its trials give:",
            found.disagreements.len()
        );
        for d in &found.disagreements {
            outln!("    {}", excerpt(&d.to_string()));
        }
    }
    outln!(
        "  verdict of its trials: {} (exit {} when run)",
        found.verdict.word(),
        found.verdict.exit_code().code()
    );
    match &found.coverage {
        Coverage::Complete { trials } => outln!(
            "  complete: every trial of this binary's corpus ({trials} trials, {}), no filter",
            corpus.digest()
        ),
        Coverage::Partial(gaps) => {
            failed |= args.require_complete;
            outln!(
                "  PARTIAL: not the whole corpus of ucwa-conformance {}:",
                env!("CARGO_PKG_VERSION")
            );
            for gap in gaps {
                outln!("    {}", excerpt(&gap.to_string()));
            }
        }
    }
    match &args.key {
        Some(key) => failed |= !signed(path, &bytes, key, args.signature.as_deref())?,
        None => outln!("  signature: not checked (give --key KEY.pub to check who wrote it)"),
    }
    Ok(if failed {
        ExitCode::Failures
    } else {
        ExitCode::Conformant
    })
}

/// Checks the signature of `bytes` (the file at `path`) with the public key at `key`; says what
/// it found and whether it holds.
fn signed(path: &Path, bytes: &[u8], key: &Path, signature: Option<&Path>) -> Result<bool, Error> {
    let public = PublicKey::read(key).map_err(|e| Error::Usage(e.to_string()))?;
    let sig_path = signature.map_or_else(|| signature::signature_path(path), Path::to_path_buf);
    let Ok(text) = std::fs::read_to_string(&sig_path) else {
        outln!("  signature: MISSING ({} cannot be read)", sig_path.display());
        return Ok(false);
    };
    let checked = public
        .check(bytes, &text, &sig_path)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let holds = match checked {
        Checked::Valid => {
            outln!(
                "  signature: valid: the file is byte for byte what the holder of {} signed",
                public.fingerprint()
            );
            true
        }
        Checked::Invalid => {
            outln!(
                "  signature: INVALID: the file is not what {} signed (changed after signing, or the \
                 signature of another file)",
                public.fingerprint()
            );
            false
        }
        Checked::OtherKey { key } => {
            outln!(
                "  signature: BY ANOTHER KEY: signed by {}, not by {}",
                console_line(&key),
                public.fingerprint()
            );
            false
        }
    };
    Ok(holds)
}

/// Text from the file checked (a vendor's), on one line and at most 500 characters.
fn excerpt(text: &str) -> String {
    console_line(&text.chars().take(500).collect::<String>())
}
