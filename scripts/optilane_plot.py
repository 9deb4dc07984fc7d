#!/usr/bin/python3
"""Figures from an optilane HDF5 file, reading only the file (layout: docs/hdf5.md).

    optilane plot OUT.h5 [-o DIR] [--svg]          (the CLI calls this script)
    /usr/bin/python3 optilane_plot.py OUT.h5 [-o DIR] [--svg] [--meta FILE.json]

Draws what the file holds and says what it skipped and why:
  - eye density heat map per segment and lane, with the height and width of each eye at the
    target BER marked (/segments/S/lanes/L/eye);
  - horizontal and vertical bathtubs (.../bathtub);
  - waterfall, BER against received OMA, with the sensitivity marked (.../waterfall);
  - noise budget at the slicer, RMS currents input-referred at the photodetector (.../noise_budget,
    or the lane's rx.noise_rms_ua in the JSON summary);
  - power breakdown as stacked bars per tier (/tiers rows), or for the one link (/power);
  - reach against lane rate per tier (/tiers rows), or per tier when the rows share one rate;
  - a sweep's file (`optilane sweep -o`, /sweep): BER against the first varied key, one curve per
    value of the second.

A directory the script made for figures it then all skipped is removed again.

Only h5py, numpy and matplotlib (Debian's python3-h5py and python3-matplotlib), Agg backend.
Exit status: 0 figures written (possibly none, with notes), 2 bad input (missing or non-HDF5
file, bad arguments), 3 internal error.
"""

import argparse
import json
import math
import os
import re
import sys

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

try:
    import numpy as np
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["figure.dpi"] = 120  # = DPI, so that axes pixel boxes match the saved PNG
    from matplotlib.colors import LogNorm
except ImportError as error:  # pragma: no cover - environment problem
    print(f"optilane plot: error: {error}; install python3-h5py and python3-matplotlib "
          "(scripts/install-deps)", file=sys.stderr)
    sys.exit(EXIT_INTERNAL)

DPI = 120
FIGSIZE = (8.0, 5.5)
# The heat map's colour map: its lowest colour (dark purple) is far from the white background,
# so an empty bin (white) and a bin with one sample can never be confused.
EYE_CMAP = "viridis"
MARK_COLOUR = "#d62728"
BER_FLOOR = 1e-18
SI_PREFIXES = [(1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, "")]


class BadInput(Exception):
    """Bad input: reported with exit status 2."""


# ---------------------------------------------------------------------------------------------
# Reading helpers


def dataset(group, *names):
    """The first of `names` that exists in `group` as a dataset, as a numpy array, else None."""
    if group is None:
        return None
    for name in names:
        if name in group and isinstance(group[name], h5py.Dataset):
            return np.asarray(group[name][()])
    return None


def subgroup(group, *names):
    if group is None:
        return None
    for name in names:
        if name in group and isinstance(group[name], h5py.Group):
            return group[name]
    return None


def attribute(obj, name, default=None):
    if obj is None or name not in obj.attrs:
        return default
    value = obj.attrs[name]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    return value


def unit_of(group, name, default=""):
    if group is None or name not in group:
        return default
    unit = attribute(group[name], "unit", default)
    return unit if unit else default


def text_dataset(group, name):
    if group is None or name not in group:
        return None
    value = group[name][()]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def json_dataset(group, name):
    text = text_dataset(group, name)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def si_scale(values, unit):
    """A factor and a prefixed unit label so that `values` read in 1..1000 ("mV or mA")."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size == 0 or not unit:
        return 1.0, unit
    peak = float(np.max(finite))
    factor, prefix = 1.0, ""
    for f, p in SI_PREFIXES:
        if peak >= f:
            factor, prefix = f, p
    words = unit.split(" or ")
    return factor, " or ".join(prefix + w for w in words)


def clean_unit(unit):
    """'V or A (signal at the slicer)' -> 'V or A'."""
    return unit.split("(")[0].strip() if unit else ""


def fmt_ber(value):
    if value is None or not np.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    return f"{value:.2e}"


def fmt_list(values, digits):
    return "[" + ", ".join(f"{v:.{digits}f}" for v in values) + "]"


# ---------------------------------------------------------------------------------------------
# Output


class Output:
    """Where figures go, what was skipped, and the axes geometry for tests (--meta)."""

    def __init__(self, directory, stem, svg):
        self.directory = directory
        self.stem = stem
        self.svg = svg
        self.written = []
        self.skipped = []
        self.meta = {}

    def save(self, figure, name, axes=None, scales=None):
        path = os.path.join(self.directory, f"{self.stem}_{name}.png")
        figure.savefig(path, dpi=DPI)
        files = [path]
        if self.svg:
            svg_path = os.path.join(self.directory, f"{self.stem}_{name}.svg")
            figure.savefig(svg_path)
            files.append(svg_path)
        entry = {"png": path, "axes": {}}
        ratio = DPI / figure.dpi
        width, height = (round(v * ratio) for v in figure.canvas.get_width_height())
        entry["size_px"] = [width, height]
        for key, ax in (axes or {}).items():
            # Pixel box of the data area, origin at the image's top-left corner (as in the PNG).
            x0, y0, x1, y1 = (v * ratio for v in ax.get_window_extent().extents)
            entry["axes"][key] = {"bbox_px": [x0, height - y1, x1, height - y0],
                                  "xlim": list(ax.get_xlim()), "ylim": list(ax.get_ylim()),
                                  "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
                                  "xticklabels": [t.get_text() for t in ax.get_xticklabels()],
                                  "xlabel": ax.get_xlabel(),
                                  # data value = shown value * factor (e.g. V shown in mV)
                                  "factor": (scales or {}).get(key, [1.0, 1.0])}
        self.meta[name] = entry
        plt.close(figure)
        self.written.extend(files)
        for f in files:
            print(f"wrote {f}")

    def skip(self, what, why):
        self.skipped.append({"figure": what, "reason": why})
        print(f"skipped {what}: {why}")


# ---------------------------------------------------------------------------------------------
# Figures


def lane_label(segment, lane, segments):
    return f"lane {lane}" if segments == 1 else f"segment {segment}, lane {lane}"


def plot_eye(out, info, eye, tag, where, lane_summary, statistical=None):
    counts = dataset(eye, "counts")
    time_ui = dataset(eye, "time_ui")
    amplitude = dataset(eye, "amplitude")
    if counts is None or time_ui is None or amplitude is None or counts.size == 0:
        out.skip(f"eye ({where})", "no eye/counts with time_ui and amplitude axes")
        return
    counts = np.asarray(counts, dtype=float)
    if counts.shape != (time_ui.size, amplitude.size):
        raise BadInput(f"eye/counts has shape {counts.shape}, expected "
                       f"({time_ui.size}, {amplitude.size}) from its axes")
    levels = dataset(eye, "levels")
    thresholds = dataset(eye, "thresholds")
    # Two heights answer two questions (docs/hdf5.md): eye/height is the worst-case-ISI height
    # (the noiseless ISI extremes less Q(BER)·σ: the eye no symbol sequence closes), and
    # statistical_eye/height the height at which the eye's error probability is the target BER
    # (the figure that agrees with the BER). The arrows mark the first; the title quotes both.
    heights = dataset(eye, "height")
    statistical_heights = dataset(statistical, "height")
    widths = dataset(eye, "width_ui")
    at_ber = attribute(eye, "at_ber", info["target_ber"])
    unit = clean_unit(unit_of(eye, "amplitude", "signal unit"))
    scale, shown_unit = si_scale(amplitude, unit)
    # Behind a receiver DSP (FFE/DFE/MLSE) the histogram is the sampled signal at the DSP's input,
    # while the levels, thresholds and heights are the equaliser output's (docs/hdf5.md): another
    # point of the chain and another scale, so they are quoted in the title, not drawn on it.
    dsp = (lane_summary or {}).get("rx", {}).get("dsp")
    place = "the receiver DSP's input" if dsp else "the slicer"

    figure, ax = plt.subplots(figsize=FIGSIZE, constrained_layout=True)
    ax.set_facecolor("white")
    dt = float(time_ui[1] - time_ui[0]) if time_ui.size > 1 else 1.0
    da = float(amplitude[1] - amplitude[0]) if amplitude.size > 1 else 1.0
    extent = [time_ui[0] - dt / 2, time_ui[-1] + dt / 2,
              (amplitude[0] - da / 2) / scale, (amplitude[-1] + da / 2) / scale]
    shown = np.ma.masked_where(counts.T <= 0, counts.T)  # empty bins stay background
    if shown.count() > 0:
        image = ax.imshow(shown, origin="lower", extent=extent, aspect="auto", cmap=EYE_CMAP,
                          norm=LogNorm(vmin=1, vmax=max(1.0, float(counts.max()))),
                          interpolation="nearest")
        figure.colorbar(image, ax=ax, label="trace points per bin")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("time from the decision instant [UI]")
    ax.set_ylabel(f"amplitude at {place} [{shown_unit}]")
    if dsp:
        levels = thresholds = None

    if thresholds is not None:
        for threshold in thresholds:
            ax.axhline(threshold / scale, color="0.6", lw=0.6, ls=":")
    ax.axvline(0.0, color="0.6", lw=0.6, ls=":")
    marked = False
    if thresholds is not None and heights is not None:
        for j, threshold in enumerate(thresholds):
            h = float(heights[j]) if j < heights.size else 0.0
            w = float(widths[j]) if widths is not None and j < widths.size else 0.0
            if not np.isfinite(h) or h <= 0:  # closed, or not computed (NaN: Monte-Carlo only)
                continue
            # Height at the decision instant and width at the threshold, both centred on the
            # eye's decision point (docs/hdf5.md: eye/height, eye/width_ui at eye.at_ber).
            ax.annotate("", xy=(0, (threshold + h / 2) / scale),
                        xytext=(0, (threshold - h / 2) / scale),
                        arrowprops=dict(arrowstyle="<->", color=MARK_COLOUR, lw=1.4,
                                        shrinkA=0, shrinkB=0))
            if w > 0:
                ax.annotate("", xy=(w / 2, threshold / scale), xytext=(-w / 2, threshold / scale),
                            arrowprops=dict(arrowstyle="<->", color=MARK_COLOUR, lw=1.4,
                                            shrinkA=0, shrinkB=0))
            ax.text(-0.98, threshold / scale, f" eye {j}: {h / scale:.3g} {shown_unit.split()[0]}"
                    f" worst-case ISI, {w:.2f} UI", va="center", ha="left", fontsize=8, color=MARK_COLOUR,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=1))
            marked = True
    if levels is not None:
        for level in levels:
            ax.plot([time_ui[-1] + dt / 2], [level / scale], marker="<", color="k", ms=5,
                    clip_on=False)

    ber = lane_summary.get("ber", {}) if lane_summary else {}
    figures = []
    if ber.get("monte_carlo") is not None:
        errors = ber.get("errors")
        figures.append(f"BER {fmt_ber(ber.get('monte_carlo'))} (Monte-Carlo"
                       + (f", {errors} errors)" if errors is not None else ")"))
    if ber.get("semi_analytic") is not None:
        figures.append(f"{fmt_ber(ber.get('semi_analytic'))} (semi-analytic)")
    snr = lane_summary.get("rx", {}).get("snr_db") if lane_summary else None
    if snr is not None:
        figures.append(f"SNR {snr:.1f} dB")
    short_unit = shown_unit.split()[0] if shown_unit else ""

    def heights_list(values):
        return ", ".join(f"{h / scale:.3g}" if np.isfinite(h) else "n/a" for h in values) + \
            f" {short_unit}"

    # One line per kind of height, each saying what it is (a worst-case height of 0 beside a BER
    # of 1e-6 is no contradiction once the two are told apart).
    opening = []
    if heights is not None:
        worst = "worst-case-ISI height " + heights_list(heights)
        if widths is not None:
            worst += ", width " + ", ".join(f"{w:.2f}" for w in widths) + " UI"
        if not marked and not dsp:
            worst += " (closed at worst-case ISI)"
        opening.append(worst)
    if statistical_heights is not None:
        opening.append("statistical-eye height " + heights_list(statistical_heights))
    lines = [f"{info['name']}: eye at {place}"
             + (f" ({dsp.get('description', 'equaliser')})" if dsp else "") + f", {where}",
             ("after the DSP: " if dsp else "") + ", ".join(figures)]
    lines += [f"at BER {at_ber:.1e}: {part}" for part in opening]
    ax.set_title("\n".join(line for line in lines if line), fontsize=10)
    out.save(figure, f"eye_{tag}", {"eye": ax}, {"eye": [1.0, scale]})


def plot_bathtubs(out, info, group, tag, where):
    horizontal = subgroup(group, "horizontal")
    vertical = subgroup(group, "vertical")
    h_x = dataset(horizontal, "time_ui", "offset_ui") if horizontal else dataset(group, "time_ui")
    h_y = dataset(horizontal, "ber") if horizontal else dataset(group, "ber_time", "ber_vs_time")
    v_x = (dataset(vertical, "amplitude", "offset") if vertical
           else dataset(group, "amplitude", "threshold"))
    v_y = (dataset(vertical, "ber") if vertical
           else dataset(group, "ber_amplitude", "ber_vs_amplitude"))
    panels = []
    if h_x is not None and h_y is not None:
        panels.append(("horizontal", h_x, h_y, "sampling time from the decision instant [UI]"))
    if v_x is not None and v_y is not None:
        unit = clean_unit(unit_of(vertical if vertical else group,
                                  "amplitude" if (vertical and "amplitude" in vertical)
                                  or (not vertical and "amplitude" in group) else "offset",
                                  "signal unit"))
        panels.append(("vertical", v_x, v_y, f"threshold [{unit}]"))
    if not panels:
        out.skip(f"bathtub ({where})", "the bathtub group has no time_ui/ber or amplitude/ber")
        return
    figure, axes = plt.subplots(1, len(panels), figsize=(FIGSIZE[0] * (0.6 * len(panels) + 0.4),
                                                         FIGSIZE[1]), constrained_layout=True,
                                squeeze=False)
    named = {}
    for ax, (kind, x, y, xlabel) in zip(axes[0], panels):
        y = np.atleast_2d(np.asarray(y, dtype=float))
        x = np.asarray(x, dtype=float)
        if y.shape[-1] != x.size and y.shape[0] == x.size:
            y = y.T
        scale, unit = (1.0, "")
        if kind == "vertical":
            scale, unit = si_scale(x, xlabel[xlabel.find("[") + 1:-1])
            xlabel = xlabel[:xlabel.find("[")] + f"[{unit}]"
        for j, row in enumerate(y):
            positive = np.where(row > 0, row, np.nan)
            ax.semilogy(x / scale, positive, label=f"eye {j}" if y.shape[0] > 1 else None)
        ax.axhline(info["target_ber"], color=MARK_COLOUR, ls="--", lw=1,
                   label=f"target BER {info['target_ber']:.1e}")
        low = np.nanmin(np.where(y > 0, y, np.nan)) if np.any(y > 0) else 1e-18
        ax.set_ylim(max(low, BER_FLOOR) / 3, 1.5)  # below ~1e-18 a BER means nothing
        ax.set_xlabel(xlabel)
        ax.set_ylabel("BER")
        ax.set_title(f"{kind} bathtub", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        named[kind] = ax
    figure.suptitle(f"{info['name']}: bathtubs, {where}", fontsize=11)
    out.save(figure, f"bathtub_{tag}", named)


def plot_waterfall(out, info, group, tag, where, lane_summary):
    oma = dataset(group, "rx_oma_dbm", "oma_dbm", "received_oma_dbm")
    curves = [(label, dataset(group, name)) for name, label in
              (("ber_semi_analytic", "semi-analytic"), ("ber_monte_carlo", "Monte-Carlo"),
               ("ber", None))]
    curves = [(label, values) for label, values in curves if values is not None]
    if oma is None or not curves:
        out.skip(f"waterfall ({where})", "the waterfall group has no rx_oma_dbm and BER")
        return
    figure, ax = plt.subplots(figsize=FIGSIZE, constrained_layout=True)
    for label, values in curves:
        rows = np.atleast_2d(np.asarray(values, dtype=float))
        for j, row in enumerate(rows):
            name = label if rows.shape[0] == 1 else f"{label or 'BER'} {j}"
            ax.semilogy(oma[:row.size], np.where(row > 0, row, np.nan), marker="o", ms=3,
                        label=name)
    target = attribute(group, "target_ber", info["target_ber"])
    ax.axhline(target, color="0.4", ls="--", lw=1, label=f"target BER {target:.1e}")
    sensitivity = attribute(group, "sensitivity_oma_dbm")
    if sensitivity is None:
        sensitivity = dataset(group, "sensitivity_oma_dbm")
    if sensitivity is None and lane_summary:
        sensitivity = lane_summary.get("sensitivity_oma_dbm")
    subtitle = ""
    if sensitivity is not None and np.isfinite(float(sensitivity)):
        sensitivity = float(sensitivity)
        ax.axvline(sensitivity, color=MARK_COLOUR, lw=1.2,
                   label=f"sensitivity {sensitivity:.2f} dBm OMA")
        ax.plot([sensitivity], [target], marker="o", color=MARK_COLOUR)
        subtitle = f"sensitivity {sensitivity:.2f} dBm OMA at BER {target:.1e}"
        method = attribute(group, "method")
        if method:
            subtitle += f" ({method})"
        margin = lane_summary.get("margin_db") if lane_summary else None
        if margin is not None:
            subtitle += f", margin {margin:.2f} dB"
    ax.set_xlabel("received OMA (outer) [dBm]")
    ax.set_ylabel("BER")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{info['name']}: waterfall, {where}\n{subtitle}", fontsize=10)
    out.save(figure, f"waterfall_{tag}", {"waterfall": ax})


NOISE_ORDER = ["thermal", "shot", "rin", "mpi", "crosstalk", "quantization", "phase", "jitter",
               "other"]


def plot_noise_budget(out, info, lane_group, tag, where, lane_summary):
    components = {}
    group = subgroup(lane_group, "noise_budget", "noise")
    source = None
    if group is not None:
        for name in group:
            if isinstance(group[name], h5py.Dataset) and group[name].shape == ():
                value = float(group[name][()])
                unit = unit_of(group, name, "µA")
                factor = {"A": 1e6, "mA": 1e3, "uA": 1.0, "µA": 1.0, "nA": 1e-3}.get(unit, 1.0)
                components[name] = value * factor
        for name, value in group.attrs.items():
            if name.endswith("_ua") and np.ndim(value) == 0:
                components[name[:-3]] = float(value)
        source = f"{group.name}"
    if not components and lane_summary:
        rms = lane_summary.get("rx", {}).get("noise_rms_ua")
        if isinstance(rms, dict):
            components = {k: float(v) for k, v in rms.items() if v is not None}
            source = "rx.noise_rms_ua in the summary"
    total = components.pop("total", None)
    if not components or not any(v > 0 for v in components.values()):
        out.skip(f"noise budget ({where})",
                 "no noise_budget group or rx.noise_rms_ua in the summary (optical receivers "
                 "report it)")
        return
    names = [n for n in NOISE_ORDER if n in components] + sorted(
        n for n in components if n not in NOISE_ORDER)
    values = np.array([components[n] for n in names])
    if total is None:
        total = math.sqrt(float(np.sum(values ** 2)))  # independent sources add in power
    figure, ax = plt.subplots(figsize=FIGSIZE, constrained_layout=True)
    bars = ax.barh(names[::-1], values[::-1], color="#1f77b4")
    for bar, value in zip(bars, values[::-1]):
        share = (value / total) ** 2 * 100 if total > 0 else 0
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {value:.3g} µA ({share:.0f} % of variance)", va="center", fontsize=8)
    ax.set_xlabel("RMS noise current, input-referred at the photodetector [µA]")
    ax.set_xlim(0, float(values.max()) * 1.45)
    ax.set_title(f"{info['name']}: noise budget, {where}\ntotal {total:.3g} µA RMS (from {source})",
                 fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    out.save(figure, f"noise_budget_{tag}", {"noise": ax})


def tier_rows(handle, summary):
    """Rows of `optilane tiers` (DESIGN.md §4): tier, lane_rate_gbps, reach_m, breakdown_w, ..."""
    for candidate in (json_dataset(subgroup(handle, "tiers"), "summary_json"),
                      json_dataset(handle, "tiers_json"),
                      summary.get("tiers") if isinstance(summary, dict) else None,
                      summary if isinstance(summary, list) else None):
        if isinstance(candidate, dict):
            candidate = candidate.get("tiers", candidate.get("rows"))
        if isinstance(candidate, list) and candidate and isinstance(candidate[0], dict):
            return candidate
    return None


def plot_power(out, info, handle, rows):
    bars = []  # (label, {category: watts}, per-bit)
    unit_label = "W"
    if rows:
        for row in rows:
            breakdown = row.get("breakdown_w")
            if not isinstance(breakdown, dict):
                continue
            label = str(row.get("tier", "?"))
            if row.get("lane_rate_gbps") is not None:
                label += f"\n{row['lane_rate_gbps']:g}G/lane"
            bars.append((label, breakdown, row.get("pj_per_bit")))
        title = "power per tier"
    else:
        power = subgroup(handle, "power")
        watts = dataset(power, "breakdown_w")
        names = attribute(power["breakdown_w"], "categories", "") if watts is not None else ""
        if watts is None or not names:
            out.skip("power breakdown", "no /power/breakdown_w and no tier rows")
            return
        breakdown = dict(zip(names.split(","), np.asarray(watts, dtype=float)))
        if not any(v > 0 for v in breakdown.values()):
            out.skip("power breakdown", "every block reports 0 W (no powered blocks in the chain)")
            return
        bars.append((info["name"], breakdown, attribute(power, "pj_per_bit")))
        title = "power breakdown"
    if not bars:
        out.skip("power breakdown", "the tier rows carry no breakdown_w")
        return
    categories = []
    for _, breakdown, _ in bars:
        for name, value in breakdown.items():
            if name not in categories and value and value > 0:
                categories.append(name)
    figure, ax = plt.subplots(figsize=(max(FIGSIZE[0], 1.3 * len(bars) + 3), FIGSIZE[1]),
                              constrained_layout=True)
    x = np.arange(len(bars))
    bottom = np.zeros(len(bars))
    colours = plt.get_cmap("tab10")
    for c, name in enumerate(categories):
        values = np.array([float(b[1].get(name, 0.0) or 0.0) for b in bars])
        ax.bar(x, values, bottom=bottom, label=name, color=colours(c % 10))
        bottom += values
    for i, (_, _, per_bit) in enumerate(bars):
        text = f"{bottom[i]:.3g} {unit_label}"
        if per_bit is not None:
            text += f"\n{per_bit:.3g} pJ/bit"
        ax.text(x[i], bottom[i], text, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [b[0] for b in bars], fontsize=8)
    ax.set_ylabel("electrical power [W]")
    ax.set_ylim(0, float(bottom.max()) * 1.2 if bottom.max() > 0 else 1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title(f"{info['name']}: {title}", fontsize=10)
    out.save(figure, "power", {"power": ax})


def plot_reach(out, info, rows):
    if not rows:
        out.skip("reach vs lane rate", "no tier rows (written by `optilane tiers`)")
        return
    series = {}
    for row in rows:
        if row.get("reach_m") is None or row.get("lane_rate_gbps") is None:
            continue
        # "cpo-200g" and "cpo-100g" are one tier at two lane rates: one line.
        family = re.sub(r"[-_ ]\d+(\.\d+)?g(bps)?$", "", str(row.get("tier", "?")),
                        flags=re.IGNORECASE)
        series.setdefault(family, []).append(
            (float(row["lane_rate_gbps"]), float(row["reach_m"])))
    if not series:
        out.skip("reach vs lane rate", "the tier rows carry no reach_m and lane_rate_gbps")
        return
    figure, ax = plt.subplots(figsize=FIGSIZE, constrained_layout=True)
    rates = sorted({p[0] for points in series.values() for p in points})
    if len(rates) == 1:
        # One lane rate (`optilane tiers --lane-rate 200G`): a rate axis would stack every tier
        # on one x; the tiers themselves are the axis.
        bars = [(str(row.get("tier", "?")), float(row["reach_m"])) for row in rows
                if row.get("reach_m") is not None and row.get("lane_rate_gbps") is not None]
        names = [name for name, _ in bars]
        reach = [value for _, value in bars]
        x = np.arange(len(names))
        ax.bar(x, reach, color="#1f77b4")
        for i, value in enumerate(reach):
            text = f"{value / 1e3:.3g} km" if value >= 1e3 else f"{value:.3g} m"
            ax.text(x[i], value, text, ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
        ax.set_yscale("log")
        ax.set_xlabel(f"tier (all at {rates[0]:g} Gb/s per lane)")
        ax.set_ylabel("reach [m]")
        ax.grid(True, axis="y", which="both", alpha=0.3)
        ax.set_title(f"{info['name']}: reach at the target BER per tier", fontsize=10)
        out.save(figure, "reach", {"reach": ax})
        return
    for tier, points in sorted(series.items()):
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=tier)
    ax.set_yscale("log")
    ax.set_xlabel("lane rate [Gb/s]")
    ax.set_ylabel("reach [m]")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{info['name']}: reach at the target BER against lane rate", fontsize=10)
    out.save(figure, "reach", {"reach": ax})


def strings(group, name):
    """A string dataset as a list of str (h5py gives bytes for variable-length strings)."""
    values = dataset(group, name)
    if values is None:
        return None
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v)
            for v in np.asarray(values, dtype=object).ravel()]


QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def sweep_axis(key, applied, si):
    """The x values and axis label of one varied key: its numbers as written when every value
    has the same unit ("2 km", "5 km" -> 2, 5 [km]), else the SI values, else None (text)."""
    matches = [QUANTITY.match(v) for v in applied]
    if applied and all(matches) and len({m.group(2) for m in matches}) == 1:
        unit = matches[0].group(2)
        return np.array([float(m.group(1)) for m in matches]), key + (f" [{unit}]" if unit else "")
    if si is not None and np.all(np.isfinite(si)):
        return np.asarray(si, dtype=float), f"{key} [SI; dB for ratios]"
    return None, key


def plot_sweep(out, info, table):
    """BER against the first varied key, log y; one curve per value of the second key."""
    keys = strings(table, "keys") or []
    points = int(attribute(table, "points", 0) or 0)
    ber = dataset(table, "ber")
    if not keys or ber is None or ber.size == 0:
        out.skip("sweep BER", "the /sweep group has no keys or no ber")
        return
    values = strings(table, "values") or []
    applied = [values[i::len(keys)] for i in range(len(keys))]  # [key][point]
    values_si = dataset(table, "values_si")
    si = np.atleast_2d(np.asarray(values_si, dtype=float)) if values_si is not None else None
    ok = dataset(table, "ok")
    ok = np.ones(ber.size, dtype=bool) if ok is None else np.asarray(ok).astype(bool)
    ber = np.asarray(ber, dtype=float)
    x, xlabel = sweep_axis(keys[0], applied[0], si[:, 0] if si is not None else None)
    ticks = None
    if x is None:  # text values: one tick per distinct value, in order of appearance
        ticks = list(dict.fromkeys(applied[0]))
        x = np.array([ticks.index(v) for v in applied[0]], dtype=float)
    groups = {"": np.arange(ber.size)}
    if len(keys) > 1:
        groups = {}
        for i, value in enumerate(applied[1]):
            groups.setdefault(f"{keys[1]} = {value}", []).append(i)
    figure, ax = plt.subplots(figsize=FIGSIZE, constrained_layout=True)
    drawn = 0
    for label, members in groups.items():
        members = [i for i in members if ok[i]]
        members.sort(key=lambda i: x[i])
        y = np.array([ber[i] for i in members])
        shown = np.where(y > 0, y, np.nan)  # a BER of 0 (no error counted) has no place on log y
        if np.any(np.isfinite(shown)):
            ax.semilogy([x[i] for i in members], shown, marker="o", ms=4, label=label or "BER")
            drawn += 1
    if drawn == 0:
        plt.close(figure)
        out.skip("sweep BER", "no point ran with a BER above 0")
        return
    ax.axhline(info["target_ber"], color=MARK_COLOUR, ls="--", lw=1,
               label=f"target BER {info['target_ber']:.1e}")
    if ticks is not None:
        ax.set_xticks(range(len(ticks)), ticks, fontsize=8)
    failed = int(np.count_nonzero(~ok))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("BER (as optilane run reports it)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    extra = f"; {failed} failed point{'s' if failed != 1 else ''} not drawn" if failed else ""
    ax.set_title(f"{info['name']}: sweep of {', '.join(keys)} ({points or ber.size} points{extra})",
                 fontsize=10)
    out.save(figure, "sweep_ber", {"sweep": ax})


# ---------------------------------------------------------------------------------------------


def summary_lanes(summary):
    """{(segment index, lane number): lane summary} from the JSON summary."""
    lanes = {}
    if not isinstance(summary, dict):
        return lanes
    for s, segment in enumerate(summary.get("segments", []) or []):
        for lane in segment.get("lanes", []) or []:
            if isinstance(lane, dict) and "lane" in lane:
                lanes[(s, int(lane["lane"]))] = lane
    return lanes


def natural(names):
    return sorted(names, key=lambda n: (0, int(n)) if str(n).isdigit() else (1, str(n)))


def plot_file(path, directory, svg):
    if not os.path.exists(path):
        raise BadInput(f"'{path}' does not exist")
    if os.path.isdir(path):
        raise BadInput(f"'{path}' is a directory, not an HDF5 file")
    if not h5py.is_hdf5(path):
        raise BadInput(f"'{path}' is not an HDF5 file")
    stem = os.path.splitext(os.path.basename(path))[0]
    directory = directory or os.path.dirname(os.path.abspath(path))
    created = not os.path.isdir(directory)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        raise BadInput(f"cannot create the directory '{directory}': {error.strerror}") from error
    out = Output(directory, stem, svg)
    try:
        draw_file(out, path, stem)
    finally:
        if created and not out.written:
            os.rmdir(directory)  # a directory made for figures that were all skipped: not left
    return out


def draw_file(out, path, stem):
    with h5py.File(path, "r") as handle:
        summary = json_dataset(handle, "summary_json") or {}
        target = attribute(handle, "target_ber", None)
        if target is None and isinstance(summary, dict):
            target = summary.get("link", {}).get("target_ber")
        info = {"name": attribute(handle, "name", stem), "target_ber": float(target or 2.4e-4)}
        table = subgroup(handle, "sweep")
        if attribute(handle, "kind") == "sweep" or table is not None:
            # A sweep's file (`optilane sweep -o`) holds its table, no per-lane groups.
            if table is None:
                out.skip("sweep BER", "the file says it is a sweep but has no /sweep group")
            else:
                plot_sweep(out, info, table)
            return
        lanes_summary = summary_lanes(summary)
        segments = subgroup(handle, "segments")
        segment_names = natural(segments.keys()) if segments is not None else []
        if not segment_names:
            out.skip("eye, bathtub, waterfall, noise budget", "no /segments in the file")
        for s_index, s_name in enumerate(segment_names):
            lanes = subgroup(segments[s_name], "lanes")
            for l_name in natural(lanes.keys()) if lanes is not None else []:
                lane = lanes[l_name]
                where = lane_label(s_name, l_name, len(segment_names))
                tag = f"seg{s_name}_lane{l_name}"
                lane_summary = lanes_summary.get((s_index, int(l_name))
                                                 if str(l_name).isdigit() else None)
                eye = subgroup(lane, "eye")
                if eye is None:
                    out.skip(f"eye ({where})", "no eye group")
                else:
                    plot_eye(out, info, eye, tag, where, lane_summary,
                             subgroup(lane, "statistical_eye"))
                bathtub = subgroup(lane, "bathtub", "bathtubs")
                if bathtub is None:
                    out.skip(f"bathtub ({where})", "no bathtub group in this file")
                else:
                    plot_bathtubs(out, info, bathtub, tag, where)
                waterfall = subgroup(lane, "waterfall")
                if waterfall is None:
                    out.skip(f"waterfall ({where})", "no waterfall group (analysis.sensitivity "
                             "on an optical link writes it)")
                else:
                    plot_waterfall(out, info, waterfall, tag, where, lane_summary)
                plot_noise_budget(out, info, lane, tag, where, lane_summary)
        rows = tier_rows(handle, summary)
        plot_power(out, info, handle, rows)
        plot_reach(out, info, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="optilane plot",
        description="Figures (PNG, optionally SVG) from an optilane HDF5 file.")
    parser.add_argument("file", help="HDF5 file written by `optilane run -o`")
    parser.add_argument("-o", "--output", default=None,
                        help="directory for the figures (default: the file's directory)")
    parser.add_argument("--svg", action="store_true", help="also write SVG")
    parser.add_argument("--meta", default=None,
                        help="write the figures' files and axes pixel boxes to this JSON file")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        return EXIT_BAD_INPUT if exit_request.code not in (0, None) else 0
    try:
        out = plot_file(args.file, args.output, args.svg)
    except BadInput as error:
        print(f"optilane plot: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"optilane plot: error: cannot read '{args.file}': {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.meta:
        with open(args.meta, "w", encoding="utf-8") as meta:
            json.dump({"figures": out.meta, "skipped": out.skipped}, meta, indent=1)
    print(f"{len(out.written)} file{'s' if len(out.written) != 1 else ''} written, "
          f"{len(out.skipped)} figure{'s' if len(out.skipped) != 1 else ''} skipped")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # pylint: disable=broad-except
        import traceback

        traceback.print_exc()
        print(f"optilane plot: internal error: {error}", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
