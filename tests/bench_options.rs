//! `bench` takes the AWS CLI's global options as `run` does (issue 15, item 4): each one is
//! shown to take effect — TLS trust, the region, signing, the profile, `--debug`, `--output`
//! and `--query`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::signing::{AKID, SECRET, TOKEN, called, fake, is_signed, isolated, operation, verify};
use crate::support::read_json;

/// What a bench of `unknown-user` asks of the admin API: a pool and a client (no users, no
/// read-backs), then the pool's deletion.
const ADMIN: [&str; 3] = ["CreateUserPool", "CreateUserPoolClient", "DeleteUserPool"];

/// `cogbench bench` of `unknown-user`, one connection for a moment, against `endpoint`, with
/// `env` as its only AWS configuration; its reports in `home`/reports. Plain progress: the
/// credentials' source is said on stderr, as `run` says it.
fn bench(endpoint: &str, home: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let out = home.join("reports");
    isolated(home, env)
        .args([
            "bench",
            "--case",
            "unknown-user",
            "-c",
            "1",
            "--duration",
            "300ms",
        ])
        .args([
            "--endpoint-url",
            endpoint,
            "--progress",
            "plain",
            "--output-dir",
        ])
        .arg(&out)
        .args(extra)
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const KEYS: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", AKID),
    ("AWS_SECRET_ACCESS_KEY", SECRET),
    ("AWS_SESSION_TOKEN", TOKEN),
];

/// The fake answers every ConfirmSignUp 200, which fails `unknown-user`: the load ran (1),
/// it was not refused (2) nor unreachable (3).
fn ran(o: &Output) {
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_signs_admin_calls_unless_no_sign_request() {
    let home = tempfile::tempdir().unwrap();
    let server = fake().await;
    let o = bench(&server.uri(), home.path(), &[], &KEYS);
    ran(&o);
    let requests = server.received_requests().await.unwrap();
    for r in called(&requests, &ADMIN) {
        verify(r, AKID, SECRET, Some(TOKEN));
    }
    let confirms: Vec<_> = requests
        .iter()
        .filter(|r| operation(r) == Some("ConfirmSignUp"))
        .collect();
    assert!(!confirms.is_empty() && confirms.iter().all(|r| !is_signed(r)));

    let server = fake().await;
    let o = bench(&server.uri(), home.path(), &["--no-sign-request"], &KEYS);
    ran(&o);
    let requests = server.received_requests().await.unwrap();
    called(&requests, &ADMIN);
    assert!(
        requests.iter().all(|r| !is_signed(r)),
        "signed despite --no-sign-request"
    );
}

/// `--profile nosuch`: said, as `run` says it, and nothing signed (this target is no AWS
/// endpoint); `--profile ci` signs with that profile's keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_reads_the_profile_run_reads() {
    let home = tempfile::tempdir().unwrap();
    let profile_secret = "cogbench/Bench+Profile9Key8ForSigningTests7";
    std::fs::write(
        home.path().join("credentials"),
        format!("[ci]\naws_access_key_id = AKIDBENCH\naws_secret_access_key = {profile_secret}\n"),
    )
    .unwrap();
    let server = fake().await;
    let o = bench(&server.uri(), home.path(), &["--profile", "ci"], &KEYS);
    ran(&o);
    assert!(text(&o).contains("(profile ci)"), "{}", text(&o));
    let requests = server.received_requests().await.unwrap();
    for r in called(&requests, &ADMIN) {
        verify(r, "AKIDBENCH", profile_secret, None);
    }
    assert!(!text(&o).contains(profile_secret));

    let server = fake().await;
    let o = bench(&server.uri(), home.path(), &["--profile", "nosuch"], &[]);
    ran(&o);
    assert!(
        text(&o).contains("warning") && text(&o).contains("nosuch"),
        "{}",
        text(&o)
    );
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !is_signed(r)));
}

/// `--debug` prints the plan (the region given, secrets masked) before the load and the
/// answers after; `--output json` prints summary.json; `--query` its JMESPath result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_prints_as_run_prints() {
    let home = tempfile::tempdir().unwrap();
    let server = fake().await;
    let o = bench(
        &server.uri(),
        home.path(),
        &["--debug", "--region", "eu-west-3", "--output", "json"],
        &KEYS,
    );
    ran(&o);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("cogbench: debug: the plan"), "{stderr}");
    assert!(stderr.contains("\"region\": \"eu-west-3\""), "{stderr}");
    assert!(
        stderr.contains("cogbench: debug: unknown-user answered"),
        "{stderr}"
    );
    for secret in [SECRET, TOKEN] {
        assert!(!text(&o).contains(secret), "a secret printed");
    }
    let printed: Value = serde_json::from_slice(&o.stdout).expect("summary.json on stdout");
    let written = read_json(&home.path().join("reports/summary.json"));
    assert_eq!(printed, written);
    assert_eq!(printed["plan"]["target"]["region"], "eu-west-3");
    // The region reaches the requests' signatures too.
    let requests = server.received_requests().await.unwrap();
    let create = called(&requests, &["CreateUserPool"])[0];
    let auth = create
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        auth.contains("/eu-west-3/cognito-idp/aws4_request"),
        "{auth}"
    );

    let server = fake().await;
    let o = bench(
        &server.uri(),
        home.path(),
        &["--query", "totals.requests"],
        &[],
    );
    ran(&o);
    let written = read_json(&home.path().join("reports/summary.json"));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        written["totals"]["requests"].to_string()
    );
    assert!(written["totals"]["requests"].as_u64().unwrap() > 0);

    // A query that does not compile is refused before anything is sent.
    let server = fake().await;
    let o = bench(&server.uri(), home.path(), &["--query", "totals.["], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--query"), "{}", text(&o));
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// An HTTPS target with a self-signed certificate: refused by default, trusted with
/// `--ca-bundle` (the certificate as the bundle) or `--no-verify-ssl`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_trusts_what_the_tls_options_say() {
    let (_plain, https, pem) = crate::awscli::tls_emulator().await;
    let https = https.trim_end_matches('/');
    let home = tempfile::tempdir().unwrap();
    let kind = ["--target-kind", "emulator"];

    let o = bench(https, home.path(), &kind, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));

    let bundle = home.path().join("ca.pem");
    std::fs::write(&bundle, &pem).unwrap();
    let with_bundle = [&kind[..], &["--ca-bundle", bundle.to_str().unwrap()]].concat();
    let o = bench(https, home.path(), &with_bundle, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = read_json(&home.path().join("reports/summary.json"));
    assert!(s["totals"]["requests"].as_u64().unwrap() > 0);
    assert!(s.get("transport_errors").is_none(), "{s:#}");

    let o = bench(
        https,
        home.path(),
        &[&kind[..], &["--no-verify-ssl"]].concat(),
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
