#!/usr/bin/env python3
"""Checks the unit's SystemCallFilter= and RestrictAddressFamilies= against what the node really does.

  syscalls.py trace DIR PROGRAM [ARGS...]   run PROGRAM under strace -f, one trace file per process in DIR
                                            (a runner for tests/aot-gate/aot_gate.py; SIGTERM goes to PROGRAM and
                                            the exit code is PROGRAM's)
  syscalls.py check DIR UNIT                every system call in DIR's traces must be in the unit's
                                            SystemCallFilter= sets (expanded by systemd-analyze syscall-filter),
                                            every socket family in its RestrictAddressFamilies=

Outside systemd nothing enforces the unit's filters, so the release check records what the node calls while its
scenario runs (start-up, every listener, logins over XMPP and Matrix, a device over MQTT, shutdown) and what the
command-line verbs call, and fails on anything the unit would refuse.
"""
import os
import re
import signal
import subprocess
import sys

CALL = re.compile(r"^(?:<\.\.\. )?([a-z_][a-z0-9_]*)[( ]")
FAMILY = re.compile(r"^(?:socket|socketpair)\((AF_[A-Z0-9]+|\d+)")


def trace(directory, program):
    os.makedirs(directory, exist_ok=True)
    process = subprocess.Popen(["strace", "-f", "-ff", "-qq", "-o", os.path.join(directory, "trace"), "--"] + program)

    def forward(signum, _frame):
        # strace's child is the program: the signal is for it, not for strace.
        try:
            with open(f"/proc/{process.pid}/task/{process.pid}/children") as children:
                for pid in children.read().split():
                    os.kill(int(pid), signum)
        except (FileNotFoundError, ProcessLookupError):
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    sys.exit(process.wait())  # strace exits with its child's exit status


def expand(sets):
    """The system call names the filter's entries allow, with @groups expanded as systemd does."""
    listing = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout
    groups, current = {}, None
    for line in listing.splitlines():
        if line.startswith("@"):
            current = line.strip()
            groups[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            groups[current].append(line.strip())
    allowed, todo = set(), list(sets)
    while todo:
        entry = todo.pop()
        if entry.startswith("@"):
            todo.extend(groups.get(entry, []))
        else:
            allowed.add(entry)
    return allowed


def unit_setting(unit, key):
    values = []
    with open(unit) as text:
        for line in text:
            if line.startswith(key + "="):
                values += line.split("=", 1)[1].split()
    return values


def check(directory, unit):
    filters = unit_setting(unit, "SystemCallFilter")
    families_allowed = set(unit_setting(unit, "RestrictAddressFamilies"))
    if not filters or any(f.startswith("~") for f in filters) or not families_allowed:
        sys.exit(f"syscalls.py: {unit} has no allow-list SystemCallFilter= or RestrictAddressFamilies=")
    allowed = expand(filters)
    calls, families, processes = {}, set(), 0
    for name in os.listdir(directory):
        processes += 1
        with open(os.path.join(directory, name), errors="replace") as lines:
            for line in lines:
                match = CALL.match(line)
                if match and match.group(1) not in ("exited", "killed"):
                    calls[match.group(1)] = calls.get(match.group(1), 0) + 1
                match = FAMILY.match(line)
                if match:
                    families.add(match.group(1))
    if not calls:
        sys.exit(f"syscalls.py: no system calls in {directory}: was the trace taken?")
    refused = sorted(set(calls) - allowed)
    families_refused = sorted(families - families_allowed)
    print(f"syscalls: {len(calls)} distinct system calls in {processes} traced processes, all in "
          f"SystemCallFilter={' '.join(filters)}" if not refused else
          f"syscalls: outside SystemCallFilter={' '.join(filters)}: " + ", ".join(f"{c} ({calls[c]}x)" for c in refused))
    print(f"syscalls: socket families used: {' '.join(sorted(families))}" +
          ("" if not families_refused else f"; not in RestrictAddressFamilies: {' '.join(families_refused)}"))
    sys.exit(1 if refused or families_refused else 0)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "trace":
        trace(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
