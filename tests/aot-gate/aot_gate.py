#!/usr/bin/env python3
"""Starts the Native AOT edgenode binary the way a service manager would and checks it behaves.

It waits for READY=1 on a notify socket (all listeners bound), connects once to every port, reads VmRSS
after two idle seconds, sends SIGTERM and expects STOPPING=1 and exit code 0. The figures it prints are
measurements to record, never pass/fail conditions.

  aot_gate.py [--runner 'CMD ...'] [--slowdown N] [--name NAME] [--scenario FILE] BINARY

--runner starts the binary through a program (an emulator: 'qemu-aarch64-static'), --slowdown multiplies every
timeout, --name replaces "aot-gate" in what is printed, and --scenario runs FILE's run(node) between the listener
checks and SIGTERM, with the node started with FILE's START_ARGS added (tests/release/scenario.py).
"""
import argparse
import importlib.util
import os
import signal
import socket
import shlex
import ssl
import subprocess
import sys
import tempfile
import time

KEYS = ["Xmpp:C2sPort", "Xmpp:C2sDirectTlsPort", "Xmpp:S2sPort", "Xmpp:S2sDirectTlsPort", "Http:Port",
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


TLS_KEYS = {"Xmpp:C2sDirectTlsPort", "Xmpp:S2sDirectTlsPort", "Http:FederationPort", "Mqtt:TlsPort"}


NAME = "aot-gate"
SLOWDOWN = 1.0


def speak(key, port):
    """Opens the port as that protocol's client would and returns the first answer (bytes).

    The check is that the AOT binary runs each protocol's handler and answers in kind, whatever the answer:
    an XMPP stream header, an MQTT CONNACK, an HTTP response. TLS ports do a TLS handshake first."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=5 * SLOWDOWN)
    conn = raw
    if key in TLS_KEYS:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = context.wrap_socket(raw, server_hostname="localhost")
    try:
        if key.startswith("Xmpp"):
            ns = "jabber:server" if key.startswith("Xmpp:S2s") else "jabber:client"
            conn.sendall(f"<?xml version='1.0'?><stream:stream to='localhost' xmlns='{ns}' "
                         "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>".encode())
            answer = read_some(conn)
            if b"<stream:stream" not in answer:
                fail(f"{key}: expected an XMPP stream header, got {answer[:200]!r}")
        elif key.startswith("Mqtt"):
            # CONNECT, MQTT 3.1.1, clean session, keep-alive 60, client id "aotgate".
            body = b"\x00\x04MQTT\x04\x02\x00\x3c\x00\x07aotgate"
            conn.sendall(bytes([0x10, len(body)]) + body)
            answer = read_some(conn)
            if answer[:1] != b"\x20":
                fail(f"{key}: expected a CONNACK, got {answer[:20]!r}")
        else:
            conn.sendall(b"GET /_matrix/client/versions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            answer = read_some(conn, until_closed=True)
            if not answer.startswith(b"HTTP/1.1 ") or (b"errcode" not in answer and b"versions" not in answer):
                fail(f"{key}: expected a Matrix JSON answer over HTTP, got {answer[:200]!r}")
        return answer
    finally:
        conn.close()


def read_some(conn, until_closed=False):
    conn.settimeout(5 * SLOWDOWN)
    data = b""
    while True:
        try:
            chunk = conn.recv(4096)
        except (socket.timeout, ssl.SSLError):
            break
        if not chunk:
            break
        data += chunk
        if not until_closed and len(data) > 0:
            break
    return data


def fail(message, process=None):
    print(f"{NAME}: FAIL: {message}")
    if process is not None and process.poll() is None:
        # The node runs in its own session: a runner's children (an emulator, a tracer) go with it.
        os.killpg(process.pid, signal.SIGKILL)
    sys.exit(1)


class Node:
    """What a scenario gets: the running node's ports, data directory and a way to run the binary's own verbs."""

    def __init__(self, command, work, data_dir, ports, slowdown, name):
        self.command = command
        self.work = work
        self.data_dir = data_dir
        self.ports = ports
        self.slowdown = slowdown
        self.name = name
        self.domain = "localhost"

    def cli(self, *verb, stdin=None):
        """Runs `edgenode VERB...` on the node's data directory (the same binary, through the same runner)."""
        result = subprocess.run(self.command + list(verb) + [f"--Node:DataDir={self.data_dir}"], input=stdin,
                                capture_output=True, text=True, cwd=self.work, timeout=60 * self.slowdown)
        if result.returncode != 0:
            fail(f"edgenode {' '.join(verb)} exited {result.returncode}: {result.stdout}{result.stderr}")
        return result.stdout


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", default="", help="command line to start the binary through (an emulator)")
    parser.add_argument("--slowdown", type=float, default=1.0, help="multiplies every timeout")
    parser.add_argument("--name", default="aot-gate", help="prefix of every printed line")
    parser.add_argument("--scenario", help="a Python file whose run(node) is called while the node runs")
    parser.add_argument("binary")
    return parser.parse_args()


def load_scenario(path):
    spec = importlib.util.spec_from_file_location("scenario", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    global NAME, SLOWDOWN
    options = parse_args()
    NAME, SLOWDOWN = options.name, options.slowdown
    binary = os.path.abspath(options.binary)
    command = shlex.split(options.runner) + [binary]
    scenario = load_scenario(options.scenario) if options.scenario else None
    work = tempfile.mkdtemp(prefix="edgenode-aot-")
    notify_path = os.path.join(work, "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(30 * SLOWDOWN)

    ports = dict(zip(KEYS, free_ports(len(KEYS))))
    data_dir = os.path.join(work, "data")
    args = command + ["run", f"--Node:DataDir={data_dir}", "--Node:ListenAddresses=127.0.0.1"]
    args += [f"--{k}={v}" for k, v in ports.items()]
    args += list(getattr(scenario, "START_ARGS", []))
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    log = open(os.path.join(work, "node.log"), "wb")

    started = time.monotonic()
    process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work, start_new_session=True)
    try:
        message = notify.recv(4096).decode()
    except socket.timeout:
        fail(f"no READY=1 within {30 * SLOWDOWN:.0f} s; log: " + open(log.name).read(), process)
    ready_ms = (time.monotonic() - started) * 1000
    if message != "READY=1":
        fail(f"first notification was {message!r}, expected READY=1", process)

    for key, port in ports.items():
        try:
            answer = speak(key, port)
        except OSError as e:
            fail(f"{key} {port}: no protocol answer: {e}", process)
        if not answer:
            fail(f"{key} {port}: the node closed the connection without answering", process)

    if scenario is not None:
        try:
            for line in scenario.run(Node(command, work, data_dir, ports, SLOWDOWN, NAME)):
                print(f"{NAME}: {line}")
        except Exception as e:  # the scenario's own failure, with the node's log to explain it
            fail(f"scenario: {type(e).__name__}: {e}; log:\n" + open(log.name, errors="replace").read(), process)

    rss_kb = None
    if not options.runner:
        time.sleep(2)  # a measurement after two idle seconds, not a wait for a condition
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])

    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=20 * SLOWDOWN)
    except subprocess.TimeoutExpired:
        fail(f"did not exit within {20 * SLOWDOWN:.0f} s of SIGTERM", process)
    try:
        stopping = notify.recv(4096).decode()
    except socket.timeout:
        stopping = None
    if code != 0:
        fail(f"exit code {code} after SIGTERM; log: " + open(log.name).read())
    if stopping != "STOPPING=1":
        fail(f"expected STOPPING=1 on shutdown, got {stopping!r}")
    log_text = open(log.name, errors="replace").read()
    for marker in ("Unhandled exception", " crit: ", " fail: "):
        if marker in log_text:
            fail(f"the node logged an error ({marker.strip()}):\n{log_text}")

    size = os.path.getsize(binary)
    print(f"{NAME}: OK: all {len(ports)} listeners answered in their protocol, SIGTERM gave STOPPING=1 and exit 0, no errors logged")
    # Under a runner the process is the emulator: its RSS says nothing about the binary's.
    rss = f", idle VmRSS after 2 s {rss_kb / 1024:.1f} MiB" if rss_kb is not None else ""
    print(f"{NAME}: benchmark: binary {size / 1048576:.1f} MiB, exec to READY {ready_ms:.0f} ms{rss}")


if __name__ == "__main__":
    main()
