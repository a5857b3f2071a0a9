"""Writes N random 256-bit hashes, one hex hash per line (a bank to load
the service with). Random bits are balanced on average, as PDQ is."""
import os
import sys

n = int(sys.argv[1])
out = sys.stdout
chunk = 100_000
for start in range(0, n, chunk):
    count = min(chunk, n - start)
    raw = os.urandom(32 * count)
    out.write("".join(raw[i * 32:(i + 1) * 32].hex() + "\n" for i in range(count)))
