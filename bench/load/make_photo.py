"""Writes a 1-megapixel test photo as PPM (gradients, discs, noise) to
stdout: something with detail for PDQ, made here so nothing is downloaded."""
import random
import sys

W, H = 1224, 816  # 0.999 megapixels, 3:2
random.seed(7)
discs = [(random.randrange(W), random.randrange(H), random.randrange(30, 200),
          [random.randrange(256) for _ in range(3)]) for _ in range(40)]
out = bytearray(b"P6\n%d %d\n255\n" % (W, H))
row = bytearray(W * 3)
for y in range(H):
    for x in range(W):
        r, g, b = (x * 255) // W, (y * 255) // H, ((x + y) * 127) // (W + H)
        for cx, cy, rad, col in discs:
            if (x - cx) ** 2 + (y - cy) ** 2 < rad * rad:
                r, g, b = col
                break
        n = random.randrange(-12, 13)
        row[3 * x] = min(255, max(0, r + n))
        row[3 * x + 1] = min(255, max(0, g + n))
        row[3 * x + 2] = min(255, max(0, b + n))
    out += row
sys.stdout.buffer.write(out)
