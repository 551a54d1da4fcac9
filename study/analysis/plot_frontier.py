#!/usr/bin/env python3
# Written by mose (study/analysis/plot.cpp) from the template study/analysis/plot_frontier.py,
# where double-brace placeholders mark the settings mose fills in as Python
# literals. Self-contained: edit this copy and rerun it without mose.
"""Pareto frontiers of cost against quality, one series per group.

Written by mose. Edit the settings below and rerun:

    python3 {{SCRIPT_NAME}}

Reads the CSV named by DATA (beside this script; columns: group, id, the x and
y columns, on_frontier = true/false) and writes OUTPUT_STEM.{pdf,svg,png}
beside it. Needs only matplotlib (Debian: apt install python3-matplotlib).
"""
import csv
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files; no display needed
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

# ---- settings: edit freely --------------------------------------------------
DATA = {{DATA}}
OUTPUT_STEM = {{OUTPUT_STEM}}
FORMATS = ("pdf", "svg", "png")
TITLE = {{TITLE}}
X_LABEL = {{X_LABEL}}
Y_LABEL = {{Y_LABEL}}
X_COLUMN = {{X_COLUMN}}
Y_COLUMN = {{Y_COLUMN}}
Y_DIRECTION = {{Y_DIRECTION}}  # "minimize" or "maximize"; only the legend note uses it
WIDTH_PX = {{WIDTH_PX}}  # PNG size in pixels; PDF/SVG get the same size in inches
HEIGHT_PX = {{HEIGHT_PX}}
DPI = {{DPI}}
DOMINATED_ALPHA = 0.3  # dominated points are drawn lighter than frontier points
MARKERS = ("o", "s", "D", "^", "v", "<", ">", "p", "P", "X", "*", "h")
COLORS = plt.get_cmap("tab10").colors  # with 12 markers: 60 distinct series
# ------------------------------------------------------------------------------

HERE = Path(__file__).resolve().parent


def read_groups(path):
    """{group: {"frontier": [(x, y)], "dominated": [(x, y)]}} in file order."""
    groups = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            series = groups.setdefault(row["group"], {"frontier": [], "dominated": []})
            key = "frontier" if row["on_frontier"] == "true" else "dominated"
            series[key].append((float(row[X_COLUMN]), float(row[Y_COLUMN])))
    return groups


def inches(px):
    """Figure inches for px pixels at DPI. matplotlib truncates inches * DPI
    to whole pixels, so step past any rounding that lands just below px."""
    size = px / DPI
    while size * DPI < px:
        size = math.nextafter(size, math.inf)
    return size


def legend_label(group):
    """Group names print literally: '$' is not mathtext, and a leading '_'
    (which matplotlib reads as "leave out of the legend") gets a space."""
    label = group.replace("$", r"\$")
    return " " + label if label.startswith("_") else label


def plot(groups):
    fig = plt.figure(figsize=(inches(WIDTH_PX), inches(HEIGHT_PX)), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for i, (group, series) in enumerate(groups.items()):
        color = COLORS[i % len(COLORS)]
        marker = MARKERS[i % len(MARKERS)]
        if series["dominated"]:
            xs, ys = zip(*series["dominated"])
            ax.scatter(xs, ys, color=color, marker=marker, alpha=DOMINATED_ALPHA, s=24, linewidths=0, zorder=2)
        if series["frontier"]:
            xs, ys = zip(*sorted(series["frontier"]))
            ax.plot(xs, ys, color=color, marker=marker, markersize=6, linewidth=1.6, zorder=3,
                    label=legend_label(group))
    ax.set_xscale("log")
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(Y_LABEL)
    ax.set_title(TITLE)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    better = "lower" if Y_DIRECTION == "minimize" else "higher"
    ax.legend(title=f"frontier ({better} is better)", fontsize="small", title_fontsize="small")
    return fig


def main():
    groups = read_groups(HERE / DATA)
    if not groups:
        sys.exit(f"{HERE / DATA}: no points to plot")
    fig = plot(groups)
    for ext in FORMATS:
        out = HERE / f"{OUTPUT_STEM}.{ext}"
        fig.savefig(out, dpi=DPI)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
