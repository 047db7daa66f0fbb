//! A run's set-up: credentials, the target started and reached, its pools and users
//! provisioned (or an existing pool adopted), and the engine built for the load. An
//! interrupt or a failure on the way cleans up what was made and says why.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use crate::cases::Capability;
use crate::engine::{Compiled, Engine};
use crate::interrupt::Interrupts;
use crate::report;
use crate::scenario::{Plan, units::format_duration};
use crate::summary::build::target_info;
use crate::target::{Api, CredentialsLoadError, Target, credentials, provision};
use crate::users::UserPools;

/// A target ready for the load, and the engine that will drive it.
pub(super) struct Ready {
    pub target: Target,
    pub api: Api,
    /// The pools the run made or adopted.
    pub pool_ids: Vec<String>,
    pub engine: Arc<Engine>,
    /// Why a case is judged by the catalog although a snapshot was given.
    pub oracle_notes: BTreeMap<String, String>,
    /// When the load clock started, on the wall clock (read at the same instant).
    pub load_started_at: SystemTime,
    /// With `--start-at`: how late the load started against it, in milliseconds.
    pub start_late_ms: Option<f64>,
}

/// Why the set-up ended before the load.
pub(super) enum Stopped {
    /// The target could not be started, reached or provisioned.
    Target(String),
    Credentials(CredentialsLoadError),
    /// An interrupt came while the set-up was `during`; `target` is `None` when it never
    /// started.
    Interrupted {
        during: &'static str,
        target: Option<report::TargetInfo>,
    },
}

impl From<CredentialsLoadError> for Stopped {
    fn from(e: CredentialsLoadError) -> Stopped {
        Stopped::Credentials(e)
    }
}

/// Sets the target up for `plan`: judged by `oracle`'s answers when given, reading every
/// state back when `recording`.
pub(super) async fn set_up(
    plan: &Arc<Plan>,
    oracle: Option<&crate::oracle::Snapshot>,
    recording: bool,
    quiet: bool,
    start_at: Option<SystemTime>,
    interrupts: &Interrupts,
) -> Result<Ready, Stopped> {
    let mut run_id: String = (0..6)
        .map(|_| fastrand::alphanumeric().to_ascii_lowercase())
        .collect();
    // Shards provision side by side: their pools and users never share a name.
    if let Some(shard) = plan.shard {
        run_id = format!("{run_id}s{}", shard.index);
    }
    // What the set-up was doing, for an interrupt's report.
    let step = std::sync::Mutex::new("reading credentials");
    let set_step = |s: &'static str| *step.lock().unwrap_or_else(|e| e.into_inner()) = s;
    let read_step = || *step.lock().unwrap_or_else(|e| e.into_inner());
    let start = async {
        let signer = credentials::signer(plan, quiet).await?;
        set_step("starting the target");
        let target = Target::start(plan)
            .await
            .map_err(|e| Stopped::Target(format!("could not start the embedded emulator: {e}")))?;
        let client = crate::client::build(&plan.http)
            .map_err(|e| Stopped::Target(format!("could not build the HTTP client: {e}")))?;
        let api = Api::new(client, &target.endpoint).with_signer(signer);
        Ok::<_, Stopped>((target, api))
    };
    let (target, api) = tokio::select! {
        biased;
        () = interrupts.nth(1) => return Err(Stopped::Interrupted { during: read_step(), target: None }),
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
            return Err(Stopped::Interrupted {
                during: read_step(),
                target: Some(info),
            });
        }
        Some(Err(e)) => {
            target.stop().await;
            return Err(Stopped::Target(e));
        }
        Some(Ok(())) => {}
    }
    if !quiet {
        let users = match &plan.main_pool().pool.existing {
            Some(e) => format!(
                "existing pool {}, {} listed users",
                e.id,
                plan.main_pool().users.listed.as_ref().map_or(0, |l| l.rows)
            ),
            None => match plan.on_demand_signups() {
                0 => format!("provisioning {} users", plan.total_signups()),
                later => format!(
                    "provisioning {} users, and {later} more during the load as it needs them",
                    plan.total_signups().saturating_sub(later)
                ),
            },
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
                crate::scenario::quota::planned_peak(
                    &whole_phases(plan),
                    crate::scenario::quota::requests_per_start(&plan.mix, &plan.catalog)
                )
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
            clean_up_setup(plan, &api, &created, interrupts).await;
            target.stop().await;
            return Err(Stopped::Target(format!(
                "{} (target {})",
                e,
                crate::term::redact_url(api.endpoint())
            )));
        }
        None => {
            let during = read_step();
            return Err(interrupted(plan, &api, &created, interrupts, target, during, quiet).await);
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
    let recorded = oracle.map(|snapshot| snapshot.oracle()).unwrap_or_default();
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
    if recording {
        engine = engine.recording();
    }
    if let Some(seconds) = crate::scenario::on_demand::load_seconds(&plan.phases) {
        engine.recorder.reserve_seconds(seconds.ceil() as u64);
    }
    // Everything a shard can do ahead is done: what is left after the start is the load.
    if let Some(at) = start_at {
        set_step("waiting for the start time");
        if !super::start::wait_until(at, quiet, interrupts).await {
            let during = read_step();
            return Err(interrupted(plan, &api, &created, interrupts, target, during, quiet).await);
        }
    }
    let load_started_at = engine.start_clock();
    let start_late_ms = start_at.map(|at| super::start::late_ms(at, load_started_at));
    if let Some(late) = start_late_ms
        && late > super::start::LATE_NOTICE_MS
    {
        crate::errln!(
            "cogbench: warning: the load started {:.1} ms after --start-at {} (the set-up ended late); recorded as start_late_ms",
            late,
            crate::time::rfc3339_utc_millis(start_at.unwrap_or(load_started_at))
        );
    }
    Ok(Ready {
        target,
        api,
        pool_ids,
        engine: Arc::new(engine),
        oracle_notes,
        load_started_at,
        start_late_ms,
    })
}

/// An engine that never runs, for the reports of a set-up that was interrupted: the summary of
/// its untouched counters is that of a run with nothing sent.
pub(super) fn never_run(plan: &Plan) -> Result<Engine, String> {
    let client = crate::client::build(&plan.http)
        .map_err(|e| format!("could not build the HTTP client: {e}"))?;
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
    Ok(Engine::new(
        &api, &plan.http, compiled, &weights, pools, 0.0, plan.retry,
    ))
}

/// An interrupt during set-up (or the wait for the start time after it): the pools it created
/// are deleted and the target stopped; what it was doing goes in the report.
async fn interrupted(
    plan: &Plan,
    api: &Api,
    created: &provision::Created,
    interrupts: &Interrupts,
    target: Target,
    during: &'static str,
    quiet: bool,
) -> Stopped {
    if !quiet {
        crate::errln!("\ncogbench: interrupted while {during}; cleaning up");
    }
    clean_up_setup(plan, api, created, interrupts).await;
    let info = target_info(&target);
    target.stop().await;
    Stopped::Interrupted {
        during,
        target: Some(info),
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

/// Deletes the run's pools when the scenario asks for it (the default); failures are warned
/// about, not fatal: the measurements are already taken. The pools deleted.
pub(super) async fn delete_pools<'a>(
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

/// The scenario's phases, whole (all shards together).
fn whole_phases(plan: &Plan) -> Vec<crate::scenario::Phase> {
    plan.phases
        .iter()
        .map(|p| crate::scenario::Phase {
            load: p.whole_load().clone(),
            shard: None,
            ..p.clone()
        })
        .collect()
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
