#!/usr/bin/env bash
# Makes the Debian package of EdgeNode from a published folder:
#
#   deploy-pi/build-deb.sh PUBLISH_DIR [OUTPUT_DIR]      (OUTPUT_DIR defaults to artifacts/deb)
#
# PUBLISH_DIR is a Native AOT publish (deploy-pi/build-release.sh for linux-arm64, tests/aot-gate/run.sh for
# linux-x64): the binary `edgenode` and every native library (*.so) beside it. The architecture (arm64, amd64)
# is read from the binary, the version from Directory.Build.props; it prints the path of
# edgenode_<version>_<arch>.deb. Needs dpkg-deb and readelf (dpkg-dev and binutils).
#
# The package: /usr/lib/edgenode/ (the binary and its libraries), /usr/bin/edgenode (a wrapper that uses the
# installed configuration, deploy-pi/edgenode-command.sh), /etc/edgenode/edgenode.json (a conffile),
# /lib/systemd/system/edgenode.service, and maintainer scripts that make the system user and /var/lib/edgenode.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
publish="${1:?usage: build-deb.sh PUBLISH_DIR [OUTPUT_DIR]}"
out="${2:-$root/artifacts/deb}"
publish="$(cd "$publish" && pwd)"
[[ -x "$publish/edgenode" ]] || { echo "build-deb: no executable $publish/edgenode"; exit 1; }

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)
[[ -n "$version" ]] || { echo "build-deb: no <Version> in Directory.Build.props"; exit 1; }
changelog_version=$(sed -n '1s/^edgenode (\([^)]*\)).*/\1/p' "$here/debian/changelog")
if [[ "$changelog_version" != "$version" ]]; then
  echo "build-deb: Directory.Build.props says $version but deploy-pi/debian/changelog's newest entry is $changelog_version: add an entry"
  exit 1
fi

case "$(readelf -h "$publish/edgenode" | sed -n 's/^ *Machine: *//p')" in
  AArch64) arch=arm64 ;;
  "Advanced Micro Devices X86-64") arch=amd64 ;;
  *) echo "build-deb: $publish/edgenode is for neither arm64 nor amd64"; exit 1 ;;
esac

# llvm-objcopy strips any architecture; binutils' objcopy only its own (aarch64-linux-gnu-objcopy for arm64 on x64).
strip=objcopy
[[ $arch == arm64 && $(uname -m) != aarch64 ]] && strip=aarch64-linux-gnu-objcopy
command -v llvm-objcopy-14 >/dev/null && strip=llvm-objcopy-14

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/edgenode"
install -d "$pkg/DEBIAN" "$pkg/usr/lib/edgenode" "$pkg/usr/bin" "$pkg/etc/edgenode" "$pkg/lib/systemd/system" \
  "$pkg/usr/share/doc/edgenode" "$pkg/usr/share/man/man1"

install -m 0755 "$publish/edgenode" "$pkg/usr/lib/edgenode/edgenode"
libraries=()
for so in "$publish"/*.so; do
  [[ -e "$so" ]] || continue
  install -m 0644 "$so" "$pkg/usr/lib/edgenode/"
  # NuGet's native libraries come with their symbol tables; Debian ships shared libraries without them.
  "$strip" --strip-unneeded "$pkg/usr/lib/edgenode/$(basename "$so")"
  libraries+=("$(basename "$so")")
done
install -m 0755 "$here/edgenode-command.sh" "$pkg/usr/bin/edgenode"
install -m 0644 "$here/edgenode.json" "$pkg/etc/edgenode/edgenode.json"
install -m 0644 "$here/edgenode.service" "$pkg/lib/systemd/system/edgenode.service"
install -m 0644 "$here/debian/copyright" "$pkg/usr/share/doc/edgenode/copyright"
install -m 0644 "$root/README.md" "$pkg/usr/share/doc/edgenode/README.md"
gzip -9nc "$here/debian/changelog" >"$pkg/usr/share/doc/edgenode/changelog.gz"
gzip -9nc "$here/debian/edgenode.1" >"$pkg/usr/share/man/man1/edgenode.1.gz"
chmod 0644 "$pkg/usr/share/doc/edgenode/changelog.gz" "$pkg/usr/share/man/man1/edgenode.1.gz"
for script in postinst prerm postrm; do install -m 0755 "$here/debian/$script" "$pkg/DEBIAN/$script"; done
echo /etc/edgenode/edgenode.json >"$pkg/DEBIAN/conffiles"

# libc: the newest symbol version the binary and its libraries ask for. OpenSSL 3 is loaded at run time (TLS,
# certificates), so no ELF header names it. adduser makes the system user.
glibc=$(for f in "$pkg"/usr/lib/edgenode/*; do readelf --dyn-syms -W "$f"; done | grep -o 'GLIBC_[0-9.]*' |
  sed 's/GLIBC_//' | sort -uV | tail -1)
installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
{
  echo "Package: edgenode"
  echo "Version: $version"
  echo "Architecture: $arch"
  echo "Maintainer: EdgeNode developers <dev@edgenode.invalid>"
  echo "Installed-Size: $installed_size"
  echo "Depends: libc6 (>= $glibc), libssl3, adduser"
  echo "Section: net"
  echo "Priority: optional"
  echo "Description: $(cat "$here/debian/description")"
} >"$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/edgenode_${version}_${arch}.deb"
# Every timestamp is the changelog entry's: the same inputs give the same package.
epoch=$(date -d "$(sed -n 's/^ -- .*>  //p' "$here/debian/changelog" | head -1)" +%s)
find "$pkg" -exec touch -h -d "@$epoch" {} +
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "build-deb: $deb ($arch, $(du -k "$deb" | cut -f1) KiB, installed $installed_size KiB; libraries: ${libraries[*]:-none})"
