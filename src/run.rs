//! One run, start to end: target, fixtures, engine, summary, reports, gate.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::json;

mod drive;
mod setup;

use drive::never_connected;
use setup::{Stopped, delete_pools, target_info};

use crate::cases::Check;
use crate::engine::{Engine, PhaseOutcome};
use crate::gate::{self, Merged};
use crate::interrupt::Interrupts;
use crate::metrics::{CaseStats, Percentiles, new_histogram};
use crate::progress;
use crate::report::export::Format;
use crate::report::{self, CaseSummary, Conformance, Summary, Totals, Verdict};
use crate::scenario::{Load, Plan, Stop, units::format_duration};

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
            .join(report::compact_utc(started_at))
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
    let set_up = setup::set_up(&plan, snapshot, opts.record.is_some(), quiet, &interrupts);
    let setup::Ready {
        target,
        api,
        pool_ids,
        engine,
        oracle_notes,
        load_started_at,
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
    summary.load_started_at = Some(report::rfc3339_utc_millis(load_started_at));
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
            let s = engine.recorder.snapshot(i);
            let h = Merged {
                response: s.response,
                service: s.service,
            };
            (c.id.clone(), h)
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

    engine.recorder.finish_intervals();
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
        summary.exit_code = gate::EXIT_FAILED;
    }
    write_reports(&summary, &report_dir, &plan.reports).map_err(|source| RunError::Reports {
        dir: report_dir.clone(),
        source,
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
        target: Option<report::TargetInfo>,
    ) -> Result<RunOutcome, RunError> {
        let plan = self.plan;
        let target = target.unwrap_or_else(|| report::TargetInfo {
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
fn check_report_files(dir: &std::path::Path, formats: &[Format]) -> Result<(), String> {
    let names = std::iter::once(Format::Json)
        .chain(formats.iter().copied())
        .flat_map(Format::files);
    for name in names {
        let path = dir.join(name);
        if path.symlink_metadata().is_ok() {
            crate::files::check_writable(&path, "report file")?;
        }
    }
    Ok(())
}

/// summary.json first (the source of truth), then every other format from its content. The
/// interval logs (`hlog`) were streamed during the run.
pub fn write_reports(
    summary: &Summary,
    dir: &std::path::Path,
    formats: &[Format],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    report::json::write_atomic(&dir.join("summary.json"), &report::json::render(summary))?;
    let value = serde_json::to_value(summary).map_err(std::io::Error::other)?;
    for f in formats {
        if matches!(f, Format::Json | Format::Hlog) {
            continue;
        }
        f.exporter().export(&value, dir)?;
    }
    Ok(())
}

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

/// The run's totals from its cases and phases, with `response` and `service` the sums of
/// the cases' histograms. `sent`, `abandoned` and `unaccounted` are left to the caller.
pub fn totals_of(
    cases: &[CaseSummary],
    phases: &[PhaseOutcome],
    response: &hdrhistogram::Histogram<u64>,
    service: &hdrhistogram::Histogram<u64>,
) -> Totals {
    let mut totals = Totals {
        by_class: report::by_class(&[0; 6]),
        ..Totals::default()
    };
    for c in cases {
        for (class, n) in &c.by_class {
            *totals.by_class.entry(class).or_default() += n;
        }
    }
    totals.requests = totals.by_class.values().sum();
    totals.errors = cases.iter().map(|c| c.errors).sum();
    totals.error_rate = if totals.requests > 0 {
        totals.errors as f64 / totals.requests as f64
    } else {
        0.0
    };
    // Folded from 0.0: an empty f64 sum is -0.0, printed "-0.00s" when no phase ran.
    totals.duration_seconds = phases
        .iter()
        .map(|p| p.duration_seconds)
        .fold(0.0, |a, b| a + b);
    totals.requests_per_second = if totals.duration_seconds > 0.0 {
        totals.requests as f64 / totals.duration_seconds
    } else {
        0.0
    };
    totals.dropped = phases.iter().map(|p| p.dropped).sum();
    totals.retries = cases.iter().map(|c| c.retries).sum();
    totals.completed = totals.requests;
    totals.latency_us = Percentiles::of(response);
    totals.service_time_us = Percentiles::of(service);
    totals
}

/// Cases by verdict, and the answers judged.
pub fn conformance_of(cases: &[CaseSummary]) -> Conformance {
    let mut c = Conformance::default();
    for case in cases {
        match case.verdict {
            Verdict::Pass => c.passed += 1,
            Verdict::Fail => c.failed += 1,
            Verdict::Skipped => c.skipped += 1,
        }
        c.responses_judged += case.judged;
        c.responses_passed += case.passed_responses;
        c.responses_failed += case.failed_responses;
    }
    c
}

/// `interrupted_during`: the set-up step an interrupt stopped, which is why no case was sent.
fn summarize(
    plan: &Plan,
    engine: &Engine,
    target: report::TargetInfo,
    phases: Vec<PhaseOutcome>,
    started_at: SystemTime,
    finished_at: SystemTime,
    interrupted_during: Option<&str>,
) -> Summary {
    let mut cases = Vec::new();
    let (mut all_response, mut all_service) = (new_histogram(), new_histogram());
    let mut compiled_index = 0;
    let mut transport = [0; crate::engine::transport::Kind::COUNT];
    for m in &plan.mix {
        let case = &plan.catalog.cases[m.case];
        let stats = if m.skip.is_none() {
            let s = engine.recorder.snapshot(compiled_index);
            compiled_index += 1;
            s
        } else {
            CaseStats::default()
        };
        let _ = all_response.add(&stats.response);
        let _ = all_service.add(&stats.service);
        for (sum, n) in transport.iter_mut().zip(stats.transport) {
            *sum += n;
        }
        let v = &stats.verdicts;
        let (verdict, skip_reason, unjudged) = if let Some(reason) = &m.skip {
            (Verdict::Skipped, Some(reason.clone()), false)
        } else if v.failed > 0 {
            (Verdict::Fail, None, false)
        } else if let Some(shard) = plan.shard
            && v.judged == 0
            && stats.count() == 0
        {
            // A shard's part of the phases may hold none of a case: not a failure of the
            // target; the merge judges the case over every shard.
            let why = format!(
                "never sent by shard {shard}: its part of the phases did not come to this case (`cogbench merge` judges it over all the shards)"
            );
            (Verdict::Skipped, Some(why), false)
        } else if v.judged == 0
            && stats.count() == 0
            && let Some(during) = interrupted_during
        {
            // Not a failure of the target: the run never came to this case.
            let why = if during == "load" {
                "not sent: the run was interrupted before this case came up in the mix".to_owned()
            } else {
                format!("not sent: the run was interrupted during set-up ({during})")
            };
            (Verdict::Skipped, Some(why), false)
        } else if v.judged == 0 {
            let by_class = report::by_class(&stats.by_class);
            (Verdict::Skipped, Some(unjudged_reason(&by_class)), true)
        } else {
            (Verdict::Pass, None, false)
        };
        let (expected, observed) = match v.samples.first() {
            Some(first) => {
                let (e, o) = report::side_by_side(&first.differences);
                (Some(e), Some(o))
            }
            None => (None, None),
        };
        let judged_by_snapshot = m.skip.is_none()
            && engine.cases()[compiled_index.saturating_sub(1)].is_judged_by_snapshot();
        cases.push(CaseSummary {
            name: case.id.clone(),
            title: case.title.clone(),
            checks: case.checks.clone(),
            spec: case.spec.clone(),
            confidence: if judged_by_snapshot {
                "recorded"
            } else {
                case.confidence.as_str()
            },
            catalog_confidence: case.confidence.as_str().to_owned(),
            oracle: if judged_by_snapshot {
                "snapshot"
            } else {
                "catalog"
            }
            .to_owned(),
            oracle_note: None,
            note: case.note.clone(),
            verdict,
            by_check: Check::ALL
                .iter()
                .map(|&check| {
                    let judged = if check == Check::State {
                        v.post_checked
                    } else {
                        v.judged
                    };
                    check_verdict(check, judged, v.failed_by_check[check.index()])
                })
                .collect(),
            skip_reason,
            unjudged,
            count: stats.count(),
            errors: stats.errors(),
            retries: stats.retries,
            by_class: report::by_class(&stats.by_class),
            transport_errors: report::TransportErrors::of(&stats.transport, |_| None),
            judged: v.judged,
            passed_responses: v.passed,
            failed_responses: v.failed,
            postconditions_checked: v.post_checked,
            latency_us: Percentiles::of(&stats.response),
            service_time_us: Percentiles::of(&stats.service),
            expected,
            observed,
            failures: v.samples.iter().map(|s| s.differences.clone()).collect(),
            sample: stats.sample.clone(),
            race: report::RaceOutcome::of(&stats.patterns),
            answers: stats.answers.clone(),
            patterns: stats.patterns.clone(),
            states: stats.states.clone(),
            timeline: stats.timeline.clone(),
            histograms: (!stats.response.is_empty()).then(|| report::Histograms {
                response: crate::metrics::codec::encode(&stats.response),
                service: crate::metrics::codec::encode(&stats.service),
            }),
        });
    }
    let mut totals = totals_of(&cases, &phases, &all_response, &all_service);
    // Read after the cases' snapshots: a late answer can only make `sent` look covered.
    totals.sent = engine.sent.load(std::sync::atomic::Ordering::Relaxed);
    // Only an interrupt's grace period running out leaves requests behind on purpose; any
    // other gap between sent and recorded is a request the harness lost, and shows.
    totals.abandoned = if engine.was_abandoned() {
        totals.sent.saturating_sub(totals.completed)
    } else {
        0
    };
    totals.unaccounted = totals
        .sent
        .saturating_sub(totals.completed + totals.abandoned);

    let conformance = conformance_of(&cases);
    let coverage = coverage(plan, &cases);
    let timing = timing(&phases);
    Summary {
        schema_version: report::SCHEMA_VERSION,
        tool: report::Tool::default(),
        scenario: report::ScenarioInfo {
            name: plan.name.clone(),
            file: plan.file.display().to_string(),
            description: plan.description.clone(),
            catalog_sha256: plan.catalog.sha256().to_owned(),
        },
        plan: plan_echo(plan),
        target,
        started_at: report::rfc3339_utc(started_at),
        finished_at: report::rfc3339_utc(finished_at),
        load_started_at: None,
        shard: plan.shard,
        merged: None,
        partial: false,
        interrupted: false,
        interrupted_during: None,
        aborted: None,
        totals,
        transport_errors: report::TransportErrors::of(&transport, |k| {
            engine.first_failures.first(k).cloned()
        }),
        timing,
        conformance,
        coverage,
        deviations: None,
        oracle: None,
        fail_on: None,
        phases,
        users: engine
            .pools()
            .iter()
            .enumerate()
            .flat_map(|(i, (users, _))| {
                let prefix = if i == 0 {
                    String::new()
                } else {
                    format!("{}.", plan.pools[i].variant.as_str())
                };
                users
                    .usage()
                    .into_iter()
                    .map(move |(k, u)| (format!("{prefix}{k}"), u))
            })
            .collect(),
        cases,
        thresholds: Vec::new(),
        timeline: engine.recorder.overall_timeline(),
        exit_code: 0,
    }
}

/// One check's verdict from its counts.
pub fn check_verdict(check: Check, judged: u64, failed: u64) -> report::CheckVerdict {
    report::CheckVerdict {
        check,
        verdict: if failed > 0 {
            Verdict::Fail
        } else if judged == 0 {
            Verdict::Skipped
        } else {
            Verdict::Pass
        },
        judged,
        failed,
    }
}

/// Names the snapshot that judged the run, and says for each case it did not judge why the
/// catalog did (`notes`: the cases the run found not comparable with their recording).
fn apply_oracle(
    summary: &mut Summary,
    file: &std::path::Path,
    snapshot: &crate::oracle::Snapshot,
    catalog_sha256: &str,
    notes: &std::collections::BTreeMap<String, String>,
) {
    let mut from_catalog = Vec::new();
    for c in &mut summary.cases {
        if let Some(note) = notes.get(&c.name) {
            c.oracle_note = Some(note.clone());
        }
        if c.oracle == "snapshot" || c.verdict == Verdict::Skipped && c.judged == 0 {
            continue;
        }
        if c.oracle_note.is_none() {
            let why = match snapshot.cases.get(&c.name) {
                Some(_) => "the snapshot recorded no judged answer for this case (only transport errors, timeouts or throttling)".to_owned(),
                None => match snapshot.skipped.get(&c.name) {
                    Some(reason) => format!("not in the snapshot (skipped when recorded: {reason})"),
                    None if snapshot.header.partial => {
                        "not in the snapshot, whose recording did not finish".to_owned()
                    }
                    None => "not in the snapshot".to_owned(),
                },
            };
            c.oracle_note = Some(format!("{why}; judged by the catalog"));
        }
        from_catalog.push(c.name.clone());
    }
    summary.oracle = Some(crate::oracle::OracleInfo {
        file: crate::cases::answer::printable(&file.display().to_string()),
        target_kind: snapshot.header.target_kind.clone(),
        endpoint: snapshot.header.endpoint.clone(),
        recorded_at: snapshot.header.recorded_at.clone(),
        same_catalog: snapshot.header.catalog_sha256 == catalog_sha256,
        cases_judged: summary
            .cases
            .iter()
            .filter(|c| c.oracle == "snapshot")
            .count() as u64,
        cases_from_catalog: from_catalog,
        partial: snapshot.header.partial,
    });
}

/// Whether the harness kept its schedule, over all phases.
pub fn timing(phases: &[PhaseOutcome]) -> report::Timing {
    let open = phases.iter().filter(|p| p.model == "open").count();
    let mode = match open {
        0 => "closed",
        n if n == phases.len() => "open",
        _ => "mixed",
    };
    let mut lag: Option<hdrhistogram::Histogram<u64>> = None;
    for h in phases.iter().filter_map(|p| p.schedule_lag.as_ref()) {
        match &mut lag {
            None => lag = Some(h.clone()),
            Some(all) => {
                let _ = all.add(h);
            }
        }
    }
    report::Timing {
        mode,
        scheduling_lag_us: lag.as_ref().map(Percentiles::of),
        late_starts: phases.iter().map(|p| p.late_starts).sum(),
        dropped: phases.iter().map(|p| p.dropped).sum(),
        latency_from: match mode {
            "closed" => "send",
            "open" => "intended start",
            _ => "intended start (open phases), send (closed phases)",
        },
    }
}

fn coverage(plan: &Plan, cases: &[CaseSummary]) -> report::Coverage {
    let catalog = &plan.catalog;
    let in_run = |c: &CaseSummary| catalog.get(&c.name);
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    for e in &catalog.errors {
        let mine: Vec<&CaseSummary> = cases
            .iter()
            .filter(|c| {
                in_run(c).is_some_and(|k| k.expect.error.as_deref() == Some(e.name.as_str()))
            })
            .collect();
        let (mut covered, not) = error_coverage(&e.name, &e.spec, e.unprovokable.as_deref(), &mine);
        covered.note = e.note.clone();
        errors.push(covered);
        skipped.extend(not);
    }
    let covered: Vec<&String> = catalog
        .members
        .iter()
        .filter(|m| {
            cases.iter().any(|c| {
                c.judged > 0 && in_run(c).is_some_and(|k| k.own_members.contains(m.as_str()))
            })
        })
        .collect();
    report::Coverage {
        cases_total: cases.len() as u64,
        errors_documented: catalog.errors.len() as u64,
        errors_provoked: errors.iter().filter(|e| e.provoked).count() as u64,
        errors_skipped: skipped,
        errors,
        members_total: catalog.members.len() as u64,
        members_covered: covered.len() as u64,
        members_uncovered: catalog
            .members
            .iter()
            .filter(|m| !covered.contains(m))
            .cloned()
            .collect(),
    }
}

/// One documented error's coverage by `mine`, the run's cases that expect it, and why it
/// was not provoked when it was not.
pub fn error_coverage(
    error: &str,
    spec: &str,
    unprovokable: Option<&str>,
    mine: &[&CaseSummary],
) -> (report::ErrorCoverage, Option<report::ErrorSkipped>) {
    // Provoked: the target answered with this error where a case expected it (other
    // details of the answer may still differ).
    let provoked = mine
        .iter()
        .any(|c| c.by_class.get("expected_error").is_some_and(|n| *n > 0));
    let skipped = (!provoked).then(|| {
        let reason = if let Some(why) = unprovokable {
            why.to_owned()
        } else if mine.is_empty() {
            "no case in this run's mix provokes it".to_owned()
        } else {
            mine.iter()
                .map(|c| match (&c.verdict, &c.skip_reason) {
                    (Verdict::Skipped, Some(why)) => format!("{} skipped: {why}", c.name),
                    _ => format!("{} failed", c.name),
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        report::ErrorSkipped {
            error: error.to_owned(),
            reason,
            provokable: unprovokable.is_none(),
        }
    });
    let covered = report::ErrorCoverage {
        error: error.to_owned(),
        spec: spec.to_owned(),
        provoked,
        cases: mine.iter().map(|c| c.name.clone()).collect(),
        note: None,
    };
    (covered, skipped)
}

/// Why a case that ran had no answer judged, from its counts by outcome class.
pub fn unjudged_reason(by_class: &std::collections::BTreeMap<&'static str, u64>) -> String {
    use crate::cases::Class;
    let n = |class: Class| by_class.get(class.as_str()).copied().unwrap_or(0);
    if by_class.values().sum::<u64>() == 0 {
        return "never sent: the phases ended before this case came up in the mix".into();
    }
    format!(
        "no answer was judged: {} transport errors, {} timeouts, {} throttled",
        n(Class::TransportError),
        n(Class::Timeout),
        n(Class::Throttled)
    )
}

fn stages_echo(stages: &[crate::scenario::Stage]) -> Vec<serde_json::Value> {
    stages
        .iter()
        .map(|s| json!({"target": s.target, "duration": format_duration(s.duration)}))
        .collect()
}

fn phase_echo(p: &crate::scenario::Phase, load: &Load) -> serde_json::Value {
    let mut v = match load {
        Load::Closed {
            vus,
            stop,
            think_time,
            max_duration,
        } => {
            let mut v =
                json!({"model": "closed", "vus": vus, "think_time": format_duration(*think_time)});
            match stop {
                Stop::Duration(d) => v["duration"] = json!(format_duration(*d)),
                Stop::Iterations(n) => v["iterations"] = json!(n),
                Stop::Rounds(n) => v["rounds"] = json!(n),
            }
            if let Some(d) = max_duration {
                v["max_duration"] = json!(format_duration(*d));
            }
            v
        }
        Load::RampingVus {
            start,
            stages,
            think_time,
        } => json!({
            "model": "closed", "start_vus": start, "stages": stages_echo(stages),
            "think_time": format_duration(*think_time),
        }),
        Load::Open {
            start_rate,
            stages,
            max_in_flight,
        } => json!({
            "model": "open", "start_rate": start_rate, "stages": stages_echo(stages),
            "max_in_flight": max_in_flight,
        }),
    };
    v["name"] = json!(p.name);
    v["executor"] = json!(p.executor);
    v
}

/// The plan as run, with defaults applied and secrets masked.
pub fn plan_echo(plan: &Plan) -> serde_json::Value {
    let phases: Vec<_> = plan.phases.iter().map(|p| phase_echo(p, &p.load)).collect();
    let whole_phases: Vec<_> = plan
        .phases
        .iter()
        .map(|p| phase_echo(p, p.whole_load()))
        .collect();
    let retry_on: Vec<&str> = [
        ("throttling", plan.retry.on_throttling),
        ("server_errors", plan.retry.on_server_errors),
        ("transport_error", plan.retry.on_transport_errors),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(n, _)| n)
    .collect();
    let attrs = |a: &[crate::scenario::Attribute]| a.iter().map(|x| x.as_str()).collect::<Vec<_>>();
    let main = plan.main_pool();
    let (pool, u) = (&main.pool, &main.users);
    json!({
        "name": plan.name,
        "target": {
            "kind": plan.target.kind(),
            "endpoint": plan.target.endpoint.as_deref().map(crate::term::redact_url),
            "codes": crate::target::codes::describe(&plan.target.codes),
            "admin_reads": plan.target.admin_reads,
            "faults": plan.target.faults,
            "region": plan.region,
            "signing": plan.signing.describe(),
        },
        "pool": {
            "name": pool.name,
            "alias_attributes": attrs(&pool.alias_attributes),
            "username_attributes": attrs(&pool.username_attributes),
            "auto_verified_attributes": attrs(&pool.auto_verified_attributes),
            "case_sensitive": pool.case_sensitive,
            "clients": {
                "public": {"prevent_user_existence_errors": pool.public_client.as_str()},
                "secret": {"prevent_user_existence_errors": pool.secret_client.as_str(), "client_secret": "***"},
                "hiding": {"prevent_user_existence_errors": "ENABLED"},
            },
            "delete_after": pool.delete_after,
            "existing": pool.existing.as_ref().map(|e| json!({
                "id": e.id,
                "client_id": e.client_id,
                "client_secret": e.client_secret.as_ref().map(|_| "***"),
            })),
        },
        "variant_pools": plan.pools.iter().skip(1).map(|p| json!({
            "variant": p.variant.as_str(),
            "case_sensitive": p.pool.case_sensitive,
            "users": p.users.counts.iter().map(|(slot, n)| (slot.name(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
        })).collect::<Vec<_>>(),
        "users": {
            "username": u.username.0, "email": u.email.0,
            "password": if u.password.is_some() { "***" } else { "(generated)" },
            "counts": u.counts.iter().map(|(slot, n)| (slot.name(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
            "reuse_limit": u.reuse_limit, "bounded": u.bounded,
            "listed": u.listed.len(),
        },
        "http": {
            "connections": plan.http.pool_size,
            "version": if plan.http.http2 { "2" } else { "1.1" },
            "connect_timeout": format_duration(plan.http.connect_timeout),
            "read_timeout": format_duration(plan.http.read_timeout),
        },
        "judge": {"postconditions": plan.postconditions},
        "request": plan.request.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>(),
        "phases": phases,
        "mix": plan.mix.iter().map(|m| json!({
            "case": plan.catalog.cases[m.case].id, "weight": m.weight, "skipped": m.skip,
        })).collect::<Vec<_>>(),
        "thresholds": plan.thresholds.iter().map(|t| t.source.clone()).collect::<Vec<_>>(),
        "compare": {"max_p99_increase": plan.compare.0, "max_throughput_drop": plan.compare.1},
        "retry": {
            "max_attempts": plan.retry.max_attempts,
            "base_delay": format_duration(plan.retry.base_delay),
            "max_delay": format_duration(plan.retry.max_delay),
            "on": retry_on,
        },
        "reports": plan.reports.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "shard": plan.shard.map(|s| json!({
            "index": s.index,
            "count": s.count,
            "phases": whole_phases,
        })),
    })
}
