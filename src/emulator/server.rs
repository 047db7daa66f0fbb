//! The HTTP surface: `POST /` for the Cognito operations, plus side routes for harnesses.
//!
//! * `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` and a JSON body.
//! * `GET /_emulator/codes/{UserPoolId}/{Username}`: the user's current code as text/plain
//!   (Username may be the username, the sub, or a sign-in value); 404 when there is none.
//! * `POST /_emulator/clock/advance?seconds=N`: moves the emulator clock forward;
//!   answers `{"OffsetSeconds": <total>}`.
//! * `POST /2015-03-31/functions/{FunctionName}/invocations`: Lambda's Invoke API for the
//!   reference trigger (see [`super::trigger`]), so that a peer emulator calling triggers
//!   through a Lambda endpoint (cognito-local) can be given it.
//! * Anything else: 404. Every answer carries `x-amzn-RequestId`.
//!
//! `--faults` (see [`super::faults`]) apply to `POST /` only, never to the side routes.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::any;
use bytes::Bytes;

use super::instance::Emulator;
use super::signature::{self, Received};
use super::state::Shared;
use super::wire::{self, ApiError, error_response, json_ok, plain_json, text};
use super::{confirm, pools, users};
use crate::protocol::{HEADER_TARGET, Operation};

/// Largest request body read. Far above any modelled input except pathological
/// ClientMetadata; larger bodies get a bare SerializationException.
pub(super) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub fn router(emulator: Emulator) -> Router {
    Router::new()
        .route("/", any(root))
        .route("/_emulator/codes/{pool}/{user}", any(codes))
        .route("/_emulator/clock/advance", any(advance_clock))
        .route(
            "/2015-03-31/functions/{name}/invocations",
            any(invoke_function),
        )
        .fallback(not_found)
        .with_state(emulator)
}

/// Accepts `application/x-amz-json-1.1` (what SDKs send) and `-1.0` (the API reference's
/// sample), with optional parameters such as `; charset=utf-8`. Anything else, or no
/// Content-Type at all, is a SerializationException: what Cognito does with plain
/// `application/json` is open (§6.6); the one observation (§1.5) was a SerializationException
/// for a request whose Content-Type and target were both wrong.
fn content_type_ok(value: Option<&HeaderValue>) -> bool {
    let Some(v) = value.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let media = v.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/x-amz-json-1.1")
        || media.eq_ignore_ascii_case("application/x-amz-json-1.0")
}

async fn dispatch(
    emulator: &Emulator,
    op: Operation,
    body: &[u8],
    headers: &axum::http::HeaderMap,
) -> Result<Bytes, ApiError> {
    let shared: &Shared = &emulator.shared;
    match op {
        Operation::ConfirmSignUp => match confirm::confirm_sign_up(shared, body, headers)? {
            confirm::Confirmation::Done => Ok(confirm::success()),
            confirm::Confirmation::Trigger(trigger, event) => {
                super::trigger::invoke(&trigger, &event, emulator.lambda.as_deref()).await?;
                Ok(confirm::success())
            }
        },
        Operation::SignUp => users::sign_up(shared, body),
        Operation::ResendConfirmationCode => users::resend_confirmation_code(shared, body),
        Operation::AdminGetUser => users::admin_get_user(shared, body),
        Operation::CreateUserPool => pools::create_user_pool(shared, body),
        Operation::DeleteUserPool => pools::delete_user_pool(shared, body),
        Operation::CreateUserPoolClient => pools::create_user_pool_client(shared, body),
    }
}

async fn root(State(emulator): State<Emulator>, req: Request) -> Response {
    // Faults (stall, delay, one random fault) come before anything else, so a faulted request
    // changes no state; with none configured this is the only cost.
    if let Some(faults) = emulator.faults.as_deref()
        && faults.applies_to(
            req.headers()
                .get(HEADER_TARGET)
                .and_then(|v| v.to_str().ok()),
        )
        && let Some(fault) = faults.before_dispatch().await
    {
        return faults.answer(fault, req.into_body(), MAX_BODY_BYTES).await;
    }
    operation(&emulator, req).await
}

/// `POST /` without faults: protocol checks, then the operation.
async fn operation(emulator: &Emulator, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // A missing or unknown target, and any method but POST, get Coral's
    // UnknownOperationException (DynamoDB's answer; unverified for Cognito, §1.5).
    // Two targets name no operation: AWS reads them joined with a comma, and acting on either
    // would not be acting on what a signature covered.
    let mut targets = parts.headers.get_all(HEADER_TARGET).iter();
    let op = match (targets.next(), targets.next()) {
        (Some(v), None) => v.to_str().ok().and_then(Operation::from_target),
        _ => None,
    };
    let Some(op) = op.filter(|_| parts.method == Method::POST) else {
        return error_response(&ApiError::unknown_operation());
    };
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return error_response(&ApiError::serialization());
    };
    // AWS authenticates before it reads the request (with `--require-signature` only).
    let received = Received {
        method: parts.method.as_str(),
        path_and_query: parts.uri.path_and_query().map_or("/", |p| p.as_str()),
        headers: &parts.headers,
        body: &bytes,
    };
    let region = &emulator.shared.region;
    let now = std::time::SystemTime::now();
    if let Err(e) = signature::check(&emulator.signatures, region, op, &received, now) {
        return error_response(&e);
    }
    if let Some(quotas) = &emulator.quotas
        && !quotas.admit(op)
    {
        return error_response(&ApiError::new(
            wire::names::TOO_MANY_REQUESTS,
            super::quota::RATE_EXCEEDED,
        ));
    }
    if !content_type_ok(parts.headers.get(header::CONTENT_TYPE)) {
        return error_response(&ApiError::serialization());
    }
    match dispatch(emulator, op, &bytes, &parts.headers).await {
        Ok(out) => json_ok(out),
        Err(e) => error_response(&e),
    }
}

fn method_not_allowed() -> Response {
    text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
}

async fn codes(
    State(emulator): State<Emulator>,
    method: Method,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> Response {
    if method != Method::GET {
        return method_not_allowed();
    }
    let Ok(Path((pool_id, username))) = path else {
        return text(StatusCode::BAD_REQUEST, "bad path\n");
    };
    match users::current_code(&emulator.shared, &pool_id, &username) {
        Some(code) => text(StatusCode::OK, code),
        None => text(
            StatusCode::NOT_FOUND,
            "no such pool, user or current code\n",
        ),
    }
}

/// The `seconds` query parameter as a non-negative integer (digits only).
fn seconds_param(uri: &Uri) -> Option<u64> {
    let query = uri.query()?;
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("seconds="))?;
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

async fn advance_clock(State(emulator): State<Emulator>, method: Method, uri: Uri) -> Response {
    if method != Method::POST {
        return method_not_allowed();
    }
    let Some(secs) = seconds_param(&uri) else {
        return text(
            StatusCode::BAD_REQUEST,
            "expected ?seconds=N with N a non-negative integer\n",
        );
    };
    match emulator.shared.clock.advance(secs) {
        Some(total) => plain_json(
            StatusCode::OK,
            format!("{{\"OffsetSeconds\":{total}}}").into_bytes(),
        ),
        None => text(StatusCode::BAD_REQUEST, "clock offset out of range\n"),
    }
}

async fn invoke_function(
    method: Method,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
    body: axum::body::Body,
) -> Response {
    if method != Method::POST {
        return method_not_allowed();
    }
    let Ok(Path(name)) = name else {
        return text(StatusCode::BAD_REQUEST, "bad path\n");
    };
    let Ok(payload) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    };
    let invoked = super::trigger::invoke_api(&name, &payload);
    let mut resp = plain_json(
        StatusCode::from_u16(invoked.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        invoked.body,
    );
    let headers = resp.headers_mut();
    headers.insert(
        "x-amz-executed-version",
        HeaderValue::from_static("$LATEST"),
    );
    if invoked.function_error {
        headers.insert(
            "x-amz-function-error",
            HeaderValue::from_static("Unhandled"),
        );
    }
    if let Some(t) = invoked.error_type {
        headers.insert("x-amzn-errortype", HeaderValue::from_static(t));
    }
    resp
}

async fn not_found() -> Response {
    wire::text(StatusCode::NOT_FOUND, "not found\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let ok = |s: &'static str| content_type_ok(Some(&HeaderValue::from_static(s)));
        assert!(ok("application/x-amz-json-1.1"));
        assert!(ok("application/x-amz-json-1.0"));
        assert!(ok("Application/X-Amz-Json-1.1; charset=utf-8"));
        assert!(!ok("application/json"));
        assert!(!ok("text/plain"));
        assert!(!content_type_ok(None));
    }

    #[tokio::test]
    async fn two_targets_name_no_operation() {
        let emulator = Emulator::new(super::super::EmulatorConfig::default());
        let request = |targets: &[&'static str]| {
            let mut b = Request::builder()
                .method(Method::POST)
                .uri("/")
                .header(header::CONTENT_TYPE, "application/x-amz-json-1.1");
            for t in targets {
                b = b.header(HEADER_TARGET, *t);
            }
            b.body(axum::body::Body::from(r#"{"PoolName":"p"}"#))
                .unwrap()
        };
        let create = "AWSCognitoIdentityProviderService.CreateUserPool";
        let delete = "AWSCognitoIdentityProviderService.DeleteUserPool";
        let one = operation(&emulator, request(&[create])).await;
        assert_eq!(one.status(), StatusCode::OK);
        for two in [[create, delete], [delete, create], [create, create]] {
            let r = operation(&emulator, request(&two)).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{two:?}");
            let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
            assert!(
                String::from_utf8_lossy(&body).contains("UnknownOperationException"),
                "{two:?}"
            );
        }
    }

    #[test]
    fn seconds_parameter() {
        let p = |s: &str| seconds_param(&s.parse::<Uri>().unwrap());
        assert_eq!(p("/_emulator/clock/advance?seconds=86400"), Some(86_400));
        assert_eq!(p("/_emulator/clock/advance?x=1&seconds=0"), Some(0));
        assert_eq!(p("/_emulator/clock/advance?seconds=-1"), None);
        assert_eq!(p("/_emulator/clock/advance?seconds=1.5"), None);
        assert_eq!(p("/_emulator/clock/advance?seconds="), None);
        assert_eq!(p("/_emulator/clock/advance"), None);
        assert_eq!(
            p("/_emulator/clock/advance?seconds=99999999999999999999999"),
            None
        );
    }
}
