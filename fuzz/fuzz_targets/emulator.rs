//! Any request to the embedded emulator: the first byte picks the operation, the rest is the
//! body. The answer must be 200 or a well-formed AWS error, and nothing may panic.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use cogbench::emulator::{Emulator, EmulatorConfig};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const OPERATIONS: [&str; 8] = [
    "ConfirmSignUp",
    "SignUp",
    "CreateUserPool",
    "CreateUserPoolClient",
    "AdminGetUser",
    "ResendConfirmationCode",
    "DeleteUserPool",
    "Unknown",
];

fuzz_target!(|data: &[u8]| {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    // One emulator for the whole run, so state built by earlier inputs (pools, clients,
    // users) meets later ones, as under load.
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    let rt = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    });
    let emulator = EMULATOR.get_or_init(|| Emulator::new(EmulatorConfig::default()));
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let op = OPERATIONS[usize::from(pick) % OPERATIONS.len()];
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(Body::from(body.to_vec()))
        .unwrap();
    rt.block_on(async {
        let response = emulator.router().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        if status != 200 {
            let value: serde_json_value::Value = serde_json_value::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("status {status}: not JSON ({e})"));
            assert!(
                value
                    .get("__type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| !t.is_empty()),
                "status {status}: no __type in {value}"
            );
        }
    });
});
