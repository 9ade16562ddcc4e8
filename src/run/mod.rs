//! Running cases: selection (`plan`), the shared run context (`context`), one case in one media
//! type (`exec`) with its request steps (`request`) and event waits (`wait`), and the
//! libtest-mimic trials that drive them (`trials`). One runtime, one pooled client, bounded by
//! the trial threads (`--jobs`). This module never prints.

mod context;
mod exec;
mod plan;
mod request;
mod trials;
mod wait;

pub use context::{Parts, RunContext};
pub use exec::run_case;
pub use plan::{PlannedRun, Selection, plan};
pub use request::INVALID_TOKEN;
pub use trials::{OnFinish, Results, TrialOptions, trials};

use crate::case::Identity;
use crate::client::{DiscoveryError, HttpClient, close, open, sign_in, sign_in_anonymous};
use crate::secret::Redactor;
use crate::target::Target;
use std::collections::BTreeMap;

/// Builds the client, signs in and opens one application per media type the target offers
/// (each with its own event channel, read in that representation), and as many anonymous ones
/// when the target offers anonymous access. An error here means the target is unusable (exit
/// code 3).
pub async fn prepare(target: Target) -> Result<RunContext, DiscoveryError> {
    let client = HttpClient::new(target.limits).map_err(|e| DiscoveryError {
        step: "building the HTTP client".into(),
        reason: e.to_string(),
    })?;
    prepare_with(target, client).await
}

/// Like [`prepare`], with a client of the caller's (one that keeps a journal, say).
pub async fn prepare_with(target: Target, client: HttpClient) -> Result<RunContext, DiscoveryError> {
    let mut redactor = Redactor::new(target.secrets());
    let account = sign_in(&client, &target, &mut redactor).await?;
    let mut accounts = vec![(Identity::User, account.clone())];
    if let Some(anonymous) = &target.anonymous {
        accounts.push((
            Identity::Anonymous,
            sign_in_anonymous(&client, anonymous, &mut redactor).await?,
        ));
    }
    let mut sessions = BTreeMap::new();
    for (identity, account) in &accounts {
        for media in &target.media {
            sessions.insert((*identity, *media), open(&client, account).await?);
        }
    }
    Ok(RunContext::new(Parts {
        client,
        target,
        sessions,
        redactor,
        account,
    }))
}

/// Deletes the run's applications (best effort).
pub async fn finish(ctx: &RunContext) {
    for session in ctx.sessions.values() {
        close(&ctx.client, session).await;
    }
}
