//! A pool's emulator settings, given as `UserPoolTags` on CreateUserPool. Real Cognito stores
//! tags and gives them no effect, so a scenario that sets them stays a valid request anywhere;
//! here the `cogbench:` tags set what a catalog case needs of its own pool, without touching
//! the other pools of the run:
//!
//! * `cogbench:web-acl:block-header` = NAME: a web ACL rule blocking requests that carry the
//!   header NAME (ForbiddenException, spec §3; AWS WAF inspects a public operation's headers,
//!   not its `UserContextData`);
//! * `cogbench:quota:user-creation` = RPS: the pool's own UserCreation quota (SignUp and
//!   ConfirmSignUp), on top of any account-wide `--quota` (spec §4.5 has it per account; a
//!   pool of its own keeps one case's throttling from the others);
//! * `cogbench:fault` = `internal-error`: every ConfirmSignUp to the pool answers
//!   InternalErrorException (500).
//!
//! Other `cogbench:` tags are refused, so a misspelt one is not silently without effect.
//! The web ACL and the fault apply to ConfirmSignUp, the operation under test, once its client
//! is known; provisioning in such a pool goes through.

use axum::http::{HeaderMap, HeaderName};

use super::quota::{QuotaState, Quotas};
use super::wire::{ApiError, StringMap, names};
use crate::protocol::Operation;

const PREFIX: &str = "cogbench:";
use crate::protocol::pool_settings::{
    TAG_BLOCK_HEADER as BLOCK_HEADER, TAG_FAULT as FAULT, TAG_QUOTA as QUOTA,
};
/// The one WAF block captured (spec §3).
pub const WAF_BLOCK: &str = "Request not allowed due to WAF block.";
/// Observed for another Cognito operation (spec §3.1).
pub const INTERNAL_ERROR: &str = "Internal server error.";

/// The settings of one pool; `None` from [`PoolTags::parse`] when it has none.
pub struct PoolTags {
    block_header: Option<HeaderName>,
    quota: Option<QuotaState>,
    internal_error: bool,
}

fn refuse(message: String) -> ApiError {
    ApiError::invalid_parameter(message)
}

use super::quota::shown;

impl PoolTags {
    pub fn parse(tags: Option<&StringMap>) -> Result<Option<PoolTags>, ApiError> {
        let mut out = PoolTags {
            block_header: None,
            quota: None,
            internal_error: false,
        };
        let mut any = false;
        for (key, value) in tags.into_iter().flat_map(|t| &t.entries) {
            if !key.starts_with(PREFIX) {
                continue;
            }
            any = true;
            match &**key {
                BLOCK_HEADER => {
                    let name = HeaderName::try_from(value.trim()).map_err(|_| {
                        refuse(format!(
                            "{BLOCK_HEADER}: '{}' is not an HTTP header name",
                            shown(value)
                        ))
                    })?;
                    out.block_header = Some(name);
                }
                QUOTA => {
                    if value.contains([',', '=']) {
                        return Err(refuse(format!(
                            "{QUOTA}: '{}' is not a number of requests per second",
                            shown(value)
                        )));
                    }
                    let quotas =
                        Quotas::parse([format!("user-creation={}", value.trim()).as_str()])
                            .map_err(|e| refuse(format!("{QUOTA}: {e}")))?;
                    out.quota = Some(QuotaState::new(&quotas));
                }
                FAULT => {
                    if &**value != "internal-error" {
                        return Err(refuse(format!(
                            "{FAULT}: '{}' is not a fault (expected internal-error)",
                            shown(value)
                        )));
                    }
                    out.internal_error = true;
                }
                other => {
                    return Err(refuse(format!(
                        "unknown tag '{}': the cogbench: tags are {BLOCK_HEADER}, {QUOTA} and {FAULT}",
                        shown(other)
                    )));
                }
            }
        }
        Ok(any.then_some(out))
    }

    /// The pool's web ACL, then its quota, then its fault, for a request to it.
    pub fn check(&self, op: Operation, headers: &HeaderMap) -> Result<(), ApiError> {
        let under_test = op == Operation::ConfirmSignUp;
        if under_test
            && let Some(name) = &self.block_header
            && headers.contains_key(name)
        {
            return Err(ApiError::new(names::FORBIDDEN, WAF_BLOCK));
        }
        if let Some(q) = &self.quota
            && !q.admit(op)
        {
            return Err(ApiError::new(
                names::TOO_MANY_REQUESTS,
                super::quota::RATE_EXCEEDED,
            ));
        }
        if under_test && self.internal_error {
            return Err(ApiError::new(names::INTERNAL_ERROR, INTERNAL_ERROR));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&'static str, &'static str)]) -> Result<Option<PoolTags>, ApiError> {
        PoolTags::parse(Some(&StringMap::of(pairs)))
    }

    #[test]
    fn other_tags_are_left_alone_and_unknown_cogbench_ones_refused() {
        assert!(parse(&[("team", "x")]).unwrap().is_none());
        assert!(PoolTags::parse(None).unwrap().is_none());
        for bad in [
            &[("cogbench:web-acl", "x")][..],
            &[(BLOCK_HEADER, "bad header\n")],
            &[(QUOTA, "fast")],
            &[(QUOTA, "0")],
            &[(QUOTA, "5,user-read=1")],
            &[(QUOTA, "user-creation=5")],
            &[(FAULT, "slow")],
        ] {
            let e = parse(bad).err().expect("refused");
            assert_eq!(e.name, names::INVALID_PARAMETER, "{bad:?}");
            assert!(!e.message.unwrap().contains('\n'));
        }
    }

    #[test]
    fn the_web_acl_blocks_only_confirm_sign_up_carrying_the_header() {
        let t = parse(&[(BLOCK_HEADER, "X-Block-Me")]).unwrap().unwrap();
        let mut h = HeaderMap::new();
        assert!(t.check(Operation::ConfirmSignUp, &h).is_ok());
        h.insert("x-block-me", "1".parse().unwrap());
        let e = t.check(Operation::ConfirmSignUp, &h).unwrap_err();
        assert_eq!((e.name, e.status().as_u16()), (names::FORBIDDEN, 403));
        assert!(t.check(Operation::SignUp, &h).is_ok());
    }

    #[test]
    fn the_pool_quota_throttles_past_its_burst_and_the_fault_answers_500() {
        let t = parse(&[(QUOTA, "1")]).unwrap().unwrap();
        let h = HeaderMap::new();
        assert!(t.check(Operation::ConfirmSignUp, &h).is_ok());
        let e = t.check(Operation::SignUp, &h).unwrap_err();
        assert_eq!(e.name, names::TOO_MANY_REQUESTS);
        let t = parse(&[(FAULT, "internal-error")]).unwrap().unwrap();
        let e = t.check(Operation::ConfirmSignUp, &h).unwrap_err();
        assert_eq!((e.name, e.status().as_u16()), (names::INTERNAL_ERROR, 500));
        assert!(t.check(Operation::SignUp, &h).is_ok());
    }
}
