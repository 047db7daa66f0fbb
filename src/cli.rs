//! Command-line definitions. Options shared with the AWS CLI keep its names
//! (`--endpoint-url`, `--region`, `--cli-connect-timeout`, `--cli-read-timeout`, `--output`).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

mod candidates;
mod examples;
use examples::*;

#[derive(Debug, Parser)]
#[command(
    name = "cogbench",
    version,
    about = "Load and conformance testing of Amazon Cognito's ConfirmSignUp operation",
    long_about = "Load and conformance testing of Amazon Cognito's ConfirmSignUp operation.\n\n\
        Exit codes: 0 everything held · 1 a threshold or conformance verdict failed · \
        2 bad input · 3 target unreachable or provisioning failed · 130 interrupted.",
    after_help = TOP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: provision, send the mix, judge every answer, write reports.
    #[command(after_help = RUN)]
    Run(RunArgs),
    /// Run a scenario's cases against a target (meant for a real pool; any target works) and
    /// write a snapshot of its answers, to judge other targets by (`run --oracle`).
    #[command(after_help = RECORD)]
    Record(RecordArgs),
    /// Snapshots as oracles: `oracle check SNAPSHOT` holds the catalog against one.
    #[command(after_help = ORACLE_CHECK)]
    Oracle {
        #[command(subcommand)]
        command: OracleCommand,
    },
    /// Sign N users up in the scenario's existing pool (pool.existing) and list them, with
    /// their codes where the target's code source gives them, in the CSV that
    /// users.from_csv reads.
    #[command(after_help = PROVISION)]
    Provision(ProvisionArgs),
    /// Run LEFT's catalog against LEFT's target and RIGHT's, and show where the answers differ.
    #[command(after_help = DIFF)]
    Diff(DiffArgs),
    /// Check scenario files without touching any target.
    #[command(after_help = VALIDATE)]
    Validate {
        /// Scenario files (YAML); each is read with its catalog files and checked as `run`
        /// would check it. Exit 2 names the first bad line of each.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Serve the embedded reference emulator for other tools (Ctrl-C stops it).
    #[command(long_about = emulator_about(), after_help = EMULATOR)]
    Emulator {
        /// The port to listen on (0: any free port, printed at start).
        #[arg(long, default_value_t = 9229)]
        port: u16,
        /// The address to listen on; another than loopback serves the emulator to the network.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// The region the emulator answers for: in pool ids and ARNs, and the region a
        /// signature must be for.
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// Wrong codes a user may give per hour before LimitExceededException (Cognito: 15;
        /// 0 turns the limit off).
        #[arg(long, default_value_t = 15)]
        attempt_limit: u32,
        #[arg(
            long,
            value_name = "SPEC",
            value_delimiter = ',',
            help = crate::faults::short_help(),
            long_help = crate::faults::help()
        )]
        faults: Vec<String>,
        /// Enforce a request-rate quota, CATEGORY=RPS (repeatable, or comma-separated):
        /// user-creation (SignUp, ConfirmSignUp; AWS's default 50), user-read (AdminGetUser;
        /// 120), user-pool-update (Create/DeleteUserPool; 15), user-pool-client-update
        /// (CreateUserPoolClient; 15). RPS from 0.001 to 1000000. A category's rate is shared by
        /// its operations over every pool, as AWS's account quota is; over it,
        /// TooManyRequestsException "Rate exceeded" (HTTP 400) and no state changes. A burst of one second's worth passes at once (AWS
        /// does not document its burst). Off by default.
        #[arg(long, value_name = "CATEGORY=RPS", value_delimiter = ',')]
        quota: Vec<String>,
        /// A Lambda Invoke API (e.g. `sam local start-lambda`'s, or another `cogbench
        /// emulator`'s) where pools' post-confirmation triggers other than the in-process
        /// cogbench-reference-trigger are invoked, 5 s an attempt, three attempts, as Cognito
        /// does. Without it such triggers fail to be invoked (UnexpectedLambdaException).
        #[arg(long, value_name = "URL")]
        lambda_endpoint: Option<String>,
        /// Refuse unsigned calls to the operations AWS authorizes with IAM (CreateUserPool,
        /// CreateUserPoolClient, DeleteUserPool, AdminGetUser …) as AWS does
        /// (MissingAuthenticationTokenException); a signature must be well formed, for
        /// cognito-idp in --region, and dated within 5 minutes. SignUp, ConfirmSignUp and
        /// ResendConfirmationCode stay open.
        #[arg(long)]
        require_signature: bool,
        /// With --require-signature: also recompute each signature with this access key id
        /// and the secret in COGBENCH_EMULATOR_SECRET_ACCESS_KEY (and the session token in
        /// COGBENCH_EMULATOR_SESSION_TOKEN, when set), refusing other keys
        /// (UnrecognizedClientException) and bad signatures (InvalidSignatureException).
        #[arg(long, value_name = "ACCESS_KEY_ID", requires = "require_signature")]
        signing_access_key_id: Option<String>,
    },
    /// Benchmark an endpoint without writing a scenario: one case, N connections, a duration
    /// (closed model, as fast as answers come) or a fixed --rate (open model).
    #[command(after_help = BENCH)]
    Bench(BenchArgs),
    /// Compare a run with a baseline run, case by case; exit 1 when a limit is passed.
    #[command(after_help = COMPARE)]
    Compare(CompareArgs),
    /// Merge the runs of a scenario's shards (`run --shard I/N`) into the reports of one run:
    /// counts added, histograms merged, thresholds and verdicts judged again.
    #[command(after_help = MERGE)]
    Merge(MergeArgs),
    /// Write report formats again from a finished run's summary.json.
    #[command(after_help = REPORT)]
    Report {
        /// The run's folder (or its summary.json).
        run_dir: PathBuf,
        /// json, csv, junit, hlog, html or markdown (repeatable).
        #[arg(
            long = "format",
            value_name = "FORMAT",
            required = true,
            value_parser = candidates::report_formats(),
            hide_possible_values = true
        )]
        formats: Vec<String>,
        /// Write into DIR instead of the run's folder.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
    /// Send one ConfirmSignUp with the AWS CLI's `aws cognito-idp confirm-sign-up` options,
    /// answered as the AWS CLI answers (exit 0, 252 usage, 254 service error, 255 no answer);
    /// `--verdict` adds this request's conformance verdict.
    #[command(after_help = CONFIRM_SIGN_UP)]
    ConfirmSignUp(crate::awscli::ConfirmArgs),
    /// Print the JSON Schema of a file format, for editors (`cogbench validate` stays the
    /// authority on what a file may hold).
    #[command(
        after_help = "Example, for an editor that reads schemas from files:\n  \
        cogbench schema scenario > scenario.schema.json"
    )]
    Schema {
        #[command(subcommand)]
        format: SchemaFormat,
    },
    /// List the case catalog with spec references.
    #[command(after_help = CASES)]
    Cases {
        /// A table, one line per case with its columns lined up (on a terminal too narrow for
        /// it, a block per case wrapped to its width), or JSON with each case's checks and note.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Print a shell's completion script for cogbench (bash, zsh, fish, powershell, elvish).
    #[command(after_help = COMPLETIONS)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): cogbench(1), or a command's (`man run` is cogbench-run(1));
    /// or write every page into a folder.
    #[command(after_help = MAN)]
    Man {
        /// The command whose page to print (`run`, `oracle check` …); none: cogbench(1).
        #[arg(
            value_name = "COMMAND",
            conflicts_with = "output_dir",
            value_parser = candidates::command_words(),
            hide_possible_values = true
        )]
        command: Vec<String>,
        /// Write cogbench.1 and a page per command (cogbench-run.1, …) into DIR.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
}

/// What `run` and `record` share: the scenario, the target, and how the run goes.
#[derive(Debug, clap::Args)]
pub struct RunCommon {
    /// The scenario file (YAML): its target, pool, users, phases, mix, thresholds and
    /// reports. `cogbench validate FILE` checks one without running it; the scenarios/ folder
    /// holds ready ones (smoke.yaml, conformance.yaml, load-mixed.yaml …).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
    /// cognito-local's working folder (its .cognito/db/ holds the codes).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<String>,
    /// Run only these cases of the mix: comma-separated ids or globs, e.g. `member-*,valid-code`.
    #[arg(long, value_name = "PATTERN")]
    pub cases: Option<String>,
    /// Run the scenario's one phase for DURATION (500ms, 10s, 2m, 1h) instead of the length it
    /// gives: for a scenario of a single phase at a steady load (a soak made short or long).
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Write the reports here instead of reports/<scenario>/<timestamp>/.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    #[command(flatten)]
    pub timeouts: TimeoutArgs,
    /// Live display: a bar on a terminal, plain lines in logs, or nothing.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Also write this report format: json, csv, junit, hlog, html, markdown (repeatable).
    #[arg(
        long = "report",
        value_name = "FORMAT",
        value_parser = candidates::report_formats(),
        hide_possible_values = true
    )]
    pub reports: Vec<String>,
    /// After Ctrl-C or SIGTERM, seconds the requests in flight get to finish (default 10); a
    /// second Ctrl-C stops waiting at once.
    #[arg(long, value_name = "SECONDS")]
    pub grace_period: Option<f64>,
    /// Against an AWS endpoint, plan past ConfirmSignUp's default request-rate quota
    /// (UserCreation, 50 requests per second) — for accounts whose quota was raised.
    #[arg(long)]
    pub allow_above_quota: bool,
    /// Keep the pools the run created (by default they are deleted at the end, also after
    /// Ctrl-C).
    #[arg(long)]
    pub keep: bool,
    /// Run part I of N of the scenario's load (1 ≤ I ≤ N ≤ 1000): N processes, on as many
    /// machines, each given its own I, together run the scenario once; `cogbench merge`
    /// then puts their reports together.
    #[arg(long, value_name = "I/N", value_parser = crate::scenario::Shard::parse)]
    pub shard: Option<crate::scenario::Shard>,
    /// Start the load at TIME: RFC 3339 (2026-12-07T02:00:00Z, or with an offset) or
    /// +DURATION from now (+30s, +2m). Set-up (target, pool, users) is done first, then the
    /// run waits; shards given one TIME start their loads together. At most 24 h ahead; a
    /// time already past (by over 1 s) is refused.
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,
    /// Print each case's note and each failing check in full in the verdict table (by
    /// default a note takes one line; the reports always hold the full text).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    #[command(flatten)]
    pub metrics: MetricsArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// `--metrics-listen` and `--metrics-linger`, for `run`, `record` and `bench`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Live metrics")]
pub struct MetricsArgs {
    /// Serve live metrics at ADDR:PORT while the run goes (http://ADDR:PORT/metrics, the
    /// Prometheus text format or OpenMetrics): requests by case and class, verdicts, latency
    /// and service-time histograms, in-flight requests, scheduling lag, dropped starts. Port
    /// 0 picks a free one; the URL is printed on stderr.
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// After the run, how long the final figures (summary.json's) stay served for a scraper
    /// that has not read them yet: set it to at least the scrape interval. Ends as soon as
    /// one scrape has read them, or at Ctrl-C; 0s: not at all. Default 15s.
    #[arg(long, value_name = "DURATION", requires = "metrics_listen")]
    pub metrics_linger: Option<String>,
}

/// Where the target is, over the scenario's `target:`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TargetArgs {
    /// Send to a running emulator at URL instead of starting one in-process.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The kind of target at --endpoint-url: emulator, cognito-local, moto or endpoint; or aws
    /// (a real pool, whose endpoint follows from --region unless --endpoint-url is given); or
    /// embedded (the emulator in-process, as without --endpoint-url).
    #[arg(
        long,
        value_name = "KIND",
        value_parser = candidates::target_kinds(),
        hide_possible_values = true
    )]
    pub target_kind: Option<String>,
}

/// The AWS CLI's timeouts, over the scenario's `http:`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TimeoutArgs {
    /// Seconds to wait for a connection.
    #[arg(long, value_name = "SECONDS")]
    pub cli_connect_timeout: Option<f64>,
    /// Seconds to wait for a whole answer.
    #[arg(long, value_name = "SECONDS")]
    pub cli_read_timeout: Option<f64>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: RunCommon,
    /// A list of the target's known deviations: the run passes when its failures are exactly
    /// these ("new deviation", "fixed" and "changed" fail it).
    #[arg(long, value_name = "FILE")]
    pub known_deviations: Option<PathBuf>,
    /// Write the deviations this run observed to FILE (to review and commit).
    #[arg(long, value_name = "FILE")]
    pub write_deviations: Option<PathBuf>,
    /// Judge each case by a snapshot's recorded answers (`cogbench record`) instead of the
    /// catalog's expectation; cases the snapshot lacks are judged by the catalog, and say so.
    #[arg(long, value_name = "SNAPSHOT")]
    pub oracle: Option<PathBuf>,
    /// Fail the run only on failing cases of these confidence levels (comma-separated:
    /// documented, observed, inferred, recorded; default: all). Other failures are still
    /// shown and reported.
    #[arg(long, value_name = "LEVELS", value_delimiter = ',')]
    pub fail_on: Vec<String>,
    #[command(flatten)]
    pub print: PrintArgs,
}

#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub common: RunCommon,
    /// The snapshot to write (JSON, replaced whole): every distinct answer of every case, the
    /// states read back; no code, secret or SecretHash.
    #[arg(long, value_name = "FILE", help_heading = "Recording")]
    pub output: PathBuf,
    /// The target answers some cases with a server error (5xx) by design (an emulator that
    /// does not implement them): record those as its answers. Without it a 5xx makes the
    /// recording exit 1, since a healthy service's 5xx is a fault, not an answer to judge by.
    #[arg(long, help_heading = "Recording")]
    pub accept_server_errors: bool,
}

/// The file formats `cogbench schema` describes.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum SchemaFormat {
    /// The scenario file (JSON Schema draft 2020-12; fixtures/scenario.schema.json is a copy).
    #[command(
        after_help = "Example:\n  cogbench schema scenario > scenario.schema.json\n\n\
        Then, as the first line of a scenario:\n  \
        # yaml-language-server: $schema=scenario.schema.json"
    )]
    Scenario,
}

#[derive(Debug, Subcommand)]
pub enum OracleCommand {
    /// Hold the catalog against a snapshot: contradictions (catalog corrections, exit 1),
    /// inferred expectations it confirms, and cases it lacks.
    #[command(after_help = ORACLE_CHECK)]
    Check(OracleCheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct OracleCheckArgs {
    /// A snapshot written by `cogbench record`.
    pub snapshot: PathBuf,
    /// Hold this scenario's catalog (with its team catalogs) instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// What to print: the findings as a table, or as JSON.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

/// How `run` and `bench` print their result: the AWS CLI's `--output` and `--query`.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global options (as the AWS CLI's)")]
pub struct PrintArgs {
    /// What to print when the run ends: the verdict table, or summary.json.
    #[arg(long = "output", value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// A JMESPath query over summary.json; its result is printed instead of the table
    /// (e.g. `totals.requests_per_second`).
    #[arg(long, value_name = "JMESPATH")]
    pub query: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' run folders (or their summary.json files).
    #[arg(required = true, value_name = "RUN_DIR")]
    pub run_dirs: Vec<PathBuf>,
    /// Where the merged summary.json and the other formats of the first shard's plan go.
    #[arg(long, value_name = "DIR")]
    pub output_dir: PathBuf,
    /// A list of the target's known deviations, as for `run`, to gate the merged run against.
    #[arg(long, value_name = "FILE")]
    pub known_deviations: Option<PathBuf>,
    /// What to print: the verdict table, or the merged summary.json.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

/// The AWS CLI's global options, as `run` understands them.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Global options (as the AWS CLI's)")]
pub struct GlobalArgs {
    /// Print the plan (secrets as ***) before anything is sent, and each case's first answer
    /// (codes and secrets as ***) after the run, on stderr.
    #[arg(long)]
    pub debug: bool,
    /// Do not verify the target's TLS certificate.
    #[arg(long)]
    pub no_verify_ssl: bool,
    /// A PEM bundle of the certificate authorities to trust (also AWS_CA_BUNDLE).
    #[arg(long, value_name = "PATH")]
    pub ca_bundle: Option<PathBuf>,
    /// The region for the pools the run creates (also AWS_REGION, AWS_DEFAULT_REGION);
    /// overrides the scenario's target.region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Accepted for the AWS CLI's sake: cogbench's output has no colour (NO_COLOR is honoured
    /// by the progress display).
    #[arg(
        long,
        value_name = "on|off|auto",
        value_parser = candidates::colors(),
        hide_possible_values = true
    )]
    pub color: Option<String>,
    /// Sign nothing and look up no credentials. By default the provisioning and admin calls
    /// (CreateUserPool, CreateUserPoolClient, AdminGetUser, DeleteUserPool) are signed with
    /// SigV4 whenever credentials are found; SignUp, ConfirmSignUp and
    /// ResendConfirmationCode never are.
    #[arg(long)]
    pub no_sign_request: bool,
    /// The profile of the shared config and credentials files whose credentials sign
    /// (instead of AWS_PROFILE or `default`; environment-variable keys are then not used).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Accepted: nothing here paginates.
    #[arg(long)]
    pub no_paginate: bool,
}

#[derive(Debug, clap::Args)]
#[command(mut_arg("endpoint_url", |a| a.help(
    "The running target that holds the pool (also AWS_ENDPOINT_URL); overrides the scenario's target.endpoint"
)))]
pub struct ProvisionArgs {
    /// The scenario: its pool.existing receives the users, its users.username and
    /// users.email name them (with a fresh {run}), its target says where codes come from.
    #[arg(long, value_name = "FILE")]
    pub scenario: PathBuf,
    /// How many users to sign up.
    #[arg(long, value_name = "N")]
    pub users: u64,
    /// The CSV to write (replaced atomically); default: the scenario's users.from_csv.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// cognito-local's working folder (its .cognito/db/ holds the codes).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<String>,
    /// For a scenario without pool.existing: create a pool (as the scenario's pool: describes
    /// it) and an app client without a secret first, and print their ids to put in the
    /// scenario. Emulators only.
    #[arg(long)]
    pub create_pool: bool,
    /// Progress lines on stderr, or nothing.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The baseline run: its folder or its summary.json.
    pub baseline: PathBuf,
    /// The run to judge against it.
    pub current: PathBuf,
    /// Percent the p99 may rise (default 20, or the scenario's `compare:`).
    #[arg(long, value_name = "PCT")]
    pub max_p99_increase: Option<f64>,
    /// Milliseconds the p99 must also rise by to count (default 1): small latencies jitter.
    #[arg(long, value_name = "MS")]
    pub min_p99_change_ms: Option<f64>,
    /// Percent the run's throughput may fall (default 10, or the scenario's `compare:`).
    #[arg(long, value_name = "PCT")]
    pub max_throughput_drop: Option<f64>,
    /// What to print: the comparison as a table, or as JSON.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("endpoint_url", |a| a.help(
        "The server to measure (default: the embedded emulator, in-process)"
    )),
    mut_arg("target_kind", |a| a.help(
        "The kind of target at --endpoint-url (emulator, cognito-local, moto or endpoint)"
    ))
)]
pub struct BenchArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// A catalog case, or `raw`: a fixed ConfirmSignUp request judged only on the transport
    /// and the HTTP status (200), which any server (nginx included) can answer.
    #[arg(long, default_value = "unknown-user", value_name = "NAME|raw")]
    pub case: String,
    /// Connections kept open (and, without --rate, virtual users).
    #[arg(long, short = 'c', default_value_t = 64)]
    pub connections: usize,
    /// How long to send, e.g. 10s or 1m.
    #[arg(long, short = 'z', default_value = "10s")]
    pub duration: String,
    /// Requests per second on a fixed schedule (open model); without it, closed model.
    #[arg(long, short = 'q')]
    pub rate: Option<f64>,
    /// With --rate: most requests outstanding at once (default 16 × connections).
    #[arg(long)]
    pub max_in_flight: Option<usize>,
    /// HTTP version to the target: 1.1, or 2 (cleartext HTTP/2 with prior knowledge on http://).
    #[arg(long, value_name = "1.1|2", default_value = "1.1")]
    pub http_version: String,
    /// Write the reports here instead of reports/bench/<timestamp>/.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    #[command(flatten)]
    pub timeouts: TimeoutArgs,
    /// Print the scenario these flags make and exit.
    #[arg(long)]
    pub print_scenario: bool,
    /// After Ctrl-C or SIGTERM, seconds the requests in flight get to finish (default 10).
    #[arg(long, value_name = "SECONDS")]
    pub grace_period: Option<f64>,
    /// Live display: a bar on a terminal, plain lines in logs, or nothing.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Start the load at TIME: RFC 3339 (2026-12-07T02:00:00Z, or with an offset) or
    /// +DURATION from now (+30s, +2m). Set-up (target, pool, users) is done first, then the
    /// run waits; shards given one TIME start their loads together. At most 24 h ahead; a
    /// time already past (by over 1 s) is refused.
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,
    #[command(flatten)]
    pub metrics: MetricsArgs,
    #[command(flatten)]
    pub print: PrintArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The scenario whose catalog, mix and phases run, against its own target…
    pub left: PathBuf,
    /// …and against this scenario's target.
    pub right: PathBuf,
    /// Only these cases (comma-separated ids or globs).
    #[arg(long, value_name = "PATTERN")]
    pub cases: Option<String>,
    /// Where both runs' reports and diff.json go (default reports/diff-<left>-<right>/<timestamp>/).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when the targets answer any case differently (by default differences are the
    /// output, not a failure).
    #[arg(long)]
    pub fail_on_difference: bool,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    Auto,
    Plain,
    Quiet,
}

impl From<ProgressArg> for crate::progress::Mode {
    fn from(p: ProgressArg) -> Self {
        match p {
            ProgressArg::Auto => crate::progress::Mode::Auto,
            ProgressArg::Plain => crate::progress::Mode::Plain,
            ProgressArg::Quiet => crate::progress::Mode::Quiet,
        }
    }
}

/// Parses the whole command line. A bad `confirm-sign-up` command line exits 252 as the AWS
/// CLI's usage errors do; every other subcommand keeps clap's exit code.
pub fn parse() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let ours = std::env::args_os()
                .nth(1)
                .is_some_and(|a| a == "confirm-sign-up");
            if ours && e.use_stderr() {
                let _ = e.print();
                std::process::exit(crate::awscli::EXIT_USAGE);
            }
            e.exit()
        }
    }
}
