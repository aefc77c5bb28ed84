#!/usr/bin/env bash
# Installs EdgeNode on this Debian or Raspberry Pi OS machine from its Debian package, as root:
#
#   sudo deploy-pi/install.sh [edgenode_<version>_<arch>.deb]
#
# Without an argument it takes the newest package for this machine's architecture in artifacts/deb (made by
# deploy-pi/build-deb.sh). It is `apt install ./edgenode_..._<arch>.deb`: apt brings the dependencies, the
# package makes the system user edgenode and /var/lib/edgenode, and enables and starts edgenode.service.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ $(id -u) -eq 0 ]] || { echo "install.sh: run as root (sudo deploy-pi/install.sh)"; exit 1; }

deb="${1:-}"
if [[ -z "$deb" ]]; then
  deb=$(ls "$root"/artifacts/deb/edgenode_*_"$(dpkg --print-architecture)".deb 2>/dev/null | sort -V | tail -1 || true)
  [[ -n "$deb" ]] || { echo "install.sh: no package for $(dpkg --print-architecture) in artifacts/deb: give its path"; exit 1; }
fi
apt-get install -y "$(realpath "$deb")"
echo "EdgeNode is installed. Set Node:Domain and Node:Admins in /etc/edgenode/edgenode.json, then:"
echo "  sudo systemctl restart edgenode && sudo edgenode user add alice"
