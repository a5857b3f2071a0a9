#!/usr/bin/env python3
"""Copies the recall chart and the ROC charts of a `rempart eval` report
(report.html) into standalone SVG files, for pages that cannot embed HTML:

    scripts/eval_svg.py build/eval/report.html docs/robustness

writes recall.svg and roc-<matcher>.svg, each carrying the page's styles."""
import re
import sys
from pathlib import Path


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    page = Path(sys.argv[1]).read_text(encoding="utf-8")
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    css = style.group(1) if style else ""
    written = 0
    for match in re.finditer(r"<svg\b([^>]*)>(.*?)</svg>", page, re.S):
        attributes, body = match.groups()
        label = re.search(r'aria-label="([^"]*)"', attributes)
        if not label:
            continue
        name = label.group(1)
        if name == "Recall per transform and matcher":
            file = "recall.svg"
        elif name.startswith("ROC of "):
            file = "roc-" + re.sub(r"[^a-z0-9-]", "-", name[7:].lower()) + ".svg"
        else:
            continue
        svg = ('<svg xmlns="http://www.w3.org/2000/svg"' + attributes +
               ">\n<style>" + css + "</style>\n" +
               '<rect width="100%" height="100%" fill="#ffffff"/>\n' + body +
               "</svg>\n")
        (out / file).write_text(svg, encoding="utf-8")
        written += 1
    if written == 0:
        print("eval_svg: no charts found in " + sys.argv[1], file=sys.stderr)
        return 1
    print(f"eval_svg: wrote {written} charts to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
