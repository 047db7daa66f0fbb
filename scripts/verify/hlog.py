#!/usr/bin/env python3
"""Reads every <case>.hlog of a run folder with an independent HdrHistogram implementation
(the `hdrhistogram` package from PyPI) and checks it against summary.json: the intervals of
each case add up to the case's count, and the merged histogram gives the same p50, p90, p99,
p99.9 and max (to HdrHistogram's precision: values within one bucket are equivalent).

Percentiles follow the definition of HdrHistogram's Java and Rust implementations: the value
at which the running count first reaches ceil(q × total). (The Python package's own
get_value_at_percentile rounds q × total to the nearest count instead, an older rule that
differs on small counts, so the percentiles are computed here from its decoded values.)

    python3 scripts/verify/hlog.py RUN_DIR
"""
import glob
import json
import math
import os
import sys

from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogReader


def value_at(histogram, q):
    """The smallest recorded value whose running count reaches ceil(q × total)."""
    total = histogram.get_total_count()
    want = max(1, math.ceil(q * total - 1e-9))
    running = 0
    for item in histogram.get_recorded_iterator():
        running += item.count_at_value_iterated_to
        if running >= want:
            return histogram.get_highest_equivalent_value(item.value_iterated_to)
    return 0


def main(run_dir):
    summary = json.load(open(os.path.join(run_dir, "summary.json")))
    cases = {c["name"]: c for c in summary["cases"]}
    logs = sorted(glob.glob(os.path.join(run_dir, "*.hlog")))
    if not logs:
        print(f"hlog: no .hlog files in {run_dir}")
        return 1
    problems = []
    checked = 0
    for path in logs:
        name = os.path.basename(path)[: -len(".hlog")]
        case = cases.get(name)
        if case is None:
            problems.append(f"{name}.hlog: no case {name} in summary.json")
            continue
        # An hour in microseconds is far above any answer (reads time out well before).
        merged = HdrHistogram(1, 3_600_000_000, 3)
        reader = HistogramLogReader(path, HdrHistogram(1, 3_600_000_000, 3))
        intervals = 0
        while reader.add_next_interval_histogram(merged) is not None:
            intervals += 1
        reader.close()
        if merged.get_total_count() != case["count"]:
            problems.append(
                f"{name}: {intervals} intervals hold {merged.get_total_count()} values, "
                f"summary.json counts {case['count']}"
            )
            continue
        expected = case["latency_us"]
        for label, q in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999)]:
            got = value_at(merged, q)
            want = expected[label]
            if not merged.values_are_equivalent(got, want):
                problems.append(f"{name}: {label} {got} µs from the log, {want} µs in summary.json")
        if not merged.values_are_equivalent(merged.get_max_value(), expected["max"]):
            problems.append(
                f"{name}: max {merged.get_max_value()} µs from the log, {expected['max']} µs in summary.json"
            )
        checked += 1
    for p in problems:
        print("hlog:", p)
    print(f"hlog: {checked} of {len(logs)} logs agree with summary.json")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
