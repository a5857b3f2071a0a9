#!/usr/bin/env python3
"""Draws the index benchmark's queries/s per engine as an SVG bar chart.

    index_plot.py build/bench/index_bench.json docs/index-qps.svg

One group of bars per bank size and query set, one bar per engine, single
thread, on a log scale (the engines differ by orders of magnitude).
"""
import json
import math
import sys

ENGINES = [
    ("mih/batch", "Rempart MIH, batches of 64", "#1b7837"),
    ("mih/single", "Rempart MIH, one query at a time", "#5aae61"),
    ("flat/batch", "Rempart AVX-512 scan, batches of 64", "#2166ac"),
    ("faiss_mih/single", "FAISS MultiHash 16×16, nflip 1", "#d6604d"),
    ("faiss_flat/single", "FAISS BinaryFlat", "#f4a582"),
]


def main(source, target):
    with open(source) as f:
        runs = json.load(f)["benchmarks"]
    rates = {}
    for run in runs:
        name = run["name"]
        if not name.endswith("threads:1") or run.get("error_occurred"):
            continue
        parts = name.split("/")
        engine, size, query_set = "/".join(parts[:2]), int(parts[2]), parts[3]
        rates[(engine, size, query_set)] = run["items_per_second"]
    groups = sorted({(size, q) for (_, size, q) in rates},
                    key=lambda g: (g[0], g[1] != "miss"))
    if not groups:
        sys.exit("index_plot: no single-thread results in " + source)
    top = max(rates.values())
    decades = range(0, math.ceil(math.log10(top)) + 1)
    width, height, left, bottom, plot_top = 900, 420, 70, 60, 30
    bar = 22
    group_width = bar * len(ENGINES) + 30
    plot_height = height - bottom - plot_top

    def y(rate):
        return height - bottom - plot_height * math.log10(max(rate, 1)) / decades[-1]

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="18" font-size="13">Queries per second, one '
           'thread, radius 31, 100% recall (log scale)</text>']
    for d in decades:
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(10**d):.1f}" '
                   f'y2="{y(10**d):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(10**d) + 4:.1f}" '
                   f'text-anchor="end">{10**d:,}</text>')
    for g, (size, query_set) in enumerate(groups):
        x0 = left + 10 + g * group_width
        for e, (key, _, colour) in enumerate(ENGINES):
            rate = rates.get((key, size, query_set))
            if rate is None:
                continue
            x = x0 + e * bar
            out.append(f'<rect x="{x}" y="{y(rate):.1f}" width="{bar - 3}" '
                       f'height="{height - bottom - y(rate):.1f}" '
                       f'fill="{colour}"/>')
            out.append(f'<text x="{x + (bar - 3) / 2:.1f}" y="{y(rate) - 3:.1f}" '
                       f'text-anchor="middle" font-size="8">{rate:,.0f}</text>')
        label = f"{size // 1000000}M entries, {query_set}"
        out.append(f'<text x="{x0 + bar * len(ENGINES) / 2:.1f}" '
                   f'y="{height - bottom + 16}" text-anchor="middle">{label}</text>')
    for e, (_, label, colour) in enumerate(ENGINES):
        x = left + 10 + (e % 3) * 260
        row = height - 22 + (e // 3) * 14
        out.append(f'<rect x="{x}" y="{row - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{row}">{label}</text>')
    out.append("</svg>")
    with open(target, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
