//! The runner's promises to its sinks: the order of events, the stop told at the end, and a
//! sign-in cut short that still reports every trial.

use crate::support::*;
use std::path::Path;
use std::sync::{Arc, Mutex};
use ucwa_conformance::client::HttpClient;
use ucwa_conformance::corpus::Corpus;
use ucwa_conformance::error::Signal;
use ucwa_conformance::judge::verdict::Outcome;
use ucwa_conformance::oracle::embedded;
use ucwa_conformance::reference::Config;
use ucwa_conformance::run::{self, Event, RunOptions, Selection, Stop, StopCause};

/// Each event as a line: `started N`, `start NAME`, `end NAME OUTCOME`, `finished CAUSE`.
fn recorder() -> (Arc<Mutex<Vec<String>>>, impl FnMut(&Event<'_>) + Send + 'static) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let sink = move |event: &Event<'_>| {
        let line = match event {
            Event::Started { trials, .. } => format!("started {trials}"),
            Event::TrialStarted { name } => format!("start {name}"),
            Event::TrialFinished { result } => format!("end {} {}", result.name(), result.outcome.as_str()),
            Event::Finished { stop } => format!("finished {stop:?}"),
        };
        log.lock().expect("log").push(line);
    };
    (seen, sink)
}

fn plan(filter: &str) -> Vec<run::PlannedRun> {
    let cases: Vec<_> = Corpus::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"))
        .expect("corpus")
        .into_iter()
        .map(Arc::new)
        .collect();
    run::plan(
        &cases,
        &Selection {
            filters: vec![filter.into()],
            ..Selection::default()
        },
    )
}

#[test]
fn every_trial_starts_before_it_ends_between_one_start_and_one_finish() {
    let plan = plan("start-messaging.");
    let trials = plan.len();
    assert!(trials > 4, "a plan worth interleaving");
    let (seen, sink) = recorder();
    let finished = runtime().block_on(async {
        let server = embedded::start(Config::default()).await.expect("reference starts");
        let client = HttpClient::new(server.target.limits).expect("client");
        let options = RunOptions {
            jobs: 3,
            ..RunOptions::default()
        };
        let finished = run::run_plan(server.target, client, plan, options, Stop::new(), sink).await;
        server.server.stop();
        finished.expect("signs in")
    });
    let seen = seen.lock().expect("log").clone();
    assert_eq!(
        seen.first().map(String::as_str),
        Some(format!("started {trials}").as_str())
    );
    assert_eq!(seen.last().map(String::as_str), Some("finished None"));
    assert_eq!(seen.len(), 2 + 2 * trials, "{seen:#?}");
    for result in &finished.results {
        let name = result.name();
        let start = seen.iter().position(|l| *l == format!("start {name}"));
        let end = seen.iter().position(|l| l.starts_with(&format!("end {name} ")));
        assert!(matches!((start, end), (Some(s), Some(e)) if s < e), "{name}: {seen:#?}");
    }
    assert_eq!(finished.results.len(), trials);
    assert!(finished.stop.is_none());
}

#[test]
fn a_stop_during_sign_in_reports_every_trial_not_run_and_the_cause() {
    let plan = plan("start-messaging.created");
    let trials = plan.len();
    let (seen, sink) = recorder();
    let finished = runtime().block_on(async {
        let server = embedded::start(Config::default()).await.expect("reference starts");
        let client = HttpClient::new(server.target.limits).expect("client");
        let stop = Stop::new();
        stop.request(StopCause::Signal(Signal::Interrupt));
        let finished = run::run_plan(server.target, client, plan, RunOptions::default(), stop, sink).await;
        server.server.stop();
        finished.expect("a stop is not a sign-in failure")
    });
    assert_eq!(finished.stop, Some(StopCause::Signal(Signal::Interrupt)));
    assert!(finished.results.iter().all(|r| r.outcome == Outcome::NotRun));
    let seen = seen.lock().expect("log").clone();
    assert_eq!(seen.len(), 2 + trials, "no trial started: {seen:#?}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("finished Some(Signal(Interrupt))")
    );
}
