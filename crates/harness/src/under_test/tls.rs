//! How the harness checks the target's TLS certificate: against the system's roots (which
//! honour `SSL_CERT_FILE` and `SSL_CERT_DIR`) plus the PEM roots given with `--cacert`, with a
//! client certificate when the pool asks for one (`--client-cert`, `--client-key`), or not at
//! all (`--insecure`: loud on the console, recorded in the results, and the password is then
//! treated as if it went over plain http, because nobody proved who receives it).
//!
//! Files are read and parsed when the target is built, so a wrong path or a file without a
//! certificate is a configuration error (exit 2) before the first request.

use std::path::{Path, PathBuf};

/// The TLS settings of a run, files already read and parsed.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    /// Extra trusted roots, with the files they came from.
    roots: Vec<(PathBuf, Vec<reqwest::Certificate>)>,
    /// The client certificate and key, with the file the certificate came from.
    identity: Option<(PathBuf, reqwest::Identity)>,
    /// Certificates are not verified at all.
    insecure: bool,
}

/// Where the TLS settings come from, before the files are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM files of extra roots (`--cacert`, repeatable).
    pub cacert: Vec<PathBuf>,
    /// PEM file of the client certificate chain, possibly with its key (`--client-cert`).
    pub client_cert: Option<PathBuf>,
    /// PEM file of the client key, when it is not in the certificate file (`--client-key`).
    pub client_key: Option<PathBuf>,
    /// Skip certificate verification (`--insecure`).
    pub insecure: bool,
}

/// The console's warning for a run that does not verify certificates.
pub const INSECURE_WARNING: &str = "WARNING: --insecure: the target's TLS certificate is NOT verified; this run \
     proves nothing about who answered, and the password is only sent as over plain http";

/// Why the TLS files of a run cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file cannot be read.
    #[error("{}: cannot read the {what}: {reason}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What it was meant to be.
        what: &'static str,
        /// Why.
        reason: std::io::Error,
    },
    /// A `--cacert` file is not a PEM bundle.
    #[error("{}: not a PEM certificate bundle: {reason}", .path.display())]
    NotPem {
        /// The file.
        path: PathBuf,
        /// The parser's words.
        reason: String,
    },
    /// A `--cacert` file holds no certificate.
    #[error("{}: no certificate found (expected PEM blocks `-----BEGIN CERTIFICATE-----`)", .0.display())]
    NoCertificate(PathBuf),
    /// The client certificate and key do not make an identity.
    #[error(
        "{}: not a client certificate with its private key (PEM; give the key with --client-key if it is in \
         another file): {reason}",
        .path.display()
    )]
    NotIdentity {
        /// The certificate file.
        path: PathBuf,
        /// The parser's words.
        reason: String,
    },
    /// A key without a certificate.
    #[error("{}: a client key needs --client-cert", .0.display())]
    KeyWithoutCertificate(PathBuf),
}

impl TlsFiles {
    /// Reads and parses the files. The error names the file and what is wrong with it.
    pub fn load(&self) -> Result<Tls, TlsError> {
        let mut roots = Vec::new();
        for path in &self.cacert {
            let pem = read(path, "CA certificate file (--cacert)")?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| TlsError::NotPem {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            if certificates.is_empty() {
                return Err(TlsError::NoCertificate(path.clone()));
            }
            roots.push((path.clone(), certificates));
        }
        let identity = match (&self.client_cert, &self.client_key) {
            (Some(cert), key) => {
                let mut pem = read(cert, "client certificate file (--client-cert)")?;
                if let Some(key) = key {
                    pem.push(b'\n');
                    pem.extend(read(key, "client key file (--client-key)")?);
                }
                let identity = reqwest::Identity::from_pem(&pem).map_err(|e| TlsError::NotIdentity {
                    path: cert.clone(),
                    reason: e.to_string(),
                })?;
                Some((cert.clone(), identity))
            }
            (None, Some(key)) => {
                return Err(TlsError::KeyWithoutCertificate(key.clone()));
            }
            (None, None) => None,
        };
        Ok(Tls {
            roots,
            identity,
            insecure: self.insecure,
        })
    }

    /// The same files, with relative paths taken from `dir` (a profile's own directory).
    pub fn relative_to(mut self, dir: &Path) -> Self {
        let anchor = |p: PathBuf| if p.is_relative() { dir.join(p) } else { p };
        self.cacert = self.cacert.into_iter().map(anchor).collect();
        self.client_cert = self.client_cert.map(anchor);
        self.client_key = self.client_key.map(anchor);
        self
    }
}

impl Tls {
    /// True when certificates are not verified (`--insecure`).
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// How the run checks certificates, in words, for reports.
    pub fn describe(&self) -> String {
        if self.insecure {
            return "NOT verified (--insecure)".into();
        }
        let mut words = String::from("verified against the system roots");
        if !self.roots.is_empty() {
            let files: Vec<String> = self.roots.iter().map(|(p, _)| p.display().to_string()).collect();
            words.push_str(&format!(" and {}", files.join(", ")));
        }
        if let Some((cert, _)) = &self.identity {
            words.push_str(&format!("; client certificate {}", cert.display()));
        }
        words
    }

    /// True when the run gave TLS settings of its own (roots, a client certificate, `--insecure`).
    pub fn configured(&self) -> bool {
        !self.roots.is_empty() || self.identity.is_some() || self.insecure
    }

    /// Applies the settings to a client builder.
    pub fn apply(&self, mut builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        for (_, certificates) in &self.roots {
            builder = builder.tls_certs_merge(certificates.iter().cloned());
        }
        if let Some((_, identity)) = &self.identity {
            builder = builder.identity(identity.clone());
        }
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        builder
    }
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|reason| TlsError::Unreadable {
        path: path.to_path_buf(),
        what,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(text.as_bytes()).expect("write");
        file
    }

    #[test]
    fn a_missing_root_file_is_named() {
        let files = TlsFiles {
            cacert: vec![PathBuf::from("/nonexistent/ca.pem")],
            ..TlsFiles::default()
        };
        let error = files.load().expect_err("missing").to_string();
        assert!(
            error.starts_with("/nonexistent/ca.pem: cannot read the CA certificate file"),
            "{error}"
        );
    }

    #[test]
    fn a_root_file_without_a_certificate_is_refused() {
        let empty = file("just text\n");
        let files = TlsFiles {
            cacert: vec![empty.path().to_path_buf()],
            ..TlsFiles::default()
        };
        let error = files.load().expect_err("no certificate").to_string();
        assert!(error.contains("no certificate found"), "{error}");
    }

    #[test]
    fn a_key_without_a_certificate_is_refused() {
        let files = TlsFiles {
            client_key: Some(PathBuf::from("key.pem")),
            ..TlsFiles::default()
        };
        assert!(
            files
                .load()
                .expect_err("key alone")
                .to_string()
                .contains("needs --client-cert")
        );
    }

    #[test]
    fn relative_paths_follow_the_profile() {
        let files = TlsFiles {
            cacert: vec![PathBuf::from("ca.pem"), PathBuf::from("/abs/ca.pem")],
            client_cert: Some(PathBuf::from("me.pem")),
            ..TlsFiles::default()
        }
        .relative_to(Path::new("/etc/ucwa"));
        assert_eq!(
            files.cacert,
            [PathBuf::from("/etc/ucwa/ca.pem"), PathBuf::from("/abs/ca.pem")]
        );
        assert_eq!(files.client_cert, Some(PathBuf::from("/etc/ucwa/me.pem")));
    }

    #[test]
    fn insecure_is_said_in_words() {
        let tls = TlsFiles {
            insecure: true,
            ..TlsFiles::default()
        }
        .load()
        .expect("nothing to read");
        assert!(tls.insecure());
        assert!(tls.describe().starts_with("NOT verified"));
    }
}
