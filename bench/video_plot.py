#!/usr/bin/env python3
"""Draws the video benchmark's two charts as SVG.

    video_plot.py build/bench/video_bench.json docs

docs/video-speed.svg: times real time per clip (resolution, keyframe
interval), exact and fast mode, one core, log scale, with the 30x target.
docs/video-match.svg: per kind of copy, the query % (copy's frames found in
the original) and target % (original's frames found in the copy), median
over the originals with the min-max range, exact and fast mode; the
unrelated pairs' highest percentages last, and the 80 % match threshold.
"""
import json
import math
import os
import statistics
import sys

MODES = [("exact", "#2166ac", "#92c5de"), ("fast", "#b2182b", "#f4a582")]
KINDS = [
    ("reencode-crf32", "CRF 32"),
    ("vp9", "VP9"),
    ("downscale", "640 wide"),
    ("upscale-2x", "2x up"),
    ("trim-middle", "mid 50%"),
    ("trim-middle-whole-s", "mid, whole s"),
    ("trim-first-10s", "first 10 s"),
    ("watermark", "watermark"),
    ("crop-10", "crop 10%"),
    ("fps-4-5", "fps x4/5"),
    ("mirror", "mirror"),
]


def text(x, y, label, anchor="middle", size=11, extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
            f'font-size="{size}"{extra}>{label}</text>')


def speed_svg(rows):
    clips = []
    for row in rows:
        if row["clip"] not in clips:
            clips.append(row["clip"])
    clips.sort(key=lambda c: (int(c.split("p-")[0]), -int(c.split("-g")[1])))
    rate = {(r["clip"], r["mode"]): r["times_real_time"] for r in rows}
    width, height, left, bottom, top = 760, 380, 60, 70, 40
    plot_height = height - bottom - top
    top_rate = max(list(rate.values()) + [30]) * 1.3
    low, high = 0, math.log10(top_rate)

    def y(value):
        return height - bottom - plot_height * (math.log10(max(value, 1)) - low) / (high - low)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif">',
           '<rect width="100%" height="100%" fill="white"/>',
           text(left, 20, "vPDQ hashing speed: times real time, one core, "
                "1 frame/s (log scale)", "start", 13)]
    for tick in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if tick > top_rate:
            break
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(tick):.1f}" '
                   f'y2="{y(tick):.1f}" stroke="#e4e4e4"/>')
        out.append(text(left - 6, y(tick) + 4, f"{tick}×", "end"))
    group = (width - left - 20) / len(clips)
    bar = min(36, group / 3)
    for g, clip in enumerate(clips):
        x0 = left + 10 + g * group
        for m, (mode, colour, _) in enumerate(MODES):
            value = rate.get((clip, mode))
            if value is None:
                continue
            x = x0 + m * (bar + 4)
            out.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                       f'height="{height - bottom - y(value):.1f}" fill="{colour}"/>')
            out.append(text(x + bar / 2, y(value) - 4, f"{value:.0f}×", size=10))
        resolution, gop = clip.split("-g")
        out.append(text(x0 + bar + 2, height - bottom + 16, resolution))
        out.append(text(x0 + bar + 2, height - bottom + 30,
                        "keyint 250" if gop == "250" else f"keyint {gop}", size=10))
    out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(30):.1f}" y2="{y(30):.1f}" '
               'stroke="#333" stroke-dasharray="6 4"/>')
    out.append(f'<line x1="{left + 250}" x2="{left + 276}" y1="{height - 17}" '
               f'y2="{height - 17}" stroke="#333" stroke-dasharray="6 4"/>')
    out.append(text(left + 280, height - 13, "target 30×", "start"))
    for m, (mode, colour, _) in enumerate(MODES):
        x = left + 10 + m * 120
        out.append(f'<rect x="{x}" y="{height - 22}" width="10" height="10" fill="{colour}"/>')
        out.append(text(x + 14, height - 13, f"{mode} mode", "start"))
    out.append(text(width - 12, height - 13, "H.264 (x264 medium, CRF 23), 30 fps, 60 s",
                    "end", 10))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def match_svg(match):
    rows = match["variants"]
    groups = [(kind, label) for kind, label in KINDS
              if any(r["variant"] == kind for r in rows)]
    known = {kind for kind, _ in KINDS}
    groups += [(kind, kind) for kind in sorted({r["variant"] for r in rows} - known)]
    unrelated = match["unrelated"]
    width, height, left, bottom, top = 960, 400, 50, 70, 40
    plot_height = height - bottom - top

    def y(percent):
        return height - bottom - plot_height * percent / 100

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif">',
           '<rect width="100%" height="100%" fill="white"/>',
           text(left, 20, "vPDQ match of copies against their original "
                f"({len(match['originals'])} originals; median, whiskers min–max)",
                "start", 13)]
    for tick in range(0, 101, 20):
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(tick):.1f}" '
                   f'y2="{y(tick):.1f}" stroke="#e4e4e4"/>')
        out.append(text(left - 6, y(tick) + 4, f"{tick}%", "end"))
    columns = len(groups) + 1
    group = (width - left - 20) / columns
    bar = (group - 14) / 4

    def draw(x, values, colour):
        median = statistics.median(values)
        out.append(f'<rect x="{x:.1f}" y="{y(median):.1f}" width="{bar - 2:.1f}" '
                   f'height="{height - bottom - y(median):.1f}" fill="{colour}"/>')
        middle = x + (bar - 2) / 2
        out.append(f'<line x1="{middle:.1f}" x2="{middle:.1f}" y1="{y(min(values)):.1f}" '
                   f'y2="{y(max(values)):.1f}" stroke="#222"/>')

    for g, (kind, label) in enumerate(groups):
        x0 = left + 10 + g * group
        for m, (mode, query_colour, target_colour) in enumerate(MODES):
            chosen = [r for r in rows if r["variant"] == kind and r["mode"] == mode]
            if not chosen:
                continue
            draw(x0 + 2 * m * bar, [r["query_percent"] for r in chosen], query_colour)
            draw(x0 + (2 * m + 1) * bar, [r["target_percent"] for r in chosen], target_colour)
        matched = sum(r["match"] for r in rows if r["variant"] == kind and r["mode"] == "exact")
        count = sum(1 for r in rows if r["variant"] == kind and r["mode"] == "exact")
        out.append(text(x0 + 2 * bar, height - bottom + 16, label, size=10))
        out.append(text(x0 + 2 * bar, height - bottom + 29, f"{matched}/{count} match",
                        size=9))
    x0 = left + 10 + len(groups) * group
    for m, (mode, query_colour, _) in enumerate(MODES):
        chosen = [r for r in unrelated if r["mode"] == mode]
        if not chosen:
            continue
        top_percent = max(max(r["query_percent"], r["target_percent"]) for r in chosen)
        x = x0 + 2 * m * bar
        out.append(f'<rect x="{x:.1f}" y="{y(top_percent):.1f}" width="{bar * 2 - 2:.1f}" '
                   f'height="{height - bottom - y(top_percent):.1f}" fill="{query_colour}" '
                   'fill-opacity="0.5"/>')
        out.append(text(x + bar, y(top_percent) - 4, f"{top_percent:.0f}%", size=9))
    pairs = sum(1 for r in unrelated if r["mode"] == "exact")
    out.append(text(x0 + 2 * bar, height - bottom + 16, "unrelated, max", size=10))
    out.append(text(x0 + 2 * bar, height - bottom + 29, f"{pairs} pairs", size=9))
    out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(80):.1f}" y2="{y(80):.1f}" '
               'stroke="#333" stroke-dasharray="6 4"/>')
    out.append(text(width - 12, y(80) - 5, "match: query ≥ 80%", "end", 10))
    legend = [("exact, query %", MODES[0][1]), ("exact, target %", MODES[0][2]),
              ("fast, query %", MODES[1][1]), ("fast, target %", MODES[1][2])]
    for i, (label, colour) in enumerate(legend):
        x = left + 10 + i * 150
        out.append(f'<rect x="{x}" y="{height - 22}" width="10" height="10" fill="{colour}"/>')
        out.append(text(x + 14, height - 13, label, "start"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(source, target_dir):
    with open(source) as f:
        result = json.load(f)
    if "speed" in result:
        with open(os.path.join(target_dir, "video-speed.svg"), "w") as f:
            f.write(speed_svg(result["speed"]))
    if "match" in result:
        with open(os.path.join(target_dir, "video-match.svg"), "w") as f:
            f.write(match_svg(result["match"]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
