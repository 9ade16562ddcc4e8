//! Running cases: selection (`plan`), one case in one media type (`exec`) and the libtest-mimic
//! trials that drive them (`trials`). One runtime, one pooled client, bounded by the trial
//! threads (`--jobs`). This module never prints.

mod exec;
mod plan;
mod trials;

pub use exec::{INVALID_TOKEN, RunContext, run_case};
pub use plan::{PlannedRun, Selection, plan};
pub use trials::{Results, trials};

use crate::client::{DiscoveryError, HttpClient, discover};
use crate::secret::{Redactor, Secret};
use crate::target::{Credentials, Target};

/// Builds the client, walks discovery and returns what every case needs.
/// An error here means the target is unusable (exit code 3).
pub async fn prepare(target: Target) -> Result<RunContext, DiscoveryError> {
    let client = HttpClient::new(target.limits).map_err(|e| DiscoveryError {
        step: "building the HTTP client".into(),
        reason: e.to_string(),
    })?;
    let mut redactor = Redactor::new(secrets_of(&target));
    let session = discover(&client, &target, &mut redactor).await?;
    Ok(RunContext {
        client,
        target,
        session,
        redactor,
    })
}

fn secrets_of(target: &Target) -> Vec<Secret> {
    match &target.credentials {
        Credentials::None => vec![],
        Credentials::Token(t) => vec![t.clone()],
        Credentials::Password { password, .. } => vec![password.clone()],
    }
}
