//! SIGINT and SIGTERM for a run: the first requests a graceful stop (the session finishes or cuts
//! running trials, the outputs are written, the applications deleted); the second exits at once.

use crate::error::Signal;
use crate::run::{GRACE, Stop, StopCause};

/// Watches for the signals on `runtime`, requesting `stop` on the first.
pub fn watch(runtime: &tokio::runtime::Runtime, stop: Stop) {
    runtime.spawn(async move {
        let Some(first) = next_signal().await else { return };
        stop.request(StopCause::Signal(first));
        eprintln!(
            "\n{first} received: no new trials; running ones get {GRACE:?}, then the outputs are written and \
             the run's applications deleted. Send it again to exit at once."
        );
        if let Some(second) = next_signal().await {
            eprintln!("{second} received again: exiting at once");
            std::process::exit(second.exit_code().code());
        }
    });
}

#[cfg(unix)]
async fn next_signal() -> Option<Signal> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).ok()?;
    let mut terminate = signal(SignalKind::terminate()).ok()?;
    tokio::select! {
        _ = interrupt.recv() => Some(Signal::Interrupt),
        _ = terminate.recv() => Some(Signal::Terminate),
    }
}

#[cfg(not(unix))]
async fn next_signal() -> Option<Signal> {
    tokio::signal::ctrl_c().await.ok().map(|()| Signal::Interrupt)
}
