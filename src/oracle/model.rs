//! The explorer's oracle: the harness's `explore::Oracle` answered by the reference's model
//! (`reference::model`), whose decisions are the reference server's own functions called
//! in-process. The model's world knows the target's peers by their SIP URIs, so `{{peer}}`
//! means to the model what it means to the target.

use crate::case::PeerRole;
use crate::explore::{Answer, Model, Oracle, Shown};
use crate::reference::model::{self, Decision};
use crate::reference::{Config, Mutant, PeerBehaviour};
use crate::under_test::Target;

/// The page's model for a target: the reference's rules (or a mutant's, for the suite's own
/// tests), with the target's peers.
#[derive(Debug, Clone)]
pub struct ReferenceOracle {
    config: Config,
}

impl ReferenceOracle {
    /// The page (the reference's rules) with `target`'s peers.
    pub fn for_target(target: &Target) -> Self {
        Self::with_mutant(target, None)
    }

    /// A mutant's rules with `target`'s peers (how a deliberately broken server would decide).
    pub fn with_mutant(target: &Target, mutant: Option<Mutant>) -> Self {
        let peers = [
            (PeerRole::Accept, PeerBehaviour::Accept),
            (PeerRole::Decline, PeerBehaviour::Decline),
            (PeerRole::Ignore, PeerBehaviour::Ignore),
        ]
        .into_iter()
        .filter_map(|(role, behaviour)| target.peer(role).map(|uri| (uri.to_string(), behaviour)))
        .collect();
        Self {
            config: Config {
                peers,
                mutant,
                ..Config::default()
            },
        }
    }
}

impl Oracle for ReferenceOracle {
    fn fresh(&self) -> Box<dyn Model> {
        Box::new(PageModel(model::Model::new(self.config.clone())))
    }
}

/// One application in the reference's model.
struct PageModel(model::Model);

fn answer(decision: Decision) -> Answer {
    Answer {
        status: decision.status,
        code: decision.code.map(str::to_string),
        subcode: decision.subcode.map(str::to_string),
        invitation: decision.invitation.map(|shown| Shown {
            id: shown.id,
            rel: shown.rel,
            properties: shown.properties,
            links: shown.links,
        }),
    }
}

impl Model for PageModel {
    fn start_messaging(&mut self, query: Option<&str>, content_type: &str, body: &[u8]) -> Answer {
        answer(self.0.start_messaging(query, content_type, body))
    }

    fn cancel(&mut self, invitation: u64) -> Answer {
        answer(self.0.cancel(invitation))
    }

    fn peer_answers(&mut self, invitation: u64) {
        self.0.peer_answers(invitation);
    }
}
