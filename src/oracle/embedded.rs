//! The default target: the embedded reference server, started in-process on a free loopback
//! port, and the target profile that points the harness at it. With the explorer's model, the
//! clients' grades and the kill matrix beside it, one of the `oracle` modules that name both the
//! harness and the reference server (the bench reaches the reference through this one).

use crate::case::Fault;
use crate::reference::{self, Config, PeerBehaviour, Running};
use crate::under_test::secret::Secret;
use crate::under_test::trust::Trust;
use crate::under_test::{Anonymous, Credentials, Limits, Target};
use std::net::{Ipv4Addr, SocketAddr};
use url::Url;

/// The embedded reference's own snapshots, compiled in: a run against it compares with them when
/// the working directory has none, so a first run writes no pending snapshot it need not.
pub static SNAPSHOTS: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/snapshots/reference");

/// The embedded server and the target that describes it.
#[derive(Debug)]
pub struct Embedded {
    /// The running server (stop it when done).
    pub server: Running,
    /// The target profile for it.
    pub target: Target,
}

/// The one SIP URI the embedded run's anonymous token may invite (a configured, accepting peer).
pub const ANONYMOUS_TARGET: &str = "sip:helpdesk@contoso.test";

/// The reference configuration for runs: documented behaviour, with a short invitation timeout
/// (2 s instead of about 30 s) so that cases waiting for a timed-out invitation stay quick.
pub fn run_config() -> Config {
    Config {
        invitation_timeout: std::time::Duration::from_secs(2),
        ..Config::default()
    }
}

/// Starts the reference server with `config` on 127.0.0.1:0 in the current runtime.
pub async fn start(config: Config) -> std::io::Result<Embedded> {
    let (user, password) = config
        .users
        .first()
        .cloned()
        .ok_or_else(|| std::io::Error::other("the reference server needs at least one user"))?;
    let peer_with = |behaviour: PeerBehaviour| {
        config
            .peers
            .iter()
            .find(|(_, b)| *b == behaviour)
            .map(|(p, _)| p.clone())
    };
    let peer = peer_with(PeerBehaviour::Accept)
        .ok_or_else(|| std::io::Error::other("the reference server needs a peer that accepts"))?;
    let (peer_decline, peer_ignore) = (peer_with(PeerBehaviour::Decline), peer_with(PeerBehaviour::Ignore));
    let server = reference::spawn(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    let url = |text: String| Url::parse(&text).map_err(std::io::Error::other);
    let (token, discover) = server.anonymous_token(ANONYMOUS_TARGET);
    let anonymous = Anonymous {
        discover_url: url(discover)?,
        token: Secret::new(token),
        target: ANONYMOUS_TARGET.into(),
    };
    let base_url = url(server.base_url())?;
    let target = Target {
        name: "reference".into(),
        trust: Trust::new(&base_url, [], false),
        base_url,
        credentials: Credentials::Password {
            username: user,
            password: Secret::new(password),
        },
        peer,
        peer_decline,
        peer_ignore,
        anonymous: Some(anonymous),
        media: crate::case::Media::ALL.to_vec(),
        offers: Fault::ALL
            .iter()
            .map(|f| f.precondition())
            .chain(["peer:accept".to_string()])
            .collect(),
        faults_url: Some(url(server.faults_url())?),
        limits: Limits::default(),
        tls: crate::under_test::tls::Tls::default(),
    };
    Ok(Embedded { server, target })
}
