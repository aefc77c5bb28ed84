#!/usr/bin/env python3
"""Scenarios run by real slixmpp clients against a test node; each prints one JSON line of what the clients saw.

Usage: xmpp_slixmpp.py SCENARIO HOST PORT MODE DOMAIN [USER PASSWORD]...
MODE is starttls (port 5222 style) or directtls (XEP-0368, TLS from the first byte). The node's certificate is
self-signed, so certificate verification is switched off for these test clients only.
"""
import asyncio
import json
import logging
import ssl
import sys

import slixmpp

TIMEOUT = 20


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, mech="SCRAM-SHA-256"):
        super().__init__(jid, password, sasl_mech=mech)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.auto_authorize = None
        self.auto_subscribe = False
        for plugin in ("xep_0030", "xep_0054", "xep_0280", "xep_0199", "xep_0092", "xep_0203"):
            self.register_plugin(plugin)
        self.messages = asyncio.Queue()
        self.carbons_sent = asyncio.Queue()
        self.available = {}
        self.subscribe_requests = asyncio.Queue()
        self.mechanism = None
        self.failure = None
        self.add_event_handler("message", lambda m: self.messages.put_nowait(m))
        self.add_event_handler("carbon_sent", lambda m: self.carbons_sent.put_nowait(m))
        self.add_event_handler("presence_available", self._on_available)
        self.add_event_handler("presence_subscribe", lambda p: self.subscribe_requests.put_nowait(p))

    def _on_available(self, presence):
        self.available[presence["from"].bare] = str(presence["from"])

    async def login(self, host, port, mode, presence=True):
        started = asyncio.get_event_loop().create_future()

        def on_start(_):
            if not started.done():
                started.set_result(True)

        def on_failed(stanza):
            self.failure = stanza["condition"] if hasattr(stanza, "__getitem__") else str(stanza)
            if not started.done():
                started.set_exception(RuntimeError("failed_auth:" + str(self.failure)))

        def on_auth(_):
            self.mechanism = self["feature_mechanisms"].mech.name

        self.add_event_handler("session_start", on_start)
        self.add_event_handler("failed_auth", on_failed)
        self.add_event_handler("auth_success", on_auth)
        direct = mode == "directtls"
        self.connect((host, port), use_ssl=direct, force_starttls=not direct, disable_starttls=direct)
        await asyncio.wait_for(started, TIMEOUT)
        await self.get_roster()
        if presence:
            self.send_presence()
        return self

    async def next_message(self, predicate=lambda m: True):
        while True:
            message = await asyncio.wait_for(self.messages.get(), TIMEOUT)
            if message["type"] in ("chat", "normal") and message["body"] and predicate(message):
                return message


async def until(condition, what):
    for _ in range(TIMEOUT * 20):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("timed out waiting for " + what)


async def chat(host, port, mode, domain, a_user, a_pw, b_user, b_pw):
    a_jid, b_jid = f"{a_user}@{domain}", f"{b_user}@{domain}"
    a = await Client(a_jid, a_pw).login(host, port, mode)
    b = await Client(b_jid, b_pw).login(host, port, mode)
    result = {"mechanisms": [a.mechanism, b.mechanism]}

    # a asks b; b approves and asks back; a approves: both directions, through the clients' own stanzas.
    a.send_presence_subscription(pto=b_jid, ptype="subscribe")
    request = await asyncio.wait_for(b.subscribe_requests.get(), TIMEOUT)
    result["b_got_request_from"] = request["from"].bare
    b.send_presence(pto=a_jid, ptype="subscribed")
    b.send_presence(pto=a_jid, ptype="subscribe")
    request = await asyncio.wait_for(a.subscribe_requests.get(), TIMEOUT)
    result["a_got_request_from"] = request["from"].bare
    a.send_presence(pto=b_jid, ptype="subscribed")

    await until(lambda: a.client_roster[b_jid]["subscription"] == "both" and b.client_roster[a_jid]["subscription"] == "both", "mutual subscription")
    result["a_roster"] = a.client_roster[b_jid]["subscription"]
    result["b_roster"] = b.client_roster[a_jid]["subscription"]
    await until(lambda: b_jid in a.available and a_jid in b.available, "each other's presence")
    result["a_sees"] = a.available[b_jid]
    result["b_sees"] = b.available[a_jid]

    a.send_message(mto=b_jid, mbody="hello b, from a", mtype="chat")
    got = await b.next_message()
    result["b_received"] = [got["from"].bare, got["body"]]
    b.send_message(mto=got["from"], mbody="hello a, from b", mtype="chat")
    got = await a.next_message()
    result["a_received"] = [got["from"].bare, got["body"]]
    a.disconnect()
    b.disconnect()
    return result


async def offline(host, port, mode, domain, a_user, a_pw, c_user, c_pw):
    a_jid, c_jid = f"{a_user}@{domain}", f"{c_user}@{domain}"
    a = await Client(a_jid, a_pw).login(host, port, mode)
    for i in range(3):
        a.send_message(mto=c_jid, mbody=f"offline {i}", mtype="chat")
    await a["xep_0199"].ping(jid=domain, timeout=TIMEOUT)  # the server has handled the messages by now
    c = await Client(c_jid, c_pw).login(host, port, mode)
    bodies = []
    delayed = []
    for _ in range(3):
        message = await c.next_message()
        bodies.append(message["body"])
        delayed.append(bool(message["delay"]["stamp"]))
    a.disconnect()
    c.disconnect()
    return {"bodies": bodies, "delayed": delayed}


async def carbons(host, port, mode, domain, a_user, a_pw, b_user, b_pw):
    a_jid, b_jid = f"{a_user}@{domain}", f"{b_user}@{domain}"
    a1 = await Client(a_jid + "/one", a_pw).login(host, port, mode)
    a2 = await Client(a_jid + "/two", a_pw).login(host, port, mode)
    b = await Client(b_jid, b_pw).login(host, port, mode)
    await a1["xep_0280"].enable()
    await a2["xep_0280"].enable()
    a1.send_message(mto=b_jid, mbody="sent from one", mtype="chat")
    got = await b.next_message()
    carbon = await asyncio.wait_for(a2.carbons_sent.get(), TIMEOUT)
    forwarded = carbon["carbon_sent"]
    result = {
        "b_received": got["body"],
        "carbon_body": forwarded["body"],
        "carbon_from": str(forwarded["from"]),
        "carbon_to": forwarded["to"].bare,
    }
    for c in (a1, a2, b):
        c.disconnect()
    return result


async def disco(host, port, mode, domain, a_user, a_pw):
    a = await Client(f"{a_user}@{domain}", a_pw).login(host, port, mode)
    info = await a["xep_0030"].get_info(jid=domain, timeout=TIMEOUT)
    features = sorted(info["disco_info"]["features"])
    identities = [list(i[:2]) for i in info["disco_info"]["identities"]]
    version = await a["xep_0092"].get_version(domain, timeout=TIMEOUT)
    rtt = await a["xep_0199"].ping(jid=domain, timeout=TIMEOUT)
    a.disconnect()
    return {"features": features, "identities": identities, "version_name": version["software_version"]["name"], "ping": rtt is not None}


async def vcard(host, port, mode, domain, a_user, a_pw, b_user, b_pw):
    a_jid, b_jid = f"{a_user}@{domain}", f"{b_user}@{domain}"
    a = await Client(a_jid, a_pw).login(host, port, mode)
    card = a["xep_0054"].make_vcard()
    card["FN"] = "Alice Liddell"
    card["NICKNAME"] = "alice"
    await a["xep_0054"].publish_vcard(card, timeout=TIMEOUT)
    own = await a["xep_0054"].get_vcard(a_jid, local=False, cached=False, timeout=TIMEOUT)
    b = await Client(b_jid, b_pw).login(host, port, mode)
    theirs = await b["xep_0054"].get_vcard(a_jid, local=False, cached=False, timeout=TIMEOUT)
    a.disconnect()
    b.disconnect()
    return {"own_fn": own["vcard_temp"]["FN"], "other_fn": theirs["vcard_temp"]["FN"], "nickname": theirs["vcard_temp"]["NICKNAME"]}


async def wrongpw(host, port, mode, domain, a_user, a_pw):
    a = Client(f"{a_user}@{domain}", a_pw)
    try:
        await a.login(host, port, mode)
        return {"logged_in": True}
    except RuntimeError:
        return {"logged_in": False, "condition": a.failure}
    finally:
        a.disconnect()


async def login(host, port, mode, domain, a_user, a_pw, mechanism):
    a = await Client(f"{a_user}@{domain}", a_pw, mech=mechanism).login(host, port, mode)
    rtt = await a["xep_0199"].ping(jid=domain, timeout=TIMEOUT)
    result = {"mechanism": a.mechanism, "jid": str(a.boundjid), "ping": rtt is not None}
    a.disconnect()
    return result


SCENARIOS = {"login": login, "chat": chat, "offline": offline, "carbons": carbons, "disco": disco, "vcard": vcard, "wrongpw": wrongpw}


def main():
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    scenario, host, port, mode, domain, *accounts = sys.argv[1:]
    result = asyncio.get_event_loop().run_until_complete(
        asyncio.wait_for(SCENARIOS[scenario](host, int(port), mode, domain, *accounts), TIMEOUT * 4))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
