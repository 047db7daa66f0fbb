//! Hands each request a user in the state its case needs. Single-use users are never handed
//! out twice; reusable users at most `reuse_limit` times; running out is an error, never a
//! silent fallback to a user in the wrong state.
//!
//! A slot's users are either all provisioned before the load (a shelf), or, when the run needs
//! more of them than a few seconds of its load use, supplied on demand: sign-up workers keep a
//! bounded stock of ready users just ahead of the load. A single-use user is handed over whole
//! and dropped once its request is judged; reusable users go round a bounded rotation, each
//! leaving it after its last use. Why: provisioning a long run's users up front made its
//! memory and its set-up grow with its length.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::mpsc::error::TryRecvError;

use crate::cases::{Slot, UserKind, UserView};

#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The string sent as `Username`.
    pub username: String,
    pub sub: String,
    pub email: String,
    /// The current code (for a CONFIRMED user, the one that confirmed it).
    pub code: String,
    /// The code before ResendConfirmationCode, for a resent user; empty otherwise.
    pub old_code: String,
    /// The name AdminGetUser is asked about.
    pub internal: String,
}

impl UserRecord {
    pub fn view(&self) -> UserView<'_> {
        UserView {
            username: &self.username,
            sub: &self.sub,
            email: &self.email,
            code: &self.code,
            old_code: &self.old_code,
        }
    }
}

/// The user a request is about, and for alias-contested users the CONFIRMED user who holds
/// the same email (for `alias-contested-other-case`, in other letter case) as a verified alias.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub user: UserRecord,
    pub holder: Option<UserRecord>,
    /// An alias crowd's other members (they share `user`'s email).
    pub crowd: Vec<UserRecord>,
}

impl Tenant {
    pub fn single(user: UserRecord, holder: Option<UserRecord>) -> Tenant {
        Tenant {
            user,
            holder,
            crowd: Vec::new(),
        }
    }

    /// The `i`-th member of a crowd (0 is `user`).
    pub fn member(&self, i: usize) -> &UserRecord {
        if i == 0 {
            &self.user
        } else {
            self.crowd.get(i - 1).unwrap_or(&self.user)
        }
    }

    /// The holder, then every member.
    pub fn everyone(&self) -> impl Iterator<Item = &UserRecord> {
        self.holder
            .iter()
            .chain(std::iter::once(&self.user))
            .chain(self.crowd.iter())
    }
}

#[derive(Debug, Default)]
struct Shelf {
    tenants: Vec<Tenant>,
    next: AtomicU64,
}

/// The ready users of a slot supplied on demand, and what the sign-up workers filling it say.
#[derive(Debug)]
pub struct Supply {
    ready: tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Tenant>>,
    /// How many users this slot gets in all (the plan's count).
    planned: u64,
    stock: usize,
    handed: AtomicU64,
    /// Takes that found no ready user and waited for one.
    waited: AtomicU64,
    /// Takes so far, each a claim on one stocked user (a take that gives up returns its
    /// claim).
    claims: AtomicU64,
    state: Arc<SupplyState>,
    workers: tokio::task::AbortHandle,
}

/// What the sign-up workers and the load share about a supply.
#[derive(Debug, Default)]
pub struct SupplyState {
    /// Users signed up and set up so far.
    pub made: AtomicU64,
    /// Users handed to the stock so far (`made` less those still on their way to it).
    pub stocked: AtomicU64,
    /// Why the workers stopped before making every planned user.
    pub failure: OnceLock<String>,
    /// Set once the stock was first full, or the workers stopped: the load may start.
    filled: AtomicBool,
    filled_notify: tokio::sync::Notify,
}

impl SupplyState {
    /// The stock is full for the first time (or will never fill): the load may start.
    pub fn mark_filled(&self) {
        if !self.filled.swap(true, Ordering::AcqRel) {
            self.filled_notify.notify_waiters();
        }
    }

    async fn filled(&self) {
        loop {
            let notified = self.filled_notify.notified();
            if self.filled.load(Ordering::Acquire) {
                return;
            }
            notified.await;
        }
    }
}

impl Supply {
    /// A supply of `planned` users fed by `ready`, whose workers run as `workers`; `stock` is
    /// the channel's bound.
    pub fn new(
        ready: tokio::sync::mpsc::Receiver<Tenant>,
        planned: u64,
        stock: usize,
        state: Arc<SupplyState>,
        workers: tokio::task::AbortHandle,
    ) -> Supply {
        Supply {
            ready: tokio::sync::Mutex::new(ready),
            planned,
            stock,
            handed: AtomicU64::new(0),
            waited: AtomicU64::new(0),
            claims: AtomicU64::new(0),
            state,
            workers,
        }
    }

    /// Waits until the stock is first full (or the workers stopped).
    pub async fn filled(&self) {
        self.state.filled().await;
    }

    /// Why the workers stopped early, if they did.
    pub fn failure(&self) -> Option<&str> {
        self.state.failure.get().map(String::as_str)
    }

    /// A ready user, without waiting for one.
    fn try_take(&self) -> Option<Tenant> {
        let mut ready = self.ready.try_lock().ok()?;
        let tenant = ready.try_recv().ok()?;
        self.claims.fetch_add(1, Ordering::AcqRel);
        self.handed.fetch_add(1, Ordering::Relaxed);
        Some(tenant)
    }

    async fn take(&self) -> Option<Tenant> {
        // Each take claims one of the users stocked so far: one that finds none left to claim
        // waits, however it then queues (behind the lock, or for the next sign-up).
        let stocked = self.state.stocked.load(Ordering::Acquire);
        let mut claim = Claim {
            claims: &self.claims,
            kept: false,
        };
        if self.claims.fetch_add(1, Ordering::AcqRel) >= stocked {
            self.waited.fetch_add(1, Ordering::Relaxed);
        }
        let mut ready = self.ready.lock().await;
        let tenant = match ready.try_recv() {
            Ok(t) => Some(t),
            Err(TryRecvError::Disconnected) => None,
            Err(TryRecvError::Empty) => ready.recv().await,
        };
        if tenant.is_some() {
            claim.kept = true;
            self.handed.fetch_add(1, Ordering::Relaxed);
        }
        tenant
    }
}

impl Supply {
    fn exhausted(&self, slot: Slot, reuse_limit: u64) -> Exhausted {
        Exhausted {
            what: slot.describe(),
            provisioned: self.state.made.load(Ordering::Relaxed) as usize,
            reuse_limit,
            failure: self.failure().map(str::to_owned),
        }
    }

    fn on_demand(&self) -> OnDemand {
        OnDemand {
            stock: self.stock as u64,
            planned: self.planned,
            waited: self.waited.load(Ordering::Relaxed),
        }
    }
}

/// A take's claim on a stocked user, given back unless the take got one (it found the supply
/// over, or gave up waiting when the load ended).
struct Claim<'a> {
    claims: &'a AtomicU64,
    kept: bool,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.claims.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Supply {
    fn drop(&mut self) {
        self.workers.abort();
    }
}

enum Source {
    Shelf(Shelf),
    Supply(Supply),
    Rotation(Rotation),
}

/// A reusable slot supplied on demand: a rotation of at most about `window` users, handed out
/// round-robin so that concurrent requests spread over them; each leaves the rotation once
/// it has been handed out `limit` times, and the next take brings a new one from the supply.
/// So at most a window of reusable users is held, however long the run.
#[derive(Debug)]
struct Rotation {
    supply: Supply,
    window: usize,
    limit: u64,
    members: std::sync::Mutex<Members>,
    /// Uses handed out so far.
    used: AtomicU64,
}

#[derive(Debug, Default)]
struct Members {
    /// Each user with the uses it has left.
    users: Vec<(Arc<Tenant>, u64)>,
    next: usize,
}

impl Rotation {
    async fn take(&self) -> Option<Arc<Tenant>> {
        {
            let mut m = self.lock();
            if m.users.len() >= self.window {
                return Some(self.hand_out(&mut m));
            }
        }
        // The rotation is not full: it grows by a ready user, or, when none is ready, hands
        // out one of those it holds rather than wait. Several takes may find it so at once,
        // each bringing a user: it then holds a few more than `window` for a while.
        if let Some(t) = self.supply.try_take() {
            return Some(self.join(t));
        }
        {
            let mut m = self.lock();
            if !m.users.is_empty() {
                return Some(self.hand_out(&mut m));
            }
        }
        match self.supply.take().await {
            Some(t) => Some(self.join(t)),
            // The supply is over: what the rotation still holds is all there is.
            None => {
                let mut m = self.lock();
                (!m.users.is_empty()).then(|| self.hand_out(&mut m))
            }
        }
    }

    /// The next user round-robin; it leaves once its uses are given. `m` is not empty.
    fn hand_out(&self, m: &mut Members) -> Arc<Tenant> {
        let i = m.next % m.users.len();
        let (tenant, left) = &mut m.users[i];
        let tenant = tenant.clone();
        *left -= 1;
        if *left == 0 {
            // Its place goes to the last user, which is handed out next.
            m.users.swap_remove(i);
        } else {
            m.next = i + 1;
        }
        self.used.fetch_add(1, Ordering::Relaxed);
        tenant
    }

    /// A new user, handed out for its first use and kept for the others.
    fn join(&self, tenant: Tenant) -> Arc<Tenant> {
        let tenant = Arc::new(tenant);
        if self.limit > 1 {
            self.lock().users.push((tenant.clone(), self.limit - 1));
        }
        self.used.fetch_add(1, Ordering::Relaxed);
        tenant
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Members> {
        self.members
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Shelf {
    /// Round-robin, so concurrent requests spread over the users.
    fn take(&self, limit: u64) -> Option<&Tenant> {
        let n = self.tenants.len() as u64;
        if n == 0 {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < n.saturating_mul(limit)).then(|| &self.tenants[(i % n) as usize])
    }

    fn used(&self, limit: u64) -> u64 {
        self.next
            .load(Ordering::Relaxed)
            .min(self.tenants.len() as u64 * limit)
    }
}

/// The user handed to one request.
#[derive(Debug)]
pub enum Lease<'a> {
    Tenant(&'a Tenant),
    /// A user supplied on demand: this request's alone, dropped with the lease.
    Owned(Box<Tenant>),
    /// A reusable user supplied on demand: shared with the other requests of its rotation.
    Shared(Arc<Tenant>),
    /// A name no user has.
    Unknown(String),
    None,
}

impl Lease<'_> {
    pub fn tenant(&self) -> Option<&Tenant> {
        match self {
            Lease::Tenant(t) => Some(t),
            Lease::Owned(t) => Some(t),
            Lease::Shared(t) => Some(t),
            Lease::Unknown(_) | Lease::None => None,
        }
    }

    pub fn view(&self) -> UserView<'_> {
        match self {
            Lease::Tenant(t) => t.user.view(),
            Lease::Owned(t) => t.user.view(),
            Lease::Shared(t) => t.user.view(),
            Lease::Unknown(name) => UserView {
                username: name,
                sub: "",
                email: "",
                code: "",
                old_code: "",
            },
            Lease::None => UserView {
                username: "",
                sub: "",
                email: "",
                code: "",
                old_code: "",
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match failure {
    Some(why) => format!("provisioning {what} users on demand stopped after {provisioned}: {why}"),
    None => format!("ran out of {what} users after {provisioned} were provisioned{}", if *reuse_limit > 1 { format!(" (each used up to {reuse_limit} times)") } else { String::new() }),
})]
pub struct Exhausted {
    pub what: &'static str,
    pub provisioned: usize,
    pub reuse_limit: u64,
    /// The sign-up workers of an on-demand slot failed: why.
    pub failure: Option<String>,
}

/// Provisioned users, by slot, and the slots supplied on demand.
#[derive(Debug, Default)]
pub struct PoolsBuilder {
    shelves: std::collections::BTreeMap<Slot, Vec<Tenant>>,
    supplies: std::collections::BTreeMap<Slot, Supply>,
}

impl PoolsBuilder {
    pub fn push(&mut self, slot: Slot, tenant: Tenant) {
        self.shelves.entry(slot).or_default().push(tenant);
    }

    /// The slot's users come from `supply` instead of a shelf.
    pub fn supply(&mut self, slot: Slot, supply: Supply) {
        self.supplies.insert(slot, supply);
    }

    pub fn len(&self, slot: Slot) -> usize {
        self.shelves.get(&slot).map_or(0, Vec::len)
    }

    /// Waits until every on-demand slot's stock is first full, so that the load does not
    /// start by waiting for users; the first failure of a slot's workers, if any: workers
    /// that fail before the load stop the set-up, as they would provisioning first.
    pub async fn filled(&self) -> Result<(), String> {
        for (slot, supply) in &self.supplies {
            supply.filled().await;
            if let Some(why) = supply.failure() {
                return Err(format!("provisioning {} users: {why}", slot.describe()));
            }
        }
        Ok(())
    }
}

/// How many users of a slot were provisioned and handed out.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub provisioned: u64,
    pub used: u64,
    /// For a slot supplied on demand: how it went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_demand: Option<OnDemand>,
}

/// A slot supplied on demand: its stock's bound, how many users it was to get in all, and how
/// many starts found no ready user and waited for one to be signed up.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OnDemand {
    pub stock: u64,
    pub planned: u64,
    pub waited: u64,
}

pub struct UserPools {
    sources: Vec<Source>,
    unknown_next: AtomicU64,
    run_id: String,
    reuse_limit: u64,
}

impl UserPools {
    pub fn new(mut b: PoolsBuilder, run_id: &str, reuse_limit: u64) -> UserPools {
        UserPools {
            sources: Slot::ALL
                .iter()
                .map(|s| match b.supplies.remove(s) {
                    Some(supply) if s.single_use() => Source::Supply(supply),
                    Some(supply) => Source::Rotation(Rotation {
                        window: supply.stock.max(1),
                        limit: reuse_limit.max(1),
                        supply,
                        members: Default::default(),
                        used: AtomicU64::new(0),
                    }),
                    None => Source::Shelf(Shelf {
                        tenants: b.shelves.remove(s).unwrap_or_default(),
                        next: AtomicU64::new(0),
                    }),
                })
                .collect(),
            unknown_next: AtomicU64::new(0),
            run_id: run_id.to_owned(),
            reuse_limit,
        }
    }

    fn source(&self, slot: Slot) -> &Source {
        &self.sources[Slot::ALL
            .iter()
            .position(|s| *s == slot)
            .expect("every slot has a source")]
    }

    /// Stops the sign-up workers of every on-demand slot (the load is over: no more users
    /// are wanted, and the pool may be deleted under them).
    pub fn stop_supplies(&self) {
        for source in &self.sources {
            match source {
                Source::Supply(s) | Source::Rotation(Rotation { supply: s, .. }) => {
                    s.workers.abort();
                }
                Source::Shelf(_) => {}
            }
        }
    }

    fn limit(&self, slot: Slot) -> u64 {
        if slot.single_use() {
            1
        } else {
            self.reuse_limit
        }
    }

    pub async fn take(&self, kind: UserKind, consumes: bool) -> Result<Lease<'_>, Exhausted> {
        match Slot::of(kind, consumes) {
            Some(slot) => {
                let limit = self.limit(slot);
                match self.source(slot) {
                    Source::Shelf(shelf) => shelf.take(limit).map(Lease::Tenant).ok_or(Exhausted {
                        what: slot.describe(),
                        provisioned: shelf.tenants.len(),
                        reuse_limit: limit,
                        failure: None,
                    }),
                    Source::Supply(supply) => match supply.take().await {
                        Some(t) => Ok(Lease::Owned(Box::new(t))),
                        None => Err(supply.exhausted(slot, 1)),
                    },
                    Source::Rotation(r) => match r.take().await {
                        Some(t) => Ok(Lease::Shared(t)),
                        None => Err(r.supply.exhausted(slot, r.limit)),
                    },
                }
            }
            None if kind == UserKind::Unknown => {
                let n = self.unknown_next.fetch_add(1, Ordering::Relaxed);
                Ok(Lease::Unknown(format!("cb-{}-nobody-{n}", self.run_id)))
            }
            None => Ok(Lease::None),
        }
    }

    /// Takes `n` distinct users of a slot for one group of requests.
    pub async fn take_many(
        &self,
        kind: UserKind,
        consumes: bool,
        n: usize,
    ) -> Result<Vec<Lease<'_>>, Exhausted> {
        let mut leases = Vec::with_capacity(n);
        for _ in 0..n {
            leases.push(self.take(kind, consumes).await?);
        }
        Ok(leases)
    }

    pub fn usage(&self) -> Vec<(&'static str, Usage)> {
        Slot::ALL
            .iter()
            .map(|&slot| {
                let usage = match self.source(slot) {
                    Source::Shelf(shelf) => Usage {
                        provisioned: shelf.tenants.len() as u64,
                        used: shelf.used(self.limit(slot)),
                        on_demand: None,
                    },
                    Source::Supply(s) => Usage {
                        provisioned: s.state.made.load(Ordering::Relaxed),
                        used: s.handed.load(Ordering::Relaxed),
                        on_demand: Some(s.on_demand()),
                    },
                    Source::Rotation(r) => Usage {
                        provisioned: r.supply.state.made.load(Ordering::Relaxed),
                        used: r.used.load(Ordering::Relaxed),
                        on_demand: Some(r.supply.on_demand()),
                    },
                };
                (slot.name(), usage)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt as _;

    use super::*;

    /// A take from a shelf never waits.
    fn now<T>(f: impl Future<Output = T>) -> T {
        f.now_or_never().expect("a shelf answers at once")
    }

    fn tenant(n: usize) -> Tenant {
        Tenant {
            user: UserRecord {
                username: format!("u{n}"),
                sub: format!("s{n}"),
                email: format!("u{n}@example.com"),
                code: "123456".into(),
                old_code: String::new(),
                internal: format!("u{n}"),
            },
            holder: None,
            crowd: Vec::new(),
        }
    }

    fn pools(slot: Slot, n: usize, limit: u64) -> UserPools {
        let mut b = PoolsBuilder::default();
        for i in 0..n {
            b.push(slot, tenant(i));
        }
        UserPools::new(b, "r", limit)
    }

    fn name(l: Lease<'_>) -> String {
        l.view().username.to_owned()
    }

    /// The names of `n` users taken one after the other.
    fn take_names(pools: &UserPools, kind: UserKind, fresh: bool, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| name(now(pools.take(kind, fresh)).unwrap()))
            .collect()
    }

    #[test]
    fn fresh_users_are_never_handed_out_twice() {
        let pools = pools(Slot::Fresh, 3, 10);
        assert_eq!(
            take_names(&pools, UserKind::Unconfirmed, true, 3),
            ["u0", "u1", "u2"]
        );
        let e = now(pools.take(UserKind::Unconfirmed, true)).unwrap_err();
        assert_eq!(e.what, "fresh UNCONFIRMED");
        assert!(e.to_string().contains("after 3 were provisioned"));
    }

    #[test]
    fn reusable_users_respect_the_limit_round_robin() {
        let pools = pools(Slot::Confirmed, 2, 3);
        assert_eq!(
            take_names(&pools, UserKind::Confirmed, false, 6),
            ["u0", "u1", "u0", "u1", "u0", "u1"]
        );
        assert!(now(pools.take(UserKind::Confirmed, false)).is_err());
        let usage = pools.usage();
        assert_eq!(
            usage
                .iter()
                .find(|(k, _)| *k == "confirmed")
                .unwrap()
                .1
                .used,
            6
        );
    }

    #[test]
    fn unknown_users_get_distinct_names() {
        let pools = UserPools::new(PoolsBuilder::default(), "abc", 1);
        let a = name(now(pools.take(UserKind::Unknown, false)).unwrap());
        let b = name(now(pools.take(UserKind::Unknown, false)).unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("cb-abc-nobody-"));
    }

    #[test]
    fn a_group_takes_distinct_users() {
        let pools = pools(Slot::Fresh, 4, 1);
        let group = now(pools.take_many(UserKind::Unconfirmed, true, 3)).unwrap();
        let names: Vec<String> = group.into_iter().map(name).collect();
        assert_eq!(names, ["u0", "u1", "u2"]);
        assert!(now(pools.take_many(UserKind::Unconfirmed, true, 2)).is_err());
    }

    /// A supply fed by a task standing in for the sign-up workers: `made` users, then it
    /// stops (with `failure`, if given).
    fn supplied(made: usize, stock: usize, failure: Option<&str>) -> (UserPools, Arc<SupplyState>) {
        supplied_slot(Slot::Fresh, 10, made, stock, failure)
    }

    fn supplied_slot(
        slot: Slot,
        limit: u64,
        made: usize,
        stock: usize,
        failure: Option<&str>,
    ) -> (UserPools, Arc<SupplyState>) {
        let (tx, rx) = tokio::sync::mpsc::channel(stock);
        let state = Arc::new(SupplyState::default());
        let (st, failure) = (state.clone(), failure.map(str::to_owned));
        let workers = tokio::spawn(async move {
            for i in 0..made {
                st.made.fetch_add(1, Ordering::Relaxed);
                if tx.try_send(tenant(i)).is_err() {
                    st.mark_filled();
                    if tx.send(tenant(i)).await.is_err() {
                        return;
                    }
                }
                st.stocked.fetch_add(1, Ordering::Release);
            }
            if let Some(why) = failure {
                let _ = st.failure.set(why);
            }
            st.mark_filled();
        });
        let mut b = PoolsBuilder::default();
        b.supply(
            slot,
            Supply::new(
                rx,
                made as u64,
                stock,
                state.clone(),
                workers.abort_handle(),
            ),
        );
        (UserPools::new(b, "r", limit), state)
    }

    /// A fresh-user supply fed by hand through the returned sender, its workers a task that
    /// never ends on its own (returned, to see it stopped).
    fn hand_fed(
        planned: u64,
        stock: usize,
        state: &Arc<SupplyState>,
    ) -> (
        PoolsBuilder,
        tokio::sync::mpsc::Sender<Tenant>,
        tokio::task::JoinHandle<()>,
    ) {
        let (tx, rx) = tokio::sync::mpsc::channel(stock);
        let idle = tokio::spawn(std::future::pending::<()>());
        let mut b = PoolsBuilder::default();
        b.supply(
            Slot::Fresh,
            Supply::new(rx, planned, stock, state.clone(), idle.abort_handle()),
        );
        (b, tx, idle)
    }

    #[tokio::test]
    async fn users_on_demand_are_each_handed_out_once_then_run_out() {
        let (pools, _) = supplied(5, 2, None);
        let mut names = Vec::new();
        for _ in 0..5 {
            let lease = pools.take(UserKind::Unconfirmed, true).await.unwrap();
            assert!(matches!(lease, Lease::Owned(_)), "handed over whole");
            names.push(name(lease));
        }
        assert_eq!(names, ["u0", "u1", "u2", "u3", "u4"]);
        let e = pools.take(UserKind::Unconfirmed, true).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "ran out of fresh UNCONFIRMED users after 5 were provisioned"
        );
        let usage = pools.usage();
        let fresh = usage.iter().find(|(k, _)| *k == "fresh").unwrap().1;
        assert_eq!((fresh.provisioned, fresh.used), (5, 5));
        let on_demand = fresh.on_demand.unwrap();
        assert_eq!((on_demand.stock, on_demand.planned), (2, 5));
    }

    #[tokio::test]
    async fn a_reusable_slot_on_demand_rotates_a_window_of_users_each_up_to_the_limit() {
        // Stock (and window) 2, limit 3, 4 users in all: 12 uses, none past its limit.
        let (pools, _) = supplied_slot(Slot::Confirmed, 3, 4, 2, None);
        let mut names = Vec::new();
        for _ in 0..12 {
            // The stand-in workers refill the stock.
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
            let lease = pools.take(UserKind::Confirmed, false).await.unwrap();
            assert!(
                matches!(lease, Lease::Shared(_)),
                "shared within the rotation"
            );
            names.push(name(lease));
        }
        assert_eq!(
            names,
            [
                "u0", "u1", "u0", "u1", "u0", "u2", "u1", "u3", "u2", "u3", "u2", "u3"
            ],
            "round-robin over the window; each user leaves after its third use, and a new one \
             joins; once the supply is over, the last users' uses are still given"
        );
        let e = pools.take(UserKind::Confirmed, false).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "ran out of CONFIRMED users after 4 were provisioned (each used up to 3 times)"
        );
        let usage = pools.usage();
        let confirmed = usage.iter().find(|(k, _)| *k == "confirmed").unwrap().1;
        assert_eq!((confirmed.provisioned, confirmed.used), (4, 12));
        assert_eq!(confirmed.on_demand.unwrap().stock, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_takes_of_a_rotation_never_pass_the_limit() {
        let (pools, _) = supplied_slot(Slot::Unconfirmed, 4, 50, 8, None);
        let pools = Arc::new(pools);
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let pools = pools.clone();
            set.spawn(async move {
                let mut got = Vec::new();
                while let Ok(lease) = pools.take(UserKind::Unconfirmed, false).await {
                    got.push(name(lease));
                    tokio::task::yield_now().await;
                }
                got
            });
        }
        let mut uses = std::collections::BTreeMap::<String, u64>::new();
        while let Some(got) = set.join_next().await {
            for n in got.unwrap() {
                *uses.entry(n).or_default() += 1;
            }
        }
        assert_eq!(uses.len(), 50, "every supplied user was handed out");
        assert!(uses.values().all(|&n| n <= 4), "{uses:?}");
        // Only users still in the rotation when the supply ran out may be partly used.
        let partly = uses.values().filter(|&&n| n < 4).count();
        assert!(partly <= 8 + 16, "{partly} partly used");
    }

    #[tokio::test]
    async fn a_start_that_finds_no_ready_user_waits_and_is_counted() {
        let state = Arc::new(SupplyState::default());
        let (b, tx, idle) = hand_fed(1, 1, &state);
        let pools = Arc::new(UserPools::new(b, "r", 1));
        let taker = {
            let pools = pools.clone();
            tokio::spawn(
                async move { name(pools.take(UserKind::Unconfirmed, true).await.unwrap()) },
            )
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!taker.is_finished(), "nothing was ready to take");
        tx.send(tenant(7)).await.unwrap();
        state.stocked.fetch_add(1, Ordering::Release);
        assert_eq!(taker.await.unwrap(), "u7");
        let fresh = pools
            .usage()
            .into_iter()
            .find(|(k, _)| *k == "fresh")
            .unwrap()
            .1;
        assert_eq!(fresh.on_demand.unwrap().waited, 1);
        // Stopping the supplies ends its workers.
        pools.stop_supplies();
        tokio::task::yield_now().await;
        assert!(idle.is_finished());
    }

    #[tokio::test]
    async fn workers_that_fail_say_why_when_the_users_run_out() {
        let (pools, _) = supplied(2, 4, Some("SignUp of user #2: throttled"));
        for _ in 0..2 {
            pools.take(UserKind::Unconfirmed, true).await.unwrap();
        }
        let e = pools.take(UserKind::Unconfirmed, true).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "provisioning fresh UNCONFIRMED users on demand stopped after 2: SignUp of user #2: throttled"
        );
    }

    #[tokio::test]
    async fn the_load_waits_for_a_full_stock_and_hears_of_an_early_failure() {
        let st = Arc::new(SupplyState::default());
        let (b, tx, _idle) = hand_fed(9, 2, &st);
        let waiting = tokio::spawn(async move { b.filled().await.map(|()| b) });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "the stock is not full yet");
        tx.send(tenant(0)).await.unwrap();
        st.made.fetch_add(1, Ordering::Relaxed);
        st.mark_filled();
        assert!(waiting.await.unwrap().is_ok());

        // Workers that fail before the load, having made some users or none, stop the set-up
        // with their reason.
        for made in [0, 3] {
            let st = Arc::new(SupplyState::default());
            st.made.fetch_add(made, Ordering::Relaxed);
            let _ = st.failure.set("SignUp of user #3: AccessDenied".into());
            st.mark_filled();
            let (b, _tx, _idle) = hand_fed(9, 2, &st);
            assert_eq!(
                b.filled().await.unwrap_err(),
                "provisioning fresh UNCONFIRMED users: SignUp of user #3: AccessDenied"
            );
        }
    }
}
