"""Pixel-level check of the eye figure (tests/link/test_plot.cpp): where the HDF5 file says an eye
is open, the PNG shows background; where it says a level sits, the PNG shows data.

    plot_pixel_check.py FILE.h5 META.json      -> prints "ok" or what is wrong; exit 0 / 1
"""
import json
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

WHITE = 0.95  # every RGB channel above this is the white background


def main(h5_path, meta_path):
    meta = json.load(open(meta_path, encoding="utf-8"))
    figure = meta["figures"]["eye_seg0_lane0"]
    box = figure["axes"]["eye"]
    image = mpimg.imread(figure["png"])
    height_px, width_px = image.shape[:2]
    if [width_px, height_px] != figure["size_px"]:
        return f"PNG is {width_px}x{height_px}, meta says {figure['size_px']}"
    x0, top, x1, bottom = box["bbox_px"]
    (t0, t1), (a0, a1) = box["xlim"], box["ylim"]
    fx, fy = box["factor"]

    def pixel(t, amplitude):
        px = x0 + (t / fx - t0) / (t1 - t0) * (x1 - x0)
        py = bottom - (amplitude / fy - a0) / (a1 - a0) * (bottom - top)
        return image[int(round(py)), int(round(px)), :3]

    with h5py.File(h5_path, "r") as f:
        eye = f["segments/0/lanes/0/eye"]
        thresholds, heights = eye["thresholds"][()], eye["height"][()]
        widths, levels = eye["width_ui"][()], eye["levels"][()]
    problems = []
    for j, (threshold, h, w) in enumerate(zip(thresholds, heights, widths)):
        if h <= 0 or w <= 0:
            problems.append(f"eye {j} is closed in the data (height {h}, width {w})")
            continue
        # Inside the opening, off the height/width markers (which run along t = 0 and the
        # threshold): background. The opening at the target BER is roughly a diamond through
        # (±w/2, threshold) and (0, threshold ± h/2), so (w/4, h/4) lies on its edge, where a
        # lone noisy sample is expected now and then (main's binary drew one there with seeds 2
        # and 3); (w/6, h/6) is two thirds of the way out, where none was drawn in any seed tried.
        for t, a in ((w / 6, threshold + h / 6), (-w / 6, threshold - h / 6)):
            rgb = pixel(t, a)
            if not all(rgb > WHITE):
                problems.append(f"eye {j}: pixel at {t:.3f} UI, {a:.4g} is {rgb}, not background")
    for level in levels:
        rgb = pixel(0.0 + 0.5 / 16, level)  # on a level, beside the t = 0 guide line
        if all(rgb > WHITE):
            problems.append(f"level {level:.4g}: pixel at the decision instant is background")
    return "; ".join(problems) if problems else None


if __name__ == "__main__":
    problem = main(sys.argv[1], sys.argv[2])
    print(problem or "ok")
    sys.exit(1 if problem else 0)
