#!/usr/bin/env bash
# EdgeNode beside its anchors (Prosody 0.12.3 for XMPP; Mosquitto 2.0.11 and MQTTnet.Server 5.2 with its default
# options, tests/EdgeNode.MqttnetAnchor, for MQTT), measured by our own load
# generator (tests/EdgeNode.LoadGen) on the same machine, ports and loopback address, runs alternating
# A B A B (EdgeNode, anchor, EdgeNode, anchor) so that figures compare as ratios. Rewrites the generated section of
# docs/BENCHMARKS.md.
#
#   ./bench.sh           the full run (under 10 minutes on 2 cores)
#   ./bench.sh --smoke   seconds long, tiny N: checks the harness end to end, asserts no speed, writes no document
#   ./bench.sh --soak MINUTES   EdgeNode alone under a steady mixed load for MINUTES (not in CI): 5,000 idle XMPP
#                        connections, 50 chat pairs, 1,000 MQTT devices reporting every 10 s, 20 Matrix users syncing;
#                        samples RSS, descriptors, threads, GC heap and SQLite size once a minute and rewrites the
#                        generated section of docs/RELIABILITY.md (table and slopes after the warm-up)
#   ./bench.sh --only bridge   one group of the full run (xmpp, mqtt, device, bridge, footprint), printed, no document
#
# It does not take the build lock itself (CI runs it alone); by hand, beside other builds, run
# `flock /tmp/edgenode-build.lock ./bench.sh` so that nobody's build disturbs the measurement.
# Exit status: non-zero when the harness breaks or an anchor run fails. A scenario EdgeNode does not offer yet
# (XMPP service-unavailable, MQTT "server unavailable", no telemetry) is reported as such and is not a failure.
set -euo pipefail
cd "$(dirname "$0")"
root="$(pwd)"

mode=full
only=""
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  --soak)
    mode=soak
    soak_minutes="${2:-}"
    [[ $soak_minutes =~ ^[0-9]+$ && $soak_minutes -ge 2 ]] || { echo "usage: ./bench.sh --soak MINUTES (2 or more)" >&2; exit 2; }
    ;;
  --only) only="${2:-}" ;;
  *) echo "usage: ./bench.sh [--smoke | --soak MINUTES | --only xmpp|mqtt|device|bridge|footprint]" >&2; exit 2 ;;
esac
case "$only" in
  ""|xmpp|mqtt|device|bridge|footprint) ;;
  *) echo "usage: ./bench.sh [--smoke | --only xmpp|mqtt|device|bridge|footprint]" >&2; exit 2 ;;
esac
# part GROUP: whether this run includes the group's scenarios.
part() { [[ -z $only || $only == "$1" ]]; }

for tool in prosody mosquitto mosquitto_passwd openssl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install prosody mosquitto mosquitto-clients)"; exit 1; }
done

if [[ $mode == smoke ]]; then
  chat_clients=4; chat_seconds=1; idle_clients=20; idle_seconds=1; publishers=3; subscribers=4
  fan_seconds=1; devices=3; owners=2; device_seconds=1; warmup=0.3; rounds=1; idle_settle=0.5; paced_rate=100
  bridge_pairs=2; bridge_rate=50; bridge_seconds=1; bridge_first_timeout=5
else
  chat_clients=200; chat_seconds=10; idle_clients=5000; idle_seconds=5; publishers=50; subscribers=50
  fan_seconds=8; devices=500; owners=50; device_seconds=10; warmup=1; rounds=2; idle_settle=5; paced_rate=1000
  bridge_pairs=10; bridge_rate=500; bridge_seconds=10; bridge_first_timeout=20
fi
accounts=$(( idle_clients > chat_clients ? idle_clients : chat_clients ))
# Only the idle scenario needs thousands of accounts.
part xmpp || accounts=$chat_clients
(( accounts < owners )) && accounts=$owners
# The bridge scenarios take 6 x pairs accounts from the top, above the chat clients and device owners.
(( accounts < chat_clients + owners + 6 * bridge_pairs )) && accounts=$((chat_clients + owners + 6 * bridge_pairs))

# One loopback address of our own and one port layout for every system under test.
host=127.0.0.8
c2s=25222; c2s_tls=25223; s2s=25269; s2s_tls=25270; http=28008; http_fed=28448; mqtt=21883; mqtt_tls=28883
domain=localhost
password=bench-password
mqtt_user=bench; mqtt_password=bench-mqtt-password
device_password=bench-device-password

work="$(mktemp -d /tmp/edgenode-bench.XXXXXX)"
results="$work/results.jsonl"
server_pid=""
failures=0

stop_server() {
  local pid="$server_pid"
  server_pid=""
  [[ -z $pid ]] && return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  stop_server
  if [[ $status -ne 0 || ${BENCH_KEEP:-} == 1 ]]; then
    echo "bench: logs and results kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Thousands of idle connections need as many descriptors, in the servers (which inherit this) and the generator.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ $mode == soak ]]; then
  # The soak holds some 6,200 connections: each is a descriptor in the node and one in the generator.
  soak_fds=8192
  if (( $(ulimit -n) < soak_fds )); then
    echo "bench: FAIL: the open-file limit is $(ulimit -n) (hard $(ulimit -Hn)); the soak needs $soak_fds (raise the hard limit: ulimit -Hn, /etc/security/limits.conf)"
    exit 1
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# ---- builds ----
edgenode="$root/artifacts/aot/bin/edgenode"
if [[ $mode == smoke && -x $edgenode ]]; then
  echo "bench: using the AOT binary the gate just published ($edgenode)"
elif [[ $mode == soak && -x $edgenode && -z $(find src -name '*.cs' -newer "$edgenode" | head -1) ]]; then
  echo "bench: using the AOT binary published after the last source change ($edgenode)"
else
  echo "bench: publishing EdgeNode as Native AOT (tests/aot-gate/run.sh)"
  bash tests/aot-gate/run.sh >"$work/aot-gate.log" 2>&1 || { cat "$work/aot-gate.log"; echo "bench: FAIL: AOT publish"; exit 1; }
fi
echo "bench: building the load generator (Release)"
dotnet build tests/EdgeNode.LoadGen/EdgeNode.LoadGen.csproj -c Release -nologo -v:q >"$work/loadgen-build.log" 2>&1 \
  || { cat "$work/loadgen-build.log"; echo "bench: FAIL: load generator build"; exit 1; }
loadgen="$root/tests/EdgeNode.LoadGen/bin/Release/net10.0/edgenode-loadgen"
[[ $mode == soak ]] || echo "bench: building the MQTTnet.Server anchor (Release)"
[[ $mode == soak ]] || dotnet build tests/EdgeNode.MqttnetAnchor/EdgeNode.MqttnetAnchor.csproj -c Release -nologo -v:q >"$work/mqttnet-build.log" 2>&1 \
  || { cat "$work/mqttnet-build.log"; echo "bench: FAIL: MQTTnet anchor build"; exit 1; }
mqttnet_anchor="$root/tests/EdgeNode.MqttnetAnchor/bin/Release/net10.0/edgenode-mqttnet-anchor"

# ---- the systems under test ----
wait_ports() {
  local deadline=$((SECONDS + 30)) port
  for port in "$@"; do
    until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
      kill -0 "$server_pid" 2>/dev/null || { echo "bench: the server exited before port $port was up; log:"; tail -20 "$server_log"; return 1; }
      ((SECONDS < deadline)) || { echo "bench: port $port not up after 30 s"; return 1; }
      sleep 0.05
    done
  done
}

edgenode_data="$work/edgenode"
edgenode_args=(run "--Node:DataDir=$edgenode_data" "--Node:ListenAddresses=$host" "--Node:Domain=$domain"
  "--Xmpp:C2sPort=$c2s" "--Xmpp:C2sDirectTlsPort=$c2s_tls" "--Xmpp:S2sPort=$s2s" "--Xmpp:S2sDirectTlsPort=$s2s_tls" "--Http:Port=$http"
  "--Http:FederationPort=$http_fed" "--Mqtt:Port=$mqtt" "--Mqtt:TlsPort=$mqtt_tls" "--Logging:LogLevel:Default=Warning"
  "--Node:MaxConnections=100000" "--Devices:TelemetryIntervalSeconds=0"
  # Thousands of clients from one loopback address: the connection limits, made against floods, are lifted.
  "--Node:MaxConnectionsPerListener=100000" "--Node:MaxUnauthenticatedPerListener=100000" "--Node:ConnectionLimitExempt=127.0.0.0/8"
  # The chat scenario sends as fast as the server takes it: the per-sender rate limits, made for people, are lifted.
  "--Xmpp:MessagesPerSecond=0" "--Xmpp:MessagesPerSecondToOneRecipient=0"
  # The same for Matrix senders (0.2 events a second per user by default): the bridge scenarios send 50 a second each.
  "--Matrix:MessagesPerSecond=0")
edgenode_ports=("$c2s" "$c2s_tls" "$s2s" "$s2s_tls" "$http" "$http_fed" "$mqtt" "$mqtt_tls")

start_edgenode() {
  server_log="$work/edgenode.log"
  "$edgenode" "${edgenode_args[@]}" "$@" >>"$server_log" 2>&1 </dev/null &
  server_pid=$!
  wait_ports "${edgenode_ports[@]}"
}

# ---- the soak run (EdgeNode alone; the anchors and the document of the other runs are not touched) ----
if [[ $mode == soak ]]; then
  soak_idle=5000; soak_pairs=50; soak_devices=1000; soak_matrix=20
  soak_accounts=$((2 * soak_pairs + soak_matrix + soak_idle))
  echo "bench: soak: $soak_accounts accounts (chat pairs, Matrix users, idle connections) and the devices' owner"
  # Each registration counts against the address like a failed login: the login guard is lifted for this start, and a
  # refusal all the same is retried (accounts made before answer "conflict" and log in).
  start_edgenode --Xmpp:AllowRegistration=true --Login:FailuresPerAddress=1000000 --Login:FailuresPerAccount=1000
  for prefix_count in "bench $soak_accounts" "benchowner 1"; do
    read -r prefix count <<<"$prefix_count"
    for attempt in 1 2 3; do
      "$loadgen" xmpp-register --label edgenode --host "$host" --port "$c2s" --domain "$domain" --clients "$count" --prefix "$prefix" \
        --password "$password" >>"$work/prepare.jsonl" 2>>"$work/prepare.err" && break
      ((attempt < 3)) || { echo "bench: FAIL: registering the soak's accounts"; tail -1 "$work/prepare.jsonl"; exit 1; }
    done
  done
  stop_server
  # The devices publish anonymously from loopback; the node's administrator owns what is discovered and gets every
  # reading (Devices:TelemetryIntervalSeconds=0 in edgenode_args: no coalescing).
  # Devices:MaxPerBridge: loopback publishers count as one bridge, which may announce 500 devices by default.
  start_edgenode --Mqtt:AnonymousLoopback=true "--Node:Admins=benchowner0@$domain" --Devices:MaxPerBridge=2000
  {
    echo "Command: \`./bench.sh --soak $soak_minutes\` (by hand: \`flock /tmp/edgenode-build.lock ./bench.sh --soak $soak_minutes\`). Date: $(date -u +%Y-%m-%d)."
    echo "Machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), Linux $(uname -r); open-file limit $(ulimit -n)."
    echo "Node: $("$edgenode" --version 2>/dev/null | head -1) (Native AOT, linux-x64), started once for the whole run. Load: $soak_idle idle XMPP connections,"
    echo "$soak_pairs chat pairs (one message a second each way), the devices' owner on XMPP, $soak_devices MQTT 5.0 devices (anonymous from"
    echo "loopback) reporting Tasmota telemetry every 10 s, $soak_matrix Matrix users in one room (one message each every 10 s, all long-polling"
    echo "/sync). Minute 0 is the first sample once everything is connected. RSS, descriptors (/proc/PID/fd) and threads from /proc;"
    echo "GC heap from the node's \`\$SYS/broker/heap/current\`; SQLite is edgenode.db plus its WAL."
  } >"$work/soak-preamble.md"
  echo "bench: soak: $soak_minutes minutes, a sample a minute"
  status=0
  line=$("$loadgen" soak --label edgenode --server-pid "$server_pid" --host "$host" --xmpp-port "$c2s" --mqtt-port "$mqtt" \
    --http-port "$http" --domain "$domain" --password "$password" --owner benchowner0 --idle "$soak_idle" --pairs "$soak_pairs" \
    --devices "$soak_devices" --matrix-users "$soak_matrix" --minutes "$soak_minutes" --data-dir "$edgenode_data" \
    --samples "$work/soak-samples.jsonl" --doc docs/RELIABILITY.md --preamble "$work/soak-preamble.md" 2> >(tee "$work/soak.err" >&2)) || status=$?
  stop_server
  echo "$line"
  if ((status != 0)); then
    echo "bench: FAIL: the soak run failed (node log: $work/edgenode.log)"
    exit 1
  fi
  mkdir -p artifacts/soak && cp "$work/soak-samples.jsonl" artifacts/soak/
  echo "bench: soak ok; docs/RELIABILITY.md updated (samples in artifacts/soak/soak-samples.jsonl)"
  exit 0
fi

prosody_dir="$work/prosody"
mkdir -p "$prosody_dir/data"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$domain" -addext "subjectAltName=DNS:$domain" \
  -keyout "$prosody_dir/$domain.key" -out "$prosody_dir/$domain.crt" >/dev/null 2>&1
# No mod_limits (Debian's default config throttles with it), TLS required, offline storage on, internal storage
# (files) with hashed SCRAM-SHA-256 credentials; in-band registration (loopback only) is how the harness makes accounts.
cat >"$prosody_dir/prosody.cfg.lua" <<EOF
run_as_root = true
daemonize = false
pidfile = "$prosody_dir/prosody.pid"
data_path = "$prosody_dir/data"
plugin_paths = {}
interfaces = { "$host" }
c2s_ports = { $c2s }
s2s_ports = { $s2s }
log = { warn = "$prosody_dir/prosody.log" }
authentication = "internal_hashed"
password_hash = "SHA-256"
storage = "internal"
c2s_require_encryption = true
allow_registration = true
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "register"; "offline"; "time"; "version"; "dialback" }
ssl = { key = "$prosody_dir/$domain.key"; certificate = "$prosody_dir/$domain.crt" }
VirtualHost "$domain"
EOF
prosody_ports=("$c2s" "$s2s")

start_prosody() {
  server_log="$prosody_dir/prosody.log"
  prosody --config "$prosody_dir/prosody.cfg.lua" -F >>"$prosody_dir/stdout.log" 2>&1 </dev/null &
  server_pid=$!
  wait_ports "${prosody_ports[@]}"
}

mosquitto_dir="$work/mosquitto"
mkdir -p "$mosquitto_dir"
: >"$mosquitto_dir/passwd"
mosquitto_passwd -b "$mosquitto_dir/passwd" "$mqtt_user" "$mqtt_password"
chmod 0600 "$mosquitto_dir/passwd"
cat >"$mosquitto_dir/mosquitto.conf" <<EOF
user root
listener $mqtt $host
allow_anonymous false
password_file $mosquitto_dir/passwd
persistence false
log_dest file $mosquitto_dir/mosquitto.log
EOF
mosquitto_ports=("$mqtt")

start_mosquitto() {
  server_log="$mosquitto_dir/mosquitto.log"
  mosquitto -c "$mosquitto_dir/mosquitto.conf" >>"$mosquitto_dir/stdout.log" 2>&1 </dev/null &
  server_pid=$!
  wait_ports "${mosquitto_ports[@]}"
}

# MQTTnet.Server as a .NET user would first meet it: default options (so its bounded per-client queue drops the
# oldest message when full), no authentication (the generator's user name and password are accepted), in memory.
mqttnet_dir="$work/mqttnet"
mkdir -p "$mqttnet_dir"
start_mqttnet() {
  server_log="$mqttnet_dir/mqttnet.log"
  "$mqttnet_anchor" --host "$host" --port "$mqtt" >>"$server_log" 2>&1 </dev/null &
  server_pid=$!
  wait_ports "$mqtt"
}

# ---- accounts ----
echo "bench: accounts ($accounts XMPP accounts on each XMPP server, MQTT users)"
start_prosody
"$loadgen" xmpp-register --label prosody --host "$host" --port "$c2s" --domain "$domain" --clients "$accounts" \
  --password "$password" >>"$work/prepare.jsonl" || { echo "bench: FAIL: registering Prosody accounts"; tail -3 "$work/prepare.jsonl"; exit 1; }
stop_server

# EdgeNode: XEP-0077 registration is switched on (and its per-address counter lifted) only for this preparing
# start; the measured starts use the defaults. `edgenode user add` makes one account per process, too slow for 5,000.
edgenode_xmpp=ok
start_edgenode --Xmpp:AllowRegistration=true --Login:FailuresPerAddress=100000
if ! "$loadgen" xmpp-register --label edgenode --host "$host" --port "$c2s" --domain "$domain" --clients "$accounts" \
    --password "$password" >>"$work/prepare.jsonl"; then
  if tail -1 "$work/prepare.jsonl" | grep -q '"status":"unsupported"'; then edgenode_xmpp=unsupported
  else echo "bench: FAIL: registering EdgeNode accounts"; tail -1 "$work/prepare.jsonl"; exit 1; fi
fi
stop_server
# MQTT users: one device account that every benchmark client logs in with (distinct client ids), allowed the
# benchmark's topics, and one account per simulated device. Missing verbs (an older build) are reported below.
edgenode_device_verbs=ok
if ! part mqtt && ! part device; then
  :
elif printf '%s\n' "$mqtt_password" | "$edgenode" device add "$mqtt_user" "--Node:DataDir=$edgenode_data" >>"$work/prepare.log" 2>&1 \
   && "$edgenode" device allow "$mqtt_user" both 'bench/#' "--Node:DataDir=$edgenode_data" >>"$work/prepare.log" 2>&1; then
  for ((d = 0; d < devices; d++)); do
    printf '%s\n' "$device_password" | "$edgenode" device add "dev$d" "--Node:DataDir=$edgenode_data" >>"$work/prepare.log" 2>&1 || true
    # Each simulated device belongs to one of the owners, whose XMPP clients receive its readings.
    "$edgenode" device owner "dev$d" "bench$((d % owners))@$domain" "--Node:DataDir=$edgenode_data" "--Node:Domain=$domain" \
      >>"$work/prepare.log" 2>&1 || true
  done
else
  edgenode_device_verbs=missing
  echo "bench: note: 'edgenode device add/allow' failed (see $work/prepare.log); EdgeNode's MQTT runs may be refused"
fi

# ---- the runs ----
# run_one SYSTEM SCENARIO ARGS...: starts SYSTEM, runs the generator, stops SYSTEM, appends the JSON line.
run_one() {
  local system=$1 verb=$2; shift 2
  case $system in
    edgenode) start_edgenode ;;
    prosody) start_prosody ;;
    mosquitto) start_mosquitto ;;
    mqttnet) start_mqttnet ;;
  esac
  local line status=0
  line=$("$loadgen" "$verb" --label "$system" --server-pid "$server_pid" --host "$host" --warmup "$warmup" "$@" 2>>"$work/loadgen.err") || status=$?
  stop_server
  [[ -n $line ]] || line="{\"scenario\":\"$verb\",\"system\":\"$system\",\"status\":\"failed\",\"message\":\"the generator printed nothing (exit $status)\"}"
  echo "$line" >>"$results"
  last_status=$status
  case $status in
    0) echo "bench:   $system: ok  $(summary "$line")" ;;
    3) echo "bench:   $system: not yet supported by EdgeNode: $(field "$line" message)" ;;
    *) echo "bench:   $system: FAILED: $(field "$line" message)"; failures=$((failures + 1)) ;;
  esac
}

field() { sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$1"; }
summary() {
  local out="" key
  for key in msgs_per_second p50_ms p99_ms server_cpu_seconds rss_peak_kib rss_per_connection_kib connections_alive expected received lost; do
    local v
    v=$(sed -n "s/.*\"$key\":\\(-\\{0,1\\}[0-9.]*\\).*/\\1/p" <<<"$1")
    [[ -n $v ]] && out+="$key=$v "
  done
  echo "$out"
}

# alternate SCENARIO "ANCHOR..." ARGS...: A B A B (A B C A B C with two anchors); EdgeNode is skipped after it
# answered "not yet supported".
alternate() {
  local verb=$1 anchor=$2; shift 2
  local edge_skip=0
  echo "bench: $verb $*"
  for ((round = 1; round <= rounds; round++)); do
    if ((edge_skip == 0)); then
      run_one edgenode "$verb" "$@"
      if [[ $last_status == 3 ]]; then edge_skip=1; fi
    fi
    for a in $anchor; do run_one "$a" "$verb" "$@"; done
  done
}

xmpp_args=(--port "$c2s" --domain "$domain" --password "$password")
if part xmpp; then
alternate xmpp-chat prosody "${xmpp_args[@]}" --clients "$chat_clients" --seconds "$chat_seconds"
alternate xmpp-idle prosody "${xmpp_args[@]}" --clients "$idle_clients" --seconds "$idle_seconds"
fi
if part mqtt; then
for qos in 0 1; do
  alternate mqtt-fanout "mosquitto mqttnet" --port "$mqtt" --user "$mqtt_user" --password "$mqtt_password" --qos "$qos" \
    --mqtt-version 5 --publishers "$publishers" --subscribers "$subscribers" --seconds "$fan_seconds"
done
# QoS 1 again at a fixed, moderate rate that neither server is saturated by: the saturated runs above measure
# queueing in the generator and the server at full speed, this one what a message costs in time below that.
alternate mqtt-fanout "mosquitto mqttnet" --port "$mqtt" --user "$mqtt_user" --password "$mqtt_password" --qos 1 \
  --mqtt-version 5 --publishers "$publishers" --subscribers "$subscribers" --seconds "$fan_seconds" --rate "$paced_rate"
if [[ $mode == smoke ]]; then
  # MQTT 3.1.1 as well, so that both codec versions of the generator stay exercised.
  alternate mqtt-fanout "mosquitto mqttnet" --port "$mqtt" --user "$mqtt_user" --password "$mqtt_password" \
    --qos 1 --mqtt-version 4 --publishers "$publishers" --subscribers "$subscribers" --seconds "$fan_seconds"
fi
fi
if part device; then
alternate device-telemetry "" --xmpp-port "$c2s" --mqtt-port "$mqtt" --domain "$domain" --password "$password" \
  --device-password "$device_password" --devices "$devices" --owners "$owners" --seconds "$device_seconds"
fi

# XMPP and Matrix on one node: pairs of people on different protocols at a fixed total rate, and XMPP to XMPP at the
# same pace as the reference. Accounts from the top of the range: each direction's own people (a Matrix log-in
# makes an account one who uses Matrix, which must not change the chat and device scenarios above).
bridge_first=$((accounts - 6 * bridge_pairs))
bridge_args=(--xmpp-port "$c2s" --http-port "$http" --domain "$domain" --password "$password" --pairs "$bridge_pairs"
  --rate "$bridge_rate" --seconds "$bridge_seconds" --first-timeout "$bridge_first_timeout")
if part bridge; then
alternate bridge-chat "" --direction xmpp-matrix --first "$bridge_first" "${bridge_args[@]}"
alternate bridge-chat "" --direction matrix-xmpp --first $((bridge_first + 2 * bridge_pairs)) "${bridge_args[@]}"
alternate bridge-chat "" --direction xmpp-xmpp --first $((bridge_first + 4 * bridge_pairs)) "${bridge_args[@]}"
fi

# ---- footprint: binary size, exec to every listener ready, idle RSS ----
if part footprint; then
echo "bench: footprint"
footprint() {
  local system=$1; shift
  local line status=0
  line=$("$loadgen" footprint --label "$system" --host "$host" --idle-seconds "$idle_settle" "$@" 2>>"$work/loadgen.err") || status=$?
  echo "$line" >>"$results"
  if ((status == 0)); then echo "bench:   $system: ready_ms=$(sed -n 's/.*"ready_ms":\([0-9.]*\).*/\1/p' <<<"$line") rss_kib=$(sed -n 's/.*"rss_after_kib":\([0-9]*\).*/\1/p' <<<"$line")"
  else echo "bench:   $system: FAILED: $(field "$line" message)"; failures=$((failures + 1)); fi
}
edgenode_version=$("$edgenode" --version 2>/dev/null | head -1)
prosody_version=$(dpkg-query -W -f='${Version}' prosody)
mosquitto_version=$(dpkg-query -W -f='${Version}' mosquitto)
footprint edgenode --ports "$(IFS=,; echo "${edgenode_ports[*]}")" --binary "$edgenode" --version "$edgenode_version" \
  --log "$work/edgenode.log" -- "$edgenode" "${edgenode_args[@]}"
prosody_lua=$(command -v lua5.4)
prosody_bytes=$(( $(du -sb /usr/lib/prosody | cut -f1) + $(stat -Lc %s "$prosody_lua") ))
footprint prosody --ports "$(IFS=,; echo "${prosody_ports[*]}")" --binary-bytes "$prosody_bytes" \
  --version "$prosody_version" --log "$prosody_dir/stdout.log" -- prosody --config "$prosody_dir/prosody.cfg.lua" -F
footprint mosquitto --ports "$mqtt" --binary "$(command -v mosquitto)" --version "$mosquitto_version" \
  --log "$mosquitto_dir/stdout.log" -- mosquitto -c "$mosquitto_dir/mosquitto.conf"
fi

# ---- the document ----
if [[ -n $only ]]; then
  echo "bench: --only $only: results (not written to docs/BENCHMARKS.md):"
  cat "$results"
elif [[ $mode == full ]]; then
  {
    echo "Command: \`./bench.sh\` (by hand beside other builds: \`flock /tmp/edgenode-build.lock ./bench.sh\`). Date: $(date -u +%Y-%m-%d)."
    echo "Machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), Linux $(uname -r)."
    echo "Versions: ${edgenode_version:-edgenode (unknown)} (Native AOT, linux-x64), Prosody $prosody_version (Lua $(lua5.4 -v 2>/dev/null | awk '{print $2}' || echo '?'), epoll), Mosquitto $mosquitto_version; load generator on .NET $(dotnet --version)."
    echo
    echo "Every system listens on $host with the same ports; each run starts the server afresh on the same data, and runs"
    echo "alternate EdgeNode, anchor, EdgeNode, anchor. Figures are the mean of a system's two runs (each run in"
    echo "parentheses); the ratio is EdgeNode / anchor (above 1 is better for throughput, below 1 for latency, CPU and memory)."
    echo "Latency is send to receive, from a timestamp the generator puts in each message. Server CPU is utime+stime"
    echo "from /proc/PID/stat over the measured seconds; RSS from /proc/PID/status. The generator shares the 2 cores."
    echo "XMPP: TLS on (STARTTLS), SCRAM-SHA-256, chat to bare JIDs, at most 8 unanswered messages per sender. Prosody: no"
    echo "mod_limits, offline storage on, internal (file) storage. EdgeNode: its per-sender message rate limits (XMPP and Matrix, made for"
    echo "people) lifted, like Prosody's mod_limits. MQTT: MQTT 5.0, user name and password, 8 messages"
    echo "in flight per publisher counted by their deliveries. Mosquitto: password file, persistence off. MQTTnet.Server"
    echo "5.2.0.1603 (tests/EdgeNode.MqttnetAnchor): its default options (the per-client queue holds 250 messages and drops"
    echo "the oldest when full), no authentication, in memory, JIT on the .NET runtime. The MQTT tables also count every"
    echo "delivery the run's publishes owe against those that arrived: a server that drops messages is not faster for it."
  } >"$work/preamble.md"
  "$loadgen" report --results "$results" --doc docs/BENCHMARKS.md --preamble "$work/preamble.md" >/dev/null
  echo "bench: docs/BENCHMARKS.md updated"
fi

if ((failures > 0)); then
  echo "bench: FAIL: $failures run(s) failed"
  exit 1
fi
echo "bench: ok ($mode)"
