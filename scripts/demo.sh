#!/usr/bin/env bash
# The main job end to end on the embedded store (SQLite, nothing to
# install by hand): a hotline hashes verified photos, publishes the hashes in
# a bank, and a platform checks altered copies against it.
#
#   scripts/demo.sh [DATA_DIR]     (default: build/demo; wiped first)
#
# Uses the PDQ conformance photos beside this checkout as the "reported"
# pictures and their edited versions (blurred, resized, rotated) as uploads.
set -euo pipefail
cd "$(dirname "$0")/.."
rempart=build/release/rempart
[ -x "$rempart" ] || scripts/setup.sh
images=${REMPART_SHARED_DIR:-../shared}/conformance/pdq/images/upstream
data=${1:-build/demo}
rm -rf "$data"
export REMPART_DATA=$data

echo "== 1. The hotline hashes the verified photos (only hashes leave the device)"
"$rempart" hash --format tsv -q "$images/bridge-mods/aaa-orig.jpg" \
  "$images/misc-images" >"$data.hashes.tsv"
cut -f1-3 "$data.hashes.tsv"

echo "== 2. ...and publishes them in a bank"
"$rempart" bank create hotline --description "Verified reports, demo hotline"
"$rempart" bank import hotline "$data.hashes.tsv" --source-org "Demo Hotline" \
  --category intimate_image || true  # Low-quality hashes are refused, each reported.
"$rempart" bank list

echo "== 3. A platform checks uploads: edited copies still match"
"$rempart" match -q "$images/bridge-mods/blur-a-lot.jpg" \
  "$images/bridge-mods/shrink-a-lot.jpg" "$images/reg-test-input/pen-and-coaster.png"
echo "-- a rotated copy matches with --dihedral"
"$rempart" match -q --dihedral "$images/reg-test-input/dih/bridge-2-rotate-90.jpg"

echo "== 4. A wrong report is revoked: it stops matching, and stays on record"
pdq=$(awk -F'\t' 'NR == 2 { print $2 }' "$data.hashes.tsv")
"$rempart" bank revoke hotline "$pdq" --reason "demo: report withdrawn"
"$rempart" match -q "$images/bridge-mods/blur-a-lot.jpg"
"$rempart" bank export hotline --status revoked
rm -f "$data.hashes.tsv"
