//! One exchange as the transport hands it to the judge: the answer (or how it failed) and
//! its two latencies.

use std::collections::BTreeMap;

use crate::cases::judge::{self, Answer};
use crate::client::failure;
use crate::protocol;

/// One exchange as it ended, before judging.
pub(crate) struct Sent {
    pub(crate) reply: Result<Reply, Failure>,
    pub(crate) service: std::time::Duration,
    pub(crate) response: std::time::Duration,
}

impl Sent {
    /// The answer as observed, for comparing targets (`cogbench diff`): status, error type and
    /// message, or how the exchange failed.
    pub(crate) fn observation(&self) -> BTreeMap<String, String> {
        let mut o = BTreeMap::new();
        match &self.reply {
            Ok(reply) => {
                o.insert("status".into(), reply.status.to_string());
                if !(200..300).contains(&reply.status) {
                    let e = protocol::parse_error(&reply.body, reply.error_type.as_deref());
                    o.insert(
                        "error type".into(),
                        e.as_ref().map_or("(none)".into(), |e| e.error_type.clone()),
                    );
                    o.insert(
                        "message".into(),
                        e.and_then(|e| e.message)
                            .map_or("(none)".into(), |m| judge::excerpt(m.as_bytes())),
                    );
                }
            }
            Err(f) if f.kind == failure::Kind::Timeout => {
                o.insert("transport".into(), "timeout".into());
            }
            Err(_) => {
                o.insert("transport".into(), "error".into());
            }
        }
        o
    }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) error_type: Option<String>,
    /// Whether an `x-amzn-ErrorMessage` header came.
    pub(crate) error_message: bool,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// What judging reads of the answer, for recognising a repeat of the last one.
    pub(crate) fn bytes(&self) -> crate::metrics::AnswerBytes<'_> {
        crate::metrics::AnswerBytes {
            status: self.status,
            content_type: self.content_type.as_deref(),
            request_id: self
                .request_id
                .as_deref()
                .is_some_and(|id| !id.trim().is_empty()),
            error_type: self.error_type.as_deref(),
            error_message: self.error_message,
            body: &self.body,
        }
    }

    pub(crate) fn answer(&self) -> Answer<'_> {
        Answer {
            status: self.status,
            content_type: self.content_type.as_deref(),
            request_id: self.request_id.as_deref(),
            error_type_header: self.error_type.as_deref(),
            error_message_header: self.error_message,
            body: &self.body,
        }
    }
}

/// An exchange that ended without a whole HTTP answer; a timeout is of kind `Timeout`.
pub(crate) struct Failure {
    pub(crate) kind: failure::Kind,
    pub(crate) cause: failure::Cause,
}

impl From<failure::Cause> for Failure {
    fn from(cause: failure::Cause) -> Failure {
        Failure {
            kind: cause.kind(),
            cause,
        }
    }
}
