//! The shipped scenarios, end to end against the embedded emulator.

use cogbench::report::{Summary, Verdict};
use cogbench::scenario::Overrides;

use crate::support::{plan_from_file, plan_from_str, read_json, run_quiet};

/// Every count in a summary adds up: classes to case counts, cases to totals, verdict
/// tallies to cases.
fn assert_counts_add_up(s: &Summary) {
    let mut requests = 0;
    for c in &s.cases {
        let by_class: u64 = c.by_class.values().sum();
        assert_eq!(by_class, c.count, "{}: classes vs count", c.name);
        assert_eq!(
            c.passed_responses + c.failed_responses,
            c.judged,
            "{}",
            c.name
        );
        assert!(c.judged <= c.count, "{}", c.name);
        requests += c.count;
    }
    assert_eq!(requests, s.totals.requests);
    assert_eq!(s.totals.by_class.values().sum::<u64>(), s.totals.requests);
    let phase_requests: u64 = s.phases.iter().map(|p| p.requests).sum();
    assert_eq!(phase_requests, s.totals.requests);
    let per_second: u64 = s.timeline.iter().map(|p| p.requests).sum();
    assert_eq!(
        per_second, s.totals.requests,
        "the timeline covers every request"
    );
    let c = &s.conformance;
    assert_eq!((c.passed + c.failed + c.skipped) as usize, s.cases.len());
}

fn assert_all_pass(s: &Summary) {
    for c in &s.cases {
        assert_eq!(
            c.verdict,
            Verdict::Pass,
            "{}: {:?} {:?}",
            c.name,
            c.skip_reason,
            c.failures
        );
        assert_eq!(c.judged, c.count, "{}: every answer judged", c.name);
    }
    // Latency thresholds are the release build's promise (CI's smoke step gates them); a debug
    // build on a busy machine only has to have measured them, and to gate on what it measured.
    let (latency, rest): (Vec<_>, Vec<_>) = s.thresholds.iter().partition(|t| t.unit == "us");
    assert!(rest.iter().all(|t| t.passed), "{:?}", s.thresholds);
    assert!(latency.iter().all(|t| t.observed > 0.0), "{latency:?}");
    let failed = s.thresholds.iter().any(|t| !t.passed);
    assert_eq!(s.exit_code, i32::from(failed), "{:?}", s.thresholds);
    assert!(!s.partial);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_yaml_passes_every_case_with_postconditions() {
    let plan = plan_from_file("scenarios/conformance.yaml", &Overrides::default());
    let cases = plan.catalog.cases.len();
    // The plan's catalog: the scenario's race_size applied.
    let catalog = plan.catalog.clone();
    let (outcome, dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_all_pass(s);
    assert_counts_add_up(s);
    assert_eq!(s.cases.len(), cases);
    let expected: u64 = catalog
        .cases
        .iter()
        .map(|c| c.requests_per_execution())
        .sum();
    assert_eq!(
        s.totals.requests, expected,
        "rounds: 1 of the whole catalog"
    );
    assert_eq!(s.phases[0].starts, cases as u64);
    for c in &s.cases {
        let case = catalog.get(&c.name).unwrap();
        assert_eq!(c.count, case.requests_per_execution(), "{}", c.name);
        let has_post = !case.expect.post.is_empty();
        assert_eq!(
            c.postconditions_checked,
            u64::from(has_post),
            "{}: read back once per execution",
            c.name
        );
    }
    // Every documented error is provoked, or skipped with the reason the error table gives.
    let cov = &s.coverage;
    assert_eq!(cov.errors_documented, 16);
    assert_eq!(cov.members_covered, cov.members_total);
    for skipped in &cov.errors_skipped {
        let e = catalog
            .errors
            .iter()
            .find(|e| e.name == skipped.error)
            .unwrap();
        assert_eq!(
            Some(&skipped.reason),
            e.unprovokable.as_ref(),
            "{} was provokable",
            e.name
        );
    }
    assert_eq!(cov.errors_provoked as usize + cov.errors_skipped.len(), 16);
    // The reports on disk say the same.
    let json = read_json(&dir.path().join("summary.json"));
    assert_eq!(json["conformance"]["passed"], cases);
    assert_eq!(json["conformance"]["failed"], 0);
    let csv = std::fs::read_to_string(dir.path().join("latency.csv")).unwrap();
    assert_eq!(csv.lines().count(), cases + 1);
    assert!(csv.starts_with("case,verdict,"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_yaml_passes_and_meets_its_thresholds() {
    let plan = plan_from_file("scenarios/smoke.yaml", &Overrides::default());
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_all_pass(s);
    assert_counts_add_up(s);
    assert_eq!(s.thresholds.len(), 3, "{:?}", s.thresholds);
    assert_eq!(s.phases.len(), 2);
    assert_eq!(s.phases[1].model, "open");
    assert_eq!(s.phases[1].starts, 400, "200/s for 2 s");
    assert!(
        s.phases[1].requests >= 400,
        "group cases send several requests per start"
    );
    assert_eq!(s.phases[1].dropped, 0);
}

/// The shipped load mix, at a tenth of its rate so a debug build keeps up; the full rate is
/// measured by scripts/bench-load-mixed.sh on a release build.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_mixed_yaml_mix_is_judged_under_load() {
    let text = std::fs::read_to_string(crate::support::repo("scenarios/load-mixed.yaml")).unwrap();
    let scaled = text
        .replace("arrival_rate: 6000", "arrival_rate: 500")
        .replace("duration: 10s", "duration: 2s")
        .replace("  - rps >= 5000\n", "");
    assert_ne!(
        scaled, text,
        "the scenario still has the phase this test scales"
    );
    let plan = plan_from_str(&scaled);
    let weights: Vec<(String, u32)> = plan
        .mix
        .iter()
        .map(|m| (plan.catalog.cases[m.case].id.clone(), m.weight))
        .collect();
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_all_pass(s);
    assert_counts_add_up(s);
    assert_eq!(s.totals.requests, 1000);
    // The weighted round-robin gives exact proportions: 1000 requests are 10 cycles of 100.
    let cycle: u32 = weights.iter().map(|(_, w)| w).sum();
    assert_eq!(cycle, 100);
    for (id, w) in weights {
        let c = s.cases.iter().find(|c| c.name == id).unwrap();
        assert_eq!(c.count, u64::from(w) * 10, "{id}");
    }
    assert!(s.phases[0].schedule_lag_us.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_running_out_stops_the_run_clearly() {
    // A closed phase bounded by time cannot be sized in advance: pin the fresh users low.
    let plan = plan_from_str(
        "name: starve\nusers: {fresh: 3}\nphases: [{vus: 2, duration: 5s}]\nmix: {valid-code: 1}\n",
    );
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_eq!(s.exit_code, 1);
    assert!(s.partial);
    let reason = s.aborted.as_deref().unwrap();
    assert!(
        reason.contains("ran out of fresh UNCONFIRMED users after 3"),
        "{reason}"
    );
    assert_eq!(s.cases[0].count, 3, "never more confirms than fresh users");
    assert_eq!(s.cases[0].verdict, Verdict::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_the_pool_cannot_host_is_skipped_with_its_reason_never_passed() {
    let plan = plan_from_str(
        "name: noalias\npool: {alias_attributes: []}\nphases: [{vus: 1, rounds: 1}]\nmix: {alias-exists: 1, valid-code: 1}\n",
    );
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    let alias = s.cases.iter().find(|c| c.name == "alias-exists").unwrap();
    assert_eq!(alias.verdict, Verdict::Skipped);
    assert_eq!(alias.count, 0);
    assert!(
        alias
            .skip_reason
            .as_deref()
            .unwrap()
            .contains("email alias")
    );
    assert_eq!(s.conformance.skipped, 1);
    assert_eq!(s.conformance.passed, 1);
    assert_eq!(
        s.exit_code, 0,
        "a pool that cannot host a case is not a failure of the target"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_thresholds_fail_the_gate() {
    let plan = plan_from_str(
        "name: strict\nphases: [{vus: 1, rounds: 1}]\nmix: {wrong-code: 1}\nthresholds: [\"p99 < 1us\", \"requests >= 1\"]\n",
    );
    let (outcome, _dir) = run_quiet(plan).await;
    let t = &outcome.summary.thresholds;
    assert!(!t[0].passed && t[1].passed, "{t:?}");
    assert_eq!(outcome.exit_code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_request_members_reach_every_case() {
    let members = "request:\n  ClientMetadata: {team: payments}\n  AnalyticsMetadata: {AnalyticsEndpointId: ep-1}\n  UserContextData: {IpAddress: 127.0.0.1, EncodedData: abc}\n";
    let ok = plan_from_str(&format!(
        "name: members\n{members}phases: [{{vus: 2, rounds: 1}}]\nmix: all\n"
    ));
    let (outcome, _dir) = run_quiet(ok).await;
    assert_all_pass(&outcome.summary);
    // Sent with a wrong JSON type, the member is refused: proof that it was sent.
    let bad = plan_from_str(
        "name: members\nrequest: {ClientMetadata: not-a-map}\nphases: [{vus: 1, rounds: 1}]\nmix: {valid-code: 1}\n",
    );
    let (outcome, _dir) = run_quiet(bad).await;
    let c = &outcome.summary.cases[0];
    assert_eq!(c.verdict, Verdict::Fail);
    let observed = c.observed.as_ref().unwrap();
    assert_eq!(observed["status"], "400");
    assert!(
        observed["body"].contains("SerializationException"),
        "{observed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_variants_get_a_pool_of_their_own_or_share_a_matching_one() {
    // Default pool (case-sensitive): the case-insensitive case gets a second pool.
    let plan = plan_from_str(
        "name: variants\nphases: [{vus: 1, rounds: 1}]\nmix: {username-case-sensitive: 1, username-case-insensitive: 1}\n",
    );
    assert_eq!(plan.pools.len(), 2);
    let (outcome, _dir) = run_quiet(plan).await;
    assert_all_pass(&outcome.summary);
    assert!(outcome.summary.users.contains_key("case-insensitive.fresh"));

    // A case-insensitive scenario pool serves the case-insensitive case itself, and cannot
    // host the case-sensitive one.
    let plan = plan_from_str(
        "name: variants\npool: {case_sensitive: false}\nphases: [{vus: 1, rounds: 1}]\nmix: {username-case-sensitive: 1, username-case-insensitive: 1}\n",
    );
    assert_eq!(plan.pools.len(), 1);
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_eq!(s.cases[0].verdict, Verdict::Skipped);
    assert!(
        s.cases[0]
            .skip_reason
            .as_deref()
            .unwrap()
            .contains("case-insensitively")
    );
    assert_eq!(s.cases[1].verdict, Verdict::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_catalog_adds_cases_and_overrides_expectations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::support::repo("fixtures/examples/team-catalog.yaml"),
        dir.path().join("team.yaml"),
    )
    .unwrap();
    let scenario = dir.path().join("s.yaml");
    std::fs::write(
        &scenario,
        "name: team\ncatalog: [team.yaml]\nphases: [{vus: 1, rounds: 1}]\nmix: {team-valid-code-with-metadata: 1, already-confirmed: 1}\n",
    )
    .unwrap();
    let plan = cogbench::scenario::load(
        &scenario,
        std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
        &Overrides::default(),
    )
    .unwrap();
    let pinned = plan.catalog.get("already-confirmed").unwrap();
    assert_eq!(
        pinned.expect.message_pattern.as_deref(),
        Some(r"User cannot be confirmed\. Current status is CONFIRMED")
    );
    let (outcome, _dir) = run_quiet(plan).await;
    assert_all_pass(&outcome.summary);

    // An override that pins a message the target does not send makes the case fail.
    std::fs::write(
        dir.path().join("team.yaml"),
        "version: 1\noverrides:\n  already-confirmed:\n    expect: {message: 'Something else'}\n",
    )
    .unwrap();
    std::fs::write(&scenario, "name: team\ncatalog: [team.yaml]\nphases: [{vus: 1, rounds: 1}]\nmix: {already-confirmed: 1}\n").unwrap();
    let plan = cogbench::scenario::load(
        &scenario,
        std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
        &Overrides::default(),
    )
    .unwrap();
    let (outcome, _dir) = run_quiet(plan).await;
    assert_eq!(outcome.summary.cases[0].verdict, Verdict::Fail);

    // Schema errors in a team catalog carry their position.
    std::fs::write(
        dir.path().join("team.yaml"),
        "version: 1\ncases:\n  - id: x\n    title: t\n    checks: c\n    spec: s\n    confidence: sure\n",
    )
    .unwrap();
    let e = cogbench::scenario::load(
        &scenario,
        std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
        &Overrides::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("team.yaml:7:17"), "{e}");
}

/// A run that needs more fresh users than two seconds of its load use gets them on demand:
/// a bounded stock signed up just ahead of the load, each user handed to one request. Every
/// answer is judged as when all were provisioned first, and the summary says how it went.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_users_are_supplied_on_demand_to_a_long_run() {
    // 200 a second for 3 s: 601 fresh users, more than the 2 s stock of 401.
    let plan = plan_from_str(
        "name: on-demand\nphases: [{arrival_rate: 200, duration: 3s}]\nmix: {valid-code: 1}\n",
    );
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_all_pass(s);
    assert_counts_add_up(s);
    let fresh = &s.users["fresh"];
    let on_demand = fresh.on_demand.expect("fresh users came on demand");
    assert_eq!((on_demand.stock, on_demand.planned), (401, 601));
    assert_eq!(fresh.used, s.totals.requests, "one fresh user per request");
    assert!(
        fresh.provisioned >= fresh.used && fresh.provisioned <= on_demand.planned,
        "{fresh:?}"
    );
    assert_eq!(
        s.cases[0].count, 600,
        "the schedule's starts: 200 a second for 3 s"
    );
    assert_eq!(s.cases[0].verdict, Verdict::Pass);
}

/// Reusable users and alias-contested pairs come on demand too: reusable ones as a rotation
/// (each user leaves after `reuse_limit` uses), pairs made whole (holder first) just ahead of
/// the load. Every answer is judged as when all were provisioned first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reusable_users_and_contested_pairs_are_supplied_on_demand() {
    // 400 a second for 6 s, four cases: 600 uses each, 300 reusable users at 2 uses apiece.
    let plan = plan_from_str(
        "name: on-demand-all\nusers: {reuse_limit: 2}\n\
         phases: [{arrival_rate: 400, duration: 6s, max_in_flight: 256}]\n\
         mix: {wrong-code: 1, already-confirmed: 1, alias-exists: 1, alias-force: 1}\n",
    );
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    assert_all_pass(s);
    assert_counts_add_up(s);
    for (slot, case, per_user) in [
        ("unconfirmed", "wrong-code", 2),
        ("confirmed", "already-confirmed", 2),
        ("contested_reusable", "alias-exists", 2),
        ("contested_fresh", "alias-force", 1),
    ] {
        let usage = &s.users[slot];
        let on_demand = usage
            .on_demand
            .unwrap_or_else(|| panic!("{slot} on demand"));
        let count = s.cases.iter().find(|c| c.name == case).unwrap().count;
        assert_eq!(usage.used, count, "{slot}: one use per request");
        assert!(
            usage.provisioned * per_user >= usage.used && usage.provisioned <= on_demand.planned,
            "{slot}: {usage:?}"
        );
        assert!(on_demand.stock < on_demand.planned, "{slot}: {on_demand:?}");
    }
}

#[test]
fn users_on_demand_can_be_turned_off() {
    let yaml = |on: bool| {
        format!(
            "name: off\nusers: {{on_demand: {on}}}\nphases: [{{arrival_rate: 200, duration: 60s}}]\nmix: {{valid-code: 1, wrong-code: 1}}\n"
        )
    };
    let on = plan_from_str(&yaml(true));
    assert_eq!(on.on_demand_signups(), on.total_signups());
    let off = plan_from_str(&yaml(false));
    assert_eq!(off.on_demand_signups(), 0, "all provisioned first");
    assert_eq!(off.total_signups(), on.total_signups());
}
