#!/usr/bin/env bash
# The Native AOT gate: publish the daemon as Native AOT for linux-x64, look at every trim/AOT warning, then run
# the binary (aot_gate.py). .NET 9's ILCompiler is what this build machine's NuGet mirror has, hence -f net9.0.
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

allowed="$root/tests/aot-gate/allowed-warnings.txt"
unexpected=0
while IFS= read -r line; do
  ok=0
  while read -r code member; do
    [[ -z "$code" || "$code" == \#* ]] && continue
    if [[ "$line" == *"warning $code: $member"* ]]; then ok=1; break; fi
  done <"$allowed"
  if [[ $ok -eq 0 ]]; then echo "aot-gate: unexpected: $line"; unexpected=1; fi
done < <(grep -E 'warning [A-Z]+[0-9]+' "$log" | sed 's/ \[.*\]$//' | sort -u)
if [[ $unexpected -ne 0 ]]; then
  echo "aot-gate: FAIL: the AOT publish printed warnings that are not in tests/aot-gate/allowed-warnings.txt"
  exit 1
fi
echo "aot-gate: publish clean (only the $(grep -cvE '^\s*(#|$)' "$allowed") known Microsoft.Data.Sqlite warnings)"

python="/usr/bin/python3"
[ -x "$python" ] || python="python3"
"$python" "$root/tests/aot-gate/aot_gate.py" "$out/bin/edgenode"
