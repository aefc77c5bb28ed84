#!/usr/bin/env bash
# The release check (issue 13, "The Raspberry Pi build, proven"), run by ./test.sh after the Native AOT gate:
#  1. cross-compiles the linux-arm64 Native AOT binary (deploy-pi/build-release.sh; any warning fails it);
#  2. runs it under qemu-user on a fresh data directory: every listener answers in its protocol, an account made
#     with the binary's own `user add` logs in over XMPP and Matrix, a device account made with `device add`
#     publishes over MQTT and appears in its owner's roster, SIGTERM gives exit 0 (tests/release/scenario.py
#     through tests/aot-gate/aot_gate.py --runner);
#  3. runs the amd64 binary of the AOT gate (artifacts/aot/bin) through the same scenario under the kernel's
#     memory-deny-write-execute rule, which the unit's MemoryDenyWriteExecute=true imposes, and under strace:
#     every system call and socket family must be one the unit's SystemCallFilter= and RestrictAddressFamilies=
#     allow (tests/release/syscalls.py);
#  4. builds edgenode_<version>_arm64.deb and _amd64.deb (deploy-pi/build-deb.sh) and checks them with
#     dpkg-deb --contents and lintian (no errors), and the unit with systemd-analyze verify;
#  5. installs the amd64 package with dpkg --root into a throw-away root made from this machine's own packages
#     (tests/release/make_root.py), runs the installed command there, then removes and purges it.
# Prints one PASS or FAIL line per step, stops at the first failure and exits non-zero then.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/release"
work="$root/artifacts/release"
arm64="$work/linux-arm64"
amd64="${AOT_OUT:-$root/artifacts/aot}/bin"
debs="$work/deb"
python=/usr/bin/python3
[[ -x $python ]] || python=python3
mkdir -p "$work"
log="$work/step.log"

pass() { echo "release: PASS: $*"; }
fail() { echo "release: FAIL: $*"; exit 1; }
# step NAME COMMAND...: runs COMMAND with its output in $log; on failure shows that output and stops.
step() {
  local name="$1" started=$SECONDS; shift
  if "$@" >"$log" 2>&1; then pass "$name ($((SECONDS - started)) s)"; else cat "$log"; fail "$name"; fi
}

# The tools, as Debian packages (installed when missing and run as root, like ./test.sh does).
packages=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu clang-14 llvm-14
  qemu-user-static lintian dpkg-dev binutils systemd strace python3-slixmpp)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || fail "missing Debian packages ${missing[*]} (run as root or apt-get install them)"
  echo "release: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]}"
fi

# 1. The arm64 binary.
step "linux-arm64 Native AOT publish, cross-compiled with clang-14, no warnings" \
  "$root/deploy-pi/build-release.sh" linux-arm64 "$arm64"

# 2. Under qemu. The emulated process needs an arm64 library the build machine does not have: OpenSSL (TLS,
# certificates; SQLite and libsodium come in the publish folder). It is unpacked (never installed) from Debian's
# arm64 package into a prefix beside the cross libc.
qemu_root="$work/qemu-arm64"
arm64_packages=(libssl3)
prepare_qemu_root() {
  rm -rf "$qemu_root" && mkdir -p "$qemu_root/debs" || return 1
  ln -s /usr/aarch64-linux-gnu/lib "$qemu_root/lib"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    [[ $(id -u) -eq 0 ]] || { echo "apt knows no arm64 packages: as root, dpkg --add-architecture arm64 && apt-get update"; return 1; }
    dpkg --add-architecture arm64 && apt-get update -qq || return 1
  fi
  local p
  for p in "${arm64_packages[@]}"; do
    (cd "$qemu_root/debs" && apt-get download -qq "$p:arm64" 2>&1 | grep -v '^W: Download is performed unsandboxed') || true
    compgen -G "$qemu_root/debs/${p}_*_arm64.deb" >/dev/null || { echo "apt-get download $p:arm64 failed"; return 1; }
    dpkg-deb -x "$qemu_root"/debs/"${p}"_*_arm64.deb "$qemu_root" || return 1
  done
}
step "arm64 runtime libraries for qemu: ${arm64_packages[*]} unpacked into $qemu_root" prepare_qemu_root

qemu_out="$work/qemu.out"
started=$SECONDS
if QEMU_LD_PREFIX="$qemu_root" "$python" "$root/tests/aot-gate/aot_gate.py" --runner qemu-aarch64-static --slowdown 10 \
     --name "release: arm64 under qemu" --scenario "$here/scenario.py" "$arm64/edgenode" >"$qemu_out" 2>&1; then
  grep '^release: ' "$qemu_out"
  pass "arm64 binary under qemu-user: listeners, XMPP and Matrix login, MQTT device in the owner's roster, SIGTERM exit 0 ($((SECONDS - started)) s)"
else
  cat "$qemu_out"
  fail "arm64 binary under qemu-user"
fi

# 3. The amd64 binary under the unit's confinement, as far as it holds outside systemd: the kernel's
# memory-deny-write-execute rule (MemoryDenyWriteExecute=true) enforced, and every system call and socket family
# traced (strace) and then checked against SystemCallFilter= and RestrictAddressFamilies=.
if [[ ! -x "$amd64/edgenode" ]]; then
  step "linux-x64 Native AOT publish (the AOT gate, which had not run)" bash "$root/tests/aot-gate/run.sh"
fi
mdwe_out="$work/mdwe.out"
traces="$work/syscalls"
rm -rf "$traces"
started=$SECONDS
if "$python" "$root/tests/aot-gate/aot_gate.py" --runner "$python $here/mdwe.py $python $here/syscalls.py trace $traces" \
     --slowdown 3 --name "release: amd64 with MDWE" --scenario "$here/scenario.py" "$amd64/edgenode" >"$mdwe_out" 2>&1; then
  grep '^release: .*OK' "$mdwe_out"
  pass "amd64 binary with PR_SET_MDWE (no writable and executable memory), traced: the same scenario ($((SECONDS - started)) s)"
else
  cat "$mdwe_out"
  fail "amd64 binary with PR_SET_MDWE"
fi
step "every system call and socket family of the node and its verbs is allowed by the unit" \
  "$python" "$here/syscalls.py" check "$traces" "$root/deploy-pi/edgenode.service"
sed 's/^/release: /' "$log"

# 4. The packages.
rm -rf "$debs"
step "edgenode_*_arm64.deb built" "$root/deploy-pi/build-deb.sh" "$arm64" "$debs"
grep '^build-deb: ' "$log"
step "edgenode_*_amd64.deb built" "$root/deploy-pi/build-deb.sh" "$amd64" "$debs"
grep '^build-deb: ' "$log"

check_contents() {
  local deb="$1" publish="$2" listing so path
  listing=$(dpkg-deb --contents "$deb") || return 1
  for path in ./usr/lib/edgenode/edgenode ./usr/bin/edgenode ./etc/edgenode/edgenode.json \
      ./lib/systemd/system/edgenode.service ./usr/share/doc/edgenode/copyright ./usr/share/doc/edgenode/changelog.gz; do
    grep -q " $path\$" <<<"$listing" || { echo "$deb lacks $path"; return 1; }
  done
  for so in "$publish"/*.so; do
    [[ -e $so ]] || continue
    grep -q " ./usr/lib/edgenode/$(basename "$so")\$" <<<"$listing" || { echo "$deb lacks $(basename "$so") of $publish"; return 1; }
  done
  [[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)" == /etc/edgenode/edgenode.json ]] ||
    { echo "$deb: conffiles is not /etc/edgenode/edgenode.json"; return 1; }
  grep -q '"DataDir": "/var/lib/edgenode"' "$root/deploy-pi/edgenode.json" ||
    { echo "deploy-pi/edgenode.json does not put the data in /var/lib/edgenode"; return 1; }
  dpkg-deb --contents "$deb" | grep ' ./usr/lib/edgenode/'
}
step "arm64 package contents: binary, every .so of the publish folder, wrapper, unit, conffile, copyright" \
  check_contents "$debs"/edgenode_*_arm64.deb "$arm64"
step "amd64 package contents: the same" check_contents "$debs"/edgenode_*_amd64.deb "$amd64"

# lintian: errors fail; warnings and informational tags are printed. On 2026-12-07 it gave none of either, only informational tags
# about what is built elsewhere and shipped as is: hardening-no-fortify-functions (the AOT runtime and
# NuGet's SQLite are compiled by their own projects), hardening-no-bindnow and binary-has-unneeded-section on
# libe_sqlite3.so, spelling-error-in-binary in .NET's own strings, and package-supports-alternative-init-but-no-
# init.d-script (the package is for systemd only).
run_lintian() {
  local out
  out=$(lintian --display-info --no-tag-display-limit "$@" 2>&1 | grep -v 'running with root privileges')
  echo "$out"
  ! grep -q '^E: ' <<<"$out"
}
step "lintian: no errors in either package" run_lintian "$debs"/edgenode_*_arm64.deb "$debs"/edgenode_*_amd64.deb
grep -E '^(W|I): ' "$log" | sort -u | sed 's/^/release: lintian (both packages): /' || true

# 5. Installed into a throw-away root.
target="$work/root"
step "throw-away root made from this machine's installed packages" "$python" "$here/make_root.py" "$target"
step "dpkg --root installs edgenode_*_amd64.deb (Depends checked, postinst run chrooted)" \
  dpkg --root="$target" -i "$debs"/edgenode_*_amd64.deb

verify_unit() {
  # Run where the unit's ExecStart exists; any complaint about edgenode.service fails the step.
  local out
  out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --root="$target" /lib/systemd/system/edgenode.service 2>&1) ||
    { echo "$out"; return 1; }
  echo "$out"
  ! grep -q 'edgenode' <<<"$out"
}
step "systemd-analyze verify edgenode.service (in the installed root)" verify_unit

installed_checks() {
  local version out uid owner mode
  version=$(chroot "$target" /usr/bin/edgenode --version) || return 1
  echo "edgenode --version: $version"
  [[ "$version" == "edgenode $(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)" ]] || return 1
  out=$(chroot "$target" /usr/bin/edgenode check-config) || return 1
  echo "$out"
  grep -q 'data in /var/lib/edgenode' <<<"$out" || return 1
  uid=$(awk -F: '$1 == "edgenode" { print $3 }' "$target/etc/passwd")
  [[ -n "$uid" ]] || { echo "postinst made no user edgenode"; return 1; }
  read -r owner mode < <(stat -c '%u %a' "$target/var/lib/edgenode")
  [[ "$owner $mode" == "$uid 750" ]] || { echo "/var/lib/edgenode is $owner $mode, expected $uid 750"; return 1; }
  [[ -L "$target/etc/systemd/system/multi-user.target.wants/edgenode.service" ]] || { echo "the unit is not enabled"; return 1; }
  # `sudo edgenode user add` on an installed node: the wrapper finds /etc/edgenode/edgenode.json and runs as edgenode.
  echo 'pw-installed-alice' | chroot "$target" /usr/bin/edgenode user add alice || return 1
  [[ "$(stat -c %u "$target/var/lib/edgenode/edgenode.db")" == "$uid" ]] || { echo "edgenode.db is not the service user's"; return 1; }
  chroot "$target" /usr/bin/edgenode user list | grep -q 'alice@pi.example.org' || return 1
}
step "installed: edgenode --version, check-config finds /var/lib/edgenode, user and data directory (edgenode, 0750), unit enabled, root's 'edgenode user add' writes as edgenode" \
  installed_checks
grep -E '^edgenode --version: ' "$log" | sed 's/^/release: /'
installed_size=$(dpkg-query --admindir="$target/var/lib/dpkg" -W -f='${Installed-Size}' edgenode)
on_disk=$(du -sk "$target/usr/lib/edgenode" | cut -f1)

remove_keeps_data() {
  dpkg --root="$target" -r edgenode || return 1
  [[ -f "$target/var/lib/edgenode/edgenode.db" ]] || { echo "remove deleted the data"; return 1; }
  [[ -f "$target/etc/edgenode/edgenode.json" ]] || { echo "remove deleted the configuration"; return 1; }
  [[ ! -e "$target/usr/lib/edgenode/edgenode" ]] || { echo "remove left the binary"; return 1; }
}
step "dpkg -r keeps /var/lib/edgenode and the configuration" remove_keeps_data
purge_deletes_data() {
  dpkg --root="$target" -P edgenode || return 1
  [[ ! -e "$target/var/lib/edgenode" ]] || { echo "purge left /var/lib/edgenode"; return 1; }
  [[ ! -e "$target/etc/edgenode/edgenode.json" ]] || { echo "purge left the configuration"; return 1; }
}
step "dpkg -P deletes /var/lib/edgenode and the configuration" purge_deletes_data
rm -rf "$target"

echo "release: sizes: arm64 binary $(du -k "$arm64/edgenode" | cut -f1) KiB;" \
  "$(for d in "$debs"/*.deb; do echo -n "$(basename "$d") $(du -k "$d" | cut -f1) KiB; "; done)" \
  "amd64 installed: Installed-Size $installed_size KiB, /usr/lib/edgenode $on_disk KiB"
echo "release: OK"
