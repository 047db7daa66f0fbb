//! Which answers the scenario's retry policy sends again (the loop that does it is the
//! execute path's).

use super::exchange::Sent;
use crate::protocol;

impl crate::scenario::RetryPolicy {
    /// Whether this exchange's answer is one the policy retries.
    pub(super) fn wants(&self, sent: &Sent) -> bool {
        if self.max_attempts <= 1 {
            return false;
        }
        let Ok(reply) = &sent.reply else {
            return self.on_transport_errors;
        };
        let throttled = reply.status == 429
            || protocol::parse_error(&reply.body, reply.error_type.as_deref())
                .is_some_and(|e| e.error_type == "TooManyRequestsException");
        (self.on_throttling && throttled)
            || (self.on_server_errors && (500..600).contains(&reply.status))
    }
}
