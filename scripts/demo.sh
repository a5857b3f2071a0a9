#!/usr/bin/env bash
# The main job end to end on the embedded store (SQLite, nothing to
# install by hand): a hotline hashes verified photos, publishes the hashes in
# a bank, and a platform checks altered copies against it; then the same
# bank is served over HTTP (`rempart serve`) with curl lines to try it.
#
#   scripts/demo.sh [DATA_DIR]     (default: build/demo; wiped first)
# REMPART_DEMO_PORT (default 8080) is where the service listens;
# REMPART_DEMO_SERVE=0 stops after the command-line part.
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
probe=$(awk -F'\t' 'NR == 3 { print $2 }' "$data.hashes.tsv")
rm -f "$data.hashes.tsv"
[ "${REMPART_DEMO_SERVE:-1}" = 0 ] && exit 0

echo "== 5. The service: platforms, hotlines and victims over HTTP"
port=${REMPART_DEMO_PORT:-8080}
admin=$("$rempart" key create --name "demo admin" --role admin 2>/dev/null)
analyst=$("$rempart" key create --name "demo hotline" --role analyst 2>/dev/null)
platform=$("$rempart" key create --name "demo platform" --role platform 2>/dev/null)
url=http://127.0.0.1:$port
cat <<EOM
Keys (shown once; stored hashed):  admin $admin
                                   analyst $analyst
                                   platform $platform
Open in a browser on this machine:

  $url/
      the victim page: pick photos, they are hashed on the device,
      report the hashes, follow the case
  $url/console/
      the analyst console: sign in with the analyst key above, verify
      and publish to the bank "hotline", or reject

Or try the API from another terminal while this one serves:

  # A platform checks a hash, then uploads an edited copy of a reported photo:
  curl -s -H 'Authorization: Bearer $platform' -H 'Content-Type: application/json' \\
    -d '{"queries":[{"pdq":"$probe"}]}' $url/v1/match
  curl -s -H 'Authorization: Bearer $platform' -H 'Content-Type: image/jpeg' \\
    --data-binary @$images/bridge-mods/blur-a-little.jpg $url/v1/hash-match

  # A victim reports a hash (no key) and follows the case with its secret:
  curl -s -H 'Content-Type: application/json' \\
    -d '{"category":"intimate_image","consent":true,"hashes":[{"kind":"pdq","value":"$probe"}]}' $url/v1/reports
  curl -s -H 'X-Case-Secret: <case_secret>' $url/v1/cases/<case_code>

  # The hotline reads it; metrics and the API description:
  curl -s -H 'Authorization: Bearer $analyst' $url/v1/cases
  curl -s -H 'Authorization: Bearer $admin' $url/metrics
  curl -s $url/v1/openapi.json

Stop with Ctrl-C (in-flight requests finish first).
EOM
exec "$rempart" serve --listen "127.0.0.1:$port"
