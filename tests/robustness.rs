//! Hostile input: no scenario text panics the loader, no request panics the emulator (any
//! bytes in, a well-formed AWS error out), and the emulator stays exact under concurrency.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use cogbench::cases::Catalog;
use cogbench::emulator::{self, Emulator, EmulatorConfig};
use cogbench::scenario::{self, Overrides};
use proptest::prelude::*;
use serde_json::{Value, json};
use tower::ServiceExt;

fn parse(text: &str) {
    // Either a plan or a positioned error; a panic fails the property.
    let _ = scenario::parse(
        text,
        Path::new("fuzz.yaml"),
        Arc::new(Catalog::builtin()),
        &Overrides::default(),
    );
}

const SHIPPED: [&str; 3] = [
    include_str!("../scenarios/smoke.yaml"),
    include_str!("../scenarios/load-mixed.yaml"),
    include_str!("../scenarios/conformance.yaml"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_scenario_loader_never_panics_on_text(text in "\\PC{0,400}") {
        parse(&text);
    }

    #[test]
    fn the_scenario_loader_never_panics_on_mutated_scenarios(
        which in 0..SHIPPED.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..12),
    ) {
        let mut bytes = SHIPPED[which].as_bytes().to_vec();
        for (at, byte, kind) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn the_scenario_loader_never_panics_on_odd_values(
        key in prop::sample::select(vec!["vus", "rate", "duration", "iterations", "max_in_flight", "think_time", "stages", "start_rate", "reuse_limit", "fresh"]),
        value in prop::sample::select(vec!["-1", "0", "1e308", "NaN", ".inf", "99999999999999999999", "\"\"", "[]", "{}", "~", "10x", "1e-300s", "18446744073709551616"]),
    ) {
        parse(&format!("name: odd\nusers: {{fresh: 10}}\nphases: [{{executor: constant-vus, {key}: {value}, vus: 1, duration: 1s}}]\n"));
        parse(&format!("name: odd\nphases: [{{{key}: {value}}}]\n"));
        parse(&format!("name: odd\nusers: {{{key}: {value}}}\nphases: [{{vus: 1, rounds: 1}}]\n"));
    }
}

fn emulator() -> Emulator {
    Emulator::new(EmulatorConfig::default())
}

async fn answer(router: axum::Router, req: Request<Body>) -> (u16, Value) {
    let response = router
        .oneshot(req)
        .await
        .expect("the router always answers");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a whole body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_a_well_formed_aws_answer(
        op in prop::sample::select(vec!["ConfirmSignUp", "SignUp", "CreateUserPool", "CreateUserPoolClient", "AdminGetUser", "ResendConfirmationCode", "DeleteUserPool", "Nope", ""]),
        method in prop::sample::select(vec!["POST", "GET", "PUT"]),
        content_type in prop::sample::select(vec!["application/x-amz-json-1.1", "application/json", "text/plain", ""]),
        body in prop::collection::vec(any::<u8>(), 0..600),
        json_body in any::<bool>(),
        members in prop::collection::btree_map("[A-Za-z]{1,12}", "\\PC{0,20}", 0..6),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let body = if json_body {
            serde_json::to_vec(&members).unwrap()
        } else {
            body
        };
        let mut req = Request::builder()
            .method(method)
            .uri("/")
            .header("X-Amz-Target", format!("AWSCognitoIdentityProviderService.{op}"));
        if !content_type.is_empty() {
            req = req.header("Content-Type", content_type);
        }
        let (status, value) = rt.block_on(answer(emulator().router(), req.body(Body::from(body)).unwrap()));
        prop_assert!(status == 200 || (400..600).contains(&status), "status {}", status);
        if status != 200 {
            let ty = value.get("__type").and_then(Value::as_str);
            prop_assert!(ty.is_some_and(|t| !t.is_empty()), "an AWS error body: {}", value);
        }
    }
}

#[tokio::test]
async fn bodies_past_the_limit_are_refused() {
    let big = vec![b' '; 5 << 20];
    let req = Request::builder()
        .method("POST")
        .uri("/")
        .header(
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.ConfirmSignUp",
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(Body::from(big))
        .unwrap();
    let (status, value) = answer(emulator().router(), req).await;
    assert_eq!(status, 400);
    assert_eq!(value["__type"], "SerializationException");
}

async fn call(http: &reqwest::Client, base: &str, op: &str, body: Value) -> (u16, Value) {
    let r = http
        .post(base)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_confirms_of_a_hundred_users_succeed_exactly_a_hundred_times() {
    let emu = emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("{}/", emu.endpoint());
    let http = cogbench::client::build(&Default::default()).unwrap();
    let (_, pool) = call(&http, &base, "CreateUserPool", json!({"PoolName": "race"})).await;
    let pool = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let (_, client) = call(
        &http,
        &base,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c"}),
    )
    .await;
    let client = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut bodies = Vec::new();
    for i in 0..100 {
        let user = format!("racer{i}");
        let (status, _) = call(
            &http,
            &base,
            "SignUp",
            json!({"ClientId": client, "Username": user, "Password": "Passw0rd!-x",
                   "UserAttributes": [{"Name": "email", "Value": format!("{user}@example.com")}]}),
        )
        .await;
        assert_eq!(status, 200);
        let code = emu.emulator().current_code(&pool, &user).unwrap();
        for _ in 0..10 {
            bodies.push(json!({"ClientId": client, "Username": user, "ConfirmationCode": code}));
        }
    }
    let mut tasks = Vec::new();
    for body in bodies {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            call(&http, &base, "ConfirmSignUp", body).await
        }));
    }
    let (mut ok, mut already) = (0, 0);
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            400 if body["__type"] == "NotAuthorizedException" => already += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, already), (100, 900));
    for i in 0..100 {
        let (_, user) = call(
            &http,
            &base,
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": format!("racer{i}")}),
        )
        .await;
        assert_eq!(user["UserStatus"], "CONFIRMED");
    }
    emu.shutdown().await;
}
