"""Holds docs/hdf5.md to what the writer writes (tests/link/test_outputs.cpp): every group and
dataset of the given files is in the doc's "Layout written today" tree, every attribute name is
named in the doc (in backticks), and every dataset but /summary_json has a `unit` attribute.

    hdf5_doc_sync.py docs/hdf5.md FILE.h5 [FILE.h5 ...]   -> prints "ok" or what is missing; exit 0 / 1

Numbered names stand for their kind, as in the tree: /segments/S, /lanes/L, /channel/R, and the
waveforms NN_<block> after 00_source.
"""
import re
import sys

import h5py

BRANCH = re.compile(r"[├└]── (\S+)")


def documented_tree(doc):
    """The paths of the doc's layout tree, e.g. "segments/S/lanes/L/eye/counts"."""
    block = doc.split("## Layout written today", 1)[1].split("```", 2)[1]
    paths, stack = set(), []
    for line in block.splitlines():
        match = BRANCH.search(line)
        if not match:
            continue
        depth = match.start() // 4  # each level indents by four characters ("│   ")
        name = match.group(1).rstrip("/")
        del stack[depth:]
        stack.append(name)
        paths.add("/".join(stack))
    return paths


def generalised(path):
    parts = path.split("/")
    for i in range(1, len(parts)):
        if parts[i].isdigit():
            parts[i] = {"segments": "S", "lanes": "L", "channel": "R"}.get(parts[i - 1], parts[i])
        elif parts[i - 1] == "waveforms" and parts[i] != "00_source":
            parts[i] = "NN_<block>" if re.match(r"\d\d_", parts[i]) else parts[i]
    return "/".join(parts)


def main(doc_path, files):
    doc = open(doc_path, encoding="utf-8").read()
    tree = documented_tree(doc)
    problems = []
    for file_path in files:
        with h5py.File(file_path, "r") as handle:
            objects = [("/", handle)]
            handle.visititems(lambda name, obj: objects.append((name, obj)))
            for name, obj in objects:
                if name != "/" and generalised(name) not in tree:
                    problems.append(f"{generalised(name)} is not in the layout tree")
                for attribute in obj.attrs:
                    if f"`{attribute}`" not in doc:
                        problems.append(f"attribute `{attribute}` of {generalised(name)} is "
                                        "not named in the doc")
                if isinstance(obj, h5py.Dataset) and name != "summary_json" \
                        and "unit" not in obj.attrs:
                    problems.append(f"dataset {generalised(name)} has no unit attribute")
    problems = sorted(set(problems))
    print("\n".join(problems) if problems else "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
