//! Discovery by following links only: root -> user (signing in on the 401) -> applications
//! ([`sign_in`]), then a new application and the links of it and of its embedded resources
//! ([`open`]). No path is hard-coded.

use super::auth::{self, parse_challenge};
use super::http::HttpClient;
use super::message::{Request, Response, TransportError};
use crate::case::Media;
use crate::under_test::secret::{Redactor, Secret};
use crate::under_test::{Anonymous, Credentials, Target};
use crate::wire::{Family, Resource, family, parse_resource};
use std::collections::BTreeMap;
use url::Url;

/// What discovery found: the credentials to send and every link a case may call.
#[derive(Debug, Clone)]
pub struct Session {
    /// The bearer token to send, if any.
    pub token: Option<Secret>,
    /// The application created for this run.
    pub application: Url,
    /// Absolute URLs by rel (namespace prefixes removed): the application's links, each embedded
    /// resource (by its rel) and its links. The first occurrence of a rel wins.
    pub links: BTreeMap<String, Url>,
    /// The rels of the embedded `communication` resource, to explain a missing startMessaging.
    pub communication_rels: Vec<String>,
}

impl Session {
    /// The value of the Authorization header, if there is a token.
    pub fn authorization(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("Bearer {}", t.expose()))
    }
}

/// Why the target could not be used (exit code 3).
#[derive(Debug, thiserror::Error)]
#[error("discovery failed at {step}: {reason}")]
pub struct DiscoveryError {
    /// The step that failed, e.g. `GET https://host/root`.
    pub step: String,
    /// What went wrong.
    pub reason: String,
}

/// How many HTTP redirects and `redirect` links discovery follows.
const MAX_HOPS: usize = 5;

/// A signed-in user: the token and the applications collection.
#[derive(Debug, Clone)]
pub struct Account {
    /// The bearer token to send, if any.
    pub token: Option<Secret>,
    /// The `applications` link of the user resource.
    pub applications: Url,
}

/// Walks discovery to the user's applications, signing in on the way. Learnt tokens are added
/// to `redactor`.
pub async fn sign_in(client: &HttpClient, target: &Target, redactor: &mut Redactor) -> Result<Account, DiscoveryError> {
    let mut walker = Walker { client, token: None };
    if let Credentials::Token(token) = &target.credentials {
        walker.token = Some(token.clone());
    }
    let (root_url, root) = walker.get_resource(target.base_url.clone()).await?;
    let mut user_url = link_url(&root, &root_url, "user")?;
    let (mut url, mut user) = walker.get_user(user_url.clone(), target, redactor).await?;
    for _ in 0..MAX_HOPS {
        if user.link("applications").is_some() {
            break;
        }
        // A user resource may send the client to its home pool with a `redirect` link.
        let Some(redirect) = user.link("redirect") else {
            break;
        };
        let next = resolve(&url, &redirect.href)?;
        let (next_root_url, next_root) = walker.get_resource(next).await?;
        user_url = match next_root.link("user") {
            Some(_) => link_url(&next_root, &next_root_url, "user")?,
            None => next_root_url,
        };
        (url, user) = walker.get_user(user_url.clone(), target, redactor).await?;
    }
    let applications = link_url(&user, &url, "applications")?;
    Ok(Account {
        token: walker.token,
        applications,
    })
}

/// The account of an anonymous client: GET the discover URL with the `psat=` token, then its
/// `anonApplications` link (namespace ignored) is where its applications are created.
pub async fn sign_in_anonymous(
    client: &HttpClient,
    anonymous: &Anonymous,
    redactor: &mut Redactor,
) -> Result<Account, DiscoveryError> {
    redactor.add(anonymous.token.clone());
    let walker = Walker {
        client,
        token: Some(anonymous.token.clone()),
    };
    let (url, discover) = walker.get_resource(anonymous.discover_url.clone()).await?;
    let applications = link_url(&discover, &url, "anonApplications")?;
    Ok(Account {
        token: Some(anonymous.token.clone()),
        applications,
    })
}

/// Creates an application for `account` and collects its links.
pub async fn open(client: &HttpClient, account: &Account) -> Result<Session, DiscoveryError> {
    let walker = Walker {
        client,
        token: account.token.clone(),
    };
    let (application_url, application) = walker.create_application(account.applications.clone()).await?;
    let (mut links, communication_rels) = collect_links(&application, &application_url)?;
    // The collection the application was created in: cases can POST there too.
    links
        .entry("applications".to_string())
        .or_insert_with(|| account.applications.clone());
    // The event channel is read with the token: it must be in the trust set from the start.
    if let (Some(trust), Some(events)) = (client.trust(), links.get("events"))
        && let Err(reason) = trust.check(events, "the token")
    {
        return Err(DiscoveryError {
            step: format!("the `events` link {events}"),
            reason: reason.to_string(),
        });
    }
    Ok(Session {
        token: walker.token,
        application: application_url,
        links,
        communication_rels,
    })
}

/// Deletes the run's application (best effort: errors are ignored, the server expires it anyway).
pub async fn close(client: &HttpClient, session: &Session) {
    let mut request = Request::new("DELETE", session.application.clone());
    if let Some(value) = session.authorization() {
        request = request.header("Authorization", &value);
    }
    let _ = client.send(&request).await;
}

struct Walker<'a> {
    client: &'a HttpClient,
    token: Option<Secret>,
}

impl Walker<'_> {
    async fn send(&self, mut request: Request) -> Result<Response, DiscoveryError> {
        if let Some(token) = &self.token {
            request
                .headers
                .push(("Authorization".into(), format!("Bearer {}", token.expose())));
        }
        let step = format!("{} {}", request.method, request.url);
        self.client
            .send(&request)
            .await
            .map_err(|e: TransportError| DiscoveryError {
                step,
                reason: e.to_string(),
            })
    }

    /// GET with JSON accepted, following HTTP redirects (discovery roots often redirect).
    async fn get(&self, mut url: Url) -> Result<(Url, Response), DiscoveryError> {
        for _ in 0..MAX_HOPS {
            let response = self
                .send(Request::new("GET", url.clone()).header("Accept", "application/json"))
                .await?;
            if !(300..400).contains(&response.status) {
                return Ok((url, response));
            }
            let location = response.header("location").ok_or_else(|| DiscoveryError {
                step: format!("GET {url}"),
                reason: format!("{} without a Location", response.status),
            })?;
            url = resolve(&url, location)?;
        }
        Err(DiscoveryError {
            step: format!("GET {url}"),
            reason: format!("more than {MAX_HOPS} redirects"),
        })
    }

    async fn get_resource(&self, url: Url) -> Result<(Url, Resource), DiscoveryError> {
        let (url, response) = self.get(url).await?;
        let resource = expect_resource(&format!("GET {url}"), &response, 200)?;
        Ok((url, resource))
    }

    /// GET user; on a 401 with password credentials, sign in at the challenge's href and retry.
    async fn get_user(
        &mut self,
        url: Url,
        target: &Target,
        redactor: &mut Redactor,
    ) -> Result<(Url, Resource), DiscoveryError> {
        let (url, response) = self.get(url).await?;
        let step = format!("GET {url}");
        if response.status != 401 {
            return Ok((url.clone(), expect_resource(&step, &response, 200)?));
        }
        let Credentials::Password { username, password } = &target.credentials else {
            let hint = match target.credentials {
                Credentials::Token(_) => "the token was refused",
                _ => "no credentials were given (UCWA_TOKEN, or UCWA_USERNAME and UCWA_PASSWORD)",
            };
            return Err(DiscoveryError {
                step,
                reason: format!("401 Unauthorized: {hint}"),
            });
        };
        let challenge = parse_challenge(response.headers_named("www-authenticate")).ok_or_else(|| DiscoveryError {
            step: step.clone(),
            reason: "401 without a `WWW-Authenticate: MsRtcOAuth href=..` challenge".into(),
        })?;
        let token = auth::password_grant(self.client, &challenge, &url, username, password)
            .await
            .map_err(|e| DiscoveryError {
                step: "sign-in".into(),
                reason: e.to_string(),
            })?;
        redactor.add(token.clone());
        self.token = Some(token);
        let (url, response) = self.get(url).await?;
        let resource = expect_resource(&format!("GET {url} (signed in)"), &response, 200)?;
        Ok((url, resource))
    }

    async fn create_application(&self, applications: Url) -> Result<(Url, Resource), DiscoveryError> {
        let body = serde_json::json!({
            "UserAgent": concat!("ucwa-conformance/", env!("CARGO_PKG_VERSION")),
            "EndpointId": uuid::Uuid::new_v4().to_string(),
            "Culture": "en-US",
        });
        let request = Request::new("POST", applications.clone())
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .body(body.to_string());
        let step = format!("POST {applications}");
        let response = self.send(request).await?;
        if response.body.is_empty()
            && let Some(location) = response.header("location")
        {
            let url = resolve(&applications, location)?;
            return self.get_resource(url).await;
        }
        let resource = expect_resource(&step, &response, 201)?;
        let url = match resource.link("self") {
            Some(link) => resolve(&applications, &link.href)?,
            None => {
                return Err(DiscoveryError {
                    step,
                    reason: "the application has no `self` link".into(),
                });
            }
        };
        Ok((url, resource))
    }
}

fn expect_resource(step: &str, response: &Response, status: u16) -> Result<Resource, DiscoveryError> {
    let fail = |reason: String| DiscoveryError {
        step: step.to_string(),
        reason,
    };
    if response.status != status && !(status == 201 && response.status == 200) {
        let body = response.text();
        let excerpt: String = body.chars().take(200).collect();
        return Err(fail(format!(
            "status {} (expected {status}); body: {excerpt}",
            response.status
        )));
    }
    if family(response.content_type()) != Family::Json {
        return Err(fail(format!(
            "Content-Type `{}` is not JSON (Accept was application/json)",
            response.content_type()
        )));
    }
    parse_resource(Media::Json, &response.text()).map_err(|e| fail(e.to_string()))
}

fn resolve(base: &Url, href: &str) -> Result<Url, DiscoveryError> {
    base.join(href).map_err(|e| DiscoveryError {
        step: format!("resolving `{href}` against {base}"),
        reason: e.to_string(),
    })
}

fn link_url(resource: &Resource, base: &Url, rel: &str) -> Result<Url, DiscoveryError> {
    let link = resource.link(rel).ok_or_else(|| DiscoveryError {
        step: format!("the resource at {base}"),
        reason: format!(
            "no `{rel}` link (links: {})",
            resource
                .links
                .iter()
                .map(|l| l.rel.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })?;
    resolve(base, &link.href)
}

/// Every callable rel of the application, resolved against its URL.
fn collect_links(application: &Resource, base: &Url) -> Result<(BTreeMap<String, Url>, Vec<String>), DiscoveryError> {
    let mut links = BTreeMap::new();
    links.insert("application".to_string(), base.clone());
    let mut add = |rel: &str, href: &str| -> Result<(), DiscoveryError> {
        if !links.contains_key(rel) {
            links.insert(rel.to_string(), resolve(base, href)?);
        }
        Ok(())
    };
    for link in application.links.iter().filter(|l| l.local_rel() != "self") {
        add(link.local_rel(), &link.href)?;
    }
    for embedded in &application.embedded {
        if let (Some(rel), Some(href)) = (&embedded.rel, &embedded.href) {
            add(crate::wire::local_name(rel), href)?;
        }
        for link in embedded.links.iter().filter(|l| l.local_rel() != "self") {
            add(link.local_rel(), &link.href)?;
        }
    }
    let communication_rels = application
        .embedded("communication")
        .map(|c| c.links.iter().map(|l| l.rel.clone()).collect())
        .unwrap_or_default();
    Ok((links, communication_rels))
}
