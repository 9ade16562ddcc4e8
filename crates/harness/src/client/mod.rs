//! Talking to a target: the exchange's data (`message`), the pooled HTTP client (`http`), large
//! bodies sent while reading (`raw`), content codings (`coding`), challenges (`challenge`),
//! signing in (`auth`), link-following discovery (`discovery`) and the shared event-channel
//! reader (`events`). May use `case`, `wire` and `under_test`.

pub mod auth;
pub mod challenge;
pub mod coding;
pub mod discovery;
pub mod events;
pub mod http;
pub mod message;
pub mod raw;

pub use discovery::{Account, DiscoveryError, Session, close, open, sign_in, sign_in_anonymous};
pub use events::{EventHub, WaitError};
pub use http::{HttpClient, install_crypto_provider};
pub use message::{Request, Response, TransportError};
