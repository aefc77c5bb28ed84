#!/usr/bin/env python3
"""A device replayed on the node's MQTT broker with mosquitto_pub, watched with mosquitto_sub, and its owner and a
stranger as real slixmpp clients. Prints one JSON line of everything they saw; the C# test asserts on it.

Usage: devices_slixmpp.py SCENARIO XMPP_PORT DOMAIN MQTT_PORT DEVICE DEVICE_PASSWORD REPLAY OWNER OWNER_PW STRANGER STRANGER_PW [SPEC]
DEVICE "-" publishes anonymously (the node runs with Mqtt:AnonymousLoopback). SPEC is the JSON of the "convention"
scenario (see there).
"""
import asyncio
import json
import logging
import ssl
import subprocess
import sys
import time

import slixmpp
from slixmpp.exceptions import IqError

TIMEOUT = 20
NS = "{urn:edgenode:device:0}"


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password, sasl_mech="SCRAM-SHA-256")
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.auto_authorize = None
        self.auto_subscribe = False
        self.register_plugin("xep_0054")
        self.messages = []
        self.presence = {}
        self.add_event_handler("message", self.messages.append)
        self.add_event_handler("message_error", self.messages.append)
        self.add_event_handler("presence_available", self._on_presence)
        self.add_event_handler("presence_unavailable", self._on_presence)

    def _on_presence(self, p):
        self.presence[p["from"].bare] = {"type": p["type"], "show": p["show"], "status": p["status"]}

    async def login(self, port):
        started = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
        self.connect(("127.0.0.1", port), force_starttls=True)
        await asyncio.wait_for(started, TIMEOUT)
        await self.get_roster()
        self.send_presence()
        return self

    async def next(self, predicate, what):
        seen = 0
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for m in self.messages[seen:]:
                if predicate(m):
                    self.messages.remove(m)
                    return m
            seen = 0
            await asyncio.sleep(0.05)
        raise TimeoutError("timed out waiting for " + what + "; had " + json.dumps([str(m) for m in self.messages]))


def readings(m):
    element = m.xml.find(NS + "readings")
    if element is None:
        return None
    return {r.get("name"): [r.get("value"), r.get("unit")] for r in element.findall(NS + "reading")}


async def vcard(client, contact):
    """The contact's vCard fields, or the error condition it answered with."""
    try:
        iq = await client.plugin["xep_0054"].get_vcard(contact, local=False, timeout=TIMEOUT)
    except IqError as e:
        return {"error": e.iq["error"]["condition"]}
    v = iq["vcard_temp"]

    def text(value):
        # slixmpp gives some vCard fields (NICKNAME) as lists.
        return ", ".join(value) if isinstance(value, list) else value
    return {"FN": text(v["FN"]), "NICKNAME": text(v["NICKNAME"]), "TITLE": text(v["TITLE"]), "ORGNAME": text(v["ORG"]["ORGNAME"]),
            "DESC": text(v["DESC"])}


async def until(condition, what):
    for _ in range(TIMEOUT * 20):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("timed out waiting for " + what)


def load_replay(path):
    sections = {}
    current = sections.setdefault("", [])
    for raw in open(path, encoding="utf-8").read().split("\n"):
        line = raw.rstrip("\r")
        if not line or line.startswith("#"):
            continue
        if line.startswith("== "):
            current = sections.setdefault(line[3:].strip(), [])
            continue
        flag, rest = line.split(" ", 1)
        if rest.startswith('"'):
            end = rest.index('"', 1)
            topic, payload = rest[1:end], rest[end + 2:]
        else:
            topic, _, payload = rest.partition(" ")
        current.append((topic, payload, flag == "R"))
    return sections


class Mqtt:
    def __init__(self, port, user, password):
        self.base = ["-h", "127.0.0.1", "-p", str(port), "-V", "mqttv5"]
        # A topic of the device's own (anonymous loopback clients may use any) that no convention reads: a marker
        # published there after something reaches a subscriber behind everything routed to it before.
        self.marker_topic = "edgenode-test/marker" if user == "-" else user + "/edgenode-test/marker"
        self.markers = 0
        if user != "-":
            self.base += ["-u", user, "-P", password]

    def publish(self, topic, payload, retained=False):
        args = ["mosquitto_pub", *self.base, "-t", topic, "-q", "1"]
        args += ["-n"] if payload == "" else ["-m", payload]
        if retained:
            args.append("-r")
        subprocess.run(args, check=True, timeout=TIMEOUT)

    def play(self, messages):
        for topic, payload, retained in messages:
            self.publish(topic, payload, retained)

    async def subscribe(self, topic):
        """mosquitto_sub on the topic and on the marker topic (see published_before_marker)."""
        proc = await asyncio.create_subprocess_exec(
            "stdbuf", "-oL", "mosquitto_sub", *self.base, "-d", "-t", topic, "-t", self.marker_topic, "-F", "%r %t %p",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        lines = []

        async def pump():
            while True:
                line = await proc.stdout.readline()
                if not line:
                    return
                lines.append(line.decode().rstrip("\n"))
        task = asyncio.ensure_future(pump())
        await until(lambda: any("received SUBACK" in l for l in lines), "mosquitto_sub to subscribe")
        return proc, task, lines

    async def published_before_marker(self, lines):
        """What the subscriber got before a marker published now: the broker routes to one subscriber in order, so
        anything published before this call (a repeated command, say) has arrived once the marker has."""
        self.markers += 1
        marker = f"0 {self.marker_topic} {self.markers}"
        self.publish(self.marker_topic, str(self.markers))
        await until(lambda: marker in lines, "the marker after the command")
        return [l for l in message_lines(lines[:lines.index(marker)]) if not l.startswith(f"0 {self.marker_topic} ")]


def message_lines(lines):
    return [l for l in lines if not l.startswith("Client ") and not l.startswith("Subscribed (") and not l.startswith("Warning")]


async def tasmota(xmpp_port, domain, mqtt_port, device, device_pw, replay_path, owner, owner_pw, stranger, stranger_pw):
    replay = load_replay(replay_path)
    mqtt = Mqtt(mqtt_port, device, device_pw)
    contact = f"plug1@{domain}"
    result = {}
    sub = None
    alice = await Client(f"{owner}@{domain}", owner_pw).login(xmpp_port)
    bob = await Client(f"{stranger}@{domain}", stranger_pw).login(xmpp_port)
    try:
        # Retained LWT and state from the device's last session, its restart: the device is discovered.
        mqtt.play(replay["discovery"])
        await until(lambda: contact in alice.client_roster and alice.client_roster[contact]["subscription"] == "both", "the device in the roster")
        item = alice.client_roster[contact]
        result["roster"] = {"subscription": item["subscription"], "name": item["name"], "groups": list(item["groups"])}
        result["stranger_roster_has_device"] = contact in bob.client_roster
        await until(lambda: alice.presence.get(contact, {}).get("type") == "available", "the device's presence")
        result["presence_online"] = alice.presence[contact]

        # Live telemetry arrives as a headline with a human line and the structured readings.
        mqtt.play(replay["telemetry"])
        m = await alice.next(lambda m: m["type"] == "headline" and m["from"].bare == contact and "W" in m["body"], "telemetry")
        result["telemetry"] = {"type": m["type"], "body": m["body"], "readings": readings(m)}

        # A burst inside the telemetry interval is coalesced into the latest values.
        for watts in (101, 102, 103):
            mqtt.publish("tele/plug1/SENSOR", json.dumps({"ENERGY": {"Power": watts}}))
        last = await alice.next(lambda m: m["type"] == "headline" and "103 W" in m["body"], "the coalesced burst")
        # A later report is the barrier: whatever the burst made the node send comes before its headline.
        mqtt.publish("tele/plug1/SENSOR", json.dumps({"ENERGY": {"Power": 104}}))
        await alice.next(lambda m: m["type"] == "headline" and "104 W" in m["body"], "the report after the burst")
        burst = [m["body"] for m in alice.messages if m["type"] == "headline" and any(f"{w} W" in m["body"] for w in (101, 102, 103))]
        result["burst"] = {"last": last["body"], "last_readings": readings(last), "other_burst_messages": burst}

        sub = await mqtt.subscribe("cmnd/plug1/#")

        # A stranger is refused, and nothing reaches MQTT.
        bob.send_message(mto=contact, mbody="off", mtype="chat")
        err = await bob.next(lambda m: m["type"] == "error" and m["from"].bare == contact, "the stranger's error")
        result["stranger"] = {"condition": err["error"]["condition"], "text": err["error"]["text"]}

        alice.send_message(mto=contact, mbody="help", mtype="chat")
        m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == contact, "help")
        result["help"] = m["body"]
        alice.send_message(mto=contact, mbody="dance", mtype="chat")
        m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == contact, "an unknown command's answer")
        result["unknown"] = m["body"]

        # The owner's "off": exactly one non-retained command on the wire, then "done: off" after the echo.
        alice.send_message(mto=contact, mbody="off", mtype="chat")
        await until(lambda: len(message_lines(sub[2])) > 0, "the command on MQTT")
        mqtt.play(replay["echo"])
        m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == contact, "the command's answer")
        result["answer"] = m["body"]
        result["published"] = await mqtt.published_before_marker(sub[2])

        # The device's will (retained LWT Offline) makes it unavailable.
        mqtt.play(replay["offline"])
        await until(lambda: alice.presence.get(contact, {}).get("type") == "unavailable", "the device to go unavailable")
        result["presence_offline"] = alice.presence[contact]
        result["stranger_saw_presence"] = contact in bob.presence
    finally:
        if sub is not None:
            sub[0].kill()
            await sub[0].wait()
            sub[1].cancel()
        alice.disconnect()
        bob.disconnect()
    return result


async def gpio(xmpp_port, domain, _mqtt_port, _device, _device_pw, _replay, owner, owner_pw, stranger, stranger_pw):
    """GPIO pins of the node's simulated chip: `button` (input) and `relay` (output). The C# test watches the relay's
    line and, once the owner's "on" has driven it high, raises the button's line."""
    button, relay = f"button@{domain}", f"relay@{domain}"
    result = {}
    alice = await Client(f"{owner}@{domain}", owner_pw).login(xmpp_port)
    bob = await Client(f"{stranger}@{domain}", stranger_pw).login(xmpp_port)
    try:
        for contact in (button, relay):
            await until(lambda: contact in alice.client_roster and alice.client_roster[contact]["subscription"] == "both", contact + " in the roster")
            await until(lambda: alice.presence.get(contact, {}).get("type") == "available", contact + "'s presence")
        result["roster"] = {c: {"subscription": alice.client_roster[c]["subscription"], "groups": list(alice.client_roster[c]["groups"])}
                            for c in (button, relay)}
        result["presence"] = {c: alice.presence[c] for c in (button, relay)}
        result["stranger_roster_has_pins"] = button in bob.client_roster or relay in bob.client_roster

        alice.send_message(mto=relay, mbody="on", mtype="chat")
        m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == relay, "the answer to on")
        result["answer"] = m["body"]

        # The pin's initial reading ("button off") may come first, throttled; the edge under test is the "on".
        m = await alice.next(lambda m: m["type"] == "headline" and m["from"].bare == button and m["body"].endswith(" on"), "the button's edge")
        result["edge"] = {"type": m["type"], "body": m["body"], "readings": readings(m)}
        # Released and pressed again well inside the telemetry interval: every edge is a message of its own.
        released = await alice.next(lambda m: m["type"] == "headline" and m["from"].bare == button and m["body"].endswith(" off"), "the release")
        again = await alice.next(lambda m: m["type"] == "headline" and m["from"].bare == button and m["body"].endswith(" on"), "the second press")
        result["later_edges"] = [released["body"], again["body"]]

        alice.send_message(mto=relay, mbody="help", mtype="chat")
        m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == relay, "the relay's help")
        result["help"] = m["body"]

        bob.send_message(mto=relay, mbody="off", mtype="chat")
        err = await bob.next(lambda m: m["type"] == "error" and m["from"].bare == relay, "the stranger's error")
        result["stranger"] = {"condition": err["error"]["condition"], "text": err["error"]["text"]}

        alice.send_message(mto=relay, mbody="pulse 50ms", mtype="chat")
        m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == relay, "the answer to pulse")
        result["pulse"] = m["body"]
    finally:
        alice.disconnect()
        bob.disconnect()
    return result


def messages_of(spec, replay, name):
    """A phase of the device's session: inline in the spec ([topic, payload, retained] triples) or the replay's section."""
    if name in spec:
        return [(t, p, r) for t, p, r in spec[name]]
    if name == "discovery" and name not in replay:
        # A file without sections (firmware-config/homie) is all discovery.
        return replay.get("", [])
    return replay.get(name, [])


async def convention(xmpp_port, domain, mqtt_port, device, device_pw, replay_path, owner, owner_pw, stranger, stranger_pw, spec_json):
    """One device of any convention, end to end. The spec names what to expect:
    contacts: every device address the discovery must put in the owner's roster, available;
    contact: the one commanded; telemetry_contact and telemetry_contains: the headline to wait for;
    subscribe: the command topic filter mosquitto_sub watches; command: what the owner types;
    discovery, telemetry, echo, offline: inline phases replacing the replay's sections (an empty echo is a device
    that never answers); offline_contacts: who must turn unavailable after the offline phase."""
    spec = json.loads(spec_json)
    replay = load_replay(replay_path)
    mqtt = Mqtt(mqtt_port, device, device_pw)
    contact = spec["contact"]
    contacts = spec.get("contacts", [contact])
    result = {}
    sub = None
    alice = await Client(f"{owner}@{domain}", owner_pw).login(xmpp_port)
    bob = await Client(f"{stranger}@{domain}", stranger_pw).login(xmpp_port)
    try:
        mqtt.play(messages_of(spec, replay, "discovery"))
        result["roster"], result["presence_online"] = {}, {}
        for c in contacts:
            await until(lambda: c in alice.client_roster and alice.client_roster[c]["subscription"] == "both", c + " in the roster")
            await until(lambda: alice.presence.get(c, {}).get("type") == "available", c + "'s presence")
            item = alice.client_roster[c]
            result["roster"][c] = {"subscription": item["subscription"], "name": item["name"], "groups": list(item["groups"])}
            result["presence_online"][c] = alice.presence[c]
        result["stranger_roster_has_device"] = any(c in bob.client_roster for c in contacts)
        result["vcard"] = await vcard(alice, contact)
        result["stranger_vcard"] = await vcard(bob, contact)

        mqtt.play(messages_of(spec, replay, "telemetry"))
        source = spec.get("telemetry_contact", contact)
        m = await alice.next(lambda m: m["type"] == "headline" and m["from"].bare == source and spec["telemetry_contains"] in m["body"], "telemetry")
        result["telemetry"] = {"type": m["type"], "body": m["body"], "readings": readings(m)}

        sub = await mqtt.subscribe(spec["subscribe"])
        bob.send_message(mto=contact, mbody=spec["command"], mtype="chat")
        err = await bob.next(lambda m: m["type"] == "error" and m["from"].bare == contact, "the stranger's error")
        result["stranger"] = {"condition": err["error"]["condition"], "text": err["error"]["text"]}

        alice.send_message(mto=contact, mbody=spec["command"], mtype="chat")
        await until(lambda: len(message_lines(sub[2])) > 0, "the command on MQTT")
        mqtt.play(messages_of(spec, replay, "echo"))
        m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == contact, "the command's answer")
        result["answer"] = m["body"]
        result["published"] = await mqtt.published_before_marker(sub[2])

        mqtt.play(messages_of(spec, replay, "offline"))
        for c in spec.get("offline_contacts", [contact]):
            await until(lambda: alice.presence.get(c, {}).get("type") == "unavailable", c + " to go unavailable")
        result["presence_offline"] = {c: alice.presence[c] for c in spec.get("offline_contacts", [contact])}
        result["stranger_saw_presence"] = any(c in bob.presence for c in contacts)
    finally:
        if sub is not None:
            sub[0].kill()
            await sub[0].wait()
            sub[1].cancel()
        alice.disconnect()
        bob.disconnect()
    return result


async def publish(_xmpp_port, _domain, mqtt_port, device, device_pw, replay_path, section):
    """Only plays one section of a replay (retained messages for a node that is about to restart)."""
    Mqtt(mqtt_port, device, device_pw).play(load_replay(replay_path)[section])
    return {"published": section}


async def node(xmpp_port, domain, mqtt_port, device, device_pw, replay_path, owner, owner_pw, stranger, stranger_pw):
    """The node participant: the administrator (owner) asks for the status, lists devices, gives plug1 to the
    stranger and grants the MQTT device plug1 a topic; the stranger, no administrator, is refused."""
    replay = load_replay(replay_path)
    mqtt = Mqtt(mqtt_port, device, device_pw)
    contact, plug = f"node@{domain}", f"plug1@{domain}"
    result = {}
    alice = await Client(f"{owner}@{domain}", owner_pw).login(xmpp_port)
    bob = await Client(f"{stranger}@{domain}", stranger_pw).login(xmpp_port)
    try:
        mqtt.play(replay["discovery"])
        await until(lambda: contact in alice.client_roster and alice.client_roster[contact]["subscription"] == "both", "the node in the roster")
        await until(lambda: alice.presence.get(contact, {}).get("type") == "available", "the node's presence")
        await until(lambda: alice.presence.get(plug, {}).get("type") == "available", "plug1's presence")
        item = alice.client_roster[contact]
        result["roster"] = {"subscription": item["subscription"], "name": item["name"], "groups": list(item["groups"])}
        result["presence"] = alice.presence[contact]
        result["stranger_roster_has_node"] = contact in bob.client_roster
        result["vcard"] = await vcard(alice, contact)

        async def ask(text):
            alice.send_message(mto=contact, mbody=text, mtype="chat")
            m = await alice.next(lambda m: m["type"] == "chat" and m["from"].bare == contact, "the node's answer to " + text)
            return m["body"]

        result["status"] = await ask("status")
        result["devices"] = await ask("devices")
        result["help"] = await ask("help")

        bob.send_message(mto=contact, mbody="status", mtype="chat")
        err = await bob.next(lambda m: m["type"] == "error" and m["from"].bare == contact, "the stranger's error")
        result["stranger"] = {"condition": err["error"]["condition"], "text": err["error"]["text"]}
        result["stranger_roster_has_plug_before"] = plug in bob.client_roster

        result["owner"] = await ask(f"owner plug1 {stranger}@{domain}")
        await until(lambda: plug in bob.client_roster and bob.client_roster[plug]["subscription"] == "both", "plug1 in the new owner's roster")
        await until(lambda: bob.presence.get(plug, {}).get("type") == "available", "plug1's presence for its new owner")
        result["new_owner_presence"] = bob.presence[plug]
        result["allow"] = await ask("allow plug1 publish extra/plug1/#")
        result["bad_owner"] = await ask("owner plug1 not-an-address")
    finally:
        alice.disconnect()
        bob.disconnect()
    return result


SCENARIOS = {"tasmota": tasmota, "gpio": gpio, "convention": convention, "publish": publish, "node": node}


def main():
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    scenario, xmpp_port, domain, mqtt_port, device, device_pw, replay, *accounts = sys.argv[1:]
    result = asyncio.get_event_loop().run_until_complete(asyncio.wait_for(
        SCENARIOS[scenario](int(xmpp_port), domain, int(mqtt_port), device, device_pw, replay, *accounts), TIMEOUT * 6))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
