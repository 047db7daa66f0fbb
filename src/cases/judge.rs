//! Compares an answer with a case's expectation: the verdict for one response.

use serde::Serialize;

use super::catalog::{BodyShape, Expect, PostCheck};
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

/// An HTTP answer as received.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub error_type_header: Option<&'a str>,
    pub body: &'a [u8],
}

/// One field where expectation and observation differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Difference {
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

const EXCERPT: usize = 240;

pub fn judge(expect: &Expect, answer: &Answer<'_>) -> Judgement {
    let is_2xx = (200..300).contains(&answer.status);
    // The body is parsed once, for the error fields and the shape alike.
    let body: Option<serde_json::Value> = if answer.body.is_empty() {
        None
    } else {
        serde_json::from_slice(answer.body).ok()
    };
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(|v| v.as_str())
    };
    // The error type as the SDKs read it (spec §1.4): body `__type`, else the header.
    let observed_type = if is_2xx {
        None
    } else {
        field("__type")
            .map(protocol::sanitize_error_type)
            .filter(|t| !t.is_empty())
            .or_else(|| {
                answer
                    .error_type_header
                    .map(protocol::sanitize_error_type)
                    .filter(|t| !t.is_empty())
            })
    };
    let class = if is_2xx {
        if expect.expects_success() {
            Class::Success
        } else {
            Class::UnexpectedError
        }
    } else if observed_type.is_some() && observed_type == expect.error.as_deref() {
        Class::ExpectedError
    } else if observed_type == Some("TooManyRequestsException") || answer.status == 429 {
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
                observed.map_or("(none)".to_owned(), |m| excerpt(m.as_bytes())),
            ));
        }
    }
    if let Err(why) = check_shape(expect.body, body.as_ref(), answer.body) {
        differences.push(Difference {
            field: "body".into(),
            expected: shape_name(expect.body).into(),
            observed: why,
        });
    }
    if let Some(want) = &expect.content_type {
        let got = answer.content_type.map(media_type);
        if got.is_none_or(|g| !g.eq_ignore_ascii_case(want)) {
            differences.push(diff(
                "content type",
                want,
                answer.content_type.unwrap_or("(none)"),
            ));
        }
    }
    if expect.request_id && answer.request_id.is_none_or(|id| id.trim().is_empty()) {
        differences.push(diff("x-amzn-RequestId", "present", "(absent)"));
    }
    Judgement { class, differences }
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

/// Judges a user read back with AdminGetUser against one postcondition.
pub fn judge_post(
    check: &PostCheck,
    admin_get_user: &serde_json::Value,
    out: &mut Vec<Difference>,
) {
    let who = check.of.as_str();
    if let Some(want) = &check.status {
        let got = admin_get_user
            .get("UserStatus")
            .and_then(|s| s.as_str())
            .unwrap_or("(absent)");
        if got != want {
            out.push(diff(format!("{who}.UserStatus (AdminGetUser)"), want, got));
        }
    }
    for (name, want) in &check.attributes {
        let got = attribute(admin_get_user, name).unwrap_or("(absent)");
        if got != want {
            out.push(diff(format!("{who}.{name} (AdminGetUser)"), want, got));
        }
    }
}

fn diff(field: impl Into<String>, expected: impl ToString, observed: impl ToString) -> Difference {
    Difference {
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
    let value = value.ok_or_else(|| format!("not JSON: {}", excerpt(body)))?;
    let Some(object) = value.as_object() else {
        return Err(format!("not a JSON object: {}", excerpt(body)));
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
    if ok { Ok(()) } else { Err(excerpt(body)) }
}

/// A printable, bounded piece of an answer for a report.
pub fn excerpt(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".into();
    }
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(EXCERPT).collect();
    if text.chars().nth(EXCERPT).is_some() {
        s.push('…');
    }
    s
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

    fn answer(status: u16, body: &'static str) -> Answer<'static> {
        Answer {
            status,
            content_type: CT,
            request_id: Some("r-1"),
            error_type_header: None,
            body: body.as_bytes(),
        }
    }

    #[test]
    fn conforming_error_passes() {
        let j = judge(
            &expect("wrong-code"),
            &answer(
                400,
                r#"{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}"#,
            ),
        );
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
        let j = judge(
            &expect("wrong-code"),
            &answer(
                400,
                r#"{"__type":"ExpiredCodeException","message":"Invalid verification code provided, please try again."}"#,
            ),
        );
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
        let a = Answer {
            content_type: Some("application/x-amz-json-1.1; charset=utf-8"),
            ..answer(200, "{}")
        };
        assert!(judge(&e, &a).passed());
        let a = Answer {
            content_type: Some("application/json"),
            ..answer(200, "{}")
        };
        assert_eq!(judge(&e, &a).differences[0].field, "content type");
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
    fn postconditions_compare_status_and_attributes() {
        let e = expect("alias-force");
        let user = serde_json::json!({"UserStatus": "CONFIRMED", "UserAttributes": [{"Name": "email_verified", "Value": "true"}]});
        let mut out = Vec::new();
        judge_post(&e.post[0], &user, &mut out);
        assert!(out.is_empty(), "{out:?}");
        judge_post(&e.post[1], &user, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].field, "previous_owner.email_verified (AdminGetUser)");
    }

    #[test]
    fn redaction_masks_sensitive_values() {
        let mut d = vec![diff("message", "x", "code 123456 was wrong")];
        redact(&mut d, &["123456".into()]);
        assert_eq!(d[0].observed, "code *** was wrong");
    }
}
