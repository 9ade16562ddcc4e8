//! Command-line arguments (clap) and their conversion into the library's configuration.
//! No clap type goes past this file.

use crate::case::{Media, Severity};
use crate::run::Selection;
use crate::under_test::Overrides;
use crate::under_test::secret::Secret;
use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Conformance suite for the UCWA startMessaging API (Skype for Business 2015).
#[derive(Debug, Parser)]
#[command(name = "ucwa-conformance", version, about, after_help = super::help::AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Colour on the console: auto (a terminal, unless NO_COLOR; CLICOLOR_FORCE forces it),
    /// always, never.
    #[arg(long, global = true, value_enum, default_value = "auto", env = "UCWA_COLOR")]
    pub color: ColorArg,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour on a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it).
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the cases against a target (the embedded reference server when none is given).
    #[command(after_help = super::help::AFTER_HELP)]
    Run(Box<RunArgs>),
    /// Generate startMessaging requests across the page's whole input space (pairs of value
    /// classes, sequences that reuse an operationId), judge each against the reference's model
    /// of the page, and shrink every deviation to a minimal case file.
    #[command(after_help = super::help::EXPLORE_HELP)]
    Explore(Box<ExploreArgs>),
    /// List the cases with their media types, severity and spec items.
    List(ListArgs),
    /// Serve the reference server alone until Ctrl-C.
    Serve(ServeArgs),
    /// Show the spec inventory x cases; exit 1 when an item has no case.
    Coverage(CoverageArgs),
    /// Write HTML and Markdown reports from results files (several files: a vendor matrix).
    Report(ReportArgs),
    /// Compare two results files; exit 1 on a regression.
    Diff(DiffArgs),
    /// Join the results files of `--partition K/N` jobs of one target into one; exit 1 when the
    /// joined run is not conformant.
    Merge(MergeArgs),
    /// Run the corpus against every mutant of the reference server: the kill matrix and score.
    Mutants(MutantsArgs),
    /// Measure the harness against the raw HTTP floor (build with --release).
    Bench(BenchArgs),
    /// Record runs in a history (SQLite or PostgreSQL) and ask it: builds, regressions, flaky
    /// trials, one trial, a dashboard.
    #[command(subcommand, after_help = super::help::HISTORY_HELP)]
    History(HistoryCommand),
    /// Check a results file: its verdict, counts and area words against its trials, whether it
    /// covers the whole corpus, and (with --key) its signature; exit 1 on any disagreement.
    Verify(VerifyArgs),
    /// Make an Ed25519 key pair for signing results files: PATH (private) and PATH.pub.
    Keygen {
        /// Where the private key goes (the public key goes to PATH.pub).
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
    /// Print the JSON Schema of the results file (`ucwa-conformance/results/2`).
    Schema,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, for `man -l -`), or write one page per subcommand (--dir).
    Man {
        /// Write `ucwa-conformance.1` and `ucwa-conformance-SUBCOMMAND.1` pages into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Print a target profile with every key explained (`profile --example > pool.toml`).
    Profile {
        /// Print the example profile (the only thing this command does).
        #[arg(long)]
        example: bool,
    },
}

/// `history` subcommands.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Record results files (`run --json`) as runs of a build; the same file twice is one run.
    Add(HistoryAddArgs),
    /// Each target's builds with their verdict and counts per area.
    Builds(HistoryQueryArgs),
    /// Trials that count as failures in a target's latest build: since which build, and the last
    /// build where they passed.
    Regressions(HistoryQueryArgs),
    /// Trials whose outcome flipped between pass and fail at least twice in the last builds.
    Flaky(HistoryFlakyArgs),
    /// One trial's outcome build by build.
    Trial(HistoryTrialArgs),
    /// Write the dashboard: one self-contained HTML file.
    Report(HistoryReportArgs),
}

/// The history database.
#[derive(Debug, Args)]
pub struct HistoryDb {
    /// A SQLite file, or a postgres:// URL (a password in it is never printed).
    #[arg(long, value_name = "DB", env = "UCWA_HISTORY", default_value = "ucwa-history.sqlite")]
    pub db: String,
}

/// `history add`.
#[derive(Debug, Args)]
pub struct HistoryAddArgs {
    /// Results files written by `run --json` (or `merge`).
    #[arg(required = true, value_name = "RESULTS.json")]
    pub results: Vec<PathBuf>,
    #[command(flatten)]
    pub db: HistoryDb,
    /// The build these runs tested (a CI build number, a commit, a version); default: each
    /// file's start time.
    #[arg(long, value_name = "ID", env = "UCWA_BUILD")]
    pub build: Option<String>,
    /// When the build ran (RFC 3339, like 2026-12-02T10:00:00Z); default: each file's start
    /// time. Builds are ordered by it.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// What every question takes.
#[derive(Debug, Args)]
pub struct HistoryQueryArgs {
    #[command(flatten)]
    pub db: HistoryDb,
    /// Only this target (repeatable; default: every target in the history).
    #[arg(long, value_name = "NAME")]
    pub target: Vec<String>,
    /// Only trials of this area (startMessaging, me, ...).
    #[arg(long, value_name = "AREA")]
    pub area: Option<String>,
    /// JSON on standard output (one document), for machines.
    #[arg(long)]
    pub json: bool,
}

/// `history flaky`.
#[derive(Debug, Args)]
pub struct HistoryFlakyArgs {
    #[command(flatten)]
    pub query: HistoryQueryArgs,
    /// How many of each target's latest builds to look at.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(2..))]
    pub last: u64,
}

/// `history trial`.
#[derive(Debug, Args)]
pub struct HistoryTrialArgs {
    /// The case id.
    pub id: String,
    /// The media type (default: every one the history has).
    #[arg(value_enum)]
    pub media: Option<MediaArg>,
    #[command(flatten)]
    pub query: HistoryQueryArgs,
}

/// `history report`.
#[derive(Debug, Args)]
pub struct HistoryReportArgs {
    /// Write the dashboard here (`-` for standard output).
    #[arg(long, value_name = "PATH", required = true)]
    pub html: PathBuf,
    #[command(flatten)]
    pub query: HistoryQueryArgs,
}

/// `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Write the figures as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Include the cases that wait for events (they wait for the reference's invitation timeout).
    #[arg(long)]
    pub waiting: bool,
    /// How many times the corpus runs per concurrency.
    #[arg(long, default_value_t = 20)]
    pub repeat: usize,
    /// Alternating harness and floor passes per concurrency; the medians are compared.
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
    /// Results files the history section adds (its goals are for 1,000).
    #[arg(long, value_name = "N", default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub history_files: u64,
    /// The case directory (default: the suite's own cases/).
    #[arg(long, value_name = "DIR", env = "UCWA_CASES")]
    pub cases: Option<PathBuf>,
}

/// `mutants`.
#[derive(Debug, Args)]
pub struct MutantsArgs {
    /// Only these mutants (default: all).
    pub names: Vec<String>,
    /// Mutant servers run at once.
    #[arg(long, short = 'j', default_value_t = 8)]
    pub jobs: usize,
    /// List the mutants and the spec item each breaks, and exit.
    #[arg(long)]
    pub list: bool,
    /// Add exploration's column: one `explore` (seed 1, default budget) against each mutant
    /// whose fault lies in startMessaging's inputs or state, and against the reference.
    #[arg(long)]
    pub explore: bool,
    /// The case directory (default: the suite's own cases/).
    #[arg(long, value_name = "DIR", env = "UCWA_CASES")]
    pub cases: Option<PathBuf>,
}

/// `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Results files written by `run --json` (one per target or per run).
    #[arg(required = true, value_name = "RESULTS.json")]
    pub results: Vec<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Write a Markdown summary here (`-` for standard output, the default when no output is given).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
}

/// `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partitions' results files.
    #[arg(required = true, value_name = "RESULTS.json")]
    pub results: Vec<PathBuf>,
    /// Write the joined results file here.
    #[arg(long, value_name = "PATH", required = true)]
    pub json: PathBuf,
    /// Also write a JUnit XML report of the joined run here.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Merge even when partitions are missing: the verdict is then PARTIAL (exit 1).
    #[arg(long)]
    pub allow_partial: bool,
    /// Sign the joined results file with this Ed25519 private key (`keygen`): `PATH.sig`.
    #[arg(long, value_name = "KEY", env = "UCWA_SIGN_KEY")]
    pub sign: Option<PathBuf>,
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The results file to check.
    #[arg(value_name = "RESULTS.json")]
    pub results: PathBuf,
    /// Check its signature with this Ed25519 public key (the signer's `KEY.pub`).
    #[arg(long, value_name = "KEY.pub")]
    pub key: Option<PathBuf>,
    /// The signature file (default: `RESULTS.json.sig`).
    #[arg(long, value_name = "PATH", requires = "key")]
    pub signature: Option<PathBuf>,
    /// Fail (exit 1) unless the run covered this binary's whole corpus.
    #[arg(long)]
    pub require_complete: bool,
}

/// `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier results file.
    pub old: PathBuf,
    /// The later results file.
    pub new: PathBuf,
    /// Also write the Markdown here (it is always printed).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Count should-level deviations as failures (as the new run did if it ran with --strict).
    #[arg(long)]
    pub strict: bool,
}

/// `coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The case directory holding inventory.toml (default: the suite's own cases/).
    #[arg(long, value_name = "DIR", env = "UCWA_CASES")]
    pub cases: Option<PathBuf>,
    /// A results file: show each item's outcomes in that run.
    #[arg(long, value_name = "RESULTS.json")]
    pub results: Option<PathBuf>,
}

/// Which cases: shared by `run` and `list`.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Run only trials whose name (`id [media]`) contains one of these (several allowed).
    pub filter: Vec<String>,
    /// Match FILTER and --skip against the whole trial name.
    #[arg(long)]
    pub exact: bool,
    /// Skip trials whose name contains this (repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub skip: Vec<String>,
    /// Only cases with this tag (repeatable: any of them).
    #[arg(long)]
    pub tag: Vec<String>,
    /// Only cases citing this spec item or one under it (repeatable).
    #[arg(long, value_name = "ITEM")]
    pub spec: Vec<String>,
    /// Only cases of this area (resource), such as startMessaging, messagingInvitation,
    /// messaging, me, application or generic (repeatable; `coverage` lists them).
    #[arg(long, value_name = "AREA")]
    pub area: Vec<String>,
    /// Only this media type (repeatable).
    #[arg(long, value_enum)]
    pub media: Vec<MediaArg>,
    /// Only cases of this severity.
    #[arg(long, value_enum)]
    pub severity: Option<SeverityArg>,
    /// Run shard K of N (1-based), split stably by case id: `--partition 2/4`.
    #[arg(long, value_name = "K/N", env = "UCWA_PARTITION")]
    pub partition: Option<String>,
    /// The case directory (default: the suite's own cases/).
    #[arg(long, value_name = "DIR", env = "UCWA_CASES")]
    pub cases: Option<PathBuf>,
}

/// A media type on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MediaArg {
    /// application/json
    Json,
    /// application/xml
    Xml,
}

/// A severity on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SeverityArg {
    /// Must-level cases.
    Must,
    /// Should-level cases.
    Should,
}

/// `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Cases run at once (at least 1).
    #[arg(long, short = 'j', default_value_t = 4, env = "UCWA_JOBS",
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub jobs: usize,
    /// Start no new trial after the first one that counts as a failure (the rest are `not run`);
    /// the same as `--max-fail 1`.
    #[arg(long, conflicts_with = "max_fail")]
    pub fail_fast: bool,
    /// Start no new trial once N trials count as failures (the rest are `not run`; the run's
    /// verdict is `stopped`, kind `fail-fast`, exit 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub max_fail: Option<usize>,
    /// Count should-level deviations (and errors in should-level cases) as failures.
    #[arg(
        long,
        env = "UCWA_STRICT",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub strict: bool,
    /// Stop the run (exit 3) when N requests in a row get no answer from a target that had
    /// answered (refused, reset, or no byte within the timeout; 0: never).
    #[arg(long, value_name = "N", default_value_t = crate::run::DEAD_AFTER, env = "UCWA_DEAD_AFTER")]
    pub dead_after: usize,
    /// Run a failed or errored trial again up to N times; a later pass is reported as flaky.
    #[arg(long, default_value_t = 0, value_name = "N", env = "UCWA_RETRIES")]
    pub retries: usize,
    /// List the selected trials instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Console format (`json`: only JSON events on standard output, the summary on standard error).
    #[arg(long, value_enum, default_value = "pretty")]
    pub format: FormatArg,
    /// One character per trial.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the results file (versioned JSON) here.
    #[arg(long, value_name = "PATH", env = "UCWA_JSON")]
    pub json: Option<PathBuf>,
    /// Sign the results file with this Ed25519 private key (`keygen`): its signature goes to
    /// `PATH.sig` beside `--json PATH`, for `verify --key`.
    #[arg(long, value_name = "KEY", env = "UCWA_SIGN_KEY", requires = "json")]
    pub sign: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "PATH", env = "UCWA_JUNIT")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Write a Markdown summary here.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// The target's known failures (TOML); listed failures become expected failures.
    #[arg(long, value_name = "FILE", env = "UCWA_BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Rewrite the baseline with this run's failures (needs --baseline).
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Response snapshots: off, check (changes shown, not failures), update (accept all),
    /// strict (a change fails the case).
    #[arg(long, value_enum, default_value = "check", env = "UCWA_SNAPSHOTS")]
    pub snapshots: SnapshotsArg,
    /// Leave the run's applications on the target (default: they are deleted when the run ends),
    /// so the recorded requests (the HTML report's curl commands) can be replayed.
    #[arg(long)]
    pub keep_applications: bool,
    /// Record the run in this history as it ends (a SQLite path or a postgres:// URL); see
    /// `history`.
    #[arg(long, value_name = "DB")]
    pub history: Option<String>,
    /// The build the run tested, recorded with --history (a CI build number, a commit, a
    /// version; default: the run's start time). Without --history it is not used, so one
    /// UCWA_BUILD can serve a whole pipeline.
    #[arg(long, value_name = "ID", env = "UCWA_BUILD")]
    pub build: Option<String>,
    /// Where snapshots live (default: ./snapshots, else the suite's own); one folder per target.
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
}

/// `explore`.
#[derive(Debug, Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The seed (default: drawn from the clock, and printed): the same seed against the same
    /// server sends the same requests.
    #[arg(long, value_name = "N", env = "UCWA_SEED")]
    pub seed: Option<u64>,
    /// Requests to send while exploring, 1 to 100000 (shrinking a finding has its own allowance).
    #[arg(long, value_name = "N", default_value_t = crate::explore::DEFAULT_BUDGET,
          value_parser = clap::value_parser!(u32).range(1..=100_000).map(|n| n as usize))]
    pub budget: usize,
    /// Start no new request after this long (`90s`, `5m`, `1h`, `500ms`; a bare number is seconds).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub time_limit: Option<std::time::Duration>,
    /// Only this media type (default: both).
    #[arg(long, value_enum)]
    pub media: Option<MediaArg>,
    /// Write each finding here as a case file (`ID.toml`) that `run --cases DIR` runs.
    #[arg(long, value_name = "DIR")]
    pub found: Option<PathBuf>,
    /// At most N requests per second (for shared pools).
    #[arg(long, value_name = "N", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Trials at once; each has at most one invitation waiting, so this bounds the invitations
    /// in progress too.
    #[arg(long, short = 'j', default_value_t = 4, env = "UCWA_JOBS",
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub jobs: usize,
    /// Count should-level deviations as failures.
    #[arg(
        long,
        env = "UCWA_STRICT",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub strict: bool,
    /// Stop (exit 3) when N requests in a row get no answer from a target that had answered.
    #[arg(long, value_name = "N", default_value_t = crate::run::DEAD_AFTER, env = "UCWA_DEAD_AFTER")]
    pub dead_after: usize,
    /// Console format (`json`: only JSON events on standard output, the summary on standard error).
    #[arg(long, value_enum, default_value = "pretty")]
    pub format: FormatArg,
    /// One character per trial.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the results file (versioned JSON, with an `explore` section) here.
    #[arg(long, value_name = "PATH", env = "UCWA_JSON")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "PATH", env = "UCWA_JUNIT")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Write a Markdown summary here.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
}

/// A flag's value that does not read, and why (clap prints it after the flag's name).
#[derive(Debug, thiserror::Error)]
enum BadValue {
    /// Not a duration at all.
    #[error("`{0}` is not a duration (say 90s, 5m, 1h or 500ms)")]
    NotADuration(String),
    /// A unit that is not s, m, h or ms.
    #[error("unknown unit `{0}` (say s, m, h or ms)")]
    Unit(String),
    /// Zero, negative or absurdly long.
    #[error("`{0}` is not a positive duration")]
    NotPositive(String),
    /// Not a positive rate.
    #[error("`{0}` is not a positive number of requests per second")]
    NotARate(String),
}

/// `--time-limit`: `90s`, `5m`, `1h`, `500ms`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, BadValue> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| BadValue::NotADuration(text.to_string()))?;
    let seconds = match unit {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(BadValue::Unit(other.to_string())),
    };
    if !(seconds > 0.0 && seconds < 1e9) {
        return Err(BadValue::NotPositive(text.to_string()));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// `--rate`: a positive number of requests per second.
fn parse_rate(text: &str) -> Result<f64, BadValue> {
    match text.parse::<f64>() {
        Ok(rate) if rate > 0.0 && rate.is_finite() => Ok(rate),
        _ => Err(BadValue::NotARate(text.to_string())),
    }
}

/// The target: a profile, or `--base-url` and its companions (`run` and `explore` take the same).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The target's autodiscover root URL.
    #[arg(long, value_name = "URL", env = "UCWA_BASE_URL")]
    pub base_url: Option<String>,
    /// A target profile (TOML); `ucwa-conformance profile --example` prints every key.
    #[arg(long, value_name = "FILE", env = "UCWA_TARGET")]
    pub target: Option<PathBuf>,
    /// User name for the password grant (the password comes from UCWA_PASSWORD).
    #[arg(long, env = "UCWA_USERNAME")]
    pub username: Option<String>,
    /// The SIP URI to invite (a peer that accepts).
    #[arg(long, env = "UCWA_PEER")]
    pub peer: Option<String>,
    /// A SIP URI whose user declines invitations (enables the `peer:decline` cases).
    #[arg(long, env = "UCWA_PEER_DECLINE")]
    pub peer_decline: Option<String>,
    /// A SIP URI whose user never answers (enables the `peer:ignore` cases).
    #[arg(long, env = "UCWA_PEER_IGNORE")]
    pub peer_ignore: Option<String>,
    /// A precondition the target offers, e.g. `peer:accept`, `fault:TooManyGroups` (repeatable;
    /// `UCWA_OFFERS` takes a comma list); added to the profile's `offers`.
    #[arg(
        long = "offer",
        value_name = "PRECONDITION",
        env = "UCWA_OFFERS",
        value_delimiter = ','
    )]
    pub offer: Vec<String>,
    /// The target's fault-control URL: where the suite arms a documented error state it cannot
    /// create otherwise (the reference serves it at /_conformance/faults).
    #[arg(long, value_name = "URL", env = "UCWA_FAULTS_URL")]
    pub faults_url: Option<String>,
    /// Also trust this host with credentials (repeatable; `UCWA_TRUSTED_HOSTS` takes a comma list).
    /// Credentials go only to the base URL's host and these.
    #[arg(
        long = "trust-host",
        value_name = "HOST",
        env = "UCWA_TRUSTED_HOSTS",
        value_delimiter = ','
    )]
    pub trust_host: Vec<String>,
    /// Let the password go over plain http to a host that is not a loopback address.
    #[arg(
        long,
        env = "UCWA_ALLOW_PLAIN_HTTP_CREDENTIALS",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub allow_plain_http_credentials: bool,
    /// Also trust the CA certificates in this PEM file (repeatable; `UCWA_CACERT` takes a comma
    /// list). The system roots, and `SSL_CERT_FILE` / `SSL_CERT_DIR`, stay trusted.
    #[arg(long, value_name = "FILE", env = "UCWA_CACERT", value_delimiter = ',')]
    pub cacert: Vec<PathBuf>,
    /// Present this client certificate (PEM; the key too, unless `--client-key` is given).
    #[arg(long, value_name = "FILE", env = "UCWA_CLIENT_CERT")]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", env = "UCWA_CLIENT_KEY")]
    pub client_key: Option<PathBuf>,
    /// Do not verify the target's TLS certificate (loud on the console, recorded in the results;
    /// the password then needs `--allow-plain-http-credentials`). Prefer `--cacert`.
    #[arg(
        long,
        env = "UCWA_INSECURE",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub insecure: bool,
    /// Bearer token (environment only, so it stays out of process lists).
    #[arg(
        long = "token-from-env-only",
        env = "UCWA_TOKEN",
        hide = true,
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Password (environment only).
    #[arg(
        long = "password-from-env-only",
        env = "UCWA_PASSWORD",
        hide = true,
        hide_env_values = true
    )]
    pub password: Option<String>,
}

/// `--snapshots`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SnapshotsArg {
    /// No snapshots.
    Off,
    /// Compare; changes are shown, not failures.
    Check,
    /// Write every snapshot.
    Update,
    /// Compare; a change fails the case.
    Strict,
}

impl SnapshotsArg {
    /// The library's mode.
    pub fn mode(self) -> crate::judge::snapshot::Mode {
        use crate::judge::snapshot::Mode;
        match self {
            SnapshotsArg::Off => Mode::Off,
            SnapshotsArg::Check => Mode::Check,
            SnapshotsArg::Update => Mode::Update,
            SnapshotsArg::Strict => Mode::Strict,
        }
    }
}

/// Console formats (libtest's).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// One line per trial.
    Pretty,
    /// One character per trial.
    Terse,
    /// One JSON event per line.
    Json,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// `pretty` (a line per case) or `json` (one object per trial: name, id, media, severity,
    /// spec items, tags, title).
    #[arg(long, value_enum, default_value = "pretty")]
    pub format: ListFormat,
}

/// `list --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A line per case.
    Pretty,
    /// One JSON object per trial, one per line.
    Json,
}

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A user as NAME:PASSWORD (repeatable; replaces the default user).
    #[arg(long, value_name = "NAME:PASSWORD")]
    pub user: Vec<String>,
    /// A peer as SIP_URI=accept|decline|ignore (repeatable; replaces the default peers).
    #[arg(long, value_name = "SIP_URI=BEHAVIOUR")]
    pub peer: Vec<String>,
    /// How long an unanswered invitation waits before failing with Timeout.
    #[arg(long, default_value_t = 30_000)]
    pub invitation_timeout_ms: u64,
    /// How long an application may be idle before it expires.
    #[arg(long, default_value_t = 900_000)]
    pub idle_timeout_ms: u64,
    /// Write (and print) a target profile offering everything this server offers, for
    /// `run --target FILE` from another shell.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Serve a deliberately broken variant (see `mutants --list`).
    #[arg(long, value_name = "NAME")]
    pub mutant: Option<String>,
    /// Grade every client that talks to this server: one results file per client (its
    /// application) in DIR, written whenever an application is deleted and when the server
    /// stops; exit 1 when a must-level client failure was seen, or no client at all.
    #[arg(long, value_name = "DIR")]
    pub grade_clients: Option<PathBuf>,
    /// Answer each application's first startMessaging with this documented error, once
    /// (repeatable, in order: AlreadyExists, Forbidden, TooManyGroups, Unsupported, CannotRedirect,
    /// CallbackChannelError), to see how a client reacts (a retry loop is graded).
    #[arg(long, value_name = "ERROR")]
    pub answer_once: Vec<String>,
}

impl SelectArgs {
    /// The library's selection; errors are usage errors.
    pub fn selection(&self) -> Result<Selection, PartitionError> {
        let partition = match &self.partition {
            None => None,
            Some(text) => Some(parse_partition(text)?),
        };
        Ok(Selection {
            filters: self.filter.clone(),
            exact: self.exact,
            skip: self.skip.clone(),
            tags: self.tag.clone(),
            spec: self.spec.clone(),
            areas: self.area.clone(),
            media: self
                .media
                .iter()
                .map(|m| match m {
                    MediaArg::Json => Media::Json,
                    MediaArg::Xml => Media::Xml,
                })
                .collect(),
            partition,
            severity: self.severity.map(|s| match s {
                SeverityArg::Must => Severity::Must,
                SeverityArg::Should => Severity::Should,
            }),
        })
    }
}

/// A `--partition` that is not `K/N` with 1 <= K <= N.
#[derive(Debug, thiserror::Error)]
#[error("--partition takes K/N with 1 <= K <= N, found `{0}`")]
pub struct PartitionError(String);

fn parse_partition(text: &str) -> Result<(u64, u64), PartitionError> {
    let bad = || PartitionError(text.to_string());
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

impl TargetArgs {
    /// The target overrides from flags and the environment.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            base_url: self.base_url.clone(),
            token: self.token.clone().filter(|t| !t.is_empty()).map(Secret::new),
            username: self.username.clone().filter(|u| !u.is_empty()),
            password: self.password.clone().filter(|p| !p.is_empty()).map(Secret::new),
            peer: self.peer.clone(),
            peer_decline: self.peer_decline.clone(),
            peer_ignore: self.peer_ignore.clone(),
            trusted_hosts: self.trust_host.clone(),
            allow_plain_http: self.allow_plain_http_credentials,
            offers: self.offer.clone(),
            faults_url: self.faults_url.clone(),
            cacert: self.cacert.clone(),
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
            insecure: self.insecure,
        }
    }
}
