//! Executors on tokio. Every request is one case drawn from the mix; its answer is judged
//! and recorded. Open-model requests start on schedule whatever the answers do; latency is
//! kept both from the actual send (service time) and from the intended start (response time).

mod closed;
mod group;
mod http1;
pub mod mix;
mod open;
pub mod transport;
pub mod users;

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde_json::json;

use crate::cases::answer::{Names, NormalisedAnswer, State};
use crate::cases::judge::{self, Answer, redact};
use crate::cases::{
    Case, ClientKind, ClientView, Difference, Expect, Repeat, RequestTemplate, UserKind, UserView,
    Whom,
};
use crate::metrics::{Percentiles, Record, Recorder};
use crate::oracle::RecordedCase;
use crate::protocol::{self, Operation};
use crate::scenario::{Load, Phase};
use crate::target::{Api, provision::Clients};
use users::{Lease, UserPools};

/// The part of a whole phase this process runs (`--shard`): the requests (open model) or
/// virtual users (ramping) of index `offset`, `offset + step`, …, with its first request at
/// `first_seq` in the mix's sequence.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stripe {
    pub offset: u64,
    pub step: u64,
    pub first_seq: u64,
}

impl Stripe {
    pub const WHOLE: Stripe = Stripe {
        offset: 0,
        step: 1,
        first_seq: 0,
    };

    /// How many of `n` things (indices 0..n) are this stripe's.
    pub fn count(self, n: u64) -> u64 {
        if n > self.offset {
            (n - self.offset - 1) / self.step + 1
        } else {
            0
        }
    }
}

/// Requests an open-model phase schedules.
pub fn open_total(start_rate: f64, stages: &[crate::scenario::Stage]) -> u64 {
    open::Schedule::new(start_rate, stages).total()
}

/// Answers larger than this are cut off and counted as transport errors: no ConfirmSignUp
/// answer comes near it, and an unbounded read would let a target exhaust memory.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// What a load request cut off at [`MAX_ANSWER_BYTES`] says.
const TOO_LARGE: &str = "the answer passed 1048576 bytes (1 MiB) and was cut off";

/// A case ready to send: request template, headers and expectation.
pub struct Compiled {
    pub id: String,
    /// Index of its pool in the plan.
    pool: usize,
    method: reqwest::Method,
    template: RequestTemplate,
    /// A sequence's last request, when the case's `last_request` makes it differ.
    last_template: Option<RequestTemplate>,
    target_header: Option<HeaderValue>,
    content_type: HeaderValue,
    expect: Expect,
    expect_others: Option<Expect>,
    repeat: Option<Repeat>,
    user: UserKind,
    consumes: bool,
    /// Request line and fixed headers for the lean HTTP/1.1 path (filled by `Engine::new`).
    head: Vec<u8>,
    /// Whether a Content-Length goes with an empty body (not on GET).
    with_length: bool,
    /// With `--oracle`: the snapshot's answers for this case, which judge it instead of
    /// `expect` (`None`: the catalog judges).
    recorded: Option<std::sync::Arc<RecordedCase>>,
    /// The answers' texts normalised before.
    texts: crate::cases::answer::TextCache,
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

/// What one phase did.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PhaseOutcome {
    pub name: String,
    /// `constant-arrival-rate`, `ramping-arrival-rate`, `constant-vus`, `ramping-vus` or
    /// `iterations`.
    #[serde(deserialize_with = "crate::summary::statics::name")]
    pub executor: crate::summary::statics::Name,
    #[serde(deserialize_with = "crate::summary::statics::name")]
    pub model: crate::summary::statics::Name,
    /// Requests per second asked for (open model), start and end.
    pub planned_rate: Option<[f64; 2]>,
    /// Executions started; a group case (`repeat`) sends several requests per start.
    pub starts: u64,
    pub requests: u64,
    /// Open model: requests whose start time came while `max_in_flight` were outstanding
    /// and the phase ended before they could be sent.
    pub dropped: u64,
    /// Open model: requests sent more than 1 ms after their intended start (the harness or
    /// the `max_in_flight` bound could not keep the schedule).
    pub late_starts: u64,
    pub duration_seconds: f64,
    pub achieved_rate: f64,
    /// Open model: how late requests were sent against their intended start.
    pub schedule_lag_us: Option<Percentiles>,
    /// The same, whole, for the run's `timing` (phases merge exactly).
    #[serde(skip)]
    pub schedule_lag: Option<hdrhistogram::Histogram<u64>>,
    /// `schedule_lag` encoded (HdrHistogram V2 deflate, base64), so that `cogbench merge`
    /// merges shards' lags exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_lag_histogram: Option<String>,
    /// With `--shard`: what this shard had none of (virtual users, requests), and so did not do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub struct Engine {
    client: reqwest::Client,
    retry: crate::scenario::RetryPolicy,
    /// The lean HTTP/1.1 path for plain-http targets; reqwest otherwise.
    lean: Option<http1::Pool>,
    /// Parsed once; each request clones it rather than parsing text again.
    url: reqwest::Url,
    cases: Vec<Compiled>,
    /// Indices into `cases`, one weighted cycle.
    sequence: Vec<usize>,
    /// Users and pool id of each pool of the plan, by index.
    pools: Vec<(UserPools, String)>,
    pub recorder: Recorder,
    admin: Api,
    post_rate: f64,
    /// Recording (`cogbench record`): read the users' state after every execution that has
    /// users, whatever the answer was.
    record_state: bool,
    /// The run's client secrets.
    client_secrets: Vec<String>,
    stop: AtomicBool,
    stop_notify: tokio::sync::Notify,
    /// Past the grace period (or at a second Ctrl-C): phases stop waiting for requests in
    /// flight.
    abandon: AtomicBool,
    abandon_notify: tokio::sync::Notify,
    /// Requests put on the wire (or handed to the client); `recorder.completed` counts those
    /// whose outcome was recorded.
    pub sent: std::sync::atomic::AtomicU64,
    abort: OnceLock<String>,
    /// Whether the client path ever reached the target (an answer, or a failure after the
    /// connection was made).
    reached: AtomicBool,
    /// The first message of each kind of transport failure.
    pub first_failures: transport::FirstFailures,
}

impl Engine {
    /// `api` carries the client (shared with the load path), the endpoint and the signer of
    /// the AdminGetUser read-backs.
    pub fn new(
        api: &Api,
        http: &crate::client::ClientSettings,
        mut cases: Vec<Compiled>,
        weights: &[u32],
        pools: Vec<(UserPools, String)>,
        post_rate: f64,
        retry: crate::scenario::RetryPolicy,
    ) -> Engine {
        let admin = api.clone();
        let client = api.client().clone();
        let url = reqwest::Url::parse(&format!("{}/", api.endpoint()))
            .expect("the endpoint was checked when the scenario loaded");
        let origin = (!http.http2).then(|| http1::Origin::of(&url)).flatten();
        if let Some(origin) = &origin {
            for c in &mut cases {
                c.head = http1::head(
                    origin,
                    c.method.as_str(),
                    c.content_type.to_str().unwrap_or("invalid"),
                    c.target_header.as_ref().and_then(|t| t.to_str().ok()),
                );
            }
        }
        let mut client_secrets: Vec<String> = cases
            .iter()
            .filter_map(|c| c.template.secret().map(str::to_owned))
            .collect();
        client_secrets.sort();
        client_secrets.dedup();
        let recorder = Recorder::new(cases.len());
        Engine {
            first_failures: transport::FirstFailures::new(recorder.started()),
            retry,
            lean: origin.map(|o| {
                http1::Pool::new(o, http.pool_size, http.connect_timeout, http.read_timeout)
            }),
            url,
            recorder,
            sequence: mix::sequence(weights),
            cases,
            pools,
            client,
            admin,
            post_rate,
            record_state: false,
            client_secrets,
            stop: AtomicBool::new(false),
            stop_notify: tokio::sync::Notify::new(),
            abandon: AtomicBool::new(false),
            abandon_notify: tokio::sync::Notify::new(),
            sent: std::sync::atomic::AtomicU64::new(0),
            abort: OnceLock::new(),
            reached: AtomicBool::new(false),
        }
    }

    /// What must never be written from an answer to `c` for `view`: its codes and
    /// SecretHash values, and every client secret of the run (a target may echo any).
    pub(crate) fn secrets_for(&self, c: &Compiled, view: &UserView<'_>) -> Vec<String> {
        let mut v = c.template.sensitive_values(view);
        if let Some(last) = &c.last_template {
            v.extend(last.sensitive_values(view));
        }
        v.extend(self.client_secrets.iter().cloned());
        v
    }

    /// The run's names in an exchange of `c` for `view`, to normalise answers by.
    fn names<'a>(
        &'a self,
        c: &'a Compiled,
        view: &UserView<'a>,
        secrets: &'a [String],
    ) -> Names<'a> {
        Names {
            client_id: c.template.client_id(),
            pool_id: &self.pools[c.pool].1,
            username: view.username,
            email: view.email,
            sub: view.sub,
            secrets,
        }
    }

    /// Reads every execution's state back, whatever the answer (for `cogbench record`).
    pub fn recording(mut self) -> Engine {
        self.record_state = true;
        self
    }

    pub fn cases(&self) -> &[Compiled] {
        &self.cases
    }

    /// Users of each pool, with the pool's id.
    pub fn pools(&self) -> &[(UserPools, String)] {
        &self.pools
    }

    pub fn cycle_len(&self) -> u64 {
        self.sequence.len() as u64
    }

    /// Asks every executor to stop scheduling; requests in flight finish.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.stop_notify.notify_waiters();
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Stops waiting for the requests in flight: the phase ends now, their outcomes are not
    /// counted (`sent` minus completed shows how many).
    pub fn abandon_in_flight(&self) {
        self.request_stop();
        self.abandon.store(true, Ordering::SeqCst);
        self.abandon_notify.notify_waiters();
    }

    /// Resolves once `abandon_in_flight` has been called.
    pub(crate) async fn abandoned(&self) {
        let notified = self.abandon_notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.abandon.load(Ordering::SeqCst) {
            return;
        }
        notified.await;
    }

    /// Whether the run stopped waiting for requests in flight.
    pub fn was_abandoned(&self) -> bool {
        self.abandon.load(Ordering::SeqCst)
    }

    /// Requests sent whose outcome is not recorded yet (retries included).
    pub fn in_flight(&self) -> u64 {
        self.sent
            .load(Ordering::Relaxed)
            .saturating_sub(self.recorder.completed.load(Ordering::Relaxed))
    }

    /// Whether any request ever had a connection to the target.
    pub fn ever_connected(&self) -> bool {
        self.reached.load(Ordering::Relaxed)
            || self.lean.as_ref().is_some_and(|p| p.ever_connected())
    }

    /// Why the run ended early, if it did for a reason of its own (users ran out).
    pub fn abort_reason(&self) -> Option<&str> {
        self.abort.get().map(String::as_str)
    }

    fn abort(&self, reason: String) {
        let _ = self.abort.set(reason);
        self.request_stop();
    }

    pub async fn run_phase(self: &std::sync::Arc<Self>, phase: &Phase) -> PhaseOutcome {
        let before = self.recorder.completed.load(Ordering::Relaxed);
        let stripe = phase.shard.as_ref().map_or(Stripe::WHOLE, |s| Stripe {
            offset: u64::from(s.shard.index - 1),
            step: u64::from(s.shard.count),
            first_seq: s.first_seq,
        });
        // A shard's open and ramping phases follow the whole phase's schedule or ramp, and
        // take every N-th request or virtual user of it.
        let whole = phase.shard.as_ref().map_or(&phase.load, |s| &s.whole);
        let mut outcome = match (&phase.load, whole) {
            (
                Load::Closed {
                    vus,
                    stop,
                    think_time,
                    max_duration,
                },
                _,
            ) => {
                closed::run(
                    self,
                    &phase.name,
                    *vus,
                    *stop,
                    *think_time,
                    *max_duration,
                    stripe.first_seq,
                )
                .await
            }
            (
                Load::RampingVus {
                    start,
                    stages,
                    think_time,
                },
                whole,
            ) => {
                let (start, stages, stripe) = match whole {
                    Load::RampingVus {
                        start: s,
                        stages: st,
                        ..
                    } => (*s, st, stripe),
                    _ => (*start, stages, Stripe::WHOLE),
                };
                closed::run_ramping(self, &phase.name, start, stages, *think_time, stripe).await
            }
            (
                Load::Open {
                    start_rate,
                    stages,
                    max_in_flight,
                },
                whole,
            ) => {
                let planned = [*start_rate, stages.last().map_or(*start_rate, |s| s.target)];
                let (schedule, stripe) = match whole {
                    Load::Open {
                        start_rate, stages, ..
                    } => (open::Schedule::new(*start_rate, stages), stripe),
                    _ => (open::Schedule::new(*start_rate, stages), Stripe::WHOLE),
                };
                open::run(self, &phase.name, planned, schedule, stripe, *max_in_flight).await
            }
        };
        outcome.executor = phase.executor;
        outcome.note = phase.shard.as_ref().and_then(|s| s.empty_note(&phase.load));
        // Phases run one after another, so the recorder's count is exact for this phase.
        outcome.requests = self.recorder.completed.load(Ordering::Relaxed) - before;
        outcome.achieved_rate = if outcome.duration_seconds > 0.0 {
            outcome.requests as f64 / outcome.duration_seconds
        } else {
            0.0
        };
        outcome
    }

    /// Waits until `end`, or until the run stops.
    pub(crate) async fn idle_until(&self, end: Instant) {
        const NAP: std::time::Duration = std::time::Duration::from_millis(250);
        loop {
            let now = Instant::now();
            if self.stopping() || now >= end {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep_until((now + NAP).min(end).into()) => {}
                _ = self.stop_notify.notified() => return,
            }
        }
    }

    /// Sends the `seq`-th request of a phase (or group of requests) and records the outcome.
    pub(crate) async fn fire_seq(&self, seq: u64, intended: Instant) {
        // A task spawned just before a stop was requested may start after it: it sends
        // nothing, so the requests in flight when the stop came are all there will be.
        if self.stopping() {
            return;
        }
        let case = self.sequence[(seq % self.sequence.len() as u64) as usize];
        match self.cases[case].repeat {
            Some(repeat) => group::fire(self, case, intended, repeat).await,
            None => self.fire(case, intended).await,
        }
    }

    fn lease(&self, c: &Compiled) -> Option<Lease<'_>> {
        match self.pools[c.pool].0.take(c.user, c.consumes) {
            Ok(l) => Some(l),
            Err(e) => {
                self.abort(format!(
                    "case `{}`: {e}. Raise users.fresh / users.reusable (or users.reuse_limit), or shorten the phases",
                    c.id
                ));
                None
            }
        }
    }

    /// One exchange: the request for `view`, sent and read, with its two latencies.
    async fn send(&self, c: &Compiled, view: &UserView<'_>, intended: Instant) -> Sent {
        self.send_as(c, &c.template, view, intended).await
    }

    /// `send` with the body from `template` (a sequence's last request) instead of the case's.
    async fn send_as(
        &self,
        c: &Compiled,
        template: &RequestTemplate,
        view: &UserView<'_>,
        intended: Instant,
    ) -> Sent {
        let mut body = Vec::with_capacity(192);
        template.write_body(view, &mut body);
        self.sent.fetch_add(1, Ordering::Relaxed);
        if let Some(pool) = &self.lean {
            let _slot = pool.slot().await;
            let sent = Instant::now();
            let reply = pool.exchange(&c.head, &body, c.with_length).await;
            let done = Instant::now();
            self.note_failure(&reply);
            return Sent {
                reply,
                service: done - sent,
                response: done.saturating_duration_since(intended),
            };
        }
        let mut request = self
            .client
            .request(c.method.clone(), self.url.clone())
            .header(CONTENT_TYPE, c.content_type.clone());
        if let Some(t) = &c.target_header {
            request = request.header(protocol::HEADER_TARGET, t.clone());
        }
        let request = request.body(body);
        let sent = Instant::now();
        let reply = exchange(request, &self.reached).await;
        let done = Instant::now();
        self.note_failure(&reply);
        Sent {
            reply,
            service: done - sent,
            response: done.saturating_duration_since(intended),
        }
    }

    fn note_failure(&self, reply: &Result<Reply, Failure>) {
        if let Err(f) = reply {
            self.first_failures.note(f.kind, &f.cause);
        }
    }

    /// Whether this execution's state is read back (sampled under load): for a case with
    /// postconditions (the catalog's or the snapshot's), or for every case when recording.
    fn reads_state(&self, c: &Compiled) -> bool {
        let wanted = self.record_state
            || !c.expect.post.is_empty()
            || c.recorded.as_ref().is_some_and(|r| !r.states.is_empty());
        wanted
            && self.post_rate > 0.0
            && (self.post_rate >= 1.0 || fastrand::f64() < self.post_rate)
    }

    /// Whether a judged answer leads to reading state: always when recording; otherwise
    /// when the answer is the outcome the case expects, even if a detail (a header, the
    /// message) differs, since state matters on its own.
    fn state_follows(&self, record: &Record) -> bool {
        record.verdict.is_some() && (self.record_state || !record.class.is_error())
    }

    /// Judges one exchange: the answer normalised (for the tallies and the oracle) and
    /// compared with the snapshot's answers or the catalog's `expect`.
    pub(crate) fn judge_sent(
        &self,
        c: &Compiled,
        sent: &Sent,
        expect: &Expect,
        view: &UserView<'_>,
    ) -> Record {
        let mut record = Record {
            class: crate::cases::Class::TransportError,
            service: sent.service,
            response: sent.response,
            verdict: None,
            post_checked: false,
            sample: None,
            retry: false,
            answer: None,
            pattern: None,
            state: None,
            transport: None,
        };
        let reply = match &sent.reply {
            Ok(reply) => reply,
            Err(f) => {
                if f.kind == transport::Kind::Timeout {
                    record.class = crate::cases::Class::Timeout;
                }
                record.transport = Some(f.kind);
                return record;
            }
        };
        let answer = reply.answer();
        let body = judge::parse_body(&reply.body);
        // Only an answer with text (a message, a member named by the target) can echo a
        // secret; computing the SecretHash to mask costs an HMAC, which an answer without
        // text never pays.
        let has_text = body.as_ref().is_some_and(crate::cases::answer::may_echo);
        let secrets = if has_text {
            self.secrets_for(c, view)
        } else {
            Vec::new()
        };
        let names = self.names(c, view, &secrets);
        let normalised =
            NormalisedAnswer::of_cached(&answer, body.as_ref(), &names, Some(&c.texts));
        let mut j = match &c.recorded {
            Some(rec) => crate::oracle::judge_answer(rec, &normalised),
            None => judge::judge_parsed(expect, &answer, body.as_ref()),
        };
        if !j.differences.is_empty() {
            // What a failure shows is normalised as answers are, so that two runs (on two
            // machines) report it in the same words, and no secret is in it.
            let all;
            let names = if has_text {
                names
            } else {
                all = self.secrets_for(c, view);
                Names {
                    secrets: &all,
                    ..names
                }
            };
            for d in &mut j.differences {
                d.observed = crate::cases::answer::normalise_observed(&d.observed, &names);
            }
        }
        record.class = j.class;
        if j.class.judged() {
            record.verdict = Some(if j.differences.is_empty() {
                Ok(())
            } else {
                Err(j.differences)
            });
        }
        record.answer = Some(normalised);
        record
    }

    /// Reads the state `c` is judged on (or, recording, every state its users have) and
    /// judges it: by the snapshot's states when it has some, else by the catalog's
    /// postconditions.
    async fn read_and_judge_state(
        &self,
        c: &Compiled,
        lease: &Lease<'_>,
        out: &mut Vec<Difference>,
    ) -> Option<State> {
        let Lease::Tenant(tenant) = lease else {
            return None;
        };
        let recorded = c.recorded.as_ref().filter(|r| !r.states.is_empty());
        let whos: Vec<Whom> = if self.record_state {
            if !tenant.crowd.is_empty() {
                // Which member of a crowd ends up verified is a race's outcome: only the
                // count is stable enough to record.
                vec![Whom::Group]
            } else if tenant.holder.is_some() {
                vec![Whom::User, Whom::PreviousOwner, Whom::Alias]
            } else {
                vec![Whom::User]
            }
        } else if let Some(rec) = recorded {
            rec.state_whos()
                .iter()
                .filter_map(|w| Whom::parse(w))
                .collect()
        } else {
            c.expect.post.iter().map(|p| p.of).collect()
        };
        let pool_id = &self.pools[c.pool].1;
        let state = read_state(&self.admin, pool_id, tenant, &whos).await;
        match recorded {
            Some(rec) => crate::oracle::judge_state(rec, &state, out),
            None => judge::judge_state(&c.expect.post, &state, out),
        }
        Some(state)
    }

    async fn fire(&self, case: usize, intended: Instant) {
        let c = &self.cases[case];
        let Some(lease) = self.lease(c) else { return };
        let mut intended = intended;
        let mut attempt = 1;
        loop {
            let sent = self.send(c, &lease.view(), intended).await;
            let retryable = self.retry.wants(&sent);
            self.finish(case, c, &lease, sent, attempt > 1).await;
            // Every attempt is recorded, the first failure included; a retry is one more
            // request, counted apart (`retries`), from its own start.
            if !retryable || attempt >= self.retry.max_attempts || self.stopping() {
                return;
            }
            tokio::time::sleep(self.retry.backoff(attempt)).await;
            attempt += 1;
            intended = Instant::now();
        }
    }

    /// Judges, checks postconditions, masks and records one exchange.
    async fn finish(&self, case: usize, c: &Compiled, lease: &Lease<'_>, sent: Sent, retry: bool) {
        let view = lease.view();
        let mut record = self.judge_sent(c, &sent, &c.expect, &view);
        record.retry = retry;
        if self.recorder.wants_sample(case) {
            record.sample = Some(sent.observation());
        }
        if self.state_follows(&record) && self.reads_state(c) {
            let mut differences = Vec::new();
            record.state = self.read_and_judge_state(c, lease, &mut differences).await;
            record.post_checked = record.state.is_some();
            add_differences(&mut record, differences);
        }
        // Failures and samples are rare: only they pay for the values to mask (a SecretHash
        // is an HMAC), never a passing request.
        let needs_masking = matches!(record.verdict, Some(Err(_))) || record.sample.is_some();
        let sensitive = if needs_masking {
            self.secrets_for(c, &view)
        } else {
            Vec::new()
        };
        if let Some(Err(differences)) = &mut record.verdict {
            redact(differences, &sensitive);
        }
        if let Some(sample) = &mut record.sample {
            normalise_sample(sample, &self.names(c, &view, &sensitive));
            sample.insert(
                "postconditions".into(),
                post_outcome(record.post_checked, &record.verdict),
            );
        }
        self.recorder.record(case, record);
    }
}

/// Adds state differences to a record's verdict.
pub(crate) fn add_differences(record: &mut Record, differences: Vec<Difference>) {
    if differences.is_empty() {
        return;
    }
    match &mut record.verdict {
        Some(Err(d)) => d.extend(differences),
        verdict => *verdict = Some(Err(differences)),
    }
}

/// The users' state after an execution, as `State` keys: `user.UserStatus`,
/// `user.email_verified`, `previous_owner.…`, `group.verified_owners`, `alias.owner`.
async fn read_state(api: &Api, pool_id: &str, tenant: &users::Tenant, whos: &[Whom]) -> State {
    let mut state = State::new();
    let get = async |name: &str| {
        api.call(
            Operation::AdminGetUser,
            &json!({"UserPoolId": pool_id, "Username": name}),
        )
        .await
    };
    for who in whos {
        let key = |k: &str| format!("{}.{k}", who.as_str());
        match who {
            Whom::User | Whom::PreviousOwner => {
                let user = match who {
                    Whom::User => Some(&tenant.user),
                    _ => tenant.holder.as_ref(),
                };
                let Some(user) = user else { continue };
                match get(&user.internal).await {
                    Ok(answer) => {
                        let status = answer.get("UserStatus").and_then(|s| s.as_str());
                        state.insert(key("UserStatus"), status.unwrap_or("(absent)").into());
                        let verified = judge::attribute(&answer, "email_verified");
                        state.insert(key("email_verified"), verified.unwrap_or("(absent)").into());
                    }
                    Err(e) => {
                        state.insert(key("UserStatus"), unreadable(&e.to_string()));
                    }
                }
            }
            Whom::Group => {
                let mut verified = 0;
                let mut failed = None;
                for user in tenant.everyone() {
                    match get(&user.internal).await {
                        Ok(answer) => {
                            verified += u64::from(
                                judge::attribute(&answer, "email_verified") == Some("true"),
                            );
                        }
                        Err(e) => failed = Some(unreadable(&e.to_string())),
                    }
                }
                state.insert(
                    key("verified_owners"),
                    failed.unwrap_or_else(|| verified.to_string()),
                );
            }
            Whom::Alias => {
                // The alias signs in whoever AdminGetUser by the email names.
                let owner = match get(&tenant.user.email).await {
                    Ok(answer) => {
                        let name = answer.get("Username").and_then(|u| u.as_str());
                        if name == Some(tenant.user.internal.as_str()) {
                            "user".to_owned()
                        } else if name.is_some()
                            && name == tenant.holder.as_ref().map(|h| h.internal.as_str())
                        {
                            "previous_owner".to_owned()
                        } else {
                            "(another user)".to_owned()
                        }
                    }
                    Err(e) => unreadable(&e.to_string()),
                };
                state.insert(key("owner"), owner);
            }
        }
    }
    state
}

/// A read that failed, without the run's names (the error text may carry them).
fn unreadable(error: &str) -> String {
    let kind = [
        "UserNotFoundException",
        "ResourceNotFoundException",
        "NotAuthorizedException",
    ]
    .into_iter()
    .find(|k| error.contains(k));
    match kind {
        Some(k) => format!("(unreadable: {k})"),
        None => "(unreadable)".into(),
    }
}

/// An observation (`cogbench diff` compares them between targets) in the words normalised
/// answers use: the run's names as placeholders, secrets masked, unsafe characters escaped.
pub(crate) fn normalise_sample(sample: &mut BTreeMap<String, String>, names: &Names<'_>) {
    for v in sample.values_mut() {
        *v = crate::cases::answer::normalise_observed(v, names);
    }
}

/// How the state read back compared with the expectation, for an observation.
pub(crate) fn post_outcome(checked: bool, verdict: &Option<Result<(), Vec<Difference>>>) -> String {
    if !checked {
        return "not read".into();
    }
    let post: Vec<&str> = match verdict {
        Some(Err(d)) => d
            .iter()
            .filter(|d| d.field.contains("(AdminGetUser"))
            .map(|d| d.field.as_str())
            .collect(),
        _ => Vec::new(),
    };
    if post.is_empty() {
        "as expected".into()
    } else {
        format!("differ: {}", post.join(", "))
    }
}

/// One exchange as it ended, before judging.
pub(crate) struct Sent {
    reply: Result<Reply, Failure>,
    service: std::time::Duration,
    response: std::time::Duration,
}

impl crate::scenario::RetryPolicy {
    /// Whether this exchange's answer is one the policy retries.
    fn wants(&self, sent: &Sent) -> bool {
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
            Err(f) if f.kind == transport::Kind::Timeout => {
                o.insert("transport".into(), "timeout".into());
            }
            Err(_) => {
                o.insert("transport".into(), "error".into());
            }
        }
        o
    }
}

struct Reply {
    status: u16,
    content_type: Option<String>,
    request_id: Option<String>,
    error_type: Option<String>,
    /// Whether an `x-amzn-ErrorMessage` header came.
    error_message: bool,
    body: Vec<u8>,
}

impl Reply {
    fn answer(&self) -> Answer<'_> {
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
struct Failure {
    kind: transport::Kind,
    cause: transport::Cause,
}

impl From<transport::Cause> for Failure {
    fn from(cause: transport::Cause) -> Failure {
        Failure {
            kind: cause.kind(),
            cause,
        }
    }
}

async fn exchange(
    request: reqwest::RequestBuilder,
    reached: &AtomicBool,
) -> Result<Reply, Failure> {
    // Written once: a store on every answer would bounce the flag's cache line between the
    // cores sending requests.
    let mark = || {
        if !reached.load(Ordering::Relaxed) {
            reached.store(true, Ordering::Relaxed);
        }
    };
    let classify = |e: reqwest::Error| {
        if !e.is_connect() {
            mark();
        }
        Failure::from(transport::Cause::Client(e))
    };
    let mut response = request.send().await.map_err(classify)?;
    mark();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = response.status().as_u16();
    let content_type = header("content-type");
    let error_type = header(protocol::HEADER_ERROR_TYPE);
    let request_id = header(protocol::HEADER_REQUEST_ID);
    let error_message = response
        .headers()
        .contains_key(protocol::HEADER_ERROR_MESSAGE);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(transport::Cause::Said(transport::Kind::TooLarge, TOO_LARGE).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        status,
        content_type,
        request_id,
        error_type,
        error_message,
        body,
    })
}

/// A one-line reason for a failed exchange, from the innermost cause.
pub fn describe_transport_error(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    format!("{kind}: {cause}")
}
