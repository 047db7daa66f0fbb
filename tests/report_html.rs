//! report.html: written by a run asked for it, and written again by `cogbench report`.

use std::process::Command;

use crate::support::{bin, read_json, repo};

#[test]
fn a_run_writes_report_html_and_cogbench_report_writes_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("short.yaml");
    std::fs::write(
        &scenario,
        "name: short\nphases: [{arrival_rate: 100, duration: 2s}]\nmix: {wrong-code: 3, valid-code: 1}\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = Command::new(bin())
        .args(["run", scenario.to_str().unwrap(), "--output-dir"])
        .arg(&out)
        .args(["--progress", "quiet", "--report", "html"])
        .current_dir(repo(""))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report = out.join("report.html");
    let first = std::fs::read_to_string(&report).expect("the run wrote report.html");

    std::fs::remove_file(&report).unwrap();
    let o = Command::new(bin())
        .args(["report"])
        .arg(&out)
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        report.display().to_string()
    );
    let again = std::fs::read_to_string(&report).expect("cogbench report wrote report.html");
    assert_eq!(first, again, "the page is a function of summary.json");

    for chart in [
        "latency-over-time",
        "throughput-over-time",
        "percentile-distribution",
    ] {
        let at = again
            .find(&format!("data-chart=\"{chart}\""))
            .unwrap_or_else(|| panic!("no {chart} chart"));
        let svg = &again[at..at + again[at..].find("</svg>").unwrap()];
        assert!(
            svg.contains("<polyline data-series="),
            "{chart} has no line"
        );
    }
    let summary = read_json(&out.join("summary.json"));
    for case in summary["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        assert_eq!(
            again.matches(&format!("data-case=\"{name}\"")).count(),
            1,
            "{name}"
        );
    }
    assert!(
        !again.contains("<script"),
        "no script needed to see the page"
    );
}
