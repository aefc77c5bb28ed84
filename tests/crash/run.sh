#!/usr/bin/env bash
# Crash safety: SIGKILL the node under mixed XMPP, MQTT and Matrix load, restart it on the same data directory, and
# check that nothing acknowledged was lost (tests/crash/crash.py says what is checked).
#   tests/crash/run.sh [KILLS [SEED]]     (default: 20 kills, a random seed that is printed)
#   tests/crash/run.sh --binary           (prints the node binary it would run, building it if needed)
# It runs the Native AOT binary that tests/aot-gate/run.sh published when there is one (as a service would), and
# otherwise builds src/EdgeNode and runs its build output.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$root/artifacts/aot/bin/edgenode"
if [[ ! -x "$binary" ]]; then
  dotnet build "$root/src/EdgeNode/EdgeNode.csproj" -c Release -nologo -v:q >/dev/null
  binary="$root/src/EdgeNode/bin/Release/net10.0/edgenode"
fi
if [[ "${1:-}" == "--binary" ]]; then echo "$binary"; exit 0; fi
echo "crash: node binary $binary"
kills="${1:-20}"
seed=()
[[ $# -ge 2 ]] && seed=(--seed "$2")
exec /usr/bin/python3 "$root/tests/crash/crash.py" --kills "$kills" "${seed[@]}" "$binary"
