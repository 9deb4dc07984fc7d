#!/usr/bin/env python3
"""Compares two optilane JSON results field by field.

Usage: compare_json.py A.json B.json [--rel TOL] [--ignore KEY ...]

Prints every leaf that differs (its path, both values and, for numbers, the relative difference)
and exits 1 if any differs by more than TOL (default 0: bit-identical). Keys that name the run
rather than its results (revision, timestamps, elapsed times) are ignored.
"""
import argparse
import json
import math
import sys

IGNORED = {"git_revision", "elapsed_s"}  # the binary and the wall clock, not results


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in IGNORED:
                continue
            if key not in a or key not in b:
                out.append((f"{path}.{key}", a.get(key, "<absent>"), b.get(key, "<absent>"), math.inf))
            else:
                walk(a[key], b[key], f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append((f"{path}[len]", len(a), len(b), math.inf))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)):
            return
        scale = max(abs(a), abs(b))
        out.append((path, a, b, abs(a - b) / scale if scale > 0 else math.inf))
    elif a != b:
        out.append((path, a, b, math.inf))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rel", type=float, default=0.0)
    parser.add_argument("--ignore", nargs="*", default=[])
    args = parser.parse_args()
    IGNORED.update(args.ignore)
    with open(args.a) as fa, open(args.b) as fb:
        a, b = json.load(fa), json.load(fb)
    diffs = []
    walk(a, b, "", diffs)
    worst = max((d[3] for d in diffs), default=0.0)
    for path, x, y, rel in diffs:
        print(f"{path}: {x!r} vs {y!r} (relative {rel:.3g})")
    print(f"{len(diffs)} differing fields; largest relative difference {worst:.3g}")
    return 1 if worst > args.rel else 0


if __name__ == "__main__":
    sys.exit(main())
