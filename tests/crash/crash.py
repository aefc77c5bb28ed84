#!/usr/bin/env python3
"""Crash safety: runs the real edgenode binary under mixed XMPP, MQTT and Matrix load, kills it with SIGKILL at seeded
random moments, restarts it on the same data directory, and checks that nothing the node acknowledged was lost.

  crash.py [--kills N] [--seed S] BINARY [ARGS...]     (BINARY ARGS... start the node: the AOT binary, or dotnet DLL)

What "acknowledged" means, per protocol (each is what a client may rely on):
- XMPP (no XEP-0198 here): a <message/> to an offline account followed by a ping <iq/>; when the iq's result arrives,
  the server has processed every stanza of the session before it, so the message was stored (stanzas of one session
  are handled in order and the offline store writes synchronously).
- MQTT: a QoS 1 PUBLISH whose PUBACK arrived, a QoS 2 PUBLISH whose PUBCOMP arrived, a retained QoS 1 PUBLISH whose
  PUBACK arrived, a SUBSCRIBE of a persistent session whose SUBACK arrived.
- Matrix: a `send` that returned an event id; a `sendToDevice` that returned 200.
Checked after the last restart: bob (never online during the load) gets every acknowledged XMPP message exactly once;
two persistent MQTT sessions that stayed offline (one QoS 1, one QoS 2 subscription, never resubscribed) come back
with their session present and get every acknowledged message, the QoS 2 one exactly once; a persistent session that
subscribed one topic at a time during the load comes back with every acknowledged subscription; each retained topic
holds its last acknowledged value or a later one; every Matrix event id is in both members' /messages, and after
each restart in both members' incremental /sync; every acknowledged to-device message reaches dave's device exactly
once; PRAGMA integrity_check says ok; and every start after a kill sent READY=1 within 2 s.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients import Matrix, MatrixError, Mqtt, Xmpp  # noqa: E402

KEYS = ["Xmpp:C2sPort", "Xmpp:C2sDirectTlsPort", "Xmpp:S2sPort", "Xmpp:S2sDirectTlsPort", "Http:Port",
        "Http:FederationPort", "Mqtt:Port", "Mqtt:TlsPort"]
PASSWORD = "crash-harness-secret"
MAX_START_SECONDS = 2.0
ROOM_EVENTS_PER_CYCLE = 60  # below the /sync timeline limit (100), so one incremental sync shows a cycle's events
RETAINED_TOPICS = [f"stat/plug1/r{i}" for i in range(4)]


def log(text):
    print(f"crash: {text}", flush=True)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class Node:
    """The node as a child process on one data directory; start() waits for READY=1 on a notify socket."""

    def __init__(self, command, work):
        self.command = command
        self.work = work
        self.data_dir = os.path.join(work, "data")
        self.ports = dict(zip(KEYS, free_ports(len(KEYS))))
        self.args = [f"--Node:DataDir={self.data_dir}", "--Node:ListenAddresses=127.0.0.1",
                     *[f"--{k}={v}" for k, v in self.ports.items()],
                     # Quotas out of the way: the harness counts every message, and none may be refused for room.
                     "--Xmpp:OfflineQuota=1000000", "--Xmpp:OfflineQuotaBytes=1000000000", "--Xmpp:OfflineQuotaPerSender=0",
                     "--Xmpp:MessagesPerSecond=0", "--Xmpp:MessagesPerSecondToOneRecipient=0",
                     "--Mqtt:MaxQueuedMessages=1000000", "--Mqtt:MaxQueuedBytes=1000000000",
                     "--Mqtt:MaxSubscriptionsPerSession=1000000", "--Mqtt:MaxSubscriptionsPerAccount=1000000",
                     "--Matrix:MaxPendingToDevicePerDevice=1000000", "--Matrix:MessagesPerSecond=0",
                     # Every client of the load comes from 127.0.0.1.
                     "--Node:ConnectionLimitExempt=127.0.0.0/8"]
        self.process = None
        self.log_path = os.path.join(work, "node.log")
        self.notify_path = os.path.join(work, "notify.sock")

    def cli(self, *verb, stdin=None):
        result = subprocess.run(self.command + list(verb) + self.args, input=stdin, capture_output=True, text=True,
                                timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"edgenode {' '.join(verb)} exited {result.returncode}: {result.stdout}{result.stderr}")
        return result.stdout

    def spawn(self):
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path)
        log_file = open(self.log_path, "ab")
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.command + ["run"] + self.args, env=env, stdout=log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log_file.close()

    def wait_ready(self, timeout=60):
        self.notify.settimeout(timeout)
        try:
            message = self.notify.recv(4096).decode()
        except socket.timeout:
            raise RuntimeError(f"no READY=1 within {timeout} s:\n{self.tail()}") from None
        finally:
            self.notify.close()
        if message != "READY=1":
            raise RuntimeError(f"the node sent {message!r} instead of READY=1:\n{self.tail()}")
        return time.monotonic() - self.started

    def start(self):
        self.spawn()
        return self.wait_ready()

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        if code != 0:
            raise RuntimeError(f"exit {code} after SIGTERM:\n{self.tail()}")

    def tail(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-4000:]


class Record:
    """What the node acknowledged (and, for the exactly-once checks, everything sent)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.xmpp_acked = set()
        self.mqtt_acked = {1: set(), 2: set()}
        self.retained_acked = {t: -1 for t in RETAINED_TOPICS}
        self.retained_sent = {t: -1 for t in RETAINED_TOPICS}
        self.room_events = []       # event ids of this cycle, then checked against /sync after the restart
        self.all_room_events = set()
        self.to_device_acked = set()
        self.subscriptions_acked = set()
        self.failures = []

    def add(self, what, value):
        with self.lock:
            getattr(self, what).add(value)


def xmpp_load(node, record, cycle, stop):
    client = Xmpp(node.ports["Xmpp:C2sPort"], "alice", PASSWORD, resource=f"load{cycle}")
    n = 0
    while not stop.is_set():
        key = f"x-{cycle}-{n}"
        client.send(f"<message to='bob@localhost' type='chat' id='{key}'><body>{key}</body></message>"
                    f"<iq type='get' id='p-{key}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
        answer = client.read_match(rf"<iq[^>]*id=.p-{key}.".encode())
        if re.search(rf"<message[^>]*type=.error.[^>]*id=.{key}.|<message[^>]*id=.{key}.[^>]*type=.error.".encode(), answer):
            raise AssertionError(f"XMPP: {key} was refused: {answer[-400:]!r}")
        record.add("xmpp_acked", key)
        n += 1


def mqtt_load(node, record, cycle, stop, qos):
    client = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, f"pub-q{qos}-{cycle}", clean=True)
    n = 0
    try:
        while not stop.is_set():
            key = f"m{qos}-{cycle}-{n}"
            info = client.client.publish(f"cmnd/plug1/q{qos}/x", key, qos=qos)
            info.wait_for_publish(5)
            if not info.is_published():
                return
            with record.lock:
                record.mqtt_acked[qos].add(key)
            n += 1
    finally:
        client.client.loop_stop()


def retained_load(node, record, cycle, stop, rng):
    client = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, f"pub-retained-{cycle}", clean=True)
    try:
        while not stop.is_set():
            topic = rng.choice(RETAINED_TOPICS)
            value = record.retained_sent[topic] + 1
            record.retained_sent[topic] = value
            info = client.client.publish(topic, str(value), qos=1, retain=True)
            info.wait_for_publish(5)
            if not info.is_published():
                return
            record.retained_acked[topic] = max(record.retained_acked[topic], value)
    finally:
        client.client.loop_stop()


def subscribe_load(node, record, cycle, stop):
    """One persistent session adds one subscription after another until the kill: once its SUBACK arrived, it is kept."""
    client = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, "subscriber", clean=False)
    acked = threading.Event()
    client.client.on_subscribe = lambda *a: acked.set()
    n = 0
    try:
        while not stop.is_set():
            topic = f"cmnd/plug1/s/{cycle}-{n}"
            acked.clear()
            client.client.subscribe(topic, qos=1)
            if not acked.wait(5):
                return
            record.add("subscriptions_acked", topic)
            n += 1
    finally:
        client.client.loop_stop()


def matrix_load(node, record, cycle, stop, carol, room, dave):
    n = 0
    while not stop.is_set() and n < ROOM_EVENTS_PER_CYCLE:
        key = f"e-{cycle}-{n}"
        answer = carol.call("PUT", f"/rooms/{urllib.parse.quote(room)}/send/m.room.message/{key}",
                            {"msgtype": "m.text", "body": key})
        with record.lock:
            record.room_events.append(answer["event_id"])
            record.all_room_events.add(answer["event_id"])
        carol.call("PUT", f"/sendToDevice/org.example.crash/{key}",
                   {"messages": {dave.user_id: {dave.device_id: {"key": key}}}})
        record.add("to_device_acked", key)
        n += 1


def run_load(node, record, cycle, rng, carol, room, dave):
    """Starts every load thread; returns (stop event, threads). A thread ends when the node dies under it."""
    stop = threading.Event()
    jobs = [lambda: xmpp_load(node, record, cycle, stop),
            lambda: mqtt_load(node, record, cycle, stop, 1),
            lambda: mqtt_load(node, record, cycle, stop, 2),
            lambda: retained_load(node, record, cycle, stop, random.Random(rng.random())),
            lambda: subscribe_load(node, record, cycle, stop),
            lambda: matrix_load(node, record, cycle, stop, carol, room, dave)]
    def guarded(job):
        try:
            job()
        except (OSError, ConnectionError, RuntimeError, ValueError):
            pass  # the node was killed mid-exchange: what was not acknowledged is not recorded
        except (AssertionError, MatrixError) as e:
            record.failures.append(e)  # a refusal while the node was up: the harness's own expectations are wrong

    threads = [threading.Thread(target=guarded, args=(job,), daemon=True) for job in jobs]
    for t in threads:
        t.start()
    return stop, threads


def sync(client, since, limit=100):
    query = {"timeout": "0", "filter": json.dumps({"room": {"timeline": {"limit": limit}}})}
    if since:
        query["since"] = since
    return client.call("GET", "/sync", query=query)


def check_cycle_sync(record, members, tokens, room, to_device_seen, dave):
    """After a restart: every event acknowledged in the cycle before is in each member's incremental /sync."""
    for name, client in members.items():
        answer = sync(client, tokens[name])
        tokens[name] = answer["next_batch"]
        joined = answer.get("rooms", {}).get("join", {}).get(room, {})
        timeline = joined.get("timeline", {})
        ids = {e["event_id"] for e in timeline.get("events", [])}
        missing = [e for e in record.room_events if e not in ids]
        if missing:
            raise AssertionError(f"{name}'s /sync after the restart lacks {len(missing)} acknowledged events "
                                 f"(limited={timeline.get('limited')}): {missing[:5]}")
        if client is dave:
            for event in answer.get("to_device", {}).get("events", []):
                to_device_seen.append(event["content"]["key"])
    record.room_events = []


def setup(node):
    node.cli("user", "add", "alice@localhost", stdin=PASSWORD + "\n")
    node.cli("user", "add", "bob@localhost", stdin=PASSWORD + "\n")
    node.cli("user", "add", "carol@localhost", stdin=PASSWORD + "\n")
    node.cli("user", "add", "dave@localhost", stdin=PASSWORD + "\n")
    node.cli("device", "add", "plug1", stdin=PASSWORD + "\n")
    node.start()
    port = node.ports["Http:Port"]
    carol = Matrix(port, "carol", PASSWORD)
    dave = Matrix(port, "dave", PASSWORD)
    room = carol.call("POST", "/createRoom", {"preset": "private_chat", "invite": [dave.user_id]})["room_id"]
    dave.call("POST", f"/join/{urllib.parse.quote(room)}", {})
    # The persistent sessions that stay offline during the whole run.
    for qos in (1, 2):
        sub = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, f"keeper-q{qos}", clean=False)
        subscribed = threading.Event()
        sub.client.on_subscribe = lambda *a: subscribed.set()
        sub.client.subscribe(f"cmnd/plug1/q{qos}/#", qos=qos)
        if not subscribed.wait(10):
            raise RuntimeError("no SUBACK")
        sub.close()
    tokens = {"carol": sync(carol, None)["next_batch"], "dave": sync(dave, None)["next_batch"]}
    return carol, dave, room, tokens


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # polling a condition that a network thread fills


def verify_xmpp(node, record):
    bob = Xmpp(node.ports["Xmpp:C2sPort"], "bob", PASSWORD, resource="verify")
    bob.send("<presence/>")
    got = []
    expected = set(record.xmpp_acked)
    bob.sock.settimeout(20)
    while not expected.issubset(got):
        try:
            stanzas = bob.read_stanzas()
        except TimeoutError:
            missing = expected - set(got)
            raise AssertionError(f"XMPP: {len(missing)} of {len(expected)} acknowledged offline messages never came: {sorted(missing)[:5]}") from None
        for stanza in stanzas:
            m = re.search(rb"<body>(x-[0-9]+-[0-9]+)</body>", stanza)
            if stanza.startswith(b"<message") and m:
                got.append(m.group(1).decode())
    # Offline delivery is in order: a ping answered after the last expected message ends what can still come.
    bob.send("<iq type='get' id='final' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
    for stanza in iter(lambda: bob.read_stanzas(), None):
        done = False
        for s in stanza:
            m = re.search(rb"<body>(x-[0-9]+-[0-9]+)</body>", s)
            if m:
                got.append(m.group(1).decode())
            if re.search(rb"id=.final.", s):
                done = True
        if done:
            break
    bob.close()
    duplicates = {k for k in got if got.count(k) > 1}
    if duplicates:
        raise AssertionError(f"XMPP: {len(duplicates)} offline messages delivered twice: {sorted(duplicates)[:5]}")
    return len(expected), len(got)


def verify_mqtt(node, record):
    results = {}
    for qos in (1, 2):
        sub = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, f"keeper-q{qos}", clean=False)
        if not sub.session_present:
            raise AssertionError(f"MQTT: the persistent session keeper-q{qos} did not survive (session present 0)")
        # A marker published now queues behind everything stored: once it arrives, the queue was delivered.
        marker = f"end-q{qos}"
        pub = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, f"marker-q{qos}", clean=True)
        pub.client.publish(f"cmnd/plug1/q{qos}/x", marker, qos=qos).wait_for_publish(10)
        pub.close()
        wait_for(lambda: any(p == marker for _, p, _, _ in sub.messages()), 30, f"the QoS {qos} marker")
        sub.close()
        payloads = [p for _, p, _, _ in sub.messages() if p != marker]
        missing = record.mqtt_acked[qos] - set(payloads)
        if missing:
            raise AssertionError(f"MQTT: {len(missing)} QoS {qos} messages acknowledged and never delivered: {sorted(missing)[:5]}")
        if qos == 2:
            duplicates = {p for p in payloads if payloads.count(p) > 1}
            if duplicates:
                raise AssertionError(f"MQTT: {len(duplicates)} QoS 2 messages delivered twice: {sorted(duplicates)[:5]}")
        results[qos] = (len(record.mqtt_acked[qos]), len(payloads))

    # Every acknowledged subscription of the subscriber session: a message to each of its topics arrives.
    sub = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, "subscriber", clean=False)
    if record.subscriptions_acked and not sub.session_present:
        raise AssertionError("MQTT: the persistent session subscriber did not survive (session present 0)")
    pub = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, "subscription-check", clean=True)
    for topic in sorted(record.subscriptions_acked):
        pub.client.publish(topic, topic, qos=1)
    try:
        wait_for(lambda: {t for t, _, _, _ in sub.messages()} >= record.subscriptions_acked, 30, "a message on every subscribed topic")
    except AssertionError:
        missing = record.subscriptions_acked - {t for t, _, _, _ in sub.messages()}
        raise AssertionError(f"MQTT: {len(missing)} of {len(record.subscriptions_acked)} acknowledged subscriptions were lost: "
                             f"{sorted(missing)[:5]}") from None
    finally:
        pub.close()
        sub.close()
    results["subscriptions"] = len(record.subscriptions_acked)

    watcher = Mqtt(node.ports["Mqtt:Port"], "plug1", PASSWORD, "retained-check", clean=True)
    watcher.client.subscribe("stat/plug1/+", qos=1)
    expected = [t for t in RETAINED_TOPICS if record.retained_acked[t] >= 0]
    wait_for(lambda: {t for t, _, r, _ in watcher.messages() if r} >= set(expected), 30, "every retained topic")
    watcher.close()
    for topic, payload, retain, _ in watcher.messages():
        value = int(payload)
        if not record.retained_acked[topic] <= value <= record.retained_sent[topic]:
            raise AssertionError(f"MQTT: retained {topic} is {value}; acknowledged up to {record.retained_acked[topic]}, "
                                 f"sent up to {record.retained_sent[topic]}")
    return results, len(expected)


def verify_matrix(record, members, room, dave, to_device_seen):
    for name, client in members.items():
        seen = set()
        token = None
        while True:
            query = {"dir": "b", "limit": "1000"}
            if token:
                query["from"] = token
            answer = client.call("GET", f"/rooms/{urllib.parse.quote(room)}/messages", query=query)
            seen.update(e["event_id"] for e in answer.get("chunk", []))
            if not answer.get("chunk") or not answer.get("end"):
                break
            token = answer["end"]
        missing = record.all_room_events - seen
        if missing:
            raise AssertionError(f"Matrix: {len(missing)} acknowledged events missing from {name}'s /messages: {sorted(missing)[:5]}")
    # The rest of dave's to-device messages: sync until none come.
    token = sync(dave, None, limit=1)["next_batch"]
    while True:
        answer = sync(dave, token, limit=1)
        events = answer.get("to_device", {}).get("events", [])
        to_device_seen.extend(e["content"]["key"] for e in events)
        token = answer["next_batch"]
        if not events:
            break
    missing = record.to_device_acked - set(to_device_seen)
    if missing:
        raise AssertionError(f"Matrix: {len(missing)} acknowledged to-device messages never delivered: {sorted(missing)[:5]}")
    duplicates = {k for k in to_device_seen if to_device_seen.count(k) > 1}
    if duplicates:
        raise AssertionError(f"Matrix: {len(duplicates)} to-device messages delivered twice: {sorted(duplicates)[:5]}")
    return len(record.all_room_events), len(record.to_device_acked)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("command", nargs="+")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(1 << 31)
    rng = random.Random(seed)
    log(f"seed {seed}, {options.kills} kills (repeat with --seed {seed})")
    work = tempfile.mkdtemp(prefix="edgenode-crash-")
    node = Node(options.command, work)
    record = Record()
    to_device_seen = []
    started_at = time.monotonic()
    try:
        carol, dave, room, tokens = setup(node)
        members = {"carol": carol, "dave": dave}
        start_times = []
        kills_in_start = 0
        for cycle in range(options.kills):
            if rng.random() < 0.15:
                # Some kills land in start-up itself (recovery, migrations, loading sessions).
                node.kill()
                node.spawn()
                time.sleep(rng.uniform(0.0, 0.3))  # the random moment of this kill, not a synchronisation
                node.kill()
                kills_in_start += 1
                node.spawn()
            else:
                stop, threads = run_load(node, record, cycle, rng, carol, room, dave)
                time.sleep(rng.uniform(0.2, 1.5))  # the random moment of the kill, not a synchronisation
                node.kill()
                stop.set()
                for t in threads:
                    t.join(30)
                if record.failures:
                    raise AssertionError(f"a load thread failed: {record.failures[0]}")
                node.spawn()
            ready = node.wait_ready()
            start_times.append(ready)
            if ready > MAX_START_SECONDS:
                raise AssertionError(f"start {cycle + 1} after a kill took {ready:.2f} s (limit {MAX_START_SECONDS} s)")
            check_cycle_sync(record, members, tokens, room, to_device_seen, dave)
        log(f"{options.kills} kills ({kills_in_start} during start-up); starts after a kill: max {max(start_times):.2f} s, "
            f"mean {sum(start_times) / len(start_times):.2f} s")

        xmpp = verify_xmpp(node, record)
        log(f"XMPP: all {xmpp[0]} acknowledged offline messages delivered to bob, each once ({xmpp[1]} delivered in all)")
        mqtt, retained = verify_mqtt(node, record)
        log(f"MQTT: all {mqtt.pop('subscriptions')} acknowledged subscriptions of the subscriber session kept")
        for qos, (acked, got) in mqtt.items():
            log(f"MQTT: all {acked} acknowledged QoS {qos} messages reached the persistent session ({got} delivered"
                + (", none twice)" if qos == 2 else ")"))
        log(f"MQTT: {retained} retained topics hold their last acknowledged value or a later one")
        events, to_device = verify_matrix(record, members, room, dave, to_device_seen)
        log(f"Matrix: all {events} acknowledged events in both members' /sync and /messages; all {to_device} to-device messages delivered once")
        node.stop()
        db = os.path.join(node.data_dir, "edgenode.db")
        with sqlite3.connect(db) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            left = connection.execute("SELECT count(*) FROM xmpp_offline WHERE owner = 'bob@localhost'").fetchone()[0]
        if verdict != "ok":
            raise AssertionError(f"PRAGMA integrity_check: {verdict}")
        if left:
            raise AssertionError(f"XMPP: {left} delivered offline messages are still stored (they would come again)")
        log(f"PRAGMA integrity_check: ok; run took {time.monotonic() - started_at:.0f} s")
        log("PASS")
    except AssertionError as e:
        log(f"FAIL (seed {seed}): {e}")
        log("node log tail:\n" + node.tail())
        sys.exit(1)
    finally:
        if node.process and node.process.poll() is None:
            node.kill()
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"work directory kept: {work}")


if __name__ == "__main__":
    main()
