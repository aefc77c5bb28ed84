#!/usr/bin/env bash
# Measures what Native AOT publish options cost or save on the real node: for each variant, the binary size, the
# idle RSS once every listener is up (the load generator's footprint), and the XMPP chat scenario of ./bench.sh
# (200 clients, TLS, SCRAM, 10 s, two runs). Not part of the test command; its figures go to docs/BENCHMARKS.md.
#
#   flock /tmp/edgenode-build.lock tests/aot-gate/variants.sh                        every variant below
#   flock /tmp/edgenode-build.lock tests/aot-gate/variants.sh "speed:-p:OptimizationPreference=Speed"
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
variants=("$@")
if ((${#variants[@]} == 0)); then
  variants=("as-shipped:"
    "opt-speed:-p:OptimizationPreference=Speed"
    "no-stacktrace:-p:StackTraceSupport=false"
    "eventsource-on:-p:EventSourceSupport=true")
fi
host=127.0.0.9; c2s=26222; domain=localhost; password=variant-password; clients=200; seconds=10
ports=(--Xmpp:C2sPort=$c2s --Xmpp:C2sDirectTlsPort=26223 --Xmpp:S2sPort=26269 --Xmpp:S2sDirectTlsPort=26270
  --Http:Port=28009 --Http:FederationPort=28449 --Mqtt:Port=21884 --Mqtt:TlsPort=28884)
work="$(mktemp -d /tmp/edgenode-variants.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/EdgeNode.LoadGen/EdgeNode.LoadGen.csproj -c Release -nologo -v:q >/dev/null
loadgen="$root/tests/EdgeNode.LoadGen/bin/Release/net10.0/edgenode-loadgen"

wait_port() {
  local deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/$host/$c2s") 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "variants: port $c2s not up"; return 1; }
    sleep 0.05
  done
}

printf '%-16s %12s %10s %14s %14s\n' variant binary_bytes rss_kib chat_msgs_s server_cpu_s
for variant in "${variants[@]}"; do
  name=${variant%%:*}; props=${variant#*:}
  out="$work/$name"
  # shellcheck disable=SC2086
  dotnet publish src/EdgeNode/EdgeNode.csproj -c Release -f net10.0 -r linux-x64 -p:PublishAot=true $props \
    -o "$out/bin" >"$out.publish.log" 2>&1 || { tail -20 "$out.publish.log"; exit 1; }
  bin="$out/bin/edgenode"
  args=(run "--Node:DataDir=$out/data" "--Node:ListenAddresses=$host" "--Node:Domain=$domain" "${ports[@]}"
    "--Logging:LogLevel:Default=Warning" "--Node:MaxConnections=100000" "--Node:MaxConnectionsPerListener=100000"
    "--Node:MaxUnauthenticatedPerListener=100000" "--Node:ConnectionLimitExempt=127.0.0.0/8" "--Xmpp:MessagesPerSecond=0"
    "--Xmpp:MessagesPerSecondToOneRecipient=0")
  "$bin" "${args[@]}" --Xmpp:AllowRegistration=true --Login:FailuresPerAddress=100000 >"$out.log" 2>&1 &
  pid=$!; wait_port
  "$loadgen" xmpp-register --label "$name" --host "$host" --port "$c2s" --domain "$domain" --clients "$clients" \
    --password "$password" >/dev/null
  kill -TERM $pid; wait $pid || true
  footprint=$("$loadgen" footprint --label "$name" --host "$host" --idle-seconds 5 --ports "$c2s" --binary "$bin" \
    -- "$bin" "${args[@]}")
  rss=$(sed -n 's/.*"rss_after_kib":\([0-9]*\).*/\1/p' <<<"$footprint")
  rates=(); cpus=()
  for round in 1 2; do
    "$bin" "${args[@]}" >>"$out.log" 2>&1 &
    pid=$!; wait_port
    line=$("$loadgen" xmpp-chat --label "$name" --server-pid $pid --host "$host" --warmup 1 --port "$c2s" \
      --domain "$domain" --password "$password" --clients "$clients" --seconds "$seconds")
    kill -TERM $pid; wait $pid || true
    rates+=("$(sed -n 's/.*"msgs_per_second":\([0-9.]*\).*/\1/p' <<<"$line")")
    cpus+=("$(sed -n 's/.*"server_cpu_seconds":\([0-9.]*\).*/\1/p' <<<"$line")")
  done
  printf '%-16s %12s %10s %14s %14s\n' "$name" "$(stat -c %s "$bin")" "$rss" "${rates[*]}" "${cpus[*]}"
done
