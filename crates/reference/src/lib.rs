//! The embedded reference server: a whole UCWA world for one-to-one IM. Discovery (the root at
//! `/` too, xframe), the 401 challenge and the password grant, applications with `me`
//! (makeMeAvailable), `people` search and `communication`; startMessaging with its validation
//! and documented errors; the messagingInvitation, its conversation and the messaging modality
//! (sendMessage, stopMessaging) with the events `SendAnIM.md` shows; the event channel; the
//! fault-control contract.
//!
//! It is the default target of `run` and the suite's oracle. It shares no code with the
//! harness (not even `wire`), and is a crate of its own so that it cannot: a bug cannot hide
//! by agreeing with itself. Its parts:
//!
//! - `world`: the state and its changes, and the events they cause, each with a typed snapshot
//!   of its resource; how each part looks (`world::resources`) is drawn only by `http`, for a
//!   response or when a batch of events is delivered; no HTTP in it;
//! - `res`: the resource tree and its JSON and XML; `repr`: responses (Accept, status,
//!   headers); `hrefs`: where each resource lives;
//! - `validation` and `input`: the documented input rules; `errors`: every UCWA error, one table;
//! - `http`: thin handlers; `wire`: IIS's path leniency and header spelling;
//! - `model`: the same decisions called in-process, without HTTP (the explorer's oracle);
//! - `mutants`: deliberate deviations, as [`mutants::Rules`] the world consults at named
//!   decision points, and `rewrite` for those that only change what is sent back.

#![warn(missing_docs)]

mod errors;
mod hrefs;
mod http;
mod input;
pub mod model;
mod mutants;
mod repr;
mod res;
mod rewrite;
mod validation;
mod wire;
mod world;

pub use hrefs::{ROOT_PATH, USER_PATH};
pub use http::faults::FAULTS_PATH;
pub use http::journal::{Client, Journal, Seen};
pub use mutants::Mutant;
pub use world::{Config, PeerBehaviour, Refusal};

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{MethodRouter, any, get, post};
use errors::Problem;
use http::access::{self, AppState, Shared};
use http::{applications, batch, conversation, discovery, events, faults, me, recorder, start};
use repr::Repr;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

/// The router of a fresh world.
pub fn app(config: Config) -> Router {
    router(Arc::new(Shared::new(config)))
}

/// Every route, in lower case: requests are matched after `wire::normalise_path`.
fn router(state: AppState) -> Router {
    let signed_in = hrefs::APPLICATIONS_PATH.to_ascii_lowercase();
    let anonymous = hrefs::ANONYMOUS_APPLICATIONS_PATH.to_ascii_lowercase();
    let routes = Router::new()
        .route("/", get(discovery::root))
        .route(hrefs::ROOT_PATH, get(discovery::root))
        .route(hrefs::XFRAME_PATH, get(discovery::xframe))
        .route(hrefs::USER_PATH, get(discovery::user))
        .route(&hrefs::TOKEN_PATH.to_ascii_lowercase(), post(discovery::token))
        .route(&signed_in, post(applications::create))
        .route(&anonymous, post(applications::create_anonymous))
        .route(
            &hrefs::ANONYMOUS_TOKENS_PATH.to_ascii_lowercase(),
            post(discovery::anonymous_token),
        )
        .route(
            &hrefs::ANONYMOUS_DISCOVER_PATH.to_ascii_lowercase(),
            get(discovery::anonymous_discover),
        )
        .merge(application_routes(&signed_in))
        .merge(application_routes(&anonymous))
        .route(FAULTS_PATH, post(faults::arm))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), rewrite::rewrite))
        .layer(axum::middleware::from_fn_with_state(state.clone(), recorder::record))
        .layer(axum::middleware::map_response(wire::with_version))
        .with_state(state.clone());
    // Paths are normalised before routing, so the router sees one spelling of each.
    let routes = Router::new().fallback_service(routes.map_request(wire::normalise_path));
    // A batch's parts are answered by the same routes, as if each came alone.
    let batching = batch::Batching {
        state,
        routes: routes.clone(),
    };
    routes
        .layer(axum::middleware::from_fn_with_state(batching, batch::layer))
        .layer(axum::middleware::map_response(wire::with_version))
        .layer(axum::middleware::from_fn(wire::gzip_when_accepted))
}

/// The methods of one resource under an application: those given answer, and any other (HEAD
/// included) gets the UCWA 405 once the caller and the application check out.
fn only(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods.head(access::wrong_method).fallback(access::wrong_method)
}

/// The routes under one applications collection (signed-in and anonymous ones share handlers).
fn application_routes(apps: &str) -> Router<AppState> {
    let app = format!("{apps}/{{app}}");
    let conv = format!("{app}/communication/conversations/{{conversation}}");
    let invitation = format!("{app}/communication/messaginginvitations/{{invitation}}");
    let me_part = |methods: MethodRouter<AppState>| methods.head(me::part_wrong_method).fallback(me::part_wrong_method);
    Router::new()
        .route(&app, only(get(applications::one).delete(applications::delete)))
        .route(&format!("{app}/events"), only(get(events::events)))
        .route(&format!("{app}/me"), only(get(me::me)))
        .route(&format!("{app}/me/makemeavailable"), only(post(me::make_me_available)))
        .route(&format!("{app}/me/presence"), me_part(get(me::presence)))
        .route(&format!("{app}/me/note"), me_part(get(me::note)))
        .route(&format!("{app}/me/location"), me_part(get(me::location)))
        .route(
            &format!("{app}/me/reportmyactivity"),
            me_part(post(me::report_my_activity)),
        )
        .route(&format!("{app}/me/{{part}}"), any(me::unknown_part))
        .route(&format!("{app}/people/search"), only(get(applications::search)))
        .route(&format!("{app}/people/contacts"), only(get(applications::my_contacts)))
        .route(&format!("{app}/people/{{contact}}"), only(get(applications::contact)))
        .route(&format!("{app}/communication"), only(get(applications::communication)))
        .route(
            &format!("{app}/communication/conversations"),
            only(get(applications::conversations)),
        )
        .route(
            &format!("{app}/communication/participantinvitations"),
            only(post(applications::add_participant)),
        )
        .route(
            &format!("{app}/communication/messaginginvitations"),
            only(post(start::start)),
        )
        .route(&invitation, only(get(conversation::invitation)))
        .route(&format!("{invitation}/cancel"), only(post(conversation::cancel)))
        .route(&conv, only(get(conversation::conversation)))
        .route(&format!("{conv}/participants"), only(get(conversation::participants)))
        .route(
            &format!("{conv}/participants/{{*rest}}"),
            only(get(conversation::participant)),
        )
        .route(&format!("{conv}/messaging"), only(get(conversation::messaging)))
        .route(
            &format!("{conv}/messaging/messages"),
            only(post(conversation::send_message)),
        )
        .route(
            &format!("{conv}/messaging/messages/{{message}}"),
            only(get(conversation::message)),
        )
        .route(
            &format!("{conv}/messaging/terminate"),
            only(post(conversation::stop_messaging)),
        )
        .route(&format!("{conv}/messaging/typing"), only(post(conversation::typing)))
        .route(
            &format!("{conv}/messaging/typingparticipants"),
            only(get(conversation::typing_participants)),
        )
}

async fn not_found(headers: HeaderMap) -> Response {
    Problem::NotFound.error().respond(Repr::from_accept(&headers))
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
            hrefs::ANONYMOUS_DISCOVER_PATH
        );
        (token, discover)
    }

    /// What the server saw of its clients so far (empty unless `grade_clients`).
    pub fn journal(&self) -> Journal {
        self.state.journal().clone()
    }

    /// What no report of this server's clients may show: every configured password, and every
    /// token issued and still known, also by the part after its `cwt=` or `psat=` (letters and
    /// digits, which every encoding leaves as they are).
    pub fn secrets(&self) -> Vec<String> {
        let world = self.state.lock();
        let passwords = world.config.users.iter().map(|(_, password)| password.clone());
        let tokens = world.tokens.keys().flat_map(|token| {
            let core = token.split_once('=').map(|(_, core)| core.to_string());
            std::iter::once(token.clone()).chain(core)
        });
        passwords.chain(tokens).collect()
    }

    /// How many applications were deleted so far while grading (a change to write grades for).
    pub fn journal_changes(&self) -> u64 {
        self.state.journal().changes
    }

    /// How many applications are open now (a test looks here to see that a run cleaned up).
    pub fn application_count(&self) -> usize {
        self.state.lock().applications.len()
    }

    /// The world as it is now, to [`Running::restore`] later: a benchmark replays a pass's
    /// requests onto the state that pass met, so both do the same work.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint(self.state.lock().clone())
    }

    /// Puts the world back as it was at `checkpoint` (applications, invitations, queued events,
    /// tokens). A pending event GET keeps waiting, and is woken by the next event.
    pub fn restore(&self, checkpoint: Checkpoint) {
        *self.state.lock() = checkpoint.0;
    }

    /// Stops serving.
    pub fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The whole state of a reference server at one moment ([`Running::checkpoint`]).
#[derive(Debug)]
pub struct Checkpoint(world::World);

/// Starts the server on `addr` (port 0 picks a free one) inside the current tokio runtime.
pub async fn spawn(config: Config, addr: SocketAddr) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state: AppState = Arc::new(Shared::new(config));
    let router = router(Arc::clone(&state));
    tokio::spawn(async move {
        let _ = axum::serve(wire::IisListener(listener), router)
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
