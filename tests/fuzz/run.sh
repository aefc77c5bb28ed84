#!/usr/bin/env bash
# Coverage-guided fuzzing of EdgeNode's parsers: SharpFuzz instruments the src assemblies, afl-fuzz drives them.
#   tests/fuzz/run.sh TARGET SECONDS   fuzz one target (EdgeNode.Fuzz --list names them) from its seed corpus
#   tests/fuzz/run.sh --smoke          every target for a few seconds each (the test command's step)
# Prints executions, paths and map coverage per target; exits non-zero when a crash or hang is found, printing each
# such input as hex and what it does when replayed. Findings stay in artifacts/fuzz/findings/TARGET.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/fuzz"
out="${FUZZ_OUT:-$root/artifacts/fuzz}"
smoke_seconds="${FUZZ_SMOKE_SECONDS:-2}"

usage() { echo "usage: tests/fuzz/run.sh TARGET SECONDS | --smoke" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
if [[ $1 == --smoke ]]; then targets=(); seconds=$smoke_seconds
else [[ $# -eq 2 && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || usage; targets=("$1"); seconds=$2; fi

command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz is missing (apt-get install afl++)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$out"
echo "fuzz: building tests/fuzz/EdgeNode.Fuzz (Release) and instrumenting the parsers with SharpFuzz"
(cd "$root" && dotnet tool restore >/dev/null)
dotnet build "$here/EdgeNode.Fuzz/EdgeNode.Fuzz.csproj" -c Release -nologo -v:q -o "$out/build" >"$out/build.log" 2>&1 \
  || { cat "$out/build.log"; echo "fuzz: FAIL: build failed"; exit 1; }
# Instrument a fresh copy each run: the build's incremental copy would otherwise mix instrumented and plain files.
rm -rf "$out/bin" && cp -r "$out/build" "$out/bin"
for assembly in EdgeNode.Core EdgeNode.Xmpp EdgeNode.Mqtt EdgeNode.Matrix EdgeNode.Devices; do
  (cd "$root" && dotnet sharpfuzz "$out/bin/$assembly.dll" >/dev/null) || { echo "fuzz: FAIL: sharpfuzz could not instrument $assembly"; exit 1; }
done
harness=(dotnet "$out/bin/EdgeNode.Fuzz.dll")
if [[ ${#targets[@]} -eq 0 ]]; then mapfile -t targets < <("${harness[@]}" --list); fi
for target in "${targets[@]}"; do
  [[ -d "$here/corpus/$target" ]] || { echo "fuzz: no target '$target' (no tests/fuzz/corpus/$target)"; "${harness[@]}" --list; exit 2; }
done

# afl-fuzz in a container and on a shared 2-core machine:
#   AFL_SKIP_BIN_CHECK    the program is `dotnet`, not a binary afl-clang built; SharpFuzz speaks the fork-server protocol
#   AFL_SKIP_CPUFREQ      no access to (or control of) the CPU frequency governor here
#   AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES  core_pattern pipes to a handler we may not change; crashes are still seen
#   AFL_NO_AFFINITY       do not pin a core that other builds share
#   AFL_NO_UI, AFL_FAST_CAL  plain log output; shorter calibration, which matters in a few-second smoke run
# The .NET heap is capped (DOTNET_GCHeapHardLimit, 256 MiB): an input that makes a parser allocate past its limits
# shows up as an OutOfMemoryException crash rather than as a slow machine.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
  AFL_NO_UI=1 AFL_FAST_CAL=1 AFL_QUIET=1
export DOTNET_GCHeapHardLimit=0x10000000 DOTNET_TieredPGO=0

stat() { awk -F' *: *' -v k="$1" '$1 == k {print $2}' "$2"; }
failed=0
total_execs=0
for target in "${targets[@]}"; do
  findings="$out/findings/$target"
  rm -rf "$findings"
  mkdir -p "$findings"
  # -t 2000+: 2 s per input before it counts as a hang ("+": a slow seed is skipped rather than fatal); -m none: the
  # runtime reserves far more address space than afl's default limit.
  if ! afl-fuzz -i "$here/corpus/$target" -o "$findings" -t 2000+ -m none -V "$seconds" -- "${harness[@]}" "$target" \
      >"$findings/afl.log" 2>&1; then
    tail -n 30 "$findings/afl.log"
    echo "fuzz: $target: FAIL: afl-fuzz stopped (see $findings/afl.log; a seed that crashes stops it here)"
    failed=1
    continue
  fi
  stats="$findings/default/fuzzer_stats"
  crashes=$(stat saved_crashes "$stats"); hangs=$(stat saved_hangs "$stats")
  execs=$(stat execs_done "$stats"); total_execs=$((total_execs + execs))
  printf 'fuzz: %-24s %8s execs  %8s execs/s  %4s paths (%s seeds)  map %-7s  crashes %s  hangs %s\n' "$target" \
    "$execs" "$(stat execs_per_sec "$stats")" "$(stat corpus_count "$stats")" "$(ls "$here/corpus/$target" | wc -l)" \
    "$(stat bitmap_cvg "$stats")" "$crashes" "$hangs"
  if [[ $crashes != 0 || $hangs != 0 ]]; then
    failed=1
    for input in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
      [[ -f $input ]] || continue
      echo "fuzz: $target: ${input#"$findings"/default/}"
      echo "  hex: $(od -An -tx1 -v "$input" | tr -d ' \n')"
      # Replayed on the plain build: instrumented code outside afl-fuzz has no coverage map to write to.
      replay=$(timeout 10 dotnet "$out/build/EdgeNode.Fuzz.dll" "$target" "$input" 2>&1 || true)
      grep -v '^ *at \|^ *--- End' <<<"$replay" | head -n 6 | sed 's/^/  replay: /'
      grep -m 3 '^ *at EdgeNode\.[A-Z][A-Za-z]*\.' <<<"$replay" | grep -v 'EdgeNode\.Fuzz' | sed 's/^ */  replay:   /' || true
    done
  fi
done

if ((failed)); then echo "fuzz: FAIL (${#targets[@]} targets, $total_execs executions)"; exit 1; fi
echo "fuzz: ok: ${#targets[@]} targets, $total_execs executions, no crash or hang (${SECONDS} s with the build)"
