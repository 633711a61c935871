#!/bin/sh
# Issue 23: `anchi demo --cases N` as a whole process — wall time and peak memory (RSS),
# against the goals (100,000 cases in ≤ 20 s and ≤ 300 MB). Needs a release build and GNU
# time (`apt-get install time`).
#
#   cargo build --release && sh benches/demo_size.sh [CASES]
set -eu
cases=${1:-100000}
here=$(cd "$(dirname "$0")/.." && pwd)
anchi=${ANCHI:-$here/target/release/anchi}
[ -x "$anchi" ] || { echo "$anchi: build it first (cargo build --release)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time (GNU time) is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/time -f '%e %M' -o "$work/time" "$anchi" --data-dir "$work/data" demo --cases "$cases" >/dev/null
read -r seconds kib <"$work/time"
size=$(stat -c %s "$work/data/anchi.redb")
awk -v s="$seconds" -v k="$kib" -v f="$size" -v n="$cases" 'BEGIN {
    printf "demo --cases %d: %.1f s, peak RSS %.0f MB, file %.0f MB (goal at 100,000: <= 20 s, <= 300 MB)\n",
        n, s, k * 1024 / 1e6, f / 1e6 }'
