//! A case compiled for the load: its request template, the headers that go with every
//! request of it, and what judges its answers.

use reqwest::header::HeaderValue;

use crate::cases::recorded::RecordedCase;
use crate::cases::{Case, ClientKind, ClientView, Expect, Repeat, RequestTemplate, UserKind};
use crate::target::provision::Clients;

/// A case ready to send: request template, headers and expectation.
pub struct Compiled {
    pub id: String,
    /// Index of its pool in the plan.
    pub(super) pool: usize,
    pub(super) method: reqwest::Method,
    pub(super) template: RequestTemplate,
    /// A sequence's last request, when the case's `last_request` makes it differ.
    pub(super) last_template: Option<RequestTemplate>,
    pub(super) target_header: Option<HeaderValue>,
    pub(super) content_type: HeaderValue,
    /// The case's own headers (`http.headers`).
    pub(super) headers: Vec<(reqwest::header::HeaderName, HeaderValue)>,
    pub(super) expect: Expect,
    pub(super) expect_others: Option<Expect>,
    pub(super) repeat: Option<Repeat>,
    pub(super) user: UserKind,
    pub(super) consumes: bool,
    /// Request line and fixed headers for the lean HTTP/1.1 path (filled by its `prepare`).
    pub(super) head: Vec<u8>,
    /// Whether a Content-Length goes with an empty body (not on GET).
    pub(super) with_length: bool,
    /// With `--oracle`: the snapshot's answers for this case, which judge it instead of
    /// `expect` (`None`: the catalog judges).
    pub(super) recorded: Option<std::sync::Arc<RecordedCase>>,
    /// The answers' texts normalised before.
    pub(super) texts: crate::cases::answer::TextCache,
}

impl Compiled {
    pub fn new(case: &Case, pool: usize, clients: &Clients) -> Compiled {
        let unknown = ClientView {
            client_id: "cogbenchunknownclient0000".into(),
            secret: None,
        };
        let client = match case.client {
            ClientKind::Public => &clients.public,
            ClientKind::Secret => &clients.secret,
            ClientKind::Hiding => &clients.hiding,
            ClientKind::Unknown => &unknown,
        };
        let template = RequestTemplate::compile(case, client);
        let header = |s: &str| {
            HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
        };
        Compiled {
            id: case.id.clone(),
            pool,
            method: reqwest::Method::from_bytes(case.http.method.as_bytes())
                .unwrap_or(reqwest::Method::POST),
            target_header: template.target.as_deref().map(header),
            content_type: header(&template.content_type),
            // The catalog checked names and values as it loaded.
            headers: case
                .http
                .headers
                .iter()
                .filter_map(|(n, v)| {
                    Some((
                        reqwest::header::HeaderName::from_bytes(n.as_bytes()).ok()?,
                        HeaderValue::from_str(v).ok()?,
                    ))
                })
                .collect(),
            last_template: RequestTemplate::compile_last(case, client),
            template,
            expect: case.expect.clone(),
            expect_others: case.expect_others.clone(),
            repeat: case.repeat,
            user: case.user,
            consumes: case.consumes,
            head: Vec::new(),
            with_length: !matches!(case.http.method.as_str(), "GET" | "HEAD"),
            recorded: None,
            texts: Default::default(),
        }
    }

    pub fn is_judged_by_snapshot(&self) -> bool {
        self.recorded.is_some()
    }

    /// Judged by a snapshot's recorded answers instead of the catalog.
    pub fn judged_by(mut self, recorded: std::sync::Arc<RecordedCase>) -> Compiled {
        self.recorded = Some(recorded);
        self
    }
}
