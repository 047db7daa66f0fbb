//! Bad input files: endless (`/dev/zero`), too deep, too large, missing or malformed. Each is
//! refused within seconds with exit 2 and the file named, before anything is sent.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, repo};

/// The defects these tests keep fixed made the binary run for minutes and take gigabytes; a
/// bound this generous only fails when a limit is gone.
const BOUND: Duration = Duration::from_secs(20);

/// Runs the binary in `dir`, killed (and the test failed) past [`BOUND`].
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .env_remove("AWS_CA_BUNDLE")
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let started = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("cogbench {args:?} still ran after {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("its output")
}

/// Asserts exit `code` and that stderr names `what`; returns stderr.
fn refused(out: &Output, code: i32, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(what), "`{what}` not named in: {stderr}");
    stderr
}

fn smoke() -> String {
    repo("scenarios/smoke.yaml").display().to_string()
}

/// A scenario for an existing pool (it reads a users CSV and a client secret) on a target that
/// is never reached.
fn existing_pool(secret: &str, csv: &str) -> String {
    format!(
        "name: s\ntarget: {{endpoint: \"http://127.0.0.1:9\", region: us-east-1}}\n\
         pool:\n  existing: {{id: us-east-1_abc, client_id: abc, client_secret: \"{secret}\"}}\n\
         users: {{from_csv: {csv}}}\nphases: [{{vus: 1, rounds: 1}}]\nmix: all\n"
    )
}

#[test]
fn deep_nesting_is_refused_at_its_position_in_every_yaml_file() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(
        dir.path().join("deep.yaml"),
        format!("description: {deep}\n"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "deep.yaml"], &[]);
    let e = refused(&out, 2, "deep.yaml:1:78: nested deeper than 64 levels");
    assert!(!e.contains("panicked"), "{e}");

    std::fs::write(dir.path().join("cat.yaml"), format!("cases: {deep}\n")).unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        std::fs::read_to_string(smoke())
            .unwrap()
            .replace("mix: all", "catalog: [cat.yaml]\nmix: all"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "s.yaml"], &[]);
    refused(&out, 2, "cat.yaml:1:72: nested deeper");

    std::fs::write(dir.path().join("dev.yaml"), format!("version: {deep}\n")).unwrap();
    let out = run_in(
        dir.path(),
        &["run", &smoke(), "--known-deviations", "dev.yaml"],
        &[],
    );
    refused(&out, 2, "dev.yaml:1:74: nested deeper");
}

#[test]
fn deep_json_is_refused_by_its_parser() {
    // serde_json stops at 128 levels on its own.
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(dir.path().join("summary.json"), &deep).unwrap();
    let out = run_in(
        dir.path(),
        &["compare", "summary.json", "summary.json"],
        &[],
    );
    refused(&out, 2, "recursion limit");
    std::fs::write(dir.path().join("in.json"), &deep).unwrap();
    let out = run_in(
        dir.path(),
        &["confirm-sign-up", "--cli-input-json", "file://in.json"],
        &[],
    );
    refused(&out, 252, "recursion limit");
}

#[test]
fn endless_scenario_and_catalog_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["validate", "/dev/zero"], &[]);
    refused(&out, 2, "/dev/zero: larger than 4 MiB");

    std::fs::write(
        dir.path().join("s.yaml"),
        std::fs::read_to_string(smoke())
            .unwrap()
            .replace("mix: all", "catalog: [/dev/zero]\nmix: all"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "s.yaml"], &[]);
    refused(
        &out,
        2,
        "/dev/zero: larger than 16 MiB, too large for a catalog file",
    );
}

#[test]
fn endless_secret_and_users_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let users: String = (0..100).map(|i| format!("u{i},123456\n")).collect();
    std::fs::write(
        dir.path().join("users.csv"),
        format!("username,code\n{users}"),
    )
    .unwrap();
    std::fs::write(dir.path().join("secret"), "s3cr3t\n").unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        existing_pool("${file:/dev/zero}", "users.csv"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "a.yaml"], &[]);
    refused(&out, 2, "secret file /dev/zero: larger than 64 KiB");

    std::fs::write(
        dir.path().join("b.yaml"),
        existing_pool("${file:secret}", "/dev/zero"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "b.yaml"], &[]);
    refused(
        &out,
        2,
        // Read twice, a users file must be a regular file: an endless device is refused
        // before it is read at all.
        "users.from_csv: /dev/zero: not a regular file",
    );

    // The good files pass: the limits leave real ones alone.
    std::fs::write(
        dir.path().join("c.yaml"),
        existing_pool("${file:secret}", "users.csv"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "c.yaml"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn endless_run_options_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    for (option, what) in [
        (
            "--known-deviations",
            "too large for a known-deviations file",
        ),
        ("--oracle", "too large for a snapshot file"),
        ("--ca-bundle", "too large for a PEM bundle file"),
    ] {
        let out = run_in(dir.path(), &["run", &smoke(), option, "/dev/zero"], &[]);
        let e = refused(&out, 2, "/dev/zero");
        assert!(e.contains(what), "{option}: {e}");
    }
}

#[test]
fn endless_summaries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let too_large = "/dev/zero: larger than 64 MiB, too large for a summary.json file";
    let out = run_in(dir.path(), &["compare", "/dev/zero", "/dev/zero"], &[]);
    refused(&out, 2, too_large);
    for format in ["html", "hlog", "json"] {
        let out = run_in(
            dir.path(),
            &["report", "/dev/zero", "--format", format],
            &[],
        );
        refused(&out, 2, too_large);
    }
    let out = run_in(
        dir.path(),
        &["merge", "/dev/zero", "/dev/zero", "--output-dir", "m"],
        &[],
    );
    refused(&out, 2, too_large);
}

#[test]
fn an_endless_cli_input_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &["confirm-sign-up", "--cli-input-json", "file:///dev/zero"],
        &[],
    );
    // The AWS CLI's exit code for a parameter it cannot read.
    refused(&out, 252, "/dev/zero: larger than 16 MiB");
}

#[test]
fn a_scenario_may_start_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}", std::fs::read_to_string(smoke()).unwrap());
    std::fs::write(dir.path().join("bom.yaml"), text).unwrap();
    let out = run_in(dir.path(), &["validate", "bom.yaml"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_missing_or_malformed_ca_bundle_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("not.pem"), "not a certificate\n").unwrap();
    let snapshot = dir.path().join("snap.json").display().to_string();
    for args in [
        vec!["run", &smoke(), "--ca-bundle", "/nonexistent.pem"],
        vec![
            "record",
            &smoke(),
            "--output",
            &snapshot,
            "--ca-bundle",
            "/nonexistent.pem",
        ],
    ] {
        let out = run_in(dir.path(), &args, &[]);
        refused(&out, 2, "CA bundle /nonexistent.pem");
    }
    let out = run_in(
        dir.path(),
        &["run", &smoke(), "--ca-bundle", "not.pem"],
        &[],
    );
    refused(&out, 2, "CA bundle not.pem");
    let out = run_in(
        dir.path(),
        &["run", &smoke()],
        &[("AWS_CA_BUNDLE", "/nonexistent.pem")],
    );
    refused(&out, 2, "CA bundle /nonexistent.pem");
    assert!(!Path::new(&snapshot).exists());
}

#[test]
fn requests_past_the_size_limit_are_refused_at_validation() {
    let dir = tempfile::tempdir().unwrap();
    let smoke = std::fs::read_to_string(smoke()).unwrap();
    let lines = smoke.lines().count();
    // Ten members of a million characters each: 2.6 GB for four requests before the limit.
    let metadata: String = (0..10)
        .map(|i| format!("    k{i}: $repeat(x,1048576)\n"))
        .collect();
    std::fs::write(
        dir.path().join("a.yaml"),
        format!("{smoke}request:\n  ClientMetadata:\n{metadata}"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "a.yaml"], &[]);
    refused(&out, 2, &format!("a.yaml:{}:3: request", lines + 2));

    // Members that fit one by one but not together, and not with a case's own members.
    let half = "{k: \"$repeat(x,600000)\"}";
    std::fs::write(
        dir.path().join("b.yaml"),
        format!("{smoke}request:\n  ClientMetadata: {half}\n  AnalyticsMetadata: {half}\n"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "b.yaml"], &[]);
    refused(
        &out,
        2,
        "request: AnalyticsMetadata: the request body would take",
    );
    let metadata: String = (0..10)
        .map(|i| format!("    k{i}: $repeat(x,100000)\n"))
        .collect();
    std::fs::write(
        dir.path().join("c.yaml"),
        format!("{smoke}request:\n  ClientMetadata:\n{metadata}"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "c.yaml"], &[]);
    refused(&out, 2, "with the members of case `member-");
}

#[test]
fn a_corrupt_histogram_is_refused_by_every_reader_of_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("fixtures/reports/oracle-summary.json")).unwrap(),
    )
    .unwrap();
    let case = summary["cases"][0]["name"].as_str().unwrap().to_owned();
    summary["cases"][0]["histograms"]["response"] = "AAAA".into();
    std::fs::write(dir.path().join("summary.json"), summary.to_string()).unwrap();
    let named = format!("summary.json: case {case}'s response histogram");
    for format in ["hlog", "html", "json", "markdown"] {
        let out = run_in(
            dir.path(),
            &["report", "summary.json", "--format", format],
            &[],
        );
        refused(&out, 2, &named);
    }
    let out = run_in(
        dir.path(),
        &["compare", "summary.json", "summary.json"],
        &[],
    );
    refused(&out, 2, &named);
    let out = run_in(
        dir.path(),
        &["merge", "summary.json", "--output-dir", "m"],
        &[],
    );
    refused(&out, 2, &named);
}

#[test]
fn report_and_merge_refuse_an_output_folder_they_cannot_write_before_reading_anything() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo("fixtures/reports/oracle-summary.json"),
        dir.path().join("summary.json"),
    )
    .unwrap();
    std::fs::write(dir.path().join("taken"), "a file, not a folder").unwrap();
    let out = run_in(
        dir.path(),
        &[
            "report",
            "summary.json",
            "--format",
            "csv",
            "--output-dir",
            "taken",
        ],
        &[],
    );
    refused(&out, 2, "--output-dir taken: is a file, not a folder");
    let out = run_in(
        dir.path(),
        &["merge", "summary.json", "--output-dir", "taken/m"],
        &[],
    );
    refused(
        &out,
        2,
        "--output-dir taken/m: taken is a file, not a folder",
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken")).unwrap(),
        "a file, not a folder"
    );
}
