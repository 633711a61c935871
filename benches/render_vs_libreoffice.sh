#!/bin/sh
# Issue 23: every document of a case rendered by `anchi doc render --all` (one process),
# against LibreOffice converting the same number of equivalent one-page .docx to PDF in one
# process — the same work a team does today with office files. Prints both medians and the
# ratio (the median of paired runs). Needs a release build and LibreOffice (`apt-get install libreoffice-writer-nogui`).
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

# Each run times anchi and then LibreOffice, one after the other, so that both meet the
# machine at the same speed (it drifts from minute to minute); the ratio printed is the
# median of the runs' ratios, after one warm-up of each.
python3 - "$runs" "$count" "$work" "$anchi" "$case_id" "$work"/docx/*.docx <<'EOF'
import statistics, subprocess, sys, time
runs, count, work, anchi, case, docx = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
ours = [anchi, "--data-dir", f"{work}/data", "doc", "render", "--case", case, "--all", "--out", f"{work}/anchi"]
theirs = ["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to", "pdf",
          "--outdir", f"{work}/lo", *docx]
def timed(command):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start
timed(ours), timed(theirs)
pairs = [(timed(ours), timed(theirs)) for _ in range(runs)]
ratios = sorted(t / o for o, t in pairs)
print(f"anchi doc render --all ({count} documents): {statistics.median(o for o, _ in pairs):.3f} s")
print(f"LibreOffice, {count} one-page .docx to PDF:  {statistics.median(t for _, t in pairs):.3f} s")
print(f"ratio: {statistics.median(ratios):.1f}x (goal >= 50x); the runs' ratios {ratios[0]:.1f}x to {ratios[-1]:.1f}x")
EOF
[ "$(ls "$work/lo" | wc -l)" -eq "$count" ] || { echo "LibreOffice did not convert every document" >&2; exit 1; }
