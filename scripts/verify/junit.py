#!/usr/bin/env python3
"""Checks a run folder's junit.xml against its summary.json with independent parsers.

    python3 scripts/verify/junit.py RUN_DIR

Well-formedness with xml.etree, then the content with the PyPI package junitparser:
the `conformance` suite has one testcase per case of summary.json with the same verdict
(a failure with a non-empty message for `fail`, a skip with the reason for `skipped`) and
testcase properties naming its confidence and the oracle that judged it (a failure's message
starts with the confidence in brackets; a race case has its `race` property), the
`thresholds` suite one per threshold (a failure naming the observed value when it did not
hold), and the tests/failures/errors/skipped attributes of both suites and of the root
agree with the testcases and with summary.json's counts. Exits 0 when everything agrees,
1 listing the disagreements, 2 on bad input.
"""

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

try:
    from junitparser import Failure, JUnitXml, Skipped
except ImportError:
    sys.exit("junit.py: needs the PyPI package junitparser (pip install junitparser)")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run = Path(argv[1])
    try:
        summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"junit.py: {run}/summary.json: {e}", file=sys.stderr)
        return 2
    path = run / "junit.xml"
    problems = []

    # 1. Well-formed XML, read by the standard library's parser.
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"junit.py: {path}: not well-formed: {e}", file=sys.stderr)
        return 1
    if root.tag != "testsuites":
        problems.append(f"root element is <{root.tag}>, not <testsuites>")

    # 2. The content, read by junitparser.
    xml = JUnitXml.fromfile(str(path))
    suites = {s.name: s for s in xml}
    if sorted(suites) != ["conformance", "thresholds"]:
        problems.append(f"suites {sorted(suites)}, expected conformance and thresholds")
        report(problems)
        return 1
    scenario = summary["scenario"]["name"]

    def check_suite(name, expected):
        suite = suites[name]
        cases = list(suite)
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.is_failure),
            "errors": sum(1 for c in cases if c.is_error),
            "skipped": sum(1 for c in cases if c.is_skipped),
        }
        declared = {k: getattr(suite, k) for k in counted}
        for key, want in expected.items():
            if counted[key] != want:
                problems.append(f"{name}: {counted[key]} {key} in the testcases, summary.json says {want}")
            if declared[key] != want:
                problems.append(f"{name}: {key}=\"{declared[key]}\", summary.json says {want}")
        for c in cases:
            if c.classname != f"cogbench.{scenario}.{name}":
                problems.append(f"{name}/{c.name}: classname {c.classname!r}")
        return {c.name: c for c in cases}

    # Each conformance testcase's <properties>, read with the standard library (junitparser
    # reads suite properties only).
    props = {}
    for suite in root.iter("testsuite"):
        if suite.get("name") != "conformance":
            continue
        for tc in suite.iter("testcase"):
            found = tc.find("properties")
            props[tc.get("name")] = (
                {} if found is None else {p.get("name"): p.get("value") for p in found.iter("property")}
            )

    conf = summary["conformance"]
    cases = check_suite(
        "conformance",
        {
            "tests": len(summary["cases"]),
            "failures": conf["failed"],
            "errors": 0,
            "skipped": conf["skipped"],
        },
    )
    by_verdict = {v: sum(1 for c in summary["cases"] if c["verdict"] == v) for v in ("pass", "fail", "skipped")}
    if (by_verdict["pass"], by_verdict["fail"], by_verdict["skipped"]) != (conf["passed"], conf["failed"], conf["skipped"]):
        problems.append(f"summary.json itself: verdicts {by_verdict} against conformance {conf}")
    for c in summary["cases"]:
        tc = cases.get(c["name"])
        if tc is None:
            problems.append(f"case {c['name']} has no testcase")
            continue
        results = tc.result
        p = props.get(c["name"], {})
        for key, want in [("confidence", c["confidence"]), ("oracle", c.get("oracle", "catalog"))]:
            if p.get(key) != want:
                problems.append(f"case {c['name']}: property {key} {p.get(key)!r}, summary.json {want!r}")
        if c.get("oracle_note") and p.get("oracle_note") != c["oracle_note"]:
            problems.append(f"case {c['name']}: no oracle_note property")
        if c.get("race") and "succeeded" not in (p.get("race") or ""):
            problems.append(f"case {c['name']}: a race without a `race` property saying how many succeeded")
        if c.get("note") and p.get("note") != c["note"]:
            problems.append(f"case {c['name']}: the note property is not the whole note")
        if c["verdict"] == "pass" and results:
            problems.append(f"case {c['name']} passed but its testcase has {results}")
        elif c["verdict"] == "fail":
            failures = [r for r in results if isinstance(r, Failure)]
            if not failures or not (failures[0].message or "").strip():
                problems.append(f"case {c['name']} failed but its testcase has no failure with a message")
            elif not failures[0].message.startswith(f"[{c['confidence']}]"):
                problems.append(f"case {c['name']}: the failure message does not start with [{c['confidence']}]")
            else:
                # Expected and observed appear field by field, every line of every value
                # read back intact (less what XML 1.0 cannot carry).
                body = failures[0].text or ""
                for check in c.get("by_check") or []:
                    if check["verdict"] == "fail" and f"{check['check']} ({check['failed']} of {check['judged']})" not in body:
                        problems.append(f"case {c['name']}: failing check {check['check']} and its counts missing from the failure text")
                for pattern in c.get("failures") or []:
                    for d in pattern:
                        for line in [d["field"]] + lines(d["expected"]) + lines(d["observed"]):
                            if line not in body:
                                problems.append(f"case {c['name']}: {line!r} missing from the failure text")
        elif c["verdict"] == "skipped":
            skips = [r for r in results if isinstance(r, Skipped)]
            if not skips:
                problems.append(f"case {c['name']} was skipped but its testcase has no <skipped>")
            elif c.get("skip_reason") and " ".join(c["skip_reason"].split()) not in (skips[0].message or ""):
                problems.append(f"case {c['name']}: skip message {skips[0].message!r}, reason {c['skip_reason']!r}")
    if len(cases) != len(summary["cases"]):
        problems.append(f"{len(cases)} distinct testcase names for {len(summary['cases'])} cases")

    thresholds = summary["thresholds"]
    held = check_suite(
        "thresholds",
        {
            "tests": len(thresholds),
            "failures": sum(1 for t in thresholds if not t["passed"]),
            "errors": 0,
            "skipped": 0,
        },
    )
    for t in thresholds:
        tc = held.get(t["expression"])
        if tc is None:
            problems.append(f"threshold {t['expression']!r} has no testcase")
        elif t["passed"] and tc.result:
            problems.append(f"threshold {t['expression']!r} held but its testcase has {tc.result}")
        elif not t["passed"]:
            failures = [r for r in tc.result if isinstance(r, Failure)]
            if not failures or "observed" not in (failures[0].message or ""):
                problems.append(f"threshold {t['expression']!r} failed but its testcase has no failure naming the observed value")

    # 3. The root's totals.
    total = {
        "tests": len(summary["cases"]) + len(thresholds),
        "failures": conf["failed"] + sum(1 for t in thresholds if not t["passed"]),
        "errors": 0,
    }
    for key, want in total.items():
        got = root.get(key)
        if got is not None and int(got) != want:
            problems.append(f"<testsuites {key}=\"{got}\">, summary.json says {want}")

    report(problems)
    if not problems:
        print(
            f"junit.py: {path} agrees with summary.json: "
            f"{len(summary['cases'])} cases ({conf['passed']} passed, {conf['failed']} failed, "
            f"{conf['skipped']} skipped), {len(thresholds)} thresholds"
        )
    return 1 if problems else 0


def xml_chars(s):
    """`s` less the characters XML 1.0 does not allow."""
    return "".join(
        ch
        for ch in s
        if ch in "\t\n\r"
        or 0x20 <= ord(ch) <= 0xD7FF
        or 0xE000 <= ord(ch) <= 0xFFFD
        or 0x10000 <= ord(ch) <= 0x10FFFF
    )


def lines(value):
    return [line.strip() for line in xml_chars(value).splitlines() if line.strip()]


def report(problems):
    for p in problems:
        print(f"junit.py: {p}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
