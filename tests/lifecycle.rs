//! A run's lifecycle through the binary: interrupts from the first step on, clean-up on every
//! exit path, outputs checked before anything is sent, targets that are not there.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Emulator, bin, read_json, repo};

impl Emulator {
    /// The answer's status and body to one JSON call.
    fn call(&self, op: &str, body: &str) -> (u16, String) {
        let addr = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("the emulator listens");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: AWSCognitoIdentityProviderService.{op}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, answer)
    }

    /// Whether the emulator holds the pool `id` (a DeleteUserPool of a pool that is gone is
    /// ResourceNotFoundException; of one that is there it deletes it, which a test that asks
    /// this last does not mind).
    fn holds_pool(&self, id: &str) -> bool {
        let (status, answer) = self.call("DeleteUserPool", &format!("{{\"UserPoolId\":\"{id}\"}}"));
        match status {
            200 => true,
            400 if answer.contains("ResourceNotFoundException") => false,
            _ => panic!("DeleteUserPool {id}: {answer}"),
        }
    }
}

/// A child's stderr, line by line as it comes, and all of it once it ends.
struct Stderr {
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Stderr {
    fn of(child: &mut Child) -> Stderr {
        let (tx, rx) = mpsc::channel();
        let pipe = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Stderr {
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// Waits (at most 20 s) for a line holding `text`.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!("no `{text}` on stderr; saw:\n{}", self.seen.join("\n")),
            }
        }
    }

    fn rest(mut self) -> String {
        self.seen.extend(self.lines.iter());
        self.seen.join("\n")
    }
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// The child's exit code, waiting at most `limit`.
fn exit_within(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pool ids a line `…: id, id` ends with.
fn pool_ids(line: &str) -> Vec<String> {
    line.rsplit(": ")
        .next()
        .unwrap_or_default()
        .split(", ")
        .map(str::to_owned)
        .collect()
}

/// load-mixed's tens of thousands of users take far longer to provision than the test waits.
fn provisioning_run(emulator: &Emulator, out: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.arg("run")
        .arg(repo("scenarios/load-mixed.yaml"))
        .args([
            "--endpoint-url",
            &emulator.endpoint,
            "--target-kind",
            "emulator",
        ])
        .args(["--progress", "plain", "--output-dir"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn interrupted_while_provisioning(signal_name: &str) {
    let emulator = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = provisioning_run(&emulator, &out).spawn().unwrap();
    let mut stderr = Stderr::of(&mut child);
    stderr.wait_for("provisioning");
    // Some users in: the pool exists, the workers are busy.
    std::thread::sleep(Duration::from_millis(500));
    let sent = Instant::now();
    signal(&child, signal_name);
    let code = exit_within(&mut child, Duration::from_secs(10));
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    let deleted = stderr.wait_for("pools it created deleted");
    let text = stderr.rest();
    assert_eq!(code, Some(130), "{text}");

    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["partial"], true);
    assert_eq!(s["interrupted"], true);
    assert_eq!(s["interrupted_during"], "provisioning");
    assert_eq!(s["exit_code"], 130);
    assert_eq!(s["totals"]["sent"], 0);
    // No phase ran: zero seconds, not "-0.00s".
    assert_eq!(s["totals"]["duration_seconds"].to_string(), "0.0");
    let reason = s["cases"][0]["skip_reason"].as_str().unwrap();
    assert!(
        reason.contains("interrupted") && !reason.contains("never sent"),
        "{reason}"
    );
    let ids = pool_ids(&deleted);
    assert_eq!(ids.len(), 1, "{deleted}");
    assert!(!emulator.holds_pool(&ids[0]), "pool {} left behind", ids[0]);
}

/// Ctrl-C while users are being provisioned used to kill the process: no reports, the pool
/// left in the target.
#[cfg(unix)]
#[test]
fn sigint_during_provisioning_deletes_the_pool_and_writes_partial_reports() {
    interrupted_while_provisioning("INT");
}

#[cfg(unix)]
#[test]
fn sigterm_during_provisioning_deletes_the_pool_and_writes_partial_reports() {
    interrupted_while_provisioning("TERM");
}

/// A closed terminal or a dropped ssh session sends SIGHUP: it used to kill the run with its
/// pools left behind.
#[cfg(unix)]
#[test]
fn sighup_during_provisioning_deletes_the_pool_and_writes_partial_reports() {
    interrupted_while_provisioning("HUP");
}

/// A background job of a non-interactive shell starts with SIGINT ignored; a SIGINT sent to
/// it (`timeout -s INT`, a CI runner) still stops the run and deletes its pool.
#[cfg(unix)]
#[test]
fn a_sigint_ignored_at_start_still_stops_the_run() {
    let emulator = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = provisioning_run(&emulator, &out);
    let args: Vec<String> = run
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("trap '' INT; exec \"$0\" \"$@\"")
        .arg(bin())
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = Stderr::of(&mut child);
    stderr.wait_for("provisioning");
    // As in interrupted_while_provisioning: the pool exists by then. A signal before
    // CreateUserPool is sent leaves nothing to delete, and no "deleted" line to wait for.
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "INT");
    let code = exit_within(&mut child, Duration::from_secs(10));
    let deleted = stderr.wait_for("pools it created deleted");
    assert_eq!(code, Some(130), "{}", stderr.rest());
    assert_eq!(
        read_json(&out.join("summary.json"))["interrupted_during"],
        "provisioning"
    );
    assert!(!emulator.holds_pool(&pool_ids(&deleted)[0]));
}

/// A set-up step that fails after CreateUserPool (an already-confirmed user's ConfirmSignUp
/// hangs past the read timeout) used to leave the new pool behind.
#[test]
fn a_pool_whose_set_up_failed_is_deleted() {
    let emulator = Emulator::start(&["--faults", "only=ConfirmSignUp,hang=1"]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("ac.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: ac\ntarget: {{kind: emulator, endpoint: \"{}\"}}\nhttp: {{read_timeout: 1s}}\n\
             phases: [{{vus: 1, rounds: 1}}]\nmix: {{already-confirmed: 1}}\n",
            emulator.endpoint
        ),
    )
    .unwrap();
    let mut child = Command::new(bin())
        .arg("run")
        .arg(&scenario)
        .arg("--output-dir")
        .arg(dir.path().join("out"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = Stderr::of(&mut child);
    let code = exit_within(&mut child, Duration::from_secs(10));
    let deleted = stderr.wait_for("pools it created deleted");
    let text = stderr.rest();
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("ConfirmSignUp (set-up)"), "{text}");
    let ids = pool_ids(&deleted);
    assert_eq!(ids.len(), 1, "{deleted}");
    assert!(!emulator.holds_pool(&ids[0]), "pool {} left behind", ids[0]);
}

/// The command's exit code, stderr, and how long it took.
fn quick(args: &[&str]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let out = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

/// Output folders that cannot be made used to be found only after the whole load ran.
#[test]
fn an_output_folder_that_cannot_be_made_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let smoke = repo("scenarios/smoke.yaml");
    let smoke = smoke.to_str().unwrap();
    let file = file.to_str().unwrap();
    let under_file = format!("{file}/reports");
    for args in [
        vec!["run", smoke, "--output-dir", "/proc/forbidden"],
        vec!["run", smoke, "--output-dir", file],
        vec!["run", smoke, "--output-dir", &under_file],
        vec!["diff", smoke, smoke, "--output-dir", "/proc/forbidden"],
    ] {
        let (code, stderr, _) = quick(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        let named = args.last().unwrap();
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(!stderr.contains("provisioning"), "{args:?}: {stderr}");
    }
    let (code, stderr, _) = quick(&[
        "run",
        smoke,
        "--write-deviations",
        "/proc/x/d.yaml",
        "--output-dir",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Nothing listening used to be measured as a load of 100% errors (exit 1).
#[test]
fn a_target_with_nothing_listening_is_unreachable_before_the_load() {
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, stderr, took) = quick(&[
        "bench",
        "--endpoint-url",
        &endpoint,
        "--case",
        "raw",
        "-c",
        "2",
        "-z",
        "2s",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&endpoint) && stderr.contains("unreachable"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}: the load ran");
    assert!(!out.exists());

    // An existing pool's scenario alike.
    let csv = dir.path().join("users.csv");
    std::fs::write(&csv, "username,code\na,111111\nb,222222\n").unwrap();
    let scenario = dir.path().join("existing.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: gone\ntarget: {{endpoint: \"{endpoint}\"}}\n\
             pool: {{existing: {{id: us-east-1_abc, client_id: abc}}}}\n\
             users: {{from_csv: \"{}\"}}\n\
             phases: [{{vus: 1, iterations: 1}}]\nmix: {{wrong-code: 1}}\n",
            csv.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out2");
    let (code, stderr, _) = quick(&[
        "run",
        scenario.to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&endpoint) && stderr.contains("unreachable"),
        "{stderr}"
    );
}

/// A target that took the first connection and then went away: not one request of the load
/// reached it, which is exit 3 too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_took_a_load_connection_is_exit_3() {
    // The listener goes away right after the reachability check's connection; on a busy
    // machine a load connection can still land in its backlog first, so a few tries are
    // allowed: the run that saw no connection must say exit 3, the others must not.
    for _ in 0..5 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = listener.accept().await;
        });
        let dir = tempfile::tempdir().unwrap();
        let catalog = crate::support::probe_catalog(dir.path());
        let plan = crate::support::plan_from_str(&crate::support::probe_scenario(
            &catalog,
            &endpoint,
            "[{vus: 2, iterations: 10}]",
            "http: {connect_timeout: 1s}\n",
        ));
        let (outcome, _dir) = crate::support::run_quiet(plan).await;
        let why = outcome.summary.aborted.clone().unwrap_or_default();
        if why.contains("never accepted a connection") {
            assert_eq!(outcome.exit_code, 3);
            assert_eq!(outcome.summary.exit_code, 3);
            return;
        }
        assert_ne!(outcome.exit_code, 3, "exit 3 without saying why: {why}");
    }
    panic!("in five tries, a load connection always reached the closing listener");
}

/// After Ctrl-C, the requests said to be abandoned are at most those said to be in flight:
/// nothing starts once the stop is asked for.
#[cfg(unix)]
#[test]
fn no_request_starts_after_an_interrupt() {
    let emulator = Emulator::start(&["--faults", "hang=1"]);
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin())
        .args(["bench", "--case", "raw", "--rate", "400", "-z", "60s"])
        .args(["--endpoint-url", &emulator.endpoint, "--grace-period", "1"])
        .args(["--progress", "plain", "--output-dir"])
        .arg(dir.path().join("out"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = Stderr::of(&mut child);
    stderr.wait_for("requests");
    std::thread::sleep(Duration::from_millis(1000));
    signal(&child, "INT");
    let first = stderr.wait_for("in flight get");
    let second = stderr.wait_for("abandoned in flight");
    let code = exit_within(&mut child, Duration::from_secs(10));
    assert_eq!(code, Some(130));
    let number = |line: &str, before: &str| -> u64 {
        let head = &line[..line.find(before).unwrap()];
        head.rsplit(|c: char| !c.is_ascii_digit())
            .find(|w| !w.is_empty())
            .unwrap()
            .parse()
            .unwrap()
    };
    let in_flight = number(&first, " requests in flight");
    let abandoned = number(&second, " requests abandoned");
    assert!(
        in_flight > 0 && abandoned <= in_flight,
        "{first} / {second}"
    );
    let s = read_json(&dir.path().join("out/summary.json"));
    assert_eq!(s["totals"]["abandoned"], abandoned, "{second}");
}

/// A merge of shards one of which was interrupted: the merge itself was not (it is not 130),
/// but its gate cannot pass on partial data (1), and it says which shard.
#[test]
fn a_merge_with_an_interrupted_shard_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.yaml");
    std::fs::write(
        &scenario,
        "name: sharded\nphases: [{vus: 1, iterations: 4}]\nmix: {wrong-code: 1}\n",
    )
    .unwrap();
    let mut dirs = Vec::new();
    for shard in ["1/2", "2/2"] {
        let out = dir.path().join(shard.replace('/', "-"));
        let (code, stderr, _) = quick(&[
            "run",
            scenario.to_str().unwrap(),
            "--shard",
            shard,
            "--progress",
            "quiet",
            "--output-dir",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(0), "{stderr}");
        dirs.push(out);
    }
    let file = dirs[1].join("summary.json");
    let mut s: Value = read_json(&file);
    s["interrupted"] = Value::Bool(true);
    s["partial"] = Value::Bool(true);
    s["exit_code"] = 130.into();
    std::fs::write(&file, serde_json::to_vec(&s).unwrap()).unwrap();
    let merged = dir.path().join("merged");
    let (code, stderr, _) = quick(&[
        "merge",
        dirs[0].to_str().unwrap(),
        dirs[1].to_str().unwrap(),
        "--output-dir",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("shard 2/2") && stderr.contains("interrupted"),
        "{stderr}"
    );
    let m = read_json(&merged.join("summary.json"));
    assert_eq!(m["exit_code"], 1);
    assert_eq!(m["partial"], true);
}

/// `cogbench emulator` stops on SIGINT and SIGTERM alike, with exit 130.
#[cfg(unix)]
#[test]
fn the_emulator_stops_on_sigint_and_sigterm_with_130() {
    for name in ["INT", "TERM"] {
        let mut emulator = Emulator::start(&[]);
        signal(&emulator.child, name);
        let code = exit_within(&mut emulator.child, Duration::from_secs(10));
        assert_eq!(code, Some(130), "SIG{name}");
    }
}

/// The count a progress bar runs to (and `validate` prints) is the requests a bounded run
/// sends: it used to be one more for every open phase.
#[test]
fn the_planned_count_is_what_a_run_sends() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("counted.yaml");
    std::fs::write(
        &scenario,
        "name: counted\nphases:\n  - {vus: 2, rounds: 3}\n  - {arrival_rate: 40, duration: 1s}\n\
         mix: {wrong-code: 1, unknown-user: 1}\n",
    )
    .unwrap();
    let (code, stderr, _) = quick(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let out = Command::new(bin())
        .args(["validate", scenario.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let planned: u64 = text
        .split("up to ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in `{text}`"));
    let out_dir = dir.path().join("out");
    let (code, stderr, _) = quick(&[
        "run",
        scenario.to_str().unwrap(),
        "--progress",
        "quiet",
        "--output-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["totals"]["sent"], planned);
    assert_eq!(planned, 6 + 40);
}

/// `record` judges a run its own way (a clean recording is 0 whatever the catalog's verdicts):
/// summary.json says the code the process exits with.
#[test]
fn summary_json_holds_the_exit_code_of_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("rec.yaml");
    std::fs::write(
        &scenario,
        "name: rec\nphases: [{vus: 1, rounds: 1}]\nmix: {wrong-code: 1}\n\
         thresholds: [\"requests > 1000\"]\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let snapshot = dir.path().join("snap.json");
    let (code, stderr, _) = quick(&[
        "record",
        scenario.to_str().unwrap(),
        "--output",
        snapshot.to_str().unwrap(),
        "--progress",
        "quiet",
        "--output-dir",
        out_dir.to_str().unwrap(),
    ]);
    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["exit_code"].as_i64(), code.map(i64::from), "{stderr}");
}

/// `provision --create-pool` interrupted before its list is written: the pool's id was never
/// printed and its users never listed, so the pool is deleted and the exit code is 130.
#[cfg(unix)]
#[test]
fn an_interrupted_provision_deletes_the_pool_it_created() {
    let emulator = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("fresh.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: fresh\ntarget: {{kind: emulator, endpoint: \"{}\"}}\n\
             users: {{from_csv: users.csv}}\nphases: [{{vus: 1, rounds: 2}}]\n\
             mix: {{valid-code: 1, wrong-code: 1}}\n",
            emulator.endpoint
        ),
    )
    .unwrap();
    let mut child = Command::new(bin())
        .args(["provision", "--scenario"])
        .arg(&scenario)
        .args(["--users", "1000000", "--create-pool", "--output"])
        .arg(dir.path().join("users.csv"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = Stderr::of(&mut child);
    stderr.wait_for("signing");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let code = exit_within(&mut child, Duration::from_secs(10));
    let deleted = stderr.wait_for("is deleted");
    assert_eq!(code, Some(130), "{}", stderr.rest());
    let id = deleted
        .split("created, ")
        .nth(1)
        .and_then(|t| t.split(',').next())
        .unwrap();
    assert!(!emulator.holds_pool(id), "pool {id} left behind");
    assert!(!dir.path().join("users.csv").exists());
}

/// `diff` interrupted during its first run's set-up: that run's partial reports, no second
/// run, exit 130.
#[cfg(unix)]
#[test]
fn an_interrupted_diff_stops_after_the_run_it_was_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mixed = repo("scenarios/load-mixed.yaml");
    let mut child = Command::new(bin())
        .arg("diff")
        .args([&mixed, &mixed])
        .arg("--output-dir")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Stderr::of(&mut child);
    // `diff` runs quietly: tens of thousands of users take longer than this to provision.
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "INT");
    let code = exit_within(&mut child, Duration::from_secs(10));
    assert_eq!(code, Some(130), "{}", stderr.rest());
    let s = read_json(&out.join("left/summary.json"));
    assert_eq!(s["interrupted"], true);
    assert!(s["interrupted_during"].is_string());
    assert!(!out.join("right").exists());
    assert!(!out.join("diff.json").exists());
}

/// Ctrl-C while a run waits for `--start-at`: set-up done, nothing sent; the wait ends at
/// once, the pool goes, and the reports say where the run was stopped.
#[cfg(unix)]
#[test]
fn sigint_while_waiting_for_the_start_time_ends_the_run_cleanly() {
    let emulator = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("later.yaml");
    std::fs::write(
        &scenario,
        "name: later\nphases: [{name: p, vus: 1, iterations: 2}]\nmix: {valid-code: 1}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(bin())
        .arg("run")
        .arg(&scenario)
        .args(["--endpoint-url", &emulator.endpoint, "--start-at", "+10m"])
        .args(["--progress", "plain", "--output-dir"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = Stderr::of(&mut child);
    let waiting = stderr.wait_for("set-up done; waiting for the start at");
    assert!(
        waiting.contains("(in 9m5") || waiting.contains("(in 10m00s)"),
        "{waiting}"
    );
    signal(&child, "INT");
    let code = exit_within(&mut child, Duration::from_secs(10));
    let deleted = stderr.wait_for("pools it created deleted");
    let text = stderr.rest();
    assert_eq!(code, Some(130), "{text}");
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["partial"], true);
    assert_eq!(s["interrupted"], true);
    assert_eq!(s["interrupted_during"], "waiting for the start time");
    assert_eq!(s["totals"]["sent"], 0);
    assert!(s["start_at"].is_string(), "{}", s["start_at"]);
    let ids = pool_ids(&deleted);
    assert!(!emulator.holds_pool(&ids[0]), "pool {} left behind", ids[0]);
}

/// A start time the set-up outlasts: the load starts at once, and the run says and records
/// how late.
#[test]
fn a_set_up_that_ends_after_the_start_time_starts_at_once_and_says_how_late() {
    let emulator = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("late.yaml");
    std::fs::write(
        &scenario,
        "name: late\nphases: [{name: p, vus: 1, iterations: 2}]\nmix: {valid-code: 1}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = Command::new(bin())
        .arg("run")
        .arg(&scenario)
        .args(["--endpoint-url", &emulator.endpoint, "--start-at", "+1ms"])
        .args(["--progress", "plain", "--output-dir"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    // Nothing waited for: the time had passed when the set-up ended.
    assert!(!stderr.contains("waiting for the start"), "{stderr}");
    let s = read_json(&out.join("summary.json"));
    let time = |key: &str| cogbench::time::parse_rfc3339(s[key].as_str().unwrap()).unwrap();
    let late = s["start_late_ms"].as_f64().unwrap();
    let apart = time("load_started_at")
        .duration_since(time("start_at"))
        .unwrap();
    assert!(late > 0.0, "{late}");
    assert!(
        (apart.as_secs_f64() * 1e3 - late).abs() < 0.002,
        "{apart:?} vs {late}"
    );
    assert_eq!(
        stderr.contains("after --start-at") && stderr.contains("recorded as start_late_ms"),
        late > 50.0,
        "{stderr}"
    );
    assert_eq!(s["totals"]["requests"], 2);
}
