//! What cogbench writes and reads on the wire: a reader that closes the pipe, a closed stderr,
//! text from a target on a terminal, credentials in endpoint URLs, endless answer bodies,
//! transport errors explained.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{bin, repo};

/// Runs cogbench with stdout a pipe whose reader reads `lines` lines and then goes away;
/// returns the exit code and stderr.
fn with_reader_gone(args: &[&str], lines: usize) -> (i32, String) {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(repo(""))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cogbench starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("a pipe"));
    for _ in 0..lines {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    drop(stdout);
    let out = child.wait_with_output().expect("cogbench ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_quiet_end(args: &[&str], lines: usize, earned: i32) {
    let (code, stderr) = with_reader_gone(args, lines);
    assert_no_pipe_complaint(args, &stderr);
    assert_eq!(code, earned, "{args:?}: {stderr}");
}

fn assert_no_pipe_complaint(args: &[&str], stderr: &str) {
    assert!(
        !stderr.contains("panicked"),
        "{args:?} panicked on a closed pipe: {stderr}"
    );
    assert!(
        !stderr.contains("Broken pipe"),
        "{args:?} complained of the closed pipe: {stderr}"
    );
}

/// The exit code a run earned, as its summary.json records it: a busy machine can fail the
/// smoke scenario's p99 threshold (exit 1), which is earned, not a pipe problem.
fn earned_by(out_dir: &std::path::Path) -> i32 {
    let summary = std::fs::read_to_string(out_dir.join("summary.json"))
        .unwrap_or_else(|e| panic!("{}: no summary: {e}", out_dir.display()));
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let code = summary["exit_code"]
        .as_i64()
        .expect("summary.json has exit_code");
    i32::try_from(code).unwrap()
}

#[test]
fn listing_commands_stop_quietly_when_the_reader_goes_away() {
    let summary = "fixtures/reports/failing-summary.json";
    for lines in [0, 1] {
        assert_quiet_end(&["cases"], lines, 0);
        assert_quiet_end(&["cases", "--output", "json"], lines, 0);
        assert_quiet_end(
            &[
                "validate",
                "scenarios/smoke.yaml",
                "scenarios/conformance.yaml",
            ],
            lines,
            0,
        );
        assert_quiet_end(&["compare", "--output", "json", summary, summary], lines, 0);
        assert_quiet_end(&["compare", summary, summary], lines, 0);
        assert_quiet_end(&["bench", "--print-scenario"], lines, 0);
        assert_quiet_end(&["--help"], lines, 0);
        assert_quiet_end(&["emulator", "--help"], lines, 0);
        assert_quiet_end(
            &["confirm-sign-up", "--generate-cli-skeleton", "input"],
            lines,
            0,
        );
    }
}

#[test]
fn a_run_whose_reader_goes_away_finishes_writes_its_reports_and_exits_as_earned() {
    let dir = tempfile::tempdir().unwrap();
    for (i, extra) in [["--output", "json"], ["--query", "cases"]]
        .iter()
        .enumerate()
    {
        let out_dir = dir.path().join(i.to_string());
        let out_dir = out_dir.to_str().unwrap();
        let mut args = vec![
            "run",
            "scenarios/smoke.yaml",
            "--progress",
            "quiet",
            "--output-dir",
            out_dir,
        ];
        args.extend_from_slice(extra);
        let (code, stderr) = with_reader_gone(&args, 0);
        assert_no_pipe_complaint(&args, &stderr);
        assert_eq!(
            code,
            earned_by(std::path::Path::new(out_dir)),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_closed_stderr_does_not_stop_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("run");
    // `None`: as the run's summary.json says it earned.
    let cases: [(&[&str], Option<i32>); 3] = [
        (&["validate", "no-such-file.yaml"], Some(2)),
        (&["run", "no-such-file.yaml"], Some(2)),
        (
            &[
                "run",
                "scenarios/smoke.yaml",
                "--progress",
                "plain",
                "--output-dir",
                out_dir.to_str().unwrap(),
            ],
            None,
        ),
    ];
    for (args, earned) in cases {
        let mut child = Command::new(bin())
            .args(args)
            .current_dir(repo(""))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cogbench starts");
        drop(child.stderr.take());
        let status = child.wait().expect("cogbench ends");
        let earned = earned.unwrap_or_else(|| earned_by(&out_dir));
        assert_eq!(status.code(), Some(earned), "{args:?}");
    }
    assert!(out_dir.join("summary.json").exists());
}

const PASSWORD: &str = "UrlPassw0rdXYZ";

/// Every file under `dir`, read whole.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
        }
    }
    found
}

#[test]
fn an_endpoint_with_a_password_is_refused_everywhere_and_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://admin:{PASSWORD}@127.0.0.1:18999");
    let scenario = dir.path().join("with-password.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: x\ntarget: {{kind: endpoint, endpoint: \"{url}\", codes: {{none: true}}}}\n\
             phases: [{{vus: 1, rounds: 1}}]\nmix: all\n"
        ),
    )
    .unwrap();
    let scenario = scenario.to_str().unwrap().to_owned();
    let smoke = repo("scenarios/smoke.yaml");
    let smoke = smoke.to_str().unwrap();
    let confirm = [
        "confirm-sign-up",
        "--client-id",
        "c",
        "--username",
        "u",
        "--confirmation-code",
        "123456",
        "--region",
        "us-east-1",
    ];
    let flag = |args: &[&str]| {
        let mut v: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        v.extend(["--endpoint-url".to_owned(), url.clone()]);
        v
    };
    let owned = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, bool)> = vec![
        (flag(&["run", smoke, "--output-dir", "out"]), false),
        (flag(&["record", smoke, "--output", "snap.json"]), false),
        (
            flag(&["bench", "--duration", "1s", "--output-dir", "out"]),
            false,
        ),
        (flag(&["bench", "--print-scenario"]), false),
        (flag(&["bench", "--case", "raw", "--duration", "1s"]), false),
        (
            flag(&[
                "provision",
                "--scenario",
                smoke,
                "--users",
                "1",
                "--output",
                "u.csv",
            ]),
            false,
        ),
        (flag(&confirm), false),
        (owned(&["run", &scenario, "--output-dir", "out"]), false),
        (owned(&["validate", &scenario]), false),
        (
            owned(&["diff", smoke, &scenario, "--output-dir", "out"]),
            false,
        ),
        (owned(&["run", smoke, "--output-dir", "out"]), true),
        (
            owned(&["bench", "--duration", "1s", "--output-dir", "out"]),
            true,
        ),
        (owned(&confirm), true),
    ];
    for (args, from_env) in cases {
        let work = tempfile::tempdir().unwrap();
        let mut command = Command::new(bin());
        command.args(&args).current_dir(work.path());
        if from_env {
            command.env("AWS_ENDPOINT_URL", &url);
        }
        let out = command.output().expect("cogbench runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // confirm-sign-up keeps the AWS CLI's usage exit code.
        let refused = if args[0] == "confirm-sign-up" { 252 } else { 2 };
        assert_eq!(out.status.code(), Some(refused), "{args:?}: {stderr}");
        assert!(
            !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
            "{args:?} echoed the password: {stdout}{stderr}"
        );
        assert!(stderr.contains("must not carry"), "{args:?}: {stderr}");
        for (path, bytes) in files_under(work.path()) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(PASSWORD),
                "{args:?} wrote the password to {}",
                path.display()
            );
        }
    }
}

#[test]
fn bench_trusts_the_certificates_aws_ca_bundle_names_as_run_does() {
    // A bundle that is not PEM: both commands read it, so both refuse it before sending.
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("not-a-bundle.pem");
    std::fs::write(&bundle, "not a certificate").unwrap();
    let smoke = repo("scenarios/smoke.yaml");
    for args in [
        vec![
            "run",
            smoke.to_str().unwrap(),
            "--endpoint-url",
            "https://127.0.0.1:9",
        ],
        vec![
            "bench",
            "--endpoint-url",
            "https://127.0.0.1:9",
            "--duration",
            "1s",
        ],
    ] {
        let out = Command::new(bin())
            .args(&args)
            .current_dir(dir.path())
            .env("AWS_CA_BUNDLE", &bundle)
            .output()
            .expect("cogbench runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("not-a-bundle.pem"),
            "{args:?} ignored AWS_CA_BUNDLE: {stderr}"
        );
    }
}

/// What a hostile target says: a screen clear, NUL, SOH, a forged line and a bidi override.
const EVIL: &str = "evil\u{1b}[2J\u{0}\u{1}\nPASS forged\u{202e}";

fn terminal_safe(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| {
            (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
        }),
        "{what} carries a control character: {text:?}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("PASS forged")),
        "{what} let the target forge a line: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_targets_control_characters_never_reach_the_terminal() {
    use crate::support::fake::aws;
    use wiremock::{Mock, MockServer};
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(aws(
            400,
            serde_json::json!({"__type": "NotAuthorizedException", "message": EVIL}),
        ))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("probe.yaml");
    std::fs::write(
        &catalog,
        "version: 1\ncases:\n  - id: probe\n    title: a message checked\n    checks: the message\n\
         \x20   spec: decision order 3\n    confidence: documented\n    user: none\n    client: unknown\n\
         \x20   request: {ClientId: nosuchclient, Username: u, ConfirmationCode: \"123456\"}\n\
         \x20   expect: {status: 400, error: ResourceNotFoundException, message: fine}\n",
    )
    .unwrap();
    let scenario = dir.path().join("s.yaml");
    std::fs::write(
        &scenario,
        crate::support::probe_scenario(&catalog, &server.uri(), "[{vus: 1, rounds: 1}]", ""),
    )
    .unwrap();
    let scenario = scenario.to_str().unwrap();
    let out_dir = dir.path().join("out");
    let out_dir = out_dir.to_str().unwrap();
    for args in [
        vec![
            "run",
            scenario,
            "--progress",
            "plain",
            "--output-dir",
            out_dir,
        ],
        vec![
            "run",
            scenario,
            "--verbose",
            "--debug",
            "--output-dir",
            out_dir,
        ],
        vec!["run", scenario, "--output", "json", "--output-dir", out_dir],
        vec![
            "confirm-sign-up",
            "--client-id",
            "c",
            "--username",
            "u",
            "--confirmation-code",
            "123456",
            "--verdict",
            "--debug",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &server.uri(),
        ],
    ] {
        let out = Command::new(bin()).args(&args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        terminal_safe(&format!("{args:?} stdout"), &stdout);
        terminal_safe(&format!("{args:?} stderr"), &stderr);
        assert!(
            stdout.contains("evil") || stderr.contains("evil"),
            "{args:?} does not show the message at all: {stdout}{stderr}"
        );
    }
    // confirm-sign-up keeps the AWS CLI's error line, the message escaped.
    let out = Command::new(bin())
        .args(["confirm-sign-up", "--client-id", "c", "--username", "u"])
        .args(["--region", "us-east-1"])
        .args([
            "--confirmation-code",
            "123456",
            "--endpoint-url",
            &server.uri(),
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "An error occurred (NotAuthorizedException) when calling the ConfirmSignUp operation: evil\\u{1b}[2J\\u{0}\\u{1}\\nPASS forged\\u{202e}"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server on 127.0.0.1 that answers every request with a chunked body that never ends.
async fn endless_body_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let start = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                             Transfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(start.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                while socket.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_body_is_cut_off_at_the_cap_outside_the_load_client_too() {
    let endpoint = endless_body_server().await;
    let dir = tempfile::tempdir().unwrap();
    let smoke = repo("scenarios/smoke.yaml");
    let runs: [(Vec<&str>, i32); 2] = [
        // Set-up: CreateUserPool answers without end.
        (
            vec![
                "run",
                smoke.to_str().unwrap(),
                "--endpoint-url",
                &endpoint,
                "--progress",
                "quiet",
            ],
            3,
        ),
        (
            vec![
                "confirm-sign-up",
                "--client-id",
                "c",
                "--username",
                "u",
                "--confirmation-code",
                "123456",
                "--region",
                "us-east-1",
                "--endpoint-url",
                &endpoint,
            ],
            255,
        ),
    ];
    for (args, earned) in runs {
        let started = std::time::Instant::now();
        let out = Command::new(bin())
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Before the cap the read went on until the 30 s read timeout, gigabytes later.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{args:?} read for {:?}",
            started.elapsed()
        );
        assert_eq!(out.status.code(), Some(earned), "{args:?}: {stderr}");
        assert!(stderr.contains("body too large"), "{args:?}: {stderr}");
    }
}

#[test]
fn the_emulator_help_lists_every_fault_the_parser_takes() {
    use cogbench::faults::{Faults, TABLE};
    let out = Command::new(bin())
        .args(["emulator", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for (name, form, _) in TABLE {
        assert!(
            help.contains(form),
            "`{form}` missing from the help:\n{help}"
        );
        // The form, its placeholders filled in, is a SPEC the parser takes.
        let spec = form
            .replace("[@F]", "@0.5")
            .replace("[+OP]", "+SignUp")
            .replace("D/P", "1s/5s")
            .replace('D', "5ms")
            .replace('F', "0.01")
            .replace("OP", "ConfirmSignUp");
        assert!(
            Faults::parse([spec.as_str()]).is_ok(),
            "{name}: the help's `{spec}` does not parse"
        );
    }
    assert!(Faults::parse(["nosuchfault=0.1"]).is_err());
}

/// A summary.json that does not fit the schema is bad input for every report format alike
/// (html and csv said exit 1, "writing the report").
#[test]
fn a_summary_off_the_schema_is_bad_input_for_every_report_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut summary = crate::support::read_json(&repo("fixtures/reports/failing-summary.json"));
    summary["totals"]["requests"] = serde_json::json!(-1);
    let file = dir.path().join("summary.json");
    std::fs::write(&file, summary.to_string()).unwrap();
    for format in ["json", "csv", "junit", "hlog", "html", "markdown"] {
        let o = Command::new(bin())
            .args(["report", dir.path().to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{format}: {err}");
        assert!(err.contains(&file.display().to_string()), "{format}: {err}");
    }
}

/// A case name with escape sequences (a crafted summary.json) is written visibly in the CSV
/// files, not raw for a terminal or spreadsheet to act on.
#[test]
fn csv_cells_carry_no_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let mut summary = crate::support::read_json(&repo("fixtures/reports/failing-summary.json"));
    for (i, case) in summary["cases"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        case["name"] = serde_json::json!(format!("evil\u{1b}[2J\u{202e}\r\n{i}"));
    }
    std::fs::write(dir.path().join("summary.json"), summary.to_string()).unwrap();
    let o = Command::new(bin())
        .args(["report", dir.path().to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for name in ["latency.csv", "timeline.csv"] {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(text.contains("evil\\u{1b}[2J\\u{202e}"), "{name}: {text}");
        assert!(
            !text.chars().any(|c| c == '\u{1b}' || c == '\u{202e}'),
            "{name}: {text}"
        );
    }
}

/// Output that cannot be written (a full disk) is said once and fails the command; a reader
/// that went away stays quiet (see above).
#[test]
fn output_to_a_full_disk_is_said_once_and_exits_1() {
    let Ok(full) = std::fs::File::create("/dev/full") else {
        return;
    };
    let o = Command::new(bin())
        .arg("cases")
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("writing the output").count(), 1, "{err}");
}

/// A report file the run would write that is a folder is found before the load, not after it.
#[test]
fn a_report_file_that_is_a_folder_is_refused_before_the_run() {
    for name in ["summary.json", "latency.csv"] {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("s.yaml");
        std::fs::write(
            &scenario,
            "name: s\nphases: [{name: p, vus: 1, iterations: 1}]\nmix: {valid-code: 1}\nreports: [json, csv]\n",
        )
        .unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join(name)).unwrap();
        let o = Command::new(bin())
            .arg("run")
            .arg(&scenario)
            .arg("--output-dir")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&out.join(name).display().to_string()),
            "{name}: {err}"
        );
        assert!(!err.contains("provisioning"), "{name}: {err}");
        let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
        assert_eq!(left.len(), 1, "{name}: {left:?}");
    }
}
