//! `serve`: the reference server alone, until Ctrl-C.

use super::ServeArgs;
use crate::case::Fault;
use crate::error::Error;
use crate::exit::ExitCode;
use crate::oracle::grade;
use crate::reference::{Config, Mutant, PeerBehaviour, Refusal, Running};
use crate::report::results;

pub fn serve(args: &ServeArgs) -> Result<ExitCode, Error> {
    let config = serve_config(args)?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let server = crate::reference::spawn(config.clone(), args.listen)
            .await
            .map_err(|e| {
                Error::TargetUnusable(format!("the reference server cannot listen on {}: {e}", args.listen))
            })?;
        announce(args, &server, &config)?;
        let stop = stopped();
        outln!("press Ctrl-C to stop");
        match &args.grade_clients {
            None => {
                stop.await;
                server.stop();
                outln!("stopped");
                Ok(ExitCode::Conformant)
            }
            Some(dir) => grade_until_stopped(dir, server, stop).await,
        }
    })
}

/// Says where the server listens, its users and peers, and the profile it wrote; warns when
/// it listens beyond this machine.
fn announce(args: &ServeArgs, server: &Running, config: &Config) -> Result<(), Error> {
    match config.mutant {
        Some(m) => outln!(
            "MUTANT reference server listening: {} (breaks {}: {})",
            m.name(),
            m.breaks(),
            m.description()
        ),
        None => outln!("reference server listening"),
    }
    outln!("  base URL (autodiscover root): {}", server.base_url());
    outln!("  discovery host (root at /):   http://{}/", server.addr);
    outln!("  fault control:                {}", server.faults_url());
    for (user, password) in &config.users {
        outln!("  user: {user} (password: {password})");
    }
    for (peer, behaviour) in &config.peers {
        outln!("  peer: {peer} ({})", behaviour.as_str());
    }
    if let Some(path) = &args.profile {
        let text = profile(server, config);
        crate::record::output::write_atomic(path, &text)?;
        outln!("  target profile written to {} (run --target {0}):", path.display());
        for line in text.lines() {
            outln!("    {line}");
        }
    }
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "WARNING: listening on {}, not a loopback address: its users and passwords (printed above), \
                 its tokens and its fault-control endpoint are open to anyone who can reach this address. \
                 The reference server is a test fixture; bind it to 127.0.0.1 unless you mean this.",
            args.listen
        );
    }
    Ok(())
}

/// Grades the clients that talk to `server` into `dir` (again whenever its journal changes)
/// until `stop`; then stops it, writes the final grades and says them. Exit 1 when a client
/// failed.
async fn grade_until_stopped(
    dir: &std::path::Path,
    server: Running,
    stop: impl std::future::Future<Output = ()>,
) -> Result<ExitCode, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Usage(format!("--grade-clients {}: {e}", dir.display())))?;
    outln!("  grading clients into {}", dir.display());
    let base = url::Url::parse(&server.base_url()).map_err(|e| Error::Usage(e.to_string()))?;
    let mut written = 0;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {
                let changes = server.journal_changes();
                if changes != written {
                    write_grades(dir, &screened(grade::grade(&server.journal(), &base, false), &server.secrets()))?;
                    written = changes;
                }
            }
        }
    }
    let grades = screened(grade::grade(&server.journal(), &base, true), &server.secrets());
    server.stop();
    write_grades(dir, &grades)?;
    outln!("stopped; the clients' grades:");
    let mut code = ExitCode::Conformant;
    for g in &grades {
        let r = &g.results;
        outln!("  {}: {} ({})", r.target.name, r.verdict.word(), r.summary.line());
        if r.verdict.exit_code() != ExitCode::Conformant {
            code = ExitCode::Failures;
        }
    }
    Ok(code)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM; both are caught from the moment it is called.
fn stopped() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).ok();
    let mut term = signal(SignalKind::terminate()).ok();
    async move {
        tokio::select! {
            () = next(int.as_mut()) => {}
            () = next(term.as_mut()) => {}
        }
    }
}

/// The signal's next delivery (never, when it could not be caught).
async fn next(signal: Option<&mut tokio::signal::unix::Signal>) {
    match signal {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

/// Writes each client's results file (`client-APPLICATION.json`), atomically; the grades come
/// [`screened`].
fn write_grades(dir: &std::path::Path, grades: &[grade::Graded]) -> Result<(), Error> {
    for g in grades {
        let path = dir.join(format!("client-{}.json", g.application));
        crate::record::output::write_atomic(&path, &results::to_json(&g.results))?;
    }
    Ok(())
}

/// The grades as they may be shown anywhere (their files, the console): every trial and the
/// client's name (its userAgent) screened for the users' passwords and the tokens the server
/// issued.
fn screened(mut grades: Vec<grade::Graded>, secrets: &[String]) -> Vec<grade::Graded> {
    use crate::under_test::secret::{Redactor, Secret};
    let redactor = Redactor::new(secrets.iter().map(|s| Secret::new(s.as_str())));
    for g in &mut grades {
        g.results.target.name = redactor.redact(&g.results.target.name);
        for trial in &mut g.results.cases {
            trial.redact(&redactor);
        }
    }
    grades
}

/// A target profile offering everything `server` offers: its first user, a peer of each
/// behaviour, every fault through its fault-control URL, and anonymous access (an anonymous token
/// for a second accepting peer, when there is one: the 403 case invites the first one through it).
fn profile(server: &Running, config: &Config) -> String {
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    let peers = |behaviour: PeerBehaviour| {
        config
            .peers
            .iter()
            .filter(move |(_, b)| *b == behaviour)
            .map(|(p, _)| p.as_str())
    };
    let mut out = format!(
        "# A target profile for the reference server at {} (ucwa-conformance serve --profile).\n\
         name = {}\nbase_url = {}\nmedia = [\"json\", \"xml\"]\nfaults_url = {}\n",
        server.addr,
        quote(&format!("reference-{}", server.addr.port())),
        quote(&server.base_url()),
        quote(&server.faults_url())
    );
    let mut offers: Vec<String> = Fault::ALL.iter().map(|f| f.precondition()).collect();
    let accepting: Vec<&str> = peers(PeerBehaviour::Accept).collect();
    if let Some(peer) = accepting.first() {
        out.push_str(&format!("peer = {}\n", quote(peer)));
        offers.push("peer:accept".into());
    }
    for (key, behaviour) in [
        ("peer_decline", PeerBehaviour::Decline),
        ("peer_ignore", PeerBehaviour::Ignore),
    ] {
        if let Some(peer) = peers(behaviour).next() {
            out.push_str(&format!("{key} = {}\n", quote(peer)));
        }
    }
    let offers: Vec<String> = offers.iter().map(|o| quote(o)).collect();
    out.push_str(&format!("offers = [{}]\n", offers.join(", ")));
    if let Some((user, password)) = config.users.first() {
        out.push_str(&format!(
            "\n[auth]\nusername = {}\npassword = {}\n",
            quote(user),
            quote(password)
        ));
    }
    if let Some(target) = accepting.get(1) {
        let (token, discover) = server.anonymous_token(target);
        out.push_str(&format!(
            "\n[anonymous]\ndiscover_url = {}\ntoken = {}\ntarget = {}\n",
            quote(&discover),
            quote(&token),
            quote(target)
        ));
    }
    out
}

/// The reference's configuration from `serve`'s arguments (users, peers, timeouts, mutant).
fn serve_config(args: &ServeArgs) -> Result<Config, Error> {
    let mutant = match &args.mutant {
        None => None,
        Some(name) => Some(
            Mutant::from_name(name)
                .ok_or_else(|| Error::Usage(format!("unknown mutant `{name}`; see `mutants --list`")))?,
        ),
    };
    let mut config = Config {
        invitation_timeout: std::time::Duration::from_millis(args.invitation_timeout_ms),
        idle_timeout: std::time::Duration::from_millis(args.idle_timeout_ms),
        mutant,
        grade_clients: args.grade_clients.is_some(),
        answer_once: args
            .answer_once
            .iter()
            .map(|name| {
                Refusal::from_name(name).ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown error `{name}` for --answer-once; use AlreadyExists, Forbidden, TooManyGroups, Unsupported, CannotRedirect or CallbackChannelError"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        ..Config::default()
    };
    if !args.user.is_empty() {
        config.users = args
            .user
            .iter()
            .map(|u| {
                u.split_once(':')
                    .map(|(n, p)| (n.to_string(), p.to_string()))
                    .ok_or_else(|| Error::Usage(format!("--user takes NAME:PASSWORD, found `{u}`")))
            })
            .collect::<Result<_, _>>()?;
    }
    if !args.peer.is_empty() {
        config.peers = args
            .peer
            .iter()
            .map(|p| {
                let (uri, behaviour) = p
                    .rsplit_once('=')
                    .ok_or_else(|| Error::Usage(format!("--peer takes SIP_URI=accept|decline|ignore, found `{p}`")))?;
                let behaviour = PeerBehaviour::from_name(behaviour).ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown peer behaviour `{behaviour}`; use accept, decline or ignore"
                    ))
                })?;
                Ok((uri.to_string(), behaviour))
            })
            .collect::<Result<_, Error>>()?;
    }
    Ok(config)
}
