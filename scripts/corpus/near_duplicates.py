#!/usr/bin/env python3
"""Lists the pairs of corpus photos whose PDQ hashes are close, so that a
change of the selection rules cannot bring in the same picture twice unseen.

  near_duplicates.py DIR [--rempart PATH] [--threshold N]

Hashes every photo with `rempart hash --dihedral` and compares each photo's
hash with the eight rotated and mirrored hashes of every other one; pairs at
or below the threshold (default 31, the usual PDQ match threshold) are
printed as 'DISTANCE FILE FILE'. Exits 1 if any pair is found, so that
docs/CORPUS.md can be updated: a pair is either the same photograph (add it
to SAME_PICTURE in build.py) or two photographs that look alike to PDQ
(list it in docs/CORPUS.md).
"""

import argparse
import json
import os
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--rempart", default="build/release/rempart")
    parser.add_argument("--threshold", type=int, default=31)
    args = parser.parse_args()
    if not os.access(args.rempart, os.X_OK):
        print(f"near_duplicates: {args.rempart} not found; build the release preset first",
              file=sys.stderr)
        return 2
    result = subprocess.run(
        [args.rempart, "hash", "--format", "json", "--dihedral", "--quiet", args.directory],
        capture_output=True, text=True)
    if result.returncode != 0:
        print(f"near_duplicates: rempart hash failed:\n{result.stderr}", file=sys.stderr)
        return 2
    photos = []
    for line in result.stdout.splitlines():
        record = json.loads(line)
        photos.append((os.path.basename(record["path"]), int(record["pdq"], 16),
                       [int(value, 16) for value in record["dihedral"].values()]))
    pairs = []
    for i, (first, first_hash, _) in enumerate(photos):
        for second, _, variants in photos[i + 1:]:
            distance = min(bin(first_hash ^ variant).count("1") for variant in variants)
            if distance <= args.threshold:
                pairs.append((distance, *sorted((first, second))))
    for distance, first, second in sorted(pairs):
        print(f"{distance}\t{first}\t{second}")
    print(f"near_duplicates: {len(photos)} photos, {len(pairs)} pairs at PDQ distance "
          f"<= {args.threshold}", file=sys.stderr)
    return 1 if pairs else 0


if __name__ == "__main__":
    sys.exit(main())
