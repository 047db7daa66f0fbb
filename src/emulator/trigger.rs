//! Post-confirmation Lambda triggers (spec §4.7): a pool's `LambdaConfig.PostConfirmation`.
//!
//! The emulator hosts no Lambda. One function runs in-process instead, the *reference trigger*
//! (any ARN whose function name is `cogbench-reference-trigger`); it does what the request's
//! `ClientMetadata["cogbench-trigger"]` asks, so one pool serves every catalog case:
//!
//! * absent or `succeed`: returns the event, as a trigger that accepts does;
//! * `raise:TEXT`: the function throws TEXT;
//! * `echo`: the function throws a text naming what it received (the trigger source and the
//!   ClientMetadata entries, sorted by key), so a case sees the metadata arrive intact;
//! * `bad-output`: the function returns nothing (`null`) instead of the event;
//! * `fail`: the invocation itself fails, as a throttled function's does;
//! * anything else: the function throws, naming the value it did not know.
//!
//! A function of any other name cannot be run here: its invocations fail as an unauthorised
//! or deleted function's do.
//!
//! Cognito confirms the user and then invokes the trigger; a failing trigger's error is the
//! answer, and the user stays CONFIRMED (one report, spec §4.7; §6.10 leaves it open). An
//! invocation that fails is retried, three attempts in all, as Cognito does (§4.7); a function
//! that throws or answers badly is not retried.

use serde_json::{Map, Value, json};

use super::wire::{ApiError, StringMap, names};

use crate::protocol::pool_settings::{
    REFERENCE_TRIGGER as REFERENCE_FUNCTION, TRIGGER_BEHAVIOUR_KEY as BEHAVIOUR_KEY,
};
/// Attempts at an invocation that fails, the first included (spec §4.7).
const ATTEMPTS: u32 = 3;
/// Observed for a trigger that returned nothing instead of the event (spec §3.1).
pub const INVALID_JSON: &str = "Invalid lambda function output : Invalid JSON";

/// A pool's post-confirmation trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostConfirmation {
    pub arn: String,
    runnable: bool,
}

impl PostConfirmation {
    /// The trigger an ARN names; only the reference function can be run.
    pub fn new(arn: &str) -> PostConfirmation {
        PostConfirmation {
            arn: arn.to_owned(),
            runnable: function_name(arn) == Some(REFERENCE_FUNCTION),
        }
    }
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` → NAME; `None` for an ARN
/// of another service.
fn function_name(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_), Some("lambda"), Some(_), Some(_), Some("function"), Some(name)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some(name)
}

/// The function a FunctionName of the Invoke API names: a name, `name:qualifier`, a partial
/// ARN (`account:function:name`) or a full one.
fn invoked_function(name: &str) -> &str {
    if name.starts_with("arn:") {
        return function_name(name).unwrap_or(name);
    }
    let rest = name.split_once(":function:").map_or(name, |(_, rest)| rest);
    rest.split(':').next().unwrap_or(rest)
}

/// What one invocation gave back.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Returned(Vec<u8>),
    Threw(String),
    /// Lambda's error code: the function could not be run.
    InvocationFailed(&'static str),
}

/// What the pool's trigger needs to know of the confirmation.
pub struct Confirmed<'a> {
    pub region: &'a str,
    pub pool_id: &'a str,
    pub client_id: &'a str,
    pub username: &'a str,
    pub attributes: Vec<(String, String)>,
    pub client_metadata: Option<&'a StringMap<'a>>,
}

/// The event Cognito sends a post-confirmation trigger after ConfirmSignUp (spec §4.7).
pub fn event(c: &Confirmed) -> Value {
    let attributes: Map<String, Value> = c
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut request = json!({ "userAttributes": attributes });
    // Captured events carry no `clientMetadata` when the request sent none.
    if let Some(m) = c.client_metadata {
        let metadata: Map<String, Value> = m
            .entries
            .iter()
            .map(|(k, v)| {
                (
                    k.0.clone().into_owned(),
                    Value::String(v.0.clone().into_owned()),
                )
            })
            .collect();
        request["clientMetadata"] = Value::Object(metadata);
    }
    json!({
        "version": "1",
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "region": c.region,
        "userPoolId": c.pool_id,
        "userName": c.username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": c.client_id},
        "request": request,
        "response": {},
    })
}

/// Runs the trigger on `event`; `Err` is the error ConfirmSignUp answers.
pub fn invoke(trigger: &PostConfirmation, event: &Value) -> Result<(), ApiError> {
    let mut outcome = reference_or_denied(trigger, event);
    for _ in 1..ATTEMPTS {
        if !matches!(outcome, Outcome::InvocationFailed(_)) {
            break;
        }
        outcome = reference_or_denied(trigger, event);
    }
    match outcome {
        // Cognito wants the event back: anything but a JSON object is refused.
        Outcome::Returned(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(_)) => Ok(()),
            _ => Err(ApiError::new(names::INVALID_LAMBDA_RESPONSE, INVALID_JSON)),
        },
        // Observed for a post-confirmation trigger that threw (spec §3.1).
        Outcome::Threw(text) => Err(ApiError::new(
            names::USER_LAMBDA_VALIDATION,
            format!("PostConfirmation failed with error {text}."),
        )),
        // The form observed for a denied invocation and for Cognito's own 5 s timeout.
        Outcome::InvocationFailed(code) => Err(ApiError::new(
            names::UNEXPECTED_LAMBDA,
            format!("PostConfirmation invocation failed due to error {code}"),
        )),
    }
}

/// One attempt: the reference function, or the denial any other function meets here (AWS
/// answers a deleted function's trigger the same way, spec §4.7).
fn reference_or_denied(trigger: &PostConfirmation, event: &Value) -> Outcome {
    if trigger.runnable {
        reference(event)
    } else {
        Outcome::InvocationFailed("AccessDeniedException")
    }
}

/// What the Lambda Invoke API answers (`POST /2015-03-31/functions/NAME/invocations`), for a
/// peer emulator (cognito-local) that calls triggers through a Lambda endpoint.
#[derive(Debug, PartialEq, Eq)]
pub struct Invoked {
    pub status: u16,
    /// `X-Amz-Function-Error`: the function threw (the status is still 200).
    pub function_error: bool,
    /// `x-amzn-ErrorType` of an invocation that failed.
    pub error_type: Option<&'static str>,
    pub body: Vec<u8>,
}

/// Runs the reference function as Lambda's Invoke API would for a synchronous invocation of
/// `name` (a function name or ARN) with `payload` (the event).
pub fn invoke_api(name: &str, payload: &[u8]) -> Invoked {
    let failed = |status: u16, error_type: &'static str, message: String| Invoked {
        status,
        function_error: false,
        error_type: Some(error_type),
        body: json!({"Type": "User", "message": message})
            .to_string()
            .into_bytes(),
    };
    if invoked_function(name) != REFERENCE_FUNCTION {
        return failed(
            404,
            "ResourceNotFoundException",
            format!(
                "Function not found: {}",
                crate::term::inline(&name.chars().take(140).collect::<String>())
            ),
        );
    }
    let Ok(event) = serde_json::from_slice::<Value>(payload) else {
        return failed(
            400,
            "InvalidRequestContentException",
            "Could not parse request body into json".into(),
        );
    };
    match reference(&event) {
        Outcome::Returned(body) => Invoked {
            status: 200,
            function_error: false,
            error_type: None,
            body,
        },
        Outcome::Threw(text) => Invoked {
            status: 200,
            function_error: true,
            error_type: None,
            body: json!({"errorType": "Error", "errorMessage": text})
                .to_string()
                .into_bytes(),
        },
        Outcome::InvocationFailed(code) => failed(429, code, "Rate Exceeded.".into()),
    }
}

/// The reference function.
fn reference(event: &Value) -> Outcome {
    let metadata = event["request"]["clientMetadata"].as_object();
    let behaviour = metadata
        .and_then(|m| m.get(BEHAVIOUR_KEY))
        .and_then(Value::as_str)
        .unwrap_or("succeed");
    if let Some(text) = behaviour.strip_prefix("raise:") {
        return Outcome::Threw(text.to_owned());
    }
    match behaviour {
        "succeed" => Outcome::Returned(event.to_string().into_bytes()),
        "echo" => {
            let mut entries: Vec<(&String, &str)> = metadata
                .into_iter()
                .flatten()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default()))
                .collect();
            entries.sort();
            let listed: Vec<String> = entries.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Outcome::Threw(format!(
                "triggerSource={} clientMetadata={}",
                event["triggerSource"].as_str().unwrap_or_default(),
                listed.join(";")
            ))
        }
        // What a Node.js handler that returns nothing gives back.
        "bad-output" => Outcome::Returned(b"null".to_vec()),
        "fail" => Outcome::InvocationFailed("TooManyRequestsException"),
        other => Outcome::Threw(format!(
            "unknown {BEHAVIOUR_KEY} value '{}'",
            crate::term::inline(&other.chars().take(40).collect::<String>())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::wire::Str;
    use std::borrow::Cow;

    fn metadata(pairs: &[(&'static str, &'static str)]) -> StringMap<'static> {
        StringMap {
            entries: pairs
                .iter()
                .map(|(k, v)| (Str(Cow::Borrowed(*k)), Str(Cow::Borrowed(*v))))
                .collect(),
        }
    }

    fn run(arn: &str, m: Option<&StringMap>) -> Result<(), ApiError> {
        let confirmed = Confirmed {
            region: "us-east-1",
            pool_id: "us-east-1_abc",
            client_id: "client",
            username: "alice",
            attributes: vec![("email".into(), "a@example.com".into())],
            client_metadata: m,
        };
        invoke(&PostConfirmation::new(arn), &event(&confirmed))
    }

    const REF: &str = crate::protocol::pool_settings::REFERENCE_TRIGGER_ARN;

    #[test]
    fn the_reference_trigger_does_what_the_metadata_asks() {
        assert_eq!(run(REF, None), Ok(()));
        assert_eq!(
            run(REF, Some(&metadata(&[(BEHAVIOUR_KEY, "succeed")]))),
            Ok(())
        );
        let e = run(REF, Some(&metadata(&[(BEHAVIOUR_KEY, "raise:no thanks")]))).unwrap_err();
        assert_eq!(e.name, names::USER_LAMBDA_VALIDATION);
        assert_eq!(
            e.message.as_deref(),
            Some("PostConfirmation failed with error no thanks.")
        );
        let e = run(REF, Some(&metadata(&[(BEHAVIOUR_KEY, "bad-output")]))).unwrap_err();
        assert_eq!(
            (e.name, e.message.as_deref()),
            (names::INVALID_LAMBDA_RESPONSE, Some(INVALID_JSON))
        );
        let e = run(REF, Some(&metadata(&[(BEHAVIOUR_KEY, "fail")]))).unwrap_err();
        assert_eq!(
            (e.name, e.message.as_deref()),
            (
                names::UNEXPECTED_LAMBDA,
                Some("PostConfirmation invocation failed due to error TooManyRequestsException")
            )
        );
        let e = run(REF, Some(&metadata(&[(BEHAVIOUR_KEY, "explode\n")]))).unwrap_err();
        assert_eq!(e.name, names::USER_LAMBDA_VALIDATION);
        assert!(!e.message.unwrap().contains('\n'));
    }

    #[test]
    fn echo_names_the_metadata_it_received_sorted() {
        let m = metadata(&[("zeta", "ü 1"), (BEHAVIOUR_KEY, "echo"), ("alpha", "")]);
        let e = run(REF, Some(&m)).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some(
                "PostConfirmation failed with error triggerSource=PostConfirmation_ConfirmSignUp clientMetadata=alpha=;cogbench-trigger=echo;zeta=ü 1."
            )
        );
    }

    #[test]
    fn the_invoke_api_answers_as_lambda_does() {
        let event = |behaviour: &str| {
            json!({"triggerSource": "PostConfirmation_ConfirmSignUp",
                   "request": {"clientMetadata": {BEHAVIOUR_KEY: behaviour}}})
            .to_string()
        };
        let ok = invoke_api(REFERENCE_FUNCTION, event("succeed").as_bytes());
        assert_eq!((ok.status, ok.function_error), (200, false));
        assert_eq!(
            serde_json::from_slice::<Value>(&ok.body).unwrap()["triggerSource"],
            "PostConfirmation_ConfirmSignUp"
        );
        let threw = invoke_api(
            crate::protocol::pool_settings::REFERENCE_TRIGGER_ARN,
            event("raise:no").as_bytes(),
        );
        assert_eq!((threw.status, threw.function_error), (200, true));
        assert_eq!(
            serde_json::from_slice::<Value>(&threw.body).unwrap()["errorMessage"],
            "no"
        );
        let failed = invoke_api(REFERENCE_FUNCTION, event("fail").as_bytes());
        assert_eq!(
            (failed.status, failed.error_type),
            (429, Some("TooManyRequestsException"))
        );
        assert_eq!(invoke_api("other", b"{}").status, 404);
        for named in [
            "cogbench-reference-trigger:1",
            "123456789012:function:cogbench-reference-trigger",
            "123456789012:function:cogbench-reference-trigger:live",
        ] {
            assert_eq!(invoke_api(named, b"{}").status, 200, "{named}");
        }
        let other = invoke_api(
            "arn:aws:sns:us-east-1:1:function:cogbench-reference-trigger",
            b"{}",
        );
        assert_eq!(other.status, 404);
        assert_eq!(invoke_api(REFERENCE_FUNCTION, b"{not json").status, 400);
        assert_eq!(
            invoke_api(REFERENCE_FUNCTION, event("bad-output").as_bytes()).body,
            b"null"
        );
    }

    #[test]
    fn a_function_the_emulator_cannot_run_fails_to_be_invoked() {
        let other = "arn:aws:lambda:us-east-1:000000000000:function:somebody-else:live";
        let e = run(other, None).unwrap_err();
        assert_eq!(e.name, names::UNEXPECTED_LAMBDA);
        assert!(e.message.unwrap().ends_with("AccessDeniedException"));
        assert_eq!(function_name(&format!("{REF}:3")), Some(REFERENCE_FUNCTION));
        assert_eq!(function_name("arn:aws:s3:::bucket"), None);
        assert_eq!(
            function_name("arn:aws:sns:us-east-1:1:function:cogbench-reference-trigger"),
            None
        );
    }
}
