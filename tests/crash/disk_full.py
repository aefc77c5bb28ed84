#!/usr/bin/env python3
"""Disk full: the node's data directory on a small tmpfs that a filler file fills up.

  disk_full.py BINARY [ARGS...]     (needs root, to mount the tmpfs; test.sh runs as root)

While the disk is full the node must refuse new writes with each protocol's own "try later" error (an XMPP message
to an offline account: resource-constraint, type wait; an MQTT 5.0 QoS 1/2 PUBLISH: reason code 0x97 Quota exceeded,
3.1.1: the connection closes; a Matrix send: 403 M_RESOURCE_LIMIT_EXCEEDED with admin_contact), keep serving reads
(Matrix /messages) and delivery to connected clients (XMPP, MQTT QoS 0), log the full disk once, and by itself take
writes again, logging that once, when the filler is removed. Whatever was accepted before or after is delivered.
"""
import errno
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients import Matrix, MatrixError, Mqtt, RawMqtt5, Xmpp  # noqa: E402
from crash import PASSWORD, Node, wait_for  # noqa: E402

TMPFS_SIZE = "24m"
FULL_LINE = "The data directory's disk is full"
RESUMED_LINE = "writes resumed"


def log(text):
    print(f"disk-full: {text}", flush=True)


def fail(message, node=None):
    log(f"FAIL: {message}")
    if node is not None:
        log("node log tail:\n" + node.tail())
    sys.exit(1)


def fill(path):
    """Writes a filler file until the file system has no room left."""
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
        # The last few blocks, in smaller writes.
        for size in (4096, 512, 1):
            while True:
                try:
                    f.write(b"\0" * size)
                except OSError:
                    break


def xmpp_send(client, to, key):
    """Sends a chat message and a ping after it; returns the error condition the message got, or None."""
    client.send(f"<message to='{to}' type='chat' id='{key}'><body>{key}</body></message>"
                f"<iq type='get' id='p-{key}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
    answer = client.read_match(rf"<iq[^>]*id=.p-{key}.".encode())
    m = re.search(rf"<message[^>]*id=.{key}.[^>]*type=.error.[^>]*>.*?</message>|<message[^>]*type=.error.[^>]*id=.{key}.[^>]*>.*?</message>".encode(), answer, re.S)
    if not m:
        return None
    error = m.group(0).decode()
    condition = re.search(r"<error[^>]*type=.(\w+).[^>]*>\s*<([a-z-]+)", error)
    return f"{condition.group(2)}/{condition.group(1)}" if condition else error


def main():
    command = sys.argv[1:]
    work = tempfile.mkdtemp(prefix="edgenode-diskfull-")
    node = Node(command, work)
    os.makedirs(node.data_dir)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs", node.data_dir],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        fail(f"cannot mount a tmpfs for the data directory (root is needed): {mounted.stderr.strip()}")
    try:
        run(node)
    finally:
        if node.process and node.process.poll() is None:
            node.kill()
        subprocess.run(["umount", node.data_dir])
        shutil.rmtree(work, ignore_errors=True)


def run(node):
    for user in ("alice", "bob", "carol", "dave"):
        node.cli("user", "add", f"{user}@localhost", stdin=PASSWORD + "\n")
    node.cli("device", "add", "plug1", stdin=PASSWORD + "\n")
    node.start()
    ports = node.ports
    alice = Xmpp(ports["Xmpp:C2sPort"], "alice", PASSWORD, resource="sender")
    carol = Xmpp(ports["Xmpp:C2sPort"], "carol", PASSWORD, resource="online")
    carol.send("<presence/>")
    carol_m = Matrix(ports["Http:Port"], "carol", PASSWORD)
    dave_m = Matrix(ports["Http:Port"], "dave", PASSWORD)
    room = carol_m.call("POST", "/createRoom", {"preset": "private_chat", "invite": [dave_m.user_id]})["room_id"]
    dave_m.call("POST", f"/join/{urllib.parse.quote(room)}", {})
    room_path = f"/rooms/{urllib.parse.quote(room)}"
    before = carol_m.call("PUT", f"{room_path}/send/m.room.message/before", {"msgtype": "m.text", "body": "before"})["event_id"]
    watcher = Mqtt(ports["Mqtt:Port"], "plug1", PASSWORD, "watcher", clean=True)
    subscribed = threading.Event()
    watcher.client.on_subscribe = lambda *a: subscribed.set()
    watcher.client.subscribe("cmnd/plug1/#", qos=0)
    if not subscribed.wait(10):
        fail("no SUBACK", node)
    publisher = RawMqtt5(ports["Mqtt:Port"], "plug1", PASSWORD, "publisher5")
    if publisher.publish("cmnd/plug1/a", "before", 1, 1) != 0:
        fail("a QoS 1 publish before the disk filled up was refused", node)

    filler = os.path.join(node.data_dir, "filler")
    fill(filler)
    log(f"the data directory's tmpfs ({TMPFS_SIZE}) is full")

    # XMPP: messages to bob (offline) until one is refused; the ones accepted before must still arrive later.
    accepted = []
    refusal = None
    for n in range(2000):
        refusal = xmpp_send(alice, "bob@localhost", f"full-{n}")
        if refusal:
            break
        accepted.append(f"full-{n}")
    if refusal != "resource-constraint/wait":
        fail(f"XMPP: a message to an offline account got {refusal!r}, expected resource-constraint (wait)", node)
    log(f"XMPP: a message to an offline account is refused with resource-constraint (wait) ({len(accepted)} fitted first)")
    if xmpp_send(alice, "bob@localhost", "full-again") != "resource-constraint/wait":
        fail("XMPP: the second message while full was not refused", node)

    # Delivery to connected clients goes on: carol is online, nothing has to be stored.
    if xmpp_send(alice, "carol@localhost", "to-online-carol") is not None:
        fail("XMPP: a message to an online account was refused while the disk is full", node)
    carol.sock.settimeout(10)
    carol.read_match(rb"<body>to-online-carol</body>")
    log("XMPP: a message to an online account is delivered")

    # MQTT 5.0: QoS 1 and QoS 2 refused with 0x97; QoS 0 still delivered to a connected subscriber.
    code1 = publisher.publish("cmnd/plug1/a", "while-full", 1, 2)
    code2 = publisher.publish("cmnd/plug1/a", "while-full-2", 2, 3)
    if code1 != 0x97 or code2 != 0x97:
        fail(f"MQTT: QoS 1 got {code1:#x}, QoS 2 got {code2:#x} while full, expected 0x97", node)
    publisher.publish("cmnd/plug1/a", "qos0-while-full", 0, 0)
    wait_for(lambda: any(p == "qos0-while-full" for _, p, _, _ in watcher.messages()), 10, "the QoS 0 message")
    log("MQTT: QoS 1 PUBACK and QoS 2 PUBREC carry 0x97 (Quota exceeded); QoS 0 is delivered to a connected subscriber")
    v311 = Mqtt(ports["Mqtt:Port"], "plug1", PASSWORD, "publisher311", clean=True)
    closed = threading.Event()
    v311.client.on_disconnect = lambda *a: closed.set()
    v311.client.publish("cmnd/plug1/a", "v311-while-full", qos=1)
    if not closed.wait(10):
        fail("MQTT 3.1.1: a QoS 1 publish while full did not close the connection", node)
    v311.client.loop_stop()
    log("MQTT 3.1.1: a QoS 1 publish while full closes the connection (no refusing PUBACK in 3.1.1)")

    # Matrix: a send refused with M_RESOURCE_LIMIT_EXCEEDED; reads go on.
    sent_before_refusal = []
    status = None
    for n in range(200):
        try:
            sent_before_refusal.append(carol_m.call("PUT", f"{room_path}/send/m.room.message/full-{n}",
                                                    {"msgtype": "m.text", "body": f"full-{n}"})["event_id"])
        except MatrixError as e:
            status = e
            break
    if status is None or status.status != 403 or "M_RESOURCE_LIMIT_EXCEEDED" not in status.body or "admin_contact" not in status.body:
        fail(f"Matrix: a send while full got {status}, expected 403 M_RESOURCE_LIMIT_EXCEEDED with admin_contact", node)
    messages = dave_m.call("GET", f"{room_path}/messages", query={"dir": "b", "limit": "50"})
    if before not in {e["event_id"] for e in messages["chunk"]}:
        fail("Matrix: /messages while full lacks the event sent before", node)
    log("Matrix: a send is refused with 403 M_RESOURCE_LIMIT_EXCEEDED (admin_contact given); /messages still answers")

    with open(node.log_path, errors="replace") as f:
        full_lines = f.read().count(FULL_LINE)
    if full_lines != 1:
        fail(f"the full disk was logged {full_lines} times, expected once", node)
    log(f"the node logged it once: {FULL_LINE} ...")

    # Room again: writes resume by themselves.
    os.unlink(filler)
    if (refusal := xmpp_send(alice, "bob@localhost", "after-room")) is not None:
        fail(f"XMPP: a message after the disk had room again got {refusal}", node)
    after_event = carol_m.call("PUT", f"{room_path}/send/m.room.message/after", {"msgtype": "m.text", "body": "after"})["event_id"]
    code = publisher.publish("cmnd/plug1/a", "after-room", 1, 4)
    if code != 0:
        fail(f"MQTT: a QoS 1 publish after the disk had room again got {code:#x}", node)
    with open(node.log_path, errors="replace") as f:
        text = f.read()
    if text.count(RESUMED_LINE) != 1 or text.count(FULL_LINE) != 1:
        fail(f"expected the full disk and its end logged once each, got {text.count(FULL_LINE)} and {text.count(RESUMED_LINE)}", node)
    log("with room again XMPP, MQTT and Matrix writes are accepted, and the node logged once: ... writes resumed")

    # What was accepted, before, during and after, is all there; nothing refused was kept.
    bob = Xmpp(ports["Xmpp:C2sPort"], "bob", PASSWORD, resource="later")
    bob.send("<presence/>")
    bob.sock.settimeout(20)
    got = []
    while "after-room" not in got:
        for stanza in bob.read_stanzas():
            m = re.search(rb"<body>([a-z0-9-]+)</body>", stanza)
            if m:
                got.append(m.group(1).decode())
    expected = accepted + ["after-room"]
    if got != expected:
        fail(f"bob got {got[:5]}... ({len(got)}), expected {len(expected)} messages: {expected[:5]}...", node)
    messages = dave_m.call("GET", f"{room_path}/messages", query={"dir": "b", "limit": "500"})
    ids = {e["event_id"] for e in messages["chunk"]}
    missing = [e for e in [before, *sent_before_refusal, after_event] if e not in ids]
    if missing:
        fail(f"Matrix: accepted events missing: {missing}", node)
    log(f"bob got the {len(accepted)} messages accepted while filling and the one after, in order; no refused one; "
        f"Matrix has every accepted event")
    for c in (alice, carol, bob):
        c.close()
    publisher.close()
    watcher.close()
    node.stop()
    connection = sqlite3.connect(os.path.join(node.data_dir, "edgenode.db"))
    verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    connection.close()
    with open(node.log_path, errors="replace") as f:
        text = f.read()
    errors = [line for line in text.splitlines()
              if (" fail: " in line or " crit: " in line or "Unhandled" in line) and FULL_LINE not in line]
    if errors:
        fail("the node logged failures besides the full disk:\n" + "\n".join(errors[:10]))
    if verdict != "ok":
        fail(f"PRAGMA integrity_check: {verdict}")
    log("stopped cleanly; PRAGMA integrity_check: ok")
    log("PASS")


if __name__ == "__main__":
    main()
