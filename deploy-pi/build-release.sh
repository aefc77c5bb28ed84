#!/usr/bin/env bash
# Builds the Raspberry Pi release: a Native AOT binary for linux-arm64 (Raspberry Pi 3, 4, 5 and Zero 2 W on a
# 64-bit OS). Needs a machine whose NuGet feed has .NET 10's NativeAOT packs for linux-arm64 (nuget.org does),
# either a Pi itself or an x64 machine with the arm64 cross toolchain (clang, lld and an arm64 sysroot).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rid="${1:-linux-arm64}"
out="$root/artifacts/release/$rid"
dotnet publish "$root/src/EdgeNode/EdgeNode.csproj" -c Release -f net10.0 -p:TargetFrameworks=net10.0 \
  -r "$rid" -p:PublishAot=true -o "$out"
cp "$root/deploy-pi/edgenode.service" "$root/deploy-pi/edgenode.json" "$root/deploy-pi/install.sh" "$root/README.md" "$out/"
echo "release in $out: copy the folder to the Pi and run: sudo ./install.sh"
