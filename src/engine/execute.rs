//! The one execute path every pacer drives: a sequence number picks the case, the case
//! leases its user, the request is built, sent over the run's transport, judged and
//! recorded (with the state read back when the case has postconditions).

use std::sync::atomic::Ordering;

use super::compiled::Compiled;
use super::exchange::{Failure, Reply, Sent};
use super::group;
use super::readback::{add_differences, normalise_sample, post_outcome};
use super::runner::Engine;
use super::transport::{Start, Timed, Transport};
use crate::cases::answer::{Names, NormalisedAnswer};
use crate::cases::judge::{self, redact};
use crate::cases::{Expect, RequestTemplate, UserView};
use crate::client::failure;
use crate::metrics::Record;
use crate::users::Lease;

impl Engine {
    /// Sends the `seq`-th request of a phase (or group of requests) and records the outcome.
    pub(crate) async fn fire_seq(&self, seq: u64, intended: Start) {
        // A task spawned just before a stop was requested may start after it: it sends
        // nothing, so the requests in flight when the stop came are all there will be.
        if self.stopping() {
            return;
        }
        let case = self.sequence[(seq % self.sequence.len() as u64) as usize];
        match self.cases[case].repeat {
            // Boxed, as reading state back is below: the rare paths' futures stay out of the
            // size of every single request's, which is moved at each await it passes.
            Some(repeat) => Box::pin(group::fire(self, case, intended, repeat)).await,
            None => self.fire(case, intended).await,
        }
    }

    /// One execution of a single-request case: lease its user, send, judge and record, and
    /// send again while the retry policy wants it.
    async fn fire(&self, case: usize, intended: Start) {
        let c = &self.cases[case];
        let Some(lease) = self.lease(c).await else {
            return;
        };
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
            intended = Start::now();
        }
    }

    /// Judges, checks postconditions, masks and records one exchange.
    async fn finish(&self, case: usize, c: &Compiled, lease: &Lease<'_>, sent: Sent, retry: bool) {
        let repeats = self.judgement_repeats(c) && !self.recorder.wants_sample(case);
        if repeats
            && let Ok(reply) = &sent.reply
            && self
                .recorder
                .record_repeat(case, &reply.bytes(), sent.service, sent.response, retry)
        {
            return;
        }
        let view = lease.view();
        let mut record = self.judge_sent(c, &sent, &c.expect, &view);
        record.retry = retry;
        if self.recorder.wants_sample(case) {
            record.sample = Some(sent.observation());
        }
        if self.state_follows(&record) && self.reads_state(c) {
            let mut differences = Vec::new();
            record.state = Box::pin(self.read_and_judge_state(c, lease, &mut differences)).await;
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
        let bytes = sent
            .reply
            .as_ref()
            .ok()
            .filter(|_| repeats)
            .map(Reply::bytes);
        self.recorder.record_as(case, record, bytes.as_ref());
    }

    /// Whether a case's judgement is all there is to an answer (no state read back, no
    /// recording): then an answer that repeats the last passing one is counted as it was.
    fn judgement_repeats(&self, c: &Compiled) -> bool {
        !self.record_state
            && c.expect.post.is_empty()
            && c.recorded.as_ref().is_none_or(|r| r.states.is_empty())
    }

    /// Stops every on-demand supply's sign-up workers (the load is over).
    pub fn stop_supplies(&self) {
        for (pools, _) in &self.pools {
            pools.stop_supplies();
        }
    }

    pub(super) async fn lease(&self, c: &Compiled) -> Option<Lease<'_>> {
        let taken = tokio::select! {
            biased;
            taken = self.pools[c.pool].0.take(c.user, c.consumes) => taken,
            // A start still waiting for its user when the phase's time is up is not made.
            () = self.user_waits_ended() => {
                self.gave_up.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        };
        match taken {
            Ok(l) => Some(l),
            // A start still waiting for a user when the load ended (its supply stopped) is
            // simply not made.
            Err(_) if self.stopping() => None,
            // Workers that failed are the target's doing: more users would not help.
            Err(e) if e.failure.is_some() => {
                self.abort(format!("case `{}`: {e}", c.id));
                None
            }
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
    pub(super) async fn send(&self, c: &Compiled, view: &UserView<'_>, intended: Start) -> Sent {
        self.send_as(c, &c.template, view, intended).await
    }

    /// `send` with the body from `template` (a sequence's last request) instead of the case's.
    pub(super) async fn send_as(
        &self,
        c: &Compiled,
        template: &RequestTemplate,
        view: &UserView<'_>,
        intended: Start,
    ) -> Sent {
        let mut body = Vec::with_capacity(192);
        template.write_body(view, &mut body);
        self.sent.fetch_add(1, Ordering::Relaxed);
        let Timed {
            reply,
            sent,
            done,
            setup,
        } = self.wire.exchange(c, body).await;
        self.note_failure(&reply);
        let waited = done.saturating_duration_since(intended.at);
        Sent {
            reply,
            service: done - sent,
            response: if intended.scheduled {
                waited
            } else {
                waited.saturating_sub(setup)
            },
        }
    }

    fn note_failure(&self, reply: &Result<Reply, Failure>) {
        if let Err(f) = reply {
            self.first_failures.note(f.kind, &f.cause);
        }
    }

    /// Whether this execution's state is read back (sampled under load): for a case with
    /// postconditions (the catalog's or the snapshot's), or for every case when recording.
    pub(super) fn reads_state(&self, c: &Compiled) -> bool {
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
    pub(super) fn state_follows(&self, record: &Record) -> bool {
        record.verdict.is_some() && (self.record_state || !record.class.is_error())
    }

    /// Judges one exchange: the answer normalised (for the tallies and the oracle) and
    /// compared with the snapshot's answers or the catalog's `expect`.
    pub(super) fn judge_sent(
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
            bytes_decide: false,
        };
        let reply = match &sent.reply {
            Ok(reply) => reply,
            Err(f) => {
                if f.kind == failure::Kind::Timeout {
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
            Some(rec) => crate::cases::recorded::judge_answer(rec, &normalised),
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
        record.bytes_decide = !has_text;
        record
    }

    /// What must never be written from an answer to `c` for `view`: its codes and
    /// SecretHash values, and every client secret of the run (a target may echo any).
    pub(super) fn secrets_for(&self, c: &Compiled, view: &UserView<'_>) -> Vec<String> {
        let mut v = c.template.sensitive_values(view);
        if let Some(last) = &c.last_template {
            v.extend(last.sensitive_values(view));
        }
        v.extend(self.client_secrets.iter().cloned());
        v
    }

    /// The run's names in an exchange of `c` for `view`, to normalise answers by.
    pub(super) fn names<'a>(
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
}
