//! Compares an answer with a case's expectation: the verdict for one response.

use serde::Serialize;

use super::answer::State;
use super::catalog::{BodyShape, Expect, PostCheck, Whom};
use super::exchange::long_excerpt;
pub use super::exchange::{Answer, excerpt};
use crate::protocol;

/// How a request ended, for counting. Conformance is judged separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// 2xx where the case expected success.
    Success,
    /// The error type the case expected.
    ExpectedError,
    /// Any other answer: a different error, or 2xx where an error was expected.
    UnexpectedError,
    /// TooManyRequestsException where the case did not expect it: counted apart and not judged.
    Throttled,
    /// No HTTP answer: refused, reset, malformed.
    TransportError,
    /// No answer within the read timeout.
    Timeout,
}

impl Class {
    pub const ALL: [Class; 6] = [
        Class::Success,
        Class::ExpectedError,
        Class::UnexpectedError,
        Class::Throttled,
        Class::TransportError,
        Class::Timeout,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Success => "success",
            Class::ExpectedError => "expected_error",
            Class::UnexpectedError => "unexpected_error",
            Class::Throttled => "throttled",
            Class::TransportError => "transport_error",
            Class::Timeout => "timeout",
        }
    }

    /// Whether the answer is judged for conformance (transport failures and throttling are not).
    pub fn judged(self) -> bool {
        matches!(
            self,
            Class::Success | Class::ExpectedError | Class::UnexpectedError
        )
    }

    /// Counts toward `error_rate`: the request did not end the way its case expects.
    pub fn is_error(self) -> bool {
        !matches!(self, Class::Success | Class::ExpectedError)
    }
}

/// What part of a case's verdict a difference belongs to. Each is judged on its own, so a
/// header that differs never hides what the body and the state say.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// Status, error type, message and body.
    #[default]
    Answer,
    /// Content-Type and x-amzn-RequestId.
    Headers,
    /// Users' state read back with AdminGetUser.
    State,
}

impl Check {
    pub const ALL: [Check; 3] = [Check::Answer, Check::Headers, Check::State];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Check::Answer => "answer",
            Check::Headers => "headers",
            Check::State => "state",
        }
    }
}

/// One field where expectation and observation differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Difference {
    #[serde(default)]
    pub check: Check,
    pub field: String,
    pub expected: String,
    pub observed: String,
}

#[derive(Debug, Clone)]
pub struct Judgement {
    pub class: Class,
    /// Empty when the answer conforms (or is not judged).
    pub differences: Vec<Difference>,
}

impl Judgement {
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }
}

/// The body parsed as JSON, when it is JSON.
pub fn parse_body(body: &[u8]) -> Option<serde_json::Value> {
    if body.is_empty() {
        None
    } else {
        serde_json::from_slice(body).ok()
    }
}

/// The error type as the SDKs read it (spec §1.4): body `__type`, else the header.
fn error_type<'a>(answer: &Answer<'a>, body: Option<&'a serde_json::Value>) -> Option<&'a str> {
    if (200..300).contains(&answer.status) {
        return None;
    }
    body.and_then(|b| b.get("__type"))
        .and_then(|v| v.as_str())
        .map(protocol::sanitize_error_type)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            answer
                .error_type_header
                .map(protocol::sanitize_error_type)
                .filter(|t| !t.is_empty())
        })
}

/// Whether an answer that no expectation covers is throttling: counted apart, not judged.
pub fn is_throttling(status: u16, error_type: Option<&str>) -> bool {
    error_type == Some("TooManyRequestsException") || status == 429
}

pub fn judge(expect: &Expect, answer: &Answer<'_>) -> Judgement {
    let mut j = judge_parsed(expect, answer, parse_body(answer.body).as_ref());
    for d in &mut j.differences {
        d.observed = excerpt(d.observed.as_bytes());
    }
    j
}

/// `body` is `answer.body` parsed (`parse_body`), so callers that need it too parse once.
/// Observed texts are cut at `LONG_EXCERPT` only: the caller normalises them (a path or a
/// name shortens to a placeholder) and then bounds them, so where a text is cut does not
/// depend on the machine.
pub fn judge_parsed(
    expect: &Expect,
    answer: &Answer<'_>,
    body: Option<&serde_json::Value>,
) -> Judgement {
    let is_2xx = (200..300).contains(&answer.status);
    let field = |name: &str| body.and_then(|b| b.get(name)).and_then(|v| v.as_str());
    let observed_type = error_type(answer, body);
    let class = if is_2xx {
        if expect.expects_success() {
            Class::Success
        } else {
            Class::UnexpectedError
        }
    } else if observed_type.is_some() && observed_type == expect.error.as_deref() {
        Class::ExpectedError
    } else if is_throttling(answer.status, observed_type) {
        Class::Throttled
    } else {
        Class::UnexpectedError
    };
    let mut differences = Vec::new();
    if class == Class::Throttled {
        return Judgement { class, differences };
    }
    if answer.status != expect.status {
        differences.push(diff("status", expect.status, answer.status));
    }
    if let Some(want) = &expect.error
        && observed_type != Some(want.as_str())
    {
        differences.push(diff("error type", want, observed_type.unwrap_or("(none)")));
    }
    if let Some(re) = &expect.message {
        let observed = if is_2xx {
            None
        } else {
            field("message").or_else(|| field("Message"))
        };
        if !observed.is_some_and(|m| re.is_match(m)) {
            differences.push(diff(
                "message",
                format!(
                    "/{}/",
                    expect.message_pattern.as_deref().unwrap_or_default()
                ),
                observed.map_or("(none)".to_owned(), |m| long_excerpt(m.as_bytes())),
            ));
        }
    }
    if let Err(why) = check_shape(expect.body, body, answer.body) {
        differences.push(diff("body", shape_name(expect.body), why));
    }
    if let Some(accepted) = &expect.content_type {
        let got = answer.content_type.map(media_type);
        if got.is_none_or(|g| !accepted.iter().any(|a| g.eq_ignore_ascii_case(a))) {
            differences.push(header_diff(
                "content type",
                accepted.join(" or "),
                answer.content_type.unwrap_or("(none)"),
            ));
        }
    }
    if expect.request_id && answer.request_id.is_none_or(|id| id.trim().is_empty()) {
        differences.push(header_diff("x-amzn-RequestId", "present", "(absent)"));
    }
    Judgement { class, differences }
}

/// A recorded answer (already normalised) against a catalog expectation, for `oracle
/// check`: the same fields `judge` compares, read from the normalised form.
pub fn judge_normalised(expect: &Expect, a: &super::answer::NormalisedAnswer) -> Vec<Difference> {
    let mut out = Vec::new();
    if a.status != expect.status {
        out.push(diff("status", expect.status, a.status));
    }
    if let Some(want) = &expect.error
        && a.error.as_deref() != Some(want.as_str())
    {
        out.push(diff(
            "error type",
            want,
            a.error.as_deref().unwrap_or("(none)"),
        ));
    }
    if let Some(re) = &expect.message
        && !a.message.as_deref().is_some_and(|m| re.is_match(m))
    {
        out.push(diff(
            "message",
            format!(
                "/{}/",
                expect.message_pattern.as_deref().unwrap_or_default()
            ),
            a.message.as_deref().unwrap_or("(none)"),
        ));
    }
    let members_ok = match expect.body {
        BodyShape::Any => true,
        BodyShape::Output => a.body.iter().all(|m| m == "Session"),
        BodyShape::Error => {
            a.body.iter().any(|m| m == "__type") && !a.body.iter().any(|m| m.starts_with('('))
        }
    };
    if !members_ok {
        out.push(diff(
            "body",
            shape_name(expect.body),
            format!(
                "members: {}",
                if a.body.is_empty() {
                    "{}".to_owned()
                } else {
                    a.body.join(", ")
                }
            ),
        ));
    }
    if let Some(accepted) = &expect.content_type {
        let got = a.media_type();
        if got
            .as_deref()
            .is_none_or(|g| !accepted.iter().any(|x| g.eq_ignore_ascii_case(x)))
        {
            out.push(header_diff(
                "content type",
                accepted.join(" or "),
                a.content_type.as_deref().unwrap_or("(none)"),
            ));
        }
    }
    if expect.request_id
        && !a
            .headers
            .iter()
            .any(|h| h == super::answer::TRACKED_HEADERS[0])
    {
        out.push(header_diff("x-amzn-RequestId", "present", "(absent)"));
    }
    out
}

/// A user attribute's value in an AdminGetUser answer.
pub fn attribute<'a>(admin_get_user: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    admin_get_user
        .get("UserAttributes")?
        .as_array()?
        .iter()
        .find(|a| a.get("Name").and_then(|n| n.as_str()) == Some(name))?
        .get("Value")?
        .as_str()
}

/// The state keys a postcondition reads: `user.UserStatus`, `user.email_verified`,
/// `group.verified_owners`, `alias.owner`.
pub fn state_keys(check: &PostCheck) -> Vec<String> {
    let who = check.of.as_str();
    match check.of {
        Whom::Group => vec![format!("{who}.verified_owners")],
        Whom::Alias => vec![format!("{who}.owner")],
        Whom::User | Whom::PreviousOwner => check
            .status
            .iter()
            .map(|_| format!("{who}.UserStatus"))
            .chain(check.attributes.keys().map(|a| format!("{who}.{a}")))
            .collect(),
    }
}

/// Judges the state read back (`State`) against the case's postconditions.
pub fn judge_state(post: &[PostCheck], state: &State, out: &mut Vec<Difference>) {
    for check in post {
        let who = check.of.as_str();
        let mut want: Vec<(String, String)> = Vec::new();
        match check.of {
            Whom::Group => {
                if let Some(n) = check.verified_owners {
                    want.push((format!("{who}.verified_owners"), n.to_string()));
                }
            }
            Whom::Alias => want.push((format!("{who}.owner"), "user".into())),
            Whom::User | Whom::PreviousOwner => {
                if let Some(s) = &check.status {
                    want.push((format!("{who}.UserStatus"), s.clone()));
                }
                for (name, value) in &check.attributes {
                    want.push((format!("{who}.{name}"), value.clone()));
                }
            }
        }
        for (key, expected) in want {
            let got = state.get(&key).map_or("(not read)", String::as_str);
            if got != expected {
                out.push(state_diff(&key, expected, got));
            }
        }
    }
}

/// A difference in the state read back.
pub fn state_diff(key: &str, expected: impl ToString, observed: impl ToString) -> Difference {
    Difference {
        check: Check::State,
        field: format!("{key} (AdminGetUser)"),
        expected: expected.to_string(),
        observed: observed.to_string(),
    }
}

fn header_diff(
    field: impl Into<String>,
    expected: impl ToString,
    observed: impl ToString,
) -> Difference {
    Difference {
        check: Check::Headers,
        ..diff(field, expected, observed)
    }
}

pub fn diff(
    field: impl Into<String>,
    expected: impl ToString,
    observed: impl ToString,
) -> Difference {
    Difference {
        check: Check::Answer,
        field: field.into(),
        expected: expected.to_string(),
        observed: observed.to_string(),
    }
}

fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

fn shape_name(shape: BodyShape) -> &'static str {
    match shape {
        BodyShape::Output => "{} (or only a string Session)",
        BodyShape::Error => r#"{"__type": string, "message": string?}"#,
        BodyShape::Any => "any",
    }
}

fn check_shape(
    shape: BodyShape,
    value: Option<&serde_json::Value>,
    body: &[u8],
) -> Result<(), String> {
    if shape == BodyShape::Any {
        return Ok(());
    }
    let value = value.ok_or_else(|| format!("not JSON: {}", long_excerpt(body)))?;
    let Some(object) = value.as_object() else {
        return Err(format!("not a JSON object: {}", long_excerpt(body)));
    };
    let ok = match shape {
        BodyShape::Output => object.iter().all(|(k, v)| {
            k == "Session" && v.as_str().is_some_and(|s| (20..=2048).contains(&s.len()))
        }),
        BodyShape::Error => {
            object.get("__type").is_some_and(|t| t.is_string())
                && ["message", "Message"]
                    .iter()
                    .all(|m| object.get(*m).is_none_or(|v| v.is_string()))
        }
        BodyShape::Any => true,
    };
    if ok { Ok(()) } else { Err(long_excerpt(body)) }
}

/// Masks values that must not reach a report (codes, secrets, secret hashes).
pub fn redact(differences: &mut [Difference], sensitive: &[String]) {
    for d in differences {
        for s in sensitive.iter().filter(|s| s.len() >= 4) {
            if d.observed.contains(s.as_str()) {
                d.observed = d.observed.replace(s.as_str(), "***");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Catalog;

    const CT: Option<&str> = Some("application/x-amz-json-1.1");

    fn expect(id: &str) -> Expect {
        Catalog::builtin().get(id).unwrap().expect.clone()
    }

    fn answer(status: u16, body: &str) -> Answer<'_> {
        Answer {
            status,
            content_type: CT,
            request_id: Some("r-1"),
            error_type_header: None,
            error_message_header: false,
            body: body.as_bytes(),
        }
    }

    /// The wrong-code case judged against an error of type `ty` with the expected message.
    fn wrong_code_answered_with(ty: &str) -> Judgement {
        let body = format!(
            r#"{{"__type":"{ty}","message":"Invalid verification code provided, please try again."}}"#
        );
        judge(&expect("wrong-code"), &answer(400, &body))
    }

    #[test]
    fn conforming_error_passes() {
        let j = wrong_code_answered_with("CodeMismatchException");
        assert_eq!(j.class, Class::ExpectedError);
        assert!(j.passed(), "{:?}", j.differences);
    }

    #[test]
    fn success_where_an_error_was_expected_fails_on_every_field() {
        let j = judge(&expect("wrong-code"), &answer(200, "{}"));
        assert_eq!(j.class, Class::UnexpectedError);
        let fields: Vec<_> = j.differences.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["status", "error type", "message", "body"]);
    }

    #[test]
    fn wrong_error_type_fails() {
        let j = wrong_code_answered_with("ExpiredCodeException");
        assert_eq!(j.class, Class::UnexpectedError);
        assert_eq!(j.differences.len(), 1);
        assert_eq!(j.differences[0].observed, "ExpiredCodeException");
    }

    #[test]
    fn missing_type_in_body_fails_the_shape_even_when_the_header_names_it() {
        let a = Answer {
            error_type_header: Some("CodeMismatchException:"),
            ..answer(
                400,
                r#"{"message":"Invalid verification code provided, please try again."}"#,
            )
        };
        let j = judge(&expect("wrong-code"), &a);
        assert_eq!(j.class, Class::ExpectedError);
        assert_eq!(j.differences.len(), 1);
        assert_eq!(j.differences[0].field, "body");
    }

    #[test]
    fn success_body_must_be_empty_or_session() {
        let e = expect("valid-code");
        assert!(judge(&e, &answer(200, "{}")).passed());
        assert!(
            judge(
                &e,
                &answer(200, r#"{"Session":"AYABeC1-aaaaaaaaaaaaaaaaaaaa"}"#)
            )
            .passed()
        );
        assert!(!judge(&e, &answer(200, r#"{"UserConfirmed":true}"#)).passed());
        assert!(!judge(&e, &answer(200, "")).passed());
    }

    #[test]
    fn content_type_is_compared_by_media_type() {
        let e = expect("valid-code");
        for (content_type, accepted) in [
            ("application/x-amz-json-1.1; charset=utf-8", true),
            // 1.0 is accepted too.
            ("application/x-amz-json-1.0", true),
            ("application/json", false),
        ] {
            let a = Answer {
                content_type: Some(content_type),
                ..answer(200, "{}")
            };
            let j = judge(&e, &a);
            assert_eq!(j.passed(), accepted, "{content_type}");
            if !accepted {
                assert_eq!(j.differences[0].field, "content type");
            }
        }
    }

    #[test]
    fn throttling_is_classified_not_judged() {
        let j = judge(
            &expect("valid-code"),
            &answer(
                400,
                r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
            ),
        );
        assert_eq!(j.class, Class::Throttled);
        assert!(!j.class.judged());
    }

    #[test]
    fn postconditions_compare_the_state_read_back() {
        let e = expect("alias-force");
        let state: State = [
            ("user.UserStatus", "CONFIRMED"),
            ("user.email_verified", "true"),
            ("previous_owner.UserStatus", "CONFIRMED"),
            ("previous_owner.email_verified", "true"),
            ("alias.owner", "user"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let mut out = Vec::new();
        judge_state(&e.post, &state, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].field, "previous_owner.email_verified (AdminGetUser)");
        assert_eq!(out[0].check, Check::State);
        assert_eq!(
            (out[0].expected.as_str(), out[0].observed.as_str()),
            ("false", "true")
        );
    }

    #[test]
    fn header_differences_are_a_check_of_their_own() {
        let a = Answer {
            request_id: None,
            ..answer(
                400,
                r#"{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}"#,
            )
        };
        let j = judge(&expect("wrong-code"), &a);
        assert_eq!(j.class, Class::ExpectedError);
        assert_eq!(j.differences.len(), 1);
        assert_eq!(j.differences[0].check, Check::Headers);
    }

    #[test]
    fn redaction_masks_sensitive_values() {
        let mut d = vec![diff("message", "x", "code 123456 was wrong")];
        redact(&mut d, &["123456".into()]);
        assert_eq!(d[0].observed, "code *** was wrong");
    }
}
