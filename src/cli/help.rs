//! Help that stands alone (an installed binary has no README): what every `--help` ends with
//! (exit codes, examples), the manual pages (`man`, `man --dir DIR`: one page per subcommand with
//! EXIT STATUS, ENVIRONMENT and EXAMPLES), and the annotated target profile (`profile --example`).

use std::path::Path;

/// The end of `ucwa-conformance --help`.
pub const AFTER_HELP: &str = "\
Exit status:
  0    every selected case conforms (known failures, skips, non-strict should-level deviations allowed)
  1    a trial counts as a failure (diff: a regression; merge: not conformant or partial)
  2    usage, configuration, case-file, baseline, target-profile or results-file error
  3    the target could not be used (unreachable, discovery or sign-in failed, it stopped answering)
  4    a filter, --tag, --spec or --area selects nothing
  130  interrupted by SIGINT; 143 by SIGTERM (outputs written, applications deleted)

Examples:
  ucwa-conformance run                                   # against the embedded reference server
  UCWA_TOKEN=cwt=... ucwa-conformance run --base-url https://lyncdiscover.contoso.com/ --peer sip:bob@contoso.com
  ucwa-conformance run --target pool.toml --junit junit.xml --json results.json
  ucwa-conformance run --json - | jq .verdict            # the results file on standard output
  ucwa-conformance profile --example > pool.toml         # every key of a target profile
  ucwa-conformance diff old.json new.json                # regressions between two runs";

/// The end of `ucwa-conformance history --help`.
pub const HISTORY_HELP: &str = "\
The history is a SQLite file (default ./ucwa-history.sqlite, or UCWA_HISTORY) or a postgres:// URL
shared by many pipelines. Builds are ordered by time (--at, default the run's start). A trial fails
in a build when it counts as a failure, passes when it passed, and is neither otherwise (skipped,
not run, a known failure): a build where it is neither does not break or start a streak.

Exit status: 0 answered; 2 the history is missing, not ours, corrupt, newer, or unreachable, or a
results file is refused (another schema, a partial merge, a lone partition).

Examples:
  ucwa-conformance run --json r.json && ucwa-conformance history add r.json --build \"$CI_PIPELINE_ID\"
  ucwa-conformance run --history ucwa-history.sqlite --build 1.4.2
  ucwa-conformance history regressions --target pool-a
  ucwa-conformance history flaky --last 30 --json
  ucwa-conformance history trial start-messaging.created json
  ucwa-conformance history report --html history.html
  UCWA_HISTORY=postgres://ucwa@db.internal/ucwa ucwa-conformance history builds --area startMessaging";

/// Every `UCWA_*` variable the commands read, with the first line of its option's help: taken
/// from the arguments themselves, so the manual cannot fall behind them.
fn environment(root: &clap::Command) -> Vec<(String, String)> {
    let mut commands = vec![root];
    let mut out: Vec<(String, String)> = Vec::new();
    while let Some(command) = commands.pop() {
        for arg in command.get_arguments() {
            let Some(name) = arg.get_env().and_then(|e| e.to_str()) else {
                continue;
            };
            if out.iter().any(|(known, _)| known == name) {
                continue;
            }
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push((name.to_string(), help.lines().next().unwrap_or("").to_string()));
        }
        commands.extend(command.get_subcommands());
    }
    out.sort();
    out
}

/// A target profile with every key, each explained.
pub const EXAMPLE_PROFILE: &str = r#"# A target profile for ucwa-conformance: run --target THIS_FILE.
# Flags and UCWA_* variables override what is here.
name = "contoso-pool"                   # shown in reports (default: the host)
base_url = "https://lyncdiscover.contoso.com/"
peer = "sip:bob@contoso.com"            # the SIP URI invitations go to ({{peer}})
peer_decline = "sip:carol@contoso.com"  # optional: a user (or bot) that declines ({{peer:decline}})
peer_ignore = "sip:dave@contoso.com"    # optional: a user who never answers ({{peer:ignore}})
media = ["json", "xml"]                 # what the target offers (default: both)
offers = ["peer:accept"]                # preconditions it can create (peer:..., fault:NAME)
# faults_url = "https://pool.contoso.com/_conformance/faults"  # the fault-control contract
trusted_hosts = []                      # more hosts that may receive credentials
allow_plain_http_credentials = false    # the password over plain http to a non-loopback host

[tls]                                   # optional; paths relative to this file
cacert = []                             # more trusted roots (PEM), besides the system's
# client_cert = "me.pem"                # a client certificate (PEM), if the pool asks for one
# client_key = "me.key"                 # its key, if not in client_cert
insecure = false                        # do not verify certificates (warned, recorded)

[auth]                                  # or UCWA_TOKEN / UCWA_USERNAME + UCWA_PASSWORD
username = "alice@contoso.com"          # the password: UCWA_PASSWORD, or password = "..." here

# [anonymous]                           # optional: enables the anonymous-target cases
# discover_url = "https://pool.contoso.com/platformService/discover?anonymousContext=..."
# token = "psat=..."                    # an anonymous token provisioned for one target
# target = "sip:helpdesk@contoso.com"   # the target it allows ({{peer:anonymous}})

[limits]
request_timeout_ms = 10000              # one HTTP exchange, head and body, however slow
case_timeout_ms = 60000                 # all steps of one case
max_body_bytes = 1048576                # larger responses are an error, never read whole
"#;

/// The roff sections every manual page ends with (`root`: the whole program, for ENVIRONMENT).
fn extra_sections(root: &clap::Command) -> String {
    let mut out = String::from(".SH \"EXIT STATUS\"\n");
    for line in AFTER_HELP.lines().skip(1).take_while(|l| !l.is_empty()) {
        let line = line.trim();
        let (code, meaning) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(code), roff(meaning.trim())));
    }
    out.push_str(".SH ENVIRONMENT\n");
    for (name, meaning) in environment(root) {
        out.push_str(&format!(".TP\n\\fB{name}\\fR\n{}\n", roff(&meaning)));
    }
    out.push_str(".SH EXAMPLES\n");
    for line in AFTER_HELP.lines().skip_while(|l| *l != "Examples:").skip(1) {
        out.push_str(&format!(".nf\n{}\n.fi\n", roff(line.trim())));
    }
    out
}

/// Text safe in roff: backslashes doubled, and a leading dot or quote kept literal.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\\\");
    if text.starts_with('.') || text.starts_with('\'') {
        format!("\\&{text}")
    } else {
        text
    }
}

/// The manual page of `command` (the program `root` or one of its subcommands), with the extra
/// sections.
pub fn page(command: clap::Command, root: &clap::Command) -> Result<String, std::io::Error> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(command).render(&mut buffer)?;
    let mut page = String::from_utf8_lossy(&buffer).into_owned();
    page.push_str(&extra_sections(root));
    Ok(page)
}

/// Writes `ucwa-conformance.1` and one `ucwa-conformance-SUBCOMMAND.1` per subcommand into `dir`;
/// answers the files written.
pub fn write_pages(root: clap::Command, dir: &Path) -> Result<Vec<String>, std::io::Error> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let mut pages = vec![("ucwa-conformance".to_string(), root.clone())];
    for sub in root.get_subcommands() {
        let name = format!("ucwa-conformance-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().display_name(name.clone()).bin_name(name)));
    }
    for (name, command) in pages {
        let file = format!("{name}.1");
        std::fs::write(dir.join(&file), page(command, &root)?)?;
        written.push(file);
    }
    Ok(written)
}
