//! Every report file a command was asked for, written from one [`Results`]: the results file,
//! JUnit, HTML and Markdown. Each passes the final secret screen just before it is written, and
//! each is written atomically; the first failure is returned after all were tried.

use super::results::{self, Results};
use super::{html, junit, markdown};
use crate::error::Error;
use crate::record::output;
use crate::under_test::secret::Redactor;
use std::path::PathBuf;

/// Where each report goes, when asked for.
#[derive(Debug, Clone, Default)]
pub struct Requested {
    /// The results file (JSON).
    pub json: Option<PathBuf>,
    /// JUnit XML.
    pub junit: Option<PathBuf>,
    /// The HTML report.
    pub html: Option<PathBuf>,
    /// The Markdown summary.
    pub markdown: Option<PathBuf>,
}

impl Requested {
    /// Every path asked for, to check before the run sends its first request.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        [&self.json, &self.junit, &self.html, &self.markdown]
            .into_iter()
            .flatten()
    }
}

/// A report's renderer.
type Render = fn(&Results) -> String;

/// Writes every requested report of `file`, each through `screen`.
pub fn write_all(requested: &Requested, file: &Results, screen: &Redactor) -> Result<(), Error> {
    let renderers: [(&Option<PathBuf>, Render); 4] = [
        (&requested.json, results::to_json),
        (&requested.junit, |r| junit::render(r, &junit::this_host())),
        (&requested.html, |r| html::render(std::slice::from_ref(r))),
        (&requested.markdown, |r| markdown::render(std::slice::from_ref(r))),
    ];
    let mut first = Ok(());
    for (path, render) in renderers {
        if let Some(path) = path
            && let Err(e) = output::write_atomic(path, &screen.redact_values(&render(file)))
            && first.is_ok()
        {
            first = Err(e);
        }
    }
    first
}
