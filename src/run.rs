//! One run, start to end: target, fixtures, engine, summary, reports, gate.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

mod drive;
mod setup;
mod start;

use drive::never_connected;
use setup::{Stopped, delete_pools};

use crate::gate::{self, Merged};
use crate::interrupt::Interrupts;
use crate::oracle::apply::apply_oracle;
use crate::progress;
use crate::report::export::Format;
use crate::report::write::{check_report_files, write_reports};
use crate::scenario::Plan;
use crate::summary::build::{summarize, target_info};
use crate::summary::types::Summary;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Where the reports go; default `reports/<scenario>/<UTC timestamp>/`.
    pub output_dir: Option<PathBuf>,
    pub reports_root: PathBuf,
    pub progress: progress::Mode,
    /// Listen for Ctrl-C / SIGTERM (off in tests that run several runs in one process).
    pub handle_signals: bool,
    /// `--known-deviations`: the run passes when its failures are exactly these.
    pub known_deviations: Option<(PathBuf, crate::deviations::KnownDeviations)>,
    /// After Ctrl-C or SIGTERM, how long requests in flight may take to finish.
    pub grace_period: std::time::Duration,
    /// `--oracle`: a snapshot whose recorded answers judge the cases it holds.
    pub oracle: Option<(PathBuf, crate::oracle::Snapshot)>,
    /// `cogbench record`: where the snapshot of this run's answers goes.
    pub record: Option<PathBuf>,
    /// `--fail-on`: only failures of cases at these confidence levels fail the run.
    pub fail_on: Option<Vec<String>>,
    /// The command's interrupts, listened for since it started; `None`: the run listens
    /// itself when `handle_signals` says so.
    pub interrupts: Option<Interrupts>,
    /// `--start-at`: the load waits for this instant once the set-up is done.
    pub start_at: Option<SystemTime>,
    /// `--metrics-listen`: the live metrics' feed, given the engine once it is built and the
    /// summary once the run has ended.
    pub live_metrics: Option<crate::live_metrics::Feed>,
}

/// As the AWS SDKs' default read timeout is far longer, a bound of our own: long enough for a
/// slow answer, short enough that an interrupted run ends promptly.
pub const DEFAULT_GRACE_PERIOD: std::time::Duration = std::time::Duration::from_secs(10);

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            output_dir: None,
            reports_root: PathBuf::from("reports"),
            progress: progress::Mode::Auto,
            handle_signals: true,
            known_deviations: None,
            grace_period: DEFAULT_GRACE_PERIOD,
            oracle: None,
            record: None,
            fail_on: None,
            interrupts: None,
            start_at: None,
            live_metrics: None,
        }
    }
}

#[derive(Debug)]
pub struct RunOutcome {
    pub summary: Summary,
    pub report_dir: PathBuf,
    pub exit_code: i32,
    /// The formats written to `report_dir`.
    pub formats: Vec<Format>,
}

impl RunOutcome {
    /// The command ends with `code` after all (an output written after the run failed, or
    /// the command judges the run its own way): the reports are written again, so that
    /// summary.json's exit code is the process's.
    pub fn settle_exit_code(&mut self, code: i32) -> std::io::Result<()> {
        if self.summary.exit_code == code {
            return Ok(());
        }
        self.summary.exit_code = code;
        self.exit_code = code;
        write_reports(&self.summary, &self.report_dir, &self.formats)
    }
}

/// Set-up failures: the target could not be reached or provisioned (exit 3), or reports
/// could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Target(String),
    #[error("writing reports to {dir}: {source}")]
    Reports {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("writing the snapshot {file}: {source}")]
    Snapshot {
        file: PathBuf,
        source: std::io::Error,
    },
    /// An output that could not be written, found before anything was sent.
    #[error("{0}")]
    Output(String),
    /// Credentials were configured but could not be loaded, and the target is an AWS endpoint.
    #[error(transparent)]
    Credentials(#[from] crate::target::CredentialsLoadError),
}

pub async fn run(plan: Plan, opts: RunOptions) -> Result<RunOutcome, RunError> {
    let plan = Arc::new(plan);
    let started_at = SystemTime::now();
    let report_dir = opts.output_dir.clone().unwrap_or_else(|| {
        opts.reports_root
            .join(&plan.name)
            .join(crate::time::compact_utc(started_at))
    });

    // Found now, not after the load: the reports of a whole run would be lost.
    let what = if opts.output_dir.is_some() {
        "--output-dir"
    } else {
        "the reports folder"
    };
    crate::files::check_dir_writable(&report_dir, what).map_err(RunError::Output)?;
    check_report_files(&report_dir, &plan.reports).map_err(RunError::Output)?;
    let quiet = opts.progress == progress::Mode::Quiet;
    let interrupts = match (&opts.interrupts, opts.handle_signals) {
        (Some(i), _) => i.clone(),
        (None, true) => Interrupts::listen(),
        (None, false) => Interrupts::never(),
    };
    let snapshot = opts.oracle.as_ref().map(|(_, snapshot)| snapshot);
    let set_up = setup::set_up(
        &plan,
        snapshot,
        opts.record.is_some(),
        quiet,
        opts.start_at,
        &interrupts,
    );
    let setup::Ready {
        target,
        api,
        pool_ids,
        engine,
        oracle_notes,
        load_started_at,
        start_late_ms,
    } = match set_up.await {
        Ok(ready) => ready,
        Err(Stopped::Target(e)) => return Err(RunError::Target(e)),
        Err(Stopped::Credentials(e)) => return Err(e.into()),
        Err(Stopped::Interrupted { during, target }) => {
            let ctx = SetupCtx {
                plan: &plan,
                opts: &opts,
                started_at,
                report_dir: &report_dir,
            };
            return ctx.interrupted(during, target);
        }
    };
    if let Some(feed) = &opts.live_metrics {
        feed.attach(&engine);
    }
    let (phases, interrupted) = drive::drive(
        &plan,
        &engine,
        &interrupts,
        opts.progress,
        opts.grace_period,
        &report_dir,
        started_at,
    )
    .await;
    delete_pools(&plan, &api, pool_ids.iter().map(String::as_str)).await;

    let finished_at = SystemTime::now();
    let mut summary = summarize(
        &plan,
        &engine,
        target_info(&target),
        phases,
        started_at,
        finished_at,
        interrupted.then_some("load"),
    );
    if let Some((file, snapshot)) = &opts.oracle {
        apply_oracle(
            &mut summary,
            file,
            snapshot,
            plan.catalog.sha256(),
            &oracle_notes,
        );
    }
    summary.fail_on = opts.fail_on.clone();
    summary.load_started_at = Some(crate::time::rfc3339_utc_micros(load_started_at));
    summary.start_at = opts.start_at.map(crate::time::rfc3339_utc_micros);
    summary.start_late_ms = start_late_ms;
    summary.interrupted = interrupted;
    summary.interrupted_during = interrupted.then(|| "load".to_owned());
    summary.aborted = engine.abort_reason().map(str::to_owned);
    summary.partial = interrupted || summary.aborted.is_some();
    // Said on stderr too, whatever --output and --progress: with `--output json` or a
    // --query nothing else would tell the person watching why requests failed.
    for e in &summary.transport_errors {
        crate::errln!("cogbench: warning: transport errors: {}", e.line());
    }
    let histograms: Vec<(String, Merged)> = engine
        .cases()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (response, service) = engine.recorder.latencies(i);
            (c.id.clone(), Merged { response, service })
        })
        .collect();
    conclude(
        &mut summary,
        &plan.thresholds,
        opts.known_deviations.as_ref(),
        &histograms,
    );
    never_connected(
        &mut summary,
        &engine,
        &crate::term::redact_url(&target.endpoint),
    );
    target.stop().await;

    // A run that asked for interval logs and lost some of them has failed to write its
    // reports, as one that could not write summary.json has; summary.json says so.
    let intervals = engine.recorder.finish_intervals();
    if intervals.is_err() {
        summary.exit_code = crate::exit_codes::EXIT_FAILED;
    }
    // The snapshot before the reports: if it cannot be written, summary.json says exit 1.
    let snapshot = opts.record.as_ref().map(|file| {
        crate::oracle::Snapshot::from_summary(&summary, &plan.region)
            .write(file)
            .map_err(|source| RunError::Snapshot {
                file: file.clone(),
                source,
            })
    });
    if let Some(Err(_)) = &snapshot {
        summary.exit_code = crate::exit_codes::EXIT_FAILED;
    }
    if let Some(feed) = &opts.live_metrics {
        feed.finish(&summary);
    }
    write_reports(&summary, &report_dir, &plan.reports).map_err(|source| RunError::Reports {
        dir: report_dir.clone(),
        source,
    })?;
    intervals.map_err(|e| RunError::Reports {
        dir: report_dir.clone(),
        source: std::io::Error::other(e),
    })?;
    snapshot.transpose()?;
    Ok(RunOutcome {
        exit_code: summary.exit_code,
        summary,
        report_dir,
        formats: plan.reports.clone(),
    })
}

/// What an interrupted set-up needs to write its partial reports.
struct SetupCtx<'a> {
    plan: &'a Arc<Plan>,
    opts: &'a RunOptions,
    started_at: SystemTime,
    report_dir: &'a PathBuf,
}

impl SetupCtx<'_> {
    /// The reports of a run interrupted during its set-up (`during`): nothing was sent, every
    /// case says why, and the exit code is 130. `target` is `None` when it never started.
    fn interrupted(
        &self,
        during: &str,
        target: Option<crate::summary::types::TargetInfo>,
    ) -> Result<RunOutcome, RunError> {
        let plan = self.plan;
        let target = target.unwrap_or_else(|| crate::summary::types::TargetInfo {
            kind: plan.target.kind().to_owned(),
            endpoint: plan
                .target
                .endpoint
                .clone()
                .unwrap_or_else(|| "(the embedded emulator, not started)".into()),
            capabilities: Vec::new(),
        });
        let engine = setup::never_run(plan).map_err(RunError::Target)?;
        let mut summary = summarize(
            plan,
            &engine,
            target,
            Vec::new(),
            self.started_at,
            SystemTime::now(),
            Some(during),
        );
        summary.fail_on = self.opts.fail_on.clone();
        summary.start_at = self.opts.start_at.map(crate::time::rfc3339_utc_micros);
        summary.interrupted = true;
        summary.interrupted_during = Some(during.to_owned());
        summary.partial = true;
        conclude(
            &mut summary,
            &plan.thresholds,
            self.opts.known_deviations.as_ref(),
            &[],
        );
        write_reports(&summary, self.report_dir, &plan.reports).map_err(|source| {
            RunError::Reports {
                dir: self.report_dir.clone(),
                source,
            }
        })?;
        Ok(RunOutcome {
            exit_code: summary.exit_code,
            summary,
            report_dir: self.report_dir.clone(),
            formats: plan.reports.clone(),
        })
    }
}

/// Each report file already in the folder can be replaced (not a folder, say), so that a
/// whole run's load is not lost to it at the end.
/// The gate over a finished summary, for one run and for a merge of shard runs alike: the
/// known deviations, the thresholds (read on the histograms of the cases that ran, `(id,
/// histograms)`, and on their sum) and the exit code.
pub fn conclude(
    summary: &mut Summary,
    thresholds: &[crate::scenario::Threshold],
    known_deviations: Option<&(PathBuf, crate::deviations::KnownDeviations)>,
    histograms: &[(String, Merged)],
) {
    if let Some((file, list)) = known_deviations {
        summary.deviations = Some(crate::deviations::check(list, file, summary));
    }
    let mut all = Merged::default();
    for (_, h) in histograms {
        let _ = all.response.add(&h.response);
        let _ = all.service.add(&h.service);
    }
    summary.thresholds = gate::evaluate(thresholds, summary, &all, &|id| {
        histograms
            .iter()
            .find(|(name, _)| name == id)
            .map(|(_, h)| h.clone())
    });
    summary.exit_code = gate::exit_code(summary);
}
