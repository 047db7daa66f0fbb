//! The five executors on the embedded emulator: each sends what its schedule says and reports
//! its name, and the run's `timing` tells how well the schedule was kept.

use crate::support::{plan_from_str, run_quiet};

#[tokio::test]
async fn each_executor_runs_its_schedule() {
    let plan = plan_from_str(
        "name: executors\n\
         phases:\n\
         \x20 - {executor: ramping-arrival-rate, start_rate: 0, stages: [{target: 400, duration: 1s}, {target: 400, duration: 500ms}]}\n\
         \x20 - {executor: iterations, vus: 4, iterations: 50}\n\
         \x20 - {executor: ramping-vus, start_vus: 1, stages: [{target: 4, duration: 400ms}, {target: 0, duration: 400ms}]}\n\
         \x20 - {executor: constant-vus, vus: 2, duration: 300ms, think_time: 10ms}\n\
         \x20 - {executor: constant-arrival-rate, rate: 200, duration: 500ms}\n\
         mix: {unknown-user: 1}\n",
    );
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    let executors: Vec<&str> = s.phases.iter().map(|p| p.executor).collect();
    assert_eq!(
        executors,
        [
            "ramping-arrival-rate",
            "iterations",
            "ramping-vus",
            "constant-vus",
            "constant-arrival-rate"
        ]
    );
    // 0 → 400/s over 1 s is 200 requests, then 400/s for 0.5 s another 200.
    assert_eq!(s.phases[0].starts, 400);
    assert_eq!(s.phases[1].starts, 50, "iterations are shared by the vus");
    assert!(s.phases[2].starts > 0 && s.phases[3].starts > 0);
    // Two users thinking 10 ms between requests for 0.3 s cannot pass 2 × 31 requests.
    assert!(s.phases[3].starts <= 62, "{}", s.phases[3].starts);
    assert_eq!(s.phases[4].starts, 100);
    assert_eq!(s.timing.mode, "mixed");
    let lag = s
        .timing
        .scheduling_lag_us
        .as_ref()
        .expect("open phases report lag");
    assert!(lag.max >= lag.p50);
    assert!(s.timing.late_starts <= 500);
    assert_eq!(s.timing.dropped, 0);
    assert_eq!(
        s.totals.requests,
        s.phases.iter().map(|p| p.requests).sum::<u64>()
    );
    assert_eq!(s.exit_code, 0);
}

#[tokio::test]
async fn a_saturated_open_phase_reports_what_it_could_not_send() {
    // Every answer takes 20 ms and one request may be in flight: at 200/s for 0.5 s (100
    // due), at most ~25 can be sent. The rest are late or dropped, never silently lost.
    let emulator = crate::support::faulty("delay=20ms").await;
    let plan = plan_from_str(&format!(
        "name: saturated\ntarget: {{endpoint: \"{}\"}}\n\
         phases: [{{executor: constant-arrival-rate, rate: 200, duration: 500ms, max_in_flight: 1}}]\n\
         mix: {{unknown-user: 1}}\n",
        emulator.endpoint()
    ));
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    let p = &s.phases[0];
    assert_eq!(
        p.starts + p.dropped,
        100,
        "every due request is sent or counted as dropped"
    );
    assert!(p.starts <= 30 && p.dropped >= 70, "{p:?}");
    assert!(s.timing.late_starts >= p.starts - 2, "{:?}", s.timing);
    assert_eq!(s.timing.dropped, p.dropped);
    // Response time counts the wait for the bound; service time does not.
    assert!(
        s.totals.latency_us.max > 100_000,
        "{:?}",
        s.totals.latency_us
    );
    assert!(
        s.totals.service_time_us.p50 < 100_000,
        "{:?}",
        s.totals.service_time_us
    );
}

#[tokio::test]
async fn http2_reaches_the_emulator_and_is_judged_like_http1() {
    let plan = plan_from_str(
        "name: h2\nhttp: {version: \"2\", connections: 4}\n\
         phases: [{executor: iterations, vus: 4, iterations: 40}]\n\
         mix: {valid-code: 1, wrong-code: 1, unknown-user: 1, malformed-json: 1}\n",
    );
    assert!(plan.http.http2);
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_eq!(s.totals.requests, 40);
    assert!(
        s.cases
            .iter()
            .all(|c| c.verdict == cogbench::report::Verdict::Pass),
        "{:?}",
        s.cases
    );
    assert_eq!(s.plan.http.version, "2");
}

#[tokio::test]
async fn throttling_is_counted_apart_and_retries_never_hide_it() {
    let emulator = crate::support::faulty("throttle=0.3").await;
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::support::probe_catalog(dir.path());
    let raw = |retry: &str| {
        crate::support::probe_scenario(
            &catalog,
            &emulator.endpoint(),
            "[{executor: iterations, vus: 4, iterations: 200}]",
            retry,
        )
    };
    let (plain, _d1) = run_quiet(plan_from_str(&raw(""))).await;
    let s = &plain.summary;
    let throttled = s.totals.by_class["throttled"];
    assert!(throttled > 20, "{:?}", s.totals.by_class);
    assert_eq!(s.totals.requests, 200);
    assert_eq!(s.totals.retries, 0);
    assert_eq!(
        s.cases[0].judged + throttled,
        200,
        "throttled answers are never judged"
    );

    let (retried, _d2) = run_quiet(plan_from_str(&raw(
        "retry: {max_attempts: 4, base_delay: 1ms, max_delay: 5ms}\n",
    )))
    .await;
    let s = &retried.summary;
    let throttled = s.totals.by_class["throttled"];
    assert!(s.totals.retries > 20, "{}", s.totals.retries);
    assert_eq!(
        s.totals.requests,
        200 + s.totals.retries,
        "every attempt is recorded"
    );
    assert!(
        throttled >= s.totals.retries.min(200) / 2,
        "first failures stay counted: {throttled}"
    );
    assert_eq!(s.cases[0].retries, s.totals.retries);
    let table = cogbench::report::table::render(s);
    assert!(
        table.contains("TooManyRequestsException") && table.contains("achieved un-throttled rate"),
        "{table}"
    );
    assert_eq!(s.cases[0].verdict, cogbench::report::Verdict::Pass);
    assert_eq!(s.plan.retry.max_attempts, 4);
}
