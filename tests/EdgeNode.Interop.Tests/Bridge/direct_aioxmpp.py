#!/usr/bin/env python3
"""carol and alice in aioxmpp (Debian's python3-aioxmpp), the XMPP side of direct_chat.mjs (bob in matrix-js-sdk).

Usage: direct_aioxmpp.py HOST PORT DOMAIN PASSWORD
Prints "ready" once both are online; carol waits for bob's message and answers it; then alice writes to bob first
and waits for his answer. Prints one JSON line of what they received; exits 1 on a timeout.
"""
import asyncio
import json
import logging
import sys

import aioxmpp

TIMEOUT = 60


def seen(message):
    return {"from": str(message.from_), "type": message.type_.value, "id": message.id_, "body": message.body.any()}


async def next_with_body(queue):
    """The next chat message with a body (chat states alone are skipped)."""
    while True:
        message = await asyncio.wait_for(queue.get(), TIMEOUT)
        if message.body:
            return message


async def main(host, port, domain, password):
    connector = aioxmpp.connector.STARTTLSConnector()
    clients, inbox = {}, {}
    for name in ("carol", "alice"):
        jid = aioxmpp.JID.fromstr("%s@%s/aioxmpp" % (name, domain))
        clients[name] = aioxmpp.PresenceManagedClient(jid, aioxmpp.make_security_layer(password, no_verify=True),
                                                      override_peer=[(host, port, connector)])
        inbox[name] = asyncio.Queue()
        clients[name].stream.register_message_callback(aioxmpp.MessageType.CHAT, None, lambda m, q=inbox[name]: q.put_nowait(m))
    bob = aioxmpp.JID.fromstr("bob@" + domain)
    result = {}
    async with clients["carol"].connected() as carol, clients["alice"].connected() as alice:
        print("ready", flush=True)
        got = await next_with_body(inbox["carol"])
        result["carol_got"] = seen(got)
        answer = aioxmpp.Message(to=bob, type_=aioxmpp.MessageType.CHAT)
        answer.body[None] = "hello bob, from aioxmpp carol"
        await carol.send(answer)

        first = aioxmpp.Message(to=bob, type_=aioxmpp.MessageType.CHAT)
        first.body[None] = "hello bob, from aioxmpp alice"
        await alice.send(first)
        got = await next_with_body(inbox["alice"])
        result["alice_got"] = seen(got)
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    host, port, domain, password = sys.argv[1:]
    print(json.dumps(asyncio.get_event_loop().run_until_complete(main(host, int(port), domain, password))), flush=True)
