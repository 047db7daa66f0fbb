//! The transport for everything the lean client does not speak (HTTPS, HTTP/2): reqwest,
//! the client the set-up and the read-backs use too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use reqwest::header::CONTENT_TYPE;

use super::compiled::Compiled;
use super::exchange::{Failure, Reply};
use super::transport::{Timed, Transport};
use crate::client::failure::{Cause, Kind};
use crate::client::{AnswerHead, BodyError, TOO_LARGE, read_body};
use crate::protocol;

pub(crate) struct ReqwestClient {
    client: reqwest::Client,
    /// Parsed once; each request clones it rather than parsing text again.
    url: reqwest::Url,
    /// Whether a request ever reached the target (an answer, or a failure after the
    /// connection was made).
    reached: AtomicBool,
}

impl ReqwestClient {
    pub(crate) fn new(client: reqwest::Client, url: reqwest::Url) -> ReqwestClient {
        ReqwestClient {
            client,
            url,
            reached: AtomicBool::new(false),
        }
    }

    async fn round_trip(&self, request: reqwest::RequestBuilder) -> Result<Reply, Failure> {
        // Written once: a store on every answer would bounce the flag's cache line between the
        // cores sending requests.
        let mark = || {
            if !self.reached.load(Ordering::Relaxed) {
                self.reached.store(true, Ordering::Relaxed);
            }
        };
        let classify = |e: reqwest::Error| {
            if !e.is_connect() {
                mark();
            }
            Failure::from(Cause::Client(e))
        };
        let mut response = request.send().await.map_err(classify)?;
        mark();
        let head = AnswerHead::of(&response);
        let body = read_body(&mut response).await.map_err(|e| match e {
            BodyError::Transport(e) => classify(e),
            BodyError::TooLarge => Failure::from(Cause::Said(Kind::TooLarge, TOO_LARGE)),
        })?;
        Ok(Reply {
            status: head.status,
            content_type: head.content_type,
            request_id: head.request_id,
            error_type: head.error_type,
            error_message: head.error_message,
            body,
        })
    }
}

impl Transport for ReqwestClient {
    fn prepare(&self, _: &mut Compiled) {}

    async fn exchange(&self, c: &Compiled, body: Vec<u8>) -> Timed {
        let mut request = self
            .client
            .request(c.method.clone(), self.url.clone())
            .header(CONTENT_TYPE, c.content_type.clone());
        if let Some(t) = &c.target_header {
            request = request.header(protocol::HEADER_TARGET, t.clone());
        }
        for (name, value) in &c.headers {
            request = request.header(name.clone(), value.clone());
        }
        let request = request.body(body);
        let sent = Instant::now();
        let reply = self.round_trip(request).await;
        Timed::ended(reply, sent)
    }

    fn ever_connected(&self) -> bool {
        self.reached.load(Ordering::Relaxed)
    }
}
