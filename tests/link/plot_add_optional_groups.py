"""Adds the optional groups `optilane plot` draws when present (bathtubs, waterfall, noise budget,
tier rows) to a copy of a real output, in the layout docs/hdf5.md gives, so the test sees every
figure before the blocks that write them land (tests/link/test_plot.cpp).

    plot_add_optional_groups.py FILE.h5
"""
import json
import math
import sys

import h5py
import numpy as np


def q(x):
    return 0.5 * math.erfc(x / math.sqrt(2))


with h5py.File(sys.argv[1], "a") as f:
    lane = f["segments/0/lanes/0"]
    if "bathtub" not in lane:  # runs with analysis.statistical_eye write their own
        horizontal = lane.create_group("bathtub/horizontal")
        t = np.linspace(-0.5, 0.5, 41)
        horizontal["time_ui"] = t
        horizontal["ber"] = np.array([[q(6 * (0.45 - abs(x)) / 0.1) for x in t]] * 3)
        vertical = lane.create_group("bathtub/vertical")
        a = np.linspace(-0.3, 0.3, 61)
        vertical["amplitude"] = a
        vertical["amplitude"].attrs["unit"] = "V"
        vertical["ber"] = np.array([[q((0.15 - abs(x)) / 0.03) for x in a]] * 3)
    waterfall = lane.create_group("waterfall")
    oma = np.linspace(-14, -4, 11)
    waterfall["rx_oma_dbm"] = oma
    waterfall["ber_semi_analytic"] = np.array([q(10 ** ((x + 12.5) / 20) * 3.5) for x in oma])
    waterfall.attrs["sensitivity_oma_dbm"] = -12.5
    noise = lane.create_group("noise_budget")
    for name, value in {"thermal": 2.1, "shot": 0.9, "rin": 0.7, "mpi": 0.2, "total": 2.46}.items():
        noise[name] = value
        noise[name].attrs["unit"] = "µA"
    rows = []
    for tier, reach in (("copper", 2.0), ("lpo", 500.0), ("cpo", 2000.0)):
        for rate in (100, 200):
            breakdown = {"laser": 0.8 if tier != "copper" else 0.0, "serdes": 3.0, "tia": 0.4}
            rows.append({"tier": tier, "lane_rate_gbps": rate, "reach_m": reach * 100 / rate,
                         "breakdown_w": breakdown, "pj_per_bit": sum(breakdown.values()) / rate})
    f.create_group("tiers")["summary_json"] = json.dumps(rows)
