//! `run` and `record`: the scenario's plan with every override applied, and the run's options.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use super::start_at::start_at;
use super::target::{grace, target_overrides, with_timeouts};
use crate::awscli::query::Query;
use crate::cases::Catalog;
use crate::cli::{MetricsArgs, Output, PrintArgs, RecordArgs, RunArgs, RunCommon};
use crate::env::Env;
use crate::exit::Failure;
use crate::report::export::Format;
use crate::run::RunOptions;
use crate::scenario::{self, Overrides, Plan};

/// A run, ready to start: nothing was sent to get here.
#[derive(Debug)]
pub struct RunInputs {
    pub plan: Plan,
    pub options: RunOptions,
    pub printing: Printing,
    /// `--write-deviations`: checked writable.
    pub write_deviations: Option<PathBuf>,
    /// `--metrics-listen` and `--metrics-linger`.
    pub metrics: Option<MetricsListen>,
}

/// Where the live metrics are served, and how long the final figures wait for a scrape.
#[derive(Debug, Clone, Copy)]
pub struct MetricsListen {
    pub addr: std::net::SocketAddr,
    pub linger: std::time::Duration,
}

pub(super) fn metrics_listen(args: &MetricsArgs) -> Result<Option<MetricsListen>, Failure> {
    let Some(addr) = args.metrics_listen else {
        return Ok(None);
    };
    let linger = match &args.metrics_linger {
        None => crate::live_metrics::DEFAULT_LINGER,
        Some(d) => crate::scenario::units::parse_duration(d)
            .map_err(|e| Failure::BadInput(format!("--metrics-linger: {e}")))?,
    };
    Ok(Some(MetricsListen { addr, linger }))
}

/// How the command prints its result.
#[derive(Debug)]
pub struct Printing {
    pub output: Output,
    pub query: Option<Query>,
    /// `-v`: notes in full in the verdict table.
    pub verbose: bool,
    /// `--debug`: the plan before, each case's first answer after.
    pub debug: bool,
}

/// The confidence levels `--fail-on` names.
const LEVELS: [&str; 4] = ["documented", "observed", "inferred", "recorded"];

/// `run`'s inputs. They are all read before the scenario's plan: nothing reaches a target
/// until every one of them is valid.
/// `--output` and `--query` (compiled: a bad query is refused before anything is sent),
/// `-v` and `--debug`, as `run` and `bench` read them.
pub(super) fn printing(print: &PrintArgs, verbose: bool, debug: bool) -> Result<Printing, Failure> {
    let query = print
        .query
        .as_deref()
        .map(Query::compile)
        .transpose()
        .map_err(|e| Failure::BadInput(format!("--query: {e}")))?;
    Ok(Printing {
        output: print.output,
        query,
        verbose,
        debug,
    })
}

pub fn run(args: &RunArgs, env: &dyn Env) -> Result<RunInputs, Failure> {
    // Read first: `--start-at +3s` given to several shards at once means the same instant to
    // each, however long each takes to read its files.
    let start_at = start_at(args.common.start_at.as_deref(), SystemTime::now())?;
    let printing = printing(&args.print, args.common.verbose, args.common.global.debug)?;
    if let Some(level) = args.fail_on.iter().find(|l| !LEVELS.contains(&l.as_str())) {
        return Err(Failure::BadInput(format!(
            "--fail-on: `{level}` is not a confidence level (expected some of {})",
            LEVELS.join(", ")
        )));
    }
    let known_deviations = match &args.known_deviations {
        None => None,
        Some(file) => Some((
            file.clone(),
            crate::deviations::load(file).map_err(|e| Failure::BadInput(e.to_string()))?,
        )),
    };
    if let Some(file) = &args.write_deviations {
        crate::files::check_writable(file, "--write-deviations").map_err(Failure::BadInput)?;
    }
    let oracle = match &args.oracle {
        None => None,
        Some(file) => Some((
            file.clone(),
            crate::oracle::Snapshot::load(file).map_err(Failure::BadInput)?,
        )),
    };
    let (plan, mut options) = common(&args.common, env, start_at)?;
    options.known_deviations = known_deviations;
    options.oracle = oracle;
    options.fail_on = (!args.fail_on.is_empty()).then(|| args.fail_on.clone());
    Ok(RunInputs {
        plan,
        options,
        printing,
        write_deviations: args.write_deviations.clone(),
        metrics: metrics_listen(&args.common.metrics)?,
    })
}

/// `record`'s inputs: `--output` is the snapshot file here, checked writable first.
pub fn record(args: &RecordArgs, env: &dyn Env) -> Result<RunInputs, Failure> {
    let start_at = start_at(args.common.start_at.as_deref(), SystemTime::now())?;
    // `run`'s --output is a format; here it is the snapshot file.
    if ["table", "json", "text"].contains(&args.output.to_string_lossy().as_ref()) {
        return Err(Failure::BadInput(format!(
            "--output names the snapshot file here (`--output {}.json`?); the verdict table is always printed",
            args.output.display()
        )));
    }
    crate::files::check_writable(&args.output, "--output").map_err(Failure::BadInput)?;
    let (plan, mut options) = common(&args.common, env, start_at)?;
    options.record = Some(args.output.clone());
    Ok(RunInputs {
        plan,
        options,
        printing: Printing {
            output: Output::Table,
            query: None,
            verbose: args.common.verbose,
            debug: args.common.global.debug,
        },
        write_deviations: None,
        metrics: metrics_listen(&args.common.metrics)?,
    })
}

/// What `run` and `record` share: the plan with every override applied, and the run's
/// options; `start_at` is `--start-at`, read.
fn common(
    args: &RunCommon,
    env: &dyn Env,
    start_at: Option<SystemTime>,
) -> Result<(Plan, RunOptions), Failure> {
    let reports = args
        .reports
        .iter()
        .map(|f| Format::parse(f))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::BadInput(format!("--report: {e}")));
    let overrides = Overrides {
        data_dir: args.data_dir.clone(),
        allow_above_quota: args.allow_above_quota,
        shard: args.shard,
        cases: args.cases.clone(),
        duration: match &args.duration {
            None => None,
            Some(d) => Some(
                crate::scenario::units::parse_duration(d)
                    .map_err(|e| Failure::BadInput(format!("--duration: {e}")))?,
            ),
        },
        ..with_timeouts(
            target_overrides(&args.target, Some(&args.global), env),
            &args.timeouts,
        )?
    };
    let overrides = Overrides {
        reports: reports?,
        ..overrides
    };
    let mut plan = scenario::load(&args.file, Arc::new(Catalog::builtin()), &overrides)
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    if args.keep {
        for run in &mut plan.pools {
            run.pool.delete_after = false;
        }
    }
    let options = RunOptions {
        grace_period: grace(args.grace_period)?,
        output_dir: args.output_dir.clone(),
        progress: args.progress.into(),
        start_at,
        ..RunOptions::default()
    };
    Ok((plan, options))
}
