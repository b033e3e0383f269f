#!/usr/bin/env bash
# Savepoint demo: a vault in a temp folder, three saves of a CSV and a JSON file, a tag, history,
# restore of version 1, verify, and exported checksums checked with sha256sum.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sp() { node "$here/../apps/cli/bundle/bin.js" "$@"; }
work="$(mktemp -d "${TMPDIR:-/tmp}/savepoint-demo.XXXXXX")"
export SAVEPOINT_AUTHOR_NAME="${SAVEPOINT_AUTHOR_NAME:-Savepoint Demo}" SAVEPOINT_AUTHOR_EMAIL="${SAVEPOINT_AUTHOR_EMAIL:-demo@savepoint.invalid}"
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s$ savepoint %s%s\n' "$bold" "$*" "$plain"; }

step init "$work/lab-vault"
sp init "$work/lab-vault"
cd "$work/lab-vault"
for v in 1 2 3; do
  cp "$here/data/measurements.v$v.csv" measurements.csv
  cp "$here/data/run-config.v$v.json" run-config.json
  tag=(); [ "$v" = 2 ] && tag=(--tag baseline)
  step save measurements.csv run-config.json -m "plate run $v" --experiment EXP-2026-041 "${tag[@]}"
  sp save measurements.csv run-config.json -m "plate run $v" --experiment EXP-2026-041 "${tag[@]}"
done
step log
sp log
step diff measurements.csv@1 @3
sp diff measurements.csv@1 @3
step diff run-config.json@1 @3
sp diff run-config.json@1 @3
step show measurements.csv@baseline
sp show measurements.csv@baseline
step restore measurements.csv@1
sp restore measurements.csv@1
head -3 measurements.csv
step status
sp status
step restore measurements.csv@latest
sp restore measurements.csv@latest
step verify
sp verify
step export
sp export
echo; echo '$ sha256sum -c checksums.txt'
sha256sum -c checksums.txt
echo; echo "native git sees it too:"; git --no-pager log --oneline -4; git --no-pager notes --ref=savepoint show HEAD | head -12
echo; echo "Demo vault left at $work/lab-vault"
