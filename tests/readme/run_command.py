#!/usr/bin/env python3
"""Runs README's own command for starting the node, exactly as written, and checks that the node answers.

It takes the first line of the sh block under "## The two commands" in README.md (its trailing comment removed),
runs it with bash in a scratch copy of this checkout (the files git tracks or would track, as they are in the
working tree), waits until the default XMPP, Matrix and MQTT ports answer in their own protocols, then sends
SIGTERM to the command's process group and expects it to end with exit code 0.

A newcomer's first command failing is the worst first impression a project can make, and nothing else in the test
command runs README's commands as written.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
START_TIMEOUT = 600  # seconds: the command restores and builds the node first
STOP_TIMEOUT = 30
PORTS = {"XMPP (Xmpp:C2sPort)": 5222, "Matrix (Http:Port)": 8008, "MQTT (Mqtt:Port)": 1883}


def fail(message, log_path=None):
    print(f"readme-run: FAIL: {message}")
    if log_path and os.path.exists(log_path):
        with open(log_path, encoding="utf-8", errors="replace") as f:
            tail = f.read()[-4000:]
        print("readme-run: last output of the command:")
        print(tail)
    sys.exit(1)


def run_command_from_readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    try:
        section = lines.index("## The two commands")
    except ValueError:
        fail('README.md has no "## The two commands" section')
    in_block = False
    for line in lines[section + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("```"):
            if in_block:
                break
            in_block = True
            continue
        if in_block and line.strip():
            return line.split("#", 1)[0].strip()
    fail('no command in the sh block of "## The two commands"')


def scratch_copy(target):
    listing = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             check=True, capture_output=True).stdout
    count = 0
    for name in listing.decode().split("\0"):
        source = os.path.join(ROOT, name)
        if not name or not os.path.isfile(source):
            continue  # deleted in the working tree but still in the index
        destination = os.path.join(target, name)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(source, destination)
        count += 1
    return count


def answers_xmpp(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' "
                  b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
        return b"<stream:stream" in read_until(s, b"<stream:features")


def answers_matrix(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /_matrix/client/versions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        answer = read_until(s, None)
        return answer.startswith(b"HTTP/1.1 200") and b'"versions"' in answer


def answers_mqtt(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        body = b"\x00\x04MQTT\x04\x02\x00\x3c\x00\x0areadme-run"
        s.sendall(bytes([0x10, len(body)]) + body)
        answer = read_until(s, None, limit=4)
        # Any CONNACK is an answer in MQTT (anonymous clients are refused by default: return code 5).
        return len(answer) >= 4 and answer[0] == 0x20 and answer[1] == 2


def read_until(s, marker, limit=65536):
    data = b""
    while len(data) < limit and (marker is None or marker not in data):
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


PROBES = {"XMPP (Xmpp:C2sPort)": answers_xmpp, "Matrix (Http:Port)": answers_matrix, "MQTT (Mqtt:Port)": answers_mqtt}


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


def main():
    command = run_command_from_readme()
    print(f"readme-run: README's run command: {command}")
    taken = [f"{name} {port}" for name, port in PORTS.items() if not port_free(port)]
    if taken:
        fail(f"a default port is already in use on this machine: {', '.join(taken)}")

    scratch = tempfile.mkdtemp(prefix="edgenode-readme-run.")
    log_path = os.path.join(scratch, "command.log")
    try:
        copied = scratch_copy(os.path.join(scratch, "checkout"))
        print(f"readme-run: copied {copied} files of the checkout to {scratch}/checkout")
        env = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
        with open(log_path, "wb") as log:
            process = subprocess.Popen(["bash", "-c", command], cwd=os.path.join(scratch, "checkout"), env=env,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        started = time.monotonic()
        pending = dict(PORTS)
        try:
            while pending:
                if process.poll() is not None:
                    fail(f"the command exited with code {process.returncode} before {', '.join(pending)} answered",
                         log_path)
                if time.monotonic() - started > START_TIMEOUT:
                    fail(f"{', '.join(pending)} did not answer within {START_TIMEOUT} s", log_path)
                for name, port in list(pending.items()):
                    try:
                        if PROBES[name](port):
                            print(f"readme-run: {name} on port {port} answers "
                                  f"({time.monotonic() - started:.0f} s after the command started)")
                            del pending[name]
                    except OSError:
                        pass  # not listening yet
                if pending:
                    time.sleep(0.5)  # polling interval while the command builds and starts; not a synchronisation
            os.killpg(process.pid, signal.SIGTERM)
            try:
                code = process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                fail(f"the command did not stop within {STOP_TIMEOUT} s of SIGTERM", log_path)
            if code != 0:
                fail(f"the command exited with code {code} after SIGTERM (expected 0)", log_path)
            print("readme-run: stopped cleanly on SIGTERM (exit code 0)")
            # What a newcomer reads on the console: where it listens, what to compare in a trust dialog, and an end.
            with open(log_path, encoding="utf-8", errors="replace") as f:
                output = f.read()
            for expected in ("Listening on all interfaces (IPv4 and IPv6): Xmpp:C2sPort 5222",
                             "TLS certificate fingerprints", "SHA-256 ", "SHA-1 ", "EdgeNode stopped"):
                if expected not in output:
                    fail(f"the node's output lacks '{expected}'", log_path)
            print("readme-run: the output names the addresses, the certificate's fingerprints and the stop")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("readme-run: PASS")


if __name__ == "__main__":
    main()
