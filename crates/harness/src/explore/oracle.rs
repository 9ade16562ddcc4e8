//! The oracle's interface: a model of the page that answers a request in-process, given the
//! state earlier requests built. The harness never implements it (it knows nothing of the
//! reference); the binary joins it to the reference world's own decision functions.

/// What the model says the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The UCWA error code (errors only).
    pub code: Option<String>,
    /// The UCWA error subcode, if the error has one.
    pub subcode: Option<String>,
    /// The invitation a 201 started, as GET on its Location shows it.
    pub invitation: Option<Shown>,
}

/// An invitation as the model shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Its number, to name it in later calls.
    pub id: u64,
    /// Its rel (`messagingInvitation`).
    pub rel: String,
    /// Its string properties.
    pub properties: Vec<(String, String)>,
    /// The rels of its links.
    pub links: Vec<String>,
}

impl Shown {
    /// A property's value.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One application of one signed-in user, in a model of the page.
pub trait Model {
    /// POST startMessaging with this query (`None`: none) and body of this Content-Type.
    fn start_messaging(&mut self, query: Option<&str>, content_type: &str, body: &[u8]) -> Answer;
    /// POST cancel on an invitation the model started.
    fn cancel(&mut self, invitation: u64) -> Answer;
    /// The invited peer answers, as it behaves.
    fn peer_answers(&mut self, invitation: u64);
}

/// Makes a fresh model (an application with no invitations) for every trial.
pub trait Oracle: Send + Sync {
    /// A fresh model whose peers are the target's (`peer`, `peer:decline`, `peer:ignore`: their
    /// SIP URIs, as the target's profile names them).
    fn fresh(&self) -> Box<dyn Model>;
}
