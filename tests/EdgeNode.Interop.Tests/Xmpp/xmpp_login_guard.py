#!/usr/bin/env python3
"""What a real slixmpp client sees of the node's login guard; prints one JSON line.

Usage: xmpp_login_guard.py HOST PORT JID WRONG_PASSWORD RIGHT_PASSWORD ROUNDS
Each round connects with the wrong password and no mechanism chosen, so slixmpp does what libstrophe (Profanity)
does: after a failure it tries its next mechanism on the same connection (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN). Then
one login with the right password. The node's certificate is self-signed: verification is off for this test client.
"""
import asyncio
import json
import logging
import ssl
import sys

import slixmpp

TIMEOUT = 20


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.attempts = []
        self.stream_errors = []
        self.started = asyncio.get_event_loop().create_future()
        self.ended = asyncio.get_event_loop().create_future()
        self.add_event_handler("failed_auth", self._on_failed)
        self.add_event_handler("stream_error", lambda e: self.stream_errors.append({"condition": e["condition"], "text": e["text"]}))
        self.add_event_handler("session_start", lambda _: self.started.done() or self.started.set_result(True))
        self.add_event_handler("disconnected", lambda _: self.ended.done() or self.ended.set_result(True))

    def _on_failed(self, stanza):
        self.attempts.append({"mechanism": self["feature_mechanisms"].mech.name, "condition": stanza["condition"], "text": stanza["text"]})

    async def run(self, host, port):
        self.connect((host, port), force_starttls=True)
        await asyncio.wait_for(asyncio.wait([self.started, self.ended], return_when=asyncio.FIRST_COMPLETED), TIMEOUT)
        ok = self.started.done()
        if ok:
            self.disconnect()
            await asyncio.wait_for(self.ended, TIMEOUT)
        return {"logged_in": ok, "attempts": self.attempts, "stream_errors": self.stream_errors}


async def main(host, port, jid, wrong, right, rounds):
    result = {"rounds": []}
    for _ in range(rounds):
        result["rounds"].append(await Client(jid, wrong).run(host, port))
    result["final"] = await Client(jid, right).run(host, port)
    print(json.dumps(result))


if __name__ == "__main__":
    logging.basicConfig(level=logging.CRITICAL)
    h, p, j, w, r, n = sys.argv[1:7]
    asyncio.run(main(h, int(p), j, w, r, int(n)))
