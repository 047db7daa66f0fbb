//! `--verdict`: the conformance verdict of the one request sent.
//!
//! What the answer should be is known from the request alone only where the spec's decision
//! order puts no pool state before it: member constraints (step 2). A request breaking one is
//! judged against the catalog case that sends exactly that request (`code-pattern`,
//! `username-too-long`, the generated `member-*` cases), or else against the §3.2 message those
//! violations make. Every other answer depends on the pool (is the user UNCONFIRMED? is the
//! code current?), which one request does not show: it is judged against the documented shape
//! of ConfirmSignUp answers (status, a documented error type, body shape, content type,
//! `x-amzn-RequestId`), and the catalog cases it is consistent with are named.
//! Postconditions (AdminGetUser read-backs) are never checked here; `cogbench run` does that.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::{Map, Value};

use crate::cases::errors::{ErrorTable, TABLE as ERRORS};
use crate::cases::judge::judge;
use crate::cases::{
    Answer, BodyShape, Case, Catalog, Class, Difference, Expect, TargetHeader, Value as CaseValue,
    validation_item, validation_message,
};
use crate::emulator::validate::{self, StrRule};
use crate::protocol;

pub struct Verdict {
    /// What the answer was judged against.
    pub basis: String,
    /// `None` when the answer is not judged (throttling).
    pub differences: Option<Vec<Difference>>,
    pub notes: Vec<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.differences.as_ref().is_none_or(|d| d.is_empty())
    }
}

const INVALID_PARAMETER: &str = "InvalidParameterException";

/// The member-constraint items a request breaks, with the members breaking them.
/// `Session` (spec §2.1): botocore checks only the minimum, so a longer one reaches the service.
static SESSION: StrRule = StrRule::optional("session", 20, 2048).sensitive();

fn violations(request: &Map<String, Value>) -> (Vec<String>, BTreeSet<String>) {
    let rules: [(&str, Option<&str>, &StrRule); 6] = [
        ("ClientId", None, &validate::CLIENT_ID),
        ("SecretHash", None, &validate::SECRET_HASH),
        ("Username", None, &validate::USERNAME),
        ("ConfirmationCode", None, &validate::CONFIRMATION_CODE),
        (
            "AnalyticsMetadata",
            Some("AnalyticsEndpointId"),
            &validate::ANALYTICS_ENDPOINT_ID,
        ),
        ("Session", None, &SESSION),
    ];
    let mut items = Vec::new();
    let mut members = BTreeSet::new();
    for (member, field, rule) in rules {
        let value = match field {
            None => request.get(member),
            Some(f) => request.get(member).and_then(|m| m.get(f)),
        };
        let Some(v) = value.and_then(Value::as_str) else {
            continue;
        };
        let mut broken = Vec::new();
        rule.broken(v, |r| broken.push(r));
        if !broken.is_empty() {
            members.insert(member.to_owned());
        }
        items.extend(broken.iter().map(|r| validation_item(rule.member, r)));
    }
    (items, members)
}

fn default_http(case: &Case) -> bool {
    case.http.method == "POST"
        && case.http.target == TargetHeader::ConfirmSignUp
        && case.http.content_type == protocol::CONTENT_TYPE
        && case.http.body.is_none()
        && case.http.headers.is_empty()
}

/// A member-constraint case whose literal members are exactly the request's broken ones.
fn constraint_case<'a>(
    catalog: &'a Catalog,
    request: &Map<String, Value>,
    broken: &BTreeSet<String>,
) -> Option<&'a Case> {
    catalog.cases.iter().find(|c| {
        if !c.spec.starts_with("Decision order 2")
            || c.expect.error.as_deref() != Some(INVALID_PARAMETER)
            || !default_http(c)
        {
            return false;
        }
        let mut literal = BTreeSet::new();
        for (name, value) in &c.request {
            let ok = match value {
                CaseValue::Json(v) => {
                    literal.insert(name.clone());
                    request.get(name) == Some(v)
                }
                CaseValue::Repeat(text, n) => {
                    literal.insert(name.clone());
                    request.get(name).and_then(Value::as_str) == Some(&text.repeat(*n))
                }
                CaseValue::Omit => false,
                CaseValue::Field(_) => true,
            };
            if !ok {
                return false;
            }
        }
        literal == *broken
    })
}

fn documented_errors() -> Vec<String> {
    crate::yaml::from_str::<ErrorTable>(ERRORS, std::path::Path::new("fixtures/errors.yaml"))
        .map(|t| t.errors.into_iter().map(|e| e.name).collect())
        .unwrap_or_default()
}

fn expect(status: u16, error: Option<String>, message: Option<String>, body: BodyShape) -> Expect {
    Expect {
        status,
        error,
        message: message
            .as_deref()
            .map(|m| Regex::new(&format!("^(?:{m})$")).expect("a built message pattern")),
        message_pattern: message,
        body,
        content_type: Some(crate::cases::default_content_types()),
        request_id: true,
        post: Vec::new(),
    }
}

/// Judges one answer to `request` (the members sent).
pub fn judge_answer(request: &Map<String, Value>, answer: &Answer<'_>) -> Verdict {
    let catalog = Catalog::builtin();
    let (items, broken) = violations(request);
    let mut notes = Vec::new();
    let (basis, expectation) = if !items.is_empty() {
        match constraint_case(&catalog, request, &broken) {
            Some(case) => {
                if !case.expect.post.is_empty() {
                    notes.push("the case's postconditions are not read back here".into());
                }
                (
                    format!(
                        "catalog case `{}` ({}; spec {})",
                        case.id, case.title, case.spec
                    ),
                    Expect {
                        post: Vec::new(),
                        ..case.expect.clone()
                    },
                )
            }
            None => (
                "the member constraints this request breaks (decision order 2; spec §2.1, §3.2)"
                    .to_owned(),
                expect(
                    400,
                    Some(INVALID_PARAMETER.into()),
                    Some(validation_message(&items)),
                    BodyShape::Error,
                ),
            ),
        }
    } else if (200..300).contains(&answer.status) {
        (
            "the documented shape of a ConfirmSignUp success (spec §1.3, §2.2); the answer depends on pool state one request does not show".to_owned(),
            expect(200, None, None, BodyShape::Output),
        )
    } else {
        let observed = protocol::parse_error(answer.body, answer.error_type_header);
        let documented = documented_errors();
        let error = match &observed {
            Some(e) if documented.contains(&e.error_type) => e.error_type.clone(),
            _ => "one of ConfirmSignUp's documented errors (spec §3)".to_owned(),
        };
        let status = if error == "InternalErrorException" {
            500
        } else {
            400
        };
        if let Some(e) = &observed {
            let consistent: Vec<&str> = catalog
                .cases
                .iter()
                .filter(|c| {
                    default_http(c) && c.expect.error.as_deref() == Some(e.error_type.as_str())
                })
                .filter(|c| match (&c.expect.message, &e.message) {
                    (None, _) => true,
                    (Some(re), Some(m)) => re.is_match(m),
                    (Some(_), None) => false,
                })
                .map(|c| c.id.as_str())
                .collect();
            if !consistent.is_empty() {
                let shown = consistent
                    .iter()
                    .take(6)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = consistent.len().saturating_sub(6);
                notes.push(format!(
                    "consistent with catalog case(s): {shown}{}",
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
        }
        (
            "the documented shape of a ConfirmSignUp error (spec §1.4, §3); which error is right depends on pool state one request does not show".to_owned(),
            expect(status, Some(error), None, BodyShape::Error),
        )
    };
    let judgement = judge(&expectation, answer);
    let differences = if judgement.class == Class::Throttled {
        notes.push("TooManyRequestsException: throttling is counted apart and not judged".into());
        None
    } else {
        Some(judgement.differences)
    };
    Verdict {
        basis,
        differences,
        notes,
    }
}

/// The verdict as printed: a first line, one line per difference and note, the time.
pub fn render(v: &Verdict, elapsed_ms: f64, color: bool) -> String {
    let word = match (&v.differences, v.passed()) {
        (None, _) => "not judged".to_owned(),
        (Some(_), true) => paint("pass", "32", color),
        (Some(_), false) => paint("FAIL", "31", color),
    };
    // Printed with the colours as they are: what the target said is made safe here.
    use crate::term::inline;
    let mut out = format!("verdict: {word}, against {}\n", inline(&v.basis));
    for d in v.differences.iter().flatten() {
        out.push_str(&format!(
            "  {}: expected {}, observed {}\n",
            inline(&d.field),
            inline(&d.expected),
            inline(&d.observed)
        ));
    }
    for n in &v.notes {
        out.push_str(&format!("  note: {}\n", inline(n)));
    }
    out.push_str(&format!("time: {elapsed_ms:.2} ms\n"));
    out
}

fn paint(word: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[1;{code}m{word}\x1b[0m")
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn answer(status: u16, body: &'static str) -> Answer<'static> {
        Answer {
            status,
            content_type: Some(protocol::CONTENT_TYPE),
            request_id: Some("r-1"),
            error_type_header: None,
            error_message_header: false,
            body: body.as_bytes(),
        }
    }

    #[test]
    fn a_whitespace_code_is_judged_against_code_pattern() {
        let r = request(json!({"ClientId": "c1", "Username": "u", "ConfirmationCode": "12 34"}));
        let good = answer(
            400,
            r#"{"__type":"InvalidParameterException","message":"1 validation error detected: Value '12 34' at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+"}"#,
        );
        let v = judge_answer(&r, &good);
        assert!(v.basis.contains("`code-pattern`"), "{}", v.basis);
        assert!(v.passed(), "{:?}", v.differences);
        let v = judge_answer(&r, &answer(200, "{}"));
        assert!(!v.passed());
    }

    #[test]
    fn a_session_over_2048_characters_is_judged_by_its_catalog_case() {
        let r = request(
            json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "1",
                               "Session": "s".repeat(2049)}),
        );
        let body = r#"{"__type":"InvalidParameterException","message":"1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length less than or equal to 2048"}"#;
        let v = judge_answer(&r, &answer(400, body));
        assert!(v.basis.contains("member-session-over-max"), "{}", v.basis);
        assert!(v.passed(), "{:?}", v.differences);
        assert!(!judge_answer(&r, &answer(200, "{}")).passed());
    }

    #[test]
    fn violations_without_a_case_build_the_message() {
        let r = request(json!({"ClientId": "a-b", "Username": "u", "ConfirmationCode": "1 2"}));
        let body = r#"{"__type":"InvalidParameterException","message":"2 validation errors detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+; Value '1 2' at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+"}"#;
        let v = judge_answer(&r, &answer(400, body));
        assert!(v.basis.contains("member constraints"), "{}", v.basis);
        assert!(v.passed(), "{:?}", v.differences);
    }

    #[test]
    fn state_dependent_answers_are_judged_on_shape() {
        let r = request(json!({"ClientId": "c1", "Username": "u", "ConfirmationCode": "123456"}));
        assert!(judge_answer(&r, &answer(200, "{}")).passed());
        let v = judge_answer(
            &r,
            &answer(
                400,
                r#"{"__type":"NotAuthorizedException","message":"User cannot be confirmed. Current status is CONFIRMED"}"#,
            ),
        );
        assert!(v.passed());
        assert!(
            v.notes.iter().any(|n| n.contains("already-confirmed")),
            "{:?}",
            v.notes
        );
        let v = judge_answer(&r, &answer(400, r#"{"__type":"MadeUpException"}"#));
        assert!(!v.passed());
        let v = judge_answer(&r, &answer(403, r#"{"__type":"NotAuthorizedException"}"#));
        assert_eq!(v.differences.unwrap()[0].field, "status");
        let missing_id = Answer {
            request_id: None,
            ..answer(200, "{}")
        };
        assert!(!judge_answer(&r, &missing_id).passed());
    }

    #[test]
    fn throttling_is_not_judged() {
        let r = request(json!({"ClientId": "c1", "Username": "u", "ConfirmationCode": "1 2"}));
        let v = judge_answer(
            &r,
            &answer(
                400,
                r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
            ),
        );
        assert!(v.differences.is_none());
        assert!(render(&v, 1.0, false).starts_with("verdict: not judged"));
    }
}
