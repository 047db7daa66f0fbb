//! HTTP-level tests: a real emulator on an ephemeral port, driven by the project's reqwest client.

mod confirm;
mod faults;
mod pool_settings;
mod provisioning;
mod quota;
mod wire;

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::{EmulatorConfig, RunningEmulator, start};
use crate::protocol::{self, CONTENT_TYPE, HEADER_REQUEST_ID, Operation};

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a 400 AWS error of type `ty` whose message is `message`.
    #[track_caller]
    pub fn assert_error(&self, ty: &str, message: &str) {
        assert_eq!(self.status, 400, "status; body {}", self.text());
        let e = protocol::parse_error(&self.body, None).expect("an AWS error body");
        assert_eq!(e.error_type, ty, "type; body {}", self.text());
        assert_eq!(e.message.as_deref(), Some(message), "message");
        assert_eq!(
            self.json(),
            json!({ "__type": ty, "message": message }),
            "exact body"
        );
        assert_eq!(self.header("x-amzn-errortype"), Some(&*format!("{ty}:")));
        assert_eq!(self.header("x-amzn-errormessage"), Some(message));
        assert_eq!(self.header("content-type"), Some(CONTENT_TYPE));
        assert_request_id(&self.headers);
    }

    #[track_caller]
    pub fn assert_ok(&self) -> Value {
        assert_eq!(self.status, 200, "body {}", self.text());
        assert_eq!(self.header("content-type"), Some(CONTENT_TYPE));
        assert_request_id(&self.headers);
        self.json()
    }
}

#[track_caller]
pub fn assert_request_id(headers: &HeaderMap) {
    let id = headers
        .get(HEADER_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .expect("x-amzn-RequestId present");
    let b = id.as_bytes();
    assert_eq!(b.len(), 36, "{id}");
    assert!(
        b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        }) && b[14] == b'4',
        "{id}"
    );
}

/// A running emulator and a client for it. Dropping the harness stops the emulator (see
/// [`RunningEmulator`]), so a test needs no shutdown of its own unless shutdown is what it checks.
pub struct Harness {
    pub emu: RunningEmulator,
    pub http: reqwest::Client,
    pub base: String,
}

/// A pool and one client in it.
pub struct Fixture {
    pub pool: String,
    pub client: String,
    pub secret: Option<String>,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(EmulatorConfig::default()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> Harness {
        let emu = start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let base = emu.endpoint();
        let http = crate::client::build(&Default::default()).unwrap();
        Harness { emu, http, base }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.unwrap().to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `POST /` with the given target, content type and raw body.
    pub async fn raw(
        &self,
        target: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let mut req = self
            .http
            .post(format!("{}/", self.base))
            .body(body.to_vec());
        if let Some(t) = target {
            req = req.header("X-Amz-Target", t);
        }
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        self.send(req).await
    }

    /// A well-formed `POST /` for `op`, to send later (the concurrency tests send many at once).
    pub fn request(&self, op: Operation, body: &Value) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}/", self.base))
            .header("X-Amz-Target", op.target())
            .header("Content-Type", CONTENT_TYPE)
            .body(serde_json::to_vec(body).unwrap())
    }

    pub async fn call(&self, op: Operation, body: Value) -> Reply {
        self.send(self.request(op, &body)).await
    }

    pub async fn create_pool(&self, extra: Value) -> String {
        let mut body = json!({ "PoolName": "test-pool" });
        merge(&mut body, extra);
        let r = self.call(Operation::CreateUserPool, body).await.assert_ok();
        r["UserPool"]["Id"].as_str().unwrap().to_owned()
    }

    pub async fn create_client(&self, pool: &str, extra: Value) -> (String, Option<String>) {
        let mut body = json!({ "UserPoolId": pool, "ClientName": "test-client" });
        merge(&mut body, extra);
        let r = self
            .call(Operation::CreateUserPoolClient, body)
            .await
            .assert_ok();
        let c = &r["UserPoolClient"];
        (
            c["ClientId"].as_str().unwrap().to_owned(),
            c["ClientSecret"].as_str().map(str::to_owned),
        )
    }

    pub async fn fixture(&self, pool_extra: Value, client_extra: Value) -> Fixture {
        let pool = self.create_pool(pool_extra).await;
        let (client, secret) = self.create_client(&pool, client_extra).await;
        Fixture {
            pool,
            client,
            secret,
        }
    }

    /// Signs a user up (with the right SecretHash when the client has a secret); returns the sub.
    pub async fn sign_up(&self, f: &Fixture, username: &str, attributes: Value) -> String {
        let r = self
            .call(Operation::SignUp, sign_up_body(f, username, attributes))
            .await
            .assert_ok();
        assert_eq!(r["UserConfirmed"], false);
        r["UserSub"].as_str().unwrap().to_owned()
    }

    pub async fn code(&self, pool: &str, user: &str) -> Reply {
        self.send(
            self.http
                .get(format!("{}/_emulator/codes/{pool}/{user}", self.base)),
        )
        .await
    }

    pub async fn code_of(&self, pool: &str, user: &str) -> String {
        let r = self.code(pool, user).await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.text()
    }

    pub async fn advance(&self, query: &str) -> Reply {
        self.send(
            self.http
                .post(format!("{}/_emulator/clock/advance?{query}", self.base)),
        )
        .await
    }

    pub async fn confirm(&self, body: Value) -> Reply {
        self.call(Operation::ConfirmSignUp, body).await
    }

    /// Confirms `username` with `code`, asserting the exact success answer `{}`.
    pub async fn assert_confirms(&self, f: &Fixture, username: &str, code: &str) {
        let r = self.confirm(confirm_body(f, username, code)).await;
        assert_eq!(r.status, 200, "{username}: {}", r.text());
        assert_eq!(r.body, b"{}");
    }

    pub async fn resend(&self, client: &str, username: &str) -> Reply {
        self.call(
            Operation::ResendConfirmationCode,
            json!({ "ClientId": client, "Username": username }),
        )
        .await
    }

    pub async fn get_user(&self, pool: &str, username: &str) -> Value {
        self.call(
            Operation::AdminGetUser,
            json!({ "UserPoolId": pool, "Username": username }),
        )
        .await
        .assert_ok()
    }

    /// Reads `username` back and checks its status and its `email_verified` attribute
    /// (`None`: absent); returns the user for further checks.
    pub async fn assert_user(
        &self,
        pool: &str,
        username: &str,
        status: &str,
        email_verified: Option<&str>,
    ) -> Value {
        let user = self.get_user(pool, username).await;
        assert_eq!(user["UserStatus"], status, "{username}");
        assert_eq!(attr(&user, "email_verified"), email_verified, "{username}");
        user
    }
}

pub fn sign_up_body(f: &Fixture, username: &str, attributes: Value) -> Value {
    let mut body = json!({
        "ClientId": f.client,
        "Username": username,
        "Password": "Passw0rd!",
        "UserAttributes": attributes,
    });
    if let Some(s) = &f.secret {
        body["SecretHash"] = json!(protocol::secret_hash(s, username, &f.client));
    }
    body
}

/// A ConfirmSignUp body for `username` with `code`, with the SecretHash when needed.
pub fn confirm_body(f: &Fixture, username: &str, code: &str) -> Value {
    let mut body = json!({
        "ClientId": f.client,
        "Username": username,
        "ConfirmationCode": code,
    });
    if let Some(s) = &f.secret {
        body["SecretHash"] = json!(protocol::secret_hash(s, username, &f.client));
    }
    body
}

pub fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(into), Value::Object(extra)) = (into, extra) {
        into.extend(extra);
    }
}

/// An attribute's value from an AdminGetUser answer.
pub fn attr<'a>(user: &'a Value, name: &str) -> Option<&'a str> {
    user["UserAttributes"]
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
}

pub fn email(addr: &str) -> Value {
    json!([{ "Name": "email", "Value": addr }])
}
