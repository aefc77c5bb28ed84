#!/usr/bin/env bash
# Runs every EdgeNode test: unit tests, interop tests against real peers, the Native AOT gate, the release check
# (the arm64 build under qemu and the Debian packages), README's run command as written, and the benchmark smoke run.
# It installs the Debian packages the tests need when they are missing and it runs as root, builds everything
# with warnings as errors, and exits non-zero on any failure. A test whose peer is absent fails; none skip.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use (the peers grow with the interop tests).
packages=(python3
  gcc libc6-dev linux-libc-dev   # GPIO ABI test: compiles a probe against linux/gpio.h
  python3-slixmpp python3-aioxmpp   # XMPP interop: real clients against the c2s service
  prosody openssl   # ./bench.sh anchor for XMPP (Prosody 0.12.3; Mosquitto, below, is the MQTT anchor); the smoke run uses both
  mosquitto mosquitto-clients python3-paho-mqtt   # MQTT interop: Mosquitto as the bridge's upstream, its CLI clients and paho against the broker
  nodejs python3-matrix-nio python3-olm   # Matrix interop: matrix-js-sdk on Node 20 (npm comes with it), matrix-nio with Olm
  ejabberd lua-unbound   # XMPP federation interop: ejabberd 23.01 as a second peer; lua-unbound lets Prosody resolve test domains from a hosts file
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross clang-14 llvm-14 qemu-user-static   # release check: the arm64 AOT cross build, run under qemu
  lintian dpkg-dev binutils systemd strace   # release check: the Debian packages (lintian, dpkg-deb, readelf, systemd-analyze), the unit's system call filter
  afl++   # coverage-guided fuzzing of every parser (tests/fuzz/run.sh --smoke)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing Debian packages: ${missing[*]} (run as root to install them, or apt-get install them); the tests that need them will fail"
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log_dir="artifacts/test-logs"
mkdir -p "$log_dir"

# Matrix interop: matrix-js-sdk@37.5.0 from package-lock.json (the test fails naming this step if it is missing).
# Some nodejs builds bundle npm and Debian's own does not: add Debian's npm only when there is none.
if ! command -v npm >/dev/null && [[ $(id -u) -eq 0 ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
(cd tests/EdgeNode.Interop.Tests/Matrix/js && npm ci --no-audit --no-fund --loglevel=error)

echo "test.sh: building (Release, warnings are errors)"
dotnet build EdgeNode.sln -c Release -nologo -v:q

echo "test.sh: unit and interop tests"
status=0
dotnet test EdgeNode.sln -c Release --no-build -nologo -v:q --logger "console;verbosity=normal" 2>&1 | tee "$log_dir/dotnet-test.log" || status=1

# The steps after the test assemblies: each counts as one test in the closing line. The AOT gate comes first: the
# release check and the benchmark smoke run use the binary it publishes.
steps_passed=0
steps_failed=0
step() {
  local what=$1; shift
  echo "test.sh: $what"
  if "$@"; then steps_passed=$((steps_passed + 1)); else steps_failed=$((steps_failed + 1)); echo "test.sh: FAILED: $what"; fi
}
step "Native AOT gate (tests/aot-gate/run.sh)" bash tests/aot-gate/run.sh
step "release check (tests/release/run.sh: linux-arm64 AOT build run under qemu, the .deb packages)" bash tests/release/run.sh
step "README's run command, exactly as written, in a scratch copy (tests/readme/run_command.py)" /usr/bin/python3 tests/readme/run_command.py
step "README's first hour, step by step (tests/readme/first_hour.py: installed layout, user add, two wrong passwords then the right one, the first device)" /usr/bin/python3 tests/readme/first_hour.py
step "benchmark harness smoke run (./bench.sh --smoke: EdgeNode and the anchors, seconds, no speed asserted)" ./bench.sh --smoke
step "crash safety (tests/crash/run.sh 20: SIGKILL under mixed XMPP, MQTT and Matrix load 20 times, nothing acknowledged lost)" bash tests/crash/run.sh 20
step "disk full (tests/crash/disk_full.py: the data directory on a full tmpfs; protocol errors, reads and delivery go on, recovery by itself)" /usr/bin/python3 tests/crash/disk_full.py "$(bash tests/crash/run.sh --binary)"
step "fuzz smoke run (tests/fuzz/run.sh --smoke: every parser's target under afl-fuzz for seconds, from its seeds)" bash tests/fuzz/run.sh --smoke

# Each test assembly ends with a block "Total tests: N / Passed: N / Failed: N"; add those up.
passed=$(awk '/^[[:space:]]+Passed: +[0-9]+[[:space:]]*$/ {s+=$2} END {print s+0}' "$log_dir/dotnet-test.log")
failed=$(awk '/^[[:space:]]+Failed: +[0-9]+[[:space:]]*$/ {s+=$2} END {print s+0}' "$log_dir/dotnet-test.log")
passed=$((passed + steps_passed))
failed=$((failed + steps_failed))
if ((failed > 0)); then status=1; fi

echo
echo "$passed passed, $failed failed"
exit $status
