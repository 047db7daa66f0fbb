//! A run whose requests get no HTTP answer says why: each kind of transport failure with its
//! count and first message, on stderr, in the table and in summary.json (issue 13, defect 13).

use std::process::Command;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{bin, faulty, probe_catalog, probe_scenario, read_json};

/// Requests each run sends: one virtual user, one request per round.
const REQUESTS: u64 = 6;

struct Ran {
    stdout: String,
    stderr: String,
    summary: Value,
}

/// `cogbench run` of the probe case against `endpoint`, `REQUESTS` times.
fn run_probe(endpoint: &str, extra: &str) -> Ran {
    run_probe_expecting(1, endpoint, extra)
}

fn run_probe_expecting(code: i32, endpoint: &str, extra: &str) -> Ran {
    run_probe_with(code, endpoint, extra, &[])
}

fn run_probe_with(code: i32, endpoint: &str, extra: &str, args: &[&str]) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let catalog = probe_catalog(dir.path());
    let scenario = dir.path().join("probe-run.yaml");
    let phases = format!("[{{vus: 1, rounds: {REQUESTS}}}]");
    std::fs::write(
        &scenario,
        probe_scenario(&catalog, endpoint, &phases, extra),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = Command::new(bin())
        .args(["run", scenario.to_str().unwrap(), "--progress", "quiet"])
        .args(args)
        .arg("--output-dir")
        .arg(&out)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(code),
        "the load ran and failed: {stderr}"
    );
    Ran {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr,
        summary: read_json(&out.join("summary.json")),
    }
}

/// Asserts that every request failed with `kind`, and that the first message (which holds
/// `words`) is on stderr, in the table and in summary.json, run-level and per case.
fn assert_explained(ran: &Ran, kind: &str, words: &str) {
    let s = &ran.summary;
    assert_eq!(s["totals"]["sent"], REQUESTS, "{s:#}");
    let list = s["transport_errors"].as_array().expect("transport_errors");
    assert_eq!(list.len(), 1, "one kind: {list:?}");
    let e = &list[0];
    assert_eq!(e["kind"], kind, "{e}");
    assert_eq!(e["count"], REQUESTS, "{e}");
    let message = e["first_message"].as_str().expect("a first message");
    assert!(message.contains(words), "{message}");
    assert!(e["first_at_seconds"].as_f64().is_some(), "{e}");
    let case = &s["cases"][0]["transport_errors"][0];
    assert_eq!((&case["kind"], &case["count"]), (&e["kind"], &e["count"]));
    assert_eq!(
        crate::schema::errors(&crate::schema::validator(), s),
        Vec::<String>::new()
    );
    let line = format!("transport errors: {REQUESTS} × {kind}: {message} (first at");
    assert!(
        ran.stderr.contains(&format!("cogbench: warning: {line}")),
        "{}",
        ran.stderr
    );
    assert!(ran.stdout.contains(&line), "{}", ran.stdout);
}

/// The case of the report: a certificate the client refuses fails every request, and the
/// run says which check refused it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_certificate_is_named() {
    let (_plain, https, _pem) = crate::awscli::tls_emulator().await;
    // No request got past the handshake: the target was never reached (exit 3), and the
    // reason is in the error too.
    let ran = run_probe_expecting(3, https.trim_end_matches('/'), "");
    assert_explained(&ran, "tls", "invalid peer certificate");
    let why = ran.summary["aborted"].as_str().unwrap_or_default();
    assert!(
        why.contains("never accepted a connection")
            && why.contains("(tls: invalid peer certificate"),
        "{why}"
    );
}

/// Over HTTPS the lean client judges the answers, trusting the CA bundle given: one handshake
/// for the one virtual user's requests, timed apart as connection set-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_answers_are_judged_and_handshakes_reported_apart() {
    let (_plain, https, pem) = crate::awscli::tls_emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, &pem).unwrap();
    let ran = run_probe_with(
        0,
        https.trim_end_matches('/'),
        "",
        &["--ca-bundle", bundle.to_str().unwrap()],
    );
    let s = &ran.summary;
    assert_eq!(s["conformance"]["responses_passed"], REQUESTS, "{s:#}");
    let c = &s["connections"];
    assert_eq!(
        (&c["transport"], &c["established"]),
        (&"tls".into(), &1.into()),
        "{c}"
    );
    assert!(
        c["setup_us"]["max"].as_u64().is_some_and(|us| us > 0),
        "{c}"
    );
    assert_eq!(
        crate::schema::errors(&crate::schema::validator(), s),
        Vec::<String>::new()
    );
}

/// A server that reads the request and answers bytes that are not HTTP.
async fn not_http_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_is_not_http_is_named() {
    let endpoint = not_http_server().await;
    let ran = run_probe(&endpoint, "");
    assert_explained(&ran, "malformed", "not HTTP");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_connection_and_a_timeout_are_named() {
    let emu = faulty("reset=1").await;
    let ran = run_probe(&emu.endpoint(), "");
    assert_explained(&ran, "closed", "connection");

    let emu = faulty("hang=1").await;
    let ran = run_probe(&emu.endpoint(), "http: {read_timeout: 200ms}\n");
    assert_explained(&ran, "timeout", "within 200ms (--cli-read-timeout)");
    assert_eq!(ran.summary["totals"]["by_class"]["timeout"], REQUESTS);
}

/// A server that answers every request on a kept-alive connection with two informational
/// answers (100, 103) before its 200.
async fn interim_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // One whole request: its head, then Content-Length bytes.
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap_or(0));
                    while buf.len() < end + 4 + length {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..end + 4 + length);
                    let answer = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}";
                    if s.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Any number of informational answers may precede the answer (RFC 9110 §15.2): only the
/// first was skipped, so every later answer on the connection was read out of step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informational_answers_before_the_answer_are_skipped() {
    let endpoint = interim_server().await;
    let dir = tempfile::tempdir().unwrap();
    let o = tokio::process::Command::new(bin())
        .args([
            "bench",
            "--case",
            "raw",
            "-c",
            "2",
            "-z",
            "1s",
            "--progress",
            "quiet",
        ])
        .args(["--endpoint-url", &endpoint, "--output-dir"])
        .arg(dir.path().join("out"))
        .output()
        .await
        .expect("the binary runs");
    let summary = read_json(&dir.path().join("out/summary.json"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{summary:#}",
        String::from_utf8_lossy(&o.stderr)
    );
    let sent = summary["totals"]["sent"].as_u64().unwrap_or(0);
    assert!(sent > 10, "{summary:#}");
    assert_eq!(summary["conformance"]["responses_failed"], 0, "{summary:#}");
}
