#!/usr/bin/env bash
# Builds the Raspberry Pi release: the daemon as a Native AOT binary for linux-arm64 (Raspberry Pi 3, 4, 5 and
# Zero 2 W on a 64-bit OS), with its native libraries beside it.
#
#   deploy-pi/build-release.sh [RID] [OUTPUT]     RID defaults to linux-arm64, OUTPUT to artifacts/release/RID
#
# On an x64 Debian machine it cross-compiles:
#   apt-get install --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross clang-14 llvm-14
# clang-14 links with the cross binutils' ld (binutils-aarch64-linux-gnu comes with gcc-aarch64-linux-gnu) and
# finds the arm64 C library under /usr/aarch64-linux-gnu by itself (libc6-dev-arm64-cross, only recommended by
# gcc-aarch64-linux-gnu, has its start files): no SysRoot is given, since Debian's cross packages are not laid out
# as one. Symbols are stripped with llvm-objcopy-14 (llvm-14), which reads any architecture.
# On the Pi itself (an arm64 host) the same command builds natively with the default compiler (clang).
# Any trim or AOT warning fails the build, as in the x64 AOT gate.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rid="${1:-linux-arm64}"
out="${2:-$root/artifacts/release/$rid}"
cc="${EDGENODE_CROSS_CC:-clang-14}"

cross=()
case "$(uname -m)/$rid" in
  x86_64/linux-x64 | aarch64/linux-arm64) ;;
  x86_64/linux-arm64)
    for tool in "$cc" aarch64-linux-gnu-ld llvm-objcopy-14; do
      command -v "$tool" >/dev/null || {
        echo "build-release: $tool not found: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross clang-14 llvm-14"; exit 1; }
    done
    cross=(-p:CppCompilerAndLinker="$cc" -p:ObjCopyName=llvm-objcopy-14) ;;
  *) echo "build-release: cross-compiling from $(uname -m) to $rid is not set up here"; exit 1 ;;
esac

rm -rf "$out"
mkdir -p "$out"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "build-release: publishing src/EdgeNode as Native AOT ($rid, net10.0) into $out"
# TrimmerSingleWarn=false lists each warning; they stay warnings so that all are printed, and any fails below.
if ! dotnet publish "$root/src/EdgeNode/EdgeNode.csproj" -c Release -f net10.0 -r "$rid" -p:PublishAot=true \
      -p:TrimmerSingleWarn=false -p:TreatWarningsAsErrors=false "${cross[@]}" -nologo -o "$out" >"$log" 2>&1; then
  cat "$log"
  echo "build-release: FAIL: publish failed"
  exit 1
fi
warnings=$(grep -E 'warning [A-Z]+[0-9]+' "$log" | sed 's/ \[.*\]$//' | sort -u || true)
if [[ -n "$warnings" ]]; then
  echo "$warnings" | sed 's/^/build-release: /'
  echo "build-release: FAIL: the publish printed warnings (none are allowed)"
  exit 1
fi
# The debug symbols stay on the build machine; the release is the binary and its native libraries.
rm -f "$out"/*.dbg "$out"/*.pdb
echo "build-release: OK: $rid release in $out ($(cd "$out" && ls | tr '\n' ' '))"
echo "build-release: package it with: deploy-pi/build-deb.sh $out"
