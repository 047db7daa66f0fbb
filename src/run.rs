//! One run, start to end: target, fixtures, engine, summary, reports, gate.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use crate::cases::Capability;
use crate::engine::users::UserPools;
use crate::engine::{Compiled, Engine};
use crate::gate::{self, Merged};
use crate::interrupt::Interrupts;
use crate::oracle::apply::apply_oracle;
use crate::progress::{self, Monitor};
use crate::report::export::Format;
use crate::report::write::{check_report_files, write_reports};
use crate::report::{self, Summary};
use crate::scenario::{Plan, phase_starts, units::format_duration};
use crate::summary::build::{summarize, target_info};
use crate::target::{Api, Target, credentials, provision};

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

impl RunError {
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Target(_) | RunError::Credentials(_) => gate::EXIT_TARGET,
            RunError::Reports { .. } | RunError::Snapshot { .. } => gate::EXIT_FAILED,
            RunError::Output(_) => gate::EXIT_BAD_INPUT,
        }
    }
}

pub async fn run(plan: Plan, opts: RunOptions) -> Result<RunOutcome, RunError> {
    let plan = Arc::new(plan);
    let started_at = SystemTime::now();
    let mut run_id: String = (0..6)
        .map(|_| fastrand::alphanumeric().to_ascii_lowercase())
        .collect();
    // Shards provision side by side: their pools and users never share a name.
    if let Some(shard) = plan.shard {
        run_id = format!("{run_id}s{}", shard.index);
    }
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
    // What the set-up was doing, for an interrupt's report.
    let step = std::sync::Mutex::new("reading credentials");
    let set_step = |s: &'static str| *step.lock().unwrap_or_else(|e| e.into_inner()) = s;
    let read_step = || *step.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = SetupCtx {
        plan: &plan,
        opts: &opts,
        started_at,
        report_dir: &report_dir,
    };
    let start = async {
        let signer = credentials::signer(&plan, quiet).await?;
        set_step("starting the target");
        let target = Target::start(&plan)
            .await
            .map_err(|e| RunError::Target(format!("could not start the embedded emulator: {e}")))?;
        let client = crate::client::build(&plan.http)
            .map_err(|e| RunError::Target(format!("could not build the HTTP client: {e}")))?;
        let api = Api::new(client, &target.endpoint).with_signer(signer);
        Ok::<_, RunError>((target, api))
    };
    let (target, api) = tokio::select! {
        biased;
        () = interrupts.nth(1) => return ctx.interrupted(read_step(), None),
        started = start => started?,
    };
    set_step("connecting");
    let reachable = tokio::select! {
        biased;
        () = interrupts.nth(1) => None,
        r = reachable(&target.endpoint, plan.http.connect_timeout) => Some(r),
    };
    match reachable {
        None => {
            let info = target_info(&target);
            target.stop().await;
            return ctx.interrupted(read_step(), Some(info));
        }
        Some(Err(e)) => {
            target.stop().await;
            return Err(RunError::Target(e));
        }
        Some(Ok(())) => {}
    }
    if !quiet {
        let users = match &plan.main_pool().pool.existing {
            Some(e) => format!(
                "existing pool {}, {} listed users",
                e.id,
                plan.main_pool().users.listed.len()
            ),
            None => format!("provisioning {} users", plan.total_signups()),
        };
        crate::errln!(
            "cogbench: scenario {} on {} target {}; {users}…",
            plan.name,
            target.kind,
            crate::term::redact_url(&target.endpoint),
        );
        if crate::scenario::quota::is_aws(&target.endpoint) {
            crate::errln!(
                "cogbench: AWS endpoint: ConfirmSignUp's request-rate quota ({}) is {} requests per second by default, per account and Region, shared with SignUp (spec §4.5); planned peak: {}",
                crate::scenario::quota::CATEGORY,
                crate::scenario::quota::DEFAULT_RPS,
                // The quota is the account's: every shard's requests count against it.
                crate::scenario::quota::planned_peak(&whole_phases(&plan))
                    .map_or("unbounded".to_owned(), |p| format!("{p:.0}/s"))
            );
        }
    }
    // A case with no user and no app client of the run's (`raw`) needs no pool at all, so
    // any server, not only a Cognito one, can be measured.
    let needs_pool = plan.mix.iter().filter(|m| m.skip.is_none()).any(|m| {
        let case = &plan.catalog.cases[m.case];
        case.user != crate::cases::UserKind::None
            || case.client != crate::cases::ClientKind::Unknown
    });
    set_step("provisioning");
    let provision_started = std::time::Instant::now();
    let created = provision::Created::default();
    let provisioning = async {
        let mut fixtures = Vec::with_capacity(plan.pools.len());
        for index in 0..plan.pools.len() {
            fixtures.push(if !needs_pool {
                provision::Fixtures::none()
            } else if plan.pools[index].pool.existing.is_some() {
                provision::adopt_listed(&api, plan.clone(), index).await?
            } else {
                provision::provision(&api, plan.clone(), index, &run_id, &created).await?
            });
        }
        Ok::<_, provision::ProvisionError>(fixtures)
    };
    // Dropping the provisioning future on an interrupt aborts its workers (a JoinSet's
    // tasks end with it).
    let made = tokio::select! {
        biased;
        () = interrupts.nth(1) => None,
        made = provisioning => Some(made),
    };
    let fixtures = match made {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            clean_up_setup(&plan, &api, &created, &interrupts).await;
            target.stop().await;
            return Err(RunError::Target(format!(
                "{} (target {})",
                e,
                crate::term::redact_url(api.endpoint())
            )));
        }
        None => {
            if !quiet {
                crate::errln!("\ncogbench: interrupted while {}; cleaning up", read_step());
            }
            clean_up_setup(&plan, &api, &created, &interrupts).await;
            let info = target_info(&target);
            target.stop().await;
            return ctx.interrupted(read_step(), Some(info));
        }
    };
    let pool_ids: Vec<String> = fixtures
        .iter()
        .map(|f| f.pool_id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    if !quiet && needs_pool {
        crate::errln!(
            "cogbench: pool {} ready in {:.1}s",
            pool_ids.join(", "),
            provision_started.elapsed().as_secs_f64()
        );
    }

    let runnable: Vec<_> = plan.mix.iter().filter(|m| m.skip.is_none()).collect();
    let recorded = opts
        .oracle
        .as_ref()
        .map(|(_, snapshot)| snapshot.oracle())
        .unwrap_or_default();
    let mut oracle_notes = std::collections::BTreeMap::new();
    let compiled: Vec<Compiled> = runnable
        .iter()
        .map(|m| {
            let case = plan.catalog.cases[m.case].with_members(&plan.request);
            let c = Compiled::new(&case, m.pool, &fixtures[m.pool].clients);
            let Some(r) = recorded.get(&case.id) else {
                return c;
            };
            if let Some(why) = crate::oracle::not_comparable(&case, r) {
                oracle_notes.insert(case.id.clone(), format!("{why}; judged by the catalog"));
                return c;
            }
            if r.states.is_empty() && !case.expect.post.is_empty() {
                oracle_notes.insert(
                    case.id.clone(),
                    "the snapshot read no state back for this case: its state is judged by the catalog's postconditions".into(),
                );
            }
            c.judged_by(Arc::new(r.clone()))
        })
        .collect();
    let weights: Vec<u32> = runnable.iter().map(|m| m.weight).collect();
    let load_started_at = SystemTime::now();
    let pools: Vec<(UserPools, String)> = fixtures
        .into_iter()
        .zip(&plan.pools)
        .map(|(f, run)| {
            (
                UserPools::new(f.users, &run_id, run.users.reuse_limit),
                f.pool_id,
            )
        })
        .collect();
    // Without admin reads there is no state to read back, whatever the scenario samples.
    let post_rate = if target.capabilities.contains(&Capability::AdminReads) {
        plan.postconditions
    } else {
        0.0
    };
    let mut engine = Engine::new(
        &api, &plan.http, compiled, &weights, pools, post_rate, plan.retry,
    );
    if opts.record.is_some() {
        engine = engine.recording();
    }
    let engine = Arc::new(engine);

    let interrupted = Arc::new(AtomicBool::new(false));
    let signals = spawn_signal_listener(
        engine.clone(),
        interrupts.clone(),
        interrupted.clone(),
        opts.grace_period,
    );
    if plan.reports.contains(&Format::Hlog) {
        let names = engine.cases().iter().map(|c| c.id.clone()).collect();
        match report::hlog::HlogStream::new(&report_dir, names, started_at) {
            Ok(stream) => engine.recorder.stream_intervals(Box::new(stream)),
            Err(e) => crate::errln!(
                "cogbench: warning: no interval logs: cannot write to {}: {e}",
                report_dir.display()
            ),
        }
    }
    let cycle = engine.cycle_len();
    let planned: Option<u64> = plan.phases.iter().map(|p| phase_starts(p, cycle)).sum();
    let monitor = Monitor::start(engine.clone(), opts.progress, planned);
    let mut phases = Vec::new();
    for phase in &plan.phases {
        if engine.stopping() {
            break;
        }
        phases.push(engine.run_phase(phase).await);
    }
    monitor.finish().await;
    signals.abort();
    let interrupted = interrupted.load(Ordering::SeqCst);
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

/// A target that went away before the load and never accepted one of its connections was not
/// measured: the run says so and exits 3, instead of reporting a load of errors.
fn never_connected(summary: &mut Summary, engine: &Engine, endpoint: &str) {
    let sent = engine.sent.load(Ordering::Relaxed);
    if sent == 0 || engine.ever_connected() || summary.interrupted {
        return;
    }
    // The transport errors say why: nothing listening, or a certificate the client refused.
    let because: Vec<String> = summary
        .transport_errors
        .iter()
        .filter_map(|e| Some(format!("{}: {}", e.kind, e.first_message.as_deref()?)))
        .collect();
    let because = if because.is_empty() {
        String::new()
    } else {
        format!(" ({})", because.join("; "))
    };
    let why = format!(
        "the target {endpoint} never accepted a connection: none of the {sent} requests sent reached it{because}"
    );
    crate::errln!("cogbench: error: {why}");
    summary.aborted = Some(why);
    summary.partial = true;
    summary.exit_code = gate::EXIT_TARGET;
}

/// The scenario's phases, whole (all shards together).
fn whole_phases(plan: &Plan) -> Vec<crate::scenario::Phase> {
    plan.phases
        .iter()
        .map(|p| crate::scenario::Phase {
            load: p.shard.as_ref().map_or(&p.load, |s| &s.whole).clone(),
            shard: None,
            ..p.clone()
        })
        .collect()
}

/// Deletes the run's pools when the scenario asks for it (the default); failures are warned
/// about, not fatal: the measurements are already taken. The pools deleted.
async fn delete_pools<'a>(
    plan: &Plan,
    api: &Api,
    pool_ids: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    if !plan.main_pool().pool.delete_after {
        let kept: Vec<&str> = pool_ids.collect();
        // An existing pool was never the run's to delete; a kept one the user asked for.
        if plan.main_pool().pool.existing.is_none() && !kept.is_empty() {
            crate::errln!("cogbench: pools kept: {}", kept.join(", "));
        }
        return Vec::new();
    }
    let mut deleted = Vec::new();
    for id in pool_ids {
        match provision::delete_pool(api, id).await {
            Ok(()) => deleted.push(id.to_owned()),
            Err(e) => crate::errln!("cogbench: warning: could not delete pool {id}: {e}"),
        }
    }
    deleted
}

/// First Ctrl-C or SIGTERM: stop scheduling, give the requests in flight `grace` to finish,
/// then stop waiting for them. A second one stops waiting at once. Either way the reports are
/// written, marked partial, and the exit code is 130.
fn spawn_signal_listener(
    engine: Arc<Engine>,
    interrupts: Interrupts,
    interrupted: Arc<AtomicBool>,
    grace: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        interrupts.nth(1).await;
        // Stopped before counting: nothing starts after the count is read, so the requests
        // abandoned later can only be fewer than those said to be in flight now.
        engine.request_stop();
        interrupted.store(true, Ordering::SeqCst);
        crate::errln!(
            "\ncogbench: interrupted; {} requests in flight get {} to finish, then partial reports are written (Ctrl-C again: at once)",
            engine.in_flight(),
            format_duration(grace)
        );
        tokio::select! {
            () = interrupts.nth(2) => crate::errln!(
                "cogbench: interrupted again; writing the reports now ({} requests abandoned in flight)",
                engine.in_flight()
            ),
            () = tokio::time::sleep(grace) => crate::errln!(
                "cogbench: grace period over; writing the reports now ({} requests abandoned in flight)",
                engine.in_flight()
            ),
        }
        engine.abandon_in_flight();
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
        // An engine that never runs: the summary of its untouched counters is that of a run
        // with nothing sent.
        let client = crate::client::build(&plan.http)
            .map_err(|e| RunError::Target(format!("could not build the HTTP client: {e}")))?;
        let api = Api::new(client, "http://127.0.0.1:9");
        let none = provision::Fixtures::none();
        let compiled = plan
            .mix
            .iter()
            .filter(|m| m.skip.is_none())
            .map(|m| {
                let case = plan.catalog.cases[m.case].with_members(&plan.request);
                Compiled::new(&case, m.pool, &none.clients)
            })
            .collect();
        let weights: Vec<u32> = plan
            .mix
            .iter()
            .filter(|m| m.skip.is_none())
            .map(|m| m.weight)
            .collect();
        let pools = plan
            .pools
            .iter()
            .map(|p| {
                (
                    UserPools::new(Default::default(), "", p.users.reuse_limit),
                    String::new(),
                )
            })
            .collect();
        let engine = Engine::new(&api, &plan.http, compiled, &weights, pools, 0.0, plan.retry);
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

/// Deletes the pools a failed or interrupted set-up created (unless the scenario keeps them).
/// A further interrupt stops waiting for the deletion.
async fn clean_up_setup(
    plan: &Plan,
    api: &Api,
    created: &provision::Created,
    interrupts: &Interrupts,
) {
    let already = interrupts.count();
    let clean_up = async {
        created.settle().await;
        let ids = created.pool_ids();
        delete_pools(plan, api, ids.iter().map(String::as_str)).await
    };
    tokio::select! {
        biased;
        () = interrupts.nth(already + 1) => crate::errln!(
            "cogbench: interrupted again; pools not deleted: {}",
            created.pool_ids().join(", ")
        ),
        deleted = clean_up => {
            if !deleted.is_empty() {
                crate::errln!("cogbench: set-up stopped; pools it created deleted: {}", deleted.join(", "));
            }
        }
    }
}

/// One connection attempt to the endpoint's host and port, within the connect timeout: a
/// target that is not there is said to be so (exit 3) before any set-up or load, not
/// measured as a load of errors.
async fn reachable(endpoint: &str, timeout: std::time::Duration) -> Result<(), String> {
    let url = reqwest::Url::parse(endpoint)
        .map_err(|e| format!("the endpoint {endpoint} is not a URL: {e}"))?;
    let host = url.host_str().unwrap_or_default();
    // An IPv6 literal comes bracketed from the URL; a socket address wants it bare.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(443);
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!(
            "the target {endpoint} is unreachable: could not connect: {e}"
        )),
        Err(_) => Err(format!(
            "the target {endpoint} is unreachable: no connection within the connect timeout ({})",
            format_duration(timeout)
        )),
    }
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
