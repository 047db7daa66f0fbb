//! `cogbench provision`: signs users up in the pool a scenario names (`pool.existing`), reads
//! each user's code through the target's code source, and lists them in the CSV that
//! existing-pool mode reads (`users.from_csv`). With `--create-pool` (emulators only) the pool
//! and an app client are created first.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::cases::ClientView;
use crate::protocol::Operation;
use crate::scenario::existing::format_time;
use crate::scenario::{self, Overrides, SignUpPlan};
use crate::target::{Api, ApiError, codes, provision as fixtures, workers};

/// Concurrent sign-ups against an emulator.
const WORKERS: usize = 16;
/// Against AWS: SignUp shares the UserCreation request-rate quota (50 per second by default,
/// per account and Region) with ConfirmSignUp; provisioning stays well under it.
const AWS_WORKERS: usize = 4;
const AWS_SIGNUPS_PER_SECOND: u32 = 20;

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub scenario: PathBuf,
    pub users: u64,
    /// Default: the scenario's `users.from_csv`.
    pub output: Option<PathBuf>,
    pub overrides: Overrides,
    pub create_pool: bool,
    /// Progress lines on stderr.
    pub progress: bool,
    /// Ctrl-C and SIGTERM, heard since the command started (`None`: not listened for).
    pub interrupts: Option<crate::interrupt::Interrupts>,
}

/// One listed user, as the CSV has it.
#[derive(Debug, Clone)]
pub struct Row {
    pub username: String,
    pub code: String,
    pub sub: String,
    pub email: String,
    pub signed_up_at: SystemTime,
}

#[derive(Debug)]
pub struct Outcome {
    pub file: PathBuf,
    pub rows: Vec<Row>,
    /// With `--create-pool`: the new pool's id and its app client's id.
    pub created: Option<(String, String)>,
    pub codes: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Exit 2: nothing was sent.
    #[error("{0}")]
    BadInput(String),
    /// Exit 3: the target refused or did not answer.
    #[error("{0}")]
    Target(String),
    /// Exit 1: the users exist but the list could not be written.
    #[error("{0}")]
    Write(String),
    /// Exit 130: Ctrl-C or SIGTERM before the list was written.
    #[error("{0}")]
    Interrupted(String),
}

/// A fresh run id: names users apart from those of earlier runs.
fn run_id() -> String {
    (0..6)
        .map(|_| fastrand::alphanumeric().to_ascii_lowercase())
        .collect()
}

/// The pool `--create-pool` made, and the client to delete it with.
type MadePool = (fixtures::Created, std::sync::Mutex<Option<Api>>);

/// Signs the users up. A pool that `--create-pool` made is deleted when the command does not
/// finish (interrupted, or a sign-up failed): its id was never printed and its users' list
/// never written, so nothing could use it.
pub async fn provision(opts: Options) -> Result<Outcome, Error> {
    let made = MadePool::default();
    let interrupts = opts.interrupts.clone();
    let work = provision_all(opts, &made);
    let result = match &interrupts {
        None => work.await,
        Some(i) => tokio::select! {
            biased;
            () = i.nth(1) => Err(Error::Interrupted(
                "interrupted; no list was written (the users signed up so far stay in the pool)".into(),
            )),
            r = work => r,
        },
    };
    if matches!(result, Err(Error::Target(_) | Error::Interrupted(_))) {
        let (created, api) = &made;
        created.settle().await;
        let api = api.lock().unwrap_or_else(|e| e.into_inner()).take();
        for (api, pool_id) in api
            .iter()
            .flat_map(|a| created.pool_ids().into_iter().map(move |id| (a, id)))
        {
            match fixtures::delete_pool(api, &pool_id).await {
                Ok(()) => {
                    crate::errln!("cogbench provision: the pool it created, {pool_id}, is deleted")
                }
                Err(e) => crate::errln!(
                    "cogbench provision: warning: could not delete the pool it created, {pool_id}: {e}"
                ),
            }
        }
    }
    result
}

async fn provision_all(opts: Options, made: &MadePool) -> Result<Outcome, Error> {
    let catalog = Arc::new(crate::cases::Catalog::builtin());
    let plan = scenario::load_for_signup(&opts.scenario, catalog, &opts.overrides)
        .map_err(|e| Error::BadInput(e.to_string()))?;
    if opts.users == 0 || opts.users > scenario::MAX_USERS {
        return Err(Error::BadInput(format!(
            "--users: a whole number from 1 to {}",
            scenario::MAX_USERS
        )));
    }
    let endpoint = plan
        .target
        .endpoint
        .clone()
        .expect("load_for_signup refuses the embedded emulator");
    // A real pool behind any endpoint (a proxy too) shares the account's quota.
    let aws = plan.target.kind.real_pool || scenario::quota::is_aws(&endpoint);
    match (&plan.pool.existing, opts.create_pool) {
        (Some(_), true) => {
            return Err(Error::BadInput(
                "--create-pool: the scenario already names pool.existing; drop the flag to sign users up there".into(),
            ));
        }
        (None, false) => {
            return Err(Error::BadInput(format!(
                "{}: provision signs users up in the pool the scenario names in pool.existing (id, client_id, client_secret), and this one names none; add it, or pass --create-pool to create a pool and a client on an emulator first",
                opts.scenario.display()
            )));
        }
        (None, true) if aws => {
            return Err(Error::BadInput(
                "--create-pool: CreateUserPool on AWS is a signed call, which cogbench does not make; create the pool and its app client with your own tooling and name them in pool.existing".into(),
            ));
        }
        _ => {}
    }
    let file = match (&opts.output, &plan.from_csv) {
        (Some(f), _) => f.clone(),
        (None, Some(f)) => f.clone(),
        (None, None) => {
            return Err(Error::BadInput(
                "--output: where to write the users (the scenario has no users.from_csv to default to)".into(),
            ));
        }
    };
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::BadInput(format!(
            "--output {}: the folder {} does not exist",
            file.display(),
            dir.display()
        )));
    }
    if file.is_dir() {
        return Err(Error::BadInput(format!(
            "--output {}: a folder, not a file",
            file.display()
        )));
    }

    let client = crate::client::build(&plan.http).map_err(|e| Error::BadInput(e.to_string()))?;
    let api = Api::new(client, &endpoint);
    let run = run_id();
    let say = |line: String| {
        if opts.progress {
            crate::errln!("cogbench provision: {line}");
        }
    };

    let (pool_id, view, created) = match &plan.pool.existing {
        Some(e) => (
            e.id.clone(),
            ClientView {
                client_id: e.client_id.clone(),
                secret: e.client_secret.as_ref().map(|s| s.0.clone()),
            },
            None,
        ),
        None => {
            let name = format!("cogbench-{}-{run}", plan.name);
            let target_error = |e: fixtures::ProvisionError| {
                Error::Target(format!("{e} (target {})", api.endpoint()))
            };
            *made.1.lock().unwrap_or_else(|e| e.into_inner()) = Some(api.clone());
            let pool_id = made
                .0
                .create_user_pool(&api, &plan.pool, &name)
                .await
                .map_err(target_error)?;
            let view = fixtures::create_client(
                &api,
                &pool_id,
                "cogbench-provision",
                false,
                plan.pool.public_client,
            )
            .await
            .map_err(target_error)?;
            say(format!(
                "created pool {pool_id} ({name}) and app client {} without a secret",
                view.client_id
            ));
            let created = Some((pool_id.clone(), view.client_id.clone()));
            (pool_id, view, created)
        }
    };
    let codes_note = codes::describe(&plan.target.codes);
    say(format!(
        "signing {} users up in pool {pool_id} through client {}{} on {} target {endpoint}; run id {run}; codes: {codes_note}",
        opts.users,
        view.client_id,
        if view.secret.is_some() {
            " (with SecretHash)"
        } else {
            ""
        },
        plan.target.kind(),
    ));
    if aws {
        say(format!(
            "AWS endpoint: at most {AWS_SIGNUPS_PER_SECOND} sign-ups per second (SignUp shares the UserCreation quota with ConfirmSignUp); a pool that sends its codes with Cognito's own email sender is limited to a few dozen emails a day"
        ));
    }

    let workers =
        workers::signup_workers(plan.target.kind, if aws { AWS_WORKERS } else { WORKERS });
    let pacer = aws.then(|| {
        let mut every = tokio::time::interval(Duration::from_secs(1) / AWS_SIGNUPS_PER_SECOND);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::sync::Mutex::new(every)
    });
    let password = fixtures::password(plan.password.as_ref(), &run);
    let ctx = Arc::new(Ctx {
        api,
        plan,
        pool_id,
        client: view,
        password,
        run,
        total: opts.users,
        signed_up: AtomicU64::new(0),
        done: AtomicU64::new(0),
        pacer,
        progress: opts.progress,
    });

    let job_ctx = ctx.clone();
    let signed = workers::run_jobs(opts.users as usize, workers, move |n| {
        let ctx = job_ctx.clone();
        async move { counted(&ctx, n as u64).await }
    })
    .await;
    let rows: Vec<Row> = match signed {
        Ok(rows) => rows,
        Err(e) => {
            let secrets = [
                ctx.password.as_str(),
                ctx.client.secret.as_deref().unwrap_or_default(),
            ];
            let left = match ctx.signed_up.load(Ordering::Relaxed) {
                0 => "no user was signed up".to_owned(),
                n => format!(
                    "{n} of {} users were signed up before it (run id {}) and stay in the pool",
                    ctx.total, ctx.run
                ),
            };
            return Err(Error::Target(format!(
                "{} (target {}); {left}; no list was written",
                e.redacted(&secrets),
                ctx.api.endpoint(),
            )));
        }
    };
    write_csv(&file, &rows).map_err(|e| {
        Error::Write(format!(
            "writing {}: {e}; the {} users stay in the pool (run id {})",
            file.display(),
            rows.len(),
            ctx.run
        ))
    })?;
    Ok(Outcome {
        file,
        rows,
        created,
        codes: codes_note,
    })
}

struct Ctx {
    api: Api,
    plan: SignUpPlan,
    pool_id: String,
    client: ClientView,
    password: String,
    run: String,
    total: u64,
    signed_up: AtomicU64,
    done: AtomicU64,
    pacer: Option<tokio::sync::Mutex<tokio::time::Interval>>,
    progress: bool,
}

/// One user signed up, with a progress line at every tenth of the way and at the end.
async fn counted(ctx: &Ctx, n: u64) -> Result<Row, ApiError> {
    let row = one_user(ctx, n).await?;
    let finished = ctx.done.fetch_add(1, Ordering::Relaxed) + 1;
    if ctx.progress && (finished * 10 / ctx.total != (finished - 1) * 10 / ctx.total) {
        crate::errln!(
            "cogbench provision: {finished}/{} users signed up",
            ctx.total
        );
    }
    Ok(row)
}

async fn one_user(ctx: &Ctx, n: u64) -> Result<Row, ApiError> {
    let by_email = !ctx.plan.pool.username_attributes.is_empty();
    let email = ctx.plan.email.render(&ctx.run, n);
    let username = if by_email {
        email.clone()
    } else {
        ctx.plan.username.render(&ctx.run, n)
    };
    let mut input =
        fixtures::sign_up_input(&ctx.client.client_id, &username, &ctx.password, &email);
    if let Some(secret) = &ctx.client.secret {
        input["SecretHash"] = json!(crate::protocol::secret_hash(
            secret,
            &username,
            &ctx.client.client_id
        ));
    }
    if let Some(pacer) = &ctx.pacer {
        pacer.lock().await.tick().await;
    }
    let signed_up_at = SystemTime::now();
    let out = ctx
        .api
        .call(Operation::SignUp, &input)
        .await
        .map_err(|e| step(e, &format!("SignUp of user #{n} ({username})")))?;
    ctx.signed_up.fetch_add(1, Ordering::Relaxed);
    let sub = out["UserSub"].as_str().unwrap_or_default().to_owned();
    if sub.is_empty() {
        return Err(ApiError::Malformed {
            what: format!("SignUp of user #{n}"),
            status: 200,
            detail: "no UserSub in the answer".into(),
        });
    }
    // Pools whose usernames are emails keep users under their sub.
    let internal = if by_email { &sub } else { &username };
    let code = codes::read(&ctx.plan.target.codes, &ctx.api, &ctx.pool_id, internal)
        .await
        .map_err(|e| step(e, &format!("reading the code of user #{n} ({username})")))?;
    Ok(Row {
        username,
        code,
        sub,
        email,
        signed_up_at,
    })
}

/// The error with the step it happened at in front of what it names.
fn step(e: ApiError, what: &str) -> ApiError {
    match e {
        ApiError::Transport {
            endpoint, detail, ..
        } => ApiError::Transport {
            endpoint,
            what: what.to_owned(),
            detail,
        },
        ApiError::Service {
            status,
            error_type,
            message,
            ..
        } => ApiError::Service {
            what: what.to_owned(),
            status,
            error_type,
            message,
        },
        ApiError::Malformed { status, detail, .. } => ApiError::Malformed {
            what: what.to_owned(),
            status,
            detail,
        },
        ApiError::Signing { detail, .. } => ApiError::Signing {
            what: what.to_owned(),
            detail,
        },
        ApiError::Input { detail, .. } => ApiError::Input {
            what: what.to_owned(),
            detail,
        },
    }
}

/// The columns existing-pool mode reads, written to a temporary file beside `path` and
/// renamed over it: a reader never sees half a list.
pub fn write_csv(path: &Path, rows: &[Row]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["username", "code", "sub", "email", "signed_up_at"])?;
    for r in rows {
        w.write_record([
            r.username.as_str(),
            r.code.as_str(),
            r.sub.as_str(),
            r.email.as_str(),
            format_time(r.signed_up_at).as_str(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    crate::report::json::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_back_as_existing_pool_mode_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let at = crate::scenario::existing::parse_time("2026-11-27T09:30:00Z").unwrap();
        let rows = vec![
            Row {
                username: "cb-abc-0".into(),
                code: "123456".into(),
                sub: "s-0".into(),
                email: "cb-abc-0@example.com".into(),
                signed_up_at: at,
            },
            Row {
                username: "o'neil, jr".into(),
                code: String::new(),
                sub: "s-1".into(),
                email: "x@example.com".into(),
                signed_up_at: at,
            },
        ];
        let file = dir.path().join("users.csv");
        std::fs::write(&file, "stale").unwrap();
        write_csv(&file, &rows).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("username,code,sub,email,signed_up_at\ncb-abc-0,123456,s-0,cb-abc-0@example.com,2026-11-27T09:30:00Z\n"),
            "{text}"
        );
        let listed = crate::scenario::existing::check_csv(
            &dir.path().join("s.yaml"),
            "users.csv",
            None,
            std::time::SystemTime::now(),
            std::time::Duration::ZERO,
            true,
        )
        .unwrap();
        let listed: Vec<_> = listed.read().unwrap().map(Result::unwrap).collect();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1].username, "o'neil, jr");
        assert!(listed[1].code.is_empty());
        assert_eq!(listed[0].signed_up_at, Some(at));
        // Only the list is left in the folder: the temporary file was renamed over it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
