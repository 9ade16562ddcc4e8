//! The page as a model: the reference's own decisions on startMessaging, called in-process
//! without HTTP by whoever must know what the page demands of a request (the explorer's oracle).
//!
//! Nothing here decides anything of its own: the request is read and checked by the functions
//! the server's handler calls (`validation::start_request`), the world starts or refuses it
//! (`World::start_messaging`), a problem becomes its row of the one error table (`errors`), and
//! the invitation shows itself as the server would send it (`world::resources`). What the
//! model adds is only the plumbing: one signed-in user with one application, and time on
//! demand (a peer answers when told to, not after a delay).

use crate::errors::Problem;
use crate::mutants::Rules;
use crate::repr::body_kind_of;
use crate::world::{AppFields, Outcome, World};
use crate::{Config, hrefs, validation};

/// What the server answers to one request, as the model decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The HTTP status.
    pub status: u16,
    /// The UCWA error code (errors only).
    pub code: Option<&'static str>,
    /// The UCWA error subcode, if the error has one.
    pub subcode: Option<&'static str>,
    /// The invitation a 201 started.
    pub invitation: Option<Shown>,
}

/// An invitation as the server shows it (GET on its Location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Its number within the application.
    pub id: u64,
    /// The Location the 201 carries (absolute path).
    pub location: String,
    /// Its rel.
    pub rel: String,
    /// Its string properties.
    pub properties: Vec<(String, String)>,
    /// The rels of its links.
    pub links: Vec<String>,
}

/// One user's application in a world of its own, with the given rules.
#[derive(Debug, Clone)]
pub struct Model {
    world: World,
    user: String,
    application: String,
}

impl Model {
    /// A model of `config` (its peers, its mutant; `None` is the page) with one signed-in user
    /// and one application.
    pub fn new(config: Config) -> Self {
        let mut world = World::new(config);
        let user = world
            .config
            .users
            .first()
            .map_or_else(|| "model@contoso.test".to_string(), |(name, _)| name.clone());
        let fields = AppFields {
            culture: "en-US".into(),
            endpoint_id: "model".into(),
            user_agent: "ucwa-model".into(),
            app_type: "Browser".into(),
            instance_id: None,
        };
        let application = world
            .create_application(&user, fields)
            .map_or_else(String::new, |(id, _)| id);
        Self {
            world,
            user,
            application,
        }
    }

    /// The rules the model decides by.
    pub fn rules(&self) -> Rules {
        self.world.rules
    }

    /// POST startMessaging with this query and body (of this Content-Type).
    pub fn start_messaging(&mut self, query: Option<&str>, content_type: &str, body: &[u8]) -> Decision {
        let rules = self.world.rules;
        let started = validation::start_request(query, body_kind_of(content_type), body, &rules)
            .and_then(|request| self.world.start_messaging(&self.user, &self.application, request));
        match started {
            Ok(started) => Decision {
                status: 201,
                code: None,
                subcode: None,
                invitation: self.invitation(started.invitation),
            },
            Err(problem) => refused(&problem),
        }
    }

    /// POST cancel on invitation `id`.
    pub fn cancel(&mut self, id: u64) -> Decision {
        let rules = self.world.rules;
        let cancelled = match self.world.applications.get_mut(&self.application) {
            Some(app) => app.cancel(&id.to_string(), &rules),
            None => Err(Problem::ApplicationNotFound),
        };
        match cancelled {
            Ok(()) => Decision {
                status: 204,
                code: None,
                subcode: None,
                invitation: None,
            },
            Err(problem) => refused(&problem),
        }
    }

    /// The invited peer of invitation `id` answers as it behaves (an unanswered invitation
    /// times out).
    pub fn peer_answers(&mut self, id: u64) {
        let rules = self.world.rules;
        let Some(to) = self
            .world
            .applications
            .get(&self.application)
            .and_then(|app| app.invitations.get(&id))
            .map(|i| i.to.clone())
        else {
            return;
        };
        let outcome = Outcome::of(self.world.peer(&to));
        if let Some(app) = self.world.applications.get_mut(&self.application) {
            app.answer(id, outcome, &rules);
        }
    }

    /// Invitation `id` as GET on its Location shows it.
    pub fn invitation(&self, id: u64) -> Option<Shown> {
        let rules = self.world.rules;
        let app = self.world.applications.get(&self.application)?;
        let invitation = app.invitations.get(&id)?;
        let res = crate::world::resources::invitation(app, invitation, &rules);
        Some(Shown {
            id,
            location: hrefs::invitation(&app.href, &id.to_string()),
            rel: res.rel().to_string(),
            properties: res.texts().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            links: res.link_rels().map(str::to_string).collect(),
        })
    }
}

fn refused(problem: &Problem) -> Decision {
    let error = problem.error();
    Decision {
        status: error.status.as_u16(),
        code: Some(error.code),
        subcode: error.subcode,
        invitation: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json";

    fn body(operation_id: &str, to: &str) -> Vec<u8> {
        format!(r#"{{"operationId":"{operation_id}","to":"{to}"}}"#).into_bytes()
    }

    #[test]
    fn the_model_decides_as_the_server_does() {
        let mut model = Model::new(Config::default());
        let created = model.start_messaging(None, JSON, &body("op-1", "sip:bob@contoso.test"));
        assert_eq!(created.status, 201);
        let shown = created.invitation.expect("a 201 shows its invitation");
        assert_eq!(shown.rel, "messagingInvitation");
        assert!(shown.properties.contains(&("operationId".into(), "op-1".into())));
        assert!(
            shown.links.iter().any(|l| l == "cancel"),
            "a waiting invitation can be cancelled"
        );
        let again = model.start_messaging(None, JSON, &body("op-1", "sip:bob@contoso.test"));
        assert_eq!(
            (again.status, again.code, again.subcode),
            (409, Some("Conflict"), Some("AlreadyExists"))
        );
        let missing = model.start_messaging(None, JSON, br#"{"to":"sip:bob@contoso.test"}"#);
        assert_eq!(
            (missing.status, missing.subcode),
            (400, Some("ParameterValidationFailure"))
        );
        let from_query = model.start_messaging(Some("to=sip%3Abob%40contoso.test"), JSON, br#"{"operationId":"q"}"#);
        assert_eq!(from_query.status, 201);
    }

    #[test]
    fn a_cancelled_or_declined_invitation_frees_its_operation_id() {
        let mut model = Model::new(Config::default());
        let first = model.start_messaging(None, JSON, &body("op", "sip:dave@contoso.test"));
        let id = first.invitation.expect("started").id;
        assert_eq!(model.cancel(id).status, 204);
        let second = model.start_messaging(None, JSON, &body("op", "sip:carol@contoso.test"));
        assert_eq!(second.status, 201);
        model.peer_answers(second.invitation.expect("started").id);
        assert_eq!(
            model
                .start_messaging(None, JSON, &body("op", "sip:bob@contoso.test"))
                .status,
            201
        );
    }
}
