//! `cogbench confirm-sign-up`: the seed's example against the embedded emulator, every option
//! of the AWS CLI synopsis, exit codes, TLS, timeouts, redaction and `--verdict`.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cogbench::emulator::{Emulator, EmulatorConfig};
use cogbench::protocol::Operation;
use cogbench::target::Api;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::bin;

/// Runs `cogbench confirm-sign-up ARGS` with a clean AWS environment plus `env`: no shared
/// config files, and AWS_DEFAULT_REGION us-east-1 unless `env` sets it (an empty value counts
/// as unset, as for the AWS CLI).
async fn cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(bin());
    cmd.arg("confirm-sign-up").args(args);
    for var in [
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
        "AWS_DEFAULT_OUTPUT",
        "AWS_CA_BUNDLE",
        "AWS_PROFILE",
        "COGBENCH_CLIENT_SECRET",
        "NO_COLOR",
        "COLUMNS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/cogbench-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/cogbench-test/credentials",
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("the command ends")
        .expect("the binary runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code")
}

/// An emulator with an email-verifying pool and one app client.
struct Pool {
    api: Api,
    endpoint: String,
    pool: String,
    client: String,
    secret: Option<String>,
    _emu: Option<cogbench::emulator::RunningEmulator>,
}

impl Pool {
    async fn on(endpoint: String, secret: bool) -> Pool {
        let http = cogbench::client::build(&Default::default()).unwrap();
        let api = Api::new(http, &endpoint);
        let p = api
            .call(
                Operation::CreateUserPool,
                &json!({"PoolName": "awscli", "AutoVerifiedAttributes": ["email"]}),
            )
            .await
            .unwrap();
        let pool = p["UserPool"]["Id"].as_str().unwrap().to_owned();
        let c = api
            .call(
                Operation::CreateUserPoolClient,
                &json!({"UserPoolId": pool, "ClientName": "cli", "GenerateSecret": secret}),
            )
            .await
            .unwrap();
        Pool {
            api,
            endpoint,
            pool,
            client: c["UserPoolClient"]["ClientId"].as_str().unwrap().to_owned(),
            secret: c["UserPoolClient"]["ClientSecret"]
                .as_str()
                .map(str::to_owned),
            _emu: None,
        }
    }

    async fn start(secret: bool) -> Pool {
        let emu =
            cogbench::emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
        let mut p = Pool::on(emu.endpoint(), secret).await;
        p._emu = Some(emu);
        p
    }

    /// Signs `username` up (its email is the username, or `<username>@example.com`) and
    /// returns its code.
    async fn sign_up(&self, username: &str) -> String {
        let email = if username.contains('@') {
            username.to_owned()
        } else {
            format!("{username}@example.com")
        };
        let mut body = json!({
            "ClientId": self.client,
            "Username": username,
            "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": email}],
        });
        if let Some(s) = &self.secret {
            body["SecretHash"] = json!(cogbench::protocol::secret_hash(s, username, &self.client));
        }
        self.api.call(Operation::SignUp, &body).await.unwrap();
        self.api.code(&self.pool, username).await.unwrap()
    }

    async fn status(&self, username: &str) -> String {
        let u = self
            .api
            .call(
                Operation::AdminGetUser,
                &json!({"UserPoolId": self.pool, "Username": username}),
            )
            .await
            .unwrap();
        u["UserStatus"].as_str().unwrap().to_owned()
    }
}

/// A server answering every request with `status` and `body` as Cognito would frame it.
async fn mock(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .insert_header("x-amzn-RequestId", "2f3a7c1e-0000-4000-8000-000000000001")
                .set_body_string(body),
        )
        .mount(&server)
        .await;
    server
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON body"))
        .collect()
}

const BASE: [&str; 6] = [
    "--client-id",
    "3n4b5urk1ft4fl3mg5e62d9ado",
    "--username",
    "diego@example.com",
    "--confirmation-code",
    "123456",
];

fn with<'a>(extra: &[&'a str], endpoint: &'a str) -> Vec<&'a str> {
    let mut v: Vec<&str> = BASE.to_vec();
    v.extend_from_slice(extra);
    v.extend_from_slice(&["--endpoint-url", endpoint]);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_example_confirms_once_then_is_not_authorized() {
    let p = Pool::start(false).await;
    let code_value = p.sign_up("diego@example.com").await;
    let args = [
        "--client-id",
        &p.client,
        "--username=diego@example.com",
        "--confirmation-code",
        &code_value,
        "--endpoint-url",
        &p.endpoint,
    ];
    let o = cli(&args, &[]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), "", "ConfirmSignUp's output is empty");
    assert_eq!(err(&o), "");
    assert_eq!(p.status("diego@example.com").await, "CONFIRMED");

    let o = cli(&args, &[]).await;
    assert_eq!(code(&o), 254, "{}", err(&o));
    assert_eq!(out(&o), "");
    assert!(
        err(&o).contains(
            "An error occurred (NotAuthorizedException) when calling the ConfirmSignUp \
             operation: User cannot be confirmed. Current status is CONFIRMED"
        ),
        "{}",
        err(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shorthand_and_json_forms_reach_the_wire() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    let o = cli(
        &with(
            &[
                "--force-alias-creation",
                "--analytics-metadata",
                "AnalyticsEndpointId=ep-1",
                "--user-context-data",
                "IpAddress=192.0.2.1,EncodedData=ZmluZ2VycHJpbnQ=",
                "--client-metadata",
                "source=cli,campaign='spring, 2026'",
            ],
            &uri,
        ),
        &[],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = cli(
        &with(
            &[
                "--no-force-alias-creation",
                "--analytics-metadata",
                r#"{"AnalyticsEndpointId": "ep-2"}"#,
                "--user-context-data",
                r#" {"IpAddress": "198.51.100.7", "EncodedData": "e30="}"#,
                "--client-metadata",
                r#"{"source": "json"}"#,
            ],
            &uri,
        ),
        &[],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let sent = bodies(&server).await;
    let base = json!({
        "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
        "Username": "diego@example.com",
        "ConfirmationCode": "123456",
    });
    let mut first = base.clone();
    first["ForceAliasCreation"] = json!(true);
    first["AnalyticsMetadata"] = json!({"AnalyticsEndpointId": "ep-1"});
    first["UserContextData"] = json!({"IpAddress": "192.0.2.1", "EncodedData": "ZmluZ2VycHJpbnQ="});
    first["ClientMetadata"] = json!({"source": "cli", "campaign": "spring, 2026"});
    let mut second = base;
    second["ForceAliasCreation"] = json!(false);
    second["AnalyticsMetadata"] = json!({"AnalyticsEndpointId": "ep-2"});
    second["UserContextData"] = json!({"IpAddress": "198.51.100.7", "EncodedData": "e30="});
    second["ClientMetadata"] = json!({"source": "json"});
    assert_eq!(sent, vec![first, second]);
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/");
    assert_eq!(r.headers["content-type"], "application/x-amz-json-1.1");
    assert_eq!(
        r.headers["x-amz-target"],
        "AWSCognitoIdentityProviderService.ConfirmSignUp"
    );
    assert!(r.headers.get("authorization").is_none(), "never signed");
}

/// What `aws cognito-idp confirm-sign-up` (aws-cli 1.45.11, botocore 1.43.11) sent for each
/// of these, read from its `--debug` log against a local emulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shorthand_with_spaces_and_session_reach_the_wire_as_the_aws_cli_sends_them() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    let session = "AYABeC1-session-from-sign-up-0123456789";
    let input_json = format!("{{\"Session\": \"{session}\"}}");
    let cases: Vec<(Vec<&str>, Value)> = vec![
        (
            vec!["--client-metadata", "k=a b"],
            json!({"ClientMetadata": {"k": "a b"}}),
        ),
        (
            vec!["--client-metadata", "k=\"a,b\",k2=c d"],
            json!({"ClientMetadata": {"k": "a,b", "k2": "c d"}}),
        ),
        (
            // `AnalyticsEndpointId=a\ b` as the shell passes it.
            vec!["--analytics-metadata", "AnalyticsEndpointId=a b"],
            json!({"AnalyticsMetadata": {"AnalyticsEndpointId": "a b"}}),
        ),
        (
            vec!["--user-context-data", "IpAddress=1.2.3.4, EncodedData=x y"],
            json!({"UserContextData": {"IpAddress": "1.2.3.4", "EncodedData": "x y"}}),
        ),
        (
            vec!["--client-metadata", "k=a,b=c=d"],
            json!({"ClientMetadata": {"k": "a", "b": "c=d"}}),
        ),
        (vec!["--session", session], json!({"Session": session})),
        (
            vec!["--cli-input-json", &input_json],
            json!({"Session": session}),
        ),
    ];
    for (extra, _) in &cases {
        let o = cli(&with(extra, &uri), &[]).await;
        assert_eq!(code(&o), 0, "{extra:?}: {}", err(&o));
    }
    let sent = bodies(&server).await;
    for ((extra, members), body) in cases.iter().zip(&sent) {
        let mut expected = json!({
            "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
            "Username": "diego@example.com",
            "ConfirmationCode": "123456",
        });
        for (k, v) in members.as_object().unwrap() {
            expected[k] = v.clone();
        }
        assert_eq!(body, &expected, "{extra:?}");
    }
    // The Session is a secret: --debug shows it as ***.
    let o = cli(&with(&["--session", session, "--debug"], &uri), &[]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("\"Session\":\"***\""), "{}", err(&o));
    assert!(!err(&o).contains(session), "{}", err(&o));
}

/// stderr and exit codes pinned from `aws` 1.45.11 (its exit code is 255 for all of these;
/// cogbench keeps AWS CLI v2's 252 for usage errors).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_print_the_aws_clis_bytes() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    for (extra, stderr) in [
        (
            vec!["--client-metadata", "k=v,k=w"],
            "\nError parsing parameter '--client-metadata': Second instance of key \"k\" \
             encountered for input:\nk=v,k=w\n    ^\nThis is often because there is a preceding \
             \",\" instead of a space.\n",
        ),
        (
            vec!["--session", "short"],
            "\nParameter validation failed:\nInvalid length for parameter Session, value: 5, \
             valid min length: 20\n",
        ),
        (
            vec!["--client-id", ""],
            "\nParameter validation failed:\nInvalid length for parameter ClientId, value: 0, \
             valid min length: 1\n",
        ),
    ] {
        let o = cli(&with(&extra, &uri), &[]).await;
        assert_eq!((code(&o), err(&o).as_str()), (252, stderr), "{extra:?}");
    }
    let o = cli(&with(&["--cli-input-json", r#"{"Session": 7}"#], &uri), &[]).await;
    assert_eq!(code(&o), 252);
    assert!(
        err(&o).contains("Invalid type for parameter Session, value: 7, type: <class 'int'>"),
        "{}",
        err(&o)
    );
    // The AWS CLI's prefix, without its `JSON received:` echo of a text holding the code.
    let o = cli(
        &[
            "--cli-input-json",
            r#"{"ConfirmationCode": "987654", oops}"#,
            "--endpoint-url",
            &uri,
        ],
        &[],
    )
    .await;
    assert_eq!(code(&o), 252);
    assert!(
        err(&o).starts_with("\nError parsing parameter 'cli-input-json': Invalid JSON: "),
        "{}",
        err(&o)
    );
    assert!(!err(&o).contains("987654"), "{}", err(&o));
    assert!(bodies(&server).await.is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_values_exit_252_and_send_nothing() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--bogus"], "--bogus"),
        (
            vec!["--analytics-metadata", "AnalyticsEndpointId"],
            "Error parsing parameter '--analytics-metadata': Expected: '=', received: 'EOF'",
        ),
        (
            vec!["--client-metadata", "{not json"],
            "Error parsing parameter '--client-metadata': Invalid JSON",
        ),
        (
            vec!["--user-context-data", "IpAddress=1,Port=2"],
            "Unknown parameter in UserContextData: \"Port\", must be one of: IpAddress, EncodedData",
        ),
        (
            vec!["--analytics-metadata", "AnalyticsEndpointId=a,b"],
            "Invalid type for parameter AnalyticsMetadata.AnalyticsEndpointId, value: ['a', 'b']",
        ),
        (
            vec!["--client-secret", "s", "--secret-hash", "h"],
            "cannot be used together",
        ),
        (vec!["--query", "foo["], "Bad value for --query foo["),
        (vec!["--output", "yaml"], "yaml"),
        (vec!["--cli-read-timeout", "-1"], "-1"),
        (vec!["--color", "sometimes"], "sometimes"),
        (vec!["--generate-cli-skeleton", "yaml"], "yaml"),
    ];
    for (extra, expect) in cases {
        let o = cli(&with(&extra, &uri), &[]).await;
        assert_eq!(code(&o), 252, "{extra:?}: {}", err(&o));
        assert!(err(&o).contains(expect), "{extra:?}: {}", err(&o));
    }
    // Required options: only the missing ones are named.
    let o = cli(&["--client-id", "c", "--endpoint-url", &uri], &[]).await;
    assert_eq!(code(&o), 252);
    assert!(
        err(&o).contains("the following arguments are required: --username, --confirmation-code"),
        "{}",
        err(&o)
    );
    // An empty value is refused client-side, as botocore refuses it (min length 1).
    let o = cli(&with(&["--username", ""], &uri), &[]).await;
    assert_eq!(code(&o), 252);
    assert!(
        err(&o).contains("Invalid length for parameter Username, value: 0, valid min length: 1")
    );
    assert!(bodies(&server).await.is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_input_json_is_overridden_by_the_command_line() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.json");
    std::fs::write(
        &file,
        r#"{"ClientId": "from-file", "Username": "file-user", "ConfirmationCode": "111111",
            "ForceAliasCreation": true, "ClientMetadata": {"k": "file"}}"#,
    )
    .unwrap();
    let file_arg = format!("file://{}", file.display());
    let o = cli(
        &[
            "--cli-input-json",
            &file_arg,
            "--username",
            "cli-user",
            "--no-force-alias-creation",
            "--endpoint-url",
            &uri,
        ],
        &[],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let inline = r#"{"ClientId": "inline", "Username": "u", "ConfirmationCode": "222222"}"#;
    let o = cli(
        &[
            "--cli-input-json",
            inline,
            "--confirmation-code",
            "333333",
            "--endpoint-url",
            &uri,
        ],
        &[],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        bodies(&server).await,
        vec![
            json!({"ClientId": "from-file", "Username": "cli-user", "ConfirmationCode": "111111",
                   "ForceAliasCreation": false, "ClientMetadata": {"k": "file"}}),
            json!({"ClientId": "inline", "Username": "u", "ConfirmationCode": "333333"}),
        ]
    );
    // Missing and mistyped members are caught before sending, with botocore's messages.
    let o = cli(
        &[
            "--cli-input-json",
            r#"{"ClientId": "c", "Username": 7, "Extra": 1}"#,
            "--endpoint-url",
            &uri,
        ],
        &[],
    )
    .await;
    assert_eq!(code(&o), 252);
    for line in [
        "Parameter validation failed:",
        "Missing required parameter in input: \"ConfirmationCode\"",
        "Invalid type for parameter Username, value: 7, type: <class 'int'>, valid types: <class 'str'>",
        "Unknown parameter in input: \"Extra\"",
    ] {
        assert!(err(&o).contains(line), "{line}: {}", err(&o));
    }
    assert_eq!(
        bodies(&server).await.len(),
        2,
        "the invalid input was not sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skeletons_and_queries_send_nothing() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    let o = cli(&["--generate-cli-skeleton", "--endpoint-url", &uri], &[]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    // `aws cognito-idp confirm-sign-up --generate-cli-skeleton input` (aws-cli 1.45.11).
    assert_eq!(
        out(&o),
        r#"{
    "ClientId": "",
    "SecretHash": "",
    "Username": "",
    "ConfirmationCode": "",
    "ForceAliasCreation": true,
    "AnalyticsMetadata": {
        "AnalyticsEndpointId": ""
    },
    "UserContextData": {
        "IpAddress": "",
        "EncodedData": ""
    },
    "ClientMetadata": {
        "KeyName": ""
    },
    "Session": ""
}
"#
    );
    let o2 = cli(&["--generate-cli-skeleton", "input"], &[]).await;
    assert_eq!(out(&o2), out(&o));

    // The skeleton round-trips through --cli-input-json once filled in.
    let filled = out(&o)
        .replace("\"ClientId\": \"\"", "\"ClientId\": \"c1\"")
        .replace("\"SecretHash\": \"\"", "\"SecretHash\": \"aGFzaA==\"")
        .replace("\"Username\": \"\"", "\"Username\": \"u1\"")
        .replace(
            "\"ConfirmationCode\": \"\"",
            "\"ConfirmationCode\": \"123456\"",
        )
        .replace(
            "\"Session\": \"\"",
            "\"Session\": \"AYABeC1-twenty-chars-or-more\"",
        );
    let o = cli(&["--cli-input-json", &filled, "--endpoint-url", &uri], &[]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(bodies(&server).await.len(), 1);

    // output: the options are validated, the empty output shape prints nothing as json.
    let o = cli(&with(&["--generate-cli-skeleton", "output"], &uri), &[]).await;
    assert_eq!((code(&o), out(&o).as_str()), (0, ""), "{}", err(&o));
    let o = cli(
        &["--generate-cli-skeleton", "output", "--endpoint-url", &uri],
        &[],
    )
    .await;
    assert_eq!(code(&o), 252, "output validates the command's inputs");
    for (query, format, expect) in [
        ("keys(@)", "json", "[]\n"),
        ("Session", "json", "null\n"),
        ("Session", "text", "None\n"),
        ("Session", "table", ""),
        ("@", "json", ""),
        ("length(@)", "text", "0\n"),
    ] {
        let o = cli(
            &with(
                &[
                    "--generate-cli-skeleton",
                    "output",
                    "--query",
                    query,
                    "--output",
                    format,
                ],
                &uri,
            ),
            &[],
        )
        .await;
        assert_eq!(code(&o), 0, "{query}: {}", err(&o));
        assert_eq!(out(&o), expect, "--query {query} --output {format}");
    }
    assert_eq!(bodies(&server).await.len(), 1, "skeletons send nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_formats_query_and_color() {
    let session = "AYABeC1-abcdefghijklmnopqrstuvwxyz";
    let server = mock(200, &format!(r#"{{"Session":"{session}"}}"#)).await;
    let uri = server.uri();
    let o = cli(&with(&[], &uri), &[]).await;
    assert_eq!(out(&o), format!("{{\n    \"Session\": \"{session}\"\n}}\n"));
    let o = cli(&with(&["--output", "text"], &uri), &[]).await;
    assert_eq!(out(&o), format!("{session}\n"));
    let o = cli(&with(&[], &uri), &[("AWS_DEFAULT_OUTPUT", "text")]).await;
    assert_eq!(out(&o), format!("{session}\n"), "AWS_DEFAULT_OUTPUT");
    let o = cli(&with(&["--query", "Session"], &uri), &[]).await;
    assert_eq!(out(&o), format!("\"{session}\"\n"));
    let o = cli(&with(&["--output", "table", "--color", "off"], &uri), &[]).await;
    let table = out(&o);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert!(
        lines[1].contains("ConfirmSignUp") && lines[3].contains("Session"),
        "{table}"
    );
    assert!(lines[3].contains(session), "{table}");
    assert!(!table.contains('\x1b'));
    let o = cli(&with(&["--output", "table", "--color", "on"], &uri), &[]).await;
    assert!(
        out(&o).contains(&format!("\x1b[1m\x1b[34m{session}\x1b[0m")),
        "{:?}",
        out(&o)
    );
    // auto: not a terminal here (and NO_COLOR set), so no colour.
    let o = cli(&with(&["--output", "table"], &uri), &[("NO_COLOR", "1")]).await;
    assert_eq!(out(&o), table);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_without_code_hash_or_secret() {
    let p = Pool::start(true).await;
    let secret = p.secret.clone().expect("a secret client");
    let user = "dana";
    let code_value = p.sign_up(user).await;
    let hash = cogbench::protocol::secret_hash(&secret, user, &p.client);
    let args = [
        "--client-id",
        &p.client,
        "--username",
        user,
        "--confirmation-code",
        &code_value,
        "--endpoint-url",
        &p.endpoint,
        "--debug",
    ];
    // The secret from the environment; cogbench computes the SecretHash.
    let o = cli(&args, &[("COGBENCH_CLIENT_SECRET", &secret)]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let log = err(&o);
    assert!(log.contains("cogbench debug: request body:"), "{log}");
    assert!(log.contains("\"ConfirmationCode\":\"***\""), "{log}");
    assert!(log.contains("\"SecretHash\":\"***\""), "{log}");
    assert!(log.contains("response: HTTP 200"), "{log}");
    for hidden in [&code_value, &secret, &hash] {
        assert!(!log.contains(hidden.as_str()), "{hidden} leaked:\n{log}");
    }
    assert_eq!(p.status(user).await, "CONFIRMED");

    // The secret as an option, on a second user; a wrong secret is refused by the service.
    let code2 = p.sign_up("erin").await;
    let mut args2 = args.to_vec();
    args2[3] = "erin";
    args2[5] = &code2;
    let o = cli(
        &[&args2[..], &["--client-secret", "wrong-secret"]].concat(),
        &[],
    )
    .await;
    assert_eq!(code(&o), 254, "{}", err(&o));
    assert!(err(&o).contains("(NotAuthorizedException)"), "{}", err(&o));
    assert!(!err(&o).contains("wrong-secret") && !err(&o).contains(&code2));
    let o = cli(&[&args2[..], &["--client-secret", &secret]].concat(), &[]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!err(&o).contains(&secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_global_option_is_accepted() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile someone]\nregion = eu-central-1\n").unwrap();
    let config = config.display().to_string();
    let o = cli(
        &with(
            &[
                "--debug",
                "--no-verify-ssl",
                "--no-paginate",
                "--output",
                "json",
                "--query",
                "@",
                "--profile",
                "someone",
                "--region",
                "us-east-1",
                "--color",
                "off",
                "--no-sign-request",
                "--cli-read-timeout",
                "5",
                "--cli-connect-timeout",
                "0",
            ],
            &uri,
        ),
        &[("AWS_CONFIG_FILE", &config)],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), "");
    for note in [
        "cogbench debug: profile someone (from --profile)",
        "cogbench debug: region us-east-1 (from --region)",
    ] {
        assert!(err(&o).contains(note), "{note}: {}", err(&o));
    }
    let o = cli(&["--version"], &[]).await;
    assert_eq!(code(&o), 0);
    assert_eq!(out(&o), format!("cogbench {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(bodies(&server).await.len(), 1);
}

/// `--debug --generate-cli-skeleton output`: resolves the profile, region and endpoint as a
/// request would, prints them, and sends nothing, so a test can see the AWS endpoint that
/// would be used without contacting it.
async fn dry_run(extra: &[&str], env: &[(&str, &str)]) -> Output {
    let args = [
        &BASE[..],
        &["--generate-cli-skeleton", "output", "--debug"],
        extra,
    ]
    .concat();
    cli(&args, env).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_and_regions_come_from_options_then_environment() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    // AWS_ENDPOINT_URL is used without --endpoint-url.
    let o = cli(&BASE, &[("AWS_ENDPOINT_URL", &uri)]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[default]\nregion = ca-central-1\n").unwrap();
    let config = config.display().to_string();
    // Without an endpoint, the region's AWS endpoint: named, never contacted here.
    for (args, env, region, from) in [
        (
            vec!["--region", "eu-west-1"],
            vec![],
            "eu-west-1",
            "--region",
        ),
        (
            vec!["--region", "sa-east-1"],
            vec![("AWS_REGION", "eu-west-3")],
            "sa-east-1",
            "--region",
        ),
        (
            vec![],
            vec![
                ("AWS_REGION", "eu-west-3"),
                ("AWS_DEFAULT_REGION", "ap-south-1"),
            ],
            "eu-west-3",
            "AWS_REGION",
        ),
        (
            vec![],
            vec![("AWS_DEFAULT_REGION", "ap-south-1")],
            "ap-south-1",
            "AWS_DEFAULT_REGION",
        ),
        (
            vec![],
            vec![("AWS_DEFAULT_REGION", ""), ("AWS_CONFIG_FILE", &config)],
            "ca-central-1",
            "the region of profile default",
        ),
    ] {
        let o = dry_run(&args, &env).await;
        assert_eq!(
            (code(&o), out(&o).as_str()),
            (0, ""),
            "{region}: {}",
            err(&o)
        );
        let line = format!(
            "cogbench debug: endpoint https://cognito-idp.{region}.amazonaws.com/ (from the region's AWS endpoint)"
        );
        assert!(err(&o).lines().any(|l| l == line), "{region}: {}", err(&o));
        assert!(err(&o).contains(&format!("region {region} (from {from})")));
        assert!(err(&o).contains("nothing sent"), "{}", err(&o));
        assert!(!err(&o).contains("POST"), "{}", err(&o));
    }
    // `aws` (1.45.11) without any region, even with an endpoint: these exact bytes.
    let no_region = "You must specify a region. You can also configure your region by running \"aws configure\".\n";
    for env in [
        vec![("AWS_DEFAULT_REGION", "")],
        vec![
            ("AWS_DEFAULT_REGION", ""),
            ("AWS_ENDPOINT_URL", uri.as_str()),
        ],
    ] {
        let o = cli(&BASE, &env).await;
        assert_eq!(code(&o), 253, "{}", err(&o));
        assert_eq!(err(&o), no_region);
    }
    let o = cli(&with(&[], &uri), &[("AWS_DEFAULT_REGION", "")]).await;
    assert_eq!((code(&o), err(&o).as_str()), (253, no_region));
    let o = cli(&BASE, &[("AWS_REGION", "not a region")]).await;
    assert_eq!(code(&o), 253, "{}", err(&o));
    assert_eq!(bodies(&server).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_host_is_an_endpoint() {
    let server = mock(200, "{}").await;
    let port = server.address().port();
    // `localhost` is a name like any other: it reaches this very server.
    let by_name = format!("http://localhost:{port}");
    let o = cli(&with(&[], &by_name), &[]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = cli(&BASE, &[("AWS_ENDPOINT_URL", &by_name)]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(bodies(&server).await.len(), 2);
    // Other hosts are accepted too; seen here without sending.
    for (url, used) in [
        (
            "https://cognito.example.com/base",
            "https://cognito.example.com/base/",
        ),
        ("http://192.0.2.10:9229", "http://192.0.2.10:9229/"),
        ("http://[2001:db8::1]/", "http://[2001:db8::1]/"),
    ] {
        let o = dry_run(&["--endpoint-url", url], &[]).await;
        assert_eq!(code(&o), 0, "{url}: {}", err(&o));
        let line = format!("cogbench debug: endpoint {used} (from --endpoint-url)");
        assert!(err(&o).lines().any(|l| l == line), "{url}: {}", err(&o));
    }
    // run's rules for an endpoint: the AWS CLI's usage code, nothing sent.
    for (url, why) in [
        ("ftp://127.0.0.1/", "must start with http:// or https://"),
        (
            "http://user:hunter2@127.0.0.1/",
            "must not carry a user name or password",
        ),
        (
            "http://127.0.0.1/?x=1",
            "must not carry a query or fragment",
        ),
    ] {
        let o = cli(&with(&[], url), &[]).await;
        assert_eq!(code(&o), 252, "{url}: {}", err(&o));
        assert!(err(&o).contains(why), "{url}: {}", err(&o));
        assert!(!err(&o).contains("hunter2"), "{}", err(&o));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_must_exist() {
    let server = mock(200, "{}").await;
    let uri = server.uri();
    // `aws` (1.45.11) prints these bytes; the exit code is AWS CLI v2's (255).
    let missing = "\nThe config profile (nosuch) could not be found\n";
    let o = cli(&with(&["--profile", "nosuch"], &uri), &[]).await;
    assert_eq!((code(&o), err(&o).as_str()), (255, missing));
    let o = cli(&with(&[], &uri), &[("AWS_PROFILE", "nosuch")]).await;
    assert_eq!((code(&o), err(&o).as_str()), (255, missing));
    // A profile only in the credentials file exists.
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(&credentials, "[nosuch]\naws_access_key_id = AKIDEXAMPLE\n").unwrap();
    let credentials = credentials.display().to_string();
    let o = cli(
        &with(&["--profile", "nosuch"], &uri),
        &[("AWS_SHARED_CREDENTIALS_FILE", &credentials)],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].headers.get("authorization").is_none(),
        "still unsigned"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out_quickly() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            open.push(s); // accepted, read never, answered never
        }
    });
    let url = format!("http://{addr}/");
    let started = Instant::now();
    let o = cli(&with(&["--cli-read-timeout", "1", "--verdict"], &url), &[]).await;
    let took = started.elapsed();
    assert_eq!(code(&o), 255, "{}", err(&o));
    assert!(
        err(&o).contains(&format!("Read timeout on endpoint URL: \"{url}\"")),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("verdict: not judged"), "{}", err(&o));
    assert!(took < Duration::from_secs(8), "took {took:?}");
    held.abort();
    // A closed port: refused at once.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let o = cli(&with(&["--cli-connect-timeout", "1"], &url), &[]).await;
    assert_eq!(code(&o), 255);
    assert!(
        err(&o).contains("Could not connect to the endpoint URL"),
        "{}",
        err(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verdicts_name_the_case_or_the_shape() {
    let p = Pool::start(false).await;
    let user = "frank";
    p.sign_up(user).await;
    let args = |codev: &'static str| {
        vec![
            "--client-id".to_owned(),
            p.client.clone(),
            "--username".into(),
            user.into(),
            "--confirmation-code".into(),
            codev.into(),
            "--endpoint-url".into(),
            p.endpoint.clone(),
            "--verdict".into(),
        ]
    };
    let run = |a: Vec<String>| async move {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        cli(&refs, &[]).await
    };
    // Decided by the request alone: judged against the catalog case code-pattern.
    let o = run(args("12 34")).await;
    assert_eq!(
        code(&o),
        254,
        "the service error; the verdict passed: {}",
        err(&o)
    );
    assert!(
        err(&o).contains("(InvalidParameterException)"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("verdict: pass, against catalog case `code-pattern`"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("time: "), "{}", err(&o));
    // Depends on state: judged on shape, with the consistent cases named.
    let o = run(args("000000")).await;
    assert_eq!(code(&o), 254, "{}", err(&o));
    assert!(
        err(&o).contains("verdict: pass, against the documented shape"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("wrong-code"), "{}", err(&o));
    // A non-conforming answer fails the verdict: exit 1.
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let o = cli(&with(&["--verdict"], &server.uri()), &[]).await;
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(err(&o).contains("verdict: FAIL"), "{}", err(&o));
    assert!(
        err(&o).contains("content type: expected application/x-amz-json-1.1"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("x-amzn-RequestId: expected present"),
        "{}",
        err(&o)
    );
}

/// A TLS listener for `axum::serve`: the handshake happens in `accept`; failed handshakes
/// (a client refusing the certificate) are skipped.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// One emulator served on plain HTTP (for provisioning) and on HTTPS with a self-signed
/// certificate for 127.0.0.1; returns (plain URL, https URL, the certificate's PEM).
pub(crate) async fn tls_emulator() -> (String, String, String) {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    let emulator = Emulator::new(EmulatorConfig::default());
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain_url = format!("http://{}", plain.local_addr().unwrap());
    tokio::spawn(axum::serve(plain, emulator.router()).into_future());
    let tls = TlsListener {
        tcp: tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    };
    let tls_url = format!("https://{}/", tls.tcp.local_addr().unwrap());
    tokio::spawn(axum::serve(tls, emulator.router()).into_future());
    (plain_url, tls_url, cert.cert.pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_self_signed_certificate() {
    let (plain, https, pem) = tls_emulator().await;
    let p = Pool::on(plain, false).await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, &pem).unwrap();
    let other = dir.path().join("other.pem");
    let stranger = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    std::fs::write(&other, stranger.cert.pem()).unwrap();
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let confirm = |user: &str, code_value: &str, extra: &[&str]| {
        let mut a: Vec<String> = [
            "--client-id",
            &p.client,
            "--username",
            user,
            "--confirmation-code",
            code_value,
            "--endpoint-url",
            &https,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>, env: Vec<(&'static str, String)>| async move {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cli(&refs, &env).await
    };

    let c1 = p.sign_up("tls-one").await;
    let o = run(confirm("tls-one", &c1, &[]), vec![]).await;
    assert_eq!(code(&o), 255, "an unknown issuer is refused: {}", err(&o));
    assert!(err(&o).contains("SSL validation failed for"), "{}", err(&o));
    let o = run(
        confirm("tls-one", &c1, &["--ca-bundle", other.to_str().unwrap()]),
        vec![],
    )
    .await;
    assert_eq!(
        code(&o),
        255,
        "another certificate does not help: {}",
        err(&o)
    );
    assert_eq!(p.status("tls-one").await, "UNCONFIRMED");

    let o = run(confirm("tls-one", &c1, &["--no-verify-ssl"]), vec![]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(p.status("tls-one").await, "CONFIRMED");

    let c2 = p.sign_up("tls-two").await;
    let o = run(
        confirm("tls-two", &c2, &["--ca-bundle", bundle.to_str().unwrap()]),
        vec![],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(p.status("tls-two").await, "CONFIRMED");

    let c3 = p.sign_up("tls-three").await;
    let env = vec![("AWS_CA_BUNDLE", bundle.display().to_string())];
    let o = run(confirm("tls-three", &c3, &[]), env).await;
    assert_eq!(code(&o), 0, "AWS_CA_BUNDLE: {}", err(&o));

    for path in [not_pem.to_str().unwrap(), "/nonexistent/ca.pem"] {
        let o = run(confirm("tls-three", &c3, &["--ca-bundle", path]), vec![]).await;
        assert_eq!(code(&o), 253, "{path}: {}", err(&o));
        assert!(err(&o).contains("--ca-bundle"), "{}", err(&o));
    }
}

/// Answers with what it was sent: as an error message, or (2xx) as JSON members and as text.
struct EchoBack {
    status: u16,
    json: bool,
}

impl wiremock::Respond for EchoBack {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let sent = String::from_utf8_lossy(&request.body).into_owned();
        let parsed: Value = serde_json::from_str(&sent).unwrap_or(Value::Null);
        let body = match (self.status, self.json) {
            (200..=299, true) => json!({
                "Echo": sent,
                "Parsed": parsed,
                "Code": parsed["ConfirmationCode"].as_str().and_then(|c| c.parse::<u64>().ok()),
            })
            .to_string(),
            (200..=299, false) => format!("not json: {sent}"),
            _ => json!({"__type": "CodeMismatchException", "message": format!("you sent {sent}")})
                .to_string(),
        };
        ResponseTemplate::new(self.status)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .insert_header("x-amzn-RequestId", "2f3a7c1e-0000-4000-8000-000000000001")
            .set_body_string(body)
    }
}

async fn echo_server(status: u16, json: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(EchoBack { status, json })
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_a_target_echoes_are_masked_in_every_output() {
    let secret = "SUPERSECRETVALUE";
    let hash = cogbench::protocol::secret_hash(secret, "u", "abc");
    let base = [
        "--client-id",
        "abc",
        "--username",
        "u",
        "--confirmation-code",
        "987654",
        "--client-secret",
        secret,
    ];
    let assert_masked = |o: &Output, what: &str| {
        let all = format!("{}{}", out(o), err(o));
        for hidden in ["987654", secret, hash.as_str()] {
            assert!(!all.contains(hidden), "{what}: {hidden} leaked:\n{all}");
        }
        // The JSON escape of the hash's `/` and `+` too.
        assert!(!all.contains(&hash.replace('/', "\\/")), "{what}:\n{all}");
    };

    // The hostile tester's repro: an error message quoting the request.
    let server = echo_server(400, true).await;
    let uri = server.uri();
    let args = [&base[..], &["--endpoint-url", &uri, "--verdict", "--debug"]].concat();
    let o = cli(&args, &[]).await;
    assert!(err(&o).contains("(CodeMismatchException)"), "{}", err(&o));
    assert!(
        err(&o).contains("\"ConfirmationCode\":\"***\""),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("verdict:"), "{}", err(&o));
    assert_masked(&o, "error line");

    // A 2xx echoing it, in every output format and through queries.
    let server = echo_server(200, true).await;
    let uri = server.uri();
    for extra in [
        &["--output", "json"][..],
        &["--output", "text"],
        &["--output", "table"],
        &["--query", "Echo"],
        &["--query", "Parsed.ConfirmationCode"],
        &["--query", "[Parsed.SecretHash, Code]"],
        &["--query", "join('', [Echo, Parsed.ConfirmationCode])"],
        &["--query", "keys(Parsed)", "--verdict", "--debug"],
    ] {
        let args = [&base[..], extra, &["--endpoint-url", &uri]].concat();
        let o = cli(&args, &[]).await;
        // 1: the verdict fails an answer with members ConfirmSignUp has not.
        let expected = if extra.contains(&"--verdict") { 1 } else { 0 };
        assert_eq!(code(&o), expected, "{extra:?}: {}", err(&o));
        assert_masked(&o, &format!("{extra:?}"));
    }
    let o = cli(
        &[&base[..], &["--output", "json", "--endpoint-url", &uri]].concat(),
        &[],
    )
    .await;
    assert!(
        out(&o).contains("\"ConfirmationCode\": \"***\""),
        "{}",
        out(&o)
    );

    // A 2xx that is not JSON: the parse error quotes the body.
    let server = echo_server(200, false).await;
    let uri = server.uri();
    let o = cli(&[&base[..], &["--endpoint-url", &uri]].concat(), &[]).await;
    assert_eq!(code(&o), 255, "{}", err(&o));
    assert_masked(&o, "unparsable answer");

    // A code too short to mask in free text is masked where it stands quoted.
    let server = echo_server(400, true).await;
    let uri = server.uri();
    let o = cli(
        &[
            "--client-id",
            "abc",
            "--username",
            "u",
            "--confirmation-code",
            "12",
            "--endpoint-url",
            &uri,
            "--debug",
        ],
        &[],
    )
    .await;
    assert_eq!(code(&o), 254, "{}", err(&o));
    assert!(!err(&o).contains("\"12\""), "{}", err(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_an_answer_not_followed() {
    let elsewhere = mock(200, "{}").await;
    let redirecting = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/", elsewhere.uri())),
        )
        .mount(&redirecting)
        .await;
    let o = cli(&with(&["--verdict"], &redirecting.uri()), &[]).await;
    assert!(
        elsewhere
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "the request was re-sent to the redirect's target"
    );
    assert_eq!(bodies(&redirecting).await.len(), 1);
    assert!(err(&o).contains("An error occurred (307)"), "{}", err(&o));
    assert!(!err(&o).contains("verdict: pass"), "{}", err(&o));
    assert_ne!(code(&o), 0, "{}", err(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeply_nested_query_is_a_bad_query_not_a_stack_overflow() {
    let server = mock(200, "{}").await;
    for query in ["[".repeat(20_000), format!("{}a", "!".repeat(30_000))] {
        let o = cli(&with(&["--query", &query], &server.uri()), &[]).await;
        assert_eq!(code(&o), 252, "{}", err(&o));
        assert!(err(&o).contains("nested too deeply"), "{}", err(&o));
    }
    assert!(
        bodies(&server).await.is_empty(),
        "a bad query sends nothing"
    );

    let o = std::process::Command::new(bin())
        .args([
            "run",
            "scenarios/smoke.yaml",
            "--query",
            &"[".repeat(100_000),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("nested too deeply"), "{}", err(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_shorthand_is_a_bad_value_not_a_stack_overflow() {
    let server = mock(200, "{}").await;
    let deep = format!("k={}", "[".repeat(4960));
    for extra in [
        &["--client-metadata", deep.as_str()][..],
        &["--user-context-data", deep.as_str()],
        &[
            "--client-metadata",
            deep.as_str(),
            "--generate-cli-skeleton",
            "input",
        ],
    ] {
        let o = cli(&with(extra, &server.uri()), &[]).await;
        assert_eq!(code(&o), 252, "{extra:?}: {}", err(&o));
        assert!(
            err(&o).starts_with("\nError parsing parameter '--")
                && err(&o).contains("nested too deeply"),
            "{}",
            err(&o)
        );
        assert!(!err(&o).contains("overflow"), "{}", err(&o));
    }
    assert!(
        bodies(&server).await.is_empty(),
        "a bad value sends nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_list_for_a_map_option_is_refused_as_the_aws_cli_refuses_it() {
    let server = mock(200, "{}").await;
    let o = cli(&with(&["--client-metadata", "[1]"], &server.uri()), &[]).await;
    assert_eq!(code(&o), 252, "{}", err(&o));
    // `aws` 1.45.11's stderr, byte for byte.
    assert_eq!(
        err(&o),
        "\nError parsing parameter '--client-metadata': Invalid JSON:\n[1]\n"
    );
    // An unreadable `@=` file: the AWS CLI's words, without the parameter prefix (the cause
    // is in Rust's words, not Python's).
    let o = cli(
        &with(
            &["--client-metadata", "k@=file:///nonexistent/cogbench-test"],
            &server.uri(),
        ),
        &[],
    )
    .await;
    assert_eq!(code(&o), 252, "{}", err(&o));
    assert!(
        err(&o).starts_with("\nUnable to load paramfile file:///nonexistent/cogbench-test: "),
        "{}",
        err(&o)
    );
    assert!(bodies(&server).await.is_empty());
}

/// Echoes every string of the request it was sent with each character as a `\uXXXX` escape,
/// as a JSON writer may: in an error message, or (2xx) in members ConfirmSignUp has not.
struct EscapedEcho {
    status: u16,
}

fn escaped(text: &str) -> String {
    text.encode_utf16().map(|u| format!("\\u{u:04X}")).collect()
}

impl wiremock::Respond for EscapedEcho {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let member = |name: &str| escaped(sent[name].as_str().unwrap_or_default());
        let said = format!(
            "code {} session {} hash {}",
            member("ConfirmationCode"),
            member("Session"),
            member("SecretHash")
        );
        let body = if (200..300).contains(&self.status) {
            format!(
                r#"{{"Echo":"{said}","Code":"{}"}}"#,
                member("ConfirmationCode")
            )
        } else {
            format!(r#"{{"__type":"CodeMismatchException","message":"{said}"}}"#)
        };
        ResponseTemplate::new(self.status)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .set_body_string(body)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_a_target_echoes_json_escaped_are_masked_in_debug_and_verdict() {
    let (code_sent, session, secret) = ("Kq7Zp9", "SESSIONxyz0123456789abc", "CLIENTsecretXYZ");
    let hash = cogbench::protocol::secret_hash(secret, "u", "abc");
    for status in [400, 200] {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(EscapedEcho { status })
            .mount(&server)
            .await;
        let uri = server.uri();
        let o = cli(
            &[
                "--client-id",
                "abc",
                "--username",
                "u",
                "--confirmation-code",
                code_sent,
                "--session",
                session,
                "--client-secret",
                secret,
                "--endpoint-url",
                &uri,
                "--debug",
                "--verdict",
            ],
            &[],
        )
        .await;
        let all = format!("{}{}", out(&o), err(&o));
        // The stub did echo them: the debug body and the verdict quote the answer.
        assert!(all.contains("response body: {"), "{all}");
        assert!(all.contains("observed "), "{all}");
        for hidden in [code_sent, session, secret, hash.as_str()] {
            for form in [
                hidden.to_owned(),
                escaped(hidden),
                escaped(hidden).to_lowercase(),
                escaped(hidden).replace('\\', "\\\\"),
            ] {
                assert!(
                    !all.contains(&form),
                    "{status}: {hidden} leaked as {form}:\n{all}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_region_gets_the_aws_clis_sentence_then_where_it_came_from() {
    let o = dry_run(&["--region", "bad region"], &[]).await;
    assert_eq!(code(&o), 253, "{}", err(&o));
    assert_eq!(
        err(&o),
        "\nProvided region_name 'bad region' doesn't match a supported format.\n\
         (the region is from --region)\n"
    );
}
