#!/usr/bin/env python3
"""Starts the Native AOT edgenode binary the way a service manager would and checks it behaves.

It waits for READY=1 on a notify socket (all listeners bound), connects once to every port, reads VmRSS
after two idle seconds, sends SIGTERM and expects STOPPING=1 and exit code 0. The figures it prints are
measurements to record, never pass/fail conditions.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

KEYS = ["Xmpp:C2sPort", "Xmpp:C2sDirectTlsPort", "Xmpp:S2sPort", "Http:Port",
        "Http:FederationPort", "Mqtt:Port", "Mqtt:TlsPort"]


def free_ports(count):
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def fail(message, process=None):
    print(f"aot-gate: FAIL: {message}")
    if process is not None and process.poll() is None:
        process.kill()
    sys.exit(1)


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="edgenode-aot-")
    notify_path = os.path.join(work, "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(30)

    ports = dict(zip(KEYS, free_ports(len(KEYS))))
    args = [binary, "run", f"--Node:DataDir={os.path.join(work, 'data')}", "--Node:ListenAddresses=127.0.0.1"]
    args += [f"--{k}={v}" for k, v in ports.items()]
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    log = open(os.path.join(work, "node.log"), "wb")

    started = time.monotonic()
    process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    try:
        message = notify.recv(4096).decode()
    except socket.timeout:
        fail("no READY=1 within 30 s; log: " + open(log.name).read(), process)
    ready_ms = (time.monotonic() - started) * 1000
    if message != "READY=1":
        fail(f"first notification was {message!r}, expected READY=1", process)

    for key, port in ports.items():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        except OSError as e:
            fail(f"{key} {port} does not accept connections: {e}", process)

    time.sleep(2)
    rss_kb = None
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])

    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        fail("did not exit within 20 s of SIGTERM", process)
    try:
        stopping = notify.recv(4096).decode()
    except socket.timeout:
        stopping = None
    if code != 0:
        fail(f"exit code {code} after SIGTERM; log: " + open(log.name).read())
    if stopping != "STOPPING=1":
        fail(f"expected STOPPING=1 on shutdown, got {stopping!r}")

    size = os.path.getsize(binary)
    print(f"aot-gate: OK: all {len(ports)} listeners accepted, SIGTERM gave STOPPING=1 and exit 0")
    print(f"aot-gate: benchmark: binary {size / 1048576:.1f} MiB, exec to READY {ready_ms:.0f} ms, idle VmRSS after 2 s {rss_kb / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
