//! Fixtures through the Cognito API itself: a pool, a public and a secret app client, and
//! users in every state the mix needs, with their codes read through the code source.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::{Value, json};

use super::api::{Api, ApiError};
use crate::cases::ClientView;
use crate::engine::users::{ContestedPair, PoolsBuilder, UserRecord};
use crate::protocol::Operation;
use crate::scenario::{Attribute, Plan};

/// Concurrent provisioning calls: enough to hide loopback latency, few enough to stay
/// inside a real pool's request-rate quotas when pointed at one.
const WORKERS: usize = 32;

#[derive(Debug)]
pub struct Fixtures {
    pub pool_id: String,
    pub public: ClientView,
    pub secret: ClientView,
    pub users: PoolsBuilder,
}

#[derive(Debug, thiserror::Error)]
#[error("provisioning failed at {step}: {source}")]
pub struct ProvisionError {
    pub step: String,
    #[source]
    pub source: ApiError,
}

fn at(step: impl Into<String>) -> impl FnOnce(ApiError) -> ProvisionError {
    let step = step.into();
    move |source| ProvisionError { step, source }
}

pub async fn create_pool(
    api: &Api,
    plan: &Plan,
    run_id: &str,
) -> Result<(String, ClientView, ClientView), ProvisionError> {
    let pool = &plan.pool;
    let names = |a: &[Attribute]| a.iter().map(|x| x.as_str()).collect::<Vec<_>>();
    let mut input = json!({
        "PoolName": pool.name.clone().unwrap_or_else(|| format!("cogbench-{}-{run_id}", plan.name)),
        "AutoVerifiedAttributes": names(&pool.auto_verified_attributes),
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
    });
    if !pool.alias_attributes.is_empty() {
        input["AliasAttributes"] = json!(names(&pool.alias_attributes));
    }
    if !pool.username_attributes.is_empty() {
        input["UsernameAttributes"] = json!(names(&pool.username_attributes));
    }
    let out = api
        .call(Operation::CreateUserPool, &input)
        .await
        .map_err(at("CreateUserPool"))?;
    let pool_id = out["UserPool"]["Id"]
        .as_str()
        .ok_or_else(|| malformed("CreateUserPool", "no UserPool.Id in the answer"))?
        .to_owned();
    let mut clients = Vec::new();
    for (name, secret, puee) in [
        ("cogbench-public", false, pool.public_client),
        ("cogbench-secret", true, pool.secret_client),
    ] {
        let out = api
            .call(
                Operation::CreateUserPoolClient,
                &json!({
                    "UserPoolId": pool_id,
                    "ClientName": name,
                    "GenerateSecret": secret,
                    "PreventUserExistenceErrors": puee.as_str(),
                }),
            )
            .await
            .map_err(at(format!("CreateUserPoolClient ({name})")))?;
        let client = &out["UserPoolClient"];
        let client_id = client["ClientId"]
            .as_str()
            .ok_or_else(|| malformed("CreateUserPoolClient", "no UserPoolClient.ClientId"))?
            .to_owned();
        let client_secret = client["ClientSecret"].as_str().map(str::to_owned);
        if secret && client_secret.is_none() {
            return Err(malformed(
                "CreateUserPoolClient",
                "GenerateSecret was true but no ClientSecret came back",
            ));
        }
        clients.push(ClientView {
            client_id,
            secret: client_secret,
        });
    }
    let secret = clients.pop().expect("two clients");
    let public = clients.pop().expect("two clients");
    Ok((pool_id, public, secret))
}

fn malformed(what: &str, detail: &str) -> ProvisionError {
    ProvisionError {
        step: what.to_owned(),
        source: ApiError::Malformed {
            what: what.to_owned(),
            status: 200,
            detail: detail.to_owned(),
        },
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Job {
    Fresh,
    Unconfirmed,
    Confirmed,
    Holder,
    Claimant,
}

struct Ctx {
    api: Api,
    plan: Arc<Plan>,
    run_id: String,
    pool_id: String,
    public: ClientView,
    password: String,
}

pub async fn provision(
    api: &Api,
    plan: Arc<Plan>,
    run_id: &str,
) -> Result<Fixtures, ProvisionError> {
    let (pool_id, public, secret) = create_pool(api, &plan, run_id).await?;
    let u = &plan.users;
    let password = u
        .password
        .as_ref()
        .map(|s| s.0.clone())
        // Meets Cognito's default policy: 8+ characters, upper, lower, digit, symbol.
        .unwrap_or_else(|| format!("Cb-{run_id}-Passw0rd!"));
    let ctx = Arc::new(Ctx {
        api: api.clone(),
        plan: plan.clone(),
        run_id: run_id.to_owned(),
        pool_id: pool_id.clone(),
        public: public.clone(),
        password,
    });
    let pairs = u.contested_fresh + u.contested_reusable;
    // Holders first: the claimant's sign-up then meets an alias that is already verified.
    let mut jobs: Vec<(Job, u64, u64)> = Vec::new();
    let mut n = 0u64;
    let mut push = |job, count: u64, jobs: &mut Vec<(Job, u64, u64)>| {
        for _ in 0..count {
            jobs.push((job, n, n));
            n += 1;
        }
    };
    push(Job::Holder, pairs, &mut jobs);
    push(Job::Fresh, u.fresh, &mut jobs);
    push(Job::Unconfirmed, u.unconfirmed, &mut jobs);
    push(Job::Confirmed, u.confirmed, &mut jobs);
    let secrets = [
        ctx.password.as_str(),
        secret.secret.as_deref().unwrap_or_default(),
    ];
    let redact = |e: ProvisionError| ProvisionError {
        step: e.step,
        source: e.source.redacted(&secrets),
    };
    let holders_and_singles = run_jobs(&ctx, jobs).await.map_err(redact)?;
    // Holder i was user #i: claimant i shares its email.
    let claimant_jobs: Vec<(Job, u64, u64)> =
        (0..pairs).map(|i| (Job::Claimant, n + i, i)).collect();
    let claimants = run_jobs(&ctx, claimant_jobs).await.map_err(redact)?;

    let mut b = PoolsBuilder::default();
    let mut holders = Vec::new();
    for (job, user) in holders_and_singles {
        match job {
            Job::Fresh => b.fresh.push(user),
            Job::Unconfirmed => b.unconfirmed.push(user),
            Job::Confirmed => b.confirmed.push(user),
            Job::Holder => holders.push(user),
            Job::Claimant => unreachable!("claimants run in the second stage"),
        }
    }
    for (i, ((_, claimant), holder)) in claimants.into_iter().zip(holders).enumerate() {
        let pair = ContestedPair { holder, claimant };
        if (i as u64) < u.contested_fresh {
            b.contested_fresh.push(pair);
        } else {
            b.contested_reusable.push(pair);
        }
    }
    Ok(Fixtures {
        pool_id,
        public,
        secret,
        users: b,
    })
}

/// Runs jobs on a fixed set of workers; results come back in job order.
async fn run_jobs(
    ctx: &Arc<Ctx>,
    jobs: Vec<(Job, u64, u64)>,
) -> Result<Vec<(Job, UserRecord)>, ProvisionError> {
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..WORKERS.min(jobs.len().max(1)) {
        let (ctx, jobs, next, failed) = (ctx.clone(), jobs.clone(), next.clone(), failed.clone());
        set.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                if i >= jobs.len() || failed.load(Ordering::Relaxed) {
                    return Ok(done);
                }
                let (job, n, email_n) = jobs[i];
                match one_user(&ctx, job, n, email_n).await {
                    Ok(user) => done.push((i, job, user)),
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            }
        });
    }
    let mut all = Vec::with_capacity(jobs.len());
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        match joined.expect("provisioning workers do not panic") {
            Ok(done) => all.extend(done),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    all.sort_by_key(|(i, _, _)| *i);
    Ok(all.into_iter().map(|(_, job, user)| (job, user)).collect())
}

async fn one_user(ctx: &Ctx, job: Job, n: u64, email_n: u64) -> Result<UserRecord, ProvisionError> {
    let users = &ctx.plan.users;
    let by_email = !ctx.plan.pool.username_attributes.is_empty();
    let email = users.email.render(&ctx.run_id, email_n);
    let username = if by_email {
        email.clone()
    } else {
        users.username.render(&ctx.run_id, n)
    };
    let step = |what: &str| format!("{what} of user #{n}");
    let out = ctx
        .api
        .call(
            Operation::SignUp,
            &json!({
                "ClientId": ctx.public.client_id,
                "Username": username,
                "Password": ctx.password,
                "UserAttributes": [{"Name": "email", "Value": email}],
            }),
        )
        .await
        .map_err(at(step("SignUp")))?;
    let sub = out["UserSub"].as_str().unwrap_or_default().to_owned();
    if sub.is_empty() {
        return Err(malformed("SignUp", "no UserSub in the answer"));
    }
    let internal = if by_email {
        sub.clone()
    } else {
        username.clone()
    };
    let code = ctx
        .api
        .code(&ctx.pool_id, &internal)
        .await
        .map_err(at(step("reading the code")))?;
    if matches!(job, Job::Confirmed | Job::Holder) {
        let out: Value = ctx
            .api
            .call(
                Operation::ConfirmSignUp,
                &json!({"ClientId": ctx.public.client_id, "Username": username, "ConfirmationCode": code}),
            )
            .await
            .map_err(at(step("ConfirmSignUp (set-up)")))?;
        drop(out);
    }
    Ok(UserRecord {
        username,
        sub,
        email,
        code,
        internal,
    })
}

pub async fn delete_pool(api: &Api, pool_id: &str) -> Result<(), ApiError> {
    api.call(Operation::DeleteUserPool, &json!({"UserPoolId": pool_id}))
        .await
        .map(drop)
}
