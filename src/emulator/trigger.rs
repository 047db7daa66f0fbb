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
//! A function of any other name is invoked at the emulator's Lambda endpoint
//! (`--lambda-endpoint URL`: Lambda's Invoke API, as `sam local start-lambda` serves it, or
//! another `cogbench emulator`), waiting 5 s an attempt as Cognito does; without one it cannot
//! be run here, and its invocations fail as an unauthorised or deleted function's do.
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
/// How long Cognito waits for one invocation; it cannot be changed (spec §4.7).
const INVOCATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// The largest answer read from a Lambda endpoint: Lambda's own synchronous payload limit.
const MAX_PAYLOAD: usize = 6 * 1024 * 1024;
/// Observed as the Lambda error when Cognito's wait ran out (spec §3.1).
const SOCKET_TIMEOUT: &str = "Socket timeout while invoking Lambda function.";
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
    /// Lambda's error: the function could not be run.
    InvocationFailed(String),
}

/// Where functions other than the reference trigger are invoked: a Lambda Invoke API.
pub struct LambdaEndpoint {
    base: String,
    http: reqwest::Client,
}

impl LambdaEndpoint {
    /// `base` is an http(s) URL without query; functions are invoked at
    /// `BASE/2015-03-31/functions/NAME/invocations`.
    pub fn new(base: &str) -> Result<LambdaEndpoint, String> {
        LambdaEndpoint::with_timeout(base, INVOCATION_TIMEOUT)
    }

    pub(crate) fn with_timeout(
        base: &str,
        timeout: std::time::Duration,
    ) -> Result<LambdaEndpoint, String> {
        let shown = crate::term::inline(&base.chars().take(80).collect::<String>());
        let url = reqwest::Url::parse(base).map_err(|e| format!("`{shown}` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none_or(str::is_empty)
            || url.query().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(format!(
                "`{shown}`: expected http:// or https://, a host, and no query or credentials"
            ));
        }
        let http = crate::client::build(&crate::client::ClientSettings {
            read_timeout: timeout,
            connect_timeout: timeout,
            ..Default::default()
        })
        .map_err(|e| format!("a Lambda client: {e}"))?;
        Ok(LambdaEndpoint {
            base: base.trim_end_matches('/').to_owned(),
            http,
        })
    }

    /// One synchronous invocation of `function` with `event`, as Lambda's Invoke API answers.
    async fn invoke(&self, function: &str, event: &Value) -> Outcome {
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.base,
            url_segment(function)
        );
        let sent = self
            .http
            .post(url)
            .header("X-Amz-Invocation-Type", "RequestResponse")
            .header("Content-Type", "application/json")
            .body(event.to_string())
            .send()
            .await;
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Outcome::InvocationFailed(SOCKET_TIMEOUT.into()),
            Err(_) => return Outcome::InvocationFailed("ServiceException".into()),
        };
        let status = resp.status();
        let function_error = resp.headers().contains_key("x-amz-function-error");
        let error_type = resp
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|t| t.split(':').next().unwrap_or(t).to_owned());
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() <= MAX_PAYLOAD => {
                    body.extend_from_slice(&chunk)
                }
                Ok(Some(_)) => return Outcome::InvocationFailed("RequestTooLargeException".into()),
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Outcome::InvocationFailed(SOCKET_TIMEOUT.into());
                }
                Err(_) => return Outcome::InvocationFailed("ServiceException".into()),
            }
        }
        if !status.is_success() {
            let code = error_type
                .filter(|t| {
                    !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric())
                })
                .unwrap_or_else(|| "ServiceException".into());
            return Outcome::InvocationFailed(code);
        }
        if function_error {
            // Lambda's error document: {"errorMessage": …, "errorType": …}.
            let message = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v["errorMessage"].as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
            return Outcome::Threw(crate::term::inline(
                &message.chars().take(1024).collect::<String>(),
            ));
        }
        Outcome::Returned(body)
    }
}

/// A function name or ARN as one path segment.
fn url_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
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

/// Runs the trigger on `event` (functions other than the reference one at `endpoint`); `Err`
/// is the error ConfirmSignUp answers.
pub async fn invoke(
    trigger: &PostConfirmation,
    event: &Value,
    endpoint: Option<&LambdaEndpoint>,
) -> Result<(), ApiError> {
    let mut outcome = Outcome::InvocationFailed(String::new());
    for _ in 0..ATTEMPTS {
        outcome = match (trigger.runnable, endpoint) {
            (true, _) => reference(event),
            (false, Some(e)) => e.invoke(&trigger.arn, event).await,
            // AWS answers a deleted function's trigger the same way (spec §4.7).
            (false, None) => Outcome::InvocationFailed("AccessDeniedException".into()),
        };
        if !matches!(outcome, Outcome::InvocationFailed(_)) {
            break;
        }
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
        // The reference function fails one way only: as a throttled function.
        Outcome::InvocationFailed(_) => {
            failed(429, "TooManyRequestsException", "Rate Exceeded.".into())
        }
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
        "fail" => Outcome::InvocationFailed("TooManyRequestsException".into()),
        other => Outcome::Threw(format!(
            "unknown {BEHAVIOUR_KEY} value '{}'",
            crate::term::inline(&other.chars().take(40).collect::<String>())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(arn: &str, m: Option<&StringMap<'_>>) -> Result<(), ApiError> {
        let confirmed = Confirmed {
            region: "us-east-1",
            pool_id: "us-east-1_abc",
            client_id: "client",
            username: "alice",
            attributes: vec![("email".into(), "a@example.com".into())],
            client_metadata: m,
        };
        invoke(&PostConfirmation::new(arn), &event(&confirmed), None).await
    }

    const REF: &str = crate::protocol::pool_settings::REFERENCE_TRIGGER_ARN;

    #[tokio::test]
    async fn the_reference_trigger_does_what_the_metadata_asks() {
        assert_eq!(run(REF, None).await, Ok(()));
        assert_eq!(
            run(REF, Some(&StringMap::of(&[(BEHAVIOUR_KEY, "succeed")]))).await,
            Ok(())
        );
        let e = run(
            REF,
            Some(&StringMap::of(&[(BEHAVIOUR_KEY, "raise:no thanks")])),
        )
        .await
        .unwrap_err();
        assert_eq!(e.name, names::USER_LAMBDA_VALIDATION);
        assert_eq!(
            e.message.as_deref(),
            Some("PostConfirmation failed with error no thanks.")
        );
        let e = run(REF, Some(&StringMap::of(&[(BEHAVIOUR_KEY, "bad-output")])))
            .await
            .unwrap_err();
        assert_eq!(
            (e.name, e.message.as_deref()),
            (names::INVALID_LAMBDA_RESPONSE, Some(INVALID_JSON))
        );
        let e = run(REF, Some(&StringMap::of(&[(BEHAVIOUR_KEY, "fail")])))
            .await
            .unwrap_err();
        assert_eq!(
            (e.name, e.message.as_deref()),
            (
                names::UNEXPECTED_LAMBDA,
                Some("PostConfirmation invocation failed due to error TooManyRequestsException")
            )
        );
        let e = run(REF, Some(&StringMap::of(&[(BEHAVIOUR_KEY, "explode\n")])))
            .await
            .unwrap_err();
        assert_eq!(e.name, names::USER_LAMBDA_VALIDATION);
        assert!(!e.message.unwrap().contains('\n'));
    }

    #[tokio::test]
    async fn echo_names_the_metadata_it_received_sorted() {
        let m = StringMap::of(&[("zeta", "ü 1"), (BEHAVIOUR_KEY, "echo"), ("alpha", "")]);
        let e = run(REF, Some(&m)).await.unwrap_err();
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

    #[tokio::test]
    async fn a_function_the_emulator_cannot_run_fails_to_be_invoked() {
        let other = "arn:aws:lambda:us-east-1:000000000000:function:somebody-else:live";
        let e = run(other, None).await.unwrap_err();
        assert_eq!(e.name, names::UNEXPECTED_LAMBDA);
        assert!(e.message.unwrap().ends_with("AccessDeniedException"));
        assert_eq!(function_name(&format!("{REF}:3")), Some(REFERENCE_FUNCTION));
        assert_eq!(function_name("arn:aws:s3:::bucket"), None);
        assert_eq!(
            function_name("arn:aws:sns:us-east-1:1:function:cogbench-reference-trigger"),
            None
        );
    }

    /// A Lambda Invoke API answering by function name, counting the invocations it sees.
    async fn lambda_endpoint() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use axum::http::StatusCode;
        use axum::response::IntoResponse;
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = seen.clone();
        let app = axum::Router::new().route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(
                move |axum::extract::Path(name): axum::extract::Path<String>, body: String| {
                    let counter = counter.clone();
                    async move {
                        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        // The function is named by its ARN, as Cognito names it.
                        match name.rsplit(':').next().unwrap_or_default() {
                            "thrower" => (
                                StatusCode::OK,
                                [("x-amz-function-error", "Unhandled")],
                                r#"{"errorType":"Error","errorMessage":"boom"}"#.to_owned(),
                            )
                                .into_response(),
                            "nothing" => (StatusCode::OK, "null").into_response(),
                            "denied" => (
                                StatusCode::FORBIDDEN,
                                [("x-amzn-errortype", "AccessDeniedException")],
                                "{}",
                            )
                                .into_response(),
                            "sleeper" => {
                                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                                (StatusCode::OK, body).into_response()
                            }
                            _ => (StatusCode::OK, body).into_response(),
                        }
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, seen)
    }

    #[tokio::test]
    async fn other_functions_are_invoked_at_the_lambda_endpoint() {
        let (base, seen) = lambda_endpoint().await;
        let ep =
            LambdaEndpoint::with_timeout(&base, std::time::Duration::from_millis(300)).unwrap();
        let confirmed = Confirmed {
            region: "us-east-1",
            pool_id: "us-east-1_abc",
            client_id: "client",
            username: "alice",
            attributes: vec![],
            client_metadata: None,
        };
        let ev = event(&confirmed);
        let call = |name: &str| {
            PostConfirmation::new(&format!("arn:aws:lambda:us-east-1:1:function:{name}"))
        };
        assert_eq!(invoke(&call("echoer"), &ev, Some(&ep)).await, Ok(()));
        let e = invoke(&call("thrower"), &ev, Some(&ep)).await.unwrap_err();
        assert_eq!(
            (e.name, e.message.as_deref()),
            (
                names::USER_LAMBDA_VALIDATION,
                Some("PostConfirmation failed with error boom.")
            )
        );
        let e = invoke(&call("nothing"), &ev, Some(&ep)).await.unwrap_err();
        assert_eq!(e.name, names::INVALID_LAMBDA_RESPONSE);
        let before = seen.load(std::sync::atomic::Ordering::SeqCst);
        let e = invoke(&call("denied"), &ev, Some(&ep)).await.unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("PostConfirmation invocation failed due to error AccessDeniedException")
        );
        // A failed invocation is tried three times; Cognito's wait ends each slow one.
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst) - before, 3);
        let e = invoke(&call("sleeper"), &ev, Some(&ep)).await.unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some(
                "PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function."
            )
        );
        // Nothing listening: the invocation fails, it does not hang or panic.
        let gone = LambdaEndpoint::with_timeout(
            "http://127.0.0.1:9",
            std::time::Duration::from_millis(300),
        )
        .unwrap();
        let e = invoke(&call("any"), &ev, Some(&gone)).await.unwrap_err();
        assert_eq!(e.name, names::UNEXPECTED_LAMBDA);
        assert!(LambdaEndpoint::new("ftp://x").is_err());
        assert!(LambdaEndpoint::new("http://u:p@127.0.0.1/").is_err());
    }
}
