//! Fixtures through the Cognito API itself: a pool, a public and a secret app client, and
//! users in every state the mix needs, with their codes read through the code source.

use std::sync::Arc;

use serde_json::{Value, json};

use super::api::{Api, ApiError};
use super::codes;
use crate::cases::{ClientView, PoolVariant, Slot};
use crate::protocol::Operation;
use crate::scenario::existing::ListedUser;
use crate::scenario::{Attribute, Plan, PoolPlan, Secret, UserExistenceErrors};
use crate::users::{PoolsBuilder, Supply, SupplyState, Tenant, UserRecord};

/// Concurrent provisioning calls: enough to hide loopback latency, few enough to stay
/// inside a real pool's request-rate quotas when pointed at one.
const WORKERS: usize = 32;

#[derive(Debug)]
pub struct Fixtures {
    pub pool_id: String,
    pub clients: Clients,
    pub users: PoolsBuilder,
}

impl Fixtures {
    /// For runs whose cases need no pool (the `raw` bench case).
    pub fn none() -> Fixtures {
        let nobody = ClientView {
            client_id: String::new(),
            secret: None,
        };
        Fixtures {
            pool_id: String::new(),
            clients: Clients {
                public: nobody.clone(),
                secret: nobody.clone(),
                hiding: nobody,
            },
            users: PoolsBuilder::default(),
        }
    }
}

/// The app clients every run creates.
#[derive(Debug, Clone)]
pub struct Clients {
    /// No secret; PreventUserExistenceErrors as the scenario says (LEGACY by default).
    pub public: ClientView,
    /// A generated secret.
    pub secret: ClientView,
    /// No secret; PreventUserExistenceErrors ENABLED, whatever the scenario says.
    pub hiding: ClientView,
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

/// The pools a run created, recorded the moment CreateUserPool answers: whatever fails or is
/// interrupted after that, the run knows what to delete.
#[derive(Debug, Clone, Default)]
pub struct Created {
    ids: Arc<std::sync::Mutex<Vec<String>>>,
    /// CreateUserPool calls still under way.
    pending: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Created {
    fn add(&self, pool_id: &str) {
        lock(&self.ids).push(pool_id.to_owned());
    }

    pub fn pool_ids(&self) -> Vec<String> {
        lock(&self.ids).clone()
    }

    /// CreateUserPool, carried to its end even when the caller stops waiting: an interrupt
    /// drops the set-up, but a pool the target is already making must still be known, or it
    /// would outlive the run on a real account.
    pub async fn create_user_pool(
        &self,
        api: &Api,
        pool: &PoolPlan,
        name: &str,
    ) -> Result<String, ProvisionError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (api, pool, name, me) = (api.clone(), pool.clone(), name.to_owned(), self.clone());
        let task = tokio::spawn(async move {
            let made = create_user_pool(&api, &pool, &name).await;
            if let Ok(id) = &made {
                me.add(id);
            }
            let _ = tx.send(made);
        });
        lock(&self.pending).push(task);
        rx.await.unwrap_or_else(|_| {
            Err(ProvisionError {
                step: "creating the user pool".into(),
                source: ApiError::Malformed {
                    what: "CreateUserPool".into(),
                    status: 0,
                    detail: "the call was lost".into(),
                },
            })
        })
    }

    /// Waits for the CreateUserPool calls still under way (each bounded by the read timeout),
    /// so that `pool_ids` holds every pool the target made.
    pub async fn settle(&self) {
        let tasks = std::mem::take(&mut *lock(&self.pending));
        for t in tasks {
            let _ = t.await;
        }
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub async fn create_pool(
    api: &Api,
    plan: &Plan,
    index: usize,
    run_id: &str,
    created: &Created,
) -> Result<(String, Clients), ProvisionError> {
    let run = &plan.pools[index];
    let pool = &run.pool;
    let name = pool.name.clone().unwrap_or_else(|| match run.variant {
        PoolVariant::Scenario => format!("cogbench-{}-{run_id}", plan.name),
        v => format!("cogbench-{}-{run_id}-{}", plan.name, v.as_str()),
    });
    let pool_id = created.create_user_pool(api, pool, &name).await?;
    let mut clients = Vec::new();
    for (name, secret, puee) in [
        ("cogbench-public", false, pool.public_client),
        ("cogbench-secret", true, pool.secret_client),
        ("cogbench-hiding", false, UserExistenceErrors::Enabled),
    ] {
        clients.push(create_client(api, &pool_id, name, secret, puee).await?);
    }
    let hiding = clients.pop().expect("three clients");
    let secret = clients.pop().expect("three clients");
    let public = clients.pop().expect("three clients");
    Ok((
        pool_id,
        Clients {
            public,
            secret,
            hiding,
        },
    ))
}

/// CreateUserPool with the scenario's pool settings; the new pool's id.
pub async fn create_user_pool(
    api: &Api,
    pool: &PoolPlan,
    name: &str,
) -> Result<String, ProvisionError> {
    let names = |a: &[Attribute]| a.iter().map(|x| x.as_str()).collect::<Vec<_>>();
    let mut input = json!({
        "PoolName": name,
        "AutoVerifiedAttributes": names(&pool.auto_verified_attributes),
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
    });
    if !pool.alias_attributes.is_empty() {
        input["AliasAttributes"] = json!(names(&pool.alias_attributes));
    }
    if !pool.username_attributes.is_empty() {
        input["UsernameAttributes"] = json!(names(&pool.username_attributes));
    }
    if let Some(arn) = &pool.post_confirmation {
        input["LambdaConfig"] = json!({ "PostConfirmation": arn });
    }
    if !pool.tags.is_empty() {
        let tags: serde_json::Map<String, serde_json::Value> = pool
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        input["UserPoolTags"] = serde_json::Value::Object(tags);
    }
    let out = api
        .call(Operation::CreateUserPool, &input)
        .await
        .map_err(at("CreateUserPool"))?;
    Ok(out["UserPool"]["Id"]
        .as_str()
        .ok_or_else(|| malformed("CreateUserPool", "no UserPool.Id in the answer"))?
        .to_owned())
}

/// CreateUserPoolClient: an app client of `pool_id`, with a generated secret or none.
pub async fn create_client(
    api: &Api,
    pool_id: &str,
    name: &str,
    secret: bool,
    puee: UserExistenceErrors,
) -> Result<ClientView, ProvisionError> {
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
    Ok(ClientView {
        client_id,
        secret: client_secret,
    })
}

/// The users' password: the scenario's, or one per run.
pub fn password(scenario: Option<&Secret>, run_id: &str) -> String {
    scenario
        .map(|s| s.0.clone())
        // Meets Cognito's default policy: 8+ characters, upper, lower, digit, symbol.
        .unwrap_or_else(|| format!("Cb-{run_id}-Passw0rd!"))
}

/// A SignUp request of a user with an email attribute (without SecretHash).
pub fn sign_up_input(client_id: &str, username: &str, password: &str, email: &str) -> Value {
    json!({
        "ClientId": client_id,
        "Username": username,
        "Password": password,
        "UserAttributes": [{"Name": "email", "Value": email}],
    })
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

/// What set-up a user gets after SignUp and reading its code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Prep {
    /// Stays UNCONFIRMED with its code.
    Signed,
    /// Confirmed with its code (CONFIRMED users, holders of a contested email).
    Confirmed,
    /// ResendConfirmationCode, then the new code is read.
    Resent,
}

/// One user to provision: its number (naming), the number whose email it uses, and its set-up.
#[derive(Clone, Copy, Debug)]
struct Job {
    n: u64,
    email_n: u64,
    /// Sign up with that email upper-cased (the holder's alias in another letter case).
    upper_email: bool,
    prep: Prep,
}

impl Job {
    /// User `n` with its own email.
    fn own(n: u64, prep: Prep) -> Job {
        Job {
            n,
            email_n: n,
            upper_email: false,
            prep,
        }
    }
}

struct Ctx {
    api: Api,
    plan: Arc<Plan>,
    /// Index into `plan.pools`.
    index: usize,
    run_id: String,
    pool_id: String,
    public: ClientView,
    password: String,
}

/// What one tenant of a slot takes: a CONFIRMED holder of the email first, if the slot has
/// one, then its members, each set up as `prep` says.
#[derive(Clone, Copy, Debug)]
struct Recipe {
    holder: bool,
    members: u64,
    prep: Prep,
    upper_email: bool,
}

impl Recipe {
    fn of(slot: Slot, crowd_size: u64) -> Recipe {
        Recipe {
            holder: slot.with_holder(),
            members: if slot == Slot::Crowd {
                crowd_size.max(1)
            } else {
                1
            },
            prep: match slot {
                Slot::Confirmed => Prep::Confirmed,
                Slot::ResentFresh | Slot::ResentReusable => Prep::Resent,
                _ => Prep::Signed,
            },
            upper_email: slot.upper_cases_email(),
        }
    }

    /// User numbers one tenant takes.
    fn numbers(self) -> u64 {
        u64::from(self.holder) + self.members
    }
}

/// One tenant made whole, its users numbered from `first`: the holder signs up and confirms
/// before the members who share its email.
async fn one_tenant(ctx: &Ctx, recipe: Recipe, first: u64) -> Result<Tenant, ProvisionError> {
    let holder = if recipe.holder {
        Some(one_user(ctx, Job::own(first, Prep::Confirmed)).await?)
    } else {
        None
    };
    let skip = u64::from(recipe.holder);
    let mut members = Vec::with_capacity(recipe.members as usize);
    for m in 0..recipe.members {
        let job = Job {
            n: first + skip + m,
            email_n: first,
            upper_email: recipe.upper_email,
            prep: recipe.prep,
        };
        members.push(one_user(ctx, job).await?);
    }
    let user = members.remove(0);
    Ok(Tenant {
        user,
        holder,
        crowd: members,
    })
}

/// Makes `count` tenants of `recipe`, their users numbered from `first`, on `workers` tasks,
/// and hands each over as soon as it is set up, keeping at most the channel's bound ready;
/// ends when every tenant is made, on the first failure (kept in `state` and `error`), or when
/// nobody takes users any more.
#[allow(clippy::too_many_arguments)]
async fn supply_users(
    ctx: Arc<Ctx>,
    first: u64,
    count: u64,
    recipe: Recipe,
    workers: usize,
    ready: tokio::sync::mpsc::Sender<Tenant>,
    state: Arc<SupplyState>,
    error: Arc<std::sync::Mutex<Option<ProvisionError>>>,
    secrets: Arc<[String]>,
) {
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..(workers as u64).min(count) {
        let (ctx, next, ready, state, error, secrets) = (
            ctx.clone(),
            next.clone(),
            ready.clone(),
            state.clone(),
            error.clone(),
            secrets.clone(),
        );
        set.spawn(async move {
            use std::sync::atomic::Ordering::Relaxed;
            use tokio::sync::mpsc::error::TrySendError;
            loop {
                let i = next.fetch_add(1, Relaxed);
                if i >= count || state.failure.get().is_some() {
                    return;
                }
                let tenant = match one_tenant(&ctx, recipe, first + i * recipe.numbers()).await {
                    Ok(tenant) => tenant,
                    Err(e) => {
                        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
                        let e = ProvisionError {
                            step: e.step,
                            source: e.source.redacted(&secrets),
                        };
                        let _ = state.failure.set(e.to_string());
                        lock(&error).get_or_insert(e);
                        return;
                    }
                };
                state.made.fetch_add(1, Relaxed);
                match ready.try_send(tenant) {
                    Ok(()) => {}
                    Err(TrySendError::Full(tenant)) => {
                        state.mark_filled();
                        if ready.send(tenant).await.is_err() {
                            return;
                        }
                    }
                    Err(TrySendError::Closed(_)) => return,
                }
                state
                    .stocked
                    .fetch_add(1, std::sync::atomic::Ordering::Release);
            }
        });
    }
    drop(ready);
    while set.join_next().await.is_some() {}
    state.mark_filled();
}

/// Codes of users in the `expired` slot must be older than Cognito's 24 h validity (spec §4.4).
const EXPIRY_ADVANCE_SECONDS: u64 = 24 * 3600 + 60;

/// Creates the pool `index` of the plan with its clients and users.
pub async fn provision(
    api: &Api,
    plan: Arc<Plan>,
    index: usize,
    run_id: &str,
    created: &Created,
) -> Result<Fixtures, ProvisionError> {
    let (pool_id, clients) = create_pool(api, &plan, index, run_id, created).await?;
    let u = &plan.pools[index].users;
    let password = password(u.password.as_ref(), run_id);
    let ctx = Arc::new(Ctx {
        api: api.clone(),
        plan: plan.clone(),
        index,
        run_id: run_id.to_owned(),
        pool_id: pool_id.clone(),
        public: clients.public.clone(),
        password,
    });
    let secrets = [
        ctx.password.as_str(),
        clients.secret.secret.as_deref().unwrap_or_default(),
    ];
    let redact = |e: ProvisionError| ProvisionError {
        step: e.step,
        source: e.source.redacted(&secrets),
    };

    // Users are numbered in slot order. Stage 0 runs before the clock moves 24 h forward
    // (expired codes); holders of a contested email sign up and confirm in stage 1, before the
    // users who share their email (stage 2).
    let mut next = 0u64;
    let number = |next: &mut u64| {
        *next += 1;
        *next - 1
    };
    let mut drafts: Vec<(Slot, Option<UserRecord>, Vec<UserRecord>)> = Vec::new();
    let mut stages: [Vec<(usize, Job, bool)>; 3] = Default::default();
    // Slots supplied on demand: (slot, first user number, tenants, stock).
    let mut on_demand: Vec<(Slot, u64, u64, u64)> = Vec::new();
    for slot in Slot::ALL {
        let recipe = Recipe::of(slot, u.crowd_size);
        if let Some(stock) = plan.on_demand_stock(index, slot, u.count(slot)) {
            // A reusable slot's rotation may leave up to a stock's worth of users partly
            // used when the load ends (see `users::Rotation`); users used once are never
            // left so.
            let tenants = if slot.single_use() || u.reuse_limit == 1 {
                u.count(slot)
            } else {
                u.count(slot) + stock
            };
            on_demand.push((slot, next, tenants, stock));
            next += tenants * recipe.numbers();
            continue;
        }
        for _ in 0..u.count(slot) {
            let tenant = drafts.len();
            drafts.push((slot, None, Vec::new()));
            if recipe.holder {
                let n = number(&mut next);
                stages[1].push((tenant, Job::own(n, Prep::Confirmed), true));
                for _ in 0..recipe.members {
                    let member = number(&mut next);
                    stages[2].push((
                        tenant,
                        Job {
                            n: member,
                            email_n: n,
                            upper_email: recipe.upper_email,
                            prep: recipe.prep,
                        },
                        false,
                    ));
                }
            } else {
                let n = number(&mut next);
                let stage = if slot == Slot::Expired { 0 } else { 1 };
                stages[stage].push((tenant, Job::own(n, recipe.prep), false));
            }
        }
    }
    for (i, stage) in stages.into_iter().enumerate() {
        if i == 1 && u.count(Slot::Expired) > 0 {
            api.advance_clock(EXPIRY_ADVANCE_SECONDS)
                .await
                .map_err(at("advancing the clock"))?;
        }
        let jobs: Vec<Job> = stage.iter().map(|(_, job, _)| *job).collect();
        let users = run_jobs(&ctx, jobs).await.map_err(redact)?;
        for ((tenant, _, is_holder), user) in stage.into_iter().zip(users) {
            let draft = &mut drafts[tenant];
            if is_holder {
                draft.1 = Some(user);
            } else {
                draft.2.push(user);
            }
        }
    }
    let mut b = PoolsBuilder::default();
    for (slot, holder, mut members) in drafts {
        let user = members.remove(0);
        b.push(
            slot,
            Tenant {
                user,
                holder,
                crowd: members,
            },
        );
    }
    let secrets: Arc<[String]> = secrets.iter().map(|s| (*s).to_owned()).collect();
    let error = Arc::new(std::sync::Mutex::new(None));
    for (slot, first, count, stock) in on_demand {
        let recipe = Recipe::of(slot, u.crowd_size);
        let (tx, rx) = tokio::sync::mpsc::channel(stock as usize);
        let state = Arc::new(SupplyState::default());
        let workers = super::workers::signup_workers(plan.target.kind, WORKERS);
        let task = tokio::spawn(supply_users(
            ctx.clone(),
            first,
            count,
            recipe,
            workers,
            tx,
            state.clone(),
            error.clone(),
            secrets.clone(),
        ));
        b.supply(
            slot,
            Supply::new(rx, count, stock as usize, state, task.abort_handle()),
        );
    }
    // The load starts with every stock full: its first requests never wait for a sign-up.
    if b.filled().await.is_err()
        && let Some(e) = lock(&error).take()
    {
        return Err(e);
    }
    Ok(Fixtures {
        pool_id,
        clients,
        users: b,
    })
}

/// Runs jobs on the sign-up workers; results come back in job order.
async fn run_jobs(ctx: &Arc<Ctx>, jobs: Vec<Job>) -> Result<Vec<UserRecord>, ProvisionError> {
    let workers = super::workers::signup_workers(ctx.plan.target.kind, WORKERS);
    let (ctx, jobs) = (ctx.clone(), Arc::new(jobs));
    super::workers::run_jobs(jobs.len(), workers, move |i| {
        let (ctx, jobs) = (ctx.clone(), jobs.clone());
        async move { one_user(&ctx, jobs[i]).await }
    })
    .await
}

/// Tries after a throttle, before giving up: TooManyRequestsException says the call was not
/// carried out, so trying again is safe; and a long run's sign-ups, spread over its load, would
/// otherwise end it at the first throttle.
const THROTTLE_WAITS_MS: [u64; 3] = [100, 400, 1600];

async fn call_patiently(api: &Api, op: Operation, input: &Value) -> Result<Value, ApiError> {
    for wait in THROTTLE_WAITS_MS {
        match api.call(op, input).await {
            Err(ApiError::Service { error_type, .. })
                if error_type.ends_with("TooManyRequestsException") =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            }
            done => return done,
        }
    }
    api.call(op, input).await
}

async fn one_user(ctx: &Ctx, job: Job) -> Result<UserRecord, ProvisionError> {
    let run = &ctx.plan.pools[ctx.index];
    let users = &run.users;
    let by_email = !run.pool.username_attributes.is_empty();
    let mut email = users.email.render(&ctx.run_id, job.email_n);
    if job.upper_email {
        email = email.to_uppercase();
    }
    let username = if by_email {
        email.clone()
    } else {
        users.username.render(&ctx.run_id, job.n)
    };
    let step = |what: &str| format!("{what} of user #{}", job.n);
    let out = call_patiently(
        &ctx.api,
        Operation::SignUp,
        &sign_up_input(&ctx.public.client_id, &username, &ctx.password, &email),
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
    let mut code = codes::read(&ctx.plan.target.codes, &ctx.api, &ctx.pool_id, &internal)
        .await
        .map_err(at(step("reading the code")))?;
    let mut old_code = String::new();
    match job.prep {
        Prep::Signed => {}
        Prep::Confirmed => {
            call_patiently(
                &ctx.api,
                Operation::ConfirmSignUp,
                &json!({"ClientId": ctx.public.client_id, "Username": username, "ConfirmationCode": code}),
            )
            .await
                // A target may echo the request, code included, in its error.
                .map_err(|e| e.redacted(&[code.as_str()]))
                .map_err(at(step("ConfirmSignUp (set-up)")))?;
        }
        Prep::Resent => {
            call_patiently(
                &ctx.api,
                Operation::ResendConfirmationCode,
                &json!({"ClientId": ctx.public.client_id, "Username": username}),
            )
            .await
            .map_err(at(step("ResendConfirmationCode")))?;
            old_code = std::mem::replace(
                &mut code,
                codes::read(&ctx.plan.target.codes, &ctx.api, &ctx.pool_id, &internal)
                    .await
                    .map_err(at(step("reading the resent code")))?,
            );
        }
    }
    Ok(UserRecord {
        username,
        sub,
        email,
        code,
        old_code,
        internal,
    })
}

/// Existing-pool mode: the named pool and client, and the listed users dealt into the slots
/// in file order (expired codes to `expired`, the first live rows to the reusable slots, with
/// CONFIRMED users confirmed now with their codes, the rest to `fresh`). Nothing is created.
/// Fresh users are read from the file as the load takes them, a bounded stock ahead.
pub async fn adopt_listed(
    api: &Api,
    plan: Arc<Plan>,
    index: usize,
) -> Result<Fixtures, ProvisionError> {
    let run = &plan.pools[index];
    let existing = run
        .pool
        .existing
        .as_ref()
        .expect("adopt_listed is called for existing pools");
    let listed = run
        .users
        .listed
        .clone()
        .expect("existing pools list their users");
    let client = ClientView {
        client_id: existing.client_id.clone(),
        secret: existing.client_secret.as_ref().map(|s| s.0.clone()),
    };
    let adopter = Arc::new(Adopter {
        api: api.clone(),
        plan: plan.clone(),
        index,
        client: client.clone(),
    });
    let u = &run.users;
    let read = |rows: Result<crate::scenario::existing::Rows, String>| {
        rows.map_err(|detail| ProvisionError {
            step: "reading users.from_csv".into(),
            source: ApiError::Input {
                what: "users.from_csv".into(),
                detail,
            },
        })
    };
    let dealer = listed.clone();
    let mut live = read(listed.read())?
        .filter(move |r| r.as_ref().is_ok_and(|l| dealer.is_live(l)) || r.is_err());
    let mut b = PoolsBuilder::default();
    for slot in [Slot::Confirmed, Slot::Unconfirmed] {
        for i in 0..u.count(slot) {
            b.push(slot, adopter.adopt(slot, i, live.next()).await?);
        }
    }
    if u.count(Slot::Expired) > 0 {
        let dealer = listed.clone();
        let mut expired = read(listed.read())?
            .filter(move |r| r.as_ref().is_ok_and(|l| dealer.is_expired(l)) || r.is_err());
        for i in 0..u.count(Slot::Expired) {
            b.push(
                Slot::Expired,
                adopter.adopt(Slot::Expired, i, expired.next()).await?,
            );
        }
    }
    let fresh = u.count(Slot::Fresh);
    if fresh > 0 {
        // The stock as for users signed up on demand; all of them when the run is short.
        let stock = crate::scenario::on_demand::on_demand_stock(
            &plan.phases,
            !u.on_demand,
            Slot::Fresh,
            fresh,
        )
        .unwrap_or(fresh)
        .max(1);
        let (tx, rx) = tokio::sync::mpsc::channel(stock as usize);
        let state = Arc::new(SupplyState::default());
        let (adopter, st) = (adopter.clone(), state.clone());
        let task = tokio::spawn(async move {
            use std::sync::atomic::Ordering;
            for i in 0..fresh {
                let tenant = match adopter.adopt(Slot::Fresh, i, live.next()).await {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = st.failure.set(e.to_string());
                        break;
                    }
                };
                st.made.fetch_add(1, Ordering::Relaxed);
                if let Err(tokio::sync::mpsc::error::TrySendError::Full(tenant)) =
                    tx.try_send(tenant)
                {
                    st.mark_filled();
                    if tx.send(tenant).await.is_err() {
                        break;
                    }
                }
                st.stocked.fetch_add(1, Ordering::Release);
            }
            st.mark_filled();
        });
        b.supply(
            Slot::Fresh,
            Supply::new(rx, fresh, stock as usize, state, task.abort_handle()),
        );
    }
    if let Err(why) = b.filled().await {
        return Err(ProvisionError {
            step: "adopting the listed users".into(),
            source: ApiError::Input {
                what: "users.from_csv".into(),
                detail: why,
            },
        });
    }
    Ok(Fixtures {
        pool_id: existing.id.clone(),
        clients: Clients {
            public: client.clone(),
            secret: client.clone(),
            hiding: client,
        },
        users: b,
    })
}

/// What adopting a listed user needs, shared with the task that reads fresh users.
struct Adopter {
    api: Api,
    plan: Arc<Plan>,
    index: usize,
    client: ClientView,
}

impl Adopter {
    /// The `i`-th listed user of `slot` (the row read for it, or `None` when the file ended
    /// early): its code read if the row has none, confirmed now for the CONFIRMED slot.
    async fn adopt(
        &self,
        slot: Slot,
        i: u64,
        row: Option<Result<ListedUser, String>>,
    ) -> Result<Tenant, ProvisionError> {
        let run = &self.plan.pools[self.index];
        let pool_id = &run.pool.existing.as_ref().expect("an existing pool").id;
        let step = |what: &str| format!("{what} of listed user #{i} ({} slot)", slot.name());
        let input = |detail: String| ProvisionError {
            step: step("reading users.from_csv"),
            source: ApiError::Input {
                what: "users.from_csv".into(),
                detail,
            },
        };
        let listed = match row {
            Some(Ok(l)) => l,
            Some(Err(why)) => return Err(input(why)),
            None => {
                return Err(input(
                    "the file has fewer users than when the run started: it changed under the run"
                        .into(),
                ));
            }
        };
        let client = &self.client;
        let secret = client.secret.clone().unwrap_or_default();
        let redact = |e: ProvisionError| ProvisionError {
            step: e.step,
            source: e.source.redacted(&[secret.as_str()]),
        };
        let by_email = !run.pool.username_attributes.is_empty();
        let internal = if by_email && !listed.sub.is_empty() {
            listed.sub.clone()
        } else {
            listed.username.clone()
        };
        let code = if listed.code.is_empty() {
            codes::read(&self.plan.target.codes, &self.api, pool_id, &internal)
                .await
                .map_err(at(step("reading the code")))
                .map_err(redact)?
        } else {
            listed.code.clone()
        };
        if slot == Slot::Confirmed {
            let mut input = json!({
                "ClientId": client.client_id,
                "Username": listed.username,
                "ConfirmationCode": code,
            });
            if let Some(secret) = &client.secret {
                input["SecretHash"] = json!(crate::protocol::secret_hash(
                    secret,
                    &listed.username,
                    &client.client_id
                ));
            }
            let hide = [secret.as_str(), code.as_str()];
            self.api
                .call(Operation::ConfirmSignUp, &input)
                .await
                .map_err(|e| ProvisionError {
                    step: step("ConfirmSignUp (set-up)"),
                    source: e.redacted(&hide),
                })?;
        }
        Ok(Tenant::single(
            UserRecord {
                username: listed.username,
                sub: listed.sub,
                email: listed.email,
                code,
                old_code: String::new(),
                internal,
            },
            None,
        ))
    }
}

pub async fn delete_pool(api: &Api, pool_id: &str) -> Result<(), ApiError> {
    api.call(Operation::DeleteUserPool, &json!({"UserPoolId": pool_id}))
        .await
        .map(drop)
}
