#!/usr/bin/env python3
"""make_root.py DIR: a throw-away Debian root to install the amd64 package into with `dpkg --root`.

dpkg runs the package's maintainer scripts chrooted into DIR, so DIR needs what they and the installed command
use (a shell, coreutils, adduser with perl, init-system-helpers, setpriv, libc, OpenSSL). Instead of fetching a
system with debootstrap, it copies this machine's own installed packages: the files of those packages and
everything they depend on, their dpkg status entries and file lists (so that dpkg checks the package's Depends
against them), and the user and group databases. It takes a few seconds and needs no network.
"""
import os
import re
import shutil
import subprocess
import sys

WANTED = ["base-files", "base-passwd", "dash", "bash", "coreutils", "libc6", "libc-bin", "libssl3", "adduser",
          "passwd", "login", "util-linux", "init-system-helpers", "perl-base", "debconf", "sed", "grep", "findutils",
          "diffutils", "tar", "gzip", "systemd"]


def installed_packages():
    """Every installed package of this machine and the names it depends on (one dpkg-query for all)."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}\t${Pre-Depends}, ${Depends}\n"],
                         capture_output=True, text=True, check=True).stdout
    packages = {}
    for line in out.splitlines():
        name, status, depends = line.split("\t")
        if status.startswith("ii"):
            packages[name] = depends
    return packages


def closure(wanted, packages):
    seen, todo = set(), list(wanted)
    while todo:
        package = todo.pop()
        if package in seen or package not in packages:
            continue
        seen.add(package)
        for group in packages[package].split(","):
            for alternative in group.split("|"):
                name = re.sub(r"\(.*?\)", "", alternative).strip().split(":")[0]
                if name in packages:
                    todo.append(name)
                    break
    return sorted(seen)


def main():
    target = os.path.abspath(sys.argv[1])
    if os.path.exists(target):
        shutil.rmtree(target)
    os.makedirs(target)
    # A merged-/usr system, as Debian 12 is: /bin, /sbin and /lib* are links into /usr.
    for part in ("bin", "sbin", "lib", "lib64"):
        os.makedirs(os.path.join(target, "usr", part), exist_ok=True)
        os.symlink(f"usr/{part}", os.path.join(target, part))

    packages = closure(WANTED, installed_packages())
    files = set()
    for path in subprocess.run(["dpkg-query", "-L"] + packages, capture_output=True, text=True, check=True).stdout.split("\n"):
        path = path.strip()
        if path.startswith("/") and os.path.lexists(path) and not os.path.isdir(path):
            files.add(path.lstrip("/"))
    listing = "\n".join(sorted(files)) + "\n"
    subprocess.run(f"tar -C / --no-recursion -cf - -T - | tar -C '{target}' --keep-directory-symlink -xf -",
                   shell=True, input=listing.encode(), check=True)

    admin = os.path.join(target, "var/lib/dpkg")
    for sub in ("info", "updates", "triggers"):
        os.makedirs(os.path.join(admin, sub), exist_ok=True)
    with open(os.path.join(admin, "status"), "w") as status:
        status.write(subprocess.run(["dpkg-query", "-s"] + packages, capture_output=True, text=True, check=True).stdout)
    open(os.path.join(admin, "available"), "w").close()
    for name in os.listdir("/var/lib/dpkg/info"):
        base = name.rsplit(".", 1)[0].split(":")[0]
        if name.endswith(".list") and base in packages:
            shutil.copy(os.path.join("/var/lib/dpkg/info", name), os.path.join(admin, "info", name))

    for name in ("passwd", "group", "shadow", "gshadow", "nsswitch.conf"):
        shutil.copy(os.path.join("/etc", name), os.path.join(target, "etc", name))
    os.makedirs(os.path.join(target, "dev"), exist_ok=True)
    for name, minor in (("null", 3), ("zero", 5), ("random", 8), ("urandom", 9)):
        os.mknod(os.path.join(target, "dev", name), 0o20666, os.makedev(1, minor))
    for name in ("tmp", "run", "proc", "var/tmp"):
        os.makedirs(os.path.join(target, name), exist_ok=True)
    os.chmod(os.path.join(target, "tmp"), 0o1777)
    print(f"make_root: {target} from {len(packages)} installed packages, {len(files)} files")


if __name__ == "__main__":
    main()
