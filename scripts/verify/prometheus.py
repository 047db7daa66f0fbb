#!/usr/bin/env python3
"""Compares what Prometheus scraped from `cogbench run --metrics-listen` with the run's summary.json.

    python3 scripts/verify/prometheus.py PROMETHEUS_URL SUMMARY_JSON

Asks Prometheus's HTTP API (/api/v1/query) for each series' last scraped value
(last_over_time over the run: a range selection skips the staleness markers Prometheus writes
once cogbench has gone) and checks:

- counters exactly: requests by case and class (cases[].by_class, and their sum
  totals.requests), verdicts (passed_responses, failed_responses), check failures
  (by_check[].failed), retries, requests sent (totals.sent), late and dropped starts
  (timing.late_starts, timing.dropped); every case answered in summary.json is scraped;
- the in-flight gauge's last value against totals.abandoned, and each histogram's
  _sum/_count against summary.json's mean (within 1 %, rounding);
- that the last scrape saw the final figures (cogbench_run_finished 1) and that earlier scrapes
  saw the run going (a smaller count of requests sent);
- quantiles: histogram_quantile(q) of each case's latency and service-time buckets, and of
  their sum over the cases, against summary.json's p50/p90/p99/p999. The tolerance is the
  histogram's precision, one bucket: summary.json's value must lie in the bucket
  (lower, upper] where Prometheus found the quantile, and Prometheus's interpolated answer in
  the same bucket. cogbench counts a value under a bound by its HdrHistogram bin's highest
  equivalent value, the value summary.json reports, so the bucket is exact, not approximate.

Only the standard library. Exits 0 when everything agrees, 1 listing the disagreements.
"""

import json
import sys
import urllib.parse
import urllib.request

WINDOW = "10m"


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    api, summary_path = argv[1].rstrip("/"), argv[2]
    with open(summary_path) as f:
        summary = json.load(f)
    problems = []

    def query(expr):
        url = f"{api}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise SystemExit(f"prometheus.py: {expr}: {body}")
        return body["data"]["result"]

    def last(name, by):
        """The last scraped value of each series of `name`, keyed by the labels `by`."""
        out = {}
        for s in query(f"last_over_time({name}[{WINDOW}])"):
            key = tuple(s["metric"].get(label, "") for label in by)
            if key in out:
                problems.append(f"{name}: two series for {key}")
            out[key] = float(s["value"][1])
        return out

    def same(what, scraped, expected):
        if scraped != expected:
            problems.append(f"{what}: Prometheus has {scraped}, summary.json {expected}")

    finished = last("cogbench_run_finished", [])
    same("cogbench_run_finished (the last scrape saw the final figures)", finished.get(()), 1.0)
    scrapes = query(f"count_over_time(cogbench_run_finished[{WINDOW}])")
    count = float(scrapes[0]["value"][1]) if scrapes else 0
    if count < 10:
        problems.append(f"only {count:.0f} scrapes of a 20 s run at 1 s")
    sent_min = query(f"min_over_time(cogbench_requests_sent_total[{WINDOW}])")
    totals, timing = summary["totals"], summary["timing"]
    if not sent_min or float(sent_min[0]["value"][1]) >= totals["sent"]:
        problems.append("no scrape saw the run going (requests sent never below the total)")

    requests = last("cogbench_requests_total", ["case", "class"])
    verdicts = last("cogbench_verdicts_total", ["case", "verdict"])
    checks = last("cogbench_check_failures_total", ["case", "check"])
    retries = last("cogbench_retries_total", ["case"])
    ran = {case for case, _ in requests}
    cases = [c for c in summary["cases"] if c["name"] in ran]
    answered = {c["name"] for c in summary["cases"] if c["count"] > 0}
    if not cases or len(cases) != len(ran) or not answered <= ran:
        problems.append(f"cases scraped {sorted(ran)}, in summary.json {[c['name'] for c in summary['cases']]}")
    for c in cases:
        name = c["name"]
        for cls, n in c["by_class"].items():
            same(f"cogbench_requests_total{{case={name},class={cls}}}", requests.get((name, cls)), float(n))
        same(f"cogbench_verdicts_total{{case={name},verdict=pass}}", verdicts.get((name, "pass")), float(c["passed_responses"]))
        same(f"cogbench_verdicts_total{{case={name},verdict=fail}}", verdicts.get((name, "fail")), float(c["failed_responses"]))
        for v in c["by_check"]:
            same(f"cogbench_check_failures_total{{case={name},check={v['check']}}}", checks.get((name, v["check"])), float(v["failed"]))
        same(f"cogbench_retries_total{{case={name}}}", retries.get((name,)), float(c["retries"]))
    same("sum of cogbench_requests_total (totals.requests)", sum(requests.values()), float(totals["requests"]))
    same("cogbench_requests_sent_total (totals.sent)", last("cogbench_requests_sent_total", []).get(()), float(totals["sent"]))
    same("cogbench_late_starts_total (timing.late_starts)", last("cogbench_late_starts_total", []).get(()), float(timing["late_starts"]))
    same("cogbench_dropped_starts_total (timing.dropped)", last("cogbench_dropped_starts_total", []).get(()), float(timing["dropped"]))
    same("cogbench_in_flight_requests at the end (totals.abandoned)", last("cogbench_in_flight_requests", []).get(()), float(totals["abandoned"]))

    checked = 0
    for family, field in [("cogbench_latency_seconds", "latency_us"), ("cogbench_service_time_seconds", "service_time_us")]:
        buckets = last(f"{family}_bucket", ["case", "le"])
        bounds = sorted({float(le) for _, le in buckets if le != "+Inf"})
        counts = last(f"{family}_count", ["case"])
        sums = last(f"{family}_sum", ["case"])
        for c in cases:
            same(f"{family}_count{{case={c['name']}}}", counts.get((c["name"],)), float(c["count"]))
            # _sum is the HdrHistogram's, as summary.json's mean is: they agree but for
            # rounding.
            if c["count"]:
                mean = sums.get((c["name"],), float("nan")) / c["count"]
                expected = c[field]["mean"] / 1e6
                if not abs(mean - expected) <= max(0.01 * expected, 2e-6):
                    problems.append(f"{family}_sum/_count{{case={c['name']}}}: {mean:.6f} s, summary.json's mean {expected:.6f} s")
        # Each case, and the run (the cases' buckets summed, as a dashboard does).
        targets = [(f'{{case="{c["name"]}"}}', "", c[field], c["name"]) for c in cases]
        targets.append(("", "sum by (le) ", totals[field], "all cases"))
        for selector, agg, percentiles, label in targets:
            for q, p in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p999")]:
                expected = percentiles[p] / 1e6
                expr = f"histogram_quantile({q}, {agg}(last_over_time({family}_bucket{selector}[{WINDOW}])))"
                result = query(expr)
                if len(result) != 1:
                    problems.append(f"{expr}: {len(result)} results")
                    continue
                got = float(result[0]["value"][1])
                upper = next((b for b in bounds if b >= expected), None)
                if upper is None:
                    # Past the last bound: Prometheus answers the last bound.
                    ok = got == bounds[-1]
                    lower = bounds[-1]
                else:
                    i = bounds.index(upper)
                    lower = bounds[i - 1] if i else 0.0
                    ok = lower <= got <= upper and lower < expected
                checked += 1
                if not ok:
                    problems.append(
                        f"{family} {label} {p}: Prometheus {got:.6f} s, summary.json {expected:.6f} s,"
                        f" not in one bucket ({lower}, {upper}]"
                    )

    if problems:
        print("prometheus.py: Prometheus and summary.json disagree:")
        for p in problems:
            print(f"  {p}")
        return 1
    print(
        f"prometheus.py: ok: {len(cases)} cases, {totals['requests']} requests over {count:.0f} scrapes;"
        f" every counter equal to summary.json's, {checked} quantiles within their bucket"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
