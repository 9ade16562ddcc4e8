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

/// The end of `ucwa-conformance explore --help`.
pub const EXPLORE_HELP: &str = "\
What it sends: every input of the page (operationId, to in the body and the query, subject,
threadId, importance, message, customContent, an unknown input), each cut into value classes
(lengths at and over each limit in characters of one to four UTF-8 bytes and combining marks,
SIP URIs and strings that are not, data URIs and links that are not), in JSON and XML; first
requests covering every pair of classes, then sequences that reuse an operationId (while its
invitation waits, after a cancel, after a decline), then random combinations.

How it judges: each request's expected status, code and subcode (and what GET on the Location
must show) come from the reference's model of the page, called in-process; the level is the
page's: accepting a value inside a constraint is must, refusing one outside is should (I-02),
a missing required input must be refused (I-01); what the page leaves open (a SIP URI's
grammar, letter case, `to` given twice) accepts either 201 or 400.

Exit status: as run: 0 nothing must-level found (should-level findings count with --strict),
1 a deviation counts, 2 bad input, 3 the target could not be used, 130/143 interrupted.

Examples:
  ucwa-conformance explore                               # against the embedded reference
  ucwa-conformance explore --target pool.toml --seed 42 --found found/ --json explore.json
  ucwa-conformance run --target pool.toml --cases found/ # a finding, run again as a case";

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

/// The completion script for `shell`, without the hidden flags (the environment-only secrets):
/// clap_complete offers them, and a completed `--password-from-env-only` invites a password
/// onto the command line.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut command = <super::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "ucwa-conformance", &mut script);
    // clap_complete's bash script names the states of a hyphenated binary two ways
    // (`ucwa__conformance__subcmd__run` set, `ucwa__subcmd__conformance__subcmd__run` matched:
    // clap-rs/clap#6421), so nothing after a subcommand completed: one spelling.
    let script = String::from_utf8_lossy(&script).replace("ucwa__subcmd__conformance", "ucwa__conformance");
    let hidden = hidden_flags(&command);
    let mut out = String::with_capacity(script.len());
    for line in script.split_inclusive('\n') {
        // fish names a flag `-l name`, the others `--name`.
        let named: Vec<&String> = hidden
            .iter()
            .filter(|f| line.contains(f.as_str()) || line.contains(&format!("-l {} ", &f[2..])))
            .collect();
        if named.is_empty() {
            out.push_str(line);
        } else if line.trim_start().starts_with("opts=") {
            // bash's list of what to offer: the word goes, the list stays.
            let mut kept = line.to_string();
            for flag in named {
                kept = kept.replace(&format!(" {flag}"), "");
            }
            out.push_str(&kept);
        } else if shell == clap_complete::Shell::Bash {
            // A `case` pattern: it matches only a flag already typed; offering nothing.
            out.push_str(line);
        }
        // Other shells describe each flag on lines of its own: such a line goes.
    }
    out
}

/// `--name` of every hidden argument, in every subcommand.
fn hidden_flags(root: &clap::Command) -> Vec<String> {
    let mut out: Vec<String> = every_argument(root)
        .into_iter()
        .filter(|a| a.is_hide_set())
        .filter_map(|a| a.get_long().map(|long| format!("--{long}")))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every `UCWA_*` variable the commands read, with the first line of its option's help: taken
/// from the arguments themselves, so the manual cannot fall behind them.
fn environment(root: &clap::Command) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for arg in every_argument(root) {
        let Some(name) = arg.get_env().and_then(|e| e.to_str()) else {
            continue;
        };
        if out.iter().any(|(known, _)| known == name) {
            continue;
        }
        let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        out.push((name.to_string(), help.lines().next().unwrap_or("").to_string()));
    }
    out.sort();
    out
}

/// The arguments of `root` and of every subcommand below it.
fn every_argument(root: &clap::Command) -> Vec<&clap::Arg> {
    let mut commands = vec![root];
    let mut out = Vec::new();
    while let Some(command) = commands.pop() {
        out.extend(command.get_arguments());
        commands.extend(command.get_subcommands());
    }
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

/// An exit status and what it means.
type Status = (&'static str, &'static str);

const USAGE: Status = ("2", "usage error, or a file that cannot be read or written");
const DONE: Status = ("0", "done");

/// The exit status and examples of the command at `path` (`""` for the program, `"run"`,
/// `"history add"`): each page says its own.
fn documented(path: &str) -> (Vec<Status>, Vec<&'static str>) {
    let (status, examples): (Vec<Status>, Vec<&str>) = match path {
        "" | "run" => (run_status(), run_examples()),
        "explore" => (
            vec![
                (
                    "0",
                    "nothing found that counts (should-level findings count with --strict)",
                ),
                ("1", "a finding counts as a failure"),
                USAGE,
                (
                    "3",
                    "the target could not be used (unreachable, sign-in failed, it stopped answering)",
                ),
                (
                    "130",
                    "interrupted by SIGINT; 143 by SIGTERM (outputs written, applications deleted)",
                ),
            ],
            vec![
                "ucwa-conformance explore --seed 42",
                "ucwa-conformance explore --target pool.toml --found found/ --json explore.json --rate 20",
                "ucwa-conformance run --target pool.toml --cases found/",
            ],
        ),
        "list" => (
            vec![DONE, USAGE, ("4", "a filter, --tag, --spec or --area selects nothing")],
            vec![
                "ucwa-conformance list",
                "ucwa-conformance list --format json --tag events",
            ],
        ),
        "serve" => (
            vec![
                (
                    "0",
                    "stopped by Ctrl-C or SIGTERM (with --grade-clients: no must-level client failure seen)",
                ),
                (
                    "1",
                    "with --grade-clients: a must-level client failure was seen, or no client at all",
                ),
                USAGE,
                ("3", "it cannot listen on the address"),
            ],
            vec![
                "ucwa-conformance serve --listen 127.0.0.1:8080 --profile reference.toml",
                "ucwa-conformance serve --mutant no-location",
                "ucwa-conformance serve --grade-clients grades/    # then run your client against it, Ctrl-C",
            ],
        ),
        "coverage" => (
            vec![
                ("0", "every item is covered or waived"),
                ("1", "an item has no case"),
                USAGE,
            ],
            vec![
                "ucwa-conformance coverage",
                "ucwa-conformance coverage --results results.json",
            ],
        ),
        "report" => (
            vec![DONE, USAGE],
            vec![
                "ucwa-conformance report results.json --html report.html --markdown summary.md",
                "ucwa-conformance report vendor-a.json vendor-b.json --html matrix.html",
            ],
        ),
        "diff" => (
            vec![("0", "no regression"), ("1", "a regression"), USAGE],
            vec!["ucwa-conformance diff old.json new.json --markdown diff.md"],
        ),
        "merge" => (
            vec![
                ("0", "the joined run conforms"),
                ("1", "the joined run is not conformant, or partial (--allow-partial)"),
                (
                    "2",
                    "a partition is missing, or the files are not partitions of one run",
                ),
                ("3", "a partition stopped because the target stopped answering"),
                ("130", "a partition was interrupted by SIGINT; 143 by SIGTERM"),
            ],
            vec!["ucwa-conformance merge results-*.json --json results.json --junit junit.xml"],
        ),
        "verify" => (
            vec![
                ("0", "the file agrees with its trials (and its signature holds)"),
                (
                    "1",
                    "a disagreement, a signature that does not hold, or --require-complete and partial",
                ),
                ("2", "the file or the key cannot be read"),
            ],
            vec![
                "ucwa-conformance verify results.json",
                "ucwa-conformance verify results.json --key vendor.key.pub --require-complete",
            ],
        ),
        "keygen" => (
            vec![DONE, ("2", "a file exists already or cannot be written")],
            vec![
                "ucwa-conformance keygen vendor.key",
                "ucwa-conformance run --json results.json --sign vendor.key",
            ],
        ),
        "mutants" => (
            vec![("0", "every mutant is killed"), ("1", "a mutant survives"), USAGE],
            vec!["ucwa-conformance mutants", "ucwa-conformance mutants --list"],
        ),
        "bench" => (
            vec![DONE, ("1", "a trial did not pass"), USAGE],
            vec!["cargo run --release -- bench --json bench.json"],
        ),
        "schema" => (vec![DONE], vec!["ucwa-conformance schema > results-2.json"]),
        "completions" => (
            vec![DONE],
            vec!["ucwa-conformance completions bash > /etc/bash_completion.d/ucwa-conformance"],
        ),
        "man" => (
            vec![DONE, USAGE],
            vec!["ucwa-conformance man | man -l -", "ucwa-conformance man --dir man/"],
        ),
        "profile" => (vec![DONE], vec!["ucwa-conformance profile --example > pool.toml"]),
        history if history.starts_with("history") => (
            vec![
                ("0", "answered"),
                (
                    "2",
                    "the history is missing, not ours, corrupt, newer, or unreachable, or a results file is refused",
                ),
            ],
            HISTORY_HELP
                .lines()
                .skip_while(|l| *l != "Examples:")
                .skip(1)
                .map(str::trim)
                .filter(|l| history == "history" || l.contains(&format!("ucwa-conformance {history} ")))
                .collect(),
        ),
        _ => (vec![DONE], Vec::new()),
    };
    (status, examples)
}

/// `run`'s exit status, from the end of its `--help`.
fn run_status() -> Vec<Status> {
    AFTER_HELP
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|line| {
            let line = line.trim();
            line.split_once(char::is_whitespace)
                .map_or((line, ""), |(code, meaning)| (code, meaning.trim()))
        })
        .collect()
}

/// `run`'s examples, from the end of its `--help`.
fn run_examples() -> Vec<&'static str> {
    AFTER_HELP
        .lines()
        .skip_while(|l| *l != "Examples:")
        .skip(1)
        .map(str::trim)
        .collect()
}

/// The roff sections a manual page ends with: its command's exit status, the environment
/// (`root`: every variable of the program) and its command's examples.
fn extra_sections(path: &str, root: &clap::Command) -> String {
    let (status, examples) = documented(path);
    let mut out = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in status {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(code), roff(meaning)));
    }
    out.push_str(".SH ENVIRONMENT\n");
    for (name, meaning) in environment(root) {
        out.push_str(&format!(".TP\n\\fB{name}\\fR\n{}\n", roff(&meaning)));
    }
    if !examples.is_empty() {
        out.push_str(".SH EXAMPLES\n");
        for line in examples {
            out.push_str(&format!(".nf\n{}\n.fi\n", roff(line)));
        }
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

/// The manual page of the command at `path` (`""` for the program itself, `"history add"`),
/// with the extra sections; `root` is the whole program.
pub fn page(command: clap::Command, path: &str, root: &clap::Command) -> Result<String, std::io::Error> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(command).render(&mut buffer)?;
    let mut page = String::from_utf8_lossy(&buffer).into_owned();
    page.push_str(&extra_sections(path, root));
    Ok(page)
}

/// Writes `ucwa-conformance.1` and one `ucwa-conformance-SUB[-SUB].1` per subcommand, nested
/// ones and `help` included (every page a page names is written), into `dir`; answers the files
/// written.
pub fn write_pages(mut root: clap::Command, dir: &Path) -> Result<Vec<String>, std::io::Error> {
    std::fs::create_dir_all(dir)?;
    root.build();
    let mut pages: Vec<(String, String, clap::Command)> =
        vec![("ucwa-conformance".into(), String::new(), root.clone())];
    let mut i = 0;
    while i < pages.len() {
        let (name, path, command) = pages[i].clone();
        for sub in command.get_subcommands() {
            let sub_name = format!("{name}-{}", sub.get_name());
            let sub_path = format!("{path} {}", sub.get_name()).trim().to_string();
            // clap's `help` has a pseudo-subcommand per command: its page names none of them.
            let sub = if sub.get_name() == "help" {
                clap::Command::new("help").about(sub.get_about().cloned().unwrap_or_default())
            } else {
                sub.clone()
            };
            pages.push((
                sub_name.clone(),
                sub_path,
                sub.display_name(&sub_name).bin_name(&sub_name),
            ));
        }
        i += 1;
    }
    let mut written = Vec::new();
    for (name, path, command) in pages {
        let file = format!("{name}.1");
        std::fs::write(dir.join(&file), page(command, &path, &root)?)?;
        written.push(file);
    }
    Ok(written)
}
