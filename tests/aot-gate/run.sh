#!/usr/bin/env bash
# The Native AOT gate: publish the daemon as Native AOT for linux-x64, look at every trim/AOT warning, then run
# the binary (aot_gate.py). Any warning fails the gate.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${AOT_OUT:-$root/artifacts/aot}"
rm -rf "$out"
mkdir -p "$out"
log="$out/publish.log"

echo "aot-gate: publishing src/EdgeNode as Native AOT (linux-x64, net10.0)"
# TrimmerSingleWarn=false lists each warning instead of one summary per assembly, so that each can be judged;
# warnings stay warnings here so that all of them are printed, and are judged below.
if ! dotnet publish "$root/src/EdgeNode/EdgeNode.csproj" -c Release -f net10.0 \
      -r linux-x64 -p:PublishAot=true -p:TrimmerSingleWarn=false -p:TreatWarningsAsErrors=false \
      -o "$out/bin" >"$log" 2>&1; then
  cat "$log"
  echo "aot-gate: FAIL: publish failed"
  exit 1
fi

warnings=$(grep -E 'warning [A-Z]+[0-9]+' "$log" | sed 's/ \[.*\]$//' | sort -u || true)
if [[ -n "$warnings" ]]; then
  echo "$warnings" | sed 's/^/aot-gate: /'
  echo "aot-gate: FAIL: the AOT publish printed trim/AOT warnings (none are allowed)"
  exit 1
fi
echo "aot-gate: publish clean (no trim or AOT warnings)"

python="/usr/bin/python3"
[ -x "$python" ] || python="python3"
"$python" "$root/tests/aot-gate/aot_gate.py" "$out/bin/edgenode"
