//! `retry:` — an optional retry policy for throttled (and, if asked, 5xx) answers: the AWS
//! SDKs' standard mode, exponential backoff with full jitter. Off by default: a load tool
//! reports throttling; it retries only when asked to behave as an SDK client would.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;

use super::values::Dur;
use crate::yaml::checked_map;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 = no retries.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// TooManyRequestsException or HTTP 429.
    pub on_throttling: bool,
    /// HTTP 500–599.
    pub on_server_errors: bool,
    /// Transport errors and timeouts. Opt-in only: the request may have reached the target
    /// and changed state, so a retry can be judged against a state it caused itself.
    pub on_transport_errors: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(20),
            on_throttling: true,
            on_server_errors: false,
            on_transport_errors: false,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: uniform in [0, min(max, base × 2^(attempt−1))]
    /// (full jitter).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(20))
            .min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// What is retried: throttling (TooManyRequestsException or HTTP 429), server_errors (HTTP
/// 500-599), transport_error (transport errors and timeouts: the request may have changed
/// the target's state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RetryOn {
    #[serde(alias = "throttled")]
    Throttling,
    ServerErrors,
    #[serde(alias = "transport_errors")]
    TransportError,
}

/// Every name serde reads, aliases too (a derived schema leaves serde's aliases out).
const RETRY_ON_NAMES: [&str; 5] = [
    "throttling",
    "throttled",
    "server_errors",
    "transport_error",
    "transport_errors",
];

crate::yaml::json_schema!(RetryOn, |_| schemars::json_schema!({
    "enum": RETRY_ON_NAMES,
    "description": "What is retried: throttling (TooManyRequestsException or HTTP 429; also `throttled`), server_errors (HTTP 500-599), transport_error (transport errors and timeouts, opt-in: the request may have changed the target's state; also `transport_errors`).",
}));

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRetry {
    /// Attempts in all, the first included (1: no retries).
    #[schemars(range(min = *MAX_ATTEMPTS.start(), max = *MAX_ATTEMPTS.end()))]
    max_attempts: u32,
    /// The first retry waits up to this long (default 50ms); each next one up to twice as
    /// long, full jitter.
    base_delay: Option<Dur>,
    /// The longest wait (default 20s), at least base_delay.
    max_delay: Option<Dur>,
    /// What is retried (default [throttling]).
    on: Option<Vec<RetryOn>>,
}

/// The attempts a policy may make, the first included.
const MAX_ATTEMPTS: std::ops::RangeInclusive<u32> = 1..=10;

impl TryFrom<RawRetry> for RetryPolicy {
    type Error = String;
    fn try_from(r: RawRetry) -> Result<RetryPolicy, String> {
        if !MAX_ATTEMPTS.contains(&r.max_attempts) {
            return Err(format!(
                "max_attempts: {} is outside {MAX_ATTEMPTS:?} (the first attempt counts)",
                r.max_attempts
            ));
        }
        let d = RetryPolicy::default();
        let on = r.on.unwrap_or_else(|| vec![RetryOn::Throttling]);
        let policy = RetryPolicy {
            max_attempts: r.max_attempts,
            base_delay: r.base_delay.map_or(d.base_delay, |x| x.0),
            max_delay: r.max_delay.map_or(d.max_delay, |x| x.0),
            on_throttling: on.contains(&RetryOn::Throttling),
            on_server_errors: on.contains(&RetryOn::ServerErrors),
            on_transport_errors: on.contains(&RetryOn::TransportError),
        };
        if policy.base_delay.is_zero() || policy.max_delay < policy.base_delay {
            return Err("base_delay must be above zero and max_delay at least base_delay".into());
        }
        Ok(policy)
    }
}
checked_map!(
    RetryPolicy,
    RawRetry,
    "a retry policy (max_attempts, base_delay, max_delay, on)",
    refine: |_| {}
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema names exactly what serde reads.
    #[test]
    fn the_schema_names_every_name_read() {
        use serde::de::IntoDeserializer;
        let read = |s: &str| {
            let d: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
                s.into_deserializer();
            RetryOn::deserialize(d).ok()
        };
        for name in RETRY_ON_NAMES {
            assert!(read(name).is_some(), "{name}");
        }
        let all = [
            RetryOn::Throttling,
            RetryOn::ServerErrors,
            RetryOn::TransportError,
        ];
        for on in all {
            assert!(RETRY_ON_NAMES.iter().any(|n| read(n) == Some(on)), "{on:?}");
        }
        assert!(read("throttle").is_none());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..200 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
            assert!(p.backoff(2) <= Duration::from_millis(200));
            assert!(p.backoff(3) <= Duration::from_millis(300));
            assert!(p.backoff(30) <= Duration::from_millis(300));
        }
        // Full jitter spreads the waits over the whole range.
        let waits: Vec<Duration> = (0..200).map(|_| p.backoff(3)).collect();
        assert!(waits.iter().any(|w| *w < Duration::from_millis(100)));
        assert!(waits.iter().any(|w| *w > Duration::from_millis(200)));
    }
}
