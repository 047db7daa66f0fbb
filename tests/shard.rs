//! `run --shard I/N` and `merge`: two shards run as two processes at once against one
//! standalone emulator add up, once merged, to one whole run of the same scenario.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::Deserializer;
use serde_json::Value;

use crate::support::{bin, read_json, repo};

/// A fixed number of iterations, then a fixed rate: both split exactly.
const SCENARIO: &str = "name: sharded\n\
phases:\n\
  - {name: fixed, vus: 3, iterations: 61}\n\
  - {name: steady, arrival_rate: 40, duration: 2s}\n\
mix: {valid-code: 2, wrong-code: 1, unknown-user: 1}\n\
thresholds: [conformance_failures == 0, \"p99 < 2s\", requests == 141]\n\
reports: [json, csv, markdown]\n";

struct Emulator {
    child: Child,
    url: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn emulator() -> Emulator {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin())
        .args(["emulator", "--port", &port.to_string()])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the emulator did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Emulator {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

fn run(scenario: &Path, url: &str, out: &Path, shard: Option<&str>) -> Child {
    run_with(scenario, url, out, shard, &[])
}

fn run_with(scenario: &Path, url: &str, out: &Path, shard: Option<&str>, extra: &[&str]) -> Child {
    let mut args = vec![
        "run".to_owned(),
        scenario.display().to_string(),
        "--endpoint-url".into(),
        url.into(),
        "--output-dir".into(),
        out.display().to_string(),
    ];
    if !extra.contains(&"--progress") {
        args.extend(["--progress".into(), "quiet".into()]);
    }
    if let Some(s) = shard {
        args.extend(["--shard".into(), s.into()]);
    }
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    Command::new(bin())
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finished(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Decoded independently of cogbench's codec: base64, then HdrHistogram's own deserializer.
fn histogram(encoded: &Value) -> Histogram<u64> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_str().expect("an encoded histogram"))
        .unwrap();
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .unwrap()
}

fn case<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

fn assert_percentiles(figures: &Value, h: &Histogram<u64>, what: &str) {
    assert_eq!(figures["p50"], h.value_at_quantile(0.5), "{what} p50");
    assert_eq!(figures["p99"], h.value_at_quantile(0.99), "{what} p99");
    assert_eq!(figures["max"], h.max(), "{what} max");
}

#[test]
fn two_shards_merged_add_up_to_one_whole_run() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("sharded.yaml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let (one, two, whole, merged) = (
        dir.path().join("shard-1"),
        dir.path().join("shard-2"),
        dir.path().join("whole"),
        dir.path().join("merged"),
    );

    // The two shards at once, as two machines would run them: one start time, computed once
    // (as a Kubernetes Job's is), far enough ahead for both set-ups.
    let at = cogbench::time::rfc3339_utc_millis(SystemTime::now() + Duration::from_secs(5));
    let start = ["--start-at", at.as_str()];
    let a = run_with(&scenario, &emulator.url, &one, Some("1/2"), &start);
    let b = run_with(&scenario, &emulator.url, &two, Some("2/2"), &start);
    let (a, b) = (finished(a), finished(b));
    // A shard's own gate judges its part: `requests == 141` is the whole scenario's.
    for (o, n) in [(&a, 1), (&b, 2)] {
        assert!(
            text(o).contains("requests == 141"),
            "shard {n}: {}",
            text(o)
        );
        assert_eq!(o.status.code(), Some(1), "shard {n}: {}", text(o));
    }
    let w = finished(run(&scenario, &emulator.url, &whole, None));
    assert_eq!(w.status.code(), Some(0), "{}", text(&w));

    let m = Command::new(bin())
        .args(["merge"])
        .args([&one, &two])
        .arg("--output-dir")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(m.status.code(), Some(0), "{}", text(&m));
    assert!(!text(&m).contains("warning"), "{}", text(&m));
    for file in ["summary.json", "latency.csv", "timeline.csv", "summary.md"] {
        assert!(merged.join(file).exists(), "{file} written");
    }

    let s1 = read_json(&one.join("summary.json"));
    let s2 = read_json(&two.join("summary.json"));
    let whole = read_json(&whole.join("summary.json"));
    let merged = read_json(&merged.join("summary.json"));
    assert_eq!(s1["shard"], serde_json::json!({"index": 1, "count": 2}));
    assert_eq!(s2["shard"], serde_json::json!({"index": 2, "count": 2}));
    assert_eq!(whole["shard"], Value::Null);
    assert_eq!(merged["merged"]["complete"], true);
    // Both shards were given the time, and the merge says how far apart they started.
    let requested = cogbench::time::parse_rfc3339(&at).unwrap();
    for s in [&s1, &s2] {
        let asked = cogbench::time::parse_rfc3339(s["start_at"].as_str().unwrap()).unwrap();
        assert_eq!(asked, requested);
        assert!(
            s["start_late_ms"].as_f64().unwrap() < 50.0,
            "{}",
            s["start_late_ms"]
        );
    }
    assert_eq!(merged["start_at"], s1["start_at"]);
    let spread = merged["merged"]["start_spread_ms"].as_f64().unwrap();
    assert!((0.0..50.0).contains(&spread), "start spread {spread} ms");

    // The shards' parts: the rate halved, the iterations and requests split.
    assert_eq!(s1["plan"]["phases"][1]["start_rate"], 20.0);
    assert_eq!(s1["plan"]["shard"]["phases"][1]["start_rate"], 40.0);
    assert_eq!(
        s1["phases"][0]["requests"].as_u64().unwrap()
            + s2["phases"][0]["requests"].as_u64().unwrap(),
        61
    );
    assert_eq!(merged["plan"]["phases"], whole["plan"]["phases"]);

    // Counts: the merge is the whole run's.
    let requests = |s: &Value| s["totals"]["requests"].as_u64().unwrap();
    assert_eq!(requests(&whole), 61 + 80);
    assert_eq!(requests(&merged), requests(&whole));
    assert_eq!(requests(&s1) + requests(&s2), requests(&merged));
    assert_eq!(merged["totals"]["by_class"], whole["totals"]["by_class"]);
    assert_eq!(merged["totals"]["sent"], whole["totals"]["sent"]);
    for name in ["valid-code", "wrong-code", "unknown-user"] {
        assert_eq!(
            case(&merged, name)["count"],
            case(&whole, name)["count"],
            "{name}"
        );
        assert_eq!(
            case(&merged, name)["by_class"],
            case(&whole, name)["by_class"],
            "{name}"
        );
        assert_eq!(case(&merged, name)["verdict"], "pass", "{name}");
    }
    for (i, phase) in merged["phases"].as_array().unwrap().iter().enumerate() {
        assert_eq!(phase["requests"], whole["phases"][i]["requests"]);
    }
    assert_eq!(
        merged["phases"][1]["planned_rate"],
        serde_json::json!([40.0, 40.0])
    );
    let timeline: u64 = merged["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["requests"].as_u64().unwrap())
        .sum();
    assert_eq!(timeline, requests(&whole));

    // Percentiles: those of the two shards' histograms added together.
    let (mut all_response, mut all_service) = (
        Histogram::<u64>::new(3).unwrap(),
        Histogram::<u64>::new(3).unwrap(),
    );
    for name in ["valid-code", "wrong-code", "unknown-user"] {
        // Auto-resizing, as decoded histograms are not: their ranges may differ.
        let (mut response, mut service) = (
            Histogram::<u64>::new(3).unwrap(),
            Histogram::<u64>::new(3).unwrap(),
        );
        for s in [&s1, &s2] {
            response
                .add(histogram(&case(s, name)["histograms"]["response"]))
                .unwrap();
            service
                .add(histogram(&case(s, name)["histograms"]["service"]))
                .unwrap();
        }
        assert_eq!(
            response.len(),
            case(&whole, name)["count"].as_u64().unwrap()
        );
        assert_percentiles(&case(&merged, name)["latency_us"], &response, name);
        assert_percentiles(&case(&merged, name)["service_time_us"], &service, name);
        assert_eq!(
            histogram(&case(&merged, name)["histograms"]["response"]).len(),
            response.len()
        );
        all_response.add(&response).unwrap();
        all_service.add(&service).unwrap();
    }
    assert_percentiles(&merged["totals"]["latency_us"], &all_response, "totals");
    assert_percentiles(&merged["totals"]["service_time_us"], &all_service, "totals");

    // Thresholds judged again on the merge: the whole scenario's request count holds.
    let thresholds = merged["thresholds"].as_array().unwrap();
    assert_eq!(thresholds.len(), 3);
    assert!(
        thresholds.iter().all(|t| t["passed"] == true),
        "{thresholds:?}"
    );
    assert_eq!(merged["exit_code"], 0);

    // Every summary follows the schema.
    let schema = read_json(&repo("fixtures/summary.schema.json"));
    let v = jsonschema::validator_for(&schema).unwrap();
    for (doc, what) in [(&s1, "shard 1"), (&merged, "merged"), (&whole, "whole")] {
        let errors: Vec<String> = v
            .iter_errors(doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{what}");
    }

    // One shard alone is not the whole scenario: merged with a warning, and its gate fails.
    let alone = dir.path().join("alone");
    let o = Command::new(bin())
        .args(["merge"])
        .arg(&one)
        .arg("--output-dir")
        .arg(&alone)
        .output()
        .unwrap();
    assert!(text(&o).contains("shard 2/2 missing"), "{}", text(&o));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(
        read_json(&alone.join("summary.json"))["merged"]["complete"],
        false
    );
}

/// Parses `load starts X ms apart` out of merge's table.
fn printed_spread(table: &str) -> f64 {
    let line = table
        .lines()
        .find(|l| l.starts_with("shards: "))
        .unwrap_or_else(|| panic!("no shards line in\n{table}"));
    let (_, rest) = line.split_once("load starts ").unwrap();
    rest.split_once(" ms apart").unwrap().0.parse().unwrap()
}

#[test]
fn shards_given_one_start_at_start_their_loads_together() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("together.yaml");
    std::fs::write(
        &scenario,
        "name: together\n\
phases: [{name: steady, vus: 2, duration: 1s}]\n\
mix: {unknown-user: 1, wrong-code: 1}\n\
reports: [json, markdown]\n",
    )
    .unwrap();
    let (one, two, merged) = (
        dir.path().join("shard-1"),
        dir.path().join("shard-2"),
        dir.path().join("merged"),
    );
    let start = ["--start-at", "+3s", "--progress", "plain"];
    let launched = Instant::now();
    let a = run_with(&scenario, &emulator.url, &one, Some("1/2"), &start);
    let b = run_with(&scenario, &emulator.url, &two, Some("2/2"), &start);
    let (a, b) = (finished(a), finished(b));
    for (o, n) in [(&a, 1), (&b, 2)] {
        assert_eq!(o.status.code(), Some(0), "shard {n}: {}", text(o));
        assert!(
            text(o).contains("set-up done; waiting for the start at"),
            "shard {n}: {}",
            text(o)
        );
    }
    // Set-up done, the loads waited for their start: 3 s, then the 1 s phase.
    assert!(launched.elapsed() >= Duration::from_secs(4));
    let s1 = read_json(&one.join("summary.json"));
    let s2 = read_json(&two.join("summary.json"));
    for s in [&s1, &s2] {
        let at = cogbench::time::parse_rfc3339(s["start_at"].as_str().unwrap()).unwrap();
        let began = cogbench::time::parse_rfc3339(s["load_started_at"].as_str().unwrap()).unwrap();
        assert!(began >= at, "{s:?}");
        // Microseconds, so that shards' starts can be told apart below a millisecond.
        assert_eq!(s["load_started_at"].as_str().unwrap().len(), 27);
    }

    let m = Command::new(bin())
        .args(["merge"])
        .args([&one, &two])
        .arg("--output-dir")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(m.status.code(), Some(0), "{}", text(&m));
    let summary = read_json(&merged.join("summary.json"));
    let spread = summary["merged"]["start_spread_ms"].as_f64().unwrap();
    // Each process counts +3s from its own start, so the instants asked differ by how far
    // apart the two processes started (tens of milliseconds on a loaded machine); the loads
    // began within 50 ms of that. An absolute time given to both (the test above) leaves
    // only the wake-up.
    let time =
        |s: &Value, key: &str| cogbench::time::parse_rfc3339(s[key].as_str().unwrap()).unwrap();
    let (asked_1, asked_2) = (time(&s1, "start_at"), time(&s2, "start_at"));
    let asked_apart = asked_1
        .max(asked_2)
        .duration_since(asked_1.min(asked_2))
        .unwrap();
    assert!(
        spread >= 0.0 && spread < asked_apart.as_secs_f64() * 1e3 + 50.0,
        "start spread {spread} ms, asked {asked_apart:?} apart"
    );
    assert_eq!(text(&m).contains("warning"), spread > 50.0, "{}", text(&m));
    let starts: Vec<SystemTime> = [&s1, &s2]
        .iter()
        .map(|s| time(s, "load_started_at"))
        .collect();
    let apart = starts[0]
        .max(starts[1])
        .duration_since(starts[0].min(starts[1]))
        .unwrap();
    assert!(
        (apart.as_secs_f64() * 1e3 - spread).abs() < 0.002,
        "{apart:?} vs {spread}"
    );
    assert!((printed_spread(&String::from_utf8_lossy(&m.stdout)) - spread).abs() < 0.001);
    let md = std::fs::read_to_string(merged.join("summary.md")).unwrap();
    assert!(
        md.contains(&format!("load starts {spread:.3} ms apart")),
        "{md}"
    );
}

#[test]
fn a_start_at_that_cannot_be_kept_is_bad_input() {
    for (bad, says) in [
        ("yesterday", "expected an RFC 3339 time"),
        ("+1x", "expected a duration"),
        ("2020-01-01T00:00:00Z", "in the past"),
        ("+25h", "limit of 24h"),
    ] {
        for command in [
            vec!["run", "scenarios/smoke.yaml"],
            vec!["bench", "--duration", "1s"],
        ] {
            let o = Command::new(bin())
                .args(&command)
                .args(["--start-at", bad])
                .current_dir(repo(""))
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(2), "{command:?} {bad}: {}", text(&o));
            assert!(text(&o).contains("--start-at: "), "{}", text(&o));
            assert!(text(&o).contains(says), "{bad}: {}", text(&o));
        }
    }
}

#[test]
fn bad_shards_are_bad_input() {
    for bad in ["0/3", "4/3", "x", "1/0", "1/1001"] {
        let o = Command::new(bin())
            .args(["run", "scenarios/smoke.yaml", "--shard", bad])
            .current_dir(repo(""))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o));
        assert!(text(&o).contains("--shard"), "{bad}: {}", text(&o));
    }
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(bin())
        .args(["merge", "no/such/run", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// A summary.json whose `shard` no `--shard` could have written: merge sized and indexed its
/// tally of the shards by it (a panic, or gigabytes for a large count); every reader refuses it.
#[test]
fn a_summary_with_an_impossible_shard_is_bad_input_for_every_reader() {
    let mut summary = read_json(&repo("fixtures/reports/failing-summary.json"));
    let dir = tempfile::tempdir().unwrap();
    let good = repo("fixtures/reports/failing-summary.json");
    let merged = dir.path().join("m");
    for (i, shard) in [(5, 2), (1, 0), (0, 3), (1, 1001)].into_iter().enumerate() {
        summary["shard"] = serde_json::json!({"index": shard.0, "count": shard.1});
        let run = dir.path().join(format!("run{i}"));
        std::fs::create_dir_all(&run).unwrap();
        let file = run.join("summary.json");
        std::fs::write(&file, summary.to_string()).unwrap();
        let commands: [Vec<&std::ffi::OsStr>; 3] = [
            vec![
                "merge".as_ref(),
                run.as_ref(),
                "--output-dir".as_ref(),
                merged.as_os_str(),
            ],
            vec![
                "report".as_ref(),
                run.as_ref(),
                "--format".as_ref(),
                "html".as_ref(),
            ],
            vec!["compare".as_ref(), good.as_ref(), run.as_ref()],
        ];
        for args in commands {
            let o = Command::new(bin()).args(&args).output().unwrap();
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{shard:?} {args:?}: {t}");
            assert!(
                t.contains(&file.display().to_string()),
                "{shard:?} {args:?}: {t}"
            );
            assert!(t.contains("shard"), "{shard:?} {args:?}: {t}");
            assert!(!t.contains("panicked"), "{shard:?} {args:?}: {t}");
        }
    }
}
