//! `--metrics-listen`: a run on the embedded emulator scraped with a plain HTTP client while it
//! goes (counters never go down) and after it ends (every counter equals summary.json's, every
//! quantile lies in the bucket the histogram puts it in); a port in use is bad input before
//! anything is sent; an interrupted run does not wait for a scrape.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, probe_catalog, probe_scenario, read_json};

type Series = BTreeMap<(String, BTreeMap<String, String>), f64>;

/// GET /metrics with std's TcpStream: the status line and the samples (comments skipped).
fn scrape(url: &str) -> Series {
    let addr = url
        .strip_prefix("http://")
        .and_then(|u| u.strip_suffix("/metrics"))
        .unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET /metrics HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    let mut series = Series::new();
    for line in body.lines().filter(|l| !l.starts_with('#')) {
        let (name_labels, value) = line.rsplit_once(' ').unwrap();
        let (name, labels) = name_labels.split_once('{').unwrap();
        let labels = labels
            .strip_suffix('}')
            .unwrap()
            .split("\",")
            .map(|kv| {
                let (k, v) = kv.split_once("=\"").unwrap();
                (k.to_owned(), v.trim_end_matches('"').to_owned())
            })
            .collect();
        let value = if value == "+Inf" {
            f64::INFINITY
        } else {
            value.parse().unwrap()
        };
        series.insert((name.to_owned(), labels), value);
    }
    series
}

fn get(s: &Series, name: &str, labels: &[(&str, &str)]) -> f64 {
    let hits: Vec<f64> = s
        .iter()
        .filter(|((n, l), _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(hits.len(), 1, "{name} {labels:?}");
    hits[0]
}

/// Starts `cogbench run` with `args` and waits for the URL it prints.
fn start(args: &[&str]) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("cogbench: live metrics at ") {
            url = Some(u.to_owned());
            break;
        }
    }
    let rest =
        std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    (child, url.expect("the URL on stderr"), rest)
}

const SCENARIO: &str = "name: live-metrics\n\
    phases:\n\
    \x20 - {name: conformance, vus: 2, rounds: 1}\n\
    \x20 - {name: steady, arrival_rate: 150, duration: 3s}\n\
    mix: {valid-code: 3, wrong-code: 2, unknown-user: 1, code-missing: 1}\n";

#[test]
fn scraped_counters_grow_and_end_equal_to_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("live.yaml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.path().join("out");
    let (mut child, url, stderr) = start(&[
        "run",
        scenario.to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
        "--progress",
        "quiet",
        "--metrics-listen",
        "127.0.0.1:0",
        "--metrics-linger",
        "5m",
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let counters = |s: &Series| -> BTreeMap<(String, BTreeMap<String, String>), f64> {
        s.iter()
            .filter(|((n, _), _)| {
                n.ends_with("_total") || n.ends_with("_bucket") || n.ends_with("_count")
            })
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    let started = Instant::now();
    let mut last = counters(&scrape(&url));
    let mut scrapes_with_cases = 0;
    let last_scrape = loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the run never finished"
        );
        std::thread::sleep(Duration::from_millis(200));
        let s = scrape(&url);
        let now = counters(&s);
        for (k, v) in &last {
            let later = now
                .get(k)
                .copied()
                .unwrap_or_else(|| panic!("{k:?} went away"));
            assert!(later >= *v, "{k:?} went down from {v} to {later}");
        }
        scrapes_with_cases += usize::from(!now.is_empty());
        last = now;
        if get(&s, "cogbench_run_finished", &[]) == 1.0 {
            break s;
        }
    };
    assert!(scrapes_with_cases > 3, "scraped while the run went");
    // The final figures were read: the endpoint stops waiting long before its 5 minutes.
    let waited = Instant::now();
    let status = child.wait().unwrap();
    assert!(waited.elapsed() < Duration::from_secs(30));
    let stderr = stderr.join().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");

    let summary = read_json(&out.join("summary.json"));
    let s = &last_scrape;
    let totals = &summary["totals"];
    let mut requests = 0.0;
    for case in summary["cases"].as_array().unwrap() {
        let id = case["name"].as_str().unwrap();
        for (class, n) in case["by_class"].as_object().unwrap() {
            let scraped = get(
                s,
                "cogbench_requests_total",
                &[("case", id), ("class", class)],
            );
            assert_eq!(scraped, n.as_f64().unwrap(), "{id} {class}");
            requests += scraped;
        }
        let verdict = |v| {
            get(
                s,
                "cogbench_verdicts_total",
                &[("case", id), ("verdict", v)],
            )
        };
        assert_eq!(verdict("pass"), case["passed_responses"].as_f64().unwrap());
        assert_eq!(verdict("fail"), case["failed_responses"].as_f64().unwrap());
        for check in case["by_check"].as_array().unwrap() {
            let name = check["check"].as_str().unwrap();
            let scraped = get(
                s,
                "cogbench_check_failures_total",
                &[("case", id), ("check", name)],
            );
            assert_eq!(scraped, check["failed"].as_f64().unwrap(), "{id} {name}");
        }
        assert_eq!(
            get(s, "cogbench_retries_total", &[("case", id)]),
            case["retries"].as_f64().unwrap()
        );
        for (family, field) in [
            ("cogbench_latency_seconds", "latency_us"),
            ("cogbench_service_time_seconds", "service_time_us"),
        ] {
            let count = get(s, &format!("{family}_count"), &[("case", id)]);
            assert_eq!(count, case["count"].as_f64().unwrap(), "{id}");
            let mut buckets: Vec<(f64, f64)> = s
                .iter()
                .filter(|((n, l), _)| *n == format!("{family}_bucket") && l["case"] == id)
                .map(|((_, l), v)| (l["le"].parse::<f64>().unwrap(), *v))
                .collect();
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert_eq!(buckets.last().unwrap().1, count);
            // Where Prometheus's histogram_quantile would look for q, summary.json's
            // percentile is: between that bucket's bounds.
            for (q, p) in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p999")] {
                let pct = case[field][p].as_f64().unwrap() / 1e6;
                let rank = q * count;
                let at = buckets.iter().position(|(_, c)| *c >= rank).unwrap();
                let lower = if at == 0 { 0.0 } else { buckets[at - 1].0 };
                assert!(
                    lower < pct && pct <= buckets[at].0,
                    "{id} {field} {p}: {pct} s outside ({lower}, {}]",
                    buckets[at].0
                );
            }
        }
    }
    assert_eq!(requests, totals["requests"].as_f64().unwrap());
    assert!(requests > 300.0, "{requests}");
    assert_eq!(
        get(s, "cogbench_requests_sent_total", &[]),
        totals["sent"].as_f64().unwrap()
    );
    let timing = &summary["timing"];
    assert_eq!(
        get(s, "cogbench_late_starts_total", &[]),
        timing["late_starts"].as_f64().unwrap()
    );
    assert_eq!(
        get(s, "cogbench_dropped_starts_total", &[]),
        timing["dropped"].as_f64().unwrap()
    );
    assert_eq!(get(s, "cogbench_in_flight_requests", &[]), 0.0);
    for l in s.keys().map(|(_, l)| l) {
        assert_eq!(l["scenario"], "live-metrics");
    }
}

/// A port already in use: exit 2, and the target never hears from the run.
#[test]
fn a_port_in_use_is_bad_input_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    target.set_nonblocking(true).unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let scenario = dir.path().join("scenario.yaml");
    let endpoint = format!("http://{}", target.local_addr().unwrap());
    std::fs::write(
        &scenario,
        probe_scenario(
            &probe_catalog(dir.path()),
            &endpoint,
            "[{name: p, vus: 1, rounds: 1}]",
            "",
        ),
    )
    .unwrap();
    let out = Command::new(bin())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--output-dir",
            dir.path().join("out").to_str().unwrap(),
            "--metrics-listen",
            &busy.local_addr().unwrap().to_string(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--metrics-listen") && stderr.contains("cannot listen"),
        "{stderr}"
    );
    assert_eq!(
        target.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "the target was reached"
    );
    // `bench` binds first too.
    let out = Command::new(bin())
        .args([
            "bench",
            "--endpoint-url",
            &endpoint,
            "--output-dir",
            dir.path().join("bench").to_str().unwrap(),
            "--metrics-listen",
            &busy.local_addr().unwrap().to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
    assert_eq!(
        target.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "bench reached the target"
    );
    // Not an address: clap's usage error, exit 2 too.
    let out = Command::new(bin())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--metrics-listen",
            "localhost",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Ctrl-C: the run stops and the process ends without waiting for a scrape.
#[test]
fn an_interrupted_run_does_not_linger() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long.yaml");
    std::fs::write(
        &scenario,
        "name: long\nphases:\n  - {name: p, arrival_rate: 50, duration: 10m}\nmix: {unknown-user: 1}\n",
    )
    .unwrap();
    let (mut child, url, stderr) = start(&[
        "run",
        scenario.to_str().unwrap(),
        "--output-dir",
        dir.path().join("out").to_str().unwrap(),
        "--progress",
        "quiet",
        "--metrics-listen",
        "127.0.0.1:0",
        "--metrics-linger",
        "10m",
    ]);
    // Going: a scrape shows requests.
    let started = Instant::now();
    while get(&scrape(&url), "cogbench_requests_sent_total", &[]) == 0.0 {
        assert!(started.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(100));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let stopping = Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{}", stderr.join().unwrap());
    assert!(stopping.elapsed() < Duration::from_secs(30));
}
