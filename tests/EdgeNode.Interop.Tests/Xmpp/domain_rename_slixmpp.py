#!/usr/bin/env python3
"""The two halves of the domain rename test, each printing one JSON line of what the clients saw.

Usage: domain_rename_slixmpp.py before HOST XMPP_PORT DOMAIN
       domain_rename_slixmpp.py after HOST XMPP_PORT DOMAIN MQTT_PORT DEVICE_PASSWORD
before: alice and bob (passwords pw-alice, pw-bob) subscribe to each other; bob leaves alice an offline message.
after: a Tasmota plug1 announces itself with paho; alice logs in and reports her roster, the offline message and
whether plug1 (owned by her before the rename) joined her roster.
"""
import asyncio
import json
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xmpp_slixmpp import Client, TIMEOUT, until  # noqa: E402


async def before(host, port, domain):
    alice_jid, bob_jid = f"alice@{domain}", f"bob@{domain}"
    alice = await Client(alice_jid, "pw-alice").login(host, port, "starttls")
    bob = await Client(bob_jid, "pw-bob").login(host, port, "starttls")
    alice.send_presence_subscription(pto=bob_jid, ptype="subscribe")
    await asyncio.wait_for(bob.subscribe_requests.get(), TIMEOUT)
    bob.send_presence(pto=alice_jid, ptype="subscribed")
    bob.send_presence(pto=alice_jid, ptype="subscribe")
    await asyncio.wait_for(alice.subscribe_requests.get(), TIMEOUT)
    alice.send_presence(pto=bob_jid, ptype="subscribed")
    await until(lambda: alice.client_roster[bob_jid]["subscription"] == "both" and bob.client_roster[alice_jid]["subscription"] == "both", "mutual subscription")
    alice.disconnect()
    await until(lambda: alice_jid not in bob.available or not bob.client_roster[alice_jid].resources, "alice gone")
    bob.send_message(mto=alice_jid, mbody="while you were away", mtype="chat")
    await bob["xep_0199"].ping(jid=domain, timeout=TIMEOUT)  # the server has stored the message by now
    bob.disconnect()
    return {"alice_roster": {j: alice.client_roster[j]["subscription"] for j in alice.client_roster if j != alice_jid}}


async def after(host, port, domain, mqtt_port, device_pw):
    import paho.mqtt.client as mqtt
    plug = mqtt.Client(client_id="plug1")
    plug.username_pw_set("plug1", device_pw)
    plug.connect(host, int(mqtt_port))
    plug.loop_start()
    plug.publish("tele/plug1/LWT", "Online", qos=1, retain=True).wait_for_publish()
    plug.publish("tele/plug1/STATE", '{"POWER":"ON"}', qos=1).wait_for_publish()

    alice_jid = f"alice@{domain}"
    alice = await Client(alice_jid, "pw-alice").login(host, port, "starttls")
    message = await alice.next_message()
    plug_jid = f"plug1@{domain}"
    await until(lambda: plug_jid in alice.client_roster, "plug1 in alice's roster")
    result = {
        "jid": str(alice.boundjid.bare),
        "roster": {j: alice.client_roster[j]["subscription"] for j in alice.client_roster if j != alice_jid},
        "offline": [str(message["from"].bare), str(message["to"].bare), message["body"]],
    }
    alice.disconnect()
    plug.loop_stop()
    plug.disconnect()
    return result


def main():
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    phase, host, port, domain, *rest = sys.argv[1:]
    work = before(host, int(port), domain) if phase == "before" else after(host, int(port), domain, *rest)
    print(json.dumps(asyncio.get_event_loop().run_until_complete(asyncio.wait_for(work, TIMEOUT * 4))))


if __name__ == "__main__":
    main()
