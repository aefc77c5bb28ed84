#!/usr/bin/env python3
"""A second XMPP implementation (aioxmpp) against the test node: two users log in over STARTTLS, exchange a message
both ways, and one of them reads the server's disco#info. Prints one JSON line.

Usage: xmpp_aioxmpp.py HOST PORT DOMAIN USER_A PASSWORD_A USER_B PASSWORD_B
The node's certificate is self-signed, so these test clients do not verify it (no_verify=True).
"""
import asyncio
import json
import logging
import sys

import aioxmpp
import aioxmpp.disco

TIMEOUT = 20


async def main(host, port, domain, a_user, a_pw, b_user, b_pw):
    a_jid = aioxmpp.JID.fromstr(f"{a_user}@{domain}")
    b_jid = aioxmpp.JID.fromstr(f"{b_user}@{domain}")
    connector = aioxmpp.connector.STARTTLSConnector()
    a = aioxmpp.PresenceManagedClient(a_jid, aioxmpp.make_security_layer(a_pw, no_verify=True), override_peer=[(host, port, connector)])
    b = aioxmpp.PresenceManagedClient(b_jid, aioxmpp.make_security_layer(b_pw, no_verify=True), override_peer=[(host, port, connector)])
    inbox = {"a": asyncio.Queue(), "b": asyncio.Queue()}
    for name, client in (("a", a), ("b", b)):
        client.stream.register_message_callback(aioxmpp.MessageType.CHAT, None,
                                                lambda m, q=inbox[name]: q.put_nowait(m))
    result = {}
    async with a.connected() as a_stream, b.connected() as b_stream:
        message = aioxmpp.Message(to=b_jid, type_=aioxmpp.MessageType.CHAT)
        message.body[None] = "hello from aioxmpp a"
        await a_stream.send(message)
        got = await asyncio.wait_for(inbox["b"].get(), TIMEOUT)
        result["b_received"] = [str(got.from_.bare()), got.body.any()]
        reply = aioxmpp.Message(to=got.from_, type_=aioxmpp.MessageType.CHAT)
        reply.body[None] = "hello from aioxmpp b"
        await b_stream.send(reply)
        got = await asyncio.wait_for(inbox["a"].get(), TIMEOUT)
        result["a_received"] = [str(got.from_.bare()), got.body.any()]
        disco = a.summon(aioxmpp.DiscoClient)
        info = await disco.query_info(aioxmpp.JID.fromstr(domain), require_fresh=True, timeout=TIMEOUT)
        result["features"] = sorted(info.features)
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    host, port, domain, a_user, a_pw, b_user, b_pw = sys.argv[1:]
    print(json.dumps(asyncio.get_event_loop().run_until_complete(
        asyncio.wait_for(main(host, int(port), domain, a_user, a_pw, b_user, b_pw), TIMEOUT * 3))))
