//! Talking to a target: the pooled HTTP client (`http`), signing in (`auth`) and link-following
//! discovery (`discovery`). May use `case`, `wire`, `target` and `secret`.

pub mod auth;
pub mod discovery;
pub mod http;

pub use discovery::{DiscoveryError, Session, close, discover};
pub use http::{HttpClient, Request, Response, TransportError};
