//! The emulator's state: the clock, user pools, app clients and users.
//!
//! Locking: the pool and client maps sit behind `RwLock`s that are held only for a map
//! lookup or insert; each pool's users sit behind one `Mutex` held across a whole
//! check-then-change sequence (ConfirmSignUp steps 5–9, SignUp's uniqueness checks), so those
//! sequences are atomic per pool. No lock is ever held across an `.await`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fastrand::Rng;

/// Locks a mutex, ignoring poisoning: every critical section leaves the state consistent
/// before anything that could panic, and one panicking request must not take the emulator down.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The emulator clock: real monotonic time since start-up plus an offset that
/// `POST /_emulator/clock/advance` moves forward. Every code-age check and every date uses it.
pub struct Clock {
    origin: Instant,
    origin_epoch: f64,
    offset_secs: AtomicU64,
}

/// The largest total offset accepted (about 31,700 years), far from any overflow.
pub const MAX_OFFSET_SECS: u64 = 1_000_000_000_000;

impl Clock {
    pub fn new() -> Clock {
        let origin_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        Clock {
            origin: Instant::now(),
            origin_epoch,
            offset_secs: AtomicU64::new(0),
        }
    }

    /// Emulator time: a duration since the emulator started, offset included.
    pub fn now(&self) -> Duration {
        self.origin.elapsed() + Duration::from_secs(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Seconds since the Unix epoch (with fractions) of an emulator time, as AWS dates are sent.
    pub fn epoch_secs(&self, t: Duration) -> f64 {
        self.origin_epoch + t.as_secs_f64()
    }

    pub fn offset_secs(&self) -> u64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    /// Moves the clock forward; returns the new total offset, or `None` past [`MAX_OFFSET_SECS`].
    pub fn advance(&self, secs: u64) -> Option<u64> {
        self.offset_secs
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cur| {
                cur.checked_add(secs).filter(|n| *n <= MAX_OFFSET_SECS)
            })
            .ok()
            .map(|old| old + secs)
    }
}

/// The two attributes a code can be sent to, which can also be sign-in attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    Email,
    PhoneNumber,
}

impl Attr {
    pub fn name(self) -> &'static str {
        match self {
            Attr::Email => "email",
            Attr::PhoneNumber => "phone_number",
        }
    }

    pub fn verified_name(self) -> &'static str {
        match self {
            Attr::Email => "email_verified",
            Attr::PhoneNumber => "phone_number_verified",
        }
    }

    pub fn delivery_medium(self) -> &'static str {
        match self {
            Attr::Email => "EMAIL",
            Attr::PhoneNumber => "SMS",
        }
    }
}

/// A set of pool attribute names, as given at creation (order kept for the output).
#[derive(Debug, Clone, Default)]
pub struct AttrList(pub Vec<String>);

impl AttrList {
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }

    pub fn has_attr(&self, attr: Attr) -> bool {
        self.has(attr.name())
    }
}

/// A pool's immutable sign-in settings (spec §4.2).
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub case_sensitive: bool,
    pub alias_attributes: AttrList,
    pub username_attributes: AttrList,
    pub auto_verified_attributes: AttrList,
}

impl PoolConfig {
    /// The lookup key of a username or an email under the pool's case sensitivity.
    /// (`CaseSensitive: false` also makes email aliases case-insensitive, §4.2.)
    pub fn fold<'a>(&self, value: &'a str) -> Cow<'a, str> {
        if self.case_sensitive {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(value.to_lowercase())
        }
    }

    /// The lookup key of an email or phone value.
    pub fn attr_key<'a>(&self, attr: Attr, value: &'a str) -> Cow<'a, str> {
        match attr {
            Attr::Email => self.fold(value),
            Attr::PhoneNumber => Cow::Borrowed(value),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
        }
    }
}

/// The confirmation code a user currently holds.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub value: String,
    /// Emulator time of issue.
    pub issued: Duration,
    /// The attribute the code was "sent" to; verified on confirmation.
    pub sent_to: Option<Attr>,
}

#[derive(Debug, Clone)]
pub struct User {
    /// The internal username (the generated `sub` in UsernameAttributes pools).
    pub username: String,
    pub sub: String,
    pub status: UserStatus,
    pub attributes: Vec<(String, String)>,
    pub created: Duration,
    pub modified: Duration,
    pub code: Option<PendingCode>,
    /// When wrong codes were given, within the last hour (the attempt limit, §4.5).
    pub failed_attempts: Vec<Duration>,
}

impl User {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => value.clone_into(&mut slot.1),
            None => self.attributes.push((name.to_owned(), value.to_owned())),
        }
    }
}

/// Email and phone values that sign a user in, by lookup key. A pool uses one meaning only:
/// with `UsernameAttributes` every user's value, verified or not (they must be unique at
/// SignUp); with `AliasAttributes` only verified values (an alias is active once verified, §4.2).
#[derive(Debug, Default)]
pub struct SignInIndex {
    email: HashMap<String, usize>,
    phone: HashMap<String, usize>,
}

impl SignInIndex {
    fn map(&self, attr: Attr) -> &HashMap<String, usize> {
        match attr {
            Attr::Email => &self.email,
            Attr::PhoneNumber => &self.phone,
        }
    }

    fn map_mut(&mut self, attr: Attr) -> &mut HashMap<String, usize> {
        match attr {
            Attr::Email => &mut self.email,
            Attr::PhoneNumber => &mut self.phone,
        }
    }

    pub fn get(&self, attr: Attr, key: &str) -> Option<usize> {
        self.map(attr).get(key).copied()
    }

    pub fn insert(&mut self, attr: Attr, key: String, user: usize) -> Option<usize> {
        self.map_mut(attr).insert(key, user)
    }
}

/// The mutable part of a pool, behind the pool's mutex.
pub struct PoolData {
    /// The pool's own generator (forked from the emulator's), for subs and codes.
    pub rng: Rng,
    users: Vec<User>,
    by_name: HashMap<String, usize>,
    by_sub: HashMap<String, usize>,
    pub sign_in: SignInIndex,
}

impl PoolData {
    fn new(rng: Rng) -> PoolData {
        PoolData {
            rng,
            users: Vec::new(),
            by_name: HashMap::new(),
            by_sub: HashMap::new(),
            sign_in: SignInIndex::default(),
        }
    }

    pub fn user(&self, idx: usize) -> &User {
        &self.users[idx]
    }

    pub fn user_mut(&mut self, idx: usize) -> &mut User {
        &mut self.users[idx]
    }

    /// Finds a user by internal username only (the uniqueness check of SignUp).
    pub fn by_username(&self, cfg: &PoolConfig, username: &str) -> Option<usize> {
        self.by_name.get(&*cfg.fold(username)).copied()
    }

    /// Resolves what a client sends as `Username`: the username (case-folded in
    /// case-insensitive pools), else the `sub`, else a sign-in value from [`SignInIndex`]
    /// (a UsernameAttributes email/phone, or a *verified* alias; never an unverified alias).
    pub fn resolve(&self, cfg: &PoolConfig, username: &str) -> Option<usize> {
        if let Some(i) = self.by_username(cfg, username) {
            return Some(i);
        }
        if let Some(i) = self.by_sub.get(username) {
            return Some(*i);
        }
        let attr = if username.contains('@') {
            Attr::Email
        } else if username.starts_with('+') {
            Attr::PhoneNumber
        } else {
            return None;
        };
        self.sign_in.get(attr, &cfg.attr_key(attr, username))
    }

    /// Adds a user; the caller has checked uniqueness under the same lock.
    pub fn insert(&mut self, cfg: &PoolConfig, user: User) -> usize {
        let idx = self.users.len();
        self.by_name
            .insert(cfg.fold(&user.username).into_owned(), idx);
        self.by_sub.insert(user.sub.clone(), idx);
        self.users.push(user);
        idx
    }
}

pub struct Pool {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub created: Duration,
    pub config: PoolConfig,
    pub data: Mutex<PoolData>,
}

pub struct AppClient {
    pub id: String,
    pub name: String,
    pub secret: Option<String>,
    /// PreventUserExistenceErrors = ENABLED (§4.3).
    pub prevent_user_existence_errors: bool,
    pub created: Duration,
    pub pool: Arc<Pool>,
}

/// Everything the emulator holds, shared by all connections.
pub struct Shared {
    pub region: String,
    /// Wrong codes allowed per user per hour before LimitExceededException (0: no limit).
    pub attempt_limit: u32,
    pub clock: Clock,
    rng: Mutex<Rng>,
    pools: RwLock<HashMap<String, Arc<Pool>>>,
    clients: RwLock<HashMap<String, Arc<AppClient>>>,
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn new(region: String, seed: Option<u64>, attempt_limit: u32) -> Shared {
        Shared {
            region,
            attempt_limit,
            clock: Clock::new(),
            rng: Mutex::new(seed.map_or_else(Rng::new, Rng::with_seed)),
            pools: RwLock::new(HashMap::new()),
            clients: RwLock::new(HashMap::new()),
        }
    }

    /// Runs `f` with the emulator-wide generator (pool and client ids).
    pub fn with_rng<R>(&self, f: impl FnOnce(&mut Rng) -> R) -> R {
        f(&mut lock(&self.rng))
    }

    pub fn pool(&self, id: &str) -> Option<Arc<Pool>> {
        read(&self.pools).get(id).cloned()
    }

    pub fn client(&self, id: &str) -> Option<Arc<AppClient>> {
        read(&self.clients).get(id).cloned()
    }

    /// Creates and registers a pool with a fresh id.
    pub fn add_pool(&self, name: String, config: PoolConfig) -> Arc<Pool> {
        let created = self.clock.now();
        let mut pools = write(&self.pools);
        let (id, rng) = self.with_rng(|rng| {
            loop {
                let id = super::ids::pool_id(rng, &self.region);
                if !pools.contains_key(&id) {
                    break (id, rng.fork());
                }
            }
        });
        let pool = Arc::new(Pool {
            arn: format!(
                "arn:aws:cognito-idp:{}:{ACCOUNT_ID}:userpool/{id}",
                self.region
            ),
            id: id.clone(),
            name,
            created,
            config,
            data: Mutex::new(PoolData::new(rng)),
        });
        pools.insert(id, Arc::clone(&pool));
        pool
    }

    /// Removes a pool and every client of it.
    pub fn remove_pool(&self, id: &str) -> Option<Arc<Pool>> {
        let pool = write(&self.pools).remove(id)?;
        write(&self.clients).retain(|_, c| c.pool.id != id);
        Some(pool)
    }

    /// Creates and registers an app client with a fresh id.
    pub fn add_client(
        &self,
        pool: Arc<Pool>,
        name: String,
        secret: ClientSecret,
        prevent_user_existence_errors: bool,
    ) -> Arc<AppClient> {
        let created = self.clock.now();
        let mut clients = write(&self.clients);
        let (id, secret) = self.with_rng(|rng| {
            let id = loop {
                let id = super::ids::client_id(rng);
                if !clients.contains_key(&id) {
                    break id;
                }
            };
            let secret = match secret {
                ClientSecret::None => None,
                ClientSecret::Generate => Some(super::ids::client_secret(rng)),
                ClientSecret::Given(s) => Some(s),
            };
            (id, secret)
        });
        let client = Arc::new(AppClient {
            id: id.clone(),
            name,
            secret,
            prevent_user_existence_errors,
            created,
            pool,
        });
        clients.insert(id, Arc::clone(&client));
        client
    }
}

pub enum ClientSecret {
    None,
    Generate,
    Given(String),
}

/// The account id in ARNs; the emulator has no accounts.
pub const ACCOUNT_ID: &str = "000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_advances_and_caps() {
        let c = Clock::new();
        let before = c.now();
        assert_eq!(c.advance(86_400), Some(86_400));
        assert!(c.now() >= before + Duration::from_secs(86_400));
        assert_eq!(c.advance(0), Some(86_400));
        assert_eq!(c.advance(u64::MAX), None);
        assert_eq!(c.advance(MAX_OFFSET_SECS), None);
        assert_eq!(c.offset_secs(), 86_400);
        let e0 = c.epoch_secs(Duration::ZERO);
        assert!(c.epoch_secs(Duration::from_secs(10)) - e0 > 9.99);
    }

    fn cfg(case_sensitive: bool) -> PoolConfig {
        PoolConfig {
            case_sensitive,
            alias_attributes: AttrList::default(),
            username_attributes: AttrList(vec!["email".into()]),
            auto_verified_attributes: AttrList::default(),
        }
    }

    fn user(name: &str, sub: &str) -> User {
        User {
            username: name.into(),
            sub: sub.into(),
            status: UserStatus::Unconfirmed,
            attributes: vec![("sub".into(), sub.into())],
            created: Duration::ZERO,
            modified: Duration::ZERO,
            code: None,
            failed_attempts: Vec::new(),
        }
    }

    #[test]
    fn resolution_order_and_case_folding() {
        let insensitive = cfg(false);
        let mut d = PoolData::new(Rng::with_seed(1));
        let a = d.insert(&insensitive, user("Alice", "s-1"));
        d.sign_in.insert(Attr::Email, "bob@example.com".into(), a);
        assert_eq!(d.resolve(&insensitive, "alice"), Some(a));
        assert_eq!(d.resolve(&insensitive, "ALICE"), Some(a));
        assert_eq!(d.resolve(&insensitive, "s-1"), Some(a));
        assert_eq!(d.resolve(&insensitive, "Bob@Example.com"), Some(a));
        assert_eq!(d.resolve(&insensitive, "carol"), None);

        let sensitive = cfg(true);
        let mut d = PoolData::new(Rng::with_seed(1));
        let a = d.insert(&sensitive, user("Alice", "s-1"));
        assert_eq!(d.resolve(&sensitive, "Alice"), Some(a));
        assert_eq!(d.resolve(&sensitive, "alice"), None);
    }

    #[test]
    fn attributes_are_set_in_place() {
        let mut u = user("a", "s");
        u.set_attr("email_verified", "false");
        u.set_attr("email_verified", "true");
        assert_eq!(u.attr("email_verified"), Some("true"));
        assert_eq!(u.attributes.len(), 2);
    }
}
