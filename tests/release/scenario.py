"""What the release check asks of a running node beyond "every listener answers" (run by tests/aot-gate/aot_gate.py
--scenario, under qemu for the arm64 binary): accounts made with the binary's own verbs log in over XMPP and
Matrix, and a device publishing over MQTT appears to its owner.

alice is added with `edgenode user add` while the node runs, logs in over XMPP (SCRAM-SHA-256 after STARTTLS, with
slixmpp) and over Matrix (POST /_matrix/client/v3/login). plug1 is added with `edgenode device add`, connects to the
broker with that account and publishes what a Tasmota plug publishes at start; alice administers the node, so the
device is hers: it must arrive in her roster (a roster push) and show as available with the status "on".
Every wait is for a condition, with timeouts multiplied by the emulation slowdown.
"""
import asyncio
import json
import logging
import socket
import ssl
import struct
import time
import urllib.request

import slixmpp

START_ARGS = ["--Node:Admins=alice@localhost"]
PASSWORD = "pw-alice-release"
DEVICE_PASSWORD = "pw-plug1-release"


def run(node):
    """Yields one line per step that passed; raises on the first that fails."""
    timeout = 15 * node.slowdown

    node.cli("user", "add", "alice@localhost", stdin=PASSWORD + "\n")
    yield "edgenode user add alice@localhost: done"

    logging.basicConfig(level=logging.CRITICAL)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        alice = Owner("alice@localhost", PASSWORD)
        loop.run_until_complete(asyncio.wait_for(alice.login(node.ports["Xmpp:C2sPort"]), timeout))
        yield "alice logged in over XMPP (STARTTLS, SCRAM-SHA-256) and got her roster"

        user_id = matrix_login(node.ports["Http:Port"], "alice", PASSWORD, timeout)
        yield f"alice logged in over Matrix as {user_id}"

        node.cli("device", "add", "plug1", stdin=DEVICE_PASSWORD + "\n")
        yield "edgenode device add plug1: done"

        device = MqttDevice(node.ports["Mqtt:Port"], "plug1", DEVICE_PASSWORD, timeout)
        try:
            device.publish("tele/plug1/LWT", "Online", retain=True)
            device.publish("stat/plug1/POWER", "ON", retain=True)
            device.publish("tele/plug1/STATE", json.dumps({"POWER": "ON", "UptimeSec": 10}))
            yield "plug1 connected over MQTT with its account and published as a Tasmota plug"
            contact = "plug1@localhost"
            loop.run_until_complete(alice.until(
                lambda: contact in alice.client.client_roster and alice.presence.get(contact, {}).get("type") == "available",
                timeout, f"{contact} in alice's roster and available"))
            item = alice.client.client_roster[contact]
            presence = alice.presence[contact]
            if item["subscription"] != "both" or presence["status"] != "on":
                raise AssertionError(f"roster item {item['subscription']} {item['groups']}, presence {presence}")
            yield f"{contact} is in alice's roster (subscription both, groups {list(item['groups'])}), available, status '{presence['status']}'"
        finally:
            device.close()
        alice.client.disconnect()
        loop.run_until_complete(asyncio.wait_for(alice.disconnected, timeout))
    finally:
        # slixmpp leaves its queue readers waiting: end them before the loop closes.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()


class Owner:
    """alice as a slixmpp client that records the presence it receives."""

    def __init__(self, jid, password):
        self.client = slixmpp.ClientXMPP(jid, password, sasl_mech="SCRAM-SHA-256")
        self.client.ssl_context.check_hostname = False
        self.client.ssl_context.verify_mode = ssl.CERT_NONE  # the node's first-start certificate is self-signed
        self.presence = {}
        self.disconnected = asyncio.get_event_loop().create_future()
        self.client.add_event_handler("presence_available", self._on_presence)
        self.client.add_event_handler("presence_unavailable", self._on_presence)
        self.client.add_event_handler("disconnected", lambda _: self.disconnected.done() or self.disconnected.set_result(True))

    def _on_presence(self, p):
        self.presence[p["from"].bare] = {"type": p["type"], "status": p["status"]}

    async def login(self, port):
        started = asyncio.get_event_loop().create_future()
        failed = asyncio.get_event_loop().create_future()
        self.client.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
        self.client.add_event_handler("failed_all_auth", lambda _: failed.done() or failed.set_result(True))
        self.client.connect(("127.0.0.1", port), force_starttls=True)
        done, _ = await asyncio.wait([started, failed], return_when=asyncio.FIRST_COMPLETED)
        if failed in done:
            raise AssertionError("XMPP authentication failed")
        await self.client.get_roster()
        self.client.send_presence()

    @staticmethod
    async def until(condition, timeout, what):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {what} within {timeout:.0f} s")
            await asyncio.sleep(0.05)


def matrix_login(port, user, password, timeout):
    body = json.dumps({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user},
                       "password": password}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_matrix/client/v3/login", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.load(response)
    if not answer.get("access_token") or answer.get("user_id") != f"@{user}:localhost":
        raise AssertionError(f"login answered {answer}")
    return answer["user_id"]


class MqttDevice:
    """An MQTT 3.1.1 client written from the specification: CONNECT with the device account, QoS 1 PUBLISH."""

    def __init__(self, port, name, password, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.packet_id = 0
        payload = utf8(name) + utf8(name) + utf8(password)
        # Protocol "MQTT" level 4; flags: user name, password, clean session; keep-alive 60 s.
        variable = utf8("MQTT") + bytes([4, 0xC2]) + struct.pack(">H", 60)
        self.send(0x10, variable + payload)
        kind, body = self.receive()
        if kind != 0x20 or body[1] != 0:
            raise AssertionError(f"CONNACK {kind:#x} return code {body[1:2].hex()}")

    def publish(self, topic, text, retain=False):
        self.packet_id += 1
        self.send(0x32 | (1 if retain else 0), utf8(topic) + struct.pack(">H", self.packet_id) + text.encode())
        kind, body = self.receive()
        if kind != 0x40 or struct.unpack(">H", body[:2])[0] != self.packet_id:
            raise AssertionError(f"expected PUBACK {self.packet_id}, got {kind:#x} {body.hex()}")

    def close(self):
        try:
            self.send(0xE0, b"")
        finally:
            self.sock.close()

    def send(self, header, body):
        length, encoded = len(body), bytearray()
        while True:
            digit, length = length % 128, length // 128
            encoded.append(digit | (0x80 if length else 0))
            if not length:
                break
        self.sock.sendall(bytes([header]) + bytes(encoded) + body)

    def receive(self):
        header = self.read(1)[0]
        length, shift = 0, 0
        while True:
            digit = self.read(1)[0]
            length |= (digit & 0x7F) << shift
            shift += 7
            if not digit & 0x80:
                break
        return header & 0xF0, self.read(length)

    def read(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("the broker closed the connection")
            data += chunk
        return data


def utf8(text):
    data = text.encode()
    return struct.pack(">H", len(data)) + data
