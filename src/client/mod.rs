//! Talking to a target: the pooled HTTP client (`http`), signing in (`auth`), link-following
//! discovery (`discovery`) and the shared event-channel reader (`events`). May use `case`,
//! `wire`, `target` and `secret`.

pub mod auth;
pub mod challenge;
pub mod coding;
pub mod discovery;
pub mod events;
pub mod http;
pub mod raw;

pub use discovery::{Account, DiscoveryError, Session, close, open, sign_in, sign_in_anonymous};
pub use events::{EventHub, WaitError};
pub use http::{HttpClient, Request, Response, TransportError};
