//! The emulator's state: the clock, user pools, app clients and users.
//!
//! Locking: the pool and client maps sit behind `RwLock`s that are held only for a map
//! lookup or insert; each pool's users sit behind one `Mutex` held across a whole
//! check-then-change sequence (ConfirmSignUp steps 5–9, SignUp's uniqueness checks), so those
//! sequences are atomic per pool. No lock is ever held across an `.await`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher as _, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fastrand::Rng;
use hashbrown::HashTable;

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

/// Emulator time to the millisecond: a user's dates in 8 bytes rather than a `Duration`'s 16
/// (a pool holds millions of users).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Stamp(u64);

impl Stamp {
    pub fn of(t: Duration) -> Stamp {
        Stamp(u64::try_from(t.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn time(self) -> Duration {
        Duration::from_millis(self.0)
    }
}

/// A six-digit confirmation code, kept as its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(u32);

impl Code {
    pub fn new(n: u32) -> Code {
        Code(n)
    }

    /// The code as sent: six digits, leading zeros kept.
    pub fn text(self) -> String {
        format!("{:06}", self.0)
    }

    /// Whether `given` is this code's text exactly.
    pub fn matches(self, given: &str) -> bool {
        given.len() == 6
            && given.bytes().all(|b| b.is_ascii_digit())
            && given.parse::<u32>() == Ok(self.0)
    }
}

/// The confirmation code a user currently holds.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub value: Code,
    /// Emulator time of issue.
    pub issued: Stamp,
    /// The attribute the code was "sent" to; verified on confirmation.
    pub sent_to: Option<Attr>,
}

/// A user's `sub`: the bits of its UUID v4 (16 bytes rather than a 36-character string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sub([u8; 16]);

impl Sub {
    pub fn from_bits(bits: u128) -> Sub {
        Sub(bits.to_be_bytes())
    }

    /// The `sub` a user is named by, if `text` is one as the emulator writes them.
    pub fn parse(text: &str) -> Option<Sub> {
        super::ids::parse_uuid(text).map(Sub::from_bits)
    }

    pub fn text(self) -> String {
        super::ids::uuid_string(u128::from_be_bytes(self.0))
    }
}

/// A user's strings in one allocation: the username, then each attribute's name and value.
/// Each string is preceded by its length in bytes written as one `char`: validation bounds
/// every string (2,048 characters at most) far below the surrogates, where `char`s stop.
#[derive(Debug, Clone)]
struct Packed(Box<str>);

/// Longer strings are cut (validation never lets one through).
const MAX_PACKED: usize = 0xD7FF;

impl Packed {
    fn new<'a>(username: &str, attributes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Packed {
        let mut s = String::new();
        push_packed(&mut s, username);
        for (name, value) in attributes {
            push_packed(&mut s, name);
            push_packed(&mut s, value);
        }
        Packed(s.into_boxed_str())
    }

    fn fields(&self) -> Fields<'_> {
        Fields(&self.0)
    }
}

fn push_packed(s: &mut String, mut field: &str) {
    if field.len() > MAX_PACKED {
        let mut end = MAX_PACKED;
        while !field.is_char_boundary(end) {
            end -= 1;
        }
        field = &field[..end];
    }
    // At most MAX_PACKED: a scalar value below the surrogates.
    s.push(char::from_u32(field.len() as u32).unwrap_or('\0'));
    s.push_str(field);
}

struct Fields<'a>(&'a str);

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let mut chars = self.0.chars();
        let len = chars.next()? as usize;
        let (field, rest) = chars.as_str().split_at_checked(len)?;
        self.0 = rest;
        Some(field)
    }
}

/// Wrong codes given within the last hour (the attempt limit, §4.5); most users have none,
/// and those who do hold at most the limit's worth.
#[derive(Debug, Clone, Default)]
// Boxed: 8 bytes in each of millions of users, most of whom never give a wrong code.
#[allow(clippy::box_collection)]
pub struct Attempts(Option<Box<Vec<Stamp>>>);

impl Attempts {
    /// Forgets attempts older than `window` before `now`; how many are left.
    pub fn recent(&mut self, now: Duration, window: Duration) -> usize {
        let Some(list) = &mut self.0 else {
            return 0;
        };
        list.retain(|t| now.saturating_sub(t.time()) < window);
        if list.is_empty() {
            self.0 = None;
            return 0;
        }
        list.len()
    }

    pub fn push(&mut self, now: Duration) {
        self.0.get_or_insert_default().push(Stamp::of(now));
    }
}

#[derive(Debug, Clone)]
pub struct User {
    /// The internal username (the generated `sub` in UsernameAttributes pools), then the
    /// attributes but `sub`.
    strings: Packed,
    pub sub: Sub,
    pub status: UserStatus,
    pub created: Stamp,
    pub modified: Stamp,
    pub code: Option<PendingCode>,
    pub failed_attempts: Attempts,
}

impl User {
    /// An UNCONFIRMED user without a code; `attributes` are those but `sub`, in order.
    pub fn new<'a>(
        username: &str,
        sub: Sub,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
        now: Duration,
    ) -> User {
        User {
            strings: Packed::new(username, attributes),
            sub,
            status: UserStatus::Unconfirmed,
            created: Stamp::of(now),
            modified: Stamp::of(now),
            code: None,
            failed_attempts: Attempts::default(),
        }
    }

    pub fn username(&self) -> &str {
        self.strings.fields().next().unwrap_or_default()
    }

    /// The attributes but `sub` (which is `self.sub`), in order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut fields = self.strings.fields().skip(1);
        std::iter::from_fn(move || Some((fields.next()?, fields.next()?)))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn set_attr(&mut self, name: &str, value: &str) {
        let mut attributes: Vec<(&str, &str)> = self.attributes().collect();
        match attributes.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => attributes.push((name, value)),
        }
        self.strings = Packed::new(self.username(), attributes);
    }
}

/// A lookup key: a username or a sign-in value as the pool compares them (`fold`: lowercase).
/// Most keys are lowercase already (cogbench's names are), so most lookups allocate nothing.
fn folded(fold: bool, value: &str) -> Cow<'_, str> {
    if !fold {
        return Cow::Borrowed(value);
    }
    if value.is_ascii() {
        return match value.bytes().any(|b| b.is_ascii_uppercase()) {
            true => Cow::Owned(value.to_ascii_lowercase()),
            false => Cow::Borrowed(value),
        };
    }
    if value.chars().any(|c| c.to_lowercase().ne([c])) {
        Cow::Owned(value.to_lowercase())
    } else {
        Cow::Borrowed(value)
    }
}

/// The users of a pool and their indexes. Each index holds only a user's number and finds
/// its key in the user itself, so a username, a sub or an alias is kept once, and a pool of
/// millions of users costs a couple of hundred bytes a user (examples/emulator_footprint.rs).
pub struct PoolData {
    /// The pool's own generator (forked from the emulator's), for subs and codes.
    pub rng: Rng,
    users: Vec<User>,
    /// By username, folded as the pool's case sensitivity says.
    by_name: HashTable<u32>,
    by_sub: HashTable<u32>,
    /// Email and phone values that sign a user in. A pool uses one meaning only: with
    /// `UsernameAttributes` every user's value, verified or not (they must be unique at
    /// SignUp); with `AliasAttributes` only verified values (an alias is active once
    /// verified, §4.2).
    by_email: HashTable<u32>,
    by_phone: HashTable<u32>,
    hasher: RandomState,
}

impl PoolData {
    fn new(rng: Rng) -> PoolData {
        PoolData {
            rng,
            users: Vec::new(),
            by_name: HashTable::new(),
            by_sub: HashTable::new(),
            by_email: HashTable::new(),
            by_phone: HashTable::new(),
            hasher: RandomState::new(),
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
        let fold = !cfg.case_sensitive;
        let key = folded(fold, username);
        let hash = self.hasher.hash_one(&*key);
        self.by_name
            .find(hash, |&i| {
                folded(fold, self.users[i as usize].username()) == key
            })
            .map(|&i| i as usize)
    }

    fn by_sub(&self, sub: Sub) -> Option<usize> {
        let hash = self.hasher.hash_one(sub);
        self.by_sub
            .find(hash, |&i| self.users[i as usize].sub == sub)
            .map(|&i| i as usize)
    }

    /// The user a sign-in value (an email or a phone number, as given) signs in, if any.
    pub fn sign_in_holder(&self, cfg: &PoolConfig, attr: Attr, value: &str) -> Option<usize> {
        let fold = attr == Attr::Email && !cfg.case_sensitive;
        let key = folded(fold, value);
        let hash = self.hasher.hash_one(&*key);
        let table = match attr {
            Attr::Email => &self.by_email,
            Attr::PhoneNumber => &self.by_phone,
        };
        table
            .find(hash, |&i| {
                self.users[i as usize]
                    .attr(attr.name())
                    .is_some_and(|v| folded(fold, v) == key)
            })
            .map(|&i| i as usize)
    }

    /// Makes user `idx`'s value of `attr` sign it in; the user it signed in before, if any.
    pub fn set_sign_in(&mut self, cfg: &PoolConfig, attr: Attr, idx: usize) -> Option<usize> {
        let fold = attr == Attr::Email && !cfg.case_sensitive;
        let PoolData {
            users,
            by_email,
            by_phone,
            hasher,
            ..
        } = self;
        let table = match attr {
            Attr::Email => by_email,
            Attr::PhoneNumber => by_phone,
        };
        let key_of = |i: u32| {
            users[i as usize]
                .attr(attr.name())
                .map(|v| folded(fold, v))
                .unwrap_or_default()
        };
        let key = key_of(idx as u32);
        let hash = hasher.hash_one(&*key);
        if let Some(slot) = table.find_mut(hash, |&i| key_of(i) == key) {
            return Some(std::mem::replace(slot, idx as u32) as usize);
        }
        table.insert_unique(hash, idx as u32, |&i| hasher.hash_one(&*key_of(i)));
        None
    }

    /// Resolves what a client sends as `Username`: the username (case-folded in
    /// case-insensitive pools), else the `sub`, else a sign-in value (a UsernameAttributes
    /// email/phone, or a *verified* alias; never an unverified alias).
    pub fn resolve(&self, cfg: &PoolConfig, username: &str) -> Option<usize> {
        if let Some(i) = self.by_username(cfg, username) {
            return Some(i);
        }
        if let Some(i) = Sub::parse(username).and_then(|s| self.by_sub(s)) {
            return Some(i);
        }
        let attr = if username.contains('@') {
            Attr::Email
        } else if username.starts_with('+') {
            Attr::PhoneNumber
        } else {
            return None;
        };
        self.sign_in_holder(cfg, attr, username)
    }

    /// Adds a user; the caller has checked uniqueness under the same lock.
    pub fn insert(&mut self, cfg: &PoolConfig, user: User) -> usize {
        let idx = self.users.len();
        let fold = !cfg.case_sensitive;
        let PoolData {
            users,
            by_name,
            by_sub,
            hasher,
            ..
        } = self;
        users.push(user);
        let user = &users[idx];
        let name_hash = hasher.hash_one(&*folded(fold, user.username()));
        let sub_hash = hasher.hash_one(user.sub);
        by_name.insert_unique(name_hash, idx as u32, |&i| {
            hasher.hash_one(&*folded(fold, users[i as usize].username()))
        });
        by_sub.insert_unique(sub_hash, idx as u32, |&i| {
            hasher.hash_one(users[i as usize].sub)
        });
        idx
    }
}

pub struct Pool {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub created: Duration,
    pub config: PoolConfig,
    pub extras: PoolExtras,
    pub data: Mutex<PoolData>,
}

/// What a pool has beyond its sign-in settings: a post-confirmation trigger, and the settings
/// of its `cogbench:` tags.
#[derive(Default)]
pub struct PoolExtras {
    pub post_confirmation: Option<super::trigger::PostConfirmation>,
    pub tags: Option<super::pool_tags::PoolTags>,
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
    pub fn add_pool(&self, name: String, config: PoolConfig, extras: PoolExtras) -> Arc<Pool> {
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
            extras,
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

    fn user(name: &str, sub: u128, email: &str) -> User {
        User::new(
            name,
            Sub::from_bits(sub),
            [("email", email)],
            Duration::ZERO,
        )
    }

    #[test]
    fn resolution_order_and_case_folding() {
        let insensitive = cfg(false);
        let mut d = PoolData::new(Rng::with_seed(1));
        let sub = super::super::ids::sub(&mut Rng::with_seed(7));
        let a = d.insert(&insensitive, user("Alice", sub, "Bob@Example.com"));
        assert_eq!(d.set_sign_in(&insensitive, Attr::Email, a), None);
        assert_eq!(d.resolve(&insensitive, "alice"), Some(a));
        assert_eq!(d.resolve(&insensitive, "ALICE"), Some(a));
        let sub_text = Sub::from_bits(sub).text();
        assert_eq!(d.resolve(&insensitive, &sub_text), Some(a));
        assert_eq!(d.resolve(&insensitive, &sub_text.to_uppercase()), None);
        assert_eq!(d.resolve(&insensitive, "bob@example.com"), Some(a));
        assert_eq!(d.resolve(&insensitive, "BOB@EXAMPLE.COM"), Some(a));
        assert_eq!(d.resolve(&insensitive, "carol"), None);

        let sensitive = cfg(true);
        let mut d = PoolData::new(Rng::with_seed(1));
        let a = d.insert(&sensitive, user("Alice", sub, "Bob@Example.com"));
        d.set_sign_in(&sensitive, Attr::Email, a);
        assert_eq!(d.resolve(&sensitive, "Alice"), Some(a));
        assert_eq!(d.resolve(&sensitive, "alice"), None);
        assert_eq!(d.resolve(&sensitive, "Bob@Example.com"), Some(a));
        assert_eq!(d.resolve(&sensitive, "bob@example.com"), None);
    }

    #[test]
    fn a_sign_in_value_moves_to_its_new_holder() {
        let c = cfg(false);
        let mut d = PoolData::new(Rng::with_seed(1));
        let a = d.insert(&c, user("a", 1, "same@example.com"));
        let b = d.insert(&c, user("b", 2, "SAME@example.com"));
        assert_eq!(d.set_sign_in(&c, Attr::Email, a), None);
        assert_eq!(d.set_sign_in(&c, Attr::Email, b), Some(a));
        assert_eq!(
            d.sign_in_holder(&c, Attr::Email, "same@EXAMPLE.com"),
            Some(b)
        );
        assert_eq!(
            d.sign_in_holder(&c, Attr::PhoneNumber, "same@example.com"),
            None
        );
    }

    #[test]
    fn many_users_stay_found() {
        let c = cfg(false);
        let mut d = PoolData::new(Rng::with_seed(1));
        for i in 0..20_000u128 {
            let idx = d.insert(
                &c,
                user(&format!("User-{i}"), i, &format!("u{i}@example.com")),
            );
            d.set_sign_in(&c, Attr::Email, idx);
        }
        for i in (0..20_000u128).step_by(997) {
            let want = Some(i as usize);
            assert_eq!(d.by_username(&c, &format!("user-{i}")), want);
            assert_eq!(d.by_sub(Sub::from_bits(i)), want);
            assert_eq!(d.resolve(&c, &format!("U{i}@EXAMPLE.COM")), want);
        }
        assert_eq!(d.by_username(&c, "user-20000"), None);
    }

    #[test]
    fn codes_match_their_six_digits_only() {
        let c = Code::new(42);
        assert_eq!(c.text(), "000042");
        assert!(c.matches("000042"));
        for wrong in ["42", "0000042", "+00042", "00004２", "000043", ""] {
            assert!(!c.matches(wrong), "{wrong:?}");
        }
    }

    #[test]
    fn packed_strings_keep_every_field_even_the_longest() {
        let long = "é".repeat(4000);
        let mut u = User::new(
            "ü-name",
            Sub::from_bits(9),
            [("custom:x", long.as_str()), ("email", "")],
            Duration::ZERO,
        );
        assert_eq!(u.username(), "ü-name");
        assert_eq!(u.attr("custom:x"), Some(long.as_str()));
        assert_eq!(u.attr("email"), Some(""));
        u.set_attr("email", "e@example.com");
        u.set_attr("email_verified", "true");
        let all: Vec<_> = u.attributes().map(|(n, _)| n).collect();
        assert_eq!(all, ["custom:x", "email", "email_verified"]);
        assert_eq!(u.username(), "ü-name");
    }

    #[test]
    fn attributes_are_set_in_place() {
        let mut u = user("a", 1, "a@example.com");
        u.set_attr("email_verified", "false");
        u.set_attr("email_verified", "true");
        assert_eq!(u.attr("email_verified"), Some("true"));
        assert_eq!(u.attributes().count(), 2);
    }

    #[test]
    fn wrong_code_attempts_leave_after_the_window() {
        let mut a = Attempts::default();
        let hour = Duration::from_secs(3600);
        assert_eq!(a.recent(Duration::ZERO, hour), 0);
        a.push(Duration::from_secs(10));
        a.push(Duration::from_secs(20));
        assert_eq!(a.recent(Duration::from_secs(3609), hour), 2);
        assert_eq!(a.recent(Duration::from_secs(3615), hour), 1);
        assert_eq!(a.recent(Duration::from_secs(3620), hour), 0);
        assert!(a.0.is_none(), "nothing kept once none is recent");
    }
}
