//! Snapshots as oracles: `record` writes what a target answered, `run --oracle` judges by
//! it, `oracle check` holds the catalog against it; independent header checks; `--fail-on`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cogbench::oracle::Snapshot;
use cogbench::report::{Summary, Verdict};
use cogbench::run::{RunOptions, run};
use cogbench::scenario::Overrides;
use serde_json::json;

use crate::support::{bin, plan_from_file, plan_from_str, read_json, repo};

/// Runs a plan in-process with `opts` (reports in a temporary folder).
async fn run_with(
    plan: cogbench::scenario::Plan,
    opts: RunOptions,
) -> (Summary, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        output_dir: Some(dir.path().join("reports")),
        progress: cogbench::progress::Mode::Quiet,
        handle_signals: false,
        ..opts
    };
    let outcome = run(plan, opts).await.unwrap_or_else(|e| panic!("{e}"));
    (outcome.summary, dir)
}

async fn record(plan: cogbench::scenario::Plan, file: &Path) -> Summary {
    let opts = RunOptions {
        record: Some(file.to_path_buf()),
        ..RunOptions::default()
    };
    run_with(plan, opts).await.0
}

fn oracle(file: &Path) -> Option<(PathBuf, Snapshot)> {
    Some((file.to_path_buf(), Snapshot::load(file).unwrap()))
}

fn failing(s: &Summary) -> Vec<String> {
    s.cases
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|c| c.name.clone())
        .collect()
}

/// Record the whole catalog on the embedded emulator, then judge the emulator by that
/// snapshot: every case passes, each judged by the snapshot with confidence `recorded`; and
/// the catalog agrees with the recording everywhere (`oracle check` finds no contradiction).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_then_oracle_on_the_same_target_passes_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("embedded.json");
    let plan = plan_from_file("scenarios/conformance.yaml", &Overrides::default());
    let cases = plan.catalog.cases.len();
    let recorded = record(plan, &file).await;
    assert_eq!(recorded.exit_code, 0);
    let snapshot = Snapshot::load(&file).unwrap();
    assert_eq!(snapshot.cases.len(), cases, "every case recorded");
    assert!(snapshot.skipped.is_empty());
    let limit = &snapshot.cases["attempt-limit"];
    assert_eq!(
        limit.patterns.distinct[0].value.to_string(),
        "15 × 400 CodeMismatchException, then 400 LimitExceededException"
    );
    assert_eq!(limit.answers.total(), 16);
    let force = &snapshot.cases["alias-force"].states.distinct[0].value;
    assert_eq!(force["previous_owner.email_verified"], "false");
    assert_eq!(force["alias.owner"], "user");

    let plan = plan_from_file("scenarios/conformance.yaml", &Overrides::default());
    let opts = RunOptions {
        oracle: oracle(&file),
        ..RunOptions::default()
    };
    let (s, _d) = run_with(plan, opts).await;
    assert!(failing(&s).is_empty(), "{:?}", failing(&s));
    assert_eq!(s.exit_code, 0);
    for c in &s.cases {
        assert_eq!(c.oracle, "snapshot", "{}", c.name);
        assert_eq!(c.confidence, "recorded", "{}", c.name);
    }
    let info = s.oracle.as_ref().unwrap();
    assert!(info.same_catalog);
    assert_eq!(info.cases_judged as usize, cases);
    // A summary judged by a snapshot follows the schema too.
    let schema = read_json(&repo("fixtures/summary.schema.json"));
    let v = jsonschema::validator_for(&schema).unwrap();
    let doc = serde_json::to_value(&s).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert_eq!(errors, Vec::<String>::new());

    let report = cogbench::oracle::check::check(&snapshot, "embedded.json", &plan_catalog());
    assert_eq!(
        report.contradicts,
        0,
        "{}",
        cogbench::oracle::check::render(&report)
    );
    assert!(
        report.confirms > 0,
        "inferred expectations the emulator confirms"
    );
}

fn plan_catalog() -> cogbench::cases::Catalog {
    (*plan_from_file("scenarios/conformance.yaml", &Overrides::default()).catalog).clone()
}

/// A snapshot that says something else than the target answers fails exactly the cases it
/// changed, names itself as their oracle, and leaves the cases it lacks to the catalog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oracle_fails_what_the_recording_contradicts_and_falls_back_for_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let mix = "mix: {wrong-code: 1, unknown-user: 1, valid-code: 1, concurrent-confirm: 1}\n";
    let yaml = format!("name: o\nphases: [{{vus: 1, rounds: 1}}]\n{mix}");
    record(plan_from_str(&yaml), &file).await;
    let mut snapshot: serde_json::Value = read_json(&file);
    snapshot["cases"]["wrong-code"]["answers"]["distinct"][0]["value"]["message"] =
        json!("Incorrect confirmation code");
    snapshot["cases"]["concurrent-confirm"]["patterns"]["distinct"][0]["value"]["runs"] = json!([{"count": 2, "answer": "200"}, {"count": 6, "answer": "400 NotAuthorizedException"}]);
    snapshot["cases"]
        .as_object_mut()
        .unwrap()
        .remove("unknown-user");
    std::fs::write(&file, snapshot.to_string()).unwrap();

    let opts = RunOptions {
        oracle: oracle(&file),
        ..RunOptions::default()
    };
    let (s, _d) = run_with(plan_from_str(&yaml), opts).await;
    assert_eq!(failing(&s), ["wrong-code", "concurrent-confirm"]);
    let case = |id: &str| s.cases.iter().find(|c| c.name == id).unwrap();
    let wrong = case("wrong-code");
    assert_eq!(
        (wrong.oracle.as_str(), wrong.confidence),
        ("snapshot", "recorded")
    );
    let d = &wrong.failures[0][0];
    assert_eq!(d.field, "message");
    assert_eq!(d.expected, "Incorrect confirmation code");
    assert_eq!(
        d.observed,
        "Invalid verification code provided, please try again."
    );
    let race = case("concurrent-confirm");
    let d = race.failures[0].iter().find(|d| d.field == "race").unwrap();
    assert!(d.expected.starts_with("2 × 200"), "{d:?}");
    assert_eq!(race.race.as_ref().unwrap().describe(), "1 of 8 succeeded");
    let unknown = case("unknown-user");
    assert_eq!(unknown.verdict, Verdict::Pass);
    assert_eq!(unknown.oracle, "catalog");
    assert_eq!(unknown.confidence, "observed");
    assert!(
        unknown
            .oracle_note
            .as_deref()
            .unwrap()
            .contains("not in the snapshot")
    );
    assert_eq!(
        s.oracle.as_ref().unwrap().cases_from_catalog,
        ["unknown-user"]
    );
}

/// The shipped cognito-local snapshot judges the embedded emulator: it fails exactly the cases
/// where cognito-local deviates from the catalog (its known-deviation list), and the shipped
/// snapshot of the embedded emulator contradicts the catalog nowhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peers_snapshot_fails_exactly_the_peers_deviations() {
    let list =
        cogbench::deviations::load(&repo("fixtures/known-deviations/cognito-local.yaml")).unwrap();
    let mut deviating: Vec<String> = list.deviations.iter().map(|d| d.case.clone()).collect();
    deviating.sort();
    let file = repo("fixtures/snapshots/cognito-local.json");
    let plan = plan_from_file("scenarios/conformance.yaml", &Overrides::default());
    let opts = RunOptions {
        oracle: oracle(&file),
        ..RunOptions::default()
    };
    let (s, _d) = run_with(plan, opts).await;
    let mut failed = failing(&s);
    failed.sort();
    assert_eq!(failed, deviating);

    let embedded = Snapshot::load(&repo("fixtures/snapshots/embedded.json")).unwrap();
    let report = cogbench::oracle::check::check(&embedded, "embedded.json", &plan_catalog());
    assert_eq!(
        report.contradicts,
        0,
        "{}",
        cogbench::oracle::check::render(&report)
    );
    assert_eq!(report.lacks, 0, "the embedded snapshot holds every case");
}

/// A recording with a secret client holds no client secret, confirmation code or SecretHash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_never_holds_a_secret_a_code_or_a_secret_hash() {
    let p = crate::existing_pool::prepare(0, 12).await;
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("secret.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: secret\n\
             target: {{kind: emulator, endpoint: \"{}\"}}\n\
             pool: {{existing: {{id: {}, client_id: {}, client_secret: \"${{COGBENCH_TEST_RECORD_SECRET}}\"}}}}\n\
             users: {{from_csv: \"{}\"}}\n\
             phases: [{{vus: 1, rounds: 1}}]\n\
             mix: {{secret-hash-correct: 1, secret-hash-missing: 1, secret-hash-wrong: 1,\n\
             \x20     member-secret-hash-pattern: 1, member-secret-hash-at-max: 1, member-secret-hash-empty: 1}}\n",
            p.emulator.endpoint(),
            p.pool,
            p.secret_client,
            p.csv.path().display()
        ),
    )
    .unwrap();
    let file = dir.path().join("snapshot.json");
    let out = tokio::process::Command::new(bin())
        .args(["record", scenario.to_str().unwrap(), "--progress", "quiet"])
        .arg("--output")
        .arg(&file)
        .arg("--output-dir")
        .arg(dir.path().join("reports"))
        .env("COGBENCH_TEST_RECORD_SECRET", &p.secret)
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(&p.secret),
        "the client secret is in the snapshot"
    );
    let csv = std::fs::read_to_string(p.csv.path()).unwrap();
    for row in csv.lines().skip(1) {
        let cols: Vec<&str> = row.split(',').collect();
        let (username, code) = (cols[0], cols[1]);
        assert!(!text.contains(code), "code {code} is in the snapshot");
        let mut wrong = String::new();
        cogbench::cases::wrong_code(code, &mut wrong);
        assert!(
            !text.contains(&wrong),
            "a wrong code (which gives the code away) is in it"
        );
        let hash = cogbench::protocol::secret_hash(&p.secret, username, &p.secret_client);
        assert!(!text.contains(&hash), "a SecretHash is in the snapshot");
        assert!(!text.contains(username), "usernames are placeholders");
    }
    let snapshot = Snapshot::load(&file).unwrap();
    assert_eq!(snapshot.cases.len(), 6, "{:?}", snapshot.skipped);
    assert!(
        !text.contains(&p.secret_client),
        "client ids are placeholders"
    );
}

/// A fake Cognito whose ConfirmSignUp answers carry no x-amzn-RequestId: the first (after the
/// set-up's) 200, every later one NotAuthorizedException, as an atomic service would.
struct FirstWins {
    seen: AtomicUsize,
}

impl wiremock::Respond for FirstWins {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        let ct = crate::support::fake::CT;
        if self.seen.fetch_add(1, Ordering::SeqCst) == 0 {
            wiremock::ResponseTemplate::new(200).set_body_raw("{}", ct)
        } else {
            wiremock::ResponseTemplate::new(400).set_body_raw(
                json!({"__type": "NotAuthorizedException", "message": "User cannot be confirmed. Current status is CONFIRMED"}).to_string(),
                ct,
            )
        }
    }
}

/// A missing header is a failing check of its own: it never hides that the race itself went
/// right (one success), nor that the state read back is right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_header_does_not_mask_the_race_verdict() {
    let server =
        crate::support::fake::fake_cognito(0, wiremock::ResponseTemplate::new(500), "CONFIRMED")
            .await;
    crate::support::fake::answer_confirm_sign_up(
        &server,
        FirstWins {
            seen: AtomicUsize::new(0),
        },
    )
    .await;
    let yaml = format!(
        "name: race\ntarget: {{endpoint: \"{}\"}}\nrace_size: 4\nphases: [{{vus: 1, rounds: 1}}]\nmix: {{concurrent-confirm: 1}}\n",
        server.uri()
    );
    let (s, _d) = run_with(plan_from_str(&yaml), RunOptions::default()).await;
    let c = &s.cases[0];
    assert_eq!(c.verdict, Verdict::Fail);
    let by = |check: cogbench::cases::Check| {
        c.by_check
            .iter()
            .find(|k| k.check == check)
            .unwrap()
            .clone()
    };
    use cogbench::cases::Check;
    assert_eq!(by(Check::Answer).verdict, Verdict::Pass, "{:?}", c.failures);
    assert_eq!(by(Check::Headers).verdict, Verdict::Fail);
    assert_eq!(by(Check::Headers).failed, 4);
    assert_eq!(by(Check::State).verdict, Verdict::Pass);
    assert_eq!(c.race.as_ref().unwrap().describe(), "1 of 4 succeeded");
    assert!(
        c.failures
            .iter()
            .flatten()
            .all(|d| d.field != "answers meeting the expectation"),
        "{:?}",
        c.failures
    );
}

/// `--fail-on` gates on some confidence levels only; the other failures stay visible.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_gates_only_the_named_levels() {
    let dir = tempfile::tempdir().unwrap();
    // A team catalog that gets two expectations wrong: an inferred one and a documented one.
    let team = dir.path().join("team.yaml");
    std::fs::write(
        &team,
        "version: 1\noverrides:\n  unknown-user-hidden: {expect: {error: ExpiredCodeException}}\n  valid-code: {confidence: documented, expect: {status: 201}}\n",
    )
    .unwrap();
    let scenario = |extra: &str| {
        format!(
            "name: gate\ncatalog: [\"{}\"]\nphases: [{{vus: 1, rounds: 1}}]\nthresholds: [\"conformance_failures == 0\"]\n{extra}",
            team.display()
        )
    };
    let only_inferred = scenario("mix: {unknown-user-hidden: 1, wrong-code: 1}\n");
    let file = dir.path().join("s.yaml");
    std::fs::write(&file, &only_inferred).unwrap();
    let out = dir.path().join("out");
    let cli = |extra: &[&str]| {
        std::process::Command::new(bin())
            .arg("run")
            .arg(&file)
            .args(["--progress", "quiet", "--output-dir"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = cli(&[]);
    assert_eq!(o.status.code(), Some(1), "every level fails by default");
    let o = cli(&["--fail-on", "documented,observed"]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("FAIL unknown-user-hidden"), "{text}");
    assert!(text.contains("confidence inferred"), "{text}");
    assert!(
        text.contains("do not fail it: unknown-user-hidden"),
        "{text}"
    );
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["fail_on"], json!(["documented", "observed"]));

    std::fs::write(
        &file,
        scenario("mix: {unknown-user-hidden: 1, valid-code: 1}\n"),
    )
    .unwrap();
    let o = cli(&["--fail-on", "documented"]);
    assert_eq!(o.status.code(), Some(1), "a documented failure still fails");

    let o = cli(&["--fail-on", "sure"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a confidence level"));
}

/// Bad snapshots are bad input: exit 2 with the file named, nothing sent.
#[test]
fn a_bad_snapshot_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        "{\"format\": \"cogbench-snapshot\",\n \"version\": 1,\n \"header\": 7}",
    )
    .unwrap();
    for args in [
        vec![
            "run",
            "scenarios/smoke.yaml",
            "--oracle",
            file.to_str().unwrap(),
        ],
        vec!["oracle", "check", file.to_str().unwrap()],
        vec!["run", "scenarios/smoke.yaml", "--oracle", "/dev/zero"],
    ] {
        let o = std::process::Command::new(bin())
            .current_dir(repo(""))
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("bad.json:3:") || err.contains("/dev/zero"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("provisioning"), "nothing is sent: {err}");
    }
}

/// The shipped deviation lists keep whole sequences and races: cognito-local's attempt-limit
/// entry shows that it never answers LimitExceededException.
#[test]
fn the_peers_lists_hold_whole_patterns_for_group_cases() {
    for peer in ["cognito-local", "moto"] {
        // The peer's scenario sets the races' size.
        let plan = plan_from_file(
            &format!("scenarios/emulators/{peer}.yaml"),
            &Overrides::default(),
        );
        let catalog = &plan.catalog;
        let list =
            cogbench::deviations::load(&repo(&format!("fixtures/known-deviations/{peer}.yaml")))
                .unwrap();
        for d in &list.deviations {
            let case = catalog
                .get(&d.case)
                .unwrap_or_else(|| panic!("{peer}: {}", d.case));
            assert!(!d.answers.is_empty(), "{peer} {}: answers kept", d.case);
            if let Some(repeat) = case.repeat {
                assert!(
                    !d.patterns.is_empty(),
                    "{peer} {}: a group keeps its pattern",
                    d.case
                );
                let answers: u64 = d.answers.iter().map(|a| a.count).sum();
                assert_eq!(
                    answers,
                    u64::from(repeat.count) * d.patterns[0].count,
                    "{peer} {}",
                    d.case
                );
            }
        }
    }
    let list =
        cogbench::deviations::load(&repo("fixtures/known-deviations/cognito-local.yaml")).unwrap();
    let limit = list
        .deviations
        .iter()
        .find(|d| d.case == "attempt-limit")
        .unwrap();
    assert_eq!(limit.patterns[0].value, "16 × 400 CodeMismatchException");
    assert!(
        limit
            .answers
            .iter()
            .all(|a| a.value.error.as_deref() != Some("LimitExceededException"))
    );
}

/// A race or sequence with an unanswered member is never judged, so never a pass: how many
/// confirmations or attempts the target saw is unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_with_an_unanswered_member_is_not_judged() {
    let emulator = crate::support::faulty("only=ConfirmSignUp,reset=0.6").await;
    let yaml = format!(
        "name: resets\ntarget: {{kind: emulator, endpoint: \"{}\"}}\nphases: [{{vus: 1, rounds: 3}}]\nmix: {{concurrent-confirm: 1, attempt-limit: 1}}\n",
        emulator.endpoint()
    );
    let (s, _d) = run_with(plan_from_str(&yaml), RunOptions::default()).await;
    for c in &s.cases {
        let sent = c.count;
        let lost = c.by_class.get("transport_error").copied().unwrap_or(0);
        assert!(lost > 0, "{}: the fault took some answers", c.name);
        assert_ne!(c.verdict, Verdict::Pass, "{}: {c:?}", c.name);
        // Only whole executions count: judged answers come in whole groups.
        let size = if c.name == "attempt-limit" { 16 } else { 8 };
        assert_eq!(c.judged % size, 0, "{}: {} of {sent}", c.name, c.judged);
        assert!(c.patterns.values().all(|p| p.requests() == size as u32));
    }
    assert_ne!(s.exit_code, 0);
}

/// Echo whatever was sent back in an error message: nothing sent as a code or a SecretHash,
/// and no client secret, may reach the snapshot or a report.
struct Echo;

impl wiremock::Respond for Echo {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let sent = String::from_utf8_lossy(&request.body).into_owned();
        wiremock::ResponseTemplate::new(400).set_body_raw(
            json!({
                "__type": "CodeMismatchException",
                "message": format!("You sent {sent} with mock-client-secret-value"),
                sent.clone(): 1,
            })
            .to_string(),
            crate::support::fake::CT,
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_echoing_secrets_gets_them_masked_everywhere() {
    let server =
        crate::support::fake::fake_cognito(0, wiremock::ResponseTemplate::new(500), "UNCONFIRMED")
            .await;
    crate::support::fake::answer_confirm_sign_up(&server, Echo).await;
    let yaml = format!(
        "name: echo\ntarget: {{endpoint: \"{}\"}}\nphases: [{{vus: 1, rounds: 1}}]\n\
         mix: {{wrong-code: 1, secret-hash-wrong: 1, secret-hash-correct: 1, unknown-user: 1, code-pattern: 1}}\n",
        server.uri()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("echo.json");
    let plan = plan_from_str(&yaml);
    let opts = RunOptions {
        record: Some(file.clone()),
        output_dir: Some(dir.path().join("reports")),
        progress: cogbench::progress::Mode::Quiet,
        handle_signals: false,
        ..RunOptions::default()
    };
    let mut plan = plan;
    plan.reports = vec![
        cogbench::report::export::Format::Json,
        cogbench::report::export::Format::Junit,
        cogbench::report::export::Format::Html,
        cogbench::report::export::Format::Markdown,
    ];
    run(plan, opts).await.unwrap();
    let hash = regex::Regex::new(r"[A-Za-z0-9+/]{43}=").unwrap();
    let mut files = vec![file];
    for entry in std::fs::read_dir(dir.path().join("reports")).unwrap() {
        files.push(entry.unwrap().path());
    }
    // The encoded histograms are base64 too: looked past.
    let histograms = regex::Regex::new(r#"HISTFAAA[A-Za-z0-9+/=]*"#).unwrap();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let text = histograms.replace_all(&text, "").into_owned();
        let name = f.display();
        // The fake hands out the code 123456; the wrong code is 234567.
        for secret in ["123456", "234567", "mock-client-secret-value", "12 34"] {
            assert!(!text.contains(secret), "{name} holds {secret}");
        }
        assert!(!hash.is_match(&text), "{name} holds a SecretHash");
        assert!(
            !text.contains("mockpublicclient"),
            "{name}: the client id is a placeholder"
        );
    }
}

/// Server errors, lost answers and cases without a judged answer make a recording exit 1
/// (its snapshot written all the same); an emulator's 500s by design can be accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclean_recording_exits_1() {
    let emulator = crate::support::faulty("only=ConfirmSignUp,error=1").await;
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: faults\ntarget: {{kind: emulator, endpoint: \"{}\"}}\nphases: [{{vus: 1, rounds: 1}}]\nmix: {{unknown-user: 1, wrong-code: 1}}\n",
            emulator.endpoint()
        ),
    )
    .unwrap();
    let record = |extra: &[&str]| {
        let o = std::process::Command::new(bin())
            .arg("record")
            .arg(&scenario)
            .arg("--output")
            .arg(dir.path().join("s.json"))
            .args(["--progress", "quiet", "--output-dir"])
            .arg(dir.path().join("r"))
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = record(&[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("server errors (5xx)"), "{err}");
    assert!(
        dir.path().join("s.json").exists(),
        "the snapshot is written all the same"
    );
    let (code, err) = record(&["--accept-server-errors"]);
    assert_eq!(code, Some(0), "{err}");
    // An output that cannot be written is refused before anything is sent.
    let o = std::process::Command::new(bin())
        .arg("record")
        .arg(&scenario)
        .arg("--output")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is a directory"));
}

/// A race recorded with another size cannot judge this run's races: the catalog does, and
/// says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn races_recorded_with_another_size_are_left_to_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let yaml = |size: u32| {
        format!(
            "name: r\nrace_size: {size}\nphases: [{{vus: 1, rounds: 1}}]\nmix: {{concurrent-confirm: 1, wrong-code: 1}}\n"
        )
    };
    record(plan_from_str(&yaml(3)), &file).await;
    let opts = RunOptions {
        oracle: oracle(&file),
        ..RunOptions::default()
    };
    let (s, _d) = run_with(plan_from_str(&yaml(8)), opts).await;
    assert!(failing(&s).is_empty(), "{:?}", failing(&s));
    let race = s
        .cases
        .iter()
        .find(|c| c.name == "concurrent-confirm")
        .unwrap();
    assert_eq!(race.oracle, "catalog");
    assert!(
        race.oracle_note
            .as_deref()
            .unwrap()
            .contains("sent 3 requests each, this run's send 8"),
        "{:?}",
        race.oracle_note
    );
    let wrong = s.cases.iter().find(|c| c.name == "wrong-code").unwrap();
    assert_eq!(wrong.oracle, "snapshot");
}

/// A reader that closes the pipe early (`| head`) ends the output quietly: the command exits
/// with the code it earned, never 101.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    for args in [
        vec!["oracle", "check", "fixtures/snapshots/moto.json"],
        vec![
            "oracle",
            "check",
            "fixtures/snapshots/moto.json",
            "--output",
            "json",
        ],
    ] {
        let mut child = std::process::Command::new(bin())
            .current_dir(repo(""))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    }
}
