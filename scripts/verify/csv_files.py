#!/usr/bin/env python3
"""Reads latency.csv and timeline.csv of a run folder with Python's csv module and checks them
against summary.json: one latency row per case with the same count, errors, percentiles,
verdict, confidence and oracle; timeline rows whose counts add up to each case's count,
seconds in order.

    python3 scripts/verify/csv_files.py RUN_DIR
"""
import csv
import json
import os
import sys
from collections import defaultdict


def main(run_dir):
    summary = json.load(open(os.path.join(run_dir, "summary.json")))
    cases = {c["name"]: c for c in summary["cases"]}
    problems = []
    with open(os.path.join(run_dir, "latency.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if sorted(r["case"] for r in rows) != sorted(cases):
        problems.append("latency.csv: its cases are not summary.json's")
    for r in rows:
        c = cases.get(r["case"])
        if c is None:
            continue
        for column, value in [
            ("count", c["count"]),
            ("errors", c["errors"]),
            ("p50_us", c["latency_us"]["p50"]),
            ("p99_us", c["latency_us"]["p99"]),
            ("verdict", c["verdict"]),
            ("confidence", c["confidence"]),
            ("oracle", c.get("oracle", "catalog")),
        ]:
            if column not in r:
                problems.append(f"latency.csv: no {column} column")
            elif r[column] != str(value):
                problems.append(f"latency.csv {r['case']}: {column} {r[column]}, summary.json {value}")
    with open(os.path.join(run_dir, "timeline.csv"), newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != ["case", "second", "count", "errors", "p50_us", "p99_us"]:
            problems.append(f"timeline.csv: header {reader.fieldnames}")
        counts = defaultdict(int)
        last = {}
        for r in reader:
            second = int(r["second"])
            if second <= last.get(r["case"], 0):
                problems.append(f"timeline.csv {r['case']}: second {second} out of order")
            last[r["case"]] = second
            counts[r["case"]] += int(r["count"])
            if int(r["p50_us"]) > int(r["p99_us"]):
                problems.append(f"timeline.csv {r['case']} second {second}: p50 above p99")
    for name, c in cases.items():
        if counts.get(name, 0) != c["count"]:
            problems.append(f"timeline.csv {name}: {counts.get(name, 0)} requests, summary.json {c['count']}")
    for p in problems:
        print("csv:", p)
    print(f"csv: {len(rows)} case rows, {sum(counts.values())} requests over the timeline")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
