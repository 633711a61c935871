#!/usr/bin/env bash
# Cross-builds the portable Windows program (anchi.exe, one file: fonts, forms and reference
# data are inside) on a Debian/Ubuntu machine, with the x86_64-pc-windows-gnu target and
# Debian's mingw-w64 linker. Not part of CI: the target is a download.
#
#   packaging/windows/build.sh            → target/x86_64-pc-windows-gnu/dist/anchi.exe
# (the `dist` profile of Cargo.toml: size-optimised, whole-program LTO, stripped)
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    sudo_or_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    sudo_or_root apt-get update -qq
    sudo_or_root apt-get install -y -qq gcc-mingw-w64-x86-64
fi
rustup target add x86_64-pc-windows-gnu

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo build --profile dist --locked --target x86_64-pc-windows-gnu --bin anchi
exe=target/x86_64-pc-windows-gnu/dist/anchi.exe
if [ -n "${CARGO_TARGET_DIR:-}" ]; then exe="$CARGO_TARGET_DIR/x86_64-pc-windows-gnu/dist/anchi.exe"; fi
ls -l "$exe"
file "$exe" 2>/dev/null || true
