#!/usr/bin/env python3
"""Checks that cogbench's source files import each other without cycles.

Usage: scripts/import-graph.py [--src DIR] [--edges] [--dot]

A node is a source file (test code left out: `#[cfg(test)]` modules and
`tests/` folders, since nothing imports them they cannot close a cycle). An
edge A -> B means code in A names an item through a path that resolves to
module B: `use` trees, `crate::`/`super::`/`self::` paths in code, a declared
child module (`child::f()`), or a name brought in by `use` and used as a
path head. Re-exports count: if report/mod.rs re-exports from report/html.rs
and html.rs names `super::Thing`, that is a cycle here even though rustc is
happy. The check is deliberately stricter than the compiler: a file names
the file that defines what it uses.

It also checks the stages: every top-level module (a folder or a file under
src/) has a layer in LAYERS below, and a file may import only from its own
layer or a lower one — the flow scenario → target → engine → judge → summary
→ report → commands reads bottom-up in the imports. A module missing from
LAYERS is an error too, so a new one gets placed on purpose.

Exit 0 and one line when the graph is acyclic and layered; exit 1 and each
cycle or upward edge (with its file:line) otherwise. `--edges` prints every
edge, `--dot` prints Graphviz.
"""

import argparse
import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"

# Low to high. A module may import from its own layer or any lower one.
LAYERS = [
    # foundation: files, terminal, YAML, signals, wire names, time, environment
    ["files", "term", "yaml", "interrupt", "protocol", "time", "statics", "env", "exit_codes"],
    # what every stage shares: the catalog and judge, the HTTP client basics, the reference
    # emulator, fault specs, user records, schedule maths, histograms, target-kind descriptors
    ["cases", "client", "emulator", "faults", "users", "schedule", "metrics", "target_kinds"],
    ["scenario"],
    ["target"],
    ["engine"],
    ["summary", "oracle", "gate", "deviations"],
    ["report", "compare", "diff", "progress", "live_metrics"],
    ["run", "merge", "provision", "awscli"],
    ["cli", "inputs", "bench", "exit", "commands"],
    ["lib", "main"],
]


def strip_code(text):
    """Blanks comments, strings and char literals, keeping line breaks."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
            continue
        if c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        m = re.match(r'(?:b?r)(#*)"', text[i:i + 260]) if c in "rb" else None
        if m and (i == 0 or not re.match(r"[A-Za-z0-9_]", text[i - 1])):
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
            continue
        if c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:i + 12])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def cut_tests(code):
    """Removes `#[cfg(test)]` items (inline test modules and test-only fns)."""
    result = code
    while True:
        m = re.search(r"#\[cfg\(test\)\]", result)
        if not m:
            return result
        start = m.start()
        # The attributed item ends at its first `;` before any `{`, or at
        # the brace that closes its first `{`.
        j = m.end()
        while j < len(result) and result[j] not in "{;":
            j += 1
        if j >= len(result) or result[j] == ";":
            end = j + 1
        else:
            depth = 0
            while j < len(result):
                if result[j] == "{":
                    depth += 1
                elif result[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            end = j + 1
        removed = result[start:end]
        result = result[:start] + re.sub(r"[^\n]", " ", removed) + result[end:]


def expand_use_tree(tree):
    """`a::{b, c::{d as e}}` -> [(['a','b'], 'b'), (['a','c','d'], 'e')]."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+", "@", tree))

    def parse(s, prefix):
        results = []
        depth, start, parts = 0, 0, []
        for k, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(s[start:k])
                start = k + 1
        parts.append(s[start:])
        for part in parts:
            if not part:
                continue
            brace = part.find("{")
            if brace >= 0:
                head = part[:brace].rstrip(":")
                segs = [x for x in head.split("::") if x]
                results.extend(parse(part[brace + 1:part.rindex("}")], prefix + segs))
                continue
            alias = None
            if "@" in part:
                part, alias = part.split("@", 1)
            segs = [x for x in part.split("::") if x]
            results.append((prefix + segs, alias))
        return results

    return parse(tree, [])


class Crate:
    def __init__(self, src):
        self.src = src
        self.files = {}  # rel path -> module path tuple
        self.modules = {}  # module path tuple -> rel path
        self.macros = {}  # macro name -> rel path
        for root, dirs, names in os.walk(src):
            dirs[:] = sorted(d for d in dirs if d != "tests")
            for name in sorted(names):
                if not name.endswith(".rs") or name == "tests.rs":
                    continue
                rel = os.path.relpath(os.path.join(root, name), src)
                self.files[rel] = self.module_of(rel)
        for rel, mod in self.files.items():
            if rel != "main.rs":
                self.modules[mod] = rel
        self.code = {}
        for rel in self.files:
            with open(os.path.join(src, rel), encoding="utf-8") as f:
                raw = f.read()
            self.code[rel] = cut_tests(strip_code(raw))
            for m in re.finditer(r"macro_rules!\s*(" + IDENT + ")", self.code[rel]):
                self.macros[m.group(1)] = rel

    @staticmethod
    def module_of(rel):
        if rel in ("lib.rs", "main.rs"):
            return () if rel == "lib.rs" else ("<main>",)
        parts = rel[:-3].split(os.sep)
        if parts[-1] == "mod":
            parts = parts[:-1]
        return tuple(parts)

    def children(self, mod):
        return {m[-1] for m in self.modules if len(m) == len(mod) + 1 and m[:len(mod)] == mod}

    def resolve(self, segs):
        """The file that defines the longest module prefix of an absolute path."""
        if len(segs) >= 1 and segs[0] in self.macros and len(segs) == 1:
            return self.macros[segs[0]]
        best = None
        for k in range(len(segs), -1, -1):
            if tuple(segs[:k]) in self.modules:
                best = self.modules[tuple(segs[:k])]
                break
        if best == "lib.rs" and segs and segs[0] in self.macros:
            return self.macros[segs[0]]
        return best

    def absolute(self, rel, mod, segs, aliases):
        """Turns a path as written in `rel` into an absolute one, or None if external."""
        if not segs:
            return None
        head = segs[0]
        if head in ("crate", "cogbench"):
            return list(segs[1:])
        if head == "self":
            return list(mod) + list(segs[1:])
        if head == "super":
            base = list(mod)
            k = 0
            while k < len(segs) and segs[k] == "super":
                base = base[:-1]
                k += 1
            return base + list(segs[k:])
        if rel != "main.rs" and head in self.children(mod):
            return list(mod) + list(segs)
        if head in aliases:
            return list(aliases[head]) + list(segs[1:])
        return None

    def edges(self):
        """{(from, to): [line numbers]}"""
        found = {}
        for rel, code in self.code.items():
            mod = self.files[rel]
            aliases = {}

            def add(target, pos):
                if target and target != rel:
                    line = code.count("\n", 0, pos) + 1
                    found.setdefault((rel, target), []).append(line)

            for m in re.finditer(r"\buse\s+([^;]+);", code):
                for segs, alias_m in expand_use_tree(m.group(1)):
                    if segs and segs[-1] == "self":
                        segs = segs[:-1]
                    if segs and segs[-1] == "*":
                        absolute = self.absolute(rel, mod, segs[:-1], aliases)
                        if absolute is not None:
                            add(self.resolve(absolute), m.start())
                        continue
                    absolute = self.absolute(rel, mod, segs, aliases)
                    if absolute is None:
                        continue
                    add(self.resolve(absolute), m.start())
                    name = alias_m or (segs[-1] if segs else None)
                    if name and name not in ("crate", "super", "self"):
                        aliases[name] = absolute
            body = re.sub(r"\buse\s+[^;]+;", lambda x: re.sub(r"[^\n]", " ", x.group(0)), code)
            for m in re.finditer(r"\b(" + IDENT + r")((?:\s*::\s*" + IDENT + r")+)", body):
                segs = [m.group(1)] + [s.strip() for s in m.group(2).split("::") if s.strip()]
                absolute = self.absolute(rel, mod, segs, aliases)
                if absolute is None:
                    continue
                add(self.resolve(absolute), m.start())
            # a bare macro call of a crate macro that `use` brought in
            for m in re.finditer(r"\b(" + IDENT + r")!", body):
                if m.group(1) in aliases and m.group(1) in self.macros:
                    add(self.macros[m.group(1)], m.start())
        return found


def strongly_connected(nodes, adjacency):
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in adjacency.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return comps


def one_cycle(comp, adjacency):
    """A shortest cycle through the first node of a strongly connected set."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(adjacency.get(v, ())):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", default=os.path.join(os.path.dirname(__file__), "..", "src"))
    parser.add_argument("--edges", action="store_true", help="print every edge")
    parser.add_argument("--dot", action="store_true", help="print the graph as Graphviz")
    args = parser.parse_args()
    crate = Crate(os.path.normpath(args.src))
    found = crate.edges()
    adjacency = {}
    for (a, b) in found:
        adjacency.setdefault(a, set()).add(b)
    if args.dot:
        print("digraph imports {")
        for (a, b) in sorted(found):
            print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    if args.edges:
        for (a, b), lines in sorted(found.items()):
            print(f"{a} -> {b}  (line {', '.join(map(str, lines[:5]))})")
    comps = [c for c in strongly_connected(crate.files, adjacency) if len(c) > 1]
    rank = {m: i for i, layer in enumerate(LAYERS) for m in layer}
    top = lambda f: f.split(os.sep)[0].removesuffix(".rs")
    problems = 0
    for m in sorted({top(f) for f in crate.files} - set(rank)):
        print(f"module `{m}` has no layer in scripts/import-graph.py's LAYERS")
        problems += 1
    for (a, b), lines in sorted(found.items()):
        ta, tb = top(a), top(b)
        if ta in rank and tb in rank and rank[tb] > rank[ta]:
            print(f"upward import: {a}:{lines[0]} ({ta}, layer {rank[ta]}) -> {b} ({tb}, layer {rank[tb]})")
            problems += 1
    if not comps and not problems:
        print(f"import graph: {len(crate.files)} files, {len(found)} edges, no cycles, "
              f"{len(LAYERS)} layers respected")
        return 0
    for comp in comps:
        print(f"cycle among {len(comp)} files: {' '.join(comp)}")
        path = one_cycle(comp, adjacency)
        for a, b in zip(path, path[1:]):
            lines = found[(a, b)]
            print(f"  {a}:{lines[0]} -> {b}")
    print(f"import graph: {len(comps)} cycle(s), {problems} layering problem(s)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
