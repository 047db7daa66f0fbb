//! Cases that send several requests per execution and are judged on all of them: a sequence
//! (the answers before the last meet `expect_others`, the last meets `expect`), or a race
//! (exactly one answer meets `expect`, the rest `expect_others`; or all meet `expect`).

use std::time::Instant;

use futures_util::future::join_all;

use super::users::Lease;
use super::{Compiled, Engine};
use crate::cases::judge::redact;
use crate::cases::{Difference, Repeat, UserView};
use crate::metrics::Record;

pub(super) async fn fire(engine: &Engine, case: usize, intended: Instant, repeat: Repeat) {
    let c = &engine.cases[case];
    let Some(lease) = engine.lease(c) else { return };
    let n = repeat.count as usize;
    let view_of = |i: usize| -> UserView<'_> {
        match &lease {
            Lease::Tenant(t) if !t.crowd.is_empty() => t.member(i).view(),
            other => other.view(),
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
            let start = if i == 0 { intended } else { Instant::now() };
            let template = match &c.last_template {
                Some(last) if i + 1 == n => last,
                _ => &c.template,
            };
            all.push(engine.send_as(c, template, &view_of(i), start).await);
        }
        all
    };

    let mut records: Vec<Record> = if repeat.concurrent {
        judge_race(c, &sent)
    } else {
        let others = c.expect_others.as_ref().unwrap_or(&c.expect);
        sent.iter()
            .enumerate()
            .map(|(i, s)| s.judged(if i + 1 == n { &c.expect } else { others }))
            .collect()
    };

    // As for single requests: state is read back whenever every answer is the expected outcome.
    let expected_outcomes = records
        .iter()
        .all(|r| r.verdict.is_some() && !r.class.is_error());
    if expected_outcomes && engine.sample_post(&c.expect) {
        let mut differences = Vec::new();
        engine.check_post(c, &lease, &mut differences).await;
        if let Some(last) = records.last_mut() {
            last.post_checked = true;
            if !differences.is_empty() {
                match &mut last.verdict {
                    Some(Err(d)) => d.extend(differences),
                    verdict => *verdict = Some(Err(differences)),
                }
            }
        }
    }
    let last = records.len().saturating_sub(1);
    let post_checked = records.last().is_some_and(|r| r.post_checked);
    let post = records
        .last()
        .map(|r| super::post_outcome(post_checked, &r.verdict))
        .unwrap_or_default();
    for (i, mut record) in records.into_iter().enumerate() {
        let wants_sample = i == last && engine.recorder.wants_sample(case);
        // Only failures and the sample pay for the values to mask.
        let sensitive = if wants_sample || matches!(record.verdict, Some(Err(_))) {
            c.template.sensitive_values(&view_of(i))
        } else {
            Vec::new()
        };
        if let Some(Err(differences)) = &mut record.verdict {
            redact(differences, &sensitive);
        }
        // The group's sample: its last answer (a sequence's verdict), and the read-back.
        if wants_sample {
            let mut sample = sent[i].observation();
            super::redact_map(&mut sample, &sensitive);
            super::normalize(&mut sample, c.template.client_id(), view_of(i).username);
            sample.insert("postconditions".into(), post.clone());
            record.sample = Some(sample);
        }
        engine.recorder.record(case, record);
    }
}

/// Exactly one answer meets `expect` (the first that does wins); every other answer is judged
/// against `expect_others`. Without `expect_others`, every answer must meet `expect`.
fn judge_race(c: &Compiled, sent: &[super::Sent]) -> Vec<Record> {
    let Some(others) = &c.expect_others else {
        return sent.iter().map(|s| s.judged(&c.expect)).collect();
    };
    let mut winner = None;
    let mut records: Vec<Record> = sent
        .iter()
        .map(|s| {
            let as_winner = s.judged(&c.expect);
            if winner.is_none() && matches!(as_winner.verdict, Some(Ok(()))) {
                winner = Some(());
                as_winner
            } else {
                s.judged(others)
            }
        })
        .collect();
    if winner.is_none()
        && let Some(first) = records.iter_mut().find(|r| r.verdict.is_some())
    {
        let missing = Difference {
            field: "answers meeting the expectation".into(),
            expected: format!("exactly 1 of {} (status {})", sent.len(), c.expect.status),
            observed: "0".into(),
        };
        match &mut first.verdict {
            Some(Err(d)) => d.push(missing),
            verdict => *verdict = Some(Err(vec![missing])),
        }
    }
    records
}
