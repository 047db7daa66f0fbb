//! Cases that send several requests per execution and are judged on all of them: a sequence
//! (the answers before the last meet `expect_others`, the last meets `expect`), or a race
//! (exactly one answer meets `expect`, the rest `expect_others`; or all meet `expect`).
//! Every execution's outcome is kept as a pattern (`15 × CodeMismatchException, then
//! LimitExceededException`; `1 × 200 and 7 × NotAuthorizedException`), so reports show how
//! many confirmations of a race succeeded on any target, and a snapshot can judge by it.

use futures_util::future::join_all;

use super::compiled::Compiled;
use super::exchange::Sent;
use super::readback::{add_differences, normalise_sample, post_outcome};
use super::runner::Engine;
use super::transport::Start;
use crate::cases::answer::{Pattern, PatternKind};
use crate::cases::judge::redact;
use crate::cases::{Check, Class, Difference, Repeat, UserView};
use crate::metrics::Record;

pub(super) async fn fire(engine: &Engine, case: usize, intended: Start, repeat: Repeat) {
    let c = &engine.cases[case];
    let Some(lease) = engine.lease(c).await else {
        return;
    };
    let n = repeat.count as usize;
    let view_of = |i: usize| -> UserView<'_> {
        match lease.tenant() {
            Some(t) if !t.crowd.is_empty() => t.member(i).view(),
            _ => lease.view(),
        }
    };
    let sent = if repeat.concurrent {
        join_all((0..n).map(|i| {
            let view = view_of(i);
            async move { engine.send(c, &view, intended).await }
        }))
        .await
    } else {
        let mut all = Vec::with_capacity(n);
        for i in 0..n {
            // Within a sequence each request starts when the previous one is answered.
            let start = if i == 0 { intended } else { Start::now() };
            let template = match &c.last_template {
                Some(last) if i + 1 == n => last,
                _ => &c.template,
            };
            all.push(engine.send_as(c, template, &view_of(i), start).await);
        }
        all
    };

    let mut records: Vec<Record> = if repeat.concurrent {
        judge_race(engine, c, &sent, &view_of)
    } else {
        let others = c.expect_others.as_ref().unwrap_or(&c.expect);
        sent.iter()
            .enumerate()
            .map(|(i, s)| {
                let expect = if i + 1 == n { &c.expect } else { others };
                engine.judge_sent(c, s, expect, &view_of(i))
            })
            .collect()
    };
    let kind = if repeat.concurrent {
        PatternKind::Race
    } else {
        PatternKind::Sequence
    };
    let labels: Vec<String> = records.iter().map(label).collect();
    // A group is judged as a whole or not at all: with a member unanswered (a transport error,
    // a timeout, throttling) how many confirmations or attempts the target saw is unknown, so
    // no answer of it counts as judged, and it leaves no pattern.
    let complete = records.iter().all(|r| r.verdict.is_some());
    if !complete {
        for r in &mut records {
            r.verdict = None;
        }
    }
    let pattern = complete.then(|| Pattern::of(kind, &labels));
    // How many answers of an `at_least_one` race meet `expect` is the target's rate at that
    // moment, not a pattern a recording can hold it to; its answers are judged one by one.
    let counted = c.repeat.is_some_and(|r| !r.at_least_one);
    if let (Some(rec), Some(pattern)) = (&c.recorded, &pattern)
        && counted
        && let Some(d) = crate::cases::recorded::judge_pattern(rec, pattern)
        && let Some(last) = records.last_mut()
    {
        add_differences(last, vec![d]);
    }

    // As for single requests: state is read back whenever every answer is the expected outcome
    // (always, when recording).
    let expected_outcomes = records.iter().all(|r| engine.state_follows(r));
    if expected_outcomes && engine.reads_state(c) {
        let mut differences = Vec::new();
        let state = engine
            .read_and_judge_state(c, &lease, &mut differences)
            .await;
        if let Some(last) = records.last_mut() {
            last.post_checked = state.is_some();
            last.state = state;
            add_differences(last, differences);
        }
    }
    if let Some(last) = records.last_mut() {
        last.pattern = pattern;
    }
    let last = records.len().saturating_sub(1);
    let post_checked = records.last().is_some_and(|r| r.post_checked);
    let post = records
        .last()
        .map(|r| post_outcome(post_checked, &r.verdict))
        .unwrap_or_default();
    for (i, mut record) in records.into_iter().enumerate() {
        let wants_sample = i == last && engine.recorder.wants_sample(case);
        // Only failures and the sample pay for the values to mask.
        let sensitive = if wants_sample || matches!(record.verdict, Some(Err(_))) {
            engine.secrets_for(c, &view_of(i))
        } else {
            Vec::new()
        };
        if let Some(Err(differences)) = &mut record.verdict {
            redact(differences, &sensitive);
        }
        // The group's sample: its last answer (a sequence's verdict), and the read-back.
        if wants_sample {
            let mut sample = sent[i].observation();
            let view = view_of(i);
            normalise_sample(&mut sample, &engine.names(c, &view, &sensitive));
            sample.insert("postconditions".into(), post.clone());
            record.sample = Some(sample);
        }
        engine.recorder.record(case, record);
    }
}

/// How an answer shows in a pattern: `200`, `400 CodeMismatchException`, `timeout`.
fn label(r: &Record) -> String {
    match (&r.answer, r.class) {
        (Some(a), _) => a.label(),
        (None, Class::Timeout) => "timeout".into(),
        (None, _) => "transport error".into(),
    }
}

/// Whether an answer's own content (status, error type, message, body) met the expectation;
/// headers and state are checks of their own and do not decide a race's winner.
fn answer_passed(r: &Record) -> bool {
    match &r.verdict {
        Some(Ok(())) => true,
        Some(Err(d)) => d.iter().all(|d| d.check != Check::Answer),
        None => false,
    }
}

/// Exactly one answer meets `expect` (the first that does wins), or with `at_least_one` any
/// number but none; every other answer is judged against `expect_others`. Without
/// `expect_others`, every answer must meet `expect`. A snapshot judges each answer by its
/// recorded answers and the whole by its patterns.
fn judge_race<'a>(
    engine: &Engine,
    c: &Compiled,
    sent: &[Sent],
    view_of: &dyn Fn(usize) -> UserView<'a>,
) -> Vec<Record> {
    let others = match (&c.expect_others, &c.recorded) {
        (Some(o), None) => o,
        _ => {
            return sent
                .iter()
                .enumerate()
                .map(|(i, s)| engine.judge_sent(c, s, &c.expect, &view_of(i)))
                .collect();
        }
    };
    let many = c.repeat.is_some_and(|r| r.at_least_one);
    let mut winner = false;
    let mut records: Vec<Record> = sent
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let as_winner = engine.judge_sent(c, s, &c.expect, &view_of(i));
            if (many || !winner) && answer_passed(&as_winner) {
                winner = true;
                return as_winner;
            }
            let as_other = engine.judge_sent(c, s, others, &view_of(i));
            // A throttled answer is unjudged against `expect_others`, but where `expect` is the
            // throttling it is a failed winner, and judged as one.
            if as_other.verdict.is_none() && as_winner.verdict.is_some() {
                as_winner
            } else {
                as_other
            }
        })
        .collect();
    if !winner && let Some(first) = records.iter_mut().find(|r| r.verdict.is_some()) {
        let missing = Difference {
            check: Check::Answer,
            field: "answers meeting the expectation".into(),
            expected: format!(
                "{} 1 of {} ({}{})",
                if many { "at least" } else { "exactly" },
                sent.len(),
                c.expect.status,
                c.expect
                    .error
                    .as_deref()
                    .map(|e| format!(" {e}"))
                    .unwrap_or_default()
            ),
            observed: "0".into(),
        };
        add_differences(first, vec![missing]);
    }
    records
}
