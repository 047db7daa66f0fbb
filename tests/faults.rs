//! A target that misbehaves: every fault is classified and counted under load, never a panic,
//! never a silent drop, never a conformance pass.

use std::time::Duration;

use cogbench::emulator::{self, EmulatorConfig};
use cogbench::report::{Summary, Verdict};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{faulty, plan_from_str, probe_catalog, probe_scenario, run_quiet};

async fn probe(endpoint: &str, phases: &str, extra: &str) -> Summary {
    let dir = tempfile::tempdir().unwrap();
    let catalog = probe_catalog(dir.path());
    let (outcome, _reports) = run_quiet(plan_from_str(&probe_scenario(
        &catalog, endpoint, phases, extra,
    )))
    .await;
    outcome.summary
}

const LOAD: &str = "[{executor: iterations, vus: 8, iterations: 120}]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_is_classified_and_counted() {
    for (spec, class, extra) in [
        ("error=1", "unexpected_error", ""),
        ("bare500=1", "unexpected_error", ""),
        ("throttle=1", "throttled", ""),
        ("reset=1", "transport_error", ""),
        ("hang=1", "timeout", "http: {read_timeout: 300ms}\n"),
    ] {
        let emu = faulty(spec).await;
        let s = probe(&emu.endpoint(), LOAD, extra).await;
        assert_eq!(s.totals.requests, 120, "{spec}: every request counted");
        assert_eq!(
            s.totals.by_class[class], 120,
            "{spec}: {:?}",
            s.totals.by_class
        );
        let case = &s.cases[0];
        assert_ne!(case.verdict, Verdict::Pass, "{spec}: a fault never passes");
        assert_eq!(s.exit_code, 1, "{spec}");
        emu.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_fault_rate_is_counted_exactly() {
    let emu = faulty("error=0.25").await;
    let s = probe(&emu.endpoint(), LOAD, "").await;
    let errors = s.totals.by_class["unexpected_error"];
    let passed = s.totals.by_class["expected_error"];
    assert_eq!(errors + passed, 120);
    assert!((10..=60).contains(&errors), "{errors} of 120 at 25%");
    assert_eq!(s.cases[0].failed_responses, errors);
    emu.shutdown().await;

    // A dropped connection is never hidden by sending the request again.
    let emu = faulty("reset=0.25").await;
    let s = probe(&emu.endpoint(), LOAD, "").await;
    let dropped = s.totals.by_class["transport_error"];
    assert_eq!(dropped + s.totals.by_class["expected_error"], 120);
    assert!((10..=60).contains(&dropped), "{dropped} of 120 at 25%");
    assert_eq!(s.totals.sent, 120, "each request sent once");
    emu.shutdown().await;
}

/// A raw server: answers every request with `answer` (written in pieces, `pause` apart).
async fn raw_server(answer: Vec<Vec<u8>>, pause: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    for piece in &answer {
                        if s.write_all(piece).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(pause).await;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_slow_and_non_json_answers() {
    // 10 MiB: the read is capped at 1 MiB and the exchange counted as a transport error.
    let mut huge = b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 10485760\r\n\r\n".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 10 << 20));
    let url = raw_server(vec![huge], Duration::ZERO).await;
    let s = probe(&url, "[{executor: iterations, vus: 2, iterations: 6}]", "").await;
    assert_eq!(
        s.totals.by_class["transport_error"], 6,
        "{:?}",
        s.totals.by_class
    );

    // A body that trickles past the read timeout.
    let mut slow = vec![b"HTTP/1.1 400 Bad Request\r\nContent-Length: 20\r\n\r\n".to_vec()];
    slow.extend((0..20).map(|_| b"x".to_vec()));
    let url = raw_server(slow, Duration::from_millis(50)).await;
    let s = probe(
        &url,
        "[{executor: iterations, vus: 2, iterations: 4}]",
        "http: {read_timeout: 300ms}\n",
    )
    .await;
    assert_eq!(s.totals.by_class["timeout"], 4, "{:?}", s.totals.by_class);

    // Not JSON: an answer, judged, and failing.
    let url = raw_server(
        vec![b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\n<h1>no</h1".to_vec()],
        Duration::ZERO,
    )
    .await;
    let s = probe(&url, "[{executor: iterations, vus: 2, iterations: 6}]", "").await;
    assert_eq!(
        s.totals.by_class["unexpected_error"], 6,
        "{:?}",
        s.totals.by_class
    );
    assert_eq!(s.cases[0].verdict, Verdict::Fail);
    assert!(!s.cases[0].failures.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_dies_and_comes_back() {
    let emu = emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (addr, endpoint) = (emu.addr, emu.endpoint());
    let run = tokio::spawn(async move {
        probe(
            &endpoint,
            "[{executor: constant-arrival-rate, rate: 200, duration: 3s}]",
            "http: {connect_timeout: 200ms}\n",
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    emu.shutdown().await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let back = emulator::start(EmulatorConfig::default(), addr)
        .await
        .unwrap();
    let s = run.await.unwrap();
    let p = &s.phases[0];
    assert_eq!(
        p.starts + p.dropped,
        600,
        "every due request is sent or counted"
    );
    assert_eq!(s.totals.requests, p.starts, "every request sent is counted");
    let (ok, down) = (
        s.totals.by_class["expected_error"],
        s.totals.by_class["transport_error"],
    );
    assert!(down > 20, "the outage shows: {:?}", s.totals.by_class);
    assert!(ok > 200, "before and after: {:?}", s.totals.by_class);
    // Requests after the target returned were answered again.
    let last = s.timeline.last().unwrap();
    assert_eq!(last.errors, 0, "{:?}", s.timeline);
    back.shutdown().await;
}

/// scenarios/chaos.yaml, shortened: every fault at once, and every request accounted for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chaos_scenario_accounts_for_every_request() {
    let text = std::fs::read_to_string(crate::support::repo("scenarios/chaos.yaml")).unwrap();
    let short = text.replace("duration: 10s", "duration: 3s");
    assert_ne!(short, text);
    let (outcome, _dir) = run_quiet(plan_from_str(&short)).await;
    let s = &outcome.summary;
    let t = &s.totals;
    assert_eq!(t.unaccounted, 0);
    assert_eq!(t.abandoned, 0);
    assert_eq!(t.sent, t.completed);
    assert_eq!(t.completed, t.by_class.values().sum::<u64>());
    assert_eq!(t.completed, t.requests);
    assert_eq!(s.phases[0].starts + s.phases[0].dropped, 1500);
    // Group cases aside, one start is one request, plus the retries.
    assert_eq!(t.requests, s.phases[0].starts + t.retries);
    for class in [
        "unexpected_error",
        "transport_error",
        "throttled",
        "expected_error",
    ] {
        assert!(t.by_class[class] > 0, "{class}: {:?}", t.by_class);
    }
    assert!(t.retries > 0);
    let held: Vec<_> = s
        .thresholds
        .iter()
        .map(|r| (r.expression.as_str(), r.passed))
        .collect();
    assert!(held.iter().all(|(_, passed)| *passed), "{held:?}");
    // The faults made answers wrong: those are failures, never passes.
    assert!(s.conformance.failed > 0);
}
