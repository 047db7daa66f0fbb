use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use cogbench::cases::Catalog;
use cogbench::cli::{
    Cli, Command, GlobalArgs, OracleCommand, Output, ProgressArg, RecordArgs, RunArgs, RunCommon,
};
use cogbench::gate::{EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_TARGET};
use cogbench::interrupt::Interrupts;
use cogbench::progress;
use cogbench::run::{RunOptions, run};
use cogbench::scenario::{self, Overrides};
use cogbench::term::{out, out_json};
use cogbench::{errln, outln};

fn main() -> ExitCode {
    let cli: Cli = cogbench::awscli::parse_cli();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            errln!("cogbench: error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILED as u8);
        }
    };
    let code = match cli.command {
        // Interrupts are heard from the first step: one during set-up still cleans up.
        Command::Run(args) => runtime.block_on(async { cmd_run(args, Interrupts::listen()).await }),
        Command::Record(args) => {
            runtime.block_on(async { cmd_record(args, Interrupts::listen()).await })
        }
        Command::Oracle { command } => cmd_oracle(command),
        Command::Validate { files } => cmd_validate(&files),
        Command::Diff(args) => {
            runtime.block_on(async { cmd_diff(args, Interrupts::listen()).await })
        }
        Command::Provision(args) => {
            runtime.block_on(async { cmd_provision(args, Interrupts::listen()).await })
        }
        Command::Emulator {
            port,
            host,
            region,
            attempt_limit,
            faults,
        } => runtime.block_on(async {
            let interrupts = Interrupts::listen();
            cmd_emulator(&host, port, region, attempt_limit, &faults, interrupts).await
        }),
        Command::Cases { output } => cmd_cases(output),
        Command::ConfirmSignUp(args) => runtime.block_on(cogbench::awscli::run(args)),
        Command::Bench(args) => {
            runtime.block_on(async { cmd_bench(args, Interrupts::listen()).await })
        }
        Command::Compare(args) => cmd_compare(&args),
        Command::Merge(args) => cmd_merge(&args),
        Command::Report {
            run_dir,
            formats,
            output_dir,
        } => cmd_report(&run_dir, &formats, output_dir.as_deref()),
    };
    // Output that could not be written (a full disk) is a failed command, unless it earned worse.
    let code = if code == 0 && cogbench::term::output_failed() {
        EXIT_FAILED
    } else {
        code
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// An environment variable's value, when set and not empty (the AWS CLI's conventions).
fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn grace(v: Option<f64>) -> Result<Duration, String> {
    match v {
        None => Ok(cogbench::run::DEFAULT_GRACE_PERIOD),
        Some(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        Some(s) => Err(format!(
            "--grace-period: {s} is not a number of seconds in [0, 3600]"
        )),
    }
}

fn seconds(flag: &str, v: Option<f64>) -> Result<Option<Duration>, String> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
            Ok(Some(Duration::from_secs_f64(s)))
        }
        Some(s) => Err(format!(
            "{flag}: {s} is not a number of seconds in (0, 86400]"
        )),
    }
}

/// How to reach the target, as every command that reaches one reads it: the flags, else the
/// AWS CLI's environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION, AWS_CA_BUNDLE;
/// AWS_PROFILE and the keys are read by the credential chain), so `bench` trusts the same
/// certificates as `run`.
fn target_overrides(endpoint_url: Option<&str>, global: Option<&GlobalArgs>) -> Overrides {
    Overrides {
        endpoint_url: endpoint_url
            .map(str::to_owned)
            .or_else(|| env_value("AWS_ENDPOINT_URL")),
        region: global
            .and_then(|g| g.region.clone())
            .or_else(|| env_value("AWS_REGION"))
            .or_else(|| env_value("AWS_DEFAULT_REGION")),
        no_verify_ssl: global.is_some_and(|g| g.no_verify_ssl),
        ca_bundle: global
            .and_then(|g| g.ca_bundle.clone())
            .or_else(|| env_value("AWS_CA_BUNDLE").map(Into::into)),
        no_sign_request: global.is_some_and(|g| g.no_sign_request),
        profile: global.and_then(|g| g.profile.clone()),
        ..Overrides::default()
    }
}

/// What `run` and `record` share: the plan with every override applied, and the run's
/// options; or the exit code of bad input (its message already printed).
fn prepare(args: &RunCommon) -> Result<(scenario::Plan, RunOptions), i32> {
    let bad = |e: String| {
        errln!("cogbench: error: {e}");
        EXIT_BAD_INPUT
    };
    let overrides = (|| -> Result<Overrides, String> {
        Ok(Overrides {
            target_kind: args.target_kind.clone(),
            data_dir: args.data_dir.clone(),
            allow_above_quota: args.allow_above_quota,
            shard: args.shard,
            cases: args.cases.clone(),
            connect_timeout: seconds("--cli-connect-timeout", args.cli_connect_timeout)?,
            read_timeout: seconds("--cli-read-timeout", args.cli_read_timeout)?,
            reports: args
                .reports
                .iter()
                .map(|f| cogbench::report::export::Format::parse(f))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("--report: {e}"))?,
            ..target_overrides(args.endpoint_url.as_deref(), Some(&args.global))
        })
    })()
    .map_err(bad)?;
    let mut plan = scenario::load(&args.file, Arc::new(Catalog::builtin()), &overrides)
        .map_err(|e| bad(e.to_string()))?;
    if args.keep {
        for run in &mut plan.pools {
            run.pool.delete_after = false;
        }
    }
    let grace_period = grace(args.grace_period).map_err(bad)?;
    if args.global.debug {
        errln!(
            "cogbench: debug: the plan\n{}",
            serde_json::to_string_pretty(&cogbench::summary::plan::plan_echo(&plan))
                .expect("the plan serialises")
        );
    }
    let opts = RunOptions {
        grace_period,
        output_dir: args.output_dir.clone(),
        progress: args.progress.into(),
        ..RunOptions::default()
    };
    Ok((plan, opts))
}

/// summary.json says the exit code the command ends with, when that is not the run's own.
fn settle(outcome: &mut cogbench::run::RunOutcome, code: i32) {
    if let Err(e) = outcome.settle_exit_code(code) {
        errln!(
            "cogbench: error: rewriting the reports in {}: {e}",
            outcome.report_dir.display()
        );
    }
}

/// The confidence levels `--fail-on` names.
const LEVELS: [&str; 4] = ["documented", "observed", "inferred", "recorded"];

async fn cmd_run(args: RunArgs, interrupts: Interrupts) -> i32 {
    let bad = |e: String| {
        errln!("cogbench: error: {e}");
        EXIT_BAD_INPUT
    };
    let query = match args
        .print
        .query
        .as_deref()
        .map(cogbench::awscli::query::Query::compile)
    {
        None => None,
        Some(Ok(q)) => Some(q),
        Some(Err(e)) => return bad(format!("--query: {e}")),
    };
    if let Some(level) = args.fail_on.iter().find(|l| !LEVELS.contains(&l.as_str())) {
        return bad(format!(
            "--fail-on: `{level}` is not a confidence level (expected some of {})",
            LEVELS.join(", ")
        ));
    }
    // Inputs are all read before the scenario's plan: nothing reaches a target until every
    // one of them is valid.
    let known_deviations = match &args.known_deviations {
        None => None,
        Some(file) => match cogbench::deviations::load(file) {
            Ok(list) => Some((file.clone(), list)),
            Err(e) => return bad(e.to_string()),
        },
    };
    if let Some(file) = &args.write_deviations
        && let Err(e) = cogbench::files::check_writable(file, "--write-deviations")
    {
        return bad(e);
    }
    let oracle = match &args.oracle {
        None => None,
        Some(file) => match cogbench::oracle::Snapshot::load(file) {
            Ok(s) => Some((file.clone(), s)),
            Err(e) => return bad(e),
        },
    };
    let (plan, mut opts) = match prepare(&args.common) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some((file, snapshot)) = &oracle
        && snapshot.header.partial
    {
        errln!(
            "cogbench: warning: {} is the snapshot of a recording that did not finish: the cases it lacks are judged by the catalog",
            file.display()
        );
    }
    if let Some((file, snapshot)) = &oracle
        && snapshot.header.catalog_sha256 != plan.catalog.sha256()
    {
        errln!(
            "cogbench: warning: {} was recorded with another catalog than this run's (cogbench {}): where the snapshot holds a case it judges it, but the case's request may have changed since",
            file.display(),
            snapshot.header.cogbench_version
        );
    }
    let target_label = plan.target.kind().to_owned();
    let races: Vec<String> = plan
        .catalog
        .cases
        .iter()
        .filter(|c| c.repeat.is_some_and(|r| r.concurrent))
        .map(|c| c.id.clone())
        .collect();
    opts.known_deviations = known_deviations;
    opts.oracle = oracle;
    opts.fail_on = (!args.fail_on.is_empty()).then(|| args.fail_on.clone());
    opts.interrupts = Some(interrupts);
    let verbose = args.common.verbose;
    let debug = args.common.global.debug;
    match run(plan, opts).await {
        Ok(mut outcome) => {
            if debug {
                for c in &outcome.summary.cases {
                    if let Some(sample) = &c.sample {
                        errln!("cogbench: debug: {} answered {sample:?}", c.name);
                    }
                }
            }
            let summary = serde_json::to_value(&outcome.summary).expect("the summary serialises");
            match (&query, args.print.output) {
                (Some(q), _) => match q.search(&summary) {
                    Ok(v) => out_json(&format!(
                        "{}\n",
                        serde_json::to_string_pretty(&v).expect("JSON serialises")
                    )),
                    Err(e) => errln!("cogbench: error: --query: {e}"),
                },
                (None, Output::Json) => out_json(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&summary).expect("JSON serialises")
                )),
                (None, Output::Table) => {
                    out(&cogbench::report::table::render_with(
                        &outcome.summary,
                        verbose,
                    ));
                    out(&format!("reports: {}\n", outcome.report_dir.display()));
                }
            }
            if let Some(file) = &args.write_deviations {
                let command: Vec<String> = std::env::args().collect();
                let list = cogbench::deviations::from_summary(
                    &outcome.summary,
                    &target_label,
                    &command.join(" "),
                    &|id| races.iter().any(|r| r == id),
                );
                if let Err(e) = std::fs::write(file, cogbench::deviations::render(&list)) {
                    errln!("cogbench: error: writing {}: {e}", file.display());
                    settle(&mut outcome, EXIT_FAILED);
                    return EXIT_FAILED;
                }
                out(&format!(
                    "deviations: {} written to {}\n",
                    list.deviations.len(),
                    file.display()
                ));
            }
            outcome.exit_code
        }
        Err(e) => {
            errln!("cogbench: error: {e}");
            e.exit_code()
        }
    }
}

/// `record`: a run whose answers become a snapshot. The catalog's verdicts are printed for
/// information; the exit code says whether the recording is whole.
async fn cmd_record(args: RecordArgs, interrupts: Interrupts) -> i32 {
    // `run`'s --output is a format; here it is the snapshot file.
    if ["table", "json", "text"].contains(&args.output.to_string_lossy().as_ref()) {
        errln!(
            "cogbench: error: --output names the snapshot file here (`--output {}.json`?); the verdict table is always printed",
            args.output.display()
        );
        return EXIT_BAD_INPUT;
    }
    if let Err(e) = cogbench::files::check_writable(&args.output, "--output") {
        errln!("cogbench: error: {e}");
        return EXIT_BAD_INPUT;
    }
    let (plan, mut opts) = match prepare(&args.common) {
        Ok(p) => p,
        Err(code) => return code,
    };
    opts.record = Some(args.output.clone());
    opts.interrupts = Some(interrupts);
    let verbose = args.common.verbose;
    match run(plan, opts).await {
        Ok(mut outcome) => {
            let s = &outcome.summary;
            out(&cogbench::report::table::render_with(s, verbose));
            out(&format!("reports: {}\n", outcome.report_dir.display()));
            let judged = s.cases.iter().filter(|c| !c.answers.is_empty()).count();
            out(&format!(
                "snapshot: {judged} cases recorded ({} skipped) in {}{}\n",
                s.cases.len() - judged,
                args.output.display(),
                if s.partial { ", marked partial" } else { "" }
            ));
            out(
                "(the verdicts above are the catalog's, for information: a recording's exit code says only whether it is whole and clean)\n",
            );
            let problems =
                cogbench::oracle::record::recording_problems(s, args.accept_server_errors);
            if !problems.is_empty() {
                errln!(
                    "cogbench: the recording is not clean, so its snapshot is not ground truth as it stands (record again, or review it before judging by it):"
                );
                for p in &problems {
                    errln!("  {p}");
                }
            }
            let code = if s.interrupted {
                EXIT_INTERRUPTED
            } else if s.partial || !problems.is_empty() {
                EXIT_FAILED
            } else {
                0
            };
            settle(&mut outcome, code);
            code
        }
        Err(e) => {
            errln!("cogbench: error: {e}");
            e.exit_code()
        }
    }
}

fn cmd_oracle(command: OracleCommand) -> i32 {
    let OracleCommand::Check(args) = command;
    let snapshot = match cogbench::oracle::Snapshot::load(&args.snapshot) {
        Ok(s) => s,
        Err(e) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let catalog = match &args.scenario {
        None => Catalog::builtin(),
        Some(file) => {
            match scenario::load(file, Arc::new(Catalog::builtin()), &Overrides::default()) {
                Ok(plan) => (*plan.catalog).clone(),
                Err(e) => {
                    errln!("cogbench: error: {e}");
                    return EXIT_BAD_INPUT;
                }
            }
        }
    };
    let report =
        cogbench::oracle::check::check(&snapshot, &args.snapshot.display().to_string(), &catalog);
    match args.output {
        Output::Table => out(&cogbench::oracle::check::render(&report)),
        Output::Json => out_json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("the report serialises")
        )),
    }
    report.exit_code()
}

async fn cmd_provision(args: cogbench::cli::ProvisionArgs, interrupts: Interrupts) -> i32 {
    let opts = cogbench::provision::Options {
        scenario: args.scenario,
        users: args.users,
        output: args.output,
        overrides: Overrides {
            target_kind: args.target_kind,
            data_dir: args.data_dir,
            ..target_overrides(args.endpoint_url.as_deref(), None)
        },
        create_pool: args.create_pool,
        progress: args.progress != ProgressArg::Quiet,
        interrupts: Some(interrupts),
    };
    let quiet = !opts.progress;
    let done = cogbench::provision::provision(opts).await;
    match done {
        Ok(done) => {
            if let Some((pool, client)) = &done.created {
                outln!("# the pool and app client created; name them in the scenario:");
                outln!("pool:\n  existing: {{id: {pool}, client_id: {client}}}");
            }
            let coded = done.rows.iter().filter(|r| !r.code.is_empty()).count();
            if quiet {
                return 0;
            }
            errln!(
                "cogbench provision: {} users written to {} ({coded} with a code; codes: {})",
                done.rows.len(),
                done.file.display(),
                done.codes
            );
            if coded == 0 {
                errln!(
                    "cogbench provision: the target gives no codes, so the code column is empty: fill it in (from the emails), or `run` skips the cases that need a code"
                );
            }
            0
        }
        Err(e) => {
            errln!("cogbench: error: {e}");
            e.exit_code()
        }
    }
}

fn cmd_compare(args: &cogbench::cli::CompareArgs) -> i32 {
    let limits = (
        args.max_p99_increase,
        args.min_p99_change_ms,
        args.max_throughput_drop,
    );
    for (flag, v) in [
        ("--max-p99-increase", args.max_p99_increase),
        ("--min-p99-change-ms", args.min_p99_change_ms),
        ("--max-throughput-drop", args.max_throughput_drop),
    ] {
        if v.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
            errln!("cogbench: error: {flag}: a number of 0 or more");
            return EXIT_BAD_INPUT;
        }
    }
    match cogbench::compare::compare(&args.baseline, &args.current, limits) {
        Ok(c) => {
            match args.output {
                Output::Table => out(&cogbench::compare::render(&c)),
                Output::Json => out_json(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&c).expect("the comparison serialises")
                )),
            }
            if c.regressed { EXIT_FAILED } else { 0 }
        }
        Err(e) => {
            errln!("cogbench: error: {e}");
            EXIT_BAD_INPUT
        }
    }
}

fn cmd_merge(args: &cogbench::cli::MergeArgs) -> i32 {
    let known_deviations = match &args.known_deviations {
        None => None,
        Some(file) => match cogbench::deviations::load(file) {
            Ok(list) => Some((file.clone(), list)),
            Err(e) => {
                errln!("cogbench: error: {e}");
                return EXIT_BAD_INPUT;
            }
        },
    };
    let merged = match cogbench::merge::merge(&args.run_dirs, known_deviations.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    for w in &merged.warnings {
        errln!("cogbench: warning: {w}");
    }
    if let Err(e) = cogbench::merge::write(&merged, &args.output_dir) {
        errln!(
            "cogbench: error: writing reports to {}: {e}",
            args.output_dir.display()
        );
        return EXIT_FAILED;
    }
    match args.output {
        Output::Json => out_json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&merged.summary).expect("the summary serialises")
        )),
        Output::Table => {
            out(&cogbench::report::table::render(&merged.summary));
            outln!("reports: {}", args.output_dir.display());
        }
    }
    merged.summary.exit_code
}

fn cmd_report(run_dir: &std::path::Path, formats: &[String], out: Option<&std::path::Path>) -> i32 {
    use cogbench::report::export::{Format, read_summary};
    let formats: Vec<Format> = match formats.iter().map(|f| Format::parse(f)).collect() {
        Ok(f) => f,
        Err(e) => {
            errln!("cogbench: error: --format: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let (file, summary) = match read_summary(run_dir) {
        Ok(s) => s,
        Err(e) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    // Every format reads it as the typed summary: one that does not fit is bad input.
    if let Err(e) = <cogbench::report::Summary as serde::Deserialize>::deserialize(&summary) {
        errln!(
            "cogbench: error: {}: not a summary cogbench can report: {e}",
            file.display()
        );
        return EXIT_BAD_INPUT;
    }
    let dir = out.map(std::path::Path::to_path_buf).unwrap_or_else(|| {
        file.parent()
            .unwrap_or(std::path::Path::new("."))
            .to_path_buf()
    });
    if let Err(e) = std::fs::create_dir_all(&dir) {
        errln!("cogbench: error: {}: {e}", dir.display());
        return EXIT_FAILED;
    }
    for f in formats {
        match cogbench::report::write::export(f, &summary, &dir) {
            Ok(files) => {
                for p in files {
                    outln!("{}", p.display());
                }
            }
            Err(e) => {
                errln!("cogbench: error: writing the {} report: {e}", f.name());
                return EXIT_FAILED;
            }
        }
    }
    0
}

async fn cmd_bench(mut args: cogbench::cli::BenchArgs, interrupts: Interrupts) -> i32 {
    let environment = target_overrides(args.endpoint_url.as_deref(), Some(&args.global));
    // The endpoint is the scenario's (which --print-scenario shows), wherever it was given.
    args.endpoint_url.clone_from(&environment.endpoint_url);
    if let Some(url) = &args.endpoint_url
        && let Err(e) = scenario::check_endpoint(url)
    {
        errln!("cogbench: error: --endpoint-url: {e}");
        return EXIT_BAD_INPUT;
    }
    if args.print_scenario {
        out(&cogbench::bench::scenario_text(&args));
        return 0;
    }
    let overrides = match (|| -> Result<Overrides, String> {
        Ok(Overrides {
            target_kind: args.target_kind.clone(),
            connect_timeout: seconds("--cli-connect-timeout", args.cli_connect_timeout)?,
            read_timeout: seconds("--cli-read-timeout", args.cli_read_timeout)?,
            ..environment
        })
    })() {
        Ok(o) => o,
        Err(e) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let plan = match cogbench::bench::plan(&args, &overrides) {
        Ok(p) => p,
        Err(e) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let grace_period = match grace(args.grace_period) {
        Ok(g) => g,
        Err(e) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let opts = RunOptions {
        grace_period,
        output_dir: args.output_dir,
        progress: args.progress.into(),
        interrupts: Some(interrupts),
        ..RunOptions::default()
    };
    match run(plan, opts).await {
        Ok(outcome) => {
            out(&cogbench::report::table::render(&outcome.summary));
            outln!("reports: {}", outcome.report_dir.display());
            outcome.exit_code
        }
        Err(e) => {
            errln!("cogbench: error: {e}");
            e.exit_code()
        }
    }
}

async fn cmd_diff(args: cogbench::cli::DiffArgs, interrupts: Interrupts) -> i32 {
    use cogbench::diff;
    let catalog = Arc::new(Catalog::builtin());
    // Each side's scenario names its own target: the environment's endpoint would make both
    // the same one.
    let environment = Overrides {
        endpoint_url: None,
        ..target_overrides(None, Some(&args.global))
    };
    let right = match scenario::load(&args.right, catalog.clone(), &environment) {
        Ok(p) => p,
        Err(e) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    // LEFT's catalog, mix and phases, once with its own target and once with RIGHT's.
    let left_overrides = Overrides {
        cases: args.cases.clone(),
        ..environment.clone()
    };
    let right_overrides = Overrides {
        cases: args.cases.clone(),
        target: Some(right.target.clone()),
        ..environment
    };
    let plans = (
        scenario::load(&args.left, catalog.clone(), &left_overrides),
        scenario::load(&args.left, catalog, &right_overrides),
    );
    let (left_plan, right_plan) = match plans {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), _) | (_, Err(e)) => {
            errln!("cogbench: error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let dir = args.output_dir.clone().unwrap_or_else(|| {
        std::path::PathBuf::from("reports")
            .join(format!("diff-{}-{}", left_plan.name, right.name))
            .join(cogbench::report::compact_utc(std::time::SystemTime::now()))
    });
    // Both runs and diff.json go there: a folder that cannot be made is found before either run.
    if let Err(e) = cogbench::files::check_dir_writable(&dir, "--output-dir") {
        errln!("cogbench: error: {e}");
        return EXIT_BAD_INPUT;
    }
    let mut summaries = Vec::new();
    for (plan, side) in [(left_plan, "left"), (right_plan, "right")] {
        let opts = RunOptions {
            output_dir: Some(dir.join(side)),
            progress: progress::Mode::Quiet,
            interrupts: Some(interrupts.clone()),
            ..RunOptions::default()
        };
        let target = plan.target.kind().to_owned();
        match run(plan, opts).await {
            Ok(outcome) if outcome.summary.interrupted => {
                errln!(
                    "cogbench: interrupted during the {side} run; its partial reports are in {} (no diff)",
                    outcome.report_dir.display()
                );
                return EXIT_INTERRUPTED;
            }
            Ok(outcome) => summaries.push((outcome, target)),
            Err(e) => {
                errln!("cogbench: error ({side}): {e}");
                return e.exit_code();
            }
        }
    }
    let side = |(o, target): &(cogbench::run::RunOutcome, String), scenario: &std::path::Path| {
        diff::Side {
            scenario: scenario.display().to_string(),
            target: target.clone(),
            endpoint: o.summary.target.endpoint.clone(),
            report: o.report_dir.display().to_string(),
        }
    };
    let result = diff::compare(
        &summaries[0].0.summary,
        &summaries[1].0.summary,
        (
            side(&summaries[0], &args.left),
            side(&summaries[1], &args.right),
        ),
    );
    out(&diff::render(&result));
    let json = serde_json::to_vec_pretty(&result).expect("the diff serialises");
    if let Err(e) = cogbench::report::json::write_atomic(&dir.join("diff.json"), &json) {
        errln!(
            "cogbench: error: writing {}: {e}",
            dir.join("diff.json").display()
        );
        return EXIT_FAILED;
    }
    outln!("diff: {}", dir.join("diff.json").display());
    if args.fail_on_difference && !result.differences.is_empty() {
        EXIT_FAILED
    } else {
        0
    }
}

fn cmd_validate(files: &[std::path::PathBuf]) -> i32 {
    let catalog = Arc::new(Catalog::builtin());
    let mut code = 0;
    for file in files {
        match scenario::load(file, catalog.clone(), &Overrides::default()) {
            Ok(plan) => {
                let cycle: u64 = plan
                    .mix
                    .iter()
                    .filter(|m| m.skip.is_none())
                    .map(|m| u64::from(m.weight))
                    .sum();
                let bound: Option<u64> = plan
                    .phases
                    .iter()
                    .map(|p| scenario::phase_starts(p, cycle))
                    .sum();
                let skipped = plan.mix.iter().filter(|m| m.skip.is_some()).count();
                let users = match &plan.main_pool().pool.existing {
                    Some(e) => format!(
                        "{} listed users of existing pool {}",
                        plan.main_pool().users.listed.len(),
                        e.id
                    ),
                    None => format!("{} users to provision", plan.total_signups()),
                };
                outln!(
                    "ok {}: {} cases ({} skipped on this target), {} phases, {}, {users}",
                    file.display(),
                    plan.mix.len(),
                    skipped,
                    plan.phases.len(),
                    bound.map_or("starts bounded by time".to_owned(), |b| format!(
                        "up to {b} starts (a group case sends several requests per start)"
                    )),
                );
            }
            Err(e) => {
                errln!("cogbench: error: {e}");
                code = EXIT_BAD_INPUT;
            }
        }
    }
    code
}

async fn cmd_emulator(
    host: &str,
    port: u16,
    region: String,
    attempt_limit: u32,
    faults: &[String],
    interrupts: Interrupts,
) -> i32 {
    let faults = if faults.is_empty() {
        None
    } else {
        match cogbench::emulator::Faults::parse(faults.iter().map(String::as_str)) {
            Ok(f) => Some(f),
            Err(e) => {
                errln!("cogbench: error: --faults: {e}");
                return EXIT_BAD_INPUT;
            }
        }
    };
    let listener = match tokio::net::TcpListener::bind((host, port)).await {
        Ok(l) => l,
        Err(e) => {
            errln!("cogbench: error: cannot listen on {host}:{port}: {e}");
            return EXIT_TARGET;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let faults_note = faults
        .as_ref()
        .map_or(String::new(), |f| format!(", faults {f}"));
    errln!(
        "cogbench emulator: listening on http://{addr} (region {region}{faults_note}); Ctrl-C stops it"
    );
    let config = cogbench::emulator::EmulatorConfig {
        region,
        attempt_limit,
        faults,
        ..Default::default()
    };
    let shutdown = async move { interrupts.nth(1).await };
    match cogbench::emulator::serve(config, listener, shutdown).await {
        // Stopping is what Ctrl-C and SIGTERM are for here; 130 says how it ended.
        Ok(()) => EXIT_INTERRUPTED,
        Err(e) => {
            errln!("cogbench: error: emulator stopped: {e}");
            EXIT_FAILED
        }
    }
}

fn cmd_cases(output: Output) -> i32 {
    let catalog = Catalog::builtin();
    match output {
        Output::Json => {
            let items: Vec<_> = catalog
                .cases
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id,
                        "title": c.title,
                        "checks": c.checks,
                        "spec": c.spec,
                        "needs": c.needs().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
                        "wants": c.wants().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
                        "requires": c.requires.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                        "confidence": c.confidence.as_str(),
                        "note": c.note,
                    })
                })
                .collect();
            out_json(&format!(
                "{}\n",
                serde_json::to_string_pretty(&items).expect("JSON")
            ));
        }
        Output::Table => {
            let w = catalog.cases.iter().map(|c| c.id.len()).max().unwrap_or(2);
            outln!(
                "{:<w$}  {:<10}  {:<34}  {:<26}  title",
                "id",
                "confidence",
                "spec",
                "needs"
            );
            for c in &catalog.cases {
                let needs: Vec<_> = c
                    .needs()
                    .iter()
                    .chain(c.wants().iter())
                    .map(|n| n.as_str())
                    .collect();
                outln!(
                    "{:<w$}  {:<10}  {:<34}  {:<26}  {}",
                    c.id,
                    c.confidence.as_str(),
                    c.spec,
                    needs.join(","),
                    c.title
                );
            }
            outln!(
                "\n{} cases; `cogbench cases --output json` gives what each checks.",
                catalog.cases.len()
            );
        }
    }
    0
}
