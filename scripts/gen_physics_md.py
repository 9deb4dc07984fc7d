#!/usr/bin/python3
"""Writes docs/physics.md from the header comments of phy/, devices/ and channels/.

Each model's header starts with its equations and their sources (STYLE.md habit 13); this script
collects those comments, so the physics notes are the code's own and cannot drift from it.

    /usr/bin/python3 scripts/gen_physics_md.py [SOURCE_DIR] > docs/physics.md
"""
import os
import sys

# Folders in reading order, with a heading each.
SECTIONS = [
    ("phy", "Signal core: units, signals, filters, patterns, randomness"),
    ("phy/blocks", "Plain blocks: filter, AWGN"),
    ("phy/analysis", "Analysis: slicer, BER, statistics, receiver DSP, FEC"),
    ("devices/lasers", "Lasers"),
    ("devices/modulators", "Modulators"),
    ("devices/drivers", "Drivers"),
    ("devices/receivers", "Optical receiver front end"),
    ("devices/dsp", "Receiver and transmitter DSP blocks"),
    ("devices/serdes", "Host SerDes"),
    ("channels/copper", "Copper channels"),
    ("channels/optical", "Optical channels"),
]
# Header comments that describe software, not physics.
SKIP = {"phy/errors.hpp", "phy/block.hpp", "phy/params.hpp", "phy/fft.hpp"}


def leading_comment(path):
    lines = []
    with open(path, encoding="utf-8") as source:
        for line in source:
            stripped = line.strip()
            if stripped.startswith("//"):
                lines.append(stripped[2:][1:] if stripped[2:3] == " " else stripped[2:])
            elif stripped == "" and not lines:
                continue
            else:
                break
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    out = ["# Physics of the models", "",
           "The equations each model implements and their sources, collected from the headers of",
           "`phy/`, `devices/` and `channels/` by `scripts/gen_physics_md.py` (regenerate after",
           "editing a header: `/usr/bin/python3 scripts/gen_physics_md.py > docs/physics.md`).",
           "Conventions: SI units inside; optical fields are complex envelopes in √W (|E|² is the",
           "power in W); noise densities are one-sided; white noise of one-sided density N0",
           "sampled at fs has per-sample variance N0·fs/2. The keys that set each parameter, with",
           "their defaults and the defaults' sources, are in `docs/config.md`.", ""]
    for folder, title in SECTIONS:
        directory = os.path.join(root, folder)
        if not os.path.isdir(directory):
            continue
        entries = []
        for name in sorted(os.listdir(directory)):
            relative = f"{folder}/{name}"
            if not name.endswith(".hpp") or relative in SKIP:
                continue
            comment = leading_comment(os.path.join(directory, name))
            if len(comment) < 2:
                continue
            entries.append((relative, comment))
        if not entries:
            continue
        out += [f"## {title}", ""]
        for relative, comment in entries:
            out += [f"### `{relative}`", "", "```text", *comment, "```", ""]
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
