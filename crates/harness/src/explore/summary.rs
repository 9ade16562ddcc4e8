//! What an exploration tells its reports: the seed to repeat it, what it covered, and each
//! finding (a minimal failing request, as a case file).

use crate::case::{Media, Severity};
use serde::{Deserialize, Serialize};

/// An exploration's summary (the `explore` section of a results file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Exploration {
    /// The seed: `explore --seed N` plans the same trials again.
    pub seed: u64,
    /// The budget, in requests.
    pub budget: usize,
    /// Requests sent by the explored trials (shrinking's aside).
    pub requests: usize,
    /// Trials run.
    pub trials: usize,
    /// Of which sequences (an operationId reused).
    pub sequences: usize,
    /// Pairs of value classes the coverage asks for.
    pub pairs: usize,
    /// Pairs covered by the trials run.
    pub pairs_covered: usize,
    /// The media types sent in.
    pub media: Vec<Media>,
    /// Each distinct minimal failure, must-level first.
    pub findings: Vec<Finding>,
    /// Trials not sent because the model and the page's reading disagree (the explorer's bug).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disagreements: Vec<String>,
    /// True when the time limit ended the exploration before its budget.
    #[serde(default)]
    pub time_limited: bool,
    /// The explorer's own time, microseconds, summed over the trials without a sequence:
    /// generating each, asking the model, writing and loading its case (shrinking aside).
    #[serde(default)]
    pub own_us: u64,
    /// The same trials' time in the runner, microseconds, summed: their exchanges and judging
    /// (a sequence's event wait would count the server's delay, so sequences are left out).
    #[serde(default)]
    pub exchange_us: u64,
}

impl Exploration {
    /// The explorer's own time as a share of the exchanges' time, in percent.
    pub fn own_share_percent(&self) -> f64 {
        if self.exchange_us == 0 {
            0.0
        } else {
            self.own_us as f64 * 100.0 / self.exchange_us as f64
        }
    }
}

impl Exploration {
    /// The share of required pairs covered, in percent.
    pub fn coverage_percent(&self) -> f64 {
        if self.pairs == 0 {
            100.0
        } else {
            self.pairs_covered as f64 * 100.0 / self.pairs as f64
        }
    }

    /// One line: what was covered and found ("612 requests, 100% of value-class pairs, seed 42").
    pub fn line(&self) -> String {
        let found = match self.findings.len() {
            0 => "nothing found".to_string(),
            1 => "1 finding".to_string(),
            n => format!("{n} findings"),
        };
        format!(
            "explored: {} requests in {} trials ({} sequences), {:.0}% of {} value-class pairs, seed {}: {found}",
            self.requests,
            self.trials,
            self.sequences,
            self.coverage_percent().floor(),
            self.pairs,
            self.seed
        )
    }
}

/// One distinct minimal failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// The id of its case file.
    pub id: String,
    /// The case's title.
    pub title: String,
    /// Must or should, as the page's reading of the minimal request.
    pub severity: Severity,
    /// The minimal request, as `input=class` pairs.
    pub request: String,
    /// The first generated request that failed this way.
    pub first_seen: String,
    /// What differed.
    pub what: String,
    /// What the model expected.
    pub expected: String,
    /// What the target sent.
    pub actual: String,
    /// Generated requests that failed this way.
    pub hits: usize,
    /// The media types it fails in.
    pub media: Vec<Media>,
    /// Requests spent shrinking it.
    pub shrink_requests: usize,
    /// The case file (`--found DIR` writes it as `ID.toml`).
    pub case: String,
}
