//! A fake Cognito on wiremock: provisioning answered correctly, ConfirmSignUp (and any other
//! operation) answered as a test says.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CT: &str = "application/x-amz-json-1.1";
const PREFIX: &str = "AWSCognitoIdentityProviderService.";

pub fn aws(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-amzn-RequestId", "2f1d7c8e-0000-4000-8000-000000000001")
        .set_body_raw(body.to_string(), CT)
}

/// Answers the set-up confirmations (provisioning CONFIRMED users) correctly, then `wrong`.
struct Confirm {
    setup: usize,
    seen: AtomicUsize,
    wrong: ResponseTemplate,
}

impl Respond for Confirm {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, Ordering::SeqCst) < self.setup {
            aws(200, json!({}))
        } else {
            self.wrong.clone()
        }
    }
}

/// A fake Cognito: correct provisioning, `wrong` for ConfirmSignUp and any other operation,
/// AdminGetUser reporting `status`.
pub async fn fake_cognito(
    setup_confirms: usize,
    wrong: ResponseTemplate,
    status: &str,
) -> MockServer {
    let server = MockServer::start().await;
    let op = |name: &str| header("x-amz-target", format!("{PREFIX}{name}").as_str());
    Mock::given(method("POST"))
        .and(op("CreateUserPool"))
        .respond_with(aws(200, json!({"UserPool": {"Id": "us-east-1_mock"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(op("CreateUserPoolClient"))
        .and(body_partial_json(json!({"GenerateSecret": true})))
        .respond_with(aws(200, json!({"UserPoolClient": {"ClientId": "mocksecretclient", "ClientSecret": "mock-client-secret-value"}})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(op("CreateUserPoolClient"))
        .respond_with(aws(
            200,
            json!({"UserPoolClient": {"ClientId": "mockpublicclient"}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(op("SignUp"))
        .respond_with(aws(
            200,
            json!({"UserConfirmed": false, "UserSub": "7d3c0c8e-1f5a-4a8e-9d55-2b8f1c0e6a11"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/_emulator/codes/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("123456"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(op("AdminGetUser"))
        .respond_with(aws(
            200,
            json!({"Username": "u", "UserStatus": status, "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(op("ResendConfirmationCode"))
        .respond_with(aws(200, json!({})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/_emulator/clock/advance"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(op("DeleteUserPool"))
        .respond_with(aws(200, json!({})))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Confirm {
            setup: setup_confirms,
            seen: AtomicUsize::new(0),
            wrong,
        })
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

/// Answers ConfirmSignUp with `responder`, ahead of `fake_cognito`'s own answer.
pub async fn answer_confirm_sign_up(server: &MockServer, responder: impl Respond + 'static) {
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            format!("{PREFIX}ConfirmSignUp").as_str(),
        ))
        .respond_with(responder)
        .with_priority(2)
        .mount(server)
        .await;
}
