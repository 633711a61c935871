#!/usr/bin/env bash
# Cross-builds the Windows program and its MSI on Debian/Ubuntu: anchi.exe for
# x86_64-pc-windows-gnu (mingw-w64's linker; fonts, forms and reference data are inside the
# one file) with the size-optimised `dist` profile, then anchi-<version>-x86_64.msi from
# packaging/windows/anchi.wxs with wixl (msitools). CI runs it (.ci/run), then
# packaging/windows/wine-check.sh on the result.
#
#   packaging/windows/build.sh [--newer]
#     → $CARGO_TARGET_DIR/x86_64-pc-windows-gnu/dist/anchi.exe and anchi-<version>-x86_64.msi
#     --newer also makes the same program as version <major>.<minor>.<patch+1> (CI's upgrade test)
#     --tools only installs what the build needs (CI, before it builds beside other work)
set -euo pipefail
cd "$(dirname "$0")/../.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
command -v wixl >/dev/null || missing+=(wixl)
command -v msibuild >/dev/null || missing+=(msitools)
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu
[ "${1:-}" = --tools ] && exit 0

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo build --profile dist --locked --target x86_64-pc-windows-gnu --bin anchi
out="${CARGO_TARGET_DIR:-target}/x86_64-pc-windows-gnu/dist"
exe="$out/anchi.exe"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)

# msi VERSION OUTPUT: the MSI of $exe as VERSION.
msi() {
    local stage
    stage=$(mktemp -d)
    cp "$exe" packaging/windows/anchi.ico packaging/windows/anchi.wxs "$stage/"
    (cd "$stage" && wixl -a x64 -D Version="$1" -D Exe=anchi.exe -D Icon=anchi.ico -o anchi.msi anchi.wxs)
    # wixl keeps only ASCII text (anchi.wxs says why): the database becomes Vietnamese
    # (codepage 1258), then the names people see are written in Vietnamese.
    printf '\r\n\r\n1258\t_ForceCodepage\r\n' >"$stage/_ForceCodepage.idt"
    msibuild "$stage/anchi.msi" -i "$stage/_ForceCodepage.idt"
    msibuild "$stage/anchi.msi" -q "UPDATE \`Property\` SET \`Value\` = 'Ấn chỉ điện tử (anchi)' WHERE \`Property\` = 'ProductName'"
    msibuild "$stage/anchi.msi" -q "UPDATE \`Shortcut\` SET \`Name\` = 'Ấn chỉ điện tử' WHERE \`Shortcut\` = 'StartMenu'"
    mv "$stage/anchi.msi" "$2"
    rm -rf "$stage"
    echo "$2 ($(stat -c %s "$2") bytes)"
}
ls -l "$exe"
msi "$version" "$out/anchi-$version-x86_64.msi"
if [ "${1:-}" = --newer ]; then
    newer=$(awk -F. '{print $1"."$2"."$3+1}' <<<"$version")
    msi "$newer" "$out/anchi-$newer-x86_64.msi"
fi
