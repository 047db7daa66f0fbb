//! ConfirmSignUp, one decision step at a time.

use serde_json::{Value, json};

use super::{Fixture, Harness, attr, confirm_body, email, merge};
use crate::protocol::{self, CONTENT_TYPE, Operation};

const MISMATCH: &str = "Invalid verification code provided, please try again.";
const EXPIRED: &str = "Invalid code provided, please request a code again.";
const NOT_FOUND: &str = "Username/client id combination not found.";

/// A pool that verifies email, a client, and one signed-up user `alice`; returns the code.
async fn alice(h: &Harness, pool_extra: Value, client_extra: Value) -> (Fixture, String) {
    let mut p = json!({ "AutoVerifiedAttributes": ["email"] });
    merge(&mut p, pool_extra);
    let f = h.fixture(p, client_extra).await;
    h.sign_up(&f, "alice", email("alice@example.com")).await;
    let code = h.code_of(&f.pool, "alice").await;
    (f, code)
}

#[tokio::test]
async fn success_is_exactly_an_empty_object_and_confirms_the_user() {
    let h = Harness::start().await;
    let (f, code) = alice(&h, json!({}), json!({})).await;
    assert_eq!(code.len(), 6);
    h.assert_user(&f.pool, "alice", "UNCONFIRMED", None).await;

    let r = h.confirm(confirm_body(&f, "alice", &code)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"{}");
    assert_eq!(r.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(r.header("x-amzn-errortype"), None);
    super::assert_request_id(&r.headers);

    let after = h
        .assert_user(&f.pool, "alice", "CONFIRMED", Some("true"))
        .await;
    assert_eq!(after["Enabled"], true);
    assert_eq!(attr(&after, "email"), Some("alice@example.com"));
    // The code is consumed.
    assert_eq!(h.code(&f.pool, "alice").await.status, 404);
}

#[tokio::test]
async fn step2_member_constraints() {
    let h = Harness::start().await;
    // One error: the code is missing.
    h.confirm(json!({ "ClientId": "abc", "Username": "alice" }))
        .await
        .assert_error(
            "InvalidParameterException",
            "1 validation error detected: Value null at 'confirmationCode' failed to satisfy \
             constraint: Member must not be null",
        );
    // The code is not sensitive: its value is quoted.
    h.confirm(json!({ "ClientId": "abc", "Username": "alice", "ConfirmationCode": "12 34" }))
        .await
        .assert_error(
            "InvalidParameterException",
            "1 validation error detected: Value '12 34' at 'confirmationCode' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\S]+",
        );
    // Username is sensitive: the value is left out.
    h.confirm(json!({ "ClientId": "abc", "Username": "al ice", "ConfirmationCode": "1" }))
        .await
        .assert_error(
            "InvalidParameterException",
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        );
    // Several errors in one answer.
    h.confirm(json!({
        "ClientId": "",
        "SecretHash": "not-base64",
        "Username": "u".repeat(129),
        "ConfirmationCode": "",
        "Session": "short",
    }))
    .await
    .assert_error(
        "InvalidParameterException",
        "7 validation errors detected: \
         Value at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+; \
         Value at 'secretHash' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/]+; \
         Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128; \
         Value '' at 'confirmationCode' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value '' at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+; \
         Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20",
    );
    // Validation comes before the client lookup: an unknown client with a bad code is a
    // validation error, not ResourceNotFound.
    let r = h
        .confirm(json!({ "ClientId": "nope", "Username": "a", "ConfirmationCode": "1\t2" }))
        .await;
    assert_eq!(
        protocol::parse_error(&r.body, None).unwrap().error_type,
        "InvalidParameterException"
    );
}

#[tokio::test]
async fn step3_unknown_client() {
    let h = Harness::start().await;
    h.confirm(json!({ "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado", "Username": "alice", "ConfirmationCode": "123456" }))
        .await
        .assert_error(
            "ResourceNotFoundException",
            "User pool client 3n4b5urk1ft4fl3mg5e62d9ado does not exist.",
        );
}

#[tokio::test]
async fn step4_secret_hash() {
    let h = Harness::start().await;
    let (f, code) = alice(&h, json!({}), json!({ "GenerateSecret": true })).await;
    let secret = f.secret.clone().unwrap();
    let unable = format!("Unable to verify secret hash for client {}", f.client);
    // Missing.
    let mut body = confirm_body(&f, "alice", &code);
    body.as_object_mut().unwrap().remove("SecretHash");
    h.confirm(body)
        .await
        .assert_error("NotAuthorizedException", &unable);
    // Wrong (valid shape, wrong value; and a hash over another username).
    let mut body = confirm_body(&f, "alice", &code);
    body["SecretHash"] = json!(protocol::secret_hash("wrong-secret", "alice", &f.client));
    h.confirm(body)
        .await
        .assert_error("NotAuthorizedException", &unable);
    let mut body = confirm_body(&f, "alice", &code);
    body["SecretHash"] = json!(protocol::secret_hash(&secret, "bob", &f.client));
    h.confirm(body)
        .await
        .assert_error("NotAuthorizedException", &unable);
    // Right.
    h.assert_confirms(&f, "alice", &code).await;

    // A SecretHash sent to a client without a secret.
    let (plain, _) = h.create_client(&f.pool, json!({})).await;
    let mut body = json!({ "ClientId": plain, "Username": "alice", "ConfirmationCode": "123456" });
    body["SecretHash"] = json!(protocol::secret_hash(&secret, "alice", &plain));
    h.confirm(body).await.assert_error(
        "InvalidParameterException",
        &format!("App client {plain} is not configured for secret but secret hash was received"),
    );
}

#[tokio::test]
async fn step5_unknown_user_legacy_and_prevent_user_existence_errors() {
    let h = Harness::start().await;
    let (f, _) = alice(&h, json!({}), json!({})).await;
    h.confirm(confirm_body(&f, "bob", "123456"))
        .await
        .assert_error("UserNotFoundException", NOT_FOUND);
    for (puee, ty, message) in [
        ("LEGACY", "UserNotFoundException", NOT_FOUND),
        ("ENABLED", "CodeMismatchException", MISMATCH),
    ] {
        let (client, _) = h
            .create_client(&f.pool, json!({ "PreventUserExistenceErrors": puee }))
            .await;
        h.confirm(json!({ "ClientId": client, "Username": "bob", "ConfirmationCode": "1" }))
            .await
            .assert_error(ty, message);
    }
}

#[tokio::test]
async fn step5_confirm_by_sub() {
    let h = Harness::start().await;
    let f = h
        .fixture(
            json!({ "AutoVerifiedAttributes": ["email"] }),
            json!({ "GenerateSecret": true }),
        )
        .await;
    let sub = h.sign_up(&f, "carol", email("carol@example.com")).await;
    let code = h.code_of(&f.pool, &sub).await;
    assert_eq!(code, h.code_of(&f.pool, "carol").await);
    // The SecretHash is over the exact string sent as Username: the sub here.
    h.assert_confirms(&f, &sub, &code).await;
    assert_eq!(
        h.get_user(&f.pool, "carol").await["UserStatus"],
        "CONFIRMED"
    );
}

#[tokio::test]
async fn step5_case_sensitivity() {
    let h = Harness::start().await;
    let sensitive = h.fixture(json!({}), json!({})).await;
    h.sign_up(&sensitive, "Alice", email("a@example.com")).await;
    let code = h.code_of(&sensitive.pool, "Alice").await;
    h.confirm(confirm_body(&sensitive, "alice", &code))
        .await
        .assert_error("UserNotFoundException", NOT_FOUND);

    let insensitive = h
        .fixture(
            json!({ "UsernameConfiguration": { "CaseSensitive": false } }),
            json!({}),
        )
        .await;
    h.sign_up(&insensitive, "Alice", email("a@example.com"))
        .await;
    let code = h.code_of(&insensitive.pool, "aLiCe").await;
    h.assert_confirms(&insensitive, "ALICE", &code).await;
    let user = h.get_user(&insensitive.pool, "alice").await;
    assert_eq!(user["Username"], "Alice");
    assert_eq!(user["UserStatus"], "CONFIRMED");
}

#[tokio::test]
async fn step5_username_attribute_pools_confirm_by_email() {
    let h = Harness::start().await;
    let f = h
        .fixture(
            json!({ "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"] }),
            json!({ "GenerateSecret": true }),
        )
        .await;
    let sub = h.sign_up(&f, "diego@example.com", json!([])).await;
    let user = h.get_user(&f.pool, "diego@example.com").await;
    assert_eq!(user["Username"], sub.as_str());
    assert_eq!(attr(&user, "email"), Some("diego@example.com"));
    let code = h.code_of(&f.pool, "diego@example.com").await;
    h.assert_confirms(&f, "diego@example.com", &code).await;
    h.assert_user(&f.pool, &sub, "CONFIRMED", Some("true"))
        .await;
}

#[tokio::test]
async fn step5_an_unverified_alias_does_not_name_a_user() {
    let h = Harness::start().await;
    let f = alias_pool(&h).await;
    h.sign_up(&f, "erin", email("erin@example.com")).await;
    let code = h.code_of(&f.pool, "erin").await;
    h.confirm(confirm_body(&f, "erin@example.com", &code))
        .await
        .assert_error("UserNotFoundException", NOT_FOUND);
}

#[tokio::test]
async fn step6_already_confirmed() {
    let h = Harness::start().await;
    let (f, code) = alice(&h, json!({}), json!({})).await;
    h.assert_confirms(&f, "alice", &code).await;
    for c in [code.as_str(), "000000"] {
        h.confirm(confirm_body(&f, "alice", c)).await.assert_error(
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is CONFIRMED",
        );
    }
}

#[tokio::test]
async fn step7_wrong_code_then_right_code() {
    let h = Harness::start().await;
    let (f, code) = alice(&h, json!({}), json!({})).await;
    let wrong = other_code(&code);
    h.confirm(confirm_body(&f, "alice", wrong))
        .await
        .assert_error("CodeMismatchException", MISMATCH);
    h.assert_user(&f.pool, "alice", "UNCONFIRMED", None).await;
    h.assert_confirms(&f, "alice", &code).await;
}

#[tokio::test]
async fn attempt_limit_locks_out_after_15_wrong_codes_for_an_hour() {
    let h = Harness::start().await;
    let (f, code) = alice(&h, json!({}), json!({})).await;
    let wrong = other_code(&code);
    for _ in 0..15 {
        h.confirm(confirm_body(&f, "alice", wrong))
            .await
            .assert_error("CodeMismatchException", MISMATCH);
    }
    // The 16th attempt is refused before the code is looked at, the right code included.
    for c in [wrong, code.as_str()] {
        h.confirm(confirm_body(&f, "alice", c)).await.assert_error(
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        );
    }
    h.assert_user(&f.pool, "alice", "UNCONFIRMED", None).await;
    // An hour later the window has moved on.
    assert_eq!(h.advance("seconds=3600").await.status, 200);
    h.assert_confirms(&f, "alice", &code).await;
}

#[tokio::test]
async fn step7_expiry_on_the_emulator_clock() {
    let h = Harness::start().await;
    let (f, code) = alice(&h, json!({}), json!({})).await;
    h.sign_up(&f, "bob", email("bob@example.com")).await;
    let bob_code = h.code_of(&f.pool, "bob").await;
    // Just inside 24 h: still valid.
    assert_eq!(h.advance("seconds=86000").await.status, 200);
    h.assert_confirms(&f, "bob", &bob_code).await;
    // Past 24 h: expired, whether the code is right or wrong (age is checked first).
    assert_eq!(h.advance("seconds=401").await.status, 200);
    h.confirm(confirm_body(&f, "alice", &code))
        .await
        .assert_error("ExpiredCodeException", EXPIRED);
    h.confirm(confirm_body(&f, "alice", "not-the-code"))
        .await
        .assert_error("ExpiredCodeException", EXPIRED);
    // A resent code is fresh on the same clock.
    let r = h.resend(&f.client, "alice").await.assert_ok();
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let fresh = h.code_of(&f.pool, "alice").await;
    h.assert_confirms(&f, "alice", &fresh).await;
}

/// A six-digit code that is not `code`.
fn other_code(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

/// Signs up `first` and `second` with the given emails, confirms `first`; returns the code
/// sent to `second`.
async fn first_confirmed(h: &Harness, f: &Fixture, first: &str, second: &str) -> String {
    h.sign_up(f, "first", email(first)).await;
    h.sign_up(f, "second", email(second)).await;
    let c1 = h.code_of(&f.pool, "first").await;
    h.assert_confirms(f, "first", &c1).await;
    h.code_of(&f.pool, "second").await
}

/// After `second`'s confirmation: `owner` is confirmed and holds the verified
/// `shared@example.com` (the alias names it); `other` is `(username, status, email_verified)`.
async fn assert_alias_owner(
    h: &Harness,
    f: &Fixture,
    owner: &str,
    (other, status, email_verified): (&str, &str, Option<&str>),
) {
    h.assert_user(&f.pool, other, status, email_verified).await;
    h.assert_user(&f.pool, owner, "CONFIRMED", Some("true"))
        .await;
    assert_eq!(
        h.get_user(&f.pool, "shared@example.com").await["Username"],
        owner
    );
}

async fn alias_pool(h: &Harness) -> Fixture {
    h.fixture(
        json!({ "AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"] }),
        json!({}),
    )
    .await
}

#[tokio::test]
async fn step8_alias_exists_without_force() {
    let h = Harness::start().await;
    let f = alias_pool(&h).await;
    // SignUp with an email someone else uses succeeds; the clash shows at confirmation.
    let c2 = first_confirmed(&h, &f, "shared@example.com", "shared@example.com").await;
    // A string other than "true" is accepted for the boolean and reads as false (wire.rs).
    for force in [None, Some(json!(false)), Some(json!("yes"))] {
        let mut body = confirm_body(&f, "second", &c2);
        if let Some(v) = force {
            body["ForceAliasCreation"] = v;
        }
        body["ClientMetadata"] = json!({ "k": "v" });
        h.confirm(body).await.assert_error(
            "AliasExistsException",
            "An account with the email already exists.",
        );
    }
    assert_alias_owner(&h, &f, "first", ("second", "UNCONFIRMED", None)).await;
}

#[tokio::test]
async fn step8_force_alias_creation_moves_the_alias() {
    let h = Harness::start().await;
    let f = alias_pool(&h).await;
    let c2 = first_confirmed(&h, &f, "shared@example.com", "shared@example.com").await;
    let mut body = confirm_body(&f, "second", &c2);
    body["ForceAliasCreation"] = json!(true);
    let r = h.confirm(body).await;
    assert_eq!((r.status, r.body.as_slice()), (200, &b"{}"[..]));
    assert_alias_owner(&h, &f, "second", ("first", "CONFIRMED", Some("false"))).await;
}

#[tokio::test]
async fn step8_email_aliases_fold_case_only_in_case_insensitive_pools() {
    let h = Harness::start().await;
    for (case_sensitive, clash) in [(false, true), (true, false)] {
        let f = h
            .fixture(
                json!({ "AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"],
                        "UsernameConfiguration": { "CaseSensitive": case_sensitive } }),
                json!({}),
            )
            .await;
        let c2 = first_confirmed(&h, &f, "shared@example.com", "SHARED@EXAMPLE.COM").await;
        let r = h.confirm(confirm_body(&f, "second", &c2)).await;
        if clash {
            r.assert_error(
                "AliasExistsException",
                "An account with the email already exists.",
            );
            assert_alias_owner(&h, &f, "first", ("second", "UNCONFIRMED", None)).await;
        } else {
            assert_eq!(r.status, 200, "case-sensitive: another alias");
        }
    }
}

#[tokio::test]
async fn resend_replaces_the_code() {
    let h = Harness::start().await;
    let (f, old) = alice(&h, json!({}), json!({})).await;
    let resend = |username| h.resend(&f.client, username);
    let r = resend("alice").await.assert_ok();
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({ "Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" })
    );
    // Make sure the new code differs, so the old one is really superseded.
    let mut new = h.code_of(&f.pool, "alice").await;
    while new == old {
        resend("alice").await.assert_ok();
        new = h.code_of(&f.pool, "alice").await;
    }
    h.confirm(confirm_body(&f, "alice", &old))
        .await
        .assert_error("CodeMismatchException", MISMATCH);
    h.assert_confirms(&f, "alice", &new).await;
    resend("alice")
        .await
        .assert_error("InvalidParameterException", "User is already confirmed.");
    resend("nobody")
        .await
        .assert_error("UserNotFoundException", NOT_FOUND);
    // With PreventUserExistenceErrors ENABLED an unknown user gets plausible details (§4.3).
    let (enabled, _) = h
        .create_client(&f.pool, json!({ "PreventUserExistenceErrors": "ENABLED" }))
        .await;
    let r = h.resend(&enabled, "nobody@example.com").await.assert_ok();
    assert_eq!(r["CodeDeliveryDetails"]["Destination"], "n***@e***");
}

#[tokio::test]
async fn fifty_concurrent_confirms_give_exactly_one_success() {
    let h = Harness::start().await;
    let (f, code) = alice(&h, json!({}), json!({})).await;
    let body = confirm_body(&f, "alice", &code);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let req = h.request(Operation::ConfirmSignUp, &body);
        tasks.push(tokio::spawn(async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.bytes().await.unwrap())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status == 200 {
            ok += 1;
            assert_eq!(&body[..], b"{}");
        } else {
            let e = protocol::parse_error(&body, None).unwrap();
            assert_eq!(status, 400);
            assert_eq!(e.error_type, "NotAuthorizedException");
            assert_eq!(
                e.message.as_deref(),
                Some("User cannot be confirmed. Current status is CONFIRMED")
            );
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn concurrent_forced_alias_moves_leave_one_verified_owner() {
    let h = Harness::start().await;
    let f = alias_pool(&h).await;
    let names: Vec<String> = (0..12).map(|i| format!("user{i}")).collect();
    let mut bodies = Vec::new();
    for n in &names {
        h.sign_up(&f, n, email("race@example.com")).await;
        let mut body = confirm_body(&f, n, &h.code_of(&f.pool, n).await);
        body["ForceAliasCreation"] = json!(true);
        bodies.push(body);
    }
    let mut tasks = Vec::new();
    for body in bodies {
        let req = h.request(Operation::ConfirmSignUp, &body);
        tasks.push(tokio::spawn(async move {
            req.send().await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let mut verified = Vec::new();
    for n in &names {
        let u = h.get_user(&f.pool, n).await;
        assert_eq!(u["UserStatus"], "CONFIRMED");
        match attr(&u, "email_verified") {
            Some("true") => verified.push(n.clone()),
            Some("false") => {}
            other => panic!("{n}: email_verified {other:?}"),
        }
    }
    assert_eq!(verified.len(), 1, "{verified:?}");
    let owner = h.get_user(&f.pool, "race@example.com").await;
    assert_eq!(owner["Username"], verified[0].as_str());
}
