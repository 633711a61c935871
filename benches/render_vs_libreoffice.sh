#!/bin/sh
# Issue 23: every document of a case rendered by `anchi doc render --all` (one process),
# against LibreOffice converting the same number of equivalent one-page .docx to PDF in one
# process — the same work a team does today with office files. Prints both medians and the
# ratio. Needs a release build and LibreOffice (`apt-get install libreoffice-writer-nogui`).
#
#   cargo build --release && sh benches/render_vs_libreoffice.sh [RUNS]
set -eu
runs=${1:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
anchi=${ANCHI:-$here/target/release/anchi}
command -v soffice >/dev/null || { echo "soffice (LibreOffice) is not installed" >&2; exit 2; }
[ -x "$anchi" ] || { echo "$anchi: build it first (cargo build --release)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$anchi" --data-dir "$work/data" demo --cases 50 --seed 3 >/dev/null
# The case with the most documents.
case_id=$("$anchi" --data-dir "$work/data" case list --json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(max(rows, key=lambda r: r["documents_finalised"])["id"])')
"$anchi" --data-dir "$work/data" doc render --case "$case_id" --all --out "$work/anchi" >/dev/null
count=$(ls "$work/anchi" | wc -l)

# The same documents' text as one-page .docx (made once, not timed).
mkdir -p "$work/txt" "$work/docx"
for pdf in "$work"/anchi/*.pdf; do
    pdftotext -l 1 "$pdf" "$work/txt/$(basename "$pdf" .pdf).txt"
done
soffice --headless -env:UserInstallation="file://$work/profile" --convert-to docx:"MS Word 2007 XML" \
    --outdir "$work/docx" "$work"/txt/*.txt >/dev/null 2>&1

# Median wall time in seconds of a command run $runs times (after one warm-up).
median() {
    "$@" >/dev/null 2>&1
    i=0
    while [ $i -lt "$runs" ]; do
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        echo "$end - $start" | bc -l
        i=$((i + 1))
    done | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}
ours=$(median "$anchi" --data-dir "$work/data" doc render --case "$case_id" --all --out "$work/anchi")
theirs=$(median soffice --headless -env:UserInstallation="file://$work/profile" --convert-to pdf \
    --outdir "$work/lo" "$work"/docx/*.docx)
[ "$(ls "$work/lo" | wc -l)" -eq "$count" ] || { echo "LibreOffice did not convert every document" >&2; exit 1; }
printf 'anchi doc render --all (%s documents): %.3f s\n' "$count" "$ours"
printf 'LibreOffice, %s one-page .docx to PDF:  %.3f s\n' "$count" "$theirs"
printf 'ratio: %.1fx (goal >= 50x)\n' "$(echo "$theirs / $ours" | bc -l)"
