#!/usr/bin/env bash
# Installs a release folder (made by build-release.sh) on a Raspberry Pi OS or Debian machine, as root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[[ $(id -u) -eq 0 ]] || { echo "install.sh: run as root (sudo ./install.sh)"; exit 1; }

apt-get install -y --no-install-recommends libsodium23 >/dev/null
id edgenode >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edgenode --shell /usr/sbin/nologin edgenode
getent group gpio >/dev/null && usermod -a -G gpio edgenode

install -m 0755 "$here/edgenode" /usr/local/bin/edgenode
install -m 0644 "$here/libe_sqlite3.so" /usr/local/bin/libe_sqlite3.so
install -d -m 0750 -o edgenode -g edgenode /var/lib/edgenode
install -d -m 0755 /etc/edgenode
[[ -f /etc/edgenode/edgenode.json ]] || install -m 0644 "$here/edgenode.json" /etc/edgenode/edgenode.json
install -d /usr/local/share/doc/edgenode && install -m 0644 "$here/README.md" /usr/local/share/doc/edgenode/README.md
install -m 0644 "$here/edgenode.service" /etc/systemd/system/edgenode.service

sudo -u edgenode /usr/local/bin/edgenode check-config --config /etc/edgenode/edgenode.json || {
  echo "install.sh: edit /etc/edgenode/edgenode.json (at least Node:Domain), then: systemctl enable --now edgenode"; exit 0; }
systemctl daemon-reload
systemctl enable --now edgenode
echo "EdgeNode is running. Add a user: sudo -u edgenode edgenode user add alice@<your domain> --config /etc/edgenode/edgenode.json"
