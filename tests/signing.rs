//! SigV4 end to end through the binary: credentials from the child's environment or a profile
//! file, a fake Cognito recording every request. The provisioning and admin calls are signed
//! (and the signature recomputed independently), the public operations never are, and
//! `--no-sign-request` turns it all off. The child sees none of this machine's AWS
//! configuration, and instance metadata is off besides.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;
use wiremock::{MockServer, Request};

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
    let out = home.join("reports");
    let uri = server.uri();
    let mut args = vec![
        "run",
        "scenarios/conformance.yaml",
        "--endpoint-url",
        &uri,
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
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
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
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("with credentials from environment variables"),
        "{}",
        text(&o)
    );
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
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("warning") && text(&o).contains("nosuch"),
        "{}",
        text(&o)
    );
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
