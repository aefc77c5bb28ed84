#!/bin/sh
# /usr/bin/edgenode in the Debian package: the command for the installed node.
# Without --config it uses the installed configuration /etc/edgenode/edgenode.json (when that file exists), so
# that `sudo edgenode user add alice` works on the node's own database. Run by root, it runs the binary as the
# system user edgenode, so that whatever it creates in /var/lib/edgenode stays the service's to read and write.
# With --config, or without the installed file, it is the binary itself (/usr/lib/edgenode/edgenode).
set -e
binary=/usr/lib/edgenode/edgenode
config=/etc/edgenode/edgenode.json

for arg in "$@"; do
  case "$arg" in
    --config | --config=*) exec "$binary" "$@" ;;
  esac
done
[ -f "$config" ] || exec "$binary" "$@"
if [ "$(id -u)" = 0 ] && getent passwd edgenode >/dev/null; then
  # HOME as systemd gives the service: the user's home, the data directory.
  exec env HOME=/var/lib/edgenode setpriv --reuid=edgenode --regid=edgenode --init-groups "$binary" "$@" --config "$config"
fi
exec "$binary" "$@" --config "$config"
