#!/usr/bin/env bash
# The Windows program, checked under Wine (Debian's wine64, headless under Xvfb) by CI:
# the MSI installed silently, the installed anchi.exe run end to end from Program Files with
# a data folder whose path has Vietnamese letters and spaces, its PDFs read back, its
# packages and backups opened by the Linux build (and the Linux build's by it) byte for
# byte, stock minisign, its window drawn and photographed, a second program refused while
# the window holds the database, an upgrade and an uninstall that keep the data.
#
#   packaging/windows/wine-check.sh MSI [MSI_OF_A_NEWER_VERSION]
# Needs: the Linux build ($CARGO_TARGET_DIR/debug/anchi), wine, Xvfb, xdotool, xwininfo,
# ImageMagick, poppler-utils, minisign, mingw-w64 (for the test-only ProcessPrng shim).
# The window's screenshot is left in $CARGO_TARGET_DIR/ci-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
msi=$(realpath "$1")
newer=$(realpath "${2:-}" 2>/dev/null || true)
target="${CARGO_TARGET_DIR:-target}"
linux="$target/debug/anchi"
artifacts="$target/ci-artifacts"
mkdir -p "$artifacts"

work=$(mktemp -d)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEARCH=win64 LANG=C.UTF-8 LC_ALL=C.UTF-8
# No Mono/Gecko prompts, no menu entries written into this machine's own desktop, the
# test-only ProcessPrng stand-in before Wine's own bcryptprimitives.
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;bcryptprimitives=n,b"
export ANCHI_KEY_PASSPHRASE=demo ANCHI_BACKUP_PASSPHRASE="mat-khau-sao-luu-ci"
display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY="$display"
cleanup() {
    wineserver -k >/dev/null 2>&1 || true
    kill "$xvfb" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }
fail() { echo "wine-check: $*" >&2; exit 1; }

step "Wine prefix"
wineboot --init >/dev/null 2>&1
wineserver -w

step "Silent install of $(basename "$msi")"
wine msiexec /i "$(winepath -w "$msi")" /qn
wineserver -w
program="$WINEPREFIX/drive_c/Program Files/anchi"
test -f "$program/anchi.exe" || fail "anchi.exe is not under Program Files"
# The Start-menu shortcut, named in Vietnamese (Wine puts a per-machine shortcut in the
# installing user's Start menu; Windows in ProgramData's). Codepage 1258 writes the tone
# marks as combining characters, so the name is compared in NFC.
python3 - "$WINEPREFIX/drive_c" <<'PY' || fail "no Start-menu shortcut 'Ấn chỉ điện tử'"
import pathlib, sys, unicodedata
links = [p for p in pathlib.Path(sys.argv[1]).rglob("*.lnk") if "Start Menu" in str(p)]
names = [unicodedata.normalize("NFC", p.stem) for p in links]
print("shortcuts:", names)
sys.exit(0 if "Ấn chỉ điện tử" in names else 1)
PY
# Test only: Wine 8.0 lacks ProcessPrng (packaging/windows/wine/processprng.c).
x86_64-w64-mingw32-gcc -shared -O2 -o "$program/bcryptprimitives.dll" packaging/windows/wine/processprng.c -ladvapi32
win() { wine 'C:\Program Files\anchi\anchi.exe' "$@"; }

step "The command line from Program Files"
win --version | grep -q "anchi" || fail "--version"
# Without --data-dir the data goes to the user's %APPDATA%\anchi\anchi\data.
win demo --cases 2 >/dev/null
appdata=$(find "$WINEPREFIX/drive_c/users" -path '*/AppData/Roaming/anchi/anchi/data/anchi.redb' | head -n1)
[ -n "$appdata" ] || fail "the default data folder is not %APPDATA%\\anchi\\anchi\\data"
data='C:\Users\Nguyễn Văn A\Tài liệu\anchi'
data_unix=$(winepath -u "$data")
win --data-dir "$data" demo --cases 6 >/dev/null
test -f "$data_unix/anchi.redb" || fail "the database is not in the Vietnamese-named folder"
win --data-dir "$data" case list --json > "$work/list.json"
case_id=$(python3 - "$work/list.json" <<'EOF'
import json, sys
cases = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(cases) == 6, len(cases)
print(next(c["id"] for c in cases if c["documents_finalised"] > 1))
EOF
)
win --data-dir "$data" audit verify >/dev/null

step "PDFs rendered on Windows, read on Linux"
win --data-dir "$data" doc render --case "$case_id" --all --out 'C:\out\pdf' >/dev/null
pdfs=("$WINEPREFIX"/drive_c/out/pdf/*.pdf)
((${#pdfs[@]} > 1)) || fail "doc render --all made ${#pdfs[@]} PDFs"
for pdf in "${pdfs[@]}"; do
    text=$(pdftotext -layout "$pdf" -)
    grep -q "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" <<<"$text" || fail "$(basename "$pdf"): no national heading"
    grep -q "Độc lập - Tự do - Hạnh phúc" <<<"$text" || fail "$(basename "$pdf"): no motto"
done
echo "${#pdfs[@]} PDFs read back"

step "A package made on Windows, verified on Linux and by stock minisign"
win --data-dir "$data" package export --case "$case_id" --out 'C:\out\win.anchi' >/dev/null
win_key=$(win --data-dir "$data" key show --minisign | tr -d '\r')
"$linux" package verify --pubkey "$win_key" "$WINEPREFIX/drive_c/out/win.anchi"
mkdir "$work/bag" && (cd "$work/bag" && python3 -m zipfile -e "$WINEPREFIX/drive_c/out/win.anchi" .)
(cd "$work/bag" && minisign -Vqm tagmanifest-sha256.txt -P "$win_key" && sha256sum -c --quiet tagmanifest-sha256.txt manifest-sha256.txt)
win_sha=$(sha256sum "$WINEPREFIX/drive_c/out/win.anchi" | cut -c1-64)

step "Windows backup restored on Linux: the same case exported there is the same bytes"
win --data-dir "$data" backup --out 'C:\out\win.anchi-backup' >/dev/null
"$linux" --data-dir "$work/linux-from-win" restore "$WINEPREFIX/drive_c/out/win.anchi-backup" >/dev/null
"$linux" --data-dir "$work/linux-from-win" package export --case "$case_id" --out "$work/again.anchi" >/dev/null
test "$(sha256sum "$work/again.anchi" | cut -c1-64)" = "$win_sha" || fail "Linux re-made the Windows package with other bytes"

step "Linux backup restored on Windows: the same case exported there is the same bytes"
"$linux" --data-dir "$work/linux" demo --cases 4 --seed 5 >/dev/null
linux_case=$("$linux" --data-dir "$work/linux" case list --json |
    python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin) if c["documents_finalised"] > 1))')
"$linux" --data-dir "$work/linux" package export --case "$linux_case" --out "$work/linux.anchi" >/dev/null
"$linux" --data-dir "$work/linux" backup --out "$work/linux.anchi-backup" >/dev/null
win --data-dir 'C:\Users\Nguyễn Văn A\Khôi phục' restore "$(winepath -w "$work/linux.anchi-backup")" >/dev/null
win --data-dir 'C:\Users\Nguyễn Văn A\Khôi phục' package export --case "$linux_case" --out 'C:\out\from-linux.anchi' >/dev/null
cmp "$work/linux.anchi" "$WINEPREFIX/drive_c/out/from-linux.anchi" || fail "Windows re-made the Linux package with other bytes"

step "The window under Wine"
win --data-dir "$data" >/dev/null 2>&1 &
window_pid=$!
wid=""
for _ in $(seq 1 120); do
    wid=$(xdotool search --onlyvisible --name "Ấn chỉ điện tử" 2>/dev/null | head -n1 || true)
    [ -n "$wid" ] && break
    sleep 0.5
done
[ -n "$wid" ] || fail "the window did not map within 60 s"
sleep 5 # the first frames
geometry=$(xwininfo -id "$wid")
height=$(awk '/Height:/ {print $2}' <<<"$geometry")
width=$(awk '/Width:/ {print $2}' <<<"$geometry")
echo "window ${width}x${height} on a 1366x768 screen"
((height <= 768 && width <= 1366)) || fail "the window (${width}x${height}) is larger than the screen"
import -window root "$artifacts/wine-window-1366x768.png"
colours=$(convert "$artifacts/wine-window-1366x768.png" -format '%k' info:)
spread=$(convert "$artifacts/wine-window-1366x768.png" -colorspace gray -format '%[fx:standard_deviation]' info:)
echo "screenshot: $colours colours, grey spread $spread → $artifacts/wine-window-1366x768.png"
((colours > 50)) || fail "the window looks blank ($colours colours)"

step "A second program on the same database while the window holds it"
set +e
second=$(win --data-dir "$data" case list 2>&1)
status=$?
set -e
[ "$status" = 2 ] || fail "the second program exited $status: $second"
grep -q "đang được một cửa sổ hoặc lệnh anchi khác sử dụng" <<<"$second" || fail "no clear message: $second"
kill "$window_pid" 2>/dev/null || true
wineserver -k >/dev/null 2>&1 || true
wineserver -w

if [ -n "$newer" ]; then
    step "Upgrade to $(basename "$newer"), then uninstall: the data stays"
    # Each command says what failed: a CI run once stopped here with no message (stop 47).
    wine msiexec /i "$(winepath -w "$newer")" /qn || fail "msiexec /i of the newer version exited $?"
    wineserver -w || fail "wineserver -w after the upgrade exited $?"
    test -f "$program/anchi.exe" || fail "anchi.exe gone after the upgrade"
    registered=$(wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null | tr -d '\r') ||
        fail "reg query of the installed products exited $?"
    products=$(grep -a -c -E "Publisher +REG_SZ +anchi$" <<<"$registered" || true)
    [ "$products" = 1 ] || fail "$products anchi products registered after the upgrade"
    grep -a -q -E "DisplayVersion +REG_SZ +$(basename "$newer" | cut -d- -f2)$" <<<"$registered" ||
        fail "the registered version is not the newer one"
    audit=$(win --data-dir "$data" audit verify 2>&1) || fail "audit verify after the upgrade exited $?: $audit"
    wine msiexec /x "$(winepath -w "$newer")" /qn || fail "msiexec /x exited $?"
    wineserver -w || fail "wineserver -w after the uninstall exited $?"
    test ! -f "$program/anchi.exe" || fail "anchi.exe still there after uninstall"
    test -f "$data_unix/anchi.redb" || fail "uninstall deleted the data"
fi

step "Windows checks passed"
