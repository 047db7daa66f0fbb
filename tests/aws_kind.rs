//! Kind aws through the binary, against a fake Cognito on this machine standing in for a VPC
//! endpoint (an explicit endpoint wins over the region's): nothing is sent unsigned, and
//! without credentials nothing is sent at all. No request leaves 127.0.0.1.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;
use wiremock::MockServer;

use crate::support::fake::{aws, fake_cognito};
use crate::support::{bin, repo};

const SCENARIO: &str = "name: aws-kind\n\
    target: {kind: aws, region: us-east-1, codes: {command: \"printf 123456 # {username}\"}}\n\
    phases: [{vus: 1, rounds: 1, think_time: 1s}]\n\
    mix: {valid-code: 1}\n";

/// `cogbench run` of [`SCENARIO`] at `server`, with `env` as the only AWS configuration.
fn run(server: &MockServer, home: &Path, env: &[(&str, &str)]) -> Output {
    let file = home.join("aws.yaml");
    std::fs::write(&file, SCENARIO).unwrap();
    let mut cmd = Command::new(bin());
    cmd.args([
        "run",
        file.to_str().unwrap(),
        "--endpoint-url",
        &server.uri(),
        "--output-dir",
        home.join("reports").to_str().unwrap(),
    ])
    .current_dir(home);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_USE_FIPS_ENDPOINT",
        "AWS_USE_DUALSTACK_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied());
    cmd.output().expect("the binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_nothing_is_sent() {
    let server = fake_cognito(0, aws(200, json!({})), "CONFIRMED").await;
    let home = tempfile::tempdir().unwrap();
    let out = run(&server, home.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("none found") && stderr.contains("target kind aws refuses the unsigned"),
        "{stderr}"
    );
    let requests = server.received_requests().await.unwrap();
    assert!(requests.is_empty(), "{} requests sent", requests.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_credentials_every_iam_call_is_signed() {
    let server = fake_cognito(0, aws(200, json!({})), "CONFIRMED").await;
    let home = tempfile::tempdir().unwrap();
    let out = run(
        &server,
        home.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDCOGBENCHAWSKIND"),
            (
                "AWS_SECRET_ACCESS_KEY",
                "cogbench+AwsKind/Secret0Key1ForTests2xyz",
            ),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("cogbench+AwsKind/Secret0Key1"), "{stderr}");
    let requests = server.received_requests().await.unwrap();
    let target = |r: &wiremock::Request| {
        r.headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .trim_start_matches("AWSCognitoIdentityProviderService.")
            .to_owned()
    };
    let ops: Vec<String> = requests.iter().map(target).collect();
    for op in [
        "CreateUserPool",
        "CreateUserPoolClient",
        "AdminGetUser",
        "DeleteUserPool",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} never called: {ops:?}");
    }
    for r in &requests {
        let op = target(r);
        let signed = r.headers.contains_key("authorization");
        let public = matches!(
            op.as_str(),
            "SignUp" | "ConfirmSignUp" | "ResendConfirmationCode"
        );
        assert_eq!(signed, !public, "{op}");
    }
}

/// The shipped IAM policy allows exactly the calls cogbench signs, and the README shows it
/// as shipped.
#[test]
fn the_iam_policy_allows_exactly_the_signed_calls() {
    let text = std::fs::read_to_string(repo("deploy/aws/iam-policy.json")).unwrap();
    let policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut allowed: Vec<String> = Vec::new();
    for statement in policy["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow");
        match &statement["Action"] {
            serde_json::Value::String(a) => allowed.push(a.clone()),
            serde_json::Value::Array(a) => {
                allowed.extend(a.iter().map(|v| v.as_str().unwrap().to_owned()))
            }
            other => panic!("Action {other}"),
        }
    }
    allowed.sort();
    let mut signed: Vec<String> = cogbench::protocol::Operation::ALL
        .iter()
        .filter(|o| o.signed())
        .map(|o| format!("cognito-idp:{}", o.name()))
        .collect();
    signed.sort();
    assert_eq!(allowed, signed);
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```json\n{}```", text)),
        "README's policy differs from deploy/aws/iam-policy.json"
    );
}
