"""Draws the server's memory over a soak (seconds, RSS kB per line) as an
SVG, and prints the growth after the first minute (warm-up)."""
import sys

rows = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
if not rows:
    sys.exit("soak_plot: no samples")
t = [r[0] for r in rows]
mb = [r[1] / 1024 for r in rows]
warm = [m for s, m in zip(t, mb) if s >= 60] or mb
growth = (max(warm) - warm[0]) / warm[0] * 100
W, H, L, B = 640, 300, 70, 40
top = max(mb) * 1.1
span = max(t) or 1
def x(s): return L + (W - L - 20) * s / span
def y(m): return H - B - (H - B - 20) * m / top
points = " ".join(f"{x(s):.1f},{y(m):.1f}" for s, m in zip(t, mb))
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W/2}" y="14" text-anchor="middle">rempart serve: memory during a {span:.0f} s soak (growth after warm-up {growth:+.2f}%)</text>',
       f'<line x1="{L}" y1="{H-B}" x2="{W-20}" y2="{H-B}" stroke="black"/>',
       f'<line x1="{L}" y1="20" x2="{L}" y2="{H-B}" stroke="black"/>']
for i in range(5):
    m = top * i / 4
    svg.append(f'<text x="{L-6}" y="{y(m)+4:.1f}" text-anchor="end">{m:.0f} MB</text>')
    s = span * i / 4
    svg.append(f'<text x="{x(s):.1f}" y="{H-B+16}" text-anchor="middle">{s:.0f} s</text>')
svg.append(f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
svg.append('</svg>')
open(sys.argv[2], "w").write("\n".join(svg) + "\n")
print(f"soak: RSS {warm[0]:.0f} MB after warm-up, max {max(warm):.0f} MB: growth {growth:+.2f}%")
