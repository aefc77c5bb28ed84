#!/usr/bin/env python3
"""Federation scenarios run by real slixmpp clients, one on each server; each prints one JSON line of what they saw.

Usage: federation_slixmpp.py SCENARIO A_HOST A_PORT A_JID A_PASSWORD [B_HOST B_PORT B_JID B_PASSWORD]
  chat       A and B log in; A sends B a message, B answers; both must arrive.
  subscribe  A and B log in; A asks B for a presence subscription, B approves and asks back, A approves; then B
             changes its status and A must see it, and A changes its status and B must see it.
  bounce     A logs in and sends a message to B_JID (B is not logged in or its server is away); prints the error A gets.
  listen     B logs in, prints "ready", then prints "got: BODY" for each message until one whose body is END
             (argv 5) arrives: the test sends it last, so whatever else was on its way has arrived before it.
  send       A logs in and sends B_JID (argv 5) the message BODY (argv 6).
  probe      B logs in with a status, then A logs in: A must see B's presence at once (its server probes B's).
  iq         A pings B's server (an iq across federation) and reports the answer it gets (result or error).
  device_watch    A_JID may read the device DEVICE (argv 5): A subscribes to it, must be granted, see its presence and a
                  reading containing TEXT (argv 6), and its "off" must be refused (reading is not commanding).
  device_stranger A is not on the device's access list: its subscription and its "off" must both be refused.
  device_command  A may command the device: its "off" is answered with a chat message (printed); while the node
                  has not yet seen the grant, "off" is refused and asked again.
Test certificates are self-signed or from a throw-away CA, so clients do not verify them.
"""
import asyncio
import json
import logging
import ssl
import sys

import slixmpp

TIMEOUT = 25


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, status=None):
        super().__init__(jid, password)
        self.initial_status = status
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.auto_authorize = None
        self.auto_subscribe = False
        self.messages = asyncio.Queue()
        self.errors = asyncio.Queue()
        self.subscribe_requests = asyncio.Queue()
        self.subscribed = asyncio.Queue()
        self.statuses = asyncio.Queue()
        self.add_event_handler("message", self._on_message)
        self.add_event_handler("message_error", lambda m: self.errors.put_nowait(m))
        self.add_event_handler("presence_subscribe", lambda p: self.subscribe_requests.put_nowait(p))
        self.add_event_handler("presence_subscribed", lambda p: self.subscribed.put_nowait(p))
        self.add_event_handler("presence", self._on_presence)

    def _on_presence(self, presence):
        if presence["type"] in ("available", "away", "dnd", "xa", "chat"):
            self.statuses.put_nowait(presence)

    def _on_message(self, message):
        if message["type"] != "error" and message["body"]:
            self.messages.put_nowait(message)

    async def login(self, host, port):
        started = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
        self.add_event_handler("failed_auth", lambda _: started.done() or started.set_exception(RuntimeError("failed_auth")))
        self.connect((host, int(port)), force_starttls=True)
        await asyncio.wait_for(started, TIMEOUT)
        await self.get_roster()
        self.send_presence(pstatus=self.initial_status)
        return self


async def get(queue, what, predicate=lambda x: True):
    async def inner():
        while True:
            item = await queue.get()
            if predicate(item):
                return item
    try:
        return await asyncio.wait_for(inner(), TIMEOUT)
    except asyncio.TimeoutError:
        raise TimeoutError("timed out waiting for " + what)


async def chat(a, b):
    a.send_message(mto=b.boundjid.bare, mbody="hello from " + a.boundjid.bare, mtype="chat")
    got_b = await get(b.messages, "A's message at B")
    b.send_message(mto=a.boundjid.bare, mbody="hello back from " + b.boundjid.bare, mtype="chat")
    got_a = await get(a.messages, "B's answer at A")
    return {"b_got": str(got_b["body"]), "b_got_from": got_b["from"].bare,
            "a_got": str(got_a["body"]), "a_got_from": got_a["from"].bare}


async def subscribe(a, b):
    a_bare, b_bare = a.boundjid.bare, b.boundjid.bare
    a.send_presence(pto=b_bare, ptype="subscribe")
    request = await get(b.subscribe_requests, "A's subscription request at B")
    b.send_presence(pto=a_bare, ptype="subscribed")
    await get(a.subscribed, "B's approval at A")
    b.send_presence(pto=a_bare, ptype="subscribe")
    await get(a.subscribe_requests, "B's subscription request at A")
    a.send_presence(pto=b_bare, ptype="subscribed")
    await get(b.subscribed, "A's approval at B")
    # A roster round trip on each side: each server has handled everything its client sent before it.
    await a.get_roster()
    await b.get_roster()
    b.send_presence(pstatus="b-is-busy", pshow="dnd")
    seen_a = await get(a.statuses, "B's status at A", lambda p: p["from"].bare == b_bare and p["status"] == "b-is-busy")
    a.send_presence(pstatus="a-is-away", pshow="away")
    seen_b = await get(b.statuses, "A's status at B", lambda p: p["from"].bare == a_bare and p["status"] == "a-is-away")
    await a.get_roster()
    await b.get_roster()
    return {"request_from": request["from"].bare, "a_saw": str(seen_a["status"]), "b_saw": str(seen_b["status"]),
            "a_sub": a.client_roster[b_bare]["subscription"], "b_sub": b.client_roster[a_bare]["subscription"]}


async def bounce(a, b_jid):
    a.send_message(mto=b_jid, mbody="are you there?", mtype="chat")
    error = await get(a.errors, "an error for the message to " + b_jid)
    return {"condition": error["error"]["condition"], "text": error["error"]["text"], "from": str(error["from"])}


async def probe(argv):
    b = await Client(argv[7], argv[8], status="b-was-here-first").login(argv[5], argv[6])
    await b.get_roster()  # a round trip after B's presence: its server has it before A logs in
    a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
    b_bare = b.boundjid.bare
    seen = await get(a.statuses, "B's presence at A after A logged in", lambda p: p["from"].bare == b_bare)
    return a, b, {"a_saw": str(seen["status"])}


async def iq(a, target):
    iq = a.make_iq_get(queryxmlns="urn:xmpp:ping", ito=target)
    try:
        result = await iq.send(timeout=TIMEOUT)
    except slixmpp.exceptions.IqError as e:
        result = e.iq
    return {"type": result["type"], "from": str(result["from"]), "condition": result["error"]["condition"]}


async def device_watch(a, device, expect):
    a.send_presence(pto=device, ptype="subscribe")
    await get(a.subscribed, "the device's consent", lambda p: p["from"].bare == device)
    seen = await get(a.statuses, "the device's presence", lambda p: p["from"].bare == device)
    reading = await get(a.messages, "a reading from the device", lambda m: m["from"].bare == device and expect in str(m["body"]))
    a.send_message(mto=device, mbody="off", mtype="chat")
    error = await get(a.errors, "the answer to off", lambda m: m["from"].bare == device)
    return {"status": str(seen["status"]), "reading_type": reading["type"], "reading": str(reading["body"]),
            "off": error["error"]["condition"]}


async def device_stranger(a, device):
    refused = asyncio.Queue()
    a.add_event_handler("presence_unsubscribed", lambda p: refused.put_nowait(p))
    a.send_presence(pto=device, ptype="subscribe")
    await get(refused, "the device's refusal", lambda p: p["from"].bare == device)
    a.send_message(mto=device, mbody="off", mtype="chat")
    error = await get(a.errors, "the answer to off", lambda m: m["from"].bare == device)
    return {"subscription": "unsubscribed", "off": error["error"]["condition"]}


async def device_command(a, device):
    # A grant written just before reaches the running node when it next reads its store: until then "off" is refused
    # (and sends no command), so it is asked again until it is answered, within the deadline.
    deadline = asyncio.get_event_loop().time() + TIMEOUT
    while True:
        a.send_message(mto=device, mbody="off", mtype="chat")
        answer = asyncio.ensure_future(get(a.messages, "the answer to off", lambda m: m["from"].bare == device and m["type"] == "chat"))
        refusal = asyncio.ensure_future(get(a.errors, "the answer to off", lambda m: m["from"].bare == device))
        done, _ = await asyncio.wait([answer, refusal], return_when=asyncio.FIRST_COMPLETED)
        if answer in done:
            refusal.cancel()
            return {"answer": str(answer.result()["body"])}
        answer.cancel()
        refusal.result()
        if asyncio.get_event_loop().time() > deadline:
            raise TimeoutError("off was refused until the deadline")
        await asyncio.sleep(0.2)


async def listen(b, end):
    print("ready", flush=True)
    got = []
    while True:
        body = str((await get(b.messages, "the message " + end))["body"])
        if body == end:
            return {"messages": got}
        print("got: " + body, flush=True)
        got.append(body)


async def send(a, to, body):
    a.send_message(mto=to, mbody=body, mtype="chat")
    await a.get_roster()  # a round trip: the server has taken the message before A leaves
    return {}


async def main(argv):
    scenario = argv[0]
    a = b = None
    try:
        if scenario in ("chat", "subscribe"):
            a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            b = await Client(argv[7], argv[8]).login(argv[5], argv[6])
            result = await (chat(a, b) if scenario == "chat" else subscribe(a, b))
        elif scenario == "bounce":
            a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            result = await bounce(a, argv[5])
        elif scenario == "probe":
            a, b, result = await probe(argv)
        elif scenario == "iq":
            a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            result = await iq(a, argv[5])
        elif scenario == "device_watch":
            a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            result = await device_watch(a, argv[5], argv[6])
        elif scenario == "device_stranger":
            a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            result = await device_stranger(a, argv[5])
        elif scenario == "device_command":
            a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            result = await device_command(a, argv[5])
        elif scenario == "listen":
            b = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            result = await listen(b, argv[5])
        elif scenario == "send":
            a = await Client(argv[3], argv[4]).login(argv[1], argv[2])
            result = await send(a, argv[5], argv[6])
        else:
            raise ValueError("unknown scenario " + scenario)
        result["ok"] = True
    except Exception as e:  # noqa: BLE001 - the test reads the reason from the JSON line
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    finally:
        for client in (a, b):
            if client is not None:
                await client.disconnect()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(sys.argv[1:]))
