//! Judging an answer by what a target answered when it was recorded, instead of by the
//! catalog's expectation.

use super::answer::{NormalisedAnswer, Pattern, State, describe_state};
use super::judge::{Check, Class};
use super::judge::{Difference, Judgement, diff, is_throttling, state_diff};

/// What a snapshot holds for one case, ready to judge by: its distinct answers (most frequent
/// first), the patterns of its executions (group cases), and the states read back.
#[derive(Debug, Clone, Default)]
pub struct RecordedCase {
    pub answers: Vec<NormalisedAnswer>,
    pub patterns: Vec<Pattern>,
    pub states: Vec<State>,
}

impl RecordedCase {
    /// Whether the snapshot recorded any answer for the case (only transport failures, or
    /// nothing, leave the case to the catalog).
    pub fn has_answers(&self) -> bool {
        !self.answers.is_empty()
    }

    /// The users whose state the recording read: `user`, `previous_owner`, `group`, `alias`.
    pub fn state_whos(&self) -> Vec<String> {
        let mut whos: Vec<String> = self
            .states
            .iter()
            .flat_map(|s| s.keys())
            .filter_map(|k| k.split_once('.').map(|(who, _)| who.to_owned()))
            .collect();
        whos.sort();
        whos.dedup();
        whos
    }
}

/// One answer against the recorded answers of its case.
pub fn judge_answer(rec: &RecordedCase, observed: &NormalisedAnswer) -> Judgement {
    let same_outcome = |a: &&NormalisedAnswer| {
        a.is_success() == observed.is_success()
            && (observed.is_success() || a.error == observed.error)
    };
    let class = if rec.answers.iter().any(|a| same_outcome(&a)) {
        if observed.is_success() {
            Class::Success
        } else {
            Class::ExpectedError
        }
    } else if is_throttling(observed.status, observed.error.as_deref()) {
        return Judgement {
            class: Class::Throttled,
            differences: Vec::new(),
        };
    } else {
        Class::UnexpectedError
    };
    let mut differences = Vec::new();
    let same: Vec<&NormalisedAnswer> = rec
        .answers
        .iter()
        .filter(|a| a.same_answer(observed))
        .collect();
    let candidates: Vec<&NormalisedAnswer> = if same.is_empty() {
        let nearest = rec
            .answers
            .iter()
            .min_by_key(|a| answer_distance(a, observed));
        if let Some(n) = nearest {
            answer_differences(n, observed, &mut differences);
        }
        nearest.into_iter().collect()
    } else {
        same
    };
    if !candidates.iter().any(|a| a.same_headers(observed))
        && let Some(first) = candidates.first()
    {
        header_differences(first, observed, &mut differences);
    }
    Judgement { class, differences }
}

fn answer_distance(a: &NormalisedAnswer, b: &NormalisedAnswer) -> usize {
    usize::from(a.status != b.status) * 4
        + usize::from(a.error != b.error) * 2
        + usize::from(a.message != b.message)
        + usize::from(a.body != b.body)
}

fn or_none(v: Option<&str>) -> String {
    v.unwrap_or("(none)").to_owned()
}

fn answer_differences(want: &NormalisedAnswer, got: &NormalisedAnswer, out: &mut Vec<Difference>) {
    if want.status != got.status {
        out.push(diff("status", want.status, got.status));
    }
    if want.error != got.error {
        out.push(diff(
            "error type",
            or_none(want.error.as_deref()),
            or_none(got.error.as_deref()),
        ));
    }
    if want.message != got.message {
        out.push(diff(
            "message",
            or_none(want.message.as_deref()),
            or_none(got.message.as_deref()),
        ));
    }
    if want.body != got.body {
        out.push(diff(
            "body members",
            members(&want.body),
            members(&got.body),
        ));
    }
}

fn members(body: &[crate::cases::answer::Text]) -> String {
    if body.is_empty() {
        "{}".to_owned()
    } else {
        body.join(", ")
    }
}

fn header_differences(want: &NormalisedAnswer, got: &NormalisedAnswer, out: &mut Vec<Difference>) {
    let header = |field: &str, expected: String, observed: String| Difference {
        check: Check::Headers,
        field: field.to_owned(),
        expected,
        observed,
    };
    if want.media_type() != got.media_type() {
        out.push(header(
            "content type",
            or_none(want.content_type.as_deref()),
            or_none(got.content_type.as_deref()),
        ));
    }
    for name in crate::cases::answer::TRACKED_HEADERS {
        let (w, g) = (
            want.headers.iter().any(|h| h == name),
            got.headers.iter().any(|h| h == name),
        );
        if w != g {
            let word = |present: bool| if present { "present" } else { "(absent)" };
            out.push(header(name, word(w).into(), word(g).into()));
        }
    }
}

/// The answers of one execution of a group case against the recorded patterns.
pub fn judge_pattern(rec: &RecordedCase, observed: &Pattern) -> Option<Difference> {
    if rec.patterns.is_empty() || rec.patterns.contains(observed) {
        return None;
    }
    let expected: Vec<String> = rec.patterns.iter().map(ToString::to_string).collect();
    Some(diff(
        match observed.kind {
            crate::cases::PatternKind::Sequence => "sequence",
            crate::cases::PatternKind::Race => "race",
        },
        expected.join(" | "),
        observed,
    ))
}

/// The state read back against the recorded states, on the keys the recording read.
pub fn judge_state(rec: &RecordedCase, observed: &State, out: &mut Vec<Difference>) {
    if rec.states.is_empty() {
        return;
    }
    let project = |s: &State, keys: &State| -> State {
        keys.keys()
            .map(|k| {
                (
                    k.clone(),
                    s.get(k).cloned().unwrap_or_else(|| "(not read)".into()),
                )
            })
            .collect()
    };
    if rec.states.iter().any(|r| &project(observed, r) == r) {
        return;
    }
    let want = &rec.states[0];
    for (key, value) in want {
        let got = observed.get(key).map_or("(not read)", String::as_str);
        if got != value {
            out.push(state_diff(key, value, got));
        }
    }
    if rec.states.len() > 1 {
        // Several recorded states: name them all, so the verdict does not look arbitrary.
        if let Some(last) = out.last_mut() {
            last.expected = rec
                .states
                .iter()
                .map(describe_state)
                .collect::<Vec<_>>()
                .join(" | ");
            last.field = "state (AdminGetUser)".into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, error: Option<&str>, message: Option<&str>) -> NormalisedAnswer {
        NormalisedAnswer {
            status,
            error: error.map(str::to_owned),
            message: message.map(str::to_owned),
            content_type: Some("application/x-amz-json-1.1".into()),
            headers: vec!["x-amzn-RequestId".into()],
            body: if error.is_some() {
                vec!["__type".into(), "message".into()]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn a_recorded_answer_passes_and_another_fails_field_by_field() {
        let rec = RecordedCase {
            answers: vec![answer(400, Some("CodeMismatchException"), Some("Wrong."))],
            ..Default::default()
        };
        let j = judge_answer(
            &rec,
            &answer(400, Some("CodeMismatchException"), Some("Wrong.")),
        );
        assert!(j.passed());
        assert_eq!(j.class, Class::ExpectedError);
        let j = judge_answer(
            &rec,
            &answer(400, Some("CodeMismatchException"), Some("Other")),
        );
        assert_eq!(j.class, Class::ExpectedError);
        assert_eq!(j.differences.len(), 1);
        assert_eq!(j.differences[0].field, "message");
        let j = judge_answer(&rec, &answer(200, None, None));
        assert_eq!(j.class, Class::UnexpectedError);
        let fields: Vec<&str> = j.differences.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["status", "error type", "message", "body members"]);
    }

    #[test]
    fn headers_are_judged_apart_from_the_answer() {
        let rec = RecordedCase {
            answers: vec![answer(200, None, None)],
            ..Default::default()
        };
        let mut got = answer(200, None, None);
        got.headers.clear();
        got.content_type = Some("application/json".into());
        let j = judge_answer(&rec, &got);
        assert_eq!(j.class, Class::Success);
        assert!(j.differences.iter().all(|d| d.check == Check::Headers));
        assert_eq!(j.differences.len(), 2);
    }

    #[test]
    fn unrecorded_throttling_is_not_judged() {
        let rec = RecordedCase {
            answers: vec![answer(200, None, None)],
            ..Default::default()
        };
        let j = judge_answer(&rec, &answer(400, Some("TooManyRequestsException"), None));
        assert_eq!(j.class, Class::Throttled);
        assert!(j.passed());
    }

    #[test]
    fn states_compare_on_the_recorded_keys() {
        let state = |pairs: &[(&str, &str)]| -> State {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let rec = RecordedCase {
            states: vec![state(&[("user.UserStatus", "UNCONFIRMED")])],
            ..Default::default()
        };
        let mut out = Vec::new();
        judge_state(
            &rec,
            &state(&[
                ("user.UserStatus", "UNCONFIRMED"),
                ("user.email_verified", "false"),
            ]),
            &mut out,
        );
        assert!(out.is_empty());
        judge_state(&rec, &state(&[("user.UserStatus", "CONFIRMED")]), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].check, Check::State);
        assert_eq!(rec.state_whos(), ["user"]);
    }
}
