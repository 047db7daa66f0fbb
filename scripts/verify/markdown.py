#!/usr/bin/env python3
"""Checks a run folder's summary.md against its summary.json with an independent parser.

    python3 scripts/verify/markdown.py RUN_DIR

Parses summary.md with the PyPI package markdown-it-py (CommonMark with GFM tables), then:
the heading says passed (✅) exactly when summary.json's exit code is 0; the case table
(header `case | verdict | …`, columns found by name) has one row per case with the same
verdict, count and errors, and the same confidence and oracle where it has those columns,
failures before skips before passes (past 200 cases: the first 200 rows in that order and a
note counting the rest); the threshold table has one row per threshold with held/failed as
in summary.json; every failing case appears in the failure details, each difference as a
row of an expected/observed table (with its check where the table has a check column); the
oracle line names the snapshot when one judged. Exits 0 when everything agrees, 1 listing
the disagreements, 2 on bad input.
"""

import json
import re
import sys
from pathlib import Path

try:
    from markdown_it import MarkdownIt
except ImportError:
    sys.exit("markdown.py: needs the PyPI package markdown-it-py (pip install markdown-it-py)")

TABLE_ROWS = 200
RANK = {"fail": 0, "skipped": 1, "pass": 2}


def tables(tokens):
    """Every table as a list of rows (the header first), each a list of cell texts."""
    out, rows, row, cell, depth = [], None, None, None, 0
    for t in tokens:
        if t.type == "table_open":
            rows = []
        elif t.type == "table_close":
            out.append(rows)
            rows = None
        elif rows is not None and t.type == "tr_open":
            row = []
        elif rows is not None and t.type == "tr_close":
            rows.append(row)
        elif rows is not None and t.type in ("th_open", "td_open"):
            cell = []
        elif rows is not None and t.type in ("th_close", "td_close"):
            row.append("".join(cell).strip())
            cell = None
        elif cell is not None and t.type == "inline":
            cell.append(plain(t.children or []))
    return out


def plain(children):
    parts = []
    for c in children:
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif c.type == "html_inline" and c.content.lower().startswith("<br"):
            parts.append("\n")
        elif c.children:
            parts.append(plain(c.children))
    return "".join(parts)


def strong_texts(tokens):
    """The text of every **bold** span."""
    for t in tokens:
        if t.type != "inline":
            continue
        inside = None
        for c in t.children or []:
            if c.type == "strong_open":
                inside = []
            elif c.type == "strong_close" and inside is not None:
                yield "".join(inside)
                inside = None
            elif inside is not None and c.type in ("text", "code_inline"):
                inside.append(c.content)


CELL_MAX = 400


def cell_text(value):
    """What a cell holding `value` reads back as: line breaks kept, tabs as spaces, other
    control characters dropped, clipped to CELL_MAX characters, outer spaces trimmed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    value = "".join(ch for ch in value if ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0))
    if len(value) > CELL_MAX:
        value = value[:CELL_MAX] + "…"
    return value.strip()


def verdict_of(cell):
    words = re.findall(r"[a-z]+", cell.lower())
    for w in words:
        if w in RANK:
            return w
    return None


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run = Path(argv[1])
    try:
        summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
        text = (run / "summary.md").read_text(encoding="utf-8")
    except (OSError, ValueError) as e:
        print(f"markdown.py: {e}", file=sys.stderr)
        return 2
    problems = []
    if len(text.encode("utf-8")) >= 1024 * 1024:
        problems.append(f"{len(text.encode('utf-8'))} bytes: over GitHub's 1 MiB step-summary limit")

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)

    # The heading.
    headings = [
        plain(tokens[i + 1].children or [])
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2"
    ]
    if not headings:
        problems.append("no level-2 heading")
    else:
        passed = summary["exit_code"] == 0
        h = headings[0]
        if passed and not h.startswith("✅"):
            problems.append(f"exit code 0 but the heading is {h!r}")
        if not passed and not h.startswith("❌"):
            problems.append(f"exit code {summary['exit_code']} but the heading is {h!r}")
        if summary["scenario"]["name"] not in h:
            problems.append(f"the heading {h!r} does not name the scenario")

    all_tables = tables(tokens)
    case_tables = [t for t in all_tables if t and t[0][:2] == ["case", "verdict"]]
    columns = {name: i for i, name in enumerate(case_tables[0][0])} if case_tables else {}
    for needed in ("count", "errors"):
        if case_tables and needed not in columns:
            problems.append(f"the case table has no {needed} column")
    cases = summary["cases"]
    if cases and len(case_tables) != 1:
        problems.append(f"{len(case_tables)} case tables, expected 1")
    rows = case_tables[0][1:] if case_tables else []
    expected = sorted(cases, key=lambda c: RANK[c["verdict"]])  # stable: run order within a verdict
    shown = expected[:TABLE_ROWS]
    if len(rows) != len(shown):
        problems.append(f"the case table has {len(rows)} rows for {len(cases)} cases (expected {len(shown)})")
    names = [r[0] for r in rows]
    if len(set(names)) != len(names):
        problems.append("a case appears twice in the table")
    for row, case in zip(rows, shown):
        if row[0] != case["name"]:
            problems.append(f"row {row[0]!r} where {case['name']!r} was expected (failures first)")
            continue
        v = verdict_of(row[1])
        if v != case["verdict"]:
            problems.append(f"case {case['name']}: verdict {row[1]!r} in the table, {case['verdict']} in summary.json")
        count, errors = row[columns.get("count", 2)], row[columns.get("errors", 3)]
        if count != str(case["count"]) or errors != str(case["errors"]):
            problems.append(f"case {case['name']}: count/errors {count}/{errors}, summary.json {case['count']}/{case['errors']}")
        for column, want in [("confidence", case["confidence"]), ("oracle", case.get("oracle", "catalog"))]:
            if column in columns and row[columns[column]] != want:
                problems.append(f"case {case['name']}: {column} {row[columns[column]]!r} in the table, {want!r} in summary.json")
    if len(cases) > TABLE_ROWS:
        note = f"and {len(cases) - TABLE_ROWS} more"
        if note not in text:
            problems.append(f"{len(cases)} cases but no note {note!r} about the rows left out")

    # Thresholds.
    thresholds = summary["thresholds"]
    t_tables = [t for t in all_tables if t and t[0] == ["threshold", "result", "observed"]]
    if thresholds:
        if len(t_tables) != 1:
            problems.append(f"{len(t_tables)} threshold tables, expected 1")
        else:
            t_rows = t_tables[0][1:]
            if [r[0] for r in t_rows] != [t["expression"] for t in thresholds]:
                problems.append(f"threshold rows {[r[0] for r in t_rows]} against {[t['expression'] for t in thresholds]}")
            for r, t in zip(t_rows, thresholds):
                word = "held" if t["passed"] else "failed"
                if word not in r[1]:
                    problems.append(f"threshold {t['expression']!r}: {r[1]!r}, summary.json says {word}")
    elif t_tables:
        problems.append("a threshold table for a run without thresholds")

    # Failure details: each failing case named in bold, each failing answer's fields in an
    # expected/observed table whose cells read back as summary.json's values.
    failing = [c for c in cases if c["verdict"] == "fail"]
    detail_rows = {tuple(r) for t in all_tables if t and t[0] == ["field", "expected", "observed"] for r in t[1:]}
    checked_rows = {tuple(r) for t in all_tables if t and t[0] == ["check", "field", "expected", "observed"] for r in t[1:]}
    detail_rows |= {r[1:] for r in checked_rows}
    bold = set(strong_texts(tokens))
    if failing and "size limit" not in text:
        for c in failing:
            if c["name"] not in bold:
                problems.append(f"failing case {c['name']} missing from the details")
            for pattern in c.get("failures") or []:
                for d in pattern:
                    row = (d["field"], cell_text(d["expected"]), cell_text(d["observed"]))
                    if row not in detail_rows:
                        problems.append(f"failing case {c['name']}: no row {row!r} in the details")
                    elif checked_rows and d.get("check") and (d["check"],) + row not in checked_rows:
                        problems.append(f"failing case {c['name']}: {d['field']!r} not under its check {d['check']!r}")

    oracle = summary.get("oracle")
    prose = "\n".join(plain(t.children or []) for t in tokens if t.type == "inline")
    if oracle and f"Oracle: snapshot {oracle['file']}" not in prose:
        problems.append(f"no line naming the snapshot {oracle['file']} that judged the run")

    for p in problems:
        print(f"markdown.py: {p}", file=sys.stderr)
    if not problems:
        print(
            f"markdown.py: {run / 'summary.md'} agrees with summary.json: "
            f"{len(rows)} case rows, {len(thresholds)} thresholds"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
