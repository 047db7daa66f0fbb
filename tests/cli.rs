//! The binary: exit codes, error positions, nothing sent before a scenario is valid.

use std::process::{Command, Output};

use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{bin, repo};

fn cogbench(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(repo(""))
        .env_remove("COGBENCH_TEST_UNSET_VARIABLE")
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Each file in tests/scenarios/bad/ states its expected error on its first line.
fn bad_corpus() -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(repo("tests/scenarios/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the corpus is there");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let expect = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# expect: "))
                .unwrap_or_else(|| panic!("{} has no `# expect:` line", p.display()))
                .to_owned();
            (
                format!(
                    "tests/scenarios/bad/{}",
                    p.file_name().unwrap().to_str().unwrap()
                ),
                expect,
            )
        })
        .collect()
}

#[test]
fn validate_reports_each_bad_scenario_with_its_position_and_exit_2() {
    for (file, expect) in bad_corpus() {
        let o = cogbench(&["validate", &file]);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&expect),
            "{file}:\n  expected {expect}\n  got      {err}"
        );
        assert!(
            !err.contains("stack backtrace"),
            "no backtrace for bad input"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_refuses_bad_scenarios_before_sending_anything() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    for (file, expect) in bad_corpus() {
        let o = cogbench(&[
            "run",
            &file,
            "--endpoint-url",
            &server.uri(),
            "--progress",
            "quiet",
        ]);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(&expect), "{file}: {}", stderr(&o));
    }
    let received = server.received_requests().await.unwrap();
    assert!(received.is_empty(), "requests were sent: {received:?}");
}

#[test]
fn shipped_scenarios_validate() {
    let o = cogbench(&[
        "validate",
        "scenarios/smoke.yaml",
        "scenarios/conformance.yaml",
        "scenarios/load-mixed.yaml",
        "scenarios/soak.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().filter(|l| l.starts_with("ok ")).count(),
        4
    );
}

/// `--duration` sets the length of a single steady phase, and only that: the soak made short
/// runs for the time asked; anything it cannot stretch unambiguously is bad input, refused
/// before anything is sent.
#[test]
fn duration_sets_the_length_of_a_steady_single_phase_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let o = cogbench(&[
        "run",
        "scenarios/soak.yaml",
        "--duration",
        "300ms",
        "--progress",
        "quiet",
        "--output",
        "json",
        "--output-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // 2,000 requests per second for 0.3 s (and the one start an open schedule makes at 0).
    let requests = s["totals"]["requests"].as_u64().unwrap();
    assert!((600..=601).contains(&requests), "{requests} requests");
    assert_eq!(s["conformance"]["responses_failed"], 0);

    for (args, expect) in [
        (
            vec!["scenarios/soak.yaml", "--duration", "0s"],
            "--duration must be longer than 0s",
        ),
        (
            vec!["scenarios/soak.yaml", "--duration", "ten"],
            "--duration: expected a duration like 500ms",
        ),
        (
            vec!["scenarios/conformance.yaml", "--duration", "1m"],
            "--duration sets the length of a scenario with one phase at a steady load",
        ),
    ] {
        let o = cogbench(&[&["run"], args.as_slice()].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn missing_files_directories_and_bad_flags_are_bad_input() {
    for args in [
        vec!["validate", "scenarios/does-not-exist.yaml"],
        vec!["run", "scenarios/does-not-exist.yaml"],
        vec!["run", "scenarios"],
        vec!["run", "scenarios/smoke.yaml", "--cli-read-timeout", "-1"],
        vec![
            "run",
            "scenarios/smoke.yaml",
            "--endpoint-url",
            "ftp://example",
        ],
        vec!["run"],
        vec!["frobnicate"],
    ] {
        let o = cogbench(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    let o = cogbench(&["run", "scenarios"]);
    assert!(
        stderr(&o).contains("scenarios: is a directory"),
        "{}",
        stderr(&o)
    );
}

/// The first line `cogbench emulator --port 0 ARGS` writes (its start-up line); the emulator is
/// stopped after it.
fn emulator_start_line(args: &[&str]) -> String {
    let mut child = Command::new(bin())
        .args(["emulator", "--port", "0"])
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let read = std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stderr.take().unwrap()),
        &mut line,
    );
    let _ = child.kill();
    let _ = child.wait();
    read.unwrap();
    line
}

/// A bad `--faults` is refused before anything listens; good ones show in the start-up line.
#[test]
fn emulator_faults_are_checked_and_announced() {
    let o = cogbench(&["emulator", "--port", "0", "--faults", "error=0.1,stall=1s"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cogbench: error: --faults: `stall=1s` needs a period"),
        "{}",
        stderr(&o)
    );
    let line = emulator_start_line(&[
        "--faults",
        "stall=1s/5s,error=0.01",
        "--faults",
        "delay=1.5ms",
    ]);
    assert!(
        line.contains("(region us-east-1, faults stall=1s/5s,delay=1.5ms,error=0.01)"),
        "{line}"
    );
}

/// A bad `--quota` is refused before anything listens; good ones show in the start-up line.
#[test]
fn emulator_quotas_are_checked_and_announced() {
    for (bad, says) in [
        (
            "user-creation=0",
            "--quota: user-creation: the rate must be from 0.001",
        ),
        ("logins=5", "--quota: unknown quota category 'logins'"),
    ] {
        let o = cogbench(&["emulator", "--port", "0", "--quota", bad]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(says), "{bad}: {}", stderr(&o));
    }
    let line = emulator_start_line(&["--quota", "UserRead=120", "--quota", "user-creation=2.5"]);
    assert!(
        line.contains("(region us-east-1, quotas user-creation=2.5,user-read=120 per second)"),
        "{line}"
    );
}

#[test]
fn an_unreachable_target_is_exit_3_naming_the_endpoint() {
    // Nothing listens on a port we just bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let o = cogbench(&[
        "run",
        "scenarios/smoke.yaml",
        "--endpoint-url",
        &url,
        "--cli-connect-timeout",
        "2",
        "--progress",
        "quiet",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains(&url), "{}", stderr(&o));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn cases_lists_the_catalog_as_json() {
    let o = cogbench(&["cases", "--output", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(items.len(), cogbench::cases::Catalog::builtin().cases.len());
    for item in &items {
        for key in ["id", "title", "checks", "spec", "needs", "confidence"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
        assert!(
            ["observed", "documented", "inferred"].contains(&item["confidence"].as_str().unwrap())
        );
        assert!(!item["spec"].as_str().unwrap().is_empty());
    }
    let o = cogbench(&["cases"]);
    assert!(stdout(&o).contains("valid-code"));
}

/// `cogbench emulator` serves other tools, and `run --endpoint-url` drives a running one.
#[test]
fn conformance_against_a_standalone_emulator_passes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin())
        .args(["emulator", "--port", &port.to_string()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the emulator did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = tempfile::tempdir().unwrap();
    let o = cogbench(&[
        "run",
        "scenarios/conformance.yaml",
        "--endpoint-url",
        &url,
        "--output-dir",
        out.path().to_str().unwrap(),
        "--progress",
        "quiet",
    ]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let summary = crate::support::read_json(&out.path().join("summary.json"));
    assert_eq!(summary["target"]["kind"], "emulator");
    assert_eq!(summary["target"]["endpoint"], url.as_str());
    assert_eq!(summary["conformance"]["failed"], 0);
}

/// Pointed at a server that answers every operation with 200 `{}`, conformance exits 1 and
/// shows expected against observed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_against_a_wrong_server_exits_1_with_the_diff() {
    use serde_json::json;
    use wiremock::matchers::{header, method, path_regex};
    let server = MockServer::start().await;
    let aws = |body: serde_json::Value| {
        ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/x-amz-json-1.1")
    };
    let op = |n: &str| {
        header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{n}").as_str(),
        )
    };
    Mock::given(op("CreateUserPool"))
        .respond_with(aws(json!({"UserPool": {"Id": "us-east-1_x"}})))
        .mount(&server)
        .await;
    Mock::given(op("CreateUserPoolClient"))
        .respond_with(aws(
            json!({"UserPoolClient": {"ClientId": "c", "ClientSecret": "mock-secret"}}),
        ))
        .mount(&server)
        .await;
    Mock::given(op("SignUp"))
        .respond_with(aws(json!({"UserSub": "s-1"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/_emulator/codes/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("111111"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(aws(json!({})))
        .with_priority(10)
        .mount(&server)
        .await;
    let out = tempfile::tempdir().unwrap();
    let o = cogbench(&[
        "run",
        "scenarios/conformance.yaml",
        "--endpoint-url",
        &server.uri(),
        "--output-dir",
        out.path().to_str().unwrap(),
        "--progress",
        "quiet",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("FAIL wrong-code"), "{text}");
    assert!(
        text.contains("expected") && text.contains("observed"),
        "{text}"
    );
    assert!(text.contains("CodeMismatchException"), "{text}");
    let summary = crate::support::read_json(&out.path().join("summary.json"));
    let wrong = summary["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "wrong-code")
        .unwrap();
    assert_eq!(wrong["verdict"], "fail");
    assert_eq!(wrong["expected"]["status"], "400");
    assert_eq!(wrong["observed"]["status"], "200");
}

/// Ctrl-C mid-run: requests in flight finish, reports are written marked partial, exit 130.
#[cfg(unix)]
#[test]
fn an_interrupted_run_writes_partial_reports_and_exits_130() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long.yaml");
    std::fs::write(
        &scenario,
        "name: long\nphases: [{arrival_rate: 50, duration: 60s}]\nmix: {wrong-code: 1}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(bin())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
            "--progress",
            "plain",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("ready in") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let summary = crate::support::read_json(&out.join("summary.json"));
    assert_eq!(summary["partial"], true);
    assert_eq!(summary["interrupted"], true);
    assert_eq!(summary["exit_code"], 130);
    let requests = summary["totals"]["requests"].as_u64().unwrap();
    assert!(
        (20..3000).contains(&requests),
        "{requests} requests before the interrupt"
    );
    assert_eq!(
        summary["conformance"]["responses_judged"], requests,
        "in-flight requests finished and were judged"
    );
}

/// A run whose requests never end: after Ctrl-C the grace period bounds the wait, the reports
/// are written (partial, exit 130) and count the requests abandoned in flight. A second
/// Ctrl-C does not wait for the grace period.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupts_bound_the_wait_for_requests_that_never_end() {
    use std::io::{BufRead, BufReader};
    let emulator = crate::support::faulty("hang=1").await;
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("hang.yaml");
    std::fs::write(
        &scenario,
        "name: hang\nphases: [{executor: constant-arrival-rate, rate: 20, duration: 60s}]\nmix: {raw: 1}\n",
    )
    .unwrap();
    let interrupt = |grace: &str, signals: usize| {
        let out = dir.path().join(format!("out-{grace}-{signals}"));
        let mut child = Command::new(bin())
            .args([
                "bench",
                "--case",
                "raw",
                "--rate",
                "20",
                "-z",
                "60s",
                "--progress",
                "plain",
            ])
            .args(["--endpoint-url", &emulator.endpoint(), "--output-dir"])
            .arg(&out)
            .args(["--grace-period", grace])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let started = std::time::Instant::now();
        for _ in 0..signals {
            Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            // The listener must see the first signal before the second comes.
            for line in lines.by_ref() {
                if line.unwrap().contains("interrupted") {
                    break;
                }
            }
        }
        let status = child.wait().unwrap();
        (
            status.code(),
            started.elapsed(),
            crate::support::read_json(&out.join("summary.json")),
        )
    };
    let (code, took, s) = interrupt("2", 1);
    assert_eq!(code, Some(130));
    assert!(took >= std::time::Duration::from_millis(1900), "{took:?}");
    assert!(took < std::time::Duration::from_secs(15), "{took:?}");
    assert_eq!(s["partial"], true);
    let (sent, abandoned) = (
        s["totals"]["sent"].as_u64().unwrap(),
        s["totals"]["abandoned"].as_u64().unwrap(),
    );
    assert!(
        // How many went out depends on how fast the process started; that all of them
        // were abandoned does not.
        sent > 0 && abandoned == sent,
        "sent {sent}, abandoned {abandoned}"
    );
    assert_eq!(s["totals"]["requests"], 0);

    let (code, took, s) = interrupt("600", 2);
    assert_eq!(code, Some(130));
    assert!(
        took < std::time::Duration::from_secs(15),
        "a second Ctrl-C does not wait: {took:?}"
    );
    assert_eq!(s["partial"], true);
    assert!(s["totals"]["abandoned"].as_u64().unwrap() > 0);
}

/// `--write-deviations` records what a peer does differently; `--known-deviations` then passes
/// on exactly that list, and names a new deviation or a fixed one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_deviations_gate_new_and_fixed() {
    use crate::support::fake::{aws, fake_cognito};
    use serde_json::json;
    // A peer that answers every ConfirmSignUp with CodeMismatchException.
    let server = fake_cognito(
        0,
        aws(400, json!({"__type": "CodeMismatchException", "message": "Invalid verification code provided, please try again."})),
        "UNCONFIRMED",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("peer.yaml");
    let uri = server.uri();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "scenarios/conformance.yaml",
            "--endpoint-url",
            &uri,
            "--progress",
            "quiet",
            "--cases",
            "wrong-code,valid-code,unknown-user,code-missing",
            "--output-dir",
            dir.path().to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        cogbench(&args)
    };
    let o = run(&["--write-deviations", list.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let written = std::fs::read_to_string(&list).unwrap();
    assert!(
        written.contains("case: valid-code") && written.contains("case: unknown-user"),
        "{written}"
    );
    assert!(
        !written.contains("case: wrong-code"),
        "wrong-code passes against this peer"
    );

    // Exactly the listed failures: the gate holds.
    let o = run(&["--known-deviations", list.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("known deviations (emulator): 3 as listed"),
        "{}",
        stdout(&o)
    );

    // The same case failing with another message is a changed deviation (counts compare as
    // shares of the case's answers: a unit test covers them).
    let reworded = written.replacen(
        "message: Invalid verification code provided, please try again.",
        "message: Another text.",
        1,
    );
    assert_ne!(reworded, written, "{written}");
    std::fs::write(&list, &reworded).unwrap();
    let o = run(&["--known-deviations", list.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(
        text.contains("CHANGED ") && text.contains("\"Another text.\""),
        "{text}"
    );

    // Drop an entry: that failure is new. Add a passing case: it is fixed.
    let edited = written.replacen("- case: unknown-user", "- case: wrong-code", 1);
    std::fs::write(&list, edited).unwrap();
    let o = run(&["--known-deviations", list.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("NEW DEVIATION unknown-user"), "{text}");
    assert!(text.contains("FIXED wrong-code"), "{text}");
}

/// `cogbench diff` runs one catalog against two targets and lists the cases they answer
/// differently; differences are its output, not a failure, unless asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_lists_cases_answered_differently() {
    use crate::support::fake::{aws, fake_cognito};
    use serde_json::json;
    // Answers every ConfirmSignUp as a wrong code.
    let server = fake_cognito(
        0,
        aws(400, json!({"__type": "CodeMismatchException", "message": "Invalid verification code provided, please try again."})),
        "UNCONFIRMED",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let right = dir.path().join("right.yaml");
    std::fs::write(
        &right,
        format!(
            "name: mock\ntarget: {{endpoint: \"{}\"}}\nphases: [{{vus: 1, rounds: 1}}]\n",
            server.uri()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let args = [
        "diff",
        "scenarios/conformance.yaml",
        right.to_str().unwrap(),
        "--cases",
        "wrong-code,unknown-user",
        "--output-dir",
        out.to_str().unwrap(),
    ];
    let o = cogbench(&args);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let diff = crate::support::read_json(&out.join("diff.json"));
    assert_eq!(diff["compared"], 2);
    let differences = diff["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 1, "wrong-code is answered alike: {diff}");
    assert_eq!(differences[0]["case"], "unknown-user");
    assert_eq!(
        differences[0]["left"]["error type"],
        "UserNotFoundException"
    );
    assert_eq!(
        differences[0]["right"]["error type"],
        "CodeMismatchException"
    );
    assert!(out.join("left/summary.json").exists() && out.join("right/summary.json").exists());
    let mut failing = args.to_vec();
    failing.push("--fail-on-difference");
    assert_eq!(cogbench(&failing).status.code(), Some(1));
}

/// `run` over TLS to an emulator with a self-signed certificate: verified by default (exit 3
/// naming the failure), trusted with --ca-bundle, or not verified with --no-verify-ssl; and
/// --query / --output json print from summary.json.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_speaks_tls_as_the_aws_cli_does() {
    let (_plain, https, pem) = crate::awscli::tls_emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, pem).unwrap();
    let scenario = dir.path().join("tls.yaml");
    std::fs::write(
        &scenario,
        "name: tls\nphases: [{vus: 1, rounds: 2}]\nmix: {valid-code: 1, wrong-code: 1}\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            scenario.to_str().unwrap(),
            "--endpoint-url",
            https.trim_end_matches('/'),
            "--progress",
            "quiet",
            "--output-dir",
        ];
        let out = dir.path().join(format!("out-{}", extra.len()));
        args.push(out.to_str().unwrap());
        args.extend_from_slice(extra);
        let o = Command::new(bin()).args(&args).output().unwrap();
        (o.status.code(), stdout(&o), stderr(&o))
    };
    let (code, _, err) = run(&[]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");

    let (code, out, err) = run(&[
        "--ca-bundle",
        bundle.to_str().unwrap(),
        "--query",
        "conformance.failed",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "0");

    let (code, out, err) = run(&[
        "--no-verify-ssl",
        "--output",
        "json",
        "--region",
        "eu-west-1",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["conformance"]["passed"], 2);
    assert_eq!(s["plan"]["target"]["region"], "eu-west-1");

    let (code, _, err) = run(&["--query", "totals.["]);
    assert_eq!(
        code,
        Some(2),
        "a bad query is bad input, nothing sent: {err}"
    );
}

/// The pools a run creates are deleted at the end unless `--keep`, which names them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_leaves_the_runs_pools_in_place() {
    use cogbench::emulator::{self, EmulatorConfig};
    let emu = emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("keep.yaml");
    std::fs::write(
        &scenario,
        "name: keep\nphases: [{vus: 1, rounds: 1}]\nmix: {valid-code: 1}\n",
    )
    .unwrap();
    let run = |keep: bool| {
        let mut c = Command::new(bin());
        c.args(["run", scenario.to_str().unwrap(), "--progress", "plain"])
            .args(["--endpoint-url", &emu.endpoint(), "--output-dir"])
            .arg(dir.path().join(format!("out-{keep}")));
        if keep {
            c.arg("--keep");
        }
        c.output().unwrap()
    };
    let pool_exists = |id: &str| {
        let http = cogbench::client::build(&Default::default()).unwrap();
        let (endpoint, id) = (emu.endpoint(), id.to_owned());
        async move {
            let r = http
                .post(format!("{endpoint}/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header(
                    "X-Amz-Target",
                    "AWSCognitoIdentityProviderService.CreateUserPoolClient",
                )
                .body(serde_json::json!({"UserPoolId": id, "ClientName": "probe"}).to_string())
                .send()
                .await
                .unwrap();
            r.status().as_u16() == 200
        }
    };
    let ready_pool = |o: &std::process::Output| {
        let err = stderr(o);
        let line = err
            .lines()
            .find(|l| l.contains("cogbench: pool ") && l.contains("ready"))
            .unwrap_or_else(|| panic!("{err}"))
            .to_owned();
        line.split_whitespace()
            .nth(2)
            .unwrap()
            .trim_end_matches(',')
            .to_owned()
    };
    let o = run(false);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!pool_exists(&ready_pool(&o)).await, "deleted by default");
    let o = run(true);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = ready_pool(&o);
    assert!(
        stderr(&o).contains(&format!("pools kept: {id}")),
        "{}",
        stderr(&o)
    );
    assert!(pool_exists(&id).await, "kept");
}
