//! The provisioning operations, the codes route and seeding.

use serde_json::json;

use super::{Harness, attr, email, sign_up_body};
use crate::emulator::EmulatorConfig;
use crate::protocol::{self, Operation};

#[tokio::test]
async fn create_user_pool_answers_the_pool() {
    let h = Harness::start().await;
    let r = h
        .call(
            Operation::CreateUserPool,
            json!({ "PoolName": "p1", "AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"] }),
        )
        .await
        .assert_ok();
    let p = &r["UserPool"];
    let id = p["Id"].as_str().unwrap();
    let (region, suffix) = id.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(suffix.len(), 9);
    assert!(suffix.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(p["Name"], "p1");
    assert_eq!(
        p["Arn"],
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}")
    );
    assert_eq!(p["AliasAttributes"], json!(["email"]));
    assert_eq!(p["UsernameAttributes"], json!([]));
    assert_eq!(p["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(p["UsernameConfiguration"], json!({ "CaseSensitive": true }));
    assert!(p["CreationDate"].as_f64().unwrap() > 1.6e9);

    // Alias and username attributes together are refused.
    let r = h
        .call(
            Operation::CreateUserPool,
            json!({ "PoolName": "p2", "AliasAttributes": ["email"], "UsernameAttributes": ["email"] }),
        )
        .await;
    assert_eq!(
        protocol::parse_error(&r.body, None).unwrap().error_type,
        "InvalidParameterException"
    );
    // Enum values and the required name are validated.
    h.call(Operation::CreateUserPool, json!({ "AliasAttributes": ["nickname"] }))
        .await
        .assert_error(
            "InvalidParameterException",
            "2 validation errors detected: \
             Value null at 'poolName' failed to satisfy constraint: Member must not be null; \
             Value '[nickname]' at 'aliasAttributes' failed to satisfy constraint: Member must \
             satisfy constraint: [Member must satisfy enum value set: [phone_number, email, preferred_username]]",
        );
}

#[tokio::test]
async fn create_client_and_delete_pool() {
    let h = Harness::start().await;
    let pool = h.create_pool(json!({})).await;
    let r = h
        .call(
            Operation::CreateUserPoolClient,
            json!({ "UserPoolId": pool, "ClientName": "c", "GenerateSecret": true }),
        )
        .await
        .assert_ok();
    let c = &r["UserPoolClient"];
    let id = c["ClientId"].as_str().unwrap();
    assert_eq!(id.len(), 26);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    let secret = c["ClientSecret"].as_str().unwrap();
    assert_eq!(secret.len(), 51);
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(c["PreventUserExistenceErrors"], "LEGACY");
    assert_eq!(c["UserPoolId"], pool.as_str());
    assert_eq!(c["ClientName"], "c");

    let (plain, no_secret) = h.create_client(&pool, json!({})).await;
    assert_eq!(no_secret, None);
    h.call(
        Operation::CreateUserPoolClient,
        json!({ "UserPoolId": pool, "ClientName": "c", "PreventUserExistenceErrors": "ON" }),
    )
    .await
    .assert_error(
        "InvalidParameterException",
        "1 validation error detected: Value 'ON' at 'preventUserExistenceErrors' failed to \
         satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]",
    );

    // Deleting the pool removes its clients.
    h.call(Operation::DeleteUserPool, json!({ "UserPoolId": pool }))
        .await
        .assert_ok();
    let msg = format!("User pool {pool} does not exist.");
    h.call(Operation::DeleteUserPool, json!({ "UserPoolId": pool }))
        .await
        .assert_error("ResourceNotFoundException", &msg);
    h.call(
        Operation::CreateUserPoolClient,
        json!({ "UserPoolId": pool, "ClientName": "c" }),
    )
    .await
    .assert_error("ResourceNotFoundException", &msg);
    h.confirm(json!({ "ClientId": plain, "Username": "a", "ConfirmationCode": "1" }))
        .await
        .assert_error(
            "ResourceNotFoundException",
            &format!("User pool client {plain} does not exist."),
        );
}

#[tokio::test]
async fn sign_up_password_policy() {
    let h = Harness::start().await;
    let f = h.fixture(json!({}), json!({})).await;
    for (password, problem) in [
        ("Aa1!", "Password not long enough"),
        ("PASSW0RD!", "Password must have lowercase characters"),
        ("passw0rd!", "Password must have uppercase characters"),
        ("Password!", "Password must have numeric characters"),
        ("Passw0rdd", "Password must have symbol characters"),
    ] {
        let mut body = sign_up_body(&f, "pat", json!([]));
        body["Password"] = json!(password);
        h.call(Operation::SignUp, body).await.assert_error(
            "InvalidPasswordException",
            &format!("Password did not conform with policy: {problem}"),
        );
    }
    h.sign_up(&f, "pat", json!([])).await;
}

/// SignUp reports a delivery only for an auto-verified attribute the user has: email → EMAIL,
/// phone_number → SMS (the phone when both are verified), none → no CodeDeliveryDetails;
/// the destination is masked.
#[tokio::test]
async fn sign_up_delivery_follows_auto_verified_attributes() {
    let h = Harness::start().await;
    let both = json!([
        { "Name": "email", "Value": "erin@example.com" },
        { "Name": "phone_number", "Value": "+15555550100" },
    ]);
    for (auto, user, expected) in [
        (
            json!(["email"]),
            "e1",
            Some(
                json!({ "Destination": "e***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" }),
            ),
        ),
        (
            json!(["phone_number"]),
            "p1",
            Some(
                json!({ "Destination": "+*******0100", "DeliveryMedium": "SMS", "AttributeName": "phone_number" }),
            ),
        ),
        (
            json!(["email", "phone_number"]),
            "b1",
            Some(
                json!({ "Destination": "+*******0100", "DeliveryMedium": "SMS", "AttributeName": "phone_number" }),
            ),
        ),
        (json!([]), "n1", None),
    ] {
        let f = h
            .fixture(json!({ "AutoVerifiedAttributes": auto }), json!({}))
            .await;
        let r = h
            .call(Operation::SignUp, sign_up_body(&f, user, both.clone()))
            .await
            .assert_ok();
        assert_eq!(r.get("CodeDeliveryDetails").cloned(), expected, "{auto}");
        // Either way the user holds a code the codes route gives.
        assert_eq!(h.code_of(&f.pool, user).await.len(), 6, "{auto}");
    }
}

#[tokio::test]
async fn sign_up_rules() {
    let h = Harness::start().await;
    let f = h
        .fixture(json!({ "AutoVerifiedAttributes": ["email"] }), json!({}))
        .await;
    // Delivery details, and none without an email or phone.
    let r = h
        .call(
            Operation::SignUp,
            sign_up_body(&f, "dana", email("dana@example.com")),
        )
        .await
        .assert_ok();
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({ "Destination": "d***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" })
    );
    let sub = r["UserSub"].as_str().unwrap();
    assert_eq!(sub.len(), 36);
    let r = h
        .call(Operation::SignUp, sign_up_body(&f, "noemail", json!([])))
        .await
        .assert_ok();
    assert!(r.get("CodeDeliveryDetails").is_none());
    // Even without a destination the user holds a testable code.
    assert_eq!(h.code_of(&f.pool, "noemail").await.len(), 6);
    // Taken username.
    h.call(Operation::SignUp, sign_up_body(&f, "dana", json!([])))
        .await
        .assert_error("UsernameExistsException", "User already exists");
    // AdminGetUser shows the sub and the unconfirmed state.
    let u = h.get_user(&f.pool, "dana").await;
    assert_eq!(attr(&u, "sub"), Some(sub));
    assert_eq!(u["UserStatus"], "UNCONFIRMED");
    assert!(u["UserCreateDate"].as_f64().is_some());

    // Secret clients.
    let (secret_client, _) = h
        .create_client(&f.pool, json!({ "GenerateSecret": true }))
        .await;
    let no_secret =
        format!("Client {secret_client} is configured for secret but secret was not received");
    for (client, ty, message) in [
        (
            secret_client.as_str(),
            "NotAuthorizedException",
            no_secret.as_str(),
        ),
        // Unknown client.
        (
            "nosuchclient",
            "ResourceNotFoundException",
            "User pool client nosuchclient does not exist.",
        ),
    ] {
        h.call(
            Operation::SignUp,
            json!({ "ClientId": client, "Username": "eve", "Password": "Passw0rd!" }),
        )
        .await
        .assert_error(ty, message);
    }

    // UsernameAttributes pools: the username must be an email or a phone, and unique.
    let ua = h
        .fixture(
            json!({ "UsernameAttributes": ["email", "phone_number"] }),
            json!({}),
        )
        .await;
    h.call(Operation::SignUp, sign_up_body(&ua, "plainname", json!([])))
        .await
        .assert_error(
            "InvalidParameterException",
            "Username should be either an email or a phone number.",
        );
    h.sign_up(&ua, "frank@example.com", json!([])).await;
    h.call(
        Operation::SignUp,
        sign_up_body(&ua, "frank@example.com", json!([])),
    )
    .await
    .assert_error("UsernameExistsException", "User already exists");
    let phone_sub = h.sign_up(&ua, "+15555550100", json!([])).await;
    let u = h.get_user(&ua.pool, "+15555550100").await;
    assert_eq!(u["Username"], phone_sub.as_str());
    assert_eq!(attr(&u, "phone_number"), Some("+15555550100"));

    // Alias pools: the username must not look like the alias.
    let alias = h
        .fixture(
            json!({ "AliasAttributes": ["email", "phone_number"] }),
            json!({}),
        )
        .await;
    for (username, message) in [
        ("gina@example.com", "Username should not be an email."),
        ("+15555550101", "Username should not be a phone number."),
    ] {
        h.call(Operation::SignUp, sign_up_body(&alias, username, json!([])))
            .await
            .assert_error("InvalidParameterException", message);
    }
}

#[tokio::test]
async fn admin_get_user_errors() {
    let h = Harness::start().await;
    let pool = h.create_pool(json!({})).await;
    for (pool, ty, message) in [
        (
            "us-east-1_nopool123",
            "ResourceNotFoundException",
            "User pool us-east-1_nopool123 does not exist.",
        ),
        (
            pool.as_str(),
            "UserNotFoundException",
            "User does not exist.",
        ),
    ] {
        h.call(
            Operation::AdminGetUser,
            json!({ "UserPoolId": pool, "Username": "a" }),
        )
        .await
        .assert_error(ty, message);
    }
}

#[tokio::test]
async fn codes_route() {
    let h = Harness::start().await;
    let f = h.fixture(json!({}), json!({})).await;
    let sub = h.sign_up(&f, "hal", email("hal@example.com")).await;
    let r = h.code(&f.pool, "hal").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    super::assert_request_id(&r.headers);
    assert_eq!(r.text(), h.code_of(&f.pool, &sub).await);
    assert_eq!(
        Some(r.text()),
        h.emu.emulator().current_code(&f.pool, "hal")
    );
    assert_eq!(h.code(&f.pool, "nobody").await.status, 404);
    assert_eq!(h.code("us-east-1_nopool123", "hal").await.status, 404);
    // No current code once confirmed.
    h.confirm(super::confirm_body(&f, "hal", &r.text()))
        .await
        .assert_ok();
    assert_eq!(h.code(&f.pool, "hal").await.status, 404);
}

#[tokio::test]
async fn seeded_emulators_generate_the_same_ids() {
    let config = || EmulatorConfig {
        region: "eu-west-1".into(),
        seed: Some(7),
        ..EmulatorConfig::default()
    };
    let mut seen = Vec::new();
    for _ in 0..2 {
        let h = Harness::start_with(config()).await;
        let f = h
            .fixture(json!({}), json!({ "GenerateSecret": true }))
            .await;
        let sub = h.sign_up(&f, "ivy", json!([])).await;
        let code = h.code_of(&f.pool, "ivy").await;
        assert!(f.pool.starts_with("eu-west-1_"));
        seen.push((f.pool, f.client, f.secret, sub, code));
        h.emu.shutdown().await;
    }
    assert_eq!(seen[0], seen[1]);
}
