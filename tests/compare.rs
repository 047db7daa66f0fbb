//! `cogbench compare`: two runs of the same build against the same target are within the
//! limits; a run against a deliberately slowed emulator is flagged, and exits 1.

use std::process::Command;

use cogbench::emulator::{self, EmulatorConfig};
use cogbench::faults::Faults;

use crate::support::{bin, plan_from_str, run_quiet};

async fn run_against(faults: Option<&str>) -> (tempfile::TempDir, emulator::RunningEmulator) {
    let emulator = emulator::start(
        EmulatorConfig {
            faults: faults.map(|f| Faults::parse([f]).unwrap()),
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    // A fixed rate, so throughput is the schedule's in every run and only latency can move.
    let plan = plan_from_str(&format!(
        "name: compare\ntarget: {{endpoint: \"{}\"}}\n\
         phases: [{{executor: constant-arrival-rate, rate: 200, duration: 1s}}]\n\
         mix: {{unknown-user: 1, wrong-code: 1}}\n",
        emulator.endpoint()
    ));
    let (_, dir) = run_quiet(plan).await;
    (dir, emulator)
}

fn compare(a: &std::path::Path, b: &std::path::Path) -> (i32, String) {
    // 35 ms: above a debug build's jitter on a machine compiling beside it (20 ms was not,
    // at a load average of 9 on 2 cores), still below the injected 50 ms.
    let out = Command::new(bin())
        .args(["compare", "--min-p99-change-ms", "35"])
        .arg(a)
        .arg(b)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn flags_an_injected_regression_and_passes_the_same_build() {
    let (first, _e1) = run_against(None).await;
    let (second, _e2) = run_against(None).await;
    let (slow, _e3) = run_against(Some("delay=50ms")).await;

    let (code, text) = compare(first.path(), second.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("within limits"), "{text}");

    let (code, text) = compare(first.path(), slow.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("REGRESSION unknown-user: p99 up"), "{text}");
    assert!(text.contains("REGRESSION (all): p99 up"), "{text}");

    let out = Command::new(bin())
        .args(["compare", "--output", "json", "--min-p99-change-ms", "20"])
        .arg(first.path().join("summary.json"))
        .arg(slow.path())
        .output()
        .unwrap();
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["regressed"], true);
    assert_eq!(c["limits"]["min_p99_change_ms"], 20.0);
}

#[test]
fn refuses_what_is_not_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("summary.json"), "{\"hello\": 1}").unwrap();
    let out = Command::new(bin())
        .arg("compare")
        .arg(dir.path())
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a cogbench summary"));
}
