"""Small synchronous clients for the crash harness: XMPP over STARTTLS with SCRAM-SHA-256, Matrix over HTTP, and
paho-mqtt for MQTT. Each is just enough to send, to know what the node acknowledged, and to read it all back."""
import base64
import hashlib
import hmac
import json
import os
import re
import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request

import paho.mqtt.client as mqtt

STREAM = ("<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")


class Xmpp:
    """One c2s session: STARTTLS, SCRAM-SHA-256, bind. Reads are by marker, since the harness knows what comes next."""

    def __init__(self, port, user, password, resource="crash", timeout=10):
        self.buffer = b""
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = raw
        self.send(STREAM)
        self.read_until(b"</stream:features>")
        self.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        self.read_until(b"<proceed")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.sock = context.wrap_socket(raw, server_hostname="localhost")
        self.buffer = b""
        self.send(STREAM)
        self.read_until(b"</stream:features>")
        self.scram(user, password)
        self.buffer = b""
        self.send(STREAM)
        self.read_until(b"</stream:features>")
        self.send(f"<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{resource}</resource></bind></iq>")
        self.read_match(rb"id=.bind.[^>]*>.*?</iq>")

    def scram(self, user, password):
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n={user},r={nonce}"
        self.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>"
                  + base64.b64encode(("n,," + first_bare).encode()).decode() + "</auth>")
        challenge = self.element(b"<challenge", b"</challenge>")
        server_first = base64.b64decode(re.search(rb">([^<]*)</challenge>", challenge).group(1)).decode()
        fields = dict(part.split("=", 1) for part in server_first.split(","))
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        final_bare = f"c=biws,r={fields['r']}"
        auth_message = f"{first_bare},{server_first},{final_bare}".encode()
        signature = hmac.new(stored, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self.send("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                  + base64.b64encode(f"{final_bare},p={base64.b64encode(proof).decode()}".encode()).decode() + "</response>")
        answer = self.read_match(rb"<success[^>]*/>|</success>|<failure[^>]*/>|</failure>")
        if b"<success" not in answer:
            raise RuntimeError(f"SCRAM failed for {user}: {answer[:200]!r}")

    def send(self, text):
        self.sock.sendall(text.encode())

    def read_until(self, *markers):
        """Reads until the first marker and then the last one appear in that order; returns everything up to it."""
        while True:
            start = self.buffer.find(markers[0])
            if start >= 0:
                end = self.buffer.find(markers[-1], start)
                if end >= 0:
                    end += len(markers[-1])
                    data, self.buffer = self.buffer[:end], self.buffer[end:]
                    return data
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the stream")
            self.buffer += chunk

    def read_match(self, pattern):
        """Reads until the regular expression matches; returns everything up to the end of the match."""
        while True:
            m = re.search(pattern, self.buffer, re.S)
            if m:
                data, self.buffer = self.buffer[:m.end()], self.buffer[m.end():]
                return data
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the stream")
            self.buffer += chunk

    def element(self, start, end):
        data = self.read_until(start, end)
        return data[data.find(start):]

    def read_stanzas(self):
        """Whatever complete top-level <message>/<iq>/<presence> stanzas arrived next (blocking for at least one)."""
        while True:
            found = []
            while True:
                m = re.search(rb"<(message|iq|presence)[\s>]", self.buffer)
                if not m:
                    break
                name = m.group(1)
                close = self.buffer.find(b"</" + name + b">", m.start())
                selfclose = self.buffer.find(b"/>", m.start())
                tag_end = self.buffer.find(b">", m.start())
                if selfclose >= 0 and selfclose + 1 == tag_end:
                    end = tag_end + 1
                elif close >= 0:
                    end = close + len(name) + 3
                else:
                    break
                found.append(self.buffer[m.start():end])
                self.buffer = self.buffer[end:]
            if found:
                return found
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the stream")
            self.buffer += chunk

    def close(self):
        try:
            self.send("</stream:stream>")
            self.sock.close()
        except OSError:
            pass


class Matrix:
    """A logged-in Matrix client (plain HTTP on the node's client port)."""

    def __init__(self, port, user, password):
        self.base = f"http://127.0.0.1:{port}/_matrix/client/v3"
        answer = self.call("POST", "/login", {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user},
                                               "password": password}, token=None)
        self.token = answer["access_token"]
        self.user_id = answer["user_id"]
        self.device_id = answer["device_id"]

    def call(self, method, path, body=None, token="self", query=None, timeout=10):
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", "Bearer " + (self.token if token == "self" else token))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise MatrixError(e.code, e.read().decode(errors="replace")) from None


class MatrixError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Mqtt:
    """A paho-mqtt client (3.1.1) run on its own network thread; on_message collects (topic, payload, retain)."""

    def __init__(self, port, user, password, client_id, clean, timeout=10):
        self.received = []
        self.connected = threading.Event()
        self.session_present = None
        self.lock = threading.Lock()
        self.client = mqtt.Client(client_id=client_id, clean_session=clean, protocol=mqtt.MQTTv311)
        self.client.username_pw_set(user, password)
        self.client.max_inflight_messages_set(20)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(timeout) or self.rc != 0:
            self.client.loop_stop()
            raise ConnectionError(f"MQTT connect of {client_id} failed")

    def _on_connect(self, client, userdata, flags, rc):
        self.rc = rc
        self.session_present = flags.get("session present")
        self.connected.set()

    def _on_message(self, client, userdata, message):
        with self.lock:
            self.received.append((message.topic, message.payload.decode(), message.retain, message.qos))

    def messages(self):
        with self.lock:
            return list(self.received)

    def close(self):
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()


class RawMqtt5:
    """An MQTT 5.0 client over a bare socket, for what paho does not report: the reason code of a PUBACK or PUBREC."""

    def __init__(self, port, user, password, client_id, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        body = (_string(b"MQTT") + bytes([5, 0xC2]) + (60).to_bytes(2, "big") + b"\x00"
                + _string(client_id.encode()) + _string(user.encode()) + _string(password.encode()))
        self.sock.sendall(bytes([0x10]) + _varint(len(body)) + body)
        kind, data = self.packet()
        if kind != 0x20 or data[1] != 0:
            raise ConnectionError(f"MQTT 5 CONNACK {data!r}")

    def publish(self, topic, payload, qos, packet_id, retain=False):
        """Sends a PUBLISH; for QoS 1/2 returns the reason code of its PUBACK/PUBREC."""
        header = 0x30 | (qos << 1) | (1 if retain else 0)
        body = _string(topic.encode()) + (packet_id.to_bytes(2, "big") if qos else b"") + b"\x00" + payload.encode()
        self.sock.sendall(bytes([header]) + _varint(len(body)) + body)
        if qos == 0:
            return None
        kind, data = self.packet()
        if kind not in (0x40, 0x50) or int.from_bytes(data[:2], "big") != packet_id:
            raise ConnectionError(f"expected PUBACK/PUBREC for {packet_id}, got {kind:#x} {data!r}")
        return data[2] if len(data) > 2 else 0

    def packet(self):
        """The next packet as (type byte with flags cleared, body)."""
        while True:
            if len(self.buffer) >= 2:
                length, shift, i = 0, 0, 1
                while i < len(self.buffer):
                    byte = self.buffer[i]
                    length |= (byte & 0x7F) << shift
                    shift += 7
                    i += 1
                    if not byte & 0x80:
                        if len(self.buffer) >= i + length:
                            kind, body = self.buffer[0] & 0xF0, self.buffer[i:i + length]
                            self.buffer = self.buffer[i + length:]
                            return kind, body
                        break
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the broker closed the connection")
            self.buffer += chunk

    def close(self):
        try:
            self.sock.sendall(b"\xe0\x00")
            self.sock.close()
        except OSError:
            pass


def _string(data):
    return len(data).to_bytes(2, "big") + data


def _varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)
