//! SigV4 end to end through the binary: credentials from the child's environment or a profile
//! file, a fake Cognito recording every request. The provisioning and admin calls are signed
//! (and the signature recomputed independently), the public operations never are, and
//! `--no-sign-request` turns it all off. The child sees none of this machine's AWS
//! configuration, and instance metadata is off besides.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;
use wiremock::matchers::{header as has_header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::fake::{aws, fake_cognito};
use crate::support::sigv4::{Authorization, Key, authorization};
use crate::support::{bin, repo};

pub(crate) const AKID: &str = "AKIDCOGBENCHENV";
pub(crate) const SECRET: &str = "cogbench+Env/Secret0Key1ForSigningTests2xyz";
pub(crate) const TOKEN: &str = "cogbench-session-token/FwoGZXIvYXdzEXAMPLE+42";

pub(crate) const SIGNED: [&str; 4] = [
    "CreateUserPool",
    "CreateUserPoolClient",
    "AdminGetUser",
    "DeleteUserPool",
];
const UNSIGNED: [&str; 2] = ["SignUp", "ConfirmSignUp"];

/// `cogbench run` on one valid confirmation (provisioning, SignUp, ConfirmSignUp, an
/// AdminGetUser read-back, DeleteUserPool) against `server`, with `env` as the only AWS
/// configuration: `home` holds the (possibly absent) shared files.
fn run(server: &MockServer, home: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    run_at(&server.uri(), home, extra, env)
}

/// As [`run`], against any endpoint.
fn run_at(uri: &str, home: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let out = home.join("reports");
    let mut args = vec![
        "run",
        "scenarios/conformance.yaml",
        "--endpoint-url",
        uri,
        "--region",
        "us-east-1",
        "--cases",
        "valid-code",
        "--output-dir",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    isolated(home, env)
        .args(&args)
        .output()
        .expect("the binary runs")
}

/// cogbench in the repository, with `env` as its only AWS configuration: `home` holds the
/// (possibly absent) shared files, and instance metadata is off.
pub(crate) fn isolated(home: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(repo(""));
    isolate(&mut cmd, home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// The child sees none of this machine's AWS configuration: every `AWS_*` variable is
/// removed, HOME and the shared files point into `home`, and instance metadata is off
/// (a test that wants it points it at its own stub).
fn isolate(cmd: &mut Command, home: &Path) {
    for (var, _) in std::env::vars_os() {
        if var.to_string_lossy().starts_with("AWS_")
            || var.to_string_lossy().starts_with("COGBENCH_")
        {
            cmd.env_remove(var);
        }
    }
    cmd.env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
}

/// The run passed (exit 0) and said `needle` on its way.
fn assert_passed_saying(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(0), "{}", text(o));
    assert!(text(o).contains(needle), "{}", text(o));
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub(crate) async fn fake() -> MockServer {
    fake_cognito(0, aws(200, json!({})), "CONFIRMED").await
}

/// The Cognito operation a request called, from its `X-Amz-Target`.
pub(crate) fn operation(r: &Request) -> Option<&str> {
    r.headers
        .get("x-amz-target")?
        .to_str()
        .ok()?
        .strip_prefix("AWSCognitoIdentityProviderService.")
}

fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

pub(crate) fn is_signed(r: &Request) -> bool {
    ["authorization", "x-amz-date", "x-amz-security-token"]
        .iter()
        .any(|h| r.headers.contains_key(*h))
}

/// Every operation in `ops` was called at least once.
pub(crate) fn called<'a>(requests: &'a [Request], ops: &[&str]) -> Vec<&'a Request> {
    for op in ops {
        assert!(
            requests.iter().any(|r| operation(r) == Some(op)),
            "{op} was never called"
        );
    }
    requests
        .iter()
        .filter(|r| operation(r).is_some_and(|o| ops.contains(&o)))
        .collect()
}

/// Checks one signed request's Authorization against `access_key` and recomputes its
/// signature from the recorded method, path, headers and body with the reference signer.
pub(crate) fn verify(r: &Request, access_key: &str, secret: &str, token: Option<&str>) {
    let op = operation(r).unwrap_or("?");
    let value = header(r, "authorization").unwrap_or_else(|| panic!("{op}: no Authorization"));
    let auth = Authorization::parse(value).unwrap_or_else(|| panic!("{op}: {value}"));
    let amz_date = header(r, "x-amz-date").unwrap_or_else(|| panic!("{op}: no X-Amz-Date"));
    assert_eq!(amz_date.len(), 16, "{amz_date}");
    assert_eq!(auth.access_key, access_key, "{op}");
    assert_eq!(auth.date, amz_date[..8], "{op}");
    assert_eq!(
        (auth.region.as_str(), auth.service.as_str()),
        ("us-east-1", "cognito-idp")
    );
    assert_eq!(header(r, "x-amz-security-token"), token, "{op}");
    let mut want = vec!["content-type", "host", "x-amz-date", "x-amz-target"];
    if token.is_some() {
        want.insert(3, "x-amz-security-token");
    }
    assert_eq!(auth.signed_headers, want, "{op}");
    assert!(
        auth.signature.len() == 64
            && auth
                .signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{op}: {}",
        auth.signature
    );
    let signed: Vec<(&str, &str)> = auth
        .signed_headers
        .iter()
        .map(|name| {
            let v = header(r, name).unwrap_or_else(|| panic!("{op}: {name} signed, not sent"));
            (name.as_str(), v)
        })
        .collect();
    let expected = authorization(
        &Key::new(access_key, secret, "us-east-1", "cognito-idp"),
        amz_date,
        r.method.as_str(),
        r.url.path(),
        &signed,
        &r.body,
    );
    assert_eq!(value, expected, "{op}: the signature does not recompute");
}

/// No output, report or debug line holds the secret key or the session token.
fn assert_no_secrets(o: &Output, dir: &Path) {
    let all = text(o);
    for secret in [SECRET, TOKEN] {
        assert!(!all.contains(secret), "a secret in the output:\n{all}");
    }
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let s = String::from_utf8_lossy(&bytes);
        for secret in [SECRET, TOKEN] {
            assert!(!s.contains(secret), "a secret in {}", entry.display());
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                files.extend(walk(&p));
            } else {
                files.push(p);
            }
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_credentials_sign_provisioning_and_admin_calls_only() {
    let server = fake().await;
    let home = tempfile::tempdir().unwrap();
    let o = run(
        &server,
        home.path(),
        &["--debug"],
        &[
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ],
    );
    assert_passed_saying(&o, "with credentials from environment variables");
    let requests = server.received_requests().await.unwrap();
    for r in called(&requests, &SIGNED) {
        verify(r, AKID, SECRET, Some(TOKEN));
    }
    for r in called(&requests, &UNSIGNED) {
        assert!(
            !is_signed(r),
            "{:?} was signed: {:?}",
            operation(r),
            r.headers
        );
    }
    // The side routes (codes) are no Cognito operation: unsigned too.
    assert!(
        requests
            .iter()
            .filter(|r| operation(r).is_none())
            .all(|r| !is_signed(r))
    );
    assert_no_secrets(&o, home.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_sign_request_signs_nothing() {
    let server = fake().await;
    let home = tempfile::tempdir().unwrap();
    let o = run(
        &server,
        home.path(),
        &["--no-sign-request", "--debug"],
        &[
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("\"signing\": \"off (--no-sign-request)\""));
    let requests = server.received_requests().await.unwrap();
    called(&requests, &SIGNED);
    assert!(requests.iter().all(|r| !is_signed(r)));
    assert_no_secrets(&o, home.path());
}

/// `--profile` takes that profile's keys from the shared credentials file, over the
/// environment's (as the AWS CLI); without credentials anywhere calls go unsigned, silently
/// on a target that is not AWS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_are_read_from_the_shared_files() {
    let home = tempfile::tempdir().unwrap();
    let profile_secret = "cogbench/Profile+Secret9Key8ForSigningTests7";
    std::fs::write(
        home.path().join("credentials"),
        format!(
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = other\n\n\
             [ci]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = {profile_secret}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join("config"),
        "[profile ci]\nregion = eu-west-1\n",
    )
    .unwrap();

    let server = fake().await;
    let o = run(
        &server,
        home.path(),
        &["--profile", "ci"],
        &[
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("(profile ci)"), "{}", text(&o));
    let requests = server.received_requests().await.unwrap();
    for r in called(&requests, &SIGNED) {
        verify(r, "AKIDPROFILE", profile_secret, None);
    }
    assert!(!text(&o).contains(profile_secret));

    // A profile that is not there: said, and unsigned, since this target is no AWS endpoint.
    let server = fake().await;
    let o = run(&server, home.path(), &["--profile", "nosuch"], &[]);
    assert_passed_saying(&o, "warning");
    assert!(text(&o).contains("nosuch"), "{}", text(&o));
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !is_signed(r)));

    // No credentials anywhere: unsigned, and nothing to say to an emulator.
    let empty = tempfile::tempdir().unwrap();
    let server = fake().await;
    let o = run(&server, empty.path(), &[], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("credentials"), "{}", text(&o));
    let requests = server.received_requests().await.unwrap();
    called(&requests, &SIGNED);
    assert!(requests.iter().all(|r| !is_signed(r)));
}

/// Temporary credentials as the metadata services give them, valid for six hours.
fn metadata_credentials(access_key: &str, secret: &str, token: &str) -> serde_json::Value {
    let expiry = std::time::SystemTime::now() + std::time::Duration::from_secs(6 * 3600);
    json!({
        "Code": "Success",
        "LastUpdated": cogbench::time::rfc3339_utc(std::time::SystemTime::now()),
        "Type": "AWS-HMAC",
        "AccessKeyId": access_key,
        "SecretAccessKey": secret,
        "Token": token,
        "Expiration": cogbench::time::rfc3339_utc(expiry),
    })
}

/// An IMDSv2 stub on loopback: a session token for a PUT carrying a TTL, the role's name and
/// credentials only for GETs carrying that token (anything else: 404, i.e. no credentials).
async fn imds_stub(access_key: &str, secret: &str, token: &str) -> MockServer {
    let imds = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/latest/api/token"))
        .and(wiremock::matchers::header_exists(
            "x-aws-ec2-metadata-token-ttl-seconds",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
                .set_body_string("imds-session-token"),
        )
        .mount(&imds)
        .await;
    let with_token = || has_header("x-aws-ec2-metadata-token", "imds-session-token");
    Mock::given(method("GET"))
        .and(path("/latest/meta-data/iam/security-credentials/"))
        .and(with_token())
        .respond_with(ResponseTemplate::new(200).set_body_string("cogbench-role"))
        .mount(&imds)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/latest/meta-data/iam/security-credentials/cogbench-role",
        ))
        .and(with_token())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(metadata_credentials(access_key, secret, token).to_string()),
        )
        .mount(&imds)
        .await;
    imds
}

/// Instance metadata answers when nothing earlier in the chain does: the admin calls are
/// signed with the role's temporary keys, the session token included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_metadata_credentials_sign_admin_calls() {
    let (akid, secret) = (
        "ASIAIMDSCOGBENCH",
        "imds/Secret+Key0ForSigningTests1abcdefgh",
    );
    let imds = imds_stub(akid, secret, TOKEN).await;
    let server = fake().await;
    let home = tempfile::tempdir().unwrap();
    let o = run(
        &server,
        home.path(),
        &["--debug"],
        &[
            ("AWS_EC2_METADATA_DISABLED", "false"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.uri()),
        ],
    );
    assert_passed_saying(&o, "with credentials from instance metadata (IMDSv2)");
    let asked = imds.received_requests().await.unwrap();
    assert!(
        asked.iter().any(|r| r.method.as_str() == "PUT"),
        "no token PUT: {asked:?}"
    );
    let requests = server.received_requests().await.unwrap();
    for r in called(&requests, &SIGNED) {
        verify(r, akid, secret, Some(TOKEN));
    }
    for r in called(&requests, &UNSIGNED) {
        assert!(!is_signed(r), "{:?} was signed", operation(r));
    }
    assert_no_secrets(&o, home.path());
    assert!(!text(&o).contains(secret));

    // Disabled, the same stub is not asked and the calls go unsigned.
    let imds = imds_stub(akid, secret, TOKEN).await;
    let server = fake().await;
    let o = run(
        &server,
        home.path(),
        &[],
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.uri())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(imds.received_requests().await.unwrap().is_empty());
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !is_signed(r)));
}

/// The container endpoint (EKS Pod Identity style: a full URI and a token file) answers only
/// with the authorization token; its keys sign the admin calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_credentials_sign_admin_calls() {
    let (akid, secret) = (
        "ASIACONTAINERCOGB",
        "container/Secret+Key0ForSigningTests1abcd",
    );
    let auth_token = "pod-identity-token-for-cogbench-tests";
    let stub = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/credentials"))
        .and(has_header("authorization", auth_token))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(metadata_credentials(akid, secret, TOKEN).to_string()),
        )
        .mount(&stub)
        .await;
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("pod-token");
    std::fs::write(&token_file, auth_token).unwrap();
    let full_uri = format!("{}/v1/credentials", stub.uri());
    let server = fake().await;
    let o = run(
        &server,
        home.path(),
        &[],
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token_file.to_str().unwrap(),
            ),
        ],
    );
    assert_passed_saying(
        &o,
        "with credentials from the container credentials endpoint",
    );
    let requests = server.received_requests().await.unwrap();
    for r in called(&requests, &SIGNED) {
        verify(r, akid, secret, Some(TOKEN));
    }
    assert!(!text(&o).contains(secret) && !text(&o).contains(auth_token));
    assert_no_secrets(&o, home.path());

    // A wrong token (ECS style, in the variable) is refused by the stub: no credentials, said
    // as a warning on this loopback target, and the calls go unsigned.
    let server = fake().await;
    let o = run(
        &server,
        home.path(),
        &[],
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-the-token"),
        ],
    );
    assert_passed_saying(&o, "container credentials endpoint");
    assert!(!text(&o).contains("not-the-token"), "{}", text(&o));
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !is_signed(r)));
}

/// `cogbench emulator --require-signature` with keys, as a child process whose environment
/// holds only the emulator's keys; killed when dropped.
struct StrictEmulator(crate::support::Emulator);

impl StrictEmulator {
    fn start(home: &Path, access_key: &str, secret: &str, token: Option<&str>) -> StrictEmulator {
        use std::io::BufRead;
        let mut cmd = Command::new(bin());
        cmd.args([
            "emulator",
            "--port",
            "0",
            "--require-signature",
            "--signing-access-key-id",
            access_key,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
        isolate(&mut cmd, home);
        cmd.env("COGBENCH_EMULATOR_SECRET_ACCESS_KEY", secret);
        if let Some(t) = token {
            cmd.env("COGBENCH_EMULATOR_SESSION_TOKEN", t);
        }
        let mut child = cmd.spawn().expect("the emulator starts");
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("a first line").expect("readable");
        std::thread::spawn(move || lines.for_each(drop));
        assert!(
            first.contains("signatures required and verified") && !first.contains(secret),
            "{first}"
        );
        let endpoint = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in `{first}`"))
            .to_owned();
        StrictEmulator(crate::support::Emulator { child, endpoint })
    }
}

/// cogbench's signatures are checked by the emulator with `--require-signature`: the run
/// with the right keys passes; unsigned, or signed with a wrong secret or another key, its
/// provisioning is refused with AWS's error for each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_emulator_accepts_cogbench_signatures_and_refuses_others() {
    let home = tempfile::tempdir().unwrap();
    let emulator = StrictEmulator::start(home.path(), AKID, SECRET, Some(TOKEN));
    let endpoint = emulator.0.endpoint.clone();
    let keys = |akid, secret| {
        vec![
            ("AWS_ACCESS_KEY_ID", akid),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_SESSION_TOKEN", TOKEN),
        ]
    };
    let o = run_at(&endpoint, home.path(), &[], &keys(AKID, SECRET));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_no_secrets(&o, home.path());

    for (extra, env, error) in [
        (
            vec!["--no-sign-request"],
            keys(AKID, SECRET),
            "MissingAuthenticationTokenException",
        ),
        (
            vec![],
            keys(AKID, "wrong/Secret+Key0ForSigningTests1abcdefghij"),
            "InvalidSignatureException",
        ),
        (
            vec![],
            keys("AKIDSOMEONEELSE", SECRET),
            "UnrecognizedClientException",
        ),
    ] {
        let o = run_at(&endpoint, home.path(), &extra, &env);
        assert_ne!(o.status.code(), Some(0), "{}", text(&o));
        assert!(text(&o).contains(error), "{error}: {}", text(&o));
        assert!(!text(&o).contains(SECRET) && !text(&o).contains(TOKEN));
    }
}

/// A profile with `role_arn` and `credential_source = EcsContainer` (refused before): the
/// container's keys sign the AssumeRole call to a loopback STS stub (`AWS_ENDPOINT_URL_STS`,
/// with `AWS_ENDPOINT_URL` besides so that nothing can fall back to AWS), whose role keys sign
/// the admin calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_can_take_its_source_credentials_from_the_container() {
    let (base_akid, base_secret) = (
        "ASIACONTAINERBASE",
        "container/Base+Key0ForSigningTests1abcdefg",
    );
    let (role_akid, role_secret) = (
        "ASIAROLECOGBENCH",
        "role/Secret+Key0ForSigningTests1abcdefghij",
    );
    let container = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            metadata_credentials(base_akid, base_secret, "base-token").to_string(),
        ))
        .mount(&container)
        .await;
    let expiry = cogbench::time::rfc3339_utc(
        std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
    );
    let sts = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
                 <Credentials><AccessKeyId>{role_akid}</AccessKeyId><SecretAccessKey>{role_secret}</SecretAccessKey>\
                 <SessionToken>{TOKEN}</SessionToken><Expiration>{expiry}</Expiration></Credentials>\
                 <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/cogbench/s</Arn>\
                 <AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>\
                 <ResponseMetadata><RequestId>c0ffee00-0000-4000-8000-000000000001</RequestId></ResponseMetadata>\
                 </AssumeRoleResponse>"
            ),
            "text/xml",
        ))
        .mount(&sts)
        .await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config"),
        "[profile from-container]\nrole_arn = arn:aws:iam::123456789012:role/cogbench\n\
         credential_source = EcsContainer\nregion = us-east-1\n",
    )
    .unwrap();
    let server = fake().await;
    let full_uri = format!("{}/v1/credentials", container.uri());
    let o = run(
        &server,
        home.path(),
        &["--profile", "from-container"],
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri),
            ("AWS_ENDPOINT_URL_STS", &sts.uri()),
            ("AWS_ENDPOINT_URL", &sts.uri()),
        ],
    );
    assert_passed_saying(&o, "(profile from-container)");
    let assumed = sts.received_requests().await.unwrap();
    assert_eq!(assumed.len(), 1, "{assumed:?}");
    let by = header(&assumed[0], "authorization").unwrap_or_default();
    assert!(by.contains(&format!("Credential={base_akid}/")), "{by}");
    let requests = server.received_requests().await.unwrap();
    for r in called(&requests, &SIGNED) {
        verify(r, role_akid, role_secret, Some(TOKEN));
    }
    assert!(!text(&o).contains(role_secret) && !text(&o).contains(base_secret));
}

/// `run` as [`run`] with `env`, killed and failed if it has not exited within `limit` (a
/// generous bound for a loaded machine: the faults below hang forever or eat memory for
/// tens of seconds without the checks).
fn run_within(
    server: &MockServer,
    home: &Path,
    env: &[(&str, &str)],
    limit: std::time::Duration,
) -> Output {
    let out = home.join("reports");
    let mut cmd = isolated(home, env);
    cmd.args([
        "run",
        "scenarios/conformance.yaml",
        "--endpoint-url",
        &server.uri(),
        "--region",
        "us-east-1",
        "--cases",
        "valid-code",
        "--output-dir",
        out.to_str().unwrap(),
    ])
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("the binary runs");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(limit) {
        Ok(output) => output.expect("the binary's output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("cogbench run did not exit within {limit:?}");
        }
    }
}

const PROMPT: std::time::Duration = std::time::Duration::from_secs(20);

/// A FIFO as the shared config file (and a directory as the credentials file) is never
/// opened: said as a warning naming the variable, the run goes on unsigned instead of
/// blocking for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_config_file_is_not_opened() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("config");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    std::fs::create_dir(home.path().join("credentials")).unwrap();
    let server = fake().await;
    let o = run_within(&server, home.path(), &[], PROMPT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    assert!(
        said.contains("AWS_CONFIG_FILE") && said.contains("not a regular file"),
        "{said}"
    );
    assert!(
        said.contains("AWS_SHARED_CREDENTIALS_FILE") && said.contains("is a directory"),
        "{said}"
    );
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !is_signed(r)));
}

/// Token files that are devices are refused before any read: the provider fails with a
/// message naming the variable and the path (a warning on this loopback target), quickly.
/// The container endpoint named is never asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_token_files_are_refused_unread() {
    let home = tempfile::tempdir().unwrap();
    let stub = MockServer::start().await;
    let full_uri = format!("{}/ok", stub.uri());
    let server = fake().await;
    for (env, says) in [
        (
            [
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/dev/zero"),
            ],
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: /dev/zero is not a regular file",
        ),
        (
            [
                ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/cogbench"),
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "/dev/zero"),
            ],
            "AWS_WEB_IDENTITY_TOKEN_FILE: /dev/zero is not a regular file",
        ),
    ] {
        let o = run_within(&server, home.path(), &env, PROMPT);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let said = text(&o);
        assert!(said.contains(says), "{said}");
    }
    assert!(stub.received_requests().await.unwrap().is_empty());
}

/// A token file ending in a newline cannot be a header: said naming the file, never
/// quoting the token (the SDK's own message would).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_with_a_newline_is_never_printed() {
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("pod-token");
    std::fs::write(&token_file, "TOKFILESECRET\n").unwrap();
    let stub = MockServer::start().await;
    let full_uri = format!("{}/ok", stub.uri());
    let server = fake().await;
    let o = run_within(
        &server,
        home.path(),
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token_file.to_str().unwrap(),
            ),
        ],
        PROMPT,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    assert!(!said.contains("TOKFILESECRET"), "{said}");
    assert!(
        said.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") && said.contains("line break"),
        "{said}"
    );
    assert!(stub.received_requests().await.unwrap().is_empty());
}

/// A loopback HTTP server answering every request with a chunked body that never ends
/// (until the client goes away); its URL.
async fn endless_body_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Transfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = b"4000\r\n".to_vec();
                chunk.extend(std::iter::repeat_n(b'{', 0x4000));
                chunk.extend_from_slice(b"\r\n");
                while socket.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    url
}

/// Credential servers that never stop sending are cut off at the body bound: the provider
/// fails promptly with a message saying so (a warning on this loopback target), instead of
/// reading until its timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_credential_bodies_are_cut_off() {
    let endless = endless_body_server().await;
    let home = tempfile::tempdir().unwrap();
    let server = fake().await;
    let full_uri = format!("{endless}/creds");
    let o = run_within(
        &server,
        home.path(),
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"),
        ],
        PROMPT,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("larger than 64 KiB"), "{}", text(&o));

    let o = run_within(
        &server,
        home.path(),
        &[
            ("AWS_EC2_METADATA_DISABLED", "false"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endless),
        ],
        PROMPT,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !is_signed(r)));
}

/// Instance metadata that trickles its answer a byte at a time is given up after the
/// documented bound (2 s a request), not the SDK's 10 s: well under 8 s in all, with
/// the run's own start-up. A server error is said by its status, never by quoting the
/// server's headers and body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_metadata_is_bounded_and_summarised() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trickle = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
                let _ = socket.write_all(head.as_bytes()).await;
                for _ in 0..100 {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    if socket.write_all(b"x").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let home = tempfile::tempdir().unwrap();
    let server = fake().await;
    let env = [
        ("AWS_EC2_METADATA_DISABLED", "false"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", trickle.as_str()),
    ];
    let o = run_within(
        &server,
        home.path(),
        &env,
        std::time::Duration::from_secs(8),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let imds = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/latest/api/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
                .set_body_string("imds-session-token"),
        )
        .mount(&imds)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("x-server-chosen", "SERVERHEADER")
                .set_body_string("SERVERBODY\u{1b}[31m"),
        )
        .mount(&imds)
        .await;
    let uri = imds.uri();
    let env = [
        ("AWS_EC2_METADATA_DISABLED", "false"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", uri.as_str()),
    ];
    let o = run_within(&server, home.path(), &env, PROMPT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    assert!(said.contains("code: 500"), "{said}");
    assert!(
        !said.contains("SERVERHEADER") && !said.contains("SERVERBODY"),
        "{said}"
    );
}

/// Credentials that expired before they were given are said, once, with their expiry; on
/// this loopback target the calls are still signed (an emulator ignores the date).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_container_credentials_are_said() {
    let mut body = metadata_credentials("ASIAEXPIREDCOGB", "expired/Secret+Key0ForTests", TOKEN);
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    body["Expiration"] = json!(cogbench::time::rfc3339_utc(past));
    let stub = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body.to_string()))
        .mount(&stub)
        .await;
    let home = tempfile::tempdir().unwrap();
    let server = fake().await;
    let full_uri = format!("{}/creds", stub.uri());
    let o = run_within(
        &server,
        home.path(),
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri)],
        PROMPT,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    assert_eq!(said.matches("expired at").count(), 1, "{said}");
    let requests = server.received_requests().await.unwrap();
    assert!(called(&requests, &SIGNED).iter().all(|r| is_signed(r)));
}

/// A profile whose `web_identity_token_file` is a device fails that profile (a warning on
/// this loopback target, naming the profile and the path), unread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_device_token_file_is_refused_unread() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config"),
        "[default]\nrole_arn = arn:aws:iam::123456789012:role/cogbench\n\
         web_identity_token_file = /dev/zero\n",
    )
    .unwrap();
    let server = fake().await;
    let o = run_within(&server, home.path(), &[], PROMPT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    assert!(
        said.contains("profile default: web_identity_token_file: /dev/zero is not a regular file"),
        "{said}"
    );
}
