//! The embedded reference server: a faithful startMessaging world (discovery, the 401
//! challenge, the password grant, applications, communication, startMessaging with its
//! validation and documented errors, the messagingInvitation) plus the fault-control contract.
//!
//! It is the default target of `run` and the suite's oracle. It shares no code with the
//! harness (not even `wire`): a bug cannot hide by agreeing with itself.

mod access;
mod applications;
mod discovery;
mod events;
mod faults;
mod input;
mod invitation;
mod messaging;
mod mutants;
mod repr;
mod state;

pub use discovery::ROOT_PATH;
pub use faults::FAULTS_PATH;
pub use mutants::Mutant;
pub use state::{Config, PeerBehaviour};

use access::{AppState, Shared};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{any, get, post};
use repr::{Repr, UcwaError};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The router of a fresh world.
pub fn app(config: Config) -> Router {
    router(Arc::new(Shared {
        world: Mutex::new(state::World::new(config)),
    }))
}

fn router(state: AppState) -> Router {
    let apps = discovery::APPLICATIONS_PATH;
    Router::new()
        .route(discovery::ROOT_PATH, get(discovery::root))
        .route(discovery::USER_PATH, get(discovery::user))
        .route(discovery::TOKEN_ROUTE, post(discovery::token))
        .route(apps, post(applications::create))
        .route(
            discovery::ANONYMOUS_APPLICATIONS_PATH,
            post(applications::create_anonymous),
        )
        .route(discovery::ANONYMOUS_TOKENS_PATH, post(discovery::anonymous_token))
        .route(discovery::ANONYMOUS_DISCOVER_PATH, get(discovery::anonymous_discover))
        .merge(application_routes(apps))
        .merge(application_routes(discovery::ANONYMOUS_APPLICATIONS_PATH))
        .route(FAULTS_PATH, post(faults::arm))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), mutants::rewrite))
        .with_state(state)
}

/// The routes under one applications collection (signed-in and anonymous ones share handlers).
fn application_routes(apps: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{apps}/{{app}}"), any(applications::one))
        .route(
            &format!("{apps}/{{app}}/communication"),
            get(applications::communication),
        )
        .route(
            &format!("{apps}/{{app}}/communication/messagingInvitations"),
            any(messaging::start),
        )
        .route(
            &format!("{apps}/{{app}}/communication/messagingInvitations/{{invitation}}"),
            any(invitation::get_invitation),
        )
        .route(
            &format!("{apps}/{{app}}/communication/messagingInvitations/{{invitation}}/cancel"),
            any(invitation::cancel),
        )
        .route(
            &format!("{apps}/{{app}}/communication/conversations/{{invitation}}"),
            any(invitation::get_conversation),
        )
        .route(&format!("{apps}/{{app}}/events"), get(events::events))
}

async fn not_found(headers: HeaderMap) -> Response {
    UcwaError::new(StatusCode::NOT_FOUND, "NotFound", None, "The resource does not exist.")
        .respond(Repr::from_accept(&headers))
}

/// A reference server running in this process.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    /// The autodiscover root URL (what `--base-url` takes).
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, ROOT_PATH)
    }

    /// The fault-control URL.
    pub fn faults_url(&self) -> String {
        format!("http://{}{}", self.addr, FAULTS_PATH)
    }

    /// Issues an anonymous (`psat=`) token allowed to invite only `target`, as the
    /// anonApplicationTokens endpoint does for a service application; with the URL to discover
    /// the `anonApplications` link with it.
    pub fn anonymous_token(&self, target: &str) -> (String, String) {
        let token = self.state.lock().issue_anonymous_token(target);
        let context: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
        let discover = format!(
            "http://{}{}?anonymousContext={context}",
            self.addr,
            discovery::ANONYMOUS_DISCOVER_PATH
        );
        (token, discover)
    }

    /// How many applications are open now (a test looks here to see that a run cleaned up).
    pub fn application_count(&self) -> usize {
        self.state.lock().applications.len()
    }

    /// Stops serving.
    pub fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the server on `addr` (port 0 picks a free one) inside the current tokio runtime.
pub async fn spawn(config: Config, addr: SocketAddr) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state: AppState = Arc::new(Shared {
        world: Mutex::new(state::World::new(config)),
    });
    let router = router(Arc::clone(&state));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
    })
}
