//! Request-rate quotas (`cogbench emulator --quota CATEGORY=RPS`): AWS's quota categories
//! (spec §4.5), each a rate shared by its operations over every pool, as the account-wide
//! quota is. A request over its category's rate is answered TooManyRequestsException,
//! `Rate exceeded`, HTTP 400, once the body has arrived and its signature is checked, before
//! its Content-Type or content is looked at; a throttled request changes no state and uses
//! none of the rate.
//!
//! Each category is a token bucket holding one second of its rate: a burst of up to RPS
//! requests passes at once, then requests pass at RPS. How AWS shapes bursts is not
//! documented; a second's worth is this emulator's choice, said in `--help`.
//! ResendConfirmationCode belongs to none of the categories the spec lists, so no quota applies
//! to it.

use std::fmt;
use std::sync::Mutex;
use std::time::Instant;

use crate::protocol::Operation;

/// The message AWS answers throttled calls with (spec §3.1, observed).
pub const RATE_EXCEEDED: &str = "Rate exceeded";

/// The largest rate accepted: far above what one machine can send, so a typo is caught.
const MAX_RPS: f64 = 1_000_000.0;
/// The smallest: one request every 1,000 s. Below it the emulator would let one request through
/// for its whole life, which no one means.
const MIN_RPS: f64 = 0.001;
/// A bad item is quoted up to this many characters.
const SHOWN: usize = 40;

/// `text` as an error quotes it: on one line, and cut short.
pub(super) fn shown(text: &str) -> String {
    let mut out: String = text.chars().take(SHOWN).collect();
    if text.chars().nth(SHOWN).is_some() {
        out.push('…');
    }
    crate::term::inline(&out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// SignUp, ConfirmSignUp (and AdminCreateUser, AdminConfirmSignUp, not emulated): 50/s by
    /// default on AWS.
    UserCreation,
    /// AdminGetUser: 120/s by default on AWS.
    UserRead,
    /// CreateUserPool, DeleteUserPool: 15/s by default on AWS.
    UserPoolUpdate,
    /// CreateUserPoolClient: 15/s by default on AWS.
    UserPoolClientUpdate,
}

impl Category {
    const ALL: [Category; 4] = [
        Category::UserCreation,
        Category::UserRead,
        Category::UserPoolUpdate,
        Category::UserPoolClientUpdate,
    ];

    /// The name AWS's quota table uses.
    pub fn aws_name(self) -> &'static str {
        match self {
            Category::UserCreation => "UserCreation",
            Category::UserRead => "UserRead",
            Category::UserPoolUpdate => "UserPoolUpdate",
            Category::UserPoolClientUpdate => "UserPoolClientUpdate",
        }
    }

    /// The name `--quota` takes (the AWS name is taken too).
    pub fn flag_name(self) -> &'static str {
        match self {
            Category::UserCreation => "user-creation",
            Category::UserRead => "user-read",
            Category::UserPoolUpdate => "user-pool-update",
            Category::UserPoolClientUpdate => "user-pool-client-update",
        }
    }

    pub fn of(op: Operation) -> Option<Category> {
        match op {
            Operation::SignUp | Operation::ConfirmSignUp => Some(Category::UserCreation),
            Operation::AdminGetUser => Some(Category::UserRead),
            Operation::CreateUserPool | Operation::DeleteUserPool => Some(Category::UserPoolUpdate),
            Operation::CreateUserPoolClient => Some(Category::UserPoolClientUpdate),
            Operation::ResendConfirmationCode => None,
        }
    }

    fn parse(name: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| name == c.flag_name() || name == c.aws_name())
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The rates set, by category; a category without one is not limited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quotas {
    rates: [Option<f64>; 4],
}

impl Quotas {
    /// Parses `--quota` values: each `CATEGORY=RPS`, several separated by commas or given as
    /// several flags. A category named twice is refused rather than one silently winning.
    pub fn parse<'a>(specs: impl IntoIterator<Item = &'a str>) -> Result<Quotas, String> {
        let mut quotas = Quotas::default();
        for item in specs.into_iter().flat_map(|s| s.split(',')) {
            let item = item.trim();
            let Some((name, rate)) = item.split_once('=') else {
                return Err(format!(
                    "'{}': expected CATEGORY=RPS, e.g. user-creation=50",
                    shown(item)
                ));
            };
            let Some(category) = Category::parse(name.trim()) else {
                return Err(format!(
                    "unknown quota category '{}' (expected one of: {})",
                    shown(name.trim()),
                    Category::ALL.map(Category::flag_name).join(", ")
                ));
            };
            let rate_text = rate;
            let rate: f64 = rate
                .trim()
                .parse()
                .ok()
                .filter(|r: &f64| r.is_finite())
                .ok_or_else(|| {
                    format!(
                        "{}: '{}' is not a number of requests per second",
                        category.flag_name(),
                        shown(rate.trim())
                    )
                })?;
            if !(MIN_RPS..=MAX_RPS).contains(&rate) {
                return Err(format!(
                    "{}: the rate must be from {MIN_RPS} to {MAX_RPS} requests per second, not {}",
                    category.flag_name(),
                    shown(rate_text.trim())
                ));
            }
            let slot = &mut quotas.rates[category.index()];
            if slot.is_some() {
                return Err(format!("{} is given twice", category.flag_name()));
            }
            *slot = Some(rate);
        }
        Ok(quotas)
    }

    pub fn is_empty(&self) -> bool {
        self.rates.iter().all(Option::is_none)
    }

    pub fn rate(&self, category: Category) -> Option<f64> {
        self.rates[category.index()]
    }
}

impl fmt::Display for Quotas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for c in Category::ALL {
            if let Some(rate) = self.rate(c) {
                if !first {
                    f.write_str(",")?;
                }
                first = false;
                write!(f, "{}={rate}", c.flag_name())?;
            }
        }
        Ok(())
    }
}

struct Bucket {
    rate: f64,
    tokens: f64,
    filled_at: Instant,
}

/// The buckets of one running emulator.
pub struct QuotaState {
    buckets: [Option<Mutex<Bucket>>; 4],
}

impl QuotaState {
    pub fn new(quotas: &Quotas) -> QuotaState {
        let now = Instant::now();
        QuotaState {
            buckets: quotas.rates.map(|rate| {
                rate.map(|rate| {
                    Mutex::new(Bucket {
                        rate,
                        tokens: burst(rate),
                        filled_at: now,
                    })
                })
            }),
        }
    }

    /// Whether `op` may go on now (and then it uses one request of its category's rate).
    pub fn admit(&self, op: Operation) -> bool {
        self.admit_at(op, Instant::now())
    }

    fn admit_at(&self, op: Operation, now: Instant) -> bool {
        let Some(bucket) = Category::of(op).and_then(|c| self.buckets[c.index()].as_ref()) else {
            return true;
        };
        let mut b = bucket.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = now.saturating_duration_since(b.filled_at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * b.rate).min(burst(b.rate));
        b.filled_at = b.filled_at.max(now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A second's worth, and at least one request, so that a rate under 1/s lets any through.
fn burst(rate: f64) -> f64 {
    rate.max(1.0)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn flags_take_kebab_and_aws_names_and_refuse_the_rest() {
        let q = Quotas::parse(["user-creation=50", "UserRead=120,user-pool-update=0.5"]).unwrap();
        assert_eq!(q.rate(Category::UserCreation), Some(50.0));
        assert_eq!(q.rate(Category::UserRead), Some(120.0));
        assert_eq!(q.rate(Category::UserPoolUpdate), Some(0.5));
        assert_eq!(q.rate(Category::UserPoolClientUpdate), None);
        assert_eq!(
            q.to_string(),
            "user-creation=50,user-read=120,user-pool-update=0.5"
        );
        for (bad, says) in [
            ("user-creation", "expected CATEGORY=RPS"),
            ("sign-up=5", "unknown quota category 'sign-up'"),
            ("user-creation=fast", "not a number"),
            (
                "user-creation=0",
                "from 0.001 to 1000000 requests per second, not 0",
            ),
            ("user-creation=-3", "not -3"),
            ("user-creation=1e-300", "not 1e-300"),
            ("user-creation=1e-400", "not 1e-400"),
            ("user-creation=NaN", "not a number"),
            ("user-creation=inf", "not a number"),
            (
                "user-creation=1e9",
                "to 1000000 requests per second, not 1e9",
            ),
            ("user-creation=5,UserCreation=6", "given twice"),
            ("user-creation=\u{1b}[31m", "not a number"),
        ] {
            let e = Quotas::parse([bad]).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(
                !e.contains('\u{1b}'),
                "{bad}: raw control character in {e:?}"
            );
        }
        let long = format!("{}=5", "x".repeat(100_000));
        let e = Quotas::parse([long.as_str()]).unwrap_err();
        assert!(e.len() < 300 && e.contains("xxx…"), "{e}");
    }

    #[test]
    fn a_bucket_passes_a_second_of_burst_then_the_rate() {
        let state = QuotaState::new(&Quotas::parse(["user-creation=10"]).unwrap());
        let t0 = Instant::now();
        let passed = (0..25)
            .filter(|_| state.admit_at(Operation::ConfirmSignUp, t0))
            .count();
        assert_eq!(passed, 10);
        // SignUp shares the category; AdminGetUser and ResendConfirmationCode do not.
        assert!(!state.admit_at(Operation::SignUp, t0));
        assert!(state.admit_at(Operation::AdminGetUser, t0));
        assert!(state.admit_at(Operation::ResendConfirmationCode, t0));
        // A tenth of a second gives back one request, and no more than a second's worth builds up.
        assert!(state.admit_at(Operation::ConfirmSignUp, t0 + Duration::from_millis(100)));
        assert!(!state.admit_at(Operation::ConfirmSignUp, t0 + Duration::from_millis(100)));
        let later = t0 + Duration::from_secs(60);
        let passed = (0..25)
            .filter(|_| state.admit_at(Operation::SignUp, later))
            .count();
        assert_eq!(passed, 10);
    }

    #[test]
    fn a_rate_under_one_a_second_lets_one_through_then_waits() {
        let state = QuotaState::new(&Quotas::parse(["user-read=0.5"]).unwrap());
        let t0 = Instant::now();
        assert!(state.admit_at(Operation::AdminGetUser, t0));
        assert!(!state.admit_at(Operation::AdminGetUser, t0 + Duration::from_secs(1)));
        assert!(state.admit_at(Operation::AdminGetUser, t0 + Duration::from_secs(2)));
    }

    #[test]
    fn an_earlier_instant_than_the_last_refill_takes_nothing_back() {
        let state = QuotaState::new(&Quotas::parse(["user-creation=2"]).unwrap());
        let t0 = Instant::now() + Duration::from_secs(5);
        assert!(state.admit_at(Operation::ConfirmSignUp, t0));
        assert!(state.admit_at(Operation::ConfirmSignUp, t0));
        assert!(!state.admit_at(Operation::ConfirmSignUp, t0 - Duration::from_secs(3)));
        assert!(state.admit_at(Operation::ConfirmSignUp, t0 + Duration::from_secs(1)));
    }
}
