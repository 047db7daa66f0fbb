use super::charts::{nines_points, nines_reach};
use super::*;
use crate::metrics::codec;
use crate::report::fixtures::{assert_contains, exported, oracle_fixture, typed};
use serde_json::Value;
use serde_json::json;

fn histogram(base_us: u64, n: u64) -> String {
    let mut h = crate::metrics::new_histogram();
    for i in 0..n {
        // A long tail: mostly near base, a few far out.
        let v = base_us + (i * 7919) % (base_us * 2) + if i % 100 == 0 { base_us * 20 } else { 0 };
        h.record(v).unwrap();
    }
    codec::encode(&h)
}

fn case(name: &str, verdict: &str, count: u64, base_us: u64) -> Value {
    let failing = verdict == "fail";
    json!({
        "name": name,
        "title": format!("Title of <{name}>"),
        "checks": "200 & empty",
        "spec": "§4.6",
        "confidence": "documented",
        "note": if name == "noted" { json!("a \"note\"") } else { Value::Null },
        "verdict": verdict,
        "skip_reason": if verdict == "skipped" { json!("needs read_codes") } else { Value::Null },
        "count": count,
        "errors": if failing { count } else { 0 },
        "retries": 0,
        "by_class": {},
        "judged": count,
        "passed_responses": if failing { 0 } else { count },
        "failed_responses": if failing { count } else { 0 },
        "postconditions_checked": 0,
        "latency_us": {"p50": base_us, "p90": base_us * 2, "p99": base_us * 3, "p999": base_us * 4, "max": base_us * 20, "mean": base_us as f64},
        "service_time_us": {"p50": base_us / 2, "p90": base_us, "p99": base_us, "p999": base_us, "max": base_us, "mean": 1.0},
        "expected": if failing { json!({"status": "400", "error_type": "CodeMismatchException"}) } else { Value::Null },
        "observed": if failing { json!({"status": "200", "error_type": "<none>"}) } else { Value::Null },
        "failures": if failing { json!([[{"field": "status", "expected": "400", "observed": "200"}], [{"field": "message", "expected": "a", "observed": "b"}]]) } else { json!([]) },
        "sample": null,
        "timeline": [],
        "histograms": if count == 0 { Value::Null } else { json!({"response": histogram(base_us, count), "service": histogram(base_us / 2, count)}) },
    })
}

fn summary(seconds: u64) -> Value {
    let mut cases: Vec<Value> = (0..12)
        .map(|i| case(&format!("case-{i}"), "pass", 500 + i * 100, 1000 + i * 300))
        .collect();
    cases.push(case("broken", "fail", 40, 2000));
    cases.push(case("not-run", "skipped", 0, 1000));
    cases.push(case("noted", "pass", 5, 800));
    let timeline: Vec<Value> = (1..=seconds)
        .map(|s| {
            json!({"second": s, "requests": if s == 4 { 0 } else { 1000 + s * 10 }, "errors": s % 3, "p50_us": 900 + s * 20, "p99_us": 5000 + s * 300})
        })
        .collect();
    json!({
        "schema_version": 1,
        "tool": {"name": "cogbench", "version": "0.1.0"},
        "scenario": {"name": "load <mixed>", "file": "scenarios/load-mixed.yaml", "description": "A & B"},
        "plan": {"name": "load-mixed", "secret": "***", "html": "</pre><script>alert(1)</script>"},
        "target": {"kind": "embedded", "endpoint": "http://127.0.0.1:1", "capabilities": ["read_codes"]},
        "started_at": "2026-01-01T00:00:00Z",
        "finished_at": "2026-01-01T00:00:10Z",
        "partial": false,
        "interrupted": false,
        "aborted": null,
        "totals": {"requests": 10000, "sent": 10000, "completed": 10000, "abandoned": 0, "unaccounted": 0, "retries": 0, "duration_seconds": 10.0, "requests_per_second": 1000.0, "errors": 40, "error_rate": 0.004, "dropped": 0, "by_class": {},
            "latency_us": {"p50": 1000, "p90": 2000, "p99": 3000, "p999": 4000, "max": 5000, "mean": 1200.0},
            "service_time_us": {"p50": 500, "p90": 900, "p99": 1000, "p999": 1100, "max": 1200, "mean": 600.0}},
        "timing": {"mode": "open", "scheduling_lag_us": {"p50": 10, "p90": 20, "p99": 30, "p999": 40, "max": 50, "mean": 12.0}, "late_starts": 3, "dropped": 0, "latency_from": "intended start"},
        "conformance": {"passed": 13, "failed": 1, "skipped": 1, "responses_judged": 10000, "responses_passed": 9960, "responses_failed": 40},
        "coverage": {"cases_total": 15, "errors_documented": 2, "errors_provoked": 1,
            "errors_skipped": [{"error": "ForbiddenException", "reason": "WAF", "provokable": false}],
            "errors": [{"error": "CodeMismatchException", "spec": "§3.1", "provoked": true, "cases": ["case-1"]},
                       {"error": "ForbiddenException", "spec": "§3.1", "provoked": false, "cases": []}],
            "members_total": 9, "members_covered": 3, "members_uncovered": ["Session"]},
        "deviations": null,
        "phases": [{"name": "steady", "executor": "constant-arrival-rate", "model": "open", "planned_rate": [1000.0, 1000.0], "starts": 10000, "requests": 10000, "dropped": 0, "late_starts": 3, "duration_seconds": 10.0, "achieved_rate": 1000.0,
            "schedule_lag_us": {"p50": 10, "p90": 20, "p99": 30, "p999": 40, "max": 50, "mean": 12.0}}],
        "users": {},
        "cases": cases,
        "thresholds": [{"expression": "p99 < 100ms", "observed": 3000.0, "unit": "us", "passed": true},
                       {"expression": "error_rate < 0.1%", "observed": 0.004, "unit": "ratio", "passed": false}],
        "timeline": timeline,
        "exit_code": 1,
    })
}

/// The `<svg data-chart=ID>…</svg>` of a chart.
fn chart<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = start + html[start..].find("</svg>").expect("closed");
    &html[start..end]
}

/// Each polyline's series name and number of points.
fn polylines(svg: &str) -> Vec<(String, usize)> {
    svg.split("<polyline ")
        .skip(1)
        .map(|p| {
            let attr = |name: &str| {
                let from = p.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                p[from..from + p[from..].find('"').unwrap()].to_string()
            };
            (attr("data-series"), attr("points").split(' ').count())
        })
        .collect()
}

#[test]
fn a_realistic_summary_renders_every_chart_with_lines() {
    let html = render(&typed(&summary(10)));
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in [
        "latency-over-time",
        "throughput-over-time",
        "percentile-distribution",
    ] {
        let lines = polylines(chart(&html, id));
        assert!(!lines.is_empty(), "{id} has no lines");
        assert!(lines.iter().all(|(_, n)| *n >= 2), "{id}: {lines:?}");
        assert!(!chart(&html, id).contains("no-data"));
    }
    // Second 4 had no answers: the latency lines break there.
    let latency = polylines(chart(&html, "latency-over-time"));
    assert_eq!(latency.iter().filter(|(s, _)| s == "p99").count(), 2);
    let throughput = polylines(chart(&html, "throughput-over-time"));
    assert_eq!(
        throughput
            .iter()
            .find(|(s, _)| s == "requests/s")
            .unwrap()
            .1,
        10
    );
    // The whole run (response and service) and the 10 busiest cases, the skipped one
    // (no histogram) and the quietest ones left out.
    let nines = polylines(chart(&html, "percentile-distribution"));
    let names: Vec<&str> = nines.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names.len(), 2 + MAX_CASES_PLOTTED, "{names:?}");
    assert!(names.contains(&"all cases: response time"));
    assert!(names.contains(&"all cases: service time"));
    assert!(names.contains(&"case-11") && !names.contains(&"noted"));
    assert!(!names.contains(&"not-run"));
    assert!(html.contains("stroke-dasharray"));
    for k in ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"] {
        assert!(
            chart(&html, "percentile-distribution").contains(&format!(">{k}</text>")),
            "{k}"
        );
    }
}

#[test]
fn the_verdict_table_has_a_row_per_case_failures_first() {
    let s = summary(3);
    let html = render(&typed(&s));
    let rows: Vec<&str> = html
        .split("<tr class=\"case ")
        .skip(1)
        .map(|r| {
            let from = r.find("data-case=\"").unwrap() + 11;
            &r[from..from + r[from..].find('"').unwrap()]
        })
        .collect();
    assert_eq!(rows.len(), s["cases"].as_array().unwrap().len());
    assert_eq!(rows[0], "broken");
    assert_eq!(rows[1], "not-run");
    assert_contains(
        &html,
        &[
            "<strong>Skipped:</strong> needs read_codes",
            "<code>CodeMismatchException</code>",
            "Failing answer 2:",
            "Failed (exit code 1): 1 case failed; 1 threshold failed.",
        ],
    );
    // A summary from before oracles and per-check verdicts: the catalog judged, and a
    // difference that names no check reads as the answer check's (summary.json's default).
    assert!(html.contains(
        "<dt>Oracle</dt><dd id=\"oracle\">the catalog (each expectation with its confidence: documented, observed, inferred)</dd>"
    ));
    assert!(!html.contains("<dt>Gate</dt>"));
    assert_eq!(
        html.matches("data-oracle=\"catalog\"").count(),
        s["cases"].as_array().unwrap().len()
    );
    assert!(html.contains("<tr class=\"differs\"><td>answer</td><td><code>status</code></td>"));
    assert!(!html.contains("<p class=\"checks\">"));
    assert_contains(&html, &[">failed</span>", ">held</span>", "0.400%"]);
}

#[test]
fn text_from_the_summary_is_escaped() {
    let html = render(&typed(&summary(3)));
    assert!(!html.contains("<script>"));
    assert_contains(
        &html,
        &[
            "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
            "cogbench report: load &lt;mixed&gt;",
            "Title of &lt;broken&gt;",
            "title=\"a &quot;note&quot;\"",
            "<p class=\"description\">A &amp; B</p>",
        ],
    );
    // Nothing is fetched: no external reference at all.
    assert!(!html.contains("src=") && !html.contains("href=") && !html.contains("@import"));
}

#[test]
fn an_empty_run_still_renders_with_a_note() {
    let mut s = summary(0);
    for c in s["cases"].as_array_mut().unwrap() {
        c["histograms"] = Value::Null;
        c["count"] = json!(0);
    }
    s["interrupted"] = json!(true);
    s["partial"] = json!(true);
    s["exit_code"] = json!(130);
    let html = render(&typed(&s));
    for id in [
        "latency-over-time",
        "throughput-over-time",
        "percentile-distribution",
    ] {
        let svg = chart(&html, id);
        assert!(svg.contains("class=\"no-data\""), "{id}");
        assert!(polylines(svg).is_empty());
    }
    assert_contains(&html, &["Partial results:", "Interrupted (exit code 130)"]);
}

#[test]
fn nines_points_run_from_the_median_side_to_the_maximum() {
    let mut h = crate::metrics::new_histogram();
    for v in 1..=10_000u64 {
        h.record(v).unwrap();
    }
    let points: Vec<(f64, f64)> = nines_points(&h, 5.0).into_iter().flatten().collect();
    assert_eq!(points[0].0, 0.0);
    // 90% at x = 1, 99% at x = 2, values in ms.
    let at = |x: f64| {
        points
            .iter()
            .find(|p| (p.0 - x).abs() < 1e-9)
            .map(|p| p.1)
            .unwrap()
    };
    assert!((at(1.0) - 9.0).abs() < 0.02, "{}", at(1.0));
    assert!((at(2.0) - 9.9).abs() < 0.02, "{}", at(2.0));
    // 10,000 samples reach 4 nines, where the maximum sits.
    let last = *points.last().unwrap();
    assert!((last.0 - 4.0).abs() < 1e-9);
    assert!((last.1 - 10.0).abs() < 0.01);
    assert!(
        points
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
    );
    // Capped to the axis: the value there, not the maximum.
    let capped: Vec<(f64, f64)> = nines_points(&h, 2.0).into_iter().flatten().collect();
    assert_eq!(capped.last().unwrap().0, 2.0);
    assert!((capped.last().unwrap().1 - 9.9).abs() < 0.02);
    assert!(nines_points(&crate::metrics::new_histogram(), 5.0).is_empty());
    for (count, reach) in [
        (10, 3),
        (637, 3),
        (1_000, 3),
        (59_789, 5),
        (100_000, 5),
        (2_000_000, 7),
        (u64::MAX, 8),
    ] {
        assert_eq!(nines_reach(count), reach, "{count}");
    }
}

#[test]
fn the_exporter_writes_report_html() {
    let (name, text) = exported(crate::report::export::Format::Html, &oracle_fixture());
    assert_eq!(name, FILE);
    assert!(text.contains("data-chart=\"percentile-distribution\""));
}

/// The verdict-table row of `name` and the detail row after it, if any.
fn case_rows<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("data-case=\"{name}\""))
        .unwrap_or_else(|| panic!("no row for {name}"));
    let end = html[start..]
        .find("<tr class=\"case ")
        .or_else(|| html[start..].find("</tbody>"))
        .unwrap();
    &html[start..start + end]
}

#[test]
fn every_verdict_names_its_oracle_and_every_failure_its_confidence_and_checks() {
    let html = render(&typed(&oracle_fixture()));
    // The snapshot once at the top, the gate beside it; the result says what failed it.
    assert_contains(
        &html,
        &[
            "<dt>Oracle</dt><dd id=\"oracle\">snapshot snapshot.json (embedded (embedded, in-process), recorded 2026-12-06T13:20:07Z) judged 6 cases; 1 by the catalog (unknown-user)</dd>",
            "<dt>Gate</dt><dd id=\"gate\"><code>--fail-on documented,observed</code>: fails only on documented, observed cases; 3 failing cases of other levels do not fail it: wrong-code, expired-code, concurrent-confirm</dd>",
            "Failed (exit code 1): 1 case at the --fail-on levels (documented, observed) failed.",
        ],
    );

    // Judged by the snapshot: recorded, the catalog's level beside it; each check with its
    // verdict and failed count; the differences under their check.
    let wrong = case_rows(&html, "wrong-code");
    assert_contains(
        wrong,
        &[
            "data-confidence=\"recorded\" data-oracle=\"snapshot\"",
            "recorded*</span><div class=\"muted small\">catalog: inferred</div></td><td>snapshot</td>",
            "Confidence <strong>recorded (catalog: inferred)</strong> · judged by <strong>snapshot</strong> · <span class=\"warn\">does not fail the run (--fail-on documented,observed)</span>",
            "<span class=\"badge fail\" data-check=\"answer\">answer</span> 1 of 1 failed · <span class=\"badge fail\" data-check=\"headers\">headers</span> 1 of 1 failed · <span class=\"badge pass\" data-check=\"state\">state</span> 1 judged, passed",
            "<tr class=\"differs\"><td>answer</td><td><code>message</code></td>",
            "<tr class=\"differs\"><td>headers</td><td><code>content type</code></td><td><code>application/x-amz-json-1.0</code></td><td><code>application/x-amz-json-1.1</code></td></tr>",
        ],
    );
    let expired = case_rows(&html, "expired-code");
    assert!(
        expired
            .contains("<span class=\"badge fail\" data-check=\"state\">state</span> 1 of 1 failed")
    );
    assert!(expired.contains("<td>state</td><td><code>user.UserStatus (AdminGetUser)</code></td>"));

    // Judged by the catalog though a snapshot was given: why, on hover and in the detail;
    // its level fails the run.
    let unknown = case_rows(&html, "unknown-user");
    assert_contains(
        unknown,
        &[
            "<td><span class=\"has-note\" title=\"not in the snapshot; judged by the catalog\">catalog*</span></td>",
            "Confidence <strong>observed</strong> · judged by <strong>catalog</strong></p><p>Oracle: not in the snapshot; judged by the catalog</p>",
        ],
    );
    assert!(!unknown.contains("does not fail the run"));

    // Races say how many succeeded, passing or failing; the note stays whole.
    let race = case_rows(&html, "concurrent-confirm");
    assert_contains(
        race,
        &[
            "<div class=\"race small\">race: 1 of 8 succeeded</div>",
            "<p>Race: 1 of 8 succeeded</p>",
            "so Cognito&#39;s is not documented.</p>",
        ],
    );
    let passing = case_rows(&html, "concurrent-force-alias");
    assert!(passing.contains("<div class=\"race small\">race: 8 of 8 succeeded</div>"));
    assert!(!passing.contains("detail"));
    // Still self-contained.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
}

#[test]
fn a_run_passing_its_gate_says_which_failures_it_let_through() {
    let mut s = oracle_fixture();
    s["cases"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["name"] != "unknown-user");
    s["conformance"]["failed"] = 3.into();
    s["exit_code"] = 0.into();
    let html = render(&typed(&s));
    assert!(html.contains(
        "Passed (exit code 0): every threshold held and no case at the --fail-on levels (documented, observed) failed; 3 failing cases of other levels did."
    ));
}
