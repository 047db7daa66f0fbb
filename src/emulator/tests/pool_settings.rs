//! A pool's post-confirmation trigger and `cogbench:` tags over HTTP: each documented Lambda,
//! WAF, quota and internal error in the shape real Cognito answers it, and the user's state
//! after it.

use serde_json::{Value, json};

use super::{Harness, confirm_body, email};
use crate::protocol::Operation;

const REFERENCE: &str = "arn:aws:lambda:us-east-1:000000000000:function:cogbench-reference-trigger";

async fn triggered(h: &Harness, arn: &str) -> super::Fixture {
    h.fixture(
        json!({"LambdaConfig": {"PostConfirmation": arn}}),
        json!({}),
    )
    .await
}

/// Signs `name` up in `f` and confirms it with its code and `metadata`.
async fn confirm_with(
    h: &Harness,
    f: &super::Fixture,
    name: &str,
    metadata: Value,
) -> super::Reply {
    h.sign_up(f, name, email(&format!("{name}@example.com")))
        .await;
    let code = h.code_of(&f.pool, name).await;
    let mut body = confirm_body(f, name, &code);
    if !metadata.is_null() {
        body["ClientMetadata"] = metadata;
    }
    h.confirm(body).await
}

/// CreateUserPool with `body` is refused with InvalidParameterException; its text.
async fn assert_pool_refused(h: &Harness, body: Value) -> String {
    let r = h.call(Operation::CreateUserPool, body).await;
    assert_eq!(
        r.json()["__type"],
        "InvalidParameterException",
        "{}",
        r.text()
    );
    r.text()
}

#[tokio::test]
async fn the_reference_trigger_answers_each_behaviour_and_the_user_stays_confirmed() {
    let h = Harness::start().await;
    let f = triggered(&h, REFERENCE).await;
    let r = confirm_with(&h, &f, "ok", Value::Null).await;
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"{}"[..]),
        "{}",
        r.text()
    );
    let r = confirm_with(&h, &f, "asked", json!({"cogbench-trigger": "succeed"})).await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = confirm_with(
        &h,
        &f,
        "raised",
        json!({"cogbench-trigger": "raise:No entry"}),
    )
    .await;
    r.assert_error(
        "UserLambdaValidationException",
        "PostConfirmation failed with error No entry.",
    );
    super::assert_request_id(&r.headers);
    h.assert_user(&f.pool, "raised", "CONFIRMED", Some("true"))
        .await;

    let r = confirm_with(
        &h,
        &f,
        "echoed",
        json!({"cogbench-trigger": "echo", "b": "x y", "a": "1"}),
    )
    .await;
    r.assert_error(
        "UserLambdaValidationException",
        "PostConfirmation failed with error triggerSource=PostConfirmation_ConfirmSignUp clientMetadata=a=1;b=x y;cogbench-trigger=echo.",
    );

    let r = confirm_with(&h, &f, "bad", json!({"cogbench-trigger": "bad-output"})).await;
    r.assert_error(
        "InvalidLambdaResponseException",
        "Invalid lambda function output : Invalid JSON",
    );
    let r = confirm_with(&h, &f, "failed", json!({"cogbench-trigger": "fail"})).await;
    r.assert_error(
        "UnexpectedLambdaException",
        "PostConfirmation invocation failed due to error TooManyRequestsException",
    );
    h.assert_user(&f.pool, "failed", "CONFIRMED", Some("true"))
        .await;
    // A second attempt finds the user confirmed, as after any confirmation.
    let r = h.confirm(confirm_body(&f, "failed", "123456")).await;
    assert_eq!(r.json()["__type"], "NotAuthorizedException");
}

#[tokio::test]
async fn a_function_the_emulator_cannot_run_is_an_unexpected_lambda_error() {
    let h = Harness::start().await;
    let f = triggered(
        &h,
        "arn:aws:lambda:us-east-1:000000000000:function:elsewhere",
    )
    .await;
    let r = confirm_with(&h, &f, "ann", Value::Null).await;
    r.assert_error(
        "UnexpectedLambdaException",
        "PostConfirmation invocation failed due to error AccessDeniedException",
    );
    // The ARN is checked as the model's ArnType.
    let text = assert_pool_refused(
        &h,
        json!({"PoolName": "p", "LambdaConfig": {"PostConfirmation": "not an arn"}}),
    )
    .await;
    assert!(text.contains("lambdaConfig.postConfirmation"), "{text}");
}

#[tokio::test]
async fn tags_set_a_web_acl_a_quota_and_a_fault_on_their_pool_only() {
    let h = Harness::start().await;
    let plain = h.fixture(json!({}), json!({})).await;
    let waf = h
        .fixture(
            json!({"UserPoolTags": {"cogbench:web-acl:block-header": "x-cogbench-waf"}}),
            json!({}),
        )
        .await;
    h.sign_up(&waf, "ann", email("ann@example.com")).await;
    let code = h.code_of(&waf.pool, "ann").await;
    let blocked = h
        .send(
            h.request(Operation::ConfirmSignUp, &confirm_body(&waf, "ann", &code))
                .header("x-cogbench-waf", "block"),
        )
        .await;
    assert_eq!(blocked.status, 403, "{}", blocked.text());
    assert_eq!(
        blocked.json(),
        json!({"__type": "ForbiddenException", "message": "Request not allowed due to WAF block."})
    );
    h.assert_user(&waf.pool, "ann", "UNCONFIRMED", None).await;
    // The same header means nothing to a pool without the rule.
    h.sign_up(&plain, "bob", email("bob@example.com")).await;
    let code = h.code_of(&plain.pool, "bob").await;
    let r = h
        .send(
            h.request(
                Operation::ConfirmSignUp,
                &confirm_body(&plain, "bob", &code),
            )
            .header("x-cogbench-waf", "block"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let quota = h
        .fixture(
            json!({"UserPoolTags": {"cogbench:quota:user-creation": "1"}}),
            json!({}),
        )
        .await;
    let answers: Vec<Value> = futures_util::future::join_all(
        (0..4).map(|_| h.confirm(confirm_body(&quota, "nobody", "123456"))),
    )
    .await
    .into_iter()
    .map(|r| r.json())
    .collect();
    let throttled = answers
        .iter()
        .filter(|a| {
            **a == json!({"__type": "TooManyRequestsException", "message": "Rate exceeded"})
        })
        .count();
    assert!(throttled >= 3, "{answers:?}");
    // The plain pool is not throttled by the other pool's quota.
    let r = h.confirm(confirm_body(&plain, "nobody", "123456")).await;
    assert_eq!(r.json()["__type"], "UserNotFoundException");

    let faulty = h
        .fixture(
            json!({"UserPoolTags": {"cogbench:fault": "internal-error"}}),
            json!({}),
        )
        .await;
    h.sign_up(&faulty, "cy", email("cy@example.com")).await;
    let code = h.code_of(&faulty.pool, "cy").await;
    let r = h.confirm(confirm_body(&faulty, "cy", &code)).await;
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json(),
        json!({"__type": "InternalErrorException", "message": "Internal server error."})
    );
    h.assert_user(&faulty.pool, "cy", "UNCONFIRMED", None).await;

    assert_pool_refused(
        &h,
        json!({"PoolName": "p", "UserPoolTags": {"cogbench:quota:user-creatoin": "1"}}),
    )
    .await;
}

#[tokio::test]
async fn lambdas_invoke_api_serves_the_reference_trigger_to_a_peer() {
    let h = Harness::start().await;
    let url = |name: &str| format!("{}/2015-03-31/functions/{name}/invocations", h.base);
    let event = |behaviour: &str| {
        json!({"triggerSource": "PostConfirmation_ConfirmSignUp",
               "request": {"userAttributes": {}, "clientMetadata": {"cogbench-trigger": behaviour}},
               "response": {}})
        .to_string()
    };
    let r = h
        .send(
            h.http
                .post(url("cogbench-reference-trigger"))
                .body(event("succeed")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(r.header("x-amz-function-error"), None);
    let r = h
        .send(
            h.http
                .post(url("cogbench-reference-trigger"))
                .body(event("raise:nope")),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-amz-function-error"), Some("Unhandled"));
    assert_eq!(r.json()["errorMessage"], "nope");
    let r = h
        .send(
            h.http
                .post(url("cogbench-reference-trigger"))
                .body(event("fail")),
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("TooManyRequestsException")
    );
    let r = h.send(h.http.post(url("someone-else")).body("{}")).await;
    assert_eq!(r.status, 404);
    let r = h.send(h.http.get(url("cogbench-reference-trigger"))).await;
    assert_eq!(r.status, 405);
}
