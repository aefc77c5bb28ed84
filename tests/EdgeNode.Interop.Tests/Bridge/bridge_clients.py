"""Real clients for the XMPP <-> Matrix bridge tests: slixmpp (Debian's python3-slixmpp) on the XMPP side and
matrix-nio (python3-matrix-nio) on the Matrix side, in one asyncio loop. Every client keeps what it received; the
scenarios (bridge_scenarios.py) wait for conditions on it, never for a fixed time.
"""
import asyncio
import json
import ssl
import tempfile
import time
import xml.etree.ElementTree as ET

import aiohttp
import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath
from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, LoginResponse, PresenceEvent, ReceiptEvent, TypingNoticeEvent

TIMEOUT = 25
CLIENT = "{jabber:client}"
CARBONS = "{urn:xmpp:carbons:2}"
FORWARD = "{urn:xmpp:forward:0}"
CORRECT = "{urn:xmpp:message-correct:0}"
REPLY = "{urn:xmpp:reply:0}"
REACTIONS = "{urn:xmpp:reactions:0}"
MARKERS = "{urn:xmpp:chat-markers:0}"
CHATSTATES = "http://jabber.org/protocol/chatstates"
STANZAS = "{urn:ietf:params:xml:ns:xmpp-stanzas}"


async def until(condition, what, timeout=TIMEOUT):
    """Polls `condition` until it returns something truthy (returned), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise TimeoutError("timed out waiting for " + what)


def describe(element):
    """The fields of one <message/> element the scenarios look at."""
    body = element.find(CLIENT + "body")
    error = element.find(CLIENT + "error")
    replace = element.find(CORRECT + "replace")
    reply = element.find(REPLY + "reply")
    reactions = element.find(REACTIONS + "reactions")
    displayed = element.find(MARKERS + "displayed")
    states = [child.tag.split("}", 1)[1] for child in element if child.tag.startswith("{" + CHATSTATES + "}")]
    return {
        "from": element.get("from"), "to": element.get("to"), "type": element.get("type") or "normal",
        "id": element.get("id"), "body": body.text if body is not None else None,
        "replace": replace.get("id") if replace is not None else None,
        "reply": {"to": reply.get("to"), "id": reply.get("id")} if reply is not None else None,
        "reactions": {"id": reactions.get("id"), "keys": [r.text for r in reactions.findall(REACTIONS + "reaction")]}
        if reactions is not None else None,
        "displayed": displayed.get("id") if displayed is not None else None,
        "chatstate": states[0] if states else None,
        "error": {"type": error.get("type"), "conditions": [c.tag.split("}", 1)[1] for c in error],
                  "text": "".join(t.text or "" for t in error.findall(STANZAS + "text"))} if error is not None else None,
    }


class Xmpp(slixmpp.ClientXMPP):
    """A slixmpp client; `messages` holds every message it received, carbons unwrapped with "carbon" set."""

    def __init__(self, jid, password):
        super().__init__(jid, password, sasl_mech="SCRAM-SHA-256")
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.auto_authorize = None
        self.auto_subscribe = False
        self.register_plugin("xep_0280")
        self.messages = []
        self.presences = []
        # Every message (slixmpp's own "message" event only fires for those with a body).
        self.register_handler(Callback("every message", MatchXPath(CLIENT + "message"), self._on_message))
        self.add_event_handler("presence", self._on_presence)

    def _on_message(self, stanza):
        element = stanza.xml
        for kind in ("sent", "received"):
            inner = element.find(CARBONS + kind + "/" + FORWARD + "forwarded/" + CLIENT + "message")
            if inner is not None:
                if element.get("from") not in (None, self.boundjid.bare):
                    return  # a forged carbon: ignored as a client must
                seen = describe(inner)
                seen["carbon"] = kind
                self.messages.append(seen)
                return
        seen = describe(element)
        seen["carbon"] = None
        self.messages.append(seen)

    def _on_presence(self, stanza):
        status = stanza.xml.find(CLIENT + "status")
        show = stanza.xml.find(CLIENT + "show")
        self.presences.append({"from": str(stanza["from"]), "type": stanza.xml.get("type") or "available",
                               "show": show.text if show is not None else None,
                               "status": status.text if status is not None else None})

    async def login(self, port, carbons=False, presence=True):
        started = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
        self.connect(("127.0.0.1", port), force_starttls=True)
        await asyncio.wait_for(started, TIMEOUT)
        await self.get_roster()
        if carbons:
            await self.plugin["xep_0280"].enable(timeout=TIMEOUT)
        if presence:
            self.send_presence()
        return self

    def send_chat(self, to, body, id=None, extra=()):
        """Sends a chat message with `id` and extra payload elements; returns its id."""
        message = self.make_message(mto=to, mbody=body, mtype="chat")
        if id is not None:
            message["id"] = id
        for element in extra:
            message.xml.append(element)
        message.send()
        return message["id"]

    def received(self, predicate):
        return [m for m in self.messages if predicate(m)]

    async def wait(self, predicate, what, since=0):
        """The first message (from index `since` of `messages` on) that matches, waiting for it."""
        found = await until(lambda: [m for m in self.messages[since:] if predicate(m)], "%s at %s; had %s" % (what, self.boundjid, json.dumps(self.messages)[-3000:]))
        return found[0]

    async def wait_presence(self, predicate, what):
        found = await until(lambda: [p for p in self.presences if predicate(p)],
                            "%s at %s; had %s" % (what, self.boundjid, json.dumps(self.presences)[-3000:]))
        return found[-1]

    async def close(self):
        closed = asyncio.get_event_loop().create_future()
        self.add_event_handler("disconnected", lambda _: closed.done() or closed.set_result(True))
        self.disconnect()
        try:
            await asyncio.wait_for(closed, 5)
        except asyncio.TimeoutError:
            pass


def element(tag, text=None, **attributes):
    e = ET.Element(tag, {k.rstrip("_"): v for k, v in attributes.items()})
    e.text = text
    return e


class Matrix:
    """A matrix-nio client that syncs in the background and keeps what its syncs brought."""

    def __init__(self, url, user, password, device="nio"):
        self.url, self.user, self.password, self.device = url, user, password, device
        self.client = AsyncClient(url, user, store_path=tempfile.mkdtemp(prefix="nio-"),
                                  config=AsyncClientConfig(encryption_enabled=False))
        self.timeline = []   # (room_id, event source)
        self.invites = []    # {"room", "sender", "is_direct"}
        self.ephemeral = []  # (room_id, {"typing": [...]} or {"receipt": {...}})
        self.presence = []   # {"user", "presence", "status"}
        self.syncs = 0
        self.sync_presence = None  # the set_presence of every sync ("offline": syncing without being shown online)
        self._task = None

    @property
    def user_id(self):
        return self.client.user_id

    async def login(self):
        response = await self.client.login(self.password, device_name=self.device)
        if not isinstance(response, LoginResponse):
            raise RuntimeError("login of %s: %r" % (self.user, response))
        return self

    async def start(self):
        """Logs in and syncs until closed (a Matrix client that is open)."""
        if self.client.access_token == "":
            await self.login()
        self._task = asyncio.ensure_future(self._loop())
        await until(lambda: self.syncs > 0, "the first sync of " + self.user)
        return self

    async def stop(self):
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _loop(self):
        while True:
            response = await self.client.sync(timeout=500, set_presence=self.sync_presence)
            if not hasattr(response, "rooms"):
                await asyncio.sleep(0.2)
                continue
            for room_id, info in response.rooms.invite.items():
                for event in info.invite_state:
                    if isinstance(event, InviteMemberEvent) and event.state_key == self.user_id and event.membership == "invite":
                        self.invites.append({"room": room_id, "sender": event.sender, "is_direct": bool(event.content.get("is_direct"))})
            for room_id, info in response.rooms.join.items():
                for event in info.timeline.events:
                    self.timeline.append((room_id, event.source))
                for event in info.ephemeral:
                    if isinstance(event, TypingNoticeEvent):
                        self.ephemeral.append((room_id, {"typing": list(event.users)}))
                    elif isinstance(event, ReceiptEvent):
                        for receipt in event.receipts:
                            self.ephemeral.append((room_id, {"receipt": {"event_id": receipt.event_id, "type": receipt.receipt_type,
                                                                         "user": receipt.user_id}}))
            for event in response.presence_events:
                if isinstance(event, PresenceEvent):
                    self.presence.append({"user": event.user_id, "presence": event.presence, "status": event.status_msg})
            self.syncs += 1

    def events(self, room_id=None, type_=None, predicate=lambda e: True):
        return [e for r, e in self.timeline if (room_id is None or r == room_id) and (type_ is None or e.get("type") == type_) and predicate(e)]

    def messages(self, room_id=None, body=None):
        return self.events(room_id, "m.room.message", lambda e: body is None or e.get("content", {}).get("body") == body)

    async def wait_event(self, predicate, what, room_id=None):
        found = await until(lambda: self.events(room_id, None, predicate),
                            "%s at %s; had %s" % (what, self.user, json.dumps([e for _, e in self.timeline])[-3000:]))
        return found[0]

    async def wait_message(self, body, what=None, room_id=None):
        return await self.wait_event(lambda e: e.get("type") == "m.room.message" and e.get("content", {}).get("body") == body,
                                     what or "the message %r" % body[:60], room_id)

    async def wait_invite(self, sender):
        return await until(lambda: next((i for i in self.invites if i["sender"] == sender), None),
                           "an invite from %s at %s (had %s)" % (sender, self.user, self.invites))

    async def wait_ephemeral(self, predicate, what, since=0):
        found = await until(lambda: [e for r, e in self.ephemeral[since:] if predicate(r, e)],
                            "%s at %s; had %s" % (what, self.user, json.dumps(self.ephemeral)[-3000:]))
        return found[-1]

    async def wait_presence(self, predicate, what):
        found = await until(lambda: [p for p in self.presence if predicate(p)],
                            "%s at %s; had %s" % (what, self.user, json.dumps(self.presence)[-3000:]))
        return found[-1]

    async def send(self, room_id, content, type_="m.room.message"):
        response = await self.client.room_send(room_id, type_, content)
        event_id = getattr(response, "event_id", None)
        if event_id is None:
            raise RuntimeError("send in %s by %s: %r" % (room_id, self.user, response))
        return event_id

    async def text(self, room_id, body):
        return await self.send(room_id, {"msgtype": "m.text", "body": body})

    async def join(self, room_id):
        response = await self.client.join(room_id)
        if getattr(response, "room_id", None) != room_id:
            raise RuntimeError("join %s by %s: %r" % (room_id, self.user, response))

    async def http(self, method, path, body=None):
        """A client-server API call nio 0.20 has no method for (v3 paths, the token in the header)."""
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.url + "/_matrix/client/v3" + path, data=None if body is None else json.dumps(body),
                                       headers={"Authorization": "Bearer " + self.client.access_token,
                                                "Content-Type": "application/json"}) as response:
                text = await response.text()
                return response.status, json.loads(text) if text else {}

    async def direct(self):
        """This user's m.direct account data ({} when there is none)."""
        status, content = await self.http("GET", "/user/%s/account_data/m.direct" % self.user_id)
        return content if status == 200 else {}

    async def joined_rooms(self):
        status, content = await self.http("GET", "/joined_rooms")
        return content.get("joined_rooms", []) if status == 200 else []

    async def close(self):
        await self.stop()
        await self.client.close()
