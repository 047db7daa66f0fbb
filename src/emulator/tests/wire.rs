//! Protocol-level behaviour (decision step 1) and the side routes.

use serde_json::json;

use super::{Harness, assert_request_id};
use crate::protocol::{CONTENT_TYPE, Operation};

const UNKNOWN_OP: &str = r#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#;
const SERIALIZATION: &str = r#"{"__type":"SerializationException"}"#;
const FIELD_TYPE: &str = r#"{"__type":"SerializationException","Message":"Unexpected field type"}"#;

#[tokio::test]
async fn unknown_missing_or_garbage_target_is_unknown_operation() {
    let h = Harness::start().await;
    let body = br#"{"ClientId":"x"}"#;
    for target in [
        None,
        Some("garbage"),
        Some("AWSCognitoIdentityProviderService.ConfirmSignUpp"),
        Some("AWSCognitoIdentityProviderService.AdminConfirmSignUp"),
        Some("com.amazonaws.cognito.identity.idp.model.AWSCognitoIdentityProviderService.SignUp"),
    ] {
        let r = h.raw(target, Some(CONTENT_TYPE), body).await;
        assert_eq!(r.status, 400, "{target:?}");
        assert_eq!(r.text(), UNKNOWN_OP, "{target:?}");
        assert_eq!(
            r.header("x-amzn-errortype"),
            Some("com.amazon.coral.service#UnknownOperationException:")
        );
        assert_eq!(r.header("x-amzn-errormessage"), None);
        assert_request_id(&r.headers);
    }
    // Any method other than POST on `/`, even with a good target.
    let r = h
        .send(
            h.http
                .get(format!("{}/", h.base))
                .header("X-Amz-Target", Operation::ConfirmSignUp.target()),
        )
        .await;
    assert_eq!((r.status, r.text().as_str()), (400, UNKNOWN_OP));
    assert_request_id(&r.headers);
}

#[tokio::test]
async fn content_type_must_be_amz_json() {
    let h = Harness::start().await;
    let target = Some(Operation::ConfirmSignUp.target());
    for ct in [None, Some("application/json"), Some("text/plain")] {
        let r = h.raw(target, ct, b"{}").await;
        assert_eq!(
            (r.status, r.text().as_str()),
            (400, SERIALIZATION),
            "{ct:?}"
        );
        assert_request_id(&r.headers);
    }
    // Both awsJson versions get past the protocol step (to member validation here).
    for ct in [
        "application/x-amz-json-1.0",
        "application/x-amz-json-1.1; charset=utf-8",
    ] {
        let r = h.raw(target, Some(ct), b"{}").await;
        let e = crate::protocol::parse_error(&r.body, None).unwrap();
        assert_eq!(e.error_type, "InvalidParameterException", "{ct}");
    }
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_serialization_errors() {
    let h = Harness::start().await;
    let target = Some(Operation::ConfirmSignUp.target());
    for body in [
        &b"not json"[..],
        b"{",
        b"[]",
        br#"["a","b","c"]"#,
        b"null",
        b"42",
        br#"{"ClientId":"a"} {}"#,
    ] {
        let r = h.raw(target, Some(CONTENT_TYPE), body).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.text(), SERIALIZATION, "{}", String::from_utf8_lossy(body));
        assert_eq!(
            r.header("x-amzn-errortype"),
            Some("SerializationException:")
        );
        assert_eq!(r.header("content-type"), Some(CONTENT_TYPE));
    }
}

#[tokio::test]
async fn empty_body_is_an_empty_object_and_fails_member_validation() {
    let h = Harness::start().await;
    let r = h
        .raw(
            Some(Operation::ConfirmSignUp.target()),
            Some(CONTENT_TYPE),
            b"",
        )
        .await;
    r.assert_error(
        "InvalidParameterException",
        "3 validation errors detected: \
         Value null at 'clientId' failed to satisfy constraint: Member must not be null; \
         Value null at 'username' failed to satisfy constraint: Member must not be null; \
         Value null at 'confirmationCode' failed to satisfy constraint: Member must not be null",
    );
}

#[tokio::test]
async fn members_of_the_wrong_type_are_unexpected_field_types() {
    let h = Harness::start().await;
    let good = json!({ "ClientId": "c", "Username": "u", "ConfirmationCode": "123456" });
    for (member, value) in [
        ("ClientId", json!(5)),
        ("Username", json!({ "a": "b" })),
        ("ConfirmationCode", json!(["1"])),
        ("ForceAliasCreation", json!(1)),
        ("ClientMetadata", json!({ "k": 1 })),
        ("ClientMetadata", json!("k")),
        ("AnalyticsMetadata", json!({ "AnalyticsEndpointId": false })),
        ("UserContextData", json!({ "IpAddress": 1 })),
    ] {
        let mut body = good.clone();
        body[member] = value;
        let r = h.confirm(body).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.text(), FIELD_TYPE, "{member}");
        assert_eq!(
            r.header("x-amzn-errormessage"),
            Some("Unexpected field type")
        );
    }
    // A string for the boolean is accepted (spec §1.5): this reaches step 3 (client lookup).
    let mut body = good.clone();
    body["ForceAliasCreation"] = json!("yes");
    h.confirm(body).await.assert_error(
        "ResourceNotFoundException",
        "User pool client c does not exist.",
    );
    // Unknown members are ignored: this reaches step 3 (client lookup).
    let mut body = good.clone();
    body["Whatever"] = json!({ "deep": [1, 2] });
    h.confirm(body).await.assert_error(
        "ResourceNotFoundException",
        "User pool client c does not exist.",
    );
}

#[tokio::test]
async fn side_routes_and_unknown_paths() {
    let h = Harness::start().await;
    // Unknown paths: 404 with a request id.
    for path in ["/nope", "/_emulator", "/_emulator/codes/only-pool"] {
        let r = h.send(h.http.get(format!("{}{path}", h.base))).await;
        assert_eq!(r.status, 404, "{path}");
        assert_request_id(&r.headers);
    }
    // Codes for an unknown pool or user: 404.
    let r = h.code("us-east-1_nopool123", "alice").await;
    assert_eq!(r.status, 404);
    assert_request_id(&r.headers);
    // Clock: non-negative integers only.
    for q in ["seconds=-5", "seconds=abc", "seconds=1.5", "", "secs=5"] {
        let r = h.advance(q).await;
        assert_eq!(r.status, 400, "{q}");
        assert_request_id(&r.headers);
    }
    let r = h.advance("seconds=60").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({ "OffsetSeconds": 60 }));
    let r = h.advance("seconds=0").await;
    assert_eq!(r.json(), json!({ "OffsetSeconds": 60 }));
    assert_eq!(h.emu.emulator().clock_offset_secs(), 60);
    // Wrong method on a side route.
    let r = h
        .send(
            h.http
                .get(format!("{}/_emulator/clock/advance?seconds=1", h.base)),
        )
        .await;
    assert_eq!(r.status, 405);
    assert_request_id(&r.headers);
}

#[tokio::test]
async fn serve_stops_when_its_shutdown_future_resolves() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(super::super::serve(Default::default(), listener, async {
        let _ = rx.await;
    }));
    let http = crate::client::build(&Default::default()).unwrap();
    let r = http.get(format!("http://{addr}/x")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    tx.send(()).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn endpoint_and_shutdown() {
    let h = Harness::start().await;
    assert_eq!(h.base, format!("http://127.0.0.1:{}", h.emu.addr.port()));
    let addr = h.emu.addr;
    h.emu.shutdown().await;
    // Nothing listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
